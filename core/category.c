/* category.c: category names and the 2018 Beijing composition. */
#include "category.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const names[] = {
    "food", "clothing", "housing", "household_goods", "transport", "education", "health", "other"};

/* yuan per capita, Beijing 2018, all residents */
static const double yuan_2018[] = {8065, 2176, 14110, 2372, 4767, 3999, 3275, 1079};

_Static_assert(COUNT(names) == SP_NCAT && COUNT(yuan_2018) == SP_NCAT,
               "one name and one 2018 figure per category");

const char *sp_category_name(int c) { return c >= 0 && c < SP_NCAT ? names[c] : "?"; }

int sp_category_find(const char *name)
{
    for (int c = 0; name && c < SP_NCAT; c++)
        if (strcmp(names[c], name) == 0)
            return c;
    return -1;
}

double sp_category_share_2018(int c)
{
    double total = 0;
    for (int k = 0; k < SP_NCAT; k++)
        total += yuan_2018[k];
    return c >= 0 && c < SP_NCAT ? yuan_2018[c] / total : 0.0;
}
