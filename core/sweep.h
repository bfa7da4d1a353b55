/* sweep.h: an experiment evaluated at points, and grids of points.
 *
 * A point is a set of overrides applied to an experiment definition: model
 * parameters by name (params.h), and numbers in the definitions of a
 * package's measures. Every point runs with the experiment's seed and
 * replicates, so all points share common random numbers: two points differ
 * only by what their overrides change, and a point that overrides nothing
 * reproduces the experiment bit for bit.
 *
 * The core knows no measure kind: a measure override names the package and
 * measure and gives the byte offset and type of the number inside the kind's
 * definition struct (the Lua binding finds them through the kind's field
 * reader, see bindings/l_sweep.c; a C caller uses offsetof). The changed
 * measure joins a copy of its package through sp_package_add, so the kind's
 * validation runs again and a bad value is the same error as in its
 * constructor (e.g. "budget must be 0 or a positive amount of yuan, got -1").
 *
 * A grid is the Cartesian product of the value lists of k names; point i
 * takes values[j][(i / stride_j) % count_j] with the last name varying
 * fastest (stride of the last name 1). */
#ifndef SP_SWEEP_H
#define SP_SWEEP_H

#include <stddef.h>

#include "experiment.h"
#include "objective.h"
#include "results.h"
#include "table.h"

#define SP_SWEEP_MAX_NAMES 8
#define SP_SWEEP_MAX_POINTS 10000
#define SP_OVERRIDE_NAME_MAX 300

typedef enum sp_override_kind {
    SP_OVERRIDE_PARAM = 0,  /* a model parameter (sp_params) named `name` */
    SP_OVERRIDE_MEASURE     /* a number in a measure's definition */
} sp_override_kind;

typedef enum sp_override_type {
    SP_OVERRIDE_DOUBLE = 0, /* a double at `offset` */
    SP_OVERRIDE_INT         /* an int at `offset` (the value must be integral) */
} sp_override_type;

typedef struct sp_override {
    sp_override_kind kind;
    char name[SP_OVERRIDE_NAME_MAX]; /* as the analyst wrote it, for messages */
    /* measures only: */
    int package;              /* package index in the experiment */
    int measure;              /* measure index in that package */
    size_t offset;            /* byte offset in the measure's definition */
    sp_override_type type;
    double value;
} sp_override;

/* The experiment def with the overrides applied: *out is a copy of def whose
 * parameters are set and whose packages with a changed measure point to new
 * packages, allocated into owned[0..npackages) (NULL where unchanged; free
 * them with sp_package_free once out is no longer used). Errors (unknown
 * parameter, value out of range, a non-integral int, an offset outside the
 * definition, the kind's validation) name the override's `name` and value;
 * nothing is left allocated on error. */
int sp_point_apply(const sp_experiment_def *def, const sp_override *ov, int n,
                   sp_experiment_def *out, sp_package **owned, sp_err *err);

/* Runs def at the point: sp_point_apply, then sp_experiment_run. NULL with err. */
sp_results *sp_point_run(const sp_experiment_def *def, const sp_override *ov, int n, sp_err *err);

/* A grid over k names, each with its list of values (borrowed). */
typedef struct sp_grid {
    int k;
    const char *names[SP_SWEEP_MAX_NAMES];
    const double *values[SP_SWEEP_MAX_NAMES];
    int counts[SP_SWEEP_MAX_NAMES];
} sp_grid;

/* Checks a grid (1..SP_SWEEP_MAX_NAMES names, distinct, each with at least
 * one finite value, at most SP_SWEEP_MAX_POINTS points) and returns the
 * number of points, or a negative status. */
int sp_grid_points(const sp_grid *g, sp_err *err);

/* The k values of point i into x. */
void sp_grid_point(const sp_grid *g, int i, double *x);

/* "budget=1e+08, mpc_poor_htm=0.5" */
void sp_grid_label(const sp_grid *g, int i, char *buf, size_t n);

/* The table of a sweep: one row per point (label as sp_grid_label), one
 * column per swept name holding its value, then one column "value" holding
 * the objective at that point: mean over replicates and the replicates'
 * 90% / 95% intervals. res[i] are the results of point i (borrowed). */
sp_table *sp_sweep_table(const sp_grid *g, const sp_results *const *res, const sp_objective *o,
                         sp_err *err);

/* The chart table of a sweep: the x axis (columns) is the first name's
 * values; one series (row) per combination of the other names' values (one
 * row "value" when the grid has one name); values are the objective with its
 * intervals. */
sp_table *sp_sweep_chart_table(const sp_grid *g, const sp_results *const *res,
                               const sp_objective *o, sp_err *err);

#endif
