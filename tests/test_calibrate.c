/* test_calibrate.c: calibration to banded targets (core/calibrate.h) on
 * analytic objectives: the loss and residual rules exactly, recovery of the
 * parameters that generated the targets, the simplex staying inside the
 * ranges (logit map), the trace, the tables, and the error paths (invalid
 * definitions, a failing or non-finite objective). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

/* y = (a + b, a b, a - b^2): a smooth map, invertible near (2, 0.5). */
typedef struct model {
    int calls;
    int fail_at;      /* call number that fails (0: never) */
    int nan_at;       /* call number that returns NaN (0: never) */
    double lo[2], hi[2];
    int outside;      /* calls with a parameter outside its range */
} model;

static int analytic(void *ud, const double *x, double *y, sp_err *err)
{
    model *m = ud;
    m->calls++;
    for (int k = 0; k < 2; k++)
        if (x[k] < m->lo[k] || x[k] > m->hi[k])
            m->outside++;
    if (m->fail_at && m->calls == m->fail_at)
        return sp_err_set(err, SP_EIO, "model run %d failed on purpose", m->calls);
    y[0] = x[0] + x[1];
    y[1] = x[0] * x[1];
    y[2] = x[0] - x[1] * x[1];
    if (m->nan_at && m->calls == m->nan_at)
        y[1] = NAN;
    return SP_OK;
}

static sp_calib_def make_def(model *m, double band_half)
{
    sp_calib_def d = sp_calib_def_default();
    d.nparams = 2;
    snprintf(d.params[0].name, SP_CALIB_NAME, "a");
    d.params[0].lo = 0;
    d.params[0].hi = 5;
    d.params[0].start = 4;
    snprintf(d.params[1].name, SP_CALIB_NAME, "b");
    d.params[1].lo = 0;
    d.params[1].hi = 2;
    d.params[1].start = 1.5;
    const double truth[3] = {2.5, 1.0, 1.75}; /* the targets of (a, b) = (2, 0.5) */
    d.ntargets = 3;
    for (int j = 0; j < 3; j++) {
        snprintf(d.targets[j].name, SP_CALIB_NAME, "y%d", j + 1);
        d.targets[j].lo = truth[j] - band_half;
        d.targets[j].hi = truth[j] + band_half;
    }
    d.fn = analytic;
    d.ud = m;
    d.max_iter = 500;
    d.tol = 1e-6;
    m->lo[0] = 0;
    m->hi[0] = 5;
    m->lo[1] = 0;
    m->hi[1] = 2;
    return d;
}

static void test_band_residual_and_loss_rules(void **state)
{
    (void)state;
    assert_true(sp_calib_band_residual(0.5, 1, 3) == -0.5);
    assert_true(sp_calib_band_residual(1, 1, 3) == 0);
    assert_true(sp_calib_band_residual(2, 1, 3) == 0);
    assert_true(sp_calib_band_residual(3.25, 1, 3) == 0.25);
    model m = {0};
    sp_calib_def d = make_def(&m, 0.5); /* bands of width 1 */
    d.centre_weight = 0.01;
    /* bands [2, 3], [0.5, 1.5], [1.25, 2.25]: y1 at its centre; y2 = 2 is 0.5
     * above its band and 1 from its centre; y3 inside, 0.25 from its centre */
    double y[3] = {2.5, 2.0, 2.0};
    double expect = 0 + (0.25 + 0.01 * 1.0) + (0 + 0.01 * 0.0625);
    assert_true(fabs(sp_calib_loss(&d, y) - expect) < 1e-15);
    d.centre_weight = 0;
    y[1] = 1.0;
    assert_true(sp_calib_loss(&d, y) == 0);
}

/* Targets generated at (a, b) = (2, 0.5) with narrow bands: the fit starts at
 * (4, 1.5) and recovers (2, 0.5) within 1e-3. */
