/* appliance_tradein.c: the appliance trade-in subsidy (appliance_tradein.h). */
#include "appliance_tradein.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "calendar.h"
#include "package.h"

_Static_assert(sizeof(sp_appliance_tradein_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");
_Static_assert(SP_DUR_NTYPE <= 8, "the types a household used fit one byte");

/* Streams of a trade-in with stream id `id` (household i, month):
 * sub 8: the stock as first drawn (durables.c: draws 0..SP_DUR_NTYPE);
 * sub 9: draws 0..2: the slots' replacement uniforms (slot s: draw s / 4,
 *        word s % 4), the renovation uniform (draw 2, word 2);
 * sub 10: draw s: the price (w0) of the item bought in slot s;
 * sub 11: draw 0, w0: the household's first-come key in the budget ranking;
 * stream (i, start_month, sub 13), draw 0, w0: the household's hassle cost of
 * claiming, -appliance_claim_cost x ln(u), the same over the programme. */
enum { SUB_STOCK = 8, SUB_HAZARD = 9, SUB_PRICE = 10, SUB_KEY = 11, SUB_CLAIM = 13 };

static uint32_t purpose_word(uint32_t id, uint32_t sub)
{
    return (uint32_t)SP_PURPOSE_SUBSIDY | (sub << 4) | ((id & 0xffffffu) << 8);
}

sp_appliance_tradein_def sp_appliance_tradein_def_default(void)
{
    sp_appliance_tradein_def d;
    memset(&d, 0, sizeof d);
    d.rate[SP_GRADE_1] = 0.20;
    d.rate[SP_GRADE_2] = 0.15;
    d.rate[SP_GRADE_OTHER] = 0;
    for (int t = 0; t < SP_DUR_NTYPE; t++)
        d.cap[t] = 2000;
    d.types = ((1u << SP_DUR_NTYPE) - 1u) & ~(1u << SP_DUR_FURNITURE);
    d.start_month = sp_month_make(2024, 8);
    d.end_month = sp_month_make(2024, 12);
    return d;
}

int sp_appliance_tradein_validate(const sp_appliance_tradein_def *d, sp_err *err)
{
    static const char *const names[SP_NGRADE] = {"rate_grade1", "rate_grade2", "rate_other"};
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "appliance trade-in definition is NULL");
    for (int g = 0; g < SP_NGRADE; g++)
        if (!isfinite(d->rate[g]) || d->rate[g] < 0 || d->rate[g] > 1)
            return sp_err_set(err, SP_EINVAL, "%s must lie in 0..1 (share of the price), got %g",
                              names[g], d->rate[g]);
    if (!(sp_appliance_tradein_rate(d) > 0))
        return sp_err_set(err, SP_EINVAL, "at least one grade needs a subsidy rate above 0");
    for (int t = 0; t < SP_DUR_NTYPE; t++)
        if (!isfinite(d->cap[t]) || d->cap[t] < 0)
            return sp_err_set(err, SP_EINVAL, "cap of %s must be 0 (none) or a positive amount of yuan, got %g",
                              sp_durable_name(t), d->cap[t]);
    if ((rc = sp_measure_check_amount("budget", d->budget, err)))
        return rc;
    if (d->types == 0 || d->types >= (1u << SP_DUR_NTYPE))
        return sp_err_set(err, SP_EINVAL, "types must name at least one appliance type");
    if ((rc = sp_measure_check_window(d->start_month, d->end_month, err)))
        return rc;
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

double sp_appliance_tradein_rate(const sp_appliance_tradein_def *d)
{
    double r = 0;
    for (int g = 0; g < SP_NGRADE; g++)
        r = d->rate[g] > r ? d->rate[g] : r;
    return r;
}

double sp_appliance_tradein_subsidy(const sp_appliance_tradein_def *d, int type, double price)
{
    double s = sp_appliance_tradein_rate(d) * price;
    return d->cap[type] > 0 && s > d->cap[type] ? d->cap[type] : s;
}

double sp_appliance_tradein_upgrade(const sp_appliance_tradein_def *d, int type, double p, double e)
{
    const double r = sp_appliance_tradein_rate(d);
    if (!(r > 0) || r >= 1 || !(e > 0))
        return p;
    double up = p * pow(1.0 - r, -e);
    if (d->cap[type] > 0 && up > d->cap[type] / r)
        up = d->cap[type] / r;
    return up > p ? up : p;
}

/* ---- per run ---- */

typedef struct {
    double key;
    uint32_t i;
} ranked;

typedef struct tradein_run {
    sp_durables_model *model;
    sp_dur_house *house[2]; /* [0] with the measure, [1] without */
    uint8_t *used;          /* types subsidised so far (bit t) */
    uint8_t *diverged;      /* 1 while the two stocks differ */
    uint8_t *mask;          /* eligible households this month */
    uint8_t *act;           /* 1: the household step has something to add this month */
    float *dspend, *subsidy, *sales, *windfall; /* this month's outcomes, yuan */
    int8_t *extra;          /* items bought with minus without */
    uint8_t *units, *first;
    ranked *cand;
    double spent;           /* budget paid so far, yuan */
    int drawn, closed;
} tradein_run;

/* One household-month of both stocks. */
typedef struct outcome {
    sp_dur_house h[2];
    uint8_t used;
    double dspend, subsidy, sales, windfall;
    int extra, units;
} outcome;

static void run_free(void *state)
{
    tradein_run *t = state;
    if (!t)
        return;
    free(t->model);
    free(t->house[0]);
    free(t->house[1]);
    free(t->used);
    free(t->diverged);
    free(t->mask);
    free(t->act);
    free(t->dspend);
    free(t->subsidy);
    free(t->sales);
    free(t->windfall);
    free(t->extra);
    free(t->units);
    free(t->first);
    free(t->cand);
    free(t);
}

static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const size_t n = env->pop->n ? env->pop->n : 1;
    tradein_run *t = calloc(1, sizeof *t);
    *state = t;
    if (!t)
        return sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
    t->model = malloc(sizeof *t->model);
    t->house[0] = malloc(n * sizeof(sp_dur_house));
    t->house[1] = malloc(n * sizeof(sp_dur_house));
    t->used = calloc(n, 1);
    t->diverged = calloc(n, 1);
    t->mask = calloc(n, 1);
    t->act = calloc(n, 1);
    t->dspend = calloc(n, sizeof(float));
    t->subsidy = calloc(n, sizeof(float));
    t->sales = calloc(n, sizeof(float));
    t->windfall = calloc(n, sizeof(float));
    t->extra = calloc(n, 1);
    t->units = calloc(n, 1);
    t->first = calloc(n, 1);
    t->cand = malloc(n * sizeof(ranked));
    if (!t->model || !t->house[0] || !t->house[1] || !t->used || !t->diverged || !t->mask ||
        !t->act || !t->dspend || !t->subsidy || !t->sales || !t->windfall || !t->extra ||
        !t->units || !t->first || !t->cand)
        return sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
    return sp_durables_model_init(t->model, env->params, err);
}

/* The with-scenario purchase of slot s at price p (the household's hassle
 * cost of claiming: `hassle` yuan): the
 * subsidy when the household claims it, the price paid, the freed income. */
static void buy_with(const sp_appliance_tradein_def *d, const sp_params *prm, int type, int offer,
                     int induced, int anyway, double p, double hassle, outcome *o)
{
    double pay = p;
    if (offer && ((d->types >> type) & 1u) && !((o->used >> type) & 1u)) {
        double s0 = sp_appliance_tradein_subsidy(d, type, p);
        if (induced || s0 > hassle) {
            pay = sp_appliance_tradein_upgrade(d, type, p, prm->appliance_upgrade_elasticity);
            double s = sp_appliance_tradein_subsidy(d, type, pay);
            o->subsidy += s;
            o->sales += pay;
            o->units++;
            o->used |= (uint8_t)(1u << type);
            if (anyway && s > pay - p)
                o->windfall += s - (pay - p);
        }
    }
    o->dspend += pay;
    o->extra++;
}

/* Household i's month with (o->h[0]) and without (o->h[1]) the measure,
 * from the same draws; offer: the subsidy is open to it this month. */
static void step(const tradein_run *t, const sp_appliance_tradein_def *d, const sp_measure *m,
                 const sp_run_env *env, size_t i, int offer, outcome *o)
{
    const sp_population *pop = env->pop;
    const int q = pop->quintile[i];
    memset(o, 0, sizeof *o);
    o->h[0] = t->house[0][i];
    o->h[1] = t->house[1][i];
    o->used = t->used[i];
    uint32_t w[3][4];
    for (uint32_t k = 0; k < 3; k++)
        sp_rng_words(env->key, (uint32_t)i, (uint32_t)env->month, purpose_word(m->id, SUB_HAZARD), k, w[k]);
    const int mover = sp_durables_mover(pop, i);
    int reno[2];
    for (int k = 0; k < 2; k++)
        reno[k] = sp_u01(w[2][2]) < sp_durables_reno_hazard(t->model, mover, o->h[k].reno);
    const double rate = sp_appliance_tradein_rate(d);
    double hassle = INFINITY; /* drawn only when the subsidy is open to the household */
    if (offer) {
        uint32_t wc[4];
        sp_rng_words(env->key, (uint32_t)i, (uint32_t)d->start_month, purpose_word(m->id, SUB_CLAIM), 0, wc);
        hassle = -env->params->appliance_claim_cost * log(sp_u01(wc[0]));
    }
    for (int s = 0; s < SP_DUR_SLOTS; s++) {
        const int type = sp_durable_slot_type(s);
        const double u = sp_u01(w[s / 4][s % 4]);
        const int open = offer && ((d->types >> type) & 1u) && !((o->used >> type) & 1u);
        double sh = 0;
        if (open) {
            /* only a household that would claim the subsidy on an item of
             * the type's mean price moves its timing for it */
            const double cap = d->cap[type], mp = t->model->mean_price[type];
            const double share = cap > 0 && cap / mp < rate ? cap / mp : rate;
            if (share * mp > hassle)
                sh = env->params->appliance_subsidy_beta * share;
        }
        int ind0, ind1;
        const int b0 = sp_durables_bought(t->model, &o->h[0], s, q, u, reno[0], sh, &ind0);
        const int b1 = sp_durables_bought(t->model, &o->h[1], s, q, u, reno[1], 0, &ind1);
        if (!b0 && !b1) {
            sp_durables_age(&o->h[0], s);
            sp_durables_age(&o->h[1], s);
            continue;
        }
        uint32_t pw[4];
        sp_rng_words(env->key, (uint32_t)i, (uint32_t)env->month, purpose_word(m->id, SUB_PRICE), (uint32_t)s, pw);
        const double p = sp_durables_price(t->model, type, sp_u01(pw[0]));
        if (b1) {
            o->dspend -= p;
            o->extra--;
            o->h[1].age[s] = 0;
        } else {
            sp_durables_age(&o->h[1], s);
        }
        if (b0) {
            buy_with(d, env->params, type, offer, ind0, b1, p, hassle, o);
            o->h[0].age[s] = 0;
        } else {
            sp_durables_age(&o->h[0], s);
        }
    }
    for (int k = 0; k < 2; k++)
        o->h[k].reno = reno[k] ? 0 : (uint16_t)(o->h[k].reno < SP_DUR_RENO_MAX ? o->h[k].reno + 1 : SP_DUR_RENO_MAX);
}

static void commit(tradein_run *t, size_t i, const outcome *o, double mpc)
{
    t->first[i] = o->units > 0 && t->used[i] == 0;
    t->house[0][i] = o->h[0];
    t->house[1][i] = o->h[1];
    t->used[i] = o->used;
    t->diverged[i] = memcmp(o->h[0].age, o->h[1].age, sizeof o->h[0].age) != 0 || o->h[0].reno != o->h[1].reno;
    t->dspend[i] = (float)o->dspend;
    t->subsidy[i] = (float)o->subsidy;
    t->sales[i] = (float)o->sales;
    t->windfall[i] = (float)(o->windfall * mpc);
    t->extra[i] = (int8_t)o->extra;
    t->units[i] = (uint8_t)o->units;
    t->act[i] = o->dspend != 0 || o->units > 0 || o->extra != 0;
}

static int by_key(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The month's budget ranking: households whose tentative outcome claims a
 * subsidy, by first-come key; paid down the ranking until the next would
 * overspend, then the programme closes. funded[i] = 1 for those paid. */
static void ration(tradein_run *t, const sp_appliance_tradein_def *d, const sp_measure *m,
                   const sp_run_env *env, uint8_t *funded)
{
    const sp_population *pop = env->pop;
    size_t nc = 0;
    for (size_t i = 0; i < pop->n; i++) {
        funded[i] = 0;
        if (!t->mask[i])
            continue;
        outcome o;
        step(t, d, m, env, i, 1, &o);
        if (o.subsidy > 0) {
            uint32_t w[4];
            sp_rng_words(env->key, (uint32_t)i, (uint32_t)env->month, purpose_word(m->id, SUB_KEY), 0, w);
            t->cand[nc].key = sp_u01(w[0]);
            t->cand[nc].i = (uint32_t)i;
            t->subsidy[i] = (float)o.subsidy;
            nc++;
        }
    }
    qsort(t->cand, nc, sizeof *t->cand, by_key);
    for (size_t r = 0; r < nc; r++) {
        const size_t i = t->cand[r].i;
        const double cost = (double)t->subsidy[i] * pop->weight[i];
        if (t->spent + cost > d->budget * SP_BUDGET_MARGIN) { /* budget.h: within it once summed */
            t->closed = 1;
            break;
        }
        t->spent += cost;
        funded[i] = 1;
    }
}

static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    tradein_run *t = state;
    const sp_appliance_tradein_def *d = sp_measure_def(m);
    const sp_population *pop = env->pop;
    const int window = env->month >= d->start_month && env->month <= d->end_month && !t->closed;
    if (!t->drawn) {
        if (env->month < d->start_month)
            return 0;
        for (size_t i = 0; i < pop->n; i++) {
            sp_durables_draw(t->model, pop, env->key, i, env->month, purpose_word(m->id, SUB_STOCK), &t->house[0][i]);
            t->house[1][i] = t->house[0][i];
        }
        t->drawn = 1;
    }
    memset(t->act, 0, pop->n);
    if (window) {
        int rc = m->filter ? sp_filter_eval(m->filter, pop, env->state, 0, pop->n, t->mask, err) : SP_OK;
        if (rc != SP_OK)
            return rc;
        if (!m->filter)
            memset(t->mask, 1, pop->n);
        if (d->budget > 0)
            ration(t, d, m, env, t->act); /* act holds the funded households for now */
    }
    int any = 0;
    for (size_t i = 0; i < pop->n; i++) {
        if (!window && !t->diverged[i])
            continue; /* both stocks equal, no offer: nothing differs, now or later */
        const int offer = window && t->mask[i] && (d->budget <= 0 || t->act[i]);
        outcome o;
        step(t, d, m, env, i, offer, &o);
        commit(t, i, &o, sp_population_mpc(pop, env->params->mpc, i));
        any |= t->act[i];
    }
    return any;
}

static void mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo, size_t n,
                 uint32_t *bits)
{
    sp_measure_bytes_mark(((const tradein_run *)state)->act, m, env, lo, n, bits);
}

