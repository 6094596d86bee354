/* The opencl backend: float32 state on an OpenCL 1.2 device, the three
 * operators as gathers (cl/ folder), the accounting from per-slab sums in a
 * fixed order, deposits gathered per cell (deterministic) or scattered
 * with atomics (fast), A_theta as a stencil or a clBLAST batched gemm. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/opencl/ocl.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int ocl_device_count(char *why, size_t whylen) { return smx__ocl_devices(NULL, 0, why, whylen); }

static smx_status ocl_device_name(int device, char *buf, size_t buflen)
{
    ocl_device d;
    char err[256];
    if (smx__ocl_pick(device, &d, err, sizeof err) != SMX_OK) {
        smx__err(buf, buflen, "%s", err);
        return SMX_ENODEV;
    }
    return smx__ocl_describe(&d, buf, buflen);
}

static void ocl_destroy(void *ctx)
{
    ocl_ctx *c = ctx;
    if (!c) return;
    if (c->q) clFinish(c->q);
    if (c->profile) smx__ocl_profile_report(c);
    cl_mem *mems[] = {&c->mat, &c->kw[0], &c->kw[1], &c->khalf[0], &c->khalf[1], &c->kleak[0],
                      &c->kleak[1], &c->efac, &c->gstart, &c->gsrc, &c->gw, &c->sb, &c->sr,
                      &c->dep, &c->db, &c->dr, &c->dbb, &c->e_MeV, &c->rejected, &c->all_theta,
                      &c->edep, &c->part, &c->sums, &c->rows, &c->qr, &c->blk, &c->leak, &c->rsum,
                      &c->gemm_k[0], &c->gemm_k[1]};
    for (size_t k = 0; k < sizeof mems / sizeof mems[0]; k++)
        if (*mems[k]) clReleaseMemObject(*mems[k]);
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < OCL_ARRAYS; k++)
            if (c->buf[s][k]) clReleaseMemObject(c->buf[s][k]);
    for (int k = 0; k < K_COUNT; k++)
        if (c->k[k]) clReleaseKernel(c->k[k]);
    if (c->prog) clReleaseProgram(c->prog);
    if (c->q) clReleaseCommandQueue(c->q);
    if (c->cx) clReleaseContext(c->cx);
    free(c->hsums);
    free(c->hwork);
    free(c->hrows);
    free(c->zr);
    free(c->need);
    free(c->reach);
    free(c->hqr);
    free(c->hblk);
    free(c->rz[0]);
    free(c->rz[1]);
    free(c->hrsum);
    smx__dev_tables_free(&c->tab);
    free(c);
}

/* Device memory: every array within the device's largest allocation and
 * the whole within its global memory, said in numbers when not. */
static smx_status check_memory(ocl_ctx *c, cl_device_id dev, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    cl_ulong global = 0, maxalloc = 0;
    clGetDeviceInfo(dev, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global, &global, NULL);
    clGetDeviceInfo(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof maxalloc, &maxalloc, NULL);
    /* the state's window at creation (it grows with the beam, each growth checked then) */
    double array = (double)p->ne * p->nt * c->H * p->nx * sizeof(float);
    double total = 2 * c->na * array + (double)p->ne * c->S * 8 /* part */ +
                   (double)p->ne * p->nt * (6 + 4) * 8 /* sums, leak */;
    if (array > (double)maxalloc) {
        smx__err(err, errlen, "opencl backend: one state array (%d x %d x %d rows x %d float32) "
                 "needs %.1f MB; the device allocates at most %.1f MB per buffer (%.1f MB global)",
                 p->ne, p->nt, c->H, p->nx, array / 1e6, maxalloc / 1e6, global / 1e6);
        return SMX_ENOMEM;
    }
    if (total > (double)global) {
        smx__err(err, errlen, "opencl backend: the state needs %.1f MB (%d arrays x 2 of %.1f MB "
                 "and work space); the device has %.1f MB", total / 1e6, c->na, array / 1e6,
                 global / 1e6);
        return SMX_ENOMEM;
    }
    return SMX_OK;
}

