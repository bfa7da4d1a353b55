/* params.c: the parameter descriptor table. */
#include "params.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "rng.h"

#define F(field) offsetof(sp_params, field)
#define SRC_TRIPS "assumption: purchase occasions per month (see docs/model.md, lumpy spending)"
#define SRC_FOOD "Cao, Ho, Hu & Jorgenson 2020: urban China price elasticity of food about 0.5 (target N19)"
#define SRC_SERVICES "Cao, Ho, Hu & Jorgenson 2020: urban China price elasticity of services about 0.8 (target N20)"
#define SRC_DURABLE "assumption: semi-durables; lower end of the unverified -1 to -2 range (data/new_measures_evidence.md section 4.3)"
#define SRC_MPC "CHFS liquidity types (Jiang, Dong & Zhang 2019); MPC ordering HtM > non-HtM; calibrated to V1/V4/V5"

static const sp_param_info table[] = {
    {"growth", F(growth), 1.08, 0.8, 1.3, "factor per year",
     "Beijing per-capita consumption 2018 39,843 -> 2019 43,038 (BMBS; 2019 unverified)"},
    {"trips_food", F(trips[SP_CAT_FOOD]), 12.0, 0.05, 60, "per month", SRC_TRIPS},
    {"trips_clothing", F(trips[SP_CAT_CLOTHING]), 1.2, 0.05, 60, "per month", SRC_TRIPS},
    {"trips_housing", F(trips[SP_CAT_HOUSING]), 3.0, 0.05, 60, "per month", SRC_TRIPS},
    {"trips_household_goods", F(trips[SP_CAT_HOUSEHOLD_GOODS]), 1.5, 0.05, 60, "per month", SRC_TRIPS},
    {"trips_transport", F(trips[SP_CAT_TRANSPORT]), 6.0, 0.05, 60, "per month", SRC_TRIPS},
    {"trips_education", F(trips[SP_CAT_EDUCATION]), 2.0, 0.05, 60, "per month", SRC_TRIPS},
    {"trips_health", F(trips[SP_CAT_HEALTH]), 0.8, 0.05, 60, "per month", SRC_TRIPS},
    {"trips_other", F(trips[SP_CAT_OTHER]), 1.5, 0.05, 60, "per month", SRC_TRIPS},
    {"trip_cv", F(trip_cv), 0.5, 0.0, 1.5, "ratio", "assumption: dispersion of one purchase's size"},
    {"trip_elasticity", F(trip_elasticity), 0.5, 0.0, 1.0, "elasticity",
     "assumption: higher-spending households make more and larger purchases (Nielsen 2011 via retailomania: "
     "affluent households drove more frequent and larger trips); half of a consumption difference in the count, "
     "half in the basket"},
    {"season_amplitude", F(season_amplitude), 1.0, 0.0, 2.0, "ratio",
     "1 = seasonal profile as tabulated in docs/model.md (Spring Festival, 618, Double-11)"},
    {"mpc_poor_htm", F(mpc[SP_LIQ_POOR_HTM]), 0.50, 0.0, 1.0, "share", SRC_MPC},
    {"mpc_wealthy_htm", F(mpc[SP_LIQ_WEALTHY_HTM]), 0.40, 0.0, 1.0, "share", SRC_MPC},
    {"mpc_poor_nhtm", F(mpc[SP_LIQ_POOR_NHTM]), 0.10, 0.0, 1.0, "share", SRC_MPC},
    {"mpc_wealthy_nhtm", F(mpc[SP_LIQ_WEALTHY_NHTM]), 0.12, 0.0, 1.0, "share", SRC_MPC},
    {"mpc_months", F(mpc_months), 3.0, 1.0, 24.0, "months",
     "Hori et al. 2002: MPC 0.2-0.3 in the first month, ~0.1 over 3-4 months"},
    {"voucher_coverage", F(voucher_coverage), 0.15, 0.01, 1.0, "share",
     "assumption: coupons are accepted by participating merchants / on one platform; calibrated to V1"},
    {"topup_ratio_median", F(topup_ratio_median), 3.5, 0.0, 50.0, "ratio", "calibrated to V1 (notch redemption)"},
    {"topup_ratio_sigma", F(topup_ratio_sigma), 0.8, 0.0, 3.0, "log sd", "assumption: heterogeneous tolerance"},
    {"topup_liquidity_htm", F(topup_liquidity_htm), 0.5, 0.0, 1.0, "ratio",
     "assumption, direction from Orhun & Palazzolo (Frugality is hard to afford, SSRN 2742431): liquidity "
     "constraints keep low-income households from deals that need more spending now"},
    {"topup_budget_elasticity", F(topup_budget_elasticity), 0.5, 0.0, 2.0, "elasticity",
     "assumption, direction from Chen, Li, Mao & Zhou 2025 (arXiv 2507.01365): responses rise with wealth"},
    {"notch_overshoot", F(notch_overshoot), 0.1, 0.0, 2.0, "share of threshold",
     "assumption: coupon purchases bunch at and above the threshold (Ding et al. 2024) and shift to pricier "
     "options (Xing et al. 2023); no published distribution found (data/fidelity_inputs.md section 7)"},
    {"upgrade_share", F(upgrade_share), 0.1, 0.0, 1.0, "share of face",
     "Ding et al. 2024: bunching just above the threshold"},
    {"substitution_share", F(substitution_share), 0.1, 0.0, 1.0, "share",
     "none (Ding et al. 2024) to about four months pulled forward (Xing et al. 2023)"},
    {"substitution_months", F(substitution_months), 3.0, 1.0, 24.0, "months", "Xing et al. 2023: up to ~4 months"},
    {"label_strength", F(label_strength), 1.0, 0.0, 1.0, "share",
     "calibrated to V5 (HK instalment e-vouchers, 0.8-1.0 of value)"},
    {"label_window", F(label_window), 3.0, 0.1, 60.0, "months",
     "calibrated to V4/V5: 6-month Japanese vouchers show MPC 0.1-0.2, 1-month HK instalments 0.8-1.0"},
    {"claim_propensity", F(claim_propensity), 0.35, 0.0, 1.0, "probability", "assumption: rush designs are oversubscribed"},
    {"claim_income_gradient", F(claim_income_gradient), 0.15, 0.0, 1.0, "per quintile",
     "assumption: digital access rises with income"},
    {"targeted_takeup", F(targeted_takeup), 0.9, 0.0, 1.0, "probability",
     "HK 2021: >6.3 m registrants of ~7.2 m eligible (0.875)"},
    /* cars */
    {"car_entry_scale", F(car_entry_scale), 184.0, 24.0, 600.0, "months",
     "calibrated (tests/test_cars.c): 350,000 replacements a year on 4.97 m private cars in 2020 (brief: 300-400 thousand); the generator's stock survival is Weibull 168 months, shape 3"},
    {"car_entry_shape", F(car_entry_shape), 3.0, 1.0, 6.0, "shape",
     "the stock's survival in the Beijing generator (Weibull shape 3; assumption)"},
    {"car_entry_income_gradient", F(car_entry_income_gradient), 0.15, 0.0, 1.0, "log per quintile",
     "assumption: richer households replace sooner (Q5/Q1 hazard ratio 1.8)"},
    {"car_purchase_prob", F(car_purchase_prob), 0.35, 0.01, 1.0, "per month",
     "assumption: buyers shop a few months (mean 2.9); Hoekstra et al. 2017: purchases pulled forward at most ~8 months"},
    {"car_price_share", F(car_price_share), 0.65, 0.05, 5.0, "share of annual income",
     "assumption; checked by V10 (China 2010: subsidy / induced sales 12.9%, 14,085 CNY per vehicle)"},
    {"car_price_sigma", F(car_price_sigma), 0.15, 0.0, 1.5, "log sd",
     "assumption: price dispersion within a vehicle class (the classes carry the rest)"},
    {"car_cost_years", F(car_cost_years), 3.0, 0.0, 20.0, "years",
     "assumption: buyers weigh three years of running costs (fuel, insurance, parking, maintenance, tax) with the price"},
    {"car_price_cap", F(car_price_cap), 2.5, 0.2, 20.0, "share of annual income", "assumption"},
    {"car_price_min", F(car_price_min), 40000.0, 0.0, 1e6, "yuan", "assumption: cheapest new cars"},
    {"nev_logit", F(nev_logit), -2.5, -10.0, 10.0, "logit",
     "assumption: NEVs ~8% of buyers with an ordinary plate in 2019 (most Beijing NEVs came through NEV plates)"},
    {"nev_trend", F(nev_trend), 0.35, -2.0, 2.0, "logit per year",
     "assumption: a rising NEV share of new cars"},
    {"fuel_subsidy_beta", F(fuel_subsidy_beta), 3.0, 0.0, 20.0, "logit per unit S/P",
     "Ji, Wang & Fan 2022: own-price elasticity of the BEV share -2.93 = -beta (1 - s); the class choice's price coefficient (per unit of price / reference price)"},
    {"subsidy_beta", F(subsidy_beta), 16.0, 0.0, 60.0, "logit per unit S/P",
     "calibrated to V7: US CARS-type programme (16% of price, cars >= 10 years or China III or older, two months) gives additionality 0.53 (target 0.53, band 0.45-0.60)"},
    {"subsidy_advance", F(subsidy_advance), 0.3, 0.0, 60.0, "per unit S/P",
     "calibrated with subsidy_beta to V7 (US CARS-type programme: additionality 0.53, band 0.45-0.60): a subsidy brings forward the market entry of owners whose own latent entry falls within subsidy_horizon months, with probability 1 - exp(-0.3 S/P) (0.047 at S/P = 0.16)"},
    {"subsidy_horizon", F(subsidy_horizon), 8.0, 0.0, 60.0, "months",
     "Hoekstra, Puller & West 2017 (REStat, Cash for Corollas): the CARS subsidy accelerated sales by no more than eight months; Mian & Sufi 2012 (QJE): the extra purchases were almost completely reversed by March 2010, seven months after the programme"},
    {"car_wish_rate", F(car_wish_rate), 0.004, 0.0, 0.5, "per month",
     "assumption, shaped on the ordinary pool's growth (1.42 m applicants in Feb 2013 to 3.32 m in Aug 2019, about 290,000 persons a year)"},
    {"car_wish_income_slope", F(car_wish_income_slope), 1.0, -5.0, 5.0, "logit per ln income",
     "assumption, as the ownership slope of the generator (1.2)"},
    {"car_wish_size_slope", F(car_wish_size_slope), 0.2, -5.0, 5.0, "logit per person", "assumption"},
    {"car_wish_driver_slope", F(car_wish_driver_slope), 0.3, -5.0, 5.0, "logit per driver", "assumption"},
    {"plate_purchase_prob", F(plate_purchase_prob), 0.235, 0.01, 1.0, "per month",
     "Beijing Jan 2011 winners: 14,000 of 17,600 (80%) bought within ~6 months: 1 - 0.2^(1/6)"},
    {"car_loan_share", F(car_loan_share), 0.5, 0.0, 1.0, "probability",
     "placeholder: auto-finance penetration of new cars ~45-50% in 2019-2020 (data/fidelity_inputs.md s5 [M]; 38% in 2016, 58% in 2022 [V-sec])"},
    {"car_loan_months", F(car_loan_months), 36.0, 1.0, 96.0, "months",
     "placeholder: typical term 36 months, range 12-60 (data/fidelity_inputs.md s5 [M])"},
    {"car_loan_rate", F(car_loan_rate), 0.07, 0.0, 0.3, "per year",
     "placeholder: bank/captive APR ~5-9% (data/fidelity_inputs.md s5 [M])"},
    /* plates */
    {"nev_queue_choice", F(nev_queue_choice), 0.384, 0.0, 1.0, "share",
     "derived: NEV queue grew 117,678 -> 442,411 and the ordinary pool 2.80 m -> 3.32 m from "
     "Dec 2017 to Aug 2019 (data/beijing_plate_lottery_applicants.csv): 324,733 / 844,733"},
    /* promotion seasons and discounts */
    {"price_elasticity_food", F(price_elasticity[SP_CAT_FOOD]), -0.5, -5.0, 0.0, "elasticity", SRC_FOOD},
    {"price_elasticity_clothing", F(price_elasticity[SP_CAT_CLOTHING]), -1.0, -5.0, 0.0, "elasticity",
     SRC_DURABLE},
    {"price_elasticity_housing", F(price_elasticity[SP_CAT_HOUSING]), -0.8, -5.0, 0.0, "elasticity",
     SRC_SERVICES},
    {"price_elasticity_household_goods", F(price_elasticity[SP_CAT_HOUSEHOLD_GOODS]), -1.0, -5.0, 0.0,
     "elasticity", SRC_DURABLE},
    {"price_elasticity_transport", F(price_elasticity[SP_CAT_TRANSPORT]), -0.8, -5.0, 0.0, "elasticity",
     SRC_SERVICES},
    {"price_elasticity_education", F(price_elasticity[SP_CAT_EDUCATION]), -0.8, -5.0, 0.0, "elasticity",
     SRC_SERVICES},
    {"price_elasticity_health", F(price_elasticity[SP_CAT_HEALTH]), -0.8, -5.0, 0.0, "elasticity",
     SRC_SERVICES},
    {"price_elasticity_other", F(price_elasticity[SP_CAT_OTHER]), -0.8, -5.0, 0.0, "elasticity",
     SRC_SERVICES},
    {"promo_substitution_durable", F(promo_substitution_durable), 0.6, 0.0, 1.0, "share",
     "assumption between storable non-durables (0.23, Hendel & Nevo 2006) and cars, where almost all "
     "extra purchases were pulled forward (Mian & Sufi 2012: reversed within seven months)"},
    {"promo_substitution_nondurable", F(promo_substitution_nondurable), 0.23, 0.0, 1.0, "share",
     "derived: Hendel & Nevo 2006 (Econometrica): static demand estimates overestimate own-price "
     "elasticities by 30%, so 1 - 1/1.3 = 0.23 of a sale's extra purchases are moved in time"},
    {"promo_anticipation", F(promo_anticipation), 0.5, 0.0, 1.0, "share",
     "assumption: demand accumulates before sales (Pesendorfer 2002; Hendel & Nevo 2006) and is "
     "pulled forward after them; no published split, so half each"},
    /* night economy */
    {"night_share_dining", F(night_share_dining), 0.339, 0.0, 0.95, "share",
     "derived: mean of Meituan Beijing night (18:00-06:00) shares of catering/leisure orders, "
     "6 Jun-18 Jul 2020-2022: 32.2%, 35.7%, 33.7% (Beijing News 2022-07-27; target N14)"},
    {"night_share_shopping", F(night_share_shopping), 0.5, 0.0, 0.95, "share",
     "MOFCOM consumer-habit survey 2018: more than 50% of large malls' daily sales 18:00-22:00 (CRI "
     "2020-01-03; target N15)"},
    {"night_hour_lift", F(night_hour_lift), 0.069, 0.0, 0.5, "per extra hour",
     "derived: Meituan H1 2020, 16.4 of 100 catering orders 21:00-04:00 (2.34 per hour) over the "
     "Beijing night share 33.7 (2022): one more late hour holds about 6.9% of evening spending"},
    {"night_net_share", F(night_net_share), 0.2, 0.0, 1.0, "share",
     "assumption (prior 0.1-0.3, data/new_measures_evidence.md section 3.3): opening-hours studies find "
     "both more trips and shifting between times (Donna et al. 2025, Goos 2004), no magnitude; drawn "
     "per replicate from uniform(0.1, 0.3) by default"},
    /* household durables (core/durables.h) */
    {"durable_life_ratio", F(durable_life_ratio), 1.25, 0.5, 3.0, "ratio",
     "calibrated to N10 with durable_life_shape: the stock's share reaching its CHEAA safe-use age in a year (target 0.08, band 0.06-0.11)"},
    {"durable_life_shape", F(durable_life_shape), 5.0, 1.0, 12.0, "shape",
     "calibrated to N10 (lives concentrated around a mean above the safe-use age)"},
    {"durable_income_gradient", F(durable_income_gradient), 0.10, 0.0, 1.0, "log per quintile",
     "assumption: richer households replace sooner (weaker than cars, 0.15)"},
    {"appliance_price", F(appliance_price), 3700.0, 100.0, 1e5, "yuan",
     "calibrated to N2: 2009-11 programme sales 342 bn yuan / 92.48 m units = 3,698 yuan per subsidised unit"},
    {"appliance_price_sigma", F(appliance_price_sigma), 0.3, 0.0, 1.5, "log sd", "assumption"},
    {"furniture_price", F(furniture_price), 15000.0, 0.0, 1e6, "yuan", "assumption: no published figure found"},
    {"appliance_upgrade_elasticity", F(appliance_upgrade_elasticity), 2.0, 0.0, 5.0, "elasticity",
     "assumption, checked by N3 (2024 price per subsidised unit 4,405-4,726 yuan against 3,698 in 2009-11)"},
    {"appliance_subsidy_beta", F(appliance_subsidy_beta), 4.0, 0.0, 60.0, "logit per unit S/P",
     "assumption: odds of replacing this month x1.5 at a 10% subsidy (cars: 16)"},
    {"appliance_claim_cost", F(appliance_claim_cost), 1000.0, 1.0, 1e5, "yuan",
     "calibrated to N5: Beijing 2015-18, 6.6 m subsidised items in 3 years, 0.28 per household-year"},
    {"renovation_interval", F(renovation_interval), 12.0, 1.0, 60.0, "years",
     "assumption: no Chinese figure on renovation frequency found"},
    {"renovation_mover_factor", F(renovation_mover_factor), 1.23, 1.0, 20.0, "ratio",
     "derived: Houzz Australia, 29% of renovations triggered by a recent home purchase, with the proxy group (not plate-lottery eligible) 25% of households"},
    {"renovation_replace_share", F(renovation_replace_share), 0.5, 0.0, 2.0, "share of mean life",
     "assumption"},
    {"renovation_cost_share", F(renovation_cost_share), 0.5, 0.0, 10.0, "share of annual income",
     "assumption: no published figure on renovation spending per household found"},
    /* consumer credit (core/consumer_credit.h) */
    {"credit_cash_htm", F(credit_cash_htm), 0.5, 0.01, 1.0, "share",
     "assumption: hand-to-mouth households meet half of their needs without credit"},
    {"credit_takeup_constrained", F(credit_takeup_constrained), 0.6, 0.0, 1.0, "probability",
     "calibrated to N11 with credit_need_rate (Gross & Souleles 2002: debt / limit 0.10-0.14 a year after a limit increase)"},
    {"credit_takeup_htm", F(credit_takeup_htm), 0.3, 0.0, 1.0, "probability", "assumption"},
    {"credit_takeup_nhtm", F(credit_takeup_nhtm), 0.05, 0.0, 1.0, "probability",
     "assumption: households without a liquidity constraint barely respond (Gross & Souleles 2002)"},
    {"credit_rate_semielasticity", F(credit_rate_semielasticity), 0.08, 0.0, 2.0, "per percentage point",
     "assumption; the evidence file warns against applying Gross & Souleles' elasticity -1.3 at a 3% base rate"},
    {"credit_need_rate", F(credit_need_rate), 0.02, 0.0, 1.0, "per month",
     "calibrated to N13: 13.7% of households hold consumer credit (SWUFE/Ant 2019)"},
    {"credit_need_share", F(credit_need_share), 0.03, 0.0, 10.0, "share of annual income",
     "calibrated to N11 (per borrower): Gross & Souleles 2002, debt / limit 0.10-0.14 a year after an increase, larger near the limit"},
    {"credit_need_sigma", F(credit_need_sigma), 0.8, 0.0, 3.0, "log sd", "assumption"},
    {"plate_inflow_rate", F(plate_inflow_rate), 0.006, 0.0, 0.2, "per month",
     "calibrated: least squares of log pool stocks against the 13 dated counts 2016-04..2020-02 (data/beijing_plate_lottery_applicants.csv) in a run from the dated 2014-01 pools (grid 0.004-0.02; rms log error 0.21)"},
    /* used cars leaving Beijing (core/used_car_export.h) */
    {"used_car_export_share", F(used_car_export_share), 0.6, 0.0, 1.0, "share",
     "assumption: prior 50-70% of Beijing's used cars leave the city (data/new_measures_evidence.md "
     "section 5.1, [M]; no published out-migration share found)"},
    {"used_car_depreciation", F(used_car_depreciation), 0.15, 0.0, 0.9, "per year",
     "assumption: a used car loses about 15% of its value a year (no Chinese residual-value series read)"},
    {"resale_value_response", F(resale_value_response), 1.0, 0.0, 5.0, "ratio",
     "assumption: a yuan of net trade-in value moves replacement as a yuan of trade-in subsidy, whose "
     "response is calibrated to the US CARS programme (V7; subsidy_beta, subsidy_advance)"},
    /* neighbourhood convenience outlets (core/community_outlets.h) */
    {"outlet_diversion", F(outlet_diversion), 0.9, 0.0, 1.0, "share",
     "Allcott, Diamond & Dube (QJE 2019, with Handbury & Rahkovsky): a new store's sales come "
     "primarily from other stores (target N24: 0.90, band 0.75-1.00); drawn per replicate from "
     "uniform(0.8, 1.0) by default"},
};

