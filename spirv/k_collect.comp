/* k_collect: Vulkan GLSL port of k_collect in cl/scatter.cl; it must stay
 * equal to it (same arithmetic and summation order).
 *
 * Empties the theta bins with jmask[j] of energy bins i0..i1, depositing
 * their energy e_MeV[i] * psi in their own cell: weight scattered beyond
 * max_angle_deg, and A_E's trimmed edge bins. Fixed order per cell.
 * Global size S in work-groups of 64: q is bounds-checked. */
#version 450
#extension GL_GOOGLE_include_directive : require
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

SMX_STATE(0, , o_w)
SMX_STATE(1, writeonly, o_mx)
SMX_STATE(2, writeonly, o_mz)
SMX_STATE(3, writeonly, o_qx)
SMX_STATE(4, writeonly, o_qz)
SMX_BUF(5, readonly, uint, jmask) /* uchar */
SMX_BUF(6, readonly, float, e_MeV)
SMX_BUF(7, readonly, int, box)
SMX_BUF(8, , acc_t, edep)

layout(push_constant) uniform PC
{
    SMX_STATE_PC(o_w)
    SMX_STATE_PC(o_mx)
    SMX_STATE_PC(o_mz)
    SMX_STATE_PC(o_qx)
    SMX_STATE_PC(o_qz)
    int i0, i1, nt, S, SW, QB, nx;
}
pc;

void main()
{
    int i0 = pc.i0, i1 = pc.i1, nt = pc.nt, S = pc.S, SW = pc.SW, QB = pc.QB, nx = pc.nx;
    int q = int(gl_GlobalInvocationID.x);
    if (q >= S) return;
    acc_t a = edep[q];
    for (int i = i0; i <= i1; i++)
        for (int j = 0; j < nt; j++) {
            int zq = q / nx, xq = q - zq * nx;
            if (SMX_BYTE(jmask, uint(j)) == 0 || !cell_in(box, uint(i) * uint(nt) + uint(j), zq, xq)) continue;
            uint n = cell_index(i, j, nt, SW, q - QB);
            float v = o_w[n];
            if (v == 0) continue;
            a = acc_add(a, e_MeV[i] * v);
            o_w[n] = 0;
            if (SMX_MOMENTS) o_mx[n] = 0, o_mz[n] = 0, o_qx[n] = 0, o_qz[n] = 0;
        }
    edep[q] = a;
}
