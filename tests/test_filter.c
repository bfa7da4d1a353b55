/* test_filter.c: the household filter language (core/filter.h): operator
 * precedence, parentheses, unary minus, every comparison operator, true/false
 * and named constants; every static and dynamic column against hand-built
 * households (the oldest car decides car_age, emission and nev); dynamic
 * columns refusing a NULL state; evaluation across chunk boundaries with lo/hi
 * off the chunk grid; errors that name the column or the position; and
 * agreement with a direct per-household computation on 5000 random
 * households. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"
#include "group.h"
#include "population.h"

/* ---- helpers ---- */

/* Compiles text, failing the test with the compiler's message if it does not. */
static sp_filter *compile_ok(const char *text)
{
    sp_err err;
    sp_err_clear(&err);
    sp_filter *f = sp_filter_compile(text, &err);
    if (!f)
        fail_msg("'%s' did not compile: %s", text, err.msg);
    return f;
}

/* Evaluates text over all of pop (with pop's own state) into a string of
 * '0'/'1', one character per household. out holds pop->n + 1 characters. */
static void eval_string(const char *text, const sp_population *pop, char *out)
{
    sp_filter *f = compile_ok(text);
    uint8_t mask[64];
    assert_true(pop->n <= sizeof mask);
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_filter_eval(f, pop, &pop->state, 0, pop->n, mask, &err);
    if (rc != SP_OK)
        fail_msg("'%s' did not evaluate: %s", text, err.msg);
    for (size_t i = 0; i < pop->n; i++) {
        assert_true(mask[i] == 0 || mask[i] == 1);
        out[i] = (char)('0' + mask[i]);
    }
    out[pop->n] = '\0';
    sp_filter_free(f);
}

typedef struct expect {
    const char *text;
    const char *mask; /* expected '0'/'1' per household */
} expect;

static void check_table(const sp_population *pop, const expect *cases, size_t n)
{
    char got[65];
    for (size_t k = 0; k < n; k++) {
        eval_string(cases[k].text, pop, got);
        if (strcmp(got, cases[k].mask) != 0)
            fail_msg("'%s': got %s, expected %s", cases[k].text, got, cases[k].mask);
    }
}

/* One household with size 3, drivers 2, income 90000: enough for arithmetic
 * that must not be folded away at compile time. */
static sp_population *one_household(void)
{
    sp_population *p = sp_population_alloc(1, NULL);
    assert_non_null(p);
    p->size[0] = 3;
    p->drivers[0] = 2;
    p->income[0] = 90000.0f;
    p->weight[0] = 1.0f;
    return p;
}

static void check_true(const sp_population *pop, const char *const *texts, size_t n)
{
    char got[65];
    for (size_t k = 0; k < n; k++) {
        eval_string(texts[k], pop, got);
        if (strcmp(got, "1") != 0)
            fail_msg("'%s' evaluated to false", texts[k]);
    }
}

