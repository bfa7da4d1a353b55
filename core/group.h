/* group.h: the household groups results are broken down by.
 *
 * Every household belongs to exactly one group of each dimension; results keep
 * one slot per group (SP_NGROUP slots, the whole population first). */
#ifndef SP_GROUP_H
#define SP_GROUP_H

typedef enum sp_dim {
    SP_DIM_ALL = 0,   /* one group: every household */
    SP_DIM_QUINTILE,  /* per-capita income quintile, persons-weighted, Q1 lowest */
    SP_DIM_AREA,      /* urban, rural */
    SP_DIM_CAR,       /* car owner (at least one car this month), no car */
    SP_DIM_LIQUIDITY, /* poor/wealthy hand-to-mouth, poor/wealthy non-hand-to-mouth */
    SP_DIM_INCOME_DECILE,      /* per-capita income decile, persons-weighted, D1 lowest (nested in quintiles) */
    SP_DIM_CONS_TERCILE,       /* tercile of annual household consumption, households-weighted, lowest first */
    SP_DIM_CONS_QUINTILE,      /* quintile of annual household consumption */
    SP_DIM_CONS_DECILE,        /* decile of annual household consumption */
    SP_NDIM
} sp_dim;

enum { SP_NQUINTILE = 5, SP_NAREA = 2, SP_NCARDIM = 2, SP_NLIQ = 4, SP_NDECILE = 10, SP_NTERCILE = 3 };

/* Liquidity types (Jiang, Dong & Zhang 2019; Kaplan-Violante definitions). */
enum { SP_LIQ_POOR_HTM = 0, SP_LIQ_WEALTHY_HTM = 1, SP_LIQ_POOR_NHTM = 2, SP_LIQ_WEALTHY_NHTM = 3 };
enum { SP_AREA_URBAN = 0, SP_AREA_RURAL = 1 };

/* Household codes index the groups of their dimension directly. */
_Static_assert(SP_LIQ_WEALTHY_NHTM == SP_NLIQ - 1 && SP_AREA_RURAL == SP_NAREA - 1,
               "liquidity and area codes are 0 .. count - 1");
/* cars.c sizes its per-quintile tables (income multipliers, entry thresholds)
 * with five rows and checks quintile codes against 5 in its AVX2 classifier. */
_Static_assert(SP_NQUINTILE == 5, "income groups are quintiles");

#define SP_NGROUP                                                                                  \
    (1 + SP_NQUINTILE + SP_NAREA + SP_NCARDIM + SP_NLIQ + SP_NDECILE + SP_NTERCILE + SP_NQUINTILE + \
     SP_NDECILE)

/* Slot of the first group of a dimension, and how many groups it has. */
int sp_dim_first(sp_dim d);
int sp_dim_count(sp_dim d);

/* "all", "quintile", "area", "car_owner", "liquidity", "income_decile",
 * "consumption_tercile", "consumption_quintile", "consumption_decile"; and
 * lookup (-1 if unknown). */
const char *sp_dim_name(sp_dim d);
int sp_dim_find(const char *name);

/* Label of a group slot: "all", "Q1".."Q5", "urban", "rural", "car owner",
 * "no car", "poor HtM", "wealthy HtM", "poor non-HtM", "wealthy non-HtM",
 * "D1".."D10" (income deciles), "CT1".."CT3", "CQ1".."CQ5", "CD1".."CD10"
 * (consumption terciles, quintiles, deciles). Labels are unique. */
const char *sp_group_label(int slot);

#endif
