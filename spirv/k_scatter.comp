/* k_scatter: Vulkan GLSL port of k_scatter in cl/scatter.cl; it must stay
 * equal to it (same arithmetic and summation order).
 *
 * A_theta as a gather: every output cell (i, j, q) is written once, from
 * the theta bins j - k of its own cell with the kernel of its medium and
 * energy bin. Bins beyond max_angle_deg are emptied afterwards by
 * k_collect (their energy deposited in place). Launch: (x, row blocks,
 * theta), work-groups SMX_TX x SMX_TZ. */
#version 450
#extension GL_GOOGLE_include_directive : require
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

layout(local_size_x = SMX_TX, local_size_y = SMX_TZ, local_size_z = 1) in;

SMX_STATE(0, readonly, i_w)
SMX_STATE(1, readonly, i_mx)
SMX_STATE(2, readonly, i_mz)
SMX_STATE(3, readonly, i_qx)
SMX_STATE(4, readonly, i_qz)
SMX_STATE(5, writeonly, o_w)
SMX_STATE(6, writeonly, o_mx)
SMX_STATE(7, writeonly, o_mz)
SMX_STATE(8, writeonly, o_qx)
SMX_STATE(9, writeonly, o_qz)
SMX_BUF(10, readonly, uint, mat) /* uchar */
SMX_BUF(11, readonly, float, kw)
SMX_BUF(12, readonly, int, khalf)
SMX_BUF(13, readonly, int, bl)
SMX_BUF(14, readonly, acc_t, occ)
SMX_BUF(15, readonly, int, box)

layout(push_constant) uniform PC
{
    SMX_STATE_PC(i_w)
    SMX_STATE_PC(i_mx)
    SMX_STATE_PC(i_mz)
    SMX_STATE_PC(i_qx)
    SMX_STATE_PC(i_qz)
    SMX_STATE_PC(o_w)
    SMX_STATE_PC(o_mx)
    SMX_STATE_PC(o_mz)
    SMX_STATE_PC(o_qx)
    SMX_STATE_PC(o_qz)
    int kmax, lo, ne, nt, S, SW, QB, nx;
}
pc;

void main()
{
    int kmax = pc.kmax, lo = pc.lo, ne = pc.ne, nt = pc.nt, SW = pc.SW, QB = pc.QB, nx = pc.nx;
    int w, z0, z1, xa, xb, z = block_row(w, z0, z1, xa, xb), j = int(gl_GlobalInvocationID.z);
    int x = xa + int(gl_GlobalInvocationID.x), i = lo + w, q = z * nx + x;
    if (z < 0 || x > xb) return;
    uint mi = uint(MEDIUM(mat, q)) * uint(ne) + uint(i);
    int K = khalf[mi];
    uint k = mi * uint(2 * kmax + 1) + uint(kmax); /* kw + k: the kernel's centre */
    float a[5] = float[5](0, 0, 0, 0, 0);
    for (int d = -K; d <= K; d++) {
        int js = j - d;
        if (SMX_FULL_CIRCLE) {
            js = js < 0 ? js + nt : (js >= nt ? js - nt : js);
        } else {
            if (js < 0 || js >= nt) continue;
        }
        uint o = uint(i) * uint(nt) + uint(js);
        if (!acc_nonzero(occ[o]) || !cell_in(box, o, z, x)) continue;
        gather_add(kw[k + uint(d)], cell_index(i, js, nt, SW, q - QB), a);
    }
    store(cell_index(i, j, nt, SW, q - QB), a);
}
