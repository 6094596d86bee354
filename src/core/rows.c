/* The rules of an operator's output rows (see rows.h). */
#include <math.h>
#include <string.h>

#include "core/rows.h"

void smx__stream_dz(const smx_plan *p, int dz[2])
{
    dz[0] = p->nz, dz[1] = -p->nz;
    for (int j = 0; j < p->nt; j++) { /* a piece's box starts floor(sz - 1/2) rows down and spans 3 */
        int b = (int)floor(p->sz0[j] + p->sfz[j] - 0.5);
        if (b < dz[0]) dz[0] = b;
        if (b + 2 > dz[1]) dz[1] = b + 2;
    }
}

void smx__rows_after_op(const smx_plan *p, int op, int lo, int hi, int olo, int ohi, const int *in,
                        int *out)
{
    if (op == SMX_OP_SCATTER) {
        if (hi >= lo) memcpy(out + 2 * lo, in + 2 * lo, 2 * sizeof(int) * (hi - lo + 1));
        return;
    }
    if (op == SMX_OP_STREAM) {
        int dz[2];
        smx__stream_dz(p, dz);
        for (int k = lo; k <= hi; k++) smx__rows_shift(p->nz, out + 2 * k, in + 2 * k, dz[0], dz[1]);
        return;
    }
    for (int k = olo; k <= ohi; k++) out[2 * k] = p->nz, out[2 * k + 1] = -1;
    for (int m = 0; m < p->nmat; m++)
        for (int i = lo; i <= hi; i++) {
            size_t mi = (size_t)m * p->ne + i;
            for (int t = 0; p->e_first[mi] >= 0 && t < p->e_count[mi]; t++) {
                int k = p->e_first[mi] + t;
                if (k >= olo && k <= ohi && p->e_w[mi * SMX_EK_MAX + t] > 0)
                    smx__rows_union(out + 2 * k, in[2 * i], in[2 * i + 1]);
            }
            for (int s = p->s_off[mi]; s < p->s_off[mi + 1]; s++) {
                int k = p->s_bin[s];
                if (k >= olo && k <= ohi && p->s_w[s] > 0) smx__rows_union(out + 2 * k, in[2 * i], in[2 * i + 1]);
            }
        }
}
