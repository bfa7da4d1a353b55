/* sensitivity.c: Morris elementary effects and Sobol indices (Saltelli design). */
#include "sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>

#include "rng.h"
#include "writers/writers.h"

/* The stream of the analysis' own draws (trajectories, resamples): keyed by
 * the seed and a replicate word no experiment uses. */
#define SENS_REPLICATE 0x5E45u

sp_sens_def sp_sens_def_default(void)
{
    sp_sens_def d;
    memset(&d, 0, sizeof d);
    d.method = SP_SENS_MORRIS;
    d.n = 10;
    d.levels = 4;
    d.bootstrap = 200;
    d.seed = 1;
    return d;
}

int sp_sens_validate(const sp_sens_def *d, sp_err *err)
{
    if (d->method != SP_SENS_MORRIS && d->method != SP_SENS_SOBOL)
        return sp_err_set(err, SP_EINVAL, "unknown sensitivity method %d", (int)d->method);
    if (d->ninputs < 1 || d->ninputs > SP_SENS_MAX_INPUTS)
        return sp_err_set(err, SP_EINVAL,
                          "sensitivity needs 1..%d inputs (parameters with distributions), got %d",
                          SP_SENS_MAX_INPUTS, d->ninputs);
    if (d->noutputs < 1 || d->noutputs > SP_SENS_MAX_OUTPUTS)
        return sp_err_set(err, SP_EINVAL, "sensitivity needs 1..%d outputs, got %d",
                          SP_SENS_MAX_OUTPUTS, d->noutputs);
    if (!d->fn)
        return sp_err_set(err, SP_EINVAL, "sensitivity has no model function");
    for (int k = 0; k < d->ninputs; k++) {
        const sp_sens_input *in = &d->inputs[k];
        if (!isfinite(in->a) || !isfinite(in->b))
            return sp_err_set(err, SP_EINVAL, "input '%s': distribution arguments must be finite",
                              in->name);
        if (in->kind == SP_DIST_UNIFORM) {
            if (!(in->a < in->b))
                return sp_err_set(err, SP_EINVAL, "input '%s': uniform needs low < high, got %g, %g",
                                  in->name, in->a, in->b);
        } else if (in->kind == SP_DIST_NORMAL) {
            if (!(in->b > 0))
                return sp_err_set(err, SP_EINVAL, "input '%s': normal sd must be positive, got %g",
                                  in->name, in->b);
            if (!isfinite(in->lo) || !isfinite(in->hi) || !(in->lo < in->hi))
                return sp_err_set(err, SP_EINVAL,
                                  "input '%s': the truncation range must be finite with lo < hi, "
                                  "got [%g, %g]", in->name, in->lo, in->hi);
        } else {
            return sp_err_set(err, SP_EINVAL, "input '%s': unknown distribution", in->name);
        }
    }
    if (d->method == SP_SENS_MORRIS) {
        if (d->n < 2 || d->n > 10000)
            return sp_err_set(err, SP_EINVAL, "morris: n (trajectories) must be between 2 and "
                                              "10000, got %d", d->n);
        if (d->levels < 2 || d->levels > 100 || d->levels % 2)
            return sp_err_set(err, SP_EINVAL, "morris: levels must be even, between 2 and 100, "
                                              "got %d", d->levels);
    } else {
        if (d->n < 2 || d->n > 1000000)
            return sp_err_set(err, SP_EINVAL, "sobol: n (base sample) must be between 2 and "
                                              "1000000, got %d", d->n);
        if (d->bootstrap != 0 && (d->bootstrap < 10 || d->bootstrap > 100000))
            return sp_err_set(err, SP_EINVAL, "sobol: bootstrap must be 0 or between 10 and "
                                              "100000, got %d", d->bootstrap);
    }
    return SP_OK;
}

