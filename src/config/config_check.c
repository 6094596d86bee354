/* The checks of a configuration (docs/config.md), shared by the loader
 * (with the file's positions) and smx_config_check (configurations built
 * in code), and the defaults. Ranges are those of src/core/limits.h. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "config/config_int.h"
#include "core/limits.h"
#include "core/material.h"

/* Implemented in src/core/material.c: 1 when data/materials.csv has it. */
int smx__material_known(const char *name);

static int name_ok(const char *s)
{
    return memchr(s, '\0', SMX_NAME_LEN) != NULL && s[0] != '\0';
}

/* An enumeration's value (its name names[value]); else the key is refused
 * with the list of names. */
static smx_status check_enum(const reporter *r, key_id k, int value, const char *const *names,
                             int count)
{
    if ((unsigned)value < (unsigned)count) return SMX_OK;
    char list[128];
    return bad(r, KR(k), KNONE, "unknown value %d (expected one of %s)", value,
               join_names(names, count, list, sizeof list));
}
#define CHECK_ENUM(r, k, v, names) check_enum(r, k, (int)(v), names, COUNT(names))

static smx_status check_grid(const smx_config *c, const reporter *r)
{
    if (!isfinite(c->x_min_mm) || !isfinite(c->x_max_mm))
        return bad(r, KR(K_X), KNONE, "not a finite number (expected [min, max] with min < max)");
    if (c->x_min_mm >= c->x_max_mm)
        return bad(r, KR(K_X), KNONE, "min (%g) must be less than max (%g) (expected [min, max] "
                   "with min < max)", c->x_min_mm, c->x_max_mm);
    if (c->x_min_mm < -SMX_EXTENT_MAX_MM || c->x_max_mm > SMX_EXTENT_MAX_MM)
        return bad(r, KR(K_X), KNONE, "out of range: [%g, %g] (expected -%g <= min < max <= %g "
                   "mm)", c->x_min_mm, c->x_max_mm, SMX_EXTENT_MAX_MM, SMX_EXTENT_MAX_MM);
    if (c->nx < 1)
        return bad(r, KR(K_NX), KNONE, "out of range: %d (expected an integer >= 1)", c->nx);
    if ((c->x_max_mm - c->x_min_mm) / c->nx < SMX_CELL_MIN_MM)
        return bad(r, KR(K_NX), KR(K_X), "cells of %g mm (expected (max - min) / nx >= %g mm)",
                   (c->x_max_mm - c->x_min_mm) / c->nx, SMX_CELL_MIN_MM);
    if (!isfinite(c->z_max_mm) || c->z_max_mm <= 0 || c->z_max_mm > SMX_EXTENT_MAX_MM)
        return bad(r, KR(K_Z), KNONE, "out of range: %g (expected [0, z_max] with 0 < z_max <= "
                   "%g mm)", c->z_max_mm, SMX_EXTENT_MAX_MM);
    if (c->nz < 1)
        return bad(r, KR(K_NZ), KNONE, "out of range: %d (expected an integer >= 1)", c->nz);
    if (c->z_max_mm / c->nz < SMX_CELL_MIN_MM)
        return bad(r, KR(K_NZ), KR(K_Z), "cells of %g mm (expected z_max / nz >= %g mm)",
                   c->z_max_mm / c->nz, SMX_CELL_MIN_MM);
    if (!isfinite(c->y_thickness_mm) || c->y_thickness_mm < SMX_CELL_MIN_MM ||
        c->y_thickness_mm > SMX_EXTENT_MAX_MM)
        return bad(r, KR(K_Y), KNONE, "out of range: %g (expected %g <= y_thickness_mm <= %g)",
                   c->y_thickness_mm, SMX_CELL_MIN_MM, SMX_EXTENT_MAX_MM);
    if (c->ntheta < 1)
        return bad(r, KR(K_TBINS), KNONE, "out of range: %d (expected an integer >= 1)",
                   c->ntheta);
    if (c->theta_full_circle != 0 && c->theta_full_circle != 1)
        return bad(r, KR(K_TFULL), KNONE, "not a boolean: %d (expected 0 or 1)",
                   c->theta_full_circle);
    if (!c->theta_full_circle) {
        if (!isfinite(c->theta_min_deg) || c->theta_min_deg < -180)
            return bad(r, KR(K_TMIN), KNONE, "out of range: %g (expected -180 <= min_deg < "
                       "max_deg <= 180)", c->theta_min_deg);
        if (!isfinite(c->theta_max_deg) || c->theta_max_deg > 180)
            return bad(r, KR(K_TMAX), KNONE, "out of range: %g (expected -180 <= min_deg < "
                       "max_deg <= 180)", c->theta_max_deg);
        if (c->theta_min_deg >= c->theta_max_deg)
            return bad(r, KR(K_TMIN), KR(K_TMAX), "min_deg (%g) must be less than max_deg "
                       "(%g) (expected -180 <= min_deg < max_deg <= 180)", c->theta_min_deg,
                       c->theta_max_deg);
        if ((c->theta_max_deg - c->theta_min_deg) / c->ntheta < SMX_THETA_BIN_MIN_DEG)
            return bad(r, KR(K_TBINS), KR(K_TMIN), "bins of %g deg (expected (max_deg - "
                       "min_deg) / bins >= %g deg)", (c->theta_max_deg - c->theta_min_deg) /
                       c->ntheta, SMX_THETA_BIN_MIN_DEG);
    }
    if (c->ne < 0 || c->ne == 1 || c->ne > SMX_NE_MAX)
        return bad(r, KR(K_EBINS), KNONE, "out of range: %d (expected auto or an integer from 2 "
                   "to %d)", c->ne, SMX_NE_MAX);
    if (!isfinite(c->e_min_MeV) || c->e_min_MeV < SMX_PSTAR_EMIN_MEV)
        return bad(r, KR(K_EMIN), KNONE, "energy beyond the table: %g MeV (expected %g <= "
                   "min_MeV < max_MeV <= %g, the NIST PSTAR range)", c->e_min_MeV,
                   SMX_PSTAR_EMIN_MEV, SMX_PSTAR_EMAX_MEV);
    if (!isfinite(c->e_max_MeV) || c->e_max_MeV > SMX_PSTAR_EMAX_MEV)
        return bad(r, KR(K_EMAX), KNONE, "energy beyond the table: %g MeV (expected %g <= "
                   "min_MeV < max_MeV <= %g, the NIST PSTAR range)", c->e_max_MeV,
                   SMX_PSTAR_EMIN_MEV, SMX_PSTAR_EMAX_MEV);
    if (c->e_min_MeV >= c->e_max_MeV)
        return bad(r, KR(K_EMIN), KR(K_EMAX), "min_MeV (%g) must be less than max_MeV (%g) "
                   "(expected min_MeV < max_MeV)", c->e_min_MeV, c->e_max_MeV);
    return CHECK_ENUM(r, K_ESPACING, c->spacing, spacing_names);
}

