/* run.h: one package x one replicate, stepped month by month.
 *
 * A run owns a copy of the population's dynamic state and everything it
 * writes; the population, package and parameters it reads must outlive it.
 * Households are processed in fixed blocks of SP_BLOCK households (in parallel
 * with OpenMP), each block's sums are kept apart and added in block order, so
 * results are bit-identical for any thread count. */
#ifndef SP_RUN_H
#define SP_RUN_H

#include "macro.h"
#include "package.h"
#include "params.h"
#include "population.h"
#include "results.h"
#include "rng.h"

#define SP_BLOCK 16384

typedef struct sp_run sp_run;

/* Prepares a run starting at calendar month start_month with the random key of
 * its replicate. threads <= 0 means one thread. NULL with err on failure. */
sp_run *sp_run_alloc(const sp_population *pop, const sp_package *pkg, const sp_params *params,
                     sp_rng_key key, int start_month, int threads, sp_err *err);

/* Sets the macro path (macro.h) that scales baseline spending from the next
 * step on; NULL (the default) is the growth trend. The path must cover the
 * months from the next step to last_month (SP_ERANGE otherwise, the path
 * unchanged) and outlive the run. */
int sp_run_set_macro(sp_run *run, const sp_macro_def *macro, int last_month, sp_err *err);

/* Simulates the next month and writes its aggregates, SP_NGROUP x SP_NMETRIC
 * doubles ([group][metric]), to out. */
int sp_run_step(sp_run *run, double *out, sp_err *err);

/* Calendar month the next step simulates. */
int sp_run_month(const sp_run *run);

/* Plate allocation statistics of the month last stepped (SP_NPLATESTAT
 * doubles, results.h); zeros without a regime or an allocation. */
const double *sp_run_plate_stats(const sp_run *run);

void sp_run_free(sp_run *run); /* NULL is a no-op */

/* Bytes per household a run keeps besides the population's dynamic state,
 * the car market's and the plate lottery's: its cell code (the household's
 * result cells, computed once). */
size_t sp_run_bytes_per_household(void);
#define SP_RUN_HAVE_BYTES_PER_HOUSEHOLD 1 /* for programs built against several revisions (benchmark) */

#endif
