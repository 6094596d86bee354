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
    double *edep;        /* [threads][epad] MeV per unit weight, padded by */
    int bx, bz;          /* bx columns and bz rows on each side */
    size_t epad;         /* (nz + 2 bz) * (nx + 2 bx) */
    float *zero_row;     /* nx zeros: the source row beyond the grid */
    double *sums, *osums; /* [ne][nt] weight of each slab of psi / of tmp */
    int *gstart, *gsrc;   /* A_E gather lists: output bin k takes from */
    float *gw;            /* gsrc[gstart[k] .. gstart[k+1]) with weights gw */
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
    free(c->zero_row);
    free(c->sums);
    free(c->osums);
    free(c->gstart);
    free(c->gsrc);
    free(c->gw);
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
    for (size_t k = 0; k < (size_t)p->nmat * p->ne * p->nt; k++) {
        int ax = abs(p->dx0[k]) + 1, az = abs(p->dz0[k]) + 1;
        if (ax > c->bx) c->bx = ax;
        if (az > c->bz) c->bz = az;
    }
    c->epad = (size_t)(p->nz + 2 * c->bz) * (p->nx + 2 * c->bx);
    c->edep = calloc((size_t)c->threads * c->epad, sizeof(double));
    c->zero_row = calloc(p->nx, sizeof(float));
    c->sums = calloc((size_t)p->ne * p->nt, sizeof(double));
    c->osums = calloc((size_t)p->ne * p->nt, sizeof(double));
    c->gstart = calloc((size_t)p->ne + 1, sizeof(int));
    c->gsrc = calloc(2 * (size_t)p->ne, sizeof(int));
    c->gw = calloc(2 * (size_t)p->ne, sizeof(float));
    c->kw = calloc((size_t)SMX_KERNEL_VARIANTS * p->ne * ker, sizeof(float));
    c->kleak = calloc((size_t)SMX_KERNEL_VARIANTS * p->ne * p->nt, sizeof(double));
    if (!c->psi || !c->tmp || !c->edep || !c->zero_row || !c->sums || !c->osums || !c->gstart || !c->gsrc ||
        !c->gw || !c->kw || !c->kleak) {
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
    /* A_E as a gather: the sources of every output bin, in order */
    int n_src = 0;
    for (int k = 0; k < p->ne; k++) {
        c->gstart[k] = n_src;
        for (int i = 0; i < p->ne; i++) {
            int t = p->e_target[i];
            if (t == k) {
                c->gsrc[n_src] = i;
                c->gw[n_src++] = (float)p->e_w_lo[i];
            } else if (t >= 0 && t + 1 == k && p->e_w_lo[i] < 1) {
                c->gsrc[n_src] = i;
                c->gw[n_src++] = (float)(1 - p->e_w_lo[i]);
            }
        }
    }
    c->gstart[p->ne] = n_src;
    *out = c;
    return SMX_OK;
}

static void slab_sums(omp_ctx *c, const float *buf, int lo, int hi);

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
    memset(c->edep, 0, (size_t)c->threads * c->epad * sizeof(double));
    c->lo = lo;
    c->hi = hi;
    if (hi >= lo) slab_sums(c, c->psi, lo, hi);
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
    const smx_plan *p = c->p;
    int W = p->nx + 2 * c->bx, H = p->nz + 2 * c->bz;
    memset(edep, 0, c->slab * sizeof(double));
    for (int t = 0; t < c->threads; t++) /* the border folds onto the edge cells */
        for (int z = 0; z < H; z++)
            for (int x = 0; x < W; x++) {
                int gz = smx__clampi(z - c->bz, 0, p->nz - 1), gx = smx__clampi(x - c->bx, 0, p->nx - 1);
                edep[(size_t)gz * p->nx + gx] += c->edep[(size_t)t * c->epad + (size_t)z * W + x];
            }
    return SMX_OK;
}

/* Weight of every slab of buf in [lo, hi] into c->sums (a full pass,
 * only when a state is uploaded; the operators sum their own output). */
