/* l_population.c: the population handle, sp.population.beijing{...},
 * sp.population.csv{...}, sp.population.load{...}, pop:save and pop:write.
 *
 * A population handle owns an sp_population. Experiments and their results
 * keep the handle alive (user values), so the population outlives every run
 * that reads it unless the scenario closes it explicitly (<close>); a closed
 * population is detected when an experiment runs. */
#include <math.h>
#include <string.h>

#include "l_args.h"
#include "l_path.h"
#include "l_sandbox.h"
#include "l_spendsim.h"

#define WHAT "population"

/* Peak bytes per household allocated while the Beijing population is built:
 * its columns and state (sp_population_bytes_per_household, 62); the
 * generator's work areas and the ranking's items are the shares column's
 * own memory, and its other buffers come to a few MB (the process's virtual
 * peak grew by 63.4 bytes per household building 1,000,000 and 62.2 building
 * 8,230,792); 68 with a margin. Peak resident memory is lower (382,656 KB
 * for 8,230,792 households, 47.6 bytes each: the zeroed state columns are
 * not touched; docs/performance.md). */
#define SP_L_BUILD_BYTES_PER_HOUSEHOLD 68.0

/* Registry: population label -> "file (xxh64 checksum)" of the populations
 * loaded from saved files, for the provenance of results (l_report.c). */
#define POPULATION_FILES "spendsim.population_files"

static sp_population *check(lua_State *L, const char *fname)
{
    return sp_l_checkhandle(L, 1, SP_L_POPULATION, fname, WHAT);
}

static const char *const liquidity_names[] = {"poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm"};
_Static_assert(sizeof liquidity_names / sizeof liquidity_names[0] == SP_NLIQ,
               "one name per liquidity type, in code order");

/* liquidity = { poor_htm = .068, wealthy_htm = .367, poor_nhtm = .066,
 * wealthy_nhtm = .499 }: all four household shares, summing to 1. */
static void get_liquidity(lua_State *L, const char *fn, double share[SP_NLIQ])
{
    int t = lua_gettop(L);
    if (lua_getfield(L, 1, "liquidity") == LUA_TNIL) {
        lua_settop(L, t);
        return;
    }
    const char *key = "liquidity";
    if (!lua_istable(L, -1))
        luaL_error(L, "%s: '%s' must be a table of the four household shares (poor_htm, wealthy_htm, "
                      "poor_nhtm, wealthy_nhtm), got %s", fn, key, sp_l_typename(L, -1));
    int idx = lua_gettop(L);
    static const char *const names[] = {"poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm", NULL};
    char what[64];
    snprintf(what, sizeof what, "%s liquidity", fn);
    sp_l_checkkeys(L, idx, what, names, 0);
    double sum = 0;
    for (int k = 0; k < SP_NLIQ; k++) {
        if (!sp_l_has(L, idx, liquidity_names[k]))
            luaL_error(L, "%s: 'liquidity' needs all four shares; '%s' is missing", fn,
                       liquidity_names[k]);
        share[k] = sp_l_getnumber(L, idx, what, liquidity_names[k], 0, 1, 0);
        sum += share[k];
    }
    if (fabs(sum - 1.0) > 1e-6) {
        char got[32];
        snprintf(got, sizeof got, "%g", sum); /* lua_pushfstring has no %g */
        luaL_error(L, "%s: the 'liquidity' shares must sum to 1, got %s", fn, got);
    }
    double poor = share[SP_LIQ_POOR_HTM] + share[SP_LIQ_POOR_NHTM];
    if (poor > 0.5) {
        char got[32];
        snprintf(got, sizeof got, "%g", poor);
        luaL_error(L, "%s: 'liquidity': poor_htm + poor_nhtm must be at most 0.5 (poor households are "
                      "concentrated at low incomes with P(poor | rank r) = 2 x poor share x (1 - r)), got %s",
                   fn, got);
    }
    lua_settop(L, t);
}

/* mpc = { poor_htm =, wealthy_htm =, poor_nhtm =, wealthy_nhtm = } (all four,
 * each 0..1) and mpc_quintile = { m1, ..., m5 } (multipliers by income
 * quintile, each above 0 and at most 2): the population's MPCs. Returns 1 when
 * `mpc` is given; writes the values (defaults: none, multipliers 1). */
