/* test_measure.c: the measure interface (core/measure.h) and the registry.
 *
 * A tiny measure kind defined here, through the interface alone: "bonus"
 * adds `amount` yuan of food spending to every household of its filter in
 * one month, paid by the government. The engine runs it like any built-in
 * kind; the tests check what it produced, the order measures act in, that the
 * fast paths ask `mark`, that per-run state is freed on every path, and that
 * failures of its operations come back as errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "spendsim.h"

SP_TEST_POPULATION(4000, 3) /* 4,000 households */

/* ---- the tiny kind ---- */

typedef struct bonus_def {
    double amount;  /* yuan of food per household, > 0 */
    int month;      /* calendar month of payment */
    int order;      /* unused by the kind itself: lets two kinds act in a known order */
    int fail_alloc; /* 1: run_alloc fails after allocating (tests the clean-up) */
    int fail_start; /* 1: month_start fails in `month` */
    char filter[64];
} bonus_def;

/* Per run: households paid (bit per household), the log of calls. */
typedef struct bonus_run {
    uint8_t *paid;
    int month_ends;
} bonus_run;

static int live_runs;   /* bonus_run states allocated and not yet freed */
static int calls[64];   /* the order household steps were called in: tag of the kind */
static int ncalls;

static int bonus_validate(const void *def, sp_err *err)
{
    const bonus_def *d = def;
    if (!(d->amount > 0))
        return sp_err_set(err, SP_EINVAL, "amount must be positive, got %g", d->amount);
    return SP_OK;
}

static const char *bonus_filter(const void *def) { return ((const bonus_def *)def)->filter; }

static int bonus_admit(const sp_package *p, const void *def, sp_err *err)
{
    (void)def;
    (void)p;
    return sp_package_count(p, sp_measure_kind_find("voucher")) > 1
               ? sp_err_set(err, SP_EINVAL, "no bonus beside two vouchers")
               : SP_OK;
}

static int bonus_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    bonus_run *b = calloc(1, sizeof *b);
    if (!b)
        return sp_err_set(err, SP_ENOMEM, "out of memory");
    live_runs++;
    *state = b;
    b->paid = calloc(env->pop->n, 1);
    if (!b->paid || ((const bonus_def *)sp_measure_def(m))->fail_alloc)
        return sp_err_set(err, SP_ENOMEM, "bonus: cannot allocate (on purpose)");
    return SP_OK;
}

static void bonus_free(void *state)
{
    bonus_run *b = state;
    if (!b)
        return;
    live_runs--;
    free(b->paid);
    free(b);
}

static int bonus_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const bonus_def *d = sp_measure_def(m);
    bonus_run *b = state;
    if (env->month != d->month)
        return 0;
    if (d->fail_start)
        return sp_err_set(err, SP_EINVAL, "bonus: month_start failed (on purpose)");
    if (m->filter)
        return sp_filter_eval(m->filter, env->pop, env->state, 0, env->pop->n, b->paid, err) == SP_OK
                   ? 1
                   : -1;
    memset(b->paid, 1, env->pop->n);
    return 1;
}

static void bonus_mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo,
                       size_t n, uint32_t *bits)
{
    (void)m;
    (void)env;
    const bonus_run *b = state;
    for (size_t j = 0; j < n; j++)
        bits[j >> 5] |= (uint32_t)(b->paid[lo + j] != 0) << (j & 31);
}

static void bonus_household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    (void)env;
    const bonus_def *d = sp_measure_def(m);
    assert_true(((const bonus_run *)state)->paid[h->i]); /* only marked households */
    h->spend[SP_CAT_FOOD] += d->amount;
    sp_household_add(h, SP_M_TRANSFERS, d->amount);
    sp_household_add(h, SP_M_GOV_COST, d->amount);
    if (h->i == 0 && ncalls < 64)
        calls[ncalls++] = d->order;
}

static void bonus_end(void *state, const sp_measure *m, sp_run_env *env)
{
    (void)m;
    (void)env;
    ((bonus_run *)state)->month_ends++;
}

