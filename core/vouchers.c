/* vouchers.c: claiming and notch redemption of consumption vouchers. */
#include "vouchers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "budget.h"
#include "calendar.h"
#include "group.h"
#include "package.h"

#define SUB_CLAIM 0u
#define SUB_REDEEM 1u

static uint32_t purpose_word(uint32_t id, uint32_t sub)
{
    return (uint32_t)SP_PURPOSE_VOUCHER | (sub << 4) | ((id & 0xffffffu) << 8);
}

sp_voucher_def sp_voucher_def_default(void)
{
    sp_voucher_def v;
    memset(&v, 0, sizeof v);
    v.face = 10;
    v.threshold = 0;
    v.categories = (1u << SP_NCAT) - 1u;
    v.start_month = sp_month_make(2020, 6);
    v.start_day = 1;
    v.window_days = 14;
    v.window_months = 0;
    v.supply = 0;
    v.coupons_per_package = 1;
    v.cap = 1;
    v.claim = SP_CLAIM_FIRST_COME;
    v.gov_share = 1.0;
    v.merchant_share = 0.0;
    v.coverage = -1.0;
    return v;
}

int sp_voucher_validate(const sp_voucher_def *v, sp_err *err)
{
    if (!(v->face > 0) || !isfinite(v->face))
        return sp_err_set(err, SP_EINVAL, "face must be a positive amount, got %g", v->face);
    if (!(v->threshold >= 0) || !isfinite(v->threshold))
        return sp_err_set(err, SP_EINVAL, "threshold must be 0 or more, got %g", v->threshold);
    if (v->threshold > 0 && v->threshold < v->face)
        return sp_err_set(err, SP_EINVAL,
                          "threshold %g is below the face value %g (spend K, get F off needs K >= F)",
                          v->threshold, v->face);
    if (v->categories == 0 || v->categories >= (1u << SP_NCAT))
        return sp_err_set(err, SP_EINVAL, "categories must name at least one category");
    if (v->start_day < 1 || v->start_day > 28)
        return sp_err_set(err, SP_EINVAL, "start day must be 1..28, got %d", v->start_day);
    if ((v->window_days > 0) == (v->window_months > 0))
        return sp_err_set(err, SP_EINVAL, "give the window in days or in months (exactly one, positive)");
    if (v->window_days < 0 || v->window_days > 31)
        return sp_err_set(err, SP_EINVAL, "window days must be 1..31, got %d", v->window_days);
    if (v->window_months < 0 || v->window_months > 24)
        return sp_err_set(err, SP_EINVAL, "window months must be 1..24, got %d", v->window_months);
    if (v->threshold > 0 && v->window_months > 0)
        return sp_err_set(err, SP_EINVAL,
                          "threshold coupons need a window in days (at most 31), not months");
    if (!(v->supply >= 0) || !isfinite(v->supply))
        return sp_err_set(err, SP_EINVAL, "supply must be 0 (unlimited) or positive, got %g", v->supply);
    if (v->coupons_per_package < 1 || v->coupons_per_package > 100)
        return sp_err_set(err, SP_EINVAL, "coupons per package must be 1..100, got %d",
                          v->coupons_per_package);
    if (v->cap < 1 || v->cap > 100)
        return sp_err_set(err, SP_EINVAL, "cap must be 1..100 packages per household, got %d", v->cap);
    if ((unsigned)v->claim > SP_CLAIM_TARGETED)
        return sp_err_set(err, SP_EINVAL, "unknown distribution %d", (int)v->claim);
    if (v->claim == SP_CLAIM_TARGETED && !v->filter[0])
        return sp_err_set(err, SP_EINVAL, "a targeted voucher needs a filter naming its target group");
    if (!(v->gov_share >= 0 && v->gov_share <= 1) || !(v->merchant_share >= 0 && v->merchant_share <= 1))
        return sp_err_set(err, SP_EINVAL, "government and merchant shares must lie in 0..1");
    if (fabs(v->gov_share + v->merchant_share - 1.0) > 1e-9)
        return sp_err_set(err, SP_EINVAL,
                          "government share %g and merchant share %g must add up to 1", v->gov_share,
                          v->merchant_share);
    if (v->coverage >= 0 && !(v->coverage > 0 && v->coverage <= 1))
        return sp_err_set(err, SP_EINVAL, "coverage must lie in (0, 1], got %g", v->coverage);
    if (!(v->budget >= 0) || !isfinite(v->budget))
        return sp_err_set(err, SP_EINVAL, "budget must be 0 (none) or a positive amount of yuan, got %g",
                          v->budget);
    if (v->budget > 0 && !(v->gov_share > 0))
        return sp_err_set(err, SP_EINVAL,
                          "budget %g needs a government share above 0 (merchants pay every coupon)",
                          v->budget);
    return SP_OK;
}

