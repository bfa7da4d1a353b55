/* test_community_outlets.c: neighbourhood convenience outlets
 * (core/community_outlets.h; docs/model.md section 13, docs/validation.md
 * targets N23-N25).
 *
 * Exact rules are unit tests: validation (a share above 1, negative yuan, a
 * window ending before it starts), diverted plus new sales equal the outlets'
 * sales and only covered categories change, the subsidy pays whole outlets
 * within the budget. Through the engine (10,000 Beijing households, seed 6;
 * experiment seed 17): the subsidy is paid once, in full, and is the whole
 * government cost; the outlets' count is exact every month; nothing changes
 * before the window; the net change in served households' covered spending
 * is (1 - diversion) x capture (N25); the diversion drawn per replicate
 * (N24) carries into each replicate's net change; the share of households
 * served is the coverage within a stated tolerance; a package identical to
 * the baseline differs by exactly zero. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "spendsim.h"

SP_TEST_POPULATION(10000, 6)

static void expect_error(const sp_community_outlets_def *d, const char *part)
{
    sp_err e;
    sp_err_clear(&e);
    assert_int_equal(sp_community_outlets_validate(d, &e), SP_EINVAL);
    if (!strstr(e.msg, part))
        fail_msg("\"%s\" not in \"%s\"", part, e.msg);
}

static void test_validate(void **state)
{
    (void)state;
    sp_community_outlets_def d = sp_community_outlets_def_default();
    sp_err e;
    assert_int_equal(sp_community_outlets_validate(&d, &e), SP_OK);
    d.end_month = d.start_month - 1;
    expect_error(&d, "is before start_month");
    d = sp_community_outlets_def_default();
    d.coverage = 1.5;
    expect_error(&d, "coverage must lie in (0, 1] (share of households served), got 1.5");
    d.coverage = 0;
    expect_error(&d, "got 0");
    d = sp_community_outlets_def_default();
    d.capture = 2;
    expect_error(&d, "capture must lie in (0, 1]");
    d = sp_community_outlets_def_default();
    d.diversion = 1.1;
    expect_error(&d, "diversion must lie in 0..1");
    d.diversion = -0.5;
    expect_error(&d, "got -0.5");
    d = sp_community_outlets_def_default();
    d.outlets = 0;
    expect_error(&d, "outlets must be a positive number");
    d = sp_community_outlets_def_default();
    d.subsidy = -1;
    expect_error(&d, "subsidy must be 0 or a positive amount of yuan, got -1");
    d = sp_community_outlets_def_default();
    d.budget = -3;
    expect_error(&d, "budget must be 0");
    d = sp_community_outlets_def_default();
    d.categories = 0;
    expect_error(&d, "at least one category");
}

/* Sales S = capture x covered spending; diverted + new = S exactly; new =
 * (1 - diversion) S, spread over the covered categories in proportion; the
 * other categories are untouched; no covered spending, no sales. */
static void test_shares_add_up(void **state)
{
    (void)state;
    sp_community_outlets_def d = sp_community_outlets_def_default(); /* food, household goods */
    d.capture = 0.2;
    double spend[SP_NCAT] = {1000, 300, 2000, 200, 500, 600, 100, 50};
    sp_outlet_outcome o;
    sp_outlet_effect(&d, 0.9, spend, &o);
    assert_true(fabs(o.sales - 0.2 * 1200) < 1e-9);
    assert_true(fabs(o.diverted + o.net_new - o.sales) < 1e-9);
    assert_true(fabs(o.net_new - 0.1 * 0.2 * 1200) < 1e-9);
    assert_true(fabs(o.change[SP_CAT_FOOD] - 0.02 * 1000) < 1e-9);
    assert_true(fabs(o.change[SP_CAT_HOUSEHOLD_GOODS] - 0.02 * 200) < 1e-9);
    for (int c = 0; c < SP_NCAT; c++)
        if (c != SP_CAT_FOOD && c != SP_CAT_HOUSEHOLD_GOODS)
            assert_true(o.change[c] == 0);
    sp_outlet_effect(&d, 1.0, spend, &o); /* all diverted: nothing new */
    assert_true(o.net_new == 0 && o.diverted == o.sales && o.change[SP_CAT_FOOD] == 0);
    double none[SP_NCAT] = {0};
    sp_outlet_effect(&d, 0.5, none, &o);
    assert_true(o.sales == 0 && o.net_new == 0 && o.diverted == 0);
}

