/* test_report.c: the HTML report and the manifest (core/writers/html.c,
 * core/writers/manifest.c).
 *
 * Reports are built from small hand-made tables (3 replicates with intervals,
 * and 1 replicate), written into a temporary directory and read back. Checked:
 * the page is self-contained (no script, no http(s) reference), every part
 * tests and browsers look for has its id or class, one line per series and
 * bands only with several replicates, text is escaped, NaN reads "n/a",
 * degenerate charts (flat, all NaN, empty, one column) keep finite
 * coordinates, nice y ticks, thinned x labels, identical output for identical
 * input, argument errors, and atomic output (a missing directory gives SP_EIO
 * naming the path and leaves nothing). Manifest: exact text with escaping,
 * empty collections, duplicate keys and a missing directory. */
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
        cmocka_unit_test_setup_teardown(test_manifest_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