/* Expects compilation of text to fail with a message containing want. */
static void check_error(const char *text, const char *want)
{
    sp_err err;
    sp_err_clear(&err);
    sp_filter *f = sp_filter_compile(text, &err);
    if (f) {
        sp_filter_free(f);
        fail_msg("'%s' compiled but should fail with \"%s\"", text, want);
    }
    assert_int_equal(err.code, SP_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("'%s': message \"%s\" lacks \"%s\"", text, err.msg, want);
    assert_null(strchr(err.msg, '\n'));
}

/* ---- precedence and operators ---- */

static void test_arithmetic_precedence(void **state)
{
    (void)state;
    sp_population *p = one_household();
    const char *const texts[] = {
        "1 + 2 * 3 == 7",            /* folded at compile time */
        "1 + drivers * size == 7",   /* evaluated per household */
        "size + drivers * size == 9",
        "size * drivers + 1 == 7",
        "size - drivers - 1 == 0",   /* left associative */
        "size / drivers / 3 == 0.5",
        "12 / size * drivers == 8",
        "income / 1e4 == 9",
        "size + drivers < 6",        /* comparison binds looser than + */
    };
    check_true(p, texts, sizeof texts / sizeof texts[0]);
    sp_population_free(p);
}

static void test_not_binds_looser_than_comparison(void **state)
{
    (void)state;
    sp_population *p = one_household();
    const char *const texts[] = {
        "not 1 == 2",          /* not (1 == 2), not (not 1) == 2 */
        "not size == 2",
        "not size + 1 == 3",   /* not ((size + 1) == 3) */
        "not not size",
        "not drivers > 5 and size == 3",
    };
    check_true(p, texts, sizeof texts / sizeof texts[0]);
    sp_population_free(p);
}

static void test_and_binds_tighter_than_or(void **state)
{
    (void)state;
    sp_population *p = one_household();
    /* (a or b) and c would be false in every line */
    const char *const texts[] = {
        "1 or 1 and 0",
        "size == 3 or drivers == 2 and size == 4",
        "size or drivers and false",
        "false and size or true",
    };
    check_true(p, texts, sizeof texts / sizeof texts[0]);
    sp_population_free(p);
}

static void test_parentheses(void **state)
{
    (void)state;
    sp_population *p = one_household();
    const char *const texts[] = {
        "(1 + 2) * 3 == 9",
        "(size + drivers) * 2 == 10",
        "((((size)))) == 3",
        "not (size == 3 and drivers == 3)",
        "(size == 3 or drivers == 3) and size == 3",
        "size - (drivers - size * drivers) == 7",   /* right operand needs the deeper stack */
        "size / (drivers + size) == 0.6",
        "size < (drivers * size) and not (size > drivers * size)",
        "(size - drivers) - (drivers - size) * (size - drivers) == 2",
        /* each non-commutative operator keeps its operand order when the right
         * operand is evaluated first */
        "size - drivers * size == -3",
        "size / (drivers * size) == 0.5",
        "size <= drivers * size",
        "not (size >= drivers * size)",
        "drivers * size - size == 3",
    };
    check_true(p, texts, sizeof texts / sizeof texts[0]);
    sp_population_free(p);
}

static void test_unary_minus(void **state)
{
    (void)state;
    sp_population *p = one_household();
    const char *const texts[] = {
        "-size == -3",
        "- -size == 3",
        "-2 * size == -6",
        "2 - -size == 5",
        "-size * -drivers == 6",
        "-(size + drivers) == -5",
        "-size < 0",
        "-3 == 0 - 3",
    };
    check_true(p, texts, sizeof texts / sizeof texts[0]);
    sp_population_free(p);
}

static void test_comparison_operators(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(3, NULL);
    assert_non_null(p);
    p->size[0] = 2;
    p->size[1] = 3;
    p->size[2] = 4;
    p->drivers[0] = p->drivers[1] = p->drivers[2] = 3;
    const expect cases[] = {
        {"size < 3", "100"},   {"size <= 3", "110"},   {"size > 3", "001"},
        {"size >= 3", "011"},  {"size == 3", "010"},   {"size ~= 3", "101"},
        {"size != 3", "101"},  {"3 > size", "100"},    {"3 >= size", "110"},
        {"3 < size", "001"},   {"3 <= size", "011"},   {"3 == size", "010"},
        {"3 ~= size", "101"},  {"size < drivers", "100"}, {"size <= drivers", "110"},
        {"size > drivers", "001"}, {"size >= drivers", "011"}, {"size == drivers", "010"},
        {"size ~= drivers", "101"}, {"size != drivers", "101"}, {"2 < 3", "111"},
        {"3 < 2", "000"},      {"2 ~= 2", "000"},      {"2 != 3", "111"},
    };
    check_table(p, cases, sizeof cases / sizeof cases[0]);
    sp_population_free(p);
}

static void test_true_false_and_bare_values(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(3, NULL);
    assert_non_null(p);
    p->drivers[0] = 0;
    p->drivers[1] = 1;
    p->drivers[2] = 2;
    const expect cases[] = {
        {"true", "111"},          {"false", "000"},          {"not false", "111"},
        {"true and false", "000"}, {"true or false", "111"}, {"drivers", "011"},
        {"not drivers", "100"},   {"drivers - 1", "101"},    {"drivers and true", "011"},
        {"drivers or false", "011"}, {"0", "000"},           {"0.5", "111"},
        {"true + true == 2", "111"}, {"drivers == true", "010"},
    };
    check_table(p, cases, sizeof cases / sizeof cases[0]);
    sp_population_free(p);
}

static void test_division_by_zero_is_zero(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(2, NULL);
    assert_non_null(p);
    p->drivers[0] = 0;
    p->drivers[1] = 2;
    p->size[0] = 0;
    p->size[1] = 4;
    p->income[0] = 5000.0f;
    p->income[1] = 8000.0f;
    const expect cases[] = {
        {"size / drivers == 0", "10"},
        {"income / drivers == 4000", "01"},
        {"1 / 0 == 0", "11"},
        {"1 / drivers == 0", "10"},
        {"income_pc == 0", "10"},
        {"income_pc == 2000", "01"},
    };
    check_table(p, cases, sizeof cases / sizeof cases[0]);
    sp_population_free(p);
}

static void test_named_constants(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(4, NULL);
    assert_non_null(p);
    p->liquidity[0] = SP_LIQ_POOR_HTM;
    p->liquidity[1] = SP_LIQ_WEALTHY_HTM;
    p->liquidity[2] = SP_LIQ_POOR_NHTM;
    p->liquidity[3] = SP_LIQ_WEALTHY_NHTM;
    const expect cases[] = {
        {"liquidity == poor_htm", "1000"},
        {"liquidity == wealthy_htm", "0100"},
        {"liquidity == poor_nhtm", "0010"},
        {"liquidity == wealthy_nhtm", "0001"},
        {"liquidity <= wealthy_htm", "1100"},
        {"poor_htm == 1 and wealthy_nhtm == 4", "1111"},
    };
    check_table(p, cases, sizeof cases / sizeof cases[0]);
    sp_population_free(p);
}

/* ---- columns ---- */

static void test_static_columns(void **state)
{
    (void)state;
    sp_population *p = sp_population_alloc(4, NULL);
    assert_non_null(p);
    const float income[4] = {30000, 60000, 120000, 250000};
    const float cons[4] = {20000, 45000, 70000, 110000};
    const uint8_t size[4] = {1, 2, 3, 5};
    const uint8_t area[4] = {SP_AREA_URBAN, SP_AREA_RURAL, SP_AREA_URBAN, SP_AREA_RURAL};
    const uint8_t quint[4] = {0, 1, 2, 4};
    const uint8_t liq[4] = {SP_LIQ_POOR_HTM, SP_LIQ_WEALTHY_HTM, SP_LIQ_POOR_NHTM, SP_LIQ_WEALTHY_NHTM};
    const uint8_t drivers[4] = {0, 1, 2, 3};
    const uint8_t elig[4] = {1, 0, 1, 0};
    const uint8_t gens[4] = {1, 2, 3, 1};
    for (int i = 0; i < 4; i++) {
        p->income[i] = income[i];
        p->consumption[i] = cons[i];
        p->size[i] = size[i];
        p->area[i] = area[i];
        p->quintile[i] = quint[i];
        p->liquidity[i] = liq[i];
        p->drivers[i] = drivers[i];
        p->eligible[i] = elig[i];
        p->generations[i] = gens[i];
    }
    const expect cases[] = {
        {"income == 60000", "0100"},      {"income >= 100000", "0011"},
        {"income_pc == 30000", "1100"},   {"income_pc == 40000", "0010"},
        {"income_pc == 50000", "0001"},   {"consumption < 50000", "1100"},
        {"consumption == 110000", "0001"}, {"size == 3", "0010"},
        {"size >= 2", "0111"},            {"urban", "1010"},
        {"rural", "0101"},                {"urban + rural == 1", "1111"},
        {"income_quintile == 1", "1000"}, {"income_quintile == 5", "0001"},
        {"income_quintile <= 2", "1100"}, {"liquidity == 1", "1000"},
        {"liquidity == 4", "0001"},       {"hand_to_mouth", "1100"},
        {"drivers == 2", "0010"},         {"drivers", "0111"},
        {"lottery_eligible", "1010"},     {"generations == 3", "0010"},
        {"generations == 1", "1001"},
    };
    check_table(p, cases, sizeof cases / sizeof cases[0]);
    sp_population_free(p);
}

/* Five households: no car; one car (50 months, China III); two cars of which
 * the second is older (30 months NEV, 130 months China II); two cars of which
 * the first is older (140 months NEV, 20 months China IV); one car with stale
 * data in the unused second slot. */
static sp_population *car_households(void)
{
    sp_population *p = sp_population_alloc(5, NULL);
    assert_non_null(p);
    sp_hstate *s = &p->state;
    s->ncars[0] = 0;
    s->car_age[0][0] = 77; /* stale, not a car */
    s->car_kind[0][0] = 5;
    s->ncars[1] = 1;
    s->car_age[0][1] = 50;
    s->car_kind[0][1] = 3;
    s->ncars[2] = 2;
    s->car_age[0][2] = 30;
    s->car_kind[0][2] = 6 | SP_CAR_NEV;
    s->car_age[1][2] = 130;
    s->car_kind[1][2] = 2;
    s->ncars[3] = 2;
    s->car_age[0][3] = 140;
    s->car_kind[0][3] = 6 | SP_CAR_NEV;
    s->car_age[1][3] = 20;
    s->car_kind[1][3] = 4;
    s->ncars[4] = 1;
    s->car_age[0][4] = 24;
    s->car_kind[0][4] = 5;
    s->car_age[1][4] = 200; /* stale */
    s->car_kind[1][4] = 2 | SP_CAR_NEV;
    s->plate_state[0] = SP_PLATE_LOTTERY;
    s->plate_state[1] = SP_PLATE_NONE;
    s->plate_state[2] = SP_PLATE_NEV_QUEUE;
    s->plate_state[3] = SP_PLATE_WON;
    s->plate_state[4] = SP_PLATE_NONE;
    s->applicants[0] = 2;
    s->applicants[2] = 1;
    s->applicants[3] = 1;
    return p;
}

static void test_dynamic_columns(void **state)
{
    (void)state;
    sp_population *p = car_households();
    const expect cases[] = {
        {"cars == 0", "10000"},          {"cars == 2", "00110"},
        {"car_owner", "01111"},          {"not car_owner", "10000"},
        {"car_age == 0", "10000"},       {"car_age == 50", "01000"},
        {"car_age == 130", "00100"},     {"car_age == 140", "00010"},
        {"car_age == 24", "00001"},      {"car_age >= 120", "00110"},
        {"car_age_years == 2", "00001"}, {"car_age_years > 10", "00110"},
        {"emission == 0", "10000"},      {"emission == 3", "01000"},
        {"emission == 2", "00100"},      {"emission == 6", "00010"},
        {"emission == 5", "00001"},      {"nev", "00010"},
        {"plate_state == 0", "01001"},   {"plate_state == 1", "10000"},
        {"plate_state == 2", "00100"},   {"plate_state == 3", "00010"},
        {"applicants == 2", "10000"},    {"applicants", "10110"},
        {"car_age >= 120 and emission <= 3", "00100"},
    };
    check_table(p, cases, sizeof cases / sizeof cases[0]);
    sp_population_free(p);
}

static void test_dynamic_columns_need_state(void **state)
{
    (void)state;
    sp_population *p = car_households();
    uint8_t mask[5];
    sp_err err;
    sp_err_clear(&err);
    sp_filter *f = compile_ok("income > 0 or car_age >= 120");
    assert_int_equal(sp_filter_uses_state(f), 1);
    assert_int_equal(sp_filter_eval(f, p, NULL, 0, p->n, mask, &err), SP_EINVAL);
    assert_int_equal(err.code, SP_EINVAL);
    assert_non_null(strstr(err.msg, "car_age"));
    assert_non_null(strstr(err.msg, "state"));
    double w = -1.0;
    assert_int_equal(sp_filter_count(f, p, NULL, &w, &err), SP_EINVAL);
    sp_filter_free(f);

    f = compile_ok("income_quintile <= 2 and not hand_to_mouth");
    assert_int_equal(sp_filter_uses_state(f), 0);
    assert_int_equal(sp_filter_eval(f, p, NULL, 0, p->n, mask, &err), SP_OK);
    sp_filter_free(f);

    const char *const dynamic[] = {"cars", "car_owner", "car_age", "car_age_years", "emission", "nev",
                                   "plate_state", "applicants"};
    for (size_t k = 0; k < sizeof dynamic / sizeof dynamic[0]; k++) {
        f = compile_ok(dynamic[k]);
        assert_int_equal(sp_filter_uses_state(f), 1);
        sp_filter_free(f);
    }
    sp_population_free(p);
}

/* ---- evaluation ranges ---- */

static void test_chunk_boundaries(void **state)
{
    (void)state;
    enum { N = 1000 };
    sp_population *p = sp_population_alloc(N, NULL);
    assert_non_null(p);
    for (size_t i = 0; i < N; i++) {
        p->income[i] = (float)i;
        p->size[i] = (uint8_t)(1 + i % 5);
        p->state.ncars[i] = (uint8_t)(i % 3 == 0);
        p->state.car_age[0][i] = (uint16_t)(i % 200);
    }
    sp_filter *f = compile_ok("(income >= 250 and income < 770 or size == 2) and not car_owner "
                              "or car_age == 255 - 100");
    static const size_t ranges[][2] = {{0, N},     {1, 999},   {255, 257}, {256, 512}, {300, 300},
                                       {999, N},   {0, 1},     {13, 781},  {511, 513}, {0, 256},
                                       {257, 769}, {100, 101}};
    uint8_t mask[N + 8];
    sp_err err;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        size_t lo = ranges[r][0], hi = ranges[r][1];
        memset(mask, 0xAB, sizeof mask);
        sp_err_clear(&err);
        assert_int_equal(sp_filter_eval(f, p, &p->state, lo, hi, mask, &err), SP_OK);
        for (size_t i = lo; i < hi; i++) {
            int owner = i % 3 == 0;
            int want = ((i >= 250 && i < 770) || 1 + i % 5 == 2) ? !owner : 0;
            want = want || (owner && i % 200 == 155);
            if (mask[i - lo] != want)
                fail_msg("range [%zu, %zu): household %zu got %d, want %d", lo, hi, i, mask[i - lo], want);
        }
        for (size_t k = hi - lo; k < sizeof mask; k++)
            assert_int_equal(mask[k], 0xAB); /* nothing written past hi - lo */
    }
    sp_filter_free(f);
    sp_population_free(p);
}

