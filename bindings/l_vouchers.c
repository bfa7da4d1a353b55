/* l_vouchers.c: sp.voucher{...}, the voucher measure (binding of core/vouchers.c).
 *
 * sp.voucher reads its named arguments into an sp_voucher_def, compiles the
 * filter once (to report its errors at the scenario line, then frees it) and
 * validates the definition with sp_voucher_validate. The result is a measure
 * value (sp_l_measure, see l_spendsim.h) of kind "voucher", to place as a
 * positional entry of sp.package{...} or package:with{...}. It is immutable
 * and owns no core memory; its `aux` is 1 when `start` named a day. Units: yuan, packages (the city's, not
 * sample households), days or months. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

static const char *claim_name(int k)
{
    static const char *const names[] = {"first_come", "lottery", "targeted"};
    return k >= 0 && k <= SP_CLAIM_TARGETED ? names[k] : "?";
}

/* Category names as sp.voucher accepts them: the eight, then "all". */
static const char *category_name(int c) { return c < SP_NCAT ? sp_category_name(c) : "all"; }

/* Named finite number at most 1e15 in size, or def when absent (the shared
 * reader, l_package.c). Range checks are the core's. */
static double getnumber(lua_State *L, const char *fn, const char *key, double def)
{
    return sp_l_measure_number(L, fn, key, def);
}

/* Category bit of one name (value at the top of the stack). */
static unsigned category_bits(lua_State *L, const char *fn)
{
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "%s: 'categories' must list category names, got %s", fn,
                   sp_l_typename(L, -1));
    int c = sp_l_checkname(L, fn, "category", lua_tostring(L, -1), category_name, SP_NCAT + 1);
    return c == SP_NCAT ? (1u << SP_NCAT) - 1u : 1u << c;
}

/* categories = "all" | "food" | { "food", "clothing", ... }; absent = all. */
static unsigned read_categories(lua_State *L, const char *fn, unsigned def)
{
    int t = lua_getfield(L, 1, "categories");
    unsigned bits = 0;
    if (t == LUA_TNIL) {
        bits = def;
    } else if (t == LUA_TSTRING) {
        bits = category_bits(L, fn);
    } else if (t == LUA_TTABLE) {
        int list = lua_gettop(L);
        lua_Integer n = 0;
        lua_pushnil(L);
        while (lua_next(L, list)) {
            lua_pop(L, 1);
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1)
                luaL_error(L, "%s: 'categories' must be a list of category names (unexpected "
                              "key '%s')", fn, luaL_tolstring(L, -1, NULL));
            n++;
        }
        for (lua_Integer k = 1; k <= n; k++) {
            lua_geti(L, list, k); /* nil when the list has a hole */
            bits |= category_bits(L, fn);
            lua_pop(L, 1);
        }
        if (n == 0)
            luaL_error(L, "%s: 'categories' is empty (name at least one category, or \"all\")", fn);
    } else {
        luaL_error(L, "%s: 'categories' must be \"all\", a category name or a list of them, got %s",
                   fn, sp_l_typename(L, -1));
    }
    lua_pop(L, 1);
    return bits;
}

/* start = "YYYY-MM" or "YYYY-MM-DD" (day 1..28). */
static void read_start(lua_State *L, const char *fn, sp_l_measure *lm)
{
    sp_voucher_def *d = sp_l_measure_def(lm);
    const char *s = sp_l_getstring(L, 1, fn, "start", NULL);
    if (!s)
        luaL_error(L, "%s: 'start' is required (the month the vouchers are handed out, e.g. "
                      "start = \"2020-06\" or \"2020-06-06\")", fn);
    size_t n = strlen(s);
    char month[8];
    int day = 1;
    if (n == 10 && s[7] == '-' && s[8] >= '0' && s[8] <= '9' && s[9] >= '0' && s[9] <= '9') {
        memcpy(month, s, 7);
        month[7] = '\0';
        day = (s[8] - '0') * 10 + (s[9] - '0');
        lm->aux = 1;
    } else if (n == 7) {
        memcpy(month, s, 8);
    } else {
        luaL_error(L, "%s: 'start' must be \"YYYY-MM\" or \"YYYY-MM-DD\", got \"%s\"", fn, s);
    }
    sp_err err;
    sp_err_clear(&err);
    if (sp_month_parse(month, &d->start_month, &err) != SP_OK)
        luaL_error(L, "%s: 'start': %s", fn, err.msg);
    if (day < 1 || day > 28)
        luaL_error(L, "%s: 'start': the day must be 1..28, got %d in \"%s\"", fn, day, s);
    d->start_day = day;
}

