/* objective.h: one number from a results cube (a "scalar result").
 *
 * The quantity analysts goal-seek, sweep and decompose: one metric of one
 * group of one package over a window of months, in a unit, optionally as the
 * difference against the baseline (package 0), averaged over replicates. It
 * follows the tables' rules (table.h): a flow metric (yuan, purchases) is
 * summed over the window's months and a stock metric (households, cars)
 * averaged; per household and per person values divide by the group's mean
 * households or persons over the window; a difference is taken replicate by
 * replicate with the noise rule (sp_table_diff), so a package identical to
 * the baseline gives exactly 0. The value equals the one-column table of
 * sp_results_table with by = total over the same months. */
#ifndef SP_OBJECTIVE_H
#define SP_OBJECTIVE_H

#include "results.h"
#include "status.h"
#include "table.h"

typedef struct sp_objective {
    int metric;      /* results metric (SP_M_*), default SP_M_SPENDING */
    int group;       /* group slot (group.h), default 0: every household */
    int package;     /* package index; -1 (the default): the last package */
    int from, to;    /* calendar months of the window (calendar.h), inclusive;
                      * 0 (the default): the first / the last reported month */
    int diff;        /* 1 (default): minus the baseline, replicate by replicate */
    sp_unit unit;    /* default SP_UNIT_TOTAL */
} sp_objective;

sp_objective sp_objective_default(void);

/* Checks the objective against res (metric, group, package index, a window
 * inside the reported months with from <= to); errors name the field and
 * value, months as "YYYY-MM". */
int sp_objective_check(const sp_objective *o, const sp_results *res, sp_err *err);

/* The value of each replicate into out (res->nreplicates doubles). NaN for a
 * per household or per person value of a group without households. */
int sp_objective_replicates(const sp_objective *o, const sp_results *res, double *out,
                            sp_err *err);

/* The mean over replicates into *value. */
int sp_objective_eval(const sp_objective *o, const sp_results *res, double *value, sp_err *err);

/* A one-line description, e.g. "change in spending (yuan), all, Plan, 2020-07..2020-12". */
void sp_objective_describe(const sp_objective *o, const sp_results *res, char *buf, size_t n);

#endif
