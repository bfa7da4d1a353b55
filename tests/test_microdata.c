/* test_microdata.c: populations read from survey microdata (core/microdata.h).
 * Columns land where they should (weights, sizes, areas, incomes, cars with
 * ages and emission standards, plate pools, given shares renormalised);
 * absent columns take their documented defaults (Engel shares calibrated to
 * the 2018 composition, liquidity types drawn by rank); quoted fields, comments
 * and empty optional fields are read; every malformed input fails with a
 * message naming the file, line, column and value, and no population. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
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

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/spendsim_md_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to dir/name and returns the path (static buffer). */
static const char *file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static sp_population *read_ok(const char *path)
{
    sp_err e;
    sp_microdata_def d = sp_microdata_def_default();
    d.path = path;
    sp_population *p = sp_microdata_read(&d, &e);
    if (!p)
        fail_msg("%s", e.msg);
    return p;
}

static void expect_error(const char *text, const char *const *needles)
{
    sp_err e;
    sp_microdata_def d = sp_microdata_def_default();
    d.path = file("bad.csv", text);
    assert_null(sp_microdata_read(&d, &e));
    for (; *needles; needles++)
        if (!strstr(e.msg, *needles))
            fail_msg("message \"%s\" does not mention \"%s\"", e.msg, *needles);
}

static const char good[] =
    "# households of a small survey\n"
    "weight,size,area,income,consumption,cars,car1_age,car1_nev,liquidity,plate_state,share_food,"
    "share_clothing,share_housing,share_household_goods,share_transport,share_education,"
    "share_health,share_other\n"
    "1200.5,3,urban,210000,130000,1,150,0,wealthy_nhtm,none,0.2,0.05,0.35,0.06,0.12,0.1,0.08,0.04\n"
    "800,2,rural,60000,45000,0,,,poor_htm,lottery,0.3,0.05,0.3,0.05,0.1,0.1,0.05,0.05\n"
    "\"1,000\",1,urban,90000,60000,0,,,,none,0.2,0.1,0.3,0.1,0.1,0.1,0.05,0.05\n"
    "\r\n"
    "950,4,1,320000,170000,1,30,1,,nev_queue,0.1,0.1,0.4,0.1,0.1,0.1,0.05,0.0505\n";

static void test_columns(void **state)
{
    (void)state;
    /* "1,000" is one quoted field (the comma does not split it), and not a number */
    const char *names[] = {"bad.csv:5", "column 'weight'", "'1,000' is not a number", NULL};
    expect_error(good, names);
    /* the same file with the quoted field "1000": read */
    char fixed[sizeof good];
    const char *q = strstr(good, "\"1,000\"");
    size_t head = (size_t)(q - good);
    memcpy(fixed, good, head);
    strcpy(fixed + head, "\"1000\"");
    strcat(fixed, q + strlen("\"1,000\""));
    sp_population *p = read_ok(file("good.csv", fixed));
    assert_int_equal(p->n, 4);
    assert_true(fabs(p->total_weight - (1200.5 + 800 + 1000 + 950)) < 1e-9);
    assert_int_equal(p->size[3], 4);
    assert_int_equal(p->area[1], SP_AREA_RURAL);
    assert_int_equal(p->area[3], SP_AREA_URBAN); /* "1" */
    assert_true(p->income[0] == 210000 && p->consumption[1] == 45000);
    assert_int_equal(p->state.ncars[0], 1);
    assert_int_equal(p->state.car_age[0][0], 150);
    /* 150 months before 2019-12 is 2007-06: China III */
    assert_int_equal(SP_CAR_EMISSION(p->state.car_kind[0][0]), 3);
    assert_true(p->state.car_kind[0][3] & SP_CAR_NEV);
    assert_int_equal(p->liquidity[0], SP_LIQ_WEALTHY_NHTM);
    assert_int_equal(p->liquidity[1], SP_LIQ_POOR_HTM);
    assert_true(p->liquidity[2] <= SP_LIQ_WEALTHY_NHTM); /* drawn */
    assert_int_equal(p->state.plate_state[1], SP_PLATE_LOTTERY);
    assert_int_equal(p->state.applicants[1], 1);
    assert_int_equal(p->state.plate_state[3], SP_PLATE_NEV_QUEUE);
    assert_true(fabs(sp_population_share(p, 0, SP_CAT_HOUSING) - 0.35) < 1e-4);
    double sum = 0; /* last row sums to 1.0005: renormalised */
    for (int c = 0; c < SP_NCAT; c++)
        sum += sp_population_share(p, 3, c);
    assert_true(fabs(sum - 1.0) < 1e-9);
    assert_non_null(strstr(p->label, "good.csv"));
    for (size_t i = 0; i < p->n; i++)
        assert_true(p->quintile[i] <= 4);
    assert_true(p->quintile[1] < p->quintile[3]); /* 30,000 vs 80,000 per person */
    sp_population_free(p);
}

