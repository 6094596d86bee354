/* A_theta on the openmp backend. */
#include <string.h>

#include "backend/openmp/omp_ctx.h"

/* The sources of output theta bins j0 .. j0 + OMP_KB - 1 of energy bin
 * i into g, from the kernel w (centred, half width K): output jo takes
 * in[jo - k] for k = -K..K in that order, so the block's sources run from
 * j0 + OMP_KB - 1 + K down to j0 - K (wrapped on a full circle), each
 * with its weight for every output (0 out of reach). The outputs' slabs
 * go to out (-1: past nt), the box the sources hold to box; returns the
 * number of sources. */
int omp__scatter_sources(const omp_ctx *c, int i, int j0, const float *w, int K, omp_product_scratch *g,
                         int *out, int *box)
{
    const smx_plan *p = c->p;
    int nt = p->nt, ns = 0;
    omp__box_empty(c, box);
    for (int t = j0 + OMP_KB - 1 + K; t >= j0 - K; t--) {
        int js = t;
        if (p->full_circle) js = ((js % nt) + nt) % nt;
        else if (js < 0 || js >= nt) continue;
        if (c->sums[(size_t)i * nt + js] == 0) continue;
        omp__box_union(c, i, js, box);
        g->src[ns] = i * nt + js;
        for (int m = 0; m < OMP_KB; m++) {
            int k = j0 + m - t;
            g->w[(size_t)ns * OMP_KB + m] = k >= -K && k <= K ? w[k] : 0;
        }
        ns++;
    }
    for (int m = 0; m < OMP_KB; m++) out[m] = j0 + m < nt ? i * nt + j0 + m : -1;
    return ns;
}

/* A_theta's leak off a theta window of one medium: each slab's weight
 * times its kernel's share beyond the window (none on a full circle). */
void omp__scatter_leak(const omp_ctx *c, int v, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    double leak_w = 0, leak_e = 0;
    for (int i = c->lo; i <= c->hi && !p->full_circle; i++)
        for (int j = 0; j < p->nt; j++) {
            double l = c->tab.kleak[((size_t)v * p->ne + i) * p->nt + j] * c->sums[(size_t)i * p->nt + j];
            leak_w += l;
            leak_e += l * p->e_center_MeV[i];
        }
    a->w_leak[SMX_EDGE_THETA] = leak_w;
    a->e_leak[SMX_EDGE_THETA] = leak_e;
}

/* One medium: out[j'] = sum_k w_k in[j' - k], OMP_KB outputs at a time
 * (a gather). */
static void scatter_uniform(omp_ctx *c, int v, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, lo = c->lo, nb = (nt + OMP_KB - 1) / OMP_KB, rows = (c->hi - lo + 1) * nb;
    size_t ker = 2 * (size_t)p->kmax + 1;
    omp__scatter_leak(c, v, a);
#pragma omp parallel num_threads(c->threads)
    {
        omp_product_scratch *g = &c->gscr[omp_get_thread_num()];
        /* a thread takes a whole energy bin, its blocks in turn: a block
         * shares 2K of its sources with the one before, still in cache */
#pragma omp for schedule(dynamic, nb)
        for (int r = 0; r < rows; r++) {
            int i = lo + r / nb, out[OMP_KB], box[4];
            int ns = omp__scatter_sources(c, i, (r % nb) * OMP_KB, c->tab.kw + ((size_t)v * p->ne + i) * ker + p->kmax,
                                          p->k_half[v * p->ne + i], g, out, box);
            omp__product_slabs(c, out, ns, box, c->stream_out, g);
        }
    }
}

/* Several media: the kernel depends on each cell's medium; one thread
 * owns an energy bin and scatters within it, each source row's runs of
 * one medium at a time (every output cell receives its sources in the
 * same order as cell by cell), over the source's box: the cells outside
 * hold no weight and give nothing. Taps off a theta window leak, summed
 * cell by cell in the order the cells and taps come. The outputs are
 * cleared where they held weight before and counted over the union of
 * the sources' boxes. */
