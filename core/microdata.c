/* microdata.c: reading a population from survey microdata (CSV). */
#include "microdata.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beijing.h"
#include "calendar.h"
#include "group.h"
#include "rng.h"
#include "writers/writers.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_FIELDS 64    /* fields per line */
#define LIQ_UNSET 255    /* liquidity code of a household whose type is drawn after ranking */
#define DRAW_LIQUIDITY 5 /* draw of the household's population stream for its liquidity type
                          * (the Beijing generator uses draws 0..4) */

enum {
    COL_WEIGHT, COL_SIZE, COL_AREA, COL_INCOME, COL_CONSUMPTION,
    COL_SHARE0, /* share_food .. share_other: COL_SHARE0 + c */
    COL_LIQUIDITY = COL_SHARE0 + SP_NCAT,
    COL_CARS, COL_CAR1_AGE, COL_CAR2_AGE, COL_CAR1_NEV, COL_CAR2_NEV, COL_CAR1_EMISSION,
    COL_CAR2_EMISSION, COL_DRIVERS, COL_ELIGIBLE, COL_GENERATIONS, COL_PLATE_STATE,
    COL_APPLICANTS, COL_PLATE_MONTHS, COL_ID, NCOL
};
#define COL_IGNORED (-1) /* colof of a field named in def->ignore */

/* Car k's columns are COL_CAR1_* + k, for the two cars of population.h. */
_Static_assert(SP_MAX_CARS == 2 && COL_CAR2_AGE == COL_CAR1_AGE + 1 && COL_CAR2_NEV == COL_CAR1_NEV + 1 &&
                   COL_CAR2_EMISSION == COL_CAR1_EMISSION + 1,
               "car1_* and car2_* columns side by side");
_Static_assert(NCOL <= MAX_FIELDS, "a header naming every column fits a line");

static const char *const col_names[] = {
    "weight", "size", "area", "income", "consumption", "share_food", "share_clothing",
    "share_housing", "share_household_goods", "share_transport", "share_education",
    "share_health", "share_other", "liquidity", "cars", "car1_age", "car2_age", "car1_nev",
    "car2_nev", "car1_emission", "car2_emission", "drivers", "lottery_eligible", "generations",
    "plate_state", "applicants", "plate_months", "id"};
_Static_assert(COUNT(col_names) == NCOL, "one name per column");

sp_microdata_def sp_microdata_def_default(void)
{
    sp_microdata_def d;
    memset(&d, 0, sizeof d);
    d.path = NULL;
    d.year = 2019;
    d.seed = 1;
    return d;
}

static int ignored(const sp_microdata_def *def, const char *name)
{
    for (int k = 0; k < def->nignore; k++)
        if (strcmp(def->ignore[k], name) == 0)
            return 1;
    return 0;
}

/* A parser over the file's text: fields of the current line. */
typedef struct {
    const char *path;
    char *text, *p;    /* whole file; cursor */
    int line;          /* 1-based line of the current record */
    char *field[MAX_FIELDS];
    int nfield;
} csv;

/* Reads the next non-empty, non-comment record; 0 at end of file, -1 on a
 * malformed one (err set). Fields are unquoted in place. */