static smx_status alloc(ocl_ctx *c, cl_mem *m, size_t bytes, char *err, size_t errlen)
{
    cl_int e;
    *m = clCreateBuffer(c->cx, CL_MEM_READ_WRITE, bytes ? bytes : 4, NULL, &e);
    if (e != CL_SUCCESS) {
        smx__err(err, errlen, "opencl backend: clCreateBuffer of %.1f MB failed: %s", bytes / 1e6,
                 smx__ocl_error_name(e));
        return e == CL_INVALID_BUFFER_SIZE || e == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
                       e == CL_OUT_OF_RESOURCES
                   ? SMX_ENOMEM
                   : SMX_EBACKEND;
    }
    return SMX_OK;
}

static smx_status fill(ocl_ctx *c, cl_mem m, cl_uint pattern, size_t bytes, char *err, size_t errlen)
{
    OCL_TRY("clEnqueueFillBuffer", clEnqueueFillBuffer(c->q, m, &pattern, sizeof pattern, 0, bytes,
                                                       0, NULL, NULL));
    return SMX_OK;
}

/* SMX_OPENCL_POISON=1 fills the state buffers with NaN at creation: a
 * kernel that reads a cell no operator wrote then fails the crosscheck. */
static int env_poison(void)
{
    const char *s = getenv("SMX_OPENCL_POISON");
    return s && *s && strcmp(s, "0") != 0;
}

static smx_status buffers(ocl_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t ent = (size_t)p->ne * p->nt;
    smx_status st = smx__ocl_window_alloc(c, c->H, 0, env_poison(), err, errlen);
    if (st == SMX_OK) st = alloc(c, &c->edep, (size_t)c->S * 8, err, errlen);
    if (st == SMX_OK && c->opt.accumulation == SMX_ACCUM_DETERMINISTIC)
        st = alloc(c, &c->part, (size_t)p->ne * c->S * 8, err, errlen);
    if (st == SMX_OK) st = alloc(c, &c->sums, (1 + SMX_ENERGY_FACTORS) * ent * 8, err, errlen);
    if (st == SMX_OK) st = alloc(c, &c->rows, 2 * ent * sizeof(int), err, errlen);
    if (st == SMX_OK) st = alloc(c, &c->leak, 4 * ent * 8, err, errlen);
    if (st == SMX_OK) st = alloc(c, &c->qr, 2 * (size_t)p->ne * sizeof(int), err, errlen);
    size_t blocks = (size_t)p->ne * ((p->nz + OCL_TZ - 1) / OCL_TZ);
    if (st == SMX_OK) st = alloc(c, &c->blk, 3 * blocks * sizeof(int), err, errlen);
    if (st != SMX_OK) return st;
    c->hsums = calloc(ent, sizeof(double));
    c->hwork = calloc((1 + SMX_ENERGY_FACTORS) * ent, sizeof(double));
    c->hrows = calloc(2 * ent, sizeof(int));
    c->zr = calloc(2 * (size_t)p->ne, sizeof(int));
    c->need = calloc(2 * (size_t)p->ne, sizeof(int));
    c->reach = calloc(2 * (size_t)p->ne, sizeof(int));
    c->hqr = calloc(2 * (size_t)p->ne, sizeof(int));
    c->hblk = calloc(3 * blocks, sizeof(int));
    c->rz[0] = calloc(2 * (size_t)p->ne, sizeof(int));
    c->rz[1] = calloc(2 * (size_t)p->ne, sizeof(int));
    if (!c->hsums || !c->hwork || !c->hrows || !c->zr || !c->need || !c->reach || !c->hqr || !c->hblk || !c->rz[0] || !c->rz[1])
        return SMX_ENOMEM;
    return SMX_OK;
}

/* The process-wide choice of `run.scatter: auto` per device and grid, so
 * that it is measured once (and two runs in one process agree). */
typedef struct {
    char device[256];
    int nx, nz, nt, ne, gemm;
} auto_entry;
static pthread_mutex_t auto_lock = PTHREAD_MUTEX_INITIALIZER;
static auto_entry auto_cache[16];
static int auto_count;