/* Government cost of one package if all its coupons are redeemed, yuan. */
static double package_cost(const sp_voucher_def *v)
{
    return v->face * v->coupons_per_package * v->gov_share;
}

double sp_voucher_supply(const sp_voucher_def *v)
{
    double s = v->supply > 0 ? v->supply : INFINITY;
    if (v->budget > 0 && package_cost(v) > 0 && v->budget / package_cost(v) < s)
        s = v->budget / package_cost(v);
    return isinf(s) ? 0.0 : s;
}

double sp_voucher_window_months(const sp_voucher_def *v)
{
    return v->window_months > 0 ? (double)v->window_months : v->window_days / 30.44;
}

typedef struct {
    double key;
    uint32_t i;
} ranked;

static int by_key_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

int sp_voucher_claim(const sp_voucher_def *v, const sp_filter *filter, const sp_population *pop,
                     const sp_hstate *state, const sp_params *p, sp_rng_key key, uint32_t id,
                     uint8_t *held, sp_err *err)
{
    size_t n = pop->n;
    memset(held, 0, n);
    uint8_t *mask = NULL;
    if (filter) {
        mask = malloc(n ? n : 1);
        if (!mask)
            return sp_err_set(err, SP_ENOMEM, "out of memory for a voucher filter");
        int rc = sp_filter_eval(filter, pop, state, 0, n, mask, err);
        if (rc != SP_OK) {
            free(mask);
            return rc;
        }
    }
    ranked *cand = malloc((n ? n : 1) * sizeof *cand);
    if (!cand) {
        free(mask);
        return sp_err_set(err, SP_ENOMEM, "out of memory for voucher claims");
    }
    size_t nc = 0;
    const uint32_t pw = purpose_word(id, SUB_CLAIM);
    for (size_t i = 0; i < n; i++) {
        if (mask && !mask[i])
            continue;
        uint32_t w[4];
        sp_rng_words(key, (uint32_t)i, (uint32_t)v->start_month, pw, 0, w);
        double step = (double)pop->quintile[i] - 2.0; /* -2 .. 2 */
        double access = 1.0 + p->claim_income_gradient * step;
        double p_try = v->claim == SP_CLAIM_TARGETED ? p->targeted_takeup : p->claim_propensity * access;
        if (sp_u01(w[0]) >= p_try)
            continue;
        double u = sp_u01(w[1]);
        /* first come: faster (better connected) households tend to come first:
         * key ln(u) / speed ranks like u^(1/speed) (Efraimidis-Spirakis). */
        double k = v->claim == SP_CLAIM_FIRST_COME ? log(u) / (access > 0.1 ? access : 0.1) : u;
        cand[nc].key = k;
        cand[nc].i = (uint32_t)i;
        nc++;
    }
    qsort(cand, nc, sizeof *cand, by_key_desc);
    double remaining = v->supply > 0 ? v->supply : INFINITY;
    /* the budget, in yuan: claims stop SP_BUDGET_MARGIN short of it */
    const double pc = package_cost(v);
    double money = v->budget > 0 ? v->budget * SP_BUDGET_MARGIN : INFINITY;
    for (size_t r = 0; r < nc && remaining > 0 && money > 0; r++) {
        double w = pop->weight[cand[r].i];
        double fit = isinf(remaining) ? v->cap : floor(remaining / w + 1e-9);
        if (!isinf(money)) {
            double afford = floor(money / (w * pc));
            fit = afford < fit ? afford : fit;
        }
        int give = fit < v->cap ? (int)fit : v->cap;
        if (give <= 0)
            continue; /* a lighter household further down may still fit */
        held[cand[r].i] = (uint8_t)give;
        remaining -= give * w;
        money -= give * w * pc;
    }
    free(cand);
    free(mask);
    return SP_OK;
}

