/* export.h: per-replicate tidy export of results, for pandas and R.
 *
 * One CSV line per cell of the cube the export selects, every replicate:
 *
 *   package,replicate,month,group,metric,unit,value
 *   Status quo,1,2020-07,all,spending,yuan,8123456789.0123
 *
 * replicate counts from 1; month is the period label of `by` ("2020-07",
 * "2020Q3", "2020", "total"); value is the package's total over the period
 * for the group (a flow metric summed over its months, a stock averaged: as
 * the tables compute it before averaging over replicates, sp_results_period_
 * value with unit "total"), written with "%.17g" so it reads back exactly.
 * Lines go package by package, then replicate, period, group and metric, in
 * the order given. The file is written atomically (writers.h). */
#ifndef SP_EXPORT_H
#define SP_EXPORT_H

#include <stddef.h>

#include "results.h"
#include "status.h"
#include "table.h"

typedef struct sp_export_def {
    const int *packages;  /* package indexes; NULL = every package */
    int npackages;
    const int *metrics;   /* metrics (results.h); NULL = spending */
    int nmetrics;
    const int *groups;    /* group slots (group.h); NULL = the whole population */
    int ngroups;
    sp_period by;         /* the periods of the month column */
    int from, to;         /* window of calendar months, inclusive; 0 = the horizon's first / last */
} sp_export_def;

/* Defaults: every package, spending, the whole population, by month, the
 * whole horizon. */
sp_export_def sp_export_def_default(void);

/* Lines (without the header) the export of d writes, or 0 with err when d
 * does not fit res (an index out of range, a window outside the horizon). */
size_t sp_export_rows(const sp_results *res, const sp_export_def *d, sp_err *err);

/* Writes the export of d to path atomically. Errors name the bad field or
 * the path. */
int sp_results_export(const sp_results *res, const sp_export_def *d, const char *path, sp_err *err);

#endif
