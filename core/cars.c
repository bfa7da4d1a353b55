/* cars.c: car replacement and first-car demand, and the car market's side of
 * subsidy programmes and plate allocation. The contract is in cars.h. */
#include "cars.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "measure.h"
#include "results.h"
#include "simd.h"
#include "vehicles.h"

/* Draw layout of one household-month on the stream (i, month, SP_PURPOSE_CARS):
 * draw 0: w0, w1 market entry of cars 0 and 1; w2 purchase (car owners and
 *         plate holders) or the wish for a car (car-less households without a
 *         plate: they never buy in that month, so w2 serves one purpose only);
 *         w3 fuel choice;
 * draw 1: w0, w1 price (Box-Muller); w2 whether a subsidy advances the
 *         household's latent market entry (advances()); w3 whether the
 *         purchase is financed with a loan (purchase_costs()).
 * Initial market membership: stream (i, start_month - 1, SP_PURPOSE_CARS), draw 7.
 * First-come keys of trade-in programme id: stream (i, month,
 * SP_PURPOSE_SUBSIDY | id << 8), draw 0, w0; those of the resale term's
 * transfer subsidy the same with its measure's id (ids differ by name). */
#define DRAW_INIT 7u

#define HAZARD_TABLE 1200 /* months: 100 years */

/* Layout the classification kernels rely on (classify_portable and
 * classify_avx2 read car_age[0] and car_age[1] as the only cars, one
 * household per 32-bit lane, and index the threshold table by quintile). */
_Static_assert(SP_MAX_CARS == 2, "the car chunk classifies households of at most two cars");
_Static_assert(HAZARD_TABLE <= UINT16_MAX, "car ages beyond the table are caught as old");
_Static_assert((uint64_t)SP_NQUINTILE * HAZARD_TABLE < INT32_MAX / 4,
               "the gather index (quintile x table + age) fits a 32-bit lane");

struct sp_cars_state {
    size_t n;
    int plates_required;
    double ln_income_ref;  /* weighted mean of ln income: the wish hazard's reference */
    uint8_t *flags;        /* F_MARKET | F_WISH | F_HOLD | F_PLATE_NEV, see below */
    uint8_t *hold_months;  /* months the plate has been held */
    uint8_t *offer;        /* this month: 0 none, k + 1 = trade-in programme k offered */
    uint8_t *mask;         /* workspace for filter evaluation */
    int offer_month;       /* month the offers were prepared for; offers count only then */
    double spent[SP_CARS_MAX_PROGRAMMES];
    int exhausted[SP_CARS_MAX_PROGRAMMES];
    double open_spent[SP_CARS_MAX_PROGRAMMES];  /* open programmes with a budget: yuan committed, ... */
    int open_exhausted[SP_CARS_MAX_PROGRAMMES]; /* ... and 1 once it ran out, in month ... */
    int open_out_month[SP_CARS_MAX_PROGRAMMES]; /* ... this one (it pays no more after it) */
    uint8_t *open_off;     /* this month: bit j = open programme j withheld (its budget; NULL = none) */
    double resale_spent;   /* the resale term's transfer subsidy: yuan committed, ... */
    int resale_exhausted;  /* ... and 1 once its budget ran out */
    /* Precomputed from the run's parameters (the hot path takes no pow/exp/log): */
    double hazard[HAZARD_TABLE];   /* sp_cars_entry_hazard by age in months */
    double income_mult[SP_NQUINTILE]; /* sp_cars_income_multiplier by quintile */
    uint16_t *wish_p;              /* monthly probability of wanting a car, units of 2^-20 (households car-less at the start; 0 for owners) */
    double price_factor;           /* car_price_share: the reference price / income */
    double class_lnp[SP_NVCLASS];  /* ln of each class's price */
    double class_cost[SP_NVCLASS]; /* each class's price plus its running costs over car_cost_years, yuan */
    /* Draw thresholds of the household shortcut (sp_cars_chunk): a 32-bit
     * word w gives an event exactly when w < threshold, as sp_u01(w) < x does. */
    uint32_t entry_thr[SP_NQUINTILE][HAZARD_TABLE]; /* x = min(1, hazard(age) x income multiplier);
                                          * UINT32_MAX: not exact in 32 bits, take the full step */
    uint32_t buy_thr;                    /* x = the monthly purchase probability in the market (the same) */
};

/* Per-household flags (one byte):
 *   F_MARKET     in the replacement market
 *   F_WISH       car-less and wants a car (waiting for a plate)
 *   F_HOLD       holds a plate (or, without plates, is shopping for a first car)
 *   F_PLATE_NEV  the plate held or awaited is an NEV plate */
enum { F_MARKET = 1, F_WISH = 2, F_HOLD = 4, F_PLATE_NEV = 8 };
/* The offer byte of a month (cs->offer): bits 0-5 the trade-in programme
 * offered (k + 1, 0 = none); OFFER_RESALE the resale term's gain (the oldest
 * car qualifies), OFFER_TRANSFER also its transfer subsidy. Any bit sends the
 * household through the full step. */
enum { OFFER_PROGRAMME = 0x3f, OFFER_TRANSFER = 0x40, OFFER_RESALE = 0x80 };
_Static_assert((int)SP_CARS_MAX_PROGRAMMES < (int)OFFER_PROGRAMME, "a programme index fits the offer's low bits");
#define FLAG(cs, i, f) (((cs)->flags[i] & (f)) != 0)
#define SETFLAG(cs, i, f, on)                                                                      \
    ((cs)->flags[i] = (uint8_t)((on) ? ((cs)->flags[i] | (f)) : ((cs)->flags[i] & ~(f))))
#define WISH_UNIT (1.0 / 1048576.0) /* 2^-20: probabilities up to 0.0625 a month */

/* The number of 32-bit words w with sp_u01(w) < x: w gives an event exactly
 * when w < the returned count. */
static uint64_t u01_threshold(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= 1)
        return UINT64_C(1) << 32;
    double t = ceil(x * 4294967296.0 - 0.5);
    uint64_t k = t < 0 ? 0 : (t > 4294967296.0 ? UINT64_C(1) << 32 : (uint64_t)t);
    while (k > 0 && !(sp_u01((uint32_t)(k - 1)) < x))
        k--;
    while (k < (UINT64_C(1) << 32) && sp_u01((uint32_t)k) < x)
        k++;
    return k;
}

/* The threshold as stored: UINT32_MAX where the count does not fit below it
 * (x within 2^-32 of 1), which sends the household through the full step. */
