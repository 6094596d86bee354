/* Predicted numerical spread of the discretisation for the first beam. */
#ifndef SMX_CORE_NUMERICS_H
#define SMX_CORE_NUMERICS_H

#include "core/plan.h"

/* Fills m->numerical_range_straggling_mm (the range variance that the
 * two-bin energy splits add along the mean path; 0 in lockstep) and
 * m->numerical_lateral_sigma_at_range_mm (the f(1-f) dx^2 per step of
 * shift-and-deposit, averaged over the beam's angular distribution as the
 * scattering model grows it). */
void smx__numerical_spread(const smx_config *cfg, const smx_plan *p, smx_metrics *m);

#endif
