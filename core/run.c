/* run.c: the monthly engine. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#ifdef SPENDSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include "cars.h"
#include "measure.h"
#include "simd.h"
#include "spending.h"

/* Households are summed into cells first, and cells into group slots once
 * per block: a household adds its sums to two cells instead of SP_NDIM
 * slots. Two cell systems: one of (income decile, area, car owner, liquidity
 * type), whose cells make the slots of income decile, area, car owner and
 * liquidity (then the deciles make the quintiles and all); one of the
 * household's rank in consumption (30ths), whose cells make the consumption
 * terciles, quintiles and deciles. */
#define NCELL (SP_NDECILE * SP_NAREA * SP_NCARDIM * SP_NLIQ)
#define NCCELL SP_CONS_RANKS
#define NCELL_DIMS 4  /* dimensions made from the income cells (all and quintiles: from the deciles) */
#define NCCELL_DIMS 3 /* dimensions made from the consumption cells */
_Static_assert(NCELL_DIMS + NCCELL_DIMS + 2 == SP_NDIM, "every dimension is made once");
_Static_assert(SP_NDECILE == 2 * SP_NQUINTILE, "income deciles nest in quintiles");
#define GM (SP_NGROUP * SP_NMETRIC)
/* Households of a block are drawn and simulated in chunks: their draws and
 * spending (32 KB at 512) stay close in the cache, and the per-chunk costs
 * (setting up each kernel, bringing the cell rows back into the first-level
 * cache after the spending kernel's table reads) are shared by 512
 * households. 256 was slower by 2-4% and 128 by about 10% on the AMD
 * EPYC measured; 1024 and 2048 no faster than 512 (docs/performance.md).
 * Results do not depend on it: plain and special households sum into
 * separate cells, each in household order. */
#define CHUNK 512
/* Plain households add only the first NPLAIN metrics (the categories, total
 * spending, households, persons, cars): they sum into compact rows that stay
 * in the first-level cache, added into the full cell rows once per block. */
#define NPLAIN (SP_M_CARS + 1)
/* A household's cells as one static code (households do not change group
 * within a run, apart from car ownership): bits 0-7 its income cell as a car
 * owner (the cell without a car is SP_NLIQ further), bits 8-12 its
 * consumption rank (its consumption cell). */
#define CODE_CONS_SHIFT 8
#define NOCAR_STEP SP_NLIQ /* the car dimension is the second fastest: car owner 0, no car 1 */
_Static_assert(NCELL <= 256 && NCCELL <= 32, "the cells fit the code's 8 and 5 bits");
_Static_assert(SP_M_SPEND0 == 0 && SP_M_CARS == SP_NCAT + 3, "the plain metrics come first");
_Static_assert(CHUNK % 32 == 0, "chunk bitmaps are whole 32-bit words");
_Static_assert(SP_BLOCK % CHUNK == 0, "a block is whole chunks");

/* A measure instance of the run: its operations' per-run state and whether
 * it acts on households this month. */
typedef struct run_measure {
    const sp_measure *m;
    void *state;
} run_measure;

struct sp_run {
    const sp_population *pop;
    const sp_package *pkg;
    sp_params params;
    sp_spending_model spending;
    const sp_macro_def *macro; /* the experiment's macro path, or NULL (the growth trend) */
    sp_rng_key key;
    int month;    /* calendar month of the next step */
    int threads;
    sp_hstate state;
    size_t nblocks;
    double *partial; /* nblocks x GM */
    uint16_t *cell_code; /* each household's cells (CODE_CONS_SHIFT) */
    int cell_slots[NCELL][NCELL_DIMS];    /* group slot of each income cell in each of its dimensions */
    int ccell_slots[NCCELL][NCCELL_DIMS]; /* ... and of each consumption cell */
    double repay_rate;               /* share of deferred spending repaid each month */
    /* measures, in the order they act (ops->order, then package order) */
    int nmeasures;
    run_measure measures[SP_MAX_MEASURES];
    int nacting;                     /* measures acting on households this month ... */
    int acting[SP_MAX_MEASURES];     /* ... their indices in measures[] */
    sp_run_env env;                  /* what the measures see */
    /* the car market and what the measures made of it */
    sp_cars_state *cars;
    sp_car_policy car_policy;
    double plate_stats[SP_NPLATESTAT]; /* this month's allocation */
};

