/* l_promotion.c: sp.promotion{...}, a discount by category and window
 * (binding of core/promotion.h): the Beijing Consumption Season, 618, Double
 * 11. The constructor reads its named arguments into the core's defaulted
 * definition, compiles the filter once and validates with the core; the
 * result is a measure value. Units: shares of the list price, days. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* discount = 0.2 (with categories) or { clothing = 0.2, ... }. */
static void read_discount(lua_State *L, const char *fn, sp_promotion_def *d)
{
    int t = lua_getfield(L, 1, "discount");
    if (t == LUA_TNUMBER) {
        double x = lua_tonumber(L, -1);
        unsigned cats = sp_l_measure_categories(L, fn, 0);
        if (!cats)
            luaL_error(L, "%s: a discount given as one number needs 'categories' (e.g. categories = "
                          "{ \"clothing\", \"household_goods\" })", fn);
        for (int c = 0; c < SP_NCAT; c++)
            d->discount[c] = (cats >> c & 1u) ? x : 0.0;
    } else if (t == LUA_TTABLE) {
        if (sp_l_has(L, 1, "categories"))
            luaL_error(L, "%s: 'categories' goes with a discount given as one number; a table of "
                          "discounts names its categories itself", fn);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            int c = lua_type(L, -2) == LUA_TSTRING ? sp_category_find(lua_tostring(L, -2)) : -1;
            if (c < 0)
                luaL_error(L, "%s: 'discount': unknown category '%s'", fn, luaL_tolstring(L, -2, NULL));
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "%s: 'discount': %s must be a share of the price, got %s", fn,
                           sp_category_name(c), sp_l_typename(L, -1));
            d->discount[c] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    } else if (t == LUA_TNIL) {
        luaL_error(L, "%s: 'discount' is required (share of the price off, e.g. discount = 0.2 with "
                      "categories, or discount = { clothing = 0.2 })", fn);
    } else {
        luaL_error(L, "%s: 'discount' must be a number or a table of category = share, got %s", fn,
                   sp_l_typename(L, -1));
    }
    lua_pop(L, 1);
}

/* elasticity = { clothing = -1.5, ... }: own-price elasticities replacing the parameters. */
static void read_elasticity(lua_State *L, const char *fn, sp_promotion_def *d)
{
    int t = lua_getfield(L, 1, "elasticity");
    if (t == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            int c = lua_type(L, -2) == LUA_TSTRING ? sp_category_find(lua_tostring(L, -2)) : -1;
            if (c < 0)
                luaL_error(L, "%s: 'elasticity': unknown category '%s'", fn,
                           luaL_tolstring(L, -2, NULL));
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "%s: 'elasticity': %s must be a number, got %s", fn,
                           sp_category_name(c), sp_l_typename(L, -1));
            d->elasticity[c] = lua_tonumber(L, -1);
            d->elasticity_set |= 1u << c;
            lua_pop(L, 1);
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "%s: 'elasticity' must be a table of category = elasticity, got %s", fn,
                   sp_l_typename(L, -1));
    }
    lua_pop(L, 1);
}

/* start = "YYYY-MM-DD", then ["end"] = "YYYY-MM-DD" or days = n. */
static void read_window(lua_State *L, const char *fn, sp_promotion_def *d)
{
    if (!sp_l_measure_day(L, fn, "start", 0, &d->start_month, &d->start_day))
        luaL_error(L, "%s: 'start' is required (the first day, e.g. start = \"2020-06-01\")", fn);
    int he = sp_l_has(L, 1, "end"), hd = sp_l_has(L, 1, "days");
    if (he == hd)
        luaL_error(L, "%s: give the window's end once: 'end' (e.g. [\"end\"] = \"2020-06-18\") or "
                      "'days' (e.g. days = 18)", fn);
    if (he) {
        sp_l_measure_day(L, fn, "end", 1, &d->end_month, &d->end_day);
        return;
    }
    lua_Integer n = sp_l_getinteger(L, 1, fn, "days", -100000, 100000, 1);
    if (n < 1 || n > 3660)
        luaL_error(L, "%s: 'days' must be 1..3660 (a window that ends before it starts has fewer "
                      "than one day), got %I", fn, (LUAI_UACINT)n);
    d->end_month = d->start_month;
    d->end_day = d->start_day + (int)n - 1;
    while (d->end_day > sp_month_days(d->end_month))
        d->end_day -= sp_month_days(d->end_month++);
}

/* sp.promotion{ name =, start =, ["end"] = | days =, discount =, categories =,
 *               elasticity = {}, coverage = 1, gov_share =, merchant_share =,
 *               announced = true, filter =, cap = 0, budget = 0 } -> measure
 * cap: the most government-funded discount per household and month (yuan);
 * budget: yuan of government-funded discount, needs cap (households take
 * part first come while cap x their weight fits what is left). */
