/* report.c: the composition of the HTML report (see report.h).
 *
 * The report's charts are listed once, as data (chart_spec): each is a query
 * built afresh from sp_query_default, so no setting of one chart carries over
 * into the next. A built report owns one store: its tables, chart titles,
 * key/value arrays and one block of copied text. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PACKAGES = 64 };

/* One chart: the monthly change against the baseline of `metric` in `unit`,
 * with series = rows (the groups of dim when rows are groups). */
typedef struct chart_spec {
    sp_rows rows;
    sp_dim dim;
    int metric;
    sp_unit unit;
    const char *title; /* after "<package>: " for the charts of one package */
} chart_spec;

/* Charts of the whole experiment, one series per package. */
static const chart_spec overall[] = {
    {SP_ROWS_PACKAGE, SP_DIM_ALL, SP_M_SPENDING, SP_UNIT_TOTAL,
     "Monthly change in household spending, by package"},
    {SP_ROWS_PACKAGE, SP_DIM_ALL, SP_M_CAR_PURCHASES, SP_UNIT_TOTAL,
     "Monthly change in car purchases, by package"},
};

/* Charts of each package after the baseline. */
static const chart_spec per_package[] = {
    {SP_ROWS_CATEGORY, SP_DIM_ALL, SP_M_SPENDING, SP_UNIT_PER_CAPITA,
     "monthly change in spending per person, by category"},
    {SP_ROWS_GROUP, SP_DIM_QUINTILE, SP_M_SPENDING, SP_UNIT_PER_CAPITA,
     "monthly change in spending per person, by income quintile"},
};

#define NOVERALL (int)(sizeof overall / sizeof overall[0])
#define NPER (int)(sizeof per_package / sizeof per_package[0])
#define VALUE_MAX 32 /* a parameter value: "%.6g" or "drawn per replicate" */

struct sp_report_store {
    sp_report report;  /* first: the report handed out is the store */
    sp_table *headline;
    sp_table **tables; /* ncharts chart tables */
    char **titles;     /* ncharts chart titles */
    sp_chart *charts;
    sp_kv *kv;         /* the parameters, then the provenance */
    char *text;        /* copied strings and parameter values */
};

sp_report_opts sp_report_opts_default(void)
{
    sp_report_opts o;
    memset(&o, 0, sizeof o);
    o.title = "spendsim report";
    o.max_packages = 6;
    return o;
}

static int check_opts(const sp_results *res, const sp_report_opts *o, sp_err *err)
{
    if (!res)
        return sp_err_set(err, SP_EINVAL, "a report needs results");
    if (o->max_packages < 0 || o->max_packages > MAX_PACKAGES)
        return sp_err_set(err, SP_EINVAL, "report: max_packages must be 0..%d, got %d", MAX_PACKAGES,
                          o->max_packages);
    if (o->nprovenance < 0 || (o->nprovenance > 0 && !o->provenance))
        return sp_err_set(err, SP_EINVAL, "report: %d provenance entries without an array",
                          o->nprovenance);
    for (int i = 0; i < o->nprovenance; i++)
        if (!o->provenance[i].key)
            return sp_err_set(err, SP_EINVAL, "report: provenance entry %d has no key", i + 1);
    return SP_OK;
}

static size_t len0(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copies s (NULL stays NULL) to *at and advances it. */
static const char *put(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*at, s, n);
    *at += n;
    return *at - n;
}

/* The chart of spec for package p (ignored for package rows) as chart k. */
static int add_chart(const sp_results *res, struct sp_report_store *st, const chart_spec *spec,
                     int p, int k, sp_err *err)
{
    sp_query q = sp_query_default();
    q.rows = spec->rows;
    q.dim = spec->dim;
    q.metric = spec->metric;
    q.unit = spec->unit;
    q.package = spec->rows == SP_ROWS_PACKAGE ? 0 : p;
    q.group = 0;
    q.by = SP_BY_MONTH;
    q.diff = 1;
    if (!(st->tables[k] = sp_results_table(res, &q, err)))
        return err ? err->code : SP_ENOMEM;
    const char *pkg = spec->rows == SP_ROWS_PACKAGE ? NULL : res->package_names[p];
    size_t n = (pkg ? strlen(pkg) + 2 : 0) + strlen(spec->title) + 1;
    if (!(st->titles[k] = malloc(n)))
        return sp_err_set(err, SP_ENOMEM, "out of memory for a report");
    if (pkg)
        snprintf(st->titles[k], n, "%s: %s", pkg, spec->title);
    else
        snprintf(st->titles[k], n, "%s", spec->title);
    st->charts[k].title = st->titles[k];
    st->charts[k].table = st->tables[k];
    st->charts[k].metric = sp_metric_name(spec->metric);
    return SP_OK;
}

