/* test_alloc.c: allocation failures, on purpose (failure paths are tested
 * on purpose, docs/architecture.md "Errors").
 *
 * Every allocation the core makes while an operation runs fails in turn: for
 * N = 1, 2, ... the N-th allocation call returns NULL, until N passes the
 * number of calls of a clean run of the operation. Each failure must come
 * back as SP_ENOMEM with a message (never a crash, never a silent success),
 * and every block the operation allocated must be freed by the time it
 * returns. The operations: building packages (filters compiled), the Beijing
 * generator with its summary, the microdata reader (the file is larger than
 * its first read buffer, so it grows), a run stepped through the months
 * where every measure kind acts, an experiment (two packages, two
 * replicates, a warm-up month, a drawn parameter), tables from results
 * (queries of every row kind, the summary, the plate table), the writers, and a
 * calibration and both sensitivity methods on an analytic objective.
 *
 * How: this executable is linked with -Wl,--wrap=malloc,... (tests/
 * CMakeLists.txt), so every call the statically linked core makes to malloc,
 * calloc, realloc, free, strdup, strndup, gsl_rng_alloc and gsl_rng_free
 * lands in the __wrap_ functions below. They count allocation calls while
 * armed, fail the chosen one, and keep a table of the blocks allocated while
 * armed and not yet freed: a block left in it when the operation returns is
 * a leak, reported with its allocation number and the code address that
 * made it (addr2line -f -e test_alloc OFFSET names the function and line).
 * With TEST_ALLOC_VERBOSE set in the environment, every failure point is
 * listed with the code address that allocated and the message it gave.
 * Allocations inside shared libraries (libc's stdio, GSL's own, libgomp) do
 * not pass through the wrappers and are not failed. The operations run on one
 * thread: the counters are not atomic.
 *
 * The live-block table finds leaks in any build. For the full check, run it
 * under AddressSanitizer and LeakSanitizer too:
 *   cmake -S . -B build-asan -DSPENDSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
 *   cmake --build build-asan -j2 && (cd build-asan && ctest -R alloc --output-on-failure)
 *
 * Package set-up lives in build_packages(): one measure of every kind, so the
 * loop fails every allocation of every kind's run_alloc (measure.h). */
#define _GNU_SOURCE /* dladdr, mkdtemp */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spendsim.h"

/* ---- the wrappers ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
gsl_rng *__real_gsl_rng_alloc(const gsl_rng_type *t);
void __real_gsl_rng_free(gsl_rng *r);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
gsl_rng *__wrap_gsl_rng_alloc(const gsl_rng_type *t);
void __wrap_gsl_rng_free(gsl_rng *r);

#define LIVE_CAP (1u << 16) /* blocks live at once while armed; power of two */
#define TOMBSTONE ((void *)1)
#define TRACE_CAP 4096      /* allocation calls of one operation described in the trace */

enum { K_MALLOC, K_CALLOC, K_REALLOC, K_STRDUP, K_STRNDUP, K_GSL_RNG };

typedef struct {
    int kind;           /* K_* */
    size_t size;        /* bytes asked for (calloc: n x size; gsl_rng: 0) */
    const void *caller; /* code address of the call */
} alloc_call;

typedef struct {
    void *p;            /* NULL: empty, TOMBSTONE: freed */
    const void *caller; /* code address that allocated it */
    long seq;           /* its allocation call number since arming */
} live_block;

static struct {
    int armed;          /* 1: count, fail and track */
    long calls;         /* allocation calls since arming */
    long fail_at;       /* the call that fails (1-based); 0: none */
    long failed;        /* calls failed since arming */
    const void *fail_caller;
    long live;          /* tracked blocks not yet freed */
    int overflow;       /* the table was full: leak checks are void */
    live_block table[LIVE_CAP];
    alloc_call trace[TRACE_CAP]; /* call k (1-based) since arming is trace[k - 1] */
} wrap;

