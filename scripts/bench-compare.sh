#!/usr/bin/env bash
# Side-by-side engine benchmark of the working tree against another revision:
# builds REV in a temporary worktree, then runs both benchmarks alternately
# (1,000,000 households x 36 months, one thread; each run is itself the best
# of three) ROUNDS times, and prints every figure and the best and median of
# each. Alternating runs see the same machine load, so the ratio is what to
# read on a shared machine.
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
cmake --build "$tmp/build" --target spendsim_bench -j "$(nproc)" >/dev/null
old="$tmp/build/spendsim_bench"
new="${SPENDSIM_BUILD_DIR:-$root/build}/spendsim_bench"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "revision $rev against the working tree ($(git -C "$root" rev-parse --short HEAD)), $rounds rounds"
ns() { "$1" 1000000 36 1 | sed -n 's/.*: \([0-9.]*\) ns per household-month.*/\1/p' | head -n 1; }
a=() b=()
for ((k = 1; k <= rounds; k++)); do
  x=$(ns "$old"); y=$(ns "$new")
  a+=("$x"); b+=("$y")
  echo "round $k: $rev $x ns, working tree $y ns per household-month"
done
summary() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "best %.1f, median %.1f", v[1], v[int((NR+1)/2)]}'; }
echo "$rev:         $(summary "${a[@]}") ns per household-month"
echo "working tree: $(summary "${b[@]}") ns per household-month"
