/* l_path.h: output paths of the bindings and the CLI (POSIX). */
#ifndef SP_L_PATH_H
#define SP_L_PATH_H

#include <stddef.h>

/* Creates directory dir and its missing parents (mode 0777 before umask),
 * like `mkdir -p`. Returns 0, or -1 with a one-line message in msg naming the
 * directory that could not be created and why. */
int sp_l_mkdirs(const char *dir, char *msg, size_t msgsize);

/* Creates the missing parent directories of file path `path`; as sp_l_mkdirs. */
int sp_l_mkparents(const char *path, char *msg, size_t msgsize);

/* Resolves path against base: path itself when absolute or when base is
 * empty, else base/path. Returns 0, or -1 when the result does not fit in n
 * bytes. */
int sp_l_resolve(const char *base, const char *path, char *out, size_t n);

#endif
