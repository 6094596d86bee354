/* A_theta on the openmp backend. */
#include <string.h>

#include "backend/openmp/omp_ctx.h"

/* One medium: out[j'] = sum_k w_k in[j' - k], row by row (a gather). */
static void scatter_uniform(omp_ctx *c, int v, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt, lo = c->lo, rows = (c->hi - lo + 1) * nt;
    size_t ker = 2 * (size_t)p->kmax + 1;
    double leak_w = 0, leak_e = 0;
    for (int i = lo; i <= c->hi && !p->full_circle; i++)
        for (int j = 0; j < nt; j++) {
            double l = c->tab.kleak[((size_t)v * p->ne + i) * nt + j] * c->sums[(size_t)i * nt + j];
            leak_w += l;
            leak_e += l * p->e_center_MeV[i];
        }
#pragma omp parallel for num_threads(c->threads) schedule(dynamic, OMP_CHUNK)
        for (int r = 0; r < rows; r++) {
            int i = lo + r / nt, jo = r % nt;
            int K = p->k_half[v * p->ne + i], a = p->nz, b = -1;
            const float *w = c->tab.kw + ((size_t)v * p->ne + i) * ker + p->kmax;
            for (int k = -K; k <= K; k++) { /* rows that can receive weight */
                int js = jo - k;
                if (p->full_circle) js = ((js % nt) + nt) % nt;
                else if (js < 0 || js >= nt) continue;
                omp__rows_union(c, i, js, &a, &b);
            }
            size_t q0 = a <= b ? (size_t)a * p->nx : 0, q1 = a <= b ? (size_t)(b + 1) * p->nx : 0;
            omp__clear_out_except(c, i, jo, a, b); /* rows a..b: the first source sets them */
            for (int arr = 0; arr < c->na; arr++) {
                float *o = SLAB(c, c->t[arr], i, jo);
                int first = 1;
                for (int k = -K; k <= K && a <= b; k++) {
                    int js = jo - k;
                    if (p->full_circle) js = ((js % nt) + nt) % nt;
                    else if (js < 0 || js >= nt) continue;
                    if (c->sums[(size_t)i * nt + js] == 0) continue;
                    omp__axpy(o, w[k], SLAB(c, c->s[arr], i, js), q0, q1, first);
                    first = 0;
                }
            }
            omp__note_out(c, i, jo, a, b);
        }
    a->w_leak[SMX_EDGE_THETA] = leak_w;
    a->e_leak[SMX_EDGE_THETA] = leak_e;
}

/* Several media: the kernel depends on each cell's medium; one thread
 * owns an energy bin and scatters within it, cell by cell. */
static void scatter_media(omp_ctx *c, int v, smx_op_acct *a)
{
    const smx_plan *p = c->p;
    int nt = p->nt;
    size_t ker = 2 * (size_t)p->kmax + 1, me = (size_t)p->nmat * p->ne;
    int s0, s1, t0, t1; /* the windows' rows of state and output */
    omp__win_rows(c, c->zs, &s0, &s1);
    omp__win_rows(c, c->zt, &t0, &t1);
    double leak_w = 0, leak_e = 0;
#pragma omp parallel for num_threads(c->threads) schedule(dynamic, 1) reduction(+ : leak_w, leak_e)
        for (int i = c->lo; i <= c->hi; i++) {
            for (int k = 0; k < c->na; k++)
                for (int j = 0; j < nt; j++)
                    memset(SLAB(c, c->t[k], i, j) + (size_t)t0 * p->nx, 0, (size_t)(t1 - t0) * p->nx * sizeof(float));
            double Ei = p->e_center_MeV[i];
            for (int j = 0; j < nt; j++) {
                if (c->sums[(size_t)i * nt + j] == 0) continue;
                for (size_t q = (size_t)s0 * p->nx; q < (size_t)s1 * p->nx; q++) {
                    float w = SLAB(c, c->s[OMP_PSI], i, j)[q];
                    if (w == 0) continue;
                    size_t vmi = v * me + (size_t)p->cell_mat[q] * p->ne + i;
                    int K = p->k_half[vmi];
                    const float *kw = c->tab.kw + vmi * ker + p->kmax;
                    for (int k = -K; k <= K; k++) {
                        int jj = j + k;
                        if (p->full_circle) jj = ((jj % nt) + nt) % nt;
                        else if (jj < 0 || jj >= nt) {
                            leak_w += (double)kw[k] * w;
                            leak_e += (double)kw[k] * w * Ei;
                            continue;
                        }
                        for (int arr = 0; arr < c->na; arr++)
                            SLAB(c, c->t[arr], i, jj)[q] += kw[k] * SLAB(c, c->s[arr], i, j)[q];
                    }
                }
            }
            for (int jo = 0; jo < nt; jo++) omp__note_out(c, i, jo, 0, p->nz - 1);
        }
    a->w_leak[SMX_EDGE_THETA] = leak_w;
    a->e_leak[SMX_EDGE_THETA] = leak_e;
}

void omp__scatter(omp_ctx *c, int variant, smx_op_acct *a)
{
    if (c->p->nmat == 1) scatter_uniform(c, variant, a);
    else scatter_media(c, variant, a);
}
