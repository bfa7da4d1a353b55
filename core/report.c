/* report.c: the composition of the HTML report (see report.h).
 *
 * The report's charts are listed once, as data (chart_spec): each is a query
 * built afresh from sp_query_default, so no setting of one chart carries over
 * into the next. A built report owns one store: its tables, chart titles,
 * key/value arrays and one block of copied text. */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "writers/writers_internal.h"

enum { MAX_PACKAGES = 64, MAX_TABLES = 64 };

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
    sp_table **extra;  /* ntables copies of the tables given in the options */
    int nextra;
    sp_kv *kv;         /* the parameters, then the provenance */
    char *text;        /* copied strings and parameter values */
    char *overview, *intervals;
    char **warnings;   /* nwarnings copies of the results' warnings */
    int nwarnings;
};

sp_report_opts sp_report_opts_default(void)
{
    sp_report_opts o;
    memset(&o, 0, sizeof o);
    o.title = "spendsim report";
    o.max_packages = 6;
    o.lang = SP_LANG_EN;
    o.summary = 1;
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
    if ((unsigned)o->lang >= SP_NLANG)
        return sp_err_set(err, SP_EINVAL, "report: unknown language %d", (int)o->lang);
    if (o->ntables < 0 || o->ntables > MAX_TABLES || (o->ntables > 0 && !o->tables))
        return sp_err_set(err, SP_EINVAL, "report: tables must be 0..%d tables in an array, got %d",
                          MAX_TABLES, o->ntables);
    for (int i = 0; i < o->ntables; i++)
        if (!o->tables[i])
            return sp_err_set(err, SP_EINVAL, "report: table %d is missing", i + 1);
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

/* ---- language ---- */

/* Replaces the table string *slot by its translation, when there is one. */
static int tr_slot(char **slot, sp_lang lang, sp_err *err)
{
    if (lang == SP_LANG_EN || !*slot)
        return SP_OK;
    const char *t = sp_label(lang, *slot);
    return t == *slot ? SP_OK : sp_table_set_text(slot, t, err);
}

/* Translates what a table shows: unit, row header, row and column labels
 * (and the title when it has a translation). */
static int tr_table(sp_table *t, sp_lang lang, sp_err *err)
{
    if (lang == SP_LANG_EN)
        return SP_OK;
    char unit[128];
    sp_label_unit(lang, t->unit, unit, sizeof unit);
    int rc = sp_table_set_text(&t->unit, unit, err);
    if (rc == SP_OK)
        rc = tr_slot(&t->title, lang, err);
    if (rc == SP_OK)
        rc = tr_slot(&t->row_header, lang, err);
    for (size_t i = 0; rc == SP_OK && i < t->nrows; i++)
        rc = tr_slot(&t->row_labels[i], lang, err);
    for (size_t j = 0; rc == SP_OK && j < t->ncols; j++)
        rc = tr_slot(&t->col_labels[j], lang, err);
    return rc;
}

/* A copy of t (labels, values and intervals). NULL with err on failure. */
static sp_table *copy_table(const sp_table *t, sp_err *err)
{
    sp_table *c = sp_table_alloc(t->nrows, t->ncols, err);
    if (!c)
        return NULL;
    int rc = sp_table_set_text(&c->title, t->title ? t->title : "", err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&c->unit, t->unit ? t->unit : "", err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&c->row_header, t->row_header ? t->row_header : "", err);
    for (size_t i = 0; rc == SP_OK && i < t->nrows; i++)
        rc = sp_table_set_text(&c->row_labels[i],
                               t->row_labels && t->row_labels[i] ? t->row_labels[i] : "", err);
    for (size_t j = 0; rc == SP_OK && j < t->ncols; j++)
        rc = sp_table_set_text(&c->col_labels[j],
                               t->col_labels && t->col_labels[j] ? t->col_labels[j] : "", err);
    if (rc != SP_OK) {
        sp_table_free(c);
        return NULL;
    }
    size_t cells = t->nrows * t->ncols;
    const double *src[5] = {t->values, t->lo90, t->hi90, t->lo95, t->hi95};
    double *dst[5] = {c->values, c->lo90, c->hi90, c->lo95, c->hi95};
    for (int a = 0; a < 5; a++)
        if (cells && src[a])
            memcpy(dst[a], src[a], cells * sizeof(double));
        else if (cells) /* no intervals given: they equal the values */
            memcpy(dst[a], t->values, cells * sizeof(double));
    c->replicates = t->replicates;
    return c;
}

/* Appends printf-formatted text to buf (n bytes) at *used. */
static void cat(char *buf, size_t n, size_t *used, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void cat(char *buf, size_t n, size_t *used, const char *fmt, ...)
{
    if (*used >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *used, n - *used, fmt, ap);
    va_end(ap);
    if (k > 0)
        *used = *used + (size_t)k < n ? *used + (size_t)k : n - 1;
}

/* " (90% interval lo to hi)" of headline cell (row, col) when the table has
 * several replicates, else "". */
static void interval(const sp_table *t, size_t row, size_t col, sp_lang lang, char *out, size_t n)
{
    out[0] = '\0';
    if (t->replicates < 2)
        return;
    char lo[SP_NUM_MAX], hi[SP_NUM_MAX];
    sp_write_number(t->lo90[row * t->ncols + col], lo);
    sp_write_number(t->hi90[row * t->ncols + col], hi);
    if (strcmp(lo, hi) == 0) /* the same in every replicate (a fixed budget): no interval to state */
        return;
    if (lang == SP_LANG_ZH)
        snprintf(out, n, "（90%% 区间 %s 至 %s）", lo, hi);
    else
        snprintf(out, n, " (90%% interval %s to %s)", lo, hi);
}

char *sp_report_overview(const sp_results *res, const sp_table *h, sp_lang lang, sp_err *err)
{
    enum { N = 2048 };
    char *buf = malloc(N);
    if (!buf) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a report");
        return NULL;
    }
    size_t used = 0;
    buf[0] = '\0';
    char a[8], b[8];
    sp_month_format(res->start_month, a);
    sp_month_format(res->start_month + res->nmonths - 1, b);
    int best = -1;
    for (int p = 1; p < res->npackages && (size_t)p < h->nrows; p++) {
        double v = sp_table_get(h, (size_t)p, SP_SUM_SPENDING_CHANGE);
        if (!isnan(v) && (best < 0 || fabs(v) > fabs(sp_table_get(h, (size_t)best, SP_SUM_SPENDING_CHANGE))))
            best = p;
    }
    if (best < 0) {
        if (lang == SP_LANG_ZH)
            cat(buf, N, &used, "仅模拟了基准方案“%s”：没有可比较的变化。", res->package_names[0]);
        else
            cat(buf, N, &used, "Only the baseline, %s, was simulated: there is no change to compare.",
                res->package_names[0]);
        return buf;
    }
    char change[SP_NUM_MAX], cost[SP_NUM_MAX], mult[SP_NUM_MAX], ic[2 * SP_NUM_MAX + 40], ig[2 * SP_NUM_MAX + 40], im[2 * SP_NUM_MAX + 40];
    sp_write_number(sp_table_get(h, (size_t)best, SP_SUM_SPENDING_CHANGE), change);
    sp_write_number(sp_table_get(h, (size_t)best, SP_SUM_GOV_COST), cost);
    sp_write_number(sp_table_get(h, (size_t)best, SP_SUM_MULTIPLIER), mult);
    interval(h, (size_t)best, SP_SUM_SPENDING_CHANGE, lang, ic, sizeof ic);
    interval(h, (size_t)best, SP_SUM_GOV_COST, lang, ig, sizeof ig);
    interval(h, (size_t)best, SP_SUM_MULTIPLIER, lang, im, sizeof im);
    const char *name = res->package_names[best], *base = res->package_names[0];
    if (lang == SP_LANG_ZH)
        cat(buf, N, &used,
            "相对于“%s”，在 %d 个方案中“%s”对居民消费的影响最大：%s 至 %s 合计变化 %s 元%s；"
            "政府成本 %s 元%s；因果乘数（消费变化 / 政府成本）%s%s。",
            base, res->npackages - 1, name, a, b, change, ic, cost, ig, mult, im);
    else
        cat(buf, N, &used,
            "Of the %d package%s compared with %s, %s changes household spending the most: by %s "
            "yuan from %s to %s%s, at a government cost of %s yuan%s; its causal multiplier "
            "(change in spending / government cost) is %s%s.",
            res->npackages - 1, res->npackages - 1 == 1 ? "" : "s", base, name, change, a, b, ic,
            cost, ig, mult, im);
    int top = -1; /* the highest causal multiplier, when another package has it */
    for (int p = 1; p < res->npackages && (size_t)p < h->nrows; p++) {
        double v = sp_table_get(h, (size_t)p, SP_SUM_MULTIPLIER);
        if (isfinite(v) && (top < 0 || v > sp_table_get(h, (size_t)top, SP_SUM_MULTIPLIER)))
            top = p;
    }
    if (top > 0 && top != best) {
        sp_write_number(sp_table_get(h, (size_t)top, SP_SUM_MULTIPLIER), mult);
        interval(h, (size_t)top, SP_SUM_MULTIPLIER, lang, im, sizeof im);
        if (lang == SP_LANG_ZH)
            cat(buf, N, &used, "因果乘数最高的是“%s”：%s%s。", res->package_names[top], mult, im);
        else
            cat(buf, N, &used, " The highest causal multiplier is that of %s: %s%s.",
                res->package_names[top], mult, im);
    }
    return buf;
}

char *sp_report_intervals(const sp_results *res, sp_lang lang, sp_err *err)
{
    enum { N = 4096 };
    char *buf = malloc(N);
    if (!buf) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a report");
        return NULL;
    }
    size_t used = 0;
    buf[0] = '\0';
    int zh = lang == SP_LANG_ZH;
    if (res->nreplicates < 2) {
        cat(buf, N, &used, "%s",
            zh ? "仅一次重复：数字为校准模型的点估计，没有区间；参数取其中心值（除非情景为其指定了分布）。"
               : "One replicate: the figures are point estimates of the calibrated model, without "
                 "intervals; parameters are at their central values unless the scenario gave "
                 "them a distribution.");
        if (res->nparams > 0) {
            cat(buf, N, &used, "%s", zh ? "指定了分布的参数：" : " Parameters drawn from a distribution: ");
            for (int k = 0; k < res->nparams; k++)
                cat(buf, N, &used, "%s%s", k ? (zh ? "、" : ", ") : "", res->param_names[k]);
            cat(buf, N, &used, "%s", zh ? "。" : ".");
        }
        return buf;
    }
    if (zh)
        cat(buf, N, &used, "括号内为 %d 次重复的 90%% 区间。", res->nreplicates);
    else
        cat(buf, N, &used, "Intervals in brackets are 90%% ranges over %d replicates. ",
            res->nreplicates);
    if (res->nparams == 0) {
        cat(buf, N, &used, "%s",
            zh ? "区间仅反映蒙特卡洛随机性（家庭购买、领券与购车事件的随机抽取），未包含参数不确定性：没有参数按重复抽取。"
               : "They cover Monte Carlo noise only (the random draws of households' purchases, "
                 "claims and car events), not parameter uncertainty: no parameter was drawn per "
                 "replicate.");
        return buf;
    }
    if (zh)
        cat(buf, N, &used,
            "区间反映蒙特卡洛随机性（家庭购买、领券与购车事件的随机抽取）以及每次重复抽取一次的 %d 个参数的不确定性：",
            res->nparams);
    else
        cat(buf, N, &used,
            "They cover Monte Carlo noise (the random draws of households' purchases, claims and "
            "car events) and the uncertainty of the %d parameter%s drawn once per replicate: ",
            res->nparams, res->nparams == 1 ? "" : "s");
    for (int k = 0; k < res->nparams; k++)
        cat(buf, N, &used, "%s%s", k ? (zh ? "、" : ", ") : "", res->param_names[k]);
    cat(buf, N, &used, "%s", zh ? "。" : ".");
    return buf;
}