static uint32_t threshold32(double x)
{
    uint64_t t = u01_threshold(x);
    return t >= UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* Expected price of household i's next car from the run's precomputed factor. */
static double expected_price(const sp_cars_state *cs, const sp_params *p, const sp_population *pop,
                             size_t i);

/* Entry hazard of a car aged `age` months from the table (computed beyond it). */
static double hazard_of(const sp_cars_state *cs, const sp_params *p, int age)
{
    return age >= 0 && age < HAZARD_TABLE ? cs->hazard[age] : sp_cars_entry_hazard(p, age);
}

/* ---- subsidies ---- */

double sp_cars_share_subsidy(double share, double amount, double floor_, double cap, double price)
{
    if (!(share > 0))
        return amount;
    double s = share * price;
    if (floor_ > 0 && s < floor_)
        s = floor_;
    if (cap > 0 && s > cap)
        s = cap;
    return s;
}

int sp_cars_check_payment(double amount_nev, double amount_ice, double share_nev, double share_ice,
                          double cap, sp_err *err)
{
    int rc;
    if ((rc = sp_measure_check_amount("amount_nev", amount_nev, err)) ||
        (rc = sp_measure_check_amount("amount_ice", amount_ice, err)) ||
        (rc = sp_measure_check_share("share_nev", share_nev, err)) ||
        (rc = sp_measure_check_share("share_ice", share_ice, err)) ||
        (rc = sp_measure_check_amount("cap", cap, err)))
        return rc;
    if (amount_nev <= 0 && amount_ice <= 0 && share_nev <= 0 && share_ice <= 0)
        return sp_err_set(err, SP_EINVAL,
                          "amount_nev, amount_ice, share_nev and share_ice are all 0: the subsidy pays nothing");
    return SP_OK;
}

/* ---- building blocks ---- */

double sp_cars_entry_hazard(const sp_params *p, int age)
{
    if (age < 0)
        age = 0;
    double s = p->car_entry_scale, k = p->car_entry_shape;
    double h = -expm1(-(pow((age + 1.0) / s, k) - pow(age / s, k)));
    return h < 0 ? 0 : (h > 1 ? 1 : h);
}

double sp_cars_income_multiplier(const sp_params *p, const sp_population *pop, size_t i)
{
    return exp(p->car_entry_income_gradient * ((double)pop->quintile[i] - 2.0));
}

static double price_bounds(const sp_params *p, double income, double price)
{
    double hi = p->car_price_cap * income;
    if (price > hi)
        price = hi;
    if (price < p->car_price_min)
        price = p->car_price_min;
    return price > 1.0 ? price : 1.0;
}

static double expected_price(const sp_cars_state *cs, const sp_params *p, const sp_population *pop,
                             size_t i)
{
    return price_bounds(p, pop->income[i], pop->income[i] * cs->price_factor);
}

double sp_cars_expected_price(const sp_params *p, const sp_population *pop, size_t i)
{
    double y = pop->income[i];
    return price_bounds(p, y, y * p->car_price_share);
}

double sp_cars_logit_shift(double h, double shift)
{
    if (!(h > 0))
        return 0;
    if (!(h < 1))
        return 1;
    if (shift == 0)
        return h;
    double e = exp(shift);
    return h * e / (1.0 - h + h * e);
}

int sp_cars_emission_of_year(int year) { return (int)sp_emission_of_year(year); }

int sp_cars_plate_window(int month) { return sp_month_year(month) >= 2018 ? 12 : 6; }

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* ---- state ---- */

/* The run's precomputed tables: entry hazards by age, income multipliers by
 * quintile, the shortcut's draw thresholds, the expected-price factor. */
static void tables_setup(sp_cars_state *cs, const sp_params *p)
{
    for (int a = 0; a < HAZARD_TABLE; a++)
        cs->hazard[a] = sp_cars_entry_hazard(p, a);
    for (int q5 = 0; q5 < SP_NQUINTILE; q5++)
        cs->income_mult[q5] = exp(p->car_entry_income_gradient * (q5 - 2.0));
    for (int q5 = 0; q5 < SP_NQUINTILE; q5++)
        for (int a = 0; a < HAZARD_TABLE; a++) {
            double h = cs->hazard[a] * cs->income_mult[q5];
            cs->entry_thr[q5][a] = threshold32(sp_cars_logit_shift(h > 1 ? 1 : h, 0));
        }
    cs->buy_thr = threshold32(sp_cars_logit_shift(p->car_purchase_prob, 0));
    cs->price_factor = p->car_price_share;
    for (int k = 0; k < SP_NVCLASS; k++) {
        const sp_vehicle_class *v = sp_vehicle_class_get(k);
        cs->class_lnp[k] = log(v->price);
        cs->class_cost[k] = v->price + 12.0 * p->car_cost_years * sp_vehicle_running_cost(k);
    }
}

/* The monthly probability that a car-less household with a driver comes to
 * want a car (income against the weighted mean of ln income, size,
 * drivers). Only car-less households wish for a car, and a household never
 * loses its last car (a replaced car leaves as the new one comes). */
static int wish_setup(sp_cars_state *cs, const sp_population *pop, const sp_hstate *initial,
                      const sp_params *p, sp_err *err)
{
    const size_t n = pop->n;
    double *lny = malloc((n ? n : 1) * sizeof *lny); /* ln income, once per household */
    if (!lny)
        return sp_err_set(err, SP_ENOMEM, "out of memory for the car state of %zu households", n);
    double sw = 0, sl = 0;
    for (size_t i = 0; i < n; i++) {
        lny[i] = pop->income[i] > 0 ? log(pop->income[i]) : 0;
        if (pop->income[i] > 0) {
            sw += pop->weight[i];
            sl += pop->weight[i] * lny[i];
        }
    }
    cs->ln_income_ref = sw > 0 ? sl / sw : log(150000.0);
    const double r = p->car_wish_rate, base = r > 0 ? log(r / (1.0 - r)) : 0;
    for (size_t i = 0; i < n; i++)
        if (r > 0 && pop->drivers[i] > 0 && initial->ncars[i] == 0) {
            double lg = base + p->car_wish_income_slope * ((pop->income[i] > 1 ? lny[i] : 0) - cs->ln_income_ref) +
                        p->car_wish_size_slope * (pop->size[i] - 2.31) +
                        p->car_wish_driver_slope * (pop->drivers[i] - 1.0);
            double q = logistic(lg) / WISH_UNIT;
            cs->wish_p[i] = (uint16_t)(q > 65535 ? 65535 : lround(q));
        }
    free(lny);
    return SP_OK;
}

/* The households' flags at the start: car-less households in a plate pool
 * want a car (or, without plates, shop); owners are in the replacement market
 * with the stationary probability min(1, h / q), drawn from their own
 * streams (month word start_month - 1, draw DRAW_INIT). */
static void flags_setup(sp_cars_state *cs, const sp_population *pop, const sp_hstate *initial,
                        const sp_params *p, sp_rng_key key, int start_month)
{
    const size_t n = pop->n;
    const double q = p->car_purchase_prob;
    enum { BATCH = 256 };
    uint32_t w[BATCH][4]; /* the draws of households i0 .. i0 + BATCH - 1, batched */
    for (size_t i0 = 0; i0 < n; i0 += BATCH) {
        const size_t i1 = n - i0 < BATCH ? n : i0 + BATCH;
        sp_rng_words_batch(key, (uint32_t)i0, i1 - i0, (uint32_t)(start_month - 1), SP_PURPOSE_CARS,
                           DRAW_INIT, w);
        for (size_t i = i0; i < i1; i++) {
            uint8_t ps = initial->plate_state[i];
            if (ps == SP_PLATE_NEV_QUEUE)
                SETFLAG(cs, i, F_PLATE_NEV, 1);
            if (initial->ncars[i] == 0 && (ps == SP_PLATE_LOTTERY || ps == SP_PLATE_NEV_QUEUE)) {
                if (cs->plates_required)
                    SETFLAG(cs, i, F_WISH, 1);
                else
                    SETFLAG(cs, i, F_HOLD, 1); /* no plate needed: already shopping */
            }
            if (initial->ncars[i] > 0) {
                /* stationary share in the market: inflow h, outflow q */
                double mult = cs->income_mult[pop->quintile[i] % SP_NQUINTILE], stay = 1;
                for (int k = 0; k < initial->ncars[i] && k < SP_MAX_CARS; k++) {
                    double h = hazard_of(cs, p, initial->car_age[k][i]) * mult;
                    stay *= 1.0 - (h < 1 ? h : 1);
                }
                double pin = (1.0 - stay) / q;
                SETFLAG(cs, i, F_MARKET, sp_u01(w[i - i0][0]) < pin);
            }
        }
    }
}

sp_cars_state *sp_cars_state_alloc(const sp_population *pop, const sp_hstate *initial,
                                   const sp_params *p, sp_rng_key key, int start_month,
                                   int plates_required, sp_err *err)
{
    if (!pop || !initial || !p) {
        sp_err_set(err, SP_EINVAL, "car state needs a population, an initial state and parameters");
        return NULL;
    }
    if (initial->n != pop->n) {
        sp_err_set(err, SP_EINVAL, "initial state has %zu households, the population %zu", initial->n, pop->n);
        return NULL;
    }
    sp_cars_state *cs = calloc(1, sizeof *cs);
    size_t n = pop->n, m = n ? n : 1;
    if (cs) {
        cs->n = n;
        cs->flags = calloc(m, 1);
        cs->hold_months = calloc(m, 1);
        cs->offer = calloc(m, 1);
        cs->mask = calloc(m, 1);
        cs->wish_p = calloc(m, sizeof(uint16_t));
    }
    if (!cs || !cs->flags || !cs->hold_months || !cs->offer ||
        !cs->mask || !cs->wish_p) {
        sp_cars_state_free(cs);
        sp_err_set(err, SP_ENOMEM, "out of memory for the car state of %zu households", n);
        return NULL;
    }
    cs->plates_required = plates_required ? 1 : 0;
    cs->offer_month = -1;
    tables_setup(cs, p);
    if (wish_setup(cs, pop, initial, p, err) != SP_OK) {
        sp_cars_state_free(cs);
        return NULL;
    }
    flags_setup(cs, pop, initial, p, key, start_month);
    return cs;
}

void sp_cars_set_plates_required(sp_cars_state *cs, const sp_hstate *initial, int required)
{
    cs->plates_required = required ? 1 : 0;
    for (size_t i = 0; i < cs->n; i++) {
        uint8_t ps = initial->plate_state[i];
        if (initial->ncars[i] == 0 && (ps == SP_PLATE_LOTTERY || ps == SP_PLATE_NEV_QUEUE)) {
            SETFLAG(cs, i, F_WISH, cs->plates_required);
            SETFLAG(cs, i, F_HOLD, !cs->plates_required);
        }
    }
}

size_t sp_cars_bytes_per_household(void)
{
    /* flags, hold_months, wish_p; offer and mask are monthly workspaces */
    return 2 * sizeof(uint8_t) + sizeof(uint16_t);
}

void sp_cars_state_free(sp_cars_state *cs)
{
    if (!cs)
        return;
    free(cs->flags);
    free(cs->wish_p);

    free(cs->hold_months);
    free(cs->offer);
    free(cs->mask);
    free(cs->open_off);
    free(cs);
}

void sp_cars_set_plate_nev(sp_cars_state *cs, size_t i, int nev)
{
    if (cs && i < cs->n)
        SETFLAG(cs, i, F_PLATE_NEV, nev ? 1 : 0);
}

double sp_cars_trade_in_spent(const sp_cars_state *cs, int k)
{
    return cs && k >= 0 && k < SP_CARS_MAX_PROGRAMMES ? cs->spent[k] : 0;
}

int sp_cars_trade_in_exhausted(const sp_cars_state *cs, int k)
{
    return cs && k >= 0 && k < SP_CARS_MAX_PROGRAMMES ? cs->exhausted[k] : 0;
}

double sp_cars_resale_spent(const sp_cars_state *cs) { return cs ? cs->resale_spent : 0; }

int sp_cars_resale_exhausted(const sp_cars_state *cs) { return cs ? cs->resale_exhausted : 0; }

/* ---- the household decision ---- */

/* What a household does this month, computed from its state at the start of
 * the month and its draws, without changing anything: the same call in the
 * global step and in the household step gives the same answer. */
typedef struct decision {
    int enter;           /* enters the replacement market */
    int buy;             /* buys a car */
    int replace;         /* the purchase replaces the oldest car */
    int plate_buy;       /* the purchase uses a won plate */
    int nev;
    int vclass;          /* the class bought (vehicles.h) */
    double price;
    double s_trade, s_open;
    int trade_k;         /* programme paying s_trade, or -1 */
    int resale;          /* 1: the resale term applies to the car replaced */
    double gain;         /* its net trade-in value gain, yuan */
    double s_transfer;   /* its transfer subsidy, yuan */
    int holding;         /* holds a plate this month */
    int expire;          /* the plate lapses at the end of this month */
    int wish;            /* comes to want a car this month */
} decision;

static int trade_in_active(const sp_cars_state *cs, const sp_car_policy *ms, int k, int month)
{
    const sp_car_programme *g = &ms->trade_in[k];
    return month >= g->start_month && month <= g->end_month && !cs->exhausted[k];
}

/* 1 when open programme j pays household i in `month`: inside its window,
 * its budget not spent in an earlier month, and not withheld from i by this
 * month's first-come ranking (open_ranking). */
static int open_pays(const sp_cars_state *cs, const sp_car_policy *ms, int j, int month, size_t i)
{
    const sp_car_programme *g = &ms->open[j];
    if (month < g->start_month || month > g->end_month)
        return 0;
    if (!cs)
        return 1;
    if (cs->open_exhausted[j] && month > cs->open_out_month[j])
        return 0;
    return !(cs->open_off && cs->offer_month == month && ((cs->open_off[i] >> j) & 1u));
}

/* Subsidies (yuan) for a car of class vc at price P: the open programmes
 * (*open) and the offered trade-in programme (k >= 0, replacements only;
 * *trade). Each programme applies its own restrictions. */
static void subsidies(const sp_cars_state *cs, const sp_car_policy *ms, size_t i, int k, int month,
                      int vc, double P, double *open, double *trade)
{
    double a = 0, c = 0;
    if (ms) {
        for (int j = 0; j < ms->nopen && j < SP_CARS_MAX_PROGRAMMES; j++) {
            const sp_car_programme *g = &ms->open[j];
            if (open_pays(cs, ms, j, month, i))
                a += g->amount(g->def, vc, P);
        }
        if (k >= 0) {
            const sp_car_programme *g = &ms->trade_in[k];
            c = g->amount(g->def, vc, P);
        }
    }
    *open = a;
    *trade = c;
}

/* 1 when some subsidy reaches household i this month: an open programme in
 * its window or the offered trade-in programme k. */
static int any_subsidy(const sp_cars_state *cs, const sp_car_policy *ms, size_t i, int k, int month)
{
    if (!ms)
        return 0;
    for (int j = 0; j < ms->nopen && j < SP_CARS_MAX_PROGRAMMES; j++)
        if (open_pays(cs, ms, j, month, i))
            return 1;
    return k >= 0;
}

/* The class choice of household i: a multinomial logit over the classes it
 * may buy (NEVs only when nev_only), with utility
 *   v_j = beta [ln P_j - (P_j - S_j + R_j) / Pref] + NEV_j (nev_logit + nev_trend (year - 2019))
 * where P_j is the class's price, S_j the subsidy it would receive, R_j its
 * running costs over car_cost_years and Pref the household's reference
 * price (car_price_share x income): the value of a dearer class rises as
 * ln P, its cost is weighed against the household's income, so richer
 * households choose dearer classes, and a subsidy raises the utility of the
 * classes it pays for by beta S_j / Pref (beta = fuel_subsidy_beta). Writes
 * the probabilities pr[] and the subsidies sub[] (open + trade-in; computed
 * only when `subsidised`, else 0). */
static void class_choice(const sp_cars_state *cs, const sp_car_policy *ms, const sp_params *p,
                           size_t i, double Pref, int k, int month, int nev_only, int subsidised,
                           double pr[SP_NVCLASS], double sub[SP_NVCLASS])
{
    const double beta = p->fuel_subsidy_beta;
    const double nev_base = p->nev_logit + p->nev_trend * (sp_month_year(month) - 2019);
    double v[SP_NVCLASS], vmax = -HUGE_VAL;
    for (int j = 0; j < SP_NVCLASS; j++) {
        const sp_vehicle_class *c = sp_vehicle_class_get(j);
        sub[j] = 0;
        if (nev_only && !c->nev) {
            v[j] = -HUGE_VAL;
            continue;
        }
        if (subsidised) {
            double o, t;
            subsidies(cs, ms, i, k, month, j, c->price, &o, &t);
            sub[j] = o + t;
        }
        v[j] = beta * (cs->class_lnp[j] - (cs->class_cost[j] - sub[j]) / Pref) + (c->nev ? nev_base : 0);
        if (v[j] > vmax)
            vmax = v[j];
    }
    double tot = 0;
    for (int j = 0; j < SP_NVCLASS; j++) {
        pr[j] = v[j] == -HUGE_VAL ? 0 : exp(v[j] - vmax);
        tot += pr[j];
    }
    for (int j = 0; j < SP_NVCLASS; j++)
        pr[j] /= tot;
}

static int oldest_car(const sp_hstate *st, size_t i)
{
    int o = 0;
    for (int k = 1; k < st->ncars[i] && k < SP_MAX_CARS; k++)
        if (st->car_age[k][i] > st->car_age[o][i])
            o = k;
    return o;
}

/* The car bought (d->buy, d->nev decided): its price from the household's
 * draw 1 (Box-Muller), and the subsidies it receives: trade-in programme k
 * (k >= 0, offered) and the open programmes. */
static void purchase_terms(const sp_cars_state *cs, const sp_car_policy *ms, const sp_params *p,
                           sp_rng_key key, int month, size_t i, int k, decision *d)
{
    uint32_t w1[4];
    sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_CARS, 1, w1);
    double u1 = sp_u01(w1[0]), u2 = sp_u01(w1[1]);
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    d->price = sp_vehicle_class_get(d->vclass)->price * exp(p->car_price_sigma * z);
    double open, trade;
    subsidies(cs, ms, i, k, month, d->vclass, d->price, &open, &trade);
    if (k >= 0 && trade > 0) {
        d->s_trade = trade;
        d->trade_k = k;
    }
    d->s_open = open;
}

