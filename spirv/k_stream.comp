/* k_stream: Vulkan GLSL port of k_stream in cl/stream.cl; it must stay
 * equal to it (same arithmetic and summation order).
 *
 * A_stream as a gather: the parcel of source cell (z, x) of theta bin j
 * lands on cells (z + bz + {0,1,2}) x (x + bx + {0,1,2}) (sb = (bx, bz),
 * placed sr = (rx, rz) cells past the first); output cell (zd, xd) pulls
 * piece (pz, px) from source (zd - bz - pz, xd - bx - px) and sums weight
 * and moments in a fixed order. A work-group is a tile of SMX_TX x SMX_TZ
 * output cells of one slab; with centroids it splits each source of the
 * tile and its halo once into shared memory (without, every source splits
 * alike). Pieces off the grid are counted by k_stream_leak. Launch: (x,
 * row blocks, theta). */
#version 450
#extension GL_GOOGLE_include_directive : require
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

#define SX (SMX_TX + 2)
#define SZ (SMX_TZ + 2)
#define SN (SX * SZ)

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
SMX_BUF(10, readonly, int, bl)
SMX_BUF(11, readonly, int, sb)
SMX_BUF(12, readonly, float, sr)
SMX_BUF(13, readonly, acc_t, occ)
SMX_BUF(14, readonly, int, box)

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
    int lo, nt, nz, nx, S, SW, QB;
}
pc;

/* with moments only */
shared float wfz[3 * SN], fx[3 * SN]; /* per source: weight x z fraction, x fraction */
shared float mom[12 * SN];            /* ox, sx (3 each), oz, sz (3 each) */

void main()
{
    int lo = pc.lo, nt = pc.nt, nx = pc.nx, SW = pc.SW, QB = pc.QB;
    int lx = int(gl_LocalInvocationID.x), lz = int(gl_LocalInvocationID.y), j = int(gl_GlobalInvocationID.z), w, z0, z1;
    int xa, xb, zd = block_row(w, z0, z1, xa, xb), x0 = xa + int(gl_WorkGroupID.x) * SMX_TX, xd = x0 + lx;
    bool inside = xd <= xb && zd >= 0;
    if (x0 > xb) return; /* the whole group: past a narrower box */
    uint base = cell_index(lo + w, j, nt, SW, -QB);
    float a[5] = float[5](0, 0, 0, 0, 0);
    uint o = uint(lo + w) * uint(nt) + uint(j);
    int bx = sb[2 * j], bz = sb[2 * j + 1], xs0 = x0 - bx - 2, zs0 = z0 - bz - 2;
    int r0 = max(box[4u * o], zs0), r1 = min(box[4u * o + 1u], zs0 + SZ - 1); /* source rows */
    int c0 = box[4u * o + 2u], c1 = box[4u * o + 3u];                          /* source columns */
    if (!SMX_MOMENTS) {
        /* shift-and-deposit: every cell of the slab splits alike (a centred
         * cell-wide box), so the nine weights are the same for all sources */
        smx_box_pieces f = smx_box_split_v(sr[2 * j], 1.0f);
        smx_box_pieces g = smx_box_split_v(sr[2 * j + 1], 1.0f);
        for (int pz = 0; pz < 3 && inside && acc_nonzero(occ[o]); pz++) {
            int z = zd - bz - pz;
            if (z < box[4u * o] || z > box[4u * o + 1u]) continue;
            for (int px = 0; px < 3; px++) {
                int x = xd - bx - px;
                if (x >= c0 && x <= c1) a[0] += (i_w[base + uint(z * nx + x)] * g.f[pz]) * f.f[px];
            }
        }
    } else if (acc_nonzero(occ[o]) && r0 <= r1) { /* the whole group */
        float rx = sr[2 * j], rz = sr[2 * j + 1];
        for (int l = lz * SMX_TX + lx; l < SN; l += SMX_TX * SMX_TZ) {
            int x = xs0 + l % SX, z = zs0 + l / SX;
            float wt = 0;
            smx_box_pieces px_, pz_; /* x and z: fractions f, centroids o, second moments s */
            for (int k = 0; k < 3; k++) px_.f[k] = 0, px_.o[k] = 0, px_.s[k] = 0, pz_.f[k] = 0, pz_.o[k] = 0, pz_.s[k] = 0;
            if (x >= c0 && x <= c1 && z >= r0 && z <= r1) wt = i_w[base + uint(z * nx + x)];
            if (wt != 0) {
                uint n = base + uint(z * nx + x);
                px_ = parcel_split_moments(wt, i_mx[n], i_qx[n], rx);
                pz_ = parcel_split_moments(wt, i_mz[n], i_qz[n], rz);
            }
            for (int k = 0; k < 3; k++) {
                wfz[k * SN + l] = wt * pz_.f[k];
                fx[k * SN + l] = px_.f[k];
                mom[k * SN + l] = wt != 0 ? px_.o[k] : 0;
                mom[(3 + k) * SN + l] = wt != 0 ? px_.s[k] : 0;
                mom[(6 + k) * SN + l] = wt != 0 ? pz_.o[k] : 0;
                mom[(9 + k) * SN + l] = wt != 0 ? pz_.s[k] : 0;
            }
        }
        LOCAL_BARRIER();
        for (int pz = 0; pz < 3 && inside; pz++)
            for (int px = 0; px < 3; px++) {
                int l = (lz + 2 - pz) * SX + lx + 2 - px;
                float v = wfz[pz * SN + l] * fx[px * SN + l];
                a[0] += v;
                a[1] += v * mom[px * SN + l];
                a[2] += v * mom[(6 + pz) * SN + l];
                a[3] += v * mom[(3 + px) * SN + l];
                a[4] += v * mom[(9 + pz) * SN + l];
            }
    }
    if (inside) store(base + uint(zd * nx + xd), a);
}
