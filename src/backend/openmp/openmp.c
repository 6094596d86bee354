/* The openmp backend: float32 state, OpenMP over (energy, theta) slabs,
 * contiguous inner loops over the spatial slab that the compiler
 * vectorises, double accumulators for every accounting figure and for the
 * deposited energy (one buffer per thread, summed in a fixed order).
 *
 * Each operator is written as a gather or as a scatter confined to a slab
 * that one thread owns, so no two threads ever write the same element. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/util.h"

typedef struct omp_ctx {
    const smx_plan *p;
    int threads;
    size_t slab;         /* nz * nx */
    float *psi, *tmp;    /* state and scratch, canonical layout */
    double *edep;        /* [threads][slab] MeV per unit weight */
    double *sums;        /* [ne][nt] weight of each slab */
    float *kw;           /* [variant][ne][2*kmax+1] kernel weights */
    double *kleak;       /* [variant][ne][nt] kernel mass leaving the window */
    int lo, hi;
} omp_ctx;

#define SLAB(c, buf, i, j) ((buf) + ((size_t)(i) * (c)->p->nt + (j)) * (c)->slab)

static int omp_device_count(char *why, size_t whylen) { return 1; }

static smx_status omp_device_name(int device, char *buf, size_t buflen)
{
    if (device != 0) return SMX_ENODEV;
    smx__err(buf, buflen, "host CPU, %d OpenMP threads (float32)", omp_get_max_threads());
    return SMX_OK;
}

static void omp_destroy(void *ctx)
{
    omp_ctx *c = ctx;
    if (!c) return;
    free(c->psi);
    free(c->tmp);
    free(c->edep);
    free(c->sums);
    free(c->kw);
    free(c->kleak);
    free(c);
}

static void *alloc64(size_t bytes)
{
    return aligned_alloc(64, (bytes + 63) / 64 * 64);
}

static smx_status omp_create(const smx_plan *p, int device, smx_precision precision,
                             int threads, void **out, char *err, size_t errlen)
{
    if (device != 0) {
        smx__err(err, errlen, "openmp backend: device %d does not exist (only 0)", device);
        return SMX_ENODEV;
    }
    if (p->nmat != 1) {
        smx__err(err, errlen, "openmp backend: heterogeneous media are not supported yet");
        return SMX_ENOTSUP;
    }
    omp_ctx *c = calloc(1, sizeof *c);
    if (!c) return SMX_ENOMEM;
    c->p = p;
    c->threads = threads > 0 ? threads : omp_get_max_threads();
    c->slab = smx__slab(p);
    size_t n = smx__psi_size(p), ker = 2 * (size_t)p->kmax + 1;
    c->psi = alloc64(n * sizeof(float));
    c->tmp = alloc64(n * sizeof(float));
    c->edep = calloc((size_t)c->threads * c->slab, sizeof(double));
    c->sums = calloc((size_t)p->ne * p->nt, sizeof(double));
    c->kw = calloc((size_t)SMX_KERNEL_VARIANTS * p->ne * ker, sizeof(float));
    c->kleak = calloc((size_t)SMX_KERNEL_VARIANTS * p->ne * p->nt, sizeof(double));
    if (!c->psi || !c->tmp || !c->edep || !c->sums || !c->kw || !c->kleak) {
        omp_destroy(c);
        smx__err(err, errlen, "openmp backend: cannot allocate 2 x %.1f MB for the state",
                 n * 4.0 / 1e6);
        return SMX_ENOMEM;
    }
    /* first touch by the threads that will use the pages */
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (size_t k = 0; k < n; k++) c->psi[k] = c->tmp[k] = 0.0f;
    for (int v = 0; v < SMX_KERNEL_VARIANTS; v++)
        for (int i = 0; i < p->ne; i++) {
            const double *src = p->k_weight + ((size_t)v * p->ne + i) * ker;
            int K = p->k_half[v * p->ne + i];
            for (size_t k = 0; k < ker; k++) c->kw[((size_t)v * p->ne + i) * ker + k] = (float)src[k];
            if (p->full_circle) continue;
            for (int j = 0; j < p->nt; j++) {
                double l = 0;
                for (int k = -K; k <= K; k++)
                    if (j + k < 0 || j + k >= p->nt) l += src[p->kmax + k];
                c->kleak[((size_t)v * p->ne + i) * p->nt + j] = l;
            }
        }
    *out = c;
    return SMX_OK;
}

static int omp_supports(void *ctx, int op, smx_precision precision)
{
    return op >= 0 && op < SMX_OP_COUNT && precision == SMX_PRECISION_FLOAT32;
}

