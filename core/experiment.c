/* experiment.c: runs packages x replicates into a results cube. */
#include "experiment.h"

#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "calendar.h"
#include "dist.h"
#include "rng.h"
#include "run.h"

sp_experiment_def sp_experiment_def_default(void)
{
    sp_experiment_def d;
    memset(&d, 0, sizeof d);
    d.start_month = sp_month_make(2019, 1);
    d.months = 36;
    d.replicates = 1;
    d.seed = 1;
    d.threads = 1;
    d.params = sp_params_default();
    return d;
}

/* The macro path, when set: valid, of the population's base year, covering
 * the simulated months (warmup included). */
static int validate_macro(const sp_experiment_def *d, sp_err *err)
{
    if (!d->macro)
        return SP_OK;
    int rc = sp_macro_validate(d->macro, err);
    if (rc != SP_OK)
        return rc;
    if (d->macro->base_year != d->population->base_year)
        return sp_err_set(err, SP_EINVAL,
                          "macro: the path is relative to %d but the population's base year is %d",
                          d->macro->base_year, d->population->base_year);
    return sp_macro_covers(d->macro, d->start_month - d->warmup, d->start_month + d->months - 1,
                           err);
}

int sp_experiment_validate(const sp_experiment_def *d, sp_err *err)
{
    if (!d->population)
        return sp_err_set(err, SP_EINVAL, "population is missing");
    if (d->npackages < 1 || d->npackages > SP_MAX_PACKAGES)
        return sp_err_set(err, SP_EINVAL, "packages must hold 1..%d packages, got %d",
                          SP_MAX_PACKAGES, d->npackages);
    for (int p = 0; p < d->npackages; p++) {
        if (!d->packages[p])
            return sp_err_set(err, SP_EINVAL, "package %d is missing", p + 1);
        for (int q = 0; q < p; q++)
            if (strcmp(d->packages[p]->name, d->packages[q]->name) == 0)
                return sp_err_set(err, SP_EINVAL, "two packages are named \"%s\"",
                                  d->packages[p]->name);
    }
    if (d->months < 1 || d->months > SP_MAX_MONTHS)
        return sp_err_set(err, SP_EINVAL, "months must be between 1 and %d, got %d", SP_MAX_MONTHS,
                          d->months);
    if (d->warmup < 0 || d->warmup > SP_MAX_MONTHS)
        return sp_err_set(err, SP_EINVAL, "warmup must be between 0 and %d months, got %d",
                          SP_MAX_MONTHS, d->warmup);
    for (int p = 0; p < d->npackages; p++)
        for (int k = 0; k < d->packages[p]->nmeasures; k++) {
            const sp_measure *m = &d->packages[p]->measures[k];
            int rc = m->ops->fits ? m->ops->fits(m, d->packages[p], d->start_month - d->warmup,
                                                 d->start_month + d->months - 1, err)
                                  : SP_OK;
            if (rc != SP_OK)
                return rc;
        }
    if (d->replicates < 1 || d->replicates > SP_MAX_REPLICATES)
        return sp_err_set(err, SP_EINVAL, "replicates must be between 1 and %d, got %d",
                          SP_MAX_REPLICATES, d->replicates);
    if (d->threads < 1 || d->threads > 1024)
        return sp_err_set(err, SP_EINVAL, "threads must be between 1 and 1024, got %d", d->threads);
    if (d->ndists < 0 || d->ndists > SP_MAX_DISTS)
        return sp_err_set(err, SP_EINVAL, "at most %d parameters may have distributions", SP_MAX_DISTS);
    for (int k = 0; k < d->ndists; k++) {
        int rc = sp_param_dist_validate(&d->dists[k], err);
        if (rc != SP_OK)
            return rc;
        for (int j = 0; j < k; j++)
            if (strcmp(d->dists[j].name, d->dists[k].name) == 0)
                return sp_err_set(err, SP_EINVAL, "parameter '%s' has two distributions",
                                  d->dists[k].name);
    }
    if (sp_month_year(d->start_month) < 2000 || sp_month_year(d->start_month) > 2100)
        return sp_err_set(err, SP_EINVAL, "start must lie between 2000-01 and 2100-12");
    int rc = validate_macro(d, err);
    return rc != SP_OK ? rc : sp_params_validate(&d->params, err);
}

