/* cars.h: the private-car stock, replacement and first-car demand, and the car
 * measures (scrappage / trade-in subsidy, NEV purchase subsidy) plus the cash
 * transfer (MODEL.md sections 3 and 6; docs/model.md section 3).
 *
 * Per household and month, with draws only from the household's own stream
 * (purpose SP_PURPOSE_CARS, month word = calendar month), so results do not
 * depend on thread count or processing order and every package sees the same
 * draws (common random numbers):
 *
 *   replacement: each car of age a months enters the replacement market with
 *     the Weibull-type hazard h(a) = 1 - exp(-((a+1)/s)^k + (a/s)^k), times
 *     exp(g (quintile - 3)) (richer households sooner); a household in the
 *     market buys with monthly probability q (entry and purchase may fall in
 *     the same month). The new car replaces the household's oldest car, keeps
 *     its plate and the old car leaves the stock (scrapped or sold out of
 *     Beijing);
 *   first cars: a car-less household with a driver comes to want a car at a
 *     monthly hazard (income, size, drivers). Where plates are required it
 *     "wants a plate" (sp_cars_outcome.wants_plate: the plate module enrols it
 *     in the lottery or the NEV queue); once it holds a plate
 *     (plate_state == SP_PLATE_WON) it buys with monthly probability
 *     plate_purchase_prob within the purchase window (6 months before 2018, 12
 *     from 2018) or gives up. The same holds for an owner of one car that wins
 *     a plate (a second car). Without plates the wish leads straight to
 *     shopping;
 *   price: P = income x car_price_share x exp(car_price_sigma z), z standard
 *     normal, within [car_price_min, car_price_cap x income] yuan; the expected
 *     price P_i (z's mean effect exp(sigma^2 / 2)) enters the hazards;
 *   fuel: NEV with probability logistic(nev_logit + nev_trend (year - 2019) +
 *     fuel_subsidy_beta (S_nev - S_ice) / P_i); an NEV plate (an NEV being
 *     replaced, a plate from the NEV queue) allows only an NEV;
 *   subsidies: with S the subsidy available to the household (the fuel-choice
 *     weighted mean of its NEV and ICE amounts), logit(h') = logit(h) +
 *     subsidy_beta_entry S / P_i for market entry and logit(q') = logit(q) +
 *     subsidy_beta S / P_i for the purchase. Who buys now is no longer at risk
 *     later: pull-forward emerges.
 *
 * Monthly step of a run (what the engine calls):
 *   1. sp_cars_prepare: global step, once per month before the household loop
 *      and after the plate allocation of the month: evaluates scrappage
 *      eligibility, ranks the households that would buy with the subsidy by
 *      first-come keys from their own streams (purpose SP_PURPOSE_SUBSIDY) and
 *      pays down the ranking until the budget would be overspent; the
 *      programme then stops (this month's later buyers and all later months
 *      get nothing).
 *   2. sp_cars_household: inside the household loop, before the household's
 *      cars are aged by one month. Updates ncars, car_age, car_kind, and
 *      plate_state/applicants/plate_months when a plate is used or expires.
 *
 * Units: yuan, months. Nothing here aborts; allocation failures and invalid
 * definitions come back as status codes with messages. */
#ifndef SP_CARS_H
#define SP_CARS_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "params.h"
#include "plates.h"
#include "population.h"
#include "rng.h"
#include "status.h"

#ifndef SP_FILTER_TEXT_MAX
#define SP_FILTER_TEXT_MAX 1024
#endif

enum { SP_CARS_MAX_PROGRAMMES = 8 }; /* car measures of each kind in one package */

/* ---- measures ---- */

/* Scrappage / trade-in subsidy: paid when an eligible owner replaces its
 * (oldest) car inside [start_month, end_month]. Per vehicle, by the new car's
 * fuel: share x price within [floor, cap] when share > 0, else the fixed
 * amount (0 = buying that fuel is not subsidised). */
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
} sp_scrappage_def;

/* Defaults: 10,000 yuan for an NEV, 7,000 for an ICE car (China 2024 trade-in
 * rules), no share, cap or floor, 2020-07 to 2020-12, unlimited budget,
 * filter "emission <= 3". */
sp_scrappage_def sp_scrappage_def_default(void);

/* Checks a definition; errors name the field and the value. */
int sp_scrappage_validate(const sp_scrappage_def *d, sp_err *err);

/* Subsidy in yuan for a new car of the given fuel (nev 0/1) and price (yuan). */
double sp_scrappage_amount(const sp_scrappage_def *d, int nev, double price);

/* Purchase subsidy or tax cut on new cars (usually NEVs only), for every buyer
 * inside [start_month, end_month]: share x price capped at cap when share > 0,
 * else the fixed amount. No budget. Shifts the fuel choice and the purchase
 * and entry hazards. */