/* The class at u in [0, 1): the inverse of the choice probabilities' CDF
 * (the last class with a positive probability takes rounding). */
static int pick_class(const double pr[SP_NVCLASS], double u)
{
    double cum = 0;
    int c = 0;
    for (int j = 0; j < SP_NVCLASS; j++) {
        if (pr[j] <= 0)
            continue;
        c = j;
        cum += pr[j];
        if (u < cum)
            break;
    }
    return c;
}

/* The subsidy's effect on market entry, a change of timing: household i (an
 * owner not in the replacement market, subsidy share x = S / P > 0) enters
 * now when its own draws place its entry within the next subsidy_horizon
 * months (the status-quo hazards at its cars' future ages, with the draws of
 * those months: its latent timing) and, with probability
 * 1 - exp(-subsidy_advance x), it takes the subsidy to bring that entry
 * forward (draw 1, w2 of this month). Once it has bought, its new car's
 * hazard is small, so the entry it would have made later does not happen:
 * the hazards undo the advance. */
static int advances(const sp_cars_state *cs, const sp_population *pop, const sp_hstate *st,
                    const sp_params *p, sp_rng_key key, int month, size_t i, double x)
{
    const int horizon = (int)p->subsidy_horizon;
    if (horizon < 1 || !(p->subsidy_advance > 0))
        return 0;
    uint32_t w1[4];
    sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_CARS, 1, w1);
    if (!(sp_u01(w1[2]) < -expm1(-p->subsidy_advance * x)))
        return 0;
    const int nc = st->ncars[i] < SP_MAX_CARS ? st->ncars[i] : SP_MAX_CARS;
    const double mult = cs->income_mult[pop->quintile[i] % SP_NQUINTILE];
    for (int k = 1; k <= horizon; k++) {
        uint32_t w[4];
        sp_rng_words(key, (uint32_t)i, (uint32_t)(month + k), SP_PURPOSE_CARS, 0, w);
        for (int c = 0; c < nc; c++) {
            double h = hazard_of(cs, p, st->car_age[c][i] + k) * mult;
            if (sp_u01(w[c]) < (h > 1 ? 1 : h))
                return 1;
        }
    }
    return 0;
}

static void decide(const sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                   const sp_hstate *st, const sp_params *p, sp_rng_key key, int month, size_t i,
                   const uint32_t w0[4], decision *d)
{
    memset(d, 0, sizeof *d);
    d->trade_k = -1;
    const int nc = st->ncars[i] < SP_MAX_CARS ? st->ncars[i] : SP_MAX_CARS;
    const uint8_t ps = st->plate_state[i];

    /* A won plate: first car, or a further car of a one-car household. */
    int holding = nc < SP_MAX_CARS && (cs->plates_required ? ps == SP_PLATE_WON : FLAG(cs, i, F_HOLD));
    int nev_only = 0, k = -1, resale = 0;
    if (holding) {
        d->holding = 1;
        nev_only = cs->plates_required ? (FLAG(cs, i, F_PLATE_NEV) || ps == SP_PLATE_NEV_QUEUE) : 0;
    } else if (nc > 0) {
        nev_only = (st->car_kind[oldest_car(st, i)][i] & SP_CAR_NEV) != 0;
        if (ms && cs->offer_month == month && (cs->offer[i] & OFFER_PROGRAMME) > 0)
            k = (cs->offer[i] & OFFER_PROGRAMME) - 1;
        /* the resale term reaches owners not offered a scrappage programme
         * (a car traded in for scrappage is scrapped, not sold) */
        if (ms && ms->nresale > 0 && cs->offer_month == month && k < 0)
            resale = cs->offer[i] & (OFFER_RESALE | OFFER_TRANSFER);
    } else {
        /* car-less, no plate: the wish for a car */
        if (!FLAG(cs, i, F_WISH) && cs->wish_p[i] > 0)
            d->wish = sp_u01(w0[2]) < cs->wish_p[i] * WISH_UNIT; /* w0[2]: unused by car-less households */
        return;
    }
    const double P = expected_price(cs, p, pop, i);
    /* The car the household would buy (its class by the choice at w0[3]) is
     * needed for the subsidy only when one is on offer, and otherwise only
     * when the household buys: computed lazily (six exps) rather than for
     * every owner every month. The subsidy that class receives is what
     * speeds the household up (x = S / P): a household that would choose a
     * class the programme excludes is not hurried by it. */
    double pr[SP_NVCLASS], sub[SP_NVCLASS], x = 0;
    const int subsidised = any_subsidy(cs, ms, i, k, month);
    if (subsidised) {
        class_choice(cs, ms, p, i, P, k, month, nev_only, 1, pr, sub);
        d->vclass = pick_class(pr, sp_u01(w0[3]));
        x = sub[d->vclass] / P > 1 ? 1 : sub[d->vclass] / P;
    }
    if (resale) {
        /* the resale term: the oldest car's used value, its gain and the
         * transfer subsidy on offer add to the subsidy share */
        const int o = oldest_car(st, i);
        const double value = P * pow(1.0 - p->used_car_depreciation, st->car_age[o][i] / 12.0);
        d->resale = 1;
        d->gain = ms->resale.gain(ms->resale.def, value);
        d->s_transfer = (resale & OFFER_TRANSFER) ? ms->resale.subsidy : 0;
        const double xr = (subsidised ? sub[d->vclass] / P : 0) +
                          (p->resale_value_response * d->gain + d->s_transfer) / P;
        x = xr > 1 ? 1 : xr;
    }
    if (holding) {
        d->buy = sp_u01(w0[2]) < sp_cars_logit_shift(p->plate_purchase_prob, p->subsidy_beta * x);
        d->plate_buy = d->buy;
        int window = ms && ms->plates ? ms->plate_window(ms->plates, month)
                                      : sp_cars_plate_window(month);
        if (!d->buy && cs->hold_months[i] + 1 >= window)
            d->expire = 1;
    } else {
        int in_market = FLAG(cs, i, F_MARKET);
        if (!in_market) {
            double mult = cs->income_mult[pop->quintile[i] % SP_NQUINTILE];
            for (int c = 0; c < nc && !in_market; c++) {
                double h = hazard_of(cs, p, st->car_age[c][i]) * mult;
                if (sp_u01(w0[c]) < (h > 1 ? 1 : h))
                    in_market = d->enter = 1;
            }
            if (!in_market && x > 0 && advances(cs, pop, st, p, key, month, i, x))
                in_market = d->enter = 1;
        }
        if (in_market) {
            d->buy = sp_u01(w0[2]) < sp_cars_logit_shift(p->car_purchase_prob, p->subsidy_beta * x);
            d->replace = d->buy;
        }
    }
    if (!d->buy)
        return;
    if (!subsidised) {
        class_choice(cs, ms, p, i, P, k, month, nev_only, 0, pr, sub);
        d->vclass = pick_class(pr, sp_u01(w0[3]));
    }
    d->nev = sp_vehicle_class_get(d->vclass)->nev;
    purchase_terms(cs, ms, p, key, month, i, k, d);
}

/* ---- global step ---- */

typedef struct {
    double key;
    uint32_t i;
    double amount;
} cand;

