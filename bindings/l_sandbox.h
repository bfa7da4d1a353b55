/* l_sandbox.h: the scenario sandbox and its limits (safe mode, docs/security.md).
 *
 * A host (the CLI, the sandbox fuzz target) creates its Lua state with
 * sp_l_sandbox_newstate, which installs an allocator that keeps the state's
 * heap within a budget, opens the libraries a scenario gets with
 * sp_l_sandbox_open, and starts the clock with sp_l_sandbox_start. The
 * limits' record lives as long as the state and is not owned by it. */
#ifndef SP_L_SANDBOX_H
#define SP_L_SANDBOX_H

#include <stddef.h>

#include <lua.h>

typedef struct sp_l_limits {
    /* Set by the host. */
    double max_seconds;       /* > 0: wall-clock budget of the scenario; 0: none */
    size_t max_memory;        /* > 0: budget of the Lua heap and of what the engine is
                               * about to allocate (bytes); 0: none */
    long max_instructions;    /* > 0: instruction budget (the fuzz target); 0: none */
    /* Kept by the sandbox. */
    size_t lua_bytes;         /* bytes of the Lua heap now */
    int memory_hit;           /* 1 once an allocation was refused for the budget */
    char memory_where[256];   /* "file:line" of the scenario when it was refused, or "" */
    char last_where[256];     /* "file:line" the count hook saw last, or "" */
    double deadline;          /* monotonic seconds at which time runs out (0: none) */
    long instructions;        /* instructions counted so far (in steps of the hook's count) */
    int time_hit;             /* 1 once the deadline passed: every instruction then raises */
    lua_State *L;             /* the main thread, once created */
} sp_l_limits;

/* A new Lua state whose heap stays within lim->max_memory; NULL when out of
 * memory. lim must outlive the state. */
lua_State *sp_l_sandbox_newstate(sp_l_limits *lim);

/* With the standard libraries open (luaL_openlibs), when safe is nonzero reduces them to
 * what scenarios need: no io, os, debug, package, dofile, loadfile or
 * string.dump; load takes text chunks only; collectgarbage reports and
 * collects only; require loads "spendsim" only. In both modes the globals are
 * strict and the metatables of strings and of the global table are locked.
 * The spendsim module must be in package.loaded already (luaL_requiref). */
void sp_l_sandbox_open(lua_State *L, int safe);

/* Starts the time and instruction budgets: installs the count hook on L
 * (coroutines created later inherit it). */
void sp_l_sandbox_start(lua_State *L, sp_l_limits *lim);

/* The limits of this state, or NULL when it was not created by
 * sp_l_sandbox_newstate (the module in a stock lua5.4). */
sp_l_limits *sp_l_sandbox_limits(lua_State *L);

/* "file:line" of the innermost Lua function running in L, into buf ("" when
 * none). Allocates nothing. */
void sp_l_where(lua_State *L, char *buf, size_t n);

/* The memory the engine may still allocate, in bytes: the smallest of the
 * budget left (--max-memory less the Lua heap), the cgroup's limit less its
 * usage and the system's available memory. `what` receives which one bound
 * it ("--max-memory", "the container's memory limit", "available memory").
 * SIZE_MAX when nothing is known. */
size_t sp_l_memory_available(lua_State *L, const char **what);

/* Raises "<fname>: <what> needs 6.3 GiB, 3.0 GiB available (<bound>)" when
 * `bytes` exceeds sp_l_memory_available. Called before the engine builds a
 * population or a results cube. */
void sp_l_need_memory(lua_State *L, const char *fname, const char *what, double bytes);

/* The default memory budget: the smaller of the cgroup's limit and the
 * machine's memory; 0 when neither is known. */
size_t sp_l_memory_total(void);

/* "6.3 GiB", "512 MiB", "900 KiB" or "12 bytes" into buf. */
const char *sp_l_bytes_text(double bytes, char *buf, size_t n);

#endif
