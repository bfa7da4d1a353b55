/* population.c: column store allocation and Engel-curve shares. */
#define _DEFAULT_SOURCE /* madvise (sp_mem_prefault) */
#include "population.h"
#include "simd.h"
#include "spop.h"
#include "vmath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef SPENDSIM_HAVE_OPENMP
#include <omp.h>
#endif
#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#if !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 (include/uapi/asm-generic/mman-common.h) */
#endif
#endif

#define ENGEL_FLOOR 0.002
#define ENGEL_ITERATIONS 50   /* at most, fixed-point steps on the intercepts */
#define ENGEL_TOLERANCE 1e-7  /* largest change of a share that ends them */

int sp_hstate_init(sp_hstate *s, size_t n, sp_err *err)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    size_t m = n ? n : 1;
    s->ncars = calloc(m, 1);
    s->plate_state = calloc(m, 1);
    s->applicants = calloc(m, 1);
    s->plate_months = calloc(m, sizeof(uint16_t));
    s->deferred = calloc(m, sizeof(float));
    s->deferred_mask = calloc(m, 1);
    s->pending = calloc(m, sizeof(float));
    s->pending_months = calloc(m, 1);
    s->car_cost = calloc(m, sizeof(int16_t));
    s->car_pay = calloc(m, sizeof(uint16_t));
    s->car_pay_months = calloc(m, 1);
    int ok = s->ncars && s->plate_state && s->applicants && s->plate_months && s->deferred &&
             s->deferred_mask && s->pending && s->pending_months && s->car_cost && s->car_pay &&
             s->car_pay_months;
    for (int k = 0; k < SP_MAX_CARS; k++) {
        s->car_age[k] = calloc(m, sizeof(uint16_t));
        s->car_kind[k] = calloc(m, 1);
        ok = ok && s->car_age[k] && s->car_kind[k];
    }
    if (!ok) {
        sp_hstate_release(s);
        return sp_err_set(err, SP_ENOMEM, "out of memory for the state of %zu households", n);
    }
    return SP_OK;
}

void sp_hstate_release(sp_hstate *s)
{
    if (!s)
        return;
    free(s->ncars);
    free(s->plate_state);
    free(s->applicants);
    free(s->plate_months);
    free(s->deferred);
    free(s->deferred_mask);
    free(s->pending);
    free(s->pending_months);
    free(s->car_cost);
    free(s->car_pay);
    free(s->car_pay_months);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        free(s->car_age[k]);
        free(s->car_kind[k]);
    }
    memset(s, 0, sizeof *s);
}

void sp_hstate_copy(sp_hstate *dst, const sp_hstate *src)
{
    size_t n = src->n < dst->n ? src->n : dst->n;
    memcpy(dst->ncars, src->ncars, n);
    memcpy(dst->plate_state, src->plate_state, n);
    memcpy(dst->applicants, src->applicants, n);
    memcpy(dst->plate_months, src->plate_months, n * sizeof(uint16_t));
    memcpy(dst->deferred, src->deferred, n * sizeof(float));
    memcpy(dst->deferred_mask, src->deferred_mask, n);
    memcpy(dst->pending, src->pending, n * sizeof(float));
    memcpy(dst->pending_months, src->pending_months, n);
    memcpy(dst->car_cost, src->car_cost, n * sizeof(int16_t));
    memcpy(dst->car_pay, src->car_pay, n * sizeof(uint16_t));
    memcpy(dst->car_pay_months, src->car_pay_months, n);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        memcpy(dst->car_age[k], src->car_age[k], n * sizeof(uint16_t));
        memcpy(dst->car_kind[k], src->car_kind[k], n);
    }
}

/* 1 when the `bytes` bytes at p are all zero: blocks of 4096 bytes ORed
 * together (a loop compilers vectorise), stopping at the first nonzero one. */
static int all_zero(const void *p, size_t bytes)
{
    const unsigned char *b = p;
    for (size_t lo = 0; lo < bytes; lo += 4096) {
        const size_t hi = bytes - lo < 4096 ? bytes : lo + 4096;
        unsigned char acc = 0;
        for (size_t i = lo; i < hi; i++)
            acc |= b[i];
        if (acc)
            return 0;
    }
    return 1;
}

int sp_hstate_clone(sp_hstate *dst, const sp_hstate *src, sp_err *err)
{
    int rc = sp_hstate_init(dst, src->n, err);
    if (rc != SP_OK)
        return rc;
    const size_t n = src->n;
    /* dst's columns come zeroed from calloc, whose large blocks are fresh
     * pages that take no memory until written: a column that is all zero in
     * src is left as it is. */
#define CLONE(col, bytes)                                                                          \
    if (!all_zero(src->col, (bytes)))                                                              \
        memcpy(dst->col, src->col, (bytes));
    CLONE(ncars, n)
    CLONE(plate_state, n)
    CLONE(applicants, n)
    CLONE(plate_months, n * sizeof(uint16_t))
    CLONE(deferred, n * sizeof(float))
    CLONE(deferred_mask, n)
    CLONE(pending, n * sizeof(float))
    CLONE(pending_months, n)
    CLONE(car_cost, n * sizeof(int16_t))
    CLONE(car_pay, n * sizeof(uint16_t))
    CLONE(car_pay_months, n)
    for (int k = 0; k < SP_MAX_CARS; k++) {
        CLONE(car_age[k], n * sizeof(uint16_t))
        CLONE(car_kind[k], n)
    }
#undef CLONE
    return SP_OK;
}

size_t sp_population_bytes_per_household(void)
{
    const sp_population *p = NULL; /* for sizeof only: never read */
    const sp_hstate *s = NULL;
    size_t statics = sizeof *p->weight + sizeof *p->income + sizeof *p->consumption + sizeof *p->size +
                     sizeof *p->area + sizeof *p->liquidity + sizeof *p->quintile + sizeof *p->ranks +
                     sizeof *p->drivers +
                     sizeof *p->eligible + sizeof *p->generations + SP_NCAT * sizeof *p->shares;
    size_t dynamic = sizeof *s->ncars + sizeof *s->plate_state + sizeof *s->applicants +
                     sizeof *s->plate_months + sizeof *s->deferred + sizeof *s->deferred_mask +
                     sizeof *s->pending + sizeof *s->pending_months +
                     sizeof *s->car_cost + sizeof *s->car_pay + sizeof *s->car_pay_months +
                     SP_MAX_CARS * (sizeof *s->car_age[0] + sizeof *s->car_kind[0]);
    return statics + dynamic;
}

void sp_mem_prefault(void *p, size_t bytes)
{
#ifdef __linux__
    long ps = sysconf(_SC_PAGESIZE); /* the pages wholly inside [p, p + bytes) */
    const uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + bytes) & ~(page - 1);
    if (p && e > a)
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE); /* refused: pages fault as written */
#else
    (void)p;
    (void)bytes;
#endif
}

