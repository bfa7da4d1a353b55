/* table.c: tables and the queries that build them from results. */
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

sp_table *sp_table_alloc(size_t nrows, size_t ncols, sp_err *err)
{
    sp_table *t = calloc(1, sizeof *t);
    if (!t)
        goto oom;
    t->nrows = nrows;
    t->ncols = ncols;
    t->row_labels = calloc(nrows ? nrows : 1, sizeof(char *));
    t->col_labels = calloc(ncols ? ncols : 1, sizeof(char *));
    size_t cells = nrows * ncols > 0 ? nrows * ncols : 1;
    t->values = calloc(cells, sizeof(double));
    t->lo90 = calloc(cells, sizeof(double));
    t->hi90 = calloc(cells, sizeof(double));
    t->lo95 = calloc(cells, sizeof(double));
    t->hi95 = calloc(cells, sizeof(double));
    t->replicates = 1;
    if (!t->row_labels || !t->col_labels || !t->values || !t->lo90 || !t->hi90 || !t->lo95 ||
        !t->hi95)
        goto oom;
    if (sp_table_set_text(&t->title, "", err) || sp_table_set_text(&t->unit, "", err) ||
        sp_table_set_text(&t->row_header, "", err))
        goto oom;
    for (size_t r = 0; r < nrows; r++)
        if (sp_table_set_text(&t->row_labels[r], "", err))
            goto oom;
    for (size_t c = 0; c < ncols; c++)
        if (sp_table_set_text(&t->col_labels[c], "", err))
            goto oom;
    return t;
oom:
    sp_table_free(t);
    sp_err_set(err, SP_ENOMEM, "out of memory for a %zu x %zu table", nrows, ncols);
    return NULL;
}

void sp_table_free(sp_table *t)
{
    if (!t)
        return;
    free(t->title);
    free(t->unit);
    free(t->row_header);
    if (t->row_labels)
        for (size_t r = 0; r < t->nrows; r++)
            free(t->row_labels[r]);
    if (t->col_labels)
        for (size_t c = 0; c < t->ncols; c++)
            free(t->col_labels[c]);
    free(t->row_labels);
    free(t->col_labels);
    free(t->values);
    free(t->lo90);
    free(t->hi90);
    free(t->lo95);
    free(t->hi95);
    for (size_t k = 0; k < t->nnotes; k++)
        free(t->notes[k]);
    free(t->notes);
    free(t);
}

int sp_table_add_note(sp_table *t, const char *text, sp_err *err)
{
    char *s = NULL;
    if (sp_table_set_text(&s, text, err) != SP_OK)
        return SP_ENOMEM;
    char **n = realloc(t->notes, (t->nnotes + 1) * sizeof *n);
    if (!n) {
        free(s);
        return sp_err_set(err, SP_ENOMEM, "out of memory for a table note");
    }
    t->notes = n;
    t->notes[t->nnotes++] = s;
    return SP_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y); /* NaN last */
    return (x > y) - (x < y);
}

/* Quantile p of sorted finite values (GSL's definition, linear interpolation). */
static double quantile(const double *v, int n, double p)
{
    double pos = p * (n - 1);
    int k = (int)floor(pos);
    if (k >= n - 1)
        return v[n - 1];
    return v[k] + (pos - k) * (v[k + 1] - v[k]);
}

void sp_table_set_replicates(sp_table *t, size_t row, size_t col, double *values, int n)
{
    size_t k = row * t->ncols + col;
    qsort(values, (size_t)n, sizeof *values, cmp_double);
    int finite = 0;
    double sum = 0;
    for (int r = 0; r < n; r++)
        if (!isnan(values[r])) {
            finite++;
            sum += values[r];
        }
    if (finite == 0) {
        t->values[k] = t->lo90[k] = t->hi90[k] = t->lo95[k] = t->hi95[k] = NAN;
        return;
    }
    t->values[k] = sum / finite;
    t->lo90[k] = quantile(values, finite, 0.05);
    t->hi90[k] = quantile(values, finite, 0.95);
    t->lo95[k] = quantile(values, finite, 0.025);
    t->hi95[k] = quantile(values, finite, 0.975);
}

