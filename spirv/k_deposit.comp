/* k_deposit: Vulkan GLSL port of k_deposit in cl/deposit.cl; it must stay
 * equal to it (same arithmetic and summation order: deterministic).
 *
 * A work-group is a tile of SMX_TX x SMX_TZ destination cells of source
 * bin w; per theta bin it splits every source that can reach the tile
 * once into shared memory (or, when the offsets spread wider than the
 * halo, each destination reads its candidates itself), then each
 * destination sums its candidates in a fixed order (theta, z, x) into
 * part[w][d]; k_edep_add sums the bins. See deposit.glsl. */
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
SMX_BUF(5, readonly, uint, mat) /* uchar */
SMX_BUF(6, readonly, float, dep)
SMX_BUF(7, readonly, int, db)
SMX_BUF(8, readonly, float, dr)
SMX_BUF(9, readonly, int, dbb)
SMX_BUF(10, readonly, int, bl)
SMX_BUF(11, readonly, acc_t, occ)
SMX_BUF(12, readonly, int, box)
SMX_BUF(13, writeonly, acc_t, part)

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

shared float lf[10 * DN]; /* deposited energy, x fractions, z fractions, stray */
shared int lc[2 * DN];    /* first cells (x, z) */

/* frac_on for fractions in shared memory from lf[at], DN apart. */
float frac_on_local(uint at, int b, int n, int d)
{
    int k = d - b;
    if (d > 0 && d < n - 1) return k >= 0 && k < 4 ? lf[at + uint(k * DN)] : 0.0f;
    float s = 0;
    for (k = 0; k < 4; k++)
        if (clamp(b + k, 0, n - 1) == d) s += lf[at + uint(k * DN)];
    return s;
}

void main()
{
    int lo = pc.lo, ne = pc.ne, nt = pc.nt, nz = pc.nz, nx = pc.nx, S = pc.S, SW = pc.SW, QB = pc.QB;
    int lx = int(gl_LocalInvocationID.x), lz = int(gl_LocalInvocationID.y), w, z0, zl, xa, xb;
    int zd = block_row(w, z0, zl, xa, xb), i = lo + w, x0 = xa + int(gl_WorkGroupID.x) * SMX_TX, xd = x0 + lx;
    bool inside = xd <= xb && zd >= 0;
    int x1 = min(x0 + SMX_TX - 1, xb), z1 = min(z0 + SMX_TZ - 1, zl); /* the tile's last cells */
    if (x0 > xb) return; /* the whole group: past a narrower box */
    acc_t a = ACC_ZERO;
    for (int j = 0; j < nt; j++) {
        uint o = uint(i) * uint(nt) + uint(j);
        uint bb = 4u * o; /* dbb[bb + 0..3]: bx min, max, bz min, max */
        int sx0, sx1, sz0, sz1;
        source_span(x0, x1, dbb[bb], dbb[bb + 1u], nx, sx0, sx1);
        source_span(z0, z1, dbb[bb + 2u], dbb[bb + 3u], nz, sz0, sz1);
        sz0 = max(sz0, box[4u * o]), sz1 = min(sz1, box[4u * o + 1u]); /* the cells with weight */
        sx0 = max(sx0, box[4u * o + 2u]), sx1 = min(sx1, box[4u * o + 3u]);
        if (!acc_nonzero(occ[o]) || sz0 > sz1 || sx0 > sx1) continue;   /* the whole group */
        int rx = sx1 - sx0 + 1, rz = sz1 - sz0 + 1;
        if (rx > DX || rz > DZ) { /* wider than the tile: straight from global memory */
            int c0, c1, e0, e1;
            source_span(xd, xd, dbb[bb], dbb[bb + 1u], nx, c0, c1);
            source_span(zd, zd, dbb[bb + 2u], dbb[bb + 3u], nz, e0, e1);
            for (int z = max(e0, sz0); z <= min(e1, sz1) && inside; z++)
                for (int x = max(c0, sx0); x <= min(c1, sx1); x++) {
                    int cx = 0, cz = 0, s = z * nx + x;
                    float fx[4] = float[4](0, 0, 0, 0), fz[4] = float[4](0, 0, 0, 0), stray;
                    float eall = deposit_source(i, j, z, x, ne, nt, nz, nx, S, SW, QB, cx, cz, fx, fz, stray);
                    if (eall == 0) continue;
                    float sz = frac_on(fz, cz, nz, zd);
                    float v = deposit_on(S, MEDIUM(mat, s), s, zd * nx + xd, eall, sz,
                                         sz != 0 ? frac_on(fx, cx, nx, xd) : 0, stray);
                    if (v != 0) a = acc_add(a, v);
                }
            continue;
        }
        for (int l = lz * SMX_TX + lx; l < rx * rz; l += SMX_TX * SMX_TZ) {
            int cx = 0, cz = 0;
            float fx[4] = float[4](0, 0, 0, 0), fz[4] = float[4](0, 0, 0, 0), stray;
            float eall = deposit_source(i, j, sz0 + l / rx, sx0 + l % rx, ne, nt, nz, nx, S, SW, QB, cx, cz,
                                        fx, fz, stray);
            lf[l] = eall;
            lf[9 * DN + l] = stray;
            lc[l] = cx, lc[DN + l] = cz;
            for (int k = 0; k < 4 && eall != 0; k++) lf[(1 + k) * DN + l] = fx[k], lf[(5 + k) * DN + l] = fz[k];
        }
        LOCAL_BARRIER();
        int c0, c1, e0, e1;
        source_span(xd, xd, dbb[bb], dbb[bb + 1u], nx, c0, c1);
        source_span(zd, zd, dbb[bb + 2u], dbb[bb + 3u], nz, e0, e1);
        for (int z = max(e0, sz0); z <= min(e1, sz1) && inside; z++)
            for (int x = max(c0, sx0); x <= min(c1, sx1); x++) {
                int l = (z - sz0) * rx + x - sx0;
                float eall = lf[l];
                if (eall == 0) continue;
                float sz = frac_on_local(uint(5 * DN + l), lc[DN + l], nz, zd);
                int s = z * nx + x;
                float v = deposit_on(S, MEDIUM(mat, s), s, zd * nx + xd, eall, sz,
                                     sz != 0 ? frac_on_local(uint(DN + l), lc[l], nx, xd) : 0, lf[9 * DN + l]);
                if (v != 0) a = acc_add(a, v);
            }
        LOCAL_BARRIER();
    }
    if (inside) part[uint(w) * uint(S) + uint(zd * nx + xd)] = a;
}
