/* test_experiment.c: packages x replicates into a results cube
 * (core/experiment.h): validation errors name the field (population,
 * packages, duplicate names, months, replicates, threads, parameters); the
 * cube is bit-identical for 1 and 2 threads and across repeated runs, and
 * differs for another seed; packages without measures give identical blocks
 * (common random numbers); replicates differ; group sums equal the "all"
 * group; progress is reported once per run; and 2019 spending per capita
 * over the whole population (default growth) is within 1% of the
 * population's own planned consumption per capita. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

#define GM (SP_NGROUP * SP_NMETRIC)

static sp_population *small; /* 20,000 households: determinism */
static sp_population *large; /* 50,000 households: calibration */
static sp_package *pk[3];

static sp_population *build(size_t n, uint32_t seed)
{
    sp_beijing_def d = sp_beijing_def_default();
    d.households = n;
    d.seed = seed;
    return sp_beijing_build(&d, NULL);
}

static int setup(void **state)
{
    (void)state;
    small = build(20000, 21);
    large = build(50000, 22);
    pk[0] = sp_package_alloc("Status quo", NULL);
    pk[1] = sp_package_alloc("Plan A", NULL);
    pk[2] = sp_package_alloc("Plan B", NULL);
    return small && large && pk[0] && pk[1] && pk[2] ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(small);
    sp_population_free(large);
    for (int k = 0; k < 3; k++)
        sp_package_free(pk[k]);
    return 0;
}

static sp_experiment_def small_def(void)
{
    sp_experiment_def d = sp_experiment_def_default();
    d.population = small;
    d.packages[0] = pk[0];
    d.packages[1] = pk[1];
    d.npackages = 2;
    d.months = 6;
    d.replicates = 2;
    d.seed = 77;
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

static size_t cube_bytes(const sp_results *r)
{
    return (size_t)r->npackages * r->nreplicates * r->nmonths * GM * sizeof(double);
}

static void test_defaults(void **state)
{
    (void)state;
    sp_experiment_def d = sp_experiment_def_default();
    assert_null(d.population);
    assert_int_equal(d.npackages, 0);
    assert_int_equal(d.start_month, sp_month_make(2019, 1));
    assert_int_equal(d.months, 36);
    assert_int_equal(d.replicates, 1);
    assert_int_equal(d.seed, 1);
    assert_int_equal(d.threads, 1);
    sp_params p = sp_params_default();
    assert_memory_equal(&d.params, &p, sizeof p);
}

static void expect_invalid(const sp_experiment_def *d, const char *field)
{
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_experiment_validate(d, &err), SP_EINVAL);
    if (!strstr(err.msg, field))
        fail_msg("validate: \"%s\" does not name '%s'", err.msg, field);
    sp_err_clear(&err);
    assert_null(sp_experiment_run(d, &err));
    assert_int_equal(err.code, SP_EINVAL);
    if (!strstr(err.msg, field))
        fail_msg("run: \"%s\" does not name '%s'", err.msg, field);
}

static void test_valid_definition(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_experiment_validate(&d, &err), SP_OK);
}

static void test_missing_population(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.population = NULL;
    expect_invalid(&d, "population");
}

static void test_no_packages(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.npackages = 0;
    expect_invalid(&d, "packages");
    d.npackages = SP_MAX_PACKAGES + 1;
    expect_invalid(&d, "packages");
}

static void test_missing_package(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.packages[1] = NULL;
    expect_invalid(&d, "package");
}

static void test_duplicate_package_names(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.packages[1] = pk[0];
    expect_invalid(&d, "Status quo");
    expect_invalid(&d, "packages");
}

static void test_months_zero(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.months = 0;
    expect_invalid(&d, "months");
    d.months = SP_MAX_MONTHS + 1;
    expect_invalid(&d, "months");
}

static void test_replicates_zero(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.replicates = 0;
    expect_invalid(&d, "replicates");
}

static void test_threads_zero(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.threads = 0;
    expect_invalid(&d, "threads");
}

