/* cash_transfer.c: the cash transfer measure (cash_transfer.h). */
#include "cash_transfer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    if (!isfinite(d->amount) || !(d->amount > 0))
        return sp_err_set(err, SP_EINVAL, "amount must be a positive amount of yuan, got %g", d->amount);
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
    return d->amount * p->mpc[pop->liquidity[i] & 3];
}

double sp_cash_transfer_apply(const sp_cash_transfer_def *d, const sp_params *p,
                              const sp_population *pop, sp_hstate *st, size_t i)
{
    int months = d->months > 0 ? d->months : (int)lround(p->mpc_months);
    if (months < 1)
        months = 1;
    if (months > 255)
        months = 255;
    st->pending[i] = (float)(st->pending[i] + sp_cash_transfer_windfall(d, p, pop, i));
    if (st->pending_months[i] < months)
        st->pending_months[i] = (uint8_t)months;
    return d->amount;
}

/* ---- the measure: per run, the households paid this month ---- */

static int validate(const void *def, sp_err *err) { return sp_cash_transfer_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_cash_transfer_def *)def)->filter; }

/* In the month of payment: the target group into the mask. */
static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_cash_transfer_def *d = sp_measure_def(m);
    if (d->start_month != env->month)
        return 0;
    uint8_t *mask = state;
    if (m->filter) {
        int rc = sp_filter_eval(m->filter, env->pop, env->state, 0, env->pop->n, mask, err);
        if (rc != SP_OK)
            return rc;
    } else {
        memset(mask, 1, env->pop->n);
    }
    return 1;
}

static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    (void)state;
    double paid = sp_cash_transfer_apply(sp_measure_def(m), env->params, env->pop, env->state, h->i);
    sp_household_add(h, SP_M_TRANSFERS, paid);
    sp_household_add(h, SP_M_GOV_COST, paid);
}

const sp_measure_ops sp_cash_transfer_measure = {
    .kind = "cash_transfer",
    .def_size = sizeof(sp_cash_transfer_def),
    .order = 30,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = sp_measure_bytes_alloc,
    .run_free = sp_measure_bytes_free,
    .month_start = month_start,
    .mark = sp_measure_bytes_mark,
    .household = household,
};

int sp_package_add_cash_transfer(sp_package *p, const char *name, const sp_cash_transfer_def *d,
                                 sp_err *err)
{
    return sp_package_add(p, &sp_cash_transfer_measure, name, d, err);
}
