/* The openmp backend: float32 state, OpenMP over (energy, theta) slabs,
 * contiguous inner loops over the spatial slab that the compiler
 * vectorises, double accumulators for every accounting figure and for the
 * deposited energy (one buffer per thread, summed in a fixed order).
 *
 * Each operator is written as a gather or as a scatter confined to data
 * that one thread owns, so no two threads ever write the same element.
 * One medium without centroids takes the fast paths; several media or
 * centroid moments take per-cell paths (omp_*.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/openmp/omp_ctx.h"
#include "core/bigalloc.h"
#include "core/oprun.h"
#include "core/boxes.h"

static int omp_device_count(char *why, size_t whylen) { return 1; }

static smx_status omp_device_name(int device, char *buf, size_t buflen)
{
    if (device > 0) return SMX_ENODEV;
    smx__err(buf, buflen, "host CPU, %d OpenMP threads (float32)", omp_get_max_threads());
    return SMX_OK;
}

static void omp_destroy(void *ctx)
{
    omp_ctx *c = ctx;
    if (!c) return;
    for (int k = 0; k < 2 * OMP_ARRAYS; k++) smx__big_free(c->raw[k]);
    free(c->edep);
    free(c->scratch);
    free(c->prow);
    free(c->sums);
    free(c->msums);
    free(c->leak);
    free(c->osums);
    free(c->box);
    free(c->obox);
    omp__gather_free(c);
    omp__product_free(c);
    free(c->runs);
    free(c->run_at);
    free(c->bands);
    smx__dev_tables_free(&c->tab);
    free(c);
}

/* Several media: each row's runs of cells of one medium, so that the
 * per-medium operators loop over contiguous cells (0: out of memory). */
static int build_runs(omp_ctx *c)
{
    const smx_plan *p = c->p;
    c->run_at = calloc(p->nz + 1, sizeof(int));
    c->runs = malloc(c->slab * sizeof *c->runs);
    if (!c->run_at || !c->runs) return 0;
    int n = 0;
    for (int z = 0; z < p->nz; z++) {
        c->run_at[z] = n;
        const uint8_t *m = p->cell_mat + (size_t)z * p->nx;
        for (int x = 0; x < p->nx; x++)
            if (x == 0 || m[x] != m[x - 1]) c->runs[n++] = (omp_run){x, x + 1, m[x]};
            else c->runs[n - 1].x1 = x + 1;
    }
    c->run_at[p->nz] = n;
    /* the bands: rows of one run each, of one medium, in a row */
    c->bands = malloc(p->nz * sizeof *c->bands);
    if (!c->bands) return 0;
    c->nbands = 0;
    for (int z = 0; z < p->nz; z++) {
        if (!omp__row_in_band(c, z)) continue;
        int m = c->runs[c->run_at[z]].m;
        omp_run *last = c->nbands ? &c->bands[c->nbands - 1] : NULL;
        if (last && last->x1 == z && last->m == m) last->x1 = z + 1;
        else c->bands[c->nbands++] = (omp_run){z, z + 1, m};
    }
    return 1;
}

/* An openmp switch from the environment: 0 when it is "0", 1 when it is
 * set to anything else, `unset` when it is unset or empty. */
static int env_switch(const char *name, int unset)
{
    const char *v = getenv(name);
    return v && *v ? strcmp(v, "0") != 0 : unset;
}