static int get_mpc(lua_State *L, const char *fn, float type[SP_NLIQ], float quintile[SP_NQUINTILE])
{
    int t = lua_gettop(L), given = 0;
    for (int q = 0; q < SP_NQUINTILE; q++)
        quintile[q] = 1.0f;
    if (lua_getfield(L, 1, "mpc") != LUA_TNIL) {
        if (!lua_istable(L, -1))
            luaL_error(L, "%s: 'mpc' must be a table of the four MPCs (poor_htm, wealthy_htm, "
                          "poor_nhtm, wealthy_nhtm), got %s", fn, sp_l_typename(L, -1));
        int idx = lua_gettop(L);
        static const char *const names[] = {"poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm", NULL};
        char what[64];
        snprintf(what, sizeof what, "%s mpc", fn);
        sp_l_checkkeys(L, idx, what, names, 0);
        for (int k = 0; k < SP_NLIQ; k++) {
            if (!sp_l_has(L, idx, liquidity_names[k]))
                luaL_error(L, "%s: 'mpc' needs all four MPCs; '%s' is missing", fn, liquidity_names[k]);
            type[k] = (float)sp_l_getnumber(L, idx, what, liquidity_names[k], 0, 1, 0);
        }
        given = 1;
    }
    lua_settop(L, t);
    if (lua_getfield(L, 1, "mpc_quintile") != LUA_TNIL) {
        if (!lua_istable(L, -1) || lua_rawlen(L, -1) != SP_NQUINTILE)
            luaL_error(L, "%s: 'mpc_quintile' must be a list of %d multipliers (income quintiles 1..5), "
                          "got %s", fn, SP_NQUINTILE, lua_istable(L, -1) ? "a list of another length"
                                                                         : sp_l_typename(L, -1));
        for (int q = 0; q < SP_NQUINTILE; q++) {
            lua_rawgeti(L, -1, q + 1);
            int ok = 0;
            double v = lua_tonumberx(L, -1, &ok);
            if (!ok || !(v > 0) || v > 2) {
                char got[32];
                snprintf(got, sizeof got, "%g", ok ? v : 0.0);
                luaL_error(L, "%s: 'mpc_quintile'[%d] must be a number above 0 and at most 2, got %s", fn,
                           q + 1, ok ? got : sp_l_typename(L, -1));
            }
            quintile[q] = (float)v;
            lua_pop(L, 1);
        }
    }
    lua_settop(L, t);
    return given;
}

/* sp.population.beijing{ households = 100000, year = 2019, seed = 1,
 *   liquidity = {...}, private_cars = 4974000, car_income_slope = 1.2,
 *   car_size_slope = 0.3, second_car_intercept = -2.4, second_car_slope = 1.0 } */