static int by_key_asc(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The resale term's offers of `month`, before the trade-in programmes rank
 * their claims (so that their decisions see the gain): every owner passing the
 * filter whose oldest car qualifies gets OFFER_RESALE, and OFFER_TRANSFER too
 * while a transfer subsidy is paid and its budget lasts. */
static int resale_offers(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                         const sp_hstate *st, int month, sp_err *err)
{
    const sp_car_resale *g = &ms->resale;
    if (ms->nresale <= 0 || month < g->start_month || month > g->end_month)
        return SP_OK;
    const size_t n = cs->n;
    if (g->filter) {
        int rc = sp_filter_eval(g->filter, pop, st, 0, n, cs->mask, err);
        if (rc != SP_OK)
            return rc;
    } else {
        memset(cs->mask, 1, n ? n : 1);
    }
    const uint8_t bits = (uint8_t)(OFFER_RESALE | (g->subsidy > 0 && !cs->resale_exhausted ? OFFER_TRANSFER : 0));
    for (size_t i = 0; i < n; i++) {
        if (!cs->mask[i] || st->ncars[i] == 0)
            continue;
        const int o = oldest_car(st, i);
        if (g->eligible(g->def, st->car_age[o][i], st->car_kind[o][i]))
            cs->offer[i] = (uint8_t)(cs->offer[i] | bits);
    }
    return SP_OK;
}

/* The transfer subsidy's first come, first served budget, after the
 * trade-in programmes have ranked theirs: the households offered it that
 * would replace their car this month (with every offer as it now stands) are
 * ranked by keys from their own streams and committed down the ranking until
 * the next would overspend; the subsidy then stops (the others lose
 * OFFER_TRANSFER and decide again without it, in the household step). Losing
 * it only lowers a household's subsidy share, so no household that was not
 * ranked by a trade-in programme comes to buy with it. */
static int resale_ranking(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                          const sp_hstate *st, const sp_params *p, sp_rng_key key, int month,
                          sp_err *err)
{
    const sp_car_resale *g = &ms->resale;
    if (ms->nresale <= 0 || !(g->subsidy > 0) || !(g->budget > 0) || cs->resale_exhausted ||
        month < g->start_month || month > g->end_month)
        return SP_OK;
    const size_t n = cs->n;
    cand *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return sp_err_set(err, SP_ENOMEM, "out of memory for transfer-subsidy claims");
    size_t nc = 0;
    const uint32_t pw = (uint32_t)SP_PURPOSE_SUBSIDY | ((g->id & 0xffffffu) << 8);
    for (size_t i = 0; i < n; i++) {
        if (!(cs->offer[i] & OFFER_TRANSFER))
            continue;
        decision d;
        uint32_t w0[4];
        sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_CARS, 0, w0);
        decide(cs, ms, pop, st, p, key, month, i, w0, &d);
        if (!d.buy || !d.replace || !d.resale)
            continue; /* stays offered: the subsidy shapes its hazards, costs nothing */
        uint32_t w[4];
        sp_rng_words(key, (uint32_t)i, (uint32_t)month, pw, 0, w);
        c[nc].key = sp_u01(w[0]);
        c[nc].i = (uint32_t)i;
        c[nc].amount = d.s_transfer;
        nc++;
    }
    qsort(c, nc, sizeof *c, by_key_asc);
    for (size_t r = 0; r < nc; r++) {
        double cost = pop->weight[c[r].i] * c[r].amount;
        if (cs->resale_exhausted || cs->resale_spent + cost > g->budget) {
            cs->resale_exhausted = 1; /* first come, first served: the subsidy stops here */
            cs->offer[c[r].i] = (uint8_t)(cs->offer[c[r].i] & ~OFFER_TRANSFER);
            continue;
        }
        cs->resale_spent += cost;
    }
    free(c);
    return SP_OK;
}

/* The open programmes' first come, first served budgets, after every
 * trade-in and transfer offer is settled: for each open programme j with a
 * budget, in its window and not yet spent, the households that would buy
 * with its subsidy this month (with every offer as it now stands) are ranked
 * by keys from their own streams and committed down the ranking until the
 * next would overspend; the programme then stops: the others are withheld
 * from it (bit j of open_off) and decide again without it in the household
 * step, and it pays no more in later months. Losing a subsidy only lowers a
 * household's subsidy share, so no household that was not ranked comes to
 * buy with it. Stops a trillionth short of the budget, so the engine's sums
 * (added in another order) stay within it. */
static int open_ranking(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                        const sp_hstate *st, const sp_params *p, sp_rng_key key, int month,
                        sp_err *err)
{
    const size_t n = cs->n;
    cand *c = NULL;
    for (int j = 0; j < ms->nopen && j < SP_CARS_MAX_PROGRAMMES; j++) {
        const sp_car_programme *g = &ms->open[j];
        if (!(g->budget > 0) || cs->open_exhausted[j] || month < g->start_month || month > g->end_month)
            continue;
        if (!c && !(c = malloc((n ? n : 1) * sizeof *c)))
            return sp_err_set(err, SP_ENOMEM, "out of memory for purchase-subsidy claims");
        size_t nc = 0;
        const uint32_t pw = (uint32_t)SP_PURPOSE_SUBSIDY | ((g->id & 0xffffffu) << 8);
        for (size_t i = 0; i < n; i++) {
            if ((cs->open_off[i] >> j) & 1u)
                continue;
            decision d;
            uint32_t w0[4];
            sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_CARS, 0, w0);
            decide(cs, ms, pop, st, p, key, month, i, w0, &d);
            if (!d.buy)
                continue;
            const double a = g->amount(g->def, d.vclass, d.price);
            if (!(a > 0))
                continue; /* buys a car the programme does not pay for */
            uint32_t w[4];
            sp_rng_words(key, (uint32_t)i, (uint32_t)month, pw, 0, w);
            c[nc].key = sp_u01(w[0]);
            c[nc].i = (uint32_t)i;
            c[nc].amount = a;
            nc++;
        }
        qsort(c, nc, sizeof *c, by_key_asc);
        const double limit = g->budget * (1 - 1e-12);
        size_t committed = 0;
        while (committed < nc) {
            const double cost = pop->weight[c[committed].i] * c[committed].amount;
            if (cs->open_spent[j] + cost > limit)
                break;
            cs->open_spent[j] += cost;
            committed++;
        }
        if (committed < nc) { /* first come, first served: the programme stops here, */
            cs->open_exhausted[j] = 1; /* for every household but those committed */
            cs->open_out_month[j] = month;
            for (size_t i = 0; i < n; i++)
                cs->open_off[i] = (uint8_t)(cs->open_off[i] | (1u << j));
            for (size_t r = 0; r < committed; r++)
                cs->open_off[c[r].i] = (uint8_t)(cs->open_off[c[r].i] & ~(1u << j));
        }
    }
    free(c);
    return SP_OK;
}

/* 1 when some open programme of the policy has a budget. */
static int open_budgets(const sp_car_policy *ms)
{
    for (int j = 0; ms && j < ms->nopen && j < SP_CARS_MAX_PROGRAMMES; j++)
        if (ms->open[j].budget > 0)
            return 1;
    return 0;
}

int sp_cars_prepare(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                    const sp_hstate *st, const sp_params *p, sp_rng_key key, int month, sp_err *err)
{
    if (!cs || !pop || !st || !p)
        return sp_err_set(err, SP_EINVAL, "car preparation needs a state, a population and parameters");
    if (cs->n != pop->n || st->n != pop->n)
        return sp_err_set(err, SP_EINVAL, "car state, household state and population differ in size");
    const size_t n = cs->n;
    memset(cs->offer, 0, n ? n : 1);
    cs->offer_month = month;
    const int budgets = open_budgets(ms);
    if (budgets) {
        _Static_assert(SP_CARS_MAX_PROGRAMMES <= 8, "one bit per open programme in open_off");
        if (!cs->open_off && !(cs->open_off = malloc(n ? n : 1)))
            return sp_err_set(err, SP_ENOMEM, "out of memory for purchase-subsidy offers");
        memset(cs->open_off, 0, n ? n : 1);
    }
    if (!ms || (ms->ntrade_in <= 0 && ms->nresale <= 0 && !budgets))
        return SP_OK;
    int rc = resale_offers(cs, ms, pop, st, month, err);
    if (rc != SP_OK)
        return rc;
    if (ms->ntrade_in > SP_CARS_MAX_PROGRAMMES)
        return sp_err_set(err, SP_EINVAL, "%d trade-in programmes, at most %d", ms->ntrade_in,
                          SP_CARS_MAX_PROGRAMMES);
    cand *c = NULL;
    for (int k = 0; k < ms->ntrade_in; k++) {
        if (!trade_in_active(cs, ms, k, month))
            continue;
        if (ms->trade_in[k].filter) {
            rc = sp_filter_eval(ms->trade_in[k].filter, pop, st, 0, n, cs->mask, err);
            if (rc != SP_OK) {
                free(c);
                return rc;
            }
        } else {
            memset(cs->mask, 1, n ? n : 1);
        }
        if (!c && !(c = malloc((n ? n : 1) * sizeof *c))) {
            return sp_err_set(err, SP_ENOMEM, "out of memory for trade-in claims");
        }
        size_t nc = 0;
        const uint32_t pw = (uint32_t)SP_PURPOSE_SUBSIDY | ((ms->trade_in[k].id & 0xffffffu) << 8);
        for (size_t i = 0; i < n; i++) {
            if (!cs->mask[i] || (cs->offer[i] & OFFER_PROGRAMME) || st->ncars[i] == 0)
                continue;
            cs->offer[i] = (uint8_t)(cs->offer[i] | (k + 1));
            decision d;
            uint32_t w0[4];
            sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_CARS, 0, w0);
            decide(cs, ms, pop, st, p, key, month, i, w0, &d);
            if (d.trade_k != k || !(d.s_trade > 0))
                continue; /* stays offered: the subsidy shapes its hazards, costs nothing */
            uint32_t w[4];
            sp_rng_words(key, (uint32_t)i, (uint32_t)month, pw, 0, w);
            c[nc].key = sp_u01(w[0]);
            c[nc].i = (uint32_t)i;
            c[nc].amount = d.s_trade;
            nc++;
        }
        const double budget = ms->trade_in[k].budget;
        if (budget > 0)
            qsort(c, nc, sizeof *c, by_key_asc);
        for (size_t r = 0; r < nc; r++) {
            double cost = pop->weight[c[r].i] * c[r].amount;
            if (budget > 0 && (cs->exhausted[k] || cs->spent[k] + cost > budget)) {
                cs->exhausted[k] = 1; /* first come, first served: the programme stops here */
                cs->offer[c[r].i] = (uint8_t)(cs->offer[c[r].i] & ~OFFER_PROGRAMME);
                continue;
            }
            cs->spent[k] += cost;
        }
    }
    free(c);
    rc = resale_ranking(cs, ms, pop, st, p, key, month, err);
    return rc == SP_OK && budgets ? open_ranking(cs, ms, pop, st, p, key, month, err) : rc;
}

/* ---- running costs and car finance ---- */

/* Monthly running cost of a car of kind `kind` that household i replaces
 * with a car of class `vclass`: its class's, or for a car of the initial
 * fleet (class unknown) that of the class of the same tier (economy, mid,
 * premium) as the new car in the old car's fuel: the household is taken to
 * replace like with like, so only a change of fuel (or of a class bought
 * during the run) changes its running costs, and a household whose costs
 * did not change stays off the engine's general path. */
static double kind_running_cost(unsigned kind, int vclass)
{
    const int c = sp_car_class(kind);
    if (c >= 0)
        return sp_vehicle_running_cost(c);
    const int tier = vclass % 3, nev = (kind & SP_CAR_NEV) != 0;
    _Static_assert(SP_VC_ECONOMY_NEV == SP_VC_ECONOMY_ICE + 3 && SP_NVCLASS == 6,
                   "three tiers, ICE classes first");
    return sp_vehicle_running_cost(tier + (nev ? 3 : 0));
}

static int clamp_i16(double x) { return x > 32767 ? 32767 : (x < -32768 ? -32768 : (int)lround(x)); }

