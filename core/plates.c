/* plates.c: Beijing car-plate allocation (see plates.h). */
#include "plates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cars.h"
#include "package.h"

/* ---- the default regime ---- */

/* Household pools per year (real plates): data/beijing_plate_quota.csv times
 * the households' share. 2011-2013: 17,600 of 20,000 a month (0.88), assumed
 * for 2014-2017 as well (ordinary and NEV). 2018-2019: individuals 38,000
 * ordinary and 54,000 NEV (China Daily 2017-12-15, 2019-02-25). 2020: 38,200
 * and 54,200 (People's Daily 2020-02-08). 2021-2022: 0.95 and 0.90 of the
 * pools (assumption, as in 2018). 2023: 28,600 and 63,600 (Xinhua 2023-01-05).
 * 2024: NEV 73,000 = planned family allocation 58,400 / 0.8; ordinary 0.95 of
 * 20,000 (assumption). The 2015 pool split is from memory (unverified). */
static const struct {
    int year;
    double total, ordinary, nev, extra; /* as in the CSV */
    double hh_ordinary, hh_nev;         /* households' share */
} quota_table[SP_PLATE_YEARS] = {
    {2011, 240000, 240000, 0, 0, 211200, 0},
    {2012, 240000, 240000, 0, 0, 211200, 0},
    {2013, 240000, 240000, 0, 0, 211200, 0},
    {2014, 150000, 130000, 20000, 0, 114400, 17600},
    {2015, 150000, 120000, 30000, 0, 105600, 26400},
    {2016, 150000, 90000, 60000, 0, 79200, 52800},
    {2017, 150000, 90000, 60000, 0, 79200, 52800},
    {2018, 100000, 40000, 60000, 0, 38000, 54000},
    {2019, 100000, 40000, 60000, 0, 38000, 54000},
    {2020, 100000, 40000, 60000, 20000, 38200, 54200},
    {2021, 100000, 40000, 60000, 0, 38000, 54000},
    {2022, 100000, 30000, 70000, 0, 28500, 63000},
    {2023, 100000, 30000, 70000, 0, 28600, 63600},
    {2024, 100000, 20000, 80000, 20000, 19000, 73000},
};

sp_plate_extra_def sp_plate_extra_def_default(void)
{
    sp_plate_extra_def e;
    e.month = sp_month_make(2020, 9);
    e.plates = 20000;
    return e;
}

sp_plate_regime_def sp_plate_regime_def_default(void)
{
    sp_plate_regime_def r;
    memset(&r, 0, sizeof r);
    r.kind = SP_PLATE_HISTORICAL;
    r.family_from = sp_month_make(2021, 1);
    for (int k = 0; k < SP_PLATE_YEARS; k++) {
        int y = SP_PLATE_FIRST_YEAR + k;
        r.ordinary_quota[k] = quota_table[k].hh_ordinary;
        r.nev_quota[k] = quota_table[k].hh_nev;
        r.family_nev_share[k] = y >= 2023 ? 0.8 : (y >= 2021 ? 0.6 : 0.0);
        r.ordinary_rounds[k] = y <= 2013 ? 12 : (y <= 2020 ? 6 : 2);
        r.nev_rounds[k] = y <= 2019 ? 6 : 1;
        r.window_months[k] = y >= 2018 ? 12 : 6;
    }
    r.ladder_from = sp_month_make(2014, 1);
    r.rounds_per_step = 24;
    r.count_pre_ladder_rounds = 1;
    r.nextra = 2;
    r.extra[0] = sp_plate_extra_def_default();
    r.extra[1] = sp_plate_extra_def_default();
    r.extra[1].month = sp_month_make(2024, 9);
    return r;
}

static int rounds_ok(int n) { return n == 1 || n == 2 || n == 3 || n == 4 || n == 6 || n == 12; }

