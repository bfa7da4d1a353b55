/* population.c: column store allocation and Engel-curve shares. */
#include "population.h"

#include <stdlib.h>
#include <string.h>

#define ENGEL_FLOOR 0.002

int sp_hstate_init(sp_hstate *s, size_t n, sp_err *err)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    size_t m = n ? n : 1;
    s->ncars = calloc(m, 1);
    s->plate_state = calloc(m, 1);
    s->applicants = calloc(m, 1);
    s->plate_months = calloc(m, sizeof(uint16_t));
    s->deferred = calloc(m, sizeof(float));
    s->deferred_mask = calloc(m, 1);
    s->pending = calloc(m, sizeof(float));
    s->pending_months = calloc(m, 1);
    s->car_cost = calloc(m, sizeof(int16_t));
    s->car_pay = calloc(m, sizeof(uint16_t));
    s->car_pay_months = calloc(m, 1);
    int ok = s->ncars && s->plate_state && s->applicants && s->plate_months && s->deferred &&
             s->deferred_mask && s->pending && s->pending_months && s->car_cost && s->car_pay &&
             s->car_pay_months;
    for (int k = 0; k < SP_MAX_CARS; k++) {
        s->car_age[k] = calloc(m, sizeof(uint16_t));
        s->car_kind[k] = calloc(m, 1);
        ok = ok && s->car_age[k] && s->car_kind[k];
    }
    if (!ok) {
        sp_hstate_release(s);
        return sp_err_set(err, SP_ENOMEM, "out of memory for the state of %zu households", n);
    }
    return SP_OK;
}

void sp_hstate_release(sp_hstate *s)
{
    if (!s)
        return;
    free(s->ncars);
    free(s->plate_state);
    free(s->applicants);
    free(s->plate_months);
    free(s->deferred);
    free(s->deferred_mask);
    free(s->pending);
    free(s->pending_months);
    free(s->car_cost);
    free(s->car_pay);
    free(s->car_pay_months);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        free(s->car_age[k]);
        free(s->car_kind[k]);
    }
    memset(s, 0, sizeof *s);
}

void sp_hstate_copy(sp_hstate *dst, const sp_hstate *src)
{
    size_t n = src->n < dst->n ? src->n : dst->n;
    memcpy(dst->ncars, src->ncars, n);
    memcpy(dst->plate_state, src->plate_state, n);
    memcpy(dst->applicants, src->applicants, n);
    memcpy(dst->plate_months, src->plate_months, n * sizeof(uint16_t));
    memcpy(dst->deferred, src->deferred, n * sizeof(float));
    memcpy(dst->deferred_mask, src->deferred_mask, n);
    memcpy(dst->pending, src->pending, n * sizeof(float));
    memcpy(dst->pending_months, src->pending_months, n);
    memcpy(dst->car_cost, src->car_cost, n * sizeof(int16_t));
    memcpy(dst->car_pay, src->car_pay, n * sizeof(uint16_t));
    memcpy(dst->car_pay_months, src->car_pay_months, n);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        memcpy(dst->car_age[k], src->car_age[k], n * sizeof(uint16_t));
        memcpy(dst->car_kind[k], src->car_kind[k], n);
    }
}

size_t sp_population_bytes_per_household(void)
{
    const sp_population *p = NULL; /* for sizeof only: never read */
    const sp_hstate *s = NULL;
    size_t statics = sizeof *p->weight + sizeof *p->income + sizeof *p->consumption + sizeof *p->size +
                     sizeof *p->area + sizeof *p->liquidity + sizeof *p->quintile + sizeof *p->ranks +
                     sizeof *p->drivers +
                     sizeof *p->eligible + sizeof *p->generations + SP_NCAT * sizeof *p->shares;
    size_t dynamic = sizeof *s->ncars + sizeof *s->plate_state + sizeof *s->applicants +
                     sizeof *s->plate_months + sizeof *s->deferred + sizeof *s->deferred_mask +
                     sizeof *s->pending + sizeof *s->pending_months +
                     sizeof *s->car_cost + sizeof *s->car_pay + sizeof *s->car_pay_months +
                     SP_MAX_CARS * (sizeof *s->car_age[0] + sizeof *s->car_kind[0]);
    return statics + dynamic;
}

