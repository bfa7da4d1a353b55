/* spending.h: baseline monthly spending (MODEL.md section 2).
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

#include "params.h"
#include "population.h"
#include "rng.h"

#define SP_POIS_KMAX 192  /* largest trip count represented */
#define SP_POIS_BUCKETS 1024

typedef struct sp_spending_model {
    double season[SP_NCAT][12];             /* multiplicative seasonal factors, mean 1 per category */
    uint16_t pois_start[SP_NCAT][SP_POIS_BUCKETS]; /* first k to test for a 16-bit uniform's bucket */
    uint32_t pois_cdf[SP_NCAT][SP_POIS_KMAX + 1];  /* Poisson CDF scaled to 2^16 */
    uint32_t pois_lo[SP_NCAT][SP_POIS_KMAX + 1];   /* start of k's step: pois_cdf[k-1] (0 for k = 0) */
    double pois_inv_width[SP_NCAT][SP_POIS_KMAX + 1]; /* 1 / width of k's step (0 when empty) */
    double inv_mean[SP_NCAT];               /* 1 / mean of the discretised trip count */
    double noise_amp_k[SP_POIS_KMAX + 1];   /* sqrt(3) trip_cv / sqrt(max(k,1)): half-width of the size noise of k trips */
    double growth_log;                      /* ln(growth) / 12: per-month log growth */
    int mid_month;                          /* calendar month (fractional .5 added) at which growth = 1 */
} sp_spending_model;

/* The seasonal profile as tabulated (before amplitude), mean 1 per category. */
double sp_spending_season_table(int category, int month_1_12);

/* Prepares the tables for parameters p and a population of base year
 * base_year (consumption figures are that year's annual totals). */
int sp_spending_model_init(sp_spending_model *m, const sp_params *p, int base_year, sp_err *err);

/* Growth factor of calendar month cal_month relative to the base year's middle. */
double sp_spending_growth(const sp_spending_model *m, int cal_month);

/* Per-month constants of the household kernel: coef[c] = season x growth / 12
 * / E[N_c] / 2^16 (the share's unit). Prepared once per month. */
typedef struct sp_spending_month {
    double coef[SP_NCAT];
    uint32_t month_word; /* the calendar month as the counter's month word */
} sp_spending_month;

void sp_spending_month_prepare(const sp_spending_model *m, int cal_month, sp_spending_month *out);

/* Planned spending of household i in the prepared month, in yuan, by
 * category, and the number of purchases behind it.
 *
 * One Philox call gives eight 16-bit uniforms, one per category. The uniform
 * picks the trip count k by inversion of the Poisson CDF; its position inside
 * k's CDF step is again uniform and independent of k, and sets the size noise. */
static inline void sp_spending_household(const sp_spending_model *m, const sp_population *pop,
                                         const sp_spending_month *mo, uint32_t i, sp_rng_key key,
                                         double out[SP_NCAT], unsigned trips[SP_NCAT])
{
    uint32_t w[4];
    sp_rng_words(key, i, mo->month_word, SP_PURPOSE_SPENDING, 0, w);
    const uint16_t *share = pop->shares + (size_t)i * SP_NCAT;
    const double base = (double)pop->consumption[i];
    for (int c = 0; c < SP_NCAT; c++) {
        uint32_t u = (c & 1) ? w[c >> 1] >> 16 : w[c >> 1] & 0xffffu;
        unsigned k = m->pois_start[c][u >> 6];
        while (u >= m->pois_cdf[c][k]) /* usually 0 or 1 step */
            k++;
        /* position inside the step, in (0,1): uniform given k */
        double r = ((double)(u - m->pois_lo[c][k]) + 0.5) * m->pois_inv_width[c][k];
        double noise = 1.0 + m->noise_amp_k[k] * (2.0 * r - 1.0);
        noise = noise > 0 ? noise : 0;
        out[c] = base * (double)share[c] * mo->coef[c] * (double)k * noise;
        trips[c] = k;
    }
}

#endif
