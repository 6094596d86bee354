/* Physics models of docs/physics.md, evaluated on the host in double precision. */
#include <math.h>
#include <string.h>

#include "core/physics.h"
#include "core/util.h"

double smx__pv_MeV(double T)
{
    double mc2 = SMX_PROTON_MASS_MEV;
    return T * (T + 2 * mc2) / (T + mc2);
}

double smx__beta2(double T)
{
    double mc2 = SMX_PROTON_MASS_MEV;
    return T * (T + 2 * mc2) / ((T + mc2) * (T + mc2));
}

double smx__energy_after(const smx_material *m, double E, double path_cm)
{
    double R = smx__csda_range(m, E) - m->density_g_cm3 * path_cm;
    return R > 0 ? smx__energy_at_range(m, R) : 0.0;
}

/* 32-point Gauss-Legendre on [0, 1] (nodes/weights computed once per call
 * by Newton iteration: cheap, and no global state). */
#define GL_N 32
static void gauss_legendre(double *x, double *w)
{
    for (int i = 0; i < GL_N; i++) {
        double z = cos(SMX_PI * (i + 0.75) / (GL_N + 0.5)), pp = 0;
        for (int it = 0; it < 100; it++) {
            double p1 = 1, p2 = 0;
            for (int j = 1; j <= GL_N; j++) {
                double p3 = p2;
                p2 = p1;
                p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
            }
            pp = GL_N * (z * p1 - p2) / (z * z - 1);
            double dz = p1 / pp;
            z -= dz;
            if (fabs(dz) < 1e-15) break;
        }
        x[i] = 0.5 * (1 - z);
        w[i] = 1.0 / ((1 - z * z) * pp * pp);
    }
}

/* Scattering power T(E) in rad^2 per cm (docs/physics.md, "Multiple Coulomb
 * scattering (A_theta)"). */
static double scattering_power(smx_scatter_model model, const smx_material *m, double E,
                               double p1v1)
{
    double pv = smx__pv_MeV(E);
    double es = 15.0 / pv;
    if (model == SMX_SCATTER_FERMI_ROSSI) return es * es * m->density_g_cm3 / m->X0_g_cm2;
    /* differential Moliere, Gottschalk 2010 (Med. Phys. 37:352) */
    double r = pv / p1v1;
    double u = 1.0 - r * r;
    if (u < 1e-6) u = 1e-6; /* the log singularity at the entrance is integrable */
    double lu = log10(u), lpv = log10(pv);
    double f = 0.5244 + 0.1975 * lu + 0.2320 * lpv - 0.0098 * lpv * lu;
    if (f < 0) f = 0;
    return f * es * es * m->density_g_cm3 / m->XS_g_cm2;
}

double smx__scatter_variance(smx_scatter_model model, const smx_material *m, double E,
                             double path_cm, double E_cut, double p1v1)
{
    if (model == SMX_SCATTER_NONE || path_cm <= 0) return 0;
    double rho = m->density_g_cm3;
    double room = (smx__csda_range(m, E) - smx__csda_range(m, E_cut)) / rho;
    double l = path_cm < room ? path_cm : room;
    if (l <= 0) return 0;
    if (model == SMX_SCATTER_HIGHLAND_STEP) {
        /* PDG Highland formula per step, L = rho * l */
        double t = rho * l / m->X0_g_cm2;
        double th = 13.6 / smx__pv_MeV(E) * sqrt(t) * (1 + 0.038 * log(t));
        return th > 0 ? th * th : 0;
    }
    double x[GL_N], w[GL_N], sum = 0, R0 = smx__csda_range(m, E);
    gauss_legendre(x, w);
    for (int i = 0; i < GL_N; i++) {
        double Es = smx__energy_at_range(m, R0 - rho * l * x[i]);
        sum += w[i] * scattering_power(model, m, Es, p1v1);
    }
    return sum * l;
}

double smx__loss_centroid_cm(const smx_material *m, double E, double path_cm)
{
    double rho = m->density_g_cm3, R0 = smx__csda_range(m, E);
    double l = path_cm, El = smx__energy_after(m, E, path_cm);
    if (El <= 0) l = R0 / rho;
    if (l <= 0 || E - El <= 0) return 0.5 * path_cm;
    /* s_bar = int_0^l (E(s) - E(l)) ds / (E(0) - E(l))  (integration by parts) */
    double x[GL_N], w[GL_N], sum = 0;
    gauss_legendre(x, w);
    for (int i = 0; i < GL_N; i++)
        sum += w[i] * (smx__energy_at_range(m, R0 - rho * l * x[i]) - El);
    return sum * l / (E - El);
}

/* Variance (bins^2) of the Gaussian of width sig integrated over unit bins
 * k = -K..K and normalised; fills w when non-NULL. */
static double binned_gaussian(double sig, int K, double *w)
{
    double norm = 0, var = 0;
    for (int k = -K; k <= K; k++) {
        double a = (k - 0.5) / (sig * sqrt(2.0)), b = (k + 0.5) / (sig * sqrt(2.0));
        double p = 0.5 * (erf(b) - erf(a));
        if (w) w[k + K] = p;
        norm += p;
        var += p * k * k;
    }
    if (w)
        for (int k = 0; k < 2 * K + 1; k++) w[k] /= norm;
    return var / norm;
}

int smx__angular_kernel(double s2, int kcap, double *w)
{
    memset(w, 0, sizeof(double) * (2 * kcap + 1));
    if (s2 <= 0 || kcap < 1) {
        w[kcap] = 1;
        return 0;
    }
    if (s2 < 0.5) { /* three-point (p, 1-2p, p), p = s2/2 */
        double p = 0.5 * s2;
        w[kcap - 1] = p;
        w[kcap] = 1 - 2 * p;
        w[kcap + 1] = p;
        return 1;
    }
    double Kd = ceil(6.0 * sqrt(s2)) + 2; /* capped before it becomes an int */
    int K = Kd > kcap ? kcap : (int)Kd;
    double vmax = K * (K + 1) / 3.0; /* uniform over 2K+1 bins */
    double tmp[2 * kcap + 1];
    if (s2 >= vmax * (1 - 1e-9)) {
        for (int k = -K; k <= K; k++) w[kcap + k] = 1.0 / (2 * K + 1);
        return K;
    }
    /* bisection on the Gaussian width so that the binned variance is s2 */
    double lo = 1e-3, hi = sqrt(s2) + 1;
    while (binned_gaussian(hi, K, NULL) < s2 && hi < 1e6) hi *= 2;
    for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (binned_gaussian(mid, K, NULL) < s2) lo = mid; else hi = mid;
    }
    binned_gaussian(0.5 * (lo + hi), K, tmp);
    for (int k = -K; k <= K; k++) w[kcap + k] = tmp[k + K];
    return K;
}
