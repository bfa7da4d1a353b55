/* test_spop.c: saved populations (core/spop.h). XXH64 against reference
 * vectors of the xxHash library; a saved and loaded population has the same
 * columns, bit for bit (with and without microdata ids), and an experiment
 * on it gives the same results cube, exactly; the loaded population records
 * its file; and a wrong magic, a wrong version, a truncated file, a longer
 * one, a corrupt column, corrupt padding, a missing column, a missing file
 * and a directory are refused with errors naming the file and the problem. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spendsim.h"
#include "spop.h"

static sp_population *pop;
static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 3000;
    d.seed = 9;
    pop = sp_beijing_build(&d, NULL);
    snprintf(dir, sizeof dir, "/tmp/test_spop.XXXXXX");
    if (!pop || !mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/pop.spop", dir);
    return sp_spop_save(pop, path, "sp.population.beijing{households = 3000, seed = 9}", NULL);
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    unlink(path);
    rmdir(dir);
    return 0;
}

static void test_xxh64_reference_vectors(void **state)
{
    (void)state;
    unsigned char seq[100];
    for (int k = 0; k < 100; k++)
        seq[k] = (unsigned char)k;
    assert_true(sp_xxh64("", 0, 0) == 0xef46db3751d8e999ull);
    assert_true(sp_xxh64("abc", 3, 0) == 0x44bc2cf5ad770999ull);
    assert_true(sp_xxh64("spendsim population", 19, 7) == 0x54ffbc6da1f1341full);
    assert_true(sp_xxh64(seq, 100, 0) == 0x6ac1e58032166597ull);
}

static void assert_same_columns(const sp_population *a, const sp_population *b)
{
    size_t n = a->n;
    assert_int_equal(n, b->n);
#define SAME(col) assert_memory_equal(a->col, b->col, n * sizeof *a->col)
    SAME(weight); SAME(income); SAME(consumption); SAME(size); SAME(area); SAME(liquidity);
    SAME(quintile); SAME(ranks); SAME(drivers); SAME(eligible); SAME(generations);
    SAME(state.ncars); SAME(state.plate_state); SAME(state.applicants); SAME(state.plate_months);
    SAME(state.deferred); SAME(state.deferred_mask); SAME(state.pending); SAME(state.pending_months);
    SAME(state.car_cost); SAME(state.car_pay); SAME(state.car_pay_months);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        SAME(state.car_age[k]);
        SAME(state.car_kind[k]);
    }
#undef SAME
    assert_memory_equal(a->shares, b->shares, n * SP_NCAT * sizeof *a->shares);
    assert_memory_equal(a->engel_a, b->engel_a, sizeof a->engel_a);
    assert_memory_equal(a->engel_b, b->engel_b, sizeof a->engel_b);
    assert_true(a->engel_lnref == b->engel_lnref);
    assert_true(a->total_weight == b->total_weight);
    assert_int_equal(a->base_year, b->base_year);
    assert_int_equal(a->base_month, b->base_month);
}

static void test_round_trip(void **state)
{
    (void)state;
    sp_err err;
    sp_err_clear(&err);
    sp_population *p = sp_spop_load(path, &err);
    if (!p)
        fail_msg("%s", err.msg);
    assert_same_columns(pop, p);
    assert_null(p->id);
    assert_non_null(p->map); /* the static columns are the mapping */
    assert_true((const char *)p->weight >= (const char *)p->map &&
                (const char *)p->weight < (const char *)p->map + p->map_bytes);
    assert_string_equal(p->source, path);
    assert_non_null(strstr(p->label, pop->label));
    assert_non_null(strstr(p->label, "[pop.spop]"));
    assert_non_null(strstr(p->provenance, "households = 3000"));
    assert_non_null(strstr(p->provenance, "saved by spendsim"));
    /* saved again from the mapping: the same file */
    char again[160];
    snprintf(again, sizeof again, "%s/again.spop", dir);
    assert_int_equal(sp_spop_save(p, again, pop->provenance, &err), SP_OK);
    sp_population *q = sp_spop_load(again, &err);
    assert_non_null(q);
    assert_same_columns(pop, q);
    sp_population_free(q);
    sp_population_free(p);
    unlink(again);
}