/* A material name (the background, a slab's, an entry of materials). */
static smx_status check_material_name(const reporter *r, kref k, const char *name)
{
    if (!name_ok(name))
        return bad(r, k, KNONE, "empty or unterminated name (expected a material name of at "
                   "most %d characters)", SMX_NAME_LEN - 1);
    if (!smx__material_known(name))
        return bad(r, k, KNONE, "unknown material \"%s\" (expected a name listed in "
                   "data/materials.csv, e.g. water)", name);
    return SMX_OK;
}

/* A density override: 0 (the material's own) or SMX_DENSITY_MIN_G_CM3 <= d
 * <= SMX_DENSITY_MAX_G_CM3 (the density map's bounds). The loader rejects
 * an explicit 0 before this runs. */
static smx_status check_density(const reporter *r, kref k, double d)
{
    if (!isfinite(d) || d < 0 || (d > 0 && d < SMX_DENSITY_MIN_G_CM3) || d > SMX_DENSITY_MAX_G_CM3)
        return bad(r, k, KNONE, "out of range: %g (expected %g <= density_g_cm3 <= %g g/cm3)", d,
                   SMX_DENSITY_MIN_G_CM3, SMX_DENSITY_MAX_G_CM3);
    return SMX_OK;
}

/* 1 when some cell centre (iz + 0.5) * dz lies in [a, b): the same test the
 * engine uses to paint a slab. */
