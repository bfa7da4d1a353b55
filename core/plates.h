/* plates.h: Beijing car-plate allocation (docs/model.md section 5).
 *
 * Rules as pure functions (the ladder, member and family points), an exact
 * weighted draw without replacement, and a per-round step that allocates the
 * quotas of one calendar month to the households of a run's dynamic state.
 *
 * Regime. A sp_plate_regime_def holds everything that is policy: per-year
 * quotas of the household pools, rounds per year, the family NEV share, the
 * purchase window, the ladder rule and one-off extra quotas. Years are indexed
 * from SP_PLATE_FIRST_YEAR (2011, the first lottery); months before 2011-01
 * hold no rounds and years after the last tabulated year (2024) reuse it.
 *
 * Pools and who is in them (plate_state in sp_hstate):
 *   SP_PLATE_LOTTERY    the ordinary lottery. Individual regime: an applicant's
 *                       weight is its ladder step; a household with a members
 *                       in the lottery holds a separate entries, drawn exactly
 *                       as one entry of weight a x step (the maximum of a iid
 *                       Efraimidis-Spirakis keys of weight w has the law of one
 *                       key of weight a w). A household wins at most one plate
 *                       per round (the second member's plate goes to the next
 *                       entry in key order). Family regime: car-less households
 *                       of two or more persons enter as one family with weight
 *                       = family points; the others as individuals. One pool.
 *   SP_PLATE_NEV_QUEUE  the NEV queue: first come, first served, longest
 *                       plate_months first, ties by a key from the household's
 *                       stream. Family regime: car-less households of two or
 *                       more persons are ranked by family points (ties by key)
 *                       for the family share of the NEV quota; the rest of the
 *                       quota (and any family share left over) goes to the
 *                       other queueing households in queue order.
 *
 * Weighted sample: a sample household stands for `weight` real households, so
 * winning hands out `weight` plates. Winners are taken in key order while the
 * plates fit in the round's quota (real plates); the first that does not fit
 * ends the round, so the plates handed out never exceed the quota.
 *
 * Randomness: keys come from sp_rng_words(key, household, month,
 * SP_PURPOSE_PLATES, draw) with draw 0 for the ordinary lottery and the NEV
 * queue tie-breaker, draw 1 for family rankings and extra quotas; selection is
 * a deterministic top-k by (key, household id), never by processing order.
 *
 * Ladder (阶梯中签率, from 2014): unsuccessful ordinary rounds are counted in
 * monthly-equivalent draws (a round of a year with R rounds counts 12 / R:
 * 1 for the monthly draws of 2011-2013, 2 for the bimonthly draws of
 * 2014-2020, 6 for the half-yearly draws from 2021); an individual's step is
 * 1 up to ladder_threshold (24) such draws, then +1 per ladder_every (12)
 * more (sp_plates_ladder_step): 1 for 24, 2 for 25-36, 3 for 37-48, i.e.
 * +1 step per 6 bimonthly or per 2 half-yearly draws. From secondary records
 * of the 2013 and 2020 rules; the gazetted text could not be read
 * (docs/model.md section 5).
 *
 * Dated pools and inflow (docs/model.md section 5). At the start of a run the
 * regime brings its pools (persons in the ordinary lottery and in the NEV
 * queue) to the published stock of a month (sp_plates_dated_pools, linear
 * between dated counts): the most recent entrants leave, or households
 * outside the pools join, ranked by keys from their own streams. A household
 * that leaves stays "dormant": it keeps its pool column (for the car market
 * it is a household that waits for a plate) but takes no part in rounds or
 * statistics until it applies again. Each month households outside an active
 * pool (no plate, room for a car, a member without a car) apply at the
 * monthly rate plate_inflow_rate (sp_params), drawn as a geometric waiting
 * time from their own stream when they join that reservoir.
 *
 * Units: plates and persons are real (weighted) counts; months are calendar
 * months (calendar.h). */
#ifndef SP_PLATES_H
#define SP_PLATES_H

