/* test_run.c: one package x one replicate stepped month by month
 * (core/run.h): argument errors, the month counter, bit-identical aggregates
 * for 1 and 2 threads and for repeated runs, a different key giving different
 * spending, group sums of every dimension equal to the "all" group, weighted
 * counts equal to the population's (in total and in every group of the
 * static dimensions), and a run leaving the population's state
 * untouched. Population: 20,000 households (5 blocks of SP_BLOCK), seed 3. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

#define HOUSEHOLDS 20000
#define MONTHS 6
#define GM (SP_NGROUP * SP_NMETRIC)

static sp_population *pop;
static sp_package *pkg;

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = HOUSEHOLDS;
    d.seed = 3;
    pop = sp_beijing_build(&d, NULL);
    pkg = sp_package_alloc("Status quo", NULL);
    return pop && pkg ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    sp_package_free(pkg);
    return 0;
}

/* Runs MONTHS months from 2019-01 into out[MONTHS][GM]. */
static void run_months(sp_rng_key key, int threads, double *out)
{
    sp_params p = sp_params_default();
    sp_err err;
    sp_err_clear(&err);
    sp_run *r = sp_run_alloc(pop, pkg, &p, key, sp_month_make(2019, 1), threads, &err);
    if (!r)
        fail_msg("sp_run_alloc: %s", err.msg);
    for (int m = 0; m < MONTHS; m++)
        assert_int_equal(sp_run_step(r, out + (size_t)m * GM, &err), SP_OK);
    sp_run_free(r);
}