static const sp_measure_ops bonus_kind = {
    .kind = "bonus",
    .def_size = sizeof(bonus_def),
    .order = 50,
    .validate = bonus_validate,
    .filter = bonus_filter,
    .admit = bonus_admit,
    .run_alloc = bonus_alloc,
    .run_free = bonus_free,
    .month_start = bonus_start,
    .mark = bonus_mark,
    .household = bonus_household,
    .month_end = bonus_end,
};

/* The same kind acting earlier (order 5) than every built-in measure. */
static sp_measure_ops early_kind;

static bonus_def bonus(double amount, int month)
{
    bonus_def d;
    memset(&d, 0, sizeof d);
    d.amount = amount;
    d.month = month;
    d.order = 50;
    return d;
}

static sp_results *run2(sp_package *a, sp_package *b, int months, sp_err *e)
{
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    d.packages[0] = a;
    d.packages[1] = b;
    d.npackages = 2;
    d.start_month = sp_month_make(2020, 1);
    d.months = months;
    d.replicates = 1;
    d.seed = 9;
    d.threads = 2;
    return sp_experiment_run(&d, e);
}

/* ---- tests ---- */

/* The bonus raises food spending by exactly amount x households in its
 * month, costs the government as much, and changes nothing else. */
static void test_tiny_measure_runs(void **state)
{
    (void)state;
    sp_err e;
    sp_package *base = sp_package_alloc("Base", &e);
    sp_package *plan = sp_package_alloc("Bonus", &e);
    bonus_def d = bonus(100, sp_month_make(2020, 3));
    assert_int_equal(sp_package_add(plan, &bonus_kind, "bonus", &d, &e), SP_OK);
    assert_string_equal(plan->measures[0].ops->kind, "bonus");
    live_runs = 0;
    sp_results *r = run2(base, plan, 5, &e);
    assert_non_null(r);
    assert_int_equal(live_runs, 0); /* every run's state was freed */
    for (int m = 0; m < 5; m++) {
        double hh = sp_results_get(r, 1, 0, m, 0, SP_M_HOUSEHOLDS);
        double food = sp_results_get(r, 1, 0, m, 0, SP_M_SPEND0 + SP_CAT_FOOD) -
                      sp_results_get(r, 0, 0, m, 0, SP_M_SPEND0 + SP_CAT_FOOD);
        double other = sp_results_get(r, 1, 0, m, 0, SP_M_SPEND0 + SP_CAT_CLOTHING) -
                       sp_results_get(r, 0, 0, m, 0, SP_M_SPEND0 + SP_CAT_CLOTHING);
        double gov = sp_results_get(r, 1, 0, m, 0, SP_M_GOV_COST);
        double paid = sp_results_get(r, 1, 0, m, 0, SP_M_TRANSFERS);
        if (m == 2) {
            assert_true(fabs(food - 100 * hh) <= 1e-6 * 100 * hh);
            assert_true(fabs(gov - 100 * hh) <= 1e-6 * 100 * hh);
            assert_true(fabs(paid - 100 * hh) <= 1e-6 * 100 * hh);
        } else {
            assert_true(food == 0 && gov == 0 && paid == 0);
        }
        /* common random numbers: the rest is unchanged, exactly in the months
         * the bonus is idle, up to the order of the sums in its month (run.c) */
        double clothing = sp_results_get(r, 0, 0, m, 0, SP_M_SPEND0 + SP_CAT_CLOTHING);
        if (m == 2)
            assert_true(fabs(other) <= 1e-12 * clothing);
        else
            assert_true(other == 0);
    }
    sp_results_free(r);
    sp_package_free(base);
    sp_package_free(plan);
}

/* A filter limits the bonus to the households it marks; the fast paths see
 * only those (the household step asserts it is called for marked ones). */