int sp_table_set_text(char **slot, const char *text, sp_err *err)
{
    size_t n = strlen(text ? text : "");
    char *s = malloc(n + 1);
    if (!s)
        return sp_err_set(err, SP_ENOMEM, "out of memory for a table label");
    memcpy(s, text ? text : "", n + 1);
    free(*slot);
    *slot = s;
    return SP_OK;
}

sp_query sp_query_default(void)
{
    sp_query q;
    memset(&q, 0, sizeof q);
    q.rows = SP_ROWS_CATEGORY;
    q.dim = SP_DIM_ALL;
    q.metric = SP_M_SPENDING;
    q.by = SP_BY_QUARTER;
    q.unit = SP_UNIT_PER_CAPITA;
    q.from = q.to = 0;
    return q;
}

static const char *const period_names[] = {"month", "quarter", "year", "total"};
static const char *const unit_names[] = {"total", "per_household", "per_capita"};
_Static_assert(COUNT(period_names) == SP_BY_TOTAL + 1, "one name per period");
_Static_assert(COUNT(unit_names) == SP_UNIT_PER_CAPITA + 1, "one name per unit");

static int find(const char *const *names, int n, const char *name)
{
    for (int k = 0; name && k < n; k++)
        if (strcmp(names[k], name) == 0)
            return k;
    return -1;
}

int sp_period_find(const char *name) { return find(period_names, (int)COUNT(period_names), name); }
int sp_unit_find(const char *name) { return find(unit_names, (int)COUNT(unit_names), name); }
const char *sp_period_name(sp_period p)
{
    return (unsigned)p < COUNT(period_names) ? period_names[p] : "?";
}
const char *sp_unit_name(sp_unit u) { return (unsigned)u < COUNT(unit_names) ? unit_names[u] : "?"; }

/* Period of reported month m: a key that changes exactly at period borders. */
static int period_key(const sp_results *res, sp_period by, int m)
{
    int cal = res->start_month + m;
    switch (by) {
    case SP_BY_MONTH: return cal;
    case SP_BY_QUARTER: return sp_month_year(cal) * 4 + (sp_month_of_year(cal) - 1) / 3;
    case SP_BY_YEAR: return sp_month_year(cal);
    default: return 0;
    }
}

int sp_period_same(const sp_results *res, sp_period by, int a, int b)
{
    return period_key(res, by, a) == period_key(res, by, b);
}

void sp_period_label(const sp_results *res, sp_period by, int m, char *buf, size_t n)
{
    int cal = res->start_month + m;
    switch (by) {
    case SP_BY_MONTH: {
        char b[8];
        sp_month_format(cal, b);
        snprintf(buf, n, "%s", b);
        break;
    }
    case SP_BY_QUARTER:
        snprintf(buf, n, "%dQ%d", sp_month_year(cal), (sp_month_of_year(cal) - 1) / 3 + 1);
        break;
    case SP_BY_YEAR: snprintf(buf, n, "%d", sp_month_year(cal)); break;
    default: snprintf(buf, n, "total"); break;
    }
}

double sp_table_diff(double a, double b)
{
    double d = a - b;
    if (fabs(d) <= SP_NOISE_REL * fmax(fabs(a), fabs(b)))
        return 0.0; /* also turns -0 into 0 */
    return d;
}