sp_population *sp_population_alloc(size_t n, sp_err *err)
{
    sp_population *p = calloc(1, sizeof *p);
    if (!p) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a population");
        return NULL;
    }
    p->n = n;
    for (int q = 0; q < SP_NQUINTILE; q++)
        p->mpc_quintile[q] = 1.0f;
    size_t m = n ? n : 1;
    p->weight = calloc(m, sizeof(float));
    p->income = calloc(m, sizeof(float));
    p->consumption = calloc(m, sizeof(float));
    p->size = calloc(m, 1);
    p->area = calloc(m, 1);
    p->liquidity = calloc(m, 1);
    p->quintile = calloc(m, 1);
    p->ranks = calloc(m, 1);
    p->drivers = calloc(m, 1);
    p->eligible = calloc(m, 1);
    p->generations = calloc(m, 1);
    p->shares = calloc(m * SP_NCAT, sizeof(uint16_t));
    if (!(p->weight && p->income && p->consumption && p->size && p->area && p->liquidity &&
          p->quintile && p->ranks && p->drivers && p->eligible && p->generations && p->shares) ||
        sp_hstate_init(&p->state, n, err) != SP_OK) {
        sp_population_free(p);
        sp_err_set(err, SP_ENOMEM, "out of memory for a population of %zu households", n);
        return NULL;
    }
    return p;
}

void sp_population_free(sp_population *p)
{
    if (!p)
        return;
    if (p->map) { /* the static columns are the mapped file's pages (spop.h) */
        sp_spop_unmap(p->map, p->map_bytes);
        sp_hstate_release(&p->state);
        free(p);
        return;
    }
    free(p->id);
    free(p->weight);
    free(p->income);
    free(p->consumption);
    free(p->size);
    free(p->area);
    free(p->liquidity);
    free(p->quintile);
    free(p->ranks);
    free(p->drivers);
    free(p->eligible);
    free(p->generations);
    free(p->shares);
    sp_hstate_release(&p->state);
    free(p);
}

/* Engel shares at x = ln(per-capita income) - engel_lnref. */
static inline void shares_at(const sp_population *pop, double x, double out[SP_NCAT])
{
    double sum = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        double s = pop->engel_a[c] + pop->engel_b[c] * x;
        if (s < ENGEL_FLOOR)
            s = ENGEL_FLOOR;
        out[c] = s;
        sum += s;
    }
    for (int c = 0; c < SP_NCAT; c++)
        out[c] /= sum;
}

void sp_population_shares(const sp_population *pop, double ypc, double out[SP_NCAT])
{
    shares_at(pop, sp_vm_log1(ypc > 1.0 ? ypc : 1.0) - pop->engel_lnref, out);
}

/* lround(x) without the library call: for 0 <= x < 2^52, x - trunc(x) is
 * exact, so the rounding (half away from zero) is the same. */
static inline long round_half_away(double x)
{
    if (!(x >= 0 && x < 4503599627370496.0))
        return lround(x);
    long t = (long)x;
    return t + (x - (double)t >= 0.5);
}

void sp_population_set_shares(sp_population *pop, size_t i, const double sh[SP_NCAT])
{
    uint16_t *q = pop->shares + i * SP_NCAT;
    long sum = 0;
    int big = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        long v = round_half_away(sh[c] * SP_SHARE_ONE);
        q[c] = (uint16_t)(v > 65535 ? 65535 : (v < 0 ? 0 : v));
        sum += q[c];
        if (sh[c] > sh[big])
            big = c;
    }
    long fixed = (long)q[big] + (SP_SHARE_ONE - sum); /* the remainder on the largest share */
    q[big] = (uint16_t)(fixed < 0 ? 0 : (fixed > 65535 ? 65535 : fixed));
}

void sp_population_store_shares(sp_population *pop, size_t i)
{
    double sh[SP_NCAT];
    sp_population_shares(pop, (double)pop->income[i] / pop->size[i], sh);
    sp_population_set_shares(pop, i, sh);
}

typedef struct {
    double ypc, persons;
} pc_item;

static int by_pc(const void *a, const void *b)
{
    const pc_item *x = a, *y = b;
    return (x->ypc > y->ypc) - (x->ypc < y->ypc);
}

/* Mean per-capita income of the persons between cumulative shares lo and hi
 * of a list sorted by per-capita income (partial households count in part). */
static double band_mean(const pc_item *v, size_t n, double total, double lo, double hi)
{
    double cum = 0, num = 0, den = 0;
    for (size_t k = 0; k < n; k++) {
        double a = cum / total, b = (cum + v[k].persons) / total;
        cum += v[k].persons;
        double ov = fmin(b, hi) - fmax(a, lo);
        if (ov > 0) {
            double part = ov * total;
            num += part * v[k].ypc;
            den += part;
        }
    }
    return den > 0 ? num / den : 0;
}

int sp_population_summary_compute(const sp_population *pop, sp_population_summary *out, sp_err *err)
{
    memset(out, 0, sizeof *out);
    if (!pop || pop->n == 0)
        return sp_err_set(err, SP_EINVAL, "empty population");
    double hh = 0, persons = 0, inc[SP_NAREA] = {0}, con[SP_NAREA] = {0}, per[SP_NAREA] = {0},
           cat[SP_NCAT] = {0}, ctot = 0;
    size_t nurban = 0;
    for (size_t i = 0; i < pop->n; i++) {
        double w = pop->weight[i], s = pop->size[i];
        int a = pop->area[i] ? SP_AREA_RURAL : SP_AREA_URBAN;
        hh += w;
        persons += w * s;
        inc[a] += w * pop->income[i];
        con[a] += w * pop->consumption[i];
        per[a] += w * s;
        for (int c = 0; c < SP_NCAT; c++)
            cat[c] += w * pop->consumption[i] * sp_population_share(pop, i, c);
        ctot += w * pop->consumption[i];
        out->private_cars += w * pop->state.ncars[i];
        out->liquidity_share[pop->liquidity[i] % SP_NLIQ] += w;
        if (pop->state.plate_state[i] == SP_PLATE_LOTTERY)
            out->plate_applicants += w * pop->state.applicants[i];
        else if (pop->state.plate_state[i] == SP_PLATE_NEV_QUEUE)
            out->nev_queue += w * pop->state.applicants[i];
        nurban += a == SP_AREA_URBAN;
    }
    out->households = hh;
    out->sample = pop->n;
    out->mean_size = persons / hh;
    for (int a = 0; a < SP_NAREA; a++) {
        out->income_pc[a] = per[a] > 0 ? inc[a] / per[a] : 0;
        out->consumption_pc[a] = per[a] > 0 ? con[a] / per[a] : 0;
    }
    for (int c = 0; c < SP_NCAT; c++)
        out->share[c] = ctot > 0 ? cat[c] / ctot : 0;
    for (int l = 0; l < SP_NLIQ; l++)
        out->liquidity_share[l] /= hh;
    if (nurban > 0) {
        pc_item *v = malloc(nurban * sizeof *v);
        if (!v)
            return sp_err_set(err, SP_ENOMEM, "out of memory for the summary");
        size_t k = 0;
        double tot = 0;
        for (size_t i = 0; i < pop->n; i++)
            if (pop->area[i] == SP_AREA_URBAN) {
                v[k].ypc = (double)pop->income[i] / pop->size[i];
                v[k].persons = (double)pop->weight[i] * pop->size[i];
                tot += v[k].persons;
                k++;
            }
        qsort(v, nurban, sizeof *v, by_pc);
        double bottom = band_mean(v, nurban, tot, 0.0, 0.2), top = band_mean(v, nurban, tot, 0.8, 1.0);
        out->quintile_ratio_urban = bottom > 0 ? top / bottom : 0;
        free(v);
    }
    return SP_OK;
}

