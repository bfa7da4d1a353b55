/* atomic.c: atomic file output.
 *
 * A table is written to a temporary file created with mkstemp beside the
 * target (path + ".tmp.<pid>.XXXXXX", so on the same file system), flushed and
 * fsync'ed, closed, and renamed over the target. A failure at any step removes
 * the temporary file and leaves the target as it was (absent, or the previous
 * complete file): a failed run never leaves a half-written table. The new
 * file gets the mode of the file it replaces, or 0666 less the umask.
 *
 * The temporary files of writes in progress are listed in a small table so
 * that a signal handler can remove them (sp_atomic_remove_pending): the one
 * piece of process-wide state of the core, written only by the writers. A
 * run killed with SIGKILL still leaves its temporary file; the name carries
 * the process id so the next run can tell it is stale (sp_atomic_is_temp). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "writers.h"

/* The process umask, read without changing it (umask() would race with other
 * threads creating files). Linux reports it in /proc/self/status; elsewhere
 * the common 022 is assumed. */
static mode_t current_umask(void)
{
    mode_t m = 022;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return m;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Umask:", 6) == 0) {
            char *end;
            long v = strtol(line + 6, &end, 8);
            if (end != line + 6 && v >= 0 && v <= 0777)
                m = (mode_t)v;
            break;
        }
    }
    fclose(f);
    return m;
}

/* ---- temporary files of writes in progress ---- */

#define PENDING_MAX 16
#define PENDING_PATH 4096
static char pending[PENDING_MAX][PENDING_PATH];
static atomic_int pending_state[PENDING_MAX]; /* 0 free, 1 being filled, 2 listed */

/* Lists tmp; a name that does not fit or finds no slot is not listed. */
static void pending_add(const char *tmp)
{
    size_t n = strlen(tmp);
    if (n >= PENDING_PATH)
        return;
    for (int k = 0; k < PENDING_MAX; k++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&pending_state[k], &expected, 1)) {
            memcpy(pending[k], tmp, n + 1);
            atomic_store(&pending_state[k], 2);
            return;
        }
    }
}

static void pending_remove(const char *tmp)
{
    for (int k = 0; k < PENDING_MAX; k++)
        if (atomic_load(&pending_state[k]) == 2 && strcmp(pending[k], tmp) == 0) {
            atomic_store(&pending_state[k], 0);
            return;
        }
}

void sp_atomic_remove_pending(void)
{
    for (int k = 0; k < PENDING_MAX; k++)
        if (atomic_load(&pending_state[k]) == 2)
            unlink(pending[k]);
}

int sp_atomic_is_temp(const char *name, long *pid)
{
    const char *t = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
        t = p; /* the last ".tmp." */
    if (!t || t == name)
        return 0;
    const char *s = t + 5;
    long v = 0;
    const char *d = s;
    while (*d >= '0' && *d <= '9' && d - s < 10)
        v = v * 10 + (*d++ - '0');
    if (d > s && *d == '.') /* ".tmp.<pid>.XXXXXX" */
        s = d + 1;
    else
        v = 0;              /* the older ".tmp.XXXXXX" */
    if (strlen(s) != 6)
        return 0;
    for (int k = 0; k < 6; k++)
        if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'z') ||
              (s[k] >= 'A' && s[k] <= 'Z')))
            return 0;
    *pid = v;
    return 1;
}

/* Creates the temporary file tmp (its last six characters, "XXXXXX", are
 * replaced), listed for the signal handler BEFORE it exists: a signal between
 * the creation and the listing (mkstemp, then the list) would leave it
 * behind. Returns the descriptor, or -1 with errno set. */
