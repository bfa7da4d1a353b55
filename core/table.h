/* table.h: labelled 2-D views of results, the unit writers consume.
 *
 * A query picks a package (or all packages), rows (categories, the groups of
 * one dimension, or packages), columns (months, quarters, years or the whole
 * horizon) and a unit. Values are computed per replicate and then averaged
 * over replicates; a difference against the baseline is taken per replicate
 * (common random numbers) before averaging. */
#ifndef SP_TABLE_H
#define SP_TABLE_H

#include <stddef.h>

#include "group.h"
#include "results.h"
#include "status.h"

typedef struct sp_table {
    char *title;        /* one line, e.g. "Spending per capita by category, Status quo" */
    char *unit;         /* e.g. "yuan per person" */
    char *row_header;   /* e.g. "category" */
    size_t nrows, ncols;
    char **row_labels;  /* nrows strings */
    char **col_labels;  /* ncols strings */
    double *values;     /* nrows x ncols, row-major: mean over replicates */
    int replicates;     /* replicates behind each value (1: the intervals equal the value) */
    /* Intervals of the replicate values, same layout as values: the 90% interval
     * spans their 5th to 95th percentile, the 95% interval their 2.5th to 97.5th
     * (linear interpolation between order statistics). */
    double *lo90, *hi90, *lo95, *hi95;
    /* Warnings that travel with the table (the summary's budget warnings): one
     * line each, owned; Markdown prints them under the table, JSON as "warnings". */
    size_t nnotes;
    char **notes;
} sp_table;

/* An empty table with owned, empty labels. NULL with err on failure. */
sp_table *sp_table_alloc(size_t nrows, size_t ncols, sp_err *err);
void sp_table_free(sp_table *t); /* NULL is a no-op */

/* Copies text into one of the table's strings (title, unit, header, labels). */
int sp_table_set_text(char **slot, const char *text, sp_err *err);

/* Appends a copy of one warning line to t->notes. */
int sp_table_add_note(sp_table *t, const char *text, sp_err *err);

static inline double sp_table_get(const sp_table *t, size_t row, size_t col)
{
    return t->values[row * t->ncols + col];
}

/* Sets cell (row, col) from its n replicate values (sorted in place): the
 * mean and the percentile intervals. */
void sp_table_set_replicates(sp_table *t, size_t row, size_t col, double *values, int n);

typedef enum sp_period { SP_BY_MONTH = 0, SP_BY_QUARTER, SP_BY_YEAR, SP_BY_TOTAL } sp_period;
typedef enum sp_unit { SP_UNIT_TOTAL = 0, SP_UNIT_PER_HOUSEHOLD, SP_UNIT_PER_CAPITA } sp_unit;
typedef enum sp_rows { SP_ROWS_CATEGORY = 0, SP_ROWS_GROUP, SP_ROWS_PACKAGE } sp_rows;

typedef struct sp_query {
    sp_rows rows;
    int package;     /* package index (not used when rows = packages) */
    sp_dim dim;      /* dimension whose groups are the rows (rows = groups) */
    int group;       /* group slot the values are for (rows = categories or packages) */
    int metric;      /* metric (rows = groups or packages); rows = categories shows the eight and the total */
    sp_period by;
    sp_unit unit;
    int diff;        /* 1: minus the baseline package, replicate by replicate */
    int cumulative;  /* 1: running sums over the columns (flow metrics only) */
    int from, to;    /* window: calendar months (calendar.h), inclusive; 0 = the horizon's
                      * first / last reported month. Columns are the periods inside it (a
                      * quarter cut by the window spans only its months inside) */
} sp_query;

/* Defaults: categories of package 0, whole population, by quarter, per capita,
 * no difference, not cumulative, the whole horizon. */
sp_query sp_query_default(void);

/* Names for the enums, as used in Lua: "month", "quarter", "year", "total";
 * "total", "per_household", "per_capita"; "category", "group", "package".
 * Lookups return -1 when unknown. */
int sp_period_find(const char *name);
int sp_unit_find(const char *name);
const char *sp_period_name(sp_period p);
const char *sp_unit_name(sp_unit u);

/* Rounding noise. A difference against the baseline subtracts sums over the
 * same households that the engine may have added in another order (a
 * household that moved to another group cell, say), so a measure that
 * changed nothing can leave a residue in the last bits: about 1e-16 of the
 * level, printed as "-5.09e-06" yuan or "3e-13" yuan per person. The rule:
 * a difference a - b no larger than SP_NOISE_REL times the larger of |a| and
 * |b| is rounding noise and is exactly 0. The margin is wide on both sides:
 * four orders of magnitude above the largest residue seen in the example
 * scenarios (3e-16 of the level), and an effect below a trillionth of the
 * level it changes (0.07 yuan of Beijing's monthly household spending) is
 * not one to report. sp_table_diff applies it (NaN
 * stays NaN); tables with diff, the summary's differences and the report use
 * it, so noise reads 0 everywhere, never "-0" or "3e-12". */
