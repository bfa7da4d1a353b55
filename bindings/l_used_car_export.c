/* l_used_car_export.c: sp.used_car_export{...}, easier transfer of used cars
 * out of Beijing (binding of core/used_car_export.h). The constructor reads
 * its named arguments into the core's defaulted definition, checks every value
 * under the key the scenario wrote, compiles the filter once and validates
 * with the core; the result is a measure value. Units: yuan per car, shares of
 * the car's used value, years of car age, calendar months. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

static const char *standard_name(int k) { return sp_emission_standard_name(k + SP_EMISSION_MIN); }

/* standards = { "IV", "V" } (names II..VI, or the numbers 2..6) */
static void read_standards(lua_State *L, const char *fn, sp_used_car_export_def *d)
{
    int t = lua_getfield(L, 1, "standards");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        luaL_error(L, "%s: 'standards' must be a list of China emission standards (\"II\" .. \"VI\"), got %s",
                   fn, sp_l_typename(L, -1));
    d->standards = 0;
    const int nstd = SP_EMISSION_MAX - SP_EMISSION_MIN + 1;
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_rawgeti(L, -1, k);
        int s;
        if (lua_type(L, -1) == LUA_TNUMBER) {
            lua_Number v = lua_tonumber(L, -1);
            if (!(v >= SP_EMISSION_MIN && v <= SP_EMISSION_MAX && v == floor(v)))
                luaL_error(L, "%s: unknown emission standard %s in 'standards' (valid: II, III, IV, V, VI or 2..6)",
                           fn, lua_tostring(L, -1));
            s = (int)v;
        } else if (lua_type(L, -1) == LUA_TSTRING) {
            s = sp_l_checkname(L, fn, "emission standard", lua_tostring(L, -1), standard_name, nstd) +
                SP_EMISSION_MIN;
        } else {
            luaL_error(L, "%s: 'standards' entries must be names or numbers, got %s", fn, sp_l_typename(L, -1));
            return;
        }
        d->standards |= 1u << s;
        lua_pop(L, 1);
    }
    if (!d->standards)
        luaL_error(L, "%s: 'standards' must name at least one emission standard", fn);
    lua_pop(L, 1);
}

/* A number of yuan >= 0 under `key`, or def. */
static double read_yuan(lua_State *L, const char *fn, const char *key, double def)
{
    double v = sp_l_measure_number(L, fn, key, def);
    if (v < 0)
        luaL_error(L, "%s: '%s' must be 0 or more yuan, got %s", fn, key, sp_l_shown(L, v));
    return v;
}

/* A share in 0..1 under `key` (what it is a share of: `of`), or def. */
static double read_share(lua_State *L, const char *fn, const char *key, const char *of, double def)
{
    double v = sp_l_measure_number(L, fn, key, def);
    if (v < 0 || v > 1)
        luaL_error(L, "%s: '%s' must lie in 0..1 (share of %s), got %s", fn, key, of, sp_l_shown(L, v));
    return v;
}

/* A car age in years (0..100) under `key`, as months; def months when absent. */
static int read_age(lua_State *L, const char *fn, const char *key, int def)
{
    if (!sp_l_has(L, 1, key))
        return def;
    double v = sp_l_measure_number(L, fn, key, 0);
    if (v < 0 || v > 100)
        luaL_error(L, "%s: '%s' must lie in 0..100 years of car age, got %s", fn, key, sp_l_shown(L, v));
    return (int)lround(v * 12.0);
}

/* sp.used_car_export{ name =, start =, ["end"] = | months =, standards =,
 *   min_age =, max_age =, value_gain =, value_gain_amount =, transaction_cost =,
 *   subsidy = 0, budget = 0, export_share = 0.65, filter = } -> measure */
