/* l_sweep.c: sp.sweep{...} and the sweep value, and the point evaluator the
 * analysis operations share (l_analysis.h; core/sweep.h, core/objective.h).
 *
 * Names of a point, for an experiment value:
 *   - a model parameter (sp.params lists them): "mpc_poor_htm";
 *   - a measure key "package/measure.key": the number `key` of the measure
 *     named `measure` of the package named `package`, e.g.
 *     "Plan/coupons.supply". The key is a field of the measure value
 *     (m.supply) that is a number stored in its definition; it is found by
 *     reading the field through the kind's binding and checking that writing
 *     the definition changes what the field reads (so a derived field, such as
 *     `months` of a span given by its end, is refused with an error rather
 *     than set wrongly). The changed measure is validated again by its kind.
 * With experiment = function(point) ... end the names are whatever the
 * function reads from `point`; each point builds its own experiment.
 *
 * A sweep value holds its grid (names and values) and, in user value 1, the
 * list of its points' results handles; user value 2 is the experiment value
 * or function. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l_analysis.h"
#include "l_args.h"
#include "l_path.h"
#include "l_sandbox.h"

/* ---- scalar results ---- */

static const char *group_name(int g) { return sp_group_label(g); }
static const char *metric_name(int m) { return sp_metric_name(m); }
static const char *unit_name(int u) { return sp_unit_name((sp_unit)u); }

static int read_month(lua_State *L, int t, const char *fn, const char *key)
{
    const char *s = sp_l_getstring(L, t, fn, key, NULL);
    if (!s)
        return 0;
    int m = 0;
    sp_err err;
    sp_err_clear(&err);
    if (sp_month_parse(s, &m, &err) != SP_OK)
        luaL_error(L, "%s: '%s': %s", fn, key, err.msg);
    return m;
}

void sp_l_read_objective(lua_State *L, int idx, const char *fn, const char *what,
                         int allow_function, sp_l_objective *out)
{
    static const char *const keys[] = {"metric", "group", "package", "from", "to",
                                       "diff",   "unit",  NULL};
    memset(out, 0, sizeof *out);
    out->o = sp_objective_default();
    idx = lua_absindex(L, idx);
    if (lua_isnoneornil(L, idx))
        return;
    if (allow_function && lua_type(L, idx) == LUA_TFUNCTION) {
        out->function = 1;
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: '%s' must be a table { metric =, group =, package =, from =, to =, "
                      "diff =, unit = }%s, got %s", fn, what,
                   allow_function ? " or a function(res) returning a number" : "",
                   sp_l_typename(L, idx));
    char name[96];
    snprintf(name, sizeof name, "%s: %s", fn, what);
    lua_pushstring(L, name);
    const char *sub = lua_tostring(L, -1); /* "sp.solve: result", kept on the stack */
    sp_l_checkkeys(L, idx, sub, keys, 0);
    const char *metric = sp_l_getstring(L, idx, sub, "metric", NULL);
    if (metric)
        out->o.metric = sp_l_checkname(L, sub, "metric", metric, metric_name, SP_NMETRIC);
    const char *group = sp_l_getstring(L, idx, sub, "group", NULL);
    if (group)
        out->o.group = sp_l_checkname(L, sub, "group", group, group_name, SP_NGROUP);
    const char *unit = sp_l_getstring(L, idx, sub, "unit", NULL);
    if (unit)
        out->o.unit = (sp_unit)sp_l_checkname(L, sub, "unit", unit, unit_name,
                                              SP_UNIT_PER_CAPITA + 1);
    const char *pkg = sp_l_getstring(L, idx, sub, "package", NULL);
    if (pkg) {
        if (strlen(pkg) >= sizeof out->package)
            luaL_error(L, "%s: 'package' is longer than %d bytes", sub,
                       (int)sizeof out->package - 1);
        strcpy(out->package, pkg);
    }
    out->o.from = read_month(L, idx, sub, "from");
    out->o.to = read_month(L, idx, sub, "to");
    if (out->o.from && out->o.to && out->o.from > out->o.to) {
        char a[8], b[8];
        sp_month_format(out->o.from, a);
        sp_month_format(out->o.to, b);
        luaL_error(L, "%s: 'from' %s is after 'to' %s", sub, a, b);
    }
    out->o.diff = sp_l_getboolean(L, idx, sub, "diff", 1);
    lua_pop(L, 1);
}

double sp_l_objective_eval(lua_State *L, const sp_l_objective *obj, int objfn, int res,
                           const char *fn)
{
    res = lua_absindex(L, res);
    if (obj->function) {
        lua_pushvalue(L, objfn);
        lua_pushvalue(L, res);
        lua_call(L, 1, 1);
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s: the result function must return a number, got %s", fn,
                       sp_l_typename(L, -1));
        double v = lua_tonumber(L, -1);
        lua_pop(L, 1);
        return v;
    }
    const sp_results *r = sp_l_checkhandle(L, res, SP_L_RESULTS, fn, "results");
    sp_objective o = obj->o;
    if (obj->package[0]) {
        o.package = sp_results_package(r, obj->package);
        if (o.package < 0) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int k = 0; k < r->npackages; k++) {
                luaL_addstring(&b, k ? ", " : "");
                luaL_addstring(&b, r->package_names[k]);
            }
            luaL_pushresult(&b);
            luaL_error(L, "%s: result: unknown package '%s' (valid: %s)", fn, obj->package,
                       lua_tostring(L, -1));
        }
    }
    double v = 0;
    sp_err err;
    sp_err_clear(&err);
    if (sp_objective_eval(&o, r, &v, &err) != SP_OK)
        luaL_error(L, "%s: result: %s", fn, err.msg);
    return v;
}