int sp_plate_regime_validate(const sp_plate_regime_def *r, sp_err *err)
{
    if (!r)
        return sp_err_set(err, SP_EINVAL, "plate regime: NULL definition");
    if (r->kind != SP_PLATE_INDIVIDUAL && r->kind != SP_PLATE_FAMILY && r->kind != SP_PLATE_HISTORICAL)
        return sp_err_set(err, SP_EINVAL, "plate regime: kind must be individual, family or historical, got %d",
                          (int)r->kind);
    for (int k = 0; k < SP_PLATE_YEARS; k++) {
        int y = SP_PLATE_FIRST_YEAR + k;
        if (!(r->ordinary_quota[k] >= 0) || !isfinite(r->ordinary_quota[k]))
            return sp_err_set(err, SP_EINVAL, "plate regime: ordinary_quota[%d] must be a non-negative number, got %g",
                              y, r->ordinary_quota[k]);
        if (!(r->nev_quota[k] >= 0) || !isfinite(r->nev_quota[k]))
            return sp_err_set(err, SP_EINVAL, "plate regime: nev_quota[%d] must be a non-negative number, got %g", y,
                              r->nev_quota[k]);
        if (!(r->family_nev_share[k] >= 0 && r->family_nev_share[k] <= 1))
            return sp_err_set(err, SP_EINVAL, "plate regime: family_nev_share[%d] must be in 0..1, got %g", y,
                              r->family_nev_share[k]);
        if (!rounds_ok(r->ordinary_rounds[k]))
            return sp_err_set(err, SP_EINVAL,
                              "plate regime: ordinary_rounds[%d] must be 1, 2, 3, 4, 6 or 12 per year, got %d", y,
                              r->ordinary_rounds[k]);
        if (!rounds_ok(r->nev_rounds[k]))
            return sp_err_set(err, SP_EINVAL,
                              "plate regime: nev_rounds[%d] must be 1, 2, 3, 4, 6 or 12 per year, got %d", y,
                              r->nev_rounds[k]);
        if (r->window_months[k] < 1)
            return sp_err_set(err, SP_EINVAL, "plate regime: window_months[%d] must be at least 1, got %d", y,
                              r->window_months[k]);
    }
    if (r->rounds_per_step < 1)
        return sp_err_set(err, SP_EINVAL, "plate regime: rounds_per_step must be at least 1, got %d",
                          r->rounds_per_step);
    if (r->nextra < 0 || r->nextra > SP_PLATE_MAX_EXTRA)
        return sp_err_set(err, SP_EINVAL, "plate regime: nextra must be 0..%d, got %d", SP_PLATE_MAX_EXTRA,
                          r->nextra);
    for (int k = 0; k < r->nextra; k++)
        if (!(r->extra[k].plates >= 0) || !isfinite(r->extra[k].plates))
            return sp_err_set(err, SP_EINVAL, "plate regime: extra[%d].plates must be a non-negative number, got %g",
                              k + 1, r->extra[k].plates);
    return SP_OK;
}

int sp_plate_regime_year(int month)
{
    int k = sp_month_year(month) - SP_PLATE_FIRST_YEAR;
    if (k < 0)
        return -1;
    return k < SP_PLATE_YEARS ? k : SP_PLATE_YEARS - 1;
}

int sp_plate_regime_family(const sp_plate_regime_def *r, int month)
{
    return r->kind == SP_PLATE_FAMILY || (r->kind == SP_PLATE_HISTORICAL && month >= r->family_from);
}

static int round_in(int rounds, int month)
{
    return rounds_ok(rounds) && sp_month_of_year(month) % (12 / rounds) == 0;
}

int sp_plate_regime_ordinary_round(const sp_plate_regime_def *r, int month)
{
    int k = sp_plate_regime_year(month);
    return k >= 0 && round_in(r->ordinary_rounds[k], month);
}

int sp_plate_regime_nev_round(const sp_plate_regime_def *r, int month)
{
    int k = sp_plate_regime_year(month);
    return k >= 0 && round_in(r->nev_rounds[k], month);
}

double sp_plate_regime_ordinary_quota(const sp_plate_regime_def *r, int month)
{
    if (!sp_plate_regime_ordinary_round(r, month))
        return 0;
    int k = sp_plate_regime_year(month);
    return r->ordinary_quota[k] / r->ordinary_rounds[k];
}

double sp_plate_regime_nev_quota(const sp_plate_regime_def *r, int month)
{
    if (!sp_plate_regime_nev_round(r, month))
        return 0;
    int k = sp_plate_regime_year(month);
    return r->nev_quota[k] / r->nev_rounds[k];
}

int sp_plate_regime_window(const sp_plate_regime_def *r, int month)
{
    int k = sp_plate_regime_year(month);
    return r->window_months[k < 0 ? 0 : k];
}

/* ---- rules ---- */

int sp_plates_ladder_step(int rounds, int rounds_per_step)
{
    if (rounds <= 0 || rounds_per_step <= 0)
        return 1;
    return 1 + rounds / rounds_per_step;
}

int sp_plates_member_points(const sp_plate_member *m)
{
    int base = m->role == SP_PLATE_MAIN ? 2 : 1;
    int step = m->ladder_step > 0 ? m->ladder_step : 0;
    int years = m->nev_months > 0 ? (m->nev_months + 11) / 12 : 0;
    return base + step + years;
}

