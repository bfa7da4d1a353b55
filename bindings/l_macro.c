/* l_macro.c: sp.macro{...}, sp.macro.beijing{...}, sp.macro.neutral{...}.
 *
 * A macro value holds an sp_macro_def by value (core/macro.h) and owns no core
 * memory; an experiment that uses it keeps the value alive. Values are
 * immutable. Series are read as a number (every month), a list (one value a
 * month from `from`) or a table keyed by "YYYY-MM"; cpi and shock may also be
 * keyed by category name or "all". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

#define MACRO_FN "sp.macro"

static sp_macro_def *newmacro(lua_State *L)
{
    sp_macro_def *d = lua_newuserdatauv(L, sizeof *d, 0);
    luaL_setmetatable(L, SP_L_MACRO);
    return d;
}

/* Calendar month of the string at idx, or raises naming what it is. */
static int month_at(lua_State *L, int idx, const char *what)
{
    int m;
    sp_err err;
    sp_err_clear(&err);
    if (lua_type(L, idx) != LUA_TSTRING || sp_month_parse(lua_tostring(L, idx), &m, &err) != SP_OK)
        luaL_error(L, "%s: %s: %s", MACRO_FN, what,
                   err.msg[0] ? err.msg : "expected a month \"YYYY-MM\"");
    return m;
}

/* The number at idx, or raises "<what> must be a number". */
static double number_at(lua_State *L, int idx, const char *what)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_error(L, "%s: %s must be a number, got %s", MACRO_FN, what, sp_l_typename(L, idx));
    return lua_tonumber(L, idx);
}

/* Writes one series' values at stride `stride` into out[k * stride] for
 * each month k of d, from the value at idx: a number, a list or a month map.
 * Values not given stay NaN (the core reports the gap). */
static void read_values(lua_State *L, int idx, const sp_macro_def *d, double *out, int stride,
                        const char *what)
{
    char a[8], b[8], msg[160];
    for (int k = 0; k < d->months; k++)
        out[(size_t)k * stride] = NAN; /* this series' values: all given, or a gap */
    sp_month_format(d->first_month, a);
    sp_month_format(d->first_month + d->months - 1, b);
    if (lua_type(L, idx) == LUA_TNUMBER) {
        for (int k = 0; k < d->months; k++)
            out[(size_t)k * stride] = lua_tonumber(L, idx);
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: '%s' must be a number, a list or a table of \"YYYY-MM\" = number, got %s",
                   MACRO_FN, what, sp_l_typename(L, idx));
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n > d->months)
        luaL_error(L, "%s: '%s' has %I values but the path covers %d months (%s..%s): value %d is "
                      "outside its range", MACRO_FN, what, (LUAI_UACINT)n, d->months, a, b,
                   d->months + 1);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_rawgeti(L, idx, k);
        snprintf(msg, sizeof msg, "'%s[%d]'", what, (int)k);
        out[(size_t)(k - 1) * stride] = number_at(L, -1, msg);
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TNUMBER && lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1 &&
            lua_tointeger(L, -2) <= n) {
            lua_pop(L, 1);
            continue;
        }
        int m;
        if (lua_type(L, -2) != LUA_TSTRING || sp_month_parse(lua_tostring(L, -2), &m, NULL) != SP_OK)
            luaL_error(L, "%s: '%s': unknown key '%s' (valid: a month \"YYYY-MM\"%s)", MACRO_FN,
                       what, luaL_tolstring(L, -2, NULL),
                       strcmp(what, "income") ? "; for cpi and shock also all or a category: food, "
                                                "clothing, housing, household_goods, transport, "
                                                "education, health, other"
                                              : "");
        char ms[8];
        sp_month_format(m, ms);
        if (m < d->first_month || m >= d->first_month + d->months)
            luaL_error(L, "%s: '%s': month %s is outside the path's range %s..%s", MACRO_FN, what,
                       ms, a, b);
        snprintf(msg, sizeof msg, "'%s[\"%s\"]'", what, ms);
        out[(size_t)(m - d->first_month) * stride] = number_at(L, -1, msg);
        lua_pop(L, 1);
    }
    if (n > 0 && n < d->months) {
        char g[8];
        sp_month_format(d->first_month + (int)n, g);
        if (isnan(out[(size_t)n * stride]))
            luaL_error(L, "%s: '%s' has %I values for the %d months %s..%s: no value for %s (a gap)",
                       MACRO_FN, what, (LUAI_UACINT)n, d->months, a, b, g);
    }
}

