/* l_cash_transfer.c: sp.cash_transfer{...}, cash to a target group (binding
 * of core/cash_transfer.h). The constructor reads its named arguments into
 * the core's defaulted definition, compiles the filter once (errors at the
 * scenario line) and validates with the core; the result is a measure value.
 * Units: yuan per household, calendar months. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

/* sp.cash_transfer{ name =, start =, amount =, months =, filter =, budget = } -> measure
 * With a budget, amount may be left out: each household of the group then
 * receives the budget shared out; with both, recipients are capped. */
static int l_cash_transfer(lua_State *L)
{
    static const char *const keys[] = {"name", "start", "amount", "months", "filter", "budget", NULL};
    const char *fn = "sp.cash_transfer";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_cash_transfer_measure);
    sp_cash_transfer_def *d = sp_l_measure_def(lm);
    *d = sp_cash_transfer_def_default();
    if (!sp_l_measure_month(L, fn, "start", &d->start_month))
        luaL_error(L, "%s: 'start' is required (the month of payment, e.g. start = \"2020-07\")",
                   fn);
    d->budget = sp_l_measure_number(L, fn, "budget", 0);
    if (!(d->budget >= 0) || d->budget > SP_L_MEASURE_NUMBER_MAX)
        luaL_error(L, "%s: 'budget' must be 0 (none) or a positive amount of yuan, got %s", fn,
                   sp_l_shown(L, d->budget));
    if (!sp_l_has(L, 1, "amount") && !(d->budget > 0))
        luaL_error(L, "%s: 'amount' is required without a 'budget' (yuan per household, e.g. "
                      "amount = 1000)", fn);
    d->amount = sp_l_measure_number(L, fn, "amount", 0);
    if (sp_l_has(L, 1, "amount") && !(d->amount > 0))
        luaL_error(L, "%s: 'amount' must be more than 0 yuan per household, got %s", fn,
                   sp_l_shown(L, d->amount));
    if (sp_l_has(L, 1, "months"))
        d->months = (int)sp_l_getinteger(L, 1, fn, "months", 1, 24, 0);
    d->filter[0] = '\0';
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_measure_check(L, fn, lm);
    char m[8], a[32], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    if (d->amount > 0)
        snprintf(def, sizeof def, "cash transfer %s %s", m, sp_l_num(a, sizeof a, d->amount));
    else
        snprintf(def, sizeof def, "cash transfer %s budget %s", m, sp_l_num(a, sizeof a, d->budget));
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_cash_transfer_def *d = sp_measure_def(&lm->m);
    if (strcmp(key, "start") == 0)
        sp_l_push_month(L, d->start_month);
    else if (strcmp(key, "amount") == 0) {
        if (d->amount > 0)
            lua_pushnumber(L, d->amount);
        else
            lua_pushnil(L); /* the budget shared out over the group */
    } else if (strcmp(key, "budget") == 0) {
        if (d->budget > 0)
            lua_pushnumber(L, d->budget);
        else
            lua_pushnil(L);
    } else if (strcmp(key, "months") == 0) {
        if (d->months > 0)
            lua_pushinteger(L, d->months);
        else
            lua_pushnil(L); /* the parameter mpc_months */
    } else if (strcmp(key, "filter") == 0)
        sp_l_push_filter(L, d->filter);
    else
        return 0;
    return 1;
}

/* "cash transfer: X (1000 yuan per household in 2020-07, spent over 3 months; to: ...)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_cash_transfer_def *d = sp_measure_def(&lm->m);
    char mo[8], a[64], spread[48];
    sp_month_format(d->start_month, mo);
    if (d->budget > 0) {
        char b[32], x[32];
        if (d->amount > 0)
            snprintf(a, sizeof a, "%s (budget %s)", sp_l_num(x, sizeof x, d->amount),
                     sp_l_num(b, sizeof b, d->budget));
        else
            snprintf(a, sizeof a, "budget %s shared out,", sp_l_num(b, sizeof b, d->budget));
    } else {
        sp_l_num(a, sizeof a, d->amount);
    }
    if (d->months > 0)
        snprintf(spread, sizeof spread, "spent over %d month%s", d->months, d->months == 1 ? "" : "s");
    else
        snprintf(spread, sizeof spread, "spent over mpc_months (a parameter)");
    if (d->filter[0])
        lua_pushfstring(L, "cash transfer: %s (%s yuan per household in %s, %s; to: %s)", lm->m.name,
                        a, mo, spread, d->filter);
    else
        lua_pushfstring(L, "cash transfer: %s (%s yuan per household in %s, %s; to everyone)",
                        lm->m.name, a, mo, spread);
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_cash_transfer);
    lua_setfield(L, module, "cash_transfer");
}

const sp_l_kind sp_l_cash_transfer_kind = {&sp_cash_transfer_measure, open_kind, field, tostring};