#include <stddef.h>
#include <stdint.h>

#include "measure.h"
#include "population.h"
#include "rng.h"
#include "status.h"

enum {
    SP_PLATE_FIRST_YEAR = 2011, /* first lottery: 2011-01 */
    SP_PLATE_YEARS = 14,        /* tabulated years 2011..2024 */
    SP_PLATE_MAX_EXTRA = 8      /* one-off extra quotas in a regime */
};

typedef enum sp_plate_kind {
    SP_PLATE_INDIVIDUAL = 0, /* 2014-2020 rules throughout: individual lottery and NEV queue */
    SP_PLATE_FAMILY = 1,     /* 2021 rules throughout: family points and family NEV share */
    SP_PLATE_HISTORICAL = 2, /* individual before family_from, family from it */
    SP_PLATE_UNRESTRICTED = 3 /* no plates needed (before 2011, or a counterfactual): no pools, no rounds */
} sp_plate_kind;

/* pools_month of a regime: a calendar month inside the published counts
 * (sp_plates_pool_range), or one of these. */
enum {
    SP_PLATE_POOLS_POPULATION = 0, /* keep the population's pools as they are */
    SP_PLATE_POOLS_START = -1      /* the run's first month, clamped into the published range */
};

/* First and last month of the published pool counts that dated pools may use
 * (2011-01 .. 2020-02). */
void sp_plates_pool_range(int *first, int *last);

/* Published stock of persons in the ordinary lottery and in the individual
 * NEV queue in `month` (data/beijing_plate_lottery_applicants.csv), linear in
 * months between dated counts. SP_EINVAL outside sp_plates_pool_range, the
 * message naming the month and the range. */
int sp_plates_dated_pools(int month, double *ordinary, double *nev, sp_err *err);

/* A one-off extra NEV quota for car-less families (e.g. 20,000 in 2020):
 * allocated in one month by family-points ranking (ties by key) among car-less
 * households of two or more persons that are in the lottery or the NEV queue;
 * plates left over go to the individual NEV queue in the same month. */
typedef struct sp_plate_extra_def {
    int month;      /* calendar month of the allocation */
    double plates;  /* real plates, >= 0 */
} sp_plate_extra_def;

/* Defaults: 2020-09, 20,000 plates (applications 2020-08-01..20; the
 * allocation month is an assumption). */
sp_plate_extra_def sp_plate_extra_def_default(void);

typedef struct sp_plate_regime_def {
    sp_plate_kind kind;
    int family_from;                          /* first month of the family rules (SP_PLATE_HISTORICAL) */
    /* per-year tables, index = year - SP_PLATE_FIRST_YEAR */
    double ordinary_quota[SP_PLATE_YEARS];    /* ordinary plates for households (individuals and families) per year */
    double nev_quota[SP_PLATE_YEARS];         /* NEV plates for households per year (queue and families) */
    double family_nev_share[SP_PLATE_YEARS];  /* share of nev_quota first allocated to families (family rules), 0..1 */
    int ordinary_rounds[SP_PLATE_YEARS];      /* ordinary lottery rounds per year: 1,2,3,4,6 or 12 */
    int nev_rounds[SP_PLATE_YEARS];           /* NEV allocations per year: 1,2,3,4,6 or 12 */
    int window_months[SP_PLATE_YEARS];        /* months a winner has to buy, >= 1 */
    /* ladder, in monthly-equivalent unsuccessful draws (12 / rounds per year each) */
    int ladder_from;                          /* first month the ladder applies (2014-01); before, every entry weighs 1 */
    int ladder_threshold;                     /* draws at step 1, >= 0 (24) */
    int ladder_every;                         /* further draws per step, >= 1 (12) */
    int count_pre_ladder_rounds;              /* 1: rounds lost before ladder_from count towards the ladder */
    /* pools at the start of a run */
    int pools_month;                          /* SP_PLATE_POOLS_START (default), _POPULATION, or a month */
    /* one-off extra quotas */
    int nextra;                               /* 0..SP_PLATE_MAX_EXTRA */
    sp_plate_extra_def extra[SP_PLATE_MAX_EXTRA];
} sp_plate_regime_def;

