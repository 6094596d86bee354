/* The media of a run: (material, density) pairs and the medium of every
 * cell, from the background material, slabs or a material map. */
#ifndef SMX_CORE_MEDIA_H
#define SMX_CORE_MEDIA_H

#include "core/plan.h"

#define SMX_MAX_MEDIA 255

/* Fills p->nmat, p->mat and p->cell_mat (p->nx, p->nz, p->dz_mm set). */
smx_status smx__media_build(const smx_config *cfg, smx_plan *p, char *err, size_t errlen);

#endif
