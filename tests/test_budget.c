/* test_budget.c: budgets of spending measures, windows of the summary and
 * tables, and the per-replicate export (core/budget.h, core/table.h,
 * core/export.h).
 *
 * Exact rules: a voucher's supply is what its budget pays for, or its given
 * supply when smaller; a cash transfer without an amount shares its budget
 * out over the target group (budget x SP_BUDGET_MARGIN / weighted households),
 * with an amount it pays down a first-come ranking until the budget would be
 * exceeded; the government cost of every spending measure with a budget
 * (voucher, cash transfer, scrappage, appliance trade-in) never exceeds the
 * budget in any replicate, and the results are bit-identical for 1, 2 and 3
 * threads; the summary carries each package's budget and the share used;
 * oversupply gives a warning naming the package and the measure; a window's
 * figures equal the sum of the monthly columns inside it; windows outside
 * the horizon or reversed are errors naming the month; the export writes one
 * line per cell and replicate with values that read back exactly. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "spendsim.h"

SP_TEST_POPULATION(6000, 11) /* 6,000 households */

/* Runs base and plan over 2020-01..2020-12 with `reps` replicates. */
static sp_results *run2(const sp_package *base, const sp_package *plan, int reps, int threads)
{
    sp_err e;
    sp_experiment_def x = sp_experiment_def_default();
    x.population = pop;
    x.packages[0] = base;
    x.packages[1] = plan;
    x.npackages = 2;
    x.start_month = sp_month_make(2020, 1);
    x.months = 12;
    x.replicates = reps;
    x.seed = 17;
    x.threads = threads;
    sp_results *r = sp_experiment_run(&x, &e);
    if (!r)
        fail_msg("experiment: %s", e.msg);
    return r;
}

/* Government cost of package p in replicate rep over the horizon. */
static double gov_cost(const sp_results *r, int p, int rep)
{
    double s = 0;
    for (int m = 0; m < r->nmonths; m++)
        s += sp_results_get(r, p, rep, m, 0, SP_M_GOV_COST);
    return s;
}

static double total_weight(void)
{
    double w = 0;
    for (size_t i = 0; i < pop->n; i++)
        w += pop->weight[i];
    return w;
}

/* ---- vouchers ---- */

static void test_voucher_supply_from_budget(void **state)
{
    (void)state;
    sp_voucher_def v = sp_voucher_def_default();
    v.face = 20;
    v.coupons_per_package = 5;
    v.gov_share = 0.8;
    v.merchant_share = 0.2;
    v.budget = 1e8;
    assert_true(sp_voucher_supply(&v) == 1e8 / (20.0 * 5 * 0.8)); /* 1,250,000 packages */
    v.supply = 1e6;                                               /* a smaller given supply wins */
    assert_true(sp_voucher_supply(&v) == 1e6);
    v.supply = 2e6;
    assert_true(sp_voucher_supply(&v) == 1.25e6);
    v.budget = 0;
    assert_true(sp_voucher_supply(&v) == 2e6);
    v.supply = 0;
    assert_true(sp_voucher_supply(&v) == 0); /* unlimited */
}

static void test_voucher_budget_errors(void **state)
{
    (void)state;
    sp_err e;
    sp_voucher_def v = sp_voucher_def_default();
    v.budget = -1;
    assert_int_equal(sp_voucher_validate(&v, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "budget"));
    v.budget = NAN;
    assert_int_equal(sp_voucher_validate(&v, &e), SP_EINVAL);
    v.budget = 1e6;
    v.gov_share = 0;
    v.merchant_share = 1;
    assert_int_equal(sp_voucher_validate(&v, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "government share"));
}

/* A cash-like voucher redeems every coupon, so its cost comes close to the
 * budget; it never exceeds it, and the thread count changes nothing. */
