/* spop.c: saved populations (spop.h): the column file, its checksum, and
 * loading by a read-only mapping. */
#define _POSIX_C_SOURCE 200809L

#include "spop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "version.h"
#include "writers/writers.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char MAGIC[8] = {'S', 'P', 'E', 'N', 'D', 'P', 'O', 'P'};
#define BYTE_ORDER_MARK 0x01020304u
#define ALIGN 64
#define ENTRY_BYTES 64
#define NAME_BYTES 32

/* Header fields: byte offsets. */
enum {
    H_MAGIC = 0, H_VERSION = 8, H_BYTE_ORDER = 12, H_HOUSEHOLDS = 16, H_FILE_BYTES = 24,
    H_CHECKSUM = 32, H_NCOLUMNS = 40, H_BASE_YEAR = 44, H_BASE_MONTH = 48,
    H_TOTAL_WEIGHT = 56, H_ENGEL_A = 64, H_ENGEL_B = H_ENGEL_A + 8 * SP_NCAT,
    H_ENGEL_LNREF = H_ENGEL_B + 8 * SP_NCAT, H_LABEL = H_ENGEL_LNREF + 8,
    H_PROVENANCE = H_LABEL + 160, H_MPC_GIVEN = H_PROVENANCE + SP_SPOP_PROVENANCE,
    H_MPC_TYPE = H_MPC_GIVEN + 4, H_MPC_QUINTILE = H_MPC_TYPE + 4 * SP_NLIQ,
    H_END = H_MPC_QUINTILE + 4 * SP_NQUINTILE
};
_Static_assert((int)H_END <= (int)SP_SPOP_HEADER_BYTES, "the header fields fit the header");
_Static_assert(sizeof(((sp_population *)0)->label) == 160, "the label field holds a population's label");

/* ---- XXH64 ---- */

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t rd64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t round64(uint64_t acc, uint64_t in) { return rotl(acc + in * P2, 31) * P1; }
static inline uint64_t merge64(uint64_t acc, uint64_t v) { return (acc ^ round64(0, v)) * P1 + P4; }

