/* objective.c: one number from a results cube (objective.h). */
#include "objective.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "calendar.h"
#include "group.h"

sp_objective sp_objective_default(void)
{
    sp_objective o = {SP_M_SPENDING, 0, -1, 0, 0, 1, SP_UNIT_TOTAL};
    return o;
}

/* Window [*m0, *m1) in month indices of res. */
static void window(const sp_objective *o, const sp_results *res, int *m0, int *m1)
{
    *m0 = o->from ? o->from - res->start_month : 0;
    *m1 = o->to ? o->to - res->start_month + 1 : res->nmonths;
}

static int package_of(const sp_objective *o, const sp_results *res)
{
    return o->package < 0 ? res->npackages - 1 : o->package;
}

int sp_objective_check(const sp_objective *o, const sp_results *res, sp_err *err)
{
    if (!res)
        return sp_err_set(err, SP_EINVAL, "no results");
    if (o->metric < 0 || o->metric >= SP_NMETRIC)
        return sp_err_set(err, SP_EINVAL, "unknown metric %d", o->metric);
    if (o->group < 0 || o->group >= SP_NGROUP)
        return sp_err_set(err, SP_EINVAL, "unknown group %d", o->group);
    if (o->package < -1 || o->package >= res->npackages)
        return sp_err_set(err, SP_ERANGE, "package index %d is not in the results (%d packages, from 0)",
                          o->package, res->npackages);
    if ((unsigned)o->unit > SP_UNIT_PER_CAPITA)
        return sp_err_set(err, SP_EINVAL, "unknown unit %d", (int)o->unit);
    char a[8], b[8], c[8];
    int last = res->start_month + res->nmonths - 1;
    sp_month_format(res->start_month, b);
    sp_month_format(last, c);
    if (o->from && (o->from < res->start_month || o->from > last)) {
        sp_month_format(o->from, a);
        return sp_err_set(err, SP_ERANGE, "from %s is outside the reported months %s..%s", a, b, c);
    }
    if (o->to && (o->to < res->start_month || o->to > last)) {
        sp_month_format(o->to, a);
        return sp_err_set(err, SP_ERANGE, "to %s is outside the reported months %s..%s", a, b, c);
    }
    int m0, m1;
    window(o, res, &m0, &m1);
    if (m1 <= m0) {
        sp_month_format(res->start_month + m0, a);
        sp_month_format(res->start_month + m1 - 1, b);
        return sp_err_set(err, SP_EINVAL, "from %s is after to %s", a, b);
    }
    return SP_OK;
}

/* One package's value for one replicate over months [m0, m1) (table.c's rule). */
static double value(const sp_objective *o, const sp_results *res, int p, int r, int m0, int m1)
{
    double sum = 0, hh = 0, persons = 0;
    for (int m = m0; m < m1; m++) {
        const double *g = sp_results_at(res, p, r, m) + (size_t)o->group * SP_NMETRIC;
        sum += g[o->metric];
        hh += g[SP_M_HOUSEHOLDS];
        persons += g[SP_M_PERSONS];
    }
    int nm = m1 - m0;
    double v = sp_metric_kind_of(o->metric) == SP_METRIC_STOCK ? sum / nm : sum;
    if (o->unit == SP_UNIT_PER_HOUSEHOLD)
        v = hh > 0 ? v / (hh / nm) : NAN;
    else if (o->unit == SP_UNIT_PER_CAPITA)
        v = persons > 0 ? v / (persons / nm) : NAN;
    return v;
}

int sp_objective_replicates(const sp_objective *o, const sp_results *res, double *out, sp_err *err)
{
    int rc = sp_objective_check(o, res, err);
    if (rc != SP_OK)
        return rc;
    int m0, m1, p = package_of(o, res);
    window(o, res, &m0, &m1);
    for (int r = 0; r < res->nreplicates; r++) {
        double v = value(o, res, p, r, m0, m1);
        out[r] = o->diff ? sp_table_diff(v, value(o, res, 0, r, m0, m1)) : v;
    }
    return SP_OK;
}

int sp_objective_eval(const sp_objective *o, const sp_results *res, double *out, sp_err *err)
{
    int rc = sp_objective_check(o, res, err);
    if (rc != SP_OK)
        return rc;
    int m0, m1, p = package_of(o, res);
    window(o, res, &m0, &m1);
    double sum = 0;
    for (int r = 0; r < res->nreplicates; r++) {
        double v = value(o, res, p, r, m0, m1);
        sum += o->diff ? sp_table_diff(v, value(o, res, 0, r, m0, m1)) : v;
    }
    *out = sum / res->nreplicates;
    return SP_OK;
}

void sp_objective_describe(const sp_objective *o, const sp_results *res, char *buf, size_t n)
{
    char a[8], b[8];
    int m0 = 0, m1 = 1, p = 0;
    if (res) {
        window(o, res, &m0, &m1);
        p = package_of(o, res);
        sp_month_format(res->start_month + m0, a);
        sp_month_format(res->start_month + m1 - 1, b);
    }
    const char *per = o->unit == SP_UNIT_PER_HOUSEHOLD ? " per household"
                      : o->unit == SP_UNIT_PER_CAPITA  ? " per person"
                                                       : "";
    snprintf(buf, n, "%s%s (%s%s), %s, %s, %s..%s", o->diff ? "change in " : "",
             sp_metric_name(o->metric), sp_metric_unit(o->metric), per, sp_group_label(o->group),
             res && p >= 0 && p < res->npackages ? res->package_names[p] : "?", res ? a : "?",
             res ? b : "?");
}