static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    (void)m;
    const tradein_run *t = state;
    const size_t i = h->i;
    h->spend[SP_CAT_HOUSEHOLD_GOODS] += t->dspend[i];
    sp_household_add(h, SP_M_DURABLES_EXTRA, t->extra[i]);
    if (t->units[i] > 0) {
        sp_household_add(h, SP_M_APPLIANCE_UNITS, t->units[i]);
        sp_household_add(h, SP_M_APPLIANCE_SALES, t->sales[i]);
        sp_household_add(h, SP_M_APPLIANCE_SUBSIDY, t->subsidy[i]);
        sp_household_add(h, SP_M_APPLIANCE_BUYERS, t->first[i]);
        sp_household_add(h, SP_M_GOV_COST, t->subsidy[i]);
    }
    if (t->windfall[i] > 0) {
        sp_hstate *st = env->state;
        int months = (int)lround(env->params->mpc_months);
        st->pending[i] = (float)(st->pending[i] + t->windfall[i]);
        if (st->pending_months[i] < months)
            st->pending_months[i] = (uint8_t)(months < 1 ? 1 : months > 255 ? 255 : months);
    }
}

static int validate(const void *def, sp_err *err) { return sp_appliance_tradein_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_appliance_tradein_def *)def)->filter; }

/* The budget the programme stops at (budget.h; 0 = unlimited). */
static double budget_of(const void *def) { return ((const sp_appliance_tradein_def *)def)->budget; }

const sp_measure_ops sp_appliance_tradein_measure = {
    .budget = budget_of,
    .kind = "appliance_tradein",
    .def_size = sizeof(sp_appliance_tradein_def),
    .order = 50,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = run_alloc,
    .run_free = run_free,
    .month_start = month_start,
    .mark = mark,
    .household = household,
};

int sp_package_add_appliance_tradein(sp_package *p, const char *name,
                                     const sp_appliance_tradein_def *d, sp_err *err)
{
    return sp_package_add(p, &sp_appliance_tradein_measure, name, d, err);
}