static void test_tiny_measure_filter_and_mark(void **state)
{
    (void)state;
    sp_err e;
    sp_package *base = sp_package_alloc("Base", &e);
    sp_package *plan = sp_package_alloc("Bonus Q1", &e);
    bonus_def d = bonus(50, sp_month_make(2020, 2));
    snprintf(d.filter, sizeof d.filter, "income_quintile == 1");
    assert_int_equal(sp_package_add(plan, &bonus_kind, "bonus", &d, &e), SP_OK);
    assert_non_null(plan->measures[0].filter);
    sp_results *r = run2(base, plan, 3, &e);
    assert_non_null(r);
    int q1 = sp_dim_first(SP_DIM_QUINTILE), q5 = q1 + SP_NQUINTILE - 1;
    double hh1 = sp_results_get(r, 1, 0, 1, q1, SP_M_HOUSEHOLDS);
    assert_true(fabs(sp_results_get(r, 1, 0, 1, q1, SP_M_GOV_COST) - 50 * hh1) <= 1e-6 * 50 * hh1);
    assert_true(sp_results_get(r, 1, 0, 1, q5, SP_M_GOV_COST) == 0);
    sp_results_free(r);
    sp_package_free(base);
    sp_package_free(plan);
}

/* Household steps run in ascending order of the kinds, then package order,
 * whatever order the package lists them in; month_end runs every month. */
static void test_order_of_household_steps(void **state)
{
    (void)state;
    sp_err e;
    sp_package *p = sp_package_alloc("Two", &e);
    early_kind = bonus_kind;
    early_kind.kind = "early bonus";
    early_kind.order = 5;
    bonus_def late = bonus(10, sp_month_make(2020, 1)), early = late;
    late.order = 50;
    early.order = 5;
    assert_int_equal(sp_package_add(p, &bonus_kind, "late", &late, &e), SP_OK);
    assert_int_equal(sp_package_add(p, &early_kind, "early", &early, &e), SP_OK);
    sp_params prm = sp_params_default();
    sp_run *run = sp_run_alloc(pop, p, &prm, sp_rng_key_make(1, 0), sp_month_make(2020, 1), 1, &e);
    assert_non_null(run);
    double out[SP_NGROUP * SP_NMETRIC];
    ncalls = 0;
    assert_int_equal(sp_run_step(run, out, &e), SP_OK);
    assert_int_equal(ncalls, 2);
    assert_int_equal(calls[0], 5);
    assert_int_equal(calls[1], 50);
    assert_true(fabs(out[SP_M_TRANSFERS] - 20 * out[SP_M_HOUSEHOLDS]) <= 1e-6 * out[SP_M_TRANSFERS]);
    sp_run_free(run);
    assert_int_equal(live_runs, 0);
    sp_package_free(p);
}

/* A run_alloc that fails half-way: the run reports it, and run_free gets the
 * partial state (no leak, no crash). A month_start that fails stops the step. */
static void test_failing_operations(void **state)
{
    (void)state;
    sp_err e;
    sp_params prm = sp_params_default();
    sp_package *p = sp_package_alloc("Failing", &e);
    bonus_def d = bonus(10, sp_month_make(2020, 2));
    d.fail_alloc = 1;
    assert_int_equal(sp_package_add(p, &bonus_kind, "bonus", &d, &e), SP_OK);
    live_runs = 0;
    sp_err_clear(&e);
    assert_null(sp_run_alloc(pop, p, &prm, sp_rng_key_make(1, 0), sp_month_make(2020, 1), 1, &e));
    assert_int_equal(e.code, SP_ENOMEM);
    assert_non_null(strstr(e.msg, "on purpose"));
    assert_int_equal(live_runs, 0);
    sp_package_free(p);

    p = sp_package_alloc("Failing start", &e);
    d.fail_alloc = 0;
    d.fail_start = 1;
    assert_int_equal(sp_package_add(p, &bonus_kind, "bonus", &d, &e), SP_OK);
    sp_run *run = sp_run_alloc(pop, p, &prm, sp_rng_key_make(1, 0), sp_month_make(2020, 1), 1, &e);
    assert_non_null(run);
    double out[SP_NGROUP * SP_NMETRIC];
    assert_int_equal(sp_run_step(run, out, &e), SP_OK);           /* 2020-01: idle */
    assert_int_equal(sp_run_step(run, out, &e), SP_EINVAL);       /* 2020-02: fails */
    assert_non_null(strstr(e.msg, "month_start failed"));
    sp_run_free(run);
    assert_int_equal(live_runs, 0);
    sp_package_free(p);
}

