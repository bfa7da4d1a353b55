/* promotion.h: promotion seasons and discounts (docs/model.md section 8).
 *
 * A promotion takes a share of the list price off the purchases of chosen
 * categories made at participating sellers inside a window of days: the
 * Beijing Consumption Season, the platform festivals 618 and Double 11, a
 * city's discount week. The discount is funded by the government and by
 * merchants in stated shares (adding up to 1).
 *
 * Households respond through the uncompensated own-price elasticity of each
 * category (parameters price_elasticity_<category>, or the promotion's own):
 * purchases at participating sellers in the window, w0 without the promotion,
 * become w1 = w0 (1 - d)^e. Of the extra purchases w1 - w0, a share phi (the
 * parameter promo_substitution_durable for clothing and household goods,
 * promo_substitution_nondurable for the others) is moved in time rather than
 * new: when the promotion is announced, a share promo_anticipation of it is
 * postponed from the month before the window (those purchases are made in the
 * window's first month), the rest is pulled forward from the months after it
 * (the engine's carry-over state, sp_hstate deferred, taken back at the
 * parameter substitution_months). The share 1 - phi is new spending.
 *
 * Spending metrics stay at list prices (consumption volume, as coupon values
 * count in full in voucher purchases); the discount itself is reported as
 * discount_sales (purchases made with it), discount_government and
 * discount_merchant, which also count in government_cost and merchant_cost.
 * Units: yuan, calendar months and days. Randomness: none (the response is a
 * deterministic function of the household's spending of the month). */
#ifndef SP_PROMOTION_H
#define SP_PROMOTION_H

#include "category.h"
#include "filter.h"
#include "measure.h"
#include "params.h"
#include "population.h"
#include "status.h"

typedef struct sp_promotion_def {
    int start_month, start_day;   /* first day of the window: calendar month, day 1..days in month */
    int end_month, end_day;       /* last day of the window (inclusive), not before the first */
    double discount[SP_NCAT];     /* share of the list price off by category, 0 <= d < 1 (0 = not
                                   * discounted); at least one category above 0 */
    double elasticity[SP_NCAT];   /* own-price elasticity used for category c when bit c of
                                   * elasticity_set is set (<= 0); else the parameter */
    unsigned elasticity_set;
    double coverage;              /* share of the categories' purchases made at participating
                                   * sellers (platforms, shops) in the window, 0 < coverage <= 1 */
    double gov_share;             /* government-funded share of each discount, 0..1 */
    double merchant_share;        /* merchant-funded share; gov_share + merchant_share = 1 */
    int announced;                /* 1: known in advance, so purchases are postponed into the
                                   * window from the month before it; 0: a surprise */
    char filter[SP_FILTER_TEXT_MAX]; /* households who may take part ("" = everyone) */
    double cap;                   /* yuan: the most government-funded discount per household and
                                   * month (beyond it the sellers fund the discount); 0 = none */
    double budget;                /* yuan of government-funded discount, 0 = none; needs cap > 0:
                                   * each window month the households of the filter are ranked
                                   * first come (keys from their own streams) and take part while
                                   * cap x their weight fits what is left of the budget; the
                                   * others, and everyone once it is spent, go without the
                                   * promotion (budget.h) */
} sp_promotion_def;

/* Defaults: 2020-06-01 to 2020-06-18, no category discounted (the caller
 * names at least one), coverage 1, merchants fund everything, announced, no
 * filter, elasticities from the parameters. */
sp_promotion_def sp_promotion_def_default(void);

/* Checks a definition; errors name the field and the value: a window that
 * ends before it starts, a discount outside [0, 1), an elasticity above 0,
 * shares outside 0..1 or not adding up to 1. */
int sp_promotion_validate(const sp_promotion_def *d, sp_err *err);

/* Days of the window inside calendar month `month` (0 outside). */
int sp_promotion_days_in(const sp_promotion_def *d, int month);

/* Own-price elasticity used for category c: the promotion's or the parameter's. */
double sp_promotion_elasticity(const sp_promotion_def *d, const sp_params *p, int c);

/* Share phi of the extra purchases of category c that is moved in time. */
double sp_promotion_substitution(const sp_params *p, int c);

/* What the promotion does to one household in one month. */
typedef struct sp_promotion_outcome {
    double change[SP_NCAT]; /* change in this month's spending by category, yuan (list prices) */
    double deferred;        /* yuan pulled forward from the following months (to be taken back) */
    double sales;           /* purchases made with the discount, yuan at list prices */
    double discount;        /* yuan of discount (government + merchants) */
} sp_promotion_outcome;

/* The promotion's effect on household i in `month`, given its spending of
 * the month spend[] (yuan by category, without this promotion). `before_ok`
 * is 1 when the month before the window is part of the run (the postponed
 * purchases are then taken from it and made in the window; 0 leaves them
 * out on both sides). */
void sp_promotion_effect(const sp_promotion_def *d, const sp_params *p, const sp_population *pop,
                         size_t i, int month, int before_ok, const double spend[SP_NCAT],
                         sp_promotion_outcome *out);

/* The measure kind "promotion". */
extern const sp_measure_ops sp_promotion_measure;

/* Adds a promotion to a package (package.h, sp_package_add). */
int sp_package_add_promotion(sp_package *p, const char *name, const sp_promotion_def *d, sp_err *err);

#endif
