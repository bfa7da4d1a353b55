/* promotion.c: promotion seasons and discounts (promotion.h). */
#include "promotion.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "calendar.h"
#include "package.h"

_Static_assert(sizeof(sp_promotion_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

/* Mean days of a month: a window's expected spending is days / this of a month's. */
#define MONTH_DAYS 30.44

sp_promotion_def sp_promotion_def_default(void)
{
    sp_promotion_def d;
    memset(&d, 0, sizeof d);
    d.start_month = d.end_month = sp_month_make(2020, 6);
    d.start_day = 1;
    d.end_day = 18;
    d.coverage = 1.0;
    d.gov_share = 0.0;
    d.merchant_share = 1.0;
    d.announced = 1;
    return d;
}

static int check_day(const char *field, int month, int day, sp_err *err)
{
    if (day < 1 || day > sp_month_days(month)) {
        char m[8];
        sp_month_format(month, m);
        return sp_err_set(err, SP_EINVAL, "%s: day %d is not a day of %s (1..%d)", field, day, m,
                          sp_month_days(month));
    }
    return SP_OK;
}

static int check_window(const sp_promotion_def *d, sp_err *err)
{
    int rc;
    if ((rc = sp_measure_check_month("start", d->start_month, err)) ||
        (rc = sp_measure_check_month("end", d->end_month, err)) ||
        (rc = check_day("start", d->start_month, d->start_day, err)) ||
        (rc = check_day("end", d->end_month, d->end_day, err)))
        return rc;
    if (d->end_month < d->start_month || (d->end_month == d->start_month && d->end_day < d->start_day)) {
        char a[8], b[8];
        sp_month_format(d->start_month, a);
        sp_month_format(d->end_month, b);
        return sp_err_set(err, SP_EINVAL, "the window ends (%s-%02d) before it starts (%s-%02d)", b,
                          d->end_day, a, d->start_day);
    }
    return SP_OK;
}

int sp_promotion_validate(const sp_promotion_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "promotion definition is NULL");
    if ((rc = check_window(d, err)))
        return rc;
    int any = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        double x = d->discount[c];
        if (!isfinite(x) || x < 0 || x >= 1)
            return sp_err_set(err, SP_EINVAL,
                              "discount for %s must be a share of the price in [0, 1), got %g",
                              sp_category_name(c), x);
        any |= x > 0;
        double e = d->elasticity[c];
        if ((d->elasticity_set >> c & 1u) && (!isfinite(e) || e > 0 || e < -5))
            return sp_err_set(err, SP_EINVAL,
                              "elasticity for %s must lie in -5..0 (an own-price elasticity: demand "
                              "falls when the price rises), got %g",
                              sp_category_name(c), e);
    }
    if (!any)
        return sp_err_set(err, SP_EINVAL, "discount must take more than 0 off in at least one category");
    if (d->elasticity_set >= (1u << SP_NCAT))
        return sp_err_set(err, SP_EINVAL, "elasticity names an unknown category");
    if (!isfinite(d->coverage) || !(d->coverage > 0 && d->coverage <= 1))
        return sp_err_set(err, SP_EINVAL, "coverage must lie in (0, 1], got %g", d->coverage);
    if ((rc = sp_measure_check_share("government share", d->gov_share, err)) ||
        (rc = sp_measure_check_share("merchant share", d->merchant_share, err)))
        return rc;
    if ((rc = sp_measure_check_amount("cap", d->cap, err)) ||
        (rc = sp_measure_check_amount("budget", d->budget, err)))
        return rc;
    if (d->budget > 0 && !(d->cap > 0 && d->gov_share > 0))
        return sp_err_set(err, SP_EINVAL,
                          "budget %g needs a government share above 0 and 'cap' (the most government-"
                          "funded discount per household and month, yuan), got share %g, cap %g",
                          d->budget, d->gov_share, d->cap);
    if (fabs(d->gov_share + d->merchant_share - 1.0) > 1e-9)
        return sp_err_set(err, SP_EINVAL, "government share %g and merchant share %g must add up to 1",
                          d->gov_share, d->merchant_share);
    if (d->announced != 0 && d->announced != 1)
        return sp_err_set(err, SP_EINVAL, "announced must be 0 or 1, got %d", d->announced);
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

int sp_promotion_days_in(const sp_promotion_def *d, int month)
{
    if (month < d->start_month || month > d->end_month)
        return 0;
    int first = month == d->start_month ? d->start_day : 1;
    int last = month == d->end_month ? d->end_day : sp_month_days(month);
    return last - first + 1;
}

double sp_promotion_elasticity(const sp_promotion_def *d, const sp_params *p, int c)
{
    return (d->elasticity_set >> c & 1u) ? d->elasticity[c] : p->price_elasticity[c];
}

double sp_promotion_substitution(const sp_params *p, int c)
{
    return (c == SP_CAT_CLOTHING || c == SP_CAT_HOUSEHOLD_GOODS) ? p->promo_substitution_durable
                                                                : p->promo_substitution_nondurable;
}

/* What a promotion's response needs per category, computed once per run:
 * the volume factor q = (1 - d)^e, the moved share phi, and the window's
 * reach in months (at most one) for the postponed purchases. */
typedef struct factors {
    double q[SP_NCAT];
    double phi[SP_NCAT];
    double reach;
} factors;

/* Days of the whole window. */
static int window_days(const sp_promotion_def *d)
{
    int n = 0;
    for (int m = d->start_month; m <= d->end_month; m++)
        n += sp_promotion_days_in(d, m);
    return n;
}

static void factors_make(const sp_promotion_def *d, const sp_params *p, factors *f)
{
    for (int c = 0; c < SP_NCAT; c++) {
        f->q[c] = d->discount[c] > 0 ? pow(1.0 - d->discount[c], sp_promotion_elasticity(d, p, c)) : 1.0;
        f->phi[c] = sp_promotion_substitution(p, c);
    }
    f->reach = fmin(window_days(d), MONTH_DAYS) / MONTH_DAYS;
}

/* Purchases of category c postponed into the window from the month before
 * it, yuan: phi x promo_anticipation of the extra purchases the promotion
 * causes in an average month's spending of the household (annual planned
 * consumption x share / 12), over at most one month of the window. Computed
 * the same way in both months, so what is taken out is exactly put back. */
static double postponed(const sp_promotion_def *d, const sp_params *p, const factors *f,
                        const sp_population *pop, size_t i, int c)
{
    if (!(d->discount[c] > 0) || !d->announced)
        return 0;
    double mean = pop->consumption[i] * sp_population_share(pop, i, c) / 12.0;
    return f->phi[c] * p->promo_anticipation * d->coverage * f->reach * mean * (f->q[c] - 1.0);
}

/* The window's months: purchases w0 at participating sellers become
 * w1 = w0 q; the extra is new (1 - phi), pulled forward from later months
 * (phi, less the anticipated share when announced) and, in the first month,
 * the purchases postponed from the month before. */
static void window_month(const sp_promotion_def *d, const sp_params *p, const factors *fa,
                         const sp_population *pop, size_t i, int month, int before_ok,
                         const double spend[SP_NCAT], sp_promotion_outcome *out)
{
    double f = d->coverage * sp_promotion_days_in(d, month) / sp_month_days(month);
    double a = d->announced ? p->promo_anticipation : 0.0;
    for (int c = 0; c < SP_NCAT; c++) {
        double dc = d->discount[c];
        if (!(dc > 0))
            continue;
        double w0 = f * fmax(spend[c], 0.0);
        double extra = w0 * (fa->q[c] - 1.0);
        double after = fa->phi[c] * (1.0 - a) * extra;
        double change = (1.0 - fa->phi[c]) * extra + after;
        if (month == d->start_month && before_ok)
            change += postponed(d, p, fa, pop, i, c);
        out->change[c] += change;
        out->deferred += after;
        out->sales += w0 + change;
        out->discount += dc * (w0 + change);
    }
}

static void effect(const sp_promotion_def *d, const sp_params *p, const factors *f,
                   const sp_population *pop, size_t i, int month, int before_ok,
                   const double spend[SP_NCAT], sp_promotion_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (month == d->start_month - 1) {
        if (before_ok)
            for (int c = 0; c < SP_NCAT; c++)
                out->change[c] -= postponed(d, p, f, pop, i, c);
        return;
    }
    if (sp_promotion_days_in(d, month) > 0)
        window_month(d, p, f, pop, i, month, before_ok, spend, out);
}

void sp_promotion_effect(const sp_promotion_def *d, const sp_params *p, const sp_population *pop,
                         size_t i, int month, int before_ok, const double spend[SP_NCAT],
                         sp_promotion_outcome *out)
{
    factors f;
    factors_make(d, p, &f);
    effect(d, p, &f, pop, i, month, before_ok, spend, out);
}

/* ---- the measure: per run, the households taking part this month and the factors ---- */

typedef struct run_state {
    uint8_t *mask; /* 1 = takes part this month */
    factors f;     /* of the run's parameters */
    /* With a budget: each household's government-funded discount this month
     * (written by its own household step), what was paid in earlier months
     * (weighted yuan, summed in household order), and the first-come ranking. */
    double *gov;
    double spent;
    struct ranked_hh *cand;
} run_state;

typedef struct ranked_hh {
    double key;
    uint32_t i;
} ranked_hh;

static int by_key(const void *a, const void *b)
{
    const ranked_hh *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

enum { SUB_BUDGET = 14 }; /* SP_PURPOSE_SUBSIDY sub-purpose of the budget ranking */

static int validate(const void *def, sp_err *err) { return sp_promotion_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_promotion_def *)def)->filter; }

