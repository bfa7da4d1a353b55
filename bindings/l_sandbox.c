/* l_sandbox.c: the scenario sandbox and its limits (see l_sandbox.h and
 * docs/security.md). */
#define _POSIX_C_SOURCE 200809L

#include "l_sandbox.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#define HOOK_COUNT 1000 /* instructions between two looks at the clock */

/* ---- memory ---- */

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sp_l_limits *lim = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        lim->lua_bytes -= old;
        return NULL;
    }
    if (lim->max_memory && nsize > old && lim->lua_bytes - old + nsize > lim->max_memory) {
        /* Refused; where the scenario was is what the count hook saw last
         * (walking the stack from inside the allocator is not safe). */
        lim->memory_hit = 1;
        snprintf(lim->memory_where, sizeof lim->memory_where, "%s", lim->last_where);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p)
        lim->lua_bytes = lim->lua_bytes - old + nsize;
    return p;
}

lua_State *sp_l_sandbox_newstate(sp_l_limits *lim)
{
    lim->lua_bytes = 0;
    lim->memory_hit = lim->time_hit = 0;
    lim->memory_where[0] = lim->last_where[0] = '\0';
    lim->L = lua_newstate(sandbox_alloc, lim);
    if (lim->L)
        lua_atpanic(lim->L, NULL);
    return lim->L;
}

sp_l_limits *sp_l_sandbox_limits(lua_State *L)
{
    void *ud = NULL;
    return lua_getallocf(L, &ud) == sandbox_alloc ? ud : NULL;
}

/* ---- time ---- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sp_l_where(lua_State *L, char *buf, size_t n)
{
    lua_Debug ar;
    buf[0] = '\0';
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
            continue;
        snprintf(buf, n, "%s:%d", ar.short_src, ar.currentline);
        return;
    }
}

/* Raises "<file:line>: <what> (<option>)" from the hook. */
static void hook_raise(lua_State *L, const char *what, const char *option)
{
    char where[256];
    sp_l_where(L, where, sizeof where);
    lua_pushfstring(L, "%s%s%s (%s)", where, where[0] ? ": " : "", what, option);
    lua_error(L);
}

static void hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sp_l_limits *lim = sp_l_sandbox_limits(L);
    if (!lim)
        return;
    sp_l_where(L, lim->last_where, sizeof lim->last_where);
    lim->instructions += HOOK_COUNT;
    if (!lim->time_hit) {
        int late = lim->deadline > 0 && now() > lim->deadline;
        int many = lim->max_instructions > 0 && lim->instructions > lim->max_instructions;
        if (!late && !many)
            return;
        /* From now on every instruction raises again, so a pcall in the
         * scenario cannot keep it running. */
        lim->time_hit = late ? 1 : 2;
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
    }
    char what[96];
    if (lim->time_hit == 1)
        snprintf(what, sizeof what, "time limit of %g s exceeded", lim->max_seconds);
    else
        snprintf(what, sizeof what, "instruction limit of %ld exceeded", lim->max_instructions);
    hook_raise(L, what, lim->time_hit == 1 ? "--max-seconds" : "instruction budget");
}

void sp_l_sandbox_start(lua_State *L, sp_l_limits *lim)
{
    lim->deadline = lim->max_seconds > 0 ? now() + lim->max_seconds : 0;
    lim->instructions = 0;
    lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_COUNT);
}

/* ---- the libraries ---- */

/* Globals a safe scenario does not get. */
static const char *const removed[] = {"os", "io", "debug", "package", "loadfile", "dofile", "warn"};
#define NREMOVED (sizeof removed / sizeof removed[0])

/* __index of the global table; upvalue 1 is true in safe mode. */
static int strict_index(lua_State *L)
{
    const char *name = luaL_tolstring(L, 2, NULL);
    if (lua_toboolean(L, lua_upvalueindex(1)))
        for (size_t k = 0; k < NREMOVED; k++)
            if (strcmp(name, removed[k]) == 0)
                return luaL_error(L, "'%s' is not available in scenarios (run with --unsafe to "
                                     "use it)", name);
    return luaL_error(L, "undeclared global '%s' (declare variables with local)", name);
}

/* string.dump in safe mode: bytecode is never made (nor loaded). */
static int no_dump(lua_State *L)
{
    return luaL_error(L, "string.dump is not available in scenarios (bytecode; run with --unsafe "
                         "to use it)");
}

static int strict_newindex(lua_State *L)
{
    const char *name = luaL_tolstring(L, 2, NULL);
    return luaL_error(L, "assignment to undeclared global '%s' (use: local %s = ...)", name, name);
}

/* require in safe mode: "spendsim" only. */
static int safe_require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (strcmp(name, "spendsim") != 0)
        return luaL_error(L, "require \"%s\": scenarios may require \"spendsim\" only "
                             "(run with --unsafe to load other modules)", name);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getfield(L, -1, "spendsim");
    return 1;
}

/* load(chunk [, chunkname [, mode [, env]]]) with text chunks only; upvalue 1
 * is the standard load. */
static int safe_load(lua_State *L)
{
    int n = lua_gettop(L);
    const char *mode = luaL_optstring(L, 3, "t");
    if (strcmp(mode, "t") != 0)
        return luaL_error(L, "load: mode '%s' refused: scenarios may load text chunks only "
                             "(mode \"t\"; run with --unsafe to load binary chunks)", mode);
    lua_settop(L, 4);
    n = n >= 4 ? 4 : 3; /* an env given as nil is an env */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushliteral(L, "t");
    if (n == 4)
        lua_pushvalue(L, 4);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L) - 4;
}

