/* run.c: the monthly engine. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#ifdef SPENDSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include "calendar.h"
#include "cars.h"
#include "plates.h"
#include "simd.h"
#include "spending.h"
#include "vouchers.h"

/* Households are summed into cells of (quintile, area, car owner, liquidity)
 * first, and cells into group slots once per block: 12 additions per
 * household instead of 5 x 12. */
#define NCELL (SP_NQUINTILE * SP_NAREA * SP_NCARDIM * SP_NLIQ)
#define GM (SP_NGROUP * SP_NMETRIC)

struct sp_run {
    const sp_population *pop;
    const sp_package *pkg;
    sp_params params;
    sp_spending_model spending;
    sp_rng_key key;
    int month;    /* calendar month of the next step */
    int threads;
    sp_hstate state;
    size_t nblocks;
    double *partial; /* nblocks x GM */
    int cell_slots[NCELL][SP_NDIM]; /* group slot of each cell in each dimension */
    uint8_t *held[SP_MAX_MEASURES];  /* voucher packages held this month, per measure (NULL: none) */
    int active[SP_MAX_MEASURES];     /* 1 when the measure acts this month */
    int any_active;                  /* 1 when any measure acts on households this month */
    double repay_rate;               /* share of deferred spending repaid each month */
    int mpc_months;                  /* months over which windfalls are spent */
    uint8_t *mask[SP_MAX_MEASURES];  /* cash transfers: 1 for the households paid this month */
    /* cars and plates */
    sp_cars_state *cars;
    sp_cars_measures car_measures;
    sp_plate_regime_def plates;      /* the package's regime with its extra quotas */
    sp_plates_state *plate_state;    /* NULL without a regime */
    double plate_stats[SP_NPLATESTAT]; /* this month's allocation */
};

static void cell_slot_table(int out[NCELL][SP_NDIM])
{
    for (int q = 0; q < SP_NQUINTILE; q++)
        for (int a = 0; a < SP_NAREA; a++)
            for (int c = 0; c < SP_NCARDIM; c++)
                for (int l = 0; l < SP_NLIQ; l++) {
                    int cell = ((q * SP_NAREA + a) * SP_NCARDIM + c) * SP_NLIQ + l;
                    out[cell][SP_DIM_ALL] = 0;
                    out[cell][SP_DIM_QUINTILE] = sp_dim_first(SP_DIM_QUINTILE) + q;
                    out[cell][SP_DIM_AREA] = sp_dim_first(SP_DIM_AREA) + a;
                    out[cell][SP_DIM_CAR] = sp_dim_first(SP_DIM_CAR) + c;
                    out[cell][SP_DIM_LIQUIDITY] = sp_dim_first(SP_DIM_LIQUIDITY) + l;
                }
}

/* The package's car measures, plate regime (with its extra quotas) and the
 * per-run car and plate states. */
