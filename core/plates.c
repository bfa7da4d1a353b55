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

/* Published pool stocks (persons: valid application codes), dated by the
 * month of the count; data/beijing_plate_lottery_applicants.csv gives every
 * row's source. -1: no count that month (the series is interpolated across
 * it). NEV queue: 0 in 2011-01 (NEV quotas began in 2014) and 2016-06 (the
 * year's NEV quota was not yet exhausted: derived, see the CSV). */
static const struct {
    int year, month;
    double ordinary, nev;
} pool_table[] = {
    {2011, 1, 187420, 0},     {2011, 2, 306865, -1},    {2011, 7, 614441, -1},
    {2012, 8, 1050000, -1},   {2012, 11, 1670000, -1},  {2013, 1, 1400000, -1},
    {2013, 2, 1420000, -1},
    {2013, 11, 1700000, -1},  {2016, 4, 2650000, -1},   {2016, 6, -1, 0},
    {2017, 12, 2800000, 117678}, {2018, 2, 2800000, -1}, {2018, 4, -1, 234650},
    {2019, 2, 3100000, 390000}, {2019, 6, 3260000, 430656}, {2019, 8, 3320000, 442411},
    {2020, 2, 3350538, 467360},
};
#define NPOOL ((int)(sizeof pool_table / sizeof pool_table[0]))

void sp_plates_pool_range(int *first, int *last)
{
    *first = sp_month_make(pool_table[0].year, pool_table[0].month);
    *last = sp_month_make(pool_table[NPOOL - 1].year, pool_table[NPOOL - 1].month);
}

/* The series (0 ordinary, 1 NEV) at month, linear between its counts; the
 * month lies inside the range, where both series have their end points. */
static double pool_series(int series, int month)
{
    int m0 = 0;
    double v0 = 0;
    for (int k = 0; k < NPOOL; k++) {
        double v = series ? pool_table[k].nev : pool_table[k].ordinary;
        if (v < 0)
            continue;
        int m = sp_month_make(pool_table[k].year, pool_table[k].month);
        if (m == month)
            return v;
        if (m > month)
            return v0 + (v - v0) * (double)(month - m0) / (double)(m - m0);
        m0 = m;
        v0 = v;
    }
    return v0;
}

