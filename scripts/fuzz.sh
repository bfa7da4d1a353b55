#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ (or $SPENDSIM_FUZZ_DIR),
# the whole tree instrumented, and runs each for SECONDS (default 30) from its
# seed corpus in tests/fuzz/corpus/<target>; what the fuzzer adds goes to a
# scratch corpus, never into the repository. Prints each target's coverage
# ("cov: N" = edges reached). Fails when a target crashes, leaks or trips a
# sanitizer; the input is left in the scratch directory (printed).
#   scripts/fuzz.sh            # 30 seconds per target
#   scripts/fuzz.sh 300 filter # one target, 5 minutes
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPENDSIM_FUZZ_DIR:-$root/build-fuzz}
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(filter microdata parse sandbox)
jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSPENDSIM_FUZZ=ON -DSPENDSIM_OPENMP=OFF >/dev/null
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}" >/dev/null
scratch=$(mktemp -d "${TMPDIR:-/tmp}/spendsim-fuzz.XXXXXX")
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  if ! (cd "$scratch" && "$build/tests/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
          -print_final_stats=1 "$scratch/$t" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1); then
    tail -40 "$log"
    echo "fuzz: fuzz_$t failed; input and log in $scratch" >&2
    exit 1
  fi
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$')
  echo "fuzz: fuzz_$t ${secs}s: $cov edges, $runs runs"
done
rm -rf "$scratch"