#define NPARAM (sizeof table / sizeof table[0])

static double *slot(sp_params *p, const sp_param_info *d) { return (double *)((char *)p + d->offset); }

sp_params sp_params_default(void)
{
    sp_params p;
    memset(&p, 0, sizeof p);
    for (size_t k = 0; k < NPARAM; k++)
        *slot(&p, &table[k]) = table[k].def;
    return p;
}

const sp_param_info *sp_param_table(size_t *count)
{
    if (count)
        *count = NPARAM;
    return table;
}

const sp_param_info *sp_param_find(const char *name)
{
    for (size_t k = 0; name && k < NPARAM; k++)
        if (strcmp(table[k].name, name) == 0)
            return &table[k];
    return NULL;
}

static int check(const sp_param_info *d, double v, sp_err *err)
{
    if (!isfinite(v))
        return sp_err_set(err, SP_EINVAL, "parameter '%s' must be a finite number", d->name);
    if (v < d->lo || v > d->hi)
        return sp_err_set(err, SP_EINVAL, "parameter '%s' = %g is out of range [%g, %g]", d->name, v,
                          d->lo, d->hi);
    return SP_OK;
}

int sp_params_set(sp_params *p, const char *name, double value, sp_err *err)
{
    const sp_param_info *d = sp_param_find(name);
    if (!d)
        return sp_err_set(err, SP_EINVAL, "unknown parameter '%s'", name ? name : "(null)");
    int rc = check(d, value, err);
    if (rc == SP_OK)
        *slot(p, d) = value;
    return rc;
}

