/* test_package.c: packages (core/package.h): a name is required and bounded,
 * copied into the package; free(NULL) is a no-op. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_alloc_copies_name(void **state)
{
    (void)state;
    char name[] = "Status quo";
    sp_package *p = sp_package_alloc(name, NULL);
    assert_non_null(p);
    name[0] = 'X';
    assert_string_equal(p->name, "Status quo");
    sp_package_free(p);
}

static void test_empty_or_null_name_fails(void **state)
{
    (void)state;
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_package_alloc("", &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_non_null(strstr(err.msg, "name"));
    sp_err_clear(&err);
    assert_null(sp_package_alloc(NULL, &err));
    assert_int_equal(err.code, SP_EINVAL);
}

static void test_long_name_fails(void **state)
{
    (void)state;
    char name[SP_NAME_MAX + 1];
    memset(name, 'a', SP_NAME_MAX);
    name[SP_NAME_MAX] = '\0';
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_package_alloc(name, &err));
    assert_int_equal(err.code, SP_EINVAL);
    name[SP_NAME_MAX - 1] = '\0'; /* 127 bytes: the longest allowed */
    sp_package *p = sp_package_alloc(name, &err);
    assert_non_null(p);
    sp_package_free(p);
}

static void test_free_null(void **state)
{
    (void)state;
    sp_package_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_copies_name),
        cmocka_unit_test(test_empty_or_null_name_fails),
        cmocka_unit_test(test_long_name_fails),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
