/* Depth-dose metrics (docs/physics.md, 'Dose'). */
#include <math.h>
#include <stdlib.h>

#include "core/metrics.h"

void smx__idd(const double *edep, int nz, int nx, double dz_mm, double *idd)
{
    for (int z = 0; z < nz; z++) {
        double s = 0;
        for (int x = 0; x < nx; x++) s += edep[(size_t)z * nx + x];
        idd[z] = s / dz_mm;
    }
}

/* Depth beyond the maximum where the IDD falls to `level` of it, linear
 * between cell centres. */
static double distal_depth(const double *idd, int nz, double dz, int imax, double level)
{
    double target = level * idd[imax];
    for (int z = imax; z + 1 < nz; z++)
        if (idd[z] >= target && idd[z + 1] < target) {
            double t = (idd[z] - target) / (idd[z] - idd[z + 1]);
            return (z + 0.5 + t) * dz;
        }
    return NAN;
}

double smx__lateral_sigma(const double *edep, int nz, int nx, double dz, double dx,
                          const double *x_mm, double d)
{
    double u = d / dz - 0.5;
    int z0 = (int)floor(u);
    if (z0 < 0 || z0 + 1 >= nz) return NAN;
    double t = u - z0, s0 = 0, s1 = 0, s2 = 0;
    for (int x = 0; x < nx; x++) {
        double v = (1 - t) * edep[(size_t)z0 * nx + x] + t * edep[(size_t)(z0 + 1) * nx + x];
        s0 += v;
        s1 += v * x_mm[x];
    }
    if (s0 <= 0) return NAN;
    double mean = s1 / s0;
    for (int x = 0; x < nx; x++) {
        double v = (1 - t) * edep[(size_t)z0 * nx + x] + t * edep[(size_t)(z0 + 1) * nx + x];
        s2 += v * (x_mm[x] - mean) * (x_mm[x] - mean);
    }
    double var = s2 / s0 - dx * dx / 12.0;
    return var > 0 ? sqrt(var) : 0.0;
}

void smx__depth_metrics(const double *edep, const double *idd, int nz, int nx, double dz,
                        double dx, const double *x_mm, smx_metrics *m)
{
    int imax = 0;
    for (int z = 1; z < nz; z++)
        if (idd[z] > idd[imax]) imax = z;
    m->r80_mm = m->r90_mm = m->r20_mm = m->peak_depth_mm = NAN;
    m->peak_to_entrance = m->entrance_idd = m->distal_80_20_mm = NAN;
    m->lateral_sigma_at_r80_mm = NAN;
    if (!(idd[imax] > 0)) return;
    m->r80_mm = distal_depth(idd, nz, dz, imax, 0.8);
    m->r90_mm = distal_depth(idd, nz, dz, imax, 0.9);
    m->r20_mm = distal_depth(idd, nz, dz, imax, 0.2);
    m->distal_80_20_mm = m->r20_mm - m->r80_mm;
    /* parabola through the maximum and its neighbours */
    m->peak_depth_mm = (imax + 0.5) * dz;
    if (imax > 0 && imax + 1 < nz) {
        double a = idd[imax - 1], b = idd[imax], c = idd[imax + 1];
        double den = a - 2 * b + c;
        if (den < 0) m->peak_depth_mm += 0.5 * (a - c) / den * dz;
    }
    /* entrance: mean IDD over [0, 2 mm], cells weighted by their overlap */
    double num = 0, len = 0;
    for (int z = 0; z < nz && z * dz < 2.0; z++) {
        double o = fmin((z + 1) * dz, 2.0) - z * dz;
        num += idd[z] * o;
        len += o;
    }
    m->entrance_idd = len > 0 ? num / len : NAN;
    m->peak_to_entrance = idd[imax] / m->entrance_idd;
    if (isfinite(m->r80_mm))
        m->lateral_sigma_at_r80_mm = smx__lateral_sigma(edep, nz, nx, dz, dx, x_mm, m->r80_mm);
}