int sp_params_get(const sp_params *p, const char *name, double *value, sp_err *err)
{
    const sp_param_info *d = sp_param_find(name);
    if (!d)
        return sp_err_set(err, SP_EINVAL, "unknown parameter '%s'", name ? name : "(null)");
    *value = *(const double *)((const char *)p + d->offset);
    return SP_OK;
}

int sp_params_validate(const sp_params *p, sp_err *err)
{
    for (size_t k = 0; k < NPARAM; k++) {
        int rc = check(&table[k], *(const double *)((const char *)p + table[k].offset), err);
        if (rc != SP_OK)
            return rc;
    }
    return SP_OK;
}

int sp_param_dist_validate(const sp_param_dist *d, sp_err *err)
{
    const sp_param_info *info = sp_param_find(d->name);
    if (!info)
        return sp_err_set(err, SP_EINVAL, "unknown parameter '%s'", d->name);
    if (!isfinite(d->a) || !isfinite(d->b))
        return sp_err_set(err, SP_EINVAL, "parameter '%s': distribution arguments must be finite",
                          d->name);
    if (d->kind == SP_DIST_NORMAL) {
        if (!(d->b > 0))
            return sp_err_set(err, SP_EINVAL, "parameter '%s': normal sd must be positive, got %g",
                              d->name, d->b);
        if (d->a < info->lo || d->a > info->hi)
            return sp_err_set(err, SP_EINVAL,
                              "parameter '%s': normal mean %g is out of range [%g, %g]", d->name,
                              d->a, info->lo, info->hi);
    } else if (d->kind == SP_DIST_UNIFORM) {
        if (!(d->a < d->b))
            return sp_err_set(err, SP_EINVAL, "parameter '%s': uniform needs low < high, got %g, %g",
                              d->name, d->a, d->b);
        if (d->a < info->lo || d->b > info->hi)
            return sp_err_set(err, SP_EINVAL,
                              "parameter '%s': uniform(%g, %g) leaves the range [%g, %g]", d->name,
                              d->a, d->b, info->lo, info->hi);
    } else {
        return sp_err_set(err, SP_EINVAL, "parameter '%s': unknown distribution", d->name);
    }
    return SP_OK;
}