/* ---- experiments and points ---- */

sp_experiment_def sp_l_experiment_def(lua_State *L, int idx, const char *fn)
{
    /* The experiment value (l_experiment.c) is a userdata whose first member
     * is its sp_experiment_def; user value 1 is the population handle, 2 the
     * list of package handles. */
    idx = lua_absindex(L, idx);
    const sp_experiment_def *d = luaL_testudata(L, idx, SP_L_EXPERIMENT);
    if (!d)
        luaL_error(L, "%s: 'experiment' must be an experiment (sp.experiment{...}) or a "
                      "function(point) returning one, got %s", fn, sp_l_typename(L, idx));
    sp_experiment_def def = *d;
    lua_getiuservalue(L, idx, 1);
    void **pop = luaL_testudata(L, -1, SP_L_POPULATION);
    if (!pop || !*pop)
        luaL_error(L, "%s: the experiment's population was closed", fn);
    def.population = *pop;
    lua_pop(L, 1);
    lua_getiuservalue(L, idx, 2);
    for (int k = 0; k < def.npackages; k++) {
        lua_geti(L, -1, k + 1);
        void **pkg = luaL_testudata(L, -1, SP_L_PACKAGE);
        if (!pkg || !*pkg)
            luaL_error(L, "%s: package %d of the experiment was closed", fn, k + 1);
        def.packages[k] = *pkg;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return def;
}

/* Finds where measure m keeps the number its field `key` reads: returns 1 and
 * fills ov (offset, type) or 0 with a reason in why. */
static int find_key(lua_State *L, const sp_measure *m, const char *key, sp_override *ov,
                    const char **why)
{
    const sp_l_kind *kind = sp_l_kind_of(m->ops);
    if (!kind) {
        *why = "its kind has no Lua fields";
        return 0;
    }
    sp_l_measure *lm = sp_l_newmeasure(L, m->ops);
    int top = lua_gettop(L);
    lm->m = *m;
    lm->m.filter = NULL;
    if (!kind->field(L, lm, key)) {
        lua_settop(L, top - 1);
        *why = "the measure has no such field";
        return 0;
    }
    if (lua_type(L, -1) != LUA_TNUMBER) {
        *why = lua_isnil(L, -1) ? "the field is not set (nil): give the measure a value for it"
                                : "the field is not a number";
        lua_settop(L, top - 1);
        return 0;
    }
    int isint = lua_isinteger(L, -1);
    double v = lua_tonumber(L, -1);
    lua_settop(L, top);
    unsigned char *bytes = lm->m.def.bytes;
    size_t size = m->ops->def_size;
    /* Candidates: doubles (and, for integer fields, ints) equal to the value;
     * the one that, changed to a sentinel, changes what the field reads. */
    for (int pass = 0; pass < 2; pass++) {
        size_t step = pass == 0 ? sizeof(double) : sizeof(int);
        size_t width = step;
        if (pass == 1 && !isint)
            break;
        for (size_t off = 0; off + width <= size; off += step) {
            double cur;
            if (pass == 0) {
                memcpy(&cur, bytes + off, sizeof cur);
            } else {
                int iv;
                memcpy(&iv, bytes + off, sizeof iv);
                cur = iv;
            }
            if (cur != v)
                continue;
            double sentinel = pass == 0 ? v + 1024.5 : v + 7;
            if (pass == 0)
                memcpy(bytes + off, &sentinel, sizeof sentinel);
            else {
                int s = (int)sentinel;
                memcpy(bytes + off, &s, sizeof s);
            }
            int got = kind->field(L, lm, key) && lua_type(L, -1) == LUA_TNUMBER &&
                      lua_tonumber(L, -1) == sentinel;
            lua_settop(L, top);
            memcpy(bytes + off, m->def.bytes + off, width); /* restore */
            if (got) {
                ov->offset = off;
                ov->type = pass == 0 ? SP_OVERRIDE_DOUBLE : SP_OVERRIDE_INT;
                lua_settop(L, top - 1);
                return 1;
            }
        }
    }
    lua_settop(L, top - 1);
    *why = "the field is derived from other values, not stored as a number";
    return 0;
}

/* Resolves "package/measure.key" against def into ov; 1 when it names a
 * measure of the experiment (raises when the key cannot be set), 0 when not. */
static int resolve_measure_key(lua_State *L, const sp_experiment_def *def, const char *name,
                               sp_override *ov, const char *fn)
{
    const char *dot = strrchr(name, '.');
    if (!dot || !dot[1])
        return 0;
    for (const char *slash = strchr(name, '/'); slash && slash < dot;
         slash = strchr(slash + 1, '/')) {
        size_t plen = (size_t)(slash - name), mlen = (size_t)(dot - slash - 1);
        for (int p = 0; p < def->npackages; p++) {
            const sp_package *pk = def->packages[p];
            if (strlen(pk->name) != plen || strncmp(pk->name, name, plen) != 0)
                continue;
            for (int k = 0; k < pk->nmeasures; k++) {
                const sp_measure *m = &pk->measures[k];
                if (strlen(m->name) != mlen || strncmp(m->name, slash + 1, mlen) != 0)
                    continue;
                const char *why = NULL;
                if (!find_key(L, m, dot + 1, ov, &why))
                    luaL_error(L, "%s: '%s': key '%s' of %s \"%s\" cannot be set (%s); build "
                                  "the experiment in a function instead: experiment = "
                                  "function(point) ... end", fn, name, dot + 1, m->ops->kind,
                               m->name, why);
                ov->kind = SP_OVERRIDE_MEASURE;
                ov->package = p;
                ov->measure = k;
                return 1;
            }
        }
    }
    return 0;
}

/* Raises the error for a name that is neither a parameter nor a measure key. */
static void unknown_name(lua_State *L, const sp_experiment_def *def, const char *name,
                         const char *fn)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int n = 0;
    for (int p = 0; p < def->npackages; p++)
        for (int k = 0; k < def->packages[p]->nmeasures && n < 12; k++, n++) {
            luaL_addstring(&b, n ? ", " : "");
            luaL_addstring(&b, def->packages[p]->name);
            luaL_addchar(&b, '/');
            luaL_addstring(&b, def->packages[p]->measures[k].name);
            luaL_addstring(&b, ".<key>");
        }
    if (n == 0)
        luaL_addstring(&b, "none");
    luaL_pushresult(&b);
    luaL_error(L, "%s: '%s' is neither a model parameter (see sp.params) nor a measure key "
                  "\"package/measure.key\" of the experiment (measures: %s); to sweep other "
                  "names give experiment = function(point) ... end", fn, name, lua_tostring(L, -1));
}

