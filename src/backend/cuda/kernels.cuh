/* One variant of the CUDA kernels: the OpenCL kernels of cl/ compiled as
 * CUDA C++ after cl/cuda_compat.h (no copy of the kernel code). The build
 * (cmake/cuda.cmake) generates one translation unit per variant that
 * defines SMX_CUDA_VARIANT (bits of cu_kernels.h) and includes this file,
 * with SMX_TX, SMX_TZ and SMX_NF_MAX read from the C headers. Each variant
 * lives in its own namespace and exports its table as
 * smx__cuda_variant_<N>. SMX_NMAT (deposit.cl, several media only) is a
 * __constant__ int of the variant that the host sets (cu_kernel.c). */
#include "cl/cuda_compat.h"
#include "backend/cuda/cu_kernels.h"

#if !defined(SMX_CUDA_VARIANT) || !defined(SMX_TX) || !defined(SMX_TZ) || !defined(SMX_NF_MAX)
#error "SMX_CUDA_VARIANT, SMX_TX, SMX_TZ and SMX_NF_MAX are set by cmake/cuda.cmake"
#endif

#if SMX_CUDA_VARIANT & SMX_CUDA_V_MOMENTS
#define SMX_MOMENTS
#endif
#if SMX_CUDA_VARIANT & SMX_CUDA_V_FULL_CIRCLE
#define SMX_FULL_CIRCLE
#endif
#if SMX_CUDA_VARIANT & SMX_CUDA_V_ONE_MEDIUM
#define SMX_ONE_MEDIUM
#endif
#if SMX_CUDA_VARIANT & SMX_CUDA_V_FP64
#define SMX_FP64
#define SMX_ATOMIC64
#endif
#define SMX_NMAT smx_nmat

#define SMX_CU_CAT_(a, b) a##b
#define SMX_CU_CAT(a, b) SMX_CU_CAT_(a, b)
#define SMX_CU_NS SMX_CU_CAT(smx_cuda_v, SMX_CUDA_VARIANT)

namespace SMX_CU_NS {
__constant__ int smx_nmat; /* the number of media */
#include "cl/smx_cell.h"
#include "cl/common.cl"
#include "cl/reduce.cl"
#include "cl/scatter.cl"
#include "cl/stream.cl"
#include "cl/energy.cl"
#include "cl/deposit.cl"
} // namespace SMX_CU_NS

extern "C" const smx_cuda_kernels SMX_CU_CAT(smx__cuda_variant_, SMX_CUDA_VARIANT) = {
    SMX_CUDA_VARIANT,
    SMX_TX,
    SMX_TZ,
    SMX_NF_MAX,
    {"k_sums", "k_stream_leak", "k_scatter", "k_collect", "k_stream", "k_energy", "k_deposit",
     "k_edep_add", "k_deposit_atomic", "k_row_sums"},
    {(const void *)SMX_CU_NS::k_sums, (const void *)SMX_CU_NS::k_stream_leak,
     (const void *)SMX_CU_NS::k_scatter, (const void *)SMX_CU_NS::k_collect,
     (const void *)SMX_CU_NS::k_stream, (const void *)SMX_CU_NS::k_energy,
     (const void *)SMX_CU_NS::k_deposit, (const void *)SMX_CU_NS::k_edep_add,
     (const void *)SMX_CU_NS::k_deposit_atomic, (const void *)SMX_CU_NS::k_row_sums},
    (const void *)&SMX_CU_NS::smx_nmat,
};
