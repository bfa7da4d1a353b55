/* l_appliance_tradein.c: sp.appliance_tradein{...}, the appliance and
 * home-furnishing trade-in subsidy (binding of core/appliance_tradein.h).
 *
 * The constructor reads its named arguments into the core's defaulted
 * definition (the 2024 national rule), checks every value under the key the
 * scenario wrote, compiles the filter once and validates with the core; the
 * result is a measure value. Units: shares of the price, yuan per item or in
 * all (budget), calendar months. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

static const char *const grade_keys[SP_NGRADE] = {"rate_grade1", "rate_grade2", "rate_other"};

static const char *type_name(int t) { return sp_durable_name(t); }

/* rate = r (every grade) or rate_grade1 / rate_grade2 / rate_other (the
 * others 0 once one is given); the defaults when none is given. */
static void read_rates(lua_State *L, const char *fn, sp_appliance_tradein_def *d)
{
    int any = 0;
    for (int g = 0; g < SP_NGRADE; g++)
        any |= sp_l_has(L, 1, grade_keys[g]);
    if (sp_l_has(L, 1, "rate") && any)
        luaL_error(L, "%s: give 'rate' (every grade) or the rates by grade, not both", fn);
    if (!any && !sp_l_has(L, 1, "rate"))
        return;
    for (int g = 0; g < SP_NGRADE; g++) {
        const char *key = any ? grade_keys[g] : "rate";
        double v = sp_l_measure_number(L, fn, key, 0);
        if (v < 0 || v > 1)
            luaL_error(L, "%s: '%s' must lie in 0..1 (share of the price), got %s", fn, key, sp_l_shown(L, v));
        d->rate[g] = v;
    }
}

/* cap = yuan (every type) or { tv = 400, ... } (types not named: no cap). */
static void read_cap(lua_State *L, const char *fn, sp_appliance_tradein_def *d)
{
    int t = lua_getfield(L, 1, "cap");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t == LUA_TTABLE) {
        memset(d->cap, 0, sizeof d->cap);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                luaL_error(L, "%s: 'cap' table keys must be appliance types", fn);
            int ty = sp_l_checkname(L, fn, "appliance type", lua_tostring(L, -2), type_name, SP_DUR_NTYPE);
            if (lua_type(L, -1) != LUA_TNUMBER || !(lua_tonumber(L, -1) >= 0))
                luaL_error(L, "%s: 'cap' of %s must be 0 (none) or more yuan, got %s", fn,
                           sp_durable_name(ty), luaL_tolstring(L, -1, NULL));
            d->cap[ty] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    double v = sp_l_measure_number(L, fn, "cap", 0);
    if (v < 0)
        luaL_error(L, "%s: 'cap' must be 0 (none) or more yuan per item, got %s", fn, sp_l_shown(L, v));
    for (int k = 0; k < SP_DUR_NTYPE; k++)
        d->cap[k] = v;
}

/* types = { "tv", "fridge", ... } */
static void read_types(lua_State *L, const char *fn, sp_appliance_tradein_def *d)
{
    int t = lua_getfield(L, 1, "types");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        luaL_error(L, "%s: 'types' must be a list of appliance types, got %s", fn, sp_l_typename(L, -1));
    d->types = 0;
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_rawgeti(L, -1, k);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s: 'types' entries must be strings, got %s", fn, sp_l_typename(L, -1));
        d->types |= 1u << sp_l_checkname(L, fn, "appliance type", lua_tostring(L, -1), type_name, SP_DUR_NTYPE);
        lua_pop(L, 1);
    }
    if (!d->types)
        luaL_error(L, "%s: 'types' must name at least one appliance type", fn);
    lua_pop(L, 1);
}

/* sp.appliance_tradein{ name =, start =, ["end"] = | months =, rate = |
 *   rate_grade1 =, rate_grade2 =, rate_other =, cap = | cap = {...}, types =,
 *   budget = 0, filter = } -> measure */
