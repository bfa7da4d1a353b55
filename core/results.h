/* results.h: the results cube of an experiment.
 *
 * One double per package x replicate x month x group x metric. Money metrics
 * are weighted sums in yuan over the households of the group; count metrics
 * (households, persons, cars) are weighted counts at the end of the month. */
#ifndef SP_RESULTS_H
#define SP_RESULTS_H

#include <stddef.h>

#include "category.h"
#include "group.h"
#include "status.h"

enum {
    SP_M_SPEND0 = 0,                  /* spending on category c is metric SP_M_SPEND0 + c */
    SP_M_SPENDING = SP_NCAT,          /* total spending over the eight categories */
    SP_M_HOUSEHOLDS,                  /* households in the group */
    SP_M_PERSONS,                     /* persons in the group */
    SP_M_CARS,                        /* private cars owned at the end of the month */
    SP_M_VOUCHERS_CLAIMED,            /* coupons handed out */
    SP_M_VOUCHERS_REDEEMED,           /* coupons used */
    SP_M_VOUCHERS_EXPIRED,            /* coupons left unused at the end of their window */
    SP_M_COUPON_VALUE,                /* value of purchases on which a coupon was used, yuan (gross "leverage" numerator) */
    SP_M_GOV_COST,                    /* government cost of all measures, yuan */
    SP_M_MERCHANT_COST,               /* merchants' share of voucher discounts, yuan */
    SP_NMETRIC
};

typedef enum sp_metric_kind {
    SP_METRIC_FLOW = 0,  /* summed over the months of a period (yuan) */
    SP_METRIC_STOCK = 1  /* averaged over the months of a period (counts) */
} sp_metric_kind;

/* Metric names as used in queries: "food" .. "other", "spending",
 * "households", "persons", "cars"; lookup returns -1 when unknown. */
const char *sp_metric_name(int metric);
int sp_metric_find(const char *name);
sp_metric_kind sp_metric_kind_of(int metric);
const char *sp_metric_unit(int metric); /* "yuan", "households", ... */

typedef struct sp_results {
    int npackages, nreplicates, nmonths;
    int start_month;        /* calendar month of the first reported month */
    char **package_names;   /* npackages owned strings */
    unsigned seed;          /* experiment seed */
    double households;      /* households represented by the population */
    size_t sample;          /* households in the sample */
    double *cube;           /* [package][replicate][month][group][metric] */
    int nparams;            /* parameters drawn per replicate */
    char (*param_names)[48];/* nparams names */
    double *param_values;   /* [replicate][param]: the values each replicate used */
} sp_results;

/* Allocates a zeroed cube. names are copied. NULL with err on failure. */
sp_results *sp_results_alloc(int npackages, const char *const *names, int nreplicates,
                             int nmonths, int start_month, sp_err *err);
void sp_results_free(sp_results *r); /* NULL is a no-op */

/* The [group][metric] block of one package, replicate and month. */
static inline double *sp_results_at(const sp_results *r, int package, int replicate, int month)
{
    size_t k = (((size_t)package * r->nreplicates + replicate) * r->nmonths + month);
    return r->cube + k * SP_NGROUP * SP_NMETRIC;
}

/* One value. */
static inline double sp_results_get(const sp_results *r, int package, int replicate, int month,
                                    int group, int metric)
{
    return sp_results_at(r, package, replicate, month)[group * SP_NMETRIC + metric];
}

/* Index of a package by name, or -1. */
int sp_results_package(const sp_results *r, const char *name);

#endif
