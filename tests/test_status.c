/* test_status.c: status codes and messages (core/status.c): sp_err_set formats
 * the message and returns the code, a NULL sp_err is tolerated, sp_err_clear
 * resets, long messages are truncated safely, every code has a name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static void test_set_formats_and_returns_code(void **state)
{
    (void)state;
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_err_set(&err, SP_EINVAL, "parameter '%s' = %g", "growth", 2.5);
    assert_int_equal(rc, SP_EINVAL);
    assert_int_equal(err.code, SP_EINVAL);
    assert_string_equal(err.msg, "parameter 'growth' = 2.5");
}

static void test_set_with_null_err_returns_code(void **state)
{
    (void)state;
    assert_int_equal(sp_err_set(NULL, SP_EIO, "cannot open %s", "x.csv"), SP_EIO);
}

static void test_set_truncates_long_messages(void **state)
{
    (void)state;
    char big[2 * SP_ERR_MSG_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sp_err err;
    assert_int_equal(sp_err_set(&err, SP_ERANGE, "%s", big), SP_ERANGE);
    assert_int_equal(strlen(err.msg), SP_ERR_MSG_MAX - 1);
}

static void test_clear_resets(void **state)
{
    (void)state;
    sp_err err;
    sp_err_set(&err, SP_ENOMEM, "out of memory");
    sp_err_clear(&err);
    assert_int_equal(err.code, SP_OK);
    assert_string_equal(err.msg, "");
    sp_err_clear(NULL); /* no-op */
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(sp_status_name(SP_OK), "ok");
    assert_string_equal(sp_status_name(SP_EINVAL), "invalid argument");
    assert_string_equal(sp_status_name(SP_ENOMEM), "out of memory");
    assert_string_equal(sp_status_name(SP_EIO), "input/output error");
    const int codes[] = {SP_OK,      SP_EINVAL,   SP_ENOMEM,      SP_EIO,
                         SP_ERANGE, SP_ENUMERIC, SP_EUNSUPPORTED};
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        const char *name = sp_status_name(codes[k]);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown error");
        for (size_t j = 0; j < k; j++)
            assert_string_not_equal(name, sp_status_name(codes[j]));
    }
    assert_string_equal(sp_status_name(-999), "unknown error");
}

static void test_init_is_idempotent(void **state)
{
    (void)state;
    sp_init();
    sp_init();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_formats_and_returns_code),
        cmocka_unit_test(test_set_with_null_err_returns_code),
        cmocka_unit_test(test_set_truncates_long_messages),
        cmocka_unit_test(test_clear_resets),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_init_is_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
