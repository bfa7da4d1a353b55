/* test_writers.c: CSV, Markdown and JSON writers and atomic file output
 * (core/writers/writers.h).
 *
 * Exact expected text for a small table with awkward labels (comma, quotes,
 * newline, pipe), NaN, infinity, negative zero-ish values and large numbers;
 * JSON escaping of control characters and invalid UTF-8; empty tables; format
 * names. Files: an atomic write produces the file and leaves no temporary
 * file; writing into a missing or unwritable directory, or onto a directory,
 * fails with SP_EIO naming the path and leaves nothing behind; a write that
 * fails midway (file size limit) leaves an existing file untouched. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spendsim.h"

/* ---- fixtures ---- */

static char title[] = "Spending, \"Plan\" vs status quo", unit[] = "yuan per person",
            row_header[] = "category";
static char c0[] = "2019Q1", c1[] = "2019Q2", c2[] = "total";
static char r0[] = "food", r1[] = "clothing, footwear", r2[] = "a \"quoted\"\nlabel|x";
static char *cols[] = {c0, c1, c2}, *rows[] = {r0, r1, r2};
static double values[9];

static sp_table sample(void)
{
    const double v[9] = {8065.25, 12.5, NAN, -0.004, 1234567.891, 999.999, 0, -2500.7, INFINITY};
    memcpy(values, v, sizeof v);
    sp_table t = {title, unit, row_header, 3, 3, rows, cols, values, 1, NULL, NULL, NULL, NULL, 0, NULL};
    return t;
}

static char dir[256]; /* a fresh temporary directory for the file tests */

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/spendsim_writers_XXXXXX", base && base[0] ? base : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                if (unlink(p) != 0)
                    rmdir(p);
            }
        closedir(d);
    }
    rmdir(dir);
    return 0;
}

/* Renders a table in memory; the caller frees. */
static char *render(const sp_table *t, sp_format f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_table_write_stream(t, f, out, &err);
    fclose(out);
    if (rc != SP_OK)
        fail_msg("write_stream: %s", err.msg);
    return buf;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, out);
    fclose(f);
    fclose(out);
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Entries in a directory, "." and ".." aside; -1 if it cannot be read. */
static int entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* ---- formats ---- */

static const char expect_csv[] = "category,2019Q1,2019Q2,total\n"
                                 "food,8065.25,12.5,NaN\n"
                                 "\"clothing, footwear\",-0.004,1234567.891,999.999\n"
                                 "\"a \"\"quoted\"\"\nlabel|x\",0,-2500.7,Inf\n";

static const char expect_md[] = "**Spending, \"Plan\" vs status quo** (yuan per person)\n"
                                "\n"
                                "| category            | 2019Q1 |    2019Q2 | total |\n"
                                "| ------------------- | -----: | --------: | ----: |\n"
                                "| food                |  8,065 |     12.50 |   n/a |\n"
                                "| clothing, footwear  | -0.004 | 1,234,568 | 1,000 |\n"
                                "| a \"quoted\" label\\|x |   0.00 |    -2,501 |   inf |\n";

static const char expect_json[] =
    "{\n"
    "  \"title\": \"Spending, \\\"Plan\\\" vs status quo\",\n"
    "  \"unit\": \"yuan per person\",\n"
    "  \"row_header\": \"category\",\n"
    "  \"columns\": [\"2019Q1\", \"2019Q2\", \"total\"],\n"
    "  \"rows\": [\n"
    "    {\"label\": \"food\", \"values\": [8065.25, 12.5, null]},\n"
    "    {\"label\": \"clothing, footwear\", \"values\": [-0.004, 1234567.891, 999.999]},\n"
    "    {\"label\": \"a \\\"quoted\\\"\\nlabel|x\", \"values\": [0, -2500.7, null]}\n"
    "  ]\n"
    "}\n";

static void test_csv_exact(void **state)
{
    (void)state;
    sp_table t = sample();
    char *s = render(&t, SP_FORMAT_CSV);
    assert_string_equal(s, expect_csv);
    free(s);
}

static void test_csv_precision(void **state)
{
    (void)state;
    char *one[] = {c0};
    double v[1] = {1.0 / 3.0};
    sp_table t = {title, unit, row_header, 1, 1, one, one, v, 1, NULL, NULL, NULL, NULL, 0, NULL};
    char *s = render(&t, SP_FORMAT_CSV);
    assert_string_equal(s, "category,2019Q1\n2019Q1,0.3333333333\n");
    free(s);
}

