/* test_promotion.c: promotion seasons and discounts (core/promotion.h,
 * docs/model.md section 8, docs/validation.md targets N16, N19, N20).
 *
 * Exact rules are unit tests (validation, the window's days, the response
 * formula, funders' shares adding up, postponed purchases put back exactly);
 * responses go through the engine on 6,000 Beijing households (seed 3),
 * experiment seed 5, with the tolerances stated at each check. */
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

SP_TEST_POPULATION(6000, 3)

static sp_promotion_def day(int y, int m, int d0, int y1, int m1, int d1)
{
    sp_promotion_def d = sp_promotion_def_default();
    d.start_month = sp_month_make(y, m);
    d.start_day = d0;
    d.end_month = sp_month_make(y1, m1);
    d.end_day = d1;
    return d;
}

static void expect_error(const sp_promotion_def *d, const char *part)
{
    sp_err e;
    sp_err_clear(&e);
    assert_int_equal(sp_promotion_validate(d, &e), SP_EINVAL);
    if (!strstr(e.msg, part))
        fail_msg("\"%s\" not in \"%s\"", part, e.msg);
}

/* Each bad definition is refused with a message naming the field and value. */
static void test_validate(void **state)
{
    (void)state;
    sp_promotion_def d = day(2020, 6, 18, 2020, 6, 1);
    d.discount[SP_CAT_CLOTHING] = 0.2;
    expect_error(&d, "ends (2020-06-01) before it starts (2020-06-18)");
    d = day(2020, 6, 1, 2020, 5, 30);
    d.discount[SP_CAT_CLOTHING] = 0.2;
    expect_error(&d, "before it starts");
    d = day(2020, 2, 30, 2020, 3, 1);
    d.discount[SP_CAT_CLOTHING] = 0.2;
    expect_error(&d, "day 30 is not a day of 2020-02");
    d = day(2020, 6, 1, 2020, 6, 18);
    expect_error(&d, "at least one category");
    d.discount[SP_CAT_FOOD] = 1.0;
    expect_error(&d, "discount for food must be a share of the price in [0, 1), got 1");
    d.discount[SP_CAT_FOOD] = -0.1;
    expect_error(&d, "discount for food");
    d.discount[SP_CAT_FOOD] = 0.1;
    d.elasticity[SP_CAT_FOOD] = 0.5;
    d.elasticity_set = 1u << SP_CAT_FOOD;
    expect_error(&d, "elasticity for food must lie in -5..0");
    d.elasticity_set = 0;
    d.gov_share = 1.2;
    expect_error(&d, "government share must lie in 0..1");
    d.gov_share = 0.5;
    d.merchant_share = 0.6;
    expect_error(&d, "must add up to 1");
    d.merchant_share = 0.5;
    d.coverage = 0;
    expect_error(&d, "coverage must lie in (0, 1]");
    d.coverage = 1;
    sp_err e;
    assert_int_equal(sp_promotion_validate(&d, &e), SP_OK);
}

/* The days of a window crossing months, and none outside it. */
static void test_days_in(void **state)
{
    (void)state;
    sp_promotion_def d = day(2020, 10, 20, 2020, 11, 11); /* Double 11 with its pre-sale */
    assert_int_equal(sp_promotion_days_in(&d, sp_month_make(2020, 9)), 0);
    assert_int_equal(sp_promotion_days_in(&d, sp_month_make(2020, 10)), 12);
    assert_int_equal(sp_promotion_days_in(&d, sp_month_make(2020, 11)), 11);
    assert_int_equal(sp_promotion_days_in(&d, sp_month_make(2020, 12)), 0);
    d = day(2020, 6, 6, 2020, 10, 8); /* Beijing Consumption Season 2020 */
    assert_int_equal(sp_promotion_days_in(&d, sp_month_make(2020, 7)), 31);
    assert_int_equal(sp_promotion_days_in(&d, sp_month_make(2020, 6)), 25);
}

