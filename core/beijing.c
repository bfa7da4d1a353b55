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

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define EMBEDDED_YEAR 2019 /* the one structural base year embedded */
#define FIRST_VINTAGE 1995
#define N_VINTAGE (EMBEDDED_YEAR - FIRST_VINTAGE + 1) /* registration years 1995..2019 */

/* 2010 census household sizes 1..10 (pct of family households; 7+ split as
 * 0.35/0.15/0.04/0.04 for 7, 8, 9, 10+). Beijing 2010 census table 1-10. */
static const double size_2010[] = {24.82, 30.24, 29.08, 9.33, 4.78, 1.17, 0.35, 0.15, 0.04, 0.04};
_Static_assert(COUNT(size_2010) == SP_BEIJING_NSIZE, "one census share per household size");

/* Reconstructed new private-car registrations in Beijing by year, thousands
 * (1995..2019): growth to >800,000 new cars in 2010 (Global Times 2011-01-10),
 * then the plate quota (240,000/yr 2011-13, 150,000 2014-17, 100,000 2018-19)
 * plus replacement purchases that keep their plate. An assumption consistent
 * with the stock history in data/beijing_vehicle_stock.csv; see docs/model.md. */
static const double new_regs[N_VINTAGE] = {60,  70,  90,  110, 130, 150, 200, 300, 400,
                                           450, 500, 550, 600, 650, 750, 850, 550, 560,
                                           570, 500, 500, 480, 470, 430, 420};
_Static_assert(COUNT(new_regs) == N_VINTAGE, "one registration figure per vintage");
/* Survival of a registration to the end of 2019: Weibull, scale 14 years, shape 3. */
#define SURVIVAL_SCALE_Y 14.0
#define SURVIVAL_SHAPE 3.0

/* NEV share of new registrations by year (NEV quota / new registrations). */
#define FIRST_NEV_YEAR 2014
static double nev_share(int year)
{
    if (year < FIRST_NEV_YEAR)
        return 0.0;
    static const double s[] = {0.04, 0.06, 0.12, 0.13, 0.14, 0.15}; /* 2014..2019 */
    int k = year - FIRST_NEV_YEAR;
    return k < (int)COUNT(s) ? s[k] : 0.15;
}

