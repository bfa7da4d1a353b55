/* test_used_car_export.c: easier transfer of used cars out of Beijing
 * (core/used_car_export.h, the resale term of core/cars.h; docs/model.md
 * section 12, docs/validation.md targets N21, N22).
 *
 * Exact rules are unit tests: validation (a share above 1, negative yuan, an
 * unknown standard, a window ending before it starts), eligibility by
 * standard and age, the gain; through the car market, the shortcut path
 * (sp_cars_chunk) leaves exactly the state and outcomes of the full step with
 * a resale term and a transfer subsidy; through the engine, the transfer
 * subsidy's budget is never overspent and is all the government cost, months
 * before the window are identical to the status quo, the status quo's
 * exported cars are used_car_export_share of its replacements, and a package
 * identical to the baseline differs by exactly zero. Statistical, at fixed
 * seeds (20,000 Beijing households, seed 4; experiment seed 31): the gain
 * raises replacements in the window, with the dip of a timing response after
 * it, and the elasticity of replacements to the net trade-in value. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cars.h"
#include "fixture.h"
#include "spendsim.h"

SP_TEST_POPULATION(20000, 4)

/* ---- exact rules ---- */

static void expect_error(const sp_used_car_export_def *d, const char *part)
{
    sp_err e;
    sp_err_clear(&e);
    assert_int_equal(sp_used_car_export_validate(d, &e), SP_EINVAL);
    if (!strstr(e.msg, part))
        fail_msg("\"%s\" not in \"%s\"", part, e.msg);
}

static void test_validate(void **state)
{
    (void)state;
    sp_used_car_export_def d = sp_used_car_export_def_default();
    sp_err e;
    assert_int_equal(sp_used_car_export_validate(&d, &e), SP_OK);
    d.end_month = d.start_month - 1;
    expect_error(&d, "is before start_month");
    d = sp_used_car_export_def_default();
    d.value_gain = 1.5;
    expect_error(&d, "value_gain must lie in 0..1");
    d = sp_used_car_export_def_default();
    d.transaction_cost = -1;
    expect_error(&d, "transaction_cost must be 0 or a positive amount of yuan, got -1");
    d = sp_used_car_export_def_default();
    d.subsidy = -5;
    expect_error(&d, "subsidy must be 0");
    d = sp_used_car_export_def_default();
    d.budget = NAN;
    expect_error(&d, "budget");
    d = sp_used_car_export_def_default();
    d.standards = 1u << 7;
    expect_error(&d, "standards must name China emission standards");
    d.standards = 0;
    expect_error(&d, "got 0x0");
    d = sp_used_car_export_def_default();
    d.min_age = -1;
    expect_error(&d, "min_age must lie in 0..1200 months, got -1");
    d = sp_used_car_export_def_default();
    d.max_age = 10;
    expect_error(&d, "max_age must be 0 (no limit) or lie in min_age 72..1200 months, got 10");
    d = sp_used_car_export_def_default();
    d.export_share = 1.2;
    expect_error(&d, "export_share must lie in 0..1, got 1.2");
    d = sp_used_car_export_def_default();
    d.value_gain = d.value_gain_amount = d.transaction_cost = d.subsidy = 0;
    expect_error(&d, "changes nothing");
}

/* Standards by name; eligibility is the standard and min_age <= age <=
 * max_age (0 = none); NEVs count as China 6; the gain adds its parts. */
