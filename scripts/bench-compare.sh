#!/usr/bin/env bash
# Side-by-side engine benchmark of the working tree against another revision:
# builds REV in a temporary worktree, then runs both benchmarks alternately
# (1,000,000 households x 36 months, one thread; each run is itself the best
# of three) ROUNDS times, and prints every figure and the best and median of
# each. Alternating runs see the same machine load, so the ratio is what to
# read on a shared machine; the CPU time of the engine runs (printed by this
# tree's benchmark program, which is built against REV's library where it
# compiles) varies less than the wall time when other work shares the cores.
#   scripts/bench-compare.sh REV [ROUNDS]     # e.g. scripts/bench-compare.sh 70d5205 5
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rev=${1:?usage: scripts/bench-compare.sh REV [ROUNDS]}
rounds=${2:-5}
"$root/scripts/build.sh"
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add -q --detach "$tmp/src" "$rev"
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DSPENDSIM_TESTS=OFF >/dev/null
# The working tree's benchmark program where it builds against REV's library
# (the same measurement, and the CPU time), else REV's own.
cp "$root/scripts/bench.c" "$tmp/src/scripts/bench.c"
if ! cmake --build "$tmp/build" --target spendsim_bench -j "$(nproc)" >/dev/null 2>&1; then
  git -C "$tmp/src" checkout -q -- scripts/bench.c
  cmake --build "$tmp/build" --target spendsim_bench -j "$(nproc)" >/dev/null
fi
old="$tmp/build/spendsim_bench"
new="${SPENDSIM_BUILD_DIR:-$root/build}/spendsim_bench"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "revision $rev against the working tree ($(git -C "$root" rev-parse --short HEAD)), $rounds rounds"
# "WALL CPU": the best wall time of the run's three, and the best CPU time
# ("-" where the benchmark does not print it)
ns() {
  "$1" 1000000 36 1 | awk '/engine, 1 thread/ {for (i = 1; i <= NF; i++) if ($i == "ns") {w = $(i - 1); break}}
                          /CPU time, 1 thread/ {c = $6} END {print w, (c == "" ? "-" : c)}'
}
a=() b=() ca=() cb=()
for ((k = 1; k <= rounds; k++)); do
  read -r x cx < <(ns "$old"); read -r y cy < <(ns "$new")
  a+=("$x"); b+=("$y"); ca+=("$cx"); cb+=("$cy")
  echo "round $k: $rev $x ns (CPU $cx), working tree $y ns (CPU $cy) per household-month"
done
summary() {
  [ "$1" = - ] && { printf 'not printed'; return; }
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "best %.1f, median %.1f", v[1], v[int((NR+1)/2)]}'
}
echo "$rev:         wall $(summary "${a[@]}"); CPU $(summary "${ca[@]}") ns per household-month"
echo "working tree: wall $(summary "${b[@]}"); CPU $(summary "${cb[@]}") ns per household-month"