static void scatter_media(omp_ctx *c, int v, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, nx = p->nx;
    size_t ker = 2 * (size_t)p->kmax + 1, me = (size_t)p->nmat * p->ne;
#pragma omp parallel for num_threads(c->threads) schedule(dynamic, 1)
        for (int i = c->lo; i <= c->hi; i++) {
            double leak_w = 0, leak_e = 0; /* bin i's, kept in c->leak: summed in bin order */
            int all[4];
            omp__box_empty(c, all);
            for (int j = 0; j < nt; j++) omp__clear_out(c, i, j), omp__box_union(c, i, j, all);
            double Ei = p->e_center_MeV[i];
            int K_i = 0; /* the widest kernel of bin i over the media */
            for (int m = 0; m < p->nmat; m++)
                K_i = p->k_half[v * me + (size_t)m * p->ne + i] > K_i ? p->k_half[v * me + (size_t)m * p->ne + i] : K_i;
            for (int j = 0; j < nt; j++) {
                int r0, r1;
                if (!omp__rows(c, i, j, &r0, &r1)) continue;
                const int *box = c->box + 4 * ((size_t)i * nt + j);
                const float *w = SLAB(c, c->s[OMP_PSI], i, j);
                int edge = !p->full_circle && (j - K_i < 0 || j + K_i >= nt);
                for (int z = r0; edge && z <= r1; z++)
                    for (size_t q = (size_t)z * nx + box[2]; q <= (size_t)z * nx + box[3]; q++) {
                        if (w[q] == 0) continue;
                        size_t vmi = v * me + (size_t)p->cell_mat[q] * p->ne + i;
                        const float *kw = c->tab.kw + vmi * ker + p->kmax;
                        int K = p->k_half[vmi];
                        for (int k = -K; k <= K && k < -j; k++) { /* the taps below 0 */
                            leak_w += (double)kw[k] * w[q];
                            leak_e += (double)kw[k] * w[q] * Ei;
                        }
                        for (int k = nt - j > -K ? nt - j : -K; k <= K; k++) { /* past nt */
                            leak_w += (double)kw[k] * w[q];
                            leak_e += (double)kw[k] * w[q] * Ei;
                        }
                    }
                for (int z = r0; z <= r1; z++) {
                    size_t rq = (size_t)z * nx;
                    for (int u = c->run_at[z]; u < c->run_at[z + 1]; u++) {
                        const omp_run *run = &c->runs[u];
                        size_t vmi = v * me + (size_t)run->m * p->ne + i;
                        int K = p->k_half[vmi];
                        int x0, x1;
                        if (!omp__run_in_box(run, box, &x0, &x1)) continue;
                        const float *kw = c->tab.kw + vmi * ker + p->kmax;
                        for (int k = -K; k <= K; k++) {
                            int jj = j + k;
                            if (p->full_circle) jj = ((jj % nt) + nt) % nt;
                            else if (jj < 0 || jj >= nt) continue;
                            for (int arr = 0; arr < c->na; arr++) {
                                const float *in = SLAB(c, c->s[arr], i, j) + rq;
                                float *out = SLAB(c, c->t[arr], i, jj) + rq;
                                float f = kw[k];
#pragma omp simd
                                for (int x = x0; x < x1; x++)
                                    out[x] += w[rq + x] != 0 ? f * in[x] : 0.0f;
                            }
                        }
                    }
                }
            }
            for (int jo = 0; jo < nt; jo++) omp__note_out_cols(c, i, jo, all[0], all[1], all[2], all[3]);
            c->leak[(size_t)i * nt * SMX_EDGE_COUNT] = leak_w;
            c->leak[(size_t)i * nt * SMX_EDGE_COUNT + 1] = leak_e;
        }
    double leak_w = 0, leak_e = 0;
    for (int i = c->lo; i <= c->hi; i++) {
        leak_w += c->leak[(size_t)i * nt * SMX_EDGE_COUNT];
        leak_e += c->leak[(size_t)i * nt * SMX_EDGE_COUNT + 1];
    }
    a->w_leak[SMX_EDGE_THETA] = leak_w;
    a->e_leak[SMX_EDGE_THETA] = leak_e;
}

void omp__scatter(omp_ctx *c, int variant, smx_op_acct *a)
{
    if (c->p->nmat == 1) scatter_uniform(c, variant, a);
    else scatter_media(c, variant, a);
}
