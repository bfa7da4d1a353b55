/* test_design_range.c: designs outside the calibrated ranges
 * (core/design_range.h). The table is well formed and names kinds the
 * registry knows; a design inside every range gives no warning; each
 * quantity outside its range gives one warning naming the kind, the measure,
 * the package, the quantity, its value and the range; a measure shared by
 * several packages is warned about once; an experiment's results carry the
 * warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spendsim.h"

static sp_voucher_def coupon(double face, double threshold)
{
    sp_voucher_def v = sp_voucher_def_default();
    v.face = face;
    v.threshold = threshold;
    v.window_days = 7;
    v.start_month = sp_month_make(2020, 4);
    return v;
}

static sp_results *empty_results(int npackages)
{
    const char *names[3] = {"A", "B", "C"};
    sp_results *r = sp_results_alloc(npackages, names, 1, 1, sp_month_make(2020, 1), NULL);
    assert_non_null(r);
    return r;
}

static void test_table_well_formed(void **state)
{
    (void)state;
    size_t n;
    const sp_design_range *r = sp_design_ranges(&n);
    assert_true(n >= 5);
    for (size_t k = 0; k < n; k++) {
        assert_true(r[k].lo <= r[k].hi);
        assert_true(strlen(r[k].evidence) > 10 && strlen(r[k].unit) > 0);
        assert_non_null(sp_measure_kind_find(r[k].kind));
        assert_ptr_equal(sp_design_range_find(r[k].kind, r[k].field), &r[k]);
    }
    assert_null(sp_design_range_find("voucher", "no_such"));
    assert_null(sp_design_range_find(NULL, "face"));
}

static void test_inside_no_warning(void **state)
{
    (void)state;
    sp_package *p = sp_package_alloc("Plan", NULL);
    sp_voucher_def v = coupon(10, 40); /* Hangzhou 2020 */
    assert_int_equal(sp_package_add_voucher(p, "hangzhou", &v, NULL), SP_OK);
    sp_scrappage_def s = sp_scrappage_def_default();
    s.amount_nev = 10000;
    s.amount_ice = 7000;
    s.start_month = sp_month_make(2020, 7);
    s.end_month = sp_month_make(2020, 8);
    assert_int_equal(sp_package_add_scrappage(p, "trade-in", &s, NULL), SP_OK);
    sp_results *r = empty_results(1);
    const sp_package *list[1] = {p};
    assert_int_equal(sp_design_warn(r, list, 1, NULL), SP_OK);
    assert_int_equal(r->nwarnings, 0);
    sp_results_free(r);
    sp_package_free(p);
}

static void test_outside_warns_once_each(void **state)
{
    (void)state;
    sp_package *base = sp_package_alloc("Status quo", NULL);
    sp_package *p = sp_package_derive(base, "Big coupons", NULL);
    sp_voucher_def v = coupon(2000, 8000); /* threshold and face too high; discount 0.25 inside */
    v.window_days = 7;
    assert_int_equal(sp_package_add_voucher(p, "big", &v, NULL), SP_OK);
    sp_package *q = sp_package_derive(p, "Big coupons and cash", NULL); /* holds "big" again */
    sp_voucher_def c = sp_voucher_def_default();
    c.face = 5000; /* cash-like, above the Japanese and Hong Kong vouchers */
    c.threshold = 0;
    c.window_days = 0;
    c.window_months = 6;
    c.start_month = sp_month_make(2020, 4);
    assert_int_equal(sp_package_add_voucher(q, "cash", &c, NULL), SP_OK);
    sp_scrappage_def s = sp_scrappage_def_default();
    s.amount_nev = s.amount_ice = 0;
    s.share_nev = s.share_ice = 0.3;
    s.start_month = sp_month_make(2020, 7);
    s.end_month = sp_month_make(2020, 8);
    assert_int_equal(sp_package_add_scrappage(q, "generous", &s, NULL), SP_OK);
    sp_results *r = empty_results(3);
    const sp_package *list[3] = {base, p, q};
    assert_int_equal(sp_design_warn(r, list, 3, NULL), SP_OK);
    /* big: threshold, face; cash: cash_face; generous: share for NEV and ICE */
    assert_int_equal(r->nwarnings, 5);
    assert_string_equal(r->warnings[0],
                        "voucher 'big' (package Big coupons): threshold 8,000 yuan lies outside the "
                        "designs the model was calibrated on (40 to 6,000 yuan: Hangzhou 2020 (spend "
                        "40, get 10; target V1), Beijing 2020 (40-10, 80-20, 160-40; 10% off orders of "
                        "2,000 up to 400), Beijing green vouchers (100 off 1,000 to 600 off 6,000)); "
                        "its effects are an extrapolation");
    assert_non_null(strstr(r->warnings[1], "face 2,000 yuan"));
    assert_non_null(strstr(r->warnings[2], "voucher 'cash' (package Big coupons and cash): cash_face 5,000 yuan"));
    assert_non_null(strstr(r->warnings[3], "scrappage 'generous' (package Big coupons and cash): share 0.30"));
    assert_non_null(strstr(r->warnings[3], "(0 to 0.16 share of the price"));
    sp_results_free(r);
    sp_package_free(q);
    sp_package_free(p);
    sp_package_free(base);
}

/* An experiment's results carry the warnings of its packages. */
static void test_experiment_records_warnings(void **state)
{
    (void)state;
    sp_beijing_def bd = sp_beijing_def_default();
    bd.households = 500;
    sp_population *pop = sp_beijing_build(&bd, NULL);
    assert_non_null(pop);
    sp_package *base = sp_package_alloc("Status quo", NULL);
    sp_package *p = sp_package_derive(base, "Deep discount", NULL);
    sp_voucher_def v = coupon(30, 40); /* 75% off */
    assert_int_equal(sp_package_add_voucher(p, "deep", &v, NULL), SP_OK);
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    d.packages[0] = base;
    d.packages[1] = p;
    d.npackages = 2;
    d.start_month = sp_month_make(2020, 3);
    d.months = 2;
    sp_err e;
    sp_results *r = sp_experiment_run(&d, &e);
    assert_non_null(r);
    assert_int_equal(r->nwarnings, 1);
    assert_non_null(strstr(r->warnings[0], "voucher 'deep' (package Deep discount): discount 0.75"));
    sp_results_free(r);
    sp_package_free(p);
    sp_package_free(base);
    sp_population_free(pop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_well_formed),
        cmocka_unit_test(test_inside_no_warning),
        cmocka_unit_test(test_outside_warns_once_each),
        cmocka_unit_test(test_experiment_records_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
