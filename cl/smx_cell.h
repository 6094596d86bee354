/* Per-cell arithmetic shared by the C backends and the OpenCL kernels
 * (DESIGN.md principle 5): written in the common subset of C17 and
 * OpenCL C 1.2, with a macro for what differs. Float32, as on every
 * device; the reference backend keeps its own float64 form (core/parcel.h). */
#ifndef SMX_CELL_H
#define SMX_CELL_H

#ifdef __OPENCL_VERSION__
#define SMX_SQRTF(x) sqrt(x)
#else
#include <math.h>
#define SMX_SQRTF(x) sqrtf(x)
#endif

/* A parcel's sub-cell variance (cell widths^2) below this is a point
 * (float32 keeps the second moment only to ~1e-7 of u^2). */
#define SMX_PARCEL_MIN_VARIANCE_F 1e-6f

static inline float smx_fminf(float a, float b) { return a < b ? a : b; }
static inline float smx_fmaxf(float a, float b) { return a > b ? a : b; }

/* Sub-cell offset u and variance v of a parcel (weight w, first moment m,
 * second moment q) along one axis: u clamped to the cell, v to [0, 1/12]
 * and 0 below SMX_PARCEL_MIN_VARIANCE_F. Divisions, not a reciprocal:
 * 1/w overflows for denormal weights. */
static inline void smx_parcel(float w, float m, float q, float *u, float *v)
{
    float ww = w > 0 ? w : 1.0f, uu = m / ww, vv;
    uu = uu < -0.5f ? -0.5f : (uu > 0.5f ? 0.5f : uu);
    vv = q / ww - uu * uu;
    *u = uu;
    *v = vv < SMX_PARCEL_MIN_VARIANCE_F ? 0.0f : (vv > 1.0f / 12 ? 1.0f / 12 : vv);
}

/* Streaming: a parcel is a uniform box of width len (<= 1 cell) centred t
 * cells past cell 0 (t in [0, 2)). It overlaps the cells (-inf, 1/2],
 * [1/2, 3/2], [3/2, inf) = 0, 1, 2; piece p gets the fraction f[p] of the
 * weight, its centroid offset o[p] from its cell centre and its second
 * moment s[p] = o[p]^2 + its own variance. Branch-free (vectorisable);
 * the middle takes 1 - the others so that the weight is kept exactly.
 * len = 1 with a centred parcel is shift-and-deposit's bilinear split. */
static inline void smx_box_split(float t, float len, float *f, float *o, float *s)
{
    float lo = t - 0.5f * len, hi = t + 0.5f * len;
    float l0 = smx_fminf(smx_fmaxf(0.5f - lo, 0.0f), len), l2 = smx_fminf(smx_fmaxf(hi - 1.5f, 0.0f), len);
    float l1 = len - l0 - l2;
    int point = !(len > 0);
    float inv = point ? 0.0f : 1.0f / len;
    f[0] = point ? (float)(t < 0.5f) : l0 * inv;
    f[2] = point ? (float)(t >= 1.5f) : l2 * inv;
    f[1] = 1 - f[0] - f[2];
    float m0 = 0.5f * (lo + smx_fminf(hi, 0.5f)), m2 = 0.5f * (smx_fmaxf(lo, 1.5f) + hi);
    float m1 = 0.5f * (smx_fmaxf(lo, 0.5f) + smx_fminf(hi, 1.5f));
    o[0] = m0, o[1] = m1 - 1, o[2] = m2 - 2;
    s[0] = o[0] * o[0] + l0 * l0 * (1.0f / 12);
    s[1] = o[1] * o[1] + l1 * l1 * (1.0f / 12);
    s[2] = o[2] * o[2] + l2 * l2 * (1.0f / 12);
}

/* Deposits: fractions over cells 0..3 of a deposit centred t cells past
 * cell 0 (t in [0.5, 2.5)), as a box of width sqrt(1 + 12 v): the
 * parcel's own width convolved with one cell (v = 0: the cloud-in-cell of
 * a point). */
static inline void smx_deposit_split(float t, float v, float *f)
{
    float len = SMX_SQRTF(1 + 12 * v);
    int c = t < 1.5f ? 1 : 2;
    float d = t - c, lo = d - 0.5f * len, hi = d + 0.5f * len;
    f[0] = f[1] = f[2] = f[3] = 0;
    f[c - 1] = lo < -0.5f ? (-0.5f - lo) / len : 0;
    f[c + 1] = hi > 0.5f ? (hi - 0.5f) / len : 0;
    f[c] = 1 - f[c - 1] - f[c + 1];
}

#endif
