/* l_package.c: the package handle and sp.package{ name = ..., measure, ... }.
 *
 * A package handle owns an sp_package. Named keys configure the package;
 * positional entries are its measures (none exist in this version: each one
 * is an error naming its position). */
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* Adds the measure at stack index idx (positional entry `entry`) to pkg.
 * Measure handles (sp.voucher{...}, ...) plug in here. Raises on error. */
static void add_measure(lua_State *L, sp_package *pkg, int idx, lua_Integer entry,
                        const char *fname)
{
    (void)pkg;
    (void)idx;
    luaL_error(L, "%s: measures are not available in this version (entry %I)", fname,
               (LUAI_UACINT)entry);
}

/* sp.package{ name = "Status quo" } */
static int l_package(lua_State *L)
{
    static const char *const keys[] = {"name", NULL};
    const char *fn = "sp.package";
    sp_l_checkargs(L, 1, fn);
    lua_Integer n = sp_l_checkkeys(L, 1, fn, keys, 1);
    const char *name = sp_l_getstring(L, 1, fn, "name", NULL);
    if (!name)
        return luaL_error(L, "%s: 'name' is required (e.g. name = \"Status quo\")", fn);

    void **slot = sp_l_newhandle(L, SP_L_PACKAGE, 0);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_package_alloc(name, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, 1, k);
        add_measure(L, *slot, lua_gettop(L), k, fn);
        lua_pop(L, 1);
    }
    return 1;
}

static int l_release(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_PACKAGE);
    sp_package_free(*slot);
    *slot = NULL;
    return 0;
}

/* __index: methods (upvalue 1), then the fields `name`. */
static int l_index(lua_State *L)
{
    if (lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2)) != LUA_TNIL)
        return 1;
    const char *key = lua_tostring(L, 2);
    if (strcmp(key, "name") == 0) {
        sp_package *p = sp_l_checkhandle(L, 1, SP_L_PACKAGE, "package.name", "package");
        lua_pushstring(L, p->name);
        return 1;
    }
    return luaL_error(L, "package: no field or method '%s'", key);
}

static int l_tostring(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_PACKAGE);
    const sp_package *p = *slot;
    if (p)
        lua_pushfstring(L, "package: %s", p->name);
    else
        lua_pushliteral(L, "package (closed)");
    return 1;
}

void sp_l_open_package(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{NULL, NULL}};
    sp_l_newclass(L, SP_L_PACKAGE, methods, l_index, l_release, l_tostring);
    lua_pushcfunction(L, l_package);
    lua_setfield(L, module, "package");
}