static void test_start_out_of_range(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.start_month = sp_month_make(1990, 1);
    expect_invalid(&d, "start");
}

static void test_bad_parameter(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.params.trip_cv = -1;
    expect_invalid(&d, "trip_cv");
}

static void test_results_metadata(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.start_month = sp_month_make(2020, 4);
    sp_results *r = run(&d);
    assert_int_equal(r->npackages, 2);
    assert_int_equal(r->nreplicates, 2);
    assert_int_equal(r->nmonths, 6);
    assert_int_equal(r->start_month, sp_month_make(2020, 4));
    assert_int_equal(r->seed, 77);
    assert_string_equal(r->package_names[0], "Status quo");
    assert_string_equal(r->package_names[1], "Plan A");
    assert_int_equal(r->sample, small->n);
    assert_float_equal(r->households, small->total_weight, 1e-9);
    sp_results_free(r);
}

static void test_threads_bit_identical(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.threads = 1;
    sp_results *a = run(&d);
    d.threads = 2;
    sp_results *b = run(&d);
    assert_memory_equal(a->cube, b->cube, cube_bytes(a));
    sp_results_free(a);
    sp_results_free(b);
}

static void test_repeat_bit_identical(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.threads = 2;
    sp_results *a = run(&d), *b = run(&d);
    assert_memory_equal(a->cube, b->cube, cube_bytes(a));
    sp_results_free(a);
    sp_results_free(b);
}

static void test_other_seed_differs(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    sp_results *a = run(&d);
    d.seed = 78;
    sp_results *b = run(&d);
    assert_memory_not_equal(a->cube, b->cube, cube_bytes(a));
    for (int m = 0; m < a->nmonths; m++)
        assert_true(sp_results_get(a, 0, 0, m, 0, SP_M_SPENDING) !=
                    sp_results_get(b, 0, 0, m, 0, SP_M_SPENDING));
    sp_results_free(a);
    sp_results_free(b);
}

/* Packages without measures see the same draws: identical blocks, so a
 * difference against the baseline is exactly zero. */
static void test_common_random_numbers(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.packages[2] = pk[2];
    d.npackages = 3;
    d.replicates = 3;
    sp_results *r = run(&d);
    size_t block = (size_t)r->nreplicates * r->nmonths * GM * sizeof(double);
    assert_memory_equal(sp_results_at(r, 1, 0, 0), sp_results_at(r, 0, 0, 0), block);
    assert_memory_equal(sp_results_at(r, 2, 0, 0), sp_results_at(r, 0, 0, 0), block);
    sp_results_free(r);
}

static void test_replicates_differ(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    sp_results *r = run(&d);
    for (int m = 0; m < r->nmonths; m++)
        assert_true(sp_results_get(r, 0, 0, m, 0, SP_M_SPENDING) !=
                    sp_results_get(r, 0, 1, m, 0, SP_M_SPENDING));
    sp_results_free(r);
}

static void test_groups_sum_to_all(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    sp_results *r = run(&d);
    const int metrics[] = {SP_M_HOUSEHOLDS, SP_M_PERSONS, SP_M_SPENDING, SP_M_SPEND0 + SP_CAT_FOOD};
    for (int p = 0; p < r->npackages; p++)
        for (int q = 0; q < r->nreplicates; q++)
            for (int m = 0; m < r->nmonths; m++)
                for (int dim = 1; dim < SP_NDIM; dim++)
                    for (size_t k = 0; k < sizeof metrics / sizeof metrics[0]; k++) {
                        double all = sp_results_get(r, p, q, m, 0, metrics[k]), sum = 0;
                        for (int s = 0; s < sp_dim_count((sp_dim)dim); s++)
                            sum += sp_results_get(r, p, q, m, sp_dim_first((sp_dim)dim) + s,
                                                  metrics[k]);
                        if (!(fabs(sum - all) <= 1e-9 * fabs(all)))
                            fail_msg("%s by %s: %.6f vs all %.6f", sp_metric_name(metrics[k]),
                                     sp_dim_name((sp_dim)dim), sum, all);
                    }
    sp_results_free(r);
}

