/* results.c: the results cube. */
#include "results.h"

#include <stdlib.h>
#include <string.h>

#include "plates.h"
#include "vehicles.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const metric_names[] = {
    "food", "clothing", "housing", "household_goods", "transport", "education", "health", "other",
    "spending", "households", "persons", "cars", "vouchers_claimed", "vouchers_redeemed",
    "vouchers_expired", "coupon_value", "government_cost", "merchant_cost", "car_purchases",
    "car_value", "nev_purchases", "replacements", "first_cars", "cars_scrapped",
    "scrappage_subsidy", "subsidised_cars", "purchase_subsidy", "cash_transfers", "discount_sales",
    "discount_government", "discount_merchant", "night_spending", "night_venue_spending",
    "night_shifted",
    "appliance_units", "appliance_sales", "appliance_subsidy", "appliance_buyers", "durables_extra",
    "loans", "loan_value", "repayments", "interest_subsidy", "credit_balance", "borrowers",
    "car_purchases_economy_ice", "car_purchases_mid_ice", "car_purchases_premium_ice",
    "car_purchases_economy_nev", "car_purchases_mid_nev", "car_purchases_premium_nev",
    "car_value_economy_ice", "car_value_mid_ice", "car_value_premium_ice",
    "car_value_economy_nev", "car_value_mid_nev", "car_value_premium_nev",
    "subsidised_purchases", "subsidised_value"};
_Static_assert(COUNT(metric_names) == SP_NMETRIC, "one name per metric");
_Static_assert(SP_NVCLASS == 6, "one purchase and one value metric per vehicle class");

static const char *const platestat_names[] = {
    "round", "applicants_ordinary", "applicants_nev", "applicants_family_nev", "applicants_extra",
    "quota_ordinary", "quota_nev", "quota_family_nev", "quota_extra", "winners_ordinary",
    "winners_nev", "winners_family_nev", "winners_extra", "base_odds", "base_odds_1_in",
    "raw_ratio", "nev_queue", "nev_wait_years", "mean_weight", "pool_ordinary", "pool_nev"};
_Static_assert(COUNT(platestat_names) == SP_NPLATESTAT, "one name per plate statistic");

/* run.c writes a round's applicants, quotas and winners of pool k (plates.h)
 * at SP_PS_APPLICANTS_ORDINARY + k, SP_PS_QUOTA_ORDINARY + k and
 * SP_PS_WINNERS_ORDINARY + k; table.c's plates table shows every statistic
 * after the round flag. */
_Static_assert(SP_PS_QUOTA_ORDINARY == SP_PS_APPLICANTS_ORDINARY + SP_PLATE_NPOOLS &&
                   SP_PS_WINNERS_ORDINARY == SP_PS_QUOTA_ORDINARY + SP_PLATE_NPOOLS &&
                   SP_PS_BASE_ODDS == SP_PS_WINNERS_ORDINARY + SP_PLATE_NPOOLS,
               "the pool statistics are rows of SP_PLATE_NPOOLS in pool order");
_Static_assert(SP_PLATE_POOL_ORDINARY == 0 && SP_PLATE_POOL_NEV == 1 && SP_PLATE_POOL_FAMILY_NEV == 2 &&
                   SP_PLATE_POOL_EXTRA == 3,
               "the pools are in the order of the statistics' names");

const char *sp_platestat_name(int k) { return k >= 0 && k < SP_NPLATESTAT ? platestat_names[k] : "?"; }

const char *sp_metric_name(int m) { return m >= 0 && m < SP_NMETRIC ? metric_names[m] : "?"; }

int sp_metric_find(const char *name)
{
    for (int m = 0; name && m < SP_NMETRIC; m++)
        if (strcmp(metric_names[m], name) == 0)
            return m;
    return -1;
}

sp_metric_kind sp_metric_kind_of(int m)
{
    return (m == SP_M_HOUSEHOLDS || m == SP_M_PERSONS || m == SP_M_CARS ||
            m == SP_M_CREDIT_BALANCE || m == SP_M_BORROWERS)
               ? SP_METRIC_STOCK
               : SP_METRIC_FLOW;
}