static int auto_lookup(const ocl_ctx *c, int *gemm, int store)
{
    const smx_plan *p = c->p;
    int found = 0;
    pthread_mutex_lock(&auto_lock);
    for (int k = 0; k < auto_count && !found; k++) {
        auto_entry *e = &auto_cache[k];
        if (strcmp(e->device, c->device_name) || e->nx != p->nx || e->nz != p->nz ||
            e->nt != p->nt || e->ne != p->ne)
            continue;
        found = 1;
        if (store) e->gemm = *gemm;
        else *gemm = e->gemm;
    }
    if (!found && store) {
        auto_entry *e = &auto_cache[auto_count < 16 ? auto_count++ : 15];
        snprintf(e->device, sizeof e->device, "%s", c->device_name);
        e->nx = p->nx, e->nz = p->nz, e->nt = p->nt, e->ne = p->ne, e->gemm = *gemm;
    }
    pthread_mutex_unlock(&auto_lock);
    return found;
}

static smx_status ocl_create(const smx_plan *p, const smx_backend_opts *opt, void **out, char *err,
                             size_t errlen)
{
    ocl_device d;
    smx_status st = smx__ocl_pick(opt->device, &d, err, errlen);
    if (st != SMX_OK) return st;
    if (opt->precision != SMX_PRECISION_FLOAT32) {
        smx__err(err, errlen, "opencl backend: float32 state only (run.precision: float32)");
        return SMX_ENOTSUP;
    }
    int gemm_ok = smx__ocl_gemm_available() && p->nmat == 1;
    if (opt->scatter == SMX_SCATTER_GEMM && !gemm_ok) {
        smx__err(err, errlen, "opencl backend: run.scatter: gemm %s",
                 !smx__ocl_gemm_available() ? "needs clBLAST, which this build was made without"
                                            : "needs one medium (one kernel matrix per energy "
                                              "bin); this run has several: use stencil or auto");
        return SMX_ENOTSUP;
    }
    ocl_ctx *c = calloc(1, sizeof *c);
    if (!c) return SMX_ENOMEM;
    c->p = p;
    c->opt = *opt;
    c->na = p->moments ? OCL_ARRAYS : 1;
    c->S = (int)smx__slab(p);
    c->H = p->nz < 16 ? p->nz : 16; /* the state's z window at creation */
    smx__ocl_describe(&d, c->device_name, sizeof c->device_name);
    int fp64 = smx__ocl_has_ext(d.id, "cl_khr_fp64") && !smx__ocl_env_no_fp64();
    int atomic64 = smx__ocl_has_ext(d.id, "cl_khr_int64_base_atomics");
    /* fast deposits in double need 64-bit atomics; without, Kahan pairs */
    c->fp64 = fp64 && (opt->accumulation == SMX_ACCUM_DETERMINISTIC || atomic64);
    c->scatter_gemm = opt->scatter == SMX_SCATTER_GEMM;
    /* deterministic auto keeps the stencil: a measurement could pick
     * differently on the next run, and the two round differently */
    c->scatter_decided = !gemm_ok || opt->scatter != SMX_SCATTER_AUTO ||
                         opt->accumulation == SMX_ACCUM_DETERMINISTIC;
    if (!c->scatter_decided && auto_lookup(c, &c->scatter_gemm, 0)) c->scatter_decided = 1;
    c->clean = c->scatter_gemm || !c->scatter_decided;
    cl_int e;
    st = check_memory(c, d.id, err, errlen);
    if (st == SMX_OK) {
        cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)d.platform, 0};
        c->cx = clCreateContext(props, 1, &d.id, NULL, NULL, &e);
        if (e != CL_SUCCESS) st = smx__ocl_fail(err, errlen, "clCreateContext", e);
    }
    if (st == SMX_OK) {
        const char *prof = getenv("SMX_OPENCL_PROFILE");
        c->profile = prof && *prof && strcmp(prof, "0") != 0;
        c->q = clCreateCommandQueue(c->cx, d.id, c->profile ? CL_QUEUE_PROFILING_ENABLE : 0, &e);
        if (e != CL_SUCCESS) st = smx__ocl_fail(err, errlen, "clCreateCommandQueue", e);
    }
    if (st == SMX_OK) st = smx__ocl_build(c, err, errlen);
    if (st == SMX_OK) st = buffers(c, err, errlen);
    if (st == SMX_OK) st = smx__ocl_upload_tables(c, err, errlen);
    if (st == SMX_OK && (c->scatter_gemm || !c->scatter_decided)) st = smx__ocl_gemm_setup(c, err, errlen);
    if (st == SMX_OK) {
        e = clFinish(c->q);
        if (e != CL_SUCCESS) st = smx__ocl_fail(err, errlen, "clFinish", e);
    }
    if (st != SMX_OK) {
        if (st == SMX_ENOMEM && err && !err[0])
            smx__err(err, errlen, "opencl backend: out of host memory for the tables");
        ocl_destroy(c);
        return st;
    }
    *out = c;
    return SMX_OK;
}