/* A category name, "all" (-1), or -2 when the key is not one. */
static int category_key(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TSTRING)
        return -2;
    const char *s = lua_tostring(L, idx);
    return strcmp(s, "all") == 0 ? -1 : sp_category_find(s) >= 0 ? sp_category_find(s) : -2;
}

/* Reads cpi or shock (the value at idx) into out (d->cpi or d->shock): one
 * series for every category, or by category: "all" first, then each category
 * given (which replaces "all" for it); categories not given keep 1. */
static void read_by_category(lua_State *L, int idx, const sp_macro_def *d,
                             double (*out)[SP_NCAT], const char *what)
{
    int by_category = 0;
    if (lua_type(L, idx) == LUA_TTABLE) {
        lua_pushnil(L);
        if (lua_next(L, idx)) {
            by_category = category_key(L, -2) >= -1;
            lua_pop(L, 2);
        }
    }
    if (!by_category) {
        read_values(L, idx, d, &out[0][0], SP_NCAT, what);
        for (int k = 0; k < d->months; k++)
            for (int c = 1; c < SP_NCAT; c++)
                out[k][c] = out[k][0];
        return;
    }
    char name[64];
    if (lua_getfield(L, idx, "all") != LUA_TNIL) {
        snprintf(name, sizeof name, "%s.all", what);
        read_values(L, lua_gettop(L), d, &out[0][0], SP_NCAT, name);
        for (int k = 0; k < d->months; k++)
            for (int c = 1; c < SP_NCAT; c++)
                out[k][c] = out[k][0];
    }
    lua_pop(L, 1);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int c = category_key(L, -2);
        if (c == -2)
            luaL_error(L, "%s: '%s': unknown key '%s' (valid: all, a category: food, clothing, "
                          "housing, household_goods, transport, education, health, other)",
                       MACRO_FN, what, luaL_tolstring(L, -2, NULL));
        if (c >= 0) {
            snprintf(name, sizeof name, "%s.%s", what, sp_category_name(c));
            read_values(L, lua_gettop(L), d, &out[0][c], SP_NCAT, name);
        }
        lua_pop(L, 1);
    }
}

static void check(lua_State *L, const sp_macro_def *d, const char *fn)
{
    sp_err err;
    sp_err_clear(&err);
    if (sp_macro_validate(d, &err) != SP_OK)
        luaL_error(L, "%s: %s", fn, err.msg);
}

/* sp.macro{ name =, from = "YYYY-MM", to = "YYYY-MM", base_year = 2019,
 *           income =, cpi =, shock = }: series not given are 1. */
static int l_macro_new(lua_State *L)
{
    static const char *const keys[] = {"name", "from", "to", "base_year", "income", "cpi",
                                       "shock", NULL};
    sp_l_checkargs(L, 2, MACRO_FN); /* argument 1 is the sp.macro table (__call) */
    sp_l_checkkeys(L, 2, MACRO_FN, keys, 0);
    if (!sp_l_has(L, 2, "from") || !sp_l_has(L, 2, "to"))
        return luaL_error(L, "%s: 'from' and 'to' are required (e.g. from = \"2019-01\", to = "
                             "\"2021-12\")", MACRO_FN);
    lua_getfield(L, 2, "from");
    int first = month_at(L, -1, "'from'");
    lua_getfield(L, 2, "to");
    int last = month_at(L, -1, "'to'");
    lua_pop(L, 2);
    if (last < first || last - first + 1 > SP_MACRO_MAX_MONTHS)
        return luaL_error(L, "%s: 'to' must be 0..%d months after 'from'", MACRO_FN,
                          SP_MACRO_MAX_MONTHS - 1);
    int base = (int)sp_l_getinteger(L, 2, MACRO_FN, "base_year", 2000, 2100, 2019);
    const char *name = sp_l_getstring(L, 2, MACRO_FN, "name", "custom");
    sp_macro_def *d = newmacro(L);
    int ud = lua_gettop(L);
    sp_macro_def_neutral(d, first, last - first + 1, base);
    snprintf(d->label, sizeof d->label, "%s", name);
    if (lua_getfield(L, 2, "income") != LUA_TNIL)
        read_values(L, lua_gettop(L), d, d->income, 1, "income");
    lua_pop(L, 1);
    const char *series[] = {"cpi", "shock"};
    double (*dst[])[SP_NCAT] = {d->cpi, d->shock};
    for (int s = 0; s < 2; s++) {
        if (lua_getfield(L, 2, series[s]) != LUA_TNIL)
            read_by_category(L, lua_gettop(L), d, dst[s], series[s]);
        lua_pop(L, 1);
    }
    check(L, d, MACRO_FN);
    lua_settop(L, ud);
    return 1;
}