static int l_used_car_export(lua_State *L)
{
    static const char *const keys[] = {"name",       "start",      "end",
                                       "months",     "standards",  "min_age",
                                       "max_age",    "value_gain", "value_gain_amount",
                                       "transaction_cost", "subsidy", "budget",
                                       "export_share", "filter",   NULL};
    const char *fn = "sp.used_car_export";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    sp_l_measure *lm = sp_l_newmeasure(L, &sp_used_car_export_measure);
    sp_used_car_export_def *d = sp_l_measure_def(lm);
    *d = sp_used_car_export_def_default();
    sp_l_measure_span(L, fn, &d->start_month, &d->end_month);
    read_standards(L, fn, d);
    d->min_age = read_age(L, fn, "min_age", d->min_age);
    d->max_age = read_age(L, fn, "max_age", d->max_age);
    if (d->max_age != 0 && d->max_age < d->min_age)
        luaL_error(L, "%s: 'max_age' %s years is below 'min_age' %s years (0 = no upper limit)", fn,
                   sp_l_shown(L, d->max_age / 12.0), sp_l_shown(L, d->min_age / 12.0));
    d->value_gain = read_share(L, fn, "value_gain", "the car's used value", d->value_gain);
    d->value_gain_amount = read_yuan(L, fn, "value_gain_amount", d->value_gain_amount);
    d->transaction_cost = read_yuan(L, fn, "transaction_cost", d->transaction_cost);
    d->subsidy = read_yuan(L, fn, "subsidy", d->subsidy);
    d->budget = read_yuan(L, fn, "budget", d->budget);
    d->export_share = read_share(L, fn, "export_share", "the qualifying cars replaced", d->export_share);
    d->filter[0] = '\0';
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_measure_check(L, fn, lm);
    char m[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    snprintf(def, sizeof def, "used-car export %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_used_car_export_def *d = sp_measure_def(&lm->m);
    if (sp_l_span_field(L, d->start_month, d->end_month, key))
        return 1;
    if (strcmp(key, "standards") == 0) {
        lua_newtable(L);
        for (int s = SP_EMISSION_MIN, k = 1; s <= SP_EMISSION_MAX; s++)
            if (d->standards >> s & 1u) {
                lua_pushstring(L, sp_emission_standard_name(s));
                lua_rawseti(L, -2, k++);
            }
    } else if (strcmp(key, "min_age") == 0) {
        lua_pushnumber(L, d->min_age / 12.0);
    } else if (strcmp(key, "max_age") == 0) {
        lua_pushnumber(L, d->max_age / 12.0);
    } else if (strcmp(key, "value_gain") == 0) {
        lua_pushnumber(L, d->value_gain);
    } else if (strcmp(key, "value_gain_amount") == 0) {
        lua_pushnumber(L, d->value_gain_amount);
    } else if (strcmp(key, "transaction_cost") == 0) {
        lua_pushnumber(L, d->transaction_cost);
    } else if (strcmp(key, "subsidy") == 0) {
        lua_pushnumber(L, d->subsidy);
    } else if (strcmp(key, "budget") == 0) {
        lua_pushnumber(L, d->budget);
    } else if (strcmp(key, "export_share") == 0) {
        lua_pushnumber(L, d->export_share);
    } else if (strcmp(key, "filter") == 0) {
        sp_l_push_filter(L, d->filter);
    } else {
        return 0;
    }
    return 1;
}

/* "used-car export: X (2020-06 to 2022-12; China IV, V cars of 6-12 years; gain 10% of value + 1000 yuan; ...)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_used_car_export_def *d = sp_measure_def(&lm->m);
    char span[64], stds[64] = "", lo[32], hi[32], g[32], ga[32], tc[32], sub[32], bud[32], ex[32];
    sp_l_span_text(span, sizeof span, d->start_month, d->end_month);
    for (int s = SP_EMISSION_MIN; s <= SP_EMISSION_MAX; s++)
        if (d->standards >> s & 1u) {
            size_t k = strlen(stds);
            snprintf(stds + k, sizeof stds - k, "%s%s", k ? ", " : "", sp_emission_standard_name(s));
        }
    sp_l_num(lo, sizeof lo, d->min_age / 12.0);
    if (d->max_age)
        sp_l_num(hi, sizeof hi, d->max_age / 12.0);
    else
        snprintf(hi, sizeof hi, "any");
    lua_pushfstring(L,
                    "used-car export: %s (%s; China %s cars of %s-%s years; gain %s of the used value + %s "
                    "yuan, %s yuan of transaction costs saved; subsidy %s yuan a car, budget %s; export "
                    "share %s%s%s)",
                    lm->m.name, span, stds, lo, hi, sp_l_num(g, sizeof g, d->value_gain),
                    sp_l_num(ga, sizeof ga, d->value_gain_amount), sp_l_num(tc, sizeof tc, d->transaction_cost),
                    sp_l_num(sub, sizeof sub, d->subsidy), sp_l_num(bud, sizeof bud, d->budget),
                    sp_l_num(ex, sizeof ex, d->export_share), d->filter[0] ? "; to: " : "", d->filter);
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_used_car_export);
    lua_setfield(L, module, "used_car_export");
}

const sp_l_kind sp_l_used_car_export_kind = {&sp_used_car_export_measure, open_kind, field, tostring};
