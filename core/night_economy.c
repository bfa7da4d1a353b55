/* night_economy.c: the night economy (night_economy.h). */
#include "night_economy.h"

#include <math.h>
#include <string.h>

#include "calendar.h"
#include "package.h"

_Static_assert(sizeof(sp_night_economy_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

sp_night_economy_def sp_night_economy_def_default(void)
{
    sp_night_economy_def d;
    memset(&d, 0, sizeof d);
    d.start_month = sp_month_make(2019, 7);
    d.end_month = sp_month_make(2019, 12);
    d.categories = (1u << SP_CAT_FOOD) | (1u << SP_CAT_EDUCATION);
    d.hours = 2.0;
    d.coverage = 1.0;
    return d;
}

int sp_night_economy_validate(const sp_night_economy_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "night-economy definition is NULL");
    if ((rc = sp_measure_check_window(d->start_month, d->end_month, err)))
        return rc;
    if (d->categories == 0 || d->categories >= (1u << SP_NCAT))
        return sp_err_set(err, SP_EINVAL, "categories must name at least one category");
    if (!isfinite(d->hours) || !(d->hours > 0 && d->hours <= 12))
        return sp_err_set(err, SP_EINVAL, "hours must lie in (0, 12] extra hours per evening, got %g",
                          d->hours);
    if (!isfinite(d->coverage) || !(d->coverage > 0 && d->coverage <= 1))
        return sp_err_set(err, SP_EINVAL, "coverage must lie in (0, 1], got %g", d->coverage);
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

double sp_night_share(const sp_params *p, int c)
{
    return (c == SP_CAT_CLOTHING || c == SP_CAT_HOUSEHOLD_GOODS || c == SP_CAT_OTHER)
               ? p->night_share_shopping
               : p->night_share_dining;
}

void sp_night_effect(const sp_night_economy_def *d, const sp_params *p, const double spend[SP_NCAT],
                     sp_night_outcome *out)
{
    memset(out, 0, sizeof *out);
    const double lift = d->hours * p->night_hour_lift, k = p->night_net_share;
    for (int c = 0; c < SP_NCAT; c++) {
        if (!(d->categories >> c & 1u))
            continue;
        double x = d->coverage * fmax(spend[c], 0.0); /* spending at the venues */
        double night0 = sp_night_share(p, c) * x;
        double rise = night0 * lift;
        out->change[c] = k * rise;
        out->night += night0 + rise;
        out->venue += x + k * rise;
        out->shifted += (1.0 - k) * rise;
    }
}

/* ---- the measure: per run, the households reached ---- */

static int validate(const void *def, sp_err *err) { return sp_night_economy_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_night_economy_def *)def)->filter; }

static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const sp_night_economy_def *d = sp_measure_def(m);
    if (env->month < d->start_month || env->month > d->end_month)
        return 0;
    uint8_t *mask = state;
    if (m->filter)
        return sp_filter_eval(m->filter, env->pop, env->state, 0, env->pop->n, mask, err) == SP_OK
                   ? 1
                   : -1;
    memset(mask, 1, env->pop->n);
    return 1;
}

static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    (void)state;
    sp_night_outcome o;
    sp_night_effect(sp_measure_def(m), env->params, h->spend, &o);
    for (int c = 0; c < SP_NCAT; c++)
        h->spend[c] += o.change[c];
    sp_household_add(h, SP_M_NIGHT_SPENDING, o.night);
    sp_household_add(h, SP_M_NIGHT_VENUE_SPENDING, o.venue);
    sp_household_add(h, SP_M_NIGHT_SHIFTED, o.shifted);
}

/* night_net_share: uncertain (prior 0.1-0.3, docs/model.md section 9). */
static const sp_param_dist default_dists[] = {{"night_net_share", SP_DIST_UNIFORM, 0.1, 0.3}};

const sp_measure_ops sp_night_economy_measure = {
    .kind = "night_economy",
    .def_size = sizeof(sp_night_economy_def),
    .order = 26,
    .dists = default_dists,
    .ndists = 1,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = sp_measure_bytes_alloc,
    .run_free = sp_measure_bytes_free,
    .month_start = month_start,
    .mark = sp_measure_bytes_mark,
    .household = household,
};

int sp_package_add_night_economy(sp_package *p, const char *name, const sp_night_economy_def *d,
                                 sp_err *err)
{
    return sp_package_add(p, &sp_night_economy_measure, name, d, err);
}