void sp_l_point_setup(lua_State *L, int exp, const char *const *names, int k, const char *fn,
                      sp_l_point *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->fn = fn;
    pt->k = k;
    exp = lua_absindex(L, exp);
    pt->function = lua_type(L, exp) == LUA_TFUNCTION;
    sp_experiment_def def = sp_experiment_def_default();
    if (!pt->function)
        def = sp_l_experiment_def(L, exp, fn);
    for (int j = 0; j < k; j++) {
        if (strlen(names[j]) >= SP_OVERRIDE_NAME_MAX)
            luaL_error(L, "%s: the name '%s' is longer than %d bytes", fn, names[j],
                       SP_OVERRIDE_NAME_MAX - 1);
        strcpy(pt->names[j], names[j]);
        sp_override *ov = &pt->ov[j];
        strcpy(ov->name, names[j]);
        if (pt->function)
            continue;
        if (sp_param_find(names[j]))
            ov->kind = SP_OVERRIDE_PARAM;
        else if (!resolve_measure_key(L, &def, names[j], ov, fn))
            unknown_name(L, &def, names[j], fn);
    }
}

/* Runs an experiment value at the point's overrides: pushes a results handle. */
static void run_value(lua_State *L, sp_l_point *pt, int exp)
{
    const sp_l_host *host = sp_l_host_get(L);
    sp_experiment_def def = sp_l_experiment_def(L, exp, pt->fn);
    for (int j = 0; j < pt->k; j++)
        pt->ov[j].value = pt->x[j];
    sp_results **slot = sp_l_newresults(L);
    lua_pushvalue(L, exp);
    lua_setiuservalue(L, -2, 1); /* the results keep the experiment alive */
    sp_l_experiment_need_memory(L, pt->fn, &def);
    sp_err err;
    sp_err_clear(&err);
    if (host->dry_run) { /* check mode: validate the point, results all zero */
        sp_experiment_def d;
        sp_package *owned[SP_MAX_PACKAGES];
        int rc = sp_point_apply(&def, pt->ov, pt->k, &d, owned, &err);
        if (rc == SP_OK) {
            rc = sp_experiment_validate(&d, &err);
            for (int p = 0; p < def.npackages; p++)
                sp_package_free(owned[p]);
        }
        if (rc != SP_OK)
            luaL_error(L, "%s", err.msg);
        const char *names[SP_MAX_PACKAGES];
        for (int p = 0; p < def.npackages; p++)
            names[p] = def.packages[p]->name;
        *slot = sp_results_alloc(def.npackages, names, def.replicates, def.months,
                                 def.start_month, &err);
    } else {
        def.progress = host->progress;
        def.progress_ud = host->progress_ud;
        *slot = sp_point_run(&def, pt->ov, pt->k, &err);
    }
    if (!*slot)
        luaL_error(L, "%s", err.msg);
}

