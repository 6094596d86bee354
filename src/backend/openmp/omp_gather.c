/* A_E's gather on the openmp backend with one medium, OMP_KB output bins
 * at a time (omp__product). The sources of a block are its outputs'
 * gather lists merged by source bin: an output keeps its own entries in
 * its own order, with weight 0 where it does not take a source. */
#include <stdlib.h>
#include <string.h>

#include "backend/openmp/omp_ctx.h"

int omp__gather_build(omp_ctx *c)
{
    const smx_plan *p = c->p;
    const int *gs = c->tab.gstart, *src = c->tab.gsrc; /* medium 0 */
    int nb = (p->ne + OMP_KB - 1) / OMP_KB;
    c->bstart = calloc(nb + 1, sizeof(int));
    c->bsrc = malloc(((size_t)gs[p->ne] + 1) * sizeof(int));
    c->bw = calloc(((size_t)gs[p->ne] + 1) * OMP_KB, sizeof(float));
    if (!c->bstart || !c->bsrc || !c->bw) return 0;
    int n = 0;
    for (int b = 0; b < nb; b++) {
        int k0 = b * OMP_KB, at[OMP_KB]; /* each output's next entry */
        for (int k = 0; k < OMP_KB; k++) at[k] = k0 + k < p->ne ? gs[k0 + k] : 0;
        c->bstart[b] = n;
        for (;;) {
            int i = -1; /* the smallest source left */
            for (int k = 0; k < OMP_KB && k0 + k < p->ne; k++)
                if (at[k] < gs[k0 + k + 1] && (i < 0 || src[at[k]] < i)) i = src[at[k]];
            if (i < 0) break;
            /* an output takes a source once or twice (the post-step kernel,
             * then the secondaries): as many merged entries as the most */
            for (int more = 1; more;) {
                more = 0;
                c->bsrc[n] = i;
                for (int k = 0; k < OMP_KB && k0 + k < p->ne; k++)
                    if (at[k] < gs[k0 + k + 1] && src[at[k]] == i) {
                        c->bw[(size_t)n * OMP_KB + k] = c->tab.gw[at[k]++];
                        more |= at[k] < gs[k0 + k + 1] && src[at[k]] == i;
                    }
                n++;
            }
        }
    }
    c->bstart[nb] = n;
    int most = 2 * p->kmax + OMP_KB; /* A_theta's sources of a block */
    for (int b = 0; b < nb; b++) most = c->bstart[b + 1] - c->bstart[b] > most ? c->bstart[b + 1] - c->bstart[b] : most;
    c->gscr = calloc(c->threads, sizeof *c->gscr);
    for (int t = 0; c->gscr && t < c->threads; t++) {
        omp_gather_scratch *g = &c->gscr[t];
        g->src = malloc(most * sizeof *g->src);
        g->in = malloc(most * sizeof *g->in);
        g->w = malloc((size_t)most * OMP_KB * sizeof *g->w);
        if (!g->src || !g->in || !g->w) return 0;
    }
    return c->gscr != NULL;
}

void omp__gather_free(omp_ctx *c)
{
    for (int t = 0; c->gscr && t < c->threads; t++) {
        free(c->gscr[t].src);
        free((void *)c->gscr[t].in);
        free(c->gscr[t].w);
    }
    free(c->gscr);
    free(c->bstart);
    free(c->bsrc);
    free(c->bw);
}

void omp__gather_block(omp_ctx *c, int b, int j, int nlo, int nhi, omp_gather_scratch *g)
{
    const smx_plan *p = c->p;
    int nt = p->nt, ns = 0, a = p->nz, z1 = -1;
    for (int e = c->bstart[b]; e < c->bstart[b + 1]; e++) { /* the sources that hold weight */
        int i = c->bsrc[e];
        if (i < c->lo || i > c->hi || c->sums[(size_t)i * nt + j] == 0) continue;
        if (ns == 0 || g->src[ns - 1] != i) omp__rows_union(c, i, j, &a, &z1);
        g->src[ns] = i;
        memcpy(g->w + (size_t)ns * OMP_KB, c->bw + (size_t)e * OMP_KB, OMP_KB * sizeof(float));
        ns++;
    }
    size_t q0 = a <= z1 ? (size_t)a * p->nx : 0, q1 = a <= z1 ? (size_t)(z1 + 1) * p->nx : 0;
    int k0 = b * OMP_KB;
    for (int k = k0; k < k0 + OMP_KB; k++)
        if (k >= nlo && k <= nhi) omp__clear_out_except(c, k, j, a, z1); /* rows a..z1 are set */
    for (int arr = 0; arr < c->na && ns; arr++) {
        float *o[OMP_KB];
        for (int k = 0; k < OMP_KB; k++)
            o[k] = k0 + k >= nlo && k0 + k <= nhi ? SLAB(c, c->t[arr], k0 + k, j) : NULL;
        for (int s = 0; s < ns; s++) g->in[s] = SLAB(c, c->s[arr], g->src[s], j);
        omp__product(o, g->in, g->w, ns, q0, q1);
    }
    for (int k = k0; k < k0 + OMP_KB; k++)
        if (k >= nlo && k <= nhi) omp__note_out(c, k, j, a, z1);
}
