/* l_results.c: the results handle returned by experiment:run().
 *
 * A results handle owns an sp_results (the cube); user value 1 is the
 * experiment that produced it. Queries (res:table{...}) build table handles. */
#include <string.h>

#include "l_args.h"
#include "l_spendsim.h"

#define WHAT "results"

static sp_results *check(lua_State *L, const char *fname)
{
    return sp_l_checkhandle(L, 1, SP_L_RESULTS, fname, WHAT);
}

sp_results **sp_l_newresults(lua_State *L)
{
    return (sp_results **)sp_l_newhandle(L, SP_L_RESULTS, 1);
}

static const char *metric_name(int m) { return sp_metric_name(m); }
static const char *period_name(int p) { return sp_period_name((sp_period)p); }
static const char *unit_name(int u) { return sp_unit_name((sp_unit)u); }

/* Row kinds of res:table{ rows = ... }: "category", the group dimensions, "package". */
static const char *rows_name(int k)
{
    if (k == 0)
        return "category";
    if (k <= SP_NDIM)
        return sp_dim_name((sp_dim)(k - 1));
    return "package";
}

/* Index of a package given by name or 1-based number (value at idx). */
static int find_package(lua_State *L, const sp_results *res, int idx, const char *fn,
                        const char *what)
{
    if (lua_type(L, idx) == LUA_TNUMBER && lua_isinteger(L, idx)) {
        lua_Integer k = lua_tointeger(L, idx);
        if (k < 1 || k > res->npackages)
            luaL_error(L, "%s: %s must be between 1 and %d, got %I", fn, what, res->npackages,
                       (LUAI_UACINT)k);
        return (int)k - 1;
    }
    if (lua_type(L, idx) != LUA_TSTRING)
        luaL_error(L, "%s: %s must be a package name, got %s", fn, what, sp_l_typename(L, idx));
    const char *name = lua_tostring(L, idx);
    int p = sp_results_package(res, name);
    if (p < 0) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (int k = 0; k < res->npackages; k++) {
            if (k > 0)
                luaL_addstring(&b, ", ");
            luaL_addstring(&b, res->package_names[k]);
        }
        luaL_pushresult(&b);
        luaL_error(L, "%s: unknown package '%s' (valid: %s)", fn, name, lua_tostring(L, -1));
    }
    return p;
}

/* In check mode the results are zeros: the table's title says so. */
static void mark_check(lua_State *L, sp_table *t, const char *fn)
{
    if (!sp_l_host_get(L)->dry_run)
        return;
    sp_err err;
    sp_err_clear(&err);
    const char *title = lua_pushfstring(L, "(check: not simulated) %s", t->title);
    if (sp_table_set_text(&t->title, title, &err) != SP_OK)
        luaL_error(L, "%s: %s", fn, err.msg);
    lua_pop(L, 1);
}

/* res:table{ rows = "category", metric = "spending", group = "all",
 *            package = <first>, by = "quarter", unit = "per_capita",
 *            diff = false, cumulative = false } -> table */
