/* The media of a run: (material, density) pairs and the medium of every
 * cell, from the background material, slabs or a material map. */
#ifndef SMX_CORE_MEDIA_H
#define SMX_CORE_MEDIA_H

#include "core/plan.h"

#define SMX_MAX_MEDIA 255

/* Fills p->nmat, p->mat, p->mat_upstream and p->cell_mat (p->nx, p->nz,
 * p->dz_mm set). Besides the (material, density) media of the config, a
 * cell whose upstream neighbour along z (z - 1) is of another medium gets
 * an interface medium: its own material, with mat_upstream naming the
 * upstream one (energy loss and its deposit are then shared between the
 * two, see plan.c); mat_upstream is -1 for the others. */
smx_status smx__media_build(const smx_config *cfg, smx_plan *p, char *err, size_t errlen);

#endif
