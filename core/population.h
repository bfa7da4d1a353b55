/* population.h: households as a column store (struct of arrays) with weights.
 *
 * Static columns describe a household and never change during a run. Dynamic
 * columns (cars, plate-lottery state, pulled-forward spending) live in an
 * sp_hstate: the population holds the initial state, and each run copies it and
 * steps its own copy, so runs never share mutable memory.
 *
 * Units: yuan (nominal, of the population's base year), months, persons. */
#ifndef SP_POPULATION_H
#define SP_POPULATION_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "category.h"
#include "group.h"
#include "status.h"

enum { SP_MAX_CARS = 2 };
/* cars.c's quiet-household classifier reads car_age[0] and car_age[1] (and
 * car_kind[0] and [1]) as two fixed columns, and the microdata reader has the
 * columns car1_* and car2_*. */
_Static_assert(SP_MAX_CARS == 2, "the car columns are car 1 and car 2");

/* Category shares are stored in units of 1 / SP_SHARE_ONE (2^-16): a
 * household's eight uint16 shares sum to SP_SHARE_ONE. */
enum { SP_SHARE_ONE = 65536 };

/* pop->ranks: one byte per household holding two ranks. Consumption ranks in
 * 30ths nest terciles (30ths / 10), quintiles (/ 6) and deciles (/ 3); the
 * income decile nests in the income quintile. */
enum { SP_CONS_RANKS = 30, SP_RANK_CONS_MASK = 0x1f, SP_RANK_DECILE_BIT = 0x20 };
_Static_assert(SP_CONS_RANKS - 1 <= SP_RANK_CONS_MASK, "consumption ranks fit bits 0-4");

static inline int sp_rank_cons30(uint8_t code) { return code & SP_RANK_CONS_MASK; }
static inline int sp_rank_income_decile(uint8_t quintile, uint8_t code)
{
    return 2 * quintile + ((code & SP_RANK_DECILE_BIT) ? 1 : 0);
}

/* deferred_mask and the other per-household category masks are one byte,
 * bit c for category c. */
_Static_assert(SP_NCAT <= 8, "a category mask fits one byte");

/* car_kind bits: low 3 bits = China emission standard (2 = China II or older,
 * 3..6 = China III..6; NEVs are recorded as 6), bit 3 = NEV. */
#define SP_CAR_NEV 0x08u
#define SP_CAR_EMISSION(kind) ((unsigned)(kind) & 0x07u)
/* The car_kind of an NEV: the NEV bit with emission standard China 6. */
#define SP_CAR_KIND_NEV (SP_CAR_NEV | 6u)

/* China emission standard of a car registered in Beijing in `year` (Beijing
 * adopted each stage early): before 2005 China II or older (2), 2005-2007 III,
 * 2008-2012 IV, 2013-2019 V, 2020 onwards 6. */
static inline unsigned sp_emission_of_year(int year)
{
    return year < 2005 ? 2u : year < 2008 ? 3u : year < 2013 ? 4u : year < 2020 ? 5u : 6u;
}

/* plate_state values */
enum {
    SP_PLATE_NONE = 0,       /* not applying */
    SP_PLATE_LOTTERY = 1,    /* in the ordinary-plate lottery */
    SP_PLATE_NEV_QUEUE = 2,  /* in the NEV queue */
    SP_PLATE_WON = 3         /* holds a plate quota and may buy within the window */
};

/* Dynamic household state: what a run changes month by month. */
typedef struct sp_hstate {
    size_t n;
    uint8_t *ncars;                  /* cars owned, 0..SP_MAX_CARS */
    uint16_t *car_age[SP_MAX_CARS];  /* age in months of car k (valid when k < ncars) */
    uint8_t *car_kind[SP_MAX_CARS];  /* fuel and emission standard, see SP_CAR_* */
    uint8_t *plate_state;            /* SP_PLATE_* */
    uint8_t *applicants;             /* household members currently in the plate lottery or queue */
    uint16_t *plate_months;          /* months since the household entered its current plate pool */
    float *deferred;                 /* yuan of future spending pulled forward, still to be repaid */
    uint8_t *deferred_mask;          /* categories (bit c) the repayment comes out of */
    float *pending;                  /* yuan of windfall spending (MPC out of freed income) still to come */
    uint8_t *pending_months;         /* months left over which `pending` is spent, evenly */
    int16_t *car_cost;               /* yuan a month: running costs of the household's cars minus those of its initial fleet (cars.h) */
    uint16_t *car_pay;               /* yuan a month: the instalment of a car loan ... */
    uint8_t *car_pay_months;         /* ... for this many more months */
} sp_hstate;

