/* The material and density maps (see maps.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/util.h"
#include "io/maps.h"

static const char *shape_text(const smx__npy_array *a, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "(");
    for (int d = 0; d < a->ndim && used < n; d++)
        used += (size_t)snprintf(buf + used, n - used, "%s%zu", d ? ", " : "", a->shape[d]);
    if (used < n) snprintf(buf + used, n - used, "%s)", a->ndim == 1 ? "," : "");
    return buf;
}

/* Reads the .npy at path and checks its dtype (kinds: "ui" or "f") and
 * its shape (nz, nx). */
static smx_status read_one(const smx_config *c, const char *path, const char *kinds,
                           const char *dtypes, smx__npy_array *a, char *why, size_t n)
{
    smx_status st = smx__npy_read(path, a, why, n);
    if (st == SMX_ENOMEM) return st;
    if (st != SMX_OK) {
        if (!strstr(why, "(expected"))
            snprintf(why + strlen(why), n - strlen(why), " (expected an existing, readable .npy "
                     "file; a relative path is resolved against the configuration file's folder)");
        return SMX_ECONFIG;
    }
    char shape[96];
    if (!strchr(kinds, a->dtype[1]))
        smx__err(why, n, "%s: wrong dtype '%s' (expected %s)", path, a->dtype, dtypes);
    else if (a->ndim != 2 || a->shape[0] != (size_t)c->nz || a->shape[1] != (size_t)c->nx)
        smx__err(why, n, "%s: shape %s does not match the grid (expected (nz, nx) = (%d, %d), "
                 "from grid.nz and grid.nx)", path, shape_text(a, shape, sizeof shape), c->nz, c->nx);
    else
        return SMX_OK;
    smx__npy_free(a);
    return SMX_ECONFIG;
}

static void maps_free(smx__maps *m)
{
    smx__npy_free(&m->mat);
    smx__npy_free(&m->den);
}

static smx_status maps_read(const smx_config *c, smx__maps *m, const char **key, char *why,
                            size_t whylen)
{
    memset(m, 0, sizeof *m);
    *key = "material_map";
    smx_status st = read_one(c, c->material_map, "ui",
                             "an integer type: |u1, |i1, <u2, <i2, <u4, <i4, <u8 or <i8; "
                             "numpy.save(path, array.astype(numpy.uint8))", &m->mat, why, whylen);
    for (size_t i = 0; st == SMX_OK && i < m->mat.count; i++) {
        double v = m->mat.data[i];
        if (v < 0 || v >= c->nmaterials) {
            smx__err(why, whylen, "%s: index %.0f at [z][x] = [%zu][%zu] is out of range (expected "
                     "0 <= index < %d, an index into materials)", c->material_map, v,
                     i / (size_t)c->nx, i % (size_t)c->nx, c->nmaterials);
            st = SMX_ECONFIG;
        }
    }
    if (st == SMX_OK && c->density_map[0]) {
        *key = "density_map";
        st = read_one(c, c->density_map, "f", "<f8 or <f4 (densities in g/cm3)", &m->den, why, whylen);
    }
    for (size_t i = 0; st == SMX_OK && i < m->den.count; i++) {
        double v = m->den.data[i];
        if (!isfinite(v) || v < SMX_DENSITY_MIN_G_CM3 || v > SMX_DENSITY_MAX_G_CM3) {
            smx__err(why, whylen, "%s: density %g g/cm3 at [z][x] = [%zu][%zu] is out of range "
                     "(expected finite values, %g <= density <= %g g/cm3)", c->density_map, v,
                     i / (size_t)c->nx, i % (size_t)c->nx, SMX_DENSITY_MIN_G_CM3,
                     SMX_DENSITY_MAX_G_CM3);
            st = SMX_ECONFIG;
        }
    }
    if (st != SMX_OK) {
        maps_free(m);
        return st;
    }
    snprintf(m->material_map, sizeof m->material_map, "%s", c->material_map);
    snprintf(m->density_map, sizeof m->density_map, "%s", c->density_map);
    m->nz = c->nz, m->nx = c->nx, m->nmaterials = c->nmaterials;
    return SMX_OK;
}

smx_status smx__maps_new(const smx_config *cfg, smx__maps **out, const char **key, char *why,
                         size_t whylen)
{
    *out = NULL;
    *key = "material_map";
    smx__maps *m = malloc(sizeof *m);
    if (!m) {
        smx__err(why, whylen, "out of memory for the material map");
        return SMX_ENOMEM;
    }
    smx_status st = maps_read(cfg, m, key, why, whylen);
    if (st != SMX_OK) free(m);
    else *out = m;
    return st;
}

void smx__maps_delete(smx__maps *m)
{
    if (!m) return;
    maps_free(m);
    free(m);
}

int smx__maps_match(const smx__maps *m, const smx_config *cfg)
{
    return m && m->nz == cfg->nz && m->nx == cfg->nx && m->nmaterials == cfg->nmaterials &&
           strcmp(m->material_map, cfg->material_map) == 0 && strcmp(m->density_map, cfg->density_map) == 0;
}
