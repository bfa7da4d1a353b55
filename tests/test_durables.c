/* test_durables.c: the household durable stock (core/durables.h) and the
 * appliance trade-in (core/appliance_tradein.h).
 *
 * Exact rules: the stock as drawn holds the published items per household;
 * bad definitions are errors naming the field; a trade-in budget is never
 * overspent and the programme closes; one item per type (with one eligible
 * type, subsidised items = first-time buyers); a package identical to the
 * baseline differs by exactly zero. Statistical, at fixed seeds (20,000
 * households, 5 replicates; the 95% t-interval over replicates must lie in
 * the band): N10 (share of the stock reaching its safe-use age in a year),
 * N1 and N2 (the 2009-11 rule), N3 and N4 (the 2024 rule), N5 (Beijing's
 * 2015-18 rule); and the timing: extra purchases in the window, missing
 * purchases after it. The figures print as "# N.. " lines. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "spendsim.h"

enum { REPS = 5 };
#define T95 2.776 /* t(0.975, 4) for 5 replicates */

SP_TEST_POPULATION(20000, 3) /* 20,000 households */

static unsigned type_bits(const int *types, int n)
{
    unsigned b = 0;
    for (int k = 0; k < n; k++)
        b |= 1u << types[k];
    return b;
}

/* The 2009-11 national rule: 10% of the price, caps TV 400, AC 350, fridge
 * 300, washer 250 yuan (china.org.cn 2010-02-08); PCs are not in the stock. */
static sp_appliance_tradein_def rule_2009(void)
{
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    for (int g = 0; g < SP_NGRADE; g++)
        d.rate[g] = 0.10;
    memset(d.cap, 0, sizeof d.cap);
    d.cap[SP_DUR_TV] = 400;
    d.cap[SP_DUR_AC] = 350;
    d.cap[SP_DUR_FRIDGE] = 300;
    d.cap[SP_DUR_WASHER] = 250;
    const int types[] = {SP_DUR_TV, SP_DUR_FRIDGE, SP_DUR_WASHER, SP_DUR_AC};
    d.types = type_bits(types, 4);
    return d;
}

/* Beijing 2015-18: 13% for grade 1, 8% for grade 2, at most 800 yuan. */
static sp_appliance_tradein_def rule_beijing_2015(void)
{
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    d.rate[SP_GRADE_1] = 0.13;
    d.rate[SP_GRADE_2] = 0.08;
    d.rate[SP_GRADE_OTHER] = 0;
    for (int t = 0; t < SP_DUR_NTYPE; t++)
        d.cap[t] = 800;
    return d;
}

static sp_results *run_plan(const sp_appliance_tradein_def *d, int start, int months, int reps,
                            uint32_t seed)
{
    sp_err e;
    sp_package *base = sp_package_alloc("Status quo", &e);
    sp_package *plan = sp_package_alloc("Trade-in", &e);
    assert_int_equal(sp_package_add_appliance_tradein(plan, "trade-in", d, &e), SP_OK);
    sp_experiment_def x = sp_experiment_def_default();
    x.population = pop;
    x.packages[0] = base;
    x.packages[1] = plan;
    x.npackages = 2;
    x.start_month = start;
    x.months = months;
    x.replicates = reps;
    x.seed = seed;
    x.threads = 2;
    sp_results *r = sp_experiment_run(&x, &e);
    if (!r)
        fail_msg("%s", e.msg);
    sp_package_free(base);
    sp_package_free(plan);
    return r;
}

/* Sum of a metric of package p, replicate rep, over months m0..m1 (all households). */
static double total(const sp_results *r, int p, int rep, int m0, int m1, int metric)
{
    double s = 0;
    for (int m = m0; m <= m1; m++)
        s += sp_results_get(r, p, rep, m, 0, metric);
    return s;
}

/* Mean and 95% half-width over REPS values; checks the interval lies in [lo, hi]. */
static void check_band(const char *id, const char *what, const double *v, double lo, double hi)
{
    double mean = 0, ss = 0;
    for (int k = 0; k < REPS; k++)
        mean += v[k] / REPS;
    for (int k = 0; k < REPS; k++)
        ss += (v[k] - mean) * (v[k] - mean);
    const double half = T95 * sqrt(ss / (REPS - 1) / REPS);
    printf("# %s %s: %.4g (%.4g-%.4g), band %.4g-%.4g\n", id, what, mean, mean - half, mean + half, lo, hi);
    assert_true(mean - half >= lo);
    assert_true(mean + half <= hi);
}

/* ---- the stock ---- */