/* The subsidy pays whole outlets within the budget, never more. */
static void test_budget_never_overspent(void **state)
{
    (void)state;
    sp_community_outlets_def d = sp_community_outlets_def_default();
    double yuan;
    assert_true(sp_community_outlets_paid(&d, &yuan) == 0 && yuan == 0); /* no subsidy */
    d.outlets = 10;
    d.subsidy = 3e5;
    d.budget = 1e6;
    assert_true(sp_community_outlets_paid(&d, &yuan) == 3 && yuan == 9e5);
    d.budget = 3e6;
    assert_true(sp_community_outlets_paid(&d, &yuan) == 10 && yuan == 3e6);
    d.budget = 0; /* unlimited */
    assert_true(sp_community_outlets_paid(&d, &yuan) == 10 && yuan == 3e6);
    d.budget = 2.9e5; /* not one outlet */
    assert_true(sp_community_outlets_paid(&d, &yuan) == 0 && yuan == 0);
    assert_true(sp_community_outlets_paid(&d, NULL) == 0);
}

static sp_results *run2(sp_package *a, sp_package *b, int months, int reps, const sp_param_dist *dist)
{
    sp_err e;
    sp_experiment_def x = sp_experiment_def_default();
    x.population = pop;
    x.packages[0] = a;
    x.packages[1] = b;
    x.npackages = 2;
    x.start_month = sp_month_make(2020, 1);
    x.months = months;
    x.replicates = reps;
    x.seed = 17;
    x.threads = 2;
    if (dist) {
        x.dists[0] = *dist;
        x.ndists = 1;
    }
    sp_results *r = sp_experiment_run(&x, &e);
    if (!r)
        fail_msg("%s", e.msg);
    return r;
}

static double get(const sp_results *r, int p, int rep, int m, int metric)
{
    return sp_results_get(r, p, rep, m, 0, metric);
}

/* 2020-04..2020-09, 500 outlets serving 20% of households, capture 0.05,
 * diversion 0.9 fixed, 2e5 yuan an outlet within a budget of 5e7 (250
 * outlets). */
static void test_through_the_engine(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e), *p = sp_package_alloc("Outlets", &e);
    sp_community_outlets_def d = sp_community_outlets_def_default();
    d.start_month = sp_month_make(2020, 4);
    d.end_month = sp_month_make(2020, 9);
    d.outlets = 500;
    d.coverage = 0.2;
    d.diversion = 0.9;
    d.subsidy = 2e5;
    d.budget = 5e7;
    assert_int_equal(sp_package_add_community_outlets(p, "outlets", &d, &e), SP_OK);
    enum { M = 12 };
    sp_results *r = run2(b, p, M, 2, NULL);
    for (int rep = 0; rep < 2; rep++) {
        double gov = 0, sub = 0;
        for (int m = 0; m < M; m++) {
            const int in = m >= 3 && m <= 8;
            if (!in)
                assert_memory_equal(sp_results_at(r, 0, rep, m), sp_results_at(r, 1, rep, m),
                                    SP_NGROUP * SP_NMETRIC * sizeof(double));
            gov += get(r, 1, rep, m, SP_M_GOV_COST);
            sub += get(r, 1, rep, m, SP_M_OUTLET_SUBSIDY);
            if (!in)
                continue;
            /* the count of outlets is exact every month */
            assert_true(fabs(get(r, 1, rep, m, SP_M_OUTLETS) - 500) < 1e-9 * 500);
            /* diverted + new = sales; new = the change in spending = 0.1 x sales */
            double s = get(r, 1, rep, m, SP_M_OUTLET_SALES), dv = get(r, 1, rep, m, SP_M_OUTLET_DIVERTED);
            double nn = get(r, 1, rep, m, SP_M_OUTLET_NET_NEW);
            double ds = get(r, 1, rep, m, SP_M_SPENDING) - get(r, 0, rep, m, SP_M_SPENDING);
            assert_true(s > 0 && fabs(dv + nn - s) < 1e-9 * s);
            assert_true(fabs(nn - 0.1 * s) < 1e-9 * s);
            assert_true(fabs(ds - nn) < 1e-6 * s);
            /* N25: the served households' covered spending rises by (1 - 0.9) x 0.05 = 0.5% */
            if (m == 3 && rep == 0)
                print_message("net change of served households' covered spending: %.4f%% (N25 band -1%%..+3%%)\n",
                              100 * nn / (s / d.capture));
            assert_true(fabs(nn / (s / d.capture) - 0.005) < 1e-9);
            /* the subsidy is paid in the opening month only */
            if (m != 3)
                assert_true(get(r, 1, rep, m, SP_M_OUTLET_SUBSIDY) == 0);
        }
        assert_true(fabs(sub - 5e7) < 1e-6); /* 250 outlets of 2e5: the budget, not more */
        assert_true(gov == sub);
    }
    /* the households served: their covered spending (sales / capture) is 20%
     * of all households' covered spending in the status quo, within 2
     * percentage points (the coverage draw and differences in spending) */
    const double cov_served = get(r, 1, 0, 4, SP_M_OUTLET_SALES) / d.capture;
    const double cov_all = get(r, 0, 0, 4, SP_M_SPEND0 + SP_CAT_FOOD) +
                           get(r, 0, 0, 4, SP_M_SPEND0 + SP_CAT_HOUSEHOLD_GOODS);
    print_message("served share of covered spending: %.4f (coverage 0.2)\n", cov_served / cov_all);
    assert_true(cov_served / cov_all > 0.18 && cov_served / cov_all < 0.22);
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