/* The purchase d of household i changes what its cars cost it each month
 * (the new car's running cost minus the replaced car's, old_cost) and how it
 * pays: a hand-to-mouth household (no liquid wealth) always, any other with
 * probability car_loan_share (draw 1, w3), takes a loan for the price
 * less the minimum down payment (20% of the price for an ICE car, 15% for an
 * NEV: the loan-to-value caps of 2018) and the subsidies, repaid in
 * car_loan_months equal instalments at car_loan_rate; otherwise the price
 * less the subsidies is paid at once. The household's MPC share of what it
 * pays at once comes out of its other spending over mpc_months (a negative
 * windfall, st->pending). */
static void purchase_costs(const sp_population *pop, sp_hstate *st, const sp_params *p, sp_rng_key key,
                           int month, size_t i, const decision *d, double old_cost)
{
    const double delta = sp_vehicle_running_cost(d->vclass) - old_cost;
    if (delta != 0)
        st->car_cost[i] = (int16_t)clamp_i16(st->car_cost[i] + delta);
    uint32_t w1[4];
    sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_CARS, 1, w1);
    /* the resale term's gain and transfer subsidy count only on a replacement
     * (then they are 0 without one, and net is as before) */
    const double extra = d->replace && d->resale ? d->gain + d->s_transfer : 0;
    const double net = d->price - d->s_trade - d->s_open - extra > 0
                           ? d->price - d->s_trade - d->s_open - extra
                           : 0;
    double now = net;
    const int htm = pop->liquidity[i] == SP_LIQ_POOR_HTM || pop->liquidity[i] == SP_LIQ_WEALTHY_HTM;
    if (htm || sp_u01(w1[3]) < p->car_loan_share) { /* hand-to-mouth: no liquid wealth to pay cash */
        const double down = (d->nev ? 0.15 : 0.20) * d->price;
        const double loan = net - down > 0 ? net - down : 0;
        const int n = (int)lround(p->car_loan_months);
        const double r = p->car_loan_rate / 12.0;
        const double pay = r > 0 ? loan * r / -expm1(-n * log1p(r)) : loan / n;
        now = net - loan;
        st->car_pay[i] = (uint16_t)(pay > 65535 ? 65535 : lround(pay));
        st->car_pay_months[i] = (uint8_t)(n > 255 ? 255 : n);
    }
    const double k = sp_population_mpc(pop, p->mpc, i);
    const int months = (int)lround(p->mpc_months);
    st->pending[i] = (float)(st->pending[i] - k * now);
    if (st->pending_months[i] < months)
        st->pending_months[i] = (uint8_t)months;
}

void sp_cars_household_costs(const sp_population *pop, sp_hstate *st, const sp_params *p, size_t i,
                             double spend[SP_NCAT])
{
    const int run = st->car_cost[i];
    double pay = 0;
    if (st->car_pay_months[i] > 0) {
        pay = st->car_pay[i];
        if (--st->car_pay_months[i] == 0)
            st->car_pay[i] = 0;
    }
    if (run == 0 && pay == 0)
        return;
    const double k = sp_population_mpc(pop, p->mpc, i);
    const unsigned others = ((1u << SP_NCAT) - 1u) & ~(1u << SP_CAT_TRANSPORT);
    spend[SP_CAT_TRANSPORT] += run;
    sp_population_split(pop, i, others, -k * (run + pay), spend);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SP_CARS_COSTS_HAVE_AVX2 1

/* The layout chunk_costs_avx2 relies on: a household's eight categories are
 * two vectors of four doubles, transport the first lane of the second. */
_Static_assert(SP_NCAT == 8 && SP_CAT_TRANSPORT == 4, "transport is lane 0 of the upper four categories");

/* sp_cars_household_costs for household i on spend (single precision), its
 * eight categories as two vectors of four doubles: the same products,
 * quotients and sums in each lane (the shares' total is summed in category
 * order, as sp_population_split does), so the results are bit-identical. */
__attribute__((target("avx2"))) static void household_costs_avx2(const sp_population *pop, sp_hstate *st,
                                                                 const sp_params *p, size_t i,
                                                                 float spend[SP_NCAT])
{
    const int run = st->car_cost[i];
    double pay = 0;
    if (st->car_pay_months[i] > 0) {
        pay = st->car_pay[i];
        if (--st->car_pay_months[i] == 0)
            st->car_pay[i] = 0;
    }
    if (run == 0 && pay == 0)
        return;
    const uint16_t *sh = pop->shares + i * SP_NCAT;
    double tot = 0;
    for (int c = 0; c < SP_NCAT; c++)
        if (c != SP_CAT_TRANSPORT)
            tot += sh[c] * (1.0 / SP_SHARE_ONE);
    if (!(tot > 0)) { /* nothing to cut: transport only */
        spend[SP_CAT_TRANSPORT] = (float)((double)spend[SP_CAT_TRANSPORT] + run);
        return;
    }
    const double k = sp_population_mpc(pop, p->mpc, i);
    const __m256d amount = _mm256_set1_pd(-k * (run + pay)), t = _mm256_set1_pd(tot),
                  unit = _mm256_set1_pd(1.0 / SP_SHARE_ONE);
    const __m128i s16 = _mm_loadu_si128((const __m128i *)sh);
    const __m256d sd_lo = _mm256_mul_pd(_mm256_cvtepi32_pd(_mm_cvtepu16_epi32(s16)), unit);
    const __m256d sd_hi = _mm256_mul_pd(_mm256_cvtepi32_pd(_mm_cvtepu16_epi32(_mm_srli_si128(s16, 8))), unit);
    const __m256d x_lo = _mm256_div_pd(_mm256_mul_pd(amount, sd_lo), t);
    __m256d x_hi = _mm256_div_pd(_mm256_mul_pd(amount, sd_hi), t);
    x_hi = _mm256_blend_pd(x_hi, _mm256_set1_pd((double)run), 1); /* transport: its running costs */
    const __m256 s8 = _mm256_loadu_ps(spend);
    const __m256d lo = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(s8)), x_lo);
    const __m256d hi = _mm256_add_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(s8, 1)), x_hi);
    _mm256_storeu_ps(spend, _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)),
                                                 _mm256_cvtpd_ps(hi), 1));
}

/* sp_cars_chunk_costs with 32 households' costs and instalments tested at
 * once (most have neither). */
__attribute__((target("avx2"))) static void chunk_costs_avx2(const sp_population *pop, sp_hstate *st,
                                                             const sp_params *p, size_t lo, size_t n,
                                                             float (*spend)[SP_NCAT])
{
    const int16_t *cost = st->car_cost + lo;
    const uint8_t *months = st->car_pay_months + lo;
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        /* The instalments and liquidity types are read only for the
         * households with costs: ask for them a chunk ahead, as the columns
         * the scan reads stream in. */
        __builtin_prefetch(st->car_pay + lo + j + 256);
        __builtin_prefetch(pop->liquidity + lo + j + 256);
        const __m256i c0 = _mm256_loadu_si256((const __m256i *)(cost + j));
        const __m256i c1 = _mm256_loadu_si256((const __m256i *)(cost + j + 16));
        const __m256i mo = _mm256_loadu_si256((const __m256i *)(months + j));
        const __m256i any = _mm256_or_si256(_mm256_or_si256(c0, c1), mo);
        if (_mm256_testz_si256(any, any))
            continue;
        /* bit b: household j + b has costs or an instalment */
        const __m256i z = _mm256_setzero_si256();
        const uint32_t mbits = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(mo, z));
        const __m256i c = _mm256_permute4x64_epi64(
            _mm256_packs_epi16(_mm256_cmpeq_epi16(c0, z), _mm256_cmpeq_epi16(c1, z)), 0xD8);
        const uint32_t cbits = ~(uint32_t)_mm256_movemask_epi8(c);
        for (uint32_t bits = mbits | cbits; bits; bits &= bits - 1) {
            const size_t b = j + (size_t)__builtin_ctz(bits);
            household_costs_avx2(pop, st, p, lo + b, spend[b]);
        }
    }
    for (; j < n; j++)
        if (cost[j] != 0 || months[j] != 0)
            household_costs_avx2(pop, st, p, lo + j, spend[j]);
}
#endif

void sp_cars_chunk_costs(const sp_population *pop, sp_hstate *st, const sp_params *p, size_t lo,
                         size_t n, float (*spend)[SP_NCAT])
{
#ifdef SP_CARS_COSTS_HAVE_AVX2
    if (sp_simd_avx2()) {
        chunk_costs_avx2(pop, st, p, lo, n, spend);
        return;
    }
#endif
    const int16_t *cost = st->car_cost + lo;
    const uint8_t *months = st->car_pay_months + lo;
    for (size_t j = 0; j < n; j++) {
        if ((j & 7) == 0 && j + 8 <= n) { /* eight households at a time while all are zero */
            uint64_t c0, c1, mo;
            memcpy(&c0, cost + j, 8);
            memcpy(&c1, cost + j + 4, 8);
            memcpy(&mo, months + j, 8);
            if ((c0 | c1 | mo) == 0) {
                j += 7;
                continue;
            }
        }
        if (cost[j] == 0 && months[j] == 0)
            continue;
        double s[SP_NCAT];
        for (int c = 0; c < SP_NCAT; c++)
            s[c] = spend[j][c];
        sp_cars_household_costs(pop, st, p, lo + j, s);
        for (int c = 0; c < SP_NCAT; c++)
            spend[j][c] = (float)s[c];
    }
}

/* ---- household step ---- */

void sp_cars_add_sums(const sp_cars_outcome *co, double w, double *acc)
{
    if (co->purchases || co->scrapped) {
        acc[SP_M_CAR_PURCHASES] += w * co->purchases;
        acc[SP_M_CAR_VALUE] += w * co->value;
        acc[SP_M_NEV_PURCHASES] += w * (co->purchases && co->nev);
        acc[SP_M_REPLACEMENTS] += w * (co->purchases && co->replacement);
        acc[SP_M_FIRST_CARS] += w * (co->purchases && co->first);
        acc[SP_M_CARS_SCRAPPED] += w * co->scrapped;
        acc[SP_M_SCRAPPAGE_SUBSIDY] += w * co->subsidy_trade_in;
        acc[SP_M_SUBSIDISED_CARS] += w * (co->purchases && co->trade_in_programme >= 0);
        acc[SP_M_PURCHASE_SUBSIDY] += w * co->subsidy_open;
        if (co->purchases && co->vclass >= 0 && co->vclass < SP_NVCLASS) {
            acc[SP_M_CLASS_PURCHASES0 + co->vclass] += w;
            acc[SP_M_CLASS_VALUE0 + co->vclass] += w * co->value;
        }
        if (co->purchases && co->subsidy_trade_in + co->subsidy_open > 0) {
            acc[SP_M_SUBSIDISED_PURCHASES] += w;
            acc[SP_M_SUBSIDISED_VALUE] += w * co->value;
        }
        if (co->replacement) {
            acc[SP_M_USED_CARS_EXPORTED] += w * co->exported;
            if (co->resale_gain + co->subsidy_transfer > 0) {
                acc[SP_M_RESALE_GAIN] += w * co->resale_gain;
                acc[SP_M_TRANSFER_SUBSIDY] += w * co->subsidy_transfer;
                acc[SP_M_GOV_COST] += w * co->subsidy_transfer;
            }
        }
    }
}