static smx_status omp_set_psi(void *ctx, const double *psi, int lo, int hi, char *err,
                              size_t errlen)
{
    omp_ctx *c = ctx;
    size_t n = smx__psi_size(c->p);
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (size_t k = 0; k < n; k++) c->psi[k] = (float)psi[k];
    memset(c->edep, 0, (size_t)c->threads * c->slab * sizeof(double));
    c->lo = lo;
    c->hi = hi;
    return SMX_OK;
}

static smx_status omp_get_psi(void *ctx, double *psi, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    const smx_plan *p = c->p;
    size_t n = smx__psi_size(p), a = 0, b = 0;
    if (c->hi >= c->lo) {
        a = (size_t)c->lo * p->nt * c->slab;
        b = (size_t)(c->hi + 1) * p->nt * c->slab;
    }
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (size_t k = 0; k < n; k++) psi[k] = (k >= a && k < b) ? (double)c->psi[k] : 0.0;
    return SMX_OK;
}

static smx_status omp_get_edep(void *ctx, double *edep, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    for (size_t q = 0; q < c->slab; q++) {
        double s = 0;
        for (int t = 0; t < c->threads; t++) s += c->edep[(size_t)t * c->slab + q];
        edep[q] = s;
    }
    return SMX_OK;
}

/* Weight of every slab of buf in [lo, hi] into c->sums; returns the total
 * weight and energy. */
static void slab_sums(omp_ctx *c, const float *buf, int lo, int hi, double *w, double *e)
{
    const smx_plan *p = c->p;
    int nt = p->nt, rows = (hi - lo + 1) * nt;
    double sw = 0, se = 0;
    if (rows <= 0) {
        *w = *e = 0;
        return;
    }
#pragma omp parallel for num_threads(c->threads) schedule(static) reduction(+ : sw, se)
    for (int r = 0; r < rows; r++) {
        int i = lo + r / nt, j = r % nt;
        const float *s = SLAB(c, buf, i, j);
        double acc = 0;
#pragma omp simd reduction(+ : acc)
        for (size_t q = 0; q < c->slab; q++) acc += s[q];
        c->sums[(size_t)i * nt + j] = acc;
        sw += acc;
        se += acc * p->e_center_MeV[i];
    }
    *w = sw;
    *e = se;
}

/* A_theta as a gather: out[j'] = sum_k w_k in[j' - k], row by row. */
static void op_scatter(omp_ctx *c, int v, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, lo = c->lo, rows = (c->hi - lo + 1) * nt;
    size_t ker = 2 * (size_t)p->kmax + 1, S = c->slab;
    double leak_w = 0, leak_e = 0, rej_w = 0, rej_e = 0;
    for (int i = lo; i <= c->hi; i++) /* window leak from the kernel mass outside it */
        for (int j = 0; j < nt && !p->full_circle; j++) {
            double l = c->kleak[((size_t)v * p->ne + i) * nt + j] * c->sums[(size_t)i * nt + j];
            leak_w += l;
            leak_e += l * p->e_center_MeV[i];
        }
#pragma omp parallel num_threads(c->threads) reduction(+ : rej_w, rej_e)
    {
        double *edep = c->edep + (size_t)omp_get_thread_num() * S;
#pragma omp for schedule(static)
        for (int r = 0; r < rows; r++) {
            int i = lo + r / nt, jo = r % nt;
            int K = p->k_half[v * p->ne + i];
            const float *w = c->kw + ((size_t)v * p->ne + i) * ker + p->kmax;
            float *o = SLAB(c, c->tmp, i, jo);
            memset(o, 0, S * sizeof(float));
            for (int k = -K; k <= K; k++) {
                int js = jo - k;
                if (p->full_circle) js = ((js % nt) + nt) % nt;
                else if (js < 0 || js >= nt) continue;
                if (c->sums[(size_t)i * nt + js] == 0) continue;
                const float *in = SLAB(c, c->psi, i, js);
                float wk = w[k];
#pragma omp simd
                for (size_t q = 0; q < S; q++) o[q] += wk * in[q];
            }
            if (p->theta_rejected[jo]) { /* backward: deposited where it is */
                double Ei = p->e_center_MeV[i], acc = 0;
                for (size_t q = 0; q < S; q++) {
                    acc += o[q];
                    edep[q] += Ei * o[q];
                    o[q] = 0;
                }
                rej_w += acc;
                rej_e += acc * Ei;
            }
        }
    }
    a->w_leak[SMX_EDGE_THETA] = leak_w;
    a->e_leak[SMX_EDGE_THETA] = leak_e;
    a->w_rejected = rej_w;
    a->e_deposited = rej_e;
}

