/* test_decompose.c: Shapley decomposition of a package by measure
 * (core/decompose.h) on a small experiment: the players are the measures
 * beyond the baseline; coalition packages keep the package's order; the
 * values add up to the package's own effect (a plain experiment), two
 * identical transfers get equal shares and a measure that reaches nobody
 * gets exactly 0; batches of any size give the same values; a package with
 * one measure beyond the baseline is an error; a value callback's error
 * stops it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static sp_population *pop;
static sp_package *base, *plan, *one;

static void transfer(sp_package *p, const char *name, double amount, const char *filter)
{
    sp_cash_transfer_def c = sp_cash_transfer_def_default();
    c.amount = amount;
    c.start_month = sp_month_make(2020, 2);
    strcpy(c.filter, filter);
    assert_int_equal(sp_package_add_cash_transfer(p, name, &c, NULL), SP_OK);
}

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 3000;
    d.seed = 5;
    pop = sp_beijing_build(&d, NULL);
    base = sp_package_alloc("Status quo", NULL);
    transfer(base, "existing", 100, "");
    plan = sp_package_derive(base, "Plan", NULL);
    transfer(plan, "A", 800, "income_quintile <= 2");
    transfer(plan, "B", 800, "income_quintile <= 2");
    transfer(plan, "nobody", 800, "size > 50");
    transfer(plan, "C", 2000, "");
    one = sp_package_derive(base, "One", NULL);
    transfer(one, "A", 800, "");
    return pop && base && plan && one ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    sp_package_free(base);
    sp_package_free(plan);
    sp_package_free(one);
    return 0;
}

static sp_experiment_def settings(void)
{
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    d.start_month = sp_month_make(2020, 1);
    d.months = 4;
    d.replicates = 2;
    d.seed = 9;
    return d;
}

static void test_players_and_coalitions(void **state)
{
    (void)state;
    int idx[SP_MAX_MEASURES];
    assert_int_equal(sp_decompose_players(plan, base, idx), 4);
    assert_int_equal(idx[0], 1); /* "existing" is the baseline's */
    sp_package *c = sp_decompose_coalition(plan, idx, 4, 0x9u, "S", NULL); /* A and C */
    assert_non_null(c);
    assert_int_equal(c->nmeasures, 3);
    assert_string_equal(c->measures[0].name, "existing");
    assert_string_equal(c->measures[1].name, "A");
    assert_string_equal(c->measures[2].name, "C");
    sp_package_free(c);
    /* the same name with another definition is a player */
    sp_package *changed = sp_package_alloc("Changed", NULL);
    transfer(changed, "existing", 200, "");
    assert_int_equal(sp_decompose_players(changed, base, idx), 1);
    sp_package_free(changed);
}

static void test_shapley_values(void **state)
{
    (void)state;
    sp_experiment_def e = settings();
    sp_decompose_def d = sp_decompose_def_default();
    d.experiment = &e;
    d.package = plan;
    d.baseline = base;
    sp_decompose_result r;
    sp_err err;
    assert_int_equal(sp_decompose(&d, &r, &err), SP_OK);
    assert_int_equal(r.n, 4);
    assert_true(r.shapley.exact);
    assert_int_equal(r.shapley.coalitions, 16);
    assert_int_equal(r.experiments, 1);
    /* the package's own effect */
    sp_experiment_def whole = settings();
    whole.packages[0] = base;
    whole.packages[1] = plan;
    whole.npackages = 2;
    sp_results *res = sp_experiment_run(&whole, &err);
    assert_non_null(res);
    double total;
    assert_int_equal(sp_objective_eval(&d.objective, res, &total, &err), SP_OK);
    sp_results_free(res);
    assert_true(r.shapley.v_none == 0);
    assert_true(r.shapley.v_all == total);
    double sum = 0;
    for (int i = 0; i < 4; i++)
        sum += r.shapley.phi[i];
    assert_true(fabs(sum - total) <= 1e-12 * fabs(total));
    assert_string_equal(r.names[0], "A");
    assert_true(r.shapley.phi[0] == r.shapley.phi[1]); /* A and B are the same transfer */
    assert_true(r.shapley.phi[2] == 0);                /* nobody is eligible */
    assert_true(r.shapley.phi[3] > r.shapley.phi[0]);
    /* coalitions in batches of 5: the same values */
    sp_decompose_result r5;
    d.batch = 5;
    assert_int_equal(sp_decompose(&d, &r5, &err), SP_OK);
    assert_int_equal(r5.experiments, 4);
    for (int i = 0; i < 4; i++)
        assert_true(r5.shapley.phi[i] == r.shapley.phi[i]);
}

static int failing_value(void *ud, const sp_results *res, int package, double *v, sp_err *err)
{
    (void)res;
    (void)package;
    (void)v;
    int *calls = ud;
    ++*calls;
    return sp_err_set(err, SP_EIO, "the result function failed");
}

static void test_errors(void **state)
{
    (void)state;
    sp_experiment_def e = settings();
    sp_decompose_def d = sp_decompose_def_default();
    d.experiment = &e;
    d.package = one;
    d.baseline = base;
    sp_decompose_result r;
    sp_err err;
    assert_int_equal(sp_decompose(&d, &r, &err), SP_EINVAL);
    assert_string_equal(err.msg, "package \"One\" adds 1 measure to the baseline \"Status quo\" "
                                 "(A): a decomposition needs at least 2");
    d.package = base;
    assert_int_equal(sp_decompose(&d, &r, &err), SP_EINVAL);
    d.package = plan;
    d.batch = 0;
    assert_int_equal(sp_decompose(&d, &r, &err), SP_EINVAL);
    d.batch = 1;
    int calls = 0;
    d.value = failing_value;
    d.value_ud = &calls;
    assert_int_equal(sp_decompose(&d, &r, &err), SP_EIO);
    assert_int_equal(calls, 1);
    d.experiment = NULL;
    assert_int_equal(sp_decompose(&d, &r, &err), SP_EINVAL);
    /* an experiment error comes back */
    d = sp_decompose_def_default();
    e.months = 0;
    d.experiment = &e;
    d.package = plan;
    d.baseline = base;
    assert_int_equal(sp_decompose(&d, &r, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "months"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_players_and_coalitions),
        cmocka_unit_test(test_shapley_values),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
