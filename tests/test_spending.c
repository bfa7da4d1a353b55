/* test_spending.c: baseline monthly spending (core/spending.h, docs/model.md
 * section 2): model set-up validates its parameters; the seasonal profile has
 * mean 1 per category at any amplitude; growth is 1 at mid-year and compounds
 * by the annual factor; over 50,000 households x the 12 months of 2019 with
 * growth 1.0, weighted spending reproduces planned consumption (total within
 * 0.5%, each category within 1%); spending is lumpy (many zero-clothing
 * months, food almost never zero); the same (key, household, month) gives the
 * same spending. Fixed seeds: deterministic. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "spendsim.h"

#define HOUSEHOLDS 50000

SP_TEST_POPULATION(HOUSEHOLDS, 5)

static void test_init_validates_params(void **state)
{
    (void)state;
    sp_spending_model m;
    sp_params p = sp_params_default();
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_spending_model_init(&m, &p, 2019, &err), SP_OK);
    p.trip_cv = 5.0;
    assert_int_equal(sp_spending_model_init(&m, &p, 2019, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "trip_cv"));
    p = sp_params_default();
    p.trips[SP_CAT_HEALTH] = 0.0;
    sp_err_clear(&err);
    assert_int_equal(sp_spending_model_init(&m, &p, 2019, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "trips_health"));
}

static void test_season_table_mean_one(void **state)
{
    (void)state;
    for (int c = 0; c < SP_NCAT; c++) {
        double sum = 0;
        for (int k = 1; k <= 12; k++) {
            double s = sp_spending_season_table(c, k);
            assert_true(s > 0.5 && s < 1.5);
            sum += s;
        }
        assert_float_equal(sum / 12.0, 1.0, 1e-12);
    }
    assert_true(sp_spending_season_table(0, 0) == 0.0);
    assert_true(sp_spending_season_table(0, 13) == 0.0);
    assert_true(sp_spending_season_table(SP_NCAT, 1) == 0.0);
}

static void test_model_season_mean_one_at_any_amplitude(void **state)
{
    (void)state;
    const double amps[] = {0.0, 0.5, 1.0, 2.0};
    for (size_t a = 0; a < sizeof amps / sizeof amps[0]; a++) {
        sp_params p = sp_params_default();
        p.season_amplitude = amps[a];
        sp_spending_model m;
        assert_int_equal(sp_spending_model_init(&m, &p, 2019, NULL), SP_OK);
        for (int c = 0; c < SP_NCAT; c++) {
            double sum = 0;
            for (int k = 0; k < 12; k++) {
                assert_true(m.season[c][k] >= 0.0);
                if (amps[a] == 0.0)
                    assert_true(m.season[c][k] == 1.0);
                if (amps[a] == 1.0)
                    assert_float_equal(m.season[c][k], sp_spending_season_table(c, k + 1), 1e-15);
                sum += m.season[c][k];
            }
            assert_float_equal(sum / 12.0, 1.0, 1e-12);
        }
    }
}

static void test_growth(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    p.growth = 1.08;
    sp_spending_model m;
    assert_int_equal(sp_spending_model_init(&m, &p, 2019, NULL), SP_OK);
    double jun = sp_spending_growth(&m, sp_month_make(2019, 6));
    double jul = sp_spending_growth(&m, sp_month_make(2019, 7));
    assert_float_equal(jun * jul, 1.0, 1e-12); /* symmetric about mid-year */
    assert_float_equal(sp_spending_growth(&m, sp_month_make(2020, 3)) /
                           sp_spending_growth(&m, sp_month_make(2019, 3)),
                       1.08, 1e-12);
    double mean = 0;
    for (int k = 1; k <= 12; k++)
        mean += sp_spending_growth(&m, sp_month_make(2019, k)) / 12.0;
    assert_float_equal(mean, 1.0, 1e-3);
    p.growth = 1.0;
    assert_int_equal(sp_spending_model_init(&m, &p, 2019, NULL), SP_OK);
    assert_true(sp_spending_growth(&m, sp_month_make(2023, 9)) == 1.0);
}

