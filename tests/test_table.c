/* test_table.c: tables built from results by queries (core/table.h).
 *
 * A hand-made results cube with known numbers: 2 packages x 2 replicates x 15
 * months from 2019-01 (so periods 2019-01..2020-03, 2019Q1..2020Q1, 2019 and
 * a partial 2020). Flow metric k of package p, replicate r, month m is
 * 100(k+1) + m + 1000p + 10r; households are 100 + m and persons
 * 250 + 2m + 50r; groups other than "all" scale everything by slot + 1.
 * Checked: sums of flows and averages of stocks by month/quarter/year/total,
 * per-household and per-capita division (per replicate, then the mean),
 * differences against the baseline replicate by replicate, cumulative sums,
 * row and column labels, and errors (bad package, unknown dimension, ...).
 * A second cube checks the noise rule (differences of a few units in the
 * last place are exactly 0, in tables and in the summary) and ratios without
 * a denominator (per person of an empty group, multiplier without a cost):
 * NaN. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

#define NP 2
#define NR 2
#define NM 15

static sp_results *res;

static double flow(int k, int p, int r, int m) { return 100.0 * (k + 1) + m + 1000.0 * p + 10.0 * r; }
static double households(int m) { return 100.0 + m; }
static double persons(int r, int m) { return 250.0 + 2 * m + 50.0 * r; }

static int setup(void **state)
{
    (void)state;
    const char *names[NP] = {"Status quo", "Plan"};
    res = sp_results_alloc(NP, names, NR, NM, sp_month_make(2019, 1), NULL);
    if (!res)
        return -1;
    for (int p = 0; p < NP; p++)
        for (int r = 0; r < NR; r++)
            for (int m = 0; m < NM; m++) {
                double *b = sp_results_at(res, p, r, m);
                for (int g = 0; g < SP_NGROUP; g++) {
                    double s = g + 1.0, *v = b + g * SP_NMETRIC;
                    for (int k = 0; k <= SP_M_SPENDING; k++)
                        v[k] = s * flow(k, p, r, m);
                    v[SP_M_HOUSEHOLDS] = s * households(m);
                    v[SP_M_PERSONS] = s * persons(r, m);
                    v[SP_M_CARS] = s * (40.0 + m);
                }
            }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sp_results_free(res);
    return 0;
}

static sp_query base_query(sp_period by, sp_unit unit)
{
    sp_query q = sp_query_default();
    q.by = by;
    q.unit = unit;
    return q;
}

static sp_table *query(const sp_query *q)
{
    sp_err err;
    sp_err_clear(&err);
    sp_table *t = sp_results_table(res, q, &err);
    if (!t)
        fail_msg("sp_results_table: %s", err.msg);
    return t;
}

#define FOOD 0
#define TOTAL_ROW SP_NCAT

/* ---- the query defaults and names ---- */

static void test_query_default(void **state)
{
    (void)state;
    sp_query q = sp_query_default();
    assert_int_equal(q.rows, SP_ROWS_CATEGORY);
    assert_int_equal(q.package, 0);
    assert_int_equal(q.group, 0);
    assert_int_equal(q.by, SP_BY_QUARTER);
    assert_int_equal(q.unit, SP_UNIT_PER_CAPITA);
    assert_int_equal(q.diff, 0);
    assert_int_equal(q.cumulative, 0);
}

static void test_period_and_unit_names(void **state)
{
    (void)state;
    const char *periods[] = {"month", "quarter", "year", "total"};
    const char *units[] = {"total", "per_household", "per_capita"};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(sp_period_find(periods[k]), k);
        assert_string_equal(sp_period_name((sp_period)k), periods[k]);
    }
    for (int k = 0; k < 3; k++) {
        assert_int_equal(sp_unit_find(units[k]), k);
        assert_string_equal(sp_unit_name((sp_unit)k), units[k]);
    }
    assert_int_equal(sp_period_find("week"), -1);
    assert_int_equal(sp_unit_find("per_adult"), -1);
    assert_int_equal(sp_period_find(NULL), -1);
}