/* A_stream: each slab shifts within itself (one thread per slab). */
static void op_stream(omp_ctx *c, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, nx = p->nx, nz = p->nz, lo = c->lo, rows = (c->hi - lo + 1) * nt;
    double lw[SMX_EDGE_COUNT] = {0}, le[SMX_EDGE_COUNT] = {0};
    double l0 = 0, l1 = 0, l2 = 0, l3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
#pragma omp parallel for num_threads(c->threads) schedule(static) \
    reduction(+ : l0, l1, l2, l3, e0, e1, e2, e3)
    for (int r = 0; r < rows; r++) {
        int i = lo + r / nt, j = r % nt;
        const float *in = SLAB(c, c->psi, i, j);
        float *o = SLAB(c, c->tmp, i, j);
        memset(o, 0, c->slab * sizeof(float));
        if (c->sums[(size_t)i * nt + j] == 0) continue;
        double leak[SMX_EDGE_COUNT] = {0};
        float wx[2] = {(float)(1 - p->sfx[j]), (float)p->sfx[j]};
        float wz[2] = {(float)(1 - p->sfz[j]), (float)p->sfz[j]};
        for (int z = 0; z < nz; z++) {
            const float *row = in + (size_t)z * nx;
            double rowsum = 0;
#pragma omp simd reduction(+ : rowsum)
            for (int x = 0; x < nx; x++) rowsum += row[x];
            if (rowsum == 0) continue;
            for (int bz = 0; bz < 2; bz++)
                for (int bx = 0; bx < 2; bx++) {
                    float cw = wz[bz] * wx[bx];
                    if (cw == 0) continue;
                    int xo = p->sx0[j] + bx, zd = z + p->sz0[j] + bz;
                    int xa = xo < 0 ? -xo : 0, xb = xo > 0 ? nx - xo : nx;
                    if (xa > nx) xa = nx;
                    if (xb < 0) xb = 0;
                    double valid = xo == 0 ? rowsum : 0;
                    if (xo != 0 && xa < xb) {
#pragma omp simd reduction(+ : valid)
                        for (int x = xa; x < xb; x++) valid += row[x];
                    }
                    leak[xo < 0 ? SMX_EDGE_XMIN : SMX_EDGE_XMAX] += (double)cw * (rowsum - valid);
                    if (zd < 0 || zd >= nz) {
                        leak[zd < 0 ? SMX_EDGE_ZMIN : SMX_EDGE_ZMAX] += (double)cw * valid;
                        continue;
                    }
                    float *orow = o + (size_t)zd * nx + xo;
#pragma omp simd
                    for (int x = xa; x < xb; x++) orow[x] += cw * row[x];
                }
        }
        double Ei = p->e_center_MeV[i];
        l0 += leak[0];
        l1 += leak[1];
        l2 += leak[2];
        l3 += leak[3];
        e0 += leak[0] * Ei;
        e1 += leak[1] * Ei;
        e2 += leak[2] * Ei;
        e3 += leak[3] * Ei;
    }
    lw[0] = l0, lw[1] = l1, lw[2] = l2, lw[3] = l3;
    le[0] = e0, le[1] = e1, le[2] = e2, le[3] = e3;
    for (int e = 0; e < 4; e++) {
        a->w_leak[e] = lw[e];
        a->e_leak[e] = le[e];
    }
}

/* Deposit dep * in at the offset cells of the table (clamped at the grid
 * edges), into one thread's buffer. */
static void deposit(const smx_plan *p, double *edep, const float *in, double dep, size_t mij)
{
    int nx = p->nx, nz = p->nz;
    double fx[2] = {1 - p->dfx[mij], p->dfx[mij]}, fz[2] = {1 - p->dfz[mij], p->dfz[mij]};
    for (int z = 0; z < nz; z++) {
        const float *row = in + (size_t)z * nx;
        for (int bz = 0; bz < 2; bz++) {
            if (fz[bz] == 0) continue;
            double *drow = edep + (size_t)smx__clampi(z + p->dz0[mij] + bz, 0, nz - 1) * nx;
            for (int bx = 0; bx < 2; bx++) {
                double cw = dep * fz[bz] * fx[bx];
                if (cw == 0) continue;
                int xo = p->dx0[mij] + bx;
                int xa = smx__clampi(-xo, 0, nx), xb = smx__clampi(nx - xo, 0, nx);
                for (int x = 0; x < xa; x++) drow[0] += cw * row[x];
#pragma omp simd
                for (int x = xa; x < xb; x++) drow[x + xo] += cw * row[x];
                for (int x = xb > xa ? xb : xa; x < nx; x++) drow[nx - 1] += cw * row[x];
            }
        }
    }
}

