/* test_beijing.c: calibration of the embedded Beijing 2019 population
 * (core/beijing.c, docs/model.md section 1).
 *
 * One population of 200,000 households (seed 7) is built once; every figure is
 * recomputed here from the columns, independently of sp_population_summary,
 * so the test checks the generator itself, and then compared with the summary
 * when the core provides it. Targets and tolerances:
 *   weighted households 8,230,792 (1e-6 relative); mean size 2.31 (+-0.02);
 *   per-capita income urban 73,849 / rural 28,928 and consumption urban
 *   46,358 / rural 21,881 (1%); the eight category shares of consumption
 *   against the 2018 composition (0.5 pp); private cars 4,974,000 (1%);
 *   urban top/bottom per-capita income quintile ratio 4.2..5.2; liquidity
 *   types 6.8/36.7/6.6/49.9% (1.5 pp); orderings by income quintile; emission
 *   standards consistent with registration years; plate pools (2%).
 * Also: determinism by seed, and invalid definitions naming the field. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

#define HOUSEHOLDS 200000
#define SEED 7u

static sp_population *pop;

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = HOUSEHOLDS;
    d.seed = SEED;
    sp_err err;
    sp_err_clear(&err);
    pop = sp_beijing_build(&d, &err);
    if (!pop) {
        print_error("sp_beijing_build: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    pop = NULL;
    return 0;
}

static void assert_rel(const char *what, double got, double want, double rel)
{
    double dev = fabs(got / want - 1.0);
    print_message("%-28s %14.2f  target %14.2f  (%+.3f%%)\n", what, got, want,
                  100.0 * (got / want - 1.0));
    if (!(dev <= rel))
        fail_msg("%s = %.2f is off its target %.2f by %.3f%% (allowed %.3f%%)", what, got, want,
                 100.0 * dev, 100.0 * rel);
}

static double ypc_of(size_t i) { return (double)pop->income[i] / pop->size[i]; }

/* ---- figures computed from the columns ---- */

static double weighted_households(void)
{
    double s = 0;
    for (size_t i = 0; i < pop->n; i++)
        s += pop->weight[i];
    return s;
}

static double mean_size(void)
{
    double h = 0, p = 0;
    for (size_t i = 0; i < pop->n; i++) {
        h += pop->weight[i];
        p += (double)pop->weight[i] * pop->size[i];
    }
    return p / h;
}

/* Per capita within an area: sum(weight * column) / sum(weight * size). */
static double per_capita(const float *col, int area)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < pop->n; i++)
        if (pop->area[i] == area) {
            num += (double)pop->weight[i] * col[i];
            den += (double)pop->weight[i] * pop->size[i];
        }
    return num / den;
}

static void category_shares(double out[SP_NCAT])
{
    double tot = 0, agg[SP_NCAT] = {0};
    for (size_t i = 0; i < pop->n; i++) {
        double sh[SP_NCAT], wc = (double)pop->weight[i] * pop->consumption[i];
        sp_population_shares(pop, ypc_of(i), sh);
        for (int c = 0; c < SP_NCAT; c++)
            agg[c] += wc * sh[c];
        tot += wc;
    }
    for (int c = 0; c < SP_NCAT; c++)
        out[c] = agg[c] / tot;
}

static double private_cars(void)
{
    double s = 0;
    for (size_t i = 0; i < pop->n; i++)
        s += (double)pop->weight[i] * pop->state.ncars[i];
    return s;
}

typedef struct {
    double ypc, persons;
} person_item;

static int by_ypc(const void *a, const void *b)
{
    const person_item *x = a, *y = b;
    return (x->ypc > y->ypc) - (x->ypc < y->ypc);
}

/* Mean per-capita income of the top 20% of urban persons over that of the
 * bottom 20%: households sorted by per-capita income, each counting
 * weight * size persons, the household at a boundary split fractionally. */
