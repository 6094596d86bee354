/* What a load keeps (see config_loaded.h and smx_config.loaded). */
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"
#include "config/config_loaded.h"

struct smx_config_loaded {
    smx__maps *maps; /* NULL: no material map */
    marks marks;     /* where each value of the file starts */
    smx_config as_loaded; /* byte for byte; positions hold while cfg equals it */
};

smx_status smx__config_keep(smx_config *cfg, const marks *m, smx__maps *maps)
{
    struct smx_config_loaded *l = malloc(sizeof *l);
    if (!l) {
        smx__maps_delete(maps);
        return SMX_ENOMEM;
    }
    l->maps = maps;
    l->marks = *m;
    cfg->loaded = l;
    memcpy(&l->as_loaded, cfg, sizeof *cfg);
    return SMX_OK;
}

void smx_config_free(smx_config *cfg)
{
    if (!cfg || !cfg->loaded) return;
    smx__maps_delete(cfg->loaded->maps);
    free(cfg->loaded);
    cfg->loaded = NULL;
}

const smx__maps *smx__config_maps(const smx_config *cfg)
{
    return cfg->loaded ? cfg->loaded->maps : NULL;
}

int smx__config_as_loaded(const smx_config *cfg)
{
    return cfg->loaded && memcmp(cfg, &cfg->loaded->as_loaded, sizeof *cfg) == 0;
}

/* Whether err starts with "NAME:" for the key k. */
static int names(const char *err, kref k)
{
    char name[96];
    kref_name(k, name, sizeof name);
    size_t n = strlen(name);
    return strncmp(err, name, n) == 0 && err[n] == ':';
}

/* The key err starts with, among those cfg can hold. */
static int key_of(const smx_config *cfg, const char *err, kref *k)
{
    for (int i = 0; i < cfg->nbeams; i++)
        for (int b = B_COUNT - 1; b >= 0; b--)
            if (names(err, *k = BR(i, b))) return 1;
    for (int i = 0; i < cfg->nslabs; i++)
        for (int s = S_COUNT - 1; s >= 0; s--)
            if (names(err, *k = SR(i, s))) return 1;
    for (int i = 0; i < cfg->nmaterials; i++)
        if (names(err, *k = MR(i))) return 1;
    for (int id = 1; id < K_COUNT; id++)
        if (names(err, *k = KR(id))) return 1;
    return 0;
}

void smx__config_locate(const smx_config *cfg, char *err, size_t errlen)
{
    const char *f = cfg->source_path;
    size_t fl = strlen(f);
    if (!err || !errlen || !fl || (strncmp(err, f, fl) == 0 && err[fl] == ':')) return;
    kref k;
    pos p = {0, 0, 0};
    if (smx__config_as_loaded(cfg) && key_of(cfg, err, &k)) p = kref_pos(&cfg->loaded->marks, k);
    char why[2048];
    snprintf(why, sizeof why, "%s", err);
    if (p.set) smx__err(err, errlen, "%s:%zu:%zu: %s", f, p.line, p.col, why);
    else smx__err(err, errlen, "%s: %s", f, why);
}
