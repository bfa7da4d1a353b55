/* test_cars.c: car stock dynamics and car measures (core/cars.h).
 *
 * Exact rules: definitions are validated with messages naming the field; the
 * entry hazard rises with age; subsidy amounts respect floor and cap; results
 * do not depend on the order households are processed in; a programme outside
 * the horizon changes nothing; a budget is never overspent, the ledger equals
 * what households received, and the programme stops once the budget runs out;
 * a cash transfer adds amount x MPC to the pending windfall.
 * Statistical properties at fixed seeds (50,000 Beijing households, seed 11):
 * replacement volumes of about 300-400 thousand a year; richer households
 * replace sooner; V7 (US CARS-type two-month programme, subsidy 16% of the
 * price for cars >= 10 years old or China III or older: additionality within
 * the window 0.45-0.60, replicate interval inside the band) with the spike
 * during and the dip after the programme, and the pull-forward reversing as
 * the ex-post studies report (cumulative extra purchases falling after the
 * programme, below 25% of the window's extra nine months after its end and
 * 15% after twelve); V10 (China 2010 old-for-new: average
 * subsidy per subsidised vehicle 12,000-16,000 yuan); plate winners buy about
 * 80% within six months.
 *
 * The simulation loop below is what the engine does each month: prepare, then
 * the household step for every household, then age the cars by one month. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cars.h"
#include "spendsim.h"

static sp_population *pop; /* 50,000 households */
static sp_params P;

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 50000;
    d.seed = 11;
    pop = sp_beijing_build(&d, NULL);
    P = sp_params_default();
    return pop ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    return 0;
}

enum { NM = 36 };

typedef struct sim {
    double buys[NM], repl[NM], first[NM], nev[NM], value[NM];
    double subsidised[NM], subsidy[NM], subsidised_value[NM];
    double cls[NM][SP_NVCLASS]; /* purchases by vehicle class */
    double max_cost;           /* largest single subsidy x weight paid */
    double repl_q[5], cars_q[5]; /* replacements and car-months by quintile */
    double wants;              /* household-months flagged "wants a plate" */
    double spent[SP_CARS_MAX_PROGRAMMES];
    int exhausted[SP_CARS_MAX_PROGRAMMES];
} sim;

/* Runs the car module over `months` months from `start` for replicate rep. */
static void simulate(const sp_car_policy *ms, uint32_t rep, int start, int months, int reverse,
                     int plates_required, sim *r)
{
    memset(r, 0, sizeof *r);
    assert_true(months <= NM);
    sp_rng_key key = sp_rng_key_make(42, rep);
    sp_hstate st;
    assert_int_equal(sp_hstate_init(&st, pop->n, NULL), SP_OK);
    sp_hstate_copy(&st, &pop->state);
    int shift = start - pop->base_month;
    for (size_t i = 0; i < pop->n; i++)
        for (int k = 0; k < st.ncars[i]; k++)
            st.car_age[k][i] = (uint16_t)(st.car_age[k][i] + shift);
    sp_err err;
    sp_cars_state *cs = sp_cars_state_alloc(pop, &st, &P, key, start, plates_required, &err);
    assert_non_null(cs);
    for (int t = 0; t < months; t++) {
        int month = start + t;
        assert_int_equal(sp_cars_prepare(cs, ms, pop, &st, &P, key, month, &err), SP_OK);
        for (size_t j = 0; j < pop->n; j++) {
            size_t i = reverse ? pop->n - 1 - j : j;
            double w = pop->weight[i];
            int q = pop->quintile[i];
            r->cars_q[q] += w * st.ncars[i];
            sp_cars_outcome o;
            sp_cars_household(cs, ms, pop, &st, &P, key, month, i, &o);
            r->buys[t] += w * o.purchases;
            r->repl[t] += w * o.replacement;
            r->repl_q[q] += w * o.replacement;
            r->first[t] += w * o.first;
            r->nev[t] += w * o.nev;
            r->value[t] += w * o.value;
            if (o.purchases)
                r->cls[t][o.vclass] += w;
            r->wants += w * o.wants_plate;
            if (o.subsidy_trade_in > 0) {
                r->subsidised[t] += w;
                r->subsidy[t] += w * o.subsidy_trade_in;
                r->subsidised_value[t] += w * o.value;
                if (w * o.subsidy_trade_in > r->max_cost)
                    r->max_cost = w * o.subsidy_trade_in;
            }
            for (int k = 0; k < st.ncars[i]; k++) /* the engine ages cars after the step */
                if (st.car_age[k][i] < 65535)
                    st.car_age[k][i]++;
        }
    }
    for (int k = 0; k < SP_CARS_MAX_PROGRAMMES; k++) {
        r->spent[k] = sp_cars_trade_in_spent(cs, k);
        r->exhausted[k] = sp_cars_trade_in_exhausted(cs, k);
    }
    sp_cars_state_free(cs);
    sp_hstate_release(&st);
}

static double sum(const double *x, int from, int to) /* [from, to) */
{
    double s = 0;
    for (int t = from; t < to; t++)
        s += x[t];
    return s;
}

#define START sp_month_make(2020, 1)

/* US CARS (2009) mapped to Beijing: two months, about 16% of the new car's
 * price, for cars at least ten years old or China III or older. */
static sp_scrappage_def cars_design(void)
{
    sp_scrappage_def d = sp_scrappage_def_default();
    d.amount_nev = d.amount_ice = 0;
    d.share_nev = d.share_ice = 0.16;
    d.start_month = sp_month_make(2020, 7);
    d.end_month = sp_month_make(2020, 8);
    strcpy(d.filter, "car_age >= 120 or emission <= 3");
    return d;
}