static double urban_quintile_ratio(void)
{
    person_item *it = malloc(pop->n * sizeof *it);
    assert_non_null(it);
    size_t m = 0;
    double total = 0;
    for (size_t i = 0; i < pop->n; i++)
        if (pop->area[i] == SP_AREA_URBAN) {
            it[m].ypc = ypc_of(i);
            it[m].persons = (double)pop->weight[i] * pop->size[i];
            total += it[m].persons;
            m++;
        }
    qsort(it, m, sizeof *it, by_ypc);
    double fifth = 0.2 * total, need = fifth, bottom = 0;
    for (size_t k = 0; k < m && need > 0; k++) {
        double take = it[k].persons < need ? it[k].persons : need;
        bottom += take * it[k].ypc;
        need -= take;
    }
    double top = 0;
    need = fifth;
    for (size_t k = m; k-- > 0 && need > 0;) {
        double take = it[k].persons < need ? it[k].persons : need;
        top += take * it[k].ypc;
        need -= take;
    }
    free(it);
    return (top / fifth) / (bottom / fifth);
}

static void liquidity_shares(double out[SP_NLIQ])
{
    double h = 0;
    memset(out, 0, SP_NLIQ * sizeof *out);
    for (size_t i = 0; i < pop->n; i++) {
        out[pop->liquidity[i]] += pop->weight[i];
        h += pop->weight[i];
    }
    for (int l = 0; l < SP_NLIQ; l++)
        out[l] /= h;
}

/* Persons in a plate pool: sum(weight * applicants) over households in it. */
static double pool_persons(int plate_state)
{
    double s = 0;
    for (size_t i = 0; i < pop->n; i++)
        if (pop->state.plate_state[i] == plate_state)
            s += (double)pop->weight[i] * pop->state.applicants[i];
    return s;
}

/* ---- tests ---- */

static void test_weighted_households(void **state)
{
    (void)state;
    assert_int_equal(pop->n, HOUSEHOLDS);
    assert_rel("weighted households", weighted_households(), 8230792.0, 1e-6);
    assert_rel("total_weight", pop->total_weight, 8230792.0, 1e-9);
    for (size_t i = 0; i < pop->n; i++)
        assert_true(pop->weight[i] > 0.0f);
}

static void test_mean_household_size(void **state)
{
    (void)state;
    double m = mean_size();
    print_message("mean household size %.4f (target 2.31 +- 0.02)\n", m);
    assert_true(fabs(m - 2.31) <= 0.02);
    for (size_t i = 0; i < pop->n; i++)
        assert_in_range(pop->size[i], 1, 10);
}

static void test_income_per_capita(void **state)
{
    (void)state;
    assert_rel("income per capita, urban", per_capita(pop->income, SP_AREA_URBAN), 73849.0, 0.01);
    assert_rel("income per capita, rural", per_capita(pop->income, SP_AREA_RURAL), 28928.0, 0.01);
}

static void test_consumption_per_capita(void **state)
{
    (void)state;
    assert_rel("consumption per capita, urban", per_capita(pop->consumption, SP_AREA_URBAN),
               46358.0, 0.01);
    assert_rel("consumption per capita, rural", per_capita(pop->consumption, SP_AREA_RURAL),
               21881.0, 0.01);
}

static void test_positive_income_and_consumption(void **state)
{
    (void)state;
    for (size_t i = 0; i < pop->n; i++) {
        assert_true(pop->income[i] > 0.0f && isfinite(pop->income[i]));
        assert_true(pop->consumption[i] > 0.0f && isfinite(pop->consumption[i]));
        assert_in_range(pop->area[i], 0, 1);
    }
}

static void test_category_shares(void **state)
{
    (void)state;
    double sh[SP_NCAT];
    category_shares(sh);
    int bad = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        double want = sp_category_share_2018(c);
        print_message("share %-16s %6.3f%%  target %6.3f%%\n", sp_category_name(c), 100 * sh[c],
                      100 * want);
        bad += fabs(sh[c] - want) > 0.005;
    }
    assert_int_equal(bad, 0);
}

/* The shares the engine uses: each household's Engel shares, quantised. */
static void test_stored_shares(void **state)
{
    (void)state;
    for (size_t i = 0; i < pop->n; i++) {
        double sh[SP_NCAT];
        sp_population_shares(pop, ypc_of(i), sh);
        unsigned sum = 0;
        for (int c = 0; c < SP_NCAT; c++) {
            sum += pop->shares[i * SP_NCAT + (size_t)c];
            if (!(fabs(sp_population_share(pop, i, c) - sh[c]) <= 4.5 / 65536.0))
                fail_msg("household %zu %s: stored %.6f, Engel %.6f", i, sp_category_name(c),
                         sp_population_share(pop, i, c), sh[c]);
        }
        assert_int_equal(sum, 65536);
    }
}

