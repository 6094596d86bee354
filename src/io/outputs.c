/* The result files of a run: dose.npy, idd.csv and metrics.json.
 *
 * All three are written under temporary names in the output folder and
 * renamed into place only when every one of them was written, so a failed
 * run never leaves a mixture of old and new files; folders this call
 * created are removed again on failure. */
#define _POSIX_C_SOURCE 200809L

#include "smatrix2d/smatrix2d.h"
#include "core/material.h"
#include "core/util.h"
#include "io/json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* metrics.json last: it names the files of its set (the manifest), and a
 * folder without it holds no finished result; idd_fine.csv only with the
 * fine depth tally */
enum { OUT_DOSE = 0, OUT_IDD, OUT_IDD_FINE, OUT_METRICS, OUT_COUNT };
static const char *const out_names[OUT_COUNT] = {"dose.npy", "idd.csv", "idd_fine.csv",
                                                 "metrics.json"};

/* Size and FNV-1a 64-bit hash of a file written for the set. */
typedef struct out_file {
    int present;
    long long bytes;
    unsigned long long fnv1a64;
} out_file;

static int hash_file(const char *path, out_file *o)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char buf[65536];
    size_t n;
    o->bytes = 0;
    o->fnv1a64 = 0xcbf29ce484222325ULL;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        for (size_t k = 0; k < n; k++) o->fnv1a64 = (o->fnv1a64 ^ buf[k]) * 0x100000001b3ULL;
        o->bytes += (long long)n;
    }
    int ok = !ferror(f);
    fclose(f);
    o->present = ok;
    return ok;
}

static void json_manifest(smx__json *j, const out_file files[OUT_COUNT])
{
    smx__json_key(j, "outputs"); /* the files of this set; metrics.json is written last */
    smx__json_begin_object(j);
    for (int k = 0; k < OUT_METRICS; k++) {
        if (!files[k].present) continue;
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", files[k].fnv1a64);
        smx__json_key(j, out_names[k]);
        smx__json_begin_object(j);
        smx__json_kv_double(j, "bytes", (double)files[k].bytes);
        smx__json_kv_string(j, "fnv1a64", hex);
        smx__json_end_object(j);
    }
    smx__json_end_object(j);
}

static const char *const edge_keys[SMX_EDGE_COUNT] = {"x_min", "x_max", "z_min", "z_max",
                                                      "theta_window"};

#define STOPPING_POWER_SOURCE "NIST PSTAR (ICRU 49), log-log interpolation"

static char *join_path(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

/* ---- mkdir -p with a record of what it created ------------------------- */

typedef struct created_dirs {
    char *path;    /* a copy of the requested folder */
    size_t *ends;  /* prefix lengths of the folders this call created */
    int n;
} created_dirs;

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Creates one prefix of the path; 0 or an errno value. */
static int make_one(const char *prefix, int *created)
{
    *created = 0;
    if (mkdir(prefix, 0777) == 0) {
        *created = 1;
        return 0;
    }
    int e = errno;
    if (is_dir(prefix))
        return 0;
    if (e == EEXIST)
        e = ENOTDIR;
    return e;
}

static smx_status make_dirs(const char *dir, created_dirs *cd, char *err, size_t errlen)
{
    size_t len = strlen(dir);
    cd->n = 0;
    cd->path = malloc(len + 1);
    cd->ends = malloc((len + 1) * sizeof *cd->ends);
    if (!cd->path || !cd->ends) {
        smx__err(err, errlen, "%s: out of memory", dir);
        return SMX_ENOMEM;
    }
    memcpy(cd->path, dir, len + 1);
    char *p = cd->path;
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        if (p[i - 1] == '/') /* repeated or trailing slash */
            continue;
        char saved = p[i];
        p[i] = '\0';
        int created;
        int e = make_one(p, &created);
        if (e) {
            smx__err(err, errlen, "%s: %s", p, strerror(e));
            p[i] = saved;
            return SMX_EIO;
        }
        if (created)
            cd->ends[cd->n++] = i;
        p[i] = saved;
    }
    return SMX_OK;
}

/* Removes the folders make_dirs created, deepest first. */
static void remove_created_dirs(created_dirs *cd)
{
    for (int k = cd->n - 1; k >= 0; k--) {
        cd->path[cd->ends[k]] = '\0';
        rmdir(cd->path);
    }
    cd->n = 0;
}

