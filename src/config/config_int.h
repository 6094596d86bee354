/* Private to src/config: the configuration's keys, where each value was
 * in the file, and the report of a failed check at that position
 * ("FILE:LINE:COL: KEY: MESSAGE (expected WHAT)", or "KEY: MESSAGE" for a
 * configuration built in code), shared by the loader (config_yaml.c) and
 * the checks (config_check.c). */
#ifndef SMX_CONFIG_INT_H
#define SMX_CONFIG_INT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smatrix2d/smatrix2d.h"
#include "core/util.h"

#ifdef __GNUC__
#define SMX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SMX_PRINTF(a, b)
#endif

/* ---- keys ---------------------------------------------------------------- */

typedef enum {
    K_ROOT = 0,
    K_GRID, K_X, K_NX, K_Z, K_NZ, K_Y,
    K_THETA, K_TBINS, K_TMIN, K_TMAX, K_TFULL,
    K_ENERGY, K_EBINS, K_EMIN, K_EMAX, K_ESPACING,
    K_MATERIAL, K_DENSITY, K_SLABS, K_MATMAP, K_MATERIALS, K_DENSMAP, K_BEAMS,
    K_TRANSPORT, K_STEP, K_SPLIT, K_SCATTER, K_MAXSTEPS, K_MAXANGLE,
    K_STRAGGLING, K_NUCLEAR, K_SECONDARIES, K_STREAMING,
    K_RUN, K_BACKEND, K_PRECISION, K_DEVICE, K_THREADS, K_ACCUM, K_SCATTER_IMPL, K_MEMLIMIT,
    K_OUTPUT, K_IDD_RES,
    K_COUNT
} key_id;

static const char *const key_names[K_COUNT] = {
    [K_ROOT] = "(top level)",
    [K_GRID] = "grid",
    [K_X] = "grid.x_mm",
    [K_NX] = "grid.nx",
    [K_Z] = "grid.z_mm",
    [K_NZ] = "grid.nz",
    [K_Y] = "grid.y_thickness_mm",
    [K_THETA] = "grid.theta",
    [K_TBINS] = "grid.theta.bins",
    [K_TMIN] = "grid.theta.min_deg",
    [K_TMAX] = "grid.theta.max_deg",
    [K_TFULL] = "grid.theta.full_circle",
    [K_ENERGY] = "grid.energy",
    [K_EBINS] = "grid.energy.bins",
    [K_EMIN] = "grid.energy.min_MeV",
    [K_EMAX] = "grid.energy.max_MeV",
    [K_ESPACING] = "grid.energy.spacing",
    [K_MATERIAL] = "material",
    [K_DENSITY] = "density_g_cm3",
    [K_SLABS] = "slabs",
    [K_MATMAP] = "material_map",
    [K_MATERIALS] = "materials",
    [K_DENSMAP] = "density_map",
    [K_BEAMS] = "beams",
    [K_TRANSPORT] = "transport",
    [K_STEP] = "transport.step_mm",
    [K_SPLIT] = "transport.splitting",
    [K_SCATTER] = "transport.scattering",
    [K_MAXSTEPS] = "transport.max_steps",
    [K_MAXANGLE] = "transport.max_angle_deg",
    [K_STRAGGLING] = "transport.straggling",
    [K_NUCLEAR] = "transport.nuclear",
    [K_SECONDARIES] = "transport.secondaries",
    [K_STREAMING] = "transport.streaming",
    [K_RUN] = "run",
    [K_BACKEND] = "run.backend",
    [K_PRECISION] = "run.precision",
    [K_DEVICE] = "run.device",
    [K_THREADS] = "run.threads",
    [K_ACCUM] = "run.accumulation",
    [K_SCATTER_IMPL] = "run.scatter",
    [K_MEMLIMIT] = "run.memory_limit_GB",
    [K_OUTPUT] = "output",
    [K_IDD_RES] = "output.idd_resolution_mm",
};

