/* html.c: the self-contained HTML report (sp_report_write_html, report.h).
 *
 * One HTML5 file in UTF-8 that works offline: an inline <style> with a system
 * font stack, inline <svg> charts, no <script>, no fonts, images or links to
 * anything outside the file (the only links are "#..." anchors within it).
 * The page holds, in order:
 *
 *   header       <h1> with the report title and a contents line;
 *   headline     <table id="headline" class="data-table">: one row per package;
 *   charts       one <figure class="chart"> per chart: a title, an HTML
 *                legend, an SVG line chart (one <path class="line"> per series;
 *                with several replicates one or more <polygon class="band"> per
 *                series for its 90% interval) and a <details> holding the
 *                chart's numbers as a data-table. The figure says what it
 *                plots: data-series (how many series), data-metric (the results
 *                metric, when the chart names it), data-unit (the y axis unit,
 *                as in the note and the axis label) and data-rows (what the
 *                series are: "package", "category", "quintile"); each line
 *                carries data-label, the name of its series (as in the legend
 *                and the data table's row headers);
 *   tables       further tables, class="data-table";
 *   parameters   <table id="parameters" class="data-table kv">;
 *   scenario     the file name and <pre id="scenario"><code>script</code></pre>;
 *   provenance   <table id="provenance" class="data-table kv">.
 *
 * Table cells read as in Markdown (sp_write_number: thousands separators, two
 * decimals below 1,000, "n/a" for NaN); with several replicates each cell
 * adds its 90% interval "[lo, hi]" in smaller text. All text is escaped
 * (& < > " ' as entities, control characters as spaces, invalid UTF-8 as
 * U+FFFD). Charts: x = the table's columns, evenly spaced, with labels thinned
 * to fit; y = 4 to 6 "nice" ticks (1, 2, 2.5 or 5 times a power of ten) over
 * the finite means and interval bounds, a zero line when zero is in range,
 * and the unit as axis label. NaN and infinite values leave gaps. Flat,
 * all-NaN and empty tables get a finite axis (never a division by zero).
 * The output depends on the report only: no clock, no locale beyond "C". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "report.h"
#include "writers.h"
#include "writers_internal.h"

/* ---- text ---- */

/* Writes s (NULL reads as "") escaped for HTML text and attribute values.
 * With pre set, line breaks and tabs are kept (CR LF and lone CR become LF);
 * otherwise every control character becomes a space. */
static void html_text_mode(FILE *out, const char *s, int pre)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", out); break;
            case '<': fputs("&lt;", out); break;
            case '>': fputs("&gt;", out); break;
            case '"': fputs("&quot;", out); break;
            case '\'': fputs("&#39;", out); break;
            case '\r':
                if (pre) {
                    if (p[1] != '\n')
                        fputc('\n', out);
                } else {
                    fputc(' ', out);
                }
                break;
            default:
                if ((c < 0x20 && !(pre && (c == '\n' || c == '\t'))) || c == 0x7f)
                    fputc(' ', out);
                else
                    fputc((int)c, out);
            }
            p++;
        } else {
            int n = sp_utf8_len(p);
            if (n) {
                fwrite(p, 1, (size_t)n, out);
                p += n;
            } else {
                fputs("\xEF\xBF\xBD", out); /* U+FFFD */
                p++;
            }
        }
    }
}

static void html_text(FILE *out, const char *s)
{
    html_text_mode(out, s, 0);
}

static int is_blank(const char *s)
{
    return !s || !s[0];
}

/* ` name="value"`, escaped; nothing when value is NULL or empty. */
static void html_attr(FILE *out, const char *name, const char *value)
{
    if (is_blank(value))
        return;
    fprintf(out, " %s=\"", name);
    html_text(out, value);
    fputc('"', out);
}

/* Display width of a label in code points (for the x-axis layout). */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if ((*p & 0xC0u) != 0x80u)
            w++;
    return w;
}

static void html_number(FILE *out, double v)
{
    char b[SP_NUM_MAX];
    sp_write_number(v, b); /* digits, ",", ".", "-", "n/a", "inf", "e+": nothing to escape */
    fputs(b, out);
}

/* ---- tables ---- */

/* 1 when the table carries a 90% interval worth showing. */
static int has_band(const sp_table *t)
{
    return t->replicates > 1 && t->lo90 && t->hi90;
}

