/* fuzz_sandbox.c: libFuzzer target for the scenario sandbox
 * (bindings/l_sandbox.c): random Lua chunks run in safe mode, as
 * `spendsim check` would run them (nothing simulated or written), with a
 * 64 MiB memory budget and an instruction budget instead of the clock. Any
 * chunk must run or fail with a Lua error, never crash the host. print is a
 * no-op here; the chunk may read no file (no read roots). */
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "l_sandbox.h"
#include "l_spendsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int quiet_print(lua_State *L)
{
    (void)L;
    return 0;
}

static int setup(lua_State *L)
{
    sp_l_host *host = sp_l_host_install(L);
    host->dry_run = 1;
    host->safe = 1;
    strcpy(host->out_dir, "/nonexistent/spendsim-fuzz-out");
    strcpy(host->scenario, "fuzz.lua");
    luaL_openlibs(L);
    luaL_requiref(L, "spendsim", luaopen_spendsim, 0);
    lua_pop(L, 1);
    sp_l_sandbox_open(L, 1);
    lua_pushcfunction(L, quiet_print);
    lua_setglobal(L, "print");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sp_l_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_memory = (size_t)64 << 20;
    lim.max_instructions = 200000;
    lua_State *L = sp_l_sandbox_newstate(&lim);
    if (!L)
        return 0;
    lua_pushcfunction(L, setup);
    if (lua_pcall(L, 0, 0, 0) == LUA_OK &&
        luaL_loadbufferx(L, (const char *)data, size, "=fuzz", "t") == LUA_OK) {
        sp_l_sandbox_start(L, &lim);
        lua_pcall(L, 0, 0, 0);
    }
    lua_close(L);
    return 0;
}
