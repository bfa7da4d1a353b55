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

int sp_package_count(const sp_package *p, const sp_measure_ops *ops)
{
    int n = 0;
    for (int k = 0; k < p->nmeasures; k++)
        n += p->measures[k].ops == ops;
    return n;
}

const sp_measure *sp_package_find(const sp_package *p, const sp_measure_ops *ops)
{
    for (int k = 0; k < p->nmeasures; k++)
        if (p->measures[k].ops == ops)
            return &p->measures[k];
    return NULL;
}

int sp_package_add(sp_package *p, const sp_measure_ops *ops, const char *name, const void *def,
                   sp_err *err)
{
    int rc = sp_measure_ops_check(ops, err);
    if (rc != SP_OK)
        return rc;
    if (!def)
        return sp_err_set(err, SP_EINVAL, "%s definition is NULL", ops->kind);
    if ((rc = ops->validate(def, err)) != SP_OK)
        return rc;
    if (ops->admit && (rc = ops->admit(p, def, err)) != SP_OK)
        return rc;
    if (check_name(name, "measure", err) != SP_OK)
        return SP_EINVAL;
    if (p->nmeasures >= SP_MAX_MEASURES)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d measures", SP_MAX_MEASURES);
    for (int k = 0; k < p->nmeasures; k++)
        if (strcmp(p->measures[k].name, name) == 0)
            return sp_err_set(err, SP_EINVAL, "package \"%s\" already has a measure named \"%s\"",
                              p->name, name);
    const char *text = ops->filter ? ops->filter(def) : NULL;
    sp_filter *f = NULL;
    if (text && text[0]) {
        f = sp_filter_compile(text, err);
        if (!f)
            return err ? err->code : SP_EINVAL;
    }
    sp_measure *m = &p->measures[p->nmeasures++];
    memset(m, 0, sizeof *m);
    m->ops = ops;
    strcpy(m->name, name);
    m->id = sp_measure_id(name);
    m->filter = f;
    memcpy(m->def.bytes, def, ops->def_size);
    return SP_OK;
}

int sp_package_add_measure(sp_package *p, const sp_measure *m, sp_err *err)
{
    if (!m)
        return sp_err_set(err, SP_EINVAL, "measure is NULL");
    return sp_package_add(p, m->ops, m->name, sp_measure_def(m), err);
}

sp_package *sp_package_derive(const sp_package *base, const char *name, sp_err *err)
{
    sp_package *p = sp_package_alloc(name, err);
    if (!p)
        return NULL;
    for (int k = 0; k < base->nmeasures; k++) {
        if (sp_package_add_measure(p, &base->measures[k], err) != SP_OK) {
            sp_package_free(p);
            return NULL;
        }
    }
    return p;
}
