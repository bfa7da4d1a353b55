/* shapley.c: Shapley values, exact or by permutation sampling (shapley.h). */
#include "shapley.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static int popcount(uint32_t m)
{
    int c = 0;
    for (; m; m &= m - 1)
        c++;
    return c;
}

static int exact(int n, sp_shapley_fn v, void *ud, sp_shapley_result *out, sp_err *err)
{
    uint32_t count = UINT32_C(1) << n;
    uint32_t *masks = malloc(count * sizeof *masks);
    double *val = malloc(count * sizeof *val);
    if (!masks || !val) {
        free(masks);
        free(val);
        return sp_err_set(err, SP_ENOMEM, "out of memory for %u coalitions", (unsigned)count);
    }
    for (uint32_t s = 0; s < count; s++)
        masks[s] = s;
    int rc = v(ud, masks, (int)count, val, err);
    if (rc == SP_OK) {
        /* weight of a coalition of size s without i: s! (n - s - 1)! / n! = 1 / (n C(n-1, s)) */
        double w[SP_SHAPLEY_MAX_PLAYERS];
        double c = 1; /* C(n-1, s) */
        for (int s = 0; s < n; s++) {
            w[s] = 1.0 / (n * c);
            c = c * (n - 1 - s) / (s + 1);
        }
        for (int i = 0; i < n; i++) {
            uint32_t bit = UINT32_C(1) << i;
            double phi = 0;
            for (uint32_t s = 0; s < count; s++)
                if (!(s & bit))
                    phi += w[popcount(s)] * (val[s | bit] - val[s]);
            out->phi[i] = phi;
            out->se[i] = 0;
        }
        out->v_none = val[0];
        out->v_all = val[count - 1];
        out->coalitions = (int)count;
        out->exact = 1;
    }
    free(masks);
    free(val);
    return rc;
}

static int cmp_mask(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int sampled(int n, sp_shapley_fn v, void *ud, int samples, uint32_t seed,
                   sp_shapley_result *out, sp_err *err)
{
    size_t per = (size_t)n + 1, total = (size_t)samples * per;
    int *order = malloc(total * sizeof *order); /* the orders, n each (+1 unused) */
    uint32_t *masks = malloc(total * sizeof *masks);
    double *val = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = SP_OK;
    if (!order || !masks || !rng) {
        rc = sp_err_set(err, SP_ENOMEM, "out of memory for %d sampled orders", samples);
        goto done;
    }
    gsl_rng_set(rng, seed);
    for (int k = 0; k < samples; k++) {
        int *o = order + (size_t)k * per;
        for (int i = 0; i < n; i++)
            o[i] = i;
        gsl_ran_shuffle(rng, o, (size_t)n, sizeof *o);
        uint32_t m = 0;
        masks[(size_t)k * per] = 0;
        for (int i = 0; i < n; i++) {
            m |= UINT32_C(1) << o[i];
            masks[(size_t)k * per + (size_t)i + 1] = m;
        }
    }
    /* Value each distinct coalition once. */
    uint32_t *uniq = malloc(total * sizeof *uniq);
    if (!uniq) {
        rc = sp_err_set(err, SP_ENOMEM, "out of memory for %d sampled orders", samples);
        goto done;
    }
    memcpy(uniq, masks, total * sizeof *uniq);
    qsort(uniq, total, sizeof *uniq, cmp_mask);
    size_t nu = 0;
    for (size_t k = 0; k < total; k++)
        if (nu == 0 || uniq[k] != uniq[nu - 1])
            uniq[nu++] = uniq[k];
    val = malloc(nu * sizeof *val);
    if (!val) {
        free(uniq);
        rc = sp_err_set(err, SP_ENOMEM, "out of memory for %zu coalitions", nu);
        goto done;
    }
    rc = v(ud, uniq, (int)nu, val, err);
    if (rc == SP_OK) {
        double sum[SP_SHAPLEY_MAX_PLAYERS] = {0}, sq[SP_SHAPLEY_MAX_PLAYERS] = {0};
        for (int k = 0; k < samples; k++) {
            const int *o = order + (size_t)k * per;
            for (int i = 0; i < n; i++) {
                uint32_t a = masks[(size_t)k * per + (size_t)i],
                         b = masks[(size_t)k * per + (size_t)i + 1];
                const uint32_t *pa = bsearch(&a, uniq, nu, sizeof *uniq, cmp_mask);
                const uint32_t *pb = bsearch(&b, uniq, nu, sizeof *uniq, cmp_mask);
                double d = val[pb - uniq] - val[pa - uniq];
                sum[o[i]] += d;
                sq[o[i]] += d * d;
            }
        }
        for (int i = 0; i < n; i++) {
            double mean = sum[i] / samples;
            double var = (sq[i] - samples * mean * mean) / (samples - 1);
            out->phi[i] = mean;
            out->se[i] = sqrt(var > 0 ? var : 0) / sqrt((double)samples);
        }
        uint32_t all = n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1, none = 0;
        out->v_none = val[(const uint32_t *)bsearch(&none, uniq, nu, sizeof *uniq, cmp_mask) - uniq];
        out->v_all = val[(const uint32_t *)bsearch(&all, uniq, nu, sizeof *uniq, cmp_mask) - uniq];
        out->coalitions = (int)nu;
        out->exact = 0;
        out->samples = samples;
    }
    free(uniq);
done:
    gsl_rng_free(rng);
    free(order);
    free(masks);
    free(val);
    return rc;
}

int sp_shapley(int n, sp_shapley_fn v, void *ud, int exact_max, int samples, uint32_t seed,
               sp_shapley_result *out, sp_err *err)
{
    if (n < 1 || n > SP_SHAPLEY_MAX_PLAYERS)
        return sp_err_set(err, SP_EINVAL, "a Shapley decomposition takes 1..%d players, got %d",
                          SP_SHAPLEY_MAX_PLAYERS, n);
    if (!v)
        return sp_err_set(err, SP_EINVAL, "no value function");
    if (exact_max < 0 || exact_max > SP_SHAPLEY_EXACT_LIMIT)
        return sp_err_set(err, SP_EINVAL, "exact_max must be between 0 and %d, got %d",
                          SP_SHAPLEY_EXACT_LIMIT, exact_max);
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n <= exact_max)
        return exact(n, v, ud, out, err);
    if (samples < 2 || samples > 1000000)
        return sp_err_set(err, SP_EINVAL, "samples must be between 2 and 1000000, got %d", samples);
    return sampled(n, v, ud, samples, seed, out, err);
}
