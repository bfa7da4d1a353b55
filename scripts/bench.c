/* bench.c: engine benchmark. Prints population build time, ns per
 * household-month of the monthly engine, and persistent bytes per household.
 *
 * usage: spendsim_bench [households] [months] [threads ...]
 *        spendsim_bench plates [applicants] [quota]
 *        spendsim_bench rng                (batched Philox draws at each vector level)
 *        spendsim_bench measures [households] [months]  (cost of the trade-in and credit measures)
 *        spendsim_bench steps [households] [months] [runs]  (each month's step timed alone)
 * e.g.   spendsim_bench 1000000 36 1 2
 *        spendsim_bench plates 3300000 6367   (one lottery round, 2020-02 size) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "spendsim.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the process: with one thread, the time the engine ran,
 * whatever else the machine runs. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sort3(double t[3])
{
    for (int x = 0; x < 3; x++)
        for (int y = x + 1; y < 3; y++)
            if (t[y] < t[x]) {
                double z = t[x];
                t[x] = t[y];
                t[y] = z;
            }
}

/* One ordinary-lottery round: keys for every applicant from its own stream,
 * then the exact weighted top-k (core/plates.h), as sp_plates_round does. */
static int bench_plates(size_t n, double quota)
{
    sp_plate_cand *c = malloc(n * sizeof *c);
    if (!c)
        return 1;
    sp_rng_key key = sp_rng_key_make(7, 0);
    int month = sp_month_make(2020, 2);
    double best = 1e9, best_keys = 0, best_sel = 0;
    size_t nwin = 0;
    double allocated = 0;
    for (int rep = 0; rep < 5; rep++) {
        double a = now();
        for (size_t i = 0; i < n; i++) {
            double w = 1.0 + (double)(i % 5); /* ladder steps 1..5 */
            c[i].key = sp_plates_lottery_key(key, (uint32_t)i, month, 0, w);
            c[i].id = (uint32_t)i;
            c[i].plates = 1.0f;
        }
        double b = now();
        sp_plates_select(c, n, quota, &nwin, &allocated);
        double e = now();
        if (e - a < best) {
            best = e - a;
            best_keys = b - a;
            best_sel = e - b;
        }
    }
    printf("plate lottery round   %zu applicants, quota %.0f: %zu winners, %.0f plates\n", n, quota,
           nwin, allocated);
    printf("                      %.3f s (keys %.3f s, selection %.3f s), best of 5, one thread\n",
           best, best_keys, best_sel);
    free(c);
    return 0;
}

/* ns per household of sp_rng_words_batch over chunks of 256 households, at
 * each vector level the CPU has (best of 5 passes over 1M households). */
static int bench_rng(void)
{
    static uint32_t out[256][4];
    sp_rng_key key = sp_rng_key_make(7, 0);
    volatile uint32_t sink = 0; /* keeps the work from being optimised away */
    for (int level = SP_SIMD_AVX512; level >= SP_SIMD_PORTABLE; level--) {
        sp_simd_cap(level);
        if (sp_simd_level() != level)
            continue;
        double best = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double a = now();
            for (uint32_t b = 0; b < 4096; b++) {
                sp_rng_words_batch(key, b * 256u, 256, 24240, SP_PURPOSE_SPENDING, 0, out);
                sink += out[b & 255][b & 3];
            }
            double t = (now() - a) / (4096.0 * 256.0) * 1e9;
            best = t < best ? t : best;
        }
        printf("philox batch %-8s  %.2f ns per household call (best of 5)\n", sp_simd_name(), best);
    }
    sp_simd_cap(-1);
    return 0;
}


/* The cost of the durables and credit measures when active: the status quo,
 * then a package with an appliance trade-in (the 2024 rule over the first
 * half of the horizon, unlimited budget, then the households whose stocks
 * diverged) and one with a general consumer credit product offered over the
 * whole horizon; best of three one-thread runs each. */
