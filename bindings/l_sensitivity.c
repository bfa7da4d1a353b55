/* l_sensitivity.c: sp.sensitivity{...} and the sensitivity handle (binding
 * of core/sensitivity.c).
 *
 * sp.sensitivity{ experiment = exp, method = "morris" | "sobol", n = ...,
 *                 outputs = { name = function(res) return x end, ... },
 *                 levels = 4, bootstrap = 200, seed = <experiment's> }
 * The inputs are the parameters the experiment draws per replicate (its
 * params given as sp.uniform / sp.normal, and the defaults drawn for its
 * measures); each design point fixes them (core/sensitivity.h: quantiles of
 * those distributions, a normal truncated to the parameter's range) and runs
 * the experiment with its own seed. In check mode nothing runs: the handle
 * holds NaN indices and no evaluation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "l_args.h"
#include "l_evaluate.h"
#include "l_path.h"
#include "l_sandbox.h"

#define SP_L_SENSITIVITY "spendsim.sensitivity"

static sp_sens_result *check(lua_State *L, const char *fn)
{
    return sp_l_checkhandle(L, 1, SP_L_SENSITIVITY, fn, "sensitivity");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* outputs = { name = function, ... } (table at the top of the stack): names
 * sorted into d and e, functions into a new list pushed on the stack. */
static void read_outputs(lua_State *L, sp_sens_def *d, sp_l_eval *e, const char *fn)
{
    int t = lua_gettop(L);
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s: 'outputs' must be a table of name = function(res), got %s", fn,
                   sp_l_typename(L, t));
    const char *names[SP_SENS_MAX_OUTPUTS];
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: 'outputs' keys must be names, got %s", fn, luaL_typename(L, -2));
        const char *name = lua_tostring(L, -2);
        if (lua_type(L, -1) != LUA_TFUNCTION)
            luaL_error(L, "%s: output '%s' must be a function(res) returning a number, got %s", fn,
                       name, sp_l_typename(L, -1));
        if (n >= SP_SENS_MAX_OUTPUTS)
            luaL_error(L, "%s: at most %d outputs", fn, SP_SENS_MAX_OUTPUTS);
        if (strlen(name) >= SP_SENS_NAME)
            luaL_error(L, "%s: output name '%s' is longer than %d characters", fn, name,
                       SP_SENS_NAME - 1);
        names[n++] = name; /* anchored by the outputs table */
        lua_pop(L, 1);
    }
    if (n == 0)
        luaL_error(L, "%s: 'outputs' names no output", fn);
    qsort(names, (size_t)n, sizeof names[0], cmp_str); /* a stable order */
    lua_createtable(L, n, 0);
    for (int k = 0; k < n; k++) {
        snprintf(d->outputs[k], SP_SENS_NAME, "%s", names[k]);
        snprintf(e->fn_names[k], SP_L_EVAL_NAME, "%s", names[k]);
        lua_getfield(L, t, names[k]);
        lua_rawseti(L, -2, k + 1);
    }
    d->noutputs = n;
    e->nfns = n;
}

/* The inputs: the experiment's parameters drawn per replicate. */
static void read_inputs(lua_State *L, const sp_experiment_def *x, sp_sens_def *d, sp_l_eval *e,
                        const char *fn)
{
    if (x->ndists == 0)
        luaL_error(L, "%s: the experiment declares no parameter with a distribution (give "
                      "params = { name = sp.uniform(lo, hi) or sp.normal(mean, sd) } to "
                      "sp.experiment)", fn);
    if (x->ndists > SP_SENS_MAX_INPUTS)
        luaL_error(L, "%s: at most %d parameters with distributions, the experiment has %d", fn,
                   SP_SENS_MAX_INPUTS, x->ndists);
    for (int k = 0; k < x->ndists; k++) {
        const sp_param_dist *pd = &x->dists[k];
        const sp_param_info *info = sp_param_find(pd->name);
        sp_sens_input *in = &d->inputs[k];
        snprintf(in->name, SP_SENS_NAME, "%s", pd->name);
        in->kind = pd->kind;
        in->a = pd->a;
        in->b = pd->b;
        in->lo = info ? info->lo : -INFINITY;
        in->hi = info ? info->hi : INFINITY;
        snprintf(e->param_names[k], SP_L_EVAL_NAME, "%s", pd->name);
    }
    d->ninputs = x->ndists;
    e->nparams = x->ndists;
    /* by name: the design does not depend on the order the experiment's
     * params table was traversed in */
    for (int i = 1; i < d->ninputs; i++)
        for (int j = i; j > 0 && strcmp(d->inputs[j - 1].name, d->inputs[j].name) > 0; j--) {
            sp_sens_input t = d->inputs[j];
            d->inputs[j] = d->inputs[j - 1];
            d->inputs[j - 1] = t;
            char n[SP_L_EVAL_NAME];
            memcpy(n, e->param_names[j], sizeof n);
            memcpy(e->param_names[j], e->param_names[j - 1], sizeof n);
            memcpy(e->param_names[j - 1], n, sizeof n);
        }
}

