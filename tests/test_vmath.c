/* test_vmath.c: exp, log and the normal quantile of core/vmath.h.
 *   - accuracy against the C library (exp, log: at most 1 ulp apart; the
 *     quantile against GSL's gsl_cdf_ugaussian_Pinv, the same algorithm:
 *     relative difference at most 2e-15), on a million arguments each over
 *     the ranges the population build uses and beyond;
 *   - the same bits from the AVX-512, AVX2 and portable loops and the
 *     scalar functions (the promise that makes populations identical everywhere);
 *   - clamped arguments (huge, tiny, zero, the ends of (0, 1)) give finite,
 *     ordered results; in-place arrays; symmetry and monotonicity of the
 *     quantile. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "simd.h"
#include "vmath.h"

#define N 1000000

/* xorshift64: test arguments, not model randomness */
static uint64_t rs = 88172645463325252ULL;
static double uniform(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return ((double)(rs >> 11) + 0.5) * 0x1p-53;
}

static double ulps(double a, double b)
{
    if (a == b)
        return 0;
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    return fabs((double)(ia - ib));
}

typedef void (*array_fn)(const double *, double *, size_t);
typedef double (*scalar_fn)(double);

/* The array function under every SIMD level, and the scalar one, agree bit
 * for bit on x; returns the results (caller frees). */
static double *same_everywhere(array_fn f, scalar_fn f1, const double *x, size_t n)
{
    double *a = malloc(n * sizeof *a), *p = malloc(n * sizeof *p);
    assert_true(a && p);
    sp_simd_cap(-1); /* the CPU's best: AVX-512 here when it has it */
    f(x, a, n);
    for (int level = SP_SIMD_PORTABLE; level <= SP_SIMD_AVX2; level++) {
        sp_simd_cap(level);
        f(x, p, n);
        assert_memory_equal(a, p, n * sizeof *a);
    }
    sp_simd_cap(-1);
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &(double){f1(x[i])}, sizeof a[i]) != 0)
            fail_msg("scalar and array differ at %.17g", x[i]);
    free(p);
    return a;
}

static void test_exp(void **state)
{
    (void)state;
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < N; i++)
        x[i] = i % 2 ? -40 + 80 * uniform() : -700 + 1400 * uniform();
    double *y = same_everywhere(sp_vm_exp, sp_vm_exp1, x, N);
    double worst = 0;
    for (size_t i = 0; i < N; i++)
        worst = fmax(worst, ulps(y[i], exp(x[i])));
    print_message("exp: at most %.0f ulp from the C library\n", worst);
    assert_true(worst <= 1);
    /* clamped: finite and positive */
    assert_true(isfinite(sp_vm_exp1(1e6)) && sp_vm_exp1(1e6) > 1e307);
    assert_true(sp_vm_exp1(-1e6) > 0 && sp_vm_exp1(-1e6) < 1e-307);
    assert_true(sp_vm_exp1(0) == 1.0);
    free(x);
    free(y);
}

static void test_log(void **state)
{
    (void)state;
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < N; i++) /* incomes and ratios; then the whole normal range */
        x[i] = i % 3 == 0 ? 1 + 2e6 * uniform() : i % 3 == 1 ? 0.5 + uniform() : exp(-700 + 1400 * uniform());
    double *y = same_everywhere(sp_vm_log, sp_vm_log1, x, N);
    double worst = 0;
    for (size_t i = 0; i < N; i++)
        worst = fmax(worst, ulps(y[i], log(x[i])));
    print_message("log: at most %.0f ulp from the C library\n", worst);
    assert_true(worst <= 1);
    assert_true(sp_vm_log1(1.0) == 0.0);
    /* clamped: log(0) and subnormals are log(DBL_MIN); infinity is log(DBL_MAX) */
    assert_true(sp_vm_log1(0) == sp_vm_log1(0x1p-1022) && isfinite(sp_vm_log1(0)));
    assert_true(sp_vm_log1(0x1p-1050) == sp_vm_log1(0x1p-1022));
    assert_true(isfinite(sp_vm_log1(INFINITY)) && sp_vm_log1(INFINITY) > 709);
    /* in place */
    double v[3] = {1.0, exp(1.0), 10.0};
    sp_vm_log(v, v, 3);
    assert_true(v[0] == 0.0 && fabs(v[1] - 1) < 1e-15 && fabs(v[2] - log(10.0)) < 1e-15);
    free(x);
    free(y);
}

static void test_norm_inv(void **state)
{
    (void)state;
    double *u = malloc(N * sizeof *u);
    assert_non_null(u);
    for (size_t i = 0; i < N; i++) /* the whole range; the far tails (r > 5) too */
        u[i] = i % 5 == 0 ? exp(-60 * uniform()) : uniform();
    double *z = same_everywhere(sp_vm_norm_inv, sp_vm_norm_inv1, u, N);
    double worst = 0;
    for (size_t i = 0; i < N; i++) {
        double g = gsl_cdf_ugaussian_Pinv(u[i]);
        worst = fmax(worst, fabs(z[i] - g) / fmax(fabs(g), 1e-300));
    }
    print_message("normal quantile: relative difference from GSL at most %.3g\n", worst);
    assert_true(worst <= 2e-15);
    /* symmetric about 1/2, zero there, increasing */
    assert_true(sp_vm_norm_inv1(0.5) == 0.0);
    for (int k = 1; k < 512; k++) /* dyadic p: 1 - p is exact, so the quantiles are exact negatives */
        assert_true(sp_vm_norm_inv1(k / 1024.0) == -sp_vm_norm_inv1(1.0 - k / 1024.0));
    double prev = -INFINITY;
    for (int k = 1; k < 10000; k++) {
        double zk = sp_vm_norm_inv1(k / 10000.0);
        assert_true(zk > prev);
        prev = zk;
    }
    /* the ends of (0, 1) are clamped: finite */
    assert_true(isfinite(sp_vm_norm_inv1(0.0)) && sp_vm_norm_inv1(0.0) < -37);
    assert_true(isfinite(sp_vm_norm_inv1(1.0)) && sp_vm_norm_inv1(1.0) > 8);
    /* the build's 32-bit uniforms: (w + 0.5) / 2^32 at the extremes */
    assert_true(fabs(sp_vm_norm_inv1(0.5 / 4294967296.0) - gsl_cdf_ugaussian_Pinv(0.5 / 4294967296.0)) <
                1e-14);
    free(u);
    free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_norm_inv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