uint32_t sp_param_stream(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a, as sp_measure_id */
    for (const unsigned char *c = (const unsigned char *)(name ? name : ""); *c; c++) {
        h ^= *c;
        h *= 16777619u;
    }
    return h;
}

int sp_param_index(const char *name)
{
    const sp_param_info *d = sp_param_find(name);
    return d ? (int)(d - table) : -1;
}

/* The default distributions (docs/model.md, "Parameter uncertainty"). Each is
 * centred on the parameter's point default; the width comes from the evidence
 * range named in its comment. Only response parameters are drawn: the ones
 * that shape how households answer a measure, not the baseline (which is
 * calibrated to published levels), so a package's difference against the
 * baseline carries their uncertainty and the baseline's own level does not. */
static const sp_param_dist default_dists[] = {
    /* MPC of hand-to-mouth households: 0.4-0.6 (docs/model.md section 3, consistent
     * with voucher MPCs abroad, data/behavioral_parameters.csv) */
    {"mpc_poor_htm", SP_DIST_UNIFORM, 0.40, 0.60},
    /* calibrated to 0.40 (V1/V4/V5): the same width, centred on it */
    {"mpc_wealthy_htm", SP_DIST_UNIFORM, 0.30, 0.50},
    /* non-HtM 0.1-0.2 (Hsieh et al. 2010; Kan et al. 2017): that width, centred on the
     * calibrated 0.10 and 0.12 */
    {"mpc_poor_nhtm", SP_DIST_UNIFORM, 0.05, 0.15},
    {"mpc_wealthy_nhtm", SP_DIST_UNIFORM, 0.07, 0.17},
    /* share of induced coupon spending taken from later months: none (Ding et al. 2024)
     * to about four months of pull-forward (Xing et al. 2023) */
    {"substitution_share", SP_DIST_UNIFORM, 0.0, 0.2},
    {"substitution_months", SP_DIST_UNIFORM, 2.0, 4.0},
    /* car purchases advanced by a subsidy: reversed within seven months (Mian & Sufi
     * 2012), no more than eight (Hoekstra, Puller & West 2017) */
    {"subsidy_horizon", SP_DIST_UNIFORM, 7.0, 9.0},
};

