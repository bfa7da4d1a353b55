/* l_results.c: the results handle returned by experiment:run().
 *
 * A results handle owns an sp_results (the cube); user value 1 is the
 * experiment that produced it. Queries (res:table{...}) build table handles. */
#include <stdio.h>
#include <string.h>

#include "l_args.h"
#include "l_path.h"
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

/* The window keys `from` and `to` ("YYYY-MM") of the argument table at idx
 * into *from and *to (0 when absent), checked against the horizon: errors
 * name the key, the month and the horizon. */
static void read_window(lua_State *L, int idx, const char *fn, const sp_results *res, int *from,
                        int *to)
{
    const char *k[2] = {"from", "to"};
    int *out[2] = {from, to};
    for (int j = 0; j < 2; j++) {
        *out[j] = 0;
        const char *s = sp_l_getstring(L, idx, fn, k[j], NULL);
        if (!s)
            continue;
        sp_err err;
        sp_err_clear(&err);
        if (sp_month_parse(s, out[j], &err) != SP_OK)
            luaL_error(L, "%s: '%s' must be a month \"YYYY-MM\", got \"%s\"", fn, k[j], s);
    }
    int m0, m1;
    sp_err err;
    sp_err_clear(&err);
    if (sp_results_window(res, *from, *to, &m0, &m1, &err) != SP_OK)
        luaL_error(L, "%s: %s", fn, err.msg);
}

/* res:table{ rows = "category", metric = "spending", group = "all",
 *            package = <first>, by = "quarter", unit = "per_capita",
 *            diff = false, cumulative = false, from = <first month>,
 *            to = <last month> } -> table */
