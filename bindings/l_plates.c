/* l_plates.c: the plate measures (binding of core/plates.h):
 * sp.plates.individual_lottery{...}, sp.plates.family_lottery{...},
 * sp.plates.none{...} (plate regimes; a package holds at most one; `none`:
 * no plates needed, the world before 2011) and sp.plates.extra_quota{...} (a
 * one-off extra NEV quota for car-less families).
 *
 * A regime starts from the core's default regime (sp_plate_regime_def_default:
 * Beijing's per-year quotas for households, rounds per year, purchase windows
 * and the ladder), set to the kind's rules, with no built-in extra quotas
 * (nextra = 0: extras are measures of their own, which the engine adds to the
 * package's regime). Per-year defaults by kind:
 *   individual  the 2014-2020 rules throughout: years after 2020 keep 2020's
 *               rounds (6 ordinary draws, 1 NEV allocation a year); no family
 *               share;
 *   family      the 2021 rules throughout: years before 2021 take 2021's
 *               family NEV share (0.6); rounds per year follow the core's
 *               calendar (6 a year to 2020, 2 from 2021);
 *   family with `from`: individual rules before that month, family rules from
 *               it (SP_PLATE_HISTORICAL); per-year defaults as above by year.
 * Named arguments override the per-year tables: a number applies to every
 * year (rounds: from 2014, so the monthly draws of 2011-2013 still credit
 * long-time applicants), a table { [year] = value } to the years it lists.
 * pools = "start" (default: the published stocks of the run's first month,
 * clamped into 2011-01..2020-02), "population" (the population's pools as
 * they are) or "YYYY-MM" (that month's stocks; outside the published counts
 * an error). Ladder: ladder_threshold (24) and ladder_every (12) in
 * monthly-equivalent unsuccessful draws, ladder_before_2014 (true: the
 * monthly draws of 2011-2013 count).
 * Every value is checked with the key the scenario wrote, then the whole
 * regime with sp_plate_regime_validate. Units: real plates per year (the
 * city's households), months. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

#define FIRST SP_PLATE_FIRST_YEAR
#define LAST (SP_PLATE_FIRST_YEAR + SP_PLATE_YEARS - 1)
#define LADDER_YEAR 2014 /* first year of bimonthly draws and the ladder */


static int rounds_ok(lua_Integer n) { return n == 1 || n == 2 || n == 3 || n == 4 || n == 6 || n == 12; }

/* ---- per-year values ---- */

/* What one per-year key holds and how its values are checked. */
typedef struct year_key {
    const char *key;
    int integer;         /* 1: integer values (into ivals), 0: numbers (into dvals) */
    int rounds;          /* 1: values must be 1, 2, 3, 4, 6 or 12 */
    double lo, hi;       /* range of the values (rounds: ignored) */
    const char *range;   /* the range in words, for messages */
    int scalar_from;     /* a single number applies to years from this one */
    int *ivals;          /* per-year table of the regime */
    double *dvals;
} year_key;

/* Checks and stores the value on top of the stack for year y; `label` names
 * it in messages ("rounds_per_year" or "rounds_per_year[2021]"). */
static void year_value(lua_State *L, const char *fn, const year_key *yk, const char *label, int y,
                       int all)
{
    if (lua_type(L, -1) != LUA_TNUMBER)
        luaL_error(L, "%s: '%s' must be a number%s, got %s", fn, label,
                   all ? " or a table { [year] = value }" : "", sp_l_typename(L, -1));
    int k = y - FIRST;
    if (yk->integer) {
        int isint = 0;
        lua_Integer v = lua_tointegerx(L, -1, &isint);
        if (!isint)
            luaL_error(L, "%s: '%s' must be an integer, got %s", fn, label, lua_tostring(L, -1));
        if (yk->rounds ? !rounds_ok(v) : (v < yk->lo || v > yk->hi))
            luaL_error(L, "%s: '%s' must be %s, got %I", fn, label, yk->range, (LUAI_UACINT)v);
        yk->ivals[k] = (int)v;
    } else {
        double v = lua_tonumber(L, -1);
        if (!isfinite(v) || v < yk->lo || v > yk->hi)
            luaL_error(L, "%s: '%s' must be %s, got %s", fn, label, yk->range, lua_tostring(L, -1));
        yk->dvals[k] = v;
    }
}

