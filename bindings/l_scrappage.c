/* l_scrappage.c: sp.scrappage{...}, the scrappage / trade-in subsidy
 * (binding of core/scrappage.h).
 *
 * The constructor reads its named arguments into the core's defaulted
 * definition (sp_scrappage_def_default()), checks every value with the key
 * the scenario wrote, compiles the filter once to report its errors at the
 * scenario line, and validates the whole definition with the core. The result
 * is a measure value (l_spendsim.h) to place in sp.package{...} or
 * package:with{...}. Units: yuan per vehicle or the city-wide budget, shares
 * of the new car's price, calendar months. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* sp.scrappage{ name =, start =, ["end"] = | months =, amount = | amount_nev =,
 *               amount_ice =, share = | share_nev =, share_ice =, cap =, floor =,
 *               budget = 0, filter = "emission <= 3" } -> measure */
static int l_scrappage(lua_State *L)
{
    static const char *const keys[] = {"name",      "start",     "end",       "months",
                                       "amount",    "amount_nev", "amount_ice", "share",
                                       "share_nev", "share_ice", "cap",       "floor",
                                       "budget",    "filter",    "classes",   "max_fuel",
                                       "max_price", "nev_only",  NULL};
    const char *fn = "sp.scrappage";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_scrappage_measure);
    sp_scrappage_def *d = sp_l_measure_def(lm);
    *d = sp_scrappage_def_default();
    sp_l_measure_span(L, fn, &d->start_month, &d->end_month);
    sp_l_fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    sp_l_read_fuel_pay(L, fn, 1, &p);
    d->amount_nev = p.amount_nev;
    d->amount_ice = p.amount_ice;
    d->share_nev = p.share_nev;
    d->share_ice = p.share_ice;
    d->cap = sp_l_read_bound(L, fn, "cap", &p);
    d->floor = sp_l_read_bound(L, fn, "floor", &p);
    if (d->cap > 0 && d->floor > d->cap) {
        char a[32], b[32];
        luaL_error(L, "%s: 'floor' %s is above 'cap' %s", fn, sp_l_num(a, sizeof a, d->floor),
                   sp_l_num(b, sizeof b, d->cap));
    }
    d->budget = sp_l_measure_number(L, fn, "budget", 0);
    if (d->budget < 0)
        luaL_error(L, "%s: 'budget' must be 0 (unlimited) or more yuan, got %s", fn,
                   sp_l_shown(L, d->budget));
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_read_restrict(L, fn, &d->only);
    sp_l_measure_check(L, fn, lm);
    char m[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    snprintf(def, sizeof def, "scrappage %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_scrappage_def *d = sp_measure_def(&lm->m);
    sp_l_fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    if (sp_l_span_field(L, d->start_month, d->end_month, key) || sp_l_pay_field(L, &p, d->cap, key) ||
        sp_l_restrict_field(L, &d->only, key))
        return 1;
    if (strcmp(key, "floor") == 0)
        lua_pushnumber(L, d->floor);
    else if (strcmp(key, "budget") == 0)
        lua_pushnumber(L, d->budget);
    else if (strcmp(key, "filter") == 0)
        sp_l_push_filter(L, d->filter);
    else
        return 0;
    return 1;
}

/* "scrappage: X (2020-07..2020-08; per car replaced: NEV 10000 yuan, ICE 7000
 * yuan; budget 1e+09 yuan; eligible: emission <= 3)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_scrappage_def *d = sp_measure_def(&lm->m);
    char pay[160], span[24], a[32], b[32], budget[64], bounds[96] = "", only[160];
    sp_l_restrict_text(only, sizeof only, &d->only);
    sp_l_fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    sp_l_pay_text(pay, sizeof pay, &p);
    sp_l_span_text(span, sizeof span, d->start_month, d->end_month);
    if (d->floor > 0 && d->cap > 0)
        snprintf(bounds, sizeof bounds, " within %s..%s yuan", sp_l_num(a, sizeof a, d->floor),
                 sp_l_num(b, sizeof b, d->cap));
    else if (d->cap > 0)
        snprintf(bounds, sizeof bounds, ", cap %s yuan", sp_l_num(a, sizeof a, d->cap));
    else if (d->floor > 0)
        snprintf(bounds, sizeof bounds, ", floor %s yuan", sp_l_num(a, sizeof a, d->floor));
    if (d->budget > 0)
        snprintf(budget, sizeof budget, "budget %s yuan", sp_l_num(a, sizeof a, d->budget));
    else
        snprintf(budget, sizeof budget, "unlimited budget");
    if (d->filter[0])
        lua_pushfstring(L, "scrappage: %s (%s; per car replaced: %s%s%s; %s; eligible: %s)",
                        lm->m.name, span, pay, bounds, only, budget, d->filter);
    else
        lua_pushfstring(L, "scrappage: %s (%s; per car replaced: %s%s%s; %s; every car owner)",
                        lm->m.name, span, pay, bounds, only, budget);
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_scrappage);
    lua_setfield(L, module, "scrappage");
}

const sp_l_kind sp_l_scrappage_kind = {&sp_scrappage_measure, open_kind, field, tostring};