/* ---- ranking: a stable radix sort ----
 *
 * Households are ranked by a key, ties broken by household index (the order
 * of a comparison sort on (key, index)). Keys are sorted as 32-bit words that
 * order like floats (sort_word), least significant digit first, 11 bits a
 * pass: a stable sort, so equal words keep index order. A double key (the
 * per-capita income) is sorted by the top 32 bits of its order-preserving
 * 64-bit pattern above the smallest key's (a monotone map: keys order the
 * same way or tie); runs of equal words are then put in (double key, index)
 * order, which gives exactly the comparison sort's order.
 * Items carry the household's weight in the ranking, so the cumulative sums
 * read them in sorted order without gathering; the ranks found go back to
 * the households through a partition by household index (scatter_back), so
 * the writes stay within the cache. */

typedef struct {
    uint32_t word, i; /* sort word of the key (then the rank's code); household index */
    double weight;    /* weight in the ranking (then the rank in (0,1)) */
} rank_item;

/* A 32-bit word whose unsigned order is the order of the floats (-0 = +0). */
static uint32_t sort_word(float f)
{
    uint32_t b;
    if (f == 0)
        f = 0.0f;
    memcpy(&b, &f, sizeof b);
    return (b >> 31) ? ~b : b | 0x80000000u;
}

/* A 64-bit word whose unsigned order is the order of the doubles (-0 = +0). */
static uint64_t sort_word64(double d)
{
    uint64_t u;
    if (d == 0)
        d = 0.0;
    memcpy(&u, &d, sizeof u);
    return (u >> 63) ? ~u : u | ((uint64_t)1 << 63);
}

#define RADIX_BITS 11
#define RADIX_PASSES 3
#define RADIX_SIZE (1u << RADIX_BITS)

/* Sorts a[0..n) by word, stably, with tmp (n items) as workspace; returns
 * the array holding the result (a or tmp), NULL when out of memory. */
static rank_item *radix_sort(rank_item *a, rank_item *tmp, size_t n)
{
    static const int shift[RADIX_PASSES] = {0, RADIX_BITS, 2 * RADIX_BITS};
    size_t *count = calloc((size_t)RADIX_PASSES * RADIX_SIZE, sizeof *count);
    if (!count)
        return NULL;
    for (size_t k = 0; k < n; k++)
        for (int p = 0; p < RADIX_PASSES; p++)
            count[p * RADIX_SIZE + ((a[k].word >> shift[p]) & (RADIX_SIZE - 1))]++;
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *c = count + p * RADIX_SIZE, sum = 0;
        int trivial = 0;
        for (unsigned d = 0; d < RADIX_SIZE; d++) {
            if (c[d] == n)
                trivial = 1; /* every word has this digit: the pass would not move anything */
            size_t t = c[d];
            c[d] = sum;
            sum += t;
        }
        if (trivial)
            continue;
        for (size_t k = 0; k < n; k++)
            tmp[c[(a[k].word >> shift[p]) & (RADIX_SIZE - 1)]++] = a[k];
        rank_item *t = a;
        a = tmp;
        tmp = t;
    }
    free(count);
    return a;
}

/* Partitions a[0..n) by household index into tmp, in blocks of 2^shift
 * households (at most RADIX_SIZE blocks); the block of item k starts at
 * tmp[start[b]]. start has RADIX_SIZE + 1 entries. */
static int scatter_back(const rank_item *a, rank_item *tmp, size_t n, int *shift, size_t *start)
{
    int sh = 0;
    while ((n - 1) >> sh >= RADIX_SIZE)
        sh++;
    memset(start, 0, (RADIX_SIZE + 1) * sizeof *start);
    for (size_t k = 0; k < n; k++)
        start[(a[k].i >> sh) + 1]++;
    for (unsigned b = 0; b < RADIX_SIZE; b++)
        start[b + 1] += start[b];
    size_t *next = malloc(RADIX_SIZE * sizeof *next);
    if (!next)
        return -1;
    memcpy(next, start, RADIX_SIZE * sizeof *next);
    for (size_t k = 0; k < n; k++)
        tmp[next[a[k].i >> sh]++] = a[k];
    free(next);
    *shift = sh;
    return 0;
}

typedef struct {
    double key;
    uint32_t i;
} exact_item;

