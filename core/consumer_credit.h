/* consumer_credit.h: a consumer credit product (docs/model.md section 11).
 *
 * From start_month to end_month, households of the filter without a loan of
 * this product may borrow up to `limit` yuan for a need of the product's
 * purpose, at the annual contract rate `rate`, repaid in equal monthly
 * instalments over `term` months (the last one clears the balance, so every
 * loan is repaid in full). The government may pay an interest subsidy of
 * `subsidy_rate` a year on the outstanding balance (at most the contract
 * rate), at most `subsidy_cap` yuan per loan.
 *
 * Needs. In a month a household has a need it meets anyway with probability
 * q (home improvement: the stationary renovation hazard of durables.h;
 * durables: the stationary replacement rate of the appliance stock; general:
 * the parameter credit_need_rate). A hand-to-mouth household has latent needs
 * q / credit_cash_htm of which only q are met without credit; a household
 * without a liquidity constraint meets all of them. The need costs C yuan
 * (log-normal: renovation_cost_share, the appliance price or
 * credit_need_share of annual income; log-sd credit_need_sigma).
 *  - A need met anyway is financed by a loan of min(C, limit) with
 *    probability credit_takeup_htm or credit_takeup_nhtm: no spending changes
 *    now (the loan replaces cash), and the interest subsidy it receives is a
 *    windfall spent at the household's MPC.
 *  - A constrained need (u between q and q / credit_cash_htm) is met when the
 *    loan covers it (C <= limit) with probability credit_takeup_constrained:
 *    C yuan of spending now, financed by a loan of C, and the household's
 *    spending falls by each instalment net of the interest subsidy until the
 *    loan is repaid.
 * Take-up probabilities are multiplied by exp(credit_rate_semielasticity x
 * the interest subsidy in percentage points) (at most 1). Households without
 * a liquidity constraint therefore barely change their spending, as Gross &
 * Souleles (2002) find far from the limit. Units: yuan, shares a year,
 * months. */
#ifndef SP_CONSUMER_CREDIT_H
#define SP_CONSUMER_CREDIT_H

#include "filter.h"
#include "measure.h"
#include "status.h"

typedef enum sp_credit_purpose {
    SP_CREDIT_HOME_IMPROVEMENT = 0, /* renovation works and furnishing (half housing, half household goods) */
    SP_CREDIT_DURABLES = 1,         /* appliances (household goods) */
    SP_CREDIT_GENERAL = 2,          /* any spending (every category, by the household's shares) */
    SP_NCREDIT_PURPOSE
} sp_credit_purpose;

/* "home_improvement", "durables", "general"; lookup -1 when unknown. */
const char *sp_credit_purpose_name(int purpose);
int sp_credit_purpose_find(const char *name);

typedef struct sp_consumer_credit_def {
    sp_credit_purpose purpose;
    double limit;        /* yuan per loan, > 0 */
    double rate;         /* annual contract rate, 0..1 */
    int term;            /* months, 1..360 */
    double subsidy_rate; /* annual interest subsidy on the balance, 0..rate */
    double subsidy_cap;  /* yuan per loan, 0 = none */
    int start_month, end_month; /* months loans are offered, inclusive */
    char filter[SP_FILTER_TEXT_MAX]; /* eligible households ("" = every household) */
    double budget;       /* yuan of interest subsidy for the whole programme, 0 = none: each
                          * month's new loans are ranked first come (keys from the households'
                          * own streams) and admitted while the subsidy they commit over their
                          * whole term fits what is left; the programme then stops lending */
} sp_consumer_credit_def;

/* Defaults: a home-improvement loan of up to 50,000 yuan at 3% a year over 24
 * months with the 2025 national interest subsidy of 1 percentage point, at
 * most 3,000 yuan per loan (SCIO 2025-08-13), offered 2025-09 to 2026-08. */
sp_consumer_credit_def sp_consumer_credit_def_default(void);
int sp_consumer_credit_validate(const sp_consumer_credit_def *d, sp_err *err);

/* One month of a loan: before it, *balance yuan outstanding with *left
 * instalments to go (left >= 1). Pays the instalment (the annuity of the
 * loan's amount, rate and term; the whole balance with interest in the last
 * month) and returns it; *interest receives the month's interest. */
double sp_consumer_credit_pay(double annuity, double rate, double *balance, int *left,
                              double *interest);

/* The interest subsidy a new loan of `amount` yuan receives over its whole
 * term (the sum of the household step's payments: the subsidy rate on the
 * balance, within subsidy_cap), yuan. */
double sp_consumer_credit_commitment(const sp_consumer_credit_def *d, double amount);

/* The equal monthly instalment of a loan of `amount` yuan at annual rate
 * `rate` over `term` months. */
double sp_consumer_credit_annuity(double amount, double rate, int term);

/* The measure kind "consumer_credit". */
extern const sp_measure_ops sp_consumer_credit_measure;

int sp_package_add_consumer_credit(sp_package *p, const char *name, const sp_consumer_credit_def *d,
                                   sp_err *err);

#endif
