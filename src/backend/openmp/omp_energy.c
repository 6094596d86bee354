/* A_E on the openmp backend. */
#include <math.h>
#include <string.h>

#include "backend/openmp/omp_ctx.h"

/* Adds to destination row d (cells 0 .. nx - 1 + hx) the four bilinear
 * pieces of source rows A (shift 0 in z) and B (shift 1), c = {00, 01,
 * 10, 11} (z then x shift), in that order per cell: the same sums, rounded
 * alike, as four passes of one piece each. hx (hz): the shift-1 pieces in
 * x (z) carry weight. A and B come in float64 (exact) with a zero on each
 * side, so that the edge cells take their pieces as every other cell (a
 * zero piece leaves a sum as it is). */
static inline void deposit_row(double *d, const double *A, const double *B, const double *c, int nx,
                               int hx, int hz)
{
#pragma omp simd
    for (int u = 0; u < nx + hx; u++) {
        double v = d[u] + c[0] * A[u];
        if (hx) v += c[1] * A[u - 1];
        if (hz) v += c[2] * B[u];
        if (hx && hz) v += c[3] * B[u - 1];
        d[u] = v;
    }
}

/* Deposit dep * in at the fixed table offsets of (bin, theta) into a
 * padded buffer (no centroids: the same offset for every cell), one pass
 * over the destination rows; scr holds three rows of nx + 2 float64 (the
 * source rows in turn, each converted once for its two uses, and zeros). */
static void deposit_fixed(const omp_ctx *c, double *epad, double *scr, const float *in, double dep,
                          size_t mij, int r0, int r1)
{
    const smx_plan *p = c->p;
    int nx = p->nx, W = nx + 2 * c->bx;
    double fx[2] = {1 - p->dfx[mij], p->dfx[mij]}, fz[2] = {1 - p->dfz[mij], p->dfz[mij]};
    double cw[4] = {dep * fz[0] * fx[0], dep * fz[0] * fx[1], dep * fz[1] * fx[0], dep * fz[1] * fx[1]};
    int hx = fx[1] != 0, hz = fz[1] != 0;
    double *base = epad + (size_t)(c->bz + p->dz0[mij]) * W + c->bx + p->dx0[mij];
    double *row[2] = {scr + 1, scr + nx + 3}, *zero = scr + 2 * nx + 5;
    memset(scr, 0, (3 * nx + 6) * sizeof(double));
    for (int z = r0; z <= r1 + hz; z++) {
        double *A = zero, *B = z > r0 ? row[(z - 1) & 1] : zero;
        if (z <= r1) {
            A = row[z & 1];
            const float *src = in + (size_t)z * nx;
#pragma omp simd
            for (int u = 0; u < nx; u++) A[u] = src[u];
        }
        double *d = base + (size_t)z * W;
        if (hx && hz) deposit_row(d, A, B, cw, nx, 1, 1);
        else if (hx) deposit_row(d, A, B, cw, nx, 1, 0);
        else if (hz) deposit_row(d, A, B, cw, nx, 0, 1);
        else deposit_row(d, A, B, cw, nx, 0, 0);
    }
}

/* Adds `all` around grid position (px, pz) (cells) with the sub-cell
 * variances (vx, vz) into a padded deposit buffer; pieces past the grid
 * land on its edge cells, and a piece that would land in a cell that
 * medium m may not deposit in (smx__deposit_allowed) goes to the source
 * cell q. */
static void deposit_box(const omp_ctx *c, double *epad, double px, float vx, double pz, float vz,
                        double all, int m, size_t q)
{
    const smx_plan *p = c->p;
    int W = p->nx + 2 * c->bx, bx = (int)floor(px) - 1, bz = (int)floor(pz) - 1;
    float fx[4], fz[4];
    smx_deposit_split((float)(px - bx), vx, fx);
    smx_deposit_split((float)(pz - bz), vz, fz);
    for (int a = 0; a < 4; a++) {
        if (fz[a] == 0) continue;
        int zz = smx__clampi(bz + a, 0, p->nz - 1);
        for (int b = 0; b < 4; b++) {
            if (fx[b] == 0) continue;
            size_t t = (size_t)zz * p->nx + smx__clampi(bx + b, 0, p->nx - 1);
            if (!smx__deposit_allowed(p, m, t)) t = q;
            epad[(t / p->nx + c->bz) * W + t % p->nx + c->bx] += all * fz[a] * fx[b];
        }
    }
}

/* Deposit cell by cell, at each cell's centroid plus the table offset of
 * its medium (centroids or several media); an interface medium deposits
 * a point in z (see reference.c); the slab's box (rows r0..r1, columns
 * x0..x1) holds the weight. */
