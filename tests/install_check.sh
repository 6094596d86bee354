#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs a user's
# one-step program against it twice: with find_package(smatrix2d) and with
# pkg-config. Usage: install_check.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -x "$work/prefix/bin/smatrix2d"
cmake -S "$src/tests/external" -B "$work/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/one_step"
pc=$(find "$work/prefix" -name smatrix2d.pc)
export PKG_CONFIG_PATH=$(dirname "$pc")
cc -std=c17 $(pkg-config --cflags smatrix2d) "$src/tests/external/one_step.c" -o "$work/pc_one_step" \
  $(pkg-config --libs --static smatrix2d)
"$work/pc_one_step"
echo "install check: find_package and pkg-config both built and ran"
