/* test_sensitivity.c: Morris screening and Sobol indices (core/sensitivity.h)
 * on analytic functions: the Ishigami function's known indices, Morris
 * effects of linear inputs exactly and the ranking of influential inputs,
 * the inverse CDFs, the tables and the HTML page, and the error paths. */
#define _GNU_SOURCE /* mkdtemp */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spendsim.h"

static int ishigami(void *ud, const double *x, double *y, sp_err *err)
{
    (void)err;
    int *calls = ud;
    ++*calls;
    y[0] = sin(x[0]) + 7 * sin(x[1]) * sin(x[1]) + 0.1 * pow(x[2], 4) * sin(x[0]);
    return SP_OK;
}

static sp_sens_def ishigami_def(int *calls, int n)
{
    sp_sens_def d = sp_sens_def_default();
    d.method = SP_SENS_SOBOL;
    d.ninputs = 3;
    for (int i = 0; i < 3; i++) {
        snprintf(d.inputs[i].name, SP_SENS_NAME, "x%d", i + 1);
        d.inputs[i].kind = SP_DIST_UNIFORM;
        d.inputs[i].a = -M_PI;
        d.inputs[i].b = M_PI;
    }
    d.noutputs = 1;
    snprintf(d.outputs[0], SP_SENS_NAME, "ishigami");
    d.fn = ishigami;
    d.ud = calls;
    d.n = n;
    d.seed = 5;
    return d;
}

/* Ishigami (a = 7, b = 0.1): S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424,
 * 0.2437) (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer,
 * section 4.5). At N = 8192 (40,960 evaluations) every estimate lies within
 * 0.02 of its value, and the bootstrap intervals cover the values. */
static void test_sobol_ishigami(void **state)
{
    (void)state;
    int calls = 0;
    sp_sens_def d = ishigami_def(&calls, 8192);
    sp_err err;
    sp_err_clear(&err);
    sp_sens_result *r = sp_sensitivity(&d, &err);
    if (!r)
        fail_msg("%s", err.msg);
    assert_int_equal(calls, 8192 * 5);
    assert_int_equal(r->nevals, calls);
    const double s1[3] = {0.3139, 0.4424, 0}, st[3] = {0.5576, 0.4424, 0.2437};
    for (int i = 0; i < 3; i++) {
        printf("# Ishigami x%d: S1 %.4f [%.4f, %.4f] (exact %.4f), ST %.4f [%.4f, %.4f] (exact %.4f)\n",
               i + 1, r->s1[i], r->s1_lo[i], r->s1_hi[i], s1[i], r->st[i], r->st_lo[i], r->st_hi[i],
               st[i]);
        assert_true(fabs(r->s1[i] - s1[i]) < 0.02);
        assert_true(fabs(r->st[i] - st[i]) < 0.02);
        assert_true(r->s1_lo[i] <= r->s1[i] && r->s1[i] <= r->s1_hi[i]);
        assert_true(r->st_lo[i] <= r->st[i] && r->st[i] <= r->st_hi[i]);
        assert_true(r->s1_hi[i] - r->s1_lo[i] < 0.1);
    }
    /* the variance of Ishigami: a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446 */
    assert_true(fabs(r->variance[0] - 13.8446) < 0.3);
    sp_sens_result_free(r);
}

/* Without bootstrap the intervals are NaN; the same definition gives the
 * same indices (the design is deterministic). */
static void test_sobol_deterministic_without_bootstrap(void **state)
{
    (void)state;
    int calls = 0;
    sp_sens_def d = ishigami_def(&calls, 256);
    d.bootstrap = 0;
    sp_err err;
    sp_sens_result *a = sp_sensitivity(&d, &err), *b = sp_sensitivity(&d, &err);
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 3; i++) {
        assert_true(a->s1[i] == b->s1[i] && a->st[i] == b->st[i]);
        assert_true(isnan(a->s1_lo[i]) && isnan(a->st_hi[i]));
    }
    sp_sens_result_free(a);
    sp_sens_result_free(b);
}

/* y = 4 x1 + 2 x2 + 0 x3 + x4^2 (x1 in [0, 1], x2 in [0, 3], x3, x4 in
 * [0, 1]), two outputs (y and -y). Elementary effects per unit of quantile:
 * x1: exactly 4 (sigma 0), x2: exactly 6, x3: 0, x4: ((q + 1/2)^2 - q^2) /
 * (1/2) = 2 q + 1/2 for the levels q = 1/8, 3/8 (p = 4: quantiles 1/8 .. 7/8),
 * so 0.75 or 1.25: mu* in (0, 2), sigma > 0. Ranking by mu*: x2, x1, x4, x3. */
static int screening(void *ud, const double *x, double *y, sp_err *err)
{
    (void)ud;
    (void)err;
    y[0] = 4 * x[0] + 2 * x[1] + 0 * x[2] + x[3] * x[3];
    y[1] = -y[0];
    return SP_OK;
}

