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
#include <stdint.h>

#include "category.h"
#include "group.h"
#include "rng.h"
#include "status.h"

typedef struct sp_params {
    double growth;                 /* annual growth factor of nominal consumption */
    double trips[SP_NCAT];         /* mean shopping trips (purchase occasions) per month */
    double trip_cv;                /* coefficient of variation of one trip's size */
    double trip_elasticity;        /* elasticity of the trip rate to household consumption (tercile means); basket size takes the rest */
    double season_amplitude;       /* scales the seasonal deviations (1 = as tabulated) */
    double mpc[SP_NLIQ];           /* marginal propensity to consume a transitory windfall, by liquidity type */
    double mpc_months;             /* months over which windfall spending is spread */
    /* consumption vouchers (docs/model.md section 5) */
    double voucher_coverage;       /* share of eligible purchases made where coupons are accepted */
    double topup_ratio_median;     /* median of r - 1: a household tops up to the threshold when the extra outlay <= r x face */
    double topup_ratio_sigma;      /* sd of ln(r - 1) across households */
    double topup_liquidity_htm;    /* r - 1 of hand-to-mouth households relative to others (liquidity) */
    double topup_budget_elasticity;/* r - 1 scales as (consumption / population mean)^this */
    double notch_overshoot;        /* mean overshoot of a topped-up or new coupon purchase above the threshold, share of it */
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
    /* promotion seasons and discounts (core/promotion.h; docs/model.md section 8) */
    double price_elasticity[SP_NCAT]; /* uncompensated own-price elasticity of demand by category, <= 0 */
    double promo_substitution_durable;    /* share of the extra purchases of a discount taken from the
                                           * months around the window: durables (clothing, household goods) */
    double promo_substitution_nondurable; /* the same for the other categories */
    double promo_anticipation;     /* share of those purchases postponed from the month before the
                                    * window (the rest is pulled forward from the following months) */
    /* night economy (core/night_economy.h; docs/model.md section 9) */
    double night_share_dining;     /* evening (18:00-06:00) share of spending at covered venues:
                                    * food, transport, education, health, housing */
    double night_share_shopping;   /* evening share of spending at covered shops: clothing,
                                    * household goods, other */
    double night_hour_lift;        /* relative rise of evening spending at a venue per extra opening hour */
    double night_net_share;        /* share of the extra evening spending that is new (not moved from
                                    * daytime); uncertain: drawn per replicate by default */
    /* household durables other than cars (core/durables.h; docs/model.md section 10) */
    double durable_life_ratio;     /* mean life of an appliance / its CHEAA safe-use age */
    double durable_life_shape;     /* Weibull shape of appliance lives */
    double durable_income_gradient;/* replacement hazard x exp(g (quintile - 3)), quintile 1..5 */
    double appliance_price;        /* median price of a reference appliance (TV, fridge, AC), yuan */
    double appliance_price_sigma;  /* sd of the log price */
    double furniture_price;        /* median price of the furniture bought at once, yuan */
    double appliance_upgrade_elasticity; /* price chosen x (1 - marginal subsidy rate)^-e */
    double appliance_subsidy_beta; /* logit shift of the replacement hazard per unit of subsidy / price */
    double appliance_claim_cost;   /* mean hassle cost of claiming a subsidy (exponential), yuan */
    double renovation_interval;    /* mean years between renovations */
    double renovation_mover_factor;/* renovation hazard multiplier of recent movers (proxy) */
    double renovation_replace_share; /* a renovation replaces appliances older than this share of their mean life */
    double renovation_cost_share;  /* median renovation cost (works and furnishing), share of annual income */
    /* consumer credit (core/consumer_credit.h; docs/model.md section 11) */
    double credit_cash_htm;        /* share of a hand-to-mouth household's needs it finances without credit */
    double credit_takeup_constrained; /* probability that a constrained need is financed by an offered loan */
    double credit_takeup_htm;      /* probability that a hand-to-mouth household borrows for a need it would meet anyway */
    double credit_takeup_nhtm;     /* the same for a household without liquidity constraint */
    double credit_rate_semielasticity; /* take-up x exp(s x interest subsidy in percentage points) */
    double credit_need_rate;       /* monthly probability of a general spending need */
    double credit_need_share;      /* median general need, share of annual income */
    double credit_need_sigma;      /* sd of the log need (every purpose) */
    double plate_inflow_rate;      /* monthly probability that a household outside the plate pools applies (plates.h) */
    /* used cars leaving Beijing (core/used_car_export.h; docs/model.md section 12) */
    double used_car_export_share;  /* share of the cars replaced in Beijing that are sold out of the city */
    double used_car_depreciation;  /* yearly fall of a used car's value: value = reference price x (1 - d)^years */
    double resale_value_response;  /* weight of a yuan of net trade-in value against a yuan of trade-in subsidy
                                    * in the replacement decision (cars.h) */
    /* neighbourhood convenience outlets (core/community_outlets.h; docs/model.md section 13) */
    double outlet_diversion;       /* share of a new outlet's sales diverted from other outlets (incl. online);
                                    * uncertain: drawn per replicate by default */
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
 * replicate keyed by key. A parameter's draws come from the stream
 * (sp_param_stream(name), PARAMS), so the value a replicate draws for one
 * parameter does not depend on which other parameters are drawn or in what
 * order they are listed. */
int sp_params_draw(sp_params *p, const sp_param_dist *dists, int n, sp_rng_key key, sp_err *err);

/* The stream id of a parameter's draws: the 32-bit FNV-1a hash of its name. */
uint32_t sp_param_stream(const char *name);

/* Default distributions of the model's uncertain behavioural parameters
 * (docs/model.md, "Parameter uncertainty": each with its evidence range).
 * Each is centred on the parameter's default (sp_params_default), so the
 * point defaults stay the calibrated values. An experiment draws them once
 * per replicate when its `uncertainty` is on and it has more than one
 * replicate (experiment.h); parameters given a value or a distribution of
 * their own keep those. *count receives the length. */
const sp_param_dist *sp_param_default_dists(size_t *count);

/* Index of a parameter in the descriptor table, or -1 when unknown. */
int sp_param_index(const char *name);

#endif