static sp_car_policy one_programme(const sp_scrappage_def *d, sp_filter **f)
{
    sp_car_policy ms;
    memset(&ms, 0, sizeof ms);
    *f = sp_filter_compile(d->filter, NULL);
    assert_non_null(*f);
    ms.ntrade_in = 1;
    ms.trade_in[0] = sp_scrappage_programme(d, *f, 1);
    return ms;
}

/* ---- definitions ---- */

static void expect_scrap(sp_scrappage_def d, const char *needle)
{
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_scrappage_validate(&d, &err), SP_EINVAL);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void test_validation_errors(void **state)
{
    (void)state;
    sp_err err;
    sp_scrappage_def d = sp_scrappage_def_default();
    assert_int_equal(sp_scrappage_validate(&d, &err), SP_OK);
    d.amount_ice = -1;
    expect_scrap(d, "amount_ice");
    d = sp_scrappage_def_default();
    d.share_nev = 1.5;
    expect_scrap(d, "share_nev");
    d = sp_scrappage_def_default();
    d.end_month = d.start_month - 1;
    expect_scrap(d, "end_month");
    d = sp_scrappage_def_default();
    d.budget = -5;
    expect_scrap(d, "budget");
    d = sp_scrappage_def_default();
    d.cap = 1000;
    d.floor = 2000;
    expect_scrap(d, "floor");
    d = sp_scrappage_def_default();
    d.amount_nev = d.amount_ice = 0;
    expect_scrap(d, "pays nothing");
    d = sp_scrappage_def_default();
    d.start_month = 5;
    expect_scrap(d, "start_month");
    d = sp_scrappage_def_default();
    d.budget = NAN;
    expect_scrap(d, "budget");

    sp_purchase_subsidy_def ps = sp_purchase_subsidy_def_default();
    assert_int_equal(sp_purchase_subsidy_validate(&ps, &err), SP_OK);
    ps.cap = -1;
    assert_int_equal(sp_purchase_subsidy_validate(&ps, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "cap"));

    sp_cash_transfer_def ct = sp_cash_transfer_def_default();
    assert_int_equal(sp_cash_transfer_validate(&ct, &err), SP_OK);
    ct.amount = 0;
    assert_int_equal(sp_cash_transfer_validate(&ct, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "amount"));
    ct = sp_cash_transfer_def_default();
    ct.months = 30;
    assert_int_equal(sp_cash_transfer_validate(&ct, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "months"));
    assert_int_equal(sp_scrappage_validate(NULL, &err), SP_EINVAL);
    sp_cars_state_free(NULL);
}

static void test_amounts(void **state)
{
    (void)state;
    sp_scrappage_def d = sp_scrappage_def_default();
    assert_true(sp_scrappage_amount(&d, 1, 1e5) == 10000);
    assert_true(sp_scrappage_amount(&d, 0, 1e5) == 7000);
    d.share_ice = 0.129;
    d.floor = 5000;
    d.cap = 18000;
    assert_true(sp_scrappage_amount(&d, 0, 20000) == 5000);
    assert_true(fabs(sp_scrappage_amount(&d, 0, 100000) - 12900) < 1e-9);
    assert_true(sp_scrappage_amount(&d, 0, 1e6) == 18000);
    assert_true(sp_scrappage_amount(&d, 1, 1e6) == 10000); /* NEV: fixed amount */
    assert_int_equal(sp_cars_emission_of_year(2004), 2);
    assert_int_equal(sp_cars_emission_of_year(2006), 3);
    assert_int_equal(sp_cars_emission_of_year(2019), 5);
    assert_int_equal(sp_cars_emission_of_year(2021), 6);
    assert_int_equal(sp_cars_plate_window(sp_month_make(2011, 3)), 6);
    assert_int_equal(sp_cars_plate_window(sp_month_make(2019, 3)), 12);
}

static void test_hazard_rises_with_age(void **state)
{
    (void)state;
    double prev = -1;
    for (int a = 0; a <= 400; a++) {
        double h = sp_cars_entry_hazard(&P, a);
        assert_true(h > prev && h < 1);
        prev = h;
    }
    /* logit shift: monotone in the shift, fixed points at 0 and 1 */
    assert_true(sp_cars_logit_shift(0.3, 1) > 0.3);
    assert_true(sp_cars_logit_shift(0.3, -1) < 0.3);
    assert_true(sp_cars_logit_shift(0, 5) == 0 && sp_cars_logit_shift(1, -5) == 1);
    /* richer households: larger multiplier */
    for (size_t i = 0; i < 200; i++)
        for (size_t j = 0; j < 200; j++)
            if (pop->quintile[i] > pop->quintile[j])
                assert_true(sp_cars_income_multiplier(&P, pop, i) > sp_cars_income_multiplier(&P, pop, j));
}

/* ---- baseline dynamics ---- */

static void test_baseline_replacement_volume(void **state)
{
    (void)state;
    sim b;
    simulate(NULL, 0, START, 12, 0, 1, &b);
    double repl = sum(b.repl, 0, 12), cars = pop->state.ncars ? 0 : 0;
    for (size_t i = 0; i < pop->n; i++)
        cars += pop->weight[i] * pop->state.ncars[i];
    double first = sum(b.first, 0, 12), nev = sum(b.nev, 0, 12), buys = sum(b.buys, 0, 12);
    printf("baseline 2020: replacements %.0f a year on %.0f cars (%.1f%%), plate purchases %.0f, NEV share "
           "%.3f, mean price %.0f yuan\n",
           repl, cars, 100 * repl / cars, first, nev / buys, sum(b.value, 0, 12) / buys);
    /* docs/model.md section 4: roughly 300-400 thousand replacements a year on ~5 million cars */
    assert_true(repl > 300000 && repl < 400000);
    /* no spike at the start: the market begins near its stationary state */
    double m0 = b.repl[0], mean = repl / 12;
    assert_true(fabs(m0 - mean) < 0.25 * mean);
    assert_true(b.wants > 0); /* car-less households come to want a plate */
}

