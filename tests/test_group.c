/* test_group.c: group dimensions (core/group.h): slots of each dimension tile
 * 0..SP_NGROUP-1 in order, names and labels round trip (income deciles and
 * consumption terciles, quintiles and deciles included), labels are unique,
 * unknowns are rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_slots_tile_the_groups(void **state)
{
    (void)state;
    int next = 0;
    for (int d = 0; d < SP_NDIM; d++) {
        assert_int_equal(sp_dim_first((sp_dim)d), next);
        assert_true(sp_dim_count((sp_dim)d) >= 1);
        next += sp_dim_count((sp_dim)d);
    }
    assert_int_equal(next, SP_NGROUP);
    assert_int_equal(sp_dim_count(SP_DIM_ALL), 1);
    assert_int_equal(sp_dim_count(SP_DIM_QUINTILE), 5);
    assert_int_equal(sp_dim_count(SP_DIM_AREA), 2);
    assert_int_equal(sp_dim_count(SP_DIM_CAR), 2);
    assert_int_equal(sp_dim_count(SP_DIM_LIQUIDITY), 4);
    assert_int_equal(sp_dim_count(SP_DIM_INCOME_DECILE), 10);
    assert_int_equal(sp_dim_count(SP_DIM_CONS_TERCILE), 3);
    assert_int_equal(sp_dim_count(SP_DIM_CONS_QUINTILE), 5);
    assert_int_equal(sp_dim_count(SP_DIM_CONS_DECILE), 10);
}

static void test_dim_names_round_trip(void **state)
{
    (void)state;
    for (int d = 0; d < SP_NDIM; d++)
        assert_int_equal(sp_dim_find(sp_dim_name((sp_dim)d)), d);
    assert_string_equal(sp_dim_name(SP_DIM_CAR), "car_owner");
    assert_string_equal(sp_dim_name(SP_DIM_INCOME_DECILE), "income_decile");
    assert_string_equal(sp_dim_name(SP_DIM_CONS_TERCILE), "consumption_tercile");
    assert_int_equal(sp_dim_find("consumption_decile"), SP_DIM_CONS_DECILE);
    assert_int_equal(sp_dim_find("decile"), -1);
    assert_int_equal(sp_dim_find("income"), -1);
    assert_int_equal(sp_dim_find(NULL), -1);
    assert_int_equal(sp_dim_count((sp_dim)SP_NDIM), 0);
}

static void test_group_labels(void **state)
{
    (void)state;
    assert_string_equal(sp_group_label(0), "all");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_QUINTILE)), "Q1");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_QUINTILE) + 4), "Q5");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_AREA) + SP_AREA_URBAN), "urban");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_AREA) + SP_AREA_RURAL), "rural");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_CAR)), "car owner");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_LIQUIDITY) + SP_LIQ_WEALTHY_NHTM),
                        "wealthy non-HtM");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_INCOME_DECILE) + 9), "D10");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_CONS_TERCILE)), "CT1");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_CONS_QUINTILE) + 4), "CQ5");
    assert_string_equal(sp_group_label(sp_dim_first(SP_DIM_CONS_DECILE) + 9), "CD10");
    for (int s = 0; s < SP_NGROUP; s++)
        for (int t = 0; t < s; t++)
            assert_string_not_equal(sp_group_label(s), sp_group_label(t));
    assert_string_equal(sp_group_label(-1), "?");
    assert_string_equal(sp_group_label(SP_NGROUP), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_tile_the_groups),
        cmocka_unit_test(test_dim_names_round_trip),
        cmocka_unit_test(test_group_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
