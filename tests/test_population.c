/* test_population.c: the household column store (core/population.h):
 * allocation and release (free(NULL) a no-op), dynamic state init/copy/release,
 * the persistent footprint (<= 64 bytes per household, docs/performance.md), and the
 * Engel-curve shares: they sum to 1, stay positive, and the food share falls
 * with per-capita income, for hand-set curves and for the calibrated Beijing
 * population; stored (quantised) shares sum to exactly 1. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_alloc_zeroed(void **state)
{
    (void)state;
    sp_err err;
    sp_err_clear(&err);
    sp_population *p = sp_population_alloc(1000, &err);
    assert_non_null(p);
    assert_int_equal(p->n, 1000);
    assert_int_equal(p->state.n, 1000);
    for (size_t i = 0; i < p->n; i++) {
        assert_true(p->weight[i] == 0.0f && p->income[i] == 0.0f && p->consumption[i] == 0.0f);
        assert_int_equal(p->size[i] | p->area[i] | p->liquidity[i] | p->quintile[i] |
                             p->drivers[i] | p->eligible[i] | p->generations[i],
                         0);
        assert_int_equal(p->state.ncars[i] | p->state.plate_state[i] | p->state.applicants[i], 0);
        assert_int_equal(p->state.car_age[0][i] | p->state.car_age[1][i] | p->state.plate_months[i],
                         0);
        assert_true(p->state.deferred[i] == 0.0f && p->state.pending[i] == 0.0f);
        assert_int_equal(p->state.deferred_mask[i] | p->state.pending_months[i], 0);
        for (int c = 0; c < SP_NCAT; c++)
            assert_int_equal(p->shares[i * SP_NCAT + (size_t)c], 0);
    }
    sp_population_free(p);
}

static void test_free_null(void **state)
{
    (void)state;
    sp_population_free(NULL);
    sp_hstate_release(NULL);
}

#if defined(__SANITIZE_ADDRESS__)
#define SP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SP_TEST_ASAN 1
#endif
#endif

static void test_alloc_too_large_fails(void **state)
{
    (void)state;
#ifdef SP_TEST_ASAN
    skip(); /* AddressSanitizer aborts on impossible allocations instead of returning NULL */
#endif
    sp_err err;
    sp_err_clear(&err);
    sp_population *p = sp_population_alloc(SIZE_MAX / 2, &err);
    assert_null(p);
    assert_int_equal(err.code, SP_ENOMEM);
}

static void fill_state(sp_hstate *s)
{
    for (size_t i = 0; i < s->n; i++) {
        s->ncars[i] = (uint8_t)(i % 3);
        s->car_age[0][i] = (uint16_t)(i * 7);
        s->car_age[1][i] = (uint16_t)(i * 11);
        s->car_kind[0][i] = (uint8_t)(i % 5 + 2);
        s->car_kind[1][i] = (uint8_t)(SP_CAR_NEV | 6u);
        s->plate_state[i] = (uint8_t)(i % 4);
        s->applicants[i] = (uint8_t)(i % 2);
        s->plate_months[i] = (uint16_t)(i * 3);
        s->deferred[i] = (float)i * 0.5f;
        s->deferred_mask[i] = (uint8_t)(i * 13);
        s->pending[i] = (float)i * 0.25f;
        s->pending_months[i] = (uint8_t)(i % 7);
    }
}

static void assert_states_equal(const sp_hstate *a, const sp_hstate *b)
{
    assert_int_equal(a->n, b->n);
    size_t n = a->n;
    assert_memory_equal(a->ncars, b->ncars, n);
    assert_memory_equal(a->plate_state, b->plate_state, n);
    assert_memory_equal(a->applicants, b->applicants, n);
    assert_memory_equal(a->plate_months, b->plate_months, n * sizeof(uint16_t));
    assert_memory_equal(a->deferred, b->deferred, n * sizeof(float));
    assert_memory_equal(a->deferred_mask, b->deferred_mask, n);
    assert_memory_equal(a->pending, b->pending, n * sizeof(float));
    assert_memory_equal(a->pending_months, b->pending_months, n);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        assert_memory_equal(a->car_age[k], b->car_age[k], n * sizeof(uint16_t));
        assert_memory_equal(a->car_kind[k], b->car_kind[k], n);
    }
}

