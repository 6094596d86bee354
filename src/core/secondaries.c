/* Secondaries of non-elastic proton-nucleus interactions.
 *
 * Model: the cascade of M. Fippel and M. Soukup, "A Monte Carlo dose
 * calculation algorithm for proton therapy", Med. Phys. 31 (2004) 2263
 * (VMCpro), which MCsquare also follows, with the parameters of its public
 * implementation in MGHPhysicsResearch/moquimc, moqui/base/mqi_po_inelastic.hpp
 * (commit 4bb3d86f..., class po_inelastic_tabulated::post_step). A removed
 * proton of kinetic energy Ek leaves Er = Ek to a cascade; while
 * Er - Eb > Emin (Eb the binding energy, 5 MeV, times 0.65 after each
 * emission; Emin = 2 MeV): Er -= Eb (the binding energy leaves as
 * gamma rays), an emission takes dE = u^a (Er - Emin) + Emin (u uniform
 * in [0, 1]) from Er, and is a secondary proton with probability P2, a
 * long-range neutral (neutron, gamma; leaves) with probability P_long - P2,
 * else a short-range fragment (deuteron, alpha, recoil) deposited locally.
 * What is left when the cascade stops is deposited locally. A secondary
 * proton of energy dE leaves at a polar angle with cos(theta) uniform in
 * [2 dE/Ek - 1, 1]. Parameters by Ek (MeV): a = 0.52, P2 = 0.70,
 * P_long = P2 + 0.83 (1 - P2) up to 150; 0.45, 0.72, 0.83 to 200; 0.40,
 * 0.78, 0.90 to 215; 0.40, 0.78, 1.0 above.
 *
 * Here the cascade's expectations are computed, not sampled: the
 * remaining energy and the energies of the emitted protons are carried as
 * distributions on a 0.25 MeV grid (split linearly between grid points, so
 * energy is kept), u and cos(theta) by 48- and 16-point midpoint rules.
 *
 * How a secondary proton enters the 2D state: it is put back into psi in
 * its parent's direction bin, as the forward proton that deposits the same
 * energy over the same depth: its range along z is R(dE) cos(theta), so it
 * enters at the energy E_eff of that range (in the medium where it is
 * made) with weight dE / E_eff, split between the two bin centres around
 * E_eff with the energy kept. Its lateral spread (the nuclear halo) is not
 * modelled. Those reaching less than half a depth cell, or going backward,
 * are deposited locally.
 *
 * Proton-proton elastic scattering (on the material's hydrogen): the cross
 * section of Fippel & Soukup 2004 as coded in moquimc mqi_pp_elastic.hpp,
 * sigma/rho = 0.315 E^-1.126 + 3.78e-6 E cm2/g of water (E in MeV,
 * 10 < E < 300), scaled by the hydrogen mass fraction; the energy transfer
 * is uniform (isotropic in the centre of mass) and, non-relativistically,
 * the scattered proton keeps E (1 - u) at cos^2 = 1 - u, the recoil E u at
 * cos^2 = u. Both are put back into psi as above. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/secondaries.h"

#define SEC_EB0_MEV 5.0
#define SEC_EB_RATIO 0.65
#define SEC_EMIN_MEV 2.0
#define SEC_GRID_MEV 0.25
#define SEC_NU 48
#define SEC_NCOS 16
#define SEC_WATER_H 0.111894 /* hydrogen mass fraction of water (compositions.csv) */

typedef struct cascade_par {
    double a, p2, plong;
} cascade_par;

static cascade_par params(double Ek)
{
    if (Ek > 215) return (cascade_par){0.40, 0.78, 0.78 + 0.22 * 1.0};
    if (Ek > 200) return (cascade_par){0.40, 0.78, 0.78 + 0.22 * 0.9};
    if (Ek > 150) return (cascade_par){0.45, 0.72, 0.72 + 0.28 * 0.83};
    return (cascade_par){0.52, 0.70, 0.70 + 0.30 * 0.83};
}

/* Puts weight q of protons of energy e leaving at cos(theta) = cth into
 * sec_w as the forward protons of the same depth reach and energy, or into
 * *local what cannot be carried. */
static void emit_one(const smx_material *m, double e, double cth, double q, const double *Ec,
                     int ne, double dz_cm, double *sec_w, double *local)
{
    double rho = m->density_g_cm3, Rz = smx__csda_range(m, e) * cth; /* g/cm2 along z */
    double Eeff = cth > 0 && Rz / rho >= 0.5 * dz_cm ? smx__energy_at_range(m, Rz) : 0;
    if (Eeff < Ec[0]) {
        *local += q * e;
        return;
    }
    if (Eeff >= Ec[ne - 1]) {
        sec_w[ne - 1] += q * e / Ec[ne - 1];
        return;
    }
    double f = q * e / Eeff; /* weight carrying the energy q e */
    int b = 0;
    while (b < ne - 2 && Ec[b + 1] < Eeff) b++;
    double t = (Eeff - Ec[b]) / (Ec[b + 1] - Ec[b]);
    sec_w[b] += f * (1 - t);
    sec_w[b + 1] += f * t;
}

