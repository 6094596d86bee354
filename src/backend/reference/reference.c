/* The reference backend: float64, plain loops written to be read, no
 * optimisation. Every other backend is judged against it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backend.h"
#include "core/util.h"

typedef struct ref_ctx {
    const smx_plan *p;
    double *psi, *tmp; /* current state and scratch, canonical layout */
    double *edep;      /* [nz][nx] MeV per unit weight */
    int lo, hi;        /* occupied energy bins of psi */
} ref_ctx;

#define IDX(p, i, j, z, x) ((((size_t)(i) * (p)->nt + (j)) * (p)->nz + (z)) * (p)->nx + (x))

static int ref_device_count(char *why, size_t whylen) { return 1; }

static smx_status ref_device_name(int device, char *buf, size_t buflen)
{
    if (device != 0) return SMX_ENODEV;
    smx__err(buf, buflen, "host CPU (float64 reference loops)");
    return SMX_OK;
}

static smx_status ref_create(const smx_plan *p, int device, smx_precision precision,
                             int threads, void **out, char *err, size_t errlen)
{
    if (device != 0) {
        smx__err(err, errlen, "reference backend: device %d does not exist (only 0)", device);
        return SMX_ENODEV;
    }
    ref_ctx *c = calloc(1, sizeof *c);
    size_t n = smx__psi_size(p);
    if (c) {
        c->p = p;
        c->psi = calloc(n, sizeof(double));
        c->tmp = calloc(n, sizeof(double));
        c->edep = calloc(smx__slab(p), sizeof(double));
    }
    if (!c || !c->psi || !c->tmp || !c->edep) {
        if (c) {
            free(c->psi);
            free(c->tmp);
            free(c->edep);
        }
        free(c);
        smx__err(err, errlen, "reference backend: cannot allocate 2 x %.1f MB for the state",
                 n * 8.0 / 1e6);
        return SMX_ENOMEM;
    }
    *out = c;
    return SMX_OK;
}

static void ref_destroy(void *ctx)
{
    ref_ctx *c = ctx;
    if (!c) return;
    free(c->psi);
    free(c->tmp);
    free(c->edep);
    free(c);
}

static int ref_supports(void *ctx, int op, smx_precision precision)
{
    return op >= 0 && op < SMX_OP_COUNT && precision == SMX_PRECISION_FLOAT64;
}

static smx_status ref_set_psi(void *ctx, const double *psi, int lo, int hi, char *err,
                              size_t errlen)
{
    ref_ctx *c = ctx;
    memcpy(c->psi, psi, smx__psi_size(c->p) * sizeof(double));
    memset(c->edep, 0, smx__slab(c->p) * sizeof(double));
    c->lo = lo;
    c->hi = hi;
    return SMX_OK;
}

static smx_status ref_get_psi(void *ctx, double *psi, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    const smx_plan *p = c->p;
    memset(psi, 0, smx__psi_size(p) * sizeof(double));
    if (c->hi >= c->lo) {
        size_t a = IDX(p, c->lo, 0, 0, 0), b = IDX(p, c->hi + 1, 0, 0, 0);
        memcpy(psi + a, c->psi + a, (b - a) * sizeof(double));
    }
    return SMX_OK;
}

static smx_status ref_get_edep(void *ctx, double *edep, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    memcpy(edep, c->edep, smx__slab(c->p) * sizeof(double));
    return SMX_OK;
}

/* Weight and energy of the state in bins [lo, hi]. */
static void totals(const ref_ctx *c, const double *psi, int lo, int hi, double *w, double *e)
{
    const smx_plan *p = c->p;
    *w = *e = 0;
    for (int i = lo; i <= hi; i++)
        for (size_t n = IDX(p, i, 0, 0, 0); n < IDX(p, i + 1, 0, 0, 0); n++) {
            *w += psi[n];
            *e += psi[n] * p->e_center_MeV[i];
        }
}

/* A_theta: convolve every (E, z, x) angular distribution with the kernel
 * of its energy bin and material. */
static void op_scatter(ref_ctx *c, int variant, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    size_t me = (size_t)p->nmat * p->ne;
    for (int i = c->lo; i <= c->hi; i++)
        memset(c->tmp + IDX(p, i, 0, 0, 0), 0, sizeof(double) * p->nt * smx__slab(p));
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = 0; z < p->nz; z++)
                for (int x = 0; x < p->nx; x++) {
                    double w = c->psi[IDX(p, i, j, z, x)];
                    if (w == 0) continue;
                    size_t mi = (size_t)p->cell_mat[z * p->nx + x] * p->ne + i;
                    int K = p->k_half[variant * me + mi];
                    const double *kw = p->k_weight + (variant * me + mi) * (2 * p->kmax + 1);
                    for (int k = -K; k <= K; k++) {
                        double piece = w * kw[p->kmax + k];
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
                        if (p->theta_rejected[jj]) {
                            /* backward: removed, energy deposited where it is */
                            a->w_rejected += piece;
                            a->e_deposited += piece * p->e_center_MeV[i];
                            c->edep[z * p->nx + x] += piece * p->e_center_MeV[i];
                            continue;
                        }
                        c->tmp[IDX(p, i, jj, z, x)] += piece;
                    }
                }
}

/* A_stream: shift-and-deposit; each cell lands on up to four cells with
 * area weights. A piece outside the grid is leaked on the x edge it
 * crossed, else on the z edge. */