static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_promotion_def *d = sp_measure_def(m);
    const size_t n = env->pop->n ? env->pop->n : 1;
    run_state *s = calloc(1, sizeof *s);
    *state = s;
    if (s)
        s->mask = calloc(n, 1);
    if (s && d->budget > 0) {
        s->gov = calloc(n, sizeof *s->gov);
        s->cand = malloc(n * sizeof *s->cand);
    }
    if (!s || !s->mask || (d->budget > 0 && (!s->gov || !s->cand)))
        return sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
    factors_make(sp_measure_def(m), env->params, &s->f);
    return SP_OK;
}

static void run_free(void *state)
{
    run_state *s = state;
    if (s) {
        free(s->mask);
        free(s->gov);
        free(s->cand);
    }
    free(s);
}

static void ration(run_state *s, const sp_measure *m, const sp_run_env *env);

/* The month before the window (when announced) and the window's months:
 * the households of the filter into the mask (with a budget, those the
 * month's ranking admits). */
static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_promotion_def *d = sp_measure_def(m);
    int first = d->announced ? d->start_month - 1 : d->start_month;
    if (env->month < first || env->month > d->end_month)
        return 0;
    run_state *s = state;
    uint8_t *mask = s->mask;
    if (m->filter) {
        if (sp_filter_eval(m->filter, env->pop, env->state, 0, env->pop->n, mask, err) != SP_OK)
            return -1;
    } else {
        memset(mask, 1, env->pop->n);
    }
    if (d->budget > 0 && env->month >= d->start_month)
        ration(s, m, env);
    return 1;
}

