/* writers.h: CSV, Markdown and JSON writers of tables, and manifest.json.
 * The HTML report's writer, sp_report_write_html, is declared in report.h.
 *
 * Writers see tables only, never policies or households. Files are written
 * atomically: to a temporary file in the same directory, then renamed over
 * the target, so a failed write never leaves a half-written table. */
#ifndef SP_WRITERS_H
#define SP_WRITERS_H

#include <stdio.h>

#include "status.h"
#include "table.h"

typedef enum sp_format {
    SP_FORMAT_CSV = 0,   /* wide: one line per row, one column per period (means) */
    SP_FORMAT_MARKDOWN,  /* with several replicates each cell shows "mean [95% interval]" */
    SP_FORMAT_JSON,      /* values and, with several replicates, lo90/hi90/lo95/hi95 */
    SP_FORMAT_CSV_LONG,  /* tidy: one line per cell with mean and interval bounds */
    SP_NFORMAT
} sp_format;

/* "csv", "md", "json", "csv_long"; lookup returns -1 when unknown. */
const char *sp_format_name(sp_format f);
int sp_format_find(const char *name);

/* File extension of a format: "csv", "md", "json", "long.csv". */
const char *sp_format_extension(sp_format f);

/* Writes the table to an open stream. */
int sp_table_write_stream(const sp_table *t, sp_format f, FILE *out, sp_err *err);

/* Writes the table to path atomically. err names the path on failure. */
int sp_table_write_file(const sp_table *t, sp_format f, const char *path, sp_err *err);

/* CSV pieces for writers of other shapes (export.h): a field, quoted when it
 * holds a comma, a quote or a line break (RFC 4180), and a number written
 * with "%.17g" so that it reads back as the same double (NaN, Inf, -Inf when
 * not finite). */
void sp_csv_field(FILE *out, const char *s);
void sp_csv_number_exact(FILE *out, double v);

/* Renders the table as Markdown into a new string (free with free()). NULL
 * with err on failure. */
char *sp_table_to_markdown(const sp_table *t, sp_err *err);

/* Atomic file output: open a temporary file beside path; commit renames it
 * over path, abort removes it. tmp receives the temporary name. */
FILE *sp_atomic_open(const char *path, char *tmp, size_t tmpsize, sp_err *err);
int sp_atomic_commit(FILE *f, const char *tmp, const char *path, sp_err *err);
void sp_atomic_abort(FILE *f, const char *tmp);

/* Removes the temporary files of the writes in progress. Async-signal-safe:
 * for handlers of SIGINT and SIGTERM, which then end the process. */
void sp_atomic_remove_pending(void);

/* 1 when file name `name` is a temporary file of sp_atomic_open,
 * "<target>.tmp.<pid>.XXXXXX" (*pid set) or the older "<target>.tmp.XXXXXX"
 * (*pid = 0); else 0. */
int sp_atomic_is_temp(const char *name, long *pid);

/* Writes path atomically with write(out, ctx, err): the temporary file is
 * committed when write returns SP_OK and the stream holds no error, else
 * removed; errors name the path. */
int sp_atomic_write(const char *path, int (*write)(FILE *out, const void *ctx, sp_err *err),
                    const void *ctx, sp_err *err);

/* ---- provenance ---- */

/* Ordered key/value strings: where a result came from (spendsim version, git
 * revision, scenario and its hash, seed, replicates, population, date). */
typedef struct sp_kv {
    const char *key;
    const char *value;
} sp_kv;

/* Writes manifest.json: {"provenance": {key: value, ...}, "files": [...]},
 * atomically. files are names relative to the manifest's directory. */
int sp_manifest_write(const char *path, const sp_kv *provenance, int nprovenance,
                      const char *const *files, int nfiles, sp_err *err);

/* One experiment of a manifest: its provenance (seed, replicates, packages,
 * ...) and the files it wrote in the manifest's directory. */
typedef struct sp_manifest_experiment {
    const sp_kv *provenance;
    int nprovenance;
    const char *const *files;
    int nfiles;
} sp_manifest_experiment;

/* Writes manifest.json for every experiment that wrote into one directory:
 * {"provenance": {the run's}, "files": [every file], "experiments":
 * [{"provenance": {...}, "files": [...]}, ...]}, atomically. */
int sp_manifest_write_experiments(const char *path, const sp_kv *provenance, int nprovenance,
                                  const sp_manifest_experiment *exps, int nexps, sp_err *err);

#endif
