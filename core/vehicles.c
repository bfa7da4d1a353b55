/* vehicles.c: the vehicle classes and their running costs (vehicles.h).
 * Figures and their sources: data/vehicle_classes.csv. */
#include "vehicles.h"

#include <math.h>
#include <string.h>

/* Prices: ICE economy in the middle of the 50-100k yuan band, mid at the
 * national average transaction price placeholder (150k), premium an
 * assumption at the 300k cap of NEV subsidy eligibility; NEVs 30% above the
 * ICE car of their class (the low end of the 30-60% placeholder premium,
 * taken after subsidies and the purchase-tax exemption) except the premium
 * NEV at the 2020 price of a Tesla Model 3 SR+ (291,800). Fuel use: the
 * middle of each segment's real-world placeholder range (A0 5.5-6.5, A
 * 6.5-8, C/large SUV 9.5-12 L/100 km); BEVs 13 / 15 / 18 kWh/100 km
 * (placeholders 12-16 for A0/A, 16-20 for B/SUV). Tax by displacement
 * 1.0-1.6 L 420, 1.6-2.0 L 480, 2.0-2.5 L 900 yuan a year. */
static const sp_vehicle_class classes[SP_NVCLASS] = {
    {"economy_ice", 0, 75000, 6.0, 0, 420},
    {"mid_ice", 0, 150000, 7.25, 0, 480},
    {"premium_ice", 0, 300000, 10.75, 0, 900},
    {"economy_nev", 1, 97500, 0, 13, 0},
    {"mid_nev", 1, 195000, 0, 15, 0},
    {"premium_nev", 1, 291800, 0, 18, 0},
};

const sp_vehicle_class *sp_vehicle_class_get(int k)
{
    return k >= 0 && k < SP_NVCLASS ? &classes[k] : NULL;
}

const char *sp_vehicle_class_name(int k) { return k >= 0 && k < SP_NVCLASS ? classes[k].name : "?"; }

int sp_vehicle_class_find(const char *name)
{
    for (int k = 0; name && k < SP_NVCLASS; k++)
        if (strcmp(classes[k].name, name) == 0)
            return k;
    return -1;
}

double sp_vehicle_running_cost(int k)
{
    const sp_vehicle_class *v = sp_vehicle_class_get(k);
    if (!v)
        return 0;
    const double km_month = SP_VEHICLE_KM_YEAR / 12.0;
    double energy = v->nev ? km_month / 100.0 * v->energy * SP_VEHICLE_POWER
                           : km_month / 100.0 * v->fuel * SP_VEHICLE_PETROL;
    double maint = v->nev ? SP_VEHICLE_MAINT_NEV : SP_VEHICLE_MAINT_ICE;
    return energy + SP_VEHICLE_PARKING + (SP_VEHICLE_INSURANCE + maint + v->tax) / 12.0;
}

int sp_car_restrict_allows(const sp_car_restrict *r, int k, double price)
{
    const sp_vehicle_class *v = sp_vehicle_class_get(k);
    if (!v)
        return 0;
    if (!r)
        return 1;
    if (r->classes && !(r->classes & (1u << k)))
        return 0;
    if (r->nev_only && !v->nev)
        return 0;
    if (r->max_fuel > 0 && v->fuel > r->max_fuel)
        return 0;
    if (r->max_price > 0 && price > r->max_price)
        return 0;
    return 1;
}

int sp_car_restrict_validate(const sp_car_restrict *r, sp_err *err)
{
    if (!r)
        return SP_OK;
    if (r->classes >> SP_NVCLASS)
        return sp_err_set(err, SP_EINVAL, "classes: bit mask 0x%x names a class beyond the %d vehicle classes",
                          r->classes, SP_NVCLASS);
    if (!isfinite(r->max_fuel) || r->max_fuel < 0)
        return sp_err_set(err, SP_EINVAL, "max_fuel must be 0 (no limit) or more litres per 100 km, got %g",
                          r->max_fuel);
    if (!isfinite(r->max_price) || r->max_price < 0)
        return sp_err_set(err, SP_EINVAL, "max_price must be 0 (no limit) or more yuan, got %g", r->max_price);
    int any = 0;
    for (int k = 0; k < SP_NVCLASS; k++)
        any |= sp_car_restrict_allows(r, k, 0);
    if (!any)
        return sp_err_set(err, SP_EINVAL, "the restrictions (classes, max_fuel, nev_only) leave no vehicle class eligible");
    return SP_OK;
}
