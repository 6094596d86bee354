/* Depth-dose metrics of docs/physics.md, 'Dose', from the deposited energy. */
#ifndef SMX_CORE_METRICS_H
#define SMX_CORE_METRICS_H

#include "smatrix2d/smatrix2d.h"

/* idd[nz] (MeV/mm per proton) from edep[nz][nx] (MeV per proton). */
void smx__idd(const double *edep, int nz, int nx, double dz_mm, double *idd);

/* R80/R90/R20, peak depth, entrance, peak/entrance, distal 80-20 and the
 * lateral sigma at R80 (cell width removed). Fields that cannot be
 * computed (no dose, no fall-off) are NaN. */
void smx__depth_metrics(const double *edep, const double *idd, int nz, int nx, double dz_mm,
                        double dx_mm, const double *x_mm, smx_metrics *m);

/* Second moment across x of the row of edep[nz][nx] interpolated at depth
 * d (mm, between cell centres), cell width removed; NaN outside the grid
 * or without dose. */
double smx__lateral_sigma(const double *edep, int nz, int nx, double dz_mm, double dx_mm,
                          const double *x_mm, double d_mm);

#endif
