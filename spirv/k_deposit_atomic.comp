/* k_deposit_atomic: Vulkan GLSL port of k_deposit_atomic in
 * cl/deposit.cl; it must stay equal to it (same arithmetic; the order of
 * the atomic adds is not fixed: the fast mode).
 *
 * Every source cell scatters its deposit (see deposit.glsl) onto edep with
 * compare-and-swap adds. Launch: (x, row blocks, theta), work-groups
 * SMX_TX x SMX_TZ. edep is bound as words: with SMX_FP64 one uint64_t per
 * accumulator (64-bit CAS: shaderInt64 and shaderBufferInt64Atomics);
 * without, two uints per accumulator (sum, compensation), the CAS on the
 * sum. */
#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef SMX_FP64
#extension GL_ARB_gpu_shader_int64 : require
#extension GL_EXT_shader_atomic_int64 : require
#endif
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

layout(local_size_x = SMX_TX, local_size_y = SMX_TZ, local_size_z = 1) in;

SMX_STATE(0, readonly, i_w)
SMX_STATE(1, readonly, i_mx)
SMX_STATE(2, readonly, i_mz)
SMX_STATE(3, readonly, i_qx)
SMX_STATE(4, readonly, i_qz)
SMX_BUF(5, readonly, uint, mat) /* uchar */
SMX_BUF(6, readonly, float, dep)
SMX_BUF(7, readonly, int, db)
SMX_BUF(8, readonly, float, dr)
SMX_BUF(9, readonly, int, bl)
SMX_BUF(10, readonly, acc_t, occ)
SMX_BUF(11, readonly, int, box)
#ifdef SMX_FP64
SMX_BUF(12, , uint64_t, edep) /* double bits */
#else
SMX_BUF(12, , uint, edep) /* vec2 as words: sum 2d, compensation 2d + 1 */
#endif

layout(push_constant) uniform PC
{
    SMX_STATE_PC(i_w)
    SMX_STATE_PC(i_mx)
    SMX_STATE_PC(i_mz)
    SMX_STATE_PC(i_qx)
    SMX_STATE_PC(i_qz)
    int lo, ne, nt, nz, nx, S, SW, QB;
}
pc;

#include "deposit.glsl"

#ifdef SMX_FP64
/* edep[d] += v by a compare-and-swap loop on the double's bits. */
void atomic_add_acc(uint d, float v)
{
    uint64_t old = edep[d], upd, cur;
    for (;;) {
        upd = doubleBitsToUint64(uint64BitsToDouble(old) + double(v));
        cur = atomicCompSwap(edep[d], old, upd);
        if (cur == old) break;
        old = cur;
    }
}
#else
/* Adds to the sum of the accumulator d (its compensation stays untouched). */
void atomic_add_acc(uint d, float v)
{
    uint old = edep[2u * d], upd, cur;
    for (;;) {
        upd = floatBitsToUint(uintBitsToFloat(old) + v);
        cur = atomicCompSwap(edep[2u * d], old, upd);
        if (cur == old) break;
        old = cur;
    }
}
#endif

void main()
{
    int lo = pc.lo, ne = pc.ne, nt = pc.nt, nz = pc.nz, nx = pc.nx, S = pc.S, SW = pc.SW, QB = pc.QB;
    int w, z0, z1, xa, xb, z = block_row(w, z0, z1, xa, xb), j = int(gl_GlobalInvocationID.z);
    int x = xa + int(gl_GlobalInvocationID.x);
    int cx = 0, cz = 0;
    uint o = uint(lo + w) * uint(nt) + uint(j);
    if (z < 0 || x > xb || !acc_nonzero(occ[o]) || !cell_in(box, o, z, x)) return;
    float fx[4] = float[4](0, 0, 0, 0), fz[4] = float[4](0, 0, 0, 0), stray;
    float eall = deposit_source(lo + w, j, z, x, ne, nt, nz, nx, S, SW, QB, cx, cz, fx, fz, stray);
    int m = MEDIUM(mat, z * nx + x);
    for (int a = 0; a < 4 && eall != 0; a++) {
        if (fz[a] == 0) continue;
        int zz = clamp(cz + a, 0, nz - 1);
        for (int b = 0; b < 4; b++) {
            int d = zz * nx + clamp(cx + b, 0, nx - 1);
            if (fx[b] != 0) atomic_add_acc(uint(DEP_ALLOWED(mat, S, m, d) ? d : z * nx + x), (eall * fz[a]) * fx[b]);
        }
    }
}