static smx_status omp_create(const smx_plan *p, const smx_backend_opts *opt, void **out, char *err,
                             size_t errlen)
{
    int threads = opt->threads;
    smx_status st = smx__host_opts_ok("openmp", opt, err, errlen);
    if (st != SMX_OK) return st;
    omp_ctx *c = calloc(1, sizeof *c);
    if (!c) return SMX_ENOMEM;
    c->p = p;
    c->threads = threads > 0 ? threads : omp_get_max_threads();
    c->mem_limit_GB = opt->memory_limit_GB;
    c->stream_force = env_switch("SMX_OMP_STREAM_STORES", -1);
    c->fuse = env_switch("SMX_OMP_FUSE", 1);
    c->boxes = env_switch("SMX_OMP_BOXES", 1);
    c->na = p->moments ? OMP_ARRAYS : 1;
    c->slab = smx__slab(p);
    size_t n = smx__psi_size(p), me = (size_t)p->nmat * p->ne;
    for (size_t k = 0; k < me * p->nt; k++) { /* padding: offsets + centroid + deposit box */
        int ax = abs(p->dx0[k]) + 4, az = abs(p->dz0[k]) + 4;
        if (ax > c->bx) c->bx = ax;
        if (az > c->bz) c->bz = az;
    }
    c->epad = (size_t)(p->nz + 2 * c->bz) * (p->nx + 2 * c->bx);
    c->edep = calloc((size_t)c->threads * c->epad, sizeof(double));
    c->scratch = calloc((size_t)c->threads * OMP_SCRATCH * c->slab, sizeof(float));
    for (int j = 0; j < p->nt; j++) /* A_stream's columns x - sx0 - {0, 1} */
        if (abs(p->sx0[j]) + 1 > c->prow_pad) c->prow_pad = abs(p->sx0[j]) + 1;
    c->prow_w = p->nx + 2 * c->prow_pad;
    c->prow = calloc((size_t)c->threads * (p->nz + 2) * c->prow_w, sizeof(float));
    c->sums = calloc((size_t)p->ne * p->nt, sizeof(double));
    c->osums = calloc((size_t)p->ne * p->nt, sizeof(double));
    c->msums = calloc((size_t)p->ne * p->nt, sizeof(double));
    c->leak = calloc((size_t)p->ne * p->nt * SMX_EDGE_COUNT, sizeof(double));
    c->box = calloc(4 * (size_t)p->ne * p->nt, sizeof(int));
    c->obox = calloc(4 * (size_t)p->ne * p->nt, sizeof(int));
    /* the z window starts small and grows with what the beam occupies */
    int ok = c->obox && omp__win_alloc(c, p->nz < OMP_WINDOW0 ? p->nz : OMP_WINDOW0);
    if (!ok || !c->edep || !c->scratch || !c->prow || !c->sums || !c->osums || !c->msums || !c->leak ||
        !c->box || !c->obox || smx__dev_tables_build(p, &c->tab) != SMX_OK ||
        !omp__gather_build(c) || !omp__product_init(c) ||
        (p->nmat > 1 && !build_runs(c))) {
        smx__err(err, errlen, "openmp backend: cannot allocate the state (%d arrays of up to "
                 "%.1f MB) and its tables", 2 * c->na, n * 4.0 / 1e6);
        omp_destroy(c);
        return SMX_ENOMEM;
    }
    *out = c;
    return SMX_OK;
}

static int omp_supports(void *ctx, int op, smx_precision precision)
{
    return op >= 0 && op < SMX_OP_COUNT && precision == SMX_PRECISION_FLOAT32;
}

/* Weight and occupied rows of every slab of the state in [lo, hi] into
 * c->sums and c->box (a full pass, only when a state is uploaded; the
 * operators note their own output). */
static void slab_sums(omp_ctx *c, int lo, int hi)
{
    int nt = c->p->nt, rows = (hi - lo + 1) * nt;
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (int r = 0; r < rows; r++)
        omp__note(c, c->s[OMP_PSI], c->zs, c->sums, c->box, lo + r / nt, r % nt, 0, c->p->nz - 1, 0,
                  c->p->nx - 1);
}