/* Protected: 1 = point (light userdata), 2 = experiment or function,
 * 3 = objective function or nil. Returns the results handle and the value. */
static int point_eval_p(lua_State *L)
{
    sp_l_point *pt = lua_touserdata(L, 1);
    if (pt->function) {
        lua_pushvalue(L, 2);
        lua_createtable(L, 0, pt->k);
        for (int j = 0; j < pt->k; j++) {
            lua_pushnumber(L, pt->x[j]);
            lua_setfield(L, -2, pt->names[j]);
        }
        lua_call(L, 1, 1);
        if (!luaL_testudata(L, -1, SP_L_EXPERIMENT))
            luaL_error(L, "the experiment function must return an experiment (sp.experiment{...}), "
                          "got %s", sp_l_typename(L, -1));
        lua_getfield(L, -1, "run");
        lua_insert(L, -2);
        lua_call(L, 1, 1);
    } else {
        run_value(L, pt, 2);
    }
    int res = lua_gettop(L);
    if (pt->obj)
        lua_pushnumber(L, sp_l_objective_eval(L, pt->obj, 3, res, pt->fn));
    else
        lua_pushnil(L);
    return 2;
}

int sp_l_point_eval(lua_State *L, sp_l_point *pt, int exp, int objfn)
{
    exp = lua_absindex(L, exp);
    objfn = objfn ? lua_absindex(L, objfn) : 0;
    lua_pushcfunction(L, point_eval_p);
    lua_pushlightuserdata(L, pt);
    lua_pushvalue(L, exp);
    if (objfn)
        lua_pushvalue(L, objfn);
    else
        lua_pushnil(L);
    return lua_pcall(L, 3, 2, 0) == LUA_OK ? LUA_OK : LUA_ERRRUN;
}

