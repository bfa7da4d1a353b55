/* l_report.c: provenance, manifest.json and the HTML report (binding of
 * core/report.c, core/writers/html.c and manifest.c).
 *
 * Provenance says where a result came from: the spendsim version and git
 * revision, the scenario file and the SHA-256 of its text, the experiment's
 * seed, replicates, packages and horizon, the population, the parameters
 * drawn per replicate, and the date. Everything but the date is the same when
 * the same scenario runs again with the same seed.
 *
 * Every directory a scenario writes into gets a manifest.json listing the
 * run's provenance, and every experiment that wrote there with its own
 * provenance and files; it is rewritten (atomically) after each write. The
 * directory is keyed by its resolved path, so "a/x", "./a/y" and "a//z" share
 * one manifest. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "l_args.h"
#include "l_path.h"
#include "l_spendsim.h"

/* Registry: resolved directory -> { files = {names, first-write order},
 * owner = {name -> experiment}, exps = {{k1, v1, ...}}, expkey = {text -> experiment} } */
#define MANIFESTS "spendsim.manifests"

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
        const char *file = sp_l_population_file(L, res->population);
        if (file)
            add(p, &used, "population_file", "%s", file);
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

/* Keys of the provenance that describe the run; the others describe an experiment. */
static int run_key(const char *key)
{
    static const char *const keys[] = {"spendsim", "git_revision", "scenario", "scenario_sha256",
                                       "date"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strcmp(key, keys[k]) == 0)
            return 1;
    return 0;
}

/* Pushes t[key], a table created when missing, for the table at index t. */
static int subtable(lua_State *L, int t, const char *key)
{
    if (lua_getfield(L, t, key) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, t, key);
    }
    return lua_gettop(L);
}

/* The index (1-based) of the experiment of prov in the directory's record d
 * (d.exps: list of {k1, v1, k2, v2, ...}; d.expkey: text -> index). */
static lua_Integer experiment_index(lua_State *L, int d, const sp_l_prov *prov)
{
    int exps = subtable(L, d, "exps"), keys = subtable(L, d, "expkey");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int k = 0; k < prov->n; k++)
        if (!run_key(prov->kv[k].key)) {
            luaL_addstring(&b, prov->kv[k].key);
            luaL_addchar(&b, '=');
            luaL_addstring(&b, prov->kv[k].value);
            luaL_addchar(&b, '\n');
        }
    luaL_pushresult(&b);
    lua_Integer e;
    if (lua_rawget(L, keys) == LUA_TNUMBER) { /* pops the text */
        e = lua_tointeger(L, -1);
    } else {
        e = (lua_Integer)lua_rawlen(L, exps) + 1;
        lua_newtable(L);
        int i = 0;
        for (int k = 0; k < prov->n; k++)
            if (!run_key(prov->kv[k].key)) {
                lua_pushstring(L, prov->kv[k].key);
                lua_rawseti(L, -2, ++i);
                lua_pushstring(L, prov->kv[k].value);
                lua_rawseti(L, -2, ++i);
            }
        lua_rawseti(L, exps, e);
        luaL_buffinit(L, &b); /* the text again, as the key */
        for (int k = 0; k < prov->n; k++)
            if (!run_key(prov->kv[k].key)) {
                luaL_addstring(&b, prov->kv[k].key);
                luaL_addchar(&b, '=');
                luaL_addstring(&b, prov->kv[k].value);
                luaL_addchar(&b, '\n');
            }
        luaL_pushresult(&b);
        lua_pushinteger(L, e);
        lua_rawset(L, keys);
    }
    lua_settop(L, exps - 1);
    return e;
}

/* Writes dir/manifest.json from the directory's record d: the run's
 * provenance, then each experiment with the files it wrote last. */