static void test_richer_replace_sooner(void **state)
{
    (void)state;
    sim b;
    simulate(NULL, 1, START, 24, 0, 1, &b);
    double r1 = b.repl_q[0] / b.cars_q[0], r5 = b.repl_q[4] / b.cars_q[4];
    printf("replacement rate per car-month: Q1 %.4f, Q5 %.4f\n", r1, r5);
    assert_true(r5 > 1.2 * r1);
}

static void test_order_independent_and_null_programme(void **state)
{
    (void)state;
    sim a, b, c;
    simulate(NULL, 2, START, 6, 0, 1, &a);
    simulate(NULL, 2, START, 6, 1, 1, &b);
    for (int t = 0; t < 6; t++) {
        /* per-household results identical; sums in another order may differ in the last bits */
        assert_true(fabs(a.buys[t] - b.buys[t]) <= 1e-9 * a.buys[t]);
        assert_true(fabs(a.value[t] - b.value[t]) <= 1e-9 * a.value[t]);
    }
    /* a programme after the horizon: exactly the baseline */
    sp_scrappage_def d = cars_design();
    d.start_month = START + 20;
    d.end_month = START + 21;
    sp_filter *f;
    sp_car_policy ms = one_programme(&d, &f);
    simulate(&ms, 2, START, 6, 0, 1, &c);
    for (int t = 0; t < 6; t++) {
        assert_true(a.buys[t] == c.buys[t]);
        assert_true(a.value[t] == c.value[t]);
        assert_true(a.nev[t] == c.nev[t]);
    }
    sp_filter_free(f);
}

/* ---- V7: CARS additionality ---- */

static void test_v7_cars_additionality(void **state)
{
    (void)state;
    sp_scrappage_def d = cars_design();
    sp_filter *f;
    sp_car_policy ms = one_programme(&d, &f);
    enum { R = 6, H = 21 };
    const int w0 = d.start_month - START, w1 = d.end_month - START + 1; /* window [w0, w1) */
    enum { AFTER = H - 8 };  /* months after the programme followed: 0 (its end) .. 12 */
    double add[R], mean = 0, var = 0, spike = 0, dip = 0, base_w = 0, extra_w = 0;
    double cum[AFTER] = {0}; /* cumulative extra purchases from the programme's start to k months after its end, sum over replicates */
    for (int r = 0; r < R; r++) {
        sim b, s;
        simulate(NULL, (uint32_t)(10 + r), START, H, 0, 1, &b);
        simulate(&ms, (uint32_t)(10 + r), START, H, 0, 1, &s);
        /* before the programme: identical (common random numbers) */
        for (int t = 0; t < w0; t++)
            assert_true(b.buys[t] == s.buys[t]);
        double extra = sum(s.buys, w0, w1) - sum(b.buys, w0, w1);
        double trans = sum(s.subsidised, w0, w1);
        add[r] = extra / trans;
        mean += add[r] / R;
        spike += extra;
        extra_w += extra;
        base_w += sum(b.buys, w0, w1);
        dip += sum(s.buys, w1, w1 + 6) - sum(b.buys, w1, w1 + 6);
        for (int k = 0; k < AFTER && w1 + k <= H; k++)
            cum[k] += sum(s.buys, w0, w1 + k) - sum(b.buys, w0, w1 + k);
        assert_true(sum(s.subsidised, 0, w0) == 0 && sum(s.subsidised, w1, H) == 0);
    }
    for (int r = 0; r < R; r++)
        var += (add[r] - mean) * (add[r] - mean) / (R - 1);
    double half = 2.571 * sqrt(var / R); /* t(0.975, 5) */
    printf("V7 additionality %.3f (95%% interval %.3f..%.3f, replicates", mean, mean - half, mean + half);
    for (int r = 0; r < R; r++)
        printf(" %.3f", add[r]);
    printf("); window purchases +%.0f%%; next 6 months %.0f (%.0f%% of the extra purchases pulled forward)\n",
           100 * spike / base_w, dip / R, -100 * dip / extra_w);
    /* The pull-forward accounting (docs/validation.md): cumulative extra
     * purchases since the programme began, k months after its end, as a
     * share of the extra purchases in the window. */
    printf("pull-forward: months after the end, cumulative extra purchases (mean of %d replicates), share of the window's extra\n", R);
    for (int k = 0; k < AFTER; k++)
        printf("pull-forward %2d %9.0f %6.3f\n", k, cum[k] / R, cum[k] / cum[0]);
    assert_true(mean >= 0.45 && mean <= 0.60);
    assert_true(mean - half >= 0.45 && mean + half <= 0.60);
    assert_true(spike > 0.5 * base_w); /* the spike */
    assert_true(dip < -0.3 * extra_w); /* the dip: a good part of the extra purchases was pulled forward */
    /* The shape the ex-post studies report (Mian & Sufi 2012: almost
     * completely reversed seven months after the programme; Hoekstra, Puller
     * & West 2017: offset within seven to nine months): the cumulative extra
     * falls month by month after the programme, below a quarter of the
     * window's extra nine months after its end and below 15% after twelve. */
    for (int k = 1; k < AFTER; k++)
        assert_true(cum[k] < cum[k - 1] + 0.02 * cum[0]);
    assert_true(cum[9] < 0.25 * cum[0]);
    assert_true(fabs(cum[AFTER - 1]) < 0.15 * cum[0]);
    sp_filter_free(f);
}

/* ---- V10: China 2010 old-for-new, average subsidy per vehicle ---- */