sp_population *sp_population_alloc(size_t n, sp_err *err)
{
    sp_population *p = calloc(1, sizeof *p);
    if (!p) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a population");
        return NULL;
    }
    p->n = n;
    size_t m = n ? n : 1;
    p->weight = calloc(m, sizeof(float));
    p->income = calloc(m, sizeof(float));
    p->consumption = calloc(m, sizeof(float));
    p->size = calloc(m, 1);
    p->area = calloc(m, 1);
    p->liquidity = calloc(m, 1);
    p->quintile = calloc(m, 1);
    p->ranks = calloc(m, 1);
    p->drivers = calloc(m, 1);
    p->eligible = calloc(m, 1);
    p->generations = calloc(m, 1);
    p->shares = calloc(m * SP_NCAT, sizeof(uint16_t));
    if (!(p->weight && p->income && p->consumption && p->size && p->area && p->liquidity &&
          p->quintile && p->ranks && p->drivers && p->eligible && p->generations && p->shares) ||
        sp_hstate_init(&p->state, n, err) != SP_OK) {
        sp_population_free(p);
        sp_err_set(err, SP_ENOMEM, "out of memory for a population of %zu households", n);
        return NULL;
    }
    return p;
}

void sp_population_free(sp_population *p)
{
    if (!p)
        return;
    free(p->weight);
    free(p->income);
    free(p->consumption);
    free(p->size);
    free(p->area);
    free(p->liquidity);
    free(p->quintile);
    free(p->ranks);
    free(p->drivers);
    free(p->eligible);
    free(p->generations);
    free(p->shares);
    sp_hstate_release(&p->state);
    free(p);
}

void sp_population_shares(const sp_population *pop, double ypc, double out[SP_NCAT])
{
    double x = log(ypc > 1.0 ? ypc : 1.0) - pop->engel_lnref;
    double sum = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        double s = pop->engel_a[c] + pop->engel_b[c] * x;
        if (s < ENGEL_FLOOR)
            s = ENGEL_FLOOR;
        out[c] = s;
        sum += s;
    }
    for (int c = 0; c < SP_NCAT; c++)
        out[c] /= sum;
}

void sp_population_set_shares(sp_population *pop, size_t i, const double sh[SP_NCAT])
{
    uint16_t *q = pop->shares + i * SP_NCAT;
    long sum = 0;
    int big = 0;
    for (int c = 0; c < SP_NCAT; c++) {
        long v = lround(sh[c] * SP_SHARE_ONE);
        q[c] = (uint16_t)(v > 65535 ? 65535 : (v < 0 ? 0 : v));
        sum += q[c];
        if (sh[c] > sh[big])
            big = c;
    }
    long fixed = (long)q[big] + (SP_SHARE_ONE - sum); /* the remainder on the largest share */
    q[big] = (uint16_t)(fixed < 0 ? 0 : (fixed > 65535 ? 65535 : fixed));
}

void sp_population_store_shares(sp_population *pop, size_t i)
{
    double sh[SP_NCAT];
    sp_population_shares(pop, (double)pop->income[i] / pop->size[i], sh);
    sp_population_set_shares(pop, i, sh);
}

typedef struct {
    double ypc, persons;
} pc_item;

static int by_pc(const void *a, const void *b)
{
    const pc_item *x = a, *y = b;
    return (x->ypc > y->ypc) - (x->ypc < y->ypc);
}

/* Mean per-capita income of the persons between cumulative shares lo and hi
 * of a list sorted by per-capita income (partial households count in part). */
static double band_mean(const pc_item *v, size_t n, double total, double lo, double hi)
{
    double cum = 0, num = 0, den = 0;
    for (size_t k = 0; k < n; k++) {
        double a = cum / total, b = (cum + v[k].persons) / total;
        cum += v[k].persons;
        double ov = fmin(b, hi) - fmax(a, lo);
        if (ov > 0) {
            double part = ov * total;
            num += part * v[k].ypc;
            den += part;
        }
    }
    return den > 0 ? num / den : 0;
}