/* Raises unless the key on top of the stack is a tabulated year; returns it. */
static int check_year(lua_State *L, const char *fn, const char *key)
{
    int isint = 0;
    lua_Integer y = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isint) : 0;
    if (!isint)
        luaL_error(L, "%s: '%s' must be indexed by year ([2021] = ...), got key %s", fn, key,
                   luaL_tolstring(L, -1, NULL));
    if (y < FIRST || y > LAST)
        luaL_error(L, "%s: '%s': year %I is outside %d..%d (later years use %d's values)", fn, key,
                   (LUAI_UACINT)y, FIRST, LAST, LAST);
    return (int)y;
}

/* key = number (years from scalar_from) | { [year] = number, ... } | absent. */
static void read_years(lua_State *L, const char *fn, const year_key *yk)
{
    int t = lua_getfield(L, 1, yk->key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t == LUA_TTABLE) {
        int tab = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, tab)) {
            lua_pushvalue(L, -2);
            int y = check_year(L, fn, yk->key);
            lua_pop(L, 1);
            const char *label = lua_pushfstring(L, "%s[%d]", yk->key, y);
            lua_insert(L, -2); /* label below the value */
            year_value(L, fn, yk, label, y, 0);
            lua_pop(L, 2);
        }
    } else {
        year_value(L, fn, yk, yk->key, yk->scalar_from, 1); /* earlier years stay */
        int k0 = yk->scalar_from - FIRST;
        for (int k = k0 + 1; k < SP_PLATE_YEARS; k++) {
            if (yk->integer)
                yk->ivals[k] = yk->ivals[k0];
            else
                yk->dvals[k] = yk->dvals[k0];
        }
    }
    lua_pop(L, 1);
}

/* quotas = { [year] = { ordinary = plates, nev = plates }, ... } */
static void read_quotas(lua_State *L, const char *fn, sp_plate_regime_def *r)
{
    int t = lua_getfield(L, 1, "quotas");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        luaL_error(L, "%s: 'quotas' must be a table { [year] = { ordinary = ..., nev = ... } }, "
                      "got %s", fn, sp_l_typename(L, -1));
    int tab = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, tab)) {
        lua_pushvalue(L, -2);
        int y = check_year(L, fn, "quotas");
        lua_pop(L, 1);
        int entry = lua_gettop(L);
        if (lua_type(L, entry) != LUA_TTABLE)
            luaL_error(L, "%s: 'quotas[%d]' must be a table { ordinary = ..., nev = ... }, got %s",
                       fn, y, sp_l_typename(L, entry));
        lua_pushnil(L);
        while (lua_next(L, entry)) {
            lua_pop(L, 1);
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
            if (!k || (strcmp(k, "ordinary") != 0 && strcmp(k, "nev") != 0))
                luaL_error(L, "%s: 'quotas[%d]': unknown key '%s' (valid keys: ordinary, nev)", fn,
                           y, luaL_tolstring(L, -1, NULL));
        }
        static const char *const pools[] = {"ordinary", "nev"};
        for (int p = 0; p < 2; p++) {
            int vt = lua_getfield(L, entry, pools[p]);
            if (vt != LUA_TNIL) {
                if (vt != LUA_TNUMBER)
                    luaL_error(L, "%s: 'quotas[%d].%s' must be a number of plates, got %s", fn, y,
                               pools[p], sp_l_typename(L, -1));
                double v = lua_tonumber(L, -1);
                if (!isfinite(v) || v < 0)
                    luaL_error(L, "%s: 'quotas[%d].%s' must be 0 or more plates, got %s", fn, y,
                               pools[p], lua_tostring(L, -1));
                (p == 0 ? r->ordinary_quota : r->nev_quota)[y - FIRST] = v;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1); /* the entry */
    }
    lua_pop(L, 1);
}