int sp_plates_family_points(const sp_plate_member *m, int n, int generations, int *points, sp_err *err)
{
    if (!m || !points || n < 1)
        return sp_err_set(err, SP_EINVAL, "family points: need at least one member, got %d", n);
    if (generations < 1 || generations > 3)
        return sp_err_set(err, SP_EINVAL, "family points: generations must be 1..3, got %d", generations);
    int nmain = 0, nspouse = 0, pmain = 0, pspouse = 0, pothers = 0;
    for (int k = 0; k < n; k++) {
        if (m[k].ladder_step < 0)
            return sp_err_set(err, SP_EINVAL, "family points: member %d: ladder_step must be >= 0, got %d", k + 1,
                              m[k].ladder_step);
        if (m[k].nev_months < 0)
            return sp_err_set(err, SP_EINVAL, "family points: member %d: nev_months must be >= 0, got %d", k + 1,
                              m[k].nev_months);
        int p = sp_plates_member_points(&m[k]);
        switch (m[k].role) {
        case SP_PLATE_MAIN: nmain++; pmain = p; break;
        case SP_PLATE_SPOUSE: nspouse++; pspouse = p; break;
        case SP_PLATE_OTHER: pothers += p; break;
        default:
            return sp_err_set(err, SP_EINVAL, "family points: member %d: unknown role %d", k + 1, (int)m[k].role);
        }
    }
    if (nmain != 1)
        return sp_err_set(err, SP_EINVAL, "family points: need exactly one main applicant, got %d", nmain);
    if (nspouse > 1)
        return sp_err_set(err, SP_EINVAL, "family points: at most one spouse, got %d", nspouse);
    *points = (nspouse ? (pmain + pspouse) * 2 + pothers : pmain + pothers) * generations;
    return SP_OK;
}

/* ---- exact weighted selection ---- */

static inline int before(const sp_plate_cand *a, const sp_plate_cand *b)
{
    return a->key < b->key || (a->key == b->key && a->id < b->id);
}

static int cmp_cand(const void *pa, const void *pb)
{
    const sp_plate_cand *a = pa, *b = pb;
    if (before(a, b))
        return -1;
    return before(b, a) ? 1 : 0;
}

static inline void swap_cand(sp_plate_cand *a, sp_plate_cand *b)
{
    sp_plate_cand t = *a;
    *a = *b;
    *b = t;
}

void sp_plates_select(sp_plate_cand *c, size_t m, double quota, size_t *nwin, double *allocated)
{
    size_t lo = 0, hi = m;
    double acc = 0; /* plates of c[0..lo), all of which precede c[lo..m) */
    if (!(quota > 0) || m == 0) {
        *nwin = 0;
        if (allocated)
            *allocated = 0;
        return;
    }
    /* Weighted quickselect: shrink [lo, hi) to the block holding the first
     * candidate (in order) at which the running sum exceeds the quota. */
    while (hi - lo > 16) {
        size_t mid = lo + (hi - lo) / 2;
        /* median of three to c[hi - 1] */
        if (before(&c[mid], &c[lo]))
            swap_cand(&c[mid], &c[lo]);
        if (before(&c[hi - 1], &c[lo]))
            swap_cand(&c[hi - 1], &c[lo]);
        if (before(&c[mid], &c[hi - 1]))
            swap_cand(&c[mid], &c[hi - 1]);
        sp_plate_cand pivot = c[hi - 1];
        size_t p = lo;
        double w = 0;
        for (size_t j = lo; j < hi - 1; j++)
            if (before(&c[j], &pivot)) {
                w += c[j].plates;
                swap_cand(&c[p++], &c[j]);
            }
        swap_cand(&c[p], &c[hi - 1]);
        if (acc + w > quota) {
            hi = p;
        } else if (acc + w + c[p].plates > quota) {
            lo = p;
            hi = p + 1;
        } else {
            acc += w + c[p].plates;
            lo = p + 1;
        }
    }
    /* Sort the selected prefix and walk it. */
    qsort(c, hi, sizeof *c, cmp_cand);
    double got = 0;
    size_t k = 0;
    while (k < hi && got + c[k].plates <= quota)
        got += c[k++].plates;
    *nwin = k;
    if (allocated)
        *allocated = got;
}

static inline double u53(uint32_t a, uint32_t b)
{
    uint64_t x = ((uint64_t)a << 21) | (uint64_t)(b >> 11);
    return ((double)x + 0.5) * (1.0 / 9007199254740992.0);
}

