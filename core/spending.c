/* spending.c: seasonal profile and trip-count tables. */
#include "spending.h"

#include <math.h>
#include <string.h>

#include "calendar.h"
#include "simd.h"

#define NMONTH 12 /* calendar months of the seasonal profile */

/* A bucket word (sp_spending_model.bucket, spending.h): bits 0-15 the start
 * of the step holding the bucket's first u, bits 16-22 the offset where the
 * next step begins (SP_POIS_MASK + 1: none), bits 23-30 the trip count k0,
 * bit 31 set when a second step begins in the bucket. */
#define BUCKET_OFF_SHIFT 16
#define BUCKET_OFF_MASK 0x7fu
#define BUCKET_K_SHIFT 23
#define BUCKET_K_MASK 0xffu
#define BUCKET_MULTI_SHIFT 31
/* The fields may not overlap: a step start is a 16-bit uniform, the offset
 * goes up to a whole bucket, and k0 up to SP_POIS_KMAX. */
_Static_assert(SP_U16_VALUES - 1 < (1 << BUCKET_OFF_SHIFT), "a step start fits bits 0-15");
_Static_assert(SP_POIS_MASK + 1 <= BUCKET_OFF_MASK && BUCKET_OFF_SHIFT + 7 == BUCKET_K_SHIFT,
               "the offset (up to a whole bucket) fits its 7 bits");
_Static_assert(SP_POIS_KMAX <= BUCKET_K_MASK && BUCKET_K_SHIFT + 8 == BUCKET_MULTI_SHIFT,
               "k0 fits its 8 bits below the multi-step flag");

/* Seasonal profile by category and calendar month (Jan..Dec), before
 * normalisation to mean 1. An assumption shaped on the calendar of Chinese
 * retail: Spring Festival (Jan/Feb) for food, clothing and "other"; the 618
 * (June) and Double-11 (November) shopping festivals for clothing and
 * household goods; heating season for housing; school fees (Feb/Sep) and
 * summer travel for education and recreation. See docs/model.md. */
static const double season_tab[][NMONTH] = {
    /* food */ {1.18, 1.15, 0.95, 0.95, 0.96, 0.95, 0.94, 0.95, 0.98, 1.00, 0.97, 1.02},
    /* clothing */ {1.25, 0.95, 0.90, 0.95, 0.95, 1.10, 0.80, 0.80, 0.95, 1.05, 1.30, 1.00},
    /* housing */ {1.06, 1.04, 1.02, 0.98, 0.97, 0.97, 0.98, 0.98, 0.97, 0.97, 1.02, 1.04},
    /* household goods */ {1.05, 0.85, 0.90, 0.95, 0.95, 1.20, 0.90, 0.90, 0.95, 1.00, 1.35, 1.00},
    /* transport */ {1.02, 0.90, 0.98, 1.00, 1.02, 1.00, 1.02, 1.02, 1.00, 1.04, 1.00, 1.00},
    /* education */ {0.95, 1.10, 0.95, 0.90, 0.92, 0.90, 1.12, 1.15, 1.20, 1.00, 0.88, 0.93},
    /* health */ {1.08, 0.92, 1.02, 0.98, 0.96, 0.96, 0.97, 0.98, 0.98, 1.00, 1.05, 1.10},
    /* other */ {1.20, 1.15, 0.95, 0.92, 0.95, 0.95, 0.92, 0.92, 0.95, 1.02, 0.97, 1.10},
};
_Static_assert(sizeof season_tab / sizeof season_tab[0] == SP_NCAT, "one seasonal row per category");
_Static_assert(sizeof ((sp_spending_model *)0)->season[0] == sizeof season_tab[0],
               "the model's seasonal rows have the table's months");

double sp_spending_season_table(int c, int month_1_12)
{
    if (c < 0 || c >= SP_NCAT || month_1_12 < 1 || month_1_12 > NMONTH)
        return 0.0;
    double mean = 0;
    for (int k = 0; k < NMONTH; k++)
        mean += season_tab[c][k];
    mean /= (double)NMONTH;
    return season_tab[c][month_1_12 - 1] / mean;
}

/* Poisson(lambda) CDF of category c in units of 1 / SP_U16_VALUES and the
 * step tables of k x noise, unscaled; returns the exact mean of what is drawn
 * (the last entry catches all). */