static void test_markdown_exact(void **state)
{
    (void)state;
    sp_table t = sample();
    char *s = render(&t, SP_FORMAT_MARKDOWN);
    assert_string_equal(s, expect_md);
    free(s);
}

static void test_markdown_numbers(void **state)
{
    (void)state;
    char *one[] = {c0};
    const double v[] = {43038.4, -12.4, 0.125 + 1e-9, 999.994, -1000, 1e9, NAN, -INFINITY, -0.0,
                        0.001234, 0.0071};
    const char *want[] = {"43,038", "-12.40", "0.13", "999.99", "-1,000",
                          "1,000,000,000", "n/a", "-inf", "0.00", "0.00123", "0.01"};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        double x = v[k];
        sp_table t = {NULL, NULL, NULL, 1, 1, one, one, &x, 1, NULL, NULL, NULL, NULL, 0, NULL};
        char *s = sp_table_to_markdown(&t, NULL);
        assert_non_null(s);
        /* the one value sits in the last line: "| 2019Q1 | <value> |" */
        char *last = strrchr(s, '\n');
        *last = '\0';
        last = strrchr(s, '\n') + 1;
        char cell[64];
        assert_int_equal(sscanf(last, "| 2019Q1 | %63[^ |]", cell), 1);
        assert_string_equal(cell, want[k]);
        free(s);
    }
}

static void test_markdown_without_title(void **state)
{
    (void)state;
    char empty[] = "";
    char *one[] = {c0};
    double v[1] = {1};
    sp_table t = {empty, empty, row_header, 1, 1, one, one, v, 1, NULL, NULL, NULL, NULL, 0, NULL};
    char *s = render(&t, SP_FORMAT_MARKDOWN);
    assert_string_equal(s, "| category | 2019Q1 |\n"
                           "| -------- | -----: |\n"
                           "| 2019Q1   |   1.00 |\n");
    free(s);
}

static void test_to_markdown_matches_stream(void **state)
{
    (void)state;
    sp_table t = sample();
    sp_err err;
    sp_err_clear(&err);
    char *s = sp_table_to_markdown(&t, &err);
    assert_non_null(s);
    assert_string_equal(s, expect_md);
    free(s);
    assert_null(sp_table_to_markdown(NULL, &err));
    assert_int_equal(err.code, SP_EINVAL);
}

static void test_json_exact(void **state)
{
    (void)state;
    sp_table t = sample();
    char *s = render(&t, SP_FORMAT_JSON);
    assert_string_equal(s, expect_json);
    free(s);
}

static void test_json_escapes(void **state)
{
    (void)state;
    char t1[] = "tab\there \x01\x1f \xc2\xa5 bad\xff end\\ /";
    char *none[] = {NULL};
    sp_table t = {t1, NULL, NULL, 0, 0, none, none, NULL, 1, NULL, NULL, NULL, NULL, 0, NULL};
    char *s = render(&t, SP_FORMAT_JSON);
    assert_string_equal(s, "{\n"
                           "  \"title\": \"tab\\there \\u0001\\u001f \xc2\xa5 bad\\ufffd end\\\\ /\",\n"
                           "  \"unit\": \"\",\n"
                           "  \"row_header\": \"\",\n"
                           "  \"columns\": [],\n"
                           "  \"rows\": []\n"
                           "}\n");
    free(s);
}

static void test_empty_table(void **state)
{
    (void)state;
    sp_table t = sample();
    t.nrows = 0;
    char *s = render(&t, SP_FORMAT_CSV);
    assert_string_equal(s, "category,2019Q1,2019Q2,total\n");
    free(s);
    s = render(&t, SP_FORMAT_MARKDOWN);
    assert_string_equal(s, "**Spending, \"Plan\" vs status quo** (yuan per person)\n\n"
                           "| category | 2019Q1 | 2019Q2 | total |\n"
                           "| -------- | -----: | -----: | ----: |\n");
    free(s);
    s = render(&t, SP_FORMAT_JSON);
    assert_non_null(strstr(s, "\"rows\": []\n}\n"));
    free(s);
}

