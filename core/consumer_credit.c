/* consumer_credit.c: the consumer credit product (consumer_credit.h). */
#include "consumer_credit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "budget.h"
#include "calendar.h"
#include "durables.h"
#include "package.h"

_Static_assert(sizeof(sp_consumer_credit_def) <= SP_MEASURE_DEF_MAX, "the definition fits a measure");

/* Stream of a product with stream id `id`: (household i, month, sub 12),
 * draw 0: w0 the need, w1 the take-up, w2 the need's size, w3 the appliance
 * type (durables). */
enum { SUB_NEED = 12 };

static uint32_t purpose_word(uint32_t id)
{
    return (uint32_t)SP_PURPOSE_SUBSIDY | ((uint32_t)SUB_NEED << 4) | ((id & 0xffffffu) << 8);
}

static const char *const purpose_names[SP_NCREDIT_PURPOSE] = {"home_improvement", "durables", "general"};

const char *sp_credit_purpose_name(int p) { return p >= 0 && p < SP_NCREDIT_PURPOSE ? purpose_names[p] : "?"; }

int sp_credit_purpose_find(const char *name)
{
    for (int p = 0; name && p < SP_NCREDIT_PURPOSE; p++)
        if (strcmp(purpose_names[p], name) == 0)
            return p;
    return -1;
}

sp_consumer_credit_def sp_consumer_credit_def_default(void)
{
    sp_consumer_credit_def d;
    memset(&d, 0, sizeof d);
    d.purpose = SP_CREDIT_HOME_IMPROVEMENT;
    d.limit = 50000;
    d.rate = 0.03;
    d.term = 24;
    d.subsidy_rate = 0.01;
    d.subsidy_cap = 3000;
    d.start_month = sp_month_make(2025, 9);
    d.end_month = sp_month_make(2026, 8);
    return d;
}

int sp_consumer_credit_validate(const sp_consumer_credit_def *d, sp_err *err)
{
    int rc;
    if (!d)
        return sp_err_set(err, SP_EINVAL, "consumer credit definition is NULL");
    if ((unsigned)d->purpose >= SP_NCREDIT_PURPOSE)
        return sp_err_set(err, SP_EINVAL, "unknown purpose %d", (int)d->purpose);
    if (!isfinite(d->limit) || !(d->limit > 0))
        return sp_err_set(err, SP_EINVAL, "limit must be a positive amount of yuan, got %g", d->limit);
    if (!isfinite(d->rate) || d->rate < 0 || d->rate > 1)
        return sp_err_set(err, SP_EINVAL, "rate must lie in 0..1 a year, got %g", d->rate);
    if (d->term < 1 || d->term > 360)
        return sp_err_set(err, SP_EINVAL, "term must be 1..360 months, got %d", d->term);
    if (!isfinite(d->subsidy_rate) || d->subsidy_rate < 0 || d->subsidy_rate > d->rate)
        return sp_err_set(err, SP_EINVAL, "subsidy_rate must lie in 0..rate (%g) a year, got %g",
                          d->rate, d->subsidy_rate);
    if ((rc = sp_measure_check_amount("budget", d->budget, err)))
        return rc;
    if (d->budget > 0 && !(d->subsidy_rate > 0))
        return sp_err_set(err, SP_EINVAL,
                          "budget %g needs an interest subsidy (subsidy_rate above 0)", d->budget);
    if ((rc = sp_measure_check_amount("subsidy_cap", d->subsidy_cap, err)) ||
        (rc = sp_measure_check_window(d->start_month, d->end_month, err)))
        return rc;
    return sp_measure_check_filter(d->filter, sizeof d->filter, err);
}

double sp_consumer_credit_annuity(double amount, double rate, int term)
{
    const double r = rate / 12.0;
    if (term < 1)
        return amount;
    if (r <= 0)
        return amount / term;
    return amount * r / (1.0 - pow(1.0 + r, -term));
}