typedef struct {
    int calls, last_done, total, ordered;
} progress_log;

static void on_progress(void *ud, int done, int total)
{
    progress_log *log = ud;
    log->ordered = log->ordered && done == log->last_done + 1;
    log->calls++;
    log->last_done = done;
    log->total = total;
}

static void test_progress_reported(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.months = 1;
    progress_log log = {0, 0, 0, 1};
    d.progress = on_progress;
    d.progress_ud = &log;
    sp_results *r = run(&d);
    assert_int_equal(log.calls, 4);
    assert_int_equal(log.last_done, 4);
    assert_int_equal(log.total, 4);
    assert_true(log.ordered);
    sp_results_free(r);
}

/* Spending over 2019 divided by persons against the population's planned
 * consumption per capita, sum(w * C) / sum(w * size), default growth. */
static void test_spending_per_capita_2019(void **state)
{
    (void)state;
    sp_experiment_def d = sp_experiment_def_default();
    d.population = large;
    d.packages[0] = pk[0];
    d.npackages = 1;
    d.start_month = sp_month_make(2019, 1);
    d.months = 12;
    d.threads = 2;
    sp_results *r = run(&d);
    double spend = 0, persons = 0;
    for (int m = 0; m < 12; m++) {
        spend += sp_results_get(r, 0, 0, m, 0, SP_M_SPENDING);
        persons += sp_results_get(r, 0, 0, m, 0, SP_M_PERSONS) / 12.0;
    }
    double wc = 0, wp = 0;
    for (size_t i = 0; i < large->n; i++) {
        wc += (double)large->weight[i] * large->consumption[i];
        wp += (double)large->weight[i] * large->size[i];
    }
    double got = spend / persons, want = wc / wp;
    print_message("2019 spending per capita %.0f, planned consumption per capita %.0f (%+.3f%%); "
                  "published 2019 figure about 43,038\n",
                  got, want, 100 * (got / want - 1));
    assert_true(fabs(got / want - 1.0) <= 0.01);
    sp_results_free(r);
}

/* Uncertain parameters are drawn once per replicate: every package of a
 * replicate uses the same value (common random numbers), replicates differ,
 * and the results record the values used. */
static void test_parameter_draws_shared_across_packages(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.replicates = 3;
    d.ndists = 1;
    snprintf(d.dists[0].name, sizeof d.dists[0].name, "growth");
    d.dists[0].kind = SP_DIST_UNIFORM;
    d.dists[0].a = 1.0;
    d.dists[0].b = 1.2;
    sp_results *r = run(&d);
    assert_int_equal(r->nparams, 1);
    assert_string_equal(r->param_names[0], "growth");
    size_t block = (size_t)d.months * SP_NGROUP * SP_NMETRIC * sizeof(double);
    for (int rep = 0; rep < 3; rep++) {
        assert_true(r->param_values[rep] >= 1.0 && r->param_values[rep] <= 1.2);
        assert_memory_equal(sp_results_at(r, 0, rep, 0), sp_results_at(r, 1, rep, 0), block);
    }
    assert_true(r->param_values[0] != r->param_values[1]);
    /* a different growth draw changes spending */
    assert_true(sp_results_get(r, 0, 0, 5, 0, SP_M_SPENDING) != sp_results_get(r, 0, 1, 5, 0, SP_M_SPENDING));
    sp_results_free(r);
    d.dists[0].b = 2.0; /* outside the range of growth: rejected, naming it */
    sp_err e;
    assert_null(sp_experiment_run(&d, &e));
    assert_non_null(strstr(e.msg, "growth"));
}

/* ---- parameter uncertainty by default ---- */

/* With uncertainty on and several replicates, every default distribution is
 * drawn (the packages hold no measure kind with its own), inside its range,
 * once per replicate and shared by the packages of a replicate. */
