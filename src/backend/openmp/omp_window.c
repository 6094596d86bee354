/* The openmp state's z window: every (energy, angle) slab holds H rows,
 * from row zs (state) or zt (output). A pencil beam in lockstep occupies a
 * few rows at any step (its front), so the window, not the grid depth,
 * sets the memory; it moves with the beam and grows when an operator's
 * output needs more rows (a full-circle beam can fill the whole grid). */
#include <stdint.h>
#include <stdlib.h>

#include "backend/openmp/omp_ctx.h"
#include "core/bigalloc.h"
#include "core/memory.h"

static void set_bases(omp_ctx *c)
{
    size_t nx = (size_t)c->p->nx;
    for (int k = 0; k < c->na; k++) {
        c->s[k] = c->rs[k] - (ptrdiff_t)c->zs * (ptrdiff_t)nx;
        c->t[k] = c->rt[k] - (ptrdiff_t)c->zt * (ptrdiff_t)nx;
    }
}

/* Bytes of one array of H rows per slab, with a slab of padding (the
 * virtual bases reach below the window). */
static size_t array_bytes(const omp_ctx *c, int H)
{
    const smx_plan *p = c->p;
    return ((size_t)p->nz * p->nx + (size_t)p->ne * p->nt * H * p->nx) * sizeof(float);
}

/* Fresh zeroed arrays of H rows per slab; s and t both from row 0. */
int omp__win_alloc(omp_ctx *c, int H)
{
    const smx_plan *p = c->p;
    size_t pad = (size_t)p->nz * p->nx;
    for (int k = 0; k < 2 * OMP_ARRAYS; k++) {
        smx__big_free(c->raw[k]);
        c->raw[k] = NULL;
    }
    for (int k = 0; k < c->na; k++)
        for (int side = 0; side < 2; side++) {
            void *r = c->raw[2 * k + side] = smx__big_alloc(array_bytes(c, H));
            if (!r) return 0;
            float *base = (float *)r + pad;
            if (side == 0) c->rs[k] = base;
            else c->rt[k] = base;
        }
    c->H = H;
    c->stride = (size_t)H * p->nx;
    c->zs = c->zt = 0;
    set_bases(c);
    for (size_t k = 0; k < (size_t)p->ne * p->nt; k++) /* nothing to clear in t */
        omp__box_set(c->obox + 4 * k, p->nz, -1, p->nx, -1);
    return 1;
}

/* Puts both windows (of freshly zeroed arrays) at row z0. */
void omp__win_place(omp_ctx *c, int z0)
{
    c->zs = c->zt = z0;
    set_bases(c);
}

/* Clears what t holds (the rows noted in orows) and moves its window to
 * start at row z0. */
static void rebase_out(omp_ctx *c, int z0)
{
    const smx_plan *p = c->p;
    int slabs = p->ne * p->nt;
#pragma omp parallel for num_threads(c->threads) schedule(static)
    for (int s = 0; s < slabs; s++) {
        omp__clear_out(c, s / p->nt, s % p->nt);
        omp__box_set(c->obox + 4 * s, p->nz, -1, p->nx, -1);
    }
    c->zt = z0;
    set_bases(c);
}

/* A window of H rows for the state (its content kept) and the output. */
static int grow(omp_ctx *c, int H)
{
    const smx_plan *p = c->p;
    /* the new arrays come before the old ones are freed */
    double need = 2.0 * c->na * (double)array_bytes(c, H);
    if (!smx__mem_grow_ok(need, c->mem_limit_GB, &c->grow_avail)) {
        c->grow_need = need;
        return 0;
    }
    int lo = c->lo, hi = c->hi, zs = c->zs, oldH = c->H;
    float *old[OMP_ARRAYS];
    void *oldraw[2 * OMP_ARRAYS];
    for (int k = 0; k < 2 * OMP_ARRAYS; k++) oldraw[k] = c->raw[k], c->raw[k] = NULL;
    for (int k = 0; k < c->na; k++) old[k] = c->s[k];
    size_t oldstride = c->stride;
    if (!omp__win_alloc(c, H)) {
        for (int k = 0; k < 2 * OMP_ARRAYS; k++) smx__big_free(oldraw[k]);
        return 0;
    }
    c->zs = c->zt = zs;
    set_bases(c);
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++) {
            int r0, r1;
            if (!omp__rows(c, i, j, &r0, &r1)) continue;
            omp__clamp_rows(c, zs, &r0, &r1);
            if (r1 >= zs + oldH) r1 = zs + oldH - 1;
            for (int k = 0; k < c->na; k++)
                memcpy(SLAB(c, c->s[k], i, j) + (size_t)r0 * p->nx,
                       old[k] + ((size_t)i * p->nt + j) * oldstride + (size_t)r0 * p->nx,
                       (size_t)(r1 - r0 + 1) * p->nx * sizeof(float));
        }
    for (int k = 0; k < 2 * OMP_ARRAYS; k++) smx__big_free(oldraw[k]);
    return 1;
}

