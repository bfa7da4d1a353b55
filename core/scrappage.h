/* scrappage.h: the scrappage / trade-in subsidy measure (docs/model.md
 * section 3).
 *
 * An eligible owner (filter) that replaces its oldest car inside the window
 * receives, per vehicle and by the new car's fuel, share x price within
 * [floor, cap] when the share is > 0, else the fixed amount (0 = that fuel is
 * not subsidised). The programme registers itself with the car market as a
 * trade-in programme (cars.h): owners are offered it in the month's global
 * step, first come first served until the city-wide budget would be
 * overspent; the subsidy shifts their entry and purchase hazards and the
 * fuel choice. Units: yuan, calendar months. */
#ifndef SP_SCRAPPAGE_H
#define SP_SCRAPPAGE_H

#include "cars.h"
#include "filter.h"
#include "measure.h"
#include "status.h"

typedef struct sp_scrappage_def {
    double amount_nev;   /* yuan per vehicle when the new car is an NEV (used when share_nev == 0) */
    double amount_ice;   /* yuan per vehicle when the new car is an ICE car (used when share_ice == 0) */
    double share_nev;    /* share of the new car's price, 0..1; 0 = use amount_nev */
    double share_ice;    /* share of the new car's price, 0..1; 0 = use amount_ice */
    double cap;          /* yuan: most a share subsidy pays per vehicle; 0 = no cap */
    double floor;        /* yuan: least a share subsidy pays per vehicle; 0 = none */
    int start_month;     /* first calendar month of the programme */
    int end_month;       /* last calendar month (inclusive), >= start_month */
    double budget;       /* yuan for the whole programme, city-wide; 0 = unlimited */
    char filter[SP_FILTER_TEXT_MAX]; /* eligibility ("" = every car owner), e.g. "car_age >= 120 or emission <= 3" */
    sp_car_restrict only; /* the new cars it pays for (vehicles.h); zeroed = every class */
} sp_scrappage_def;

/* Defaults: 10,000 yuan for an NEV, 7,000 for an ICE car (China 2024 trade-in
 * rules), no share, cap or floor, 2020-07 to 2020-12, unlimited budget,
 * filter "emission <= 3". */
sp_scrappage_def sp_scrappage_def_default(void);

/* Checks a definition; errors name the field and the value. */
int sp_scrappage_validate(const sp_scrappage_def *d, sp_err *err);

/* Subsidy in yuan for a new car of the given fuel (nev 0/1) and price (yuan),
 * before the restrictions on the new car. */
double sp_scrappage_amount(const sp_scrappage_def *d, int nev, double price);

/* What the programme pays for a new car of class vclass at `price`: 0 when
 * its restrictions (d->only) exclude the car, else sp_scrappage_amount. */
double sp_scrappage_pays(const sp_scrappage_def *d, int vclass, double price);

/* The car market's trade-in programme of definition d with its compiled
 * filter (NULL = every owner) and stream id; d and filter are borrowed. */
sp_car_programme sp_scrappage_programme(const sp_scrappage_def *d, const sp_filter *filter,
                                        uint32_t id);

/* The measure kind "scrappage": at most SP_CARS_MAX_PROGRAMMES in a package. */
extern const sp_measure_ops sp_scrappage_measure;

/* Adds a scrappage measure to a package (package.h, sp_package_add). */
int sp_package_add_scrappage(sp_package *p, const char *name, const sp_scrappage_def *d, sp_err *err);

#endif
