#!/usr/bin/env bash
# Engine benchmark: ns per household-month and persistent bytes per household
# for 1M households x 36 months on 1 and 2 threads (and on one thread with the
# AVX2 and the portable kernels), and for the full 8.23M households. Builds
# first (scripts/build.sh). Each engine figure is the best and the median of
# three runs. Figures go to docs/performance.md.
#   scripts/bench.sh            # both sizes
#   scripts/bench.sh quick      # 200k households only
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/build.sh"
bench="${SPENDSIM_BUILD_DIR:-$root/build}/spendsim_bench"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
if [ "${1:-}" = quick ]; then
  "$bench" 200000 12 1 2
  "$bench" plates 3300000 6367
  exit 0
fi
echo "== 1,000,000 households x 36 months"
"$bench" 1000000 36 1 2
echo "== the same on one thread with the AVX2 and with the portable kernels (SPENDSIM_SIMD)"
SPENDSIM_SIMD=avx2 "$bench" 1000000 36 1 | grep -E 'vector|engine'
SPENDSIM_SIMD=portable "$bench" 1000000 36 1 | grep -E 'vector|engine'
echo "== 8,230,792 households (full Beijing) x 36 months"
"$bench" 8230792 36 1 2
echo "== one plate-lottery round: 3.3 million applicants (2020-02 quota)"
"$bench" plates 3300000 6367
echo "== batched Philox draws"
"$bench" rng
echo "== the durables and credit measures, active (200,000 households x 24 months, 1 thread)"
"$bench" measures 200000 24