double sp_results_period_value(const sp_results *res, int p, int r, int m0, int m1, int group,
                               int metric, sp_unit unit)
{
    double sum = 0, hh = 0, persons = 0;
    for (int m = m0; m < m1; m++) {
        const double *g = sp_results_at(res, p, r, m) + (size_t)group * SP_NMETRIC;
        sum += g[metric];
        hh += g[SP_M_HOUSEHOLDS];
        persons += g[SP_M_PERSONS];
    }
    int nm = m1 - m0;
    double v = sp_metric_kind_of(metric) == SP_METRIC_STOCK ? sum / nm : sum;
    if (unit == SP_UNIT_PER_HOUSEHOLD)
        v = hh > 0 ? v / (hh / nm) : NAN;
    else if (unit == SP_UNIT_PER_CAPITA)
        v = persons > 0 ? v / (persons / nm) : NAN;
    return v;
}

static void unit_label(int metric, sp_unit unit, int diff, char *buf, size_t n)
{
    const char *base = sp_metric_unit(metric);
    const char *per = unit == SP_UNIT_PER_HOUSEHOLD ? " per household"
                      : unit == SP_UNIT_PER_CAPITA  ? " per person"
                                                    : "";
    snprintf(buf, n, "%s%s%s", diff ? "change in " : "", base, per);
}

int sp_results_window(const sp_results *res, int from, int to, int *m0, int *m1, sp_err *err)
{
    const int first = res->start_month, last = res->start_month + res->nmonths - 1;
    const int a = from ? from : first, b = to ? to : last;
    char x[8], y[8], z[8];
    sp_month_format(first, y);
    sp_month_format(last, z);
    if (a < first || a > last) {
        sp_month_format(a, x);
        return sp_err_set(err, SP_ERANGE, "'from' month %s is outside the horizon %s to %s", x, y, z);
    }
    if (b < first || b > last) {
        sp_month_format(b, x);
        return sp_err_set(err, SP_ERANGE, "'to' month %s is outside the horizon %s to %s", x, y, z);
    }
    if (a > b) {
        sp_month_format(a, x);
        sp_month_format(b, y);
        return sp_err_set(err, SP_ERANGE, "'from' month %s is after 'to' month %s", x, y);
    }
    *m0 = a - first;
    *m1 = b - first + 1;
    return SP_OK;
}

/* The query's fields are in range for res; err names the bad one. */
static int check_query(const sp_results *res, const sp_query *q, sp_err *err)
{
    if ((unsigned)q->by > SP_BY_TOTAL || (unsigned)q->unit > SP_UNIT_PER_CAPITA ||
        (unsigned)q->rows > SP_ROWS_PACKAGE)
        return sp_err_set(err, SP_EINVAL, "query has an invalid period, unit or rows");
    if (q->rows != SP_ROWS_PACKAGE && (q->package < 0 || q->package >= res->npackages))
        return sp_err_set(err, SP_ERANGE, "package index %d is not in the results (%d packages, from 0)",
                          q->package, res->npackages);
    if (q->rows == SP_ROWS_GROUP && ((int)q->dim < 0 || q->dim >= SP_NDIM))
        return sp_err_set(err, SP_EINVAL, "unknown group dimension %d", (int)q->dim);
    if (q->rows != SP_ROWS_GROUP && (q->group < 0 || q->group >= SP_NGROUP))
        return sp_err_set(err, SP_EINVAL, "unknown group %d", q->group);
    if (q->rows != SP_ROWS_CATEGORY && (q->metric < 0 || q->metric >= SP_NMETRIC))
        return sp_err_set(err, SP_EINVAL, "unknown metric %d", q->metric);
    if (q->cumulative && q->rows != SP_ROWS_CATEGORY &&
        sp_metric_kind_of(q->metric) == SP_METRIC_STOCK)
        return sp_err_set(err, SP_EINVAL, "cumulative sums need a flow metric, '%s' is a stock",
                          sp_metric_name(q->metric));
    return SP_OK;
}

/* Columns are runs of months of the window [m0, m1) with the same period
 * key: column c spans months first[c] .. first[c + 1] - 1 (first holds room
 * for nmonths + 1 entries). Returns the number of columns. */