/* Defaults: SP_PLATE_HISTORICAL with family rules from 2021-01; quotas from
 * data/beijing_plate_quota.csv times the households' share (17,600/20,000
 * before 2018 as in 2011; 38,200/40,000 and 54,200/60,000 from 2018 as in
 * 2020); family NEV share 0.6 in 2021-2022 and 0.8 from 2023 (0 before);
 * ordinary rounds 12 per year to 2013, 6 in 2014-2020, 2 from 2021; NEV
 * allocations 6 per year to 2019 and 1 per year from 2020 (assumption); window
 * 6 months before 2018 and 12 from 2018; ladder from 2014-01, step 1 up to 24
 * monthly-equivalent draws then +1 per 12, counting earlier rounds (secondary
 * sources); pools dated by the run's first month; extra 20,000 NEV plates for
 * car-less families in 2020-09 and 2024-09 (months assumed). */
sp_plate_regime_def sp_plate_regime_def_default(void);

/* Checks a regime; errors name the field (with the year) and the value:
 * quotas or extra plates below zero or not finite, shares outside 0..1,
 * rounds per year not in {1,2,3,4,6,12}, window below 1 month, ladder
 * threshold below 0 or steps below 1 draw, a pools month outside the
 * published counts, kind unknown, more than SP_PLATE_MAX_EXTRA extras. */
int sp_plate_regime_validate(const sp_plate_regime_def *r, sp_err *err);

/* Per-month views of a regime. Table index of a month's year (clamped to the
 * table; -1 before 2011). */
int sp_plate_regime_year(int month);
/* 1 when the family rules apply in month. */
int sp_plate_regime_family(const sp_plate_regime_def *r, int month);
/* 1 when an ordinary (NEV) round takes place in month: with R rounds a year,
 * in the months whose month of year is a multiple of 12 / R (R = 6: even
 * months; 2: June and December; 1: December). */
int sp_plate_regime_ordinary_round(const sp_plate_regime_def *r, int month);
int sp_plate_regime_nev_round(const sp_plate_regime_def *r, int month);
/* Real plates of one ordinary (NEV) round in month: the year's quota divided
 * by its rounds; 0 in months without a round. */
double sp_plate_regime_ordinary_quota(const sp_plate_regime_def *r, int month);
double sp_plate_regime_nev_quota(const sp_plate_regime_def *r, int month);
/* Purchase window of a winner of month, in months. */
int sp_plate_regime_window(const sp_plate_regime_def *r, int month);

/* ---- rules ---- */

/* Ladder step of an individual ordinary-lottery applicant after `draws`
 * unsuccessful monthly-equivalent draws: 1 for draws <= threshold, else
 * 2 + (draws - threshold - 1) / every (integer division); 1 when every < 1. */
int sp_plates_ladder_step(int draws, int threshold, int every);

/* Monthly-equivalent draws one unsuccessful ordinary round of month counts:
 * 12 / the year's ordinary rounds; 0 when the month's rounds do not count
 * (before ladder_from without count_pre_ladder_rounds) or before 2011. */
int sp_plate_regime_round_draws(const sp_plate_regime_def *r, int month);

typedef enum sp_plate_role { SP_PLATE_MAIN = 0, SP_PLATE_SPOUSE = 1, SP_PLATE_OTHER = 2 } sp_plate_role;

/* A member of a family application. */
typedef struct sp_plate_member {
    sp_plate_role role;
    int ladder_step; /* current ladder step in the ordinary lottery, 0 = not in it */
    int nev_months;  /* months in the NEV queue, 0 = not in it */
} sp_plate_member;

/* Member points: base (main applicant 2, others 1) + ladder step + one point
 * per started year in the NEV queue (ceil(nev_months / 12)). */
int sp_plates_member_points(const sp_plate_member *m);