static void test_hstate_copy(void **state)
{
    (void)state;
    sp_hstate a, b;
    assert_int_equal(sp_hstate_init(&a, 500, NULL), SP_OK);
    assert_int_equal(sp_hstate_init(&b, 500, NULL), SP_OK);
    fill_state(&a);
    sp_hstate_copy(&b, &a);
    assert_states_equal(&a, &b);
    /* The copy is deep: changing it leaves the source alone. */
    b.ncars[0] = 2;
    b.car_age[1][3] = 999;
    assert_int_equal(a.ncars[0], 0);
    assert_int_equal(a.car_age[1][3], 33);
    sp_hstate_release(&a);
    sp_hstate_release(&b);
}

/* sp_hstate_clone gives the same state as init and copy: columns with
 * values (one of them only in its last byte, past the first blocks the
 * zero test reads) and columns all zero (car costs and loans here, as in a
 * built population); the clone is deep. */
static void test_hstate_clone(void **state)
{
    (void)state;
    enum { N = 5000 }; /* car_cost is 10,000 bytes: three blocks of the zero test */
    sp_hstate a, b, c;
    assert_int_equal(sp_hstate_init(&a, N, NULL), SP_OK);
    fill_state(&a);
    a.car_cost[N - 1] = -7;
    assert_int_equal(sp_hstate_clone(&b, &a, NULL), SP_OK);
    assert_int_equal(sp_hstate_init(&c, N, NULL), SP_OK);
    sp_hstate_copy(&c, &a);
    assert_states_equal(&b, &c);
    assert_memory_equal(b.car_cost, c.car_cost, N * sizeof(int16_t));
    assert_memory_equal(b.car_pay, c.car_pay, N * sizeof(uint16_t));
    assert_memory_equal(b.car_pay_months, c.car_pay_months, N);
    assert_int_equal(b.car_cost[N - 1], -7);
    assert_int_equal(b.car_pay[N - 1], 0);
    b.deferred[1] = 99.0f;
    assert_true(a.deferred[1] == 0.5f);
    sp_hstate_release(&a);
    sp_hstate_release(&b);
    sp_hstate_release(&c);
    /* an empty state */
    assert_int_equal(sp_hstate_init(&a, 0, NULL), SP_OK);
    assert_int_equal(sp_hstate_clone(&b, &a, NULL), SP_OK);
    assert_int_equal(b.n, 0);
    assert_non_null(b.ncars);
    sp_hstate_release(&a);
    sp_hstate_release(&b);
}

static void test_hstate_release_idempotent(void **state)
{
    (void)state;
    sp_hstate s;
    assert_int_equal(sp_hstate_init(&s, 10, NULL), SP_OK);
    sp_hstate_release(&s);
    assert_null(s.ncars);
    assert_int_equal(s.n, 0);
    sp_hstate_release(&s);
}

static void test_bytes_per_household(void **state)
{
    (void)state;
    size_t b = sp_population_bytes_per_household();
    print_message("persistent bytes per household: %zu\n", b);
    /* at least weight, income, consumption and the stored shares */
    assert_true(b >= 3 * sizeof(float) + SP_NCAT * sizeof(uint16_t));
    assert_true(b <= 64);
}

/* Curves with the 2018 shares as intercepts and the default Beijing slopes. */
static sp_population *engel_population(void)
{
    sp_population *p = sp_population_alloc(1, NULL);
    sp_beijing_def d = sp_beijing_def_default();
    for (int c = 0; c < SP_NCAT; c++) {
        p->engel_a[c] = sp_category_share_2018(c);
        p->engel_b[c] = d.engel_slope[c];
    }
    p->engel_lnref = log(60000.0);
    return p;
}