static void test_v10_subsidy_per_vehicle(void **state)
{
    (void)state;
    /* 5,000-18,000 yuan by vehicle type; modelled as a share of the new car's
     * price (the 2010 ratio of subsidies to induced sales, 6.41 / 49.6) within
     * [5,000, 18,000], for old (China III or older) cars, ten months. */
    sp_scrappage_def d = sp_scrappage_def_default();
    d.amount_nev = d.amount_ice = 0;
    d.share_nev = d.share_ice = 6.41 / 49.6;
    d.floor = 5000;
    d.cap = 18000;
    d.start_month = sp_month_make(2020, 1);
    d.end_month = sp_month_make(2020, 10);
    strcpy(d.filter, "emission <= 3");
    sp_filter *f;
    sp_car_policy ms = one_programme(&d, &f);
    sim s;
    simulate(&ms, 3, START, 10, 0, 1, &s);
    double n = sum(s.subsidised, 0, 10), paid = sum(s.subsidy, 0, 10), val = sum(s.subsidised_value, 0, 10);
    printf("V10 average subsidy per subsidised vehicle %.0f yuan (%.0f vehicles, subsidy / sales %.3f)\n",
           paid / n, n, paid / val);
    assert_true(n > 1000);
    assert_true(paid / n >= 12000 && paid / n <= 16000);
    sp_filter_free(f);
}

/* ---- vehicle classes and restricted programmes ---- */

/* Purchases of class k summed over months [from, to). */
static double cls_sum(const sim *s, int k, int from, int to)
{
    double x = 0;
    for (int t = from; t < to; t++)
        x += s->cls[t][k];
    return x;
}

static void test_restricted_programmes_shift_classes(void **state)
{
    (void)state;
    /* the V7 design unrestricted (U), restricted to cars using at most 6.5
     * L/100 km (F: the economy ICE class and NEVs, as CARS required a
     * fuel-economy gain) and to NEVs (N), against the status quo (B) */
    sp_scrappage_def du = cars_design(), df = cars_design(), dn = cars_design();
    df.only.max_fuel = 6.5;
    dn.only.nev_only = 1;
    sp_filter *fu, *ff, *fn;
    sp_car_policy mu = one_programme(&du, &fu), mf = one_programme(&df, &ff), mn = one_programme(&dn, &fn);
    sim b, u, f, n;
    simulate(NULL, 21, START, 8, 0, 1, &b);
    simulate(&mu, 21, START, 8, 0, 1, &u);
    simulate(&mf, 21, START, 8, 0, 1, &f);
    simulate(&mn, 21, START, 8, 0, 1, &n);
    const int w0 = 6, w1 = 8; /* July-August 2020 */
    const sim *all[4] = {&b, &u, &f, &n};
    const char *label[4] = {"status quo", "unrestricted", "max 6.5 L/100 km", "NEV only"};
    double buys[4], value[4], econ[4], nev[4], prem_ice[4];
    for (int s = 0; s < 4; s++) {
        buys[s] = sum(all[s]->buys, w0, w1);
        value[s] = sum(all[s]->value, w0, w1);
        econ[s] = cls_sum(all[s], SP_VC_ECONOMY_ICE, w0, w1);
        prem_ice[s] = cls_sum(all[s], SP_VC_PREMIUM_ICE, w0, w1);
        nev[s] = 0;
        for (int k = SP_VC_ECONOMY_NEV; k <= SP_VC_PREMIUM_NEV; k++)
            nev[s] += cls_sum(all[s], k, w0, w1);
        printf("classes, %-17s: purchases %6.0f, spending %5.2f bn yuan, mean price %6.0f; economy ICE %.3f, "
               "premium ICE %.3f, NEV %.3f of purchases\n",
               label[s], buys[s], value[s] / 1e9, value[s] / buys[s], econ[s] / buys[s], prem_ice[s] / buys[s],
               nev[s] / buys[s]);
    }
    /* Fuel-economy restriction: purchases move to the eligible classes and
     * to cheaper cars, so new-car spending rises less than without it
     * (Hoekstra, Puller & West 2017: CARS shifted purchases to cars costing
     * on average $5,000 less). */
    assert_true((econ[2] + nev[2]) / buys[2] > (econ[1] + nev[1]) / buys[1] + 0.02);
    assert_true((econ[2] + nev[2]) / buys[2] > (econ[0] + nev[0]) / buys[0] + 0.02);
    assert_true(value[2] / buys[2] < value[1] / buys[1]);
    assert_true(value[2] > value[0] && value[2] < value[1]);
    assert_true(prem_ice[2] / buys[2] < prem_ice[0] / buys[0]);
    /* NEV-only: the NEV share rises above both, ICE purchases barely move,
     * spending rises less than without the restriction. */
    assert_true(nev[3] / buys[3] > nev[1] / buys[1] + 0.05 && nev[3] / buys[3] > nev[0] / buys[0] + 0.05);
    assert_true(buys[3] - nev[3] < 1.05 * (buys[0] - nev[0]));
    assert_true(value[3] > value[0] && value[3] < value[1]);
    /* the class counts add up to the purchases */
    for (int s = 0; s < 4; s++) {
        double c = 0;
        for (int k = 0; k < SP_NVCLASS; k++)
            c += cls_sum(all[s], k, 0, 8);
        assert_true(fabs(c - sum(all[s]->buys, 0, 8)) <= 1e-6 * c);
    }
    sp_filter_free(fu);
    sp_filter_free(ff);
    sp_filter_free(fn);
}