/* ---- sp.sweep ---- */

typedef struct l_sweep {
    int k, npoints;
    char names[SP_SWEEP_MAX_NAMES][SP_OVERRIDE_NAME_MAX];
    int counts[SP_SWEEP_MAX_NAMES];
    double *values[SP_SWEEP_MAX_NAMES]; /* owned */
} l_sweep;

static sp_grid grid_of(const l_sweep *s)
{
    sp_grid g;
    memset(&g, 0, sizeof g);
    g.k = s->k;
    for (int j = 0; j < s->k; j++) {
        g.names[j] = s->names[j];
        g.values[j] = s->values[j];
        g.counts[j] = s->counts[j];
    }
    return g;
}

static l_sweep *check_sweep(lua_State *L, int idx, const char *fn)
{
    l_sweep *s = luaL_testudata(L, idx, SP_L_SWEEP);
    if (!s)
        luaL_error(L, "%s: sweep expected, got %s", fn, sp_l_typename(L, idx));
    if (s->npoints == 0)
        luaL_error(L, "%s: the sweep is closed", fn);
    return s;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads over = { name = { values }, ... } (table at idx) into s; names in
 * the order of `order` (table at oidx, or 0: alphabetical). */
static void read_over(lua_State *L, int idx, int oidx, l_sweep *s, const char *fn)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: 'over' must be a table { name = { values... }, ... }, got %s", fn,
                   sp_l_typename(L, idx));
    const char *names[SP_SWEEP_MAX_NAMES + 1];
    int k = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s: 'over' keys must be names (strings), got %s", fn,
                       luaL_typename(L, -1));
        if (k == SP_SWEEP_MAX_NAMES)
            luaL_error(L, "%s: 'over' holds more than %d names", fn, SP_SWEEP_MAX_NAMES);
        names[k++] = lua_tostring(L, -1); /* anchored by the table */
    }
    if (k == 0)
        luaL_error(L, "%s: 'over' is empty (give at least one name = { values... })", fn);
    if (oidx) {
        if (lua_type(L, oidx) != LUA_TTABLE || (int)luaL_len(L, oidx) != k)
            luaL_error(L, "%s: 'order' must list the %d names of 'over'", fn, k);
        for (int j = 0; j < k; j++) {
            lua_geti(L, oidx, j + 1);
            const char *nm = lua_tostring(L, -1);
            lua_pop(L, 1);
            lua_getfield(L, idx, nm ? nm : "");
            if (!nm || lua_isnil(L, -1))
                luaL_error(L, "%s: 'order[%d]' is not a name of 'over'", fn, j + 1);
            lua_pop(L, 1);
            for (int i = 0; i < k; i++)
                if (strcmp(names[i], nm) == 0) {
                    const char *t = names[i];
                    names[i] = names[j];
                    names[j] = t;
                }
        }
    } else {
        qsort(names, (size_t)k, sizeof names[0], cmp_name);
    }
    s->k = k;
    for (int j = 0; j < k; j++) {
        if (strlen(names[j]) >= SP_OVERRIDE_NAME_MAX)
            luaL_error(L, "%s: the name '%s' is longer than %d bytes", fn, names[j],
                       SP_OVERRIDE_NAME_MAX - 1);
        strcpy(s->names[j], names[j]);
        lua_getfield(L, idx, names[j]);
        if (lua_type(L, -1) != LUA_TTABLE)
            luaL_error(L, "%s: over.%s must be a list of numbers, got %s", fn, names[j],
                       sp_l_typename(L, -1));
        lua_Integer n = luaL_len(L, -1);
        if (n < 1)
            luaL_error(L, "%s: over.%s is empty (give at least one value)", fn, names[j]);
        if (n > SP_SWEEP_MAX_POINTS)
            luaL_error(L, "%s: over.%s has more than %d values", fn, names[j], SP_SWEEP_MAX_POINTS);
        s->values[j] = malloc((size_t)n * sizeof(double));
        if (!s->values[j])
            luaL_error(L, "%s: out of memory", fn);
        s->counts[j] = (int)n;
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, -1, i);
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "%s: over.%s[%I] must be a number, got %s", fn, names[j],
                           (LUAI_UACINT)i, sp_l_typename(L, -1));
            double v = lua_tonumber(L, -1);
            if (!isfinite(v))
                luaL_error(L, "%s: over.%s[%I] must be a finite number, got %s", fn, names[j],
                           (LUAI_UACINT)i, lua_tostring(L, -1));
            s->values[j][i - 1] = v;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

