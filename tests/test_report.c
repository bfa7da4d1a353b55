/* test_report.c: the HTML report, its composition and the manifest
 * (core/report.c, core/writers/html.c, core/writers/manifest.c).
 *
 * Reports are built from small hand-made tables (3 replicates with intervals,
 * and 1 replicate), written into a temporary directory and read back. Checked:
 * the page is self-contained (no script, no http(s) reference), every part
 * tests and browsers look for has its id or class, one line per series and
 * bands only with several replicates, text is escaped, NaN reads "n/a",
 * degenerate charts (flat, all NaN, empty, one column) keep finite
 * coordinates, nice y ticks, thinned x labels, identical output for identical
 * input, argument errors, and atomic output (a missing directory gives SP_EIO
 * naming the path and leaves nothing).
 *
 * The report composed from a hand-made results cube (sp_report_build): each
 * chart's metric, unit, kind of series, series names, periods and values (the
 * income-quintile chart plots spending, not car purchases); rounding noise
 * reads exactly 0 in the description and "0.00" on the page (never "-0" or
 * "3e-12"); ratios without a denominator are NaN and read "n/a"; the data
 * attributes that say what each chart plots; options copied, max_packages,
 * drawn parameters, and errors. Manifest: exact text with escaping, empty
 * collections, duplicate keys and a missing directory. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spendsim.h"
#include "writers/writers_internal.h"

/* ---- fixtures ---- */

static char dir[256]; /* a fresh temporary directory per test */

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/spendsim_report_XXXXXX", base && base[0] ? base : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
    return 0;
}

static void path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, out);
    fclose(f);
    fclose(out);
    return buf;
}

/* Entries in a directory, "." and ".." aside; -1 if it cannot be read. */
static int entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* Occurrences of needle in [s, end) (end NULL: to the end of s). */
static int count_in(const char *s, const char *end, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(s, needle); p && (!end || p + len <= end); p = strstr(p + len, needle))
        n++;
    return n;
}