/* A_E: each theta slab column is owned by one thread; energy bins move
 * down within it. */
static void op_energy(omp_ctx *c, int nlo, int nhi, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt;
    size_t S = c->slab;
    double abs_w = 0, dep_e = 0;
    if (nhi >= nlo) {
        size_t a0 = (size_t)nlo * nt * S, a1 = (size_t)(nhi + 1) * nt * S;
#pragma omp parallel for num_threads(c->threads) schedule(static)
        for (size_t k = a0; k < a1; k++) c->tmp[k] = 0.0f;
    }
#pragma omp parallel num_threads(c->threads) reduction(+ : abs_w, dep_e)
    {
        double *edep = c->edep + (size_t)omp_get_thread_num() * S;
#pragma omp for schedule(static)
        for (int j = 0; j < nt; j++)
            for (int i = c->lo; i <= c->hi; i++) {
                double sw = c->sums[(size_t)i * nt + j];
                if (sw == 0) continue;
                const float *in = SLAB(c, c->psi, i, j);
                int k = p->e_target[i];
                if (k < 0) {
                    abs_w += sw;
                } else {
                    float wl = (float)p->e_w_lo[i], wh = (float)(1 - p->e_w_lo[i]);
                    float *o = SLAB(c, c->tmp, k, j);
#pragma omp simd
                    for (size_t q = 0; q < S; q++) o[q] += wl * in[q];
                    if (p->e_w_lo[i] < 1) {
                        float *o1 = SLAB(c, c->tmp, k + 1, j);
#pragma omp simd
                        for (size_t q = 0; q < S; q++) o1[q] += wh * in[q];
                    }
                }
                dep_e += sw * p->e_dep_MeV[i];
                deposit(p, edep, in, p->e_dep_MeV[i], (size_t)i * nt + j);
            }
    }
    a->w_absorbed = abs_w;
    a->e_deposited = dep_e;
}

static smx_status omp_run(void *ctx, const smx_graph *g, smx_op_acct *acct, char *err,
                          size_t errlen)
{
    omp_ctx *c = ctx;
    c->lo = g->e_lo;
    c->hi = g->e_hi;
    for (int n = 0; n < g->nnodes; n++) {
        smx_op_acct *a = &acct[n];
        memset(a, 0, sizeof *a);
        double t0 = omp_get_wtime();
        int lo = c->lo, hi = c->hi;
        slab_sums(c, c->psi, lo, hi, &a->w_in, &a->e_in);
        switch (g->nodes[n].op) {
        case SMX_OP_SCATTER: op_scatter(c, g->nodes[n].variant, a); break;
        case SMX_OP_STREAM: op_stream(c, a); break;
        case SMX_OP_ENERGY:
            if (!smx__energy_range_after(c->p, c->lo, c->hi, &lo, &hi)) {
                lo = 0;
                hi = -1;
            }
            op_energy(c, lo, hi, a);
            break;
        default:
            smx__err(err, errlen, "openmp backend: unknown op %d", g->nodes[n].op);
            return SMX_ENOTSUP;
        }
        float *t = c->psi;
        c->psi = c->tmp;
        c->tmp = t;
        c->lo = lo;
        c->hi = hi;
        slab_sums(c, c->psi, lo, hi, &a->w_out, &a->e_out);
        a->ms = (omp_get_wtime() - t0) * 1e3;
    }
    return SMX_OK;
}

static smx_status omp_copy_pass(void *ctx, double *ms, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    size_t n = smx__psi_size(c->p);
    double t0 = omp_get_wtime();
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (size_t k = 0; k < n; k++) c->tmp[k] = c->psi[k];
    *ms = (omp_get_wtime() - t0) * 1e3;
    return SMX_OK;
}

const smx_backend_iface smx__backend_openmp = {
    .name = "openmp",
    .device_count = omp_device_count,
    .device_name = omp_device_name,
    .create = omp_create,
    .destroy = omp_destroy,
    .supports = omp_supports,
    .set_psi = omp_set_psi,
    .get_psi = omp_get_psi,
    .get_edep = omp_get_edep,
    .run = omp_run,
    .copy_pass = omp_copy_pass,
};