/* Runs package p, replicate r with the replicate's parameters prm and key
 * into res: the warmup months, then the reported months with their plate
 * statistics. SP_OK, or the run's error (its message in err). */
static int run_one(const sp_experiment_def *d, sp_results *res, int p, int r,
                   const sp_params *prm, sp_rng_key key, sp_err *err)
{
    sp_run *run = sp_run_alloc(d->population, d->packages[p], prm, key,
                               d->start_month - d->warmup, d->threads, err);
    int rc = run ? sp_run_set_macro(run, d->macro, d->start_month + d->months - 1, err)
                 : (err && err->code != SP_OK ? err->code : SP_ENOMEM);
    for (int m = 0; m < d->warmup && rc == SP_OK; m++) /* simulated, not reported */
        rc = sp_run_step(run, sp_results_at(res, p, r, 0), err);
    for (int m = 0; m < d->months && rc == SP_OK; m++) {
        rc = sp_run_step(run, sp_results_at(res, p, r, m), err);
        if (rc == SP_OK)
            memcpy(sp_results_plates_at(res, p, r, m), sp_run_plate_stats(run),
                   SP_NPLATESTAT * sizeof(double));
    }
    sp_run_free(run);
    return rc;
}

sp_results *sp_experiment_run(const sp_experiment_def *d, sp_err *err)
{
    sp_init();
    if (sp_experiment_validate(d, err) != SP_OK)
        return NULL;
    const char *names[SP_MAX_PACKAGES];
    for (int p = 0; p < d->npackages; p++)
        names[p] = d->packages[p]->name;
    sp_results *res =
        sp_results_alloc(d->npackages, names, d->replicates, d->months, d->start_month, err);
    if (!res)
        return NULL;
    res->seed = d->seed;
    if (d->ndists > 0) {
        res->nparams = d->ndists;
        res->param_names = calloc((size_t)d->ndists, sizeof *res->param_names);
        res->param_values = calloc((size_t)d->ndists * d->replicates, sizeof(double));
        if (!res->param_names || !res->param_values) {
            sp_results_free(res);
            sp_err_set(err, SP_ENOMEM, "out of memory for parameter draws");
            return NULL;
        }
        for (int k = 0; k < d->ndists; k++)
            memcpy(res->param_names[k], d->dists[k].name, sizeof res->param_names[k]);
    }
    res->households = d->population->total_weight;
    res->params = d->params;
    memcpy(res->population, d->population->label, sizeof res->population);
    res->sample = d->population->n;
    if (sp_budget_record(res, d->packages, d->npackages, d->population, err) != SP_OK) {
        sp_results_free(res);
        return NULL;
    }
    /* Under MPI each run is computed whole by one rank and then copied to
     * every rank (dist.h); with one rank this is the serial loop. */
    int total = d->npackages * d->replicates, done = 0, rc = SP_OK;
    for (int p = 0; p < d->npackages && rc == SP_OK; p++) {
        for (int r = 0; r < d->replicates && rc == SP_OK; r++) {
            sp_rng_key key = sp_rng_key_make(d->seed, (uint32_t)r);
            sp_params prm = d->params; /* this replicate's draw of the uncertain parameters */
            if (sp_params_draw(&prm, d->dists, d->ndists, key, err) != SP_OK) {
                sp_results_free(res);
                return NULL;
            }
            for (int k = 0; k < d->ndists; k++) {
                double v = 0;
                sp_params_get(&prm, d->dists[k].name, &v, NULL);
                res->param_values[(size_t)r * d->ndists + k] = v;
            }
            int k = p * d->replicates + r;
            if (!sp_dist_mine(k)) /* another MPI rank computes this run */
                continue;
            rc = run_one(d, res, p, r, &prm, key, err);
            if (rc == SP_OK && d->progress)
                d->progress(d->progress_ud, done = k + 1, total);
        }
    }
    if (sp_dist_gather(res, rc, err) != SP_OK) { /* every rank now holds every run */
        sp_results_free(res);
        return NULL;
    }
    if (d->progress && done < total)
        d->progress(d->progress_ud, total, total);
    return res;
}