static int by_key_index(const void *pa, const void *pb)
{
    const exact_item *x = pa, *y = pb;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static double pc_income(const sp_population *pop, size_t i)
{
    return pop->size[i] ? (double)pop->income[i] / pop->size[i] : 0;
}

/* Puts each run of equal sort words of r[0..n) in (per-capita income, index)
 * order. Runs are short: the word holds the leading bits of the key's range. */
static int refine_runs(const sp_population *pop, rank_item *r, size_t n)
{
    size_t a = 0;
    while (a < n) {
        size_t e = a + 1;
        while (e < n && r[e].word == r[a].word)
            e++;
        size_t len = e - a;
        if (len > 1) {
            exact_item small[16], *v = small;
            rank_item hold[16], *h = hold;
            if (len > 16) {
                v = malloc(len * sizeof *v);
                h = malloc(len * sizeof *h);
                if (!v || !h) {
                    free(v);
                    free(h);
                    return -1;
                }
            }
            for (size_t k = 0; k < len; k++) {
                v[k] = (exact_item){pc_income(pop, r[a + k].i), (uint32_t)k};
                h[k] = r[a + k];
            }
            /* by key, then position in the run (= index order: the sort is stable) */
            if (len <= 16) {
                for (size_t k = 1; k < len; k++) {
                    exact_item x = v[k];
                    size_t j = k;
                    while (j > 0 && by_key_index(&v[j - 1], &x) > 0) {
                        v[j] = v[j - 1];
                        j--;
                    }
                    v[j] = x;
                }
            } else {
                qsort(v, len, sizeof *v, by_key_index);
            }
            for (size_t k = 0; k < len; k++)
                r[a + k] = h[v[k].i];
            if (v != small) {
                free(v);
                free(h);
            }
        }
        a = e;
    }
    return 0;
}

/* Per-capita income ranks: the sorted items become (code, rank) with code =
 * quintile | decile half << 3. */
#define CODE_DECILE 0x08u


/* ---- ranking when every household weighs the same (the generator's
 * samples) ----
 * The cumulative weight before a household in the ranking is then w times an
 * integer: the persons (or households) ranked before it. That integer is
 * exact in 32 bits and w x it is the running double sum exactly (w has 24
 * significant bits, the integer under 2^29, every partial sum under 2^53), so
 * the items can be 8 bytes (sort word; index and size) and carry that integer
 * back to the households instead of a double: the same ranks, bit for bit,
 * as the general path below, with half its memory traffic and no gathers
 * of sizes in sorted order. */
#define ITEM_SIZE_BITS 4 /* household sizes up to 15 */
typedef struct {
    uint32_t word; /* sort word, then the persons (households) ranked before */
    uint32_t is;   /* household index << ITEM_SIZE_BITS | size */
} item8;
#define ITEM_I(it) ((it).is >> ITEM_SIZE_BITS)
#define ITEM_SIZE(it) ((it).is & ((1u << ITEM_SIZE_BITS) - 1))


/* pc_income of an item's household, its size read from the item */
static inline double item_pc(const sp_population *pop, item8 it)
{
    unsigned sz = ITEM_SIZE(it);
    return sz ? (double)pop->income[ITEM_I(it)] / sz : 0;
}

/* Runs of equal words in (per-capita income, index) order, as refine_runs:
 * pairs (most runs) by one comparison, longer runs by a sort. */
/* Within a run of equal words, households of the same size have equal
 * per-capita incomes when wsh <= SAME_SIZE_TIE_SHIFT: their incomes are
 * floats, two different floats divided by the same size s <= 15 give doubles
 * at least 2^29 / 15 > 2^25 doubles apart, and keys that far apart have
 * different words after the shift. Such runs are already in index order. */
#define SAME_SIZE_TIE_SHIFT 25
#define REFINE_AHEAD 64
_Static_assert(ITEM_SIZE_BITS == 4, "the bound above assumes sizes up to 15");

static int refine_runs8(const sp_population *pop, item8 *r, size_t n, int wsh)
{
    const int same_size_ties = wsh <= SAME_SIZE_TIE_SHIFT;
    size_t a = 0, ahead = 0; /* incomes of runs up to REFINE_AHEAD items on are fetched early */
    while (a < n) {
        for (; ahead < n - 1 && ahead < a + REFINE_AHEAD; ahead++)
            if (r[ahead].word == r[ahead + 1].word) {
                __builtin_prefetch(pop->income + ITEM_I(r[ahead]));
                __builtin_prefetch(pop->income + ITEM_I(r[ahead + 1]));
            }
        size_t e = a + 1;
        int one_size = 1;
        while (e < n && r[e].word == r[a].word) {
            one_size &= ITEM_SIZE(r[e]) == ITEM_SIZE(r[a]);
            e++;
        }
        size_t len = e - a;
        if (len < 2 || (one_size && same_size_ties)) {
            a = e;
            continue;
        }
        if (len == 2) {
            if (item_pc(pop, r[a]) > item_pc(pop, r[a + 1])) {
                item8 t = r[a];
                r[a] = r[a + 1];
                r[a + 1] = t;
            }
        } else {
            exact_item small[16], *v = len <= 16 ? small : malloc(len * sizeof *v);
            if (!v)
                return -1;
            for (size_t k = 0; k < len; k++)
                v[k] = (exact_item){item_pc(pop, r[a + k]), r[a + k].is};
            /* index order among equal keys: is orders as the index does */
            qsort(v, len, sizeof *v, by_key_index);
            for (size_t k = 0; k < len; k++)
                r[a + k].is = v[k].i;
            if (v != small)
                free(v);
        }
        a = e;
    }
    return 0;
}

/* Partitions a[0..n) (a permutation of the households) by household index
 * into tmp, in blocks of 2^shift households (at most RADIX_SIZE blocks):
 * block b is tmp[b << shift ..), since it holds exactly those households. */
static int scatter_back8(const item8 *a, item8 *tmp, size_t n, int *shift)
{
    int sh = 0;
    while ((n - 1) >> sh >= RADIX_SIZE)
        sh++;
    size_t *next = malloc(RADIX_SIZE * sizeof *next);
    if (!next)
        return -1;
    for (size_t b = 0; b < RADIX_SIZE; b++)
        next[b] = b << sh;
    for (size_t k = 0; k < n; k++)
        tmp[next[ITEM_I(a[k]) >> sh]++] = a[k];
    free(next);
    *shift = sh;
    return 0;
}

/* sort_word without branches: -0 + 0 is +0; a negative value's bits are
 * all flipped, a positive one's sign set. */
static inline uint32_t sort_word_flat(float f)
{
    f = f + 0.0f;
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b ^ (((uint32_t)0 - (b >> 31)) | 0x80000000u);
}

/* The consumption 30th of the household at position k (0-based) of n in
 * the ranking, every household weighing w: the general path's arithmetic,
 * its cumulative weight w x k being exact (see above). */
static int cons_rank_at(double w, double total, size_t k)
{
    double m = total > 0 ? (w * (double)k + 0.5 * w) / total : 0.5;
    int c = (int)(m * SP_CONS_RANKS);
    return c > SP_CONS_RANKS - 1 ? SP_CONS_RANKS - 1 : c;
}

/* Consumption 30ths of equal-weight households without sorting them all:
 * a household's 30th depends only on its position, so a histogram of the
 * sort words (SELECT_BUCKETS buckets over their range) gives every bucket's
 * first and last position; a bucket whose positions all fall in one 30th
 * gives it to its households at once, and only the households of the few
 * buckets that straddle a cut are sorted, by (word, index), to find their
 * positions. The same 30ths as sorting everyone. */
#define SELECT_BITS_CONS 18
#define SELECT_BUCKETS (1u << SELECT_BITS_CONS)
#define BUCKET_STRADDLES 0xffu

static int by_word_index(const void *pa, const void *pb)
{
    const item8 *x = pa, *y = pb;
    if (x->word != y->word)
        return x->word < y->word ? -1 : 1;
    return (x->is > y->is) - (x->is < y->is);
}

static int cons_ranks_equal_weights(sp_population *pop)
{
    const size_t n = pop->n;
    /* counts[b]: households of bucket b, then its first position; code[b]:
     * its 30th, or BUCKET_STRADDLES */
    uint32_t *counts = malloc((SELECT_BUCKETS + 1) * sizeof *counts);
    uint8_t *code = malloc(SELECT_BUCKETS);
    if (!counts || !code) {
        free(counts);
        free(code);
        return -1;
    }
    const double w = pop->weight[0], total = w * (double)n;
    uint32_t wmin = UINT32_MAX, wmax = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = sort_word_flat(pop->consumption[i]);
        wmin = x < wmin ? x : wmin;
        wmax = x > wmax ? x : wmax;
    }
    int sh = 0;
    while ((wmax - wmin) >> sh >= SELECT_BUCKETS)
        sh++;
    memset(counts, 0, (SELECT_BUCKETS + 1) * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        counts[((sort_word_flat(pop->consumption[i]) - wmin) >> sh) + 1]++;
    size_t nstraddle = 0;
    for (uint32_t b = 0; b < SELECT_BUCKETS; b++) {
        counts[b + 1] += counts[b];
        size_t first = counts[b], end = counts[b + 1];
        if (first == end)
            code[b] = 0;
        else if (cons_rank_at(w, total, first) == cons_rank_at(w, total, end - 1))
            code[b] = (uint8_t)cons_rank_at(w, total, first);
        else {
            code[b] = BUCKET_STRADDLES;
            nstraddle += end - first;
        }
    }
    item8 *work = malloc((nstraddle ? nstraddle : 1) * sizeof *work); /* the straddlers */
    if (!work) {
        free(counts);
        free(code);
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = sort_word_flat(pop->consumption[i]), b = (x - wmin) >> sh;
        if (code[b] != BUCKET_STRADDLES)
            pop->ranks[i] |= code[b];
        else if (m < nstraddle)
            work[m++] = (item8){x, (uint32_t)i}; /* is: the index alone here */
    }
    qsort(work, m, sizeof *work, by_word_index);
    for (size_t k = 0; k < m;) { /* one straddling bucket at a time */
        uint32_t b = (work[k].word - wmin) >> sh;
        size_t first = counts[b];
        for (size_t j = 0; k < m && (work[k].word - wmin) >> sh == b; k++, j++)
            pop->ranks[work[k].is] |= (uint8_t)cons_rank_at(w, total, first + j);
    }
    free(counts);
    free(code);
    free(work);
    return 0;
}

/* Sorts the households' per-capita income items by word, stably (index
 * order among equal words), into out: a counting pass and one scatter by
 * the word's top MSD_BITS bits (the only passes over memory: the items are
 * made as they are scattered), then each bucket, small enough for the cache,
 * by its remaining bits with two counting passes through a scratch array of
 * the largest bucket (or an insertion sort when short). Word of household i: the top 32 bits of its
 * key's sort word above kmin (>> wsh). 0, or -1 when out of memory. */
#define MSD_BITS 11
#define MSD_SIZE (1u << MSD_BITS)
#define LOW_BITS (32 - MSD_BITS) /* sorted inside a bucket: 11 + 10 */
#define SHORT_BUCKET 32

/* sort_word64 without branches (for loops that vectorise): -0 + 0 is +0,
 * and a negative key's bits are all flipped, a positive one's sign set. */
static inline __attribute__((always_inline)) uint64_t sort_word64_flat(double d)
{
    d = d + 0.0;
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    uint64_t neg = (uint64_t)0 - (u >> 63);
    return u ^ (neg | ((uint64_t)1 << 63));
}

/* pc_income without branches */
static inline __attribute__((always_inline)) double pc_flat(float income, uint8_t size)
{
    double s = size, q = (double)income / (size ? s : 1.0);
    return size ? q : 0.0;
}

/* The per-capita income keys (sort_word64) of households [i0, i0 + n), or
 * their words (the top 32 bits above kmin, >> wsh), in loops that vectorise
 * (AVX2 and AVX-512 copies at run time): the same values as pc_income and
 * sort_word64 give one household at a time. */
#define KEY_BLOCK 1024
static inline __attribute__((always_inline)) void
pc_keys_body(const float *inc, const uint8_t *size, size_t n, uint64_t *out)
{
    for (size_t j = 0; j < n; j++)
        out[j] = sort_word64_flat(pc_flat(inc[j], size[j]));
}

static inline __attribute__((always_inline)) void
pc_words_body(const float *inc, const uint8_t *size, size_t n, uint64_t kmin, int wsh, uint32_t *out)
{
    for (size_t j = 0; j < n; j++)
        out[j] = (uint32_t)((sort_word64_flat(pc_flat(inc[j], size[j])) - kmin) >> wsh);
}

#define KEY_CLONES(suffix, attr)                                                                  \
    attr static void pc_keys_##suffix(const float *inc, const uint8_t *size, size_t n,           \
                                      uint64_t *out)                                              \
    {                                                                                             \
        pc_keys_body(inc, size, n, out);                                                          \
    }                                                                                             \
    attr static void pc_words_##suffix(const float *inc, const uint8_t *size, size_t n,          \
                                       uint64_t kmin, int wsh, uint32_t *out)                     \
    {                                                                                             \
        pc_words_body(inc, size, n, kmin, wsh, out);                                              \
    }