/* Case-insensitive search. */
static const char *find_ci(const char *s, const char *needle)
{
    size_t len = strlen(needle);
    for (; *s; s++) {
        size_t k = 0;
        while (k < len && s[k] && tolower((unsigned char)s[k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == len)
            return s;
    }
    return NULL;
}

/* A table owned by the test: nrows x ncols, months from 2020-01, values
 * v[i*ncols+j] = f(i, j); with replicates > 1 intervals at +-10% and +-20%. */
static sp_table *make_table(size_t nrows, size_t ncols, int replicates, const char *title,
                            const char *unit, const char *const *labels, double (*f)(size_t, size_t))
{
    sp_err err;
    sp_table *t = sp_table_alloc(nrows, ncols, &err);
    if (!t)
        fail_msg("sp_table_alloc: %s", err.msg);
    assert_int_equal(sp_table_set_text(&t->title, title, &err), SP_OK);
    assert_int_equal(sp_table_set_text(&t->unit, unit, &err), SP_OK);
    assert_int_equal(sp_table_set_text(&t->row_header, "series", &err), SP_OK);
    for (size_t j = 0; j < ncols; j++) {
        char lab[16];
        snprintf(lab, sizeof lab, "%04d-%02d", 2020 + (int)(j / 12), (int)(j % 12) + 1);
        assert_int_equal(sp_table_set_text(&t->col_labels[j], lab, &err), SP_OK);
    }
    for (size_t i = 0; i < nrows; i++)
        assert_int_equal(sp_table_set_text(&t->row_labels[i], labels[i], &err), SP_OK);
    for (size_t i = 0; i < nrows; i++)
        for (size_t j = 0; j < ncols; j++) {
            double v = f(i, j);
            if (replicates > 1) {
                double reps[3] = {v - fabs(v) * 0.2, v, v + fabs(v) * 0.2};
                if (isnan(v))
                    reps[0] = reps[2] = v;
                sp_table_set_replicates(t, i, j, reps, 3);
            } else {
                t->values[i * ncols + j] = v;
            }
        }
    t->replicates = replicates;
    return t;
}

static double wave(size_t i, size_t j)
{
    return 100.0 * (double)(i + 1) * sin((double)j / 2.0) + 50.0 * (double)i;
}
static double flat(size_t i, size_t j)
{
    (void)i, (void)j;
    return 4321.0;
}
static double zero(size_t i, size_t j)
{
    (void)i, (void)j;
    return 0.0;
}
static double missing(size_t i, size_t j)
{
    (void)i, (void)j;
    return NAN;
}
static double headline_value(size_t i, size_t j)
{
    if (i == 0 && j == 2)
        return NAN; /* a multiplier with no cost */
    return j == 0 ? 1234567.891 * (double)(i + 1) : 0.5 + (double)j;
}

static const char *const pkgs[] = {"Status quo", "Plan <A> & \"B\" 'C'"};
static const char *const three[] = {"Q1", "Q2", "Q3"};

static const char scenario[] = "local sp = require \"spendsim\"\n"
                               "if a < b and c > d then x = '&' end\n";

/* Writes a report with a headline (3 replicates, a NaN), two charts (one with
 * 3 replicates and 2 series, one with 1 replicate and 3 series) and one
 * further table; returns the page text (free with free()). */
static char *write_sample(const char *name)
{
    sp_table *head = make_table(2, 3, 3, "Headline", "", pkgs, headline_value);
    sp_table *c1 = make_table(2, 12, 3, "Change in spending", "yuan per person", pkgs, wave);
    sp_table *c2 = make_table(3, 12, 1, "By quintile", "yuan", three, wave);
    sp_table *extra = make_table(2, 2, 1, "Extra table", "yuan", pkgs, wave);
    const sp_table *tables[1] = {extra};
    sp_chart charts[2] = {{"Monthly change, <total>", c1, "spending"}, {NULL, c2, NULL}};
    sp_kv params[2] = {{"mpc_voucher", "0.30"}, {"horizon", "12 months"}};
    sp_kv prov[3] = {{"spendsim", "0.1.0"}, {"git_revision", "abc123"}, {"date", "2024-01-02"}};
    sp_report r = {0};
    r.title = "Voucher <study> & co";
    r.headline = head;
    r.charts = charts;
    r.ncharts = 2;
    r.tables = tables;
    r.ntables = 1;
    r.scenario_name = "voucher.lua";
    r.scenario_text = scenario;
    r.parameters = params;
    r.nparameters = 2;
    r.provenance = prov;
    r.nprovenance = 3;
    char path[512];
    path_in(path, sizeof path, name);
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_report_write_html(&r, path, &err);
    sp_table_free(head);
    sp_table_free(c1);
    sp_table_free(c2);
    sp_table_free(extra);
    if (rc != SP_OK)
        fail_msg("sp_report_write_html: %s", err.msg);
    char *text = slurp(path);
    assert_non_null(text);
    return text;
}

/* The i-th (0-based) <figure class="chart" ...>...</figure> of the page. */
static void figure_span(const char *page, int i, const char **begin, const char **end)
{
    const char *p = page;
    for (int k = 0; k <= i; k++) {
        p = strstr(p, "<figure class=\"chart\"");
        assert_non_null(p);
        if (k < i)
            p++;
    }
    *begin = p;
    *end = strstr(p, "</figure>");
    assert_non_null(*end);
}

/* ---- report ---- */

static void test_self_contained(void **state)
{
    (void)state;
    char *page = write_sample("report.html");
    assert_true(strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    assert_non_null(strstr(page, "<meta charset=\"utf-8\">"));
    assert_null(find_ci(page, "<script"));
    assert_null(find_ci(page, "http://"));
    assert_null(find_ci(page, "https://"));
    assert_null(find_ci(page, "<link"));
    assert_null(find_ci(page, "<img"));
    assert_null(find_ci(page, "@import"));
    assert_null(find_ci(page, "url("));
    assert_non_null(strstr(page, "<style>"));
    free(page);
}

static void test_sections_have_ids(void **state)
{
    (void)state;
    char *page = write_sample("report.html");
    assert_int_equal(count_in(page, NULL, "id=\"headline\""), 1);
    assert_int_equal(count_in(page, NULL, "id=\"parameters\""), 1);
    assert_int_equal(count_in(page, NULL, "<pre id=\"scenario\"><code>"), 1);
    assert_int_equal(count_in(page, NULL, "id=\"provenance\""), 1);
    assert_int_equal(count_in(page, NULL, "<figure class=\"chart\""), 2);
    assert_non_null(strstr(page, "id=\"chart-1\" data-series=\"2\""));
    assert_non_null(strstr(page, "id=\"chart-2\" data-series=\"3\""));
    /* headline, 2 chart data tables, 1 further table, parameters, provenance */
    assert_int_equal(count_in(page, NULL, "<table class=\"data-table"), 6);
    assert_int_equal(count_in(page, NULL, "<svg "), 2);
    free(page);
}

static void test_lines_and_bands(void **state)
{
    (void)state;
    char *page = write_sample("report.html");
    const char *b, *e;
    figure_span(page, 0, &b, &e); /* 3 replicates: bands */
    assert_int_equal(count_in(b, e, "<path class=\"line\""), 2);
    assert_int_equal(count_in(b, e, "<polygon class=\"band\""), 2);
    assert_non_null(strstr(b, "shaded: 90% interval"));
    figure_span(page, 1, &b, &e); /* 1 replicate: no bands */
    assert_int_equal(count_in(b, e, "<path class=\"line\""), 3);
    assert_int_equal(count_in(b, e, "class=\"band\""), 0);
    assert_int_equal(count_in(b, e, "<li><span class=\"swatch\""), 3);
    free(page);
}

static void test_text_escaped(void **state)
{
    (void)state;
    char *page = write_sample("report.html");
    assert_null(strstr(page, "<A>"));
    assert_null(strstr(page, "<study>"));
    assert_null(strstr(page, "<total>"));
    assert_non_null(strstr(page, "Plan &lt;A&gt; &amp; &quot;B&quot; &#39;C&#39;"));
    assert_non_null(strstr(page, "<h1>Voucher &lt;study&gt; &amp; co</h1>"));
    assert_non_null(strstr(page, "Monthly change, &lt;total&gt;"));
    assert_non_null(strstr(page, "<pre id=\"scenario\"><code>local sp = require &quot;spendsim&quot;\n"
                                 "if a &lt; b and c &gt; d then x = &#39;&amp;&#39; end\n</code></pre>"));
    assert_non_null(strstr(page, "<code>voucher.lua</code>"));
    free(page);
}

static void test_provenance_and_parameters(void **state)
{
    (void)state;
    char *page = write_sample("report.html");
    const char *prov = strstr(page, "id=\"provenance\"");
    assert_non_null(prov);
    assert_non_null(strstr(prov, "<th scope=\"row\">spendsim</th><td>0.1.0</td>"));
    assert_non_null(strstr(prov, "<th scope=\"row\">git_revision</th><td>abc123</td>"));
    assert_non_null(strstr(prov, "<th scope=\"row\">date</th><td>2024-01-02</td>"));
    const char *par = strstr(page, "id=\"parameters\"");
    assert_non_null(par);
    assert_non_null(strstr(par, "<th scope=\"row\">mpc_voucher</th><td>0.30</td>"));
    free(page);
}

static void test_headline_numbers(void **state)
{
    (void)state;
    char *page = write_sample("report.html");
    const char *h = strstr(page, "id=\"headline\"");
    assert_non_null(h);
    const char *end = strstr(h, "</table>");
    assert_non_null(end);
    /* mean with its 90% interval (5th..95th percentile of -20%, 0, +20%) */
    assert_int_equal(count_in(h, end, "<td>1,234,568<span class=\"ci\">["), 1);
    assert_int_equal(count_in(h, end, "<td class=\"na\">n/a</td>"), 1);
    assert_int_equal(count_in(h, end, "<td>1.50<span class=\"ci\">[1.23, 1.77]</span></td>"), 2);
    assert_non_null(strstr(h, "Mean of 3 replicates; 90% interval in brackets."));
    assert_null(strstr(page, "NaN"));
    assert_null(strstr(page, ">nan"));
    free(page);
}

static void test_deterministic(void **state)
{
    (void)state;
    char *a = write_sample("a.html");
    char *b = write_sample("b.html");
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* Coordinates inside every <svg> are finite numbers. */
static void assert_svg_finite(const char *page)
{
    for (const char *s = strstr(page, "<svg "); s; s = strstr(s + 1, "<svg ")) {
        const char *e = strstr(s, "</svg>");
        assert_non_null(e);
        for (const char *p = s; p < e; p++) {
            if (strncmp(p, "points=\"", 8) == 0 || strncmp(p, " d=\"", 4) == 0 ||
                strncmp(p, " x=\"", 4) == 0 || strncmp(p, " y=\"", 4) == 0 ||
                strncmp(p, " y1=\"", 5) == 0 || strncmp(p, " y2=\"", 5) == 0) {
                const char *q = strchr(p, '"') + 1;
                const char *qe = strchr(q, '"');
                for (const char *c = q; c < qe; c++)
                    if (!strchr("0123456789.-, MLhZ", *c))
                        fail_msg("non-numeric coordinate near: %.60s", p);
                p = qe;
            }
        }
        char *svg = strndup(s, (size_t)(e - s));
        assert_null(find_ci(svg, "nan"));
        assert_null(find_ci(svg, "inf"));
        free(svg);
    }
}

static void test_degenerate_charts(void **state)
{
    (void)state;
    sp_table *t1 = make_table(2, 12, 3, "Flat", "yuan", pkgs, flat);
    sp_table *t2 = make_table(2, 12, 1, "Zero", "yuan", pkgs, zero);
    sp_table *t3 = make_table(2, 12, 3, "Missing", "yuan", pkgs, missing);
    sp_table *t4 = make_table(0, 0, 1, "Empty", "yuan", NULL, zero);
    sp_table *t5 = make_table(2, 1, 3, "One column", "yuan", pkgs, wave);
    sp_table *t6 = make_table(1, 6, 1, "Gaps", "yuan", pkgs, wave);
    t6->values[2] = NAN;
    t6->values[4] = INFINITY;
    sp_chart charts[6] = {{"a", t1, NULL}, {"b", t2, NULL}, {"c", t3, NULL},
                          {"d", t4, NULL}, {"e", t5, NULL}, {"f", t6, NULL}};
    sp_report r = {0};
    r.title = "Degenerate";
    r.charts = charts;
    r.ncharts = 6;
    char path[512];
    path_in(path, sizeof path, "degenerate.html");
    sp_err err;
    int rc = sp_report_write_html(&r, path, &err);
    if (rc != SP_OK)
        fail_msg("%s", err.msg);
    char *page = slurp(path);
    assert_non_null(page);
    assert_svg_finite(page);
    assert_int_equal(count_in(page, NULL, "<figure class=\"chart\""), 6);
    assert_non_null(strstr(page, "data-series=\"0\""));
    assert_int_equal(count_in(page, NULL, ">No data</text>"), 2); /* all NaN, empty */
    /* a flat 4321 gets an axis around it */
    const char *b, *e;
    figure_span(page, 0, &b, &e);
    assert_true(count_in(b, e, "text-anchor=\"end\"") >= 4);
    /* gaps: the line restarts after the NaN, isolated points are dots */
    figure_span(page, 5, &b, &e);
    assert_int_equal(count_in(b, e, " M"), 2);
    assert_int_equal(count_in(b, e, " h0"), 2);
    free(page);
    sp_table_free(t1);
    sp_table_free(t2);
    sp_table_free(t3);
    sp_table_free(t4);
    sp_table_free(t5);
    sp_table_free(t6);
}

static double ramp(size_t i, size_t j)
{
    (void)i;
    return (double)j * 100.0 / 35.0;
}

static double big(size_t i, size_t j)
{
    return -2.0e8 + (double)j * 3.0e7 * (double)(i + 1);
}

static void test_axes(void **state)
{
    (void)state;
    sp_table *t1 = make_table(1, 36, 1, "Ramp", "yuan", pkgs, ramp); /* 0 .. 100 */
    sp_table *t2 = make_table(2, 12, 1, "Big", "yuan", pkgs, big);   /* -2e8 .. 4.6e8 */
    sp_chart charts[2] = {{"ramp", t1, NULL}, {"big", t2, NULL}};
    sp_report r = {0};
    r.charts = charts;
    r.ncharts = 2;
    char path[512];
    path_in(path, sizeof path, "axes.html");
    sp_err err;
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_OK);
    char *page = slurp(path);
    const char *b, *e;
    figure_span(page, 0, &b, &e);
    int ticks = count_in(b, e, "text-anchor=\"end\"");
    assert_true(ticks >= 4 && ticks <= 6);
    assert_int_equal(count_in(b, e, "dy=\"0.32em\">0</text>"), 1);
    assert_int_equal(count_in(b, e, "dy=\"0.32em\">100</text>"), 1);
    /* 36 monthly labels thinned to every third month */
    assert_int_equal(count_in(b, e, "text-anchor=\"middle\">"), 12);
    assert_int_equal(count_in(b, e, ">2020-04</text>"), 1);
    assert_int_equal(count_in(b, e, ">2020-02</text>"), 0);
    assert_int_equal(count_in(b, e, "class=\"zero\""), 0); /* zero is the bottom tick */
    figure_span(page, 1, &b, &e);
    ticks = count_in(b, e, "text-anchor=\"end\"");
    assert_true(ticks >= 4 && ticks <= 6);
    assert_non_null(strstr(b, "M</text>")); /* millions as "200M" */
    assert_int_equal(count_in(b, e, "class=\"zero\""), 1);
    assert_int_equal(count_in(b, e, "text-anchor=\"middle\">"), 12);
    free(page);
    sp_table_free(t1);
    sp_table_free(t2);
}

static void test_missing_directory(void **state)
{
    (void)state;
    sp_table *t = make_table(1, 3, 1, "T", "yuan", pkgs, wave);
    sp_chart charts[1] = {{"t", t, NULL}};
    sp_report r = {0};
    r.headline = t;
    r.charts = charts;
    r.ncharts = 1;
    char path[512];
    path_in(path, sizeof path, "missing/report.html");
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_EIO);
    assert_int_equal(err.code, SP_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(entries(dir), 0);
    /* a successful write leaves exactly the file, no temporary */
    path_in(path, sizeof path, "report.html");
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_OK);
    assert_int_equal(entries(dir), 1);
    sp_table_free(t);
}

static void test_argument_errors(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "report.html");
    sp_err err;
    sp_report r = {0};
    assert_int_equal(sp_report_write_html(NULL, path, &err), SP_EINVAL);
    assert_int_equal(sp_report_write_html(&r, NULL, &err), SP_EINVAL);
    assert_int_equal(sp_report_write_html(&r, "", &err), SP_EINVAL);
    sp_chart charts[1] = {{"no table", NULL, NULL}};
    r.charts = charts;
    r.ncharts = 1;
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "chart 1"));
    r.ncharts = -1;
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_EINVAL);
    r.ncharts = 0;
    r.nprovenance = 2; /* without an array */
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_EINVAL);
    assert_int_equal(entries(dir), 0);
    /* an empty report is still a page with every section */
    r.nprovenance = 0;
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_OK);
    char *page = slurp(path);
    assert_non_null(strstr(page, "<title>spendsim report</title>"));
    assert_non_null(strstr(page, "id=\"parameters\""));
    assert_non_null(strstr(page, "id=\"scenario\""));
    assert_non_null(strstr(page, "id=\"provenance\""));
    free(page);
}