typedef struct sp_purchase_subsidy_def {
    double amount_nev;   /* yuan per NEV (used when share_nev == 0) */
    double amount_ice;   /* yuan per ICE car (used when share_ice == 0); usually 0 */
    double share_nev;    /* share of price, 0..1 (e.g. 0.0885 = 10% purchase tax on the pre-VAT price) */
    double share_ice;    /* share of price, 0..1 */
    double cap;          /* yuan per vehicle for share subsidies; 0 = no cap */
    int start_month, end_month; /* inclusive */
} sp_purchase_subsidy_def;

/* Defaults: 10,000 yuan per NEV, nothing for ICE cars, 2020-07 to 2020-12. */
sp_purchase_subsidy_def sp_purchase_subsidy_def_default(void);
int sp_purchase_subsidy_validate(const sp_purchase_subsidy_def *d, sp_err *err);
double sp_purchase_subsidy_amount(const sp_purchase_subsidy_def *d, int nev, double price);

/* Cash transfer: `amount` yuan to every household of a target group (filter)
 * in start_month, spent at the household's MPC (params mpc by liquidity type)
 * evenly over `months` months (0 = parameter mpc_months). */
typedef struct sp_cash_transfer_def {
    double amount;       /* yuan per household, > 0 */
    int start_month;     /* calendar month of payment */
    int months;          /* spending spread, 1..24 months; 0 = parameter mpc_months */
    char filter[SP_FILTER_TEXT_MAX]; /* target group ("" = every household) */
} sp_cash_transfer_def;

/* Defaults: 1,000 yuan, 2020-07, months from the parameters, everyone. */
sp_cash_transfer_def sp_cash_transfer_def_default(void);
int sp_cash_transfer_validate(const sp_cash_transfer_def *d, sp_err *err);

/* Extra spending the transfer causes for household i: amount x MPC (yuan). */
double sp_cash_transfer_windfall(const sp_cash_transfer_def *d, const sp_params *p,
                                 const sp_population *pop, size_t i);

/* Pays household i (call it in start_month for the households of the target
 * group): adds the windfall to st->pending and sets st->pending_months to the
 * spread (or keeps a longer one already running). Returns the government's
 * cost for this sample household, amount yuan (multiply by the weight). */
double sp_cash_transfer_apply(const sp_cash_transfer_def *d, const sp_params *p,
                              const sp_population *pop, sp_hstate *st, size_t i);

/* The car measures of one package, as the engine hands them to this module.
 * Pointers are borrowed and must outlive the run. Order matters: a household
 * eligible for two overlapping scrappage programmes uses the first one listed. */
typedef struct sp_cars_measures {
    int nscrappage;
    const sp_scrappage_def *scrappage[SP_CARS_MAX_PROGRAMMES];
    const sp_filter *scrappage_filter[SP_CARS_MAX_PROGRAMMES]; /* compiled def->filter; NULL = every owner */
    uint32_t scrappage_id[SP_CARS_MAX_PROGRAMMES];             /* measure id: separates key streams */
    int npurchase;
    const sp_purchase_subsidy_def *purchase[SP_CARS_MAX_PROGRAMMES];
    const sp_plate_regime_def *plates; /* the package's plate regime: its purchase window
                                        * applies to winners; NULL = sp_cars_plate_window */
} sp_cars_measures;

/* ---- per-run state ---- */

/* Per-household car-market state of one run (opaque): in the replacement
 * market, wants a car/plate, holds a plate and for how long, the last plate
 * pool seen (for the plate type), the monthly probability of wanting a car,
 * this month's scrappage offer; and the budget ledger of each scrappage
 * programme. 4 bytes per household persist between months
 * (sp_cars_bytes_per_household), plus 2 bytes of monthly workspace. */
typedef struct sp_cars_state sp_cars_state;

/* Allocates the state of a run starting in start_month for pop's households,
 * from the initial dynamic state `initial` (usually pop->state, or the run's
 * copy): car-less households already in a plate pool want a car; owners are
 * placed in the replacement market with the stationary probability
 * min(1, h / q) (drawn from their own streams, month word start_month - 1).
 * plates_required: 1 when a car-less household needs a plate (Beijing), 0 when
 * it may buy at once. NULL on failure (err says why). */
sp_cars_state *sp_cars_state_alloc(const sp_population *pop, const sp_hstate *initial,
                                   const sp_params *p, sp_rng_key key, int start_month,
                                   int plates_required, sp_err *err);
void sp_cars_state_free(sp_cars_state *cs); /* NULL is a no-op */

/* Bytes per household that a run's car state keeps from month to month
 * (monthly workspaces not counted). */
size_t sp_cars_bytes_per_household(void);

/* Records household i's plate type for a plate it holds or is about to win
 * (nev 1 = NEV plate, only an NEV may be bought). Optional: the state also
 * remembers the pool (lottery or NEV queue) it last saw the household in. */
void sp_cars_set_plate_nev(sp_cars_state *cs, size_t i, int nev);