static void test_shares_sum_to_one(void **state)
{
    (void)state;
    sp_population *p = engel_population();
    const double ypcs[] = {-5.0, 0.0, 1.0, 500.0, 5000.0, 30000.0, 60000.0, 250000.0, 5e6, 1e9};
    for (size_t k = 0; k < sizeof ypcs / sizeof ypcs[0]; k++) {
        double sh[SP_NCAT], sum = 0;
        sp_population_shares(p, ypcs[k], sh);
        for (int c = 0; c < SP_NCAT; c++) {
            assert_true(isfinite(sh[c]));
            assert_true(sh[c] > 0.0);
            sum += sh[c];
        }
        assert_float_equal(sum, 1.0, 1e-12);
    }
    sp_population_free(p);
}

static void test_shares_at_reference_are_intercepts(void **state)
{
    (void)state;
    sp_population *p = engel_population();
    double sh[SP_NCAT];
    sp_population_shares(p, 60000.0, sh);
    for (int c = 0; c < SP_NCAT; c++)
        assert_float_equal(sh[c], sp_category_share_2018(c), 1e-12);
    sp_population_free(p);
}

static void test_food_share_falls_with_income(void **state)
{
    (void)state;
    sp_population *p = engel_population();
    double prev = 2.0;
    for (double y = 5000; y <= 500000; y *= 1.5) {
        double sh[SP_NCAT];
        sp_population_shares(p, y, sh);
        assert_true(sh[SP_CAT_FOOD] < prev);
        prev = sh[SP_CAT_FOOD];
    }
    sp_population_free(p);
}

static void test_shares_floored(void **state)
{
    (void)state;
    sp_population *p = engel_population();
    p->engel_b[SP_CAT_OTHER] = -1.0; /* would go negative far above the reference */
    p->engel_b[SP_CAT_FOOD] = 1.0;
    double sh[SP_NCAT];
    sp_population_shares(p, 1e7, sh);
    assert_true(sh[SP_CAT_OTHER] > 0.0);
    assert_true(sh[SP_CAT_OTHER] < 0.01);
    sp_population_free(p);
}

/* Stored shares: the Engel shares quantised to 2^-16, summing to exactly 2^16. */
static void test_store_shares(void **state)
{
    (void)state;
    sp_population *p = engel_population();
    const double ypcs[] = {3000.0, 60000.0, 400000.0};
    for (size_t k = 0; k < sizeof ypcs / sizeof ypcs[0]; k++) {
        p->size[0] = 3;
        p->income[0] = (float)(3 * ypcs[k]);
        sp_population_store_shares(p, 0);
        double sh[SP_NCAT];
        sp_population_shares(p, (double)p->income[0] / p->size[0], sh);
        unsigned sum = 0;
        for (int c = 0; c < SP_NCAT; c++) {
            sum += p->shares[c];
            /* each rounds to the nearest 2^-16; the remainder (<= 4 units) goes to the largest */
            assert_true(fabs(sp_population_share(p, 0, c) - sh[c]) <= 4.5 / 65536.0);
        }
        assert_int_equal(sum, 65536);
    }
    sp_population_free(p);
}

/* The calibrated curves of a built population behave the same way. */
static void test_beijing_curves(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 5000;
    d.seed = 3;
    sp_population *p = sp_beijing_build(&d, NULL);
    assert_non_null(p);
    double lo[SP_NCAT], hi[SP_NCAT], s1 = 0, s2 = 0;
    sp_population_shares(p, 20000.0, lo);
    sp_population_shares(p, 200000.0, hi);
    for (int c = 0; c < SP_NCAT; c++) {
        s1 += lo[c];
        s2 += hi[c];
    }
    assert_float_equal(s1, 1.0, 1e-12);
    assert_float_equal(s2, 1.0, 1e-12);
    assert_true(hi[SP_CAT_FOOD] < lo[SP_CAT_FOOD]);
    sp_population_free(p);
}

/* The calibration stores every household's shares with loops over blocks of
 * households (population.c's shares_block, set_shares_block): the same
 * shares, bit for bit, as the household-by-household functions give at the
 * calibrated curves (sp_population_store_shares), for 20,000 households and
 * a block that is not full. */
