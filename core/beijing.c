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

#include "calendar.h"
#include "group.h"
#include "rng.h"
#include "simd.h"
#include "vmath.h"

#ifdef SPENDSIM_HAVE_OPENMP
#include <omp.h>
#endif

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
    if (d->liquidity_share[SP_LIQ_POOR_HTM] + d->liquidity_share[SP_LIQ_POOR_NHTM] > 0.5)
        return sp_err_set(err, SP_EINVAL,
                          "liquidity_share: the poor types (poor HtM + poor non-HtM) must be at most 0.5, got %g",
                          d->liquidity_share[SP_LIQ_POOR_HTM] + d->liquidity_share[SP_LIQ_POOR_NHTM]);
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
    static const int a[] = {0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5}; /* by size 0..10: at most 5 */
    _Static_assert(COUNT(a) == SP_BEIJING_NSIZE + 1, "adults of sizes 0 .. SP_BEIJING_NSIZE");
    return a[size < SP_BEIJING_NSIZE ? size : SP_BEIJING_NSIZE];
}

/* Inverse CDF of a binomial(n, p) at u for n households, n <= BINOMIAL_MAX:
 * the number of cumulative probabilities below u. (1 - p)^n by
 * multiplication, each next probability by (n - k) / (k + 1) x odds; every
 * lane runs the fixed trip counts and every value is a double, so the loop
 * vectorises (an AVX2 copy chosen at run time) and every path
 * gives the same bits. In: the uniforms u, the trials n (as doubles), the
 * terms lp = exp(-logit p); out: the counts. */
#define BINOMIAL_MAX 5
static inline __attribute__((always_inline)) void
binomial_body(const double *u, const double *trials, const double *lp, uint8_t *out, size_t m)
{
    static const double inv[BINOMIAL_MAX] = {1.0, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5}; /* 1/(k+1) */
    for (size_t j = 0; j < m; j++) {
        double n = trials[j], p = 1.0 / (1.0 + lp[j]);
        double a = 1.0 - p, odds = p / a, q = 1.0;
        for (int k = 0; k < BINOMIAL_MAX; k++)
            q = k < n ? q * a : q;
        double cdf = q, below = 0;
        for (int k = 0; k < BINOMIAL_MAX; k++) {
            below += k < n ? (u[j] > cdf ? 1.0 : 0.0) : 0.0; /* cdf rises with k */
            q *= (n - k) * inv[k] * odds;                    /* P(k + 1) from P(k) */
            cdf += q;
        }
        out[j] = (uint8_t)(int)below;
    }
}

static void binomial_portable(const double *u, const double *n, const double *lp, uint8_t *out,
                              size_t m)
{
    binomial_body(u, n, lp, out, m);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2"))) static void binomial_avx2(const double *u, const double *n,
                                                          const double *lp, uint8_t *out, size_t m)
{
    binomial_body(u, n, lp, out, m);
}
#else
#define binomial_avx2 binomial_portable
#endif