/* One value cell: the mean and, with several replicates, "[lo, hi]". */
static void html_cell(FILE *out, const sp_table *t, size_t i, size_t j)
{
    size_t k = i * t->ncols + j;
    double v = t->values[k];
    fputs(isnan(v) ? "<td class=\"na\">" : "<td>", out);
    html_number(out, v);
    if (has_band(t) && !(isnan(t->lo90[k]) && isnan(t->hi90[k]))) {
        fputs("<span class=\"ci\">[", out);
        html_number(out, t->lo90[k]);
        fputs(", ", out);
        html_number(out, t->hi90[k]);
        fputs("]</span>", out);
    }
    fputs("</td>", out);
}

/* The table as <table class="data-table"> with a caption (title, unit, and a
 * note on replicates), column headers and one row per table row. id may be
 * NULL. */
static void html_table(FILE *out, const sp_table *t, const char *id, sp_lang lang)
{
    fputs("<div class=\"table-wrap\"><table class=\"data-table\"", out);
    if (id)
        fprintf(out, " id=\"%s\"", id);
    fputs(">\n<caption>", out);
    html_text(out, t->title);
    if (!is_blank(t->unit)) {
        fputs(" <span class=\"unit\">(", out);
        html_text(out, t->unit);
        fputs(")</span>", out);
    }
    if (has_band(t)) {
        fputs("<span class=\"note\">", out);
        html_text(out, sp_label(lang, "Mean of "));
        fprintf(out, "%d", t->replicates);
        html_text(out, sp_label(lang, " replicates; 90% interval in brackets."));
        fputs("</span>", out);
    }
    fputs("</caption>\n<thead><tr><th scope=\"col\">", out);
    html_text(out, t->row_header);
    fputs("</th>", out);
    for (size_t j = 0; j < t->ncols; j++) {
        fputs("<th scope=\"col\">", out);
        html_text(out, t->col_labels ? t->col_labels[j] : NULL);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    if (t->nrows == 0)
    {
        fprintf(out, "<tr><td class=\"empty\" colspan=\"%zu\">", t->ncols + 1);
        html_text(out, sp_label(lang, "No rows."));
        fputs("</td></tr>\n", out);
    }
    for (size_t i = 0; i < t->nrows; i++) {
        fputs("<tr><th scope=\"row\">", out);
        html_text(out, t->row_labels ? t->row_labels[i] : NULL);
        fputs("</th>", out);
        for (size_t j = 0; j < t->ncols; j++)
            html_cell(out, t, i, j);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></div>\n", out);
}

/* Key/value pairs as a two-column data-table with the given id. */
static void html_kv(FILE *out, const char *id, const char *caption, const char *keyhead,
                    const sp_kv *kv, int n, sp_lang lang)
{
    fprintf(out, "<div class=\"table-wrap\"><table class=\"data-table kv\" id=\"%s\">\n<caption>", id);
    html_text(out, caption);
    fputs("</caption>\n<thead><tr><th scope=\"col\">", out);
    html_text(out, keyhead);
    fputs("</th><th scope=\"col\">", out);
    html_text(out, sp_label(lang, "Value"));
    fputs("</th></tr></thead>\n<tbody>\n", out);
    if (n == 0) {
        fputs("<tr><td class=\"empty\" colspan=\"2\">", out);
        html_text(out, sp_label(lang, "None recorded."));
        fputs("</td></tr>\n", out);
    }
    for (int i = 0; i < n; i++) {
        fputs("<tr><th scope=\"row\">", out);
        html_text(out, kv[i].key);
        fputs("</th><td>", out);
        html_text(out, kv[i].value);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table></div>\n", out);
}

/* ---- charts ---- */

/* Okabe-Ito colours, yellow left out (too pale for lines on white). Series
 * k uses colour k % 7, drawn dashed from the eighth series on. */
#define NCOLORS 7
static const char *const palette[NCOLORS] = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                             "#CC79A7", "#56B4E9", "#000000"};

/* Geometry of the SVG viewBox, in its units (1 unit = 1 CSS px at 960 wide). */
enum { CH_W = 960, CH_H = 400, CH_L = 76, CH_R = 36, CH_T = 34, CH_B = 42 };

/* A y axis: ticks lo, lo + step, ..., hi (nticks of them); labels divided by
 * scale, with `decimals` decimals and a suffix ("", "M", "bn"). */
typedef struct axis {
    double lo, hi, step;
    int nticks;
    double scale;
    const char *suffix;
    int decimals;
} axis;

/* A nice axis covering [min, max] (finite, min <= max, or NaN for no data). */
static axis nice_axis(double min, double max)
{
    axis a;
    if (!(min <= max)) { /* no finite value */
        min = 0;
        max = 1;
    }
    min = fmax(min, -1e300);
    max = fmin(max, 1e300);
    double mag = fmax(fabs(min), fabs(max));
    if (max - min <= mag * 1e-9) { /* flat: a band around the value */
        double pad = mag > 0 ? mag * 0.1 : 1;
        min -= pad;
        max += pad;
    }
    double range = max - min;
    static const double mult[4] = {1, 2, 2.5, 5};
    int e0 = (int)floor(log10(range / 5));
    int best_score = 1 << 30;
    double best_span = HUGE_VAL;
    a.lo = min, a.hi = max, a.step = range, a.nticks = 2;
    for (int e = e0 - 1; e <= e0 + 1; e++)
        for (int m = 0; m < 4; m++) {
            double s = mult[m] * pow(10, e);
            double lo = floor(min / s) * s, hi = ceil(max / s) * s;
            if (!(s > 0) || !isfinite(lo) || !isfinite(hi))
                continue;
            int n = (int)lround((hi - lo) / s) + 1;
            int score = abs(n - 5) + (n < 4 || n > 6 ? 100 : 0);
            if (score < best_score || (score == best_score && hi - lo < best_span)) {
                best_score = score;
                best_span = hi - lo;
                a.lo = lo, a.hi = hi, a.step = s, a.nticks = n;
            }
        }
    double top = fmax(fabs(a.lo), fabs(a.hi));
    a.scale = top >= 1e9 ? 1e9 : top >= 1e6 ? 1e6 : 1;
    a.suffix = top >= 1e9 ? "bn" : top >= 1e6 ? "M" : "";
    double s = a.step / a.scale;
    a.decimals = 0;
    while (a.decimals < 8) {
        double x = s * pow(10, a.decimals);
        if (fabs(x - nearbyint(x)) <= 1e-6 * fmax(1, fabs(x)))
            break;
        a.decimals++;
    }
    return a;
}

/* Tick label of v on axis a: "-2,500", "0.25", "1.5M", "2bn". */
static void tick_label(const axis *a, double v, char buf[SP_NUM_MAX])
{
    char raw[SP_NUM_MAX];
    double x = v / a->scale;
    if (fabs(x) < 1e-9 * (a->step / a->scale)) {
        strcpy(buf, "0"); /* never "-0" or "0M" */
        return;
    }
    if (fabs(x) >= 1e30) {
        snprintf(buf, SP_NUM_MAX, "%.3g%s", x, a->suffix);
        return;
    }
    snprintf(raw, sizeof raw, "%.*f", a->decimals, x);
    const char *d = raw;
    char *o = buf;
    if (*d == '-') {
        d++;
        if (strspn(d, "0.") != strlen(d)) /* no "-0" */
            *o++ = '-';
    }
    size_t intlen = strcspn(d, ".");
    for (size_t k = 0; k < intlen; k++) {
        if (k > 0 && (intlen - k) % 3 == 0)
            *o++ = ',';
        *o++ = d[k];
    }
    snprintf(o, SP_NUM_MAX - (size_t)(o - buf), "%s%s", d + intlen, a->suffix);
}

/* Layout of one chart: the axis and the plot rectangle. */
typedef struct plot {
    axis y;
    double x0, x1, y0, y1; /* plot area: x0 left, x1 right, y0 top, y1 bottom */
    size_t ncols;
} plot;

static double px(const plot *p, size_t j)
{
    if (p->ncols <= 1)
        return (p->x0 + p->x1) / 2;
    return p->x0 + (p->x1 - p->x0) * (double)j / (double)(p->ncols - 1);
}

static double py(const plot *p, double v)
{
    double f = (v - p->y.lo) / (p->y.hi - p->y.lo); /* hi > lo by construction */
    return p->y1 - f * (p->y1 - p->y0);
}

/* Range of the finite means and 90% bounds. min > max (NaN) when none. */
static void data_range(const sp_table *t, double *min, double *max)
{
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    size_t n = t->nrows * t->ncols;
    const double *arr[3] = {t->values, has_band(t) ? t->lo90 : NULL, has_band(t) ? t->hi90 : NULL};
    for (int a = 0; a < 3; a++)
        for (size_t k = 0; arr[a] && k < n; k++)
            if (isfinite(arr[a][k])) {
                lo = fmin(lo, arr[a][k]);
                hi = fmax(hi, arr[a][k]);
            }
    *min = lo <= hi ? lo : NAN;
    *max = lo <= hi ? hi : NAN;
}

static void series_style(FILE *out, size_t k)
{
    fprintf(out, "stroke=\"%s\"", palette[k % NCOLORS]);
    if (k >= NCOLORS)
        fputs(" stroke-dasharray=\"7 4\"", out);
}

/* The 90% band of row i: one polygon per run of columns with finite bounds. */
static void chart_band(FILE *out, const plot *p, const sp_table *t, size_t i)
{
    const double *lo = t->lo90 + i * t->ncols, *hi = t->hi90 + i * t->ncols;
    size_t j = 0;
    while (j < t->ncols) {
        if (!isfinite(lo[j]) || !isfinite(hi[j])) {
            j++;
            continue;
        }
        size_t a = j;
        while (j < t->ncols && isfinite(lo[j]) && isfinite(hi[j]))
            j++;
        if (j - a < 2)
            continue; /* a single column has no area */
        fprintf(out, "<polygon class=\"band\" fill=\"%s\" fill-opacity=\"0.2\" points=\"",
                palette[i % NCOLORS]);
        for (size_t k = a; k < j; k++)
            fprintf(out, "%s%.1f,%.1f", k > a ? " " : "", px(p, k), py(p, lo[k]));
        for (size_t k = j; k-- > a;)
            fprintf(out, " %.1f,%.1f", px(p, k), py(p, hi[k]));
        fputs("\"/>\n", out);
    }
}

/* The line of row i: one subpath per run of finite values; an isolated
 * value is a zero-length subpath, drawn as a dot by the round cap. */
static void chart_line(FILE *out, const plot *p, const sp_table *t, size_t i)
{
    const double *v = t->values + i * t->ncols;
    fputs("<path class=\"line\" fill=\"none\" stroke-width=\"2.25\" stroke-linejoin=\"round\" "
          "stroke-linecap=\"round\" ",
          out);
    series_style(out, i);
    fputs(" data-label=\"", out);
    html_text(out, t->row_labels ? t->row_labels[i] : NULL);
    fputs("\" d=\"", out);
    int first = 1;
    for (size_t j = 0; j < t->ncols; j++) {
        if (!isfinite(v[j]))
            continue;
        int start = j == 0 || !isfinite(v[j - 1]);
        int alone = start && (j + 1 == t->ncols || !isfinite(v[j + 1]));
        fprintf(out, "%s%c%.1f %.1f%s", first ? "" : " ", start ? 'M' : 'L', px(p, j), py(p, v[j]),
                alone ? " h0" : "");
        first = 0;
    }
    fputs("\"/>\n", out);
}

/* Every how many columns an x label fits, rounded up to a calendar-friendly
 * step (1, 2, 3, 4, 6, 12, then multiples of 12). */
static size_t label_step(const sp_table *t, double width)
{
    size_t w = 1;
    for (size_t j = 0; j < t->ncols; j++) {
        size_t lw = text_width(t->col_labels ? t->col_labels[j] : NULL);
        if (lw > w)
            w = lw;
    }
    double slot = (double)w * 7.2 + 14; /* 12px labels: ~7.2 units a character, and a gap */
    size_t fit = (size_t)(width / slot) + 1;
    if (fit < 2)
        fit = 2;
    size_t need = (t->ncols + fit - 1) / fit;
    static const size_t steps[] = {1, 2, 3, 4, 6, 12};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
        if (steps[k] >= need)
            return steps[k];
    return (need + 11) / 12 * 12;
}

/* The SVG of one chart; idx numbers the chart for element ids. */
static void chart_svg(FILE *out, const sp_table *t, const char *title, int idx, sp_lang lang)
{
    plot p;
    double min, max;
    data_range(t, &min, &max);
    p.y = nice_axis(min, max);
    p.x0 = CH_L, p.x1 = CH_W - CH_R, p.y0 = CH_T, p.y1 = CH_H - CH_B;
    p.ncols = t->ncols;

    fprintf(out,
            "<svg viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\" aria-labelledby=\"chart-%d-title\">\n<title id=\"chart-%d-title\">",
            CH_W, CH_H, CH_W, CH_H, idx, idx);
    html_text(out, title);
    fputs("</title>\n", out);

    /* Horizontal grid and y tick labels. */
    fputs("<g class=\"y-axis\">\n", out);
    for (int k = 0; k < p.y.nticks; k++) {
        double v = p.y.lo + k * p.y.step;
        double y = py(&p, v);
        char lab[SP_NUM_MAX];
        tick_label(&p.y, v, lab);
        fprintf(out,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e6ea\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" dy=\"0.32em\">%s</text>\n",
                p.x0, p.x1, y, y, p.x0 - 10, y, lab);
    }
    fputs("</g>\n", out);
    if (p.y.lo < 0 && p.y.hi > 0) {
        double y = py(&p, 0);
        fprintf(out,
                "<line class=\"zero\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#59636e\" stroke-width=\"1.25\"/>\n",
                p.x0, p.x1, y, y);
    }

    /* x axis: baseline, ticks and thinned labels. */
    fprintf(out,
            "<g class=\"x-axis\">\n<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#8c959f\"/>\n",
            p.x0, p.x1, p.y1, p.y1);
    size_t step = label_step(t, p.x1 - p.x0);
    for (size_t j = 0; j < t->ncols; j++) {
        double x = px(&p, j);
        int labelled = j % step == 0;
        fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8c959f\"/>", x,
                x, p.y1, p.y1 + (labelled ? 6 : 3));
        if (labelled) {
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, p.y1 + 22);
            html_text(out, t->col_labels ? t->col_labels[j] : NULL);
            fputs("</text>", out);
        }
        fputc('\n', out);
    }
    fputs("</g>\n", out);

    /* The unit, above the y axis. */
    fprintf(out, "<text class=\"axis-label\" x=\"%d\" y=\"%d\">", 8, CH_T - 16);
    html_text(out, is_blank(t->unit) ? sp_label(lang, "value") : t->unit);
    fputs("</text>\n", out);

    if (t->nrows == 0 || t->ncols == 0 || isnan(min)) {
        fprintf(out, "<text class=\"no-data\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                (p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2);
        html_text(out, sp_label(lang, "No data"));
        fputs("</text>\n", out);
    }

    if (has_band(t)) {
        fputs("<g class=\"bands\">\n", out);
        for (size_t i = 0; i < t->nrows; i++)
            chart_band(out, &p, t, i);
        fputs("</g>\n", out);
    }
    fputs("<g class=\"lines\">\n", out);
    for (size_t i = 0; i < t->nrows; i++)
        chart_line(out, &p, t, i);
    fputs("</g>\n</svg>\n", out);
}

/* One <figure class="chart">: title, note, legend, SVG and data table. */
static void html_chart(FILE *out, const sp_chart *c, int idx, sp_lang lang)
{
    const sp_table *t = c->table;
    const char *title = !is_blank(c->title) ? c->title : t->title;
    fprintf(out, "<figure class=\"chart\" id=\"chart-%d\" data-series=\"%zu\"", idx, t->nrows);
    html_attr(out, "data-metric", c->metric);
    html_attr(out, "data-unit", t->unit);
    html_attr(out, "data-rows", t->row_header);
    fputs(">\n<figcaption><span class=\"chart-title\">", out);
    html_text(out, title);
    fputs("</span><span class=\"chart-note\">", out);
    html_text(out, is_blank(t->unit) ? "" : t->unit);
    if (has_band(t)) {
        fputs(is_blank(t->unit) ? "" : " \xC2\xB7 ", out);
        html_text(out, sp_label(lang, "Lines: mean of "));
        fprintf(out, "%d", t->replicates);
        html_text(out, sp_label(lang, " replicates; shaded: 90% interval."));
    }
    fputs("</span></figcaption>\n<ul class=\"legend\">", out);
    if (!is_blank(t->row_header)) {
        fputs("<li class=\"legend-title\">", out);
        html_text(out, t->row_header);
        fputs("</li>", out);
    }
    for (size_t i = 0; i < t->nrows; i++) {
        fprintf(out, "<li><span class=\"swatch\" style=\"border-top-color:%s;border-top-style:%s\"></span>",
                palette[i % NCOLORS], i >= NCOLORS ? "dashed" : "solid");
        html_text(out, t->row_labels ? t->row_labels[i] : NULL);
        fputs("</li>", out);
    }
    fputs("</ul>\n", out);
    chart_svg(out, t, title, idx, lang);
    fputs("<details class=\"chart-data\"><summary>", out);
    html_text(out, sp_label(lang, "Data"));
    fputs("</summary>\n", out);
    html_table(out, t, NULL, lang);
    fputs("</details>\n</figure>\n", out);
}

/* ---- page ---- */

static const char css[] =
    ":root{color-scheme:light}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f6f7f9;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"Noto Sans\",\"Liberation Sans\","
    "\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;"
    "font-variant-numeric:tabular-nums}\n"
    "main,header.page{max-width:1200px;margin:0 auto;padding:0 24px}\n"
    "header.page{padding-top:28px;padding-bottom:8px}\n"
    "h1{font-size:28px;line-height:1.25;margin:0 0 6px}\n"
    "h2{font-size:20px;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid #d0d7de}\n"
    "nav.toc{font-size:14px;color:#59636e}\n"
    "nav.toc a{color:#0b5cad;text-decoration:none;margin-right:14px}\n"
    "nav.toc a:hover{text-decoration:underline}\n"
    ".table-wrap{overflow-x:auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;"
    "margin:8px 0 16px}\n"
    "table.data-table{border-collapse:collapse;width:100%;font-size:14px}\n"
    ".data-table caption{caption-side:top;text-align:left;padding:10px 12px 8px;font-weight:600}\n"
    ".data-table caption .unit{font-weight:400;color:#59636e}\n"
    ".data-table caption .note{display:block;font-weight:400;font-size:13px;color:#59636e}\n"
    ".data-table th,.data-table td{padding:6px 12px;border-top:1px solid #e3e6ea;vertical-align:top}\n"
    ".data-table thead th{background:#f6f8fa;text-align:right;font-weight:600;vertical-align:bottom;"
    "min-width:6.5em}\n"
    ".data-table thead th:first-child,.data-table tbody th{text-align:left}\n"
    ".data-table tbody th{font-weight:500;min-width:9em}\n"
    ".data-table td{text-align:right;white-space:nowrap}\n"
    ".data-table td.na{color:#8c959f}\n"
    ".data-table td.empty{text-align:left;color:#59636e;font-style:italic}\n"
    ".data-table .ci{display:block;font-size:12px;color:#59636e;white-space:normal}\n"
    ".data-table.kv thead th{text-align:left}\n"
    ".data-table.kv td{text-align:left;white-space:normal;word-break:break-word}\n"
    ".data-table.kv tbody th{white-space:nowrap;width:30%}\n"
    "figure.chart{margin:16px 0 24px;padding:16px 20px 12px;background:#fff;"
    "border:1px solid #d0d7de;border-radius:8px}\n"
    "figure.chart figcaption{margin-bottom:6px}\n"
    ".chart-title{display:block;font-size:17px;font-weight:600}\n"
    ".chart-note{display:block;font-size:13px;color:#59636e}\n"
    "ul.legend{list-style:none;margin:8px 0 4px;padding:0;display:flex;flex-wrap:wrap;"
    "gap:4px 18px;font-size:13px}\n"
    "ul.legend li{display:flex;align-items:center;gap:6px}\n"
    "ul.legend .legend-title{color:#59636e;font-weight:600}\n"
    ".swatch{display:inline-block;width:22px;height:0;border-top-width:3px}\n"
    "figure.chart svg{display:block;width:100%;height:auto;max-width:100%}\n"
    "figure.chart svg text{font-size:12px;fill:#59636e}\n"
    "figure.chart svg text.axis-label{fill:#1f2328;font-weight:600}\n"
    "figure.chart svg text.no-data{font-size:16px;fill:#8c959f}\n"
    "details.chart-data{margin-top:6px;font-size:14px}\n"
    "details.chart-data summary{cursor:pointer;color:#0b5cad}\n"
    ".filename{margin:0 0 6px;font-size:14px;color:#59636e}\n"
    "pre#scenario{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;"
    "overflow:auto;max-height:48em;font-size:13px;line-height:1.45}\n"
    "code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",monospace}\n"
    "footer.page{max-width:1200px;margin:32px auto 40px;padding:0 24px;font-size:13px;color:#59636e}\n"
    /* the headline table fits the page: headers wrap, numbers are set smaller and
     * tighter, the interval goes under the mean; scrolling is the last resort */
    "#headline{font-size:13px;letter-spacing:-0.01em}\n"
    "#headline thead th{min-width:0;white-space:normal;overflow-wrap:break-word;hyphens:auto;"
    "padding:6px 6px;line-height:1.3}\n"
    "#headline th,#headline td{padding-left:6px;padding-right:6px}\n"
    "#headline tbody th{min-width:7em;white-space:normal}\n"
    "#headline .ci{font-size:11px}\n"
    "section#sec-overview p{max-width:60em;margin:8px 0}\n"
    "p.overview{font-size:16px;line-height:1.6}\n"
    "p.overview-note{font-size:14px;color:#59636e}\n"
    "div.warnings{background:#fff8e6;border:1px solid #e3b341;border-radius:8px;padding:4px 16px;"
    "margin:12px 0}\n"
    "div.warnings h3{font-size:15px;margin:8px 0 4px}\n"
    "div.warnings ul{margin:4px 0 8px;padding-left:20px;font-size:14px}\n"
    "@media print{body{background:#fff}figure.chart,.table-wrap{break-inside:avoid}"
    "details.chart-data{display:none}}\n";