static int l_promotion(lua_State *L)
{
    static const char *const keys[] = {"name",     "start",    "end",        "days",
                                       "discount", "categories", "elasticity", "coverage",
                                       "gov_share", "merchant_share", "announced", "filter", "cap",
                                       "budget", NULL};
    const char *fn = "sp.promotion";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_promotion_measure);
    sp_promotion_def *d = sp_l_measure_def(lm);
    *d = sp_promotion_def_default();
    read_window(L, fn, d);
    read_discount(L, fn, d);
    read_elasticity(L, fn, d);
    d->coverage = sp_l_measure_number(L, fn, "coverage", d->coverage);
    int hg = sp_l_has(L, 1, "gov_share"), hm = sp_l_has(L, 1, "merchant_share");
    d->gov_share = sp_l_measure_number(L, fn, "gov_share", 0.0);
    d->merchant_share = sp_l_measure_number(L, fn, "merchant_share", 1.0);
    if (hg && !hm)
        d->merchant_share = 1.0 - d->gov_share;
    else if (hm && !hg)
        d->gov_share = 1.0 - d->merchant_share;
    d->announced = sp_l_getboolean(L, 1, fn, "announced", 1);
    d->cap = sp_l_measure_number(L, fn, "cap", 0.0);
    d->budget = sp_l_measure_number(L, fn, "budget", 0.0);
    if (d->budget > 0 && !(d->cap > 0))
        luaL_error(L, "%s: 'budget' needs 'cap', the most government-funded discount per household "
                      "and month (yuan, e.g. cap = 100), so that the budget can be handed out first "
                      "come", fn);
    d->filter[0] = '\0';
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_measure_check(L, fn, lm);
    char a[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, a);
    snprintf(def, sizeof def, "promotion %s-%02d", a, d->start_day);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

/* Pushes a table category = value for the categories whose bit is set in mask. */
static void push_by_category(lua_State *L, const double v[SP_NCAT], unsigned mask)
{
    lua_newtable(L);
    for (int c = 0; c < SP_NCAT; c++)
        if (mask >> c & 1u) {
            lua_pushnumber(L, v[c]);
            lua_setfield(L, -2, sp_category_name(c));
        }
}

static void push_day(lua_State *L, int month, int day)
{
    char m[8], buf[16];
    sp_month_format(month, m);
    snprintf(buf, sizeof buf, "%s-%02d", m, day);
    lua_pushstring(L, buf);
}

static unsigned discounted(const sp_promotion_def *d)
{
    unsigned mask = 0;
    for (int c = 0; c < SP_NCAT; c++)
        mask |= (unsigned)(d->discount[c] > 0) << c;
    return mask;
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_promotion_def *d = sp_measure_def(&lm->m);
    if (strcmp(key, "start") == 0)
        push_day(L, d->start_month, d->start_day);
    else if (strcmp(key, "end") == 0)
        push_day(L, d->end_month, d->end_day);
    else if (strcmp(key, "discount") == 0)
        push_by_category(L, d->discount, discounted(d));
    else if (strcmp(key, "elasticity") == 0)
        push_by_category(L, d->elasticity, d->elasticity_set);
    else if (strcmp(key, "coverage") == 0)
        lua_pushnumber(L, d->coverage);
    else if (strcmp(key, "gov_share") == 0)
        lua_pushnumber(L, d->gov_share);
    else if (strcmp(key, "merchant_share") == 0)
        lua_pushnumber(L, d->merchant_share);
    else if (strcmp(key, "cap") == 0 || strcmp(key, "budget") == 0) {
        double v = key[0] == 'c' ? d->cap : d->budget;
        if (v > 0)
            lua_pushnumber(L, v);
        else
            lua_pushnil(L);
    } else if (strcmp(key, "announced") == 0)
        lua_pushboolean(L, d->announced);
    else if (strcmp(key, "filter") == 0)
        sp_l_push_filter(L, d->filter);
    else
        return 0;
    return 1;
}

/* "promotion: X (2020-06-01 to 2020-06-18; clothing 20% off, ...; government 50%, merchants 50%)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_promotion_def *d = sp_measure_def(&lm->m);
    char a[8], b[8], offs[256] = "", n[32];
    sp_month_format(d->start_month, a);
    sp_month_format(d->end_month, b);
    for (int c = 0; c < SP_NCAT; c++)
        if (d->discount[c] > 0) {
            size_t k = strlen(offs);
            snprintf(offs + k, sizeof offs - k, "%s%s %s%% off", k ? ", " : "", sp_category_name(c),
                     sp_l_num(n, sizeof n, 100 * d->discount[c]));
        }
    char head[64];
    snprintf(head, sizeof head, "%s-%02d to %s-%02d", a, d->start_day, b, d->end_day);
    lua_pushfstring(L, "promotion: %s (%s; %s; government %d%%, merchants %d%%%s%s)", lm->m.name,
                    head, offs, (int)(100 * d->gov_share + 0.5), (int)(100 * d->merchant_share + 0.5),
                    d->filter[0] ? "; to: " : "", d->filter);
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_promotion);
    lua_setfield(L, module, "promotion");
}

const sp_l_kind sp_l_promotion_kind = {&sp_promotion_measure, open_kind, field, tostring};
