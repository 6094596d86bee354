/* What smx_config_load keeps of a file besides the values (cfg->loaded),
 * for the engine: the maps' cells, read and checked once, and where each
 * key stood, so that a refusal by smx_run_create names the line as the
 * loader's own messages do. */
#ifndef SMX_CONFIG_LOADED_H
#define SMX_CONFIG_LOADED_H

#include <stddef.h>

#include "io/maps.h"

/* The maps the load read (NULL: none, or not loaded). They may no longer
 * be this configuration's: smx__maps_match tells. */
const smx__maps *smx__config_maps(const smx_config *cfg);

/* Whether cfg is byte for byte as smx_config_load left it: its checks
 * (which the load ran, with positions) and its maps still hold. */
int smx__config_as_loaded(const smx_config *cfg);

/* Puts where a refusal's key stood before the message "KEY: ...":
 * "FILE:LINE:COL: KEY: ..." while cfg is still as loaded (for a key the
 * file does not name: its mapping's position, as the loader gives),
 * "FILE: KEY: ..." once cfg was changed (a command-line override); nothing
 * for a configuration built in code or a message that already starts
 * with the file. */
void smx__config_locate(const smx_config *cfg, char *err, size_t errlen);

#endif
