/* k_sums: Vulkan GLSL port of k_sums in cl/reduce.cl; it must stay equal
 * to it (same arithmetic and summation order).
 *
 * Per-slab sums of the state over a box per bin (qr: first row, last
 * row, first column, last column; the cells outside may be stale), in a
 * fixed order (a strided pass per work-item over the box's rows, then a
 * tree): the totals of the accounting, the occupancy (sums[i * nt + j] !=
 * 0) and the occupied box (box[4 (i * nt + j)] .. + 3: first row, last
 * row, first column, last column; first row INT_MAX when empty) that let
 * the operators skip empty slabs and cells, and per theta bin the rows of
 * any slab of the range (un[2 j] the first, un[2 j + 1]
 * minus the last: both atomic minima, from INT_MAX). With nf > 0,
 * also nf sums of psi times a per-(medium, bin[, theta]) factor (the
 * accounting of several media). One work-group of RG per slab. */
#version 450
#extension GL_GOOGLE_include_directive : require
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

#define RG 64
#define NF_MAX SMX_NF_MAX /* the host's SMX_ENERGY_FACTORS */

layout(local_size_x = RG, local_size_y = 1, local_size_z = 1) in;

SMX_STATE(0, readonly, i_w)
SMX_BUF(1, readonly, int, qr)
SMX_BUF(2, readonly, float, fac)
SMX_BUF(3, readonly, uint, mat) /* uchar */
SMX_BUF(4, writeonly, acc_t, sums)
SMX_BUF(5, writeonly, int, box)
SMX_BUF(6, , int, un)

layout(push_constant) uniform PC
{
    SMX_STATE_PC(i_w)
    int lo, nt, nx, S, SW, QB, nf, fnt, nmat, ne;
}
pc;

shared acc_t l[RG * (1 + NF_MAX)];
shared int r0, r1, c0, c1;

void main()
{
    int lo = pc.lo, nt = pc.nt, nx = pc.nx, SW = pc.SW, QB = pc.QB;
    int nf = pc.nf, fnt = pc.fnt, nmat = pc.nmat, ne = pc.ne;
    int s = int(gl_WorkGroupID.x), lid = int(gl_LocalInvocationID.x), w = s / nt, j = s % nt, i = lo + w;
    acc_t a[1 + NF_MAX];
    for (int f = 0; f <= nf; f++) a[f] = ACC_ZERO;
    if (lid == 0) r0 = INT_MAX, r1 = -1, c0 = INT_MAX, c1 = -1;
    LOCAL_BARRIER();
    int b0 = qr[4 * w], b1 = qr[4 * w + 1], b2 = qr[4 * w + 2], b3 = qr[4 * w + 3];
    int q0 = b0 <= b1 ? b0 * nx : 0, q1 = b0 <= b1 ? (b1 + 1) * nx : 0, zmin = INT_MAX, zmax = -1;
    int xmin = INT_MAX, xmax = -1;
    uint base = cell_index(i, j, nt, SW, -QB);
    for (int q = q0 + lid; q < q1; q += RG) {
        int z = q / nx, x = q - z * nx;
        if (x < b2 || x > b3) continue;
        float v = i_w[base + uint(q)];
        if (v == 0) continue;
        a[0] = acc_add(a[0], v);
        zmin = min(zmin, z);
        zmax = max(zmax, z);
        xmin = min(xmin, x);
        xmax = max(xmax, x);
        for (int f = 0; f < nf; f++)
            a[1 + f] = acc_add(a[1 + f], v * fac[(uint(f * nmat + MEDIUM(mat, q)) * uint(ne) + uint(i)) * uint(fnt) +
                                                 uint(fnt > 1 ? j : 0)]);
    }
    if (zmax >= 0) {
        atomicMin(r0, zmin);
        atomicMax(r1, zmax);
        atomicMin(c0, xmin);
        atomicMax(c1, xmax);
    }
    for (int f = 0; f <= nf; f++) l[f * RG + lid] = a[f];
    for (int off = RG / 2; off > 0; off >>= 1) {
        LOCAL_BARRIER();
        if (lid < off)
            for (int f = 0; f <= nf; f++) l[f * RG + lid] = acc_merge(l[f * RG + lid], l[f * RG + lid + off]);
    }
    LOCAL_BARRIER();
    if (lid == 0) { /* indexed by the absolute slab (i, j) */
        uint o = uint(i) * uint(nt) + uint(j);
        for (int f = 0; f <= nf; f++) sums[uint(f) * uint(ne) * uint(nt) + o] = l[f * RG];
        box[4u * o] = r0, box[4u * o + 1u] = r1, box[4u * o + 2u] = c0, box[4u * o + 3u] = c1;
        if (r1 >= 0) {
            atomicMin(un[2 * j], r0);
            atomicMin(un[2 * j + 1], -r1);
        }
    }
}
