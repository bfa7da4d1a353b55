/* simd.h: which vector instructions the hot kernels may use.
 *
 * The engine's hot kernels (batched Philox draws in rng.c, the spending
 * kernel in spending.c) have a portable C path and an AVX2 path, chosen at
 * run time from the CPU. Both paths perform the same integer and IEEE float
 * operations in the same order (no fused multiply-add: the project builds
 * with -ffp-contract=off), so every result is bit-identical whichever path
 * runs; tests check this by running both. */
#ifndef SP_SIMD_H
#define SP_SIMD_H

/* 1 when the AVX2 paths run: the CPU (and OS) support AVX2, the build has the
 * x86-64 vector code, and neither sp_simd_disable(1) nor the environment
 * variable SPENDSIM_NO_SIMD=1 turned them off. Cheap after the first call. */
int sp_simd_avx2(void);

/* Forces the portable paths (on = 1) or returns to the CPU's choice (on = 0).
 * For tests and benchmarks; call it between runs, not while one is running. */
void sp_simd_disable(int on);

/* "avx2" or "portable": the path in use, for benchmarks and provenance. */
const char *sp_simd_name(void);

#endif