static int slab_has_cell(const smx_config *c, double a, double b)
{
    double dz = c->z_max_mm / c->nz;
    for (int iz = 0; iz < c->nz; iz++) {
        double zc = (iz + 0.5) * dz;
        if (zc >= b) break;
        if (zc >= a) return 1;
    }
    return 0;
}

static smx_status check_slab(const smx_config *c, const reporter *r, int i)
{
    const smx_slab *s = &c->slabs[i];
    smx_status st;
    double a = s->z_min_mm, b = s->z_max_mm;
    if (!isfinite(a) || !isfinite(b) || a < 0 || a >= b)
        return bad(r, SR(i, S_Z), KNONE, "bad depth interval [%g, %g] (expected [a, b] in mm "
                   "with 0 <= a < b)", a, b);
    if (a >= c->z_max_mm)
        return bad(r, SR(i, S_Z), KNONE, "slab entirely beyond the grid: starts at %g mm "
                   "(expected a < grid.z_mm max %g; a slab reaching past it is clipped)", a,
                   c->z_max_mm);
    if (!slab_has_cell(c, a, b))
        return bad(r, SR(i, S_Z), KNONE, "no cell centre in [%g, %g) (expected a slab "
                   "containing at least one depth-cell centre (k + 0.5) * %g mm)", a, b,
                   c->z_max_mm / c->nz);
    for (int j = 0; j < i; j++) {
        const smx_slab *o = &c->slabs[j];
        if (a < o->z_max_mm && o->z_min_mm < b)
            return bad(r, SR(i, S_Z), KNONE, "[%g, %g) overlaps slabs[%d] [%g, %g) (expected "
                       "non-overlapping slabs)", a, b, j, o->z_min_mm, o->z_max_mm);
    }
    if ((st = check_material_name(r, SR(i, S_MATERIAL), s->material)) != SMX_OK) return st;
    return check_density(r, SR(i, S_DENSITY), s->density_g_cm3);
}

static int path_ok(const char *s)
{
    return memchr(s, '\0', SMX_PATH_LEN) != NULL;
}

static smx_status check_medium(const smx_config *c, const reporter *r)
{
    smx_status st;
    if ((st = check_material_name(r, KR(K_MATERIAL), c->material)) != SMX_OK) return st;
    if ((st = check_density(r, KR(K_DENSITY), c->density_g_cm3)) != SMX_OK) return st;
    if (!path_ok(c->material_map))
        return bad(r, KR(K_MATMAP), KNONE, "unterminated path (expected at most %d characters)",
                   SMX_PATH_LEN - 1);
    if (!path_ok(c->density_map))
        return bad(r, KR(K_DENSMAP), KNONE, "unterminated path (expected at most %d characters)",
                   SMX_PATH_LEN - 1);
    int map = c->material_map[0] != '\0';
    if (c->nslabs < 0 || c->nslabs > SMX_MAX_SLABS)
        return bad(r, KR(K_SLABS), KNONE, "too many slabs: %d (expected at most %d)", c->nslabs,
                   SMX_MAX_SLABS);
    if (c->nmaterials < 0 || c->nmaterials > SMX_MAX_MATERIALS)
        return bad(r, KR(K_MATERIALS), KNONE, "too many materials: %d (expected at most %d)",
                   c->nmaterials, SMX_MAX_MATERIALS);
    if (map && c->nslabs > 0)
        return bad(r, KR(K_MATMAP), KNONE, "not allowed together with slabs (expected either "
                   "slabs or material_map)");
    if (!map && c->nmaterials > 0)
        return bad(r, KR(K_MATERIALS), KNONE, "only allowed with material_map (expected no "
                   "materials list without a material_map)");
    if (!map && c->density_map[0])
        return bad(r, KR(K_DENSMAP), KNONE, "only allowed with material_map (expected a "
                   "material_map giving the material of every cell)");
    if (map && c->nmaterials == 0)
        return bad(r, KR(K_MATERIALS), KR(K_MATMAP), "a material_map needs the materials list "
                   "(expected materials: [name, ...], the names of indices 0, 1, ...)");
    for (int i = 0; i < c->nmaterials; i++)
        if ((st = check_material_name(r, MR(i), c->materials[i])) != SMX_OK) return st;
    for (int i = 0; i < c->nslabs; i++)
        if ((st = check_slab(c, r, i)) != SMX_OK) return st;
    return SMX_OK;
}

