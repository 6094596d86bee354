/* Resampling of dose grids in a beam's frame (bilinear between cell
 * centres), the IDD along a beam, a lateral profile across it, and the
 * gamma index (global dose criterion). */
#include <math.h>
#include <stdlib.h>

#include "validate/vint.h"

double vx_bilinear(const vrun *r, const double *f, double x, double z)
{
    if (x < r->x_min || x > r->x_min + r->nx * r->dx || z < 0 || z > r->nz * r->dz) return 0;
    double u = (x - r->x_min) / r->dx - 0.5, w = z / r->dz - 0.5;
    u = fmin(fmax(u, 0), r->nx - 1);
    w = fmin(fmax(w, 0), r->nz - 1);
    int i = (int)floor(u), k = (int)floor(w);
    if (i > r->nx - 2) i = r->nx > 1 ? r->nx - 2 : 0;
    if (k > r->nz - 2) k = r->nz > 1 ? r->nz - 2 : 0;
    double a = u - i, b = w - k;
    int i1 = r->nx > 1 ? i + 1 : i, k1 = r->nz > 1 ? k + 1 : k;
    const double *r0 = f + (size_t)k * r->nx, *r1 = f + (size_t)k1 * r->nx;
    return (1 - b) * ((1 - a) * r0[i] + a * r0[i1]) + b * ((1 - a) * r1[i] + a * r1[i1]);
}

void vx_frame_point(const vframe *f, double u, double v, double *x, double *z)
{
    double s = sin(f->theta), c = cos(f->theta);
    *x = f->x0 + u * s + v * c;
    *z = u * c - v * s;
}

void vx_beam_idd(const vrun *r, const vframe *f, double du, int nu, double vmax, double dv,
                 double *idd)
{
    int nv = (int)lround(2 * vmax / dv) + 1;
    double area = r->dx * r->dz;
    for (int k = 0; k < nu; k++) {
        double s = 0, x, z;
        for (int m = 0; m < nv; m++) {
            vx_frame_point(f, k * du, -vmax + m * dv, &x, &z);
            s += vx_bilinear(r, r->edep, x, z);
        }
        idd[k] = s * dv / area;
    }
}

double vx_r80_sampled(const double *idd, int n, double du)
{
    int imax = 0;
    for (int k = 1; k < n; k++)
        if (idd[k] > idd[imax]) imax = k;
    double t80 = 0.8 * idd[imax];
    for (int k = imax; k + 1 < n; k++)
        if (idd[k] >= t80 && idd[k + 1] < t80)
            return (k + (idd[k] - t80) / (idd[k] - idd[k + 1])) * du;
    return NAN;
}

double vx_beam_sigma(const vrun *r, const double *f, const vframe *fr, double u, double vmax,
                     double dv, int nv, double var_sub, double *prof)
{
    double s0 = 0, s1 = 0, s2 = 0, x, z;
    for (int m = 0; m < nv; m++) {
        double v = -vmax + m * dv;
        vx_frame_point(fr, u, v, &x, &z);
        double d = vx_bilinear(r, f, x, z);
        if (prof) prof[m] = d;
        s0 += d, s1 += d * v, s2 += d * v * v;
    }
    if (!(s0 > 0)) return NAN;
    double var = s2 / s0 - (s1 / s0) * (s1 / s0) - var_sub;
    return var > 0 ? sqrt(var) : 0;
}

double vx_gamma_pass(const vrun *ref, const double *refv, vx_field_fn eval, const void *user,
                     double dose_frac, double dta, double cut, double fine, double radius,
                     int *npoints)
{
    size_t cells = (size_t)ref->nx * ref->nz;
    double dmax = 0;
    for (size_t q = 0; q < cells; q++) dmax = fmax(dmax, refv[q]);
    int R = (int)ceil(radius / fine), tested = 0, passed = 0;
    double dd = dose_frac * dmax;
    for (int iz = 0; iz < ref->nz; iz++)
        for (int ix = 0; ix < ref->nx; ix++) {
            double dr = refv[(size_t)iz * ref->nx + ix];
            if (!(dr >= cut * dmax) || dmax <= 0) continue;
            double x = ref->x_mm[ix], z = ref->z_mm[iz], best = INFINITY;
            tested++;
            for (int a = -R; a <= R && best > 1; a++)
                for (int b = -R; b <= R && best > 1; b++) {
                    double ox = a * fine, oz = b * fine, r2 = ox * ox + oz * oz;
                    if (r2 > radius * radius) continue;
                    double de = eval(user, x + ox, z + oz) - dr;
                    double g2 = r2 / (dta * dta) + de * de / (dd * dd);
                    if (g2 < best) best = g2;
                }
            passed += best <= 1;
        }
    *npoints = tested;
    return tested ? (double)passed / tested : NAN;
}

/* 1D gamma pass rate of the IDD `ev` (cell centres z, n cells) against
 * the reference `ref` on the same cells, both normalised to their
 * maxima; the evaluated curve is linear between centres. */
double vx_idd_gamma(const double *z, const double *ref, const double *ev, int n, int *npts)
{
    double rmax = 0, emax = 0;
    for (int k = 0; k < n; k++) rmax = fmax(rmax, ref[k]), emax = fmax(emax, ev[k]);
    int pass = 0, tot = 0;
    for (int k = 0; k < n; k++) {
        double r = ref[k] / rmax;
        if (r < 0.1) continue;
        tot++;
        double best = INFINITY;
        for (double d = -1.0; d <= 1.0 + 1e-9; d += 0.01) {
            double zz = z[k] + d, t = (zz - z[0]) / (z[1] - z[0]);
            int a = (int)floor(t);
            if (a < 0 || a >= n - 1) continue;
            double v = (ev[a] + (t - a) * (ev[a + 1] - ev[a])) / emax;
            double g = (v - r) * (v - r) / (0.02 * 0.02) + d * d;
            if (g < best) best = g;
        }
        pass += best <= 1;
    }
    *npts = tot;
    return tot ? 100.0 * pass / tot : NAN;
}