static void deposit_cells(const omp_ctx *c, double *epad, int i, int j, int r0, int r1, int x0, int x1)
{
    const smx_plan *p = c->p;
    const float *w = SLAB(c, c->s[OMP_PSI], i, j);
    int mom = c->na > 1;
    for (int z = r0; z <= r1; z++)
        for (int x = x0; x <= x1; x++) {
            size_t q = (size_t)z * p->nx + x;
            float wq = w[q], ux = 0, vx = 0, uz = 0, vz = 0;
            if (wq == 0) continue;
            int m = p->cell_mat[q];
            if (mom) {
                smx_parcel(wq, SLAB(c, c->s[OMP_MX], i, j)[q], SLAB(c, c->s[OMP_QX], i, j)[q], &ux, &vx);
                if (p->mat_upstream[m] < 0)
                    smx_parcel(wq, SLAB(c, c->s[OMP_MZ], i, j)[q], SLAB(c, c->s[OMP_QZ], i, j)[q], &uz, &vz);
            }
            size_t mi = (size_t)m * p->ne + i, mij = mi * p->nt + j;
            double all = (double)wq * (p->e_dep_MeV[mi] + p->e_nuc_local_MeV[mi]);
            deposit_box(c, epad, x + ux + p->dx0[mij] + p->dfx[mij], vx,
                        z + uz + p->dz0[mij] + p->dfz[mij], vz, all, m, q);
        }
}

/* One medium with centroids: every cell deposits around its centroid plus
 * the table offset o of (bin, theta), as a box of its own width convolved
 * with one cell (smx_deposit_split); with b = floor(o) - 1 that box lies
 * in cells x + b + {0..3}: sixteen shifted multiply-adds into the padded
 * buffer, over the slab's box (rows r0..r1, columns x0..x1: the cells
 * outside hold no weight and would add zeros). */
static void deposit_centroids(const omp_ctx *c, double *epad, float *scr, int i, int j, double dep,
                              int r0, int r1)
{
    const smx_plan *p = c->p;
    int nx = p->nx, W = nx + 2 * c->bx;
    size_t S = c->slab, mij = (size_t)i * p->nt + j;
    const float *w = SLAB(c, c->s[OMP_PSI], i, j), *mx = SLAB(c, c->s[OMP_MX], i, j),
                *mz = SLAB(c, c->s[OMP_MZ], i, j), *qx = SLAB(c, c->s[OMP_QX], i, j),
                *qz = SLAB(c, c->s[OMP_QZ], i, j);
    float *fx[4], *fz[4];
    for (int k = 0; k < 4; k++) fx[k] = scr + k * S, fz[k] = scr + (4 + k) * S;
    double ox = p->dx0[mij] + p->dfx[mij], oz = p->dz0[mij] + p->dfz[mij];
    int bx = (int)floor(ox) - 1, bz = (int)floor(oz) - 1;
    float rx = (float)(ox - bx), rz = (float)(oz - bz), d = (float)dep;
    float *fx0 = fx[0], *fx1 = fx[1], *fx2 = fx[2], *fx3 = fx[3];
    float *fz0 = fz[0], *fz1 = fz[1], *fz2 = fz[2], *fz3 = fz[3];
    int x0, x1, whole;
    omp__box_cols(c, mij, &x0, &x1, &whole);
    for (int z = r0; z <= r1; z = whole ? r1 + 1 : z + 1) /* whole rows: one loop */
#pragma omp simd
    for (size_t q = (size_t)z * nx + x0; q < (whole ? (size_t)(r1 + 1) * nx : (size_t)z * nx + x1 + 1); q++) {
        float u, v, vw = d * w[q];
        smx_parcel(w[q], mx[q], qx[q], &u, &v);
        smx_deposit_fractions a = smx_deposit_split_v(u + rx, v);
        smx_parcel(w[q], mz[q], qz[q], &u, &v);
        smx_deposit_fractions b = smx_deposit_split_v(u + rz, v);
        fx0[q] = a.f[0], fx1[q] = a.f[1], fx2[q] = a.f[2], fx3[q] = a.f[3];
        fz0[q] = vw * b.f[0], fz1[q] = vw * b.f[1], fz2[q] = vw * b.f[2], fz3[q] = vw * b.f[3];
    }
    for (int pz = 0; pz < 4; pz++)
        for (int px = 0; px < 4; px++)
            for (int z = r0; z <= r1; z++) {
                const float *fxr = fx[px] + (size_t)z * nx, *fzr = fz[pz] + (size_t)z * nx;
                double *drow = epad + (size_t)(z + bz + pz + c->bz) * W + bx + px + c->bx;
#pragma omp simd
                for (int x = x0; x <= x1; x++) drow[x] += (double)(fzr[x] * fxr[x]);
            }
}

/* A_E's accounting of the sources, summed in the order they are met. */
typedef struct energy_sums {
    double abs_w, nuc_w, dep_e, nloc_e, nesc_e, sec_w, sec_e;
} energy_sums;

