/* durables.c: the household durable stock and its hazards (durables.h). */
#include "durables.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

/* Items per 100 households and safe-use ages (data/durables_stock.csv):
 * - TV 105.5: Beijing colour TVs per 100 households (NBS, latest year, via
 *   news.17173.com 2026-02-11; secondary);
 * - fridge 102.91 and air conditioner 175.69: national urban 2024 (zdwang.com
 *   2025; secondary): Beijing's own figures were not found; Beijing ranks 4th
 *   of 31 provinces in air conditioners (China Statistical Yearbook 2021);
 * - washer 100: assumption (no published Beijing or national figure found);
 * - water heater 86.5 and range hood 58.5: the fridge figure times the CHEAA
 *   2018 national stock ratios 370/440 and 250/440 (derived);
 * - furniture: every household, one class (assumption).
 * Safe-use ages (CHEAA standards 2020-01-10 via Xinhua): fridge and air
 * conditioner 10 years, washer and range hood 8, water heater 8 (gas water
 * heaters 8 under GB 17905-2008); TV 10 (assumption inside the informal
 * 8-10 years); furniture 15 (assumption). Relative prices of TV, fridge,
 * washer and air conditioner in proportion to their 2009-11 caps (400, 300,
 * 250, 350 yuan: the caps were set for each type at 10% of a price);
 * water heater and range hood: assumptions. */
static const sp_durable_info info[SP_DUR_NTYPE] = {
    {"tv", 105.5, 10, 1.0, 2},
    {"fridge", 102.91, 10, 0.75, 2},
    {"washer", 100.0, 8, 0.625, 1},
    {"air_conditioner", 175.69, 10, 0.875, 2},
    {"water_heater", 86.5, 8, 0.6, 1},
    {"range_hood", 58.5, 8, 0.75, 1},
    {"furniture", 100.0, 15, 1.0, 1},
};

_Static_assert(2 + 2 + 1 + 2 + 1 + 1 + 1 == SP_DUR_SLOTS, "the types' slots fill the stock");

const sp_durable_info *sp_durable_info_of(int type)
{
    return type >= 0 && type < SP_DUR_NTYPE ? &info[type] : NULL;
}

const char *sp_durable_name(int type) { return type >= 0 && type < SP_DUR_NTYPE ? info[type].name : "?"; }

int sp_durable_find(const char *name)
{
    for (int t = 0; name && t < SP_DUR_NTYPE; t++)
        if (strcmp(info[t].name, name) == 0)
            return t;
    return -1;
}

int sp_durable_slot_type(int slot)
{
    for (int t = 0, first = 0; t < SP_DUR_NTYPE; first += info[t].slots, t++)
        if (slot < first + info[t].slots)
            return t;
    return -1;
}

double sp_durables_appliances_per_household(void)
{
    double s = 0;
    for (int t = 0; t < SP_DUR_NTYPE; t++)
        if (t != SP_DUR_FURNITURE)
            s += info[t].per100 / 100.0;
    return s;
}

/* A discrete Weibull hazard table of n + 1 ages with scale s and shape k,
 * the cumulative hazard times mult, and its stationary age distribution (the
 * last age keeps its items with its own hazard: weight S(n) / h(n)). */
static void hazard_table(double s, double k, double mult, int n, double *h, double *cdf)
{
    double surv = 1, tot = 0;
    for (int a = 0; a <= n; a++) {
        double dH = pow((a + 1) / s, k) - pow(a / s, k);
        h[a] = 1.0 - exp(-dH * mult);
        double wgt = a < n ? surv : surv / h[a];
        tot += wgt;
        cdf[a] = tot;
        surv *= 1.0 - h[a];
    }
    for (int a = 0; a <= n; a++)
        cdf[a] /= tot;
    cdf[n] = 1.0;
}

