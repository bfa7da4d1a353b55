/* status.c: status codes, messages, one-time initialisation. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

#include <gsl/gsl_errno.h>

int sp_err_set(sp_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void sp_err_clear(sp_err *err)
{
    if (err) {
        err->code = SP_OK;
        err->msg[0] = '\0';
    }
}

const char *sp_status_name(int code)
{
    switch (code) {
    case SP_OK: return "ok";
    case SP_EINVAL: return "invalid argument";
    case SP_ENOMEM: return "out of memory";
    case SP_EIO: return "input/output error";
    case SP_ERANGE: return "not in the results";
    case SP_ENUMERIC: return "numerical failure";
    case SP_EUNSUPPORTED: return "unsupported";
    default: return "unknown error";
    }
}

void sp_init(void)
{
    /* Setting the handler is idempotent; racing calls store the same value. */
    gsl_set_error_handler_off();
}