static void test_private_cars(void **state)
{
    (void)state;
    assert_rel("private cars", private_cars(), 4974000.0, 0.01);
    for (size_t i = 0; i < pop->n; i++)
        assert_in_range(pop->state.ncars[i], 0, SP_MAX_CARS);
}

static void test_urban_quintile_ratio(void **state)
{
    (void)state;
    double r = urban_quintile_ratio();
    print_message("urban top/bottom quintile ratio %.3f (band 4.2..5.2)\n", r);
    assert_true(r >= 4.2 && r <= 5.2);
}

static void test_liquidity_shares(void **state)
{
    (void)state;
    static const double want[SP_NLIQ] = {0.068, 0.367, 0.066, 0.499};
    double sh[SP_NLIQ];
    liquidity_shares(sh);
    int bad = 0;
    for (int l = 0; l < SP_NLIQ; l++) {
        print_message("liquidity %-16s %6.2f%%  target %6.2f%%\n",
                      sp_group_label(sp_dim_first(SP_DIM_LIQUIDITY) + l), 100 * sh[l],
                      100 * want[l]);
        bad += fabs(sh[l] - want[l]) > 0.015;
    }
    assert_int_equal(bad, 0);
}

/* The quintile column: persons-weighted quintiles of per-capita income over
 * the whole population (each holds 20% of persons, ordered by income). */
static void test_quintile_column(void **state)
{
    (void)state;
    double persons[SP_NQUINTILE] = {0}, total = 0;
    double lo[SP_NQUINTILE], hi[SP_NQUINTILE];
    for (int q = 0; q < SP_NQUINTILE; q++)
        lo[q] = INFINITY, hi[q] = -INFINITY;
    for (size_t i = 0; i < pop->n; i++) {
        int q = pop->quintile[i];
        assert_in_range(q, 0, SP_NQUINTILE - 1);
        double p = (double)pop->weight[i] * pop->size[i], y = ypc_of(i);
        persons[q] += p;
        total += p;
        lo[q] = fmin(lo[q], y);
        hi[q] = fmax(hi[q], y);
    }
    for (int q = 0; q < SP_NQUINTILE; q++) {
        assert_true(fabs(persons[q] / total - 0.2) < 0.002);
        if (q > 0)
            assert_true(hi[q - 1] <= lo[q] * (1 + 1e-6)); /* float per-capita rounding */
    }
}

static double quintile_share(int q, int (*pred)(size_t))
{
    double h = 0, yes = 0;
    for (size_t i = 0; i < pop->n; i++)
        if (pop->quintile[i] == q) {
            h += pop->weight[i];
            if (pred(i))
                yes += pop->weight[i];
        }
    return yes / h;
}

static int is_poor(size_t i)
{
    return pop->liquidity[i] == SP_LIQ_POOR_HTM || pop->liquidity[i] == SP_LIQ_POOR_NHTM;
}

static int has_car(size_t i) { return pop->state.ncars[i] > 0; }

static void test_poor_types_concentrated_at_low_income(void **state)
{
    (void)state;
    double q1 = quintile_share(0, is_poor), q5 = quintile_share(4, is_poor);
    print_message("poor liquidity types: Q1 %.1f%%, Q5 %.1f%%\n", 100 * q1, 100 * q5);
    assert_true(q1 > q5);
}

static void test_car_ownership_rises_with_income(void **state)
{
    (void)state;
    double prev = -1;
    for (int q = 0; q < SP_NQUINTILE; q++) {
        double s = quintile_share(q, has_car);
        print_message("car owners in Q%d: %.1f%%\n", q + 1, 100 * s);
        assert_true(s > prev);
        prev = s;
    }
}

static unsigned standard_of_year(int year)
{
    return year < 2005 ? 2u : year < 2008 ? 3u : year < 2013 ? 4u : year < 2020 ? 5u : 6u;
}

/* registration month = base month - age; the standard follows the year,
 * NEVs carry SP_CAR_NEV and standard 6. */
