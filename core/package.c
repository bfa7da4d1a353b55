/* package.c: packages of measures. */
#include "package.h"

#include <math.h>
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

static int count_kind(const sp_package *p, sp_measure_kind kind)
{
    int n = 0;
    for (int k = 0; k < p->nmeasures; k++)
        n += p->measures[k].kind == kind;
    return n;
}

int sp_package_add_scrappage(sp_package *p, const char *name, const sp_scrappage_def *d, sp_err *err)
{
    int rc = sp_scrappage_validate(d, err);
    if (rc != SP_OK)
        return rc;
    if (count_kind(p, SP_MEASURE_SCRAPPAGE) >= SP_CARS_MAX_PROGRAMMES)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d scrappage programmes",
                          SP_CARS_MAX_PROGRAMMES);
    sp_measure *m = NULL;
    rc = add_measure(p, name, SP_MEASURE_SCRAPPAGE, d->filter, &m, err);
    if (rc == SP_OK)
        m->def.scrappage = *d;
    return rc;
}

int sp_package_add_purchase_subsidy(sp_package *p, const char *name,
                                    const sp_purchase_subsidy_def *d, sp_err *err)
{
    int rc = sp_purchase_subsidy_validate(d, err);
    if (rc != SP_OK)
        return rc;
    if (count_kind(p, SP_MEASURE_PURCHASE_SUBSIDY) >= SP_CARS_MAX_PROGRAMMES)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d purchase subsidies",
                          SP_CARS_MAX_PROGRAMMES);
    sp_measure *m = NULL;
    rc = add_measure(p, name, SP_MEASURE_PURCHASE_SUBSIDY, NULL, &m, err);
    if (rc == SP_OK)
        m->def.purchase = *d;
    return rc;
}

int sp_package_add_cash_transfer(sp_package *p, const char *name, const sp_cash_transfer_def *d,
                                 sp_err *err)
{
    int rc = sp_cash_transfer_validate(d, err);
    if (rc != SP_OK)
        return rc;
    sp_measure *m = NULL;
    rc = add_measure(p, name, SP_MEASURE_CASH_TRANSFER, d->filter, &m, err);
    if (rc == SP_OK)
        m->def.transfer = *d;
    return rc;
}

int sp_package_add_plates(sp_package *p, const char *name, const sp_plate_regime_def *d, sp_err *err)
{
    int rc = sp_plate_regime_validate(d, err);
    if (rc != SP_OK)
        return rc;
    if (count_kind(p, SP_MEASURE_PLATES) > 0)
        return sp_err_set(err, SP_EINVAL, "package \"%s\" already has a plate regime", p->name);
    sp_measure *m = NULL;
    rc = add_measure(p, name, SP_MEASURE_PLATES, NULL, &m, err);
    if (rc == SP_OK)
        m->def.plates = *d;
    return rc;
}

int sp_package_add_plate_extra(sp_package *p, const char *name, const sp_plate_extra_def *d,
                               sp_err *err)
{
    if (!(d->plates >= 0) || !isfinite(d->plates))
        return sp_err_set(err, SP_EINVAL, "extra quota plates must be 0 or more, got %g", d->plates);
    if (count_kind(p, SP_MEASURE_PLATE_EXTRA) >= SP_PLATE_MAX_EXTRA)
        return sp_err_set(err, SP_EINVAL, "a package holds at most %d extra quotas",
                          SP_PLATE_MAX_EXTRA);
    sp_measure *m = NULL;
    int rc = add_measure(p, name, SP_MEASURE_PLATE_EXTRA, NULL, &m, err);
    if (rc == SP_OK)
        m->def.extra = *d;
    return rc;
}

int sp_package_add_measure(sp_package *p, const sp_measure *m, sp_err *err)
{
    switch (m->kind) {
    case SP_MEASURE_VOUCHER: return sp_package_add_voucher(p, m->name, &m->def.voucher, err);
    case SP_MEASURE_SCRAPPAGE: return sp_package_add_scrappage(p, m->name, &m->def.scrappage, err);
    case SP_MEASURE_PURCHASE_SUBSIDY:
        return sp_package_add_purchase_subsidy(p, m->name, &m->def.purchase, err);
    case SP_MEASURE_CASH_TRANSFER:
        return sp_package_add_cash_transfer(p, m->name, &m->def.transfer, err);
    case SP_MEASURE_PLATES: return sp_package_add_plates(p, m->name, &m->def.plates, err);
    case SP_MEASURE_PLATE_EXTRA: return sp_package_add_plate_extra(p, m->name, &m->def.extra, err);
    }
    return sp_err_set(err, SP_EINVAL, "unknown measure kind %d", (int)m->kind);
}

const sp_plate_regime_def *sp_package_plates(const sp_package *p)
{
    for (int k = 0; k < p->nmeasures; k++)
        if (p->measures[k].kind == SP_MEASURE_PLATES)
            return &p->measures[k].def.plates;
    return NULL;
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