double sp_plates_lottery_key(sp_rng_key key, uint32_t i, int month, uint32_t draw, double w)
{
    uint32_t r[4];
    sp_rng_words(key, i, (uint32_t)month, SP_PURPOSE_PLATES, draw, r);
    return -log(u53(r[0], r[1])) / w;
}

/* Order key of a ranking: smaller first = larger score, ties by u. */
static double rank_key(sp_rng_key key, uint32_t i, int month, uint32_t draw, int word, double score)
{
    uint32_t r[4];
    sp_rng_words(key, i, (uint32_t)month, SP_PURPOSE_PLATES, draw, r);
    return -score + u53(r[word], r[word + 1]);
}

/* ---- run state ---- */

struct sp_plates_state {
    size_t n;
    uint16_t *rounds;     /* unsuccessful ordinary rounds that count towards the ladder */
    uint8_t *won_nev;     /* 1: held plate is NEV-only */
    sp_plate_cand *cand;  /* workspace, n entries */
};

size_t sp_plates_bytes_per_household(void) { return sizeof(uint16_t) + sizeof(uint8_t); }

void sp_plates_state_free(sp_plates_state *ps)
{
    if (!ps)
        return;
    free(ps->rounds);
    free(ps->won_nev);
    free(ps->cand);
    free(ps);
}

/* 1 when rounds held in month count towards the ladder. */
static int counts(const sp_plate_regime_def *r, int month)
{
    return r->count_pre_ladder_rounds || month >= r->ladder_from;
}

sp_plates_state *sp_plates_state_alloc(const sp_plate_regime_def *r, const sp_population *pop,
                                       const sp_hstate *st, int month, sp_err *err)
{
    if (!r || !pop || !st) {
        sp_err_set(err, SP_EINVAL, "plates state: NULL argument");
        return NULL;
    }
    if (st->n != pop->n) {
        sp_err_set(err, SP_EINVAL, "plates state: state has %zu households, population %zu", st->n, pop->n);
        return NULL;
    }
    if (sp_plate_regime_validate(r, err) != SP_OK)
        return NULL;
    size_t n = pop->n;
    sp_plates_state *ps = calloc(1, sizeof *ps);
    if (!ps) {
        sp_err_set(err, SP_ENOMEM, "plates state: out of memory");
        return NULL;
    }
    ps->n = n;
    ps->rounds = calloc(n ? n : 1, sizeof *ps->rounds);
    ps->won_nev = calloc(n ? n : 1, sizeof *ps->won_nev);
    ps->cand = malloc((n ? n : 1) * sizeof *ps->cand);
    /* cum[d] = counted ordinary rounds in months [month - d, month) */
    int maxd = 0;
    for (size_t i = 0; i < n; i++)
        if (st->plate_state[i] == SP_PLATE_LOTTERY && st->plate_months[i] > maxd)
            maxd = st->plate_months[i];
    int *cum = malloc(((size_t)maxd + 1) * sizeof *cum);
    if (!ps->rounds || !ps->won_nev || !ps->cand || !cum) {
        free(cum);
        sp_plates_state_free(ps);
        sp_err_set(err, SP_ENOMEM, "plates state: out of memory for %zu households", n);
        return NULL;
    }
    cum[0] = 0;
    for (int d = 1; d <= maxd; d++) {
        int mo = month - d;
        cum[d] = cum[d - 1] + (sp_plate_regime_ordinary_round(r, mo) && counts(r, mo));
    }
    for (size_t i = 0; i < n; i++)
        if (st->plate_state[i] == SP_PLATE_LOTTERY) {
            int c = cum[st->plate_months[i]];
            ps->rounds[i] = (uint16_t)(c > UINT16_MAX ? UINT16_MAX : c);
        }
    free(cum);
    return ps;
}

int sp_plates_rounds(const sp_plates_state *ps, size_t i) { return ps->rounds[i]; }
int sp_plates_won_nev(const sp_plates_state *ps, size_t i) { return ps->won_nev[i]; }

