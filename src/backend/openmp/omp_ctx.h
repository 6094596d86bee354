/* The openmp backend's context, shared by its operator files. */
#ifndef SMX_OMP_CTX_H
#define SMX_OMP_CTX_H

#include <math.h>
#include <omp.h>
#include <string.h>
#ifdef __AVX__
#include <immintrin.h>
#endif

#include "core/backend.h"
#include "core/dev_tables.h"
#include "core/util.h"
#include "cl/smx_cell.h"

/* psi and, with centroids, the first moments mx, mz and the second
 * moments qx, qz (see smx_host_state): arrays[0..na) */
enum { OMP_PSI = 0, OMP_MX, OMP_MZ, OMP_QX, OMP_QZ, OMP_ARRAYS };
enum { OMP_SCRATCH = 18 };
/* slabs per chunk of the loops over slabs, handed to threads as they
 * come free (a slab's cost varies with its rows and pieces, and a static
 * split left one thread waiting a tenth of a step); every result is
 * written per slab, so the order does not change a bit */
enum { OMP_CHUNK = 4 };
/* outputs per pass of the products of A_E's gather and A_theta's taps
 * (omp_product.c) */
enum { OMP_KB = 4 };
/* an operator's output larger than this (bytes) goes to memory with
 * streaming stores (omp__stream_out): the last-level cache a core shares
 * on current x86 servers (32 MiB per CCD on AMD Zen 3 and 4) */
#define OMP_STREAM_BYTES (32.0 * 1024 * 1024)
/* rows of the z window at creation (it grows as needed) */
enum { OMP_WINDOW0 = 8 };

/* A thread's room for the sources of one product (A_E's merged lists'
 * longest, or A_theta's 2 kmax + OMP_KB): their slabs (i * nt + j) and
 * weights [source][OMP_KB]. */
typedef struct omp_product_scratch {
    int *src;
    const float **in;
    float *w;
} omp_product_scratch;

/* A run of cells of one medium along a row: columns [x0, x1) (several media). */
typedef struct omp_run {
    int x0, x1, m;
} omp_run;

typedef struct omp_ctx {
    const smx_plan *p;
    int threads;
    double mem_limit_GB;    /* run.memory_limit_GB (0: the machine's) */
    double grow_need, grow_avail; /* bytes of a window growth refused */
    int na;                 /* 1, or OMP_ARRAYS with moments */
    size_t slab;            /* nz * nx: cells of the grid */
    /* Memory follows the beam: each slab holds a window of H rows (z),
     * from row zs of the state and zt of the output; s[k] and t[k] are
     * virtual bases (the real base less zs * nx), so that SLAB(...) + z * nx
     * is row z for every z in the window. Each array has nz * nx floats of
     * padding before it, so a virtual base stays inside its allocation. */
    int H, zs, zt;
    size_t stride;          /* H * nx: floats per slab */
    float *s[OMP_ARRAYS];   /* state */
    float *t[OMP_ARRAYS];   /* scratch, becomes the state after each op */
    void *raw[2 * OMP_ARRAYS]; /* the allocations behind s and t */
    float *rs[OMP_ARRAYS], *rt[OMP_ARRAYS]; /* real bases (64-byte aligned) */
    double *edep;           /* [threads][epad] MeV per unit weight, padded by */
    int bx, bz;             /* bx columns and bz rows on each side */
    size_t epad;            /* (nz + 2 bz) * (nx + 2 bx) */
    float *scratch;         /* [threads][OMP_SCRATCH * slab] per-thread work space */
    float *prow;            /* [threads][nz + 2][prow_w] A_stream's source slab in padded rows:
                               prow_pad zeros, nx cells, prow_pad zeros */
    int prow_pad, prow_w;
    double *sums, *osums;   /* [ne][nt] weight of each slab of s / of t */
    double *leak;           /* [ne][nt][SMX_EDGE_COUNT] A_stream's leak per slab: summed in
                               slab order, so that slabs may go to threads in any order */
    int *box, *obox;        /* [ne][nt][4] of s / of t: the first and last row and
                               column holding weight (first > last: none; the
                               columns may be a superset); a pencil beam fills few */
    smx_dev_tables tab;     /* kernel weights and leak, A_E gather (medium 0's
                               list is the one-medium fast path's), created weight */
    /* A_E's gather lists merged per block of OMP_KB output bins (one
     * list per medium, omp_gather.c): sources bsrc[e] with weights
     * bw[e][OMP_KB], e in [bstart[m * nb + b], bstart[m * nb + b + 1]) for
     * medium m's block b of nb */
    int *bstart, *bsrc;
    float *bw;
    omp_product_scratch *gscr; /* [threads] (omp_product.c) */
    omp_run *runs;          /* several media: row z's runs are runs[run_at[z] .. run_at[z + 1]) */
    int *run_at;
    omp_run *bands;         /* several media: the bands of rows of one medium, rows
                               [x0, x1) of medium m (an omp_run along z); nbands of them */
    int nbands;
    int lo, hi;
    int stream_out;         /* the operator at hand writes with streaming stores (omp__stream_out) */
    int stream_force;       /* SMX_OMP_STREAM_STORES: -1 unset (by size), 0 never, 1 whenever rows allow */
    int boxes;              /* slabs keep the columns holding weight (0: every column,
                               SMX_OMP_BOXES=0, to test that it changes no bit) */
    int fuse;               /* A_theta and A_stream run as one pass where they can
                               (omp_fused.c); SMX_OMP_FUSE=0 runs them one at a time */
    double *msums;          /* [ne][nt] weight of each slab between the two */
} omp_ctx;

