/* The reference backend: float64, plain loops written to be read, no
 * optimisation. Every other backend is judged against it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/memory.h"
#include "core/oprun.h"
#include "core/parcel.h"
#include "core/util.h"

typedef struct ref_ctx {
    const smx_plan *p;
    /* state and scratch, the canonical layout restricted to a window of H
     * rows from row zb (0 <= zb <= nz - H), the same for both: memory
     * follows the beam (ensure_window); moments only with centroids */
    double *psi, *mx, *mz, *qx, *qz, *tpsi, *tmx, *tmz, *tqx, *tqz;
    int H, zb;
    double *edep; /* [nz][nx] MeV per unit weight */
    int lo, hi;   /* occupied energy bins of psi */
    double mem_limit_GB, grow_need, grow_avail; /* as in openmp (omp_ctx.h) */
} ref_ctx;

/* Cell (z, x) of slab (i, j); z must lie in the window. */
#define IDX(c, i, j, z, x) \
    ((((size_t)(i) * (c)->p->nt + (j)) * (c)->H + ((z) - (c)->zb)) * (c)->p->nx + (x))
/* rows of the window at creation (it grows as needed) */
#define REF_WINDOW0 8

static int ref_device_count(char *why, size_t whylen) { return 1; }

static smx_status ref_device_name(int device, char *buf, size_t buflen)
{
    if (device > 0) return SMX_ENODEV;
    smx__err(buf, buflen, "host CPU (float64 reference loops)");
    return SMX_OK;
}

static void ref_destroy(void *ctx)
{
    ref_ctx *c = ctx;
    if (!c) return;
    double **a[] = {&c->psi, &c->mx, &c->mz, &c->qx, &c->qz, &c->tpsi, &c->tmx, &c->tmz, &c->tqx, &c->tqz};
    for (int k = 0; k < 10; k++) free(*a[k]);
    free(c->edep);
    free(c);
}

/* Fresh zeroed arrays of H rows per slab from row zb; the state's bins
 * [lo, hi] copied over from the old ones (rows they share). */
static int alloc_window(ref_ctx *c, int H, int zb)
{
    const smx_plan *p = c->p;
    size_t n = (size_t)p->ne * p->nt * H * p->nx;
    int arrays = p->moments ? 5 : 1;
    /* a growth is checked against the budget: the new arrays come before
     * the old ones are freed */
    double need = 2.0 * arrays * (double)n * sizeof(double);
    if (c->psi && H > c->H && !smx__mem_grow_ok(need, c->mem_limit_GB, &c->grow_avail)) {
        c->grow_need = need;
        return 0;
    }
    double **s[] = {&c->psi, &c->mx, &c->mz, &c->qx, &c->qz};
    double **t[] = {&c->tpsi, &c->tmx, &c->tmz, &c->tqx, &c->tqz};
    double *ns[5] = {0}, *nt_[5] = {0};
    int ok = 1;
    for (int k = 0; k < arrays; k++) {
        ns[k] = calloc(n, sizeof(double));
        nt_[k] = calloc(n, sizeof(double));
        ok = ok && ns[k] && nt_[k];
    }
    if (!ok) {
        for (int k = 0; k < arrays; k++) free(ns[k]), free(nt_[k]);
        return 0;
    }
    ref_ctx old = *c;
    c->H = H, c->zb = zb;
    int z0 = zb > old.zb ? zb : old.zb, z1 = zb + H < old.zb + old.H ? zb + H : old.zb + old.H;
    for (int k = 0; k < arrays; k++) {
        for (int i = c->lo; *s[k] && i <= c->hi; i++)
            for (int j = 0; j < p->nt; j++)
                for (int z = z0; z < z1; z++)
                    memcpy(ns[k] + IDX(c, i, j, z, 0), *s[k] + IDX(&old, i, j, z, 0), p->nx * sizeof(double));
        free(*s[k]), free(*t[k]);
        *s[k] = ns[k], *t[k] = nt_[k];
    }
    return 1;
}

