/* l_package.c: the package handle, sp.package{ name = ..., measure, ... } and
 * package:with{ name = ..., measure, ... }.
 *
 * A package handle owns an sp_package. Named keys configure the package;
 * positional entries are its measures (values made by sp.voucher{...}),
 * copied into the package in order. Measure names must be unique in a
 * package (the core says which one repeats). A package is immutable once
 * made: package:with builds a new one from a copy of its measures. */
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

#define WHAT "package"

static sp_package *check(lua_State *L, const char *fname)
{
    return sp_l_checkhandle(L, 1, SP_L_PACKAGE, fname, WHAT);
}

/* Adds the measure at stack index idx (positional entry `entry`) to pkg.
 * Raises on error; the package is then unchanged (and still owned by its
 * handle, so nothing leaks). */
static void add_measure(lua_State *L, sp_package *pkg, int idx, lua_Integer entry,
                        const char *fname)
{
    const sp_l_voucher *v = luaL_testudata(L, idx, SP_L_VOUCHER);
    if (!v)
        luaL_error(L, "%s: entry %I is not a measure (got %s)", fname, (LUAI_UACINT)entry,
                   sp_l_typename(L, idx));
    sp_err err;
    sp_err_clear(&err);
    if (sp_package_add_voucher(pkg, v->name, &v->def, &err) != SP_OK)
        luaL_error(L, "%s: entry %I: %s", fname, (LUAI_UACINT)entry, err.msg);
}

/* Adds the n positional entries of the argument table at idx to the package
 * of the handle on top of the stack. */
static void add_measures(lua_State *L, int idx, lua_Integer n, const char *fname)
{
    sp_package *pkg = *(sp_package **)lua_touserdata(L, -1);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, idx, k);
        add_measure(L, pkg, lua_gettop(L), k, fname);
        lua_pop(L, 1);
    }
}

/* sp.package{ name = "Status quo", measure, ... } */
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
    add_measures(L, 1, n, fn);
    return 1;
}

/* pkg:with{ name = "Plan B", measure, ... } -> a new package holding pkg's
 * measures followed by the new ones. */
static int l_with(lua_State *L)
{
    static const char *const keys[] = {"name", NULL};
    const char *fn = "package:with";
    const sp_package *base = check(L, fn);
    sp_l_checkargs(L, 2, fn);
    lua_Integer n = sp_l_checkkeys(L, 2, fn, keys, 1);
    const char *name = sp_l_getstring(L, 2, fn, "name", NULL);
    if (!name)
        return luaL_error(L, "%s: 'name' is required (the new package's name, e.g. "
                             "name = \"Plan B\")", fn);

    void **slot = sp_l_newhandle(L, SP_L_PACKAGE, 0);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_package_derive(base, name, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    add_measures(L, 2, n, fn);
    return 1;
}

/* pkg:measures() -> { "measure name", ... } in package order. */
static int l_measures(lua_State *L)
{
    const sp_package *p = check(L, "package:measures");
    lua_createtable(L, p->nmeasures, 0);
    for (int k = 0; k < p->nmeasures; k++) {
        lua_pushstring(L, p->measures[k].name);
        lua_seti(L, -2, k + 1);
    }
    return 1;
}

/* #pkg: number of measures. */
static int l_len(lua_State *L)
{
    lua_pushinteger(L, check(L, "#package")->nmeasures);
    return 1;
}

static int l_release(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_PACKAGE);
    sp_package_free(*slot);
    *slot = NULL;
    return 0;
}

/* __index: methods (upvalue 1), then the field `name`. */
static int l_index(lua_State *L)
{
    if (lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2)) != LUA_TNIL)
        return 1;
    const char *key = lua_tostring(L, 2);
    if (strcmp(key, "name") == 0) {
        sp_package *p = sp_l_checkhandle(L, 1, SP_L_PACKAGE, "package.name", WHAT);
        lua_pushstring(L, p->name);
        return 1;
    }
    return luaL_error(L, "package: no field or method '%s'", key);
}

/* tostring(pkg): "package: Status quo", or "package: Plan (measures: a, b)". */
static int l_tostring(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_PACKAGE);
    const sp_package *p = *slot;
    if (!p) {
        lua_pushliteral(L, "package (closed)");
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "package: ");
    luaL_addstring(&b, p->name);
    for (int k = 0; k < p->nmeasures; k++) {
        luaL_addstring(&b, k == 0 ? " (measures: " : ", ");
        luaL_addstring(&b, p->measures[k].name);
    }
    if (p->nmeasures > 0)
        luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    return 1;
}

void sp_l_open_package(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{"with", l_with}, {"measures", l_measures}, {NULL, NULL}};
    sp_l_newclass(L, SP_L_PACKAGE, methods, l_index, l_release, l_tostring);
    luaL_getmetatable(L, SP_L_PACKAGE);
    lua_pushcfunction(L, l_len);
    lua_setfield(L, -2, "__len");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_package);
    lua_setfield(L, module, "package");
}
