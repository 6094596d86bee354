/* Media of a run (see media.h). A medium is a material at a density; two
 * cells share a medium when both are equal (map densities are rounded to
 * 0.001 g/cm3 first), so the per-medium tables stay few. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_loaded.h"
#include "core/limits.h"
#include "core/media.h"
#include "core/util.h"

typedef struct media_set {
    int n;
    char name[SMX_MAX_MEDIA][SMX_NAME_LEN];
    double density[SMX_MAX_MEDIA]; /* 0 = the material's own */
} media_set;

/* Index of (name, density) in the set, added when new; -1 when full. */
static int medium_index(media_set *s, const char *name, double density)
{
    for (int k = 0; k < s->n; k++)
        if (strcmp(s->name[k], name) == 0 && s->density[k] == density) return k;
    if (s->n == SMX_MAX_MEDIA) return -1;
    snprintf(s->name[s->n], SMX_NAME_LEN, "%s", name);
    s->density[s->n] = density;
    return s->n++;
}

/* The cells' media from the configuration's maps: those smx_config_load
 * read, or (a configuration built in code) read here. */
static smx_status from_map(const smx_config *cfg, smx_plan *p, media_set *s, char *err,
                           size_t errlen)
{
    const smx__maps *m = smx__config_maps(cfg);
    smx__maps *own = NULL;
    smx_status st = SMX_OK;
    if (!smx__maps_match(m, cfg)) {
        const char *key;
        char why[SMX_PATH_LEN + 512];
        if ((st = smx__maps_new(cfg, &own, &key, why, sizeof why)) != SMX_OK) {
            smx__err(err, errlen, "%s: %s", key, why);
            return st;
        }
        m = own;
    }
    for (size_t c = 0; st == SMX_OK && c < m->mat.count; c++) {
        double d = m->den.data ? round(m->den.data[c] * 1000.0) / 1000.0 : 0;
        int k = medium_index(s, cfg->materials[(int)m->mat.data[c]], d);
        if (k < 0) {
            smx__err(err, errlen, "density_map: %s: more than %d distinct (material, density) "
                     "media after rounding densities to 0.001 g/cm3", cfg->density_map, SMX_MAX_MEDIA);
            st = SMX_ECONFIG;
        } else {
            p->cell_mat[c] = (uint8_t)k;
        }
    }
    smx__maps_delete(own);
    return st;
}

/* Interface media (see media.h): a cell whose upstream neighbour along z
 * holds another medium gets the medium "upstream -> own", a copy of its
 * own material that remembers the upstream one, so that A_E can lose
 * (and deposit) the first half of a step crossing the interface in the
 * medium it is really in. */
static smx_status add_interfaces(const smx_config *cfg, smx_plan *p, char *err, size_t errlen)
{
    int own = p->nmat, n = own;
    int up[SMX_MAX_MEDIA], of[SMX_MAX_MEDIA];
    p->mat_upstream = malloc(SMX_MAX_MEDIA * sizeof(int));
    if (!p->mat_upstream) return SMX_ENOMEM;
    for (int k = 0; k < own; k++) p->mat_upstream[k] = -1, up[k] = -1, of[k] = k;
    for (int z = p->nz - 1; z >= 1; z--)
        for (int x = 0; x < p->nx; x++) {
            int b = p->cell_mat[(size_t)z * p->nx + x], a = p->cell_mat[(size_t)(z - 1) * p->nx + x];
            if (a == b || b >= own || a >= own) continue;
            int k = own;
            while (k < n && !(up[k] == a && of[k] == b)) k++;
            if (k == n) {
                if (n == SMX_MAX_MEDIA) {
                    smx__err(err, errlen, "%s: more than %d media with their interfaces along z "
                             "(each pair of media that touch along z counts as one more medium)",
                             cfg->material_map[0] ? cfg->material_map : "slabs", SMX_MAX_MEDIA);
                    return SMX_ECONFIG;
                }
                up[n] = a, of[n] = b, n++;
            }
            p->cell_mat[(size_t)z * p->nx + x] = (uint8_t)k;
        }
    p->dep_allow = calloc((size_t)n * n, 1);
    smx_material *m = n > own ? realloc(p->mat, n * sizeof *m) : p->mat;
    if (!m || !p->dep_allow) return SMX_ENOMEM;
    p->mat = m;
    for (int k = own; k < n; k++) {
        p->mat[k] = p->mat[of[k]];
        p->mat_upstream[k] = up[k];
    }
    for (int k = 0; k < n; k++)
        for (int c = 0; c < n; c++)
            p->dep_allow[k * n + c] = of[c] == of[k] || of[c] == up[k];
    p->nmat = n;
    return SMX_OK;
}

smx_status smx__media_build(const smx_config *cfg, smx_plan *p, char *err, size_t errlen)
{
    media_set *s = calloc(1, sizeof *s);
    size_t cells = (size_t)p->nz * p->nx;
    p->cell_mat = calloc(cells, 1);
    if (!s || !p->cell_mat) {
        free(s);
        return SMX_ENOMEM;
    }
    medium_index(s, cfg->material, cfg->density_g_cm3);
    smx_status st = SMX_OK;
    if (cfg->material_map[0]) {
        st = from_map(cfg, p, s, err, errlen);
    } else {
        for (int b = 0; b < cfg->nslabs; b++) {
            const smx_slab *sl = &cfg->slabs[b];
            int k = medium_index(s, sl->material, sl->density_g_cm3);
            for (int iz = 0; iz < p->nz; iz++) {
                double zc = (iz + 0.5) * p->dz_mm;
                if (zc >= sl->z_min_mm && zc < sl->z_max_mm)
                    memset(p->cell_mat + (size_t)iz * p->nx, k, p->nx);
            }
        }
    }
    if (st == SMX_OK) {
        p->nmat = s->n;
        p->mat = calloc(s->n, sizeof(smx_material));
        if (!p->mat) st = SMX_ENOMEM;
    }
    for (int k = 0; st == SMX_OK && k < s->n; k++) {
        st = smx__material_load(s->name[k], &p->mat[k], err, errlen);
        if (st == SMX_OK && s->density[k] > 0) p->mat[k].density_g_cm3 = s->density[k];
    }
    free(s);
    if (st == SMX_OK) st = add_interfaces(cfg, p, err, errlen);
    return st;
}