/* ---- regimes ---- */

/* The kind's defaults (see the header comment). family_from: first month of
 * the family rules for SP_PLATE_HISTORICAL. */
static void regime_defaults(sp_plate_regime_def *r, sp_plate_kind kind, int family_from)
{
    *r = sp_plate_regime_def_default();
    r->kind = kind;
    if (kind == SP_PLATE_HISTORICAL)
        r->family_from = family_from;
    r->nextra = 0;
    memset(r->extra, 0, sizeof r->extra);
    const int k2020 = 2020 - FIRST, k2021 = 2021 - FIRST;
    for (int k = 0; k < SP_PLATE_YEARS; k++) {
        int y = FIRST + k;
        int family = kind == SP_PLATE_FAMILY ||
                     (kind == SP_PLATE_HISTORICAL && y >= sp_month_year(family_from));
        if (family) {
            if (y < 2021)
                r->family_nev_share[k] = r->family_nev_share[k2021];
        } else {
            r->family_nev_share[k] = 0;
            if (y > 2020) {
                r->ordinary_rounds[k] = r->ordinary_rounds[k2020];
                r->nev_rounds[k] = r->nev_rounds[k2020];
            }
        }
    }
}

/* pools = "start" | "population" | "YYYY-MM" (see the header comment). */
static void read_pools(lua_State *L, const char *fn, sp_plate_regime_def *r)
{
    const char *s = sp_l_getstring(L, 1, fn, "pools", NULL);
    if (!s || strcmp(s, "start") == 0) {
        r->pools_month = SP_PLATE_POOLS_START;
        return;
    }
    if (strcmp(s, "population") == 0) {
        r->pools_month = SP_PLATE_POOLS_POPULATION;
        return;
    }
    sp_err err;
    sp_err_clear(&err);
    int m = 0;
    if (sp_month_parse(s, &m, &err) != SP_OK)
        luaL_error(L, "%s: 'pools' must be \"start\", \"population\" or a month \"YYYY-MM\", got '%s' (%s)",
                   fn, s, err.msg);
    double o, v;
    if (sp_plates_dated_pools(m, &o, &v, &err) != SP_OK)
        luaL_error(L, "%s: 'pools': %s", fn, err.msg);
    r->pools_month = m;
}

/* sp.plates.individual_lottery{ name =, rounds_per_year =, nev_rounds_per_year =,
 *   quotas =, window =, pools =, ladder_threshold = 24, ladder_every = 12,
 *   ladder_before_2014 = true }
 * sp.plates.family_lottery{ the same, family_nev_share =, from = } -> measure */
static int new_regime(lua_State *L, int family)
{
    static const char *const ikeys[] = {"name",   "rounds_per_year", "nev_rounds_per_year", "quotas",
                                        "window", "pools", "ladder_threshold", "ladder_every",
                                        "ladder_before_2014", NULL};
    static const char *const fkeys[] = {"name",   "rounds_per_year", "nev_rounds_per_year", "quotas",
                                        "window", "pools", "ladder_threshold", "ladder_every",
                                        "ladder_before_2014", "family_nev_share", "from", NULL};
    const char *fn = family ? "sp.plates.family_lottery" : "sp.plates.individual_lottery";
    if (lua_isnoneornil(L, 1)) { /* sp.plates.individual_lottery() takes every default */
        lua_settop(L, 0);
        lua_newtable(L);
    }
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, family ? fkeys : ikeys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_plate_regime_measure);
    sp_plate_regime_def *r = sp_l_measure_def(lm);
    int from = 0, has_from = family && sp_l_measure_month(L, fn, "from", &from);
    regime_defaults(r, family ? (has_from ? SP_PLATE_HISTORICAL : SP_PLATE_FAMILY)
                              : SP_PLATE_INDIVIDUAL, from);

    const year_key ykeys[] = {
        {"rounds_per_year", 1, 1, 0, 0, "1, 2, 3, 4, 6 or 12 (draws a year)", LADDER_YEAR,
         r->ordinary_rounds, NULL},
        {"nev_rounds_per_year", 1, 1, 0, 0, "1, 2, 3, 4, 6 or 12 (allocations a year)",
         LADDER_YEAR, r->nev_rounds, NULL},
        {"window", 1, 0, 1, 120, "between 1 and 120 months", FIRST, r->window_months, NULL},
        {"family_nev_share", 0, 0, 0, 1, "a share in 0..1", FIRST, NULL, r->family_nev_share},
    };
    for (size_t k = 0; k < sizeof ykeys / sizeof ykeys[0]; k++)
        if (family || strcmp(ykeys[k].key, "family_nev_share") != 0)
            read_years(L, fn, &ykeys[k]);
    read_quotas(L, fn, r);
    r->ladder_threshold = (int)sp_l_getinteger(L, 1, fn, "ladder_threshold", 0, 1000, r->ladder_threshold);
    r->ladder_every = (int)sp_l_getinteger(L, 1, fn, "ladder_every", 1, 1000, r->ladder_every);
    r->count_pre_ladder_rounds = sp_l_getboolean(L, 1, fn, "ladder_before_2014", r->count_pre_ladder_rounds);
    read_pools(L, fn, r);

    sp_l_measure_check(L, fn, lm);
    char def[SP_NAME_MAX], m[8];
    if (has_from) {
        sp_month_format(from, m);
        snprintf(def, sizeof def, "family lottery from %s", m);
    } else {
        snprintf(def, sizeof def, "%s lottery", family ? "family" : "individual");
    }
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

