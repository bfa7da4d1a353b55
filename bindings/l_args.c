/* l_args.c: readers of named-argument tables (see l_args.h). */
#include "l_args.h"

#include <math.h>
#include <string.h>

const char *sp_l_typename(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TUSERDATA && luaL_getmetafield(L, idx, "__name") == LUA_TSTRING) {
        const char *name = lua_tostring(L, -1);
        lua_pop(L, 1); /* the metatable still holds the string */
        if (strncmp(name, "spendsim.", 9) == 0)
            return name + 9;
        return name;
    }
    return luaL_typename(L, idx);
}

void sp_l_checkargs(lua_State *L, int idx, const char *fname)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: expected a table of named arguments, got %s", fname,
                   sp_l_typename(L, idx));
}

/* Pushes "a, b, c" for a NULL-terminated list. */
static void push_list(lua_State *L, const char *const names[])
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int k = 0; names[k]; k++) {
        if (k > 0)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, names[k]);
    }
    luaL_pushresult(&b);
}

lua_Integer sp_l_checkkeys(lua_State *L, int idx, const char *fname, const char *const keys[],
                           int positional)
{
    idx = lua_absindex(L, idx);
    lua_Integer npos = 0, maxpos = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1); /* the value */
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *key = lua_tostring(L, -1);
            int known = 0;
            for (int k = 0; keys[k] && !known; k++)
                known = strcmp(keys[k], key) == 0;
            if (!known) {
                push_list(L, keys);
                luaL_error(L, "%s: unknown key '%s' (valid keys: %s)", fname, key,
                           lua_tostring(L, -1));
            }
        } else if (lua_isinteger(L, -1)) {
            lua_Integer i = lua_tointeger(L, -1);
            if (!positional)
                luaL_error(L, "%s: unexpected positional entry %I (arguments are named: key = value)",
                           fname, (LUAI_UACINT)i);
            npos++;
            if (i > maxpos)
                maxpos = i;
        } else {
            luaL_error(L, "%s: unexpected key of type %s (arguments are named: key = value)", fname,
                       luaL_typename(L, -1));
        }
    }
    if (npos != maxpos) /* keys like [5] = x, or a hole */
        luaL_error(L, "%s: positional entries must be 1..n without holes", fname);
    return npos;
}

int sp_l_has(lua_State *L, int idx, const char *key)
{
    int t = lua_getfield(L, idx, key);
    lua_pop(L, 1);
    return t != LUA_TNIL;
}

/* Raises the type error for key, describing the value on top of the stack. */
static int type_error(lua_State *L, const char *fname, const char *key, const char *expected)
{
    if (lua_type(L, -1) == LUA_TNUMBER)
        return luaL_error(L, "%s: '%s' must be %s, got %s", fname, key, expected,
                          lua_tostring(L, -1));
    return luaL_error(L, "%s: '%s' must be %s, got %s", fname, key, expected,
                      sp_l_typename(L, -1));
}

lua_Integer sp_l_getinteger(lua_State *L, int idx, const char *fname, const char *key,
                            lua_Integer lo, lua_Integer hi, lua_Integer def)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    int isnum = 0;
    lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isnum) : 0;
    if (!isnum)
        type_error(L, fname, key, "an integer");
    if (v < lo || v > hi)
        luaL_error(L, "%s: '%s' must be between %I and %I, got %I", fname, key, (LUAI_UACINT)lo,
                   (LUAI_UACINT)hi, (LUAI_UACINT)v);
    lua_pop(L, 1);
    return v;
}

lua_Number sp_l_getnumber(lua_State *L, int idx, const char *fname, const char *key, lua_Number lo,
                          lua_Number hi, lua_Number def)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    if (lua_type(L, -1) != LUA_TNUMBER)
        type_error(L, fname, key, "a number");
    lua_Number v = lua_tonumber(L, -1);
    if (!isfinite(v) || v < lo || v > hi)
        luaL_error(L, "%s: '%s' must be between %f and %f, got %f", fname, key, lo, hi, v);
    lua_pop(L, 1);
    return v;
}

const char *sp_l_getstring(lua_State *L, int idx, const char *fname, const char *key,
                           const char *def)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    if (lua_type(L, -1) != LUA_TSTRING)
        type_error(L, fname, key, "a string");
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len) /* C would read only up to the NUL: refuse, do not truncate */
        luaL_error(L, "%s: '%s' contains a NUL byte at position %d", fname, key,
                   (int)strlen(s) + 1);
    lua_pop(L, 1); /* the table still references the string */
    return s;
}

int sp_l_getboolean(lua_State *L, int idx, const char *fname, const char *key, int def)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    if (lua_type(L, -1) != LUA_TBOOLEAN)
        type_error(L, fname, key, "a boolean (true or false)");
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

int sp_l_unknown(lua_State *L, const char *fname, const char *what, const char *name,
                 const char *(*name_of)(int), int n)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int k = 0; k < n; k++) {
        if (k > 0)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, name_of(k));
    }
    luaL_pushresult(&b);
    return luaL_error(L, "%s: unknown %s '%s' (valid: %s)", fname, what, name, lua_tostring(L, -1));
}

int sp_l_checkname(lua_State *L, const char *fname, const char *what, const char *name,
                   const char *(*name_of)(int), int n)
{
    for (int k = 0; k < n; k++)
        if (strcmp(name_of(k), name) == 0)
            return k;
    return sp_l_unknown(L, fname, what, name, name_of, n);
}
