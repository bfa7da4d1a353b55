/* l_table.c: the table handle (a labelled 2-D view of results).
 *
 * A table handle owns an sp_table. tostring(t) renders Markdown; t:write
 * writes CSV, Markdown or JSON files atomically through the core writers.
 * Rows and columns are numbered from 1 in Lua. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l_args.h"
#include "l_path.h"
#include "l_spendsim.h"

#define WHAT "table"
#define SP_L_TEXT "spendsim.text" /* a malloc'd string owned by a userdata */

static sp_table *check(lua_State *L, const char *fname)
{
    return sp_l_checkhandle(L, 1, SP_L_TABLE, fname, WHAT);
}

sp_table **sp_l_newtable(lua_State *L, int results)
{
    results = lua_absindex(L, results);
    sp_table **slot = (sp_table **)sp_l_newhandle(L, SP_L_TABLE, 1);
    lua_pushvalue(L, results);
    lua_setiuservalue(L, -2, 1); /* the results the table came from: provenance */
    return slot;
}

static int l_nrows(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check(L, "table:nrows")->nrows);
    return 1;
}

static int l_ncols(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check(L, "table:ncols")->ncols);
    return 1;
}

static void push_labels(lua_State *L, char **labels, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t k = 0; k < n; k++) {
        lua_pushstring(L, labels[k]);
        lua_seti(L, -2, (lua_Integer)k + 1);
    }
}

/* t:row_labels(), t:col_labels() -> list of strings. */
static int l_row_labels(lua_State *L)
{
    const sp_table *t = check(L, "table:row_labels");
    push_labels(L, t->row_labels, t->nrows);
    return 1;
}

static int l_col_labels(lua_State *L)
{
    const sp_table *t = check(L, "table:col_labels");
    push_labels(L, t->col_labels, t->ncols);
    return 1;
}

static size_t checkpos(lua_State *L, int idx, const char *fn, const char *what, size_t n)
{
    int isint = 0;
    lua_Integer k = lua_tointegerx(L, idx, &isint);
    if (!isint)
        luaL_error(L, "%s: %s must be an integer, got %s", fn, what, sp_l_typename(L, idx));
    if (k < 1 || (lua_Unsigned)k > n)
        luaL_error(L, "%s: %s must be between 1 and %I, got %I", fn, what, (LUAI_UACINT)n,
                   (LUAI_UACINT)k);
    return (size_t)k - 1;
}

/* t:get(row, col) -> number, 1-based. */
static int l_get(lua_State *L)
{
    const char *fn = "table:get";
    const sp_table *t = check(L, fn);
    size_t r = checkpos(L, 2, fn, "row", t->nrows);
    size_t c = checkpos(L, 3, fn, "column", t->ncols);
    lua_pushnumber(L, sp_table_get(t, r, c));
    return 1;
}

static size_t find_label(lua_State *L, int idx, const char *fn, const char *what, char **labels,
                         size_t n)
{
    if (lua_type(L, idx) != LUA_TSTRING)
        luaL_error(L, "%s: %s label must be a string, got %s", fn, what, sp_l_typename(L, idx));
    const char *s = lua_tostring(L, idx);
    for (size_t k = 0; k < n; k++)
        if (strcmp(labels[k], s) == 0)
            return k;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, labels[k]);
    }
    luaL_pushresult(&b);
    luaL_error(L, "%s: unknown %s '%s' (valid: %s)", fn, what, s, lua_tostring(L, -1));
    return 0;
}

/* t:value(row_label, col_label) -> number. */
static int l_value(lua_State *L)
{
    const char *fn = "table:value";
    const sp_table *t = check(L, fn);
    size_t r = find_label(L, 2, fn, "row", t->row_labels, t->nrows);
    size_t c = find_label(L, 3, fn, "column", t->col_labels, t->ncols);
    lua_pushnumber(L, sp_table_get(t, r, c));
    return 1;
}