static int l_individual(lua_State *L) { return new_regime(L, 0); }
static int l_family(lua_State *L) { return new_regime(L, 1); }

/* sp.plates.none{ name = } -> measure: no plates needed. */
static int l_none(lua_State *L)
{
    static const char *const keys[] = {"name", NULL};
    const char *fn = "sp.plates.none";
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    sp_l_measure *lm = sp_l_newmeasure(L, &sp_plate_regime_measure);
    sp_plate_regime_def *r = sp_l_measure_def(lm);
    regime_defaults(r, SP_PLATE_INDIVIDUAL, 0);
    r->kind = SP_PLATE_UNRESTRICTED;
    sp_l_measure_check(L, fn, lm);
    sp_l_measure_name(L, fn, &lm->m, "no plates");
    return 1;
}

/* sp.plates.extra_quota{ name =, month = "YYYY-MM", plates = } -> measure */
static int l_extra(lua_State *L)
{
    static const char *const keys[] = {"name", "month", "plates", NULL};
    const char *fn = "sp.plates.extra_quota";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);

    sp_l_measure *lm = sp_l_newmeasure(L, &sp_plate_extra_measure);
    sp_plate_extra_def *e = sp_l_measure_def(lm);
    *e = sp_plate_extra_def_default();
    if (!sp_l_measure_month(L, fn, "month", &e->month))
        return luaL_error(L, "%s: 'month' is required (the month of the allocation, e.g. month = "
                             "\"2020-09\")", fn);
    if (!sp_l_has(L, 1, "plates"))
        return luaL_error(L, "%s: 'plates' is required (NEV plates for car-less families, e.g. "
                             "plates = 20000)", fn);
    e->plates = sp_l_measure_number(L, fn, "plates", 0);
    if (e->plates < 0)
        return luaL_error(L, "%s: 'plates' must be 0 or more, got %s", fn,
                          lua_pushfstring(L, "%f", (lua_Number)e->plates));
    char def[SP_NAME_MAX], m[8];
    sp_month_format(e->month, m);
    snprintf(def, sizeof def, "extra quota %s", m);
    sp_l_measure_name(L, fn, &lm->m, def);
    return 1;
}

/* ---- fields and descriptions (hooks of the measure type) ---- */

static const char *rules_name(sp_plate_kind k)
{
    switch (k) {
    case SP_PLATE_INDIVIDUAL: return "individual";
    case SP_PLATE_FAMILY: return "family";
    case SP_PLATE_HISTORICAL: return "individual";
    case SP_PLATE_UNRESTRICTED: return "no plate";
    }
    return "?";
}

