/* population.c: column store allocation and Engel-curve shares. */
#include "population.h"

#include <stdlib.h>
#include <string.h>

#define ENGEL_FLOOR 0.002

int sp_hstate_init(sp_hstate *s, size_t n, sp_err *err)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    size_t m = n ? n : 1;
    s->ncars = calloc(m, 1);
    s->plate_state = calloc(m, 1);
    s->applicants = calloc(m, 1);
    s->plate_months = calloc(m, sizeof(uint16_t));
    s->deferred = calloc(m, sizeof(float));
    int ok = s->ncars && s->plate_state && s->applicants && s->plate_months && s->deferred;
    for (int k = 0; k < SP_MAX_CARS; k++) {
        s->car_age[k] = calloc(m, sizeof(uint16_t));
        s->car_kind[k] = calloc(m, 1);
        ok = ok && s->car_age[k] && s->car_kind[k];
    }
    if (!ok) {
        sp_hstate_release(s);
        return sp_err_set(err, SP_ENOMEM, "out of memory for the state of %zu households", n);
    }
    return SP_OK;
}

void sp_hstate_release(sp_hstate *s)
{
    if (!s)
        return;
    free(s->ncars);
    free(s->plate_state);
    free(s->applicants);
    free(s->plate_months);
    free(s->deferred);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        free(s->car_age[k]);
        free(s->car_kind[k]);
    }
    memset(s, 0, sizeof *s);
}

void sp_hstate_copy(sp_hstate *dst, const sp_hstate *src)
{
    size_t n = src->n < dst->n ? src->n : dst->n;
    memcpy(dst->ncars, src->ncars, n);
    memcpy(dst->plate_state, src->plate_state, n);
    memcpy(dst->applicants, src->applicants, n);
    memcpy(dst->plate_months, src->plate_months, n * sizeof(uint16_t));
    memcpy(dst->deferred, src->deferred, n * sizeof(float));
    for (int k = 0; k < SP_MAX_CARS; k++) {
        memcpy(dst->car_age[k], src->car_age[k], n * sizeof(uint16_t));
        memcpy(dst->car_kind[k], src->car_kind[k], n);
    }
}

size_t sp_population_bytes_per_household(void)
{
    size_t statics = 3 * sizeof(float) + 7 * sizeof(uint8_t);
    size_t dynamic = 3 * sizeof(uint8_t) + sizeof(uint16_t) + sizeof(float) +
                     SP_MAX_CARS * (sizeof(uint16_t) + sizeof(uint8_t));
    return statics + dynamic;
}

sp_population *sp_population_alloc(size_t n, sp_err *err)
{
    sp_population *p = calloc(1, sizeof *p);
    if (!p) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a population");
        return NULL;
    }
    p->n = n;
    size_t m = n ? n : 1;
    p->weight = calloc(m, sizeof(float));
    p->income = calloc(m, sizeof(float));
    p->consumption = calloc(m, sizeof(float));
    p->size = calloc(m, 1);
    p->area = calloc(m, 1);
    p->liquidity = calloc(m, 1);
    p->quintile = calloc(m, 1);
    p->drivers = calloc(m, 1);
    p->eligible = calloc(m, 1);
    p->generations = calloc(m, 1);
    if (!(p->weight && p->income && p->consumption && p->size && p->area && p->liquidity &&
          p->quintile && p->drivers && p->eligible && p->generations) ||
        sp_hstate_init(&p->state, n, err) != SP_OK) {
        sp_population_free(p);
        sp_err_set(err, SP_ENOMEM, "out of memory for a population of %zu households", n);
        return NULL;
    }
    return p;
}

void sp_population_free(sp_population *p)
{
    if (!p)
        return;
    free(p->weight);
    free(p->income);
    free(p->consumption);
    free(p->size);
    free(p->area);
    free(p->liquidity);
    free(p->quintile);
    free(p->drivers);
    free(p->eligible);
    free(p->generations);
    sp_hstate_release(&p->state);
    free(p);
}

void sp_population_shares(const sp_population *pop, double ypc, double out[SP_NCAT])
{
    double x = log(ypc > 1.0 ? ypc : 1.0) - pop->engel_lnref;
    double sum = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        double s = pop->engel_a[c] + pop->engel_b[c] * x;
        if (s < ENGEL_FLOOR)
            s = ENGEL_FLOOR;
        out[c] = s;
        sum += s;
    }
    for (int c = 0; c < SP_NCAT; c++)
        out[c] /= sum;
}
