/* test_objective.c: one number from a results cube (core/objective.h), on a
 * cube filled by hand: a flow summed over the window, a stock averaged, per
 * household and per person divided by the group's mean counts, the
 * difference against the baseline per replicate, the mean over replicates,
 * the last package by default, NaN without households; errors for a window
 * outside the months, from after to, a bad metric, group or package. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static sp_results *cube(void)
{
    const char *names[2] = {"Base", "Plan"};
    sp_results *r = sp_results_alloc(2, names, 2, 4, sp_month_make(2020, 1), NULL);
    assert_non_null(r);
    for (int p = 0; p < 2; p++)
        for (int rep = 0; rep < 2; rep++)
            for (int m = 0; m < 4; m++) {
                double *g = sp_results_at(r, p, rep, m);
                g[SP_M_SPENDING] = 100 * (m + 1) + 10 * p + rep; /* group 0: all */
                g[SP_M_HOUSEHOLDS] = 4;
                g[SP_M_PERSONS] = 10;
                g[SP_M_CARS] = m + p;                       /* a stock */
                g[1 * SP_NMETRIC + SP_M_SPENDING] = 7;     /* group 1 (Q1), no households */
            }
    return r;
}

static void test_values(void **state)
{
    (void)state;
    sp_results *r = cube();
    sp_objective o = sp_objective_default();
    double v;
    sp_err err;
    /* change in spending of Plan over all months: 10 per month x 4 */
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(v == 40);
    /* level, window Feb..Mar, mean of replicates: (210+310 + 211+311) / 2 */
    o.diff = 0;
    o.from = sp_month_make(2020, 2);
    o.to = sp_month_make(2020, 3);
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(v == 521);
    double reps[2];
    assert_int_equal(sp_objective_replicates(&o, r, reps, &err), SP_OK);
    assert_true(reps[0] == 520 && reps[1] == 522);
    /* per household and per person divide by the mean counts */
    o.unit = SP_UNIT_PER_HOUSEHOLD;
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(v == 521.0 / 4);
    o.unit = SP_UNIT_PER_CAPITA;
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(v == 52.1);
    /* a stock is averaged over the window: Plan cars (2 + 3) / 2 */
    o.unit = SP_UNIT_TOTAL;
    o.metric = SP_M_CARS;
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(v == 2.5);
    /* the baseline, by index */
    o.package = 0;
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(v == 1.5);
    /* the baseline minus itself is exactly 0 */
    o.diff = 1;
    o.metric = SP_M_SPENDING;
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(v == 0 && !signbit(v));
    /* a group without households: NaN per household */
    o.diff = 0;
    o.group = 1;
    o.unit = SP_UNIT_PER_HOUSEHOLD;
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_OK);
    assert_true(isnan(v));
    char buf[256];
    sp_objective_describe(&o, r, buf, sizeof buf);
    assert_string_equal(buf, "spending (yuan per household), Q1, Base, 2020-02..2020-03");
    sp_results_free(r);
}

static void test_errors(void **state)
{
    (void)state;
    sp_results *r = cube();
    sp_objective o = sp_objective_default();
    double v;
    sp_err err;
    o.from = sp_month_make(2019, 12);
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_ERANGE);
    assert_string_equal(err.msg, "from 2019-12 is outside the reported months 2020-01..2020-04");
    o.from = 0;
    o.to = sp_month_make(2020, 5);
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_ERANGE);
    o.from = sp_month_make(2020, 3);
    o.to = sp_month_make(2020, 2);
    assert_int_equal(sp_objective_eval(&o, r, &v, &err), SP_EINVAL);
    assert_string_equal(err.msg, "from 2020-03 is after to 2020-02");
    o = sp_objective_default();
    o.metric = SP_NMETRIC;
    assert_int_equal(sp_objective_check(&o, r, &err), SP_EINVAL);
    o = sp_objective_default();
    o.group = SP_NGROUP;
    assert_int_equal(sp_objective_check(&o, r, &err), SP_EINVAL);
    o = sp_objective_default();
    o.package = 2;
    assert_int_equal(sp_objective_check(&o, r, &err), SP_ERANGE);
    o = sp_objective_default();
    o.unit = (sp_unit)7;
    assert_int_equal(sp_objective_check(&o, r, &err), SP_EINVAL);
    assert_int_equal(sp_objective_check(&o, NULL, &err), SP_EINVAL);
    sp_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
