/* cash_transfer.c: the cash transfer measure (cash_transfer.h). */
#include "cash_transfer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "calendar.h"
#include "package.h"

_Static_assert(sizeof(sp_cash_transfer_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

sp_cash_transfer_def sp_cash_transfer_def_default(void)
{
    sp_cash_transfer_def d;
    memset(&d, 0, sizeof d);
    d.amount = 1000;
    d.start_month = sp_month_make(2020, 7);
    d.months = 0;
    return d;
}

int sp_cash_transfer_validate(const sp_cash_transfer_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "cash transfer definition is NULL");
    if (!isfinite(d->budget) || !(d->budget >= 0))
        return sp_err_set(err, SP_EINVAL, "budget must be 0 (none) or a positive amount of yuan, got %g",
                          d->budget);
    if (!isfinite(d->amount) || !(d->amount > 0 || (d->amount == 0 && d->budget > 0)))
        return sp_err_set(err, SP_EINVAL,
                          "amount must be a positive amount of yuan (or 0 with a budget), got %g",
                          d->amount);
    if ((rc = sp_measure_check_month("start_month", d->start_month, err)))
        return rc;
    if (d->months < 0 || d->months > 24)
        return sp_err_set(err, SP_EINVAL, "months must be 1..24 (or 0 = parameter mpc_months), got %d",
                          d->months);
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

double sp_cash_transfer_windfall(const sp_cash_transfer_def *d, const sp_params *p,
                                 const sp_population *pop, size_t i)
{
    return d->amount * sp_population_mpc(pop, p->mpc, i);
}

/* Pays `amount` yuan to household i (sp_cash_transfer_apply). */
static double apply_amount(const sp_cash_transfer_def *d, double amount, const sp_params *p,
                           const sp_population *pop, sp_hstate *st, size_t i)
{
    int months = d->months > 0 ? d->months : (int)lround(p->mpc_months);
    if (months < 1)
        months = 1;
    if (months > 255)
        months = 255;
    st->pending[i] = (float)(st->pending[i] + amount * sp_population_mpc(pop, p->mpc, i));
    if (st->pending_months[i] < months)
        st->pending_months[i] = (uint8_t)months;
    return amount;
}

double sp_cash_transfer_apply(const sp_cash_transfer_def *d, const sp_params *p,
                              const sp_population *pop, sp_hstate *st, size_t i)
{
    return apply_amount(d, d->amount, p, pop, st, i);
}

typedef struct {
    double key;
    uint32_t i;
} ranked;

static int by_key_asc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int sp_cash_transfer_pay(const sp_cash_transfer_def *d, const sp_population *pop,
                         sp_rng_key key, uint32_t id, uint8_t *mask, double *amount, double *cost,
                         sp_err *err)
{
    const size_t n = pop->n;
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w += mask[i] ? (double)pop->weight[i] : 0.0;
    *amount = d->amount;
    *cost = 0;
    if (d->budget > 0 && d->amount == 0) { /* the budget shared out */
        *amount = w > 0 ? d->budget * SP_BUDGET_MARGIN / w : 0.0;
        *cost = w * *amount;
        return SP_OK;
    }
    if (!(d->budget > 0) || w * d->amount <= d->budget * SP_BUDGET_MARGIN) {
        *cost = w * d->amount; /* everyone in the group is paid */
        return SP_OK;
    }
    /* recipients capped: first come (keys from the households' own streams) */
    ranked *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return sp_err_set(err, SP_ENOMEM, "out of memory for cash transfer recipients");
    size_t nc = 0;
    const uint32_t pw = (uint32_t)SP_PURPOSE_TRANSFER | ((id & 0xffffffu) << 8);
    for (size_t i = 0; i < n; i++) {
        if (!mask[i])
            continue;
        uint32_t r[4];
        sp_rng_words(key, (uint32_t)i, (uint32_t)d->start_month, pw, 0, r);
        c[nc].key = sp_u01(r[0]);
        c[nc].i = (uint32_t)i;
        nc++;
        mask[i] = 0;
    }
    qsort(c, nc, sizeof *c, by_key_asc);
    const double budget = d->budget * SP_BUDGET_MARGIN;
    double spent = 0;
    for (size_t k = 0; k < nc; k++) {
        double pay = (double)pop->weight[c[k].i] * d->amount;
        if (spent + pay > budget)
            break; /* the budget is spent: the programme stops here */
        spent += pay;
        mask[c[k].i] = 1;
    }
    free(c);
    *cost = spent;
    return SP_OK;
}

/* ---- the measure: per run, the households paid this month ---- */

static int validate(const void *def, sp_err *err) { return sp_cash_transfer_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_cash_transfer_def *)def)->filter; }

