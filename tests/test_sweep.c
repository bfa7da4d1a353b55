/* test_sweep.c: an experiment at points (core/sweep.h). A point equals a
 * separate experiment with the same seed bit for bit, for a parameter and for
 * a number in a measure's definition; a point that overrides nothing equals
 * the experiment; a parameter drawn per replicate is fixed by the point; the
 * changed measure is validated again (the kind's own message); bad overrides;
 * the grid's points, labels and checks; the sweep's table and chart table. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static sp_population *pop;
static sp_package *base, *plan;

static sp_package *plan_of(double amount)
{
    sp_package *p = sp_package_alloc("Plan", NULL);
    sp_cash_transfer_def c = sp_cash_transfer_def_default();
    c.amount = amount;
    c.start_month = sp_month_make(2020, 2);
    assert_int_equal(sp_package_add_cash_transfer(p, "cash", &c, NULL), SP_OK);
    return p;
}

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 3000;
    d.seed = 5;
    pop = sp_beijing_build(&d, NULL);
    base = sp_package_alloc("Status quo", NULL);
    plan = plan_of(1000);
    return pop && base && plan ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    sp_package_free(base);
    sp_package_free(plan);
    return 0;
}

static sp_experiment_def def_with(const sp_package *p)
{
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    d.packages[0] = base;
    d.packages[1] = p;
    d.npackages = 2;
    d.start_month = sp_month_make(2020, 1);
    d.months = 4;
    d.replicates = 2;
    d.seed = 9;
    return d;
}

static void same(const sp_results *a, const sp_results *b)
{
    assert_int_equal(a->npackages, b->npackages);
    size_t n = (size_t)a->npackages * a->nreplicates * a->nmonths * SP_NGROUP * SP_NMETRIC;
    assert_memory_equal(a->cube, b->cube, n * sizeof(double));
}

static sp_override measure_override(double amount)
{
    sp_override o;
    memset(&o, 0, sizeof o);
    o.kind = SP_OVERRIDE_MEASURE;
    strcpy(o.name, "Plan/cash.amount");
    o.package = 1;
    o.measure = 0;
    o.offset = offsetof(sp_cash_transfer_def, amount);
    o.type = SP_OVERRIDE_DOUBLE;
    o.value = amount;
    return o;
}

static void test_point_equals_experiment(void **state)
{
    (void)state;
    sp_experiment_def d = def_with(plan);
    sp_err err;
    /* nothing overridden: the experiment itself */
    sp_results *a = sp_point_run(&d, NULL, 0, &err), *b = sp_experiment_run(&d, &err);
    same(a, b);
    sp_results_free(a);
    sp_results_free(b);
    /* a measure key and a parameter */
    sp_override ov[2] = {measure_override(2500), {0}};
    ov[1].kind = SP_OVERRIDE_PARAM;
    strcpy(ov[1].name, "mpc_poor_htm");
    ov[1].value = 0.55;
    a = sp_point_run(&d, ov, 2, &err);
    assert_non_null(a);
    sp_package *p2 = plan_of(2500);
    sp_experiment_def d2 = def_with(p2);
    assert_int_equal(sp_params_set(&d2.params, "mpc_poor_htm", 0.55, NULL), SP_OK);
    b = sp_experiment_run(&d2, &err);
    same(a, b);
    /* and it differs from the experiment without the overrides */
    sp_results *c = sp_experiment_run(&d, &err);
    size_t block = (size_t)a->nreplicates * a->nmonths * SP_NGROUP * SP_NMETRIC;
    assert_memory_not_equal(sp_results_at(a, 1, 0, 0), sp_results_at(c, 1, 0, 0),
                            block * sizeof(double));
    sp_results_free(a);
    sp_results_free(b);
    sp_results_free(c);
    sp_package_free(p2);
}

