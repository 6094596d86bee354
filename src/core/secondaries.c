/* Secondaries of non-elastic proton-nucleus interactions.
 *
 * Model: the cascade of M. Fippel and M. Soukup, "A Monte Carlo dose
 * calculation algorithm for proton therapy", Med. Phys. 31 (2004) 2263
 * (VMCpro), with the parameters of its public implementation in
 * MGHPhysicsResearch/moquimc, moqui/base/mqi_po_inelastic.hpp
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
 * are deposited locally (half a cell of water: 0.05 g/cm2 for 1 mm cells).
 *
 * Proton-proton elastic scattering (on the material's hydrogen): the cross
 * section of Fippel & Soukup 2004 as coded in moquimc mqi_pp_elastic.hpp,
 * sigma/rho = 0.315 E^-1.126 + 3.78e-6 E cm2/g of water (E in MeV,
 * 10 < E < 300), scaled by the hydrogen mass fraction; the energy transfer
 * is uniform (isotropic in the centre of mass) and, non-relativistically,
 * the scattered proton keeps E (1 - u) at cos^2 = 1 - u, the recoil E u at
 * cos^2 = u. Both are put back into psi as above.
 *
 * Proton-nucleus elastic scattering (Fippel & Soukup 2004, as coded in
 * moquimc mqi_po_elastic.hpp): sigma/rho = 1.88/E + 4e-5 E - 0.01475 cm2/g
 * of water for 50 <= E < 250 MeV; below 50 MeV a few points of the
 * Geant4-derived table of the same file, linearly joined, down to 5.5 MeV
 * (none below). Other nuclei than oxygen scale per gram as A^(-1/3). The
 * nucleus takes dE, exponential with mean 0.65 e^(-0.0013 E) -
 * 0.71 e^(-0.0177 E) MeV cut at the kinematic maximum, deposited locally;
 * the proton keeps E - dE at the angle the two-body kinematics give
 * (about 15 degrees at 100 MeV) and goes back into psi as above. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/secondaries.h"
#include "core/util.h"

#define SEC_EB0_MEV 5.0
#define SEC_EB_RATIO 0.65
#define SEC_EMIN_MEV 2.0
#define SEC_GRID_MEV 0.25
#define SEC_NU 48
#define SEC_NCOS 16
#define SEC_WATER_H 0.111894 /* hydrogen mass fraction of water (compositions.csv) */
#define SEC_WATER_O 0.888106 /* oxygen mass fraction of water */
#define SEC_WATER_DENSITY 1.0 /* g/cm3 */
#define SEC_O16_MASS_MEV 14895.08 /* O-16 nucleus: 15.9949 u x 931.494 MeV - 8 m_e (AME2020) */
#define SEC_PN_EMIN 5.5      /* below, moquimc absorbs the proton; here no elastic event */

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
    /* reach along z in g/cm2, against half a cell of water: a change of
     * medium does not turn a short-range secondary into a carried one */
    double Rz = smx__csda_range(m, e) * cth;
    double Eeff = cth > 0 && Rz >= 0.5 * dz_cm * SEC_WATER_DENSITY ? smx__energy_at_range(m, Rz) : 0;
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

/* p-nucleus elastic below 50 MeV: points (MeV, cm2/g of water) read off
 * the Geant4-derived table cs_po_e_g4_table of moquimc mqi_po_elastic.hpp
 * (0.5 MeV steps, in 0.01 cm2/g), joined to the Fippel-Soukup fit at 50. */
static const double po_low[][2] = {{5.5, 0.0304}, {10.5, 0.0345}, {18, 0.0375}, {22.5, 0.0370}};

double smx__pn_elastic_cm2_g(const smx_material *m, double E)
{
    if (E < SEC_PN_EMIN || E >= 250) return 0;
    double s;
    if (E >= 50) {
        s = 1.88 / E + 4.0e-5 * E - 0.01475;
    } else {
        int n = sizeof po_low / sizeof po_low[0], k = 0;
        double x1 = 50, y1 = 1.88 / 50 + 4.0e-5 * 50 - 0.01475;
        while (k < n - 1 && po_low[k + 1][0] <= E) k++;
        double x0 = po_low[k][0], y0 = po_low[k][1];
        if (k < n - 1) x1 = po_low[k + 1][0], y1 = po_low[k + 1][1];
        s = y0 + (y1 - y0) * (E - x0) / (x1 - x0);
    }
    /* other nuclei than oxygen: per gram as A^(-1/3) (geometric cross
     * section per nucleus ~ A^(2/3)) */
    double f = 0;
    for (int k = 0; k < m->nelem; k++)
        if (m->elem_Z[k] > 1) f += m->elem_w[k] * cbrt(16.0 / m->elem_A[k]);
    return s > 0 ? s * f / SEC_WATER_O : 0;
}