static void test_ids_round_trip(void **state)
{
    (void)state;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 100;
    sp_population *a = sp_beijing_build(&d, NULL);
    assert_non_null(a);
    a->id = malloc(a->n * sizeof *a->id);
    assert_non_null(a->id);
    for (size_t i = 0; i < a->n; i++)
        a->id[i] = (int64_t)(1000000007ull * (i + 1));
    char f[160];
    snprintf(f, sizeof f, "%s/ids.spop", dir);
    assert_int_equal(sp_spop_save(a, f, NULL, NULL), SP_OK);
    sp_population *b = sp_spop_load(f, NULL);
    assert_non_null(b);
    assert_non_null(b->id);
    assert_memory_equal(a->id, b->id, a->n * sizeof *a->id);
    assert_same_columns(a, b);
    sp_population_free(a);
    sp_population_free(b);
    unlink(f);
}

/* The same experiment on the built and on the loaded population: the same
 * results cube, bit for bit. */
static void test_same_results(void **state)
{
    (void)state;
    sp_population *p = sp_spop_load(path, NULL);
    assert_non_null(p);
    sp_package *pk = sp_package_alloc("Status quo", NULL);
    assert_non_null(pk);
    sp_experiment_def d = sp_experiment_def_default();
    d.packages[0] = pk;
    d.npackages = 1;
    d.months = 12;
    d.replicates = 2;
    d.seed = 5;
    d.population = pop;
    sp_results *a = sp_experiment_run(&d, NULL);
    d.population = p;
    sp_results *b = sp_experiment_run(&d, NULL);
    assert_non_null(a);
    assert_non_null(b);
    size_t cells = (size_t)a->npackages * a->nreplicates * a->nmonths * SP_NGROUP * SP_NMETRIC;
    assert_memory_equal(a->cube, b->cube, cells * sizeof *a->cube);
    sp_results_free(a);
    sp_results_free(b);
    sp_package_free(pk);
    sp_population_free(p);
}

/* ---- refused files ---- */

static unsigned char *slurp(const char *f, size_t *len)
{
    FILE *in = fopen(f, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    *len = (size_t)ftell(in);
    fseek(in, 0, SEEK_SET);
    unsigned char *b = malloc(*len ? *len : 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, in), *len);
    fclose(in);
    return b;
}

/* Writes a copy of the saved file, len bytes of it, with byte `at` set to
 * `to` (at < 0: unchanged), loads it and expects an error containing want. */
static void expect_refused(size_t len, long at, unsigned char to, const char *want)
{
    size_t full;
    unsigned char *b = slurp(path, &full);
    char f[160];
    snprintf(f, sizeof f, "%s/bad.spop", dir);
    FILE *out = fopen(f, "wb");
    assert_non_null(out);
    if (at >= 0)
        b[at] = to;
    size_t keep = len < full ? len : full;
    assert_int_equal(fwrite(b, 1, keep, out), keep);
    if (len > full) /* longer: trailing bytes */
        for (size_t k = full; k < len; k++)
            fputc(0, out);
    fclose(out);
    free(b);
    sp_err err;
    sp_err_clear(&err);
    sp_population *p = sp_spop_load(f, &err);
    assert_null(p);
    assert_int_not_equal(err.code, SP_OK);
    if (!strstr(err.msg, want) || !strstr(err.msg, "bad.spop"))
        fail_msg("error \"%s\" does not say '%s' and name the file", err.msg, want);
    unlink(f);
}

static size_t file_len(void)
{
    size_t len;
    free(slurp(path, &len));
    return len;
}

static void test_wrong_magic(void **state)
{
    (void)state;
    expect_refused(file_len(), 0, 'X', "not a spendsim population file");
    expect_refused(4, -1, 0, "not a spendsim population file");
}

