/* test_shapley.c: Shapley values (core/shapley.h) on analytic games. For
 * v(S) = (sum of a_i over S)^2 the values are phi_i = a_i * sum(a) (the
 * squares go to their player, each cross term 2 a_i a_j is split in two):
 * exact values match to rounding, efficiency (they add up to v(all) -
 * v(none)), symmetry (equal a) and the null player (a = 0 gets exactly 0);
 * sampled values lie within 4 standard errors and still add up; each
 * coalition is valued once; errors for bad sizes and the callback's error. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

typedef struct game {
    int n;
    double a[SP_SHAPLEY_MAX_PLAYERS];
    int calls, valued;
    int fail; /* > 0: the callback fails */
} game;

static int square(void *ud, const uint32_t *masks, int n, double *values, sp_err *err)
{
    game *g = ud;
    g->calls++;
    g->valued += n;
    if (g->fail)
        return sp_err_set(err, SP_EIO, "the experiment failed");
    for (int k = 0; k < n; k++) {
        double s = 0;
        for (int i = 0; i < g->n; i++)
            if (masks[k] >> i & 1u)
                s += g->a[i];
        values[k] = s * s;
    }
    return SP_OK;
}

static double total(const game *g)
{
    double s = 0;
    for (int i = 0; i < g->n; i++)
        s += g->a[i];
    return s;
}

static void test_exact_square_game(void **state)
{
    (void)state;
    game g = {5, {1, 2, 2, 0, 3.5}, 0, 0, 0};
    sp_shapley_result r;
    sp_err err;
    assert_int_equal(sp_shapley(g.n, square, &g, 10, 100, 1, &r, &err), SP_OK);
    assert_true(r.exact);
    assert_int_equal(r.coalitions, 32);
    assert_int_equal(g.valued, 32); /* each coalition valued once */
    double s = total(&g), sum = 0;
    for (int i = 0; i < g.n; i++) {
        assert_true(fabs(r.phi[i] - g.a[i] * s) <= 1e-12 * s * s);
        assert_true(r.se[i] == 0);
        sum += r.phi[i];
    }
    assert_true(fabs(sum - (r.v_all - r.v_none)) <= 1e-12 * s * s);
    assert_true(r.v_none == 0 && r.v_all == s * s);
    assert_true(r.phi[1] == r.phi[2]); /* symmetric players */
    assert_true(r.phi[3] == 0);        /* null player, exactly */
}

static void test_sampled_square_game(void **state)
{
    (void)state;
    game g = {12, {1, 2, 3, 0, 1, 1, 5, 2, 0.5, 4, 1, 2}, 0, 0, 0};
    sp_shapley_result r;
    sp_err err;
    assert_int_equal(sp_shapley(g.n, square, &g, 4, 2000, 7, &r, &err), SP_OK);
    assert_false(r.exact);
    assert_int_equal(r.samples, 2000);
    assert_int_equal(g.calls, 1); /* one batch of distinct coalitions */
    assert_true(r.coalitions <= 2000 * 13);
    double s = total(&g), sum = 0;
    for (int i = 0; i < g.n; i++) {
        if (g.a[i] == 0) {
            assert_true(r.phi[i] == 0 && r.se[i] == 0);
        } else {
            assert_true(r.se[i] > 0);
            assert_true(fabs(r.phi[i] - g.a[i] * s) <= 4 * r.se[i]);
        }
        sum += r.phi[i];
    }
    /* each order's contributions add up to v(all) - v(none), so the means do */
    assert_true(fabs(sum - s * s) <= 1e-9 * s * s);
    /* the same seed gives the same values */
    sp_shapley_result r2;
    assert_int_equal(sp_shapley(g.n, square, &g, 4, 2000, 7, &r2, &err), SP_OK);
    for (int i = 0; i < g.n; i++)
        assert_true(r.phi[i] == r2.phi[i]);
}

static void test_errors(void **state)
{
    (void)state;
    game g = {3, {1, 2, 3}, 0, 0, 0};
    sp_shapley_result r;
    sp_err err;
    assert_int_equal(sp_shapley(0, square, &g, 10, 100, 1, &r, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "1..32 players, got 0"));
    assert_int_equal(sp_shapley(33, square, &g, 10, 100, 1, &r, &err), SP_EINVAL);
    assert_int_equal(sp_shapley(3, NULL, &g, 10, 100, 1, &r, &err), SP_EINVAL);
    assert_int_equal(sp_shapley(3, square, &g, 17, 100, 1, &r, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "exact_max"));
    assert_int_equal(sp_shapley(3, square, &g, 1, 1, 1, &r, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "samples"));
    g.fail = 1;
    assert_int_equal(sp_shapley(3, square, &g, 10, 100, 1, &r, &err), SP_EIO);
    assert_string_equal(err.msg, "the experiment failed");
    assert_int_equal(sp_shapley(3, square, &g, 1, 10, 1, &r, &err), SP_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_square_game),
        cmocka_unit_test(test_sampled_square_game),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
