/* A_E's deposit: every source cell (i, j, z, x) with weight w deposits
 * w * dep[(m, i)] around its centroid plus the table offset of (m, i, j):
 * with b = floor(offset) - 1 and r = offset - b (host tables db, dr) the
 * deposit covers cells b + {0..3} per axis with smx_deposit_split's
 * fractions, clamped onto the grid (the conventions of docs/physics.md,
 * "Where the energy is deposited"; as reference.c).
 *
 * Deterministic: k_deposit gathers, for each destination cell and source
 * energy bin, every candidate source in a fixed order (dbb = the (bx, bz)
 * bounds over the media of the offsets of (i, j)) into part[w][d], and
 * k_edep_add sums the bins in order. Fast: k_deposit_atomic scatters with
 * atomic adds. */

#define DX (SMX_TX + 8) /* k_deposit's source tile: the output tile and a halo of 8 */
#define DZ (SMX_TZ + 8)
#define DN (DX * DZ)

/* Sub-cell offset and variance of source cell n along one axis. */
SMX_FN void deposit_parcel(float w, __global const float *m, __global const float *qq, size_t n,
                                  float *u, float *v)
{
#ifdef SMX_MOMENTS
    smx_parcel(w, m[n], qq[n], u, v);
#else
    *u = 0, *v = 0;
#endif
}

/* Sum of the fractions f[0..3] of a deposit on cells b + {0..3} that
 * land on cell d once clamped onto [0, n). */
SMX_FN float frac_on(const float *f, int b, int n, int d)
{
    int k = d - b;
    if (d > 0 && d < n - 1) return k >= 0 && k < 4 ? f[k] : 0.0f; /* no folding */
    float s = 0;
    for (k = 0; k < 4; k++)
        if (clamp(b + k, 0, n - 1) == d) s += f[k];
    return s;
}

/* frac_on for fractions in local memory, DN apart (OpenCL 1.2 has no
 * generic address space). */
SMX_FN float frac_on_local(SMX_LOCAL_PTR const float *f, int b, int n, int d)
{
    int k = d - b;
    if (d > 0 && d < n - 1) return k >= 0 && k < 4 ? f[k * DN] : 0.0f;
    float s = 0;
    for (k = 0; k < 4; k++)
        if (clamp(b + k, 0, n - 1) == d) s += f[k * DN];
    return s;
}

/* Several media: energy lost in medium m is deposited only in cells whose
 * medium allows it (plan.h dep_allow, after the S cells in mat); a piece
 * that would land elsewhere goes to its source cell. An interface medium
 * (flag after dep_allow) deposits a point in z. */
#ifdef SMX_ONE_MEDIUM
#define DEP_ALLOWED(mat, S, m, d) 1
#define DEP_POINT_Z(mat, S, m) 0
#else
#define DEP_ALLOWED(mat, S, m, d) ((mat)[(S) + (m) * SMX_NMAT + (mat)[d]])
#define DEP_POINT_Z(mat, S, m) ((mat)[(S) + SMX_NMAT * SMX_NMAT + (m)])
#endif

/* The deposit of source cell (i, j, z, x): its first cells (cx, cz), its
 * fractions per axis, the fraction *stray of it that goes back to the
 * source cell (several media) and the energy it deposits; 0 when it is
 * empty. */
SMX_FN float deposit_source(STATE_IN, __global const uchar *mat, __global const float *dep,
                                   __global const int *db, __global const float *dr, int i, int j,
                                   int z, int x, int ne, int nt, int nz, int nx, int S, int SW, int QB, int *cx,
                                   int *cz, float *fx, float *fz, float *stray)
{
    int q = z * nx + x, m = MEDIUM(mat, q);
    size_t n = cell_index(i, j, nt, SW, q - QB);
    float wt = i_w[n];
    *stray = 0;
    if (wt == 0) return 0;
    size_t mi = (size_t)m * ne + i, mij = mi * nt + j;
    float ux, vx, uz = 0, vz = 0;
    deposit_parcel(wt, i_mx, i_qx, n, &ux, &vx);
    if (!DEP_POINT_Z(mat, S, m)) deposit_parcel(wt, i_mz, i_qz, n, &uz, &vz);
    smx_deposit_split(ux + dr[2 * mij], vx, fx);
    smx_deposit_split(uz + dr[2 * mij + 1], vz, fz);
    *cx = x + db[2 * mij], *cz = z + db[2 * mij + 1];
#ifndef SMX_ONE_MEDIUM
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            if (fz[a] * fx[b] != 0 &&
                !DEP_ALLOWED(mat, S, m, clamp(*cz + a, 0, nz - 1) * nx + clamp(*cx + b, 0, nx - 1)))
                *stray += fz[a] * fx[b];
#endif
    return dep[mi] * wt;
}