int sp_plates_enter(sp_plates_state *ps, sp_hstate *st, size_t i, int pool, int applicants, sp_err *err)
{
    if (!ps || !st || i >= st->n || i >= ps->n)
        return sp_err_set(err, SP_EINVAL, "plates enter: bad household %zu", i);
    if (pool == SP_PLATE_NONE) {
        st->plate_state[i] = SP_PLATE_NONE;
        st->applicants[i] = 0;
        st->plate_months[i] = 0;
        ps->rounds[i] = 0;
        ps->won_nev[i] = 0;
        return SP_OK;
    }
    if (pool != SP_PLATE_LOTTERY && pool != SP_PLATE_NEV_QUEUE)
        return sp_err_set(err, SP_EINVAL, "plates enter: pool must be none, lottery or NEV queue, got %d", pool);
    if (applicants < 1 || applicants > 255)
        return sp_err_set(err, SP_EINVAL, "plates enter: applicants must be 1..255, got %d", applicants);
    st->plate_state[i] = (uint8_t)pool;
    st->applicants[i] = (uint8_t)applicants;
    st->plate_months[i] = 0;
    ps->rounds[i] = 0;
    ps->won_nev[i] = 0;
    return SP_OK;
}

void sp_plates_age(sp_hstate *st)
{
    for (size_t i = 0; i < st->n; i++)
        if (st->plate_state[i] != SP_PLATE_NONE && st->plate_months[i] < UINT16_MAX)
            st->plate_months[i]++;
}

/* ---- households ---- */

/* 1 when household i applies as a family under family rules: no car, two or
 * more persons. */
static int is_family(const sp_population *pop, const sp_hstate *st, size_t i)
{
    return st->ncars[i] == 0 && pop->size[i] >= 2;
}

static int applicants_of(const sp_population *pop, const sp_hstate *st, size_t i)
{
    int a = st->applicants[i];
    int s = pop->size[i] ? pop->size[i] : 1;
    if (a < 1)
        a = 1;
    return a < s ? a : s;
}

int sp_plates_household_points(const sp_plate_regime_def *r, const sp_population *pop,
                               const sp_hstate *st, const sp_plates_state *ps, size_t i)
{
    int size = pop->size[i] ? pop->size[i] : 1;
    int g = pop->generations[i];
    g = g < 1 ? 1 : (g > 3 ? 3 : g);
    int spouse = size >= 2 && !(size == 2 && g == 2);
    int a = applicants_of(pop, st, i);
    int extra = 0; /* ladder step or NEV years of a member with history */
    if (st->plate_state[i] == SP_PLATE_LOTTERY)
        extra = sp_plates_ladder_step(ps->rounds[i], r->rounds_per_step);
    else if (st->plate_state[i] == SP_PLATE_NEV_QUEUE)
        extra = (st->plate_months[i] + 11) / 12;
    int pmain = 2 + extra;
    int pspouse = spouse ? 1 + (a >= 2 ? extra : 0) : 0;
    int nothers = size - 1 - spouse;
    int hothers = a - 1 - spouse;
    hothers = hothers < 0 ? 0 : (hothers > nothers ? nothers : hothers);
    int pothers = nothers + hothers * extra;
    return (spouse ? (pmain + pspouse) * 2 + pothers : pmain + pothers) * g;
}

/* Lottery weight of household i's entry in month. */
static double lottery_weight(const sp_plate_regime_def *r, const sp_population *pop, const sp_hstate *st,
                             const sp_plates_state *ps, size_t i, int month, int family)
{
    if (family && is_family(pop, st, i))
        return sp_plates_household_points(r, pop, st, ps, i);
    int a = applicants_of(pop, st, i);
    int step = month >= r->ladder_from ? sp_plates_ladder_step(ps->rounds[i], r->rounds_per_step) : 1;
    return (double)a * step;
}

static void win(sp_hstate *st, sp_plates_state *ps, size_t i, int nev)
{
    st->plate_state[i] = SP_PLATE_WON;
    st->applicants[i] = 0;
    st->plate_months[i] = 0;
    ps->rounds[i] = 0;
    ps->won_nev[i] = (uint8_t)nev;
}

/* Hands the candidates' winners their plates; records the pool's stats. */
static void allocate(sp_plate_cand *c, size_t m, double quota, sp_hstate *st, sp_plates_state *ps, int nev,
                     double *winners)
{
    size_t k;
    double got;
    sp_plates_select(c, m, quota, &k, &got);
    for (size_t j = 0; j < k; j++)
        win(st, ps, c[j].id, nev);
    *winners = got;
}

/* Allocates `quota` NEV plates to car-less families ranked by family points
 * (ties by key): the families in the NEV queue, and in the lottery too when
 * with_lottery. Records the pool's statistics in s; returns the plates left. */