/* Weight q of cascade protons of energy e from a parent of energy Ek:
 * cos(theta) uniform in [2 e/Ek - 1, 1]. */
static void emit_protons(const smx_material *m, double Ek, double e, double q, const double *Ec,
                         int ne, double dz_cm, double *sec_w, double *local)
{
    double eps = e < Ek ? e / Ek : 1;
    for (int k = 0; k < SEC_NCOS; k++)
        emit_one(m, e, (2 * eps - 1) + 2 * (1 - eps) * (k + 0.5) / SEC_NCOS, q / SEC_NCOS, Ec, ne,
                 dz_cm, sec_w, local);
}

double smx__pp_elastic_cm2_g(const smx_material *m, double E)
{
    if (E <= 10 || E >= 300) return 0;
    double wH = 0;
    for (int k = 0; k < m->nelem; k++)
        if (m->elem_Z[k] == 1) wH += m->elem_w[k];
    return (0.315 * pow(E, -1.126) + 3.78e-6 * E) * wH / SEC_WATER_H;
}

void smx__pp_elastic_yield(const smx_material *m, double E, const double *Ec, int ne, double dz_cm,
                           double *sec_w, double *local)
{
    memset(sec_w, 0, ne * sizeof(double));
    *local = 0;
    for (int k = 0; k < SEC_NU; k++) {
        double u = (k + 0.5) / SEC_NU; /* energy transfer to the recoil */
        emit_one(m, E * (1 - u), sqrt(1 - u), 1.0 / SEC_NU, Ec, ne, dz_cm, sec_w, local);
        emit_one(m, E * u, sqrt(u), 1.0 / SEC_NU, Ec, ne, dz_cm, sec_w, local);
    }
}

void smx__secondary_yield(const smx_material *m, double E, const double *Ec, int ne, double dz_cm,
                          double *sec_w, double *local, double *escape)
{
    memset(sec_w, 0, ne * sizeof(double));
    *local = *escape = 0;
    cascade_par cp = params(E);
    int n = (int)ceil(E / SEC_GRID_MEV) + 2;
    double *mass = calloc(n, sizeof(double)), *next = calloc(n, sizeof(double));
    double *prot = calloc(n, sizeof(double)); /* emitted protons per grid energy */
    if (!mass || !next || !prot) { /* no memory for the cascade: everything local */
        free(mass);
        free(next);
        free(prot);
        *local = E;
        return;
    }
    /* the remaining energy Er = j * grid holds mass[j] */
    int j0 = (int)floor(E / SEC_GRID_MEV);
    double f0 = E / SEC_GRID_MEV - j0;
    mass[j0] += 1 - f0;
    if (j0 + 1 < n) mass[j0 + 1] += f0;
    double eb = SEC_EB0_MEV;
    for (int it = 0; it < 1000; it++) {
        int any = 0;
        memset(next, 0, n * sizeof(double));
        for (int j = 0; j < n; j++) {
            double P = mass[j], Er = j * SEC_GRID_MEV;
            if (P == 0) continue;
            if (Er - eb <= SEC_EMIN_MEV) { /* the cascade stops: the rest is local */
                *local += P * Er;
                continue;
            }
            any = 1;
            double Er1 = Er - eb;
            *escape += P * eb;
            for (int k = 0; k < SEC_NU; k++) {
                double u = (k + 0.5) / SEC_NU, q = P / SEC_NU;
                double dE = pow(u, cp.a) * (Er1 - SEC_EMIN_MEV) + SEC_EMIN_MEV;
                if (dE > Er1) dE = Er1;
                double Er2 = (Er1 - dE) / SEC_GRID_MEV;
                int a = (int)floor(Er2);
                double fa = Er2 - a;
                /* the grid is linear: the split keeps the mean of Er2 */
                next[a] += q * (1 - fa);
                if (fa > 0) next[a + 1] += q * fa;
                *escape += q * (cp.plong - cp.p2) * dE;
                *local += q * (1 - cp.plong) * dE;
                double g = dE / SEC_GRID_MEV;
                int b = (int)floor(g);
                prot[b] += q * cp.p2 * (1 - (g - b));
                if (g > b) prot[b + 1] += q * cp.p2 * (g - b);
            }
        }
        double *t = mass;
        mass = next;
        next = t;
        eb *= SEC_EB_RATIO;
        if (!any) break;
    }
    for (int j = 1; j < n; j++)
        if (prot[j] > 0) emit_protons(m, E, j * SEC_GRID_MEV, prot[j], Ec, ne, dz_cm, sec_w, local);
    free(mass);
    free(next);
    free(prot);
}
