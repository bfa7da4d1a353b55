/* cars.h: the private-car stock, replacement and first-car demand, and how
 * the car market takes subsidy programmes and a plate allocator from the
 * package's measures (docs/model.md section 3). The car market is part of the
 * engine, not a measure: the measures that act on it (scrappage.h,
 * purchase_subsidy.h, plates.h) register themselves in its sp_car_policy.
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
 *   class and price: the buyer chooses a vehicle class (vehicles.h: economy,
 *     mid, premium, as ICE car or NEV) by a multinomial logit on the class's
 *     price and running costs against its reference price P_i = income x
 *     car_price_share (within [car_price_min, car_price_cap x income]), the
 *     subsidies the class would receive and an NEV preference (nev_logit +
 *     nev_trend (year - 2019)); see class_choice in cars.c. An NEV plate (an
 *     NEV being replaced, a plate from the NEV queue) allows only NEVs. The
 *     price is the class's price x exp(car_price_sigma z), z standard normal;
 *   subsidies: with S the subsidy available to the household (the fuel-choice
 *     weighted mean of its NEV and ICE amounts) and x = S / P_i, the subsidy
 *     changes timing only. A household in the market buys sooner: logit(q') =
 *     logit(q) + subsidy_beta x. An owner not in the market enters now if its
 *     own draws of the next subsidy_horizon months (the status-quo hazards at
 *     its cars' future ages: its latent timing) place its entry within that
 *     horizon, with probability 1 - exp(-subsidy_advance x). Who buys early
 *     is no longer at risk later (a new car's hazard is small), so the extra
 *     purchases are taken back by the hazards within about the horizon plus
 *     the time spent shopping.
 *
 * Monthly step of a run (what the engine calls):
 *   1. sp_cars_prepare: global step, once per month before the household loop
 *      and after the plate allocation of the month: evaluates trade-in
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
#include "vehicles.h"

enum { SP_CARS_MAX_PROGRAMMES = 8 }; /* programmes of each shape in one run */

/* A subsidy of share x price within [floor, cap] when share > 0 (a floor or
 * cap of 0 = none), else the fixed amount; yuan. */
double sp_cars_share_subsidy(double share, double amount, double floor_, double cap, double price);

/* Checks a per-fuel payment as the car subsidies define it: amounts and cap
 * 0 or more yuan, shares in 0..1, and something paid for some fuel; errors
 * name the field and the value. */
int sp_cars_check_payment(double amount_nev, double amount_ice, double share_nev, double share_ice,
                          double cap, sp_err *err);

/* ---- what the package's measures make of the car market ---- */

/* A subsidy programme for new cars, as a measure registers it (scrappage.h,
 * purchase_subsidy.h). The car market knows two shapes:
 *   trade-in (trade_in = 1): pays only when the household replaces its oldest
 *     car, to owners offered the programme in the month's global step
 *     (sp_cars_prepare: eligibility filter, then first come first served
 *     down keys from the households' own streams until the budget would be
 *     overspent; the programme then stops);
 *   open (trade_in = 0): pays every buyer inside the window, first cars and
 *     replacements alike; with a budget, the month's buyers who would claim it
 *     are ranked first come first served down keys from their own streams (in
 *     sp_cars_prepare, after the trade-in offers) and paid until the next
 *     claim would overspend; the others decide without it, and it stops.
 * Either shifts the fuel choice and the entry and purchase hazards. */
typedef struct sp_car_programme {
    int trade_in;            /* 1: trade-in (see above), 0: open */
    int start_month;         /* first calendar month it pays */
    int end_month;           /* last calendar month (inclusive) */
    double budget;           /* yuan for the whole programme, city-wide; 0 = unlimited (trade-in:
                              * ranked among its claims; open: among the month's subsidised buyers) */
    const sp_filter *filter; /* trade-in eligibility (borrowed); NULL = every owner */
    uint32_t id;             /* measure stream id: separates the first-come key streams */
    const void *def;         /* the measure's definition (borrowed), passed to amount */
    double (*amount)(const void *def, int vclass, double price); /* yuan for a new car of that class
                                                                 * (vehicles.h) and price; 0 where the
                                                                 * programme's restrictions exclude it */
} sp_car_programme;

/* Easier transfer of used cars out of Beijing, as sp.used_car_export registers
 * it (used_car_export.h). Inside its window, an owner (not buying on a won
 * plate) whose oldest car qualifies (`eligible`: its age in months and its
 * car_kind) and who passes the household filter gains `gain(def, value)` yuan
 * of net trade-in value when it replaces that car (a higher resale value and
 * lower transaction costs; value = the car's used value, the household's
 * reference price x (1 - used_car_depreciation)^(age in years)), plus
 * `subsidy` yuan from the government for the car transferred out, offered
 * first come first served within `budget` as a trade-in programme's. The gain
 * moves the replacement decision as a subsidy does: x = (S + subsidy +
 * resale_value_response x gain) / P (see the header comment), and it lowers
 * what the household pays for the new car. A replaced car leaves Beijing with
 * probability used_car_export_share, an eligible one replaced in the window
 * with `export_share`, one traded in with a scrappage subsidy never (it is
 * scrapped; the resale term skips owners offered a trade-in programme);
 * counted as expected cars (metric used_cars_exported). At most one per run. */