static void test_voucher_budget_never_exceeded(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *p = sp_package_alloc("Vouchers", &e);
    sp_voucher_def v = sp_voucher_def_default();
    v.face = 50;
    v.coupons_per_package = 4;
    v.cap = 2;
    v.start_month = sp_month_make(2020, 5);
    v.budget = 3e8; /* 1.5 million packages: fewer than the households want */
    assert_int_equal(sp_package_add_voucher(p, "cash-like", &v, &e), SP_OK);
    sp_results *r[3];
    for (int t = 0; t < 3; t++)
        r[t] = run2(b, p, 2, t + 1);
    double max_w = 0;
    for (size_t i = 0; i < pop->n; i++)
        max_w = pop->weight[i] > max_w ? pop->weight[i] : max_w;
    for (int rep = 0; rep < 2; rep++) {
        double c = gov_cost(r[0], 1, rep);
        printf("# voucher budget 3e8: cost %.2f\n", c);
        assert_true(c <= v.budget);
        assert_true(c > v.budget - 2 * max_w * 200.0); /* spent down to less than a household's cap */
        for (int t = 1; t < 3; t++)
            assert_true(gov_cost(r[t], 1, rep) == c);
    }
    assert_memory_equal(r[0]->cube, r[1]->cube,
                        (size_t)2 * 2 * 12 * SP_NGROUP * SP_NMETRIC * sizeof(double));
    assert_memory_equal(r[0]->cube, r[2]->cube,
                        (size_t)2 * 2 * 12 * SP_NGROUP * SP_NMETRIC * sizeof(double));
    assert_true(r[0]->budgets[0] == 0 && r[0]->budgets[1] == 3e8);
    for (int t = 0; t < 3; t++)
        sp_results_free(r[t]);
    sp_package_free(b);
    sp_package_free(p);
}

/* ---- cash transfers ---- */

static void test_cash_amount_from_budget(void **state)
{
    (void)state;
    sp_err e;
    sp_cash_transfer_def d = sp_cash_transfer_def_default();
    d.amount = 0;
    d.budget = 2.5e8;
    assert_int_equal(sp_cash_transfer_validate(&d, &e), SP_OK);
    uint8_t *mask = malloc(pop->n);
    double w = 0;
    for (size_t i = 0; i < pop->n; i++) {
        mask[i] = pop->quintile[i] <= 2;
        w += mask[i] ? (double)pop->weight[i] : 0.0;
    }
    double amount = 0, cost = 0;
    assert_int_equal(sp_cash_transfer_pay(&d, pop, sp_rng_key_make(1, 0), 7, mask, &amount, &cost, &e),
                     SP_OK);
    assert_true(amount == d.budget * SP_BUDGET_MARGIN / w); /* derived exactly */
    assert_true(cost <= d.budget);
    for (size_t i = 0; i < pop->n; i++) /* the whole group is paid */
        assert_int_equal(mask[i], pop->quintile[i] <= 2);
    free(mask);
    d.budget = 0; /* without a budget an amount is required */
    assert_int_equal(sp_cash_transfer_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "amount"));
    d.budget = -5;
    d.amount = 100;
    assert_int_equal(sp_cash_transfer_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "budget"));
}

/* With an amount, recipients are capped: the paid cost stays within the
 * budget and the next household in the ranking would have exceeded it. */
static void test_cash_recipients_capped(void **state)
{
    (void)state;
    sp_err e;
    sp_cash_transfer_def d = sp_cash_transfer_def_default();
    d.amount = 1000;
    d.budget = 1e9; /* about a seventh of Beijing's households */
    uint8_t *mask = malloc(pop->n);
    memset(mask, 1, pop->n);
    double amount = 0, cost = 0;
    assert_int_equal(sp_cash_transfer_pay(&d, pop, sp_rng_key_make(3, 1), 9, mask, &amount, &cost, &e),
                     SP_OK);
    double paid = 0, max_w = 0;
    size_t n = 0;
    for (size_t i = 0; i < pop->n; i++) {
        paid += mask[i] ? pop->weight[i] * 1000.0 : 0.0;
        n += mask[i];
        max_w = pop->weight[i] > max_w ? pop->weight[i] : max_w;
    }
    printf("# cash budget 1e9, 1000 yuan: %zu of %zu sample households paid, %.2f yuan\n", n, pop->n,
           cost);
    assert_true(amount == 1000);
    assert_true(cost <= d.budget && fabs(paid - cost) <= 1e-6 * cost);
    assert_true(cost > d.budget - max_w * 1000.0);
    assert_true(n > 0 && n < pop->n);
    free(mask);
}