/* The rows of the state's bins [lo, hi] holding weight. */
static void occupied_rows(const ref_ctx *c, int *a, int *b)
{
    const smx_plan *p = c->p;
    *a = p->nz, *b = -1;
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = c->zb; z < c->zb + c->H; z++)
                for (int x = 0; x < p->nx; x++)
                    if (c->psi[IDX(c, i, j, z, x)] != 0) {
                        *a = z < *a ? z : *a;
                        *b = z > *b ? z : *b;
                        break;
                    }
}

/* Makes the window hold rows [a, b] (clamped to the grid) as well as the
 * state's own rows. */
static int ensure_window(ref_ctx *c, int a, int b)
{
    const smx_plan *p = c->p;
    int oa, ob;
    a = a < 0 ? 0 : a;
    b = b > p->nz - 1 ? p->nz - 1 : b;
    if (b < a || (a >= c->zb && b < c->zb + c->H)) return 1;
    occupied_rows(c, &oa, &ob);
    if (ob >= oa) a = oa < a ? oa : a, b = ob > b ? ob : b;
    int H = b - a + 1 > c->H ? (2 * c->H > b - a + 1 ? 2 * c->H : b - a + 1) : c->H;
    H = H > p->nz ? p->nz : H;
    int zb = a + H > p->nz ? p->nz - H : a;
    return alloc_window(c, H, zb);
}

static smx_status ref_create(const smx_plan *p, const smx_backend_opts *opt, void **out, char *err,
                             size_t errlen)
{
    smx_status st = smx__host_opts_ok("reference", opt, err, errlen);
    if (st != SMX_OK) return st;
    ref_ctx *c = calloc(1, sizeof *c);
    if (!c) return SMX_ENOMEM;
    c->p = p;
    c->mem_limit_GB = opt->memory_limit_GB;
    c->edep = calloc(smx__slab(p), sizeof(double));
    if (!c->edep || !alloc_window(c, p->nz < REF_WINDOW0 ? p->nz : REF_WINDOW0, 0)) {
        ref_destroy(c);
        smx__err(err, errlen, "reference backend: cannot allocate the state");
        return SMX_ENOMEM;
    }
    *out = c;
    return SMX_OK;
}

static int ref_supports(void *ctx, int op, smx_precision precision)
{
    return op >= 0 && op < SMX_OP_COUNT && precision == SMX_PRECISION_FLOAT64;
}

static smx_status ref_set_state(void *ctx, const smx_host_state *s, int lo, int hi, char *err,
                                size_t errlen)
{
    ref_ctx *c = ctx;
    const smx_plan *p = c->p;
    const double *src[5] = {s->psi, s->mx, s->mz, s->qx, s->qz};
    double *dst[5];
    /* a window that holds the rows the new state occupies */
    int a, b, H, z0;
    smx__host_window(p, s, lo, hi, c->H, &a, &b, &H, &z0);
    c->lo = 0, c->hi = -1; /* nothing to keep */
    if (!alloc_window(c, H, z0)) {
        smx__err(err, errlen, "reference backend: cannot allocate the state");
        return SMX_ENOMEM;
    }
    dst[0] = c->psi, dst[1] = c->mx, dst[2] = c->mz, dst[3] = c->qx, dst[4] = c->qz;
    for (int k = 0; k < (p->moments ? 5 : 1); k++)
        for (int i = lo; i <= hi; i++)
            for (int j = 0; j < p->nt; j++)
                for (int z = c->zb; z < c->zb + c->H && z < smx__hs_rows(p, s); z++)
                    memcpy(dst[k] + IDX(c, i, j, z, 0), src[k] + smx__hs_index(p, s, i, j, z),
                           p->nx * sizeof(double));
    memset(c->edep, 0, smx__slab(p) * sizeof(double));
    c->lo = lo;
    c->hi = hi;
    return SMX_OK;
}

/* Bins [lo, hi] of a window array into the canonical layout, zeros elsewhere. */
static void copy_range(const ref_ctx *c, double *dst, const double *src)
{
    const smx_plan *p = c->p;
    memset(dst, 0, smx__psi_size(p) * sizeof(double));
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = c->zb; z < c->zb + c->H; z++)
                memcpy(dst + ((((size_t)i * p->nt + j) * p->nz + z) * p->nx), src + IDX(c, i, j, z, 0),
                       p->nx * sizeof(double));
}

