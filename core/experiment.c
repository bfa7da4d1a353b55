/* experiment.c: runs packages x replicates into a results cube. */
#include "experiment.h"

#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "calendar.h"
#include "dist.h"
#include "design_range.h"
#include "measure.h"
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
    size_t nparam;
    sp_param_table(&nparam);
    if (nparam > 64 * SP_PARAM_WORDS)
        return sp_err_set(err, SP_EINVAL, "%zu parameters do not fit the fixed mask (%d)", nparam,
                          64 * SP_PARAM_WORDS);
    sp_param_dist all[SP_MAX_DISTS];
    if (sp_experiment_dists(d, all, SP_MAX_DISTS, err) < 0)
        return SP_ERANGE;
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

int sp_experiment_set_param(sp_experiment_def *d, const char *name, double value, sp_err *err)
{
    int rc = sp_params_set(&d->params, name, value, err);
    if (rc != SP_OK)
        return rc;
    int k = sp_param_index(name);
    d->fixed[k / 64] |= UINT64_C(1) << (k % 64);
    return SP_OK;
}

/* 1 when parameter `name` has a distribution among out[0..n), is fixed, or
 * holds a value other than its default. */
static int taken(const sp_experiment_def *d, const sp_param_dist *out, int n, const char *name)
{
    for (int j = 0; j < n; j++)
        if (strcmp(out[j].name, name) == 0)
            return 1;
    int k = sp_param_index(name);
    if (k < 0)
        return 0; /* validated later: an unknown name is an error there */
    if (d->fixed[k / 64] & (UINT64_C(1) << (k % 64)))
        return 1;
    double v = 0;
    sp_params_get(&d->params, name, &v, NULL);
    return v != sp_param_table(NULL)[k].def;
}

static int push(sp_param_dist *out, int n, int cap, const sp_param_dist *d, sp_err *err)
{
    if (n >= cap)
        return sp_err_set(err, SP_ERANGE,
                          "at most %d parameters may be drawn per replicate (%s is drawn by "
                          "default; give it a value or set uncertainty off)", cap, d->name);
    out[n] = *d;
    return SP_OK;
}

int sp_experiment_dists(const sp_experiment_def *d, sp_param_dist *out, int cap, sp_err *err)
{
    int n = 0;
    for (int k = 0; k < d->ndists; k++) {
        if (push(out, n, cap, &d->dists[k], err) != SP_OK)
            return SP_ERANGE;
        n++;
    }
    if (!d->uncertainty || d->replicates < 2)
        return n;
    size_t nd;
    const sp_param_dist *def = sp_param_default_dists(&nd);
    for (size_t k = 0; k < nd; k++)
        if (!taken(d, out, n, def[k].name)) {
            if (push(out, n, cap, &def[k], err) != SP_OK)
                return SP_ERANGE;
            n++;
        }
    for (int k = 0; sp_measure_kinds[k]; k++) { /* the kinds' own, when a package uses the kind */
        const sp_measure_ops *ops = sp_measure_kinds[k];
        int used = 0;
        for (int p = 0; ops->ndists > 0 && p < d->npackages; p++)
            used |= d->packages[p] && sp_package_count(d->packages[p], ops) > 0;
        for (int j = 0; used && j < ops->ndists; j++)
            if (!taken(d, out, n, ops->dists[j].name)) {
                if (push(out, n, cap, &ops->dists[j], err) != SP_OK)
                    return SP_ERANGE;
                n++;
            }
    }
    return n;
}

/* The mpc_* parameters by liquidity type (SP_LIQ_* order). */
static const char *const mpc_param[SP_NLIQ] = {
    [SP_LIQ_POOR_HTM] = "mpc_poor_htm", [SP_LIQ_WEALTHY_HTM] = "mpc_wealthy_htm",
    [SP_LIQ_POOR_NHTM] = "mpc_poor_nhtm", [SP_LIQ_WEALTHY_NHTM] = "mpc_wealthy_nhtm"};

static int is_fixed(const sp_experiment_def *d, const char *name)
{
    int k = sp_param_index(name);
    return k >= 0 && (d->fixed[k / 64] & (UINT64_C(1) << (k % 64))) != 0;
}

/* The MPCs a population gives (sp_population.mpc_given) become the
 * experiment's mpc_* values, fixed (not drawn by default), except those the
 * experiment's params give as a value or a distribution. Writes the
 * definition to use into *local and returns it (d itself when the population
 * gives none). */
