/* l_path.c: output and input paths of the bindings and the CLI (see l_path.h). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* realpath */

#include "l_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <lauxlib.h>

#include "l_spendsim.h"

/* mkdir that treats an existing directory as success. */
static int mkdir1(const char *dir)
{
    if (mkdir(dir, 0777) == 0)
        return 0;
    int e = errno;
    struct stat st;
    if (e == EEXIST) {
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
        return -1;
    }
    errno = e;
    return -1;
}

int sp_l_mkdirs(const char *dir, char *msg, size_t msgsize)
{
    size_t n = strlen(dir);
    char *buf = malloc(n + 1);
    if (!buf) {
        snprintf(msg, msgsize, "out of memory creating directory '%s'", dir);
        return -1;
    }
    memcpy(buf, dir, n + 1);
    while (n > 1 && buf[n - 1] == '/') /* "out/" -> "out" */
        buf[--n] = '\0';
    int rc = 0;
    /* Create each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        if (buf[i - 1] == '/') /* "a//b" */
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir1(buf) != 0) {
            snprintf(msg, msgsize, "cannot create directory '%s': %s", buf, strerror(errno));
            rc = -1;
        }
        buf[i] = c;
    }
    free(buf);
    return rc;
}

int sp_l_mkparents(const char *path, char *msg, size_t msgsize)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) /* in the current or root directory */
        return 0;
    size_t n = (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir) {
        snprintf(msg, msgsize, "out of memory creating the directories of '%s'", path);
        return -1;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    int rc = sp_l_mkdirs(dir, msg, msgsize);
    free(dir);
    return rc;
}

int sp_l_resolve(const char *base, const char *path, char *out, size_t n)
{
    int k;
    if (path[0] == '/' || !base || !base[0])
        k = snprintf(out, n, "%s", path);
    else
        k = snprintf(out, n, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", path);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

/* ---- confinement (safe mode) ---- */

/* Appends component c (length cn) to the absolute path out (used bytes *len):
 * "." is skipped and ".." drops the last component. -1 when out is full. */
static int push_component(char *out, size_t n, size_t *len, const char *c, size_t cn)
{
    if (cn == 0 || (cn == 1 && c[0] == '.'))
        return 0;
    if (cn == 2 && c[0] == '.' && c[1] == '.') {
        while (*len > 1 && out[*len - 1] != '/')
            (*len)--;
        if (*len > 1)
            (*len)--; /* the slash, unless it is the root */
        out[*len] = '\0';
        return 0;
    }
    size_t need = *len + (*len > 1) + cn + 1;
    if (need > n)
        return -1;
    if (*len > 1)
        out[(*len)++] = '/';
    memcpy(out + *len, c, cn);
    *len += cn;
    out[*len] = '\0';
    return 0;
}

int sp_l_abspath(const char *path, char *out, size_t n)
{
    char cur[PATH_MAX], probe[PATH_MAX];
    if (path[0] == '/')
        snprintf(cur, sizeof cur, "/");
    else if (!realpath(".", cur))
        return -1;
    size_t len = strlen(cur);
    int exists = 1; /* cur is resolved and exists */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t cn = (size_t)(e - p);
        if (cn == 0)
            break;
        if (exists && !(cn == 1 && p[0] == '.')) {
            int k = snprintf(probe, sizeof probe, "%s/%.*s", len > 1 ? cur : "", (int)cn, p);
            if (k < 0 || (size_t)k >= sizeof probe) {
                errno = ENAMETOOLONG;
                return -1;
            }
            if (realpath(probe, cur)) { /* follows links, as opening it would */
                len = strlen(cur);
                p = e;
                continue;
            }
            exists = 0;
        }
        if (push_component(cur, sizeof cur, &len, p, cn) != 0) {
            errno = ENAMETOOLONG;
            return -1;
        }
        p = e;
    }
    if (len + 1 > n) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(out, cur, len + 1);
    return 0;
}

/* Raises when a --set names a parameter and the scenario has declared none
 * yet: prelude.lua's internal.pending_override. */
static void check_overrides(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, SP_L_INTERNAL) != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    if (lua_getfield(L, -1, "pending_override") == LUA_TFUNCTION) {
        lua_call(L, 0, 1);
        if (lua_type(L, -1) == LUA_TSTRING)
            luaL_error(L, "%s", lua_tostring(L, -1));
    }
    lua_pop(L, 2);
}

