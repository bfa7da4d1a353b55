/* calibrate.c: Nelder-Mead on logit-mapped parameters against banded targets. */
#include "calibrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

sp_calib_def sp_calib_def_default(void)
{
    sp_calib_def d;
    memset(&d, 0, sizeof d);
    d.max_iter = 100;
    d.tol = 1e-3;
    d.step = 0.5;
    d.centre_weight = 0.01;
    return d;
}

int sp_calib_validate(const sp_calib_def *d, sp_err *err)
{
    if (d->nparams < 1 || d->nparams > SP_CALIB_MAX_PARAMS)
        return sp_err_set(err, SP_EINVAL, "calibration needs 1..%d parameters, got %d",
                          SP_CALIB_MAX_PARAMS, d->nparams);
    if (d->ntargets < 1 || d->ntargets > SP_CALIB_MAX_TARGETS)
        return sp_err_set(err, SP_EINVAL, "calibration needs 1..%d targets, got %d",
                          SP_CALIB_MAX_TARGETS, d->ntargets);
    if (!d->fn)
        return sp_err_set(err, SP_EINVAL, "calibration has no objective");
    for (int k = 0; k < d->nparams; k++) {
        const sp_calib_param *p = &d->params[k];
        if (!isfinite(p->lo) || !isfinite(p->hi) || !(p->lo < p->hi))
            return sp_err_set(err, SP_EINVAL,
                              "parameter '%s': the range must be finite with lo < hi, got [%g, %g]",
                              p->name, p->lo, p->hi);
        if (!(p->start > p->lo && p->start < p->hi))
            return sp_err_set(err, SP_EINVAL,
                              "parameter '%s': start %g must lie strictly inside the range [%g, %g]",
                              p->name, p->start, p->lo, p->hi);
        for (int j = 0; j < k; j++)
            if (strcmp(d->params[j].name, p->name) == 0)
                return sp_err_set(err, SP_EINVAL, "parameter '%s' is given twice", p->name);
    }
    for (int k = 0; k < d->ntargets; k++) {
        const sp_calib_target *t = &d->targets[k];
        if (!isfinite(t->lo) || !isfinite(t->hi) || !(t->lo < t->hi))
            return sp_err_set(err, SP_EINVAL,
                              "target '%s': the band must be finite with lo < hi, got [%g, %g]",
                              t->name, t->lo, t->hi);
    }
    if (d->max_iter < 1 || d->max_iter > 100000)
        return sp_err_set(err, SP_EINVAL, "max_iter must be between 1 and 100000, got %d",
                          d->max_iter);
    if (!(d->tol > 0) || !isfinite(d->tol))
        return sp_err_set(err, SP_EINVAL, "tol must be positive, got %g", d->tol);
    if (!(d->step > 0) || !isfinite(d->step))
        return sp_err_set(err, SP_EINVAL, "step must be positive, got %g", d->step);
    if (!(d->centre_weight >= 0) || !isfinite(d->centre_weight))
        return sp_err_set(err, SP_EINVAL, "centre_weight must be 0 or more, got %g",
                          d->centre_weight);
    return SP_OK;
}

double sp_calib_band_residual(double y, double lo, double hi)
{
    return y < lo ? y - lo : y > hi ? y - hi : 0.0;
}

double sp_calib_loss(const sp_calib_def *d, const double *y)
{
    double s = 0;
    for (int j = 0; j < d->ntargets; j++) {
        double lo = d->targets[j].lo, hi = d->targets[j].hi, w = hi - lo;
        double out = sp_calib_band_residual(y[j], lo, hi) / w;
        double c = (y[j] - 0.5 * (lo + hi)) / w;
        s += out * out + d->centre_weight * c * c;
    }
    return s;
}

/* ---- the objective GSL sees ---- */

typedef struct ctx {
    const sp_calib_def *def;
    sp_calib_result *res;
    int cap;          /* rows allocated in the trace */
    int failed;       /* a status: the objective failed, stop */
    sp_err *err;
    double best;      /* lowest loss so far */
} ctx;

static double to_x(const sp_calib_param *p, double z)
{
    /* logistic, written so that neither branch overflows */
    double s = z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
    double x = p->lo + (p->hi - p->lo) * s;
    return x < p->lo ? p->lo : x > p->hi ? p->hi : x;
}

static double to_z(const sp_calib_param *p, double x)
{
    double u = (x - p->lo) / (p->hi - p->lo);
    return log(u / (1.0 - u));
}