static void test_eval_rejects_bad_ranges(void **state)
{
    (void)state;
    sp_population *p = one_household();
    sp_filter *f = compile_ok("size > 1");
    uint8_t mask[4];
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_filter_eval(f, p, NULL, 0, 2, mask, &err), SP_EINVAL);
    assert_non_null(strstr(err.msg, "range"));
    assert_int_equal(sp_filter_eval(f, p, NULL, 1, 0, mask, &err), SP_EINVAL);
    assert_int_equal(sp_filter_eval(NULL, p, NULL, 0, 1, mask, &err), SP_EINVAL);
    assert_int_equal(sp_filter_eval(f, NULL, NULL, 0, 1, mask, &err), SP_EINVAL);
    assert_int_equal(sp_filter_eval(f, p, NULL, 0, 1, NULL, &err), SP_EINVAL);
    assert_int_equal(sp_filter_eval(f, p, NULL, 1, 1, NULL, &err), SP_OK); /* empty range */
    sp_filter_free(f);

    sp_hstate small;
    assert_int_equal(sp_hstate_init(&small, 0, &err), SP_OK);
    f = compile_ok("cars == 0");
    assert_int_equal(sp_filter_eval(f, p, &small, 0, 1, mask, &err), SP_EINVAL);
    sp_hstate_release(&small);
    sp_filter_free(f);
    sp_population_free(p);
}

