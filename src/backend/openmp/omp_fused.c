/* A_theta then A_stream in one pass on the openmp backend (one medium,
 * shift and deposit): each block of A_theta's outputs is made in the
 * thread's scratch, counted, and streamed from there at once, so that
 * A_theta's output never goes to memory and comes back. Every sum is
 * formed as the two operators form it alone, so the bits are the same. */
#include <string.h>

#include "backend/openmp/omp_ctx.h"

/* Output slab (i, j) set to rows r0..r1 of the slab `in`, unstreamed. */
static void keep_slab(omp_ctx *c, int i, int j, const float *in, int r0, int r1)
{
    size_t nx = (size_t)c->p->nx, n = r0 <= r1 ? (size_t)(r1 - r0 + 1) * nx : 0;
    omp__clear_out_except(c, i, j, r0, r1);
    memcpy(SLAB(c, c->t[OMP_PSI], i, j) + r0 * nx, in + r0 * nx, n * sizeof(float));
    omp__note_out(c, i, j, r0, r1);
}

void omp__scatter_stream(omp_ctx *c, int v, smx_op_acct *at, smx_op_acct *as, double *part_s)
{
    double *mid = c->msums;
    const smx_plan *p = c->p;
    int nt = p->nt, nx = p->nx, lo = c->lo, nb = (nt + OMP_KB - 1) / OMP_KB, rows = (c->hi - lo + 1) * nb;
    size_t ker = 2 * (size_t)p->kmax + 1, S = c->slab;
    int s0, s1; /* the state's window */
    omp__win_rows(c, c->zs, &s0, &s1);
    omp__scatter_leak(c, v, at);
    double t_theta = 0, t_stream = 0;
#pragma omp parallel num_threads(c->threads) reduction(+ : t_theta, t_stream)
    {
        omp_product_scratch *g = &c->gscr[omp_get_thread_num()];
        float *tb = c->scratch + (size_t)omp_get_thread_num() * OMP_SCRATCH * S;
#pragma omp for schedule(dynamic, nb)
        for (int r = 0; r < rows; r++) {
            double t0 = omp_get_wtime();
            int i = lo + r / nb, j0 = (r % nb) * OMP_KB, out[OMP_KB], box[4];
            int ns = omp__scatter_sources(c, i, j0, c->tab.kw + ((size_t)v * p->ne + i) * ker + p->kmax,
                                          p->k_half[v * p->ne + i], g, out, box);
            float *o[OMP_KB];
            for (int m = 0; m < OMP_KB; m++) o[m] = out[m] >= 0 ? tb + m * S : NULL;
            int a = box[0], b = box[1], any = ns > 0 && a <= b;
            if (any) { /* the sources' window holds zeros after row b */
                for (int s = 0; s < ns; s++) g->in[s] = c->s[OMP_PSI] + (size_t)g->src[s] * c->stride;
                omp__product_box(o, NULL, g->in, g->w, ns, nx, box, (size_t)s1 * nx < S ? (size_t)s1 * nx : S);
            }
            double t1 = omp_get_wtime();
            for (int m = 0; m < OMP_KB; m++) {
                if (out[m] < 0) continue;
                int j = j0 + m, ob[4] = {0, -1, 0, -1}, r0, r1;
                double sw = 0;
                if (any) omp__count(c, o[m], a, b, 0, nx - 1, &sw, ob);
                r0 = sw != 0 ? ob[0] : 0, r1 = sw != 0 ? ob[1] : -1;
                mid[out[m]] = sw;
                double *leak = c->leak + (size_t)out[m] * SMX_EDGE_COUNT;
                if (p->theta_rejected[j]) { /* the core stops it after the pair, unstreamed */
                    memset(leak, 0, SMX_EDGE_COUNT * sizeof(double));
                    keep_slab(c, i, j, o[m], r0, r1);
                } else
                    omp__stream_slab(c, i, j, o[m], r0, r1, leak);
            }
            t_theta += t1 - t0;
            t_stream += omp_get_wtime() - t1;
        }
#ifdef __AVX__
        if (c->stream_out) _mm_sfence(); /* the streamed stores before the barrier */
#endif
    }
    omp__sum_leaks(c, as);
    part_s[0] = t_theta;
    part_s[1] = t_stream;
}