/* The mapping each key lives in (for positions of keys not in the file). */
static const key_id key_parent[K_COUNT] = {
    [K_ROOT] = K_ROOT,
    [K_GRID] = K_ROOT, [K_X] = K_GRID, [K_NX] = K_GRID, [K_Z] = K_GRID,
    [K_NZ] = K_GRID, [K_Y] = K_GRID,
    [K_THETA] = K_GRID, [K_TBINS] = K_THETA, [K_TMIN] = K_THETA,
    [K_TMAX] = K_THETA, [K_TFULL] = K_THETA,
    [K_ENERGY] = K_GRID, [K_EBINS] = K_ENERGY, [K_EMIN] = K_ENERGY,
    [K_EMAX] = K_ENERGY, [K_ESPACING] = K_ENERGY,
    [K_MATERIAL] = K_ROOT, [K_DENSITY] = K_ROOT, [K_SLABS] = K_ROOT, [K_MATMAP] = K_ROOT,
    [K_MATERIALS] = K_ROOT, [K_DENSMAP] = K_ROOT, [K_BEAMS] = K_ROOT,
    [K_TRANSPORT] = K_ROOT, [K_STEP] = K_TRANSPORT, [K_SPLIT] = K_TRANSPORT,
    [K_SCATTER] = K_TRANSPORT, [K_MAXSTEPS] = K_TRANSPORT, [K_MAXANGLE] = K_TRANSPORT,
    [K_STRAGGLING] = K_TRANSPORT, [K_NUCLEAR] = K_TRANSPORT,
    [K_SECONDARIES] = K_TRANSPORT, [K_STREAMING] = K_TRANSPORT,
    [K_RUN] = K_ROOT, [K_BACKEND] = K_RUN, [K_PRECISION] = K_RUN,
    [K_DEVICE] = K_RUN, [K_THREADS] = K_RUN, [K_ACCUM] = K_RUN, [K_SCATTER_IMPL] = K_RUN,
    [K_MEMLIMIT] = K_RUN,
    [K_OUTPUT] = K_ROOT, [K_IDD_RES] = K_OUTPUT,
};

typedef enum { B_ITEM = 0, B_ENERGY, B_ESPREAD, B_X, B_SX, B_ANGLE, B_SANGLE, B_PROTONS, B_COUNT } beam_key;

static const char *const beam_key_names[B_COUNT] = {
    [B_ITEM] = "",
    [B_ENERGY] = "energy_MeV",
    [B_ESPREAD] = "energy_spread_MeV",
    [B_X] = "x_mm",
    [B_SX] = "sigma_x_mm",
    [B_ANGLE] = "angle_deg",
    [B_SANGLE] = "sigma_angle_deg",
    [B_PROTONS] = "protons",
};

typedef enum { S_ITEM = 0, S_Z, S_MATERIAL, S_DENSITY, S_COUNT } slab_key;

static const char *const slab_key_names[S_COUNT] = {
    [S_ITEM] = "",
    [S_Z] = "z_mm",
    [S_MATERIAL] = "material",
    [S_DENSITY] = "density_g_cm3",
};

/* The lists whose items have keys of their own. */
typedef enum { LIST_NONE = 0, LIST_BEAMS, LIST_SLABS, LIST_MATERIALS } list_id;

/* A key: a configuration key (list LIST_NONE), a key of beams[item] or
 * slabs[item] (id: beam_key, slab_key) or the entry materials[item] (id 0).
 * id < 0: none. */
typedef struct {
    int id;
    int list;
    int item;
} kref;

#define KNONE ((kref){-1, LIST_NONE, -1})
#define KR(k) ((kref){(k), LIST_NONE, -1})
#define BR(i, k) ((kref){(k), LIST_BEAMS, (i)})
#define SR(i, k) ((kref){(k), LIST_SLABS, (i)})
#define MR(i) ((kref){0, LIST_MATERIALS, (i)})

/* Enumerations: the index is the enum value. */
static const char *const spacing_names[] = {"uniform", "log", "range"};
static const char *const split_names[] = {"lie", "strang"};
static const char *const scatter_names[] = {"differential_moliere", "fermi_rossi",
                                            "highland_step", "none"};
static const char *const precision_names[] = {"float32", "float64"};
static const char *const straggling_names[] = {"bohr", "none"};
static const char *const nuclear_names[] = {"icru63", "none"};
static const char *const secondaries_names[] = {"transport", "local"};
static const char *const streaming_names[] = {"centroid", "shift_deposit"};
static const char *const accumulation_names[] = {"deterministic", "fast"};
static const char *const scatter_impl_names[] = {"auto", "stencil", "gemm"};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- positions ------------------------------------------------------------ */

typedef struct {
    int set;
    size_t line, col; /* 1-based */
} pos;

/* Where each value of the file starts (value node's start mark). */
typedef struct {
    pos key[K_COUNT];
    pos beam[SMX_MAX_BEAMS][B_COUNT];
    pos slab[SMX_MAX_SLABS][S_COUNT];
    pos material[SMX_MAX_MATERIALS];
} marks;