typedef struct sp_population {
    size_t n;              /* households in the sample */
    double total_weight;   /* households represented (sum of weights) */
    int base_month;        /* calendar month the state describes (end of the base year) */
    int base_year;         /* income and consumption are annual figures of this year */
    char label[160];       /* what the population is, for provenance ("Beijing 2019 (embedded) ...") */
    char provenance[600];  /* how it was built: generator and parameters ("" when not recorded) */
    char source[512];      /* the saved population file it was loaded from (spop.h), "" when built */
    uint64_t source_checksum; /* that file's checksum (XXH64, spop.h) */
    void *map;             /* the mapped file whose pages hold the static columns (spop.h), or NULL */
    size_t map_bytes;

    /* static columns */
    float *weight;         /* households represented by this sample household */
    float *income;         /* annual household disposable income, yuan */
    float *consumption;    /* planned annual household consumption, yuan (eight categories) */
    uint8_t *size;         /* persons, 1..10 */
    uint8_t *area;         /* SP_AREA_URBAN / SP_AREA_RURAL */
    uint8_t *liquidity;    /* SP_LIQ_* */
    uint8_t *quintile;     /* 0..SP_NQUINTILE - 1: per-capita income quintile (persons-weighted, whole population) */
    uint8_t *ranks;        /* finer ranks (SP_RANK_*): bits 0-4 the household's rank in annual household
                            * consumption in 30ths of households (weighted), 0..29, lowest first; bit 5 the
                            * upper half of its income quintile (income decile = 2 quintile + bit 5) */
    uint8_t *drivers;      /* members holding a driving licence */
    uint8_t *eligible;     /* 1 if the household may enter the plate lottery (hukou or 5 years of social security) */
    uint8_t *generations;  /* generations living together, 1..3 (family plate points) */
    uint16_t *shares;      /* n x SP_NCAT category shares of consumption in units of 1 / SP_SHARE_ONE, summing to SP_SHARE_ONE */
    int64_t *id;           /* the survey's household ids (microdata column `id`), or NULL: households are
                            * numbered 1..n */

    sp_hstate state;       /* initial dynamic state */

    /* Engel curves: share_c = a_c + b_c * ln(per-capita income / exp(engel_lnref)),
     * floored at 0.2% and renormalised; a_c calibrated so that aggregate shares match
     * the 2018 composition. */
    double engel_a[SP_NCAT];
    double engel_b[SP_NCAT];
    double engel_lnref;

    /* Marginal propensities to consume as the population gives them
     * (sp.population.beijing{ mpc =, mpc_quintile = }; docs/model.md section 3):
     * mpc_type, by liquidity type, replaces the experiment's mpc_* parameters
     * when mpc_given (unless the experiment's params give them); mpc_quintile,
     * by income quintile (1 = none, the default), multiplies every household's
     * MPC (sp_population_mpc). Saved with the population (spop.h). */
    int mpc_given;
    float mpc_type[SP_NLIQ];
    float mpc_quintile[SP_NQUINTILE];
} sp_population;

/* Household i's MPC out of a windfall: its liquidity type's (mpc[], the
 * experiment's mpc_* parameters) times its income quintile's multiplier. */
static inline double sp_population_mpc(const sp_population *pop, const double *mpc, size_t i)
{
    return mpc[pop->liquidity[i] & 3] * (double)pop->mpc_quintile[pop->quintile[i] % SP_NQUINTILE];
}

