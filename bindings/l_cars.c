/* l_cars.c: the car measures and the cash transfer (binding of core/cars.h):
 * sp.scrappage{...}, sp.purchase_subsidy{...}, sp.cash_transfer{...}.
 *
 * Each constructor reads its named arguments into the core's defaulted
 * definition (sp_scrappage_def_default(), ...), checks every value with the
 * key the scenario wrote (so "'share' must lie in 0..1" names `share`, not
 * the core's share_nev), compiles the filter once to report its errors at the
 * scenario line, and validates the whole definition with the core. The result
 * is a measure value (sp_l_measure, see l_spendsim.h) to place as a
 * positional entry of sp.package{...} or package:with{...}; it owns no core
 * memory. This file also supplies the measure type's fields and tostring for
 * these kinds. Units: yuan (per vehicle, per household, or the city-wide
 * budget), shares of the new car's price, calendar months. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* "%.15g": amounts as people write them (10000, 1e+09 for a billion). */
static const char *num(char *buf, size_t n, double x)
{
    snprintf(buf, n, "%.15g", x);
    return buf;
}

static void month_text(int month, char buf[8]) { sp_month_format(month, buf); }

/* A number for messages: the value as Lua prints it. */
static const char *shown(lua_State *L, double v) { return lua_pushfstring(L, "%f", (lua_Number)v); }

/* start = "YYYY-MM" (required), then ["end"] = "YYYY-MM" or months = n: the
 * last month (inclusive). One of 'end' and 'months' is required. */
static void read_span(lua_State *L, const char *fn, int *start, int *end)
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
            month_text(*end, a);
            month_text(*start, b);
            luaL_error(L, "%s: 'end' %s is before 'start' %s", fn, a, b);
        }
    } else {
        lua_Integer n = sp_l_getinteger(L, 1, fn, "months", INT_MIN, INT_MAX, 1);
        if (n < 1 || n > 600)
            luaL_error(L, "%s: 'months' must be between 1 and 600, got %I", fn, (LUAI_UACINT)n);
        *end = *start + (int)n - 1;
    }
}

/* An amount of yuan >= 0, or def when absent. */
static double read_amount(lua_State *L, const char *fn, const char *key, double def)
{
    double v = sp_l_measure_number(L, fn, key, def);
    if (v < 0)
        luaL_error(L, "%s: '%s' must be 0 or more yuan, got %s", fn, key, shown(L, v));
    return v;
}

/* A share of the price in 0..1, or def when absent. */
static double read_share(lua_State *L, const char *fn, const char *key, double def)
{
    double v = sp_l_measure_number(L, fn, key, def);
    if (v < 0 || v > 1)
        luaL_error(L, "%s: '%s' must lie in 0..1 (a share of the new car's price), got %s", fn,
                   key, shown(L, v));
    return v;
}

/* The per-fuel subsidy of the car measures: amount/share for both fuels (when
 * `both` is non-zero) or amount_nev, amount_ice, share_nev, share_ice. When
 * none is given the core's defaults stay; once one is given the others are 0.
 * A fuel may have an amount or a share, not both. */
typedef struct fuel_pay {
    double amount_nev, amount_ice, share_nev, share_ice;
} fuel_pay;

static void read_fuel_pay(lua_State *L, const char *fn, int both, fuel_pay *p)
{
    int ha = both && sp_l_has(L, 1, "amount"), hs = both && sp_l_has(L, 1, "share");
    int han = sp_l_has(L, 1, "amount_nev"), hai = sp_l_has(L, 1, "amount_ice");
    int hsn = sp_l_has(L, 1, "share_nev"), hsi = sp_l_has(L, 1, "share_ice");
    if (ha && (han || hai))
        luaL_error(L, "%s: give 'amount' (both fuels) or 'amount_nev'/'amount_ice', not both", fn);
    if (hs && (hsn || hsi))
        luaL_error(L, "%s: give 'share' (both fuels) or 'share_nev'/'share_ice', not both", fn);
    if (!(ha || hs || han || hai || hsn || hsi))
        return; /* the core's defaults */
    if (ha) {
        p->amount_nev = p->amount_ice = read_amount(L, fn, "amount", 0);
    } else {
        p->amount_nev = read_amount(L, fn, "amount_nev", 0);
        p->amount_ice = read_amount(L, fn, "amount_ice", 0);
    }
    if (hs) {
        p->share_nev = p->share_ice = read_share(L, fn, "share", 0);
    } else {
        p->share_nev = read_share(L, fn, "share_nev", 0);
        p->share_ice = read_share(L, fn, "share_ice", 0);
    }
    if (p->amount_nev > 0 && p->share_nev > 0)
        luaL_error(L, "%s: '%s' and '%s' are both set for NEVs: a share of the price replaces "
                      "the fixed amount (bound a share with 'floor' and 'cap')",
                   fn, ha ? "amount" : "amount_nev", hs ? "share" : "share_nev");
    if (p->amount_ice > 0 && p->share_ice > 0)
        luaL_error(L, "%s: '%s' and '%s' are both set for ICE cars: a share of the price replaces "
                      "the fixed amount (bound a share with 'floor' and 'cap')",
                   fn, ha ? "amount" : "amount_ice", hs ? "share" : "share_ice");
}

