/* measure.c: the measure interface's shared helpers (measure.h). The list
 * of kinds is in measures.c. */
#include "measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

const sp_measure_ops *sp_measure_kind_find(const char *kind)
{
    for (int k = 0; kind && sp_measure_kinds[k]; k++)
        if (strcmp(sp_measure_kinds[k]->kind, kind) == 0)
            return sp_measure_kinds[k];
    return NULL;
}

int sp_measure_ops_check(const sp_measure_ops *ops, sp_err *err)
{
    if (!ops || !ops->kind || !ops->kind[0])
        return sp_err_set(err, SP_EINVAL, "a measure kind needs a name");
    if (ops->def_size == 0 || ops->def_size > SP_MEASURE_DEF_MAX)
        return sp_err_set(err, SP_EINVAL, "measure kind \"%s\": definition of %zu bytes (1..%d)",
                          ops->kind, ops->def_size, SP_MEASURE_DEF_MAX);
    if (!ops->validate)
        return sp_err_set(err, SP_EINVAL, "measure kind \"%s\" has no validate operation", ops->kind);
    if (!ops->mark != !ops->household)
        return sp_err_set(err, SP_EINVAL,
                          "measure kind \"%s\": mark and household come together", ops->kind);
    return SP_OK;
}

int sp_measure_bytes_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    size_t n = env->pop->n;
    *state = calloc(n ? n : 1, 1);
    return *state ? SP_OK : sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
}

void sp_measure_bytes_free(void *state) { free(state); }

void sp_measure_bytes_mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo,
                           size_t n, uint32_t *bits)
{
    (void)m;
    (void)env;
    const uint8_t *b = (const uint8_t *)state + lo;
    for (size_t j = 0; j < n; j++)
        bits[j >> 5] |= (uint32_t)(b[j] != 0) << (j & 31);
}

uint32_t sp_measure_id(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
        h ^= *s;
        h *= 16777619u;
    }
    return h;
}

int sp_measure_check_amount(const char *field, double v, sp_err *err)
{
    if (!isfinite(v) || v < 0)
        return sp_err_set(err, SP_EINVAL, "%s must be 0 or a positive amount of yuan, got %g", field, v);
    return SP_OK;
}

int sp_measure_check_share(const char *field, double v, sp_err *err)
{
    if (!isfinite(v) || v < 0 || v > 1)
        return sp_err_set(err, SP_EINVAL, "%s must lie in 0..1 (share of the price), got %g", field, v);
    return SP_OK;
}

int sp_measure_check_month(const char *field, int m, sp_err *err)
{
    if (m < sp_month_make(1900, 1) || m > sp_month_make(2200, 12))
        return sp_err_set(err, SP_EINVAL, "%s %d is not a calendar month (1900-01..2200-12)", field, m);
    return SP_OK;
}

int sp_measure_check_window(int start, int end, sp_err *err)
{
    int rc;
    if ((rc = sp_measure_check_month("start_month", start, err)) ||
        (rc = sp_measure_check_month("end_month", end, err)))
        return rc;
    if (end < start)
        return sp_err_set(err, SP_EINVAL, "end_month %d is before start_month %d", end, start);
    return SP_OK;
}

int sp_measure_check_filter(const char *text, size_t n, sp_err *err)
{
    if (memchr(text, 0, n) == NULL || strlen(text) > SP_FILTER_MAX_LEN)
        return sp_err_set(err, SP_EINVAL, "filter is longer than %d characters", SP_FILTER_MAX_LEN);
    return SP_OK;
}