static double family_ranking(const sp_plate_regime_def *r, const sp_population *pop, sp_hstate *st,
                             sp_plates_state *ps, int month, sp_rng_key key, int with_lottery,
                             int pool, double quota, sp_plate_round_stats *s)
{
    sp_plate_cand *c = ps->cand;
    size_t m = 0;
    for (size_t i = 0; i < pop->n; i++) {
        int ps_i = st->plate_state[i];
        if ((ps_i == SP_PLATE_NEV_QUEUE || (with_lottery && ps_i == SP_PLATE_LOTTERY)) &&
            is_family(pop, st, i)) {
            double pts = sp_plates_household_points(r, pop, st, ps, i);
            c[m].key = rank_key(key, (uint32_t)i, month, 1, 0, pts);
            c[m].id = (uint32_t)i;
            c[m].plates = pop->weight[i];
            s->applicants[pool] += pop->weight[i] * pop->size[i];
            s->entries[pool] += pop->weight[i];
            m++;
        }
    }
    s->held[pool] = 1;
    s->quota[pool] = quota;
    allocate(c, m, quota, st, ps, 1, &s->winners[pool]);
    return quota - s->winners[pool];
}

/* The individual NEV queue: quota iq, longest in the queue first, ties by
 * key; under family rules the queue's families are ranked apart. */
static void nev_queue_round(const sp_population *pop, sp_hstate *st, sp_plates_state *ps, int month,
                            sp_rng_key key, int family, double iq, sp_plate_round_stats *s)
{
    sp_plate_cand *c = ps->cand;
    size_t m = 0;
    for (size_t i = 0; i < pop->n; i++)
        if (st->plate_state[i] == SP_PLATE_NEV_QUEUE && !(family && is_family(pop, st, i))) {
            c[m].key = rank_key(key, (uint32_t)i, month, 0, 2, st->plate_months[i]);
            c[m].id = (uint32_t)i;
            c[m].plates = pop->weight[i];
            s->applicants[SP_PLATE_POOL_NEV] += pop->weight[i] * applicants_of(pop, st, i);
            s->entries[SP_PLATE_POOL_NEV] += pop->weight[i];
            m++;
        }
    s->held[SP_PLATE_POOL_NEV] = 1;
    s->quota[SP_PLATE_POOL_NEV] = iq;
    allocate(c, m, iq, st, ps, 1, &s->winners[SP_PLATE_POOL_NEV]);
}

/* The ordinary lottery: Efraimidis-Spirakis keys, weighted top-k; the
 * published odds; the losers gain an unsuccessful round where rounds count. */
static void ordinary_round(const sp_plate_regime_def *r, const sp_population *pop, sp_hstate *st,
                           sp_plates_state *ps, int month, sp_rng_key key, int family,
                           sp_plate_round_stats *s)
{
    const double q = sp_plate_regime_ordinary_quota(r, month);
    sp_plate_cand *c = ps->cand;
    size_t m = 0;
    for (size_t i = 0; i < pop->n; i++)
        if (st->plate_state[i] == SP_PLATE_LOTTERY) {
            double w = lottery_weight(r, pop, st, ps, i, month, family);
            c[m].key = sp_plates_lottery_key(key, (uint32_t)i, month, 0, w);
            c[m].id = (uint32_t)i;
            c[m].plates = pop->weight[i];
            s->applicants[SP_PLATE_POOL_ORDINARY] += pop->weight[i] * applicants_of(pop, st, i);
            s->entries[SP_PLATE_POOL_ORDINARY] += pop->weight[i];
            s->weight_sum += pop->weight[i] * w;
            m++;
        }
    s->held[SP_PLATE_POOL_ORDINARY] = 1;
    s->quota[SP_PLATE_POOL_ORDINARY] = q;
    allocate(c, m, q, st, ps, 0, &s->winners[SP_PLATE_POOL_ORDINARY]);
    if (s->weight_sum > 0 && q > 0) {
        s->base_odds = q / s->weight_sum;
        s->base_odds_1_in = s->weight_sum / q;
    }
    if (q > 0)
        s->raw_ratio = s->applicants[SP_PLATE_POOL_ORDINARY] / q;
    if (counts(r, month))
        for (size_t i = 0; i < pop->n; i++)
            if (st->plate_state[i] == SP_PLATE_LOTTERY && ps->rounds[i] < UINT16_MAX)
                ps->rounds[i]++;
}

/* The arguments of a round: every pointer, matching sizes, ids in 32 bits,
 * a valid regime. */