/* Maps the pages of [p, p + bytes) now, writable and zero, in one call
 * (Linux 5.14's MADV_POPULATE_WRITE) instead of one page fault at a time as
 * they are first written: for columns that are about to be written whole.
 * Changes no contents; elsewhere, or refused, it does nothing. */
void sp_mem_prefault(void *p, size_t bytes);

/* Allocates a population of n households with zeroed columns. NULL on failure
 * (err says why). Free with sp_population_free. */
sp_population *sp_population_alloc(size_t n, sp_err *err);
void sp_population_free(sp_population *pop); /* NULL is a no-op */

/* Dynamic state of n households, zeroed; and copying between states of equal size. */
int sp_hstate_init(sp_hstate *s, size_t n, sp_err *err);
void sp_hstate_release(sp_hstate *s); /* idempotent */
void sp_hstate_copy(sp_hstate *dst, const sp_hstate *src);
/* A new state (dst, released or never initialised) holding a copy of src:
 * the columns that are all zero in src are not written, so they take no
 * memory until the run writes them (deferred and windfall spending, car
 * costs and loans start at zero in every built population). */
int sp_hstate_clone(sp_hstate *dst, const sp_hstate *src, sp_err *err);

/* Persistent bytes per household: static columns plus one dynamic state. */
size_t sp_population_bytes_per_household(void);

/* Engel-curve category shares at per-capita income ypc (yuan), written to
 * out[SP_NCAT], summing to 1. */
void sp_population_shares(const sp_population *pop, double ypc, double out[SP_NCAT]);

/* Stores shares sh (summing to 1) as household i's, quantised to 2^-16 with
 * the rounding remainder on the largest share, so they sum to exactly 1. */
void sp_population_set_shares(sp_population *pop, size_t i, const double sh[SP_NCAT]);

/* Stores household i's shares from its Engel curve (sp_population_set_shares). */
void sp_population_store_shares(sp_population *pop, size_t i);

/* Stored share of category c of household i. */
static inline double sp_population_share(const sp_population *pop, size_t i, int c)
{
    return pop->shares[i * SP_NCAT + (size_t)c] * (1.0 / SP_SHARE_ONE);
}

/* Adds `amount` yuan to out[c] over the categories c in mask (bit c), in
 * proportion to household i's shares. */
static inline void sp_population_split(const sp_population *pop, size_t i, unsigned mask,
                                       double amount, double out[SP_NCAT])
{
    double tot = 0;
    for (int c = 0; c < SP_NCAT; c++)
        if (mask & (1u << c))
            tot += sp_population_share(pop, i, c);
    if (!(tot > 0))
        return;
    for (int c = 0; c < SP_NCAT; c++)
        if (mask & (1u << c))
            out[c] += amount * sp_population_share(pop, i, c) / tot;
}

/* Per-capita income quintiles (persons-weighted: households ranked by
 * per-capita income, cut at each fifth of weight x size) into pop->quintile,
 * the income decile's half and the consumption rank (households ranked by
 * annual household consumption, cut at each 30th of weight) into pop->ranks;
 * mid[i] (when mid is non-NULL) receives household i's persons-weighted rank
 * in (0,1), and *median (when non-NULL) the per-capita income at rank 0.5.
 * Ties are broken by household index. When every household weighs the same
 * (generated samples) it takes a path with half the memory traffic (8-byte
 * items carrying integer counts, exact: population.c); otherwise, and always
 * in sp_population_rank_general (which tests compare it with), 16-byte items
 * carrying the weights. Both give the same ranks, bit for bit. */
int sp_population_rank(sp_population *pop, double *mid, double *median, sp_err *err);
/* The same, with work (NULL, or 8 bytes per household, suitably aligned for
 * 32-bit words) as the equal-weight path's scratch in place of an
 * allocation of its own: a builder passes memory it has allocated and not
 * yet written (the shares column: its pages are then touched once). work's
 * contents are left undefined. */
int sp_population_rank_work(sp_population *pop, double *mid, double *median, void *work,
                            sp_err *err);
int sp_population_rank_general(sp_population *pop, double *mid, double *median, sp_err *err);

