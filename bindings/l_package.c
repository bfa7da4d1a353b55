/* l_package.c: the package handle, sp.package{ name = ..., measure, ... } and
 * package:with{ name = ..., measure, ... }, and the generic measure value.
 *
 * A package handle owns an sp_package. Named keys configure the package;
 * positional entries are its measures, copied into the package in order:
 * measure values of every kind (sp.voucher, sp.scrappage, sp.plates.
 * extra_quota, ...: one binding file per kind, listed in l_measures.c).
 * Measure names must be unique in a package and the kinds' own rules (at
 * most one plate regime, ...) hold: the core says which rule was broken. A
 * package is immutable once made: package:with builds a new one from a copy
 * of its measures.
 *
 * The measure value (SP_L_MEASURE, see l_spendsim.h) lives here because
 * packages are what consume it: one userdata type holding an sp_measure, so
 * adding any kind to a package is one call (sp_package_add_measure). Its
 * fields and description come from the kind's binding (sp_l_kind). The
 * readers sp_l_measure_* and writers sp_l_push_* are shared by the kinds. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

#define WHAT "package"

static sp_package *check(lua_State *L, const char *fname)
{
    return sp_l_checkhandle(L, 1, SP_L_PACKAGE, fname, WHAT);
}

/* ---- the measure value ---- */

const sp_l_kind *sp_l_kind_of(const sp_measure_ops *ops)
{
    for (int k = 0; sp_l_kinds[k]; k++)
        if (sp_l_kinds[k]->ops == ops)
            return sp_l_kinds[k];
    return NULL;
}

sp_l_measure *sp_l_newmeasure(lua_State *L, const sp_measure_ops *ops)
{
    sp_l_measure *lm = lua_newuserdatauv(L, sizeof *lm, 0);
    memset(lm, 0, sizeof *lm);
    lm->m.ops = ops;
    luaL_setmetatable(L, SP_L_MEASURE);
    return lm;
}

sp_l_measure *sp_l_tomeasure(lua_State *L, int idx)
{
    return luaL_testudata(L, idx, SP_L_MEASURE);
}