/* sp.sensitivity{...} -> sensitivity */
static int l_sensitivity(lua_State *L)
{
    static const char *const keys[] = {"experiment", "method", "n",    "outputs",
                                       "levels",     "bootstrap", "seed", NULL};
    static const char *const methods[] = {"morris", "sobol", NULL};
    const char *fn = "sp.sensitivity";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    sp_l_eval *e = lua_newuserdatauv(L, sizeof *e, 0);
    memset(e, 0, sizeof *e);
    if (lua_getfield(L, 1, "experiment") == LUA_TNIL)
        return luaL_error(L, "%s: 'experiment' is required", fn);
    sp_l_eval_experiment(L, -1, fn, &e->def);
    e->exp_idx = lua_gettop(L);
    sp_sens_def d = sp_sens_def_default();
    const char *method = sp_l_getstring(L, 1, fn, "method", NULL);
    if (!method)
        return luaL_error(L, "%s: 'method' is required (\"morris\" or \"sobol\")", fn);
    int m = -1;
    for (int k = 0; methods[k]; k++)
        if (strcmp(method, methods[k]) == 0)
            m = k;
    if (m < 0)
        return luaL_error(L, "%s: 'method' must be \"morris\" or \"sobol\", got \"%s\"", fn, method);
    d.method = m == 0 ? SP_SENS_MORRIS : SP_SENS_SOBOL;
    if (d.method == SP_SENS_MORRIS) {
        d.n = (int)sp_l_getinteger(L, 1, fn, "n", 2, 10000, 10);
        d.levels = (int)sp_l_getinteger(L, 1, fn, "levels", 2, 100, d.levels);
        if (d.levels % 2)
            return luaL_error(L, "%s: 'levels' must be even, got %d", fn, d.levels);
        if (sp_l_has(L, 1, "bootstrap"))
            return luaL_error(L, "%s: 'bootstrap' applies to method \"sobol\" only", fn);
    } else {
        d.n = (int)sp_l_getinteger(L, 1, fn, "n", 2, 1000000, 256);
        d.bootstrap = (int)sp_l_getinteger(L, 1, fn, "bootstrap", 0, 100000, d.bootstrap);
        if (d.bootstrap > 0 && d.bootstrap < 10)
            return luaL_error(L, "%s: 'bootstrap' must be 0 or at least 10, got %d", fn,
                              d.bootstrap);
        if (sp_l_has(L, 1, "levels"))
            return luaL_error(L, "%s: 'levels' applies to method \"morris\" only", fn);
    }
    d.seed = (uint32_t)sp_l_getinteger(L, 1, fn, "seed", 0, UINT32_MAX, e->def.seed);
    read_inputs(L, &e->def, &d, e, fn);
    if (lua_getfield(L, 1, "outputs") == LUA_TNIL)
        return luaL_error(L, "%s: 'outputs' is required (name = function(res) return number end)",
                          fn);
    read_outputs(L, &d, e, fn);
    e->fns_idx = lua_gettop(L);
    e->L = L;
    e->what = "output";
    d.fn = sp_l_eval_run;
    d.ud = e;

    sp_l_experiment_ready(L, fn, &e->def);
    sp_err err;
    sp_err_clear(&err);
    if (sp_sens_validate(&d, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);

    sp_sens_result **slot = (sp_sens_result **)sp_l_newhandle(L, SP_L_SENSITIVITY, 0);
    if (sp_l_host_get(L)->dry_run) { /* check mode: nothing runs */
        sp_sens_result *r = calloc(1, sizeof *r);
        if (!r)
            return luaL_error(L, "%s: out of memory", fn);
        *slot = r;
        r->method = d.method;
        r->ninputs = d.ninputs;
        r->noutputs = d.noutputs;
        r->n = d.n;
        r->levels = d.method == SP_SENS_MORRIS ? d.levels : 0;
        for (int k = 0; k < d.ninputs; k++)
            snprintf(r->input_names[k], SP_SENS_NAME, "%s", d.inputs[k].name);
        for (int k = 0; k < d.noutputs; k++) {
            snprintf(r->output_names[k], SP_SENS_NAME, "%s", d.outputs[k]);
            r->mean[k] = r->variance[k] = NAN;
        }
        size_t c = (size_t)d.ninputs * d.noutputs;
        double **arr[] = {&r->mu, &r->mu_star, &r->sigma, &r->s1, &r->s1_lo, &r->s1_hi,
                          &r->st, &r->st_lo, &r->st_hi};
        int first = d.method == SP_SENS_MORRIS ? 0 : 3, last = d.method == SP_SENS_MORRIS ? 3 : 9;
        for (int a = first; a < last; a++) {
            *arr[a] = malloc(c * sizeof(double));
            if (!*arr[a])
                return luaL_error(L, "%s: out of memory", fn);
            for (size_t i = 0; i < c; i++)
                (*arr[a])[i] = NAN;
        }
        return 1;
    }
    *slot = sp_sensitivity(&d, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

/* ---- the sensitivity handle ---- */

/* The output named or numbered (1-based) at idx; the first when none. */
static int check_output(lua_State *L, const sp_sens_result *r, int idx, const char *fn)
{
    if (lua_isnoneornil(L, idx))
        return 0;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        lua_Integer k = lua_tointeger(L, idx);
        if (k < 1 || k > r->noutputs)
            luaL_error(L, "%s: output %I out of range 1..%d", fn, (LUAI_UACINT)k, r->noutputs);
        return (int)k - 1;
    }
    const char *name = luaL_checkstring(L, idx);
    for (int o = 0; o < r->noutputs; o++)
        if (strcmp(r->output_names[o], name) == 0)
            return o;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int o = 0; o < r->noutputs; o++) {
        if (o)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, r->output_names[o]);
    }
    luaL_pushresult(&b);
    return luaL_error(L, "%s: unknown output '%s' (valid: %s)", fn, name, lua_tostring(L, -1));
}

