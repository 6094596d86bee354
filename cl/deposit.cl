/* A_E's deposit: every source cell (i, j, z, x) with weight w deposits
 * w * dep[(m, i)] around its centroid plus the table offset of (m, i, j):
 * with b = floor(offset) - 1 and r = offset - b (host tables db, dr) the
 * deposit covers cells b + {0..3} per axis with smx_deposit_split's
 * fractions, clamped onto the grid (SPEC §4 conventions, as reference.c).
 *
 * Deterministic: k_deposit gathers, for each destination cell and source
 * energy bin, every candidate source in a fixed order (dbb = the (bx, bz)
 * bounds over theta and media of bin i's offsets) into part[w][d], and
 * k_edep_add sums the bins in order. Fast: k_deposit_atomic scatters with
 * atomic adds. */

/* Sub-cell offset and variance of source cell n along one axis. */
static inline void deposit_parcel(float w, __global const float *m, __global const float *qq, size_t n,
                                  float *u, float *v)
{
#ifdef SMX_MOMENTS
    smx_parcel(w, m[n], qq[n], u, v);
#else
    *u = 0, *v = 0;
#endif
}

/* Fraction of a deposit landing on cell d from a source at x with base b. */
static inline float deposit_frac(int x, int b, int n, int d, float t, float v)
{
    float f[4], s = 0;
    smx_deposit_split(t, v, f);
    for (int k = 0; k < 4; k++)
        if (clamp(x + b + k, 0, n - 1) == d) s += f[k];
    return s;
}

__kernel void k_deposit(STATE_IN, __global const uchar *mat, __global const float *dep,
                        __global const int *db, __global const float *dr, __global const int *dbb,
                        int lo, int ne, int nt, int nz, int nx, int S, __global const int *qdr,
                        __global const acc_t *occ, __global acc_t *part)
{
    int w = get_global_id(2), i = lo + w, d = range_cell(qdr, w);
    if (d < 0) return;
    int zd = d / nx, xd = d - zd * nx;
    acc_t a = ACC_ZERO;
    for (int j = 0; j < nt; j++) {
        if (!acc_nonzero(occ[w * nt + j])) continue;
        __global const int *bb = dbb + 4 * ((size_t)i * nt + j); /* bx min, max, bz min, max */
        int x0 = xd == 0 ? 0 : max(xd - bb[1] - 3, 0), x1 = xd == nx - 1 ? nx - 1 : min(xd - bb[0], nx - 1);
        int z0 = zd == 0 ? 0 : max(zd - bb[3] - 3, 0), z1 = zd == nz - 1 ? nz - 1 : min(zd - bb[2], nz - 1);
        for (int z = z0; z <= z1; z++)
            for (int x = x0; x <= x1; x++) {
                int q = z * nx + x;
                size_t n = cell_index(i, j, nt, S, q);
                float wt = i_w[n];
                if (wt == 0) continue;
                size_t mi = (size_t)mat[q] * ne + i, mij = mi * nt + j;
                int bx = db[2 * mij], bz = db[2 * mij + 1];
                float ux, vx, uz, vz;
                deposit_parcel(wt, i_mx, i_qx, n, &ux, &vx);
                deposit_parcel(wt, i_mz, i_qz, n, &uz, &vz);
                float fz = deposit_frac(z, bz, nz, zd, uz + dr[2 * mij + 1], vz);
                if (fz == 0) continue;
                float fx = deposit_frac(x, bx, nx, xd, ux + dr[2 * mij], vx);
                a = acc_add(a, ((dep[mi] * wt) * fz) * fx);
            }
    }
    part[(size_t)w * S + d] = a;
}

/* edep[d] += part[w][d] over the bins w whose range holds d, in order. */
__kernel void k_edep_add(__global const acc_t *part, int nw, int S, __global const int *qdr,
                         __global acc_t *edep)
{
    int d = get_global_id(0);
    if (d >= S) return;
    acc_t a = edep[d];
    for (int w = 0; w < nw; w++)
        if (d >= qdr[2 * w] && d < qdr[2 * w + 1]) a = acc_merge(a, part[(size_t)w * S + d]);
    edep[d] = a;
}

#if defined(SMX_FP64) && defined(SMX_ATOMIC64)
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
static inline void atomic_add_acc(__global acc_t *p, float v)
{
    union { double d; ulong u; } old, upd;
    __global volatile ulong *u = (__global volatile ulong *)p;
    do {
        old.d = *p;
        upd.d = old.d + (double)v;
    } while (atom_cmpxchg(u, old.u, upd.u) != old.u);
}
#else
/* Adds to the sum of the accumulator (its compensation stays untouched).
 * With fp64 but no 64-bit atomics the host never builds fast mode. */
static inline void atomic_add_acc(__global acc_t *p, float v)
{
    union { float f; uint u; } old, upd;
    __global volatile uint *u = (__global volatile uint *)p;
    do {
        old.u = *u;
        upd.f = old.f + v;
    } while (atomic_cmpxchg(u, old.u, upd.u) != old.u);
}
#endif

__kernel void k_deposit_atomic(STATE_IN, __global const uchar *mat, __global const float *dep,
                               __global const int *db, __global const float *dr, int lo, int ne,
                               int nt, int nz, int nx, int S, __global const int *qr,
                               __global const acc_t *occ, __global acc_t *edep)
{
    int j = get_global_id(1), w = get_global_id(2), i = lo + w, q = range_cell(qr, w);
    if (q < 0 || !acc_nonzero(occ[w * nt + j])) return;
    size_t n = cell_index(i, j, nt, S, q);
    float wt = i_w[n];
    if (wt == 0) return;
    int z = q / nx, x = q - z * nx;
    size_t mi = (size_t)mat[q] * ne + i, mij = mi * nt + j;
    int bx = db[2 * mij], bz = db[2 * mij + 1];
    float ux, vx, uz, vz, fx[4], fz[4], all = dep[mi] * wt;
    deposit_parcel(wt, i_mx, i_qx, n, &ux, &vx);
    deposit_parcel(wt, i_mz, i_qz, n, &uz, &vz);
    smx_deposit_split(ux + dr[2 * mij], vx, fx);
    smx_deposit_split(uz + dr[2 * mij + 1], vz, fz);
    for (int a = 0; a < 4; a++) {
        if (fz[a] == 0) continue;
        int zz = clamp(z + bz + a, 0, nz - 1);
        for (int b = 0; b < 4; b++)
            if (fx[b] != 0) atomic_add_acc(edep + zz * nx + clamp(x + bx + b, 0, nx - 1), (all * fz[a]) * fx[b]);
    }
}
