#!/usr/bin/env bash
# check_mpi.sh: the MPI build (-DSPENDSIM_MPI=ON) against the serial program.
#   check_mpi.sh SPENDSIM TEST_DIST SOURCE_DIR WORK_DIR
# 1. test_dist (core/dist.c's collectives) under mpirun -np 3, once with a
#    failing rank and once with ranks falling out of step without an error.
# 2. Every scenario in scenarios/ at a tiny size (households=2000,
#    replicates=2 where the scenario declares them) run serially, then under
#    1, 2 and 4 ranks with 1 and 2 threads: the output directories are
#    byte-identical to the serial one (manifest.json and HTML reports after
#    their "date" lines are removed) and so is standard output (rank 0 alone
#    prints).
# 3. A scenario error every rank raises, and one only rank 0 raises (a write
#    that fails: only rank 0 writes), end every rank with a non-zero exit and
#    the message shown once.
# The machine may have fewer cores than ranks x threads: ranks are
# oversubscribed, which is fine for correctness (not for timings).
# SPENDSIM_MPI_QUICK=1 runs only 2 ranks x 2 threads for step 2.
set -euo pipefail
cli=$1 test_dist=$2 src=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
cd "$work"

if [ "$(id -u)" -eq 0 ]; then # containers and CI run as root
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# One machine: shared memory between ranks, no network probing; no binding,
# so a rank's threads may use every core.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_hwloc_base_binding_policy=none
mpi() { timeout 300 mpirun -np "$@"; }

fail() { echo "check_mpi: FAIL: $*" >&2; exit 1; }

echo "check_mpi: test_dist under 3 ranks" >&2
mpi 3 "$test_dist" > dist.out 2>&1 || { cat dist.out; fail "test_dist under 3 ranks"; }
mpi 3 "$test_dist" diverge > dist_diverge.out 2>&1 || { cat dist_diverge.out; fail "test_dist diverge"; }
[ "$(grep -c '\[  PASSED  \] 5 test(s)' dist.out)" = 3 ] || { cat dist.out; fail "not every rank passed"; }

# A scenario's output directory without the lines that carry the date.
normalise() {
  local dir=$1
  find "$dir" -type f \( -name manifest.json -o -name '*.html' \) -print0 |
    while IFS= read -r -d '' f; do
      grep -v -E '"date"|[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}' "$f" > "$f.tmp" || true
      mv "$f.tmp" "$f"
    done
}

if [ "${SPENDSIM_MPI_QUICK:-0}" = 1 ]; then
  combos="2x2"
else
  combos="1x1 1x2 2x1 2x2 4x1 4x2"
fi
for scen in "$src"/scenarios/*.lua; do
  name=$(basename "$scen" .lua)
  # the keys of the scenario's sp.params{...} block
  declared=$(awk '/sp\.params[[:space:]]*\{/ { p = 1 } p { print } p && /^\}/ { exit }' "$scen")
  set_args=()
  grep -qE '^[[:space:]]+households[[:space:]]*=' <<< "$declared" && set_args+=(--set households=2000)
  grep -qE '^[[:space:]]+replicates[[:space:]]*=' <<< "$declared" && set_args+=(--set replicates=2)
  "$cli" run "$scen" --out "ref_$name" --threads 1 "${set_args[@]}" > "ref_$name.stdout" \
    || fail "$name: the serial run failed"
  normalise "ref_$name"
  for c in $combos; do
    np=${c%x*} nt=${c#*x}
    out="${name}_np${np}_t${nt}"
    mpi "$np" "$cli" run "$scen" --out "$out" --threads "$nt" "${set_args[@]}" > "$out.stdout" \
      || fail "$name: $np ranks x $nt threads failed"
    normalise "$out"
    diff -r "ref_$name" "$out" > /dev/null || { diff -r "ref_$name" "$out" | head -20; \
      fail "$name: outputs under $np ranks x $nt threads differ from the serial run"; }
    cmp -s "ref_$name.stdout" "$out.stdout" || { diff "ref_$name.stdout" "$out.stdout" | head; \
      fail "$name: standard output under $np ranks x $nt threads differs (rank 0 alone prints)"; }
  done
  echo "check_mpi: $name identical under $combos (ranks x threads)" >&2
done

# Failures: a non-zero exit, the message shown exactly once, no rank left waiting.
expect_once() { # np scenario message
  local np=$1 scen=$2 msg=$3 out="fail_$(basename "$2" .lua)_$1"
  rm -rf "$out"
  mkdir -p "$out"
  : > "$out/blocker" # a file where fail_rank0.lua wants a folder
  local rc=0 n
  mpi "$np" "$cli" run "$scen" --out "$out" > "$out.stdout" 2> "$out.stderr" || rc=$?
  [ "$rc" -ne 0 ] || fail "$scen under $np ranks: exit status 0"
  [ "$rc" -ne 124 ] || fail "$scen under $np ranks: timed out (a rank waited forever)"
  n=$(grep -c -F -- "$msg" "$out.stderr" || true)
  [ "$n" = 1 ] || { cat "$out.stderr"; fail "$scen under $np ranks: message shown $n times, not once"; }
  n=$(grep -c '^spendsim: ' "$out.stderr" || true)
  [ "$n" = 1 ] || { cat "$out.stderr"; fail "$scen under $np ranks: $n messages, not one"; }
}
for np in 2 4; do
  expect_once "$np" "$src/tests/mpi/fail_everywhere.lua" \
    "fail_everywhere.lua:8: deliberate failure on every rank"
  expect_once "$np" "$src/tests/mpi/fail_rank0.lua" "fail_rank0.lua:13: rank 0 could not write: "
done
echo "check_mpi: failures end every rank, shown once" >&2
echo "check_mpi: ok"