/* Safe mode: path relative, without "..", joined to out_dir into out; no
 * existing directory on the way may be a symbolic link. */
static void confine_out(lua_State *L, const char *fname, const char *dir, const char *path,
                        char *out, size_t n)
{
    if (path[0] == '/')
        luaL_error(L, "%s: output path '%s' is absolute: a scenario writes under --out only "
                      "(give a path relative to it, or run with --unsafe)", fname, path);
    size_t len = strlen(dir);
    if (len + 1 > n)
        luaL_error(L, "%s: output path '%s' is too long", fname, path);
    memcpy(out, dir, len + 1);
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t cn = (size_t)(e - p);
        if (cn == 2 && p[0] == '.' && p[1] == '.')
            luaL_error(L, "%s: output path '%s' leaves the output directory ('..' is refused; "
                          "outputs stay under --out)", fname, path);
        if (push_component(out, n, &len, p, cn) != 0)
            luaL_error(L, "%s: output path '%s' is too long", fname, path);
        struct stat st;
        if (*e && lstat(out, &st) == 0 && S_ISLNK(st.st_mode))
            luaL_error(L, "%s: output path '%s' passes through the symbolic link '%s' "
                          "(outputs may not follow links)", fname, path, out);
        p = e;
    }
    if (strcmp(out, dir) == 0)
        luaL_error(L, "%s: output path '%s' names the output directory itself, not a file", fname,
                   path);
}

void sp_l_out_path(lua_State *L, const char *fname, const char *path, char *out, size_t n)
{
    const sp_l_host *host = sp_l_host_get(L);
    check_overrides(L);
    if (!path[0])
        luaL_error(L, "%s: the output path is empty", fname);
    if (host->safe)
        confine_out(L, fname, host->out_dir, path, out, n);
    else if (sp_l_resolve(host->out_dir, path, out, n) != 0)
        luaL_error(L, "%s: path is too long: '%s'", fname, path);
}

/* 1 when path lies inside dir (or is dir). */
static int inside(const char *path, const char *dir)
{
    size_t k = strlen(dir);
    if (strcmp(dir, "/") == 0)
        return 1;
    return strncmp(path, dir, k) == 0 && (path[k] == '\0' || path[k] == '/');
}

void sp_l_in_path(lua_State *L, const char *fname, const char *path, char *out, size_t n)
{
    const sp_l_host *host = sp_l_host_get(L);
    if (!path[0])
        luaL_error(L, "%s: the input path is empty", fname);
    if (!host->safe) {
        if (strlen(path) + 1 > n)
            luaL_error(L, "%s: path is too long: '%s'", fname, path);
        memcpy(out, path, strlen(path) + 1);
        return;
    }
    if (sp_l_abspath(path, out, n) != 0)
        luaL_error(L, "%s: cannot resolve input path '%s': %s", fname, path, strerror(errno));
    for (int k = 0; k < host->nroots; k++)
        if (inside(out, host->roots[k]))
            return;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int k = 0; k < host->nroots; k++) {
        luaL_addstring(&b, k ? ", " : "");
        luaL_addstring(&b, host->roots[k]);
    }
    luaL_pushresult(&b);
    luaL_error(L, "%s: input path '%s' is outside the folders a scenario may read (%s); add its "
                  "folder with --data DIR or run with --unsafe", fname, path, lua_tostring(L, -1));
}