static void test_stock_as_drawn(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_durables_model *m = malloc(sizeof *m);
    assert_int_equal(sp_durables_model_init(m, &p, NULL), SP_OK);
    double items[SP_DUR_NTYPE] = {0}, w = 0;
    for (size_t i = 0; i < pop->n; i++) {
        sp_dur_house h;
        sp_durables_draw(m, pop, sp_rng_key_make(1, 0), i, sp_month_make(2020, 1), 99, &h);
        for (int s = 0; s < SP_DUR_SLOTS; s++) {
            if (h.age[s] == SP_DUR_ABSENT)
                continue;
            assert_true(h.age[s] <= SP_DUR_AGE_MAX);
            items[sp_durable_slot_type(s)] += pop->weight[i];
        }
        assert_true(h.reno <= SP_DUR_RENO_MAX);
        w += pop->weight[i];
    }
    double appliances = 0;
    for (int t = 0; t < SP_DUR_NTYPE; t++) {
        const double per100 = 100 * items[t] / w;
        assert_true(fabs(per100 - sp_durable_info_of(t)->per100) < 1.5);
        if (t != SP_DUR_FURNITURE)
            appliances += items[t] / w;
    }
    /* Beijing: "over 50 million" appliances in 8.23 m households (Xinhua 2024) */
    printf("# stock: %.2f appliances per household (published: over 50 m / 8.23 m = 6.1)\n", appliances);
    assert_true(fabs(appliances - sp_durables_appliances_per_household()) < 0.02);
    assert_true(appliances >= 6.1 && appliances <= 7.0);
    assert_int_equal(sp_durable_find("air_conditioner"), SP_DUR_AC);
    assert_int_equal(sp_durable_find("toaster"), -1);
    free(m);
}

/* N10: the baseline hazards' share of the CHEAA types' stock (fridge,
 * washer, AC, water heater, range hood) reaching its safe-use age in a year,
 * simulated over 12 months from the stationary stock. */
static void test_n10_safe_age_share(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_durables_model *m = malloc(sizeof *m);
    assert_int_equal(sp_durables_model_init(m, &p, NULL), SP_OK);
    const unsigned cheaa = (1u << SP_DUR_FRIDGE) | (1u << SP_DUR_WASHER) | (1u << SP_DUR_AC) |
                           (1u << SP_DUR_WATER_HEATER) | (1u << SP_DUR_RANGE_HOOD);
    double v[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        const sp_rng_key key = sp_rng_key_make(31, (uint32_t)rep);
        double reached = 0, stock = 0;
        for (size_t i = 0; i < pop->n; i++) {
            sp_dur_house h;
            sp_durables_draw(m, pop, key, i, 0, 1, &h);
            for (int t = 0; t < 12; t++) {
                uint32_t w[3][4];
                for (uint32_t k = 0; k < 3; k++)
                    sp_rng_words(key, (uint32_t)i, (uint32_t)t, 2, k, w[k]);
                const int reno = sp_u01(w[2][2]) < sp_durables_reno_hazard(m, sp_durables_mover(pop, i), h.reno);
                h.reno = reno ? 0 : (uint16_t)(h.reno + 1);
                for (int s = 0; s < SP_DUR_SLOTS; s++) {
                    const int type = sp_durable_slot_type(s);
                    if (h.age[s] == SP_DUR_ABSENT || !((cheaa >> type) & 1u))
                        continue;
                    stock += pop->weight[i] / 12.0;
                    int ind;
                    if (sp_durables_bought(m, &h, s, pop->quintile[i], sp_u01(w[s / 4][s % 4]), reno, 0, &ind)) {
                        h.age[s] = 0;
                        continue;
                    }
                    sp_durables_age(&h, s);
                    if (h.age[s] == (int)lround(12 * sp_durable_info_of(type)->safe_years))
                        reached += pop->weight[i];
                }
            }
        }
        v[rep] = reached / stock;
    }
    check_band("N10", "share of the stock reaching its safe-use age in a year", v, 0.06, 0.11);
    free(m);
}

/* ---- rules ---- */