static smx_status ref_get_state(void *ctx, smx_host_state *s, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    copy_range(c, s->psi, c->psi);
    if (c->p->moments && s->mx) copy_range(c, s->mx, c->mx);
    if (c->p->moments && s->mz) copy_range(c, s->mz, c->mz);
    if (c->p->moments && s->qx) copy_range(c, s->qx, c->qx);
    if (c->p->moments && s->qz) copy_range(c, s->qz, c->qz);
    return SMX_OK;
}

static smx_status ref_get_edep(void *ctx, double *edep, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    memcpy(edep, c->edep, smx__slab(c->p) * sizeof(double));
    return SMX_OK;
}

static void clear_bins(ref_ctx *c, int lo, int hi)
{
    const smx_plan *p = c->p;
    if (hi < lo) return;
    size_t a = IDX(c, lo, 0, c->zb, 0), n = IDX(c, hi + 1, 0, c->zb, 0) - a;
    memset(c->tpsi + a, 0, n * sizeof(double));
    if (p->moments) {
        memset(c->tmx + a, 0, n * sizeof(double));
        memset(c->tmz + a, 0, n * sizeof(double));
        memset(c->tqx + a, 0, n * sizeof(double));
        memset(c->tqz + a, 0, n * sizeof(double));
    }
}

/* Moves `frac` of the cell at src (weight and moments) to dst in the
 * scratch state. */
static void move(ref_ctx *c, size_t dst, size_t src, double frac)
{
    c->tpsi[dst] += frac * c->psi[src];
    if (c->p->moments) {
        c->tmx[dst] += frac * c->mx[src];
        c->tmz[dst] += frac * c->mz[src];
        c->tqx[dst] += frac * c->qx[src];
        c->tqz[dst] += frac * c->qz[src];
    }
}

/* A_theta: convolve every (E, z, x) angular distribution with the kernel
 * of its energy bin and medium. */
static void op_scatter(ref_ctx *c, int variant, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    size_t me = (size_t)p->nmat * p->ne;
    clear_bins(c, c->lo, c->hi);
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = c->zb; z < c->zb + c->H; z++)
                for (int x = 0; x < p->nx; x++) {
                    size_t src = IDX(c, i, j, z, x);
                    double w = c->psi[src];
                    if (w == 0) continue;
                    size_t mi = (size_t)p->cell_mat[z * p->nx + x] * p->ne + i;
                    int K = p->k_half[variant * me + mi];
                    const double *kw = p->k_weight + (variant * me + mi) * (2 * p->kmax + 1);
                    for (int k = -K; k <= K; k++) {
                        double frac = kw[p->kmax + k], piece = w * frac;
                        if (piece == 0) continue;
                        int jj = j + k;
                        if (p->full_circle) {
                            jj %= p->nt;
                            if (jj < 0) jj += p->nt;
                        } else if (jj < 0 || jj >= p->nt) {
                            a->w_leak[SMX_EDGE_THETA] += piece;
                            a->e_leak[SMX_EDGE_THETA] += piece * p->e_center_MeV[i];
                            continue;
                        }
                        move(c, IDX(c, i, jj, z, x), src, frac);
                    }
                }
}

/* The pieces of a parcel moved along one axis. Shift-and-deposit: the
 * cell lands on pos + s0 + {0, 1} with weights {1 - f, f}. Centroids: the
 * parcel is a uniform box with its centroid u and its variance v (width
 * sqrt(12 v), at most one cell); it moves to X = pos + u + s and is split
 * between the cells it overlaps, each piece keeping its own centroid
 * offset off[] and second moment sec[] (offset^2 + its own variance), so
 * streaming keeps the first and second moments of every parcel exactly.
 * Returns the piece count. */
static int axis_pieces(const smx_plan *p, int pos, double u, double v, int s0, double f, int *cell,
                       double *frac, double *off, double *sec)
{
    if (!p->moments) {
        cell[0] = pos + s0, frac[0] = 1 - f, off[0] = sec[0] = 0;
        cell[1] = pos + s0 + 1, frac[1] = f, off[1] = sec[1] = 0;
        return f > 0 ? 2 : 1;
    }
    return smx__parcel_pieces(pos + u + s0 + f, v, cell, frac, off, sec);
}