#define SP_NOISE_REL 1e-12
double sp_table_diff(double a, double b);

/* Resolves a window of calendar months from..to (inclusive; 0 = the first /
 * last reported month) into reported month indexes [*m0, *m1). Errors
 * (SP_ERANGE) name the month and the horizon: a month outside the reported
 * months, or from after to. */
int sp_results_window(const sp_results *res, int from, int to, int *m0, int *m1, sp_err *err);

/* The value of one package, replicate and group slot for months [m0, m1)
 * of the reported months, as a table cell shows it before averaging over
 * replicates: a flow metric summed, a stock averaged over the months, then
 * per household or per person when unit asks (NaN without households or
 * persons). */
double sp_results_period_value(const sp_results *res, int package, int replicate, int m0, int m1,
                               int group, int metric, sp_unit unit);

/* Reported month m's period under `by` as a column label ("2020-07",
 * "2020Q3", "2020", "total") into buf of n bytes, and whether months a and b
 * lie in the same period. */
void sp_period_label(const sp_results *res, sp_period by, int m, char *buf, size_t n);
int sp_period_same(const sp_results *res, sp_period by, int a, int b);

/* Builds the table of a query. Per household and per person values of a
 * group without households or persons are NaN ("n/a"): a ratio without a
 * denominator. NULL with err (naming the bad field) on failure. */
sp_table *sp_results_table(const sp_results *res, const sp_query *q, sp_err *err);

/* Columns of the headline table, one row per package, totals over the horizon
 * computed per replicate then averaged (ratios are averaged per replicate). */
enum {
    SP_SUM_GOV_COST = 0,   /* government cost, yuan */
    SP_SUM_MERCHANT_COST,  /* merchants' share of discounts, yuan */
    SP_SUM_SPENDING_CHANGE,/* change in household spending against the baseline, yuan */
    SP_SUM_MULTIPLIER,     /* causal multiplier: spending change / government cost */
    SP_SUM_LEVERAGE,       /* gross leverage: coupon transaction value / government cost */
    SP_SUM_COST_PER_YUAN,  /* government cost per extra yuan of spending */
    SP_SUM_CLAIMED,        /* coupons claimed */
    SP_SUM_REDEEMED,       /* coupons redeemed */
    SP_SUM_EXPIRED,        /* coupons expired */
    SP_SUM_EXTRA_CARS,     /* change in car purchases against the baseline */
    SP_SUM_CAR_SPENDING,   /* change in spending on cars (durable, apart from the eight categories), yuan */
    SP_SUM_PULLED_FORWARD, /* purchases pulled forward: the cars missing in months where purchases
                            * fall below the baseline (the dip after a programme), counted positive */
    SP_SUM_BUDGET,         /* the package's budget, yuan: the sum of its measures' `budget`s
                            * (sp_results.budgets); NaN when none has one */
    SP_SUM_BUDGET_USED,    /* government cost / budget (of the group's households by a dimension;
                            * NaN without a budget) */
    SP_NSUMMARY
};

/* The headline table. Differences follow the noise rule (sp_table_diff), so
 * a measure that changed no spending has a change of exactly 0; ratios with a
 * zero denominator (no government cost; no positive change in spending for
 * the cost per extra yuan) are NaN ("n/a"), never 0 or a huge quotient of
 * noise. */
sp_table *sp_results_summary(const sp_results *res, sp_err *err);

/* The headline table by a group dimension: one row per package and group of
 * dim ("package / group": e.g. "Spend 40, get 10 / CT1"), the same columns
 * computed over the group's households (the change in spending against the
 * same group of the baseline package; the causal multiplier and the gross
 * leverage over the group's government cost). SP_DIM_ALL gives
 * sp_results_summary's table. */
sp_table *sp_results_summary_by(const sp_results *res, sp_dim dim, sp_err *err);

/* The headline table of the window from..to (calendar months, inclusive; 0 =
 * the horizon's first / last month; see sp_results_window) by dimension dim:
 * the same columns as sp_results_summary_by over the window's months only
 * (the budget columns compare the government cost in the window with the
 * whole budget). */
sp_table *sp_results_summary_window(const sp_results *res, sp_dim dim, int from, int to,
                                    sp_err *err);

/* Plate allocation of one package by month: one row per statistic of
 * results.h (applicants, quotas and winners by pool, base odds, raw ratio,
 * NEV queue and implied wait), one column per month; mean and intervals over
 * replicates. Rows are zero in months without an allocation. */
sp_table *sp_results_plates_table(const sp_results *res, int package, sp_err *err);

#endif