/* Checks what the page relies on, before anything is written. */
static int check_table(const sp_table *t, const char *what, int idx, sp_err *err)
{
    if (!t)
        return sp_err_set(err, SP_EINVAL, "report: %s %d has no table", what, idx);
    if (t->nrows && t->ncols && !t->values)
        return sp_err_set(err, SP_EINVAL, "report: %s %d (%zu x %zu) has no values", what, idx,
                          t->nrows, t->ncols);
    return SP_OK;
}

static int check_report(const sp_report *r, const char *path, sp_err *err)
{
    if (!r)
        return sp_err_set(err, SP_EINVAL, "no report to write");
    if (!path || !path[0])
        return sp_err_set(err, SP_EINVAL, "a report needs a non-empty path");
    if (r->ncharts < 0 || (r->ncharts > 0 && !r->charts))
        return sp_err_set(err, SP_EINVAL, "report: %d charts without an array", r->ncharts);
    if (r->ntables < 0 || (r->ntables > 0 && !r->tables))
        return sp_err_set(err, SP_EINVAL, "report: %d tables without an array", r->ntables);
    if (r->nparameters < 0 || (r->nparameters > 0 && !r->parameters))
        return sp_err_set(err, SP_EINVAL, "report: %d parameters without an array", r->nparameters);
    if (r->nprovenance < 0 || (r->nprovenance > 0 && !r->provenance))
        return sp_err_set(err, SP_EINVAL, "report: %d provenance entries without an array",
                          r->nprovenance);
    if (r->nwarnings < 0 || (r->nwarnings > 0 && !r->warnings))
        return sp_err_set(err, SP_EINVAL, "report: %d warnings without an array", r->nwarnings);
    if ((unsigned)r->lang >= SP_NLANG)
        return sp_err_set(err, SP_EINVAL, "report: unknown language %d", (int)r->lang);
    int rc = SP_OK;
    if (r->headline)
        rc = check_table(r->headline, "headline", 1, err);
    for (int i = 0; rc == SP_OK && i < r->ncharts; i++)
        rc = check_table(r->charts[i].table, "chart", i + 1, err);
    for (int i = 0; rc == SP_OK && i < r->ntables; i++)
        rc = check_table(r->tables[i], "table", i + 1, err);
    return rc;
}

