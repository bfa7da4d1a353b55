/* dist.c: the MPI ranks an experiment's runs are spread over (see dist.h).
 *
 * Built with SPENDSIM_MPI: MPI when the process was started by a launcher;
 * built without it: the identity (one rank of one), the whole of the second
 * half of this file. */
#if defined(SPENDSIM_MPI) && SPENDSIM_MPI
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif

#include "dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SPENDSIM_MPI) && SPENDSIM_MPI

#include <mpi.h>
#include <sched.h>
#include <unistd.h>

/* The control record every collective starts with, reduced with MPI_MIN:
 * each value and its negation, so the minimum and the maximum over the
 * ranks come out of one exchange; C_FAIL is the lowest failing rank (size
 * when none failed). */
enum { PHASE_GATHER = 1, PHASE_FINISH = 2 };
enum { C_PHASE, C_NPHASE, C_SEQ, C_NSEQ, C_RUNS, C_NRUNS, C_SLICE, C_NSLICE, C_FAIL, C_N };

static struct {
    int on;          /* sp_dist_init joined the ranks */
    int started;     /* ... and started MPI, so sp_dist_end finalises it */
    MPI_Comm comm;   /* a duplicate of MPI_COMM_WORLD: our messages never meet the program's */
    int rank, size;  /* 0 and 1 unless on */
    int local;       /* ranks on this node */
    int seq;         /* collectives done so far: every rank in step has the same count */
    int out_of_step; /* the ranks reached different steps: no more communication */
    int reporter;    /* then: the rank that shows the failure */
    char message[SP_ERR_MSG_MAX]; /* then, when no rank failed: why they stopped */
} D = {0, 0, 0, 0, 1, 1, 0, 0, -1, ""};

int sp_dist_mpi(void) { return 1; }

/* 1 when an MPI launcher started this process (Open MPI's mpirun, MPICH's
 * Hydra and PMI-based launchers such as srun set one of these). */
static int launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"};
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
        if (getenv(vars[k]))
            return 1;
    return 0;
}

int sp_dist_init(int *argc, char ***argv, sp_err *err)
{
    int inited = 0, finalized = 0;
    if (D.on)
        return SP_OK;
    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (finalized || (!inited && !launched()))
        return SP_OK; /* one rank of one */
    if (!inited) {
        int provided = 0;
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return sp_err_set(err, SP_EIO, "MPI could not be initialised (MPI_Init_thread)");
        D.started = 1;
    }
    MPI_Comm_dup(MPI_COMM_WORLD, &D.comm);
    MPI_Comm_rank(D.comm, &D.rank);
    MPI_Comm_size(D.comm, &D.size);
    MPI_Comm node;
    MPI_Comm_split_type(D.comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &D.local);
    MPI_Comm_free(&node);
    D.on = 1;
    return SP_OK;
}

void sp_dist_end(void)
{
    if (!D.on)
        return;
    MPI_Comm_free(&D.comm);
    if (D.started)
        MPI_Finalize();
    D.on = D.started = 0;
    D.rank = 0;
    D.size = D.local = 1;
}

int sp_dist_rank(void) { return D.rank; }
int sp_dist_size(void) { return D.size; }
int sp_dist_mine(long k) { return k % D.size == D.rank; }
const char *sp_dist_message(void) { return D.message; }

int sp_dist_threads_hint(void)
{
    if (D.size <= 1)
        return 0;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    long per_rank = (online > 0 ? online : 1) / D.local;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < per_rank)
        per_rank = CPU_COUNT(&set); /* the launcher bound this rank to fewer processors */
    return per_rank < 1 ? 1 : (int)per_rank;
}

/* One exchange of the control record; c gets the reduced record. */
static void control(int phase, int runs, int slice, int failed, int c[C_N])
{
    int mine[C_N] = {phase, -phase, D.seq, -D.seq, runs, -runs, slice, -slice,
                     failed ? D.rank : D.size};
    MPI_Allreduce(mine, c, C_N, MPI_INT, MPI_MIN, D.comm);
    D.seq++;
}

static int in_step(const int c[C_N])
{
    return c[C_PHASE] == -c[C_NPHASE] && c[C_SEQ] == -c[C_NSEQ] && c[C_RUNS] == -c[C_NRUNS] &&
           c[C_SLICE] == -c[C_NSLICE];
}

