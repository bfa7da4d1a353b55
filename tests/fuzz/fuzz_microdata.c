/* fuzz_microdata.c: libFuzzer target for the microdata CSV reader
 * (core/microdata.c), fed from memory (sp_microdata_read_text): any text,
 * NUL bytes, byte order marks and line endings included, must be read or
 * rejected with a message, never crash. Build as fuzz_filter.c says. */
#include <stdint.h>
#include <stdlib.h>

#include "spendsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_microdata_def d = sp_microdata_def_default();
    d.path = "fuzz.csv";
    sp_err err;
    sp_population *pop = sp_microdata_read_text(&d, (const char *)data, size, &err);
    sp_population_free(pop);
    return 0;
}