static void cell_slot_table(int out[NCELL][NCELL_DIMS], int cout[NCCELL][NCCELL_DIMS])
{
    for (int d10 = 0; d10 < SP_NDECILE; d10++)
        for (int a = 0; a < SP_NAREA; a++)
            for (int c = 0; c < SP_NCARDIM; c++)
                for (int l = 0; l < SP_NLIQ; l++) {
                    int cell = ((d10 * SP_NAREA + a) * SP_NCARDIM + c) * SP_NLIQ + l;
                    out[cell][0] = sp_dim_first(SP_DIM_INCOME_DECILE) + d10;
                    out[cell][1] = sp_dim_first(SP_DIM_AREA) + a;
                    out[cell][2] = sp_dim_first(SP_DIM_CAR) + c;
                    out[cell][3] = sp_dim_first(SP_DIM_LIQUIDITY) + l;
                }
    for (int r = 0; r < NCCELL; r++) {
        cout[r][0] = sp_dim_first(SP_DIM_CONS_TERCILE) + r * SP_NTERCILE / SP_CONS_RANKS;
        cout[r][1] = sp_dim_first(SP_DIM_CONS_QUINTILE) + r * SP_NQUINTILE / SP_CONS_RANKS;
        cout[r][2] = sp_dim_first(SP_DIM_CONS_DECILE) + r * SP_NDECILE / SP_CONS_RANKS;
    }
}

/* The car market and the measures' per-run states, the measures sorted by
 * the order they act in (stable: package order among equals). */
static int setup_measures(sp_run *r, int start_month, sp_err *err)
{
    const sp_package *pkg = r->pkg;
    r->cars = sp_cars_state_alloc(r->pop, &r->state, &r->params, r->key, start_month, 1, err);
    if (!r->cars)
        return err ? err->code : SP_ENOMEM;
    memset(&r->car_policy, 0, sizeof r->car_policy);
    r->env = (sp_run_env){.pop = r->pop,
                          .state = &r->state,
                          .params = &r->params,
                          .key = r->key,
                          .pkg = pkg,
                          .start_month = start_month,
                          .month = start_month,
                          .cars = r->cars,
                          .car_policy = &r->car_policy,
                          .plate_stats = r->plate_stats};
    for (int k = 0; k < pkg->nmeasures; k++) {
        const sp_measure *m = &pkg->measures[k];
        int at = r->nmeasures++;
        while (at > 0 && r->measures[at - 1].m->ops->order > m->ops->order) {
            r->measures[at] = r->measures[at - 1];
            at--;
        }
        r->measures[at] = (run_measure){.m = m, .state = NULL};
    }
    for (int k = 0; k < r->nmeasures; k++) {
        run_measure *rm = &r->measures[k];
        if (rm->m->ops->run_alloc) {
            int rc = rm->m->ops->run_alloc(&rm->state, rm->m, &r->env, err);
            if (rc != SP_OK)
                return rc;
        }
    }
    return SP_OK;
}

/* months[i] + shift, clamped to 0 .. 65535, where key[i] > above (eq = 0)
 * or key[i] != above (eq = 1); the others are left alone. The loop stores
 * every entry, so it runs only when some household qualifies: a column no
 * household uses keeps its untouched pages (sp_hstate_clone). */
static void shift_months(uint16_t *restrict months, const uint8_t *restrict key, uint8_t above,
                         int eq, int shift, size_t n)
{
#define SHIFT_LOOP(take)                                                                           \
    {                                                                                              \
        unsigned any = 0;                                                                          \
        for (size_t i = 0; i < n; i++)                                                             \
            any |= (take);                                                                         \
        for (size_t i = 0; i < (any ? n : 0); i++) {                                               \
            const int m = months[i] + shift;                                                       \
            const uint16_t v = (uint16_t)(m < 0 ? 0 : (m > 65535 ? 65535 : m));                    \
            months[i] = (take) ? v : months[i];                                                    \
        }                                                                                          \
    }
    if (eq)
        SHIFT_LOOP(key[i] != above)
    else
        SHIFT_LOOP(key[i] > above)
#undef SHIFT_LOOP
}

sp_run *sp_run_alloc(const sp_population *pop, const sp_package *pkg, const sp_params *params,
                     sp_rng_key key, int start_month, int threads, sp_err *err)
{
    if (!pop || !pkg || !params) {
        sp_err_set(err, SP_EINVAL, "a run needs a population, a package and parameters");
        return NULL;
    }
    sp_run *r = calloc(1, sizeof *r);
    if (!r) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a run");
        return NULL;
    }
    r->pop = pop;
    r->pkg = pkg;
    r->params = *params;
    r->key = key;
    r->month = start_month;
    r->threads = threads > 0 ? threads : 1;
    if (sp_spending_model_init(&r->spending, params, pop->base_year, err) != SP_OK ||
        sp_spending_model_classes(&r->spending, params, pop, err) != SP_OK ||
        sp_hstate_clone(&r->state, &pop->state, err) != SP_OK) {
        sp_run_free(r);
        return NULL;
    }
    /* Car ages describe the population's base month; move them to the start
     * (the ages of a household's cars, the months of a household in a plate
     * pool). Column by column and without branches, so that the compiler
     * vectorises the loops; a shift of 0 changes nothing. */
    const int shift = start_month - pop->base_month;
    if (shift != 0) {
        for (int k = 0; k < SP_MAX_CARS; k++)
            shift_months(r->state.car_age[k], r->state.ncars, (uint8_t)k, 0, shift, pop->n);
        shift_months(r->state.plate_months, r->state.plate_state, SP_PLATE_NONE, 1, shift, pop->n);
    }
    if (setup_measures(r, start_month, err) != SP_OK) {
        sp_run_free(r);
        return NULL;
    }
    r->nblocks = (pop->n + SP_BLOCK - 1) / SP_BLOCK;
    r->partial = malloc((r->nblocks ? r->nblocks : 1) * GM * sizeof(double));
    if (!r->partial) {
        sp_err_set(err, SP_ENOMEM, "out of memory for %zu blocks", r->nblocks);
        sp_run_free(r);
        return NULL;
    }
    cell_slot_table(r->cell_slots, r->ccell_slots);
    r->cell_code = malloc((pop->n ? pop->n : 1) * sizeof *r->cell_code);
    if (!r->cell_code) {
        sp_err_set(err, SP_ENOMEM, "out of memory for %zu households' cell codes", pop->n);
        sp_run_free(r);
        return NULL;
    }
    for (size_t i = 0; i < pop->n; i++) {
        const int d10 = sp_rank_income_decile(pop->quintile[i], pop->ranks[i]);
        const int cell = ((d10 * SP_NAREA + pop->area[i]) * SP_NCARDIM + 0) * SP_NLIQ + pop->liquidity[i];
        r->cell_code[i] = (uint16_t)((unsigned)cell | (unsigned)sp_rank_cons30(pop->ranks[i]) << CODE_CONS_SHIFT);
    }
    r->repay_rate = 1.0 / params->substitution_months;
    return r;
}

