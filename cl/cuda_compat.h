/* OpenCL C 1.2 as CUDA C++: included first, only by the CUDA build
 * (src/backend/cuda/kernels.cuh), so that cl/smx_cell.h and cl/*.cl
 * compile unchanged as CUDA (one kernel source). Address-space
 * qualifiers, the work-item built-ins, barriers, atomics and the vector
 * and integer types are mapped here; what a macro cannot map (a __local
 * pointer parameter, a float2 literal, reqd_work_group_size) the kernels
 * spell with SMX_LOCAL_PTR, SMX_FLOAT2 and SMX_WORK_GROUP, defined for
 * OpenCL in cl/common.cl and for CUDA below. Helper functions are SMX_FN
 * (cl/smx_cell.h: static __device__ inline). A kernel is __global__ with
 * C++ linkage: the build wraps each variant of the kernels in its own
 * namespace. */
#ifndef SMX_CUDA_COMPAT_H
#define SMX_CUDA_COMPAT_H

#ifndef __CUDACC__
#error "cl/cuda_compat.h is for the CUDA build of the kernels only"
#endif

#include <climits>
#include <cstddef>
#include <cuda_runtime.h>

/* qualifiers */
#define __kernel __global__
#define __global
#define __local __shared__
#define SMX_LOCAL_PTR
#define SMX_FLOAT2(a, b) make_float2(a, b)
#define SMX_WORK_GROUP(x, y, z) __launch_bounds__((x) * (y) * (z))

/* types */
/* (macros: glibc's sys/types.h has its own uint and ulong) */
typedef unsigned char smx_cl_uchar;
typedef unsigned int smx_cl_uint;
typedef unsigned long long smx_cl_ulong; /* OpenCL's ulong is 64-bit, as atomicCAS's word */
#define uchar smx_cl_uchar
#define uint smx_cl_uint
#define ulong smx_cl_ulong
static_assert(sizeof(long) == 8, "OpenCL's long is 64-bit (cell_index)");

/* work-items (OpenCL: size_t; a launch's grid covers the global range,
 * the kernels test their bounds) */
static __device__ __forceinline__ size_t get_local_id(int d)
{
    return d == 0 ? threadIdx.x : (d == 1 ? threadIdx.y : threadIdx.z);
}
static __device__ __forceinline__ size_t get_group_id(int d)
{
    return d == 0 ? blockIdx.x : (d == 1 ? blockIdx.y : blockIdx.z);
}
static __device__ __forceinline__ size_t get_local_size(int d)
{
    return d == 0 ? blockDim.x : (d == 1 ? blockDim.y : blockDim.z);
}
static __device__ __forceinline__ size_t get_global_id(int d)
{
    return get_group_id(d) * get_local_size(d) + get_local_id(d);
}

/* synchronisation: every barrier of the kernels is a work-group barrier */
#define CLK_LOCAL_MEM_FENCE 1
#define CLK_GLOBAL_MEM_FENCE 2
#define barrier(flags) __syncthreads()

/* integer built-ins (min and max for int are CUDA's) */
static __device__ __forceinline__ int clamp(int x, int lo, int hi) { return min(max(x, lo), hi); }

/* atomics: 32-bit on local ints, compare-and-swap on global words */
static __device__ __forceinline__ int atomic_min(volatile int *p, int v) { return atomicMin((int *)p, v); }
static __device__ __forceinline__ int atomic_max(volatile int *p, int v) { return atomicMax((int *)p, v); }
static __device__ __forceinline__ uint atomic_cmpxchg(volatile uint *p, uint cmp, uint val)
{
    return atomicCAS((unsigned int *)p, cmp, val);
}
static __device__ __forceinline__ ulong atom_cmpxchg(volatile ulong *p, ulong cmp, ulong val)
{
    return atomicCAS((unsigned long long *)p, cmp, val);
}

#endif