static void slab_sums(omp_ctx *c, const float *buf, int lo, int hi)
{
    int nt = c->p->nt, rows = (hi - lo + 1) * nt;
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (int r = 0; r < rows; r++) {
        int i = lo + r / nt, j = r % nt;
        const float *s = SLAB(c, buf, i, j);
        double acc = 0;
#pragma omp simd reduction(+ : acc)
        for (size_t q = 0; q < c->slab; q++) acc += s[q];
        c->sums[(size_t)i * nt + j] = acc;
    }
}

/* Total weight and energy from per-slab sums. */
static void totals(const omp_ctx *c, const double *sums, int lo, int hi, double *w, double *e)
{
    const smx_plan *p = c->p;
    *w = *e = 0;
    for (int i = lo; i <= hi; i++) {
        double si = 0;
        for (int j = 0; j < p->nt; j++) si += sums[(size_t)i * p->nt + j];
        *w += si;
        *e += si * p->e_center_MeV[i];
    }
}

static double row_sum(const float *o, size_t n)
{
    double acc = 0;
#pragma omp simd reduction(+ : acc)
    for (size_t q = 0; q < n; q++) acc += o[q];
    return acc;
}

/* The calling thread's padded deposit buffer. */
static double *thread_edep(const omp_ctx *c)
{
    return c->edep + (size_t)omp_get_thread_num() * c->epad;
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
        double *epad = thread_edep(c);
        int W = p->nx + 2 * c->bx;
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
            double acc = row_sum(o, S);
            if (p->theta_rejected[jo] && acc != 0) { /* backward: deposited where it is */
                double Ei = p->e_center_MeV[i];
                for (int z = 0; z < p->nz; z++)
                    for (int x = 0; x < p->nx; x++) {
                        epad[(size_t)(z + c->bz) * W + x + c->bx] += Ei * o[(size_t)z * p->nx + x];
                        o[(size_t)z * p->nx + x] = 0;
                    }
                rej_w += acc;
                rej_e += acc * Ei;
                acc = 0;
            }
            c->osums[(size_t)i * nt + jo] = acc;
        }
    }
    a->w_leak[SMX_EDGE_THETA] = leak_w;
    a->e_leak[SMX_EDGE_THETA] = leak_e;
    a->w_rejected = rej_w;
    a->e_deposited = rej_e;
}

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
 * off in x counts on the x edge, else on the z edge, as in reference). */
static void stream_leaks(const smx_plan *p, const float *in, int j, double *leak)
{
    int nx = p->nx, nz = p->nz;
    double wx[2] = {1 - p->sfx[j], p->sfx[j]}, wz[2] = {1 - p->sfz[j], p->sfz[j]};
    int xo[2] = {p->sx0[j], p->sx0[j] + 1};
    for (int zs = 0; zs < nz; zs++) {
        const float *row = in + (size_t)zs * nx;
        double ex[2] = {wx[0] > 0 ? off_columns(row, nx, xo[0]) : 0,
                        wx[1] > 0 ? off_columns(row, nx, xo[1]) : 0};
        for (int bz = 0; bz < 2; bz++) {
            if (wz[bz] == 0) continue;
            int zd = zs + p->sz0[j] + bz;
            for (int bx = 0; bx < 2; bx++) {
                if (wx[bx] == 0) continue;
                double w = wz[bz] * wx[bx];
                leak[xo[bx] < 0 ? SMX_EDGE_XMIN : SMX_EDGE_XMAX] += w * ex[bx];
                if (zd < 0 || zd >= nz) {
                    double rs = 0;
                    for (int x = 0; x < nx; x++) rs += row[x];
                    leak[zd < 0 ? SMX_EDGE_ZMIN : SMX_EDGE_ZMAX] += w * (rs - ex[bx]);
                }
            }
        }
    }
}

/* A_stream as a gather: every output cell is written once from the (up
 * to) four source cells that land on it; rows off the grid read zeros. */