static sp_sens_def screening_def(void)
{
    sp_sens_def d = sp_sens_def_default();
    d.method = SP_SENS_MORRIS;
    d.ninputs = 4;
    const double hi[4] = {1, 3, 1, 1};
    for (int i = 0; i < 4; i++) {
        snprintf(d.inputs[i].name, SP_SENS_NAME, "x%d", i + 1);
        d.inputs[i].kind = SP_DIST_UNIFORM;
        d.inputs[i].a = 0;
        d.inputs[i].b = hi[i];
    }
    d.noutputs = 2;
    snprintf(d.outputs[0], SP_SENS_NAME, "y");
    snprintf(d.outputs[1], SP_SENS_NAME, "minus y");
    d.fn = screening;
    d.n = 20;
    d.levels = 4;
    d.seed = 9;
    return d;
}

static void test_morris_effects_and_ranking(void **state)
{
    (void)state;
    sp_sens_def d = screening_def();
    sp_err err;
    sp_sens_result *r = sp_sensitivity(&d, &err);
    assert_non_null(r);
    assert_int_equal(r->nevals, 20 * 5);
    const int k = 4;
    assert_true(fabs(r->mu[0] - 4) < 1e-9 && fabs(r->mu_star[0] - 4) < 1e-9 && r->sigma[0] < 1e-9);
    assert_true(fabs(r->mu[1] - 6) < 1e-9 && r->sigma[1] < 1e-9);
    assert_true(r->mu_star[2] == 0 && r->sigma[2] == 0);
    assert_true(r->mu_star[3] >= 0.75 - 1e-9 && r->mu_star[3] <= 1.25 + 1e-9 && r->sigma[3] > 0);
    assert_true(r->mu_star[1] > r->mu_star[0] && r->mu_star[0] > r->mu_star[3] &&
                r->mu_star[3] > r->mu_star[2]);
    for (int i = 0; i < k; i++) { /* the second output: the same mu*, mu of opposite sign */
        assert_true(fabs(r->mu_star[k + i] - r->mu_star[i]) < 1e-9);
        assert_true(fabs(r->mu[k + i] + r->mu[i]) < 1e-9);
    }
    /* every move is one step along one input: consecutive points of a
     * trajectory differ in exactly one input, by half its quantile scale */
    for (int t = 0; t < 20; t++)
        for (int s = 1; s <= k; s++) {
            const double *a = r->x + (size_t)(t * (k + 1) + s - 1) * k, *b = a + k;
            int moved = 0;
            for (int i = 0; i < k; i++)
                moved += a[i] != b[i];
            assert_int_equal(moved, 1);
        }
    sp_sens_result_free(r);
}

static void test_quantiles(void **state)
{
    (void)state;
    sp_sens_input u = {.kind = SP_DIST_UNIFORM, .a = 2, .b = 6};
    assert_true(sp_sens_quantile(&u, 0) == 2 && sp_sens_quantile(&u, 1) == 6);
    assert_true(sp_sens_quantile(&u, 0.25) == 3);
    sp_sens_input n = {.kind = SP_DIST_NORMAL, .a = 0.5, .b = 0.1, .lo = 0, .hi = 1};
    assert_true(fabs(sp_sens_quantile(&n, 0.5) - 0.5) < 1e-12);
    assert_true(fabs(sp_sens_quantile(&n, 0.975) - (0.5 + 0.1 * 1.959964)) < 1e-5);
    assert_true(sp_sens_quantile(&n, 0) == 0 && sp_sens_quantile(&n, 1) == 1);
    /* truncated: the median of N(0.5, 1) on [0.4, 1] lies above 0.4 and below 0.7 */
    sp_sens_input t = {.kind = SP_DIST_NORMAL, .a = 0.5, .b = 1, .lo = 0.4, .hi = 1};
    double med = sp_sens_quantile(&t, 0.5);
    assert_true(med > 0.69 && med < 0.71); /* ~ midpoint: nearly flat density there */
    /* a range deep in the tail (Phi underflows): the bounds, never infinities */
    sp_sens_input f = {.kind = SP_DIST_NORMAL, .a = 0.5, .b = 0.001, .lo = 0, .hi = 1};
    assert_true(sp_sens_quantile(&f, 0) == 0 && sp_sens_quantile(&f, 1) == 1);
}