static void test_cash_budget_never_exceeded(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *p = sp_package_alloc("Transfers", &e);
    sp_cash_transfer_def d = sp_cash_transfer_def_default();
    d.amount = 500;
    d.budget = 6e8;
    assert_int_equal(sp_package_add_cash_transfer(p, "capped", &d, &e), SP_OK);
    sp_cash_transfer_def s = sp_cash_transfer_def_default();
    s.amount = 0;
    s.budget = 4e8;
    s.start_month = sp_month_make(2020, 9);
    snprintf(s.filter, sizeof s.filter, "income_quintile == 1");
    assert_int_equal(sp_package_add_cash_transfer(p, "shared", &s, &e), SP_OK);
    sp_results *r[3];
    for (int t = 0; t < 3; t++)
        r[t] = run2(b, p, 2, t + 1);
    for (int rep = 0; rep < 2; rep++) {
        double capped = 0, shared = 0;
        for (int m = 0; m < 12; m++) {
            double v = sp_results_get(r[0], 1, rep, m, 0, SP_M_TRANSFERS);
            *(m == 8 ? &shared : &capped) += v;
        }
        printf("# transfers: capped %.2f of 6e8, shared %.2f of 4e8\n", capped, shared);
        assert_true(capped <= d.budget && capped > 0.99 * d.budget);
        assert_true(shared <= s.budget && shared >= s.budget * (1 - 1e-9));
        assert_true(gov_cost(r[0], 1, rep) <= d.budget + s.budget);
        for (int t = 1; t < 3; t++)
            assert_true(gov_cost(r[t], 1, rep) == gov_cost(r[0], 1, rep));
    }
    assert_true(r[0]->budgets[1] == 1e9);
    for (int t = 0; t < 3; t++)
        sp_results_free(r[t]);
    sp_package_free(b);
    sp_package_free(p);
}

/* ---- the car and appliance programmes ---- */

static void test_programme_budgets_never_exceeded(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *p = sp_package_alloc("Trade-ins", &e);
    sp_scrappage_def s = sp_scrappage_def_default();
    s.start_month = sp_month_make(2020, 3);
    s.end_month = sp_month_make(2020, 12);
    s.budget = 1e8;
    assert_int_equal(sp_package_add_scrappage(p, "cars", &s, &e), SP_OK);
    sp_appliance_tradein_def a = sp_appliance_tradein_def_default();
    a.start_month = sp_month_make(2020, 3);
    a.end_month = sp_month_make(2020, 12);
    a.budget = 5e7;
    assert_int_equal(sp_package_add_appliance_tradein(p, "appliances", &a, &e), SP_OK);
    assert_true(sp_package_budget(p) == 1.5e8);
    sp_results *r[2] = {run2(b, p, 2, 1), run2(b, p, 2, 3)};
    for (int rep = 0; rep < 2; rep++) {
        double cars = 0, app = 0;
        for (int m = 0; m < 12; m++) {
            cars += sp_results_get(r[0], 1, rep, m, 0, SP_M_SCRAPPAGE_SUBSIDY);
            app += sp_results_get(r[0], 1, rep, m, 0, SP_M_APPLIANCE_SUBSIDY);
        }
        printf("# scrappage %.0f of 1e8, appliances %.0f of 5e7\n", cars, app);
        assert_true(cars <= s.budget && app <= a.budget);
        assert_true(gov_cost(r[1], 1, rep) == gov_cost(r[0], 1, rep));
    }
    sp_table *t = sp_results_summary(r[0], &e);
    assert_non_null(t);
    assert_true(sp_table_get(t, 1, SP_SUM_BUDGET) == 1.5e8);
    assert_true(isnan(sp_table_get(t, 0, SP_SUM_BUDGET)) && isnan(sp_table_get(t, 0, SP_SUM_BUDGET_USED)));
    double used = (gov_cost(r[0], 1, 0) / 1.5e8 + gov_cost(r[0], 1, 1) / 1.5e8) / 2;
    assert_true(fabs(sp_table_get(t, 1, SP_SUM_BUDGET_USED) - used) <= 1e-12);
    assert_true(sp_table_get(t, 1, SP_SUM_BUDGET_USED) <= 1.0);
    sp_table_free(t);
    sp_results_free(r[0]);
    sp_results_free(r[1]);
    sp_package_free(b);
    sp_package_free(p);
}

