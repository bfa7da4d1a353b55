/* spending.h: baseline monthly spending (docs/model.md section 2).
 *
 *   s[i,c,t] = C[i] * share[i,c] / 12 * season[c, month(t)] * growth^((t - mid)/12)
 *              * N[i,c,t] / E[N] * size noise
 *
 * Spending is lumpy: N[i,c,t] is the number of purchase occasions (shopping
 * trips) of household i in category c and month t, Poisson with a mean per
 * category (parameters trips_*), so many households buy nothing in a category
 * in a given month; each trip's size varies with coefficient of variation
 * trip_cv. Both are drawn from the household's own stream, so every package of
 * an experiment sees the same baseline (common random numbers). */
#ifndef SP_SPENDING_H
#define SP_SPENDING_H

#include <stdint.h>

#include "macro.h"
#include "params.h"
#include "population.h"
#include "rng.h"

#define SP_U16_VALUES 65536 /* values of a 16-bit uniform: the tables' unit of probability */
#define SP_POIS_KMAX 192  /* largest trip count represented */
#define SP_POIS_SHIFT 6      /* CDF buckets of 2^SP_POIS_SHIFT = 64 values of the 16-bit uniform */
#define SP_POIS_BUCKETS (SP_U16_VALUES >> SP_POIS_SHIFT)
#define SP_POIS_MASK ((1u << SP_POIS_SHIFT) - 1u)
#define SP_POIS_STRIDE 256   /* row length of the per-trip-count tables */
#define SP_LIN_SHIFT 6       /* linear buckets of 2^SP_LIN_SHIFT values of the 16-bit uniform (64: a class's
                              * tables stay small with three classes) */
#define SP_LIN_BUCKETS (SP_U16_VALUES >> SP_LIN_SHIFT)
#define SP_LIN_MASK ((1u << SP_LIN_SHIFT) - 1u)

/* Trip counts are stored in one byte (the trips arrays) and indexed into rows
 * of SP_POIS_STRIDE entries. */
_Static_assert(SP_POIS_KMAX <= UINT8_MAX && SP_POIS_KMAX < SP_POIS_STRIDE,
               "trip counts fit a byte and the per-trip-count rows");

#define SP_TRIP_CLASSES 3 /* consumption classes with their own trip rates: the consumption terciles */

/* Trip tables of one consumption class. A category's trip count k is the
 * Poisson CDF step (scaled to 2^16) that the household's 16-bit uniform u
 * falls in; the size noise is 1 + a_k (2 r - 1), r = (u - lo_k + 0.5) /
 * width_k the position of u inside the step (uniform given k, independent of
 * it), a_k = sqrt(3) trip_cv / sqrt(max(k, 1)). So k times the noise is
 * linear in d = u - lo_k on each step: f = step_c[k] + step_b[k] d, floored
 * at 0 (f includes the class's normalisation: its mean over u is the mean
 * trip count at the parameters' rate, whatever the class's rate). Inside a
 * bucket of 64 values of u that lies within one step, f = lin[b][0] +
 * lin[b][1] (u & 63): one table read per category, the kernel's common case;
 * a bucket where a step begins has lin[b][1] = NaN and is computed from the
 * step tables. */
typedef struct sp_trip_tables {
    uint32_t pois_cdf[SP_NCAT][SP_POIS_KMAX + 1];  /* Poisson CDF scaled to 2^16 (last entry 2^16) */
    uint32_t pois_lo[SP_NCAT][SP_POIS_KMAX + 1];   /* start of k's step: pois_cdf[k-1] (0 for k = 0) */
    /* Bucket b of category c covers u = 64 b .. 64 b + 63: bits 0-15 the start
     * lo of the step k0 holding u = 64 b, bits 16-22 the offset t (1..63) in
     * the bucket where the next step begins (64: none), bits 23-30 k0, bit 31
     * set when a second step also begins in the bucket (the CDF is searched
     * instead: tails and empty steps only). */
    uint32_t bucket[SP_NCAT][SP_POIS_BUCKETS];
    float step_c[SP_NCAT][SP_POIS_STRIDE];  /* s (k (1 - a_k) + step_b[k] / 2s), s the class's normalisation */
    float step_b[SP_NCAT][SP_POIS_STRIDE];  /* s 2 k a_k / width_k (0 for an empty step) */
    float lin[SP_NCAT][SP_LIN_BUCKETS][2];  /* f at the bucket's first u, and the slope (NaN: a step begins inside) */
} sp_trip_tables;

