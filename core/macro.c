/* macro.c: the macro path, its validation and the default Beijing path. */
#include "macro.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void sp_macro_def_empty(sp_macro_def *d, int first_month, int months, int base_year)
{
    memset(d, 0, sizeof *d);
    d->first_month = first_month;
    d->months = months < 0 ? 0 : months > SP_MACRO_MAX_MONTHS ? SP_MACRO_MAX_MONTHS : months;
    d->base_year = base_year;
    for (int k = 0; k < SP_MACRO_MAX_MONTHS; k++) {
        d->income[k] = NAN;
        for (int c = 0; c < SP_NCAT; c++)
            d->cpi[k][c] = d->shock[k][c] = NAN;
    }
}

void sp_macro_def_neutral(sp_macro_def *d, int first_month, int months, int base_year)
{
    sp_macro_def_empty(d, first_month, months, base_year);
    snprintf(d->label, sizeof d->label, "neutral");
    for (int k = 0; k < d->months; k++) {
        d->income[k] = 1.0;
        for (int c = 0; c < SP_NCAT; c++)
            d->cpi[k][c] = d->shock[k][c] = 1.0;
    }
}

/* A value's error: a gap when it is missing, else not positive and finite. */
static int bad_value(sp_err *err, const char *series, int month, int c, double v)
{
    char m[8];
    sp_month_format(month, m);
    char where[48];
    if (c >= 0)
        snprintf(where, sizeof where, "%s[%s].%s", series, m, sp_category_name(c));
    else
        snprintf(where, sizeof where, "%s[%s]", series, m);
    if (isnan(v))
        return sp_err_set(err, SP_EINVAL, "%s has no value: a gap in the path", where);
    return sp_err_set(err, SP_EINVAL, "%s = %g: must be a positive finite index", where, v);
}

static int good(double v) { return isfinite(v) && v > 0; }

int sp_macro_validate(const sp_macro_def *d, sp_err *err)
{
    if (d->months < 1 || d->months > SP_MACRO_MAX_MONTHS)
        return sp_err_set(err, SP_EINVAL, "a macro path covers 1..%d months, got %d",
                          SP_MACRO_MAX_MONTHS, d->months);
    if (sp_month_year(d->first_month) < 2000 || sp_month_year(d->first_month) > 2100)
        return sp_err_set(err, SP_EINVAL, "a macro path must start between 2000-01 and 2100-12");
    if (d->base_year < 2000 || d->base_year > 2100)
        return sp_err_set(err, SP_EINVAL, "macro base_year must lie in 2000..2100, got %d",
                          d->base_year);
    for (int k = 0; k < d->months; k++) {
        int m = d->first_month + k;
        if (!good(d->income[k]))
            return bad_value(err, "income", m, -1, d->income[k]);
        for (int c = 0; c < SP_NCAT; c++) {
            if (!good(d->cpi[k][c]))
                return bad_value(err, "cpi", m, c, d->cpi[k][c]);
            if (!good(d->shock[k][c]))
                return bad_value(err, "shock", m, c, d->shock[k][c]);
        }
    }
    return SP_OK;
}

int sp_macro_covers(const sp_macro_def *d, int first, int last, sp_err *err)
{
    int end = d->first_month + d->months - 1;
    if (first >= d->first_month && last <= end)
        return SP_OK;
    char a[8], b[8], f[8], l[8];
    sp_month_format(d->first_month, a);
    sp_month_format(end, b);
    sp_month_format(first, f);
    sp_month_format(last, l);
    return sp_err_set(err, SP_ERANGE,
                      "the macro path covers %s..%s but the experiment simulates %s..%s "
                      "(warmup included): month %s is outside its range",
                      a, b, f, l, first < d->first_month ? f : l);
}

double sp_macro_factor(const sp_macro_def *d, int month, int c)
{
    if (!d)
        return 1.0;
    int k = month - d->first_month;
    if (k < 0 || k >= d->months || c < 0 || c >= SP_NCAT)
        return 1.0;
    double p = 0, w = 0; /* P = sum w cpi / sum w: exactly 1 when every cpi is 1 */
    for (int j = 0; j < SP_NCAT; j++) {
        p += sp_category_share_2018(j) * d->cpi[k][j];
        w += sp_category_share_2018(j);
    }
    return d->income[k] / (p / w) * d->cpi[k][c] * d->shock[k][c];
}

/* ---- the default Beijing path (data/beijing_macro_path.csv) ---- */

#define BJ_FIRST_YEAR 2018 /* first annual anchor (income and prices derived from 2019 growth) */
#define BJ_LAST_YEAR 2023  /* last year with income, prices and consumption */
#define BJ_NYEAR (BJ_LAST_YEAR - BJ_FIRST_YEAR + 1)
#define BJ_BASE_YEAR 2019
#define BJ_SHOCK_YEAR 2020 /* the acute COVID shock: monthly national retail shape */

