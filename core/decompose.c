/* decompose.c: Shapley decomposition of a package's effect by measure (decompose.h). */
#include "decompose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sp_decompose_def sp_decompose_def_default(void)
{
    sp_decompose_def d;
    memset(&d, 0, sizeof d);
    d.objective = sp_objective_default();
    d.batch = SP_MAX_PACKAGES - 1;
    d.exact_max = SP_DECOMPOSE_EXACT_MAX;
    d.samples = SP_DECOMPOSE_SAMPLES;
    d.seed = 1;
    return d;
}

/* 1 when the baseline holds m (same name, kind and definition). */
static int in_baseline(const sp_measure *m, const sp_package *baseline)
{
    for (int k = 0; k < baseline->nmeasures; k++) {
        const sp_measure *b = &baseline->measures[k];
        if (b->ops == m->ops && strcmp(b->name, m->name) == 0 &&
            memcmp(b->def.bytes, m->def.bytes, m->ops->def_size) == 0)
            return 1;
    }
    return 0;
}

int sp_decompose_players(const sp_package *package, const sp_package *baseline, int *idx)
{
    int n = 0;
    for (int k = 0; k < package->nmeasures; k++)
        if (!in_baseline(&package->measures[k], baseline))
            idx[n++] = k;
    return n;
}

sp_package *sp_decompose_coalition(const sp_package *package, const int *idx, int n,
                                   uint32_t mask, const char *name, sp_err *err)
{
    sp_package *p = sp_package_alloc(name, err);
    if (!p)
        return NULL;
    int j = 0;
    for (int k = 0; k < package->nmeasures; k++) {
        int player = j < n && idx[j] == k;
        int keep = !player || (mask >> j & 1u);
        j += player;
        if (keep && sp_package_add_measure(p, &package->measures[k], err) != SP_OK) {
            sp_package_free(p);
            return NULL;
        }
    }
    return p;
}

typedef struct value_ctx {
    const sp_decompose_def *def;
    const int *idx;
    int n;
    int experiments;
} value_ctx;

/* Values coalitions masks[0..count) in experiments of def->batch coalitions. */
static int values(void *ud, const uint32_t *masks, int count, double *out, sp_err *err)
{
    value_ctx *c = ud;
    const sp_decompose_def *d = c->def;
    for (int first = 0; first < count; first += d->batch) {
        int nb = count - first < d->batch ? count - first : d->batch;
        sp_experiment_def e = *d->experiment;
        sp_package *pk[SP_MAX_PACKAGES] = {NULL};
        int rc = SP_OK;
        e.packages[0] = d->baseline;
        e.npackages = nb + 1;
        for (int b = 0; b < nb && rc == SP_OK; b++) {
            char name[SP_NAME_MAX];
            snprintf(name, sizeof name, "coalition %d", first + b + 1);
            pk[b] = sp_decompose_coalition(d->package, c->idx, c->n, masks[first + b], name, err);
            rc = pk[b] ? SP_OK : (err ? err->code : SP_ENOMEM);
            e.packages[b + 1] = pk[b];
        }
        sp_results *res = rc == SP_OK ? sp_experiment_run(&e, err) : NULL;
        if (rc == SP_OK && !res)
            rc = err ? err->code : SP_ENOMEM;
        c->experiments += res != NULL;
        for (int b = 0; b < nb && rc == SP_OK; b++) {
            if (d->value) {
                rc = d->value(d->value_ud, res, b + 1, &out[first + b], err);
            } else {
                sp_objective o = d->objective;
                o.package = b + 1;
                rc = sp_objective_eval(&o, res, &out[first + b], err);
            }
        }
        sp_results_free(res);
        for (int b = 0; b < nb; b++)
            sp_package_free(pk[b]);
        if (rc != SP_OK)
            return rc;
    }
    return SP_OK;
}

int sp_decompose(const sp_decompose_def *d, sp_decompose_result *out, sp_err *err)
{
    if (!d->experiment || !d->package || !d->baseline)
        return sp_err_set(err, SP_EINVAL, "decompose needs an experiment, a package and a baseline");
    if (d->batch < 1 || d->batch > SP_MAX_PACKAGES - 1)
        return sp_err_set(err, SP_EINVAL, "batch must be between 1 and %d, got %d",
                          SP_MAX_PACKAGES - 1, d->batch);
    if (strcmp(d->package->name, d->baseline->name) == 0)
        return sp_err_set(err, SP_EINVAL, "the package and the baseline are both named \"%s\"",
                          d->package->name);
    memset(out, 0, sizeof *out);
    int idx[SP_MAX_MEASURES];
    int n = sp_decompose_players(d->package, d->baseline, idx);
    if (n < 2) {
        char names[SP_NAME_MAX + 8] = "";
        if (n == 1)
            snprintf(names, sizeof names, " (%s)", d->package->measures[idx[0]].name);
        return sp_err_set(err, SP_EINVAL,
                          "package \"%s\" adds %d measure%s to the baseline \"%s\"%s: a "
                          "decomposition needs at least 2",
                          d->package->name, n, n == 1 ? "" : "s", d->baseline->name, names);
    }
    if (n > SP_SHAPLEY_MAX_PLAYERS)
        return sp_err_set(err, SP_EINVAL, "package \"%s\" adds %d measures: at most %d",
                          d->package->name, n, SP_SHAPLEY_MAX_PLAYERS);
    value_ctx c = {d, idx, n, 0};
    int rc = sp_shapley(n, values, &c, d->exact_max, d->samples, d->seed, &out->shapley, err);
    out->n = n;
    for (int i = 0; i < n; i++)
        out->names[i] = d->package->measures[idx[i]].name;
    out->experiments = c.experiments;
    return rc;
}