/* A 1 x 2 table with three replicates and known intervals. */
static sp_table with_intervals(double *v, double *lo90, double *hi90, double *lo95, double *hi95)
{
    static char *one_row[] = {c0};
    static char *two_cols[] = {c0, c0};
    sp_table t = {title, unit, row_header, 1, 2, one_row, two_cols, v, 3, lo90, hi90, lo95, hi95, 0, NULL};
    return t;
}

static void test_csv_long_with_intervals(void **state)
{
    (void)state;
    double v[2] = {10, 2.5}, lo90[2] = {8, 2}, hi90[2] = {12, 3}, lo95[2] = {7.5, 1.5}, hi95[2] = {12.5, 3.5};
    sp_table t = with_intervals(v, lo90, hi90, lo95, hi95);
    char *s = render(&t, SP_FORMAT_CSV_LONG);
    assert_string_equal(s, "category,column,mean,lo90,hi90,lo95,hi95,replicates\n"
                           "2019Q1,2019Q1,10,8,12,7.5,12.5,3\n"
                           "2019Q1,2019Q1,2.5,2,3,1.5,3.5,3\n");
    free(s);
    /* one replicate: the bounds equal the value */
    t.replicates = 1;
    s = render(&t, SP_FORMAT_CSV_LONG);
    assert_non_null(strstr(s, "2019Q1,2019Q1,10,10,10,10,10,1\n"));
    free(s);
}

static void test_markdown_and_json_show_intervals(void **state)
{
    (void)state;
    double v[2] = {10, 2.5}, lo90[2] = {8, 2}, hi90[2] = {12, 3}, lo95[2] = {7.5, 1.5}, hi95[2] = {12.5, 3.5};
    sp_table t = with_intervals(v, lo90, hi90, lo95, hi95);
    char *s = render(&t, SP_FORMAT_MARKDOWN);
    assert_non_null(strstr(s, "10.00 [7.50, 12.50]"));
    assert_non_null(strstr(s, "mean of 3 replicates [95% interval]"));
    free(s);
    s = render(&t, SP_FORMAT_JSON);
    assert_non_null(strstr(s, "\"replicates\": 3"));
    assert_non_null(strstr(s, "\"lo90\": [8, 2], \"hi90\": [12, 3], \"lo95\": [7.5, 1.5], \"hi95\": [12.5, 3.5]"));
    free(s);
}

static void test_format_names(void **state)
{
    (void)state;
    for (int f = 0; f < SP_NFORMAT; f++)
        assert_int_equal(sp_format_find(sp_format_name((sp_format)f)), f);
    assert_string_equal(sp_format_name(SP_FORMAT_CSV), "csv");
    assert_string_equal(sp_format_name(SP_FORMAT_MARKDOWN), "md");
    assert_string_equal(sp_format_name(SP_FORMAT_JSON), "json");
    assert_string_equal(sp_format_name(SP_FORMAT_CSV_LONG), "csv_long");
    assert_string_equal(sp_format_extension(SP_FORMAT_CSV_LONG), "long.csv");
    assert_string_equal(sp_format_extension(SP_FORMAT_MARKDOWN), "md");
    assert_int_equal(sp_format_find("html"), -1);
    assert_int_equal(sp_format_find(NULL), -1);
    assert_string_equal(sp_format_name((sp_format)SP_NFORMAT), "?");
}

static void test_stream_argument_errors(void **state)
{
    (void)state;
    sp_table t = sample();
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_table_write_stream(NULL, SP_FORMAT_CSV, stdout, &err), SP_EINVAL);
    assert_int_equal(sp_table_write_stream(&t, (sp_format)7, stdout, &err), SP_EINVAL);
    assert_int_equal(sp_table_write_stream(&t, SP_FORMAT_CSV, NULL, &err), SP_EINVAL);
    t.values = NULL;
    assert_int_equal(sp_table_write_stream(&t, SP_FORMAT_CSV, stdout, &err), SP_EINVAL);
}

/* A stream that cannot be written reports SP_EIO. */
static void test_stream_error_reported(void **state)
{
    (void)state;
    FILE *ro = fopen("/dev/null", "r");
    assert_non_null(ro);
    sp_table t = sample();
    for (int f = 0; f < SP_NFORMAT; f++) {
        sp_err err;
        sp_err_clear(&err);
        clearerr(ro);
        assert_int_equal(sp_table_write_stream(&t, (sp_format)f, ro, &err), SP_EIO);
        assert_true(strlen(err.msg) > 0);
    }
    fclose(ro);
}