/* The outlets' and the used-car transfer subsidy's budgets are reported
 * (their own tests check that the subsidies stay within them). */
static void test_outlets_and_used_cars_report_budgets(void **state)
{
    (void)state;
    sp_err e;
    sp_package *p = sp_package_alloc("Plan", &e);
    sp_community_outlets_def o = sp_community_outlets_def_default();
    o.subsidy = 1e5;
    o.budget = 3e7;
    assert_int_equal(sp_package_add_community_outlets(p, "outlets", &o, &e), SP_OK);
    sp_used_car_export_def u = sp_used_car_export_def_default();
    u.subsidy = 3000;
    u.budget = 2e8;
    assert_int_equal(sp_package_add_used_car_export(p, "used cars", &u, &e), SP_OK);
    assert_true(sp_package_budget(p) == 2.3e8);
    sp_package_free(p);
}

/* An open purchase subsidy with a budget: the month's buyers who would claim
 * it are paid first come, first served until the next claim would overspend;
 * the others buy (or not) without it and it stops. Budget: 40% of what the
 * same programme pays without one. Never exceeded, spent to within one claim,
 * nothing paid after the month it ran out, the same for 1 and 3 threads. */
static void test_purchase_subsidy_budget_never_exceeded(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *free_p = sp_package_alloc("Unlimited", &e);
    sp_package *p = sp_package_alloc("Budget", &e);
    sp_purchase_subsidy_def d = sp_purchase_subsidy_def_default();
    d.start_month = sp_month_make(2020, 3);
    d.end_month = sp_month_make(2020, 12);
    d.amount_nev = 10000;
    d.amount_ice = 5000;
    assert_int_equal(sp_package_add_purchase_subsidy(free_p, "open", &d, &e), SP_OK);
    sp_results *u = run2(b, free_p, 1, 1);
    double unlimited = 0;
    for (int m = 0; m < 12; m++)
        unlimited += sp_results_get(u, 1, 0, m, 0, SP_M_PURCHASE_SUBSIDY);
    assert_true(unlimited > 0);
    d.budget = 0.4 * unlimited;
    assert_int_equal(sp_package_add_purchase_subsidy(p, "open", &d, &e), SP_OK);
    assert_true(sp_package_budget(p) == d.budget);
    double wmax = 0;
    for (size_t i = 0; i < pop->n; i++)
        wmax = pop->weight[i] > wmax ? pop->weight[i] : wmax;
    sp_results *r[2] = {run2(b, p, 1, 1), run2(b, p, 1, 3)};
    double paid = 0;
    int last = -1;
    for (int m = 0; m < 12; m++) {
        double x = sp_results_get(r[0], 1, 0, m, 0, SP_M_PURCHASE_SUBSIDY);
        paid += x;
        if (x > 0)
            last = m;
    }
    printf("# purchase subsidy %.0f of a budget of %.0f (unlimited: %.0f), last paid in month %d\n", paid,
           d.budget, unlimited, last + 1);
    assert_true(paid <= d.budget);
    assert_true(paid > d.budget - wmax * 10000); /* within one claim of it */
    assert_true(last < 11);                      /* it stopped before the window's end */
    for (int m = last + 1; m < 12; m++)
        assert_true(sp_results_get(r[0], 1, 0, m, 0, SP_M_PURCHASE_SUBSIDY) == 0);
    assert_true(gov_cost(r[1], 1, 0) == gov_cost(r[0], 1, 0));
    for (int m = 0; m < 12; m++)
        assert_true(sp_results_get(r[1], 1, 0, m, 0, SP_M_CAR_PURCHASES) ==
                    sp_results_get(r[0], 1, 0, m, 0, SP_M_CAR_PURCHASES));
    /* before it ran out, the budgeted programme is the unlimited one */
    for (int m = 0; m < last; m++)
        assert_true(sp_results_get(r[0], 1, 0, m, 0, SP_M_PURCHASE_SUBSIDY) ==
                    sp_results_get(u, 1, 0, m, 0, SP_M_PURCHASE_SUBSIDY));
    sp_results_free(u);
    sp_results_free(r[0]);
    sp_results_free(r[1]);
    sp_package_free(b);
    sp_package_free(free_p);
    sp_package_free(p);
}