static smx_status check_transport(const smx_config *c, const reporter *r)
{
    if (!isfinite(c->step_mm) || c->step_mm < 0 || c->step_mm > c->z_max_mm)
        return bad(r, KR(K_STEP), KNONE, "out of range: %g (expected auto or a number > 0 and "
                   "<= the grid's depth, %g mm)", c->step_mm, c->z_max_mm);
    smx_status st;
    if ((st = CHECK_ENUM(r, K_SPLIT, c->splitting, split_names)) != SMX_OK) return st;
    if ((st = CHECK_ENUM(r, K_SCATTER, c->scattering, scatter_names)) != SMX_OK) return st;
    if (c->max_steps < 1)
        return bad(r, KR(K_MAXSTEPS), KNONE, "out of range: %d (expected an integer >= 1)",
                   c->max_steps);
    if (!isfinite(c->max_angle_deg) || c->max_angle_deg <= 0 || c->max_angle_deg > 180)
        return bad(r, KR(K_MAXANGLE), KNONE, "out of range: %g (expected 0 < max_angle_deg "
                   "<= 180)", c->max_angle_deg);
    if ((st = CHECK_ENUM(r, K_STRAGGLING, c->straggling, straggling_names)) != SMX_OK)
        return st;
    if ((st = CHECK_ENUM(r, K_NUCLEAR, c->nuclear, nuclear_names)) != SMX_OK) return st;
    if ((st = CHECK_ENUM(r, K_SECONDARIES, c->secondaries, secondaries_names)) != SMX_OK)
        return st;
    return CHECK_ENUM(r, K_STREAMING, c->streaming, streaming_names);
}

static smx_status check_run(const smx_config *c, const reporter *r)
{
    char list[128];
    smx_status st;
    const char *backend_names[16]; /* the registry's, then auto */
    int nb = 0;
    while (nb < 15 && (backend_names[nb] = smx_backend_known_name(nb))) nb++;
    backend_names[nb++] = "auto";
    join_names(backend_names, nb, list, sizeof list);
    if (!name_ok(c->backend))
        return bad(r, KR(K_BACKEND), KNONE, "empty or unterminated name (expected one of %s)",
                   list);
    if (name_index(c->backend, backend_names, nb) < 0)
        return bad(r, KR(K_BACKEND), KNONE, "unknown backend \"%s\" (expected one of %s)",
                   c->backend, list);
    if ((st = CHECK_ENUM(r, K_PRECISION, c->precision, precision_names)) != SMX_OK) return st;
    if (c->device < -1)
        return bad(r, KR(K_DEVICE), KNONE, "out of range: %d (expected an integer >= 0, or -1 "
                   "for the backend's default)", c->device);
    if ((unsigned)c->accumulation >= (unsigned)COUNT(accumulation_names))
        return bad(r, KR(K_ACCUM), KNONE, "unknown value %d", (int)c->accumulation);
    if ((unsigned)c->scatter >= (unsigned)COUNT(scatter_impl_names))
        return bad(r, KR(K_SCATTER_IMPL), KNONE, "unknown value %d", (int)c->scatter);
    if (c->threads < 0 || c->threads > SMX_MAX_THREADS)
        return bad(r, KR(K_THREADS), KNONE, "out of range: %d (expected 0 for the OpenMP "
                   "default, or 1 to %d)", c->threads, SMX_MAX_THREADS);
    if (!isfinite(c->memory_limit_GB) || c->memory_limit_GB < 0 || c->memory_limit_GB > 1e6)
        return bad(r, KR(K_MEMLIMIT), KNONE, "out of range: %g (expected a number of GB, "
                   "0 <= memory_limit_GB <= 1e6; 0: the machine's memory)", c->memory_limit_GB);
    if (!isfinite(c->idd_resolution_mm) || c->idd_resolution_mm < 0 ||
        (c->idd_resolution_mm > 0 && c->idd_resolution_mm < 0.01))
        return bad(r, KR(K_IDD_RES), KNONE, "out of range: %g (expected 0 for none, or at least "
                   "0.01 mm)", c->idd_resolution_mm);
    if (c->idd_resolution_mm > c->z_max_mm / c->nz * (1 + 1e-9))
        return bad(r, KR(K_IDD_RES), KNONE, "%g mm is coarser than the depth cells (expected at "
                   "most the cell, %g mm)", c->idd_resolution_mm, c->z_max_mm / c->nz);
    return SMX_OK;
}