int sp_population_summary_compute(const sp_population *pop, sp_population_summary *out, sp_err *err)
{
    memset(out, 0, sizeof *out);
    if (!pop || pop->n == 0)
        return sp_err_set(err, SP_EINVAL, "empty population");
    double hh = 0, persons = 0, inc[SP_NAREA] = {0}, con[SP_NAREA] = {0}, per[SP_NAREA] = {0},
           cat[SP_NCAT] = {0}, ctot = 0;
    size_t nurban = 0;
    for (size_t i = 0; i < pop->n; i++) {
        double w = pop->weight[i], s = pop->size[i];
        int a = pop->area[i] ? SP_AREA_RURAL : SP_AREA_URBAN;
        hh += w;
        persons += w * s;
        inc[a] += w * pop->income[i];
        con[a] += w * pop->consumption[i];
        per[a] += w * s;
        for (int c = 0; c < SP_NCAT; c++)
            cat[c] += w * pop->consumption[i] * sp_population_share(pop, i, c);
        ctot += w * pop->consumption[i];
        out->private_cars += w * pop->state.ncars[i];
        out->liquidity_share[pop->liquidity[i] % SP_NLIQ] += w;
        if (pop->state.plate_state[i] == SP_PLATE_LOTTERY)
            out->plate_applicants += w * pop->state.applicants[i];
        else if (pop->state.plate_state[i] == SP_PLATE_NEV_QUEUE)
            out->nev_queue += w * pop->state.applicants[i];
        nurban += a == SP_AREA_URBAN;
    }
    out->households = hh;
    out->sample = pop->n;
    out->mean_size = persons / hh;
    for (int a = 0; a < SP_NAREA; a++) {
        out->income_pc[a] = per[a] > 0 ? inc[a] / per[a] : 0;
        out->consumption_pc[a] = per[a] > 0 ? con[a] / per[a] : 0;
    }
    for (int c = 0; c < SP_NCAT; c++)
        out->share[c] = ctot > 0 ? cat[c] / ctot : 0;
    for (int l = 0; l < SP_NLIQ; l++)
        out->liquidity_share[l] /= hh;
    if (nurban > 0) {
        pc_item *v = malloc(nurban * sizeof *v);
        if (!v)
            return sp_err_set(err, SP_ENOMEM, "out of memory for the summary");
        size_t k = 0;
        double tot = 0;
        for (size_t i = 0; i < pop->n; i++)
            if (pop->area[i] == SP_AREA_URBAN) {
                v[k].ypc = (double)pop->income[i] / pop->size[i];
                v[k].persons = (double)pop->weight[i] * pop->size[i];
                tot += v[k].persons;
                k++;
            }
        qsort(v, nurban, sizeof *v, by_pc);
        double bottom = band_mean(v, nurban, tot, 0.0, 0.2), top = band_mean(v, nurban, tot, 0.8, 1.0);
        out->quintile_ratio_urban = bottom > 0 ? top / bottom : 0;
        free(v);
    }
    return SP_OK;
}

typedef struct {
    double ypc, persons;
    size_t i;
} rank_item;

static int by_rank(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->ypc != y->ypc)
        return x->ypc < y->ypc ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Consumption ranks in 30ths of households (weighted) into bits 0-4 of
 * pop->ranks, using r (n items) as workspace. */
static void rank_consumption(sp_population *pop, rank_item *r)
{
    size_t n = pop->n;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        r[i].ypc = pop->consumption[i];
        r[i].persons = pop->weight[i];
        r[i].i = i;
        total += r[i].persons;
    }
    qsort(r, n, sizeof *r, by_rank);
    double cum = 0;
    for (size_t k = 0; k < n; k++) {
        double m = total > 0 ? (cum + 0.5 * r[k].persons) / total : 0.5;
        cum += r[k].persons;
        int c = (int)(m * SP_CONS_RANKS);
        pop->ranks[r[k].i] |= (uint8_t)(c > SP_CONS_RANKS - 1 ? SP_CONS_RANKS - 1 : c);
    }
}

