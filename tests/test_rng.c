/* test_rng.c: counter-based random streams (core/rng.h): draws depend exactly
 * on (seed, replicate, household, month, purpose, draw index); the gsl_rng
 * adaptor is reproducible after a reset; sp_u01 stays in (0,1); uniformity of
 * 100,000 draws by a chi-square test on 100 bins (fails only if P < 0.001)
 * and a mean within 4 standard errors of 1/2. Seeds are fixed: deterministic. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "spendsim.h"

static void words(uint32_t seed, uint32_t rep, uint32_t hh, uint32_t month, uint32_t purpose,
                  uint32_t draw, uint32_t out[4])
{
    sp_rng_words(sp_rng_key_make(seed, rep), hh, month, purpose, draw, out);
}

static void test_same_address_same_words(void **state)
{
    (void)state;
    uint32_t a[4], b[4];
    words(7, 3, 12345, 24228, SP_PURPOSE_SPENDING, 2, a);
    words(7, 3, 12345, 24228, SP_PURPOSE_SPENDING, 2, b);
    assert_memory_equal(a, b, sizeof a);
    /* The four words of one call differ from each other. */
    assert_true(a[0] != a[1] && a[1] != a[2] && a[2] != a[3]);
}

static void test_key_is_deterministic(void **state)
{
    (void)state;
    sp_rng_key k1 = sp_rng_key_make(42, 5), k2 = sp_rng_key_make(42, 5);
    assert_memory_equal(&k1, &k2, sizeof k1);
}

/* Each component of the address changes the words. */
static void test_every_address_component_matters(void **state)
{
    (void)state;
    uint32_t base[4], o[4];
    words(7, 3, 12345, 24228, SP_PURPOSE_SPENDING, 2, base);
    words(8, 3, 12345, 24228, SP_PURPOSE_SPENDING, 2, o);
    assert_memory_not_equal(base, o, sizeof base); /* seed */
    words(7, 4, 12345, 24228, SP_PURPOSE_SPENDING, 2, o);
    assert_memory_not_equal(base, o, sizeof base); /* replicate */
    words(7, 3, 12346, 24228, SP_PURPOSE_SPENDING, 2, o);
    assert_memory_not_equal(base, o, sizeof base); /* household */
    words(7, 3, 12345, 24229, SP_PURPOSE_SPENDING, 2, o);
    assert_memory_not_equal(base, o, sizeof base); /* month */
    words(7, 3, 12345, 24228, SP_PURPOSE_CARS, 2, o);
    assert_memory_not_equal(base, o, sizeof base); /* purpose */
    words(7, 3, 12345, 24228, SP_PURPOSE_SPENDING, 3, o);
    assert_memory_not_equal(base, o, sizeof base); /* draw index */
}

/* Keys of nearby (seed, replicate) pairs do not collide. */
static void test_keys_do_not_collide(void **state)
{
    (void)state;
    enum { S = 16, R = 16 };
    sp_rng_key keys[S * R];
    for (uint32_t s = 0; s < S; s++)
        for (uint32_t r = 0; r < R; r++)
            keys[s * R + r] = sp_rng_key_make(s, r);
    for (int a = 0; a < S * R; a++)
        for (int b = 0; b < a; b++)
            assert_memory_not_equal(&keys[a], &keys[b], sizeof keys[a]);
}

static void test_gsl_stream_reproducible_after_reset(void **state)
{
    (void)state;
    gsl_rng *r = sp_rng_stream_alloc();
    assert_non_null(r);
    sp_rng_key key = sp_rng_key_make(11, 0);
    unsigned long first[32];
    double g1[4], g2[4];
    sp_rng_stream_reset(r, key, 99, 24228, SP_PURPOSE_CARS);
    for (int k = 0; k < 32; k++)
        first[k] = gsl_rng_get(r);
    for (int k = 0; k < 4; k++)
        g1[k] = gsl_ran_gaussian(r, 1.0);
    sp_rng_stream_reset(r, key, 99, 24228, SP_PURPOSE_CARS);
    for (int k = 0; k < 32; k++)
        assert_true(gsl_rng_get(r) == first[k]);
    for (int k = 0; k < 4; k++)
        g2[k] = gsl_ran_gaussian(r, 1.0);
    assert_memory_equal(g1, g2, sizeof g1);
    /* Another household's stream differs. */
    sp_rng_stream_reset(r, key, 100, 24228, SP_PURPOSE_CARS);
    int same = 0;
    for (int k = 0; k < 32; k++)
        same += gsl_rng_get(r) == first[k];
    assert_true(same < 32);
    sp_rng_stream_free(r);
    sp_rng_stream_free(NULL);
}