/* The household's notch tolerance r (docs/model.md section 3): it tops up a
 * purchase to the threshold, or makes a new purchase for a coupon, when the
 * extra outlay is at most r x face. r - 1 = topup_ratio_median x exp(sigma
 * z) x liquidity factor x (C / cref)^topup_budget_elasticity: households
 * without liquid wealth (hand-to-mouth) tolerate less (topup_liquidity_htm),
 * and the same outlay weighs less in a larger budget (C: the household's
 * annual consumption, cref: the population's mean, yuan). */
static double notch_tolerance(const sp_params *p, const sp_population *pop, uint32_t i, double cref,
                              double z)
{
    const int liq = pop->liquidity[i] & 3;
    const double l = (liq == SP_LIQ_POOR_HTM || liq == SP_LIQ_WEALTHY_HTM) ? p->topup_liquidity_htm : 1.0;
    const double c = cref > 0 ? pop->consumption[i] / cref : 1.0;
    const double b = c > 0 ? pow(c, p->topup_budget_elasticity) : 0.0;
    return 1.0 + p->topup_ratio_median * exp(p->topup_ratio_sigma * z) * l * b;
}

/* Value of a purchase the notch raised to the threshold K: coupon-paid
 * purchases bunch at and above K (Ding et al. 2024; Xing et al. 2023: coupons
 * shift purchases to pricier options), K plus an exponential overshoot of mean
 * notch_overshoot x K, yuan. */
static double notch_purchase(const sp_params *p, double K, gsl_rng *r)
{
    return p->notch_overshoot > 0 ? K + gsl_ran_exponential(r, p->notch_overshoot * K) : K;
}

/* Labelled-money share of an expiring earmarked voucher of window w months. */
static double label_share(const sp_params *p, double w)
{
    return p->label_strength * exp(-(w / p->label_window) * (w / p->label_window));
}

/* Cash-like vouchers (K = 0): every coupon is spent. */
static void redeem_cash(const sp_voucher_def *v, const sp_params *p, const sp_population *pop,
                        uint32_t i, int n, double mpc, sp_voucher_outcome *out)
{
    double L = label_share(p, sp_voucher_window_months(v));
    double value = n * v->face;
    sp_population_split(pop, i, v->categories, value * L, out->extra);
    out->windfall = value * (1.0 - L) * mpc;
    out->redeemed = n;
    out->transaction_value = value;
    out->face_redeemed = value;
}

/* The eligible categories' planned purchases in the window at accepting
 * merchants: average size z[c] = planned / trips (yuan) and m[c] ~
 * Binomial(trips, coverage x window share); their categories in order[],
 * largest purchase first. Returns how many. */
