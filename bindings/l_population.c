/* l_population.c: the population handle and sp.population.beijing{...}.
 *
 * A population handle owns an sp_population. Experiments and their results
 * keep the handle alive (user values), so the population outlives every run
 * that reads it unless the scenario closes it explicitly (<close>); a closed
 * population is detected when an experiment runs. */
#include <string.h>

#include "l_args.h"
#include "l_path.h"
#include "l_sandbox.h"
#include "l_spendsim.h"

#define WHAT "population"

/* Peak bytes per household while the Beijing population is built: its
 * columns and state (sp_population_bytes_per_household) and the generator's
 * work arrays: peak resident memory of `spendsim check` building 1,000,000
 * households was 134,940 KiB against 3,828 KiB for an empty scenario (132
 * bytes each; docs/security.md). */
#define SP_L_BUILD_BYTES_PER_HOUSEHOLD 140.0

static sp_population *check(lua_State *L, const char *fname)
{
    return sp_l_checkhandle(L, 1, SP_L_POPULATION, fname, WHAT);
}

/* sp.population.beijing{ households = 100000, year = 2019, seed = 1 } */
static int l_beijing(lua_State *L)
{
    static const char *const keys[] = {"households", "year", "seed", NULL};
    const char *fn = "sp.population.beijing";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    sp_beijing_def d = sp_beijing_def_default();
    d.households = (size_t)sp_l_getinteger(L, 1, fn, "households", 1, 50000000,
                                           (lua_Integer)d.households);
    d.year = (int)sp_l_getinteger(L, 1, fn, "year", 1900, 2200, d.year);
    d.seed = (uint32_t)sp_l_getinteger(L, 1, fn, "seed", 0, UINT32_MAX, d.seed);
    char what[64];
    snprintf(what, sizeof what, "%zu households", d.households);
    sp_l_need_memory(L, fn, what, (double)d.households * SP_L_BUILD_BYTES_PER_HOUSEHOLD);

    void **slot = sp_l_newhandle(L, SP_L_POPULATION, 0);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_beijing_build(&d, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

/* sp.population.csv{ path = "households.csv", year = 2019, seed = 1 }: a
 * population read from survey microdata (core/microdata.h gives the columns).
 * A relative path is taken from the current directory; in safe mode the file
 * must lie in a folder the scenario may read (l_path.h). */
static int l_csv(lua_State *L)
{
    static const char *const keys[] = {"path", "year", "seed", NULL};
    const char *fn = "sp.population.csv";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    sp_microdata_def d = sp_microdata_def_default();
    d.path = sp_l_getstring(L, 1, fn, "path", NULL);
    if (!d.path || !d.path[0])
        return luaL_error(L, "%s: 'path' (the CSV file) is required", fn);
    d.year = (int)sp_l_getinteger(L, 1, fn, "year", 2000, 2100, d.year);
    d.seed = (uint32_t)sp_l_getinteger(L, 1, fn, "seed", 0, UINT32_MAX, d.seed);
    char path[SP_L_PATH_MAX];
    sp_l_in_path(L, fn, d.path, path, sizeof path);
    d.path = path;

    void **slot = sp_l_newhandle(L, SP_L_POPULATION, 0);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_microdata_read(&d, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 1;
}

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
                                       {NULL, NULL}};
    sp_l_newclass(L, SP_L_POPULATION, methods, NULL, l_release, l_tostring);
    luaL_getmetatable(L, SP_L_POPULATION);
    lua_pushcfunction(L, l_size);
    lua_setfield(L, -2, "__len");
    lua_pop(L, 1);

    static const luaL_Reg constructors[] = {{"beijing", l_beijing}, {"csv", l_csv}, {NULL, NULL}};
    luaL_newlib(L, constructors);
    lua_setfield(L, module, "population");
}