static void binomial_block(const double *u, const double *n, const double *lp, uint8_t *out, size_t m)
{
    if (sp_simd_avx2()) /* GCC 12 does not vectorise it for AVX-512 */
        binomial_avx2(u, n, lp, out, m);
    else
        binomial_portable(u, n, lp, out, m);
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
#define QUEUE_MONTHS 30.0       /* NEV queue entry spread over the months since 2017 */
#define LOTTERY_MONTHS 107.0    /* lottery entry spread over the months since 2011-01 */

/* Households are built in blocks of BLOCK: each block draws its households'
 * words in batches (sp_rng_words_batch) into block-local arrays, so no
 * per-household draw buffer exists, and blocks run in parallel. Every draw
 * comes from the household's own keyed stream and every sum over households
 * is added in household order, so the population is the same, bit for bit,
 * for any number of threads. */
#define BLOCK 1024

/* Uniform k of a household from the words of its draw k / 4, as a float (the
 * precision the generator has always used). */
static inline double uni_word(uint32_t w) { return sp_u01f(w); }
static inline double uni(const uint32_t w[4], int k) { return uni_word(w[k % 4]); }

/* The generator's working state: the population it fills and two work
 * areas of 8 bytes per household, which are the two halves of the shares
 * column (written last, step 9): z, doubles (income deviates, then ranks,
 * then ln income, then car thresholds), and lo (the ranking's items, then
 * words of draws kept for a later step: words_put). So the build allocates
 * no work column of its own. */
typedef struct {
    const sp_beijing_def *def;
    sp_population *pop;
    size_t n;
    float w;         /* weight of every sample household */
    sp_rng_key key;  /* the population stream's key */
    double *z;       /* income; persons-weighted rank; ln income; car thresholds */
    double median_y; /* median per-capita income, yuan */
    int threads;
    void *lo;        /* the ranking's items; kept words of draws */
} builder;

/* Two 32-bit words of household i in a work area of 8 bytes per household,
 * through memcpy: the area's bytes hold values of other types at other
 * times. */
static inline void words_put(void *area, size_t i, uint32_t a, uint32_t b)
{
    uint32_t w[2] = {a, b};
    memcpy((char *)area + 8 * i, w, sizeof w);
}
static inline void words_get(const void *area, size_t i, uint32_t *a, uint32_t *b)
{
    uint32_t w[2];
    memcpy(w, (const char *)area + 8 * i, sizeof w);
    *a = w[0];
    *b = w[1];
}

static size_t nblocks(size_t n) { return (n + BLOCK - 1) / BLOCK; }

/* Households [*i0, *i0 + *cnt) of block blk, and draw `draw` of their
 * streams into wd. */
static void block_draw(const builder *b, size_t blk, uint32_t draw, uint32_t (*wd)[4])
{
    size_t i0 = blk * BLOCK, cnt = b->n - i0 < BLOCK ? b->n - i0 : BLOCK;
    sp_rng_words_batch(b->key, (uint32_t)i0, cnt, 0, SP_PURPOSE_POPULATION, draw, wd);
}

#define BLOCK_RANGE(b, blk, i0, cnt)                                                             \
    size_t i0 = (size_t)(blk) * BLOCK, cnt = (b)->n - i0 < BLOCK ? (b)->n - i0 : BLOCK

/* The block kernels below (name_body, always inlined) come in a portable
 * copy and AVX2 and AVX-512 copies (the same loops, compiled for those
 * instruction sets; every path the same values), and name_block chooses one
 * at run time (simd.h). args: the parenthesised parameter list; the rest:
 * the arguments that pass them on. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIMD_CLONES(name, args, ...)                                                              \
    static void name##_portable args { name##_body(__VA_ARGS__); }                               \
    __attribute__((target("avx2"))) static void name##_avx2 args { name##_body(__VA_ARGS__); }   \
    SP_TARGET_AVX512 static void name##_avx512 args { name##_body(__VA_ARGS__); }                \
    static void name##_block args                                                                 \
    {                                                                                             \
        if (sp_simd_avx512())                                                                     \
            name##_avx512(__VA_ARGS__);                                                           \
        else if (sp_simd_avx2())                                                                  \
            name##_avx2(__VA_ARGS__);                                                             \
        else                                                                                      \
            name##_portable(__VA_ARGS__);                                                         \
    }
#else
#define SIMD_CLONES(name, args, ...)                                                              \
    static void name##_block args { name##_body(__VA_ARGS__); }
#endif

/* 1b. A block's sizes (the first size whose cumulative share exceeds
 * u = uni(U_SIZE), else the largest: 1 + the cumulative shares u is not
 * below), areas (urban when uni(U_AREA) < the urban share), weights, and
 * income deviates x = sg x - sg^2 / 2 with sg the area's sigma, from the
 * words of the sizes (wu) and areas (wa): loops without branches that
 * vectorise (AVX2 and AVX-512 copies chosen at run time, every path the same
 * values). */
typedef struct {
    sp_u01f_threshold size[SP_BEIJING_NSIZE - 1], urban;
    float w;                                  /* every household's weight */
    double sg1[SP_NAREA], sg0[SP_NAREA];      /* sg, and 0.5 sg sg, by area */
} households_consts;

static inline __attribute__((always_inline)) void
households_body(const households_consts *c, const uint32_t *restrict wu,
                const uint32_t *restrict wa, double *restrict x, float *restrict weight,
                uint8_t *restrict size, uint8_t *restrict area, size_t n)
{
    _Static_assert(SP_AREA_URBAN == 0 && SP_AREA_RURAL == 1, "rural is 1");
    sp_u01f_threshold t[SP_BEIJING_NSIZE - 1]; /* locals: loop invariants in registers */
    for (int k = 0; k < SP_BEIJING_NSIZE - 1; k++)
        t[k] = c->size[k];
    const sp_u01f_threshold tu = c->urban;
    const float w = c->w;
    const double s1u = c->sg1[SP_AREA_URBAN], s1r = c->sg1[SP_AREA_RURAL],
                 s0u = c->sg0[SP_AREA_URBAN], s0r = c->sg0[SP_AREA_RURAL];
    for (size_t j = 0; j < n; j++) {
        uint32_t sz = 1;
        for (int k = 0; k < SP_BEIJING_NSIZE - 1; k++)
            sz += sp_u01f_not_below(wu[j], t[k]); /* u >= cum[k] */
        size[j] = (uint8_t)sz;
        area[j] = (uint8_t)(sp_u01f_below(wa[j], tu) ^ 1u);
    }
    for (size_t j = 0; j < n; j++)
        weight[j] = w;
    for (size_t j = 0; j < n; j++) {
        int urban = area[j] == SP_AREA_URBAN;
        x[j] = (urban ? s1u : s1r) * x[j] - (urban ? s0u : s0r);
    }
}

#define HOUSEHOLDS_ARGS                                                                           \
    const households_consts *c, const uint32_t *wu, const uint32_t *wa, double *x, float *weight, \
        uint8_t *size, uint8_t *area, size_t n
SIMD_CLONES(households, (HOUSEHOLDS_ARGS), c, wu, wa, x, weight, size, area, n)

/* 1. Size, area and the income deviate; per-capita income before scaling,
 *    log-normal within area, into z (and, rounded, into pop->income). The
 *    normal quantile and exp run over the block (vmath.h). */
static void draw_households(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    double sizes[SP_BEIJING_NSIZE], cum[SP_BEIJING_NSIZE], acc = 0;
    sp_beijing_size_distribution(def, sizes);
    for (int k = 0; k < SP_BEIJING_NSIZE; k++)
        cum[k] = acc += sizes[k];
    households_consts hc;
    for (int k = 0; k < SP_BEIJING_NSIZE - 1; k++)
        hc.size[k] = sp_u01f_threshold_of(cum[k]);
    hc.urban = sp_u01f_threshold_of(def->urban_share);
    hc.w = b->w;
    for (int a = 0; a < SP_NAREA; a++) { /* sg, and (0.5 sg) sg as sg x - 0.5 sg sg computes it */
        hc.sg1[a] = def->income_sigma[a];
        hc.sg0[a] = 0.5 * hc.sg1[a] * hc.sg1[a];
    }
    const long nb = (long)nblocks(b->n);
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(b->threads)
#endif
    for (long blk = 0; blk < nb; blk++) {
        uint32_t w0[BLOCK][4], w4[BLOCK][4];
        double x[BLOCK];
        BLOCK_RANGE(b, blk, i0, cnt);
        block_draw(b, (size_t)blk, 0, w0);
        block_draw(b, (size_t)blk, DRAW_INCOME, w4);
        for (size_t j = 0; j < cnt; j++)
            x[j] = sp_u01(w4[j][0]);
        sp_vm_norm_inv(x, x, cnt);
        uint32_t wu[BLOCK], wa[BLOCK];
        for (size_t j = 0; j < cnt; j++) {
            wu[j] = w0[j][U_SIZE % 4];
            wa[j] = w0[j][U_AREA % 4];
        }
        households_block(&hc, wu, wa, x, pop->weight + i0, pop->size + i0, pop->area + i0, cnt);
        sp_vm_exp(x, b->z + i0, cnt);
        for (size_t j = 0; j < cnt; j++)
            pop->income[i0 + j] = (float)b->z[i0 + j]; /* per capita for now */
    }
}

/* x where mask is all ones, +0.0 where it is zero: a select without a
 * branch (the compiler made one of the conditional expression, which the
 * random areas mispredict) */
static inline double keep_bits(double x, uint64_t mask)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    u &= mask;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* num[a] = sum of z[i] x size[i], den[a] = sum of size[i] over the
 * households of area a, in household order. Each sum is its own variable
 * and a household of the other area adds +0.0 to it, which leaves a sum
 * unchanged: the same sums as accumulating by area, without the store and
 * reload of an indexed accumulator on every household. */
static void area_sums(const sp_population *pop, const double *z, size_t n, double num[SP_NAREA],
                      double den[SP_NAREA])
{
    _Static_assert(SP_NAREA == 2 && SP_AREA_URBAN + SP_AREA_RURAL == 1, "two areas, 0 and 1");
    double nu = 0, nr = 0, du = 0, dr = 0;
    const uint8_t *restrict size = pop->size, *restrict area = pop->area;
    for (size_t i = 0; i < n; i++) {
        double zs = z[i] * size[i], s = size[i];
        uint64_t u = (uint64_t)0 - (uint64_t)(area[i] == SP_AREA_URBAN); /* all ones when urban */
        nu += keep_bits(zs, u);
        nr += keep_bits(zs, ~u);
        du += keep_bits(s, u);
        dr += keep_bits(s, ~u);
    }
    num[SP_AREA_URBAN] = nu;
    num[SP_AREA_RURAL] = nr;
    den[SP_AREA_URBAN] = du;
    den[SP_AREA_RURAL] = dr;
}

/* 2. Per-capita income scaled to the area mean (persons-weighted, as the
 *    published per-capita figures are); 3. consumption: APC falls with
 *    per-capita income (elasticity), scaled to the published per-capita
 *    consumption of each area; then household income and consumption. The
 *    sums run in household order. */
static void scale_income_consumption(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    const size_t n = b->n;
    const long nb = (long)nblocks(n);
    double num[SP_NAREA] = {0}, den[SP_NAREA] = {0}, scale[SP_NAREA];
    area_sums(pop, b->z, n, num, den);
    for (int a = 0; a < SP_NAREA; a++)
        scale[a] = den[a] > 0 ? def->income_pc[a] / (num[a] / den[a]) : 0;
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(b->threads)
#endif
    for (long blk = 0; blk < nb; blk++) {
        BLOCK_RANGE(b, blk, i0, cnt);
        double x[BLOCK];
        /* by area, as locals the loops keep in registers (selects, not indexed loads) */
        const double su = scale[SP_AREA_URBAN], sr = scale[SP_AREA_RURAL],
                     mu = def->income_pc[SP_AREA_URBAN], mr = def->income_pc[SP_AREA_RURAL],
                     el = def->apc_elasticity;
        const uint8_t *restrict area = pop->area + i0;
        float *restrict income = pop->income + i0, *restrict cons = pop->consumption + i0;
        double *restrict z = b->z + i0;
        for (size_t j = 0; j < cnt; j++) {
            int urban = area[j] == SP_AREA_URBAN;
            income[j] = (float)(income[j] * (urban ? su : sr));
            x[j] = (double)income[j] / (urban ? mu : mr);
        }
        /* c = (ypc / mean)^elasticity x ypc */
        sp_vm_log(x, x, cnt);
        for (size_t j = 0; j < cnt; j++)
            x[j] *= el;
        sp_vm_exp(x, x, cnt);
        for (size_t j = 0; j < cnt; j++) {
            double c = x[j] * income[j];
            z[j] = c;
            cons[j] = (float)c; /* per capita for now */
        }
    }
    area_sums(pop, b->z, n, num, den);
    for (int a = 0; a < SP_NAREA; a++)
        scale[a] = den[a] > 0 ? def->consumption_pc[a] / (num[a] / den[a]) : 0;
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(b->threads)
#endif
    for (long blk = 0; blk < nb; blk++) {
        BLOCK_RANGE(b, blk, i0, cnt);
        const double su = scale[SP_AREA_URBAN], sr = scale[SP_AREA_RURAL];
        const uint8_t *restrict area = pop->area + i0, *restrict size = pop->size + i0;
        float *restrict income = pop->income + i0, *restrict cons = pop->consumption + i0;
        for (size_t j = 0; j < cnt; j++) {
            cons[j] = (float)(cons[j] * (area[j] == SP_AREA_URBAN ? su : sr) * size[j]);
            income[j] = (float)((double)income[j] * size[j]);
        }
    }
}

/* 4. Quintiles of per-capita income over persons, and the persons-weighted
 *    rank used to concentrate poor liquidity types at low incomes. */
static int rank_households(builder *b, sp_err *err)
{
    sp_population *pop = b->pop;
    b->median_y = 0;
    /* the ranking's scratch: lo (builder) */
    int rc = sp_population_rank_work(pop, b->z /* rank per household */, &b->median_y, b->lo, err);
    if (rc != SP_OK)
        return rc;
    const long nb = (long)nblocks(b->n);
    const sp_liquidity_rule rule = sp_liquidity_rule_make(b->def->liquidity_share);
    const sp_u01f_threshold t_htm_poor = sp_u01f_threshold_of(rule.htm_poor),
                            t_htm_wealthy = sp_u01f_threshold_of(rule.htm_wealthy);
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(b->threads)
#endif
    for (long blk = 0; blk < nb; blk++) {
        uint32_t w0[BLOCK][4];
        BLOCK_RANGE(b, blk, i0, cnt);
        block_draw(b, (size_t)blk, 0, w0);
        const double two_poor = 2.0 * rule.poor;
        const sp_u01f_threshold tp = t_htm_poor, tw = t_htm_wealthy;
        const double *restrict mid = b->z + i0;
        uint8_t *restrict liq = pop->liquidity + i0;
        for (size_t j = 0; j < cnt; j++) { /* sp_liquidity_of_rule, without branches */
            uint32_t poor = uni(w0[j], U_POOR) < two_poor * (1.0 - mid[j]);
            uint32_t wh = w0[j][U_HTM % 4];
            uint32_t htm = poor ? sp_u01f_below(wh, tp) : sp_u01f_below(wh, tw);
            liq[j] = (uint8_t)(poor ? (htm ? SP_LIQ_POOR_HTM : SP_LIQ_POOR_NHTM)
                                    : (htm ? SP_LIQ_WEALTHY_HTM : SP_LIQ_WEALTHY_NHTM));
        }
    }
    if (b->median_y <= 0)
        b->median_y = b->def->income_pc[0];
    return SP_OK;
}

/* 5. Engel curves: intercepts calibrated so that consumption-weighted
 *    category shares equal the 2018 composition. */
static int calibrate_shares(builder *b, sp_err *err)
{
    double target[SP_NCAT];
    for (int c = 0; c < SP_NCAT; c++)
        target[c] = sp_category_share_2018(c);
    /* the intercepts now, the shares last (step 9): z (the ranks, no longer
     * needed) holds ln income meanwhile */
    return sp_population_engel_intercepts(b->pop, b->def->engel_slope, target, b->z, err);
}

/* 6a. Cars: owning at least one is a logit in ln income and size; household
 *     i owns iff the intercept exceeds z[i] (its threshold). A second car is
 *     a logit in ln income, drawn now: it does not depend on the intercept.
 *     ncars holds, for now, the cars an owner would have (1 or 2). */
static void car_thresholds(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    const long nb = (long)nblocks(b->n);
    const double ref = b->median_y * REF_SIZE;
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(b->threads)
#endif
    for (long blk = 0; blk < nb; blk++) {
        uint32_t w1[BLOCK][4];
        double lny[BLOCK], lu[BLOCK], p2[BLOCK];
        BLOCK_RANGE(b, blk, i0, cnt);
        block_draw(b, (size_t)blk, 1, w1);
        const float *restrict income = pop->income + i0;
        for (size_t j = 0; j < cnt; j++) {
            double u = uni(w1[j], U_CAR);
            lny[j] = income[j] / ref;
            lu[j] = u / (1.0 - u);
        }
        sp_vm_log(lny, lny, cnt);
        sp_vm_log(lu, lu, cnt); /* logit(u) */
        /* the parameters as locals and the columns as restrict pointers: the
         * byte stores below cannot then change them, and the loops keep them
         * in registers */
        const double sci = def->second_car_intercept, scs = def->second_car_slope,
                     cis = def->car_income_slope, css = def->car_size_slope, ms = def->mean_size;
        const uint8_t *restrict size = pop->size + i0;
        double *restrict z = b->z + i0;
        uint8_t *restrict ncars = pop->state.ncars + i0;
        for (size_t j = 0; j < cnt; j++)
            p2[j] = -(sci + scs * lny[j]);
        sp_vm_exp(p2, p2, cnt);
        for (size_t j = 0; j < cnt; j++) {
            double x = cis * lny[j] + css * (size[j] - ms);
            z[j] = lu[j] - x;
            double p = 1.0 / (1.0 + p2[j]); /* logistic */
            ncars[j] = (uint8_t)(1 + (uni(w1[j], U_SECOND_CAR) < p));
        }
        for (size_t j = 0; j < cnt; j++) /* the registration years' words, for step 7 */
            words_put(b->lo, i0 + j, w1[j][U_VINTAGE1 % 4], w1[j][U_VINTAGE2 % 4]);
    }
}

/* A 64-bit word whose unsigned order is the order of the doubles (-0 = +0). */
static inline uint64_t sort_word64(double d)
{
    d = d + 0.0; /* -0 + 0 is +0 */
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    uint64_t neg = (uint64_t)0 - (u >> 63); /* without branches: all bits flipped when negative */
    return u ^ (neg | ((uint64_t)1 << 63));
}

typedef struct {
    uint64_t word; /* sort word of a threshold */
    uint32_t cars; /* its household's cars if it owns: 1 or 2 */
} car_item;

static int by_word(const void *pa, const void *pb)
{
    const car_item *x = pa, *y = pb;
    return (x->word > y->word) - (x->word < y->word);
}

#define SELECT_BITS 16
#define SELECT_SMALL 4096 /* thresholds few enough to sort */

/* The thresholds that decide the bisection: those in the key interval
 * [lo, lo + width) where the car stock crosses the target, sorted, with the
 * cars of every threshold below the interval. */
typedef struct {
    int always;        /* 1: every step is below the target, -1: none is, 0: count */
    uint64_t lo, width;
    uint64_t below;    /* cars of the thresholds below lo */
    car_item *v;       /* the thresholds in the interval, sorted */
    size_t nv;
    uint64_t *cum;     /* cum[k]: cars of v[0..k) */
} car_select;

/* 6b. The intercept that meets the private-car stock: CAR_BISECT_STEPS steps
 *     of bisection on [-30, 30], each step asking whether the weighted cars
 *     of the households whose threshold lies below the midpoint fall short of
 *     the target. Every household weighs w, so that stock is w x (cars below
 *     the midpoint), exactly in double precision (at most 2 x 5e7 cars, a
 *     24-bit w: under 2^53) whatever the order of summation: the steps only
 *     need counts. A radix selection finds the few thresholds where the stock
 *     crosses the target (histograms of 16 bits of the sort word, narrowing
 *     while more than SELECT_SMALL remain) and sorts them; each step is then
 *     decided by comparison with that interval, or counted within it. The
 *     same steps as a pass over every household per step. */
static double car_intercept(builder *b, sp_err *err)
{
    const size_t n = b->n;
    const double w = b->w, target = b->def->private_cars;
    const uint8_t *cars = b->pop->state.ncars;
    car_select s = {0, 0, 0, 0, NULL, 0, NULL};
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += cars[i];
    /* "below" of a count m: w x m < target, as the stock compares */
    if (w * (double)total < target)
        s.always = 1;
    else if (!(w * 0.0 < target))
        s.always = -1;
    uint64_t *hist = NULL;
    size_t *histc = NULL;
    car_item *list = NULL;
    size_t nlist = 0;
    if (!s.always) {
        hist = malloc(((size_t)1 << SELECT_BITS) * sizeof *hist);
        histc = malloc(((size_t)1 << SELECT_BITS) * sizeof *histc);
        if (!hist || !histc)
            goto oom;
        /* interval of the candidates: [lo, lo + 2^shift); shift 64 = all */
        int shift = 64;
        uint64_t lo = 0, below = 0;
        for (;;) {
            int sh = shift - SELECT_BITS;
            memset(hist, 0, ((size_t)1 << SELECT_BITS) * sizeof *hist);
            memset(histc, 0, ((size_t)1 << SELECT_BITS) * sizeof *histc);
            size_t m = list ? nlist : n;
            for (size_t k = 0; k < m; k++) {
                uint64_t word = list ? list[k].word : sort_word64(b->z[k]);
                unsigned bk = (unsigned)((word >> sh) & ((1u << SELECT_BITS) - 1));
                hist[bk] += list ? list[k].cars : cars[k]; /* cars of the bucket */
                histc[bk]++;                               /* and its thresholds */
            }
            unsigned bucket = 0;
            uint64_t cum = below;
            for (; bucket < (1u << SELECT_BITS) - 1; bucket++) {
                if (!(w * (double)(cum + hist[bucket]) < target))
                    break; /* the stock reaches the target within this bucket */
                cum += hist[bucket];
            }
            uint64_t nlo = lo | ((uint64_t)bucket << sh);
            size_t count = histc[bucket];
            car_item *next = malloc((count ? count : 1) * sizeof *next);
            if (!next)
                goto oom;
            size_t c = 0;
            for (size_t k = 0; k < m; k++) {
                uint64_t word = list ? list[k].word : sort_word64(b->z[k]);
                if ((word >> sh) == (nlo >> sh))
                    next[c++] = (car_item){word, list ? list[k].cars : cars[k]};
            }
            free(list);
            list = next;
            nlist = count;
            lo = nlo;
            below = cum;
            shift = sh;
            if (nlist <= SELECT_SMALL || shift == 0)
                break;
        }
        qsort(list, nlist, sizeof *list, by_word);
        s.cum = malloc((nlist + 1) * sizeof *s.cum);
        if (!s.cum)
            goto oom;
        s.cum[0] = 0;
        for (size_t k = 0; k < nlist; k++)
            s.cum[k + 1] = s.cum[k] + list[k].cars;
        s.lo = lo;
        s.width = (uint64_t)1 << shift; /* shift < 64 here */
        s.below = below;
        s.v = list;
        s.nv = nlist;
    }
    double lo = -30, hi = 30;
    for (int it = 0; it < CAR_BISECT_STEPS; it++) {
        double mid = 0.5 * (lo + hi);
        int short_of_target;
        if (s.always)
            short_of_target = s.always > 0;
        else {
            uint64_t word = sort_word64(mid);
            if (word < s.lo)
                short_of_target = 1;
            else if (word - s.lo >= s.width)
                short_of_target = 0;
            else { /* thresholds of the interval below mid: a binary search */
                size_t a = 0, e = s.nv;
                while (a < e) {
                    size_t m = a + (e - a) / 2;
                    if (s.v[m].word < word)
                        a = m + 1;
                    else
                        e = m;
                }
                short_of_target = w * (double)(s.below + s.cum[a]) < target;
            }
        }
        if (short_of_target)
            lo = mid;
        else
            hi = mid;
    }
    free(hist);
    free(histc);
    free(s.v);
    free(s.cum);
    return 0.5 * (lo + hi);
oom:
    free(hist);
    free(histc);
    free(list);
    free(s.cum);
    sp_err_set(err, SP_ENOMEM, "out of memory calibrating the cars of %zu households", n);
    return NAN;
}

/* 7b. Members: drivers (licences drawn, at least one per car), lottery
 * eligibility and generations, from the words of the household's draws
 * (uniform < cut point as word < threshold: sp_u01f_threshold_of), in integer
 * loops without branches that vectorise (AVX2 and AVX-512 copies chosen at
 * run time; every path the same values). Generations by size s and
 * g = uni(U_GENERATIONS): s = 2: 1 + (g < 0.15); s = 3: 1 + (g < 0.9);
 * s = 4: 1 + (g >= 0.1) + (g >= 0.7); s >= 5: 2 + (g >= 0.4); else 1. */
static const double GEN_CUT[5] = {0.15, 0.9, 0.1, 0.7, 0.4};
typedef struct {
    uint32_t eligible, eligible_all; /* eligible iff word < eligible, or eligible_all (0 or 1) */
    uint32_t gen[5];                 /* the words of GEN_CUT */
} members_thresholds;

static inline __attribute__((always_inline)) void
members_body(const members_thresholds *t, const uint8_t *restrict ncars,
             const uint8_t *restrict adults, const uint8_t *restrict lic,
             const uint8_t *restrict size, const uint32_t *restrict ue,
             const uint32_t *restrict ug, uint8_t *restrict drivers, uint8_t *restrict eligible,
             uint8_t *restrict generations, size_t n)
{
    const uint32_t te = t->eligible, tall = t->eligible_all, t0 = t->gen[0], t1 = t->gen[1],
                   t2 = t->gen[2], t3 = t->gen[3], t4 = t->gen[4];
    for (size_t j = 0; j < n; j++) {
        uint32_t nc = ncars[j], ad = adults[j], dr = lic[j]; /* adults, as drawn */
        uint32_t least = nc < ad ? nc : ad; /* a car's owner holds a licence */
        drivers[j] = (uint8_t)(dr < nc ? least : dr);
    }
    for (size_t j = 0; j < n; j++)
        eligible[j] = (uint8_t)((uint32_t)(ue[j] < te) | tall);
    for (size_t j = 0; j < n; j++) {
        uint32_t g = ug[j], s = size[j];
        uint32_t four = 0u - (uint32_t)(s == 4), five = 0u - (uint32_t)(s >= 5); /* masks */
        uint32_t gen = 1 + ((s == 2) & (g < t0)) + ((s == 3) & (g < t1)) +
                       (four & ((uint32_t)(g >= t2) + (uint32_t)(g >= t3))) +
                       (five & (1 + (uint32_t)(g >= t4)));
        generations[j] = (uint8_t)gen;
    }
}

#define MEMBERS_ARGS                                                                              \
    const members_thresholds *t, const uint8_t *ncars, const uint8_t *adults, const uint8_t *lic, \
        const uint8_t *size, const uint32_t *ue, const uint32_t *ug, uint8_t *drivers,           \
        uint8_t *eligible, uint8_t *generations, size_t n
SIMD_CLONES(members, (MEMBERS_ARGS), t, ncars, adults, lic, size, ue, ug, drivers, eligible,
            generations, n)

/* 6c. Each owner's cars: registration year from the stock's vintages, month
 *     from the position within the year's bin, fuel from the year's NEV
 *     share; 7. drivers, lottery eligibility, generations. The vintage
 *     search starts from a table of buckets of the uniform; the licence
 *     binomial and the generations take no data-dependent branches (their
 *     outcomes are random: branches would mostly be mispredicted). */
#define VBUCKETS 1024 /* buckets of the vintage search's start */
static void assign_cars_members(builder *b, double alpha)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    double vint[N_VINTAGE], vcum[N_VINTAGE], vnev[N_VINTAGE], month_scale[N_VINTAGE], acc = 0;
    uint8_t vkind[N_VINTAGE];
    sp_beijing_vintages(vint, N_VINTAGE);
    for (int t = 0; t < N_VINTAGE; t++) {
        vcum[t] = acc += vint[t]; /* summed in order, as a linear search would */
        month_scale[t] = vint[t] > 0 ? 12.0 / vint[t] : 0; /* months per unit of the bin */
        vnev[t] = nev_share(FIRST_VINTAGE + t);
        vkind[t] = (uint8_t)sp_emission_of_year(FIRST_VINTAGE + t);
    }
    /* vstart[q]: the vintage of uv = q / VBUCKETS (uniforms lie in (0, 1]:
     * a float uniform may round up to 1) */
    uint8_t vstart[VBUCKETS + 1];
    for (int q = 0; q <= VBUCKETS; q++) {
        int v = 0;
        while (v < N_VINTAGE - 1 && vcum[v] <= (double)q / VBUCKETS)
            v++;
        vstart[q] = (uint8_t)v;
    }
    const double licence_logit = log(def->licence_rate / (1.0 - def->licence_rate));
    members_thresholds mt;
    const sp_u01f_threshold te = sp_u01f_threshold_of(def->lottery_eligible);
    mt.eligible = te.below;
    mt.eligible_all = te.all;
    for (int k = 0; k < 5; k++)
        mt.gen[k] = sp_u01f_threshold_of(GEN_CUT[k]).below; /* in (0, 1): never "all" */
    const long nb = (long)nblocks(b->n);
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(b->threads)
#endif
    for (long blk = 0; blk < nb; blk++) {
        uint32_t vw[BLOCK][SP_MAX_CARS], w2[BLOCK][4], w3[BLOCK][4];
        BLOCK_RANGE(b, blk, i0, cnt);
        for (size_t j = 0; j < cnt; j++) /* draw 1's registration-year words, kept by step 6a */
            words_get(b->lo, i0 + j, &vw[j][0], &vw[j][1]);
        block_draw(b, (size_t)blk, 2, w2);
        block_draw(b, (size_t)blk, 3, w3);
        { /* the restrict pointers' scope ends before the work areas are rewritten below */
            /* the columns as restrict pointers and the constants as locals: the
             * byte stores below cannot then change them (the loops keep them in
             * registers instead of reloading them) */
            const float *restrict income = pop->income + i0;
            const uint8_t *restrict size = pop->size + i0;
            const double *restrict thr = b->z + i0;
            uint8_t *restrict ncars = pop->state.ncars + i0;
            uint16_t *restrict age[SP_MAX_CARS] = {pop->state.car_age[0] + i0,
                                                   pop->state.car_age[1] + i0};
            uint8_t *restrict kind[SP_MAX_CARS] = {pop->state.car_kind[0] + i0,
                                                   pop->state.car_kind[1] + i0};
            const double *restrict cum = vcum, *restrict width = vint, *restrict per = month_scale,
                                   *restrict nev = vnev;
            const uint8_t *restrict first = vstart, *restrict kinds = vkind;
            const double med = b->median_y, logit0 = licence_logit, al = alpha;
            const int base_month = pop->base_month;
            double lp[BLOCK]; /* the licence probability: logistic of ln per-capita income */
            for (size_t j = 0; j < cnt; j++)
                lp[j] = income[j] / (med * size[j]);
            sp_vm_log(lp, lp, cnt);
            for (size_t j = 0; j < cnt; j++)
                lp[j] = -(logit0 + LICENCE_INCOME_SLOPE * lp[j]);
            sp_vm_exp(lp, lp, cnt);
            /* the cars: who owns (the intercept), then each car of the owners,
             * listed first (car k of household j for k < its cars), so the car
             * loop has no branch on the random number of cars */
            uint16_t who[2 * BLOCK];
            _Static_assert(2 * BLOCK <= 65536, "a block's cars fit 16 bits");
            size_t nw = 0;
            for (size_t j = 0; j < cnt; j++) {
                int nc = ncars[j] * (al > thr[j]); /* a product, not a branch (owners are random) */
                ncars[j] = (uint8_t)nc;
                who[nw] = (uint16_t)(j << 1);           /* car 0 of j, kept when it owns one */
                nw += nc > 0;
                who[nw] = (uint16_t)(j << 1 | 1);       /* car 1 of j, kept when it owns two */
                nw += nc > 1;
            }
            for (size_t c = 0; c < nw; c++) { /* the columns stay zero for cars not owned */
                size_t j = who[c] >> 1;
                int k = who[c] & 1;
                double uv = uni_word(vw[j][k]); /* U_VINTAGE1, U_VINTAGE2 */
                /* the first vintage whose cumulative share exceeds uv (else the
                 * last): from the first one of uv's bucket, a step or none */
                int v = first[(int)(uv * VBUCKETS)];
                while (v < N_VINTAGE - 1 && cum[v] <= uv)
                    v++;
                /* month within the year from the fractional position in the bin */
                double pos = width[v] > 0 ? (uv - (cum[v] - width[v])) * per[v] : 6.0;
                int mon = (int)pos;
                mon = mon < 0 ? 0 : (mon > 11 ? 11 : mon);
                int a = base_month - sp_month_make(FIRST_VINTAGE + v, mon + 1);
                double ufuel = k == 0 ? uni(w2[j], U_FUEL1) : uni(w2[j], U_FUEL2);
                age[k][j] = (uint16_t)(a > 0 ? a : 0);
                kind[k][j] = (uint8_t)(ufuel < nev[v] ? SP_CAR_KIND_NEV : kinds[v]);
            }
            /* the licence draws: a vector loop of their own */
            uint8_t lic[BLOCK], adults[BLOCK];
            double ul[BLOCK], trials[BLOCK];
            for (size_t j = 0; j < cnt; j++) {
                ul[j] = uni(w2[j], U_LICENCES);
                adults[j] = (uint8_t)adults_of(size[j]);
                trials[j] = adults[j];
            }
            binomial_block(ul, trials, lp, lic, cnt);
            /* drivers, eligibility and generations: integer loops that vectorise */
            uint32_t ue[BLOCK], ug[BLOCK];
            for (size_t j = 0; j < cnt; j++) {
                ue[j] = w2[j][U_ELIGIBLE % 4];
                ug[j] = w3[j][U_GENERATIONS % 4];
            }
            members_block(&mt, ncars, adults, lic, size, ue, ug, /* ncars: the restrict pointer */
                          pop->drivers + i0, pop->eligible + i0, pop->generations + i0, cnt);
        }
        /* the block's thresholds and registration words are read: draw 3's
         * words for the pools (step 8) take their place */
        for (size_t j = 0; j < cnt; j++) {
            words_put(b->lo, i0 + j, w3[j][U_APPLY % 4], w3[j][U_QUEUE % 4]);
            words_put(b->z, i0 + j, w3[j][U_POOL_MONTHS % 4], 0);
        }
    }
}

