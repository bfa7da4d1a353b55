/* main.c: the spendsim command-line program, a Lua host for scenarios.
 *
 *   spendsim run SCENARIO.lua [--out DIR] [--threads N] [--seed S]
 *                             [--set name=value ...] [--data DIR ...]
 *                             [--max-seconds S] [--max-memory SIZE] [--unsafe]
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
 * is an error) and, unless --unsafe, in the sandbox of l_sandbox.c (text
 * chunks only, no os, io, debug, package, loadfile, dofile, string.dump;
 * `require` loads "spendsim" only), with output paths confined to --out and
 * input paths to the scenario's folder, the current folder and --data
 * folders (l_path.c), within a time and memory budget. SIGINT and SIGTERM
 * remove the temporary files of writes in progress; a run removes the stale
 * ones of killed runs from --out before it starts. See docs/security.md.
 *
 * Under MPI (built with SPENDSIM_MPI, started by mpirun): every rank runs the
 * scenario; an experiment's runs are dealt over the ranks and gathered to all
 * (core/dist.h, Mode A of docs/scaling.md). Rank 0 alone prints and writes:
 * the other ranks' standard output goes to /dev/null and their writes are
 * checked, then skipped. Every exit goes through sp_dist_finish, where the
 * ranks agree which of them, if any, shows the failure: it is shown once. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* nftw */

#define _DEFAULT_SOURCE /* realpath, nftw */

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "l_path.h"
#include "l_sandbox.h"
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
    int ndata;
    const char **data;      /* --data DIR, ndata entries */
    double max_seconds;     /* --max-seconds; 0: none */
    int max_seconds_set;
    size_t max_memory;      /* --max-memory in bytes; 0: none */
    int max_memory_set;
    int lang;               /* --lang: default language of res:report (labels.h) */
} options;

#define DEFAULT_SECONDS_RUN 3600.0
#define DEFAULT_SECONDS_CHECK 300.0

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
          "  --data DIR         a folder the scenario may read besides its own folder and\n"
          "                     the current one (repeatable)\n"
          "  --max-seconds S    time limit of the whole run, seconds (default: 3600 for run,\n"
          "                     300 for check; 0: none)\n"
          "  --max-memory SIZE  memory limit, e.g. 512M or 4G (default: the machine's or\n"
          "                     the container's memory; 0: none)\n"
          "  --lang en|zh       language of the reports the scenario writes when it does\n"
          "                     not choose one (res:report's lang; default en)\n"
          "  --unsafe           no sandbox: Lua's io, os, debug, package, require and\n"
          "                     binary chunks; paths anywhere (trusted scenarios only)\n"
          "environment:\n"
          "  SPENDSIM_TRACEBACK=1  also print a Lua traceback when a scenario fails\n"
          "  SPENDSIM_SIMD=portable|avx2|avx512  caps the engine's vector kernels (same results)\n",
          f);
    if (sp_dist_mpi())
        fputs("MPI (this build has it): mpirun -np R " PROGRAM " run SCENARIO.lua ...\n"
              "  Every rank runs the scenario (same population, same packages); the runs of\n"
              "  each experiment (package x replicate) are dealt round-robin over the ranks,\n"
              "  each computed whole by one rank with its threads, and the results are\n"
              "  gathered to every rank. Results are identical for any number of ranks and\n"
              "  threads because every run is computed by the code of a serial run. This mode\n"
              "  spreads experiments with at least as many runs as ranks; a population must\n"
              "  fit each rank's memory (docs/scaling.md). Rank 0 alone prints and writes.\n"
              "  --threads defaults to the processors of a node shared among its ranks.\n",
              f);
}

/* 1 once the ranks agreed to end: the scenario is over, its outputs written.
 * Under MPI, mpirun may then stop the ranks still ending with SIGTERM, as
 * soon as one rank has exited with a failure: nothing to say then. */
static volatile sig_atomic_t ending;

/* The collective end (core/dist.h): the rank that shows the failure, or -1. */
static int agree_end(int failed)
{
    int who = sp_dist_finish(failed);
    ending = 1;
    return who;
}