static size_t period_columns(const sp_results *res, sp_period by, int m0, int m1, int *first)
{
    size_t ncols = 0;
    for (int m = m0; m < m1; m++)
        if (m == m0 || period_key(res, by, m) != period_key(res, by, m - 1))
            first[ncols++] = m;
    first[ncols] = m1;
    return ncols;
}

/* Row r of the query's table: its label, and each column's replicate values
 * (reps holds ncols x nreplicates doubles) set as mean and intervals. */
static int fill_row(sp_table *t, const sp_results *res, const sp_query *q, size_t r,
                    const int *first, double *reps, sp_err *err)
{
    const size_t ncols = t->ncols;
    int p = q->package, g = q->group, metric = q->metric;
    const char *label;
    if (q->rows == SP_ROWS_CATEGORY) {
        metric = r < SP_NCAT ? SP_M_SPEND0 + (int)r : SP_M_SPENDING;
        label = r < SP_NCAT ? sp_category_name((int)r) : "total";
    } else if (q->rows == SP_ROWS_GROUP) {
        g = sp_dim_first(q->dim) + (int)r;
        label = sp_group_label(g);
    } else {
        p = (int)r;
        label = res->package_names[r];
    }
    int rc = sp_table_set_text(&t->row_labels[r], label, err);
    if (rc != SP_OK)
        return rc;
    for (int rep = 0; rep < res->nreplicates; rep++) {
        double run = 0;
        for (size_t c = 0; c < ncols; c++) {
            double v = sp_results_period_value(res, p, rep, first[c], first[c + 1], g, metric, q->unit);
            if (q->diff)
                v = sp_table_diff(v, sp_results_period_value(res, 0, rep, first[c], first[c + 1], g, metric,
                                                q->unit));
            run = q->cumulative ? run + v : v;
            reps[c * res->nreplicates + rep] = run;
        }
    }
    for (size_t c = 0; c < ncols; c++)
        sp_table_set_replicates(t, r, c, reps + c * res->nreplicates, res->nreplicates);
    return SP_OK;
}

/* The query's table title, unit and row header. */
static int set_titles(sp_table *t, const sp_results *res, const sp_query *q, sp_err *err)
{
    char buf[512];
    const char *what = q->rows == SP_ROWS_CATEGORY ? "Spending" : sp_metric_name(q->metric);
    const char *rowsby = q->rows == SP_ROWS_CATEGORY ? "category"
                         : q->rows == SP_ROWS_GROUP  ? sp_dim_name(q->dim)
                                                     : "package";
    char pk[300];
    if (q->rows == SP_ROWS_PACKAGE)
        snprintf(pk, sizeof pk, "%s", q->diff ? "difference from the baseline" : "all packages");
    else if (q->diff)
        snprintf(pk, sizeof pk, "%s minus %s", res->package_names[q->package], res->package_names[0]);
    else
        snprintf(pk, sizeof pk, "%s", res->package_names[q->package]);
    char grp[96] = "";
    if (q->rows != SP_ROWS_GROUP && q->group != 0)
        snprintf(grp, sizeof grp, ", %s", sp_group_label(q->group));
    char win[64] = "";
    if (q->from || q->to) {
        char a[8], b[8];
        sp_month_format(q->from ? q->from : res->start_month, a);
        sp_month_format(q->to ? q->to : res->start_month + res->nmonths - 1, b);
        snprintf(win, sizeof win, ", %s to %s", a, b);
    }
    snprintf(buf, sizeof buf, "%s by %s and %s%s%s%s, %s", what, rowsby, sp_period_name(q->by),
             q->cumulative ? " (cumulative)" : "", grp, win, pk);
    for (char *c = buf; *c && c < buf + strlen(what); c++) /* "car_purchases" -> "car purchases" */
        if (*c == '_')
            *c = ' ';
    buf[0] = (char)(buf[0] >= 'a' && buf[0] <= 'z' ? buf[0] - 32 : buf[0]);
    int rc = sp_table_set_text(&t->title, buf, err);
    int um = q->rows == SP_ROWS_CATEGORY ? SP_M_SPENDING : q->metric;
    unit_label(um, q->unit, q->diff, buf, sizeof buf);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->unit, buf, err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->row_header, rowsby, err);
    return rc;
}