/* The ranks reached different steps: records who reports, and why when no
 * rank failed. */
static void fall_out(const int c[C_N])
{
    D.out_of_step = 1;
    D.reporter = c[C_FAIL] < D.size ? c[C_FAIL] : 0;
    if (c[C_FAIL] == D.size)
        snprintf(D.message, sizeof D.message,
                 "the MPI ranks reached different steps of the scenario and stopped (a scenario "
                 "must take the same steps on every rank: only rank 0 writes files, so it must "
                 "not branch on whether a write succeeded)");
}

/* The error of a rank that stops because another rank failed or the ranks
 * fell out of step. */
static int stopped(sp_err *err)
{
    if (D.message[0] && D.reporter == D.rank)
        return sp_err_set(err, SP_EINVAL, "%s", D.message);
    return sp_err_set(err, SP_EINVAL, "stopped: MPI rank %d failed (its message is shown)",
                      D.reporter);
}

int sp_dist_gather(sp_results *res, int status, sp_err *err)
{
    if (!D.on || D.size == 1)
        return status;
    if (D.out_of_step)
        return status != SP_OK ? status : stopped(err);
    int runs = res->npackages * res->nreplicates;
    int slice = res->nmonths * SP_NGROUP * SP_NMETRIC, pslice = res->nmonths * SP_NPLATESTAT;
    int *counts = malloc(2 * (size_t)D.size * sizeof *counts);
    if (!counts && status == SP_OK) /* fails this rank's experiment, on every rank */
        status = sp_err_set(err, SP_ENOMEM, "out of memory gathering the runs over %d MPI ranks",
                            D.size);
    int c[C_N];
    control(PHASE_GATHER, runs, slice, status != SP_OK, c);
    if (!in_step(c)) {
        fall_out(c);
        free(counts);
        return status != SP_OK && D.reporter == D.rank ? status : stopped(err);
    }
    if (c[C_FAIL] < D.size) { /* a run failed: the lowest failing rank's error, everywhere */
        sp_err e;
        sp_err_clear(&e);
        if (D.rank == c[C_FAIL]) {
            if (err)
                e = *err;
            e.code = status;
        }
        MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, c[C_FAIL], D.comm);
        if (err)
            *err = e;
        free(counts);
        return e.code;
    }
    /* Round t moves runs t*size .. t*size + size - 1, one per rank, which are
     * adjacent in the cube (run k at k * slice): in place, no copy. */
    int *displs = counts + D.size;
    MPI_Datatype tc, tp;
    MPI_Type_contiguous(slice, MPI_DOUBLE, &tc);
    MPI_Type_contiguous(pslice, MPI_DOUBLE, &tp);
    MPI_Type_commit(&tc);
    MPI_Type_commit(&tp);
    for (int first = 0; first < runs; first += D.size) {
        for (int j = 0; j < D.size; j++) {
            counts[j] = first + j < runs;
            displs[j] = j;
        }
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, res->cube + (size_t)first * slice,
                       counts, displs, tc, D.comm);
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, res->plates + (size_t)first * pslice,
                       counts, displs, tp, D.comm);
    }
    MPI_Type_free(&tc);
    MPI_Type_free(&tp);
    free(counts);
    return SP_OK;
}

int sp_dist_finish(int failed)
{
    if (!D.on || D.size == 1)
        return failed ? D.rank : -1;
    if (D.out_of_step)
        return D.reporter;
    int c[C_N];
    control(PHASE_FINISH, 0, 0, failed, c);
    if (!in_step(c)) {
        fall_out(c);
        return D.reporter;
    }
    return c[C_FAIL] < D.size ? c[C_FAIL] : -1;
}

#else /* one rank of one */

int sp_dist_mpi(void) { return 0; }

int sp_dist_init(int *argc, char ***argv, sp_err *err)
{
    (void)argc;
    (void)argv;
    (void)err;
    return SP_OK;
}

void sp_dist_end(void) {}
int sp_dist_rank(void) { return 0; }
int sp_dist_size(void) { return 1; }
int sp_dist_mine(long k) { return k >= 0; }
int sp_dist_threads_hint(void) { return 0; }
const char *sp_dist_message(void) { return ""; }

int sp_dist_gather(sp_results *res, int status, sp_err *err)
{
    (void)res;
    (void)err;
    return status;
}

int sp_dist_finish(int failed) { return failed ? 0 : -1; }

#endif