/* ---- files ---- */

static void test_write_file(void **state)
{
    (void)state;
    sp_table t = sample();
    const sp_format fmts[] = {SP_FORMAT_CSV, SP_FORMAT_MARKDOWN, SP_FORMAT_JSON};
    const char *want[] = {expect_csv, expect_md, expect_json};
    for (int k = 0; k < 3; k++) {
        char path[512], name[32];
        snprintf(name, sizeof name, "table.%s", sp_format_name(fmts[k]));
        path_in(path, sizeof path, name);
        sp_err err;
        sp_err_clear(&err);
        assert_int_equal(sp_table_write_file(&t, fmts[k], path, &err), SP_OK);
        char *got = slurp(path);
        assert_non_null(got);
        assert_string_equal(got, want[k]);
        free(got);
        assert_int_equal(entries(dir), k + 1); /* no temporary file left beside it */
    }
    for (int k = 0; k < 3; k++) {
        char path[512], name[32];
        snprintf(name, sizeof name, "table.%s", sp_format_name(fmts[k]));
        path_in(path, sizeof path, name);
        unlink(path);
    }
}

static void test_write_file_replaces(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "replace.csv");
    spit(path, "old,content\n");
    sp_table t = sample();
    assert_int_equal(sp_table_write_file(&t, SP_FORMAT_CSV, path, NULL), SP_OK);
    char *got = slurp(path);
    assert_string_equal(got, expect_csv);
    free(got);
    assert_int_equal(entries(dir), 1);
    unlink(path);
}

static void test_new_file_mode_follows_umask(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "mode.csv");
    mode_t old = umask(022);
    sp_table t = sample();
    int rc = sp_table_write_file(&t, SP_FORMAT_CSV, path, NULL);
    umask(old);
    assert_int_equal(rc, SP_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    unlink(path);
}

static void expect_eio_naming(int rc, const sp_err *err, const char *path)
{
    assert_int_equal(rc, SP_EIO);
    assert_int_equal(err->code, SP_EIO);
    if (!strstr(err->msg, path))
        fail_msg("\"%s\" does not name the path %s", err->msg, path);
}

static void test_missing_directory(void **state)
{
    (void)state;
    char sub[512], path[600];
    path_in(sub, sizeof sub, "nonexistent");
    snprintf(path, sizeof path, "%s/out.csv", sub);
    sp_table t = sample();
    sp_err err;
    sp_err_clear(&err);
    expect_eio_naming(sp_table_write_file(&t, SP_FORMAT_CSV, path, &err), &err, path);
    assert_non_null(strstr(err.msg, strerror(ENOENT)));
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(entries(dir), 0);
}

static void test_unwritable_directory(void **state)
{
    (void)state;
    if (geteuid() == 0) {
        print_message("running as root: permissions do not stop writes, skipped\n");
        skip();
    }
    char sub[512], path[600];
    path_in(sub, sizeof sub, "readonly");
    assert_int_equal(mkdir(sub, 0555), 0);
    snprintf(path, sizeof path, "%s/out.csv", sub);
    sp_table t = sample();
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_table_write_file(&t, SP_FORMAT_CSV, path, &err);
    int n = entries(sub);
    rmdir(sub);
    expect_eio_naming(rc, &err, path);
    assert_non_null(strstr(err.msg, strerror(EACCES)));
    assert_int_equal(n, 0);
}

/* The target is a directory: the rename fails, the temporary file goes. */
static void test_target_is_directory(void **state)
{
    (void)state;
    char sub[512];
    path_in(sub, sizeof sub, "adir");
    assert_int_equal(mkdir(sub, 0755), 0);
    sp_table t = sample();
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_table_write_file(&t, SP_FORMAT_JSON, sub, &err);
    int n = entries(dir), inside = entries(sub);
    rmdir(sub);
    expect_eio_naming(rc, &err, sub);
    assert_int_equal(n, 1); /* the directory itself, no temporary file */
    assert_int_equal(inside, 0);
}