/* Liquidity type of a household at persons-weighted income rank `mid` given
 * the four population shares (P-HtM, W-HtM, P-nHtM, W-nHtM) and two uniforms:
 * P(poor) = 2 x poor share x (1 - mid) (mean = the poor share), then HtM with
 * the published conditional share within poor or wealthy. */
typedef struct {
    double poor;        /* share of the poor types (P-HtM + P-nHtM) */
    double htm_poor;    /* HtM share among the poor */
    double htm_wealthy; /* HtM share among the wealthy */
} sp_liquidity_rule;

static inline sp_liquidity_rule sp_liquidity_rule_make(const double share[SP_NLIQ])
{
    sp_liquidity_rule r;
    r.poor = share[SP_LIQ_POOR_HTM] + share[SP_LIQ_POOR_NHTM];
    r.htm_poor = r.poor > 0 ? share[SP_LIQ_POOR_HTM] / r.poor : 0;
    r.htm_wealthy = r.poor < 1 ? share[SP_LIQ_WEALTHY_HTM] / (1.0 - r.poor) : 0;
    return r;
}

/* The rule made once for many households (the same types, without the
 * divisions per household). */
static inline int sp_liquidity_of_rule(const sp_liquidity_rule *r, double mid, double u_poor,
                                       double u_htm)
{
    int is_poor = u_poor < 2.0 * r->poor * (1.0 - mid);
    int is_htm = u_htm < (is_poor ? r->htm_poor : r->htm_wealthy);
    return is_poor ? (is_htm ? SP_LIQ_POOR_HTM : SP_LIQ_POOR_NHTM)
                   : (is_htm ? SP_LIQ_WEALTHY_HTM : SP_LIQ_WEALTHY_NHTM);
}

static inline int sp_liquidity_of_rank(double mid, const double share[SP_NLIQ], double u_poor, double u_htm)
{
    sp_liquidity_rule r = sp_liquidity_rule_make(share);
    return sp_liquidity_of_rule(&r, mid, u_poor, u_htm);
}

/* Engel curves: sets slopes b and calibrates the intercepts so that the
 * weighted, consumption-weighted category shares equal target (summing to 1),
 * then stores every household's shares. SP_OK, or SP_ENOMEM with err. */
int sp_population_calibrate_engel(sp_population *pop, const double slope[SP_NCAT],
                                  const double target[SP_NCAT], sp_err *err);
/* Its two steps. The intercepts (and slopes and reference): the logarithm of
 * each household's per-capita income is taken once, into n doubles of
 * workspace (`work` when not NULL, else allocated); the shares column is not
 * touched. Then every household's shares at the curves, in blocks (their
 * logarithms again, the same values), by `threads` threads (OpenMP; the same
 * shares for any number). A builder that uses the shares column as scratch
 * in between stores the shares last. */
int sp_population_engel_intercepts(sp_population *pop, const double slope[SP_NCAT],
                                   const double target[SP_NCAT], double *work, sp_err *err);
int sp_population_engel_store(sp_population *pop, int threads, sp_err *err);

/* Calibration figures of a population, computed from its columns. */
typedef struct sp_population_summary {
    double households;           /* weighted households */
    size_t sample;               /* households in the sample */
    double mean_size;            /* persons per household */
    double income_pc[SP_NAREA];      /* per-capita disposable income, urban and rural, yuan/year */
    double consumption_pc[SP_NAREA]; /* per-capita consumption, urban and rural, yuan/year */
    double share[SP_NCAT];       /* category shares of total consumption */
    double private_cars;         /* weighted cars */
    double quintile_ratio_urban; /* mean per-capita income of the top over the bottom 20% of urban persons */
    double liquidity_share[SP_NLIQ]; /* household shares of the liquidity types */
    double plate_applicants;     /* persons in the ordinary plate lottery */
    double nev_queue;            /* persons in the NEV queue */
} sp_population_summary;

/* Fills out from the population's columns and initial state. */
int sp_population_summary_compute(const sp_population *pop, sp_population_summary *out, sp_err *err);

#endif