/* days = n | weeks = n | months = n (at most one; default days = 14). A
 * window of zero or fewer days or months would end before it starts. */
static void read_window(lua_State *L, const char *fn, sp_voucher_def *d)
{
    int hd = sp_l_has(L, 1, "days"), hw = sp_l_has(L, 1, "weeks"), hm = sp_l_has(L, 1, "months");
    if (hd + hw + hm > 1)
        luaL_error(L, "%s: give the validity window once: 'days', 'weeks' or 'months' (got %s)", fn,
                   hd && hm ? "'days' and 'months'" : hd && hw ? "'days' and 'weeks'"
                                                               : "'weeks' and 'months'");
    const char *key = hm ? "months" : hw ? "weeks" : "days";
    lua_Integer n = sp_l_getinteger(L, 1, fn, key, INT_MIN, INT_MAX, 14);
    if (n <= 0)
        luaL_error(L, "%s: '%s' must be at least 1, got %I (the window would end before it starts)",
                   fn, key, (LUAI_UACINT)n);
    lua_Integer max = hm ? 24 : hw ? 4 : 31;
    if (n > max)
        luaL_error(L, "%s: '%s' must be at most %I, got %I%s", fn, key, (LUAI_UACINT)max,
                   (LUAI_UACINT)n, hm ? "" : " (give longer windows of cash-like vouchers in months)");
    d->window_days = hm ? 0 : (int)(hw ? 7 * n : n);
    d->window_months = hm ? (int)n : 0;
}

/* filter = "<expression>": compiled here so that its errors (with their
 * position in the expression) point at the scenario line. */
static void read_filter(lua_State *L, const char *fn, sp_voucher_def *d)
{
    const char *text = sp_l_getstring(L, 1, fn, "filter", NULL);
    if (!text)
        return;
    sp_err err;
    sp_err_clear(&err);
    sp_filter *f = sp_filter_compile(text, &err);
    if (!f)
        luaL_error(L, "%s: 'filter': %s", fn, err.msg);
    sp_filter_free(f);
    if (strlen(text) >= sizeof d->filter) /* cannot happen: compile limits the length */
        luaL_error(L, "%s: 'filter' is longer than %d characters", fn, (int)sizeof d->filter - 1);
    strcpy(d->filter, text);
}

/* "%.15g" without an exponent for the amounts people write. */
static void amount(char *buf, size_t n, double x) { snprintf(buf, n, "%.15g", x); }

static void start_text(const sp_l_measure *lm, char buf[16])
{
    const sp_voucher_def *d = sp_measure_def(&lm->m);
    char m[8];
    sp_month_format(d->start_month, m);
    if (lm->aux || d->start_day != 1)
        snprintf(buf, 16, "%s-%02d", m, d->start_day);
    else
        snprintf(buf, 16, "%s", m);
}

/* The default name: "voucher 2020-06 40-10", "voucher 2020-06 cash 500". */
static void default_name(sp_l_measure *lm)
{
    const sp_voucher_def *d = sp_measure_def(&lm->m);
    char start[16], k[40], f[40];
    start_text(lm, start);
    amount(k, sizeof k, d->threshold);
    amount(f, sizeof f, d->face);
    if (d->threshold > 0)
        snprintf(lm->m.name, sizeof lm->m.name, "voucher %s %s-%s", start, k, f);
    else
        snprintf(lm->m.name, sizeof lm->m.name, "voucher %s cash %s", start, f);
}

/* sp.voucher{ name =, face =, threshold = 0, categories = "all", start =,
 *             days = 14 | weeks = | months =, supply = 0, coupons = 1, cap = 1,
 *             claim = "first_come", filter =, gov_share = 1, merchant_share =,
 *             coverage =, budget = 0 } -> voucher
 * budget (yuan of government cost): the supply becomes what it pays for,
 * budget / (face x coupons x gov_share) packages, or the given supply when
 * that is smaller. */
