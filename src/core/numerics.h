/* Predicted numerical spread of the discretisation for the first beam. */
#ifndef SMX_CORE_NUMERICS_H
#define SMX_CORE_NUMERICS_H

#include "core/plan.h"

/* Fills m->numerical_range_straggling_mm (the range spread that the
 * energy grid's two-bin splits add along the first beam's path; 0 in
 * lockstep) and m->numerical_lateral_sigma_at_range_mm (the lateral
 * spread the streaming scheme adds: the first beam run in (theta, x)
 * alone with the scheme, against the same run with exact positions; 0
 * for centroids, which keep both moments). */
void smx__numerical_spread(const smx_config *cfg, const smx_plan *p, smx_metrics *m);

#endif
