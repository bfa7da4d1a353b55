/* dist.h: the processes (MPI ranks) an experiment's runs are spread over.
 *
 * Mode A (docs/scaling.md): under `mpirun -np R`, every rank runs the whole
 * scenario (same population, same packages, same Lua); the runs of an
 * experiment (package x replicate, numbered k = package * replicates +
 * replicate) are dealt round-robin, run k to rank k % R, each computed whole
 * by its rank with that rank's threads, by exactly the code of a serial run;
 * then sp_dist_gather copies every run's slice of the results cube and of the
 * plate statistics to every rank. So every rank holds the same results and
 * the scenario goes on identically everywhere, and results are bit-identical
 * for any number of ranks and threads by construction.
 *
 * Without MPI (the build option SPENDSIM_MPI off, the default), in a program
 * that has not called sp_dist_init, or in a process not started by an MPI
 * launcher, there is one rank of one: sp_dist_mine is always 1 and
 * sp_dist_gather returns the status it is given. That is the serial program.
 *
 * The state of this module (rank, size, the communicator, whether the ranks
 * have fallen out of step) is the process's MPI state: it is set by
 * sp_dist_init and read by the rest of the core; nothing else in the core
 * is process-global.
 *
 * Collectives and failures. sp_dist_gather and sp_dist_finish are collective:
 * every rank must reach them in the same order. Each starts with one
 * exchange of a small control record (which step, its sequence number, the
 * experiment's shape, whether this rank failed), so
 *   - a run that fails on one rank fails the experiment on every rank with
 *     that rank's message (ranks stay in step);
 *   - ranks that reach different steps (one rank ended the scenario with an
 *     error, e.g. a file only rank 0 writes could not be written, while the
 *     others went on to the next experiment) all stop: the failing rank
 *     shows its message, the others stop without one, none waits forever.
 * After such a stop the ranks are "out of step": later collectives return an
 * error at once, without communicating. */
#ifndef SP_DIST_H
#define SP_DIST_H

#include <stddef.h>

#include "results.h"
#include "status.h"

/* 1 when the core was built with MPI (SPENDSIM_MPI), else 0. */
int sp_dist_mpi(void);

/* Joins the ranks: initialises MPI (MPI_Init_thread, funneled: only the
 * calling thread talks to MPI) when the core was built with MPI and the
 * process was started by an MPI launcher (mpirun, mpiexec, srun: it sets
 * OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK), or adopts MPI when the
 * program already initialised it. Otherwise, and when called again, does
 * nothing. Returns SP_OK. */
int sp_dist_init(int *argc, char ***argv, sp_err *err);

/* Ends MPI when sp_dist_init started it (MPI_Finalize). Idempotent. */
void sp_dist_end(void);

/* This process's rank, 0..size-1, and the number of ranks (1 without MPI). */
int sp_dist_rank(void);
int sp_dist_size(void);

/* 1 when this rank computes run k of an experiment (k % size == rank). */
int sp_dist_mine(long k);

/* Threads an experiment should use on this rank when none were asked for:
 * the processors this process may run on, shared with the other ranks of
 * its node; 0 (no advice: OpenMP's default) with one rank. */
int sp_dist_threads_hint(void);

/* Collective, after every rank computed its runs of res (sp_dist_mine):
 * `status` is this rank's (SP_OK, or the error of its failed run, whose
 * message is in err). With every rank in step and every run done, copies
 * each run's cube and plate slices from its rank to all and returns SP_OK.
 * When a run failed on some rank, returns on every rank the error of the
 * lowest failing rank, with its message in err. When the ranks are out of
 * step (see above), returns SP_EINVAL: a failing rank keeps its own message,
 * the others get "stopped: rank N failed". res->cube and res->plates must
 * have the same shape on every rank. */
int sp_dist_gather(sp_results *res, int status, sp_err *err);

/* Collective, once at the end of the program (failed: 1 when this rank's
 * scenario failed). Returns the rank that is to show the failure (the lowest
 * failing rank; when the ranks were out of step, the rank recorded then), or
 * -1 when every rank succeeded. The failing rank shows its own message; when
 * the returned rank did not fail itself (the ranks fell out of step with no
 * error), sp_dist_message says why. */
int sp_dist_finish(int failed);

/* The message of a stop that no error explains ("" when none). */
const char *sp_dist_message(void);

#endif