/* The response in a window month: w1 = w0 (1 - d)^e, the moved share phi
 * split between the month before (announced) and later months; the
 * discount on every purchase made with it, split between the funders so
 * that the two parts add up to it. */
static void test_response_and_funding(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_promotion_def d = day(2020, 6, 1, 2020, 6, 30);
    d.discount[SP_CAT_CLOTHING] = 0.2;
    d.discount[SP_CAT_FOOD] = 0.1;
    d.gov_share = 0.3;
    d.merchant_share = 0.7;
    d.announced = 0;
    double spend[SP_NCAT] = {1000, 400, 3000, 200, 500, 300, 100, 50};
    sp_promotion_outcome o;
    sp_promotion_effect(&d, &p, pop, 0, sp_month_make(2020, 6), 1, spend, &o);
    double xc = 400 * (pow(0.8, -1.0) - 1), xf = 1000 * (pow(0.9, -0.5) - 1);
    /* a surprise: the whole extra is in the window, the moved part deferred */
    assert_true(fabs(o.change[SP_CAT_CLOTHING] - xc) < 1e-9);
    assert_true(fabs(o.change[SP_CAT_FOOD] - xf) < 1e-9);
    assert_true(o.change[SP_CAT_HOUSING] == 0 && o.change[SP_CAT_OTHER] == 0);
    assert_true(fabs(o.deferred - (0.6 * xc + 0.23 * xf)) < 1e-9);
    assert_true(fabs(o.sales - (400 + xc + 1000 + xf)) < 1e-9);
    assert_true(fabs(o.discount - (0.2 * (400 + xc) + 0.1 * (1000 + xf))) < 1e-9);
    /* the funders' parts add up to the discount */
    assert_true(fabs(o.discount * d.gov_share + o.discount * d.merchant_share - o.discount) <=
                1e-12 * o.discount);
    /* outside the window and the month before it: nothing */
    sp_promotion_effect(&d, &p, pop, 0, sp_month_make(2020, 8), 1, spend, &o);
    assert_true(o.sales == 0 && o.change[SP_CAT_CLOTHING] == 0 && o.deferred == 0);
}

/* An announced promotion: the purchases postponed from the month before are
 * taken out there and put back in the window's first month, exactly. */
static void test_postponed_purchases_put_back(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_promotion_def d = day(2020, 6, 1, 2020, 6, 18);
    d.discount[SP_CAT_HOUSEHOLD_GOODS] = 0.15;
    double spend[SP_NCAT] = {900, 300, 2000, 250, 400, 300, 100, 50};
    double none[SP_NCAT] = {0};
    for (size_t i = 0; i < 50; i++) {
        sp_promotion_outcome before, in, skip;
        sp_promotion_effect(&d, &p, pop, i, sp_month_make(2020, 5), 1, spend, &before);
        sp_promotion_effect(&d, &p, pop, i, sp_month_make(2020, 6), 1, none, &in);
        assert_true(before.change[SP_CAT_HOUSEHOLD_GOODS] <= 0);
        assert_true(before.change[SP_CAT_HOUSEHOLD_GOODS] + in.change[SP_CAT_HOUSEHOLD_GOODS] == 0);
        /* without the month before in the run, neither side */
        sp_promotion_effect(&d, &p, pop, i, sp_month_make(2020, 6), 0, none, &skip);
        assert_true(skip.change[SP_CAT_HOUSEHOLD_GOODS] == 0);
    }
}

static sp_results *run(sp_package *base, sp_package *plan, int y, int m, int months)
{
    sp_err e;
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    d.packages[0] = base;
    d.packages[1] = plan;
    d.npackages = 2;
    d.start_month = sp_month_make(y, m);
    d.months = months;
    d.replicates = 2;
    d.seed = 5;
    d.threads = 2;
    sp_results *r = sp_experiment_run(&d, &e);
    assert_non_null(r);
    return r;
}

static double diff(const sp_results *r, int rep, int month, int metric)
{
    return sp_results_get(r, 1, rep, month, 0, metric) - sp_results_get(r, 0, rep, month, 0, metric);
}

