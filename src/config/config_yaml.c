/* The YAML configuration (docs/config.md): the loader. The checks and the
 * defaults are config_check.c's, shared with configurations built in code.
 *
 * The loader works in two passes over a libyaml document:
 *  1. walk the mappings, reject unknown/duplicate keys and wrong types, fill
 *     a copy of the caller's struct and remember where each value starts;
 *  2. run the range and cross-key checks (the same code smx_config_check
 *     runs) and report the position of the key at fault;
 *  3. read material_map / density_map (relative paths were resolved against
 *     the configuration file's folder in pass 1) once, into cfg->loaded, and
 *     check their dtype, shape (grid.nz, grid.nx) and values; the run takes
 *     its media from there. smx_config_check does not read files.
 * The caller's struct is only written when all passes succeed.
 *
 * Messages: "FILE:LINE:COL: KEY: MESSAGE (expected WHAT)" from the loader,
 * "KEY: MESSAGE (expected WHAT)" from smx_config_check. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config/config_int.h"
#include "core/limits.h"
#include "io/maps.h"

/* Keys of each mapping, in the order docs/config.md lists them. */
static const char *const root_names[] = {"grid", "material", "density_g_cm3", "slabs",
                                         "material_map", "materials", "density_map", "beams",
                                         "transport", "run", "output"};
static const int root_ids[] = {K_GRID, K_MATERIAL, K_DENSITY, K_SLABS, K_MATMAP,
                               K_MATERIALS, K_DENSMAP, K_BEAMS, K_TRANSPORT, K_RUN,
                               K_OUTPUT};
static const char *const grid_names[] = {"x_mm", "nx", "z_mm", "nz", "y_thickness_mm",
                                         "theta", "energy"};
static const int grid_ids[] = {K_X, K_NX, K_Z, K_NZ, K_Y, K_THETA, K_ENERGY};
static const char *const theta_names[] = {"bins", "min_deg", "max_deg", "full_circle"};
static const int theta_ids[] = {K_TBINS, K_TMIN, K_TMAX, K_TFULL};
static const char *const energy_names[] = {"bins", "min_MeV", "max_MeV", "spacing"};
static const int energy_ids[] = {K_EBINS, K_EMIN, K_EMAX, K_ESPACING};
static const char *const transport_names[] = {"step_mm", "splitting", "scattering",
                                              "max_steps", "max_angle_deg", "straggling",
                                              "nuclear", "secondaries", "streaming"};
static const int transport_ids[] = {K_STEP, K_SPLIT, K_SCATTER, K_MAXSTEPS, K_MAXANGLE,
                                    K_STRAGGLING, K_NUCLEAR, K_SECONDARIES, K_STREAMING};
static const char *const run_names[] = {"backend", "precision", "device", "threads",
                                        "accumulation", "scatter", "memory_limit_GB"};
static const int run_ids[] = {K_BACKEND, K_PRECISION, K_DEVICE, K_THREADS, K_ACCUM, K_SCATTER_IMPL,
                              K_MEMLIMIT};
static const char *const output_names[] = {"idd_resolution_mm"};
static const int output_ids[] = {K_IDD_RES};
static const char *const beam_names[] = {"energy_MeV", "energy_spread_MeV", "x_mm",
                                         "sigma_x_mm", "angle_deg", "sigma_angle_deg",
                                         "protons"};
static const int beam_ids[] = {B_ENERGY, B_ESPREAD, B_X, B_SX, B_ANGLE, B_SANGLE, B_PROTONS};
static const char *const slab_names[] = {"z_mm", "material", "density_g_cm3"};
static const int slab_ids[] = {S_Z, S_MATERIAL, S_DENSITY};

static pos pos_of_mark(yaml_mark_t m)
{
    return (pos){1, m.line + 1, m.column + 1};
}

/* ---- scalars -------------------------------------------------------------- */

typedef enum { NUM_NONE = 0, NUM_INT, NUM_FLOAT, NUM_NONFINITE } num_kind;

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int any_of(const char *s, const char *const *words, int count)
{
    return name_index(s, words, count) >= 0;
}

