/* l_path.c: output paths of the bindings and the CLI (see l_path.h). */
#define _POSIX_C_SOURCE 200809L

#include "l_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

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