/* sp.sweep{ experiment = exp | function(point), over = { name = { values } },
 *           order = { names } } -> sweep */
static int l_sweep_new(lua_State *L)
{
    static const char *const keys[] = {"experiment", "over", "order", NULL};
    const char *fn = "sp.sweep";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    if (lua_getfield(L, 1, "experiment") == LUA_TNIL) /* 2 */
        return luaL_error(L, "%s: 'experiment' is required (an experiment, or a function(point) "
                             "returning one)", fn);
    if (lua_type(L, 2) != LUA_TFUNCTION)
        sp_l_experiment_def(L, 2, fn); /* checks the type */
    if (lua_getfield(L, 1, "over") == LUA_TNIL) /* 3 */
        return luaL_error(L, "%s: 'over' is required (e.g. over = { mpc_poor_htm = { 0.3, 0.5 } })",
                          fn);
    int has_order = lua_getfield(L, 1, "order") != LUA_TNIL; /* 4 */

    l_sweep *s = lua_newuserdatauv(L, sizeof *s, 2); /* 5 */
    memset(s, 0, sizeof *s);
    luaL_setmetatable(L, SP_L_SWEEP);
    read_over(L, 3, has_order ? 4 : 0, s, fn);
    sp_grid g = grid_of(s);
    sp_err err;
    sp_err_clear(&err);
    int np = sp_grid_points(&g, &err);
    if (np < 0)
        return luaL_error(L, "%s: %s", fn, err.msg);
    const char *names[SP_SWEEP_MAX_NAMES];
    for (int j = 0; j < s->k; j++)
        names[j] = s->names[j];
    sp_l_point pt;
    sp_l_point_setup(L, 2, names, s->k, fn, &pt);
    if (!pt.function) { /* every point's results cube is kept */
        sp_experiment_def def = sp_l_experiment_def(L, 2, fn);
        double cube = (double)def.npackages * def.replicates * def.months * SP_NGROUP *
                      SP_NMETRIC * sizeof(double);
        sp_l_need_memory(L, fn, "the results of every point", cube * np);
    }
    lua_createtable(L, np, 0); /* 6: the points' results */
    for (int i = 0; i < np; i++) {
        sp_grid_point(&g, i, pt.x);
        if (sp_l_point_eval(L, &pt, 2, 0) != LUA_OK) {
            char label[512];
            sp_grid_label(&g, i, label, sizeof label);
            return luaL_error(L, "%s: point %d (%s): %s", fn, i + 1, label, lua_tostring(L, -1));
        }
        lua_pop(L, 1); /* the value (nil) */
        lua_seti(L, 6, i + 1);
    }
    lua_setiuservalue(L, 5, 1);
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, 5, 2);
    s->npoints = np;
    lua_settop(L, 5);
    return 1;
}

/* The results of point i (1-based) of the sweep at 1: pushed; returns them. */
static const sp_results *point_results(lua_State *L, int i)
{
    lua_getiuservalue(L, 1, 1);
    lua_geti(L, -1, i);
    lua_remove(L, -2);
    return *(sp_results **)lua_touserdata(L, -1);
}