static int next_record(csv *c, sp_err *err)
{
    for (;;) {
        if (!*c->p)
            return 0;
        c->line++;
        char *s = c->p;
        if (*s == '\n' || *s == '\r' || *s == '#') { /* empty line or comment */
            while (*c->p && *c->p != '\n' && *c->p != '\r')
                c->p++;
            if (*c->p == '\r') /* CR LF, or a CR alone (old Mac files) */
                c->p++;
            if (*c->p == '\n')
                c->p++;
            continue;
        }
        c->nfield = 0;
        char *out = s;
        for (;;) {
            if (c->nfield >= MAX_FIELDS)
                return sp_err_set(err, SP_EINVAL, "%s:%d: more than %d fields", c->path, c->line,
                                  MAX_FIELDS), -1;
            c->field[c->nfield++] = out;
            if (*c->p == '"') { /* quoted field */
                c->p++;
                for (;;) {
                    if (!*c->p)
                        return sp_err_set(err, SP_EINVAL, "%s:%d: unterminated quoted field",
                                          c->path, c->line), -1;
                    if (*c->p == '"' && c->p[1] == '"') {
                        *out++ = '"';
                        c->p += 2;
                    } else if (*c->p == '"') {
                        c->p++;
                        break;
                    } else {
                        if (*c->p == '\n' || (*c->p == '\r' && c->p[1] != '\n'))
                            c->line++;
                        *out++ = *c->p++;
                    }
                }
            } else {
                while (*c->p && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
                    *out++ = *c->p++;
            }
            if (*c->p == ',') {
                c->p++; /* before the terminator: out may sit on the comma */
                *out++ = '\0';
                continue;
            }
            /* The line ends at LF, CR LF or a CR alone. */
            int cr = *c->p == '\r';
            if (cr)
                c->p++;
            if (*c->p && *c->p != '\n' && !cr)
                return sp_err_set(err, SP_EINVAL, "%s:%d: text after a quoted field", c->path,
                                  c->line), -1;
            int more = *c->p == '\n'; /* read before the terminator may overwrite it */
            if (more)
                c->p++;
            *out = '\0';
            return 1;
        }
    }
}

static int number(const csv *c, int col, const char *s, double lo, double hi, double *v, sp_err *err)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (!*s || *end || errno || !isfinite(x))
        return sp_err_set(err, SP_EINVAL, "%s:%d: column '%s': '%s' is not a number", c->path,
                          c->line, col_names[col], s);
    if (x < lo || x > hi)
        return sp_err_set(err, SP_EINVAL, "%s:%d: column '%s': %s is out of range [%g, %g]",
                          c->path, c->line, col_names[col], s, lo, hi);
    *v = x;
    return SP_OK;
}