/* Family points of n members living in `generations` generations:
 * [(P_main + P_spouse) x 2 + sum(P_others)] x G with a spouse, else
 * (P_main + sum(P_others)) x G. The official example (8 persons, 3
 * generations, main, spouse and two others at ladder step 5, four others new)
 * gives [(7 + 6) x 2 + 2 x 6 + 4 x 1] x 3 = 126, i.e. 126 first-time
 * individuals (weight 1) and 126 / 5 = 25.2 times the main applicant alone
 * (weight 5). Errors: generations outside 1..3, not exactly one main
 * applicant, more than one spouse, negative steps or months, n < 1. */
int sp_plates_family_points(const sp_plate_member *m, int n, int generations, int *points,
                            sp_err *err);

/* ---- exact weighted selection ---- */

/* A candidate of a global allocation: smaller key first, ties by smaller id.
 * For a lottery the key is the exponential clock -ln(u) / w (Efraimidis-
 * Spirakis: ranking by it samples without replacement with probabilities
 * proportional to w); for queues and rankings it encodes the order. */
typedef struct sp_plate_cand {
    double key;
    uint32_t id;   /* household index */
    float plates;  /* real plates a win hands out (the sample weight), > 0 */
} sp_plate_cand;

/* Reorders c[0..m) so that its first *nwin candidates are the winners in key
 * order: candidates are taken in (key, id) order while the sum of their plates
 * stays within quota; the first that does not fit ends the selection. The
 * result depends only on the multiset of candidates, not on their order in c.
 * Expected O(m + k log k) for k winners (weighted quickselect, then a sort of
 * the selected prefix). *allocated (may be NULL) receives the plates handed
 * out, <= quota. With quota <= 0 (or m = 0) nothing is selected and c is left
 * as is. */
void sp_plates_select(sp_plate_cand *c, size_t m, double quota, size_t *nwin, double *allocated);

/* Lottery key of an entry of weight w > 0 from household i's stream in month,
 * draw index `draw`: -ln(u) / w with u uniform on (0,1) at 53 bits. */
double sp_plates_lottery_key(sp_rng_key key, uint32_t i, int month, uint32_t draw, double w);

/* ---- run state and rounds ---- */

/* Per-run plate state that has no column in sp_hstate: unsuccessful ordinary
 * rounds of each household's applicants and whether a held plate is NEV-only.
 * Owned by the caller of sp_plates_state_alloc; holds a workspace for the
 * candidates, so one object serves a run (not thread-safe). */
typedef struct sp_plates_state sp_plates_state;

/* Allocates the state of a run over pop's households. st describes the start
 * of `month`: a household in the lottery is credited with the ordinary rounds
 * the regime held in months [month - plate_months, month). A household that
 * holds a plate (SP_PLATE_WON) is taken to hold an NEV-only plate when
 * its plate was won in an NEV allocation: unknown from st, so 0 (ordinary).
 * NULL on failure (err says why). Free with sp_plates_state_free. */
sp_plates_state *sp_plates_state_alloc(const sp_plate_regime_def *r, const sp_population *pop,
                                       const sp_hstate *st, int month, sp_err *err);
void sp_plates_state_free(sp_plates_state *ps); /* NULL is a no-op */

/* Bytes per household that a run's plate state keeps between months (the
 * unsuccessful rounds and the NEV flag; the candidate workspace of a round,
 * 16 bytes per household, is not counted). */
size_t sp_plates_bytes_per_household(void);

/* Unsuccessful monthly-equivalent draws of household i's applicants in the
 * ordinary lottery (0 outside it). */
int sp_plates_rounds(const sp_plates_state *ps, size_t i);
/* 1 when household i left its pool at the start of the run (dated pools) and
 * has not applied again: it takes no part in rounds or statistics. */
int sp_plates_dormant(const sp_plates_state *ps, size_t i);