/* YAML 1.2 core schema numbers: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 * and [-+]?.inf / .nan. An integer has neither a point nor an exponent. */
static num_kind classify_number(const char *s)
{
    static const char *const specials[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    if (any_of(p, specials, COUNT(specials))) return NUM_NONFINITE;
    int digits = 0, point = 0, expo = 0;
    while (is_digit(*p)) p++, digits++;
    if (*p == '.') {
        point = 1;
        p++;
        while (is_digit(*p)) p++, digits++;
    }
    if (digits == 0) return NUM_NONE;
    if (*p == 'e' || *p == 'E') {
        expo = 1;
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!is_digit(*p)) return NUM_NONE;
        while (is_digit(*p)) p++;
    }
    if (*p != '\0') return NUM_NONE;
    return point || expo ? NUM_FLOAT : NUM_INT;
}

static int scalar_is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static const char *scalar_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int plain_is(const yaml_node_t *n, const char *const *words, int count)
{
    return scalar_is_plain(n) && any_of(scalar_text(n), words, count);
}

static const char *const null_words[] = {"", "~", "null", "Null", "NULL"};
static const char *const true_words[] = {"true", "True", "TRUE"};
static const char *const false_words[] = {"false", "False", "FALSE"};

/* What a node is, for "wrong type" messages: `a string ("abc")`. */
static const char *describe(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE) return "a sequence";
    const char *s = scalar_text(n);
    int w = (int)strlen(s) > 40 ? 40 : (int)strlen(s);
    const char *more = (int)strlen(s) > 40 ? "..." : "";
    if (!scalar_is_plain(n)) {
        snprintf(buf, len, "a string (\"%.*s%s\")", w, s, more);
        return buf;
    }
    if (plain_is(n, null_words, COUNT(null_words))) return "null (no value)";
    if (plain_is(n, true_words, COUNT(true_words)) || plain_is(n, false_words, COUNT(false_words)))
        snprintf(buf, len, "a boolean (%s)", s);
    else {
        switch (classify_number(s)) {
        case NUM_INT: snprintf(buf, len, "an integer (%.*s%s)", w, s, more); break;
        case NUM_FLOAT: snprintf(buf, len, "a float (%.*s%s)", w, s, more); break;
        case NUM_NONFINITE: snprintf(buf, len, "a non-finite number (%s)", s); break;
        case NUM_NONE: snprintf(buf, len, "a string (\"%.*s%s\")", w, s, more); break;
        }
    }
    return buf;
}

/* ---- the loader ----------------------------------------------------------- */

typedef struct {
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errlen;
    marks *marks;
    smx_config *cfg;
} loader;

/* An error at a node of the file, with an explicit key name. */
static smx_status fail_at(const loader *L, const yaml_node_t *n, const char *key,
                          const char *fmt, ...) SMX_PRINTF(4, 5);
static smx_status fail_at(const loader *L, const yaml_node_t *n, const char *key,
                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(L->err, L->errlen, L->file, pos_of_mark(n->start_mark), key, fmt, ap);
    va_end(ap);
    return SMX_ECONFIG;
}

/* An error at a node about key k. */
static smx_status fail(const loader *L, const yaml_node_t *n, kref k, const char *fmt, ...)
    SMX_PRINTF(4, 5);
static smx_status fail(const loader *L, const yaml_node_t *n, kref k, const char *fmt, ...)
{
    char name[96];
    kref_name(k, name, sizeof name);
    va_list ap;
    va_start(ap, fmt);
    emit(L->err, L->errlen, L->file, pos_of_mark(n->start_mark), name, fmt, ap);
    va_end(ap);
    return SMX_ECONFIG;
}

static smx_status wrong_type(const loader *L, const yaml_node_t *n, kref k, const char *expect)
{
    char buf[96];
    return fail(L, n, k, "wrong type: got %s (expected %s)", describe(n, buf, sizeof buf),
                expect);
}

static smx_status get_double(const loader *L, const yaml_node_t *n, kref k, const char *expect,
                             double *out)
{
    if (!scalar_is_plain(n)) return wrong_type(L, n, k, expect);
    num_kind kind = classify_number(scalar_text(n));
    if (kind == NUM_NONE) return wrong_type(L, n, k, expect);
    double v = kind == NUM_NONFINITE ? HUGE_VAL : strtod(scalar_text(n), NULL);
    if (!isfinite(v))
        return fail(L, n, k, "not a finite number: %s (expected %s)", scalar_text(n), expect);
    *out = v;
    return SMX_OK;
}

static smx_status get_int(const loader *L, const yaml_node_t *n, kref k, const char *expect,
                          int *out)
{
    if (!scalar_is_plain(n) || classify_number(scalar_text(n)) != NUM_INT)
        return wrong_type(L, n, k, expect);
    errno = 0;
    long long v = strtoll(scalar_text(n), NULL, 10);
    if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
        return fail(L, n, k, "out of range: %s is too large (expected %s)", scalar_text(n),
                    expect);
    *out = (int)v;
    return SMX_OK;
}