static int l_voucher(lua_State *L)
{
    static const char *const keys[] = {
        "name",   "face",   "threshold", "categories", "start",     "days",
        "weeks",  "months", "supply",    "coupons",    "cap",       "claim",
        "filter", "gov_share", "merchant_share", "coverage", "group", "budget", NULL};
    const char *fn = "sp.voucher";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_voucher_measure);
    sp_voucher_def *d = sp_l_measure_def(lm);
    *d = sp_voucher_def_default();

    if (!sp_l_has(L, 1, "face"))
        return luaL_error(L, "%s: 'face' is required (yuan off per coupon, e.g. face = 10)", fn);
    d->face = getnumber(L, fn, "face", d->face);
    d->threshold = getnumber(L, fn, "threshold", 0.0);
    d->categories = read_categories(L, fn, d->categories);
    read_start(L, fn, lm);
    read_window(L, fn, d);
    d->supply = getnumber(L, fn, "supply", 0.0);
    d->budget = getnumber(L, fn, "budget", 0.0);
    d->coupons_per_package = (int)sp_l_getinteger(L, 1, fn, "coupons", 1, 100, 1);
    d->cap = (int)sp_l_getinteger(L, 1, fn, "cap", 1, 100, 1);
    const char *group = sp_l_getstring(L, 1, fn, "group", "");
    if (strlen(group) >= sizeof d->group)
        luaL_error(L, "%s: 'group' is longer than %d bytes", fn, (int)sizeof d->group - 1);
    snprintf(d->group, sizeof d->group, "%s", group);
    const char *claim = sp_l_getstring(L, 1, fn, "claim", "first_come");
    d->claim = (sp_claim)sp_l_checkname(L, fn, "'claim' value", claim, claim_name,
                                        SP_CLAIM_TARGETED + 1);
    read_filter(L, fn, d);
    if (d->claim == SP_CLAIM_TARGETED && !d->filter[0])
        return luaL_error(L, "%s: claim = \"targeted\" needs a 'filter' naming the target group "
                             "(e.g. filter = \"income_quintile <= 2\")", fn);

    int hg = sp_l_has(L, 1, "gov_share"), hm = sp_l_has(L, 1, "merchant_share");
    d->gov_share = getnumber(L, fn, "gov_share", 1.0);
    d->merchant_share = getnumber(L, fn, "merchant_share", 0.0);
    if (hg && !hm)
        d->merchant_share = 1.0 - d->gov_share;
    else if (hm && !hg)
        d->gov_share = 1.0 - d->merchant_share;

    if (sp_l_has(L, 1, "coverage")) {
        d->coverage = getnumber(L, fn, "coverage", -1.0);
        if (!(d->coverage > 0 && d->coverage <= 1))
            return luaL_error(L, "%s: 'coverage' must lie in (0, 1], got %s", fn,
                              lua_pushfstring(L, "%f", (lua_Number)d->coverage));
    }

    sp_err err;
    sp_err_clear(&err);
    if (sp_voucher_validate(d, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);

    const char *name = sp_l_getstring(L, 1, fn, "name", NULL);
    if (name) {
        if (!name[0])
            return luaL_error(L, "%s: 'name' must not be empty", fn);
        if (strlen(name) >= sizeof lm->m.name)
            return luaL_error(L, "%s: 'name' is longer than %d bytes", fn,
                              (int)sizeof lm->m.name - 1);
        strcpy(lm->m.name, name);
    } else {
        default_name(lm);
    }
    return 1;
}

/* The fields, read-only (name and kind come from the measure type):
 * face, threshold, categories (list), start, days, months, supply, coupons,
 * cap, claim, filter (nil: everyone), gov_share, merchant_share, coverage
 * (nil: the model parameter voucher_coverage). */