static int ocl_supports(void *ctx, int op, smx_precision precision)
{
    return op >= 0 && op < SMX_OP_COUNT && precision == SMX_PRECISION_FLOAT32;
}

/* Every row of every bin of both sets may hold data (after an upload). */
static void rows_unknown(ocl_ctx *c)
{
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < c->p->ne; k++) c->rz[s][2 * k] = c->zb, c->rz[s][2 * k + 1] = c->zb + c->H - 1;
}

static smx_status ocl_set_state(void *ctx, const smx_host_state *hs, int lo, int hi, char *err,
                                size_t errlen)
{
    ocl_ctx *c = ctx;
    const smx_plan *p = c->p;
    /* the occupied bins only (the kernels never read outside them), in a
     * window that holds their rows */
    int za = p->nz, zb = -1;
    for (int i = lo; i <= hi; i++)
        for (size_t q = 0; q < (size_t)p->nt * c->S; q++)
            if (hs->psi[(size_t)i * p->nt * c->S + q] != 0) {
                int z = (int)(q % c->S) / p->nx;
                za = z < za ? z : za, zb = z > zb ? z : zb;
            }
    int H = zb - za + 1 > c->H ? zb - za + 1 : c->H;
    int z0 = zb < za ? 0 : (za + H > p->nz ? p->nz - H : za);
    smx_status st = SMX_OK;
    if (H != c->H || z0 != c->zb) st = smx__ocl_window_alloc(c, H, z0, env_poison(), err, errlen);
    size_t a = hi >= lo ? (size_t)lo * p->nt * c->SW : 0, n = hi >= lo ? (size_t)(hi - lo + 1) * p->nt * c->SW : 0;
    const double *src[OCL_ARRAYS] = {hs->psi, hs->mx, hs->mz, hs->qx, hs->qz};
    float *f = malloc((n ? n : 1) * sizeof(float));
    if (!f) return SMX_ENOMEM;
    for (int k = 0; k < c->na && st == SMX_OK && n; k++) {
        for (size_t s = 0; s < n / c->SW; s++) /* slab s of the range: its window rows */
            for (size_t q = 0; q < (size_t)c->SW; q++)
                f[s * c->SW + q] = (float)src[k][((size_t)lo * p->nt + s) * c->S + c->QB + q];
        cl_int e = clEnqueueWriteBuffer(c->q, c->buf[c->cur][k], CL_TRUE, a * sizeof(float),
                                        n * sizeof(float), f, 0, NULL, NULL);
        if (e != CL_SUCCESS) st = smx__ocl_fail(err, errlen, "clEnqueueWriteBuffer(state)", e);
    }
    free(f);
    if (st == SMX_OK) st = fill(c, c->edep, 0, (size_t)c->S * 8, err, errlen);
    if (st != SMX_OK) return st;
    rows_unknown(c);
    c->lo = lo;
    c->hi = hi;
    memcpy(c->need, c->rz[c->cur], 2 * sizeof(int) * p->ne);
    return smx__ocl_note_output(c, lo, hi, err, errlen);
}

