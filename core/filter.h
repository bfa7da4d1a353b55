/* filter.h: household filters, a small declarative expression language over
 * household columns ("car_age >= 120 and emission <= 3"), compiled once into a
 * flat postfix program and evaluated column-at-a-time into a 0/1 mask. Voucher
 * targeting and every measure's eligibility use it.
 *
 * Grammar (keywords are case-sensitive):
 *
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | cmp
 *   cmp     := sum (('<'|'<='|'>'|'>='|'=='|'~='|'!=') sum)?
 *   sum     := term (('+'|'-') term)*
 *   term    := unary (('*'|'/') unary)*
 *   unary   := '-' unary | primary
 *   primary := NUMBER | COLUMN | NAMED | '(' expr ')' | 'true' | 'false'
 *
 * Numbers are decimal with an optional fraction and exponent (10000, 0.5, .5,
 * 1e6). '~=' and '!=' both mean "not equal". Comparisons do not chain:
 * "a < b < c" is a syntax error. Every value is a double; comparisons, 'and',
 * 'or', 'not', 'true' and 'false' give 1 or 0, and a value used as a condition
 * (a bare column, an operand of 'and'/'or'/'not', the whole expression) is
 * true when it is non-zero. 'and' and 'or' evaluate both sides. Division by
 * zero gives 0 (so "income / size" is 0 for a household of size 0).
 *
 * Columns (as users write them; units: yuan per year, persons, months):
 *   static, from the sp_population:
 *     income           annual household disposable income, yuan
 *     income_pc        income / size, yuan per person (0 when size is 0)
 *     consumption      planned annual household consumption, yuan
 *     size             persons
 *     urban, rural     1 if the household is urban (rural), else 0
 *     income_quintile  1..5, per-capita income quintile (Q1 lowest)
 *     liquidity        1..4: poor_htm, wealthy_htm, poor_nhtm, wealthy_nhtm
 *     hand_to_mouth    1 if liquidity is poor_htm or wealthy_htm
 *     drivers          members holding a driving licence
 *     lottery_eligible 1 if the household may enter the plate lottery
 *     generations      generations living together, 1..3
 *   dynamic, from an sp_hstate (the run's current state):
 *     cars             cars owned
 *     car_owner        1 if cars > 0
 *     car_age          age in months of the household's oldest car, 0 if none
 *     car_age_years    car_age / 12
 *     emission         China emission standard of the oldest car (2 = China II
 *                      or older, 3..6; NEVs count as 6), 0 if none
 *     nev              1 if the oldest car is a new-energy vehicle
 *     plate_state      0 none, 1 lottery, 2 NEV queue, 3 won (SP_PLATE_*)
 *     applicants       members in the plate lottery or NEV queue
 *   The oldest car is the one with the greatest age among the household's
 *   first `cars` cars; on a tie the lower-numbered car counts.
 * Named constants: poor_htm = 1, wealthy_htm = 2, poor_nhtm = 3,
 * wealthy_nhtm = 4 (so "liquidity == poor_htm" works).
 *
 * Errors name the problem and the 1-based character position:
 *   "unknown column 'incme' at position 1 (did you mean 'income'? columns: ...)",
 *   "expected ')' at position 14, found end of expression",
 *   "unexpected 'and' at position 1 (expected a number, a column, 'not' or '(')".
 *
 * A compiled filter is immutable: any number of threads may evaluate it at
 * once. */
#ifndef SP_FILTER_H
#define SP_FILTER_H

/* Bytes of a filter text buffer in a measure definition (with its NUL). */
#define SP_FILTER_TEXT_MAX 1024

#include <stddef.h>
#include <stdint.h>

#include "population.h"
#include "status.h"

/* Households evaluated per vector step, and limits of a filter's text. */
enum {
    SP_FILTER_CHUNK = 256,      /* households per column vector */
    SP_FILTER_MAX_LEN = 1000,   /* characters of filter text */
    SP_FILTER_MAX_DEPTH = 64,   /* nesting of '(', 'not' and unary '-' */
    SP_FILTER_MAX_STACK = 16    /* column vectors live at once during evaluation */
};

/* A compiled filter (opaque). */
typedef struct sp_filter sp_filter;

/* Compiles text into a filter. Returns NULL on failure, with err (when
 * non-NULL) set to SP_EINVAL and a one-line message naming the problem and its
 * position (syntax error, unknown column, empty text, text longer than
 * SP_FILTER_MAX_LEN characters, nesting deeper than SP_FILTER_MAX_DEPTH), or
 * SP_ENOMEM. Constant subexpressions are folded at compile time. The filter
 * keeps its own copy of text. Free with sp_filter_free. */
sp_filter *sp_filter_compile(const char *text, sp_err *err);

/* Releases a filter. NULL is a no-op. */
void sp_filter_free(sp_filter *f);

/* The text the filter was compiled from (owned by the filter). */
const char *sp_filter_text(const sp_filter *f);

/* 1 if the filter reads a dynamic column (and so needs an sp_hstate), else 0. */
int sp_filter_uses_state(const sp_filter *f);

/* Evaluates the filter for households [lo, hi) of pop and writes mask[k] = 1
 * if household lo + k matches, else 0 (hi - lo bytes). state supplies the
 * dynamic columns and must cover at least hi households; it may be NULL when
 * the filter uses no dynamic column. Returns SP_OK, or SP_EINVAL (err says
 * why) when an argument is NULL, lo > hi, hi exceeds pop->n or state->n, or
 * the filter needs state and none was given; mask is then left unspecified.
 * Evaluation runs the postfix program over vectors of up to SP_FILTER_CHUNK
 * households, allocates nothing, and is safe to call from several threads at
 * once on disjoint masks. */
int sp_filter_eval(const sp_filter *f, const sp_population *pop, const sp_hstate *state,
                   size_t lo, size_t hi, uint8_t *mask, sp_err *err);

/* Sets *weighted to the sum of the weights of the households of pop that
 * match (households represented). Summed in household order, so the result
 * is reproducible. Same errors as sp_filter_eval. */
int sp_filter_count(const sp_filter *f, const sp_population *pop, const sp_hstate *state,
                    double *weighted, sp_err *err);

#endif