static smx_status get_bool(const loader *L, const yaml_node_t *n, kref k, int *out)
{
    if (plain_is(n, true_words, COUNT(true_words))) *out = 1;
    else if (plain_is(n, false_words, COUNT(false_words))) *out = 0;
    else return wrong_type(L, n, k, "true or false");
    return SMX_OK;
}

/* A string scalar (any quoting) that fits buf. */
static smx_status get_string(const loader *L, const yaml_node_t *n, kref k, const char *expect,
                             char *buf, size_t size)
{
    if (n->type != YAML_SCALAR_NODE || plain_is(n, null_words, COUNT(null_words)))
        return wrong_type(L, n, k, expect);
    size_t len = n->data.scalar.length;
    if (strlen(scalar_text(n)) != len)
        return fail(L, n, k, "contains a NUL character (expected %s)", expect);
    if (len == 0) return fail(L, n, k, "empty string (expected %s)", expect);
    if (len >= size)
        return fail(L, n, k, "too long: %zu characters (expected %s of at most %zu characters)",
                    len, expect, size - 1);
    memcpy(buf, scalar_text(n), len + 1);
    return SMX_OK;
}

static smx_status get_enum(const loader *L, const yaml_node_t *n, kref k,
                           const char *const *names, int count, int *out)
{
    char list[160], expect[176];
    snprintf(expect, sizeof expect, "one of %s", join_names(names, count, list, sizeof list));
    if (n->type != YAML_SCALAR_NODE || plain_is(n, null_words, COUNT(null_words)))
        return wrong_type(L, n, k, expect);
    int i = name_index(scalar_text(n), names, count);
    if (i < 0) return fail(L, n, k, "unknown value \"%s\" (expected %s)", scalar_text(n), expect);
    *out = i;
    return SMX_OK;
}

/* An enumeration key: the index of its value in names is the field's value. */
#define ENUM_KEY(field, names)                                                             \
    do {                                                                                   \
        st = get_enum(L, v, k, names, COUNT(names), &e);                                  \
        field = e;                                                                         \
        return st;                                                                         \
    } while (0)

static int is_auto(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && strcmp(scalar_text(n), "auto") == 0;
}

/* [a, b]: a sequence of exactly two numbers. */
static smx_status get_pair(const loader *L, const yaml_node_t *n, kref k, double v[2])
{
    const char *expect = "a sequence of 2 numbers [min, max]";
    if (n->type != YAML_SEQUENCE_NODE) return wrong_type(L, n, k, expect);
    yaml_node_item_t *it = n->data.sequence.items.start;
    long count = (long)(n->data.sequence.items.top - it);
    if (count != 2)
        return fail(L, n, k, "wrong length: %ld items (expected %s)", count, expect);
    for (int i = 0; i < 2; i++) {
        const yaml_node_t *e = yaml_document_get_node(L->doc, it[i]);
        smx_status st = get_double(L, e, k, "a number", &v[i]);
        if (st != SMX_OK) return st;
    }
    return SMX_OK;
}

static smx_status set_value(loader *L, kref k, yaml_node_t *v);
static smx_status set_slab_value(loader *L, kref k, yaml_node_t *v);

/* Walks a mapping: every key must be a known, unique string; each value is
 * handed to set_value after its position is recorded. `self` names the
 * mapping (its position is recorded too). */