/* The package applies the kind's validate and admit and its own rules, and
 * is unchanged after any error. */
static void test_package_rules(void **state)
{
    (void)state;
    sp_err e;
    sp_package *p = sp_package_alloc("P", &e);
    bonus_def d = bonus(-1, sp_month_make(2020, 1));
    assert_int_equal(sp_package_add(p, &bonus_kind, "bonus", &d, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "amount must be positive"));
    d.amount = 1;
    snprintf(d.filter, sizeof d.filter, "income_quintile ==");
    assert_int_equal(sp_package_add(p, &bonus_kind, "bonus", &d, &e), SP_EINVAL); /* filter */
    d.filter[0] = '\0';
    assert_int_equal(sp_package_add(p, &bonus_kind, "", &d, &e), SP_EINVAL);     /* name */
    assert_int_equal(sp_package_add(p, &bonus_kind, "bonus", NULL, &e), SP_EINVAL);
    assert_int_equal(p->nmeasures, 0);
    sp_voucher_def v = sp_voucher_def_default();
    assert_int_equal(sp_package_add_voucher(p, "v1", &v, &e), SP_OK);
    assert_int_equal(sp_package_add_voucher(p, "v2", &v, &e), SP_OK);
    assert_int_equal(sp_package_add(p, &bonus_kind, "bonus", &d, &e), SP_EINVAL); /* admit */
    assert_non_null(strstr(e.msg, "beside two vouchers"));
    assert_int_equal(p->nmeasures, 2);
    assert_int_equal(sp_package_count(p, &sp_voucher_measure), 2);
    assert_ptr_equal(sp_package_find(p, &sp_voucher_measure), &p->measures[0]);
    assert_null(sp_package_find(p, &bonus_kind));
    /* a copy into another package keeps kind, name and definition */
    sp_package *q = sp_package_derive(p, "Q", &e);
    assert_non_null(q);
    assert_ptr_equal(q->measures[1].ops, &sp_voucher_measure);
    assert_string_equal(q->measures[1].name, "v2");
    assert_memory_equal(q->measures[1].def.bytes, p->measures[1].def.bytes, sizeof v);
    assert_int_equal(sp_package_add_measure(q, NULL, &e), SP_EINVAL);
    sp_package_free(q);
    sp_package_free(p);
}

/* Tables of operations that cannot work are refused with the reason. */
static void test_ops_check(void **state)
{
    (void)state;
    sp_err e;
    sp_measure_ops o = bonus_kind;
    assert_int_equal(sp_measure_ops_check(&o, &e), SP_OK);
    o.kind = "";
    assert_int_equal(sp_measure_ops_check(&o, &e), SP_EINVAL);
    assert_int_equal(sp_measure_ops_check(NULL, &e), SP_EINVAL);
    o = bonus_kind;
    o.def_size = SP_MEASURE_DEF_MAX + 1;
    assert_int_equal(sp_measure_ops_check(&o, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "bytes"));
    o = bonus_kind;
    o.validate = NULL;
    assert_int_equal(sp_measure_ops_check(&o, &e), SP_EINVAL);
    o = bonus_kind;
    o.mark = NULL;
    assert_int_equal(sp_measure_ops_check(&o, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "mark and household"));
    sp_package *p = sp_package_alloc("P", &e);
    bonus_def d = bonus(1, sp_month_make(2020, 1));
    assert_int_equal(sp_package_add(p, &o, "bonus", &d, &e), SP_EINVAL);
    sp_package_free(p);
}

