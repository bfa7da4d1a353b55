/* csv.c: tables as comma-separated values (RFC 4180).
 *
 * One header row (the row header, then the column labels) and one row per
 * table row (its label, then its values). Numbers are written with "%.10g";
 * values that are not finite are written as NaN, Inf and -Inf, which R,
 * pandas and spreadsheets read back as such. A field is quoted when it holds
 * a comma, a double quote, a carriage return or a newline, with quotes
 * doubled. Lines end with "\n".
 *
 * The long ("tidy") form has one line per cell: row label, column label,
 * mean, the 90% and 95% interval bounds, and the number of replicates. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "writers.h"
#include "writers_internal.h"

static void csv_field(FILE *out, const char *s)
{
    if (!s)
        s = "";
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void csv_number(FILE *out, double v)
{
    if (isnan(v))
        fputs("NaN", out);
    else if (isinf(v))
        fputs(v > 0 ? "Inf" : "-Inf", out);
    else
        fprintf(out, "%.10g", v);
}

void sp_csv_field(FILE *out, const char *s) { csv_field(out, s); }

void sp_csv_number_exact(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.17g", v);
    else
        csv_number(out, v);
}

int sp_write_csv(const sp_table *t, FILE *out, sp_err *err)
{
    errno = 0;
    csv_field(out, t->row_header);
    for (size_t j = 0; j < t->ncols; j++) {
        fputc(',', out);
        csv_field(out, t->col_labels ? t->col_labels[j] : NULL);
    }
    fputc('\n', out);
    for (size_t i = 0; i < t->nrows; i++) {
        csv_field(out, t->row_labels ? t->row_labels[i] : NULL);
        for (size_t j = 0; j < t->ncols; j++) {
            fputc(',', out);
            csv_number(out, sp_table_get(t, i, j));
        }
        fputc('\n', out);
    }
    return sp_write_check(out, "CSV", err);
}

int sp_write_csv_long(const sp_table *t, FILE *out, sp_err *err)
{
    errno = 0;
    int iv = sp_table_has_intervals(t);
    csv_field(out, t->row_header && t->row_header[0] ? t->row_header : "row");
    fputs(",column,mean,lo90,hi90,lo95,hi95,replicates\n", out);
    for (size_t i = 0; i < t->nrows; i++)
        for (size_t j = 0; j < t->ncols; j++) {
            size_t k = i * t->ncols + j;
            double v = t->values[k];
            csv_field(out, t->row_labels ? t->row_labels[i] : NULL);
            fputc(',', out);
            csv_field(out, t->col_labels ? t->col_labels[j] : NULL);
            const double cells[] = {v, iv ? t->lo90[k] : v, iv ? t->hi90[k] : v,
                                    iv ? t->lo95[k] : v, iv ? t->hi95[k] : v}; /* mean .. hi95 */
            for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
                fputc(',', out);
                csv_number(out, cells[c]);
            }
            fprintf(out, ",%d\n", t->replicates > 0 ? t->replicates : 1);
        }
    return sp_write_check(out, "CSV", err);
}