/* 8b. Who enters which pool: eligible households with licensed members
 * without a car apply with probability p_apply (word of U_APPLY below
 * t_apply); of those, a share q queues for an NEV plate with one applicant
 * (U_QUEUE below t_queue), the others enter the lottery with every such
 * member. An integer loop without branches that vectorises (AVX2 and AVX-512
 * copies chosen at run time; every path the same values): pool[j] and
 * state[j] the pool (SP_PLATE_NONE when none), appl[j] the applicants. */
static inline __attribute__((always_inline)) void
pools_body(sp_u01f_threshold ta, sp_u01f_threshold tq, const uint8_t *restrict drivers,
           const uint8_t *restrict ncars, const uint8_t *restrict eligible,
           const uint32_t *restrict ua, const uint32_t *restrict uq, uint8_t *restrict pool,
           uint8_t *restrict state, uint8_t *restrict appl, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        uint32_t dr = drivers[j], nc = ncars[j];
        uint32_t enters =
            (uint32_t)(eligible[j] != 0) & (uint32_t)(dr > nc) & sp_u01f_below(ua[j], ta);
        uint32_t queue = sp_u01f_below(uq[j], tq), in = 0u - enters, qm = 0u - queue; /* masks */
        uint32_t p = in & ((qm & SP_PLATE_NEV_QUEUE) | (~qm & SP_PLATE_LOTTERY));
        pool[j] = (uint8_t)p;
        state[j] = (uint8_t)p;
        appl[j] = (uint8_t)(in & ((qm & 1u) | (~qm & (dr - nc))));
    }
}

