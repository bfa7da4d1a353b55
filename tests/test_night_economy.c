/* test_night_economy.c: the night economy (core/night_economy.h,
 * docs/model.md section 9, docs/validation.md targets N14, N15).
 *
 * Exact rules are unit tests (validation, the split of the evening rise into
 * moved and new spending); the engine runs on 5,000 Beijing households
 * (seed 3), experiment seed 7. N14 and N15 are shares the model is checked
 * against, not causal targets: the evening shares are inputs, and the checks
 * say that the shift the measure adds stays inside the published range. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "spendsim.h"

SP_TEST_POPULATION(5000, 3)

static void expect_error(const sp_night_economy_def *d, const char *part)
{
    sp_err e;
    sp_err_clear(&e);
    assert_int_equal(sp_night_economy_validate(d, &e), SP_EINVAL);
    if (!strstr(e.msg, part))
        fail_msg("\"%s\" not in \"%s\"", part, e.msg);
}

static void test_validate(void **state)
{
    (void)state;
    sp_night_economy_def d = sp_night_economy_def_default();
    sp_err e;
    assert_int_equal(sp_night_economy_validate(&d, &e), SP_OK);
    d.end_month = d.start_month - 1;
    expect_error(&d, "is before start_month");
    d = sp_night_economy_def_default();
    d.hours = 0;
    expect_error(&d, "hours must lie in (0, 12]");
    d.hours = 13;
    expect_error(&d, "got 13");
    d = sp_night_economy_def_default();
    d.coverage = 1.5;
    expect_error(&d, "coverage must lie in (0, 1], got 1.5");
    d = sp_night_economy_def_default();
    d.categories = 0;
    expect_error(&d, "at least one category");
}

/* The evening rise R = n0 x coverage x spend x hours x lift splits into
 * moved (1 - k) and new (k) parts that add up to R; only the new part
 * changes the category; other categories are untouched. */
static void test_shift_and_new_add_up(void **state)
{
    (void)state;
    sp_params p = sp_params_default();
    p.night_net_share = 0.25;
    sp_night_economy_def d = sp_night_economy_def_default(); /* food, education; 2 hours */
    d.coverage = 0.4;
    double spend[SP_NCAT] = {1000, 300, 2000, 200, 500, 600, 100, 50};
    sp_night_outcome o;
    sp_night_effect(&d, &p, spend, &o);
    double x = 0.4 * (1000 + 600), r = 0.339 * x * 2 * 0.069;
    assert_true(fabs(o.shifted + (o.change[SP_CAT_FOOD] + o.change[SP_CAT_EDUCATION]) - r) < 1e-9);
    assert_true(fabs(o.change[SP_CAT_FOOD] - 0.25 * 0.339 * 400 * 0.138) < 1e-9);
    assert_true(fabs(o.night - (0.339 * x + r)) < 1e-9);
    assert_true(fabs(o.venue - (x + 0.25 * r)) < 1e-9);
    assert_true(o.change[SP_CAT_CLOTHING] == 0 && o.change[SP_CAT_HOUSING] == 0);
    /* shops use the shopping share */
    d.categories = 1u << SP_CAT_CLOTHING;
    sp_night_effect(&d, &p, spend, &o);
    assert_true(fabs(o.night - 0.5 * 0.4 * 300 * (1 + 0.138)) < 1e-9);
    /* with no new spending, the measure only moves spending between times of day */
    p.night_net_share = 0;
    sp_night_effect(&d, &p, spend, &o);
    assert_true(o.change[SP_CAT_CLOTHING] == 0 && o.shifted > 0);
}

/* The evening share at the venues of a measure of `hours` extra hours in
 * categories `cats`, over months 2-7 of a run from 2019-03 (replicate 0), and
 * the change in total spending over the horizon. */
static double night_share(unsigned cats, double hours, double *net, double *shifted)
{
    sp_err e;
    sp_package *b = sp_package_alloc("Base", &e), *p = sp_package_alloc("Night", &e);
    sp_night_economy_def d = sp_night_economy_def_default();
    d.categories = cats;
    d.hours = hours;
    assert_int_equal(sp_package_add_night_economy(p, "night", &d, &e), SP_OK);
    sp_experiment_def x = sp_experiment_def_default();
    x.population = pop;
    x.packages[0] = b;
    x.packages[1] = p;
    x.npackages = 2;
    x.start_month = sp_month_make(2019, 3);
    x.months = 10;
    x.replicates = 1;
    x.seed = 7;
    x.threads = 2;
    sp_results *r = sp_experiment_run(&x, &e);
    assert_non_null(r);
    double night = 0, venue = 0;
    *net = *shifted = 0;
    for (int m = 0; m < 10; m++) {
        night += sp_results_get(r, 1, 0, m, 0, SP_M_NIGHT_SPENDING);
        venue += sp_results_get(r, 1, 0, m, 0, SP_M_NIGHT_VENUE_SPENDING);
        *shifted += sp_results_get(r, 1, 0, m, 0, SP_M_NIGHT_SHIFTED);
        *net += sp_results_get(r, 1, 0, m, 0, SP_M_SPENDING) - sp_results_get(r, 0, 0, m, 0, SP_M_SPENDING);
        if (m < 4 || m > 9) /* outside 2019-07..2019-12: exactly nothing */
            assert_true(sp_results_get(r, 1, 0, m, 0, SP_M_SPENDING) ==
                        sp_results_get(r, 0, 0, m, 0, SP_M_SPENDING));
    }
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
    return night / venue;
}