static smx_status omp_set_state(void *ctx, const smx_host_state *hs, int lo, int hi, char *err,
                                size_t errlen)
{
    omp_ctx *c = ctx;
    const smx_plan *p = c->p;
    int a, b, H, z0;
    smx__host_window(p, hs, lo, hi, c->H, &a, &b, &H, &z0);
    /* fresh zeroed arrays whose window holds the state's rows */
    if (!omp__win_alloc(c, H)) {
        smx__err(err, errlen, "openmp backend: cannot allocate the state");
        return SMX_ENOMEM;
    }
    omp__win_place(c, z0);
    const double *src[OMP_ARRAYS] = {hs->psi, hs->mx, hs->mz, hs->qx, hs->qz};
    int rows = hi >= lo ? (hi - lo + 1) * p->nt : 0;
    for (int k = 0; k < c->na; k++) {
        const double *sk = src[k];
#pragma omp parallel for num_threads(c->threads) schedule(static)
        for (int r = 0; r < rows; r++) {
            int i = lo + r / p->nt, j = r % p->nt;
            float *d = SLAB(c, c->s[k], i, j);
            const double *h = sk + smx__hs_index(p, hs, i, j, 0); /* rows a..b are held */
            for (size_t q = (size_t)a * p->nx; b >= a && q < (size_t)(b + 1) * p->nx; q++) d[q] = (float)h[q];
        }
    }
    memset(c->edep, 0, (size_t)c->threads * c->epad * sizeof(double));
    for (size_t k = 0; k < (size_t)p->ne * p->nt; k++) {
        omp__box_set(c->box + 4 * k, p->nz, -1, p->nx, -1);
        c->sums[k] = 0;
    }
    c->lo = lo;
    c->hi = hi;
    if (hi >= lo) slab_sums(c, lo, hi);
    return SMX_OK;
}