/* coef = season x growth / 12 / E[N] / 2^16, month word = calendar month. */
static void test_month_prepare(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_spending_model m;
    assert_int_equal(sp_spending_model_init(&m, &p, 2019, NULL), SP_OK);
    int month = sp_month_make(2020, 2);
    sp_spending_month mo;
    sp_spending_month_prepare(&m, month, &mo);
    assert_int_equal(mo.month_word, (uint32_t)month);
    for (int c = 0; c < SP_NCAT; c++)
    {
        double want = m.season[c][1] * sp_spending_growth(&m, month) / 12.0 * m.inv_mean[c] / 65536.0;
        assert_true(fabs(mo.coef[c] / want - 1.0) < 1e-7); /* single precision */
    }
}

/* Weighted spending over 2019 against planned consumption, by category. */
static void test_mean_spending_reproduces_consumption(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    p.growth = 1.0;
    sp_spending_model m;
    assert_int_equal(sp_spending_model_init(&m, &p, pop->base_year, NULL), SP_OK);
    assert_int_equal(sp_spending_model_classes(&m, &p, pop, NULL), SP_OK);
    sp_rng_key key = sp_rng_key_make(1, 0);
    double got[SP_NCAT] = {0}, want[SP_NCAT] = {0};
    for (int k = 1; k <= 12; k++) {
        sp_spending_month mo;
        sp_spending_month_prepare(&m, sp_month_make(2019, k), &mo);
        for (size_t i = 0; i < pop->n; i++) {
            double s[SP_NCAT];
            unsigned trips[SP_NCAT];
            sp_spending_household(&m, pop, &mo, (uint32_t)i, key, s, trips);
            for (int c = 0; c < SP_NCAT; c++)
                got[c] += (double)pop->weight[i] * s[c];
        }
    }
    double tot_got = 0, tot_want = 0;
    for (size_t i = 0; i < pop->n; i++)
        for (int c = 0; c < SP_NCAT; c++)
            want[c] += (double)pop->weight[i] * pop->consumption[i] * sp_population_share(pop, i, c);
    int bad = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        double dev = got[c] / want[c] - 1.0;
        print_message("%-16s spending/consumption - 1 = %+.3f%%\n", sp_category_name(c), 100 * dev);
        bad += fabs(dev) > 0.01;
        tot_got += got[c];
        tot_want += want[c];
    }
    double dev = tot_got / tot_want - 1.0;
    print_message("%-16s spending/consumption - 1 = %+.3f%%\n", "total", 100 * dev);
    assert_int_equal(bad, 0);
    assert_true(fabs(dev) <= 0.005);
}

/* Shares of household-months with nothing spent on a category. */
static void zero_shares(double *clothing, double *food)
{
    sp_params p = sp_params_default();
    sp_spending_model m;
    assert_int_equal(sp_spending_model_init(&m, &p, pop->base_year, NULL), SP_OK);
    sp_rng_key key = sp_rng_key_make(1, 0);
    size_t zc = 0, zf = 0, n = 0;
    for (int k = 1; k <= 12; k++) {
        sp_spending_month mo;
        sp_spending_month_prepare(&m, sp_month_make(2019, k), &mo);
        for (size_t i = 0; i < pop->n; i += 5, n++) {
            double s[SP_NCAT];
            unsigned trips[SP_NCAT];
            sp_spending_household(&m, pop, &mo, (uint32_t)i, key, s, trips);
            for (int c = 0; c < SP_NCAT; c++) {
                assert_true(s[c] >= 0.0 && isfinite(s[c]));
                /* nothing is bought without a trip; a trip buys something */
                assert_true((trips[c] == 0) == (s[c] == 0.0));
            }
            zc += s[SP_CAT_CLOTHING] == 0.0;
            zf += s[SP_CAT_FOOD] == 0.0;
        }
    }
    *clothing = (double)zc / n;
    *food = (double)zf / n;
}

static void test_spending_is_lumpy(void **state)
{
    (void)state;
    double clothing, food;
    zero_shares(&clothing, &food);
    print_message("household-months with no clothing %.1f%%, no food %.4f%%\n", 100 * clothing,
                  100 * food);
    /* Poisson(1.2) trips: exp(-1.2) = 30% of months without clothing. */
    assert_true(clothing > 0.10);
    assert_true(food < 0.001);
}

