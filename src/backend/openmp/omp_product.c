/* The small matrix product of A_E's gather and A_theta's taps on the
 * openmp backend: OMP_KB outputs at a time, each source row block loaded
 * once for all of them while their sums stay in registers (GCC vector
 * extensions), where one output at a time loaded and stored its sum for
 * every source. An output takes its sources in its own order, with weight
 * 0 where it does not take one: x + 0 * s is x, so every output is summed
 * exactly as alone, bit for bit. */
#include <stdlib.h>
#include <string.h>

#include "backend/openmp/omp_ctx.h"

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4))); /* unaligned loads and stores */

void omp__product_rows(float *const *o, const float *const *in, const float *w, int ns, size_t q0, size_t q1)
{
    size_t q = q0;
    for (; q + 16 <= q1; q += 16) {
        v8 a[OMP_KB][2];
        for (int k = 0; k < OMP_KB; k++) a[k][0] = a[k][1] = (v8){0};
        for (int s = 0; s < ns; s++) {
            v8 x0 = *(const v8u *)(in[s] + q), x1 = *(const v8u *)(in[s] + q + 8);
            __builtin_prefetch(in[s] + q + 32); /* each source is a stream of its own: too many for the hardware's prefetcher */
            const float *ws = w + (size_t)s * OMP_KB;
            for (int k = 0; k < OMP_KB; k++) a[k][0] += ws[k] * x0, a[k][1] += ws[k] * x1;
        }
        for (int k = 0; k < OMP_KB; k++)
            if (o[k]) *(v8u *)(o[k] + q) = a[k][0], *(v8u *)(o[k] + q + 8) = a[k][1];
    }
    for (; q < q1; q++) {
        float a[OMP_KB] = {0};
        for (int s = 0; s < ns; s++)
            for (int k = 0; k < OMP_KB; k++) a[k] += w[(size_t)s * OMP_KB + k] * in[s][q];
        for (int k = 0; k < OMP_KB; k++)
            if (o[k]) o[k][q] = a[k];
    }
}

#ifdef __AVX__
/* One output's count as omp__note makes it (omp__lanes_sum). */
typedef struct out_tally {
    omp_v4d l[4][2];
    int r0, r1;
} out_tally;

/* Adds block h (8 cells from q, row z, columns from x) of each output to
 * its tally and streams it out. */
static inline void put_block(float *const *o, v8 (*a)[2], int h, size_t q, int z, int x, out_tally *t)
{
    for (int k = 0; k < OMP_KB; k++) {
        if (!o[k]) continue;
        _mm256_stream_ps(o[k] + q, (__m256)a[k][h]);
        if (t && omp__lanes_add(t[k].l[(x / 8) & 3], (__m256)a[k][h])) {
            if (t[k].r0 > z) t[k].r0 = z;
            t[k].r1 = z;
        }
    }
}

/* product() with streaming stores, for rows of whole blocks of 8 (nx a
 * multiple of 8, q0 and q1 on row starts or 16-cell steps): the same sums;
 * each output counted in t (when set) on the way. */
static void product_stream(float *const *o, const float *const *in, const float *w, int ns, size_t q0,
                           size_t q1, int nx, out_tally *t)
{
    int z = (int)(q0 / nx), x = (int)(q0 % nx);
    for (size_t q = q0; q + 8 <= q1;) {
        int two = q + 16 <= q1;
        v8 a[OMP_KB][2];
        for (int k = 0; k < OMP_KB; k++) a[k][0] = a[k][1] = (v8){0};
        if (two)
            for (int s = 0; s < ns; s++) {
                v8 x0 = *(const v8u *)(in[s] + q), x1 = *(const v8u *)(in[s] + q + 8);
                __builtin_prefetch(in[s] + q + 32);
                const float *ws = w + (size_t)s * OMP_KB;
                for (int k = 0; k < OMP_KB; k++) a[k][0] += ws[k] * x0, a[k][1] += ws[k] * x1;
            }
        else
            for (int s = 0; s < ns; s++) {
                v8 x0 = *(const v8u *)(in[s] + q);
                const float *ws = w + (size_t)s * OMP_KB;
                for (int k = 0; k < OMP_KB; k++) a[k][0] += ws[k] * x0;
            }
        for (int h = 0; h <= two; h++, q += 8) {
            put_block(o, a, h, q, z, x, t);
            if ((x += 8) == nx) x = 0, z++;
        }
    }
}
#endif

int omp__product_init(omp_ctx *c)
{
    int most = 2 * c->p->kmax + OMP_KB; /* A_theta's sources of a block */
    for (int b = 0; c->bstart && b < c->p->nmat * ((c->p->ne + OMP_KB - 1) / OMP_KB); b++)
        most = c->bstart[b + 1] - c->bstart[b] > most ? c->bstart[b + 1] - c->bstart[b] : most;
    c->gscr = calloc(c->threads, sizeof *c->gscr);
    for (int t = 0; c->gscr && t < c->threads; t++) {
        omp_product_scratch *g = &c->gscr[t];
        g->src = malloc(most * sizeof *g->src);
        g->in = malloc(most * sizeof *g->in);
        g->w = malloc((size_t)most * OMP_KB * sizeof *g->w);
        if (!g->src || !g->in || !g->w) return 0;
    }
    return c->gscr != NULL;
}

