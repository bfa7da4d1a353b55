/* writers_internal.h: what the format writers share inside core/writers/.
 * Not part of the public API (writers.h is). */
#ifndef SP_WRITERS_INTERNAL_H
#define SP_WRITERS_INTERNAL_H

#include <stdio.h>

#include "status.h"
#include "table.h"

/* Each writes the whole table to out and returns SP_OK, or SP_EIO when the
 * stream reports an error. The table must be well formed (sp_write_valid). */
int sp_write_csv(const sp_table *t, FILE *out, sp_err *err);
int sp_write_markdown(const sp_table *t, FILE *out, sp_err *err);
int sp_write_json(const sp_table *t, FILE *out, sp_err *err);
int sp_write_csv_long(const sp_table *t, FILE *out, sp_err *err);

/* 1 when the table carries intervals worth writing (several replicates). */
static inline int sp_table_has_intervals(const sp_table *t)
{
    return t->replicates > 1 && t->lo90 && t->hi90 && t->lo95 && t->hi95;
}

/* Readable numbers, as in Markdown tables (markdown.c): thousands separators,
 * whole units from 1,000 up, two decimals below; "n/a" for NaN, "inf" and
 * "-inf"; a rounded zero never carries a minus sign. buf holds SP_NUM_MAX bytes. */
#define SP_NUM_MAX 64
void sp_write_number(double v, char buf[SP_NUM_MAX]);

/* Length of the valid UTF-8 sequence starting at p (2..4), or 0 when p does
 * not start one (an ASCII byte, a stray continuation byte, an overlong or
 * surrogate encoding) (json.c). */
int sp_utf8_len(const unsigned char *p);

/* Writes s (NULL reads as "") as a JSON string literal with its quotes:
 * quote, backslash and control characters escaped, invalid UTF-8 as U+FFFD
 * (json.c). */
void sp_write_json_string(FILE *out, const char *s);

/* SP_EIO naming the format and strerror when out has its error flag set. */
int sp_write_check(FILE *out, const char *format, sp_err *err);

#endif