static void test_eligibility_and_gain(void **state)
{
    (void)state;
    assert_int_equal(sp_emission_standard_find("IV"), 4);
    assert_int_equal(sp_emission_standard_find("II"), 2);
    assert_int_equal(sp_emission_standard_find("VI"), 6);
    assert_int_equal(sp_emission_standard_find("6"), 6);
    assert_int_equal(sp_emission_standard_find("VII"), -1);
    assert_int_equal(sp_emission_standard_find(NULL), -1);
    assert_string_equal(sp_emission_standard_name(5), "V");
    assert_string_equal(sp_emission_standard_name(9), "?");
    sp_used_car_export_def d = sp_used_car_export_def_default(); /* IV, V; 72..144 months */
    assert_true(sp_used_car_export_eligible(&d, 72, 4));
    assert_true(sp_used_car_export_eligible(&d, 144, 5));
    assert_false(sp_used_car_export_eligible(&d, 71, 4));
    assert_false(sp_used_car_export_eligible(&d, 145, 5));
    assert_false(sp_used_car_export_eligible(&d, 100, 3));
    assert_false(sp_used_car_export_eligible(&d, 100, SP_CAR_KIND_NEV));
    d.max_age = 0;
    assert_true(sp_used_car_export_eligible(&d, 900, 4));
    d.standards |= 1u << 6;
    assert_true(sp_used_car_export_eligible(&d, 100, SP_CAR_KIND_NEV));
    d.value_gain = 0.2;
    d.value_gain_amount = 300;
    d.transaction_cost = 700;
    assert_true(sp_used_car_export_gain(&d, 50000) == 0.2 * 50000 + 300 + 700);
    assert_true(sp_used_car_export_gain(&d, -5) == 1000);
    sp_car_resale r = sp_used_car_export_resale(&d, NULL, 9);
    assert_true(r.def == &d && r.id == 9 && r.export_share == d.export_share);
    assert_true(r.gain(r.def, 1000) == 0.2 * 1000 + 1000);
    assert_int_equal(r.eligible(r.def, 80, 4), 1);
}

/* At most one per package. */
static void test_one_per_package(void **state)
{
    (void)state;
    sp_err e;
    sp_package *p = sp_package_alloc("P", &e);
    sp_used_car_export_def d = sp_used_car_export_def_default();
    assert_int_equal(sp_package_add_used_car_export(p, "a", &d, &e), SP_OK);
    assert_int_equal(sp_package_add_used_car_export(p, "b", &d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "at most one used-car export"));
    sp_package_free(p);
}

/* sp_cars_chunk (shortcut for quiet households) leaves exactly the state and
 * outcomes of sp_cars_household for every household, with a resale term and
 * a transfer subsidy whose budget runs out, beside a scrappage programme
 * (whose subsidised cars are scrapped: not exported, no resale gain). */
