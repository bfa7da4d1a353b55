/* measure.h: the one interface every policy measure goes through.
 *
 * A measure kind (voucher, scrappage, cash transfer, plate regime, ...) is a
 * table of operations, sp_measure_ops, defined in the kind's own file pair
 * (core/<kind>.c) and listed once in the registry (core/measures.c). The
 * package (package.h) holds measure instances: the kind's ops, a name, a
 * stream id, a compiled eligibility filter and a copy of the definition.
 * The engine (run.c) loops over instances and names no kind.
 *
 * One month of a run, as the engine drives it:
 *   1. month_start of every instance, in ascending `order` (then package
 *      order): global steps such as plate rounds, voucher claims, the target
 *      group of a transfer. It returns 1 when the measure acts on households
 *      this month (then `mark` and `household` are called), 0 if not.
 *   2. The car market's global step (cars.h: rationed subsidy programmes).
 *   3. The household loop, in chunks of households: `mark` sets the bit of
 *      each household of the chunk the measure may touch this month, so the
 *      quiet-household fast paths need not know any kind; `household` then
 *      acts on one marked household: it may change the household's spending
 *      of the month and its carry-over state, and adds what it produced to the
 *      household's result sums (sp_household_add). It runs on many threads at
 *      once and must write only household i's entries.
 *   4. month_end of every instance (after the household loop).
 *
 * Randomness: a measure draws only from the household's own streams keyed by
 * its stream id (sp_measure.id), so the same measure in two packages draws
 * the same numbers (common random numbers) and results do not depend on the
 * thread count.
 *
 * Errors: every operation that can fail returns SP_OK or a negative status
 * with err set; nothing aborts. run_free is given whatever run_alloc left,
 * also after run_alloc failed half-way. */
#ifndef SP_MEASURE_H
#define SP_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "category.h"
#include "design_range.h"
#include "filter.h"
#include "params.h"
#include "population.h"
#include "results.h"
#include "rng.h"
#include "status.h"

#define SP_NAME_MAX 128
/* Bytes of the largest definition a measure may have (a voucher with its
 * filter text is about 1.2 KB); every kind asserts its size against it. */
#define SP_MEASURE_DEF_MAX 2048

typedef struct sp_measure sp_measure;
typedef struct sp_package sp_package;
typedef struct sp_measure_ops sp_measure_ops;
typedef struct sp_cars_state sp_cars_state;
typedef struct sp_car_policy sp_car_policy;

/* A measure instance: kind, name (unique in its package), stream id (a hash
 * of the name), compiled filter (owned by the package; NULL = everyone) and
 * a copy of the kind's definition struct. */
struct sp_measure {
    const sp_measure_ops *ops;
    char name[SP_NAME_MAX];
    uint32_t id;
    sp_filter *filter;
    union {
        max_align_t align;
        unsigned char bytes[SP_MEASURE_DEF_MAX];
    } def;
};

/* The definition of m, as the kind's struct. */
static inline const void *sp_measure_def(const sp_measure *m) { return m->def.bytes; }

/* What an instance sees of its run. Pointers belong to the run. */
typedef struct sp_run_env {
    const sp_population *pop;
    sp_hstate *state;           /* the run's dynamic household state */
    const sp_params *params;    /* the replicate's parameters */
    sp_rng_key key;             /* the replicate's random key */
    const sp_package *pkg;      /* the package being run */
    int start_month;            /* first calendar month of the run */
    int month;                  /* calendar month being stepped */
    sp_cars_state *cars;        /* the car market of the run */
    sp_car_policy *car_policy;  /* car programmes and plate allocator: measures register
                                 * themselves here in run_alloc (cars.h) */
    double *plate_stats;        /* SP_NPLATESTAT values of this month's plate allocation
                                 * (results.h), zeroed by the engine before month_start */
} sp_run_env;

/* One household in the household step: its spending of the month (yuan by
 * category, which measures may change), its trip counts, a workspace stream
 * for gsl_ran_* draws (sp_rng_stream_alloc; reset it to the household's own
 * counter before use), and the sums it adds to the results. */
/* Words of the per-household "touched" bit mask: one bit per metric. */
#define SP_HOUSEHOLD_WORDS ((SP_NMETRIC + 63) / 64)

typedef struct sp_household {
    size_t i;                    /* household index in the population */
    double *spend;               /* SP_NCAT yuan: this month's spending */
    const uint8_t *trips;        /* SP_NCAT planned purchases by category */
    gsl_rng *ws;                 /* workspace stream, never NULL in the household step */
    double sum[SP_NMETRIC];      /* per-household result sums (unweighted) ... */
    uint64_t touched[SP_HOUSEHOLD_WORDS]; /* ... valid where bit m is set (bit m % 64 of word m / 64) */
} sp_household;

_Static_assert(SP_NMETRIC <= 64 * SP_HOUSEHOLD_WORDS, "sp_household.touched holds one bit per metric");

/* Adds v to the household's sum of metric m (unweighted: the engine applies
 * the sample weight). Sums of one metric add up in call order. */
