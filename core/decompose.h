/* decompose.h: the contribution of each measure of a package to a scalar
 * result, as Shapley values (shapley.h) over the subsets of its measures.
 *
 * The players are the package's measures that the baseline does not hold
 * (same name, kind and definition); the baseline's measures stay in every
 * coalition. Coalition S is the package holding the baseline's measures and
 * the players in S, in the package's order; it runs in an experiment whose
 * first package is the baseline, with the experiment's seed, so all
 * coalitions share common random numbers and v(S) (the objective of S,
 * normally its difference against the baseline) is a deterministic function
 * of S: the full coalition is the package itself, and v(empty) is exactly 0
 * when the package holds every measure of the baseline. Shapley values then
 * add up to the package's total effect, v(all) - v(empty).
 *
 * Coalitions run `batch` at a time in one experiment (baseline + batch
 * packages, at most SP_MAX_PACKAGES - 1): the baseline runs once per batch,
 * with the same draws every time. */
#ifndef SP_DECOMPOSE_H
#define SP_DECOMPOSE_H

#include "experiment.h"
#include "objective.h"
#include "shapley.h"

#define SP_DECOMPOSE_EXACT_MAX 10 /* default: exact up to 10 measures (1024 coalitions) */
#define SP_DECOMPOSE_SAMPLES 200  /* default orders sampled beyond it */

/* The value of package `package` of res (the coalition; package 0 is the
 * baseline), for objectives the core does not know (a Lua function). */
typedef int (*sp_decompose_value_fn)(void *ud, const sp_results *res, int package, double *v,
                                     sp_err *err);

typedef struct sp_decompose_def {
    const sp_experiment_def *experiment; /* population, horizon, replicates, seed, parameters;
                                          * its packages are not used */
    const sp_package *package;
    const sp_package *baseline;
    sp_objective objective;    /* its package index is set per coalition */
    sp_decompose_value_fn value; /* when set, used instead of objective */
    void *value_ud;
    int batch;                 /* coalitions per experiment, 1..SP_MAX_PACKAGES - 1 (default 63) */
    int exact_max;             /* default SP_DECOMPOSE_EXACT_MAX */
    int samples;               /* default SP_DECOMPOSE_SAMPLES */
    uint32_t seed;             /* of the sampled orders (default 1) */
} sp_decompose_def;

typedef struct sp_decompose_result {
    sp_shapley_result shapley;
    int n;
    const char *names[SP_SHAPLEY_MAX_PLAYERS]; /* the players' measure names (in def->package) */
    int experiments;          /* experiments run */
} sp_decompose_result;

sp_decompose_def sp_decompose_def_default(void);

/* The players: indices into package->measures of the measures the baseline
 * does not hold, into idx; returns their count. */
int sp_decompose_players(const sp_package *package, const sp_package *baseline, int *idx);

/* The package of coalition `mask` over the players idx[0..n) (named name). */
sp_package *sp_decompose_coalition(const sp_package *package, const int *idx, int n,
                                   uint32_t mask, const char *name, sp_err *err);

/* Decomposes; errors: fewer than two players ("package \"Plan\" adds 1 measure
 * to the baseline (coupons): a decomposition needs at least 2"), more than
 * SP_SHAPLEY_MAX_PLAYERS, and any error of the experiments. */
int sp_decompose(const sp_decompose_def *def, sp_decompose_result *out, sp_err *err);

#endif