static double build_steps(sp_trip_tables *t, int c, double lambda)
{
    double pk = exp(-lambda), cdf = 0, mean = 0;
    uint32_t prev = 0;
    for (int k = 0; k <= SP_POIS_KMAX; k++) {
        cdf += pk;
        uint32_t q = k == SP_POIS_KMAX ? SP_U16_VALUES : (uint32_t)llround(fmin(cdf, 1.0) * SP_U16_VALUES);
        if (q > SP_U16_VALUES)
            q = SP_U16_VALUES;
        t->pois_cdf[c][k] = q;
        t->pois_lo[c][k] = prev;
        mean += (double)k * (double)(q - prev) / SP_U16_VALUES;
        prev = q;
        pk *= lambda / (k + 1);
    }
    return mean;
}

/* k times the size noise, linear in d = u - lo on each step, times the
 * normalisation s; then the bucket words and the linear buckets. */
static void build_lin(sp_trip_tables *t, int c, double cv, double s)
{
    for (int k = 0; k <= SP_POIS_KMAX; k++) {
        uint32_t q = t->pois_cdf[c][k], lo = t->pois_lo[c][k];
        double a = sqrt(3.0) * cv / sqrt(k > 1 ? (double)k : 1.0);
        double b = q > lo ? 2.0 * k * a / (double)(q - lo) : 0.0;
        t->step_b[c][k] = (float)(s * b);
        t->step_c[c][k] = (float)(s * (k * (1.0 - a) + 0.5 * b));
    }
    unsigned k = 0;
    for (int b = 0; b < SP_POIS_BUCKETS; b++) {
        uint32_t ulo = (uint32_t)b << SP_POIS_SHIFT; /* smallest u in the bucket */
        while (ulo >= t->pois_cdf[c][k])
            k++;
        uint32_t e = t->pois_cdf[c][k], off = SP_POIS_MASK + 1, multi = 0;
        if (e <= ulo + SP_POIS_MASK) {
            off = e - ulo;
            multi = k < SP_POIS_KMAX && t->pois_cdf[c][k + 1] <= ulo + SP_POIS_MASK;
        }
        t->bucket[c][b] = t->pois_lo[c][k] | off << BUCKET_OFF_SHIFT |
                          (uint32_t)k << BUCKET_K_SHIFT | multi << BUCKET_MULTI_SHIFT;
    }
    k = 0;
    for (int b = 0; b < SP_LIN_BUCKETS; b++) {
        uint32_t ulo = (uint32_t)b << SP_LIN_SHIFT;
        while (ulo >= t->pois_cdf[c][k])
            k++;
        if (t->pois_cdf[c][k] <= ulo + SP_LIN_MASK) { /* a step begins inside */
            t->lin[c][b][0] = 0.0f;
            t->lin[c][b][1] = NAN;
        } else {
            double sb = t->step_b[c][k];
            t->lin[c][b][0] = (float)(t->step_c[c][k] + sb * (double)(ulo - t->pois_lo[c][k]));
            t->lin[c][b][1] = (float)sb;
        }
    }
}

/* The tables of every class at rates trips_c x m->mult[k]; m->inv_mean from
 * the parameters' rates. Class k's f is scaled by E[N at trips_c] / E[N at
 * its rate], so the kernel's coefficient (season x growth / E[N at trips_c])
 * keeps each household's expected spending. */
static int build_tables(sp_spending_model *m, const sp_params *p, sp_err *err)
{
    for (int c = 0; c < SP_NCAT; c++) {
        double base = build_steps(&m->cls[0], c, p->trips[c]);
        if (!(base > 0))
            return sp_err_set(err, SP_EINVAL, "parameter 'trips_%s' = %g gives no trips",
                              sp_category_name(c), p->trips[c]);
        m->inv_mean[c] = 1.0 / base;
        for (int k = 0; k < SP_TRIP_CLASSES; k++) {
            double mean = build_steps(&m->cls[k], c, p->trips[c] * m->mult[k]);
            if (!(mean > 0))
                return sp_err_set(err, SP_EINVAL, "parameter 'trips_%s' = %g gives no trips in class %d",
                                  sp_category_name(c), p->trips[c], k + 1);
            build_lin(&m->cls[k], c, p->trip_cv, mean == base ? 1.0 : base / mean);
        }
    }
    return SP_OK;
}

