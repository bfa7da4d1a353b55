/* test_params.c: behavioural parameters (core/params.h): defaults validate and
 * match the table, every entry's default lies in its range with a name, unit
 * and source, set/get by name, and the error paths (unknown name, out of range,
 * not finite) name the parameter and the value. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static double field(const sp_params *p, const sp_param_info *d)
{
    return *(const double *)((const char *)p + d->offset);
}

static void test_defaults_validate(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_params_validate(&p, &err), SP_OK);
}

static void test_defaults_match_table(void **state)
{
    (void)state;
    size_t n = 0;
    const sp_param_info *t = sp_param_table(&n);
    sp_params p = sp_params_default();
    assert_true(n > 0);
    for (size_t k = 0; k < n; k++)
        assert_true(field(&p, &t[k]) == t[k].def);
}

static void test_table_entries_are_complete(void **state)
{
    (void)state;
    size_t n = 0;
    const sp_param_info *t = sp_param_table(&n);
    for (size_t k = 0; k < n; k++) {
        assert_non_null(t[k].name);
        assert_true(strlen(t[k].name) > 0);
        assert_true(t[k].lo <= t[k].def && t[k].def <= t[k].hi);
        assert_true(isfinite(t[k].lo) && isfinite(t[k].hi));
        assert_non_null(t[k].unit);
        assert_non_null(t[k].source);
        assert_true(strlen(t[k].source) > 0);
        assert_true(t[k].offset + sizeof(double) <= sizeof(sp_params));
        assert_ptr_equal(sp_param_find(t[k].name), &t[k]);
        for (size_t j = 0; j < k; j++) {
            assert_string_not_equal(t[k].name, t[j].name);
            assert_true(t[k].offset != t[j].offset);
        }
    }
}

static void test_table_covers_every_field(void **state)
{
    (void)state;
    size_t n = 0;
    sp_param_table(&n);
    assert_int_equal(n * sizeof(double), sizeof(sp_params));
}

static void test_set_and_get_by_name(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    double v = 0;
    assert_int_equal(sp_params_set(&p, "growth", 1.05, NULL), SP_OK);
    assert_true(p.growth == 1.05);
    assert_int_equal(sp_params_set(&p, "trips_food", 8.0, NULL), SP_OK);
    assert_true(p.trips[SP_CAT_FOOD] == 8.0);
    assert_int_equal(sp_params_set(&p, "mpc_poor_htm", 0.6, NULL), SP_OK);
    assert_true(p.mpc[SP_LIQ_POOR_HTM] == 0.6);
    assert_int_equal(sp_params_get(&p, "trips_food", &v, NULL), SP_OK);
    assert_true(v == 8.0);
}

static void test_set_accepts_range_ends(void **state)
{
    (void)state;
    const sp_param_info *d = sp_param_find("growth");
    assert_non_null(d);
    sp_params p = sp_params_default();
    assert_int_equal(sp_params_set(&p, "growth", d->lo, NULL), SP_OK);
    assert_int_equal(sp_params_set(&p, "growth", d->hi, NULL), SP_OK);
}

static void test_unknown_name_is_named(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_params before = p;
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_params_set(&p, "grwoth", 1.0, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "grwoth"));
    assert_memory_equal(&p, &before, sizeof p);
    double v;
    sp_err_clear(&err);
    assert_int_equal(sp_params_get(&p, "no_such_param", &v, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "no_such_param"));
    assert_null(sp_param_find("no_such_param"));
    assert_null(sp_param_find(NULL));
    assert_int_equal(sp_params_set(&p, NULL, 1.0, NULL), SP_EINVAL);
}

static void test_out_of_range_names_parameter_and_value(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_params_set(&p, "growth", 2.5, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "growth"));
    assert_non_null(strstr(err.msg, "2.5"));
    assert_true(p.growth == sp_params_default().growth); /* unchanged */
    sp_err_clear(&err);
    assert_int_equal(sp_params_set(&p, "trip_cv", -0.1, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "trip_cv"));
    assert_non_null(strstr(err.msg, "-0.1"));
}

static void test_not_finite_is_rejected(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_params_set(&p, "growth", NAN, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "growth"));
    assert_int_equal(sp_params_set(&p, "growth", INFINITY, NULL), SP_EINVAL);
}

static void test_validate_names_bad_field(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    p.mpc[SP_LIQ_WEALTHY_NHTM] = 1.5;
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_params_validate(&p, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "mpc_wealthy_nhtm"));
    assert_non_null(strstr(err.msg, "1.5"));
}

/* ---- parameter uncertainty ---- */

static sp_param_dist dist(const char *name, sp_dist_kind kind, double a, double b)
{
    sp_param_dist d;
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "%s", name);
    d.kind = kind;
    d.a = a;
    d.b = b;
    return d;
}

static void test_dist_validation_names_parameter(void **state)
{
    (void)state;
    sp_err e;
    sp_param_dist d = dist("mpc_poor_htm", SP_DIST_UNIFORM, 0.5, 1.5);
    assert_int_equal(sp_param_dist_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "mpc_poor_htm"));
    assert_non_null(strstr(e.msg, "leaves the range"));
    d = dist("growth", SP_DIST_NORMAL, 1.05, 0);
    assert_int_equal(sp_param_dist_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "sd must be positive"));
    d = dist("no_such", SP_DIST_NORMAL, 1, 1);
    assert_int_equal(sp_param_dist_validate(&d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "no_such"));
    d = dist("growth", SP_DIST_UNIFORM, 1.1, 1.0);
    assert_int_equal(sp_param_dist_validate(&d, &e), SP_EINVAL);
}