static void test_invalid_utf8_and_controls(void **state)
{
    (void)state;
    sp_report r = {0};
    r.title = "bad \xff byte\x01 and \xe4\xb8\xad\xe6\x96\x87";
    r.scenario_text = "a\r\nb\rc\td\x02";
    char path[512];
    path_in(path, sizeof path, "utf8.html");
    sp_err err;
    assert_int_equal(sp_report_write_html(&r, path, &err), SP_OK);
    char *page = slurp(path);
    assert_non_null(strstr(page, "<h1>bad \xEF\xBF\xBD byte  and \xe4\xb8\xad\xe6\x96\x87</h1>"));
    assert_non_null(strstr(page, "<code>a\nb\nc\td </code>"));
    free(page);
}

/* ---- the report composed from results (core/report.c) ---- */

#define NPKG 3
#define NMONTH 4

/* Spending on category k by a group of scale s (its slot + 1) in month m. */
static double level(int k, int s, int m)
{
    return 1e8 * (k + 1) * s + 1000.0 * m;
}

/* Three packages, one replicate, 4 months from 2020-01. "Vouchers" adds
 * 1000 (k + 1) yuan to category k of every group, 50 s car purchases and
 * 200,000 yuan of government cost a month; "Same" is the baseline but for a
 * residue of two units in the last place of every spending sum (rounding
 * noise) and costs nothing. Group of scale s: 400 s households, 1000 s persons. */
