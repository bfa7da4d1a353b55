/* vmath.h: exp, log and the normal quantile over arrays, the same bits on
 * every machine.
 *
 * The population build (beijing.c) calls these for every household. They
 * are written with IEEE additions, multiplications, divisions, square roots,
 * comparisons and integer operations on the bits only (no library calls, no
 * fused multiply-add: the project builds with -ffp-contract=off), so:
 *   - the compiler vectorises their loops (AVX2 here, SSE2 or NEON
 *     elsewhere), and the vector and scalar code give the same bits;
 *   - the results do not depend on the C library's libm, whose last bits
 *     differ between versions and systems: a population built from a seed is
 *     the same on every IEEE-754 machine.
 * Accuracy (tests/test_vmath.c measures it against the C library): exp and
 * log within 1 ulp (fdlibm's algorithms, Sun Microsystems 1993); the normal
 * quantile is Wichura's AS 241 (Applied Statistics 37(3), 477-484, 1988),
 * relative accuracy about 1e-16, the algorithm of gsl_cdf_ugaussian_Pinv.
 *
 * Domains: exp clamps x to [-708, 709] (results stay normal and finite);
 * log wants a positive normal finite x (smaller arguments are raised to
 * DBL_MIN, larger to DBL_MAX); the quantile wants 0 < u < 1 (u is clamped to
 * [2^-1074, 1 - 2^-53]). Callers pass such values; nothing is checked. */
#ifndef SP_VMATH_H
#define SP_VMATH_H

#include <stddef.h>

/* y[i] = exp(x[i]), log(x[i]), the standard normal quantile of x[i], for
 * i < n; x and y may be the same array, otherwise they do not overlap. */
void sp_vm_exp(const double *x, double *y, size_t n);
void sp_vm_log(const double *x, double *y, size_t n);
void sp_vm_norm_inv(const double *u, double *z, size_t n);

/* One value: the same bits as the array functions. */
double sp_vm_exp1(double x);
double sp_vm_log1(double x);
double sp_vm_norm_inv1(double u);

#endif