/* s:table(output) -> table of the output's indices (one row per input). */
static int l_table(lua_State *L)
{
    const char *fn = "sensitivity:table";
    sp_sens_result *r = check(L, fn);
    int o = check_output(L, r, 2, fn);
    sp_table **slot = sp_l_newtable(L, 1);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_sens_table(r, o, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

/* s:indices(output) -> { input = { mu_star =, mu =, sigma = } or { S1 =,
 * S1_lo =, S1_hi =, ST =, ST_lo =, ST_hi = } } */
static int l_indices(lua_State *L)
{
    const char *fn = "sensitivity:indices";
    sp_sens_result *r = check(L, fn);
    int o = check_output(L, r, 2, fn);
    lua_createtable(L, 0, r->ninputs);
    for (int i = 0; i < r->ninputs; i++) {
        size_t c = (size_t)o * r->ninputs + i;
        lua_createtable(L, 0, 6);
        if (r->method == SP_SENS_MORRIS) {
            const char *k[] = {"mu_star", "mu", "sigma"};
            const double v[] = {r->mu_star[c], r->mu[c], r->sigma[c]};
            for (int j = 0; j < 3; j++) {
                lua_pushnumber(L, v[j]);
                lua_setfield(L, -2, k[j]);
            }
        } else {
            const char *k[] = {"S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"};
            const double v[] = {r->s1[c], r->s1_lo[c], r->s1_hi[c],
                                r->st[c], r->st_lo[c], r->st_hi[c]};
            for (int j = 0; j < 6; j++) {
                lua_pushnumber(L, v[j]);
                lua_setfield(L, -2, k[j]);
            }
        }
        lua_setfield(L, -2, r->input_names[i]);
    }
    return 1;
}

/* s:write(path, formats = { "csv", "md" }): one table per output, written to
 * path_<output> (characters other than letters, digits, '-' and '_' become
 * '_'). true, or nil and a message. */
static int l_write(lua_State *L)
{
    const char *fn = "sensitivity:write";
    sp_sens_result *r = check(L, fn);
    const char *path = luaL_checkstring(L, 2);
    lua_settop(L, 3); /* formats, or nil */
    if (!*path)
        return luaL_error(L, "%s: the path must be a non-empty string", fn);
    for (int o = 0; o < r->noutputs; o++) {
        char name[SP_SENS_NAME];
        snprintf(name, sizeof name, "%s", r->output_names[o]);
        for (char *p = name; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                *p = '_';
        sp_table **slot = sp_l_newtable(L, 1);
        sp_err err;
        sp_err_clear(&err);
        *slot = sp_sens_table(r, o, &err);
        if (!*slot)
            return luaL_error(L, "%s: %s", fn, err.msg);
        lua_pushfstring(L, "%s_%s", path, name);
        const char *file = lua_tostring(L, -1);
        lua_insert(L, -2);
        if (!sp_l_eval_write_table(L, file, 3))
            return 2;
        lua_pop(L, 1);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* s:report(path, { title = }) -> true | nil, message: path.html with a
 * tornado chart and the index table per output. */
static int l_report(lua_State *L)
{
    const char *fn = "sensitivity:report";
    sp_sens_result *r = check(L, fn);
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
        return luaL_error(L, "%s: the path must be a non-empty string, got %s", fn,
                          lua_type(L, 2) == LUA_TSTRING ? "\"\"" : sp_l_typename(L, 2));
    const char *path = lua_tostring(L, 2);
    const char *title = "Sensitivity analysis";
    if (!lua_isnoneornil(L, 3)) {
        static const char *const keys[] = {"title", NULL};
        sp_l_checkargs(L, 3, fn);
        sp_l_checkkeys(L, 3, fn, keys, 0);
        title = sp_l_getstring(L, 3, fn, "title", title);
    }
    char file[SP_L_PATH_MAX + 8], msg[SP_ERR_MSG_MAX + SP_L_PATH_MAX];
    sp_l_out_path(L, fn, path, file, SP_L_PATH_MAX); /* confined in safe mode */
    size_t len = strlen(file);
    if (len < 5 || strcmp(file + len - 5, ".html") != 0)
        strcat(file, ".html");
    if (sp_l_host_get(L)->dry_run) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (sp_l_mkparents(file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    sp_err err;
    sp_err_clear(&err);
    if (sp_sens_write_html(r, title, file, &err) != SP_OK) {
        luaL_pushfail(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    if (sp_l_manifest_add(L, NULL, file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static void push_names(lua_State *L, char (*names)[SP_SENS_NAME], int n)
{
    lua_createtable(L, n, 0);
    for (int k = 0; k < n; k++) {
        lua_pushstring(L, names[k]);
        lua_rawseti(L, -2, k + 1);
    }
}

static int l_index(lua_State *L)
{
    if (lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2)) != LUA_TNIL)
        return 1;
    const char *key = lua_tostring(L, 2);
    sp_sens_result *r = check(L, "sensitivity");
    if (strcmp(key, "method") == 0)
        lua_pushstring(L, r->method == SP_SENS_MORRIS ? "morris" : "sobol");
    else if (strcmp(key, "inputs") == 0)
        push_names(L, r->input_names, r->ninputs);
    else if (strcmp(key, "outputs") == 0)
        push_names(L, r->output_names, r->noutputs);
    else if (strcmp(key, "evaluations") == 0)
        lua_pushinteger(L, r->nevals);
    else if (strcmp(key, "n") == 0)
        lua_pushinteger(L, r->n);
    else
        return luaL_error(L, "sensitivity: no field or method '%s' (fields: method, inputs, "
                             "outputs, evaluations, n)", key);
    return 1;
}

static int l_release(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_SENSITIVITY);
    sp_sens_result_free(*slot);
    *slot = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_SENSITIVITY);
    const sp_sens_result *r = *slot;
    if (!r)
        lua_pushliteral(L, "sensitivity (closed)");
    else
        lua_pushfstring(L, "sensitivity: %s, %d inputs x %d outputs, %d evaluations",
                        r->method == SP_SENS_MORRIS ? "morris" : "sobol", r->ninputs, r->noutputs,
                        r->nevals);
    return 1;
}

void sp_l_open_sensitivity(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{"table", l_table},   {"indices", l_indices},
                                       {"write", l_write},   {"report", l_report},
                                       {NULL, NULL}};
    sp_l_newclass(L, SP_L_SENSITIVITY, methods, l_index, l_release, l_tostring);
    lua_pushcfunction(L, l_sensitivity);
    lua_setfield(L, module, "sensitivity");
}
