/* l_community_outlets.c: sp.community_outlets{...}, neighbourhood convenience
 * outlets (binding of core/community_outlets.h). The constructor reads its
 * named arguments into the core's defaulted definition, checks every value
 * under the key the scenario wrote, compiles the filter once and validates
 * with the core; the result is a measure value. Units: outlets, shares,
 * yuan per outlet and in all (budget), calendar months. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* sp.community_outlets{ name =, start =, ["end"] = | months =, outlets =,
 *   coverage =, categories =, capture = 0.05, diversion =, subsidy = 0,
 *   budget = 0, filter = } -> measure */
static int l_community_outlets(lua_State *L)
{
    static const char *const keys[] = {"name",     "start",     "end",     "months",
                                       "outlets",  "coverage",  "categories", "capture",
                                       "diversion", "subsidy",  "budget",  "filter", NULL};
    const char *fn = "sp.community_outlets";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    sp_l_measure *lm = sp_l_newmeasure(L, &sp_community_outlets_measure);
    sp_community_outlets_def *d = sp_l_measure_def(lm);
    *d = sp_community_outlets_def_default();
    sp_l_measure_span(L, fn, &d->start_month, &d->end_month);
    if (!sp_l_has(L, 1, "outlets"))
        luaL_error(L, "%s: 'outlets' is required (new outlets opened city-wide, e.g. outlets = 600)", fn);
    if (!sp_l_has(L, 1, "coverage"))
        luaL_error(L, "%s: 'coverage' is required (share of households the new outlets serve, e.g. "
                      "coverage = 0.1)", fn);
    d->outlets = sp_l_measure_number(L, fn, "outlets", d->outlets);
    if (!(d->outlets > 0))
        luaL_error(L, "%s: 'outlets' must be a positive number of outlets, got %s", fn, sp_l_shown(L, d->outlets));
    d->coverage = sp_l_measure_number(L, fn, "coverage", d->coverage);
    if (!(d->coverage > 0 && d->coverage <= 1))
        luaL_error(L, "%s: 'coverage' must lie in (0, 1] (share of households served), got %s", fn,
                   sp_l_shown(L, d->coverage));
    d->categories = sp_l_measure_categories(L, fn, d->categories);
    d->capture = sp_l_measure_number(L, fn, "capture", d->capture);
    if (!(d->capture > 0 && d->capture <= 1))
        luaL_error(L, "%s: 'capture' must lie in (0, 1] (share of the served households' covered spending "
                      "made at the new outlets), got %s", fn, sp_l_shown(L, d->capture));
    if (sp_l_has(L, 1, "diversion")) {
        d->diversion = sp_l_measure_number(L, fn, "diversion", 0);
        if (d->diversion < 0 || d->diversion > 1)
            luaL_error(L, "%s: 'diversion' must lie in 0..1 (share of the outlets' sales diverted from "
                          "other outlets), got %s", fn, sp_l_shown(L, d->diversion));
    }
    d->subsidy = sp_l_measure_number(L, fn, "subsidy", 0);
    if (d->subsidy < 0)
        luaL_error(L, "%s: 'subsidy' must be 0 or more yuan per outlet, got %s", fn, sp_l_shown(L, d->subsidy));
    d->budget = sp_l_measure_number(L, fn, "budget", 0);
    if (d->budget < 0)
        luaL_error(L, "%s: 'budget' must be 0 (unlimited) or more yuan, got %s", fn, sp_l_shown(L, d->budget));
    d->filter[0] = '\0';
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_measure_check(L, fn, lm);
    char m[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    snprintf(def, sizeof def, "community outlets %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static void push_categories(lua_State *L, unsigned mask)
{
    lua_newtable(L);
    int k = 0;
    for (int c = 0; c < SP_NCAT; c++)
        if (mask >> c & 1u) {
            lua_pushstring(L, sp_category_name(c));
            lua_rawseti(L, -2, ++k);
        }
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_community_outlets_def *d = sp_measure_def(&lm->m);
    if (sp_l_span_field(L, d->start_month, d->end_month, key))
        return 1;
    if (strcmp(key, "categories") == 0)
        push_categories(L, d->categories);
    else if (strcmp(key, "outlets") == 0)
        lua_pushnumber(L, d->outlets);
    else if (strcmp(key, "coverage") == 0)
        lua_pushnumber(L, d->coverage);
    else if (strcmp(key, "capture") == 0)
        lua_pushnumber(L, d->capture);
    else if (strcmp(key, "diversion") == 0) {
        if (d->diversion < 0)
            lua_pushnil(L); /* the parameter outlet_diversion */
        else
            lua_pushnumber(L, d->diversion);
    } else if (strcmp(key, "subsidy") == 0)
        lua_pushnumber(L, d->subsidy);
    else if (strcmp(key, "budget") == 0)
        lua_pushnumber(L, d->budget);
    else if (strcmp(key, "filter") == 0)
        sp_l_push_filter(L, d->filter);
    else
        return 0;
    return 1;
}

/* "community outlets: X (2020-06..2022-12; 600 outlets serving 0.1 of households; food, household_goods; ...)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_community_outlets_def *d = sp_measure_def(&lm->m);
    char span[64], cats[160] = "", o[32], cov[32], cap[32], dv[40], sub[32], bud[32];
    sp_l_span_text(span, sizeof span, d->start_month, d->end_month);
    for (int c = 0; c < SP_NCAT; c++)
        if (d->categories >> c & 1u) {
            size_t k = strlen(cats);
            snprintf(cats + k, sizeof cats - k, "%s%s", k ? ", " : "", sp_category_name(c));
        }
    if (d->diversion < 0)
        snprintf(dv, sizeof dv, "outlet_diversion");
    else
        sp_l_num(dv, sizeof dv, d->diversion);
    lua_pushfstring(L,
                    "community outlets: %s (%s; %s outlets serving %s of households; %s; capture %s, "
                    "diversion %s; subsidy %s yuan an outlet, budget %s%s%s)",
                    lm->m.name, span, sp_l_num(o, sizeof o, d->outlets), sp_l_num(cov, sizeof cov, d->coverage),
                    cats, sp_l_num(cap, sizeof cap, d->capture), dv, sp_l_num(sub, sizeof sub, d->subsidy),
                    sp_l_num(bud, sizeof bud, d->budget), d->filter[0] ? "; to: " : "", d->filter);
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_community_outlets);
    lua_setfield(L, module, "community_outlets");
}

const sp_l_kind sp_l_community_outlets_kind = {&sp_community_outlets_measure, open_kind, field, tostring};
