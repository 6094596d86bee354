/* What every kernel shares: the accumulator of the accounting and the
 * deposited energy, the state layout, the occupancy test and the blocks
 * of a launch.
 *
 * Build options set by the host (src/backend/opencl/ocl_program.c):
 *   SMX_FP64         the device has fp64: accumulators are doubles;
 *                    otherwise float pairs with Kahan compensation
 *   SMX_MOMENTS      centroid streaming: mx, mz, qx, qz travel with psi
 *   SMX_FULL_CIRCLE  theta is periodic (else a window with absorbing ends)
 *   SMX_ATOMIC64     64-bit compare-and-swap (fast deposits in double)
 *   SMX_ONE_MEDIUM   one medium: table lookups do not depend on the cell,
 *                    so loop bounds are the same for a whole work-group
 *   SMX_NMAT         the number of media (mat holds the S cells' media,
 *                    then with several media dep_allow and the interface
 *                    flags, see deposit.cl)
 * A state array is psi[i][j][q], q = z * nx + x over the slab of S cells,
 * held as a window of SW cells per slab from cell QB (rows zb .. zb + H - 1:
 * memory follows the beam): cell q of slab (i, j) is at
 * cell_index(i, j, nt, SW, q - QB).
 *
 * The same source is compiled as CUDA C++ (src/backend/cuda), after
 * cl/cuda_compat.h, which maps OpenCL's qualifiers and built-ins; what
 * macros cannot map is spelt with the SMX_ macros below (OpenCL forms
 * here, CUDA forms in cuda_compat.h). */
#ifndef __CUDACC__
#define SMX_LOCAL_PTR __local /* a pointer parameter into local memory */
#define SMX_FLOAT2(a, b) ((float2)(a, b))
#define SMX_WORK_GROUP(x, y, z) __attribute__((reqd_work_group_size(x, y, z)))
#endif

#ifdef SMX_FP64
#ifndef __CUDACC__
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
typedef double acc_t;
#define ACC_ZERO 0.0
SMX_FN acc_t acc_add(acc_t a, float v) { return a + (double)v; }
SMX_FN acc_t acc_merge(acc_t a, acc_t b) { return a + b; }
SMX_FN int acc_nonzero(acc_t a) { return a != 0.0; }
#else
/* (sum, compensation): the sum is x - y */
typedef float2 acc_t;
#define ACC_ZERO SMX_FLOAT2(0.0f, 0.0f)
SMX_FN acc_t acc_add(acc_t a, float v)
{
    float y = v - a.y, t = a.x + y;
    a.y = (t - a.x) - y;
    a.x = t;
    return a;
}
SMX_FN acc_t acc_merge(acc_t a, acc_t b) { return acc_add(acc_add(a, b.x), -b.y); }
SMX_FN int acc_nonzero(acc_t a) { return a.x != 0.0f || a.y != 0.0f; }
#endif

/* The five state arrays of one side (input or output) as kernel
 * arguments; without moments the host passes psi five times and only the
 * first is touched. */
#define STATE_IN __global const float *i_w, __global const float *i_mx, __global const float *i_mz, \
                 __global const float *i_qx, __global const float *i_qz
#define STATE_OUT __global float *o_w, __global float *o_mx, __global float *o_mz, \
                  __global float *o_qx, __global float *o_qz

/* a[0..4] += f x the five arrays at n (psi alone without moments). */
SMX_FN void gather_add(float f, STATE_IN, size_t n, float *a)
{
    a[0] += f * i_w[n];
#ifdef SMX_MOMENTS
    a[1] += f * i_mx[n];
    a[2] += f * i_mz[n];
    a[3] += f * i_qx[n];
    a[4] += f * i_qz[n];
#endif
}

/* The five arrays at n = a[0..4]. */
SMX_FN void store(STATE_OUT, size_t n, const float *a)
{
    o_w[n] = a[0];
#ifdef SMX_MOMENTS
    o_mx[n] = a[1], o_mz[n] = a[2], o_qx[n] = a[3], o_qz[n] = a[4];
#endif
}

/* The medium of cell q. */
#ifdef SMX_ONE_MEDIUM
#define MEDIUM(mat, q) 0
#else
#define MEDIUM(mat, q) ((int)(mat)[q])
#endif

/* Whether cell (z, x) of slab o (= i * nt + j) can hold weight: box is
 * the slabs' occupied boxes (first row, last row, first column, last
 * column; k_sums). */
SMX_FN int cell_in(__global const int *box, size_t o, int z, int x)
{
    return z >= box[4 * o] && z <= box[4 * o + 1] && x >= box[4 * o + 2] && x <= box[4 * o + 3];
}

SMX_FN size_t cell_index(int i, int j, int nt, int SW, long q)
{
    return ((size_t)i * nt + j) * (size_t)SW + q; /* q < 0: the slab's base, less QB (unsigned wrap) */
}

/* Launches over blocks of a box per energy bin: work-groups of SMX_TX x
 * SMX_TZ cover SMX_TX columns and SMX_TZ rows of one energy bin; block b
 * (= group 1) is bin bl[5b] (its place in the launch), rows from
 * bl[5b + 1] (block-aligned from the first row of the bin's box) up to at
 * most bl[5b + 2], the box's last row, and columns bl[5b + 3] (the
 * first, where group 0 starts) to bl[5b + 4]. Returns the work-item's
 * row, or -1 past the box's rows; its column is *x0 + get_global_id(0),
 * inside the box while <= *x1. */
#define BLOCKED SMX_WORK_GROUP(SMX_TX, SMX_TZ, 1)
SMX_FN int block_row(__global const int *bl, int *w, int *z0, int *z1, int *x0, int *x1)
{
    int b = get_group_id(1);
    *w = bl[5 * b], *z0 = bl[5 * b + 1], *z1 = bl[5 * b + 2], *x0 = bl[5 * b + 3], *x1 = bl[5 * b + 4];
    int z = *z0 + (int)get_local_id(1);
    return z <= *z1 ? z : -1;
}

/* A_stream's split of the parcel at cell n along one axis (moment arrays
 * m, qq) placed r cells past the first of its three target cells: a box
 * of its own width with centroids, the whole cell (width 1, centred) with
 * shift-and-deposit. */
SMX_FN void parcel_split(float w, __global const float *m, __global const float *qq, size_t n,
                                float r, float *f, float *o, float *s)
{
#ifdef SMX_MOMENTS
    float u, v;
    smx_parcel(w, m[n], qq[n], &u, &v);
    smx_box_split(u + r, SMX_SQRTF(12 * v), f, o, s);
#else
    smx_box_split(r, 1.0f, f, o, s);
#endif
}
