/* simd.c: run-time choice of the AVX2 or portable kernel paths. */
#include "simd.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* 0: not decided yet; 1: portable; 2: AVX2. Relaxed atomics: every thread
 * that decides computes the same value. */
static atomic_int choice;
static atomic_int disabled;

static int decide(void)
{
    int avx2 = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
    const char *env = getenv("SPENDSIM_NO_SIMD");
    if (env && *env && strcmp(env, "0") != 0)
        avx2 = 0;
    return avx2 ? 2 : 1;
}

int sp_simd_avx2(void)
{
    if (atomic_load_explicit(&disabled, memory_order_relaxed))
        return 0;
    int c = atomic_load_explicit(&choice, memory_order_relaxed);
    if (c == 0) {
        c = decide();
        atomic_store_explicit(&choice, c, memory_order_relaxed);
    }
    return c == 2;
}

void sp_simd_disable(int on) { atomic_store_explicit(&disabled, on ? 1 : 0, memory_order_relaxed); }

const char *sp_simd_name(void) { return sp_simd_avx2() ? "avx2" : "portable"; }