static void test_emission_standard_matches_age(void **state)
{
    (void)state;
    assert_int_equal(pop->base_month, sp_month_make(2019, 12));
    size_t cars = 0, nev = 0;
    for (size_t i = 0; i < pop->n; i++)
        for (int k = 0; k < pop->state.ncars[i]; k++) {
            int reg = pop->base_month - pop->state.car_age[k][i];
            int year = sp_month_year(reg);
            unsigned kind = pop->state.car_kind[k][i];
            assert_true(year >= 1990 && year <= 2019);
            if (kind & SP_CAR_NEV) {
                assert_int_equal(SP_CAR_EMISSION(kind), 6);
                nev++;
            } else {
                if (SP_CAR_EMISSION(kind) != standard_of_year(year))
                    fail_msg("household %zu car %d: registered %d, standard %u, expected %u", i, k,
                             year, SP_CAR_EMISSION(kind), standard_of_year(year));
            }
            assert_int_equal(kind & ~(SP_CAR_NEV | 0x07u), 0);
            cars++;
        }
    print_message("%zu sample cars, %.1f%% NEV\n", cars, 100.0 * nev / cars);
    assert_true(cars > 0);
}

static void test_plate_pools(void **state)
{
    (void)state;
    assert_rel("ordinary lottery applicants", pool_persons(SP_PLATE_LOTTERY), 3320000.0, 0.02);
    assert_rel("NEV queue", pool_persons(SP_PLATE_NEV_QUEUE), 442411.0, 0.02);
    /* Applicants live in eligible households and are licensed members
     * without a car in their name. */
    for (size_t i = 0; i < pop->n; i++)
        if (pop->state.plate_state[i] != SP_PLATE_NONE) {
            assert_true(pop->eligible[i]);
            assert_true(pop->state.applicants[i] >= 1 &&
                        pop->state.applicants[i] + pop->state.ncars[i] <= pop->drivers[i]);
        }
}

/* The core's summary agrees with the figures computed here. */
static void test_summary_agrees(void **state)
{
    (void)state;
    sp_population_summary s;
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_population_summary_compute(pop, &s, &err), SP_OK);
    assert_int_equal(s.sample, pop->n);
    assert_float_equal(s.households, weighted_households(), 1e-6 * s.households);
    assert_float_equal(s.mean_size, mean_size(), 1e-9);
    for (int a = 0; a < 2; a++) {
        assert_float_equal(s.income_pc[a], per_capita(pop->income, a), 1e-6 * s.income_pc[a]);
        assert_float_equal(s.consumption_pc[a], per_capita(pop->consumption, a),
                           1e-6 * s.consumption_pc[a]);
    }
    double sh[SP_NCAT];
    category_shares(sh);
    for (int c = 0; c < SP_NCAT; c++) /* the summary uses the stored, quantised shares */
        assert_float_equal(s.share[c], sh[c], 1e-4);
    assert_float_equal(s.private_cars, private_cars(), 1e-6 * s.private_cars);
    double r = urban_quintile_ratio();
    assert_float_equal(s.quintile_ratio_urban, r, 0.01 * r); /* boundary handling may differ */
    double liq[SP_NLIQ];
    liquidity_shares(liq);
    for (int l = 0; l < SP_NLIQ; l++)
        assert_float_equal(s.liquidity_share[l], liq[l], 1e-6);
    assert_float_equal(s.plate_applicants, pool_persons(SP_PLATE_LOTTERY),
                       1e-6 * s.plate_applicants + 1);
    assert_float_equal(s.nev_queue, pool_persons(SP_PLATE_NEV_QUEUE), 1e-6 * s.nev_queue + 1);
}

/* ---- determinism and validation (small populations) ---- */

static sp_population *build_small(size_t n, uint32_t seed)
{
    sp_beijing_def d = sp_beijing_def_default();
    d.households = n;
    d.seed = seed;
    sp_population *p = sp_beijing_build(&d, NULL);
    assert_non_null(p);
    return p;
}

