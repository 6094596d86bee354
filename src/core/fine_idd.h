/* The fine depth tally (output.idd_resolution_mm): the IDD at sub-cell
 * resolution, filled from where the transport loses energy along each
 * step. Host side; see fine_idd.c. */
#ifndef SMX_CORE_FINE_IDD_H
#define SMX_CORE_FINE_IDD_H

#include "core/plan.h"

/* Segments of a loss profile: the path from a step's start over two
 * steps (an absorbed proton's last energy may be lost past the step). */
#define SMX_FINE_SEGMENTS 64

/* Fills p->fine_prof: per (medium, bin) the fraction of the deposited
 * energy lost in each segment. */
smx_status smx__fine_tables(smx_plan *p);

/* Adds the deposit of A_E on the state whose row sums are w and mz (as
 * the backends' row_sums give them, bins [lo, hi]) to fine[nf] (MeV per
 * unit weight in bins of res_mm from z = 0). */
void smx__fine_add(const smx_plan *p, int lo, int hi, const double *w, const double *mz,
                   double res_mm, int nf, double *fine);

/* Adds energy e spread uniformly over depths [a_mm, b_mm]. */
void smx__fine_spread(double a_mm, double b_mm, double e, double res_mm, int nf, double *fine);

#endif