/* Interest subsidies: loans are admitted while the subsidy they commit over
 * their term fits the budget; loans of six months repaid inside the horizon
 * receive exactly what they committed, so the subsidy paid stays within the
 * budget and comes within one loan's commitment of it. */
static void test_credit_budget_never_exceeded(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *u = sp_package_alloc("Unlimited", &e);
    sp_package *p = sp_package_alloc("Budget", &e);
    sp_consumer_credit_def d = sp_consumer_credit_def_default();
    d.purpose = SP_CREDIT_GENERAL;
    d.term = 6;
    d.start_month = sp_month_make(2020, 1);
    d.end_month = sp_month_make(2020, 4);
    assert_int_equal(sp_package_add_consumer_credit(u, "loans", &d, &e), SP_OK);
    sp_results *r = run2(b, u, 1, 1);
    const double unlimited = gov_cost(r, 1, 0);
    sp_results_free(r);
    d.budget = 0.4 * unlimited;
    assert_int_equal(sp_package_add_consumer_credit(p, "loans", &d, &e), SP_OK);
    double max_w = 0;
    for (size_t i = 0; i < pop->n; i++)
        max_w = pop->weight[i] > max_w ? pop->weight[i] : max_w;
    const double one = max_w * sp_consumer_credit_commitment(&d, d.limit);
    sp_results *t[2] = {run2(b, p, 2, 1), run2(b, p, 2, 2)};
    for (int rep = 0; rep < 2; rep++) {
        double paid = 0, late_loans = 0;
        for (int m = 0; m < 12; m++)
            paid += sp_results_get(t[0], 1, rep, m, 0, SP_M_INTEREST_SUBSIDY);
        late_loans = sp_results_get(t[0], 1, rep, 3, 0, SP_M_LOANS);
        printf("# credit budget %.0f (40%% of the unlimited %.0f): paid %.2f\n", d.budget, unlimited, paid);
        assert_true(paid <= d.budget);
        assert_true(paid > d.budget - one);
        assert_true(late_loans == 0); /* stopped lending before the window's last month */
        assert_true(gov_cost(t[1], 1, rep) == gov_cost(t[0], 1, rep));
    }
    /* a commitment is the sum of a loan's monthly subsidies, within the cap */
    sp_consumer_credit_def c = sp_consumer_credit_def_default();
    assert_true(sp_consumer_credit_commitment(&c, 50000) <= c.subsidy_cap);
    c.subsidy_cap = 0;
    c.rate = 0.12;
    c.subsidy_rate = 0.12;
    c.term = 1;
    assert_true(sp_consumer_credit_commitment(&c, 1000) == 10.0); /* one month at 1% */
    c.budget = 1e6;
    c.subsidy_rate = 0;
    assert_int_equal(sp_consumer_credit_validate(&c, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "budget"));
    sp_results_free(t[0]);
    sp_results_free(t[1]);
    sp_package_free(b);
    sp_package_free(u);
    sp_package_free(p);
}

/* Promotions: households take part first come while cap x weight fits what
 * is left of the budget; the government's part of a household's discounts
 * is at most cap a month; the total never exceeds the budget. */
