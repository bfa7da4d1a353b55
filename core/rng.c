/* rng.c: Philox4x32-10 streams and the gsl_rng adaptor. */
#include "rng.h"

#include <Random123/gsl_microrng.h>

#include "simd.h"

GSL_MICRORNG(sp_philox, philox4x32);

sp_rng_key sp_rng_key_make(uint32_t seed, uint32_t replicate)
{
    sp_rng_key k;
    k.k[0] = seed;
    /* Mix the replicate so that (seed, rep) pairs do not collide trivially with
     * other seeds' keys; any bijection of the replicate would do. */
    k.k[1] = replicate * 0x9E3779B9u + 0x7F4A7C15u;
    return k;
}

gsl_rng *sp_rng_stream_alloc(void) { return gsl_rng_alloc(gsl_rng_sp_philox); }

void sp_rng_stream_reset(gsl_rng *r, sp_rng_key key, uint32_t household, uint32_t month,
                         uint32_t purpose)
{
    philox4x32_ctr_t c = {{household, month, purpose, 0}};
    philox4x32_key_t k = {{key.k[0], key.k[1]}};
    sp_philox_reset(r, c, k);
}

void sp_rng_stream_free(gsl_rng *r)
{
    if (r)
        gsl_rng_free(r);
}

/* ---- batched draws ---- */

/* Philox4x32-10 in plain C for PSETS households at a time (independent
 * chains of multiplies, interleaved), as the vector paths compute it: the
 * round keys once per batch, and the first two rounds' products that do not
 * depend on the household (the counter's month, purpose and draw words are
 * the batch's) once. The same words as sp_rng_words (tests/test_rng.c). */
