#!/usr/bin/env bash
# Builds smatrix2d with AddressSanitizer and UndefinedBehaviorSanitizer
# (float-cast-overflow too; the first finding aborts) into a separate
# folder and runs the quick suites there: the config, CLI, bad-input, npy,
# media and operator tests, the fuzz corpus replay and the quick
# crosscheck of the host backends. The device backends are left out (the
# OpenCL and Vulkan drivers are not built with the sanitizers).
# Usage: tools/sanitize.sh [BUILD_DIR]   (default build-sanitize/)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-sanitize}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMX_SANITIZE=ON \
  -DSMX_WERROR=ON -DSMX_NATIVE=OFF -DSMX_OPENCL=OFF -DSMX_VULKAN=OFF -DSMX_CUDA=OFF >/dev/null
cmake --build "$dir"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export OMP_NUM_THREADS=2 SMX_REQUIRE_BACKENDS=
ctest --test-dir "$dir" --output-on-failure \
  -R '^(test_config|test_cli|test_badinput|test_npy_read|test_media|test_operators|fuzz_.*|crosscheck_quick)$'