static void test_same_address_same_spending(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_spending_model m;
    assert_int_equal(sp_spending_model_init(&m, &p, pop->base_year, NULL), SP_OK);
    sp_rng_key key = sp_rng_key_make(9, 2);
    sp_spending_month mo, other;
    sp_spending_month_prepare(&m, sp_month_make(2019, 11), &mo);
    double a[SP_NCAT], b[SP_NCAT], c[SP_NCAT], d[SP_NCAT];
    unsigned ta[SP_NCAT], tb[SP_NCAT], tc[SP_NCAT], td[SP_NCAT];
    sp_spending_household(&m, pop, &mo, 123, key, a, ta);
    sp_spending_household(&m, pop, &mo, 456, key, c, tc); /* in between */
    sp_spending_household(&m, pop, &mo, 123, key, b, tb);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_equal(ta, tb, sizeof ta);
    /* The same month's constants but another month's counter: other draws. */
    other = mo;
    other.month_word += 12;
    sp_spending_household(&m, pop, &other, 123, key, d, td);
    assert_memory_not_equal(a, d, sizeof a);
}

/* The vectorised kernel and the portable one give bit-identical spending and
 * trip counts, for every household of the test population over a year, at
 * the default trip rates and at extreme ones (many steps begin inside the
 * kernel's buckets); the trip counts are the Poisson CDF steps of the
 * uniforms, and (with trip_cv below 1/sqrt(3)) spending is zero exactly when
 * no trip is made. */
static void kernels_agree(const sp_params *p)
{
    static sp_spending_model m; /* about 1 MB: not on the stack */
    assert_int_equal(sp_spending_model_init(&m, p, pop->base_year, NULL), SP_OK);
    assert_int_equal(sp_spending_model_classes(&m, p, pop, NULL), SP_OK);
    sp_rng_key key = sp_rng_key_make(3, 1);
    enum { CH = 300 };
    uint32_t w[CH][4];
    float a[CH][SP_NCAT], b[CH][SP_NCAT];
    uint8_t ta[CH][SP_NCAT], tb[CH][SP_NCAT];
    for (int k = 1; k <= 12; k++) {
        sp_spending_month mo;
        sp_spending_month_prepare(&m, sp_month_make(2019, k), &mo);
        for (size_t lo = 0; lo < pop->n; lo += CH) {
            size_t n = pop->n - lo < CH ? pop->n - lo : CH;
            sp_rng_words_batch(key, (uint32_t)lo, n, mo.month_word, SP_PURPOSE_SPENDING, 0, w);
            sp_spending_chunk(&m, pop, &mo, lo, n, (const uint32_t(*)[4])w, a, ta);
            sp_simd_cap(SP_SIMD_PORTABLE);
            sp_spending_chunk(&m, pop, &mo, lo, n, (const uint32_t(*)[4])w, b, tb);
            sp_simd_cap(-1);
            assert_memory_equal(a, b, n * sizeof a[0]);
            assert_memory_equal(ta, tb, n * sizeof ta[0]);
            sp_spending_chunk(&m, pop, &mo, lo, n, (const uint32_t(*)[4])w, b, NULL); /* the engine's fast path */
            assert_memory_equal(a, b, n * sizeof a[0]);
            for (size_t j = 0; j < n; j++)
                for (int c = 0; c < SP_NCAT; c++) {
                    uint32_t u = (c & 1) ? w[j][c >> 1] >> 16 : w[j][c >> 1] & 0xffffu;
                    unsigned t = ta[j][c];
                    const sp_trip_tables *tt = &m.cls[m.class_of_rank[pop->ranks[lo + j] & SP_RANK_CONS_MASK]];
                    assert_true(u >= tt->pois_lo[c][t] && u < tt->pois_cdf[c][t]);
                    assert_true(a[j][c] >= 0.0f && isfinite(a[j][c]));
                    if (p->trip_cv < 0.57) /* noise 1 +- sqrt(3) cv never reaches 0 */
                        assert_true((t == 0) == (a[j][c] == 0.0f));
                }
        }
    }
    /* One call over more households than the vector kernel's pass holds. */
    enum { BIG = 2500 };
    static uint32_t wb[BIG][4];
    static float x[BIG][SP_NCAT], y[BIG][SP_NCAT];
    sp_spending_month mo;
    sp_spending_month_prepare(&m, sp_month_make(2019, 6), &mo);
    const size_t nb = pop->n < BIG ? pop->n : BIG;
    sp_rng_words_batch(key, 0, nb, mo.month_word, SP_PURPOSE_SPENDING, 0, wb);
    sp_spending_chunk(&m, pop, &mo, 0, nb, (const uint32_t(*)[4])wb, x, NULL);
    sp_simd_cap(SP_SIMD_PORTABLE);
    sp_spending_chunk(&m, pop, &mo, 0, nb, (const uint32_t(*)[4])wb, y, NULL);
    sp_simd_cap(-1);
    assert_memory_equal(x, y, nb * sizeof x[0]);
}