/* Only called with items within the list bounds. */
static inline pos *mark_slot(marks *m, kref k)
{
    switch ((list_id)k.list) {
    case LIST_BEAMS: return &m->beam[k.item][k.id];
    case LIST_SLABS: return &m->slab[k.item][k.id];
    case LIST_MATERIALS: return &m->material[k.item];
    case LIST_NONE: break;
    }
    return &m->key[k.id];
}

static inline int kref_in_file(const marks *m, kref k)
{
    if (!m || k.id < 0) return 0;
    return mark_slot((marks *)m, k)->set;
}

/* The position to report for k: its own, else the nearest enclosing
 * mapping's, else 1:1. */
static inline pos kref_pos(const marks *m, kref k)
{
    if (k.list != LIST_NONE) {
        pos own = *mark_slot((marks *)m, k);
        if (own.set) return own;
        if (k.list == LIST_BEAMS && m->beam[k.item][B_ITEM].set) return m->beam[k.item][B_ITEM];
        if (k.list == LIST_SLABS && m->slab[k.item][S_ITEM].set) return m->slab[k.item][S_ITEM];
        k = KR(k.list == LIST_BEAMS ? K_BEAMS : k.list == LIST_SLABS ? K_SLABS : K_MATERIALS);
    }
    for (int id = k.id; id != K_ROOT; id = key_parent[id])
        if (m->key[id].set) return m->key[id];
    if (m->key[K_ROOT].set) return m->key[K_ROOT];
    return (pos){1, 1, 1};
}

static inline void kref_name(kref k, char *buf, size_t n)
{
    const char *list = k.list == LIST_BEAMS ? "beams" : k.list == LIST_SLABS ? "slabs"
                       : "materials";
    const char *item = k.list == LIST_BEAMS ? beam_key_names[k.id]
                       : k.list == LIST_SLABS ? slab_key_names[k.id] : "";
    if (k.list == LIST_NONE)
        snprintf(buf, n, "%s", key_names[k.id]);
    else if (item[0] == '\0')
        snprintf(buf, n, "%s[%d]", list, k.item);
    else
        snprintf(buf, n, "%s[%d].%s", list, k.item, item);
}

/* ---- messages ------------------------------------------------------------- */

/* "FILE:LINE:COL: KEY: MESSAGE" (file given) or "KEY: MESSAGE". */
static inline void emit(char *err, size_t errlen, const char *file, pos p, const char *key,
                 const char *fmt, va_list ap)
{
    if (!err || errlen == 0) return;
    char msg[3072]; /* room for two paths */
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (file)
        snprintf(err, errlen, "%s:%zu:%zu: %s: %s", file, p.line, p.col, key, msg);
    else
        snprintf(err, errlen, "%s: %s", key, msg);
}

/* Joins names as "a, b, c". */
static inline const char *join_names(const char *const *names, int count, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < count && used < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
    return buf;
}

/* ---- checks (shared by the loader and smx_config_check) ------------------- */

typedef struct {
    const char *file;   /* NULL: no positions */
    const marks *marks; /* NULL with file == NULL */
    char *err;
    size_t errlen;
} reporter;

/* Reports a failed check on `key`, or on `alt` when only alt is in the file. */
static inline smx_status bad(const reporter *r, kref key, kref alt, const char *fmt, ...) SMX_PRINTF(4, 5);
static inline smx_status bad(const reporter *r, kref key, kref alt, const char *fmt, ...)
{
    kref k = key;
    if (r->marks && !kref_in_file(r->marks, key) && kref_in_file(r->marks, alt)) k = alt;
    char name[96];
    kref_name(k, name, sizeof name);
    pos p = r->marks ? kref_pos(r->marks, k) : (pos){0, 0, 0};
    va_list ap;
    va_start(ap, fmt);
    emit(r->err, r->errlen, r->file, p, name, fmt, ap);
    va_end(ap);
    return SMX_ECONFIG;
}

/* The index of s in names, or -1. */
static inline int name_index(const char *s, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

/* Keeps the maps (NULL: none; freed on failure) and the positions m in
 * cfg->loaded, with a copy of cfg as it is now (config_loaded.c). */
struct smx_cell_maps;
smx_status smx__config_keep(smx_config *cfg, const marks *m, struct smx_cell_maps *maps);

/* Every range and cross-key check of a configuration (config_check.c):
 * the loader's, with positions, and smx_config_check's, without. */
smx_status smx__config_check_all(const smx_config *c, const reporter *r);

#endif