static void test_table_alloc(void **state)
{
    (void)state;
    sp_table *t = sp_table_alloc(2, 3, NULL);
    assert_non_null(t);
    assert_string_equal(t->title, "");
    assert_string_equal(t->row_labels[1], "");
    assert_string_equal(t->col_labels[2], "");
    for (int k = 0; k < 6; k++)
        assert_true(t->values[k] == 0.0);
    char label[] = "food";
    assert_int_equal(sp_table_set_text(&t->row_labels[0], label, NULL), SP_OK);
    label[0] = 'g';
    assert_string_equal(t->row_labels[0], "food");
    sp_table_free(t);
    sp_table_free(NULL);
}

/* ---- periods and labels ---- */

static void test_by_month(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_TOTAL);
    sp_table *t = query(&q);
    assert_int_equal(t->ncols, NM);
    assert_int_equal(t->nrows, SP_NCAT + 1);
    assert_string_equal(t->col_labels[0], "2019-01");
    assert_string_equal(t->col_labels[11], "2019-12");
    assert_string_equal(t->col_labels[14], "2020-03");
    /* mean over replicates of 100 + m + 10r is 105 + m */
    assert_float_equal(sp_table_get(t, FOOD, 0), 105.0, 1e-9);
    assert_float_equal(sp_table_get(t, FOOD, 14), 119.0, 1e-9);
    assert_float_equal(sp_table_get(t, TOTAL_ROW, 3), 900.0 + 3 + 5, 1e-9);
    sp_table_free(t);
}

static void test_row_labels_categories(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_TOTAL, SP_UNIT_TOTAL);
    sp_table *t = query(&q);
    for (int c = 0; c < SP_NCAT; c++)
        assert_string_equal(t->row_labels[c], sp_category_name(c));
    assert_string_equal(t->row_labels[TOTAL_ROW], "total");
    assert_string_equal(t->row_header, "category");
    sp_table_free(t);
}

static void test_by_quarter_sums_flows(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_TOTAL);
    sp_table *t = query(&q);
    assert_int_equal(t->ncols, 5);
    assert_string_equal(t->col_labels[0], "2019Q1");
    assert_string_equal(t->col_labels[3], "2019Q4");
    assert_string_equal(t->col_labels[4], "2020Q1");
    assert_float_equal(sp_table_get(t, FOOD, 0), 105 + 106 + 107, 1e-9);
    assert_float_equal(sp_table_get(t, FOOD, 1), 108 + 109 + 110, 1e-9);
    assert_float_equal(sp_table_get(t, FOOD, 4), 117 + 118 + 119, 1e-9);
    sp_table_free(t);
}

static void test_by_year_and_total(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_YEAR, SP_UNIT_TOTAL);
    sp_table *t = query(&q);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->col_labels[0], "2019");
    assert_string_equal(t->col_labels[1], "2020");
    assert_float_equal(sp_table_get(t, FOOD, 0), 12 * 105 + 66, 1e-9);
    assert_float_equal(sp_table_get(t, FOOD, 1), 354, 1e-9); /* a partial year: 3 months */
    sp_table_free(t);
    q.by = SP_BY_TOTAL;
    t = query(&q);
    assert_int_equal(t->ncols, 1);
    assert_string_equal(t->col_labels[0], "total");
    assert_float_equal(sp_table_get(t, FOOD, 0), 1326 + 354, 1e-9);
    sp_table_free(t);
}

/* A horizon starting mid-quarter: the first quarter column holds two months. */
static void test_partial_first_quarter(void **state)
{
    (void)state;
    sp_results *r = sp_results_alloc(1, NULL, 1, 3, sp_month_make(2019, 2), NULL);
    for (int m = 0; m < 3; m++) {
        sp_results_at(r, 0, 0, m)[SP_M_SPEND0 + FOOD] = 10.0 * (m + 1);
        sp_results_at(r, 0, 0, m)[SP_M_PERSONS] = 2.0;
    }
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_TOTAL);
    sp_table *t = sp_results_table(r, &q, NULL);
    assert_non_null(t);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->col_labels[0], "2019Q1");
    assert_string_equal(t->col_labels[1], "2019Q2");
    assert_float_equal(sp_table_get(t, FOOD, 0), 30.0, 1e-12);
    assert_float_equal(sp_table_get(t, FOOD, 1), 30.0, 1e-12);
    sp_table_free(t);
    sp_results_free(r);
}