static void test_default_dists_drawn(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.replicates = 3;
    d.uncertainty = 1;
    size_t nd;
    const sp_param_dist *def = sp_param_default_dists(&nd);
    assert_true(nd >= 5);
    sp_results *r = run(&d);
    assert_int_equal(r->nparams, (int)nd);
    size_t block = (size_t)d.months * GM * sizeof(double);
    for (size_t k = 0; k < nd; k++) {
        assert_string_equal(r->param_names[k], def[k].name);
        const sp_param_info *info = sp_param_find(def[k].name);
        assert_non_null(info);
        assert_true(def[k].a < info->def && info->def < def[k].b); /* centred on the default */
        assert_true(fabs((def[k].a + def[k].b) / 2 - info->def) < 1e-12);
        for (int rep = 0; rep < 3; rep++) {
            double v = r->param_values[(size_t)rep * nd + k];
            assert_true(v >= def[k].a && v <= def[k].b);
        }
        assert_true(r->param_values[k] != r->param_values[nd + k]);
    }
    for (int rep = 0; rep < 3; rep++)
        assert_memory_equal(sp_results_at(r, 0, rep, 0), sp_results_at(r, 1, rep, 0), block);
    sp_results_free(r);
}

/* One replicate: nothing is drawn by default, and the cube is the one of the
 * calibrated model (uncertainty off) bit for bit. */
static void test_default_dists_single_replicate_central(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.replicates = 1;
    d.uncertainty = 1;
    sp_results *a = run(&d);
    assert_int_equal(a->nparams, 0);
    d.uncertainty = 0;
    sp_results *b = run(&d);
    assert_memory_equal(a->cube, b->cube, cube_bytes(a));
    sp_results_free(a);
    sp_results_free(b);
}

/* A value given (set, or different from the default) and a distribution
 * given replace the default distribution of that parameter. */
static void test_given_values_replace_defaults(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.uncertainty = 1;
    sp_err e;
    assert_int_equal(sp_experiment_set_param(&d, "mpc_poor_htm", 0.5, &e), SP_OK); /* = default */
    assert_int_equal(sp_experiment_set_param(&d, "no_such", 0.5, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "no_such"));
    d.params.mpc[SP_LIQ_WEALTHY_HTM] = 0.3;
    d.ndists = 1;
    snprintf(d.dists[0].name, sizeof d.dists[0].name, "substitution_share");
    d.dists[0].kind = SP_DIST_UNIFORM;
    d.dists[0].a = 0.05;
    d.dists[0].b = 0.06;
    sp_param_dist out[SP_MAX_DISTS];
    size_t nd;
    sp_param_default_dists(&nd);
    int n = sp_experiment_dists(&d, out, SP_MAX_DISTS, &e);
    assert_int_equal(n, (int)nd - 2); /* the two given values leave; the distribution replaces */
    assert_string_equal(out[0].name, "substitution_share");
    assert_true(out[0].a == 0.05);
    for (int k = 0; k < n; k++) {
        assert_string_not_equal(out[k].name, "mpc_poor_htm");
        assert_string_not_equal(out[k].name, "mpc_wealthy_htm");
        for (int j = 0; j < k; j++)
            assert_string_not_equal(out[k].name, out[j].name);
    }
    sp_results *r = run(&d);
    for (int rep = 0; rep < d.replicates; rep++)
        assert_true(r->param_values[(size_t)rep * n] >= 0.05 && r->param_values[(size_t)rep * n] <= 0.06);
    sp_results_free(r);
}

/* The only difference a default draw makes is the parameter value: a
 * replicate with drawn values equals, bit for bit, the same replicate run
 * without uncertainty at those values. The cash transfer's effect moves with
 * the drawn MPCs. */
