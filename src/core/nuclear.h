/* Non-elastic nuclear interactions of protons (docs/physics.md, "Nuclear
 * interactions (non-elastic removal)"): removal cross section, survival over
 * a step and the local/escaping split of the energy of a removed proton.
 * Host side, double precision.
 * Sources and formulas: nuclear.c and docs/physics.md. */
#ifndef SMX_CORE_NUCLEAR_H
#define SMX_CORE_NUCLEAR_H

#include "core/material.h"

/* Non-elastic (reaction) cross section of one nucleus (Z, mass number A)
 * for a proton of kinetic energy E, in millibarn. Wellisch & Axen 1996
 * parameterisation; 0 for hydrogen (no non-elastic channel below the pion
 * threshold) and below the element's threshold (smx__nuclear_threshold_MeV). */
double smx__nuclear_sigma_element_mb(int Z, int A, double E_MeV);

/* Energy (MeV) below which the element's cross section is exactly 0
 * (where the source's own low-energy turn-off factor has fallen to 1%:
 * O-16 2.6 MeV, C-12 3.2 MeV, about the Coulomb barrier). Returns a very
 * large value for hydrogen. */
double smx__nuclear_element_threshold_MeV(int Z, int A);

/* Lowest element threshold of the material (MeV); a very large value when
 * the material has no element with a non-elastic channel. */
double smx__nuclear_threshold_MeV(const smx_material *m);

/* Macroscopic non-elastic removal cross section per unit mass (cm^2/g):
 * sigma/rho = N_A sum_i w_i sigma_i(E) / A_i over the material's elements.
 * The removal rate per cm of path is rho * sigma/rho. Water at 150 MeV:
 * 0.00943 cm^2/g (0.94 % per cm). */
double smx__nuclear_sigma_cm2_g(const smx_material *m, double E_MeV);

/* Probability that a proton starting with energy E survives (is not
 * removed by a non-elastic interaction) over a path of path_cm:
 * exp(-int rho sigma ds) along the CSDA path (range-energy rule). The
 * integral stops where the proton stops (or falls below the threshold).
 * 1 for path_cm <= 0. */
double smx__nuclear_survival(const smx_material *m, double E_MeV, double path_cm);

/* Fraction of a removed proton's kinetic energy that is deposited locally
 * (the rest escapes: neutrons, gammas). Constant 0.6 (Bortfeld 1997). */
double smx__nuclear_local_fraction(double E_MeV);

#endif