#define SLAB(c, buf, i, j) ((buf) + ((size_t)(i) * (c)->p->nt + (j)) * (c)->stride)

/* The rows [*z0, *z1) of the grid that a window from row zb holds. */
static inline void omp__win_rows(const omp_ctx *c, int zb, int *z0, int *z1)
{
    *z0 = zb < 0 ? 0 : zb;
    *z1 = zb + c->H < c->p->nz ? zb + c->H : c->p->nz;
}

/* Rows [*a, *b] clamped to the grid and to a window from row zb. */
static inline void omp__clamp_rows(const omp_ctx *c, int zb, int *a, int *b)
{
    if (*a < zb) *a = zb;
    if (*a < 0) *a = 0;
    if (*b > zb + c->H - 1) *b = zb + c->H - 1;
    if (*b > c->p->nz - 1) *b = c->p->nz - 1;
}

/* Whether an operator writes its output of `slabs` slabs with streaming
 * (non-temporal) stores: with AVX, rows of whole blocks of 8 (aligned),
 * and an output beyond the cache (OMP_STREAM_BYTES), which the next
 * operator reads from memory anyway; streaming stores skip reading each
 * line before writing it. SMX_OMP_STREAM_STORES=1 or 0 forces the size
 * test either way (the results are the same bits). */
static inline int omp__stream_out(const omp_ctx *c, int slabs)
{
#ifdef __AVX__
    double bytes = (double)slabs * c->stride * sizeof(float) * c->na;
    return c->p->nx % 8 == 0 && (c->stream_force >= 0 ? c->stream_force : bytes > OMP_STREAM_BYTES);
#else
    return 0;
#endif
}

static inline double *omp__thread_edep(const omp_ctx *c)
{
    return c->edep + (size_t)omp_get_thread_num() * c->epad;
}

static inline float *omp__thread_prow(const omp_ctx *c)
{
    return c->prow + (size_t)omp_get_thread_num() * (c->p->nz + 2) * c->prow_w;
}

typedef float omp_v8f __attribute__((vector_size(32)));
typedef double omp_v4d __attribute__((vector_size(32)));