void sp_cars_enrol(const sp_car_policy *ms, const sp_population *pop, sp_hstate *st,
                   const sp_params *p, sp_rng_key key, int month, size_t i)
{
    uint32_t w[4];
    sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_PLATES, 9, w);
    int nev = sp_u01(w[0]) < p->nev_queue_choice;
    int free_drivers = (int)pop->drivers[i] - (int)st->ncars[i];
    int applicants = nev ? 1 : (free_drivers > 1 ? free_drivers : 1);
    int pool = nev ? SP_PLATE_NEV_QUEUE : SP_PLATE_LOTTERY;
    if (ms && ms->plates) {
        ms->plate_enter(ms->plates, st, i, pool, applicants);
    } else { /* no allocator: the household waits in a pool that is never drawn */
        st->plate_state[i] = (uint8_t)pool;
        st->applicants[i] = (uint8_t)applicants;
        st->plate_months[i] = 0;
    }
}

void sp_cars_household(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                       sp_hstate *st, const sp_params *p, sp_rng_key key, int month, size_t i,
                       sp_cars_outcome *out)
{
    uint32_t w0[4];
    sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_CARS, 0, w0);
    sp_cars_household_words(cs, ms, pop, st, p, key, month, i, w0, out);
}

void sp_cars_household_words(sp_cars_state *cs, const sp_car_policy *ms,
                             const sp_population *pop, sp_hstate *st, const sp_params *p,
                             sp_rng_key key, int month, size_t i, const uint32_t w0[4],
                             sp_cars_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->trade_in_programme = -1;
    const uint8_t ps = st->plate_state[i];
    if (ps == SP_PLATE_NEV_QUEUE)
        SETFLAG(cs, i, F_PLATE_NEV, 1);
    else if (ps == SP_PLATE_LOTTERY)
        SETFLAG(cs, i, F_PLATE_NEV, 0);
    decision d;
    decide(cs, ms, pop, st, p, key, month, i, w0, &d);
    const int year = sp_month_year(month);
    if (d.buy) {
        uint8_t kind = sp_car_kind_of_class(d.vclass, (unsigned)sp_cars_emission_of_year(year));
        int slot;
        double old_cost = 0;
        if (d.replace) {
            slot = oldest_car(st, i);
            old_cost = kind_running_cost(st->car_kind[slot][i], d.vclass);
            out->replacement = 1;
            out->scrapped = 1;
            /* a car traded in with a scrappage subsidy is scrapped */
            out->exported = d.trade_k >= 0 ? 0 : d.resale ? ms->resale.export_share : p->used_car_export_share;
            out->resale_gain = d.resale ? d.gain : 0;
            out->subsidy_transfer = d.resale ? d.s_transfer : 0;
            SETFLAG(cs, i, F_MARKET, 0);
        } else {
            slot = st->ncars[i];
            st->ncars[i]++;
            out->first = 1;
            SETFLAG(cs, i, F_HOLD, 0);
            cs->hold_months[i] = 0;
            SETFLAG(cs, i, F_WISH, 0);
            SETFLAG(cs, i, F_PLATE_NEV, 0);
            if (cs->plates_required) {
                st->plate_state[i] = SP_PLATE_NONE;
                st->applicants[i] = 0;
                st->plate_months[i] = 0;
                out->plate_used = 1;
            }
        }
        st->car_age[slot][i] = 0;
        st->car_kind[slot][i] = kind;
        purchase_costs(pop, st, p, key, month, i, &d, old_cost);
        out->purchases = 1;
        out->nev = d.nev;
        out->vclass = d.vclass;
        out->value = d.price;
        out->subsidy_trade_in = d.s_trade;
        out->trade_in_programme = d.trade_k;
        out->subsidy_open = d.s_open;
        return;
    }
    if (d.enter) {
        SETFLAG(cs, i, F_MARKET, 1);
        out->entered = 1;
    }
    if (d.holding) {
        SETFLAG(cs, i, F_HOLD, 1);
        if (d.expire) {
            SETFLAG(cs, i, F_HOLD, 0);
            cs->hold_months[i] = 0;
            SETFLAG(cs, i, F_WISH, 0);
            if (cs->plates_required) {
                st->plate_state[i] = SP_PLATE_NONE;
                st->applicants[i] = 0;
                st->plate_months[i] = 0;
            }
            out->plate_expired = 1;
        } else if (cs->hold_months[i] < 255) {
            cs->hold_months[i]++;
        }
        return;
    }
    if (d.wish) {
        if (cs->plates_required) {
            SETFLAG(cs, i, F_WISH, 1);
        } else {
            SETFLAG(cs, i, F_HOLD, 1); /* no plate needed: shopping from next month */
            cs->hold_months[i] = 0;
        }
    }
    if (cs->plates_required && FLAG(cs, i, F_WISH) && st->ncars[i] == 0 && st->plate_state[i] == SP_PLATE_NONE)
        out->wants_plate = 1;
}

/* ---- a chunk of households ---- */

/* What the shortcut of sp_cars_chunk reads: the columns and the month's
 * constants. */
typedef struct quiet_ctx {
    const uint8_t *ps, *nc, *q, *offer;
    uint16_t *age0, *age1; /* quiet households' cars age here */
    const uint16_t *wish;
    uint8_t *flags;
    const float *income;                       /* read only to prefetch: */
    const uint8_t *drivers, *kind0, *kind1, *hold;
    const uint32_t (*entry)[HAZARD_TABLE];
    uint32_t buy;      /* buy_thr */
    uint32_t subsidy;  /* 1: an open programme runs this month (every owner takes the full step) */
    uint32_t offers;   /* 1: trade-in offers were prepared for this month */
    uint32_t plates;   /* plates_required */
} quiet_ctx;

/* The full step of household i reads columns the chunk does not stream
 * (income, car kinds, plate holding, offers): classification asks for them
 * as soon as it finds the household busy, so the cache misses overlap with
 * the rest of the pass. */
static inline void fetch_busy(const quiet_ctx *x, size_t i)
{
    __builtin_prefetch(&x->income[i]);
    __builtin_prefetch(&x->drivers[i]);
    __builtin_prefetch(&x->kind0[i]);
    __builtin_prefetch(&x->kind1[i]);
    __builtin_prefetch(&x->hold[i]);
    __builtin_prefetch(&x->offer[i]);
}

/* Pass 1 of the chunk, without branches: which households do nothing this
 * month, as decide() would find from the same draws (the thresholds give
 * exactly its comparisons); bit j of busy[j / 32] is set for the others.
 * Households found quiet in a plate pool record the pool's plate type, as
 * sp_cars_household_words does first. A quintile outside 0..4, a car beyond
 * the hazard table or a threshold not exact in 32 bits sends the household
 * through the full step. */
enum { CLASSIFY_MAX = 256 }; /* households per call of classify_portable */

/* The middle pass of classify_portable: households j0 .. m - 1 of columns
 * that start at the sub-chunk, with their cars' thresholds th0, th1;
 * quiet[j] = 1 for the quiet ones. No table read and no branch: the
 * compiler vectorises it (SSE2, NEON). Parameters, so that restrict holds. */
static void classify_lanes(const quiet_ctx *x, size_t j0, size_t m, const uint32_t *restrict w0s,
                           const uint32_t *restrict w1s, const uint32_t *restrict w2s,
                           const uint8_t *restrict ps_col, const uint8_t *restrict nc_col,
                           const uint8_t *restrict q_col, const uint8_t *restrict offer_col,
                           const uint16_t *restrict wish_col, uint8_t *restrict flags_col,
                           uint16_t *restrict age0_col, uint16_t *restrict age1_col,
                           const uint32_t *restrict th0, const uint32_t *restrict th1,
                           uint8_t *restrict quiet)
{
    const uint32_t buy = x->buy, buy_all = x->buy == UINT32_MAX, subsidy_all = x->subsidy,
                   offers = x->offers, plates = x->plates;
    for (size_t j = j0; j < m; j++) {
        const uint32_t ps = ps_col[j], fl = flags_col[j], nc = nc_col[j], qn = q_col[j];
        const uint32_t w0 = w0s[j], w1 = w1s[j], w2 = w2s[j];
        const uint32_t a0 = age0_col[j], a1 = age1_col[j];
        const uint32_t t0 = th0[j], t1 = th1[j];
        /* Masks (all ones: true), as the vector kernels compute them. */
        const uint32_t old0 = 0u - (a0 >= HAZARD_TABLE), old1 = 0u - (a1 >= HAZARD_TABLE);
        const uint32_t x0 = (0u - (w0 < t0)) | old0 | (0u - (t0 == UINT32_MAX));
        const uint32_t x1 = (0u - (w1 < t1)) | old1 | (0u - (t1 == UINT32_MAX));
        const uint32_t has1 = 0u - (nc >= 1), has2 = 0u - (nc >= 2);
        const uint32_t enter = (has1 & x0) | (has2 & x1);
        const uint32_t market = 0u - (fl & F_MARKET) / F_MARKET;
        const uint32_t bought = (0u - (w2 < buy)) | (0u - buy_all);
        const uint32_t owner_event = (market & bought) | (~market & enter);
        const uint32_t subsidy = (0u - subsidy_all) | ((0u - offers) & (0u - (offer_col[j] != 0)));
        const uint32_t hold = 0u - (fl & F_HOLD) / F_HOLD, wishing = 0u - (fl & F_WISH) / F_WISH;
        const uint32_t owner_quiet = ~(0u - (ps == SP_PLATE_WON)) & ~hold & ~subsidy & ~owner_event &
                                     (0u - (qn < SP_NQUINTILE));
        const uint32_t free_ = (0u - (ps == SP_PLATE_NONE)) & ~hold & ~wishing;
        const uint32_t wish = 0u - (w2 < ((uint32_t)wish_col[j] << 12)); /* sp_u01(w2) < wish_p 2^-20 */
        const uint32_t nevq = 0u - (ps == SP_PLATE_NEV_QUEUE);
        const uint32_t pool = (0u - (ps == SP_PLATE_LOTTERY)) | nevq;
        const uint32_t waiting = (0u - plates) & wishing & pool;
        const uint32_t carless_quiet = (free_ & ~wish) | (~free_ & waiting);
        const uint32_t carless = 0u - (nc == 0);
        const uint32_t q = (carless & carless_quiet) | (~carless & owner_quiet);
        const uint32_t fl2 = (fl & ~(uint32_t)F_PLATE_NEV) | (nevq & F_PLATE_NEV);
        const uint32_t repool = q & pool;
        flags_col[j] = (uint8_t)((repool & fl2) | (~repool & fl));
        age0_col[j] = (uint16_t)(a0 + (q & has1 & (0u - (a0 != UINT16_MAX)) & 1u));
        age1_col[j] = (uint16_t)(a1 + (q & has2 & (0u - (a1 != UINT16_MAX)) & 1u));
        quiet[j] = (uint8_t)(q & 1u);
    }
}

