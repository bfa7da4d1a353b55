/* shapley.h: Shapley values of a cooperative game given by a callback.
 *
 * Players 0..n-1; a coalition is a bit mask (bit i = player i). v(S) comes
 * from a callback that values a batch of coalitions at once (so a caller can
 * run many coalitions in one experiment). The Shapley value of player i is
 *   phi_i = sum over S not holding i of |S|! (n - |S| - 1)! / n! (v(S + i) - v(S)),
 * so that sum_i phi_i = v(all) - v(none) (efficiency), players that add the
 * same to every coalition get equal values (symmetry) and a player that adds
 * nothing gets 0 (null player).
 *
 * Exact for n <= exact_max (all 2^n coalitions valued once). Beyond it,
 * permutation sampling (Castro, Gomez & Tejada 2009, "Polynomial calculation
 * of the Shapley value based on sampling", Computers & Operations Research
 * 36(5)): `samples` random orders of the players (GSL's mt19937 seeded with
 * `seed`, gsl_ran_shuffle), each player's value the mean of its marginal
 * contributions with the standard error sd / sqrt(samples); each order's
 * contributions add up to v(all) - v(none), so the estimates do too. */
#ifndef SP_SHAPLEY_H
#define SP_SHAPLEY_H

#include <stdint.h>

#include "status.h"

#define SP_SHAPLEY_MAX_PLAYERS 32
#define SP_SHAPLEY_EXACT_LIMIT 16 /* the largest exact_max allowed (65536 coalitions) */

/* Values v(masks[k]) into values[k], k < n; SP_OK or an error (the
 * computation stops and returns it). */
typedef int (*sp_shapley_fn)(void *ud, const uint32_t *masks, int n, double *values, sp_err *err);

typedef struct sp_shapley_result {
    int n;                 /* players */
    int exact;             /* 1: exact; 0: sampled */
    int samples;           /* orders sampled (0 when exact) */
    int coalitions;        /* distinct coalitions valued */
    double v_none, v_all;  /* v of the empty and the full coalition */
    double phi[SP_SHAPLEY_MAX_PLAYERS];
    double se[SP_SHAPLEY_MAX_PLAYERS]; /* standard errors (0 when exact) */
} sp_shapley_result;

/* n players (1..SP_SHAPLEY_MAX_PLAYERS); exact when n <= exact_max
 * (0..SP_SHAPLEY_EXACT_LIMIT), else `samples` orders (2..1000000). */
int sp_shapley(int n, sp_shapley_fn v, void *ud, int exact_max, int samples, uint32_t seed,
               sp_shapley_result *out, sp_err *err);

#endif
