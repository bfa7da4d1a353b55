/* beijing.c: generator of the embedded Beijing 2019 family-household population.
 *
 * Every draw comes from the household's own stream (seed, household id,
 * attribute), so a household's attributes do not depend on the sample size or
 * on the order of generation. Aggregate targets (per-capita income and
 * consumption by area, category shares, the private-car stock) are then met by
 * calibrating a few scale parameters on the drawn sample; see docs/model.md. */
#include "beijing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "calendar.h"
#include "group.h"
#include "rng.h"

#define FIRST_VINTAGE 1995
#define N_VINTAGE 25 /* 1995..2019 */

/* 2010 census household sizes 1..10 (pct of family households; 7+ split as
 * 0.35/0.15/0.04/0.04 for 7, 8, 9, 10+). Beijing 2010 census table 1-10. */
static const double size_2010[10] = {24.82, 30.24, 29.08, 9.33, 4.78, 1.17, 0.35, 0.15, 0.04, 0.04};

/* Reconstructed new private-car registrations in Beijing by year, thousands
 * (1995..2019): growth to >800,000 new cars in 2010 (Global Times 2011-01-10),
 * then the plate quota (240,000/yr 2011-13, 150,000 2014-17, 100,000 2018-19)
 * plus replacement purchases that keep their plate. An assumption consistent
 * with the stock history in data/beijing_vehicle_stock.csv; see docs/model.md. */
static const double new_regs[N_VINTAGE] = {60,  70,  90,  110, 130, 150, 200, 300, 400,
                                           450, 500, 550, 600, 650, 750, 850, 550, 560,
                                           570, 500, 500, 480, 470, 430, 420};
/* Survival of a registration to the end of 2019: Weibull, scale 14 years, shape 3. */
#define SURVIVAL_SCALE_Y 14.0
#define SURVIVAL_SHAPE 3.0

/* NEV share of new registrations by year (NEV quota / new registrations). */
static double nev_share(int year)
{
    if (year < 2014)
        return 0.0;
    static const double s[] = {0.04, 0.06, 0.12, 0.13, 0.14, 0.15}; /* 2014..2019 */
    int k = year - 2014;
    return k < 6 ? s[k] : 0.15;
}

sp_beijing_def sp_beijing_def_default(void)
{
    sp_beijing_def d;
    memset(&d, 0, sizeof d);
    d.households = 100000;
    d.year = 2019;
    d.seed = 1;
    d.represented = 8230792.0;
    d.mean_size = 2.31;
    d.urban_share = 0.866;
    d.income_pc[SP_AREA_URBAN] = 73849.0;
    d.income_pc[SP_AREA_RURAL] = 28928.0;
    d.consumption_pc[SP_AREA_URBAN] = 46358.0;
    d.consumption_pc[SP_AREA_RURAL] = 21881.0;
    d.income_sigma[SP_AREA_URBAN] = 0.55;
    d.income_sigma[SP_AREA_RURAL] = 0.50;
    d.apc_elasticity = -0.25;
    static const double slope[SP_NCAT] = {-0.050, 0.002, -0.005, 0.005, 0.020, 0.020, 0.000, 0.008};
    memcpy(d.engel_slope, slope, sizeof slope);
    d.liquidity_share[0] = 0.068;
    d.liquidity_share[1] = 0.367;
    d.liquidity_share[2] = 0.066;
    d.liquidity_share[3] = 0.499;
    d.private_cars = 4974000.0;
    d.car_income_slope = 1.2;
    d.car_size_slope = 0.3;
    d.second_car_intercept = -2.4;
    d.second_car_slope = 1.0;
    d.licence_rate = 0.7;
    d.lottery_eligible = 0.75;
    d.plate_applicants = 3320000.0;
    d.nev_queue = 442411.0;
    return d;
}

