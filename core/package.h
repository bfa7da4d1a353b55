/* package.h: a named set of policy measures. The status quo is a package too.
 *
 * A package owns copies of its measures (definitions and compiled filters).
 * Each measure has a name, unique in its package; its random streams are
 * keyed by that name, so the same measure in two packages draws the same
 * numbers (common random numbers). */
#ifndef SP_PACKAGE_H
#define SP_PACKAGE_H

#include <stdint.h>

#include "cars.h"
#include "filter.h"
#include "plates.h"
#include "status.h"
#include "vouchers.h"

#define SP_NAME_MAX 128
#define SP_MAX_MEASURES 32

typedef enum sp_measure_kind {
    SP_MEASURE_VOUCHER = 1,
    SP_MEASURE_SCRAPPAGE,        /* scrappage / trade-in subsidy (cars.h) */
    SP_MEASURE_PURCHASE_SUBSIDY, /* NEV purchase subsidy or tax cut (cars.h) */
    SP_MEASURE_CASH_TRANSFER,    /* cash to a target group (cars.h) */
    SP_MEASURE_PLATES,           /* the plate regime: at most one per package (plates.h) */
    SP_MEASURE_PLATE_EXTRA       /* a one-off extra NEV quota for car-less families (plates.h) */
} sp_measure_kind;

typedef struct sp_measure {
    sp_measure_kind kind;
    char name[SP_NAME_MAX];
    uint32_t id;         /* stream id: a hash of the name */
    sp_filter *filter;   /* compiled eligibility filter (owned), NULL = everyone */
    union {
        sp_voucher_def voucher;
        sp_scrappage_def scrappage;
        sp_purchase_subsidy_def purchase;
        sp_cash_transfer_def transfer;
        sp_plate_regime_def plates;
        sp_plate_extra_def extra;
    } def;
} sp_measure;

typedef struct sp_package {
    char name[SP_NAME_MAX];
    int nmeasures;
    sp_measure measures[SP_MAX_MEASURES];
} sp_package;

/* A package named `name` (1..127 bytes) with no measures. NULL with err. */
sp_package *sp_package_alloc(const char *name, sp_err *err);
void sp_package_free(sp_package *p); /* NULL is a no-op */

/* A new package named `name` holding copies of base's measures. */
sp_package *sp_package_derive(const sp_package *base, const char *name, sp_err *err);

/* Adds a voucher measure (validated, filter compiled). Errors name the
 * problem; the package is unchanged on error. */
int sp_package_add_voucher(sp_package *p, const char *name, const sp_voucher_def *v, sp_err *err);

/* Adds the other measures, each validated (filters compiled); errors name the
 * problem and leave the package unchanged. A package holds at most one plate
 * regime and at most SP_CARS_MAX_PROGRAMMES scrappage and purchase-subsidy
 * measures each. */
int sp_package_add_scrappage(sp_package *p, const char *name, const sp_scrappage_def *d, sp_err *err);
int sp_package_add_purchase_subsidy(sp_package *p, const char *name,
                                    const sp_purchase_subsidy_def *d, sp_err *err);
int sp_package_add_cash_transfer(sp_package *p, const char *name, const sp_cash_transfer_def *d,
                                 sp_err *err);
int sp_package_add_plates(sp_package *p, const char *name, const sp_plate_regime_def *d, sp_err *err);
int sp_package_add_plate_extra(sp_package *p, const char *name, const sp_plate_extra_def *d,
                               sp_err *err);

/* Adds a copy of measure m (as held by another package). */
int sp_package_add_measure(sp_package *p, const sp_measure *m, sp_err *err);

/* The package's plate regime, or NULL. */
const sp_plate_regime_def *sp_package_plates(const sp_package *p);

/* The stream id of a measure name (32-bit FNV-1a). */
uint32_t sp_measure_id(const char *name);

#endif