enum { PSETS = 4, PROUNDS = 10 };
_Static_assert(PROUNDS == (int)philox4x32_rounds, "the batch runs Philox4x32-10, as sp_rng_words");
static void words_batch_portable(sp_rng_key key, uint32_t first, size_t count, uint32_t month,
                                 uint32_t purpose, uint32_t draw, uint32_t (*out)[4])
{
    const uint32_t M0 = PHILOX_M4x32_0, M1 = PHILOX_M4x32_1;
    uint32_t k0[PROUNDS], k1[PROUNDS];
    for (int r = 0; r < PROUNDS; r++) {
        k0[r] = key.k[0] + (uint32_t)r * PHILOX_W32_0;
        k1[r] = key.k[1] + (uint32_t)r * PHILOX_W32_1;
    }
    /* round 1: M1 x purpose; round 2: M0 x its first word */
    const uint64_t p1 = (uint64_t)M1 * purpose;
    const uint32_t r1c0 = (uint32_t)(p1 >> 32) ^ month ^ k0[0], r1c1 = (uint32_t)p1;
    const uint64_t p0 = (uint64_t)M0 * r1c0;
    const uint32_t r2hi0 = (uint32_t)(p0 >> 32), r2c3 = (uint32_t)p0;
    size_t j = 0;
    for (; j + PSETS <= count; j += PSETS) {
        uint32_t c0[PSETS], c1[PSETS], c2[PSETS], c3[PSETS];
        for (int s = 0; s < PSETS; s++) {
            const uint64_t q0 = (uint64_t)M0 * (first + (uint32_t)(j + (size_t)s));
            const uint64_t q1 = (uint64_t)M1 * ((uint32_t)(q0 >> 32) ^ draw ^ k1[0]);
            c0[s] = (uint32_t)(q1 >> 32) ^ r1c1 ^ k0[1];
            c1[s] = (uint32_t)q1;
            c2[s] = r2hi0 ^ (uint32_t)q0 ^ k1[1];
            c3[s] = r2c3;
        }
        for (int r = 2; r < PROUNDS; r++)
            for (int s = 0; s < PSETS; s++) {
                const uint64_t a = (uint64_t)M0 * c0[s], b = (uint64_t)M1 * c2[s];
                c0[s] = (uint32_t)(b >> 32) ^ c1[s] ^ k0[r];
                c2[s] = (uint32_t)(a >> 32) ^ c3[s] ^ k1[r];
                c1[s] = (uint32_t)b;
                c3[s] = (uint32_t)a;
            }
        for (int s = 0; s < PSETS; s++) {
            out[j + (size_t)s][0] = c0[s];
            out[j + (size_t)s][1] = c1[s];
            out[j + (size_t)s][2] = c2[s];
            out[j + (size_t)s][3] = c3[s];
        }
    }
    for (; j < count; j++)
        sp_rng_words(key, first + (uint32_t)j, month, purpose, draw, out[j]);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* Independent sets of lanes per iteration: a Philox round is a chain of
 * multiply, shift and XOR; several chains keep the vector units busy. */
#ifndef SETS
#define SETS 4
#endif

/* The vector paths unroll Philox4x32 with ROUNDS rounds: as many as
 * philox4x32 (sp_rng_words) runs, so both give the same words. */
#define ROUNDS 10
_Static_assert(ROUNDS == philox4x32_rounds, "the vector paths run Philox4x32-10, as sp_rng_words");
/* One household's four words are 128 bits: a 256-bit store writes two
 * households, a 512-bit store four. */
_Static_assert(sizeof(uint32_t[4]) * 2 == sizeof(__m256i) && sizeof(uint32_t[4]) * 4 == sizeof(__m512i),
               "two households per 256-bit store, four per 512-bit store");

/* Philox4x32-10 for eight households at a time (two sets of four, one
 * household per 64-bit lane, the counter word in the lane's low half: a
 * 32 x 32 -> 64-bit multiply gives lo and hi in place). Upper halves carry
 * garbage that never reaches a low half. The counter words other than the
 * household are the same for every lane, so the first two rounds have one
 * multiply that does not depend on the household: done once in scalar. */
__attribute__((target("avx2"))) static void words_batch_avx2(sp_rng_key key, uint32_t first,
                                                             size_t count, uint32_t month,
                                                             uint32_t purpose, uint32_t draw,
                                                             uint32_t (*out)[4])
{
    const uint32_t M0 = PHILOX_M4x32_0, M1 = PHILOX_M4x32_1;
    const uint32_t W0 = PHILOX_W32_0, W1 = PHILOX_W32_1;
    uint32_t k0[ROUNDS], k1[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        k0[r] = key.k[0] + (uint32_t)r * W0;
        k1[r] = key.k[1] + (uint32_t)r * W1;
    }
    /* round 1: c0 = household (varies), c1 = month, c2 = purpose, c3 = draw */
    uint64_t p1 = (uint64_t)M1 * purpose;
    const uint32_t r1c0 = (uint32_t)(p1 >> 32) ^ month ^ k0[0]; /* constant */
    const uint32_t r1c1 = (uint32_t)p1;                          /* constant */
    /* round 2's constant product M0 * r1c0 */
    uint64_t p0 = (uint64_t)M0 * r1c0;
    const uint32_t r2hi0 = (uint32_t)(p0 >> 32), r2c3 = (uint32_t)p0;
    const __m256i m0 = _mm256_set1_epi64x(M0), m1 = _mm256_set1_epi64x(M1);
    const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
    const __m256i v_c3_k1_0 = _mm256_set1_epi64x((long long)(draw ^ k1[0]));
    const __m256i v_r1c1_k0_1 = _mm256_set1_epi64x((long long)(r1c1 ^ k0[1]));
    const __m256i v_hi0_k1_1 = _mm256_set1_epi64x((long long)(r2hi0 ^ k1[1]));
    const __m256i v_r2c3 = _mm256_set1_epi64x((long long)r2c3);
    __m256i vk0[ROUNDS], vk1[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        vk0[r] = _mm256_set1_epi64x((long long)k0[r]);
        vk1[r] = _mm256_set1_epi64x((long long)k1[r]);
    }
    size_t j = 0;
    for (; j + 4 * SETS <= count; j += 4 * SETS) {
        __m256i c0[SETS], c1[SETS], c2[SETS], c3[SETS];
        for (int s = 0; s < SETS; s++) {
            __m256i h = _mm256_add_epi64(_mm256_set1_epi64x((long long)(uint32_t)(first + (uint32_t)j + 4u * (uint32_t)s)), lane);
            /* round 1 (key 0): only M0 * c0 depends on the household */
            __m256i q0 = _mm256_mul_epu32(h, m0);
            c2[s] = _mm256_xor_si256(_mm256_srli_epi64(q0, 32), v_c3_k1_0);
            c3[s] = q0;
            /* round 2 (key 1): c0 and c1 are constants; M1 * c2 varies */
            __m256i q1 = _mm256_mul_epu32(c2[s], m1);
            c0[s] = _mm256_xor_si256(_mm256_srli_epi64(q1, 32), v_r1c1_k0_1);
            c1[s] = q1;
            c2[s] = _mm256_xor_si256(c3[s], v_hi0_k1_1);
            c3[s] = v_r2c3;
        }
        for (int r = 2; r < ROUNDS; r++)
            for (int s = 0; s < SETS; s++) {
                __m256i a = _mm256_mul_epu32(c0[s], m0), b = _mm256_mul_epu32(c2[s], m1);
                __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(b, 32), c1[s]), vk0[r]);
                __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(a, 32), c3[s]), vk1[r]);
                c0[s] = n0;
                c1[s] = b;
                c2[s] = n2;
                c3[s] = a;
            }
        for (int s = 0; s < SETS; s++) {
            /* lanes -> households: (c0 | c1 << 32, c2 | c3 << 32) per lane */
            __m256i w01 = _mm256_blend_epi32(c0[s], _mm256_slli_epi64(c1[s], 32), 0xAA);
            __m256i w23 = _mm256_blend_epi32(c2[s], _mm256_slli_epi64(c3[s], 32), 0xAA);
            __m256i lo = _mm256_unpacklo_epi64(w01, w23); /* households 0, 2 */
            __m256i hi = _mm256_unpackhi_epi64(w01, w23); /* households 1, 3 */
            _mm256_storeu_si256((__m256i *)out[j + 4 * (size_t)s], _mm256_permute2x128_si256(lo, hi, 0x20));
            _mm256_storeu_si256((__m256i *)out[j + 4 * (size_t)s + 2], _mm256_permute2x128_si256(lo, hi, 0x31));
        }
    }
    words_batch_portable(key, first + (uint32_t)j, count - j, month, purpose, draw, out + j);
}
#define SP_RNG_HAVE_AVX2 1