int sp_run_set_macro(sp_run *r, const sp_macro_def *macro, int last_month, sp_err *err)
{
    int rc = macro ? sp_macro_covers(macro, r->month, last_month, err) : SP_OK;
    if (rc == SP_OK)
        r->macro = macro;
    return rc;
}

int sp_run_month(const sp_run *r) { return r->month; }

const double *sp_run_plate_stats(const sp_run *r) { return r->plate_stats; }

/* Household i's measures of the month, applied to its spending h->spend:
 * deferred repayment, the household steps of the measures acting this month
 * that marked it (marks[a]: the bits of acting measure a), windfall spending.
 * The measures' sums land in h. */
static void household_measures(sp_run *r, int j, uint32_t (*marks)[CHUNK / 32], sp_household *h)
{
    const sp_population *pop = r->pop;
    sp_hstate *st = &r->state;
    const size_t i = h->i;
    const unsigned all = (1u << SP_NCAT) - 1u;
    /* Spending pulled forward earlier is taken back. */
    if (st->deferred[i] > 0) {
        double rep = st->deferred[i] * r->repay_rate;
        st->deferred[i] = (float)(st->deferred[i] - rep);
        sp_population_split(pop, i, st->deferred_mask[i], -rep, h->spend);
    }
    for (int a = 0; a < r->nacting; a++)
        if ((marks[a][j >> 5] >> (j & 31)) & 1u) {
            run_measure *rm = &r->measures[r->acting[a]];
            rm->m->ops->household(rm->state, rm->m, &r->env, h);
        }
    /* Windfalls (including this month's) are spent evenly over their months. */
    if (st->pending_months[i] > 0) {
        double spend = st->pending[i] / st->pending_months[i];
        st->pending[i] = (float)(st->pending[i] - spend);
        if (--st->pending_months[i] == 0)
            st->pending[i] = 0;
        sp_population_split(pop, i, all, spend, h->spend);
    }
}

/* The sums of a chunk's households go into their cells (one row per
 * quintile, area, car owner and liquidity type): runs of plain households (no
 * measure touches them, no deferred or windfall spending, no car event this
 * month) in a tight loop, the others (special) through the general path.
 * Every path adds the same products. The order of the additions into a cell:
 * in a month in which no measure acts on households, the plain households
 * first, then the special ones, each in household order; in a month in which
 * measures act, every household in household order. (The results of earlier
 * versions, which sent every household through the general path in such
 * months, are reproduced bit for bit.) */
#define CELL_OF(code, nc) (((code) & 0xffu) + ((nc) > 0 ? 0 : NOCAR_STEP))
#define CCELL_OF(code) ((code) >> CODE_CONS_SHIFT)
/* The loop over plain households j0 .. j1 - 1 of a chunk, with j, nc (cars), acc and
 * cacc (the household's income and consumption cell rows) and w (its weight) for the body. Column pointers are
 * locals: vector stores may alias anything, and the compiler would otherwise
 * reload every column pointer after each. */
#define FOR_EACH_PLAIN(...)                                                                        \
    const uint8_t *const nc_col = st->ncars + c0, *const size_col = pop->size + c0;                \
    const uint16_t *const code_col = code + c0;                                                    \
    const float *const w_col = pop->weight + c0;                                                   \
    for (size_t j = j0; j < j1; j++) {                                                             \
        const int nc = nc_col[j];                                                                  \
        const unsigned cd = code_col[j];                                                           \
        double *acc = cell[CELL_OF(cd, nc)];                                                       \
        double *cacc = ccell[CCELL_OF(cd)];                                                        \
        const double w = w_col[j];                                                                 \
        __VA_ARGS__                                                                                \
    }

