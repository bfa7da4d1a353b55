/* test_simd.c: the run-time choice of vector paths (core/simd.h): the level
 * is one of the three and its name matches; a cap lowers it and removing the
 * cap restores the CPU's level; SPENDSIM_SIMD caps it from the environment
 * (set here before the first call) and a value that is not a level name is
 * reported with the value. The paths' results are compared in the tests of
 * the kernels (test_rng, test_spending, test_cars, test_measures). */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_level_and_name(void **state)
{
    (void)state;
    int level = sp_simd_level();
    assert_true(level >= SP_SIMD_PORTABLE && level <= SP_SIMD_AVX2); /* capped by the environment */
    static const char *const names[] = {"portable", "avx2", "avx512"};
    assert_string_equal(sp_simd_name(), names[level]);
    assert_int_equal(sp_simd_avx2(), level >= SP_SIMD_AVX2);
    assert_int_equal(sp_simd_avx512(), 0);
    print_message("level with SPENDSIM_SIMD=avx2: %s\n", sp_simd_name());
}

static void test_cap(void **state)
{
    (void)state;
    int cpu = sp_simd_level();
    sp_simd_cap(SP_SIMD_PORTABLE);
    assert_int_equal(sp_simd_level(), SP_SIMD_PORTABLE);
    assert_false(sp_simd_avx2());
    assert_string_equal(sp_simd_name(), "portable");
    sp_simd_cap(SP_SIMD_AVX512); /* a cap above the CPU's level changes nothing */
    assert_int_equal(sp_simd_level(), cpu);
    sp_simd_cap(-1);
    assert_int_equal(sp_simd_level(), cpu);
}

static void test_check_env(void **state)
{
    (void)state;
    sp_err e;
    const char *ok[] = {"portable", "avx2", "avx512", ""};
    for (int k = 0; k < 4; k++) {
        setenv("SPENDSIM_SIMD", ok[k], 1);
        assert_int_equal(sp_simd_check_env(&e), SP_OK);
    }
    unsetenv("SPENDSIM_SIMD");
    assert_int_equal(sp_simd_check_env(&e), SP_OK);
    setenv("SPENDSIM_SIMD", "AVX2", 1); /* names are lower case */
    assert_int_equal(sp_simd_check_env(&e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "SPENDSIM_SIMD must be portable, avx2 or avx512, got 'AVX2'"));
    setenv("SPENDSIM_SIMD", "sse4", 1);
    assert_int_equal(sp_simd_check_env(NULL), SP_EINVAL); /* no message buffer: still the code */
    setenv("SPENDSIM_SIMD", "avx2", 1);
}

int main(void)
{
    setenv("SPENDSIM_SIMD", "avx2", 1); /* before the level is first read */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_and_name),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_check_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