static int round_check(const sp_plate_regime_def *r, const sp_population *pop, const sp_hstate *st,
                       const sp_plates_state *ps, sp_err *err)
{
    if (!r || !pop || !st || !ps)
        return sp_err_set(err, SP_EINVAL, "plates round: NULL argument");
    if (st->n != pop->n || ps->n != pop->n)
        return sp_err_set(err, SP_EINVAL, "plates round: sizes differ (population %zu, state %zu, plates %zu)",
                          pop->n, st->n, ps->n);
    if (pop->n > UINT32_MAX)
        return sp_err_set(err, SP_EINVAL, "plates round: %zu households exceed 2^32", pop->n);
    return sp_plate_regime_validate(r, err);
}

int sp_plates_round(const sp_plate_regime_def *r, const sp_population *pop, sp_hstate *st, sp_plates_state *ps,
                    int month, sp_rng_key key, sp_plate_round_stats *out, sp_err *err)
{
    sp_plate_round_stats s;
    memset(&s, 0, sizeof s);
    s.month = month;
    if (out)
        *out = s;
    int rc = round_check(r, pop, st, ps, err);
    if (rc != SP_OK)
        return rc;
    int y = sp_plate_regime_year(month);
    if (y < 0)
        return SP_OK;
    int family = sp_plate_regime_family(r, month);
    int ord = sp_plate_regime_ordinary_round(r, month);
    int nevr = sp_plate_regime_nev_round(r, month);
    double extra = 0;
    int nextra = 0;
    for (int k = 0; k < r->nextra; k++)
        if (r->extra[k].month == month) {
            extra += r->extra[k].plates;
            nextra++;
        }
    if (!ord && !nevr && !nextra)
        return SP_OK;

    double share = family ? r->family_nev_share[y] : 0.0;
    double leftover = 0; /* NEV plates passed on to the individual queue */
    /* 1. One-off extra quotas: car-less families in either pool, by points. */
    if (nextra)
        leftover += family_ranking(r, pop, st, ps, month, key, 1, SP_PLATE_POOL_EXTRA, extra, &s);
    /* 2. Family NEV share: car-less families in the NEV queue, by points. */
    double nevq = nevr ? sp_plate_regime_nev_quota(r, month) : 0;
    if (nevr && family)
        leftover += family_ranking(r, pop, st, ps, month, key, 0, SP_PLATE_POOL_FAMILY_NEV,
                                   nevq * share, &s);
    /* 3. Individual NEV queue (the family share exactly complemented). */
    if (nevr || leftover > 0)
        nev_queue_round(pop, st, ps, month, key, family, nevq - nevq * share + leftover, &s);
    /* 4. Ordinary lottery. */
    if (ord)
        ordinary_round(r, pop, st, ps, month, key, family, &s);

    /* Individual NEV queue after the allocations. */
    for (size_t i = 0; i < pop->n; i++)
        if (st->plate_state[i] == SP_PLATE_NEV_QUEUE && !(family && is_family(pop, st, i)))
            s.nev_queue += pop->weight[i] * applicants_of(pop, st, i);
    double annual = r->nev_quota[y] * (1 - share);
    s.nev_wait_years = annual > 0 ? s.nev_queue / annual : 0;
    if (out)
        *out = s;
    return SP_OK;
}

/* ---- the measures ---- */