KEY_CLONES(portable, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
KEY_CLONES(avx2, __attribute__((target("avx2"))))
KEY_CLONES(avx512, SP_TARGET_AVX512)
#else
#define pc_keys_avx2 pc_keys_portable
#define pc_keys_avx512 pc_keys_portable
#define pc_words_avx2 pc_words_portable
#define pc_words_avx512 pc_words_portable
#endif

static void pc_keys(const sp_population *pop, size_t i0, size_t n, uint64_t *out)
{
    if (sp_simd_avx512())
        pc_keys_avx512(pop->income + i0, pop->size + i0, n, out);
    else if (sp_simd_avx2())
        pc_keys_avx2(pop->income + i0, pop->size + i0, n, out);
    else
        pc_keys_portable(pop->income + i0, pop->size + i0, n, out);
}

static void pc_words(const sp_population *pop, size_t i0, size_t n, uint64_t kmin, int wsh,
                     uint32_t *out)
{
    if (sp_simd_avx512())
        pc_words_avx512(pop->income + i0, pop->size + i0, n, kmin, wsh, out);
    else if (sp_simd_avx2())
        pc_words_avx2(pop->income + i0, pop->size + i0, n, kmin, wsh, out);
    else
        pc_words_portable(pop->income + i0, pop->size + i0, n, kmin, wsh, out);
}

static int msd_sort8(const sp_population *pop, uint64_t kmin, int wsh, item8 *out, size_t n)
{
    size_t *start = calloc(MSD_SIZE + 1, sizeof *start), *next = malloc(MSD_SIZE * sizeof *next);
    size_t *count = malloc(RADIX_SIZE * sizeof *count);
    if (!start || !next || !count) {
        free(start);
        free(next);
        free(count);
        return -1;
    }
    uint32_t words[KEY_BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += KEY_BLOCK) {
        size_t cnt = n - i0 < KEY_BLOCK ? n - i0 : KEY_BLOCK;
        pc_words(pop, i0, cnt, kmin, wsh, words);
        for (size_t j = 0; j < cnt; j++)
            start[(words[j] >> LOW_BITS) + 1]++;
    }
    size_t largest = 0;
    for (unsigned b = 0; b < MSD_SIZE; b++) {
        largest = start[b + 1] > largest ? start[b + 1] : largest;
        start[b + 1] += start[b];
    }
    item8 *scratch = malloc((largest ? largest : 1) * sizeof *scratch); /* a bucket's */
    if (!scratch) {
        free(start);
        free(next);
        free(count);
        return -1;
    }
    memcpy(next, start, MSD_SIZE * sizeof *next);
    for (size_t i0 = 0; i0 < n; i0 += KEY_BLOCK) {
        size_t cnt = n - i0 < KEY_BLOCK ? n - i0 : KEY_BLOCK;
        pc_words(pop, i0, cnt, kmin, wsh, words);
        for (size_t j = 0; j < cnt; j++) {
            size_t i = i0 + j;
            out[next[words[j] >> LOW_BITS]++] =
                (item8){words[j], (uint32_t)i << ITEM_SIZE_BITS | pop->size[i]};
        }
    }
    static const int shift[2] = {0, RADIX_BITS};
    static const uint32_t mask[2] = {RADIX_SIZE - 1, (1u << (LOW_BITS - RADIX_BITS)) - 1};
    for (unsigned b = 0; b < MSD_SIZE; b++) {
        item8 *v = out + start[b], *t = scratch;
        size_t m = start[b + 1] - start[b];
        if (m <= SHORT_BUCKET) { /* insertion sort: stable */
            for (size_t k = 1; k < m; k++) {
                item8 x = v[k];
                size_t j = k;
                while (j > 0 && v[j - 1].word > x.word) {
                    v[j] = v[j - 1];
                    j--;
                }
                v[j] = x;
            }
            continue;
        }
        for (int p = 0; p < 2; p++) { /* v -> t, then t -> v */
            item8 *from = p ? t : v, *to = p ? v : t;
            memset(count, 0, (mask[p] + 1) * sizeof *count);
            for (size_t k = 0; k < m; k++)
                count[(from[k].word >> shift[p]) & mask[p]]++;
            size_t sum = 0;
            for (uint32_t d = 0; d <= mask[p]; d++) {
                size_t c = count[d];
                count[d] = sum;
                sum += c;
            }
            for (size_t k = 0; k < m; k++)
                to[count[(from[k].word >> shift[p]) & mask[p]]++] = from[k];
        }
    }
    free(start);
    free(next);
    free(count);
    free(scratch);
    return 0;
}
_Static_assert(LOW_BITS - RADIX_BITS <= RADIX_BITS, "two passes sort a bucket's low bits");

/* What sp_population_rank's first pass finds: the range of the per-capita
 * income keys (sort_word64) and the persons. */
typedef struct {
    uint64_t kmin, kmax, persons;
} equal_scan;

static int rank_equal_weights(sp_population *pop, const equal_scan *sc, double *mid, double *median,
                              void *work, sp_err *err)
{
    const size_t n = pop->n;
    const double w = pop->weight[0];
    /* the items (in work's memory when given), then (in mid's memory: 8 bytes
     * per household too) the items partitioned by household block */
    double *out = mid ? mid : malloc(n * sizeof *out);
    item8 *r = work ? (item8 *)work : malloc(n * sizeof *r), *o = (item8 *)(void *)out, *blk = NULL;
    _Static_assert(sizeof(item8) == sizeof(double), "items fit the rank column");
    if (!r || !out)
        goto oom;
    /* 1. per-capita income, persons-weighted */
    const uint64_t kmin = sc->kmin, kmax = sc->kmax, persons_n = sc->persons;
    int wsh = 0;
    while ((kmax - kmin) >> wsh > UINT32_MAX)
        wsh++;
    if (msd_sort8(pop, kmin, wsh, r, n) != 0 || refine_runs8(pop, r, n, wsh) != 0)
        goto oom;
    const double persons = w * (double)persons_n; /* the weighted sum, exactly */
    double med = 0;
    uint32_t before = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t sz = ITEM_SIZE(r[k]);
        double m = persons > 0 ? (w * before + 0.5 * (w * sz)) / persons : 0.5;
        if (med == 0 && m >= 0.5)
            med = pc_income(pop, ITEM_I(r[k]));
        r[k].word = before;
        before += sz;
    }
    int sh = 0;
    if (scatter_back8(r, o, n, &sh) != 0)
        goto oom;
    /* Household block b's items are o[b << sh ..), the very range of its
     * households' ranks in out: each block is copied aside, then written. */
    const size_t bsize = (size_t)1 << sh;
    if (!(blk = malloc(bsize * sizeof *blk)))
        goto oom;
    for (size_t b0 = 0; b0 < n; b0 += bsize) {
        size_t cnt = n - b0 < bsize ? n - b0 : bsize;
        memcpy(blk, o + b0, cnt * sizeof *blk);
        for (size_t k = 0; k < cnt; k++) {
            size_t i = ITEM_I(blk[k]);
            double p = w * ITEM_SIZE(blk[k]);
            double m = persons > 0 ? (w * blk[k].word + 0.5 * p) / persons : 0.5;
            int q = (int)(m * SP_NQUINTILE), d = (int)(m * 2 * SP_NQUINTILE);
            pop->quintile[i] = (uint8_t)(q > SP_NQUINTILE - 1 ? SP_NQUINTILE - 1 : q);
            pop->ranks[i] = (uint8_t)((d > 2 * SP_NQUINTILE - 1 ? 1 : d & 1) ? SP_RANK_DECILE_BIT : 0);
            out[i] = m;
        }
    }
    if (median)
        *median = med;
    if (r != work)
        free(r);
    free(blk);
    if (out != mid)
        free(out);
    /* 2. household consumption, weighted: ranks in 30ths into bits 0-4 */
    if (cons_ranks_equal_weights(pop) != 0)
        return sp_err_set(err, SP_ENOMEM, "out of memory ranking %zu households", n);
    return SP_OK;
oom:
    if (r != work)
        free(r);
    free(blk);
    if (out != mid)
        free(out);
    return sp_err_set(err, SP_ENOMEM, "out of memory ranking %zu households", n);
}

