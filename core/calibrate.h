/* calibrate.h: fitting parameters to targets with bands (docs/model.md,
 * section "Calibration and sensitivity").
 *
 * k parameters, each with a closed range [lo, hi] and a start strictly
 * inside it, are fitted to m targets, each a scalar the caller computes from
 * the parameters (the objective callback: x -> target values) with a band
 * [lo, hi] it should fall in. The loss of target j with value y, band
 * [lo, hi], width w = hi - lo and centre c:
 *
 *     L_j = (d / w)^2 + centre_weight * ((y - c) / w)^2,
 *     d   = lo - y below the band, y - hi above it, 0 inside,
 *
 * summed over the targets: a value outside its band costs its squared
 * distance in band widths; the small second term (centre_weight, default
 * 0.01) breaks the ties among parameter values that put every target inside
 * its band, in favour of the centres, so the fit is unique where the bands
 * alone are not. The minimiser is GSL's derivative-free Nelder-Mead simplex
 * (gsl_multimin_fminimizer_nmsimplex2) on z = logit((x - lo) / (hi - lo)),
 * so every point it tries maps back inside the ranges. The caller makes the
 * objective deterministic (in spendsim: the same seed every evaluation,
 * common random numbers), so the simplex sees a fixed function.
 *
 * The callback may fail (return a negative status with err set): the fit
 * stops and returns that status and message. A target value that is not
 * finite is an error naming the target and the parameter values. */
#ifndef SP_CALIBRATE_H
#define SP_CALIBRATE_H

#include "status.h"
#include "table.h"

#define SP_CALIB_MAX_PARAMS 16
#define SP_CALIB_MAX_TARGETS 32
#define SP_CALIB_NAME 48

/* The objective: fills y[0 .. ntargets-1] for parameters x[0 .. nparams-1]
 * (in their own units, inside their ranges). SP_OK, or a negative status
 * with err set. */
typedef int (*sp_calib_fn)(void *ud, const double *x, double *y, sp_err *err);

typedef struct sp_calib_param {
    char name[SP_CALIB_NAME];
    double lo, hi;  /* range, lo < hi, finite */
    double start;   /* lo < start < hi */
} sp_calib_param;

typedef struct sp_calib_target {
    char name[SP_CALIB_NAME];
    double lo, hi;  /* band, lo < hi, finite */
} sp_calib_target;

typedef struct sp_calib_def {
    sp_calib_param params[SP_CALIB_MAX_PARAMS];
    int nparams;                /* 1..SP_CALIB_MAX_PARAMS */
    sp_calib_target targets[SP_CALIB_MAX_TARGETS];
    int ntargets;               /* 1..SP_CALIB_MAX_TARGETS */
    sp_calib_fn fn;
    void *ud;
    int max_iter;               /* simplex iterations, 1..100000 (default 100) */
    double tol;                 /* stop when the simplex size (gsl_multimin_fminimizer_size,
                                 * in logit units) falls below tol (default 1e-3) */
    double step;                /* initial simplex step in logit units (default 0.5) */
    double centre_weight;       /* weight of the distance to the band centres (default 0.01) */
} sp_calib_def;

/* Defaults: no parameters or targets, max_iter 100, tol 1e-3, step 0.5,
 * centre_weight 0.01. */
sp_calib_def sp_calib_def_default(void);

/* Checks the definition: errors name the parameter or target and the value. */
int sp_calib_validate(const sp_calib_def *def, sp_err *err);

/* The loss of target values y against the bands (formula above). */
double sp_calib_loss(const sp_calib_def *def, const double *y);

/* The signed distance of y outside the band [lo, hi]: y - lo below it
 * (negative), y - hi above it (positive), 0 inside. */
double sp_calib_band_residual(double y, double lo, double hi);

typedef struct sp_calib_result {
    int nparams, ntargets;
    char param_names[SP_CALIB_MAX_PARAMS][SP_CALIB_NAME];
    char target_names[SP_CALIB_MAX_TARGETS][SP_CALIB_NAME];
    double band_lo[SP_CALIB_MAX_TARGETS], band_hi[SP_CALIB_MAX_TARGETS];
    double start[SP_CALIB_MAX_PARAMS];
    double lo[SP_CALIB_MAX_PARAMS], hi[SP_CALIB_MAX_PARAMS]; /* the ranges */
    double x[SP_CALIB_MAX_PARAMS];          /* fitted values: the best point evaluated */
    double y[SP_CALIB_MAX_TARGETS];         /* target values there */
    double residual[SP_CALIB_MAX_TARGETS];  /* sp_calib_band_residual of y */
    double loss;                            /* loss there */
    int iterations;                         /* simplex iterations made */
    int converged;                          /* 1: simplex size below tol; 0: max_iter reached */
    double size;                            /* final simplex size (logit units) */
    /* The trace: every evaluation in order, its parameters (nparams per row),
     * target values (ntargets per row) and loss. */
    int nevals;
    double *trace_x, *trace_y, *trace_loss;
} sp_calib_result;

/* Fits. NULL with err on invalid input, a failing or non-finite objective, a
 * GSL failure or no memory. */
sp_calib_result *sp_calibrate(const sp_calib_def *def, sp_err *err);
void sp_calib_result_free(sp_calib_result *r); /* NULL is a no-op */

/* Tables of a fit, for the writers (core/writers/writers.h):
 *   fit:       one row per parameter; columns start, fitted, lo, hi;
 *   residuals: one row per target; columns value, band lo, band hi,
 *              residual (outside the band, signed), inside (1 or 0);
 *   trace:     one row per evaluation ("1", "2", ...); columns the
 *              parameters, the target values, loss. */
sp_table *sp_calib_fit_table(const sp_calib_result *r, sp_err *err);
sp_table *sp_calib_residual_table(const sp_calib_result *r, sp_err *err);
sp_table *sp_calib_trace_table(const sp_calib_result *r, sp_err *err);

#endif