/* Layout plain_sums_portable (and plain_sums_avx2) rely on: the categories,
 * then total spending, households, persons and cars, as the first NPLAIN
 * metrics. */
_Static_assert(SP_M_SPEND0 == 0 && SP_M_SPENDING == SP_M_SPEND0 + SP_NCAT,
               "total spending follows the categories");
_Static_assert(SP_M_HOUSEHOLDS == SP_M_SPENDING + 1 && SP_M_PERSONS == SP_M_SPENDING + 2 &&
                   SP_M_CARS == SP_M_SPENDING + 3 && NPLAIN == SP_M_CARS + 1 && SP_M_SPENDING % 2 == 0,
               "spending, households, persons and cars close the plain row, two pairs");

/* The household's row, w x (the categories, 0, 1, size, cars), added to its
 * two cells two doubles at a time, in GCC/Clang generic vectors (SSE2 on
 * x86-64, NEON on ARM; the compiler does not vectorise the scalar form
 * across the rows of data-dependent cells). The same products and sums as
 * plain_sums_avx2: total spending, filled in per cell later, has 0 added
 * (which leaves it alone), and w x 1 is w. */
typedef double sp_v2d __attribute__((vector_size(2 * sizeof(double))));
_Static_assert(NPLAIN % 2 == 0 && SP_NCAT % 2 == 0, "the plain row is pairs of doubles");
static void plain_sums_portable(const sp_population *pop, const sp_hstate *st, const uint16_t *code,
                                size_t c0, size_t j0, size_t j1, const float (*spend)[SP_NCAT],
                                double cell[][NPLAIN], double ccell[][NPLAIN])
{
    FOR_EACH_PLAIN(
        sp_v2d p[NPLAIN / 2];
        for (int k = 0; k < SP_NCAT / 2; k++)
            p[SP_M_SPEND0 / 2 + k] = w * (sp_v2d){spend[j][2 * k], spend[j][2 * k + 1]};
        p[SP_M_SPENDING / 2] = w * (sp_v2d){0.0, 1.0};
        p[SP_M_PERSONS / 2] = w * (sp_v2d){size_col[j], nc};
        for (int k = 0; k < NPLAIN / 2; k++) {
            sp_v2d a;
            memcpy(&a, acc + 2 * k, sizeof a);
            a += p[k];
            memcpy(acc + 2 * k, &a, sizeof a);
        }
        for (int k = 0; k < NPLAIN / 2; k++) {
            sp_v2d a;
            memcpy(&a, cacc + 2 * k, sizeof a);
            a += p[k];
            memcpy(cacc + 2 * k, &a, sizeof a);
        })
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SP_RUN_HAVE_AVX2 1

/* Layout plain_sums_avx2 relies on (besides the row's above): the eight
 * categories are two vectors of four doubles (one of eight floats), and total
 * spending, households, persons and cars are one vector of four. */
_Static_assert(SP_NCAT == 8, "the categories are one vector of eight floats");

/* plain_sums_portable with four doubles at a time: the same products and
 * sums. Households, persons and cars follow total spending in the row, which
 * is filled in per cell later (0 is added to it here, which leaves it alone). */
__attribute__((target("avx2"))) static void plain_sums_avx2(const sp_population *pop,
                                                            const sp_hstate *st, const uint16_t *code,
                                                            size_t c0, size_t j0, size_t j1,
                                                            const float (*spend)[SP_NCAT],
                                                            double cell[][NPLAIN],
                                                            double ccell[][NPLAIN])
{
    FOR_EACH_PLAIN(
        const __m256d w4 = _mm256_set1_pd(w);
        const __m256 s8 = _mm256_loadu_ps(spend[j]);
        __m256d lo = _mm256_mul_pd(w4, _mm256_cvtps_pd(_mm256_castps256_ps128(s8)));
        __m256d hi = _mm256_mul_pd(w4, _mm256_cvtps_pd(_mm256_extractf128_ps(s8, 1)));
        _mm256_storeu_pd(acc + SP_M_SPEND0, _mm256_add_pd(_mm256_loadu_pd(acc + SP_M_SPEND0), lo));
        _mm256_storeu_pd(acc + SP_M_SPEND0 + 4, _mm256_add_pd(_mm256_loadu_pd(acc + SP_M_SPEND0 + 4), hi));
        /* w x (0, 1, size, cars): the same products as w * size and w * nc */
        const __m256d rest = _mm256_mul_pd(w4, _mm256_cvtepi32_pd(_mm_set_epi32(nc, size_col[j], 1, 0)));
        _mm256_storeu_pd(acc + SP_M_SPENDING, _mm256_add_pd(_mm256_loadu_pd(acc + SP_M_SPENDING), rest));
        _mm256_storeu_pd(cacc + SP_M_SPEND0, _mm256_add_pd(_mm256_loadu_pd(cacc + SP_M_SPEND0), lo));
        _mm256_storeu_pd(cacc + SP_M_SPEND0 + 4, _mm256_add_pd(_mm256_loadu_pd(cacc + SP_M_SPEND0 + 4), hi));
        _mm256_storeu_pd(cacc + SP_M_SPENDING, _mm256_add_pd(_mm256_loadu_pd(cacc + SP_M_SPENDING), rest));)
}

/* Bit j of special[j / 32]: household j repays deferred spending or spends a
 * windfall this month. Whole words of 32 households; returns how many. */
__attribute__((target("avx2"))) static size_t carryover_bits_avx2(const float *def,
                                                                  const uint8_t *pend, size_t n,
                                                                  uint32_t *special)
{
    size_t k = 0;
    const __m256 zero = _mm256_setzero_ps();
    for (; 32 * k + 32 <= n; k++) {
        uint32_t bits = 0;
        for (int q = 0; q < 4; q++) {
            const size_t j = 32 * k + 8 * (size_t)q;
            __m256 d = _mm256_cmp_ps(_mm256_loadu_ps(def + j), zero, _CMP_GT_OQ);
            __m256i p = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(pend + j)));
            __m256 pm = _mm256_castsi256_ps(
                _mm256_xor_si256(_mm256_cmpeq_epi32(p, _mm256_setzero_si256()), _mm256_set1_epi32(-1)));
            bits |= (uint32_t)_mm256_movemask_ps(_mm256_or_ps(d, pm)) << (8 * q);
        }
        special[k] = bits;
    }
    return k;
}
#endif