void sp_beijing_size_distribution(const sp_beijing_def *def, double out[10])
{
    /* Exponential tilt p_k ∝ p2010_k exp(theta k), theta solved for the mean. */
    double lo = -3.0, hi = 3.0;
    for (int it = 0; it < 100; it++) {
        double theta = 0.5 * (lo + hi), z = 0, m = 0;
        for (int k = 0; k < 10; k++) {
            double p = size_2010[k] * exp(theta * (k + 1));
            z += p;
            m += p * (k + 1);
        }
        if (m / z < def->mean_size)
            lo = theta;
        else
            hi = theta;
    }
    double theta = 0.5 * (lo + hi), z = 0;
    for (int k = 0; k < 10; k++) {
        out[k] = size_2010[k] * exp(theta * (k + 1));
        z += out[k];
    }
    for (int k = 0; k < 10; k++)
        out[k] /= z;
}

int sp_beijing_vintages(double *out, int max)
{
    if (max < N_VINTAGE)
        return 0;
    double z = 0;
    for (int k = 0; k < N_VINTAGE; k++) {
        double age = (2019 - (FIRST_VINTAGE + k)) + 0.5;
        out[k] = new_regs[k] * exp(-pow(age / SURVIVAL_SCALE_Y, SURVIVAL_SHAPE));
        z += out[k];
    }
    for (int k = 0; k < N_VINTAGE; k++)
        out[k] /= z;
    return N_VINTAGE;
}

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
static double logit(double p) { return log(p / (1.0 - p)); }

static int validate(const sp_beijing_def *d, sp_err *err)
{
    if (d->households < 1 || d->households > 50000000)
        return sp_err_set(err, SP_EINVAL, "households must be between 1 and 50000000, got %zu",
                          d->households);
    if (d->year != 2019)
        return sp_err_set(err, SP_EINVAL,
                          "year %d is not embedded: the default population describes 2019", d->year);
    if (!(d->represented > 0))
        return sp_err_set(err, SP_EINVAL, "represented must be positive, got %g", d->represented);
    if (!(d->mean_size >= 1.2 && d->mean_size <= 5.0))
        return sp_err_set(err, SP_EINVAL, "mean_size must be in 1.2..5, got %g", d->mean_size);
    if (!(d->urban_share >= 0 && d->urban_share <= 1))
        return sp_err_set(err, SP_EINVAL, "urban_share must be in 0..1, got %g", d->urban_share);
    for (int a = 0; a < 2; a++) {
        if (!(d->income_pc[a] > 0))
            return sp_err_set(err, SP_EINVAL, "income_pc[%d] must be positive, got %g", a, d->income_pc[a]);
        if (!(d->consumption_pc[a] > 0))
            return sp_err_set(err, SP_EINVAL, "consumption_pc[%d] must be positive, got %g", a,
                              d->consumption_pc[a]);
        if (!(d->income_sigma[a] > 0 && d->income_sigma[a] < 3))
            return sp_err_set(err, SP_EINVAL, "income_sigma must be in (0,3), got %g",
                              d->income_sigma[a]);
    }
    double ls = 0, es = 0;
    for (int k = 0; k < 4; k++) {
        if (!(d->liquidity_share[k] >= 0))
            return sp_err_set(err, SP_EINVAL, "liquidity_share[%d] must be non-negative, got %g", k,
                              d->liquidity_share[k]);
        ls += d->liquidity_share[k];
    }
    if (fabs(ls - 1.0) > 1e-6)
        return sp_err_set(err, SP_EINVAL, "liquidity_share must sum to 1, got %g", ls);
    for (int c = 0; c < SP_NCAT; c++)
        es += d->engel_slope[c];
    if (fabs(es) > 1e-9)
        return sp_err_set(err, SP_EINVAL, "engel_slope must sum to 0, got %g", es);
    if (!(d->private_cars >= 0 && d->private_cars <= 2.0 * d->represented))
        return sp_err_set(err, SP_EINVAL, "private_cars must be in 0..2 x households, got %g",
                          d->private_cars);
    if (!(d->licence_rate > 0 && d->licence_rate < 1) ||
        !(d->lottery_eligible >= 0 && d->lottery_eligible <= 1))
        return sp_err_set(err, SP_EINVAL, "licence_rate (%g) and lottery_eligible (%g) must be shares",
                          d->licence_rate, d->lottery_eligible);
    if (!(d->plate_applicants >= 0))
        return sp_err_set(err, SP_EINVAL, "plate_applicants must be non-negative, got %g",
                          d->plate_applicants);
    if (!(d->nev_queue >= 0))
        return sp_err_set(err, SP_EINVAL, "nev_queue must be non-negative, got %g", d->nev_queue);
    return SP_OK;
}

