/* test_calendar.c: calendar months (core/calendar.h): parsing "YYYY-MM" with
 * its error paths, formatting, the integer encoding, days per month (leap
 * years) and a parse/format round trip over two centuries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_parse_valid(void **state)
{
    (void)state;
    int m = -1;
    assert_int_equal(sp_month_parse("2019-01", &m, NULL), SP_OK);
    assert_int_equal(m, 24228);
    assert_int_equal(sp_month_parse("2020-12", &m, NULL), SP_OK);
    assert_int_equal(sp_month_year(m), 2020);
    assert_int_equal(sp_month_of_year(m), 12);
    assert_int_equal(sp_month_parse("1900-01", &m, NULL), SP_OK);
    assert_int_equal(sp_month_parse("2200-12", &m, NULL), SP_OK);
}

/* An invalid text fails with SP_EINVAL, leaves *month alone and quotes the text. */
static void expect_invalid(const char *text)
{
    int m = 12345;
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_month_parse(text, &m, &err), SP_EINVAL);
    assert_int_equal(err.code, SP_EINVAL);
    assert_int_equal(m, 12345);
    assert_true(strlen(err.msg) > 0);
    if (text)
        assert_non_null(strstr(err.msg, text));
}

static void test_parse_month_out_of_range(void **state)
{
    (void)state;
    expect_invalid("2019-13");
    expect_invalid("2019-00");
}

static void test_parse_short_year(void **state)
{
    (void)state;
    expect_invalid("19-01");
}

static void test_parse_one_digit_month(void **state)
{
    (void)state;
    expect_invalid("2019-1");
}

static void test_parse_garbage(void **state)
{
    (void)state;
    expect_invalid("");
    expect_invalid("2019/01");
    expect_invalid("2019-01-01");
    expect_invalid("abcd-ef");
    expect_invalid(" 2019-01");
    expect_invalid("+019-01");
}

static void test_parse_year_out_of_range(void **state)
{
    (void)state;
    expect_invalid("1899-12");
    expect_invalid("2201-01");
}

static void test_parse_null(void **state)
{
    (void)state;
    expect_invalid(NULL);
}

static void test_format(void **state)
{
    (void)state;
    char buf[8];
    sp_month_format(24228, buf);
    assert_string_equal(buf, "2019-01");
    sp_month_format(sp_month_make(2020, 12), buf);
    assert_string_equal(buf, "2020-12");
    sp_month_format(sp_month_make(2023, 6), buf);
    assert_string_equal(buf, "2023-06");
}

static void test_make_is_consecutive(void **state)
{
    (void)state;
    assert_int_equal(sp_month_make(2019, 12) + 1, sp_month_make(2020, 1));
    assert_int_equal(sp_month_make(2019, 1), 2019 * 12);
}

static void test_days_in_month(void **state)
{
    (void)state;
    assert_int_equal(sp_month_days(sp_month_make(2019, 1)), 31);
    assert_int_equal(sp_month_days(sp_month_make(2019, 2)), 28);
    assert_int_equal(sp_month_days(sp_month_make(2020, 2)), 29);
    assert_int_equal(sp_month_days(sp_month_make(1900, 2)), 28); /* century, not leap */
    assert_int_equal(sp_month_days(sp_month_make(2000, 2)), 29); /* 400-year rule */
    assert_int_equal(sp_month_days(sp_month_make(2019, 4)), 30);
    assert_int_equal(sp_month_days(sp_month_make(2019, 12)), 31);
    int year = 0;
    for (int k = 1; k <= 12; k++)
        year += sp_month_days(sp_month_make(2019, k));
    assert_int_equal(year, 365);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (int m = sp_month_make(1900, 1); m <= sp_month_make(2100, 12); m++) {
        char buf[8];
        int back = -1;
        sp_month_format(m, buf);
        assert_int_equal(sp_month_parse(buf, &back, NULL), SP_OK);
        assert_int_equal(back, m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_month_out_of_range),
        cmocka_unit_test(test_parse_short_year),
        cmocka_unit_test(test_parse_one_digit_month),
        cmocka_unit_test(test_parse_garbage),
        cmocka_unit_test(test_parse_year_out_of_range),
        cmocka_unit_test(test_parse_null),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_make_is_consecutive),
        cmocka_unit_test(test_days_in_month),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
