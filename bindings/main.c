/* main.c: the spendsim command-line program, a Lua host for scenarios.
 *
 *   spendsim run SCENARIO.lua [--out DIR] [--threads N] [--seed S]
 *                             [--set name=value ...] [--unsafe]
 *   spendsim check SCENARIO.lua [same options]
 *   spendsim --version | --help
 *
 * Exit status: 0 on success, 1 when the scenario fails (one line on stderr,
 * "spendsim: <message>", the message naming the scenario file and line), 2 on
 * bad command-line usage. Lua is entered only through lua_pcall with a
 * message handler that records a traceback; the traceback is printed too
 * when the environment variable SPENDSIM_TRACEBACK is set to a non-empty value.
 *
 * Scenarios run with strict globals (reading or assigning an undeclared global
 * is an error) and, unless --unsafe, without os, io, debug, package, loadfile
 * and dofile; `require` then loads "spendsim" only. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "l_path.h"
#include "l_spendsim.h"
#include "version.h"

#define PROGRAM "spendsim"
#define TRACEBACK_KEY "spendsim.traceback"

typedef struct options {
    int check;              /* 1: check (dry run); 0: run */
    const char *file;       /* the scenario */
    const char *out;        /* --out, default "out" */
    int threads;            /* --threads, 0 when not given */
    int seed_set;
    unsigned long seed;     /* --seed */
    int unsafe;             /* --unsafe */
    int nset;
    const char **set;       /* --set name=value, nset entries (argv strings) */
} options;

static void usage(FILE *f)
{
    fputs("usage: " PROGRAM " run SCENARIO.lua [options]    run a scenario\n"
          "       " PROGRAM " check SCENARIO.lua [options]  validate it: nothing is simulated or written\n"
          "       " PROGRAM " --version | --help\n"
          "options:\n"
          "  --out DIR          directory for relative output paths (default: out)\n"
          "  --threads N        threads per experiment, 1..1024 (default: all cores);\n"
          "                     results do not depend on it\n"
          "  --seed S           replaces the seed of every experiment, 0..4294967295\n"
          "  --set NAME=VALUE   overrides a parameter the scenario declares with sp.params\n"
          "                     (repeatable)\n"
          "  --unsafe           gives the scenario Lua's io, os, debug, package and require\n"
          "environment:\n"
          "  SPENDSIM_TRACEBACK=1  also print a Lua traceback when a scenario fails\n"
          "  SPENDSIM_SIMD=portable|avx2|avx512  caps the engine's vector kernels (same results)\n",
          f);
}

