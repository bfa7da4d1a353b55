#!/usr/bin/env bash
# Side-by-side benchmark of the population build: the working tree against
# another revision. Builds REV in a temporary worktree, then builds the full
# city (8,230,792 households, one thread) with each alternately, ROUNDS times,
# and prints every CPU time, the best and median of each, and whether the two
# populations are the same (SHA-256 of every column, printed by the benchmark).
# Alternating runs see the same machine load: on a shared machine read the
# ratio and the best times.
#   scripts/bench-population-compare.sh REV [ROUNDS] [HOUSEHOLDS]
#   e.g. scripts/bench-population-compare.sh 334a88b 8
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rev=${1:?usage: scripts/bench-population-compare.sh REV [ROUNDS] [HOUSEHOLDS]}
rounds=${2:-5}
households=${3:-8230792}
"$root/scripts/build.sh" >/dev/null
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add -q --detach "$tmp/src" "$rev"
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DSPENDSIM_TESTS=OFF >/dev/null
cmake --build "$tmp/build" --target spendsim_bench_population -j "$(nproc)" >/dev/null
old="$tmp/build/spendsim_bench_population"
new="${SPENDSIM_BUILD_DIR:-$root/build}/spendsim_bench_population"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "revision $rev against the working tree ($(git -C "$root" rev-parse --short HEAD)), $rounds rounds, $households households, 1 thread"
cpu() { sed -n 's/.*cpu \([0-9.]*\) s.*/\1/p' <<<"$1"; }
a=() b=()
for ((k = 1; k <= rounds; k++)); do
  x=$("$old" "$households" 1 1); y=$("$new" "$households" 1 1)
  a+=("$(cpu "$x")"); b+=("$(cpu "$y")")
  echo "round $k: $rev ${a[-1]} s, working tree ${b[-1]} s CPU (load $(cut -d' ' -f1 /proc/loadavg))"
done
summary() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "best %.3f s, median %.3f s", v[1], v[int((NR+1)/2)]}'; }
echo "$rev:         $(summary "${a[@]}")"
echo "working tree: $(summary "${b[@]}")"
if diff <(grep '^  ' <<<"$x") <(grep '^  ' <<<"$y") >/dev/null; then
  echo "populations: the same (SHA-256 of every column)"
else
  echo "populations: DIFFER"; diff <(grep '^  ' <<<"$x") <(grep '^  ' <<<"$y") || true
fi