static int adults_of(int size)
{
    static const int a[11] = {0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5};
    return a[size < 10 ? size : 10];
}

/* Inverse CDF of a binomial(n, p) at u. */
static int binomial_inv(double u, int n, double p)
{
    double q = pow(1.0 - p, n), cdf = q;
    int k = 0;
    while (u > cdf && k < n) {
        q *= (double)(n - k) / (k + 1) * p / (1.0 - p);
        k++;
        cdf += q;
    }
    return k;
}

sp_population *sp_beijing_build(const sp_beijing_def *def, sp_err *err)
{
    sp_init();
    if (validate(def, err) != SP_OK)
        return NULL;
    size_t n = def->households;
    sp_population *pop = sp_population_alloc(n, err);
    if (!pop)
        return NULL;
    double *z = malloc(n * sizeof *z);   /* income normal deviate */
    float *u = malloc(n * 16 * sizeof *u); /* 16 uniforms per household */
    double *carth = malloc(n * sizeof *carth);
    uint8_t *two = malloc(n ? n : 1); /* 1: an owner of this household would own two cars */
    if (!z || !u || !carth || !two) {
        free(z), free(u), free(carth), free(two);
        sp_population_free(pop);
        sp_err_set(err, SP_ENOMEM, "out of memory building %zu households", n);
        return NULL;
    }
    pop->base_year = def->year;
    pop->base_month = sp_month_make(def->year, 12);
    pop->total_weight = def->represented;
    snprintf(pop->label, sizeof pop->label,
             "Beijing family households 2019 (embedded): %zu sample households for %.0f, seed %u", n,
             def->represented, (unsigned)def->seed);
    const float w = (float)(def->represented / (double)n);
    double sizes[10];
    sp_beijing_size_distribution(def, sizes);
    sp_rng_key key = sp_rng_key_make(def->seed, 0xB15u);

    /* 1. Draws, size, area, income deviates. */
    for (size_t i = 0; i < n; i++) {
        uint32_t wd[4];
        for (uint32_t d = 0; d < 4; d++) {
            sp_rng_words(key, (uint32_t)i, 0, SP_PURPOSE_POPULATION, d, wd);
            for (int k = 0; k < 4; k++)
                u[i * 16 + d * 4 + k] = (float)sp_u01(wd[k]);
        }
        const float *ui = u + i * 16;
        double cum = 0;
        int s = 10;
        for (int k = 0; k < 10; k++) {
            cum += sizes[k];
            if (ui[0] < cum) {
                s = k + 1;
                break;
            }
        }
        pop->weight[i] = w;
        pop->size[i] = (uint8_t)s;
        pop->area[i] = ui[1] < def->urban_share ? SP_AREA_URBAN : SP_AREA_RURAL;
        sp_rng_words(key, (uint32_t)i, 0, SP_PURPOSE_POPULATION, 4, wd);
        z[i] = gsl_cdf_ugaussian_Pinv(sp_u01(wd[0]));
    }

    /* 2. Per-capita income: log-normal within area, scaled to the area mean
     *    (persons-weighted, as the published per-capita figures are). */
    for (int a = 0; a < 2; a++) {
        double sg = def->income_sigma[a], num = 0, den = 0;
        for (size_t i = 0; i < n; i++) {
            if (pop->area[i] != a)
                continue;
            double y = exp(sg * z[i] - 0.5 * sg * sg);
            pop->income[i] = (float)y; /* per capita for now */
            num += y * pop->size[i];
            den += pop->size[i];
        }
        double scale = den > 0 ? def->income_pc[a] / (num / den) : 0;
        for (size_t i = 0; i < n; i++)
            if (pop->area[i] == a)
                pop->income[i] = (float)(pop->income[i] * scale);
    }

    /* 3. Consumption: APC falls with per-capita income (elasticity), scaled to
     *    the published per-capita consumption of each area. Household income. */
    for (int a = 0; a < 2; a++) {
        double num = 0, den = 0;
        for (size_t i = 0; i < n; i++) {
            if (pop->area[i] != a)
                continue;
            double ypc = pop->income[i];
            double c = pow(ypc / def->income_pc[a], def->apc_elasticity) * ypc;
            pop->consumption[i] = (float)c; /* per capita for now */
            num += c * pop->size[i];
            den += pop->size[i];
        }
        double scale = den > 0 ? def->consumption_pc[a] / (num / den) : 0;
        for (size_t i = 0; i < n; i++)
            if (pop->area[i] == a) {
                pop->consumption[i] = (float)(pop->consumption[i] * scale * pop->size[i]);
                pop->income[i] = (float)((double)pop->income[i] * pop->size[i]);
            }
    }

    /* 4. Quintiles of per-capita income over persons, and the persons-weighted
     *    rank used to concentrate poor liquidity types at low incomes. */
    double median_y = 0;
    if (sp_population_rank(pop, z /* reused: rank per household */, &median_y, err) != SP_OK) {
        free(z), free(u), free(carth), free(two);
        sp_population_free(pop);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const float *ui = u + i * 16;
        pop->liquidity[i] = (uint8_t)sp_liquidity_of_rank(z[i], def->liquidity_share, ui[2], ui[3]);
    }
    if (median_y <= 0)
        median_y = def->income_pc[0];

    /* 5. Engel curves: intercepts calibrated so that consumption-weighted
     *    category shares equal the 2018 composition. */
    {
        double target[SP_NCAT];
        for (int c = 0; c < SP_NCAT; c++)
            target[c] = sp_category_share_2018(c);
        sp_population_calibrate_engel(pop, def->engel_slope, target);
    }

    /* 6. Cars: owning at least one is a logit in ln income and size whose
     *    intercept is calibrated to the private-car stock; a second car is a
     *    logit in ln income. Household i owns iff alpha > carth[i]. */
    double vint[N_VINTAGE];
    sp_beijing_vintages(vint, N_VINTAGE);
    {
        for (size_t i = 0; i < n; i++) {
            const float *ui = u + i * 16;
            double lny = log(pop->income[i] / (median_y * 2.31));
            double x = def->car_income_slope * lny + def->car_size_slope * (pop->size[i] - def->mean_size);
            carth[i] = logit(ui[4]) - x;
            double p2 = logistic(def->second_car_intercept + def->second_car_slope * lny);
            two[i] = ui[5] < p2;
        }
        /* 80 steps of bisection on the intercept. The second-car draws do not
         * depend on it, so each household's cars are known (z is free now).
         * One pass over the households evaluates the next three steps' seven
         * possible midpoints (seven independent sums, each added in household
         * order as a step at a time would): the same intercept, in a third of
         * the passes. */
        for (size_t i = 0; i < n; i++)
            z[i] = w * (1.0 + two[i]);
        double lo = -30, hi = 30;
        for (int it = 0; it < 80;) {
            const int depth = 80 - it < 3 ? 80 - it : 3;
            /* the midpoints of the subtree: node 1, its children 2 and 3, theirs 4..7 */
            double mid[8], bl[8], bh[8], cars[8] = {0};
            bl[1] = lo, bh[1] = hi;
            for (int k = 1; k <= 7; k++) {
                mid[k] = 0.5 * (bl[k] + bh[k]);
                if (k <= 3) {
                    bl[2 * k] = bl[k], bh[2 * k] = mid[k];
                    bl[2 * k + 1] = mid[k], bh[2 * k + 1] = bh[k];
                }
            }
            /* z[i] x 1 or x 0 (without branches): adding +0 leaves a sum alone */
            for (size_t i = 0; i < n; i++)
                for (int k = 1; k <= 7; k++)
                    cars[k] += z[i] * (double)(mid[k] > carth[i]);
            for (int k = 1, d = 0; d < depth; d++, it++) { /* walk down as the steps would */
                if (cars[k] < def->private_cars) {
                    lo = mid[k];
                    k = 2 * k + 1;
                } else {
                    hi = mid[k];
                    k = 2 * k;
                }
            }
        }
        double alpha = 0.5 * (lo + hi);
        for (size_t i = 0; i < n; i++) {
            const float *ui = u + i * 16;
            int nc = alpha > carth[i] ? 1 + two[i] : 0;
            pop->state.ncars[i] = (uint8_t)nc;
            for (int k = 0; k < nc; k++) {
                double uv = k == 0 ? ui[6] : ui[7], cv = 0;
                int v = N_VINTAGE - 1;
                for (int j = 0; j < N_VINTAGE; j++) {
                    cv += vint[j];
                    if (uv < cv) {
                        v = j;
                        break;
                    }
                }
                int year = FIRST_VINTAGE + v;
                /* month within the year from the fractional position in the bin */
                double frac = vint[v] > 0 ? (uv - (cv - vint[v])) / vint[v] : 0.5;
                int mon = (int)(frac * 12.0);
                mon = mon < 0 ? 0 : (mon > 11 ? 11 : mon);
                int reg = sp_month_make(year, mon + 1);
                int age = pop->base_month - reg;
                pop->state.car_age[k][i] = (uint16_t)(age < 0 ? 0 : age);
                double ufuel = k == 0 ? ui[8] : ui[9];
                int nev = ufuel < nev_share(year);
                pop->state.car_kind[k][i] =
                    (uint8_t)(nev ? (SP_CAR_NEV | 6u) : sp_emission_of_year(year));
            }
        }
    }

    /* 7. Drivers, lottery eligibility, generations. */
    for (size_t i = 0; i < n; i++) {
        const float *ui = u + i * 16;
        int s = pop->size[i], ad = adults_of(s);
        double p = logistic(logit(def->licence_rate) +
                            0.8 * log(pop->income[i] / (median_y * s)));
        int dr = binomial_inv(ui[10], ad, p);
        if (dr < pop->state.ncars[i])
            dr = pop->state.ncars[i] < ad ? pop->state.ncars[i] : ad;
        pop->drivers[i] = (uint8_t)dr;
        pop->eligible[i] = ui[11] < def->lottery_eligible;
        double g = ui[12];
        int gen = 1;
        if (s == 2)
            gen = g < 0.15 ? 2 : 1;
        else if (s == 3)
            gen = g < 0.9 ? 2 : 1;
        else if (s == 4)
            gen = g < 0.1 ? 1 : (g < 0.7 ? 2 : 3);
        else if (s >= 5)
            gen = g < 0.4 ? 2 : 3;
        pop->generations[i] = (uint8_t)gen;
    }

    /* 8. Plate lottery state: in eligible households, licensed members without
     *    a car in their name may apply (each is an applicant); a queueing
     *    household has one member in the NEV queue. The applying probability
     *    and the queueing share are calibrated to the published pool sizes. */
    {
        double D = 0, H = 0; /* weighted drivers and households among candidates */
        for (size_t i = 0; i < n; i++)
            if (pop->eligible[i] && pop->drivers[i] > pop->state.ncars[i]) {
                D += w * (pop->drivers[i] - pop->state.ncars[i]);
                H += w;
            }
        /* A queueing household puts one person in the NEV queue, a lottery one
         * all its drivers: solve for the queueing share q and the applying
         * probability so that both published pool sizes are met. */
        double total = def->plate_applicants + def->nev_queue;
        double r = total > 0 ? def->nev_queue / total : 0;
        double q = (H * (1 - r) + r * D) > 0 ? r * D / (H * (1 - r) + r * D) : 0;
        double per = (1 - q) * D + q * H;
        double p_apply = per > 0 ? fmin(1.0, total / per) : 0;
        for (size_t i = 0; i < n; i++) {
            const float *ui = u + i * 16;
            if (!(pop->eligible[i] && pop->drivers[i] > pop->state.ncars[i]))
                continue;
            if (ui[13] >= p_apply)
                continue;
            if (ui[14] < q) {
                pop->state.plate_state[i] = SP_PLATE_NEV_QUEUE;
                pop->state.applicants[i] = 1;
                pop->state.plate_months[i] = (uint16_t)(ui[15] * 30.0); /* queue since 2017 */
            } else {
                pop->state.plate_state[i] = SP_PLATE_LOTTERY;
                pop->state.applicants[i] = (uint8_t)(pop->drivers[i] - pop->state.ncars[i]);
                pop->state.plate_months[i] = (uint16_t)(ui[15] * 107.0); /* lottery since 2011-01 */
            }
        }
    }

    free(z);
    free(u);
    free(carth);
    free(two);
    return pop;
}