#define POOLS_ARGS                                                                                \
    sp_u01f_threshold ta, sp_u01f_threshold tq, const uint8_t *drivers, const uint8_t *ncars,    \
        const uint8_t *eligible, const uint32_t *ua, const uint32_t *uq, uint8_t *pool,           \
        uint8_t *state, uint8_t *appl, size_t n
SIMD_CLONES(pools, (POOLS_ARGS), ta, tq, drivers, ncars, eligible, ua, uq, pool, state, appl, n)

/* 8. Plate lottery state: in eligible households, licensed members without
 *    a car in their name may apply (each is an applicant); a queueing
 *    household has one member in the NEV queue. The applying probability
 *    and the queueing share are calibrated to the published pool sizes. */
static void enter_plate_pools(builder *b)
{
    const sp_beijing_def *def = b->def;
    sp_population *pop = b->pop;
    const float w = b->w;
    /* weighted drivers and households among candidates: every household
     * weighs w, so w x the counts (exact below 2^53, as the sums in
     * household order were) */
    uint64_t nd = 0, nh = 0;
    for (size_t i = 0; i < b->n; i++) { /* integer sums, no branch: the loop vectorises */
        int free_drivers = pop->drivers[i] - pop->state.ncars[i];
        int cand = (pop->eligible[i] != 0) & (free_drivers > 0);
        nd += (uint64_t)(cand * free_drivers);
        nh += (uint64_t)cand;
    }
    double D = (double)w * (double)nd, H = (double)w * (double)nh;
    /* A queueing household puts one person in the NEV queue, a lottery one
     * all its drivers: solve for the queueing share q and the applying
     * probability so that both published pool sizes are met. */
    double total = def->plate_applicants + def->nev_queue;
    double r = total > 0 ? def->nev_queue / total : 0;
    double q = (H * (1 - r) + r * D) > 0 ? r * D / (H * (1 - r) + r * D) : 0;
    double per = (1 - q) * D + q * H;
    double p_apply = per > 0 ? fmin(1.0, total / per) : 0;
    const sp_u01f_threshold t_apply = sp_u01f_threshold_of(p_apply),
                            t_queue = sp_u01f_threshold_of(q);
    _Static_assert(SP_PLATE_NONE == 0, "the state column starts at SP_PLATE_NONE");
    const long nb = (long)nblocks(b->n);
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(b->threads)
#endif
    for (long blk = 0; blk < nb; blk++) {
        BLOCK_RANGE(b, blk, i0, cnt);
        uint32_t ua[BLOCK], uq[BLOCK]; /* draw 3's words, kept by step 7 */
        for (size_t j = 0; j < cnt; j++)
            words_get(b->lo, i0 + j, &ua[j], &uq[j]);
        uint8_t pool[BLOCK];
        pools_block(t_apply, t_queue, pop->drivers + i0, pop->state.ncars + i0, pop->eligible + i0,
                    ua, uq, pool, pop->state.plate_state + i0, pop->state.applicants + i0, cnt);
        /* the months in the pool of those who entered one (zero for the others) */
        uint16_t in[BLOCK];
        size_t m = 0;
        for (size_t j = 0; j < cnt; j++) {
            in[m] = (uint16_t)j;
            m += pool[j] != 0;
        }
        for (size_t k = 0; k < m; k++) {
            size_t j = in[k];
            uint32_t wm, unused;
            words_get(b->z, i0 + j, &wm, &unused); /* U_POOL_MONTHS */
            pop->state.plate_months[i0 + j] =
                (uint16_t)(uni_word(wm) *
                           (pool[j] == SP_PLATE_NEV_QUEUE ? QUEUE_MONTHS : LOTTERY_MONTHS));
        }
    }
}


