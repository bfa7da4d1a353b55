/* group.c: group dimensions and labels. */
#include "group.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const dim_names[] = {"all",           "quintile",           "area",
                                        "car_owner",     "liquidity",          "income_decile",
                                        "consumption_tercile", "consumption_quintile",
                                        "consumption_decile"};
static const int dim_count[] = {1,          SP_NQUINTILE, SP_NAREA,    SP_NCARDIM,  SP_NLIQ,
                                SP_NDECILE, SP_NTERCILE,  SP_NQUINTILE, SP_NDECILE};
static const char *const labels[] = {
    "all",   "Q1",       "Q2",       "Q3",          "Q4",          "Q5",          "urban",
    "rural", "car owner", "no car", "poor HtM",    "wealthy HtM", "poor non-HtM", "wealthy non-HtM",
    "D1",    "D2",       "D3",      "D4",          "D5",          "D6",          "D7",
    "D8",    "D9",       "D10",     "CT1",         "CT2",         "CT3",         "CQ1",
    "CQ2",   "CQ3",      "CQ4",     "CQ5",         "CD1",         "CD2",         "CD3",
    "CD4",   "CD5",      "CD6",     "CD7",         "CD8",         "CD9",         "CD10"};
/* One name and count per dimension, one label per group slot. */
_Static_assert(COUNT(dim_names) == SP_NDIM && COUNT(dim_count) == SP_NDIM, "one entry per dimension");
_Static_assert(COUNT(labels) == SP_NGROUP, "one label per group slot");

int sp_dim_first(sp_dim d)
{
    int first = 0;
    for (int k = 0; k < (int)d && k < SP_NDIM; k++)
        first += dim_count[k];
    return first;
}

int sp_dim_count(sp_dim d) { return (int)d >= 0 && d < SP_NDIM ? dim_count[d] : 0; }

const char *sp_dim_name(sp_dim d) { return (int)d >= 0 && d < SP_NDIM ? dim_names[d] : "?"; }

int sp_dim_find(const char *name)
{
    for (int d = 0; name && d < SP_NDIM; d++)
        if (strcmp(dim_names[d], name) == 0)
            return d;
    return -1;
}

const char *sp_group_label(int slot) { return slot >= 0 && slot < SP_NGROUP ? labels[slot] : "?"; }
