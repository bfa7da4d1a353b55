/* purchase_subsidy.h: the purchase subsidy or tax cut on new cars (usually
 * NEVs only; docs/model.md section 3).
 *
 * Every buyer inside the window receives, per vehicle and by the new car's
 * fuel, share x price capped at cap when the share is > 0, else the fixed
 * amount. No budget. The measure registers itself with the car market as an
 * open programme (cars.h): it shifts the fuel choice and the entry and
 * purchase hazards of every household in the market. Units: yuan, calendar
 * months. */
#ifndef SP_PURCHASE_SUBSIDY_H
#define SP_PURCHASE_SUBSIDY_H

#include "cars.h"
#include "measure.h"
#include "status.h"

typedef struct sp_purchase_subsidy_def {
    double amount_nev;   /* yuan per NEV (used when share_nev == 0) */
    double amount_ice;   /* yuan per ICE car (used when share_ice == 0); usually 0 */
    double share_nev;    /* share of price, 0..1 (e.g. 0.0885 = 10% purchase tax on the pre-VAT price) */
    double share_ice;    /* share of price, 0..1 */
    double cap;          /* yuan per vehicle for share subsidies; 0 = no cap */
    int start_month, end_month; /* inclusive */
    sp_car_restrict only; /* the new cars it pays for (vehicles.h); zeroed = every class */
    double budget;       /* yuan for the whole programme, city-wide; 0 = unlimited: paid
                          * first come, first served until the next claim would overspend
                          * (cars.h, the open programmes' budgets) */
} sp_purchase_subsidy_def;

/* Defaults: 10,000 yuan per NEV, nothing for ICE cars, 2020-07 to 2020-12. */
sp_purchase_subsidy_def sp_purchase_subsidy_def_default(void);
int sp_purchase_subsidy_validate(const sp_purchase_subsidy_def *d, sp_err *err);
double sp_purchase_subsidy_amount(const sp_purchase_subsidy_def *d, int nev, double price);
/* What it pays for a new car of class vclass at `price`: 0 when its
 * restrictions (d->only) exclude the car, else sp_purchase_subsidy_amount. */
double sp_purchase_subsidy_pays(const sp_purchase_subsidy_def *d, int vclass, double price);

/* The car market's open programme of definition d (borrowed); id separates
 * its first-come keys from other measures' (the measure's stream id). */
sp_car_programme sp_purchase_subsidy_programme(const sp_purchase_subsidy_def *d, uint32_t id);

/* The measure kind "purchase_subsidy": at most SP_CARS_MAX_PROGRAMMES in a package. */
extern const sp_measure_ops sp_purchase_subsidy_measure;

/* Adds a purchase subsidy to a package (package.h, sp_package_add). */
int sp_package_add_purchase_subsidy(sp_package *p, const char *name,
                                    const sp_purchase_subsidy_def *d, sp_err *err);

#endif