/* Ends the program with status `code` on every rank: the ranks agree which
 * of them shows a failure (core/dist.h), then MPI ends. */
static void leave(int code)
{
    agree_end(code != 0);
    sp_dist_end();
    exit(code);
}

/* Reports bad usage and exits with status 2. */
static void bad_usage(const char *fmt, const char *arg)
{
    if (agree_end(1) == sp_dist_rank()) { /* shown once under MPI */
        fputs(PROGRAM ": ", stderr);
        fprintf(stderr, fmt, arg);
        fputc('\n', stderr);
        usage(stderr);
    }
    sp_dist_end();
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

/* Parses a size: bytes, or a number with K, M, G or T (powers of 1024; "MB",
 * "MiB" read the same). 0 on success. */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !(v >= 0))
        return -1;
    double unit = 1;
    switch (*end) {
    case 'K': case 'k': unit = 1024.0; end++; break;
    case 'M': case 'm': unit = 1024.0 * 1024; end++; break;
    case 'G': case 'g': unit = 1024.0 * 1024 * 1024; end++; break;
    case 'T': case 't': unit = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (unit > 1 && *end == 'i')
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v * unit >= 1e18)
        return -1;
    *out = (size_t)(v * unit);
    return 0;
}

/* Options with a value: "--opt value" or "--opt=value". */
static const char *const with_value[] = {"--out", "--threads", "--seed", "--set", "--data",
                                         "--max-seconds", "--max-memory", "--lang"};
#define NWITH_VALUE (int)(sizeof with_value / sizeof with_value[0])

/* Applies option `which` (an index of with_value) with its value. */
static void set_option(options *o, int which, const char *val)
{
    long long v;
    struct stat st;
    char *end;
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
    case 4:
        if (stat(val, &st) != 0 || !S_ISDIR(st.st_mode))
            bad_usage("--data expects an existing directory, got '%s'", val);
        if (o->ndata >= SP_L_MAX_ROOTS - 2)
            bad_usage("too many --data folders (at most 14), at '%s'", val);
        o->data[o->ndata++] = val;
        break;
    case 5:
        errno = 0;
        o->max_seconds = strtod(val, &end);
        if (end == val || *end || errno || !(o->max_seconds >= 0) || o->max_seconds > 1e7)
            bad_usage("--max-seconds expects seconds between 0 (none) and 1e7, got '%s'", val);
        o->max_seconds_set = 1;
        break;
    case 6:
        if (parse_size(val, &o->max_memory) != 0)
            bad_usage("--max-memory expects a size such as 512M or 4G (0: none), got '%s'", val);
        o->max_memory_set = 1;
        break;
    default:
        if (sp_lang_find(val) < 0)
            bad_usage("--lang expects en or zh, got '%s'", val);
        o->lang = sp_lang_find(val);
        break;
    }
}

/* The command, run or check; exits for --version, --help and bad usage. */
static int parse_command(int argc, char **argv)
{
    if (argc < 2)
        bad_usage("%s", "missing command (run or check)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
        printf(PROGRAM " %s (git %s%s)\n", SP_VERSION, SP_GIT_REV, sp_dist_mpi() ? ", MPI" : "");
        leave(0);
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        leave(0);
    }
    if (strcmp(cmd, "run") != 0 && strcmp(cmd, "check") != 0)
        bad_usage("unknown command '%s' (run or check)", cmd);
    return strcmp(cmd, "check") == 0;
}

static void parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->out = "out";
    o->check = parse_command(argc, argv);
    o->set = calloc((size_t)argc, sizeof *o->set);
    o->data = calloc((size_t)argc, sizeof *o->data);
    if (!o->set || !o->data) {
        fputs(PROGRAM ": out of memory\n", stderr);
        leave(1);
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
            leave(0);
        }
        const char *val = NULL;
        int which = -1;
        for (int k = 0; k < NWITH_VALUE && which < 0; k++) {
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
        if (which < 0)
            bad_usage("unknown option '%s'", a);
        set_option(o, which, val);
    }
    if (!o->file)
        bad_usage("%s", "missing scenario file");
    if (!o->max_seconds_set)
        o->max_seconds = o->check ? DEFAULT_SECONDS_CHECK : DEFAULT_SECONDS_RUN;
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