static int word(const csv *c, int col, const char *s, const char *const *names, int n, int *v,
                sp_err *err)
{
    for (int k = 0; k < n; k++)
        if (strcmp(s, names[k]) == 0) {
            *v = k;
            return SP_OK;
        }
    char list[256] = "";
    for (int k = 0; k < n; k++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", names[k]);
    return sp_err_set(err, SP_EINVAL, "%s:%d: column '%s': unknown value '%s' (valid: %s)", c->path,
                      c->line, col_names[col], s, list);
}

/* Reads the whole file once (a pipe or FIFO cannot be read twice); its
 * length into *lenp. */
static char *slurp(const char *path, size_t *lenp, sp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sp_err_set(err, SP_EIO, "cannot open microdata '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) {
        sp_err_set(err, SP_ENOMEM, "out of memory reading '%s'", path);
        return NULL;
    }
    if (bad) {
        free(buf);
        sp_err_set(err, SP_EIO, "error reading microdata '%s'", path);
        return NULL;
    }
    buf[len] = '\0';
    *lenp = len;
    return buf;
}

/* Refuses a NUL byte (a binary or UTF-16 file would otherwise end early). */
static int check_nul(const char *path, const char *text, size_t len, sp_err *err)
{
    const char *z = memchr(text, '\0', len);
    if (!z)
        return SP_OK;
    int line = 1;
    const char *bol = text;
    for (const char *q = text; q < z; q++)
        if (*q == '\n' || (*q == '\r' && q[1] != '\n')) {
            line++;
            bol = q + 1;
        }
    return sp_err_set(err, SP_EINVAL, "%s:%d: a NUL byte at column %d: microdata must be text "
                      "(UTF-8 or ASCII, not UTF-16 or a binary file)", path, line,
                      (int)(z - bol) + 1);
}


/* The reader's state: the parser over the file's text and the map from the
 * header's fields to columns. */
typedef struct {
    const sp_microdata_def *def;
    csv c;
    int ncols;              /* fields in the header (and every line) */
    int colof[MAX_FIELDS];  /* column of field f */
    int have[NCOL];         /* field of column k, or -1 */
    int nshare;             /* share columns given: 0 or SP_NCAT */
    const char *orig;       /* the text as read (c.text is parsed in place) */
    size_t len;             /* its length */
    size_t start;           /* bytes skipped at the start: a UTF-8 byte order mark */
} reader;

/* Reads the header: every field a known column, once; the required
 * columns present; all eight share columns or none. */
static int read_header(reader *r, sp_err *err)
{
    const char *path = r->def->path;
    csv *c = &r->c;
    for (int k = 0; k < NCOL; k++)
        r->have[k] = -1;
    int rc = next_record(c, err);
    if (rc <= 0)
        return rc == 0 ? sp_err_set(err, SP_EINVAL, "%s: no header line", path) : SP_EINVAL;
    r->ncols = c->nfield;
    for (int f = 0; f < r->ncols; f++) {
        if (ignored(r->def, c->field[f])) {
            r->colof[f] = COL_IGNORED;
            continue;
        }
        int k;
        for (k = 0; k < NCOL && strcmp(c->field[f], col_names[k]) != 0; k++)
            ;
        if (k == NCOL)
            return sp_err_set(err, SP_EINVAL,
                              "%s:%d: unknown column '%s' (columns: id, weight, size, area, income, consumption, "
                              "share_*, liquidity, cars, car1_age, car1_nev, car1_emission, car2_*, drivers, "
                              "lottery_eligible, generations, plate_state, applicants, plate_months; "
                              "ignore = {...} skips others)",
                              path, c->line, c->field[f]);
        if (r->have[k] >= 0)
            return sp_err_set(err, SP_EINVAL, "%s:%d: column '%s' appears twice", path, c->line,
                              col_names[k]);
        r->have[k] = f;
        r->colof[f] = k;
    }
    for (int g = 0; g < r->def->nignore; g++) {
        const char *name = r->def->ignore[g];
        int found = 0;
        for (int f = 0; f < r->ncols && !found; f++)
            found = strcmp(c->field[f], name) == 0;
        if (!found)
            return sp_err_set(err, SP_EINVAL, "%s: ignore: the file has no column '%s'", path, name);
        for (int k = COL_WEIGHT; k <= COL_CONSUMPTION; k++)
            if (strcmp(name, col_names[k]) == 0)
                return sp_err_set(err, SP_EINVAL, "%s: ignore: '%s' is a required column", path, name);
    }
    for (int k = COL_WEIGHT; k <= COL_CONSUMPTION; k++)
        if (r->have[k] < 0)
            return sp_err_set(err, SP_EINVAL, "%s: the required column '%s' is missing", path,
                              col_names[k]);
    r->nshare = 0;
    for (int k = 0; k < SP_NCAT; k++)
        r->nshare += r->have[COL_SHARE0 + k] >= 0;
    if (r->nshare != 0 && r->nshare != SP_NCAT) {
        for (int k = 0; k < SP_NCAT; k++)
            if (r->have[COL_SHARE0 + k] < 0)
                return sp_err_set(err, SP_EINVAL,
                                  "%s: give all eight share columns or none ('%s' is missing)", path,
                                  col_names[COL_SHARE0 + k]);
    }
    return SP_OK;
}

/* Counts the households after the header, then rewinds to the first one:
 * the counting pass unquoted the fields in place, so the text is restored
 * from the reader's pristine copy. */
static int count_households(reader *r, size_t *n, sp_err *err)
{
    int rc;
    *n = 0;
    while ((rc = next_record(&r->c, err)) > 0)
        (*n)++;
    if (rc < 0)
        return SP_EINVAL;
    if (*n == 0)
        return sp_err_set(err, SP_EINVAL, "%s: no households after the header", r->def->path);
    memcpy(r->c.text, r->orig, r->len + 1);
    r->c.p = r->c.text + r->start;
    r->c.line = 0;
    if (next_record(&r->c, err) <= 0) /* the header again */
        return SP_EINVAL;
    return SP_OK;
}

/* A household id: a whole number in the range of int64 (survey ids). */
static int whole_id(const csv *c, const char *s, int64_t *id, sp_err *err)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    while (*end == ' ')
        end++;
    if (!*s || *end || errno)
        return sp_err_set(err, SP_EINVAL, "%s:%d: column 'id': '%s' is not a whole number "
                          "(-9223372036854775808 .. 9223372036854775807)", c->path, c->line, s);
    *id = (int64_t)x;
    return SP_OK;
}

/* Column k is a count or a 0/1 flag: whole numbers only. */
static int whole_column(int k)
{
    return k == COL_SIZE || k == COL_CARS || k == COL_DRIVERS || k == COL_APPLICANTS ||
           k == COL_GENERATIONS || k == COL_CAR1_NEV || k == COL_CAR2_NEV || k == COL_ELIGIBLE ||
           k == COL_CAR1_EMISSION || k == COL_CAR2_EMISSION;
}

