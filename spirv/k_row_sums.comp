/* k_row_sums: Vulkan GLSL port of k_row_sums in cl/reduce.cl; it must
 * stay equal to it (same summation order).
 *
 * Sums over x of every occupied row of the state for the fine depth tally:
 * out[2 r], out[2 r + 1] = psi and mz of row r = ((i - lo) nt + j) nz + z.
 * Global size (nz, nt, nw) in work-groups of 64 x 1 x 1: ceil(nz / 64)
 * groups in x, so z is bounds-checked. */
#version 450
#extension GL_GOOGLE_include_directive : require
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

SMX_STATE(0, readonly, i_w)
SMX_STATE(1, readonly, i_mz)
SMX_BUF(2, readonly, acc_t, occ)
SMX_BUF(3, readonly, int, box)
SMX_BUF(4, writeonly, float, out_) /* out */

layout(push_constant) uniform PC
{
    SMX_STATE_PC(i_w)
    SMX_STATE_PC(i_mz)
    int lo, nt, nz, nx, S, SW, QB, mom;
}
pc;

void main()
{
    int lo = pc.lo, nt = pc.nt, nz = pc.nz, nx = pc.nx, SW = pc.SW, QB = pc.QB, mom = pc.mom;
    int z = int(gl_GlobalInvocationID.x), j = int(gl_GlobalInvocationID.y), wi = int(gl_GlobalInvocationID.z);
    if (z >= nz) return;
    uint o = uint(lo + wi) * uint(nt) + uint(j), r = (uint(wi) * uint(nt) + uint(j)) * uint(nz) + uint(z);
    float a = 0, b = 0;
    if (acc_nonzero(occ[o]) && z >= box[4u * o] && z <= box[4u * o + 1u]) {
        uint n = cell_index(lo + wi, j, nt, SW, z * nx - QB);
        for (int x = box[4u * o + 2u]; x <= box[4u * o + 3u]; x++) {
            a += i_w[n + uint(x)];
            if (mom != 0) b += i_mz[n + uint(x)];
        }
    }
    out_[2u * r] = a;
    out_[2u * r + 1u] = b;
}
