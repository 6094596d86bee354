/* Energy-loss straggling (docs/physics.md, "Energy straggling (Bohr)"): the
 * Bohr variance of a step and the moment-matched discrete kernel that
 * spreads a post-step energy over the energy-bin centres. Host side, double
 * precision. */
#ifndef SMX_CORE_STRAGGLING_H
#define SMX_CORE_STRAGGLING_H

#include "core/material.h"

/* Z/A of the material (mol/g): sum_i w_i Z_i / A_i over its composition.
 * Water: 0.5551. */
double smx__z_over_a(const smx_material *m);

/* Bohr energy-straggling variance (MeV^2) of a step of path_cm starting at
 * energy E in material m:
 *   sigma_E^2 = 0.1569 MeV^2 cm^2/g * (Z/A) * rho * l * (1 - beta^2/2) / (1 - beta^2)
 * with l = min(path_cm, residual range / rho) and beta^2 at the mid-step
 * energy E(R(E) - rho l / 2) (range-energy rule). 0 for path <= 0 or E <= 0. */
double smx__bohr_variance_MeV2(const smx_material *m, double E_MeV, double path_cm);

/* Distributes one proton of mean post-step energy Eprime with variance
 * var_MeV2 over the bin centres Ec[0..ne-1] (strictly increasing, any
 * spacing). Writes *first and w[0..n-1] (w must hold kmax values) for the n
 * consecutive bins first..first+n-1, with
 *   w >= 0, sum w = 1, sum w Ec = Eprime (1e-12 relative),
 *   sum w (Ec - Eprime)^2 = max(var_MeV2, v2) (1e-6 relative),
 * where v2 = f(1-f)(Ec[k+1]-Ec[k])^2 is the variance of the plain two-bin,
 * mean-keeping split between the bracketing centres Ec[k] <= Eprime <= Ec[k+1]
 * (the least variance any non-negative kernel on these centres can have).
 *   - var_MeV2 <= v2: exactly that two-bin split, or the single bin j when
 *     |Eprime - Ec[j]| <= 1e-9 Ec[j] (then the mean is Ec[j]: the caller must
 *     take the deposited energy from sum w Ec, not from Eprime).
 *   - otherwise a moment-matched kernel: the bin-integrated Gaussian on the
 *     bins around Eprime, corrected by the least multiplicative change
 *     w_j (1 + l0 + l1 x_j + l2 x_j^2) that matches the three moments; when a
 *     weight would go negative, an exact three-point kernel.
 * Returns n (1..kmax). When the moments cannot be matched within the grid
 * (near the bottom or top, or with kmax bins) it returns -n with the two-bin
 * split (or one bin) in w: the caller counts the missing variance
 * var_MeV2 - v2. Returns 0 for invalid input: ne < 1, kmax < 2, or Eprime
 * outside [Ec[0], Ec[ne-1]] by more than 1e-9 relative (below Ec[0] the
 * proton is absorbed: the caller's concern). */
int smx__energy_kernel(const double *Ec, int ne, double Eprime, double var_MeV2, int kmax,
                       int *first, double *w);

#endif