static smx_status ocl_get_state(void *ctx, smx_host_state *hs, char *err, size_t errlen)
{
    ocl_ctx *c = ctx;
    const smx_plan *p = c->p;
    size_t n = smx__psi_size(p), a = 0, b = 0;
    if (c->hi >= c->lo) a = (size_t)c->lo * p->nt * c->SW, b = (size_t)(c->hi + 1) * p->nt * c->SW;
    double *dst[OCL_ARRAYS] = {hs->psi, hs->mx, hs->mz, hs->qx, hs->qz};
    float *f = malloc((b > a ? b - a : 1) * sizeof(float));
    if (!f) return SMX_ENOMEM;
    for (int k = 0; k < c->na; k++) {
        if (!dst[k]) continue;
        if (b > a) {
            cl_int e = clEnqueueReadBuffer(c->q, c->buf[c->cur][k], CL_TRUE, a * sizeof(float),
                                           (b - a) * sizeof(float), f, 0, NULL, NULL);
            if (e != CL_SUCCESS) {
                free(f);
                return smx__ocl_fail(err, errlen, "clEnqueueReadBuffer(state)", e);
            }
        }
        /* rows beyond each slab's occupied rows may hold stale values */
        memset(dst[k], 0, n * sizeof(double));
        for (size_t s = 0; a < b && s < (b - a) / c->SW; s++) {
            const int *r = c->hrows + 2 * s;
            size_t canon = ((size_t)c->lo * p->nt + s) * c->S;
            for (size_t q = (size_t)(r[0] > 0 ? r[0] : 0) * p->nx; r[0] <= r[1] && q < (size_t)(r[1] + 1) * p->nx; q++)
                dst[k][canon + q] = (double)f[s * c->SW + q - c->QB];
        }
    }
    free(f);
    return SMX_OK;
}

static smx_status ocl_get_edep(void *ctx, double *edep, char *err, size_t errlen)
{
    ocl_ctx *c = ctx;
    OCL_TRY("clEnqueueReadBuffer(edep)", clEnqueueReadBuffer(c->q, c->edep, CL_TRUE, 0,
                                                             (size_t)c->S * 8, edep, 0, NULL, NULL));
    smx__ocl_acc_read(c, edep, edep, (size_t)c->S);
    return SMX_OK;
}

/* `run.scatter: auto`: times the stencil and the gemm on this state
 * (after a warm-up of each: clBLAST compiles its kernels on first use)
 * and keeps the faster; the chosen one runs last, so its output stays. */
static smx_status scatter_auto(ocl_ctx *c, int v, smx_op_acct *a, char *err, size_t errlen)
{
    double ms[2] = {0, 0};
    smx_status st = SMX_OK;
    for (int rep = 0; rep < 2 && st == SMX_OK; rep++)
        for (int g = 0; g < 2 && st == SMX_OK; g++) {
            c->scatter_gemm = g;
            double t0 = now_ms();
            st = smx__ocl_scatter(c, v, a, err, errlen);
            if (st == SMX_OK && clFinish(c->q) != CL_SUCCESS) st = SMX_EBACKEND;
            if (rep == 1) ms[g] = now_ms() - t0;
        }
    if (st != SMX_OK) return st;
    c->scatter_gemm = ms[1] < ms[0];
    c->scatter_decided = 1;
    c->clean = c->scatter_gemm;
    auto_lookup(c, &c->scatter_gemm, 1);
    return c->scatter_gemm ? SMX_OK : smx__ocl_scatter(c, v, a, err, errlen);
}

/* Follows the range the core hands over: a sub-range of the state's
 * (the core trimmed edge bins through ocl_stop) keeps the host mirrors,
 * re-indexed; any other range (the benchmark's dense state) is recounted. */