/* Global step of `month` (see the header comment). Must be called every month
 * in which a scrappage programme of ms may be active, with the same ms every
 * month of the run (programmes are identified by their index). ms may be NULL.
 * Returns SP_OK or SP_EINVAL/SP_ENOMEM (filter evaluation failed, too many
 * programmes). */
int sp_cars_prepare(sp_cars_state *cs, const sp_cars_measures *ms, const sp_population *pop,
                    const sp_hstate *st, const sp_params *p, sp_rng_key key, int month,
                    sp_err *err);

/* What household i did in the month. Counts are for the sample household
 * (multiply by its weight). */
typedef struct sp_cars_outcome {
    int purchases;          /* cars bought, 0 or 1 */
    int replacement;        /* 1: the purchase replaced a car (kept its plate) */
    int first;              /* 1: the purchase used a newly won plate (first or additional car) */
    int nev;                /* 1: the car bought is an NEV */
    double value;           /* price of the car bought, yuan (durable spending, outside the eight categories) */
    int scrapped;           /* cars that left the stock */
    double subsidy_scrappage; /* yuan of scrappage subsidy received */
    int scrappage_measure;  /* index in ms->scrappage of the programme that paid, or -1 */
    double subsidy_purchase;  /* yuan of purchase subsidies received (all programmes) */
    int entered;            /* 1: entered the replacement market this month */
    int wants_plate;        /* 1: car-less, wants a car, not yet in a plate pool: enrol it */
    int plate_used;         /* 1: a won plate was used (plate_state set to SP_PLATE_NONE) */
    int plate_expired;      /* 1: a won plate lapsed unused (plate_state set to SP_PLATE_NONE) */
} sp_cars_outcome;

/* Household step (see the header comment). Writes only household i's entries
 * of cs and st, so disjoint households may run on different threads. Call it
 * for every household every month, after sp_cars_prepare of that month. */
void sp_cars_household(sp_cars_state *cs, const sp_cars_measures *ms, const sp_population *pop,
                       sp_hstate *st, const sp_params *p, sp_rng_key key, int month, size_t i,
                       sp_cars_outcome *out);

/* The same with the household's draw 0 of the month already computed:
 * w0 = sp_rng_words(key, i, month, SP_PURPOSE_CARS, 0) (the engine draws a
 * chunk of households at once with sp_rng_words_batch). */
void sp_cars_household_words(sp_cars_state *cs, const sp_cars_measures *ms,
                             const sp_population *pop, sp_hstate *st, const sp_params *p,
                             sp_rng_key key, int month, size_t i, const uint32_t w0[4],
                             sp_cars_outcome *out);

/* The household step for households lo .. lo + n - 1 (a chunk of the
 * engine's block) with their draws w[j] = sp_rng_words(key, lo + j, month,
 * SP_PURPOSE_CARS, 0), then every car of those households ages by one month
 * (saturating at 65535). Most households do nothing in a month and cost a
 * hazard comparison; only those that went through the full step are
 * reported: who[e] (index in the chunk, ascending) and out[e] for e below the
 * returned count (an outcome may still be all zero). who and out have room
 * for n entries. Same results as sp_cars_household_words for every
 * household followed by the ageing. */
size_t sp_cars_chunk(sp_cars_state *cs, const sp_cars_measures *ms, const sp_population *pop,
                     sp_hstate *st, const sp_params *p, sp_rng_key key, int month, size_t lo,
                     size_t n, const uint32_t (*w)[4], uint32_t *who, sp_cars_outcome *out);

/* Budget ledger of scrappage programme k: yuan paid so far (city-wide), and
 * 1 if the budget ran out (the programme has stopped). */
double sp_cars_scrappage_spent(const sp_cars_state *cs, int k);
int sp_cars_scrappage_exhausted(const sp_cars_state *cs, int k);

/* ---- building blocks (exposed for tests and documentation) ---- */

/* Monthly market-entry hazard of one car of age `age` months, before the
 * income multiplier and subsidies. */
double sp_cars_entry_hazard(const sp_params *p, int age);

/* Hazard multiplier of household i: exp(g (quintile - 3)), quintile 1..5. */
double sp_cars_income_multiplier(const sp_params *p, const sp_population *pop, size_t i);

/* Expected price of household i's next car, yuan. */
double sp_cars_expected_price(const sp_params *p, const sp_population *pop, size_t i);

/* logit(h') = logit(h) + shift, for h in [0, 1]. */
double sp_cars_logit_shift(double h, double shift);

/* China emission standard of a car registered in Beijing in `year` (2 = China
 * II or older ... 6; population.h's sp_emission_of_year), and the months a won
 * plate stays valid in `month` when no regime says otherwise (6 before 2018,
 * 12 from 2018, as the default regime). */
int sp_cars_emission_of_year(int year);
int sp_cars_plate_window(int month);

#endif
