/* Proton kinematics, scattering power models and the discrete kernels
 * built from them (docs/physics.md). Host side, double precision. */
#ifndef SMX_CORE_PHYSICS_H
#define SMX_CORE_PHYSICS_H

#include "core/material.h"

double smx__pv_MeV(double T_MeV);     /* p*v = (pc)^2 / (T + mc^2) */
double smx__beta2(double T_MeV);

/* Energy after a path of `path_cm` in material m (range-energy rule);
 * 0 when the proton stops within it. */
double smx__energy_after(const smx_material *m, double E_MeV, double path_cm);

/* Projected angular variance (rad^2) accumulated by a proton of energy E
 * over `path_cm` (stopping at E_cut_MeV at the latest). p1v1_MeV is the
 * incident pv (differential Moliere only). */
double smx__scatter_variance(smx_scatter_model model, const smx_material *m, double E_MeV,
                             double path_cm, double E_cut_MeV, double p1v1_MeV);

/* Centroid of the energy lost by a proton of energy E over a path of
 * `path_cm`, as a distance from the start (cm). With path beyond the
 * range it is the centroid over the whole remaining range. */
double smx__loss_centroid_cm(const smx_material *m, double E_MeV, double path_cm);

/* Moment-matched symmetric angular kernel for variance s2 in units of
 * bins^2: w[k + kcap] for k = -kcap..kcap, sum 1, mean 0, variance s2
 * (unless s2 exceeds what 2*kcap+1 bins can hold: then uniform).
 * Returns the half width actually used (<= kcap). */
int smx__angular_kernel(double s2, int kcap, double *w);

#endif
