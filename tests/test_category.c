/* test_category.c: the eight consumption categories (core/category.h): names
 * and lookup round trip, and the 2018 Beijing composition (sums to 1, food
 * 20.2%, housing 35.4%). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c < SP_NCAT; c++)
        assert_int_equal(sp_category_find(sp_category_name(c)), c);
    assert_string_equal(sp_category_name(SP_CAT_FOOD), "food");
    assert_string_equal(sp_category_name(SP_CAT_HOUSEHOLD_GOODS), "household_goods");
    assert_string_equal(sp_category_name(SP_CAT_OTHER), "other");
}

static void test_unknown_names(void **state)
{
    (void)state;
    assert_int_equal(sp_category_find("cars"), -1);
    assert_int_equal(sp_category_find("Food"), -1);
    assert_int_equal(sp_category_find(NULL), -1);
    assert_string_equal(sp_category_name(-1), "?");
    assert_string_equal(sp_category_name(SP_NCAT), "?");
}

static void test_shares_2018(void **state)
{
    (void)state;
    double sum = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        assert_true(sp_category_share_2018(c) > 0);
        sum += sp_category_share_2018(c);
    }
    assert_float_equal(sum, 1.0, 1e-12);
    assert_float_equal(sp_category_share_2018(SP_CAT_FOOD), 0.202, 0.0005);
    assert_float_equal(sp_category_share_2018(SP_CAT_HOUSING), 0.354, 0.0005);
    assert_float_equal(sp_category_share_2018(SP_CAT_OTHER), 0.027, 0.0005);
    assert_float_equal(sp_category_share_2018(SP_NCAT), 0.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_shares_2018),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
