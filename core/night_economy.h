/* night_economy.h: the night economy (docs/model.md section 9).
 *
 * Extended opening hours and night events at the venues of chosen categories
 * (restaurants, malls, sights: Beijing's 2019 "night Beijing" measures) make
 * evening trips cheaper. At the venues taking part, a share `coverage` of a
 * household's spending in a covered category, the evening share n0 (the
 * parameters night_share_dining or night_share_shopping by category) is
 * spent 18:00-06:00. Each extra opening hour raises evening spending there by
 * the share night_hour_lift: R = n0 x coverage x spend x hours x lift. Of R,
 * the share night_net_share is new spending (the household spends more);
 * the rest is moved from daytime (the category's total is unchanged). The
 * net-new share is the uncertain part: its default is a distribution drawn
 * per replicate (its operations' default distributions, measure.h).
 *
 * Outputs: night_spending (evening spending at the venues), night_venue_spending
 * (all spending there), night_shifted (moved from daytime); the change in the
 * categories is the new part. No government cost is modelled (the measure is
 * regulatory). Units: yuan, hours per evening, calendar months. Randomness:
 * none. */
#ifndef SP_NIGHT_ECONOMY_H
#define SP_NIGHT_ECONOMY_H

#include "category.h"
#include "filter.h"
#include "measure.h"
#include "params.h"
#include "status.h"

typedef struct sp_night_economy_def {
    int start_month, end_month;  /* first and last month of the measure, end not before start */
    unsigned categories;         /* bit c: venues of category c take part; at least one */
    double hours;                /* extra opening hours per evening, 0 < hours <= 12 */
    double coverage;             /* share of the categories' spending made at the venues taking
                                  * part, 0 < coverage <= 1 */
    char filter[SP_FILTER_TEXT_MAX]; /* households reached ("" = everyone) */
} sp_night_economy_def;

/* Defaults: 2019-07 to 2019-12, food and education (dining, leisure), two
 * hours, coverage 1, everyone. */
sp_night_economy_def sp_night_economy_def_default(void);

/* Checks a definition; errors name the field and the value. */
int sp_night_economy_validate(const sp_night_economy_def *d, sp_err *err);

/* Evening share of spending at the venues of category c (the parameter of its
 * kind of venue: shops for clothing, household goods and other; dining and
 * leisure for the rest). */
double sp_night_share(const sp_params *p, int c);

/* What the measure does to one household in one month. */
typedef struct sp_night_outcome {
    double change[SP_NCAT]; /* new spending by category, yuan */
    double night;           /* evening spending at the venues, yuan (with the measure) */
    double venue;           /* all spending at the venues, yuan (with the measure) */
    double shifted;         /* evening spending moved from daytime, yuan */
} sp_night_outcome;

/* The effect on a household whose spending of the month is spend[] (yuan by
 * category, without this measure). */
void sp_night_effect(const sp_night_economy_def *d, const sp_params *p, const double spend[SP_NCAT],
                     sp_night_outcome *out);

/* The measure kind "night_economy". */
extern const sp_measure_ops sp_night_economy_measure;

/* Adds a night-economy measure to a package (package.h, sp_package_add). */
int sp_package_add_night_economy(sp_package *p, const char *name, const sp_night_economy_def *d,
                                 sp_err *err);

#endif