static void test_engel_blocks_match_households(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 20000 + 77;
    d.seed = 11;
    sp_population *p = sp_beijing_build(&d, NULL);
    assert_non_null(p);
    uint16_t *stored = malloc(p->n * SP_NCAT * sizeof *stored);
    assert_non_null(stored);
    memcpy(stored, p->shares, p->n * SP_NCAT * sizeof *stored);
    for (size_t i = 0; i < p->n; i++)
        sp_population_store_shares(p, i);
    assert_memory_equal(stored, p->shares, p->n * SP_NCAT * sizeof *stored);
    free(stored);
    sp_population_free(p);
}

/* ---- ranking: the radix sort gives a comparison sort's ranks ---- */

typedef struct {
    double key, weight;
    size_t i;
} ref_item;

static int ref_by_key(const void *a, const void *b)
{
    const ref_item *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The ranking as a comparison sort on (key, index) does it (the code before
 * the radix sort): quintile, decile bit and consumption 30th into q and r,
 * the persons-weighted rank into mid. */
static double ref_rank(const sp_population *p, uint8_t *q, uint8_t *r, double *mid)
{
    size_t n = p->n;
    ref_item *v = malloc(n * sizeof *v);
    assert_non_null(v);
    double tot = 0, cum = 0, med = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (ref_item){(double)p->income[i] / p->size[i], (double)p->weight[i] * p->size[i], i};
        tot += v[i].weight;
    }
    qsort(v, n, sizeof *v, ref_by_key);
    for (size_t k = 0; k < n; k++) {
        double m = (cum + 0.5 * v[k].weight) / tot;
        cum += v[k].weight;
        int qq = (int)(m * SP_NQUINTILE), d = (int)(m * 2 * SP_NQUINTILE);
        q[v[k].i] = (uint8_t)(qq > SP_NQUINTILE - 1 ? SP_NQUINTILE - 1 : qq);
        r[v[k].i] = (uint8_t)((d > 2 * SP_NQUINTILE - 1 ? 1 : d & 1) ? SP_RANK_DECILE_BIT : 0);
        mid[v[k].i] = m;
        if (med == 0 && m >= 0.5)
            med = v[k].key;
    }
    tot = cum = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (ref_item){p->consumption[i], p->weight[i], i};
        tot += v[i].weight;
    }
    qsort(v, n, sizeof *v, ref_by_key);
    for (size_t k = 0; k < n; k++) {
        double m = (cum + 0.5 * v[k].weight) / tot;
        cum += v[k].weight;
        int c = (int)(m * SP_CONS_RANKS);
        r[v[k].i] |= (uint8_t)(c > SP_CONS_RANKS - 1 ? SP_CONS_RANKS - 1 : c);
    }
    free(v);
    return med;
}

/* Incomes with exact ties, ties of per-capita income across sizes, values a
 * double's last bit apart (equal as floats), a zero income, and uneven
 * weights: the ranks, the per-household rank and the median equal those of
 * a comparison sort with ties broken by index. */
/* Fills n households with the tie patterns above; every weight w when
 * w > 0, uneven weights otherwise. */
static void fill_ties(sp_population *p, float w)
{
    uint32_t x = 12345;
    for (size_t i = 0; i < p->n; i++) {
        x = x * 1664525u + 1013904223u;
        p->size[i] = (uint8_t)(1 + (x >> 28) % 5);
        p->weight[i] = w > 0 ? w : (float)(1.0 + (x >> 8) % 97);
        switch (i % 4) {
        case 0: p->income[i] = 60000.0f; break;                    /* exact ties */
        case 1: p->income[i] = 30000.0f * p->size[i]; break;       /* per-capita ties */
        case 2: p->income[i] = nextafterf(50000.0f, 1e9f) + (float)(x % 3); break; /* near ties */
        default: p->income[i] = (float)((x >> 4) % 400000); break; /* spread, zero possible */
        }
        p->consumption[i] = (float)((x >> 10) % 1000) * 50.0f; /* many ties */
    }
    p->income[7] = 0;
}

