/* test_results.c: the results cube (core/results.h): allocation and its
 * validation, package names copied and looked up, the cube's layout, metric
 * names, kinds and units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_alloc_zeroed_and_names_copied(void **state)
{
    (void)state;
    char a[] = "Status quo", b[] = "Plan";
    const char *names[] = {a, b};
    sp_results *r = sp_results_alloc(2, names, 3, 4, sp_month_make(2019, 1), NULL);
    assert_non_null(r);
    assert_int_equal(r->npackages, 2);
    assert_int_equal(r->nreplicates, 3);
    assert_int_equal(r->nmonths, 4);
    assert_int_equal(r->start_month, sp_month_make(2019, 1));
    a[0] = 'X';
    assert_string_equal(r->package_names[0], "Status quo");
    assert_string_equal(r->package_names[1], "Plan");
    size_t cells = (size_t)2 * 3 * 4 * SP_NGROUP * SP_NMETRIC;
    for (size_t k = 0; k < cells; k++)
        assert_true(r->cube[k] == 0.0);
    sp_results_free(r);
}

static void test_alloc_without_names(void **state)
{
    (void)state;
    sp_results *r = sp_results_alloc(2, NULL, 1, 1, 0, NULL);
    assert_non_null(r);
    assert_string_equal(r->package_names[0], "");
    sp_results_free(r);
}

static void test_alloc_rejects_empty_dimensions(void **state)
{
    (void)state;
    sp_err err;
    const int bad[][3] = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {-1, 1, 1}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        sp_err_clear(&err);
        assert_null(sp_results_alloc(bad[k][0], NULL, bad[k][1], bad[k][2], 0, &err));
        assert_int_equal(err.code, SP_EINVAL);
        assert_true(strlen(err.msg) > 0);
    }
}

static void test_free_null(void **state)
{
    (void)state;
    sp_results_free(NULL);
}

static void test_package_lookup(void **state)
{
    (void)state;
    const char *names[] = {"Status quo", "Plan A", "Plan B"};
    sp_results *r = sp_results_alloc(3, names, 1, 1, 0, NULL);
    assert_int_equal(sp_results_package(r, "Status quo"), 0);
    assert_int_equal(sp_results_package(r, "Plan B"), 2);
    assert_int_equal(sp_results_package(r, "Plan C"), -1);
    assert_int_equal(sp_results_package(r, "plan a"), -1);
    assert_int_equal(sp_results_package(r, NULL), -1);
    sp_results_free(r);
}

/* sp_results_at addresses [package][replicate][month][group][metric]. */
static void test_cube_layout(void **state)
{
    (void)state;
    const int P = 2, R = 3, M = 5;
    sp_results *r = sp_results_alloc(P, NULL, R, M, 0, NULL);
    for (int p = 0; p < P; p++)
        for (int q = 0; q < R; q++)
            for (int m = 0; m < M; m++)
                for (int g = 0; g < SP_NGROUP; g++)
                    for (int k = 0; k < SP_NMETRIC; k++)
                        sp_results_at(r, p, q, m)[g * SP_NMETRIC + k] =
                            ((((p * 10 + q) * 10 + m) * 100 + g) * 100) + k;
    size_t idx = 0;
    for (int p = 0; p < P; p++)
        for (int q = 0; q < R; q++)
            for (int m = 0; m < M; m++)
                for (int g = 0; g < SP_NGROUP; g++)
                    for (int k = 0; k < SP_NMETRIC; k++, idx++) {
                        double v = ((((p * 10 + q) * 10 + m) * 100 + g) * 100) + k;
                        assert_true(r->cube[idx] == v);
                        assert_true(sp_results_get(r, p, q, m, g, k) == v);
                    }
    sp_results_free(r);
}

static void test_metric_names_round_trip(void **state)
{
    (void)state;
    for (int m = 0; m < SP_NMETRIC; m++)
        assert_int_equal(sp_metric_find(sp_metric_name(m)), m);
    for (int c = 0; c < SP_NCAT; c++)
        assert_string_equal(sp_metric_name(SP_M_SPEND0 + c), sp_category_name(c));
    assert_string_equal(sp_metric_name(SP_M_SPENDING), "spending");
    assert_string_equal(sp_metric_name(SP_M_HOUSEHOLDS), "households");
    assert_string_equal(sp_metric_name(SP_M_PERSONS), "persons");
    assert_string_equal(sp_metric_name(SP_M_CARS), "cars");
    assert_int_equal(sp_metric_find("income"), -1);
    assert_int_equal(sp_metric_find(NULL), -1);
    assert_string_equal(sp_metric_name(SP_NMETRIC), "?");
}

static void test_metric_kinds_and_units(void **state)
{
    (void)state;
    for (int c = 0; c < SP_NCAT; c++) {
        assert_int_equal(sp_metric_kind_of(SP_M_SPEND0 + c), SP_METRIC_FLOW);
        assert_string_equal(sp_metric_unit(SP_M_SPEND0 + c), "yuan");
    }
    assert_int_equal(sp_metric_kind_of(SP_M_SPENDING), SP_METRIC_FLOW);
    assert_int_equal(sp_metric_kind_of(SP_M_HOUSEHOLDS), SP_METRIC_STOCK);
    assert_int_equal(sp_metric_kind_of(SP_M_PERSONS), SP_METRIC_STOCK);
    assert_int_equal(sp_metric_kind_of(SP_M_CARS), SP_METRIC_STOCK);
    assert_string_equal(sp_metric_unit(SP_M_SPENDING), "yuan");
    assert_string_equal(sp_metric_unit(SP_M_HOUSEHOLDS), "households");
    assert_string_equal(sp_metric_unit(SP_M_PERSONS), "persons");
    assert_string_equal(sp_metric_unit(SP_M_CARS), "cars");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_zeroed_and_names_copied),
        cmocka_unit_test(test_alloc_without_names),
        cmocka_unit_test(test_alloc_rejects_empty_dimensions),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_package_lookup),
        cmocka_unit_test(test_cube_layout),
        cmocka_unit_test(test_metric_names_round_trip),
        cmocka_unit_test(test_metric_kinds_and_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
