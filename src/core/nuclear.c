/* Non-elastic nuclear interactions of protons (docs/physics.md, "Nuclear
 * interactions (non-elastic removal)").
 *
 * Elemental cross sections: the parameterisation of
 *   H.P. Wellisch and D. Axen, "Total reaction cross section calculations in
 *   proton-nucleus scattering", Phys. Rev. C 54 (1996) 1329-1332,
 * in the form Geant4 implements it as the "Axen-Wellisch" data set,
 * G4ProtonInelasticCrossSection::GetCrossSection(E, A, Z), file
 *   source/processes/hadronic/cross_sections/src/G4ProtonInelasticCrossSection.cc
 * of the public repository Geant4/geant4 (version read: commit
 * 191b35a57cfc9aa77527de871ce245f9dba062aa). It is written here from the
 * formula (same constants, including the exponents 0.3333 of that file):
 *
 *   E in GeV (held at 19.8 GeV above 19.9 GeV), N = A - Z,
 *   sigma_0 = 1e31 * pi r^2 * ln(N) * (1 + A^0.3333 - b0 (1 - A^-0.3333))   [mb]
 *             r = 1.36e-15 m, b0 = 2.247 - 0.915 (1 - A^-0.3333), ln N -> 1 if N <= 1
 *   sigma_1 = sigma_0 (1 - 0.15 e^-E) / (1 - 0.0007 A)          (high-energy part)
 *   sigma_2 = sigma_1 (1 + f3 (1 - 1/(1 + exp(-8 f1 (lg E + 1.37 f2)))))
 *             f1 = 0.70 - 0.002 A, f2 = 1 + 1/A, f3 = 0.8 + 18/A - 0.002 A
 *                                                               (rise at medium E)
 *   sigma   = sigma_2 * g,  g = 1/(1 + exp(-8 h1 (lg E + 2 h2)))
 *             h1 = 1 - 1/A - 0.001 A, h2 = 1.17 - 2.7/A - 0.0014 A
 *                                                               (return to 0 at low E)
 *
 * Threshold: g never reaches 0. We use g' = max(0, (g - 0.01)/0.99), so the
 * cross section goes to 0 continuously at the energy where the source's own
 * turn-off factor g is 1% (O-16: 2.62 MeV, C-12: 3.23 MeV, N-14: 2.92 MeV,
 * close to the Coulomb barriers) and is exactly 0 below. Above ~10 MeV g' and
 * g differ by < 1% of sigma, above 30 MeV by < 1e-4 relative.
 *
 * Hydrogen: p + p has no non-elastic channel below the pion-production
 * threshold (~280 MeV lab); its cross section is set to 0. The engine works
 * at <= 250-300 MeV, so no p-p pion production is modelled at all (above
 * 280 MeV this underestimates the water cross section by the small p-p
 * inelastic cross section, a few mb per H atom).
 *
 * Mass number of an element: its atomic weight (elements.csv) rounded, as
 * Geant4 does with G4lrint(element->GetN()) when no isotope vector is given.
 *
 * Energy split of a removed proton: T. Bortfeld, "An analytical approximation
 * of the Bragg curve for therapeutic proton beams", Med. Phys. 24 (1997)
 * 2024-2033, uses gamma = 0.6, "the fraction of locally absorbed energy
 * released in nonelastic nuclear interactions" (the remaining 0.4 is carried
 * away by neutrons and gamma rays). The value is taken as quoted in the public
 * repository libamtrack/library, src/AT_BortfeldModel.c (commit
 * 8a2b0d106d7948c7c03c109d16712f1a2f37a1e2: "const double gamma = 0.6;
 * fraction of locally absorbed energy released in non-elastic nuclear
 * interactions"; the paper is cited in include/AT_BortfeldModel.h, commit
 * 3b09a4eff88e3fe40ca9a05afa9fafb4f01820af). It is energy independent in
 * that model, and so here. The "local" part includes the secondary protons,
 * which this engine does not transport. */
#include <math.h>

#include "core/nuclear.h"
#include "core/util.h"

#define NUC_AVOGADRO 6.02214076e23 /* 1/mol, CODATA 2018 (exact) */
#define NUC_MB_CM2 1e-27           /* 1 mb in cm^2 */
#define NUC_NO_THRESHOLD 1e30      /* "no non-elastic channel" */
#define NUC_GMIN 0.01              /* turn-off factor at which sigma is set to 0 */

/* Coefficients of the low-energy turn-off factor g (see the header comment). */
static void turnoff_coeffs(int A, double *h1, double *h2)
{
    double a = A;
    *h1 = 1.0 - 1.0 / a - 0.001 * a;
    *h2 = 1.17 - 2.7 / a - 0.0014 * a;
}

double smx__nuclear_element_threshold_MeV(int Z, int A)
{
    if (Z <= 1 || A <= 1) return NUC_NO_THRESHOLD;
    double h1, h2;
    turnoff_coeffs(A, &h1, &h2);
    /* g = 1/(1 + exp(-8 h1 (lg E + 2 h2))) = GMIN  <=>
     * lg E = -2 h2 - ln(1/GMIN - 1) / (8 h1)      (E in GeV) */
    double lgE = -2.0 * h2 - log(1.0 / NUC_GMIN - 1.0) / (8.0 * h1);
    return 1000.0 * pow(10.0, lgE);
}