/* What source cell s (of medium m, depositing `all` with fractions on
 * destination d of sz * sx and `stray` back onto itself) gives d. */
SMX_FN float deposit_on(__global const uchar *mat, int S, int m, int s, int d, float all,
                               float sz, float sx, float stray)
{
    float f = sz * sx;
#ifndef SMX_ONE_MEDIUM
    if (f != 0 && !DEP_ALLOWED(mat, S, m, d)) f = 0;
    if (s == d) f += stray;
#endif
    return all * f;
}

/* The sources whose deposit can reach cells [d0, d1] along an axis of n
 * cells, for first-cell offsets b in [bmin, bmax] (cells past the edges
 * fold onto them). */
SMX_FN void source_span(int d0, int d1, int bmin, int bmax, int n, int *s0, int *s1)
{
    *s0 = d0 == 0 ? 0 : max(d0 - bmax - 3, 0);
    *s1 = d1 == n - 1 ? n - 1 : min(d1 - bmin, n - 1);
}


/* A work-group is a tile of SMX_TX x SMX_TZ destination cells of source
 * bin w; per theta bin it splits every source that can reach the tile
 * once into local memory (or, when the offsets spread wider than the
 * halo, each destination reads its candidates itself), then each
 * destination sums its candidates in a fixed order (theta, z, x). */