static sp_results *sample_results(void)
{
    const char *names[NPKG] = {"Status quo", "Vouchers", "Same"};
    sp_results *r = sp_results_alloc(NPKG, names, 1, NMONTH, sp_month_make(2020, 1), NULL);
    assert_non_null(r);
    for (int p = 0; p < NPKG; p++)
        for (int m = 0; m < NMONTH; m++)
            for (int g = 0; g < SP_NGROUP; g++) {
                double *v = sp_results_at(r, p, 0, m) + g * SP_NMETRIC, s = g + 1.0;
                v[SP_M_SPENDING] = 0;
                for (int k = 0; k < SP_NCAT; k++) {
                    v[k] = level(k, (int)s, m) + (p == 1 ? 1000.0 * (k + 1) : 0);
                    if (p == 2)
                        v[k] = nextafter(nextafter(v[k], HUGE_VAL), HUGE_VAL);
                    v[SP_M_SPENDING] += v[k];
                }
                v[SP_M_HOUSEHOLDS] = 400 * s;
                v[SP_M_PERSONS] = 1000 * s;
                v[SP_M_CAR_PURCHASES] = 500 * s + (p == 1 ? 50 * s : 0);
                v[SP_M_GOV_COST] = p == 1 && g == 0 ? 2e5 : 0;
            }
    return r;
}

static sp_report *build_sample(const sp_results *res, const sp_report_opts *o)
{
    sp_err err;
    sp_err_clear(&err);
    sp_report *r = sp_report_build(res, o, &err);
    if (!r)
        fail_msg("sp_report_build: %s", err.msg);
    return r;
}

