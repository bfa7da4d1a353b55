/* l_spendsim.h: what the binding files share (internal to bindings/).
 *
 * Each core concept has one binding file (l_population.c, l_package.c, ...)
 * with one handle type: a full userdata holding one pointer to the core
 * object, one metatable named SP_L_<TYPE> with methods under __index, and
 * __gc and __close sharing one idempotent release. A handle is created (with
 * a NULL pointer) before the core object is acquired, so an error raised in
 * between never leaks it. */
#ifndef SP_L_SPENDSIM_H
#define SP_L_SPENDSIM_H

#include <stddef.h>
#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "spendsim.h"

/* Metatable names (registry keys). */
#define SP_L_POPULATION "spendsim.population"
#define SP_L_PACKAGE "spendsim.package"
#define SP_L_EXPERIMENT "spendsim.experiment"
#define SP_L_RESULTS "spendsim.results"
#define SP_L_TABLE "spendsim.table"
#define SP_L_DIST "spendsim.distribution"
#define SP_L_MEASURE "spendsim.measure"
#define SP_L_MACRO "spendsim.macro"

/* Registry keys: the host settings (a userdata holding sp_l_host) and the
 * private table the prelude shares with the CLI (see prelude.lua). */
#define SP_L_HOST "spendsim.host"
#define SP_L_INTERNAL "spendsim.internal"

#define SP_L_PATH_MAX 4096
#define SP_L_MAX_ROOTS 16 /* the scenario's folder, the current folder, --data folders */

/* Settings of the program hosting the module. The CLI installs them from its
 * command line before running a scenario; a stock lua5.4 that requires the
 * module has none and gets the defaults (all zero). */
typedef struct sp_l_host {
    int threads;              /* > 0: default threads of experiments (--threads); 0: OpenMP's default */
    int seed_set;             /* nonzero: `seed` replaces every experiment's seed (--seed) */
    uint32_t seed;
    int dry_run;              /* nonzero: check mode, nothing simulated or written */
    int mute;                 /* nonzero: another process writes the outputs (an MPI rank
                               * other than 0, core/dist.h): writes are checked as in a
                               * run, then skipped, and return true */
    int lang;                 /* default language of res:report (labels.h; --lang); 0 = English */
    char out_dir[SP_L_PATH_MAX]; /* base of relative output paths; "" = current directory */
    /* When set, called with (ud, 0, total) before an experiment and after each
     * of its runs (package x replicate). */
    void (*progress)(void *ud, int done, int total);
    void *progress_ud;
    char scenario[SP_L_PATH_MAX]; /* the scenario file as given, "" when none (module use) */
    char scenario_sha256[65];     /* SHA-256 of its text */
    /* Safe mode (docs/security.md): nonzero confines output paths to out_dir
     * (then the resolved --out) and input paths to the read roots. */
    int safe;
    int nroots;                   /* folders a safe scenario may read, resolved */
    char roots[SP_L_MAX_ROOTS][SP_L_PATH_MAX];
} sp_l_host;

/* Registry key of the scenario's text (a string), set by the CLI. */
#define SP_L_SCENARIO_TEXT "spendsim.scenario_text"

/* The host settings of this Lua state, or all-zero defaults when none were
 * installed. Never NULL; do not modify. */
const sp_l_host *sp_l_host_get(lua_State *L);

/* Creates, once per state, the host settings in the registry (zeroed) and
 * returns them for the host to fill. Raises on memory errors. */
sp_l_host *sp_l_host_install(lua_State *L);

/* Opens the module: the table `spendsim` on top of the stack. */
int luaopen_spendsim(lua_State *L);

/* Registration of each concept: creates its metatable and, for concepts with
 * constructors, adds them to the module table at stack index `module`. */
void sp_l_open_population(lua_State *L, int module);
void sp_l_open_package(lua_State *L, int module);
void sp_l_open_experiment(lua_State *L, int module);
void sp_l_open_macro(lua_State *L, int module);     /* sp.macro (l_macro.c) */
void sp_l_open_results(lua_State *L);
void sp_l_open_table(lua_State *L, int module); /* the table type and sp.table */
void sp_l_open_params(lua_State *L, int module);
void sp_l_open_measures(lua_State *L, int module); /* every kind's constructors (l_measures.c) */

/* If the value at idx is a distribution (sp.normal, sp.uniform), fills out's
 * kind and arguments (not its name) and returns 1; else returns 0. */
int sp_l_todist(lua_State *L, int idx, sp_param_dist *out);

/* A measure value, as sp.voucher{...}, sp.scrappage{...}, sp.plates.
 * extra_quota{...} and every other constructor return it: one type "measure"
 * (metatable SP_L_MEASURE, defined in l_package.c), a full userdata holding
 * an sp_measure with its kind, name and validated definition (filter texts
 * compile; m.filter stays NULL and m.id 0: the package compiles its own
 * copy). It owns no core memory; sp.package and package:with copy it
 * (sp_package_add_measure), so one value may go into many packages. `aux` is
 * a detail of the binding the core does not keep (0 when read back from a
 * package), e.g. whether a voucher's start named a day. */
