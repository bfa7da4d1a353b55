/* l_report.c: provenance, manifest.json and the HTML report (binding of
 * core/report.c, core/writers/html.c and manifest.c).
 *
 * Provenance says where a result came from: the spendsim version and git
 * revision, the scenario file and the SHA-256 of its text, the experiment's
 * seed, replicates, packages and horizon, the population, the parameters
 * drawn per replicate, and the date. Everything but the date is the same when
 * the same scenario runs again with the same seed.
 *
 * Every directory a scenario writes into gets a manifest.json listing that
 * provenance and the files written there by this run; it is rewritten
 * (atomically) after each write. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "l_args.h"
#include "l_path.h"
#include "l_spendsim.h"

#define MANIFESTS "spendsim.manifests" /* registry: directory -> list of file names */

/* Appends "key: value" to the provenance, the value formatted into buf. */
static void add(sp_l_prov *p, size_t *used, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void add(sp_l_prov *p, size_t *used, const char *key, const char *fmt, ...)
{
    if (p->n >= (int)(sizeof p->kv / sizeof p->kv[0]) || *used >= sizeof p->buf)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *v = p->buf + *used;
    int len = vsnprintf(v, sizeof p->buf - *used, fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    size_t adv = (size_t)len + 1;
    *used += adv < sizeof p->buf - *used ? adv : sizeof p->buf - *used;
    p->kv[p->n].key = key;
    p->kv[p->n].value = v;
    p->n++;
}

void sp_l_provenance(lua_State *L, const sp_results *res, sp_l_prov *p)
{
    const sp_l_host *host = sp_l_host_get(L);
    size_t used = 0;
    p->n = 0;
    add(p, &used, "spendsim", "%s", SP_VERSION);
    add(p, &used, "git_revision", "%s", SP_GIT_REV);
    add(p, &used, "scenario", "%s", host->scenario[0] ? host->scenario : "(none: module used from Lua)");
    add(p, &used, "scenario_sha256", "%s", host->scenario[0] ? host->scenario_sha256 : "");
    if (res) {
        char a[8], b[8];
        sp_month_format(res->start_month, a);
        sp_month_format(res->start_month + res->nmonths - 1, b);
        add(p, &used, "seed", "%u", res->seed);
        add(p, &used, "replicates", "%d", res->nreplicates);
        char pk[1024] = "";
        for (int k = 0; k < res->npackages; k++) {
            size_t l = strlen(pk);
            snprintf(pk + l, sizeof pk - l, "%s%s", k ? "; " : "", res->package_names[k]);
        }
        add(p, &used, "packages", "%s", pk);
        add(p, &used, "horizon", "%s to %s", a, b);
        add(p, &used, "population", "%s", res->population);
        char dr[512] = "";
        for (int k = 0; k < res->nparams; k++) {
            size_t l = strlen(dr);
            snprintf(dr + l, sizeof dr - l, "%s%s", k ? ", " : "", res->param_names[k]);
        }
        add(p, &used, "parameters_drawn_per_replicate", "%s", res->nparams ? dr : "none");
    }
    time_t now = time(NULL);
    struct tm tm;
    char date[32] = "unknown";
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    add(p, &used, "date", "%s", date);
}

/* dirname and basename of path into dir and base. */
static void split_path(const char *path, char *dir, size_t nd, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, nd, ".");
        *base = path;
    } else if (slash == path) {
        snprintf(dir, nd, "/");
        *base = slash + 1;
    } else {
        snprintf(dir, nd, "%.*s", (int)(slash - path), path);
        *base = slash + 1;
    }
}

int sp_l_manifest_add(lua_State *L, const sp_results *res, const char *file, char *msg, size_t n)
{
    char dir[SP_L_PATH_MAX];
    const char *base;
    split_path(file, dir, sizeof dir, &base);
    int top = lua_gettop(L);
    if (lua_getfield(L, LUA_REGISTRYINDEX, MANIFESTS) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, MANIFESTS);
    }
    if (lua_getfield(L, -1, dir) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, dir);
    }
    int list = lua_gettop(L);
    lua_Integer count = (lua_Integer)lua_rawlen(L, list), k;
    for (k = 1; k <= count; k++) {
        lua_rawgeti(L, list, k);
        int same = strcmp(lua_tostring(L, -1), base) == 0;
        lua_pop(L, 1);
        if (same)
            break;
    }
    if (k > count) {
        lua_pushstring(L, base);
        lua_rawseti(L, list, ++count);
    }
    const char *files[256];
    int nfiles = 0;
    for (k = 1; k <= count && nfiles < 256; k++) {
        lua_rawgeti(L, list, k);
        files[nfiles++] = lua_tostring(L, -1); /* kept alive by the list */
        lua_pop(L, 1);
    }
    sp_l_prov prov;
    sp_l_provenance(L, res, &prov);
    char path[SP_L_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    sp_err err;
    sp_err_clear(&err);
    int rc = sp_manifest_write(path, prov.kv, prov.n, files, nfiles, &err);
    lua_settop(L, top);
    if (rc != SP_OK) {
        snprintf(msg, n, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* res:report(path, { title = "..." }) -> true, or nil and a message. Writes
 * path (".html" added when missing): the report the core composes from the
 * results (sp_report_build, core/report.h), with this state's scenario and
 * provenance. Also updates the directory's manifest.json. */
int sp_l_results_report(lua_State *L)
{
    const char *fn = "results:report";
    sp_results *res = sp_l_checkhandle(L, 1, SP_L_RESULTS, fn, "results");
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
        return luaL_error(L, "%s: the path must be a non-empty string, got %s", fn, sp_l_typename(L, 2));
    const char *path = lua_tostring(L, 2);
    sp_report_opts o = sp_report_opts_default();
    if (!lua_isnoneornil(L, 3)) {
        static const char *const keys[] = {"title", NULL};
        sp_l_checkargs(L, 3, fn);
        sp_l_checkkeys(L, 3, fn, keys, 0);
        o.title = sp_l_getstring(L, 3, fn, "title", o.title);
    }
    const sp_l_host *host = sp_l_host_get(L);
    char file[SP_L_PATH_MAX + 8], msg[SP_ERR_MSG_MAX + SP_L_PATH_MAX];
    sp_l_out_path(L, fn, path, file, SP_L_PATH_MAX); /* confined in safe mode */
    size_t len = strlen(file);
    if (len < 5 || strcmp(file + len - 5, ".html") != 0)
        strcat(file, ".html");
    if (host->dry_run) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (sp_l_mkparents(file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, SP_L_SCENARIO_TEXT);
    sp_l_prov prov;
    sp_l_provenance(L, res, &prov);
    o.scenario_name = host->scenario[0] ? host->scenario : NULL;
    o.scenario_text = lua_tostring(L, -1);
    o.provenance = prov.kv;
    o.nprovenance = prov.n;
    sp_err err;
    sp_err_clear(&err);
    sp_report *r = sp_report_build(res, &o, &err); /* copies what o points to */
    int rc = r ? sp_report_write_html(r, file, &err) : err.code;
    sp_report_free(r);
    if (rc != SP_OK) {
        luaL_pushfail(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    if (sp_l_manifest_add(L, res, file, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}