/* Reports bad usage and exits with status 2. */
static void bad_usage(const char *fmt, const char *arg)
{
    fputs(PROGRAM ": ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    exit(2);
}

/* Parses a decimal integer in lo..hi; 0 on success. */
static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

static void parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->out = "out";
    if (argc < 2)
        bad_usage("%s", "missing command (run or check)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
        printf(PROGRAM " %s (git %s)\n", SP_VERSION, SP_GIT_REV);
        exit(0);
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        exit(0);
    }
    if (strcmp(cmd, "run") == 0)
        o->check = 0;
    else if (strcmp(cmd, "check") == 0)
        o->check = 1;
    else
        bad_usage("unknown command '%s' (run or check)", cmd);

    o->set = calloc((size_t)argc, sizeof *o->set);
    if (!o->set) {
        fputs(PROGRAM ": out of memory\n", stderr);
        exit(1);
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
            if (o->file)
                bad_usage("unexpected argument '%s' (one scenario per run)", a);
            o->file = a;
            continue;
        }
        if (strcmp(a, "--unsafe") == 0) {
            o->unsafe = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        /* Options with a value: "--opt value" or "--opt=value". */
        static const char *const with_value[] = {"--out", "--threads", "--seed", "--set"};
        const char *val = NULL;
        int which = -1;
        for (int k = 0; k < 4 && which < 0; k++) {
            size_t n = strlen(with_value[k]);
            if (strncmp(a, with_value[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                which = k;
                if (a[n] == '=')
                    val = a + n + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    bad_usage("%s needs a value", with_value[k]);
            }
        }
        long long v;
        switch (which) {
        case 0:
            if (!*val)
                bad_usage("%s", "--out needs a directory");
            if (strlen(val) >= SP_L_PATH_MAX - 256)
                bad_usage("--out directory is too long: '%s'", val);
            o->out = val;
            break;
        case 1:
            if (parse_long(val, 1, 1024, &v) != 0)
                bad_usage("--threads expects an integer between 1 and 1024, got '%s'", val);
            o->threads = (int)v;
            break;
        case 2:
            if (parse_long(val, 0, 4294967295LL, &v) != 0)
                bad_usage("--seed expects an integer between 0 and 4294967295, got '%s'", val);
            o->seed_set = 1;
            o->seed = (unsigned long)v;
            break;
        case 3: {
            const char *eq = strchr(val, '=');
            if (!eq || !valid_name(val, (size_t)(eq - val)))
                bad_usage("--set expects name=value (name: letters, digits, _), got '%s'", val);
            o->set[o->nset++] = val;
            break;
        }
        default: bad_usage("unknown option '%s'", a);
        }
    }
    if (!o->file)
        bad_usage("%s", "missing scenario file");
}

/* ---- output directory ---- */

/* Run mode: creates dir (and parents) and checks it is writable.
 * Check mode: creates nothing; the nearest existing ancestor must be a
 * writable directory. Returns 0, or -1 with msg. */
static int prepare_out(const char *dir, int check, char *msg, size_t n)
{
    if (!check) {
        char why[SP_L_PATH_MAX + 128];
        if (sp_l_mkdirs(dir, why, sizeof why) != 0) {
            snprintf(msg, n, "--out %s: %s", dir, why);
            return -1;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            snprintf(msg, n, "cannot write to output directory '%s': %s", dir, strerror(errno));
            return -1;
        }
        return 0;
    }
    char *p = malloc(strlen(dir) + 1);
    if (!p) {
        snprintf(msg, n, "out of memory");
        return -1;
    }
    strcpy(p, dir);
    struct stat st;
    int rc = 0;
    for (;;) {
        if (stat(p, &st) == 0) {
            if (!S_ISDIR(st.st_mode) || access(p, W_OK | X_OK) != 0) {
                snprintf(msg, n, "cannot write to output directory '%s': %s", dir,
                         S_ISDIR(st.st_mode) ? strerror(errno) : "not a directory");
                rc = -1;
            }
            break;
        }
        if (strcmp(p, ".") == 0 || strcmp(p, "/") == 0) { /* nothing above to try */
            snprintf(msg, n, "cannot write to output directory '%s': %s", dir, strerror(errno));
            rc = -1;
            break;
        }
        char *slash = strrchr(p, '/');
        if (!slash) { /* the current directory */
            strcpy(p, ".");
            continue;
        }
        if (slash == p) {
            p[1] = '\0';
            continue;
        }
        *slash = '\0';
    }
    free(p);
    return rc;
}

/* ---- progress bar (stderr is a terminal) ---- */

static int bar_open; /* 1 while a progress bar line is unfinished on stderr */

static void progress_bar(void *ud, int done, int total)
{
    (void)ud;
    bar_open = done < total;
    enum { WIDTH = 30 };
    int fill = total > 0 ? (int)((long long)done * WIDTH / total) : WIDTH;
    char bar[WIDTH + 1];
    for (int k = 0; k < WIDTH; k++)
        bar[k] = k < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r" PROGRAM ": [%s] %d/%d runs", bar, done, total);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---- the sandbox ---- */

/* Globals a safe scenario does not get. */
static const char *const removed[] = {"os", "io", "debug", "package", "loadfile", "dofile"};
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

static void sandbox(lua_State *L, int unsafe)
{
    lua_pushglobaltable(L);
    if (!unsafe) {
        for (size_t k = 0; k < NREMOVED; k++) {
            lua_pushnil(L);
            lua_setfield(L, -2, removed[k]);
        }
        lua_pushcfunction(L, safe_require);
        lua_setfield(L, -2, "require");
    }
    lua_createtable(L, 0, 2);
    lua_pushboolean(L, !unsafe);
    lua_pushcclosure(L, strict_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, strict_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

/* ---- running ---- */

/* Message handler: makes the error a string, records a traceback in the
 * registry and returns the message. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    return 1;
}

/* The protected main: sets the state up and runs the scenario. */
static int pmain(lua_State *L)
{
    const options *o = lua_touserdata(L, 1);
    sp_l_host *host = sp_l_host_install(L);
    host->threads = o->threads;
    host->seed_set = o->seed_set;
    host->seed = (uint32_t)o->seed;
    host->dry_run = o->check;
    snprintf(host->out_dir, sizeof host->out_dir, "%s", o->out);
    if (!o->check && isatty(STDERR_FILENO))
        host->progress = progress_bar;
    snprintf(host->scenario, sizeof host->scenario, "%s", o->file);
    {
        /* the scenario's text, for provenance (hash) and the HTML report */
        luaL_Buffer b;
        FILE *f = fopen(o->file, "rb");
        luaL_buffinit(L, &b);
        if (f) {
            size_t got;
            char chunk[4096];
            while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
                luaL_addlstring(&b, chunk, got);
            fclose(f);
        }
        luaL_pushresult(&b);
        size_t len;
        const char *text = lua_tolstring(L, -1, &len);
        sp_sha256_hex(text, len, host->scenario_sha256);
        lua_setfield(L, LUA_REGISTRYINDEX, SP_L_SCENARIO_TEXT);
    }

    luaL_openlibs(L);
    luaL_requiref(L, "spendsim", luaopen_spendsim, 0);
    lua_pop(L, 1);

    lua_getfield(L, LUA_REGISTRYINDEX, SP_L_INTERNAL);
    lua_getfield(L, -1, "overrides");
    for (int k = 0; k < o->nset; k++) {
        const char *eq = strchr(o->set[k], '=');
        lua_pushlstring(L, o->set[k], (size_t)(eq - o->set[k]));
        lua_pushstring(L, eq + 1);
        lua_settable(L, -3); /* a repeated name: the last one wins */
    }
    lua_pop(L, 2);

    sandbox(L, o->unsafe);
    /* Load the text read above (once: a pipe or /dev/stdin cannot be read twice),
     * named "@FILE" so that messages and tracebacks cite the scenario file. */
    lua_getfield(L, LUA_REGISTRYINDEX, SP_L_SCENARIO_TEXT);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    const char *chunkname = lua_pushfstring(L, "@%s", o->file);
    int lrc = luaL_loadbufferx(L, text, len, chunkname, "t");
    if (lrc != LUA_OK)
        return lua_error(L);
    lua_replace(L, -3); /* keep the function, drop the text and the name */
    lua_pop(L, 1);
    lua_call(L, 0, 0);

    /* Every --set must name a parameter the scenario declared. */
    lua_getfield(L, LUA_REGISTRYINDEX, SP_L_INTERNAL);
    lua_getfield(L, -1, "unused_override");
    lua_call(L, 0, 1);
    if (lua_type(L, -1) == LUA_TSTRING)
        return lua_error(L);
    lua_pop(L, 2);
    return 0;
}

/* Prints msg on stderr as one line. */
static void report(const char *msg)
{
    if (bar_open) /* an experiment failed mid-way: finish the bar's line */
        fputc('\n', stderr);
    bar_open = 0;
    fputs(PROGRAM ": ", stderr);
    for (const char *p = msg; *p; p++)
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, stderr);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    options o;
    parse_args(argc, argv, &o);
    sp_err env_err;
    if (sp_simd_check_env(&env_err) != SP_OK) {
        report(env_err.msg);
        return 2;
    }

    FILE *f = fopen(o.file, "r");
    if (!f) {
        fprintf(stderr, PROGRAM ": cannot open scenario '%s': %s\n", o.file, strerror(errno));
        return 1;
    }
    fclose(f);

    char msg[SP_L_PATH_MAX + 256];
    if (prepare_out(o.out, o.check, msg, sizeof msg) != 0) {
        report(msg);
        return 1;
    }

    lua_State *L = luaL_newstate();
    if (!L) {
        report("cannot create a Lua state: out of memory");
        return 1;
    }
    lua_pushcfunction(L, msghandler);
    lua_pushcfunction(L, pmain);
    lua_pushlightuserdata(L, &o);
    int status = lua_pcall(L, 1, 0, 1);
    int rc = 0;
    if (status != LUA_OK) {
        report(lua_tostring(L, -1) ? lua_tostring(L, -1) : "(error without a message)");
        const char *tb = getenv("SPENDSIM_TRACEBACK");
        if (tb && *tb && lua_getfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY) == LUA_TSTRING)
            fprintf(stderr, "%s\n", lua_tostring(L, -1));
        rc = 1;
    } else if (o.check) {
        printf("ok: %s\n", o.file);
    }
    lua_close(L);
    free(o.set);
    if (fflush(stdout) != 0 && rc == 0) {
        report("cannot write to standard output");
        rc = 1;
    }
    return rc;
}