/* Sub-cell offset of a cell's centroid (0 without moments). */
static double offset(const double *m, size_t n, double w)
{
    if (!m || w <= 0) return 0;
    double u = m[n] / w;
    return u < -0.5 ? -0.5 : (u > 0.5 ? 0.5 : u);
}

/* Sub-cell variance of a cell's weight, at most that of a uniform cell
 * (1/12): a parcel is never wider than one cell. */
static double variance(const double *m, const double *q, size_t n, double w)
{
    if (!q || w <= 0) return 0;
    double u = offset(m, n, w), v = q[n] / w - u * u;
    return v < SMX_PARCEL_MIN_VARIANCE ? 0 : (v > 1.0 / 12 ? 1.0 / 12 : v);
}

/* A_stream: every cell moves by (sin, cos) * step. A piece outside the
 * grid is leaked on the x edge it crossed, else on the z edge. */
static void op_stream(ref_ctx *c, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    clear_bins(c, c->lo, c->hi);
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = c->zb; z < c->zb + c->H; z++)
                for (int x = 0; x < p->nx; x++) {
                    size_t src = IDX(c, i, j, z, x);
                    double w = c->psi[src];
                    if (w == 0) continue;
                    int cx[3], cz[3];
                    double fx[3], fz[3], ox[3], oz[3], qx[3], qz[3];
                    int nxp = axis_pieces(p, x, offset(c->mx, src, w), variance(c->mx, c->qx, src, w),
                                          p->sx0[j], p->sfx[j], cx, fx, ox, qx);
                    int nzp = axis_pieces(p, z, offset(c->mz, src, w), variance(c->mz, c->qz, src, w),
                                          p->sz0[j], p->sfz[j], cz, fz, oz, qz);
                    for (int bz = 0; bz < nzp; bz++)
                        for (int bx = 0; bx < nxp; bx++) {
                            double piece = w * fz[bz] * fx[bx];
                            if (piece == 0) continue;
                            int edge = -1;
                            if (cx[bx] < 0) edge = SMX_EDGE_XMIN;
                            else if (cx[bx] >= p->nx) edge = SMX_EDGE_XMAX;
                            else if (cz[bz] < 0) edge = SMX_EDGE_ZMIN;
                            else if (cz[bz] >= p->nz) edge = SMX_EDGE_ZMAX;
                            if (edge >= 0) {
                                a->w_leak[edge] += piece;
                                a->e_leak[edge] += piece * p->e_center_MeV[i];
                                continue;
                            }
                            size_t dst = IDX(c, i, j, cz[bz], cx[bx]);
                            c->tpsi[dst] += piece;
                            if (p->moments) {
                                c->tmx[dst] += piece * ox[bx];
                                c->tmz[dst] += piece * oz[bz];
                                c->tqx[dst] += piece * qx[bx];
                                c->tqz[dst] += piece * qz[bz];
                            }
                        }
                }
}

/* The cells that a deposit at position X (cells) shares: a box of width
 * sqrt(1 + 12 v) centred there (v = 0: the cloud-in-cell of a point). */
static int deposit_pieces(double X, double v, int *cell, double *frac)
{
    double len = sqrt(1.0 + 12.0 * v);
    int c0 = (int)floor(X + 0.5), n = 0;
    double d = X - c0, lo = d - 0.5 * len, hi = d + 0.5 * len, rest = 1;
    if (lo < -0.5) cell[n] = c0 - 1, frac[n] = (-0.5 - lo) / len, rest -= frac[n++];
    if (hi > 0.5) cell[n] = c0 + 1, frac[n] = (hi - 0.5) / len, rest -= frac[n++];
    cell[n] = c0, frac[n] = rest;
    return n + 1;
}

/* A_E: nuclear removal, then each survivor's post-step energy is spread
 * over the target bins of its table entry (mean energy kept); the lost
 * energy is deposited at the centroid of the loss along the step. */