sp_beijing_def sp_beijing_def_default(void)
{
    sp_beijing_def d;
    memset(&d, 0, sizeof d);
    d.households = 100000;
    d.year = EMBEDDED_YEAR;
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
    d.liquidity_share[SP_LIQ_POOR_HTM] = 0.068;
    d.liquidity_share[SP_LIQ_WEALTHY_HTM] = 0.367;
    d.liquidity_share[SP_LIQ_POOR_NHTM] = 0.066;
    d.liquidity_share[SP_LIQ_WEALTHY_NHTM] = 0.499;
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

void sp_beijing_size_distribution(const sp_beijing_def *def, double out[SP_BEIJING_NSIZE])
{
    /* Exponential tilt p_k ∝ p2010_k exp(theta k), theta solved for the mean. */
    double lo = -3.0, hi = 3.0;
    for (int it = 0; it < 100; it++) {
        double theta = 0.5 * (lo + hi), z = 0, m = 0;
        for (int k = 0; k < SP_BEIJING_NSIZE; k++) {
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
    for (int k = 0; k < SP_BEIJING_NSIZE; k++) {
        out[k] = size_2010[k] * exp(theta * (k + 1));
        z += out[k];
    }
    for (int k = 0; k < SP_BEIJING_NSIZE; k++)
        out[k] /= z;
}

int sp_beijing_vintages(double *out, int max)
{
    if (max < N_VINTAGE)
        return 0;
    double z = 0;
    for (int k = 0; k < N_VINTAGE; k++) {
        double age = (EMBEDDED_YEAR - (FIRST_VINTAGE + k)) + 0.5;
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
    if (d->households < 1 || d->households > SP_BEIJING_MAX_HOUSEHOLDS)
        return sp_err_set(err, SP_EINVAL, "households must be between 1 and %d, got %zu",
                          SP_BEIJING_MAX_HOUSEHOLDS, d->households);
    if (d->year != EMBEDDED_YEAR)
        return sp_err_set(err, SP_EINVAL,
                          "year %d is not embedded: the default population describes %d", d->year,
                          EMBEDDED_YEAR);
    if (!(d->represented > 0))
        return sp_err_set(err, SP_EINVAL, "represented must be positive, got %g", d->represented);
    if (!(d->mean_size >= 1.2 && d->mean_size <= 5.0))
        return sp_err_set(err, SP_EINVAL, "mean_size must be in 1.2..5, got %g", d->mean_size);
    if (!(d->urban_share >= 0 && d->urban_share <= 1))
        return sp_err_set(err, SP_EINVAL, "urban_share must be in 0..1, got %g", d->urban_share);
    for (int a = 0; a < SP_NAREA; a++) {
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
    for (int k = 0; k < SP_NLIQ; k++) {
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
    static const int a[] = {0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5}; /* by size 0..10 */
    _Static_assert(COUNT(a) == SP_BEIJING_NSIZE + 1, "adults of sizes 0 .. SP_BEIJING_NSIZE");
    return a[size < SP_BEIJING_NSIZE ? size : SP_BEIJING_NSIZE];
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

/* The household's uniforms, in the order of the words of draws 0..3 of its
 * population stream (draw DRAW_INCOME gives the income deviate). */
enum {
    U_SIZE, U_AREA, U_POOR, U_HTM,                   /* draw 0 */
    U_CAR, U_SECOND_CAR, U_VINTAGE1, U_VINTAGE2,     /* draw 1: ownership, registration years */
    U_FUEL1, U_FUEL2, U_LICENCES, U_ELIGIBLE,        /* draw 2 */
    U_GENERATIONS, U_APPLY, U_QUEUE, U_POOL_MONTHS,  /* draw 3 */
    NUNIFORM
};
#define UNIFORM_DRAWS 4
#define DRAW_INCOME 4
_Static_assert(NUNIFORM == 4 * UNIFORM_DRAWS, "four uniforms per draw");

#define REF_SIZE 2.31           /* persons: median per-capita income x REF_SIZE is the reference
                                 * household income of the car logits (the 2020 census mean, fixed) */
#define LICENCE_INCOME_SLOPE 0.8 /* logit of holding a licence per ln per-capita income */
#define CAR_BISECT_STEPS 80     /* bisection steps on the car-ownership intercept, in [-30, 30] */
#define CAR_BISECT_DEPTH 3      /* steps evaluated per pass over the households */
#define QUEUE_MONTHS 30.0       /* NEV queue entry spread over the months since 2017 */
#define LOTTERY_MONTHS 107.0    /* lottery entry spread over the months since 2011-01 */

/* The generator's working state: the population it fills and its buffers. */
typedef struct {
    const sp_beijing_def *def;
    sp_population *pop;
    size_t n;
    float w;         /* weight of every sample household */
    float *u;        /* NUNIFORM uniforms per household */
    double *z;       /* income deviate; then the persons-weighted rank; then car weights */
    double *carth;   /* household i owns a car iff the calibrated intercept exceeds carth[i] */
    uint8_t *two;    /* 1: an owner of this household would own two cars */
    double median_y; /* median per-capita income, yuan */
} builder;

static void builder_release(builder *b)
{
    free(b->z);
    free(b->u);
    free(b->carth);
    free(b->two);
}

/* 1. Draws, size, area, income deviates. */
static void draw_households(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    double sizes[SP_BEIJING_NSIZE];
    sp_beijing_size_distribution(def, sizes);
    sp_rng_key key = sp_rng_key_make(def->seed, SP_RNG_POPULATION_REPLICATE);
    for (size_t i = 0; i < b->n; i++) {
        uint32_t wd[4];
        for (uint32_t d = 0; d < UNIFORM_DRAWS; d++) {
            sp_rng_words(key, (uint32_t)i, 0, SP_PURPOSE_POPULATION, d, wd);
            for (int k = 0; k < 4; k++)
                b->u[i * NUNIFORM + d * 4 + k] = (float)sp_u01(wd[k]);
        }
        const float *ui = b->u + i * NUNIFORM;
        double cum = 0;
        int s = SP_BEIJING_NSIZE;
        for (int k = 0; k < SP_BEIJING_NSIZE; k++) {
            cum += sizes[k];
            if (ui[U_SIZE] < cum) {
                s = k + 1;
                break;
            }
        }
        pop->weight[i] = b->w;
        pop->size[i] = (uint8_t)s;
        pop->area[i] = ui[U_AREA] < def->urban_share ? SP_AREA_URBAN : SP_AREA_RURAL;
        sp_rng_words(key, (uint32_t)i, 0, SP_PURPOSE_POPULATION, DRAW_INCOME, wd);
        b->z[i] = gsl_cdf_ugaussian_Pinv(sp_u01(wd[0]));
    }
}

/* 2. Per-capita income: log-normal within area, scaled to the area mean
 *    (persons-weighted, as the published per-capita figures are). */
static void scale_income(builder *b)
{
    sp_population *pop = b->pop;
    for (int a = 0; a < SP_NAREA; a++) {
        double sg = b->def->income_sigma[a], num = 0, den = 0;
        for (size_t i = 0; i < b->n; i++) {
            if (pop->area[i] != a)
                continue;
            double y = exp(sg * b->z[i] - 0.5 * sg * sg);
            pop->income[i] = (float)y; /* per capita for now */
            num += y * pop->size[i];
            den += pop->size[i];
        }
        double scale = den > 0 ? b->def->income_pc[a] / (num / den) : 0;
        for (size_t i = 0; i < b->n; i++)
            if (pop->area[i] == a)
                pop->income[i] = (float)(pop->income[i] * scale);
    }
}

/* 3. Consumption: APC falls with per-capita income (elasticity), scaled to
 *    the published per-capita consumption of each area. Household income. */
static void scale_consumption(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    for (int a = 0; a < SP_NAREA; a++) {
        double num = 0, den = 0;
        for (size_t i = 0; i < b->n; i++) {
            if (pop->area[i] != a)
                continue;
            double ypc = pop->income[i];
            double c = pow(ypc / def->income_pc[a], def->apc_elasticity) * ypc;
            pop->consumption[i] = (float)c; /* per capita for now */
            num += c * pop->size[i];
            den += pop->size[i];
        }
        double scale = den > 0 ? def->consumption_pc[a] / (num / den) : 0;
        for (size_t i = 0; i < b->n; i++)
            if (pop->area[i] == a) {
                pop->consumption[i] = (float)(pop->consumption[i] * scale * pop->size[i]);
                pop->income[i] = (float)((double)pop->income[i] * pop->size[i]);
            }
    }
}

/* 4. Quintiles of per-capita income over persons, and the persons-weighted
 *    rank used to concentrate poor liquidity types at low incomes. */
static int rank_households(builder *b, sp_err *err)
{
    sp_population *pop = b->pop;
    b->median_y = 0;
    int rc = sp_population_rank(pop, b->z /* reused: rank per household */, &b->median_y, err);
    if (rc != SP_OK)
        return rc;
    for (size_t i = 0; i < b->n; i++) {
        const float *ui = b->u + i * NUNIFORM;
        pop->liquidity[i] =
            (uint8_t)sp_liquidity_of_rank(b->z[i], b->def->liquidity_share, ui[U_POOR], ui[U_HTM]);
    }
    if (b->median_y <= 0)
        b->median_y = b->def->income_pc[0];
    return SP_OK;
}

/* 5. Engel curves: intercepts calibrated so that consumption-weighted
 *    category shares equal the 2018 composition. */
static void calibrate_shares(builder *b)
{
    double target[SP_NCAT];
    for (int c = 0; c < SP_NCAT; c++)
        target[c] = sp_category_share_2018(c);
    sp_population_calibrate_engel(b->pop, b->def->engel_slope, target);
}

/* 6a. Cars: owning at least one is a logit in ln income and size; household
 *     i owns iff the intercept exceeds carth[i]. A second car is a logit in
 *     ln income, drawn now: it does not depend on the intercept. */
static void car_thresholds(builder *b)
{
    const sp_beijing_def *def = b->def;
    const sp_population *pop = b->pop;
    for (size_t i = 0; i < b->n; i++) {
        const float *ui = b->u + i * NUNIFORM;
        double lny = log(pop->income[i] / (b->median_y * REF_SIZE));
        double x = def->car_income_slope * lny + def->car_size_slope * (pop->size[i] - def->mean_size);
        b->carth[i] = logit(ui[U_CAR]) - x;
        double p2 = logistic(def->second_car_intercept + def->second_car_slope * lny);
        b->two[i] = ui[U_SECOND_CAR] < p2;
    }
}

/* 6b. The intercept that meets the private-car stock: CAR_BISECT_STEPS steps
 *     of bisection. Each household's cars are known (z is free now). One
 *     pass over the households evaluates the next three steps' seven
 *     possible midpoints (seven independent sums, each added in household
 *     order as a step at a time would): the same intercept, in a third of
 *     the passes. */
static double car_intercept(builder *b)
{
    const size_t n = b->n;
    const double *carth = b->carth;
    double *z = b->z;
    for (size_t i = 0; i < n; i++)
        z[i] = b->w * (1.0 + b->two[i]);
    double lo = -30, hi = 30;
    for (int it = 0; it < CAR_BISECT_STEPS;) {
        const int depth = CAR_BISECT_STEPS - it < CAR_BISECT_DEPTH ? CAR_BISECT_STEPS - it : CAR_BISECT_DEPTH;
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
            if (cars[k] < b->def->private_cars) {
                lo = mid[k];
                k = 2 * k + 1;
            } else {
                hi = mid[k];
                k = 2 * k;
            }
        }
    }
    return 0.5 * (lo + hi);
}

/* 6c. Each owner's cars: registration year from the stock's vintages, month
 *     from the position within the year's bin, fuel from the year's NEV share. */
static void assign_cars(builder *b, double alpha)
{
    sp_population *pop = b->pop;
    double vint[N_VINTAGE];
    sp_beijing_vintages(vint, N_VINTAGE);
    for (size_t i = 0; i < b->n; i++) {
        const float *ui = b->u + i * NUNIFORM;
        int nc = alpha > b->carth[i] ? 1 + b->two[i] : 0;
        pop->state.ncars[i] = (uint8_t)nc;
        for (int k = 0; k < nc; k++) {
            double uv = k == 0 ? ui[U_VINTAGE1] : ui[U_VINTAGE2], cv = 0;
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
            double ufuel = k == 0 ? ui[U_FUEL1] : ui[U_FUEL2];
            int nev = ufuel < nev_share(year);
            pop->state.car_kind[k][i] = (uint8_t)(nev ? SP_CAR_KIND_NEV : sp_emission_of_year(year));
        }
    }
}

/* 7. Drivers, lottery eligibility, generations. */
static void draw_members(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    for (size_t i = 0; i < b->n; i++) {
        const float *ui = b->u + i * NUNIFORM;
        int s = pop->size[i], ad = adults_of(s);
        double p = logistic(logit(def->licence_rate) +
                            LICENCE_INCOME_SLOPE * log(pop->income[i] / (b->median_y * s)));
        int dr = binomial_inv(ui[U_LICENCES], ad, p);
        if (dr < pop->state.ncars[i])
            dr = pop->state.ncars[i] < ad ? pop->state.ncars[i] : ad;
        pop->drivers[i] = (uint8_t)dr;
        pop->eligible[i] = ui[U_ELIGIBLE] < def->lottery_eligible;
        double g = ui[U_GENERATIONS];
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
}

/* 8. Plate lottery state: in eligible households, licensed members without
 *    a car in their name may apply (each is an applicant); a queueing
 *    household has one member in the NEV queue. The applying probability
 *    and the queueing share are calibrated to the published pool sizes. */
static void enter_plate_pools(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    const float w = b->w;
    double D = 0, H = 0; /* weighted drivers and households among candidates */
    for (size_t i = 0; i < b->n; i++)
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
    for (size_t i = 0; i < b->n; i++) {
        const float *ui = b->u + i * NUNIFORM;
        if (!(pop->eligible[i] && pop->drivers[i] > pop->state.ncars[i]))
            continue;
        if (ui[U_APPLY] >= p_apply)
            continue;
        if (ui[U_QUEUE] < q) {
            pop->state.plate_state[i] = SP_PLATE_NEV_QUEUE;
            pop->state.applicants[i] = 1;
            pop->state.plate_months[i] = (uint16_t)(ui[U_POOL_MONTHS] * QUEUE_MONTHS);
        } else {
            pop->state.plate_state[i] = SP_PLATE_LOTTERY;
            pop->state.applicants[i] = (uint8_t)(pop->drivers[i] - pop->state.ncars[i]);
            pop->state.plate_months[i] = (uint16_t)(ui[U_POOL_MONTHS] * LOTTERY_MONTHS);
        }
    }
}

sp_population *sp_beijing_build(const sp_beijing_def *def, sp_err *err)
{
    sp_init();
    if (validate(def, err) != SP_OK)
        return NULL;
    size_t n = def->households;
    builder b = {def, NULL, n, (float)(def->represented / (double)n), NULL, NULL, NULL, NULL, 0};
    b.pop = sp_population_alloc(n, err);
    if (!b.pop)
        return NULL;
    b.z = malloc(n * sizeof *b.z);
    b.u = malloc(n * NUNIFORM * sizeof *b.u);
    b.carth = malloc(n * sizeof *b.carth);
    b.two = malloc(n ? n : 1);
    if (!b.z || !b.u || !b.carth || !b.two) {
        builder_release(&b);
        sp_population_free(b.pop);
        sp_err_set(err, SP_ENOMEM, "out of memory building %zu households", n);
        return NULL;
    }
    sp_population *pop = b.pop;
    pop->base_year = def->year;
    pop->base_month = sp_month_make(def->year, 12);
    pop->total_weight = def->represented;
    snprintf(pop->label, sizeof pop->label,
             "Beijing family households 2019 (embedded): %zu sample households for %.0f, seed %u", n,
             def->represented, (unsigned)def->seed);
    draw_households(&b);
    scale_income(&b);
    scale_consumption(&b);
    if (rank_households(&b, err) != SP_OK) {
        builder_release(&b);
        sp_population_free(pop);
        return NULL;
    }
    calibrate_shares(&b);
    car_thresholds(&b);
    assign_cars(&b, car_intercept(&b));
    draw_members(&b);
    enter_plate_pools(&b);
    builder_release(&b);
    return pop;
}
