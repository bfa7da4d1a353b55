/* l_night_economy.c: sp.night_economy{...}, extended opening hours and night
 * events (binding of core/night_economy.h). The constructor reads its named
 * arguments into the core's defaulted definition, compiles the filter once
 * and validates with the core; the result is a measure value. Units: hours
 * per evening, calendar months. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* sp.night_economy{ name =, start =, ["end"] = | months =, categories =,
 *                   hours =, coverage = 1, filter = } -> measure */
static int l_night_economy(lua_State *L)
{
    static const char *const keys[] = {"name",  "start",    "end",    "months", "categories",
                                       "hours", "coverage", "filter", NULL};
    const char *fn = "sp.night_economy";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_night_economy_measure);
    sp_night_economy_def *d = sp_l_measure_def(lm);
    *d = sp_night_economy_def_default();
    sp_l_measure_span(L, fn, &d->start_month, &d->end_month);
    d->categories = sp_l_measure_categories(L, fn, d->categories);
    if (!sp_l_has(L, 1, "hours"))
        luaL_error(L, "%s: 'hours' is required (extra opening hours per evening, e.g. hours = 2)", fn);
    d->hours = sp_l_measure_number(L, fn, "hours", d->hours);
    d->coverage = sp_l_measure_number(L, fn, "coverage", d->coverage);
    d->filter[0] = '\0';
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_measure_check(L, fn, lm);
    char m[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    snprintf(def, sizeof def, "night economy %s", m);
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
    const sp_night_economy_def *d = sp_measure_def(&lm->m);
    if (strcmp(key, "start") == 0)
        sp_l_push_month(L, d->start_month);
    else if (strcmp(key, "end") == 0)
        sp_l_push_month(L, d->end_month);
    else if (strcmp(key, "categories") == 0)
        push_categories(L, d->categories);
    else if (strcmp(key, "hours") == 0)
        lua_pushnumber(L, d->hours);
    else if (strcmp(key, "coverage") == 0)
        lua_pushnumber(L, d->coverage);
    else if (strcmp(key, "filter") == 0)
        sp_l_push_filter(L, d->filter);
    else
        return 0;
    return 1;
}

/* "night economy: X (2019-07 to 2019-12; 2 extra hours at food, education venues; coverage 1)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_night_economy_def *d = sp_measure_def(&lm->m);
    char a[8], b[8], cats[160] = "", h[32], cov[32];
    sp_month_format(d->start_month, a);
    sp_month_format(d->end_month, b);
    for (int c = 0; c < SP_NCAT; c++)
        if (d->categories >> c & 1u) {
            size_t k = strlen(cats);
            snprintf(cats + k, sizeof cats - k, "%s%s", k ? ", " : "", sp_category_name(c));
        }
    lua_pushfstring(L, "night economy: %s (%s to %s; %s extra hours at %s venues; coverage %s%s%s)",
                    lm->m.name, a, b, sp_l_num(h, sizeof h, d->hours), cats,
                    sp_l_num(cov, sizeof cov, d->coverage), d->filter[0] ? "; to: " : "", d->filter);
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_night_economy);
    lua_setfield(L, module, "night_economy");
}

const sp_l_kind sp_l_night_economy_kind = {&sp_night_economy_measure, open_kind, field, tostring};