static void test_count_weighted(void **state)
{
    (void)state;
    sp_population *p = car_households();
    for (size_t i = 0; i < p->n; i++)
        p->weight[i] = (float)(10 * (i + 1)); /* 10, 20, 30, 40, 50 */
    sp_filter *f = compile_ok("car_owner and car_age < 100");
    double w = -1.0;
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_filter_count(f, p, &p->state, &w, &err), SP_OK);
    assert_true(w == 20.0 + 50.0);
    sp_filter_free(f);
    f = compile_ok("true");
    assert_int_equal(sp_filter_count(f, p, NULL, &w, &err), SP_OK);
    assert_true(w == 150.0);
    sp_filter_free(f);
    sp_population_free(p);
}

static void test_text_and_free(void **state)
{
    (void)state;
    char buf[] = "emission <= 3";
    sp_filter *f = compile_ok(buf);
    buf[0] = 'X'; /* the filter keeps its own copy */
    assert_string_equal(sp_filter_text(f), "emission <= 3");
    sp_filter_free(f);
    sp_filter_free(NULL);
}

/* ---- errors ---- */

static void test_error_unknown_column(void **state)
{
    (void)state;
    check_error("incme > 3", "unknown column 'incme' at position 1");
    check_error("incme > 3", "income");
    check_error("size > 2 and car_ages > 3", "unknown column 'car_ages' at position 14");
    check_error("size > 2 and car_ages > 3", "did you mean 'car_age'");
    check_error("xyzzy", "columns: income, income_pc");
    check_error("Income > 3", "unknown column 'Income'"); /* case-sensitive */
    check_error("AND", "unknown column 'AND'");
}

