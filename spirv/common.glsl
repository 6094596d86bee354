/* What every shader shares: the accumulator of the accounting and the
 * deposited energy, the state layout, the occupancy test and the blocks
 * of a launch.
 * Vulkan GLSL port of cl/common.cl: it must stay equal to it (same
 * arithmetic, operation for operation). Included by every spirv/*.comp
 * after cl/smx_cell.h (with SMX_GLSL defined).
 *
 * What the OpenCL build options were:
 *   SMX_FP64         preprocessor define: the device has fp64, accumulators
 *                    are doubles; otherwise vec2 (sum, compensation) with
 *                    Kahan compensation
 *   SMX_TX, SMX_TZ   work-group tile of the blocked kernels (defines)
 *   SMX_NF_MAX       most energy factors of k_sums (define)
 *   SMX_MOMENTS      centroid streaming: mx, mz, qx, qz travel with psi
 *   SMX_FULL_CIRCLE  theta is periodic (else a window with absorbing ends)
 *   SMX_ONE_MEDIUM   one medium: table lookups do not depend on the cell
 *   SMX_NMAT         the number of media (mat holds the S cells' media,
 *                    then with several media dep_allow and the interface
 *                    flags, see deposit.glsl)
 * the last four are specialization constants here (constant_id 0..3).
 *
 * A state array is psi[i][j][q], q = z * nx + x over the slab of S cells,
 * held as a window of SW cells per slab from cell QB (rows zb .. zb + H - 1:
 * memory follows the beam): cell q of slab (i, j) is at
 * cell_index(i, j, nt, SW, q - QB).
 *
 * Bindings: set 0, the kernel's buffer arguments in OpenCL signature order
 * from binding 0; its int arguments in order are the members of the push
 * constant block. Indices the OpenCL code computes in size_t are uint
 * here (arrays < 2^31 elements). uchar arrays are bound as uint words:
 * byte q is SMX_BYTE(array, q). Helpers that read buffers are macros
 * naming them (GLSL functions cannot take buffers). */
#ifndef SMX_COMMON_GLSL
#define SMX_COMMON_GLSL

layout(constant_id = 0) const bool SMX_MOMENTS = false;
layout(constant_id = 1) const bool SMX_FULL_CIRCLE = false;
layout(constant_id = 2) const bool SMX_ONE_MEDIUM = true;
layout(constant_id = 3) const int SMX_NMAT = 1;

#define INT_MAX 0x7fffffff

/* A storage buffer of set 0 at binding b: a runtime array `name` of T. */
#define SMX_BUF(b, qual, T, name) \
    layout(std430, set = 0, binding = b) qual buffer B_##name { T name[]; };

/* The state arrays (psi and its moments; i_w .. i_qz in, o_w .. o_qz out)
 * are declared with SMX_STATE(b, qual, name) at binding b and listed
 * first in the push constants with SMX_STATE_PC(name), in binding order.
 * Built with SMX_BDA (when an array exceeds maxStorageBufferRange, see
 * src/backend/vulkan/vk_kernel.c) they are not bound: their buffer device
 * addresses are those push constants (GL_EXT_buffer_reference), and the
 * other bindings keep their numbers. Either way they read as arrays. */
#ifdef SMX_BDA
#extension GL_EXT_buffer_reference : require
layout(buffer_reference, std430, buffer_reference_align = 4) buffer smx_fref { float v[]; };
#define SMX_STATE(b, qual, name)
#define SMX_STATE_PC(name) smx_fref name##_a;
#define SMX_ARR(name) pc.name##_a.v
#else
#define SMX_STATE(b, qual, name) SMX_BUF(b, qual, float, name##_b)
#define SMX_STATE_PC(name)
#define SMX_ARR(name) name##_b
#endif
#define i_w SMX_ARR(i_w)
#define i_mx SMX_ARR(i_mx)
#define i_mz SMX_ARR(i_mz)
#define i_qx SMX_ARR(i_qx)
#define i_qz SMX_ARR(i_qz)
#define o_w SMX_ARR(o_w)
#define o_mx SMX_ARR(o_mx)
#define o_mz SMX_ARR(o_mz)
#define o_qx SMX_ARR(o_qx)
#define o_qz SMX_ARR(o_qz)

#ifdef SMX_FP64
#define acc_t double
#define ACC_ZERO 0.0LF
acc_t acc_add(acc_t a, float v) { return a + double(v); }
acc_t acc_merge(acc_t a, acc_t b) { return a + b; }
bool acc_nonzero(acc_t a) { return a != 0.0LF; }
#else
/* (sum, compensation): the sum is x - y. precise: no contraction nor
 * reassociation, the compensation must stay exact. */