/* A heading or link text of the page in the report's language. */
#define L(text) sp_label(r->lang, text)

static void toc_link(FILE *out, const char *id, const char *text)
{
    fprintf(out, "<a href=\"#%s\">", id);
    html_text(out, text);
    fputs("</a>", out);
}

static void h2(FILE *out, const char *id, const char *text)
{
    fprintf(out, "<section id=\"%s\">\n<h2>", id);
    html_text(out, text);
    fputs("</h2>\n", out);
}

static void html_page(FILE *out, const sp_report *r)
{
    const char *title = !is_blank(r->title) ? r->title : L("spendsim report");
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta name=\"generator\" content=\"spendsim\">\n<title>",
            sp_lang_code(r->lang));
    html_text(out, title);
    fputs("</title>\n<style>\n", out);
    fputs(css, out);
    fputs("</style>\n</head>\n<body>\n<header class=\"page\">\n<h1>", out);
    html_text(out, title);
    fputs("</h1>\n<nav class=\"toc\">", out);
    int overview = !is_blank(r->overview) || !is_blank(r->intervals) || r->nwarnings > 0;
    if (overview)
        toc_link(out, "sec-overview", L("Overview"));
    if (r->headline)
        toc_link(out, "sec-headline", L("Summary"));
    if (r->ncharts > 0)
        toc_link(out, "sec-charts", L("Charts"));
    if (r->ntables > 0)
        toc_link(out, "sec-tables", L("Tables"));
    toc_link(out, "sec-parameters", L("Parameters"));
    toc_link(out, "sec-scenario", L("Scenario"));
    toc_link(out, "sec-provenance", L("Provenance"));
    fputs("</nav>\n</header>\n<main>\n", out);

    if (overview) {
        h2(out, "sec-overview", L("Overview"));
        if (!is_blank(r->overview)) {
            fputs("<p id=\"summary-text\" class=\"overview\">", out);
            html_text(out, r->overview);
            fputs("</p>\n", out);
        }
        if (!is_blank(r->intervals)) {
            fputs("<p id=\"intervals-note\" class=\"overview-note\">", out);
            html_text(out, r->intervals);
            fputs("</p>\n", out);
        }
        if (r->nwarnings > 0) {
            fputs("<div id=\"warnings\" class=\"warnings\"><h3>", out);
            html_text(out, L("Warnings"));
            fputs("</h3>\n<ul>\n", out);
            for (int i = 0; i < r->nwarnings; i++) {
                fputs("<li>", out);
                html_text(out, r->warnings[i]);
                fputs("</li>\n", out);
            }
            fputs("</ul></div>\n", out);
        }
        fputs("</section>\n", out);
    }
    if (r->headline) {
        h2(out, "sec-headline", L("Summary by package"));
        html_table(out, r->headline, "headline", r->lang);
        fputs("</section>\n", out);
    }
    if (r->ncharts > 0) {
        h2(out, "sec-charts", L("Charts"));
        for (int i = 0; i < r->ncharts; i++)
            html_chart(out, &r->charts[i], i + 1, r->lang);
        fputs("</section>\n", out);
    }
    if (r->ntables > 0) {
        h2(out, "sec-tables", L("Tables"));
        for (int i = 0; i < r->ntables; i++) {
            char id[32];
            snprintf(id, sizeof id, "table-%d", i + 1);
            html_table(out, r->tables[i], id, r->lang);
        }
        fputs("</section>\n", out);
    }
    h2(out, "sec-parameters", L("Model parameters"));
    html_kv(out, "parameters", L("Parameters as used"), L("Parameter"), r->parameters,
            r->nparameters, r->lang);
    fputs("</section>\n", out);
    h2(out, "sec-scenario", L("Scenario"));
    fputs("<p class=\"filename\">", out);
    if (!is_blank(r->scenario_name)) {
        html_text(out, L("File "));
        fputs("<code>", out);
        html_text(out, r->scenario_name);
        fputs("</code></p>\n", out);
    } else {
        html_text(out, L("No file name recorded."));
        fputs("</p>\n", out);
    }
    fputs("<pre id=\"scenario\"><code>", out);
    html_text_mode(out, r->scenario_text ? r->scenario_text : L("(no scenario script recorded)"), 1);
    fputs("</code></pre>\n</section>\n", out);
    h2(out, "sec-provenance", L("Provenance"));
    html_kv(out, "provenance", L("Where these results come from"), L("Item"), r->provenance,
            r->nprovenance, r->lang);
    fputs("</section>\n</main>\n<footer class=\"page\">", out);
    html_text(out, L("Written by spendsim. This page is self-contained: it needs no network and "
                     "runs no scripts."));
    fputs("</footer>\n</body>\n</html>\n", out);
}

#undef L

static int write_page(FILE *out, const void *ctx, sp_err *err)
{
    (void)err;
    html_page(out, ctx);
    return SP_OK;
}

int sp_report_write_html(const sp_report *r, const char *path, sp_err *err)
{
    int rc = check_report(r, path, err);
    if (rc != SP_OK)
        return rc;
    return sp_atomic_write(path, write_page, r, err);
}