static void test_validate(void **state)
{
    (void)state;
    sp_err e;
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    assert_int_equal(sp_appliance_tradein_validate(&d, &e), SP_OK);
    d.rate[SP_GRADE_1] = 1.5;
    assert_int_equal(sp_appliance_tradein_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "rate_grade1"));
    d = sp_appliance_tradein_def_default();
    d.cap[SP_DUR_TV] = -1;
    assert_int_equal(sp_appliance_tradein_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "cap of tv"));
    d = sp_appliance_tradein_def_default();
    d.types = 0;
    assert_int_equal(sp_appliance_tradein_validate(&d, &e), SP_EINVAL);
    d = sp_appliance_tradein_def_default();
    d.rate[0] = d.rate[1] = d.rate[2] = 0;
    assert_int_equal(sp_appliance_tradein_validate(&d, &e), SP_EINVAL);
    d = sp_appliance_tradein_def_default();
    d.end_month = d.start_month - 1;
    assert_int_equal(sp_appliance_tradein_validate(&d, &e), SP_EINVAL);
    /* the subsidy and the upgrade respect the cap */
    d = sp_appliance_tradein_def_default();
    assert_true(sp_appliance_tradein_rate(&d) == 0.20);
    assert_true(sp_appliance_tradein_subsidy(&d, SP_DUR_TV, 4000) == 800);
    assert_true(sp_appliance_tradein_subsidy(&d, SP_DUR_TV, 20000) == 2000);
    assert_true(fabs(sp_appliance_tradein_upgrade(&d, SP_DUR_TV, 4000, 1.0) - 5000) < 1e-9);
    assert_true(sp_appliance_tradein_upgrade(&d, SP_DUR_TV, 9000, 1.0) == 10000); /* cap binds at 10,000 */
    assert_true(sp_appliance_tradein_upgrade(&d, SP_DUR_TV, 12000, 1.0) == 12000);
}

/* A budget is never overspent; the programme then closes. */
static void test_budget_never_overspent(void **state)
{
    (void)state;
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    d.budget = 2e8;
    sp_results *r = run_plan(&d, sp_month_make(2024, 7), 12, 1, 5);
    const double paid = total(r, 1, 0, 0, 11, SP_M_APPLIANCE_SUBSIDY);
    printf("# budget 2e8: paid %.6g\n", paid);
    assert_true(paid <= d.budget * (1 + 1e-12));
    assert_true(paid > 0.9 * d.budget);
    double after = 0;
    for (int m = 0; m < 12; m++) {
        const double s = sp_results_get(r, 1, 0, m, 0, SP_M_APPLIANCE_SUBSIDY);
        if (s == 0 && m > 1)
            after = 1; /* closed */
        if (after)
            assert_true(s == 0);
    }
    assert_true(after);
    assert_true(total(r, 1, 0, 0, 11, SP_M_GOV_COST) == paid);
    sp_results_free(r);
}

/* One item per type per household: with the TV (two slots) as the only
 * eligible type, over five years, subsidised items = first-time buyers. */
static void test_one_item_per_type(void **state)
{
    (void)state;
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    d.types = 1u << SP_DUR_TV;
    d.start_month = sp_month_make(2020, 1);
    d.end_month = sp_month_make(2024, 12);
    sp_results *r = run_plan(&d, sp_month_make(2020, 1), 60, 1, 5);
    const double units = total(r, 1, 0, 0, 59, SP_M_APPLIANCE_UNITS);
    const double buyers = total(r, 1, 0, 0, 59, SP_M_APPLIANCE_BUYERS);
    assert_true(units > 0);
    assert_true(fabs(units - buyers) <= 1e-9 * units);
    sp_results_free(r);
}

/* The same measure in both packages: every cell equal, exactly. */
static void test_identical_package_zero(void **state)
{
    (void)state;
    sp_err e;
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    sp_package *a = sp_package_alloc("A", &e);
    assert_int_equal(sp_package_add_appliance_tradein(a, "trade-in", &d, &e), SP_OK);
    sp_package *b = sp_package_derive(a, "B", &e);
    sp_experiment_def x = sp_experiment_def_default();
    x.population = pop;
    x.packages[0] = a;
    x.packages[1] = b;
    x.npackages = 2;
    x.start_month = sp_month_make(2024, 6);
    x.months = 10;
    x.seed = 4;
    x.threads = 2;
    sp_results *r = sp_experiment_run(&x, &e);
    assert_non_null(r);
    const size_t cells = (size_t)10 * SP_NGROUP * SP_NMETRIC;
    assert_memory_equal(sp_results_at(r, 0, 0, 0), sp_results_at(r, 1, 0, 0), cells * sizeof(double));
    assert_true(total(r, 0, 0, 0, 9, SP_M_APPLIANCE_SUBSIDY) > 0);
    sp_results_free(r);
    sp_package_free(a);
    sp_package_free(b);
}

/* Purchases brought forward: more items and household-goods spending in a
 * six-month window, fewer items in the two years after it. */