sp_table *sp_results_table(const sp_results *res, const sp_query *q, sp_err *err)
{
    if (!res || !q) {
        sp_err_set(err, SP_EINVAL, "a table needs results and a query");
        return NULL;
    }
    int m0 = 0, m1 = 0;
    if (check_query(res, q, err) != SP_OK || sp_results_window(res, q->from, q->to, &m0, &m1, err))
        return NULL;
    int *first = malloc(((size_t)res->nmonths + 1) * sizeof(int));
    if (!first) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a table");
        return NULL;
    }
    size_t ncols = period_columns(res, q->by, m0, m1, first);
    size_t nrows = q->rows == SP_ROWS_CATEGORY ? SP_NCAT + 1
                   : q->rows == SP_ROWS_GROUP  ? (size_t)sp_dim_count(q->dim)
                                               : (size_t)res->npackages;
    sp_table *t = sp_table_alloc(nrows, ncols, err);
    double *reps = malloc(ncols * (size_t)res->nreplicates * sizeof(double) + 1);
    if (!t || !reps) {
        if (t && !reps)
            sp_err_set(err, SP_ENOMEM, "out of memory for a table");
        sp_table_free(t);
        free(first);
        free(reps);
        return NULL;
    }
    t->replicates = res->nreplicates;
    char buf[32];
    int rc = SP_OK;
    for (size_t c = 0; c < ncols && rc == SP_OK; c++) {
        sp_period_label(res, q->by, first[c], buf, sizeof buf);
        rc = sp_table_set_text(&t->col_labels[c], buf, err);
    }
    for (size_t r = 0; r < nrows && rc == SP_OK; r++)
        rc = fill_row(t, res, q, r, first, reps, err);
    if (rc == SP_OK)
        rc = set_titles(t, res, q, err);
    free(first);
    free(reps);
    if (rc != SP_OK) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}

/* The headline figures of package p in replicate r (totals over the
 * horizon, group slot grp), in SP_SUM_* order. */
static void summary_values(const sp_results *res, int p, int r, int grp, int m0, int m1,
                           double v[SP_NSUMMARY])
{
    double gov = 0, mer = 0, ds = 0, val = 0, cl = 0, rd = 0, ex = 0, cars = 0, cv = 0, dip = 0;
    for (int m = m0; m < m1; m++) {
        const double *g = sp_results_at(res, p, r, m) + (size_t)grp * SP_NMETRIC;
        const double *b = sp_results_at(res, 0, r, m) + (size_t)grp * SP_NMETRIC;
        double dc = sp_table_diff(g[SP_M_CAR_PURCHASES], b[SP_M_CAR_PURCHASES]);
        cars += dc;
        dip += dc < 0 ? -dc : 0;
        cv += sp_table_diff(g[SP_M_CAR_VALUE], b[SP_M_CAR_VALUE]);
        gov += g[SP_M_GOV_COST];
        mer += g[SP_M_MERCHANT_COST];
        ds += sp_table_diff(g[SP_M_SPENDING], b[SP_M_SPENDING]);
        val += g[SP_M_COUPON_VALUE];
        cl += g[SP_M_VOUCHERS_CLAIMED];
        rd += g[SP_M_VOUCHERS_REDEEMED];
        ex += g[SP_M_VOUCHERS_EXPIRED];
    }
    v[SP_SUM_GOV_COST] = gov;
    v[SP_SUM_MERCHANT_COST] = mer;
    v[SP_SUM_SPENDING_CHANGE] = ds;
    v[SP_SUM_MULTIPLIER] = gov > 0 ? ds / gov : NAN;
    v[SP_SUM_LEVERAGE] = gov > 0 ? val / gov : NAN;
    v[SP_SUM_COST_PER_YUAN] = ds > 0 ? gov / ds : NAN;
    v[SP_SUM_CLAIMED] = cl;
    v[SP_SUM_REDEEMED] = rd;
    v[SP_SUM_EXPIRED] = ex;
    v[SP_SUM_EXTRA_CARS] = cars;
    v[SP_SUM_CAR_SPENDING] = cv;
    v[SP_SUM_PULLED_FORWARD] = dip;
    const double budget = res->budgets && res->budgets[p] > 0 ? res->budgets[p] : NAN;
    v[SP_SUM_BUDGET] = budget;
    v[SP_SUM_BUDGET_USED] = gov / budget; /* NaN without a budget */
    _Static_assert(SP_SUM_BUDGET_USED == SP_NSUMMARY - 1, "every summary column set above");
}