static void test_error_syntax_positions(void **state)
{
    (void)state;
    check_error("(income > 3 or size == 2", "expected ')' at position 25");
    check_error("(1 + 2 * (size) == 3", "expected ')' at position 21");
    check_error("(income > 3 and", "unexpected end of expression at position 16");
    check_error("and size", "unexpected 'and' at position 1");
    check_error("size > ", "unexpected end of expression at position 8");
    check_error("size + * 2", "unexpected '*' at position 8");
    check_error("size == not 2", "unexpected 'not' at position 9");
    check_error("1 < size < 3", "unexpected '<' at position 10");
    check_error("1 < size < 3", "do not chain");
    check_error("size = 3", "'=' at position 6");
    check_error("size $ 3", "'$' at position 6");
    check_error("size && drivers", "position 6");
    check_error("size > 3abc", "malformed number '3abc' at position 8");
    check_error("()", "unexpected ')' at position 2");
}

static void test_error_trailing_tokens(void **state)
{
    (void)state;
    check_error("income > 3 size", "unexpected 'size' at position 12");
    check_error("income > 3 )", "unexpected ')' at position 12");
    check_error("(size) (drivers)", "unexpected '(' at position 8");
    check_error("1 2", "unexpected '2' at position 3");
}

static void test_error_empty_and_null(void **state)
{
    (void)state;
    check_error("", "empty");
    check_error("   \t\n", "empty");
    sp_err err;
    sp_err_clear(&err);
    assert_null(sp_filter_compile(NULL, &err));
    assert_int_equal(err.code, SP_EINVAL);
    assert_null(sp_filter_compile("size >", NULL)); /* err may be NULL */
}

