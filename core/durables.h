/* durables.h: household durables other than cars (docs/model.md section 10).
 *
 * A household holds a stock of appliances and furnishings in fixed slots:
 * TV (2 slots), fridge (2), washer (1), air conditioner (2), water heater (1),
 * range hood (1) and furniture as one class (1). Each slot is empty or holds
 * one item with its age in months. Items are replaced with a monthly hazard
 * rising with age (Weibull; mean life = durable_life_ratio x the CHEAA
 * safe-use age of the type) and with income; a home-improvement event
 * (renovation), whose hazard rises with the months since the last one and is
 * higher for households that moved recently (proxy: not eligible for the plate
 * lottery, i.e. no hukou and under 5 years of social security), replaces the
 * furniture and every appliance older than renovation_replace_share of its
 * mean life.
 *
 * The stock is not part of the population: the measures that need it (the
 * appliance trade-in) keep it in their per-run state and draw it when they
 * first act, from the stationary state of these hazards (the age of an item
 * has probability proportional to the survival to that age), so a run without
 * such a measure pays nothing. Units: yuan, months. */
#ifndef SP_DURABLES_H
#define SP_DURABLES_H

#include <stddef.h>
#include <stdint.h>

#include "group.h"
#include "params.h"
#include "population.h"
#include "rng.h"
#include "status.h"

enum {
    SP_DUR_TV = 0,
    SP_DUR_FRIDGE,
    SP_DUR_WASHER,
    SP_DUR_AC,
    SP_DUR_WATER_HEATER,
    SP_DUR_RANGE_HOOD,
    SP_DUR_FURNITURE,
    SP_DUR_NTYPE
};

/* Slots of a household's stock; an empty slot holds SP_DUR_ABSENT; ages are
 * capped at SP_DUR_AGE_MAX months (21 years: every hazard is close to 1 there). */
enum { SP_DUR_SLOTS = 10, SP_DUR_AGE_MAX = 254, SP_DUR_ABSENT = 255 };
/* Months since the last renovation are capped here (60 years). */
enum { SP_DUR_RENO_MAX = 719 };

/* The published figures of a type (durables.c has the sources). */
typedef struct sp_durable_info {
    const char *name;   /* "tv", "fridge", "washer", "air_conditioner", "water_heater", "range_hood", "furniture" */
    double per100;      /* items per 100 Beijing households */
    double safe_years;  /* CHEAA safe-use age, years (furniture: an assumed mean life) */
    double rel_price;   /* median price relative to the parameter appliance_price (furniture: furniture_price) */
    int slots;          /* slots of the stock */
} sp_durable_info;

const sp_durable_info *sp_durable_info_of(int type);
const char *sp_durable_name(int type);  /* "?" out of range */
int sp_durable_find(const char *name);  /* -1 when unknown */
int sp_durable_slot_type(int slot);     /* the type a slot holds */

/* Precomputed hazards of one run's parameters. */
typedef struct sp_durables_model {
    double hazard[SP_DUR_NTYPE][SP_NQUINTILE][SP_DUR_AGE_MAX + 1]; /* monthly replacement hazard at age a */
    double age_cdf[SP_DUR_NTYPE][SP_NQUINTILE][SP_DUR_AGE_MAX + 1]; /* stationary P(age <= a) */
    double reno_hazard[2][SP_DUR_RENO_MAX + 1]; /* [moved recently][months since renovation] */
    double reno_cdf[2][SP_DUR_RENO_MAX + 1];
    double mean_life[SP_DUR_NTYPE];            /* months */
    double median_price[SP_DUR_NTYPE];         /* yuan */
    double mean_price[SP_DUR_NTYPE];           /* yuan: median x exp(sigma^2 / 2) */
    double price_sigma;
    double replace_age[SP_DUR_NTYPE];          /* a renovation replaces items at least this old, months */
} sp_durables_model;

/* One household's stock in one scenario. */
typedef struct sp_dur_house {
    uint8_t age[SP_DUR_SLOTS]; /* months, or SP_DUR_ABSENT */
    uint16_t reno;             /* months since the last renovation */
} sp_dur_house;

/* Computes the tables from the parameters (durable_*, appliance_*,
 * furniture_price, renovation_*). The model is large (about 150 KB):
 * allocate it. */
int sp_durables_model_init(sp_durables_model *m, const sp_params *p, sp_err *err);

/* 1 when household i counts as having moved recently (the proxy above). */
static inline int sp_durables_mover(const sp_population *pop, size_t i) { return !pop->eligible[i]; }

/* Household i's stock as it stands at the start of `month`: items per slot
 * (the whole part of per100 / 100 in every household, one more item with the
 * fractional part's probability) and ages from the stationary distribution,
 * drawn from the stream (key, i, month, purpose). */
void sp_durables_draw(const sp_durables_model *m, const sp_population *pop, sp_rng_key key,
                      size_t i, int month, uint32_t purpose, sp_dur_house *out);

/* Monthly replacement hazard of an item of `type` aged `age` months in
 * income quintile q (0..4), and the renovation hazard. */
static inline double sp_durables_hazard(const sp_durables_model *m, int type, int q, int age)
{
    return m->hazard[type][q][age > SP_DUR_AGE_MAX ? SP_DUR_AGE_MAX : age];
}
static inline double sp_durables_reno_hazard(const sp_durables_model *m, int mover, int months)
{
    return m->reno_hazard[mover ? 1 : 0][months > SP_DUR_RENO_MAX ? SP_DUR_RENO_MAX : months];
}

/* Whether the item in `slot` of h is replaced this month, given the uniform
 * u of the slot, reno = 1 when the household renovates this month (which
 * replaces items at least replace_age old), income quintile q (0..4) and a
 * logit shift of the hazard (0 = none): u < h, or u < logistic(logit(h) +
 * shift), in which case *induced is set (the shift alone makes it). An empty
 * slot is never replaced. */
int sp_durables_bought(const sp_durables_model *m, const sp_dur_house *h, int slot, int q, double u,
                       int reno, double shift, int *induced);

/* One month older (up to SP_DUR_AGE_MAX; empty slots stay empty). */
static inline void sp_durables_age(sp_dur_house *h, int slot)
{
    if (h->age[slot] < SP_DUR_AGE_MAX)
        h->age[slot]++;
}

/* Price of an item of `type` (yuan) from a uniform u in (0,1): log-normal
 * around the type's median. */
double sp_durables_price(const sp_durables_model *m, int type, double u);

/* Appliance items (furniture excluded) per household in the stock as drawn:
 * the sum of per100 / 100. */
double sp_durables_appliances_per_household(void);

#endif