uint64_t sp_xxh64(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data, *end = p + n;
    uint64_t h;
    if (n >= 32) {
        uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
        const unsigned char *limit = end - 32;
        do {
            v1 = round64(v1, rd64(p));
            v2 = round64(v2, rd64(p + 8));
            v3 = round64(v3, rd64(p + 16));
            v4 = round64(v4, rd64(p + 24));
            p += 32;
        } while (p <= limit);
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = merge64(h, v1);
        h = merge64(h, v2);
        h = merge64(h, v3);
        h = merge64(h, v4);
    } else {
        h = seed + P5;
    }
    h += (uint64_t)n;
    for (; p + 8 <= end; p += 8)
        h = rotl(h ^ round64(0, rd64(p)), 27) * P1 + P4;
    if (p + 4 <= end) {
        h = rotl(h ^ (uint64_t)rd32(p) * P1, 23) * P2 + P3;
        p += 4;
    }
    for (; p < end; p++)
        h = rotl(h ^ (uint64_t)*p * P5, 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

/* ---- the columns of version 1 ---- */

typedef struct {
    const char *name;
    uint32_t elem;     /* bytes per element */
    uint32_t per;      /* elements per household */
    int state;         /* 1: a column of the initial dynamic state (copied on load) */
    int optional;      /* 1: present only when the population has it (id) */
} column;

enum {
    C_ID, C_WEIGHT, C_INCOME, C_CONSUMPTION, C_SIZE, C_AREA, C_LIQUIDITY, C_QUINTILE, C_RANKS,
    C_DRIVERS, C_ELIGIBLE, C_GENERATIONS, C_SHARES,
    C_NCARS, C_CAR_AGE0, C_CAR_AGE1, C_CAR_KIND0, C_CAR_KIND1, C_PLATE_STATE, C_APPLICANTS,
    C_PLATE_MONTHS, C_DEFERRED, C_DEFERRED_MASK, C_PENDING, C_PENDING_MONTHS, C_CAR_COST,
    C_CAR_PAY, C_CAR_PAY_MONTHS, NCOLUMN
};

static const column columns[] = {
    {"id", 8, 1, 0, 1},           {"weight", 4, 1, 0, 0},        {"income", 4, 1, 0, 0},
    {"consumption", 4, 1, 0, 0},  {"size", 1, 1, 0, 0},          {"area", 1, 1, 0, 0},
    {"liquidity", 1, 1, 0, 0},    {"quintile", 1, 1, 0, 0},      {"ranks", 1, 1, 0, 0},
    {"drivers", 1, 1, 0, 0},      {"eligible", 1, 1, 0, 0},      {"generations", 1, 1, 0, 0},
    {"shares", 2, SP_NCAT, 0, 0}, {"ncars", 1, 1, 1, 0},         {"car1_age", 2, 1, 1, 0},
    {"car2_age", 2, 1, 1, 0},     {"car1_kind", 1, 1, 1, 0},     {"car2_kind", 1, 1, 1, 0},
    {"plate_state", 1, 1, 1, 0},  {"applicants", 1, 1, 1, 0},    {"plate_months", 2, 1, 1, 0},
    {"deferred", 4, 1, 1, 0},     {"deferred_mask", 1, 1, 1, 0}, {"pending", 4, 1, 1, 0},
    {"pending_months", 1, 1, 1, 0}, {"car_cost", 2, 1, 1, 0},    {"car_pay", 2, 1, 1, 0},
    {"car_pay_months", 1, 1, 1, 0}};
_Static_assert(COUNT(columns) == NCOLUMN, "one entry per column");
_Static_assert(SP_MAX_CARS == 2, "the car columns are car 1 and car 2");

/* The memory of column k of a population (NULL: an absent optional column). */
static void *column_data(const sp_population *p, int k)
{
    const sp_hstate *s = &p->state;
    switch (k) {
    case C_ID: return p->id;
    case C_WEIGHT: return p->weight;
    case C_INCOME: return p->income;
    case C_CONSUMPTION: return p->consumption;
    case C_SIZE: return p->size;
    case C_AREA: return p->area;
    case C_LIQUIDITY: return p->liquidity;
    case C_QUINTILE: return p->quintile;
    case C_RANKS: return p->ranks;
    case C_DRIVERS: return p->drivers;
    case C_ELIGIBLE: return p->eligible;
    case C_GENERATIONS: return p->generations;
    case C_SHARES: return p->shares;
    case C_NCARS: return s->ncars;
    case C_CAR_AGE0: return s->car_age[0];
    case C_CAR_AGE1: return s->car_age[1];
    case C_CAR_KIND0: return s->car_kind[0];
    case C_CAR_KIND1: return s->car_kind[1];
    case C_PLATE_STATE: return s->plate_state;
    case C_APPLICANTS: return s->applicants;
    case C_PLATE_MONTHS: return s->plate_months;
    case C_DEFERRED: return s->deferred;
    case C_DEFERRED_MASK: return s->deferred_mask;
    case C_PENDING: return s->pending;
    case C_PENDING_MONTHS: return s->pending_months;
    case C_CAR_COST: return s->car_cost;
    case C_CAR_PAY: return s->car_pay;
    default: return s->car_pay_months;
    }
}

/* Points static column k of p at data (inside the mapping). */
static void set_static(sp_population *p, int k, void *data)
{
    switch (k) {
    case C_ID: p->id = data; break;
    case C_WEIGHT: p->weight = data; break;
    case C_INCOME: p->income = data; break;
    case C_CONSUMPTION: p->consumption = data; break;
    case C_SIZE: p->size = data; break;
    case C_AREA: p->area = data; break;
    case C_LIQUIDITY: p->liquidity = data; break;
    case C_QUINTILE: p->quintile = data; break;
    case C_RANKS: p->ranks = data; break;
    case C_DRIVERS: p->drivers = data; break;
    case C_ELIGIBLE: p->eligible = data; break;
    case C_GENERATIONS: p->generations = data; break;
    default: p->shares = data; break;
    }
}

static uint64_t round_up(uint64_t x) { return (x + ALIGN - 1) / ALIGN * ALIGN; }

static void put32(unsigned char *h, int at, uint32_t v) { memcpy(h + at, &v, 4); }
static void put64(unsigned char *h, int at, uint64_t v) { memcpy(h + at, &v, 8); }
static void putd(unsigned char *h, int at, double v) { memcpy(h + at, &v, 8); }
static uint32_t get32(const unsigned char *h, int at) { uint32_t v; memcpy(&v, h + at, 4); return v; }
static uint64_t get64(const unsigned char *h, int at) { uint64_t v; memcpy(&v, h + at, 8); return v; }
static double getd(const unsigned char *h, int at) { double v; memcpy(&v, h + at, 8); return v; }

/* The checksum: XXH64 chained over the header before its checksum field,
 * the rest of the header and the column table (meta bytes in all), then each
 * column's data in table order. */
static uint64_t checksum(const unsigned char *meta, size_t meta_bytes, const void *const *data,
                         const uint64_t *bytes, int ncol)
{
    uint64_t h = sp_xxh64(meta, H_CHECKSUM, 0);
    h = sp_xxh64(meta + H_CHECKSUM + 8, meta_bytes - H_CHECKSUM - 8, h);
    for (int c = 0; c < ncol; c++)
        h = sp_xxh64(data[c], (size_t)bytes[c], h);
    return h;
}

/* ---- saving ---- */

typedef struct {
    const unsigned char *meta;
    size_t meta_bytes;
    const void *data[NCOLUMN];
    uint64_t bytes[NCOLUMN];
    int ncol;
} save_ctx;

static int write_file(FILE *out, const void *vctx, sp_err *err)
{
    const save_ctx *c = vctx;
    static const unsigned char zero[ALIGN];
    (void)err;
    if (fwrite(c->meta, 1, c->meta_bytes, out) != c->meta_bytes)
        return SP_EIO;
    for (int k = 0; k < c->ncol; k++) {
        if (c->bytes[k] && fwrite(c->data[k], 1, (size_t)c->bytes[k], out) != c->bytes[k])
            return SP_EIO;
        size_t pad = (size_t)(round_up(c->bytes[k]) - c->bytes[k]);
        if (pad && fwrite(zero, 1, pad, out) != pad)
            return SP_EIO;
    }
    return SP_OK;
}

int sp_spop_save(const sp_population *pop, const char *path, const char *provenance, sp_err *err)
{
    if (!pop || !path || !path[0])
        return sp_err_set(err, SP_EINVAL, "saving a population needs a population and a path");
    save_ctx c;
    memset(&c, 0, sizeof c);
    int ids[NCOLUMN];
    for (int k = 0; k < NCOLUMN; k++) {
        if (columns[k].optional && !column_data(pop, k))
            continue;
        ids[c.ncol] = k;
        c.data[c.ncol] = column_data(pop, k);
        c.bytes[c.ncol] = (uint64_t)pop->n * columns[k].elem * columns[k].per;
        c.ncol++;
    }
    size_t meta_bytes = (size_t)round_up(SP_SPOP_HEADER_BYTES + (uint64_t)c.ncol * ENTRY_BYTES);
    unsigned char *meta = calloc(1, meta_bytes);
    if (!meta)
        return sp_err_set(err, SP_ENOMEM, "out of memory saving the population to '%s'", path);
    memcpy(meta + H_MAGIC, MAGIC, sizeof MAGIC);
    put32(meta, H_VERSION, SP_SPOP_VERSION);
    put32(meta, H_BYTE_ORDER, BYTE_ORDER_MARK);
    put64(meta, H_HOUSEHOLDS, pop->n);
    put32(meta, H_NCOLUMNS, (uint32_t)c.ncol);
    put32(meta, H_BASE_YEAR, (uint32_t)pop->base_year);
    put32(meta, H_BASE_MONTH, (uint32_t)pop->base_month);
    putd(meta, H_TOTAL_WEIGHT, pop->total_weight);
    for (int k = 0; k < SP_NCAT; k++) {
        putd(meta, H_ENGEL_A + 8 * k, pop->engel_a[k]);
        putd(meta, H_ENGEL_B + 8 * k, pop->engel_b[k]);
    }
    putd(meta, H_ENGEL_LNREF, pop->engel_lnref);
    put32(meta, H_MPC_GIVEN, (uint32_t)(pop->mpc_given != 0));
    memcpy(meta + H_MPC_TYPE, pop->mpc_type, 4 * SP_NLIQ);
    memcpy(meta + H_MPC_QUINTILE, pop->mpc_quintile, 4 * SP_NQUINTILE);
    snprintf((char *)meta + H_LABEL, 160, "%s", pop->label);
    const char *how = provenance ? provenance : pop->provenance;
    char saved[96];
    snprintf(saved, sizeof saved, "saved by spendsim %s (git %s)", SP_VERSION, SP_GIT_REV);
    int room = SP_SPOP_PROVENANCE - 1 - (int)strlen(saved) - 2; /* the text, "; ", the version */
    if (how[0])
        snprintf((char *)meta + H_PROVENANCE, SP_SPOP_PROVENANCE, "%.*s; %s", room, how, saved);
    else
        memcpy(meta + H_PROVENANCE, saved, strlen(saved) + 1);
    uint64_t off = meta_bytes;
    for (int e = 0; e < c.ncol; e++) {
        const column *col = &columns[ids[e]];
        unsigned char *t = meta + SP_SPOP_HEADER_BYTES + (size_t)e * ENTRY_BYTES;
        snprintf((char *)t, NAME_BYTES, "%s", col->name);
        put32(t, NAME_BYTES, col->elem);
        put32(t, NAME_BYTES + 4, col->per);
        put64(t, NAME_BYTES + 8, off);
        put64(t, NAME_BYTES + 16, c.bytes[e]);
        off += round_up(c.bytes[e]);
    }
    put64(meta, H_FILE_BYTES, off);
    put64(meta, H_CHECKSUM, checksum(meta, meta_bytes, c.data, c.bytes, c.ncol));
    c.meta = meta;
    c.meta_bytes = meta_bytes;
    int rc = sp_atomic_write(path, write_file, &c, err);
    free(meta);
    return rc;
}

/* ---- loading ---- */

void sp_spop_unmap(void *map, size_t bytes)
{
    if (map)
        munmap(map, bytes);
}

static sp_population *load_fail(void *map, size_t bytes, sp_population *pop)
{
    if (pop) {
        sp_hstate_release(&pop->state);
        free(pop);
    }
    sp_spop_unmap(map, bytes);
    return NULL;
}

sp_population *sp_spop_load(const char *path, sp_err *err)
{
    sp_init();
    if (!path || !path[0]) {
        sp_err_set(err, SP_EINVAL, "loading a population needs a file path");
        return NULL;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        sp_err_set(err, SP_EIO, "cannot open population file '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        sp_err_set(err, SP_EIO, "population file '%s' is not a regular file", path);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    if (size < sizeof MAGIC) {
        close(fd);
        sp_err_set(err, SP_EINVAL, "'%s' is not a spendsim population file (%zu bytes)", path, size);
        return NULL;
    }
    unsigned char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        sp_err_set(err, SP_EIO, "cannot map population file '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (memcmp(m + H_MAGIC, MAGIC, sizeof MAGIC) != 0) {
        sp_err_set(err, SP_EINVAL, "'%s' is not a spendsim population file (wrong magic)", path);
        return load_fail(m, size, NULL);
    }
    if (size < SP_SPOP_HEADER_BYTES) {
        sp_err_set(err, SP_EINVAL, "population file '%s' is truncated: %zu bytes, shorter than its header",
                   path, size);
        return load_fail(m, size, NULL);
    }
    uint32_t version = get32(m, H_VERSION);
    if (version != SP_SPOP_VERSION) {
        sp_err_set(err, SP_EINVAL,
                   "population file '%s' has format version %u; this spendsim reads version %d "
                   "(save the population again with this version)", path, version, SP_SPOP_VERSION);
        return load_fail(m, size, NULL);
    }
    if (get32(m, H_BYTE_ORDER) != BYTE_ORDER_MARK) {
        sp_err_set(err, SP_EINVAL, "population file '%s' was written with the other byte order", path);
        return load_fail(m, size, NULL);
    }
    uint64_t n = get64(m, H_HOUSEHOLDS), file_bytes = get64(m, H_FILE_BYTES);
    uint32_t ncol = get32(m, H_NCOLUMNS);
    if (file_bytes != size) {
        sp_err_set(err, SP_EINVAL, "population file '%s' is %s: %zu bytes, its header says %llu", path,
                   size < file_bytes ? "truncated" : "longer than written", size,
                   (unsigned long long)file_bytes);
        return load_fail(m, size, NULL);
    }
    if (ncol > NCOLUMN || n > (uint64_t)SIZE_MAX / 64 ||
        SP_SPOP_HEADER_BYTES + (uint64_t)ncol * ENTRY_BYTES > size) {
        sp_err_set(err, SP_EINVAL, "population file '%s': a corrupt header (%u columns, %llu households)",
                   path, ncol, (unsigned long long)n);
        return load_fail(m, size, NULL);
    }
    size_t meta_bytes = (size_t)round_up(SP_SPOP_HEADER_BYTES + (uint64_t)ncol * ENTRY_BYTES);
    const void *data[NCOLUMN];
    uint64_t bytes[NCOLUMN];
    int which[NCOLUMN], seen[NCOLUMN] = {0};
    for (uint32_t e = 0; e < ncol; e++) {
        const unsigned char *t = m + SP_SPOP_HEADER_BYTES + (size_t)e * ENTRY_BYTES;
        char name[NAME_BYTES + 1];
        memcpy(name, t, NAME_BYTES);
        name[NAME_BYTES] = '\0';
        int k = 0;
        while (k < NCOLUMN && strcmp(columns[k].name, name) != 0)
            k++;
        uint64_t off = get64(t, NAME_BYTES + 8), len = get64(t, NAME_BYTES + 16);
        if (k == NCOLUMN || seen[k] || get32(t, NAME_BYTES) != columns[k].elem ||
            get32(t, NAME_BYTES + 4) != columns[k].per ||
            len != n * columns[k].elem * columns[k].per || off % ALIGN || off < meta_bytes ||
            off > size || round_up(len) > size - off) {
            sp_err_set(err, SP_EINVAL, "population file '%s': column %u ('%.32s') does not match format "
                       "version %d", path, e + 1, name, SP_SPOP_VERSION);
            return load_fail(m, size, NULL);
        }
        for (uint64_t z = len; z < round_up(len); z++)
            if (m[off + z]) {
                sp_err_set(err, SP_EINVAL, "population file '%s': checksum mismatch (the padding of "
                           "column '%s' is not zero): the file is corrupt", path, columns[k].name);
                return load_fail(m, size, NULL);
            }
        seen[k] = 1;
        which[e] = k;
        data[e] = m + off;
        bytes[e] = len;
    }
    for (int k = 0; k < NCOLUMN; k++)
        if (!seen[k] && !columns[k].optional) {
            sp_err_set(err, SP_EINVAL, "population file '%s' has no column '%s'", path, columns[k].name);
            return load_fail(m, size, NULL);
        }
    uint64_t want = get64(m, H_CHECKSUM), got = checksum(m, meta_bytes, data, bytes, (int)ncol);
    if (want != got) {
        sp_err_set(err, SP_EINVAL, "population file '%s': checksum mismatch (stored %016llx, computed "
                   "%016llx): the file is corrupt", path, (unsigned long long)want,
                   (unsigned long long)got);
        return load_fail(m, size, NULL);
    }
    sp_population *pop = calloc(1, sizeof *pop);
    if (!pop || sp_hstate_init(&pop->state, (size_t)n, err) != SP_OK) {
        sp_err_set(err, SP_ENOMEM, "out of memory loading %llu households from '%s'",
                   (unsigned long long)n, path);
        return load_fail(m, size, pop);
    }
    pop->n = (size_t)n;
    pop->map = m;
    pop->map_bytes = size;
    for (uint32_t e = 0; e < ncol; e++) {
        int k = which[e];
        if (columns[k].state)
            memcpy(column_data(pop, k), data[e], (size_t)bytes[e]);
        else
            set_static(pop, k, (void *)(uintptr_t)data[e]);
    }
    pop->base_year = (int)get32(m, H_BASE_YEAR);
    pop->base_month = (int)get32(m, H_BASE_MONTH);
    pop->total_weight = getd(m, H_TOTAL_WEIGHT);
    for (int k = 0; k < SP_NCAT; k++) {
        pop->engel_a[k] = getd(m, H_ENGEL_A + 8 * k);
        pop->engel_b[k] = getd(m, H_ENGEL_B + 8 * k);
    }
    pop->engel_lnref = getd(m, H_ENGEL_LNREF);
    pop->mpc_given = get32(m, H_MPC_GIVEN) != 0;
    memcpy(pop->mpc_type, m + H_MPC_TYPE, 4 * SP_NLIQ);
    memcpy(pop->mpc_quintile, m + H_MPC_QUINTILE, 4 * SP_NQUINTILE);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int room = (int)sizeof pop->label - 1 - (int)strlen(base) - 3;
    snprintf(pop->label, sizeof pop->label, "%.*s [%s]", room > 0 ? room : 0,
             (const char *)m + H_LABEL, base);
    snprintf(pop->provenance, sizeof pop->provenance, "%.*s", SP_SPOP_PROVENANCE - 1,
             (const char *)m + H_PROVENANCE);
    snprintf(pop->source, sizeof pop->source, "%s", path);
    pop->source_checksum = want;
    return pop;
}