double sp_consumer_credit_pay(double annuity, double rate, double *balance, int *left, double *interest)
{
    *interest = *balance * (rate / 12.0);
    double pay = *left <= 1 ? *balance + *interest : annuity;
    if (pay > *balance + *interest)
        pay = *balance + *interest;
    *balance = *balance + *interest - pay;
    if (--*left <= 0) {
        *left = 0;
        *balance = 0;
    }
    return pay;
}

/* ---- per run ---- */

typedef struct credit_run {
    double *balance;      /* yuan outstanding */
    float *annuity;       /* yuan per month */
    float *subsidy_paid;  /* yuan of interest subsidy paid on the loan so far */
    uint16_t *left;       /* instalments to go; 0 = no loan */
    uint8_t *induced;     /* 1: the loan financed spending that would not have happened */
    uint8_t *mask;        /* eligible households this month (0: refused, the budget is spent) */
    double committed;     /* interest subsidy committed to the loans made so far, weighted yuan */
    int exhausted;        /* 1: the budget is spent, no more loans */
    double need_home[2];  /* monthly need probability met anyway, [moved recently] */
    double need_durables; /* the same, appliances */
    double type_cdf[SP_DUR_NTYPE]; /* which appliance a durables need is for */
    sp_durables_model *model;
    int window;
} credit_run;

static void run_free(void *state)
{
    credit_run *c = state;
    if (!c)
        return;
    free(c->balance);
    free(c->annuity);
    free(c->subsidy_paid);
    free(c->left);
    free(c->induced);
    free(c->mask);
    free(c->model);
    free(c);
}

/* Need rates met anyway: one over the mean interval between renovations,
 * and the appliance stock's items per household over their mean lives. */
static void need_rates(credit_run *c)
{
    for (int mv = 0; mv < 2; mv++) {
        double surv = 1, mean = 0;
        for (int a = 0; a <= SP_DUR_RENO_MAX; a++) {
            const double h = c->model->reno_hazard[mv][a];
            mean += a < SP_DUR_RENO_MAX ? surv : surv / h;
            surv *= 1.0 - h;
        }
        c->need_home[mv] = 1.0 / mean;
    }
    double tot = 0;
    for (int t = 0; t < SP_DUR_NTYPE; t++) {
        if (t != SP_DUR_FURNITURE)
            tot += sp_durable_info_of(t)->per100 / 100.0 / c->model->mean_life[t];
        c->type_cdf[t] = tot;
    }
    c->need_durables = tot;
    for (int t = 0; t < SP_DUR_NTYPE; t++)
        c->type_cdf[t] /= tot;
}

static int run_alloc(void **state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    const size_t n = env->pop->n ? env->pop->n : 1;
    credit_run *c = calloc(1, sizeof *c);
    *state = c;
    if (!c)
        return sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
    c->balance = calloc(n, sizeof(double));
    c->annuity = calloc(n, sizeof(float));
    c->subsidy_paid = calloc(n, sizeof(float));
    c->left = calloc(n, sizeof(uint16_t));
    c->induced = calloc(n, 1);
    c->mask = calloc(n, 1);
    c->model = malloc(sizeof *c->model);
    if (!c->balance || !c->annuity || !c->subsidy_paid || !c->left || !c->induced || !c->mask || !c->model)
        return sp_err_set(err, SP_ENOMEM, "out of memory for measure \"%s\"", m->name);
    int rc = sp_durables_model_init(c->model, env->params, err);
    if (rc == SP_OK)
        need_rates(c);
    return rc;
}

static int ration(credit_run *c, const sp_measure *m, const sp_run_env *env, sp_err *err);