/* ---- the scenario file ---- */

typedef struct scenario_text {
    char *text;   /* the whole file, as read (hashed for provenance) */
    size_t len;
    size_t skip;  /* bytes before the chunk: a UTF-8 BOM, a first line "#..." less its newline */
    int regular;  /* 1 for a regular file (its folder may be read) */
} scenario_text;

/* Reads the scenario once (a pipe or FIFO cannot be read twice). 0, or -1
 * with msg naming the file and the problem. */
static int read_scenario(const char *file, scenario_text *st, char *msg, size_t n)
{
    memset(st, 0, sizeof *st);
    struct stat sb;
    if (stat(file, &sb) != 0) {
        snprintf(msg, n, "cannot open scenario '%s': %s", file, strerror(errno));
        return -1;
    }
    if (S_ISDIR(sb.st_mode)) {
        snprintf(msg, n, "scenario '%s' is a directory, not a Lua file", file);
        return -1;
    }
    st->regular = S_ISREG(sb.st_mode);
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(msg, n, "cannot open scenario '%s': %s", file, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 14;
    st->text = malloc(cap);
    size_t got;
    while (st->text && (got = fread(st->text + st->len, 1, cap - st->len, f)) > 0) {
        st->len += got;
        if (st->len == cap) {
            char *t = cap < ((size_t)1 << 30) ? realloc(st->text, cap *= 2) : NULL;
            if (!t) {
                free(st->text);
                st->text = NULL;
            }
            st->text = t;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!st->text || bad) {
        snprintf(msg, n, "cannot read scenario '%s': %s", file,
                 st->text ? strerror(EIO) : "too large or out of memory");
        free(st->text);
        st->text = NULL;
        return -1;
    }
    /* As lua5.4 does with a file: a UTF-8 byte order mark and a first line
     * starting with '#' (a "#!" line) are skipped, the line kept for numbering. */
    if (st->len >= 3 && memcmp(st->text, "\xEF\xBB\xBF", 3) == 0)
        st->skip = 3;
    if (st->skip < st->len && st->text[st->skip] == '#') {
        const char *nl = memchr(st->text + st->skip, '\n', st->len - st->skip);
        st->skip = nl ? (size_t)(nl - st->text) : st->len;
    }
    return 0;
}

/* ---- signals and stale temporary files ---- */

static sp_l_limits limits;  /* the sandbox's budgets (the watchdog reads them) */

static void write_str(const char *s) { (void)!write(STDERR_FILENO, s, strlen(s)); }

/* SIGINT, SIGTERM: remove the temporary files of writes in progress, then die
 * of the signal. */
static void on_signal(int sig)
{
    sp_atomic_remove_pending();
    if (sp_dist_rank() == 0 && !ending) /* mpirun passes the signal to every rank */
        write_str(sig == SIGINT ? "\n" PROGRAM ": interrupted (SIGINT); no partial output left\n"
                            : PROGRAM ": terminated (SIGTERM); no partial output left\n");
    signal(sig, SIG_DFL);
    raise(sig);
}

/* SIGALRM, a second after --max-seconds: the scenario is stuck where the count
 * hook cannot stop it (the engine, a library call). */
static void on_watchdog(int sig)
{
    (void)sig;
    sp_atomic_remove_pending();
    /* The scenario's line: the Lua stack is read only (a C function called
     * from the scenario is running), and the process ends right after. */
    char where[sizeof limits.last_where];
    if (sp_dist_rank() > 0) /* under MPI, rank 0 says it */
        _exit(1);
    if (limits.L)
        sp_l_where(limits.L, where, sizeof where);
    else
        where[0] = '\0';
    write_str(PROGRAM ": ");
    if (where[0]) {
        write_str(where);
        write_str(": ");
    }
    write_str("time limit exceeded in the engine or a library call (--max-seconds)\n");
    _exit(1);
}

static void install_signals(double max_seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (max_seconds > 0) {
        sa.sa_handler = on_watchdog;
        sigaction(SIGALRM, &sa, NULL);
        double t = max_seconds + 1.0;
        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = (time_t)t;
        it.it_value.tv_usec = (suseconds_t)((t - floor(t)) * 1e6);
        setitimer(ITIMER_REAL, &it, NULL);
    }
}

static int nstale;

static int remove_stale(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    long pid;
    if (type != FTW_F || !S_ISREG(sb->st_mode) || !sp_atomic_is_temp(path + ftw->base, &pid))
        return 0;
    /* A live process may be writing it; the older names carry no process id:
     * removed once an hour old. */
    int dead = pid > 0 ? (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
                       : time(NULL) - sb->st_mtime > 3600;
    if (dead && unlink(path) == 0)
        nstale++;
    return 0;
}

/* ---- running ---- */

/* Message handler: makes the error a string (a non-string error object gets
 * the scenario line where it was raised), records a traceback in the
 * registry and returns the message. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        char where[256];
        sp_l_where(L, where, sizeof where);
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_pushfstring(L, "%s%s%s", where, where[0] ? ": " : "", lua_tostring(L, -1));
        else
            msg = lua_pushfstring(L, "%s%s(error object is a %s value)", where,
                                  where[0] ? ": " : "", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    return 1;
}

/* The host settings: command line, resolved --out, the folders a safe
 * scenario may read. 0, or -1 with msg. */
static int install_host(lua_State *L, const options *o, const scenario_text *st, char *msg,
                        size_t n)
{
    sp_l_host *host = sp_l_host_install(L);
    host->threads = o->threads ? o->threads : sp_dist_threads_hint(); /* MPI: ranks share a node */
    host->mute = sp_dist_rank() > 0; /* MPI: rank 0 writes the outputs */
    host->seed_set = o->seed_set;
    host->seed = (uint32_t)o->seed;
    host->dry_run = o->check;
    host->safe = !o->unsafe;
    host->lang = o->lang;
    if (!o->check && isatty(STDERR_FILENO) && sp_dist_rank() == 0)
        host->progress = progress_bar;
    snprintf(host->scenario, sizeof host->scenario, "%s", o->file);
    sp_sha256_hex(st->text, st->len, host->scenario_sha256);
    if (sp_l_abspath(o->out, host->out_dir, sizeof host->out_dir) != 0) {
        snprintf(msg, n, "--out %s: cannot resolve: %s", o->out, strerror(errno));
        return -1;
    }
    char dir[SP_L_PATH_MAX];
    const char *slash = strrchr(o->file, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o->file + 1) : 1, slash ? o->file : ".");
    const char *roots[SP_L_MAX_ROOTS];
    int nroots = 0;
    if (st->regular)
        roots[nroots++] = dir;
    roots[nroots++] = ".";
    for (int k = 0; k < o->ndata && nroots < SP_L_MAX_ROOTS; k++)
        roots[nroots++] = o->data[k];
    for (int k = 0; k < nroots; k++)
        if (sp_l_abspath(roots[k], host->roots[host->nroots], SP_L_PATH_MAX) == 0)
            host->nroots++;
    return 0;
}

/* The protected main: sets the state up and runs the scenario. */
static int pmain(lua_State *L)
{
    const options *o = lua_touserdata(L, 1);
    const scenario_text *st = lua_touserdata(L, 2);
    char msg[SP_L_PATH_MAX + 256];
    if (install_host(L, o, st, msg, sizeof msg) != 0)
        return luaL_error(L, "%s", msg);
    /* the scenario's text, for the HTML report */
    lua_pushlstring(L, st->text, st->len);
    lua_setfield(L, LUA_REGISTRYINDEX, SP_L_SCENARIO_TEXT);

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

    sp_l_sandbox_open(L, !o->unsafe);
    /* Named "@FILE" so that messages and tracebacks cite the scenario file. */
    const char *chunkname = lua_pushfstring(L, "@%s", o->file);
    if (luaL_loadbufferx(L, st->text + st->skip, st->len - st->skip, chunkname, "t") != LUA_OK)
        return lua_error(L);
    sp_l_sandbox_start(L, &limits);
    lua_call(L, 0, 0);

    /* Every --set must name a parameter the scenario declared (sp.params
     * checks at its first call; this catches a scenario that declares none). */
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

/* Reports a failed scenario: a refused allocation names the budget. */
static void report_failure(lua_State *L, int status)
{
    const char *msg = lua_tostring(L, -1) ? lua_tostring(L, -1) : "(error without a message)";
    if (status == LUA_ERRMEM && limits.memory_hit) {
        char buf[512], size[32];
        snprintf(buf, sizeof buf, "%s%smemory limit of %s exceeded (--max-memory)",
                 limits.memory_where, limits.memory_where[0] ? ": " : "",
                 sp_l_bytes_text((double)limits.max_memory, size, sizeof size));
        report(buf);
        return;
    }
    report(msg);
    const char *tb = getenv("SPENDSIM_TRACEBACK");
    if (tb && *tb && lua_getfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY) == LUA_TSTRING)
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
}

/* Run mode: removes the temporary files that killed runs left in dir. */
static void clean_stale(const char *dir)
{
    nstale = 0;
    nftw(dir, remove_stale, 16, FTW_PHYS);
    if (nstale > 0)
        fprintf(stderr, PROGRAM ": removed %d temporary file%s left by a killed run in '%s'\n",
                nstale, nstale == 1 ? "" : "s", dir);
}

/* A failure before the scenario runs: shown by the rank the ranks agree on
 * (once under MPI); returns code after MPI ends. */
static int fail_early(const char *msg, int code)
{
    if (agree_end(1) == sp_dist_rank())
        report(msg);
    sp_dist_end();
    return code;
}

int main(int argc, char **argv)
{
    options o;
    sp_err derr;
    sp_err_clear(&derr);
    if (sp_dist_init(&argc, &argv, &derr) != SP_OK) {
        report(derr.msg);
        return 1;
    }
    /* Rank 0 prints. Should /dev/null fail to open, stdout is closed, and
     * prints there fail quietly, which is as good. */
    if (sp_dist_rank() > 0 && !freopen("/dev/null", "w", stdout))
        sp_err_clear(&derr);
    parse_args(argc, argv, &o);
    sp_err env_err;
    if (sp_simd_check_env(&env_err) != SP_OK)
        return fail_early(env_err.msg, 2);
    char msg[SP_L_PATH_MAX + 256];
    scenario_text st;
    if (read_scenario(o.file, &st, msg, sizeof msg) != 0)
        return fail_early(msg, 1);
    /* Under MPI rank 0 creates --out; the others check it as in check mode. */
    if (prepare_out(o.out, o.check || sp_dist_rank() > 0, msg, sizeof msg) != 0) {
        free(st.text);
        return fail_early(msg, 1);
    }
    if (!o.check && sp_dist_rank() == 0)
        clean_stale(o.out);
    limits.max_seconds = o.max_seconds;
    limits.max_memory = o.max_memory_set ? o.max_memory : sp_l_memory_total();
    install_signals(o.max_seconds);

    lua_State *L = sp_l_sandbox_newstate(&limits);
    if (!L) {
        free(st.text);
        return fail_early("cannot create a Lua state: out of memory", 1);
    }
    lua_pushcfunction(L, msghandler);
    lua_pushcfunction(L, pmain);
    lua_pushlightuserdata(L, &o);
    lua_pushlightuserdata(L, &st);
    int status = lua_pcall(L, 2, 0, 1);
    /* Under MPI the ranks agree which of them, if any, shows a failure. */
    int who = agree_end(status != LUA_OK);
    int rc = who >= 0;
    if (who == sp_dist_rank()) {
        if (status != LUA_OK)
            report_failure(L, status);
        else /* this rank succeeded, but the ranks fell out of step */
            report(sp_dist_message());
    } else if (!rc && o.check) {
        printf("ok: %s\n", o.file);
    }
    lua_close(L);
    free(o.set);
    free(o.data);
    free(st.text);
    if (sp_dist_rank() == 0 && fflush(stdout) != 0 && rc == 0) {
        report("cannot write to standard output");
        rc = 1;
    }
    sp_dist_end();
    return rc;
}
