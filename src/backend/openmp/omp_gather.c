/* A_E's gather on the openmp backend, OMP_KB output bins at a time
 * (omp__product_slabs with one medium; with several, omp__product_rows
 * over the bands of rows of one medium). The sources of a block are its
 * outputs' gather lists merged by source bin: an output keeps its own
 * entries in its own order, with weight 0 where it does not take a
 * source. One merged list per medium. */
#include <stdlib.h>
#include <string.h>

#include "backend/openmp/omp_ctx.h"

int omp__gather_build(omp_ctx *c)
{
    const smx_plan *p = c->p;
    int nb = (p->ne + OMP_KB - 1) / OMP_KB, total = c->tab.gstart[(size_t)p->nmat * (p->ne + 1) - 1];
    c->bstart = calloc((size_t)p->nmat * nb + 1, sizeof(int));
    c->bsrc = malloc(((size_t)total + 1) * sizeof(int));
    c->bw = calloc(((size_t)total + 1) * OMP_KB, sizeof(float));
    if (!c->bstart || !c->bsrc || !c->bw) return 0;
    int n = 0;
    for (int m = 0; m < p->nmat; m++) {
        const int *gs = c->tab.gstart + (size_t)m * (p->ne + 1), *src = c->tab.gsrc;
        for (int b = 0; b < nb; b++) {
            int k0 = b * OMP_KB, at[OMP_KB]; /* each output's next entry */
            for (int k = 0; k < OMP_KB; k++) at[k] = k0 + k < p->ne ? gs[k0 + k] : 0;
            c->bstart[m * nb + b] = n;
            for (;;) {
                int i = -1; /* the smallest source left */
                for (int k = 0; k < OMP_KB && k0 + k < p->ne; k++)
                    if (at[k] < gs[k0 + k + 1] && (i < 0 || src[at[k]] < i)) i = src[at[k]];
                if (i < 0) break;
                /* an output takes a source once or twice (the post-step
                 * kernel, then the secondaries): as many merged entries as
                 * the most */
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
    }
    c->bstart[(size_t)p->nmat * nb] = n;
    return 1;
}

void omp__gather_free(omp_ctx *c)
{
    free(c->bstart);
    free(c->bsrc);
    free(c->bw);
}

int omp__gather_sources(const omp_ctx *c, int m, int b, int j, omp_product_scratch *g, int *box)
{
    int nt = c->p->nt, nb = (c->p->ne + OMP_KB - 1) / OMP_KB, ns = 0;
    if (box) omp__box_empty(c, box);
    for (int e = c->bstart[m * nb + b]; e < c->bstart[m * nb + b + 1]; e++) {
        int i = c->bsrc[e];
        if (i < c->lo || i > c->hi || c->sums[(size_t)i * nt + j] == 0) continue;
        if (box && (ns == 0 || g->src[ns - 1] != i * nt + j)) omp__box_union(c, i, j, box);
        g->src[ns] = i * nt + j;
        memcpy(g->w + (size_t)ns * OMP_KB, c->bw + (size_t)e * OMP_KB, OMP_KB * sizeof(float));
        ns++;
    }
    return ns;
}

void omp__gather_block(omp_ctx *c, int b, int j, int nlo, int nhi, omp_product_scratch *g)
{
    int nt = c->p->nt, box[4], out[OMP_KB];
    int ns = omp__gather_sources(c, 0, b, j, g, box);
    for (int m = 0; m < OMP_KB; m++) {
        int k = b * OMP_KB + m;
        out[m] = k >= nlo && k <= nhi ? k * nt + j : -1;
    }
    /* plain stores: with its few sources a block, counting the outputs
     * as they are streamed out cost more than the reads it saved */
    omp__product_slabs(c, out, ns, box, 0, g);
}