/* r.quotas -> { [year] = { ordinary, nev, family_nev_share, rounds, nev_rounds, window } } */
static void push_years(lua_State *L, const sp_plate_regime_def *r)
{
    lua_createtable(L, 0, SP_PLATE_YEARS);
    for (int k = 0; k < SP_PLATE_YEARS; k++) {
        lua_createtable(L, 0, 6);
        lua_pushnumber(L, r->ordinary_quota[k]);
        lua_setfield(L, -2, "ordinary");
        lua_pushnumber(L, r->nev_quota[k]);
        lua_setfield(L, -2, "nev");
        lua_pushnumber(L, r->family_nev_share[k]);
        lua_setfield(L, -2, "family_nev_share");
        lua_pushinteger(L, r->ordinary_rounds[k]);
        lua_setfield(L, -2, "rounds");
        lua_pushinteger(L, r->nev_rounds[k]);
        lua_setfield(L, -2, "nev_rounds");
        lua_pushinteger(L, r->window_months[k]);
        lua_setfield(L, -2, "window");
        lua_seti(L, -2, FIRST + k);
    }
}

static int extra_field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    const sp_plate_extra_def *e = sp_measure_def(&lm->m);
    if (strcmp(key, "month") == 0)
        sp_l_push_month(L, e->month);
    else if (strcmp(key, "plates") == 0)
        lua_pushnumber(L, e->plates);
    else
        return 0;
    return 1;
}

static int regime_field(lua_State *L, const sp_l_measure *lm, const char *key)
{
    char buf[8];
    const sp_plate_regime_def *r = sp_measure_def(&lm->m);
    if (strcmp(key, "rules") == 0) {
        lua_pushstring(L, r->kind == SP_PLATE_INDIVIDUAL   ? "individual"
                          : r->kind == SP_PLATE_FAMILY     ? "family"
                          : r->kind == SP_PLATE_HISTORICAL ? "historical"
                                                           : "none");
    } else if (strcmp(key, "from") == 0) {
        if (r->kind == SP_PLATE_HISTORICAL) {
            sp_month_format(r->family_from, buf);
            lua_pushstring(L, buf);
        } else {
            lua_pushnil(L);
        }
    } else if (strcmp(key, "ladder_threshold") == 0) {
        lua_pushinteger(L, r->ladder_threshold);
    } else if (strcmp(key, "ladder_every") == 0) {
        lua_pushinteger(L, r->ladder_every);
    } else if (strcmp(key, "ladder_before_2014") == 0) {
        lua_pushboolean(L, r->count_pre_ladder_rounds);
    } else if (strcmp(key, "pools") == 0) {
        if (r->pools_month == SP_PLATE_POOLS_START)
            lua_pushstring(L, "start");
        else if (r->pools_month == SP_PLATE_POOLS_POPULATION)
            lua_pushstring(L, "population");
        else
            sp_l_push_month(L, r->pools_month);
    } else if (strcmp(key, "quotas") == 0) {
        push_years(L, r);
    } else {
        return 0;
    }
    return 1;
}

/* Adds "6 (2014-2020), 2 (2021-2024)" for the values of years LADDER_YEAR..LAST. */
static void add_runs(luaL_Buffer *b, const int *iv, const double *dv)
{
    char t[64], v[32];
    int k0 = LADDER_YEAR - FIRST;
    for (int k = k0; k < SP_PLATE_YEARS;) {
        int j = k;
        while (j + 1 < SP_PLATE_YEARS && (iv ? iv[j + 1] == iv[k] : dv[j + 1] == dv[k]))
            j++;
        if (iv)
            snprintf(v, sizeof v, "%d", iv[k]);
        else
            sp_l_num(v, sizeof v, dv[k]);
        if (j == k)
            snprintf(t, sizeof t, "%s%s (%d)", k == k0 ? "" : ", ", v, FIRST + k);
        else
            snprintf(t, sizeof t, "%s%s (%d-%d)", k == k0 ? "" : ", ", v, FIRST + k, FIRST + j);
        luaL_addstring(b, t);
        k = j + 1;
    }
}

