/* l_decompose.c: sp.decompose{...}, the contribution of each measure of a
 * package as Shapley values (binding of core/decompose.h).
 *
 * sp.decompose{ package = pkg, baseline = pkg, experiment = exp | settings,
 *               result = { ... } | function(res), exact_max = 10,
 *               samples = 200, sample_seed = 1 }
 * With experiment = exp the coalitions run on its population, horizon,
 * replicates, seed and parameters; the baseline defaults to its first package
 * and the package to its last. Without it the keys of sp.experiment
 * (population, start, months, warmup, replicates, seed, threads, params,
 * macro) give the settings, and the baseline is required. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_analysis.h"
#include "l_args.h"

/* Registry key of sp.experiment (stored when the module opens). */
#define EXPERIMENT_NEW "spendsim.analysis.experiment"

typedef struct value_ctx {
    lua_State *L;
    const sp_l_objective *obj;
    int objfn;
} value_ctx;

static int call_p(lua_State *L)
{
    const value_ctx *c = lua_touserdata(L, 1);
    lua_pushnumber(L, sp_l_objective_eval(L, c->obj, 2, 3, "sp.decompose"));
    return 1;
}

/* A Lua function's value of coalition `package` of res (package 0 the
 * baseline; batch 1, so res holds the baseline and the coalition). */