static void op_stream(omp_ctx *c, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, nx = p->nx, nz = p->nz, lo = c->lo, rows = (c->hi - lo + 1) * nt;
    double l0 = 0, l1 = 0, l2 = 0, l3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
    const float *zero = c->zero_row;
#pragma omp parallel for num_threads(c->threads) schedule(static) \
    reduction(+ : l0, l1, l2, l3, e0, e1, e2, e3)
    for (int r = 0; r < rows; r++) {
        int i = lo + r / nt, j = r % nt;
        const float *in = SLAB(c, c->psi, i, j);
        float *o = SLAB(c, c->tmp, i, j);
        if (c->sums[(size_t)i * nt + j] == 0) {
            memset(o, 0, c->slab * sizeof(float));
            c->osums[(size_t)i * nt + j] = 0;
            continue;
        }
        float w00 = (float)((1 - p->sfz[j]) * (1 - p->sfx[j])), w01 = (float)((1 - p->sfz[j]) * p->sfx[j]);
        float w10 = (float)(p->sfz[j] * (1 - p->sfx[j])), w11 = (float)(p->sfz[j] * p->sfx[j]);
        int sx = p->sx0[j], sz = p->sz0[j];
        /* dest x reads source x - sx (w.0) and x - sx - 1 (w.1): both valid in [xa, xb) */
        int xa = smx__clampi(sx + 1, 0, nx), xb = smx__clampi(nx + sx, 0, nx);
        if (xb < xa) xb = xa;
        double osum = 0;
        for (int zd = 0; zd < nz; zd++) {
            int z0 = zd - sz, z1 = zd - sz - 1;
            const float *ra = (z0 >= 0 && z0 < nz) ? in + (size_t)z0 * nx : zero;
            const float *rb = (z1 >= 0 && z1 < nz) ? in + (size_t)z1 * nx : zero;
            float *orow = o + (size_t)zd * nx;
            double acc = 0;
            for (int x = 0; x < nx; x++) {
                if (x == xa) {
                    const float *a0 = ra - sx, *a1 = ra - sx - 1, *b0 = rb - sx, *b1 = rb - sx - 1;
#pragma omp simd reduction(+ : acc)
                    for (int q = xa; q < xb; q++) {
                        float v = w00 * a0[q] + w01 * a1[q] + w10 * b0[q] + w11 * b1[q];
                        orow[q] = v;
                        acc += v;
                    }
                    x = xb - 1;
                    if (xb > xa) continue;
                }
                int s0 = x - sx, s1 = x - sx - 1;
                float v = 0;
                if (s0 >= 0 && s0 < nx) v += w00 * ra[s0] + w10 * rb[s0];
                if (s1 >= 0 && s1 < nx) v += w01 * ra[s1] + w11 * rb[s1];
                orow[x] = v;
                acc += v;
            }
            osum += acc;
        }
        c->osums[(size_t)i * nt + j] = osum;
        double leak[SMX_EDGE_COUNT] = {0}, Ei = p->e_center_MeV[i];
        stream_leaks(p, in, j, leak);
        l0 += leak[0];
        l1 += leak[1];
        l2 += leak[2];
        l3 += leak[3];
        e0 += leak[0] * Ei;
        e1 += leak[1] * Ei;
        e2 += leak[2] * Ei;
        e3 += leak[3] * Ei;
    }
    a->w_leak[0] = l0, a->w_leak[1] = l1, a->w_leak[2] = l2, a->w_leak[3] = l3;
    a->e_leak[0] = e0, a->e_leak[1] = e1, a->e_leak[2] = e2, a->e_leak[3] = e3;
}

/* Deposit dep * in at the offset cells of the table into one thread's
 * padded buffer; the border is folded onto the edge cells at read-out,
 * which is the same as clamping each deposit to the grid. */
static void deposit(const omp_ctx *c, double *epad, const float *in, double dep, size_t mij)
{
    const smx_plan *p = c->p;
    int nx = p->nx, nz = p->nz, W = nx + 2 * c->bx;
    double fx[2] = {1 - p->dfx[mij], p->dfx[mij]}, fz[2] = {1 - p->dfz[mij], p->dfz[mij]};
    for (int bz = 0; bz < 2; bz++) {
        if (fz[bz] == 0) continue;
        for (int bx = 0; bx < 2; bx++) {
            double cw = dep * fz[bz] * fx[bx];
            if (cw == 0) continue;
            double *base = epad + (size_t)(c->bz + p->dz0[mij] + bz) * W + c->bx + p->dx0[mij] + bx;
            for (int z = 0; z < nz; z++) {
                const float *row = in + (size_t)z * nx;
                double *drow = base + (size_t)z * W;
#pragma omp simd
                for (int x = 0; x < nx; x++) drow[x] += cw * row[x];
            }
        }
    }
}

