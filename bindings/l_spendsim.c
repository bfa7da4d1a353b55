/* l_spendsim.c: luaopen_spendsim, the host settings and the handle helpers
 * shared by the binding files (see l_spendsim.h). */
#if defined(__linux__)
#endif

#include "l_spendsim.h"

#include <string.h>

#include "l_analysis.h"
#include "l_args.h"
#include "l_evaluate.h"
#include "prelude.h"
#include "version.h"

const sp_l_host *sp_l_host_get(lua_State *L)
{
    static const sp_l_host defaults; /* all zero: module use */
    const sp_l_host *h = NULL;
    if (lua_getfield(L, LUA_REGISTRYINDEX, SP_L_HOST) == LUA_TUSERDATA)
        h = lua_touserdata(L, -1); /* anchored in the registry */
    lua_pop(L, 1);
    return h ? h : &defaults;
}

sp_l_host *sp_l_host_install(lua_State *L)
{
    sp_l_host *h;
    if (lua_getfield(L, LUA_REGISTRYINDEX, SP_L_HOST) == LUA_TUSERDATA) {
        h = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return h;
    }
    lua_pop(L, 1);
    h = lua_newuserdatauv(L, sizeof *h, 0);
    memset(h, 0, sizeof *h);
    lua_setfield(L, LUA_REGISTRYINDEX, SP_L_HOST);
    return h;
}

void **sp_l_newhandle(lua_State *L, const char *tname, int nuv)
{
    void **slot = lua_newuserdatauv(L, sizeof(void *), nuv);
    *slot = NULL;
    luaL_setmetatable(L, tname);
    return slot;
}

void *sp_l_checkhandle(lua_State *L, int idx, const char *tname, const char *fname,
                       const char *what)
{
    void **slot = luaL_testudata(L, idx, tname);
    if (!slot)
        luaL_error(L, "%s: %s expected, got %s", fname, what, sp_l_typename(L, idx));
    if (!*slot)
        luaL_error(L, "%s: the %s is closed", fname, what);
    return *slot;
}

void sp_l_newclass(lua_State *L, const char *tname, const luaL_Reg *methods, lua_CFunction index,
                   lua_CFunction release, lua_CFunction tostring)
{
    luaL_newmetatable(L, tname);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    if (index)
        lua_pushcclosure(L, index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, release);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, release);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "spendsim");
    lua_setfield(L, -2, "__metatable"); /* getmetatable() cannot swap the methods */
    lua_pop(L, 1);
}

int luaopen_spendsim(lua_State *L)
{
    sp_init();
    sp_err env_err;
    if (sp_simd_check_env(&env_err) != SP_OK)
        return luaL_error(L, "spendsim: %s", env_err.msg);
    lua_newtable(L);
    int m = lua_gettop(L);
    lua_pushliteral(L, SP_VERSION);
    lua_setfield(L, m, "version");
    lua_pushliteral(L, SP_GIT_REV);
    lua_setfield(L, m, "git_revision");
    sp_l_open_population(L, m);
    sp_l_open_package(L, m);
    sp_l_open_measures(L, m);
    sp_l_open_params(L, m);
    sp_l_open_experiment(L, m);
    sp_l_open_macro(L, m);
    sp_l_open_results(L);
    sp_l_open_table(L, m);
    sp_l_open_sweep(L, m);     /* sp.sweep, sp.solve, sp.decompose (l_analysis.h) */
    sp_l_open_solve(L, m);
    sp_l_open_decompose(L, m);
    sp_l_open_calibrate(L, m);
    sp_l_open_sensitivity(L, m);

    /* The prelude's private table, shared with the CLI through the registry. */
    if (lua_getfield(L, LUA_REGISTRYINDEX, SP_L_INTERNAL) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, SP_L_INTERNAL);
    }
    int internal = lua_gettop(L);
    if (luaL_loadbufferx(L, sp_prelude_lua, strlen(sp_prelude_lua), "=[spendsim prelude]", "t") !=
        LUA_OK)
        return lua_error(L);
    lua_pushvalue(L, m);
    lua_pushvalue(L, internal);
    lua_call(L, 2, 0);
    lua_settop(L, m);
    return 1;
}
