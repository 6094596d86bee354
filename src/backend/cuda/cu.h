/* The cuda backend's context and helpers, shared by its files; the only
 * place (with cu_*.c and cuda.c) that includes the CUDA runtime header.
 * The device-independent host side is src/backend/common (smx_dev); this
 * backend implements its device API over the CUDA runtime API, with the
 * kernels of cl/ compiled ahead of time as CUDA C++ (cl/cuda_compat.h,
 * kernels.cuh: one translation unit per variant). */
#ifndef SMX_CU_H
#define SMX_CU_H

#include <cuda_runtime_api.h>

#include "backend/common/dev.h"
#include "backend/cuda/cu_kernels.h"
#include "core/util.h"

typedef struct cu_ctx {
    smx_dev d;                  /* first: a smx_dev * is a cu_ctx * */
    int dev;                    /* the CUDA device ordinal */
    cudaStream_t s;             /* every copy and launch, in order */
    const smx_cuda_kernels *kt; /* the variant built for the plan */
    int profile;                /* SMX_CUDA_PROFILE: kernel times to stderr at the end */
    cudaEvent_t ev0, ev1;
    struct cu_blas *blas;       /* cu_gemm.c: cuBLAS and the kernel matrices, once gemm is set up */
} cu_ctx;

#define CU(d) ((cu_ctx *)(d))
#define CUPTR(b) ((void *)(b)) /* a smx_dbuf * is the device pointer itself */

/* Errors (cu_error.c): every failing call becomes an smx_status naming the
 * call and the cudaError_t's name and description. */
smx_status smx__cu_fail(char *err, size_t errlen, const char *call, cudaError_t e);
#define CU_TRY(call, expr)                                                      \
    do {                                                                        \
        cudaError_t e_ = (expr);                                                \
        if (e_ != cudaSuccess) return smx__cu_fail(err, errlen, call, e_);      \
    } while (0)

#define CU_SET(c) CU_TRY("cudaSetDevice", cudaSetDevice((c)->dev))

/* A_theta through cuBLAS (cu_gemm.c, opened at run time): the device
 * API's gemm entries, and their release. */
smx_status smx__cu_gemm_setup(smx_dev *d, char *err, size_t errlen);
smx_status smx__cu_gemm_scatter(smx_dev *d, int variant, char *err, size_t errlen);
void smx__cu_gemm_free(cu_ctx *c);

/* Devices (cu_device.c): the runtime's order; selection (--device,
 * run.device, SMX_CUDA_DEVICE) and a one-line description. */
int smx__cu_devices(char *why, size_t whylen);
smx_status smx__cu_pick(int device, int *out, char *err, size_t errlen);
smx_status smx__cu_describe(int dev, char *buf, size_t buflen);

/* Kernels (cu_kernel.c): the variant of a plan, launches, the fill kernel
 * and profiling. */
smx_status smx__cu_kernels(cu_ctx *c, char *err, size_t errlen);
smx_status smx__cu_launch(cu_ctx *c, int k, const smx_karg *args, int nargs, int dims,
                          const size_t *g, const size_t *l, char *err, size_t errlen);
/* cu_fill.cu: n 32-bit words of pattern from p, on stream s. */
cudaError_t smx__cuda_fill32(void *p, unsigned int pattern, size_t n, cudaStream_t s);

#endif
