/* digest.h: SHA-256 (FIPS 180-4), for provenance: the scenario a result
 * came from is identified by the hash of its text. */
#ifndef SP_DIGEST_H
#define SP_DIGEST_H

#include <stddef.h>

/* Writes the SHA-256 of data[0..n) as 64 lowercase hex digits and a NUL. */
void sp_sha256_hex(const void *data, size_t n, char out[65]);

#endif