/* Every registered kind is a valid table with a unique name, found by name. */
static void test_registry(void **state)
{
    (void)state;
    int n = 0;
    for (int k = 0; sp_measure_kinds[k]; k++, n++) {
        assert_int_equal(sp_measure_ops_check(sp_measure_kinds[k], NULL), SP_OK);
        assert_ptr_equal(sp_measure_kind_find(sp_measure_kinds[k]->kind), sp_measure_kinds[k]);
        for (int j = 0; j < k; j++)
            assert_true(strcmp(sp_measure_kinds[j]->kind, sp_measure_kinds[k]->kind) != 0);
    }
    assert_int_equal(n, 12);
    assert_ptr_equal(sp_measure_kind_find("voucher"), &sp_voucher_measure);
    assert_ptr_equal(sp_measure_kind_find("plate_regime"), &sp_plate_regime_measure);
    assert_null(sp_measure_kind_find("bonus"));
    assert_null(sp_measure_kind_find(NULL));
}

/* The per-household sums add up in call order, each metric on its own. */
static void test_household_sums(void **state)
{
    (void)state;
    sp_household h;
    memset(h.touched, 0, sizeof h.touched);
    h.sum[SP_M_GOV_COST] = 12345; /* garbage: not read before the first add */
    sp_household_add(&h, SP_M_GOV_COST, 0.1);
    sp_household_add(&h, SP_M_GOV_COST, 0.2);
    sp_household_add(&h, SP_M_TRANSFERS, 5);
    assert_true(h.sum[SP_M_GOV_COST] == 0.1 + 0.2);
    assert_true(h.sum[SP_M_TRANSFERS] == 5);
    assert_true(h.touched[0] == ((UINT64_C(1) << SP_M_GOV_COST) | (UINT64_C(1) << SP_M_TRANSFERS)));
    /* the last metric lands in its own word and bit */
    sp_household_add(&h, SP_NMETRIC - 1, 2);
    assert_true(h.touched[(SP_NMETRIC - 1) / 64] & (UINT64_C(1) << ((SP_NMETRIC - 1) % 64)));
    assert_true(h.sum[SP_NMETRIC - 1] == 2);
}

/* The shared validation helpers name the field and the value. */
static void test_check_helpers(void **state)
{
    (void)state;
    sp_err e;
    assert_int_equal(sp_measure_check_amount("cap", -1, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "cap"));
    assert_int_equal(sp_measure_check_amount("cap", 0, &e), SP_OK);
    assert_int_equal(sp_measure_check_share("share_nev", 1.5, &e), SP_EINVAL);
    assert_non_null(strstr(e.msg, "share_nev"));
    assert_int_equal(sp_measure_check_month("start_month", 5, &e), SP_EINVAL);
    assert_int_equal(sp_measure_check_window(sp_month_make(2020, 5), sp_month_make(2020, 4), &e),
                     SP_EINVAL);
    assert_non_null(strstr(e.msg, "before"));
    assert_int_equal(sp_measure_check_window(sp_month_make(2020, 5), 7, &e), SP_EINVAL);
    char text[SP_FILTER_TEXT_MAX];
    memset(text, 'a', sizeof text);
    assert_int_equal(sp_measure_check_filter(text, sizeof text, &e), SP_EINVAL);
    text[SP_FILTER_MAX_LEN + 1] = '\0';
    assert_int_equal(sp_measure_check_filter(text, sizeof text, &e), SP_EINVAL);
    text[SP_FILTER_MAX_LEN] = '\0';
    assert_int_equal(sp_measure_check_filter(text, sizeof text, &e), SP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_measure_runs),
        cmocka_unit_test(test_tiny_measure_filter_and_mark),
        cmocka_unit_test(test_order_of_household_steps),
        cmocka_unit_test(test_failing_operations),
        cmocka_unit_test(test_package_rules),
        cmocka_unit_test(test_ops_check),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_household_sums),
        cmocka_unit_test(test_check_helpers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
