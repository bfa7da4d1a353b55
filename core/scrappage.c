/* scrappage.c: the scrappage / trade-in subsidy measure (scrappage.h). */
#include "scrappage.h"

#include <math.h>
#include <string.h>

#include "calendar.h"
#include "package.h"

_Static_assert(sizeof(sp_scrappage_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

sp_scrappage_def sp_scrappage_def_default(void)
{
    sp_scrappage_def d;
    memset(&d, 0, sizeof d);
    d.amount_nev = 10000;
    d.amount_ice = 7000;
    d.start_month = sp_month_make(2020, 7);
    d.end_month = sp_month_make(2020, 12);
    strcpy(d.filter, "emission <= 3");
    return d;
}

int sp_scrappage_validate(const sp_scrappage_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "scrappage definition is NULL");
    if ((rc = sp_cars_check_payment(d->amount_nev, d->amount_ice, d->share_nev, d->share_ice, d->cap,
                                    err)) ||
        (rc = sp_measure_check_amount("floor", d->floor, err)))
        return rc;
    if (d->cap > 0 && d->floor > d->cap)
        return sp_err_set(err, SP_EINVAL, "floor %g is above cap %g", d->floor, d->cap);
    if ((rc = sp_measure_check_window(d->start_month, d->end_month, err)) ||
        (rc = sp_car_restrict_validate(&d->only, err)))
        return rc;
    if (!isfinite(d->budget) || d->budget < 0)
        return sp_err_set(err, SP_EINVAL, "budget must be 0 (unlimited) or a positive amount of yuan, got %g",
                          d->budget);
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

double sp_scrappage_amount(const sp_scrappage_def *d, int nev, double price)
{
    return nev ? sp_cars_share_subsidy(d->share_nev, d->amount_nev, d->floor, d->cap, price)
               : sp_cars_share_subsidy(d->share_ice, d->amount_ice, d->floor, d->cap, price);
}

double sp_scrappage_pays(const sp_scrappage_def *d, int vclass, double price)
{
    if (!sp_car_restrict_allows(&d->only, vclass, price))
        return 0;
    return sp_scrappage_amount(d, sp_vehicle_class_get(vclass)->nev, price);
}

static double amount(const void *def, int vclass, double price)
{
    return sp_scrappage_pays(def, vclass, price);
}

sp_car_programme sp_scrappage_programme(const sp_scrappage_def *d, const sp_filter *filter,
                                        uint32_t id)
{
    sp_car_programme g = {.trade_in = 1,
                          .start_month = d->start_month,
                          .end_month = d->end_month,
                          .budget = d->budget,
                          .filter = filter,
                          .id = id,
                          .def = d,
                          .amount = amount};
    return g;
}

/* ---- the measure ---- */

static int validate(const void *def, sp_err *err) { return sp_scrappage_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_scrappage_def *)def)->filter; }

static int admit(const sp_package *p, const void *def, sp_err *err)
{
    (void)def;
    if (sp_package_count(p, &sp_scrappage_measure) >= SP_CARS_MAX_PROGRAMMES)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d scrappage programmes",
                          SP_CARS_MAX_PROGRAMMES);
    return SP_OK;
}

/* Registers the programme with the run's car market; no state of its own. */
static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    (void)state;
    sp_car_policy *cp = env->car_policy;
    if (cp->ntrade_in >= SP_CARS_MAX_PROGRAMMES)
        return sp_err_set(err, SP_EINVAL, "more than %d trade-in programmes in a run",
                          SP_CARS_MAX_PROGRAMMES);
    cp->trade_in[cp->ntrade_in++] = sp_scrappage_programme(sp_measure_def(m), m->filter, m->id);
    return SP_OK;
}

/* The budget the programme stops at (budget.h; 0 = unlimited). */
static double budget_of(const void *def) { return ((const sp_scrappage_def *)def)->budget; }
/* The design quantities of design_range.h: the amount per vehicle or the
 * share of the price, for each fuel of the new car. */
static int design(const void *def, sp_design_value *out, int max)
{
    const sp_scrappage_def *d = def;
    int n = 0;
    double share[2] = {d->share_nev, d->share_ice}, amount[2] = {d->amount_nev, d->amount_ice};
    for (int f = 0; f < 2 && n < max; f++) {
        if (share[f] > 0)
            out[n++] = (sp_design_value){"share", share[f]};
        else if (amount[f] > 0)
            out[n++] = (sp_design_value){"amount", amount[f]};
    }
    return n;
}

const sp_measure_ops sp_scrappage_measure = {
    .budget = budget_of,
    .kind = "scrappage",
    .def_size = sizeof(sp_scrappage_def),
    .order = 40,
    .design = design,
    .validate = validate,
    .filter = filter_text,
    .admit = admit,
    .run_alloc = run_alloc,
};

int sp_package_add_scrappage(sp_package *p, const char *name, const sp_scrappage_def *d, sp_err *err)
{
    return sp_package_add(p, &sp_scrappage_measure, name, d, err);
}
