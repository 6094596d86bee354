/* k_edep_add: Vulkan GLSL port of k_edep_add in cl/deposit.cl; it must
 * stay equal to it (same summation order).
 *
 * edep[d] += part[w][d] over the bins w whose box (qdr, as k_deposit
 * wrote it) holds d, in order.
 * Global size S in work-groups of 64: d is bounds-checked. */
#version 450
#extension GL_GOOGLE_include_directive : require
#define SMX_GLSL
#include "smx_cell.h"
#include "common.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

SMX_BUF(0, readonly, acc_t, part)
SMX_BUF(1, readonly, int, qdr)
SMX_BUF(2, , acc_t, edep)

layout(push_constant) uniform PC
{
    int nw, S, nx;
}
pc;

void main()
{
    int nw = pc.nw, S = pc.S, nx = pc.nx;
    int d = int(gl_GlobalInvocationID.x), z = d / nx, x = d - z * nx;
    if (d >= S) return;
    acc_t a = edep[d];
    for (int w = 0; w < nw; w++)
        if (z >= qdr[4 * w] && z <= qdr[4 * w + 1] && x >= qdr[4 * w + 2] && x <= qdr[4 * w + 3])
            a = acc_merge(a, part[uint(w) * uint(S) + uint(d)]);
    edep[d] = a;
}