static smx_status walk_mapping(loader *L, yaml_node_t *n, kref self, const char *const *names,
                               const int *ids, int count)
{
    char path[96];
    kref_name(self, path, sizeof path);
    if (n->type != YAML_MAPPING_NODE) {
        if (self.list == LIST_NONE && self.id == K_ROOT)
            return fail_at(L, n, path, "not a mapping (expected a mapping of sections)");
        return wrong_type(L, n, self, "a mapping");
    }
    *mark_slot(L->marks, self) = pos_of_mark(n->start_mark);
    const char *prefix = self.list == LIST_NONE && self.id == K_ROOT ? "" : path;
    const char *dot = prefix[0] ? "." : "";
    yaml_node_pair_t *first = n->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = first; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *val = yaml_document_get_node(L->doc, p->value);
        char list[256];
        join_names(names, count, list, sizeof list);
        if (key->type != YAML_SCALAR_NODE)
            return fail_at(L, key, path, "a key is not a string (expected one of %s)", list);
        const char *kname = scalar_text(key);
        char full[256];
        snprintf(full, sizeof full, "%s%s%.100s", prefix, dot, kname);
        int idx = strlen(kname) == key->data.scalar.length ? name_index(kname, names, count) : -1;
        if (idx < 0) return fail_at(L, key, full, "unknown key (expected one of %s)", list);
        for (yaml_node_pair_t *q = first; q < p; q++) {
            const yaml_node_t *prev = yaml_document_get_node(L->doc, q->key);
            if (prev->type == YAML_SCALAR_NODE && strcmp(scalar_text(prev), kname) == 0)
                return fail_at(L, key, full, "duplicate key, first given at line %zu (expected "
                               "each key at most once in a mapping)", prev->start_mark.line + 1);
        }
        kref child = {ids[idx], self.list, self.item};
        *mark_slot(L->marks, child) = pos_of_mark(val->start_mark);
        smx_status st = set_value(L, child, val);
        if (st != SMX_OK) return st;
    }
    return SMX_OK;
}

static smx_status set_beams(loader *L, yaml_node_t *n)
{
    const char *expect = "a non-empty sequence of beam mappings";
    if (n->type != YAML_SEQUENCE_NODE) return wrong_type(L, n, KR(K_BEAMS), expect);
    yaml_node_item_t *items = n->data.sequence.items.start;
    long count = (long)(n->data.sequence.items.top - items);
    if (count == 0) return fail(L, n, KR(K_BEAMS), "empty list (expected at least one beam)");
    if (count > SMX_MAX_BEAMS) {
        const yaml_node_t *extra = yaml_document_get_node(L->doc, items[SMX_MAX_BEAMS]);
        return fail(L, extra, BR(SMX_MAX_BEAMS, B_ITEM), "too many beams: %ld (expected at "
                    "most %d)", count, SMX_MAX_BEAMS);
    }
    smx_config *c = L->cfg;
    c->nbeams = (int)count;
    for (int i = 0; i < (int)count; i++) {
        c->beams[i] = (smx_beam){.protons = 1e9};
        yaml_node_t *item = yaml_document_get_node(L->doc, items[i]);
        smx_status st = walk_mapping(L, item, BR(i, B_ITEM), beam_names, beam_ids,
                                     COUNT(beam_names));
        if (st != SMX_OK) return st;
        if (!L->marks->beam[i][B_ENERGY].set)
            return fail(L, item, BR(i, B_ENERGY), "missing required key (expected the beam "
                        "energy in MeV)");
    }
    return SMX_OK;
}

static smx_status set_beam_value(loader *L, kref k, yaml_node_t *v)
{
    smx_beam *b = &L->cfg->beams[k.item];
    switch ((beam_key)k.id) {
    case B_ENERGY: return get_double(L, v, k, "a number in MeV", &b->energy_MeV);
    case B_ESPREAD: return get_double(L, v, k, "a number >= 0 in MeV", &b->energy_spread_MeV);
    case B_X: return get_double(L, v, k, "a number in mm", &b->x_mm);
    case B_SX: return get_double(L, v, k, "a number >= 0 in mm", &b->sigma_x_mm);
    case B_ANGLE: return get_double(L, v, k, "a number in deg", &b->angle_deg);
    case B_SANGLE: return get_double(L, v, k, "a number >= 0 in deg", &b->sigma_angle_deg);
    case B_PROTONS: return get_double(L, v, k, "a number > 0", &b->protons);
    case B_ITEM:
    case B_COUNT: break;
    }
    return SMX_OK;
}

/* A density override given in the file: SMX_DENSITY_MIN_G_CM3 <= d <=
 * SMX_DENSITY_MAX_G_CM3 (0 is the struct's "own density" and is not written
 * in a file: omit the key). */
static smx_status get_density(const loader *L, const yaml_node_t *n, kref k, double *out)
{
    char expect[96];
    snprintf(expect, sizeof expect, "a number >= %g and <= %g in g/cm3", SMX_DENSITY_MIN_G_CM3,
             SMX_DENSITY_MAX_G_CM3);
    smx_status st = get_double(L, n, k, expect, out);
    if (st != SMX_OK) return st;
    if (*out < SMX_DENSITY_MIN_G_CM3 || *out > SMX_DENSITY_MAX_G_CM3)
        return fail(L, n, k, "out of range: %g (expected %s; omit the key for the material's "
                    "own density)", *out, expect);
    return SMX_OK;
}