int sp_report_note_intervals(const sp_results *res, sp_table *t, sp_err *err)
{
    enum { N = 2048 };
    char buf[N];
    size_t used = 0;
    buf[0] = '\0';
    cat(buf, N, &used, "%s (", t->title ? t->title : "");
    if (res->nreplicates < 2)
        cat(buf, N, &used, "one replicate: no intervals");
    else if (res->nparams == 0)
        cat(buf, N, &used, "intervals: Monte Carlo noise only, no parameter drawn");
    else {
        cat(buf, N, &used, "intervals: Monte Carlo noise and the parameters drawn per replicate: ");
        for (int k = 0; k < res->nparams; k++)
            cat(buf, N, &used, "%s%s", k ? ", " : "", res->param_names[k]);
    }
    cat(buf, N, &used, ")");
    return sp_table_set_text(&t->title, buf, err);
}

/* The chart of spec for package p (ignored for package rows) as chart k. */
static int add_chart(const sp_results *res, struct sp_report_store *st, const chart_spec *spec,
                     int p, int k, sp_lang lang, sp_err *err)
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
    const char *title = sp_label(lang, spec->title);
    size_t n = (pkg ? strlen(pkg) + 4 : 0) + strlen(title) + 1;
    if (!(st->titles[k] = malloc(n)))
        return sp_err_set(err, SP_ENOMEM, "out of memory for a report");
    if (pkg)
        snprintf(st->titles[k], n, lang == SP_LANG_ZH ? "%s：%s" : "%s: %s", pkg, title);
    else
        snprintf(st->titles[k], n, "%s", title);
    st->charts[k].title = st->titles[k];
    st->charts[k].table = st->tables[k];
    st->charts[k].metric = sp_metric_name(spec->metric);
    if (lang == SP_LANG_EN)
        return SP_OK;
    int rc = sp_table_set_text(&st->tables[k]->title, st->titles[k], err); /* the data table's caption */
    return rc == SP_OK ? tr_table(st->tables[k], lang, err) : rc;
}

