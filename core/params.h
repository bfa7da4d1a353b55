/* params.h: behavioural parameters with defaults, ranges and sources.
 *
 * One parameter set serves every scenario: nothing here is keyed to a
 * particular programme. Each field has an entry in the descriptor table
 * (sp_param_table) with its name as used in Lua and on the command line, its
 * default, its admissible range, its unit and its source; docs/model.md lists
 * the same table. */
#ifndef SP_PARAMS_H
#define SP_PARAMS_H

#include <stddef.h>

#include "category.h"
#include "group.h"
#include "rng.h"
#include "status.h"

typedef struct sp_params {
    double growth;                 /* annual growth factor of nominal consumption */
    double trips[SP_NCAT];         /* mean shopping trips (purchase occasions) per month */
    double trip_cv;                /* coefficient of variation of one trip's size */
    double season_amplitude;       /* scales the seasonal deviations (1 = as tabulated) */
    double mpc[SP_NLIQ];           /* marginal propensity to consume a transitory windfall, by liquidity type */
    double mpc_months;             /* months over which windfall spending is spread */
    /* consumption vouchers (docs/model.md section 5) */
    double voucher_coverage;       /* share of eligible purchases made where coupons are accepted */
    double topup_ratio_median;     /* median of r - 1: a household tops up to the threshold when the extra outlay <= r x face */
    double topup_ratio_sigma;      /* sd of ln(r - 1) across households */
    double upgrade_share;          /* extra spending when a coupon is used on a purchase above the threshold, share of face */
    double substitution_share;     /* share of induced coupon spending taken from later months */
    double substitution_months;    /* mean months over which it is taken back */
    double label_strength;         /* labelled-money effect of an expiring earmarked voucher with a very short window */
    double label_window;           /* months: the effect falls as exp(-(window / label_window)^2) */
    double claim_propensity;       /* probability that a household tries to claim a voucher it may claim */
    double claim_income_gradient;  /* relative change of that probability per income quintile step (digital access) */
    double targeted_takeup;        /* take-up of vouchers handed to a targeted group */
    /* cars (core/cars.h; docs/model.md section 3) */
    double car_entry_scale;        /* Weibull scale of a car's replacement-market entry hazard, months */
    double car_entry_shape;        /* Weibull shape of that hazard */
    double car_entry_income_gradient; /* entry hazard x exp(g (quintile - 3)), quintile 1..5 */
    double car_purchase_prob;      /* monthly probability that a household in the replacement market buys */
    double car_price_share;        /* median price of the next car, share of annual household income */
    double car_price_sigma;        /* sd of the log price within a vehicle class */
    double car_cost_years;         /* years of running costs a buyer weighs with the price in the class choice */
    double car_price_cap;          /* price cap, share of annual household income */
    double car_price_min;          /* price floor, yuan */
    double nev_logit;              /* logit of the NEV share among buyers free to choose, in 2019 */
    double nev_trend;              /* change of that logit per year after 2019 */
    double fuel_subsidy_beta;      /* price coefficient of the class choice: logit shift per unit of (price change) / reference price */
    double subsidy_beta;           /* logit shift of the purchase probability per unit of S / P */
    double subsidy_advance;        /* a subsidy of S advances a household's latent market entry with probability 1 - exp(-subsidy_advance S / P) */
    double subsidy_horizon;        /* months: only an entry the household's own draws place this close is advanced */
    double car_wish_rate;          /* monthly hazard that a car-less household with a driver wants a car (median income, 2.31 persons, 1 driver) */
    double car_wish_income_slope;  /* logit slope of that hazard on ln(income / median income) */
    double car_wish_size_slope;    /* logit slope per person above 2.31 */
    double car_wish_driver_slope;  /* logit slope per driver above one */
    double plate_purchase_prob;    /* monthly probability that a plate holder buys its car */
    double car_loan_share;         /* probability that a car purchase is financed with a loan */
    double car_loan_months;        /* loan term, months */
    double car_loan_rate;          /* loan interest rate, per year */
    /* plates */
    double nev_queue_choice;       /* share of new plate applicants who join the NEV queue */
} sp_params;

typedef struct sp_param_info {
    const char *name;   /* e.g. "growth", "trips_food", "mpc_poor_htm" */
    size_t offset;      /* byte offset of the double in sp_params */
    double def, lo, hi; /* default and admissible closed range */
    const char *unit;
    const char *source; /* where the default comes from */
} sp_param_info;

sp_params sp_params_default(void);

/* The descriptor table; *count receives its length. */
const sp_param_info *sp_param_table(size_t *count);

/* Looks a parameter up by name: NULL if unknown. */
const sp_param_info *sp_param_find(const char *name);

/* Sets a parameter by name after checking its range. Errors name the
 * parameter and the value (unknown name, out of range, not finite). */
int sp_params_set(sp_params *p, const char *name, double value, sp_err *err);

/* Reads a parameter by name into *value. */
int sp_params_get(const sp_params *p, const char *name, double *value, sp_err *err);

/* Checks every parameter against its range. */
int sp_params_validate(const sp_params *p, sp_err *err);

/* Parameter uncertainty: a distribution a parameter is drawn from, once per
 * replicate, from the replicate's keyed stream (so every package of a
 * replicate uses the same draw: common random numbers). */
typedef enum sp_dist_kind {
    SP_DIST_NORMAL = 1, /* a = mean, b = standard deviation; truncated to the parameter's range */
    SP_DIST_UNIFORM = 2 /* a = low, b = high; must lie inside the parameter's range */
} sp_dist_kind;

typedef struct sp_param_dist {
    char name[48];      /* parameter name, as in the descriptor table */
    sp_dist_kind kind;
    double a, b;
} sp_param_dist;

/* Checks the name and the distribution's arguments against the parameter's
 * range; errors name the parameter and the values. */
int sp_param_dist_validate(const sp_param_dist *d, sp_err *err);

/* Draws every distribution into *p (which holds the other parameters) for the
 * replicate keyed by key; distribution k uses the stream (k, PARAMS). */
int sp_params_draw(sp_params *p, const sp_param_dist *dists, int n, sp_rng_key key, sp_err *err);

#endif