/* Whether rank_equal_weights applies: every weight the same positive
 * finite float, fewer than 2^29 persons (the exactness above), sizes and
 * indices that fit an item (n below 2^28). The same pass finds the range of
 * the per-capita income keys and the persons, which that path needs. */
static int weights_equal(const sp_population *pop, equal_scan *sc)
{
    if (pop->n == 0 || pop->n >= ((size_t)1 << (32 - ITEM_SIZE_BITS)))
        return 0;
    const float w = pop->weight[0];
    int eq = w > 0 && w <= 0x1.fffffep127f;
    uint64_t persons = 0, kmin = UINT64_MAX, kmax = 0;
    uint8_t big = 0;
    uint64_t keys[KEY_BLOCK];
    for (size_t i0 = 0; i0 < pop->n; i0 += KEY_BLOCK) {
        size_t cnt = pop->n - i0 < KEY_BLOCK ? pop->n - i0 : KEY_BLOCK;
        pc_keys(pop, i0, cnt, keys);
        for (size_t j = 0; j < cnt; j++) {
            size_t i = i0 + j;
            eq &= pop->weight[i] == w;
            persons += pop->size[i];
            big |= pop->size[i] >> ITEM_SIZE_BITS;
            kmin = keys[j] < kmin ? keys[j] : kmin;
            kmax = keys[j] > kmax ? keys[j] : kmax;
        }
        if (!eq)
            return 0; /* survey weights: the general path, no more keys to compute */
    }
    *sc = (equal_scan){kmin, kmax, persons};
    return eq && !big && persons < ((uint64_t)1 << 29);
}

int sp_population_rank(sp_population *pop, double *mid, double *median, sp_err *err)
{
    return sp_population_rank_work(pop, mid, median, NULL, err);
}

int sp_population_rank_work(sp_population *pop, double *mid, double *median, void *work,
                            sp_err *err)
{
    equal_scan sc;
    if (weights_equal(pop, &sc))
        return rank_equal_weights(pop, &sc, mid, median, work, err);
    return sp_population_rank_general(pop, mid, median, err);
}