typedef struct sp_car_resale {
    int start_month, end_month; /* calendar months, inclusive */
    const sp_filter *filter;    /* household eligibility (borrowed); NULL = every owner */
    uint32_t id;                /* measure stream id: the transfer subsidy's first-come keys */
    const void *def;            /* the measure's definition (borrowed), passed to the functions */
    int (*eligible)(const void *def, int age, unsigned kind); /* 1: a car of that age (months) and kind qualifies */
    double (*gain)(const void *def, double value);            /* yuan of net trade-in value on a qualifying car */
    double subsidy;             /* yuan per car transferred out, paid by the government; 0 = none */
    double budget;              /* yuan for the subsidy, city-wide; 0 = unlimited */
    double export_share;        /* share of the qualifying cars replaced in the window sold out of Beijing */
} sp_car_resale;

/* The car policy of one run: the programmes of its package (order matters: a
 * household offered two overlapping trade-in programmes uses the first listed)
 * and the plate allocator, if the package has a plate regime. Everything is
 * borrowed and must outlive the run. A zeroed struct is the status quo without
 * a regime. */
struct sp_car_policy {
    int ntrade_in;
    sp_car_programme trade_in[SP_CARS_MAX_PROGRAMMES];
    int nopen;
    sp_car_programme open[SP_CARS_MAX_PROGRAMMES];
    int nresale;                /* 0 or 1: the used-car resale term */
    sp_car_resale resale;
    /* The plate allocator (plates.h), NULL without a regime: a winner's
     * purchase window, and the entry of a household into a pool. Without one,
     * the window is sp_cars_plate_window and a household that wants a plate
     * waits in its pool, never drawn. */
    void *plates;
    int (*plate_window)(const void *plates, int month);
    void (*plate_enter)(void *plates, sp_hstate *st, size_t i, int pool, int applicants);
};
typedef struct sp_car_policy sp_car_policy;

/* ---- per-run state ---- */

/* Per-household car-market state of one run (opaque): in the replacement
 * market, wants a car/plate, holds a plate and for how long, the last plate
 * pool seen (for the plate type), the monthly probability of wanting a car,
 * this month's trade-in offer; and the budget ledger of each trade-in
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

/* Switches whether a car-less household needs a plate (see
 * sp_cars_state_alloc), before the run's first month: a plate regime without
 * plates (the world before 2011, a counterfactual) calls it with 0 from its
 * run_alloc. Households of `initial` waiting in a plate pool are then
 * shopping for a first car (or, back to 1, waiting for a plate again). */
void sp_cars_set_plates_required(sp_cars_state *cs, const sp_hstate *initial, int required);

/* Bytes per household that a run's car state keeps from month to month
 * (monthly workspaces not counted). */
size_t sp_cars_bytes_per_household(void);

/* Records household i's plate type for a plate it holds or is about to win
 * (nev 1 = NEV plate, only an NEV may be bought). Optional: the state also
 * remembers the pool (lottery or NEV queue) it last saw the household in. */
void sp_cars_set_plate_nev(sp_cars_state *cs, size_t i, int nev);

/* Global step of `month` (see the header comment). Must be called every month
 * in which a trade-in programme of ms may be active, with the same ms every
 * month of the run (programmes are identified by their index). ms may be NULL.
 * Returns SP_OK or SP_EINVAL/SP_ENOMEM (filter evaluation failed, too many
 * programmes). */
int sp_cars_prepare(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                    const sp_hstate *st, const sp_params *p, sp_rng_key key, int month,
                    sp_err *err);

/* Household i, car-less and wanting a car (sp_cars_outcome.wants_plate),
 * applies for a plate: the NEV queue with probability nev_queue_choice, else
 * the ordinary lottery with every licensed member without a car of their own
 * (at least one). The draw is the household's own (purpose SP_PURPOSE_PLATES,
 * draw 9). The policy's plate allocator takes the entry; without one the
 * household waits in the pool (plate_months 0), never drawn. Writes only
 * household i's entries. */
void sp_cars_enrol(const sp_car_policy *ms, const sp_population *pop, sp_hstate *st,
                   const sp_params *p, sp_rng_key key, int month, size_t i);

/* What household i did in the month. Counts are for the sample household
 * (multiply by its weight). */