/* A_E as a gather: every output bin is written once from its sources
 * (one thread owns a theta column); the lost energy of every source slab
 * is then deposited. */
static void op_energy(omp_ctx *c, int nlo, int nhi, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, lo = c->lo, hi = c->hi;
    size_t S = c->slab;
    double abs_w = 0, dep_e = 0;
#pragma omp parallel num_threads(c->threads) reduction(+ : abs_w, dep_e)
    {
        double *edep = thread_edep(c);
#pragma omp for schedule(static)
        for (int j = 0; j < nt; j++) {
            for (int k = nlo; k <= nhi; k++) {
                float *o = SLAB(c, c->tmp, k, j);
                int first = 1;
                for (int g = c->gstart[k]; g < c->gstart[k + 1]; g++) {
                    int i = c->gsrc[g];
                    if (i < lo || i > hi || c->sums[(size_t)i * nt + j] == 0) continue;
                    const float *in = SLAB(c, c->psi, i, j);
                    float w = c->gw[g];
                    if (first) {
#pragma omp simd
                        for (size_t q = 0; q < S; q++) o[q] = w * in[q];
                    } else {
#pragma omp simd
                        for (size_t q = 0; q < S; q++) o[q] += w * in[q];
                    }
                    first = 0;
                }
                if (first) memset(o, 0, S * sizeof(float));
                c->osums[(size_t)k * nt + j] = first ? 0 : row_sum(o, S);
            }
            for (int i = lo; i <= hi; i++) {
                double sw = c->sums[(size_t)i * nt + j];
                if (sw == 0) continue;
                if (p->e_target[i] < 0) abs_w += sw;
                dep_e += sw * p->e_dep_MeV[i];
                deposit(c, edep, SLAB(c, c->psi, i, j), p->e_dep_MeV[i], (size_t)i * nt + j);
            }
        }
    }
    a->w_absorbed = abs_w;
    a->e_deposited = dep_e;
}

static smx_status omp_run(void *ctx, const smx_graph *g, smx_op_acct *acct, char *err,
                          size_t errlen)
{
    omp_ctx *c = ctx;
    if (g->e_lo != c->lo || g->e_hi != c->hi) {
        /* a range the backend did not produce itself: recount the slabs */
        c->lo = g->e_lo;
        c->hi = g->e_hi;
        if (c->hi >= c->lo) slab_sums(c, c->psi, c->lo, c->hi);
    }
    for (int n = 0; n < g->nnodes; n++) {
        smx_op_acct *a = &acct[n];
        memset(a, 0, sizeof *a);
        double t0 = omp_get_wtime();
        int lo = c->lo, hi = c->hi;
        totals(c, c->sums, lo, hi, &a->w_in, &a->e_in);
        switch (g->nodes[n].op) {
        case SMX_OP_SCATTER: op_scatter(c, g->nodes[n].variant, a); break;
        case SMX_OP_STREAM: op_stream(c, a); break;
        case SMX_OP_ENERGY:
            smx__range_after_op(c->p, SMX_OP_ENERGY, &lo, &hi);
            op_energy(c, lo, hi, a);
            break;
        default:
            smx__err(err, errlen, "openmp backend: unknown op %d", g->nodes[n].op);
            return SMX_ENOTSUP;
        }
        float *t = c->psi;
        c->psi = c->tmp;
        c->tmp = t;
        double *ts = c->sums;
        c->sums = c->osums;
        c->osums = ts;
        c->lo = lo;
        c->hi = hi;
        totals(c, c->sums, lo, hi, &a->w_out, &a->e_out);
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