double sp_sens_quantile(const sp_sens_input *in, double u)
{
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    if (in->kind == SP_DIST_UNIFORM)
        return in->a + (in->b - in->a) * u;
    if (u == 0 || u == 1) /* the truncation bounds exactly, not their rounded quantiles */
        return u == 0 ? in->lo : in->hi;
    double plo = gsl_cdf_ugaussian_P((in->lo - in->a) / in->b);
    double phi = gsl_cdf_ugaussian_P((in->hi - in->a) / in->b);
    double x = in->a + in->b * gsl_cdf_ugaussian_Pinv(plo + u * (phi - plo));
    return !(x > in->lo) ? in->lo : x > in->hi ? in->hi : x; /* -inf at a bound underflow: the bound */
}

/* ---- evaluation ---- */

typedef struct evals {
    const sp_sens_def *def;
    sp_sens_result *r;
    sp_err *err;
} evals;

/* Evaluates the point of the unit cube u (ninputs values) into row r->nevals. */
static int eval_at(evals *e, const double *u)
{
    const sp_sens_def *d = e->def;
    sp_sens_result *r = e->r;
    double *x = r->x + (size_t)r->nevals * d->ninputs;
    double *y = r->y + (size_t)r->nevals * d->noutputs;
    for (int k = 0; k < d->ninputs; k++)
        x[k] = sp_sens_quantile(&d->inputs[k], u[k]);
    int rc = d->fn(d->ud, x, y, e->err);
    if (rc != SP_OK)
        return rc < 0 ? rc : SP_EINVAL;
    for (int o = 0; o < d->noutputs; o++)
        if (!isfinite(y[o])) {
            char at[512] = "";
            for (int k = 0; k < d->ninputs; k++) {
                size_t l = strlen(at);
                snprintf(at + l, sizeof at - l, "%s%s = %g", k ? ", " : "", d->inputs[k].name, x[k]);
            }
            return sp_err_set(e->err, SP_ENUMERIC, "output '%s' is not a finite number (%g) at %s",
                              d->outputs[o], y[o], at);
        }
    r->nevals++;
    return SP_OK;
}

static void moments(sp_sens_result *r)
{
    for (int o = 0; o < r->noutputs; o++) {
        double s = 0, ss = 0;
        for (int e = 0; e < r->nevals; e++)
            s += r->y[(size_t)e * r->noutputs + o];
        double m = s / r->nevals;
        for (int e = 0; e < r->nevals; e++) {
            double dv = r->y[(size_t)e * r->noutputs + o] - m;
            ss += dv * dv;
        }
        r->mean[o] = m;
        r->variance[o] = r->nevals > 1 ? ss / (r->nevals - 1) : 0;
    }
}

/* ---- Morris ---- */

