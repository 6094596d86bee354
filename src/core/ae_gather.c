/* A_E as a gather, for the backends that write each output bin once from
 * its sources (openmp with one medium, opencl), and the created weight a
 * float32 backend accounts for. Built from the plan's tables. */
#include <stdlib.h>

#include "core/plan.h"

size_t smx__ae_gather_cap(const smx_plan *p)
{
    size_t cap = (size_t)SMX_EK_MAX * p->ne; /* S and W entries apart: their sum */
    for (int m = 0; m < p->nmat; m++) {
        size_t n = p->s_off[(size_t)(m + 1) * p->ne] - p->s_off[(size_t)m * p->ne];
        if ((size_t)SMX_EK_MAX * p->ne + n > cap) cap = (size_t)SMX_EK_MAX * p->ne + n;
    }
    return cap;
}

int smx__ae_gather(const smx_plan *p, int m, int *gstart, int *gsrc, double *gw)
{
    int ne = p->ne, n = 0;
    /* W[k][i] (post-step kernel) and S[k][i] (secondaries), kept apart so
     * that a float32 backend rounds each table weight on its own */
    double *W = calloc(2 * (size_t)ne * ne, sizeof(double)), *S = W + (size_t)ne * ne;
    if (!W) return -1;
    for (int i = 0; i < ne; i++) {
        size_t mi = (size_t)m * ne + i;
        for (int t = 0; p->e_first[mi] >= 0 && t < p->e_count[mi]; t++)
            W[(size_t)(p->e_first[mi] + t) * ne + i] = p->e_w[mi * SMX_EK_MAX + t];
        for (int s = p->s_off[mi]; s < p->s_off[mi + 1]; s++) S[(size_t)p->s_bin[s] * ne + i] = p->s_w[s];
    }
    for (int k = 0; k < ne; k++) {
        gstart[k] = n;
        for (int i = 0; i < ne; i++) {
            if (W[(size_t)k * ne + i] > 0) gsrc[n] = i, gw[n++] = W[(size_t)k * ne + i];
            if (S[(size_t)k * ne + i] > 0) gsrc[n] = i, gw[n++] = S[(size_t)k * ne + i];
        }
    }
    gstart[ne] = n;
    free(W);
    return n;
}

double smx__created_weight_f32(const smx_plan *p, size_t mi)
{
    if (!p->s_weight) return 0;
    double kept = 0;
    for (int t = 0; p->e_first[mi] >= 0 && t < p->e_count[mi]; t++)
        kept += (float)p->e_w[mi * SMX_EK_MAX + t];
    for (int s = p->s_off[mi]; s < p->s_off[mi + 1]; s++) kept += (float)p->s_w[s];
    return kept - (p->e_survive[mi] - p->e_absorbed[mi]);
}
