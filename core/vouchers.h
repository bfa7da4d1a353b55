/* vouchers.h: consumption vouchers (docs/model.md section 3).
 *
 * A voucher measure hands out packages of coupons in one month. Claiming is a
 * global step: households that may and want to claim are ranked by keys drawn
 * from their own streams (a rush, a lottery, or handing out to a targeted
 * group), and packages go down the ranking until the supply is exhausted.
 * Redemption is per household, inside the month's household loop:
 *
 *   threshold coupons ("spend K, get F off"), one coupon per purchase:
 *     a planned purchase of at least K inside the window at an accepting
 *     merchant uses a coupon inframarginally (extra spending: a small upgrade
 *     plus the freed F, labelled money for the window as for a cash-like
 *     voucher, the rest at the household's MPC over mpc_months); a smaller
 *     planned purchase z is topped up when K - z <= r F; with no planned
 *     purchase left, a new purchase is made when K <= r F; a topped-up or new
 *     purchase lands at K plus an exponential overshoot (bunching at and
 *     above the notch); otherwise the coupon expires. The tolerance r rises
 *     with the household's consumption and is lower without liquid wealth
 *     (hand-to-mouth), with a log-normal household term. A share of the
 *     induced spending (top-ups and new purchases) is taken back from the
 *     same categories over the following months;
 *   cash-like vouchers (K = 0): every claimed coupon is spent; extra spending is
 *     F x [L + (1 - L) MPC], with the labelled-money effect
 *     L = label_strength x exp(-(window / label_window)^2) spent on the
 *     eligible categories in the month of receipt and the rest spread over
 *     mpc_months.
 *
 * Government and merchants share each redeemed coupon's face value. Units:
 * yuan, coupons, packages (real units: supply counts the city's packages, not
 * sample households). */
#ifndef SP_VOUCHERS_H
#define SP_VOUCHERS_H

#include <stdint.h>

#include "filter.h"
#include "measure.h"
#include "params.h"
#include "population.h"
#include "rng.h"
#include "status.h"


typedef enum sp_claim { SP_CLAIM_FIRST_COME = 0, SP_CLAIM_LOTTERY, SP_CLAIM_TARGETED } sp_claim;

typedef struct sp_voucher_def {
    double face;                /* yuan off per coupon, > 0 */
    double threshold;           /* minimum purchase for one coupon, yuan; 0 = cash-like; else >= face */
    unsigned categories;        /* bit c set: category c is eligible; at least one */
    int start_month;            /* calendar month the vouchers are handed out */
    int start_day;              /* day of the month, 1..28 (window placement only) */
    int window_days;            /* validity in days (1..31), or 0 when window_months is used */
    int window_months;          /* validity in months (1..24) for cash-like vouchers, or 0 */
    double supply;              /* packages available in the city; 0 = as many as claimed */
    int coupons_per_package;    /* >= 1 */
    int cap;                    /* packages per household, >= 1 */
    sp_claim claim;             /* how packages are distributed */
    char filter[SP_FILTER_TEXT_MAX]; /* who may claim ("" = everyone); required for targeted */
    double gov_share;           /* share of the face value paid by government, 0..1 */
    double merchant_share;      /* share paid by merchants; gov_share + merchant_share = 1 */
    double coverage;            /* share of eligible purchases where coupons are accepted; < 0 = parameter voucher_coverage */
    char group[64];             /* claim group: vouchers of one group are claimed with the same keys, so
                                 * the same households get them all (one package of several coupon
                                 * types); "" = the measure claims on its own */
    double budget;              /* yuan of government cost, 0 = none: with a budget the supply is
                                 * at most budget / (face x coupons_per_package x gov_share)
                                 * packages (budget.h), so the cost never exceeds it */
} sp_voucher_def;

/* Defaults: face 10, threshold 0, all categories, start 2020-06 day 1, 14-day
 * window, unlimited supply, 1 coupon per package, cap 1, first come, no filter,
 * government pays all, coverage from the parameters. */
sp_voucher_def sp_voucher_def_default(void);

/* Checks a definition; errors name the field and the value. */
int sp_voucher_validate(const sp_voucher_def *v, sp_err *err);

/* Packages the claim step may hand out, city-wide: the supply, or what the
 * budget pays for (budget / (face x coupons_per_package x gov_share)), the
 * smaller of the two; 0 = unlimited (neither given). */
double sp_voucher_supply(const sp_voucher_def *v);

/* Validity window in months (days / 30.44 for day windows). */
double sp_voucher_window_months(const sp_voucher_def *v);

/* The global claim step. Writes packages held by each household (0..cap) to
 * held[0..n). filter may be NULL (everyone may claim). The packages handed out,
 * sum(weight x held), never exceed the supply, and their government cost if
 * every coupon were redeemed never exceeds SP_BUDGET_MARGIN x budget. id separates the streams of
 * different measures; the same measure in two packages draws the same keys. */
int sp_voucher_claim(const sp_voucher_def *v, const sp_filter *filter, const sp_population *pop,
                     const sp_hstate *state, const sp_params *p, sp_rng_key key, uint32_t id,
                     uint8_t *held, sp_err *err);

/* What one household did with its coupons in the month of the measure. */
typedef struct sp_voucher_outcome {
    double extra[SP_NCAT];  /* extra spending this month by category, yuan */
    double windfall;        /* freed income spent at the MPC over later months (added to pending) */
    double induced;         /* top-ups and new purchases, yuan (a share is taken back later) */
    double claimed, redeemed, expired; /* coupons */
    double transaction_value;          /* value of purchases on which a coupon was used, yuan */
    double face_redeemed;              /* face value of redeemed coupons, yuan */
} sp_voucher_outcome;

/* Redemption by household i holding `packages` packages, given its planned
 * spending and trip counts of the month; cref is the population's mean
 * annual household consumption (yuan), the reference of the tolerance. Draws come from the household's
 * voucher stream for measure id, through the caller's workspace stream r
 * (sp_rng_stream_alloc, allocated once per block of households). */
void sp_voucher_redeem(const sp_voucher_def *v, const sp_params *p, const sp_population *pop,
                       uint32_t i, int packages, const double planned[SP_NCAT],
                       const unsigned trips[SP_NCAT], double cref, sp_rng_key key, uint32_t id,
                       gsl_rng *r, sp_voucher_outcome *out);

/* The measure kind "voucher": per run, the packages each household holds
 * and the population's mean consumption;
 * in start_month the claim step (vouchers of one claim group share their
 * keys), then redemption for the holders inside the household loop. */
extern const sp_measure_ops sp_voucher_measure;

/* Adds a voucher measure to a package (package.h, sp_package_add). */
int sp_package_add_voucher(sp_package *p, const char *name, const sp_voucher_def *v, sp_err *err);

#endif
