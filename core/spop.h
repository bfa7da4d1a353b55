/* spop.h: saved populations, a versioned binary column file (".spop").
 *
 * Layout (version 2; little-endian, as written by the machines spendsim runs
 * on; a file of the other byte order is refused):
 *   bytes 0..1023    header: magic "SPENDPOP", format version, byte-order
 *                    mark, households, file size, checksum, column count,
 *                    base year and month, households represented, the Engel
 *                    curves, the population's label and its provenance (how
 *                    it was built: generator, parameters, spendsim version),
 *                    and its MPCs (given or not, by type, by income quintile:
 *                    added in version 2)
 *   1024..           column table: one 64-byte entry per column (name, bytes
 *                    per element, elements per household, offset, length)
 *   then             the columns, each at a multiple of 64 bytes, zero padded
 * The checksum is XXH64 (the xxHash 64-bit algorithm) chained over the file's
 * regions: the header before the checksum field, the rest of the header and
 * the column table, then each column with its padding; each region's hash
 * seeds the next. A wrong magic, version or byte order, a file shorter or
 * longer than its header says, a column table that does not match this
 * version's columns, or a checksum mismatch are errors naming the file.
 *
 * Loading maps the file read-only (mmap): the population's static columns
 * (weight, income, ..., shares, id) are the mapped pages themselves, never
 * copied; the initial dynamic state is copied once into memory of its own
 * (runs copy it again, as for any population). sp_population_free unmaps. */
#ifndef SP_SPOP_H
#define SP_SPOP_H

#include <stddef.h>
#include <stdint.h>

#include "population.h"
#include "status.h"

enum { SP_SPOP_VERSION = 2, SP_SPOP_HEADER_BYTES = 1024, SP_SPOP_PROVENANCE = 600 };

/* Writes pop to path atomically (temporary file and rename, core/writers).
 * provenance (may be NULL) says how the population was built; it is stored
 * with the spendsim version that wrote the file. SP_OK, or an error with err
 * naming the path. */
int sp_spop_save(const sp_population *pop, const char *path, const char *provenance, sp_err *err);

/* Loads a population saved by sp_spop_save. NULL with err on any problem. */
sp_population *sp_spop_load(const char *path, sp_err *err);

/* Unmaps a loaded file (sp_population_free calls it). */
void sp_spop_unmap(void *map, size_t bytes);

/* XXH64 of data[0..n) with seed (the xxHash 64-bit algorithm). */
uint64_t sp_xxh64(const void *data, size_t n, uint64_t seed);

#endif
