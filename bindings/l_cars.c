/* l_cars.c: what the bindings of the car subsidies share (l_scrappage.c,
 * l_purchase_subsidy.c): reading, showing and describing a per-fuel payment
 * (a fixed amount or a share of the new car's price, for NEVs and ICE cars,
 * core/cars.h's sp_cars_share_subsidy) and a programme's span of months.
 * Each reader checks its value with the key the scenario wrote (so "'share'
 * must lie in 0..1" names `share`, not the core's share_nev). Units: yuan per
 * vehicle, shares of the new car's price, calendar months. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* An amount of yuan >= 0, or def when absent. */
static double read_amount(lua_State *L, const char *fn, const char *key, double def)
{
    double v = sp_l_measure_number(L, fn, key, def);
    if (v < 0)
        luaL_error(L, "%s: '%s' must be 0 or more yuan, got %s", fn, key, sp_l_shown(L, v));
    return v;
}

/* A share of the price in 0..1, or def when absent. */
static double read_share(lua_State *L, const char *fn, const char *key, double def)
{
    double v = sp_l_measure_number(L, fn, key, def);
    if (v < 0 || v > 1)
        luaL_error(L, "%s: '%s' must lie in 0..1 (a share of the new car's price), got %s", fn,
                   key, sp_l_shown(L, v));
    return v;
}

void sp_l_read_fuel_pay(lua_State *L, const char *fn, int both, sp_l_fuel_pay *p)
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
double sp_l_read_bound(lua_State *L, const char *fn, const char *key, const sp_l_fuel_pay *p)
{
    if (!sp_l_has(L, 1, key))
        return 0;
    double v = read_amount(L, fn, key, 0);
    if (!(p->share_nev > 0 || p->share_ice > 0))
        luaL_error(L, "%s: '%s' bounds a share of the price, but no share is given (set 'share', "
                      "'share_nev' or 'share_ice')", fn, key);
    return v;
}

int sp_l_span_field(lua_State *L, int start, int end, const char *key)
{
    if (strcmp(key, "start") == 0)
        sp_l_push_month(L, start);
    else if (strcmp(key, "end") == 0)
        sp_l_push_month(L, end);
    else if (strcmp(key, "months") == 0)
        lua_pushinteger(L, end - start + 1);
    else
        return 0;
    return 1;
}

int sp_l_pay_field(lua_State *L, const sp_l_fuel_pay *p, double cap, const char *key)
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

/* "16% of the price", "10000 yuan", "nothing". */
static void fuel_text(char *buf, size_t n, double share, double amount)
{
    char a[32];
    if (share > 0)
        snprintf(buf, n, "%.10g%% of the price", share * 100);
    else if (amount > 0)
        snprintf(buf, n, "%s yuan", sp_l_num(a, sizeof a, amount));
    else
        snprintf(buf, n, "nothing");
}

void sp_l_pay_text(char *buf, size_t n, const sp_l_fuel_pay *p)
{
    char nev[64], ice[64];
    fuel_text(nev, sizeof nev, p->share_nev, p->amount_nev);
    fuel_text(ice, sizeof ice, p->share_ice, p->amount_ice);
    if (strcmp(nev, ice) == 0)
        snprintf(buf, n, "NEV and ICE %s", nev);
    else
        snprintf(buf, n, "NEV %s, ICE %s", nev, ice);
}

void sp_l_span_text(char *buf, size_t n, int start, int end)
{
    char a[8], b[8];
    sp_month_format(start, a);
    sp_month_format(end, b);
    if (start == end)
        snprintf(buf, n, "%s", a);
    else
        snprintf(buf, n, "%s..%s", a, b);
}

void sp_l_read_restrict(lua_State *L, const char *fn, sp_car_restrict *r)
{
    if (sp_l_has(L, 1, "classes")) {
        lua_getfield(L, 1, "classes");
        if (!lua_istable(L, -1))
            luaL_error(L, "%s: 'classes' must be a list of vehicle class names, got %s", fn,
                       luaL_typename(L, -1));
        r->classes = 0;
        lua_Integer len = luaL_len(L, -1);
        if (len < 1)
            luaL_error(L, "%s: 'classes' is empty: give at least one vehicle class", fn);
        for (lua_Integer k = 1; k <= len; k++) {
            lua_geti(L, -1, k);
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "%s: 'classes'[%d] must be a vehicle class name, got %s", fn, (int)k,
                           luaL_typename(L, -1));
            char where[96];
            snprintf(where, sizeof where, "%s: 'classes'", fn);
            int c = sp_l_checkname(L, where, "vehicle class", lua_tostring(L, -1), sp_vehicle_class_name,
                                   SP_NVCLASS);
            r->classes |= 1u << c;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    r->max_fuel = sp_l_measure_number(L, fn, "max_fuel", r->max_fuel);
    if (r->max_fuel < 0)
        luaL_error(L, "%s: 'max_fuel' must be 0 (no limit) or more litres per 100 km, got %s", fn,
                   sp_l_shown(L, r->max_fuel));
    r->max_price = sp_l_measure_number(L, fn, "max_price", r->max_price);
    if (r->max_price < 0)
        luaL_error(L, "%s: 'max_price' must be 0 (no limit) or more yuan, got %s", fn,
                   sp_l_shown(L, r->max_price));
    r->nev_only = sp_l_getboolean(L, 1, fn, "nev_only", r->nev_only);
    sp_err err;
    sp_err_clear(&err);
    if (sp_car_restrict_validate(r, &err) != SP_OK)
        luaL_error(L, "%s: %s", fn, err.msg);
}

int sp_l_restrict_field(lua_State *L, const sp_car_restrict *r, const char *key)
{
    if (strcmp(key, "classes") == 0) {
        lua_newtable(L);
        int n = 0;
        for (int k = 0; k < SP_NVCLASS; k++)
            if (!r->classes || (r->classes & (1u << k))) {
                lua_pushstring(L, sp_vehicle_class_name(k));
                lua_rawseti(L, -2, ++n);
            }
    } else if (strcmp(key, "max_fuel") == 0) {
        lua_pushnumber(L, r->max_fuel);
    } else if (strcmp(key, "max_price") == 0) {
        lua_pushnumber(L, r->max_price);
    } else if (strcmp(key, "nev_only") == 0) {
        lua_pushboolean(L, r->nev_only);
    } else {
        return 0;
    }
    return 1;
}

void sp_l_restrict_text(char *buf, size_t n, const sp_car_restrict *r)
{
    char a[32];
    size_t used = 0;
    buf[0] = 0;
#define ADD(...) (used += (size_t)snprintf(buf + used, used < n ? n - used : 0, __VA_ARGS__))
    if (r->classes) {
        ADD("; only");
        const char *sep = " ";
        for (int k = 0; k < SP_NVCLASS; k++)
            if (r->classes & (1u << k)) {
                ADD("%s%s", sep, sp_vehicle_class_name(k));
                sep = ", ";
            }
    }
    if (r->nev_only)
        ADD("; NEVs only");
    if (r->max_fuel > 0)
        ADD("; at most %s L/100 km", sp_l_num(a, sizeof a, r->max_fuel));
    if (r->max_price > 0)
        ADD("; price at most %s yuan", sp_l_num(a, sizeof a, r->max_price));
#undef ADD
    if (used >= n && n > 0)
        buf[n - 1] = 0;
}