static int grow(ctx *c)
{
    sp_calib_result *r = c->res;
    if (r->nevals < c->cap)
        return SP_OK;
    int cap = c->cap ? 2 * c->cap : 64;
    double *tx = realloc(r->trace_x, (size_t)cap * r->nparams * sizeof *tx);
    if (tx)
        r->trace_x = tx;
    double *ty = realloc(r->trace_y, (size_t)cap * r->ntargets * sizeof *ty);
    if (ty)
        r->trace_y = ty;
    double *tl = realloc(r->trace_loss, (size_t)cap * sizeof *tl);
    if (tl)
        r->trace_loss = tl;
    if (!tx || !ty || !tl)
        return sp_err_set(c->err, SP_ENOMEM, "out of memory for the calibration trace");
    c->cap = cap;
    return SP_OK;
}

static double objective(const gsl_vector *z, void *params)
{
    ctx *c = params;
    if (c->failed)
        return GSL_NAN;
    const sp_calib_def *d = c->def;
    sp_calib_result *r = c->res;
    int rc = grow(c);
    if (rc != SP_OK) {
        c->failed = rc;
        return GSL_NAN;
    }
    double *x = r->trace_x + (size_t)r->nevals * d->nparams;
    double *y = r->trace_y + (size_t)r->nevals * d->ntargets;
    for (int k = 0; k < d->nparams; k++)
        x[k] = to_x(&d->params[k], gsl_vector_get(z, (size_t)k));
    rc = d->fn(d->ud, x, y, c->err);
    if (rc != SP_OK) {
        c->failed = rc < 0 ? rc : SP_EINVAL;
        return GSL_NAN;
    }
    for (int j = 0; j < d->ntargets; j++)
        if (!isfinite(y[j])) {
            char at[512] = "";
            for (int k = 0; k < d->nparams; k++) {
                size_t l = strlen(at);
                snprintf(at + l, sizeof at - l, "%s%s = %g", k ? ", " : "", d->params[k].name, x[k]);
            }
            c->failed = sp_err_set(c->err, SP_ENUMERIC,
                                   "target '%s' is not a finite number (%g) at %s",
                                   d->targets[j].name, y[j], at);
            return GSL_NAN;
        }
    double loss = sp_calib_loss(d, y);
    r->trace_loss[r->nevals] = loss;
    if (r->nevals == 0 || loss < c->best) { /* the best point evaluated: the fit */
        c->best = loss;
        memcpy(r->x, x, (size_t)d->nparams * sizeof *x);
        memcpy(r->y, y, (size_t)d->ntargets * sizeof *y);
        r->loss = loss;
    }
    r->nevals++;
    return loss;
}

sp_calib_result *sp_calibrate(const sp_calib_def *d, sp_err *err)
{
    sp_init();
    if (sp_calib_validate(d, err) != SP_OK)
        return NULL;
    sp_calib_result *r = calloc(1, sizeof *r);
    gsl_vector *z = gsl_vector_alloc((size_t)d->nparams);
    gsl_vector *step = gsl_vector_alloc((size_t)d->nparams);
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)d->nparams);
    if (!r || !z || !step || !s) {
        sp_err_set(err, SP_ENOMEM, "out of memory for the calibration");
        goto fail;
    }
    r->nparams = d->nparams;
    r->ntargets = d->ntargets;
    for (int k = 0; k < d->nparams; k++) {
        memcpy(r->param_names[k], d->params[k].name, SP_CALIB_NAME);
        r->param_names[k][SP_CALIB_NAME - 1] = '\0';
        r->start[k] = d->params[k].start;
        r->lo[k] = d->params[k].lo;
        r->hi[k] = d->params[k].hi;
        gsl_vector_set(z, (size_t)k, to_z(&d->params[k], d->params[k].start));
    }
    for (int j = 0; j < d->ntargets; j++) {
        memcpy(r->target_names[j], d->targets[j].name, SP_CALIB_NAME);
        r->target_names[j][SP_CALIB_NAME - 1] = '\0';
        r->band_lo[j] = d->targets[j].lo;
        r->band_hi[j] = d->targets[j].hi;
    }
    gsl_vector_set_all(step, d->step);
    ctx c = {.def = d, .res = r, .err = err};
    gsl_multimin_function f = {.f = objective, .n = (size_t)d->nparams, .params = &c};
    int rc = gsl_multimin_fminimizer_set(s, &f, z, step);
    if (c.failed)
        goto fail;
    if (rc != GSL_SUCCESS) {
        sp_err_set(err, SP_ENUMERIC, "calibration: the simplex could not start: %s",
                   gsl_strerror(rc));
        goto fail;
    }
    for (int it = 0; it < d->max_iter; it++) {
        rc = gsl_multimin_fminimizer_iterate(s);
        if (c.failed)
            goto fail;
        r->iterations = it + 1;
        if (rc != GSL_SUCCESS) {
            sp_err_set(err, SP_ENUMERIC, "calibration: simplex iteration %d failed: %s", it + 1,
                       gsl_strerror(rc));
            goto fail;
        }
        r->size = gsl_multimin_fminimizer_size(s);
        if (gsl_multimin_test_size(r->size, d->tol) == GSL_SUCCESS) {
            r->converged = 1;
            break;
        }
    }
    for (int j = 0; j < d->ntargets; j++)
        r->residual[j] = sp_calib_band_residual(r->y[j], d->targets[j].lo, d->targets[j].hi);
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(z);
    gsl_vector_free(step);
    return r;