/* Row labels of the headline table: the package's name, or "package / group"
 * by a dimension. */
static int summary_labels(sp_table *t, const sp_results *res, sp_dim dim, sp_err *err)
{
    const int ng = sp_dim_count(dim), g0 = sp_dim_first(dim);
    int rc = SP_OK;
    for (int p = 0; p < res->npackages && rc == SP_OK; p++)
        for (int k = 0; k < ng && rc == SP_OK; k++) {
            char buf[256];
            if (dim == SP_DIM_ALL)
                snprintf(buf, sizeof buf, "%s", res->package_names[p]);
            else
                snprintf(buf, sizeof buf, "%s / %s", res->package_names[p], sp_group_label(g0 + k));
            rc = sp_table_set_text(&t->row_labels[(size_t)p * ng + k], buf, err);
        }
    return rc;
}

sp_table *sp_results_summary(const sp_results *res, sp_err *err)
{
    return sp_results_summary_by(res, SP_DIM_ALL, err);
}

sp_table *sp_results_summary_by(const sp_results *res, sp_dim dim, sp_err *err)
{
    return sp_results_summary_window(res, dim, 0, 0, err);
}

sp_table *sp_results_summary_window(const sp_results *res, sp_dim dim, int from, int to,
                                    sp_err *err)
{
    static const char *const cols[] = {
        "government cost (yuan)", "merchant cost (yuan)", "change in spending (yuan)",
        "causal multiplier", "gross leverage", "cost per extra yuan", "coupons claimed",
        "coupons redeemed", "coupons expired", "extra cars", "change in car spending (yuan)",
        "cars pulled forward", "budget (yuan)", "budget used"};
    _Static_assert(COUNT(cols) == SP_NSUMMARY, "one column label per summary column");
    if (!res) {
        sp_err_set(err, SP_EINVAL, "a summary needs results");
        return NULL;
    }
    if ((int)dim < 0 || dim >= SP_NDIM) {
        sp_err_set(err, SP_EINVAL, "unknown group dimension %d for a summary", (int)dim);
        return NULL;
    }
    int m0 = 0, m1 = 0;
    if (sp_results_window(res, from, to, &m0, &m1, err) != SP_OK)
        return NULL;
    const int ng = sp_dim_count(dim), g0 = sp_dim_first(dim);
    sp_table *t = sp_table_alloc((size_t)res->npackages * ng, SP_NSUMMARY, err);
    double *reps = malloc(SP_NSUMMARY * (size_t)res->nreplicates * sizeof(double));
    if (!t || !reps) {
        if (t && !reps)
            sp_err_set(err, SP_ENOMEM, "out of memory for a summary");
        sp_table_free(t);
        free(reps);
        return NULL;
    }
    t->replicates = res->nreplicates;
    int rc = SP_OK;
    for (int c = 0; c < SP_NSUMMARY && rc == SP_OK; c++)
        rc = sp_table_set_text(&t->col_labels[c], cols[c], err);
    if (rc == SP_OK)
        rc = summary_labels(t, res, dim, err);
    for (int p = 0; p < res->npackages && rc == SP_OK; p++)
        for (int k = 0; k < ng; k++) {
            for (int r = 0; r < res->nreplicates; r++) {
                double v[SP_NSUMMARY];
                summary_values(res, p, r, g0 + k, m0, m1, v);
                for (int c = 0; c < SP_NSUMMARY; c++)
                    reps[c * res->nreplicates + r] = v[c];
            }
            for (int c = 0; c < SP_NSUMMARY; c++)
                sp_table_set_replicates(t, (size_t)p * ng + k, (size_t)c,
                                        reps + c * res->nreplicates, res->nreplicates);
        }
    free(reps);
    char buf[192], a[8], b[8];
    sp_month_format(res->start_month + m0, a);
    sp_month_format(res->start_month + m1 - 1, b);
    if (dim == SP_DIM_ALL)
        snprintf(buf, sizeof buf, "Headline results %s to %s, against %s", a, b, res->package_names[0]);
    else
        snprintf(buf, sizeof buf, "Headline results %s to %s by %s, against %s", a, b,
                 sp_dim_name(dim), res->package_names[0]);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->title, buf, err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->unit, m1 - m0 == res->nmonths ? "totals over the horizon"
                                                                 : "totals over the window", err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->row_header, dim == SP_DIM_ALL ? "package" : "package / group", err);
    for (int k = 0; k < res->nwarnings && rc == SP_OK; k++)
        rc = sp_table_add_note(t, res->warnings[k], err);
    if (rc != SP_OK) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}