static int l_table(lua_State *L)
{
    static const char *const keys[] = {"rows", "metric", "group", "package", "by",
                                       "unit", "diff",   "cumulative", NULL};
    const char *fn = "results:table";
    const sp_results *res = check(L, fn);
    if (lua_isnoneornil(L, 2)) { /* res:table() takes every default */
        lua_settop(L, 1);
        lua_newtable(L);
    }
    sp_l_checkargs(L, 2, fn);
    sp_l_checkkeys(L, 2, fn, keys, 0);

    sp_query q = sp_query_default();
    const char *rows = sp_l_getstring(L, 2, fn, "rows", "category");
    int rk = sp_l_checkname(L, fn, "'rows' value", rows, rows_name, SP_NDIM + 2);
    if (rk == 0)
        q.rows = SP_ROWS_CATEGORY;
    else if (rk <= SP_NDIM) {
        q.rows = SP_ROWS_GROUP;
        q.dim = (sp_dim)(rk - 1);
    } else
        q.rows = SP_ROWS_PACKAGE;
    const char *metric = sp_l_getstring(L, 2, fn, "metric", "spending");
    q.metric = sp_l_checkname(L, fn, "metric", metric, metric_name, SP_NMETRIC);
    const char *group = sp_l_getstring(L, 2, fn, "group", "all");
    q.group = sp_l_checkname(L, fn, "group", group, sp_group_label, SP_NGROUP);
    if (lua_getfield(L, 2, "package") != LUA_TNIL)
        q.package = find_package(L, res, lua_gettop(L), fn, "'package'");
    lua_pop(L, 1);
    const char *by = sp_l_getstring(L, 2, fn, "by", "quarter");
    q.by = (sp_period)sp_l_checkname(L, fn, "'by' value", by, period_name, 4);
    const char *unit = sp_l_getstring(L, 2, fn, "unit", "per_capita");
    q.unit = (sp_unit)sp_l_checkname(L, fn, "'unit' value", unit, unit_name, 3);
    q.diff = sp_l_getboolean(L, 2, fn, "diff", 0);
    q.cumulative = sp_l_getboolean(L, 2, fn, "cumulative", 0);

    sp_table **slot = sp_l_newtable(L, 1);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_results_table(res, &q, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    mark_check(L, *slot, fn);
    return 1;
}

/* Group dimensions by name, for res:summary{ by = ... }. */
static const char *dim_name(int d) { return sp_dim_name((sp_dim)d); }

/* res:summary() or res:summary{ by = "all" } -> table: the headline table
 * (sp_results_summary_by), one row per package (and group of the dimension
 * `by`: "quintile", "income_decile", "consumption_tercile", ...):
 * government and merchant cost, change in spending against the first
 * package, causal multiplier, gross leverage, cost per extra yuan and coupons
 * claimed, redeemed and expired, totals over the horizon averaged over
 * replicates. Ratios without a denominator are NaN. */
static int l_summary(lua_State *L)
{
    static const char *const keys[] = {"by", NULL};
    const char *fn = "results:summary";
    const sp_results *res = check(L, fn);
    if (lua_gettop(L) > 2)
        return luaL_error(L, "%s: takes at most one argument table (got %d arguments)", fn,
                          lua_gettop(L) - 1);
    sp_dim dim = SP_DIM_ALL;
    if (!lua_isnoneornil(L, 2)) {
        sp_l_checkargs(L, 2, fn);
        sp_l_checkkeys(L, 2, fn, keys, 0);
        const char *by = sp_l_getstring(L, 2, fn, "by", "all");
        dim = (sp_dim)sp_l_checkname(L, fn, "'by' value", by, dim_name, SP_NDIM);
    }
    sp_table **slot = sp_l_newtable(L, 1);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_results_summary_by(res, dim, &err);
    if (!*slot || sp_report_note_intervals(res, *slot, &err) != SP_OK) /* what intervals cover */
        return luaL_error(L, "%s: %s", fn, err.msg);
    mark_check(L, *slot, fn);
    return 1;
}

/* res:plates{ package = <first> } -> table: the plate allocation of one
 * package by month (sp_results_plates_table): one row per statistic
 * (applicants, quotas and winners by pool, the base odds of a step-1
 * individual and its "1 in X", the raw applicants/quota ratio, the NEV queue
 * and its implied wait in years), one column per month, mean and intervals
 * over replicates; zeros in months without an allocation. */
static int l_plates(lua_State *L)
{
    static const char *const keys[] = {"package", NULL};
    const char *fn = "results:plates";
    const sp_results *res = check(L, fn);
    if (lua_isnoneornil(L, 2)) { /* res:plates() takes the first package */
        lua_settop(L, 1);
        lua_newtable(L);
    }
    sp_l_checkargs(L, 2, fn);
    sp_l_checkkeys(L, 2, fn, keys, 0);
    int p = 0;
    if (lua_getfield(L, 2, "package") != LUA_TNIL)
        p = find_package(L, res, lua_gettop(L), fn, "'package'");
    lua_pop(L, 1);
    sp_table **slot = sp_l_newtable(L, 1);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_results_plates_table(res, p, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    mark_check(L, *slot, fn);
    return 1;
}

/* res:packages() -> { "Status quo", ... } in experiment order. */
static int l_packages(lua_State *L)
{
    const sp_results *res = check(L, "results:packages");
    lua_createtable(L, res->npackages, 0);
    for (int p = 0; p < res->npackages; p++) {
        lua_pushstring(L, res->package_names[p]);
        lua_seti(L, -2, p + 1);
    }
    return 1;
}

/* res:months() -> number of reported months. */
static int l_months(lua_State *L)
{
    lua_pushinteger(L, check(L, "results:months")->nmonths);
    return 1;
}

/* res:replicates() -> number of replicates. */
static int l_replicates(lua_State *L)
{
    lua_pushinteger(L, check(L, "results:replicates")->nreplicates);
    return 1;
}

/* res:parameters() -> the values of the parameters drawn per replicate:
 * a list (one entry per replicate) of tables name = value; empty when no
 * parameter was given a distribution. */
static int l_parameters(lua_State *L)
{
    const sp_results *r = check(L, "results:parameters");
    lua_createtable(L, r->nparams > 0 ? r->nreplicates : 0, 0);
    for (int rep = 0; r->nparams > 0 && rep < r->nreplicates; rep++) {
        lua_createtable(L, 0, r->nparams);
        for (int k = 0; k < r->nparams; k++) {
            lua_pushnumber(L, r->param_values[(size_t)rep * r->nparams + k]);
            lua_setfield(L, -2, r->param_names[k]);
        }
        lua_rawseti(L, -2, rep + 1);
    }
    return 1;
}

/* res:start() -> first reported month as "YYYY-MM". */
static int l_start(lua_State *L)
{
    char buf[8];
    sp_month_format(check(L, "results:start")->start_month, buf);
    lua_pushstring(L, buf);
    return 1;
}

static int checkindex(lua_State *L, int idx, const char *fn, const char *what, int n)
{
    int isint = 0;
    lua_Integer k = lua_tointegerx(L, idx, &isint);
    if (!isint)
        luaL_error(L, "%s: %s must be an integer, got %s", fn, what, sp_l_typename(L, idx));
    if (k < 1 || k > n)
        luaL_error(L, "%s: %s must be between 1 and %d, got %I", fn, what, n, (LUAI_UACINT)k);
    return (int)k - 1;
}

static const char *checkstr(lua_State *L, int idx, const char *fn, const char *what)
{
    if (lua_type(L, idx) != LUA_TSTRING)
        luaL_error(L, "%s: %s must be a string, got %s", fn, what, sp_l_typename(L, idx));
    return lua_tostring(L, idx);
}

/* res:value(package, replicate, month, group, metric) -> number: one cell of
 * the cube. package is a name or 1-based index, replicate and month 1-based,
 * group a label ("all", "Q1", "urban", ...), metric a name ("spending", ...). */
static int l_value(lua_State *L)
{
    const char *fn = "results:value";
    const sp_results *res = check(L, fn);
    int p = find_package(L, res, 2, fn, "package");
    int r = checkindex(L, 3, fn, "replicate", res->nreplicates);
    int m = checkindex(L, 4, fn, "month", res->nmonths);
    int g = sp_l_checkname(L, fn, "group", checkstr(L, 5, fn, "group"), sp_group_label, SP_NGROUP);
    int k = sp_l_checkname(L, fn, "metric", checkstr(L, 6, fn, "metric"), metric_name, SP_NMETRIC);
    lua_pushnumber(L, sp_results_get(res, p, r, m, g, k));
    return 1;
}

static int l_release(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_RESULTS);
    sp_results_free(*slot);
    *slot = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_RESULTS);
    const sp_results *res = *slot;
    if (!res) {
        lua_pushliteral(L, "results (closed)");
        return 1;
    }
    char start[8];
    sp_month_format(res->start_month, start);
    lua_pushfstring(L, "results: %d packages x %d replicates x %d months from %s", res->npackages,
                    res->nreplicates, res->nmonths, start);
    return 1;
}

void sp_l_open_results(lua_State *L)
{
    static const luaL_Reg methods[] = {{"table", l_table},
                                       {"summary", l_summary},
                                       {"report", sp_l_results_report},
                                       {"plates", l_plates},
                                       {"packages", l_packages},
                                       {"months", l_months},
                                       {"replicates", l_replicates},
                                       {"parameters", l_parameters},
                                       {"start", l_start},
                                       {"value", l_value},
                                       {NULL, NULL}};
    sp_l_newclass(L, SP_L_RESULTS, methods, NULL, l_release, l_tostring);
}