static void free_created_dirs(created_dirs *cd)
{
    free(cd->path);
    free(cd->ends);
}

/* ---- text files -------------------------------------------------------- */

/* "%.10g" that stays a valid CSV number whatever the host's locale. */
static void fmt_num(char *buf, size_t n, double v)
{
    snprintf(buf, n, "%.10g", v);
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = '.';
}

static smx_status close_checked(FILE *f, int e, const char *path, char *err, size_t errlen)
{
    errno = 0;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        smx__err(err, errlen, "%s: %s", path, strerror(e));
        return SMX_EIO;
    }
    return SMX_OK;
}

/* An IDD as depth_mm,idd_MeV_per_mm_per_proton: the cell IDD, or with
 * `fine` the fine tally (bin centres). */
static smx_status write_idd_csv(const char *path, const smx_result *res, int fine, char *err,
                                size_t errlen)
{
    errno = 0;
    FILE *f = fopen(path, "w");
    if (!f) {
        smx__err(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        return SMX_EIO;
    }
    int e = 0;
    if (fputs("depth_mm,idd_MeV_per_mm_per_proton\n", f) == EOF)
        e = errno ? errno : EIO;
    int n = fine ? res->nfine : res->nz;
    for (int iz = 0; iz < n && !e; iz++) {
        char a[40], b[40];
        fmt_num(a, sizeof a, fine ? (iz + 0.5) * res->idd_fine_resolution_mm : res->depth_mm[iz]);
        fmt_num(b, sizeof b, fine ? res->idd_fine_MeV_per_mm[iz] : res->idd_MeV_per_mm[iz]);
        if (fprintf(f, "%s,%s\n", a, b) < 0)
            e = errno ? errno : EIO;
    }
    return close_checked(f, e, path, err, errlen);
}

static smx_status write_text(const char *path, const char *text, size_t len, char *err,
                             size_t errlen)
{
    errno = 0;
    FILE *f = fopen(path, "w");
    if (!f) {
        smx__err(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        return SMX_EIO;
    }
    int e = 0;
    if (len > 0 && fwrite(text, 1, len, f) != len)
        e = errno ? errno : EIO;
    return close_checked(f, e, path, err, errlen);
}

/* ---- metrics.json ------------------------------------------------------ */

static double max_finite(const double *v, size_t n)
{
    double m = NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && !(v[i] <= m))
            m = v[i];
    return m;
}

static void json_range(smx__json *j, const char *key, double lo, double hi)
{
    smx__json_key(j, key);
    smx__json_begin_array(j);
    smx__json_double(j, lo);
    smx__json_double(j, hi);
    smx__json_end_array(j);
}

static void json_edges(smx__json *j, const char *key, const double v[SMX_EDGE_COUNT])
{
    smx__json_key(j, key);
    smx__json_begin_object(j);
    for (int k = 0; k < SMX_EDGE_COUNT; k++)
        smx__json_kv_double(j, edge_keys[k], v[k]);
    smx__json_end_object(j);
}

static void json_metrics(smx__json *j, const smx_result *res)
{
    const smx_metrics *m = &res->metrics;
    char from[64];
    if (res->nfine > 0)
        snprintf(from, sizeof from, "idd_fine.csv (%g mm bins)", res->idd_fine_resolution_mm);
    else
        snprintf(from, sizeof from, "idd.csv (depth cells)");
    smx__json_kv_string(j, "depth_metrics_from", from);
    smx__json_kv_double(j, "r80_mm", m->r80_mm);
    smx__json_kv_double(j, "r90_mm", m->r90_mm);
    smx__json_kv_double(j, "r20_mm", m->r20_mm);
    smx__json_kv_double(j, "peak_depth_mm", m->peak_depth_mm);
    smx__json_kv_double(j, "peak_to_entrance", m->peak_to_entrance);
    smx__json_kv_double(j, "entrance_idd_MeV_per_mm", m->entrance_idd);
    smx__json_kv_double(j, "distal_80_20_mm", m->distal_80_20_mm);
    smx__json_kv_double(j, "lateral_sigma_at_r80_mm", m->lateral_sigma_at_r80_mm);
    smx__json_kv_double(j, "numerical_range_straggling_mm", m->numerical_range_straggling_mm);
    smx__json_kv_double(j, "numerical_lateral_sigma_at_range_mm",
                        m->numerical_lateral_sigma_at_range_mm);
}

static void json_run(smx__json *j, const smx_result *res)
{
    smx__json_kv_int(j, "steps", res->steps);
    smx__json_kv_double(j, "step_mm", res->step_mm);
    smx__json_kv_string(j, "backend", res->backend);
    smx__json_kv_string(j, "device", res->device);
    smx__json_kv_string(j, "precision", smx_precision_name(res->precision));
    smx__json_kv_string(j, "accumulation", res->accumulation);
    smx__json_kv_string(j, "scatter", res->scatter);
    smx__json_kv_double(j, "total_protons", res->total_protons);
    smx__json_kv_int(j, "energy_bins_used", res->ne_used);
    smx__json_kv_double(j, "energy_max_used_MeV", res->e_max_used_MeV);
    double dose_max = max_finite(res->dose_Gy, (size_t)res->nz * (size_t)res->nx);
    smx__json_kv_double(j, "dose_max_Gy", dose_max);
    smx__json_kv_double(j, "dose_per_proton_max_Gy",
                        res->total_protons > 0 ? dose_max / res->total_protons : NAN);
}

static void json_grid(smx__json *j, const smx_config *cfg, const smx_result *res)
{
    smx__json_key(j, "grid");
    smx__json_begin_object(j);
    smx__json_kv_int(j, "nx", res->nx);
    smx__json_kv_int(j, "nz", res->nz);
    smx__json_kv_int(j, "ntheta", cfg->ntheta);
    smx__json_kv_int(j, "ne", res->ne_used);
    json_range(j, "x_mm", cfg->x_min_mm, cfg->x_max_mm);
    json_range(j, "z_mm", 0.0, cfg->z_max_mm);
    smx__json_kv_double(j, "y_thickness_mm", cfg->y_thickness_mm);
    smx__json_key(j, "theta");
    smx__json_begin_object(j);
    smx__json_kv_bool(j, "full_circle", cfg->theta_full_circle);
    smx__json_kv_double(j, "min_deg", cfg->theta_min_deg);
    smx__json_kv_double(j, "max_deg", cfg->theta_max_deg);
    smx__json_end_object(j);
    json_range(j, "energy_MeV", res->e_min_used_MeV, res->e_max_used_MeV);
    smx__json_kv_string(j, "energy_spacing", smx_spacing_name(cfg->spacing));
    smx__json_end_object(j);
}

static const char *scatter_source(smx_scatter_model m)
{
    switch (m) {
    case SMX_SCATTER_DIFFERENTIAL_MOLIERE:
        return "differential Moliere, Gottschalk 2010 Med. Phys. 37:352; X_S from the composition";
    case SMX_SCATTER_FERMI_ROSSI: return "Fermi-Rossi (15 MeV/pv)^2/X0, X0 from PDG";
    case SMX_SCATTER_HIGHLAND_STEP: return "PDG Highland formula per step";
    case SMX_SCATTER_NONE: return "none";
    }
    return "unknown";
}

/* The density a medium was run at: the override, or the material's own
 * (data/materials.csv). */
static double density_used(const char *material, double override_g_cm3)
{
    smx_material m;
    char err[256];
    if (override_g_cm3 > 0) return override_g_cm3;
    return smx__material_load(material, &m, err, sizeof err) == SMX_OK ? m.density_g_cm3 : NAN;
}

/* The medium: background, slabs or map, as configured, with the densities
 * used. */
static void json_medium(smx__json *j, const smx_config *cfg)
{
    smx__json_kv_string(j, "material", cfg->material);
    smx__json_kv_double(j, "density_g_cm3", density_used(cfg->material, cfg->density_g_cm3));
    smx__json_key(j, "slabs");
    smx__json_begin_array(j);
    for (int s = 0; s < cfg->nslabs && s < SMX_MAX_SLABS; s++) {
        smx__json_begin_object(j);
        json_range(j, "z_mm", cfg->slabs[s].z_min_mm, cfg->slabs[s].z_max_mm);
        smx__json_kv_string(j, "material", cfg->slabs[s].material);
        smx__json_kv_double(j, "density_g_cm3",
                            density_used(cfg->slabs[s].material, cfg->slabs[s].density_g_cm3));
        smx__json_end_object(j);
    }
    smx__json_end_array(j);
    smx__json_kv_string(j, "material_map", cfg->material_map[0] ? cfg->material_map : NULL);
    smx__json_kv_string(j, "density_map", cfg->density_map[0] ? cfg->density_map : NULL);
    smx__json_key(j, "materials");
    smx__json_begin_array(j);
    for (int m = 0; m < cfg->nmaterials && m < SMX_MAX_MATERIALS; m++) smx__json_string(j, cfg->materials[m]);
    smx__json_end_array(j);
}

/* Everything needed to reproduce the physics of a run. */
static void json_physics(smx__json *j, const smx_config *cfg)
{
    smx__json_key(j, "physics");
    smx__json_begin_object(j);
    smx__json_kv_string(j, "engine_version", smx_version());
    json_medium(j, cfg);
    smx__json_kv_string(j, "stopping_power", STOPPING_POWER_SOURCE);
    smx__json_kv_string(j, "scattering", smx_scatter_name(cfg->scattering));
    smx__json_kv_string(j, "scattering_model", scatter_source(cfg->scattering));
    smx__json_kv_string(j, "straggling", smx_straggling_name(cfg->straggling));
    smx__json_kv_string(j, "straggling_model",
                        cfg->straggling == SMX_STRAGGLING_BOHR
                            ? "Bohr: 0.1569 MeV2 cm2/g (Z/A) rho ds (1-b2/2)/(1-b2), moment matched on the bins"
                            : "none");
    smx__json_kv_string(j, "nuclear", smx_nuclear_name(cfg->nuclear));
    smx__json_kv_string(j, "nuclear_model",
                        cfg->nuclear == SMX_NUCLEAR_ICRU63
                            ? "non-elastic removal, Wellisch & Axen 1996 (as in Geant4 "
                              "G4ProtonInelasticCrossSection)"
                            : "none");
    smx__json_kv_string(j, "secondaries", smx_secondaries_name(cfg->secondaries));
    smx__json_kv_string(j, "secondaries_model",
                        cfg->nuclear != SMX_NUCLEAR_ICRU63 ? "none"
                        : cfg->secondaries == SMX_SECONDARIES_LOCAL
                            ? "local: 0.6 of a removed proton's energy deposited where it is removed, "
                              "0.4 escapes (Bortfeld 1997)"
                            : "transport: Fippel & Soukup 2004 cascade (moqui parameters); secondary "
                              "protons back into psi, forward, at the energy of their depth reach");
    smx__json_kv_string(j, "streaming", smx_streaming_name(cfg->streaming));
    smx__json_kv_string(j, "splitting", smx_splitting_name(cfg->splitting));
    smx__json_kv_double(j, "max_angle_deg", cfg->max_angle_deg);
    smx__json_kv_double(j, "trim_weight", SMX_TRIM_WEIGHT);
    smx__json_end_object(j);
}

static void json_beams(smx__json *j, const smx_config *cfg)
{
    int n = cfg->nbeams < 0 ? 0 : (cfg->nbeams > SMX_MAX_BEAMS ? SMX_MAX_BEAMS : cfg->nbeams);
    smx__json_key(j, "beams");
    smx__json_begin_array(j);
    for (int i = 0; i < n; i++) {
        const smx_beam *b = &cfg->beams[i];
        smx__json_begin_object(j);
        smx__json_kv_double(j, "energy_MeV", b->energy_MeV);
        smx__json_kv_double(j, "energy_spread_MeV", b->energy_spread_MeV);
        smx__json_kv_double(j, "x_mm", b->x_mm);
        smx__json_kv_double(j, "sigma_x_mm", b->sigma_x_mm);
        smx__json_kv_double(j, "angle_deg", b->angle_deg);
        smx__json_kv_double(j, "sigma_angle_deg", b->sigma_angle_deg);
        smx__json_kv_double(j, "protons", b->protons);
        smx__json_end_object(j);
    }
    smx__json_end_array(j);
}

static void json_accounting(smx__json *j, const smx_accounting *a)
{
    smx__json_key(j, "accounting");
    smx__json_begin_object(j);

    smx__json_key(j, "weight");
    smx__json_begin_object(j);
    smx__json_kv_double(j, "source", a->weight_source);
    smx__json_kv_double(j, "source_leaked", a->weight_source_leaked);
    json_edges(j, "leaked", a->weight_leaked);
    smx__json_kv_double(j, "rejected", a->weight_rejected);
    smx__json_kv_double(j, "absorbed", a->weight_absorbed);
    smx__json_kv_double(j, "nuclear", a->weight_nuclear);
    smx__json_kv_double(j, "secondary_created", a->weight_secondary);
    smx__json_kv_double(j, "trimmed", a->weight_trimmed);
    smx__json_kv_double(j, "remaining", a->weight_remaining);
    smx__json_end_object(j);

    smx__json_key(j, "energy_MeV_per_proton");
    smx__json_begin_object(j);
    smx__json_kv_double(j, "source", a->energy_source);
    smx__json_kv_double(j, "source_leaked", a->energy_source_leaked);
    smx__json_kv_double(j, "deposited", a->energy_deposited);
    json_edges(j, "leaked", a->energy_leaked);
    smx__json_kv_double(j, "nuclear_deposited", a->energy_nuclear_deposited);
    smx__json_kv_double(j, "nuclear_escaped", a->energy_nuclear_escaped);
    smx__json_kv_double(j, "secondary", a->energy_secondary);
    smx__json_kv_double(j, "remaining", a->energy_remaining);
    smx__json_end_object(j);

    smx__json_kv_double(j, "worst_step_weight_imbalance", a->worst_weight_imbalance);
    smx__json_kv_double(j, "worst_step_energy_imbalance", a->worst_energy_imbalance);
    smx__json_kv_int(j, "worst_weight_step", a->worst_weight_step);
    smx__json_kv_int(j, "worst_energy_step", a->worst_energy_step);
    smx__json_end_object(j);
}

static void json_timing(smx__json *j, const smx_timing *t)
{
    smx__json_key(j, "timing");
    smx__json_begin_object(j);
    smx__json_kv_double(j, "total_s", t->total_s);
    smx__json_kv_double(j, "setup_s", t->setup_s);
    smx__json_kv_double(j, "transport_s", t->transport_s);
    smx__json_kv_double(j, "step_ms", t->step_ms);
    smx__json_kv_double(j, "peak_rss_MB", t->peak_rss_MB);
    if (t->device_waits_per_step >= 0) smx__json_kv_double(j, "device_waits_per_step", t->device_waits_per_step);
    smx__json_kv_ops(j, "per_operator_ms_per_step", t->op_ms_per_step);
    if (t->op_kernel_ms_per_step[0] >= 0) /* the device's own clock, where it has one */
        smx__json_kv_ops(j, "per_operator_kernel_ms_per_step", t->op_kernel_ms_per_step);
    smx__json_end_object(j);
}

static smx_status write_metrics_json(const char *path, const smx_config *cfg,
                                     const smx_result *res, const out_file files[OUT_COUNT],
                                     char *err, size_t errlen)
{
    smx__json j;
    smx__json_init(&j, 1);
    smx__json_begin_object(&j);
    smx__json_key(&j, "warnings"); /* what makes the results untrustworthy */
    smx__json_begin_array(&j);
    for (int w = 0; w < res->nwarnings && w < SMX_MAX_WARNINGS; w++)
        smx__json_string(&j, res->warnings[w]);
    smx__json_end_array(&j);
    json_metrics(&j, res);
    json_run(&j, res);
    smx__json_kv_string(&j, "config", cfg->source_path[0] ? cfg->source_path : NULL);
    json_grid(&j, cfg, res);
    json_physics(&j, cfg);
    json_beams(&j, cfg);
    json_accounting(&j, &res->accounting);
    json_timing(&j, &res->timing);
    json_manifest(&j, files);
    smx__json_end_object(&j);

    smx_status st;
    if (!smx__json_ok(&j)) {
        smx__err(err, errlen, "%s: out of memory while formatting", path);
        st = SMX_ENOMEM;
    } else {
        size_t len = smx__json_length(&j);
        char *text = malloc(len + 1);
        if (!text) {
            smx__err(err, errlen, "%s: out of memory", path);
            st = SMX_ENOMEM;
        } else {
            memcpy(text, smx__json_text(&j), len);
            text[len] = '\n';
            st = write_text(path, text, len + 1, err, errlen);
            free(text);
        }
    }
    smx__json_free(&j);
    return st;
}

/* ---- the set of files, all or nothing ---------------------------------- */

static int result_is_valid(const smx_result *res)
{
    return res->nx > 0 && res->nz > 0 && res->dose_Gy && res->depth_mm &&
           res->idd_MeV_per_mm;
}

static smx_status write_temps(char *const tmp[OUT_COUNT], const smx_config *cfg,
                              const smx_result *res, int written[OUT_COUNT], char *err,
                              size_t errlen)
{
    smx_status st = smx_write_npy_f64(tmp[OUT_DOSE], res->dose_Gy, res->nz, res->nx, err, errlen);
    if (st != SMX_OK)
        return st;
    written[OUT_DOSE] = 1;
    written[OUT_IDD] = 1; /* a failed write may leave a partial file */
    st = write_idd_csv(tmp[OUT_IDD], res, 0, err, errlen);
    if (st == SMX_OK && res->nfine > 0) {
        written[OUT_IDD_FINE] = 1;
        st = write_idd_csv(tmp[OUT_IDD_FINE], res, 1, err, errlen);
    }
    out_file files[OUT_COUNT] = {{0}};
    for (int k = 0; st == SMX_OK && k < OUT_METRICS; k++)
        if (written[k] && !hash_file(tmp[k], &files[k])) {
            smx__err(err, errlen, "%s: cannot read back: %s", tmp[k], strerror(errno));
            st = SMX_EIO;
        }
    if (st != SMX_OK)
        return st;
    written[OUT_METRICS] = 1;
    return write_metrics_json(tmp[OUT_METRICS], cfg, res, files, err, errlen);
}

static int path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Renames every temp into place, metrics.json last, after removing an
 * earlier run's metrics.json (so that no reader takes a half-replaced set
 * for a finished one) and its idd_fine.csv when this run has none; on a
 * failure undoes what it can: files that did not exist before are removed
 * again. */