/* ---- stocks ---- */

static void test_stock_is_averaged(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_TOTAL);
    q.rows = SP_ROWS_GROUP;
    q.dim = SP_DIM_ALL;
    q.metric = SP_M_HOUSEHOLDS;
    sp_table *t = query(&q);
    assert_int_equal(t->nrows, 1);
    assert_string_equal(t->row_labels[0], "all");
    assert_float_equal(sp_table_get(t, 0, 0), 101.0, 1e-9); /* (100+101+102)/3 */
    assert_float_equal(sp_table_get(t, 0, 4), 113.0, 1e-9);
    sp_table_free(t);
    q.by = SP_BY_TOTAL;
    t = query(&q);
    assert_float_equal(sp_table_get(t, 0, 0), 107.0, 1e-9); /* mean of 100..114 */
    sp_table_free(t);
}

static void test_stock_persons_averaged_over_replicates(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_TOTAL);
    q.rows = SP_ROWS_GROUP;
    q.metric = SP_M_PERSONS;
    sp_table *t = query(&q);
    assert_float_equal(sp_table_get(t, 0, 0), 275.0, 1e-9); /* (250 + 300) / 2 */
    sp_table_free(t);
}

/* ---- units ---- */

static void test_per_household(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_PER_HOUSEHOLD);
    sp_table *t = query(&q);
    /* quarter's flow over the quarter's mean households: 318 / 101 */
    assert_float_equal(sp_table_get(t, FOOD, 0), 318.0 / 101.0, 1e-12);
    sp_table_free(t);
}

static void test_per_capita_per_replicate(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_PER_CAPITA);
    sp_table *t = query(&q);
    /* replicate 0: 303 / 252; replicate 1: 333 / 302; then the mean */
    double want = 0.5 * (303.0 / 252.0 + 333.0 / 302.0);
    assert_float_equal(sp_table_get(t, FOOD, 0), want, 1e-12);
    assert_string_equal(t->unit, "yuan per person");
    sp_table_free(t);
}

/* ---- differences and cumulative sums ---- */

static void test_diff_total(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_TOTAL);
    q.package = 1;
    q.diff = 1;
    sp_table *t = query(&q);
    for (size_t c = 0; c < 4; c++)
        assert_float_equal(sp_table_get(t, FOOD, c), 3000.0, 1e-9);
    sp_table_free(t);
}

static void test_diff_per_capita_per_replicate(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_PER_CAPITA);
    q.package = 1;
    q.diff = 1;
    sp_table *t = query(&q);
    double want = 0.5 * (3000.0 / 252.0 + 3000.0 / 302.0);
    assert_float_equal(sp_table_get(t, FOOD, 0), want, 1e-12);
    sp_table_free(t);
}

static void test_diff_of_baseline_is_zero(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_PER_CAPITA);
    q.diff = 1;
    sp_table *t = query(&q);
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        assert_true(t->values[k] == 0.0);
    sp_table_free(t);
}

static void test_cumulative(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_TOTAL);
    q.cumulative = 1;
    sp_table *t = query(&q);
    const double want[5] = {318, 318 + 327, 318 + 327 + 336, 1326, 1680};
    for (size_t c = 0; c < 5; c++)
        assert_float_equal(sp_table_get(t, FOOD, c), want[c], 1e-9);
    sp_table_free(t);
}

static void test_cumulative_diff(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_TOTAL);
    q.package = 1;
    q.diff = 1;
    q.cumulative = 1;
    sp_table *t = query(&q);
    for (size_t c = 0; c < NM; c++)
        assert_float_equal(sp_table_get(t, FOOD, c), 1000.0 * (c + 1), 1e-9);
    sp_table_free(t);
}

