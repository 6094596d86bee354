#!/usr/bin/env bash
# Bounded-time fuzzing of the YAML configuration loader and the .npy reader
# (tests/fuzz, docs/reliability.md "Fuzzing"), for CI or by hand:
#
#   SMX_FUZZ_SECONDS=3600 bash tools/fuzz.sh
#
# Configures a separate build (clang, -DSMX_FUZZ=ON: the library and the
# harnesses with -fsanitize=fuzzer,address,undefined; no device backends),
# builds fuzz_config_fuzzer and fuzz_npy_fuzzer, then runs each in turn for
# SMX_FUZZ_SECONDS (-max_total_time) on a scratch copy of its seed corpus
# (tests/corpus/<name> plus the kept reproducers of tests/corpus/crashes/
# <name>): the committed corpus is never written. Crash, leak, timeout and
# out-of-memory inputs go to the scratch artifacts folder; the script prints
# their paths and exits 1 when there is any (2 when the build fails). Keep a
# reproducer by copying it to tests/corpus/crashes/<name>/: every build then
# replays it (ctest -R fuzz_replay).
#
# Installs nothing. Needs, on Debian 12: clang (clang-14; libclang-rt-14-dev,
# which clang pulls in, holds libFuzzer and the sanitizer runtimes),
# libomp-dev (OpenMP for clang), cmake, ninja-build, pkg-config, libyaml-dev.
#
# Environment (all optional):
#   SMX_FUZZ_SECONDS  seconds per harness (default 60)
#   SMX_FUZZ_BUILD    build folder (default build-fuzz at the repository root)
#   SMX_FUZZ_WORK     scratch folder: corpora, artifacts, logs (default
#                     $SMX_FUZZ_BUILD/run; emptied per harness at each run)
#   SMX_FUZZ_TARGETS  harnesses to run (default "config npy")
#   SMX_FUZZ_CC       the compiler (default clang)
#   SMX_FUZZ_JOBS     build parallelism (default 2)
#   SMX_FUZZ_ARGS     extra libFuzzer flags, e.g. "-rss_limit_mb=4096"
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SMX_FUZZ_BUILD:-$root/build-fuzz}
work=${SMX_FUZZ_WORK:-$build/run}
secs=${SMX_FUZZ_SECONDS:-60}
targets=${SMX_FUZZ_TARGETS:-config npy}
cc=${SMX_FUZZ_CC:-clang}
jobs=${SMX_FUZZ_JOBS:-2}
read -r -a extra <<< "${SMX_FUZZ_ARGS:-}"

case $secs in '' | *[!0-9]*) echo "fuzz.sh: SMX_FUZZ_SECONDS must be a whole number of seconds, got '$secs'" >&2; exit 2 ;; esac
if ! command -v "$cc" > /dev/null; then
    echo "fuzz.sh: $cc not found (Debian: apt-get install clang libomp-dev)" >&2
    exit 2
fi

mkdir -p "$build"
# SMX_WERROR=OFF: at -O1 clang warns that some '#pragma omp simd' loops of
# the openmp backend are not vectorised (-Wpass-failed), which is no finding.
echo "== configure $build ($("$cc" --version | head -n 1))"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER="$cc" -DSMX_FUZZ=ON \
    -DSMX_BUILD_TESTS=OFF -DSMX_OPENCL=OFF -DSMX_VULKAN=OFF -DSMX_CUDA=OFF -DSMX_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; echo "fuzz.sh: configure failed" >&2; exit 2; }
bins=()
for t in $targets; do bins+=("fuzz_${t}_fuzzer"); done
echo "== build ${bins[*]}"
ninja -C "$build" -j "$jobs" "${bins[@]}" || { echo "fuzz.sh: build failed" >&2; exit 2; }

failed=0
summary=()
for t in $targets; do
    bin=$build/tests/fuzz/fuzz_${t}_fuzzer
    dir=$work/$t
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp "$root/tests/corpus/$t/"* "$dir/corpus/"
    find "$root/tests/corpus/crashes/$t" -maxdepth 1 -type f ! -name 'README*' \
        -exec cp {} "$dir/corpus/" \; 2> /dev/null || true
    dict=()
    [ -f "$root/tests/fuzz/$t.dict" ] && dict=(-dict="$root/tests/fuzz/$t.dict")
    echo "== fuzz $t for ${secs} s (corpus $dir/corpus, log $dir/fuzz.log)"
    rc=0
    start=$SECONDS
    # stdin from /dev/null: a fuzzed path such as /dev/stdin must not block
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}" "${extra[@]}" \
        "$dir/corpus" < /dev/null > "$dir/fuzz.log" 2>&1 || rc=$?
    took=$((SECONDS - start))
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/fuzz.log" | tail -n 1 || true)
    [ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+[[:space:]]' "$dir/fuzz.log" | tail -n 1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" | tail -n 1)
    found=$(find "$dir/artifacts" -type f | sort)
    line="$t: ${took} s, ${execs:-?} executions, ${rate:-?} exec/s, last status: ${done_line:-none}"
    if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
        failed=1
        line="$line -- FAILED (libFuzzer exit $rc)"
        echo "fuzz.sh: $t found a problem; the end of $dir/fuzz.log:" >&2
        grep -E 'ERROR: |SUMMARY: |runtime error|contract broken|Test unit written' "$dir/fuzz.log" | head -n 20 >&2 || true
        for f in $found; do
            echo "fuzz.sh: reproducer: $f" >&2
            echo "fuzz.sh:   replay: $build/tests/fuzz/fuzz_${t}_fuzzer $f" >&2
            echo "fuzz.sh:   keep:   cp $f $root/tests/corpus/crashes/$t/" >&2
        done
    fi
    summary+=("$line")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