/* Makes the output window cover rows [a, b] (clamped to the grid). */
int omp__win_prepare_out(omp_ctx *c, int a, int b)
{
    int nz = c->p->nz;
    a = a < 0 ? 0 : a;
    b = b > nz - 1 ? nz - 1 : b;
    if (b < a || (a >= c->zt && b < c->zt + c->H)) return 1;
    if (b - a + 1 > c->H) {
        int H = 2 * c->H > b - a + 1 ? 2 * c->H : b - a + 1;
        if (!grow(c, H > nz ? nz : H)) return 0;
        if (a >= c->zt && b < c->zt + c->H) return 1;
    }
    /* leave the spare rows ahead of a beam moving to +z */
    int z0 = a;
    if (z0 + c->H > nz) z0 = nz - c->H > 0 ? nz - c->H : 0;
    rebase_out(c, z0);
    return 1;
}

/* After an operator: the output becomes the state. */
void omp__win_swap(omp_ctx *c)
{
    for (int k = 0; k < c->na; k++) {
        float *t = c->s[k];
        c->s[k] = c->t[k];
        c->t[k] = t;
        t = c->rs[k];
        c->rs[k] = c->rt[k];
        c->rt[k] = t;
    }
    int z = c->zs;
    c->zs = c->zt;
    c->zt = z;
}

/* Adds the 8 cells at r to the eight float64 lanes l (one per cell, in
 * order) and returns which are not zero (bit q: cell q). */
static inline int add8(omp_v4d *l, const float *r)
{
#ifdef __AVX__
    return omp__lanes_add(l, _mm256_loadu_ps(r));
#else
    int held = 0;
    for (int q = 0; q < 8; q++) {
        l[q / 4][q % 4] += r[q];
        held |= (r[q] != 0) << q;
    }
    return held;
#endif
}

/* blocks of 8 columns whose cells are told apart in a box; the ones past
 * the last go together (their box reaches the row's end) */
enum { COL_BLOCKS = 64 };

/* The weight of slab o (rows a..b; the others known to be zero) in
 * float64 in a fixed order, without a sum per row (omp__lanes_sum: four
 * chains of adds instead of one), and its box: the first and last rows
 * holding weight (a row holds weight when any of its cells is not zero)
 * and the first and last columns. */
void omp__count(const omp_ctx *c, const float *o, int a, int b, int xa, int xb, double *sum, int *box)
{
    int nx = c->p->nx, nv = nx / 8, r0 = c->p->nz, r1 = -1, x0 = nx, x1 = -1;
    /* the blocks that may hold weight, from a multiple of 4 (block v to
     * lanes v % 4 as ever: the blocks left out would add zeros) */
    int v0 = xa / 32 * 4, v1 = (xb + 8) / 8 < nv ? (xb + 8) / 8 : nv, t0 = xb >= 8 * nv ? 8 * nv : nx;
    omp_v4d l[4][2] = {{{0}}};
    int cm[COL_BLOCKS] = {0}; /* per block: the cells not zero in some row */
    double tail = 0;
#define BLK(k, v) (cm[(v) < COL_BLOCKS ? (v) : COL_BLOCKS - 1] |= m = add8(l[k], row + 8 * (v)), held |= m)
    for (int z = a; z <= b; z++) {
        const float *row = o + (size_t)z * nx;
        int held = 0, v = v0, m;
        for (; v + 4 <= v1; v += 4) {
            BLK(0, v);
            BLK(1, v + 1);
            BLK(2, v + 2);
            BLK(3, v + 3);
        }
        if (v < v1) BLK(0, v), v++;
        if (v < v1) BLK(1, v), v++;
        if (v < v1) BLK(2, v), v++;
        for (int x = t0; x < nx; x++) {
            tail += row[x];
            if (row[x] != 0) {
                held = 1;
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
            }
        }
        if (!held) continue;
        if (r0 > z) r0 = z;
        r1 = z;
    }
#undef BLK
    int nb = nv < COL_BLOCKS ? nv : COL_BLOCKS;
    for (int v = 0; v < nb; v++) /* the first block with a cell held */
        if (cm[v]) {
            x0 = 8 * v + __builtin_ctz((unsigned)cm[v]);
            break;
        }
    for (int v = nb - 1; v >= 0 && x1 < 8 * nv; v--) /* the last, past the tail's */
        if (cm[v]) {
            x1 = v == COL_BLOCKS - 1 && nv > COL_BLOCKS ? 8 * nv - 1 : 8 * v + 31 - __builtin_clz((unsigned)cm[v]);
            break;
        }
    *sum = omp__lanes_sum(l, tail);
    if (!c->boxes) x0 = 0, x1 = nx - 1;
    omp__box_set(box, r0, r1, r0 <= r1 ? x0 : nx, r0 <= r1 ? x1 : -1);
}

void omp__note(const omp_ctx *c, const float *buf, int zb, double *sums, int *box, int k, int j, int a,
               int b, int xa, int xb)
{
    size_t kj = (size_t)k * c->p->nt + j;
    omp__clamp_rows(c, zb, &a, &b);
    omp__count(c, SLAB(c, buf, k, j), a, b, xa < 0 ? 0 : xa, xb, &sums[kj], box + 4 * kj);
}
