/* Secondary particles of non-elastic proton-nucleus interactions
 * (transport.secondaries: transport). Host side, double precision; the
 * model, its parameters and sources: secondaries.c and docs/physics.md. */
#ifndef SMX_CORE_SECONDARIES_H
#define SMX_CORE_SECONDARIES_H

#include "core/material.h"

/* Where the kinetic energy of one removed proton of energy E goes, as
 * expectations over the cascade of Fippel & Soukup 2004 (deterministic
 * quadrature, see secondaries.c):
 *   sec_w[k]   weight put back on energy-bin centre Ec[k] (k < ne) as
 *              forward-carried secondary protons; sum_k sec_w[k] Ec[k] is
 *              the energy they carry;
 *   *local     MeV deposited where the interaction happens (deuterons,
 *              alphas, recoils, the cascade's rest, and secondary protons
 *              too short or too backward to be carried);
 *   *escape    MeV that leaves (neutrons, gamma rays, binding energy).
 * The three add up to E (to rounding). dz_cm: the depth cell; a secondary
 * reaching less than half of it along z is deposited locally. */
void smx__secondary_yield(const smx_material *m, double E_MeV, const double *Ec, int ne,
                          double dz_cm, double *sec_w, double *local, double *escape);

/* The same in two parts: the cascade of a removed proton of energy E,
 * which does not depend on the medium (the energies of its protons on a
 * 0.25 MeV grid, its local and escaping energy), and where its protons go
 * in medium m. A plan computes the first once per energy bin. */
typedef struct smx_cascade {
    double E, local, escape;
    double *prot; /* [n] weight of protons emitted at energy j * 0.25 MeV */
    int n;
} smx_cascade;
smx_status smx__cascade(double E_MeV, smx_cascade *c);
void smx__cascade_free(smx_cascade *c);
void smx__cascade_emit(const smx_material *m, const smx_cascade *c, const double *Ec, int ne,
                       double dz_cm, double *sec_w, double *local, double *escape);

/* Proton-proton elastic scattering: cross section per unit mass (cm2/g)
 * on the material's hydrogen, and where the two outgoing protons of one
 * event at energy E go (sec_w as above; *local what cannot be carried). */
double smx__pp_elastic_cm2_g(const smx_material *m, double E_MeV);
void smx__pp_elastic_yield(const smx_material *m, double E_MeV, const double *Ec, int ne,
                           double dz_cm, double *sec_w, double *local);

/* Proton-nucleus (Z > 1) elastic scattering: cross section per unit
 * mass (cm2/g) and where the scattered proton goes (the nucleus's recoil
 * energy is local). */
double smx__pn_elastic_cm2_g(const smx_material *m, double E_MeV);
void smx__pn_elastic_yield(const smx_material *m, double E_MeV, const double *Ec, int ne,
                           double dz_cm, double *sec_w, double *local);

#endif