static void test_cumulative_stock_rejected(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_TOTAL);
    q.rows = SP_ROWS_GROUP;
    q.metric = SP_M_CARS;
    q.cumulative = 1;
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_results_table(res, &q, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_non_null(strstr(err.msg, "cars"));
}

/* ---- other row kinds ---- */

static void test_rows_groups(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_TOTAL, SP_UNIT_TOTAL);
    q.rows = SP_ROWS_GROUP;
    q.dim = SP_DIM_QUINTILE;
    q.metric = SP_M_SPENDING;
    sp_table *t = query(&q);
    assert_int_equal(t->nrows, 5);
    assert_string_equal(t->row_header, "quintile");
    double all = 15 * 900.0 + 105.0 + 5 * 15; /* sum over m of (905 + m) */
    for (int g = 0; g < 5; g++) {
        char want[4];
        snprintf(want, sizeof want, "Q%d", g + 1);
        assert_string_equal(t->row_labels[g], want);
        int slot = sp_dim_first(SP_DIM_QUINTILE) + g;
        assert_float_equal(sp_table_get(t, (size_t)g, 0), (slot + 1) * all, 1e-6);
    }
    sp_table_free(t);
}

static void test_rows_packages(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_TOTAL);
    q.rows = SP_ROWS_PACKAGE;
    q.metric = SP_M_SPEND0 + FOOD;
    sp_table *t = query(&q);
    assert_int_equal(t->nrows, NP);
    assert_string_equal(t->row_labels[0], "Status quo");
    assert_string_equal(t->row_labels[1], "Plan");
    assert_float_equal(sp_table_get(t, 0, 0), 105.0, 1e-9);
    assert_float_equal(sp_table_get(t, 1, 0), 1105.0, 1e-9);
    sp_table_free(t);
}

static void test_group_of_category_rows(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_TOTAL);
    q.group = sp_dim_first(SP_DIM_AREA) + SP_AREA_RURAL; /* slot 7: everything x 8 */
    sp_table *t = query(&q);
    assert_float_equal(sp_table_get(t, FOOD, 0), 8 * 105.0, 1e-9);
    sp_table_free(t);
}

/* ---- errors ---- */

static void expect_error(const sp_query *q, const char *word)
{
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_results_table(res, q, &err));
    assert_true(err.code < 0);
    if (!strstr(err.msg, word))
        fail_msg("\"%s\" does not mention '%s'", err.msg, word);
}

static void test_bad_package(void **state)
{
    (void)state;
    sp_query q = sp_query_default();
    q.package = NP;
    expect_error(&q, "package");
    q.package = -1;
    expect_error(&q, "package");
}

static void test_unknown_dim(void **state)
{
    (void)state;
    sp_query q = sp_query_default();
    q.rows = SP_ROWS_GROUP;
    q.dim = (sp_dim)SP_NDIM;
    expect_error(&q, "dimension");
}

static void test_unknown_group_metric_period(void **state)
{
    (void)state;
    sp_query q = sp_query_default();
    q.group = SP_NGROUP;
    expect_error(&q, "group");
    q = sp_query_default();
    q.rows = SP_ROWS_PACKAGE;
    q.metric = SP_NMETRIC;
    expect_error(&q, "metric");
    q = sp_query_default();
    q.by = (sp_period)9;
    expect_error(&q, "period");
}

