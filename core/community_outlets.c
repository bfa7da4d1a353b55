/* community_outlets.c: neighbourhood convenience outlets (community_outlets.h). */
#include "community_outlets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "package.h"

_Static_assert(sizeof(sp_community_outlets_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

sp_community_outlets_def sp_community_outlets_def_default(void)
{
    sp_community_outlets_def d;
    memset(&d, 0, sizeof d);
    d.start_month = sp_month_make(2020, 6);
    d.end_month = sp_month_make(2022, 12);
    d.categories = (1u << SP_CAT_FOOD) | (1u << SP_CAT_HOUSEHOLD_GOODS);
    d.coverage = 0.10;
    d.outlets = 600;
    d.capture = 0.05;
    d.diversion = -1;
    return d;
}

int sp_community_outlets_validate(const sp_community_outlets_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "community-outlets definition is NULL");
    if ((rc = sp_measure_check_window(d->start_month, d->end_month, err)))
        return rc;
    if (d->categories == 0 || d->categories >= (1u << SP_NCAT))
        return sp_err_set(err, SP_EINVAL, "categories must name at least one category");
    if (!isfinite(d->coverage) || !(d->coverage > 0 && d->coverage <= 1))
        return sp_err_set(err, SP_EINVAL, "coverage must lie in (0, 1] (share of households served), got %g",
                          d->coverage);
    if (!isfinite(d->outlets) || !(d->outlets > 0) || d->outlets > 1e7)
        return sp_err_set(err, SP_EINVAL, "outlets must be a positive number of outlets (at most 1e7), got %g",
                          d->outlets);
    if (!isfinite(d->capture) || !(d->capture > 0 && d->capture <= 1))
        return sp_err_set(err, SP_EINVAL,
                          "capture must lie in (0, 1] (share of covered spending made at the outlets), got %g",
                          d->capture);
    if (!isfinite(d->diversion) || !(d->diversion == -1 || (d->diversion >= 0 && d->diversion <= 1)))
        return sp_err_set(err, SP_EINVAL,
                          "diversion must lie in 0..1 (or -1 for the parameter outlet_diversion), got %g",
                          d->diversion);
    if ((rc = sp_measure_check_amount("subsidy", d->subsidy, err)) ||
        (rc = sp_measure_check_amount("budget", d->budget, err)))
        return rc;
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

double sp_community_outlets_paid(const sp_community_outlets_def *d, double *yuan)
{
    double n = 0;
    if (d->subsidy > 0) {
        n = d->outlets;
        if (d->budget > 0 && n * d->subsidy > d->budget)
            n = floor(d->budget / d->subsidy);
    }
    if (yuan)
        *yuan = n * d->subsidy;
    return n;
}

void sp_outlet_effect(const sp_community_outlets_def *d, double diversion, const double spend[SP_NCAT],
                      sp_outlet_outcome *out)
{
    memset(out, 0, sizeof *out);
    double x = 0;
    for (int c = 0; c < SP_NCAT; c++)
        if (d->categories >> c & 1u)
            x += fmax(spend[c], 0.0);
    if (!(x > 0))
        return;
    const double net_share = (1.0 - diversion) * d->capture; /* new spending per yuan covered */
    out->sales = d->capture * x;
    for (int c = 0; c < SP_NCAT; c++)
        if (d->categories >> c & 1u) {
            out->change[c] = net_share * fmax(spend[c], 0.0);
            out->net_new += out->change[c];
        }
    out->diverted = out->sales - out->net_new;
}

/* ---- the measure: per run, the households served ---- */

typedef struct outlets_run {
    uint8_t *drawn;   /* 1: within the coverage draw (fixed for the run) */
    uint8_t *served;  /* this month: drawn and passing the filter */
    double outlets;   /* per unit of served weight this month */
    double subsidy;   /* per unit of served weight, in the opening month */
    double diversion; /* the share in force for the run */
} outlets_run;

static int validate(const void *def, sp_err *err) { return sp_community_outlets_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_community_outlets_def *)def)->filter; }

