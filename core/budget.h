/* budget.h: the budgets of an experiment's packages, and warnings about
 * supply households cannot claim.
 *
 * Every measure that spends public money takes a budget in yuan (the
 * `budget` operation of measure.h): vouchers derive their supply from it,
 * cash transfers their amount or the number of recipients, the car, appliance
 * and credit programmes stop when it is spent (first come first served by
 * keys from the households' own streams, so results do not depend on the
 * thread count). The results carry the sum of each package's budgets beside
 * its government cost (the summary's `budget (yuan)` and `budget used`
 * columns) and the warnings of the measures whose supply exceeds what the
 * eligible households can take (the `oversupply` operation). */
#ifndef SP_BUDGET_H
#define SP_BUDGET_H

#include "package.h"
#include "population.h"
#include "results.h"
#include "status.h"

/* The sum of the budgets of p's measures, yuan (0 when none has one). */
double sp_package_budget(const sp_package *p);

/* Fills res->budgets (one per package, in results order) and appends to
 * res->warnings one line per measure whose supply exceeds what the eligible
 * households of pop can claim ("package 'X', measure 'Y': ..."). Warnings
 * repeated by several packages (the same measure) are listed once per
 * package. */
int sp_budget_record(sp_results *res, const sp_package *const *packages, int npackages,
                     const sp_population *pop, sp_err *err);

/* The share of a budget claims may use: sums of the same payments in
 * another order differ by about 1e-16 of the total, so claims stop this
 * close to the budget and the government cost summed by the engine stays
 * within it. */
#define SP_BUDGET_MARGIN (1.0 - 1e-12)

#endif