static smx_status set_slab_value(loader *L, kref k, yaml_node_t *v)
{
    smx_slab *s = &L->cfg->slabs[k.item];
    double pair[2];
    smx_status st;
    switch ((slab_key)k.id) {
    case S_Z:
        if ((st = get_pair(L, v, k, pair)) != SMX_OK) return st;
        s->z_min_mm = pair[0];
        s->z_max_mm = pair[1];
        return SMX_OK;
    case S_MATERIAL:
        return get_string(L, v, k, "a material name", s->material, sizeof s->material);
    case S_DENSITY: return get_density(L, v, k, &s->density_g_cm3);
    case S_ITEM:
    case S_COUNT: break;
    }
    return SMX_OK;
}

static smx_status set_slabs(loader *L, yaml_node_t *n)
{
    const char *expect = "a sequence of slab mappings {z_mm: [a, b], material: NAME}";
    if (n->type != YAML_SEQUENCE_NODE) return wrong_type(L, n, KR(K_SLABS), expect);
    yaml_node_item_t *items = n->data.sequence.items.start;
    long count = (long)(n->data.sequence.items.top - items);
    if (count > SMX_MAX_SLABS) {
        const yaml_node_t *extra = yaml_document_get_node(L->doc, items[SMX_MAX_SLABS]);
        return fail(L, extra, SR(SMX_MAX_SLABS, S_ITEM), "too many slabs: %ld (expected at "
                    "most %d)", count, SMX_MAX_SLABS);
    }
    smx_config *c = L->cfg;
    c->nslabs = (int)count;
    for (int i = 0; i < (int)count; i++) {
        memset(&c->slabs[i], 0, sizeof c->slabs[i]);
        yaml_node_t *item = yaml_document_get_node(L->doc, items[i]);
        smx_status st = walk_mapping(L, item, SR(i, S_ITEM), slab_names, slab_ids,
                                     COUNT(slab_names));
        if (st != SMX_OK) return st;
        if (!L->marks->slab[i][S_Z].set)
            return fail(L, item, SR(i, S_Z), "missing required key (expected the depth "
                        "interval [a, b] in mm)");
        if (!L->marks->slab[i][S_MATERIAL].set)
            return fail(L, item, SR(i, S_MATERIAL), "missing required key (expected a "
                        "material name listed in data/materials.csv)");
    }
    return SMX_OK;
}

static smx_status set_materials(loader *L, yaml_node_t *n)
{
    const char *expect = "a non-empty sequence of material names";
    if (n->type != YAML_SEQUENCE_NODE) return wrong_type(L, n, KR(K_MATERIALS), expect);
    yaml_node_item_t *items = n->data.sequence.items.start;
    long count = (long)(n->data.sequence.items.top - items);
    if (count == 0)
        return fail(L, n, KR(K_MATERIALS), "empty list (expected at least one material name)");
    if (count > SMX_MAX_MATERIALS) {
        const yaml_node_t *extra = yaml_document_get_node(L->doc, items[SMX_MAX_MATERIALS]);
        return fail(L, extra, MR(SMX_MAX_MATERIALS), "too many materials: %ld (expected at "
                    "most %d)", count, SMX_MAX_MATERIALS);
    }
    smx_config *c = L->cfg;
    c->nmaterials = (int)count;
    for (int i = 0; i < (int)count; i++) {
        yaml_node_t *item = yaml_document_get_node(L->doc, items[i]);
        *mark_slot(L->marks, MR(i)) = pos_of_mark(item->start_mark);
        smx_status st = get_string(L, item, MR(i), "a material name", c->materials[i],
                                   sizeof c->materials[i]);
        if (st != SMX_OK) return st;
    }
    return SMX_OK;
}

/* A file path; a relative one is resolved against the folder of the
 * configuration file (the part of its path up to the last '/'). */
static smx_status get_path(const loader *L, const yaml_node_t *n, kref k, char *out)
{
    char raw[SMX_PATH_LEN];
    smx_status st = get_string(L, n, k, "a path to a .npy file", raw, sizeof raw);
    if (st != SMX_OK) return st;
    size_t dir = 0;
    if (raw[0] != '/') {
        const char *slash = strrchr(L->file, '/');
        if (slash) dir = (size_t)(slash - L->file) + 1;
    }
    if (dir + strlen(raw) >= SMX_PATH_LEN)
        return fail(L, n, k, "path too long once resolved against the configuration's folder "
                    "(expected at most %d characters)", SMX_PATH_LEN - 1);
    memcpy(out, L->file, dir);
    memcpy(out + dir, raw, strlen(raw) + 1);
    return SMX_OK;
}