/* A write that fails midway (the file-size limit stops it after 1 KiB)
 * leaves the existing file as it was and no temporary file. Works as root. */
static void test_failed_write_keeps_existing_file(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "keep.csv");
    spit(path, "previous,complete\n1,2\n");
    enum { NR = 200, NC = 50 };
    static double v[NR * NC];
    static char *labels[NR > NC ? NR : NC];
    for (size_t k = 0; k < NR * NC; k++)
        v[k] = 12345.678901 * (double)k;
    for (int k = 0; k < (NR > NC ? NR : NC); k++)
        labels[k] = c0;
    sp_table big = {title, unit, row_header, NR, NC, labels, labels, v, 1, NULL, NULL, NULL, NULL, 0, NULL};

    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1024;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_table_write_file(&big, SP_FORMAT_CSV, path, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);

    expect_eio_naming(rc, &err, path);
    char *got = slurp(path);
    assert_non_null(got);
    assert_string_equal(got, "previous,complete\n1,2\n");
    free(got);
    assert_int_equal(entries(dir), 1);
    unlink(path);
}

static void test_write_file_argument_errors(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "bad.csv");
    sp_table t = sample();
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_table_write_file(&t, (sp_format)-1, path, &err), SP_EINVAL);
    assert_int_equal(sp_table_write_file(&t, SP_FORMAT_CSV, NULL, &err), SP_EINVAL);
    assert_int_equal(sp_table_write_file(&t, SP_FORMAT_CSV, "", &err), SP_EINVAL);
    assert_int_equal(sp_table_write_file(NULL, SP_FORMAT_CSV, path, &err), SP_EINVAL);
    assert_int_equal(entries(dir), 0); /* nothing created */
}

static void test_atomic_abort_leaves_nothing(void **state)
{
    (void)state;
    char path[512], tmp[600];
    path_in(path, sizeof path, "aborted.txt");
    sp_err err;
    sp_err_clear(&err);
    FILE *f = sp_atomic_open(path, tmp, sizeof tmp, &err);
    assert_non_null(f);
    assert_int_equal(strncmp(tmp, path, strlen(path)), 0);
    assert_non_null(strstr(tmp, ".tmp."));
    assert_int_equal(access(tmp, F_OK), 0);
    assert_int_equal(access(path, F_OK), -1); /* nothing at the target yet */
    fputs("half a table", f);
    sp_atomic_abort(f, tmp);
    assert_int_equal(entries(dir), 0);
}

static void test_atomic_commit(void **state)
{
    (void)state;
    char path[512], tmp[600];
    path_in(path, sizeof path, "committed.txt");
    FILE *f = sp_atomic_open(path, tmp, sizeof tmp, NULL);
    assert_non_null(f);
    fputs("whole\n", f);
    assert_int_equal(sp_atomic_commit(f, tmp, path, NULL), SP_OK);
    char *got = slurp(path);
    assert_string_equal(got, "whole\n");
    free(got);
    assert_int_equal(entries(dir), 1);
    unlink(path);
}

static void test_atomic_open_small_buffer(void **state)
{
    (void)state;
    char path[512], tmp[8];
    path_in(path, sizeof path, "x.txt");
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_atomic_open(path, tmp, sizeof tmp, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(entries(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_exact),
        cmocka_unit_test(test_csv_precision),
        cmocka_unit_test(test_markdown_exact),
        cmocka_unit_test(test_markdown_numbers),
        cmocka_unit_test(test_markdown_without_title),
        cmocka_unit_test(test_to_markdown_matches_stream),
        cmocka_unit_test(test_json_exact),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_csv_long_with_intervals),
        cmocka_unit_test(test_markdown_and_json_show_intervals),
        cmocka_unit_test(test_stream_argument_errors),
        cmocka_unit_test(test_stream_error_reported),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_write_file_replaces),
        cmocka_unit_test(test_new_file_mode_follows_umask),
        cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_unwritable_directory),
        cmocka_unit_test(test_target_is_directory),
        cmocka_unit_test(test_failed_write_keeps_existing_file),
        cmocka_unit_test(test_write_file_argument_errors),
        cmocka_unit_test(test_atomic_abort_leaves_nothing),
        cmocka_unit_test(test_atomic_commit),
        cmocka_unit_test(test_atomic_open_small_buffer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