/* The entry thresholds of the cars of households lo .. lo + m - 1 (as
 * classify_avx2 gathers them: row 0 for a quintile outside the table, age 0
 * for a car beyond it), scalar. */
static void car_thresholds(const quiet_ctx *x, size_t lo, size_t m, uint32_t *restrict th0,
                           uint32_t *restrict th1)
{
    for (size_t j = 0; j < m; j++) {
        const size_t i = lo + j;
        const uint32_t qn = x->q[i], a0 = x->age0[i], a1 = x->age1[i];
        const uint32_t *thr = x->entry[qn < SP_NQUINTILE ? qn : 0];
        th0[j] = thr[a0 >= HAZARD_TABLE ? 0 : a0];
        th1[j] = thr[a1 >= HAZARD_TABLE ? 0 : a1];
    }
}

static void classify_portable(const quiet_ctx *x, size_t lo, size_t j0, size_t m,
                              const uint32_t (*w)[4], uint32_t *busy)
{
    /* Three passes, so that the middle one (every comparison and store) has
     * no table read and no branch: the thresholds of the households' cars
     * (scalar table reads) and the draws' words as columns, the classification (classify_lanes), then the
     * busy bits and the prefetches. */
    uint32_t th0[CLASSIFY_MAX], th1[CLASSIFY_MAX], w0[CLASSIFY_MAX], w1[CLASSIFY_MAX], w2[CLASSIFY_MAX];
    uint8_t quiet[CLASSIFY_MAX];
    if (m > CLASSIFY_MAX) /* the callers pass at most a sub-chunk */
        m = CLASSIFY_MAX;
    if (j0 < m)
        car_thresholds(x, lo + j0, m - j0, th0 + j0, th1 + j0);
    for (size_t j = j0; j < m; j++) {
        w0[j] = w[j][0];
        w1[j] = w[j][1];
        w2[j] = w[j][2];
    }
    classify_lanes(x, j0, m, w0, w1, w2, x->ps + lo, x->nc + lo, x->q + lo, x->offer + lo, x->wish + lo,
                   x->flags + lo, x->age0 + lo, x->age1 + lo, th0, th1, quiet);
    size_t j = j0;
    if (j0 % 32 == 0) /* whole words: an OR of masked bits, which compilers vectorise */
        for (; j + 32 <= m; j += 32) {
            static const uint32_t bit[32] = {
                1u << 0,  1u << 1,  1u << 2,  1u << 3,  1u << 4,  1u << 5,  1u << 6,  1u << 7,
                1u << 8,  1u << 9,  1u << 10, 1u << 11, 1u << 12, 1u << 13, 1u << 14, 1u << 15,
                1u << 16, 1u << 17, 1u << 18, 1u << 19, 1u << 20, 1u << 21, 1u << 22, 1u << 23,
                1u << 24, 1u << 25, 1u << 26, 1u << 27, 1u << 28, 1u << 29, 1u << 30, 1u << 31};
            uint32_t bits = 0;
            for (int b = 0; b < 32; b++)
                bits |= ((uint32_t)quiet[j + (size_t)b] - 1u) & bit[b]; /* quiet 0: all ones */
            busy[j >> 5] |= bits;
            for (; bits; bits &= bits - 1)
                fetch_busy(x, lo + j + (size_t)__builtin_ctz(bits));
        }
    for (; j < m; j++) {
        busy[j >> 5] |= (uint32_t)(quiet[j] ^ 1u) << (j & 31);
        if (!quiet[j])
            fetch_busy(x, lo + j);
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SP_CARS_HAVE_AVX2 1

/* classify_portable for eight households at a time, one per 32-bit lane. */
__attribute__((target("avx2"))) static void classify_avx2(const quiet_ctx *x, size_t lo, size_t m,
                                                          const uint32_t (*w)[4], uint32_t *busy)
{
#define U8(col) _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)((col) + i)))
#define U16(col) _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((col) + i)))
#define LTU(a, b) _mm256_cmpgt_epi32(_mm256_xor_si256((b), sign), _mm256_xor_si256((a), sign))
#define EQ(a, k) _mm256_cmpeq_epi32((a), _mm256_set1_epi32(k))
    const __m256i sign = _mm256_set1_epi32((int)0x80000000u), ones = _mm256_set1_epi32(-1),
                  zero = _mm256_setzero_si256(), maxv = ones, last = _mm256_set1_epi32(HAZARD_TABLE - 1),
                  row = _mm256_set1_epi32(HAZARD_TABLE);
    const __m256i buy = _mm256_set1_epi32((int)x->buy);
    const __m256i buy_all = x->buy == UINT32_MAX ? ones : zero;
    const __m256i plates = x->plates ? ones : zero;
    const int *entry = (const int *)&x->entry[0][0];
    /* Columns as locals: the byte stores below may alias anything, and the
     * compiler would otherwise reload x's pointers after each. */
    const uint8_t *const ps_col = x->ps, *const nc_col = x->nc, *const q_col = x->q, *const offer_col = x->offer;
    const uint16_t *const wish_col = x->wish;
    uint8_t *const flags_col = x->flags;
    uint16_t *const age0_col = x->age0, *const age1_col = x->age1;
    const uint32_t subsidy_all = x->subsidy, offers = x->offers;
    size_t j = 0;
    for (; j + 8 <= m; j += 8) {
        const size_t i = lo + j;
        /* the draws of households j .. j + 7, words 0..2, one household per lane */
        __m256i r0 = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)w[j])),
                                             _mm_loadu_si128((const __m128i *)w[j + 4]), 1);
        __m256i r1 = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)w[j + 1])),
                                             _mm_loadu_si128((const __m128i *)w[j + 5]), 1);
        __m256i r2 = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)w[j + 2])),
                                             _mm_loadu_si128((const __m128i *)w[j + 6]), 1);
        __m256i r3 = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)w[j + 3])),
                                             _mm_loadu_si128((const __m128i *)w[j + 7]), 1);
        __m256i t0 = _mm256_unpacklo_epi32(r0, r1), t1 = _mm256_unpacklo_epi32(r2, r3);
        __m256i t2 = _mm256_unpackhi_epi32(r0, r1), t3 = _mm256_unpackhi_epi32(r2, r3);
        __m256i w0 = _mm256_unpacklo_epi64(t0, t1), w1 = _mm256_unpackhi_epi64(t0, t1);
        __m256i w2 = _mm256_unpacklo_epi64(t2, t3);
        __m256i ps = U8(ps_col), fl = U8(flags_col), nc = U8(nc_col), qn = U8(q_col);
        __m256i a0 = U16(age0_col), a1 = U16(age1_col), wish = U16(wish_col);
        __m256i qok = _mm256_cmpgt_epi32(_mm256_set1_epi32(SP_NQUINTILE), qn); /* qn < SP_NQUINTILE */
        __m256i base = _mm256_mullo_epi32(_mm256_and_si256(qn, qok), row);
        __m256i old0 = _mm256_cmpgt_epi32(a0, last), old1 = _mm256_cmpgt_epi32(a1, last);
        __m256i th0 = _mm256_i32gather_epi32(entry, _mm256_add_epi32(base, _mm256_andnot_si256(old0, a0)), 4);
        __m256i th1 = _mm256_i32gather_epi32(entry, _mm256_add_epi32(base, _mm256_andnot_si256(old1, a1)), 4);
        __m256i x0 = _mm256_or_si256(_mm256_or_si256(LTU(w0, th0), old0), _mm256_cmpeq_epi32(th0, maxv));
        __m256i x1 = _mm256_or_si256(_mm256_or_si256(LTU(w1, th1), old1), _mm256_cmpeq_epi32(th1, maxv));
        __m256i enter = _mm256_or_si256(_mm256_and_si256(_mm256_cmpgt_epi32(nc, zero), x0),
                                        _mm256_and_si256(_mm256_cmpgt_epi32(nc, _mm256_set1_epi32(1)), x1));
        __m256i market = EQ(_mm256_and_si256(fl, _mm256_set1_epi32(F_MARKET)), F_MARKET);
        __m256i bought = _mm256_or_si256(LTU(w2, buy), buy_all);
        __m256i owner_event = _mm256_blendv_epi8(enter, bought, market);
        __m256i subsidy = subsidy_all ? ones : (offers ? _mm256_cmpgt_epi32(U8(offer_col), zero) : zero);
        __m256i owner_busy = _mm256_or_si256(
            _mm256_or_si256(EQ(ps, SP_PLATE_WON), _mm256_xor_si256(EQ(_mm256_and_si256(fl, _mm256_set1_epi32(F_HOLD)), 0), ones)),
            _mm256_or_si256(_mm256_or_si256(subsidy, owner_event), _mm256_xor_si256(qok, ones)));
        __m256i free_ = _mm256_and_si256(EQ(ps, SP_PLATE_NONE), EQ(_mm256_and_si256(fl, _mm256_set1_epi32(F_HOLD | F_WISH)), 0));
        __m256i wishes = LTU(w2, _mm256_slli_epi32(wish, 12));
        __m256i is_nevq = EQ(ps, SP_PLATE_NEV_QUEUE);
        __m256i pool = _mm256_or_si256(EQ(ps, SP_PLATE_LOTTERY), is_nevq);
        __m256i waiting = _mm256_and_si256(_mm256_and_si256(plates, pool),
                                           _mm256_xor_si256(EQ(_mm256_and_si256(fl, _mm256_set1_epi32(F_WISH)), 0), ones));
        __m256i carless_quiet = _mm256_blendv_epi8(waiting, _mm256_xor_si256(wishes, ones), free_);
        __m256i quiet = _mm256_blendv_epi8(_mm256_xor_si256(owner_busy, ones), carless_quiet, EQ(nc, 0));
        __m256i fl2 = _mm256_or_si256(_mm256_andnot_si256(_mm256_set1_epi32(F_PLATE_NEV), fl),
                                      _mm256_and_si256(is_nevq, _mm256_set1_epi32(F_PLATE_NEV)));
        __m256i nfl = _mm256_blendv_epi8(fl, fl2, _mm256_and_si256(quiet, pool));
        __m128i f16 = _mm_packus_epi32(_mm256_castsi256_si128(nfl), _mm256_extracti128_si256(nfl, 1));
        _mm_storel_epi64((__m128i *)(flags_col + i), _mm_packus_epi16(f16, f16));
        /* the quiet households' cars age by a month (a mask of all ones is -1) */
        __m256i age_max = _mm256_set1_epi32(UINT16_MAX);
        __m256i inc0 = _mm256_andnot_si256(_mm256_cmpeq_epi32(a0, age_max),
                                           _mm256_and_si256(quiet, _mm256_cmpgt_epi32(nc, zero)));
        __m256i inc1 = _mm256_andnot_si256(_mm256_cmpeq_epi32(a1, age_max),
                                           _mm256_and_si256(quiet, _mm256_cmpgt_epi32(nc, _mm256_set1_epi32(1))));
        a0 = _mm256_sub_epi32(a0, inc0);
        a1 = _mm256_sub_epi32(a1, inc1);
        _mm_storeu_si128((__m128i *)(age0_col + i),
                         _mm_packus_epi32(_mm256_castsi256_si128(a0), _mm256_extracti128_si256(a0, 1)));
        _mm_storeu_si128((__m128i *)(age1_col + i),
                         _mm_packus_epi32(_mm256_castsi256_si128(a1), _mm256_extracti128_si256(a1, 1)));
        uint32_t bits = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(quiet)) ^ 0xffu;
        busy[j >> 5] |= bits << (j & 31);
        for (; bits; bits &= bits - 1)
            fetch_busy(x, i + (size_t)__builtin_ctz(bits));
    }
