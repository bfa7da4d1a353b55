/* run.c: the monthly engine. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#ifdef SPENDSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include "calendar.h"
#include "spending.h"

/* Households are summed into cells of (quintile, area, car owner, liquidity)
 * first, and cells into group slots once per block: 12 additions per
 * household instead of 5 x 12. */
#define NCELL (SP_NQUINTILE * SP_NAREA * SP_NCARDIM * SP_NLIQ)
#define GM (SP_NGROUP * SP_NMETRIC)

struct sp_run {
    const sp_population *pop;
    const sp_package *pkg;
    sp_params params;
    sp_spending_model spending;
    sp_rng_key key;
    int month;    /* calendar month of the next step */
    int threads;
    sp_hstate state;
    size_t nblocks;
    double *partial; /* nblocks x GM */
    int cell_slots[NCELL][SP_NDIM]; /* group slot of each cell in each dimension */
};

static void cell_slot_table(int out[NCELL][SP_NDIM])
{
    for (int q = 0; q < SP_NQUINTILE; q++)
        for (int a = 0; a < SP_NAREA; a++)
            for (int c = 0; c < SP_NCARDIM; c++)
                for (int l = 0; l < SP_NLIQ; l++) {
                    int cell = ((q * SP_NAREA + a) * SP_NCARDIM + c) * SP_NLIQ + l;
                    out[cell][SP_DIM_ALL] = 0;
                    out[cell][SP_DIM_QUINTILE] = sp_dim_first(SP_DIM_QUINTILE) + q;
                    out[cell][SP_DIM_AREA] = sp_dim_first(SP_DIM_AREA) + a;
                    out[cell][SP_DIM_CAR] = sp_dim_first(SP_DIM_CAR) + c;
                    out[cell][SP_DIM_LIQUIDITY] = sp_dim_first(SP_DIM_LIQUIDITY) + l;
                }
}

sp_run *sp_run_alloc(const sp_population *pop, const sp_package *pkg, const sp_params *params,
                     sp_rng_key key, int start_month, int threads, sp_err *err)
{
    if (!pop || !pkg || !params) {
        sp_err_set(err, SP_EINVAL, "a run needs a population, a package and parameters");
        return NULL;
    }
    sp_run *r = calloc(1, sizeof *r);
    if (!r) {
        sp_err_set(err, SP_ENOMEM, "out of memory for a run");
        return NULL;
    }
    r->pop = pop;
    r->pkg = pkg;
    r->params = *params;
    r->key = key;
    r->month = start_month;
    r->threads = threads > 0 ? threads : 1;
    if (sp_spending_model_init(&r->spending, params, pop->base_year, err) != SP_OK ||
        sp_hstate_init(&r->state, pop->n, err) != SP_OK) {
        sp_run_free(r);
        return NULL;
    }
    sp_hstate_copy(&r->state, &pop->state);
    /* Car ages describe the population's base month; move them to the start. */
    int shift = start_month - pop->base_month;
    for (size_t i = 0; i < pop->n; i++)
        for (int k = 0; k < r->state.ncars[i]; k++) {
            int age = r->state.car_age[k][i] + shift;
            r->state.car_age[k][i] = (uint16_t)(age < 0 ? 0 : (age > 65535 ? 65535 : age));
        }
    r->nblocks = (pop->n + SP_BLOCK - 1) / SP_BLOCK;
    r->partial = malloc((r->nblocks ? r->nblocks : 1) * GM * sizeof(double));
    if (!r->partial) {
        sp_run_free(r);
        sp_err_set(err, SP_ENOMEM, "out of memory for %zu blocks", r->nblocks);
        return NULL;
    }
    cell_slot_table(r->cell_slots);
    return r;
}

int sp_run_month(const sp_run *r) { return r->month; }

/* Simulates households [lo, hi) for the month and writes the block's group sums. */
static void run_block(sp_run *r, size_t lo, size_t hi, const sp_spending_month *mo, double *out)
{
    const sp_population *pop = r->pop;
    sp_hstate *st = &r->state;
    double cell[NCELL][SP_NMETRIC];
    memset(cell, 0, sizeof cell);
    for (size_t i = lo; i < hi; i++) {
        double s[SP_NCAT];
        sp_spending_household(&r->spending, pop, mo, (uint32_t)i, r->key, s);
        int nc = st->ncars[i];
        for (int k = 0; k < nc; k++)
            if (st->car_age[k][i] < 65535)
                st->car_age[k][i]++;
        int cl = ((pop->quintile[i] * SP_NAREA + pop->area[i]) * SP_NCARDIM + (nc > 0 ? 0 : 1)) *
                     SP_NLIQ +
                 pop->liquidity[i];
        double w = pop->weight[i], *acc = cell[cl], tot = 0;
        for (int c = 0; c < SP_NCAT; c++) {
            acc[SP_M_SPEND0 + c] += w * s[c];
            tot += s[c];
        }
        acc[SP_M_SPENDING] += w * tot;
        acc[SP_M_HOUSEHOLDS] += w;
        acc[SP_M_PERSONS] += w * pop->size[i];
        acc[SP_M_CARS] += w * nc;
    }
    memset(out, 0, GM * sizeof(double));
    for (int cl = 0; cl < NCELL; cl++) {
        if (cell[cl][SP_M_HOUSEHOLDS] == 0)
            continue;
        for (int d = 0; d < SP_NDIM; d++) {
            double *g = out + r->cell_slots[cl][d] * SP_NMETRIC;
            for (int m = 0; m < SP_NMETRIC; m++)
                g[m] += cell[cl][m];
        }
    }
}

int sp_run_step(sp_run *r, double *out, sp_err *err)
{
    (void)err;
    sp_spending_month mo;
    sp_spending_month_prepare(&r->spending, r->month, &mo);
    const long nb = (long)r->nblocks;
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->threads)
#endif
    for (long b = 0; b < nb; b++) {
        size_t lo = (size_t)b * SP_BLOCK, hi = lo + SP_BLOCK;
        if (hi > r->pop->n)
            hi = r->pop->n;
        run_block(r, lo, hi, &mo, r->partial + (size_t)b * GM);
    }
    memset(out, 0, GM * sizeof(double));
    for (size_t b = 0; b < r->nblocks; b++) /* block order: independent of threads */
        for (int k = 0; k < GM; k++)
            out[k] += r->partial[b * GM + k];
    r->month++;
    return SP_OK;
}

void sp_run_free(sp_run *r)
{
    if (!r)
        return;
    sp_hstate_release(&r->state);
    free(r->partial);
    free(r);
}
