/* A_stream on the openmp backend. */
#include <math.h>
#include <string.h>

#include "backend/openmp/omp_ctx.h"

/* Sum of the columns xs of a row whose destination xs + xo is off the grid. */
static double off_columns(const float *row, int nx, int xo)
{
    double s = 0;
    if (xo < 0)
        for (int x = 0; x < -xo && x < nx; x++) s += row[x];
    else
        for (int x = nx - xo > 0 ? nx - xo : 0; x < nx; x++) s += row[x];
    return s;
}

/* Weight that one slab's shift carries off the grid, per edge (a piece
 * off in x counts on the x edge, else on the z edge, as in reference):
 * per piece, its weight times the sum of the source columns it moves off
 * in x (summed over the rows), and of the rest of the few source rows it
 * moves off in z. */
static void stream_leaks(const smx_plan *p, const float *in, int j, int r0, int r1, double *leak)
{
    int nx = p->nx, nz = p->nz;
    double wx[2] = {1 - p->sfx[j], p->sfx[j]}, wz[2] = {1 - p->sfz[j], p->sfz[j]};
    for (int bx = 0; bx < 2; bx++) {
        if (wx[bx] == 0) continue;
        int xo = p->sx0[j] + bx;
        double cols = 0;
        for (int z = r0; z <= r1 && xo != 0; z++) cols += off_columns(in + (size_t)z * nx, nx, xo);
        for (int bz = 0; bz < 2; bz++) {
            if (wz[bz] == 0) continue;
            double w = wz[bz] * wx[bx];
            int zo = p->sz0[j] + bz, below = -zo, above = nz - zo; /* source rows < below, >= above leave */
            leak[xo < 0 ? SMX_EDGE_XMIN : SMX_EDGE_XMAX] += w * cols;
            for (int z = r0; z <= r1; z++) {
                if (z >= below && z < above) {
                    z = above - 1;
                    continue;
                }
                const float *row = in + (size_t)z * nx;
                leak[z < below ? SMX_EDGE_ZMIN : SMX_EDGE_ZMAX] +=
                    w * (omp__row_sum(row, nx) - off_columns(row, nx, xo));
            }
        }
    }
}

/* The op's leak per edge: the slabs' leaks (c->leak) in slab order. */
void omp__sum_leaks(const omp_ctx *c, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    for (int e = 0; e < 4; e++) a->w_leak[e] = a->e_leak[e] = 0;
    for (size_t ij = (size_t)c->lo * p->nt; ij < (size_t)(c->hi + 1) * p->nt; ij++) {
        const double *l = c->leak + ij * SMX_EDGE_COUNT;
        double Ei = p->e_center_MeV[ij / p->nt];
        for (int e = 0; e < 4; e++) a->w_leak[e] += l[e], a->e_leak[e] += l[e] * Ei;
    }
}

#ifdef __AVX__
/* The four pieces w of the 8 cells from x of an output row (sources A, A1 =
 * A - 1, B = A - W, B1 = B - 1) streamed to orow + x and added to the lanes
 * l; returns the mask of the cells not zero (0: none). */
static inline int piece_block(float *orow, const float *A, int W, const __m256 *w, int x, omp_v4d *l)
{
    const float *B = A - W;
    __m256 f = _mm256_add_ps(_mm256_mul_ps(w[0], _mm256_loadu_ps(A + x)),
                             _mm256_mul_ps(w[1], _mm256_loadu_ps(A + x - 1)));
    f = _mm256_add_ps(f, _mm256_mul_ps(w[2], _mm256_loadu_ps(B + x)));
    f = _mm256_add_ps(f, _mm256_mul_ps(w[3], _mm256_loadu_ps(B + x - 1)));
    _mm256_stream_ps(orow + x, f);
    return omp__lanes_add(l, f);
}

/* Output rows za..zb - 1 of slab kj written with streaming stores (nx a
 * multiple of 8: each row's blocks of 8 aligned), counted on the way as
 * omp__note counts them (block v of a row to lanes v % 4, named, so that
 * they stay in registers); the source of row zd, cell x is ps[(zd + k0) *
 * W + x] (padded rows, as stream_shift_deposit). */