sp_table *sp_results_plates_table(const sp_results *res, int package, sp_err *err)
{
    if (!res) {
        sp_err_set(err, SP_EINVAL, "a plates table needs results");
        return NULL;
    }
    if (package < 0 || package >= res->npackages) {
        sp_err_set(err, SP_ERANGE, "package index %d is not in the results (%d packages, from 0)",
                   package, res->npackages);
        return NULL;
    }
    /* every statistic but the round flag: row k is statistic k + 1 */
    _Static_assert(SP_PS_ROUND == 0, "the round flag is the first plate statistic");
    const size_t nrows = SP_NPLATESTAT - 1;
    sp_table *t = sp_table_alloc(nrows, (size_t)res->nmonths, err);
    double *reps = malloc((size_t)res->nreplicates * sizeof(double));
    if (!t || !reps) {
        if (t && !reps)
            sp_err_set(err, SP_ENOMEM, "out of memory for a plates table");
        sp_table_free(t);
        free(reps);
        return NULL;
    }
    t->replicates = res->nreplicates;
    int rc = SP_OK;
    char buf[160];
    for (int m = 0; m < res->nmonths && rc == SP_OK; m++) {
        char b[8];
        sp_month_format(res->start_month + m, b);
        rc = sp_table_set_text(&t->col_labels[m], b, err);
    }
    for (size_t k = 0; k < nrows && rc == SP_OK; k++) {
        rc = sp_table_set_text(&t->row_labels[k], sp_platestat_name((int)k + 1), err);
        for (int m = 0; m < res->nmonths; m++) {
            for (int r = 0; r < res->nreplicates; r++)
                reps[r] = sp_results_plates_at(res, package, r, m)[k + 1];
            sp_table_set_replicates(t, k, (size_t)m, reps, res->nreplicates);
        }
    }
    snprintf(buf, sizeof buf, "Plate allocation by month, %s", res->package_names[package]);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->title, buf, err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->unit, "persons, plates, probability, years", err);
    if (rc == SP_OK)
        rc = sp_table_set_text(&t->row_header, "statistic", err);
    free(reps);
    if (rc != SP_OK) {
        sp_table_free(t);
        return NULL;
    }
    return t;
}