static void test_point_fixes_a_drawn_parameter(void **state)
{
    (void)state;
    sp_experiment_def d = def_with(plan);
    d.ndists = 1;
    d.dists[0].kind = SP_DIST_UNIFORM;
    strcpy(d.dists[0].name, "mpc_poor_htm");
    d.dists[0].a = 0.2;
    d.dists[0].b = 0.8;
    sp_override o;
    memset(&o, 0, sizeof o);
    o.kind = SP_OVERRIDE_PARAM;
    strcpy(o.name, "mpc_poor_htm");
    o.value = 0.4;
    sp_experiment_def out;
    sp_package *owned[SP_MAX_PACKAGES];
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, NULL), SP_OK);
    assert_int_equal(out.ndists, 0);
    double v;
    sp_params_get(&out.params, "mpc_poor_htm", &v, NULL);
    assert_true(v == 0.4);
    assert_null(owned[0]);
    assert_null(owned[1]);
    assert_ptr_equal(out.packages[1], plan); /* unchanged packages are shared */
}

static void test_bad_overrides(void **state)
{
    (void)state;
    sp_experiment_def d = def_with(plan), out;
    sp_package *owned[SP_MAX_PACKAGES];
    sp_err err;
    /* the kind validates the changed measure: its own message */
    sp_override o = measure_override(-5);
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_EINVAL);
    sp_cash_transfer_def c = sp_cash_transfer_def_default();
    c.amount = -5;
    sp_err own;
    assert_int_not_equal(sp_cash_transfer_validate(&c, &own), SP_OK);
    char want[600];
    snprintf(want, sizeof want, "Plan/cash.amount = -5: %s", own.msg);
    assert_string_equal(err.msg, want);
    assert_null(sp_point_run(&d, &o, 1, &err));
    o = measure_override(5);
    o.offset = SP_MEASURE_DEF_MAX;
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "outside the measure's definition"));
    o = measure_override(5);
    o.type = SP_OVERRIDE_INT;
    o.offset = offsetof(sp_cash_transfer_def, months);
    o.value = 1.5;
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "must be an integer"));
    o.value = 3; /* an int key: months of the spread */
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_OK);
    const sp_cash_transfer_def *cd = sp_measure_def(&out.packages[1]->measures[0]);
    assert_int_equal(cd->months, 3);
    sp_package_free(owned[1]);
    o = measure_override(5);
    o.measure = 4;
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "no such package or measure"));
    o = measure_override(NAN);
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_EINVAL);
    memset(&o, 0, sizeof o);
    o.kind = SP_OVERRIDE_PARAM;
    strcpy(o.name, "no_such_parameter");
    assert_int_not_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_OK);
    assert_non_null(strstr(err.msg, "no_such_parameter = 0: "));
    o.kind = (sp_override_kind)9;
    assert_int_equal(sp_point_apply(&d, &o, 1, &out, owned, &err), SP_EINVAL);
    d.npackages = 0;
    assert_null(sp_point_run(&d, NULL, 0, &err));
}

static void test_grid(void **state)
{
    (void)state;
    const double a[] = {1, 2, 3}, b[] = {0.5, 0.7};
    sp_grid g = {2, {"a", "b"}, {a, b}, {3, 2}};
    sp_err err;
    assert_int_equal(sp_grid_points(&g, &err), 6);
    double x[2];
    sp_grid_point(&g, 0, x);
    assert_true(x[0] == 1 && x[1] == 0.5);
    sp_grid_point(&g, 3, x); /* the last name varies fastest */
    assert_true(x[0] == 2 && x[1] == 0.7);
    char buf[64];
    sp_grid_label(&g, 5, buf, sizeof buf);
    assert_string_equal(buf, "a=3, b=0.7");
    g.counts[1] = 0;
    assert_int_equal(sp_grid_points(&g, &err), SP_EINVAL);
    assert_string_equal(err.msg, "'b' has no values (give at least one)");
    g.counts[1] = 2;
    g.names[1] = "a";
    assert_int_equal(sp_grid_points(&g, &err), SP_EINVAL);
    assert_string_equal(err.msg, "'a' is swept twice");
    g.names[1] = "";
    assert_int_equal(sp_grid_points(&g, &err), SP_EINVAL);
    g.names[1] = "b";
    const double bad[] = {1, NAN};
    g.values[1] = bad;
    assert_int_equal(sp_grid_points(&g, &err), SP_EINVAL);
    assert_string_equal(err.msg, "'b' value 2 is not a finite number");
    g.k = 0;
    assert_int_equal(sp_grid_points(&g, &err), SP_EINVAL);
    static double many[SP_SWEEP_MAX_POINTS];
    sp_grid big = {2, {"a", "b"}, {many, many}, {SP_SWEEP_MAX_POINTS, 2}};
    assert_int_equal(sp_grid_points(&big, &err), SP_EINVAL);
}

