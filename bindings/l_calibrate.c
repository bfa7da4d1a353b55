/* l_calibrate.c: sp.calibrate{...} and the calibration handle (binding of
 * core/calibrate.c).
 *
 * sp.calibrate{ experiment = exp,
 *               params  = { name = { lo, hi, start }, ... },
 *               targets = { { name = "V1", value = function(res) return x end,
 *                             band = { lo, hi } }, ... },
 *               max_iter = 100, tol = 1e-3, step = 0.5, centre_weight = 0.01 }
 * fits the named parameters of the experiment so that every target's value,
 * computed by its function from the experiment's results, falls in its band
 * (core/calibrate.h: loss, logit map, Nelder-Mead). Every evaluation runs the
 * experiment with its own seed: common random numbers, a deterministic
 * objective. In check mode nothing runs: the handle holds the start values,
 * no evaluation and NaN target values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "l_args.h"
#include "l_evaluate.h"
#include "l_sandbox.h"

#define SP_L_CALIBRATION "spendsim.calibration"

static sp_calib_result *check(lua_State *L, const char *fn)
{
    return sp_l_checkhandle(L, 1, SP_L_CALIBRATION, fn, "calibration");
}

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

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const sp_calib_param *)a)->name, ((const sp_calib_param *)b)->name);
}

/* A number element t[k] of the list at idx, named in messages as `what`. */
static double list_number(lua_State *L, int idx, lua_Integer k, const char *fn, const char *what)
{
    if (lua_geti(L, idx, k) != LUA_TNUMBER)
        luaL_error(L, "%s: %s must be a number, got %s", fn, what, sp_l_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (!isfinite(v))
        luaL_error(L, "%s: %s must be finite", fn, what);
    return v;
}

/* params = { name = { lo, hi, start } } (table at the top of the stack). */
static void read_params(lua_State *L, sp_calib_def *d, const char *fn)
{
    int t = lua_gettop(L);
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s: 'params' must be a table of name = { lo, hi, start }, got %s", fn,
                   sp_l_typename(L, t));
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: 'params' keys must be parameter names, got %s", fn,
                       luaL_typename(L, -2));
        const char *name = lua_tostring(L, -2);
        const sp_param_info *info = sp_param_find(name);
        if (!info)
            sp_l_unknown(L, lua_pushfstring(L, "%s: params", fn), "parameter", name, param_name,
                         param_count());
        if (d->nparams >= SP_CALIB_MAX_PARAMS)
            luaL_error(L, "%s: at most %d parameters can be calibrated", fn, SP_CALIB_MAX_PARAMS);
        if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) != 3)
            luaL_error(L, "%s: params: '%s' must be { lo, hi, start }, got %s", fn, name,
                       lua_type(L, -1) == LUA_TTABLE ? "a table without three numbers"
                                                     : sp_l_typename(L, -1));
        sp_calib_param *p = &d->params[d->nparams++];
        snprintf(p->name, sizeof p->name, "%s", name);
        const char *w = lua_pushfstring(L, "params: '%s' lo", name);
        p->lo = list_number(L, -2, 1, fn, w);
        lua_pop(L, 1);
        w = lua_pushfstring(L, "params: '%s' hi", name);
        p->hi = list_number(L, -2, 2, fn, w);
        lua_pop(L, 1);
        w = lua_pushfstring(L, "params: '%s' start", name);
        p->start = list_number(L, -2, 3, fn, w);
        lua_pop(L, 1);
        if (!(p->lo < p->hi))
            luaL_error(L, "%s: params: '%s' needs lo < hi, got %f and %f", fn, name, p->lo, p->hi);
        if (p->lo < info->lo || p->hi > info->hi)
            luaL_error(L, "%s: params: '%s' range [%f, %f] leaves the parameter's range [%f, %f]",
                       fn, name, p->lo, p->hi, info->lo, info->hi);
        if (!(p->start > p->lo && p->start < p->hi))
            luaL_error(L, "%s: params: '%s' start %f must lie strictly inside [%f, %f]", fn, name,
                       p->start, p->lo, p->hi);
        lua_pop(L, 1);
    }
    if (d->nparams == 0)
        luaL_error(L, "%s: 'params' names no parameter", fn);
    qsort(d->params, (size_t)d->nparams, sizeof d->params[0], cmp_name); /* a stable order */
}