static void test_error_too_long_and_too_deep(void **state)
{
    (void)state;
    char text[2100];
    /* 64 levels of parentheses are fine, 65 are not */
    for (int depth = 64; depth <= 65; depth++) {
        size_t n = 0;
        for (int k = 0; k < depth; k++)
            text[n++] = '(';
        text[n++] = '1';
        for (int k = 0; k < depth; k++)
            text[n++] = ')';
        text[n] = '\0';
        sp_err err;
        sp_err_clear(&err);
        sp_filter *f = sp_filter_compile(text, &err);
        if (depth == 64) {
            assert_non_null(f);
            sp_filter_free(f);
        } else {
            assert_null(f);
            assert_non_null(strstr(err.msg, "nested too deeply at position 65"));
        }
    }
    /* so are chains of 'not' and unary minus */
    text[0] = '\0';
    for (int k = 0; k < 65; k++)
        strcat(text, "not ");
    strcat(text, "size");
    check_error(text, "nested too deeply");
    memset(text, '-', 65);
    strcpy(text + 65, "size");
    check_error(text, "nested too deeply");

    /* 1000 characters are fine, 1001 are not */
    memset(text, ' ', 1000);
    text[0] = '1';
    text[1000] = '\0';
    sp_filter *f = compile_ok(text);
    sp_filter_free(f);
    text[1000] = ' ';
    text[1001] = '\0';
    check_error(text, "too long (1001 characters; at most 1000)");
}

