/* design_range.c: the calibrated ranges of measure designs (see design_range.h). */
#include "design_range.h"

#include <stdio.h>
#include <string.h>

#include "package.h"
#include "results.h"
#include "writers/writers_internal.h"

#define VOUCHERS "Hangzhou 2020 (spend 40, get 10; target V1), Beijing 2020 (40-10, 80-20, 160-40; " \
                 "10% off orders of 2,000 up to 400), Beijing green vouchers (100 off 1,000 to 600 off 6,000)"

static const sp_design_range ranges[] = {
    /* threshold coupons ("spend K, get F off") */
    {"voucher", "threshold", 40, 6000, "yuan", VOUCHERS},
    {"voucher", "face", 10, 600, "yuan", VOUCHERS},
    {"voucher", "discount", 0.10, 0.25, "share of the threshold",
     "10% (Beijing smart-product and green vouchers) to 25% (Hangzhou and Beijing 2020)"},
    {"voucher", "window_days", 7, 14, "days", "one week (Hangzhou 2020, V1) to 14 days (Beijing 2020)"},
    /* cash-like vouchers (no threshold) */
    {"voucher", "cash_face", 800, 2000, "yuan",
     "Taiwan 2009 (NT$3,600 a person), Hong Kong 2021 instalments (V5, about 1,800), Japan 1999 "
     "(20,000 yen a person, V4 about 2,000)"},
    /* scrappage and trade-in subsidies */
    {"scrappage", "amount", 2500, 31000, "yuan per vehicle",
     "Beijing 2012 (2,500-14,500), China 2009-10 (3,000-18,000; V10), China 2024 (7,000-20,000), "
     "US CARS 2009 (US$3,500-4,500, about 24,000-31,000)"},
    {"scrappage", "share", 0.0, 0.16, "share of the price",
     "US CARS 2009: about 16% of the price of the cars bought (V7)"},
};

#define NRANGE (sizeof ranges / sizeof ranges[0])

const sp_design_range *sp_design_ranges(size_t *count)
{
    if (count)
        *count = NRANGE;
    return ranges;
}

const sp_design_range *sp_design_range_find(const char *kind, const char *field)
{
    for (size_t k = 0; kind && field && k < NRANGE; k++)
        if (strcmp(ranges[k].kind, kind) == 0 && strcmp(ranges[k].field, field) == 0)
            return &ranges[k];
    return NULL;
}

/* A number as the tables write it, without trailing ".00" for whole numbers. */
static void number(double v, char b[SP_NUM_MAX])
{
    sp_write_number(v, b);
    size_t n = strlen(b);
    if (n > 3 && strcmp(b + n - 3, ".00") == 0)
        b[n - 3] = '\0';
}

int sp_design_warn(struct sp_results *res, const struct sp_package *const *packages, int npackages,
                   sp_err *err)
{
    for (int p = 0; p < npackages; p++) {
        const sp_package *pkg = packages[p];
        for (int k = 0; pkg && k < pkg->nmeasures; k++) {
            const sp_measure *m = &pkg->measures[k];
            if (!m->ops->design)
                continue;
            int seen = 0; /* the same measure in an earlier package: warned there */
            for (int q = 0; q < p && !seen; q++)
                for (int j = 0; packages[q] && j < packages[q]->nmeasures && !seen; j++)
                    seen = strcmp(packages[q]->measures[j].name, m->name) == 0 &&
                           packages[q]->measures[j].ops == m->ops;
            if (seen)
                continue;
            sp_design_value v[8];
            int n = m->ops->design(sp_measure_def(m), v, 8);
            for (int i = 0; i < n; i++) {
                const sp_design_range *r = sp_design_range_find(m->ops->kind, v[i].field);
                if (!r || (v[i].value >= r->lo && v[i].value <= r->hi))
                    continue;
                char val[SP_NUM_MAX], lo[SP_NUM_MAX], hi[SP_NUM_MAX], msg[1024];
                number(v[i].value, val);
                number(r->lo, lo);
                number(r->hi, hi);
                snprintf(msg, sizeof msg,
                         "%s '%s' (package %s): %s %s %s lies outside the designs the model was "
                         "calibrated on (%s to %s %s: %s); its effects are an extrapolation",
                         m->ops->kind, m->name, pkg->name, v[i].field, val, r->unit, lo, hi, r->unit,
                         r->evidence);
                int rc = sp_results_add_warning(res, msg, err);
                if (rc != SP_OK)
                    return rc;
            }
        }
    }
    return SP_OK;
}