/* The month's budget ranking (months with discounts): households of the
 * filter, first come by keys from their own streams, take part while cap x
 * their weight fits what is left; the first that does not fit closes the
 * programme for the month and the rest go without. */
static void ration(run_state *s, const sp_measure *m, const sp_run_env *env)
{
    const sp_promotion_def *d = sp_measure_def(m);
    const sp_population *pop = env->pop;
    const uint32_t pw = (uint32_t)SP_PURPOSE_SUBSIDY | ((uint32_t)SUB_BUDGET << 4) | ((m->id & 0xffffffu) << 8);
    size_t nc = 0;
    for (size_t i = 0; i < pop->n; i++) {
        if (!s->mask[i])
            continue;
        uint32_t w[4];
        sp_rng_words(env->key, (uint32_t)i, (uint32_t)env->month, pw, 0, w);
        s->cand[nc].key = sp_u01(w[0]);
        s->cand[nc].i = (uint32_t)i;
        nc++;
    }
    qsort(s->cand, nc, sizeof *s->cand, by_key);
    double left = d->budget * SP_BUDGET_MARGIN - s->spent;
    int open = 1;
    for (size_t r = 0; r < nc; r++) {
        const double reserve = (double)pop->weight[s->cand[r].i] * d->cap;
        if (open && reserve <= left)
            left -= reserve;
        else {
            open = 0;
            s->mask[s->cand[r].i] = 0;
        }
    }
}

