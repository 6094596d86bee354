/* Occupied rows per energy bin, rows[2k] .. rows[2k + 1] (first > last:
 * none), and the rules by which an operator's output rows follow from
 * its input's. The step loop (schedule.c) takes each bin's rows from the
 * backend at a step's start and hands every operator the rows its output
 * can hold, decided here once for every backend: the device backends
 * launch over them, openmp sizes its output window by them. The rules give
 * a superset: a bin's rows can only shrink further. */
#ifndef SMX_CORE_ROWS_H
#define SMX_CORE_ROWS_H

#include "core/plan.h"
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

/* The z shifts of A_stream's pieces, over every theta bin: a row r moves
 * to rows r + dz[0] .. r + dz[1]. */
void smx__stream_dz(const smx_plan *p, int dz[2]);

/* The rows each output bin of operator op can hold (out, bins [olo, ohi])
 * from those of its input (in, bins [lo, hi]): A_theta keeps a bin's rows,
 * A_stream moves them by smx__stream_dz, A_E gives an output bin the union
 * of its sources' (every medium's post-step kernel and secondaries, as
 * smx__ae_gather lists them). */
void smx__rows_after_op(const smx_plan *p, int op, int lo, int hi, int olo, int ohi, const int *in,
                        int *out);

#endif