int sp_population_rank_general(sp_population *pop, double *mid, double *median, sp_err *err)
{
    size_t n = pop->n;
    if (n > UINT32_MAX)
        return sp_err_set(err, SP_EINVAL, "cannot rank %zu households (at most %u)", n, UINT32_MAX);
    if (n == 0) {
        if (median)
            *median = 0;
        return SP_OK;
    }
    rank_item *r = malloc((n ? n : 1) * sizeof *r), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t *start = malloc((RADIX_SIZE + 1) * sizeof *start);
    rank_item *s = NULL;
    int sh = 0;
    if (!r || !tmp || !start)
        goto oom;
    /* 1. per-capita income, persons-weighted; the sort word is the top 32
     * bits of the key's 64-bit sort word above the smallest key's */
    double persons = 0;
    uint64_t kmin = UINT64_MAX, kmax = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = sort_word64(pc_income(pop, i));
        kmin = k < kmin ? k : kmin;
        kmax = k > kmax ? k : kmax;
    }
    int wsh = 0;
    while (n && (kmax - kmin) >> wsh > UINT32_MAX)
        wsh++;
    for (size_t i = 0; i < n; i++) {
        r[i].word = (uint32_t)((sort_word64(pc_income(pop, i)) - kmin) >> wsh);
        r[i].i = (uint32_t)i;
        r[i].weight = (double)pop->weight[i] * pop->size[i];
        persons += r[i].weight;
    }
    if (!(s = radix_sort(r, tmp, n)))
        goto oom;
    if (refine_runs(pop, s, n) != 0)
        goto oom;
    double cum = 0, med = 0;
    for (size_t k = 0; k < n; k++) {
        double p = s[k].weight;
        double m = persons > 0 ? (cum + 0.5 * p) / persons : 0.5;
        cum += p;
        int q = (int)(m * SP_NQUINTILE), d = (int)(m * 2 * SP_NQUINTILE);
        s[k].word = (uint32_t)(q > SP_NQUINTILE - 1 ? SP_NQUINTILE - 1 : q) |
                    ((d > 2 * SP_NQUINTILE - 1 ? 1 : d & 1) ? CODE_DECILE : 0);
        s[k].weight = m;
        if (med == 0 && m >= 0.5)
            med = pc_income(pop, s[k].i);
    }
    rank_item *o = s == r ? tmp : r;
    if (scatter_back(s, o, n, &sh, start) != 0)
        goto oom;
    for (size_t k = 0; k < n; k++) {
        size_t i = o[k].i;
        pop->quintile[i] = (uint8_t)(o[k].word & 7u);
        pop->ranks[i] = (uint8_t)((o[k].word & CODE_DECILE) ? SP_RANK_DECILE_BIT : 0);
        if (mid)
            mid[i] = o[k].weight;
    }
    if (median)
        *median = med;
    /* 2. household consumption, weighted: ranks in 30ths into bits 0-4 */
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        r[i].word = sort_word(pop->consumption[i]);
        r[i].i = (uint32_t)i;
        r[i].weight = pop->weight[i];
        total += r[i].weight;
    }
    if (!(s = radix_sort(r, tmp, n)))
        goto oom;
    cum = 0;
    for (size_t k = 0; k < n; k++) {
        double w = s[k].weight;
        double m = total > 0 ? (cum + 0.5 * w) / total : 0.5;
        cum += w;
        int c = (int)(m * SP_CONS_RANKS);
        s[k].word = (uint32_t)(c > SP_CONS_RANKS - 1 ? SP_CONS_RANKS - 1 : c);
    }
    o = s == r ? tmp : r;
    if (scatter_back(s, o, n, &sh, start) != 0)
        goto oom;
    for (size_t k = 0; k < n; k++)
        pop->ranks[o[k].i] |= (uint8_t)o[k].word;
    free(r);
    free(tmp);
    free(start);
    return SP_OK;
oom:
    free(r);
    free(tmp);
    free(start);
    return sp_err_set(err, SP_ENOMEM, "out of memory ranking %zu households", n);
}


/* Engel shares of n households at x = lx[j] - lnref into out[c][j]: the
 * arithmetic of shares_at, household by household, in loops the compiler
 * vectorises over households (the same bits as shares_at); an AVX2 copy of
 * the same loop where the CPU has it (simd.h). */
#define ENGEL_BLOCK 1024
static inline __attribute__((always_inline)) void
shares_block_body(const double *a0, const double *b0, const double *lx, double lnref, size_t n,
                  double out[SP_NCAT][ENGEL_BLOCK])
{
    double a[SP_NCAT], b[SP_NCAT]; /* locals: registers, loop invariants the loop vectorises around */
    for (int c = 0; c < SP_NCAT; c++) {
        a[c] = a0[c];
        b[c] = b0[c];
    }
    for (size_t j = 0; j < n; j++) {
        double x = lx[j] - lnref, s[SP_NCAT], sum = 0;
        for (int c = 0; c < SP_NCAT; c++) {
            double v = a[c] + b[c] * x;
            s[c] = v < ENGEL_FLOOR ? ENGEL_FLOOR : v;
            sum += s[c];
        }
        for (int c = 0; c < SP_NCAT; c++)
            out[c][j] = s[c] / sum;
    }
}

static void shares_block_portable(const double *a, const double *b, const double *lx, double lnref,
                                  size_t n, double out[SP_NCAT][ENGEL_BLOCK])
{
    shares_block_body(a, b, lx, lnref, n, out);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2"))) static void shares_block_avx2(const double *a, const double *b,
                                                              const double *lx, double lnref,
                                                              size_t n,
                                                              double out[SP_NCAT][ENGEL_BLOCK])
{
    shares_block_body(a, b, lx, lnref, n, out);
}
SP_TARGET_AVX512 static void
shares_block_avx512(const double *a, const double *b, const double *lx, double lnref, size_t n,
                    double out[SP_NCAT][ENGEL_BLOCK])
{
    shares_block_body(a, b, lx, lnref, n, out);
}
#else
#define shares_block_avx2 shares_block_portable
#define shares_block_avx512 shares_block_portable
#endif

static void shares_block(const sp_population *pop, const double *lx, double lnref, size_t n,
                         double out[SP_NCAT][ENGEL_BLOCK])
{
    double a[SP_NCAT], b[SP_NCAT];
    for (int c = 0; c < SP_NCAT; c++) {
        a[c] = pop->engel_a[c];
        b[c] = pop->engel_b[c];
    }
    if (sp_simd_avx512())
        shares_block_avx512(a, b, lx, lnref, n, out);
    else if (sp_simd_avx2())
        shares_block_avx2(a, b, lx, lnref, n, out);
    else
        shares_block_portable(a, b, lx, lnref, n, out);
}

/* sp_population_set_shares for n households of a block (shares sh[c][j])
 * into q (n x SP_NCAT): the same rounding, clamps and remainder. The
 * rounding, the sums and the largest share run in a loop that vectorises
 * (32-bit integers: shares lie in [0, 1], their units fit; an AVX2 copy
 * where the CPU has it); the remainder and the interleaved stores in a
 * short scalar loop. */
typedef struct {
    int v[SP_NCAT][ENGEL_BLOCK]; /* rounded and clamped units */
    int big[ENGEL_BLOCK];        /* the first largest share's category */
    int fixed[ENGEL_BLOCK];      /* its units with the remainder */
    uint16_t out[SP_NCAT][ENGEL_BLOCK]; /* the stored units */
} quantised;