/* Bit j of special[j / 32]: household j takes the general path: it has
 * carry-over spending, a car event, or an acting measure marked it (marks[a]:
 * the households acting measure a touches). */
static void special_bits(sp_run *r, size_t c0, size_t n, const uint32_t *who, size_t ne, int avx2,
                         uint32_t *special, uint32_t (*marks)[CHUNK / 32])
{
    const sp_hstate *st = &r->state;
    const float *def = st->deferred + c0;
    const uint8_t *pend = st->pending_months + c0;
    size_t k = 0;
#ifdef SP_RUN_HAVE_AVX2
    if (avx2)
        k = carryover_bits_avx2(def, pend, n, special);
#endif
    (void)avx2;
    for (; 32 * k + 32 <= n; k++) { /* whole words: an OR of masked bits, which compilers vectorise */
        static const uint32_t bit[32] = {
            1u << 0,  1u << 1,  1u << 2,  1u << 3,  1u << 4,  1u << 5,  1u << 6,  1u << 7,
            1u << 8,  1u << 9,  1u << 10, 1u << 11, 1u << 12, 1u << 13, 1u << 14, 1u << 15,
            1u << 16, 1u << 17, 1u << 18, 1u << 19, 1u << 20, 1u << 21, 1u << 22, 1u << 23,
            1u << 24, 1u << 25, 1u << 26, 1u << 27, 1u << 28, 1u << 29, 1u << 30, 1u << 31};
        const float *d = def + 32 * k;
        const uint8_t *p = pend + 32 * k;
        uint32_t bits = 0;
        for (int b = 0; b < 32; b++)
            bits |= (0u - (uint32_t)((d[b] > 0) | (p[b] > 0))) & bit[b];
        special[k] = bits;
    }
    for (; 32 * k < n; k++) { /* a word at a time, in a register */
        uint32_t bits = 0;
        for (size_t b = 0; b < 32 && 32 * k + b < n; b++)
            bits |= (uint32_t)((def[32 * k + b] > 0) | (pend[32 * k + b] > 0)) << b;
        special[k] = bits;
    }
    for (size_t e = 0; e < ne; e++)
        special[who[e] >> 5] |= 1u << (who[e] & 31);
    for (int a = 0; a < r->nacting; a++) {
        const run_measure *rm = &r->measures[r->acting[a]];
        memset(marks[a], 0, sizeof marks[a]);
        rm->m->ops->mark(rm->state, rm->m, &r->env, c0, n, marks[a]);
        for (size_t q = 0; q < CHUNK / 32; q++)
            special[q] |= marks[a][q];
    }
}

/* Plain households j0 .. j1 - 1 of the chunk at c0 into their cells. */
static void plain_sums(const sp_population *pop, const sp_hstate *st, const uint16_t *code, size_t c0,
                       size_t j0, size_t j1, const float (*spend)[SP_NCAT], int avx2,
                       double cell[][NPLAIN], double ccell[][NPLAIN])
{
#ifdef SP_RUN_HAVE_AVX2
    if (avx2) {
        plain_sums_avx2(pop, st, code, c0, j0, j1, spend, cell, ccell);
        return;
    }
#endif
    (void)avx2;
    plain_sums_portable(pop, st, code, c0, j0, j1, spend, cell, ccell);
}