/* Reads the next household's fields into v (numbers) and word_v (words),
 * the defaults of the absent and empty optional columns in place. */
static int parse_household(reader *r, double v[NCOL], int word_v[NCOL], int64_t *id, sp_err *err)
{
    static const char *const areas[] = {"urban", "rural", "1", "0"};
    static const char *const liq[] = {"poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm"};
    static const char *const plates[] = {"none", "lottery", "nev_queue"};
    _Static_assert(COUNT(liq) == SP_NLIQ, "one name per liquidity type, in code order");
    _Static_assert(SP_PLATE_NONE == 0 && SP_PLATE_LOTTERY == 1 && SP_PLATE_NEV_QUEUE == 2,
                   "a plate_state word's index is its SP_PLATE_* code");
    const char *path = r->def->path;
    csv *c = &r->c;
    if (next_record(c, err) <= 0)
        return SP_EINVAL;
    if (c->nfield != r->ncols)
        return sp_err_set(err, SP_EINVAL, "%s:%d: %d fields, the header has %d", path, c->line,
                          c->nfield, r->ncols);
    for (int k = 0; k < NCOL; k++)
        v[k] = 0, word_v[k] = -1;
    v[COL_ELIGIBLE] = 1;
    v[COL_GENERATIONS] = 1;
    v[COL_DRIVERS] = -1;
    v[COL_APPLICANTS] = -1;
    v[COL_CAR1_EMISSION] = v[COL_CAR2_EMISSION] = -1;
    v[COL_CAR1_AGE] = v[COL_CAR2_AGE] = -1;
    for (int f = 0; f < r->ncols; f++) {
        int k = r->colof[f];
        if (k == COL_IGNORED)
            continue;
        const char *s = c->field[f];
        int rc = SP_OK;
        if (!s[0]) { /* an empty optional field takes its default */
            if (k <= COL_CONSUMPTION || k == COL_ID)
                return sp_err_set(err, SP_EINVAL, "%s:%d: the required column '%s' is empty", path,
                                  c->line, col_names[k]);
            continue;
        }
        switch (k) {
        case COL_AREA: rc = word(c, k, s, areas, (int)COUNT(areas), &word_v[k], err); break;
        case COL_LIQUIDITY: rc = word(c, k, s, liq, (int)COUNT(liq), &word_v[k], err); break;
        case COL_PLATE_STATE: rc = word(c, k, s, plates, (int)COUNT(plates), &word_v[k], err); break;
        case COL_WEIGHT: rc = number(c, k, s, 1e-9, 1e12, &v[k], err); break;
        case COL_SIZE: rc = number(c, k, s, 1, 20, &v[k], err); break;
        case COL_INCOME:
        case COL_CONSUMPTION: rc = number(c, k, s, 0, 1e10, &v[k], err); break;
        case COL_CARS: rc = number(c, k, s, 0, SP_MAX_CARS, &v[k], err); break;
        case COL_CAR1_AGE:
        case COL_CAR2_AGE: rc = number(c, k, s, 0, 1200, &v[k], err); break;
        case COL_CAR1_NEV:
        case COL_CAR2_NEV:
        case COL_ELIGIBLE: rc = number(c, k, s, 0, 1, &v[k], err); break;
        case COL_CAR1_EMISSION:
        case COL_CAR2_EMISSION: rc = number(c, k, s, 2, 6, &v[k], err); break;
        case COL_DRIVERS:
        case COL_APPLICANTS: rc = number(c, k, s, 0, 20, &v[k], err); break;
        case COL_GENERATIONS: rc = number(c, k, s, 1, 3, &v[k], err); break;
        case COL_PLATE_MONTHS: rc = number(c, k, s, 0, 65535, &v[k], err); break;
        case COL_ID: rc = whole_id(c, s, id, err); break;
        default: rc = number(c, k, s, 0, 1, &v[k], err); break; /* shares */
        }
        if (rc != SP_OK)
            return rc;
        if (k != COL_AREA && k != COL_LIQUIDITY && k != COL_PLATE_STATE && k != COL_ID && v[k] != floor(v[k]) &&
            whole_column(k))
            return sp_err_set(err, SP_EINVAL, "%s:%d: column '%s': %s must be a whole number", path,
                              c->line, col_names[k], s);
    }
    return SP_OK;
}