static const char *format_name(int f) { return sp_format_name((sp_format)f); }

/* t:write(path, formats) -> true | nil, message.
 * formats is "csv", "md" or "json" or a list of them; each format f is written
 * to path .. "." .. f, atomically. A relative path is resolved under the CLI's
 * --out directory (or the current directory when used as a module); missing
 * parent directories are created. In check mode nothing is written and the
 * result is true. Bad arguments raise errors; failures to write return nil
 * and a message. */
static int l_write(lua_State *L)
{
    const char *fn = "table:write";
    const sp_table *t = check(L, fn);
    const sp_l_host *host = sp_l_host_get(L);
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
        return luaL_error(L, "%s: the path must be a non-empty string, got %s", fn,
                          lua_type(L, 2) == LUA_TSTRING ? "\"\"" : sp_l_typename(L, 2));
    const char *path = lua_tostring(L, 2);
    int use[SP_NFORMAT] = {0};
    if (lua_type(L, 3) == LUA_TSTRING) {
        use[sp_l_checkname(L, fn, "format", lua_tostring(L, 3), format_name, SP_NFORMAT)] = 1;
    } else if (lua_type(L, 3) == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, 3);
        if (n == 0)
            return luaL_error(L, "%s: the list of formats is empty (valid: csv, md, json)", fn);
        for (lua_Integer k = 1; k <= n; k++) {
            if (lua_geti(L, 3, k) != LUA_TSTRING)
                return luaL_error(L, "%s: formats[%I] must be a string, got %s", fn,
                                  (LUAI_UACINT)k, sp_l_typename(L, -1));
            use[sp_l_checkname(L, fn, "format", lua_tostring(L, -1), format_name, SP_NFORMAT)] = 1;
            lua_pop(L, 1);
        }
    } else {
        return luaL_error(L, "%s: formats must be a format name or a list of them "
                             "(csv, md, json), got %s", fn, sp_l_typename(L, 3));
    }
    if (lua_gettop(L) > 3)
        return luaL_error(L, "%s: expected (path, formats), got %d arguments", fn,
                          lua_gettop(L) - 1);

    char base[SP_L_PATH_MAX], file[SP_L_PATH_MAX + 8], msg[SP_ERR_MSG_MAX + SP_L_PATH_MAX];
    sp_l_out_path(L, fn, path, base, sizeof base); /* confined in safe mode */
    if (host->dry_run || host->mute) { /* mute: MPI rank 0 writes */
        lua_pushboolean(L, 1);
        return 1;
    }
    if (sp_l_mkparents(base, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    for (int f = 0; f < SP_NFORMAT; f++) {
        if (!use[f])
            continue;
        snprintf(file, sizeof file, "%s.%s", base, sp_format_extension((sp_format)f));
        sp_err err;
        sp_err_clear(&err);
        if (sp_table_write_file(t, (sp_format)f, file, &err) != SP_OK) {
            luaL_pushfail(L);
            lua_pushstring(L, err.msg);
            return 2;
        }
        lua_getiuservalue(L, 1, 1); /* the results the table came from */
        sp_results **res = luaL_testudata(L, -1, SP_L_RESULTS);
        int rc = sp_l_manifest_add(L, res ? *res : NULL, file, msg, sizeof msg);
        lua_pop(L, 1);
        if (rc != 0) {
            luaL_pushfail(L);
            lua_pushstring(L, msg);
            return 2;
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* The list of labels at field key of the argument table (index 1): strings,
 * at least one, no two alike. Returns the count; the list is left on the
 * stack top. */
static size_t read_labels(lua_State *L, const char *fn, const char *key)
{
    if (lua_getfield(L, 1, key) != LUA_TTABLE)
        luaL_error(L, "%s: '%s' must be a list of labels (strings), got %s", fn, key,
                   sp_l_typename(L, -1));
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n < 1)
        luaL_error(L, "%s: '%s' is an empty list (a table needs at least one)", fn, key);
    if (n > 100000)
        luaL_error(L, "%s: '%s' has %I labels, at most 100000", fn, key, (LUAI_UACINT)n);
    for (lua_Integer k = 1; k <= n; k++) {
        if (lua_geti(L, -1, k) != LUA_TSTRING)
            luaL_error(L, "%s: %s[%I] must be a string, got %s", fn, key, (LUAI_UACINT)k,
                       sp_l_typename(L, -1));
        lua_pop(L, 1);
    }
    /* duplicates: a set of the labels seen */
    lua_createtable(L, 0, (int)n);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, -2, k);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, -3) != LUA_TNIL)
            luaL_error(L, "%s: %s[%I] repeats the label \"%s\" of %s[%I]", fn, key, (LUAI_UACINT)k,
                       lua_tostring(L, -2), key, (LUAI_UACINT)lua_tointeger(L, -1));
        lua_pop(L, 1);
        lua_pushinteger(L, k);
        lua_rawset(L, -3);
    }
    lua_pop(L, 1);
    return (size_t)n;
}

