/* calendar.h: calendar months as integers.
 *
 * A month is the integer year * 12 + (month - 1), so 2019-01 is 24228 and
 * consecutive months differ by one. */
#ifndef SP_CALENDAR_H
#define SP_CALENDAR_H

#include "status.h"

/* Parses "YYYY-MM" (year 1900..2200, month 01..12) into *month. */
int sp_month_parse(const char *text, int *month, sp_err *err);

/* Writes "YYYY-MM" into buf (at least 8 bytes). */
void sp_month_format(int month, char buf[8]);

/* Days in a calendar month (Gregorian). */
int sp_month_days(int month);

static inline int sp_month_year(int month) { return month / 12; }
static inline int sp_month_of_year(int month) { return month % 12 + 1; } /* 1..12 */
static inline int sp_month_make(int year, int month_1_12) { return year * 12 + month_1_12 - 1; }

#endif
