#!/usr/bin/env bash
# The GPU check of the device backends, on a machine with an NVIDIA GPU:
# builds (build-gpu, Release, Ninja), runs the cuda crosschecks, a 100 MeV
# water run on cuda against reference and openmp with the dose NMSE, bench
# (cuda, opencl and vulkan where present, openmp), then ctest with
# SMX_REQUIRE_BACKENDS = cuda (plus opencl and vulkan where their drivers
# list a device), and nvidia-smi; about 8 minutes after the build (each
# step has a time limit). Every log and result goes to ${OUT:-gpu_out}/;
# timings on stdout and in summary.txt. Runs from the repository root:
#   tools/gpu_check.sh            (OUT=dir to choose the folder)
# Environment: SMX_GPU_ARCH (CMAKE_CUDA_ARCHITECTURES, e.g. native or 90;
# default: the build's list), SMX_GPU_JOBS (build and ctest jobs, default:
# the CPUs), SMX_GPU_SKIP_BUILD=1 (reuse build-gpu).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu_out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
summary=$out/summary.txt
: >"$summary"
jobs=${SMX_GPU_JOBS:-$(nproc 2>/dev/null || echo 4)}
failures=0
t_all=$(date +%s)

say() { echo "$*" | tee -a "$summary"; }

# step NAME TIMEOUT_S COMMAND...: runs COMMAND with its output in
# $out/NAME.log, notes its exit status and wall time.
step() {
    local name=$1 limit=$2
    shift 2
    local t0 rc
    t0=$(date +%s.%N)
    timeout "$limit" "$@" >"$out/$name.log" 2>&1
    rc=$?
    local dt
    dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then
        say "$(printf '%-28s ok      %7ss' "$name" "$dt")"
    else
        [ $rc -eq 124 ] && rc="$rc (timed out after ${limit}s)"
        say "$(printf '%-28s FAILED  %7ss  exit %s, see %s.log' "$name" "$dt" "$rc" "$name")"
        failures=$((failures + 1))
    fi
}

say "smatrix2d GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(hostname), $jobs jobs"

# the machine
if command -v nvidia-smi >/dev/null; then
    nvidia-smi >"$out/nvidia-smi.txt" 2>&1
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv \
        >>"$out/nvidia-smi.txt" 2>&1
    say "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
else
    say "nvidia-smi not found"
fi
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
    export PATH=/usr/local/cuda/bin:$PATH
fi
say "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo 'not found: the cuda backend will be left out')"

# build
if [ "${SMX_GPU_SKIP_BUILD:-0}" != 1 ]; then
    cfg=(-S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release)
    [ -n "${SMX_GPU_ARCH:-}" ] && cfg+=("-DCMAKE_CUDA_ARCHITECTURES=$SMX_GPU_ARCH")
    if ! pkg-config --exists criterion 2>/dev/null; then
        say "criterion not found: tests are not built, ctest is skipped"
        cfg+=(-DSMX_BUILD_TESTS=OFF)
    fi
    step configure 300 cmake "${cfg[@]}"
    step build 1200 cmake --build build-gpu -j "$jobs"
fi
cli=./build-gpu/smatrix2d
if [ ! -x $cli ]; then
    say "no $cli: stopping (see build.log)"
    exit 1
fi
grep -E "smatrix2d: (CUDA|OpenCL|Vulkan|no CUDA)" "$out/configure.log" 2>/dev/null | tee -a "$summary"

# the devices; the device backends whose drivers list one are required
step devices 60 $cli devices
cat "$out/devices.log"
count() { awk -v b="$1" '$1 == b { print $2 + 0; exit }' "$out/devices.log"; }
required=cuda
present=(cuda)
for b in opencl vulkan; do
    n=$(count $b)
    if [ "${n:-0}" -gt 0 ]; then
        required="$required,$b"
        present+=("$b")
    fi
done
say "required backends: $required"
if [ "$(count cuda)" = "" ] || [ "$(count cuda)" -eq 0 ]; then
    say "cuda lists no device: $(grep '^cuda' "$out/devices.log")"
fi

# the cuda crosschecks: deterministic, fast with poisoned state, Kahan
export SMX_REQUIRE_BACKENDS=cuda
step crosscheck_cuda 600 $cli crosscheck --backend cuda
step crosscheck_cuda_fast_poison 300 env SMX_CUDA_POISON=1 $cli crosscheck --quick --backend cuda \
    --accumulation fast --scatter auto
