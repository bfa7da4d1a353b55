/* fuzz_filter.c: libFuzzer target for the household filter compiler and
 * evaluator (core/filter.c). Build and run (clang):
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DSPENDSIM_FUZZ=ON && \
 *   cmake --build build-fuzz --target fuzz_filter && build-fuzz/tests/fuzz_filter -max_total_time=60
 * Any input must compile or fail with a message, never crash; a compiled
 * filter must evaluate over a small population without reading past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spendsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sp_population *pop;
    if (!pop) {
        sp_beijing_def d = sp_beijing_def_default();
        d.households = 300;
        pop = sp_beijing_build(&d, NULL);
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sp_err err;
    sp_filter *f = sp_filter_compile(text, &err);
    if (f) {
        uint8_t mask[300];
        sp_filter_eval(f, pop, &pop->state, 0, pop->n, mask, &err);
        sp_filter_free(f);
    }
    free(text);
    return 0;
}
