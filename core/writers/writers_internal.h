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

/* SP_EIO naming the format and strerror when out has its error flag set. */
int sp_write_check(FILE *out, const char *format, sp_err *err);

#endif