static int create_listed(char *tmp, size_t n)
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static atomic_uint counter;
    unsigned long x = (unsigned long)getpid() * 2654435761ul ^ (unsigned long)time(NULL);
    for (int attempt = 0; attempt < 1000; attempt++) {
        unsigned long v = x + 0x9e3779b9ul * (atomic_fetch_add(&counter, 1) + 1u);
        for (int k = 0; k < 6; k++, v /= 62)
            tmp[n - 6 + (size_t)k] = set[v % 62];
        pending_add(tmp);
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0)
            return fd;
        int e = errno;
        pending_remove(tmp);
        if (e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

FILE *sp_atomic_open(const char *path, char *tmp, size_t tmpsize, sp_err *err)
{
    if (tmp && tmpsize)
        tmp[0] = '\0';
    if (!path || !path[0]) {
        sp_err_set(err, SP_EINVAL, "an output file needs a non-empty path");
        return NULL;
    }
    if (!tmp) {
        sp_err_set(err, SP_EINVAL, "no buffer for the temporary name of '%s'", path);
        return NULL;
    }
    int n = snprintf(tmp, tmpsize, "%s.tmp.%ld.XXXXXX", path, (long)getpid());
    if (n < 0 || (size_t)n >= tmpsize) {
        if (tmpsize)
            tmp[0] = '\0';
        sp_err_set(err, SP_EINVAL, "output path '%s' is too long", path);
        return NULL;
    }
    int fd = create_listed(tmp, (size_t)n);
    if (fd < 0) {
        int e = errno;
        tmp[0] = '\0';
        sp_err_set(err, SP_EIO, "cannot write '%s': cannot create a temporary file there: %s", path,
                   strerror(e));
        return NULL;
    }
    /* mkstemp creates 0600; give the table the permissions a plain fopen would. */
    struct stat st;
    mode_t mode = (stat(path, &st) == 0 && S_ISREG(st.st_mode)) ? (st.st_mode & 07777)
                                                                 : (0666 & ~current_umask());
    (void)fchmod(fd, mode); /* best effort: the content matters more than the mode */
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(tmp);
        pending_remove(tmp);
        tmp[0] = '\0';
        sp_err_set(err, SP_EIO, "cannot write '%s': %s", path, strerror(e));
        return NULL;
    }
    return f;
}

/* Makes the rename durable: fsync of the directory holding path. Best effort. */
static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int sp_atomic_commit(FILE *f, const char *tmp, const char *path, sp_err *err)
{
    if (!f || !tmp || !tmp[0] || !path) {
        sp_atomic_abort(f, tmp);
        return sp_err_set(err, SP_EINVAL, "atomic commit of '%s' without an open temporary file",
                          path ? path : "(null)");
    }
    int e = 0;
    errno = 0;
    if (fflush(f) != 0)
        e = errno ? errno : EIO;
    else if (ferror(f))
        e = EIO;
    else if (fsync(fileno(f)) != 0)
        e = errno;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        unlink(tmp);
        pending_remove(tmp);
        return sp_err_set(err, SP_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        pending_remove(tmp);
        return sp_err_set(err, SP_EIO, "cannot write '%s': rename failed: %s", path, strerror(e));
    }
    pending_remove(tmp);
    sync_parent(path);
    return SP_OK;
}

void sp_atomic_abort(FILE *f, const char *tmp)
{
    if (f)
        fclose(f);
    if (tmp && tmp[0]) {
        unlink(tmp);
        pending_remove(tmp);
    }
}

int sp_atomic_write(const char *path, int (*write)(FILE *out, const void *ctx, sp_err *err),
                    const void *ctx, sp_err *err)
{
    size_t tmpsize = strlen(path) + sizeof ".tmp.XXXXXX" + 24; /* and ".<pid>" */
    char *tmp = malloc(tmpsize);
    if (!tmp)
        return sp_err_set(err, SP_ENOMEM, "out of memory writing '%s'", path);
    FILE *out = sp_atomic_open(path, tmp, tmpsize, err);
    if (!out) {
        free(tmp);
        return err ? err->code : SP_EIO;
    }
    sp_err inner;
    sp_err_clear(&inner);
    int rc = write(out, ctx, &inner);
    if (rc != SP_OK) {
        sp_atomic_abort(out, tmp);
        free(tmp);
        return sp_err_set(err, rc == SP_ENOMEM ? SP_ENOMEM : SP_EIO, "cannot write '%s': %s", path,
                          inner.msg);
    }
    rc = sp_atomic_commit(out, tmp, path, err); /* checks the stream's error flag */
    free(tmp);
    return rc;
}