static void test_restrictions(void **state)
{
    (void)state;
    sp_err err;
    sp_car_restrict r = {0};
    for (int k = 0; k < SP_NVCLASS; k++)
        assert_true(sp_car_restrict_allows(&r, k, 1e9));
    r.max_fuel = 6.5;
    assert_true(sp_car_restrict_allows(&r, SP_VC_ECONOMY_ICE, 1e5) && !sp_car_restrict_allows(&r, SP_VC_MID_ICE, 1e5));
    assert_true(sp_car_restrict_allows(&r, SP_VC_PREMIUM_NEV, 1e5));
    r = (sp_car_restrict){.nev_only = 1, .max_price = 300000};
    assert_true(!sp_car_restrict_allows(&r, SP_VC_ECONOMY_ICE, 1e5) && sp_car_restrict_allows(&r, SP_VC_MID_NEV, 2e5));
    assert_true(!sp_car_restrict_allows(&r, SP_VC_PREMIUM_NEV, 300001));
    r = (sp_car_restrict){.classes = 1u << SP_VC_MID_ICE};
    assert_true(sp_car_restrict_allows(&r, SP_VC_MID_ICE, 1e5) && !sp_car_restrict_allows(&r, SP_VC_MID_NEV, 1e5));
    assert_int_equal(sp_car_restrict_validate(&r, &err), SP_OK);
    r.nev_only = 1; /* mid ICE only, NEVs only: nothing left */
    assert_int_equal(sp_car_restrict_validate(&r, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "no vehicle class"));
    r = (sp_car_restrict){.max_fuel = -1};
    assert_int_equal(sp_car_restrict_validate(&r, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "max_fuel"));
    r = (sp_car_restrict){.classes = 1u << 7};
    assert_int_equal(sp_car_restrict_validate(&r, &err), SP_EINVAL);
    /* classes by name; running costs: NEVs are cheaper to run, bigger cars dearer */
    assert_int_equal(sp_vehicle_class_find("mid_nev"), SP_VC_MID_NEV);
    assert_int_equal(sp_vehicle_class_find("compact"), -1);
    assert_true(sp_vehicle_running_cost(SP_VC_ECONOMY_ICE) < sp_vehicle_running_cost(SP_VC_PREMIUM_ICE));
    assert_true(sp_vehicle_running_cost(SP_VC_MID_NEV) < sp_vehicle_running_cost(SP_VC_ECONOMY_ICE));
    /* a programme's payment follows its restrictions */
    sp_scrappage_def d = sp_scrappage_def_default();
    d.only.nev_only = 1;
    assert_true(sp_scrappage_pays(&d, SP_VC_MID_ICE, 1e5) == 0 && sp_scrappage_pays(&d, SP_VC_MID_NEV, 1e5) == 10000);
    assert_int_equal(sp_car_kind_of_class(SP_VC_MID_NEV, 5) & 0x0f, SP_CAR_KIND_NEV);
    assert_int_equal(sp_car_class(sp_car_kind_of_class(SP_VC_PREMIUM_ICE, 6)), SP_VC_PREMIUM_ICE);
    assert_int_equal(SP_CAR_EMISSION(sp_car_kind_of_class(SP_VC_PREMIUM_ICE, 6)), 6);
    assert_int_equal(sp_car_class(5), -1);
}

/* ---- budgets ---- */

static void test_budget_never_overspent(void **state)
{
    (void)state;
    sp_scrappage_def d = cars_design();
    d.share_nev = d.share_ice = 0;
    d.amount_nev = d.amount_ice = 20000;
    sp_filter *f;
    sp_car_policy ms = one_programme(&d, &f);
    sim u, s;
    simulate(&ms, 4, START, 10, 0, 1, &u); /* unlimited */
    const int w0 = d.start_month - START;
    assert_false(u.exhausted[0]);
    assert_true(fabs(u.spent[0] - sum(u.subsidy, 0, 10)) <= 1e-6 * u.spent[0]);
    /* a budget of 60% of the first month's unlimited spending runs out in month one */
    d.budget = 0.6 * u.subsidy[w0];
    ms.trade_in[0] = sp_scrappage_programme(&d, f, 1); /* the programme holds its budget */
    simulate(&ms, 4, START, 10, 0, 1, &s);
    printf("budget %.0f yuan: spent %.0f, exhausted %d\n", d.budget, s.spent[0], s.exhausted[0]);
    assert_true(s.spent[0] <= d.budget);
    assert_true(s.spent[0] > d.budget - s.max_cost - 1e-6);
    assert_true(s.exhausted[0]);
    assert_true(fabs(s.spent[0] - sum(s.subsidy, 0, 10)) <= 1e-6 * s.spent[0]);
    assert_true(s.subsidy[w0 + 1] == 0); /* stopped */
    assert_true(s.buys[w0] < u.buys[w0]);
    sp_filter_free(f);
}

/* ---- first cars, plates, fuel ---- */

static void test_plate_winners_buy_within_window(void **state)
{
    (void)state;
    sp_rng_key key = sp_rng_key_make(42, 5);
    sp_hstate st;
    assert_int_equal(sp_hstate_init(&st, pop->n, NULL), SP_OK);
    sp_hstate_copy(&st, &pop->state);
    size_t won = 0;
    for (size_t i = 0; i < pop->n && won < 3000; i++)
        if (st.ncars[i] == 0) {
            st.plate_state[i] = SP_PLATE_WON;
            won++;
        }
    sp_cars_state *cs = sp_cars_state_alloc(pop, &st, &P, key, START, 1, NULL);
    assert_non_null(cs);
    size_t bought6 = 0, bought = 0, expired = 0, nev_plate = 0;
    for (int t = 0; t < 12; t++) {
        assert_int_equal(sp_cars_prepare(cs, NULL, pop, &st, &P, key, START + t, NULL), SP_OK);
        for (size_t i = 0; i < pop->n; i++) {
            sp_cars_outcome o;
            sp_cars_household(cs, NULL, pop, &st, &P, key, START + t, i, &o);
            if (o.first) {
                bought++;
                bought6 += t < 6;
                nev_plate += o.nev;
                assert_int_equal(st.plate_state[i], SP_PLATE_NONE);
                assert_true(st.ncars[i] >= 1);
            }
            expired += (size_t)o.plate_expired;
        }
    }
    double f6 = (double)bought6 / won;
    printf("plate winners: %.3f bought within 6 months, %.3f within 12, %.3f lapsed; %.3f of the cars NEVs\n", f6,
           (double)bought / won, (double)expired / won, bought ? (double)nev_plate / bought : 0.0);
    assert_true(nev_plate <= bought);
    assert_true(fabs(f6 - 0.80) < 0.03); /* Beijing Jan 2011 winners: 80% within ~6 months */
    assert_int_equal(bought + expired, won); /* 12-month window from 2018 */
    sp_cars_state_free(cs);
    sp_hstate_release(&st);
}