/* Brings the pools of st to the published stock of `month` (see the header
 * comment): too many persons in a pool: its most recent entrants (smallest
 * plate_months, ties by key) turn dormant while the pool stays at or above the
 * stock; too few: households outside the pools (plate_state NONE, room for a
 * car, a member without a car), ranked by keys (purpose SP_PURPOSE_PLATES,
 * month word month - 1, draw 5), join the NEV queue (1 person) and then the
 * lottery (drivers without a car, at least 1) while the pool stays at or
 * below the stock, with plate_months uniform since 2011-01 (lottery) or
 * 2016-06 (queue) and the draws those months credit. *added (may be NULL)
 * receives the number of households that joined. Errors: the month's stock
 * (sp_plates_dated_pools). */
int sp_plates_date_pools(const sp_plate_regime_def *r, const sp_population *pop, sp_hstate *st,
                         sp_plates_state *ps, int month, sp_rng_key key, size_t *added,
                         sp_err *err);

/* Share of new applicants who choose the NEV queue in month:
 * logistic(logit(nev_queue_choice) + nev_trend x (years since 2018-10)),
 * 2018-10 being the middle of the growth nev_queue_choice was derived from. */
double sp_plates_nev_choice(const sp_params *p, int month);

/* The month's applications (see the header comment): every household in the
 * reservoir (no active pool, no plate held, fewer than SP_MAX_CARS cars, more
 * persons than cars) without a pending application month draws one, a
 * geometric waiting time at plate_inflow_rate per month from its own stream
 * (purpose SP_PURPOSE_PLATES, draw 4, the month it is drawn); those whose month
 * it is apply: the NEV queue with sp_plates_nev_choice (1 person), else the
 * lottery (drivers without a car, at least 1). run_month: months since the
 * run's first month. Returns the number of car-less households that applied
 * (the car market must then see them as waiting for a plate). */
size_t sp_plates_inflow(const sp_params *p, const sp_population *pop, sp_hstate *st,
                        sp_plates_state *ps, int month, int run_month, sp_rng_key key);

/* Persons in the ordinary lottery and the NEV queue (all of it, families
 * included), dormant households left out. */
void sp_plates_pool_persons(const sp_population *pop, const sp_hstate *st, const sp_plates_state *ps,
                            double *ordinary, double *nev);
/* 1 when household i holds a plate won in an NEV allocation (NEV only). */
int sp_plates_won_nev(const sp_plates_state *ps, size_t i);

/* Household i enters pool (SP_PLATE_LOTTERY or SP_PLATE_NEV_QUEUE) with
 * `applicants` members (>= 1): state, applicants, plate_months = 0, rounds = 0.
 * SP_PLATE_NONE leaves every pool (applicants 0). SP_EINVAL for other pools. */
int sp_plates_enter(sp_plates_state *ps, sp_hstate *st, size_t i, int pool, int applicants,
                    sp_err *err);

/* One month passes: plate_months + 1 (saturating) for every household in a
 * pool or holding a plate. For SP_PLATE_WON plate_months counts months since
 * the win (set to 0 by the round). Call once per month after the round. */
void sp_plates_age(sp_hstate *st);

enum {
    SP_PLATE_POOL_ORDINARY = 0,   /* ordinary lottery, individuals and families */
    SP_PLATE_POOL_NEV = 1,        /* individual NEV queue */
    SP_PLATE_POOL_FAMILY_NEV = 2, /* family NEV ranking (family rules) */
    SP_PLATE_POOL_EXTRA = 3,      /* one-off extra quota for car-less families */
    SP_PLATE_NPOOLS = 4
};