/* Stores household i from its parsed fields; its given shares (when the
 * file has them) go to share[i * SP_NCAT ..], renormalised. */
static int store_household(const reader *r, sp_population *pop, size_t i, const double v[NCOL],
                           const int word_v[NCOL], double *share, sp_err *err)
{
    const char *path = r->def->path;
    const int line = r->c.line, base_month = pop->base_month;
    pop->weight[i] = (float)v[COL_WEIGHT];
    pop->size[i] = (uint8_t)v[COL_SIZE];
    pop->area[i] = (uint8_t)(word_v[COL_AREA] == 0 || word_v[COL_AREA] == 2 ? SP_AREA_URBAN
                                                                           : SP_AREA_RURAL);
    pop->income[i] = (float)v[COL_INCOME];
    pop->consumption[i] = (float)v[COL_CONSUMPTION];
    pop->liquidity[i] = (uint8_t)(word_v[COL_LIQUIDITY] >= 0 ? word_v[COL_LIQUIDITY] : LIQ_UNSET);
    int nc = (int)v[COL_CARS];
    pop->state.ncars[i] = (uint8_t)nc;
    for (int k = 0; k < nc; k++) {
        double age = v[COL_CAR1_AGE + k];
        if (age < 0)
            return sp_err_set(err, SP_EINVAL, "%s:%d: %d car%s but no '%s'", path, line, nc,
                              nc == 1 ? "" : "s", col_names[COL_CAR1_AGE + k]);
        pop->state.car_age[k][i] = (uint16_t)age;
        int year = sp_month_year(base_month - (int)age);
        unsigned em = v[COL_CAR1_EMISSION + k] >= 2 ? (unsigned)v[COL_CAR1_EMISSION + k]
                                                     : sp_emission_of_year(year);
        pop->state.car_kind[k][i] = (uint8_t)(v[COL_CAR1_NEV + k] > 0 ? SP_CAR_KIND_NEV : em);
    }
    int dr = v[COL_DRIVERS] >= 0 ? (int)v[COL_DRIVERS] : (nc > 0 ? nc : 1);
    pop->drivers[i] = (uint8_t)dr;
    pop->eligible[i] = (uint8_t)v[COL_ELIGIBLE];
    pop->generations[i] = (uint8_t)v[COL_GENERATIONS];
    int ps = word_v[COL_PLATE_STATE] >= 0 ? word_v[COL_PLATE_STATE] : SP_PLATE_NONE;
    pop->state.plate_state[i] = (uint8_t)ps;
    pop->state.applicants[i] =
        (uint8_t)(ps == SP_PLATE_NONE ? 0 : (v[COL_APPLICANTS] >= 1 ? v[COL_APPLICANTS] : 1));
    pop->state.plate_months[i] = (uint16_t)v[COL_PLATE_MONTHS];
    if (r->nshare) {
        double sum = 0;
        for (int k = 0; k < SP_NCAT; k++)
            sum += share[i * SP_NCAT + k] = v[COL_SHARE0 + k];
        if (fabs(sum - 1.0) > 0.01)
            return sp_err_set(err, SP_EINVAL, "%s:%d: the eight shares sum to %g, not 1", path, line,
                              sum);
        for (int k = 0; k < SP_NCAT; k++)
            share[i * SP_NCAT + k] /= sum;
    }
    return SP_OK;
}

/* What the file left out: quintiles and ranks; liquidity types not given,
 * drawn by the Beijing rule with the Beijing generator's (CHFS) shares;
 * category shares, the file's or Engel curves with the Beijing generator's
 * default slopes calibrated to the 2018 composition. */
