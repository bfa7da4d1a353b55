#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds spendsim in
# build/ (or $SPENDSIM_BUILD_DIR). Extra arguments go to cmake's configure step.
# SPENDSIM_DEPS=--test also installs the test tools (scripts/test sets it);
# --ci also clang and its runtimes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPENDSIM_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh" ${SPENDSIM_DEPS:-}
jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f "$build/CMakeCache.txt" ] || [ $# -gt 0 ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
cmake --build "$build" -j "$jobs" >/dev/null