/* Draws are reproducible per key, differ between replicates, stay inside the
 * range and follow the distribution (mean within 5 standard errors). */
static void test_dist_draws(void **state)
{
    (void)state;
    sp_param_dist d[2] = {dist("mpc_wealthy_htm", SP_DIST_UNIFORM, 0.3, 0.5),
                          dist("growth", SP_DIST_NORMAL, 1.05, 0.2)}; /* truncated at 0.8 and 1.3 */
    const int R = 4000;
    double sum_u = 0, prev = -1;
    int distinct = 0;
    for (int r = 0; r < R; r++) {
        sp_params a = sp_params_default(), b = sp_params_default();
        sp_rng_key key = sp_rng_key_make(9, (uint32_t)r);
        assert_int_equal(sp_params_draw(&a, d, 2, key, NULL), SP_OK);
        assert_int_equal(sp_params_draw(&b, d, 2, key, NULL), SP_OK);
        assert_memory_equal(&a, &b, sizeof a); /* same replicate, same values */
        assert_true(a.mpc[SP_LIQ_WEALTHY_HTM] >= 0.3 && a.mpc[SP_LIQ_WEALTHY_HTM] <= 0.5);
        assert_true(a.growth >= 0.8 && a.growth <= 1.3);
        assert_true(a.mpc[SP_LIQ_POOR_HTM] == sp_params_default().mpc[SP_LIQ_POOR_HTM]);
        sum_u += a.mpc[SP_LIQ_WEALTHY_HTM];
        distinct += a.growth != prev;
        prev = a.growth;
    }
    double se = 0.2 / sqrt(12.0) / sqrt((double)R);
    assert_true(fabs(sum_u / R - 0.4) < 5 * se);
    assert_true(distinct > R - 5);
}

/* A parameter's draw depends on its name and the replicate only: the same
 * value alone, listed after another parameter, or with another distribution
 * ahead of it. */
static void test_draw_independent_of_list(void **state)
{
    (void)state;
    sp_param_dist one[1] = {dist("mpc_poor_htm", SP_DIST_UNIFORM, 0.4, 0.6)};
    sp_param_dist two[2] = {dist("substitution_share", SP_DIST_UNIFORM, 0.0, 0.2),
                            dist("mpc_poor_htm", SP_DIST_UNIFORM, 0.4, 0.6)};
    for (uint32_t r = 0; r < 20; r++) {
        sp_params a = sp_params_default(), b = sp_params_default();
        sp_rng_key key = sp_rng_key_make(3, r);
        assert_int_equal(sp_params_draw(&a, one, 1, key, NULL), SP_OK);
        assert_int_equal(sp_params_draw(&b, two, 2, key, NULL), SP_OK);
        assert_true(a.mpc[SP_LIQ_POOR_HTM] == b.mpc[SP_LIQ_POOR_HTM]);
        assert_true(b.substitution_share != b.mpc[SP_LIQ_POOR_HTM]);
    }
    assert_true(sp_param_stream("mpc_poor_htm") != sp_param_stream("mpc_wealthy_htm"));
}

/* The default distributions are valid, name distinct parameters, and are
 * centred on the point defaults (the calibrated values stay the means). */
static void test_default_dists_valid_and_centred(void **state)
{
    (void)state;
    size_t n;
    const sp_param_dist *d = sp_param_default_dists(&n);
    assert_true(n > 0);
    sp_params def = sp_params_default();
    for (size_t k = 0; k < n; k++) {
        sp_err e;
        assert_int_equal(sp_param_dist_validate(&d[k], &e), SP_OK);
        double v = 0;
        assert_int_equal(sp_params_get(&def, d[k].name, &v, NULL), SP_OK);
        double centre = d[k].kind == SP_DIST_UNIFORM ? (d[k].a + d[k].b) / 2 : d[k].a;
        assert_true(fabs(centre - v) < 1e-12);
        assert_true(sp_param_index(d[k].name) >= 0);
        for (size_t j = 0; j < k; j++)
            assert_string_not_equal(d[j].name, d[k].name);
    }
    assert_int_equal(sp_param_index("no_such"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_validate),
        cmocka_unit_test(test_dist_validation_names_parameter),
        cmocka_unit_test(test_dist_draws),
        cmocka_unit_test(test_draw_independent_of_list),
        cmocka_unit_test(test_default_dists_valid_and_centred),
        cmocka_unit_test(test_defaults_match_table),
        cmocka_unit_test(test_table_entries_are_complete),
        cmocka_unit_test(test_table_covers_every_field),
        cmocka_unit_test(test_set_and_get_by_name),
        cmocka_unit_test(test_set_accepts_range_ends),
        cmocka_unit_test(test_unknown_name_is_named),
        cmocka_unit_test(test_out_of_range_names_parameter_and_value),
        cmocka_unit_test(test_not_finite_is_rejected),
        cmocka_unit_test(test_validate_names_bad_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