static int complete(const reader *r, sp_population *pop, const double *share, double *mid,
                    sp_err *err)
{
    const size_t n = pop->n;
    int rc = sp_population_rank(pop, mid, NULL, err);
    if (rc != SP_OK)
        return rc;
    const sp_beijing_def beijing = sp_beijing_def_default();
    sp_rng_key key = sp_rng_key_make(r->def->seed, SP_RNG_POPULATION_REPLICATE);
    for (size_t i = 0; i < n; i++)
        if (pop->liquidity[i] == LIQ_UNSET) {
            uint32_t w[4];
            sp_rng_words(key, (uint32_t)i, 0, SP_PURPOSE_POPULATION, DRAW_LIQUIDITY, w);
            pop->liquidity[i] = (uint8_t)sp_liquidity_of_rank(mid[i], beijing.liquidity_share,
                                                              sp_u01(w[0]), sp_u01(w[1]));
        }
    if (r->nshare) {
        for (int k = 0; k < SP_NCAT; k++)
            pop->engel_b[k] = 0; /* shares are given, not a curve */
        for (size_t i = 0; i < n; i++)
            sp_population_set_shares(pop, i, share + i * SP_NCAT);
    } else {
        double target[SP_NCAT];
        for (int k = 0; k < SP_NCAT; k++)
            target[k] = sp_category_share_2018(k);
        return sp_population_calibrate_engel(pop, beijing.engel_slope, target, err);
    }
    return SP_OK;
}

/* Checks def; SP_OK or SP_EINVAL with err. */
static int check_def(const sp_microdata_def *def, sp_err *err)
{
    if (!def || !def->path || !def->path[0])
        return sp_err_set(err, SP_EINVAL, "microdata needs a file path");
    if (def->year < 2000 || def->year > 2100)
        return sp_err_set(err, SP_EINVAL, "microdata year must be 2000..2100, got %d", def->year);
    return SP_OK;
}

static sp_population *parse(const sp_microdata_def *def, const char *orig, size_t len, char *text,
                            sp_err *err);

/* Reads the text orig (len bytes, NUL-terminated; owned and freed here). */
static sp_population *read_owned(const sp_microdata_def *def, char *orig, size_t len, sp_err *err)
{
    sp_population *pop = NULL;
    if (check_nul(def->path, orig, len, err) == SP_OK) {
        char *text = malloc(len + 1);
        if (text) {
            memcpy(text, orig, len + 1);
            pop = parse(def, orig, len, text, err);
        } else {
            sp_err_set(err, SP_ENOMEM, "out of memory reading '%s'", def->path);
        }
    }
    free(orig);
    return pop;
}

sp_population *sp_microdata_read(const sp_microdata_def *def, sp_err *err)
{
    sp_init();
    if (check_def(def, err) != SP_OK)
        return NULL;
    size_t len = 0;
    char *orig = slurp(def->path, &len, err);
    return orig ? read_owned(def, orig, len, err) : NULL;
}

sp_population *sp_microdata_read_text(const sp_microdata_def *def, const char *data, size_t len,
                                      sp_err *err)
{
    sp_init();
    if (check_def(def, err) != SP_OK)
        return NULL;
    char *orig = malloc(len + 1);
    if (!orig) {
        sp_err_set(err, SP_ENOMEM, "out of memory reading '%s'", def->path);
        return NULL;
    }
    memcpy(orig, data, len);
    orig[len] = '\0';
    return read_owned(def, orig, len, err);
}

/* Parses text (a copy of orig, len bytes; freed here) into a population. */
static sp_population *parse(const sp_microdata_def *def, const char *orig, size_t len, char *text,
                            sp_err *err)
{
    size_t start = len >= 3 && memcmp(orig, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* a BOM */
    reader r = {def, {def->path, text, text + start, 0, {0}, 0}, 0, {0}, {0}, 0, orig, len, start};
    sp_population *pop = NULL;
    double *share = NULL, *mid = NULL;
    size_t n = 0;
    if (read_header(&r, err) != SP_OK || count_households(&r, &n, err) != SP_OK)
        goto fail;
    pop = sp_population_alloc(n, err);
    share = calloc(n * SP_NCAT, sizeof *share);
    mid = calloc(n, sizeof *mid);
    if (!pop || !share || !mid) {
        if (pop)
            sp_err_set(err, SP_ENOMEM, "out of memory for %zu households", n);
        goto fail;
    }
    pop->base_year = def->year;
    pop->base_month = sp_month_make(def->year, 12);
    if (r.have[COL_ID] >= 0 && !(pop->id = malloc(n * sizeof *pop->id))) {
        sp_err_set(err, SP_ENOMEM, "out of memory for %zu households", n);
        goto fail;
    }
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        double v[NCOL];
        int word_v[NCOL];
        int64_t id = (int64_t)i + 1;
        if (parse_household(&r, v, word_v, &id, err) != SP_OK ||
            store_household(&r, pop, i, v, word_v, share, err) != SP_OK)
            goto fail;
        if (pop->id)
            pop->id[i] = id;
        total += v[COL_WEIGHT];
    }
    pop->total_weight = total;
    const char *slash = strrchr(def->path, '/');
    snprintf(pop->label, sizeof pop->label, "microdata %s (%d): %zu households for %.0f",
             slash ? slash + 1 : def->path, def->year, n, total);
    if (complete(&r, pop, share, mid, err) != SP_OK)
        goto fail;
    free(r.c.text);
    free(share);
    free(mid);
    return pop;
fail:
    free(r.c.text);
    free(share);
    free(mid);
    sp_population_free(pop);
    return NULL;
}