static int field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_voucher_def *d = sp_measure_def(&lm->m);
    if (strcmp(key, "face") == 0) {
        lua_pushnumber(L, d->face);
    } else if (strcmp(key, "threshold") == 0) {
        lua_pushnumber(L, d->threshold);
    } else if (strcmp(key, "categories") == 0) {
        lua_newtable(L);
        lua_Integer k = 0;
        for (int c = 0; c < SP_NCAT; c++)
            if (d->categories & (1u << c)) {
                lua_pushstring(L, sp_category_name(c));
                lua_seti(L, -2, ++k);
            }
    } else if (strcmp(key, "start") == 0) {
        char buf[16];
        start_text(lm, buf);
        lua_pushstring(L, buf);
    } else if (strcmp(key, "days") == 0) {
        if (d->window_days > 0)
            lua_pushinteger(L, d->window_days);
        else
            lua_pushnil(L);
    } else if (strcmp(key, "months") == 0) {
        if (d->window_months > 0)
            lua_pushinteger(L, d->window_months);
        else
            lua_pushnil(L);
    } else if (strcmp(key, "supply") == 0) {
        lua_pushnumber(L, d->supply);
    } else if (strcmp(key, "budget") == 0) {
        if (d->budget > 0)
            lua_pushnumber(L, d->budget);
        else
            lua_pushnil(L);
    } else if (strcmp(key, "packages") == 0) { /* what the claim step may hand out; nil: unlimited */
        if (sp_voucher_supply(d) > 0)
            lua_pushnumber(L, sp_voucher_supply(d));
        else
            lua_pushnil(L);
    } else if (strcmp(key, "coupons") == 0) {
        lua_pushinteger(L, d->coupons_per_package);
    } else if (strcmp(key, "cap") == 0) {
        lua_pushinteger(L, d->cap);
    } else if (strcmp(key, "claim") == 0) {
        lua_pushstring(L, claim_name((int)d->claim));
    } else if (strcmp(key, "filter") == 0) {
        if (d->filter[0])
            lua_pushstring(L, d->filter);
        else
            lua_pushnil(L);
    } else if (strcmp(key, "gov_share") == 0) {
        lua_pushnumber(L, d->gov_share);
    } else if (strcmp(key, "merchant_share") == 0) {
        lua_pushnumber(L, d->merchant_share);
    } else if (strcmp(key, "coverage") == 0) {
        if (d->coverage >= 0)
            lua_pushnumber(L, d->coverage);
        else
            lua_pushnil(L);
    } else {
        return 0;
    }
    return 1;
}

/* tostring(v): "voucher: Hangzhou (spend 40 get 10 off, 5 coupons per package,
 * from 2020-04-20 for 7 days, supply 1500000 packages, first_come)". */
static void tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_voucher_def *d = sp_measure_def(&lm->m);
    char start[16], k[40], f[40], s[40], what[128], window[32], supply[128];
    start_text(lm, start);
    amount(k, sizeof k, d->threshold);
    amount(f, sizeof f, d->face);
    amount(s, sizeof s, d->supply);
    if (d->threshold > 0)
        snprintf(what, sizeof what, "spend %s get %s off", k, f);
    else
        snprintf(what, sizeof what, "cash-like %s", f);
    if (d->window_months > 0)
        snprintf(window, sizeof window, "%d month%s", d->window_months,
                 d->window_months == 1 ? "" : "s");
    else
        snprintf(window, sizeof window, "%d day%s", d->window_days, d->window_days == 1 ? "" : "s");
    if (d->budget > 0) {
        char b[40];
        amount(b, sizeof b, d->budget);
        amount(s, sizeof s, sp_voucher_supply(d));
        snprintf(supply, sizeof supply, "budget %s yuan, %s packages", b, s);
    } else if (d->supply > 0)
        snprintf(supply, sizeof supply, "supply %s packages", s);
    else
        snprintf(supply, sizeof supply, "unlimited supply");
    lua_pushfstring(L, "voucher: %s (%s, %d coupon%s per package, from %s for %s, %s, %s)", lm->m.name,
                    what, d->coupons_per_package, d->coupons_per_package == 1 ? "" : "s", start,
                    window, supply, claim_name((int)d->claim));
}

static void open_kind(lua_State *L, int module)
{
    lua_pushcfunction(L, l_voucher);
    lua_setfield(L, module, "voucher");
}

const sp_l_kind sp_l_voucher_kind = {&sp_voucher_measure, open_kind, field, tostring};