static void test_promotion_budget_never_exceeded(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *u = sp_package_alloc("Unlimited", &e);
    sp_package *p = sp_package_alloc("Budget", &e);
    sp_promotion_def d = sp_promotion_def_default();
    d.start_month = sp_month_make(2020, 6);
    d.start_day = 1;
    d.end_month = sp_month_make(2020, 7);
    d.end_day = 31;
    d.discount[SP_CAT_FOOD] = 0.2;
    d.discount[SP_CAT_CLOTHING] = 0.2;
    d.gov_share = 0.5;
    d.merchant_share = 0.5;
    d.cap = 60;
    assert_int_equal(sp_package_add_promotion(u, "season", &d, &e), SP_OK);
    sp_results *r = run2(b, u, 1, 1);
    const double unlimited = gov_cost(r, 1, 0);
    for (int m = 0; m < 12; m++) { /* the cap holds for every household: at most cap x households */
        const double *g = sp_results_at(r, 1, 0, m);
        assert_true(g[SP_M_DISCOUNT_GOV] <= 60.0 * g[SP_M_HOUSEHOLDS] * (1 + 1e-12));
    }
    sp_results_free(r);
    d.budget = 0.5 * unlimited;
    assert_int_equal(sp_package_add_promotion(p, "season", &d, &e), SP_OK);
    sp_results *t[2] = {run2(b, p, 2, 1), run2(b, p, 2, 2)};
    for (int rep = 0; rep < 2; rep++) {
        const double paid = gov_cost(t[0], 1, rep);
        printf("# promotion budget %.0f (half the unlimited %.0f): paid %.2f\n", d.budget, unlimited, paid);
        assert_true(paid <= d.budget);
        assert_true(paid > 0.25 * d.budget);
        assert_true(gov_cost(t[1], 1, rep) == paid);
        assert_memory_equal(t[0]->cube, t[1]->cube, (size_t)2 * 2 * 12 * SP_NGROUP * SP_NMETRIC * sizeof(double));
    }
    d.cap = 0; /* a budget needs a cap */
    assert_int_equal(sp_promotion_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "cap"));
    sp_results_free(t[0]);
    sp_results_free(t[1]);
    sp_package_free(b);
    sp_package_free(u);
    sp_package_free(p);
}

/* ---- warnings ---- */

static void test_oversupply_warnings(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *p = sp_package_alloc("Generous", &e);
    sp_voucher_def v = sp_voucher_def_default();
    v.cap = 2;
    v.supply = 3 * total_weight(); /* three packages a household, two can be claimed */
    assert_int_equal(sp_package_add_voucher(p, "too many coupons", &v, &e), SP_OK);
    sp_voucher_def ok = sp_voucher_def_default();
    ok.budget = 1e6;
    assert_int_equal(sp_package_add_voucher(p, "enough", &ok, &e), SP_OK);
    sp_cash_transfer_def c = sp_cash_transfer_def_default();
    c.amount = 100;
    c.budget = 1e12;
    snprintf(c.filter, sizeof c.filter, "income_quintile == 5");
    assert_int_equal(sp_package_add_cash_transfer(p, "too much cash", &c, &e), SP_OK);
    sp_results *r = sp_results_alloc(2, (const char *[]){"Status quo", "Generous"}, 1, 1,
                                     sp_month_make(2020, 1), &e);
    const sp_package *pk[2] = {b, p};
    assert_int_equal(sp_budget_record(r, pk, 2, pop, &e), SP_OK);
    assert_int_equal(r->nwarnings, 2);
    assert_non_null(strstr(r->warnings[0], "package 'Generous', measure 'too many coupons'"));
    assert_non_null(strstr(r->warnings[0], "exceeds what the eligible households can claim"));
    assert_non_null(strstr(r->warnings[1], "measure 'too much cash'"));
    assert_true(r->budgets[1] == 1e6 + 1e12);
    sp_table *t = sp_results_summary(r, &e);
    assert_int_equal(t->nnotes, 2);
    char *md = sp_table_to_markdown(t, &e);
    assert_non_null(strstr(md, "\nWarning: package 'Generous', measure 'too many coupons'"));
    free(md);
    sp_table_free(t);
    assert_int_equal(sp_budget_record(r, pk, 1, pop, &e), SP_EINVAL); /* packages do not match */
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

/* ---- windows ---- */

static sp_results *cash_results(void)
{
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_package *p = sp_package_alloc("Transfers", &e);
    sp_cash_transfer_def d = sp_cash_transfer_def_default();
    d.budget = 3e8;
    d.amount = 0;
    assert_int_equal(sp_package_add_cash_transfer(p, "all", &d, &e), SP_OK);
    sp_results *r = run2(b, p, 1, 1);
    sp_package_free(b);
    sp_package_free(p);
    return r;
}

/* With one replicate, a window's summary equals the sum of the monthly
 * table's columns in it, bit for bit. */
static void test_window_is_sum_of_months(void **state)
{
    (void)state;
    sp_err e;
    sp_results *r = cash_results();
    const int from = sp_month_make(2020, 7), to = sp_month_make(2020, 12);
    for (int dim = 0; dim < SP_NDIM; dim += SP_NDIM - 1) { /* all, and the last dimension */
        sp_table *s = sp_results_summary_window(r, (sp_dim)dim, from, to, &e);
        assert_non_null(s);
        const int ng = sp_dim_count((sp_dim)dim);
        for (int k = 0; k < ng; k++) {
            sp_query q = sp_query_default();
            q.rows = SP_ROWS_PACKAGE;
            q.group = sp_dim_first((sp_dim)dim) + k;
            q.by = SP_BY_MONTH;
            q.unit = SP_UNIT_TOTAL;
            q.from = from;
            q.to = to;
            q.metric = SP_M_GOV_COST;
            sp_table *g = sp_results_table(r, &q, &e);
            q.metric = SP_M_SPENDING;
            q.diff = 1;
            sp_table *d = sp_results_table(r, &q, &e);
            assert_non_null(g);
            assert_non_null(d);
            assert_int_equal(g->ncols, 6);
            assert_string_equal(g->col_labels[0], "2020-07");
            double gs = 0, ds = 0;
            for (size_t c = 0; c < g->ncols; c++) {
                gs += sp_table_get(g, 1, c);
                ds += sp_table_get(d, 1, c);
            }
            assert_true(sp_table_get(s, (size_t)ng + k, SP_SUM_GOV_COST) == gs);
            assert_true(sp_table_get(s, (size_t)ng + k, SP_SUM_SPENDING_CHANGE) == ds);
            sp_table_free(g);
            sp_table_free(d);
        }
        sp_table_free(s);
    }
    /* a quarter cut by the window spans only its months inside */
    sp_query q = sp_query_default();
    q.rows = SP_ROWS_PACKAGE;
    q.metric = SP_M_GOV_COST;
    q.unit = SP_UNIT_TOTAL;
    q.from = sp_month_make(2020, 6);
    q.to = sp_month_make(2020, 8);
    sp_table *t = sp_results_table(r, &q, &e);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->col_labels[0], "2020Q2");
    assert_true(sp_table_get(t, 1, 0) == sp_results_get(r, 1, 0, 5, 0, SP_M_GOV_COST));
    assert_non_null(strstr(t->title, "2020-06 to 2020-08"));
    sp_table_free(t);
    sp_results_free(r);
}