/* A spread, a sigma: finite, >= 0 and at most max. */
static smx_status check_nonneg(const reporter *r, int i, int key, double v, double max)
{
    if (!isfinite(v) || v < 0 || v > max)
        return bad(r, BR(i, key), KNONE, "out of range: %g (expected 0 <= value <= %g)", v, max);
    return SMX_OK;
}

static smx_status check_beam(const smx_config *c, const reporter *r, int i)
{
    const smx_beam *b = &c->beams[i];
    smx_status st;
    if (!isfinite(b->energy_MeV) || b->energy_MeV < c->e_min_MeV || b->energy_MeV > c->e_max_MeV)
        return bad(r, BR(i, B_ENERGY), KNONE, "beam energy outside the energy grid: %g MeV "
                   "(expected grid.energy.min_MeV %g <= energy_MeV <= grid.energy.max_MeV %g)",
                   b->energy_MeV, c->e_min_MeV, c->e_max_MeV);
    if ((st = check_nonneg(r, i, B_ESPREAD, b->energy_spread_MeV, b->energy_MeV)) != SMX_OK) return st;
    /* the spectrum is sampled over +-4 sigma: all of it on the energy grid */
    double s4 = SMX_SOURCE_SIGMAS * b->energy_spread_MeV;
    if (b->energy_MeV + s4 > c->e_max_MeV || b->energy_MeV - s4 <= 0)
        return bad(r, BR(i, B_ESPREAD), KNONE, "%g MeV puts the spectrum (sampled over +-%g "
                   "sigma) at [%g, %g] MeV (expected energy_MeV +- %g energy_spread_MeV within "
                   "(0, grid.energy.max_MeV %g])", b->energy_spread_MeV, SMX_SOURCE_SIGMAS,
                   b->energy_MeV - s4, b->energy_MeV + s4, SMX_SOURCE_SIGMAS, c->e_max_MeV);
    if (!isfinite(b->x_mm) || b->x_mm < c->x_min_mm || b->x_mm > c->x_max_mm)
        return bad(r, BR(i, B_X), KNONE, "beam outside the grid: %g mm (expected %g <= x_mm "
                   "<= %g, grid.x_mm)", b->x_mm, c->x_min_mm, c->x_max_mm);
    if ((st = check_nonneg(r, i, B_SX, b->sigma_x_mm, SMX_EXTENT_MAX_MM)) != SMX_OK) return st;
    if (!isfinite(b->angle_deg))
        return bad(r, BR(i, B_ANGLE), KNONE, "not a finite number (expected an angle in deg)");
    if (!c->theta_full_circle &&
        (b->angle_deg < c->theta_min_deg || b->angle_deg > c->theta_max_deg))
        return bad(r, BR(i, B_ANGLE), KNONE, "beam direction outside the theta window: %g deg "
                   "(expected %g <= angle_deg <= %g, grid.theta)", b->angle_deg,
                   c->theta_min_deg, c->theta_max_deg);
    if (fabs(b->angle_deg) >= c->max_angle_deg)
        return bad(r, BR(i, B_ANGLE), KNONE, "beam direction beyond the cap angle: %g deg "
                   "(expected |angle_deg| < transport.max_angle_deg = %g)", b->angle_deg,
                   c->max_angle_deg);
    if ((st = check_nonneg(r, i, B_SANGLE, b->sigma_angle_deg, SMX_SIGMA_ANGLE_MAX_DEG)) != SMX_OK) return st;
    if (!isfinite(b->protons) || b->protons <= 0 || b->protons > SMX_PROTONS_MAX)
        return bad(r, BR(i, B_PROTONS), KNONE, "out of range: %g (expected 0 < protons <= %g)",
                   b->protons, SMX_PROTONS_MAX);
    return SMX_OK;
}

