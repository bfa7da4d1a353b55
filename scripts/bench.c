/* bench.c: engine benchmark. Prints population build time, ns per
 * household-month of the monthly engine, and persistent bytes per household.
 *
 * usage: spendsim_bench [households] [months] [threads ...]
 * e.g.   spendsim_bench 1000000 36 1 2 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "spendsim.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
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
    printf("persistent state      %zu bytes per household\n", sp_population_bytes_per_household());
    sp_package *pkg = sp_package_alloc("Status quo", &err);
    int nthreads = argc > 3 ? argc - 3 : 1;
    for (int k = 0; k < nthreads; k++) {
        int threads = argc > 3 ? atoi(argv[3 + k]) : 1;
        sp_experiment_def d = sp_experiment_def_default();
        d.population = pop;
        d.packages[0] = pkg;
        d.npackages = 1;
        d.months = months;
        d.threads = threads;
        double a = now();
        sp_results *res = sp_experiment_run(&d, &err);
        double b = now();
        if (!res) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        printf("engine, %d thread%s    %.2f s for %d months: %.1f ns per household-month\n", threads,
               threads == 1 ? " " : "s", b - a, months, (b - a) / ((double)n * months) * 1e9);
        sp_results_free(res);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory  %.1f MiB\n", ru.ru_maxrss / 1024.0);
    sp_package_free(pkg);
    sp_population_free(pop);
    return 0;
}
