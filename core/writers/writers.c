/* writers.c: format names, dispatch, file and string output of tables. */
#define _POSIX_C_SOURCE 200809L

#include "writers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "writers_internal.h"

static const char *const format_names[SP_NFORMAT] = {"csv", "md", "json", "csv_long"};
static const char *const format_ext[SP_NFORMAT] = {"csv", "md", "json", "long.csv"};

const char *sp_format_extension(sp_format f)
{
    return (int)f >= 0 && f < SP_NFORMAT ? format_ext[f] : "?";
}

const char *sp_format_name(sp_format f)
{
    return (int)f >= 0 && f < SP_NFORMAT ? format_names[f] : "?";
}

int sp_format_find(const char *name)
{
    for (int f = 0; name && f < SP_NFORMAT; f++)
        if (strcmp(format_names[f], name) == 0)
            return f;
    return -1;
}

int sp_write_check(FILE *out, const char *format, sp_err *err)
{
    errno = 0;
    if (fflush(out) != 0 || ferror(out)) {
        int e = errno ? errno : EIO;
        return sp_err_set(err, SP_EIO, "error writing a %s table: %s", format, strerror(e));
    }
    return SP_OK;
}

/* Checks what the writers rely on, before anything is written. */
static int check_args(const sp_table *t, sp_format f, sp_err *err)
{
    if (!t)
        return sp_err_set(err, SP_EINVAL, "no table to write");
    if ((int)f < 0 || f >= SP_NFORMAT)
        return sp_err_set(err, SP_EINVAL, "unknown table format %d (csv, md, json or csv_long)", (int)f);
    if (t->nrows && t->ncols && !t->values)
        return sp_err_set(err, SP_EINVAL, "table of %zu x %zu has no values", t->nrows, t->ncols);
    return SP_OK;
}

static int dispatch(const sp_table *t, sp_format f, FILE *out, sp_err *err)
{
    switch (f) {
    case SP_FORMAT_CSV: return sp_write_csv(t, out, err);
    case SP_FORMAT_MARKDOWN: return sp_write_markdown(t, out, err);
    case SP_FORMAT_JSON: return sp_write_json(t, out, err);
    case SP_FORMAT_CSV_LONG: return sp_write_csv_long(t, out, err);
    default: return sp_err_set(err, SP_EINVAL, "unknown table format %d", (int)f);
    }
}

int sp_table_write_stream(const sp_table *t, sp_format f, FILE *out, sp_err *err)
{
    int rc = check_args(t, f, err);
    if (rc != SP_OK)
        return rc;
    if (!out)
        return sp_err_set(err, SP_EINVAL, "no stream to write the table to");
    return dispatch(t, f, out, err);
}

typedef struct {
    const sp_table *t;
    sp_format f;
} table_job;

static int write_table(FILE *out, const void *ctx, sp_err *err)
{
    const table_job *job = ctx;
    return dispatch(job->t, job->f, out, err);
}

int sp_table_write_file(const sp_table *t, sp_format f, const char *path, sp_err *err)
{
    int rc = check_args(t, f, err);
    if (rc != SP_OK)
        return rc;
    if (!path || !path[0])
        return sp_err_set(err, SP_EINVAL, "an output file needs a non-empty path");
    table_job job = {t, f};
    return sp_atomic_write(path, write_table, &job, err);
}

char *sp_table_to_markdown(const sp_table *t, sp_err *err)
{
    if (check_args(t, SP_FORMAT_MARKDOWN, err) != SP_OK)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) {
        sp_err_set(err, SP_ENOMEM, "out of memory rendering a Markdown table");
        return NULL;
    }
    int rc = sp_write_markdown(t, out, err);
    if (fclose(out) != 0 && rc == SP_OK)
        rc = sp_err_set(err, SP_ENOMEM, "out of memory rendering a Markdown table");
    if (rc != SP_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}
