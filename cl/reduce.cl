/* Per-slab sums of the state over a box per bin (qr: first row, last
 * row, first column, last column; the cells outside may be stale), in a
 * fixed order (a strided pass per work-item over the box's rows, then a
 * tree): the totals of the accounting, the occupancy (sums[i * nt + j] !=
 * 0) and the occupied box (box[4 (i * nt + j)] .. + 3: first row, last
 * row, first column, last column; first row INT_MAX when empty) that let
 * the operators skip empty slabs and cells, and per theta bin the rows of
 * any slab of the range (un[2 j] the first, un[2 j + 1] minus the last:
 * both atomic minima, from INT_MAX). With nf > 0, also nf sums of psi
 * times a per-(medium, bin[, theta]) factor (the accounting of several
 * media). */
#define RG 64
#define NF_MAX SMX_NF_MAX /* the host's SMX_ENERGY_FACTORS */

__kernel SMX_WORK_GROUP(RG, 1, 1) void k_sums(
    __global const float *psi, int lo, int nt, int nx, int S, int SW, int QB, __global const int *qr,
    int nf, int fnt, int nmat, int ne, __global const float *fac, __global const uchar *mat,
    __global acc_t *sums, __global int *box, __global int *un)
{
    int s = get_group_id(0), lid = get_local_id(0), w = s / nt, j = s % nt, i = lo + w;
    __local acc_t l[RG * (1 + NF_MAX)];
    __local int r0, r1, c0, c1;
    acc_t a[1 + NF_MAX];
    for (int f = 0; f <= nf; f++) a[f] = ACC_ZERO;
    if (lid == 0) r0 = c0 = INT_MAX, r1 = c1 = -1;
    barrier(CLK_LOCAL_MEM_FENCE);
    __global const int *b = qr + 4 * w;
    int q0 = b[0] <= b[1] ? b[0] * nx : 0, q1 = b[0] <= b[1] ? (b[1] + 1) * nx : 0, zmin = INT_MAX, zmax = -1;
    int xmin = INT_MAX, xmax = -1;
    size_t base = cell_index(i, j, nt, SW, -QB);
    for (int q = q0 + lid; q < q1; q += RG) {
        int z = q / nx, x = q - z * nx;
        if (x < b[2] || x > b[3]) continue;
        float v = psi[base + q];
        if (v == 0) continue;
        a[0] = acc_add(a[0], v);
        zmin = min(zmin, z);
        zmax = max(zmax, z);
        xmin = min(xmin, x);
        xmax = max(xmax, x);
        for (int f = 0; f < nf; f++)
            a[1 + f] = acc_add(a[1 + f], v * fac[((size_t)(f * nmat + MEDIUM(mat, q)) * ne + i) * fnt + (fnt > 1 ? j : 0)]);
    }
    if (zmax >= 0) {
        atomic_min(&r0, zmin);
        atomic_max(&r1, zmax);
        atomic_min(&c0, xmin);
        atomic_max(&c1, xmax);
    }
    for (int f = 0; f <= nf; f++) l[f * RG + lid] = a[f];
    for (int off = RG / 2; off > 0; off >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < off)
            for (int f = 0; f <= nf; f++) l[f * RG + lid] = acc_merge(l[f * RG + lid], l[f * RG + lid + off]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lid == 0) { /* indexed by the absolute slab (i, j) */
        size_t o = (size_t)i * nt + j;
        for (int f = 0; f <= nf; f++) sums[(size_t)f * ne * nt + o] = l[f * RG];
        box[4 * o] = r0, box[4 * o + 1] = r1, box[4 * o + 2] = c0, box[4 * o + 3] = c1;
        if (r1 >= 0) {
            atomic_min(&un[2 * j], r0);
            atomic_min(&un[2 * j + 1], -r1);
        }
    }
}

/* Weight and energy that A_stream carries off the grid, per slab and edge
 * (a piece off in x counts on the x edge, else on the z edge), for the
 * cells that can reach an edge. */
__kernel SMX_WORK_GROUP(RG, 1, 1) void k_stream_leak(
    STATE_IN, int lo, int nt, int nz, int nx, int S, int SW, int QB, __global const int *qr,
    __global const int *sb, __global const float *sr, __global const int *box, __global acc_t *leak)
{
    int s = get_group_id(0), lid = get_local_id(0), w = s / nt, j = s % nt, i = lo + w;
    __local acc_t l[RG * 4];
    acc_t a[4] = {ACC_ZERO, ACC_ZERO, ACC_ZERO, ACC_ZERO};
    int bx = sb[2 * j], bz = sb[2 * j + 1];
    float rx = sr[2 * j], rz = sr[2 * j + 1];
    size_t base = cell_index(i, j, nt, SW, -QB);
    size_t o = (size_t)i * nt + j;
    __global const int *b = box + 4 * o; /* the slab's cells with weight */
    int z0 = max(qr[4 * w], b[0]), z1 = min(qr[4 * w + 1], b[1]);
    int q0 = z0 <= z1 ? z0 * nx : 0, q1 = z0 <= z1 ? (z1 + 1) * nx : 0;
    for (int q = q0 + lid; q < q1; q += RG) {
        int z = q / nx, x = q - z * nx;
        if (x < b[2] || x > b[3]) continue;
        if (x + bx >= 0 && x + bx + 2 < nx && z + bz >= 0 && z + bz + 2 < nz) continue;
        float wt = i_w[base + q];
        if (wt == 0) continue;
        float fx[3], fz[3], o[3], sc[3];
        parcel_split(wt, i_mx, i_qx, base + q, rx, fx, o, sc);
        parcel_split(wt, i_mz, i_qz, base + q, rz, fz, o, sc);
        for (int pz = 0; pz < 3; pz++)
            for (int px = 0; px < 3; px++) {
                float v = (wt * fz[pz]) * fx[px];
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
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < off)
            for (int e = 0; e < 4; e++) l[e * RG + lid] = acc_merge(l[e * RG + lid], l[e * RG + lid + off]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lid == 0)
        for (int e = 0; e < 4; e++) leak[4 * (size_t)s + e] = l[e * RG];
}

/* Sums over x of every occupied row of the state for the fine depth tally:
 * out[2 r], out[2 r + 1] = psi and mz of row r = ((i - lo) nt + j) nz + z. */
__kernel void k_row_sums(__global const float *w, __global const float *mz, int lo, int nt, int nz,
                         int nx, int S, int SW, int QB, int mom, __global const acc_t *occ,
                         __global const int *box, __global float *out)
{
    int z = get_global_id(0), j = get_global_id(1), wi = get_global_id(2);
    if (z >= nz) return;
    size_t o = (size_t)(lo + wi) * nt + j, r = ((size_t)wi * nt + j) * nz + z;
    float a = 0, b = 0;
    if (acc_nonzero(occ[o]) && z >= box[4 * o] && z <= box[4 * o + 1]) {
        size_t n = cell_index(lo + wi, j, nt, SW, z * nx - QB);
        for (int x = box[4 * o + 2]; x <= box[4 * o + 3]; x++) {
            a += w[n + x];
            if (mom) b += mz[n + x];
        }
    }
    out[2 * r] = a;
    out[2 * r + 1] = b;
}