fail:
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(z);
    gsl_vector_free(step);
    sp_calib_result_free(r);
    return NULL;
}

void sp_calib_result_free(sp_calib_result *r)
{
    if (!r)
        return;
    free(r->trace_x);
    free(r->trace_y);
    free(r->trace_loss);
    free(r);
}

/* ---- tables ---- */

static sp_table *new_table(size_t nrows, size_t ncols, const char *title, const char *unit,
                           const char *header, const char *const *cols, sp_err *err)
{
    sp_table *t = sp_table_alloc(nrows, ncols, err);
    if (!t)
        return NULL;
    int rc = sp_table_set_text(&t->title, title, err);
    rc = rc ? rc : sp_table_set_text(&t->unit, unit, err);
    rc = rc ? rc : sp_table_set_text(&t->row_header, header, err);
    for (size_t k = 0; cols && k < ncols && !rc; k++)
        rc = sp_table_set_text(&t->col_labels[k], cols[k], err);
    if (rc) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}

sp_table *sp_calib_fit_table(const sp_calib_result *r, sp_err *err)
{
    static const char *const cols[] = {"start", "fitted", "lo", "hi"};
    sp_table *t = new_table((size_t)r->nparams, 4, "Calibration: fitted parameters",
                            "parameter units", "parameter", cols, err);
    if (!t)
        return NULL;
    for (int k = 0; k < r->nparams; k++) {
        if (sp_table_set_text(&t->row_labels[k], r->param_names[k], err)) {
            sp_table_free(t);
            return NULL;
        }
        double *v = t->values + (size_t)k * 4;
        v[0] = r->start[k];
        v[1] = r->x[k];
        v[2] = r->lo[k];
        v[3] = r->hi[k];
    }
    return t;
}

sp_table *sp_calib_residual_table(const sp_calib_result *r, sp_err *err)
{
    static const char *const cols[] = {"value", "band lo", "band hi", "residual", "inside"};
    sp_table *t = new_table((size_t)r->ntargets, 5, "Calibration: targets against their bands",
                            "target units", "target", cols, err);
    if (!t)
        return NULL;
    for (int j = 0; j < r->ntargets; j++) {
        if (sp_table_set_text(&t->row_labels[j], r->target_names[j], err)) {
            sp_table_free(t);
            return NULL;
        }
        double *v = t->values + (size_t)j * 5;
        v[0] = r->y[j];
        v[1] = r->band_lo[j];
        v[2] = r->band_hi[j];
        v[3] = r->residual[j];
        v[4] = r->residual[j] == 0 ? 1 : 0;
    }
    return t;
}

sp_table *sp_calib_trace_table(const sp_calib_result *r, sp_err *err)
{
    size_t nc = (size_t)r->nparams + (size_t)r->ntargets + 1;
    sp_table *t = new_table((size_t)r->nevals, nc, "Calibration: every evaluation", "",
                            "evaluation", NULL, err);
    if (!t)
        return NULL;
    int rc = SP_OK;
    for (int k = 0; k < r->nparams && !rc; k++)
        rc = sp_table_set_text(&t->col_labels[k], r->param_names[k], err);
    for (int j = 0; j < r->ntargets && !rc; j++)
        rc = sp_table_set_text(&t->col_labels[r->nparams + j], r->target_names[j], err);
    rc = rc ? rc : sp_table_set_text(&t->col_labels[nc - 1], "loss", err);
    for (int e = 0; e < r->nevals && !rc; e++) {
        char label[16];
        snprintf(label, sizeof label, "%d", e + 1);
        rc = sp_table_set_text(&t->row_labels[e], label, err);
        double *v = t->values + (size_t)e * nc;
        memcpy(v, r->trace_x + (size_t)e * r->nparams, (size_t)r->nparams * sizeof *v);
        memcpy(v + r->nparams, r->trace_y + (size_t)e * r->ntargets,
               (size_t)r->ntargets * sizeof *v);
        v[nc - 1] = r->trace_loss[e];
    }
    if (rc) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}