static void test_window_errors(void **state)
{
    (void)state;
    sp_err e;
    sp_results *r = sp_results_alloc(1, (const char *[]){"A"}, 1, 12, sp_month_make(2020, 1), &e);
    int m0, m1;
    assert_int_equal(sp_results_window(r, 0, 0, &m0, &m1, &e), SP_OK);
    assert_int_equal(m0, 0);
    assert_int_equal(m1, 12);
    assert_int_equal(sp_results_window(r, sp_month_make(2019, 12), 0, &m0, &m1, &e), SP_ERANGE);
    assert_string_equal(e.msg, "'from' month 2019-12 is outside the horizon 2020-01 to 2020-12");
    assert_int_equal(sp_results_window(r, 0, sp_month_make(2021, 1), &m0, &m1, &e), SP_ERANGE);
    assert_string_equal(e.msg, "'to' month 2021-01 is outside the horizon 2020-01 to 2020-12");
    assert_int_equal(sp_results_window(r, sp_month_make(2020, 9), sp_month_make(2020, 3), &m0, &m1, &e),
                     SP_ERANGE);
    assert_string_equal(e.msg, "'from' month 2020-09 is after 'to' month 2020-03");
    assert_null(sp_results_summary_window(r, SP_DIM_ALL, sp_month_make(2022, 1), 0, &e));
    sp_query q = sp_query_default();
    q.to = sp_month_make(2019, 1);
    assert_null(sp_results_table(r, &q, &e));
    assert_non_null(strstr(e.msg, "'to' month 2019-01"));
    sp_results_free(r);
}

/* ---- export ---- */