static smx_status sync_range(ocl_ctx *c, int lo, int hi, char *err, size_t errlen)
{
    if (lo == c->lo && hi == c->hi) return SMX_OK;
    c->lo = lo;
    c->hi = hi;
    memcpy(c->need, c->rz[c->cur], 2 * sizeof(int) * c->p->ne);
    return smx__ocl_note_output(c, lo, hi, err, errlen);
}

static smx_status ocl_op(void *ctx, const smx_node *node, int lo, int hi, int olo, int ohi,
                         smx_op_acct *a, char *err, size_t errlen)
{
    ocl_ctx *c = ctx;
    smx_status st = sync_range(c, lo, hi, err, errlen);
    if (st == SMX_OK && node->op == SMX_OP_STREAM) { /* where A_stream's rows land */
        int a = c->p->nz, b = -1;
        for (int k = lo; k <= hi; k++)
            if (c->zr[2 * k] <= c->zr[2 * k + 1]) {
                a = c->zr[2 * k] < a ? c->zr[2 * k] : a;
                b = c->zr[2 * k + 1] > b ? c->zr[2 * k + 1] : b;
            }
        if (b >= a) st = smx__ocl_window_fit(c, a + c->tab.stream_dz[0], b + c->tab.stream_dz[1], err, errlen);
    }
    if (st != SMX_OK) return st;
    switch (node->op) {
    case SMX_OP_SCATTER:
        st = c->scatter_decided ? smx__ocl_scatter(c, node->variant, a, err, errlen)
                                : scatter_auto(c, node->variant, a, err, errlen);
        break;
    case SMX_OP_STREAM: st = smx__ocl_stream(c, a, err, errlen); break;
    case SMX_OP_ENERGY: st = smx__ocl_energy(c, olo, ohi, a, err, errlen); break;
    default:
        smx__err(err, errlen, "opencl backend: unknown op %d", node->op);
        return SMX_ENOTSUP;
    }
    if (st != SMX_OK) return st;
    if (c->hi >= c->lo) c->cur = 1 - c->cur; /* an empty window wrote nothing */
    c->lo = olo;
    c->hi = ohi;
    st = smx__ocl_note_output(c, olo, ohi, err, errlen);
    if (st == SMX_OK && clFinish(c->q) != CL_SUCCESS) st = SMX_EBACKEND;
    return st;
}

static smx_status ocl_slab_weights(void *ctx, int lo, int hi, double *w, char *err, size_t errlen)
{
    ocl_ctx *c = ctx;
    smx_status st = sync_range(c, lo, hi, err, errlen);
    if (st == SMX_OK) memcpy(w, c->hsums, sizeof(double) * (size_t)(hi - lo + 1) * c->p->nt);
    return st;
}

static smx_status ocl_stop(void *ctx, int lo, int hi, int rejected, char *err, size_t errlen)
{
    ocl_ctx *c = ctx;
    smx_status st = smx__ocl_stop(c, lo, hi, rejected, err, errlen);
    if (st == SMX_OK && clFinish(c->q) != CL_SUCCESS) st = SMX_EBACKEND;
    return st;
}

static smx_status ocl_copy_pass(void *ctx, double *ms, char *err, size_t errlen)
{
    ocl_ctx *c = ctx;
    size_t n = (size_t)c->p->ne * c->p->nt * c->SW * sizeof(float); /* the state as held */
    int out = 1 - c->cur;
    OCL_TRY("clFinish", clFinish(c->q));
    double t0 = now_ms();
    OCL_TRY("clEnqueueCopyBuffer", clEnqueueCopyBuffer(c->q, c->buf[c->cur][0], c->buf[out][0], 0, 0,
                                                       n, 0, NULL, NULL));
    OCL_TRY("clFinish", clFinish(c->q));
    *ms = now_ms() - t0;
    for (int k = 0; k < c->p->ne; k++) /* the copy is psi only: keep the stale rows of the moments */
        c->rz[out][2 * k] = c->zb, c->rz[out][2 * k + 1] = c->zb + c->H - 1;
    return SMX_OK;
}

/* Row sums for the fine depth tally: k_row_sums over the occupied rows of
 * the state, read back as floats. */
