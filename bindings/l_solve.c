/* l_solve.c: sp.solve{...}, goal-seek (binding of core/solve.h).
 *
 * sp.solve{ experiment = exp | function(point), parameter = name, lo =, hi =,
 *           target =, result = { ... } | function(res), tol =, max_iter = }
 * -> { value =, result =, iterations =, evaluations =, interval = { a, b },
 *      reach = { f(lo), f(hi) }, converged = true|false, parameter =, target = }
 * Every evaluation runs the experiment with its seed (common random
 * numbers); `parameter` is named as in sp.sweep (l_sweep.c). */
#include <math.h>
#include <string.h>

#include "l_analysis.h"
#include "l_args.h"

typedef struct solve_ctx {
    lua_State *L;
    sp_l_point pt;
    int exp, objfn;
    int keep;      /* stack slot holding the latest results handle */
} solve_ctx;

static int evaluate(void *ud, double x, double *y, sp_err *err)
{
    solve_ctx *c = ud;
    lua_State *L = c->L;
    c->pt.x[0] = x;
    if (sp_l_point_eval(L, &c->pt, c->exp, c->objfn) != LUA_OK) {
        int rc = sp_err_set(err, SP_EINVAL, "at %s = %g: %s", c->pt.names[0], x,
                            lua_tostring(L, -1));
        lua_pop(L, 1);
        return rc;
    }
    *y = lua_tonumber(L, -1);
    lua_pop(L, 1);
    lua_replace(L, c->keep); /* the results of the latest evaluation */
    return SP_OK;
}

static int l_solve(lua_State *L)
{
    static const char *const keys[] = {"experiment", "parameter", "lo",  "hi", "target",
                                       "result",     "tol",       "max_iter", NULL};
    const char *fn = "sp.solve";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    if (lua_getfield(L, 1, "experiment") == LUA_TNIL) /* 2 */
        return luaL_error(L, "%s: 'experiment' is required (an experiment, or a function(point) "
                             "returning one)", fn);
    if (lua_type(L, 2) != LUA_TFUNCTION)
        sp_l_experiment_def(L, 2, fn);
    const char *name = sp_l_getstring(L, 1, fn, "parameter", NULL);
    if (!name)
        return luaL_error(L, "%s: 'parameter' is required (a model parameter, a measure key "
                             "\"package/measure.key\", or a name the experiment function reads)",
                          fn);
    if (!name[0])
        return luaL_error(L, "%s: 'parameter' must not be empty", fn);
    static const char *const required[] = {"lo", "hi", "target"};
    for (int k = 0; k < 3; k++)
        if (!sp_l_has(L, 1, required[k]))
            return luaL_error(L, "%s: '%s' is required", fn, required[k]);
    sp_solve_def d = sp_solve_def_default();
    d.lo = sp_l_getnumber(L, 1, fn, "lo", -HUGE_VAL, HUGE_VAL, 0);
    d.hi = sp_l_getnumber(L, 1, fn, "hi", -HUGE_VAL, HUGE_VAL, 0);
    if (!(d.lo < d.hi))
        return luaL_error(L, "%s: 'lo' must be below 'hi', got lo = %s, hi = %s", fn,
                          sp_l_shown(L, d.lo), sp_l_shown(L, d.hi));
    d.target = sp_l_getnumber(L, 1, fn, "target", -HUGE_VAL, HUGE_VAL, 0);
    d.tol = sp_l_getnumber(L, 1, fn, "tol", 0, HUGE_VAL, (d.hi - d.lo) * 1e-6);
    if (!(d.tol > 0))
        return luaL_error(L, "%s: 'tol' must be more than 0, got 0", fn);
    d.max_iter = (int)sp_l_getinteger(L, 1, fn, "max_iter", 1, 1000, 100);
    d.name = name;

    solve_ctx c;
    memset(&c, 0, sizeof c);
    c.L = L;
    lua_getfield(L, 1, "result"); /* 3 */
    sp_l_objective obj;
    sp_l_read_objective(L, 3, fn, "result", 1, &obj);
    c.exp = 2;
    c.objfn = 3;
    lua_pushnil(L); /* 4: the latest results */
    c.keep = 4;
    const char *names[1] = {name};
    sp_l_point_setup(L, 2, names, 1, fn, &c.pt);
    c.pt.obj = &obj;
    d.f = evaluate;
    d.ud = &c;

    sp_solve_result r;
    sp_err err;
    sp_err_clear(&err);
    if (sp_l_host_get(L)->dry_run) { /* check mode: one evaluation checks the point */
        double y;
        if (evaluate(&c, d.lo, &y, &err) != SP_OK)
            return luaL_error(L, "%s: %s", fn, err.msg);
        memset(&r, 0, sizeof r);
        r.x = r.lo = r.hi = d.lo;
    } else if (sp_solve(&d, &r, &err) != SP_OK) {
        return luaL_error(L, "%s: %s", fn, err.msg);
    }
    lua_createtable(L, 0, 9);
    lua_pushnumber(L, r.x);
    lua_setfield(L, -2, "value");
    lua_pushnumber(L, r.y);
    lua_setfield(L, -2, "result");
    lua_pushinteger(L, r.iterations);
    lua_setfield(L, -2, "iterations");
    lua_pushinteger(L, r.evaluations);
    lua_setfield(L, -2, "evaluations");
    lua_createtable(L, 2, 0);
    lua_pushnumber(L, r.lo);
    lua_seti(L, -2, 1);
    lua_pushnumber(L, r.hi);
    lua_seti(L, -2, 2);
    lua_setfield(L, -2, "interval");
    lua_createtable(L, 2, 0);
    lua_pushnumber(L, r.f_lo);
    lua_seti(L, -2, 1);
    lua_pushnumber(L, r.f_hi);
    lua_seti(L, -2, 2);
    lua_setfield(L, -2, "reach");
    lua_pushboolean(L, r.converged);
    lua_setfield(L, -2, "converged");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "parameter");
    lua_pushnumber(L, d.target);
    lua_setfield(L, -2, "target");
    return 1;
}

void sp_l_open_solve(lua_State *L, int module)
{
    lua_pushcfunction(L, l_solve);
    lua_setfield(L, module, "solve");
}
