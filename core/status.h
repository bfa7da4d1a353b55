/* status.h: status codes and error messages for the whole core.
 *
 * Every fallible core function returns an int status: SP_OK (0) on success, a
 * negative SP_E* code on failure, and, when given a non-NULL sp_err, writes a
 * one-line message naming the problem (the key, the value). The core never
 * aborts or exits. */
#ifndef SP_STATUS_H
#define SP_STATUS_H

#include <stddef.h>

enum {
    SP_OK = 0,
    SP_EINVAL = -1,   /* an argument is out of range or malformed */
    SP_ENOMEM = -2,   /* an allocation failed */
    SP_EIO = -3,      /* a file could not be opened, written or renamed */
    SP_ERANGE = -4,   /* a query asked for something the results do not hold */
    SP_ENUMERIC = -5, /* a numerical routine (GSL) failed */
    SP_EUNSUPPORTED = -6
};

#define SP_ERR_MSG_MAX 512

/* A message buffer filled by failing calls. code mirrors the returned status. */
typedef struct sp_err {
    int code;
    char msg[SP_ERR_MSG_MAX];
} sp_err;

/* Sets err (when non-NULL) to code and a printf-style message; returns code so
 * callers can write `return sp_err_set(err, SP_EINVAL, "...")`. */
int sp_err_set(sp_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears err to SP_OK with an empty message. */
void sp_err_clear(sp_err *err);

/* A short constant name for a status code ("invalid argument", ...). */
const char *sp_status_name(int code);

/* One-time process set-up: turns GSL's aborting error handler off so that GSL
 * failures come back as return codes. Idempotent and cheap; every constructor
 * that may reach GSL calls it. */
void sp_init(void);

#endif