static void test_shares_default_to_engel_calibration(void **state)
{
    (void)state;
    char text[4096] = "weight,size,area,income,consumption\n";
    for (int i = 0; i < 40; i++) {
        char line[128];
        snprintf(line, sizeof line, "%d,%d,%s,%d,%d\n", 100 + i, 1 + i % 4, i % 5 ? "urban" : "rural",
                 40000 + 9000 * i, 30000 + 5000 * i);
        strcat(text, line);
    }
    sp_population *p = read_ok(file("plain.csv", text));
    sp_population_summary s;
    assert_int_equal(sp_population_summary_compute(p, &s, NULL), SP_OK);
    for (int c = 0; c < SP_NCAT; c++)
        assert_true(fabs(s.share[c] - sp_category_share_2018(c)) < 1e-3);
    /* food share falls with income */
    assert_true(sp_population_share(p, 0, SP_CAT_FOOD) > sp_population_share(p, 39, SP_CAT_FOOD));
    sp_population_free(p);
}

static void test_errors(void **state)
{
    (void)state;
    sp_err e;
    sp_microdata_def d = sp_microdata_def_default();
    d.path = "/nonexistent/households.csv";
    assert_null(sp_microdata_read(&d, &e));
    assert_non_null(strstr(e.msg, "/nonexistent/households.csv"));
    const char *a[] = {"unknown column 'incme'", NULL};
    expect_error("weight,size,area,incme,consumption\n1,1,urban,1,1\n", a);
    const char *b[] = {"required column 'consumption' is missing", NULL};
    expect_error("weight,size,area,income\n1,1,urban,1\n", b);
    const char *c[] = {"bad.csv:2", "column 'size'", "'two' is not a number", NULL};
    expect_error("weight,size,area,income,consumption\n1,two,urban,1,1\n", c);
    const char *d2[] = {"bad.csv:3", "column 'weight'", "out of range", NULL};
    expect_error("weight,size,area,income,consumption\n1,1,urban,1,1\n-5,1,urban,1,1\n", d2);
    const char *f[] = {"bad.csv:2", "4 fields, the header has 5", NULL};
    expect_error("weight,size,area,income,consumption\n1,1,urban,1\n", f);
    const char *g[] = {"bad.csv:2", "no 'car1_age'", NULL};
    expect_error("weight,size,area,income,consumption,cars\n1,1,urban,1,1,1\n", g);
    const char *h[] = {"all eight share columns", "share_clothing", NULL};
    expect_error("weight,size,area,income,consumption,share_food\n1,1,urban,1,1,0.2\n", h);
    const char *i[] = {"column 'area'", "unknown value 'town'", NULL};
    expect_error("weight,size,area,income,consumption\n1,1,town,1,1\n", i);
    const char *j[] = {"column 'size'", "whole number", NULL};
    expect_error("weight,size,area,income,consumption\n1,1.5,urban,1,1\n", j);
    const char *k[] = {"no households", NULL};
    expect_error("weight,size,area,income,consumption\n", k);
    const char *l[] = {"appears twice", NULL};
    expect_error("weight,size,area,income,consumption,size\n1,1,urban,1,1,1\n", l);
    const char *m[] = {"required column 'income' is empty", NULL};
    expect_error("weight,size,area,income,consumption\n1,1,urban,,1\n", m);
    const char *n[] = {"unterminated quoted field", NULL};
    expect_error("weight,size,area,income,consumption\n1,1,\"urban,1,1\n", n);
}

