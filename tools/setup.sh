#!/usr/bin/env bash
# Installs the build dependencies from Debian's packages and builds
# smatrix2d into build/. Used by README.md and by .ci/run. The OpenCL
# packages give the opencl backend (PoCL runs it on the CPU; clBLAST adds
# the gemm A_theta); the Vulkan packages the vulkan backend (Mesa's
# lavapipe runs it on the CPU; glslang compiles the shaders, spirv-val
# checks them, the validation layers serve one test); clang and libomp-dev the
# bounded fuzzing test (tools/fuzz.sh). The build leaves a
# backend out where its packages are absent.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential cmake ninja-build pkg-config libyaml-dev libcriterion-dev \
  ocl-icd-opencl-dev opencl-headers libclblast-dev pocl-opencl-icd clinfo \
  libvulkan-dev mesa-vulkan-drivers glslang-tools spirv-tools vulkan-validationlayers vulkan-tools \
  clang libomp-dev
# CI builds with warnings as errors; a user's compiler may warn where ours does not
werror=OFF
if [ "${CI:-}" = true ]; then werror=ON; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMX_WERROR=$werror
cmake --build build