/* ---- writing: the microdata format, a template for users' own data ---- */

static int write_households(FILE *out, const void *ctx, sp_err *err)
{
    static const char *const liq[] = {"poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm"};
    static const char *const plates[] = {"none", "lottery", "nev_queue"};
    const sp_population *pop = ctx;
    (void)err;
    fprintf(out, "# %s\n", pop->label);
    fprintf(out, "id,weight,size,area,income,consumption");
    for (int c = 0; c < SP_NCAT; c++)
        fprintf(out, ",%s", col_names[COL_SHARE0 + c]);
    fprintf(out, ",liquidity,cars,car1_age,car2_age,car1_nev,car2_nev,car1_emission,car2_emission,"
                 "drivers,lottery_eligible,generations,plate_state,applicants,plate_months\n");
    for (size_t i = 0; i < pop->n; i++) {
        /* %.9g: a float prints and reads back exactly */
        fprintf(out, "%lld,%.9g,%d,%s,%.9g,%.9g", pop->id ? (long long)pop->id[i] : (long long)i + 1,
                (double)pop->weight[i], pop->size[i],
                pop->area[i] == SP_AREA_URBAN ? "urban" : "rural", (double)pop->income[i],
                (double)pop->consumption[i]);
        for (int c = 0; c < SP_NCAT; c++) /* k / 2^16: %.17g is exact */
            fprintf(out, ",%.17g", sp_population_share(pop, i, c));
        int nc = pop->state.ncars[i];
        fprintf(out, ",%s,%d", liq[pop->liquidity[i] % SP_NLIQ], nc);
        for (int k = 0; k < SP_MAX_CARS; k++)
            k < nc ? fprintf(out, ",%d", pop->state.car_age[k][i]) : fprintf(out, ",");
        for (int k = 0; k < SP_MAX_CARS; k++)
            k < nc ? fprintf(out, ",%d", (pop->state.car_kind[k][i] & SP_CAR_NEV) ? 1 : 0)
                   : fprintf(out, ",");
        for (int k = 0; k < SP_MAX_CARS; k++)
            k < nc ? fprintf(out, ",%u", SP_CAR_EMISSION(pop->state.car_kind[k][i])) : fprintf(out, ",");
        int ps = pop->state.plate_state[i];
        fprintf(out, ",%d,%d,%d,%s,%d,%d\n", pop->drivers[i], pop->eligible[i] ? 1 : 0,
                pop->generations[i], plates[ps <= SP_PLATE_NEV_QUEUE ? ps : 0],
                ps == SP_PLATE_LOTTERY || ps == SP_PLATE_NEV_QUEUE ? pop->state.applicants[i] : 0,
                ps == SP_PLATE_LOTTERY || ps == SP_PLATE_NEV_QUEUE ? pop->state.plate_months[i] : 0);
    }
    return SP_OK;
}

int sp_microdata_write(const sp_population *pop, const char *path, sp_err *err)
{
    if (!pop || !path || !path[0])
        return sp_err_set(err, SP_EINVAL, "writing microdata needs a population and a path");
    for (size_t i = 0; i < pop->n; i++)
        if (pop->state.plate_state[i] == SP_PLATE_WON)
            return sp_err_set(err, SP_EINVAL, "household %zu holds a plate quota, which the microdata "
                              "format cannot record", i + 1);
    return sp_atomic_write(path, write_households, pop, err);
}