/* Share of the window month's extra spending of category c that remains over
 * the whole horizon (12 months from 2020-01, 618 window), replicate 0. */
static double net_over_gross(int c, double discount, double *before, double *after)
{
    sp_err e;
    sp_package *b = sp_package_alloc("Base", &e), *p = sp_package_alloc("618", &e);
    sp_promotion_def d = day(2020, 6, 1, 2020, 6, 18);
    d.discount[c] = discount;
    assert_int_equal(sp_package_add_promotion(p, "618", &d, &e), SP_OK);
    sp_results *r = run(b, p, 2020, 1, 12);
    double total = 0;
    for (int m = 0; m < 12; m++) {
        double x = diff(r, 0, m, SP_M_SPEND0 + c);
        total += x;
        if (m < 4)
            assert_true(diff(r, 0, m, SP_M_SPENDING) == 0); /* exactly zero before May */
    }
    *before = diff(r, 0, 4, SP_M_SPEND0 + c);
    *after = diff(r, 0, 6, SP_M_SPEND0 + c);
    double window = diff(r, 0, 5, SP_M_SPEND0 + c);
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
    return total / window;
}

/* Through the engine: a dip in the month before an announced promotion, the
 * rise in the window, a dip after it; what remains over the year is the new
 * share 1 - phi of the window's extra (with the moved part mostly taken back
 * by December at 1/3 a month: tolerance 0.08), and more of a durable
 * category's rise is moved in time than of food's. */
static void test_substitution_larger_for_durables(void **state)
{
    (void)state;
    double b1, a1, b2, a2;
    double durable = net_over_gross(SP_CAT_HOUSEHOLD_GOODS, 0.2, &b1, &a1);
    double food = net_over_gross(SP_CAT_FOOD, 0.2, &b2, &a2);
    printf("# promotion 618, 20%% off: net/window change household goods %.3f, food %.3f\n", durable,
           food);
    assert_true(b1 < 0 && a1 < 0 && b2 < 0 && a2 < 0);
    assert_true(fabs(durable - 0.4) < 0.08);
    assert_true(fabs(food - 0.77) < 0.08);
    assert_true(durable < food);
}

/* Costs through the engine: government and merchant parts add up to the
 * discount, which is the discount rate times the purchases made with it, and
 * both count in the package's costs. */
