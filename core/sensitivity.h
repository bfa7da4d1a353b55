/* sensitivity.h: global sensitivity of outputs to uncertain inputs
 * (docs/model.md, section "Calibration and sensitivity").
 *
 * Inputs are parameters with a distribution (params.h: uniform(a, b), or
 * normal(a, b) truncated to the parameter's range [lo, hi], as experiments
 * draw them); a design point is a point u of the unit cube, and input i takes
 * the value Q_i(u_i) of its inverse CDF (truncated normal: the normal
 * quantile of Phi(lo') + u (Phi(hi') - Phi(lo')), standardised bounds). The
 * outputs are scalars the caller computes (the callback: x -> outputs).
 *
 * Two methods:
 *  - Morris elementary effects (Morris 1991, with the absolute mean mu* of
 *    Campolongo, Cariboni & Saltelli 2007) for screening: r trajectories on a
 *    p-level grid with step Delta = p / (2 (p - 1)), each a random base point
 *    and one move of +-Delta per input in random order; r (k + 1)
 *    evaluations. Level l is the quantile (l + 1/2) / p (the centre of the
 *    l-th of p equal-probability bins: a normal's levels stay finite), so a
 *    move is half the quantile scale. Per input: mu (mean elementary effect),
 *    mu* (mean absolute effect) and sigma (standard deviation), effects per
 *    unit of the input's quantile scale, so inputs in different units compare.
 *  - Sobol first-order and total indices with the Saltelli design (Saltelli
 *    et al. 2010): matrices A and B from the 2k-dimensional Sobol sequence
 *    (gsl_qrng_sobol, first point skipped), and A_B^i (A with column i from
 *    B); N (k + 2) evaluations. S_i = mean((f(B) - m) (f(A_B^i) - f(A))) / V
 *    (Saltelli 2010, with f(B) centred on m, the mean of f over A and B: the
 *    same expectation, a smaller variance), ST_i = mean((f(A) - f(A_B^i))^2)
 *    / (2 V) (Jansen 1999), V the variance of f over A and B together. 95% intervals by bootstrap
 *    over the N rows (percentiles of `bootstrap` resamples).
 *
 * Evaluations run one after another through the callback; a failing callback
 * stops the analysis with its status and message, a non-finite output is an
 * error naming the output and the input values. */
#ifndef SP_SENSITIVITY_H
#define SP_SENSITIVITY_H

#include <stdint.h>

#include "params.h"
#include "status.h"
#include "table.h"

#define SP_SENS_MAX_INPUTS 20  /* the Sobol sequence of GSL has at most 40 dimensions (2k) */
#define SP_SENS_MAX_OUTPUTS 16
#define SP_SENS_NAME 48

typedef int (*sp_sens_fn)(void *ud, const double *x, double *y, sp_err *err);

typedef struct sp_sens_input {
    char name[SP_SENS_NAME];
    sp_dist_kind kind;  /* SP_DIST_UNIFORM (a = low, b = high) or SP_DIST_NORMAL (a = mean, b = sd) */
    double a, b;
    double lo, hi;      /* truncation range of a normal (the parameter's range); finite */
} sp_sens_input;

typedef enum sp_sens_method { SP_SENS_MORRIS = 1, SP_SENS_SOBOL = 2 } sp_sens_method;

typedef struct sp_sens_def {
    sp_sens_input inputs[SP_SENS_MAX_INPUTS];
    int ninputs;                                   /* 1..SP_SENS_MAX_INPUTS */
    char outputs[SP_SENS_MAX_OUTPUTS][SP_SENS_NAME];
    int noutputs;                                  /* 1..SP_SENS_MAX_OUTPUTS */
    sp_sens_fn fn;
    void *ud;
    sp_sens_method method;
    int n;          /* Morris: trajectories r (2..10000, default 10); Sobol: base sample N (2..1e6, default 256) */
    int levels;     /* Morris: grid levels p, even, 2..100 (default 4) */
    int bootstrap;  /* Sobol: bootstrap resamples for the intervals, 0 (none) or 10..100000 (default 200) */
    uint32_t seed;  /* Morris trajectories and bootstrap resamples */
} sp_sens_def;

/* Defaults: Morris, n 10, levels 4, bootstrap 200, seed 1, no inputs or outputs. */
sp_sens_def sp_sens_def_default(void);

int sp_sens_validate(const sp_sens_def *def, sp_err *err);

/* The value of input in at quantile u in [0, 1] (the bounds give the range). */
double sp_sens_quantile(const sp_sens_input *in, double u);

typedef struct sp_sens_result {
    sp_sens_method method;
    int ninputs, noutputs, n, levels, bootstrap;
    char input_names[SP_SENS_MAX_INPUTS][SP_SENS_NAME];
    char output_names[SP_SENS_MAX_OUTPUTS][SP_SENS_NAME];
    /* Indices, output-major: element [o * ninputs + i]. */
    double *mu, *mu_star, *sigma;                  /* Morris (NULL for Sobol) */
    double *s1, *s1_lo, *s1_hi, *st, *st_lo, *st_hi; /* Sobol (NULL for Morris); intervals NaN without bootstrap */
    double mean[SP_SENS_MAX_OUTPUTS], variance[SP_SENS_MAX_OUTPUTS]; /* of the outputs over the design */
    /* The design: every evaluation's inputs (ninputs per row) and outputs (noutputs per row). */
    int nevals;
    double *x, *y;
} sp_sens_result;

/* Runs the analysis. NULL with err on invalid input, a failing or non-finite
 * callback, or no memory. */
sp_sens_result *sp_sensitivity(const sp_sens_def *def, sp_err *err);
void sp_sens_result_free(sp_sens_result *r); /* NULL is a no-op */

/* The indices of one output (0-based) as a table, one row per input:
 * Morris: mu*, mu, sigma; Sobol: S1, S1 lo95, S1 hi95, ST, ST lo95, ST hi95. */
sp_table *sp_sens_table(const sp_sens_result *r, int output, sp_err *err);

/* Writes a self-contained HTML page (no scripts, no outside resources) with,
 * per output, a tornado chart (inputs sorted by mu* or ST, bars of mu* and
 * sigma or of ST and S1 with the intervals) and the index table; atomically. */
int sp_sens_write_html(const sp_sens_result *r, const char *title, const char *path, sp_err *err);

#endif
