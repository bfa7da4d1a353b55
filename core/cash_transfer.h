/* cash_transfer.h: the cash transfer measure (docs/model.md section 6).
 *
 * `amount` yuan to every household of a target group (filter) in start_month.
 * The household spends amount x MPC (the parameter mpc of its liquidity type)
 * evenly over `months` months (0 = the parameter mpc_months) through the
 * engine's windfall carry-over (sp_hstate pending). The government's cost is
 * the amount. With a budget (budget.h): without an amount, every household of
 * the group receives budget x SP_BUDGET_MARGIN / (the group's households,
 * weighted, in start_month); with an amount, recipients are capped: the group
 * is ranked by keys from the households' own streams and paid down the
 * ranking until the next payment would exceed the budget (the programme then
 * stops). Units: yuan, calendar months. */
#ifndef SP_CASH_TRANSFER_H
#define SP_CASH_TRANSFER_H

#include <stddef.h>

#include "filter.h"
#include "measure.h"
#include "params.h"
#include "population.h"
#include "rng.h"
#include "status.h"

typedef struct sp_cash_transfer_def {
    double amount;       /* yuan per household, > 0; 0 = budget / the group's households */
    int start_month;     /* calendar month of payment */
    int months;          /* spending spread, 1..24 months; 0 = parameter mpc_months */
    char filter[SP_FILTER_TEXT_MAX]; /* target group ("" = every household) */
    double budget;       /* yuan for the whole transfer, 0 = none (then amount is required) */
} sp_cash_transfer_def;

/* Defaults: 1,000 yuan, 2020-07, months from the parameters, everyone. */
sp_cash_transfer_def sp_cash_transfer_def_default(void);
int sp_cash_transfer_validate(const sp_cash_transfer_def *d, sp_err *err);

/* Extra spending the transfer causes for household i: amount x MPC (yuan). */
double sp_cash_transfer_windfall(const sp_cash_transfer_def *d, const sp_params *p,
                                 const sp_population *pop, size_t i);

/* Pays household i (call it in start_month for the households of the target
 * group): adds the windfall to st->pending and sets st->pending_months to the
 * spread (or keeps a longer one already running). Returns the government's
 * cost for this sample household, amount yuan (multiply by the weight). */
double sp_cash_transfer_apply(const sp_cash_transfer_def *d, const sp_params *p,
                              const sp_population *pop, sp_hstate *st, size_t i);

/* The payment step of a transfer with a budget or without: mask[i] (n bytes,
 * 1 = in the target group, as the filter left it) becomes 1 for the
 * households paid; *amount receives the yuan each is paid (d->amount, or the
 * budget shared out when d->amount is 0: budget x SP_BUDGET_MARGIN / the
 * group's weighted households, 0 for an empty group). Recipients of a given
 * amount under a budget are ranked by keys drawn from their streams
 * (SP_PURPOSE_TRANSFER, measure id, start month), lowest first. *cost
 * receives the government cost, weighted yuan. */
int sp_cash_transfer_pay(const sp_cash_transfer_def *d, const sp_population *pop,
                         sp_rng_key key, uint32_t id, uint8_t *mask, double *amount, double *cost,
                         sp_err *err);

/* The measure kind "cash_transfer". */
extern const sp_measure_ops sp_cash_transfer_measure;

/* Adds a cash transfer to a package (package.h, sp_package_add). */
int sp_package_add_cash_transfer(sp_package *p, const char *name, const sp_cash_transfer_def *d,
                                 sp_err *err);

#endif
