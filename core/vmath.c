/* vmath.c: exp, log and the normal quantile, vectorisable and the same bits
 * on every machine (see vmath.h).
 *
 * Each function is one branch-free scalar body (inline), looped over arrays
 * three times: a portable loop (the compiler's baseline vectors: SSE2 on
 * x86-64, NEON on AArch64), an AVX2 and an AVX-512 loop chosen at run time
 * (simd.h). Every loop performs the same IEEE operations in the same order on
 * every element, so they give the same bits; tests/test_vmath.c compares them and measures the
 * accuracy against the C library. */
#include "vmath.h"

#include <stdint.h>
#include <string.h>

#include "simd.h"

#define INLINE static inline __attribute__((always_inline))

INLINE uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

INLINE double double_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* 1.5 x 2^52: adding it rounds a double of magnitude below 2^51 to an
 * integer, which its low mantissa bits then hold (two's complement). */
#define SHIFTER 0x1.8p52
#define SHIFTER_BITS UINT64_C(0x4338000000000000)

/* ---- exp: fdlibm's e_exp.c (Sun Microsystems, 1993) ----
 * x = k ln2 + r, |r| <= ln2/2, k = round(x / ln2); ln2 split in a high part
 * with trailing zeros (k ln2_hi exact) and a low part. exp(r) from the
 * Remez rational of degree 5 in r^2: c = r - r^2 (P1 + ... + P5 r^8),
 * exp(r) = 1 - ((lo - r c / (2 - c)) - hi). Then times 2^k, built from bits. */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define INV_LN2 1.44269504088896338700e+00
#define EXP_P1 1.66666666666666019037e-01
#define EXP_P2 -2.77777777770155933842e-03
#define EXP_P3 6.61375632143793436117e-05
#define EXP_P4 -1.65339022054652515390e-06
#define EXP_P5 4.13813679705723846039e-08
#define EXP_MIN -708.0
#define EXP_MAX 709.0

INLINE double exp_body(double x)
{
    x = x < EXP_MIN ? EXP_MIN : x;
    x = x > EXP_MAX ? EXP_MAX : x;
    double kd = x * INV_LN2 + SHIFTER;
    uint64_t ki = bits_of(kd) - SHIFTER_BITS; /* k, two's complement */
    kd -= SHIFTER;
    double hi = x - kd * LN2_HI, lo = kd * LN2_LO;
    double r = hi - lo, t = r * r;
    double c = r - t * (EXP_P1 + t * (EXP_P2 + t * (EXP_P3 + t * (EXP_P4 + t * EXP_P5))));
    double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    return y * double_of((ki + 1023) << 52); /* k in [-1021, 1023]: 2^k is normal */
}

/* ---- log: fdlibm's e_log.c ----
 * x = 2^k m, sqrt(2)/2 <= m < sqrt(2), f = m - 1, s = f / (2 + f);
 * log(1 + f) = f - (hfsq - s (hfsq + R(s^2))), hfsq = f^2 / 2, R the Remez
 * polynomial Lg1 z + ... + Lg7 z^7 (z = s^2) evaluated in even and odd
 * halves; log x = k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f). */
#define LG1 6.666666666666735130e-01
#define LG2 3.999999999940941908e-01
#define LG3 2.857142874366239149e-01
#define LG4 2.222219843214978396e-01
#define LG5 1.818357216161805012e-01
#define LG6 1.531383769920937332e-01
#define LG7 1.479819860511658591e-01
#define SQRT2 0x1.6a09e667f3bcdp+0
#define LOG_MIN 0x1p-1022               /* DBL_MIN */
#define LOG_MAX 0x1.fffffffffffffp+1023 /* DBL_MAX */
#define MANTISSA UINT64_C(0x000fffffffffffff)
#define ONE_BITS UINT64_C(0x3ff0000000000000)

INLINE double log_body(double x)
{
    x = x < LOG_MIN ? LOG_MIN : x;
    x = x > LOG_MAX ? LOG_MAX : x;
    uint64_t u = bits_of(x);
    double m = double_of((u & MANTISSA) | ONE_BITS); /* [1, 2) */
    uint64_t e = (u >> 52) - 1023;                   /* two's complement */
    double dk = double_of(SHIFTER_BITS + e) - SHIFTER; /* the exponent, exactly */
    dk = m > SQRT2 ? dk + 1.0 : dk;                    /* selects of doubles only: */
    m = m > SQRT2 ? 0.5 * m : m;                       /* they vectorise everywhere */
    double f = m - 1.0;
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (LG2 + w * (LG4 + w * LG6));
    double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    double R = t2 + t1, hfsq = 0.5 * f * f;
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
}

/* c0 + c1 x + ... + c7 x^7 by Horner's rule from the highest coefficient */
#define HORNER8(x, c0, c1, c2, c3, c4, c5, c6, c7)                                               \
    (((((((c7 * (x) + c6) * (x) + c5) * (x) + c4) * (x) + c3) * (x) + c2) * (x) + c1) * (x) + c0)

/* ---- the standard normal quantile: Wichura's AS 241 (PPND16) ----
 * |u - 1/2| <= 0.425: q A(r) / B(r) with r = 0.180625 - q^2; beyond it
 * r = sqrt(-log(min(u, 1 - u))): C(r - 1.6) / D(r - 1.6) for r <= 5, else
 * E(r - 5) / F(r - 5), the sign of u - 1/2. Every branch is computed and the
 * right one selected (branch-free), then divided once; polynomials by Horner's rule from the
 * highest coefficient, as gsl_cdf_ugaussian_Pinv evaluates them. */
#define AS241_A(x) HORNER8(x, 3.3871328727963666080e0,\
    1.3314166789178437745e+2,\
    1.9715909503065514427e+3,\
    1.3731693765509461125e+4,\
    4.5921953931549871457e+4,\
    6.7265770927008700853e+4,\
    3.3430575583588128105e+4,\
    2.5090809287301226727e+3)
