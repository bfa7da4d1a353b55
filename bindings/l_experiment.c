/* l_experiment.c: sp.experiment{...} and experiment:run().
 *
 * An experiment handle holds an sp_experiment_def by value; it owns no core
 * memory. Its user values keep what the definition points to alive: user
 * value 1 is the population handle, 2 a private list of the package handles,
 * 3 the macro path (immutable, never closed) when one is set.
 * The raw pointers in the definition are refreshed from these handles before
 * every run, so a handle closed in between is reported, never dereferenced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SPENDSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include "l_args.h"
#include "l_sandbox.h"
#include "l_spendsim.h"

typedef struct l_experiment {
    sp_experiment_def def;
} l_experiment;

static const char *param_name(int k)
{
    size_t n;
    return sp_param_table(&n)[k].name;
}

static int param_count(void)
{
    size_t n;
    sp_param_table(&n);
    return (int)n;
}

static int dist_cmp(const void *a, const void *b)
{
    return strcmp(((const sp_param_dist *)a)->name, ((const sp_param_dist *)b)->name);
}

/* Reads params = { name = number or distribution, ... } (table at top of
 * stack): numbers into the definition's parameters, distributions into its
 * list of parameters drawn per replicate. */
static void read_params(lua_State *L, sp_experiment_def *def, const char *fn)
{
    int t = lua_gettop(L);
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s: 'params' must be a table of name = number, got %s", fn,
                   sp_l_typename(L, t));
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: 'params' keys must be parameter names, got %s", fn,
                       luaL_typename(L, -2));
        const char *name = lua_tostring(L, -2);
        if (!sp_param_find(name))
            sp_l_unknown(L, lua_pushfstring(L, "%s: params", fn), "parameter", name, param_name,
                         param_count());
        sp_err err;
        sp_err_clear(&err);
        sp_param_dist dist;
        if (sp_l_todist(L, -1, &dist)) {
            if (def->ndists >= SP_MAX_DISTS)
                luaL_error(L, "%s: params: at most %d parameters may have distributions", fn,
                           SP_MAX_DISTS);
            snprintf(dist.name, sizeof dist.name, "%s", name);
            if (sp_param_dist_validate(&dist, &err) != SP_OK)
                luaL_error(L, "%s: params: %s", fn, err.msg);
            def->dists[def->ndists++] = dist;
            lua_pop(L, 1);
            continue;
        }
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s: params: '%s' must be a number or sp.normal/sp.uniform, got %s", fn,
                       name, sp_l_typename(L, -1));
        if (sp_experiment_set_param(def, name, lua_tonumber(L, -1), &err) != SP_OK)
            luaL_error(L, "%s: params: %s", fn, err.msg);
        lua_pop(L, 1);
    }
    /* Lua's traversal order differs between processes: the distributions in
     * name order, so the results list them (and write them) the same way every run. */
    qsort(def->dists, (size_t)def->ndists, sizeof def->dists[0], dist_cmp);
}

/* Copies packages = { p1, p2, ... } (table at top of stack) into a new list
 * pushed on the stack, and their pointers into def. */
static void read_packages(lua_State *L, sp_experiment_def *def, const char *fn)
{
    int t = lua_gettop(L);
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s: 'packages' must be a list of packages, got %s", fn,
                   sp_l_typename(L, t));
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1)
            luaL_error(L, "%s: 'packages' must be a list of packages (unexpected key '%s')", fn,
                       luaL_tolstring(L, -1, NULL));
        n++;
    }
    if (n == 0)
        luaL_error(L, "%s: 'packages' must hold at least one package", fn);
    if (n > SP_MAX_PACKAGES)
        luaL_error(L, "%s: 'packages' must hold at most %d packages, got %I", fn, SP_MAX_PACKAGES,
                   (LUAI_UACINT)n);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, t, k); /* nil when the list has a hole */
        void **slot = luaL_testudata(L, -1, SP_L_PACKAGE);
        if (!slot)
            luaL_error(L, "%s: 'packages[%I]' must be a package, got %s", fn, (LUAI_UACINT)k,
                       sp_l_typename(L, -1));
        if (!*slot)
            luaL_error(L, "%s: 'packages[%I]' is closed", fn, (LUAI_UACINT)k);
        def->packages[k - 1] = *slot;
        lua_seti(L, -2, k);
    }
    def->npackages = (int)n;
}