static void test_recovers_generating_parameters(void **state)
{
    (void)state;
    model m = {0};
    sp_calib_def d = make_def(&m, 0.01);
    sp_err err;
    sp_err_clear(&err);
    sp_calib_result *r = sp_calibrate(&d, &err);
    assert_non_null(r);
    printf("# recovered a = %.6f, b = %.6f in %d iterations, %d evaluations, loss %.3g\n", r->x[0],
           r->x[1], r->iterations, r->nevals, r->loss);
    assert_true(fabs(r->x[0] - 2) < 1e-3);
    assert_true(fabs(r->x[1] - 0.5) < 1e-3);
    assert_true(r->converged);
    for (int j = 0; j < 3; j++)
        assert_true(r->residual[j] == 0);
    assert_int_equal(r->nevals, m.calls);
    assert_int_equal(m.outside, 0);
    sp_calib_result_free(r);
}

/* Start at the edge of a range, targets that pull further: the simplex
 * stays inside (the logit map), approaching the bound. */
static void test_stays_inside_ranges(void **state)
{
    (void)state;
    model m = {0};
    sp_calib_def d = make_def(&m, 0.01);
    d.params[0].hi = 1.5; /* the truth a = 2 lies outside: the fit presses against 1.5 */
    m.hi[0] = 1.5;
    d.params[0].start = 1.4;
    d.max_iter = 200;
    sp_err err;
    sp_calib_result *r = sp_calibrate(&d, &err);
    assert_non_null(r);
    assert_int_equal(m.outside, 0);
    assert_true(r->x[0] > 1.45 && r->x[0] <= 1.5);
    assert_true(r->loss > 0);
    int outside = 0;
    for (int j = 0; j < 3; j++)
        outside += r->residual[j] != 0;
    assert_true(outside > 0);
    sp_calib_result_free(r);
}

/* The trace holds every evaluation; the fit is the lowest loss of the trace,
 * and its row reproduces the objective. */
static void test_trace_and_best_point(void **state)
{
    (void)state;
    model m = {0};
    sp_calib_def d = make_def(&m, 0.2);
    d.max_iter = 30;
    sp_err err;
    sp_calib_result *r = sp_calibrate(&d, &err);
    assert_non_null(r);
    assert_int_equal(r->nevals, m.calls);
    assert_true(r->nevals >= 3); /* the simplex of 2 parameters: 3 points to start */
    /* the first evaluation is the start */
    assert_true(fabs(r->trace_x[0] - 4) < 1e-12 && fabs(r->trace_x[1] - 1.5) < 1e-12);
    double best = INFINITY;
    for (int e = 0; e < r->nevals; e++) {
        double y[3];
        analytic(&m, r->trace_x + 2 * e, y, NULL);
        for (int j = 0; j < 3; j++)
            assert_true(y[j] == r->trace_y[3 * e + j]);
        assert_true(fabs(sp_calib_loss(&d, y) - r->trace_loss[e]) < 1e-15);
        if (r->trace_loss[e] < best)
            best = r->trace_loss[e];
    }
    assert_true(best == r->loss);
    assert_true(r->iterations <= 30);
    sp_calib_result_free(r);
}

static void test_max_iter_reached_is_reported(void **state)
{
    (void)state;
    model m = {0};
    sp_calib_def d = make_def(&m, 0.01);
    d.max_iter = 3;
    d.tol = 1e-12;
    sp_err err;
    sp_calib_result *r = sp_calibrate(&d, &err);
    assert_non_null(r);
    assert_int_equal(r->iterations, 3);
    assert_false(r->converged);
    assert_true(r->size > 0);
    sp_calib_result_free(r);
}

static void test_tables(void **state)
{
    (void)state;
    model m = {0};
    sp_calib_def d = make_def(&m, 0.01);
    sp_err err;
    sp_calib_result *r = sp_calibrate(&d, &err);
    assert_non_null(r);
    sp_table *t = sp_calib_fit_table(r, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->ncols, 4);
    assert_string_equal(t->row_labels[1], "b");
    assert_string_equal(t->col_labels[1], "fitted");
    assert_true(sp_table_get(t, 0, 0) == 4 && sp_table_get(t, 0, 1) == r->x[0]);
    assert_true(sp_table_get(t, 1, 2) == 0 && sp_table_get(t, 1, 3) == 2);
    sp_table_free(t);
    t = sp_calib_residual_table(r, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 3);
    assert_string_equal(t->row_labels[2], "y3");
    assert_true(sp_table_get(t, 2, 0) == r->y[2]);
    assert_true(sp_table_get(t, 2, 1) == 1.74 && sp_table_get(t, 2, 2) == 1.76);
    assert_true(sp_table_get(t, 2, 4) == 1);
    sp_table_free(t);
    t = sp_calib_trace_table(r, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, (size_t)r->nevals);
    assert_int_equal(t->ncols, 6);
    assert_string_equal(t->col_labels[0], "a");
    assert_string_equal(t->col_labels[2], "y1");
    assert_string_equal(t->col_labels[5], "loss");
    assert_string_equal(t->row_labels[0], "1");
    assert_true(sp_table_get(t, 0, 5) == r->trace_loss[0]);
    char *md = sp_table_to_markdown(t, &err);
    assert_non_null(md);
    assert_non_null(strstr(md, "loss"));
    free(md);
    sp_table_free(t);
    sp_calib_result_free(r);
}