/* With a budget: what was paid this month, summed in household order. */
static void month_end(void *state, const sp_measure *m, sp_run_env *env)
{
    run_state *s = state;
    const sp_promotion_def *d = sp_measure_def(m);
    if (!(d->budget > 0) || env->month < d->start_month || env->month > d->end_month)
        return;
    for (size_t i = 0; i < env->pop->n; i++) {
        s->spent += (double)env->pop->weight[i] * s->gov[i];
        s->gov[i] = 0;
    }
}

static void mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo, size_t n,
                 uint32_t *bits)
{
    sp_measure_bytes_mark(((const run_state *)state)->mask, m, env, lo, n, bits);
}

static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    const sp_promotion_def *d = sp_measure_def(m);
    sp_hstate *st = env->state;
    sp_promotion_outcome o;
    int before_ok = d->start_month - 1 >= env->start_month;
    effect(d, env->params, &((const run_state *)state)->f, env->pop, h->i, env->month, before_ok,
           h->spend, &o);
    unsigned mask = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        h->spend[c] += o.change[c];
        mask |= (unsigned)(d->discount[c] > 0) << c;
    }
    if (o.deferred > 0) {
        st->deferred[h->i] = (float)(st->deferred[h->i] + o.deferred);
        st->deferred_mask[h->i] |= (uint8_t)mask;
    }
    if (o.sales > 0) {
        double gov = o.discount * d->gov_share, mer = o.discount * d->merchant_share;
        if (d->cap > 0 && gov > d->cap) {
            gov = d->cap; /* beyond the cap the sellers fund the discount */
            mer = o.discount - gov;
        }
        if (d->budget > 0)
            ((run_state *)state)->gov[h->i] = gov;
        sp_household_add(h, SP_M_DISCOUNT_SALES, o.sales);
        sp_household_add(h, SP_M_DISCOUNT_GOV, gov);
        sp_household_add(h, SP_M_DISCOUNT_MERCHANT, mer);
        sp_household_add(h, SP_M_GOV_COST, gov);
        sp_household_add(h, SP_M_MERCHANT_COST, mer);
    }
}

static double budget_of(const void *def) { return ((const sp_promotion_def *)def)->budget; }

const sp_measure_ops sp_promotion_measure = {
    .budget = budget_of,
    .month_end = month_end,
    .kind = "promotion",
    .def_size = sizeof(sp_promotion_def),
    .order = 25,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = run_alloc,
    .run_free = run_free,
    .month_start = month_start,
    .mark = mark,
    .household = household,
};

int sp_package_add_promotion(sp_package *p, const char *name, const sp_promotion_def *d, sp_err *err)
{
    return sp_package_add(p, &sp_promotion_measure, name, d, err);
}