static int setup_cars_and_plates(sp_run *r, int start_month, sp_err *err)
{
    const sp_package *pkg = r->pkg;
    memset(&r->car_measures, 0, sizeof r->car_measures);
    const sp_plate_regime_def *regime = sp_package_plates(pkg);
    if (regime)
        r->plates = *regime;
    for (int k = 0; k < pkg->nmeasures; k++) {
        const sp_measure *m = &pkg->measures[k];
        sp_cars_measures *cm = &r->car_measures;
        if (m->kind == SP_MEASURE_SCRAPPAGE) {
            cm->scrappage[cm->nscrappage] = &m->def.scrappage;
            cm->scrappage_filter[cm->nscrappage] = m->filter;
            cm->scrappage_id[cm->nscrappage] = m->id;
            cm->nscrappage++;
        } else if (m->kind == SP_MEASURE_PURCHASE_SUBSIDY) {
            cm->purchase[cm->npurchase++] = &m->def.purchase;
        } else if (m->kind == SP_MEASURE_PLATE_EXTRA && regime) {
            if (r->plates.nextra >= SP_PLATE_MAX_EXTRA)
                return sp_err_set(err, SP_EINVAL, "package \"%s\": more than %d extra quotas",
                                  pkg->name, SP_PLATE_MAX_EXTRA);
            r->plates.extra[r->plates.nextra++] = m->def.extra;
        } else if (m->kind == SP_MEASURE_CASH_TRANSFER) {
            r->mask[k] = calloc(r->pop->n ? r->pop->n : 1, 1);
            if (!r->mask[k])
                return sp_err_set(err, SP_ENOMEM, "out of memory for a cash transfer");
        }
    }
    if (regime) {
        r->car_measures.plates = &r->plates;
        r->plate_state = sp_plates_state_alloc(&r->plates, r->pop, &r->state, start_month, err);
        if (!r->plate_state)
            return err ? err->code : SP_ENOMEM;
    }
    r->cars = sp_cars_state_alloc(r->pop, &r->state, &r->params, r->key, start_month, 1, err);
    return r->cars ? SP_OK : (err ? err->code : SP_ENOMEM);
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
        sp_hstate_init(&r->state, pop->n, err) != SP_OK) {
        sp_run_free(r);
        return NULL;
    }
    sp_hstate_copy(&r->state, &pop->state);
    /* Car ages describe the population's base month; move them to the start. */
    int shift = start_month - pop->base_month;
    for (size_t i = 0; i < pop->n; i++)
        for (int k = 0; k < r->state.ncars[i]; k++) {
            int age = r->state.car_age[k][i] + shift;
            r->state.car_age[k][i] = (uint16_t)(age < 0 ? 0 : (age > 65535 ? 65535 : age));
        }
    for (size_t i = 0; i < pop->n; i++)
        if (r->state.plate_state[i] != SP_PLATE_NONE) {
            int pm = r->state.plate_months[i] + shift;
            r->state.plate_months[i] = (uint16_t)(pm < 0 ? 0 : (pm > 65535 ? 65535 : pm));
        }
    if (setup_cars_and_plates(r, start_month, err) != SP_OK) {
        sp_run_free(r);
        return NULL;
    }
    r->nblocks = (pop->n + SP_BLOCK - 1) / SP_BLOCK;
    r->partial = malloc((r->nblocks ? r->nblocks : 1) * GM * sizeof(double));
    if (!r->partial) {
        sp_run_free(r);
        sp_err_set(err, SP_ENOMEM, "out of memory for %zu blocks", r->nblocks);
        return NULL;
    }
    cell_slot_table(r->cell_slots);
    r->repay_rate = 1.0 / params->substitution_months;
    r->mpc_months = (int)lround(params->mpc_months);
    for (int k = 0; k < pkg->nmeasures; k++)
        if (pkg->measures[k].kind == SP_MEASURE_VOUCHER) {
            r->held[k] = calloc(pop->n ? pop->n : 1, 1);
            if (!r->held[k]) {
                sp_run_free(r);
                sp_err_set(err, SP_ENOMEM, "out of memory for voucher holdings");
                return NULL;
            }
        }
    return r;
}

int sp_run_month(const sp_run *r) { return r->month; }

const double *sp_run_plate_stats(const sp_run *r) { return r->plate_stats; }

/* A car-less household (or a one-car household's member) that wants a car
 * applies for a plate: the NEV queue with probability nev_queue_choice, else
 * the ordinary lottery with every licensed member without a car of their own.
 * The draw is the household's own (purpose PLATES, draw 9). */
static void enrol(sp_run *r, size_t i)
{
    sp_hstate *st = &r->state;
    uint32_t w[4];
    sp_rng_words(r->key, (uint32_t)i, (uint32_t)r->month, SP_PURPOSE_PLATES, 9, w);
    int nev = sp_u01(w[0]) < r->params.nev_queue_choice;
    int free_drivers = (int)r->pop->drivers[i] - (int)st->ncars[i];
    int applicants = nev ? 1 : (free_drivers > 1 ? free_drivers : 1);
    int pool = nev ? SP_PLATE_NEV_QUEUE : SP_PLATE_LOTTERY;
    if (r->plate_state) {
        sp_plates_enter(r->plate_state, st, i, pool, applicants, NULL);
    } else { /* no regime: the household waits in a pool that is never drawn */
        st->plate_state[i] = (uint8_t)pool;
        st->applicants[i] = (uint8_t)applicants;
        st->plate_months[i] = 0;
    }
}

/* Household i's measures of the month, applied to its spending s (yuan by
 * category): deferred repayment, vouchers, cash transfers, windfall
 * spending. Adds to *gov the government's cost and writes voucher sums into
 * the household's cell acc. */