static int planned_purchases(const sp_voucher_def *v, const sp_params *p, const double planned[SP_NCAT],
                             const unsigned trips[SP_NCAT], gsl_rng *r, double z[SP_NCAT],
                             unsigned m[SP_NCAT], int order[SP_NCAT])
{
    double coverage = v->coverage >= 0 ? v->coverage : p->voucher_coverage;
    double f = coverage * (double)v->window_days / sp_month_days(v->start_month);
    if (f > 1)
        f = 1;
    int no = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        z[c] = 0;
        m[c] = 0;
        if (!(v->categories & (1u << c)) || trips[c] == 0)
            continue;
        z[c] = planned[c] / trips[c];
        m[c] = gsl_ran_binomial(r, f, trips[c]);
        order[no++] = c;
    }
    for (int a = 1; a < no; a++) /* largest first (at most 8) */
        for (int b = a; b > 0 && z[order[b]] > z[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    return no;
}

void sp_voucher_redeem(const sp_voucher_def *v, const sp_params *p, const sp_population *pop,
                       uint32_t i, int packages, const double planned[SP_NCAT],
                       const unsigned trips[SP_NCAT], double cref, sp_rng_key key, uint32_t id,
                       gsl_rng *r, sp_voucher_outcome *out)
{
    memset(out, 0, sizeof *out);
    const double F = v->face, K = v->threshold;
    const double mpc = sp_population_mpc(pop, p->mpc, i);
    int n = packages * v->coupons_per_package;
    out->claimed = n;
    if (n <= 0)
        return;
    if (K <= 0) {
        redeem_cash(v, p, pop, i, n, mpc, out);
        return;
    }
    /* Threshold coupons: planned purchases in the window at accepting merchants. */
    sp_rng_stream_reset(r, key, i, (uint32_t)v->start_month, purpose_word(id, SUB_REDEEM));
    double z[SP_NCAT];
    unsigned m[SP_NCAT];
    int order[SP_NCAT];
    const int no = planned_purchases(v, p, planned, trips, r, z, m, order);
    double tol = notch_tolerance(p, pop, i, cref, gsl_ran_ugaussian(r));
    /* 1. inframarginal: the freed face value is labelled money for the
     * window (as a cash-like voucher of F), plus a small upgrade */
    const double L = label_share(p, sp_voucher_window_months(v));
    int left = n;
    for (int k = 0; k < no && left > 0; k++) {
        int c = order[k];
        if (z[c] < K)
            continue;
        int u = (int)m[c] < left ? (int)m[c] : left;
        left -= u;
        out->transaction_value += u * (z[c] + p->upgrade_share * F);
        out->extra[c] += u * (p->upgrade_share + L) * F;
        out->induced += u * p->upgrade_share * F;
        out->windfall += u * F * (1.0 - L) * mpc;
    }
    for (int k = 0; k < no && left > 0; k++) { /* 2. top-ups of smaller purchases */
        int c = order[k];
        if (z[c] >= K || K - z[c] > tol * F)
            continue;
        int u = (int)m[c] < left ? (int)m[c] : left;
        left -= u;
        for (int q = 0; q < u; q++) {
            double x = notch_purchase(p, K, r);
            out->transaction_value += x;
            out->extra[c] += x - z[c];
            out->induced += x - z[c];
        }
    }
    if (left > 0 && K <= tol * F) { /* 3. new purchases */
        int best = -1;
        for (int c = 0; c < SP_NCAT; c++)
            if ((v->categories & (1u << c)) &&
                (best < 0 || sp_population_share(pop, i, c) > sp_population_share(pop, i, best)))
                best = c;
        for (; left > 0; left--) {
            double x = notch_purchase(p, K, r);
            out->transaction_value += x;
            out->extra[best] += x;
            out->induced += x;
        }
    }
    out->expired = left;
    out->redeemed = n - left;
    out->face_redeemed = out->redeemed * F;
}

/* ---- the measure: per run, the packages held by each household ---- */

_Static_assert(sizeof(sp_voucher_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

static int validate(const void *def, sp_err *err) { return sp_voucher_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_voucher_def *)def)->filter; }

/* Per run: the population's mean annual household consumption (the
 * tolerance's budget reference, yuan) and the packages each household holds. */
typedef struct voucher_run {
    double cref;
    uint8_t held[];
} voucher_run;

static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_population *pop = env->pop;
    size_t n = pop->n;
    voucher_run *vr = calloc(1, sizeof *vr + (n ? n : 1));
    if (!vr)
        return sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
    double cw = 0, w = 0;
    for (size_t i = 0; i < n; i++) {
        cw += (double)pop->weight[i] * pop->consumption[i];
        w += pop->weight[i];
    }
    vr->cref = w > 0 ? cw / w : 0;
    *state = vr;
    return SP_OK;
}

static void run_free(void *state) { free(state); }

static void mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo, size_t n,
                 uint32_t *bits)
{
    sp_measure_bytes_mark(((const voucher_run *)state)->held, m, env, lo, n, bits);
}

static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_voucher_def *v = sp_measure_def(m);
    if (v->start_month != env->month)
        return 0;
    uint32_t claim_id = v->group[0] ? sp_measure_id(v->group) : m->id;
    int rc = sp_voucher_claim(v, m->filter, env->pop, env->state, env->params, env->key, claim_id,
                              ((voucher_run *)state)->held, err);
    return rc != SP_OK ? rc : 1;
}

/* Redemption: extra spending now, the freed income to the windfall
 * carry-over, a share of induced spending taken back later. */
