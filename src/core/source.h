/* Injection of the beams at the surface z = 0 into the first row of cells
 * (docs/physics.md, the half-cell conventions: the weight placed at the centre of the
 * first cell has already travelled dz/2 and deposited that energy). */
#ifndef SMX_CORE_SOURCE_H
#define SMX_CORE_SOURCE_H

#include "core/backend.h"

/* Fills the state (zeroed by the caller, canonical layout, float64, its
 * first s->rows rows (1 is enough: the beam enters in row 0); with
 * centroids the beam keeps its exact lateral position as a moment), adds the
 * entrance deposit to edep [nz][nx], and the source figures to acct.
 * Weight is normalised to 1 over all beams. e_lo/e_hi: occupied bins. */
smx_status smx__source_inject(const smx_config *cfg, const smx_plan *p, smx_host_state *s,
                              double *edep, smx_accounting *acct, int *e_lo, int *e_hi,
                              char *err, size_t errlen);

#endif
