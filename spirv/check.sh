#!/bin/sh
# Compiles every spirv/*.comp in its four variants (with and without
# SMX_FP64, state arrays bound or by address: SMX_BDA) and validates the
# SPIR-V (Vulkan 1.1); exits non-zero on any failure.
cd "$(dirname "$0")/.." || exit 1
out=${TMPDIR:-/tmp}/smx_spirv_check.$$
mkdir -p "$out" || exit 1
fail=0 n=0
for f in spirv/*.comp; do
    k=$(basename "$f" .comp)
    for v in fp32 fp64 fp32_bda fp64_bda; do
        d=
        case $v in fp64*) d=-DSMX_FP64 ;; esac
        case $v in *_bda) d="$d -DSMX_BDA" ;; esac
        n=$((n + 1))
        if glslangValidator -V --target-env vulkan1.1 -I"$PWD/cl" -I"$PWD/spirv" -DSMX_TX=16 -DSMX_TZ=8 \
            -DSMX_NF_MAX=7 $d "$f" -o "$out/$k.$v.spv" >"$out/log" 2>&1 &&
            spirv-val --target-env vulkan1.1 "$out/$k.$v.spv" >>"$out/log" 2>&1; then
            echo "ok   $k ($v)"
        else
            echo "FAIL $k ($v)"
            cat "$out/log"
            fail=$((fail + 1))
        fi
    done
done
rm -rf "$out"
echo "$((n - fail))/$n modules ok"
[ $fail -eq 0 ] && [ $n -eq 40 ]