const sp_param_dist *sp_param_default_dists(size_t *count)
{
    if (count)
        *count = sizeof default_dists / sizeof default_dists[0];
    return default_dists;
}

int sp_params_draw(sp_params *p, const sp_param_dist *dists, int n, sp_rng_key key, sp_err *err)
{
    for (int k = 0; k < n; k++) {
        const sp_param_dist *d = &dists[k];
        int rc = sp_param_dist_validate(d, err);
        if (rc != SP_OK)
            return rc;
        const sp_param_info *info = sp_param_find(d->name);
        uint32_t stream = sp_param_stream(d->name);
        double v = d->a;
        for (uint32_t draw = 0; draw < 1000; draw++) { /* truncation by rejection */
            uint32_t w[4];
            sp_rng_words(key, stream, 0, SP_PURPOSE_PARAMS, draw, w);
            double u = sp_u01(w[0]);
            v = d->kind == SP_DIST_UNIFORM ? d->a + (d->b - d->a) * u
                                           : d->a + d->b * gsl_cdf_ugaussian_Pinv(u);
            if (v >= info->lo && v <= info->hi)
                break;
            v = v < info->lo ? info->lo : info->hi; /* only if 1000 draws all fell outside */
        }
        *slot(p, info) = v;
    }
    return SP_OK;
}
