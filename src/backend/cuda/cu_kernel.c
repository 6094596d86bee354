/* The kernels: the sixteen variants of cl/ compiled ahead of time (moments,
 * full circle, one medium, fp64: the OpenCL build options, see
 * kernels.cuh), the one of a plan, and launches through cudaLaunchKernel
 * with the argument list of src/backend/common. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backend/cuda/cu.h"

#define V(n) extern const smx_cuda_kernels smx__cuda_variant_##n;
V(0) V(1) V(2) V(3) V(4) V(5) V(6) V(7) V(8) V(9) V(10) V(11) V(12) V(13) V(14) V(15)
#undef V
static const smx_cuda_kernels *const variants[SMX_CUDA_VARIANTS] = {
    &smx__cuda_variant_0,  &smx__cuda_variant_1,  &smx__cuda_variant_2,  &smx__cuda_variant_3,
    &smx__cuda_variant_4,  &smx__cuda_variant_5,  &smx__cuda_variant_6,  &smx__cuda_variant_7,
    &smx__cuda_variant_8,  &smx__cuda_variant_9,  &smx__cuda_variant_10, &smx__cuda_variant_11,
    &smx__cuda_variant_12, &smx__cuda_variant_13, &smx__cuda_variant_14, &smx__cuda_variant_15,
};
_Static_assert(SMX_CUDA_KERNELS == SMX_K_COUNT, "cu_kernels.h lists every kernel of dev.h");

smx_status smx__cu_kernels(cu_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->d.p;
    int v = (p->moments ? SMX_CUDA_V_MOMENTS : 0) | (p->full_circle ? SMX_CUDA_V_FULL_CIRCLE : 0) |
            (p->nmat == 1 ? SMX_CUDA_V_ONE_MEDIUM : 0) | (c->d.fp64 ? SMX_CUDA_V_FP64 : 0);
    const smx_cuda_kernels *kt = variants[v];
    if (kt->variant != v || kt->tx != SMX_DEV_TX || kt->tz != SMX_DEV_TZ || kt->nf_max != SMX_ENERGY_FACTORS) {
        smx__err(err, errlen, "cuda backend: the kernels of variant %d were built for tiles %d x %d and "
                 "%d factors, the host uses %d x %d and %d (rebuild)", v, kt->tx, kt->tz, kt->nf_max,
                 SMX_DEV_TX, SMX_DEV_TZ, (int)SMX_ENERGY_FACTORS);
        return SMX_EBACKEND;
    }
    for (int k = 0; k < SMX_K_COUNT; k++)
        if (strcmp(kt->names[k], smx__dev_kernel_names[k]) != 0) {
            smx__err(err, errlen, "cuda backend: kernel %d is %s in the build, %s on the host", k,
                     kt->names[k], smx__dev_kernel_names[k]);
            return SMX_EBACKEND;
        }
    c->kt = kt;
    return SMX_OK;
}

/* SMX_NMAT of the deposits is a __constant__ of each variant, on each
 * device, shared by every context of the process: it is set only when it
 * changes, by a synchronous copy on the legacy default stream, which waits
 * for the launches already queued on every context's (blocking) stream and
 * precedes those queued after; the check, the copy and the launch hold one
 * lock, so that no context launches between another's copy and launch. */
#define NMAT_DEVICES 64
static pthread_mutex_t nmat_lock = PTHREAD_MUTEX_INITIALIZER;
static int nmat_set[NMAT_DEVICES][SMX_CUDA_VARIANTS]; /* 0: not set */

static int uses_nmat(const cu_ctx *c, int k)
{
    return (k == SMX_K_DEPOSIT || k == SMX_K_DEPOSIT_ATOMIC) && !(c->kt->variant & SMX_CUDA_V_ONE_MEDIUM);
}

smx_status smx__cu_launch(cu_ctx *c, int k, const smx_karg *args, int nargs, int dims,
                          const size_t *g, const size_t *l, char *err, size_t errlen)
{
    const char *name = smx__dev_kernel_names[k];
    void *ptr[SMX_KARGS_MAX], *argv[SMX_KARGS_MAX];
    int iv[SMX_KARGS_MAX];
    if (nargs > SMX_KARGS_MAX || dims < 1 || dims > 3) {
        smx__err(err, errlen, "cuda backend: %s launched with %d arguments over %d dimensions", name,
                 nargs, dims);
        return SMX_EBACKEND;
    }
    for (int n = 0; n < nargs; n++) {
        if (args[n].is_buf) ptr[n] = CUPTR(args[n].buf), argv[n] = &ptr[n];
        else iv[n] = args[n].val, argv[n] = &iv[n];
    }
    size_t grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
    for (int i = 0; i < dims; i++) {
        if (!g[i]) return SMX_OK;
        block[i] = l ? l[i] : (i == 0 ? SMX_DEV_WG : 1);
        grid[i] = (g[i] + block[i] - 1) / block[i];
    }
    if (grid[0] > 2147483647u || grid[1] > 65535 || grid[2] > 65535 ||
        block[0] * block[1] * block[2] > 1024) {
        smx__err(err, errlen, "cuda backend: %s: a launch of %zu x %zu x %zu blocks of %zu x %zu x %zu "
                 "exceeds CUDA's limits (grid y, z <= 65535); use a smaller grid or another backend",
                 name, grid[0], grid[1], grid[2], block[0], block[1], block[2]);
        return SMX_EBACKEND;
    }
    dim3 gd = {(unsigned)grid[0], (unsigned)grid[1], (unsigned)grid[2]};
    dim3 bd = {(unsigned)block[0], (unsigned)block[1], (unsigned)block[2]};
    int locked = uses_nmat(c, k);
    cudaError_t e = cudaSuccess;
    if (locked) {
        pthread_mutex_lock(&nmat_lock);
        int *set = c->dev < NMAT_DEVICES ? &nmat_set[c->dev][c->kt->variant] : NULL;
        int nmat = c->d.p->nmat;
        if (!set || *set != nmat) {
            e = cudaMemcpyToSymbol(c->kt->nmat, &nmat, sizeof nmat, 0, cudaMemcpyHostToDevice);
            if (set) *set = e == cudaSuccess ? nmat : 0;
        }
        if (e != cudaSuccess) {
            pthread_mutex_unlock(&nmat_lock);
            return smx__cu_fail(err, errlen, "cudaMemcpyToSymbol (the number of media)", e);
        }
    }
    if (c->profile) e = cudaEventRecord(c->ev0, c->s);
    if (e == cudaSuccess) e = cudaLaunchKernel(c->kt->k[k], gd, bd, argv, 0, c->s);
    if (locked) pthread_mutex_unlock(&nmat_lock);
    if (e != cudaSuccess) return smx__cu_fail(err, errlen, name, e);
    if (c->profile) {
        float ms = 0;
        CU_TRY("cudaEventRecord", cudaEventRecord(c->ev1, c->s));
        CU_TRY(name, cudaEventSynchronize(c->ev1));
        CU_TRY("cudaEventElapsedTime", cudaEventElapsedTime(&ms, c->ev0, c->ev1));
        smx__dev_kernel_time(&c->d, k, c->d.op_seq, ms);
    }
    return SMX_OK;
}
