/* l_path.h: output and input paths of the bindings and the CLI (POSIX).
 *
 * In safe mode (docs/security.md) every output path a scenario gives is
 * confined to the output directory (--out) and every input path to the
 * folders it may read; --unsafe and the module in a stock lua5.4 keep the
 * plain resolution (sp_l_resolve). */
#ifndef SP_L_PATH_H
#define SP_L_PATH_H

#include <stddef.h>

#include <lua.h>

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

/* The absolute, normalised form of path (relative to the current
 * directory): the longest existing prefix resolved with realpath (symbolic
 * links followed), the rest appended with "." and ".." applied and "//"
 * folded. Returns 0, or -1 with errno set. */
int sp_l_abspath(const char *path, char *out, size_t n);

/* The output file of `path` as the scenario gave it, into out (n bytes):
 * in safe mode out_dir/path, where out_dir is the resolved --out, path is
 * relative, has no ".." and passes no symbolic link inside out_dir; else
 * sp_l_resolve(out_dir, path). Raises "<fname>: output path '<path>' ..."
 * naming the problem. Also raises when a --set names no parameter and the
 * scenario declared none (nothing is written under a misspelt --set). */
void sp_l_out_path(lua_State *L, const char *fname, const char *path, char *out, size_t n);

/* The input file of `path` (relative to the current directory) into out: in
 * safe mode its resolved path, which must lie inside one of the folders the
 * scenario may read (its own folder, the current folder, --data DIR); the
 * error names the path and the folders, never the file's content. */
void sp_l_in_path(lua_State *L, const char *fname, const char *path, char *out, size_t n);

#endif
