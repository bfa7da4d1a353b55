/* markdown.c: tables as Markdown (GitHub-flavoured pipe tables).
 *
 * A title line "**title** (unit)", a blank line, then a pipe table whose
 * first column holds the row labels (left-aligned) and whose value columns
 * are right-aligned. Cells are padded so the raw text lines up too.
 *
 * Numbers are rounded for reading, with thousands separators throughout:
 * |v| >= 1000 (after rounding to cents) to whole units ("43,038"), smaller
 * values to two decimals ("0.53", "-12.40"). Missing values (NaN) read
 * "n/a"; infinities "inf" and "-inf". A rounded zero never carries a minus
 * sign. In labels, "|" is escaped as "\|" and line breaks (and other control
 * characters) become spaces. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writers_internal.h"

#define NUM_MAX SP_NUM_MAX

/* Formats v into buf (NUM_MAX bytes) as described above; shared with the
 * HTML writer through writers_internal.h. */
void sp_write_number(double v, char buf[SP_NUM_MAX])
{
    if (isnan(v)) {
        strcpy(buf, "n/a");
        return;
    }
    if (isinf(v)) {
        strcpy(buf, v > 0 ? "inf" : "-inf");
        return;
    }
    char raw[NUM_MAX];
    /* Values beyond 1e40 are not table figures; keep them out of the buffer. */
    if (fabs(v) >= 1e40) {
        snprintf(buf, NUM_MAX, "%.3g", v);
        return;
    }
    /* Small non-zero figures (odds, shares) keep three significant digits
     * instead of reading "0.00". */
    if (v != 0 && fabs(v) < 0.005) {
        snprintf(buf, NUM_MAX, "%.3g", v);
        return;
    }
    /* Decided on the rounded value, so 999.999 reads "1,000", not "1,000.00". */
    snprintf(raw, sizeof raw, "%.2f", v);
    if (strcspn(raw + (raw[0] == '-'), ".") >= 4)
        snprintf(raw, sizeof raw, "%.0f", v);
    const char *digits = raw;
    int neg = 0;
    if (*digits == '-') {
        neg = 1;
        digits++;
    }
    if (strspn(digits, "0.") == strlen(digits))
        neg = 0; /* "-0.00" reads "0.00" */
    size_t intlen = strcspn(digits, ".");
    char *o = buf;
    if (neg)
        *o++ = '-';
    for (size_t k = 0; k < intlen; k++) {
        if (k > 0 && (intlen - k) % 3 == 0)
            *o++ = ',';
        *o++ = digits[k];
    }
    strcpy(o, digits + intlen);
}

/* Display width of a UTF-8 string: code points, not bytes (good enough for
 * the labels tables carry). Escapes count as they are written. */
static size_t md_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p & 0xC0u) == 0x80u)
            continue;
        w += *p == '|' ? 2 : 1;
    }
    return w;
}

static void md_text(FILE *out, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '|')
            fputs("\\|", out);
        else if ((unsigned char)*p < 0x20)
            fputc(' ', out); /* line breaks, tabs and other controls */
        else
            fputc(*p, out);
    }
}

static void md_pad(FILE *out, size_t n)
{
    while (n-- > 0)
        fputc(' ', out);
}

/* One cell: " text " padded to width, left- or right-aligned, then "|". */
static void md_cell(FILE *out, const char *s, size_t width, int right)
{
    size_t w = md_width(s);
    size_t pad = width > w ? width - w : 0;
    fputc(' ', out);
    if (right)
        md_pad(out, pad);
    md_text(out, s);
    if (!right)
        md_pad(out, pad);
    fputs(" |", out);
}

#define CELL_MAX (3 * NUM_MAX + 8)

/* A cell: the value, and with several replicates its 95% interval. */
static void md_cell_text(const sp_table *t, size_t i, size_t j, char buf[CELL_MAX])
{
    sp_write_number(sp_table_get(t, i, j), buf);
    if (sp_table_has_intervals(t)) {
        char lo[NUM_MAX], hi[NUM_MAX];
        size_t k = i * t->ncols + j;
        sp_write_number(t->lo95[k], lo);
        sp_write_number(t->hi95[k], hi);
        size_t n = strlen(buf);
        snprintf(buf + n, CELL_MAX - n, " [%s, %s]", lo, hi);
    }
}

int sp_write_markdown(const sp_table *t, FILE *out, sp_err *err)
{
    size_t nr = t->nrows, nc = t->ncols;
    char *cells = NULL;
    size_t *width = calloc(nc + 1, sizeof *width);
    if (nr && nc && nr <= SIZE_MAX / nc / CELL_MAX)
        cells = malloc(nr * nc * CELL_MAX);
    if (!width || (nr && nc && !cells)) {
        free(width);
        free(cells);
        return sp_err_set(err, SP_ENOMEM, "out of memory writing a Markdown table");
    }
    /* Column widths: at least 3 so the delimiter row reads "---" / "--:". */
    width[0] = md_width(t->row_header);
    for (size_t i = 0; i < nr; i++) {
        size_t w = md_width(t->row_labels ? t->row_labels[i] : NULL);
        if (w > width[0])
            width[0] = w;
    }
    for (size_t j = 0; j < nc; j++)
        width[j + 1] = md_width(t->col_labels ? t->col_labels[j] : NULL);
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nc; j++) {
            char *c = cells + (i * nc + j) * CELL_MAX;
            md_cell_text(t, i, j, c);
            size_t w = strlen(c);
            if (w > width[j + 1])
                width[j + 1] = w;
        }
    for (size_t j = 0; j <= nc; j++)
        if (width[j] < 3)
            width[j] = 3;

    const char *title = t->title ? t->title : "", *unit = t->unit ? t->unit : "";
    if (title[0] || unit[0]) {
        if (title[0]) {
            fputs("**", out);
            md_text(out, title);
            fputs("**", out);
        }
        if (unit[0]) {
            fputs(title[0] ? " (" : "(", out);
            md_text(out, unit);
            fputc(')', out);
        }
        if (sp_table_has_intervals(t))
            fprintf(out, ": mean of %d replicates [95%% interval]", t->replicates);
        fputs("\n\n", out);
    }

    fputc('|', out);
    md_cell(out, t->row_header, width[0], 0);
    for (size_t j = 0; j < nc; j++)
        md_cell(out, t->col_labels ? t->col_labels[j] : NULL, width[j + 1], 1);
    fputc('\n', out);

    fputs("| ", out);
    for (size_t k = 0; k < width[0]; k++)
        fputc('-', out);
    fputs(" |", out);
    for (size_t j = 0; j < nc; j++) {
        fputc(' ', out);
        for (size_t k = 1; k < width[j + 1]; k++)
            fputc('-', out);
        fputs(": |", out);
    }
    fputc('\n', out);

    for (size_t i = 0; i < nr; i++) {
        fputc('|', out);
        md_cell(out, t->row_labels ? t->row_labels[i] : NULL, width[0], 0);
        for (size_t j = 0; j < nc; j++)
            md_cell(out, cells + (i * nc + j) * CELL_MAX, width[j + 1], 1);
        fputc('\n', out);
    }
    for (size_t k = 0; k < t->nnotes; k++) {
        fputs("\nWarning: ", out); /* a paragraph each */
        md_text(out, t->notes[k]);
        fputc('\n', out);
    }
    free(cells);
    free(width);
    return sp_write_check(out, "Markdown", err);
}