/* Special household j of the chunk at c0 through the general path: its
 * measures, its car event, its sums into its cell. Special households come in
 * household order, and so do the chunk's events (who[e], events[e], e < ne):
 * *e is the first event not yet taken. */
static void special_sums(sp_run *r, size_t c0, size_t j, const float (*spend)[SP_NCAT],
                         const uint8_t (*trips)[SP_NCAT], const uint32_t *who,
                         const sp_cars_outcome *events, size_t ne, size_t *e, gsl_rng *ws,
                         uint32_t (*marks)[CHUNK / 32], double cell[][SP_NMETRIC],
                         double ccell[][SP_NMETRIC])
{
    const sp_population *pop = r->pop;
    sp_hstate *st = &r->state;
    const size_t i = c0 + j;
    const double w = pop->weight[i];
    double s[SP_NCAT];
    for (int c = 0; c < SP_NCAT; c++)
        s[c] = spend[j][c];
    sp_household h; /* its sums are read only where touched: no zeroing */
    h.i = i;
    h.spend = s;
    h.trips = trips[j];
    h.ws = ws;
    memset(h.touched, 0, sizeof h.touched);
    /* the cell after the car market; measures do not change cars */
    const unsigned cd = r->cell_code[i];
    double *acc = cell[CELL_OF(cd, st->ncars[i])];
    double *cacc = ccell[CCELL_OF(cd)];
    household_measures(r, (int)j, marks, &h);
    if (*e < ne && who[*e] == j) {
        const sp_cars_outcome *co = &events[(*e)++];
        if (co->wants_plate)
            sp_cars_enrol(&r->car_policy, pop, st, &r->params, r->key, r->month, i);
        sp_household_add(&h, SP_M_GOV_COST, co->subsidy_trade_in + co->subsidy_open);
        sp_cars_add_sums(co, w, acc);
        sp_cars_add_sums(co, w, cacc);
    }
    const int nc = st->ncars[i];
    double *const rows[2] = {acc, cacc};
    for (int k = 0; k < 2; k++) {
        double *row = rows[k];
        for (int c = 0; c < SP_NCAT; c++)
            row[SP_M_SPEND0 + c] += w * s[c];
        row[SP_M_HOUSEHOLDS] += w;
        row[SP_M_PERSONS] += w * pop->size[i];
        row[SP_M_CARS] += w * nc;
        for (int q = 0; q < SP_HOUSEHOLD_WORDS; q++)
            for (uint64_t t = h.touched[q]; t; t &= t - 1) {
                const int m = 64 * q + __builtin_ctzll(t);
                row[m] += w * h.sum[m];
            }
    }
}

static void chunk_sums(sp_run *r, size_t c0, size_t n, const float (*spend)[SP_NCAT],
                       const uint8_t (*trips)[SP_NCAT], const uint32_t *who,
                       const sp_cars_outcome *events, size_t ne, gsl_rng *ws, int avx2,
                       double cell[][SP_NMETRIC], double ccell[][SP_NMETRIC],
                       double pcell[][NPLAIN], double pccell[][NPLAIN])
{
    const sp_population *pop = r->pop;
    sp_hstate *st = &r->state;
    uint32_t special[CHUNK / 32] = {0};
    uint32_t marks[SP_MAX_MEASURES][CHUNK / 32];
    special_bits(r, c0, n, who, ne, avx2, special, marks);
    const int in_order = r->nacting > 0;
    size_t next = 0, e = 0; /* households before `next` are summed; e: next event */
    for (size_t k = 0; k < CHUNK / 32 && next < n; k++)
        for (uint32_t bits = special[k]; bits; bits &= bits - 1) {
            const size_t j = 32 * k + (size_t)__builtin_ctz(bits);
            if (j >= n)
                break;
            if (next < j)
                plain_sums(pop, st, r->cell_code, c0, next, j, spend, avx2, pcell, pccell);
            next = j + 1;
            if (in_order)
                special_sums(r, c0, j, spend, trips, who, events, ne, &e, ws, marks, cell, ccell);
        }
    if (next < n)
        plain_sums(pop, st, r->cell_code, c0, next, n, spend, avx2, pcell, pccell);
    if (in_order)
        return;
    for (size_t k = 0; k < CHUNK / 32; k++)
        for (uint32_t bits = special[k]; bits; bits &= bits - 1) {
            const size_t j = 32 * k + (size_t)__builtin_ctz(bits);
            if (j >= n)
                break;
            special_sums(r, c0, j, spend, trips, who, events, ne, &e, ws, marks, cell, ccell);
        }
}
#undef CELL_OF
#undef CCELL_OF
#undef FOR_EACH_PLAIN

/* Adds cells [0, ncell) into the group slots (slots[cl * ndims + d]: the
 * slot of cell cl in its d-th dimension) of out (SP_NGROUP x SP_NMETRIC),
 * after setting each cell's total spending to the sum of its categories. The
 * slot additions are element by element, so the AVX2 copy (the compiler
 * vectorises the loop four doubles wide) gives the same sums. */