static void stream_rows_nt(omp_ctx *c, float *o, const float *ps, int W, int k0, int za, int zb,
                           const float *w, size_t kj)
{
    int nx = c->p->nx, r0 = c->p->nz, r1 = -1;
    __m256 wv[4] = {_mm256_set1_ps(w[0]), _mm256_set1_ps(w[1]), _mm256_set1_ps(w[2]), _mm256_set1_ps(w[3])};
    omp_v4d l[4][2] = {{{0}}};
    for (int zd = za; zd < zb; zd++) {
        const float *A = ps + (size_t)(zd + k0) * W;
        float *orow = o + (size_t)zd * nx;
        int held = 0, x = 0;
        for (; x + 32 <= nx; x += 32) {
            held |= piece_block(orow, A, W, wv, x, l[0]);
            held |= piece_block(orow, A, W, wv, x + 8, l[1]);
            held |= piece_block(orow, A, W, wv, x + 16, l[2]);
            held |= piece_block(orow, A, W, wv, x + 24, l[3]);
        }
        if (x < nx) held |= piece_block(orow, A, W, wv, x, l[0]), x += 8;
        if (x < nx) held |= piece_block(orow, A, W, wv, x, l[1]), x += 8;
        if (x < nx) held |= piece_block(orow, A, W, wv, x, l[2]);
        if (!held) continue;
        if (r0 > zd) r0 = zd;
        r1 = zd;
    }
    c->osums[kj] = omp__lanes_sum(l, 0);
    omp__box_set(c->obox + 4 * kj, r0, r1, 0, nx - 1); /* every column: a superset */
}
#endif

/* d[0..n) = s[0..n), inline: a call to memcpy per row of a narrow grid
 * cost as much as A_stream's arithmetic on it. */
static inline void copy_row(float *d, const float *s, int n)
{
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        omp_v8f v;
        memcpy(&v, s + x, sizeof v);
        memcpy(d + x, &v, sizeof v);
    }
    for (; x < n; x++) d[x] = s[x];
}

/* Output slab (i, j) of A_stream as a gather from the source slab in,
 * whose rows r0..r1 hold its weight (r0 > r1: none): every output cell is
 * written once from the (up to) four source cells that land on it; rows
 * off the grid read zeros. The slab's leak goes to leak[SMX_EDGE_COUNT]. */
void omp__stream_slab(omp_ctx *c, int i, int j, const float *in, int r0, int r1, double *leak)
{
    const smx_plan *p = c->p;
    int nx = p->nx, nz = p->nz;
    float *o = SLAB(c, c->t[OMP_PSI], i, j);
    memset(leak, 0, SMX_EDGE_COUNT * sizeof(double));
    if (r0 > r1) {
        omp__clear_out(c, i, j);
        omp__note_out(c, i, j, 0, -1);
        return;
    }
    float w00 = (float)((1 - p->sfz[j]) * (1 - p->sfx[j])), w01 = (float)((1 - p->sfz[j]) * p->sfx[j]);
    float w10 = (float)(p->sfz[j] * (1 - p->sfx[j])), w11 = (float)(p->sfz[j] * p->sfx[j]);
    int sx = p->sx0[j], sz = p->sz0[j];
    int za = smx__clampi(r0 + sz, 0, nz), zb = smx__clampi(r1 + sz + 2, 0, nz);
    omp__clear_out_except(c, i, j, za, zb - 1); /* rows za..zb-1 are written whole */
    /* the source's rows r0 - 1 .. r1 + 1 go to zero-padded rows of the
     * thread's buffer (the first and last zero), so that every column
     * takes its four pieces alike: a piece from beyond the row is a zero,
     * which leaves the sum as it is (all copied first: a row read right
     * after it is written would wait on its stores) */
    int W = c->prow_w;
    float *ps = omp__thread_prow(c) + c->prow_pad; /* row r0 - 1 */
    memset(ps, 0, nx * sizeof(float));
    memset(ps + (size_t)(r1 - r0 + 2) * W, 0, nx * sizeof(float));
    for (int z = r0; z <= r1; z++) copy_row(ps + (size_t)(z - r0 + 1) * W, in + (size_t)z * nx, nx);
    stream_leaks(p, in, j, r0, r1, leak);
    int k0 = 1 - sz - r0; /* ps + (zd + k0) * W: source row zd - sz */
#ifdef __AVX__
    if (c->stream_out) {
        stream_rows_nt(c, o, ps - sx, W, k0, za, zb, (float[4]){w00, w01, w10, w11}, (size_t)i * p->nt + j);
        return;
    }
#endif
    for (int zd = za; zd < zb; zd++) {
        /* dest x reads source x - sx (A) and x - sx - 1 (A1), B one row up */
        const float *A = ps + (size_t)(zd + k0) * W - sx, *A1 = A - 1, *B = A - W, *B1 = B - 1;
        float *orow = o + (size_t)zd * nx;
#pragma omp simd
        for (int x = 0; x < nx; x++) orow[x] = w00 * A[x] + w01 * A1[x] + w10 * B[x] + w11 * B1[x];
    }
    omp__note_out(c, i, j, za, zb - 1);
}

