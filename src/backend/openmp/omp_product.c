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

/* o[k][q0..q1) = sum over the ns sources s of w[s][k] in[s][q0..q1), for
 * the outputs k with o[k] set, in source order. */
static void product(float *const *o, const float *const *in, const float *w, int ns, size_t q0, size_t q1)
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

int omp__product_init(omp_ctx *c)
{
    int most = 2 * c->p->kmax + OMP_KB; /* A_theta's sources of a block */
    for (int b = 0; c->bstart && b < (c->p->ne + OMP_KB - 1) / OMP_KB; b++)
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

void omp__product_slabs(omp_ctx *c, const int *out, int ns, int a, int b, omp_product_scratch *g)
{
    int nt = c->p->nt, s0, s1, t0, t1;
    size_t q0 = a <= b ? (size_t)a * c->p->nx : 0, q1 = a <= b ? (size_t)(b + 1) * c->p->nx : 0;
    /* whole blocks of 16 cells where both windows hold the rows after b:
     * those rows of every source are zero, so the outputs get the zeros
     * they hold already, and no cell is left to the one-at-a-time tail */
    omp__win_rows(c, c->zs, &s0, &s1);
    omp__win_rows(c, c->zt, &t0, &t1);
    size_t q1x = q0 + (q1 - q0 + 15) / 16 * 16, end = (size_t)(s1 < t1 ? s1 : t1) * c->p->nx;
    if (q1 > q0 && q1x <= end) q1 = q1x;
    for (int m = 0; m < OMP_KB; m++)
        if (out[m] >= 0) omp__clear_out_except(c, out[m] / nt, out[m] % nt, a, b); /* rows a..b are set */
    for (int arr = 0; arr < c->na && ns; arr++) {
        float *o[OMP_KB];
        for (int m = 0; m < OMP_KB; m++) o[m] = out[m] >= 0 ? c->t[arr] + (size_t)out[m] * c->stride : NULL;
        for (int s = 0; s < ns; s++) g->in[s] = c->s[arr] + (size_t)g->src[s] * c->stride;
        product(o, g->in, g->w, ns, q0, q1);
    }
    for (int m = 0; m < OMP_KB; m++)
        if (out[m] >= 0) omp__note_out(c, out[m] / nt, out[m] % nt, a, b);
}
