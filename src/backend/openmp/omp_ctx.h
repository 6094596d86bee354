/* The openmp backend's context, shared by its operator files. */
#ifndef SMX_OMP_CTX_H
#define SMX_OMP_CTX_H

#include <math.h>
#include <omp.h>

#include "core/backend.h"
#include "core/util.h"

/* psi and, with centroids, the moments mx and mz: arrays[0..na) */
enum { OMP_PSI = 0, OMP_MX, OMP_MZ, OMP_ARRAYS };
enum { OMP_SCRATCH = 8 };

typedef struct omp_ctx {
    const smx_plan *p;
    int threads;
    int na;                 /* 1, or 3 with moments */
    size_t slab;            /* nz * nx */
    float *s[OMP_ARRAYS];   /* state */
    float *t[OMP_ARRAYS];   /* scratch, becomes the state after each op */
    double *edep;           /* [threads][epad] MeV per unit weight, padded by */
    int bx, bz;             /* bx columns and bz rows on each side */
    size_t epad;            /* (nz + 2 bz) * (nx + 2 bx) */
    float *zero_row;        /* nx zeros: the source row beyond the grid */
    float *scratch;         /* [threads][OMP_SCRATCH * slab] per-thread work space */
    unsigned char *row_used; /* [threads][nz]: rows of the current slab with weight */
    double *sums, *osums;   /* [ne][nt] weight of each slab of s / of t */
    int *gstart, *gsrc;     /* A_E gather (one medium): output bin k takes */
    float *gw;              /* from gsrc[gstart[k] .. gstart[k+1]) with gw */
    float *kw;              /* [variant][nmat][ne][2*kmax+1] kernel weights */
    double *kleak;          /* [variant][nmat][ne][nt] kernel mass off the window */
    int lo, hi;
} omp_ctx;

#define SLAB(c, buf, i, j) ((buf) + ((size_t)(i) * (c)->p->nt + (j)) * (c)->slab)

static inline double *omp__thread_edep(const omp_ctx *c)
{
    return c->edep + (size_t)omp_get_thread_num() * c->epad;
}

static inline double omp__row_sum(const float *o, size_t n)
{
    double acc = 0;
#pragma omp simd reduction(+ : acc)
    for (size_t q = 0; q < n; q++) acc += o[q];
    return acc;
}

/* Sub-cell offset of a centroid, clamped to the cell. */
static inline float omp__offset(float m, float w)
{
    float u = w > 0 ? m / w : 0.0f;
    return u < -0.5f ? -0.5f : (u > 0.5f ? 0.5f : u);
}

/* Adds `all` at grid position (px, pz) (cells, from the centre of cell 0)
 * bilinearly into a padded deposit buffer; the border folds onto the edge
 * cells when read, which is the same as clamping the deposit. */
static inline void omp__deposit_at(const omp_ctx *c, double *epad, double px, double pz, double all)
{
    int W = c->p->nx + 2 * c->bx, ix = (int)floor(px), iz = (int)floor(pz);
    double fx = px - ix, fz = pz - iz;
    ix = smx__clampi(ix, -c->bx, c->p->nx + c->bx - 2);
    iz = smx__clampi(iz, -c->bz, c->p->nz + c->bz - 2);
    double *d = epad + (size_t)(iz + c->bz) * W + ix + c->bx;
    d[0] += all * (1 - fz) * (1 - fx);
    d[1] += all * (1 - fz) * fx;
    d[W] += all * fz * (1 - fx);
    d[W + 1] += all * fz * fx;
}

/* Marks, for the calling thread, the rows of a slab that hold weight. */
static inline void mark_rows(const omp_ctx *c, const float *w)
{
    int nx = c->p->nx, nz = c->p->nz;
    unsigned char *used = c->row_used + (size_t)omp_get_thread_num() * nz;
    for (int z = 0; z < nz; z++) {
        float m = 0;
        for (int x = 0; x < nx; x++) m = w[(size_t)z * nx + x] > m ? w[(size_t)z * nx + x] : m;
        used[z] = m > 0;
    }
}

void omp__scatter(omp_ctx *c, int variant, smx_op_acct *a);
void omp__stream(omp_ctx *c, smx_op_acct *a);
void omp__energy(omp_ctx *c, int new_lo, int new_hi, smx_op_acct *a);

#endif
