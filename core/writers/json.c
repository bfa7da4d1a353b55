/* json.c: tables as JSON (RFC 8259).
 *
 *   {
 *     "title": "...", "unit": "...", "row_header": "...",
 *     "columns": ["2019Q1", ...],
 *     "rows": [ {"label": "food", "values": [1234.5, null, ...]}, ... ]
 *   }
 *
 * (one member per line, one row per line). Numbers are written with "%.10g";
 * NaN and infinities, which JSON cannot hold, are written as null. Strings
 * are escaped: quote, backslash and every control character (U+0000..U+001F,
 * as \b \f \n \r \t or \u00XX); valid UTF-8 passes through and invalid bytes
 * become U+FFFD, so the output is always valid JSON. */
#include <math.h>
#include <stdio.h>

#include "writers_internal.h"

int sp_utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    int n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3Fu >> (n - 1));
    for (int k = 1; k < n; k++) {
        if ((p[k] & 0xC0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void sp_write_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            p++;
        } else if (c < 0x20) {
            switch (c) {
            case '\b': fputs("\\b", out); break;
            case '\f': fputs("\\f", out); break;
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", c); break;
            }
            p++;
        } else if (c < 0x80) {
            fputc((int)c, out);
            p++;
        } else {
            int n = sp_utf8_len(p);
            if (n) {
                fwrite(p, 1, (size_t)n, out);
                p += n;
            } else {
                fputs("\\ufffd", out);
                p++;
            }
        }
    }
    fputc('"', out);
}

static void json_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.10g", v);
    else
        fputs("null", out);
}

int sp_write_json(const sp_table *t, FILE *out, sp_err *err)
{
    fputs("{\n  \"title\": ", out);
    sp_write_json_string(out, t->title);
    fputs(",\n  \"unit\": ", out);
    sp_write_json_string(out, t->unit);
    fputs(",\n  \"row_header\": ", out);
    sp_write_json_string(out, t->row_header);
    if (sp_table_has_intervals(t))
        fprintf(out, ",\n  \"replicates\": %d", t->replicates);
    fputs(",\n  \"columns\": [", out);
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputs(", ", out);
        sp_write_json_string(out, t->col_labels ? t->col_labels[j] : NULL);
    }
    fputs("],\n  \"rows\": [", out);
    for (size_t i = 0; i < t->nrows; i++) {
        fputs(i ? ",\n    {\"label\": " : "\n    {\"label\": ", out);
        sp_write_json_string(out, t->row_labels ? t->row_labels[i] : NULL);
        fputs(", \"values\": [", out);
        for (size_t j = 0; j < t->ncols; j++) {
            if (j)
                fputs(", ", out);
            json_number(out, sp_table_get(t, i, j));
        }
        fputc(']', out);
        if (sp_table_has_intervals(t)) {
            const char *names[] = {"lo90", "hi90", "lo95", "hi95"};
            const double *arr[] = {t->lo90, t->hi90, t->lo95, t->hi95};
            _Static_assert(sizeof names / sizeof names[0] == sizeof arr / sizeof arr[0],
                           "one name per interval bound");
            for (size_t a = 0; a < sizeof arr / sizeof arr[0]; a++) {
                fprintf(out, ", \"%s\": [", names[a]);
                for (size_t j = 0; j < t->ncols; j++) {
                    if (j)
                        fputs(", ", out);
                    json_number(out, arr[a][i * t->ncols + j]);
                }
                fputc(']', out);
            }
        }
        fputc('}', out);
    }
    fputs(t->nrows ? "\n  ]" : "]", out);
    if (t->nnotes > 0) {
        fputs(",\n  \"warnings\": [", out);
        for (size_t k = 0; k < t->nnotes; k++) {
            if (k)
                fputs(", ", out);
            sp_write_json_string(out, t->notes[k]);
        }
        fputc(']', out);
    }
    fputs("\n}\n", out);
    return sp_write_check(out, "JSON", err);
}