static void extra_tostring(lua_State *L, const sp_l_measure *lm)
{
    const sp_plate_extra_def *e = sp_measure_def(&lm->m);
    char a[32], mo[8];
    sp_month_format(e->month, mo);
    lua_pushfstring(L, "extra quota: %s (%s NEV plates for car-less families in %s)", lm->m.name,
                    sp_l_num(a, sizeof a, e->plates), mo);
}

static void regime_tostring(lua_State *L, const sp_l_measure *lm)
{
    char a[32], t[160], mo[8];
    const sp_measure *m = &lm->m;
    const sp_plate_regime_def *r = sp_measure_def(m);
    const sp_plate_regime_def d = sp_plate_regime_def_default();
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "plate regime: ");
    luaL_addstring(&b, m->name);
    if (r->kind == SP_PLATE_UNRESTRICTED) {
        luaL_addstring(&b, " (no plates needed: car-less households buy at once)");
        luaL_pushresult(&b);
        return;
    }
    luaL_addstring(&b, " (");
    luaL_addstring(&b, rules_name(r->kind));
    luaL_addstring(&b, " rules");
    if (r->kind == SP_PLATE_HISTORICAL) {
        sp_month_format(r->family_from, mo);
        luaL_addstring(&b, ", family from ");
        luaL_addstring(&b, mo);
    }
    luaL_addstring(&b, "; ordinary draws a year ");
    add_runs(&b, r->ordinary_rounds, NULL);
    luaL_addstring(&b, "; NEV allocations a year ");
    add_runs(&b, r->nev_rounds, NULL);
    if (r->kind != SP_PLATE_INDIVIDUAL) {
        luaL_addstring(&b, "; family NEV share ");
        add_runs(&b, NULL, r->family_nev_share);
    }
    luaL_addstring(&b, "; purchase window (months) ");
    add_runs(&b, r->window_months, NULL);
    if (r->pools_month == SP_PLATE_POOLS_START)
        snprintf(mo, sizeof mo, "start");
    else if (r->pools_month == SP_PLATE_POOLS_POPULATION)
        snprintf(mo, sizeof mo, "pop.");
    else
        sp_month_format(r->pools_month, mo);
    snprintf(t, sizeof t, "; ladder: step 1 up to %d draws, +1 per %d%s; pools %s; quotas: ",
             r->ladder_threshold, r->ladder_every, r->count_pre_ladder_rounds ? "" : " from 2014",
             strcmp(mo, "pop.") == 0 ? "population" : mo);
    luaL_addstring(&b, t);
    int changed = 0;
    for (int k = 0; k < SP_PLATE_YEARS; k++) {
        if (r->ordinary_quota[k] == d.ordinary_quota[k] && r->nev_quota[k] == d.nev_quota[k])
            continue;
        char o[32];
        snprintf(t, sizeof t, "%s%d ordinary %s, NEV %s", changed ? ", " : "", FIRST + k,
                 sp_l_num(o, sizeof o, r->ordinary_quota[k]), sp_l_num(a, sizeof a, r->nev_quota[k]));
        luaL_addstring(&b, t);
        changed = 1;
    }
    luaL_addstring(&b, changed ? ", other years Beijing's)" : "Beijing's)");
    luaL_pushresult(&b);
}

static void regime_open(lua_State *L, int module)
{
    static const luaL_Reg fns[] = {
        {"individual_lottery", l_individual}, {"family_lottery", l_family}, {"none", l_none}, {NULL, NULL}};
    sp_l_subtable(L, module, "plates");
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 1);
}

static void extra_open(lua_State *L, int module)
{
    sp_l_subtable(L, module, "plates");
    lua_pushcfunction(L, l_extra);
    lua_setfield(L, -2, "extra_quota");
    lua_pop(L, 1);
}

const sp_l_kind sp_l_plate_regime_kind = {&sp_plate_regime_measure, regime_open, regime_field,
                                          regime_tostring};
const sp_l_kind sp_l_plate_extra_kind = {&sp_plate_extra_measure, extra_open, extra_field,
                                         extra_tostring};