static void test_draw_equals_run_at_drawn_values(void **state)
{
    (void)state;
    sp_err e;
    sp_package *ct = sp_package_alloc("Transfer", &e);
    sp_cash_transfer_def c = sp_cash_transfer_def_default();
    c.amount = 1000;
    c.start_month = sp_month_make(2019, 2);
    assert_int_equal(sp_package_add_cash_transfer(ct, "cash", &c, &e), SP_OK);
    sp_experiment_def d = small_def();
    d.packages[1] = ct;
    d.replicates = 2;
    d.uncertainty = 1;
    sp_results *a = run(&d);
    assert_true(a->nparams > 0);
    sp_experiment_def f = d;
    f.uncertainty = 0;
    for (int k = 0; k < a->nparams; k++)
        assert_int_equal(sp_experiment_set_param(&f, a->param_names[k],
                                                 a->param_values[(size_t)a->nparams + k], &e), SP_OK);
    sp_results *b = run(&f);
    assert_int_equal(b->nparams, 0);
    size_t block = (size_t)d.months * GM * sizeof(double);
    for (int p = 0; p < 2; p++)
        assert_memory_equal(sp_results_at(a, p, 1, 0), sp_results_at(b, p, 1, 0), block);
    /* replicate 0 drew other MPCs: the transfer's effect differs from b's replicate 0 */
    double ea = 0, eb = 0;
    for (int m = 0; m < d.months; m++) {
        ea += sp_results_get(a, 1, 0, m, 0, SP_M_SPENDING) - sp_results_get(a, 0, 0, m, 0, SP_M_SPENDING);
        eb += sp_results_get(b, 1, 0, m, 0, SP_M_SPENDING) - sp_results_get(b, 0, 0, m, 0, SP_M_SPENDING);
    }
    assert_true(ea != eb);
    sp_results_free(a);
    sp_results_free(b);
    sp_package_free(ct);
}

/* Distributions given plus the defaults must fit SP_MAX_DISTS: an error that
 * says how to make room. */
static void test_too_many_draws_is_an_error(void **state)
{
    (void)state;
    sp_experiment_def d = small_def();
    d.uncertainty = 1;
    size_t np, nd;
    const sp_param_info *info = sp_param_table(&np);
    const sp_param_dist *def = sp_param_default_dists(&nd);
    for (size_t k = 0; k < np && d.ndists < SP_MAX_DISTS; k++) {
        int is_default = 0;
        for (size_t j = 0; j < nd; j++)
            is_default |= strcmp(def[j].name, info[k].name) == 0;
        if (is_default)
            continue;
        sp_param_dist *x = &d.dists[d.ndists++];
        snprintf(x->name, sizeof x->name, "%s", info[k].name);
        x->kind = SP_DIST_UNIFORM;
        x->a = info[k].lo;
        x->b = info[k].hi;
    }
    sp_err e;
    assert_null(sp_experiment_run(&d, &e));
    assert_non_null(strstr(e.msg, "uncertainty off"));
    d.uncertainty = 0; /* the given ones alone fit */
    assert_int_equal(sp_experiment_validate(&d, &e), SP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_dists_drawn),
        cmocka_unit_test(test_default_dists_single_replicate_central),
        cmocka_unit_test(test_given_values_replace_defaults),
        cmocka_unit_test(test_draw_equals_run_at_drawn_values),
        cmocka_unit_test(test_too_many_draws_is_an_error),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parameter_draws_shared_across_packages),
        cmocka_unit_test(test_valid_definition),
        cmocka_unit_test(test_missing_population),
        cmocka_unit_test(test_no_packages),
        cmocka_unit_test(test_missing_package),
        cmocka_unit_test(test_duplicate_package_names),
        cmocka_unit_test(test_months_zero),
        cmocka_unit_test(test_replicates_zero),
        cmocka_unit_test(test_threads_zero),
        cmocka_unit_test(test_start_out_of_range),
        cmocka_unit_test(test_bad_parameter),
        cmocka_unit_test(test_results_metadata),
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_repeat_bit_identical),
        cmocka_unit_test(test_other_seed_differs),
        cmocka_unit_test(test_common_random_numbers),
        cmocka_unit_test(test_replicates_differ),
        cmocka_unit_test(test_groups_sum_to_all),
        cmocka_unit_test(test_progress_reported),
        cmocka_unit_test(test_spending_per_capita_2019),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