static void test_pull_forward_dip(void **state)
{
    (void)state;
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    d.start_month = sp_month_make(2024, 1);
    d.end_month = sp_month_make(2024, 6);
    sp_results *r = run_plan(&d, sp_month_make(2024, 1), 30, 2, 6);
    for (int rep = 0; rep < 2; rep++) {
        const double in = total(r, 1, rep, 0, 5, SP_M_DURABLES_EXTRA);
        const double after = total(r, 1, rep, 6, 29, SP_M_DURABLES_EXTRA);
        const double goods = total(r, 1, rep, 0, 5, SP_M_SPEND0 + SP_CAT_HOUSEHOLD_GOODS) -
                             total(r, 0, rep, 0, 5, SP_M_SPEND0 + SP_CAT_HOUSEHOLD_GOODS);
        const double goods_after = total(r, 1, rep, 6, 29, SP_M_SPEND0 + SP_CAT_HOUSEHOLD_GOODS) -
                                   total(r, 0, rep, 6, 29, SP_M_SPEND0 + SP_CAT_HOUSEHOLD_GOODS);
        const double units = total(r, 1, rep, 0, 5, SP_M_APPLIANCE_UNITS);
        printf("# timing: %.4g extra items in the window (%.2f of subsidised items), %.4g after; "
               "household goods %+.4g / %+.4g yuan\n", in, in / units, after, goods, goods_after);
        assert_true(in > 0);
        assert_true(after < 0);
        assert_true(-after > 0.5 * in); /* most extra purchases were brought forward */
        assert_true(goods > 0);
        assert_true(goods_after < 0);
    }
    sp_results_free(r);
}

/* ---- calibration: N1-N5 ---- */

static void test_n1_n2_rule_2009(void **state)
{
    (void)state;
    sp_appliance_tradein_def d = rule_2009();
    d.start_month = sp_month_make(2020, 1);
    d.end_month = sp_month_make(2021, 12);
    sp_results *r = run_plan(&d, d.start_month, 24, REPS, 7);
    double n1[REPS], n2[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        const double sales = total(r, 1, rep, 0, 23, SP_M_APPLIANCE_SALES);
        n1[rep] = total(r, 1, rep, 0, 23, SP_M_APPLIANCE_SUBSIDY) / sales;
        n2[rep] = sales / total(r, 1, rep, 0, 23, SP_M_APPLIANCE_UNITS);
    }
    check_band("N1", "2009-11 rule: subsidy / subsidised sales", n1, 0.085, 0.115);
    check_band("N2", "2009-11 rule: yuan per subsidised unit", n2, 3300, 4100);
    sp_results_free(r);
}

static void test_n3_n4_rule_2024(void **state)
{
    (void)state;
    sp_appliance_tradein_def d = sp_appliance_tradein_def_default();
    d.start_month = sp_month_make(2024, 8);
    d.end_month = sp_month_make(2025, 7);
    sp_results *r = run_plan(&d, d.start_month, 12, REPS, 8);
    double n3[REPS], n4[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        const double units = total(r, 1, rep, 0, 11, SP_M_APPLIANCE_UNITS);
        n3[rep] = total(r, 1, rep, 0, 11, SP_M_APPLIANCE_SALES) / units;
        n4[rep] = units / total(r, 1, rep, 0, 11, SP_M_APPLIANCE_BUYERS);
    }
    check_band("N3", "2024 rule: yuan per subsidised unit", n3, 4000, 5200);
    check_band("N4", "2024 rule: subsidised units per participating household in a year", n4, 1.4, 1.8);
    sp_results_free(r);
}

static void test_n5_beijing_2015(void **state)
{
    (void)state;
    sp_appliance_tradein_def d = rule_beijing_2015();
    d.start_month = sp_month_make(2019, 1);
    d.end_month = sp_month_make(2021, 12);
    sp_results *r = run_plan(&d, d.start_month, 36, REPS, 9);
    double n5[REPS];
    for (int rep = 0; rep < REPS; rep++)
        n5[rep] = total(r, 1, rep, 0, 35, SP_M_APPLIANCE_UNITS) / 3.0 /
                  sp_results_get(r, 1, rep, 0, 0, SP_M_HOUSEHOLDS);
    check_band("N5", "Beijing 8%/13% rule, cap 800: subsidised items per household-year", n5, 0.20, 0.36);
    sp_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stock_as_drawn),
        cmocka_unit_test(test_n10_safe_age_share),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_budget_never_overspent),
        cmocka_unit_test(test_one_item_per_type),
        cmocka_unit_test(test_identical_package_zero),
        cmocka_unit_test(test_pull_forward_dip),
        cmocka_unit_test(test_n1_n2_rule_2009),
        cmocka_unit_test(test_n3_n4_rule_2024),
        cmocka_unit_test(test_n5_beijing_2015),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