static void test_first_cars_without_plates(void **state)
{
    (void)state;
    sim a, b;
    simulate(NULL, 6, START, 12, 0, 0, &a);
    simulate(NULL, 6, START, 12, 0, 1, &b);
    printf("first cars a year without plates %.0f, with plates (no lottery run) %.0f\n", sum(a.first, 0, 12),
           sum(b.first, 0, 12));
    assert_true(sum(a.first, 0, 12) > 50000);
    assert_true(a.wants == 0);
}

static void test_purchase_subsidy_shifts_fuel_and_timing(void **state)
{
    (void)state;
    sp_purchase_subsidy_def ps = sp_purchase_subsidy_def_default();
    ps.amount_nev = 30000;
    ps.start_month = sp_month_make(2020, 3);
    ps.end_month = sp_month_make(2020, 5);
    sp_car_policy ms;
    memset(&ms, 0, sizeof ms);
    ms.nopen = 1;
    ms.open[0] = sp_purchase_subsidy_programme(&ps, 1);
    sim b, s;
    simulate(NULL, 7, START, 8, 0, 1, &b);
    simulate(&ms, 7, START, 8, 0, 1, &s);
    double nb = sum(b.nev, 2, 5) / sum(b.buys, 2, 5), ns = sum(s.nev, 2, 5) / sum(s.buys, 2, 5);
    printf("NEV share during an NEV purchase subsidy of 30,000 yuan: %.3f (baseline %.3f)\n", ns, nb);
    assert_true(ns > nb + 0.05);
    assert_true(sum(s.buys, 2, 5) > sum(b.buys, 2, 5));
    assert_true(sum(s.buys, 0, 2) == sum(b.buys, 0, 2));
}

static void test_cash_transfer(void **state)
{
    (void)state;
    sp_hstate st;
    assert_int_equal(sp_hstate_init(&st, pop->n, NULL), SP_OK);
    sp_cash_transfer_def d = sp_cash_transfer_def_default();
    d.amount = 2000;
    double cost = sp_cash_transfer_apply(&d, &P, pop, &st, 5);
    assert_true(cost == 2000);
    double mpc = P.mpc[pop->liquidity[5] & 3];
    assert_true(fabs(st.pending[5] - 2000 * mpc) < 1e-3);
    assert_int_equal(st.pending_months[5], (int)lround(P.mpc_months));
    d.months = 6;
    sp_cash_transfer_apply(&d, &P, pop, &st, 5);
    assert_int_equal(st.pending_months[5], 6);
    assert_true(fabs(st.pending[5] - 4000 * mpc) < 1e-3);
    sp_hstate_release(&st);
}

/* sp_cars_chunk (the engine's path: batched draws, shortcuts for quiet
 * households, ageing) leaves exactly the state that sp_cars_household for
 * every household followed by ageing leaves, and reports every household
 * whose outcome is not empty, with the same outcome: through a scrappage
 * programme with a budget, a purchase subsidy, plate winners and pools;
 * chunks of ch households. */
static int outcome_empty(const sp_cars_outcome *o)
{
    return !o->purchases && !o->replacement && !o->first && !o->nev && o->value == 0 && !o->scrapped &&
           o->subsidy_trade_in == 0 && o->trade_in_programme == -1 && o->subsidy_open == 0 &&
           !o->entered && !o->wants_plate && !o->plate_used && !o->plate_expired;
}