static void op_stream(ref_ctx *c, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    for (int i = c->lo; i <= c->hi; i++)
        memset(c->tmp + IDX(p, i, 0, 0, 0), 0, sizeof(double) * p->nt * smx__slab(p));
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++) {
            double wx[2] = {1 - p->sfx[j], p->sfx[j]}, wz[2] = {1 - p->sfz[j], p->sfz[j]};
            for (int z = 0; z < p->nz; z++)
                for (int x = 0; x < p->nx; x++) {
                    double w = c->psi[IDX(p, i, j, z, x)];
                    if (w == 0) continue;
                    for (int bz = 0; bz < 2; bz++)
                        for (int bx = 0; bx < 2; bx++) {
                            double piece = w * wz[bz] * wx[bx];
                            if (piece == 0) continue;
                            int xx = x + p->sx0[j] + bx, zz = z + p->sz0[j] + bz;
                            int edge = -1;
                            if (xx < 0) edge = SMX_EDGE_XMIN;
                            else if (xx >= p->nx) edge = SMX_EDGE_XMAX;
                            else if (zz < 0) edge = SMX_EDGE_ZMIN;
                            else if (zz >= p->nz) edge = SMX_EDGE_ZMAX;
                            if (edge >= 0) {
                                a->w_leak[edge] += piece;
                                a->e_leak[edge] += piece * p->e_center_MeV[i];
                            } else {
                                c->tmp[IDX(p, i, j, zz, xx)] += piece;
                            }
                        }
                }
        }
}

/* A_E: each bin's post-step energy goes to the two bins whose centres
 * bracket it (mean energy kept); the lost energy is deposited at the
 * centroid of the loss along the step. */
static void op_energy(ref_ctx *c, int new_lo, int new_hi, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    if (new_hi >= new_lo)
        for (int i = new_lo; i <= new_hi; i++)
            memset(c->tmp + IDX(p, i, 0, 0, 0), 0, sizeof(double) * p->nt * smx__slab(p));
    for (int i = c->lo; i <= c->hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = 0; z < p->nz; z++)
                for (int x = 0; x < p->nx; x++) {
                    double w = c->psi[IDX(p, i, j, z, x)];
                    if (w == 0) continue;
                    size_t mi = (size_t)p->cell_mat[z * p->nx + x] * p->ne + i;
                    int k = p->e_target[mi];
                    if (k < 0) {
                        a->w_absorbed += w;
                    } else {
                        c->tmp[IDX(p, k, j, z, x)] += w * p->e_w_lo[mi];
                        if (p->e_w_lo[mi] < 1)
                            c->tmp[IDX(p, k + 1, j, z, x)] += w * (1 - p->e_w_lo[mi]);
                    }
                    double dep = w * p->e_dep_MeV[mi];
                    a->e_deposited += dep;
                    size_t mij = mi * p->nt + j;
                    double fx[2] = {1 - p->dfx[mij], p->dfx[mij]};
                    double fz[2] = {1 - p->dfz[mij], p->dfz[mij]};
                    for (int bz = 0; bz < 2; bz++)
                        for (int bx = 0; bx < 2; bx++) {
                            int zz = smx__clampi(z + p->dz0[mij] + bz, 0, p->nz - 1);
                            int xx = smx__clampi(x + p->dx0[mij] + bx, 0, p->nx - 1);
                            c->edep[zz * p->nx + xx] += dep * fz[bz] * fx[bx];
                        }
                }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static smx_status ref_run(void *ctx, const smx_graph *g, smx_op_acct *acct, char *err,
                          size_t errlen)
{
    ref_ctx *c = ctx;
    c->lo = g->e_lo;
    c->hi = g->e_hi;
    for (int n = 0; n < g->nnodes; n++) {
        smx_op_acct *a = &acct[n];
        memset(a, 0, sizeof *a);
        double t0 = now_ms();
        int lo = c->lo, hi = c->hi;
        totals(c, c->psi, lo, hi, &a->w_in, &a->e_in);
        switch (g->nodes[n].op) {
        case SMX_OP_SCATTER: op_scatter(c, g->nodes[n].variant, a); break;
        case SMX_OP_STREAM: op_stream(c, a); break;
        case SMX_OP_ENERGY:
            smx__range_after_op(c->p, SMX_OP_ENERGY, &lo, &hi);
            op_energy(c, lo, hi, a);
            break;
        default:
            smx__err(err, errlen, "reference backend: unknown op %d", g->nodes[n].op);
            return SMX_ENOTSUP;
        }
        double *t = c->psi;
        c->psi = c->tmp;
        c->tmp = t;
        c->lo = lo;
        c->hi = hi;
        totals(c, c->psi, lo, hi, &a->w_out, &a->e_out);
        a->ms = now_ms() - t0;
    }
    return SMX_OK;
}

static smx_status ref_copy_pass(void *ctx, double *ms, char *err, size_t errlen)
{
    ref_ctx *c = ctx;
    size_t n = smx__psi_size(c->p);
    double t0 = now_ms();
    for (size_t k = 0; k < n; k++) c->tmp[k] = c->psi[k];
    *ms = now_ms() - t0;
    return SMX_OK;
}

const smx_backend_iface smx__backend_reference = {
    .name = "reference",
    .device_count = ref_device_count,
    .device_name = ref_device_name,
    .create = ref_create,
    .destroy = ref_destroy,
    .supports = ref_supports,
    .set_psi = ref_set_psi,
    .get_psi = ref_get_psi,
    .get_edep = ref_get_edep,
    .run = ref_run,
    .copy_pass = ref_copy_pass,
};