static int l_beijing(lua_State *L)
{
    static const char *const keys[] = {"households", "year", "seed", "liquidity", "private_cars",
                                       "car_income_slope", "car_size_slope",
                                       "second_car_intercept", "second_car_slope", "mpc",
                                       "mpc_quintile", NULL};
    const char *fn = "sp.population.beijing";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    sp_beijing_def d = sp_beijing_def_default();
    d.households = (size_t)sp_l_getinteger(L, 1, fn, "households", 1, SP_BEIJING_MAX_HOUSEHOLDS,
                                           (lua_Integer)d.households);
    d.year = (int)sp_l_getinteger(L, 1, fn, "year", 1900, 2200, d.year);
    d.seed = (uint32_t)sp_l_getinteger(L, 1, fn, "seed", 0, UINT32_MAX, d.seed);
    get_liquidity(L, fn, d.liquidity_share);
    float mpc_type[SP_NLIQ] = {0}, mpc_quintile[SP_NQUINTILE];
    const int mpc_given = get_mpc(L, fn, mpc_type, mpc_quintile);
    d.private_cars = sp_l_getnumber(L, 1, fn, "private_cars", 0, 2.0 * d.represented, d.private_cars);
    d.car_income_slope = sp_l_getnumber(L, 1, fn, "car_income_slope", -10, 10, d.car_income_slope);
    d.car_size_slope = sp_l_getnumber(L, 1, fn, "car_size_slope", -10, 10, d.car_size_slope);
    d.second_car_intercept =
        sp_l_getnumber(L, 1, fn, "second_car_intercept", -20, 20, d.second_car_intercept);
    d.second_car_slope = sp_l_getnumber(L, 1, fn, "second_car_slope", -10, 10, d.second_car_slope);
    d.threads = sp_l_host_get(L)->threads; /* 0: OpenMP's default; the population is the same */
    char what[64];
    snprintf(what, sizeof what, "%zu households", d.households);
    sp_l_need_memory(L, fn, what, (double)d.households * SP_L_BUILD_BYTES_PER_HOUSEHOLD);

    /* provenance: the call with every key given */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "%s{households = %I, year = %d, seed = %I", fn, (LUAI_UACINT)d.households,
                    d.year, (LUAI_UACINT)d.seed);
    luaL_addvalue(&b);
    if (sp_l_has(L, 1, "liquidity")) {
        char liq[256];
        snprintf(liq, sizeof liq, ", liquidity = {poor_htm = %.17g, wealthy_htm = %.17g, poor_nhtm = "
                 "%.17g, wealthy_nhtm = %.17g}", d.liquidity_share[0], d.liquidity_share[1],
                 d.liquidity_share[2], d.liquidity_share[3]);
        luaL_addstring(&b, liq);
    }
    for (int k = 4; keys[k] && strcmp(keys[k], "mpc") != 0; k++)
        if (sp_l_has(L, 1, keys[k])) {
            lua_getfield(L, 1, keys[k]);
            char num[64];
            snprintf(num, sizeof num, ", %s = %.17g", keys[k], (double)lua_tonumber(L, -1));
            lua_pop(L, 1);
            luaL_addstring(&b, num);
        }
    if (mpc_given) {
        char t[256];
        snprintf(t, sizeof t, ", mpc = {poor_htm = %.9g, wealthy_htm = %.9g, poor_nhtm = %.9g, wealthy_nhtm = %.9g}",
                 mpc_type[0], mpc_type[1], mpc_type[2], mpc_type[3]);
        luaL_addstring(&b, t);
    }
    if (sp_l_has(L, 1, "mpc_quintile")) {
        char t[160];
        snprintf(t, sizeof t, ", mpc_quintile = {%.9g, %.9g, %.9g, %.9g, %.9g}", mpc_quintile[0],
                 mpc_quintile[1], mpc_quintile[2], mpc_quintile[3], mpc_quintile[4]);
        luaL_addstring(&b, t);
    }
    luaL_addchar(&b, '}');
    luaL_pushresult(&b);
    int prov = lua_gettop(L);

    void **slot = sp_l_newhandle(L, SP_L_POPULATION, 0);
    sp_err err;
    sp_err_clear(&err);
    sp_population *pop = sp_beijing_build(&d, &err);
    if (!pop)
        return luaL_error(L, "%s: %s", fn, err.msg);
    *slot = pop;
    pop->mpc_given = mpc_given;
    memcpy(pop->mpc_type, mpc_type, sizeof mpc_type);
    memcpy(pop->mpc_quintile, mpc_quintile, sizeof mpc_quintile);
    snprintf(pop->provenance, sizeof pop->provenance, "%s", lua_tostring(L, prov));
    return 1;
}

/* ignore = { "col", ... }: names of columns the reader skips; at most
 * SP_L_MAX_IGNORE, kept alive by the argument table. */
#define SP_L_MAX_IGNORE 64
static int get_ignore(lua_State *L, const char *fn, const char *names[SP_L_MAX_IGNORE])
{
    int t = lua_gettop(L), n = 0;
    if (lua_getfield(L, 1, "ignore") == LUA_TNIL) {
        lua_settop(L, t);
        return 0;
    }
    if (!lua_istable(L, -1))
        return luaL_error(L, "%s: 'ignore' must be a list of column names, got %s", fn,
                          sp_l_typename(L, -1));
    lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
    if (len > SP_L_MAX_IGNORE)
        return luaL_error(L, "%s: 'ignore' lists %I columns, at most %d", fn, (LUAI_UACINT)len,
                          SP_L_MAX_IGNORE);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > len)
            return luaL_error(L, "%s: 'ignore' must be a list (1, 2, ...) of column names", fn);
        lua_pop(L, 1);
    }
    for (lua_Integer k = 1; k <= len; k++) {
        if (lua_rawgeti(L, -1, k) != LUA_TSTRING || lua_rawlen(L, -1) == 0)
            return luaL_error(L, "%s: 'ignore' entry %I must be a column name, got %s", fn,
                              (LUAI_UACINT)k, sp_l_typename(L, -1));
        names[n++] = lua_tostring(L, -1); /* kept alive by the argument table */
        lua_pop(L, 1);
    }
    lua_settop(L, t);
    return n;
}

