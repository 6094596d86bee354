/* The active ranges: per energy bin the box of cells that may hold
 * weight, box[4k .. 4k + 3] = first row, last row, first column, last
 * column (first row > last row: none), and the rules by which an
 * operator's output boxes follow from its input's. The step loop
 * (schedule.c) takes each bin's box from the backend at a step's start and
 * hands every operator the boxes its output can hold, decided here once
 * for every backend: the device backends launch over them, openmp sizes
 * its output window by their rows. The rules give a superset: a bin's box
 * can only shrink further. */
#ifndef SMX_CORE_BOXES_H
#define SMX_CORE_BOXES_H

#include "core/plan.h"
#include "core/util.h"

#define SMX_BOX 4 /* ints per box */

/* An empty box, on a grid of nz rows and nx columns. */
static inline void smx__box_empty(int *b, int nz, int nx)
{
    b[0] = nz, b[1] = -1, b[2] = nx, b[3] = -1;
}

/* Widens b to hold box s (empty: nothing). */
static inline void smx__box_union(int *b, const int *s)
{
    if (s[0] > s[1]) return;
    if (b[0] > b[1]) {
        for (int k = 0; k < SMX_BOX; k++) b[k] = s[k];
        return;
    }
    b[0] = s[0] < b[0] ? s[0] : b[0], b[1] = s[1] > b[1] ? s[1] : b[1];
    b[2] = s[2] < b[2] ? s[2] : b[2], b[3] = s[3] > b[3] ? s[3] : b[3];
}

/* dst = src moved by d[0] at its first row, d[1] at its last, d[2] at its
 * first column and d[3] at its last, clamped to the nz x nx grid. */
static inline void smx__box_shift(int nz, int nx, int *dst, const int *src, const int *d)
{
    smx__box_empty(dst, nz, nx);
    if (src[0] > src[1]) return;
    dst[0] = smx__clampi(src[0] + d[0], 0, nz - 1), dst[1] = smx__clampi(src[1] + d[1], 0, nz - 1);
    dst[2] = smx__clampi(src[2] + d[2], 0, nx - 1), dst[3] = smx__clampi(src[3] + d[3], 0, nx - 1);
}

/* The shifts of A_stream's pieces, over every theta bin: a cell (z, x)
 * moves to rows z + d[0] .. z + d[1] and columns x + d[2] .. x + d[3]. */
void smx__stream_shift(const smx_plan *p, int d[4]);

/* The boxes each output bin of operator op can hold (out, bins [olo,
 * ohi]) from those of its input (in, bins [lo, hi]): A_theta keeps a
 * bin's box, A_stream moves it by smx__stream_shift, A_E gives an output
 * bin the union of its sources' (every medium's post-step kernel and
 * secondaries, as smx__ae_gather lists them). */
void smx__boxes_after_op(const smx_plan *p, int op, int lo, int hi, int olo, int ohi, const int *in,
                         int *out);

#endif
