/* category.h: the eight consumption categories of Chinese household surveys
 * (NBS classification, as published by the Beijing Municipal Bureau of
 * Statistics) and the 2018 Beijing composition the default population meets. */
#ifndef SP_CATEGORY_H
#define SP_CATEGORY_H

enum {
    SP_CAT_FOOD = 0,        /* food, tobacco and liquor */
    SP_CAT_CLOTHING,        /* clothing and footwear */
    SP_CAT_HOUSING,         /* housing (rent, imputed rent, utilities) */
    SP_CAT_HOUSEHOLD_GOODS, /* household goods and services */
    SP_CAT_TRANSPORT,       /* transport and communication (car running costs, not purchases) */
    SP_CAT_EDUCATION,       /* education, culture and recreation */
    SP_CAT_HEALTH,          /* health care and medical services */
    SP_CAT_OTHER,           /* other goods and services */
    SP_NCAT
};

/* Short names used in Lua, tables and files: "food", "clothing", "housing",
 * "household_goods", "transport", "education", "health", "other". */
const char *sp_category_name(int c);

/* Index of a category by short name, or -1. */
int sp_category_find(const char *name);

/* Beijing 2018 per-capita consumption shares (all residents), summing to 1.
 * Source: Beijing Municipal Bureau of Statistics 2019-01-25 (data/
 * beijing_consumption_composition.csv): 8065/2176/14110/2372/4767/3999/3275/1079
 * yuan of 39843. */
double sp_category_share_2018(int c);

#endif