static void test_export_lines(void **state)
{
    (void)state;
    sp_err e;
    sp_results *r = sp_results_alloc(2, (const char *[]){"Base", "Plan, \"B\""}, 2, 3,
                                     sp_month_make(2020, 11), &e);
    for (int p = 0; p < 2; p++)
        for (int rep = 0; rep < 2; rep++)
            for (int m = 0; m < 3; m++) {
                double *g = sp_results_at(r, p, rep, m);
                g[SP_M_SPENDING] = 1000.0 * p + 100.0 * rep + m + 0.1;
                g[SP_M_HOUSEHOLDS] = 10 + m;
                g[SP_NMETRIC + SP_M_SPENDING] = 1.0 / 3.0; /* group slot 1 */
            }
    sp_export_def d = sp_export_def_default();
    assert_int_equal(sp_export_rows(r, &d, &e), 2 * 2 * 3);
    const int metrics[] = {SP_M_SPENDING, SP_M_HOUSEHOLDS}, groups[] = {0, 1}, pk[] = {1};
    d.metrics = metrics;
    d.nmetrics = 2;
    d.groups = groups;
    d.ngroups = 2;
    d.packages = pk;
    d.npackages = 1;
    d.by = SP_BY_YEAR;
    assert_int_equal(sp_export_rows(r, &d, &e), 1 * 2 * 2 * 2 * 2); /* 2020 and 2021 */
    char dir[] = "/tmp/sp_test_budget_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x.csv", dir);
    assert_int_equal(sp_results_export(r, &d, path, &e), SP_OK);
    FILE *f = fopen(path, "r");
    char text[2048] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    char g1[16];
    snprintf(g1, sizeof g1, "%s", sp_group_label(1));
    char want[2048];
    snprintf(want, sizeof want,
             "package,replicate,month,group,metric,unit,value\n"
             "\"Plan, \"\"B\"\"\",1,2020,all,spending,yuan,2001.2\n"
             "\"Plan, \"\"B\"\"\",1,2020,all,households,households,10.5\n"
             "\"Plan, \"\"B\"\"\",1,2020,%s,spending,yuan,0.66666666666666663\n"
             "\"Plan, \"\"B\"\"\",1,2020,%s,households,households,0\n"
             "\"Plan, \"\"B\"\"\",1,2021,all,spending,yuan,1002.1\n"
             "\"Plan, \"\"B\"\"\",1,2021,all,households,households,12\n"
             "\"Plan, \"\"B\"\"\",1,2021,%s,spending,yuan,0.33333333333333331\n"
             "\"Plan, \"\"B\"\"\",1,2021,%s,households,households,0\n"
             "\"Plan, \"\"B\"\"\",2,2020,all,spending,yuan,2201.1999999999998\n",
             g1, g1, g1, g1);
    assert_int_equal(strncmp(text, want, strlen(want)), 0);
    /* bad definitions name the field; nothing is written */
    const int bad[] = {5};
    d.packages = bad;
    assert_int_equal(sp_results_export(r, &d, path, &e), SP_ERANGE);
    assert_non_null(strstr(e.msg, "package index 5"));
    d.packages = NULL;
    d.from = sp_month_make(2021, 2);
    assert_int_equal(sp_results_export(r, &d, path, &e), SP_ERANGE);
    assert_int_equal(sp_export_rows(r, &d, &e), 0);
    d.from = 0;
    assert_int_equal(sp_results_export(r, &d, "/nonexistent-dir/x.csv", &e), SP_EIO);
    unlink(path);
    rmdir(dir);
    sp_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_voucher_supply_from_budget),
        cmocka_unit_test(test_voucher_budget_errors),
        cmocka_unit_test(test_voucher_budget_never_exceeded),
        cmocka_unit_test(test_cash_amount_from_budget),
        cmocka_unit_test(test_cash_recipients_capped),
        cmocka_unit_test(test_cash_budget_never_exceeded),
        cmocka_unit_test(test_programme_budgets_never_exceeded),
        cmocka_unit_test(test_outlets_and_used_cars_report_budgets),
        cmocka_unit_test(test_purchase_subsidy_budget_never_exceeded),
        cmocka_unit_test(test_credit_budget_never_exceeded),
        cmocka_unit_test(test_promotion_budget_never_exceeded),
        cmocka_unit_test(test_oversupply_warnings),
        cmocka_unit_test(test_window_is_sum_of_months),
        cmocka_unit_test(test_window_errors),
        cmocka_unit_test(test_export_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