/* The same with AVX-512: eight households per register, and the round's two
 * XORs in one ternary-logic instruction. */
__attribute__((target("avx512f"))) static void words_batch_avx512(sp_rng_key key, uint32_t first,
                                                                  size_t count, uint32_t month,
                                                                  uint32_t purpose, uint32_t draw,
                                                                  uint32_t (*out)[4])
{
    const uint32_t M0 = PHILOX_M4x32_0, M1 = PHILOX_M4x32_1;
    const uint32_t W0 = PHILOX_W32_0, W1 = PHILOX_W32_1;
    uint32_t k0[ROUNDS], k1[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        k0[r] = key.k[0] + (uint32_t)r * W0;
        k1[r] = key.k[1] + (uint32_t)r * W1;
    }
    uint64_t p1 = (uint64_t)M1 * purpose;
    const uint32_t r1c0 = (uint32_t)(p1 >> 32) ^ month ^ k0[0];
    const uint32_t r1c1 = (uint32_t)p1;
    uint64_t p0 = (uint64_t)M0 * r1c0;
    const uint32_t r2hi0 = (uint32_t)(p0 >> 32), r2c3 = (uint32_t)p0;
    const __m512i m0 = _mm512_set1_epi64(M0), m1 = _mm512_set1_epi64(M1);
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i v_c3_k1_0 = _mm512_set1_epi64((long long)(draw ^ k1[0]));
    const __m512i v_r1c1_k0_1 = _mm512_set1_epi64((long long)(r1c1 ^ k0[1]));
    const __m512i v_hi0_k1_1 = _mm512_set1_epi64((long long)(r2hi0 ^ k1[1]));
    const __m512i v_r2c3 = _mm512_set1_epi64((long long)r2c3);
    /* households 2k and 2k + 1 of each 128-bit lane, in order */
    const __m512i first4 = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i next4 = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    __m512i vk0[ROUNDS], vk1[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        vk0[r] = _mm512_set1_epi64((long long)k0[r]);
        vk1[r] = _mm512_set1_epi64((long long)k1[r]);
    }
    size_t j = 0;
    for (; j + 8 * SETS <= count; j += 8 * SETS) {
        __m512i c0[SETS], c1[SETS], c2[SETS], c3[SETS];
        for (int s = 0; s < SETS; s++) {
            __m512i h = _mm512_add_epi64(_mm512_set1_epi64((long long)(uint32_t)(first + (uint32_t)j + 8u * (uint32_t)s)), lane);
            __m512i q0 = _mm512_mul_epu32(h, m0);
            c2[s] = _mm512_xor_si512(_mm512_srli_epi64(q0, 32), v_c3_k1_0);
            c3[s] = q0;
            __m512i q1 = _mm512_mul_epu32(c2[s], m1);
            c0[s] = _mm512_xor_si512(_mm512_srli_epi64(q1, 32), v_r1c1_k0_1);
            c1[s] = q1;
            c2[s] = _mm512_xor_si512(c3[s], v_hi0_k1_1);
            c3[s] = v_r2c3;
        }
        for (int r = 2; r < ROUNDS; r++)
            for (int s = 0; s < SETS; s++) {
                __m512i a = _mm512_mul_epu32(c0[s], m0), b = _mm512_mul_epu32(c2[s], m1);
                c0[s] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(b, 32), c1[s], vk0[r], 0x96); /* a ^ b ^ c */
                c2[s] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(a, 32), c3[s], vk1[r], 0x96);
                c1[s] = b;
                c3[s] = a;
            }
        for (int s = 0; s < SETS; s++) {
            __m512i w01 = _mm512_mask_blend_epi32(0xAAAA, c0[s], _mm512_slli_epi64(c1[s], 32));
            __m512i w23 = _mm512_mask_blend_epi32(0xAAAA, c2[s], _mm512_slli_epi64(c3[s], 32));
            __m512i lo = _mm512_unpacklo_epi64(w01, w23); /* households 0, 2, 4, 6 */
            __m512i hi = _mm512_unpackhi_epi64(w01, w23); /* households 1, 3, 5, 7 */
            _mm512_storeu_si512((void *)out[j + 8 * (size_t)s], _mm512_permutex2var_epi64(lo, first4, hi));
            _mm512_storeu_si512((void *)out[j + 8 * (size_t)s + 4], _mm512_permutex2var_epi64(lo, next4, hi));
        }
    }
    words_batch_avx2(key, first + (uint32_t)j, count - j, month, purpose, draw, out + j);
}
#endif

void sp_rng_words_batch(sp_rng_key key, uint32_t first, size_t count, uint32_t month,
                        uint32_t purpose, uint32_t draw, uint32_t (*out)[4])
{
#ifdef SP_RNG_HAVE_AVX2
    if (sp_simd_avx512()) {
        words_batch_avx512(key, first, count, month, purpose, draw, out);
        return;
    }
    if (sp_simd_avx2()) {
        words_batch_avx2(key, first, count, month, purpose, draw, out);
        return;
    }
#endif
    words_batch_portable(key, first, count, month, purpose, draw, out);
}