static int set_text(lua_State *L, const char *fn, char **slot, const char *text)
{
    sp_err err;
    sp_err_clear(&err);
    if (sp_table_set_text(slot, text, &err) != SP_OK)
        return luaL_error(L, "%s: %s", fn, err.msg);
    return 0;
}

/* sp.table{ title = "", unit = "", row_header = "", rows = { labels },
 *           cols = { labels }, values = { { numbers of row 1 }, ... } }
 *   -> table
 * A table built from Lua values, the same type as res:table's: t:write
 * writes it with the same writers (csv, csv_long, md, json) in safe mode.
 * values holds one list per row, each with one number per column (NaN reads
 * "n/a"). Errors: ragged or missing rows, a value that is not a number,
 * duplicate or non-string labels, unknown keys. */
static int l_new(lua_State *L)
{
    static const char *const keys[] = {"title", "unit", "row_header", "rows", "cols", "values", NULL};
    const char *fn = "sp.table";
    sp_l_checkargs(L, 1, fn);
    sp_l_checkkeys(L, 1, fn, keys, 0);
    lua_settop(L, 1);
    const char *title = sp_l_getstring(L, 1, fn, "title", "");
    const char *unit = sp_l_getstring(L, 1, fn, "unit", "");
    const char *header = sp_l_getstring(L, 1, fn, "row_header", "");
    const size_t nr = read_labels(L, fn, "rows"); /* index 2 */
    const size_t nc = read_labels(L, fn, "cols"); /* index 3 */
    if (lua_getfield(L, 1, "values") != LUA_TTABLE) /* index 4 */
        return luaL_error(L, "%s: 'values' must be a list of rows (lists of numbers), got %s", fn,
                          sp_l_typename(L, -1));
    if ((size_t)lua_rawlen(L, 4) != nr)
        return luaL_error(L, "%s: 'values' has %I rows, 'rows' has %I labels", fn,
                          (LUAI_UACINT)lua_rawlen(L, 4), (LUAI_UACINT)nr);
    lua_pushnil(L);
    sp_table **slot = sp_l_newtable(L, -1); /* no results behind it */
    lua_remove(L, -2);
    sp_err err;
    sp_err_clear(&err);
    *slot = sp_table_alloc(nr, nc, &err);
    if (!*slot)
        return luaL_error(L, "%s: %s", fn, err.msg);
    sp_table *t = *slot;
    for (size_t r = 0; r < nr; r++) {
        if (lua_geti(L, 4, (lua_Integer)r + 1) != LUA_TTABLE)
            return luaL_error(L, "%s: values[%I] must be a list of numbers, got %s", fn,
                              (LUAI_UACINT)r + 1, sp_l_typename(L, -1));
        if ((size_t)lua_rawlen(L, -1) != nc)
            return luaL_error(L, "%s: values[%I] has %I values, 'cols' has %I labels (rows must "
                                 "not be ragged)", fn, (LUAI_UACINT)r + 1,
                              (LUAI_UACINT)lua_rawlen(L, -1), (LUAI_UACINT)nc);
        for (size_t c = 0; c < nc; c++) {
            if (lua_geti(L, -1, (lua_Integer)c + 1) != LUA_TNUMBER)
                return luaL_error(L, "%s: values[%I][%I] must be a number, got %s", fn,
                                  (LUAI_UACINT)r + 1, (LUAI_UACINT)c + 1, sp_l_typename(L, -1));
            double v = lua_tonumber(L, -1);
            size_t k = r * nc + c;
            t->values[k] = t->lo90[k] = t->hi90[k] = t->lo95[k] = t->hi95[k] = v;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    for (size_t r = 0; r < nr; r++) {
        lua_geti(L, 2, (lua_Integer)r + 1);
        set_text(L, fn, &t->row_labels[r], lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    for (size_t c = 0; c < nc; c++) {
        lua_geti(L, 3, (lua_Integer)c + 1);
        set_text(L, fn, &t->col_labels[c], lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    set_text(L, fn, &t->title, title);
    set_text(L, fn, &t->unit, unit);
    set_text(L, fn, &t->row_header, header);
    return 1;
}

static int l_release(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_TABLE);
    sp_table_free(*slot);
    *slot = NULL;
    return 0;
}

/* tostring(t): the table as Markdown. */
static int l_tostring(lua_State *L)
{
    void **slot = luaL_checkudata(L, 1, SP_L_TABLE);
    const sp_table *t = *slot;
    if (!t) {
        lua_pushliteral(L, "table (closed)");
        return 1;
    }
    /* The rendered text is held by a handle while it is copied into a Lua
     * string, so a memory error in lua_pushstring cannot leak it. */
    char **md = (char **)sp_l_newhandle(L, SP_L_TEXT, 0);
    sp_err err;
    sp_err_clear(&err);
    *md = sp_table_to_markdown(t, &err);
    if (!*md)
        return luaL_error(L, "table: %s", err.msg);
    lua_pushstring(L, *md);
    free(*md);
    *md = NULL;
    return 1;
}

/* __gc of the text holder used by l_tostring. */
static int l_text_release(lua_State *L)
{
    char **md = luaL_checkudata(L, 1, SP_L_TEXT);
    free(*md);
    *md = NULL;
    return 0;
}

/* __index: methods (upvalue 1), then the fields title, unit, row_header. */
static int l_index(lua_State *L)
{
    if (lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2)) != LUA_TNIL)
        return 1;
    const char *key = lua_tostring(L, 2);
    const sp_table *t = check(L, "table");
    if (strcmp(key, "title") == 0)
        lua_pushstring(L, t->title);
    else if (strcmp(key, "unit") == 0)
        lua_pushstring(L, t->unit);
    else if (strcmp(key, "row_header") == 0)
        lua_pushstring(L, t->row_header);
    else
        return luaL_error(L, "table: no field or method '%s'", key);
    return 1;
}

void sp_l_open_table(lua_State *L, int module)
{
    module = lua_absindex(L, module);
    lua_pushcfunction(L, l_new);
    lua_setfield(L, module, "table");
    static const luaL_Reg methods[] = {{"nrows", l_nrows},
                                       {"ncols", l_ncols},
                                       {"row_labels", l_row_labels},
                                       {"col_labels", l_col_labels},
                                       {"get", l_get},
                                       {"value", l_value},
                                       {"write", l_write},
                                       {NULL, NULL}};
    sp_l_newclass(L, SP_L_TABLE, methods, l_index, l_release, l_tostring);
    luaL_newmetatable(L, SP_L_TEXT);
    lua_pushcfunction(L, l_text_release);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
}
