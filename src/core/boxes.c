/* The rules of an operator's output boxes (see boxes.h). */
#include <math.h>
#include <string.h>

#include "core/boxes.h"

void smx__stream_shift(const smx_plan *p, int d[4])
{
    d[0] = p->nz, d[1] = -p->nz, d[2] = p->nx, d[3] = -p->nx;
    for (int j = 0; j < p->nt; j++) { /* a piece's box starts floor(s - 1/2) cells on and spans 3 */
        int bz = (int)floor(p->sz0[j] + p->sfz[j] - 0.5), bx = (int)floor(p->sx0[j] + p->sfx[j] - 0.5);
        d[0] = bz < d[0] ? bz : d[0], d[1] = bz + 2 > d[1] ? bz + 2 : d[1];
        d[2] = bx < d[2] ? bx : d[2], d[3] = bx + 2 > d[3] ? bx + 2 : d[3];
    }
}

void smx__boxes_after_op(const smx_plan *p, int op, int lo, int hi, int olo, int ohi, const int *in,
                         int *out)
{
    if (op == SMX_OP_SCATTER) {
        if (hi >= lo) memcpy(out + SMX_BOX * lo, in + SMX_BOX * lo, SMX_BOX * sizeof(int) * (hi - lo + 1));
        return;
    }
    if (op == SMX_OP_STREAM) {
        int d[4];
        smx__stream_shift(p, d);
        for (int k = lo; k <= hi; k++) smx__box_shift(p->nz, p->nx, out + SMX_BOX * k, in + SMX_BOX * k, d);
        return;
    }
    for (int k = olo; k <= ohi; k++) smx__box_empty(out + SMX_BOX * k, p->nz, p->nx);
    for (int m = 0; m < p->nmat; m++)
        for (int i = lo; i <= hi; i++) {
            size_t mi = (size_t)m * p->ne + i;
            for (int t = 0; p->e_first[mi] >= 0 && t < p->e_count[mi]; t++) {
                int k = p->e_first[mi] + t;
                if (k >= olo && k <= ohi && p->e_w[mi * SMX_EK_MAX + t] > 0)
                    smx__box_union(out + SMX_BOX * k, in + SMX_BOX * i);
            }
            for (int s = p->s_off[mi]; s < p->s_off[mi + 1]; s++) {
                int k = p->s_bin[s];
                if (k >= olo && k <= ohi && p->s_w[s] > 0) smx__box_union(out + SMX_BOX * k, in + SMX_BOX * i);
            }
        }
}