static void test_tables_and_page(void **state)
{
    (void)state;
    sp_sens_def d = screening_def();
    sp_err err;
    sp_sens_result *r = sp_sensitivity(&d, &err);
    assert_non_null(r);
    sp_table *t = sp_sens_table(r, 1, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 4);
    assert_int_equal(t->ncols, 3);
    assert_string_equal(t->col_labels[0], "mu*");
    assert_string_equal(t->row_labels[3], "x4");
    assert_true(sp_table_get(t, 1, 1) == r->mu[4 + 1]);
    assert_non_null(strstr(t->title, "minus y"));
    sp_table_free(t);
    assert_null(sp_sens_table(r, 2, &err));
    assert_int_equal(err.code, SP_ERANGE);

    char dir[] = "/tmp/test_sensitivity_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/s.html", dir);
    assert_int_equal(sp_sens_write_html(r, "Screening <test>", path, &err), SP_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[20000];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "Screening &lt;test&gt;"));
    assert_non_null(strstr(buf, "<svg"));
    /* the tornado sorts by mu*: x2 first, x3 last */
    char *p2 = strstr(buf, ">x2</text>"), *p1 = strstr(buf, ">x1</text>"),
         *p3 = strstr(buf, ">x3</text>");
    assert_true(p2 && p1 && p3 && p2 < p1 && p1 < p3);
    assert_null(strstr(buf, "src=")); /* self-contained: nothing loaded from elsewhere */
    remove(path);
    snprintf(path, sizeof path, "%s/missing/s.html", dir);
    assert_int_not_equal(sp_sens_write_html(r, "x", path, &err), SP_OK);
    rmdir(dir);
    sp_sens_result_free(r);

    int calls = 0;
    sp_sens_def s = ishigami_def(&calls, 64);
    r = sp_sensitivity(&s, &err);
    assert_non_null(r);
    t = sp_sens_table(r, 0, &err);
    assert_non_null(t);
    assert_int_equal(t->ncols, 6);
    assert_string_equal(t->col_labels[3], "ST");
    assert_true(sp_table_get(t, 2, 3) == r->st[2]);
    sp_table_free(t);
    sp_sens_result_free(r);
}

static int failing(void *ud, const double *x, double *y, sp_err *err)
{
    int *calls = ud;
    (void)x;
    if (++*calls == 3)
        return sp_err_set(err, SP_EIO, "run %d failed on purpose", *calls);
    y[0] = *calls == 5 ? INFINITY : 1.0;
    return SP_OK;
}

static void expect_invalid(const sp_sens_def *d, const char *part)
{
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_sensitivity(d, &err));
    assert_int_equal(err.code, SP_EINVAL);
    if (!strstr(err.msg, part))
        fail_msg("message '%s' lacks '%s'", err.msg, part);
}

static void test_errors(void **state)
{
    (void)state;
    int calls = 0;
    sp_sens_def d = ishigami_def(&calls, 16), e;
    e = d;
    e.ninputs = 0;
    expect_invalid(&e, "1..20 inputs (parameters with distributions), got 0");
    e = d;
    e.noutputs = 0;
    expect_invalid(&e, "1..16 outputs, got 0");
    e = d;
    e.inputs[1].b = -4;
    expect_invalid(&e, "input 'x2': uniform needs low < high");
    e = d;
    e.inputs[0].kind = SP_DIST_NORMAL;
    e.inputs[0].b = 0;
    expect_invalid(&e, "input 'x1': normal sd must be positive");
    e = d;
    e.inputs[0].kind = SP_DIST_NORMAL;
    e.inputs[0].b = 1;
    e.inputs[0].lo = 1;
    e.inputs[0].hi = 0;
    expect_invalid(&e, "input 'x1': the truncation range");
    e = d;
    e.inputs[2].a = NAN;
    expect_invalid(&e, "input 'x3': distribution arguments must be finite");
    e = d;
    e.n = 1;
    expect_invalid(&e, "sobol: n (base sample) must be between 2");
    e = d;
    e.bootstrap = 5;
    expect_invalid(&e, "sobol: bootstrap must be 0 or between 10 and 100000, got 5");
    e = d;
    e.method = SP_SENS_MORRIS;
    e.levels = 3;
    expect_invalid(&e, "morris: levels must be even");
    e.levels = 4;
    e.n = 1;
    expect_invalid(&e, "morris: n (trajectories) must be between 2 and 10000, got 1");
    e = d;
    e.method = (sp_sens_method)7;
    expect_invalid(&e, "unknown sensitivity method 7");
    e = d;
    e.fn = NULL;
    expect_invalid(&e, "no model function");
    assert_int_equal(calls, 0);

    for (int m = 0; m < 2; m++) {
        e = d;
        e.method = m ? SP_SENS_MORRIS : SP_SENS_SOBOL;
        e.fn = failing;
        calls = 0;
        sp_err err;
        assert_null(sp_sensitivity(&e, &err));
        assert_int_equal(err.code, SP_EIO);
        assert_non_null(strstr(err.msg, "run 3 failed on purpose"));
        assert_int_equal(calls, 3);
        calls = 3; /* the next call (4) succeeds, 5 returns infinity */
        e.ud = &calls;
        assert_null(sp_sensitivity(&e, &err));
        assert_int_equal(err.code, SP_ENUMERIC);
        if (!strstr(err.msg, "output 'ishigami' is not a finite number (inf) at x1 = "))
            fail_msg("%s", err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sobol_ishigami),
        cmocka_unit_test(test_sobol_deterministic_without_bootstrap),
        cmocka_unit_test(test_morris_effects_and_ranking),
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_tables_and_page),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