/* Per-capita disposable income, yuan, 2018 (derived: 67756 / 1.0865) .. 2023. */
static const double bj_income[BJ_NYEAR] = {62361, 67756, 69434, 75002, 77415, 81752};
/* Per-capita consumption expenditure, yuan, 2019 .. 2023 (2018 unused). */
static const double bj_consumption[BJ_NYEAR] = {0, 43038, 38903, 43640, 42683, 47586};
/* Beijing CPI, % year on year by category, for 2019 .. 2023: 2019, 2021, 2023
 * all items for every category; 2020 food and non-food; 2022 by category. */
static const double bj_cpi_yoy[BJ_NYEAR - 1][SP_NCAT] = {
    {2.3, 2.3, 2.3, 2.3, 2.3, 2.3, 2.3, 2.3},
    {6.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9},
    {1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1},
    {3.1, 0.6, 0.6, 1.6, 5.0, 0.6, 0.7, 1.6},
    {0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4},
};
/* National retail sales 2020 by month, % year on year (Jan and Feb published
 * together), and the 2019 growth that the months fall short of. */
static const double cn_retail_2020[12] = {-20.5, -20.5, -15.8, -7.5, -2.8, -1.8,
                                          -1.1,  0.5,   3.3,   4.3,  5.0,  4.6};
#define CN_RETAIL_2019 8.0
/* National per-capita consumption, first half of 2020, % year on year by
 * category and in all, and national income growth 2020 (the no-shock growth). */
static const double cn_cons_h1_2020[SP_NCAT] = {5.0, -16.4, 3.1, -6.4, -10.7, -35.7, -9.9, -22.6};
#define CN_CONS_H1_2020 (-5.9)
#define CN_INCOME_2020 4.7

_Static_assert(COUNT(cn_retail_2020) == 12 && COUNT(cn_cons_h1_2020) == SP_NCAT,
               "one retail figure per month, one consumption figure per category");

/* Log-linear interpolation of annual levels (anchored at mid-year, BJ_FIRST_YEAR
 * .. BJ_LAST_YEAR) at calendar month m, extrapolated with the end segments. */
static double interp_annual(const double level[BJ_NYEAR], int m)
{
    double x = ((double)m + 0.5) / 12.0 - 0.5 - BJ_FIRST_YEAR; /* years from the first anchor */
    int j = (int)floor(x);
    if (j < 0)
        j = 0;
    if (j > BJ_NYEAR - 2)
        j = BJ_NYEAR - 2;
    double f = x - j;
    return exp((1 - f) * log(level[j]) + f * log(level[j + 1]));
}

/* Depth of the acute shock in calendar month m: the shortfall of national
 * retail sales against their 2019 growth, 0 outside BJ_SHOCK_YEAR. */
static double acute_depth(int m)
{
    if (sp_month_year(m) != BJ_SHOCK_YEAR)
        return 0.0;
    return 1.0 - (1.0 + cn_retail_2020[sp_month_of_year(m) - 1] / 100.0) / (1.0 + CN_RETAIL_2019 / 100.0);
}

/* Exposure of each category to the acute shock, and its scale: a category's
 * national first-half 2020 shortfall against income growth is
 * X_c = 1 - (1 + g_c) / (1 + g_income); exposure = X_c / X_all, and the scale
 * kappa = X_all / (mean depth over January-June), so that the national
 * first half is met in all and by category. */
static void acute_exposure(double rho[SP_NCAT], double *kappa)
{
    double x_all = 1.0 - (1.0 + CN_CONS_H1_2020 / 100.0) / (1.0 + CN_INCOME_2020 / 100.0);
    for (int c = 0; c < SP_NCAT; c++)
        rho[c] = (1.0 - (1.0 + cn_cons_h1_2020[c] / 100.0) / (1.0 + CN_INCOME_2020 / 100.0)) / x_all;
    double depth = 0;
    for (int k = 1; k <= 6; k++)
        depth += acute_depth(sp_month_make(BJ_SHOCK_YEAR, k)) / 6.0;
    *kappa = x_all / depth;
}

/* The level of the shock in calendar month m from annual anchors L (index by
 * year - BJ_FIRST_YEAR): 1 before BJ_SHOCK_YEAR, L of BJ_SHOCK_YEAR from its
 * January to its middle, linear between mid-years, flat after the last. */
static double shock_level(const double L[BJ_NYEAR], int m)
{
    if (sp_month_year(m) < BJ_SHOCK_YEAR)
        return 1.0;
    double x = ((double)m + 0.5) / 12.0 - 0.5 - BJ_FIRST_YEAR;
    double lo = BJ_SHOCK_YEAR - BJ_FIRST_YEAR, hi = BJ_NYEAR - 1;
    if (x <= lo)
        return L[(int)lo];
    if (x >= hi)
        return L[(int)hi];
    int j = (int)floor(x);
    return L[j] + (x - j) * (L[j + 1] - L[j]);
}