static int month_start(void *state, const sp_measure *m, sp_run_env *env, sp_err *err)
{
    credit_run *c = state;
    const sp_consumer_credit_def *d = sp_measure_def(m);
    const size_t n = env->pop->n;
    c->window = env->month >= d->start_month && env->month <= d->end_month;
    if (c->window) {
        if (m->filter) {
            int rc = sp_filter_eval(m->filter, env->pop, env->state, 0, n, c->mask, err);
            if (rc != SP_OK)
                return rc;
        } else {
            memset(c->mask, 1, n);
        }
        if (d->budget > 0) {
            int rc = ration(c, m, env, err);
            if (rc != SP_OK)
                return rc;
        }
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (c->left[i])
            return 1;
    return 0;
}

static double need_rate(const credit_run *c, const sp_consumer_credit_def *d, const sp_run_env *env, size_t i);

/* Whether household i has a need (met anyway or latent) this month: the
 * household step's first draw, made here too so that households without
 * one stay on the engine's fast path. */
static int has_need(const credit_run *c, const sp_measure *m, const sp_run_env *env, size_t i, uint32_t w[4])
{
    const sp_consumer_credit_def *d = sp_measure_def(m);
    sp_rng_words(env->key, (uint32_t)i, (uint32_t)env->month, purpose_word(m->id), 0, w);
    const int liq = env->pop->liquidity[i] & 3;
    const int htm = liq == SP_LIQ_POOR_HTM || liq == SP_LIQ_WEALTHY_HTM;
    const double q = need_rate(c, d, env, i);
    return sp_u01(w[0]) < (htm ? q / env->params->credit_cash_htm : q);
}

static void mark(const void *state, const sp_measure *m, const sp_run_env *env, size_t lo, size_t n,
                 uint32_t *bits)
{
    const credit_run *c = state;
    uint32_t w[4];
    for (size_t j = 0; j < n; j++) {
        const size_t i = lo + j;
        const int on = c->left[i] || (c->window && c->mask[i] && has_need(c, m, env, i, w));
        bits[j >> 5] |= (uint32_t)on << (j & 31);
    }
}

/* The categories (bit c) spending of the purpose goes to, and how: home
 * improvement half housing, half household goods. */
static void spend_need(sp_credit_purpose purpose, const sp_population *pop, size_t i, double amount,
                       double *spend)
{
    if (purpose == SP_CREDIT_HOME_IMPROVEMENT) {
        spend[SP_CAT_HOUSING] += 0.5 * amount;
        spend[SP_CAT_HOUSEHOLD_GOODS] += 0.5 * amount;
    } else if (purpose == SP_CREDIT_DURABLES) {
        spend[SP_CAT_HOUSEHOLD_GOODS] += amount;
    } else {
        sp_population_split(pop, i, (1u << SP_NCAT) - 1u, amount, spend);
    }
}

/* The monthly probability of a need household i meets anyway. */
static double need_rate(const credit_run *c, const sp_consumer_credit_def *d, const sp_run_env *env, size_t i)
{
    if (d->purpose == SP_CREDIT_HOME_IMPROVEMENT)
        return c->need_home[sp_durables_mover(env->pop, i)];
    return d->purpose == SP_CREDIT_DURABLES ? c->need_durables : env->params->credit_need_rate;
}

/* The cost of household i's need (yuan) from draw w. */
static double need_cost(const credit_run *c, const sp_consumer_credit_def *d, const sp_run_env *env,
                        size_t i, const uint32_t w[4])
{
    const sp_params *p = env->params;
    if (d->purpose == SP_CREDIT_DURABLES) {
        int t = 0;
        while (t < SP_DUR_NTYPE - 1 && sp_u01(w[3]) > c->type_cdf[t])
            t++;
        return sp_durables_price(c->model, t, sp_u01(w[2]));
    }
    const double z = gsl_cdf_ugaussian_Pinv(sp_u01(w[2]));
    const double share = d->purpose == SP_CREDIT_HOME_IMPROVEMENT ? p->renovation_cost_share : p->credit_need_share;
    return share * env->pop->income[i] * exp(p->credit_need_sigma * z);
}

/* What household i with a need (draws w) borrows: the loan's amount, 0 for
 * none; *induced = 1 when the loan finances spending that would not have
 * happened. The same in the budget ranking and the household step. */
static double decide(const credit_run *c, const sp_consumer_credit_def *d, const sp_run_env *env,
                     size_t i, const uint32_t w[4], int *induced)
{
    const sp_params *p = env->params;
    const double q = need_rate(c, d, env, i);
    const int liq = env->pop->liquidity[i] & 3;
    const int htm = liq == SP_LIQ_POOR_HTM || liq == SP_LIQ_WEALTHY_HTM;
    const double u = sp_u01(w[0]), ut = sp_u01(w[1]);
    const double cost = need_cost(c, d, env, i, w);
    const double boost = exp(p->credit_rate_semielasticity * 100.0 * d->subsidy_rate);
    *induced = 0;
    if (u < q) {
        double take = (htm ? p->credit_takeup_htm : p->credit_takeup_nhtm) * boost;
        if (ut < take)
            return cost < d->limit ? cost : d->limit;
    } else if (htm && u < q / p->credit_cash_htm && cost <= d->limit) {
        if (ut < p->credit_takeup_constrained * boost) {
            *induced = 1;
            return cost;
        }
    }
    return 0;
}

/* A household without a loan, in the offer window: a need, perhaps a loan. */
static void originate(credit_run *c, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    const sp_consumer_credit_def *d = sp_measure_def(m);
    const size_t i = h->i;
    uint32_t w[4];
    if (!has_need(c, m, env, i, w))
        return; /* no need this month (most household-months) */
    int induced = 0;
    const double amount = decide(c, d, env, i, w, &induced);
    if (!(amount > 0))
        return;
    c->balance[i] = amount;
    c->annuity[i] = (float)sp_consumer_credit_annuity(amount, d->rate, d->term);
    c->subsidy_paid[i] = 0;
    c->left[i] = (uint16_t)d->term;
    c->induced[i] = (uint8_t)induced;
    if (induced)
        spend_need(d->purpose, env->pop, i, amount, h->spend);
    sp_household_add(h, SP_M_LOANS, 1);
    sp_household_add(h, SP_M_LOAN_VALUE, amount);
}

/* This month's interest subsidy on `balance` with `paid` received so far. */
static double month_subsidy(const sp_consumer_credit_def *d, double balance, float paid)
{
    double sub = balance * d->subsidy_rate / 12.0;
    if (d->subsidy_cap > 0 && sub > d->subsidy_cap - paid)
        sub = d->subsidy_cap - paid > 0 ? d->subsidy_cap - paid : 0;
    return sub;
}

double sp_consumer_credit_commitment(const sp_consumer_credit_def *d, double amount)
{
    double balance = amount, total = 0, interest;
    const float annuity = (float)sp_consumer_credit_annuity(amount, d->rate, d->term);
    float paid = 0;
    int left = d->term;
    while (left > 0) { /* the household step's payments, month by month (repay) */
        double sub = month_subsidy(d, balance, paid);
        sp_consumer_credit_pay(annuity, d->rate, &balance, &left, &interest);
        paid = (float)(paid + sub);
        total += sub;
    }
    return total;
}

typedef struct {
    double key, cost;
    uint32_t i;
} loan_claim;

static int by_key_asc(const void *a, const void *b)
{
    const loan_claim *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The month's budget ranking: the eligible households without a loan whose
 * need this month leads to a loan, first come by a key from their own stream
 * (draw 1 of the need stream), admitted while the subsidy their loans commit
 * fits the budget; the first that does not fit closes the programme and the
 * rest are refused (mask 0). */
static int ration(credit_run *c, const sp_measure *m, const sp_run_env *env, sp_err *err)
{
    const sp_consumer_credit_def *d = sp_measure_def(m);
    const size_t n = env->pop->n;
    if (c->exhausted) {
        memset(c->mask, 0, n ? n : 1);
        return SP_OK;
    }
    loan_claim *cl = NULL;
    size_t nc = 0, room = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t w[4];
        int induced;
        if (!c->mask[i] || c->left[i] || !has_need(c, m, env, i, w))
            continue;
        const double amount = decide(c, d, env, i, w, &induced);
        if (!(amount > 0))
            continue;
        if (nc == room) {
            room = room ? 2 * room : 256;
            loan_claim *g = realloc(cl, room * sizeof *g);
            if (!g) {
                free(cl);
                return sp_err_set(err, SP_ENOMEM, "out of memory for the loans of \"%s\"", m->name);
            }
            cl = g;
        }
        uint32_t k[4];
        sp_rng_words(env->key, (uint32_t)i, (uint32_t)env->month, purpose_word(m->id), 1, k);
        cl[nc].key = sp_u01(k[0]);
        cl[nc].cost = (double)env->pop->weight[i] * sp_consumer_credit_commitment(d, amount);
        cl[nc].i = (uint32_t)i;
        nc++;
    }
    if (nc > 0)
        qsort(cl, nc, sizeof *cl, by_key_asc);
    const double budget = d->budget * SP_BUDGET_MARGIN;
    for (size_t r = 0; r < nc; r++) {
        if (!c->exhausted && c->committed + cl[r].cost <= budget) {
            c->committed += cl[r].cost;
            continue;
        }
        c->exhausted = 1; /* first come, first served: the programme stops lending here */
        c->mask[cl[r].i] = 0;
    }
    free(cl);
    return SP_OK;
}

/* A household with a loan: this month's instalment and interest subsidy. */
static void repay(credit_run *c, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    const sp_consumer_credit_def *d = sp_measure_def(m);
    const size_t i = h->i;
    const double sub = month_subsidy(d, c->balance[i], c->subsidy_paid[i]);
    int left = c->left[i];
    double interest;
    const double pay = sp_consumer_credit_pay(c->annuity[i], d->rate, &c->balance[i], &left, &interest);
    c->left[i] = (uint16_t)left;
    c->subsidy_paid[i] = (float)(c->subsidy_paid[i] + sub);
    sp_household_add(h, SP_M_REPAYMENTS, pay);
    if (sub > 0) {
        sp_household_add(h, SP_M_INTEREST_SUBSIDY, sub);
        sp_household_add(h, SP_M_GOV_COST, sub);
    }
    const unsigned all = (1u << SP_NCAT) - 1u;
    if (c->induced[i])
        sp_population_split(env->pop, i, all, -(pay - sub), h->spend);
    else if (sub > 0)
        sp_population_split(env->pop, i, all, sub * sp_population_mpc(env->pop, env->params->mpc, i), h->spend);
}

static void household(void *state, const sp_measure *m, const sp_run_env *env, sp_household *h)
{
    credit_run *c = state;
    const size_t i = h->i;
    if (c->left[i])
        repay(c, m, env, h);
    else if (c->window && c->mask[i])
        originate(c, m, env, h);
    if (c->left[i]) {
        sp_household_add(h, SP_M_CREDIT_BALANCE, c->balance[i]);
        sp_household_add(h, SP_M_BORROWERS, 1);
    }
}

static int validate(const void *def, sp_err *err) { return sp_consumer_credit_validate(def, err); }

static const char *filter_text(const void *def) { return ((const sp_consumer_credit_def *)def)->filter; }

static double budget_of(const void *def) { return ((const sp_consumer_credit_def *)def)->budget; }

const sp_measure_ops sp_consumer_credit_measure = {
    .budget = budget_of,
    .kind = "consumer_credit",
    .def_size = sizeof(sp_consumer_credit_def),
    .order = 55,
    .validate = validate,
    .filter = filter_text,
    .run_alloc = run_alloc,
    .run_free = run_free,
    .month_start = month_start,
    .mark = mark,
    .household = household,
};

int sp_package_add_consumer_credit(sp_package *p, const char *name, const sp_consumer_credit_def *d,
                                   sp_err *err)
{
    return sp_package_add(p, &sp_consumer_credit_measure, name, d, err);
}