#define AS241_B(x) HORNER8(x, 1.0,\
    4.2313330701600911252e+1,\
    6.8718700749205790830e+2,\
    5.3941960214247511077e+3,\
    2.1213794301586595867e+4,\
    3.9307895800092710610e+4,\
    2.8729085735721942674e+4,\
    5.2264952788528545610e+3)
#define AS241_C(x) HORNER8(x, 1.42343711074968357734e0,\
    4.63033784615654529590e0,\
    5.76949722146069140550e0,\
    3.64784832476320460504e0,\
    1.27045825245236838258e0,\
    2.41780725177450611770e-1,\
    2.27238449892691845833e-2,\
    7.74545014278341407640e-4)
#define AS241_D(x) HORNER8(x, 1.0,\
    2.05319162663775882187e0,\
    1.67638483018380384940e0,\
    6.89767334985100004550e-1,\
    1.48103976427480074590e-1,\
    1.51986665636164571966e-2,\
    5.47593808499534494600e-4,\
    1.05075007164441684324e-9)
#define AS241_E(x) HORNER8(x, 6.65790464350110377720e0,\
    5.46378491116411436990e0,\
    1.78482653991729133580e0,\
    2.96560571828504891230e-1,\
    2.65321895265761230930e-2,\
    1.24266094738807843860e-3,\
    2.71155556874348757815e-5,\
    2.01033439929228813265e-7)
#define AS241_F(x) HORNER8(x, 1.0,\
    5.99832206555887937690e-1,\
    1.36929880922735805310e-1,\
    1.48753612908506148525e-2,\
    7.86869131145613259100e-4,\
    1.84631831751005468180e-5,\
    1.42151175831644588870e-7,\
    2.04426310338993978564e-15)



INLINE double clamp_u(double u)
{
    u = u < 0x1p-1074 ? 0x1p-1074 : u;
    return u > 0x1.fffffffffffffp-1 ? 0x1.fffffffffffffp-1 : u;
}

/* The central region's quotient (|u - 1/2| <= 0.425) */
INLINE double norm_inv_central(double u)
{
    double q = clamp_u(u) - 0.5;
    double rc = 0.180625 - q * q;
    return q * AS241_A(rc) / AS241_B(rc);
}

/* The tails' quotient (|u - 1/2| > 0.425) */
INLINE double norm_inv_tail(double u)
{
    u = clamp_u(u);
    double q = u - 0.5;
    double p = q < 0 ? u : 1.0 - u;
    double r = __builtin_sqrt(-log_body(p));
    double ri = r - 1.6, rt = r - 5.0;
    /* the branch's numerator and denominator, then one division */
    double num = r <= 5.0 ? AS241_C(ri) : AS241_E(rt);
    double den = r <= 5.0 ? AS241_D(ri) : AS241_F(rt);
    num = q < 0 ? -num : num;
    return num / den;
}

INLINE int norm_inv_is_tail(double u) { return __builtin_fabs(clamp_u(u) - 0.5) > 0.425; }