/* The adaptor serves, for its k-th block of four draws, the four words of
 * sp_rng_words with draw index k (in some order within the block). */
static void test_gsl_stream_matches_words(void **state)
{
    (void)state;
    gsl_rng *r = sp_rng_stream_alloc();
    sp_rng_key key = sp_rng_key_make(3, 1);
    sp_rng_stream_reset(r, key, 5, 24230, SP_PURPOSE_VOUCHER);
    for (uint32_t d = 0; d < 3; d++) {
        uint32_t block[4], expect[4];
        for (int k = 0; k < 4; k++)
            block[k] = (uint32_t)gsl_rng_get(r);
        sp_rng_words(key, 5, 24230, SP_PURPOSE_VOUCHER, d, expect);
        for (int k = 0; k < 4; k++) {
            int found = 0;
            for (int j = 0; j < 4; j++)
                found |= block[k] == expect[j];
            assert_true(found);
        }
    }
    sp_rng_stream_free(r);
}

static void test_u01_open_interval(void **state)
{
    (void)state;
    assert_true(sp_u01(0) > 0.0);
    assert_true(sp_u01(UINT32_MAX) < 1.0);
    assert_true(sp_u01_16(0) > 0.0);
    assert_true(sp_u01_16(0xffffu) < 1.0);
    assert_true(sp_u01_16(0x1ffffu) == sp_u01_16(0xffffu)); /* only the low 16 bits count */
    assert_float_equal(sp_u01(UINT32_MAX / 2), 0.5, 1e-9);
}

enum { NDRAW = 100000, NBIN = 100 };

static void test_uniformity_chi_square(void **state)
{
    (void)state;
    static unsigned counts[NBIN];
    memset(counts, 0, sizeof counts);
    sp_rng_key key = sp_rng_key_make(2019, 0);
    double sum = 0;
    for (uint32_t i = 0; i < NDRAW / 4; i++) {
        uint32_t w[4];
        sp_rng_words(key, i, 24228, SP_PURPOSE_SPENDING, 0, w);
        for (int k = 0; k < 4; k++) {
            double u = sp_u01(w[k]);
            assert_true(u > 0.0 && u < 1.0);
            counts[(int)(u * NBIN)]++;
            sum += u;
        }
    }
    double expect = (double)NDRAW / NBIN, chi2 = 0;
    for (int b = 0; b < NBIN; b++)
        chi2 += (counts[b] - expect) * (counts[b] - expect) / expect;
    double p = gsl_cdf_chisq_Q(chi2, NBIN - 1);
    print_message("chi-square %.1f on %d df, P = %.3f\n", chi2, NBIN - 1, p);
    assert_true(p > 0.001);
    /* mean: standard error sqrt(1/12/N) = 0.00091; allow 4 of them */
    double mean = sum / NDRAW;
    assert_true(fabs(mean - 0.5) < 4.0 * sqrt(1.0 / 12.0 / NDRAW));
}

/* Uniformity across households with everything else fixed: the first word of
 * consecutive households (the counter pattern the engine uses most). */
static void test_uniformity_across_households_bits(void **state)
{
    (void)state;
    sp_rng_key key = sp_rng_key_make(1, 0);
    unsigned ones[32] = {0};
    for (uint32_t i = 0; i < NDRAW; i++) {
        uint32_t w[4];
        sp_rng_words(key, i, 0, SP_PURPOSE_POPULATION, 0, w);
        for (int b = 0; b < 32; b++)
            ones[b] += (w[0] >> b) & 1u;
    }
    /* each bit is 1 half the time: sd sqrt(N/4) = 158; allow 5 sd */
    for (int b = 0; b < 32; b++)
        assert_true(fabs((double)ones[b] - NDRAW / 2.0) < 5.0 * sqrt(NDRAW / 4.0));
}

/* The batched draws equal sp_rng_words word for word, on the vector path the
 * CPU picks and on the portable path: counts that are and are not multiples
 * of the vector width, household ids wrapping past 2^32 - 1, every purpose. */