#define CELLS_TO_SLOTS_BODY                                                                        \
    for (int cl = 0; cl < ncell; cl++) {                                                           \
        if (cell[cl][SP_M_HOUSEHOLDS] == 0)                                                        \
            continue;                                                                              \
        double tot = 0;                                                                            \
        for (int c = 0; c < SP_NCAT; c++)                                                          \
            tot += cell[cl][SP_M_SPEND0 + c];                                                      \
        cell[cl][SP_M_SPENDING] = tot;                                                             \
        const double *restrict src = cell[cl];                                                     \
        for (int d = 0; d < ndims; d++) {                                                          \
            double *restrict g = out + slots[cl * ndims + d] * SP_NMETRIC;                         \
            for (int m = 0; m < SP_NMETRIC; m++)                                                   \
                g[m] += src[m];                                                                    \
        }                                                                                          \
    }

static void cells_to_slots_portable(int ncell, double cell[][SP_NMETRIC], int ndims, const int *slots,
                                    double *out)
{
    CELLS_TO_SLOTS_BODY
}

#ifdef SP_RUN_HAVE_AVX2
__attribute__((target("avx2"))) static void cells_to_slots_avx2(int ncell, double cell[][SP_NMETRIC],
                                                                int ndims, const int *slots,
                                                                double *out)
{
    CELLS_TO_SLOTS_BODY
}
#endif
#undef CELLS_TO_SLOTS_BODY

static void cells_to_slots(int ncell, double cell[][SP_NMETRIC], int ndims, const int *slots,
                           double *out, int avx2)
{
#ifdef SP_RUN_HAVE_AVX2
    if (avx2) {
        cells_to_slots_avx2(ncell, cell, ndims, slots, out);
        return;
    }
#endif
    (void)avx2;
    cells_to_slots_portable(ncell, cell, ndims, slots, out);
}

/* Households of the chunk at c0 that spend a windfall this month read
 * st->pending, a column nothing else streams: ask for their entries now, so
 * the misses overlap with the chunk's draws, spending and car market. */
static void prefetch_pending(const sp_hstate *st, size_t c0, size_t n)
{
    const uint8_t *pend = st->pending_months + c0;
    for (size_t j = 0; j < n; j += 8) {
        uint64_t w8 = 0;
        if (j + 8 <= n)
            memcpy(&w8, pend + j, 8);
        else
            for (size_t b = j; b < n; b++)
                w8 |= (uint64_t)pend[b] << (8 * (b - j));
        w8 |= w8 >> 4; /* bit 8 b: byte b is nonzero */
        w8 |= w8 >> 2;
        w8 |= w8 >> 1;
        for (w8 &= 0x0101010101010101ull; w8; w8 &= w8 - 1)
            __builtin_prefetch(st->pending + c0 + j + (size_t)(__builtin_ctzll(w8) >> 3));
    }
}

/* Simulates households [lo, hi) for the month and writes the block's group
 * sums. Per chunk: the draws of every household (batched Philox), baseline
 * spending (sp_spending_chunk), the car market (sp_cars_chunk, which reports
 * the few households with car events), then per household its measures and
 * its sums into its cell. Total spending is the sum of the categories, taken
 * per cell. */