static void household_measures(sp_run *r, size_t i, double s[SP_NCAT], const uint8_t *trips8,
                               gsl_rng *ws, double w, double *acc, double *gov)
{
    const sp_population *pop = r->pop;
    const sp_package *pkg = r->pkg;
    sp_hstate *st = &r->state;
    const unsigned all = (1u << SP_NCAT) - 1u;
    double merchant = 0, v_claimed = 0, v_redeemed = 0, v_expired = 0, v_value = 0, transfers = 0;
    /* Spending pulled forward earlier is taken back. */
    if (st->deferred[i] > 0) {
        double rep = st->deferred[i] * r->repay_rate;
        st->deferred[i] = (float)(st->deferred[i] - rep);
        sp_population_split(pop, i, st->deferred_mask[i], -rep, s);
    }
    for (int k = 0; k < pkg->nmeasures && r->any_active; k++) {
        if (!r->active[k] || !r->held[k] || !r->held[k][i])
            continue;
        const sp_measure *m = &pkg->measures[k];
        const sp_voucher_def *v = &m->def.voucher;
        unsigned trips[SP_NCAT];
        for (int c = 0; c < SP_NCAT; c++)
            trips[c] = trips8[c];
        sp_voucher_outcome o;
        sp_voucher_redeem(v, &r->params, pop, (uint32_t)i, r->held[k][i], s, trips, r->key, m->id,
                          ws, &o);
        for (int c = 0; c < SP_NCAT; c++)
            s[c] += o.extra[c];
        if (o.windfall > 0) {
            st->pending[i] = (float)(st->pending[i] + o.windfall);
            st->pending_months[i] = (uint8_t)r->mpc_months;
        }
        if (o.induced > 0) {
            st->deferred[i] = (float)(st->deferred[i] + o.induced * r->params.substitution_share);
            st->deferred_mask[i] |= (uint8_t)v->categories;
        }
        v_claimed += o.claimed;
        v_redeemed += o.redeemed;
        v_expired += o.expired;
        v_value += o.transaction_value;
        *gov += o.face_redeemed * v->gov_share;
        merchant += o.face_redeemed * v->merchant_share;
    }
    for (int k = 0; k < pkg->nmeasures && r->any_active; k++)
        if (r->active[k] && r->mask[k] && r->mask[k][i]) {
            double paid = sp_cash_transfer_apply(&pkg->measures[k].def.transfer, &r->params, pop, st, i);
            transfers += paid;
            *gov += paid;
        }
    /* Windfalls (including this month's) are spent evenly over mpc_months. */
    if (st->pending_months[i] > 0) {
        double spend = st->pending[i] / st->pending_months[i];
        st->pending[i] = (float)(st->pending[i] - spend);
        if (--st->pending_months[i] == 0)
            st->pending[i] = 0;
        sp_population_split(pop, i, all, spend, s);
    }
    if (v_claimed > 0) {
        acc[SP_M_VOUCHERS_CLAIMED] += w * v_claimed;
        acc[SP_M_VOUCHERS_REDEEMED] += w * v_redeemed;
        acc[SP_M_VOUCHERS_EXPIRED] += w * v_expired;
        acc[SP_M_COUPON_VALUE] += w * v_value;
        acc[SP_M_MERCHANT_COST] += w * merchant;
    }
    if (transfers > 0)
        acc[SP_M_TRANSFERS] += w * transfers;
}

/* Car-market sums of a household that did something this month. */
static void car_sums(const sp_cars_outcome *co, double w, double *acc)
{
    if (co->purchases || co->scrapped) {
        acc[SP_M_CAR_PURCHASES] += w * co->purchases;
        acc[SP_M_CAR_VALUE] += w * co->value;
        acc[SP_M_NEV_PURCHASES] += w * (co->purchases && co->nev);
        acc[SP_M_REPLACEMENTS] += w * (co->purchases && co->replacement);
        acc[SP_M_FIRST_CARS] += w * (co->purchases && co->first);
        acc[SP_M_CARS_SCRAPPED] += w * co->scrapped;
        acc[SP_M_SCRAPPAGE_SUBSIDY] += w * co->subsidy_scrappage;
        acc[SP_M_SUBSIDISED_CARS] += w * (co->purchases && co->scrappage_measure >= 0);
        acc[SP_M_PURCHASE_SUBSIDY] += w * co->subsidy_purchase;
    }
}

/* Households of a block are drawn and simulated in chunks small enough for
 * their draws, spending and car events to stay in the first-level cache. */
#define CHUNK 256