static void op_energy(ref_ctx *c, int new_lo, int new_hi, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    clear_bins(c, new_lo, new_hi);
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = c->zb; z < c->zb + c->H; z++)
                for (int x = 0; x < p->nx; x++) {
                    size_t src = IDX(c, i, j, z, x);
                    double w = c->psi[src];
                    if (w == 0) continue;
                    size_t mi = (size_t)p->cell_mat[z * p->nx + x] * p->ne + i;
                    a->w_nuclear += w * (1 - p->e_survive[mi]);
                    a->e_nuc_deposited += w * p->e_nuc_local_MeV[mi];
                    a->e_nuc_escaped += w * p->e_nuc_escape_MeV[mi];
                    a->w_absorbed += w * p->e_absorbed[mi];
                    for (int t = 0; t < p->e_count[mi]; t++)
                        move(c, IDX(c, p->e_first[mi] + t, j, z, x), src, p->e_w[mi * SMX_EK_MAX + t]);
                    /* secondary protons: same cell and direction, lower bins */
                    for (int n = p->s_off[mi]; n < p->s_off[mi + 1]; n++)
                        move(c, IDX(c, p->s_bin[n], j, z, x), src, p->s_w[n]);
                    if (p->s_weight) {
                        a->w_secondary += w * p->s_weight[mi];
                        a->e_secondary += w * p->s_energy_MeV[mi];
                    }
                    double dep = w * p->e_dep_MeV[mi], all = dep + w * p->e_nuc_local_MeV[mi];
                    a->e_deposited += dep;
                    /* deposited around the cell's centroid + the table offset:
                     * the parcel's own width convolved with one cell (the
                     * cloud-in-cell of a point) */
                    size_t mij = mi * p->nt + j;
                    int cx[3], cz[3], m = p->cell_mat[z * p->nx + x];
                    double fx[3], fz[3];
                    /* an interface medium deposits a point in z at the
                     * table offset: its split across the interface is exact */
                    int pt = p->mat_upstream[m] >= 0;
                    int nxp = deposit_pieces(x + offset(c->mx, src, w) + p->dx0[mij] + p->dfx[mij],
                                             variance(c->mx, c->qx, src, w), cx, fx);
                    int nzp = deposit_pieces(z + (pt ? 0 : offset(c->mz, src, w)) + p->dz0[mij] + p->dfz[mij],
                                             pt ? 0 : variance(c->mz, c->qz, src, w), cz, fz);
                    for (int bz = 0; bz < nzp; bz++)
                        for (int bx = 0; bx < nxp; bx++) {
                            size_t q = (size_t)smx__clampi(cz[bz], 0, p->nz - 1) * p->nx +
                                       smx__clampi(cx[bx], 0, p->nx - 1);
                            if (!smx__deposit_allowed(p, m, q)) q = (size_t)z * p->nx + x;
                            c->edep[q] += all * fz[bz] * fx[bx];
                        }
                }
}

static void swap(double **a, double **b)
{
    double *t = *a;
    *a = *b;
    *b = t;
}

static smx_status ref_op(void *ctx, const smx_node *node, int lo, int hi, int olo, int ohi,
                         const int *rows, smx_op_acct *a, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    c->lo = lo;
    c->hi = hi;
    /* A_stream moves rows: the window must hold where they land */
    if (node->op == SMX_OP_STREAM) {
        int a, b, dz0 = 1 << 20, dz1 = -(1 << 20);
        for (int j = 0; j < c->p->nt; j++) { /* a parcel's pieces land in z + sz0 - 1 .. + 2 */
            dz0 = c->p->sz0[j] - 1 < dz0 ? c->p->sz0[j] - 1 : dz0;
            dz1 = c->p->sz0[j] + 2 > dz1 ? c->p->sz0[j] + 2 : dz1;
        }
        occupied_rows(c, &a, &b);
        if (b >= a && !ensure_window(c, a + dz0, b + dz1)) {
            if (c->grow_need > 0)
                smx__err(err, errlen, "reference backend: the beam needs a larger state window: "
                         "%.3g GB more, but %.3g GB is available (%s)", c->grow_need / 1e9,
                         c->grow_avail / 1e9, c->mem_limit_GB > 0
                         ? "run.memory_limit_GB less what the run holds" : "the machine's memory");
            else
                smx__err(err, errlen, "reference backend: out of memory growing the state's window");
            return SMX_ENOMEM;
        }
    }
    switch (node->op) {
    case SMX_OP_SCATTER: op_scatter(c, node->variant, a); break;
    case SMX_OP_STREAM: op_stream(c, a); break;
    case SMX_OP_ENERGY: op_energy(c, olo, ohi, a); break;
    }
    swap(&c->psi, &c->tpsi);
    swap(&c->mx, &c->tmx);
    swap(&c->mz, &c->tmz);
    swap(&c->qx, &c->tqx);
    swap(&c->qz, &c->tqz);
    c->lo = olo;
    c->hi = ohi;
    return SMX_OK;
}