/* What one month's allocation did. Persons and plates are weighted (real). */
typedef struct sp_plate_round_stats {
    int month;
    int held[SP_PLATE_NPOOLS];          /* 1 when the pool was allocated this month */
    double applicants[SP_PLATE_NPOOLS]; /* persons in the pool before the allocation */
    double entries[SP_PLATE_NPOOLS];    /* applications (households or families) before it */
    double quota[SP_PLATE_NPOOLS];      /* real plates offered (NEV queue: incl. family leftovers) */
    double winners[SP_PLATE_NPOOLS];    /* real plates handed out (winning households) */
    double weight_sum;   /* ordinary pool: sum of lottery weights (entries of weight 1 = step-1 individuals) */
    double mean_weight;  /* ordinary pool: weight_sum / applicant persons (individuals: the mean ladder step) */
    double base_odds;    /* ordinary pool: quota / weight_sum, the probability a step-1 individual wins
                          * (small-quota limit; Beijing's published "中签率"), 0 without a round */
    double base_odds_1_in; /* 1 / base_odds (the published "1 in X"), 0 without a round */
    double raw_ratio;    /* ordinary pool: applicant persons / quota (the pre-2014 "1 in X") */
    double nev_queue;    /* persons in the individual NEV queue after the allocation */
    double nev_wait_years; /* nev_queue / the year's individual NEV quota (nev_quota x (1 - family share)) */
} sp_plate_round_stats;

/* The allocations of one month. In a month with a round: the extra quotas of
 * the month (family ranking, leftovers to the NEV queue), then under family
 * rules the family NEV share, then the NEV queue, then the ordinary lottery.
 * Winners: plate_state SP_PLATE_WON, applicants 0, plate_months 0, rounds 0,
 * NEV flag set for NEV allocations. Households left in the ordinary lottery
 * after its round gain one unsuccessful round. In a month without any
 * allocation nothing changes (out->held all 0). out may be NULL. Errors:
 * SP_EINVAL for NULL arguments or mismatched sizes, with the regime's own
 * validation errors. Deterministic for a given key, regardless of threads. */
int sp_plates_round(const sp_plate_regime_def *r, const sp_population *pop, sp_hstate *st,
                    sp_plates_state *ps, int month, sp_rng_key key, sp_plate_round_stats *out,
                    sp_err *err);

/* Family points of household i under the family rules: size persons all in
 * the application; a spouse applies unless the household is a two-person
 * two-generation one (parent and child); its `applicants` members (main first,
 * then the spouse, then others) are at the household's ladder step
 * (SP_PLATE_LOTTERY) or have plate_months in the NEV queue
 * (SP_PLATE_NEV_QUEUE); generations from pop. */
int sp_plates_household_points(const sp_plate_regime_def *r, const sp_population *pop,
                               const sp_hstate *st, const sp_plates_state *ps, size_t i);

/* ---- the measures ---- */

/* The measure kind "plate_regime": the package's plate regime (at most one
 * per package). Per run (run_alloc) it allocates the plate state, dates the
 * pools (pools_month: sp_plates_date_pools, then the car market is told that
 * car-less newcomers wait for a plate) and registers itself with the car
 * market as the plate allocator (purchase window, entries into the pools:
 * cars.h). Each month (month_start), from the run's second month, the
 * month's applications (sp_plates_inflow), the pools' persons, then the
 * allocation before the other measures act (its statistics go to the
 * results); after the household loop it ages the pools. The package's extra
 * quotas join its regime. Kind SP_PLATE_UNRESTRICTED instead switches the car
 * market to buying without a plate (sp_cars_set_plates_required(.., 0)),
 * empties the pools and holds no rounds. */
extern const sp_measure_ops sp_plate_regime_measure;

/* The measure kind "extra_quota": a one-off extra quota (sp_plate_extra_def)
 * added to the package's regime; it needs a regime in the package and its
 * month inside the experiment's horizon. At most SP_PLATE_MAX_EXTRA a package. */
extern const sp_measure_ops sp_plate_extra_measure;

/* Adds a plate regime or an extra quota to a package (package.h, sp_package_add). */
int sp_package_add_plates(sp_package *p, const char *name, const sp_plate_regime_def *d, sp_err *err);
int sp_package_add_plate_extra(sp_package *p, const char *name, const sp_plate_extra_def *d,
                               sp_err *err);

/* The package's plate regime, or NULL. */
const sp_plate_regime_def *sp_package_plates(const sp_package *p);

#endif
