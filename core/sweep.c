/* sweep.c: an experiment evaluated at points, and grids of points (sweep.h). */
#include "sweep.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prefixes err's message with the override, keeping its code. */
static int fail(const sp_override *o, int code, const char *msg, sp_err *err)
{
    return sp_err_set(err, code, "%s = %g: %s", o->name, o->value, msg);
}

/* Writes o's value into the definition bytes def (def_size bytes). */
static int write_value(const sp_override *o, unsigned char *def, size_t def_size, sp_err *err)
{
    size_t size = o->type == SP_OVERRIDE_INT ? sizeof(int) : sizeof(double);
    if (o->offset > def_size || size > def_size - o->offset)
        return fail(o, SP_EINVAL, "the number lies outside the measure's definition", err);
    if (!isfinite(o->value))
        return fail(o, SP_EINVAL, "not a finite number", err);
    if (o->type == SP_OVERRIDE_INT) {
        if (o->value != floor(o->value) || o->value < INT_MIN || o->value > INT_MAX)
            return fail(o, SP_EINVAL, "must be an integer", err);
        int v = (int)o->value;
        memcpy(def + o->offset, &v, sizeof v);
    } else {
        memcpy(def + o->offset, &o->value, sizeof o->value);
    }
    return SP_OK;
}

/* A copy of package p of def with the measure overrides aimed at it. */
static sp_package *changed_package(const sp_package *p, int pi, const sp_override *ov, int n,
                                   sp_err *err)
{
    sp_package *q = sp_package_alloc(p->name, err);
    if (!q)
        return NULL;
    for (int k = 0; k < p->nmeasures; k++) {
        const sp_measure *m = &p->measures[k];
        union {
            max_align_t align;
            unsigned char bytes[SP_MEASURE_DEF_MAX];
        } def;
        memcpy(def.bytes, m->def.bytes, m->ops->def_size);
        const sp_override *last = NULL;
        int rc = SP_OK;
        for (int j = 0; j < n && rc == SP_OK; j++)
            if (ov[j].kind == SP_OVERRIDE_MEASURE && ov[j].package == pi && ov[j].measure == k) {
                rc = write_value(&ov[j], def.bytes, m->ops->def_size, err);
                last = &ov[j];
            }
        if (rc == SP_OK) {
            sp_err e;
            sp_err_clear(&e);
            rc = sp_package_add(q, m->ops, m->name, def.bytes, &e);
            if (rc != SP_OK && last)
                fail(last, rc, e.msg, err);
            else if (rc != SP_OK)
                sp_err_set(err, rc, "%s", e.msg);
        }
        if (rc != SP_OK) {
            sp_package_free(q);
            return NULL;
        }
    }
    return q;
}

int sp_point_apply(const sp_experiment_def *def, const sp_override *ov, int n,
                   sp_experiment_def *out, sp_package **owned, sp_err *err)
{
    *out = *def;
    for (int p = 0; p < def->npackages; p++)
        owned[p] = NULL;
    for (int j = 0; j < n; j++) {
        const sp_override *o = &ov[j];
        if (o->kind == SP_OVERRIDE_PARAM) {
            sp_err e;
            sp_err_clear(&e);
            /* fixed: neither a given nor a default distribution replaces it */
            int rc = sp_experiment_set_param(out, o->name, o->value, &e);
            if (rc != SP_OK)
                return fail(o, rc, e.msg, err);
            /* A point fixes the parameter: it is no longer drawn per replicate. */
            for (int k = 0; k < out->ndists; k++)
                if (strcmp(out->dists[k].name, o->name) == 0) {
                    out->dists[k] = out->dists[--out->ndists];
                    break;
                }
        } else if (o->kind == SP_OVERRIDE_MEASURE) {
            if (o->package < 0 || o->package >= def->npackages ||
                !def->packages[o->package] || o->measure < 0 ||
                o->measure >= def->packages[o->package]->nmeasures)
                return fail(o, SP_EINVAL, "no such package or measure in the experiment", err);
        } else {
            return fail(o, SP_EINVAL, "unknown kind of override", err);
        }
    }
    for (int p = 0; p < def->npackages; p++) {
        int hit = 0;
        for (int j = 0; j < n; j++)
            hit |= ov[j].kind == SP_OVERRIDE_MEASURE && ov[j].package == p;
        if (!hit)
            continue;
        owned[p] = changed_package(def->packages[p], p, ov, n, err);
        if (!owned[p]) {
            for (int q = 0; q < p; q++) {
                sp_package_free(owned[q]);
                owned[q] = NULL;
            }
            return err ? err->code : SP_EINVAL;
        }
        out->packages[p] = owned[p];
    }
    return SP_OK;
}

