/* The table of one variant of the CUDA kernels, shared by the kernels'
 * C++ (kernels.cuh, one translation unit per variant) and the host's C. */
#ifndef SMX_CU_KERNELS_H
#define SMX_CU_KERNELS_H

#define SMX_CUDA_KERNELS 10 /* SMX_K_COUNT (checked by cu_kernel.c) */
/* Variant bits: the OpenCL build options that change the kernels. */
#define SMX_CUDA_V_MOMENTS 1
#define SMX_CUDA_V_FULL_CIRCLE 2
#define SMX_CUDA_V_ONE_MEDIUM 4
#define SMX_CUDA_V_FP64 8 /* with SMX_ATOMIC64: every CUDA GPU has 64-bit atomicCAS */
#define SMX_CUDA_VARIANTS 16

typedef struct smx_cuda_kernels {
    int variant;
    int tx, tz, nf_max;                    /* SMX_TX, SMX_TZ, SMX_NF_MAX it was built with */
    const char *names[SMX_CUDA_KERNELS];   /* in the order of smx__dev_kernel_names */
    const void *k[SMX_CUDA_KERNELS];       /* host stubs, for cudaLaunchKernel */
    const void *nmat;                      /* the __constant__ int SMX_NMAT (several media) */
} smx_cuda_kernels;

#endif