static void test_vector_and_portable_kernels_agree(void **state)
{
    (void)state;
    print_message("kernel path: %s\n", sp_simd_name());
    sp_params p = sp_params_default();
    kernels_agree(&p);
    for (int c = 0; c < SP_NCAT; c++)
        p.trips[c] = c % 2 ? 0.05 : 60.0;
    p.trip_cv = 1.5;
    kernels_agree(&p);
}

/* Purchases scale with consumption: the trip-rate multipliers rise across
 * the consumption terciles with households-weighted mean 1; over the 12
 * months of 2019 the top tercile makes more food trips than the bottom one
 * (ratio within 10% of the multipliers' ratio) and its food basket (spending
 * per trip) is larger; with trip_elasticity 0 every class has multiplier 1
 * and the tables of the model without classes (exact rule). */
static void test_trips_and_baskets_scale_with_consumption(void **state)
{
    (void)state;
    static sp_spending_model m;
    sp_params p = sp_params_default();
    assert_int_equal(sp_spending_model_init(&m, &p, pop->base_year, NULL), SP_OK);
    assert_int_equal(sp_spending_model_classes(&m, &p, pop, NULL), SP_OK);
    assert_true(m.mult[0] < m.mult[1] && m.mult[1] < m.mult[2]);
    double w[SP_TRIP_CLASSES] = {0}, tot = 0, avg = 0;
    double trips[SP_TRIP_CLASSES] = {0}, spend[SP_TRIP_CLASSES] = {0};
    sp_rng_key key = sp_rng_key_make(1, 0);
    for (int k = 1; k <= 12; k++) {
        sp_spending_month mo;
        sp_spending_month_prepare(&m, sp_month_make(2019, k), &mo);
        for (size_t i = 0; i < pop->n; i += 4) {
            double s[SP_NCAT];
            unsigned t[SP_NCAT];
            sp_spending_household(&m, pop, &mo, (uint32_t)i, key, s, t);
            int cl = m.class_of_rank[pop->ranks[i] & SP_RANK_CONS_MASK];
            trips[cl] += t[SP_CAT_FOOD];
            spend[cl] += s[SP_CAT_FOOD];
            if (k == 1)
                w[cl] += pop->weight[i];
        }
    }
    for (int k = 0; k < SP_TRIP_CLASSES; k++) {
        tot += w[k];
        avg += w[k] * m.mult[k];
        print_message("consumption tercile %d: trip multiplier %.3f, food trips %.2f a month, %.1f yuan a trip\n",
                      k + 1, m.mult[k], trips[k] / (w[k] / pop->weight[0]) / 12, spend[k] / trips[k]);
    }
    assert_true(fabs(avg / tot - 1.0) < 0.02); /* every 4th household: sampling */
    double ratio = trips[2] / trips[0] * w[0] / w[2];
    assert_true(fabs(ratio / (m.mult[2] / m.mult[0]) - 1.0) < 0.10);
    assert_true(spend[2] / trips[2] > 1.2 * spend[0] / trips[0]);
    static sp_spending_model flat, plain;
    p.trip_elasticity = 0;
    assert_int_equal(sp_spending_model_init(&plain, &p, pop->base_year, NULL), SP_OK);
    assert_int_equal(sp_spending_model_init(&flat, &p, pop->base_year, NULL), SP_OK);
    assert_int_equal(sp_spending_model_classes(&flat, &p, pop, NULL), SP_OK);
    for (int k = 0; k < SP_TRIP_CLASSES; k++) {
        assert_true(flat.mult[k] == 1.0);
        assert_memory_equal(&flat.cls[k], &plain.cls[0], sizeof plain.cls[0]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_validates_params),
        cmocka_unit_test(test_season_table_mean_one),
        cmocka_unit_test(test_model_season_mean_one_at_any_amplitude),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_month_prepare),
        cmocka_unit_test(test_mean_spending_reproduces_consumption),
        cmocka_unit_test(test_spending_is_lumpy),
        cmocka_unit_test(test_same_address_same_spending),
        cmocka_unit_test(test_vector_and_portable_kernels_agree),
        cmocka_unit_test(test_trips_and_baskets_scale_with_consumption),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
