/* package.c: packages of measures. */
#include "package.h"

#include <stdlib.h>
#include <string.h>

static int check_name(const char *name, const char *what, sp_err *err)
{
    if (!name || !name[0])
        return sp_err_set(err, SP_EINVAL, "a %s needs a non-empty name", what);
    if (strlen(name) >= SP_NAME_MAX)
        return sp_err_set(err, SP_EINVAL, "%s name is longer than %d bytes", what, SP_NAME_MAX - 1);
    return SP_OK;
}

sp_package *sp_package_alloc(const char *name, sp_err *err)
{
    if (check_name(name, "package", err) != SP_OK)
        return NULL;
    sp_package *p = calloc(1, sizeof *p);
    if (!p) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a package");
        return NULL;
    }
    strcpy(p->name, name);
    return p;
}

void sp_package_free(sp_package *p)
{
    if (!p)
        return;
    for (int k = 0; k < p->nmeasures; k++)
        sp_filter_free(p->measures[k].filter);
    free(p);
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

static int add_measure(sp_package *p, const char *name, sp_measure_kind kind, const char *filter,
                       sp_measure **out, sp_err *err)
{
    if (check_name(name, "measure", err) != SP_OK)
        return SP_EINVAL;
    if (p->nmeasures >= SP_MAX_MEASURES)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d measures", SP_MAX_MEASURES);
    for (int k = 0; k < p->nmeasures; k++)
        if (strcmp(p->measures[k].name, name) == 0)
            return sp_err_set(err, SP_EINVAL, "package \"%s\" already has a measure named \"%s\"",
                              p->name, name);
    sp_filter *f = NULL;
    if (filter && filter[0]) {
        f = sp_filter_compile(filter, err);
        if (!f)
            return err ? err->code : SP_EINVAL;
    }
    sp_measure *m = &p->measures[p->nmeasures++];
    memset(m, 0, sizeof *m);
    m->kind = kind;
    strcpy(m->name, name);
    m->id = sp_measure_id(name);
    m->filter = f;
    *out = m;
    return SP_OK;
}

int sp_package_add_voucher(sp_package *p, const char *name, const sp_voucher_def *v, sp_err *err)
{
    int rc = sp_voucher_validate(v, err);
    if (rc != SP_OK)
        return rc;
    sp_measure *m = NULL;
    rc = add_measure(p, name, SP_MEASURE_VOUCHER, v->filter, &m, err);
    if (rc == SP_OK)
        m->def.voucher = *v;
    return rc;
}

sp_package *sp_package_derive(const sp_package *base, const char *name, sp_err *err)
{
    sp_package *p = sp_package_alloc(name, err);
    if (!p)
        return NULL;
    for (int k = 0; k < base->nmeasures; k++) {
        const sp_measure *m = &base->measures[k];
        int rc = SP_EINVAL;
        if (m->kind == SP_MEASURE_VOUCHER)
            rc = sp_package_add_voucher(p, m->name, &m->def.voucher, err);
        if (rc != SP_OK) {
            sp_package_free(p);
            return NULL;
        }
    }
    return p;
}
