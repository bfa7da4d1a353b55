/* bench_population.c: population build benchmark and column fingerprint.
 *
 * usage: spendsim_bench_population HOUSEHOLDS [THREADS] [REPEATS]
 *        spendsim_bench_population load FILE.spop [REPEATS]
 *        spendsim_bench_population save HOUSEHOLDS FILE.spop
 * Prints the best wall time of REPEATS builds of the embedded Beijing
 * population (ns per household) and the SHA-256 of every column, so two
 * builds (two commits, two thread counts) can be compared column by column.
 * Compiled with -DSP_BENCH_NO_SPOP it uses only the API older commits have
 * (docs/performance.md compares the old and new builds side by side). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spendsim.h"
#ifndef SP_BENCH_NO_SPOP
#include "spop.h"
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void col(const char *name, const void *p, size_t bytes)
{
    char h[65];
    sp_sha256_hex(p, bytes, h);
    printf("  %-16s %.16s\n", name, h);
}

static void fingerprint(const sp_population *p)
{
    size_t n = p->n;
    printf("label: %s\n", p->label);
    printf("total_weight %.17g base %d/%d\n", p->total_weight, p->base_year, p->base_month);
    col("weight", p->weight, n * sizeof *p->weight);
    col("income", p->income, n * sizeof *p->income);
    col("consumption", p->consumption, n * sizeof *p->consumption);
    col("size", p->size, n);
    col("area", p->area, n);
    col("liquidity", p->liquidity, n);
    col("quintile", p->quintile, n);
    col("ranks", p->ranks, n);
    col("drivers", p->drivers, n);
    col("eligible", p->eligible, n);
    col("generations", p->generations, n);
    col("shares", p->shares, n * SP_NCAT * sizeof *p->shares);
    col("ncars", p->state.ncars, n);
    for (int k = 0; k < SP_MAX_CARS; k++) {
        col(k ? "car_age[1]" : "car_age[0]", p->state.car_age[k], n * sizeof(uint16_t));
        col(k ? "car_kind[1]" : "car_kind[0]", p->state.car_kind[k], n);
    }
    col("plate_state", p->state.plate_state, n);
    col("applicants", p->state.applicants, n);
    col("plate_months", p->state.plate_months, n * sizeof(uint16_t));
    col("engel_a", p->engel_a, sizeof p->engel_a);
    col("engel_b", p->engel_b, sizeof p->engel_b);
    col("engel_lnref", &p->engel_lnref, sizeof p->engel_lnref);
}

int main(int argc, char **argv)
{
    sp_err err;
    sp_err_clear(&err);
#ifndef SP_BENCH_NO_SPOP
    if (argc >= 3 && strcmp(argv[1], "load") == 0) {
        int reps = argc > 3 ? atoi(argv[3]) : 3;
        double best = 1e9;
        sp_population *p = NULL;
        for (int r = 0; r < reps; r++) {
            sp_population_free(p);
            double a = now();
            p = sp_spop_load(argv[2], &err);
            double b = now();
            if (!p) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            if (b - a < best)
                best = b - a;
        }
        printf("load %s: %zu households, best of %d %.4f s (%.1f ns per household)\n", argv[2], p->n,
               reps, best, best * 1e9 / (double)p->n);
        fingerprint(p);
        sp_population_free(p);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "save") == 0) {
        sp_beijing_def d = sp_beijing_def_default();
        d.households = (size_t)atof(argv[2]);
        sp_population *p = sp_beijing_build(&d, &err);
        double a = now();
        if (!p || sp_spop_save(p, argv[3], NULL, &err) != SP_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        printf("save %s: %.4f s\n", argv[3], now() - a);
        sp_population_free(p);
        return 0;
    }
#endif
    if (argc < 2) {
        fprintf(stderr, "usage: %s HOUSEHOLDS [THREADS] [REPEATS]\n", argv[0]);
        return 2;
    }
    sp_beijing_def d = sp_beijing_def_default();
    d.households = (size_t)atof(argv[1]);
#ifndef SP_BENCH_NO_SPOP
    d.threads = argc > 2 ? atoi(argv[2]) : 1;
#endif
    int reps = argc > 3 ? atoi(argv[3]) : 1;
    double best = 1e9, best_cpu = 1e9;
    sp_population *p = NULL;
    for (int r = 0; r < reps; r++) {
        sp_population_free(p);
        double a = now(), ac = cpu();
        p = sp_beijing_build(&d, &err);
        double b = now(), bc = cpu();
        if (!p) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        if (b - a < best)
            best = b - a;
        if (bc - ac < best_cpu)
            best_cpu = bc - ac;
    }
    printf("build %zu households: best of %d: wall %.3f s (%.1f ns per household), "
           "cpu %.3f s (%.1f ns per household)\n", d.households, reps, best,
           best * 1e9 / (double)d.households, best_cpu, best_cpu * 1e9 / (double)d.households);
    fingerprint(p);
    sp_population_free(p);
    return 0;
}