static void test_alloc_needs_population(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_run_alloc(NULL, pkg, &p, sp_rng_key_make(1, 0), 24228, 1, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_non_null(strstr(err.msg, "population"));
    sp_err_clear(&err);
    assert_null(sp_run_alloc(pop, NULL, &p, sp_rng_key_make(1, 0), 24228, 1, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_null(sp_run_alloc(pop, pkg, NULL, sp_rng_key_make(1, 0), 24228, 1, NULL));
}

static void test_alloc_rejects_bad_params(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    p.growth = 7.0;
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_run_alloc(pop, pkg, &p, sp_rng_key_make(1, 0), 24228, 1, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_non_null(strstr(err.msg, "growth"));
}

static void test_free_null(void **state)
{
    (void)state;
    sp_run_free(NULL);
}

static void test_month_advances(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    int start = sp_month_make(2020, 11);
    sp_run *r = sp_run_alloc(pop, pkg, &p, sp_rng_key_make(1, 0), start, 1, NULL);
    assert_non_null(r);
    static double out[GM];
    for (int m = 0; m < 3; m++) {
        assert_int_equal(sp_run_month(r), start + m);
        assert_int_equal(sp_run_step(r, out, NULL), SP_OK);
    }
    assert_int_equal(sp_run_month(r), sp_month_make(2021, 2));
    sp_run_free(r);
}

static void test_threads_bit_identical(void **state)
{
    (void)state;
    static double a[MONTHS * GM], b[MONTHS * GM], c[MONTHS * GM];
    sp_rng_key key = sp_rng_key_make(42, 0);
    run_months(key, 1, a);
    run_months(key, 2, b);
    run_months(key, 7, c); /* more threads than cores or blocks */
    assert_memory_equal(a, b, sizeof a);
    assert_memory_equal(a, c, sizeof a);
}

static void test_repeat_bit_identical(void **state)
{
    (void)state;
    static double a[MONTHS * GM], b[MONTHS * GM];
    run_months(sp_rng_key_make(42, 0), 2, a);
    run_months(sp_rng_key_make(42, 0), 2, b);
    assert_memory_equal(a, b, sizeof a);
}

static void test_other_key_differs(void **state)
{
    (void)state;
    static double a[MONTHS * GM], b[MONTHS * GM];
    run_months(sp_rng_key_make(42, 0), 1, a);
    run_months(sp_rng_key_make(43, 0), 1, b);
    for (int m = 0; m < MONTHS; m++)
        assert_true(a[m * GM + SP_M_SPENDING] != b[m * GM + SP_M_SPENDING]);
    /* Counts do not depend on the draws. */
    assert_true(a[SP_M_HOUSEHOLDS] == b[SP_M_HOUSEHOLDS]);
    assert_true(a[SP_M_PERSONS] == b[SP_M_PERSONS]);
}

static void test_groups_sum_to_all(void **state)
{
    (void)state;
    static double a[MONTHS * GM];
    run_months(sp_rng_key_make(5, 1), 2, a);
    for (int m = 0; m < MONTHS; m++) {
        const double *g = a + (size_t)m * GM;
        for (int d = 1; d < SP_NDIM; d++)
            for (int k = 0; k < SP_NMETRIC; k++) {
                double sum = 0, all = g[k];
                for (int s = 0; s < sp_dim_count((sp_dim)d); s++)
                    sum += g[(sp_dim_first((sp_dim)d) + s) * SP_NMETRIC + k];
                if (!(fabs(sum - all) <= 1e-9 * fabs(all)))
                    fail_msg("month %d, %s, %s: groups sum to %.6f, all is %.6f", m,
                             sp_dim_name((sp_dim)d), sp_metric_name(k), sum, all);
            }
    }
}

static void test_totals_match_population(void **state)
{
    (void)state;
    static double a[MONTHS * GM];
    run_months(sp_rng_key_make(5, 0), 1, a);
    double h = 0, persons = 0, cars = 0;
    for (size_t i = 0; i < pop->n; i++) {
        h += pop->weight[i];
        persons += (double)pop->weight[i] * pop->size[i];
        cars += (double)pop->weight[i] * pop->state.ncars[i];
    }
    assert_float_equal(a[SP_M_HOUSEHOLDS], h, 1e-9 * h);
    assert_float_equal(a[SP_M_PERSONS], persons, 1e-9 * persons);
    assert_float_equal(a[SP_M_CARS], cars, 1e-9 * cars);
    double cat = 0;
    for (int c = 0; c < SP_NCAT; c++)
        cat += a[SP_M_SPEND0 + c];
    assert_float_equal(a[SP_M_SPENDING], cat, 1e-9 * cat);
}

/* Every household lands in its groups: the weighted households and persons
 * of each group of the static dimensions (income quintile and decile, area,
 * liquidity type, consumption tercile, quintile and decile) equal the sums
 * over the population's columns, every month (the engine finds a household's
 * cells through a code computed once per run). */
static void test_group_counts_match_population(void **state)
{
    (void)state;
    static double a[MONTHS * GM];
    run_months(sp_rng_key_make(5, 0), 1, a);
    static const sp_dim dims[] = {SP_DIM_QUINTILE, SP_DIM_AREA, SP_DIM_LIQUIDITY, SP_DIM_INCOME_DECILE,
                                  SP_DIM_CONS_TERCILE, SP_DIM_CONS_QUINTILE, SP_DIM_CONS_DECILE};
    for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
        double h[SP_NDECILE] = {0}, persons[SP_NDECILE] = {0};
        for (size_t i = 0; i < pop->n; i++) {
            const int c30 = sp_rank_cons30(pop->ranks[i]);
            int g = 0;
            switch (dims[k]) {
            case SP_DIM_QUINTILE: g = pop->quintile[i]; break;
            case SP_DIM_AREA: g = pop->area[i]; break;
            case SP_DIM_LIQUIDITY: g = pop->liquidity[i]; break;
            case SP_DIM_INCOME_DECILE: g = sp_rank_income_decile(pop->quintile[i], pop->ranks[i]); break;
            case SP_DIM_CONS_TERCILE: g = c30 / 10; break;
            case SP_DIM_CONS_QUINTILE: g = c30 / 6; break;
            default: g = c30 / 3; break;
            }
            h[g] += pop->weight[i];
            persons[g] += (double)pop->weight[i] * pop->size[i];
        }
        for (int m = 0; m < MONTHS; m++)
            for (int g = 0; g < sp_dim_count(dims[k]); g++) {
                const double *row = a + (size_t)m * GM + (size_t)(sp_dim_first(dims[k]) + g) * SP_NMETRIC;
                assert_true(h[g] > 0);
                assert_float_equal(row[SP_M_HOUSEHOLDS], h[g], 1e-9 * h[g]);
                assert_float_equal(row[SP_M_PERSONS], persons[g], 1e-9 * persons[g]);
            }
    }
    assert_int_equal(sp_run_bytes_per_household(), sizeof(uint16_t)); /* the cell code */
}

/* A run steps its own copy of the dynamic state. */
static void test_population_untouched(void **state)
{
    (void)state;
    size_t n = pop->n;
    uint16_t *age = malloc(n * sizeof *age);
    uint8_t *ncars = malloc(n);
    memcpy(age, pop->state.car_age[0], n * sizeof *age);
    memcpy(ncars, pop->state.ncars, n);
    static double a[MONTHS * GM];
    run_months(sp_rng_key_make(5, 0), 2, a);
    assert_memory_equal(age, pop->state.car_age[0], n * sizeof *age);
    assert_memory_equal(ncars, pop->state.ncars, n);
    free(age);
    free(ncars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_needs_population),
        cmocka_unit_test(test_alloc_rejects_bad_params),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_month_advances),
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_repeat_bit_identical),
        cmocka_unit_test(test_other_key_differs),
        cmocka_unit_test(test_groups_sum_to_all),
        cmocka_unit_test(test_totals_match_population),
        cmocka_unit_test(test_group_counts_match_population),
        cmocka_unit_test(test_population_untouched),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