static smx_status omp_get_state(void *ctx, smx_host_state *hs, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    const smx_plan *p = c->p;
    double *dst[OMP_ARRAYS] = {hs->psi, hs->mx, hs->mz, hs->qx, hs->qz};
    int rows = c->hi >= c->lo ? (c->hi - c->lo + 1) * p->nt : 0;
    for (int k = 0; k < c->na; k++) {
        if (!dst[k]) continue;
        double *d = dst[k];
        memset(d, 0, smx__psi_size(p) * sizeof(double));
#pragma omp parallel for num_threads(c->threads) schedule(static)
        for (int r = 0; r < rows; r++) {
            int i = c->lo + r / p->nt, j = r % p->nt, r0, r1;
            if (!omp__rows(c, i, j, &r0, &r1)) continue;
            const float *o = SLAB(c, c->s[k], i, j);
            double *h = d + ((size_t)i * p->nt + j) * c->slab;
            for (size_t q = (size_t)r0 * p->nx; q < (size_t)(r1 + 1) * p->nx; q++) h[q] = o[q];
        }
    }
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

/* Follows the range the core hands over: the bins of a range the backend
 * did not produce itself (the benchmark's dense state, whose bins below
 * the last output range hold what they held) have their slabs recounted;
 * those it produced are counted already. */
static void sync_range(omp_ctx *c, int lo, int hi)
{
    if (lo == c->lo && hi == c->hi) return;
    if (c->hi < c->lo) slab_sums(c, lo, hi);
    else {
        if (lo < c->lo) slab_sums(c, lo, c->lo - 1 < hi ? c->lo - 1 : hi);
        if (hi > c->hi) slab_sums(c, c->hi + 1 > lo ? c->hi + 1 : lo, hi);
    }
    c->lo = lo;
    c->hi = hi;
}

/* Makes the output window hold the rows of the boxes the output bins
 * [olo, ohi] can hold (box, the core's) and, where box2 is set, of box2
 * too. */
static smx_status prepare_out(omp_ctx *c, const int *box, const int *box2, int olo, int ohi, char *err,
                              size_t errlen)
{
    int r[SMX_BOX];
    smx__box_empty(r, c->p->nz, c->p->nx);
    for (int k = olo; k <= ohi; k++) {
        smx__box_union(r, box + SMX_BOX * k);
        if (box2) smx__box_union(r, box2 + SMX_BOX * k);
    }
    if (omp__win_prepare_out(c, r[0], r[1])) return SMX_OK;
    if (c->grow_need > 0)
        smx__err(err, errlen, "openmp backend: the beam needs a state window of %d rows: "
                 "%.3g GB more, but %.3g GB is available (%s)", r[1] - r[0] + 1,
                 c->grow_need / 1e9, c->grow_avail / 1e9, c->mem_limit_GB > 0
                 ? "run.memory_limit_GB less what the run holds" : "the machine's memory");
    else
        smx__err(err, errlen, "openmp backend: out of memory growing the state's window to "
                 "%d rows", r[1] - r[0] + 1);
    return SMX_ENOMEM;
}

/* After an operator: its output, bins [olo, ohi], becomes the state. */
static void output_is_state(omp_ctx *c, int olo, int ohi)
{
    omp__win_swap(c);
    double *ts = c->sums;
    c->sums = c->osums;
    c->osums = ts;
    int *tb = c->box;
    c->box = c->obox;
    c->obox = tb;
    c->lo = olo;
    c->hi = ohi;
}

static smx_status omp_op(void *ctx, const smx_node *node, int lo, int hi, int olo, int ohi,
                         const int *box, smx_op_acct *a, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    sync_range(c, lo, hi);
    smx_status st = prepare_out(c, box, NULL, olo, ohi, err, errlen);
    if (st != SMX_OK) return st;
    c->stream_out = omp__stream_out(c, (ohi - olo + 1) * c->p->nt);
    switch (node->op) {
    case SMX_OP_SCATTER: omp__scatter(c, node->variant, a); break;
    case SMX_OP_STREAM: omp__stream(c, a); break;
    case SMX_OP_ENERGY: omp__energy(c, olo, ohi, a); break;
    }
    output_is_state(c, olo, ohi);
    return SMX_OK;
}

/* A_theta then A_stream in one pass: one medium, shift and deposit. */
static int omp_pairs(void *ctx, const smx_node *a, const smx_node *b)
{
    const omp_ctx *c = ctx;
    return c->fuse && c->p->nmat == 1 && !c->p->moments && a->op == SMX_OP_SCATTER && b->op == SMX_OP_STREAM;
}

static smx_status omp_op_pair(void *ctx, const smx_node *a, const smx_node *b, int lo, int hi,
                              const int *box_mid, const int *box_out, double *w_mid, smx_op_acct *acct,
                              double *share, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    sync_range(c, lo, hi);
    /* the rejected slabs stay where A_theta leaves them */
    smx_status st = prepare_out(c, box_out, box_mid, lo, hi, err, errlen);
    if (st != SMX_OK) return st;
    c->stream_out = omp__stream_out(c, (hi - lo + 1) * c->p->nt);
    double part[2];
    omp__scatter_stream(c, a->variant, &acct[0], &acct[1], part);
    memcpy(w_mid, c->msums + (size_t)lo * c->p->nt, sizeof(double) * (size_t)(hi - lo + 1) * c->p->nt);
    if (part[0] + part[1] > 0) share[0] = part[0] / (part[0] + part[1]), share[1] = 1 - share[0];
    output_is_state(c, lo, hi);
    return SMX_OK;
}

/* Each bin's box: the union of its slabs'. */
static smx_status omp_bin_boxes(void *ctx, int lo, int hi, int *box, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    sync_range(c, lo, hi);
    for (int i = lo; i <= hi; i++) {
        int *b = box + SMX_BOX * i, r0, r1;
        smx__box_empty(b, c->p->nz, c->p->nx);
        for (int j = 0; j < c->p->nt; j++)
            if (omp__rows(c, i, j, &r0, &r1)) smx__box_union(b, c->box + 4 * ((size_t)i * c->p->nt + j));
    }
    return SMX_OK;
}

static smx_status omp_slab_weights(void *ctx, int lo, int hi, double *w, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    sync_range(c, lo, hi);
    memcpy(w, c->sums + (size_t)lo * c->p->nt, sizeof(double) * (size_t)(hi - lo + 1) * c->p->nt);
    return SMX_OK;
}

/* Deposits slabs of bins [lo, hi] (every theta, or the rejected ones) in
 * place and clears them; a whole edge bin narrows the range. */
static smx_status omp_stop(void *ctx, int lo, int hi, int rejected, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    const smx_plan *p = c->p;
    int W = p->nx + 2 * c->bx, nt = p->nt, rows = (hi - lo + 1) * nt;
    /* rejected slabs go to the thread A_theta's schedule gives them; a
     * trimmed bin (one, small) to thread 0's buffer */
#pragma omp parallel num_threads(rejected ? c->threads : 1)
    {
        double *epad = omp__thread_edep(c);
#pragma omp for schedule(static)
        for (int r = 0; r < rows; r++) {
            int i = lo + r / nt, j = r % nt, r0, r1;
            if (rejected && !p->theta_rejected[j]) continue;
            if (!omp__rows(c, i, j, &r0, &r1)) continue;
            double Ei = p->e_center_MeV[i];
            const float *o = SLAB(c, c->s[OMP_PSI], i, j);
            for (int z = r0; z <= r1; z++)
                for (int x = 0; x < p->nx; x++)
                    epad[(size_t)(z + c->bz) * W + x + c->bx] += Ei * o[(size_t)z * p->nx + x];
            for (int arr = 0; arr < c->na; arr++)
                memset(SLAB(c, c->s[arr], i, j) + (size_t)r0 * p->nx, 0,
                       (size_t)(r1 - r0 + 1) * p->nx * sizeof(float));
            size_t ij = (size_t)i * nt + j;
            c->sums[ij] = 0;
            omp__box_set(c->box + 4 * ij, p->nz, -1, p->nx, -1);
        }
    }
    if (!rejected && lo == c->lo) c->lo = hi + 1;
    else if (!rejected && hi == c->hi) c->hi = lo - 1;
    if (c->hi < c->lo) c->lo = 0, c->hi = -1;
    return SMX_OK;
}

/* Row sums of the occupied rows (the others may hold stale values). */
static smx_status omp_row_sums(void *ctx, int lo, int hi, double *w, double *mz, char *err,
                               size_t errlen)
{
    omp_ctx *c = ctx;
    const smx_plan *p = c->p;
    int nt = p->nt, slabs = (hi - lo + 1) * nt;
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (int r = 0; r < slabs; r++) {
        int i = lo + r / nt, j = r % nt, r0, r1;
        double *wo = w + (size_t)r * p->nz, *mo = mz + (size_t)r * p->nz;
        memset(wo, 0, p->nz * sizeof(double));
        memset(mo, 0, p->nz * sizeof(double));
        if (!omp__rows(c, i, j, &r0, &r1)) continue;
        for (int z = r0; z <= r1; z++) {
            wo[z] = omp__row_sum(SLAB(c, c->s[OMP_PSI], i, j) + (size_t)z * p->nx, p->nx);
            if (c->na > 1) mo[z] = omp__row_sum(SLAB(c, c->s[OMP_MZ], i, j) + (size_t)z * p->nx, p->nx);
        }
    }
    return SMX_OK;
}

static smx_status omp_copy_pass(void *ctx, double *ms, char *err, size_t errlen)
{
    omp_ctx *c = ctx;
    size_t n = (size_t)c->p->ne * c->p->nt * c->stride; /* each array as held */
    double t0 = omp_get_wtime();
    for (int a = 0; a < c->na; a++) { /* every state array, as a step touches them */
        float *d = c->rt[a];
        const float *s = c->rs[a];
#pragma omp parallel for num_threads(c->threads) schedule(static)
        for (size_t k = 0; k < n; k++) d[k] = s[k];
    }
    *ms = (omp_get_wtime() - t0) * 1e3;
    int z0, z1; /* the output arrays now hold data in every row of their window */
    omp__win_rows(c, c->zt, &z0, &z1);
    for (size_t k = 0; k < (size_t)c->p->ne * c->p->nt; k++)
        omp__box_set(c->obox + 4 * k, z0, z1 - 1, 0, c->p->nx - 1);
    return SMX_OK;
}

const smx_backend_iface smx__backend_openmp = {
    .name = "openmp",
    .kind = SMX_BACKEND_HOST,
    .window0 = OMP_WINDOW0,
    .device_count = omp_device_count,
    .device_name = omp_device_name,
    .create = omp_create,
    .destroy = omp_destroy,
    .supports = omp_supports,
    .set_state = omp_set_state,
    .get_state = omp_get_state,
    .get_edep = omp_get_edep,
    .op = omp_op,
    .pairs = omp_pairs,
    .op_pair = omp_op_pair,
    .bin_boxes = omp_bin_boxes,
    .slab_weights = omp_slab_weights,
    .stop = omp_stop,
    .copy_pass = omp_copy_pass,
    .row_sums = omp_row_sums,
};
