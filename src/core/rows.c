/* The rules of an operator's output rows (see rows.h). */
#include <string.h>

#include "core/rows.h"

void smx__rows_after_op(const smx_plan *p, const smx_dev_tables *t, int op, int lo, int hi, int olo,
                        int ohi, const int *in, int *out)
{
    if (op == SMX_OP_SCATTER) {
        if (hi >= lo) memcpy(out + 2 * lo, in + 2 * lo, 2 * sizeof(int) * (hi - lo + 1));
        return;
    }
    if (op == SMX_OP_STREAM) {
        for (int k = lo; k <= hi; k++) smx__rows_shift(p->nz, out + 2 * k, in + 2 * k, t->stream_dz[0], t->stream_dz[1]);
        return;
    }
    for (int k = olo; k <= ohi; k++) out[2 * k] = p->nz, out[2 * k + 1] = -1;
    for (int m = 0; m < p->nmat; m++)
        for (int k = olo; k <= ohi; k++) {
            const int *gs = t->gstart + (size_t)m * (p->ne + 1);
            for (int g = gs[k]; g < gs[k + 1]; g++) {
                int i = t->gsrc[g];
                if (i >= lo && i <= hi) smx__rows_union(out + 2 * k, in[2 * i], in[2 * i + 1]);
            }
        }
}
