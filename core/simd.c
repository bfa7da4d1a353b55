/* simd.c: run-time choice of the vector paths. */
#include "simd.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The CPU's level + 1 (0: not detected yet) and the cap + 1 (0: none).
 * Relaxed atomics: every thread that detects computes the same value. */
static atomic_int detected;
static atomic_int capped;

static int detect(void)
{
    int level = SP_SIMD_PORTABLE;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        level = SP_SIMD_AVX2;
    if (level == SP_SIMD_AVX2 && __builtin_cpu_supports("avx512f"))
        level = SP_SIMD_AVX512;
#endif
    const char *env = getenv("SPENDSIM_SIMD");
    if (env && strcmp(env, "portable") == 0)
        level = SP_SIMD_PORTABLE;
    else if (env && strcmp(env, "avx2") == 0 && level > SP_SIMD_AVX2)
        level = SP_SIMD_AVX2;
    return level;
}

int sp_simd_level(void)
{
    int d = atomic_load_explicit(&detected, memory_order_relaxed);
    if (d == 0) {
        d = detect() + 1;
        atomic_store_explicit(&detected, d, memory_order_relaxed);
    }
    int c = atomic_load_explicit(&capped, memory_order_relaxed);
    return c > 0 && c - 1 < d - 1 ? c - 1 : d - 1;
}

void sp_simd_cap(int level)
{
    atomic_store_explicit(&capped, level < 0 ? 0 : level + 1, memory_order_relaxed);
}

int sp_simd_avx2(void) { return sp_simd_level() >= SP_SIMD_AVX2; }

int sp_simd_avx512(void) { return sp_simd_level() >= SP_SIMD_AVX512; }

const char *sp_simd_name(void)
{
    static const char *const names[] = {"portable", "avx2", "avx512"};
    _Static_assert(sizeof names / sizeof names[0] == SP_SIMD_AVX512 + 1, "one name per level");
    return names[sp_simd_level()];
}

int sp_simd_check_env(sp_err *err)
{
    const char *env = getenv("SPENDSIM_SIMD");
    if (!env || !*env || strcmp(env, "portable") == 0 || strcmp(env, "avx2") == 0 ||
        strcmp(env, "avx512") == 0)
        return SP_OK;
    return sp_err_set(err, SP_EINVAL,
                      "environment variable SPENDSIM_SIMD must be portable, avx2 or avx512, got '%.64s'",
                      env);
}
