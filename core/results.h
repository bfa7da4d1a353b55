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
#include "params.h"
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
    SP_M_CAR_PURCHASES,               /* cars bought (durable spending, apart from the eight categories) */
    SP_M_CAR_VALUE,                   /* yuan spent on cars bought */
    SP_M_NEV_PURCHASES,               /* of which new-energy vehicles */
    SP_M_REPLACEMENTS,                /* purchases replacing a car (plate kept) */
    SP_M_FIRST_CARS,                  /* purchases on a newly won plate (first or additional car) */
    SP_M_CARS_SCRAPPED,               /* cars leaving the stock */
    SP_M_SCRAPPAGE_SUBSIDY,           /* yuan of scrappage / trade-in subsidy paid */
    SP_M_SUBSIDISED_CARS,             /* purchases that received a scrappage subsidy (programme transactions) */
    SP_M_PURCHASE_SUBSIDY,            /* yuan of purchase subsidies paid */
    SP_M_TRANSFERS,                   /* yuan of cash transfers paid */
    SP_M_DISCOUNT_SALES,              /* purchases made with a promotion's discount, yuan at list prices */
    SP_M_DISCOUNT_GOV,                /* government-funded part of promotion discounts, yuan (also in government_cost) */
    SP_M_DISCOUNT_MERCHANT,           /* merchant-funded part of promotion discounts, yuan (also in merchant_cost) */
    SP_M_NIGHT_SPENDING,              /* evening spending (18:00-06:00) at the venues a night-economy measure covers, yuan */
    SP_M_NIGHT_VENUE_SPENDING,        /* all spending at those venues, yuan (night share = night_spending / this) */
    SP_M_NIGHT_SHIFTED,               /* evening spending moved from daytime by a night-economy measure, yuan */
    /* household durables and consumer credit (appliance_tradein.h, consumer_credit.h) */
    SP_M_APPLIANCE_UNITS,             /* appliances and furnishings bought with a trade-in subsidy */
    SP_M_APPLIANCE_SALES,             /* yuan paid for them (before the subsidy) */
    SP_M_APPLIANCE_SUBSIDY,           /* yuan of trade-in subsidy paid */
    SP_M_APPLIANCE_BUYERS,            /* households making their first subsidised purchase of a programme */
    SP_M_DURABLES_EXTRA,              /* durables bought with the measure minus without (items; negative: the dip) */
    SP_M_LOANS,                       /* consumer loans taken out */
    SP_M_LOAN_VALUE,                  /* yuan lent */
    SP_M_REPAYMENTS,                  /* yuan repaid (principal and interest, before the interest subsidy) */
    SP_M_INTEREST_SUBSIDY,            /* yuan of interest subsidy paid */
    SP_M_CREDIT_BALANCE,              /* yuan of consumer loans outstanding at the end of the month */
    SP_M_BORROWERS,                   /* households with a consumer loan outstanding at the end of the month */
    SP_M_CLASS_PURCHASES0,            /* cars bought of vehicle class k (vehicles.h): SP_M_CLASS_PURCHASES0 + k */
    SP_M_CLASS_VALUE0 = SP_M_CLASS_PURCHASES0 + 6, /* yuan spent on cars of class k: SP_M_CLASS_VALUE0 + k */
    SP_M_SUBSIDISED_PURCHASES = SP_M_CLASS_VALUE0 + 6, /* purchases that received any car subsidy (trade-in or open) */
    SP_M_SUBSIDISED_VALUE,            /* yuan spent on those purchases (their price, before the subsidy) */
    SP_NMETRIC
};

/* The engine's vector sums (run.c, plain_sums_avx2) add a household's eight
 * categories as two vectors of four doubles from SP_M_SPEND0, and w x (0, 1,
 * size, cars) as one vector of four doubles at SP_M_SPENDING: total spending,
 * households, persons and cars are adjacent, in that order. */
_Static_assert(SP_NCAT == 8 && SP_M_SPEND0 == 0, "the categories are two 4-double vectors");
_Static_assert(SP_M_HOUSEHOLDS == SP_M_SPENDING + 1 && SP_M_PERSONS == SP_M_SPENDING + 2 &&
                   SP_M_CARS == SP_M_SPENDING + 3,
               "spending, households, persons and cars are one 4-double vector");

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
    char population[160];   /* the population's label (provenance) */
    sp_params params;       /* parameters as given (before per-replicate draws) */
    size_t sample;          /* households in the sample */
    double *cube;           /* [package][replicate][month][group][metric] */
    double *plates;         /* [package][replicate][month][SP_NPLATESTAT] */
    int nparams;            /* parameters drawn per replicate */
    char (*param_names)[48];/* nparams names */
    double *param_values;   /* [replicate][param]: the values each replicate used */
    /* Budgets (budget.h): the sum of the `budget`s of each package's measures,
     * yuan (0 = none), npackages values or NULL; and the warnings about
     * supply households cannot claim, one line each (owned strings). */
    double *budgets;
    int nwarnings;
    char **warnings;
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

/* Plate allocation statistics of one month (see plates.h, sp_plate_round_stats):
 * zeros in months without an allocation or without a plate regime. */
enum {
    SP_PS_ROUND = 0,         /* 1 when any pool was allocated this month */
    SP_PS_APPLICANTS_ORDINARY, SP_PS_APPLICANTS_NEV, SP_PS_APPLICANTS_FAMILY_NEV, SP_PS_APPLICANTS_EXTRA,
    SP_PS_QUOTA_ORDINARY, SP_PS_QUOTA_NEV, SP_PS_QUOTA_FAMILY_NEV, SP_PS_QUOTA_EXTRA,
    SP_PS_WINNERS_ORDINARY, SP_PS_WINNERS_NEV, SP_PS_WINNERS_FAMILY_NEV, SP_PS_WINNERS_EXTRA,
    SP_PS_BASE_ODDS,         /* probability a step-1 individual wins a round (Beijing's published odds) */
    SP_PS_BASE_ODDS_1_IN,    /* the same as "1 in X" */
    SP_PS_RAW_RATIO,         /* ordinary applicants per plate */
    SP_PS_NEV_QUEUE,         /* persons in the NEV queue after the allocation */
    SP_PS_NEV_WAIT_YEARS,    /* queue / the year's individual NEV quota */
    SP_PS_MEAN_WEIGHT,       /* ordinary pool: lottery weights per applicant person (individuals: mean ladder step) */
    SP_PS_POOL_ORDINARY,     /* persons in the ordinary lottery at the start of the month (every month) */
    SP_PS_POOL_NEV,          /* persons in the NEV queue, families included, at the start of the month */
    SP_NPLATESTAT
};

/* Name of a plate statistic ("applicants_ordinary", ...). */
const char *sp_platestat_name(int k);

/* The plate statistics of one package, replicate and month (SP_NPLATESTAT doubles). */
static inline double *sp_results_plates_at(const sp_results *r, int package, int replicate, int month)
{
    size_t k = (((size_t)package * r->nreplicates + replicate) * r->nmonths + month);
    return r->plates + k * SP_NPLATESTAT;
}

/* Index of a package by name, or -1. */
int sp_results_package(const sp_results *r, const char *name);

/* Appends a copy of one warning line to r->warnings. */
int sp_results_add_warning(sp_results *r, const char *text, sp_err *err);

#endif