static void run_block(sp_run *r, size_t lo, size_t hi, const sp_spending_month *mo, gsl_rng *ws,
                      int need_trips, double *out)
{
    const sp_population *pop = r->pop;
    sp_hstate *st = &r->state;
    /* aligned: a row's 32-byte vectors never straddle cache lines */
    _Alignas(64) double cell[NCELL][SP_NMETRIC], ccell[NCCELL][SP_NMETRIC];
    _Alignas(64) double pcell[NCELL][NPLAIN], pccell[NCCELL][NPLAIN];
    memset(cell, 0, sizeof cell);
    memset(ccell, 0, sizeof ccell);
    memset(pcell, 0, sizeof pcell);
    memset(pccell, 0, sizeof pccell);
    uint32_t wsp[CHUNK][4], wcar[CHUNK][4], who[CHUNK];
    float spend[CHUNK][SP_NCAT];
    uint8_t trips[CHUNK][SP_NCAT];
    sp_cars_outcome events[CHUNK];
    memset(trips, 0, sizeof trips);
    const int avx2 = sp_simd_avx2();
    for (size_t c0 = lo; c0 < hi; c0 += CHUNK) {
        const size_t n = hi - c0 < CHUNK ? hi - c0 : CHUNK;
        prefetch_pending(st, c0, n);
        sp_rng_words_batch(r->key, (uint32_t)c0, n, mo->month_word, SP_PURPOSE_SPENDING, 0, wsp);
        sp_rng_words_batch(r->key, (uint32_t)c0, n, (uint32_t)r->month, SP_PURPOSE_CARS, 0, wcar);
        sp_spending_chunk(&r->spending, pop, mo, c0, n, (const uint32_t(*)[4])wsp, spend,
                          need_trips ? trips : NULL);
        sp_cars_chunk_costs(pop, st, &r->params, c0, n, spend); /* part of planned spending */
        size_t ne = sp_cars_chunk(r->cars, &r->car_policy, pop, st, &r->params, r->key, r->month,
                                  c0, n, (const uint32_t(*)[4])wcar, who, events);
        chunk_sums(r, c0, n, (const float(*)[SP_NCAT])spend, (const uint8_t(*)[SP_NCAT])trips, who,
                   events, ne, ws, avx2, cell, ccell, pcell, pccell);
    }
    for (int cl = 0; cl < NCELL; cl++)
        for (int m = 0; m < NPLAIN; m++)
            cell[cl][m] += pcell[cl][m];
    for (int cl = 0; cl < NCCELL; cl++)
        for (int m = 0; m < NPLAIN; m++)
            ccell[cl][m] += pccell[cl][m];
    memset(out, 0, GM * sizeof(double));
    cells_to_slots(NCELL, cell, NCELL_DIMS, &r->cell_slots[0][0], out, avx2);
    cells_to_slots(NCCELL, ccell, NCCELL_DIMS, &r->ccell_slots[0][0], out, avx2);
    /* quintile q = deciles 2q and 2q + 1; all = the quintiles */
    const double *dec = out + sp_dim_first(SP_DIM_INCOME_DECILE) * SP_NMETRIC;
    double *qu = out + sp_dim_first(SP_DIM_QUINTILE) * SP_NMETRIC, *all = out + sp_dim_first(SP_DIM_ALL) * SP_NMETRIC;
    for (int q = 0; q < SP_NQUINTILE; q++)
        for (int m = 0; m < SP_NMETRIC; m++) {
            qu[q * SP_NMETRIC + m] = dec[2 * q * SP_NMETRIC + m] + dec[(2 * q + 1) * SP_NMETRIC + m];
            all[m] += qu[q * SP_NMETRIC + m];
        }
}

/* Global steps of the month, before the household loop: each measure's
 * month_start in the order they act (plate rounds, voucher claims, transfer
 * targets), then the car market's rationing of trade-in programmes. Returns
 * 1 when a measure acts on households this month, 0 if none, or an error. */
static int start_measures(sp_run *r, sp_err *err)
{
    memset(r->plate_stats, 0, sizeof r->plate_stats);
    r->env.month = r->month;
    r->nacting = 0;
    for (int k = 0; k < r->nmeasures; k++) {
        run_measure *rm = &r->measures[k];
        if (!rm->m->ops->month_start)
            continue;
        int rc = rm->m->ops->month_start(rm->state, rm->m, &r->env, err);
        if (rc < 0)
            return rc;
        if (rc > 0 && rm->m->ops->household)
            r->acting[r->nacting++] = k;
    }
    int rc = sp_cars_prepare(r->cars, &r->car_policy, r->pop, &r->state, &r->params, r->key,
                             r->month, err);
    return rc != SP_OK ? rc : r->nacting > 0;
}

int sp_run_step(sp_run *r, double *out, sp_err *err)
{
    int any = start_measures(r, err);
    if (any < 0)
        return any;
    sp_spending_month mo;
    sp_spending_month_prepare_macro(&r->spending, r->macro, r->month, &mo);
    const long nb = (long)r->nblocks;
    int failed = 0;
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->threads) reduction(| : failed)
#endif
    for (long b = 0; b < nb; b++) {
        size_t lo = (size_t)b * SP_BLOCK, hi = lo + SP_BLOCK;
        if (hi > r->pop->n)
            hi = r->pop->n;
        gsl_rng *ws = any ? sp_rng_stream_alloc() : NULL; /* once per block, only when needed */
        if (any && !ws) {
            failed = 1;
            continue;
        }
        run_block(r, lo, hi, &mo, ws, any, r->partial + (size_t)b * GM);
        sp_rng_stream_free(ws);
    }
    if (failed)
        return sp_err_set(err, SP_ENOMEM, "out of memory for random-number workspaces");
    for (int k = 0; k < r->nmeasures; k++)
        if (r->measures[k].m->ops->month_end)
            r->measures[k].m->ops->month_end(r->measures[k].state, r->measures[k].m, &r->env);
    memset(out, 0, GM * sizeof(double));
    for (size_t b = 0; b < r->nblocks; b++) /* block order: independent of threads */
        for (int k = 0; k < GM; k++)
            out[k] += r->partial[b * GM + k];
    r->month++;
    return SP_OK;
}

size_t sp_run_bytes_per_household(void) { return sizeof(*((sp_run *)0)->cell_code); }

void sp_run_free(sp_run *r)
{
    if (!r)
        return;
    sp_hstate_release(&r->state);
    free(r->partial);
    free(r->cell_code);
    for (int k = 0; k < r->nmeasures; k++)
        if (r->measures[k].m->ops->run_free)
            r->measures[k].m->ops->run_free(r->measures[k].state);
    sp_cars_state_free(r->cars);
    free(r);
}