__kernel BLOCKED void k_deposit(
    STATE_IN, __global const uchar *mat, __global const float *dep, __global const int *db,
    __global const float *dr, __global const int *dbb, int lo, int ne, int nt, int nz, int nx,
    int S, int SW, int QB, __global const int *bl, __global const acc_t *occ, __global const int *box,
    __global acc_t *part)
{
    __local float lf[10 * DN]; /* deposited energy, x fractions, z fractions, stray */
    __local int lc[2 * DN];   /* first cells (x, z) */
    int lx = get_local_id(0), lz = get_local_id(1), w, z0, zl, xa, xb;
    int zd = block_row(bl, &w, &z0, &zl, &xa, &xb), i = lo + w, x0 = xa + get_group_id(0) * SMX_TX, xd = x0 + lx;
    int inside = xd <= xb && zd >= 0;
    int x1 = min(x0 + SMX_TX - 1, xb), z1 = min(z0 + SMX_TZ - 1, zl); /* the tile's last cells */
    if (x0 > xb) return; /* the whole group: past a narrower box */
    acc_t a = ACC_ZERO;
    for (int j = 0; j < nt; j++) {
        size_t o = (size_t)i * nt + j;
        __global const int *bb = dbb + 4 * o; /* bx min, max, bz min, max */
        int sx0, sx1, sz0, sz1;
        source_span(x0, x1, bb[0], bb[1], nx, &sx0, &sx1);
        source_span(z0, z1, bb[2], bb[3], nz, &sz0, &sz1);
        sz0 = max(sz0, box[4 * o]), sz1 = min(sz1, box[4 * o + 1]); /* the cells with weight */
        sx0 = max(sx0, box[4 * o + 2]), sx1 = min(sx1, box[4 * o + 3]);
        if (!acc_nonzero(occ[o]) || sz0 > sz1 || sx0 > sx1) continue; /* the whole group */
        int rx = sx1 - sx0 + 1, rz = sz1 - sz0 + 1;
        if (rx > DX || rz > DZ) { /* wider than the tile: straight from global memory */
            int c0, c1, e0, e1;
            source_span(xd, xd, bb[0], bb[1], nx, &c0, &c1);
            source_span(zd, zd, bb[2], bb[3], nz, &e0, &e1);
            for (int z = max(e0, sz0); z <= min(e1, sz1) && inside; z++)
                for (int x = max(c0, sx0); x <= min(c1, sx1); x++) {
                    int cx, cz, s = z * nx + x;
                    float fx[4], fz[4], stray;
                    float all = deposit_source(i_w, i_mx, i_mz, i_qx, i_qz, mat, dep, db, dr, i, j, z,
                                               x, ne, nt, nz, nx, S, SW, QB, &cx, &cz, fx, fz, &stray);
                    if (all == 0) continue;
                    float sz = frac_on(fz, cz, nz, zd);
                    float v = deposit_on(mat, S, MEDIUM(mat, s), s, zd * nx + xd, all, sz,
                                         sz != 0 ? frac_on(fx, cx, nx, xd) : 0, stray);
                    if (v != 0) a = acc_add(a, v);
                }
            continue;
        }
        for (int l = lz * SMX_TX + lx; l < rx * rz; l += SMX_TX * SMX_TZ) {
            int cx = 0, cz = 0;
            float fx[4], fz[4], stray;
            float all = deposit_source(i_w, i_mx, i_mz, i_qx, i_qz, mat, dep, db, dr, i, j,
                                       sz0 + l / rx, sx0 + l % rx, ne, nt, nz, nx, S, SW, QB, &cx, &cz, fx,
                                       fz, &stray);
            lf[l] = all;
            lf[9 * DN + l] = stray;
            lc[l] = cx, lc[DN + l] = cz;
            for (int k = 0; k < 4 && all != 0; k++) lf[(1 + k) * DN + l] = fx[k], lf[(5 + k) * DN + l] = fz[k];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        int c0, c1, e0, e1;
        source_span(xd, xd, bb[0], bb[1], nx, &c0, &c1);
        source_span(zd, zd, bb[2], bb[3], nz, &e0, &e1);
        for (int z = max(e0, sz0); z <= min(e1, sz1) && inside; z++)
            for (int x = max(c0, sx0); x <= min(c1, sx1); x++) {
                int l = (z - sz0) * rx + x - sx0;
                float all = lf[l];
                if (all == 0) continue;
                float sz = frac_on_local(lf + 5 * DN + l, lc[DN + l], nz, zd);
                int s = z * nx + x;
                float v = deposit_on(mat, S, MEDIUM(mat, s), s, zd * nx + xd, all, sz,
                                     sz != 0 ? frac_on_local(lf + DN + l, lc[l], nx, xd) : 0,
                                     lf[9 * DN + l]);
                if (v != 0) a = acc_add(a, v);
            }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (inside) part[(size_t)w * S + zd * nx + xd] = a;
}

/* edep[d] += part[w][d] over the bins w whose box (qdr, as k_deposit
 * wrote it) holds d, in order. */
__kernel void k_edep_add(__global const acc_t *part, int nw, int S, int nx, __global const int *qdr,
                         __global acc_t *edep)
{
    int d = get_global_id(0), z = d / nx, x = d - z * nx;
    if (d >= S) return;
    acc_t a = edep[d];
    for (int w = 0; w < nw; w++)
        if (z >= qdr[4 * w] && z <= qdr[4 * w + 1] && x >= qdr[4 * w + 2] && x <= qdr[4 * w + 3])
            a = acc_merge(a, part[(size_t)w * S + d]);
    edep[d] = a;
}

#if defined(SMX_FP64) && defined(SMX_ATOMIC64)
#ifndef __CUDACC__
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
#endif
SMX_FN void atomic_add_acc(__global acc_t *p, float v)
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
SMX_FN void atomic_add_acc(__global acc_t *p, float v)
{
    union { float f; uint u; } old, upd;
    __global volatile uint *u = (__global volatile uint *)p;
    do {
        old.u = *u;
        upd.f = old.f + v;
    } while (atomic_cmpxchg(u, old.u, upd.u) != old.u);
}
#endif

__kernel BLOCKED void k_deposit_atomic(STATE_IN, __global const uchar *mat,
                                       __global const float *dep, __global const int *db,
                                       __global const float *dr, int lo, int ne, int nt, int nz,
                                       int nx, int S, int SW, int QB, __global const int *bl,
                                       __global const acc_t *occ, __global const int *box,
                                       __global acc_t *edep)
{
    int w, z0, z1, xa, xb, z = block_row(bl, &w, &z0, &z1, &xa, &xb), j = get_global_id(2);
    int x = xa + get_global_id(0), cx, cz;
    size_t o = (size_t)(lo + w) * nt + j;
    if (z < 0 || x > xb || !acc_nonzero(occ[o]) || !cell_in(box, o, z, x)) return;
    float fx[4], fz[4], stray;
    float all = deposit_source(i_w, i_mx, i_mz, i_qx, i_qz, mat, dep, db, dr, lo + w, j, z, x, ne,
                               nt, nz, nx, S, SW, QB, &cx, &cz, fx, fz, &stray);
    int m = MEDIUM(mat, z * nx + x);
    for (int a = 0; a < 4 && all != 0; a++) {
        if (fz[a] == 0) continue;
        int zz = clamp(cz + a, 0, nz - 1);
        for (int b = 0; b < 4; b++) {
            int d = zz * nx + clamp(cx + b, 0, nx - 1);
            if (fx[b] != 0) atomic_add_acc(edep + (DEP_ALLOWED(mat, S, m, d) ? d : z * nx + x), (all * fz[a]) * fx[b]);
        }
    }
}