static void chunk_matches_household_steps(size_t ch)
{
    sp_scrappage_def d = cars_design();
    d.budget = 2e8;
    sp_filter *f;
    sp_car_policy ms = one_programme(&d, &f);
    sp_purchase_subsidy_def ps = sp_purchase_subsidy_def_default();
    ps.start_month = sp_month_make(2020, 9);
    ps.end_month = sp_month_make(2020, 10);
    ms.nopen = 1;
    ms.open[0] = sp_purchase_subsidy_programme(&ps, 1);
    sp_rng_key key = sp_rng_key_make(42, 9);
    sp_hstate a, b;
    assert_int_equal(sp_hstate_init(&a, pop->n, NULL), SP_OK);
    assert_int_equal(sp_hstate_init(&b, pop->n, NULL), SP_OK);
    sp_hstate_copy(&a, &pop->state);
    for (size_t i = 0, won = 0; i < pop->n && won < 2000; i += 7)
        if (a.ncars[i] == 0) {
            a.plate_state[i] = SP_PLATE_WON;
            won++;
        }
    /* Edge cases the shortcut hands to the full step: cars older than its
     * hazard table (100 years) and a quintile code outside 0..4 (the full
     * step takes it modulo 5); restored at the end. */
    enum { NODD = 40 };
    size_t odd[NODD];
    uint8_t odd_q[NODD];
    for (size_t k = 0, i = 3; k < NODD; k++, i += 997) {
        odd[k] = i % pop->n;
        odd_q[k] = pop->quintile[odd[k]];
        pop->quintile[odd[k]] = (uint8_t)(5 + k % 3);
        if (a.ncars[odd[k]] > 0)
            a.car_age[a.ncars[odd[k]] - 1][odd[k]] = (uint16_t)(1190 + k); /* crosses 1200 */
    }
    sp_hstate_copy(&b, &a);
    sp_cars_state *ca = sp_cars_state_alloc(pop, &a, &P, key, START, 1, NULL);
    sp_cars_state *cb = sp_cars_state_alloc(pop, &b, &P, key, START, 1, NULL);
    assert_non_null(ca);
    assert_non_null(cb);
    enum { CH = 256 };
    uint32_t w[CH][4], who[CH];
    sp_cars_outcome ev[CH];
    assert_true(ch >= 1 && ch <= CH); /* chunks of ch households */
    size_t reported = 0, quiet = 0;
    for (int t = 0; t < 14; t++) {
        const int month = START + t;
        assert_int_equal(sp_cars_prepare(ca, &ms, pop, &a, &P, key, month, NULL), SP_OK);
        assert_int_equal(sp_cars_prepare(cb, &ms, pop, &b, &P, key, month, NULL), SP_OK);
        for (size_t lo = 0; lo < pop->n; lo += ch) {
            size_t n = pop->n - lo < ch ? pop->n - lo : ch;
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
                    reported++;
                } else {
                    assert_true(outcome_empty(&o));
                    quiet++;
                }
            }
            assert_int_equal(e, ne);
        }
        assert_memory_equal(a.ncars, b.ncars, pop->n);
        assert_memory_equal(a.plate_state, b.plate_state, pop->n);
        assert_memory_equal(a.applicants, b.applicants, pop->n);
        assert_memory_equal(a.plate_months, b.plate_months, pop->n * sizeof(uint16_t));
        for (int k = 0; k < SP_MAX_CARS; k++) {
            assert_memory_equal(a.car_age[k], b.car_age[k], pop->n * sizeof(uint16_t));
            assert_memory_equal(a.car_kind[k], b.car_kind[k], pop->n);
        }
    }
    assert_true(sp_cars_trade_in_spent(ca, 0) == sp_cars_trade_in_spent(cb, 0));
    assert_true(sp_cars_trade_in_spent(ca, 0) > 0);
    print_message("household-months: %zu through the full step, %zu quiet\n", reported, quiet);
    assert_true(quiet > 2 * reported); /* the shortcut is the common case */
    sp_cars_state_free(ca);
    sp_cars_state_free(cb);
    sp_hstate_release(&a);
    sp_hstate_release(&b);
    sp_filter_free(f);
    for (size_t k = 0; k < NODD; k++)
        pop->quintile[odd[k]] = odd_q[k];
}

static void test_chunk_matches_household_steps(void **state)
{
    (void)state;
    print_message("shortcut path: %s\n", sp_simd_name());
    chunk_matches_household_steps(256);
    /* chunks of 250: the vector paths' groups of 8 and 16 end inside a chunk
     * and leave a tail (10 households) to the portable lanes */
    chunk_matches_household_steps(250);
    sp_simd_cap(SP_SIMD_AVX2); /* the AVX2 shortcut where the CPU has AVX-512 */
    chunk_matches_household_steps(256);
    chunk_matches_household_steps(250);
    sp_simd_cap(SP_SIMD_PORTABLE); /* and the portable shortcut */
    chunk_matches_household_steps(256);
    sp_simd_cap(-1);
}

/* sp_cars_chunk_costs (at the CPU's vector level and on the portable path)
 * gives bit for bit what sp_cars_household_costs gives household by
 * household: the planned spending of every household (single precision, as
 * the engine keeps it), the instalments counted down, the households without
 * costs untouched. Costs of both signs, instalments ending this month, a
 * household whose only share is transport (nothing to cut), chunks that do
 * not end on a multiple of 32. */
static void chunk_costs_match(void)
{
    enum { N = 3000, CH = 256 };
    sp_hstate a, b;
    assert_int_equal(sp_hstate_init(&a, N, NULL), SP_OK);
    assert_int_equal(sp_hstate_init(&b, N, NULL), SP_OK);
    static float sa[N][SP_NCAT], sb[N][SP_NCAT];
    uint64_t x = 88172645463325252ull;
    size_t with = 0;
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const unsigned r = (unsigned)(x >> 32);
        if (r % 4 == 0) /* about a quarter with running costs, some negative */
            a.car_cost[i] = (int16_t)((int)(r >> 8) % 3001 - 1000);
        if (r % 5 == 1) { /* a fifth repaying a loan, some in their last month */
            a.car_pay[i] = (uint16_t)(500 + (r >> 12) % 5000);
            a.car_pay_months[i] = (uint8_t)(1 + (r >> 20) % 3);
        }
        if (r % 97 == 3) /* a cost of zero with an instalment of zero left */
            a.car_pay_months[i] = 1, a.car_pay[i] = 0;
        with += a.car_cost[i] != 0 || a.car_pay_months[i] != 0;
        for (int c = 0; c < SP_NCAT; c++)
            sa[i][c] = (float)((x >> (8 * c)) & 0xffff) * 0.37f;
    }
    const size_t lone = 77; /* transport only: nothing to cut */
    uint16_t keep[SP_NCAT];
    memcpy(keep, pop->shares + lone * SP_NCAT, sizeof keep);
    for (int c = 0; c < SP_NCAT; c++)
        pop->shares[lone * SP_NCAT + c] = c == SP_CAT_TRANSPORT ? SP_SHARE_ONE - 1 : 0;
    a.car_cost[lone] = 321;
    a.car_pay_months[lone] = 2;
    a.car_pay[lone] = 1000;
    sp_hstate_copy(&b, &a);
    memcpy(sb, sa, sizeof sa);
    const float lone_transport = sa[lone][SP_CAT_TRANSPORT], lone_food = sa[lone][SP_CAT_FOOD];
    for (size_t i = 0; i < N; i++) {
        double s[SP_NCAT];
        for (int c = 0; c < SP_NCAT; c++)
            s[c] = sa[i][c];
        sp_cars_household_costs(pop, &a, &P, i, s);
        for (int c = 0; c < SP_NCAT; c++)
            sa[i][c] = (float)s[c];
    }
    for (size_t lo = 0; lo < N; lo += CH - 3) /* chunks of 253 households */
        sp_cars_chunk_costs(pop, &b, &P, lo, N - lo < CH - 3 ? N - lo : CH - 3, sb + lo);
    assert_memory_equal(sa, sb, sizeof sa);
    assert_memory_equal(a.car_pay, b.car_pay, N * sizeof(uint16_t));
    assert_memory_equal(a.car_pay_months, b.car_pay_months, N);
    assert_true(sb[lone][SP_CAT_TRANSPORT] == (float)((double)lone_transport + 321));
    assert_true(sb[lone][SP_CAT_FOOD] == lone_food);
    print_message("%zu of %d households with costs or instalments (%s)\n", with, N, sp_simd_name());
    assert_true(with > N / 3 && with < N);
    memcpy(pop->shares + lone * SP_NCAT, keep, sizeof keep);
    sp_hstate_release(&a);
    sp_hstate_release(&b);
}