/* Chart k plots `metric` in `unit`, series `rows` named labels[0..n). */
static void assert_chart(const sp_report *r, int k, const char *metric, const char *unit,
                         const char *rows, const char *const *labels, size_t n)
{
    assert_true(k < r->ncharts);
    const sp_chart *c = &r->charts[k];
    assert_string_equal(c->metric, metric);
    assert_string_equal(c->table->unit, unit);
    assert_string_equal(c->table->row_header, rows);
    assert_int_equal(c->table->nrows, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(c->table->row_labels[i], labels[i]);
    assert_int_equal(c->table->ncols, NMONTH); /* x axis: the months */
    assert_string_equal(c->table->col_labels[0], "2020-01");
    assert_string_equal(c->table->col_labels[NMONTH - 1], "2020-04");
}

static void test_built_charts(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    sp_report *r = build_sample(res, NULL);
    static const char *const packages[] = {"Status quo", "Vouchers", "Same"};
    static const char *const cats[] = {"food", "clothing", "housing", "household_goods",
                                       "transport", "education", "health", "other", "total"};
    static const char *const quint[] = {"Q1", "Q2", "Q3", "Q4", "Q5"};
    assert_int_equal(r->ncharts, 2 + 2 * (NPKG - 1));
    assert_chart(r, 0, "spending", "change in yuan", "package", packages, NPKG);
    assert_chart(r, 1, "car_purchases", "change in cars", "package", packages, NPKG);
    for (int p = 1; p < NPKG; p++) {
        assert_chart(r, 2 * p, "spending", "change in yuan per person", "category", cats, 9);
        /* the quintile chart plots spending, whatever chart came before it */
        assert_chart(r, 2 * p + 1, "spending", "change in yuan per person", "quintile", quint, 5);
    }
    assert_string_equal(r->charts[0].title, "Monthly change in household spending, by package");
    assert_string_equal(r->charts[1].title, "Monthly change in car purchases, by package");
    assert_string_equal(r->charts[3].title,
                        "Vouchers: monthly change in spending per person, by income quintile");
    /* the values: 36,000 yuan more a month for the group of scale s, per
     * person 36 / s; car purchases 50 more (not what the quintile chart shows) */
    const sp_table *t = r->charts[0].table;
    assert_float_equal(sp_table_get(t, 1, 2), 36000.0, 1e-6);
    assert_float_equal(sp_table_get(r->charts[1].table, 1, 0), 50.0, 1e-9);
    t = r->charts[3].table;
    for (int q = 0; q < 5; q++)
        for (int m = 0; m < NMONTH; m++)
            assert_float_equal(sp_table_get(t, (size_t)q, (size_t)m), 36.0 / (q + 2), 1e-9);
    assert_float_equal(sp_table_get(r->charts[2].table, 8, 0), 36.0, 1e-9); /* total */
    assert_float_equal(sp_table_get(r->charts[2].table, 0, 0), 1.0, 1e-9);  /* food */
    sp_report_free(r);
    sp_results_free(res);
}

static void test_built_noise_and_ratios(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    sp_report *r = build_sample(res, NULL);
    /* "Same" differs by rounding noise only: every value is exactly 0 */
    for (int k = 0; k < r->ncharts; k++) {
        const sp_table *t = r->charts[k].table;
        int same = k == 4 || k == 5;
        for (size_t i = 0; i < t->nrows; i++)
            for (size_t j = 0; j < t->ncols; j++) {
                double v = sp_table_get(t, i, j);
                if (same || (k < 2 && (i == 0 || i == 2)))
                    assert_true(v == 0.0 && !signbit(v));
            }
    }
    const sp_table *h = r->headline;
    assert_int_equal(h->nrows, NPKG);
    assert_true(sp_table_get(h, 2, SP_SUM_SPENDING_CHANGE) == 0.0);
    for (int p = 0; p < NPKG; p += 2) { /* no cost: no ratios */
        assert_true(isnan(sp_table_get(h, (size_t)p, SP_SUM_MULTIPLIER)));
        assert_true(isnan(sp_table_get(h, (size_t)p, SP_SUM_LEVERAGE)));
        assert_true(isnan(sp_table_get(h, (size_t)p, SP_SUM_COST_PER_YUAN)));
    }
    assert_float_equal(sp_table_get(h, 1, SP_SUM_MULTIPLIER), 4 * 36000.0 / 8e5, 1e-12);
    assert_true(sp_table_get(h, 1, SP_SUM_LEVERAGE) == 0.0); /* a cost, no coupons */
    sp_report_free(r);
    sp_results_free(res);
}

/* 1 when [b, e) holds a number in exponent notation ("3e-12", "2.9e+13"). */
static int has_exponent(const char *b, const char *e)
{
    for (const char *p = b + 1; p + 2 < e; p++)
        if (*p == 'e' && isdigit((unsigned char)p[-1]) && (p[1] == '-' || p[1] == '+') &&
            isdigit((unsigned char)p[2]))
            return 1;
    return 0;
}

static void test_built_page(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    sp_kv prov[2] = {{"spendsim", "0.1.0"}, {"date", "2024-01-02"}};
    sp_report_opts o = sp_report_opts_default();
    o.title = "Built";
    o.scenario_name = "built.lua";
    o.provenance = prov;
    o.nprovenance = 2;
    sp_report *r = build_sample(res, &o);
    char path[512];
    path_in(path, sizeof path, "built.html");
    sp_err err;
    assert_int_equal(sp_report_write_html(r, path, &err), SP_OK);
    char *page = slurp(path);
    assert_non_null(strstr(page, "<h1>Built</h1>"));
    assert_non_null(strstr(page, "<figure class=\"chart\" id=\"chart-2\" data-series=\"3\" "
                                 "data-metric=\"car_purchases\" data-unit=\"change in cars\" "
                                 "data-rows=\"package\">"));
    assert_non_null(strstr(page, "<figure class=\"chart\" id=\"chart-4\" data-series=\"5\" "
                                 "data-metric=\"spending\" data-unit=\"change in yuan per person\" "
                                 "data-rows=\"quintile\">"));
    const char *b, *e;
    figure_span(page, 3, &b, &e);
    assert_int_equal(count_in(b, e, "data-label=\"Q"), 5);
    assert_non_null(strstr(b, "data-label=\"Q5\""));
    /* the package that changed nothing: zeros, never -0 or 3e-12 */
    for (int k = 4; k < 6; k++) {
        figure_span(page, k, &b, &e);
        assert_false(has_exponent(b, e));
        assert_int_equal(count_in(b, e, "<td>-"), 0);
        assert_true(count_in(b, e, "<td>0.00</td>") == (int)r->charts[k].table->nrows * NMONTH);
    }
    /* headline: "Same" reads 0 and n/a for the three ratios and, without a
     * budget, for the budget and the share of it used */
    const char *h = strstr(page, "<th scope=\"row\">Same</th>");
    assert_non_null(h);
    const char *row_end = strstr(h, "</tr>");
    assert_int_equal(count_in(h, row_end, "<td class=\"na\">n/a</td>"), 5);
    assert_false(has_exponent(h, row_end));
    /* parameters from the results, provenance and scenario from the options */
    size_t np;
    sp_param_table(&np);
    assert_int_equal(r->nparameters, (int)np);
    assert_non_null(strstr(page, "<th scope=\"row\">date</th><td>2024-01-02</td>"));
    assert_non_null(strstr(page, "<code>built.lua</code>"));
    assert_non_null(strstr(page, "(no scenario script recorded)"));
    free(page);
    sp_report_free(r);
    sp_results_free(res);
}

static void test_built_options(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    char title[16] = "Mine", key[16] = "seed", value[16] = "42";
    sp_kv prov[1] = {{key, value}};
    sp_report_opts o = sp_report_opts_default();
    assert_string_equal(o.title, "spendsim report");
    assert_int_equal(o.max_packages, 6);
    o.title = title;
    o.provenance = prov;
    o.nprovenance = 1;
    o.max_packages = 1; /* charts of "Vouchers" only */
    sp_report *r = build_sample(res, &o);
    strcpy(title, "changed"), strcpy(key, "x"), strcpy(value, "y");
    assert_string_equal(r->title, "Mine"); /* copied */
    assert_string_equal(r->provenance[0].key, "seed");
    assert_string_equal(r->provenance[0].value, "42");
    assert_int_equal(r->ncharts, 4);
    assert_null(r->scenario_text);
    sp_report_free(r);
    o.max_packages = 0;
    r = build_sample(res, &o);
    assert_int_equal(r->ncharts, 2);
    sp_report_free(r);
    /* drawn parameters say so */
    res->nparams = 1;
    res->param_names = calloc(1, sizeof *res->param_names);
    strcpy(res->param_names[0], "mpc_months");
    r = build_sample(res, NULL);
    int found = 0;
    for (int k = 0; k < r->nparameters; k++)
        if (strcmp(r->parameters[k].key, "mpc_months") == 0) {
            assert_string_equal(r->parameters[k].value, "drawn per replicate");
            found = 1;
        }
    assert_true(found);
    sp_report_free(r);
    sp_results_free(res);
}

static void test_build_errors(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    sp_err err;
    sp_report_opts o = sp_report_opts_default();
    assert_null(sp_report_build(NULL, &o, &err));
    assert_int_equal(err.code, SP_EINVAL);
    o.max_packages = -1;
    assert_null(sp_report_build(res, &o, &err));
    assert_non_null(strstr(err.msg, "max_packages"));
    o.max_packages = 65;
    assert_null(sp_report_build(res, &o, &err));
    o = sp_report_opts_default();
    o.nprovenance = 2; /* without an array */
    assert_null(sp_report_build(res, &o, &err));
    assert_int_equal(err.code, SP_EINVAL);
    sp_kv nokey[1] = {{NULL, "v"}};
    o.provenance = nokey;
    o.nprovenance = 1;
    assert_null(sp_report_build(res, &o, &err));
    assert_non_null(strstr(err.msg, "no key"));
    sp_report_free(NULL);
    sp_report hand = {0};
    sp_report_free(&hand); /* filled by hand: nothing to free */
    sp_results_free(res);
}

/* ---- overview, languages, chosen tables ---- */

/* Two packages, three replicates, 4 months from 2020-01: "Vouchers" adds
 * (r + 1) x 1000 yuan of food spending a month to every group in replicate r
 * at a government cost of 3,000 yuan a month (group "all"). */
static sp_results *replicated(int npkg)
{
    const char *names[3] = {"Status quo", "Vouchers", "Cash"};
    sp_results *r = sp_results_alloc(npkg, names, 3, NMONTH, sp_month_make(2020, 1), NULL);
    assert_non_null(r);
    for (int p = 0; p < npkg; p++)
        for (int rep = 0; rep < 3; rep++)
            for (int m = 0; m < NMONTH; m++)
                for (int g = 0; g < SP_NGROUP; g++) {
                    double *v = sp_results_at(r, p, rep, m) + g * SP_NMETRIC, s = g + 1.0;
                    for (int k = 0; k < SP_NCAT; k++)
                        v[k] = level(k, (int)s, m);
                    if (p == 1)
                        v[SP_CAT_FOOD] += 1000.0 * (rep + 1);
                    if (p == 2)
                        v[SP_CAT_FOOD] += 5000.0 * (rep + 1);
                    v[SP_M_SPENDING] = 0;
                    for (int k = 0; k < SP_NCAT; k++)
                        v[SP_M_SPENDING] += v[k];
                    v[SP_M_HOUSEHOLDS] = 400 * s;
                    v[SP_M_PERSONS] = 1000 * s;
                    v[SP_M_GOV_COST] = g > 0 ? 0 : p == 1 ? 3000 : p == 2 ? 1e5 : 0;
                }
    return r;
}

static sp_results *replicated_results(void) { return replicated(2); }

static void assert_has_number(const char *text, double v)
{
    char b[SP_NUM_MAX];
    sp_write_number(v, b);
    if (!strstr(text, b))
        fail_msg("\"%s\" does not state %s", text, b);
}

/* The overview states the headline table's figures of the package with the
 * largest change: change, cost and multiplier with their 90% intervals,
 * written as the table writes them; in both languages. */
static void test_overview_numbers_equal_summary(void **state)
{
    (void)state;
    sp_results *res = replicated_results();
    for (int lang = 0; lang < SP_NLANG; lang++) {
        sp_report_opts o = sp_report_opts_default();
        o.lang = (sp_lang)lang;
        sp_report *r = build_sample(res, &o);
        sp_table *h = sp_results_summary(res, NULL);
        assert_non_null(r->overview);
        int cols[3] = {SP_SUM_SPENDING_CHANGE, SP_SUM_GOV_COST, SP_SUM_MULTIPLIER};
        for (int c = 0; c < 3; c++) {
            size_t k = 1 * h->ncols + (size_t)cols[c];
            assert_has_number(r->overview, h->values[k]);
            assert_has_number(r->overview, h->lo90[k]);
            assert_has_number(r->overview, h->hi90[k]);
        }
        assert_true(sp_table_get(h, 1, SP_SUM_SPENDING_CHANGE) == 2000.0 * NMONTH); /* mean of 1..3 thousand */
        assert_non_null(strstr(r->overview, "Vouchers"));
        assert_non_null(strstr(r->overview, lang == SP_LANG_ZH ? "因果乘数" : "causal multiplier"));
        assert_non_null(strstr(r->intervals, lang == SP_LANG_ZH ? "蒙特卡洛" : "Monte Carlo noise only"));
        sp_table_free(h);
        sp_report_free(r);
    }
    /* "Cash" changes spending most at a low multiplier: the paragraph names it, then the
     * higher multiplier of "Vouchers"; a cost equal in every replicate has no interval */
    sp_results *res3 = replicated(3);
    sp_table *h3 = sp_results_summary(res3, NULL);
    char *t3 = sp_report_overview(res3, h3, SP_LANG_EN, NULL);
    assert_non_null(strstr(t3, "Cash changes household spending the most: by 40,000 yuan"));
    assert_non_null(strstr(t3, "at a government cost of 400,000 yuan;"));
    assert_non_null(strstr(t3, " The highest causal multiplier is that of Vouchers: 0.67 (90% interval"));
    assert_has_number(t3, h3->lo90[1 * h3->ncols + SP_SUM_MULTIPLIER]);
    free(t3);
    t3 = sp_report_overview(res3, h3, SP_LANG_ZH, NULL);
    assert_non_null(strstr(t3, "因果乘数最高的是“Vouchers”：0.67（90% 区间"));
    free(t3);
    sp_table_free(h3);
    sp_results_free(res3);
    /* only a baseline: nothing to compare, said so */
    sp_results *one = sp_results_alloc(1, (const char *[]){"Alone"}, 1, 2, sp_month_make(2020, 1), NULL);
    sp_table *oh = sp_results_summary(one, NULL);
    char *text = sp_report_overview(one, oh, SP_LANG_EN, NULL);
    assert_non_null(strstr(text, "Only the baseline, Alone"));
    free(text);
    text = sp_report_overview(one, oh, SP_LANG_ZH, NULL);
    assert_non_null(strstr(text, "仅模拟了基准方案“Alone”"));
    free(text);
    sp_table_free(oh);
    sp_results_free(one);
    sp_results_free(res);
}

/* What the intervals cover: nothing with one replicate, Monte Carlo noise
 * only, or the parameters drawn per replicate too, named. */
static void test_intervals_text(void **state)
{
    (void)state;
    sp_results *res = replicated_results();
    char *t = sp_report_intervals(res, SP_LANG_EN, NULL);
    assert_non_null(strstr(t, "90% ranges over 3 replicates"));
    assert_non_null(strstr(t, "Monte Carlo noise only"));
    free(t);
    res->nparams = 2;
    res->param_names = calloc(2, sizeof *res->param_names);
    strcpy(res->param_names[0], "mpc_poor_htm");
    strcpy(res->param_names[1], "subsidy_horizon");
    t = sp_report_intervals(res, SP_LANG_EN, NULL);
    assert_non_null(strstr(t, "and the uncertainty of the 2 parameters drawn once per replicate: "
                              "mpc_poor_htm, subsidy_horizon."));
    free(t);
    t = sp_report_intervals(res, SP_LANG_ZH, NULL);
    assert_non_null(strstr(t, "2 个参数的不确定性：mpc_poor_htm、subsidy_horizon。"));
    free(t);
    sp_table *h = sp_results_summary(res, NULL);
    assert_int_equal(sp_report_note_intervals(res, h, NULL), SP_OK);
    assert_non_null(strstr(h->title, ", against Status quo (intervals: Monte Carlo noise and the "
                                     "parameters drawn per replicate: mpc_poor_htm, subsidy_horizon)"));
    sp_table_free(h);
    sp_results_free(res);
    res = sample_results(); /* one replicate */
    t = sp_report_intervals(res, SP_LANG_EN, NULL);
    assert_non_null(strstr(t, "One replicate"));
    free(t);
    sp_results_free(res);
}

/* In Chinese, the charts and tables show Chinese labels: no English
 * category, group or headline column name between the overview and the
 * parameters; the page's headings and its lang attribute are Chinese. */
static void test_zh_labels(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    sp_report_opts o = sp_report_opts_default();
    o.lang = SP_LANG_ZH;
    const char *const qs[] = {"Q1", "Q3", "food"};
    sp_table *extra = make_table(3, 2, 1, "my table", "yuan per person", qs, wave);
    const sp_table *list[1] = {extra};
    o.tables = list;
    o.ntables = 1;
    sp_report *r = build_sample(res, &o);
    char path[512];
    path_in(path, sizeof path, "zh.html");
    sp_err err;
    assert_int_equal(sp_report_write_html(r, path, &err), SP_OK);
    char *page = slurp(path);
    assert_non_null(strstr(page, "<html lang=\"zh-CN\">"));
    assert_non_null(strstr(page, "<h1>spendsim 报告</h1>"));
    const char *want[] = {"食品烟酒", "生活用品及服务", "合计", "低收入组", "高收入组", "因果乘数",
                          "政府成本（元）", "各方案汇总", "图表", "人均变化（元/人）", "变化（辆）",
                          "居民消费的月度变化（按方案）", "Vouchers：人均消费的月度变化（按消费类别）",
                          "主要结果：2020-01 至 2020-04，相对于“Status quo”", "元/人", "模型参数"};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        if (!strstr(page, want[k]))
            fail_msg("the Chinese report lacks \"%s\"", want[k]);
    const char *b = strstr(page, "<section id=\"sec-overview\">"),
               *e = strstr(page, "<section id=\"sec-parameters\">");
    assert_non_null(b);
    assert_non_null(e);
    for (int c = 0; c <= SP_NCAT; c++) {
        char a[64], q[64];
        const char *name = c < SP_NCAT ? sp_category_name(c) : "total";
        snprintf(a, sizeof a, ">%s<", name);
        snprintf(q, sizeof q, "\"%s\"", name);
        assert_int_equal(count_in(b, e, a), 0);
        assert_int_equal(count_in(b, e, q), 0);
    }
    const char *english[] = {">Q1<", "\"Q1\"", ">Q5<", "causal multiplier", "government cost",
                             "change in yuan", "Summary by package", "Mean of", ">Data<",
                             ">category<", ">quintile<", ">package<"};
    for (size_t k = 0; k < sizeof english / sizeof english[0]; k++)
        if (count_in(b, e, english[k]))
            fail_msg("the Chinese report shows \"%s\" in its charts or tables", english[k]);
    /* the given table was copied: changing it does not change the report */
    assert_int_equal(r->ntables, 1);
    assert_string_equal(r->tables[0]->row_labels[0], "低收入组");
    assert_string_equal(r->tables[0]->row_labels[2], "食品烟酒");
    assert_string_equal(r->tables[0]->unit, "元/人");
    assert_string_equal(extra->row_labels[0], "Q1");
    free(page);
    sp_report_free(r);
    sp_table_free(extra);
    sp_results_free(res);
}

/* Chosen tables appear after the charts with their titles; summary = 0
 * leaves out the headline table and the overview paragraph (the note on
 * intervals stays); the results' warnings are listed. */
static void test_chosen_tables_and_summary(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    assert_int_equal(sp_results_add_warning(res, "budget <exceeds> claims", NULL), SP_OK);
    const char *const two[] = {"a", "b"};
    sp_table *t1 = make_table(2, 3, 3, "First chosen", "yuan", two, wave);
    sp_table *t2 = make_table(2, 3, 1, "Second chosen", "cars", two, flat);
    const sp_table *list[2] = {t1, t2};
    sp_report_opts o = sp_report_opts_default();
    o.tables = list;
    o.ntables = 2;
    o.summary = 0;
    sp_report *r = build_sample(res, &o);
    assert_null(r->headline);
    assert_null(r->overview);
    assert_non_null(r->intervals);
    assert_int_equal(r->nwarnings, 1);
    char path[512];
    path_in(path, sizeof path, "chosen.html");
    sp_err err;
    assert_int_equal(sp_report_write_html(r, path, &err), SP_OK);
    char *page = slurp(path);
    assert_null(strstr(page, "id=\"headline\""));
    assert_null(strstr(page, "id=\"summary-text\""));
    assert_non_null(strstr(page, "id=\"intervals-note\""));
    assert_non_null(strstr(page, "<li>budget &lt;exceeds&gt; claims</li>"));
    const char *a = strstr(page, "<table class=\"data-table\" id=\"table-1\">\n<caption>First chosen");
    const char *b = strstr(page, "<table class=\"data-table\" id=\"table-2\">\n<caption>Second chosen");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b && a > strstr(page, "id=\"sec-charts\""));
    free(page);
    sp_report_free(r);
    sp_table_free(t1);
    sp_table_free(t2);
    sp_results_free(res);
}