/* sp.population.csv{ path = "households.csv", year = 2019, seed = 1,
 * ignore = {"col", ...} }: a population read from survey microdata
 * (core/microdata.h gives the columns). A relative path is taken from the
 * current directory; in safe mode the file must lie in a folder the
 * scenario may read (l_path.h). */
static int l_csv(lua_State *L)
{
    static const char *const keys[] = {"path", "year", "seed", "ignore", NULL};
    const char *fn = "sp.population.csv";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    sp_microdata_def d = sp_microdata_def_default();
    d.path = sp_l_getstring(L, 1, fn, "path", NULL);
    if (!d.path || !d.path[0])
        return luaL_error(L, "%s: 'path' (the CSV file) is required", fn);
    d.year = (int)sp_l_getinteger(L, 1, fn, "year", 2000, 2100, d.year);
    d.seed = (uint32_t)sp_l_getinteger(L, 1, fn, "seed", 0, UINT32_MAX, d.seed);
    const char *ignore[SP_L_MAX_IGNORE];
    d.nignore = get_ignore(L, fn, ignore);
    d.ignore = ignore;
    char path[SP_L_PATH_MAX];
    sp_l_in_path(L, fn, d.path, path, sizeof path);
    d.path = path;

    void **slot = sp_l_newhandle(L, SP_L_POPULATION, 0);
    sp_err err;
    sp_err_clear(&err);
    sp_population *pop = sp_microdata_read(&d, &err);
    if (!pop)
        return luaL_error(L, "%s: %s", fn, err.msg);
    *slot = pop;
    snprintf(pop->provenance, sizeof pop->provenance, "%s{path = \"%.400s\", year = %d, seed = %u}",
             fn, path, d.year, (unsigned)d.seed);
    return 1;
}

/* sp.population.load{ path = "beijing.spop" }: a population saved with
 * pop:save (core/spop.h), mapped read-only. In safe mode the file must lie
 * in a folder the scenario may read. Results record the file (provenance
 * "population_file"). */
static int l_load(lua_State *L)
{
    static const char *const keys[] = {"path", NULL};
    const char *fn = "sp.population.load";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    const char *given = sp_l_getstring(L, 1, fn, "path", NULL);
    if (!given || !given[0])
        return luaL_error(L, "%s: 'path' (the saved population, .spop) is required", fn);
    char path[SP_L_PATH_MAX];
    sp_l_in_path(L, fn, given, path, sizeof path);
    void **slot = sp_l_newhandle(L, SP_L_POPULATION, 0);
    sp_err err;
    sp_err_clear(&err);
    sp_population *pop = sp_spop_load(path, &err);
    if (!pop)
        return luaL_error(L, "%s: %s", fn, err.msg);
    *slot = pop;
    if (lua_getfield(L, LUA_REGISTRYINDEX, POPULATION_FILES) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, POPULATION_FILES);
    }
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)pop->source_checksum);
    lua_pushfstring(L, "%s (xxh64 %s)", given, hex);
    lua_setfield(L, -2, pop->label);
    lua_pop(L, 1);
    return 1;
}

const char *sp_l_population_file(lua_State *L, const char *label)
{
    int top = lua_gettop(L);
    const char *file = NULL;
    if (lua_getfield(L, LUA_REGISTRYINDEX, POPULATION_FILES) == LUA_TTABLE &&
        lua_getfield(L, -1, label) == LUA_TSTRING)
        file = lua_tostring(L, -1); /* kept alive by the registry table */
    lua_settop(L, top);
    return file;
}

/* Writes pop to the path given as argument 2 with write(pop, file, err):
 * confined in safe mode, parents created, recorded in the directory's
 * manifest. true, or nil and a message. */
