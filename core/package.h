/* package.h: a named set of policy measures. The status quo is a package too.
 *
 * A package owns copies of its measures (definitions and compiled filters),
 * each an instance of a measure kind (measure.h). Each measure has a name,
 * unique in its package; its random streams are keyed by that name, so the
 * same measure in two packages draws the same numbers (common random
 * numbers). The package knows no kind: the kinds' own rules (validation,
 * limits per package) come through their operations. */
#ifndef SP_PACKAGE_H
#define SP_PACKAGE_H

#include <stdint.h>

#include "measure.h"
#include "status.h"

#define SP_MAX_MEASURES 32

struct sp_package {
    char name[SP_NAME_MAX];
    int nmeasures;
    sp_measure measures[SP_MAX_MEASURES];
};

/* A package named `name` (1..127 bytes) with no measures. NULL with err. */
sp_package *sp_package_alloc(const char *name, sp_err *err);
void sp_package_free(sp_package *p); /* NULL is a no-op */

/* A new package named `name` holding copies of base's measures. */
sp_package *sp_package_derive(const sp_package *base, const char *name, sp_err *err);

/* Adds a measure of kind `ops` named `name` with a copy of the definition
 * `def` (ops->def_size bytes): the kind validates it, its package-level rules
 * admit it, the name is new in the package and its filter text compiles.
 * Errors name the problem; the package is unchanged on error. The kinds'
 * headers offer typed wrappers (sp_package_add_voucher, ...). */
int sp_package_add(sp_package *p, const sp_measure_ops *ops, const char *name, const void *def,
                   sp_err *err);

/* Adds a copy of measure m (as held by another package or a Lua value). */
int sp_package_add_measure(sp_package *p, const sp_measure *m, sp_err *err);

/* How many measures of kind ops the package holds, and the first, or NULL. */
int sp_package_count(const sp_package *p, const sp_measure_ops *ops);
const sp_measure *sp_package_find(const sp_package *p, const sp_measure_ops *ops);

#endif
