/* appliance_tradein.h: the appliance and home-furnishing trade-in subsidy
 * (docs/model.md section 10).
 *
 * From start_month to end_month, a household of the filter that replaces an
 * item of an eligible type may claim rate x price (the rate of the efficiency
 * grade it buys: buyers choose the best-subsidised grade), at most `cap`
 * yuan per item, one item per type per household over the programme, until
 * the budget is spent. Purchases come from the households' own timing
 * (durables.h): in each month the measure simulates every household's stock
 * with and without the subsidy from the same draws. Without it, an item is
 * replaced when the draw u falls below the hazard h (or a renovation replaces
 * it); with it, the hazard of an item it may still subsidise is h' =
 * logistic(logit(h) + appliance_subsidy_beta x s), s = the subsidy over the
 * type's mean price. Purchases with u < h would have happened anyway: they
 * take the subsidy when it is worth more than a hassle cost (exponential,
 * mean appliance_claim_cost); purchases with h <= u < h' are brought forward
 * and always claimed. A claimed purchase is upgraded to price x (1 - rate)^-e
 * (e = appliance_upgrade_elasticity) while the cap does not bind. The measure
 * adds to household-goods spending only the difference between the two
 * stocks' purchases: extra and upgraded purchases now, missing purchases
 * later (the dip, from the younger stock's lower hazards), so a baseline
 * without the measure is untouched. The freed income of a purchase that would
 * have happened anyway (subsidy minus upgrade) is spent at the household's MPC
 * through the windfall carry-over.
 *
 * Budget: in each month the households that would claim are ranked by keys
 * from their own streams and paid down the ranking until the next one would
 * overspend; the programme then closes (those not paid buy as without it).
 * Units: yuan, shares of the price, calendar months. */
#ifndef SP_APPLIANCE_TRADEIN_H
#define SP_APPLIANCE_TRADEIN_H

#include "durables.h"
#include "filter.h"
#include "measure.h"
#include "status.h"

/* Efficiency grades a rate is given for: China's energy (or water) efficiency
 * grade 1, grade 2, and any lower grade. */
enum { SP_GRADE_1 = 0, SP_GRADE_2 = 1, SP_GRADE_OTHER = 2, SP_NGRADE = 3 };

typedef struct sp_appliance_tradein_def {
    double rate[SP_NGRADE]; /* subsidy share of the price by grade, 0..1 */
    double cap[SP_DUR_NTYPE]; /* yuan per item of each type, 0 = no cap */
    unsigned types;         /* eligible types, bit t for durables.h type t */
    double budget;          /* yuan, 0 = unlimited */
    int start_month, end_month; /* the programme's months, inclusive */
    char filter[SP_FILTER_TEXT_MAX]; /* eligible households ("" = every household) */
} sp_appliance_tradein_def;

/* Defaults: the 2024 national rule (15% for grade 2, 20% for grade 1,
 * 2,000 yuan per item; Xinhua 2024-08-26) for the six appliance types, from
 * 2024-08 to 2024-12, no budget limit, every household. */
sp_appliance_tradein_def sp_appliance_tradein_def_default(void);
int sp_appliance_tradein_validate(const sp_appliance_tradein_def *d, sp_err *err);

/* The rate a claiming buyer gets (the best-subsidised grade), and the subsidy
 * on an item of `type` at price p: min(rate x p, the type's cap). */
double sp_appliance_tradein_rate(const sp_appliance_tradein_def *d);
double sp_appliance_tradein_subsidy(const sp_appliance_tradein_def *d, int type, double price);

/* The price a claiming buyer pays for an item it would buy at price p:
 * p x (1 - rate)^-e, but no higher than where the cap starts to bind (and
 * never below p). */
double sp_appliance_tradein_upgrade(const sp_appliance_tradein_def *d, int type, double p, double e);

/* The measure kind "appliance_tradein". */
extern const sp_measure_ops sp_appliance_tradein_measure;

int sp_package_add_appliance_tradein(sp_package *p, const char *name,
                                     const sp_appliance_tradein_def *d, sp_err *err);

#endif