const char *sp_metric_unit(int m)
{
    switch (m) {
    case SP_M_HOUSEHOLDS: return "households";
    case SP_M_PERSONS: return "persons";
    case SP_M_CARS: return "cars";
    case SP_M_VOUCHERS_CLAIMED:
    case SP_M_VOUCHERS_REDEEMED:
    case SP_M_VOUCHERS_EXPIRED: return "coupons";
    case SP_M_CAR_PURCHASES:
    case SP_M_NEV_PURCHASES:
    case SP_M_REPLACEMENTS:
    case SP_M_FIRST_CARS:
    case SP_M_CARS_SCRAPPED:
    case SP_M_SUBSIDISED_CARS:
    case SP_M_SUBSIDISED_PURCHASES: return "cars";
    case SP_M_APPLIANCE_UNITS:
    case SP_M_DURABLES_EXTRA: return "items";
    case SP_M_APPLIANCE_BUYERS:
    case SP_M_BORROWERS: return "households";
    case SP_M_LOANS: return "loans";
    default:
        return m >= SP_M_CLASS_PURCHASES0 && m < SP_M_CLASS_PURCHASES0 + SP_NVCLASS ? "cars" : "yuan";
    }
}

sp_results *sp_results_alloc(int npackages, const char *const *names, int nreplicates,
                             int nmonths, int start_month, sp_err *err)
{
    if (npackages < 1 || nreplicates < 1 || nmonths < 1) {
        sp_err_set(err, SP_EINVAL, "results need at least one package, replicate and month");
        return NULL;
    }
    sp_results *r = calloc(1, sizeof *r);
    if (!r)
        goto oom;
    r->npackages = npackages;
    r->nreplicates = nreplicates;
    r->nmonths = nmonths;
    r->start_month = start_month;
    size_t cells = (size_t)npackages * nreplicates * nmonths * SP_NGROUP * SP_NMETRIC;
    r->cube = calloc(cells, sizeof(double));
    r->plates = calloc((size_t)npackages * nreplicates * nmonths * SP_NPLATESTAT, sizeof(double));
    r->package_names = calloc((size_t)npackages, sizeof(char *));
    if (!r->cube || !r->plates || !r->package_names)
        goto oom;
    for (int p = 0; p < npackages; p++) {
        const char *s = names && names[p] ? names[p] : "";
        r->package_names[p] = malloc(strlen(s) + 1);
        if (!r->package_names[p])
            goto oom;
        strcpy(r->package_names[p], s);
    }
    return r;
oom:
    sp_results_free(r);
    sp_err_set(err, SP_ENOMEM, "out of memory for results");
    return NULL;
}

void sp_results_free(sp_results *r)
{
    if (!r)
        return;
    if (r->package_names)
        for (int p = 0; p < r->npackages; p++)
            free(r->package_names[p]);
    free(r->package_names);
    free(r->cube);
    free(r->plates);
    free(r->param_names);
    free(r->param_values);
    free(r->budgets);
    for (int k = 0; k < r->nwarnings; k++)
        free(r->warnings[k]);
    free(r->warnings);
    free(r);
}

int sp_results_package(const sp_results *r, const char *name)
{
    for (int p = 0; name && p < r->npackages; p++)
        if (strcmp(r->package_names[p], name) == 0)
            return p;
    return -1;
}

int sp_results_add_warning(sp_results *r, const char *text, sp_err *err)
{
    size_t n = strlen(text ? text : "");
    char *s = malloc(n + 1);
    char **w = s ? realloc(r->warnings, ((size_t)r->nwarnings + 1) * sizeof *w) : NULL;
    if (!w) {
        free(s);
        return sp_err_set(err, SP_ENOMEM, "out of memory for a warning");
    }
    memcpy(s, text ? text : "", n + 1);
    r->warnings = w;
    r->warnings[r->nwarnings++] = s;
    return SP_OK;
}