int sp_plates_dated_pools(int month, double *ordinary, double *nev, sp_err *err)
{
    int first, last;
    sp_plates_pool_range(&first, &last);
    if (month < first || month > last) {
        char a[8], b[8], c[8];
        sp_month_format(month, a);
        sp_month_format(first, b);
        sp_month_format(last, c);
        return sp_err_set(err, SP_EINVAL, "plate pools: %s is outside the published pool counts %s..%s", a, b,
                          c);
    }
    *ordinary = pool_series(0, month);
    *nev = pool_series(1, month);
    return SP_OK;
}

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
    r.ladder_threshold = 24;
    r.ladder_every = 12;
    r.count_pre_ladder_rounds = 1;
    r.pools_month = SP_PLATE_POOLS_START;
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
    if (r->kind != SP_PLATE_INDIVIDUAL && r->kind != SP_PLATE_FAMILY && r->kind != SP_PLATE_HISTORICAL &&
        r->kind != SP_PLATE_UNRESTRICTED)
        return sp_err_set(err, SP_EINVAL,
                          "plate regime: kind must be individual, family, historical or unrestricted, got %d",
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
    if (r->ladder_threshold < 0)
        return sp_err_set(err, SP_EINVAL, "plate regime: ladder_threshold must be 0 or more draws, got %d",
                          r->ladder_threshold);
    if (r->ladder_every < 1)
        return sp_err_set(err, SP_EINVAL, "plate regime: ladder_every must be at least 1 draw, got %d",
                          r->ladder_every);
    if (r->pools_month != SP_PLATE_POOLS_START && r->pools_month != SP_PLATE_POOLS_POPULATION) {
        double o, v;
        if (sp_plates_dated_pools(r->pools_month, &o, &v, err) != SP_OK)
            return SP_EINVAL;
    }
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

int sp_plates_ladder_step(int draws, int threshold, int every)
{
    if (draws <= threshold || every < 1)
        return 1;
    return 2 + (draws - threshold - 1) / every;
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

/* flags of a household in the run's plate state */
enum {
    PF_NEV = 1,    /* the plate held is NEV-only */
    PF_DORMANT = 2 /* left its pool at the start (dated pools): takes no part until it applies */
};

struct sp_plates_state {
    size_t n;
    /* In an active pool: unsuccessful monthly-equivalent draws that count
     * towards the ladder. Outside (reservoir or dormant): 1 + the run month of
     * the household's next application, 0 = none drawn. */
    uint16_t *rounds;
    uint8_t *flags;       /* PF_* */
    sp_plate_cand *cand;  /* workspace, n entries */
};

size_t sp_plates_bytes_per_household(void) { return sizeof(uint16_t) + sizeof(uint8_t); }

void sp_plates_state_free(sp_plates_state *ps)
{
    if (!ps)
        return;
    free(ps->rounds);
    free(ps->flags);
    free(ps->cand);
    free(ps);
}

int sp_plate_regime_round_draws(const sp_plate_regime_def *r, int month)
{
    int k = sp_plate_regime_year(month);
    if (k < 0 || !(r->count_pre_ladder_rounds || month >= r->ladder_from))
        return 0;
    int n = r->ordinary_rounds[k];
    return rounds_ok(n) ? 12 / n : 0;
}

/* Counted draws of the ordinary rounds held in months [month - d, month),
 * saturating at UINT16_MAX. */
static uint16_t credited(const int *cum, int d)
{
    return (uint16_t)(cum[d] > UINT16_MAX ? UINT16_MAX : cum[d]);
}

/* cum[d] = counted draws of the rounds in months [month - d, month), d <= maxd;
 * NULL when out of memory. */
static int *credit_table(const sp_plate_regime_def *r, int month, int maxd)
{
    int *cum = malloc(((size_t)maxd + 1) * sizeof *cum);
    if (!cum)
        return NULL;
    cum[0] = 0;
    for (int d = 1; d <= maxd; d++) {
        int mo = month - d;
        cum[d] = cum[d - 1] + (sp_plate_regime_ordinary_round(r, mo) ? sp_plate_regime_round_draws(r, mo) : 0);
    }
    return cum;
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
    ps->flags = calloc(n ? n : 1, sizeof *ps->flags);
    ps->cand = malloc((n ? n : 1) * sizeof *ps->cand);
    int maxd = 0;
    for (size_t i = 0; i < n; i++)
        if (st->plate_state[i] == SP_PLATE_LOTTERY && st->plate_months[i] > maxd)
            maxd = st->plate_months[i];
    int *cum = credit_table(r, month, maxd);
    if (!ps->rounds || !ps->flags || !ps->cand || !cum) {
        free(cum);
        sp_plates_state_free(ps);
        sp_err_set(err, SP_ENOMEM, "plates state: out of memory for %zu households", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (st->plate_state[i] == SP_PLATE_LOTTERY)
            ps->rounds[i] = credited(cum, st->plate_months[i]);
    free(cum);
    return ps;
}

int sp_plates_rounds(const sp_plates_state *ps, size_t i) { return ps->rounds[i]; }
int sp_plates_won_nev(const sp_plates_state *ps, size_t i) { return (ps->flags[i] & PF_NEV) != 0; }
int sp_plates_dormant(const sp_plates_state *ps, size_t i) { return (ps->flags[i] & PF_DORMANT) != 0; }

int sp_plates_enter(sp_plates_state *ps, sp_hstate *st, size_t i, int pool, int applicants, sp_err *err)
{
    if (!ps || !st || i >= st->n || i >= ps->n)
        return sp_err_set(err, SP_EINVAL, "plates enter: bad household %zu", i);
    if (pool == SP_PLATE_NONE) {
        st->plate_state[i] = SP_PLATE_NONE;
        st->applicants[i] = 0;
        st->plate_months[i] = 0;
        ps->rounds[i] = 0;
        ps->flags[i] = 0;
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
    ps->flags[i] = 0;
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
static inline int active(const sp_plates_state *ps, size_t i) { return !(ps->flags[i] & PF_DORMANT); }

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
        extra = sp_plates_ladder_step(ps->rounds[i], r->ladder_threshold, r->ladder_every);
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
    int step = month >= r->ladder_from ? sp_plates_ladder_step(ps->rounds[i], r->ladder_threshold, r->ladder_every)
                                        : 1;
    return (double)a * step;
}

static void win(sp_hstate *st, sp_plates_state *ps, size_t i, int nev)
{
    st->plate_state[i] = SP_PLATE_WON;
    st->applicants[i] = 0;
    st->plate_months[i] = 0;
    ps->rounds[i] = 0;
    ps->flags[i] = nev ? PF_NEV : 0;
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
            is_family(pop, st, i) && active(ps, i)) {
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
        if (st->plate_state[i] == SP_PLATE_NEV_QUEUE && !(family && is_family(pop, st, i)) && active(ps, i)) {
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
        if (st->plate_state[i] == SP_PLATE_LOTTERY && active(ps, i)) {
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
    if (s->applicants[SP_PLATE_POOL_ORDINARY] > 0)
        s->mean_weight = s->weight_sum / s->applicants[SP_PLATE_POOL_ORDINARY];
    const int d = sp_plate_regime_round_draws(r, month);
    if (d > 0)
        for (size_t i = 0; i < pop->n; i++)
            if (st->plate_state[i] == SP_PLATE_LOTTERY && active(ps, i))
                ps->rounds[i] = (uint16_t)(ps->rounds[i] + d > UINT16_MAX ? UINT16_MAX : ps->rounds[i] + d);
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
        if (st->plate_state[i] == SP_PLATE_NEV_QUEUE && !(family && is_family(pop, st, i)) && active(ps, i))
            s.nev_queue += pop->weight[i] * applicants_of(pop, st, i);
    double annual = r->nev_quota[y] * (1 - share);
    s.nev_wait_years = annual > 0 ? s.nev_queue / annual : 0;
    if (out)
        *out = s;
    return SP_OK;
}

/* ---- dated pools and inflow ---- */

/* 1 when household i may apply: outside an active pool (none, or dormant),
 * no plate held, room for a car and a member without one. */
static inline int in_reservoir(const sp_population *pop, const sp_hstate *st, const sp_plates_state *ps,
                               size_t i)
{
    int p = st->plate_state[i], nc = st->ncars[i];
    return (p == SP_PLATE_NONE || ((p == SP_PLATE_LOTTERY || p == SP_PLATE_NEV_QUEUE) && !active(ps, i))) &&
           nc < SP_MAX_CARS && pop->size[i] > nc;
}

/* Persons household i puts in the lottery: its drivers without a car, at
 * least 1 and at most its size (as applicants_of counts them). */
static int lottery_persons(const sp_population *pop, const sp_hstate *st, size_t i)
{
    int f = (int)pop->drivers[i] - (int)st->ncars[i], s = pop->size[i] ? pop->size[i] : 1;
    f = f < s ? f : s;
    return f > 1 ? (f < 255 ? f : 255) : 1;
}

void sp_plates_pool_persons(const sp_population *pop, const sp_hstate *st, const sp_plates_state *ps,
                            double *ordinary, double *nev)
{
    /* without branches; four partial sums in a fixed pattern (deterministic) */
    double o[4] = {0, 0, 0, 0}, v[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < pop->n; i++) {
        const int p = st->plate_state[i], act = !(ps->flags[i] & PF_DORMANT);
        const double x = act ? (double)pop->weight[i] * applicants_of(pop, st, i) : 0.0;
        o[i & 3] += p == SP_PLATE_LOTTERY ? x : 0.0;
        v[i & 3] += p == SP_PLATE_NEV_QUEUE ? x : 0.0;
    }
    *ordinary = (o[0] + o[1]) + (o[2] + o[3]);
    *nev = (v[0] + v[1]) + (v[2] + v[3]);
}

double sp_plates_nev_choice(const sp_params *p, int month)
{
    double q = p->nev_queue_choice;
    if (q <= 0 || q >= 1)
        return q <= 0 ? 0 : 1;
    double z = log(q / (1 - q)) + p->nev_trend * (double)(month - sp_month_make(2018, 10)) / 12.0;
    return 1.0 / (1.0 + exp(-z));
}

/* Too many persons in `pool`: its most recent entrants turn dormant while the
 * pool stays at or above `want`. */
static void pool_shrink(const sp_population *pop, sp_hstate *st, sp_plates_state *ps, int pool, double have,
                        double want, int month, sp_rng_key key)
{
    sp_plate_cand *c = ps->cand;
    size_t m = 0, k;
    for (size_t i = 0; i < pop->n; i++)
        if (st->plate_state[i] == pool && active(ps, i)) {
            uint32_t w[4];
            sp_rng_words(key, (uint32_t)i, (uint32_t)(month - 1), SP_PURPOSE_PLATES, 5, w);
            c[m].key = st->plate_months[i] + u53(w[0], w[1]);
            c[m].id = (uint32_t)i;
            c[m].plates = (float)(pop->weight[i] * applicants_of(pop, st, i));
            m++;
        }
    sp_plates_select(c, m, have - want, &k, NULL);
    for (size_t j = 0; j < k; j++) {
        ps->flags[c[j].id] |= PF_DORMANT;
        ps->rounds[c[j].id] = 0;
    }
}

/* Too few persons in `pool`: households of the reservoir that are in no pool
 * join it, in key order, while it stays at or below `want`; cum credits the
 * lottery's entrants (months since `origin`). Returns the households added. */
static size_t pool_grow(const sp_population *pop, sp_hstate *st, sp_plates_state *ps, int pool, double have,
                        double want, int month, int origin, const int *cum, sp_rng_key key)
{
    sp_plate_cand *c = ps->cand;
    size_t m = 0, k;
    const int word = pool == SP_PLATE_NEV_QUEUE ? 0 : 2;
    for (size_t i = 0; i < pop->n; i++)
        if (st->plate_state[i] == SP_PLATE_NONE && in_reservoir(pop, st, ps, i)) {
            uint32_t w[4];
            sp_rng_words(key, (uint32_t)i, (uint32_t)(month - 1), SP_PURPOSE_PLATES, 5, w);
            c[m].key = u53(w[word], w[word + 1]);
            c[m].id = (uint32_t)i;
            c[m].plates = pop->weight[i] * (pool == SP_PLATE_NEV_QUEUE ? 1 : lottery_persons(pop, st, i));
            m++;
        }
    sp_plates_select(c, m, want - have, &k, NULL);
    const int span = month - origin > 1 ? month - origin : 1;
    for (size_t j = 0; j < k; j++) {
        size_t i = c[j].id;
        sp_plates_enter(ps, st, i, pool, pool == SP_PLATE_NEV_QUEUE ? 1 : lottery_persons(pop, st, i), NULL);
        uint32_t w[4];
        sp_rng_words(key, (uint32_t)i, (uint32_t)(month - 1), SP_PURPOSE_PLATES, 6, w);
        int pm = (int)(u53(w[0], w[1]) * span);
        st->plate_months[i] = (uint16_t)pm;
        if (pool == SP_PLATE_LOTTERY)
            ps->rounds[i] = credited(cum, pm);
    }
    return k;
}

int sp_plates_date_pools(const sp_plate_regime_def *r, const sp_population *pop, sp_hstate *st,
                         sp_plates_state *ps, int month, sp_rng_key key, size_t *added, sp_err *err)
{
    double want[2], have[2];
    if (added)
        *added = 0;
    int rc = sp_plates_dated_pools(month, &want[0], &want[1], err);
    if (rc != SP_OK)
        return rc;
    if (st->n != pop->n || ps->n != pop->n || pop->n > UINT32_MAX)
        return sp_err_set(err, SP_EINVAL, "plate pools: sizes differ or exceed 2^32");
    const int origin[2] = {sp_month_make(2011, 1), sp_month_make(2016, 6)};
    const int pool[2] = {SP_PLATE_LOTTERY, SP_PLATE_NEV_QUEUE};
    int *cum = credit_table(r, month, month - origin[0] > 0 ? month - origin[0] : 0);
    if (!cum)
        return sp_err_set(err, SP_ENOMEM, "plate pools: out of memory");
    size_t n = 0;
    for (int k = 1; k >= 0; k--) { /* the NEV queue first, then the lottery */
        sp_plates_pool_persons(pop, st, ps, &have[0], &have[1]);
        if (have[k] > want[k])
            pool_shrink(pop, st, ps, pool[k], have[k], want[k], month, key);
        else if (have[k] < want[k])
            n += pool_grow(pop, st, ps, pool[k], have[k], want[k], month, origin[k], cum, key);
    }
    free(cum);
    if (added)
        *added = n;
    return SP_OK;
}

/* Household i of the reservoir applies in run month rm if its application
 * month is due (drawing one when none is pending): see sp_plates_inflow.
 * Returns 1 when it applied. */
static int apply_if_due(const sp_population *pop, sp_hstate *st, sp_plates_state *ps, size_t i, int month,
                        int rm, sp_rng_key key, double lq, double pnev)
{
    uint32_t w[4];
    int drawn = 0, due = (int)ps->rounds[i] - 1; /* run month of the next application */
    if (due < rm) {                              /* none drawn, or drawn in an earlier spell */
        sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_PLATES, 4, w);
        drawn = 1;
        double t = floor(log(u53(w[0], w[1])) / lq); /* months to wait: geometric */
        due = t < (double)(UINT16_MAX - 1 - rm) ? rm + (int)t : UINT16_MAX - 1;
        ps->rounds[i] = (uint16_t)(due + 1);
    }
    if (due != rm)
        return 0;
    if (!drawn)
        sp_rng_words(key, (uint32_t)i, (uint32_t)month, SP_PURPOSE_PLATES, 4, w);
    int nev = u53(w[2], w[3]) < pnev;
    sp_plates_enter(ps, st, i, nev ? SP_PLATE_NEV_QUEUE : SP_PLATE_LOTTERY, nev ? 1 : lottery_persons(pop, st, i),
                    NULL);
    return 1;
}

size_t sp_plates_inflow(const sp_params *p, const sp_population *pop, sp_hstate *st, sp_plates_state *ps,
                        int month, int run_month, sp_rng_key key)
{
    const double rate = p->plate_inflow_rate;
    if (!(rate > 0) || run_month < 0 || run_month >= UINT16_MAX - 1)
        return 0;
    const double lq = rate < 1 ? log1p(-rate) : -INFINITY; /* ln P(no application in a month) */
    const double pnev = sp_plates_nev_choice(p, month);
    const uint32_t rm1 = (uint32_t)run_month + 1;
    const uint8_t *pst = st->plate_state, *nc = st->ncars, *size = pop->size, *fl = ps->flags;
    const uint16_t *due1 = ps->rounds;
    size_t carless = 0;
    for (size_t i = 0; i < pop->n; i++) {
        /* without branches: in the reservoir and due now or without a pending month
         * (in an active pool `rounds` is the ladder count and the test is false) */
        const uint32_t pi = pst[i], ci = nc[i];
        const uint32_t pool = (pi == SP_PLATE_LOTTERY) | (pi == SP_PLATE_NEV_QUEUE);
        const uint32_t out = (pi == SP_PLATE_NONE) | (pool & ((fl[i] & PF_DORMANT) != 0));
        const uint32_t room = (ci < SP_MAX_CARS) & (size[i] > ci);
        if (!(out & room & ((uint32_t)due1[i] <= rm1)))
            continue;
        int c0 = ci == 0;
        if (apply_if_due(pop, st, ps, i, month, run_month, key, lq, pnev))
            carless += (size_t)c0;
    }
    return carless;
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

/* The month whose published stocks the run's pools start from (0: keep the
 * population's pools). */
static int pools_month(const sp_plate_regime_def *r, int start)
{
    if (r->pools_month != SP_PLATE_POOLS_START)
        return r->pools_month;
    int first, last;
    sp_plates_pool_range(&first, &last);
    return start < first ? first : (start > last ? last : start);
}

/* No plates: car-less households shop without one, and no pools exist. */
static void unrestricted_alloc(sp_run_env *env)
{
    sp_hstate *st = env->state;
    sp_cars_set_plates_required(env->cars, st, 0);
    for (size_t i = 0; i < st->n; i++)
        if (st->plate_state[i] == SP_PLATE_LOTTERY || st->plate_state[i] == SP_PLATE_NEV_QUEUE) {
            st->plate_state[i] = SP_PLATE_NONE;
            st->applicants[i] = 0;
            st->plate_months[i] = 0;
        }
}

static int regime_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    regime_run *rr = calloc(1, sizeof *rr);
    if (!rr)
        return sp_err_set(err, SP_ENOMEM, "out of memory for a plate regime");
    *state = rr;
    rr->def = *(const sp_plate_regime_def *)sp_measure_def(m);
    if (rr->def.kind == SP_PLATE_UNRESTRICTED) {
        unrestricted_alloc(env);
        return SP_OK;
    }
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
    int pm = pools_month(&rr->def, env->start_month);
    if (pm != SP_PLATE_POOLS_POPULATION) {
        size_t added;
        int rc = sp_plates_date_pools(&rr->def, env->pop, env->state, rr->ps, pm, env->key, &added, err);
        if (rc != SP_OK)
            return rc;
        if (added) /* car-less newcomers wait for a plate, as the car market's own applicants */
            sp_cars_set_plates_required(env->cars, env->state, 1);
    }
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

/* Copies a round's statistics to the month's plate statistics. */
static void round_stats(const sp_plate_round_stats *ps, double *o)
{
    for (int k = 0; k < SP_PLATE_NPOOLS; k++) {
        o[SP_PS_ROUND] = o[SP_PS_ROUND] || ps->held[k];
        o[SP_PS_APPLICANTS_ORDINARY + k] = ps->applicants[k];
        o[SP_PS_QUOTA_ORDINARY + k] = ps->quota[k];
        o[SP_PS_WINNERS_ORDINARY + k] = ps->winners[k];
    }
    o[SP_PS_BASE_ODDS] = ps->base_odds;
    o[SP_PS_BASE_ODDS_1_IN] = ps->base_odds_1_in;
    o[SP_PS_RAW_RATIO] = ps->raw_ratio;
    o[SP_PS_NEV_QUEUE] = ps->nev_queue;
    o[SP_PS_NEV_WAIT_YEARS] = ps->nev_wait_years;
    o[SP_PS_MEAN_WEIGHT] = ps->mean_weight;
}

/* The month's applications (from the run's second month: the first month's
 * pools are the dated stock), the pools' persons, then the allocation: a
 * round, its statistics, and the plate type of every new winner passed to the
 * car market. Acts on no household later. */
static int regime_month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    (void)m;
    regime_run *rr = state;
    if (!rr->ps)
        return 0; /* no plates */
    /* The car market sees a car-less applicant as any car-less household in a
     * pool (it takes the full car step until it comes to want a car, with the
     * same outcomes); telling it each month (sp_cars_set_plates_required, a
     * pass over every household) cost more than those steps. */
    if (env->month > env->start_month)
        sp_plates_inflow(env->params, env->pop, env->state, rr->ps, env->month, env->month - env->start_month,
                         env->key);
    double *o = env->plate_stats;
    sp_plates_pool_persons(env->pop, env->state, rr->ps, &o[SP_PS_POOL_ORDINARY], &o[SP_PS_POOL_NEV]);
    sp_plate_round_stats ps;
    int rc = sp_plates_round(&rr->def, env->pop, env->state, rr->ps, env->month, env->key, &ps, err);
    if (rc != SP_OK)
        return rc;
    round_stats(&ps, o);
    const sp_hstate *st = env->state;
    if (o[SP_PS_ROUND])
        for (size_t i = 0; i < env->pop->n; i++)
            if (st->plate_state[i] == SP_PLATE_WON && st->plate_months[i] == 0)
                sp_cars_set_plate_nev(env->cars, i, sp_plates_won_nev(rr->ps, i));
    return 0;
}

static void regime_month_end(void *state, const sp_measure *m, sp_run_env *env)
{
    (void)m;
    if (((regime_run *)state)->ps)
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