/* The sums of a chunk's households go into their cells (one row per
 * quintile, area, car owner and liquidity type) in two passes: first the
 * plain households (no measure, no deferred or windfall spending, no car
 * event this month) in a tight loop, then the others in order through the
 * general path. Every path adds the same products in the same order. */
#define CELL_OF(i, nc)                                                                             \
    (((pop->quintile[i] * SP_NAREA + pop->area[i]) * SP_NCARDIM + ((nc) > 0 ? 0 : 1)) * SP_NLIQ +   \
     pop->liquidity[i])
#define IS_SPECIAL(special, j) (((special)[(j) >> 5] >> ((j)&31)) & 1u)
/* The loop over a chunk's plain households, with j, nc (cars), acc (the
 * household's cell row) and w (its weight) for the body. Column pointers are
 * locals: vector stores may alias anything, and the compiler would otherwise
 * reload every column pointer after each. */
#define FOR_EACH_PLAIN(BODY)                                                                       \
    const uint8_t *const nc_col = st->ncars + c0, *const q_col = pop->quintile + c0,               \
                         *const a_col = pop->area + c0, *const l_col = pop->liquidity + c0,        \
                         *const size_col = pop->size + c0;                                         \
    const float *const w_col = pop->weight + c0;                                                   \
    for (size_t j = 0; j < n; j++) {                                                               \
        if (IS_SPECIAL(special, j))                                                                \
            continue;                                                                              \
        const int nc = nc_col[j];                                                                  \
        double *acc = PLAIN_CELL(j, nc);                                                           \
        const double w = w_col[j];                                                                 \
        BODY                                                                                       \
    }
#define PLAIN_CELL(j, nc)                                                                          \
    cell[((q_col[j] * SP_NAREA + a_col[j]) * SP_NCARDIM + ((nc) > 0 ? 0 : 1)) * SP_NLIQ + l_col[j]]

static void plain_sums_portable(const sp_population *pop, const sp_hstate *st, size_t c0, size_t n,
                                const uint32_t *special, const float (*spend)[SP_NCAT],
                                double cell[][SP_NMETRIC])
{
    FOR_EACH_PLAIN(
        for (int c = 0; c < SP_NCAT; c++)
            acc[SP_M_SPEND0 + c] += w * (double)spend[j][c];
        acc[SP_M_HOUSEHOLDS] += w;
        acc[SP_M_PERSONS] += w * size_col[j];
        acc[SP_M_CARS] += w * nc;)
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SP_RUN_HAVE_AVX2 1

/* plain_sums_portable with four doubles at a time: the same products and
 * sums. Households, persons and cars follow total spending in the row, which
 * is filled in per cell later (0 is added to it here, which leaves it alone). */
__attribute__((target("avx2"))) static void plain_sums_avx2(const sp_population *pop,
                                                            const sp_hstate *st, size_t c0, size_t n,
                                                            const uint32_t *special,
                                                            const float (*spend)[SP_NCAT],
                                                            double cell[][SP_NMETRIC])
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
        _mm256_storeu_pd(acc + SP_M_SPENDING, _mm256_add_pd(_mm256_loadu_pd(acc + SP_M_SPENDING), rest));)
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
            __m256 pm = _mm256_castsi256_ps(_mm256_cmpgt_epi32(p, _mm256_setzero_si256()));
            bits |= (uint32_t)_mm256_movemask_ps(_mm256_or_ps(d, pm)) << (8 * q);
        }
        special[k] = bits;
    }
    return k;
}
#endif

