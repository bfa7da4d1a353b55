/* l_params.c: parameter uncertainty in Lua (binding of core/params.c).
 *
 * sp.normal(mean, sd) and sp.uniform(low, high) return immutable values of
 * type "distribution" that sp.experiment{ params = { name = dist } } accepts
 * in place of a number: the parameter is then drawn once per replicate from
 * the replicate's keyed stream (core: sp_params_draw). The parameter's range
 * is checked when the experiment is defined, where its name is known. */
#include <math.h>

#include "l_args.h"
#include "l_spendsim.h"

typedef struct l_dist {
    sp_dist_kind kind;
    double a, b;
} l_dist;

static double checkfinite(lua_State *L, int idx, const char *fn, const char *what)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_error(L, "%s: %s must be a number, got %s", fn, what, sp_l_typename(L, idx));
    double v = lua_tonumber(L, idx);
    if (!isfinite(v))
        luaL_error(L, "%s: %s must be finite", fn, what);
    return v;
}

static int newdist(lua_State *L, sp_dist_kind kind, double a, double b)
{
    l_dist *d = lua_newuserdatauv(L, sizeof *d, 0);
    d->kind = kind;
    d->a = a;
    d->b = b;
    luaL_setmetatable(L, SP_L_DIST);
    return 1;
}

/* sp.normal(mean, sd): sd > 0; draws are truncated to the parameter's range. */
static int l_normal(lua_State *L)
{
    double m = checkfinite(L, 1, "sp.normal", "mean");
    double sd = checkfinite(L, 2, "sp.normal", "sd");
    if (!(sd > 0))
        luaL_error(L, "sp.normal: sd must be positive, got %f", sd);
    return newdist(L, SP_DIST_NORMAL, m, sd);
}

/* sp.uniform(low, high): low < high. */
static int l_uniform(lua_State *L)
{
    double lo = checkfinite(L, 1, "sp.uniform", "low");
    double hi = checkfinite(L, 2, "sp.uniform", "high");
    if (!(lo < hi))
        luaL_error(L, "sp.uniform: low must be below high, got %f and %f", lo, hi);
    return newdist(L, SP_DIST_UNIFORM, lo, hi);
}

int sp_l_todist(lua_State *L, int idx, sp_param_dist *out)
{
    const l_dist *d = luaL_testudata(L, idx, SP_L_DIST);
    if (!d)
        return 0;
    out->kind = d->kind;
    out->a = d->a;
    out->b = d->b;
    return 1;
}

static int l_tostring(lua_State *L)
{
    const l_dist *d = luaL_checkudata(L, 1, SP_L_DIST);
    lua_pushfstring(L, "%s(%f, %f)", d->kind == SP_DIST_NORMAL ? "normal" : "uniform", d->a, d->b);
    return 1;
}

static int l_release(lua_State *L)
{
    (void)L; /* owns nothing */
    return 0;
}

void sp_l_open_params(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{NULL, NULL}};
    sp_l_newclass(L, SP_L_DIST, methods, NULL, l_release, l_tostring);
    lua_pushcfunction(L, l_normal);
    lua_setfield(L, module, "normal");
    lua_pushcfunction(L, l_uniform);
    lua_setfield(L, module, "uniform");
}