static void test_chunk_costs_match_household_costs(void **state)
{
    (void)state;
    chunk_costs_match();
    sp_simd_cap(SP_SIMD_PORTABLE);
    chunk_costs_match();
    sp_simd_cap(-1);
}

/* A run moves the population's car ages and the months its households have
 * waited in a plate pool from the population's base month to the run's
 * start (sp_run_alloc): the results equal, bit for bit, those of the same
 * population with its ages and months moved beforehand (the ages of the cars
 * a household has, the months of a household in a pool; clamped at 0), run
 * from its base month. Forward by 13 months and back by 2 (ages of 0 and 1
 * clamp to 0). The car market reads the ages (a run that left second cars'
 * ages unmoved fails here); this status-quo run does not read the pools'
 * months. */
static void shifted_run_matches(int shift)
{
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 50000;
    d.seed = 11; /* the same population as pop */
    sp_population *moved = sp_beijing_build(&d, NULL);
    assert_non_null(moved);
    sp_hstate *st = &moved->state;
    size_t second_cars = 0, in_pool = 0;
    for (size_t i = 0; i < moved->n; i++) {
        for (int k = 0; k < st->ncars[i]; k++) {
            const int age = st->car_age[k][i] + shift;
            st->car_age[k][i] = (uint16_t)(age < 0 ? 0 : age);
            second_cars += k == 1;
        }
        if (st->plate_state[i] != SP_PLATE_NONE) {
            const int pm = st->plate_months[i] + shift;
            st->plate_months[i] = (uint16_t)(pm < 0 ? 0 : pm);
            in_pool++;
        }
    }
    assert_true(second_cars > 100 && in_pool > 100); /* second cars and pools to move */
    const int start = pop->base_month + shift;
    moved->base_month = start;
    sp_err err;
    sp_package *pkg = sp_package_alloc("Status quo", &err);
    assert_non_null(pkg);
    const sp_rng_key key = sp_rng_key_make(5, 0);
    sp_run *a = sp_run_alloc(pop, pkg, &P, key, start, 1, &err);
    sp_run *b = sp_run_alloc(moved, pkg, &P, key, start, 1, &err);
    assert_non_null(a);
    assert_non_null(b);
    static double ra[SP_NGROUP * SP_NMETRIC], rb[SP_NGROUP * SP_NMETRIC];
    double bought = 0;
    for (int m = 0; m < 6; m++) {
        assert_int_equal(sp_run_step(a, ra, &err), SP_OK);
        assert_int_equal(sp_run_step(b, rb, &err), SP_OK);
        assert_memory_equal(ra, rb, sizeof ra);
        bought += ra[sp_dim_first(SP_DIM_ALL) * SP_NMETRIC + SP_M_CAR_PURCHASES];
    }
    assert_true(bought > 0); /* the ages were used */
    sp_run_free(a);
    sp_run_free(b);
    sp_package_free(pkg);
    sp_population_free(moved);
}

static void test_run_moves_ages_to_its_start(void **state)
{
    (void)state;
    shifted_run_matches(13);
    shifted_run_matches(-2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_errors),
        cmocka_unit_test(test_amounts),
        cmocka_unit_test(test_hazard_rises_with_age),
        cmocka_unit_test(test_baseline_replacement_volume),
        cmocka_unit_test(test_richer_replace_sooner),
        cmocka_unit_test(test_order_independent_and_null_programme),
        cmocka_unit_test(test_v7_cars_additionality),
        cmocka_unit_test(test_restrictions),
        cmocka_unit_test(test_restricted_programmes_shift_classes),
        cmocka_unit_test(test_v10_subsidy_per_vehicle),
        cmocka_unit_test(test_budget_never_overspent),
        cmocka_unit_test(test_plate_winners_buy_within_window),
        cmocka_unit_test(test_first_cars_without_plates),
        cmocka_unit_test(test_purchase_subsidy_shifts_fuel_and_timing),
        cmocka_unit_test(test_cash_transfer),
        cmocka_unit_test(test_chunk_matches_household_steps),
        cmocka_unit_test(test_chunk_costs_match_household_costs),
        cmocka_unit_test(test_run_moves_ages_to_its_start),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
