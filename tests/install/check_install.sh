#!/usr/bin/env bash
# Installs the build into a staging prefix and uses it as a user would:
#   1. the installed CLI runs the baseline scenario (small population);
#   2. stock lua5.4 loads the installed module (LUA_CPATH = the staged
#      lib/lua/5.4, as the system path would for a real install) and runs one;
#   3. a C program compiles against the installed headers and library through
#      pkg-config, and 4. through find_package(spendsim) with CMake;
#   5. the man page renders and the bash completion completes "run";
#   6. CPack builds a .deb holding all of it.
# usage: check_install.sh SOURCE_DIR BUILD_DIR. Exit 77 (skip) when lua5.4,
# pkg-config or a C compiler is missing.
set -euo pipefail
src=$1 build=$2
for tool in lua5.4 pkg-config cc; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage
cmake --install "$build" --prefix "$stage" >/dev/null
libdir=$(cd "$stage" && dirname "$(find . -name libspendsim_core.a | head -n 1)")
libdir=${libdir#./}

# 1. the CLI
(cd "$tmp" && "$stage/bin/spendsim" run "$stage/share/doc/spendsim/scenarios/01_baseline.lua" \
   --out "$tmp/out" --set households=2000 --set months=3 >"$tmp/cli.txt")
grep -q "food" "$tmp/cli.txt" || { echo "installed CLI printed no table"; exit 1; }
ls "$tmp"/out/*/manifest.json >/dev/null

# 2. stock lua5.4 with the installed module
cat >"$tmp/m.lua" <<'LUA'
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 1000, seed = 3 }
local res = sp.experiment{ population = pop, packages = { sp.package{ name = "S" } },
                           start = "2020-01", months = 2, seed = 1 }:run()
local t = res:table{ rows = "category", by = "month" }
assert(tostring(t):find("food"), "no table")
print("module " .. sp.version)
LUA
LUA_CPATH="$stage/$libdir/lua/5.4/?.so" lua5.4 "$tmp/m.lua" | grep -q "^module "

# 3. pkg-config
cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
#include "spendsim.h"
int main(void)
{
    sp_err err;
    sp_beijing_def d = sp_beijing_def_default();
    d.households = 500;
    sp_population *pop = sp_beijing_build(&d, &err);
    if (!pop) { fprintf(stderr, "%s\n", err.msg); return 1; }
    printf("%s %zu\n", SP_VERSION, pop->n);
    sp_population_free(pop);
    return 0;
}
C
export PKG_CONFIG_PATH="$stage/$libdir/pkgconfig"
cc -std=c11 -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs spendsim)
"$tmp/prog" | grep -q " 500$"

# 4. CMake package
mkdir -p "$tmp/cm"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(user C)
find_package(spendsim REQUIRED)
add_executable(prog ../prog.c)
target_link_libraries(prog PRIVATE spendsim::core)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$stage" >/dev/null
cmake --build "$tmp/cm/build" >/dev/null
"$tmp/cm/build/prog" | grep -q " 500$"

# 5. man page and completion
if command -v man >/dev/null; then
  MANPAGER=cat man -l "$stage/share/man/man1/spendsim.1" 2>/dev/null | grep -q "spendsim run" || {
    echo "man page did not render"; exit 1; }
fi
out=$(bash -c 'source "$1"; COMP_WORDS=(spendsim ru); COMP_CWORD=1; _spendsim; echo "${COMPREPLY[*]}"' _ \
      "$stage/share/bash-completion/completions/spendsim")
[ "$out" = "run" ] || { echo "completion gave '$out'"; exit 1; }
# 6. the .deb (CPack), when dpkg-deb is there
if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  (cd "$build" && cpack -G DEB -B "$tmp/deb" --config CPackConfig.cmake >/dev/null)
  deb=$(ls "$tmp"/deb/*.deb)
  dpkg-deb -c "$deb" >"$tmp/deb.txt"
  for f in bin/spendsim lua/5.4/spendsim.so libspendsim_core.a include/spendsim/spendsim.h \
           pkgconfig/spendsim.pc man1/spendsim.1; do
    grep -q "$f" "$tmp/deb.txt" || { echo ".deb lacks $f"; exit 1; }
  done
  dpkg-deb -f "$deb" Depends | grep -q liblua5.4-0
fi
echo "installed: CLI, Lua module (stock lua5.4), pkg-config and CMake builds, man page, completion, .deb: ok"
