/* package.h: a named set of policy measures. The status quo is a package too.
 *
 * A package owns copies of its measures. This foundation carries the name
 * only: measures are added by the measure modules (vouchers, cars, plates). */
#ifndef SP_PACKAGE_H
#define SP_PACKAGE_H

#include "status.h"

#define SP_NAME_MAX 128

typedef struct sp_package {
    char name[SP_NAME_MAX];
} sp_package;

/* A package named `name` (1..127 bytes). NULL with err on failure. */
sp_package *sp_package_alloc(const char *name, sp_err *err);
void sp_package_free(sp_package *p); /* NULL is a no-op */

#endif