static int morris(evals *e)
{
    const sp_sens_def *d = e->def;
    sp_sens_result *r = e->r;
    const int k = d->ninputs, no = d->noutputs, p = d->levels;
    const double delta = (double)p / (2.0 * (p - 1));
    /* Level l of the grid is the quantile (l + 1/2) / p, the centre of the
     * l-th of p equal-probability bins, so a normal's levels stay finite and
     * away from its truncation bounds; a move of Delta on the grid is a move
     * of dq = Delta (p - 1) / p = 1/2 in quantile. */
    const double dq = delta * (p - 1) / p;
    gsl_rng *g = sp_rng_stream_alloc();
    double *ee = malloc((size_t)d->n * k * no * sizeof *ee); /* [traj][input][output] */
    if (!g || !ee) {
        sp_rng_stream_free(g);
        free(ee);
        return sp_err_set(e->err, SP_ENOMEM, "out of memory for the Morris design");
    }
    sp_rng_key key = sp_rng_key_make(d->seed, SENS_REPLICATE);
    int rc = SP_OK;
    for (int t = 0; t < d->n && rc == SP_OK; t++) {
        sp_rng_stream_reset(g, key, (uint32_t)t, 0, SP_PURPOSE_PARAMS);
        double u[SP_SENS_MAX_INPUTS];
        int order[SP_SENS_MAX_INPUTS], sign[SP_SENS_MAX_INPUTS];
        for (int i = 0; i < k; i++) {
            int level = (int)gsl_rng_uniform_int(g, (unsigned long)p);
            u[i] = (double)level / (p - 1);
            sign[i] = level < p / 2 ? 1 : -1; /* a move of p/2 levels stays on the grid */
            order[i] = i;
        }
        for (int i = k - 1; i > 0; i--) { /* random order (Fisher-Yates) */
            int j = (int)gsl_rng_uniform_int(g, (unsigned long)i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        double q[SP_SENS_MAX_INPUTS];
        for (int i = 0; i < k; i++)
            q[i] = (0.5 + u[i] * (p - 1)) / p;
        rc = eval_at(e, q);
        for (int s = 0; s < k && rc == SP_OK; s++) {
            int i = order[s];
            u[i] += sign[i] * delta;
            q[i] += sign[i] * dq;
            rc = eval_at(e, q);
            if (rc != SP_OK)
                break;
            const double *y1 = r->y + (size_t)(r->nevals - 1) * no;
            const double *y0 = y1 - no;
            for (int o = 0; o < no; o++)
                ee[((size_t)t * k + i) * no + o] = (y1[o] - y0[o]) / (sign[i] * dq);
        }
    }
    sp_rng_stream_free(g);
    if (rc == SP_OK) {
        for (int o = 0; o < no; o++)
            for (int i = 0; i < k; i++) {
                double s = 0, sa = 0, ss = 0;
                for (int t = 0; t < d->n; t++) {
                    double v = ee[((size_t)t * k + i) * no + o];
                    s += v;
                    sa += fabs(v);
                }
                double m = s / d->n;
                for (int t = 0; t < d->n; t++) {
                    double v = ee[((size_t)t * k + i) * no + o] - m;
                    ss += v * v;
                }
                r->mu[o * k + i] = m;
                r->mu_star[o * k + i] = sa / d->n;
                r->sigma[o * k + i] = sqrt(ss / (d->n - 1));
            }
    }
    free(ee);
    return rc;
}

/* ---- Sobol ---- */

/* Indices of output o from the rows idx[0..n-1] of fA, fB and fAB (fAB: k
 * blocks of N rows). Writes s1[i], st[i]. */
static void sobol_indices(const sp_sens_result *r, int o, int N, const int *idx, int n, double *s1,
                          double *st)
{
    const int k = r->ninputs, no = r->noutputs;
    /* rows: A = 0..N-1, B = N..2N-1, AB_i = (2 + i) N .. */
#define F(row) r->y[(size_t)(row) * no + o]
    double s = 0, ss = 0;
    for (int j = 0; j < n; j++) {
        s += F(idx[j]) + F(N + idx[j]);
    }
    double m = s / (2.0 * n);
    for (int j = 0; j < n; j++) {
        double a = F(idx[j]) - m, b = F(N + idx[j]) - m;
        ss += a * a + b * b;
    }
    double v = ss / (2.0 * n);
    for (int i = 0; i < k; i++) {
        double f1 = 0, ft = 0;
        for (int j = 0; j < n; j++) {
            double fa = F(idx[j]), fb = F(N + idx[j]), fab = F((size_t)(2 + i) * N + idx[j]);
            f1 += (fb - m) * (fab - fa); /* centred: the same expectation, far less variance
                                          * when the mean is large against the spread */
            ft += (fa - fab) * (fa - fab);
        }
        s1[i] = v > 0 ? f1 / n / v : NAN;
        st[i] = v > 0 ? ft / (2.0 * n) / v : NAN;
    }
#undef F
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted v[0..n-1], linear interpolation. */
static double quantile(const double *v, int n, double q)
{
    double h = q * (n - 1);
    int lo = (int)floor(h);
    if (lo >= n - 1)
        return v[n - 1];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

static int sobol(evals *e)
{
    const sp_sens_def *d = e->def;
    sp_sens_result *r = e->r;
    const int k = d->ninputs, no = d->noutputs, N = d->n;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    double *pts = malloc((size_t)N * 2 * k * sizeof *pts);
    int *idx = malloc((size_t)N * sizeof *idx);
    if (!q || !pts || !idx) {
        gsl_qrng_free(q);
        free(pts);
        free(idx);
        return sp_err_set(e->err, SP_ENOMEM, "out of memory for the Sobol design");
    }
    double first[2 * SP_SENS_MAX_INPUTS];
    gsl_qrng_get(q, first); /* the first point (the origin) is skipped */
    for (int j = 0; j < N; j++)
        gsl_qrng_get(q, pts + (size_t)j * 2 * k);
    gsl_qrng_free(q);
    int rc = SP_OK;
    for (int j = 0; j < N && rc == SP_OK; j++) /* A */
        rc = eval_at(e, pts + (size_t)j * 2 * k);
    for (int j = 0; j < N && rc == SP_OK; j++) /* B */
        rc = eval_at(e, pts + (size_t)j * 2 * k + k);
    for (int i = 0; i < k && rc == SP_OK; i++) /* A_B^i */
        for (int j = 0; j < N && rc == SP_OK; j++) {
            double u[SP_SENS_MAX_INPUTS];
            memcpy(u, pts + (size_t)j * 2 * k, (size_t)k * sizeof *u);
            u[i] = pts[(size_t)j * 2 * k + k + i];
            rc = eval_at(e, u);
        }
    free(pts);
    if (rc != SP_OK) {
        free(idx);
        return rc;
    }
    for (int j = 0; j < N; j++)
        idx[j] = j;
    for (int o = 0; o < no; o++)
        sobol_indices(r, o, N, idx, N, r->s1 + o * k, r->st + o * k);
    for (int c = 0; c < no * k; c++)
        r->s1_lo[c] = r->s1_hi[c] = r->st_lo[c] = r->st_hi[c] = NAN;
    if (d->bootstrap > 0) {
        const int B = d->bootstrap;
        double *bs1 = malloc((size_t)B * k * sizeof *bs1), *bst = malloc((size_t)B * k * sizeof *bst);
        double *col = malloc((size_t)B * sizeof *col);
        gsl_rng *g = sp_rng_stream_alloc();
        if (!bs1 || !bst || !col || !g) {
            rc = sp_err_set(e->err, SP_ENOMEM, "out of memory for the bootstrap");
        } else {
            sp_rng_key key = sp_rng_key_make(d->seed, SENS_REPLICATE);
            for (int o = 0; o < no; o++) {
                for (int b = 0; b < B; b++) {
                    sp_rng_stream_reset(g, key, (uint32_t)b, 1 + (uint32_t)o, SP_PURPOSE_PARAMS);
                    for (int j = 0; j < N; j++)
                        idx[j] = (int)gsl_rng_uniform_int(g, (unsigned long)N);
                    sobol_indices(r, o, N, idx, N, bs1 + (size_t)b * k, bst + (size_t)b * k);
                }
                for (int i = 0; i < k; i++) {
                    double *lohi[2][2] = {{r->s1_lo, r->s1_hi}, {r->st_lo, r->st_hi}};
                    const double *src[2] = {bs1, bst};
                    for (int w = 0; w < 2; w++) {
                        int n = 0;
                        for (int b = 0; b < B; b++) {
                            double v = src[w][(size_t)b * k + i];
                            if (!isnan(v))
                                col[n++] = v;
                        }
                        if (n == 0)
                            continue;
                        qsort(col, (size_t)n, sizeof *col, cmp_double);
                        lohi[w][0][o * k + i] = quantile(col, n, 0.025);
                        lohi[w][1][o * k + i] = quantile(col, n, 0.975);
                    }
                }
            }
        }
        free(bs1);
        free(bst);
        free(col);
        sp_rng_stream_free(g);
    }
    free(idx);
    return rc;
}

sp_sens_result *sp_sensitivity(const sp_sens_def *d, sp_err *err)
{
    sp_init();
    if (sp_sens_validate(d, err) != SP_OK)
        return NULL;
    const int k = d->ninputs, no = d->noutputs;
    size_t nev = d->method == SP_SENS_MORRIS ? (size_t)d->n * (k + 1) : (size_t)d->n * (k + 2);
    sp_sens_result *r = calloc(1, sizeof *r);
    if (!r) {
        sp_err_set(err, SP_ENOMEM, "out of memory for the sensitivity analysis");
        return NULL;
    }
    r->method = d->method;
    r->ninputs = k;
    r->noutputs = no;
    r->n = d->n;
    r->levels = d->method == SP_SENS_MORRIS ? d->levels : 0;
    r->bootstrap = d->method == SP_SENS_SOBOL ? d->bootstrap : 0;
    for (int i = 0; i < k; i++)
        snprintf(r->input_names[i], SP_SENS_NAME, "%s", d->inputs[i].name);
    for (int o = 0; o < no; o++)
        snprintf(r->output_names[o], SP_SENS_NAME, "%s", d->outputs[o]);
    r->x = malloc(nev * k * sizeof *r->x);
    r->y = malloc(nev * no * sizeof *r->y);
    size_t nidx = (size_t)k * no;
    int ok = r->x && r->y;
    if (d->method == SP_SENS_MORRIS) {
        r->mu = calloc(nidx, sizeof *r->mu);
        r->mu_star = calloc(nidx, sizeof *r->mu_star);
        r->sigma = calloc(nidx, sizeof *r->sigma);
        ok = ok && r->mu && r->mu_star && r->sigma;
    } else {
        r->s1 = calloc(nidx, sizeof *r->s1);
        r->s1_lo = calloc(nidx, sizeof *r->s1_lo);
        r->s1_hi = calloc(nidx, sizeof *r->s1_hi);
        r->st = calloc(nidx, sizeof *r->st);
        r->st_lo = calloc(nidx, sizeof *r->st_lo);
        r->st_hi = calloc(nidx, sizeof *r->st_hi);
        ok = ok && r->s1 && r->s1_lo && r->s1_hi && r->st && r->st_lo && r->st_hi;
    }
    if (!ok) {
        sp_sens_result_free(r);
        sp_err_set(err, SP_ENOMEM, "out of memory for %zu evaluations", nev);
        return NULL;
    }
    evals e = {.def = d, .r = r, .err = err};
    int rc = d->method == SP_SENS_MORRIS ? morris(&e) : sobol(&e);
    if (rc != SP_OK) {
        sp_sens_result_free(r);
        return NULL;
    }
    moments(r);
    return r;
}

void sp_sens_result_free(sp_sens_result *r)
{
    if (!r)
        return;
    free(r->mu);
    free(r->mu_star);
    free(r->sigma);
    free(r->s1);
    free(r->s1_lo);
    free(r->s1_hi);
    free(r->st);
    free(r->st_lo);
    free(r->st_hi);
    free(r->x);
    free(r->y);
    free(r);
}

sp_table *sp_sens_table(const sp_sens_result *r, int o, sp_err *err)
{
    if (o < 0 || o >= r->noutputs)
        return sp_err_set(err, SP_ERANGE, "output %d out of range 1..%d", o + 1, r->noutputs),
               NULL;
    static const char *const mcols[] = {"mu*", "mu", "sigma"};
    static const char *const scols[] = {"S1", "S1 lo95", "S1 hi95", "ST", "ST lo95", "ST hi95"};
    int morris_ = r->method == SP_SENS_MORRIS;
    size_t nc = morris_ ? 3 : 6;
    sp_table *t = sp_table_alloc((size_t)r->ninputs, nc, err);
    if (!t)
        return NULL;
    char title[160];
    if (morris_)
        snprintf(title, sizeof title, "Morris elementary effects of %s (%d trajectories, %d levels)",
                 r->output_names[o], r->n, r->levels);
    else
        snprintf(title, sizeof title, "Sobol indices of %s (N = %d, %d evaluations)",
                 r->output_names[o], r->n, r->nevals);
    int rc = sp_table_set_text(&t->title, title, err);
    rc = rc ? rc : sp_table_set_text(&t->unit, morris_ ? "output units per unit of quantile" : "share of variance", err);
    rc = rc ? rc : sp_table_set_text(&t->row_header, "input", err);
    for (size_t c = 0; c < nc && !rc; c++)
        rc = sp_table_set_text(&t->col_labels[c], morris_ ? mcols[c] : scols[c], err);
    for (int i = 0; i < r->ninputs && !rc; i++) {
        rc = sp_table_set_text(&t->row_labels[i], r->input_names[i], err);
        double *v = t->values + (size_t)i * nc;
        size_t c = (size_t)o * r->ninputs + i;
        if (morris_) {
            v[0] = r->mu_star[c];
            v[1] = r->mu[c];
            v[2] = r->sigma[c];
        } else {
            v[0] = r->s1[c];
            v[1] = r->s1_lo[c];
            v[2] = r->s1_hi[c];
            v[3] = r->st[c];
            v[4] = r->st_lo[c];
            v[5] = r->st_hi[c];
        }
    }
    if (rc) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}

/* ---- HTML page with tornado charts ---- */

static void esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

static void num(FILE *out, double v)
{
    if (isnan(v))
        fputs("n/a", out);
    else
        fprintf(out, "%.4g", v);
}

typedef struct page {
    const sp_sens_result *r;
    const char *title;
} page;

static double key_of(const sp_sens_result *r, int o, int i)
{
    size_t c = (size_t)o * r->ninputs + i;
    double v = r->method == SP_SENS_MORRIS ? r->mu_star[c] : r->st[c];
    return isnan(v) ? -INFINITY : v;
}

static void tornado(FILE *out, const sp_sens_result *r, int o)
{
    int order[SP_SENS_MAX_INPUTS];
    for (int i = 0; i < r->ninputs; i++) { /* descending key, stable (insertion) */
        int j = i;
        while (j > 0 && key_of(r, o, order[j - 1]) < key_of(r, o, i)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    const int morris_ = r->method == SP_SENS_MORRIS;
    double vmax = 0;
    for (int i = 0; i < r->ninputs; i++) {
        size_t c = (size_t)o * r->ninputs + i;
        double a = morris_ ? r->mu_star[c] : r->st[c], b = morris_ ? r->sigma[c] : r->s1[c];
        double h = morris_ ? 0 : r->st_hi[c];
        if (isfinite(a) && a > vmax) vmax = a;
        if (isfinite(b) && b > vmax) vmax = b;
        if (isfinite(h) && h > vmax) vmax = h;
    }
    if (!(vmax > 0))
        vmax = 1;
    const int label_w = 220, bar_w = 420, row_h = 34, top = 24;
    int h = top + row_h * r->ninputs + 10;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "role=\"img\" aria-label=\"tornado chart\">\n", label_w + bar_w + 80, h);
    fprintf(out, "<text x=\"%d\" y=\"14\" font-size=\"12\" fill=\"#1f4e79\">%s</text>"
                 "<text x=\"%d\" y=\"14\" font-size=\"12\" fill=\"#e69f00\">%s</text>\n",
            label_w, morris_ ? "mu* (mean |effect|)" : "ST (total index)", label_w + 200,
            morris_ ? "sigma (interactions, non-linearity)" : "S1 (first order)");
    for (int s = 0; s < r->ninputs; s++) {
        int i = order[s];
        size_t c = (size_t)o * r->ninputs + i;
        double a = morris_ ? r->mu_star[c] : r->st[c], b = morris_ ? r->sigma[c] : r->s1[c];
        int y = top + s * row_h;
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">", label_w - 8,
                y + 17);
        esc(out, r->input_names[i]);
        fputs("</text>\n", out);
        double wa = isfinite(a) && a > 0 ? a / vmax * bar_w : 0;
        double wb = isfinite(b) && b > 0 ? b / vmax * bar_w : 0;
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"13\" fill=\"#1f4e79\"/>\n",
                label_w, y + 3, wa);
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"11\" fill=\"#e69f00\"/>\n",
                label_w, y + 17, wb);
        double text_x = label_w + wa + 4;
        if (!morris_ && isfinite(r->st_lo[c]) && isfinite(r->st_hi[c])) {
            double x0 = label_w + (r->st_lo[c] > 0 ? r->st_lo[c] : 0) / vmax * bar_w;
            double x1 = label_w + (r->st_hi[c] > 0 ? r->st_hi[c] : 0) / vmax * bar_w;
            fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n",
                    x0, x1, y + 9, y + 9);
            if (x1 + 4 > text_x)
                text_x = x1 + 4; /* the value beside the interval, not on it */
        }
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">", text_x, y + 13);
        num(out, a);
        fputs("</text>\n", out);
    }
    fputs("</svg>\n", out);
}

