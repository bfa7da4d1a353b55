/* experiment.h: a population, packages, a horizon, replicates and a seed.
 *
 * Runs every package x replicate on the same population. Replicate r of every
 * package uses the key (seed, r), so packages are compared on common random
 * numbers. The first package is the baseline that differences refer to. */
#ifndef SP_EXPERIMENT_H
#define SP_EXPERIMENT_H

#include <stdint.h>

#include "macro.h"
#include "package.h"
#include "params.h"
#include "population.h"
#include "results.h"

#define SP_MAX_PACKAGES 64
#define SP_MAX_REPLICATES 10000
#define SP_MAX_MONTHS 600
#define SP_MAX_DISTS 32
#define SP_PARAM_WORDS 4 /* 64-bit words of the `fixed` mask: up to 256 parameters */

typedef struct sp_experiment_def {
    const sp_population *population;
    const sp_package *packages[SP_MAX_PACKAGES]; /* first = baseline */
    int npackages;
    int start_month;   /* calendar month (see calendar.h) of the first reported month */
    int months;        /* reported months, 1..SP_MAX_MONTHS */
    int warmup;        /* months simulated before start_month and not reported (0..SP_MAX_MONTHS),
                        * so that applicant pools and car markets reach their state */
    int replicates;    /* 1..SP_MAX_REPLICATES */
    uint32_t seed;
    int threads;       /* 1 or more; results do not depend on it */
    sp_params params;
    /* The macro path every package runs on (macro.h), or NULL: no path, the
     * `growth` trend (the default, so scenarios without one keep their
     * meaning). It must cover the simulated months, warmup included, and have
     * the population's base year. */
    const sp_macro_def *macro;
    sp_param_dist dists[SP_MAX_DISTS]; /* parameters drawn once per replicate */
    int ndists;
    /* Parameter uncertainty by default. 1: with more than one replicate,
     * the default distributions (sp_param_default_dists, and those of the
     * measure kinds the packages use, sp_measure_ops.dists) are drawn once
     * per replicate for every parameter that has no distribution in dists
     * and is not fixed, so intervals carry parameter uncertainty as well as
     * Monte Carlo noise. With one replicate nothing is drawn by default: the
     * point estimate is the calibrated model (distributions in dists are
     * still drawn). 0: only dists are drawn. The Lua API turns it on
     * (sp.experiment{ uncertainty = true }); sp_experiment_def_default leaves
     * it off, so a C caller gets exactly the parameters it sets. */
    int uncertainty;
    /* Parameters the caller gave a value (bit k for entry k of
     * sp_param_table): never drawn by default. A parameter whose value in
     * `params` differs from its default counts as given as well. */
    uint64_t fixed[SP_PARAM_WORDS];
    /* Called after each run (package x replicate) when set; may be NULL. */
    void (*progress)(void *ud, int done, int total);
    void *progress_ud;
} sp_experiment_def;

/* Defaults: no population or packages, start 2019-01, 36 months, 1 replicate,
 * seed 1, 1 thread, default parameters. */
sp_experiment_def sp_experiment_def_default(void);

/* Sets a parameter by name (range checked, as sp_params_set) and marks it
 * fixed, so no default distribution replaces it. */
int sp_experiment_set_param(sp_experiment_def *def, const char *name, double value, sp_err *err);

/* The distributions an experiment draws per replicate, in order: its own
 * (dists), then, when uncertainty applies (see above), the defaults of the
 * parameters neither given a distribution nor fixed. Writes at most cap
 * entries to out and returns how many, or a negative status (err set) when
 * they do not fit. */
int sp_experiment_dists(const sp_experiment_def *def, sp_param_dist *out, int cap, sp_err *err);

/* Checks the definition; errors name the field and value. */
int sp_experiment_validate(const sp_experiment_def *def, sp_err *err);

/* Runs the experiment. NULL with err on invalid input or failure. */
sp_results *sp_experiment_run(const sp_experiment_def *def, sp_err *err);

#endif
