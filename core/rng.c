/* rng.c: Philox4x32-10 streams and the gsl_rng adaptor. */
#include "rng.h"

#include <Random123/gsl_microrng.h>

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