/* Spending model. Trip rates depend on the household's consumption: class k
 * (its consumption tercile, from pop->ranks) makes trips_c x mult[k] trips a
 * month, mult[k] = (mean consumption of the class)^trip_elasticity normalised
 * to a households-weighted mean of 1; a purchase's size is the rest of the
 * consumption difference. Spending's expectation does not depend on the
 * class. */
typedef struct sp_spending_model {
    double season[SP_NCAT][12];             /* multiplicative seasonal factors, mean 1 per category */
    sp_trip_tables cls[SP_TRIP_CLASSES];    /* tables per consumption class */
    double mult[SP_TRIP_CLASSES];           /* trip-rate multiplier of each class */
    uint8_t class_of_rank[SP_RANK_CONS_MASK + 1]; /* class of a consumption rank (pop->ranks bits 0-4) */
    double inv_mean[SP_NCAT];               /* 1 / mean of the discretised trip count at the parameters' rate */
    double growth_log;                      /* ln(growth) / 12: per-month log growth */
    int mid_month;                          /* calendar month (fractional .5 added) at which growth = 1 */
} sp_spending_model;

/* The seasonal profile as tabulated (before amplitude), mean 1 per category. */
double sp_spending_season_table(int category, int month_1_12);

/* Prepares the tables for parameters p and a population of base year
 * base_year (consumption figures are that year's annual totals), every class
 * at the parameters' trip rates (mult = 1). */
int sp_spending_model_init(sp_spending_model *m, const sp_params *p, int base_year, sp_err *err);

/* The classes' trip rates from the population's consumption terciles and
 * p->trip_elasticity (m initialised with p). */
int sp_spending_model_classes(sp_spending_model *m, const sp_params *p, const sp_population *pop,
                              sp_err *err);

/* Growth factor of calendar month cal_month relative to the base year's middle. */
double sp_spending_growth(const sp_spending_model *m, int cal_month);

/* Per-month constants of the household kernel: coef[c] = season x growth / 12
 * / E[N_c] / 2^16 (the share's unit), computed in double precision and kept
 * in single precision (what the kernel multiplies by). Prepared once per
 * month. */
typedef struct sp_spending_month {
    float coef[SP_NCAT];
    uint32_t month_word; /* the calendar month as the counter's month word */
} sp_spending_month;

void sp_spending_month_prepare(const sp_spending_model *m, int cal_month, sp_spending_month *out);

/* The same under a macro path (macro.h): the path's factor of each category
 * and month replaces the growth trend, coef[c] = season x factor_c / 12 /
 * E[N_c] / 2^16. NULL is the trend (sp_spending_month_prepare), so a run
 * without a path is unchanged bit for bit. The path must cover cal_month. */
void sp_spending_month_prepare_macro(const sp_spending_model *m, const sp_macro_def *macro,
                                     int cal_month, sp_spending_month *out);

/* Planned spending of households lo .. lo + n - 1 in the prepared month (each
 * through the tables of its consumption class), in
 * yuan by category (single precision: the engine sums in double), from each
 * household's draw w[j] = sp_rng_words(key, lo + j, month_word,
 * SP_PURPOSE_SPENDING, 0): one 16-bit uniform per category (category c takes
 * the low half of word c / 2 for even c, the high half for odd c). trips, when
 * not NULL, receives the trip counts. Vectorised across the eight categories
 * where the CPU allows (simd.h); the result is bit-identical either way.
 *
 *   out[j][c] = ((consumption x coef[c]) x share[c]) x f_c(u) */
void sp_spending_chunk(const sp_spending_model *m, const sp_population *pop,
                       const sp_spending_month *mo, size_t lo, size_t n, const uint32_t (*w)[4],
                       float (*out)[SP_NCAT], uint8_t (*trips)[SP_NCAT]);

/* One household: draws its words and runs the kernel (tests, tools). */
void sp_spending_household(const sp_spending_model *m, const sp_population *pop,
                           const sp_spending_month *mo, uint32_t i, sp_rng_key key,
                           double out[SP_NCAT], unsigned trips[SP_NCAT]);

#endif