static void test_long_flat_expressions_compile(void **state)
{
    (void)state;
    /* long chains and right-leaning parentheses stay within the evaluation
     * stack: operands are ordered by the stack they need */
    char text[1001];
    text[0] = '\0';
    while (strlen(text) + 7 + 8 <= 1000)
        strcat(text, "size + ");
    strcat(text, "size > 0");
    sp_filter *f = compile_ok(text);
    sp_filter_free(f);
    text[0] = '\0';
    for (int k = 0; k < 60; k++)
        strcat(text, "size-(");
    strcat(text, "size");
    for (int k = 0; k < 60; k++)
        strcat(text, ")");
    f = compile_ok(text);
    sp_population *p = one_household();
    uint8_t mask[1];
    assert_int_equal(sp_filter_eval(f, p, NULL, 0, 1, mask, NULL), SP_OK);
    assert_int_equal(mask[0], 1); /* 3 - (3 - (... - 3)) with 61 terms is 3 */
    sp_filter_free(f);
    sp_population_free(p);
}

/* ---- agreement with a direct computation ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)((rng_state >> 11) % n);
}

typedef struct hh {
    double income, income_pc, consumption, size, urban, quintile, liquidity, htm, drivers, eligible,
        generations, cars, car_age, emission, nev, plate_state, applicants;
} hh;

/* The columns of household i, computed directly from the definitions. */
static hh reference_household(const sp_population *p, size_t i)
{
    hh h;
    const sp_hstate *s = &p->state;
    h.income = p->income[i];
    h.size = p->size[i];
    h.income_pc = p->size[i] ? (double)p->income[i] / p->size[i] : 0.0;
    h.consumption = p->consumption[i];
    h.urban = p->area[i] == SP_AREA_URBAN;
    h.quintile = p->quintile[i] + 1;
    h.liquidity = p->liquidity[i] + 1;
    h.htm = p->liquidity[i] <= SP_LIQ_WEALTHY_HTM;
    h.drivers = p->drivers[i];
    h.eligible = p->eligible[i];
    h.generations = p->generations[i];
    h.cars = s->ncars[i];
    int oldest = -1;
    for (int k = 0; k < s->ncars[i]; k++)
        if (oldest < 0 || s->car_age[k][i] > s->car_age[oldest][i])
            oldest = k;
    h.car_age = oldest < 0 ? 0 : s->car_age[oldest][i];
    h.emission = oldest < 0 ? 0 : (s->car_kind[oldest][i] & 7);
    h.nev = oldest < 0 ? 0 : (s->car_kind[oldest][i] & SP_CAR_NEV) != 0;
    h.plate_state = s->plate_state[i];
    h.applicants = s->applicants[i];
    return h;
}

static int ref0(const hh *h) { return h->car_age >= 120 && h->emission <= 3; }
static int ref1(const hh *h) { return h->quintile <= 2 && !(h->cars > 0); }
static int ref2(const hh *h)
{
    return (((h->urban && h->income_pc < 40000) || h->liquidity == 1) && !(h->cars >= 2)) ||
           (h->car_age / 12 > 15 && h->nev == 0);
}
static int ref3(const hh *h)
{
    return (h->income - h->consumption * 1.2 > 0.1 * h->income && h->htm == 0) ||
           (h->plate_state == 1 && h->applicants >= 2 && h->eligible && h->drivers != h->size - 1);
}
static int ref4(const hh *h)
{
    return !(h->generations == 3 || h->income / h->size < 20000) && -h->emission + 6 >= 2;
}