/* targets = { { name =, value =, band = { lo, hi } }, ... } (table at the top
 * of the stack): bands into d, the functions into a new list pushed on the
 * stack. */
static void read_targets(lua_State *L, sp_calib_def *d, sp_l_eval *e, const char *fn)
{
    static const char *const keys[] = {"name", "value", "band", NULL};
    int t = lua_gettop(L);
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s: 'targets' must be a list of { name =, value =, band = }, got %s", fn,
                   sp_l_typename(L, t));
    lua_Integer n = (lua_Integer)lua_rawlen(L, t);
    if (n == 0)
        luaL_error(L, "%s: 'targets' must hold at least one target", fn);
    if (n > SP_CALIB_MAX_TARGETS)
        luaL_error(L, "%s: 'targets' must hold at most %d targets, got %I", fn,
                   SP_CALIB_MAX_TARGETS, (LUAI_UACINT)n);
    lua_createtable(L, (int)n, 0);
    int fns = lua_gettop(L);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, t, k);
        int it = lua_gettop(L);
        const char *where = lua_pushfstring(L, "%s: targets[%I]", fn, (LUAI_UACINT)k);
        sp_l_checkargs(L, it, where);
        sp_l_checkkeys(L, it, where, keys, 0);
        const char *name = sp_l_getstring(L, it, where, "name", NULL);
        if (!name || !*name)
            luaL_error(L, "%s: 'name' is required (a non-empty string)", where);
        for (lua_Integer j = 0; j < k - 1; j++)
            if (strcmp(d->targets[j].name, name) == 0)
                luaL_error(L, "%s: two targets are named '%s'", fn, name);
        sp_calib_target *tg = &d->targets[k - 1];
        snprintf(tg->name, sizeof tg->name, "%s", name);
        snprintf(e->fn_names[k - 1], sizeof e->fn_names[0], "%s", name);
        if (lua_getfield(L, it, "value") != LUA_TFUNCTION)
            luaL_error(L, "%s: target '%s': 'value' must be a function(res) returning a number, "
                          "got %s", fn, name, sp_l_typename(L, -1));
        lua_rawseti(L, fns, k);
        if (lua_getfield(L, it, "band") == LUA_TNIL)
            luaL_error(L, "%s: target '%s' has no band (band = { lo, hi }: the range the value "
                          "should fall in)", fn, name);
        if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) != 2)
            luaL_error(L, "%s: target '%s': 'band' must be { lo, hi }, got %s", fn, name,
                       lua_type(L, -1) == LUA_TTABLE ? "a table without two numbers"
                                                     : sp_l_typename(L, -1));
        int b = lua_gettop(L);
        tg->lo = list_number(L, b, 1, fn, lua_pushfstring(L, "target '%s': band lo", name));
        tg->hi = list_number(L, b, 2, fn, lua_pushfstring(L, "target '%s': band hi", name));
        if (!(tg->lo < tg->hi))
            luaL_error(L, "%s: target '%s': band needs lo < hi, got { %f, %f }", fn, name, tg->lo,
                       tg->hi);
        lua_settop(L, fns);
    }
    d->ntargets = (int)n;
    e->nfns = (int)n;
}