static int write_out(lua_State *L, const char *fn,
                     int (*write)(const sp_population *, const char *, sp_err *))
{
    const sp_population *pop = check(L, fn);
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
        return luaL_error(L, "%s: the path must be a non-empty string, got %s", fn,
                          sp_l_typename(L, 2));
    if (lua_gettop(L) > 2)
        return luaL_error(L, "%s: expected (path), got %d arguments", fn, lua_gettop(L) - 1);
    char file[SP_L_PATH_MAX], msg[SP_ERR_MSG_MAX + SP_L_PATH_MAX];
    sp_l_out_path(L, fn, lua_tostring(L, 2), file, sizeof file); /* confined in safe mode */
    if (sp_l_host_get(L)->dry_run) {
        lua_pushboolean(L, 1);
        return 1;
    }
    sp_err err;
    sp_err_clear(&err);
    if (sp_l_mkparents(file, msg, sizeof msg) != 0 || write(pop, file, &err) != SP_OK ||
        sp_l_manifest_add(L, NULL, file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, err.code != SP_OK ? err.msg : msg);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int save(const sp_population *pop, const char *file, sp_err *err)
{
    return sp_spop_save(pop, file, NULL, err);
}

/* pop:save("beijing.spop"): the population as a saved population file
 * (core/spop.h), written atomically, for sp.population.load. */
static int l_save(lua_State *L) { return write_out(L, "population:save", save); }

/* pop:write("households.csv"): the population in the microdata format that
 * sp.population.csv reads (core/microdata.h), with its ids. */
static int l_write(lua_State *L) { return write_out(L, "population:write", sp_microdata_write); }

static int l_release(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_POPULATION);
    sp_population_free(*slot);
    *slot = NULL;
    return 0;
}

/* pop:size(), #pop: households in the sample. */
static int l_size(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check(L, "population:size")->n);
    return 1;
}

/* pop:represented(): households represented (sum of weights). */
static int l_represented(lua_State *L)
{
    lua_pushnumber(L, check(L, "population:represented")->total_weight);
    return 1;
}

static void setnum(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

/* pop:summary(): calibration figures computed from the columns (see
 * sp_population_summary in population.h); money in yuan per year. */
static int l_summary(lua_State *L)
{
    const char *fn = "population:summary";
    sp_population *pop = check(L, fn);
    sp_population_summary s;
    sp_err err;
    sp_err_clear(&err);
    if (sp_population_summary_compute(pop, &s, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);
    lua_createtable(L, 0, 16);
    setnum(L, "households", s.households);
    lua_pushinteger(L, (lua_Integer)s.sample);
    lua_setfield(L, -2, "sample");
    setnum(L, "mean_size", s.mean_size);
    setnum(L, "income_pc_urban", s.income_pc[SP_AREA_URBAN]);
    setnum(L, "income_pc_rural", s.income_pc[SP_AREA_RURAL]);
    setnum(L, "consumption_pc_urban", s.consumption_pc[SP_AREA_URBAN]);
    setnum(L, "consumption_pc_rural", s.consumption_pc[SP_AREA_RURAL]);
    lua_createtable(L, 0, SP_NCAT);
    for (int c = 0; c < SP_NCAT; c++)
        setnum(L, sp_category_name(c), s.share[c]);
    lua_setfield(L, -2, "shares");
    setnum(L, "private_cars", s.private_cars);
    setnum(L, "quintile_ratio_urban", s.quintile_ratio_urban);
    static const char *const liq[] = {"poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm"};
    _Static_assert(sizeof liq / sizeof liq[0] == SP_NLIQ, "one name per liquidity type, in code order");
    lua_createtable(L, 0, SP_NLIQ);
    for (int k = 0; k < SP_NLIQ; k++)
        setnum(L, liq[k], s.liquidity_share[k]);
    lua_setfield(L, -2, "liquidity");
    setnum(L, "plate_applicants", s.plate_applicants);
    setnum(L, "nev_queue", s.nev_queue);
    return 1;
}

static int l_tostring(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_POPULATION);
    const sp_population *pop = *slot;
    if (!pop)
        lua_pushliteral(L, "population (closed)");
    else
        lua_pushfstring(L, "population: %I households representing %f", (LUAI_UACINT)pop->n,
                        (lua_Number)pop->total_weight);
    return 1;
}

void sp_l_open_population(lua_State *L, int module)
{
    static const luaL_Reg methods[] = {{"size", l_size},
                                       {"represented", l_represented},
                                       {"summary", l_summary},
                                       {"save", l_save},
                                       {"write", l_write},
                                       {NULL, NULL}};
    sp_l_newclass(L, SP_L_POPULATION, methods, NULL, l_release, l_tostring);
    luaL_getmetatable(L, SP_L_POPULATION);
    lua_pushcfunction(L, l_size);
    lua_setfield(L, -2, "__len");
    lua_pop(L, 1);

    static const luaL_Reg constructors[] = {{"beijing", l_beijing},
                                                    {"csv", l_csv},
                                                    {"load", l_load},
                                                    {NULL, NULL}};
    luaL_newlib(L, constructors);
    lua_setfield(L, module, "population");
}