/* A_stream (shift and deposit), slab by slab. */
static void stream_shift_deposit(omp_ctx *c, smx_op_acct *a)
{
    int nt = c->p->nt, lo = c->lo, rows = (c->hi - lo + 1) * nt;
#pragma omp parallel num_threads(c->threads)
    {
#pragma omp for schedule(dynamic, OMP_CHUNK)
        for (int r = 0; r < rows; r++) {
            int i = lo + r / nt, j = r % nt, r0, r1;
            if (!omp__rows(c, i, j, &r0, &r1)) r0 = 0, r1 = -1;
            omp__stream_slab(c, i, j, SLAB(c, c->s[OMP_PSI], i, j), r0, r1,
                             c->leak + ((size_t)lo * nt + r) * SMX_EDGE_COUNT);
        }
#ifdef __AVX__
        if (c->stream_out) _mm_sfence(); /* the streamed stores before the barrier */
#endif
    }
    omp__sum_leaks(c, a);
}

/* Which of the three pieces per axis carry weight in the box rows r0..r1,
 * columns x0..x1 of a slab of nx columns. */
static void used_pieces(float *const *fx, float *const *fz, int nx, int r0, int r1, int x0, int x1, int *ux,
                        int *uz)
{
    for (int k = 0; k < 3; k++) {
        float mx = 0, mz = 0;
        for (int z = r0; z <= r1; z++)
            for (size_t q = (size_t)z * nx + x0; q <= (size_t)z * nx + x1; q++) {
                mx = fx[k][q] > mx ? fx[k][q] : mx;
                mz = fz[k][q] > mz ? fz[k][q] : mz;
            }
        ux[k] = mx > 0, uz[k] = mz > 0;
    }
}

/* Centroids: per slab, the pieces of every cell of its box, then nine
 * shifted multiply-adds (three pieces per axis) into the slab's five
 * arrays, over the box's columns (the cells outside hold no weight and
 * would add zeros). */
