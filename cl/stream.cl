/* A_stream as a gather: the parcel of source cell (z, x) of theta bin j
 * lands on cells (z + bz + {0,1,2}) x (x + bx + {0,1,2}) (sb = (bx, bz),
 * placed sr = (rx, rz) cells past the first); output cell (zd, xd) pulls
 * piece (pz, px) from source (zd - bz - pz, xd - bx - px) and sums weight
 * and moments in a fixed order. A work-group is a tile of SMX_TX x SMX_TZ
 * output cells of one slab; with centroids it splits each source of the
 * tile and its halo once into local memory (without, every source splits
 * alike). Pieces off the grid are counted by k_stream_leak. Launch: (x,
 * row blocks, theta). */
#define SX (SMX_TX + 2)
#define SZ (SMX_TZ + 2)
#define SN (SX * SZ)

__kernel BLOCKED void k_stream(
    STATE_IN, STATE_OUT, int lo, int nt, int nz, int nx, int S, int SW, int QB, __global const int *bl,
    __global const int *sb, __global const float *sr, __global const acc_t *occ,
    __global const int *box)
{
#ifdef SMX_MOMENTS
    __local float wfz[3 * SN], fx[3 * SN]; /* per source: weight x z fraction, x fraction */
    __local float mom[12 * SN];            /* ox, sx (3 each), oz, sz (3 each) */
#endif
    int lx = get_local_id(0), lz = get_local_id(1), j = get_global_id(2), w, z0, z1, xa, xb;
    int zd = block_row(bl, &w, &z0, &z1, &xa, &xb), x0 = xa + get_group_id(0) * SMX_TX, xd = x0 + lx;
    int inside = xd <= xb && zd >= 0;
    if (x0 > xb) return; /* the whole group: past a narrower box */
    size_t base = cell_index(lo + w, j, nt, SW, -QB);
    float a[5] = {0, 0, 0, 0, 0};
    size_t o = (size_t)(lo + w) * nt + j;
    int bx = sb[2 * j], bz = sb[2 * j + 1], xs0 = x0 - bx - 2, zs0 = z0 - bz - 2;
    int r0 = max(box[4 * o], zs0), r1 = min(box[4 * o + 1], zs0 + SZ - 1); /* source rows */
    int c0 = box[4 * o + 2], c1 = box[4 * o + 3]; /* source columns */
#ifndef SMX_MOMENTS
    /* shift-and-deposit: every cell of the slab splits alike (a centred
     * cell-wide box), so the nine weights are the same for all sources */
    float f[3], g[3], t[3];
    smx_box_split(sr[2 * j], 1.0f, f, t, t);
    smx_box_split(sr[2 * j + 1], 1.0f, g, t, t);
    for (int pz = 0; pz < 3 && inside && acc_nonzero(occ[o]); pz++) {
        int z = zd - bz - pz;
        if (z < box[4 * o] || z > box[4 * o + 1]) continue;
        for (int px = 0; px < 3; px++) {
            int x = xd - bx - px;
            if (x >= c0 && x <= c1) a[0] += (i_w[base + z * nx + x] * g[pz]) * f[px];
        }
    }
#else
    if (acc_nonzero(occ[o]) && r0 <= r1) { /* the whole group */
        float rx = sr[2 * j], rz = sr[2 * j + 1];
        for (int l = lz * SMX_TX + lx; l < SN; l += SMX_TX * SMX_TZ) {
            int x = xs0 + l % SX, z = zs0 + l / SX;
            float wt = 0, f[3] = {0, 0, 0}, g[3] = {0, 0, 0}, ox[3], sx[3], oz[3], sz[3];
            if (x >= c0 && x <= c1 && z >= r0 && z <= r1) wt = i_w[base + z * nx + x];
            if (wt != 0) {
                parcel_split(wt, i_mx, i_qx, base + z * nx + x, rx, f, ox, sx);
                parcel_split(wt, i_mz, i_qz, base + z * nx + x, rz, g, oz, sz);
            }
            for (int k = 0; k < 3; k++) {
                wfz[k * SN + l] = wt * g[k];
                fx[k * SN + l] = f[k];
                mom[k * SN + l] = wt != 0 ? ox[k] : 0;
                mom[(3 + k) * SN + l] = wt != 0 ? sx[k] : 0;
                mom[(6 + k) * SN + l] = wt != 0 ? oz[k] : 0;
                mom[(9 + k) * SN + l] = wt != 0 ? sz[k] : 0;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
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
#endif
    if (inside) store(o_w, o_mx, o_mz, o_qx, o_qz, base + zd * nx + xd, a);
}