/* Per run: the amount each recipient is paid and the households paid. */
typedef struct transfer_run {
    double amount;
    uint8_t mask[];
} transfer_run;

static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    transfer_run *t = calloc(1, sizeof *t + (env->pop->n ? env->pop->n : 1));
    if (!t)
        return sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
    *state = t;
    return SP_OK;
}

static void run_free(void *state) { free(state); }

static void mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo, size_t n,
                 uint32_t *bits)
{
    sp_measure_bytes_mark(((const transfer_run *)state)->mask, m, env, lo, n, bits);
}

/* In the month of payment: the target group into the mask, then the
 * recipients the budget pays for. */
static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_cash_transfer_def *d = sp_measure_def(m);
    if (d->start_month != env->month)
        return 0;
    transfer_run *t = state;
    if (m->filter) {
        int rc = sp_filter_eval(m->filter, env->pop, env->state, 0, env->pop->n, t->mask, err);
        if (rc != SP_OK)
            return rc;
    } else {
        memset(t->mask, 1, env->pop->n);
    }
    double cost = 0;
    int rc = sp_cash_transfer_pay(d, env->pop, env->key, m->id, t->mask, &t->amount, &cost, err);
    return rc != SP_OK ? rc : 1;
}

static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    const transfer_run *t = state;
    double paid = apply_amount(sp_measure_def(m), t->amount, env->params, env->pop, env->state, h->i);
    sp_household_add(h, SP_M_TRANSFERS, paid);
    sp_household_add(h, SP_M_GOV_COST, paid);
}

static double budget_of(const void *def) { return ((const sp_cash_transfer_def *)def)->budget; }

/* A budget beyond what the group can receive at the given amount (the
 * group as the population starts), or a group without households. */
static int oversupply(const sp_measure *m, const sp_population *pop, char *msg, size_t n, sp_err *err)
{
    const sp_cash_transfer_def *d = sp_measure_def(m);
    if (!(d->budget > 0))
        return 0;
    uint8_t *mask = malloc(pop->n ? pop->n : 1);
    if (!mask)
        return sp_err_set(err, SP_ENOMEM, "out of memory for a transfer's group");
    int rc = SP_OK;
    if (m->filter)
        rc = sp_filter_eval(m->filter, pop, &pop->state, 0, pop->n, mask, err);
    else
        memset(mask, 1, pop->n ? pop->n : 1);
    double w = 0;
    for (size_t i = 0; rc == SP_OK && i < pop->n; i++)
        w += mask[i] ? (double)pop->weight[i] : 0.0;
    free(mask);
    if (rc != SP_OK)
        return rc;
    if (!(w > 0)) {
        snprintf(msg, n, "budget of %.0f yuan, but no household is in the target group", d->budget);
        return 1;
    }
    if (d->amount > 0 && w * d->amount < d->budget * SP_BUDGET_MARGIN) {
        snprintf(msg, n,
                 "budget of %.0f yuan exceeds what the target group can receive (%.0f households "
                 "x %.0f yuan = %.0f yuan): at most %.0f%% of it can be used",
                 d->budget, w, d->amount, w * d->amount, 100.0 * w * d->amount / d->budget);
        return 1;
    }
    return 0;
}

const sp_measure_ops sp_cash_transfer_measure = {
    .kind = "cash_transfer",
    .def_size = sizeof(sp_cash_transfer_def),
    .order = 30,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = run_alloc,
    .run_free = run_free,
    .month_start = month_start,
    .mark = mark,
    .household = household,
    .budget = budget_of,
    .oversupply = oversupply,
};

int sp_package_add_cash_transfer(sp_package *p, const char *name, const sp_cash_transfer_def *d,
                                 sp_err *err)
{
    return sp_package_add(p, &sp_cash_transfer_measure, name, d, err);
}