static void test_null_arguments(void **state)
{
    (void)state;
    sp_query q = sp_query_default();
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_results_table(NULL, &q, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_null(sp_results_table(res, NULL, NULL));
}

/* ---- intervals from replicate values ---- */

static void test_intervals_known_quantiles(void **state)
{
    (void)state;
    sp_table *t = sp_table_alloc(1, 2, NULL);
    assert_non_null(t);
    double v[5] = {5, 1, 4, 2, 3}; /* sorted: 1..5 */
    sp_table_set_replicates(t, 0, 0, v, 5);
    assert_true(fabs(t->values[0] - 3.0) < 1e-12);
    assert_true(fabs(t->lo90[0] - 1.2) < 1e-12); /* 1 + 0.05 x 4 */
    assert_true(fabs(t->hi90[0] - 4.8) < 1e-12);
    assert_true(fabs(t->lo95[0] - 1.1) < 1e-12);
    assert_true(fabs(t->hi95[0] - 4.9) < 1e-12);
    double one[1] = {7.5}; /* a single replicate: zero-width intervals */
    sp_table_set_replicates(t, 0, 1, one, 1);
    assert_true(t->values[1] == 7.5 && t->lo90[1] == 7.5 && t->hi95[1] == 7.5);
    sp_table_free(t);
}

static void test_intervals_of_two_replicates(void **state)
{
    (void)state;
    /* flow food, package 0, month 0, group 0: replicate values 100 and 110 */
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_TOTAL);
    sp_table *t = query(&q);
    assert_int_equal(t->replicates, NR);
    assert_true(fabs(t->values[0] - 105.0) < 1e-9);
    assert_true(fabs(t->lo90[0] - 100.5) < 1e-9); /* 100 + 0.05 x 10 */
    assert_true(fabs(t->hi90[0] - 109.5) < 1e-9);
    assert_true(fabs(t->lo95[0] - 100.25) < 1e-9);
    assert_true(fabs(t->hi95[0] - 109.75) < 1e-9);
    sp_table_free(t);
}

static void test_diff_of_baseline_has_zero_width_intervals(void **state)
{
    (void)state;
    sp_query q = base_query(SP_BY_QUARTER, SP_UNIT_PER_CAPITA);
    q.diff = 1;
    q.package = 0;
    sp_table *t = query(&q);
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        assert_true(t->values[k] == 0 && t->lo90[k] == 0 && t->hi90[k] == 0 && t->lo95[k] == 0 &&
                    t->hi95[k] == 0);
    sp_table_free(t);
}

/* ---- rounding noise and ratios without a denominator ---- */

static void test_noise_rule(void **state)
{
    (void)state;
    double level = 123456789.0;
    double d = sp_table_diff(level + level * 4e-16, level); /* a residue in the last bits */
    assert_true(d == 0.0 && !signbit(d));
    d = sp_table_diff(level, level + level * 4e-16);
    assert_true(d == 0.0 && !signbit(d)); /* never "-0" */
    d = sp_table_diff(-0.0, 0.0);
    assert_true(d == 0.0 && !signbit(d));
    assert_float_equal(sp_table_diff(level * (1 + 1e-8), level), level * 1e-8, 1e-6); /* kept */
    assert_true(sp_table_diff(1e-20, 0.0) == 1e-20); /* small against a zero level is no noise */
    assert_true(sp_table_diff(-3.0, 2.0) == -5.0);
    assert_true(isnan(sp_table_diff(NAN, 1.0)));
    assert_true(isnan(sp_table_diff(INFINITY, INFINITY)));
}

/* A two-package cube whose package 1 equals the baseline but for a residue
 * of 2 units in the last place of every flow; group "rural" is empty. */
static sp_results *noisy_results(void)
{
    const char *names[2] = {"Status quo", "Same, summed in another order"};
    sp_results *r = sp_results_alloc(2, names, 1, 3, sp_month_make(2020, 1), NULL);
    assert_non_null(r);
    int rural = sp_dim_first(SP_DIM_AREA) + SP_AREA_RURAL;
    for (int p = 0; p < 2; p++)
        for (int m = 0; m < 3; m++)
            for (int g = 0; g < SP_NGROUP; g++) {
                double *v = sp_results_at(r, p, 0, m) + g * SP_NMETRIC;
                if (g == rural)
                    continue;
                for (int k = 0; k <= SP_M_SPENDING; k++) {
                    v[k] = 1e9 * (k + 1) + 7.0 * m;
                    if (p == 1)
                        v[k] = nextafter(nextafter(v[k], 2 * v[k]), 2 * v[k]);
                }
                v[SP_M_HOUSEHOLDS] = 1e5;
                v[SP_M_PERSONS] = 2.5e5;
            }
    return r;
}