/* The headline and every chart: the experiment's, then each package's. */
static int add_tables(const sp_results *res, struct sp_report_store *st, int npkg, sp_err *err)
{
    if (!(st->headline = sp_results_summary(res, err)))
        return err ? err->code : SP_ENOMEM;
    int k = 0, rc = SP_OK;
    for (int c = 0; c < NOVERALL && rc == SP_OK; c++)
        rc = add_chart(res, st, &overall[c], 0, k++, err);
    for (int p = 1; p <= npkg && rc == SP_OK; p++)
        for (int c = 0; c < NPER && rc == SP_OK; c++)
            rc = add_chart(res, st, &per_package[c], p, k++, err);
    return rc;
}

/* The parameters as given: kv[0..np), values in vals (VALUE_MAX each). */
static void add_parameters(const sp_results *res, sp_kv *kv, char *vals)
{
    size_t np;
    const sp_param_info *info = sp_param_table(&np);
    for (size_t k = 0; k < np; k++) {
        char *v = vals + VALUE_MAX * k;
        double x = 0;
        sp_params_get(&res->params, info[k].name, &x, NULL);
        snprintf(v, VALUE_MAX, "%.6g", x);
        for (int d = 0; d < res->nparams; d++)
            if (strcmp(res->param_names[d], info[k].name) == 0)
                snprintf(v, VALUE_MAX, "drawn per replicate");
        kv[k].key = info[k].name; /* static names */
        kv[k].value = v;
    }
}

/* Allocates the store's arrays for nc charts and the text block. */
static struct sp_report_store *store_alloc(const sp_report_opts *o, int nc, size_t np, sp_err *err)
{
    size_t text = VALUE_MAX * np + len0(o->title) + len0(o->scenario_name) + len0(o->scenario_text);
    for (int i = 0; i < o->nprovenance; i++)
        text += len0(o->provenance[i].key) + len0(o->provenance[i].value ? o->provenance[i].value : "");
    struct sp_report_store *st = calloc(1, sizeof *st);
    if (st) {
        st->tables = calloc((size_t)nc, sizeof *st->tables);
        st->titles = calloc((size_t)nc, sizeof *st->titles);
        st->charts = calloc((size_t)nc, sizeof *st->charts);
        st->kv = calloc(np + (size_t)o->nprovenance + 1, sizeof *st->kv);
        st->text = malloc(text + 1);
        st->report.store = st;
        st->report.ncharts = nc; /* so that sp_report_free finds every chart built */
    }
    if (!st || !st->tables || !st->titles || !st->charts || !st->kv || !st->text) {
        sp_report_free(st ? &st->report : NULL);
        sp_err_set(err, SP_ENOMEM, "out of memory for a report");
        return NULL;
    }
    return st;
}

sp_report *sp_report_build(const sp_results *res, const sp_report_opts *o, sp_err *err)
{
    sp_report_opts def = sp_report_opts_default();
    if (!o)
        o = &def;
    if (check_opts(res, o, err) != SP_OK)
        return NULL;
    int npkg = res->npackages - 1 < o->max_packages ? res->npackages - 1 : o->max_packages;
    int nc = NOVERALL + NPER * npkg;
    size_t np;
    sp_param_table(&np);
    struct sp_report_store *st = store_alloc(o, nc, np, err);
    if (!st)
        return NULL;
    sp_report *r = &st->report;
    if (add_tables(res, st, npkg, err) != SP_OK) {
        sp_report_free(r);
        return NULL;
    }
    char *at = st->text + VALUE_MAX * np;
    add_parameters(res, st->kv, st->text);
    sp_kv *prov = st->kv + np;
    for (int i = 0; i < o->nprovenance; i++) {
        prov[i].key = put(&at, o->provenance[i].key);
        prov[i].value = put(&at, o->provenance[i].value ? o->provenance[i].value : "");
    }
    r->title = put(&at, o->title);
    r->scenario_name = put(&at, o->scenario_name);
    r->scenario_text = put(&at, o->scenario_text);
    r->headline = st->headline;
    r->charts = st->charts;
    r->parameters = st->kv;
    r->nparameters = (int)np;
    r->provenance = prov;
    r->nprovenance = o->nprovenance;
    return r;
}

void sp_report_free(sp_report *r)
{
    if (!r || !r->store)
        return;
    struct sp_report_store *st = r->store;
    sp_table_free(st->headline);
    for (int k = 0; st->tables && k < r->ncharts; k++)
        sp_table_free(st->tables[k]);
    for (int k = 0; st->titles && k < r->ncharts; k++)
        free(st->titles[k]);
    free(st->tables);
    free(st->titles);
    free(st->charts);
    free(st->kv);
    free(st->text);
    free(st);
}