/* sp.macro.beijing{ shocks = true }: the default Beijing path 2019-2023. */
static int l_macro_beijing(lua_State *L)
{
    static const char *const keys[] = {"shocks", NULL};
    const char *fn = "sp.macro.beijing";
    if (lua_isnoneornil(L, 1))
        lua_newtable(L);
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    int shocks = sp_l_getboolean(L, 1, fn, "shocks", 1);
    sp_macro_def *d = newmacro(L);
    sp_err err;
    sp_err_clear(&err);
    if (sp_macro_beijing(d, shocks, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

/* sp.macro.neutral{ from =, to =, base_year = 2019 }: every factor 1. */
static int l_macro_neutral(lua_State *L)
{
    static const char *const keys[] = {"from", "to", "base_year", NULL};
    const char *fn = "sp.macro.neutral";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    const char *from = sp_l_getstring(L, 1, fn, "from", NULL);
    const char *to = sp_l_getstring(L, 1, fn, "to", NULL);
    if (!from || !to)
        return luaL_error(L, "%s: 'from' and 'to' are required", fn);
    int first, last;
    sp_err err;
    sp_err_clear(&err);
    if (sp_month_parse(from, &first, &err) != SP_OK || sp_month_parse(to, &last, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);
    if (last < first || last - first + 1 > SP_MACRO_MAX_MONTHS)
        return luaL_error(L, "%s: 'to' must be 0..%d months after 'from'", fn,
                          SP_MACRO_MAX_MONTHS - 1);
    int base = (int)sp_l_getinteger(L, 1, fn, "base_year", 2000, 2100, 2019);
    sp_macro_def *d = newmacro(L);
    sp_macro_def_neutral(d, first, last - first + 1, base);
    check(L, d, fn);
    return 1;
}

/* m:factor(month, category) -> the nominal spending factor (macro.h). */
static int l_factor(lua_State *L)
{
    const sp_macro_def *d = luaL_checkudata(L, 1, SP_L_MACRO);
    int m = month_at(L, 2, "macro:factor: month");
    const char *cat = luaL_checkstring(L, 3);
    int c = sp_category_find(cat);
    if (c < 0)
        return luaL_error(L, "macro:factor: unknown category '%s'", cat);
    if (sp_macro_covers(d, m, m, NULL) != SP_OK)
        return luaL_error(L, "macro:factor: month %s is outside the path's range",
                          lua_tostring(L, 2));
    lua_pushnumber(L, sp_macro_factor(d, m, c));
    return 1;
}

static int l_index(lua_State *L)
{
    const sp_macro_def *d = luaL_checkudata(L, 1, SP_L_MACRO);
    const char *k = luaL_checkstring(L, 2);
    char m[8];
    if (strcmp(k, "name") == 0)
        lua_pushstring(L, d->label);
    else if (strcmp(k, "from") == 0 || strcmp(k, "to") == 0) {
        sp_month_format(d->first_month + (k[0] == 't' ? d->months - 1 : 0), m);
        lua_pushstring(L, m);
    } else if (strcmp(k, "base_year") == 0)
        lua_pushinteger(L, d->base_year);
    else if (strcmp(k, "factor") == 0)
        lua_pushcfunction(L, l_factor);
    else
        return luaL_error(L, "macro: no field '%s' (fields: name, from, to, base_year, factor)", k);
    return 1;
}

static int l_release(lua_State *L)
{
    luaL_checkudata(L, 1, SP_L_MACRO); /* owns no core memory */
    return 0;
}

static int l_tostring(lua_State *L)
{
    const sp_macro_def *d = luaL_checkudata(L, 1, SP_L_MACRO);
    char a[8], b[8];
    sp_month_format(d->first_month, a);
    sp_month_format(d->first_month + d->months - 1, b);
    lua_pushfstring(L, "macro path \"%s\": %s..%s, base year %d", d->label, a, b, d->base_year);
    return 1;
}

void sp_l_open_macro(lua_State *L, int module)
{
    luaL_newmetatable(L, SP_L_MACRO);
    lua_pushcfunction(L, l_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_release);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "spendsim");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    lua_newtable(L); /* sp.macro: callable, with beijing and neutral */
    lua_pushcfunction(L, l_macro_beijing);
    lua_setfield(L, -2, "beijing");
    lua_pushcfunction(L, l_macro_neutral);
    lua_setfield(L, -2, "neutral");
    lua_newtable(L);
    lua_pushcfunction(L, l_macro_new);
    lua_setfield(L, -2, "__call");
    lua_setmetatable(L, -2);
    lua_setfield(L, module, "macro");
}