static void stream_centroid(omp_ctx *c, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, nx = p->nx, nz = p->nz, lo = c->lo, rows = (c->hi - lo + 1) * nt;
    size_t S = c->slab;
#pragma omp parallel num_threads(c->threads)
    {
        /* per cell and piece: fraction, offset and second moment, x and z */
        float *scr = c->scratch + (size_t)omp_get_thread_num() * OMP_SCRATCH * S;
        float *fx[3], *ox[3], *sx_[3], *fz[3], *oz[3], *sz_[3];
        for (int k = 0; k < 3; k++) {
            fx[k] = scr + (0 + k) * S, ox[k] = scr + (3 + k) * S, sx_[k] = scr + (6 + k) * S;
            fz[k] = scr + (9 + k) * S, oz[k] = scr + (12 + k) * S, sz_[k] = scr + (15 + k) * S;
        }
#pragma omp for schedule(dynamic, OMP_CHUNK)
        for (int r = 0; r < rows; r++) {
            int i = lo + r / nt, j = r % nt;
            const float *in[OMP_ARRAYS];
            float *out[OMP_ARRAYS];
            for (int k = 0; k < OMP_ARRAYS; k++) {
                in[k] = SLAB(c, c->s[k], i, j);
                out[k] = SLAB(c, c->t[k], i, j);
            }
            double *leak = c->leak + ((size_t)lo * nt + r) * SMX_EDGE_COUNT;
            memset(leak, 0, SMX_EDGE_COUNT * sizeof(double));
            omp__clear_out(c, i, j);
            int r0, r1;
            if (!omp__rows(c, i, j, &r0, &r1)) {
                omp__note_out(c, i, j, 0, -1);
                continue;
            }
            int x0, x1, whole;
            omp__box_cols(c, (size_t)i * nt + j, &x0, &x1, &whole);
            double sx = p->sx0[j] + p->sfx[j], sz = p->sz0[j] + p->sfz[j];
            int bx = (int)floor(sx - 0.5), bz = (int)floor(sz - 0.5);
            float rx = (float)(sx - bx), rz = (float)(sz - bz);
            const float *iw = in[OMP_PSI], *imx = in[OMP_MX], *iqx = in[OMP_QX], *imz = in[OMP_MZ],
                        *iqz = in[OMP_QZ];
            float *fx0 = fx[0], *fx1 = fx[1], *fx2 = fx[2], *ox0 = ox[0], *ox1 = ox[1], *ox2 = ox[2];
            float *sx0 = sx_[0], *sx1 = sx_[1], *sx2 = sx_[2], *fz0 = fz[0], *fz1 = fz[1], *fz2 = fz[2];
            float *oz0 = oz[0], *oz1 = oz[1], *oz2 = oz[2], *sz0 = sz_[0], *sz1 = sz_[1], *sz2 = sz_[2];
            for (int z = r0; z <= r1; z = whole ? r1 + 1 : z + 1) /* whole rows: one loop */
#pragma omp simd
            for (size_t q = (size_t)z * nx + x0; q < (whole ? (size_t)(r1 + 1) * nx : (size_t)z * nx + x1 + 1); q++) {
                float w = iw[q], u, v;
                smx_parcel(w, imx[q], iqx[q], &u, &v);
                smx_box_pieces b = smx_box_split_v(u + rx, sqrtf(12 * v)); /* width <= 1: cells 0..2 */
                fx0[q] = b.f[0], fx1[q] = b.f[1], fx2[q] = b.f[2];
                ox0[q] = b.o[0], ox1[q] = b.o[1], ox2[q] = b.o[2];
                sx0[q] = b.s[0], sx1[q] = b.s[1], sx2[q] = b.s[2];
                smx_parcel(w, imz[q], iqz[q], &u, &v);
                b = smx_box_split_v(u + rz, sqrtf(12 * v));
                fz0[q] = w * b.f[0], fz1[q] = w * b.f[1], fz2[q] = w * b.f[2];
                oz0[q] = b.o[0], oz1[q] = b.o[1], oz2[q] = b.o[2];
                sz0[q] = b.s[0], sz1[q] = b.s[1], sz2[q] = b.s[2];
            }
            int used_x[3], used_z[3];
            used_pieces(fx, fz, nx, r0, r1, x0, x1, used_x, used_z);
            for (int pz = 0; pz < 3; pz++)
                for (int px = 0; px < 3; px++) {
                    if (!used_x[px] || !used_z[pz]) continue;
                    int xo = bx + px, zo = bz + pz;
                    int xa = smx__clampi(-xo, 0, nx), xb = smx__clampi(nx - xo, 0, nx);
                    int ya = xa > x0 ? xa : x0, yb = xb < x1 + 1 ? xb : x1 + 1; /* the box's columns that land */
                    for (int z = r0; z <= r1; z++) {
                        size_t rq = (size_t)z * nx;
                        const float *fxr = fx[px] + rq, *fzr = fz[pz] + rq, *oxr = ox[px] + rq,
                                    *ozr = oz[pz] + rq, *sxr = sx_[px] + rq, *szr = sz_[pz] + rq;
                        int zd = z + zo;
                        /* pieces off the grid: the x edge first, then z */
                        for (int x = x0; x <= x1; x++) {
                            if (x >= xa && x < xb && zd >= 0 && zd < nz) {
                                x = xb - 1;
                                continue;
                            }
                            float v = fzr[x] * fxr[x];
                            if (v == 0) continue;
                            if (x < xa || x >= xb) leak[xo < 0 ? SMX_EDGE_XMIN : SMX_EDGE_XMAX] += v;
                            else leak[zd < 0 ? SMX_EDGE_ZMIN : SMX_EDGE_ZMAX] += v;
                        }
                        if (zd < 0 || zd >= nz) continue;
                        size_t d = (size_t)zd * nx + xo;
                        float *ow = out[OMP_PSI] + d, *omx = out[OMP_MX] + d, *omz = out[OMP_MZ] + d,
                              *oqx = out[OMP_QX] + d, *oqz = out[OMP_QZ] + d;
#pragma omp simd
                        for (int x = ya; x < yb; x++) {
                            float v = fzr[x] * fxr[x];
                            ow[x] += v;
                            omx[x] += v * oxr[x];
                            omz[x] += v * ozr[x];
                            oqx[x] += v * sxr[x];
                            oqz[x] += v * szr[x];
                        }
                    }
                }
            omp__note_out_cols(c, i, j, r0 + bz, r1 + bz + 2, x0 + bx, x1 + bx + 2);
        }
    }
    omp__sum_leaks(c, a);
}

void omp__stream(omp_ctx *c, smx_op_acct *a)
{
    if (c->p->moments) stream_centroid(c, a);
    else stream_shift_deposit(c, a);
}