int sp_spending_model_init(sp_spending_model *m, const sp_params *p, int base_year, sp_err *err)
{
    int rc = sp_params_validate(p, err);
    if (rc != SP_OK)
        return rc;
    memset(m, 0, sizeof *m);
    for (int c = 0; c < SP_NCAT; c++)
        for (int k = 0; k < NMONTH; k++)
            m->season[c][k] = 1.0 + p->season_amplitude * (sp_spending_season_table(c, k + 1) - 1.0);
    for (int k = 0; k < SP_TRIP_CLASSES; k++)
        m->mult[k] = 1.0;
    for (int r = 0; r <= SP_RANK_CONS_MASK; r++) {
        int k = (r < SP_CONS_RANKS ? r : SP_CONS_RANKS - 1) * SP_TRIP_CLASSES / SP_CONS_RANKS;
        m->class_of_rank[r] = (uint8_t)k;
    }
    rc = build_tables(m, p, err);
    if (rc != SP_OK)
        return rc;
    m->growth_log = log(p->growth) / 12.0;
    m->mid_month = sp_month_make(base_year, 1) + 5; /* mid-year: between June and July (+0.5) */
    return SP_OK;
}

int sp_spending_model_classes(sp_spending_model *m, const sp_params *p, const sp_population *pop,
                              sp_err *err)
{
    double w[SP_TRIP_CLASSES] = {0}, wc[SP_TRIP_CLASSES] = {0}, tot = 0, avg = 0;
    for (size_t i = 0; i < pop->n; i++) {
        int k = m->class_of_rank[pop->ranks[i] & SP_RANK_CONS_MASK];
        w[k] += pop->weight[i];
        wc[k] += (double)pop->weight[i] * pop->consumption[i];
    }
    for (int k = 0; k < SP_TRIP_CLASSES; k++) {
        m->mult[k] = w[k] > 0 && wc[k] > 0 ? pow(wc[k] / w[k], p->trip_elasticity) : 0.0;
        tot += w[k];
        avg += w[k] * m->mult[k];
    }
    for (int k = 0; k < SP_TRIP_CLASSES; k++)
        m->mult[k] = avg > 0 && m->mult[k] > 0 ? m->mult[k] * tot / avg : 1.0;
    return build_tables(m, p, err);
}

double sp_spending_growth(const sp_spending_model *m, int cal_month)
{
    return exp(m->growth_log * ((double)(cal_month - m->mid_month) - 0.5));
}

void sp_spending_month_prepare(const sp_spending_model *m, int cal_month, sp_spending_month *out)
{
    sp_spending_month_prepare_macro(m, NULL, cal_month, out);
}

void sp_spending_month_prepare_macro(const sp_spending_model *m, const sp_macro_def *macro,
                                     int cal_month, sp_spending_month *out)
{
    double g = (macro ? 1.0 : sp_spending_growth(m, cal_month)) / 12.0 / SP_SHARE_ONE;
    int moy0 = sp_month_of_year(cal_month) - 1;
    for (int c = 0; c < SP_NCAT; c++) {
        double level = macro ? g * sp_macro_factor(macro, cal_month, c) : g;
        out->coef[c] = (float)(m->season[c][moy0] * level * m->inv_mean[c]);
    }
    out->month_word = (uint32_t)cal_month;
}

/* ---- the kernel ---- */

/* Category c of one household of the class whose tables are m: the trip
 * count and k x noise (before the floor at 0) from the uniform u, through
 * the step tables. */
static inline float trips_noise(const sp_trip_tables *m, int c, uint32_t u, unsigned *trips)
{
    uint32_t e = m->bucket[c][u >> SP_POIS_SHIFT];
    unsigned k = (e >> BUCKET_K_SHIFT) & BUCKET_K_MASK;
    uint32_t lo;
    if (e >> BUCKET_MULTI_SHIFT) { /* two steps begin in the bucket: search the CDF */
        while (u >= m->pois_cdf[c][k])
            k++;
        lo = m->pois_lo[c][k];
    } else { /* past the step that begins in the bucket, or not (without a branch) */
        const uint32_t off = (e >> BUCKET_OFF_SHIFT) & BUCKET_OFF_MASK;
        const unsigned past = (u & SP_POIS_MASK) >= off;
        k += past;
        lo = past ? (u & ~SP_POIS_MASK) + off : e & 0xffffu;
    }
    *trips = k;
    return m->step_c[c][k] + m->step_b[c][k] * (float)(int32_t)(u - lo);
}