typedef struct sp_l_measure {
    sp_measure m;
    int aux;
} sp_l_measure;

/* The Lua side of one measure kind, in the kind's binding file
 * (bindings/l_<kind>.c) and listed once in bindings/l_measures.c:
 *   open:     adds the kind's constructors to the module table at `module`;
 *   field:    pushes field `key` of the measure and returns 1, or returns 0
 *             for an unknown key (name and kind are handled by the type);
 *   tostring: pushes the measure's description. */
typedef struct sp_l_kind {
    const sp_measure_ops *ops;
    void (*open)(lua_State *L, int module);
    int (*field)(lua_State *L, const sp_l_measure *lm, const char *key);
    void (*tostring)(lua_State *L, const sp_l_measure *lm);
} sp_l_kind;

/* The registry of the kinds' bindings (NULL-terminated), and the binding of
 * a core kind (NULL when none). */
extern const sp_l_kind *const sp_l_kinds[];
const sp_l_kind *sp_l_kind_of(const sp_measure_ops *ops);

/* Pushes a new measure of kind ops (definition zeroed, no name) and returns it. */
sp_l_measure *sp_l_newmeasure(lua_State *L, const sp_measure_ops *ops);

/* The measure at idx, or NULL if the value is not a measure value. */
sp_l_measure *sp_l_tomeasure(lua_State *L, int idx);

/* The definition of lm, writable while its constructor fills it in. */
static inline void *sp_l_measure_def(sp_l_measure *lm) { return lm->m.def.bytes; }

/* The table module[name], created when missing, pushed (e.g. sp.plates). */
void sp_l_subtable(lua_State *L, int module, const char *name);

/* The largest size of a number a measure takes (yuan, coupons, cars): far
 * above any city's budget, far below where sums over households overflow. */
#define SP_L_MEASURE_NUMBER_MAX 1e15

/* Readers shared by the measure constructors (l_package.c). The argument
 * table is at stack index 1; errors start with "<fname>: '<key>'" and, raised
 * from the C function the scenario called, carry the scenario's file:line.
 *   sp_l_measure_number: a finite number, or def when absent;
 *   sp_l_measure_month:  "YYYY-MM" into *month; returns 0 when absent (and
 *                        leaves *month alone), 1 when read;
 *   sp_l_measure_filter: filter text compiled here (its errors name the
 *                        position in the expression), copied into buf of
 *                        size n; "" = everyone; returns 0 when absent;
 *   sp_l_measure_name:   'name' into m->name, or `def` when absent. */
double sp_l_measure_number(lua_State *L, const char *fname, const char *key, double def);
/*   sp_l_measure_span:   start = "YYYY-MM" (required), then ["end"] = "YYYY-MM"
 *                        or months = n (one of them required) into *start and
 *                        *end (the last month, inclusive);
 *   sp_l_measure_check:  the kind's core validation of the definition, raising
 *                        "<fname>: <core message>". */
void sp_l_measure_span(lua_State *L, const char *fname, int *start, int *end);
void sp_l_measure_check(lua_State *L, const char *fname, const sp_l_measure *lm);
int sp_l_measure_month(lua_State *L, const char *fname, const char *key, int *month);
int sp_l_measure_filter(lua_State *L, const char *fname, const char *key, char *buf, size_t n);
/*   sp_l_measure_day:        "YYYY-MM-DD" or "YYYY-MM" into *month and *day (a
 *                            month alone gives its first day, or its last when
 *                            `last` is 1); returns 0 when absent;
 *   sp_l_measure_categories: categories = "all" | "food" | { "food", ... }
 *                            into category bits; `def` when absent. */
int sp_l_measure_day(lua_State *L, const char *fname, const char *key, int last, int *month, int *day);
unsigned sp_l_measure_categories(lua_State *L, const char *fname, unsigned def);
void sp_l_measure_name(lua_State *L, const char *fname, sp_measure *m, const char *def);

/* Writers shared by the kinds' fields and descriptions: a month "YYYY-MM"; a
 * filter text (nil for "" = everyone); an amount as people write it ("%.15g":
 * 10000, 1e+09) into buf; a number as Lua prints it, for messages (pushed on
 * the stack, returned). */
void sp_l_push_month(lua_State *L, int month);
void sp_l_push_filter(lua_State *L, const char *filter);
const char *sp_l_num(char *buf, size_t n, double x);
const char *sp_l_shown(lua_State *L, double v);

/* The per-fuel payment of the car subsidies (l_cars.c, shared by
 * l_scrappage.c and l_purchase_subsidy.c): amount/share for both fuels (when
 * `both` is non-zero) or amount_nev, amount_ice, share_nev, share_ice. When
 * none is given *p keeps the core's defaults; once one is given the others
 * are 0. A fuel may have an amount or a share, not both. */
