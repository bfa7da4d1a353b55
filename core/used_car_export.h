/* used_car_export.h: easier transfer of used cars out of Beijing
 * (docs/model.md section 12; Beijing's 2020 plan, and nationally the removal
 * of the China-V relocation limits on 1 August 2022).
 *
 * Inside the window, an owner whose oldest car qualifies (its China emission
 * standard is one of `standards`, its age lies in min_age..max_age months) and
 * who passes the household filter gains, when it replaces that car, a higher
 * resale value (value_gain x the car's used value + value_gain_amount) and
 * lower transaction costs (transaction_cost), all yuan, plus a transfer
 * subsidy from the government (subsidy yuan per car, first come first served
 * within budget; 0 = none). The car's used value is the household's
 * reference price of a car x (1 - used_car_depreciation)^(age in years). The
 * measure registers a resale term with the car market (cars.h,
 * sp_car_resale): the gain raises the replacement hazards as a trade-in
 * subsidy of resale_value_response x the gain would (timing, through the
 * calibrated subsidy response) and lowers what the household pays for its new
 * car; the qualifying cars replaced in the window leave Beijing with
 * probability export_share (other replaced cars: used_car_export_share).
 *
 * Outputs (car market metrics): used_cars_exported, replacements,
 * resale_gain, transfer_subsidy (in government_cost). Without a subsidy the
 * government cost is zero. Units: yuan, months, calendar months. Randomness:
 * the car market's draws; the subsidy's first-come keys from the households'
 * own streams keyed by the measure's id. At most one per package. */
#ifndef SP_USED_CAR_EXPORT_H
#define SP_USED_CAR_EXPORT_H

#include "cars.h"
#include "filter.h"
#include "measure.h"
#include "status.h"

/* China emission standards a car may have (population.h: 2 = China II or
 * older, 3..6 = China III..6; NEVs count as 6). */
enum { SP_EMISSION_MIN = 2, SP_EMISSION_MAX = 6 };

typedef struct sp_used_car_export_def {
    int start_month, end_month; /* first and last month, end not before start */
    unsigned standards;         /* bit s: cars of China emission standard s qualify (s in 2..6); at least one */
    int min_age, max_age;       /* months: a qualifying car's age lies in min_age..max_age
                                 * (max_age 0 = no upper limit); 0..1200 */
    double value_gain;          /* share of the car's used value gained (higher resale price), 0..1 */
    double value_gain_amount;   /* yuan of resale value gained per car, >= 0 */
    double transaction_cost;    /* yuan of transaction costs saved per car, >= 0 */
    double subsidy;             /* yuan per car transferred out, paid by the government, >= 0 */
    double budget;              /* yuan for the subsidy, city-wide; 0 = unlimited */
    double export_share;        /* share of the qualifying cars replaced in the window that are sold
                                 * out of Beijing, 0..1 */
    char filter[SP_FILTER_TEXT_MAX]; /* households reached ("" = every owner) */
} sp_used_car_export_def;

/* Defaults (the 2020 design as assumed in scenario 06): 2020-06 to 2022-12,
 * China IV and V cars of 6 to 12 years, 10% of the used value gained, 1,000
 * yuan of transaction costs saved, no subsidy, export share 0.65 (the status
 * quo's 0.6 plus N21's +5 percentage points), everyone. */
sp_used_car_export_def sp_used_car_export_def_default(void);

/* Checks a definition; errors name the field and the value. */
int sp_used_car_export_validate(const sp_used_car_export_def *d, sp_err *err);

/* The China emission standard named `name` ("II" .. "V", "VI" or "6"; "II"
 * stands for China II or older), or -1. */
int sp_emission_standard_find(const char *name);
/* Its name ("II" .. "VI"), "?" outside 2..6. */
const char *sp_emission_standard_name(int s);

/* 1 when a car of `age` months and car_kind `kind` (population.h) qualifies. */
int sp_used_car_export_eligible(const sp_used_car_export_def *d, int age, unsigned kind);

/* Net trade-in value gained on a qualifying car of used value `value` yuan:
 * value_gain x value + value_gain_amount + transaction_cost, yuan. */
double sp_used_car_export_gain(const sp_used_car_export_def *d, double value);

/* The car market's resale term of definition d with its compiled filter
 * (NULL = every owner) and stream id; d and filter are borrowed. */
sp_car_resale sp_used_car_export_resale(const sp_used_car_export_def *d, const sp_filter *filter,
                                        uint32_t id);

/* The measure kind "used_car_export": at most one in a package. */
extern const sp_measure_ops sp_used_car_export_measure;

/* Adds a used-car export measure to a package (package.h, sp_package_add). */
int sp_package_add_used_car_export(sp_package *p, const char *name, const sp_used_car_export_def *d,
                                   sp_err *err);

#endif
