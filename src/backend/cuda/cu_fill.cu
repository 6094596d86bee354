/* The fill kernel of the cuda backend's device API (a 32-bit pattern;
 * cudaMemset repeats a byte only). Compiled once, outside the variants. */
#include <cuda_runtime.h>

static __global__ void smx_cu_fill32(unsigned int *p, unsigned int pattern, size_t n)
{
    size_t step = (size_t)gridDim.x * blockDim.x;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) p[i] = pattern;
}

extern "C" cudaError_t smx__cuda_fill32(void *p, unsigned int pattern, size_t n, cudaStream_t s)
{
    if (!n) return cudaSuccess;
    size_t blocks = (n + 255) / 256;
    if (blocks > 65535) blocks = 65535; /* grid-stride beyond */
    smx_cu_fill32<<<(unsigned int)blocks, 256, 0, s>>>((unsigned int *)p, pattern, n);
    return cudaGetLastError();
}