/* Category c's 16-bit uniform: the low half of word c / 2 for even c, the
 * high half for odd c. */
_Static_assert(SP_NCAT <= 2 * 4, "one draw's four words hold a 16-bit uniform per category");
static inline uint32_t uniform16(const uint32_t w[4], int c)
{
    return (c & 1) ? w[c >> 1] >> 16 : w[c >> 1] & 0xffffu;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SP_SPENDING_HAVE_AVX2 1

/* chunk_avx2's layout: one category per 32-bit lane of a 256-bit vector (the
 * coefficients, the output row, the shares loaded as one 128-bit row of
 * uint16, the draw's four words read as eight 16-bit uniforms); each (value,
 * slope) pair of lin read as one double, a category's row of SP_LIN_BUCKETS
 * pairs addressed as doubles; the bucket of the uniform in bits 16 (c % 4) +
 * SP_LIN_SHIFT .. + 15 of a 64-bit half of the draw. */
_Static_assert(SP_NCAT == 8, "the AVX2 spending kernel holds the eight categories in one 8-lane vector");
_Static_assert(SP_NCAT * sizeof(uint16_t) == 16, "a household's shares are one 128-bit load");
_Static_assert(sizeof ((sp_trip_tables *)0)->lin[0][0] == sizeof(double),
               "a (value, slope) pair is read as one double");
_Static_assert(sizeof ((sp_trip_tables *)0)->lin[0] == SP_LIN_BUCKETS * sizeof(double),
               "a category's lin row is SP_LIN_BUCKETS doubles");
_Static_assert((SP_LIN_BUCKETS << SP_LIN_SHIFT) == SP_U16_VALUES &&
                   (SP_LIN_BUCKETS & (SP_LIN_BUCKETS - 1)) == 0,
               "the bucket is the uniform's top bits, masked with SP_LIN_BUCKETS - 1");

/* The eight categories of a household side by side, one per 32-bit lane: the
 * same float operations as chunk_portable, in the same order. The eight
 * (value, slope) pairs are read with scalar loads (gathers are slower on the
 * CPUs measured). Two passes over the chunk: the first computes every
 * household from the linear buckets without a data-dependent branch (so the
 * table reads of successive households overlap) and lists the households with
 * a category whose bucket holds the start of a step (slope NaN; about 7-10% of
 * household-months at the default trip rates); the second computes those
 * categories from the step tables, lane by lane, as chunk_portable does. */
__attribute__((target("avx2"))) static void chunk_avx2(const sp_spending_model *model,
                                                       const sp_population *pop,
                                                       const sp_spending_month *mo, size_t lo,
                                                       size_t n, const uint32_t (*w)[4],
                                                       float (*out)[SP_NCAT],
                                                       uint8_t (*trips)[SP_NCAT])
{
    /* Column pointers are locals: vector stores may alias anything, and the
     * compiler would otherwise reload them after each. */
    const uint8_t *const ranks = pop->ranks + lo, *const class_of_rank = model->class_of_rank;
    const uint16_t *const shares = pop->shares + lo * SP_NCAT;
    const float *const cons = pop->consumption + lo;
    const sp_trip_tables *const cls = model->cls;
    const __m256i m15 = _mm256_set1_epi32(SP_LIN_MASK);
    const __m256 coef = _mm256_loadu_ps(mo->coef), zero = _mm256_setzero_ps();
    enum { MAXN = 1024 };
    uint32_t slow[MAXN];    /* households of the second pass ... */
    uint8_t steps_of[MAXN]; /* ... and their categories (bit c) */
    size_t nslow = 0;
    for (size_t j0 = 0; j0 < n; j0 += MAXN) {
        const size_t j1 = n - j0 < MAXN ? n : j0 + MAXN;
        nslow = 0;
        for (size_t j = j0; j < j1; j++) {
            const sp_trip_tables *m = &cls[class_of_rank[ranks[j] & SP_RANK_CONS_MASK]];
            /* the bucket of category c: bits 16 c / 2 + SP_LIN_SHIFT .. + 15 of the draw */
            uint64_t lo64, hi64;
            memcpy(&lo64, w[j], 8);
            memcpy(&hi64, w[j] + 2, 8);
            const double *lin = (const double *)&m->lin[0][0][0];
#define LIN(c, v) (lin + (c) * SP_LIN_BUCKETS + (((v) >> (16 * ((c) & 3) + SP_LIN_SHIFT)) & (SP_LIN_BUCKETS - 1)))
            __m128 e01 = _mm_castpd_ps(_mm_loadh_pd(_mm_load_sd(LIN(0, lo64)), LIN(1, lo64)));
            __m128 e23 = _mm_castpd_ps(_mm_loadh_pd(_mm_load_sd(LIN(2, lo64)), LIN(3, lo64)));
            __m128 e45 = _mm_castpd_ps(_mm_loadh_pd(_mm_load_sd(LIN(4, hi64)), LIN(5, hi64)));
            __m128 e67 = _mm_castpd_ps(_mm_loadh_pd(_mm_load_sd(LIN(6, hi64)), LIN(7, hi64)));
#undef LIN
            __m256 a = _mm256_insertf128_ps(_mm256_castps128_ps256(e01), e45, 1); /* f0 b0 f1 b1 | f4 b4 f5 b5 */
            __m256 b = _mm256_insertf128_ps(_mm256_castps128_ps256(e23), e67, 1); /* f2 b2 f3 b3 | f6 b6 f7 b7 */
            __m256 f0 = _mm256_shuffle_ps(a, b, 0x88), slope = _mm256_shuffle_ps(a, b, 0xDD);
            __m256i r = _mm256_and_si256(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)w[j])), m15);
            __m256 f = _mm256_add_ps(f0, _mm256_mul_ps(slope, _mm256_cvtepi32_ps(r)));
            const unsigned steps = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(slope, slope, _CMP_UNORD_Q));
            slow[nslow] = (uint32_t)j;
            steps_of[nslow] = (uint8_t)steps;
            nslow += steps != 0;
            f = _mm256_max_ps(f, zero); /* NaN lanes (steps) become 0 here; the second pass redoes them */
            __m256 share = _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(shares + j * SP_NCAT))));
            __m256 s = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(cons[j]), coef), share), f);
            _mm256_storeu_ps(out[j], s);
        }
        for (size_t q = 0; q < nslow; q++) {
            const size_t j = slow[q];
            const sp_trip_tables *m = &cls[class_of_rank[ranks[j] & SP_RANK_CONS_MASK]];
            for (unsigned steps = steps_of[q]; steps; steps &= steps - 1) {
                const int c = __builtin_ctz(steps);
                unsigned k;
                float fc = trips_noise(m, c, uniform16(w[j], c), &k);
                fc = fc > 0.0f ? fc : 0.0f; /* as _mm256_max_ps(f, zero) */
                out[j][c] = cons[j] * mo->coef[c] * (float)shares[j * SP_NCAT + c] * fc;
            }
        }
    }
    if (trips)
        for (size_t j = 0; j < n; j++) {
            const sp_trip_tables *m = &cls[class_of_rank[ranks[j] & SP_RANK_CONS_MASK]];
            for (int c = 0; c < SP_NCAT; c++) {
                unsigned k;
                trips_noise(m, c, uniform16(w[j], c), &k);
                trips[j][c] = (uint8_t)k;
            }
        }
}
#endif