#define acc_t vec2
#define ACC_ZERO vec2(0.0, 0.0)
acc_t acc_add(acc_t a, float v)
{
    precise float y = v - a.y;
    precise float t = a.x + y;
    precise float c = (t - a.x) - y;
    return vec2(t, c);
}
acc_t acc_merge(acc_t a, acc_t b) { return acc_add(acc_add(a, b.x), -b.y); }
bool acc_nonzero(acc_t a) { return a.x != 0.0 || a.y != 0.0; }
#endif

/* OpenCL's barrier(CLK_LOCAL_MEM_FENCE). */
#define LOCAL_BARRIER()        \
    {                          \
        memoryBarrierShared(); \
        barrier();             \
    }

/* Byte q (uint) of a uchar array bound as uint words, as an int. */
#define SMX_BYTE(m, q) int(((m)[(q) >> 2u] >> (((q) & 3u) * 8u)) & 0xffu)

/* The medium of cell q (int) of the buffer mat. */
#define MEDIUM(mat, q) (SMX_ONE_MEDIUM ? 0 : SMX_BYTE(mat, uint(q)))

/* Whether cell (z, x) (plain int variables) of slab o (uint, = i * nt +
 * j) can hold weight: box is the buffer of the slabs' occupied boxes
 * (first row, last row, first column, last column; k_sums). */
#define cell_in(box, o, z, x)                                                     \
    ((z) >= (box)[4u * (o)] && (z) <= (box)[4u * (o) + 1u] && (x) >= (box)[4u * (o) + 2u] && \
     (x) <= (box)[4u * (o) + 3u])

/* q < 0: the slab's base, less QB (unsigned wrap, as size_t in OpenCL). */
uint cell_index(int i, int j, int nt, int SW, int q)
{
    return uint(i * nt + j) * uint(SW) + uint(q);
}

/* Launches over blocks of a box per energy bin: work-groups of SMX_TX x
 * SMX_TZ cover SMX_TX columns and SMX_TZ rows of one energy bin; block b
 * (= group 1) is bin bl[5b] (its place in the launch), rows from
 * bl[5b + 1] (block-aligned from the first row of the bin's box) up to at
 * most bl[5b + 2], the box's last row, and columns bl[5b + 3] (the first,
 * where group 0 starts) to bl[5b + 4]. Sets w, z0, z1, x0, x1 (int
 * variables) and is the work-item's row, or -1 past the box's rows; its
 * column is x0 + gl_GlobalInvocationID.x, inside the box while <= x1.
 * Reads the buffer bl. */
#define block_row(w, z0, z1, x0, x1)                                                      \
    ((w) = bl[5u * gl_WorkGroupID.y], (z0) = bl[5u * gl_WorkGroupID.y + 1u],              \
     (z1) = bl[5u * gl_WorkGroupID.y + 2u], (x0) = bl[5u * gl_WorkGroupID.y + 3u],        \
     (x1) = bl[5u * gl_WorkGroupID.y + 4u],                                               \
     (z0) + int(gl_LocalInvocationID.y) <= (z1) ? (z0) + int(gl_LocalInvocationID.y) : -1)

/* a[0..4] += f x the five input arrays i_w .. i_qz at n (psi alone
 * without moments). */
#define gather_add(f, n, a)        \
    {                              \
        float f_ = (f);            \
        uint n_ = (n);             \
        a[0] += f_ * i_w[n_];      \
        if (SMX_MOMENTS) {         \
            a[1] += f_ * i_mx[n_]; \
            a[2] += f_ * i_mz[n_]; \
            a[3] += f_ * i_qx[n_]; \
            a[4] += f_ * i_qz[n_]; \
        }                          \
    }

/* The five output arrays o_w .. o_qz at n = a[0..4]. */
#define store(n, a)                                                                              \
    {                                                                                            \
        uint n_ = (n);                                                                           \
        o_w[n_] = a[0];                                                                          \
        if (SMX_MOMENTS) o_mx[n_] = a[1], o_mz[n_] = a[2], o_qx[n_] = a[3], o_qz[n_] = a[4];   \
    }

/* A_stream's split of a parcel of weight w with moments m, qq (read at
 * its cell) placed r cells past the first of its three target cells: a
 * box of its own width with centroids. */
smx_box_pieces parcel_split_moments(float w, float m, float qq, float r)
{
    smx_uv p = smx_parcel_v(w, m, qq);
    return smx_box_split_v(p.u + r, SMX_SQRTF(12 * p.v));
}

/* parcel_split of cl/common.cl: the split of the parcel at cell n along
 * one axis (moment buffers m, qq): with moments as above; without, the
 * whole cell (width 1, centred) with shift-and-deposit. */
#define parcel_split(w, m, qq, n, r) \
    (SMX_MOMENTS ? parcel_split_moments((w), (m)[(n)], (qq)[(n)], (r)) : smx_box_split_v((r), 1.0f))

#endif