/* The headline (with the overview) when asked for, the intervals note, the
 * warnings, every chart (the experiment's, then each package's) and the
 * tables given. */
static int add_tables(const sp_results *res, struct sp_report_store *st, int npkg,
                      const sp_report_opts *o, sp_err *err)
{
    sp_lang lang = o->lang;
    if (o->summary) {
        if (!(st->headline = sp_results_summary(res, err)))
            return err ? err->code : SP_ENOMEM;
        if (!(st->overview = sp_report_overview(res, st->headline, lang, err)))
            return SP_ENOMEM;
        if (lang == SP_LANG_ZH) {
            char t[512], a[8], b[8];
            sp_month_format(res->start_month, a);
            sp_month_format(res->start_month + res->nmonths - 1, b);
            snprintf(t, sizeof t, "主要结果：%s 至 %s，相对于“%s”", a, b, res->package_names[0]);
            int rc = sp_table_set_text(&st->headline->title, t, err);
            if (rc == SP_OK)
                rc = tr_table(st->headline, lang, err);
            if (rc != SP_OK)
                return rc;
        }
    }
    if (!(st->intervals = sp_report_intervals(res, lang, err)))
        return SP_ENOMEM;
    if (res->nwarnings > 0) {
        if (!(st->warnings = calloc((size_t)res->nwarnings, sizeof *st->warnings)))
            return sp_err_set(err, SP_ENOMEM, "out of memory for a report");
        for (int w = 0; w < res->nwarnings; w++) {
            size_t n = strlen(res->warnings[w]) + 1;
            if (!(st->warnings[w] = malloc(n)))
                return sp_err_set(err, SP_ENOMEM, "out of memory for a report");
            memcpy(st->warnings[w], res->warnings[w], n);
            st->nwarnings = w + 1;
        }
    }
    int k = 0, rc = SP_OK;
    for (int c = 0; c < NOVERALL && rc == SP_OK; c++)
        rc = add_chart(res, st, &overall[c], 0, k++, lang, err);
    for (int p = 1; p <= npkg && rc == SP_OK; p++)
        for (int c = 0; c < NPER && rc == SP_OK; c++)
            rc = add_chart(res, st, &per_package[c], p, k++, lang, err);
    for (int i = 0; i < o->ntables && rc == SP_OK; i++) {
        if (!(st->extra[i] = copy_table(o->tables[i], err)))
            return err ? err->code : SP_ENOMEM;
        st->nextra = i + 1;
        rc = tr_table(st->extra[i], lang, err);
    }
    return rc;
}