static void test_runs_in_an_experiment(void **state)
{
    (void)state;
    char text[4096] = "weight,size,area,income,consumption\n";
    for (int i = 0; i < 60; i++) {
        char line[128];
        snprintf(line, sizeof line, "%d,%d,urban,%d,%d\n", 50 + i, 1 + i % 3, 50000 + 3000 * i,
                 36000 + 2000 * i);
        strcat(text, line);
    }
    sp_population *p = read_ok(file("run.csv", text));
    sp_err e;
    sp_package *b = sp_package_alloc("Status quo", &e);
    sp_experiment_def d = sp_experiment_def_default();
    d.population = p;
    d.packages[0] = b;
    d.npackages = 1;
    d.months = 12;
    d.replicates = 40;
    sp_results *r = sp_experiment_run(&d, &e);
    assert_non_null(r);
    double spend = 0, planned = 0;
    for (int rep = 0; rep < 40; rep++)
        for (int m = 0; m < 12; m++)
            spend += sp_results_get(r, 0, rep, m, 0, SP_M_SPENDING) / 40;
    for (size_t i = 0; i < p->n; i++)
        planned += (double)p->weight[i] * p->consumption[i];
    /* 2019 spending equals planned consumption up to the growth convexity and the
     * trip noise of 60 households x 40 replicates (stated tolerance 2%) */
    assert_true(fabs(spend / planned - 1.0) < 0.02);
    sp_results_free(r);
    sp_package_free(b);
    sp_population_free(p);
}

/* Reads len bytes of text through sp_microdata_read_text; NULL with e set. */
static sp_population *read_text(const char *text, size_t len, sp_err *e)
{
    sp_microdata_def d = sp_microdata_def_default();
    d.path = "mem.csv";
    return sp_microdata_read_text(&d, text, len, e);
}

/* A NUL byte is an error naming its line, not the end of the file (4 rows
 * must not read as 2). */
static void test_nul_byte_is_an_error(void **state)
{
    (void)state;
    static const char text[] = "weight,size,area,income,consumption\n"
                               "1,1,urban,1000,900\n"
                               "1,1,urban,1000,900\n"
                               "1,1,urb\0an,1000,900\n"
                               "1,1,urban,1000,900\n";
    sp_err e;
    assert_null(read_text(text, sizeof text - 1, &e));
    assert_non_null(strstr(e.msg, "mem.csv:4: a NUL byte at column 8"));
    /* the same file on disk */
    char path[128];
    snprintf(path, sizeof path, "%s/nul.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(text, 1, sizeof text - 1, f);
    fclose(f);
    sp_microdata_def d = sp_microdata_def_default();
    d.path = path;
    assert_null(sp_microdata_read(&d, &e));
    assert_non_null(strstr(e.msg, ":4: a NUL byte"));
}

/* A UTF-8 byte order mark before the header is skipped: 'weight' is known. */
static void test_bom_is_skipped(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBFweight,size,area,income,consumption\n"
                               "2,1,urban,1000,900\n";
    sp_err e;
    sp_population *p = read_text(text, sizeof text - 1, &e);
    if (!p)
        fail_msg("%s", e.msg);
    assert_int_equal(p->n, 1);
    assert_float_equal(p->weight[0], 2.0, 0);
    sp_population_free(p);
}

/* CR-only line endings (old Mac files) read as lines, with line numbers in
 * messages; CR LF too. */
static void test_cr_line_endings(void **state)
{
    (void)state;
    static const char cr[] = "weight,size,area,income,consumption\r"
                             "2,1,urban,1000,900\r"
                             "3,2,\"rural\",2000,1900\r";
    sp_err e;
    sp_population *p = read_text(cr, sizeof cr - 1, &e);
    if (!p)
        fail_msg("%s", e.msg);
    assert_int_equal(p->n, 2);
    assert_float_equal(p->weight[1], 3.0, 0);
    assert_int_equal(p->size[1], 2);
    sp_population_free(p);
    static const char bad[] = "weight,size,area,income,consumption\r"
                              "2,1,urban,1000,900\r"
                              "3,2,rural,lots,1900\r";
    assert_null(read_text(bad, sizeof bad - 1, &e));
    assert_non_null(strstr(e.msg, "mem.csv:3: column 'income': 'lots' is not a number"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_shares_default_to_engel_calibration),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_runs_in_an_experiment),
        cmocka_unit_test(test_nul_byte_is_an_error),
        cmocka_unit_test(test_bom_is_skipped),
        cmocka_unit_test(test_cr_line_endings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
