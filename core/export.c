/* export.c: per-replicate tidy export (export.h). */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "writers/writers.h"

static const int all_metric = SP_M_SPENDING, all_group = 0;

sp_export_def sp_export_def_default(void)
{
    sp_export_def d;
    memset(&d, 0, sizeof d);
    d.by = SP_BY_MONTH;
    return d;
}

/* d with its defaults filled in, checked against res; the window's months
 * into [*m0, *m1). */
static int resolve(const sp_results *res, const sp_export_def *in, sp_export_def *d, int *m0,
                   int *m1, sp_err *err)
{
    if (!res || !in)
        return sp_err_set(err, SP_EINVAL, "an export needs results and a definition");
    *d = *in;
    if (!d->metrics) {
        d->metrics = &all_metric;
        d->nmetrics = 1;
    }
    if (!d->groups) {
        d->groups = &all_group;
        d->ngroups = 1;
    }
    if ((unsigned)d->by > SP_BY_TOTAL)
        return sp_err_set(err, SP_EINVAL, "unknown period %d for 'by'", (int)d->by);
    if (d->packages && d->npackages < 1)
        return sp_err_set(err, SP_EINVAL, "'packages' is empty");
    if (d->nmetrics < 1 || d->ngroups < 1)
        return sp_err_set(err, SP_EINVAL, "'%s' is empty", d->nmetrics < 1 ? "metrics" : "groups");
    for (int k = 0; d->packages && k < d->npackages; k++)
        if (d->packages[k] < 0 || d->packages[k] >= res->npackages)
            return sp_err_set(err, SP_ERANGE, "package index %d is not in the results (%d packages, from 0)",
                              d->packages[k], res->npackages);
    for (int k = 0; k < d->nmetrics; k++)
        if (d->metrics[k] < 0 || d->metrics[k] >= SP_NMETRIC)
            return sp_err_set(err, SP_EINVAL, "unknown metric %d", d->metrics[k]);
    for (int k = 0; k < d->ngroups; k++)
        if (d->groups[k] < 0 || d->groups[k] >= SP_NGROUP)
            return sp_err_set(err, SP_EINVAL, "unknown group %d", d->groups[k]);
    return sp_results_window(res, d->from, d->to, m0, m1, err);
}

/* Periods of the window: runs of months in the same period. */
static int periods(const sp_results *res, sp_period by, int m0, int m1)
{
    int n = 0;
    for (int m = m0; m < m1; m++)
        n += m == m0 || !sp_period_same(res, by, m, m - 1);
    return n;
}

size_t sp_export_rows(const sp_results *res, const sp_export_def *in, sp_err *err)
{
    sp_export_def d = sp_export_def_default();
    int m0 = 0, m1 = 0;
    if (resolve(res, in, &d, &m0, &m1, err) != SP_OK)
        return 0;
    size_t np = d.packages ? (size_t)d.npackages : (size_t)res->npackages;
    return np * (size_t)res->nreplicates * (size_t)periods(res, d.by, m0, m1) * (size_t)d.ngroups *
           (size_t)d.nmetrics;
}

typedef struct {
    const sp_results *res;
    sp_export_def d;
    int m0, m1;
} job;

static int write_export(FILE *out, const void *ctx, sp_err *err)
{
    const job *j = ctx;
    const sp_results *res = j->res;
    const sp_export_def *d = &j->d;
    fputs("package,replicate,month,group,metric,unit,value\n", out);
    const int np = d->packages ? d->npackages : res->npackages;
    for (int kp = 0; kp < np; kp++) {
        const int p = d->packages ? d->packages[kp] : kp;
        for (int r = 0; r < res->nreplicates; r++)
            for (int a = j->m0; a < j->m1;) {
                int b = a + 1;
                while (b < j->m1 && sp_period_same(res, d->by, a, b))
                    b++;
                char label[32];
                sp_period_label(res, d->by, a, label, sizeof label);
                for (int g = 0; g < d->ngroups; g++)
                    for (int k = 0; k < d->nmetrics; k++) {
                        const int m = d->metrics[k];
                        sp_csv_field(out, res->package_names[p]);
                        fprintf(out, ",%d,", r + 1);
                        sp_csv_field(out, label);
                        fputc(',', out);
                        sp_csv_field(out, sp_group_label(d->groups[g]));
                        fputc(',', out);
                        sp_csv_field(out, sp_metric_name(m));
                        fputc(',', out);
                        sp_csv_field(out, sp_metric_unit(m));
                        fputc(',', out);
                        sp_csv_number_exact(out, sp_results_period_value(res, p, r, a, b, d->groups[g], m,
                                                                         SP_UNIT_TOTAL));
                        fputc('\n', out);
                    }
                if (ferror(out))
                    return sp_err_set(err, SP_EIO, "write error in the export");
                a = b;
            }
    }
    return SP_OK;
}

int sp_results_export(const sp_results *res, const sp_export_def *in, const char *path, sp_err *err)
{
    job j;
    j.res = res;
    j.d = sp_export_def_default();
    j.m0 = j.m1 = 0;
    int rc = resolve(res, in, &j.d, &j.m0, &j.m1, err);
    if (rc != SP_OK)
        return rc;
    if (!path || !path[0])
        return sp_err_set(err, SP_EINVAL, "an export needs a file path");
    return sp_atomic_write(path, write_export, &j, err);
}