int sp_population_rank(sp_population *pop, double *mid, double *median, sp_err *err)
{
    size_t n = pop->n;
    rank_item *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return sp_err_set(err, SP_ENOMEM, "out of memory ranking %zu households", n);
    double persons = 0;
    for (size_t i = 0; i < n; i++) {
        r[i].ypc = pop->size[i] ? (double)pop->income[i] / pop->size[i] : 0;
        r[i].persons = (double)pop->weight[i] * pop->size[i];
        r[i].i = i;
        persons += r[i].persons;
    }
    qsort(r, n, sizeof *r, by_rank);
    double cum = 0, med = 0;
    for (size_t k = 0; k < n; k++) {
        double m = persons > 0 ? (cum + 0.5 * r[k].persons) / persons : 0.5;
        cum += r[k].persons;
        int q = (int)(m * SP_NQUINTILE), d = (int)(m * 2 * SP_NQUINTILE);
        pop->quintile[r[k].i] = (uint8_t)(q > SP_NQUINTILE - 1 ? SP_NQUINTILE - 1 : q);
        pop->ranks[r[k].i] = (uint8_t)((d > 2 * SP_NQUINTILE - 1 ? 1 : d & 1) ? SP_RANK_DECILE_BIT : 0);
        if (mid)
            mid[r[k].i] = m;
        if (med == 0 && m >= 0.5)
            med = r[k].ypc;
    }
    if (median)
        *median = med;
    rank_consumption(pop, r);
    free(r);
    return SP_OK;
}

int sp_liquidity_of_rank(double mid, const double share[SP_NLIQ], double u_poor, double u_htm)
{
    double poor = share[SP_LIQ_POOR_HTM] + share[SP_LIQ_POOR_NHTM];
    int is_poor = u_poor < 2.0 * poor * (1.0 - mid);
    double htm = is_poor ? (poor > 0 ? share[SP_LIQ_POOR_HTM] / poor : 0)
                         : (poor < 1 ? share[SP_LIQ_WEALTHY_HTM] / (1.0 - poor) : 0);
    int is_htm = u_htm < htm;
    return is_poor ? (is_htm ? SP_LIQ_POOR_HTM : SP_LIQ_POOR_NHTM)
                   : (is_htm ? SP_LIQ_WEALTHY_HTM : SP_LIQ_WEALTHY_NHTM);
}

void sp_population_calibrate_engel(sp_population *pop, const double slope[SP_NCAT],
                                   const double target[SP_NCAT])
{
    size_t n = pop->n;
    double tot_y = 0, tot_p = 0;
    for (size_t i = 0; i < n; i++) {
        tot_y += (double)pop->weight[i] * pop->income[i];
        tot_p += (double)pop->weight[i] * pop->size[i];
    }
    pop->engel_lnref = log(tot_p > 0 && tot_y > 0 ? tot_y / tot_p : 1.0);
    for (int c = 0; c < SP_NCAT; c++) {
        pop->engel_a[c] = target[c];
        pop->engel_b[c] = slope[c];
    }
    for (int it = 0; it < 50; it++) {
        double agg[SP_NCAT] = {0}, tot = 0, sh[SP_NCAT];
        for (size_t i = 0; i < n; i++) {
            double wc = (double)pop->weight[i] * pop->consumption[i];
            sp_population_shares(pop, pop->size[i] ? (double)pop->income[i] / pop->size[i] : 0, sh);
            for (int c = 0; c < SP_NCAT; c++)
                agg[c] += sh[c] * wc;
            tot += wc;
        }
        double worst = 0;
        for (int c = 0; c < SP_NCAT && tot > 0; c++) {
            double d = target[c] - agg[c] / tot;
            pop->engel_a[c] += d;
            worst = fmax(worst, fabs(d));
        }
        if (worst < 1e-7)
            break;
    }
    for (size_t i = 0; i < n; i++)
        sp_population_store_shares(pop, i);
}
