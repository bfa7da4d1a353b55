/* run.c: the monthly engine. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#ifdef SPENDSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include "calendar.h"
#include "spending.h"
#include "vouchers.h"

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
    uint8_t *held[SP_MAX_MEASURES];  /* voucher packages held this month, per measure (NULL: none) */
    int active[SP_MAX_MEASURES];     /* 1 when the measure acts this month */
    double repay_rate;               /* share of deferred spending repaid each month */
    int mpc_months;                  /* months over which windfalls are spent */
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
    r->repay_rate = 1.0 / params->substitution_months;
    r->mpc_months = (int)lround(params->mpc_months);
    for (int k = 0; k < pkg->nmeasures; k++)
        if (pkg->measures[k].kind == SP_MEASURE_VOUCHER) {
            r->held[k] = calloc(pop->n ? pop->n : 1, 1);
            if (!r->held[k]) {
                sp_run_free(r);
                sp_err_set(err, SP_ENOMEM, "out of memory for voucher holdings");
                return NULL;
            }
        }
    return r;
}

int sp_run_month(const sp_run *r) { return r->month; }

/* Simulates households [lo, hi) for the month and writes the block's group sums. */
static void run_block(sp_run *r, size_t lo, size_t hi, const sp_spending_month *mo, gsl_rng *ws,
                      double *out)
{
    const sp_population *pop = r->pop;
    const sp_package *pkg = r->pkg;
    sp_hstate *st = &r->state;
    double cell[NCELL][SP_NMETRIC];
    memset(cell, 0, sizeof cell);
    const unsigned all = (1u << SP_NCAT) - 1u;
    for (size_t i = lo; i < hi; i++) {
        double s[SP_NCAT], gov = 0, merchant = 0;
        unsigned trips[SP_NCAT];
        double v_claimed = 0, v_redeemed = 0, v_expired = 0, v_value = 0;
        sp_spending_household(&r->spending, pop, mo, (uint32_t)i, r->key, s, trips);
        /* Spending pulled forward earlier is taken back. */
        if (st->deferred[i] > 0) {
            double rep = st->deferred[i] * r->repay_rate;
            st->deferred[i] = (float)(st->deferred[i] - rep);
            sp_population_split(pop, i, st->deferred_mask[i], -rep, s);
        }
        for (int k = 0; k < pkg->nmeasures; k++) {
            if (!r->active[k] || !r->held[k][i])
                continue;
            const sp_measure *m = &pkg->measures[k];
            const sp_voucher_def *v = &m->def.voucher;
            sp_voucher_outcome o;
            sp_voucher_redeem(v, &r->params, pop, (uint32_t)i, r->held[k][i], s, trips, r->key,
                              m->id, ws, &o);
            for (int c = 0; c < SP_NCAT; c++)
                s[c] += o.extra[c];
            if (o.windfall > 0) {
                st->pending[i] = (float)(st->pending[i] + o.windfall);
                st->pending_months[i] = (uint8_t)r->mpc_months;
            }
            if (o.induced > 0) {
                st->deferred[i] = (float)(st->deferred[i] + o.induced * r->params.substitution_share);
                st->deferred_mask[i] |= (uint8_t)v->categories;
            }
            v_claimed += o.claimed;
            v_redeemed += o.redeemed;
            v_expired += o.expired;
            v_value += o.transaction_value;
            gov += o.face_redeemed * v->gov_share;
            merchant += o.face_redeemed * v->merchant_share;
        }
        /* Windfalls (including this month's) are spent evenly over mpc_months. */
        if (st->pending_months[i] > 0) {
            double spend = st->pending[i] / st->pending_months[i];
            st->pending[i] = (float)(st->pending[i] - spend);
            if (--st->pending_months[i] == 0)
                st->pending[i] = 0;
            sp_population_split(pop, i, all, spend, s);
        }
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
        acc[SP_M_VOUCHERS_CLAIMED] += w * v_claimed;
        acc[SP_M_VOUCHERS_REDEEMED] += w * v_redeemed;
        acc[SP_M_VOUCHERS_EXPIRED] += w * v_expired;
        acc[SP_M_COUPON_VALUE] += w * v_value;
        acc[SP_M_GOV_COST] += w * gov;
        acc[SP_M_MERCHANT_COST] += w * merchant;
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

/* Global steps of the month, before the household loop: voucher claims. */
static int start_measures(sp_run *r, sp_err *err)
{
    int any = 0;
    for (int k = 0; k < r->pkg->nmeasures; k++) {
        const sp_measure *m = &r->pkg->measures[k];
        r->active[k] = 0;
        if (m->kind == SP_MEASURE_VOUCHER && m->def.voucher.start_month == r->month) {
            int rc = sp_voucher_claim(&m->def.voucher, m->filter, r->pop, &r->state, &r->params,
                                      r->key, m->id, r->held[k], err);
            if (rc != SP_OK)
                return rc;
            r->active[k] = 1;
            any = 1;
        }
    }
    return any;
}

int sp_run_step(sp_run *r, double *out, sp_err *err)
{
    int any = start_measures(r, err);
    if (any < 0)
        return any;
    sp_spending_month mo;
    sp_spending_month_prepare(&r->spending, r->month, &mo);
    const long nb = (long)r->nblocks;
    int failed = 0;
#ifdef SPENDSIM_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->threads) reduction(| : failed)
#endif
    for (long b = 0; b < nb; b++) {
        size_t lo = (size_t)b * SP_BLOCK, hi = lo + SP_BLOCK;
        if (hi > r->pop->n)
            hi = r->pop->n;
        gsl_rng *ws = any ? sp_rng_stream_alloc() : NULL; /* once per block, only when needed */
        if (any && !ws) {
            failed = 1;
            continue;
        }
        run_block(r, lo, hi, &mo, ws, r->partial + (size_t)b * GM);
        sp_rng_stream_free(ws);
    }
    if (failed)
        return sp_err_set(err, SP_ENOMEM, "out of memory for random-number workspaces");
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
    for (int k = 0; k < SP_MAX_MEASURES; k++)
        free(r->held[k]);
    free(r);
}
