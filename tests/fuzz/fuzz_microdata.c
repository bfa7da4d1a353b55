/* fuzz_microdata.c: libFuzzer target for the microdata CSV reader
 * (core/microdata.c): any file must be read or rejected with a message,
 * never crash. Build as fuzz_filter.c says, target fuzz_microdata. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spendsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/spendsim_fuzz_%d.csv", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    sp_microdata_def d = sp_microdata_def_default();
    d.path = path;
    sp_err err;
    sp_population *pop = sp_microdata_read(&d, &err);
    sp_population_free(pop);
    remove(path);
    return 0;
}