void smx__pn_elastic_yield(const smx_material *m, double E, const double *Ec, int ne, double dz_cm,
                           double *sec_w, double *local)
{
    memset(sec_w, 0, ne * sizeof(double));
    *local = 0;
    double Mp = SMX_PROTON_MASS_MEV, Mo = SEC_O16_MASS_MEV, r = Mo / Mp;
    double gam = 1 + E / Mp, bg2 = E * (E + 2 * Mp) / (Mp * Mp);
    double tmax = 2 * Mo * bg2 / (1 + 2 * gam * r + r * r);
    double tavg = 0.65 * exp(-0.0013 * E) - 0.71 * exp(-0.0177 * E);
    if (tavg <= 0) tavg = 1e-3;
    double cdf_max = 1 - exp(-tmax / tavg), E1 = E * (E + 2 * Mp);
    for (int k = 0; k < SEC_NU; k++) { /* dE: exponential, mean tavg, cut at tmax */
        double dE = -tavg * log(1 - cdf_max * (k + 0.5) / SEC_NU), q = 1.0 / SEC_NU;
        double E3 = (E - dE) * (E - dE + 2 * Mp);
        double cth = (E1 + E3 - dE * (dE + 2 * Mo)) / (2 * sqrt(E1 * E3));
        *local += q * dE; /* the recoiling nucleus */
        emit_one(m, E - dE, cth > 1 ? 1 : cth, q, Ec, ne, dz_cm, sec_w, local);
    }
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

smx_status smx__cascade(double E, smx_cascade *c)
{
    memset(c, 0, sizeof *c);
    c->E = E;
    cascade_par cp = params(E);
    int n = (int)ceil(E / SEC_GRID_MEV) + 2;
    double *mass = calloc(n, sizeof(double)), *next = calloc(n, sizeof(double));
    c->prot = calloc(n, sizeof(double));
    c->n = n;
    if (!mass || !next || !c->prot) {
        free(mass);
        free(next);
        free(c->prot);
        c->prot = NULL;
        return SMX_ENOMEM;
    }
    /* the remaining energy Er = j * grid holds mass[j] */
    int j0 = (int)floor(E / SEC_GRID_MEV);
    double f0 = E / SEC_GRID_MEV - j0;
    mass[j0] += 1 - f0;
    if (j0 + 1 < n) mass[j0 + 1] += f0;
    double eb = SEC_EB0_MEV, ua[SEC_NU]; /* u^a at the rule's points */
    for (int k = 0; k < SEC_NU; k++) ua[k] = pow((k + 0.5) / SEC_NU, cp.a);
    for (int it = 0; it < 1000; it++) {
        int any = 0;
        memset(next, 0, n * sizeof(double));
        for (int j = 0; j < n; j++) {
            double P = mass[j], Er = j * SEC_GRID_MEV;
            if (P == 0) continue;
            if (Er - eb <= SEC_EMIN_MEV) { /* the cascade stops: the rest is local */
                c->local += P * Er;
                continue;
            }
            any = 1;
            double Er1 = Er - eb;
            c->escape += P * eb;
            for (int k = 0; k < SEC_NU; k++) {
                double q = P / SEC_NU, dE = ua[k] * (Er1 - SEC_EMIN_MEV) + SEC_EMIN_MEV;
                if (dE > Er1) dE = Er1;
                double Er2 = (Er1 - dE) / SEC_GRID_MEV;
                int a = (int)floor(Er2);
                double fa = Er2 - a;
                /* the grid is linear: the split keeps the mean of Er2 */
                next[a] += q * (1 - fa);
                if (fa > 0) next[a + 1] += q * fa;
                c->escape += q * (cp.plong - cp.p2) * dE;
                c->local += q * (1 - cp.plong) * dE;
                double g = dE / SEC_GRID_MEV;
                int b = (int)floor(g);
                c->prot[b] += q * cp.p2 * (1 - (g - b));
                if (g > b) c->prot[b + 1] += q * cp.p2 * (g - b);
            }
        }
        double *t = mass;
        mass = next;
        next = t;
        eb *= SEC_EB_RATIO;
        if (!any) break;
    }
    free(mass);
    free(next);
    return SMX_OK;
}

void smx__cascade_free(smx_cascade *c)
{
    free(c->prot);
    memset(c, 0, sizeof *c);
}

void smx__cascade_emit(const smx_material *m, const smx_cascade *c, const double *Ec, int ne,
                       double dz_cm, double *sec_w, double *local, double *escape)
{
    memset(sec_w, 0, ne * sizeof(double));
    *local = c->local;
    *escape = c->escape;
    for (int j = 1; j < c->n; j++)
        if (c->prot[j] > 0)
            emit_protons(m, c->E, j * SEC_GRID_MEV, c->prot[j], Ec, ne, dz_cm, sec_w, local);
}

void smx__secondary_yield(const smx_material *m, double E, const double *Ec, int ne, double dz_cm,
                          double *sec_w, double *local, double *escape)
{
    smx_cascade c;
    if (smx__cascade(E, &c) != SMX_OK) { /* no memory for the cascade: everything local */
        memset(sec_w, 0, ne * sizeof(double));
        *local = E;
        *escape = 0;
        return;
    }
    smx__cascade_emit(m, &c, Ec, ne, dz_cm, sec_w, local, escape);
    smx__cascade_free(&c);
}