/* collectgarbage with the options that report or collect; upvalue 1 is the
 * standard one. */
static int safe_collectgarbage(lua_State *L)
{
    static const char *const allowed[] = {"collect", "count", "step", "isrunning", NULL};
    const char *opt = luaL_optstring(L, 1, "collect");
    int k;
    for (k = 0; allowed[k] && strcmp(allowed[k], opt) != 0; k++)
        ;
    if (!allowed[k])
        return luaL_error(L, "collectgarbage(\"%s\") is not available in scenarios "
                             "(collect, count, step and isrunning are)", opt);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* Replaces global `name` by closure f with the old value as upvalue 1. */
static void wrap_global(lua_State *L, int g, const char *name, lua_CFunction f)
{
    lua_getfield(L, g, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, g, name);
}

/* Sets __metatable on the metatable on top of the stack. */
static void lock(lua_State *L)
{
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
}

static void reduce(lua_State *L, int g)
{
    for (size_t k = 0; k < NREMOVED; k++) {
        lua_pushnil(L);
        lua_setfield(L, g, removed[k]);
    }
    lua_pushcfunction(L, safe_require);
    lua_setfield(L, g, "require");
    wrap_global(L, g, "load", safe_load);
    wrap_global(L, g, "collectgarbage", safe_collectgarbage);
    lua_getfield(L, g, "string"); /* also the strings' __index */
    lua_pushcfunction(L, no_dump);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
}

void sp_l_sandbox_open(lua_State *L, int safe)
{
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    if (safe)
        reduce(L, g);
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lock(L);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushboolean(L, safe);
    lua_pushcclosure(L, strict_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, strict_newindex);
    lua_setfield(L, -2, "__newindex");
    lock(L);
    lua_setmetatable(L, g);
    lua_pop(L, 1);
}

/* ---- the engine's memory ---- */

/* The first number in file path, or -1. */
static double read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[64];
    double v = -1;
    if (fgets(buf, sizeof buf, f)) {
        char *end;
        errno = 0;
        unsigned long long x = strtoull(buf, &end, 10);
        if (end != buf && !errno)
            v = (double)x;
    }
    fclose(f);
    return v;
}

/* The cgroup's memory limit less its usage (v2, then v1), or -1 when there is
 * no limit or none is known. */
static double cgroup_headroom(void)
{
    static const char *const pairs[][2] = {
        {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
        {"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        double max = read_number(pairs[k][0]), cur = read_number(pairs[k][1]);
        if (max > 0 && max < 1e18 && cur >= 0) /* "max" and v1's 2^63 mean none */
            return max > cur ? max - cur : 0;
    }
    return -1;
}

/* MemAvailable of /proc/meminfo in bytes, or -1. */
static double mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[128];
    double v = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "MemAvailable:", 13) == 0) {
            v = strtod(line + 13, NULL) * 1024.0;
            break;
        }
    fclose(f);
    return v;
}

size_t sp_l_memory_available(lua_State *L, const char **what)
{
    double best = -1;
    *what = "";
    sp_l_limits *lim = sp_l_sandbox_limits(L);
    if (lim && lim->max_memory) {
        best = lim->lua_bytes < lim->max_memory ? (double)(lim->max_memory - lim->lua_bytes) : 0;
        *what = "--max-memory";
    }
    double cg = cgroup_headroom();
    if (cg >= 0 && (best < 0 || cg < best)) {
        best = cg;
        *what = "the container's memory limit";
    }
    double av = mem_available();
    if (av >= 0 && (best < 0 || av < best)) {
        best = av;
        *what = "available memory";
    }
    return best < 0 ? SIZE_MAX : best >= (double)SIZE_MAX ? SIZE_MAX : (size_t)best;
}

const char *sp_l_bytes_text(double bytes, char *buf, size_t n)
{
    if (bytes >= 1024.0 * 1024 * 1024)
        snprintf(buf, n, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    else if (bytes >= 1024.0 * 1024)
        snprintf(buf, n, "%.0f MiB", bytes / (1024.0 * 1024));
    else if (bytes >= 1024.0)
        snprintf(buf, n, "%.0f KiB", bytes / 1024.0);
    else
        snprintf(buf, n, "%.0f bytes", bytes);
    return buf;
}

void sp_l_need_memory(lua_State *L, const char *fname, const char *what, double bytes)
{
    const char *bound;
    size_t avail = sp_l_memory_available(L, &bound);
    if (avail == SIZE_MAX || bytes <= (double)avail)
        return;
    char need[32], have[32];
    sp_l_bytes_text(bytes, need, sizeof need);
    sp_l_bytes_text((double)avail, have, sizeof have);
    luaL_error(L, "%s: %s: needs %s, %s available (%s)", fname, what, need, have, bound);
}

size_t sp_l_memory_total(void)
{
    double best = -1;
    static const char *const limits[] = {"/sys/fs/cgroup/memory.max",
                                         "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0] && best < 0; k++) {
        double v = read_number(limits[k]);
        if (v > 0 && v < 1e18)
            best = v;
    }
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[128];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "MemTotal:", 9) == 0) {
                double v = strtod(line + 9, NULL) * 1024.0;
                if (v > 0 && (best < 0 || v < best))
                    best = v;
                break;
            }
        fclose(f);
    }
    return best > 0 ? (size_t)best : 0;
}