/* After grid.theta: a full circle has no window. */
static smx_status check_theta_keys(loader *L, yaml_node_t *theta)
{
    const pos *m = L->marks->key;
    if (!m[K_TFULL].set || !L->cfg->theta_full_circle) return SMX_OK;
    kref k = m[K_TMIN].set ? KR(K_TMIN) : m[K_TMAX].set ? KR(K_TMAX) : KNONE;
    if (k.id < 0) return SMX_OK;
    /* Find the key node to point at. */
    for (yaml_node_pair_t *p = theta->data.mapping.pairs.start; p < theta->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *key = yaml_document_get_node(L->doc, p->key);
        if (strcmp(scalar_text(key), k.id == K_TMIN ? "min_deg" : "max_deg") == 0)
            return fail(L, key, k, "not allowed with full_circle: true (expected either "
                        "full_circle: true or a min_deg/max_deg window)");
    }
    return SMX_OK;
}

static smx_status set_value(loader *L, kref k, yaml_node_t *v)
{
    if (k.list == LIST_BEAMS) return set_beam_value(L, k, v);
    if (k.list == LIST_SLABS) return set_slab_value(L, k, v);
    smx_config *c = L->cfg;
    smx_status st = SMX_OK;
    double pair[2];
    int e = 0;
    switch ((key_id)k.id) {
    case K_GRID:
        return walk_mapping(L, v, k, grid_names, grid_ids, COUNT(grid_names));
    case K_X:
        if ((st = get_pair(L, v, k, pair)) != SMX_OK) return st;
        c->x_min_mm = pair[0];
        c->x_max_mm = pair[1];
        return SMX_OK;
    case K_NX: return get_int(L, v, k, "an integer >= 1", &c->nx);
    case K_Z:
        if ((st = get_pair(L, v, k, pair)) != SMX_OK) return st;
        if (pair[0] != 0.0)
            return fail(L, yaml_document_get_node(L->doc, v->data.sequence.items.start[0]), k,
                        "the grid starts at the surface: first value %g (expected [0, z_max] "
                        "with z_max > 0)", pair[0]);
        c->z_max_mm = pair[1];
        return SMX_OK;
    case K_NZ: return get_int(L, v, k, "an integer >= 1", &c->nz);
    case K_Y: return get_double(L, v, k, "a number > 0 in mm", &c->y_thickness_mm);
    case K_THETA:
        st = walk_mapping(L, v, k, theta_names, theta_ids, COUNT(theta_names));
        return st != SMX_OK ? st : check_theta_keys(L, v);
    case K_TBINS: return get_int(L, v, k, "an integer >= 1", &c->ntheta);
    case K_TMIN: return get_double(L, v, k, "a number in deg", &c->theta_min_deg);
    case K_TMAX: return get_double(L, v, k, "a number in deg", &c->theta_max_deg);
    case K_TFULL: return get_bool(L, v, k, &c->theta_full_circle);
    case K_ENERGY:
        return walk_mapping(L, v, k, energy_names, energy_ids, COUNT(energy_names));
    case K_EBINS:
        if (is_auto(v)) {
            c->ne = 0;
            return SMX_OK;
        }
        if ((st = get_int(L, v, k, "auto or an integer from 2", &c->ne)) != SMX_OK) return st;
        return SMX_OK;
    case K_EMIN: return get_double(L, v, k, "a number in MeV", &c->e_min_MeV);
    case K_EMAX: return get_double(L, v, k, "a number in MeV", &c->e_max_MeV);
    case K_ESPACING: ENUM_KEY(c->spacing, spacing_names);
    case K_MATERIAL:
        return get_string(L, v, k, "a material name", c->material, sizeof c->material);
    case K_DENSITY: return get_density(L, v, k, &c->density_g_cm3);
    case K_SLABS: return set_slabs(L, v);
    case K_MATMAP: return get_path(L, v, k, c->material_map);
    case K_MATERIALS: return set_materials(L, v);
    case K_DENSMAP: return get_path(L, v, k, c->density_map);
    case K_BEAMS: return set_beams(L, v);
    case K_TRANSPORT:
        return walk_mapping(L, v, k, transport_names, transport_ids, COUNT(transport_names));
    case K_STEP:
        if (is_auto(v)) {
            c->step_mm = 0.0;
            return SMX_OK;
        }
        if ((st = get_double(L, v, k, "auto or a number > 0 in mm", &c->step_mm)) != SMX_OK)
            return st;
        if (c->step_mm <= 0)
            return fail(L, v, k, "out of range: %g (expected auto or a number > 0)", c->step_mm);
        return SMX_OK;
    case K_SPLIT: ENUM_KEY(c->splitting, split_names);
    case K_SCATTER: ENUM_KEY(c->scattering, scatter_names);
    case K_MAXSTEPS: return get_int(L, v, k, "an integer >= 1", &c->max_steps);
    case K_MAXANGLE: return get_double(L, v, k, "a number in deg", &c->max_angle_deg);
    case K_STRAGGLING: ENUM_KEY(c->straggling, straggling_names);
    case K_NUCLEAR: ENUM_KEY(c->nuclear, nuclear_names);
    case K_SECONDARIES: ENUM_KEY(c->secondaries, secondaries_names);
    case K_STREAMING: ENUM_KEY(c->streaming, streaming_names);
    case K_RUN: return walk_mapping(L, v, k, run_names, run_ids, COUNT(run_names));
    case K_BACKEND: return get_string(L, v, k, "a backend name", c->backend, sizeof c->backend);
    case K_PRECISION: ENUM_KEY(c->precision, precision_names);
    case K_DEVICE: return get_int(L, v, k, "an integer >= 0", &c->device);
    case K_ACCUM: ENUM_KEY(c->accumulation, accumulation_names);
    case K_SCATTER_IMPL: ENUM_KEY(c->scatter, scatter_impl_names);
    case K_THREADS: return get_int(L, v, k, "an integer >= 0", &c->threads);
    case K_MEMLIMIT: return get_double(L, v, k, "a number of GB (0: the machine's memory)", &c->memory_limit_GB);
    case K_OUTPUT: return walk_mapping(L, v, k, output_names, output_ids, COUNT(output_names));
    case K_IDD_RES:
        return get_double(L, v, k, "a number > 0 in mm (or 0: no fine tally)", &c->idd_resolution_mm);
    case K_ROOT:
    case K_COUNT: break;
    }
    return SMX_OK;
}