sp_results *sp_point_run(const sp_experiment_def *def, const sp_override *ov, int n, sp_err *err)
{
    sp_experiment_def d;
    sp_package *owned[SP_MAX_PACKAGES];
    if (def->npackages < 1 || def->npackages > SP_MAX_PACKAGES) {
        sp_err_set(err, SP_EINVAL, "packages must hold 1..%d packages, got %d", SP_MAX_PACKAGES,
                   def->npackages);
        return NULL;
    }
    if (sp_point_apply(def, ov, n, &d, owned, err) != SP_OK)
        return NULL;
    sp_results *res = sp_experiment_run(&d, err);
    for (int p = 0; p < def->npackages; p++)
        sp_package_free(owned[p]);
    return res;
}

int sp_grid_points(const sp_grid *g, sp_err *err)
{
    if (g->k < 1 || g->k > SP_SWEEP_MAX_NAMES)
        return sp_err_set(err, SP_EINVAL, "a sweep takes 1..%d names, got %d", SP_SWEEP_MAX_NAMES,
                          g->k);
    long points = 1;
    for (int j = 0; j < g->k; j++) {
        if (!g->names[j] || !g->names[j][0])
            return sp_err_set(err, SP_EINVAL, "name %d of the sweep is empty", j + 1);
        for (int i = 0; i < j; i++)
            if (strcmp(g->names[i], g->names[j]) == 0)
                return sp_err_set(err, SP_EINVAL, "'%s' is swept twice", g->names[j]);
        if (g->counts[j] < 1)
            return sp_err_set(err, SP_EINVAL, "'%s' has no values (give at least one)", g->names[j]);
        for (int v = 0; v < g->counts[j]; v++)
            if (!isfinite(g->values[j][v]))
                return sp_err_set(err, SP_EINVAL, "'%s' value %d is not a finite number",
                                  g->names[j], v + 1);
        points *= g->counts[j];
        if (points > SP_SWEEP_MAX_POINTS)
            return sp_err_set(err, SP_EINVAL, "the sweep has more than %d points",
                              SP_SWEEP_MAX_POINTS);
    }
    return (int)points;
}

void sp_grid_point(const sp_grid *g, int i, double *x)
{
    for (int j = g->k - 1; j >= 0; j--) {
        x[j] = g->values[j][i % g->counts[j]];
        i /= g->counts[j];
    }
}

