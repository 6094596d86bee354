/* Per-cell arithmetic shared by the C backends, the OpenCL kernels (also
 * compiled as CUDA C++, see cl/cuda_compat.h) and the Vulkan shaders
 * (DESIGN.md principle 5): written in the common subset of C17, OpenCL C
 * 1.2, CUDA C++ and GLSL 4.50 (by-value functions, no pointers), with
 * macros for what differs; the pointer forms at the end are C, OpenCL and
 * CUDA only. Float32, as on every device; the reference backend keeps its
 * own float64 form (core/parcel.h). The GLSL build defines SMX_GLSL. */
#ifndef SMX_CELL_H
#define SMX_CELL_H

#if defined(SMX_GLSL)
#define SMX_SQRTF(x) sqrt(x)
#define SMX_FN
#define SMX_STRUCT(name)
#elif defined(__OPENCL_VERSION__)
#define SMX_SQRTF(x) sqrt(x)
#define SMX_FN static inline
#define SMX_STRUCT(name) typedef struct name name;
#elif defined(__CUDACC__)
#define SMX_SQRTF(x) sqrtf(x)
#define SMX_FN static __device__ inline
#define SMX_STRUCT(name) typedef struct name name;
#else
#include <math.h>
#define SMX_SQRTF(x) sqrtf(x)
#define SMX_FN static inline
#define SMX_STRUCT(name) typedef struct name name;
#endif

/* A parcel's sub-cell variance (cell widths^2) below this is a point
 * (float32 keeps the second moment only to ~1e-7 of u^2). */
#define SMX_PARCEL_MIN_VARIANCE_F 1e-6f

SMX_FN float smx_fminf(float a, float b) { return a < b ? a : b; }
SMX_FN float smx_fmaxf(float a, float b) { return a > b ? a : b; }

/* Sub-cell offset u and variance v of a parcel (weight w, first moment m,
 * second moment q) along one axis: u clamped to the cell, v to [0, 1/12]
 * and 0 below SMX_PARCEL_MIN_VARIANCE_F. Divisions, not a reciprocal:
 * 1/w overflows for denormal weights. */
SMX_STRUCT(smx_uv)
struct smx_uv {
    float u, v;
};

SMX_FN smx_uv smx_parcel_v(float w, float m, float q)
{
    smx_uv r;
    float ww = w > 0 ? w : 1.0f, uu = m / ww, vv;
    uu = uu < -0.5f ? -0.5f : (uu > 0.5f ? 0.5f : uu);
    vv = q / ww - uu * uu;
    r.u = uu;
    r.v = vv < SMX_PARCEL_MIN_VARIANCE_F ? 0.0f : (vv > 1.0f / 12 ? 1.0f / 12 : vv);
    return r;
}

/* Streaming: a parcel is a uniform box of width len (<= 1 cell) centred t
 * cells past cell 0 (t in [0, 2)). It overlaps the cells (-inf, 1/2],
 * [1/2, 3/2], [3/2, inf) = 0, 1, 2; piece p gets the fraction f[p] of the
 * weight, its centroid offset o[p] from its cell centre and its second
 * moment s[p] = o[p]^2 + its own variance. Branch-free; the middle takes
 * 1 - the others so that the weight is kept exactly. len = 1 with a
 * centred parcel is shift-and-deposit's bilinear split. Returned by value:
 * GCC vectorises a loop over cells calling this, not one that passes
 * arrays to fill. */
SMX_STRUCT(smx_box_pieces)
struct smx_box_pieces {
    float f[3], o[3], s[3];
};

SMX_FN smx_box_pieces smx_box_split_v(float t, float len)
{
    smx_box_pieces p;
    float lo = t - 0.5f * len, hi = t + 0.5f * len;
    float l0 = smx_fminf(smx_fmaxf(0.5f - lo, 0.0f), len), l2 = smx_fminf(smx_fmaxf(hi - 1.5f, 0.0f), len);
    float l1 = len - l0 - l2;
    float inv = len > 0 ? 1.0f / len : 0.0f; /* len 0: a point */
    p.f[0] = len > 0 ? l0 * inv : (t < 0.5f ? 1.0f : 0.0f);
    p.f[2] = len > 0 ? l2 * inv : (t >= 1.5f ? 1.0f : 0.0f);
    p.f[1] = 1 - p.f[0] - p.f[2];
    float m0 = 0.5f * (lo + smx_fminf(hi, 0.5f)), m2 = 0.5f * (smx_fmaxf(lo, 1.5f) + hi);
    float m1 = 0.5f * (smx_fmaxf(lo, 0.5f) + smx_fminf(hi, 1.5f));
    p.o[0] = m0, p.o[1] = m1 - 1, p.o[2] = m2 - 2;
    p.s[0] = p.o[0] * p.o[0] + l0 * l0 * (1.0f / 12);
    p.s[1] = p.o[1] * p.o[1] + l1 * l1 * (1.0f / 12);
    p.s[2] = p.o[2] * p.o[2] + l2 * l2 * (1.0f / 12);
    return p;
}

/* Deposits: fractions over cells 0..3 of a deposit centred t cells past
 * cell 0 (t in [0.5, 2.5)), as a box of width sqrt(1 + 12 v): the
 * parcel's own width convolved with one cell (v = 0: the cloud-in-cell of
 * a point). By value, as smx_box_split_v. */
SMX_STRUCT(smx_deposit_fractions)
struct smx_deposit_fractions {
    float f[4];
};

SMX_FN smx_deposit_fractions smx_deposit_split_v(float t, float v)
{
    smx_deposit_fractions r;
    float len = SMX_SQRTF(1 + 12 * v);
    int c = t < 1.5f ? 1 : 2;
    float d = t - c, lo = d - 0.5f * len, hi = d + 0.5f * len;
    float below = lo < -0.5f ? (-0.5f - lo) / len : 0.0f, above = hi > 0.5f ? (hi - 0.5f) / len : 0.0f;
    float mid = 1 - below - above;
    r.f[0] = c == 1 ? below : 0.0f;
    r.f[1] = c == 1 ? mid : below;
    r.f[2] = c == 1 ? above : mid;
    r.f[3] = c == 1 ? 0.0f : above;
    return r;
}

#ifndef SMX_GLSL
/* The pointer forms (C, OpenCL C and CUDA). */
SMX_FN void smx_parcel(float w, float m, float q, float *u, float *v)
{
    smx_uv r = smx_parcel_v(w, m, q);
    *u = r.u, *v = r.v;
}

SMX_FN void smx_box_split(float t, float len, float *f, float *o, float *s)
{
    smx_box_pieces p = smx_box_split_v(t, len);
    for (int k = 0; k < 3; k++) f[k] = p.f[k], o[k] = p.o[k], s[k] = p.s[k];
}

SMX_FN void smx_deposit_split(float t, float v, float *f)
{
    smx_deposit_fractions r = smx_deposit_split_v(t, v);
    for (int k = 0; k < 4; k++) f[k] = r.f[k];
}
#endif

#endif