/* N14: the evening (18:00-06:00) share at dining and leisure venues (food,
 * education) with one extra hour stays inside 0.30-0.38, the band of the
 * Meituan Beijing shares 2020-2022 (which were measured with the 2019
 * measures in place); two extra hours at every venue reach its top. N15:
 * shops' evening share with one extra hour stays inside 0.45-0.65. The
 * new spending is night_net_share (0.2) of the evening rise; the rest moved. */
static void test_n14_n15_night_shares(void **state)
{
    (void)state;
    double net, shifted;
    const unsigned dining = (1u << SP_CAT_FOOD) | (1u << SP_CAT_EDUCATION);
    double s1 = night_share(dining, 1, &net, &shifted);
    printf("# N14 dining/leisure evening share, 1 extra hour: %.4f (band 0.30-0.38)\n", s1);
    assert_true(s1 >= 0.30 && s1 <= 0.38);
    assert_true(fabs(net / (net + shifted) - 0.2) < 1e-6); /* new share of the rise */
    double s2 = night_share(dining, 2, &net, &shifted);
    printf("# N14 dining/leisure evening share, 2 extra hours: %.4f\n", s2);
    assert_true(s2 > s1 && s2 < 0.39);
    const unsigned shops = (1u << SP_CAT_CLOTHING) | (1u << SP_CAT_HOUSEHOLD_GOODS) | (1u << SP_CAT_OTHER);
    double s3 = night_share(shops, 1, &net, &shifted);
    printf("# N15 shops' evening share, 1 extra hour: %.4f (band 0.45-0.65)\n", s3);
    assert_true(s3 >= 0.45 && s3 <= 0.65);
}

/* The net-new share's default distribution, drawn per replicate through the
 * experiment: each replicate's new spending over its evening rise equals its
 * draw, inside uniform(0.1, 0.3), so the interval of the change in spending
 * carries the uncertainty; the shift alone (share 0) changes nothing. */
static void test_net_share_drawn_per_replicate(void **state)
{
    (void)state;
    sp_err e;
    const sp_measure_ops *ops = sp_measure_kind_find("night_economy");
    assert_non_null(ops);
    assert_int_equal(ops->ndists, 1);
    assert_string_equal(ops->dists[0].name, "night_net_share");
    assert_int_equal(sp_param_dist_validate(&ops->dists[0], &e), SP_OK);
    /* the point default is the distribution's mean */
    assert_true(fabs(sp_params_default().night_net_share - 0.5 * (ops->dists[0].a + ops->dists[0].b)) < 1e-12);
    sp_package *b = sp_package_alloc("Base", &e), *p = sp_package_alloc("Night", &e);
    sp_night_economy_def d = sp_night_economy_def_default();
    d.start_month = sp_month_make(2019, 3);
    assert_int_equal(sp_package_add_night_economy(p, "night", &d, &e), SP_OK);
    sp_experiment_def x = sp_experiment_def_default();
    x.population = pop;
    x.packages[0] = b;
    x.packages[1] = p;
    x.npackages = 2;
    x.start_month = sp_month_make(2019, 3);
    x.months = 4;
    x.replicates = 6;
    x.seed = 7;
    x.threads = 2;
    x.dists[0] = ops->dists[0];
    x.ndists = 1;
    sp_results *r = sp_experiment_run(&x, &e);
    assert_non_null(r);
    double lo = 1, hi = 0;
    for (int rep = 0; rep < 6; rep++) {
        double k = r->param_values[rep], net = 0, sh = 0;
        assert_true(k >= 0.1 && k <= 0.3);
        lo = fmin(lo, k);
        hi = fmax(hi, k);
        for (int m = 0; m < 4; m++) {
            net += sp_results_get(r, 1, rep, m, 0, SP_M_SPENDING) - sp_results_get(r, 0, rep, m, 0, SP_M_SPENDING);
            sh += sp_results_get(r, 1, rep, m, 0, SP_M_NIGHT_SHIFTED);
        }
        assert_true(fabs(net / (net + sh) - k) < 1e-6);
    }
    assert_true(hi - lo > 0.02); /* the replicates differ */
    sp_results_free(r);
    sp_package_free(b);
    sp_package_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_shift_and_new_add_up),
        cmocka_unit_test(test_n14_n15_night_shares),
        cmocka_unit_test(test_net_share_drawn_per_replicate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