static int default_threads(const sp_l_host *host)
{
    if (host->threads > 0)
        return host->threads;
#ifdef SPENDSIM_HAVE_OPENMP
    int n = omp_get_max_threads();
    return n < 1 ? 1 : n > 1024 ? 1024 : n;
#else
    return 1;
#endif
}

/* sp.experiment{ population = pop, packages = { ... }, start = "2019-01",
 *                months = 36, replicates = 1, seed = 42, threads = N,
 *                params = { name = value }, macro = sp.macro.beijing{},
 *                uncertainty = true }
 * uncertainty: with more than one replicate, the model's uncertain
 * behavioural parameters (sp_param_default_dists and the measure kinds'
 * own) are drawn once per replicate unless params gives them a value or a
 * distribution; false draws only the distributions given in params. */
static int l_experiment_new(lua_State *L)
{
    static const char *const keys[] = {"population", "packages", "start",  "months", "warmup",
                                       "replicates", "seed",     "threads", "params", "macro",
                                       "uncertainty", NULL};
    const char *fn = "sp.experiment";
    const sp_l_host *host = sp_l_host_get(L);
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);

    l_experiment *e = lua_newuserdatauv(L, sizeof *e, 3);
    e->def = sp_experiment_def_default();
    luaL_setmetatable(L, SP_L_EXPERIMENT);
    int ud = lua_gettop(L);
    sp_experiment_def *d = &e->def;

    if (lua_getfield(L, 1, "population") == LUA_TNIL)
        return luaL_error(L, "%s: 'population' is required (e.g. population = "
                             "sp.population.beijing{})", fn);
    void **pop = luaL_testudata(L, -1, SP_L_POPULATION);
    if (!pop)
        return luaL_error(L, "%s: 'population' must be a population, got %s", fn,
                          sp_l_typename(L, -1));
    if (!*pop)
        return luaL_error(L, "%s: 'population' is closed", fn);
    d->population = *pop;
    lua_setiuservalue(L, ud, 1);

    if (lua_getfield(L, 1, "packages") == LUA_TNIL)
        return luaL_error(L, "%s: 'packages' is required (e.g. packages = { sp.package{ name = "
                             "\"Status quo\" } })", fn);
    read_packages(L, d, fn);
    lua_setiuservalue(L, ud, 2);
    lua_pop(L, 1);

    const char *start = sp_l_getstring(L, 1, fn, "start", NULL);
    if (start) {
        sp_err err;
        sp_err_clear(&err);
        if (sp_month_parse(start, &d->start_month, &err) != SP_OK)
            return luaL_error(L, "%s: 'start': %s", fn, err.msg);
    }
    d->months = (int)sp_l_getinteger(L, 1, fn, "months", 1, SP_MAX_MONTHS, d->months);
    d->warmup = (int)sp_l_getinteger(L, 1, fn, "warmup", 0, SP_MAX_MONTHS, 0);
    d->replicates =
        (int)sp_l_getinteger(L, 1, fn, "replicates", 1, SP_MAX_REPLICATES, d->replicates);
    d->seed = (uint32_t)sp_l_getinteger(L, 1, fn, "seed", 0, UINT32_MAX, d->seed);
    if (host->seed_set)
        d->seed = host->seed;
    d->threads = (int)sp_l_getinteger(L, 1, fn, "threads", 1, 1024, default_threads(host));
    if (lua_getfield(L, 1, "params") != LUA_TNIL)
        read_params(L, d, fn);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "macro") != LUA_TNIL) {
        const sp_macro_def *macro = luaL_testudata(L, -1, SP_L_MACRO);
        if (!macro)
            return luaL_error(L, "%s: 'macro' must be a macro path (e.g. macro = "
                                 "sp.macro.beijing{}), got %s", fn, sp_l_typename(L, -1));
        d->macro = macro;
        lua_setiuservalue(L, ud, 3); /* the experiment keeps its path alive */
    } else
        lua_pop(L, 1);
    d->uncertainty = sp_l_getboolean(L, 1, fn, "uncertainty", 1);

    sp_err err;
    sp_err_clear(&err);
    if (sp_experiment_validate(d, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);
    lua_settop(L, ud);
    return 1;
}