static void test_report_option_errors(void **state)
{
    (void)state;
    sp_results *res = sample_results();
    sp_err err;
    sp_report_opts o = sp_report_opts_default();
    o.lang = (sp_lang)7;
    assert_null(sp_report_build(res, &o, &err));
    assert_non_null(strstr(err.msg, "language"));
    o = sp_report_opts_default();
    o.ntables = 1; /* without an array */
    assert_null(sp_report_build(res, &o, &err));
    assert_non_null(strstr(err.msg, "tables"));
    const sp_table *none[1] = {NULL};
    o.tables = none;
    assert_null(sp_report_build(res, &o, &err));
    assert_non_null(strstr(err.msg, "table 1 is missing"));
    o.ntables = 65;
    assert_null(sp_report_build(res, &o, &err));
    sp_report bad = {0};
    bad.lang = (sp_lang)9;
    char path[512];
    path_in(path, sizeof path, "bad.html");
    assert_int_equal(sp_report_write_html(&bad, path, &err), SP_EINVAL);
    bad.lang = SP_LANG_EN;
    bad.nwarnings = 1;
    assert_int_equal(sp_report_write_html(&bad, path, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "warnings"));
    sp_results_free(res);
}

/* The label table: every category, group and dimension has a Chinese name;
 * units compose; unknown text and English come back as given. */