/* sp.calibrate{...} -> calibration */
static int l_calibrate(lua_State *L)
{
    static const char *const keys[] = {"experiment", "params", "targets", "max_iter",
                                       "tol",        "step",   "centre_weight", NULL};
    const char *fn = "sp.calibrate";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    sp_l_eval *e = lua_newuserdatauv(L, sizeof *e, 0); /* scratch, collected */
    memset(e, 0, sizeof *e);
    if (lua_getfield(L, 1, "experiment") == LUA_TNIL)
        return luaL_error(L, "%s: 'experiment' is required", fn);
    sp_l_eval_experiment(L, -1, fn, &e->def);
    e->exp_idx = lua_gettop(L); /* 3 */
    sp_calib_def d = sp_calib_def_default();
    if (lua_getfield(L, 1, "params") == LUA_TNIL)
        return luaL_error(L, "%s: 'params' is required (name = { lo, hi, start })", fn);
    read_params(L, &d, fn);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "targets") == LUA_TNIL)
        return luaL_error(L, "%s: 'targets' is required", fn);
    read_targets(L, &d, e, fn);
    e->fns_idx = lua_gettop(L);
    d.max_iter = (int)sp_l_getinteger(L, 1, fn, "max_iter", 1, 100000, d.max_iter);
    d.tol = sp_l_getnumber(L, 1, fn, "tol", 1e-12, 100, d.tol);
    d.step = sp_l_getnumber(L, 1, fn, "step", 1e-6, 20, d.step);
    d.centre_weight = sp_l_getnumber(L, 1, fn, "centre_weight", 0, 100, d.centre_weight);
    e->L = L;
    e->what = "target";
    e->nparams = d.nparams;
    for (int k = 0; k < d.nparams; k++)
        snprintf(e->param_names[k], sizeof e->param_names[0], "%s", d.params[k].name);
    d.fn = sp_l_eval_run;
    d.ud = e;

    sp_l_experiment_ready(L, fn, &e->def);
    sp_err err;
    sp_err_clear(&err);
    if (sp_calib_validate(&d, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);

    sp_calib_result **slot = (sp_calib_result **)sp_l_newhandle(L, SP_L_CALIBRATION, 0);
    if (sp_l_host_get(L)->dry_run) { /* check mode: nothing runs */
        sp_calib_result *r = calloc(1, sizeof *r);
        if (!r)
            return luaL_error(L, "%s: out of memory", fn);
        *slot = r;
        r->nparams = d.nparams;
        r->ntargets = d.ntargets;
        for (int k = 0; k < d.nparams; k++) {
            snprintf(r->param_names[k], SP_CALIB_NAME, "%s", d.params[k].name);
            r->start[k] = r->x[k] = d.params[k].start;
            r->lo[k] = d.params[k].lo;
            r->hi[k] = d.params[k].hi;
        }
        for (int j = 0; j < d.ntargets; j++) {
            snprintf(r->target_names[j], SP_CALIB_NAME, "%s", d.targets[j].name);
            r->band_lo[j] = d.targets[j].lo;
            r->band_hi[j] = d.targets[j].hi;
            r->y[j] = r->residual[j] = NAN;
        }
        r->loss = NAN;
        return 1;
    }
    *slot = sp_calibrate(&d, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

/* ---- the calibration handle ---- */

static void push_named(lua_State *L, char (*names)[SP_CALIB_NAME], const double *v, int n)
{
    lua_createtable(L, 0, n);
    for (int k = 0; k < n; k++) {
        lua_pushnumber(L, v[k]);
        lua_setfield(L, -2, names[k]);
    }
}

static void push_trace(lua_State *L, sp_calib_result *r)
{
    lua_createtable(L, r->nevals, 0);
    for (int e = 0; e < r->nevals; e++) {
        lua_createtable(L, 0, 3);
        push_named(L, r->param_names, r->trace_x + (size_t)e * r->nparams, r->nparams);
        lua_setfield(L, -2, "params");
        push_named(L, r->target_names, r->trace_y + (size_t)e * r->ntargets, r->ntargets);
        lua_setfield(L, -2, "values");
        lua_pushnumber(L, r->trace_loss[e]);
        lua_setfield(L, -2, "loss");
        lua_rawseti(L, -2, e + 1);
    }
}

static const char *const table_kinds[] = {"fit", "residuals", "trace", NULL};

static sp_table *make_table(sp_calib_result *r, int kind, sp_err *err)
{
    return kind == 0 ? sp_calib_fit_table(r, err)
           : kind == 1 ? sp_calib_residual_table(r, err)
                       : sp_calib_trace_table(r, err);
}

/* c:table("fit" | "residuals" | "trace") -> table */
static int l_table(lua_State *L)
{
    const char *fn = "calibration:table";
    sp_calib_result *r = check(L, fn);
    int kind = luaL_checkoption(L, 2, NULL, table_kinds);
    sp_table **slot = sp_l_newtable(L, 1);
    sp_err err;
    sp_err_clear(&err);
    *slot = make_table(r, kind, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

/* c:write(path, formats = { "csv", "md" }) -> true | nil, message: writes
 * path_fit, path_residuals and path_trace in each format (table:write). */
static int l_write(lua_State *L)
{
    const char *fn = "calibration:write";
    sp_calib_result *r = check(L, fn);
    const char *path = luaL_checkstring(L, 2);
    lua_settop(L, 3); /* formats, or nil */
    if (!*path)
        return luaL_error(L, "%s: the path must be a non-empty string", fn);
    for (int kind = 0; kind < 3; kind++) {
        sp_table **slot = sp_l_newtable(L, 1);
        sp_err err;
        sp_err_clear(&err);
        *slot = make_table(r, kind, &err);
        if (!*slot)
            return luaL_error(L, "%s: %s", fn, err.msg);
        lua_pushfstring(L, "%s_%s", path, table_kinds[kind]);
        const char *file = lua_tostring(L, -1);
        lua_insert(L, -2);
        int ok = sp_l_eval_write_table(L, file, 3);
        if (!ok)
            return 2;
        lua_pop(L, 1); /* the file name */
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_index(lua_State *L)
{
    if (lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2)) != LUA_TNIL)
        return 1;
    const char *key = lua_tostring(L, 2);
    sp_calib_result *r = check(L, "calibration");
    if (strcmp(key, "fitted") == 0)
        push_named(L, r->param_names, r->x, r->nparams);
    else if (strcmp(key, "start") == 0)
        push_named(L, r->param_names, r->start, r->nparams);
    else if (strcmp(key, "values") == 0)
        push_named(L, r->target_names, r->y, r->ntargets);
    else if (strcmp(key, "residuals") == 0)
        push_named(L, r->target_names, r->residual, r->ntargets);
    else if (strcmp(key, "loss") == 0)
        lua_pushnumber(L, r->loss);
    else if (strcmp(key, "iterations") == 0)
        lua_pushinteger(L, r->iterations);
    else if (strcmp(key, "evaluations") == 0)
        lua_pushinteger(L, r->nevals);
    else if (strcmp(key, "converged") == 0)
        lua_pushboolean(L, r->converged);
    else if (strcmp(key, "trace") == 0)
        push_trace(L, r);
    else
        return luaL_error(L, "calibration: no field or method '%s' (fields: fitted, start, values, "
                             "residuals, loss, iterations, evaluations, converged, trace)", key);
    return 1;
}

static int l_release(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_CALIBRATION);
    sp_calib_result_free(*slot);
    *slot = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_CALIBRATION);
    const sp_calib_result *r = *slot;
    if (!r) {
        lua_pushliteral(L, "calibration (closed)");
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "calibration: loss %f after %d iterations (%d evaluations%s):", r->loss,
                    r->iterations, r->nevals, r->converged ? ", converged" : "");
    luaL_addvalue(&b);
    for (int k = 0; k < r->nparams; k++) {
        lua_pushfstring(L, " %s = %f", r->param_names[k], r->x[k]);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return 1;
}

void sp_l_open_calibrate(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{"table", l_table}, {"write", l_write}, {NULL, NULL}};
    sp_l_newclass(L, SP_L_CALIBRATION, methods, l_index, l_release, l_tostring);
    lua_pushcfunction(L, l_calibrate);
    lua_setfield(L, module, "calibrate");
}