INLINE double norm_inv_body(double u)
{
    return norm_inv_is_tail(u) ? norm_inv_tail(u) : norm_inv_central(u);
}

/* The array form: the central quotient for every element (a vector loop),
 * then the tails (15% of uniforms) gathered into a short array, computed
 * by a second vector loop and put back: the same bits as norm_inv_body
 * without computing every branch for every element. */
#define NI_CHUNK 256
#define NORM_INV_ARRAY(suffix, attr)                                                              \
    attr static void norm_inv_##suffix(const double *x, double *y, size_t n)                      \
    {                                                                                             \
        for (size_t c0 = 0; c0 < n; c0 += NI_CHUNK) {                                             \
            size_t m = n - c0 < NI_CHUNK ? n - c0 : NI_CHUNK, nt = 0;                             \
            double u[NI_CHUNK], t[NI_CHUNK];                                                      \
            uint32_t at[NI_CHUNK];                                                                \
            for (size_t j = 0; j < m; j++)                                                        \
                u[j] = x[c0 + j];                                                                 \
            for (size_t j = 0; j < m; j++)                                                        \
                y[c0 + j] = norm_inv_central(u[j]);                                               \
            for (size_t j = 0; j < m; j++) {                                                      \
                at[nt] = (uint32_t)j;                                                             \
                nt += (size_t)norm_inv_is_tail(u[j]);                                             \
            }                                                                                     \
            for (size_t k = 0; k < nt; k++)                                                       \
                t[k] = u[at[k]];                                                                  \
            for (size_t k = 0; k < nt; k++)                                                       \
                t[k] = norm_inv_tail(t[k]);                                                       \
            for (size_t k = 0; k < nt; k++)                                                       \
                y[c0 + at[k]] = t[k];                                                             \
        }                                                                                         \
    }

/* The array loops: portable and AVX2, the same body. */
#define VM_LOOPS(name, body)                                                                      \
    static void name##_portable(const double *x, double *y, size_t n)                             \
    {                                                                                             \
        for (size_t i = 0; i < n; i++)                                                            \
            y[i] = body(x[i]);                                                                    \
    }                                                                                             \
    VM_AVX2_LOOP(name, body)                                                                      \
    void sp_vm_##name(const double *x, double *y, size_t n)                                       \
    {                                                                                             \
        if (VM_HAVE_AVX2 && sp_simd_avx512())                                                     \
            name##_avx512(x, y, n);                                                               \
        else if (VM_HAVE_AVX2 && sp_simd_avx2())                                                  \
            name##_avx2(x, y, n);                                                                 \
        else                                                                                      \
            name##_portable(x, y, n);                                                             \
    }                                                                                             \
    double sp_vm_##name##1(double x) { return body(x); }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VM_HAVE_AVX2 1
#define VM_AVX512 SP_TARGET_AVX512
#define VM_AVX2_LOOP(name, body)                                                                  \
    __attribute__((target("avx2"))) static void name##_avx2(const double *x, double *y, size_t n) \
    {                                                                                             \
        for (size_t i = 0; i < n; i++)                                                            \
            y[i] = body(x[i]);                                                                    \
    }                                                                                             \
    VM_AVX512 static void name##_avx512(const double *x, double *y, size_t n)                     \
    {                                                                                             \
        for (size_t i = 0; i < n; i++)                                                            \
            y[i] = body(x[i]);                                                                    \
    }
#else
#define VM_HAVE_AVX2 0
#define VM_AVX2_LOOP(name, body)                                                                  \
    static void name##_avx2(const double *x, double *y, size_t n) { name##_portable(x, y, n); }  \
    static void name##_avx512(const double *x, double *y, size_t n) { name##_portable(x, y, n); }
#endif

VM_LOOPS(exp, exp_body)
VM_LOOPS(log, log_body)
#if VM_HAVE_AVX2
NORM_INV_ARRAY(avx2, __attribute__((target("avx2"))))
NORM_INV_ARRAY(avx512, VM_AVX512)
#endif
NORM_INV_ARRAY(portable, )

void sp_vm_norm_inv(const double *x, double *y, size_t n)
{
#if VM_HAVE_AVX2
    if (sp_simd_avx512()) {
        norm_inv_avx512(x, y, n);
        return;
    }
    if (sp_simd_avx2()) {
        norm_inv_avx2(x, y, n);
        return;
    }
#endif
    norm_inv_portable(x, y, n);
}

double sp_vm_norm_inv1(double u) { return norm_inv_body(u); }