_Static_assert(sizeof(sp_plate_regime_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");
_Static_assert(sizeof(sp_plate_extra_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

/* A regime's run: its definition with the package's extra quotas, and the
 * plate state of the run's households. */
typedef struct regime_run {
    sp_plate_regime_def def;
    sp_plates_state *ps;
} regime_run;

static int regime_validate(const void *def, sp_err *err) { return sp_plate_regime_validate(def, err); }

static int regime_admit(const sp_package *p, const void *def, sp_err *err)
{
    (void)def;
    if (sp_package_count(p, &sp_plate_regime_measure) > 0)
        return sp_err_set(err, SP_EINVAL, "package \"%s\" already has a plate regime (a package holds one)",
                          p->name);
    return SP_OK;
}

static int regime_window(const void *allocator, int month)
{
    return sp_plate_regime_window(&((const regime_run *)allocator)->def, month);
}

static void regime_enter(void *allocator, sp_hstate *st, size_t i, int pool, int applicants)
{
    sp_plates_enter(((regime_run *)allocator)->ps, st, i, pool, applicants, NULL);
}

static int regime_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    regime_run *rr = calloc(1, sizeof *rr);
    if (!rr)
        return sp_err_set(err, SP_ENOMEM, "out of memory for a plate regime");
    *state = rr;
    rr->def = *(const sp_plate_regime_def *)sp_measure_def(m);
    const sp_package *pkg = env->pkg;
    for (int k = 0; k < pkg->nmeasures; k++) {
        if (pkg->measures[k].ops != &sp_plate_extra_measure)
            continue;
        if (rr->def.nextra >= SP_PLATE_MAX_EXTRA)
            return sp_err_set(err, SP_EINVAL, "package \"%s\": more than %d extra quotas", pkg->name,
                              SP_PLATE_MAX_EXTRA);
        rr->def.extra[rr->def.nextra++] = *(const sp_plate_extra_def *)sp_measure_def(&pkg->measures[k]);
    }
    rr->ps = sp_plates_state_alloc(&rr->def, env->pop, env->state, env->start_month, err);
    if (!rr->ps)
        return err ? err->code : SP_ENOMEM;
    sp_car_policy *cp = env->car_policy;
    cp->plates = rr;
    cp->plate_window = regime_window;
    cp->plate_enter = regime_enter;
    return SP_OK;
}

static void regime_free(void *state)
{
    regime_run *rr = state;
    if (rr)
        sp_plates_state_free(rr->ps);
    free(rr);
}

/* The month's allocation: a round, its statistics, and the plate type of
 * every new winner passed to the car market. Acts on no household later. */
static int regime_month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    (void)m;
    regime_run *rr = state;
    sp_plate_round_stats ps;
    int rc = sp_plates_round(&rr->def, env->pop, env->state, rr->ps, env->month, env->key, &ps, err);
    if (rc != SP_OK)
        return rc;
    double *o = env->plate_stats;
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
    const sp_hstate *st = env->state;
    if (o[SP_PS_ROUND])
        for (size_t i = 0; i < env->pop->n; i++)
            if (st->plate_state[i] == SP_PLATE_WON && st->plate_months[i] == 0)
                sp_cars_set_plate_nev(env->cars, i, sp_plates_won_nev(rr->ps, i));
    return 0;
}

static void regime_month_end(void *state, const sp_measure *m, sp_run_env *env)
{
    (void)state;
    (void)m;
    sp_plates_age(env->state);
}

const sp_measure_ops sp_plate_regime_measure = {
    .kind = "plate_regime",
    .def_size = sizeof(sp_plate_regime_def),
    .order = 10,
    .validate = regime_validate,
    .admit = regime_admit,
    .run_alloc = regime_alloc,
    .run_free = regime_free,
    .month_start = regime_month_start,
    .month_end = regime_month_end,
};

static int extra_validate(const void *def, sp_err *err)
{
    const sp_plate_extra_def *d = def;
    if (!(d->plates >= 0) || !isfinite(d->plates))
        return sp_err_set(err, SP_EINVAL, "extra quota plates must be 0 or more, got %g", d->plates);
    return SP_OK;
}

static int extra_admit(const sp_package *p, const void *def, sp_err *err)
{
    (void)def;
    if (sp_package_count(p, &sp_plate_extra_measure) >= SP_PLATE_MAX_EXTRA)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d extra quotas", SP_PLATE_MAX_EXTRA);
    return SP_OK;
}

static int extra_fits(const sp_measure *m, const sp_package *p, int first, int last, sp_err *err)
{
    int mo = ((const sp_plate_extra_def *)sp_measure_def(m))->month;
    if (mo < first || mo > last) {
        char a[8], b[8], c[8];
        sp_month_format(mo, a);
        sp_month_format(first, b);
        sp_month_format(last, c);
        return sp_err_set(err, SP_EINVAL, "extra quota \"%s\" in %s is outside the horizon %s..%s",
                          m->name, a, b, c);
    }
    if (!sp_package_plates(p))
        return sp_err_set(err, SP_EINVAL,
                          "package \"%s\": extra quota \"%s\" needs a plate regime in the package",
                          p->name, m->name);
    return SP_OK;
}

const sp_measure_ops sp_plate_extra_measure = {
    .kind = "extra_quota",
    .def_size = sizeof(sp_plate_extra_def),
    .order = 10,
    .validate = extra_validate,
    .admit = extra_admit,
    .fits = extra_fits,
};

int sp_package_add_plates(sp_package *p, const char *name, const sp_plate_regime_def *d, sp_err *err)
{
    return sp_package_add(p, &sp_plate_regime_measure, name, d, err);
}

int sp_package_add_plate_extra(sp_package *p, const char *name, const sp_plate_extra_def *d,
                               sp_err *err)
{
    return sp_package_add(p, &sp_plate_extra_measure, name, d, err);
}

const sp_plate_regime_def *sp_package_plates(const sp_package *p)
{
    const sp_measure *m = sp_package_find(p, &sp_plate_regime_measure);
    return m ? sp_measure_def(m) : NULL;
}