double sp_l_measure_number(lua_State *L, const char *fname, const char *key, double def)
{
    if (lua_getfield(L, 1, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    if (lua_type(L, -1) != LUA_TNUMBER)
        luaL_error(L, "%s: '%s' must be a number, got %s", fname, key, sp_l_typename(L, -1));
    double v = lua_tonumber(L, -1);
    if (!isfinite(v))
        luaL_error(L, "%s: '%s' must be a finite number, got %s", fname, key, lua_tostring(L, -1));
    if (fabs(v) > SP_L_MEASURE_NUMBER_MAX) /* sums of such values overflow to inf and NaN */
        luaL_error(L, "%s: '%s' = %s is out of range (at most 1e15 in size)", fname, key,
                   lua_tostring(L, -1));
    lua_pop(L, 1);
    return v;
}

void sp_l_measure_span(lua_State *L, const char *fn, int *start, int *end)
{
    if (!sp_l_measure_month(L, fn, "start", start))
        luaL_error(L, "%s: 'start' is required (the first month of the programme, e.g. "
                      "start = \"2020-07\")", fn);
    int he = sp_l_has(L, 1, "end"), hm = sp_l_has(L, 1, "months");
    if (he && hm)
        luaL_error(L, "%s: give the programme's length once: 'end' or 'months' (got both)", fn);
    if (!he && !hm)
        luaL_error(L, "%s: 'end' or 'months' is required (the last month, e.g. [\"end\"] = "
                      "\"2020-08\", or the number of months, e.g. months = 2)", fn);
    if (he) {
        sp_l_measure_month(L, fn, "end", end);
        if (*end < *start) {
            char a[8], b[8];
            sp_month_format(*end, a);
            sp_month_format(*start, b);
            luaL_error(L, "%s: 'end' %s is before 'start' %s", fn, a, b);
        }
    } else {
        lua_Integer n = sp_l_getinteger(L, 1, fn, "months", INT_MIN, INT_MAX, 1);
        if (n < 1 || n > 600)
            luaL_error(L, "%s: 'months' must be between 1 and 600, got %I", fn, (LUAI_UACINT)n);
        *end = *start + (int)n - 1;
    }
}

void sp_l_measure_check(lua_State *L, const char *fname, const sp_l_measure *lm)
{
    sp_err err;
    sp_err_clear(&err);
    if (lm->m.ops->validate(sp_measure_def(&lm->m), &err) != SP_OK)
        luaL_error(L, "%s: %s", fname, err.msg);
}

void sp_l_push_month(lua_State *L, int month)
{
    char m[8];
    sp_month_format(month, m);
    lua_pushstring(L, m);
}

void sp_l_push_filter(lua_State *L, const char *filter)
{
    if (filter[0])
        lua_pushstring(L, filter);
    else
        lua_pushnil(L);
}

const char *sp_l_num(char *buf, size_t n, double x)
{
    snprintf(buf, n, "%.15g", x);
    return buf;
}

const char *sp_l_shown(lua_State *L, double v) { return lua_pushfstring(L, "%f", (lua_Number)v); }

void sp_l_subtable(lua_State *L, int module, const char *name)
{
    if (lua_getfield(L, module, name) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, module, name);
}

int sp_l_measure_month(lua_State *L, const char *fname, const char *key, int *month)
{
    const char *s = sp_l_getstring(L, 1, fname, key, NULL);
    if (!s)
        return 0;
    sp_err err;
    sp_err_clear(&err);
    if (sp_month_parse(s, month, &err) != SP_OK)
        luaL_error(L, "%s: '%s': %s", fname, key, err.msg);
    return 1;
}

int sp_l_measure_day(lua_State *L, const char *fname, const char *key, int last, int *month, int *day)
{
    const char *s = sp_l_getstring(L, 1, fname, key, NULL);
    if (!s)
        return 0;
    size_t n = strlen(s);
    char m[8];
    int dd = 0;
    if (n == 10 && s[7] == '-' && s[8] >= '0' && s[8] <= '9' && s[9] >= '0' && s[9] <= '9')
        dd = (s[8] - '0') * 10 + (s[9] - '0');
    else if (n != 7)
        luaL_error(L, "%s: '%s' must be \"YYYY-MM-DD\" or \"YYYY-MM\", got \"%s\"", fname, key, s);
    memcpy(m, s, 7);
    m[7] = '\0';
    sp_err err;
    sp_err_clear(&err);
    if (sp_month_parse(m, month, &err) != SP_OK)
        luaL_error(L, "%s: '%s': %s", fname, key, err.msg);
    if (n == 7)
        dd = last ? sp_month_days(*month) : 1;
    if (dd < 1 || dd > sp_month_days(*month))
        luaL_error(L, "%s: '%s': the day must be 1..%d, got %d in \"%s\"", fname, key,
                   sp_month_days(*month), dd, s);
    *day = dd;
    return 1;
}

/* Category bit of one name (value at the top of the stack): "all" = every one. */
static unsigned category_bit(lua_State *L, const char *fn)
{
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "%s: 'categories' must list category names, got %s", fn, sp_l_typename(L, -1));
    const char *name = lua_tostring(L, -1);
    if (strcmp(name, "all") == 0)
        return (1u << SP_NCAT) - 1u;
    int c = sp_category_find(name);
    if (c < 0) {
        const char *names[SP_NCAT + 1];
        for (int k = 0; k < SP_NCAT; k++)
            names[k] = sp_category_name(k);
        names[SP_NCAT] = "all";
        luaL_error(L, "%s: unknown category '%s' (valid: %s, %s, %s, %s, %s, %s, %s, %s or all)", fn,
                   name, names[0], names[1], names[2], names[3], names[4], names[5], names[6],
                   names[7]);
    }
    return 1u << c;
}

unsigned sp_l_measure_categories(lua_State *L, const char *fn, unsigned def)
{
    int t = lua_getfield(L, 1, "categories");
    unsigned bits = 0;
    if (t == LUA_TNIL) {
        bits = def;
    } else if (t == LUA_TSTRING) {
        bits = category_bit(L, fn);
    } else if (t == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, -1);
        if (n < 1)
            luaL_error(L, "%s: 'categories' is empty (name at least one category, or \"all\")", fn);
        for (lua_Integer k = 1; k <= n; k++) {
            lua_geti(L, -1, k);
            bits |= category_bit(L, fn);
            lua_pop(L, 1);
        }
    } else {
        luaL_error(L, "%s: 'categories' must be \"all\", a category name or a list of them, got %s",
                   fn, sp_l_typename(L, -1));
    }
    lua_pop(L, 1);
    return bits;
}

int sp_l_measure_filter(lua_State *L, const char *fname, const char *key, char *buf, size_t n)
{
    const char *text = sp_l_getstring(L, 1, fname, key, NULL);
    if (!text)
        return 0;
    if (text[0]) {
        sp_err err;
        sp_err_clear(&err);
        sp_filter *f = sp_filter_compile(text, &err);
        if (!f)
            luaL_error(L, "%s: '%s': %s", fname, key, err.msg);
        sp_filter_free(f);
    }
    if (strlen(text) >= n) /* cannot happen: compile limits the length */
        luaL_error(L, "%s: '%s' is longer than %d characters", fname, key, (int)n - 1);
    strcpy(buf, text);
    return 1;
}

