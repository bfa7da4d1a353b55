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

int sp_manifest_write(const char *path, const sp_kv *provenance, int nprovenance,
                      const char *const *files, int nfiles, sp_err *err)
{
    int rc = manifest_check(path, provenance, nprovenance, files, nfiles, err);
    if (rc != SP_OK)
        return rc;
    size_t tmpsize = strlen(path) + sizeof ".tmp.XXXXXX";
    char *tmp = malloc(tmpsize);
    if (!tmp)
        return sp_err_set(err, SP_ENOMEM, "out of memory writing '%s'", path);
    FILE *out = sp_atomic_open(path, tmp, tmpsize, err);
    if (!out) {
        free(tmp);
        return err ? err->code : SP_EIO;
    }
    fputs("{\n  \"provenance\": {", out);
    for (int i = 0; i < nprovenance; i++) {
        fputs(i ? ",\n    " : "\n    ", out);
        sp_write_json_string(out, provenance[i].key);
        fputs(": ", out);
        sp_write_json_string(out, provenance[i].value);
    }
    fputs(nprovenance ? "\n  },\n  \"files\": [" : "},\n  \"files\": [", out);
    for (int i = 0; i < nfiles; i++) {
        fputs(i ? ",\n    " : "\n    ", out);
        sp_write_json_string(out, files[i]);
    }
    fputs(nfiles ? "\n  ]\n}\n" : "]\n}\n", out);
    rc = sp_atomic_commit(out, tmp, path, err); /* checks the stream's error flag */
    free(tmp);
    return rc;
}