static void test_chunk_matches_household_steps(void **state)
{
    (void)state;
    const sp_params P = sp_params_default();
    const int start = sp_month_make(2020, 1);
    sp_used_car_export_def d = sp_used_car_export_def_default();
    d.start_month = start + 1;
    d.end_month = start + 9;
    d.subsidy = 5000;
    d.budget = 4e8;
    sp_scrappage_def s = sp_scrappage_def_default(); /* China III and older */
    s.start_month = start + 2;
    s.end_month = start + 3;
    s.budget = 3e8;
    sp_filter *fs = sp_filter_compile(s.filter, NULL), *fu = sp_filter_compile("income_quintile >= 2", NULL);
    assert_non_null(fs);
    assert_non_null(fu);
    sp_car_policy ms;
    memset(&ms, 0, sizeof ms);
    ms.ntrade_in = 1;
    ms.trade_in[0] = sp_scrappage_programme(&s, fs, 1);
    ms.nresale = 1;
    ms.resale = sp_used_car_export_resale(&d, fu, 2);
    sp_rng_key key = sp_rng_key_make(42, 3);
    sp_hstate a, b;
    assert_int_equal(sp_hstate_init(&a, pop->n, NULL), SP_OK);
    assert_int_equal(sp_hstate_init(&b, pop->n, NULL), SP_OK);
    sp_hstate_copy(&a, &pop->state);
    sp_hstate_copy(&b, &pop->state);
    sp_cars_state *ca = sp_cars_state_alloc(pop, &a, &P, key, start, 1, NULL);
    sp_cars_state *cb = sp_cars_state_alloc(pop, &b, &P, key, start, 1, NULL);
    assert_non_null(ca);
    assert_non_null(cb);
    enum { CH = 256 };
    uint32_t w[CH][4], who[CH];
    sp_cars_outcome ev[CH];
    double paid = 0, gained = 0, exported = 0;
    int scrapped = 0;
    for (int pass = 0; pass < 2; pass++) {
        sp_simd_cap(pass ? SP_SIMD_PORTABLE : -1);
        for (int t = 0; t < 6; t++) {
            const int month = start + 6 * pass + t;
            assert_int_equal(sp_cars_prepare(ca, &ms, pop, &a, &P, key, month, NULL), SP_OK);
            assert_int_equal(sp_cars_prepare(cb, &ms, pop, &b, &P, key, month, NULL), SP_OK);
            for (size_t lo = 0; lo < pop->n; lo += CH) {
                size_t n = pop->n - lo < CH ? pop->n - lo : CH;
                sp_rng_words_batch(key, (uint32_t)lo, n, (uint32_t)month, SP_PURPOSE_CARS, 0, w);
                size_t ne = sp_cars_chunk(cb, &ms, pop, &b, &P, key, month, lo, n, (const uint32_t(*)[4])w,
                                          who, ev);
                size_t e = 0;
                for (size_t j = 0; j < n; j++) {
                    size_t i = lo + j;
                    sp_cars_outcome o;
                    sp_cars_household(ca, &ms, pop, &a, &P, key, month, i, &o);
                    for (int k = 0; k < a.ncars[i]; k++)
                        if (a.car_age[k][i] < 65535)
                            a.car_age[k][i]++;
                    if (e < ne && who[e] == j) {
                        assert_memory_equal(&o, &ev[e], sizeof o);
                        e++;
                    } else {
                        assert_true(!o.purchases && !o.entered && o.exported == 0 && o.resale_gain == 0);
                    }
                    if (o.trade_in_programme >= 0) { /* scrapped for the subsidy: not sold, no gain */
                        assert_true(o.exported == 0 && o.resale_gain == 0 && o.subsidy_transfer == 0);
                        scrapped++;
                    }
                    paid += pop->weight[i] * o.subsidy_transfer;
                    gained += o.resale_gain;
                    exported += o.exported;
                }
                assert_int_equal(e, ne);
            }
            assert_memory_equal(a.ncars, b.ncars, pop->n);
            for (int k = 0; k < SP_MAX_CARS; k++) {
                assert_memory_equal(a.car_age[k], b.car_age[k], pop->n * sizeof(uint16_t));
                assert_memory_equal(a.car_kind[k], b.car_kind[k], pop->n);
            }
        }
    }
    sp_simd_cap(-1);
    /* the budget: never overspent, spent to within one car, then stopped */
    assert_true(sp_cars_resale_exhausted(ca) && sp_cars_resale_exhausted(cb));
    assert_true(sp_cars_resale_spent(ca) == sp_cars_resale_spent(cb));
    assert_true(paid <= d.budget);
    assert_true(fabs(paid - sp_cars_resale_spent(ca)) < 1e-6 * d.budget);
    assert_true(gained > 0 && exported > 0 && scrapped > 0);
    sp_cars_state_free(ca);
    sp_cars_state_free(cb);
    sp_hstate_release(&a);
    sp_hstate_release(&b);
    sp_filter_free(fs);
    sp_filter_free(fu);
}

/* ---- through the engine ---- */

static sp_package *status_quo(void)
{
    sp_err e;
    sp_package *p = sp_package_alloc("Status quo", &e);
    sp_plate_regime_def r = sp_plate_regime_def_default();
    r.kind = SP_PLATE_INDIVIDUAL;
    r.nextra = 0;
    assert_int_equal(sp_package_add_plates(p, "plates", &r, &e), SP_OK);
    return p;
}

static sp_results *run2(sp_package *a, sp_package *b, int months, int reps)
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
    x.seed = 31;
    x.threads = 2;
    sp_results *r = sp_experiment_run(&x, &e);
    if (!r)
        fail_msg("%s", e.msg);
    return r;
}