/* The coverage draw of household i: stream (i, start_month, SP_PURPOSE_SUBSIDY
 * | 0xC << 4 | id << 8), draw 0, w0. */
static uint32_t purpose_word(uint32_t id) { return (uint32_t)SP_PURPOSE_SUBSIDY | (0xCu << 4) | ((id & 0xffffffu) << 8); }

static void run_free(void *state)
{
    outlets_run *t = state;
    if (!t)
        return;
    free(t->drawn);
    free(t->served);
    free(t);
}

static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_community_outlets_def *d = sp_measure_def(m);
    const size_t n = env->pop->n, k = n ? n : 1;
    outlets_run *t = calloc(1, sizeof *t);
    *state = t;
    if (!t || !(t->drawn = calloc(k, 1)) || !(t->served = calloc(k, 1)))
        return sp_err_set(err, SP_ENOMEM, "out of memory for the outlets of %zu households", n);
    for (size_t i = 0; i < n; i++) {
        uint32_t w[4];
        sp_rng_words(env->key, (uint32_t)i, (uint32_t)d->start_month, purpose_word(m->id), 0, w);
        t->drawn[i] = sp_u01(w[0]) < d->coverage;
    }
    t->diversion = d->diversion >= 0 ? d->diversion : env->params->outlet_diversion;
    return SP_OK;
}

static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_community_outlets_def *d = sp_measure_def(m);
    outlets_run *t = state;
    if (env->month < d->start_month || env->month > d->end_month)
        return 0;
    const size_t n = env->pop->n;
    if (m->filter) {
        if (sp_filter_eval(m->filter, env->pop, env->state, 0, n, t->served, err) != SP_OK)
            return -1;
    } else {
        memset(t->served, 1, n ? n : 1);
    }
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        t->served[i] = t->served[i] && t->drawn[i];
        if (t->served[i])
            w += env->pop->weight[i];
    }
    double yuan = 0;
    sp_community_outlets_paid(d, &yuan);
    t->outlets = w > 0 ? d->outlets / w : 0;
    t->subsidy = w > 0 && env->month == d->start_month ? yuan / w : 0;
    return 1;
}

static void mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo, size_t n,
                 uint32_t *bits)
{
    sp_measure_bytes_mark(((const outlets_run *)state)->served, m, env, lo, n, bits);
}

static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    (void)env;
    const outlets_run *t = state;
    sp_outlet_outcome o;
    sp_outlet_effect(sp_measure_def(m), t->diversion, h->spend, &o);
    for (int c = 0; c < SP_NCAT; c++)
        h->spend[c] += o.change[c];
    sp_household_add(h, SP_M_OUTLET_SALES, o.sales);
    sp_household_add(h, SP_M_OUTLET_DIVERTED, o.diverted);
    sp_household_add(h, SP_M_OUTLET_NET_NEW, o.net_new);
    sp_household_add(h, SP_M_OUTLETS, t->outlets);
    if (t->subsidy > 0) {
        sp_household_add(h, SP_M_OUTLET_SUBSIDY, t->subsidy);
        sp_household_add(h, SP_M_GOV_COST, t->subsidy);
    }
}

/* outlet_diversion: uncertain (N24 band 0.75-1.00; docs/model.md section 13). */
static const sp_param_dist default_dists[] = {{"outlet_diversion", SP_DIST_UNIFORM, 0.8, 1.0}};

/* The budget the measure keeps its subsidy within (budget.h; 0 = unlimited). */
static double budget_of(const void *def) { return ((const sp_community_outlets_def *)def)->budget; }

const sp_measure_ops sp_community_outlets_measure = {
    .budget = budget_of,
    .kind = "community_outlets",
    .def_size = sizeof(sp_community_outlets_def),
    .order = 27,
    .dists = default_dists,
    .ndists = 1,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = run_alloc,
    .run_free = run_free,
    .month_start = month_start,
    .mark = mark,
    .household = household,
};

int sp_package_add_community_outlets(sp_package *p, const char *name, const sp_community_outlets_def *d,
                                     sp_err *err)
{
    return sp_package_add(p, &sp_community_outlets_measure, name, d, err);
}
