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
    /* Called after each run (package x replicate) when set; may be NULL. */
    void (*progress)(void *ud, int done, int total);
    void *progress_ud;
} sp_experiment_def;

/* Defaults: no population or packages, start 2019-01, 36 months, 1 replicate,
 * seed 1, 1 thread, default parameters. */
sp_experiment_def sp_experiment_def_default(void);

/* Checks the definition; errors name the field and value. */
int sp_experiment_validate(const sp_experiment_def *def, sp_err *err);

/* Runs the experiment. NULL with err on invalid input or failure. */
sp_results *sp_experiment_run(const sp_experiment_def *def, sp_err *err);

#endif