static int columns_equal(const sp_population *a, const sp_population *b)
{
    size_t n = a->n;
    if (n != b->n)
        return 0;
#define SAME(col) (memcmp(a->col, b->col, n * sizeof *a->col) == 0)
    int eq = SAME(weight) && SAME(income) && SAME(consumption) && SAME(size) && SAME(area) &&
             SAME(liquidity) && SAME(quintile) && SAME(ranks) && SAME(drivers) && SAME(eligible) &&
             SAME(generations) && SAME(state.ncars) && SAME(state.plate_state) &&
             SAME(state.applicants) && SAME(state.plate_months) && SAME(state.deferred) &&
             SAME(state.deferred_mask) && SAME(state.pending) && SAME(state.pending_months) &&
             memcmp(a->shares, b->shares, n * SP_NCAT * sizeof *a->shares) == 0;
    for (int k = 0; k < SP_MAX_CARS; k++)
        eq = eq && SAME(state.car_age[k]) && SAME(state.car_kind[k]);
#undef SAME
    return eq && memcmp(a->engel_a, b->engel_a, sizeof a->engel_a) == 0 &&
           memcmp(a->engel_b, b->engel_b, sizeof a->engel_b) == 0 &&
           a->engel_lnref == b->engel_lnref && a->total_weight == b->total_weight;
}

static void test_same_seed_same_columns(void **state)
{
    (void)state;
    sp_population *a = build_small(20000, 11), *b = build_small(20000, 11);
    assert_true(columns_equal(a, b));
    sp_population_free(a);
    sp_population_free(b);
}

static void test_other_seed_differs(void **state)
{
    (void)state;
    sp_population *a = build_small(20000, 11), *b = build_small(20000, 12);
    assert_false(columns_equal(a, b));
    assert_memory_not_equal(a->income, b->income, a->n * sizeof *a->income);
    assert_memory_not_equal(a->size, b->size, a->n);
    sp_population_free(a);
    sp_population_free(b);
}

/* Household blocks are built in parallel from keyed streams, and every sum
 * runs in household order: the population is the same, bit for bit, for any
 * number of threads (20,000 households: 20 blocks). */
static void test_same_population_for_any_thread_count(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 20000;
    d.seed = 5;
    d.threads = 1;
    sp_population *one = sp_beijing_build(&d, NULL);
    d.threads = 2;
    sp_population *two = sp_beijing_build(&d, NULL);
    d.threads = 3;
    sp_population *three = sp_beijing_build(&d, NULL);
    assert_non_null(one);
    assert_non_null(two);
    assert_non_null(three);
    assert_true(columns_equal(one, two));
    assert_true(columns_equal(one, three));
    sp_population_free(one);
    sp_population_free(two);
    sp_population_free(three);
}

/* The build's vector loops (exp, log and the normal quantile of vmath.h, the
 * Engel shares, the Philox draws) have portable, AVX2 and AVX-512 paths: the
 * population is the same, bit for bit, whichever the CPU takes. */
static void test_same_population_for_any_simd_level(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 20000 + 333;
    d.seed = 6;
    sp_population *best = sp_beijing_build(&d, NULL);
    assert_non_null(best);
    for (int level = SP_SIMD_PORTABLE; level <= SP_SIMD_AVX2; level++) {
        sp_simd_cap(level);
        sp_population *p = sp_beijing_build(&d, NULL);
        sp_simd_cap(-1);
        assert_non_null(p);
        assert_true(columns_equal(best, p));
        sp_population_free(p);
    }
    print_message("compared with the %s path\n", sp_simd_name());
    sp_population_free(best);
}

/* The car-ownership intercept at the ends: no cars when the target is zero,
 * every household owning when the target cannot be reached. */
static void test_car_target_extremes(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 3000;
    d.private_cars = 0;
    sp_population *none = sp_beijing_build(&d, NULL);
    assert_non_null(none);
    for (size_t i = 0; i < none->n; i++)
        assert_int_equal(none->state.ncars[i], 0);
    d.private_cars = 2.0 * d.represented;
    sp_population *all = sp_beijing_build(&d, NULL);
    assert_non_null(all);
    size_t owners = 0;
    for (size_t i = 0; i < all->n; i++)
        owners += all->state.ncars[i] > 0;
    assert_true(owners > all->n * 99 / 100); /* all but thresholds beyond the bracket [-30, 30] */
    sp_population_free(none);
    sp_population_free(all);
}