/* Weight w of (medium, bin) mi in the sums. */
static void energy_add(const omp_ctx *c, size_t mi, double w, energy_sums *e)
{
    const smx_plan *p = c->p;
    e->abs_w += w * p->e_absorbed[mi];
    e->nuc_w += w * (1 - p->e_survive[mi]);
    e->dep_e += w * p->e_dep_MeV[mi];
    e->nloc_e += w * p->e_nuc_local_MeV[mi];
    e->nesc_e += w * p->e_nuc_escape_MeV[mi];
    if (p->s_weight) e->sec_w += w * c->tab.created[mi], e->sec_e += w * p->s_energy_MeV[mi];
}

/* The op's figures from the threads' sums. */
static void energy_acct(const energy_sums *e, smx_op_acct *a)
{
    a->w_absorbed = e->abs_w;
    a->w_nuclear = e->nuc_w;
    a->e_deposited = e->dep_e;
    a->e_nuc_deposited = e->nloc_e;
    a->e_nuc_escaped = e->nesc_e;
    a->w_secondary = e->sec_w;
    a->e_secondary = e->sec_e;
}

/* The accounting and the deposit of source slab (i, j) (one medium). */
static void deposit_source(const omp_ctx *c, double *epad, float *scr, int i, int j, energy_sums *e)
{
    const smx_plan *p = c->p;
    double sw = c->sums[(size_t)i * p->nt + j];
    if (sw == 0) return;
    energy_add(c, (size_t)i, sw, e);
    int r0, r1;
    omp__rows(c, i, j, &r0, &r1);
    double dep = p->e_dep_MeV[i] + p->e_nuc_local_MeV[i];
    if (c->na > 1) deposit_centroids(c, epad, scr, i, j, dep, r0, r1);
    else deposit_fixed(c, epad, (double *)scr, SLAB(c, c->s[OMP_PSI], i, j), dep, (size_t)i * p->nt + j, r0, r1);
}

/* One medium: a thread takes a theta column (a fixed split: its deposit
 * plane's sums), writes every output bin of it once from its sources, and
 * deposits each source's lost energy right after the block of outputs
 * that read it last, while it is still in cache. */
static void energy_uniform(omp_ctx *c, int nlo, int nhi, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, lo = c->lo, hi = c->hi;
    size_t S = c->slab;
    double abs_w = 0, nuc_w = 0, dep_e = 0, nloc_e = 0, nesc_e = 0, sec_w = 0, sec_e = 0;
#pragma omp parallel num_threads(c->threads) \
    reduction(+ : abs_w, nuc_w, dep_e, nloc_e, nesc_e, sec_w, sec_e)
    {
        double *epad = omp__thread_edep(c);
        float *scr = c->scratch + (size_t)omp_get_thread_num() * OMP_SCRATCH * S;
        omp_product_scratch *g = &c->gscr[omp_get_thread_num()];
        energy_sums e = {0};
#pragma omp for schedule(static)
        for (int j = 0; j < nt; j++) {
            int next = lo; /* the next source bin to deposit */
            for (int b = nlo / OMP_KB; b <= nhi / OMP_KB; b++) {
                omp__gather_block(c, b, j, nlo, nhi, g);
                for (; next <= hi && next < (b + 1) * OMP_KB; next++) deposit_source(c, epad, scr, next, j, &e);
            }
            for (; next <= hi; next++) deposit_source(c, epad, scr, next, j, &e);
        }
        abs_w += e.abs_w, nuc_w += e.nuc_w, dep_e += e.dep_e, nloc_e += e.nloc_e;
        nesc_e += e.nesc_e, sec_w += e.sec_w, sec_e += e.sec_e;
    }
    energy_acct(&(energy_sums){abs_w, nuc_w, dep_e, nloc_e, nesc_e, sec_w, sec_e}, a);
}

/* out[x] += f in[x] over a run, where the source cell holds weight (a
 * cell without weight gives nothing to any array, moments included). */
static inline void add_run(float *out, const float *in, const float *w, float f, int x0, int x1)
{
#pragma omp simd
    for (int x = x0; x < x1; x++) out[x] += w[x] != 0 ? f * in[x] : 0.0f;
}

/* Several media, the bands of rows of one medium within rows all[0..1]:
 * each block of outputs of theta bin j written whole over the band's rows
 * from that medium's merged list, as one medium's gather does (each output
 * takes its sources in its own order: the same sums as source by source). */
