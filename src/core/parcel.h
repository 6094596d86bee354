/* The parcel of the centroid streaming scheme, along one axis: a uniform
 * box at its centroid X (cells, cell k centred at k) with its own
 * variance v (width sqrt(12 v) <= 1 cell). Shared by the reference
 * backend and the host-side numerics; the openmp backend has the same
 * split in branch-free form (omp_stream.c). */
#ifndef SMX_CORE_PARCEL_H
#define SMX_CORE_PARCEL_H

#include <math.h>

/* Splits the box between the cells it overlaps: returns the piece count
 * (1..3) and per piece its cell, its fraction of the weight (the centroid
 * cell takes 1 - the others, so the weight is kept exactly), its centroid
 * offset from its cell centre and its second moment (offset^2 + its own
 * variance). */
static inline int smx__parcel_pieces(double X, double v, int *cell, double *frac, double *off,
                                     double *sec)
{
    double len = sqrt(12.0 * v);
    int c0 = (int)floor(X + 0.5);
    double d = X - c0, lo = d - 0.5 * len, hi = d + 0.5 * len;
    double l_lo = lo < -0.5 ? -0.5 - lo : 0, l_hi = hi > 0.5 ? hi - 0.5 : 0;
    int n = 0;
    if (l_lo > 0) {
        double o = 0.5 * (lo + -0.5) + 1;
        cell[n] = c0 - 1, frac[n] = l_lo / len, off[n] = o, sec[n] = o * o + l_lo * l_lo / 12.0;
        n++;
    }
    if (l_hi > 0) {
        double o = 0.5 * (0.5 + hi) - 1;
        cell[n] = c0 + 1, frac[n] = l_hi / len, off[n] = o, sec[n] = o * o + l_hi * l_hi / 12.0;
        n++;
    }
    double a = lo > -0.5 ? lo : -0.5, b = hi < 0.5 ? hi : 0.5, l = b - a, o = 0.5 * (a + b);
    double rest = 1;
    for (int k = 0; k < n; k++) rest -= frac[k];
    cell[n] = c0, frac[n] = rest, off[n] = o, sec[n] = o * o + l * l / 12.0;
    return n + 1;
}

#endif