/* ---- the map files (read after the whole document: they need the grid) --- */

/* Reads and checks the maps once, into *maps (see io/maps.h). */
static smx_status read_maps(const smx_config *c, const reporter *r, smx__maps **maps)
{
    if (!c->material_map[0]) return SMX_OK;
    const char *key;
    char why[SMX_PATH_LEN + 512];
    smx_status st = smx__maps_new(c, maps, &key, why, sizeof why);
    if (st == SMX_ENOMEM) {
        smx__err(r->err, r->errlen, "%s: %s", r->file, why);
        return st;
    }
    if (st != SMX_OK) return bad(r, KR(strcmp(key, "density_map") ? K_MATMAP : K_DENSMAP), KNONE, "%s", why);
    return SMX_OK;
}

/* Fills cfg from a loaded document, then runs the checks with positions. */
static smx_status load_document(yaml_document_t *doc, const char *file, smx_config *cfg,
                                char *err, size_t errlen)
{
    marks *m = calloc(1, sizeof *m);
    if (!m) {
        smx__err(err, errlen, "%s: out of memory", file);
        return SMX_ENOMEM;
    }
    loader L = {doc, file, err, errlen, m, cfg};
    reporter r = {file, m, err, errlen};
    smx_status st;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) {
        smx__err(err, errlen, "%s:1:1: (top level): empty document (expected a mapping of "
                    "sections)", file);
        st = SMX_ECONFIG;
    } else if (root->type != YAML_MAPPING_NODE) {
        char buf[96];
        smx__err(err, errlen, "%s:1:1: (top level): not a mapping: got %s (expected a "
                    "mapping of sections)", file, describe(root, buf, sizeof buf));
        st = SMX_ECONFIG;
    } else {
        st = walk_mapping(&L, root, KR(K_ROOT), root_names, root_ids, COUNT(root_names));
        if (st == SMX_OK && !m->key[K_BEAMS].set)
            st = fail(&L, root, KR(K_BEAMS), "missing required key (expected a non-empty "
                      "sequence of beams)");
        if (st == SMX_OK) st = smx__config_check_all(cfg, &r);
        smx__maps *maps = NULL;
        if (st == SMX_OK) st = read_maps(cfg, &r, &maps);
        if (st == SMX_OK && (st = smx__config_keep(cfg, m, maps)) != SMX_OK)
            smx__err(err, errlen, "%s: out of memory", file);
    }
    free(m);
    return st;
}

