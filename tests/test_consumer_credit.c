/* test_consumer_credit.c: the consumer credit product (core/consumer_credit.h).
 *
 * Exact rules: bad definitions are errors naming the field (a term of zero
 * months, a rate above 1, a subsidy above the rate, a cap below 0); every
 * loan is repaid in full over its term (alone and through the engine: no
 * balance is left once the last term ends); a package identical to the
 * baseline differs by exactly zero. Responses at fixed seeds (20,000
 * households, 5 replicates; the 95% t-interval must lie in the band): N13
 * (share of households holding consumer credit) and N11 (extra debt per yuan
 * of extra limit a year after a limit increase); spending financed now and
 * repaid later; hand-to-mouth households respond, the others barely. */
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

enum { REPS = 5 };
#define T95 2.776

SP_TEST_POPULATION(20000, 3)

/* A general consumer loan of up to `limit` yuan at 10% a year over 24
 * months, offered to everyone from 2020-01 for `months` months. */
static sp_consumer_credit_def general(double limit, int months)
{
    sp_consumer_credit_def d = sp_consumer_credit_def_default();
    d.purpose = SP_CREDIT_GENERAL;
    d.limit = limit;
    d.rate = 0.10;
    d.term = 24;
    d.subsidy_rate = 0;
    d.subsidy_cap = 0;
    d.start_month = sp_month_make(2020, 1);
    d.end_month = d.start_month + months - 1;
    return d;
}

static sp_results *run(const sp_consumer_credit_def *a, const sp_consumer_credit_def *b, int months,
                       int reps, uint32_t seed)
{
    sp_err e;
    sp_package *pa = sp_package_alloc("A", &e), *pb = sp_package_alloc("B", &e);
    if (a)
        assert_int_equal(sp_package_add_consumer_credit(pa, "credit", a, &e), SP_OK);
    assert_int_equal(sp_package_add_consumer_credit(pb, "credit", b, &e), SP_OK);
    sp_experiment_def x = sp_experiment_def_default();
    x.population = pop;
    x.packages[0] = pa;
    x.packages[1] = pb;
    x.npackages = 2;
    x.start_month = sp_month_make(2020, 1);
    x.months = months;
    x.replicates = reps;
    x.seed = seed;
    x.threads = 2;
    sp_results *r = sp_experiment_run(&x, &e);
    if (!r)
        fail_msg("%s", e.msg);
    sp_package_free(pa);
    sp_package_free(pb);
    return r;
}

static double get(const sp_results *r, int p, int rep, int m, int g, int metric)
{
    return sp_results_get(r, p, rep, m, g, metric);
}

static double total(const sp_results *r, int p, int rep, int m0, int m1, int g, int metric)
{
    double s = 0;
    for (int m = m0; m <= m1; m++)
        s += get(r, p, rep, m, g, metric);
    return s;
}

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

static void test_validate(void **state)
{
    (void)state;
    sp_err e;
    sp_consumer_credit_def d = sp_consumer_credit_def_default();
    assert_int_equal(sp_consumer_credit_validate(&d, &e), SP_OK);
    d.term = 0;
    assert_int_equal(sp_consumer_credit_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "term"));
    d = sp_consumer_credit_def_default();
    d.rate = 1.5;
    assert_int_equal(sp_consumer_credit_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "rate"));
    d = sp_consumer_credit_def_default();
    d.subsidy_rate = 0.05;
    assert_int_equal(sp_consumer_credit_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "subsidy_rate"));
    d = sp_consumer_credit_def_default();
    d.subsidy_cap = -1;
    assert_int_equal(sp_consumer_credit_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "subsidy_cap"));
    d = sp_consumer_credit_def_default();
    d.limit = 0;
    assert_int_equal(sp_consumer_credit_validate(&d, &e), SP_EINVAL);
    d = sp_consumer_credit_def_default();
    d.purpose = (sp_credit_purpose)7;
    assert_int_equal(sp_consumer_credit_validate(&d, &e), SP_EINVAL);
    assert_int_equal(sp_credit_purpose_find("durables"), SP_CREDIT_DURABLES);
    assert_int_equal(sp_credit_purpose_find("car"), -1);
}

/* A loan is repaid in full over its term: principal repaid = amount, balance 0. */
static void test_repaid_in_full(void **state)
{
    (void)state;
    const double rates[] = {0, 0.03, 0.18};
    const int terms[] = {1, 12, 36, 360};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 4; b++) {
            const double amount = 48000;
            const double ann = sp_consumer_credit_annuity(amount, rates[a], terms[b]);
            double bal = amount, principal = 0, interest, paid = 0;
            int left = terms[b], n = 0;
            while (left > 0) {
                double pay = sp_consumer_credit_pay(ann, rates[a], &bal, &left, &interest);
                principal += pay - interest;
                paid += pay;
                n++;
            }
            assert_int_equal(n, terms[b]);
            assert_true(bal == 0);
            assert_true(fabs(principal - amount) <= 1e-9 * amount);
            assert_true(fabs(paid - ann * terms[b]) <= 1e-6 * paid); /* equal instalments */
        }
}

/* Through the engine: loans offered for 6 months, repaid over 24: every
 * balance is gone after month 30; repayments exceed the amount lent by the
 * interest; spending rises when loans are taken, falls while they are repaid. */