/* sw:results(i) -> the results of point i */
static int l_results(lua_State *L)
{
    const char *fn = "sweep:results";
    l_sweep *s = check_sweep(L, 1, fn);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || i > s->npoints)
        return luaL_error(L, "%s: point must be between 1 and %d, got %I", fn, s->npoints,
                          (LUAI_UACINT)i);
    point_results(L, (int)i);
    return 1;
}

/* sw:points() -> { { name = value, ... }, ... } */
static int l_points(lua_State *L)
{
    l_sweep *s = check_sweep(L, 1, "sweep:points");
    sp_grid g = grid_of(s);
    lua_createtable(L, s->npoints, 0);
    for (int i = 0; i < s->npoints; i++) {
        double x[SP_SWEEP_MAX_NAMES];
        sp_grid_point(&g, i, x);
        lua_createtable(L, 0, s->k);
        for (int j = 0; j < s->k; j++) {
            lua_pushnumber(L, x[j]);
            lua_setfield(L, -2, s->names[j]);
        }
        lua_seti(L, -2, i + 1);
    }
    return 1;
}

/* The points' results as an array (the handles stay in user value 1). */
static const sp_results **all_results(lua_State *L, const l_sweep *s)
{
    const sp_results **r = lua_newuserdatauv(L, (size_t)s->npoints * sizeof *r, 0);
    for (int i = 0; i < s->npoints; i++) {
        r[i] = point_results(L, i + 1);
        lua_pop(L, 1);
    }
    return r;
}

/* The objective of sw:table{...} / sw:report(path, {...}) from the table at idx. */
static void read_view(lua_State *L, int idx, const char *fn, sp_objective *o,
                      const sp_results *first, const char *const *extra)
{
    static const char *const base[] = {"metric", "group", "package", "from", "to", "diff", "unit"};
    const char *keys[16];
    int n = 0;
    for (size_t k = 0; k < sizeof base / sizeof base[0]; k++)
        keys[n++] = base[k];
    for (int k = 0; extra && extra[k]; k++)
        keys[n++] = extra[k];
    keys[n] = NULL;
    sp_l_objective obj;
    if (idx && !lua_isnoneornil(L, idx)) {
        sp_l_checkargs(L, idx, fn);
        sp_l_checkkeys(L, idx, fn, keys, 0);
        /* The objective reader checks its own keys: give it a copy without the extras. */
        lua_createtable(L, 0, 8);
        for (size_t k = 0; k < sizeof base / sizeof base[0]; k++) {
            lua_getfield(L, idx, base[k]);
            lua_setfield(L, -2, base[k]);
        }
        sp_l_read_objective(L, -1, fn, "view", 0, &obj);
        lua_pop(L, 1);
    } else {
        sp_l_read_objective(L, 0, fn, "view", 0, &obj);
    }
    *o = obj.o;
    if (obj.package[0]) {
        o->package = sp_results_package(first, obj.package);
        if (o->package < 0)
            luaL_error(L, "%s: unknown package '%s'", fn, obj.package);
    }
}