/* 1-based line and column of a byte offset (reader errors carry no mark). */
static pos pos_of_offset(FILE *f, size_t offset)
{
    pos p = {1, 1, 1};
    if (fseek(f, 0, SEEK_SET) != 0) return p;
    for (size_t i = 0; i < offset; i++) {
        int ch = fgetc(f);
        if (ch == EOF) break;
        if (ch == '\n') p.line++, p.col = 1;
        else p.col++;
    }
    return p;
}

static smx_status syntax_error(const yaml_parser_t *ps, FILE *f, const char *file, char *err,
                               size_t errlen)
{
    const char *problem = ps->problem ? ps->problem : "malformed YAML";
    if (ps->error == YAML_MEMORY_ERROR) {
        smx__err(err, errlen, "%s: out of memory while reading YAML", file);
        return SMX_ENOMEM;
    }
    if (ps->error == YAML_READER_ERROR && ferror(f)) {
        smx__err(err, errlen, "%s: cannot read: %s", file, strerror(errno));
        return SMX_EIO;
    }
    if (ps->error == YAML_READER_ERROR) {
        pos p = pos_of_offset(f, ps->problem_offset);
        smx__err(err, errlen, "%s:%zu:%zu: YAML syntax error: %s", file, p.line, p.col,
                    problem);
        return SMX_ECONFIG;
    }
    pos p = pos_of_mark(ps->problem_mark);
    if (ps->context) {
        pos c = pos_of_mark(ps->context_mark);
        smx__err(err, errlen, "%s:%zu:%zu: YAML syntax error: %s (%s at %zu:%zu)", file,
                    p.line, p.col, problem, ps->context, c.line, c.col);
    } else {
        smx__err(err, errlen, "%s:%zu:%zu: YAML syntax error: %s", file, p.line, p.col,
                    problem);
    }
    return SMX_ECONFIG;
}

/* Loads the first document and makes sure no second one follows. */
static smx_status parse_file(yaml_parser_t *ps, FILE *f, const char *file, smx_config *cfg,
                             char *err, size_t errlen)
{
    yaml_document_t doc, extra;
    if (!yaml_parser_load(ps, &doc)) return syntax_error(ps, f, file, err, errlen);
    if (!yaml_parser_load(ps, &extra)) {
        yaml_document_delete(&doc);
        return syntax_error(ps, f, file, err, errlen);
    }
    smx_status st;
    yaml_node_t *second = yaml_document_get_root_node(&extra);
    if (second) {
        pos p = pos_of_mark(extra.start_mark);
        smx__err(err, errlen, "%s:%zu:%zu: (top level): a second YAML document (expected "
                    "one document)", file, p.line, p.col);
        st = SMX_ECONFIG;
    } else {
        st = load_document(&doc, file, cfg, err, errlen);
    }
    yaml_document_delete(&extra);
    yaml_document_delete(&doc);
    return st;
}

smx_status smx_config_load(const char *path, smx_config *cfg, char *err, size_t errlen)
{
    if (!path || !cfg) {
        smx__err(err, errlen, "smx_config_load: %s is NULL", path ? "cfg" : "path");
        return SMX_EINVAL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        smx__err(err, errlen, "%s: cannot open: %s", path, strerror(e));
        return SMX_EIO;
    }
    /* Work on a copy: the caller's struct changes only on success. */
    smx_config *work = malloc(sizeof *work);
    yaml_parser_t ps;
    if (!work || !yaml_parser_initialize(&ps)) {
        free(work);
        fclose(f);
        smx__err(err, errlen, "%s: out of memory", path);
        return SMX_ENOMEM;
    }
    memcpy(work, cfg, sizeof *cfg);
    work->loaded = NULL;
    snprintf(work->source_path, sizeof work->source_path, "%s", path);
    yaml_parser_set_input_file(&ps, f);
    smx_status st = parse_file(&ps, f, path, work, err, errlen);
    yaml_parser_delete(&ps);
    fclose(f);
    if (st == SMX_OK) {
        smx_config_free(cfg);
        memcpy(cfg, work, sizeof *cfg); /* byte for byte: as work->loaded holds it */
    } else {
        smx_config_free(work);
    }
    free(work);
    return st;
}