static void test_labels(void **state)
{
    (void)state;
    for (int c = 0; c < SP_NCAT; c++)
        assert_true(sp_label_has(SP_LANG_ZH, sp_category_name(c)));
    for (int g = 0; g < SP_NGROUP; g++)
        assert_true(sp_label_has(SP_LANG_ZH, sp_group_label(g)));
    for (int d = 0; d < SP_NDIM; d++)
        assert_true(sp_label_has(SP_LANG_ZH, sp_dim_name((sp_dim)d)));
    sp_results *res = sample_results();
    sp_table *h = sp_results_summary(res, NULL);
    for (size_t j = 0; j < h->ncols; j++)
        assert_true(sp_label_has(SP_LANG_ZH, h->col_labels[j]));
    assert_true(sp_label_has(SP_LANG_ZH, h->unit));
    sp_table_free(h);
    sp_results_free(res);
    assert_string_equal(sp_label(SP_LANG_EN, "food"), "food");
    assert_string_equal(sp_label(SP_LANG_ZH, "no such text"), "no such text");
    assert_null(sp_label(SP_LANG_ZH, NULL));
    char b[64];
    sp_label_unit(SP_LANG_ZH, "change in yuan per household", b, sizeof b);
    assert_string_equal(b, "户均变化（元/户）");
    sp_label_unit(SP_LANG_ZH, "coupons", b, sizeof b);
    assert_string_equal(b, "张");
    sp_label_unit(SP_LANG_ZH, "persons, plates, probability, years", b, sizeof b);
    assert_string_equal(b, "persons, plates, probability, years");
    sp_label_unit(SP_LANG_EN, "change in cars", b, sizeof b);
    assert_string_equal(b, "change in cars");
    assert_int_equal(sp_lang_find("zh"), SP_LANG_ZH);
    assert_int_equal(sp_lang_find("zh-CN"), SP_LANG_ZH);
    assert_int_equal(sp_lang_find("en"), SP_LANG_EN);
    assert_int_equal(sp_lang_find("fr"), -1);
    assert_int_equal(sp_lang_find(NULL), -1);
    assert_string_equal(sp_lang_code(SP_LANG_ZH), "zh-CN");
}