/* Draws come from each household's own stream: household i's size and area
 * do not depend on the sample size. */
static void test_attributes_independent_of_sample_size(void **state)
{
    (void)state;
    sp_population *small = build_small(20000, SEED);
    assert_memory_equal(small->size, pop->size, small->n);
    assert_memory_equal(small->area, pop->area, small->n);
    sp_population_free(small);
}

static void expect_invalid(sp_beijing_def d, const char *field)
{
    sp_err err;
    sp_err_clear(&err);
    sp_population *p = sp_beijing_build(&d, &err);
    assert_null(p);
    assert_int_equal(err.code, SP_EINVAL);
    if (!strstr(err.msg, field))
        fail_msg("error \"%s\" does not name the field '%s'", err.msg, field);
}

static void test_invalid_households(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 0;
    expect_invalid(d, "households");
    d.households = 50000001;
    expect_invalid(d, "households");
}

static void test_invalid_year(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.year = 2018;
    expect_invalid(d, "year");
}

static void test_invalid_private_cars(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.private_cars = -1;
    expect_invalid(d, "private_cars");
}

static void test_invalid_liquidity_shares(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.liquidity_share[0] = 0.5;
    expect_invalid(d, "liquidity");
    d = sp_beijing_def_default();
    d.liquidity_share[SP_LIQ_POOR_HTM] = 0.4;
    d.liquidity_share[SP_LIQ_POOR_NHTM] = 0.2;
    d.liquidity_share[SP_LIQ_WEALTHY_HTM] = 0.2;
    d.liquidity_share[SP_LIQ_WEALTHY_NHTM] = 0.2;
    expect_invalid(d, "poor types");
}

/* ---- embedded distributions ---- */

static void test_size_distribution(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    double p[10], sum = 0, mean = 0;
    sp_beijing_size_distribution(&d, p);
    for (int k = 0; k < 10; k++) {
        assert_true(p[k] >= 0);
        sum += p[k];
        mean += p[k] * (k + 1);
    }
    assert_float_equal(sum, 1.0, 1e-12);
    assert_float_equal(mean, 2.31, 1e-6);
}

static void test_vintages(void **state)
{
    (void)state;
    double v[64], sum = 0;
    int n = sp_beijing_vintages(v, 64);
    assert_true(n > 0 && n <= 64);
    for (int k = 0; k < n; k++) {
        assert_true(v[k] >= 0);
        sum += v[k];
    }
    assert_float_equal(sum, 1.0, 1e-12);
    assert_int_equal(sp_beijing_vintages(v, 1), 0); /* too small a buffer */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weighted_households),
        cmocka_unit_test(test_mean_household_size),
        cmocka_unit_test(test_income_per_capita),
        cmocka_unit_test(test_consumption_per_capita),
        cmocka_unit_test(test_positive_income_and_consumption),
        cmocka_unit_test(test_category_shares),
        cmocka_unit_test(test_stored_shares),
        cmocka_unit_test(test_private_cars),
        cmocka_unit_test(test_urban_quintile_ratio),
        cmocka_unit_test(test_liquidity_shares),
        cmocka_unit_test(test_quintile_column),
        cmocka_unit_test(test_poor_types_concentrated_at_low_income),
        cmocka_unit_test(test_car_ownership_rises_with_income),
        cmocka_unit_test(test_emission_standard_matches_age),
        cmocka_unit_test(test_plate_pools),
        cmocka_unit_test(test_summary_agrees),
        cmocka_unit_test(test_same_seed_same_columns),
        cmocka_unit_test(test_other_seed_differs),
        cmocka_unit_test(test_attributes_independent_of_sample_size),
        cmocka_unit_test(test_same_population_for_any_thread_count),
        cmocka_unit_test(test_same_population_for_any_simd_level),
        cmocka_unit_test(test_car_target_extremes),
        cmocka_unit_test(test_invalid_households),
        cmocka_unit_test(test_invalid_year),
        cmocka_unit_test(test_invalid_private_cars),
        cmocka_unit_test(test_invalid_liquidity_shares),
        cmocka_unit_test(test_size_distribution),
        cmocka_unit_test(test_vintages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