/* cap / floor bound a share subsidy: without a share they would do nothing. */
static double read_bound(lua_State *L, const char *fn, const char *key, const fuel_pay *p)
{
    if (!sp_l_has(L, 1, key))
        return 0;
    double v = read_amount(L, fn, key, 0);
    if (!(p->share_nev > 0 || p->share_ice > 0))
        luaL_error(L, "%s: '%s' bounds a share of the price, but no share is given (set 'share', "
                      "'share_nev' or 'share_ice')", fn, key);
    return v;
}

/* Raises "<fn>: <core message>" when the core rejects the definition. */
static void core_check(lua_State *L, const char *fn, int rc, const sp_err *err)
{
    if (rc != SP_OK)
        luaL_error(L, "%s: %s", fn, err->msg);
}

/* sp.scrappage{ name =, start =, ["end"] = | months =, amount = | amount_nev =,
 *               amount_ice =, share = | share_nev =, share_ice =, cap =, floor =,
 *               budget = 0, filter = "emission <= 3" } -> measure */
static int l_scrappage(lua_State *L)
{
    static const char *const keys[] = {"name",      "start",     "end",       "months",
                                       "amount",    "amount_nev", "amount_ice", "share",
                                       "share_nev", "share_ice", "cap",       "floor",
                                       "budget",    "filter",    NULL};
    const char *fn = "sp.scrappage";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, SP_MEASURE_SCRAPPAGE);
    sp_scrappage_def *d = &lm->m.def.scrappage;
    *d = sp_scrappage_def_default();
    read_span(L, fn, &d->start_month, &d->end_month);
    fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    read_fuel_pay(L, fn, 1, &p);
    d->amount_nev = p.amount_nev;
    d->amount_ice = p.amount_ice;
    d->share_nev = p.share_nev;
    d->share_ice = p.share_ice;
    d->cap = read_bound(L, fn, "cap", &p);
    d->floor = read_bound(L, fn, "floor", &p);
    if (d->cap > 0 && d->floor > d->cap) {
        char a[32], b[32];
        luaL_error(L, "%s: 'floor' %s is above 'cap' %s", fn, num(a, sizeof a, d->floor),
                   num(b, sizeof b, d->cap));
    }
    d->budget = sp_l_measure_number(L, fn, "budget", 0);
    if (d->budget < 0)
        luaL_error(L, "%s: 'budget' must be 0 (unlimited) or more yuan, got %s", fn,
                   shown(L, d->budget));
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);

    sp_err err;
    sp_err_clear(&err);
    core_check(L, fn, sp_scrappage_validate(d, &err), &err);
    char m[8], def[SP_NAME_MAX];
    month_text(d->start_month, m);
    snprintf(def, sizeof def, "scrappage %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

/* sp.purchase_subsidy{ name =, start =, ["end"] = | months =, amount_nev =,
 *                      amount_ice =, share_nev =, share_ice =, cap = } -> measure */
static int l_purchase_subsidy(lua_State *L)
{
    static const char *const keys[] = {"name",       "start",     "end",       "months", "amount_nev",
                                       "amount_ice", "share_nev", "share_ice", "cap",    NULL};
    const char *fn = "sp.purchase_subsidy";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, SP_MEASURE_PURCHASE_SUBSIDY);
    sp_purchase_subsidy_def *d = &lm->m.def.purchase;
    *d = sp_purchase_subsidy_def_default();
    read_span(L, fn, &d->start_month, &d->end_month);
    fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
    read_fuel_pay(L, fn, 0, &p);
    d->amount_nev = p.amount_nev;
    d->amount_ice = p.amount_ice;
    d->share_nev = p.share_nev;
    d->share_ice = p.share_ice;
    d->cap = read_bound(L, fn, "cap", &p);

    sp_err err;
    sp_err_clear(&err);
    core_check(L, fn, sp_purchase_subsidy_validate(d, &err), &err);
    char m[8], def[SP_NAME_MAX];
    month_text(d->start_month, m);
    snprintf(def, sizeof def, "purchase subsidy %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

/* sp.cash_transfer{ name =, start =, amount =, months =, filter = } -> measure */
static int l_cash_transfer(lua_State *L)
{
    static const char *const keys[] = {"name", "start", "amount", "months", "filter", NULL};
    const char *fn = "sp.cash_transfer";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, SP_MEASURE_CASH_TRANSFER);
    sp_cash_transfer_def *d = &lm->m.def.transfer;
    *d = sp_cash_transfer_def_default();
    if (!sp_l_measure_month(L, fn, "start", &d->start_month))
        luaL_error(L, "%s: 'start' is required (the month of payment, e.g. start = \"2020-07\")",
                   fn);
    if (!sp_l_has(L, 1, "amount"))
        luaL_error(L, "%s: 'amount' is required (yuan per household, e.g. amount = 1000)", fn);
    d->amount = sp_l_measure_number(L, fn, "amount", 0);
    if (!(d->amount > 0))
        luaL_error(L, "%s: 'amount' must be more than 0 yuan per household, got %s", fn,
                   shown(L, d->amount));
    if (sp_l_has(L, 1, "months"))
        d->months = (int)sp_l_getinteger(L, 1, fn, "months", 1, 24, 0);
    d->filter[0] = '\0';
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);

    sp_err err;
    sp_err_clear(&err);
    core_check(L, fn, sp_cash_transfer_validate(d, &err), &err);
    char m[8], a[32], def[SP_NAME_MAX];
    month_text(d->start_month, m);
    snprintf(def, sizeof def, "cash transfer %s %s", m, num(a, sizeof a, d->amount));
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

/* ---- fields and descriptions (hooks of the measure type) ---- */

static void push_month(lua_State *L, int month)
{
    char m[8];
    month_text(month, m);
    lua_pushstring(L, m);
}

static void push_filter(lua_State *L, const char *filter)
{
    if (filter[0])
        lua_pushstring(L, filter);
    else
        lua_pushnil(L);
}

/* Fields shared by the two car subsidies. */
static int span_field(lua_State *L, int start, int end, const char *key)
{
    if (strcmp(key, "start") == 0)
        push_month(L, start);
    else if (strcmp(key, "end") == 0)
        push_month(L, end);
    else if (strcmp(key, "months") == 0)
        lua_pushinteger(L, end - start + 1);
    else
        return 0;
    return 1;
}

static int pay_field(lua_State *L, const fuel_pay *p, double cap, const char *key)
{
    if (strcmp(key, "amount_nev") == 0)
        lua_pushnumber(L, p->amount_nev);
    else if (strcmp(key, "amount_ice") == 0)
        lua_pushnumber(L, p->amount_ice);
    else if (strcmp(key, "share_nev") == 0)
        lua_pushnumber(L, p->share_nev);
    else if (strcmp(key, "share_ice") == 0)
        lua_pushnumber(L, p->share_ice);
    else if (strcmp(key, "cap") == 0)
        lua_pushnumber(L, cap);
    else
        return 0;
    return 1;
}

int sp_l_cars_field(lua_State *L, const sp_measure *m, const char *key)
{
    switch (m->kind) {
    case SP_MEASURE_SCRAPPAGE: {
        const sp_scrappage_def *d = &m->def.scrappage;
        fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
        if (span_field(L, d->start_month, d->end_month, key) || pay_field(L, &p, d->cap, key))
            return 1;
        if (strcmp(key, "floor") == 0)
            lua_pushnumber(L, d->floor);
        else if (strcmp(key, "budget") == 0)
            lua_pushnumber(L, d->budget);
        else if (strcmp(key, "filter") == 0)
            push_filter(L, d->filter);
        else
            return 0;
        return 1;
    }
    case SP_MEASURE_PURCHASE_SUBSIDY: {
        const sp_purchase_subsidy_def *d = &m->def.purchase;
        fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
        return span_field(L, d->start_month, d->end_month, key) || pay_field(L, &p, d->cap, key);
    }
    case SP_MEASURE_CASH_TRANSFER: {
        const sp_cash_transfer_def *d = &m->def.transfer;
        if (strcmp(key, "start") == 0)
            push_month(L, d->start_month);
        else if (strcmp(key, "amount") == 0)
            lua_pushnumber(L, d->amount);
        else if (strcmp(key, "months") == 0) {
            if (d->months > 0)
                lua_pushinteger(L, d->months);
            else
                lua_pushnil(L); /* the parameter mpc_months */
        } else if (strcmp(key, "filter") == 0)
            push_filter(L, d->filter);
        else
            return 0;
        return 1;
    }
    default: return 0;
    }
}

/* "16% of the price", "10000 yuan", "nothing". */
static void fuel_text(char *buf, size_t n, double share, double amount)
{
    char a[32];
    if (share > 0)
        snprintf(buf, n, "%.10g%% of the price", share * 100);
    else if (amount > 0)
        snprintf(buf, n, "%s yuan", num(a, sizeof a, amount));
    else
        snprintf(buf, n, "nothing");
}

/* "NEV and ICE 16% of the price" or "NEV 10000 yuan, ICE nothing". */
static void pay_text(char *buf, size_t n, const fuel_pay *p)
{
    char nev[64], ice[64];
    fuel_text(nev, sizeof nev, p->share_nev, p->amount_nev);
    fuel_text(ice, sizeof ice, p->share_ice, p->amount_ice);
    if (strcmp(nev, ice) == 0)
        snprintf(buf, n, "NEV and ICE %s", nev);
    else
        snprintf(buf, n, "NEV %s, ICE %s", nev, ice);
}

/* "2020-07..2020-08" or "2020-07" for one month. */
static void span_text(char *buf, size_t n, int start, int end)
{
    char a[8], b[8];
    month_text(start, a);
    month_text(end, b);
    if (start == end)
        snprintf(buf, n, "%s", a);
    else
        snprintf(buf, n, "%s..%s", a, b);
}

void sp_l_cars_tostring(lua_State *L, const sp_measure *m)
{
    char pay[160], span[24], a[32], b[32], budget[64], bounds[96] = "";
    switch (m->kind) {
    case SP_MEASURE_SCRAPPAGE: {
        const sp_scrappage_def *d = &m->def.scrappage;
        fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
        pay_text(pay, sizeof pay, &p);
        span_text(span, sizeof span, d->start_month, d->end_month);
        if (d->floor > 0 && d->cap > 0)
            snprintf(bounds, sizeof bounds, " within %s..%s yuan", num(a, sizeof a, d->floor),
                     num(b, sizeof b, d->cap));
        else if (d->cap > 0)
            snprintf(bounds, sizeof bounds, ", cap %s yuan", num(a, sizeof a, d->cap));
        else if (d->floor > 0)
            snprintf(bounds, sizeof bounds, ", floor %s yuan", num(a, sizeof a, d->floor));
        if (d->budget > 0)
            snprintf(budget, sizeof budget, "budget %s yuan", num(a, sizeof a, d->budget));
        else
            snprintf(budget, sizeof budget, "unlimited budget");
        if (d->filter[0])
            lua_pushfstring(L, "scrappage: %s (%s; per car replaced: %s%s; %s; eligible: %s)",
                            m->name, span, pay, bounds, budget, d->filter);
        else
            lua_pushfstring(L, "scrappage: %s (%s; per car replaced: %s%s; %s; every car owner)",
                            m->name, span, pay, bounds, budget);
        return;
    }
    case SP_MEASURE_PURCHASE_SUBSIDY: {
        const sp_purchase_subsidy_def *d = &m->def.purchase;
        fuel_pay p = {d->amount_nev, d->amount_ice, d->share_nev, d->share_ice};
        pay_text(pay, sizeof pay, &p);
        span_text(span, sizeof span, d->start_month, d->end_month);
        if (d->cap > 0)
            snprintf(bounds, sizeof bounds, ", cap %s yuan", num(a, sizeof a, d->cap));
        lua_pushfstring(L, "purchase subsidy: %s (%s; per new car: %s%s)", m->name, span, pay,
                        bounds);
        return;
    }
    case SP_MEASURE_CASH_TRANSFER: {
        const sp_cash_transfer_def *d = &m->def.transfer;
        char mo[8], spread[48];
        month_text(d->start_month, mo);
        if (d->months > 0)
            snprintf(spread, sizeof spread, "spent over %d month%s", d->months,
                     d->months == 1 ? "" : "s");
        else
            snprintf(spread, sizeof spread, "spent over mpc_months (a parameter)");
        if (d->filter[0])
            lua_pushfstring(L, "cash transfer: %s (%s yuan per household in %s, %s; to: %s)",
                            m->name, num(a, sizeof a, d->amount), mo, spread, d->filter);
        else
            lua_pushfstring(L, "cash transfer: %s (%s yuan per household in %s, %s; to everyone)",
                            m->name, num(a, sizeof a, d->amount), mo, spread);
        return;
    }
    default: lua_pushfstring(L, "measure: %s", m->name); return;
    }
}

void sp_l_open_cars(lua_State *L, int module)
{
    lua_pushcfunction(L, l_scrappage);
    lua_setfield(L, module, "scrappage");
    lua_pushcfunction(L, l_purchase_subsidy);
    lua_setfield(L, module, "purchase_subsidy");
    lua_pushcfunction(L, l_cash_transfer);
    lua_setfield(L, module, "cash_transfer");
}