static smx_status commit_temps(char *const tmp[OUT_COUNT], char *const fin[OUT_COUNT],
                               int written[OUT_COUNT], char *err, size_t errlen)
{
    int existed[OUT_COUNT];
    for (int k = 0; k < OUT_COUNT; k++)
        existed[k] = path_exists(fin[k]);
    if (existed[OUT_METRICS] && remove(fin[OUT_METRICS]) != 0) {
        smx__err(err, errlen, "%s: %s", fin[OUT_METRICS], strerror(errno));
        return SMX_EIO;
    }
    existed[OUT_METRICS] = 0;
    if (!written[OUT_IDD_FINE] && existed[OUT_IDD_FINE])
        remove(fin[OUT_IDD_FINE]); /* an earlier run's tally would not match this one */
    for (int k = 0; k < OUT_COUNT; k++) {
        if (!written[k]) continue;
        if (rename(tmp[k], fin[k]) != 0) {
            smx__err(err, errlen, "%s: %s", fin[k], strerror(errno));
            for (int r = 0; r < k; r++)
                if (!existed[r])
                    remove(fin[r]);
            return SMX_EIO;
        }
        written[k] = 0;
    }
    return SMX_OK;
}

smx_status smx_write_outputs(const char *dir, const smx_config *cfg, const smx_result *res,
                             char *err, size_t errlen)
{
    if (!dir || !*dir || !cfg || !res || !result_is_valid(res)) {
        smx__err(err, errlen, "smx_write_outputs: missing output folder, config or result");
        return SMX_EINVAL;
    }

    char suffix[32];
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    char *tmp[OUT_COUNT] = {0}, *fin[OUT_COUNT] = {0};
    int written[OUT_COUNT] = {0};
    created_dirs cd = {0};
    smx_status st = SMX_OK;

    for (int k = 0; k < OUT_COUNT; k++) {
        tmp[k] = join_path(dir, out_names[k], suffix);
        fin[k] = join_path(dir, out_names[k], "");
        if (!tmp[k] || !fin[k]) {
            smx__err(err, errlen, "%s: out of memory", dir);
            st = SMX_ENOMEM;
        }
    }
    if (st == SMX_OK)
        st = make_dirs(dir, &cd, err, errlen);
    if (st == SMX_OK)
        st = write_temps(tmp, cfg, res, written, err, errlen);
    if (st == SMX_OK)
        st = commit_temps(tmp, fin, written, err, errlen);

    if (st != SMX_OK) {
        for (int k = 0; k < OUT_COUNT; k++)
            if (written[k])
                remove(tmp[k]);
        remove_created_dirs(&cd);
    }
    free_created_dirs(&cd);
    for (int k = 0; k < OUT_COUNT; k++) {
        free(tmp[k]);
        free(fin[k]);
    }
    return st;
}