static void test_tables(void **state)
{
    (void)state;
    const double amounts[] = {500, 2000}, mpcs[] = {0.3, 0.6};
    sp_grid g = {2, {"Plan/cash.amount", "mpc_poor_htm"}, {amounts, mpcs}, {2, 2}};
    sp_experiment_def d = def_with(plan);
    sp_results *res[4];
    sp_err err;
    for (int i = 0; i < 4; i++) {
        double x[2];
        sp_grid_point(&g, i, x);
        sp_override ov[2] = {measure_override(x[0]), {0}};
        ov[1].kind = SP_OVERRIDE_PARAM;
        strcpy(ov[1].name, "mpc_poor_htm");
        ov[1].value = x[1];
        res[i] = sp_point_run(&d, ov, 2, &err);
        assert_non_null(res[i]);
    }
    sp_objective o = sp_objective_default();
    o.metric = SP_M_TRANSFERS;
    o.diff = 0;
    sp_table *t = sp_sweep_table(&g, (const sp_results *const *)res, &o, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 4);
    assert_int_equal(t->ncols, 3);
    assert_string_equal(t->row_labels[2], "Plan/cash.amount=2000, mpc_poor_htm=0.3");
    assert_string_equal(t->col_labels[0], "Plan/cash.amount");
    assert_string_equal(t->col_labels[2], "value");
    assert_true(sp_table_get(t, 2, 0) == 2000 && sp_table_get(t, 2, 1) == 0.3);
    for (int i = 0; i < 4; i++) {
        double v;
        assert_int_equal(sp_objective_eval(&o, res[i], &v, &err), SP_OK);
        assert_true(fabs(sp_table_get(t, (size_t)i, 2) - v) <= 1e-12 * fabs(v));
    }
    /* transfers paid: amount x households, whatever the MPC */
    assert_true(fabs(sp_table_get(t, 2, 2) / sp_table_get(t, 0, 2) - 4) <= 1e-12);
    sp_table *c = sp_sweep_chart_table(&g, (const sp_results *const *)res, &o, &err);
    assert_non_null(c);
    assert_int_equal(c->nrows, 2); /* one series per MPC */
    assert_int_equal(c->ncols, 2); /* x axis: the amounts */
    assert_string_equal(c->col_labels[1], "2000");
    assert_string_equal(c->row_labels[1], "mpc_poor_htm=0.6");
    assert_true(sp_table_get(c, 1, 1) == sp_table_get(t, 3, 2));
    sp_table_free(c);
    sp_table_free(t);
    o.from = sp_month_make(2019, 1);
    assert_null(sp_sweep_table(&g, (const sp_results *const *)res, &o, &err));
    assert_null(sp_sweep_chart_table(&g, (const sp_results *const *)res, &o, &err));
    for (int i = 0; i < 4; i++)
        sp_results_free(res[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_equals_experiment),
        cmocka_unit_test(test_point_fixes_a_drawn_parameter),
        cmocka_unit_test(test_bad_overrides),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
