/* test_macro.c: the macro path (core/macro.h): validation, its factor in the
 * spending month, common random numbers and thread independence under a path,
 * and the 2019-2021 projection with the default Beijing path against Beijing's
 * recorded per-capita consumption (docs/validation.md, "Projection"). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

#define GM (SP_NGROUP * SP_NMETRIC)

static sp_population *pop; /* 5,000 households, seed 7 */
static sp_package *pk[3];
static sp_macro_def beijing; /* static storage: about 49 kB */

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 5000;
    d.seed = 7;
    pop = sp_beijing_build(&d, NULL);
    pk[0] = sp_package_alloc("Status quo", NULL);
    pk[1] = sp_package_alloc("Same", NULL);
    pk[2] = sp_package_alloc("Transfer", NULL);
    sp_cash_transfer_def ct = sp_cash_transfer_def_default(); /* paid 2020-07 */
    if (!pk[2] || sp_package_add_cash_transfer(pk[2], "transfer", &ct, NULL) != SP_OK)
        return -1;
    return pop && pk[0] && pk[1] && sp_macro_beijing(&beijing, 1, NULL) == SP_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    for (int k = 0; k < 3; k++)
        sp_package_free(pk[k]);
    return 0;
}

static void validate_errors(void **state)
{
    (void)state;
    static sp_macro_def d;
    sp_err err;
    sp_macro_def_neutral(&d, sp_month_make(2019, 1), 12, 2019);
    assert_int_equal(sp_macro_validate(&d, &err), SP_OK);
    d.income[1] = NAN; /* a gap */
    assert_int_equal(sp_macro_validate(&d, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "income[2019-02]"));
    assert_non_null(strstr(err.msg, "gap"));
    d.income[1] = 1;
    d.cpi[2][SP_CAT_FOOD] = -0.5; /* a negative price index */
    assert_int_equal(sp_macro_validate(&d, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "cpi[2019-03].food = -0.5"));
    d.cpi[2][SP_CAT_FOOD] = 1;
    d.shock[4][SP_CAT_HEALTH] = INFINITY;
    assert_int_equal(sp_macro_validate(&d, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "shock[2019-05].health"));
    d.shock[4][SP_CAT_HEALTH] = 1;
    /* a month outside the range */
    assert_int_equal(sp_macro_covers(&d, sp_month_make(2019, 1), sp_month_make(2020, 1), &err),
                     SP_ERANGE);
    assert_non_null(strstr(err.msg, "month 2020-01 is outside"));
    assert_int_equal(sp_macro_covers(&d, sp_month_make(2018, 12), sp_month_make(2019, 3), &err),
                     SP_ERANGE);
    assert_non_null(strstr(err.msg, "month 2018-12 is outside"));
    d.months = 0;
    assert_int_equal(sp_macro_validate(&d, &err), SP_EINVAL);
}

/* The factor multiplies the month's coefficients: neutral = the base-year
 * level (growth 1), and a shock of 0.5 on food halves food's coefficient only. */
static void factor_in_month(void **state)
{
    (void)state;
    static sp_macro_def d;
    sp_params p = sp_params_default();
    p.growth = 1.0;
    sp_spending_model m;
    assert_int_equal(sp_spending_model_init(&m, &p, 2019, NULL), SP_OK);
    int month = sp_month_make(2020, 3);
    sp_macro_def_neutral(&d, sp_month_make(2019, 1), 36, 2019);
    sp_spending_month trend, neutral, shocked;
    sp_spending_month_prepare(&m, month, &trend);
    sp_spending_month_prepare_macro(&m, &d, month, &neutral);
    assert_memory_equal(&trend, &neutral, sizeof trend);
    d.shock[month - d.first_month][SP_CAT_FOOD] = 0.5;
    sp_spending_month_prepare_macro(&m, &d, month, &shocked);
    for (int c = 0; c < SP_NCAT; c++)
        assert_true(shocked.coef[c] == (c == SP_CAT_FOOD ? 0.5f * neutral.coef[c] : neutral.coef[c]));
    /* a price rise of one category alone: its nominal spending rises, the
     * others fall by the overall index (real spending follows real income) */
    d.shock[month - d.first_month][SP_CAT_FOOD] = 1.0;
    d.cpi[month - d.first_month][SP_CAT_FOOD] = 1.1;
    double P = 1.0 + 0.1 * sp_category_share_2018(SP_CAT_FOOD);
    assert_true(fabs(sp_macro_factor(&d, month, SP_CAT_FOOD) - 1.1 / P) < 1e-12);
    assert_true(fabs(sp_macro_factor(&d, month, SP_CAT_HOUSING) - 1.0 / P) < 1e-12);
}

static sp_experiment_def projection_def(int npackages, int threads)
{
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    for (int k = 0; k < npackages; k++)
        d.packages[k] = pk[k];
    d.npackages = npackages;
    d.start_month = sp_month_make(2019, 1);
    d.months = 36;
    d.seed = 42;
    d.threads = threads;
    d.macro = &beijing;
    return d;
}

static sp_results *run(const sp_experiment_def *d)
{
    sp_err err;
    sp_err_clear(&err);
    sp_results *r = sp_experiment_run(d, &err);
    if (!r)
        fail_msg("sp_experiment_run: %s", err.msg);
    return r;
}

/* Spending per person over calendar months first .. first + n - 1 (months
 * from the experiment's start), metric `metric` (a category or the total). */
static double per_capita(const sp_results *r, int package, int first, int n, int metric)
{
    double spend = 0, persons = 0;
    for (int m = first; m < first + n; m++) {
        const double *cell = sp_results_at(r, package, 0, m);
        spend += cell[metric];
        persons += cell[SP_M_PERSONS] / n;
    }
    return spend / persons;
}