step crosscheck_cuda_no_fp64 300 env SMX_CUDA_NO_FP64=1 $cli crosscheck --quick --backend cuda
step crosscheck_cuda_gemm 300 $cli crosscheck --quick --backend cuda --scatter gemm
for f in crosscheck_cuda crosscheck_cuda_fast_poison crosscheck_cuda_no_fp64 crosscheck_cuda_gemm; do
    say "  $f: $(tail -1 "$out/$f.log")"
done
unset SMX_REQUIRE_BACKENDS

# a clinical-size run on cuda (with kernel times) against reference and openmp
step run_cuda 300 env SMX_CUDA_PROFILE=1 $cli run configs/water_100MeV.yaml --backend cuda \
    --out "$out/run_cuda" -q
step run_cuda_repeat 300 $cli run configs/water_100MeV.yaml --backend cuda --out "$out/run_cuda_repeat" -q
step run_openmp 300 $cli run configs/water_100MeV.yaml --backend openmp --out "$out/run_openmp" -q
step run_reference 240 $cli run configs/water_100MeV.yaml --backend reference --out "$out/run_reference" -q
if python3 -c "import numpy" 2>/dev/null; then
    python3 - "$out" >"$out/dose_compare.txt" 2>&1 <<'EOF'
import os, sys
import numpy as np
out = sys.argv[1]
def load(name):
    p = os.path.join(out, name, "dose.npy")
    return np.load(p).astype(np.float64) if os.path.exists(p) else None
def nmse(a, b):
    return float(np.sum((a - b) ** 2) / max(np.sum(b ** 2), 1e-300))
cuda = load("run_cuda")
if cuda is None:
    print("no cuda dose.npy"); sys.exit(1)
ok = True
rep = load("run_cuda_repeat")
if rep is not None:
    same = np.array_equal(cuda, rep)
    print(f"cuda repeat run bit-identical: {same}")
    ok &= same
for ref, bar in (("run_reference", 1e-7), ("run_openmp", 1e-7)):
    r = load(ref)
    if r is None:
        print(f"{ref}: no dose.npy (skipped)")
        continue
    e = nmse(cuda, r)
    print(f"dose NMSE cuda vs {ref[4:]}: {e:.3e} (bar {bar:g}) {'PASS' if e <= bar else 'FAIL'}")
    ok &= e <= bar
sys.exit(0 if ok else 1)
EOF
    rc=$?
    cat "$out/dose_compare.txt" | tee -a "$summary" >/dev/null
    cat "$out/dose_compare.txt"
    [ $rc -ne 0 ] && failures=$((failures + 1))
else
    say "python3 with numpy not found: the dose comparison is skipped"
fi
grep "cuda profile" "$out/run_cuda.log" >"$out/cuda_profile.txt" 2>/dev/null
# the step time and the host's waits for the device of the run without profiling
if [ -f "$out/run_cuda_repeat/metrics.json" ] && command -v python3 >/dev/null; then
    python3 -c "import json, sys; t = json.load(open(sys.argv[1]))['timing']; print('run_cuda_repeat: %.3f ms/step, %s waits for the device per step, per operator %s' % (t['step_ms'], t.get('device_waits_per_step'), t['per_operator_ms_per_step']))" \
        "$out/run_cuda_repeat/metrics.json" | tee -a "$summary"
fi

# bench: every device backend present, and openmp
for b in "${present[@]}" openmp; do
    step bench_$b 300 $cli bench --backend $b --steps 20
done
if [ "$(count cuda)" -gt 0 ] 2>/dev/null; then
    step bench_cuda_fast 300 $cli bench --backend cuda --steps 20 --accumulation fast
    # every figure (per-operator device times, waits per step) as JSON
    step bench_cuda_json 300 $cli bench --backend cuda --steps 20 --json
fi
for f in "$out"/bench_*.log; do
    say "--- $(basename "$f" .log)"
    tail -n +1 "$f" >>"$summary"
    cat "$f"
done

# ctest last (the longest): the whole suite with the GPU backends required
if [ -f build-gpu/CTestTestfile.cmake ] && [ -d build-gpu/tests ]; then
    step ctest 420 env SMX_REQUIRE_BACKENDS=$required \
        ctest --test-dir build-gpu --output-on-failure -j "$(( jobs < 8 ? jobs : 8 ))" --timeout 400
    grep -E "tests passed|tests failed|Failed|\(Failed\)|\(Timeout\)" "$out/ctest.log" | tee -a "$summary"
fi

say "total $(( $(date +%s) - t_all ))s, $failures failed step(s); logs in $out"
[ $failures -eq 0 ]