/* Sum of a row in float64, in a fixed order: eight lanes (x mod 8) over
 * the whole blocks of 8, added pairwise in registers, then the tail in
 * column order. A chain of n / 8 adds where the compiler's reduction
 * went through memory; every caller sums a row alike. */
static inline double omp__row_sum(const float *o, size_t n)
{
    omp_v4d a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
    size_t q = 0;
    for (; q + 8 <= n; q += 8) {
        omp_v8f v;
        memcpy(&v, o + q, sizeof v);
        a += __builtin_convertvector(__builtin_shufflevector(v, v, 0, 1, 2, 3), omp_v4d);
        b += __builtin_convertvector(__builtin_shufflevector(v, v, 4, 5, 6, 7), omp_v4d);
    }
    a += b;
    double s = (a[0] + a[1]) + (a[2] + a[3]);
    for (; q < n; q++) s += o[q];
    return s;
}

/* A slab's box: rows r0..r1, columns x0..x1. */
static inline void omp__box_set(int *box, int r0, int r1, int x0, int x1)
{
    box[0] = r0, box[1] = r1, box[2] = x0, box[3] = x1;
}

/* The weight of slab o, rows a..b and columns xa..xb (the others are
 * zero), as omp__note counts it, and its box: the rows and columns
 * holding weight (omp_window.c). */
void omp__count(const omp_ctx *c, const float *o, int a, int b, int xa, int xb, double *sum, int *box);

/* Records in sums/box the weight and the box of slab (k, j) of buf, whose
 * rows outside [a, b] and columns outside [xa, xb] are known to be zero
 * (omp_window.c). */
void omp__note(const omp_ctx *c, const float *buf, int zb, double *sums, int *box, int k, int j, int a,
               int b, int xa, int xb);

/* A slab's weight as omp__note counts it: block v of 8 cells of each row
 * (x below nx rounded down to 8) goes to the float64 lanes l[v % 4],
 * added pairwise at the end, then the rows' tails in row and column
 * order. */
static inline double omp__lanes_sum(omp_v4d l[4][2], double tail)
{
    omp_v4d s = ((l[0][0] + l[0][1]) + (l[1][0] + l[1][1])) + ((l[2][0] + l[2][1]) + (l[3][0] + l[3][1]));
    return (s[0] + s[1]) + (s[2] + s[3]) + tail;
}

#ifdef __AVX__
/* Adds 8 cells to the lanes l[0..1] (one per cell, in order); returns
 * which are not zero (bit q: cell q), 0 when none. */
static inline int omp__lanes_add(omp_v4d *l, __m256 f)
{
    l[0] += (omp_v4d)_mm256_cvtps_pd(_mm256_castps256_ps128(f));
    l[1] += (omp_v4d)_mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
    return _mm256_movemask_ps(_mm256_cmp_ps(f, _mm256_setzero_ps(), _CMP_NEQ_UQ));
}
#endif

/* The same for the output slab (k, j) of an operator. */
static inline void omp__note_out(omp_ctx *c, int k, int j, int a, int b)
{
    omp__note(c, c->t[OMP_PSI], c->zt, c->osums, c->obox, k, j, a, b, 0, c->p->nx - 1);
}

/* The same, where the slab's columns outside xa..xb are known to be zero. */
static inline void omp__note_out_cols(omp_ctx *c, int k, int j, int a, int b, int xa, int xb)
{
    omp__note(c, c->t[OMP_PSI], c->zt, c->osums, c->obox, k, j, a, b, xa, xb);
}

/* Zeros rows r0..r1 of output slab kj of every array, where its box
 * (obox) may hold weight: whole rows, or its columns where they are
 * fewer than half a row. */