static inline void sp_household_add(sp_household *h, int m, double v)
{
    const uint64_t bit = UINT64_C(1) << (m & 63);
    uint64_t *t = &h->touched[m >> 6];
    h->sum[m] = (*t & bit) ? h->sum[m] + v : v;
    *t |= bit;
}

struct sp_measure_ops {
    const char *kind;   /* the kind's name: "voucher", "scrappage", ... (Lua `kind` field) */
    size_t def_size;    /* bytes of the definition struct, <= SP_MEASURE_DEF_MAX */
    int order;          /* instances act in ascending order, then package order */
    /* Parameters the kind reads whose default is uncertain enough to be drawn
     * once per replicate unless the scenario gives them a value or another
     * distribution (the Lua experiment adds them when a package holds the
     * kind; point defaults, sp_params_default, are their means). Optional. */
    const sp_param_dist *dists;
    int ndists;
    /* The definition's design quantities that design_range.h has calibrated
     * ranges for (a coupon's threshold, face value, discount and window; a
     * subsidy's amount or share): writes at most max (field, value) pairs to
     * out and returns how many. Optional (no range applies). */
    int (*design)(const void *def, sp_design_value *out, int max);

    /* Checks a definition; errors name the field and the value. Required. */
    int (*validate)(const void *def, sp_err *err);
    /* The definition's eligibility filter text ("" or NULL = everyone); the
     * package compiles it into sp_measure.filter. Optional. */
    const char *(*filter)(const void *def);
    /* Package-level rules checked before the measure joins package p (e.g. at
     * most one plate regime). Optional. */
    int (*admit)(const sp_package *p, const void *def, sp_err *err);
    /* Checks the instance against an experiment whose months (warm-up
     * included) are first..last and its package. Optional. */
    int (*fits)(const sp_measure *m, const sp_package *p, int first, int last, sp_err *err);

    /* Per-run state: *state starts NULL; run_free gets what run_alloc left
     * (also after a failure). Optional (a stateless measure). */
    int (*run_alloc)(void **state, const sp_measure *m, sp_run_env *env, sp_err *err);
    void (*run_free)(void *state);
    /* Global step of env->month; 1 = acts on households this month, 0 = not,
     * or a negative status. Optional (never acts). */
    int (*month_start)(void *state, const sp_measure *m, sp_run_env *env, sp_err *err);
    /* Sets bit j of bits[j / 32] for each household lo + j (j < n) the
     * measure may touch this month. Required when month_start can return 1. */
    void (*mark)(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo,
                 size_t n, uint32_t *bits);
    /* Acts on one marked household (see the header comment). Required when
     * month_start can return 1. */
    void (*household)(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h);
    /* After the household loop of env->month. Optional. */
    void (*month_end)(void *state, const sp_measure *m, sp_run_env *env);

    /* Public money (budget.h). The measure's budget in yuan, 0 = none: its
     * government cost never exceeds it. Optional (a measure without one). */
    double (*budget)(const void *def);
    /* Writes one warning line into msg (n bytes) and returns 1 when the
     * measure's supply or budget exceeds what the eligible households of pop
     * (its initial state) can claim; 0 if not, or a negative status.
     * Optional. */
    int (*oversupply)(const sp_measure *m, const sp_population *pop, char *msg, size_t n,
                      sp_err *err);
};

/* The registry: every kind the library knows, NULL-terminated (measures.c). */
extern const sp_measure_ops *const sp_measure_kinds[];

/* The registered kind named `kind`, or NULL. */
const sp_measure_ops *sp_measure_kind_find(const char *kind);

/* Checks that ops is a usable table (a kind name, a definition size within
 * SP_MEASURE_DEF_MAX, validate, and mark and household together). */
int sp_measure_ops_check(const sp_measure_ops *ops, sp_err *err);

/* Operations for kinds whose run state is one byte per household (voucher
 * packages held, the households a transfer pays): a zeroed array of
 * env->pop->n bytes; its free; and a mark of the households whose byte is not
 * zero. */
int sp_measure_bytes_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err);
void sp_measure_bytes_free(void *state);
void sp_measure_bytes_mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo,
                           size_t n, uint32_t *bits);

/* The stream id of a measure name (32-bit FNV-1a). */
uint32_t sp_measure_id(const char *name);

/* Validation helpers shared by the kinds; each error names `field` and the
 * value. An amount is 0 or a positive number of yuan; a share lies in 0..1; a
 * month is a calendar month 1900-01..2200-12; a window is two such months,
 * end not before start; a filter text fits its buffer of n bytes and
 * SP_FILTER_MAX_LEN characters. */
int sp_measure_check_amount(const char *field, double v, sp_err *err);
int sp_measure_check_share(const char *field, double v, sp_err *err);
int sp_measure_check_month(const char *field, int month, sp_err *err);
int sp_measure_check_window(int start, int end, sp_err *err);
int sp_measure_check_filter(const char *text, size_t n, sp_err *err);

#endif
