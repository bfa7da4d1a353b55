/* community_outlets.h: neighbourhood convenience outlets (docs/model.md
 * section 13; Beijing's 2020 plan and its "15-minute convenient living
 * circles").
 *
 * From start_month, `outlets` new outlets (convenience stores, vegetable and
 * breakfast outlets) serve a share `coverage` of the households passing the
 * filter (the served households are drawn once, from their own streams keyed
 * by the measure's id). A served household makes a share `capture` of its
 * spending on the covered categories at the new outlets: sales
 * S = capture x X, X its covered spending of the month. Of S, the share
 * `diversion` (the parameter outlet_diversion unless the measure sets it; its
 * default is drawn per replicate) is diverted from other outlets, online
 * included: the household's spending does not change. The rest, (1 -
 * diversion) S, is new spending (lower travel costs make small purchases
 * easier), added to the covered categories in proportion to their spending;
 * so the net change in a served household's covered spending is
 * (1 - diversion) x capture. Diverted plus new equals S exactly. The
 * travel-time saving itself is welfare, not spending, and is not modelled.
 *
 * The government pays `subsidy` yuan per outlet when the outlets open (the
 * start month), for as many outlets as the budget covers in full
 * (min(outlets, floor(budget / subsidy)); budget 0 = every outlet): the budget
 * is never overspent. Costs and outlet counts are results of households, so
 * they are spread over the served households by weight (a served household
 * adds subsidy / W and outlets / W, W the weight of the households served
 * that month): the population totals are exact.
 *
 * Outputs: outlet_sales, outlet_diverted_sales, outlet_net_new, outlets
 * (stock), outlet_subsidy (also in government_cost). Units: yuan, outlets,
 * calendar months. */
#ifndef SP_COMMUNITY_OUTLETS_H
#define SP_COMMUNITY_OUTLETS_H

#include "category.h"
#include "filter.h"
#include "measure.h"
#include "params.h"
#include "status.h"

typedef struct sp_community_outlets_def {
    int start_month, end_month; /* the outlets open in start_month; the measure's last month */
    unsigned categories;        /* bit c: category c is sold at the outlets; at least one */
    double coverage;            /* share of the filter's households served, 0 < coverage <= 1 */
    double outlets;             /* new outlets, city-wide, > 0 */
    double capture;             /* share of a served household's covered spending made at the new
                                 * outlets, 0 < capture <= 1 */
    double diversion;           /* share of their sales diverted from other outlets, 0..1, or -1:
                                 * the parameter outlet_diversion */
    double subsidy;             /* yuan per outlet paid by the government at opening, >= 0 */
    double budget;              /* yuan for the subsidy; 0 = unlimited */
    char filter[SP_FILTER_TEXT_MAX]; /* households that may be served ("" = everyone) */
} sp_community_outlets_def;

/* Defaults: 2020-06 to 2022-12, food and household goods, 600 outlets serving
 * 10% of households, capture 0.05, diversion from the parameter, no subsidy,
 * everyone. */
sp_community_outlets_def sp_community_outlets_def_default(void);

/* Checks a definition; errors name the field and the value. */
int sp_community_outlets_validate(const sp_community_outlets_def *d, sp_err *err);

/* Outlets the subsidy pays for in full: min(outlets, floor(budget / subsidy))
 * (budget 0: every outlet; no subsidy: 0), and the yuan paid for them. */
double sp_community_outlets_paid(const sp_community_outlets_def *d, double *yuan);

/* What the outlets do to one served household in one month. */
typedef struct sp_outlet_outcome {
    double change[SP_NCAT]; /* new spending by category, yuan */
    double sales;           /* its purchases at the new outlets, yuan */
    double diverted;        /* of which diverted from other outlets, yuan */
    double net_new;         /* of which new spending, yuan (sum of change[]) */
} sp_outlet_outcome;

/* The effect on a served household whose spending of the month is spend[]
 * (yuan by category, without this measure), with diversion share `diversion`. */
void sp_outlet_effect(const sp_community_outlets_def *d, double diversion, const double spend[SP_NCAT],
                      sp_outlet_outcome *out);

/* The measure kind "community_outlets". */
extern const sp_measure_ops sp_community_outlets_measure;

/* Adds a community-outlets measure to a package (package.h, sp_package_add). */
int sp_package_add_community_outlets(sp_package *p, const char *name, const sp_community_outlets_def *d,
                                     sp_err *err);

#endif
