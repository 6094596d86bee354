/* k_stream_leak: Vulkan GLSL port of k_stream_leak in cl/reduce.cl; it
 * must stay equal to it (same arithmetic and summation order).
 *
 * Weight and energy that A_stream carries off the grid, per slab and edge
 * (a piece off in x counts on the x edge, else on the z edge), for the
 * cells that can reach an edge. One work-group of RG per slab. */
#version 450
#extension GL_GOOGLE_include_directive : require
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

#define RG 64

layout(local_size_x = RG, local_size_y = 1, local_size_z = 1) in;

SMX_STATE(0, readonly, i_w)
SMX_STATE(1, readonly, i_mx)
SMX_STATE(2, readonly, i_mz)
SMX_STATE(3, readonly, i_qx)
SMX_STATE(4, readonly, i_qz)
SMX_BUF(5, readonly, int, qr)
SMX_BUF(6, readonly, int, sb)
SMX_BUF(7, readonly, float, sr)
SMX_BUF(8, readonly, int, box)
SMX_BUF(9, writeonly, acc_t, leak)

layout(push_constant) uniform PC
{
    SMX_STATE_PC(i_w)
    SMX_STATE_PC(i_mx)
    SMX_STATE_PC(i_mz)
    SMX_STATE_PC(i_qx)
    SMX_STATE_PC(i_qz)
    int lo, nt, nz, nx, S, SW, QB;
}
pc;

shared acc_t l[RG * 4];

void main()
{
    int lo = pc.lo, nt = pc.nt, nz = pc.nz, nx = pc.nx, SW = pc.SW, QB = pc.QB;
    int s = int(gl_WorkGroupID.x), lid = int(gl_LocalInvocationID.x), w = s / nt, j = s % nt, i = lo + w;
    acc_t a[4] = acc_t[4](ACC_ZERO, ACC_ZERO, ACC_ZERO, ACC_ZERO);
    int bx = sb[2 * j], bz = sb[2 * j + 1];
    float rx = sr[2 * j], rz = sr[2 * j + 1];
    uint base = cell_index(i, j, nt, SW, -QB);
    uint o = uint(i) * uint(nt) + uint(j);
    int z0 = max(qr[4 * w], box[4u * o]), z1 = min(qr[4 * w + 1], box[4u * o + 1u]); /* the slab's cells with weight */
    int c0 = box[4u * o + 2u], c1 = box[4u * o + 3u];
    int q0 = z0 <= z1 ? z0 * nx : 0, q1 = z0 <= z1 ? (z1 + 1) * nx : 0;
    for (int q = q0 + lid; q < q1; q += RG) {
        int z = q / nx, x = q - z * nx;
        if (x < c0 || x > c1) continue;
        if (x + bx >= 0 && x + bx + 2 < nx && z + bz >= 0 && z + bz + 2 < nz) continue;
        float wt = i_w[base + uint(q)];
        if (wt == 0) continue;
        smx_box_pieces px_ = parcel_split(wt, i_mx, i_qx, base + uint(q), rx);
        smx_box_pieces pz_ = parcel_split(wt, i_mz, i_qz, base + uint(q), rz);
        for (int pz = 0; pz < 3; pz++)
            for (int px = 0; px < 3; px++) {
                float v = (wt * pz_.f[pz]) * px_.f[px];
                int cx = x + bx + px, cz = z + bz + pz, e;
                if (v == 0) continue;
                if (cx < 0) e = 0;
                else if (cx >= nx) e = 1;
                else if (cz < 0) e = 2;
                else if (cz >= nz) e = 3;
                else continue;
                a[e] = acc_add(a[e], v);
            }
    }
    for (int e = 0; e < 4; e++) l[e * RG + lid] = a[e];
    for (int off = RG / 2; off > 0; off >>= 1) {
        LOCAL_BARRIER();
        if (lid < off)
            for (int e = 0; e < 4; e++) l[e * RG + lid] = acc_merge(l[e * RG + lid], l[e * RG + lid + off]);
    }
    LOCAL_BARRIER();
    if (lid == 0)
        for (int e = 0; e < 4; e++) leak[4u * uint(s) + uint(e)] = l[e * RG];
}
