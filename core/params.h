/* params.h: behavioural parameters with defaults, ranges and sources.
 *
 * One parameter set serves every scenario: nothing here is keyed to a
 * particular programme. Each field has an entry in the descriptor table
 * (sp_param_table) with its name as used in Lua and on the command line, its
 * default, its admissible range, its unit and its source; docs/model.md lists
 * the same table. */
#ifndef SP_PARAMS_H
#define SP_PARAMS_H

#include <stddef.h>

#include "category.h"
#include "group.h"
#include "status.h"

typedef struct sp_params {
    double growth;                 /* annual growth factor of nominal consumption */
    double trips[SP_NCAT];         /* mean shopping trips (purchase occasions) per month */
    double trip_cv;                /* coefficient of variation of one trip's size */
    double season_amplitude;       /* scales the seasonal deviations (1 = as tabulated) */
    double mpc[SP_NLIQ];           /* marginal propensity to consume a transitory windfall, by liquidity type */
} sp_params;

typedef struct sp_param_info {
    const char *name;   /* e.g. "growth", "trips_food", "mpc_poor_htm" */
    size_t offset;      /* byte offset of the double in sp_params */
    double def, lo, hi; /* default and admissible closed range */
    const char *unit;
    const char *source; /* where the default comes from */
} sp_param_info;

sp_params sp_params_default(void);

/* The descriptor table; *count receives its length. */
const sp_param_info *sp_param_table(size_t *count);

/* Looks a parameter up by name: NULL if unknown. */
const sp_param_info *sp_param_find(const char *name);

/* Sets a parameter by name after checking its range. Errors name the
 * parameter and the value (unknown name, out of range, not finite). */
int sp_params_set(sp_params *p, const char *name, double value, sp_err *err);

/* Reads a parameter by name into *value. */
int sp_params_get(const sp_params *p, const char *name, double *value, sp_err *err);

/* Checks every parameter against its range. */
int sp_params_validate(const sp_params *p, sp_err *err);

#endif
