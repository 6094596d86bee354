/* The material and density maps of a configuration (docs/config.md):
 * read and checked by one function, for the loader (which adds the key's
 * file position to a failure) and for the media of a run. */
#ifndef SMX_IO_MAPS_H
#define SMX_IO_MAPS_H

#include "io/npy_read.h"

typedef struct smx__maps {
    smx__npy_array mat; /* material indices [nz][nx] */
    smx__npy_array den; /* densities in g/cm3 [nz][nx]; empty without a density map */
} smx__maps;

/* Reads cfg->material_map and cfg->density_map (when set) for a grid of
 * cfg->nz x cfg->nx cells and checks them: an integer dtype holding
 * indices into cfg->materials, a float dtype holding finite densities
 * within the engine's bounds, each of shape (nz, nx). On failure: the key
 * at fault in *key ("material_map" or "density_map"), one line naming the
 * file in why, and m left empty. */
smx_status smx__maps_read(const smx_config *cfg, smx__maps *m, const char **key, char *why,
                          size_t whylen);
void smx__maps_free(smx__maps *m);

#endif
