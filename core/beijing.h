/* beijing.h: the embedded default population, Beijing family households 2019.
 *
 * Generated from a seed with no data files: a weighted sample of `households`
 * households standing for the 8,230,792 family households of the 2020 census.
 * Every figure it is calibrated to is listed, with its source, in docs/model.md
 * and in the defaults below. */
#ifndef SP_BEIJING_H
#define SP_BEIJING_H

#include <stdint.h>

#include "population.h"
#include "status.h"

enum {
    SP_BEIJING_NSIZE = 10,                /* household sizes 1..10 (10: ten or more persons) */
    SP_BEIJING_MAX_HOUSEHOLDS = 50000000  /* largest sample */
};

typedef struct sp_beijing_def {
    size_t households;          /* sample size, 1 .. SP_BEIJING_MAX_HOUSEHOLDS (weight = represented / households) */
    int year;                   /* structural base year; 2019 is the one embedded */
    uint32_t seed;              /* generator seed */
    int threads;                /* threads building household blocks; 0: OpenMP's default. The
                                 * population does not depend on it */

    double represented;         /* family households represented: 8,230,792 (2020 census) */
    double mean_size;           /* target mean household size: 2.31 (2020 census) */
    double urban_share;         /* urban share of residents: 0.866 (2019 communique) */
    double income_pc[SP_NAREA];      /* per-capita disposable income urban, rural: 73,849 / 28,928 (2019, NBS) */
    double consumption_pc[SP_NAREA]; /* per-capita consumption urban, rural: 46,358 / 21,881 (2019 communique, unverified) */
    double income_sigma[SP_NAREA];   /* sd of log per-capita income within area: 0.55 urban (top/bottom quintile ~4.7), 0.50 rural */
    double apc_elasticity;      /* elasticity of the average propensity to consume w.r.t. per-capita income: -0.25 */
    double engel_slope[SP_NCAT];/* d share / d ln(per-capita income); sums to zero */
    double liquidity_share[SP_NLIQ]; /* P-HtM, W-HtM, P-nHtM, W-nHtM: .068 .367 .066 .499 (CHFS urban, Jiang et al. 2019) */
    double private_cars;        /* private cars at end of base year: 4,974,000 (2019 communique) */
    double car_income_slope;    /* logit slope of owning a car on ln household income: 1.2 */
    double car_size_slope;      /* logit slope of owning a car on household size: 0.3 */
    double second_car_intercept;/* logit intercept of a second car given one, at median income: -2.4 */
    double second_car_slope;    /* logit slope of a second car on ln household income: 1.0 */
    double licence_rate;        /* share of adults holding a driving licence at median income: 0.7 */
    double lottery_eligible;    /* share of households eligible for the plate lottery: 0.75 */
    double plate_applicants;    /* individuals in the ordinary lottery: 3,320,000 (Aug 2019) */
    double nev_queue;           /* individuals in the NEV queue: 442,411 (Aug 2019) */
} sp_beijing_def;

/* Defaults as documented above, for 100,000 households, year 2019, seed 1. */
sp_beijing_def sp_beijing_def_default(void);

/* Builds the population. NULL with err set on invalid definitions or failure. */
sp_population *sp_beijing_build(const sp_beijing_def *def, sp_err *err);

/* The size distribution used: shares of sizes 1..SP_BEIJING_NSIZE (index 0 = size 1). */
void sp_beijing_size_distribution(const sp_beijing_def *def, double out[SP_BEIJING_NSIZE]);

/* Registration year distribution of the end-of-base-year car stock: weight of
 * registration years from 1995 to base year (index 0 = 1995), summing to 1. */
int sp_beijing_vintages(double *out, int max);

#endif