double smx__nuclear_sigma_element_mb(int Z, int A, double E_MeV)
{
    if (Z <= 1 || A <= 1 || !(E_MeV > 0)) return 0.0; /* hydrogen: no channel */
    double E = E_MeV / 1000.0;                         /* GeV */
    if (E > 19.9) E = 19.8;                            /* constant above ~20 GeV */
    double a = A, lgE = log10(E);
    int N = A - Z;

    double h1, h2;
    turnoff_coeffs(A, &h1, &h2);
    double g = 1.0 / (1.0 + exp(-8.0 * h1 * (lgE + 2.0 * h2)));
    g = (g - NUC_GMIN) / (1.0 - NUC_GMIN);
    if (g <= 0) return 0.0;

    const double r = 1.36e-15; /* m, nucleon radius of the source */
    double geo = 3.14159265 * r * r; /* the source's value of pi */
    double am = pow(a, -0.3333), ap = pow(a, 0.3333);
    double b0 = 2.247 - 0.915 * (1.0 - am);
    double lnN = N > 1 ? log((double)N) : 1.0;
    double sigma = 1e31 * geo * lnN * (1.0 + ap - b0 * (1.0 - am)); /* mb */

    sigma *= (1.0 - 0.15 * exp(-E)) / (1.0 - 0.0007 * a);

    double f1 = 0.70 - 0.002 * a, f2 = 1.0 + 1.0 / a, f3 = 0.8 + 18.0 / a - 0.002 * a;
    double rise = 1.0 - 1.0 / (1.0 + exp(-8.0 * f1 * (lgE + 1.37 * f2)));
    sigma *= 1.0 + f3 * rise;

    return sigma * g;
}

static int mass_number(double A_g_mol) { return (int)lround(A_g_mol); }

double smx__nuclear_threshold_MeV(const smx_material *m)
{
    double t = NUC_NO_THRESHOLD;
    for (int i = 0; i < m->nelem; i++) {
        if (m->elem_w[i] <= 0) continue;
        double ti = smx__nuclear_element_threshold_MeV(m->elem_Z[i], mass_number(m->elem_A[i]));
        if (ti < t) t = ti;
    }
    return t;
}

double smx__nuclear_sigma_cm2_g(const smx_material *m, double E_MeV)
{
    double sum = 0; /* sum_i w_i sigma_i / A_i, mb mol/g */
    for (int i = 0; i < m->nelem; i++) {
        if (m->elem_w[i] <= 0 || m->elem_A[i] <= 0) continue;
        double s = smx__nuclear_sigma_element_mb(m->elem_Z[i], mass_number(m->elem_A[i]), E_MeV);
        sum += m->elem_w[i] * s / m->elem_A[i];
    }
    return NUC_AVOGADRO * NUC_MB_CM2 * sum;
}

/* 8-point Gauss-Legendre on [-1, 1]. */
static const double GL8_X[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                                0.9602898564975363};
static const double GL8_W[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                0.1012285362903763};

/* int sigma/rho(E(R)) dR over [R_lo, R_hi] (g/cm^2): composite 8-point
 * Gauss-Legendre in ln R, pieces of at most 0.05 in ln R. E(R) is the exact
 * inverse of the range table, so the path is the engine's CSDA path. */
static double removal_integral(const smx_material *m, double R_lo, double R_hi)
{
    if (!(R_hi > R_lo) || !(R_lo > 0)) return 0.0;
    double u0 = log(R_lo), u1 = log(R_hi);
    int n = (int)ceil((u1 - u0) / 0.05);
    if (n < 1) n = 1;
    double h = (u1 - u0) / n, sum = 0;
    for (int p = 0; p < n; p++) {
        double c = u0 + (p + 0.5) * h, half = 0.5 * h;
        for (int q = 0; q < 4; q++) {
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                double u = c + sgn * half * GL8_X[q];
                double R = exp(u);
                double E = smx__energy_at_range(m, R);
                sum += GL8_W[q] * half * smx__nuclear_sigma_cm2_g(m, E) * R; /* dR = R du */
            }
        }
    }
    return sum;
}

double smx__nuclear_survival(const smx_material *m, double E_MeV, double path_cm)
{
    if (!(path_cm > 0) || !(E_MeV > 0)) return 1.0;
    double Eth = smx__nuclear_threshold_MeV(m);
    if (E_MeV <= Eth) return 1.0;
    double R0 = smx__csda_range(m, E_MeV);
    double R1 = R0 - m->density_g_cm3 * path_cm; /* residual range after the step */
    double Rth = smx__csda_range(m, Eth);         /* sigma = 0 below */
    double lo = R1 > Rth ? R1 : Rth;
    if (lo >= R0) return 1.0;
    return exp(-removal_integral(m, lo, R0));
}

double smx__nuclear_local_fraction(double E_MeV)
{
    (void)E_MeV;
    return 0.6; /* Bortfeld 1997, Med. Phys. 24:2024 (gamma); see the header comment */
}
