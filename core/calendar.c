/* calendar.c: parsing and formatting of calendar months. */
#include "calendar.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int sp_month_parse(const char *text, int *month, sp_err *err)
{
    if (!text)
        return sp_err_set(err, SP_EINVAL, "expected a month as \"YYYY-MM\", got nothing");
    size_t n = strlen(text);
    int ok = n == 7 && text[4] == '-';
    for (size_t i = 0; ok && i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)text[i]))
            ok = 0;
    if (!ok)
        return sp_err_set(err, SP_EINVAL, "expected a month as \"YYYY-MM\", got \"%s\"", text);
    int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    int m = (text[5] - '0') * 10 + (text[6] - '0');
    if (m < 1 || m > 12)
        return sp_err_set(err, SP_EINVAL, "month %02d out of range 01..12 in \"%s\"", m, text);
    if (y < 1900 || y > 2200)
        return sp_err_set(err, SP_EINVAL, "year %d out of range 1900..2200 in \"%s\"", y, text);
    *month = sp_month_make(y, m);
    return SP_OK;
}

void sp_month_format(int month, char buf[8])
{
    unsigned y = (unsigned)sp_month_year(month) % 10000u, m = (unsigned)sp_month_of_year(month) % 100u;
    snprintf(buf, 8, "%04u-%02u", y, m);
}

int sp_month_days(int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = sp_month_year(month), m = sp_month_of_year(month);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}
