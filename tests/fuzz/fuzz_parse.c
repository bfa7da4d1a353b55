/* fuzz_parse.c: libFuzzer target for the date and number parsers: the month
 * parser (sp_month_parse, core/calendar.c) and the microdata field parsers
 * (numbers, whole numbers and words of core/microdata.c), fed one line under
 * a header naming every column. Any input must parse or fail with a
 * message, never crash; a parsed month must format back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spendsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char header[] =
    "weight,size,area,income,consumption,liquidity,cars,car1_age,car1_nev,car1_emission,"
    "drivers,lottery_eligible,generations,plate_state,applicants,plate_months\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(sizeof header + size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int month;
    sp_err err;
    if (sp_month_parse(text, &month, &err) == SP_OK) {
        char back[8];
        sp_month_format(month, back);
        if (strcmp(back, text) != 0)
            abort(); /* a month that does not read back */
    }
    memcpy(text, header, sizeof header - 1);
    memcpy(text + sizeof header - 1, data, size);
    sp_microdata_def d = sp_microdata_def_default();
    d.path = "fuzz.csv";
    sp_population_free(sp_microdata_read_text(&d, text, sizeof header - 1 + size, &err));
    free(text);
    return 0;
}
