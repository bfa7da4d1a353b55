/* microdata.h: a population read from survey microdata (CSV).
 *
 * One line per household after a header line naming the columns (in any
 * order; names are case-sensitive). Required columns:
 *   weight       households represented, > 0
 *   size         persons, 1..20
 *   area         urban or rural (also 1 / 0)
 *   income       annual household disposable income, yuan, >= 0
 *   consumption  annual household consumption over the eight categories, yuan, >= 0
 * Optional columns (defaults in brackets):
 *   id           the survey's household id, a whole number (int64) [row number 1..n]; kept
 *                with the household and written back in per-household output (pop:write)
 *   share_food .. share_other   the eight category shares (all eight or none), each 0..1,
 *                               summing to 1 within 0.01 (renormalised) [Engel curves with
 *                               the default slopes, calibrated to the 2018 Beijing composition]
 *   liquidity    poor_htm, wealthy_htm, poor_nhtm or wealthy_nhtm [drawn by the Beijing rule:
 *                poor types concentrated at low incomes, CHFS shares]
 *   cars         0..2 [0]
 *   car1_age, car2_age          months, 0..1200 [required for each car]
 *   car1_nev, car2_nev          0 / 1 [0]
 *   car1_emission, car2_emission  China standard 2..6 [from the registration year]
 *   drivers      0..20 [number of cars, at least 1 for households of adults]
 *   lottery_eligible  0 / 1 [1]
 *   generations  1..3 [1]
 *   plate_state  none, lottery or nev_queue [none]; applicants 0..20 [1 in a pool]
 *   plate_months months in the pool [0]
 * An empty optional field takes its default; an empty required one (or id) is
 * an error. Unknown columns are errors (a typo must not silently become a
 * default) unless named in def->ignore, which skips them (and optional known
 * columns named there); an ignored name the header lacks, or a required one,
 * is an error.
 * Errors name the file, the line, the column and the value. Fields may be
 * quoted (RFC 4180); empty lines are skipped; '#' lines are comments. Lines
 * end with LF, CR LF or CR; a UTF-8 byte order mark at the start is skipped;
 * a NUL byte anywhere is an error naming its line. The file is read once,
 * so a pipe or FIFO works. */
#ifndef SP_MICRODATA_H
#define SP_MICRODATA_H

#include <stdint.h>

#include "population.h"
#include "status.h"

typedef struct sp_microdata_def {
    const char *path;   /* the CSV file */
    int year;           /* the year incomes and consumption refer to; state at its December */
    uint32_t seed;      /* for attributes drawn when their column is absent (liquidity) */
    const char *const *ignore; /* columns to skip (nignore names), or NULL */
    int nignore;
} sp_microdata_def;

/* Defaults: no path, year 2019, seed 1, nothing ignored. */
sp_microdata_def sp_microdata_def_default(void);

/* Reads the file into a population. NULL with err on any problem. */
sp_population *sp_microdata_read(const sp_microdata_def *def, sp_err *err);

/* The same from the file's text in memory (len bytes, may hold NUL bytes,
 * which are refused); def->path names the file in messages. */
sp_population *sp_microdata_read_text(const sp_microdata_def *def, const char *text, size_t len,
                                      sp_err *err);

/* Writes pop in this format to path, atomically: every column, the id (or
 * the row number when the population has none), floats with 9 significant
 * digits and shares as exact fractions, so reading the file back gives the
 * same households. A comment line names the population. Households holding
 * a plate quota (state SP_PLATE_WON, never in a built population) cannot be
 * written: SP_EINVAL. */
int sp_microdata_write(const sp_population *pop, const char *path, sp_err *err);

#endif