smx_status smx__config_check_all(const smx_config *c, const reporter *r)
{
    smx_status st;
    if ((st = check_grid(c, r)) != SMX_OK) return st;
    if ((st = check_medium(c, r)) != SMX_OK) return st;
    if ((st = check_transport(c, r)) != SMX_OK) return st;
    if ((st = check_run(c, r)) != SMX_OK) return st;
    if (c->nbeams < 1)
        return bad(r, KR(K_BEAMS), KNONE, "no beams (expected a non-empty sequence of beams)");
    if (c->nbeams > SMX_MAX_BEAMS)
        return bad(r, KR(K_BEAMS), KNONE, "too many beams: %d (expected at most %d)",
                   c->nbeams, SMX_MAX_BEAMS);
    for (int i = 0; i < c->nbeams; i++)
        if ((st = check_beam(c, r, i)) != SMX_OK) return st;
    return SMX_OK;
}

/* ---- public: defaults and checks ----------------------------------------- */

void smx_config_init(smx_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->x_min_mm = -20.0;
    cfg->x_max_mm = 20.0;
    cfg->nx = 80;
    cfg->z_max_mm = 100.0;
    cfg->nz = 200;
    cfg->y_thickness_mm = 1.0;
    cfg->ntheta = 120;
    cfg->theta_full_circle = 0;
    cfg->theta_min_deg = -30.0;
    cfg->theta_max_deg = 30.0;
    cfg->ne = 0;
    cfg->e_min_MeV = 1.0;
    cfg->e_max_MeV = 110.0;
    cfg->spacing = SMX_SPACING_RANGE;
    snprintf(cfg->material, sizeof cfg->material, "%s", "water");
    cfg->density_g_cm3 = 0.0;
    cfg->nslabs = 0;
    cfg->material_map[0] = '\0';
    cfg->density_map[0] = '\0';
    cfg->nmaterials = 0;
    cfg->nbeams = 0;
    cfg->step_mm = 0.0;
    cfg->splitting = SMX_SPLIT_LIE;
    cfg->scattering = SMX_SCATTER_DIFFERENTIAL_MOLIERE;
    cfg->max_steps = 100000;
    cfg->max_angle_deg = 90.0;
    cfg->straggling = SMX_STRAGGLING_BOHR;
    cfg->nuclear = SMX_NUCLEAR_ICRU63;
    cfg->streaming = SMX_STREAM_CENTROID;
    snprintf(cfg->backend, sizeof cfg->backend, "%s", "openmp");
    cfg->precision = SMX_PRECISION_FLOAT32;
    cfg->device = -1;
    cfg->threads = 0;
    cfg->accumulation = SMX_ACCUM_DETERMINISTIC;
    cfg->scatter = SMX_SCATTER_AUTO;
}

smx_status smx_config_check(const smx_config *cfg, char *err, size_t errlen)
{
    if (!cfg) {
        smx__err(err, errlen, "smx_config_check: cfg is NULL");
        return SMX_EINVAL;
    }
    reporter r = {NULL, NULL, err, errlen};
    return smx__config_check_all(cfg, &r);
}