/* The diversion's default distribution, drawn per replicate: each
 * replicate's new share of the outlets' sales is 1 minus its draw, inside
 * uniform(0.8, 1.0), so the net change carries the N24 uncertainty. */
static void test_diversion_drawn_per_replicate(void **state)
{
    (void)state;
    sp_err e;
    const sp_measure_ops *ops = sp_measure_kind_find("community_outlets");
    assert_non_null(ops);
    assert_int_equal(ops->ndists, 1);
    assert_string_equal(ops->dists[0].name, "outlet_diversion");
    assert_int_equal(sp_param_dist_validate(&ops->dists[0], &e), SP_OK);
    assert_true(fabs(sp_params_default().outlet_diversion - 0.5 * (ops->dists[0].a + ops->dists[0].b)) < 1e-12);
    sp_package *b = sp_package_alloc("Base", &e), *p = sp_package_alloc("Outlets", &e);
    sp_community_outlets_def d = sp_community_outlets_def_default(); /* diversion from the parameter */
    d.start_month = sp_month_make(2020, 1);
    d.coverage = 0.3;
    assert_int_equal(sp_package_add_community_outlets(p, "outlets", &d, &e), SP_OK);
    enum { REPS = 6 };
    sp_results *r = run2(b, p, 3, REPS, &ops->dists[0]);
    double lo = 1, hi = 0;
    for (int rep = 0; rep < REPS; rep++) {
        double dv = r->param_values[rep], s = 0, nn = 0;
        assert_true(dv >= 0.8 && dv <= 1.0);
        lo = fmin(lo, dv);
        hi = fmax(hi, dv);
        for (int m = 0; m < 3; m++) {
            s += get(r, 1, rep, m, SP_M_OUTLET_SALES);
            nn += get(r, 1, rep, m, SP_M_OUTLET_NET_NEW);
        }
        assert_true(fabs(nn / s - (1 - dv)) < 1e-9);
    }
    assert_true(hi - lo > 0.02);
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

/* A package identical to the baseline (both hold the measure) differs by
 * exactly zero in every cell. */
static void test_identical_package_zero(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Base", &e);
    sp_community_outlets_def d = sp_community_outlets_def_default();
    d.start_month = sp_month_make(2020, 2);
    d.subsidy = 1e5;
    snprintf(d.filter, sizeof d.filter, "income_quintile <= 3");
    assert_int_equal(sp_package_add_community_outlets(b, "outlets", &d, &e), SP_OK);
    sp_package *p = sp_package_derive(b, "Same", &e);
    sp_results *r = run2(b, p, 5, 2, NULL);
    for (int rep = 0; rep < 2; rep++)
        for (int m = 0; m < 5; m++)
            assert_memory_equal(sp_results_at(r, 0, rep, m), sp_results_at(r, 1, rep, m),
                                SP_NGROUP * SP_NMETRIC * sizeof(double));
    assert_true(get(r, 0, 0, 2, SP_M_OUTLET_SALES) > 0);
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_shares_add_up),
        cmocka_unit_test(test_budget_never_overspent),
        cmocka_unit_test(test_through_the_engine),
        cmocka_unit_test(test_diversion_drawn_per_replicate),
        cmocka_unit_test(test_identical_package_zero),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