static void expect_invalid(const sp_calib_def *d, const char *part)
{
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_calibrate(d, &err));
    assert_int_equal(err.code, SP_EINVAL);
    if (!strstr(err.msg, part))
        fail_msg("message '%s' lacks '%s'", err.msg, part);
}

static void test_invalid_definitions_name_the_field(void **state)
{
    (void)state;
    model m = {0};
    sp_calib_def d = make_def(&m, 0.1), e;
    e = d;
    e.params[1].start = 2;
    expect_invalid(&e, "parameter 'b': start 2 must lie strictly inside the range [0, 2]");
    e = d;
    e.params[0].lo = 6;
    expect_invalid(&e, "parameter 'a': the range must be finite with lo < hi, got [6, 5]");
    e = d;
    e.targets[2].hi = e.targets[2].lo;
    expect_invalid(&e, "target 'y3': the band must be finite with lo < hi");
    e = d;
    e.targets[0].lo = NAN;
    expect_invalid(&e, "target 'y1'");
    e = d;
    snprintf(e.params[1].name, SP_CALIB_NAME, "a");
    expect_invalid(&e, "parameter 'a' is given twice");
    e = d;
    e.nparams = 0;
    expect_invalid(&e, "1..16 parameters, got 0");
    e = d;
    e.ntargets = 0;
    expect_invalid(&e, "1..32 targets, got 0");
    e = d;
    e.max_iter = 0;
    expect_invalid(&e, "max_iter must be between 1 and 100000, got 0");
    e = d;
    e.tol = 0;
    expect_invalid(&e, "tol must be positive");
    e = d;
    e.step = -1;
    expect_invalid(&e, "step must be positive");
    e = d;
    e.centre_weight = -0.5;
    expect_invalid(&e, "centre_weight must be 0 or more");
    e = d;
    e.fn = NULL;
    expect_invalid(&e, "no objective");
    assert_int_equal(m.calls, 0);
}

static void test_failing_objective_stops_with_its_message(void **state)
{
    (void)state;
    for (int at = 1; at <= 6; at++) { /* while the simplex starts and while it iterates */
        model m = {0};
        sp_calib_def d = make_def(&m, 0.1);
        m.fail_at = at;
        sp_err err;
        sp_err_clear(&err);
        assert_null(sp_calibrate(&d, &err));
        assert_int_equal(err.code, SP_EIO);
        assert_non_null(strstr(err.msg, "failed on purpose"));
        assert_int_equal(m.calls, at); /* nothing evaluated after the failure */
    }
}

static void test_non_finite_target_is_an_error(void **state)
{
    (void)state;
    for (int at = 1; at <= 5; at += 4) {
        model m = {0};
        sp_calib_def d = make_def(&m, 0.1);
        m.nan_at = at;
        sp_err err;
        sp_err_clear(&err);
        assert_null(sp_calibrate(&d, &err));
        assert_int_equal(err.code, SP_ENUMERIC);
        if (!strstr(err.msg, "target 'y2' is not a finite number (nan) at a = "))
            fail_msg("%s", err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_residual_and_loss_rules),
        cmocka_unit_test(test_recovers_generating_parameters),
        cmocka_unit_test(test_stays_inside_ranges),
        cmocka_unit_test(test_trace_and_best_point),
        cmocka_unit_test(test_max_iter_reached_is_reported),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_invalid_definitions_name_the_field),
        cmocka_unit_test(test_failing_objective_stops_with_its_message),
        cmocka_unit_test(test_non_finite_target_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
