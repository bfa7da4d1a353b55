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
#define SP_L_VOUCHER "spendsim.voucher"
#define SP_L_DIST "spendsim.distribution"
#define SP_L_MEASURE "spendsim.measure"

/* Registry keys: the host settings (a userdata holding sp_l_host) and the
 * private table the prelude shares with the CLI (see prelude.lua). */
#define SP_L_HOST "spendsim.host"
#define SP_L_INTERNAL "spendsim.internal"

#define SP_L_PATH_MAX 4096

/* Settings of the program hosting the module. The CLI installs them from its
 * command line before running a scenario; a stock lua5.4 that requires the
 * module has none and gets the defaults (all zero). */
typedef struct sp_l_host {
    int threads;              /* > 0: default threads of experiments (--threads); 0: OpenMP's default */
    int seed_set;             /* nonzero: `seed` replaces every experiment's seed (--seed) */
    uint32_t seed;
    int dry_run;              /* nonzero: check mode, nothing simulated or written */
    char out_dir[SP_L_PATH_MAX]; /* base of relative output paths; "" = current directory */
    /* When set, called with (ud, 0, total) before an experiment and after each
     * of its runs (package x replicate). */
    void (*progress)(void *ud, int done, int total);
    void *progress_ud;
    char scenario[SP_L_PATH_MAX]; /* the scenario file as given, "" when none (module use) */
    char scenario_sha256[65];     /* SHA-256 of its text */
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
void sp_l_open_results(lua_State *L);
void sp_l_open_table(lua_State *L);
void sp_l_open_vouchers(lua_State *L, int module);
void sp_l_open_params(lua_State *L, int module);
void sp_l_open_cars(lua_State *L, int module);   /* sp.scrappage, sp.purchase_subsidy, sp.cash_transfer */
void sp_l_open_plates(lua_State *L, int module); /* sp.plates.individual_lottery, ... */

/* If the value at idx is a distribution (sp.normal, sp.uniform), fills out's
 * kind and arguments (not its name) and returns 1; else returns 0. */
int sp_l_todist(lua_State *L, int idx, sp_param_dist *out);

/* A voucher measure as sp.voucher{...} returns it: a full userdata holding
 * the measure's name and a validated definition whose filter text compiles.
 * It owns no core memory; sp.package and package:with copy it into a
 * package (sp_package_add_voucher), so one value may go into many packages. */
typedef struct sp_l_voucher {
    char name[SP_NAME_MAX];
    int day_given;           /* 1 if `start` named a day ("2020-06-06") */
    sp_voucher_def def;
} sp_l_voucher;

/* Every other measure (sp.scrappage{...}, sp.plates.extra_quota{...}, ...)
 * is a value of the one type "measure" (metatable SP_L_MEASURE, defined in
 * l_package.c): a full userdata holding an sp_measure with its kind, name and
 * validated definition (filter texts compile; m.filter stays NULL and m.id 0:
 * the package compiles its own copy). Like a voucher it owns no core memory
 * and sp.package / package:with copy it (sp_package_add_measure).
 * Its fields and tostring are the concept's own: the measure type's __index
 * and __tostring call the hooks of the file that makes the kind. */
typedef struct sp_l_measure {
    sp_measure m;
} sp_l_measure;

/* Pushes a new measure of `kind` (definition zeroed, no name) and returns it. */
sp_l_measure *sp_l_newmeasure(lua_State *L, sp_measure_kind kind);

/* The measure at idx, or NULL if the value is not a measure value. */
sp_l_measure *sp_l_tomeasure(lua_State *L, int idx);

/* Hooks of the measure type, per concept: the *_field functions push the
 * value of field `key` of m and return 1, or return 0 for an unknown key;
 * the *_tostring functions push the description of m. l_cars.c handles the
 * car measures and the cash transfer, l_plates.c the plate regime and the
 * extra quota. */
int sp_l_cars_field(lua_State *L, const sp_measure *m, const char *key);
void sp_l_cars_tostring(lua_State *L, const sp_measure *m);
int sp_l_plates_field(lua_State *L, const sp_measure *m, const char *key);
void sp_l_plates_tostring(lua_State *L, const sp_measure *m);

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
int sp_l_measure_month(lua_State *L, const char *fname, const char *key, int *month);
int sp_l_measure_filter(lua_State *L, const char *fname, const char *key, char *buf, size_t n);
void sp_l_measure_name(lua_State *L, const char *fname, sp_measure *m, const char *def);

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

/* Records that `file` was written from res, and rewrites manifest.json in
 * the file's directory (atomically) with the provenance and every file
 * written there so far by this state. 0, or -1 with msg set. */
int sp_l_manifest_add(lua_State *L, const sp_results *res, const char *file, char *msg, size_t n);

/* res:report(path, { title = ... }): the self-contained HTML report. */
int sp_l_results_report(lua_State *L);

#endif