static void test_diff_noise_is_zero(void **state)
{
    (void)state;
    sp_results *r = noisy_results();
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_PER_CAPITA);
    q.package = 1;
    q.diff = 1;
    sp_err err;
    sp_table *t = sp_results_table(r, &q, &err);
    assert_non_null(t);
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        assert_true(t->values[k] == 0.0 && !signbit(t->values[k]));
    sp_table_free(t);
    q.unit = SP_UNIT_TOTAL;
    q.cumulative = 1;
    t = sp_results_table(r, &q, &err);
    assert_non_null(t);
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        assert_true(t->values[k] == 0.0);
    sp_table_free(t);
    sp_results_free(r);
}

/* The headline table by a dimension: one row per package and group, labelled
 * "package / group", each group's totals and ratios (exact values: group
 * slot g of the plan spends g + 1 more a month and costs 1 a month). */
static void test_summary_by_dimension(void **state)
{
    (void)state;
    const char *names[2] = {"Status quo", "Plan"};
    sp_results *r = sp_results_alloc(2, names, 1, 2, sp_month_make(2020, 1), NULL);
    assert_non_null(r);
    for (int p = 0; p < 2; p++)
        for (int m = 0; m < 2; m++)
            for (int g = 0; g < SP_NGROUP; g++) {
                double *v = sp_results_at(r, p, 0, m) + g * SP_NMETRIC;
                v[SP_M_SPENDING] = 1000.0 + p * (g + 1.0);
                v[SP_M_GOV_COST] = p;
                v[SP_M_COUPON_VALUE] = 4.0 * p;
                v[SP_M_HOUSEHOLDS] = 10;
            }
    sp_err err;
    sp_table *t = sp_results_summary_by(r, SP_DIM_CONS_TERCILE, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 2 * SP_NTERCILE);
    assert_string_equal(t->row_labels[0], "Status quo / CT1");
    assert_string_equal(t->row_labels[4], "Plan / CT2");
    assert_string_equal(t->row_header, "package / group");
    assert_non_null(strstr(t->title, "consumption_tercile"));
    for (int k = 0; k < SP_NTERCILE; k++) {
        double g = sp_dim_first(SP_DIM_CONS_TERCILE) + k + 1.0;
        assert_float_equal(sp_table_get(t, (size_t)(SP_NTERCILE + k), SP_SUM_SPENDING_CHANGE), 2 * g, 1e-9);
        assert_float_equal(sp_table_get(t, (size_t)(SP_NTERCILE + k), SP_SUM_MULTIPLIER), g, 1e-9);
        assert_float_equal(sp_table_get(t, (size_t)(SP_NTERCILE + k), SP_SUM_LEVERAGE), 4.0, 1e-12);
        assert_true(isnan(sp_table_get(t, (size_t)k, SP_SUM_MULTIPLIER))); /* no cost */
    }
    sp_table_free(t);
    sp_table *a = sp_results_summary_by(r, SP_DIM_ALL, &err), *b = sp_results_summary(r, &err);
    assert_int_equal(a->nrows, 2);
    assert_string_equal(a->row_labels[1], "Plan");
    assert_memory_equal(a->values, b->values, a->nrows * a->ncols * sizeof(double));
    sp_table_free(a);
    sp_table_free(b);
    sp_err_clear(&err);
    assert_null(sp_results_summary_by(r, SP_NDIM, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_non_null(strstr(err.msg, "dimension"));
    sp_results_free(r);
}

static void test_per_unit_of_empty_group_is_nan(void **state)
{
    (void)state;
    sp_results *r = noisy_results();
    sp_query q = base_query(SP_BY_MONTH, SP_UNIT_PER_CAPITA);
    q.rows = SP_ROWS_GROUP;
    q.dim = SP_DIM_AREA;
    sp_err err;
    for (int unit = SP_UNIT_PER_HOUSEHOLD; unit <= SP_UNIT_PER_CAPITA; unit++) {
        q.unit = (sp_unit)unit;
        sp_table *t = sp_results_table(r, &q, &err);
        assert_non_null(t);
        assert_string_equal(t->row_labels[SP_AREA_RURAL], "rural");
        for (size_t c = 0; c < t->ncols; c++) {
            assert_true(isnan(sp_table_get(t, SP_AREA_RURAL, c)));
            assert_true(isfinite(sp_table_get(t, SP_AREA_URBAN, c)));
        }
        sp_table_free(t);
    }
    q.unit = SP_UNIT_TOTAL; /* a total of nobody is 0 */
    sp_table *t = sp_results_table(r, &q, &err);
    assert_true(sp_table_get(t, SP_AREA_RURAL, 0) == 0.0);
    sp_table_free(t);
    sp_results_free(r);
}

static void test_summary_noise_and_ratios(void **state)
{
    (void)state;
    sp_results *r = noisy_results();
    sp_err err;
    sp_table *t = sp_results_summary(r, &err);
    assert_non_null(t);
    /* no cost: multiplier, leverage and cost per yuan are n/a, the change is 0 */
    assert_true(sp_table_get(t, 1, SP_SUM_SPENDING_CHANGE) == 0.0);
    assert_true(isnan(sp_table_get(t, 1, SP_SUM_MULTIPLIER)));
    assert_true(isnan(sp_table_get(t, 1, SP_SUM_LEVERAGE)));
    assert_true(isnan(sp_table_get(t, 1, SP_SUM_COST_PER_YUAN)));
    sp_table_free(t);
    /* a cost and a noise-only change: the multiplier is 0, the cost per
     * extra yuan has no denominator (not 2.9e13) */
    for (int m = 0; m < 3; m++)
        sp_results_at(r, 1, 0, m)[SP_M_GOV_COST] = 1e6;
    t = sp_results_summary(r, &err);
    assert_non_null(t);
    assert_true(sp_table_get(t, 1, SP_SUM_MULTIPLIER) == 0.0);
    assert_true(sp_table_get(t, 1, SP_SUM_LEVERAGE) == 0.0);
    assert_true(isnan(sp_table_get(t, 1, SP_SUM_COST_PER_YUAN)));
    sp_table_free(t);
    sp_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_default),
        cmocka_unit_test(test_period_and_unit_names),
        cmocka_unit_test(test_table_alloc),
        cmocka_unit_test(test_by_month),
        cmocka_unit_test(test_row_labels_categories),
        cmocka_unit_test(test_by_quarter_sums_flows),
        cmocka_unit_test(test_by_year_and_total),
        cmocka_unit_test(test_partial_first_quarter),
        cmocka_unit_test(test_stock_is_averaged),
        cmocka_unit_test(test_stock_persons_averaged_over_replicates),
        cmocka_unit_test(test_per_household),
        cmocka_unit_test(test_per_capita_per_replicate),
        cmocka_unit_test(test_diff_total),
        cmocka_unit_test(test_diff_per_capita_per_replicate),
        cmocka_unit_test(test_diff_of_baseline_is_zero),
        cmocka_unit_test(test_cumulative),
        cmocka_unit_test(test_cumulative_diff),
        cmocka_unit_test(test_cumulative_stock_rejected),
        cmocka_unit_test(test_rows_groups),
        cmocka_unit_test(test_rows_packages),
        cmocka_unit_test(test_group_of_category_rows),
        cmocka_unit_test(test_bad_package),
        cmocka_unit_test(test_unknown_dim),
        cmocka_unit_test(test_unknown_group_metric_period),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_intervals_known_quantiles),
        cmocka_unit_test(test_intervals_of_two_replicates),
        cmocka_unit_test(test_diff_of_baseline_has_zero_width_intervals),
        cmocka_unit_test(test_noise_rule),
        cmocka_unit_test(test_diff_noise_is_zero),
        cmocka_unit_test(test_per_unit_of_empty_group_is_nan),
        cmocka_unit_test(test_summary_by_dimension),
        cmocka_unit_test(test_summary_noise_and_ratios),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