static inline void omp__clear_rows(omp_ctx *c, int k, int j, int r0, int r1)
{
    if (r0 > r1) return;
    int nx = c->p->nx;
    const int *ob = c->obox + 4 * ((size_t)k * c->p->nt + j);
    for (int arr = 0; arr < c->na; arr++) {
        float *o = SLAB(c, c->t[arr], k, j);
        if (2 * (ob[3] - ob[2] + 1) >= nx) {
            memset(o + (size_t)r0 * nx, 0, (size_t)(r1 - r0 + 1) * nx * sizeof(float));
            continue;
        }
        for (int z = r0; z <= r1; z++) {
            float *r = o + (size_t)z * nx;
#pragma omp simd
            for (int x = ob[2]; x <= ob[3]; x++) r[x] = 0;
        }
    }
}

/* Zeros output slab (k, j) of every array outside rows [a, b] (a > b:
 * everywhere), which the caller writes whole: only the rows its last
 * contents occupied (every write to an output is noted), so a pencil beam
 * costs its own rows, not the whole slab. */
static inline void omp__clear_out_except(omp_ctx *c, int k, int j, int a, int b)
{
    size_t kj = (size_t)k * c->p->nt + j;
    int r0 = c->obox[4 * kj], r1 = c->obox[4 * kj + 1];
    omp__clamp_rows(c, c->zt, &r0, &r1);
    if (a > b || r1 < a || r0 > b) {
        omp__clear_rows(c, k, j, r0, r1);
        return;
    }
    omp__clear_rows(c, k, j, r0, a - 1);
    omp__clear_rows(c, k, j, b + 1, r1);
}

/* Zeros output slab (k, j) of every array. */
static inline void omp__clear_out(omp_ctx *c, int k, int j) { omp__clear_out_except(c, k, j, 0, -1); }

/* The occupied rows of state slab (i, j); returns 0 when it is empty. */
static inline int omp__rows(const omp_ctx *c, int i, int j, int *r0, int *r1)
{
    size_t ij = (size_t)i * c->p->nt + j;
    *r0 = c->box[4 * ij];
    *r1 = c->box[4 * ij + 1];
    return c->sums[ij] != 0 && *r0 <= *r1;
}

/* The columns x0..x1 of a slab's box to loop over: every column where
 * the box holds more than half the row (one loop over whole rows then
 * costs less than a short loop per row); *whole says which. */
static inline void omp__box_cols(const omp_ctx *c, size_t ij, int *x0, int *x1, int *whole)
{
    const int *b = c->box + 4 * ij;
    *whole = 2 * (b[3] - b[2] + 1) > c->p->nx;
    *x0 = *whole ? 0 : b[2];
    *x1 = *whole ? c->p->nx - 1 : b[3];
}

/* Several media: whether row z is one run of one medium, and so part of
 * a band (c->bands; A_E gathers the bands whole). */
static inline int omp__row_in_band(const omp_ctx *c, int z) { return c->run_at[z + 1] - c->run_at[z] == 1; }

/* The columns [*x0, *x1) of a run within a slab's box; 0 when none. */
static inline int omp__run_in_box(const omp_run *run, const int *box, int *x0, int *x1)
{
    *x0 = run->x0 > box[2] ? run->x0 : box[2];
    *x1 = run->x1 < box[3] + 1 ? run->x1 : box[3] + 1;
    return *x0 < *x1;
}

/* An empty box, to widen. */
static inline void omp__box_empty(const omp_ctx *c, int *box)
{
    omp__box_set(box, c->p->nz, -1, c->p->nx, -1);
}

/* Widens box by that of state slab (i, j) when it holds weight: the rows
 * and columns an output gathered from several slabs can receive. */
static inline void omp__box_union(const omp_ctx *c, int i, int j, int *box)
{
    int r0, r1;
    if (!omp__rows(c, i, j, &r0, &r1)) return;
    const int *s = c->box + 4 * ((size_t)i * c->p->nt + j);
    box[0] = r0 < box[0] ? r0 : box[0];
    box[1] = r1 > box[1] ? r1 : box[1];
    box[2] = s[2] < box[2] ? s[2] : box[2];
    box[3] = s[3] > box[3] ? s[3] : box[3];
}