/* Refreshes the definition's pointers from the user values; raises when a
 * handle was closed since the experiment was defined. */
static void refresh(lua_State *L, l_experiment *e, const char *fn)
{
    lua_getiuservalue(L, 1, 1);
    void **pop = luaL_testudata(L, -1, SP_L_POPULATION);
    if (!pop || !*pop)
        luaL_error(L, "%s: the population was closed", fn);
    e->def.population = *pop;
    lua_pop(L, 1);
    lua_getiuservalue(L, 1, 2);
    for (int k = 0; k < e->def.npackages; k++) {
        lua_geti(L, -1, k + 1);
        void **pkg = luaL_testudata(L, -1, SP_L_PACKAGE);
        if (!pkg || !*pkg)
            luaL_error(L, "%s: package %d was closed", fn, k + 1);
        e->def.packages[k] = *pkg;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void sp_l_experiment_need_memory(lua_State *L, const char *fn, const sp_experiment_def *def)
{
    double cube = (double)def->npackages * def->replicates * (def->months + def->warmup) * SP_NGROUP *
                  SP_NMETRIC * sizeof(double);
    sp_l_need_memory(L, fn, "the results cube",
                     cube + (double)def->population->n * sp_population_bytes_per_household());
}

void sp_l_experiment_ready(lua_State *L, const char *fn, const sp_experiment_def *def)
{
    sp_err err;
    sp_err_clear(&err);
    if (sp_experiment_validate(def, &err) != SP_OK)
        luaL_error(L, "%s: %s", fn, err.msg);
    sp_l_experiment_need_memory(L, fn, def);
}

/* exp:run() -> results. In check mode (dry run) the experiment is validated
 * and results of the right shape, all zero, are returned. */
static int l_run(lua_State *L)
{
    const char *fn = "experiment:run";
    l_experiment *e = luaL_checkudata(L, 1, SP_L_EXPERIMENT);
    const sp_l_host *host = sp_l_host_get(L);
    refresh(L, e, fn);

    sp_results **slot = sp_l_newresults(L);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1); /* results keep the experiment alive */
    sp_err err;
    sp_err_clear(&err);
    sp_experiment_def def = e->def;
    sp_l_experiment_need_memory(L, fn, &def);
    if (host->dry_run) {
        if (sp_experiment_validate(&def, &err) != SP_OK)
            return luaL_error(L, "%s: %s", fn, err.msg);
        const char *names[SP_MAX_PACKAGES];
        for (int p = 0; p < def.npackages; p++)
            names[p] = def.packages[p]->name;
        *slot = sp_results_alloc(def.npackages, names, def.replicates, def.months,
                                 def.start_month, &err);
        if (*slot) {
            (*slot)->seed = def.seed;
            (*slot)->households = def.population->total_weight;
            (*slot)->sample = def.population->n;
        }
    } else {
        def.progress = host->progress;
        def.progress_ud = host->progress_ud;
        if (def.progress)
            def.progress(def.progress_ud, 0, def.npackages * def.replicates);
        *slot = sp_experiment_run(&def, &err);
    }
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    sp_l_print_warnings(L, *slot);
    return 1;
}

static int l_release(lua_State *L)
{
    luaL_checkudata(L, 1, SP_L_EXPERIMENT); /* owns no core memory */
    return 0;
}

static int l_tostring(lua_State *L)
{
    l_experiment *e = luaL_checkudata(L, 1, SP_L_EXPERIMENT);
    char start[8];
    sp_month_format(e->def.start_month, start);
    lua_pushfstring(L, "experiment: %d packages x %d replicates, %d months from %s, seed %I",
                    e->def.npackages, e->def.replicates, e->def.months, start,
                    (LUAI_UACINT)e->def.seed);
    return 1;
}

void sp_l_open_experiment(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{"run", l_run}, {NULL, NULL}};
    sp_l_newclass(L, SP_L_EXPERIMENT, methods, NULL, l_release, l_tostring);
    lua_pushcfunction(L, l_experiment_new);
    lua_setfield(L, module, "experiment");
}