typedef struct sp_cars_outcome {
    int purchases;          /* cars bought, 0 or 1 */
    int replacement;        /* 1: the purchase replaced a car (kept its plate) */
    int first;              /* 1: the purchase used a newly won plate (first or additional car) */
    int nev;                /* 1: the car bought is an NEV */
    int vclass;             /* its class (vehicles.h), when a car was bought */
    double value;           /* price of the car bought, yuan (durable spending, outside the eight categories) */
    int scrapped;           /* cars that left the stock */
    double subsidy_trade_in; /* yuan of trade-in subsidy received (metric scrappage_subsidy) */
    int trade_in_programme; /* index in ms->trade_in of the programme that paid, or -1 */
    double subsidy_open;    /* yuan of open-programme subsidies received (metric purchase_subsidy) */
    double exported;        /* replacements: the probability that the replaced car left Beijing as a used
                             * car (used_car_export_share, or the resale term's export_share) */
    double resale_gain;     /* yuan of net trade-in value gained from the resale term (metric resale_gain) */
    double subsidy_transfer; /* yuan of the resale term's transfer subsidy (metric transfer_subsidy) */
    int entered;            /* 1: entered the replacement market this month */
    int wants_plate;        /* 1: car-less, wants a car, not yet in a plate pool: enrol it */
    int plate_used;         /* 1: a won plate was used (plate_state set to SP_PLATE_NONE) */
    int plate_expired;      /* 1: a won plate lapsed unused (plate_state set to SP_PLATE_NONE) */
} sp_cars_outcome;

/* Adds household i's car-market sums of the month to its results row acc
 * (SP_NMETRIC values, results.h) with sample weight w: purchases, their
 * value, NEVs, replacements, first cars, cars scrapped, trade-in and open
 * subsidies paid, subsidised purchases, used cars exported, the resale gain
 * and the transfer subsidy (which it also adds to government_cost; the engine
 * adds the trade-in and open subsidies there). */
void sp_cars_add_sums(const sp_cars_outcome *co, double w, double *acc);

/* What household i's cars change in its spending this month, applied to
 * spend[SP_NCAT] (yuan): the running costs of its cars minus those of its
 * initial fleet (st->car_cost: fuel or power, insurance, parking,
 * maintenance, vehicle tax; vehicles.h) are transport spending, and the
 * household finances them and any loan instalment (st->car_pay, counted down
 * in st->car_pay_months) by cutting its other categories by its MPC share
 * (params mpc by liquidity type: hand-to-mouth households cut more; the rest
 * comes out of saving). The population's baseline spending already holds its
 * initial fleet's running costs, so only the change enters. A purchase sets
 * these fields (and takes the MPC share of what it pays at once, the down
 * payment or the cash price less subsidies, out of other spending through
 * st->pending over mpc_months). The engine calls it, through
 * sp_cars_chunk_costs, for every household with car_cost != 0 or
 * car_pay_months > 0. */
void sp_cars_household_costs(const sp_population *pop, sp_hstate *st, const sp_params *p, size_t i,
                             double spend[SP_NCAT]);

/* sp_cars_household_costs for the households lo .. lo + n - 1 of a chunk
 * that have car costs or an instalment this month, on their planned
 * spending spend[j] (yuan, single precision as the spending kernel writes
 * it); the others are untouched. The engine calls it once per chunk, before
 * the measures and the car market act, so these households stay on the
 * engine's fast path. */
void sp_cars_chunk_costs(const sp_population *pop, sp_hstate *st, const sp_params *p, size_t lo,
                         size_t n, float (*spend)[SP_NCAT]);

/* Household step (see the header comment). Writes only household i's entries
 * of cs and st, so disjoint households may run on different threads. Call it
 * for every household every month, after sp_cars_prepare of that month. */
void sp_cars_household(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                       sp_hstate *st, const sp_params *p, sp_rng_key key, int month, size_t i,
                       sp_cars_outcome *out);

/* The same with the household's draw 0 of the month already computed:
 * w0 = sp_rng_words(key, i, month, SP_PURPOSE_CARS, 0) (the engine draws a
 * chunk of households at once with sp_rng_words_batch). */
void sp_cars_household_words(sp_cars_state *cs, const sp_car_policy *ms,
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
size_t sp_cars_chunk(sp_cars_state *cs, const sp_car_policy *ms, const sp_population *pop,
                     sp_hstate *st, const sp_params *p, sp_rng_key key, int month, size_t lo,
                     size_t n, const uint32_t (*w)[4], uint32_t *who, sp_cars_outcome *out);

/* Budget ledger of trade-in programme k: yuan paid so far (city-wide), and
 * 1 if the budget ran out (the programme has stopped). */
double sp_cars_trade_in_spent(const sp_cars_state *cs, int k);
int sp_cars_trade_in_exhausted(const sp_cars_state *cs, int k);

/* Budget ledger of the resale term's transfer subsidy: yuan committed so far
 * (city-wide), and 1 if the budget ran out (the subsidy has stopped; the
 * resale gain goes on). */
double sp_cars_resale_spent(const sp_cars_state *cs);
int sp_cars_resale_exhausted(const sp_cars_state *cs);

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
