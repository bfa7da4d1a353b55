/* manifest.c: manifest.json, the index of what a run wrote.
 *
 *   {
 *     "provenance": {
 *       "spendsim": "0.1.0",
 *       "seed": "42"
 *     },
 *     "files": [
 *       "summary.csv",
 *       "report.html"
 *     ]
 *   }
 *
 * sp_manifest_write_experiments adds after "files" (then every file of every
 * experiment) the list of experiments, each with its provenance and files:
 *
 *     "experiments": [
 *       {
 *         "provenance": {
 *           "seed": "42"
 *         },
 *         "files": [
 *           "summary.csv"
 *         ]
 *       }
 *     ]
 *
 * One member per line, two-space indentation, keys in the order given, every
 * value a JSON string (escaped as in json.c: quote, backslash and control
 * characters; invalid UTF-8 becomes U+FFFD). Empty collections read "{}" and
 * "[]". The text depends on the arguments only, so it is deterministic. The
 * file is written atomically (atomic.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writers.h"
#include "writers_internal.h"

/* Checks the arguments before anything is written: counts not negative,
 * arrays present when counted, keys and file names present, keys distinct
 * (JSON readers disagree about duplicate names, so none are written). */
static int manifest_check(const char *path, const sp_kv *prov, int nprov, const char *const *files,
                          int nfiles, sp_err *err)
{
    if (!path || !path[0])
        return sp_err_set(err, SP_EINVAL, "a manifest needs a non-empty path");
    if (nprov < 0 || (nprov > 0 && !prov))
        return sp_err_set(err, SP_EINVAL, "manifest '%s': %d provenance entries without an array",
                          path, nprov);
    if (nfiles < 0 || (nfiles > 0 && !files))
        return sp_err_set(err, SP_EINVAL, "manifest '%s': %d files without an array", path, nfiles);
    for (int i = 0; i < nprov; i++) {
        if (!prov[i].key)
            return sp_err_set(err, SP_EINVAL, "manifest '%s': provenance entry %d has no key", path,
                              i + 1);
        for (int k = 0; k < i; k++)
            if (strcmp(prov[k].key, prov[i].key) == 0)
                return sp_err_set(err, SP_EINVAL, "manifest '%s': provenance key '%s' appears twice",
                                  path, prov[i].key);
    }
    for (int i = 0; i < nfiles; i++)
        if (!files[i])
            return sp_err_set(err, SP_EINVAL, "manifest '%s': file %d has no name", path, i + 1);
    return SP_OK;
}

typedef struct {
    const sp_kv *provenance;
    int nprovenance;
    const char *const *files;
    int nfiles;
} manifest_job;

static int write_manifest(FILE *out, const void *ctx, sp_err *err)
{
    (void)err;
    const manifest_job *m = ctx;
    fputs("{\n  \"provenance\": {", out);
    for (int i = 0; i < m->nprovenance; i++) {
        fputs(i ? ",\n    " : "\n    ", out);
        sp_write_json_string(out, m->provenance[i].key);
        fputs(": ", out);
        sp_write_json_string(out, m->provenance[i].value);
    }
    fputs(m->nprovenance ? "\n  },\n  \"files\": [" : "},\n  \"files\": [", out);
    for (int i = 0; i < m->nfiles; i++) {
        fputs(i ? ",\n    " : "\n    ", out);
        sp_write_json_string(out, m->files[i]);
    }
    fputs(m->nfiles ? "\n  ]\n}\n" : "]\n}\n", out);
    return SP_OK;
}

int sp_manifest_write(const char *path, const sp_kv *provenance, int nprovenance,
                      const char *const *files, int nfiles, sp_err *err)
{
    int rc = manifest_check(path, provenance, nprovenance, files, nfiles, err);
    if (rc != SP_OK)
        return rc;
    manifest_job m = {provenance, nprovenance, files, nfiles};
    return sp_atomic_write(path, write_manifest, &m, err);
}

/* Writes `"name": {...}` of kv at indentation ind (spaces). */
static void write_object(FILE *out, const char *name, const sp_kv *kv, int n, int ind)
{
    fprintf(out, "%*s\"%s\": {", ind, "", name);
    for (int i = 0; i < n; i++) {
        fprintf(out, "%s%*s", i ? ",\n" : "\n", ind + 2, "");
        sp_write_json_string(out, kv[i].key);
        fputs(": ", out);
        sp_write_json_string(out, kv[i].value);
    }
    if (n)
        fprintf(out, "\n%*s", ind, "");
    fputc('}', out);
}

/* Writes `"files": [...]` of names at indentation ind. */
static void write_list(FILE *out, const char *const *names, int n, int ind)
{
    fprintf(out, "%*s\"files\": [", ind, "");
    for (int i = 0; i < n; i++) {
        fprintf(out, "%s%*s", i ? ",\n" : "\n", ind + 2, "");
        sp_write_json_string(out, names[i]);
    }
    if (n)
        fprintf(out, "\n%*s", ind, "");
    fputc(']', out);
}

typedef struct {
    const sp_kv *provenance;
    int nprovenance;
    const sp_manifest_experiment *exps;
    int nexps;
} experiments_job;

static int write_experiments(FILE *out, const void *ctx, sp_err *err)
{
    (void)err;
    const experiments_job *m = ctx;
    fputs("{\n", out);
    write_object(out, "provenance", m->provenance, m->nprovenance, 2);
    fputs(",\n  \"files\": [", out);
    int first = 1;
    for (int e = 0; e < m->nexps; e++)
        for (int i = 0; i < m->exps[e].nfiles; i++) {
            fputs(first ? "\n    " : ",\n    ", out);
            sp_write_json_string(out, m->exps[e].files[i]);
            first = 0;
        }
    fputs(first ? "],\n  \"experiments\": [" : "\n  ],\n  \"experiments\": [", out);
    for (int e = 0; e < m->nexps; e++) {
        fputs(e ? ",\n    {\n" : "\n    {\n", out);
        write_object(out, "provenance", m->exps[e].provenance, m->exps[e].nprovenance, 6);
        fputs(",\n", out);
        write_list(out, m->exps[e].files, m->exps[e].nfiles, 6);
        fputs("\n    }", out);
    }
    fputs(m->nexps ? "\n  ]\n}\n" : "]\n}\n", out);
    return SP_OK;
}

int sp_manifest_write_experiments(const char *path, const sp_kv *provenance, int nprovenance,
                                  const sp_manifest_experiment *exps, int nexps, sp_err *err)
{
    int rc = manifest_check(path, provenance, nprovenance, NULL, 0, err);
    if (rc != SP_OK)
        return rc;
    if (nexps < 0 || (nexps > 0 && !exps))
        return sp_err_set(err, SP_EINVAL, "manifest '%s': %d experiments without an array", path,
                          nexps);
    for (int e = 0; e < nexps; e++) {
        rc = manifest_check(path, exps[e].provenance, exps[e].nprovenance, exps[e].files,
                            exps[e].nfiles, err);
        if (rc != SP_OK)
            return rc;
    }
    experiments_job m = {provenance, nprovenance, exps, nexps};
    return sp_atomic_write(path, write_experiments, &m, err);
}