static void chunk_sums(sp_run *r, size_t c0, size_t n, const float (*spend)[SP_NCAT],
                       const uint8_t (*trips)[SP_NCAT], const uint32_t *who,
                       const sp_cars_outcome *events, size_t ne, gsl_rng *ws, int avx2,
                       double cell[][SP_NMETRIC])
{
    const sp_population *pop = r->pop;
    sp_hstate *st = &r->state;
    uint32_t special[CHUNK / 32] = {0};
    if (r->any_active) {
        memset(special, 0xff, sizeof special);
    } else {
        const float *def = st->deferred + c0;
        const uint8_t *pend = st->pending_months + c0;
        size_t k = 0;
#ifdef SP_RUN_HAVE_AVX2
        if (avx2)
            k = carryover_bits_avx2(def, pend, n, special);
#endif
        for (; 32 * k < n; k++) { /* a word at a time, in a register */
            uint32_t bits = 0;
            for (size_t b = 0; b < 32 && 32 * k + b < n; b++)
                bits |= (uint32_t)((def[32 * k + b] > 0) | (pend[32 * k + b] > 0)) << b;
            special[k] = bits;
        }
        for (size_t e = 0; e < ne; e++)
            special[who[e] >> 5] |= 1u << (who[e] & 31);
    }
#ifdef SP_RUN_HAVE_AVX2
    if (avx2)
        plain_sums_avx2(pop, st, c0, n, special, spend, cell);
    else
#endif
        plain_sums_portable(pop, st, c0, n, special, spend, cell);
    (void)avx2;
    size_t e = 0;
    for (size_t k = 0; k < CHUNK / 32; k++)
        for (uint32_t bits = special[k]; bits; bits &= bits - 1) {
            const size_t j = 32 * k + (size_t)__builtin_ctz(bits);
            if (j >= n)
                break;
            const size_t i = c0 + j;
            const double w = pop->weight[i];
            double s[SP_NCAT], gov = 0;
            for (int c = 0; c < SP_NCAT; c++)
                s[c] = spend[j][c];
            /* the cell after the car market; measures do not change cars */
            double *acc = cell[CELL_OF(i, st->ncars[i])];
            household_measures(r, i, s, trips[j], ws, w, acc, &gov);
            if (e < ne && who[e] == j) {
                const sp_cars_outcome *co = &events[e++];
                if (co->wants_plate)
                    enrol(r, i);
                gov += co->subsidy_scrappage + co->subsidy_purchase;
                car_sums(co, w, acc);
            }
            const int nc = st->ncars[i];
            for (int c = 0; c < SP_NCAT; c++)
                acc[SP_M_SPEND0 + c] += w * s[c];
            acc[SP_M_HOUSEHOLDS] += w;
            acc[SP_M_PERSONS] += w * pop->size[i];
            acc[SP_M_CARS] += w * nc;
            if (gov > 0)
                acc[SP_M_GOV_COST] += w * gov;
        }
}
#undef CELL_OF
#undef IS_SPECIAL
#undef FOR_EACH_PLAIN
#undef PLAIN_CELL

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
    double cell[NCELL][SP_NMETRIC];
    memset(cell, 0, sizeof cell);
    uint32_t wsp[CHUNK][4], wcar[CHUNK][4], who[CHUNK];
    float spend[CHUNK][SP_NCAT];
    uint8_t trips[CHUNK][SP_NCAT];
    sp_cars_outcome events[CHUNK];
    memset(trips, 0, sizeof trips);
    const int avx2 = sp_simd_avx2();
    for (size_t c0 = lo; c0 < hi; c0 += CHUNK) {
        const size_t n = hi - c0 < CHUNK ? hi - c0 : CHUNK;
        sp_rng_words_batch(r->key, (uint32_t)c0, n, mo->month_word, SP_PURPOSE_SPENDING, 0, wsp);
        sp_rng_words_batch(r->key, (uint32_t)c0, n, (uint32_t)r->month, SP_PURPOSE_CARS, 0, wcar);
        sp_spending_chunk(&r->spending, pop, mo, c0, n, (const uint32_t(*)[4])wsp, spend,
                          need_trips ? trips : NULL);
        size_t ne = sp_cars_chunk(r->cars, &r->car_measures, pop, st, &r->params, r->key, r->month,
                                  c0, n, (const uint32_t(*)[4])wcar, who, events);
        chunk_sums(r, c0, n, (const float(*)[SP_NCAT])spend, (const uint8_t(*)[SP_NCAT])trips, who,
                   events, ne, ws, avx2, cell);
    }
    memset(out, 0, GM * sizeof(double));
    for (int cl = 0; cl < NCELL; cl++) {
        if (cell[cl][SP_M_HOUSEHOLDS] == 0)
            continue;
        double tot = 0;
        for (int c = 0; c < SP_NCAT; c++)
            tot += cell[cl][SP_M_SPEND0 + c];
        cell[cl][SP_M_SPENDING] = tot;
        for (int d = 0; d < SP_NDIM; d++) {
            double *g = out + r->cell_slots[cl][d] * SP_NMETRIC;
            for (int m = 0; m < SP_NMETRIC; m++)
                g[m] += cell[cl][m];
        }
    }
}

/* The month's plate allocation: a round of the regime, then the plate type of
 * every new winner passed to the car market. */
