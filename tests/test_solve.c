/* test_solve.c: goal-seek with GSL's Brent solver (core/solve.h) on analytic
 * functions: the root of x^3 - 2 and of a linear function within tol, the
 * interval holding it, an end that is the answer, a target out of reach
 * reported with the reachable range, max_iter reached (not converged), the
 * callback's error and a non-finite value stop the solve, bad definitions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

typedef struct fn {
    int calls;
    int fail_after; /* 0: never */
    int nan;
} fn;

static int cube(void *ud, double x, double *y, sp_err *err)
{
    fn *f = ud;
    f->calls++;
    if (f->fail_after && f->calls > f->fail_after)
        return sp_err_set(err, SP_EIO, "run %d failed", f->calls);
    *y = f->nan ? NAN : x * x * x;
    return SP_OK;
}

/* spending added by a transfer of x yuan to 1000 households with MPC 0.4 */
static int linear(void *ud, double x, double *y, sp_err *err)
{
    (void)err;
    ((fn *)ud)->calls++;
    *y = 0.4 * 1000 * x;
    return SP_OK;
}

static void test_cube_root(void **state)
{
    (void)state;
    fn f = {0, 0, 0};
    sp_solve_def d = sp_solve_def_default();
    d.f = cube;
    d.ud = &f;
    d.lo = 0;
    d.hi = 3;
    d.target = 2;
    d.tol = 1e-10;
    sp_solve_result r;
    sp_err err;
    assert_int_equal(sp_solve(&d, &r, &err), SP_OK);
    assert_true(r.converged);
    assert_true(fabs(r.x - cbrt(2.0)) <= 1e-10);
    assert_true(r.lo <= cbrt(2.0) + 1e-15 && cbrt(2.0) - 1e-15 <= r.hi);
    assert_true(r.hi - r.lo <= 1e-10);
    assert_true(fabs(r.y - 2) <= 1e-8);
    assert_true(r.f_lo == 0 && r.f_hi == 27);
    assert_true(r.iterations > 0 && r.iterations < 100);
    /* the ends and the answer come from a cache: at most one call per iteration
     * (Brent's last step may evaluate nothing) and two for the ends */
    assert_true(f.calls <= r.iterations + 2 && f.calls >= 3);
    assert_int_equal(r.evaluations, f.calls);
}

static void test_linear_known_answer(void **state)
{
    (void)state;
    fn f = {0, 0, 0};
    sp_solve_def d = sp_solve_def_default();
    d.f = linear;
    d.ud = &f;
    d.lo = 100;
    d.hi = 5000;
    d.target = 3e5; /* x = 3e5 / 400 = 750 */
    d.tol = 1e-6;
    d.name = "amount";
    sp_solve_result r;
    assert_int_equal(sp_solve(&d, &r, NULL), SP_OK);
    assert_true(fabs(r.x - 750) <= 1e-6);
}

static void test_end_is_answer(void **state)
{
    (void)state;
    fn f = {0, 0, 0};
    sp_solve_def d = sp_solve_def_default();
    d.f = cube;
    d.ud = &f;
    d.lo = 2;
    d.hi = 3;
    d.target = 27;
    sp_solve_result r;
    assert_int_equal(sp_solve(&d, &r, NULL), SP_OK);
    assert_true(r.x == 3 && r.y == 27 && r.converged && r.iterations == 0);
}

static void test_out_of_reach(void **state)
{
    (void)state;
    fn f = {0, 0, 0};
    sp_solve_def d = sp_solve_def_default();
    d.f = linear;
    d.ud = &f;
    d.lo = 100;
    d.hi = 500;
    d.target = 3e5;
    d.name = "budget";
    sp_solve_result r;
    sp_err err;
    assert_int_equal(sp_solve(&d, &r, &err), SP_ERANGE);
    assert_string_equal(err.msg, "target 300000 is outside what budget in [100, 500] reaches: 40000..200000");
    assert_int_equal(f.calls, 2);
}

static void test_max_iter(void **state)
{
    (void)state;
    fn f = {0, 0, 0};
    sp_solve_def d = sp_solve_def_default();
    d.f = cube;
    d.ud = &f;
    d.lo = 0;
    d.hi = 3;
    d.target = 2;
    d.tol = 1e-12;
    d.max_iter = 1;
    sp_solve_result r;
    assert_int_equal(sp_solve(&d, &r, NULL), SP_OK);
    assert_false(r.converged);
    assert_int_equal(r.iterations, 1);
    assert_true(r.lo <= r.x && r.x <= r.hi);
}

static void test_callback_errors(void **state)
{
    (void)state;
    fn f = {0, 3, 0};
    sp_solve_def d = sp_solve_def_default();
    d.f = cube;
    d.ud = &f;
    d.lo = 0;
    d.hi = 3;
    d.target = 2;
    d.tol = 1e-12;
    sp_solve_result r;
    sp_err err;
    assert_int_equal(sp_solve(&d, &r, &err), SP_EIO);
    assert_string_equal(err.msg, "run 4 failed");
    fn g = {0, 1, 0}; /* fails at the second end */
    d.ud = &g;
    assert_int_equal(sp_solve(&d, &r, &err), SP_EIO);
    fn h = {0, 0, 1};
    d.ud = &h;
    assert_int_equal(sp_solve(&d, &r, &err), SP_ENUMERIC);
    assert_non_null(strstr(err.msg, "not a finite number"));
}

static void test_bad_definitions(void **state)
{
    (void)state;
    fn f = {0, 0, 0};
    sp_solve_def d = sp_solve_def_default();
    sp_solve_result r;
    sp_err err;
    assert_int_equal(sp_solve(&d, &r, &err), SP_EINVAL); /* no function */
    d.f = cube;
    d.ud = &f;
    d.lo = 1;
    d.hi = 1;
    assert_int_equal(sp_solve(&d, &r, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "lo must be below hi"));
    d.hi = 2;
    d.target = NAN;
    assert_int_equal(sp_solve(&d, &r, &err), SP_EINVAL);
    d.target = 1;
    d.tol = 0;
    assert_int_equal(sp_solve(&d, &r, &err), SP_EINVAL);
    d.tol = 1e-3;
    d.max_iter = 0;
    assert_int_equal(sp_solve(&d, &r, &err), SP_EINVAL);
    assert_int_equal(f.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cube_root),       cmocka_unit_test(test_linear_known_answer),
        cmocka_unit_test(test_end_is_answer),   cmocka_unit_test(test_out_of_reach),
        cmocka_unit_test(test_max_iter),        cmocka_unit_test(test_callback_errors),
        cmocka_unit_test(test_bad_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