static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    const sp_voucher_def *v = sp_measure_def(m);
    const sp_params *p = env->params;
    const voucher_run *vr = state;
    sp_hstate *st = env->state;
    const size_t i = h->i;
    unsigned trips[SP_NCAT];
    for (int c = 0; c < SP_NCAT; c++)
        trips[c] = h->trips[c];
    sp_voucher_outcome o;
    sp_voucher_redeem(v, p, env->pop, (uint32_t)i, vr->held[i], h->spend, trips, vr->cref, env->key,
                      m->id, h->ws, &o);
    for (int c = 0; c < SP_NCAT; c++)
        h->spend[c] += o.extra[c];
    if (o.windfall > 0) {
        st->pending[i] = (float)(st->pending[i] + o.windfall);
        st->pending_months[i] = (uint8_t)(int)lround(p->mpc_months);
    }
    if (o.induced > 0) {
        st->deferred[i] = (float)(st->deferred[i] + o.induced * p->substitution_share);
        st->deferred_mask[i] |= (uint8_t)v->categories;
    }
    sp_household_add(h, SP_M_VOUCHERS_CLAIMED, o.claimed);
    sp_household_add(h, SP_M_VOUCHERS_REDEEMED, o.redeemed);
    sp_household_add(h, SP_M_VOUCHERS_EXPIRED, o.expired);
    sp_household_add(h, SP_M_COUPON_VALUE, o.transaction_value);
    sp_household_add(h, SP_M_GOV_COST, o.face_redeemed * v->gov_share);
    sp_household_add(h, SP_M_MERCHANT_COST, o.face_redeemed * v->merchant_share);
}

static double budget_of(const void *def) { return ((const sp_voucher_def *)def)->budget; }

/* Supply beyond what the eligible households can take (cap packages each). */
static int oversupply(const sp_measure *m, const sp_population *pop, char *msg, size_t n, sp_err *err)
{
    const sp_voucher_def *v = sp_measure_def(m);
    const double supply = sp_voucher_supply(v);
    if (!(supply > 0))
        return 0;
    double can = 0;
    if (m->filter) {
        uint8_t *mask = malloc(pop->n ? pop->n : 1);
        if (!mask)
            return sp_err_set(err, SP_ENOMEM, "out of memory for a voucher filter");
        int rc = sp_filter_eval(m->filter, pop, &pop->state, 0, pop->n, mask, err);
        for (size_t i = 0; rc == SP_OK && i < pop->n; i++)
            can += mask[i] ? (double)pop->weight[i] * v->cap : 0.0;
        free(mask);
        if (rc != SP_OK)
            return rc;
    } else {
        for (size_t i = 0; i < pop->n; i++)
            can += (double)pop->weight[i] * v->cap;
    }
    if (supply <= can * (1 + 1e-9))
        return 0;
    snprintf(msg, n,
             "supply of %.0f packages%s exceeds what the eligible households can claim (%.0f "
             "packages, %d each): at most %.0f%% of it can be used",
             supply, v->budget > 0 && (v->supply <= 0 || supply < v->supply) ? " (from the budget)" : "",
             can, v->cap, 100.0 * can / supply);
    return 1;
}

/* The design quantities of design_range.h: a threshold coupon's threshold,
 * face value, discount rate (face / threshold) and window in days; a
 * cash-like voucher's face value. */
static int design(const void *def, sp_design_value *out, int max)
{
    const sp_voucher_def *v = def;
    int n = 0;
    if (v->threshold > 0) {
        sp_design_value d[4] = {{"threshold", v->threshold}, {"face", v->face},
                                {"discount", v->face / v->threshold},
                                {"window_days", v->window_days}};
        for (int k = 0; k < 4 && n < max; k++)
            if (k < 3 || v->window_days > 0)
                out[n++] = d[k];
    } else if (max > 0) {
        out[n++] = (sp_design_value){"cash_face", v->face};
    }
    return n;
}

const sp_measure_ops sp_voucher_measure = {
    .budget = budget_of,
    .oversupply = oversupply,
    .kind = "voucher",
    .def_size = sizeof(sp_voucher_def),
    .order = 20,
    .design = design,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = run_alloc,
    .run_free = run_free,
    .month_start = month_start,
    .mark = mark,
    .household = household,
};

int sp_package_add_voucher(sp_package *p, const char *name, const sp_voucher_def *v, sp_err *err)
{
    return sp_package_add(p, &sp_voucher_measure, name, v, err);
}