static void test_wrong_version(void **state)
{
    (void)state;
    expect_refused(file_len(), 8, 3, "format version 3");
}

static void test_truncated(void **state)
{
    (void)state;
    size_t len = file_len();
    expect_refused(len - 1, -1, 0, "truncated");
    expect_refused(len / 2, -1, 0, "truncated");
    expect_refused(600, -1, 0, "truncated"); /* within the header */
}

static void test_longer(void **state)
{
    (void)state;
    expect_refused(file_len() + 64, -1, 0, "longer than written");
}

static void test_bad_checksum(void **state)
{
    (void)state;
    size_t len = file_len();
    expect_refused(len, (long)(len - 100), 0x5a, "checksum mismatch"); /* a column */
    expect_refused(len, 300, 'x', "checksum mismatch");                /* the label */
}

static void test_bad_padding(void **state)
{
    (void)state;
    /* 3000 households: the last (one-byte) column is followed by 8 bytes of padding */
    size_t len = file_len();
    expect_refused(len, (long)(len - 1), 1, "padding"); /* the last column's padding */
}

static void test_bad_column_table(void **state)
{
    (void)state;
    expect_refused(file_len(), 1024, 'W', "does not match format version"); /* "weight" renamed */
}

static void test_byte_order_and_header(void **state)
{
    (void)state;
    size_t len = file_len();
    expect_refused(len, 12, 0x01, "other byte order"); /* the mark 0x01020304 reads 0x01020301 */
    expect_refused(len, 40, 200, "corrupt header");    /* 200 columns */
    expect_refused(len, 40, 26, "no column 'car_pay_months'"); /* the table cut by one entry */
}

/* Microdata export: households holding a plate quota cannot be written;
 * bad arguments and paths are errors. */
static void test_microdata_write_errors(void **state)
{
    (void)state;
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_microdata_write(NULL, "x.csv", &err), SP_EINVAL);
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 50;
    sp_population *p = sp_beijing_build(&d, NULL);
    assert_non_null(p);
    char f[160];
    snprintf(f, sizeof f, "%s/won.csv", dir);
    p->state.plate_state[7] = SP_PLATE_WON;
    sp_err_clear(&err);
    assert_int_equal(sp_microdata_write(p, f, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "household 8"));
    p->state.plate_state[7] = SP_PLATE_NONE;
    snprintf(f, sizeof f, "%s/no/such/dir/x.csv", dir);
    sp_err_clear(&err);
    assert_int_not_equal(sp_microdata_write(p, f, &err), SP_OK);
    assert_non_null(strstr(err.msg, "x.csv"));
    sp_population_free(p);
}

static void test_missing_and_directory(void **state)
{
    (void)state;
    sp_err err;
    sp_err_clear(&err);
    char f[160];
    snprintf(f, sizeof f, "%s/none.spop", dir);
    assert_null(sp_spop_load(f, &err));
    assert_int_equal(err.code, SP_EIO);
    assert_non_null(strstr(err.msg, "none.spop"));
    sp_err_clear(&err);
    assert_null(sp_spop_load(dir, &err));
    assert_non_null(strstr(err.msg, "not a regular file"));
    sp_err_clear(&err);
    assert_null(sp_spop_load("", &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_int_equal(sp_spop_save(NULL, f, NULL, &err), SP_EINVAL);
    sp_err_clear(&err);
    snprintf(f, sizeof f, "%s/no/such/dir/x.spop", dir);
    assert_int_not_equal(sp_spop_save(pop, f, NULL, &err), SP_OK);
    assert_non_null(strstr(err.msg, "x.spop"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xxh64_reference_vectors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_ids_round_trip),
        cmocka_unit_test(test_same_results),
        cmocka_unit_test(test_wrong_magic),
        cmocka_unit_test(test_wrong_version),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_longer),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_bad_padding),
        cmocka_unit_test(test_bad_column_table),
        cmocka_unit_test(test_byte_order_and_header),
        cmocka_unit_test(test_microdata_write_errors),
        cmocka_unit_test(test_missing_and_directory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
