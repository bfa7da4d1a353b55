/* spending.c: seasonal profile and trip-count tables. */
#include "spending.h"

#include <math.h>
#include <string.h>

#include "calendar.h"

/* Seasonal profile by category and calendar month (Jan..Dec), before
 * normalisation to mean 1. An assumption shaped on the calendar of Chinese
 * retail: Spring Festival (Jan/Feb) for food, clothing and "other"; the 618
 * (June) and Double-11 (November) shopping festivals for clothing and
 * household goods; heating season for housing; school fees (Feb/Sep) and
 * summer travel for education and recreation. See docs/model.md. */
static const double season_tab[SP_NCAT][12] = {
    /* food */ {1.18, 1.15, 0.95, 0.95, 0.96, 0.95, 0.94, 0.95, 0.98, 1.00, 0.97, 1.02},
    /* clothing */ {1.25, 0.95, 0.90, 0.95, 0.95, 1.10, 0.80, 0.80, 0.95, 1.05, 1.30, 1.00},
    /* housing */ {1.06, 1.04, 1.02, 0.98, 0.97, 0.97, 0.98, 0.98, 0.97, 0.97, 1.02, 1.04},
    /* household goods */ {1.05, 0.85, 0.90, 0.95, 0.95, 1.20, 0.90, 0.90, 0.95, 1.00, 1.35, 1.00},
    /* transport */ {1.02, 0.90, 0.98, 1.00, 1.02, 1.00, 1.02, 1.02, 1.00, 1.04, 1.00, 1.00},
    /* education */ {0.95, 1.10, 0.95, 0.90, 0.92, 0.90, 1.12, 1.15, 1.20, 1.00, 0.88, 0.93},
    /* health */ {1.08, 0.92, 1.02, 0.98, 0.96, 0.96, 0.97, 0.98, 0.98, 1.00, 1.05, 1.10},
    /* other */ {1.20, 1.15, 0.95, 0.92, 0.95, 0.95, 0.92, 0.92, 0.95, 1.02, 0.97, 1.10},
};

double sp_spending_season_table(int c, int month_1_12)
{
    if (c < 0 || c >= SP_NCAT || month_1_12 < 1 || month_1_12 > 12)
        return 0.0;
    double mean = 0;
    for (int k = 0; k < 12; k++)
        mean += season_tab[c][k];
    mean /= 12.0;
    return season_tab[c][month_1_12 - 1] / mean;
}

int sp_spending_model_init(sp_spending_model *m, const sp_params *p, int base_year, sp_err *err)
{
    int rc = sp_params_validate(p, err);
    if (rc != SP_OK)
        return rc;
    memset(m, 0, sizeof *m);
    for (int c = 0; c < SP_NCAT; c++) {
        for (int k = 0; k < 12; k++)
            m->season[c][k] = 1.0 + p->season_amplitude * (sp_spending_season_table(c, k + 1) - 1.0);
        /* Poisson(lambda) CDF in units of 2^-16; the last entry catches all. */
        double lambda = p->trips[c], pk = exp(-lambda), cdf = 0, mean = 0;
        uint32_t prev = 0;
        for (int k = 0; k <= SP_POIS_KMAX; k++) {
            cdf += pk;
            uint32_t q = k == SP_POIS_KMAX ? 65536u : (uint32_t)llround(fmin(cdf, 1.0) * 65536.0);
            if (q > 65536u)
                q = 65536u;
            m->pois_cdf[c][k] = q;
            m->pois_lo[c][k] = prev;
            m->pois_inv_width[c][k] = q > prev ? 1.0 / (double)(q - prev) : 0.0;
            mean += (double)k * (double)(q - prev) / 65536.0; /* exact mean of what is drawn */
            prev = q;
            pk *= lambda / (k + 1);
        }
        if (!(mean > 0))
            return sp_err_set(err, SP_EINVAL, "parameter 'trips_%s' = %g gives no trips",
                              sp_category_name(c), lambda);
        m->inv_mean[c] = 1.0 / mean;
        for (int b = 0; b < SP_POIS_BUCKETS; b++) {
            uint32_t lo = (uint32_t)b << 6; /* smallest u in the bucket */
            unsigned k = 0;
            while (lo >= m->pois_cdf[c][k])
                k++;
            m->pois_start[c][b] = (uint16_t)k;
        }
    }
    for (int k = 0; k <= SP_POIS_KMAX; k++)
        m->noise_amp_k[k] = sqrt(3.0) * p->trip_cv / sqrt(k > 1 ? (double)k : 1.0);
    m->growth_log = log(p->growth) / 12.0;
    m->mid_month = sp_month_make(base_year, 1) + 5; /* mid-year: between June and July (+0.5) */
    return SP_OK;
}

double sp_spending_growth(const sp_spending_model *m, int cal_month)
{
    return exp(m->growth_log * ((double)(cal_month - m->mid_month) - 0.5));
}

void sp_spending_month_prepare(const sp_spending_model *m, int cal_month, sp_spending_month *out)
{
    double g = sp_spending_growth(m, cal_month) / 12.0 / 65536.0;
    int moy0 = sp_month_of_year(cal_month) - 1;
    for (int c = 0; c < SP_NCAT; c++)
        out->coef[c] = m->season[c][moy0] * g * m->inv_mean[c];
    out->month_word = (uint32_t)cal_month;
}
