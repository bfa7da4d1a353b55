/* purchase_subsidy.c: the purchase subsidy measure (purchase_subsidy.h). */
#include "purchase_subsidy.h"

#include <math.h>
#include <string.h>

#include "calendar.h"
#include "package.h"

_Static_assert(sizeof(sp_purchase_subsidy_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

sp_purchase_subsidy_def sp_purchase_subsidy_def_default(void)
{
    sp_purchase_subsidy_def d;
    memset(&d, 0, sizeof d);
    d.amount_nev = 10000;
    d.start_month = sp_month_make(2020, 7);
    d.end_month = sp_month_make(2020, 12);
    return d;
}

int sp_purchase_subsidy_validate(const sp_purchase_subsidy_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "purchase subsidy definition is NULL");
    if ((rc = sp_cars_check_payment(d->amount_nev, d->amount_ice, d->share_nev, d->share_ice, d->cap,
                                    err)) ||
        (rc = sp_car_restrict_validate(&d->only, err)))
        return rc;
    if (!isfinite(d->budget) || d->budget < 0)
        return sp_err_set(err, SP_EINVAL, "budget must be 0 (unlimited) or a positive amount of yuan, got %g",
                          d->budget);
    return sp_measure_check_window(d->start_month, d->end_month, err);
}

double sp_purchase_subsidy_amount(const sp_purchase_subsidy_def *d, int nev, double price)
{
    return nev ? sp_cars_share_subsidy(d->share_nev, d->amount_nev, 0, d->cap, price)
               : sp_cars_share_subsidy(d->share_ice, d->amount_ice, 0, d->cap, price);
}

double sp_purchase_subsidy_pays(const sp_purchase_subsidy_def *d, int vclass, double price)
{
    if (!sp_car_restrict_allows(&d->only, vclass, price))
        return 0;
    return sp_purchase_subsidy_amount(d, sp_vehicle_class_get(vclass)->nev, price);
}

static double amount(const void *def, int vclass, double price)
{
    return sp_purchase_subsidy_pays(def, vclass, price);
}

sp_car_programme sp_purchase_subsidy_programme(const sp_purchase_subsidy_def *d, uint32_t id)
{
    sp_car_programme g = {.trade_in = 0,
                          .start_month = d->start_month,
                          .end_month = d->end_month,
                          .budget = d->budget,
                          .id = id,
                          .def = d,
                          .amount = amount};
    return g;
}

/* ---- the measure ---- */

static int validate(const void *def, sp_err *err) { return sp_purchase_subsidy_validate(def, err); }

static int admit(const sp_package *p, const void *def, sp_err *err)
{
    (void)def;
    if (sp_package_count(p, &sp_purchase_subsidy_measure) >= SP_CARS_MAX_PROGRAMMES)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d purchase subsidies",
                          SP_CARS_MAX_PROGRAMMES);
    return SP_OK;
}

/* Registers the programme with the run's car market; no state of its own. */
static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    (void)state;
    sp_car_policy *cp = env->car_policy;
    if (cp->nopen >= SP_CARS_MAX_PROGRAMMES)
        return sp_err_set(err, SP_EINVAL, "more than %d open car programmes in a run",
                          SP_CARS_MAX_PROGRAMMES);
    cp->open[cp->nopen++] = sp_purchase_subsidy_programme(sp_measure_def(m), m->id);
    return SP_OK;
}

/* The budget the programme stops at (budget.h; 0 = unlimited). */
static double budget_of(const void *def) { return ((const sp_purchase_subsidy_def *)def)->budget; }

const sp_measure_ops sp_purchase_subsidy_measure = {
    .budget = budget_of,
    .kind = "purchase_subsidy",
    .def_size = sizeof(sp_purchase_subsidy_def),
    .order = 40,
    .validate = validate,
    .admit = admit,
    .run_alloc = run_alloc,
};

int sp_package_add_purchase_subsidy(sp_package *p, const char *name,
                                    const sp_purchase_subsidy_def *d, sp_err *err)
{
    return sp_package_add(p, &sp_purchase_subsidy_measure, name, d, err);
}