#undef U8
#undef U16
#undef LTU
#undef EQ
    classify_portable(x, lo, j, m, w, busy);
}

/* classify_avx2 for sixteen households at a time, one per 32-bit lane, with
 * the conditions as mask registers: the same comparisons, selections and
 * stores. */
SP_TARGET_AVX512 static void classify_avx512(const quiet_ctx *x, size_t lo, size_t m,
                                             const uint32_t (*w)[4], uint32_t *busy)
{
#define U8(col) _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)((col) + i)))
#define U16(col) _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)((col) + i)))
#define EQ(a, k) _mm512_cmpeq_epi32_mask((a), _mm512_set1_epi32(k))
#define ANY(a, f) _mm512_test_epi32_mask((a), _mm512_set1_epi32(f)) /* (a & f) != 0 */
    const __mmask16 all = 0xffff;
    const __m512i zero = _mm512_setzero_si512(), maxv = _mm512_set1_epi32(-1),
                  last = _mm512_set1_epi32(HAZARD_TABLE - 1), buy = _mm512_set1_epi32((int)x->buy),
                  age_max = _mm512_set1_epi32(UINT16_MAX);
    const __mmask16 buy_all = x->buy == UINT32_MAX ? all : 0, plates = x->plates ? all : 0;
    /* words 0 and 1, and 2 and 3, of four households in a row (r0: households
     * 0-3, r1: 4-7), then words 0, 1 and 2 of sixteen households */
    const __m512i sel01 = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    const __m512i sel23 = _mm512_setr_epi32(2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    const __m512i lo8 = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i hi8 = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const uint8_t *const ps_col = x->ps, *const nc_col = x->nc, *const q_col = x->q, *const offer_col = x->offer;
    const uint16_t *const wish_col = x->wish;
    uint8_t *const flags_col = x->flags;
    uint16_t *const age0_col = x->age0, *const age1_col = x->age1;
    const uint32_t subsidy_all = x->subsidy, offers = x->offers;
    /* The thresholds of the households' cars first, in a loop of their own
     * with scalar loads (on the AMD EPYC measured, 16-lane gathers in the
     * main loop were no faster: docs/performance.md). */
    _Alignas(64) uint32_t ths[2][CLASSIFY_MAX];
    if (m > CLASSIFY_MAX) /* the callers pass at most a sub-chunk */
        m = CLASSIFY_MAX;
    car_thresholds(x, lo, m, ths[0], ths[1]);
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        const size_t i = lo + j;
        const __m512i r0 = _mm512_loadu_si512(w[j]), r1 = _mm512_loadu_si512(w[j + 4]);
        const __m512i r2 = _mm512_loadu_si512(w[j + 8]), r3 = _mm512_loadu_si512(w[j + 12]);
        const __m512i t01 = _mm512_permutex2var_epi32(r0, sel01, r1); /* w0, w1 of households 0-7 */
        const __m512i t23 = _mm512_permutex2var_epi32(r2, sel01, r3); /* ... of 8-15 */
        const __m512i u01 = _mm512_permutex2var_epi32(r0, sel23, r1); /* w2, w3 of 0-7 */
        const __m512i u23 = _mm512_permutex2var_epi32(r2, sel23, r3);
        const __m512i w0 = _mm512_permutex2var_epi32(t01, lo8, t23), w1 = _mm512_permutex2var_epi32(t01, hi8, t23);
        const __m512i w2 = _mm512_permutex2var_epi32(u01, lo8, u23);
        const __m512i ps = U8(ps_col), fl = U8(flags_col), nc = U8(nc_col), qn = U8(q_col);
        __m512i a0 = U16(age0_col), a1 = U16(age1_col);
        const __m512i wish = U16(wish_col);
        const __mmask16 qok = _mm512_cmplt_epi32_mask(qn, _mm512_set1_epi32(SP_NQUINTILE));
        const __mmask16 old0 = _mm512_cmpgt_epi32_mask(a0, last), old1 = _mm512_cmpgt_epi32_mask(a1, last);
        const __m512i th0 = _mm512_load_si512(ths[0] + j), th1 = _mm512_load_si512(ths[1] + j);
        const __mmask16 x0 = _mm512_cmplt_epu32_mask(w0, th0) | old0 | _mm512_cmpeq_epi32_mask(th0, maxv);
        const __mmask16 x1 = _mm512_cmplt_epu32_mask(w1, th1) | old1 | _mm512_cmpeq_epi32_mask(th1, maxv);
        const __mmask16 has1 = _mm512_cmpgt_epi32_mask(nc, zero), has2 = _mm512_cmpgt_epi32_mask(nc, _mm512_set1_epi32(1));
        const __mmask16 enter = (has1 & x0) | (has2 & x1);
        const __mmask16 market = ANY(fl, F_MARKET);
        const __mmask16 bought = _mm512_cmplt_epu32_mask(w2, buy) | buy_all;
        const __mmask16 owner_event = (market & bought) | (~market & enter);
        const __mmask16 subsidy = subsidy_all ? all : (offers ? _mm512_test_epi32_mask(U8(offer_col), U8(offer_col)) : 0);
        const __mmask16 owner_busy = EQ(ps, SP_PLATE_WON) | ANY(fl, F_HOLD) | subsidy | owner_event | (__mmask16)~qok;
        const __mmask16 free_ = EQ(ps, SP_PLATE_NONE) & (__mmask16)~ANY(fl, F_HOLD | F_WISH);
        const __mmask16 wishes = _mm512_cmplt_epu32_mask(w2, _mm512_slli_epi32(wish, 12));
        const __mmask16 is_nevq = EQ(ps, SP_PLATE_NEV_QUEUE);
        const __mmask16 pool = EQ(ps, SP_PLATE_LOTTERY) | is_nevq;
        const __mmask16 waiting = plates & pool & ANY(fl, F_WISH);
        const __mmask16 carless_quiet = (free_ & (__mmask16)~wishes) | ((__mmask16)~free_ & waiting);
        const __mmask16 carless = (__mmask16)~has1;
        const __mmask16 quiet = (carless & carless_quiet) | ((__mmask16)~carless & (__mmask16)~owner_busy);
        __m512i fl2 = _mm512_andnot_si512(_mm512_set1_epi32(F_PLATE_NEV), fl);
        fl2 = _mm512_mask_or_epi32(fl2, is_nevq, fl2, _mm512_set1_epi32(F_PLATE_NEV));
        const __m512i nfl = _mm512_mask_mov_epi32(fl, quiet & pool, fl2);
        _mm_storeu_si128((__m128i *)(flags_col + i), _mm512_cvtepi32_epi8(nfl));
        /* the quiet households' cars age by a month */
        const __m512i one = _mm512_set1_epi32(1);
        a0 = _mm512_mask_add_epi32(a0, quiet & has1 & _mm512_cmpneq_epi32_mask(a0, age_max), a0, one);
        a1 = _mm512_mask_add_epi32(a1, quiet & has2 & _mm512_cmpneq_epi32_mask(a1, age_max), a1, one);
        _mm256_storeu_si256((__m256i *)(age0_col + i), _mm512_cvtepi32_epi16(a0));
        _mm256_storeu_si256((__m256i *)(age1_col + i), _mm512_cvtepi32_epi16(a1));
        uint32_t bits = (uint32_t)(__mmask16)~quiet;
        busy[j >> 5] |= bits << (j & 31);
        for (; bits; bits &= bits - 1)
            fetch_busy(x, i + (size_t)__builtin_ctz(bits));
    }
#undef U8
#undef U16
#undef EQ
#undef ANY
    classify_portable(x, lo, j, m, w, busy);
}
#endif

size_t sp_cars_chunk(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                     sp_hstate *st, const sp_params *p, sp_rng_key key, int month, size_t lo,
                     size_t n, const uint32_t (*w)[4], uint32_t *who, sp_cars_outcome *out)
{
    quiet_ctx x = {.ps = st->plate_state,
                   .nc = st->ncars,
                   .q = pop->quintile,
                   .offer = cs->offer,
                   .age0 = st->car_age[0],
                   .age1 = st->car_age[1],
                   .wish = cs->wish_p,
                   .flags = cs->flags,
                   .income = pop->income,
                   .drivers = pop->drivers,
                   .kind0 = st->car_kind[0],
                   .kind1 = st->car_kind[1],
                   .hold = cs->hold_months,
                   .entry = (const uint32_t(*)[HAZARD_TABLE])cs->entry_thr,
                   .buy = cs->buy_thr};
    /* With an open programme running, every owner's hazards shift: no shortcut. */
    x.subsidy = 0;
    for (int j = 0; ms && j < ms->nopen && j < SP_CARS_MAX_PROGRAMMES; j++)
        x.subsidy |= month >= ms->open[j].start_month && month <= ms->open[j].end_month;
    x.offers = ms && (ms->ntrade_in > 0 || ms->nresale > 0) && cs->offer_month == month;
    x.plates = (uint32_t)cs->plates_required;
    enum { SUB = 256 };
    _Static_assert((int)SUB <= (int)CLASSIFY_MAX, "classify_portable takes a whole sub-chunk");
    size_t ne = 0;
#ifdef SP_CARS_HAVE_AVX2
    const int avx2 = sp_simd_avx2(), avx512 = sp_simd_avx512();
#endif
    for (size_t s0 = 0; s0 < n; s0 += SUB) {
        const size_t m = n - s0 < SUB ? n - s0 : SUB;
        uint32_t busy[SUB / 32] = {0};
#ifdef SP_CARS_HAVE_AVX2
        if (avx512)
            classify_avx512(&x, lo + s0, m, w + s0, busy);
        else if (avx2)
            classify_avx2(&x, lo + s0, m, w + s0, busy);
        else
#endif
            classify_portable(&x, lo + s0, 0, m, w + s0, busy);
        /* Pass 2: the full step for the others. */
        for (size_t k = 0; k < SUB / 32; k++)
            for (uint32_t bits = busy[k]; bits; bits &= bits - 1) {
                size_t j = s0 + 32 * k + (size_t)__builtin_ctz(bits);
                const size_t i = lo + j;
                sp_cars_household_words(cs, ms, pop, st, p, key, month, i, w[j], &out[ne]);
                who[ne++] = (uint32_t)j;
                for (int c = 0; c < st->ncars[i] && c < SP_MAX_CARS; c++) /* its cars age by a month */
                    if (st->car_age[c][i] < UINT16_MAX)
                        st->car_age[c][i]++;
            }
    }
    return ne;
}