static int write_page(FILE *out, const void *ctx, sp_err *err)
{
    const page *pg = ctx;
    const sp_sens_result *r = pg->r;
    const int morris_ = r->method == SP_SENS_MORRIS;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", out);
    esc(out, pg->title);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
          "text-align:right}th:first-child,td:first-child{text-align:left}</style></head><body>\n",
          out);
    fputs("<h1>", out);
    esc(out, pg->title);
    fputs("</h1>\n<p>", out);
    if (morris_)
        fprintf(out, "Morris elementary effects: %d trajectories on a %d-level grid, %d model "
                     "evaluations. mu* ranks the inputs by influence; a sigma near or above mu* "
                     "marks interactions or non-linear effects. Effects are per unit of the "
                     "input's quantile scale (0 to 1 across its distribution).",
                r->n, r->levels, r->nevals);
    else
        fprintf(out, "Sobol indices, Saltelli design on the Sobol sequence: N = %d, %d model "
                     "evaluations; first-order S1 (Saltelli 2010) and total ST (Jansen 1999) "
                     "shares of the output's variance, 95%% bootstrap intervals (%d resamples%s).",
                r->n, r->nevals, r->bootstrap, r->bootstrap ? "" : ": none computed");
    fputs("</p>\n", out);
    for (int o = 0; o < r->noutputs; o++) {
        fputs("<h2>", out);
        esc(out, r->output_names[o]);
        fputs("</h2>\n<p>Mean over the design ", out);
        num(out, r->mean[o]);
        fputs(", variance ", out);
        num(out, r->variance[o]);
        fputs(".</p>\n", out);
        tornado(out, r, o);
        fputs("<table><tr><th>input</th>", out);
        if (morris_)
            fputs("<th>mu*</th><th>mu</th><th>sigma</th></tr>\n", out);
        else
            fputs("<th>S1</th><th>S1 95% interval</th><th>ST</th><th>ST 95% interval</th></tr>\n",
                  out);
        for (int i = 0; i < r->ninputs; i++) {
            size_t c = (size_t)o * r->ninputs + i;
            fputs("<tr><td>", out);
            esc(out, r->input_names[i]);
            fputs("</td><td>", out);
            if (morris_) {
                num(out, r->mu_star[c]);
                fputs("</td><td>", out);
                num(out, r->mu[c]);
                fputs("</td><td>", out);
                num(out, r->sigma[c]);
            } else {
                num(out, r->s1[c]);
                fputs("</td><td>", out);
                num(out, r->s1_lo[c]);
                fputs(" .. ", out);
                num(out, r->s1_hi[c]);
                fputs("</td><td>", out);
                num(out, r->st[c]);
                fputs("</td><td>", out);
                num(out, r->st_lo[c]);
                fputs(" .. ", out);
                num(out, r->st_hi[c]);
            }
            fputs("</td></tr>\n", out);
        }
        fputs("</table>\n", out);
    }
    fputs("</body></html>\n", out);
    (void)err;
    return SP_OK;
}

int sp_sens_write_html(const sp_sens_result *r, const char *title, const char *path, sp_err *err)
{
    page pg = {.r = r, .title = title && *title ? title : "Sensitivity analysis"};
    return sp_atomic_write(path, write_page, &pg, err);
}