void omp__product_free(omp_ctx *c)
{
    for (int t = 0; c->gscr && t < c->threads; t++) {
        free(c->gscr[t].src);
        free((void *)c->gscr[t].in);
        free(c->gscr[t].w);
    }
    free(c->gscr);
}

/* Cells x0 .. x1 - 1 of rows a..b of o (rows of nx) set to zero. */
static void zero_cells(float *o, int nx, int a, int b, int x0, int x1)
{
    for (int z = a; z <= b && x0 < x1; z++) {
        float *r = o + (size_t)z * nx;
#pragma omp simd
        for (int x = x0; x < x1; x++) r[x] = 0;
    }
}

void omp__product_box(float *const *o, const int *const *prev, const float *const *in, const float *w, int ns,
                      int nx, const int *box, size_t end)
{
    int a = box[0], b = box[1], L = (box[3] - box[2] + 1 + 15) / 16 * 16;
    if (a > b) return;
    if (L + 16 > nx) { /* no block of 16 to leave out: one range */
        size_t q0 = (size_t)a * nx, q1 = (size_t)(b + 1) * nx, q1x = q0 + (q1 - q0 + 15) / 16 * 16;
        omp__product_rows(o, in, w, ns, q0, q1x <= end ? q1x : q1);
        return;
    }
    int xs = box[2] + L <= nx ? box[2] : nx - L, xe = xs + L; /* the rows' cells xs .. xe - 1 */
    for (int k = 0; k < OMP_KB; k++) { /* the rest of the rows: zeros */
        if (!o[k]) continue;
        int p[4] = {a, b, 0, nx - 1}; /* what o[k] may hold there */
        if (prev)
            omp__box_set(p, prev[k][0] > a ? prev[k][0] : a, prev[k][1] < b ? prev[k][1] : b, prev[k][2],
                         prev[k][3]);
        zero_cells(o[k], nx, p[0], p[1], p[2], xs < p[3] + 1 ? xs : p[3] + 1);
        zero_cells(o[k], nx, p[0], p[1], xe > p[2] ? xe : p[2], p[3] + 1);
    }
    for (int z = a; z <= b; z++) omp__product_rows(o, in, w, ns, (size_t)z * nx + xs, (size_t)z * nx + xe);
}

void omp__product_slabs(omp_ctx *c, const int *out, int ns, const int *box, int stream, omp_product_scratch *g)
{
    int nt = c->p->nt, a = box[0], b = box[1], s0, s1, t0, t1;
    size_t q0 = a <= b ? (size_t)a * c->p->nx : 0, q1 = a <= b ? (size_t)(b + 1) * c->p->nx : 0;
    /* whole blocks of 16 cells where both windows hold the rows after b:
     * those rows of every source are zero, so the outputs get the zeros
     * they hold already, and no cell is left to the one-at-a-time tail */
    omp__win_rows(c, c->zs, &s0, &s1);
    omp__win_rows(c, c->zt, &t0, &t1);
    size_t q1x = q0 + (q1 - q0 + 15) / 16 * 16, end = (size_t)(s1 < t1 ? s1 : t1) * c->p->nx;
    if (q1 > q0 && q1x <= end) q1 = q1x; /* for the streamed path */
    for (int m = 0; m < OMP_KB; m++)
        if (out[m] >= 0) omp__clear_out_except(c, out[m] / nt, out[m] % nt, a, b); /* rows a..b are set */
#ifdef __AVX__
    if (stream && ns) {
        out_tally t[OMP_KB];
        for (int m = 0; m < OMP_KB; m++) memset(&t[m], 0, sizeof t[m]), t[m].r0 = c->p->nz, t[m].r1 = -1;
        for (int arr = 0; arr < c->na; arr++) {
            float *o[OMP_KB];
            for (int m = 0; m < OMP_KB; m++) o[m] = out[m] >= 0 ? c->t[arr] + (size_t)out[m] * c->stride : NULL;
            for (int s = 0; s < ns; s++) g->in[s] = c->s[arr] + (size_t)g->src[s] * c->stride;
            product_stream(o, g->in, g->w, ns, q0, q1, c->p->nx, arr == OMP_PSI ? t : NULL);
        }
        _mm_sfence(); /* the streamed stores before any other thread reads them */
        for (int m = 0; m < OMP_KB; m++) {
            if (out[m] < 0) continue;
            c->osums[out[m]] = omp__lanes_sum(t[m].l, 0);
            omp__box_set(c->obox + 4 * out[m], t[m].r0, t[m].r1, 0, c->p->nx - 1); /* every column: a superset */
        }
        return;
    }
#endif
    for (int arr = 0; arr < c->na && ns; arr++) {
        float *o[OMP_KB];
        for (int m = 0; m < OMP_KB; m++) o[m] = out[m] >= 0 ? c->t[arr] + (size_t)out[m] * c->stride : NULL;
        for (int s = 0; s < ns; s++) g->in[s] = c->s[arr] + (size_t)g->src[s] * c->stride;
        const int *prev[OMP_KB]; /* what each output holds (before omp__note_out) */
        for (int m = 0; m < OMP_KB; m++) prev[m] = out[m] >= 0 ? c->obox + 4 * out[m] : NULL;
        omp__product_box(o, prev, g->in, g->w, ns, c->p->nx, box, end);
    }
    for (int m = 0; m < OMP_KB; m++)
        if (out[m] >= 0) omp__note_out_cols(c, out[m] / nt, out[m] % nt, a, b, box[2], box[3]);
}
