/* k_energy: Vulkan GLSL port of k_energy in cl/energy.cl; it must stay
 * equal to it (same arithmetic and summation order).
 *
 * A_E as a gather: output bin k of cell q takes weight gw[g] of source
 * bin gsrc[g] for g in gstart[(m, k)] .. gstart[(m, k) + 1] (m: the
 * cell's medium; nuclear survival is in the weights). The lost energy is
 * deposited by k_deposit / k_deposit_atomic. Launch: (x, row blocks,
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
SMX_BUF(11, readonly, int, gstart)
SMX_BUF(12, readonly, int, gsrc)
SMX_BUF(13, readonly, float, gw)
SMX_BUF(14, readonly, int, bl)
SMX_BUF(15, readonly, acc_t, occ)
SMX_BUF(16, readonly, int, box)
SMX_BUF(17, readonly, int, un)

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
    int lo, hi, nlo, ne, nt, S, SW, QB, nx;
}
pc;

void main()
{
    int lo = pc.lo, hi = pc.hi, nlo = pc.nlo, ne = pc.ne, nt = pc.nt, SW = pc.SW, QB = pc.QB, nx = pc.nx;
    int w, z0, z1, xa, xb, z = block_row(w, z0, z1, xa, xb), j = int(gl_GlobalInvocationID.z);
    int x = xa + int(gl_GlobalInvocationID.x);
    int k = nlo + w, q = z * nx + x;
    if (z < 0 || x > xb) return;
    float a[5] = float[5](0, 0, 0, 0, 0);
    if (z < un[2 * j] || z > -un[2 * j + 1]) { /* no source slab of this theta bin holds the row */
        store(cell_index(k, j, nt, SW, q - QB), a);
        return;
    }
    uint mk = uint(MEDIUM(mat, q)) * uint(ne + 1) + uint(k);
    for (int g = gstart[mk]; g < gstart[mk + 1u]; g++) {
        int i = gsrc[g];
        uint o = uint(i) * uint(nt) + uint(j);
        if (i < lo || i > hi || !acc_nonzero(occ[o]) || !cell_in(box, o, z, x)) continue;
        gather_add(gw[g], cell_index(i, j, nt, SW, q - QB), a);
    }
    store(cell_index(k, j, nt, SW, q - QB), a);
}