typedef struct sp_l_fuel_pay {
    double amount_nev, amount_ice, share_nev, share_ice;
} sp_l_fuel_pay;
void sp_l_read_fuel_pay(lua_State *L, const char *fn, int both, sp_l_fuel_pay *p);
/* cap / floor of a share subsidy (0 when absent; an error without a share). */
double sp_l_read_bound(lua_State *L, const char *fn, const char *key, const sp_l_fuel_pay *p);
/* Fields start, end, months of a span and amount_nev .. share_ice, cap of a
 * payment: push and return 1, or 0 for another key. */
int sp_l_span_field(lua_State *L, int start, int end, const char *key);
int sp_l_pay_field(lua_State *L, const sp_l_fuel_pay *p, double cap, const char *key);
/* "NEV and ICE 16% of the price" / "NEV 10000 yuan, ICE nothing", and
 * "2020-07..2020-08" / "2020-07". */
void sp_l_pay_text(char *buf, size_t n, const sp_l_fuel_pay *p);
void sp_l_span_text(char *buf, size_t n, int start, int end);
/* The new cars a car subsidy pays for (core/vehicles.h): classes = { names },
 * max_fuel (litres per 100 km), max_price (yuan), nev_only (boolean); absent
 * keys leave *r as it is. An unknown class names itself and the valid ones. */
void sp_l_read_restrict(lua_State *L, const char *fn, sp_car_restrict *r);
/* Fields classes, max_fuel, max_price, nev_only: push and return 1, or 0. */
int sp_l_restrict_field(lua_State *L, const sp_car_restrict *r, const char *key);
/* "; only: economy_ice, mid_nev, at most 6.5 L/100 km" or "" when unrestricted. */
void sp_l_restrict_text(char *buf, size_t n, const sp_car_restrict *r);

/* Creates a handle with metatable tname and a NULL pointer on top of the
 * stack, with nuv user values; returns the pointer slot to fill. */
void **sp_l_newhandle(lua_State *L, const char *tname, int nuv);

/* The core object of handle tname at idx: raises "<fname>: <what> expected,
 * got <type>" if the value is not such a handle and "<fname>: the <what> is
 * closed" if it was released. */
void *sp_l_checkhandle(lua_State *L, int idx, const char *tname, const char *fname,
                       const char *what);

/* Sets metatable fields shared by every handle type on the metatable on top
 * of the stack: __index = a table of `methods` (or, when index is not NULL, a
 * C closure `index` with that table as upvalue 1), __gc = __close = release,
 * __tostring = tostring, __name = tname (set by luaL_newmetatable). */
void sp_l_newclass(lua_State *L, const char *tname, const luaL_Reg *methods, lua_CFunction index,
                   lua_CFunction release, lua_CFunction tostring);

/* For the table and results bindings. */
sp_results **sp_l_newresults(lua_State *L);     /* a results handle (see l_results.c) */
/* A table handle whose user value is the results handle at index `results`
 * (for provenance; see l_table.c). */
sp_table **sp_l_newtable(lua_State *L, int results);

/* Provenance of a result (see l_report.c): spendsim version, git revision,
 * scenario file and SHA-256, seed, replicates, packages, horizon, population,
 * parameters drawn per replicate, and the date (UTC). Strings live in buf. */
typedef struct sp_l_prov {
    sp_kv kv[16];
    int n;
    char buf[4096];
} sp_l_prov;
void sp_l_provenance(lua_State *L, const sp_results *res, sp_l_prov *out);

/* The saved population file ("path (xxh64 checksum)") a population with this
 * label was loaded from by sp.population.load, or NULL (l_population.c). */
const char *sp_l_population_file(lua_State *L, const char *label);

/* In the CLI, writes each warning of res to stderr once per run (a message
 * printed before is not repeated); nothing outside the CLI (l_results.c). */
void sp_l_print_warnings(lua_State *L, const sp_results *res);

/* Checks that one experiment's results cube and one run's copy of the
 * households' state fit --max-memory and the machine, before anything is
 * allocated (sp_l_need_memory; l_experiment.c). */
void sp_l_experiment_need_memory(lua_State *L, const char *fn, const sp_experiment_def *def);
/* Validates def (an error "fn: message") and checks its memory, as above:
 * what an operation that runs an experiment many times does first. */
void sp_l_experiment_ready(lua_State *L, const char *fn, const sp_experiment_def *def);

/* Records that `file` was written from res, and rewrites manifest.json in
 * the file's directory (atomically) with the provenance and every file
 * written there so far by this state. 0, or -1 with msg set. */
int sp_l_manifest_add(lua_State *L, const sp_results *res, const char *file, char *msg, size_t n);

/* res:report(path, { title = ... }): the self-contained HTML report. */
int sp_l_results_report(lua_State *L);

#endif