/* sw:table{ metric =, group =, package =, from =, to =, diff =, unit = } -> table */
static int l_table(lua_State *L)
{
    const char *fn = "sweep:table";
    l_sweep *s = check_sweep(L, 1, fn);
    lua_settop(L, 2);
    const sp_results **r = all_results(L, s);
    sp_objective o;
    read_view(L, 2, fn, &o, r[0], NULL);
    sp_grid g = grid_of(s);
    point_results(L, 1); /* provenance of the table: the first point */
    sp_table **slot = sp_l_newtable(L, -1);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_sweep_table(&g, r, &o, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

/* sw:report(path, { title =, metric =, ... }): an HTML report with the sweep's
 * table and its line chart (x axis: the first name). true, or nil and a
 * message. */
static int l_report(lua_State *L)
{
    static const char *const extra[] = {"title", NULL};
    const char *fn = "sweep:report";
    l_sweep *s = check_sweep(L, 1, fn);
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
        return luaL_error(L, "%s: the path must be a non-empty string, got %s", fn,
                          sp_l_typename(L, 2));
    int opts = lua_isnoneornil(L, 3) ? 0 : 3;
    lua_settop(L, 3);
    const sp_results **r = all_results(L, s); /* at 4 */
    sp_objective o;
    read_view(L, opts, fn, &o, r[0], extra);
    const char *title = opts ? sp_l_getstring(L, 3, fn, "title", "spendsim sweep")
                             : "spendsim sweep";
    const sp_l_host *host = sp_l_host_get(L);
    char file[SP_L_PATH_MAX + 8], msg[SP_ERR_MSG_MAX + SP_L_PATH_MAX];
    sp_l_out_path(L, fn, lua_tostring(L, 2), file, SP_L_PATH_MAX);
    size_t len = strlen(file);
    if (len < 5 || strcmp(file + len - 5, ".html") != 0)
        strcat(file, ".html");
    if (host->dry_run) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (sp_l_mkparents(file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    sp_grid g = grid_of(s);
    sp_err err;
    sp_err_clear(&err);
    sp_table *t = sp_sweep_table(&g, r, &o, &err);
    sp_table *c = t ? sp_sweep_chart_table(&g, r, &o, &err) : NULL;
    int rc = c ? SP_OK : err.code;
    if (rc == SP_OK) {
        lua_getfield(L, LUA_REGISTRYINDEX, SP_L_SCENARIO_TEXT);
        sp_l_prov prov;
        sp_l_provenance(L, r[0], &prov);
        sp_chart chart = {NULL, c, sp_metric_name(o.metric)};
        sp_report rep;
        memset(&rep, 0, sizeof rep);
        rep.title = title;
        rep.charts = &chart;
        rep.ncharts = 1;
        const sp_table *tables[1] = {t};
        rep.tables = tables;
        rep.ntables = 1;
        rep.scenario_name = host->scenario[0] ? host->scenario : NULL;
        rep.scenario_text = lua_tostring(L, -1);
        rep.provenance = prov.kv;
        rep.nprovenance = prov.n;
        rc = sp_report_write_html(&rep, file, &err);
    }
    sp_table_free(t);
    sp_table_free(c);
    if (rc == SP_OK && sp_l_manifest_add(L, r[0], file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    if (rc != SP_OK) {
        luaL_pushfail(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_len(lua_State *L)
{
    lua_pushinteger(L, check_sweep(L, 1, "#sweep")->npoints);
    return 1;
}

/* sw.names: the swept names in grid order. */
static int l_index(lua_State *L)
{
    if (lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2)) != LUA_TNIL)
        return 1;
    const char *key = lua_tostring(L, 2);
    if (strcmp(key, "names") == 0) {
        l_sweep *s = check_sweep(L, 1, "sweep.names");
        lua_createtable(L, s->k, 0);
        for (int j = 0; j < s->k; j++) {
            lua_pushstring(L, s->names[j]);
            lua_seti(L, -2, j + 1);
        }
        return 1;
    }
    return luaL_error(L, "sweep: no field or method '%s'", key);
}

static int l_release(lua_State *L)
{
    l_sweep *s = luaL_checkudata(L, 1, SP_L_SWEEP);
    for (int j = 0; j < SP_SWEEP_MAX_NAMES; j++) {
        free(s->values[j]);
        s->values[j] = NULL;
    }
    s->npoints = 0;
    return 0;
}

static int l_tostring(lua_State *L)
{
    l_sweep *s = luaL_checkudata(L, 1, SP_L_SWEEP);
    if (s->npoints == 0) {
        lua_pushliteral(L, "sweep (closed)");
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "sweep: %d points over ", s->npoints);
    luaL_addvalue(&b);
    for (int j = 0; j < s->k; j++) {
        luaL_addstring(&b, j ? ", " : "");
        luaL_addstring(&b, s->names[j]);
    }
    luaL_pushresult(&b);
    return 1;
}

void sp_l_open_sweep(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{"results", l_results},
                                       {"points", l_points},
                                       {"table", l_table},
                                       {"report", l_report},
                                       {NULL, NULL}};
    sp_l_newclass(L, SP_L_SWEEP, methods, l_index, l_release, l_tostring);
    luaL_getmetatable(L, SP_L_SWEEP);
    lua_pushcfunction(L, l_len);
    lua_setfield(L, -2, "__len");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_sweep_new);
    lua_setfield(L, module, "sweep");
}
