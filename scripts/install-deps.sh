#!/usr/bin/env bash
# Installs spendsim's build dependencies from Debian 12 packages when any is
# missing; with --test also what the tests need (Python 3 and Chromium for the
# browser test of the HTML report). Needs root (or sudo) only when something
# must be installed.
#   scripts/install-deps.sh          # build: compiler, cmake, Lua 5.4, GSL, cmocka, Random123
#   scripts/install-deps.sh --test   # and the test tools
#   scripts/install-deps.sh --ci     # and clang with its sanitizer, libFuzzer and
#                                    # OpenMP runtimes (the sanitizer build, the fuzzers)
#                                    # and Open MPI (the MPI build and its test)
set -euo pipefail
pkgs=(build-essential cmake pkg-config git liblua5.4-dev lua5.4 libgsl-dev libcmocka-dev librandom123-dev)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(python3 chromium chromium-driver)
fi
if [ "${1:-}" = "--ci" ]; then
  pkgs+=(clang libclang-rt-14-dev libomp-14-dev libopenmpi-dev openmpi-bin)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