void sp_grid_label(const sp_grid *g, int i, char *buf, size_t n)
{
    double x[SP_SWEEP_MAX_NAMES];
    sp_grid_point(g, i, x);
    size_t used = 0;
    buf[0] = '\0';
    for (int j = 0; j < g->k && used < n; j++) {
        int w = snprintf(buf + used, n - used, "%s%s=%.6g", j ? ", " : "", g->names[j], x[j]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* The objective's replicate values at each point into the table's cell
 * (row, col) for point i. */
static int set_cell(sp_table *t, size_t row, size_t col, const sp_results *res,
                    const sp_objective *o, sp_err *err)
{
    double *reps = malloc((size_t)res->nreplicates * sizeof *reps);
    if (!reps)
        return sp_err_set(err, SP_ENOMEM, "out of memory for a sweep table");
    int rc = sp_objective_replicates(o, res, reps, err);
    if (rc == SP_OK)
        sp_table_set_replicates(t, row, col, reps, res->nreplicates);
    free(reps);
    return rc;
}

static int set_titles(sp_table *t, const sp_results *res, const sp_objective *o,
                      const char *header, sp_err *err)
{
    char what[512], unit[128];
    sp_objective_describe(o, res, what, sizeof what);
    const char *per = o->unit == SP_UNIT_PER_HOUSEHOLD ? " per household"
                      : o->unit == SP_UNIT_PER_CAPITA  ? " per person"
                                                       : "";
    snprintf(unit, sizeof unit, "%s%s%s", o->diff ? "change in " : "", sp_metric_unit(o->metric),
             per);
    char title[600];
    snprintf(title, sizeof title, "Sweep: %s", what);
    int rc = sp_table_set_text(&t->title, title, err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->unit, unit, err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->row_header, header, err);
    return rc;
}

/* Common checks: the grid, and each point's results. */
static int check_points(const sp_grid *g, const sp_results *const *res, const sp_objective *o,
                        sp_err *err)
{
    int np = sp_grid_points(g, err);
    if (np < 0)
        return np;
    for (int i = 0; i < np; i++) {
        int rc = sp_objective_check(o, res[i], err);
        if (rc != SP_OK)
            return rc;
    }
    return np;
}

sp_table *sp_sweep_table(const sp_grid *g, const sp_results *const *res, const sp_objective *o,
                         sp_err *err)
{
    int np = check_points(g, res, o, err);
    if (np < 0)
        return NULL;
    sp_table *t = sp_table_alloc((size_t)np, (size_t)g->k + 1, err);
    if (!t)
        return NULL;
    int rc = set_titles(t, res[0], o, "point", err);
    for (int j = 0; j < g->k && rc == SP_OK; j++)
        rc = sp_table_set_text(&t->col_labels[j], g->names[j], err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->col_labels[g->k], "value", err);
    t->replicates = res[0]->nreplicates;
    for (int i = 0; i < np && rc == SP_OK; i++) {
        char label[512];
        double x[SP_SWEEP_MAX_NAMES];
        sp_grid_label(g, i, label, sizeof label);
        sp_grid_point(g, i, x);
        rc = sp_table_set_text(&t->row_labels[i], label, err);
        for (int j = 0; j < g->k; j++)
            sp_table_set_replicates(t, (size_t)i, (size_t)j, &x[j], 1);
        if (rc == SP_OK)
            rc = set_cell(t, (size_t)i, (size_t)g->k, res[i], o, err);
    }
    if (rc != SP_OK) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}

sp_table *sp_sweep_chart_table(const sp_grid *g, const sp_results *const *res,
                               const sp_objective *o, sp_err *err)
{
    int np = check_points(g, res, o, err);
    if (np < 0)
        return NULL;
    int ncols = g->counts[0], nrows = np / ncols;
    sp_table *t = sp_table_alloc((size_t)nrows, (size_t)ncols, err);
    if (!t)
        return NULL;
    int rc = set_titles(t, res[0], o, g->k > 1 ? "point" : g->names[0], err);
    t->replicates = res[0]->nreplicates;
    for (int c = 0; c < ncols && rc == SP_OK; c++) {
        char label[64];
        snprintf(label, sizeof label, "%.6g", g->values[0][c]);
        rc = sp_table_set_text(&t->col_labels[c], label, err);
    }
    /* The other names form the series: point i = c * nrows + r. */
    sp_grid rest = *g;
    rest.k = g->k - 1;
    for (int j = 0; j < rest.k; j++) {
        rest.names[j] = g->names[j + 1];
        rest.values[j] = g->values[j + 1];
        rest.counts[j] = g->counts[j + 1];
    }
    for (int r = 0; r < nrows && rc == SP_OK; r++) {
        char label[512] = "value";
        if (rest.k > 0)
            sp_grid_label(&rest, r, label, sizeof label);
        rc = sp_table_set_text(&t->row_labels[r], label, err);
        for (int c = 0; c < ncols && rc == SP_OK; c++)
            rc = set_cell(t, (size_t)r, (size_t)c, res[c * nrows + r], o, err);
    }
    if (rc != SP_OK) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}