static int write_manifest(lua_State *L, int d, const char *dir, const sp_l_prov *prov, sp_err *err)
{
    int files = subtable(L, d, "files"), owner = subtable(L, d, "owner"),
        exps = subtable(L, d, "exps");
    int nfiles = (int)lua_rawlen(L, files), nexps = (int)lua_rawlen(L, exps);
    size_t bytes = (size_t)nexps * (sizeof(sp_manifest_experiment) + 16 * sizeof(sp_kv)) +
                   (size_t)nfiles * sizeof(char *);
    char *scratch = lua_newuserdatauv(L, bytes ? bytes : 1, 0); /* freed by the GC */
    sp_manifest_experiment *ex = (sp_manifest_experiment *)(void *)scratch;
    sp_kv *kv = (sp_kv *)(void *)(ex + nexps);
    const char **names = (const char **)(void *)(kv + 16 * nexps);
    int nused = 0, pos = 0;
    for (int e = 1; e <= nexps; e++) {
        sp_manifest_experiment *x = &ex[nused];
        x->files = names + pos;
        x->nfiles = 0;
        for (int f = 1; f <= nfiles; f++) {
            lua_rawgeti(L, files, f);
            const char *name = lua_tostring(L, -1); /* kept alive by d.files */
            lua_rawget(L, owner);
            if (lua_tointeger(L, -1) == e) {
                names[pos++] = name;
                x->nfiles++;
            }
            lua_pop(L, 1);
        }
        lua_rawgeti(L, exps, e);
        int nkv = (int)lua_rawlen(L, -1) / 2;
        x->provenance = kv + 16 * nused;
        x->nprovenance = nkv < 16 ? nkv : 16;
        for (int k = 0; k < x->nprovenance; k++) {
            lua_rawgeti(L, -1, 2 * k + 1);
            kv[16 * nused + k].key = lua_tostring(L, -1); /* kept alive by d.exps */
            lua_rawgeti(L, -2, 2 * k + 2);
            kv[16 * nused + k].value = lua_tostring(L, -1);
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
        if (x->nfiles > 0) /* every file of an experiment was rewritten by a later one */
            nused++;
    }
    sp_kv run[16];
    int nrun = 0;
    for (int k = 0; k < prov->n && nrun < 16; k++)
        if (run_key(prov->kv[k].key))
            run[nrun++] = prov->kv[k];
    char path[SP_L_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    return sp_manifest_write_experiments(path, run, nrun, ex, nused, err);
}

int sp_l_manifest_add(lua_State *L, const sp_results *res, const char *file, char *msg, size_t n)
{
    char dir[SP_L_PATH_MAX], real[PATH_MAX];
    const char *base;
    split_path(file, dir, sizeof dir, &base);
    if (!realpath(dir, real)) { /* the key: a/x, ./a/y and a//z are one directory */
        snprintf(msg, n, "cannot resolve the directory of '%s': %s", file, strerror(errno));
        return -1;
    }
    int top = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, MANIFESTS);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, MANIFESTS);
    }
    int d = subtable(L, lua_gettop(L), real);
    sp_l_prov prov;
    sp_l_provenance(L, res, &prov);
    lua_Integer e = experiment_index(L, d, &prov);
    int files = subtable(L, d, "files"), owner = subtable(L, d, "owner");
    if (lua_getfield(L, owner, base) == LUA_TNIL) {
        lua_pushstring(L, base);
        lua_rawseti(L, files, (lua_Integer)lua_rawlen(L, files) + 1);
    }
    lua_pushinteger(L, e);
    lua_setfield(L, owner, base);
    sp_err err;
    sp_err_clear(&err);
    int rc = write_manifest(L, d, real, &prov, &err);
    lua_settop(L, top);
    if (rc != SP_OK) {
        snprintf(msg, n, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* Reads tables = { t1, t2, ... } (the options table at index opts) into out
 * (at most max), checking each is an open table value. Returns the count. */
static int read_tables(lua_State *L, int opts, const char *fn, const sp_table **out, int max)
{
    if (lua_getfield(L, opts, "tables") == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    int t = lua_gettop(L);
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s: 'tables' must be a list of tables (values of res:table{...}), got %s", fn,
                   sp_l_typename(L, t));
    lua_Integer n = (lua_Integer)lua_rawlen(L, t);
    lua_pushnil(L);
    while (lua_next(L, t)) { /* only 1..n */
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n)
            luaL_error(L, "%s: 'tables' must be a list of tables (unexpected key '%s')", fn,
                       luaL_tolstring(L, -1, NULL));
    }
    if (n > max)
        luaL_error(L, "%s: 'tables' may hold at most %d tables, got %I", fn, max, (LUAI_UACINT)n);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, t, k);
        sp_table **slot = luaL_testudata(L, -1, SP_L_TABLE);
        if (!slot)
            luaL_error(L, "%s: 'tables[%I]' must be a table value (from res:table{...}), got %s", fn,
                       (LUAI_UACINT)k, sp_l_typename(L, -1));
        if (!*slot)
            luaL_error(L, "%s: 'tables[%I]' is closed", fn, (LUAI_UACINT)k);
        out[k - 1] = *slot;
        lua_pop(L, 1); /* the list keeps it alive during the call */
    }
    lua_pop(L, 1);
    return (int)n;
}

static const char *lang_name(int k)
{
    static const char *const names[] = {"en", "zh"};
    return names[k];
}

/* res:report(path, { title = "...", lang = "en", summary = true, tables = {...} })
 * -> true, or nil and a message. Writes path (".html" added when missing):
 * the report the core composes from the results (sp_report_build,
 * core/report.h), with this state's scenario and provenance, in English or
 * Chinese (lang = "zh"), with or without the headline table and its
 * overview (summary), and the tables given after the charts. Also updates
 * the directory's manifest.json. */
int sp_l_results_report(lua_State *L)
{
    const char *fn = "results:report";
    sp_results *res = sp_l_checkhandle(L, 1, SP_L_RESULTS, fn, "results");
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
        return luaL_error(L, "%s: the path must be a non-empty string, got %s", fn, sp_l_typename(L, 2));
    const char *path = lua_tostring(L, 2);
    sp_report_opts o = sp_report_opts_default();
    o.lang = (sp_lang)sp_l_host_get(L)->lang; /* --lang, unless the scenario chooses */
    const sp_table *tables[64];
    if (!lua_isnoneornil(L, 3)) {
        static const char *const keys[] = {"title", "lang", "summary", "tables", NULL};
        sp_l_checkargs(L, 3, fn);
        sp_l_checkkeys(L, 3, fn, keys, 0);
        o.title = sp_l_getstring(L, 3, fn, "title", o.title);
        const char *lang = sp_l_getstring(L, 3, fn, "lang", NULL);
        if (lang)
            o.lang = (sp_lang)sp_l_checkname(L, fn, "'lang' value", lang, lang_name, SP_NLANG);
        o.summary = sp_l_getboolean(L, 3, fn, "summary", 1);
        o.ntables = read_tables(L, 3, fn, tables, 64);
        o.tables = tables;
    }
    const sp_l_host *host = sp_l_host_get(L);
    char file[SP_L_PATH_MAX + 8], msg[SP_ERR_MSG_MAX + SP_L_PATH_MAX];
    sp_l_out_path(L, fn, path, file, SP_L_PATH_MAX); /* confined in safe mode */
    size_t len = strlen(file);
    if (len < 5 || strcmp(file + len - 5, ".html") != 0)
        strcat(file, ".html");
    if (host->dry_run || host->mute) { /* mute: MPI rank 0 writes */
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