static void check_batch(void)
{
    static uint32_t got[300][4];
    const uint32_t firsts[] = {0, 1, 4093, UINT32_MAX - 20};
    const size_t counts[] = {0, 1, 7, 8, 9, 16, 255, 300};
    for (int f = 0; f < 4; f++)
        for (int c = 0; c < 8; c++)
            for (uint32_t purpose = 1; purpose <= 8; purpose++) {
                sp_rng_key key = sp_rng_key_make(11 + purpose, (uint32_t)c);
                uint32_t month = 24228 + purpose, draw = purpose % 3;
                memset(got, 0xA5, sizeof got);
                sp_rng_words_batch(key, firsts[f], counts[c], month, purpose, draw, got);
                for (size_t j = 0; j < counts[c]; j++) {
                    uint32_t expect[4];
                    sp_rng_words(key, firsts[f] + (uint32_t)j, month, purpose, draw, expect);
                    assert_memory_equal(got[j], expect, sizeof expect);
                }
                if (counts[c] < 300) /* nothing written past the end */
                    assert_int_equal(got[counts[c]][0], 0xA5A5A5A5u);
            }
}

static void test_batch_matches_words(void **state)
{
    (void)state;
    print_message("vector level: %s\n", sp_simd_name());
    for (int level = SP_SIMD_AVX512; level >= SP_SIMD_PORTABLE; level--) {
        sp_simd_cap(level);
        assert_true(sp_simd_level() <= level);
        check_batch();
    }
    assert_string_equal(sp_simd_name(), "portable");
    sp_simd_cap(-1);
}

/* sp_u01f_threshold_of: sp_u01f(w) < c exactly when sp_u01f_below(w, t), and
 * sp_u01f(w) >= c when sp_u01f_not_below, at the threshold's neighbours (where
 * an off-by-one would show), at the extremes and at 20,000 words spread over
 * the range, for cut points at the edges of (0, 1), beyond it, at floats'
 * rounding boundaries and 200 from a fixed stream. The bisection relies on
 * sp_u01f being non-decreasing: checked on 2^20 consecutive word pairs. */
static void check_threshold(double c)
{
    sp_u01f_threshold t = sp_u01f_threshold_of(c);
    uint32_t probe[] = {0, 1, 2, UINT32_MAX, UINT32_MAX - 1, t.below, t.below - 1, t.below + 1,
                        t.below - 2, t.below + 2};
    for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
        uint32_t w = probe[k];
        assert_int_equal(sp_u01f_below(w, t), sp_u01f(w) < c);
        if (!isnan(c))
            assert_int_equal(sp_u01f_not_below(w, t), sp_u01f(w) >= c);
    }
    for (uint64_t w = 0; w <= UINT32_MAX; w += 214748) { /* 20,001 words */
        assert_int_equal(sp_u01f_below((uint32_t)w, t), sp_u01f((uint32_t)w) < c);
        if (!isnan(c))
            assert_int_equal(sp_u01f_not_below((uint32_t)w, t), sp_u01f((uint32_t)w) >= c);
    }
    assert_true(t.all == 0 || t.all == 1);
    assert_int_equal(t.all, c > 1.0); /* sp_u01f(UINT32_MAX) rounds to 1.0f */
}

static void test_u01f_threshold(void **state)
{
    (void)state;
    const double cuts[] = {0.0, -1.0, 1e-12, sp_u01f(0), sp_u01f(1), 0.1, 0.15, 0.4, 0.5, 0.7, 0.9,
                           0.87, 1.0 - 1e-9, (double)nextafterf(1.0f, 0.0f), 1.0,
                           nextafter(1.0, 2.0), 1.5, INFINITY, -INFINITY, NAN,
                           (double)nextafterf(0.5f, 1.0f),
                           0.5 * ((double)nextafterf(0.5f, 1.0f) + 0.5)}; /* halfway: ties */
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++)
        check_threshold(cuts[k]);
    uint32_t w[4];
    for (uint32_t i = 0; i < 50; i++) {
        words(99, 1, i, 0, SP_PURPOSE_SPENDING, 0, w);
        for (int j = 0; j < 4; j++)
            check_threshold(sp_u01(w[j]));
    }
    for (uint32_t x = 0; x < (1u << 20); x++) { /* non-decreasing: pairs across the range */
        uint32_t v = x * 4096u + (x >> 8);
        if (v < UINT32_MAX)
            assert_true(sp_u01f(v) <= sp_u01f(v + 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_address_same_words),
        cmocka_unit_test(test_key_is_deterministic),
        cmocka_unit_test(test_every_address_component_matters),
        cmocka_unit_test(test_keys_do_not_collide),
        cmocka_unit_test(test_gsl_stream_reproducible_after_reset),
        cmocka_unit_test(test_gsl_stream_matches_words),
        cmocka_unit_test(test_u01_open_interval),
        cmocka_unit_test(test_uniformity_chi_square),
        cmocka_unit_test(test_uniformity_across_households_bits),
        cmocka_unit_test(test_batch_matches_words),
        cmocka_unit_test(test_u01f_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