static inline __attribute__((always_inline)) void
quantise_body(quantised *qz, const double sh[SP_NCAT][ENGEL_BLOCK], size_t n)
{
    for (size_t j = 0; j < n; j++) {
        int sum = 0, big = 0, vbig = 0;
        double best = sh[0][j];
        for (int c = 0; c < SP_NCAT; c++) {
            double x = sh[c][j] * SP_SHARE_ONE;
            int t = (int)x;                     /* 0 <= x <= 2^16: exact */
            int r = t + (x - (double)t >= 0.5); /* half away from zero */
            r = r > 65535 ? 65535 : r;
            r = r < 0 ? 0 : r;
            qz->v[c][j] = r;
            sum += r;
            int above = sh[c][j] > best; /* the first largest, as sp_population_set_shares */
            big = above ? c : big;
            vbig = above ? r : vbig;
            best = above ? sh[c][j] : best;
        }
        vbig = big == 0 ? qz->v[0][j] : vbig;
        int fixed = vbig + (SP_SHARE_ONE - sum); /* the remainder on the largest share */
        qz->fixed[j] = fixed < 0 ? 0 : (fixed > 65535 ? 65535 : fixed);
        qz->big[j] = big;
    }
    for (int c = 0; c < SP_NCAT; c++)
        for (size_t j = 0; j < n; j++)
            qz->out[c][j] = (uint16_t)(qz->big[j] == c ? qz->fixed[j] : qz->v[c][j]);
}

static void quantise_portable(quantised *qz, const double sh[SP_NCAT][ENGEL_BLOCK], size_t n)
{
    quantise_body(qz, sh, n);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2"))) static void quantise_avx2(quantised *qz,
                                                          const double sh[SP_NCAT][ENGEL_BLOCK],
                                                          size_t n)
{
    quantise_body(qz, sh, n);
}
SP_TARGET_AVX512 static void
quantise_avx512(quantised *qz, const double sh[SP_NCAT][ENGEL_BLOCK], size_t n)
{
    quantise_body(qz, sh, n);
}
#else
#define quantise_avx2 quantise_portable
#define quantise_avx512 quantise_portable
#endif

static void set_shares_block(uint16_t *q, const double sh[SP_NCAT][ENGEL_BLOCK], size_t n,
                             quantised *qz)
{
    if (sp_simd_avx512())
        quantise_avx512(qz, sh, n);
    else if (sp_simd_avx2())
        quantise_avx2(qz, sh, n);
    else
        quantise_portable(qz, sh, n);
    for (size_t j = 0; j < n; j++) /* household by household: a transpose */
        for (int c = 0; c < SP_NCAT; c++)
            q[j * SP_NCAT + c] = qz->out[c][j];
}

int sp_population_calibrate_engel(sp_population *pop, const double slope[SP_NCAT],
                                  const double target[SP_NCAT], sp_err *err)
{
    int rc = sp_population_engel_intercepts(pop, slope, target, NULL, err);
    return rc != SP_OK ? rc : sp_population_engel_store(pop, 1, err);
}

/* ln(per-capita income) of households [i0, i0 + cnt), at least ln 1 */
static void engel_lx(const sp_population *pop, size_t i0, size_t cnt, double *lx)
{
    for (size_t j = 0; j < cnt; j++) {
        double ypc = pc_income(pop, i0 + j);
        lx[j] = ypc > 1.0 ? ypc : 1.0;
    }
    if (cnt > 0)
        sp_vm_log(lx, lx, cnt); /* element by element: the same values for any split */
}

int sp_population_engel_intercepts(sp_population *pop, const double slope[SP_NCAT],
                                   const double target[SP_NCAT], double *work, sp_err *err)
{
    size_t n = pop->n;
    /* ln(per-capita income), once per household (the iterations reuse it) */
    double *lx = work ? work : malloc((n ? n : 1) * sizeof *lx);
    double (*sh)[ENGEL_BLOCK] = malloc(SP_NCAT * sizeof *sh); /* a block's shares */
    if (!lx || !sh) {
        if (lx != work)
            free(lx);
        free(sh);
        return sp_err_set(err, SP_ENOMEM, "out of memory for the Engel curves of %zu households", n);
    }
    double tot_y = 0, tot_p = 0;
    for (size_t i = 0; i < n; i++) {
        tot_y += (double)pop->weight[i] * pop->income[i];
        tot_p += (double)pop->weight[i] * pop->size[i];
    }
    engel_lx(pop, 0, n, lx);
    pop->engel_lnref = log(tot_p > 0 && tot_y > 0 ? tot_y / tot_p : 1.0);
    for (int c = 0; c < SP_NCAT; c++) {
        pop->engel_a[c] = target[c];
        pop->engel_b[c] = slope[c];
    }
    const double lnref = pop->engel_lnref;
    for (int it = 0; it < ENGEL_ITERATIONS; it++) {
        double agg[SP_NCAT] = {0}, tot = 0;
        for (size_t i0 = 0; i0 < n; i0 += ENGEL_BLOCK) {
            size_t cnt = n - i0 < ENGEL_BLOCK ? n - i0 : ENGEL_BLOCK;
            shares_block(pop, lx + i0, lnref, cnt, sh);
            for (size_t j = 0; j < cnt; j++) { /* in household order */
                double wc = (double)pop->weight[i0 + j] * pop->consumption[i0 + j];
                for (int c = 0; c < SP_NCAT; c++)
                    agg[c] += sh[c][j] * wc;
                tot += wc;
            }
        }
        double worst = 0;
        for (int c = 0; c < SP_NCAT && tot > 0; c++) {
            double d = target[c] - agg[c] / tot;
            pop->engel_a[c] += d;
            worst = fmax(worst, fabs(d));
        }
        if (worst < ENGEL_TOLERANCE)
            break;
    }
    if (lx != work)
        free(lx);
    free(sh);
    return SP_OK;
}

int sp_population_engel_store(sp_population *pop, int threads, sp_err *err)
{
    const size_t n = pop->n;
    const long nb = (long)((n + ENGEL_BLOCK - 1) / ENGEL_BLOCK);
    const int nt = threads > 0 ? threads : 1;
    /* each thread's block of shares and quantised units, allocated here, not
     * in the parallel region: the allocations, and their failure, are the
     * same for every run */
    double (*sh)[SP_NCAT][ENGEL_BLOCK] = malloc((size_t)nt * sizeof *sh);
    quantised *qz = malloc((size_t)nt * sizeof *qz);
    if (!sh || !qz) {
        free(sh);
        free(qz);
        return sp_err_set(err, SP_ENOMEM, "out of memory for the Engel shares of %zu households", n);
    }
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (long blk = 0; blk < nb; blk++) {
#ifdef SPENDSIM_HAVE_OPENMP
        const int t = omp_get_thread_num();
#else
        const int t = 0;
#endif
        size_t i0 = (size_t)blk * ENGEL_BLOCK, cnt = n - i0 < ENGEL_BLOCK ? n - i0 : ENGEL_BLOCK;
        double lx[ENGEL_BLOCK];
        engel_lx(pop, i0, cnt, lx);
        shares_block(pop, lx, pop->engel_lnref, cnt, sh[t]);
        set_shares_block(pop->shares + i0 * SP_NCAT, (const double(*)[ENGEL_BLOCK])sh[t], cnt, &qz[t]);
    }
    free(sh);
    free(qz);
    return SP_OK;
}
