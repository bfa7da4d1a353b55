/* solve.h: goal-seek, the value of one number at which a scalar result
 * reaches a target.
 *
 * A bracketing root finder (GSL's gsl_root_fsolver_brent) on g(x) = f(x) -
 * target over [lo, hi]. f is a callback: for the experiment it runs the
 * experiment at the point x with the experiment's seed (sweep.h), so every
 * evaluation shares common random numbers and f is a deterministic function
 * of x. Brent's method needs g(lo) and g(hi) of opposite signs (or one of
 * them 0); otherwise the target is outside what [lo, hi] reaches and the
 * error says so with the values reached at the two ends. It stops when the
 * bracketing interval [a, b] satisfies |b - a| <= tol (absolute, in units of
 * x; gsl_root_test_interval with relative tolerance 0) or g is exactly 0,
 * and returns the last iterate: the root lies in the interval. */
#ifndef SP_SOLVE_H
#define SP_SOLVE_H

#include "status.h"

/* f(x) into *y; SP_OK or a negative status with err set (the solve stops
 * and returns it). */
typedef int (*sp_solve_fn)(void *ud, double x, double *y, sp_err *err);

typedef struct sp_solve_def {
    sp_solve_fn f;
    void *ud;
    double lo, hi;     /* the bracket, lo < hi */
    double target;
    double tol;        /* > 0, in units of x */
    int max_iter;      /* 1..1000, default 100 */
    const char *name;  /* what x is, for messages (default "x") */
} sp_solve_def;

typedef struct sp_solve_result {
    double x;          /* the value found */
    double y;          /* f(x) */
    double lo, hi;     /* the final bracketing interval */
    double f_lo, f_hi; /* f at the initial ends */
    int iterations;    /* Brent iterations (each one evaluation of f) */
    int evaluations;   /* evaluations of f, the two ends and the final x included */
    int converged;     /* 1: |hi - lo| <= tol or f(x) = target; 0: max_iter reached */
} sp_solve_result;

sp_solve_def sp_solve_def_default(void);

/* Solves; SP_OK with *out filled (also when max_iter is reached: converged
 * 0), or an error: a bad definition, the callback's error, or SP_ERANGE when
 * the target lies outside f(lo)..f(hi) ("target 3e+08 is outside what budget
 * in [1e+08, 5e+08] reaches: 1.2e+08..2.9e+08"). */
int sp_solve(const sp_solve_def *def, sp_solve_result *out, sp_err *err);

#endif
