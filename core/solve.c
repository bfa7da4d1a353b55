/* solve.c: goal-seek with GSL's Brent solver (solve.h). */
#include "solve.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

sp_solve_def sp_solve_def_default(void)
{
    sp_solve_def d;
    memset(&d, 0, sizeof d);
    d.tol = 1e-6;
    d.max_iter = 100;
    d.name = "x";
    return d;
}

/* GSL's function: g(x) = f(x) - target; the first error stops the solver
 * (GSL sees a NaN and returns GSL_EBADFUNC) and is kept here. */
typedef struct gfn {
    const sp_solve_def *d;
    sp_err *err;
    int rc;
    int evaluations;
    double cx[4], cy[4]; /* the last evaluations: GSL asks for the ends again */
    int ncache;
} gfn;

static double g(double x, void *p)
{
    gfn *s = p;
    if (s->rc != SP_OK)
        return NAN;
    for (int k = 0; k < s->ncache && k < 4; k++)
        if (s->cx[k] == x)
            return s->cy[k] - s->d->target;
    double y = NAN;
    s->evaluations++;
    s->rc = s->d->f(s->d->ud, x, &y, s->err);
    if (s->rc == SP_OK && !isfinite(y))
        s->rc = sp_err_set(s->err, SP_ENUMERIC, "the result at %s = %g is not a finite number (%g)",
                           s->d->name, x, y);
    if (s->rc != SP_OK)
        return NAN;
    s->cx[s->ncache % 4] = x;
    s->cy[s->ncache % 4] = y;
    s->ncache++;
    return y - s->d->target;
}

int sp_solve(const sp_solve_def *d, sp_solve_result *out, sp_err *err)
{
    sp_init(); /* GSL's aborting error handler off: failures come back as codes */
    const char *name = d->name ? d->name : "x";
    if (!d->f)
        return sp_err_set(err, SP_EINVAL, "solve: no function");
    if (!isfinite(d->lo) || !isfinite(d->hi) || !(d->lo < d->hi))
        return sp_err_set(err, SP_EINVAL, "lo must be below hi (both finite), got [%g, %g]", d->lo,
                          d->hi);
    if (!isfinite(d->target))
        return sp_err_set(err, SP_EINVAL, "target must be a finite number, got %g", d->target);
    if (!isfinite(d->tol) || !(d->tol > 0))
        return sp_err_set(err, SP_EINVAL, "tol must be a positive number, got %g", d->tol);
    if (d->max_iter < 1 || d->max_iter > 1000)
        return sp_err_set(err, SP_EINVAL, "max_iter must be between 1 and 1000, got %d", d->max_iter);
    memset(out, 0, sizeof *out);
    gfn s = {d, err, SP_OK, 0, {0}, {0}, 0};
    double glo = g(d->lo, &s);
    double ghi = s.rc == SP_OK ? g(d->hi, &s) : NAN;
    if (s.rc != SP_OK)
        return s.rc;
    out->f_lo = glo + d->target;
    out->f_hi = ghi + d->target;
    out->evaluations = s.evaluations;
    if (glo == 0 || ghi == 0) { /* an end is the answer */
        out->x = glo == 0 ? d->lo : d->hi;
        out->y = glo == 0 ? out->f_lo : out->f_hi;
        out->lo = out->hi = out->x;
        out->converged = 1;
        return SP_OK;
    }
    if ((glo < 0) == (ghi < 0)) {
        double a = fmin(out->f_lo, out->f_hi), b = fmax(out->f_lo, out->f_hi);
        return sp_err_set(err, SP_ERANGE, "target %g is outside what %s in [%g, %g] reaches: %g..%g",
                          d->target, name, d->lo, d->hi, a, b);
    }
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!solver)
        return sp_err_set(err, SP_ENOMEM, "out of memory for the root solver");
    gsl_function fn = {g, &s};
    /* gsl_root_fsolver_set evaluates both ends again: answered from the cache. */
    int status = gsl_root_fsolver_set(solver, &fn, d->lo, d->hi);
    double x = d->lo, a = d->lo, b = d->hi;
    int iter = 0;
    while (status == GSL_SUCCESS && iter < d->max_iter) {
        iter++;
        status = gsl_root_fsolver_iterate(solver);
        if (status != GSL_SUCCESS)
            break;
        x = gsl_root_fsolver_root(solver);
        a = gsl_root_fsolver_x_lower(solver);
        b = gsl_root_fsolver_x_upper(solver);
        if (gsl_root_test_interval(a, b, d->tol, 0) == GSL_SUCCESS) {
            out->converged = 1;
            break;
        }
    }
    gsl_root_fsolver_free(solver);
    if (s.rc != SP_OK)
        return s.rc;
    if (status != GSL_SUCCESS)
        return sp_err_set(err, SP_ENUMERIC, "the root solver failed: %s", gsl_strerror(status));
    double y = g(x, &s) + d->target; /* f at the answer: the cache holds it (Brent's last iterate) */
    if (s.rc != SP_OK)
        return s.rc;
    if (y == d->target)
        out->converged = 1;
    out->x = x;
    out->y = y;
    out->lo = a;
    out->hi = b;
    out->iterations = iter;
    out->evaluations = s.evaluations;
    return SP_OK;
}