static double get(const sp_results *r, int p, int rep, int m, int metric)
{
    return sp_results_get(r, p, rep, m, 0, metric);
}

/* The transfer subsidy's budget is never overspent (it runs out) and is the
 * whole government cost; before the window the two packages are identical
 * in every cell; the status quo exports used_car_export_share of its
 * replacements; without a subsidy the measure costs the government nothing. */
static void test_budget_dates_and_exports(void **state)
{
    (void)state;
    sp_err e;
    sp_package *b = status_quo(), *p = sp_package_derive(b, "Export", &e);
    sp_used_car_export_def d = sp_used_car_export_def_default();
    d.start_month = sp_month_make(2020, 4);
    d.end_month = sp_month_make(2020, 9);
    d.subsidy = 3000;
    d.budget = 5e7;
    assert_int_equal(sp_package_add_used_car_export(p, "export", &d, &e), SP_OK);
    enum { M = 12 };
    sp_results *r = run2(b, p, M, 2);
    const sp_params P = sp_params_default();
    for (int rep = 0; rep < 2; rep++) {
        double paid = 0, gov = 0, gain = 0, ex1 = 0, ex0 = 0, rp1 = 0, rp0 = 0;
        for (int m = 0; m < M; m++) {
            if (m < 3)
                assert_memory_equal(sp_results_at(r, 0, rep, m), sp_results_at(r, 1, rep, m),
                                    SP_NGROUP * SP_NMETRIC * sizeof(double));
            paid += get(r, 1, rep, m, SP_M_TRANSFER_SUBSIDY);
            gov += get(r, 1, rep, m, SP_M_GOV_COST);
            gain += get(r, 1, rep, m, SP_M_RESALE_GAIN);
            if (m > 8) /* after the window: no gain, no subsidy */
                assert_true(get(r, 1, rep, m, SP_M_RESALE_GAIN) == 0 &&
                            get(r, 1, rep, m, SP_M_TRANSFER_SUBSIDY) == 0);
            ex0 += get(r, 0, rep, m, SP_M_USED_CARS_EXPORTED);
            ex1 += get(r, 1, rep, m, SP_M_USED_CARS_EXPORTED);
            rp0 += get(r, 0, rep, m, SP_M_REPLACEMENTS);
            rp1 += get(r, 1, rep, m, SP_M_REPLACEMENTS);
        }
        print_message("rep %d: transfer subsidy %.4g of budget %.4g; gain %.4g yuan; exported %.0f of %.0f "
                      "replacements (status quo %.0f of %.0f)\n",
                      rep, paid, d.budget, gain, ex1, rp1, ex0, rp0);
        assert_true(paid <= d.budget && paid > 0.95 * d.budget); /* the budget ran out */
        assert_true(fabs(gov - paid) <= 1e-9 * paid);
        assert_true(gain > 0);
        assert_true(fabs(ex0 - P.used_car_export_share * rp0) < 1e-6 * rp0);
        assert_true(ex1 / rp1 > ex0 / rp0); /* qualifying cars leave at 0.65, the others at 0.6 */
    }
    sp_results_free(r);
    /* no subsidy: no government cost at all */
    sp_package_free(p);
    p = sp_package_derive(b, "Export, no subsidy", &e);
    d.subsidy = 0;
    assert_int_equal(sp_package_add_used_car_export(p, "export", &d, &e), SP_OK);
    r = run2(b, p, 8, 1);
    for (int m = 0; m < 8; m++)
        assert_true(get(r, 1, 0, m, SP_M_GOV_COST) == 0 && get(r, 1, 0, m, SP_M_TRANSFER_SUBSIDY) == 0);
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
    sp_package *b = status_quo();
    sp_used_car_export_def d = sp_used_car_export_def_default();
    d.start_month = sp_month_make(2020, 2);
    d.subsidy = 2000;
    d.budget = 1e8;
    assert_int_equal(sp_package_add_used_car_export(b, "export", &d, &e), SP_OK);
    sp_package *p = sp_package_derive(b, "Same", &e);
    sp_results *r = run2(b, p, 6, 2);
    for (int rep = 0; rep < 2; rep++)
        for (int m = 0; m < 6; m++)
            assert_memory_equal(sp_results_at(r, 0, rep, m), sp_results_at(r, 1, rep, m),
                                SP_NGROUP * SP_NMETRIC * sizeof(double));
    assert_true(get(r, 0, 0, 3, SP_M_RESALE_GAIN) > 0);
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

/* The response (4 replicates): a 12-month measure from 2020-03 on every car
 * (every standard, any age) raising the net trade-in value by value_gain of
 * the car's used value. Replacements rise in the window, the months after
 * it give part back (timing: the hazards take back the advanced purchases),
 * and the elasticity of replacements over the window to the net trade-in
 * value is printed and checked in a band around the value measured with the
 * default parameters (0.10 of the value: docs/model.md section 12). The gain
 * follows the rule on every replaced car. */
static double window_response(double gain_share, double *after_share, double *sd)
{
    sp_err e;
    sp_package *b = status_quo(), *p = sp_package_derive(b, "Export", &e);
    sp_used_car_export_def d = sp_used_car_export_def_default();
    d.start_month = sp_month_make(2020, 3);
    d.end_month = sp_month_make(2021, 2);
    d.standards = 0x7cu; /* II .. VI */
    d.min_age = 0;
    d.max_age = 0;
    d.value_gain = gain_share;
    d.transaction_cost = 0;
    assert_int_equal(sp_package_add_used_car_export(p, "export", &d, &e), SP_OK);
    enum { REPS = 4, M = 20 };
    sp_results *r = run2(b, p, M, REPS);
    double el[REPS], mean = 0, after = 0, base_total = 0;
    for (int rep = 0; rep < REPS; rep++) {
        double in0 = 0, in1 = 0, a0 = 0, a1 = 0;
        for (int m = 2; m < 14; m++) {
            in0 += get(r, 0, rep, m, SP_M_REPLACEMENTS);
            in1 += get(r, 1, rep, m, SP_M_REPLACEMENTS);
        }
        for (int m = 14; m < M; m++) {
            a0 += get(r, 0, rep, m, SP_M_REPLACEMENTS);
            a1 += get(r, 1, rep, m, SP_M_REPLACEMENTS);
        }
        el[rep] = (in1 / in0 - 1) / gain_share;
        mean += el[rep] / REPS;
        after += (a1 - a0) / REPS;
        base_total += (in1 - in0) / REPS;
        assert_true(in1 > in0); /* more replacements in the window */
    }
    double ss = 0;
    for (int rep = 0; rep < REPS; rep++)
        ss += (el[rep] - mean) * (el[rep] - mean);
    *sd = sqrt(ss / (REPS - 1));
    *after_share = after / base_total;
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
    return mean;
}

static void test_replacement_response(void **state)
{
    (void)state;
    double after, sd;
    double el = window_response(0.10, &after, &sd);
    print_message("elasticity of replacements (12-month window) to the net trade-in value: %.3f (sd over "
                  "replicates %.3f); the 6 months after give back %.0f%% of the extra\n",
                  el, sd, -100 * after);
    assert_true(el > 0.05 && el < 2.0);
    assert_true(after < 0); /* the dip after the window */
    double after2, sd2;
    double el2 = window_response(0.30, &after2, &sd2);
    print_message("at 0.30 of the value: elasticity %.3f (sd %.3f)\n", el2, sd2);
    assert_true(el2 > 0); /* a larger gain: more replacements, at a falling rate per unit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_eligibility_and_gain),
        cmocka_unit_test(test_one_per_package),
        cmocka_unit_test(test_chunk_matches_household_steps),
        cmocka_unit_test(test_budget_dates_and_exports),
        cmocka_unit_test(test_identical_package_zero),
        cmocka_unit_test(test_replacement_response),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