static void test_costs_by_funder(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Base", &e), *p = sp_package_alloc("Season", &e);
    sp_promotion_def d = day(2020, 6, 6, 2020, 10, 8);
    d.discount[SP_CAT_CLOTHING] = 0.15;
    d.gov_share = 1.0 / 3.0; /* Beijing 2020 from August: government 1 : merchants 0.5 */
    d.merchant_share = 2.0 / 3.0;
    assert_int_equal(sp_package_add_promotion(p, "season", &d, &e), SP_OK);
    sp_results *r = run(b, p, 2020, 1, 12);
    double gov = 0, mer = 0, sales = 0, govcost = 0;
    for (int m = 0; m < 12; m++) {
        gov += sp_results_get(r, 1, 0, m, 0, SP_M_DISCOUNT_GOV);
        mer += sp_results_get(r, 1, 0, m, 0, SP_M_DISCOUNT_MERCHANT);
        sales += sp_results_get(r, 1, 0, m, 0, SP_M_DISCOUNT_SALES);
        govcost += sp_results_get(r, 1, 0, m, 0, SP_M_GOV_COST);
    }
    assert_true(fabs(gov + mer - 0.15 * sales) <= 1e-9 * sales);
    assert_true(fabs(mer - 2 * gov) <= 1e-9 * mer);
    assert_true(fabs(govcost - gov) <= 1e-9 * gov);
    assert_true(sp_results_get(r, 1, 0, 11, 0, SP_M_DISCOUNT_SALES) == 0);
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

/* N19, N20 (inputs): the arc elasticity the engine realises from a 1%
 * surprise discount over a whole month, ln(w1 / w0) / ln(1 - d), equals the
 * parameter within 0.01: food 0.5 (band 0.3-0.7), services (education) 0.8
 * (0.5-1.1). */
static void test_n19_n20_elasticities(void **state)
{
    (void)state;
    sp_err e;
    const int cats[2] = {SP_CAT_FOOD, SP_CAT_EDUCATION};
    const double lo[2] = {0.3, 0.5}, hi[2] = {0.7, 1.1};
    for (int k = 0; k < 2; k++) {
        sp_package *b = sp_package_alloc("Base", &e), *p = sp_package_alloc("1%", &e);
        sp_promotion_def d = day(2020, 3, 1, 2020, 3, 31);
        d.discount[cats[k]] = 0.01;
        d.announced = 0;
        assert_int_equal(sp_package_add_promotion(p, "1%", &d, &e), SP_OK);
        sp_results *r = run(b, p, 2020, 1, 4);
        double w0 = sp_results_get(r, 0, 0, 2, 0, SP_M_SPEND0 + cats[k]);
        double w1 = w0 + diff(r, 0, 2, SP_M_SPEND0 + cats[k]);
        double el = -log(w1 / w0) / log(0.99);
        printf("# N19/N20 %s: realised |elasticity| %.4f (band %.1f-%.1f)\n",
               sp_category_name(cats[k]), el, lo[k], hi[k]);
        assert_true(el >= lo[k] && el <= hi[k]);
        /* the parameter, up to the spending the discount does not touch:
         * carry-over spending (windfalls spent over months, such as the part
         * of a car's down payment drawn from savings) comes after the
         * measures' household steps */
        assert_true(fabs(el + sp_params_default().price_elasticity[cats[k]]) < 0.01);
        sp_results_free(r);
        sp_package_free(b);
        sp_package_free(p);
    }
}

/* N16: Singles' Day offline. One day (2019-11-11), physical durables
 * (clothing, household goods) 10% off (assumption: the depth of offline
 * matching discounts is not published), announced. Model quantity: the rise
 * in that day's spending on those categories over the same households'
 * spending without the promotion (list prices; the paid amount is printed
 * too). Band +5% to +16% (Chen & Qian 2020: +10.6%). */
static void test_n16_singles_day(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Base", &e), *p = sp_package_alloc("11/11", &e);
    sp_promotion_def d = day(2019, 11, 11, 2019, 11, 11);
    d.discount[SP_CAT_CLOTHING] = d.discount[SP_CAT_HOUSEHOLD_GOODS] = 0.1;
    assert_int_equal(sp_package_add_promotion(p, "11/11", &d, &e), SP_OK);
    sp_results *r = run(b, p, 2019, 9, 4);
    double up[2];
    for (int rep = 0; rep < 2; rep++) {
        double base = 0, extra = 0;
        for (int c = SP_CAT_CLOTHING; c <= SP_CAT_HOUSEHOLD_GOODS; c += 2) {
            base += sp_results_get(r, 0, rep, 2, 0, SP_M_SPEND0 + c);
            extra += diff(r, rep, 2, SP_M_SPEND0 + c);
        }
        double dayly = base / 30.0; /* the counterfactual day: 1/30 of November */
        up[rep] = extra / dayly;
        double paid = (dayly + extra) * 0.9 / dayly - 1;
        printf("# N16 replicate %d: day uplift %.3f at list prices, %.3f paid (band 0.05-0.16)\n", rep,
               up[rep], paid);
        assert_true(up[rep] >= 0.05 && up[rep] <= 0.16);
    }
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_days_in),
        cmocka_unit_test(test_response_and_funding),
        cmocka_unit_test(test_postponed_purchases_put_back),
        cmocka_unit_test(test_substitution_larger_for_durables),
        cmocka_unit_test(test_costs_by_funder),
        cmocka_unit_test(test_n19_n20_elasticities),
        cmocka_unit_test(test_n16_singles_day),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
