/* rng.h: counter-based random streams (Random123 Philox4x32-10).
 *
 * A stream is keyed by (seed, replicate) and addressed by a counter built from
 * (household id, calendar month, purpose); the fourth counter word is the draw index
 * within the stream. Draws therefore depend only on who, when and what for,
 * never on thread count or processing order, and the same household gets the
 * same draws in every package of an experiment (common random numbers). */
#ifndef SP_RNG_H
#define SP_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>
#include <Random123/philox.h>

/* What a draw is for: separates streams that share household and month. */
typedef enum sp_purpose {
    SP_PURPOSE_POPULATION = 1, /* building the default population (month word 0) */
    SP_PURPOSE_SPENDING = 2,   /* baseline shopping trips and their sizes */
    SP_PURPOSE_PARAMS = 3,     /* per-replicate parameter draws (household word = parameter) */
    SP_PURPOSE_VOUCHER = 4,
    SP_PURPOSE_CARS = 5,
    SP_PURPOSE_PLATES = 6,
    SP_PURPOSE_SUBSIDY = 7,
    SP_PURPOSE_TRANSFER = 8
} sp_purpose;

/* The replicate word of the key population generators draw with
 * (sp_rng_key_make(seed, SP_RNG_POPULATION_REPLICATE)): apart from the
 * experiment's replicates 0, 1, ... */
#define SP_RNG_POPULATION_REPLICATE 0xB15u

typedef struct sp_rng_key {
    uint32_t k[2];
} sp_rng_key;

/* The key of replicate `replicate` of an experiment seeded with `seed`. */
sp_rng_key sp_rng_key_make(uint32_t seed, uint32_t replicate);


/* Four independent 32-bit words: draw number `draw` of the stream
 * (key, household, month, purpose). Inline: it sits in the hot loops. */
static inline void sp_rng_words(sp_rng_key key, uint32_t household, uint32_t month,
                                uint32_t purpose, uint32_t draw, uint32_t out[4])
{
    philox4x32_ctr_t c = {{household, month, purpose, draw}};
    philox4x32_key_t k = {{key.k[0], key.k[1]}};
    philox4x32_ctr_t r = philox4x32(c, k);
    out[0] = r.v[0];
    out[1] = r.v[1];
    out[2] = r.v[2];
    out[3] = r.v[3];
}

/* Draw number `draw` of the streams (key, first + j, month, purpose) for the
 * households j = 0 .. count - 1: out[j] holds exactly the words that
 * sp_rng_words(key, first + j, month, purpose, draw, out[j]) gives. The engine
 * draws a chunk of households at once this way; the AVX2 path (simd.h)
 * computes eight Philox calls side by side. Household ids wrap modulo 2^32. */
void sp_rng_words_batch(sp_rng_key key, uint32_t first, size_t count, uint32_t month,
                        uint32_t purpose, uint32_t draw, uint32_t (*out)[4]);

/* Uniform on the open interval (0,1) from a 32-bit word. */
static inline double sp_u01(uint32_t w) { return ((double)w + 0.5) * (1.0 / 4294967296.0); }

/* The uniform rounded to float, as the Beijing generator has always drawn
 * its attributes (back as a double). */
static inline double sp_u01f(uint32_t w) { return (float)sp_u01(w); }

/* sp_u01f(w) < c as a comparison of the word with a threshold: sp_u01f is
 * non-decreasing in the word (an exact product, then a rounding to float),
 * so the words for which it holds are exactly those below the first word for
 * which it fails. below: that word, capped at UINT32_MAX; all: 1 when every
 * word passes (c above sp_u01f(UINT32_MAX) = 1.0), else 0. Found once by
 * bisection (33 evaluations); then sp_u01f_below gives sp_u01f(w) < c and
 * sp_u01f_not_below sp_u01f(w) >= c (c a number, not NaN) in integer
 * operations without branches, which vectorise. */
typedef struct {
    uint32_t below, all;
} sp_u01f_threshold;

static inline sp_u01f_threshold sp_u01f_threshold_of(double c)
{
    uint64_t lo = 0, hi = (uint64_t)1 << 32; /* words < lo pass, words >= hi fail */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sp_u01f((uint32_t)mid) < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    sp_u01f_threshold t = {UINT32_MAX, 1};
    if (lo <= UINT32_MAX)
        t = (sp_u01f_threshold){(uint32_t)lo, 0};
    return t;
}

static inline uint32_t sp_u01f_below(uint32_t w, sp_u01f_threshold t)
{
    return (uint32_t)(w < t.below) | t.all;
}

static inline uint32_t sp_u01f_not_below(uint32_t w, sp_u01f_threshold t)
{
    return (uint32_t)(w >= t.below) & (t.all ^ 1u);
}

/* Uniform on (0,1) from the low or high 16 bits of a word (coarser, for noise). */
static inline double sp_u01_16(uint32_t w16) { return ((double)(w16 & 0xffffu) + 0.5) * (1.0 / 65536.0); }

/* A gsl_rng positioned on one stream, so gsl_ran_* distributions draw from it.
 * Allocate once outside loops and re-position with sp_rng_stream_reset. */
gsl_rng *sp_rng_stream_alloc(void);
void sp_rng_stream_reset(gsl_rng *r, sp_rng_key key, uint32_t household, uint32_t month,
                         uint32_t purpose);
void sp_rng_stream_free(gsl_rng *r);

#endif
