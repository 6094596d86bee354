/* The material and density maps of a configuration (docs/config.md):
 * read and checked by one function. smx_config_load reads them once into
 * the configuration it fills (cfg->loaded; the key's file position added
 * to a failure); a run takes its media from there, and reads the files
 * itself only for a configuration that holds no maps read for its files,
 * grid and materials list (one built in code). */
#ifndef SMX_IO_MAPS_H
#define SMX_IO_MAPS_H

#include "io/npy_read.h"

typedef struct smx_cell_maps {
    smx__npy_array mat; /* material indices [nz][nx] */
    smx__npy_array den; /* densities in g/cm3 [nz][nx]; empty without a density map */
    /* what they were read for: the files, the grid and the materials list */
    char material_map[SMX_PATH_LEN], density_map[SMX_PATH_LEN];
    int nz, nx, nmaterials;
} smx__maps;

/* Reads cfg->material_map and cfg->density_map (when set) for a grid of
 * cfg->nz x cfg->nx cells into a new allocation (*out) and checks them:
 * an integer dtype holding indices into cfg->materials, a float dtype
 * holding finite densities within the engine's bounds, each of shape
 * (nz, nx). On failure: *out NULL, the key at fault in *key
 * ("material_map" or "density_map") and one line naming the file in
 * why. smx__maps_delete releases it (NULL: nothing). */
smx_status smx__maps_new(const smx_config *cfg, smx__maps **out, const char **key, char *why,
                         size_t whylen);
void smx__maps_delete(smx__maps *m);
/* Whether m (NULL: none) holds cfg's maps: read from its files, for its
 * grid and its materials list. */
int smx__maps_match(const smx__maps *m, const smx_config *cfg);

#endif
