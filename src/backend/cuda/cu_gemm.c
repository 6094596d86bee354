/* A_theta as one batched matrix product through cuBLAS (run.scatter:
 * gemm, or auto with fast accumulation), as opencl does through clBLAST:
 * per energy bin the nt x nt kernel matrix times the bin's [nt][window
 * cells] state, for each state array; one medium only. cuBLAS is opened at
 * run time (dlopen), so the library loads without it and a machine without
 * it refuses gemm with the reason (auto then keeps the stencil). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <cublas_v2.h>

#include "backend/cuda/cu.h"

typedef cublasStatus_t (*create_fn)(cublasHandle_t *);
typedef cublasStatus_t (*destroy_fn)(cublasHandle_t);
typedef cublasStatus_t (*stream_fn)(cublasHandle_t, cudaStream_t);
typedef cublasStatus_t (*sgemm_fn)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                                   const float *, const float *, int, long long, const float *, int,
                                   long long, const float *, float *, int, long long, int);

struct cu_blas {
    void *lib;
    cublasHandle_t h;
    destroy_fn destroy;
    sgemm_fn sgemm;
    float *k[SMX_KERNEL_VARIANTS]; /* device: [ne][nt][nt] row-major kernel matrices */
};

/* The cuBLAS of the toolkit the build used, else the loader's search. */
static void *open_cublas(char *tried, size_t n)
{
    static const char *const names[] = {
#ifdef SMX_CUBLAS_DIR
        SMX_CUBLAS_DIR "/libcublas.so",
#endif
        "libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"};
    void *lib = NULL;
    for (size_t k = 0; k < sizeof names / sizeof names[0] && !lib; k++) lib = dlopen(names[k], RTLD_NOW | RTLD_LOCAL);
    if (!lib) snprintf(tried, n, "%s", dlerror());
    return lib;
}

static smx_status blas_fail(char *err, size_t errlen, const char *call, cublasStatus_t s)
{
    smx__err(err, errlen, "cuda backend: %s failed with cuBLAS status %d", call, (int)s);
    return s == CUBLAS_STATUS_ALLOC_FAILED ? SMX_ENOMEM : SMX_EBACKEND;
}

smx_status smx__cu_gemm_setup(smx_dev *d, char *err, size_t errlen)
{
    cu_ctx *c = CU(d);
    const smx_plan *p = d->p;
    char why[256] = "";
    struct cu_blas *b = calloc(1, sizeof *b);
    if (!b) return SMX_ENOMEM;
    c->blas = b;
    b->lib = open_cublas(why, sizeof why);
    if (!b->lib) {
        smx__err(err, errlen, "cuda backend: run.scatter: gemm needs cuBLAS, which could not be "
                 "opened (%s)", why);
        return SMX_ENOTSUP;
    }
    create_fn create = (create_fn)dlsym(b->lib, "cublasCreate_v2");
    stream_fn stream = (stream_fn)dlsym(b->lib, "cublasSetStream_v2");
    b->destroy = (destroy_fn)dlsym(b->lib, "cublasDestroy_v2");
    b->sgemm = (sgemm_fn)dlsym(b->lib, "cublasSgemmStridedBatched");
    if (!create || !stream || !b->destroy || !b->sgemm) {
        smx__err(err, errlen, "cuda backend: the cuBLAS found lacks cublasSgemmStridedBatched");
        return SMX_ENOTSUP;
    }
    CU_SET(c);
    cublasStatus_t s = create(&b->h);
    if (s != CUBLAS_STATUS_SUCCESS) {
        b->h = NULL;
        return blas_fail(err, errlen, "cublasCreate", s);
    }
    if ((s = stream(b->h, c->s)) != CUBLAS_STATUS_SUCCESS) return blas_fail(err, errlen, "cublasSetStream", s);
    size_t bytes = (size_t)p->ne * p->nt * p->nt * sizeof(float);
    for (int v = 0; v < SMX_KERNEL_VARIANTS; v++) {
        float *m = smx__dev_gemm_matrices(p, v);
        if (!m) return SMX_ENOMEM;
        cudaError_t e = cudaMalloc((void **)&b->k[v], bytes);
        if (e == cudaSuccess) e = cudaMemcpy(b->k[v], m, bytes, cudaMemcpyHostToDevice);
        free(m);
        if (e != cudaSuccess) return smx__cu_fail(err, errlen, "cudaMalloc/cudaMemcpy (gemm matrices)", e);
    }
    return SMX_OK;
}

/* Row-major C[nt][S] = K[nt][nt] psi[nt][S] per bin is, in cuBLAS's
 * column-major terms, C^T (S x nt) = psi^T (S x nt) K^T (nt x nt). */
smx_status smx__cu_gemm_scatter(smx_dev *d, int v, char *err, size_t errlen)
{
    cu_ctx *c = CU(d);
    struct cu_blas *b = c->blas;
    int nt = d->p->nt, S = d->SW, nw = d->hi - d->lo + 1, out = 1 - d->cur;
    size_t lo = (size_t)d->lo;
    const float one = 1.0f, zero = 0.0f;
    for (int k = 0; k < d->na; k++) {
        const float *A = (const float *)CUPTR(d->buf[d->cur][k]) + lo * nt * S;
        float *C = (float *)CUPTR(d->buf[out][k]) + lo * nt * S;
        cublasStatus_t s = b->sgemm(b->h, CUBLAS_OP_N, CUBLAS_OP_N, S, nt, nt, &one, A, S, (long long)nt * S,
                                    b->k[v] + lo * nt * nt, nt, (long long)nt * nt, &zero, C, S,
                                    (long long)nt * S, nw);
        if (s != CUBLAS_STATUS_SUCCESS) return blas_fail(err, errlen, "cublasSgemmStridedBatched", s);
    }
    return SMX_OK;
}

void smx__cu_gemm_free(cu_ctx *c)
{
    struct cu_blas *b = c->blas;
    if (!b) return;
    for (int v = 0; v < SMX_KERNEL_VARIANTS; v++)
        if (b->k[v]) cudaFree(b->k[v]);
    if (b->h) b->destroy(b->h);
    if (b->lib) dlclose(b->lib);
    free(b);
    c->blas = NULL;
}