sp_population *sp_beijing_build(const sp_beijing_def *def, sp_err *err)
{
    sp_init();
    if (validate(def, err) != SP_OK)
        return NULL;
    size_t n = def->households;
    builder b = {def, NULL, n, (float)(def->represented / (double)n),
                 sp_rng_key_make(def->seed, SP_RNG_POPULATION_REPLICATE), NULL, 0,
                 def->threads > 0 ? def->threads : 1, NULL};
#ifdef SPENDSIM_HAVE_OPENMP
    if (def->threads <= 0)
        b.threads = omp_get_max_threads();
#endif
    b.pop = sp_population_alloc(n, err);
    if (!b.pop)
        return NULL;
    sp_population *pop = b.pop;
    /* the work areas: the halves of the shares column (builder) */
    _Static_assert(SP_NCAT * sizeof(uint16_t) == 2 * sizeof(double), "two work areas a household");
    b.lo = pop->shares;
    b.z = (double *)(void *)pop->shares + n;
    /* every column the build writes, mapped now in one call a column rather
     * than a page fault at a time (about a sixth of the faults' cost) */
    sp_hstate *st = &pop->state;
    const struct {
        void *p;
        size_t bytes;
    } written[] = {{pop->weight, 4}, {pop->income, 4}, {pop->consumption, 4}, {pop->size, 1},
                   {pop->area, 1}, {pop->liquidity, 1}, {pop->quintile, 1}, {pop->ranks, 1},
                   {pop->drivers, 1}, {pop->eligible, 1}, {pop->generations, 1},
                   {pop->shares, 2 * SP_NCAT}, {st->ncars, 1}, {st->plate_state, 1},
                   {st->applicants, 1}, {st->plate_months, 2}, {st->car_age[0], 2},
                   {st->car_age[1], 2}, {st->car_kind[0], 1}, {st->car_kind[1], 1}};
    _Static_assert(SP_MAX_CARS == 2, "two cars' columns above");
    /* in pieces of PREFAULT_PIECE bytes, spread over the threads (a page
     * across a piece's end is left to fault as it is written) */
    enum { PREFAULT_PIECE = 4 << 20 };
    size_t pieces[COUNT(written) + 1] = {0};
    for (size_t k = 0; k < COUNT(written); k++)
        pieces[k + 1] = pieces[k] + (written[k].bytes * n + PREFAULT_PIECE - 1) / PREFAULT_PIECE;
    const long npiece = (long)pieces[COUNT(written)];
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(b.threads)
#endif
    for (long q = 0; q < npiece; q++) {
        size_t k = 0;
        while (pieces[k + 1] <= (size_t)q)
            k++;
        size_t off = ((size_t)q - pieces[k]) * PREFAULT_PIECE, all = written[k].bytes * n;
        size_t len = all - off < PREFAULT_PIECE ? all - off : PREFAULT_PIECE;
        sp_mem_prefault((char *)written[k].p + off, len);
    }
    pop->base_year = def->year;
    pop->base_month = sp_month_make(def->year, 12);
    pop->total_weight = def->represented;
    snprintf(pop->label, sizeof pop->label,
             "Beijing family households 2019 (embedded): %zu sample households for %.0f, seed %u", n,
             def->represented, (unsigned)def->seed);
    draw_households(&b);
    scale_income_consumption(&b);
    double alpha = NAN;
    if (rank_households(&b, err) == SP_OK && calibrate_shares(&b, err) == SP_OK) {
        car_thresholds(&b);
        alpha = car_intercept(&b, err);
    }
    if (isnan(alpha)) {
        sp_population_free(pop);
        return NULL;
    }
    assign_cars_members(&b, alpha);
    enter_plate_pools(&b);
    /* 9. every household's shares at the Engel curves, over the work areas */
    if (sp_population_engel_store(pop, b.threads, err) != SP_OK) {
        sp_population_free(pop);
        return NULL;
    }
    return pop;
}