void sp_l_measure_name(lua_State *L, const char *fname, sp_measure *m, const char *def)
{
    const char *name = sp_l_getstring(L, 1, fname, "name", NULL);
    if (!name)
        name = def;
    else if (!name[0])
        luaL_error(L, "%s: 'name' must not be empty", fname);
    if (strlen(name) >= sizeof m->name)
        luaL_error(L, "%s: 'name' is longer than %d bytes", fname, (int)sizeof m->name - 1);
    strcpy(m->name, name);
}

static sp_l_measure *check_measure(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, SP_L_MEASURE);
}

static int measure_release(lua_State *L)
{
    check_measure(L, 1); /* owns no core memory */
    return 0;
}

/* __index: methods (upvalue 1; none yet), name, kind, then the kind's fields. */
static int measure_index(lua_State *L)
{
    if (lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2)) != LUA_TNIL)
        return 1;
    const sp_l_measure *lm = check_measure(L, 1);
    const char *key = lua_tostring(L, 2);
    if (strcmp(key, "name") == 0) {
        lua_pushstring(L, lm->m.name);
        return 1;
    }
    if (strcmp(key, "kind") == 0) {
        lua_pushstring(L, lm->m.ops->kind);
        return 1;
    }
    const sp_l_kind *k = sp_l_kind_of(lm->m.ops);
    if (!k || !k->field(L, lm, key))
        return luaL_error(L, "%s: no field or method '%s'", lm->m.ops->kind, key);
    return 1;
}

static int measure_tostring(lua_State *L)
{
    const sp_l_measure *lm = check_measure(L, 1);
    const sp_l_kind *k = sp_l_kind_of(lm->m.ops);
    if (k)
        k->tostring(L, lm);
    else
        lua_pushfstring(L, "%s: %s", lm->m.ops->kind, lm->m.name);
    return 1;
}

/* ---- packages ---- */

/* Adds the measure at stack index idx (positional entry `entry`) to pkg.
 * Raises on error; the package is then unchanged (and still owned by its
 * handle, so nothing leaks). */
static void add_measure(lua_State *L, sp_package *pkg, int idx, lua_Integer entry,
                        const char *fname)
{
    sp_err err;
    sp_err_clear(&err);
    const sp_l_measure *lm = sp_l_tomeasure(L, idx);
    if (!lm)
        luaL_error(L, "%s: entry %I is not a measure (got %s)", fname, (LUAI_UACINT)entry,
                   sp_l_typename(L, idx));
    if (sp_package_add_measure(pkg, &lm->m, &err) != SP_OK)
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

/* pkg:measure(k | name) -> a copy of the package's k-th measure (or the one
 * named so) as a measure value, read back from the core
 * package (what the engine will run). */
static int l_measure(lua_State *L)
{
    const char *fn = "package:measure";
    const sp_package *p = check(L, fn);
    int k = -1;
    if (lua_type(L, 2) == LUA_TNUMBER && lua_isinteger(L, 2)) {
        lua_Integer i = lua_tointeger(L, 2);
        if (i < 1 || i > p->nmeasures)
            return luaL_error(L, "%s: index must be between 1 and %d, got %I", fn, p->nmeasures,
                              (LUAI_UACINT)i);
        k = (int)i - 1;
    } else if (lua_type(L, 2) == LUA_TSTRING) {
        const char *name = lua_tostring(L, 2);
        for (int j = 0; j < p->nmeasures && k < 0; j++)
            if (strcmp(p->measures[j].name, name) == 0)
                k = j;
        if (k < 0)
            return luaL_error(L, "%s: package \"%s\" has no measure named \"%s\"", fn, p->name,
                              name);
    } else {
        return luaL_error(L, "%s: expected a measure index or name, got %s", fn,
                          sp_l_typename(L, 2));
    }
    const sp_measure *m = &p->measures[k];
    sp_l_measure *lm = sp_l_newmeasure(L, m->ops);
    lm->m = *m;
    lm->m.filter = NULL; /* owned by the package */
    lm->m.id = 0;
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
    static const luaL_Reg methods[] = {
        {"with", l_with}, {"measures", l_measures}, {"measure", l_measure}, {NULL, NULL}};
    static const luaL_Reg no_methods[] = {{NULL, NULL}};
    sp_l_newclass(L, SP_L_PACKAGE, methods, l_index, l_release, l_tostring);
    sp_l_newclass(L, SP_L_MEASURE, no_methods, measure_index, measure_release, measure_tostring);
    luaL_getmetatable(L, SP_L_PACKAGE);
    lua_pushcfunction(L, l_len);
    lua_setfield(L, -2, "__len");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_package);
    lua_setfield(L, module, "package");
}