/* Published per-capita consumption (data/beijing_macro_path.csv) and the
 * band: 2% (see docs/validation.md, "Projection"). */
static void projection_2019_2021(void **state)
{
    (void)state;
    sp_experiment_def d = projection_def(1, 2);
    sp_results *r = run(&d);
    const double target[3] = {43038, 38903, 43640};
    for (int y = 0; y < 3; y++) {
        double v = per_capita(r, 0, 12 * y, 12, SP_M_SPENDING);
        print_message("# P%d per-capita consumption %d: model %.0f, recorded %.0f (%+.2f%%)\n", y + 1,
                      2019 + y, v, target[y], 100 * (v / target[y] - 1));
        assert_true(fabs(v / target[y] - 1) < 0.02);
    }
    /* held out (not used to build the path): the first half of 2021 */
    double h1 = per_capita(r, 0, 24, 6, SP_M_SPENDING);
    print_message("# P4 per-capita consumption 2021H1: model %.0f, recorded 21564 (%+.2f%%)\n", h1,
                  100 * (h1 / 21564 - 1));
    assert_true(fabs(h1 / 21564 - 1) < 0.03);
    /* shapes: year on year, 2020 recovers quarter by quarter from its first
     * quarter; education falls most and food least (its prices rose 6.1%)
     * between 2019 and 2020 */
    double q[4];
    for (int k = 0; k < 4; k++)
        q[k] = per_capita(r, 0, 12 + 3 * k, 3, SP_M_SPENDING) /
               per_capita(r, 0, 3 * k, 3, SP_M_SPENDING);
    print_message("# P5 2020 year on year by quarter: %+.1f%% %+.1f%% %+.1f%% %+.1f%%\n",
                  100 * (q[0] - 1), 100 * (q[1] - 1), 100 * (q[2] - 1), 100 * (q[3] - 1));
    assert_true(q[0] < q[1] && q[1] < q[2] && q[2] < q[3] && q[3] < 1);
    double ratio[SP_NCAT];
    for (int c = 0; c < SP_NCAT; c++)
        ratio[c] = per_capita(r, 0, 12, 12, SP_M_SPEND0 + c) / per_capita(r, 0, 0, 12, SP_M_SPEND0 + c);
    for (int c = 0; c < SP_NCAT; c++) {
        assert_true(ratio[SP_CAT_EDUCATION] <= ratio[c]);
        assert_true(ratio[SP_CAT_FOOD] >= ratio[c]);
    }
    sp_results_free(r);
}

/* Common random numbers under a path: an identical package differs by
 * exactly zero; a transfer paid in 2020-07 leaves every earlier month exactly
 * unchanged. Results do not depend on the thread count. */
static void crn_and_threads(void **state)
{
    (void)state;
    sp_experiment_def d = projection_def(3, 1);
    d.months = 24;
    sp_results *a = run(&d);
    d.threads = 3;
    sp_results *b = run(&d);
    size_t month_bytes = GM * sizeof(double);
    for (int m = 0; m < d.months; m++) {
        assert_memory_equal(sp_results_at(a, 0, 0, m), sp_results_at(a, 1, 0, m), month_bytes);
        for (int p = 0; p < 3; p++)
            assert_memory_equal(sp_results_at(a, p, 0, m), sp_results_at(b, p, 0, m), month_bytes);
        if (m < 18) /* before 2020-07 */
            assert_memory_equal(sp_results_at(a, 0, 0, m), sp_results_at(a, 2, 0, m), month_bytes);
    }
    assert_true(sp_results_at(a, 2, 0, 18)[SP_M_SPENDING] > sp_results_at(a, 0, 0, 18)[SP_M_SPENDING]);
    sp_results_free(a);
    sp_results_free(b);
}

/* The experiment checks the path: coverage (warmup included) and base year. */
static void experiment_checks(void **state)
{
    (void)state;
    sp_experiment_def d = projection_def(1, 1);
    sp_err err;
    assert_int_equal(sp_experiment_validate(&d, &err), SP_OK);
    d.warmup = 1; /* 2018-12 is before the path */
    assert_int_equal(sp_experiment_validate(&d, &err), SP_ERANGE);
    assert_non_null(strstr(err.msg, "2018-12"));
    d.warmup = 0;
    d.months = 61; /* to 2024-01 */
    assert_int_equal(sp_experiment_validate(&d, &err), SP_ERANGE);
    assert_non_null(strstr(err.msg, "2024-01"));
    static sp_macro_def other;
    sp_macro_def_neutral(&other, sp_month_make(2019, 1), 36, 2020);
    d.months = 36;
    d.macro = &other;
    assert_int_equal(sp_experiment_validate(&d, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "base year"));
}

/* Without the shock the default path is income and prices only: the 2020
 * mean factor is Beijing's income growth (2.5%); relative prices average out
 * to within 0.1%. */
static void beijing_no_shock(void **state)
{
    (void)state;
    static sp_macro_def d;
    assert_int_equal(sp_macro_beijing(&d, 0, NULL), SP_OK);
    double mean = 0;
    for (int k = 1; k <= 12; k++)
        for (int c = 0; c < SP_NCAT; c++)
            mean += sp_category_share_2018(c) * sp_macro_factor(&d, sp_month_make(2020, k), c) / 12;
    assert_true(fabs(mean - 69434.0 / 67756.0) < 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validate_errors),
        cmocka_unit_test(factor_in_month),
        cmocka_unit_test(experiment_checks),
        cmocka_unit_test(beijing_no_shock),
        cmocka_unit_test(crn_and_threads),
        cmocka_unit_test(projection_2019_2021),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
