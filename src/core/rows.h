/* Occupied rows per energy bin, rows[2k] .. rows[2k + 1] (first > last:
 * none), and the rules by which an operator's output rows follow from
 * its input's. They are written once, here, for every backend that does
 * not count its rows after each operator: the device backends between two
 * reads of the device's count (src/backend/common/dev_ops.c), openmp for
 * the window its output needs (it counts each slab's rows after writing
 * it). The rules give a superset: a bin's rows can only shrink further. */
#ifndef SMX_CORE_ROWS_H
#define SMX_CORE_ROWS_H

#include "core/dev_tables.h"
#include "core/util.h"

/* Widens r to hold rows [a, b] (a > b: nothing). */
static inline void smx__rows_union(int *r, int a, int b)
{
    if (a > b) return;
    if (r[0] > r[1]) r[0] = a, r[1] = b;
    else r[0] = a < r[0] ? a : r[0], r[1] = b > r[1] ? b : r[1];
}

/* dst = src moved by d0 at its first row and d1 at its last, clamped to
 * the grid's nz rows. */
static inline void smx__rows_shift(int nz, int *dst, const int *src, int d0, int d1)
{
    dst[0] = nz, dst[1] = -1;
    if (src[0] <= src[1]) dst[0] = smx__clampi(src[0] + d0, 0, nz - 1), dst[1] = smx__clampi(src[1] + d1, 0, nz - 1);
}

/* The rows each output bin of operator op can hold (out, bins [olo, ohi])
 * from those of its input (in, bins [lo, hi]): A_theta keeps a bin's rows,
 * A_stream moves them by the streaming table's z shifts, A_E gives an
 * output bin the union of its sources' (every medium's gather list). */
void smx__rows_after_op(const smx_plan *p, const smx_dev_tables *t, int op, int lo, int hi, int olo,
                        int ohi, const int *in, int *out);

#endif