/* The parameters as given: kv[0..np), values in vals (VALUE_MAX each). */
static void add_parameters(const sp_results *res, sp_kv *kv, char *vals, sp_lang lang)
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
                snprintf(v, VALUE_MAX, "%s", sp_label(lang, "drawn per replicate"));
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
        st->extra = calloc((size_t)o->ntables + 1, sizeof *st->extra);
        st->kv = calloc(np + (size_t)o->nprovenance + 1, sizeof *st->kv);
        st->text = malloc(text + 1);
        st->report.store = st;
        st->report.ncharts = nc; /* so that sp_report_free finds every chart built */
    }
    if (!st || !st->tables || !st->titles || !st->charts || !st->extra || !st->kv || !st->text) {
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
    if (add_tables(res, st, npkg, o, err) != SP_OK) {
        sp_report_free(r);
        return NULL;
    }
    char *at = st->text + VALUE_MAX * np;
    add_parameters(res, st->kv, st->text, o->lang);
    sp_kv *prov = st->kv + np;
    for (int i = 0; i < o->nprovenance; i++) {
        prov[i].key = put(&at, o->provenance[i].key);
        prov[i].value = put(&at, o->provenance[i].value ? o->provenance[i].value : "");
    }
    r->title = put(&at, o->title && strcmp(o->title, "spendsim report") == 0
                            ? sp_label(o->lang, o->title) : o->title);
    r->scenario_name = put(&at, o->scenario_name);
    r->scenario_text = put(&at, o->scenario_text);
    r->headline = st->headline;
    r->charts = st->charts;
    r->parameters = st->kv;
    r->nparameters = (int)np;
    r->provenance = prov;
    r->nprovenance = o->nprovenance;
    r->tables = (const sp_table *const *)st->extra;
    r->ntables = st->nextra;
    r->lang = o->lang;
    r->overview = st->overview;
    r->intervals = st->intervals;
    r->warnings = (const char *const *)st->warnings;
    r->nwarnings = st->nwarnings;
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
    for (int k = 0; st->extra && k < st->nextra; k++)
        sp_table_free(st->extra[k]);
    for (int k = 0; st->warnings && k < st->nwarnings; k++)
        free(st->warnings[k]);
    free(st->warnings);
    free(st->extra);
    free(st->overview);
    free(st->intervals);
    free(st->tables);
    free(st->titles);
    free(st->charts);
    free(st->kv);
    free(st->text);
    free(st);
}
