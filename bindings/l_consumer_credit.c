/* l_consumer_credit.c: sp.consumer_credit{...}, a consumer credit product
 * (binding of core/consumer_credit.h). The constructor reads its named
 * arguments into the core's defaulted definition, checks every value under
 * the key the scenario wrote, compiles the filter once and validates with the
 * core; the result is a measure value. Units: yuan, shares a year, months. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

static const char *purpose_name(int p) { return sp_credit_purpose_name(p); }

/* sp.consumer_credit{ name =, start =, ["end"] = | months =, purpose =,
 *   limit =, rate =, term =, subsidy_rate =, subsidy_cap =, filter =, budget = 0 } -> measure
 * budget: yuan of interest subsidy; loans are admitted first come while the
 * subsidy they commit over their term fits it. */
static int l_consumer_credit(lua_State *L)
{
    static const char *const keys[] = {"name", "start", "end", "months", "purpose", "limit", "rate",
                                       "term", "subsidy_rate", "subsidy_cap", "filter", "budget",
                                       NULL};
    const char *fn = "sp.consumer_credit";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    sp_l_measure *lm = sp_l_newmeasure(L, &sp_consumer_credit_measure);
    sp_consumer_credit_def *d = sp_l_measure_def(lm);
    *d = sp_consumer_credit_def_default();
    sp_l_measure_span(L, fn, &d->start_month, &d->end_month);
    const char *p = sp_l_getstring(L, 1, fn, "purpose", NULL);
    if (p)
        d->purpose = (sp_credit_purpose)sp_l_checkname(L, fn, "purpose", p, purpose_name, SP_NCREDIT_PURPOSE);
    d->limit = sp_l_measure_number(L, fn, "limit", d->limit);
    if (!(d->limit > 0))
        luaL_error(L, "%s: 'limit' must be more than 0 yuan, got %s", fn, sp_l_shown(L, d->limit));
    d->rate = sp_l_measure_number(L, fn, "rate", d->rate);
    if (d->rate < 0 || d->rate > 1)
        luaL_error(L, "%s: 'rate' must lie in 0..1 a year (0.03 = 3%%), got %s", fn, sp_l_shown(L, d->rate));
    if (sp_l_has(L, 1, "term")) {
        lua_Integer t = sp_l_getinteger(L, 1, fn, "term", INT_MIN, INT_MAX, 0);
        if (t < 1 || t > 360)
            luaL_error(L, "%s: 'term' must be 1..360 months, got %I", fn, (LUAI_UACINT)t);
        d->term = (int)t;
    }
    d->subsidy_rate = sp_l_measure_number(L, fn, "subsidy_rate", 0); /* no subsidy unless given */
    if (d->subsidy_rate < 0 || d->subsidy_rate > d->rate)
        luaL_error(L, "%s: 'subsidy_rate' must lie in 0..rate (%s), got %s", fn, sp_l_shown(L, d->rate),
                   sp_l_shown(L, d->subsidy_rate));
    d->budget = sp_l_measure_number(L, fn, "budget", 0);
    if (!(d->budget >= 0))
        luaL_error(L, "%s: 'budget' must be 0 (none) or more yuan, got %s", fn, sp_l_shown(L, d->budget));
    d->subsidy_cap = sp_l_measure_number(L, fn, "subsidy_cap", 0);
    if (d->subsidy_cap < 0)
        luaL_error(L, "%s: 'subsidy_cap' must be 0 (none) or more yuan per loan, got %s", fn,
                   sp_l_shown(L, d->subsidy_cap));
    sp_l_measure_filter(L, fn, "filter", d->filter, sizeof d->filter);
    sp_l_measure_check(L, fn, lm);
    char m[8], def[SP_NAME_MAX];
    sp_month_format(d->start_month, m);
    snprintf(def, sizeof def, "%s credit %s", sp_credit_purpose_name(d->purpose), m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_consumer_credit_def *d = sp_measure_def(&lm->m);
    if (sp_l_span_field(L, d->start_month, d->end_month, key))
        return 1;
    if (strcmp(key, "purpose") == 0)
        lua_pushstring(L, sp_credit_purpose_name(d->purpose));
    else if (strcmp(key, "limit") == 0)
        lua_pushnumber(L, d->limit);
    else if (strcmp(key, "rate") == 0)
        lua_pushnumber(L, d->rate);
    else if (strcmp(key, "term") == 0)
        lua_pushinteger(L, d->term);
    else if (strcmp(key, "subsidy_rate") == 0)
        lua_pushnumber(L, d->subsidy_rate);
    else if (strcmp(key, "subsidy_cap") == 0)
        lua_pushnumber(L, d->subsidy_cap);
    else if (strcmp(key, "budget") == 0) {
        if (d->budget > 0)
            lua_pushnumber(L, d->budget);
        else
            lua_pushnil(L);
    } else if (strcmp(key, "filter") == 0)
        sp_l_push_filter(L, d->filter);
    else
        return 0;
    return 1;
}

/* "consumer credit: X (home_improvement, 2025-09..2026-08; up to 50000 yuan
 * at 0.03 a year over 24 months, interest subsidy 0.01 a year, at most 3000
 * yuan per loan; every household)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_consumer_credit_def *d = sp_measure_def(&lm->m);
    char span[24], a[32], b[32], c[32], e[32];
    sp_l_span_text(span, sizeof span, d->start_month, d->end_month);
    lua_pushfstring(L, "consumer credit: %s (%s, %s; up to %s yuan at %s a year over %d months, "
                       "interest subsidy %s a year, at most %s yuan per loan; %s)",
                    lm->m.name, sp_credit_purpose_name(d->purpose), span, sp_l_num(a, sizeof a, d->limit),
                    sp_l_num(b, sizeof b, d->rate), d->term, sp_l_num(c, sizeof c, d->subsidy_rate),
                    d->subsidy_cap > 0 ? sp_l_num(e, sizeof e, d->subsidy_cap) : "unlimited",
                    d->filter[0] ? d->filter : "every household");
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_consumer_credit);
    lua_setfield(L, module, "consumer_credit");
}

const sp_l_kind sp_l_consumer_credit_kind = {&sp_consumer_credit_measure, open_kind, field, tostring};
