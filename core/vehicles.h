/* vehicles.h: the classes of new cars a household chooses among, their
 * prices, fuel or energy use and running costs (docs/model.md section 4;
 * figures and sources in data/vehicle_classes.csv), and the restrictions a
 * car subsidy may place on them.
 *
 * Six classes: economy, mid and premium, each as an ICE car or an NEV
 * (battery-electric). Every new car meets the emission standard of its
 * registration year (sp_emission_of_year: China 6 from 2020 in Beijing);
 * NEVs are recorded as China 6 with the NEV bit. A car's class is kept in
 * bits 4..6 of its car_kind (class + 1; 0 = unknown, the initial fleet).
 *
 * Units: yuan (2019 prices paid by the buyer, after the national NEV
 * subsidy and the purchase tax), litres or kWh per 100 km, yuan per month. */
#ifndef SP_VEHICLES_H
#define SP_VEHICLES_H

#include <stdint.h>

#include "status.h"

enum {
    SP_VC_ECONOMY_ICE = 0,
    SP_VC_MID_ICE,
    SP_VC_PREMIUM_ICE,
    SP_VC_ECONOMY_NEV,
    SP_VC_MID_NEV,
    SP_VC_PREMIUM_NEV,
    SP_NVCLASS
};

typedef struct sp_vehicle_class {
    const char *name; /* "economy_ice", ... (Lua and metric names) */
    int nev;          /* 1: battery-electric */
    double price;     /* yuan, typical transaction price of the class */
    double fuel;      /* litres of petrol per 100 km (0 for an NEV) */
    double energy;    /* kWh per 100 km (0 for an ICE car) */
    double tax;       /* vehicle and vessel tax, yuan a year (0 for an NEV) */
} sp_vehicle_class;

/* Class k (0 .. SP_NVCLASS - 1); NULL outside. */
const sp_vehicle_class *sp_vehicle_class_get(int k);
/* Its name, "?" outside. */
const char *sp_vehicle_class_name(int k);
/* Index of a class by name, or -1. */
int sp_vehicle_class_find(const char *name);

/* Monthly running cost of a car of class k, yuan: fuel or electricity for
 * SP_VEHICLE_KM_YEAR km a year, insurance, parking, maintenance and the
 * vehicle tax (data/vehicle_classes.csv). */
double sp_vehicle_running_cost(int k);

/* The running-cost inputs, shared by every class (sources in
 * data/vehicle_classes.csv). */
#define SP_VEHICLE_KM_YEAR 12000.0       /* km a year */
#define SP_VEHICLE_PETROL 6.85           /* yuan per litre of 92# petrol */
#define SP_VEHICLE_POWER 0.49            /* yuan per kWh (residential tariff) */
#define SP_VEHICLE_INSURANCE 3150.0      /* yuan a year per vehicle */
#define SP_VEHICLE_PARKING 300.0         /* yuan a month */
#define SP_VEHICLE_MAINT_ICE 2000.0      /* yuan a year */
#define SP_VEHICLE_MAINT_NEV 1000.0      /* yuan a year */

/* car_kind with a class: bits 0..2 emission, bit 3 NEV, bits 4..6 class + 1. */
static inline uint8_t sp_car_kind_of_class(int k, unsigned emission)
{
    const sp_vehicle_class *v = sp_vehicle_class_get(k);
    unsigned nev = v && v->nev ? 0x08u : 0u;
    return (uint8_t)(((unsigned)(k + 1) << 4) | nev | (nev ? 6u : (emission & 7u)));
}
/* The class of a car_kind, or -1 when unknown (the initial fleet). */
static inline int sp_car_class(unsigned kind) { return (int)((kind >> 4) & 7u) - 1; }

/* What a car subsidy may be restricted to. A zeroed struct = every class. */
typedef struct sp_car_restrict {
    unsigned classes; /* bit k: class k is eligible; 0 = every class */
    double max_fuel;  /* litres per 100 km at most (NEVs use none); 0 = no limit */
    double max_price; /* yuan: the car's price at most; 0 = no limit */
    int nev_only;     /* 1: NEVs only */
} sp_car_restrict;

/* 1 when a car of class k at `price` yuan qualifies. */
int sp_car_restrict_allows(const sp_car_restrict *r, int k, double price);

/* Checks a restriction (class bits within the classes, limits 0 or more,
 * something left eligible); errors name the field and the value. */
int sp_car_restrict_validate(const sp_car_restrict *r, sp_err *err);

#endif