/* ---- manifest ---- */

static void test_manifest_exact(void **state)
{
    (void)state;
    sp_kv prov[3] = {{"spendsim", "0.1.0"}, {"scenario", "dir\\a \"b\".lua"}, {"note", "tab\there\n"}};
    const char *files[2] = {"summary.csv", "report.html"};
    char path[512];
    path_in(path, sizeof path, "manifest.json");
    sp_err err;
    assert_int_equal(sp_manifest_write(path, prov, 3, files, 2, &err), SP_OK);
    char *text = slurp(path);
    assert_string_equal(text, "{\n"
                              "  \"provenance\": {\n"
                              "    \"spendsim\": \"0.1.0\",\n"
                              "    \"scenario\": \"dir\\\\a \\\"b\\\".lua\",\n"
                              "    \"note\": \"tab\\there\\n\"\n"
                              "  },\n"
                              "  \"files\": [\n"
                              "    \"summary.csv\",\n"
                              "    \"report.html\"\n"
                              "  ]\n"
                              "}\n");
    free(text);
    assert_int_equal(entries(dir), 1);
}

static void test_manifest_empty(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "manifest.json");
    sp_err err;
    assert_int_equal(sp_manifest_write(path, NULL, 0, NULL, 0, &err), SP_OK);
    char *text = slurp(path);
    assert_string_equal(text, "{\n  \"provenance\": {},\n  \"files\": []\n}\n");
    free(text);
}

static void test_manifest_errors(void **state)
{
    (void)state;
    char path[512];
    sp_err err;
    sp_kv dup[2] = {{"seed", "1"}, {"seed", "2"}};
    path_in(path, sizeof path, "manifest.json");
    assert_int_equal(sp_manifest_write(path, dup, 2, NULL, 0, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "seed"));
    assert_int_equal(sp_manifest_write(path, NULL, 1, NULL, 0, &err), SP_EINVAL);
    assert_int_equal(sp_manifest_write(NULL, NULL, 0, NULL, 0, &err), SP_EINVAL);
    path_in(path, sizeof path, "missing/manifest.json");
    assert_int_equal(sp_manifest_write(path, dup, 1, NULL, 0, &err), SP_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(entries(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_self_contained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sections_have_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_and_bands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_provenance_and_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_headline_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_degenerate_charts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_axes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_argument_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_and_controls, setup, teardown),
        cmocka_unit_test(test_built_charts),
        cmocka_unit_test(test_built_noise_and_ratios),
        cmocka_unit_test_setup_teardown(test_built_page, setup, teardown),
        cmocka_unit_test(test_built_options),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_overview_numbers_equal_summary),
        cmocka_unit_test(test_intervals_text),
        cmocka_unit_test_setup_teardown(test_zh_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chosen_tables_and_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_option_errors, setup, teardown),
        cmocka_unit_test(test_labels),
        cmocka_unit_test_setup_teardown(test_manifest_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
