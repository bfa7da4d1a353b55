/* l_purchase_subsidy.c: sp.purchase_subsidy{...}, the purchase subsidy or
 * tax cut on new cars (binding of core/purchase_subsidy.h). Read, checked and
 * validated like sp.scrappage (l_scrappage.c); the result is a measure value.
 * Units: yuan per vehicle, shares of the new car's price, calendar months. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* sp.purchase_subsidy{ name =, start =, ["end"] = | months =, amount_nev =,
 *                      amount_ice =, share_nev =, share_ice =, cap =, budget = } -> measure */
static int l_purchase_subsidy(lua_State *L)
{
    static const char *const keys[] = {"name",       "start",     "end",       "months", "amount_nev",
                                       "amount_ice", "share_nev", "share_ice", "cap",    "classes",
                                       "max_fuel",   "max_price", "nev_only",  "budget", NULL};
    const char *fn = "sp.purchase_subsidy";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_purchase_subsidy_measure);
    sp_purchase_subsidy_def *d = sp_l_measure_def(lm);
    *d = sp_purchase_subsidy_def_default();
    sp_l_measure_span(L, fn, &d->start_month, &d->end_month);
    sp_l_fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    sp_l_read_fuel_pay(L, fn, 0, &p);
    d->amount_nev = p.amount_nev;
    d->amount_ice = p.amount_ice;
    d->share_nev = p.share_nev;
    d->share_ice = p.share_ice;
    d->cap = sp_l_read_bound(L, fn, "cap", &p);
    sp_l_read_restrict(L, fn, &d->only);
    d->budget = sp_l_measure_number(L, fn, "budget", 0);
    sp_l_measure_check(L, fn, lm);
    char m[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    snprintf(def, sizeof def, "purchase subsidy %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_purchase_subsidy_def *d = sp_measure_def(&lm->m);
    sp_l_fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    if (strcmp(key, "budget") == 0) {
        lua_pushnumber(L, d->budget);
        return 1;
    }
    return sp_l_span_field(L, d->start_month, d->end_month, key) || sp_l_pay_field(L, &p, d->cap, key) ||
           sp_l_restrict_field(L, &d->only, key);
}

/* "purchase subsidy: X (2020-07..2020-12; per new car: NEV 10000 yuan, ICE nothing)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_purchase_subsidy_def *d = sp_measure_def(&lm->m);
    char pay[160], span[24], a[32], bounds[96] = "", only[160];
    sp_l_restrict_text(only, sizeof only, &d->only);
    sp_l_fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    sp_l_pay_text(pay, sizeof pay, &p);
    sp_l_span_text(span, sizeof span, d->start_month, d->end_month);
    if (d->cap > 0)
        snprintf(bounds, sizeof bounds, ", cap %s yuan", sp_l_num(a, sizeof a, d->cap));
    lua_pushfstring(L, "purchase subsidy: %s (%s; per new car: %s%s%s)", lm->m.name, span, pay, bounds, only);
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_purchase_subsidy);
    lua_setfield(L, module, "purchase_subsidy");
}

const sp_l_kind sp_l_purchase_subsidy_kind = {&sp_purchase_subsidy_measure, open_kind, field, tostring};
