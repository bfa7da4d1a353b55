/* simd.h: which vector instructions the hot kernels may use.
 *
 * The engine's hot kernels (batched Philox draws in rng.c, the spending
 * kernel in spending.c, the car-market shortcut in cars.c, the household sums
 * in run.c) have a portable C path and AVX2 (and, for the draws, AVX-512)
 * paths, chosen at run time from the CPU. Every path performs the same
 * integer and IEEE operations in the same order (no fused multiply-add: the
 * project builds with -ffp-contract=off), so results are bit-identical
 * whichever path runs; tests run them all and compare. */
#ifndef SP_SIMD_H
#define SP_SIMD_H

#include "status.h"

enum { SP_SIMD_PORTABLE = 0, SP_SIMD_AVX2 = 1, SP_SIMD_AVX512 = 2 };

/* The attribute of an AVX-512 copy of a loop the compiler vectorises: GCC
 * also needs to be told to prefer 512-bit vectors (its default tuning uses
 * 256); Clang does not know that option and would ignore the attribute. */
#if defined(__clang__)
#define SP_TARGET_AVX512 __attribute__((target("avx512f")))
#else
#define SP_TARGET_AVX512 __attribute__((target("avx512f,prefer-vector-width=512")))
#endif

/* The portable kernels are written in GCC/Clang generic vectors (vector_size),
 * which compile to SSE2 on x86-64 and NEON on ARM. SP_HAVE_SHUFFLEVECTOR is 1
 * where the compiler has __builtin_shufflevector (Clang, GCC 12) and the CPU
 * is little-endian, so that a row of narrow values read as one vector is in
 * memory order: the kernels then read rows whole and rearrange them; else
 * they build their vectors element by element (the same values). Defining it
 * as 0 on the compiler's command line selects the element-wise form (to test
 * it: cmake -DCMAKE_C_FLAGS=-DSP_HAVE_SHUFFLEVECTOR=0). */
#ifndef SP_HAVE_SHUFFLEVECTOR
#if defined(__has_builtin) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#if __has_builtin(__builtin_shufflevector)
#define SP_HAVE_SHUFFLEVECTOR 1
#endif
#endif
#endif
#ifndef SP_HAVE_SHUFFLEVECTOR
#define SP_HAVE_SHUFFLEVECTOR 0
#endif

/* The level in use: the best the CPU (and OS) support and the build has code
 * for, capped by sp_simd_cap and by the environment variable SPENDSIM_SIMD
 * ("portable", "avx2" or "avx512"). Cheap after the first call. */
int sp_simd_level(void);

/* Caps the level (SP_SIMD_*); a negative value removes the cap. For tests and
 * benchmarks: call it between runs, not while one is running. */
void sp_simd_cap(int level);

/* sp_simd_level() >= SP_SIMD_AVX2, and >= SP_SIMD_AVX512. */
int sp_simd_avx2(void);
int sp_simd_avx512(void);

/* "portable", "avx2" or "avx512": the level in use, for benchmarks and logs. */
const char *sp_simd_name(void);

/* SP_OK when SPENDSIM_SIMD is unset, empty or one of the names above;
 * SP_EINVAL with a message naming the value otherwise (the level functions
 * ignore such a value: hosts call this at start-up to report it). */
int sp_simd_check_env(sp_err *err);

#endif