/* The portable kernel (CPUs without AVX2, such as ARM servers): chunk_avx2's
 * two passes and operations, four categories at a time in GCC/Clang generic
 * vectors (SSE2 on x86-64, NEON on ARM). The first pass computes every
 * household from the linear buckets without a data-dependent branch and
 * lists those with a category whose bucket holds the start of a step (slope
 * NaN); the second computes those categories from the step tables. */
typedef float sp_v4f __attribute__((vector_size(4 * sizeof(float))));
typedef int32_t sp_v4i __attribute__((vector_size(4 * sizeof(int32_t))));
typedef uint64_t sp_v2u64 __attribute__((vector_size(2 * sizeof(uint64_t))));
typedef uint16_t sp_v8u16 __attribute__((vector_size(8 * sizeof(uint16_t))));

_Static_assert(SP_NCAT == 8, "the portable spending kernel holds the eight categories in two 4-lane vectors");
static void chunk_portable(const sp_spending_model *model, const sp_population *pop,
                           const sp_spending_month *mo, size_t lo, size_t n,
                           const uint32_t (*w)[4], float (*out)[SP_NCAT], uint8_t (*trips)[SP_NCAT])
{
    const uint8_t *const ranks = pop->ranks + lo, *const class_of_rank = model->class_of_rank;
    const uint16_t *const shares = pop->shares + lo * SP_NCAT;
    const float *const cons = pop->consumption + lo;
    const sp_trip_tables *const cls = model->cls;
    const sp_v4f coef_lo = {mo->coef[0], mo->coef[1], mo->coef[2], mo->coef[3]};
    const sp_v4f coef_hi = {mo->coef[4], mo->coef[5], mo->coef[6], mo->coef[7]};
    const sp_v4f zero = {0.0f, 0.0f, 0.0f, 0.0f};
    const sp_v4i m15 = {SP_LIN_MASK, SP_LIN_MASK, SP_LIN_MASK, SP_LIN_MASK};
    enum { MAXN = 1024 };
    uint32_t slow[MAXN]; /* households of the second pass */
    for (size_t j0 = 0; j0 < n; j0 += MAXN) {
        const size_t j1 = n - j0 < MAXN ? n : j0 + MAXN;
        size_t nslow = 0;
        for (size_t j = j0; j < j1; j++) {
            const sp_trip_tables *m = &cls[class_of_rank[ranks[j] & SP_RANK_CONS_MASK]];
            const uint32_t w0 = w[j][0], w1 = w[j][1], w2 = w[j][2], w3 = w[j][3];
#define LIN(c, u) m->lin[c][(uint32_t)(u) >> SP_LIN_SHIFT]
            const float *e0 = LIN(0, w0 & 0xffffu), *e1 = LIN(1, w0 >> 16), *e2 = LIN(2, w1 & 0xffffu), *e3 = LIN(3, w1 >> 16);
            const float *e4 = LIN(4, w2 & 0xffffu), *e5 = LIN(5, w2 >> 16), *e6 = LIN(6, w3 & 0xffffu), *e7 = LIN(7, w3 >> 16);
#undef LIN
            const uint16_t *sh = shares + j * SP_NCAT;
#if SP_HAVE_SHUFFLEVECTOR
            /* each (value, slope) pair as one 64-bit read, as chunk_avx2 */
            uint64_t q0, q1, q2, q3, q4, q5, q6, q7;
            memcpy(&q0, e0, 8), memcpy(&q1, e1, 8), memcpy(&q2, e2, 8), memcpy(&q3, e3, 8);
            memcpy(&q4, e4, 8), memcpy(&q5, e5, 8), memcpy(&q6, e6, 8), memcpy(&q7, e7, 8);
            const sp_v4f p01 = (sp_v4f)(sp_v2u64){q0, q1}, p23 = (sp_v4f)(sp_v2u64){q2, q3};
            const sp_v4f p45 = (sp_v4f)(sp_v2u64){q4, q5}, p67 = (sp_v4f)(sp_v2u64){q6, q7};
            const sp_v4f v_lo = __builtin_shufflevector(p01, p23, 0, 2, 4, 6);
            const sp_v4f b_lo = __builtin_shufflevector(p01, p23, 1, 3, 5, 7);
            const sp_v4f v_hi = __builtin_shufflevector(p45, p67, 0, 2, 4, 6);
            const sp_v4f b_hi = __builtin_shufflevector(p45, p67, 1, 3, 5, 7);
            /* the draw's eight 16-bit uniforms (little-endian: in category
             * order) and the shares, each one 128-bit read widened */
            sp_v8u16 wv, sv;
            memcpy(&wv, w[j], sizeof wv);
            memcpy(&sv, sh, sizeof sv);
            const sp_v4i u_lo = __builtin_convertvector(__builtin_shufflevector(wv, wv, 0, 1, 2, 3), sp_v4i);
            const sp_v4i u_hi = __builtin_convertvector(__builtin_shufflevector(wv, wv, 4, 5, 6, 7), sp_v4i);
            const sp_v4i si_lo = __builtin_convertvector(__builtin_shufflevector(sv, sv, 0, 1, 2, 3), sp_v4i);
            const sp_v4i si_hi = __builtin_convertvector(__builtin_shufflevector(sv, sv, 4, 5, 6, 7), sp_v4i);
#else
            const sp_v4f v_lo = {e0[0], e1[0], e2[0], e3[0]}, v_hi = {e4[0], e5[0], e6[0], e7[0]};
            const sp_v4f b_lo = {e0[1], e1[1], e2[1], e3[1]}, b_hi = {e4[1], e5[1], e6[1], e7[1]};
            const sp_v4i u_lo = {(int32_t)(w0 & 0xffffu), (int32_t)(w0 >> 16), (int32_t)(w1 & 0xffffu), (int32_t)(w1 >> 16)};
            const sp_v4i u_hi = {(int32_t)(w2 & 0xffffu), (int32_t)(w2 >> 16), (int32_t)(w3 & 0xffffu), (int32_t)(w3 >> 16)};
            const sp_v4i si_lo = {sh[0], sh[1], sh[2], sh[3]}, si_hi = {sh[4], sh[5], sh[6], sh[7]};
#endif
            const sp_v4f f_lo = v_lo + b_lo * __builtin_convertvector(u_lo & m15, sp_v4f);
            const sp_v4f f_hi = v_hi + b_hi * __builtin_convertvector(u_hi & m15, sp_v4f);
            const sp_v2u64 nan = (sp_v2u64)((b_lo != b_lo) | (b_hi != b_hi));
            slow[nslow] = (uint32_t)j;
            nslow += (nan[0] | nan[1]) != 0;
            /* f > 0 ? f : 0 (NaN lanes, the steps, become 0; the second pass redoes them) */
            const sp_v4f fc_lo = (sp_v4f)((sp_v4i)f_lo & (f_lo > zero));
            const sp_v4f fc_hi = (sp_v4f)((sp_v4i)f_hi & (f_hi > zero));
            const float base = cons[j];
            const sp_v4f s_lo = base * coef_lo * __builtin_convertvector(si_lo, sp_v4f) * fc_lo;
            const sp_v4f s_hi = base * coef_hi * __builtin_convertvector(si_hi, sp_v4f) * fc_hi;
            memcpy(out[j], &s_lo, sizeof s_lo);
            memcpy(out[j] + 4, &s_hi, sizeof s_hi);
        }
        for (size_t q = 0; q < nslow; q++) {
            const size_t j = slow[q];
            const sp_trip_tables *m = &cls[class_of_rank[ranks[j] & SP_RANK_CONS_MASK]];
            for (int c = 0; c < SP_NCAT; c++) {
                const uint32_t u = uniform16(w[j], c);
                const float sl = m->lin[c][u >> SP_LIN_SHIFT][1];
                if (sl == sl)
                    continue;
                unsigned k;
                float fc = trips_noise(m, c, u, &k);
                fc = fc > 0.0f ? fc : 0.0f;
                out[j][c] = cons[j] * mo->coef[c] * (float)shares[j * SP_NCAT + c] * fc;
            }
        }
    }
    if (trips)
        for (size_t j = 0; j < n; j++) {
            const sp_trip_tables *m = &cls[class_of_rank[ranks[j] & SP_RANK_CONS_MASK]];
            for (int c = 0; c < SP_NCAT; c++) {
                unsigned k;
                trips_noise(m, c, uniform16(w[j], c), &k);
                trips[j][c] = (uint8_t)k;
            }
        }
}

void sp_spending_chunk(const sp_spending_model *m, const sp_population *pop,
                       const sp_spending_month *mo, size_t lo, size_t n, const uint32_t (*w)[4],
                       float (*out)[SP_NCAT], uint8_t (*trips)[SP_NCAT])
{
#ifdef SP_SPENDING_HAVE_AVX2
    if (sp_simd_avx2()) {
        chunk_avx2(m, pop, mo, lo, n, w, out, trips);
        return;
    }
#endif
    chunk_portable(m, pop, mo, lo, n, w, out, trips);
}

void sp_spending_household(const sp_spending_model *m, const sp_population *pop,
                           const sp_spending_month *mo, uint32_t i, sp_rng_key key,
                           double out[SP_NCAT], unsigned trips[SP_NCAT])
{
    uint32_t w[1][4];
    float s[1][SP_NCAT];
    uint8_t t[1][SP_NCAT];
    sp_rng_words(key, i, mo->month_word, SP_PURPOSE_SPENDING, 0, w[0]);
    sp_spending_chunk(m, pop, mo, i, 1, (const uint32_t(*)[4])w, s, t);
    for (int c = 0; c < SP_NCAT; c++) {
        out[c] = s[0][c];
        trips[c] = t[0][c];
    }
}