static smx_status ocl_row_sums(void *ctx, int lo, int hi, double *w, double *mz, char *err,
                               size_t errlen)
{
    ocl_ctx *c = ctx;
    const smx_plan *p = c->p;
    size_t full = 2 * (size_t)p->ne * p->nt * p->nz, n = 2 * (size_t)(hi - lo + 1) * p->nt * p->nz;
    if (hi < lo) return SMX_OK;
    if (!c->rsum) {
        smx_status st = alloc(c, &c->rsum, full * sizeof(float), err, errlen);
        if (st != SMX_OK) return st;
        c->hrsum = malloc(full * sizeof(float));
        if (!c->hrsum) return SMX_ENOMEM;
    }
    cl_mem mzb = c->buf[c->cur][p->moments ? OCL_MZ : OCL_PSI];
    cl_int nt = p->nt, nz = p->nz, nx = p->nx, S = c->S, SW = c->SW, QB = c->QB, l0 = lo, mom = p->moments;
    cl_kernel k = c->k[K_ROW_SUMS];
    cl_int e = clSetKernelArg(k, 0, sizeof(cl_mem), &c->buf[c->cur][OCL_PSI]);
    e |= clSetKernelArg(k, 1, sizeof(cl_mem), &mzb);
    e |= clSetKernelArg(k, 2, sizeof l0, &l0);
    e |= clSetKernelArg(k, 3, sizeof nt, &nt);
    e |= clSetKernelArg(k, 4, sizeof nz, &nz);
    e |= clSetKernelArg(k, 5, sizeof nx, &nx);
    e |= clSetKernelArg(k, 6, sizeof S, &S);
    e |= clSetKernelArg(k, 7, sizeof SW, &SW);
    e |= clSetKernelArg(k, 8, sizeof QB, &QB);
    e |= clSetKernelArg(k, 9, sizeof mom, &mom);
    e |= clSetKernelArg(k, 10, sizeof(cl_mem), &c->sums);
    e |= clSetKernelArg(k, 11, sizeof(cl_mem), &c->rows);
    e |= clSetKernelArg(k, 12, sizeof(cl_mem), &c->rsum);
    if (e != CL_SUCCESS) return smx__ocl_fail(err, errlen, "clSetKernelArg(k_row_sums)", e);
    size_t g[3] = {(size_t)p->nz, (size_t)p->nt, (size_t)(hi - lo + 1)};
    smx_status st = smx__ocl_enqueue(c, K_ROW_SUMS, 3, g, NULL, err, errlen);
    if (st != SMX_OK) return st;
    OCL_TRY("clEnqueueReadBuffer(row sums)",
            clEnqueueReadBuffer(c->q, c->rsum, CL_TRUE, 0, n * sizeof(float), c->hrsum, 0, NULL, NULL));
    for (size_t r = 0; r < n / 2; r++) w[r] = c->hrsum[2 * r], mz[r] = c->hrsum[2 * r + 1];
    return SMX_OK;
}

static void ocl_describe(void *ctx, char *accumulation, char *scatter, size_t len)
{
    ocl_ctx *c = ctx;
    snprintf(accumulation, len, "%s", smx_accumulation_name(c->opt.accumulation));
    snprintf(scatter, len, "%s", !c->scatter_decided ? "auto" : c->scatter_gemm ? "gemm" : "stencil");
}

const smx_backend_iface smx__backend_opencl = {
    .name = "opencl",
    .kind = SMX_BACKEND_DEVICE,
    .device_count = ocl_device_count,
    .device_name = ocl_device_name,
    .create = ocl_create,
    .destroy = ocl_destroy,
    .supports = ocl_supports,
    .set_state = ocl_set_state,
    .get_state = ocl_get_state,
    .get_edep = ocl_get_edep,
    .op = ocl_op,
    .slab_weights = ocl_slab_weights,
    .stop = ocl_stop,
    .copy_pass = ocl_copy_pass,
    .row_sums = ocl_row_sums,
    .accelerator = smx__ocl_accelerator,
    .describe = ocl_describe,
};
