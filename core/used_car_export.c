/* used_car_export.c: easier transfer of used cars out of Beijing
 * (used_car_export.h). */
#include "used_car_export.h"

#include <math.h>
#include <string.h>

#include "calendar.h"
#include "package.h"
#include "population.h"

_Static_assert(sizeof(sp_used_car_export_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");
_Static_assert(SP_EMISSION_MAX == 6 && SP_CAR_EMISSION(SP_CAR_KIND_NEV) == 6,
               "NEVs count as China 6 and the standards are 2..6");

sp_used_car_export_def sp_used_car_export_def_default(void)
{
    sp_used_car_export_def d;
    memset(&d, 0, sizeof d);
    d.start_month = sp_month_make(2020, 6);
    d.end_month = sp_month_make(2022, 12);
    d.standards = (1u << 4) | (1u << 5);
    d.min_age = 72;
    d.max_age = 144;
    d.value_gain = 0.10;
    d.transaction_cost = 1000;
    d.export_share = 0.65;
    return d;
}

static const char *const standard_names[] = {"II", "III", "IV", "V", "VI"};

int sp_emission_standard_find(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "6") == 0)
        return 6;
    for (int s = SP_EMISSION_MIN; s <= SP_EMISSION_MAX; s++)
        if (strcmp(name, standard_names[s - SP_EMISSION_MIN]) == 0)
            return s;
    return -1;
}

const char *sp_emission_standard_name(int s)
{
    return s >= SP_EMISSION_MIN && s <= SP_EMISSION_MAX ? standard_names[s - SP_EMISSION_MIN] : "?";
}

int sp_used_car_export_validate(const sp_used_car_export_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "used-car export definition is NULL");
    if ((rc = sp_measure_check_window(d->start_month, d->end_month, err)))
        return rc;
    const unsigned all = ((1u << (SP_EMISSION_MAX + 1)) - 1) & ~((1u << SP_EMISSION_MIN) - 1);
    if (d->standards == 0 || (d->standards & ~all))
        return sp_err_set(err, SP_EINVAL,
                          "standards must name China emission standards II..VI (bits 2..6), got 0x%x",
                          d->standards);
    if (d->min_age < 0 || d->min_age > 1200)
        return sp_err_set(err, SP_EINVAL, "min_age must lie in 0..1200 months, got %d", d->min_age);
    if (d->max_age != 0 && (d->max_age < d->min_age || d->max_age > 1200))
        return sp_err_set(err, SP_EINVAL,
                          "max_age must be 0 (no limit) or lie in min_age %d..1200 months, got %d",
                          d->min_age, d->max_age);
    if ((rc = sp_measure_check_share("value_gain", d->value_gain, err)) ||
        (rc = sp_measure_check_amount("value_gain_amount", d->value_gain_amount, err)) ||
        (rc = sp_measure_check_amount("transaction_cost", d->transaction_cost, err)) ||
        (rc = sp_measure_check_amount("subsidy", d->subsidy, err)) ||
        (rc = sp_measure_check_amount("budget", d->budget, err)))
        return rc;
    if (!isfinite(d->export_share) || d->export_share < 0 || d->export_share > 1)
        return sp_err_set(err, SP_EINVAL, "export_share must lie in 0..1, got %g", d->export_share);
    if (d->value_gain <= 0 && d->value_gain_amount <= 0 && d->transaction_cost <= 0 && d->subsidy <= 0)
        return sp_err_set(err, SP_EINVAL,
                          "value_gain, value_gain_amount, transaction_cost and subsidy are all 0: the "
                          "measure changes nothing");
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

int sp_used_car_export_eligible(const sp_used_car_export_def *d, int age, unsigned kind)
{
    return (d->standards >> SP_CAR_EMISSION(kind) & 1u) && age >= d->min_age &&
           (d->max_age == 0 || age <= d->max_age);
}

double sp_used_car_export_gain(const sp_used_car_export_def *d, double value)
{
    return d->value_gain * (value > 0 ? value : 0) + d->value_gain_amount + d->transaction_cost;
}

static int eligible_fn(const void *def, int age, unsigned kind)
{
    return sp_used_car_export_eligible(def, age, kind);
}

static double gain_fn(const void *def, double value) { return sp_used_car_export_gain(def, value); }

sp_car_resale sp_used_car_export_resale(const sp_used_car_export_def *d, const sp_filter *filter,
                                        uint32_t id)
{
    sp_car_resale r;
    memset(&r, 0, sizeof r);
    r.start_month = d->start_month;
    r.end_month = d->end_month;
    r.filter = filter;
    r.id = id;
    r.def = d;
    r.eligible = eligible_fn;
    r.gain = gain_fn;
    r.subsidy = d->subsidy;
    r.budget = d->budget;
    r.export_share = d->export_share;
    return r;
}

/* ---- the measure: a resale term of the car market, no state of its own ---- */

static int validate(const void *def, sp_err *err) { return sp_used_car_export_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_used_car_export_def *)def)->filter; }

static int admit(const sp_package *p, const void *def, sp_err *err)
{
    (void)def;
    if (sp_package_count(p, &sp_used_car_export_measure) >= 1)
        return sp_err_set(err, SP_EINVAL, "a package holds at most one used-car export measure");
    return SP_OK;
}

static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    (void)state;
    sp_car_policy *cp = env->car_policy;
    if (cp->nresale >= 1)
        return sp_err_set(err, SP_EINVAL, "more than one used-car export measure in a run");
    cp->resale = sp_used_car_export_resale(sp_measure_def(m), m->filter, m->id);
    cp->nresale = 1;
    return SP_OK;
}

/* The budget the measure keeps its subsidy within (budget.h; 0 = unlimited). */
static double budget_of(const void *def) { return ((const sp_used_car_export_def *)def)->budget; }

const sp_measure_ops sp_used_car_export_measure = {
    .budget = budget_of,
    .kind = "used_car_export",
    .def_size = sizeof(sp_used_car_export_def),
    .order = 40,
    .validate = validate,
    .filter = filter_text,
    .admit = admit,
    .run_alloc = run_alloc,
};

int sp_package_add_used_car_export(sp_package *p, const char *name, const sp_used_car_export_def *d,
                                   sp_err *err)
{
    return sp_package_add(p, &sp_used_car_export_measure, name, d, err);
}