static const sp_experiment_def *population_mpcs(const sp_experiment_def *d, sp_experiment_def *local,
                                                sp_err *err)
{
    if (!d->population || !d->population->mpc_given)
        return d;
    *local = *d;
    for (int k = 0; k < SP_NLIQ; k++) {
        int given = is_fixed(d, mpc_param[k]);
        for (int j = 0; j < d->ndists; j++)
            given |= strcmp(d->dists[j].name, mpc_param[k]) == 0;
        if (!given && sp_experiment_set_param(local, mpc_param[k], d->population->mpc_type[k], err) != SP_OK)
            return NULL;
    }
    return local;
}

/* Every household's MPC (its type's times its quintile's multiplier) must stay
 * within 0..1 for any value the type's parameter can take. */
static int check_mpc_products(const sp_experiment_def *d, sp_err *err)
{
    double m = 0;
    int qmax = 0;
    for (int q = 0; q < SP_NQUINTILE; q++)
        if (d->population->mpc_quintile[q] > m) {
            m = d->population->mpc_quintile[q];
            qmax = q;
        }
    if (m <= 1)
        return SP_OK;
    for (int k = 0; k < SP_NLIQ; k++) {
        double v = d->params.mpc[k];
        for (int j = 0; j < d->ndists; j++)
            if (strcmp(d->dists[j].name, mpc_param[k]) == 0)
                v = d->dists[j].kind == SP_DIST_UNIFORM ? d->dists[j].b : 1.0;
        if (d->uncertainty && d->replicates > 1 && !is_fixed(d, mpc_param[k])) {
            size_t nd;
            const sp_param_dist *def = sp_param_default_dists(&nd);
            for (size_t j = 0; j < nd; j++)
                if (strcmp(def[j].name, mpc_param[k]) == 0 && def[j].kind == SP_DIST_UNIFORM && def[j].b > v)
                    v = def[j].b;
        }
        if (v * m > 1)
            return sp_err_set(err, SP_EINVAL,
                              "%s can be %g, and the population's MPC multiplier of income quintile %d is "
                              "%g: an MPC of %g is above 1 (lower the multiplier or the MPC)",
                              mpc_param[k], v, qmax + 1, m, v * m);
    }
    return SP_OK;
}

sp_results *sp_experiment_run(const sp_experiment_def *d0, sp_err *err)
{
    sp_init();
    sp_experiment_def local;
    const sp_experiment_def *d = population_mpcs(d0, &local, err);
    if (!d || sp_experiment_validate(d, err) != SP_OK || check_mpc_products(d, err) != SP_OK)
        return NULL;
    const char *names[SP_MAX_PACKAGES];
    for (int p = 0; p < d->npackages; p++)
        names[p] = d->packages[p]->name;
    sp_results *res =
        sp_results_alloc(d->npackages, names, d->replicates, d->months, d->start_month, err);
    if (!res)
        return NULL;
    res->seed = d->seed;
    sp_param_dist dists[SP_MAX_DISTS];
    int ndists = sp_experiment_dists(d, dists, SP_MAX_DISTS, err);
    if (ndists < 0) {
        sp_results_free(res);
        return NULL;
    }
    if (ndists > 0) {
        res->nparams = ndists;
        res->param_names = calloc((size_t)ndists, sizeof *res->param_names);
        res->param_values = calloc((size_t)ndists * d->replicates, sizeof(double));
        if (!res->param_names || !res->param_values) {
            sp_results_free(res);
            sp_err_set(err, SP_ENOMEM, "out of memory for parameter draws");
            return NULL;
        }
        for (int k = 0; k < ndists; k++)
            memcpy(res->param_names[k], dists[k].name, sizeof res->param_names[k]);
    }
    if (sp_design_warn(res, d->packages, d->npackages, err) != SP_OK) {
        sp_results_free(res);
        return NULL;
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
            if (sp_params_draw(&prm, dists, ndists, key, err) != SP_OK) {
                sp_results_free(res);
                return NULL;
            }
            for (int k = 0; k < ndists; k++) {
                double v = 0;
                sp_params_get(&prm, dists[k].name, &v, NULL);
                res->param_values[(size_t)r * ndists + k] = v;
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