static int function_value(void *ud, const sp_results *res, int package, double *v, sp_err *err)
{
    value_ctx *c = ud;
    lua_State *L = c->L;
    (void)package;
    sp_results **slot = sp_l_newresults(L);
    *slot = (sp_results *)res; /* borrowed: cleared below, the core frees it */
    int h = lua_gettop(L);
    lua_pushcfunction(L, call_p);
    lua_pushlightuserdata(L, c);
    lua_pushvalue(L, c->objfn);
    lua_pushvalue(L, h);
    int st = lua_pcall(L, 3, 1, 0);
    *slot = NULL;
    lua_remove(L, h);
    if (st != LUA_OK) {
        int rc = sp_err_set(err, SP_EINVAL, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return rc;
    }
    *v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return SP_OK;
}

static const sp_package *package_arg(lua_State *L, const char *key, const char *fn)
{
    lua_getfield(L, 1, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    const sp_package *p = sp_l_checkhandle(L, -1, SP_L_PACKAGE, fn, "package");
    lua_pop(L, 1); /* the argument table keeps it */
    return p;
}

static int l_decompose(lua_State *L)
{
    static const char *const keys[] = {
        "package", "baseline", "experiment", "result", "exact_max", "samples", "sample_seed",
        "population", "start", "months", "warmup", "replicates", "seed", "threads", "params",
        "macro", NULL};
    static const char *const settings[] = {"population", "start",   "months", "warmup", "replicates",
                                           "seed",       "threads", "params", "macro",  NULL};
    const char *fn = "sp.decompose";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    const sp_package *package = package_arg(L, "package", fn);
    const sp_package *baseline = package_arg(L, "baseline", fn);
    int has_exp = sp_l_has(L, 1, "experiment");
    for (int k = 0; has_exp && settings[k]; k++)
        if (sp_l_has(L, 1, settings[k]))
            return luaL_error(L, "%s: give the settings once: 'experiment' or '%s', not both", fn,
                              settings[k]);
    if (has_exp) {
        lua_getfield(L, 1, "experiment"); /* 2 */
    } else {
        if (!package || !baseline)
            return luaL_error(L, "%s: '%s' is required (or give experiment = exp)", fn,
                              package ? "baseline" : "package");
        if (!sp_l_has(L, 1, "population"))
            return luaL_error(L, "%s: 'population' is required (or give experiment = exp)", fn);
        lua_getfield(L, LUA_REGISTRYINDEX, EXPERIMENT_NEW);
        lua_createtable(L, 0, 10);
        for (int k = 0; settings[k]; k++) {
            lua_getfield(L, 1, settings[k]);
            lua_setfield(L, -2, settings[k]);
        }
        lua_createtable(L, 2, 0);
        lua_getfield(L, 1, "baseline");
        lua_seti(L, -2, 1);
        lua_getfield(L, 1, "package");
        lua_seti(L, -2, 2);
        lua_setfield(L, -2, "packages");
        lua_call(L, 1, 1); /* 2: sp.experiment{...}: its errors carry their own position */
    }
    sp_experiment_def def = sp_l_experiment_def(L, 2, fn);
    if (!baseline)
        baseline = def.packages[0];
    if (!package)
        package = def.packages[def.npackages - 1];
    if (package == baseline)
        return luaL_error(L, "%s: the package is the baseline (\"%s\"): give package = the "
                             "package to decompose", fn, package->name);
    lua_getfield(L, 1, "result"); /* 3 */
    sp_l_objective obj;
    sp_l_read_objective(L, 3, fn, "result", 1, &obj);
    if (obj.package[0])
        return luaL_error(L, "%s: result: 'package' is not used here (each coalition is compared "
                             "with the baseline)", fn);

    sp_decompose_def d = sp_decompose_def_default();
    d.experiment = &def;
    d.package = package;
    d.baseline = baseline;
    d.objective = obj.o;
    d.exact_max = (int)sp_l_getinteger(L, 1, fn, "exact_max", 0, SP_SHAPLEY_EXACT_LIMIT,
                                       d.exact_max);
    d.samples = (int)sp_l_getinteger(L, 1, fn, "samples", 2, 1000000, d.samples);
    d.seed = (uint32_t)sp_l_getinteger(L, 1, fn, "sample_seed", 0, UINT32_MAX, d.seed);
    value_ctx vc = {L, &obj, 3};
    if (obj.function) {
        d.value = function_value;
        d.value_ud = &vc;
        d.batch = 1;
    }
    const sp_l_host *host = sp_l_host_get(L);
    def.progress = NULL; /* thousands of short runs: no progress bar */
    sp_decompose_result r;
    sp_err err;
    sp_err_clear(&err);
    if (host->dry_run) { /* check mode: the players, no runs */
        int idx[SP_MAX_MEASURES];
        int n = sp_decompose_players(package, baseline, idx);
        memset(&r, 0, sizeof r);
        if (n < 2) {
            d.exact_max = 0; /* reach the core's message without running anything */
            d.samples = 0;
            if (sp_decompose(&d, &r, &err) != SP_OK)
                return luaL_error(L, "%s: %s", fn, err.msg);
        }
        r.n = n;
        r.shapley.exact = n <= d.exact_max;
        for (int i = 0; i < n; i++)
            r.names[i] = package->measures[idx[i]].name;
    } else if (sp_decompose(&d, &r, &err) != SP_OK) {
        return luaL_error(L, "%s: %s", fn, err.msg);
    }

    const sp_shapley_result *s = &r.shapley;
    lua_createtable(L, 0, 12);
    lua_createtable(L, r.n, 0);
    for (int i = 0; i < r.n; i++) {
        lua_pushstring(L, r.names[i]);
        lua_seti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "measures");
    lua_createtable(L, r.n, 0);
    for (int i = 0; i < r.n; i++) {
        lua_pushnumber(L, s->phi[i]);
        lua_seti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "values");
    lua_createtable(L, r.n, 0);
    for (int i = 0; i < r.n; i++) {
        lua_pushnumber(L, s->se[i]);
        lua_seti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "se");
    lua_createtable(L, 0, r.n);
    for (int i = 0; i < r.n; i++) {
        lua_pushnumber(L, s->phi[i]);
        lua_setfield(L, -2, r.names[i]);
    }
    lua_setfield(L, -2, "contributions");
    lua_pushnumber(L, s->v_all - s->v_none);
    lua_setfield(L, -2, "total");
    lua_pushnumber(L, s->v_all);
    lua_setfield(L, -2, "v_all");
    lua_pushnumber(L, s->v_none);
    lua_setfield(L, -2, "v_none");
    lua_pushboolean(L, s->exact);
    lua_setfield(L, -2, "exact");
    lua_pushinteger(L, s->samples);
    lua_setfield(L, -2, "samples");
    lua_pushinteger(L, s->coalitions);
    lua_setfield(L, -2, "coalitions");
    lua_pushinteger(L, r.experiments);
    lua_setfield(L, -2, "experiments");

    /* The same as a table value: one row per measure and the total. */
    int out = lua_gettop(L);
    lua_pushnil(L);
    sp_table **slot = sp_l_newtable(L, -1);
    *slot = sp_table_alloc((size_t)r.n + 1, 3, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    sp_table *t = *slot;
    char unit[160];
    snprintf(unit, sizeof unit, "%s%s", obj.o.diff ? "change in " : "",
             obj.function ? "the result" : sp_metric_unit(obj.o.metric));
    int rc = sp_table_set_text(&t->title, s->exact ? "Shapley decomposition by measure (exact)"
                                                   : "Shapley decomposition by measure (sampled)",
                               &err);
    rc = rc ? rc : sp_table_set_text(&t->unit, unit, &err);
    rc = rc ? rc : sp_table_set_text(&t->row_header, "measure", &err);
    rc = rc ? rc : sp_table_set_text(&t->col_labels[0], "contribution", &err);
    rc = rc ? rc : sp_table_set_text(&t->col_labels[1], "standard error", &err);
    rc = rc ? rc : sp_table_set_text(&t->col_labels[2], "share of total", &err);
    double total = s->v_all - s->v_none;
    for (int i = 0; i <= r.n && rc == SP_OK; i++) {
        double phi = i < r.n ? s->phi[i] : total, se = i < r.n ? s->se[i] : 0;
        double share = total != 0 ? phi / total : (double)NAN;
        rc = sp_table_set_text(&t->row_labels[i], i < r.n ? r.names[i] : "total", &err);
        sp_table_set_replicates(t, (size_t)i, 0, &phi, 1);
        sp_table_set_replicates(t, (size_t)i, 1, &se, 1);
        sp_table_set_replicates(t, (size_t)i, 2, &share, 1);
    }
    if (rc != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);
    lua_setfield(L, out, "table");
    lua_settop(L, out);
    return 1;
}

void sp_l_open_decompose(lua_State *L, int module)
{
    lua_getfield(L, module, "experiment"); /* opened before: l_spendsim.c */
    lua_setfield(L, LUA_REGISTRYINDEX, EXPERIMENT_NEW);
    lua_pushcfunction(L, l_decompose);
    lua_setfield(L, module, "decompose");
}
