/* l_args.h: readers of named-argument tables, shared by the spendsim bindings.
 *
 * Every reader takes `fname`, the API name the user called ("sp.experiment",
 * "results:table"), and raises Lua errors with luaL_error. luaL_error prefixes
 * the position of the Lua code that called the running C function, so when a
 * reader runs inside a C function that the scenario called directly, the
 * message starts with the scenario's "file:line:". Readers allocate nothing,
 * so raising never leaks. */
#ifndef SP_L_ARGS_H
#define SP_L_ARGS_H

#include <lauxlib.h>
#include <lua.h>

/* A short type name for messages: "string", "number", and for spendsim
 * handles the handle type ("population", "package", ...). */
const char *sp_l_typename(lua_State *L, int idx);

/* Raises "<fname>: expected a table of named arguments, got <type>" unless
 * the value at idx is a table. */
void sp_l_checkargs(lua_State *L, int idx, const char *fname);

/* Checks the keys of the argument table at idx against keys (a NULL-terminated
 * list of allowed names). An unknown string key raises "<fname>: unknown key
 * '<key>' (valid keys: ...)". Integer keys are positional entries: when
 * positional is 0 any of them is an error; otherwise they must be exactly
 * 1..n. Returns n, the number of positional entries. */
lua_Integer sp_l_checkkeys(lua_State *L, int idx, const char *fname, const char *const keys[],
                           int positional);

/* 1 if the argument table at idx has a non-nil value at key. */
int sp_l_has(lua_State *L, int idx, const char *key);

/* Named integer in lo..hi, or def when absent. A float with an integral value
 * is accepted (1e5). Errors: "<fname>: '<key>' must be an integer, got
 * <type or value>" and "<fname>: '<key>' must be between <lo> and <hi>, got <v>". */
lua_Integer sp_l_getinteger(lua_State *L, int idx, const char *fname, const char *key,
                            lua_Integer lo, lua_Integer hi, lua_Integer def);

/* Named finite number in lo..hi, or def when absent. */
lua_Number sp_l_getnumber(lua_State *L, int idx, const char *fname, const char *key, lua_Number lo,
                          lua_Number hi, lua_Number def);

/* Named string, or def when absent (def may be NULL). The returned pointer is
 * owned by the argument table and stays valid while the table holds it, i.e.
 * for the rest of the calling C function. Numbers are not converted. A string
 * holding a NUL byte is an error naming its position (C would truncate it). */
const char *sp_l_getstring(lua_State *L, int idx, const char *fname, const char *key,
                           const char *def);

/* Named boolean, or def when absent. */
int sp_l_getboolean(lua_State *L, int idx, const char *fname, const char *key, int def);

/* Raises "<fname>: unknown <what> '<name>' (valid: a, b, c)" where the valid
 * names are name_of(0 .. n-1). Never returns. */
int sp_l_unknown(lua_State *L, const char *fname, const char *what, const char *name,
                 const char *(*name_of)(int), int n);

/* Index of `name` among name_of(0 .. n-1), or raises sp_l_unknown. */
int sp_l_checkname(lua_State *L, const char *fname, const char *what, const char *name,
                   const char *(*name_of)(int), int n);

#endif