/* Monthly values (out[k * stride], k over the path's months) of a series
 * given by its annual means (target, by year - BJ_FIRST_YEAR, relative to
 * the base year): log-linear between mid-year anchors, the anchors solved so
 * that the mean over each year of the path equals its target. */
static void fit_annual(const double target[BJ_NYEAR], const sp_macro_def *d, double *out,
                       int stride)
{
    double anchor[BJ_NYEAR];
    memcpy(anchor, target, sizeof anchor);
    int y0 = sp_month_year(d->first_month), y1 = sp_month_year(d->first_month + d->months - 1);
    for (int it = 0; it < 200; it++) /* fixed point: converges geometrically */
        for (int y = y0; y <= y1; y++) {
            double mean = 0;
            for (int k = 1; k <= 12; k++)
                mean += interp_annual(anchor, sp_month_make(y, k)) / 12.0;
            anchor[y - BJ_FIRST_YEAR] *= target[y - BJ_FIRST_YEAR] / mean;
        }
    for (int k = 0; k < d->months; k++)
        out[(size_t)k * stride] = interp_annual(anchor, d->first_month + k);
}

/* Fills income and prices, each with mean 1 over the base year and the
 * published annual changes. */
static void beijing_income_prices(sp_macro_def *d)
{
    double target[BJ_NYEAR];
    const int b = BJ_BASE_YEAR - BJ_FIRST_YEAR;
    for (int y = 0; y < BJ_NYEAR; y++)
        target[y] = bj_income[y] / bj_income[b];
    fit_annual(target, d, d->income, 1);
    for (int c = 0; c < SP_NCAT; c++) {
        target[b] = 1.0;
        target[0] = 1.0 / (1.0 + bj_cpi_yoy[0][c] / 100.0);
        for (int y = b + 1; y < BJ_NYEAR; y++)
            target[y] = target[y - 1] * (1.0 + bj_cpi_yoy[y - 1][c] / 100.0);
        fit_annual(target, d, &d->cpi[0][c], SP_NCAT);
    }
}

/* Fills the shock: exp(-kappa rho_c depth(m)) x level(m), the annual levels
 * solved so that each year's mean spending factor (2018 composition, no
 * seasonality) equals its per-capita consumption over the base year's. */
static void beijing_shock(sp_macro_def *d)
{
    double rho[SP_NCAT], kappa, L[BJ_NYEAR];
    acute_exposure(rho, &kappa);
    for (int y = 0; y < BJ_NYEAR; y++)
        L[y] = 1.0;
    for (int k = 0; k < d->months; k++) {
        double depth = acute_depth(d->first_month + k);
        for (int c = 0; c < SP_NCAT; c++)
            d->shock[k][c] = exp(-kappa * rho[c] * depth);
    }
    double acute[SP_MACRO_MAX_MONTHS]; /* mean factor of the month before the level */
    for (int k = 0; k < d->months; k++)
        acute[k] = 0.0;
    for (int k = 0; k < d->months; k++)
        for (int c = 0; c < SP_NCAT; c++)
            acute[k] += sp_category_share_2018(c) * sp_macro_factor(d, d->first_month + k, c);
    for (int it = 0; it < 200; it++) /* fixed point: converges geometrically */
        for (int y = BJ_SHOCK_YEAR - BJ_FIRST_YEAR; y < BJ_NYEAR; y++) {
            int k0 = sp_month_make(BJ_FIRST_YEAR + y, 1) - d->first_month;
            double mean = 0;
            for (int k = k0; k < k0 + 12; k++)
                mean += acute[k] * shock_level(L, d->first_month + k) / 12.0;
            L[y] *= bj_consumption[y] / bj_consumption[BJ_BASE_YEAR - BJ_FIRST_YEAR] / mean;
        }
    for (int k = 0; k < d->months; k++)
        for (int c = 0; c < SP_NCAT; c++)
            d->shock[k][c] *= shock_level(L, d->first_month + k);
}

int sp_macro_beijing(sp_macro_def *d, int with_shocks, sp_err *err)
{
    int first = sp_month_make(BJ_BASE_YEAR, 1), last = sp_month_make(BJ_LAST_YEAR, 12);
    sp_macro_def_neutral(d, first, last - first + 1, BJ_BASE_YEAR);
    snprintf(d->label, sizeof d->label, with_shocks ? "beijing" : "beijing (no shock)");
    beijing_income_prices(d);
    if (with_shocks)
        beijing_shock(d);
    return sp_macro_validate(d, err);
}