/* The window (omp_window.c). */
int omp__win_alloc(omp_ctx *c, int H);
void omp__win_place(omp_ctx *c, int z0);
int omp__win_prepare_out(omp_ctx *c, int a, int b);
void omp__win_swap(omp_ctx *c);

void omp__scatter(omp_ctx *c, int variant, smx_op_acct *a);
/* A_theta's pieces (omp_scatter.c, one medium): a block's sources and the
 * leak off a theta window. */
int omp__scatter_sources(const omp_ctx *c, int i, int j0, const float *w, int K, omp_product_scratch *g,
                         int *out, int *box);
void omp__scatter_leak(const omp_ctx *c, int v, smx_op_acct *a);
/* The products of A_theta and A_E (omp_product.c): the threads' room,
 * made once (0: out of memory); output slabs out[m] (i * nt + j, -1:
 * none) of every array from the ns sources in g, whose weight lies in
 * box (the union of theirs), in source order: the rows outside box's are
 * cleared, its rows set whole (omp__product_box), and the outputs noted;
 * with `stream` (and omp__stream_out's rows of whole blocks of 8) written
 * with streaming stores and counted on the way. */
int omp__product_init(omp_ctx *c);
void omp__product_free(omp_ctx *c);
void omp__product_slabs(omp_ctx *c, const int *out, int ns, const int *box, int stream, omp_product_scratch *g);
/* o[k][q0..q1) = sum over the ns sources s of w[s][k] in[s][q0..q1), for
 * the outputs k with o[k] set, in source order. */
void omp__product_rows(float *const *o, const float *const *in, const float *w, int ns, size_t q0, size_t q1);
/* Rows box[0]..box[1] of the outputs o, whole, from the ns sources in
 * (omp__product_rows), over cells of rows of nx: where the box's columns
 * (rounded out to blocks of 16) leave a block of a row out, row by row,
 * the rest of each row set to zero (no source holds weight there) where
 * prev[k], the box of what o[k] holds, says it may not be (prev NULL:
 * everywhere); else as one range, rounded up to whole blocks of 16 where
 * cells below `end` may be read and written. */
void omp__product_box(float *const *o, const int *const *prev, const float *const *in, const float *w, int ns,
                      int nx, const int *box, size_t end);
/* A_E's gather lists merged per block of OMP_KB output bins, one list per
 * medium (omp_gather.c; 0: out of memory); the sources of block b (bins
 * b * OMP_KB ..) in theta bin j with medium m's weights that hold weight,
 * into g (src, w), their count returned and, box not NULL, the union of
 * their boxes in box; output bins [nlo, nhi] of block b, one medium. */
int omp__gather_build(omp_ctx *c);
void omp__gather_free(omp_ctx *c);
int omp__gather_sources(const omp_ctx *c, int m, int b, int j, omp_product_scratch *g, int *box);
void omp__gather_block(omp_ctx *c, int b, int j, int nlo, int nhi, omp_product_scratch *g);
void omp__stream(omp_ctx *c, smx_op_acct *a);
/* One output slab of A_stream, shift and deposit (omp_stream.c); the op's
 * leak from the slabs' (c->leak), summed in slab order. */
void omp__stream_slab(omp_ctx *c, int i, int j, const float *in, int r0, int r1, double *leak);
void omp__sum_leaks(const omp_ctx *c, smx_op_acct *a);
/* A_theta (variant v) then A_stream (shift and deposit, one medium) in one
 * pass (omp_fused.c): the state after A_theta counted in c->msums, each
 * op's figures in at and as, the threads' seconds in each in part_s[2];
 * the slabs of rejected theta bins left unstreamed (the core stops them). */
void omp__scatter_stream(omp_ctx *c, int v, smx_op_acct *at, smx_op_acct *as, double *part_s);
void omp__energy(omp_ctx *c, int new_lo, int new_hi, smx_op_acct *a);

#endif