static void gather_bands(omp_ctx *c, int nlo, int nhi, int j, const int *all, omp_product_scratch *g)
{
    size_t nx = (size_t)c->p->nx;
    for (int n = 0; n < c->nbands; n++) {
        const omp_run *band = &c->bands[n];
        int za = band->x0 > all[0] ? band->x0 : all[0], zb = band->x1 - 1 < all[1] ? band->x1 - 1 : all[1];
        for (int b = nlo / OMP_KB; b <= nhi / OMP_KB && za <= zb; b++) {
            int ns = omp__gather_sources(c, band->m, b, j, g, NULL);
            for (int arr = 0; arr < c->na && ns; arr++) {
                float *o[OMP_KB];
                for (int q = 0; q < OMP_KB; q++) {
                    int k = b * OMP_KB + q;
                    o[q] = k >= nlo && k <= nhi ? SLAB(c, c->t[arr], k, j) : NULL;
                }
                for (int s = 0; s < ns; s++) g->in[s] = c->s[arr] + (size_t)g->src[s] * c->stride;
                omp__product_rows(o, g->in, g->w, ns, za * nx, (zb + 1) * nx);
            }
        }
    }
}

/* Several media: one thread owns a theta column. The bands of rows of one
 * medium take gather_bands; in the other rows each source row's runs of
 * one medium take that medium's gather list, contiguous cells at a time
 * (every output cell receives its sources in the same order as cell by
 * cell), over the source's box: the cells outside hold no weight and give
 * nothing. The outputs are cleared where they held weight before and
 * counted over the union of the sources' boxes. */
static void energy_media(omp_ctx *c, int nlo, int nhi, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, nx = p->nx;
    double abs_w = 0, nuc_w = 0, dep_e = 0, nloc_e = 0, nesc_e = 0, sec_w = 0, sec_e = 0;
#pragma omp parallel num_threads(c->threads) \
    reduction(+ : abs_w, nuc_w, dep_e, nloc_e, nesc_e, sec_w, sec_e)
    {
        double *epad = omp__thread_edep(c);
        omp_product_scratch *g = &c->gscr[omp_get_thread_num()];
        energy_sums e = {0};
#pragma omp for schedule(static)
        for (int j = 0; j < nt; j++) {
            int all[4];
            omp__box_empty(c, all);
            for (int k = nlo; k <= nhi; k++) omp__clear_out(c, k, j);
            for (int i = c->lo; i <= c->hi; i++) {
                int r0, r1;
                if (!omp__rows(c, i, j, &r0, &r1)) continue;
                omp__box_union(c, i, j, all);
                const int *box = c->box + 4 * ((size_t)i * nt + j);
                const float *w = SLAB(c, c->s[OMP_PSI], i, j);
                for (int z = r0; z <= r1; z++)
                    for (size_t q = (size_t)z * nx + box[2]; q <= (size_t)z * nx + box[3]; q++)
                        if (w[q] != 0) energy_add(c, (size_t)p->cell_mat[q] * p->ne + i, w[q], &e);
                for (int z = r0; z <= r1; z++) {
                    size_t rq = (size_t)z * nx;
                    if (omp__row_in_band(c, z)) continue; /* gather_bands' */
                    for (int u = c->run_at[z]; u < c->run_at[z + 1]; u++) {
                        const omp_run *run = &c->runs[u];
                        size_t mi = (size_t)run->m * p->ne + i;
                        int x0, x1;
                        if (!omp__run_in_box(run, box, &x0, &x1)) continue;
                        for (int arr = 0; arr < c->na; arr++) {
                            const float *in = SLAB(c, c->s[arr], i, j) + rq;
                            for (int t = 0; t < p->e_count[mi]; t++)
                                add_run(SLAB(c, c->t[arr], p->e_first[mi] + t, j) + rq, in, w + rq,
                                        (float)p->e_w[mi * SMX_EK_MAX + t], x0, x1);
                            for (int n = p->s_off[mi]; n < p->s_off[mi + 1]; n++)
                                add_run(SLAB(c, c->t[arr], p->s_bin[n], j) + rq, in, w + rq,
                                        (float)p->s_w[n], x0, x1);
                        }
                    }
                }
                deposit_cells(c, epad, i, j, r0, r1, box[2], box[3]);
            }
            gather_bands(c, nlo, nhi, j, all, g);
            for (int k = nlo; k <= nhi; k++) omp__note_out_cols(c, k, j, all[0], all[1], all[2], all[3]);
        }
        abs_w += e.abs_w, nuc_w += e.nuc_w, dep_e += e.dep_e, nloc_e += e.nloc_e;
        nesc_e += e.nesc_e, sec_w += e.sec_w, sec_e += e.sec_e;
    }
    energy_acct(&(energy_sums){abs_w, nuc_w, dep_e, nloc_e, nesc_e, sec_w, sec_e}, a);
}

void omp__energy(omp_ctx *c, int nlo, int nhi, smx_op_acct *a)
{
    if (c->p->nmat == 1) energy_uniform(c, nlo, nhi, a);
    else energy_media(c, nlo, nhi, a);
}