static int bench_measures(size_t n, int months)
{
    sp_err err;
    sp_beijing_def def = sp_beijing_def_default();
    def.households = n;
    def.seed = 7;
    sp_population *pop = sp_beijing_build(&def, &err);
    if (!pop) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    const int start = sp_month_make(2024, 1);
    sp_package *pk[3] = {sp_package_alloc("Status quo", &err), sp_package_alloc("Trade-in", &err),
                         sp_package_alloc("Credit", &err)};
    sp_appliance_tradein_def a = sp_appliance_tradein_def_default();
    a.start_month = start;
    a.end_month = start + months / 2 - 1;
    sp_consumer_credit_def c = sp_consumer_credit_def_default();
    c.purpose = SP_CREDIT_GENERAL;
    c.start_month = start;
    c.end_month = start + months - 1;
    if (sp_package_add_appliance_tradein(pk[1], "trade-in", &a, &err) != SP_OK ||
        sp_package_add_consumer_credit(pk[2], "credit", &c, &err) != SP_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    double base = 0;
    for (int k = 0; k < 3; k++) {
        double best = 1e300;
        for (int rep = 0; rep < 3; rep++) {
            sp_experiment_def d = sp_experiment_def_default();
            d.population = pop;
            d.packages[0] = pk[k];
            d.npackages = 1;
            d.start_month = start;
            d.months = months;
            d.threads = 1;
            double t0 = now();
            sp_results *res = sp_experiment_run(&d, &err);
            double t = now() - t0;
            if (!res) {
                fprintf(stderr, "bench: %s\n", err.msg);
                return 1;
            }
            sp_results_free(res);
            best = t < best ? t : best;
        }
        const double per = best / ((double)n * months) * 1e9;
        if (k == 0)
            base = per;
        printf("%-12s 1 thread, best of 3: %.2f s for %zu households x %d months: %.1f ns per "
               "household-month (+%.1f)\n", pk[k]->name, best, n, months, per, per - base);
    }
    for (int k = 0; k < 3; k++)
        sp_package_free(pk[k]);
    sp_population_free(pop);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The status-quo engine one month at a time: each sp_run_step timed alone
 * (CPU time of the process; one thread), over `runs` runs of `months`
 * months. On a shared machine the fastest steps are those no other work
 * disturbed, so the minimum and the lower quartile move less than a whole
 * run's time; the run's set-up (sp_run_alloc) is timed apart. */
static int bench_steps(size_t n, int months, int runs)
{
    sp_err err;
    sp_beijing_def def = sp_beijing_def_default();
    def.households = n;
    def.seed = 7;
    sp_population *pop = sp_beijing_build(&def, &err);
    sp_package *pkg = pop ? sp_package_alloc("Status quo", &err) : NULL;
    double *t = malloc((size_t)(months > 0 ? months : 1) * (size_t)(runs > 0 ? runs : 1) * sizeof *t);
    double *out = malloc(SP_NGROUP * SP_NMETRIC * sizeof *out);
    if (!pop || !pkg || !t || !out || months < 1 || runs < 1) {
        fprintf(stderr, "bench: %s\n", pop && pkg ? "bad arguments or out of memory" : err.msg);
        return 1;
    }
    const sp_params prm = sp_params_default();
    const sp_rng_key key = sp_rng_key_make(1, 0);
    double setup = 1e300;
    size_t nt = 0;
    for (int k = 0; k < runs; k++) {
        double c0 = cpu_now();
        sp_run *r = sp_run_alloc(pop, pkg, &prm, key, sp_month_make(2019, 1), 1, &err);
        if (!r) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        double c1 = cpu_now();
        setup = c1 - c0 < setup ? c1 - c0 : setup;
        for (int m = 0; m < months; m++) {
            double a = cpu_now();
            if (sp_run_step(r, out, &err) != SP_OK) {
                fprintf(stderr, "bench: %s\n", err.msg);
                return 1;
            }
            t[nt++] = cpu_now() - a;
        }
        sp_run_free(r);
    }
    qsort(t, nt, sizeof *t, cmp_double);
    const double per = 1e9 / (double)n;
    printf("vector paths          %s\n", sp_simd_name());
    printf("steps, 1 thread       %zu households, %d runs x %d months: ns per household-month "
           "min %.2f, lower quartile %.2f, median %.2f\n",
           n, runs, months, t[0] * per, t[nt / 4] * per, t[nt / 2] * per);
    printf("run set-up            best %.2f ns per household (%.2f per household-month over %d months)\n",
           setup * per, setup * per / months, months);
    free(t);
    free(out);
    sp_package_free(pkg);
    sp_population_free(pop);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "rng") == 0)
        return bench_rng();
    if (argc > 1 && strcmp(argv[1], "measures") == 0)
        return bench_measures(argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 200000,
                              argc > 3 ? atoi(argv[3]) : 24);
    if (argc > 1 && strcmp(argv[1], "steps") == 0)
        return bench_steps(argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000000,
                           argc > 3 ? atoi(argv[3]) : 36, argc > 4 ? atoi(argv[4]) : 3);
    if (argc > 1 && strcmp(argv[1], "plates") == 0)
        return bench_plates(argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 3300000,
                            argc > 3 ? atof(argv[3]) : 6367);
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int months = argc > 2 ? atoi(argv[2]) : 36;
    sp_err err;
    sp_beijing_def def = sp_beijing_def_default();
    def.households = n;
    def.seed = 7;
    double t0 = now();
    sp_population *pop = sp_beijing_build(&def, &err);
    if (!pop) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    double t1 = now();
    printf("households            %zu (weight %.3f)\n", n, pop->weight[0]);
    printf("population build      %.2f s (%.0f ns per household)\n", t1 - t0, (t1 - t0) / n * 1e9);
    size_t bp = sp_population_bytes_per_household(), bc = sp_cars_bytes_per_household(),
           bl = sp_plates_bytes_per_household();
#ifdef SP_RUN_HAVE_BYTES_PER_HOUSEHOLD
    size_t br = sp_run_bytes_per_household();
#else
    size_t br = 0; /* revisions before the run's cell code (scripts/bench-compare.sh) */
#endif
    printf("persistent state      %zu bytes per household (population columns and dynamic state %zu,\n"
           "                      car market %zu, plate lottery %zu, run's cell code %zu)\n",
           bp + bc + bl + br, bp, bc, bl, br);
    sp_package *pkg = sp_package_alloc("Status quo", &err);
    int nthreads = argc > 3 ? argc - 3 : 1;
    const int reps = 3; /* the machine may be shared: best and median of three runs */
    printf("vector paths          %s\n", sp_simd_name());
    for (int k = 0; k < nthreads; k++) {
        int threads = argc > 3 ? atoi(argv[3 + k]) : 1;
        double t[3], c[3];
        for (int rep = 0; rep < reps; rep++) {
            sp_experiment_def d = sp_experiment_def_default();
            d.population = pop;
            d.packages[0] = pkg;
            d.npackages = 1;
            d.months = months;
            d.threads = threads;
            double a = now(), ca = cpu_now();
            sp_results *res = sp_experiment_run(&d, &err);
            t[rep] = now() - a;
            c[rep] = cpu_now() - ca;
            if (!res) {
                fprintf(stderr, "bench: %s\n", err.msg);
                return 1;
            }
            sp_results_free(res);
        }
        sort3(t);
        sort3(c);
        double per = (double)n * months;
        printf("engine, %d thread%s    best %.2f s for %d months: %.1f ns per household-month "
               "(median of %d: %.1f)\n",
               threads, threads == 1 ? " " : "s", t[0], months, t[0] / per * 1e9, reps, t[1] / per * 1e9);
        if (threads == 1) /* on a shared machine CPU time is the steadier figure */
            printf("  CPU time, 1 thread  best %.1f ns per household-month (median of %d: %.1f)\n",
                   c[0] / per * 1e9, reps, c[1] / per * 1e9);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory  %.1f MiB\n", ru.ru_maxrss / 1024.0);
    sp_package_free(pkg);
    sp_population_free(pop);
    return 0;
}
