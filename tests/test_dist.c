/* test_dist.c: the ranks an experiment's runs are spread over (core/dist.h).
 *
 * Run alone (ctest "dist"; the build without MPI, or a process no MPI
 * launcher started) it checks the one-rank identity: every run is this
 * rank's, the gather returns the status it is given, the end names rank 0
 * when it failed. tests/mpi/check_mpi.sh runs it under `mpirun -np 3` in the
 * MPI build, where the same tests check what every rank sees: each run's
 * slice copied to every rank, a run failing on one rank failing everywhere
 * with its message, the end naming the lowest failing rank, and ranks that
 * reach different steps all stopping (the last test: the ranks stay out of
 * step). With the argument "diverge" the last test has the ranks fall out
 * of step with no rank failing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dist.h"

static int R, N; /* this rank, the ranks */
static int diverge;

static sp_results *make(int npackages, int nreplicates, int nmonths)
{
    const char *names[] = {"a", "b", "c"};
    sp_err err;
    sp_results *res = sp_results_alloc(npackages, names, nreplicates, nmonths, 0, &err);
    assert_non_null(res);
    return res;
}

/* The value run k writes at position i of its cube (or plate) slice. */
static double val(int k, size_t i, int plates) { return k * 1e6 + (double)i * 0.5 + plates * 0.25; }

static size_t cube_slice(const sp_results *res) { return (size_t)res->nmonths * SP_NGROUP * SP_NMETRIC; }
static size_t plate_slice(const sp_results *res) { return (size_t)res->nmonths * SP_NPLATESTAT; }

/* Fills the runs this rank owns. */
static void fill_mine(sp_results *res)
{
    int runs = res->npackages * res->nreplicates;
    for (int k = 0; k < runs; k++) {
        if (!sp_dist_mine(k))
            continue;
        for (size_t i = 0; i < cube_slice(res); i++)
            res->cube[(size_t)k * cube_slice(res) + i] = val(k, i, 0);
        for (size_t i = 0; i < plate_slice(res); i++)
            res->plates[(size_t)k * plate_slice(res) + i] = val(k, i, 1);
    }
}

static void test_ranks(void **state)
{
    (void)state;
    assert_true(N >= 1);
    assert_true(R >= 0 && R < N);
    int mine = 0;
    for (long k = 0; k < 30; k++)
        mine += sp_dist_mine(k);
    assert_int_equal(mine, 30 / N + (R < 30 % N)); /* round-robin: run k is rank k % N's */
    assert_true(sp_dist_mine(R));
    if (N == 1) {
        assert_int_equal(sp_dist_threads_hint(), 0); /* OpenMP's default */
        assert_string_equal(sp_dist_message(), "");
    } else {
        assert_true(sp_dist_threads_hint() >= 1);
        assert_int_equal(sp_dist_mpi(), 1);
    }
}

static void check_gathered(int npackages, int nreplicates, int nmonths)
{
    sp_results *res = make(npackages, nreplicates, nmonths);
    fill_mine(res);
    sp_err err;
    sp_err_clear(&err);
    assert_int_equal(sp_dist_gather(res, SP_OK, &err), SP_OK);
    for (int k = 0; k < npackages * nreplicates; k++) {
        for (size_t i = 0; i < cube_slice(res); i++)
            assert_true(res->cube[(size_t)k * cube_slice(res) + i] == val(k, i, 0));
        for (size_t i = 0; i < plate_slice(res); i++)
            assert_true(res->plates[(size_t)k * plate_slice(res) + i] == val(k, i, 1));
    }
    sp_results_free(res);
}

static void test_gather_gives_every_rank_every_run(void **state)
{
    (void)state;
    check_gathered(2, 3, 4); /* 6 runs: two rounds over 3 ranks */
    check_gathered(3, 2, 1); /* 6 runs */
    check_gathered(1, 1, 2); /* fewer runs than ranks */
    check_gathered(3, 3, 3); /* 9 runs */
    check_gathered(1, 4, 2); /* a last round short of ranks */
}

static void test_a_failed_run_fails_every_rank_with_its_message(void **state)
{
    (void)state;
    sp_results *res = make(2, 2, 3);
    fill_mine(res);
    int bad = N - 1; /* the run of the last rank fails */
    sp_err err;
    sp_err_clear(&err);
    int status = R == bad ? sp_err_set(&err, SP_ENOMEM, "out of memory in run 3 on rank %d", bad)
                          : SP_OK;
    assert_int_equal(sp_dist_gather(res, status, &err), SP_ENOMEM);
    char want[64];
    snprintf(want, sizeof want, "out of memory in run 3 on rank %d", bad);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, SP_ENOMEM);
    sp_results_free(res);
}

static void test_finish_names_the_lowest_failing_rank(void **state)
{
    (void)state;
    assert_int_equal(sp_dist_finish(0), -1);       /* every rank succeeded */
    assert_int_equal(sp_dist_finish(R >= N / 2), N / 2);
    assert_int_equal(sp_dist_finish(1), 0);        /* all failed alike: rank 0 shows it */
    check_gathered(2, 2, 2); /* still in step */
}

/* Last: the last rank ends (with an error, or without one with "diverge")
 * while the others gather the next experiment; nobody waits forever. */
static void test_ranks_at_different_steps_all_stop(void **state)
{
    (void)state;
    sp_results *res = make(1, 2, 2);
    sp_err err;
    sp_err_clear(&err);
    int last = N - 1, reporter = diverge ? 0 : last;
    if (R == last) {
        assert_int_equal(sp_dist_finish(!diverge), N == 1 && diverge ? -1 : reporter);
    } else {
        assert_int_equal(sp_dist_gather(res, SP_OK, &err), SP_EINVAL);
        if (diverge && R == 0) {
            assert_non_null(strstr(err.msg, "the MPI ranks reached different steps"));
        } else {
            char want[64];
            snprintf(want, sizeof want, "stopped: MPI rank %d failed", reporter);
            assert_non_null(strstr(err.msg, want));
        }
    }
    if (N == 1) {
        sp_results_free(res);
        return;
    }
    /* Out of step: no more communication; every rank names the reporter. */
    assert_int_equal(sp_dist_gather(res, SP_OK, &err), SP_EINVAL);
    assert_int_equal(sp_dist_gather(res, SP_ENOMEM, &err), SP_ENOMEM); /* its own error kept */
    assert_int_equal(sp_dist_finish(0), reporter);
    assert_int_equal(sp_dist_finish(1), reporter);
    if (diverge)
        assert_non_null(strstr(sp_dist_message(), "different steps"));
    sp_results_free(res);
}

int main(int argc, char **argv)
{
    sp_err err;
    assert_int_equal(sp_dist_init(&argc, &argv, &err), SP_OK);
    assert_int_equal(sp_dist_init(&argc, &argv, &err), SP_OK); /* again: nothing */
    R = sp_dist_rank();
    N = sp_dist_size();
    diverge = argc > 1 && strcmp(argv[1], "diverge") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranks),
        cmocka_unit_test(test_gather_gives_every_rank_every_run),
        cmocka_unit_test(test_a_failed_run_fails_every_rank_with_its_message),
        cmocka_unit_test(test_finish_names_the_lowest_failing_rank),
        cmocka_unit_test(test_ranks_at_different_steps_all_stop),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sp_dist_end();
    sp_dist_end(); /* idempotent */
    return rc;
}