int sp_durables_model_init(sp_durables_model *m, const sp_params *p, sp_err *err)
{
    if (!m || !p)
        return sp_err_set(err, SP_EINVAL, "durables model needs parameters");
    const double k = p->durable_life_shape;
    const double g1 = gsl_sf_gamma(1.0 + 1.0 / k);
    for (int t = 0; t < SP_DUR_NTYPE; t++) {
        const double life = t == SP_DUR_FURNITURE ? info[t].safe_years : info[t].safe_years * p->durable_life_ratio;
        m->mean_life[t] = 12.0 * life;
        for (int q = 0; q < SP_NQUINTILE; q++)
            hazard_table(m->mean_life[t] / g1, k, exp(p->durable_income_gradient * (q - 2)),
                         SP_DUR_AGE_MAX, m->hazard[t][q], m->age_cdf[t][q]);
        m->median_price[t] = (t == SP_DUR_FURNITURE ? p->furniture_price : p->appliance_price) * info[t].rel_price;
        m->mean_price[t] = m->median_price[t] * exp(0.5 * p->appliance_price_sigma * p->appliance_price_sigma);
        m->replace_age[t] = p->renovation_replace_share * m->mean_life[t];
    }
    m->price_sigma = p->appliance_price_sigma;
    const double rs = 12.0 * p->renovation_interval / gsl_sf_gamma(1.5); /* shape 2 */
    hazard_table(rs, 2.0, 1.0, SP_DUR_RENO_MAX, m->reno_hazard[0], m->reno_cdf[0]);
    hazard_table(rs, 2.0, p->renovation_mover_factor, SP_DUR_RENO_MAX, m->reno_hazard[1], m->reno_cdf[1]);
    return SP_OK;
}

/* The first index a with cdf[a] >= u (cdf ascending, cdf[n] = 1). */
static int inverse(const double *cdf, int n, double u)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cdf[mid] >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void sp_durables_draw(const sp_durables_model *m, const sp_population *pop, sp_rng_key key,
                      size_t i, int month, uint32_t purpose, sp_dur_house *out)
{
    const int q = pop->quintile[i];
    uint32_t w[4];
    int slot = 0;
    for (int t = 0; t < SP_DUR_NTYPE; t++) {
        sp_rng_words(key, (uint32_t)i, (uint32_t)month, purpose, (uint32_t)t, w);
        const double per = info[t].per100 / 100.0;
        const int whole = (int)floor(per);
        int items = whole + (sp_u01(w[0]) < per - whole ? 1 : 0);
        if (items > info[t].slots)
            items = info[t].slots;
        for (int k = 0; k < info[t].slots; k++, slot++)
            out->age[slot] = k < items ? (uint8_t)inverse(m->age_cdf[t][q], SP_DUR_AGE_MAX, sp_u01(w[1 + k]))
                                       : (uint8_t)SP_DUR_ABSENT;
    }
    sp_rng_words(key, (uint32_t)i, (uint32_t)month, purpose, SP_DUR_NTYPE, w);
    out->reno = (uint16_t)inverse(m->reno_cdf[sp_durables_mover(pop, i)], SP_DUR_RENO_MAX, sp_u01(w[0]));
}

double sp_durables_price(const sp_durables_model *m, int type, double u)
{
    return m->median_price[type] * exp(m->price_sigma * gsl_cdf_ugaussian_Pinv(u));
}

static double logistic_shift(double h, double shift)
{
    if (!(shift > 0) || h <= 0 || h >= 1)
        return h;
    const double odds = h / (1.0 - h) * exp(shift);
    return odds / (1.0 + odds);
}

int sp_durables_bought(const sp_durables_model *m, const sp_dur_house *h, int slot, int q, double u,
                       int reno, double shift, int *induced)
{
    const int type = sp_durable_slot_type(slot), age = h->age[slot];
    *induced = 0;
    if (age == SP_DUR_ABSENT)
        return 0;
    if (reno && age >= m->replace_age[type])
        return 1;
    const double haz = sp_durables_hazard(m, type, q, age);
    if (u < haz)
        return 1;
    *induced = u < logistic_shift(haz, shift);
    return *induced;
}
