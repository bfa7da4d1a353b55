/* design_range.h: the measure designs the model was calibrated on.
 *
 * The one place that says how far the evidence behind the model reaches: for
 * each measure kind, the design quantities (a coupon's threshold and face
 * value, its discount rate and window; a scrappage subsidy's amount or share
 * of the price) and the range of published programmes the model's
 * behavioural parameters were calibrated or checked on, with the programmes
 * named (data/consumption_voucher_programs.csv,
 * data/scrappage_tradein_programs.csv, data/validation_targets.csv;
 * docs/model.md, "Designs outside the evidence"). A design outside its range
 * still runs: the experiment adds a warning to its results (the summary,
 * the CLI and the report show it), because the result is an extrapolation
 * of the calibrated responses, not something the evidence speaks to.
 *
 * A kind reports its design quantities through its `design` operation
 * (measure.h); this file names kinds only as data, in the table. */
#ifndef SP_DESIGN_RANGE_H
#define SP_DESIGN_RANGE_H

#include <stddef.h>

#include "status.h"

struct sp_package;
struct sp_results;

/* One design quantity of a measure definition, e.g. {"threshold", 8000}. */
typedef struct sp_design_value {
    const char *field; /* as in the range table (and the Lua key where there is one) */
    double value;
} sp_design_value;

typedef struct sp_design_range {
    const char *kind;     /* measure kind, e.g. "voucher" */
    const char *field;    /* design quantity, e.g. "threshold" */
    double lo, hi;        /* the calibrated range, closed */
    const char *unit;     /* "yuan", "share", "days" */
    const char *evidence; /* the programmes the range comes from */
} sp_design_range;

/* The table; *count receives its length. */
const sp_design_range *sp_design_ranges(size_t *count);

/* The range of (kind, field), or NULL when the evidence gives none. */
const sp_design_range *sp_design_range_find(const char *kind, const char *field);

/* Adds to res one warning for each design quantity of a measure of the
 * packages that lies outside its range, each measure (by name) once:
 * "voucher 'Big coupons' (package Plan): threshold 8,000 yuan lies outside
 * the designs the model was calibrated on (40 to 6,000 yuan: ...)". */
int sp_design_warn(struct sp_results *res, const struct sp_package *const *packages, int npackages,
                   sp_err *err);

#endif
