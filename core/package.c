/* package.c: packages of measures. */
#include "package.h"

#include <stdlib.h>
#include <string.h>

sp_package *sp_package_alloc(const char *name, sp_err *err)
{
    if (!name || !name[0]) {
        sp_err_set(err, SP_EINVAL, "a package needs a non-empty name");
        return NULL;
    }
    if (strlen(name) >= SP_NAME_MAX) {
        sp_err_set(err, SP_EINVAL, "package name is longer than %d bytes", SP_NAME_MAX - 1);
        return NULL;
    }
    sp_package *p = calloc(1, sizeof *p);
    if (!p) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a package");
        return NULL;
    }
    strcpy(p->name, name);
    return p;
}

void sp_package_free(sp_package *p) { free(p); }