static smx_status ref_slab_weights(void *ctx, int lo, int hi, double *w, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    const smx_plan *p = c->p;
    size_t S = (size_t)c->H * p->nx;
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++) {
            const double *s = c->psi + IDX(c, i, j, c->zb, 0);
            double acc = 0;
            for (size_t q = 0; q < S; q++) acc += s[q];
            w[(size_t)(i - lo) * p->nt + j] = acc;
        }
    return SMX_OK;
}

static smx_status ref_stop(void *ctx, int lo, int hi, int rejected, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    const smx_plan *p = c->p;
    size_t S = (size_t)c->H * p->nx, q0 = (size_t)c->zb * p->nx; /* the window's cells */
    double *arr[] = {c->mx, c->mz, c->qx, c->qz};
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++) {
            if (rejected && !p->theta_rejected[j]) continue;
            size_t n0 = IDX(c, i, j, c->zb, 0);
            for (size_t q = 0; q < S; q++) {
                c->edep[q0 + q] += c->psi[n0 + q] * p->e_center_MeV[i];
                c->psi[n0 + q] = 0;
                for (int k = 0; k < 4 && p->moments; k++) arr[k][n0 + q] = 0;
            }
        }
    if (!rejected && lo == c->lo) c->lo = hi + 1;
    else if (!rejected && hi == c->hi) c->hi = lo - 1;
    if (c->hi < c->lo) c->lo = 0, c->hi = -1;
    return SMX_OK;
}

static smx_status ref_row_sums(void *ctx, int lo, int hi, double *w, double *mz, char *err,
                               size_t errlen)
{
    ref_ctx *c = ctx;
    const smx_plan *p = c->p;
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = 0; z < p->nz; z++) {
                size_t o = ((size_t)(i - lo) * p->nt + j) * p->nz + z;
                w[o] = mz[o] = 0;
                for (int x = 0; z >= c->zb && z < c->zb + c->H && x < p->nx; x++) {
                    w[o] += c->psi[IDX(c, i, j, z, x)];
                    if (p->moments) mz[o] += c->mz[IDX(c, i, j, z, x)];
                }
            }
    return SMX_OK;
}

static smx_status ref_copy_pass(void *ctx, double *ms, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    size_t n = (size_t)c->p->ne * c->p->nt * c->H * c->p->nx; /* each array as held */
    double *s[] = {c->psi, c->mx, c->mz, c->qx, c->qz}, *d[] = {c->tpsi, c->tmx, c->tmz, c->tqx, c->tqz};
    double t0 = smx__now_s();
    for (int a = 0; a < (c->p->moments ? 5 : 1); a++) /* every state array */
        for (size_t k = 0; k < n; k++) d[a][k] = s[a][k];
    *ms = (smx__now_s() - t0) * 1e3;
    return SMX_OK;
}

const smx_backend_iface smx__backend_reference = {
    .name = "reference",
    .kind = SMX_BACKEND_ORACLE,
    .window0 = REF_WINDOW0,
    .device_count = ref_device_count,
    .device_name = ref_device_name,
    .create = ref_create,
    .destroy = ref_destroy,
    .supports = ref_supports,
    .set_state = ref_set_state,
    .get_state = ref_get_state,
    .get_edep = ref_get_edep,
    .op = ref_op,
    .slab_weights = ref_slab_weights,
    .stop = ref_stop,
    .copy_pass = ref_copy_pass,
    .row_sums = ref_row_sums,
};