static int plate_round(sp_run *r, sp_err *err)
{
    memset(r->plate_stats, 0, sizeof r->plate_stats);
    if (!r->plate_state)
        return SP_OK;
    sp_plate_round_stats ps;
    int rc = sp_plates_round(&r->plates, r->pop, &r->state, r->plate_state, r->month, r->key, &ps, err);
    if (rc != SP_OK)
        return rc;
    double *o = r->plate_stats;
    for (int k = 0; k < SP_PLATE_NPOOLS; k++) {
        o[SP_PS_ROUND] = o[SP_PS_ROUND] || ps.held[k];
        o[SP_PS_APPLICANTS_ORDINARY + k] = ps.applicants[k];
        o[SP_PS_QUOTA_ORDINARY + k] = ps.quota[k];
        o[SP_PS_WINNERS_ORDINARY + k] = ps.winners[k];
    }
    o[SP_PS_BASE_ODDS] = ps.base_odds;
    o[SP_PS_BASE_ODDS_1_IN] = ps.base_odds_1_in;
    o[SP_PS_RAW_RATIO] = ps.raw_ratio;
    o[SP_PS_NEV_QUEUE] = ps.nev_queue;
    o[SP_PS_NEV_WAIT_YEARS] = ps.nev_wait_years;
    if (o[SP_PS_ROUND])
        for (size_t i = 0; i < r->pop->n; i++)
            if (r->state.plate_state[i] == SP_PLATE_WON && r->state.plate_months[i] == 0)
                sp_cars_set_plate_nev(r->cars, i, sp_plates_won_nev(r->plate_state, i));
    return SP_OK;
}

/* Global steps of the month, before the household loop: the plate round,
 * voucher claims, cash-transfer targets, and the car market's scrappage
 * budgets. Returns 1 when a voucher acts this month, 0 if none, or an error. */
static int start_measures(sp_run *r, sp_err *err)
{
    int any = 0;
    int rc = plate_round(r, err);
    if (rc != SP_OK)
        return rc;
    for (int k = 0; k < r->pkg->nmeasures; k++) {
        const sp_measure *m = &r->pkg->measures[k];
        r->active[k] = 0;
        if (m->kind == SP_MEASURE_CASH_TRANSFER && m->def.transfer.start_month == r->month) {
            if (m->filter) {
                rc = sp_filter_eval(m->filter, r->pop, &r->state, 0, r->pop->n, r->mask[k], err);
                if (rc != SP_OK)
                    return rc;
            } else {
                memset(r->mask[k], 1, r->pop->n);
            }
            r->active[k] = 1;
        }
        if (m->kind == SP_MEASURE_VOUCHER && m->def.voucher.start_month == r->month) {
            const sp_voucher_def *v = &m->def.voucher;
            uint32_t claim_id = v->group[0] ? sp_measure_id(v->group) : m->id;
            rc = sp_voucher_claim(v, m->filter, r->pop, &r->state, &r->params, r->key, claim_id,
                                  r->held[k], err);
            if (rc != SP_OK)
                return rc;
            r->active[k] = 1;
            any = 1;
        }
    }
    r->any_active = 0;
    for (int k = 0; k < r->pkg->nmeasures; k++)
        r->any_active |= r->active[k];
    rc = sp_cars_prepare(r->cars, &r->car_measures, r->pop, &r->state, &r->params, r->key, r->month,
                         err);
    return rc != SP_OK ? rc : any;
}

int sp_run_step(sp_run *r, double *out, sp_err *err)
{
    int any = start_measures(r, err);
    if (any < 0)
        return any;
    sp_spending_month mo;
    sp_spending_month_prepare(&r->spending, r->month, &mo);
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
    if (r->plate_state)
        sp_plates_age(&r->state);
    memset(out, 0, GM * sizeof(double));
    for (size_t b = 0; b < r->nblocks; b++) /* block order: independent of threads */
        for (int k = 0; k < GM; k++)
            out[k] += r->partial[b * GM + k];
    r->month++;
    return SP_OK;
}

void sp_run_free(sp_run *r)
{
    if (!r)
        return;
    sp_hstate_release(&r->state);
    free(r->partial);
    for (int k = 0; k < SP_MAX_MEASURES; k++) {
        free(r->held[k]);
        free(r->mask[k]);
    }
    sp_cars_state_free(r->cars);
    sp_plates_state_free(r->plate_state);
    free(r);
}