static void test_engine_repays_and_shifts_spending(void **state)
{
    (void)state;
    sp_consumer_credit_def d = general(10000, 6);
    sp_results *r = run(NULL, &d, 32, 1, 3);
    const double lent = total(r, 1, 0, 0, 31, 0, SP_M_LOAN_VALUE);
    const double repaid = total(r, 1, 0, 0, 31, 0, SP_M_REPAYMENTS);
    assert_true(lent > 0);
    assert_true(repaid > lent && repaid < lent * 1.15);
    assert_true(get(r, 1, 0, 30, 0, SP_M_CREDIT_BALANCE) == 0);
    assert_true(get(r, 1, 0, 31, 0, SP_M_BORROWERS) == 0);
    assert_true(get(r, 1, 0, 5, 0, SP_M_BORROWERS) > 0);
    const double now = total(r, 1, 0, 0, 5, 0, SP_M_SPENDING) - total(r, 0, 0, 0, 5, 0, SP_M_SPENDING);
    const double later = total(r, 1, 0, 6, 31, 0, SP_M_SPENDING) - total(r, 0, 0, 6, 31, 0, SP_M_SPENDING);
    printf("# general credit: lent %.4g, repaid %.4g; spending %+.4g in the offer months, %+.4g after\n",
           lent, repaid, now, later);
    assert_true(now > 0);
    assert_true(later < 0);
    /* hand-to-mouth households raise spending; the others barely */
    const int l0 = sp_dim_first(SP_DIM_LIQUIDITY);
    double per[SP_NLIQ];
    for (int l = 0; l < SP_NLIQ; l++) {
        const int g = l0 + l;
        per[l] = (total(r, 1, 0, 0, 5, g, SP_M_SPENDING) - total(r, 0, 0, 0, 5, g, SP_M_SPENDING)) /
                 get(r, 1, 0, 0, g, SP_M_HOUSEHOLDS);
        printf("# general credit: %s %+.1f yuan per household in the offer months\n", sp_group_label(g), per[l]);
    }
    assert_true(per[SP_LIQ_WEALTHY_HTM] > 20 * fabs(per[SP_LIQ_WEALTHY_NHTM]));
    assert_true(per[SP_LIQ_POOR_HTM] > 20 * fabs(per[SP_LIQ_POOR_NHTM]));
    sp_results_free(r);
}

/* The same product in both packages: every cell equal, exactly. */
static void test_identical_package_zero(void **state)
{
    (void)state;
    sp_consumer_credit_def d = sp_consumer_credit_def_default();
    d.start_month = sp_month_make(2020, 2);
    d.end_month = sp_month_make(2020, 6);
    sp_results *r = run(&d, &d, 10, 1, 4);
    const size_t cells = (size_t)10 * SP_NGROUP * SP_NMETRIC;
    assert_memory_equal(sp_results_at(r, 0, 0, 0), sp_results_at(r, 1, 0, 0), cells * sizeof(double));
    assert_true(total(r, 0, 0, 0, 9, 0, SP_M_INTEREST_SUBSIDY) > 0);
    sp_results_free(r);
}

/* N13: a general product offered for three years: share of households
 * holding a loan in the third year. */
static void test_n13_share_holding_credit(void **state)
{
    (void)state;
    sp_consumer_credit_def d = general(10000, 36);
    sp_results *r = run(NULL, &d, 36, REPS, 13);
    double v[REPS];
    for (int rep = 0; rep < REPS; rep++)
        v[rep] = total(r, 1, rep, 24, 35, 0, SP_M_BORROWERS) / total(r, 1, rep, 24, 35, 0, SP_M_HOUSEHOLDS);
    check_band("N13", "share of households holding consumer credit (third year)", v, 0.08, 0.20);
    sp_results_free(r);
}

/* N11: the same product with a 20% higher limit: extra balance after 12
 * months per yuan of extra limit, per household holding the product's loan
 * (the model's card holders in use). */
static void test_n11_debt_per_limit(void **state)
{
    (void)state;
    sp_consumer_credit_def a = general(10000, 36), b = general(12000, 36);
    sp_results *r = run(&a, &b, 12, REPS, 11);
    double v[REPS], per_household = 0;
    for (int rep = 0; rep < REPS; rep++) {
        const double dd = get(r, 1, rep, 11, 0, SP_M_CREDIT_BALANCE) - get(r, 0, rep, 11, 0, SP_M_CREDIT_BALANCE);
        v[rep] = dd / (2000 * get(r, 0, rep, 11, 0, SP_M_BORROWERS));
        per_household += dd / (2000 * get(r, 0, rep, 11, 0, SP_M_HOUSEHOLDS)) / REPS;
    }
    printf("# N11 per household offered the product: %.4g\n", per_household);
    check_band("N11", "extra debt / extra limit after 12 months, per borrower", v, 0.08, 0.20);
    sp_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_repaid_in_full),
        cmocka_unit_test(test_engine_repays_and_shifts_spending),
        cmocka_unit_test(test_identical_package_zero),
        cmocka_unit_test(test_n13_share_holding_credit),
        cmocka_unit_test(test_n11_debt_per_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