static size_t slot_of(const void *p) { return ((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15u >> 48 & (LIVE_CAP - 1); }

static void track(void *p, const void *caller, long seq)
{
    if (!p)
        return;
    size_t k = slot_of(p);
    for (size_t probe = 0; probe < LIVE_CAP; probe++, k = (k + 1) & (LIVE_CAP - 1))
        if (wrap.table[k].p == NULL || wrap.table[k].p == TOMBSTONE) {
            wrap.table[k] = (live_block){p, caller, seq};
            wrap.live++;
            return;
        }
    wrap.overflow = 1;
}

static void untrack(void *p)
{
    if (!p || wrap.live == 0)
        return;
    size_t k = slot_of(p);
    for (size_t probe = 0; probe < LIVE_CAP; probe++, k = (k + 1) & (LIVE_CAP - 1)) {
        if (wrap.table[k].p == NULL)
            return; /* allocated before arming */
        if (wrap.table[k].p == p) {
            wrap.table[k].p = TOMBSTONE;
            wrap.live--;
            return;
        }
    }
}

/* Counts one allocation call; 1 when it is the one to fail. */
static int should_fail(int kind, size_t size, const void *caller)
{
    if (!wrap.armed)
        return 0;
    if (wrap.calls < TRACE_CAP)
        wrap.trace[wrap.calls] = (alloc_call){kind, size, caller};
    wrap.calls++;
    if (wrap.calls != wrap.fail_at)
        return 0;
    wrap.failed++;
    wrap.fail_caller = caller;
    return 1;
}

void *__wrap_malloc(size_t size)
{
    const void *caller = __builtin_return_address(0);
    if (should_fail(K_MALLOC, size, caller))
        return NULL;
    void *p = __real_malloc(size);
    if (wrap.armed)
        track(p, caller, wrap.calls);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    const void *caller = __builtin_return_address(0);
    if (should_fail(K_CALLOC, n * size, caller))
        return NULL;
    void *p = __real_calloc(n, size);
    if (wrap.armed)
        track(p, caller, wrap.calls);
    return p;
}

void *__wrap_realloc(void *old, size_t size)
{
    const void *caller = __builtin_return_address(0);
    if (should_fail(K_REALLOC, size, caller))
        return NULL; /* old stays allocated, as realloc leaves it */
    void *p = __real_realloc(old, size);
    if (p && wrap.armed) {
        untrack(old);
        track(p, caller, wrap.calls);
    }
    return p;
}

void __wrap_free(void *p)
{
    untrack(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    const void *caller = __builtin_return_address(0);
    size_t n = strlen(s) + 1;
    if (should_fail(K_STRDUP, n, caller))
        return NULL;
    char *p = __real_malloc(n);
    if (p) {
        memcpy(p, s, n);
        if (wrap.armed)
            track(p, caller, wrap.calls);
    }
    return p;
}

char *__wrap_strndup(const char *s, size_t max)
{
    const void *caller = __builtin_return_address(0);
    size_t n = strnlen(s, max);
    if (should_fail(K_STRNDUP, n + 1, caller))
        return NULL;
    char *p = __real_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
        if (wrap.armed)
            track(p, caller, wrap.calls);
    }
    return p;
}

gsl_rng *__wrap_gsl_rng_alloc(const gsl_rng_type *t)
{
    const void *caller = __builtin_return_address(0);
    if (should_fail(K_GSL_RNG, 0, caller))
        return NULL;
    gsl_rng *r = __real_gsl_rng_alloc(t);
    if (wrap.armed)
        track(r, caller, wrap.calls);
    return r;
}

void __wrap_gsl_rng_free(gsl_rng *r)
{
    untrack(r);
    __real_gsl_rng_free(r);
}

/* Starts counting; call fail_at (1-based) fails, 0 fails none. */
static void arm(long fail_at)
{
    memset(wrap.table, 0, sizeof wrap.table);
    wrap.calls = wrap.failed = wrap.live = 0;
    wrap.overflow = 0;
    wrap.fail_at = fail_at;
    wrap.fail_caller = NULL;
    wrap.armed = 1;
}

static void disarm(void) { wrap.armed = 0; }

/* "test_alloc+0x1234 (function)" for a code address. */
static const char *where(const void *addr, char *buf, size_t n)
{
    Dl_info info;
    if (addr && dladdr(addr, &info) && info.dli_fbase) {
        const char *file = info.dli_fname ? strrchr(info.dli_fname, '/') : NULL;
        snprintf(buf, n, "%s+0x%lx%s%s%s", file ? file + 1 : "?",
                 (unsigned long)((uintptr_t)addr - (uintptr_t)info.dli_fbase),
                 info.dli_sname ? " (" : "", info.dli_sname ? info.dli_sname : "",
                 info.dli_sname ? ")" : "");
    } else {
        snprintf(buf, n, "%p", addr);
    }
    return buf;
}

/* Prints the blocks still live (at most a few); returns how many. */
static long report_leaks(const char *op, long fail_at)
{
    if (wrap.live == 0)
        return 0;
    char buf[256];
    int shown = 0;
    print_error("%s, allocation %ld failed (in %s): %ld block(s) leaked\n", op, fail_at,
                where(wrap.fail_caller, buf, sizeof buf), wrap.live);
    for (size_t k = 0; k < LIVE_CAP && shown < 5; k++)
        if (wrap.table[k].p && wrap.table[k].p != TOMBSTONE) {
            print_error("  block of allocation %ld, made at %s\n", wrap.table[k].seq,
                        where(wrap.table[k].caller, buf, sizeof buf));
            shown++;
        }
    return wrap.live;
}

/* ---- fixtures ---- */

#define HOUSEHOLDS 300
#define START (sp_month_make(2020, 4)) /* first reported month */
#define WARMUP 1
#define MONTHS 6                       /* 2020-04 .. 2020-09: every measure below acts */

static sp_population *pop;
static sp_package *base, *plan;
static sp_results *results;
static char dir[64];
static char csv_path[128];

/* The packages of every loop: a status quo with the individual plate lottery,
 * and a plan adding one measure of each kind, dated inside the horizon
 * (voucher 2020-04, cash transfer 2020-05, scrappage 2020-07..08, purchase
 * subsidy 2020-07..12, extra plates 2020-09, used-car export with a transfer
 * subsidy and neighbourhood outlets from 2020-02), four with filters. On failure
 * both are NULL and err says why. The one function to adapt when the
 * measures API changes. */
static int build_packages(sp_package **base_out, sp_package **plan_out, sp_err *err)
{
    *base_out = *plan_out = NULL;
    sp_package *b = sp_package_alloc("Status quo", err), *p = NULL;
    if (!b)
        return err->code;
    sp_plate_regime_def regime = sp_plate_regime_def_default();
    regime.kind = SP_PLATE_INDIVIDUAL;
    regime.nextra = 0;
    int rc = sp_package_add_plates(b, "plates", &regime, err);
    if (rc == SP_OK && !(p = sp_package_derive(b, "Plan", err)))
        rc = err->code;
    if (rc == SP_OK) {
        sp_voucher_def v = sp_voucher_def_default();
        v.face = 10;
        v.threshold = 40;
        v.coupons_per_package = 5;
        v.supply = 1e6;
        v.start_month = sp_month_make(2020, 4);
        snprintf(v.filter, sizeof v.filter, "income_quintile <= 4");
        rc = sp_package_add_voucher(p, "voucher", &v, err);
    }
    if (rc == SP_OK) {
        sp_cash_transfer_def t = sp_cash_transfer_def_default();
        t.start_month = sp_month_make(2020, 5);
        snprintf(t.filter, sizeof t.filter, "hand_to_mouth");
        rc = sp_package_add_cash_transfer(p, "cash", &t, err);
    }
    if (rc == SP_OK) { /* recipients capped by a budget: the first-come ranking */
        sp_cash_transfer_def t = sp_cash_transfer_def_default();
        t.start_month = sp_month_make(2020, 6);
        t.budget = 1e8;
        rc = sp_package_add_cash_transfer(p, "capped cash", &t, err);
    }
    if (rc == SP_OK) { /* interest subsidies within a budget: the monthly loan ranking */
        sp_consumer_credit_def c = sp_consumer_credit_def_default();
        c.purpose = SP_CREDIT_GENERAL;
        c.start_month = sp_month_make(2020, 4);
        c.end_month = sp_month_make(2020, 9);
        c.budget = 2e5;
        rc = sp_package_add_consumer_credit(p, "credit", &c, err);
    }
    if (rc == SP_OK) { /* a promotion within a budget: its ledger and ranking */
        sp_promotion_def pr = sp_promotion_def_default();
        pr.start_month = sp_month_make(2020, 6);
        pr.end_month = sp_month_make(2020, 6);
        pr.end_day = 18;
        pr.discount[SP_CAT_FOOD] = 0.1;
        pr.gov_share = 1;
        pr.merchant_share = 0;
        pr.cap = 50;
        pr.budget = 1e7;
        rc = sp_package_add_promotion(p, "promotion", &pr, err);
    }
    if (rc == SP_OK) {
        sp_scrappage_def s = sp_scrappage_def_default();
        s.start_month = sp_month_make(2020, 7);
        s.end_month = sp_month_make(2020, 8);
        s.budget = 5e8;
        snprintf(s.filter, sizeof s.filter, "car_age >= 120 or emission <= 3");
        rc = sp_package_add_scrappage(p, "scrappage", &s, err);
    }
    if (rc == SP_OK) {
        sp_purchase_subsidy_def s = sp_purchase_subsidy_def_default(); /* its first-come ranking */
        s.budget = 2e8;
        rc = sp_package_add_purchase_subsidy(p, "nev subsidy", &s, err);
    }
    if (rc == SP_OK) {
        sp_plate_extra_def x = sp_plate_extra_def_default();
        x.month = sp_month_make(2020, 9);
        rc = sp_package_add_plate_extra(p, "extra plates", &x, err);
    }
    if (rc == SP_OK) {
        sp_used_car_export_def u = sp_used_car_export_def_default();
        u.start_month = sp_month_make(2020, 2);
        u.subsidy = 3000;
        u.budget = 1e8;
        snprintf(u.filter, sizeof u.filter, "income_quintile >= 2");
        rc = sp_package_add_used_car_export(p, "used cars", &u, err);
    }
    if (rc == SP_OK) {
        sp_community_outlets_def o = sp_community_outlets_def_default();
        o.start_month = sp_month_make(2020, 2);
        o.subsidy = 1e5;
        rc = sp_package_add_community_outlets(p, "outlets", &o, err);
    }
    if (rc != SP_OK) {
        sp_package_free(b);
        sp_package_free(p);
        return rc;
    }
    *base_out = b;
    *plan_out = p;
    return SP_OK;
}

static sp_beijing_def small_beijing(void)
{
    sp_beijing_def d = sp_beijing_def_default();
    d.households = HOUSEHOLDS;
    d.seed = 5;
    return d;
}

static sp_experiment_def small_experiment(void)
{
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    d.packages[0] = base;
    d.packages[1] = plan;
    d.npackages = 2;
    d.start_month = START;
    d.months = MONTHS;
    d.warmup = WARMUP;
    d.replicates = 2;
    d.seed = 9;
    d.threads = 1; /* the wrappers' counters are not atomic */
    snprintf(d.dists[0].name, sizeof d.dists[0].name, "growth");
    d.dists[0].kind = SP_DIST_UNIFORM;
    d.dists[0].a = 1.0;
    d.dists[0].b = 1.1;
    d.ndists = 1;
    d.uncertainty = 1; /* and the default distributions */
    return d;
}

/* A microdata file of 1,200 households with every column, past the reader's
 * first 64 KiB buffer. */
static int write_microdata(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "weight,size,area,income,consumption,liquidity,cars,car1_age,car2_age,car1_nev,"
               "car2_nev,drivers,lottery_eligible,generations,plate_state,applicants,plate_months\n");
    static const char *const liq[] = {"poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm", ""};
    for (int i = 0; i < 1200; i++) {
        int cars = i % 3, size = 1 + i % 5;
        fprintf(f, "%d.5,%d,%s,%d,%d,%s,%d,%s,%s,%d,0,%d,1,%d,%s,%s,%d\n", 1000 + i, size,
                i % 4 ? "urban" : "rural", 40000 + 97 * i, 30000 + 53 * i, liq[i % 5], cars,
                cars > 0 ? "60" : "", cars > 1 ? "150" : "", i % 7 == 0, cars > size ? size : cars,
                1 + i % 3, cars == 0 && i % 2 ? "lottery" : "none", cars == 0 && i % 2 ? "1" : "",
                i % 40);
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    sp_beijing_def d = small_beijing();
    pop = sp_beijing_build(&d, NULL);
    sp_err err;
    if (!pop || build_packages(&base, &plan, &err) != SP_OK)
        return -1;
    sp_experiment_def e = small_experiment();
    results = sp_experiment_run(&e, NULL);
    snprintf(dir, sizeof dir, "/tmp/spendsim_alloc_XXXXXX");
    if (!results || !mkdtemp(dir) ||
        sp_results_add_warning(results, "a warning the report lists", NULL) != SP_OK)
        return -1;
    snprintf(csv_path, sizeof csv_path, "%s/households.csv", dir);
    return write_microdata(csv_path);
}

static int teardown(void **state)
{
    (void)state;
    sp_population_free(pop);
    sp_package_free(base);
    sp_package_free(plan);
    sp_results_free(results);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- the operations: each frees all it made, and returns a status ---- */

static int op_packages(sp_err *err)
{
    sp_package *b, *p;
    int rc = build_packages(&b, &p, err);
    sp_package_free(b);
    sp_package_free(p);
    return rc;
}

static int op_beijing(sp_err *err)
{
    sp_beijing_def d = small_beijing();
    sp_population *p = sp_beijing_build(&d, err);
    if (!p)
        return err->code;
    sp_population_summary s;
    int rc = sp_population_summary_compute(p, &s, err);
    sp_population_free(p);
    return rc;
}

static int op_microdata(sp_err *err)
{
    sp_microdata_def d = sp_microdata_def_default();
    d.path = csv_path;
    sp_population *p = sp_microdata_read(&d, err);
    if (!p)
        return err->code;
    sp_population_free(p);
    return SP_OK;
}

/* A population saved, loaded and written as microdata (core/spop.h,
 * sp_microdata_write). */
static int op_spop(sp_err *err)
{
    char f[160], g[160];
    snprintf(f, sizeof f, "%s/pop.spop", dir);
    snprintf(g, sizeof g, "%s/pop.csv", dir);
    int rc = sp_spop_save(pop, f, "alloc test", err);
    if (rc != SP_OK)
        return rc;
    sp_population *p = sp_spop_load(f, err);
    if (!p)
        return err->code;
    rc = sp_microdata_write(p, g, err);
    sp_population_free(p);
    return rc;
}

static int op_run(sp_err *err)
{
    static double out[SP_NGROUP * SP_NMETRIC];
    sp_params prm = sp_params_default();
    sp_run *r = sp_run_alloc(pop, plan, &prm, sp_rng_key_make(9, 0), START - WARMUP, 1, err);
    if (!r)
        return err->code;
    int rc = SP_OK;
    for (int m = 0; m < WARMUP + MONTHS && rc == SP_OK; m++)
        rc = sp_run_step(r, out, err);
    sp_run_free(r);
    return rc;
}

static int op_experiment(sp_err *err)
{
    sp_experiment_def d = small_experiment();
    sp_results *res = sp_experiment_run(&d, err);
    if (!res)
        return err->code;
    sp_results_free(res);
    return SP_OK;
}

/* The analysis operations (sweep.h, solve.h has no allocation of its own
 * besides GSL's solver, shapley.h, decompose.h): a point with a parameter
 * override, the sweep's tables, sampled Shapley values of a package's
 * measures on a one-month experiment. */
static int square_game(void *ud, const uint32_t *masks, int n, double *values, sp_err *err)
{
    (void)ud;
    (void)err;
    for (int k = 0; k < n; k++)
        values[k] = (double)masks[k] * masks[k];
    return SP_OK;
}

static int cube_fn(void *ud, double x, double *y, sp_err *err)
{
    (void)ud;
    (void)err;
    *y = x * x * x;
    return SP_OK;
}

static int op_analysis(sp_err *err)
{
    sp_experiment_def d = small_experiment(); /* every measure acts in its months */
    d.replicates = 1;
    sp_override ov;
    memset(&ov, 0, sizeof ov);
    ov.kind = SP_OVERRIDE_PARAM;
    snprintf(ov.name, sizeof ov.name, "mpc_poor_htm");
    ov.value = 0.5;
    sp_results *res = sp_point_run(&d, &ov, 1, err);
    if (!res)
        return err->code;
    const double xs[] = {0.5};
    sp_grid g = {1, {"mpc_poor_htm"}, {xs}, {1}};
    sp_objective o = sp_objective_default();
    const sp_results *const all[1] = {res};
    sp_table *t = sp_sweep_table(&g, all, &o, err);
    sp_table *c = t ? sp_sweep_chart_table(&g, all, &o, err) : NULL;
    sp_table_free(t);
    sp_table_free(c);
    sp_results_free(res);
    if (!c)
        return err->code;
    sp_shapley_result sh;
    int rc = sp_shapley(6, square_game, NULL, 2, 3, 1, &sh, err);
    if (rc == SP_OK)
        rc = sp_shapley(3, square_game, NULL, 3, 3, 1, &sh, err);
    if (rc != SP_OK)
        return rc;
    sp_solve_def sd = sp_solve_def_default();
    sd.f = cube_fn;
    sd.lo = 0;
    sd.hi = 2;
    sd.target = 2;
    sp_solve_result sr;
    if ((rc = sp_solve(&sd, &sr, err)) != SP_OK)
        return rc;
    /* The decomposition of a two-measure package (sampled orders): each of its
     * coalitions is an experiment, so the package is kept small (under the
     * sanitizers every allocation point reruns all of them). */
    sp_package *two = sp_package_alloc("Two", err);
    if (!two)
        return err->code;
    sp_cash_transfer_def ct = sp_cash_transfer_def_default();
    ct.start_month = sp_month_make(2020, 5);
    rc = sp_package_add_cash_transfer(two, "cash a", &ct, err);
    ct.amount *= 2;
    if (rc == SP_OK)
        rc = sp_package_add_cash_transfer(two, "cash b", &ct, err);
    if (rc == SP_OK) {
        sp_decompose_def dd = sp_decompose_def_default();
        dd.experiment = &d;
        dd.package = two;
        dd.baseline = base;
        dd.exact_max = 0;
        dd.samples = 2;
        sp_decompose_result dr;
        rc = sp_decompose(&dd, &dr, err);
    }
    sp_package_free(two);
    return rc;
}

static int op_tables(sp_err *err)
{
    sp_query q[4];
    for (int k = 0; k < 4; k++)
        q[k] = sp_query_default();
    q[0].package = 1;                        /* categories by quarter */
    q[1].rows = SP_ROWS_GROUP;               /* quintiles by month, difference */
    q[1].dim = SP_DIM_QUINTILE;
    q[1].package = 1;
    q[1].by = SP_BY_MONTH;
    q[1].diff = 1;
    q[2].rows = SP_ROWS_PACKAGE;             /* packages, cumulative government cost */
    q[2].metric = SP_M_GOV_COST;
    q[2].unit = SP_UNIT_TOTAL;
    q[2].cumulative = 1;
    q[3].rows = SP_ROWS_GROUP;               /* liquidity types over the horizon */
    q[3].dim = SP_DIM_LIQUIDITY;
    q[3].by = SP_BY_TOTAL;
    for (int k = 0; k < 4; k++) {
        sp_table *t = sp_results_table(results, &q[k], err);
        if (!t)
            return err->code;
        sp_table_free(t);
    }
    sp_table *t = sp_results_summary(results, err);
    if (!t)
        return err->code;
    sp_table_free(t);
    t = sp_results_plates_table(results, 1, err);
    if (!t)
        return err->code;
    sp_table_free(t);
    return SP_OK;
}

/* Budgets: the packages' budgets and oversupply warnings recorded on a copy
 * of the results' shape, the windowed summary carrying them, and the tidy
 * export written. */
static int op_budget(sp_err *err)
{
    const char *names[2] = {"Status quo", "Plan"};
    sp_results *r = sp_results_alloc(2, names, 1, MONTHS, START, err);
    if (!r)
        return err->code;
    const sp_package *pk[2] = {base, plan};
    int rc = sp_budget_record(r, pk, 2, pop, err);
    if (rc == SP_OK)
        rc = sp_results_add_warning(r, "a warning for the summary's notes", err);
    sp_table *t = NULL;
    if (rc == SP_OK && !(t = sp_results_summary_window(r, SP_DIM_QUINTILE, START + 1, START + 2, err)))
        rc = err->code;
    sp_table_free(t);
    sp_results_free(r);
    if (rc == SP_OK) {
        const int metrics[] = {SP_M_SPENDING, SP_M_GOV_COST}, groups[] = {0, 1, 2};
        sp_export_def d = sp_export_def_default();
        d.metrics = metrics;
        d.nmetrics = 2;
        d.groups = groups;
        d.ngroups = 3;
        char path[160];
        snprintf(path, sizeof path, "%s/tidy.csv", dir);
        rc = sp_results_export(results, &d, path, err);
    }
    return rc;
}

/* The report: composed from the results, then written. */
static int op_report(sp_err *err)
{
    sp_report_opts o = sp_report_opts_default();
    o.title = "Allocation test";
    sp_report *r = sp_report_build(results, &o, err);
    if (!r)
        return err->code;
    char path[160];
    snprintf(path, sizeof path, "%s/report.html", dir);
    int rc = sp_report_write_html(r, path, err);
    sp_report_free(r);
    return rc;
}

/* The report in Chinese, with a chosen table and the results' warnings. */
static int op_report_zh(sp_err *err)
{
    sp_table *t = sp_results_summary(results, err);
    if (!t)
        return err->code;
    const sp_table *list[1] = {t};
    sp_report_opts o = sp_report_opts_default();
    o.lang = SP_LANG_ZH;
    o.tables = list;
    o.ntables = 1;
    sp_report *r = sp_report_build(results, &o, err);
    sp_table_free(t);
    if (!r)
        return err->code;
    char path[160];
    snprintf(path, sizeof path, "%s/report_zh.html", dir);
    int rc = sp_report_write_html(r, path, err);
    sp_report_free(r);
    return rc;
}

static int op_writers(sp_err *err)
{
    sp_query q = sp_query_default();
    sp_table *t = sp_results_table(results, &q, err);
    if (!t)
        return err->code;
    int rc = SP_OK;
    for (int f = 0; f < SP_NFORMAT && rc == SP_OK; f++) {
        char path[160];
        snprintf(path, sizeof path, "%s/table.%s", dir, sp_format_extension((sp_format)f));
        rc = sp_table_write_file(t, (sp_format)f, path, err);
    }
    if (rc == SP_OK) {
        char *md = sp_table_to_markdown(t, err);
        rc = md ? SP_OK : err->code;
        free(md);
    }
    sp_table_free(t);
    return rc;
}

/* Calibration and sensitivity (calibrate.h, sensitivity.h) on an analytic
 * objective: the trace grows by realloc, the designs, the bootstrap's
 * stream, the tables and the sensitivity page. */
static int alloc_objective(void *ud, const double *x, double *y, sp_err *err)
{
    (void)ud;
    (void)err;
    y[0] = x[0] + x[1];
    y[1] = x[0] * x[1];
    return SP_OK;
}

static int op_calibrate(sp_err *err)
{
    sp_calib_def d = sp_calib_def_default();
    d.nparams = 2;
    for (int k = 0; k < 2; k++) {
        snprintf(d.params[k].name, SP_CALIB_NAME, "p%d", k);
        d.params[k].lo = 0;
        d.params[k].hi = 4;
        d.params[k].start = 3;
    }
    d.ntargets = 2;
    snprintf(d.targets[0].name, SP_CALIB_NAME, "sum");
    d.targets[0].lo = 2.9;
    d.targets[0].hi = 3.1;
    snprintf(d.targets[1].name, SP_CALIB_NAME, "product");
    d.targets[1].lo = 1.9;
    d.targets[1].hi = 2.1;
    d.fn = alloc_objective;
    d.max_iter = 60; /* past 64 evaluations: the trace grows */
    sp_calib_result *r = sp_calibrate(&d, err);
    if (!r)
        return err->code;
    int rc = SP_OK;
    sp_table *(*make[3])(const sp_calib_result *, sp_err *) = {
        sp_calib_fit_table, sp_calib_residual_table, sp_calib_trace_table};
    for (int k = 0; k < 3 && rc == SP_OK; k++) {
        sp_table *t = make[k](r, err);
        rc = t ? SP_OK : err->code;
        sp_table_free(t);
    }
    sp_calib_result_free(r);
    return rc;
}

static int op_sensitivity(sp_err *err)
{
    int rc = SP_OK;
    for (int m = 0; m < 2 && rc == SP_OK; m++) {
        sp_sens_def d = sp_sens_def_default();
        d.method = m ? SP_SENS_SOBOL : SP_SENS_MORRIS;
        d.n = 8;
        d.bootstrap = 10;
        d.ninputs = 2;
        for (int k = 0; k < 2; k++) {
            snprintf(d.inputs[k].name, SP_SENS_NAME, "x%d", k);
            d.inputs[k].kind = SP_DIST_UNIFORM;
            d.inputs[k].a = 0;
            d.inputs[k].b = 1;
        }
        d.noutputs = 2;
        snprintf(d.outputs[0], SP_SENS_NAME, "sum");
        snprintf(d.outputs[1], SP_SENS_NAME, "product");
        d.fn = alloc_objective;
        sp_sens_result *r = sp_sensitivity(&d, err);
        if (!r)
            return err->code;
        sp_table *t = sp_sens_table(r, 1, err);
        rc = t ? SP_OK : err->code;
        sp_table_free(t);
        if (rc == SP_OK && m == 1) {
            char path[160];
            snprintf(path, sizeof path, "%s/sensitivity.html", dir);
            rc = sp_sens_write_html(r, "Allocation test", path, err);
        }
        sp_sens_result_free(r);
    }
    return rc;
}

/* ---- the loop ---- */

/* Runs op cleanly, then once per allocation call with that call failing.
 * Every failure must give SP_ENOMEM and a message, except at most `absorbs`
 * of them (best-effort allocations the operation may succeed without), and
 * nothing may stay allocated. Returns the number of allocation calls. */
static long fail_each(const char *name, int (*op)(sp_err *), long absorbs)
{
    sp_err err;
    sp_err_clear(&err);
    arm(0);
    int rc = op(&err);
    disarm();
    if (rc != SP_OK)
        fail_msg("%s without failures: %s", name, err.msg);
    const long points = wrap.calls;
    if (report_leaks(name, 0) || wrap.overflow)
        fail_msg("%s leaks without any failure", name);
    assert_true(points > 0 && points <= TRACE_CAP);
    alloc_call *clean = malloc((size_t)points * sizeof *clean);
    assert_non_null(clean);
    memcpy(clean, wrap.trace, (size_t)points * sizeof *clean);
    long bad = 0, absorbed = 0;
    const int verbose = getenv("TEST_ALLOC_VERBOSE") != NULL;
    for (long n = 1; n <= points; n++) {
        char buf[256];
        sp_err_clear(&err);
        arm(n);
        rc = op(&err);
        disarm();
        if (verbose)
            print_message("%s %ld: %s -> %s\n", name, n, where(wrap.fail_caller, buf, sizeof buf),
                          rc == SP_OK ? "ok" : err.msg);
        if (wrap.failed != 1) {
            print_error("%s: allocation %ld never came (%ld calls): the count is not repeatable\n",
                        name, n, wrap.calls);
            bad++;
            continue;
        }
        if (rc == SP_OK && absorbed < absorbs) {
            absorbed++;
        } else if (rc != SP_ENOMEM || err.code != SP_ENOMEM || !err.msg[0]) {
            print_error("%s, allocation %ld failed (in %s): status %d (%s), message \"%s\"\n", name,
                        n, where(wrap.fail_caller, buf, sizeof buf), rc, sp_status_name(rc), err.msg);
            bad++;
        }
        if (report_leaks(name, n))
            bad++;
        assert_false(wrap.overflow);
    }
    free(clean);
    print_message("%s: %ld allocation points, each failed in turn%s", name, points,
                  bad ? "\n" : ": clean errors, nothing leaked");
    if (absorbed)
        print_message(" (%ld absorbed: best effort)", absorbed);
    if (!bad)
        print_message("\n");
    if (bad)
        fail_msg("%s: %ld allocation failures were not clean (see above)", name, bad);
    return points;
}

/* The wrappers see the core's calls: a failed calloc in sp_table_alloc. */
static void test_wrappers_reach_the_core(void **state)
{
    (void)state;
    sp_err err;
    sp_err_clear(&err);
    arm(1);
    sp_table *t = sp_table_alloc(2, 3, &err);
    disarm();
    assert_null(t);
    assert_int_equal(wrap.failed, 1);
    assert_int_equal(err.code, SP_ENOMEM);
    arm(0);
    t = sp_table_alloc(2, 3, &err);
    long calls = wrap.calls;
    sp_table_free(t);
    disarm();
    assert_non_null(t);
    assert_true(calls >= 7); /* the table, its arrays and its labels */
    assert_int_equal(wrap.live, 0);
}

static void test_packages(void **state) { (void)state; fail_each("packages", op_packages, 0); }
static void test_beijing(void **state) { (void)state; fail_each("beijing", op_beijing, 0); }
static void test_microdata(void **state) { (void)state; fail_each("microdata", op_microdata, 0); }
static void test_spop(void **state) { (void)state; fail_each("spop", op_spop, 2) /* the atomic writes' best-effort allocations */; }
static void test_run(void **state) { (void)state; fail_each("run", op_run, 0); }
static void test_experiment(void **state) { (void)state; fail_each("experiment", op_experiment, 0); }
static void test_tables(void **state) { (void)state; fail_each("tables", op_tables, 0); }
static void test_analysis(void **state) { (void)state; fail_each("analysis", op_analysis, 0); }
/* The export writes one file: its folder's sync may absorb one failure. */
static void test_budget(void **state) { (void)state; fail_each("budget", op_budget, 1); }
/* The report writes one file: its folder's sync may absorb one failure. */
static void test_report(void **state) { (void)state; fail_each("report", op_report, 1); }
static void test_report_zh(void **state) { (void)state; fail_each("report_zh", op_report_zh, 1); }

/* Writers: committing a file syncs its folder when a copy of the folder's
 * name can be made (atomic.c, sync_parent), so one failure per file written
 * may be absorbed. */
static void test_writers(void **state) { (void)state; fail_each("writers", op_writers, SP_NFORMAT); }
static void test_calibrate(void **state) { (void)state; fail_each("calibrate", op_calibrate, 0); }
/* The sensitivity page is one file written: its folder's sync may absorb one failure. */
static void test_sensitivity(void **state) { (void)state; fail_each("sensitivity", op_sensitivity, 1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrappers_reach_the_core),
        cmocka_unit_test(test_packages),
        cmocka_unit_test(test_beijing),
        cmocka_unit_test(test_microdata),
        cmocka_unit_test(test_spop),
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_experiment),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_analysis),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_report_zh),
        cmocka_unit_test(test_writers),
        cmocka_unit_test(test_calibrate),
        cmocka_unit_test(test_sensitivity),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