static void test_matches_reference_on_random_population(void **state)
{
    (void)state;
    enum { N = 5000 };
    sp_population *p = sp_population_alloc(N, NULL);
    assert_non_null(p);
    for (size_t i = 0; i < N; i++) {
        p->weight[i] = 1.0f + (float)rnd(100);
        p->size[i] = (uint8_t)(1 + rnd(6));
        p->income[i] = (float)(5000 + rnd(400000));
        p->consumption[i] = (float)(rnd(300000));
        p->area[i] = (uint8_t)rnd(2);
        p->quintile[i] = (uint8_t)rnd(5);
        p->liquidity[i] = (uint8_t)rnd(4);
        p->drivers[i] = (uint8_t)rnd(4);
        p->eligible[i] = (uint8_t)rnd(2);
        p->generations[i] = (uint8_t)(1 + rnd(3));
        p->state.ncars[i] = (uint8_t)rnd(3);
        for (int k = 0; k < SP_MAX_CARS; k++) {
            p->state.car_age[k][i] = (uint16_t)rnd(300);
            p->state.car_kind[k][i] = (uint8_t)(2 + rnd(5) + (rnd(4) == 0 ? SP_CAR_NEV : 0));
        }
        p->state.plate_state[i] = (uint8_t)rnd(4);
        p->state.applicants[i] = (uint8_t)rnd(4);
    }
    static const struct {
        const char *text;
        int (*ref)(const hh *);
    } cases[] = {
        {"car_age >= 120 and emission <= 3", ref0},
        {"income_quintile <= 2 and not car_owner", ref1},
        {"(urban and income_pc < 40000 or liquidity == poor_htm) and not cars >= 2 "
         "or car_age_years > 15 and nev == 0",
         ref2},
        {"income - consumption * 1.2 > 0.1 * income and hand_to_mouth == 0 or "
         "plate_state == 1 and applicants >= 2 and lottery_eligible and drivers ~= size - 1",
         ref3},
        {"not (generations == 3 or income / size < 20000) and -emission + 6 >= 2", ref4},
    };
    static uint8_t mask[N];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sp_filter *f = compile_ok(cases[c].text);
        sp_err err;
        sp_err_clear(&err);
        assert_int_equal(sp_filter_eval(f, p, &p->state, 0, N, mask, &err), SP_OK);
        double want_w = 0.0;
        size_t hits = 0;
        for (size_t i = 0; i < N; i++) {
            hh h = reference_household(p, i);
            int want = cases[c].ref(&h);
            if (mask[i] != want)
                fail_msg("'%s': household %zu got %d, want %d", cases[c].text, i, mask[i], want);
            if (want)
                want_w += p->weight[i];
            hits += (size_t)want;
        }
        assert_true(hits > 50 && hits < N - 50); /* the case discriminates */
        double w = 0.0;
        assert_int_equal(sp_filter_count(f, p, &p->state, &w, &err), SP_OK);
        assert_true(w == want_w);
        sp_filter_free(f);
    }
    sp_population_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic_precedence),
        cmocka_unit_test(test_not_binds_looser_than_comparison),
        cmocka_unit_test(test_and_binds_tighter_than_or),
        cmocka_unit_test(test_parentheses),
        cmocka_unit_test(test_unary_minus),
        cmocka_unit_test(test_comparison_operators),
        cmocka_unit_test(test_true_false_and_bare_values),
        cmocka_unit_test(test_division_by_zero_is_zero),
        cmocka_unit_test(test_named_constants),
        cmocka_unit_test(test_static_columns),
        cmocka_unit_test(test_dynamic_columns),
        cmocka_unit_test(test_dynamic_columns_need_state),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_eval_rejects_bad_ranges),
        cmocka_unit_test(test_count_weighted),
        cmocka_unit_test(test_text_and_free),
        cmocka_unit_test(test_error_unknown_column),
        cmocka_unit_test(test_error_syntax_positions),
        cmocka_unit_test(test_error_trailing_tokens),
        cmocka_unit_test(test_error_empty_and_null),
        cmocka_unit_test(test_error_too_long_and_too_deep),
        cmocka_unit_test(test_long_flat_expressions_compile),
        cmocka_unit_test(test_matches_reference_on_random_population),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
