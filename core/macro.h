/* macro.h: the experiment's macro path (docs/model.md section 2.1).
 *
 * A path holds, for each calendar month of its range, the nominal per-capita
 * disposable income index, a consumer price index by category and a shock by
 * category; all are 1 on average over the base year (the population's year).
 * Baseline spending of category c in month t is then
 *
 *   s[i,c,t] = C[i] share[i,c] / 12 season[c,t] N / E[N] noise
 *              x income[t] / P[t] x cpi[t,c] x shock[t,c]
 *
 * with P[t] = sum_c w_c cpi[t,c] (w_c the 2018 Beijing composition): real
 * spending follows real income (a constant propensity to consume), is valued
 * at its category's prices (short-run relative-price inelastic), and the shock
 * is what real spending departs from that (COVID closures, a changed
 * propensity to consume). The path replaces the `growth` trend; without a path
 * (NULL) the trend applies. The factor is applied once per month to the
 * spending kernel's per-category coefficients, never per household, so every
 * package of an experiment shares it and common random numbers still give
 * exact zeros. */
#ifndef SP_MACRO_H
#define SP_MACRO_H

#include "category.h"
#include "status.h"

#define SP_MACRO_MAX_MONTHS 360 /* 30 years */
#define SP_MACRO_LABEL 64

typedef struct sp_macro_def {
    char label[SP_MACRO_LABEL];
    int base_year;   /* the year whose mean of every series is 1 (the population's base year) */
    int first_month; /* calendar month (calendar.h) of entry 0 */
    int months;      /* months covered, 1..SP_MACRO_MAX_MONTHS */
    /* Per month k (calendar month first_month + k); NaN marks a month with no
     * value (a gap), which validation reports. All values positive. */
    double income[SP_MACRO_MAX_MONTHS];         /* nominal income index */
    double cpi[SP_MACRO_MAX_MONTHS][SP_NCAT];   /* price index by category */
    double shock[SP_MACRO_MAX_MONTHS][SP_NCAT]; /* factor on real spending by category */
} sp_macro_def;

/* A path over months first_month .. first_month + months - 1 with every value
 * missing (NaN): fill it, then validate. months is clamped to 0..SP_MACRO_MAX_MONTHS. */
void sp_macro_def_empty(sp_macro_def *d, int first_month, int months, int base_year);

/* The neutral path: every value 1 (spending at the base year's level, no
 * growth, no prices, no shock). */
void sp_macro_def_neutral(sp_macro_def *d, int first_month, int months, int base_year);

/* The default Beijing path 2019-01 .. 2023-12 (base year 2019) built from the
 * published figures in data/beijing_macro_path.csv; with_shocks = 0 gives the
 * same income and prices without the shock (the no-shock path). */
int sp_macro_beijing(sp_macro_def *d, int with_shocks, sp_err *err);

/* Checks the range, the base year and every value: a gap (a missing month), a
 * value that is not positive and finite, each named by series, month and
 * category. */
int sp_macro_validate(const sp_macro_def *d, sp_err *err);

/* Checks that calendar months first .. last lie inside the path's range. */
int sp_macro_covers(const sp_macro_def *d, int first, int last, sp_err *err);

/* Nominal spending factor of category c in calendar month m, relative to the
 * base year: income / P x cpi_c x shock_c. 1 outside the range (never used:
 * runs check coverage first). */
double sp_macro_factor(const sp_macro_def *d, int month, int c);

#endif