/* rank(p) gives the comparison sort's quintiles, ranks, per-household rank
 * and median. */
static void check_rank(sp_population *p, int (*rank)(sp_population *, double *, double *, sp_err *))
{
    const size_t n = p->n;
    uint8_t *q = malloc(n), *r = malloc(n);
    double *mid = malloc(n * sizeof *mid), *got = malloc(n * sizeof *got);
    assert_true(q && r && mid && got);
    double med_ref = ref_rank(p, q, r, mid), med = -1;
    memset(p->quintile, 0xff, n);
    memset(p->ranks, 0xff, n);
    assert_int_equal(rank(p, got, &med, NULL), SP_OK);
    assert_memory_equal(p->quintile, q, n);
    assert_memory_equal(p->ranks, r, n);
    assert_memory_equal(got, mid, n * sizeof *mid);
    assert_true(med == med_ref);
    free(q);
    free(r);
    free(mid);
    free(got);
}

static void test_rank_matches_comparison_sort(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(6000, NULL);
    assert_non_null(p);
    fill_ties(p, 0);
    check_rank(p, sp_population_rank);
    sp_population_free(p);
}

/* Every household weighing the same (a generated sample): sp_population_rank
 * takes its 8-byte path; it, the general path and the comparison sort agree
 * bit for bit, also with a weight that is not a round number; and with
 * incomes all positive (a narrow key range: runs of equal words whose
 * households have one size are taken as ties without comparing incomes,
 * population.c), with exact ties of one size, per-capita ties across sizes
 * and incomes a float apart. */
static void test_rank_equal_weights(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(6000, NULL);
    assert_non_null(p);
    const float ws[] = {1.0f, 1371.79f, 0.3f};
    for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++) {
        fill_ties(p, ws[k]);
        check_rank(p, sp_population_rank);
        check_rank(p, sp_population_rank_general);
    }
    fill_ties(p, 2.5f);
    for (size_t i = 0; i < p->n; i++) {
        p->income[i] += 20000.0f; /* no zero: per-capita incomes 4,000 .. 420,000 */
        if (i % 7 == 0)
            p->income[i] = nextafterf(p->income[i - (i ? 1 : 0)], 1e9f); /* a float apart */
    }
    check_rank(p, sp_population_rank);
    check_rank(p, sp_population_rank_general);
    sp_population_free(p);
}

/* Ranking nothing, and one household. */
static void test_rank_empty_and_single(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(0, NULL);
    assert_non_null(p);
    double med = -1;
    assert_int_equal(sp_population_rank(p, NULL, &med, NULL), SP_OK);
    assert_true(med == 0);
    sp_population_free(p);
    p = sp_population_alloc(1, NULL);
    assert_non_null(p);
    p->weight[0] = 2;
    p->size[0] = 2;
    p->income[0] = 50000;
    p->consumption[0] = 30000;
    double mid;
    assert_int_equal(sp_population_rank(p, &mid, &med, NULL), SP_OK);
    assert_true(mid == 0.5);
    assert_true(med == 25000);
    assert_int_equal(p->quintile[0], 2);
    assert_int_equal(sp_rank_cons30(p->ranks[0]), 15);
    sp_population_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_zeroed),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_alloc_too_large_fails),
        cmocka_unit_test(test_hstate_copy),
        cmocka_unit_test(test_hstate_clone),
        cmocka_unit_test(test_hstate_release_idempotent),
        cmocka_unit_test(test_bytes_per_household),
        cmocka_unit_test(test_shares_sum_to_one),
        cmocka_unit_test(test_shares_at_reference_are_intercepts),
        cmocka_unit_test(test_food_share_falls_with_income),
        cmocka_unit_test(test_shares_floored),
        cmocka_unit_test(test_store_shares),
        cmocka_unit_test(test_beijing_curves),
        cmocka_unit_test(test_engel_blocks_match_households),
        cmocka_unit_test(test_rank_matches_comparison_sort),
        cmocka_unit_test(test_rank_equal_weights),
        cmocka_unit_test(test_rank_empty_and_single),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
