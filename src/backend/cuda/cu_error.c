/* CUDA runtime errors by name, so that a failure says what went wrong. */
#include "backend/cuda/cu.h"

smx_status smx__cu_fail(char *err, size_t errlen, const char *call, cudaError_t e)
{
    smx__err(err, errlen, "cuda backend: %s failed: %s (%s)", call, cudaGetErrorName(e),
             cudaGetErrorString(e));
    return e == cudaErrorMemoryAllocation ? SMX_ENOMEM : SMX_EBACKEND;
}