static int l_appliance_tradein(lua_State *L)
{
    static const char *const keys[] = {"name", "start", "end", "months", "rate", "rate_grade1",
                                       "rate_grade2", "rate_other", "cap", "types", "budget",
                                       "filter", NULL};
    const char *fn = "sp.appliance_tradein";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    sp_l_measure *lm = sp_l_newmeasure(L, &sp_appliance_tradein_measure);
    sp_appliance_tradein_def *d = sp_l_measure_def(lm);
    *d = sp_appliance_tradein_def_default();
    sp_l_measure_span(L, fn, &d->start_month, &d->end_month);
    read_rates(L, fn, d);
    read_cap(L, fn, d);
    read_types(L, fn, d);
    d->budget = sp_l_measure_number(L, fn, "budget", 0);
    if (d->budget < 0)
        luaL_error(L, "%s: 'budget' must be 0 (unlimited) or more yuan, got %s", fn, sp_l_shown(L, d->budget));
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_measure_check(L, fn, lm);
    char m[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    snprintf(def, sizeof def, "appliance trade-in %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_appliance_tradein_def *d = sp_measure_def(&lm->m);
    if (sp_l_span_field(L, d->start_month, d->end_month, key))
        return 1;
    for (int g = 0; g < SP_NGRADE; g++)
        if (strcmp(key, grade_keys[g]) == 0) {
            lua_pushnumber(L, d->rate[g]);
            return 1;
        }
    if (strcmp(key, "cap") == 0 || strcmp(key, "types") == 0) {
        const int caps = key[0] == 'c';
        lua_newtable(L);
        for (int t = 0, k = 1; t < SP_DUR_NTYPE; t++) {
            if (caps) {
                lua_pushnumber(L, d->cap[t]);
                lua_setfield(L, -2, sp_durable_name(t));
            } else if ((d->types >> t) & 1u) {
                lua_pushstring(L, sp_durable_name(t));
                lua_rawseti(L, -2, k++);
            }
        }
    } else if (strcmp(key, "budget") == 0)
        lua_pushnumber(L, d->budget);
    else if (strcmp(key, "filter") == 0)
        sp_l_push_filter(L, d->filter);
    else
        return 0;
    return 1;
}

/* "appliance trade-in: X (2024-08..2024-12; grade 1 20%, grade 2 15%, other
 * 0% of the price, cap 2000 yuan per item; tv, fridge, ...; unlimited
 * budget; every household)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_appliance_tradein_def *d = sp_measure_def(&lm->m);
    char span[24], a[32], b[32], c[32], types[160] = "", budget[64];
    sp_l_span_text(span, sizeof span, d->start_month, d->end_month);
    for (int t = 0; t < SP_DUR_NTYPE; t++)
        if ((d->types >> t) & 1u) {
            size_t n = strlen(types);
            snprintf(types + n, sizeof types - n, "%s%s", n ? ", " : "", sp_durable_name(t));
        }
    if (d->budget > 0)
        snprintf(budget, sizeof budget, "budget %s yuan", sp_l_num(a, sizeof a, d->budget));
    else
        snprintf(budget, sizeof budget, "unlimited budget");
    lua_pushfstring(L, "appliance trade-in: %s (%s; grade 1 %s, grade 2 %s, other %s of the price, "
                       "caps per item; %s; %s; %s)",
                    lm->m.name, span, sp_l_num(a, sizeof a, d->rate[0]), sp_l_num(b, sizeof b, d->rate[1]),
                    sp_l_num(c, sizeof c, d->rate[2]), types, budget,
                    d->filter[0] ? d->filter : "every household");
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_appliance_tradein);
    lua_setfield(L, module, "appliance_tradein");
}

const sp_l_kind sp_l_appliance_tradein_kind = {&sp_appliance_tradein_measure, open_kind, field, tostring};