static int l_table(lua_State *L)
{
    static const char *const keys[] = {"rows", "metric", "group", "package", "by", "unit",
                                       "diff", "cumulative", "from", "to", NULL};
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
    read_window(L, 2, fn, res, &q.from, &q.to);

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

/* In the CLI, each warning goes to stderr once ("spendsim: warning: ..."):
 * the registry table spendsim.warned holds the messages already printed, so
 * the same warning of another results value (a sweep's points, a solve's
 * steps) or of a later summary is not repeated. */
void sp_l_print_warnings(lua_State *L, const sp_results *res)
{
    if (!sp_l_host_get(L)->scenario[0] || res->nwarnings == 0)
        return;
    luaL_getsubtable(L, LUA_REGISTRYINDEX, "spendsim.warned");
    for (int k = 0; k < res->nwarnings; k++) {
        if (lua_getfield(L, -1, res->warnings[k]) == LUA_TNIL) {
            fprintf(stderr, "spendsim: warning: %s\n", res->warnings[k]);
            fflush(stderr);
            lua_pushboolean(L, 1);
            lua_setfield(L, -3, res->warnings[k]);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* res:summary() or res:summary{ by = "all", from =, to = } -> table: the
 * headline table (sp_results_summary_window), one row per package (and group
 * of the dimension `by`: "quintile", "income_decile", "consumption_tercile",
 * ...): government and merchant cost, change in spending against the first
 * package, causal multiplier, gross leverage, cost per extra yuan, coupons
 * claimed, redeemed and expired, cars, and the package's budget and the share
 * of it used, totals over the horizon (or the window from..to) averaged over
 * replicates. Ratios without a denominator are NaN. The warnings of the
 * results travel with the table (printed under it as Markdown). */
static int l_summary(lua_State *L)
{
    static const char *const keys[] = {"by", "from", "to", NULL};
    const char *fn = "results:summary";
    const sp_results *res = check(L, fn);
    if (lua_gettop(L) > 2)
        return luaL_error(L, "%s: takes at most one argument table (got %d arguments)", fn,
                          lua_gettop(L) - 1);
    sp_dim dim = SP_DIM_ALL;
    int from = 0, to = 0;
    if (!lua_isnoneornil(L, 2)) {
        sp_l_checkargs(L, 2, fn);
        sp_l_checkkeys(L, 2, fn, keys, 0);
        const char *by = sp_l_getstring(L, 2, fn, "by", "all");
        dim = (sp_dim)sp_l_checkname(L, fn, "'by' value", by, dim_name, SP_NDIM);
        read_window(L, 2, fn, res, &from, &to);
    }
    sp_l_print_warnings(L, res);
    sp_table **slot = sp_l_newtable(L, 1);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_results_summary_window(res, dim, from, to, &err);
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

/* res:warnings() -> list of strings: the measures whose supply or budget
 * exceeds what the eligible households can claim, one line each. */
static int l_warnings(lua_State *L)
{
    const sp_results *res = check(L, "results:warnings");
    lua_createtable(L, res->nwarnings, 0);
    for (int k = 0; k < res->nwarnings; k++) {
        lua_pushstring(L, res->warnings[k]);
        lua_rawseti(L, -2, k + 1);
    }
    return 1;
}

/* The list at field `key` of the argument table at idx, each entry read by
 * `one` into out[] (room for max); returns the count, or -1 when absent.
 * Errors name the key and the entry. */
static int read_list(lua_State *L, int idx, const char *fn, const char *key, int *out, int max,
                     int (*one)(lua_State *L, int vidx, const char *fn, const char *what,
                                const sp_results *res, int *out, int room),
                     const sp_results *res)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return -1;
    }
    if (t == LUA_TSTRING) { /* one name for a list of one */
        int n = one(L, lua_gettop(L), fn, key, res, out, max);
        lua_pop(L, 1);
        return n;
    }
    if (t != LUA_TTABLE)
        luaL_error(L, "%s: '%s' must be a list of names, got %s", fn, key, sp_l_typename(L, -1));
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n == 0)
        luaL_error(L, "%s: '%s' is an empty list", fn, key);
    int count = 0;
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, -1, k);
        char what[64];
        snprintf(what, sizeof what, "%s[%d]", key, (int)k);
        count += one(L, lua_gettop(L), fn, what, res, out + count, max - count);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return count;
}

static int one_package(lua_State *L, int v, const char *fn, const char *what,
                       const sp_results *res, int *out, int room)
{
    if (room < 1)
        luaL_error(L, "%s: '%s': too many entries", fn, what);
    char w[80];
    snprintf(w, sizeof w, "'%s'", what);
    out[0] = find_package(L, res, v, fn, w);
    return 1;
}

static int one_metric(lua_State *L, int v, const char *fn, const char *what,
                      const sp_results *res, int *out, int room)
{
    (void)res;
    if (room < 1)
        luaL_error(L, "%s: '%s': too many entries", fn, what);
    out[0] = sp_l_checkname(L, fn, what, checkstr(L, v, fn, what), metric_name, SP_NMETRIC);
    return 1;
}

/* A group label ("all", "Q1", ...) or a dimension name ("quintile", ...),
 * which stands for all its groups. */
static int one_group(lua_State *L, int v, const char *fn, const char *what,
                     const sp_results *res, int *out, int room)
{
    (void)res;
    const char *s = checkstr(L, v, fn, what);
    for (int d = 0; d < SP_NDIM; d++)
        if (strcmp(s, sp_dim_name((sp_dim)d)) == 0) {
            int n = sp_dim_count((sp_dim)d);
            if (n > room)
                luaL_error(L, "%s: '%s': too many groups", fn, what);
            for (int k = 0; k < n; k++)
                out[k] = sp_dim_first((sp_dim)d) + k;
            return n;
        }
    if (room < 1)
        luaL_error(L, "%s: '%s': too many entries", fn, what);
    out[0] = sp_l_checkname(L, fn, what, s, sp_group_label, SP_NGROUP);
    return 1;
}

/* res:export(path, { packages = <all>, metrics = { "spending" },
 *                    groups = { "all" }, by = "month", from =, to = })
 *   -> true | nil, message
 * The per-replicate tidy CSV of export.h: package, replicate, month, group,
 * metric, unit, value, one line per cell and replicate. packages are names
 * or numbers; metrics names; groups labels ("Q1") or dimensions ("quintile"
 * = all its groups). path is written as given (add ".csv"), under --out like
 * t:write, atomically, and listed in the manifest. */
static int l_export(lua_State *L)
{
    static const char *const keys[] = {"packages", "metrics", "groups", "by", "from", "to", NULL};
    const char *fn = "results:export";
    const sp_results *res = check(L, fn);
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
        return luaL_error(L, "%s: the path must be a non-empty string, got %s", fn,
                          lua_type(L, 2) == LUA_TSTRING ? "\"\"" : sp_l_typename(L, 2));
    if (lua_gettop(L) > 3)
        return luaL_error(L, "%s: expected (path, options), got %d arguments", fn, lua_gettop(L) - 1);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    sp_l_checkargs(L, 3, fn);
    sp_l_checkkeys(L, 3, fn, keys, 0);
    int pk[SP_MAX_PACKAGES], mt[SP_NMETRIC * 4], gr[SP_NGROUP * 4];
    sp_export_def d = sp_export_def_default();
    int n = read_list(L, 3, fn, "packages", pk, SP_MAX_PACKAGES, one_package, res);
    if (n > 0) {
        d.packages = pk;
        d.npackages = n;
    }
    n = read_list(L, 3, fn, "metrics", mt, (int)(sizeof mt / sizeof mt[0]), one_metric, res);
    if (n > 0) {
        d.metrics = mt;
        d.nmetrics = n;
    }
    n = read_list(L, 3, fn, "groups", gr, (int)(sizeof gr / sizeof gr[0]), one_group, res);
    if (n > 0) {
        d.groups = gr;
        d.ngroups = n;
    }
    const char *by = sp_l_getstring(L, 3, fn, "by", "month");
    d.by = (sp_period)sp_l_checkname(L, fn, "'by' value", by, period_name, 4);
    read_window(L, 3, fn, res, &d.from, &d.to);
    sp_err err;
    sp_err_clear(&err);
    if (sp_export_rows(res, &d, &err) == 0 && err.code != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);

    char file[SP_L_PATH_MAX], msg[SP_ERR_MSG_MAX + SP_L_PATH_MAX];
    sp_l_out_path(L, fn, lua_tostring(L, 2), file, sizeof file); /* confined in safe mode */
    if (sp_l_host_get(L)->dry_run) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (sp_l_mkparents(file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    if (sp_results_export(res, &d, file, &err) != SP_OK ||
        sp_l_manifest_add(L, res, file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, err.code != SP_OK ? err.msg : msg);
        return 2;
    }
    lua_pushboolean(L, 1);
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
                                       {"warnings", l_warnings},
                                       {"export", l_export},
                                       {NULL, NULL}};
    sp_l_newclass(L, SP_L_RESULTS, methods, NULL, l_release, l_tostring);
}
