/* Shared internals of the validation suite: the context every test gets,
 * row emission, the transport-run cache, single-operator runs on a
 * backend, resampling and output helpers. */
#ifndef SMX_VALIDATE_VINT_H
#define SMX_VALIDATE_VINT_H

#include <stddef.h>

#include "core/backend.h"
#include "core/ops.h"
#include "core/oprun.h"
#include "validate/validate.h"

#define VX_ERRLEN 1024

/* ---- reference values (docs/validation.md, "Reference values and bars") -- */
#define VX_SRC_CSDA "NIST PSTAR CSDA range (docs/validation.md)"
#define VX_SRC_SIGMA "Fermi-Eyges / Gottschalk projected sigma at end of range (docs/validation.md)"
#define VX_SRC_OPS "operator properties (docs/physics.md)"
#define VX_SRC_ACCT "accounting bars (docs/physics.md)"

/* One transport run, kept after it ran: what the tests read from it. */
typedef struct vrun {
    char name[96];       /* file-safe: idd_<name>.csv, lateral_<name>.csv */
    int failed;          /* the run could not be made: why says why */
    char why[512];
    smx_config cfg;
    int nx, nz;
    double x_min, dx, dz;
    double *x_mm, *z_mm; /* [nx], [nz] cell centres */
    double *edep;        /* [nz][nx] MeV per source proton */
    double *dose;        /* [nz][nx] Gy for cfg's protons */
    double *idd;         /* [nz] MeV/mm per proton */
    smx_metrics m;
    smx_accounting a;
    int steps;
    double step_mm, seconds;
} vrun;

typedef struct vctx {
    const smx_vopts *o;
    smx_vreport *rep;
    const char *backend;   /* resolved name */
    int float64;           /* the backend computes in float64 */
    const char *out_dir;
    vrun **runs;
    int nruns, cap;
    char *err;             /* for statuses that stop the suite */
    size_t errlen;
} vctx;

/* 1 when --only selects the test name. */
int vx_want(const vctx *c, const char *test);

/* Appends a row (and hands it to on_row). verdict: SMX_VROW_*. The bar
 * is a printf format. Returns SMX_ENOMEM when the report cannot grow. */
smx_status vx_emit(vctx *c, const char *test, double measured, const char *unit, int verdict,
                   const char *source, const char *note, const char *bar_fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* The conservation bar of the backend's precision (docs/physics.md,
 * "Accounting"). */
static inline double vx_conservation_bar(const vctx *c) { return c->float64 ? 1e-12 : 1e-6; }

/* ---- transport runs (validate_runs.c) -------------------------------------- */

/* A water pencil beam on a lockstep range grid with the physics defaults:
 * x [x_min, x_max] in cells of dx, z [0, z_max] in cells of dz, a theta
 * window of nt bins over [th_min, th_max] deg, energy 1 MeV .. E. */
typedef struct vgrid {
    double x_min, x_max, dx, z_max, dz;
    int nt;
    double th_min, th_max;
} vgrid;
void vx_pencil_config(const vctx *c, const vgrid *g, double E_MeV, double angle_deg,
                      smx_config *cfg);

/* Runs cfg (cached by name) and, unless it failed, writes its IDD and its
 * lateral profile at R80 when `write_std` (rotated runs write their own).
 * A run that fails is returned with failed = 1 and SMX_OK: the tests turn
 * it into FAIL rows. Only output and memory errors return a status. */
smx_status vx_run(vctx *c, const char *name, const smx_config *cfg, int write_std,
                  const vrun **out);
void vx_runs_free(vctx *c);

/* Runs cfg (as base_name, cached) and cfg with one slab of `material` at
 * `density` (0: its own) over depths [z0, z1) mm (as name): the water and
 * slab runs of a slab test. Statuses as vx_run. */
smx_status vx_run_with_slab(vctx *c, smx_config *cfg, const char *base_name, const char *name,
                            const char *material, double density, double z0, double z1,
                            const vrun **base, const vrun **run);

/* The suite's grid of a water pencil beam of energy E (validate_range.c):
 * run name (file-safe) and test label; 0 when E has none. */
int vx_std_grid(double E, vgrid *g, char *name, size_t nlen, char *label, size_t llen);

/* "12.5" / "1" / "0.25": a number for a test name, no trailing zeros. */
const char *vx_num(char buf[32], double v);

/* ---- files (validate_io.c) ------------------------------------------------- */
smx_status vx_mkdirs(const char *dir, char *err, size_t errlen);
/* Writes <out>/<prefix>_<name>.csv with a header and two columns. */
smx_status vx_write_columns(const vctx *c, const char *prefix, const char *name,
                            const char *header, const double *a, const double *b, int n);
/* The dose row (Gy) interpolated at depth d between cell centres into
 * prof[nx]; 0 when d is outside the grid. */
int vx_dose_row_at(const vrun *r, double d_mm, double *prof);

/* ---- resampling and gamma (validate_resample.c) ----------------------------- */

/* Value of a cell-centred field f[nz][nx] at (x, z) mm by bilinear
 * interpolation between cell centres, clamped to the edge cells inside
 * the grid and 0 outside it. */
double vx_bilinear(const vrun *r, const double *f, double x_mm, double z_mm);

/* A beam frame: entry point (x0, 0), direction theta from +z. u runs
 * along the beam, v across it (v = x - x0 for theta = 0). */
typedef struct vframe {
    double x0, theta;
} vframe;
void vx_frame_point(const vframe *f, double u, double v, double *x, double *z);

/* IDD along the beam: depth-dose density (edep / cell area) resampled on
 * u = k du (k = 0..nu-1), integrated over v in [-vmax, vmax] (step dv). */
void vx_beam_idd(const vrun *r, const vframe *f, double du, int nu, double vmax, double dv,
                 double *idd);
/* R80 of a sampled IDD (linear between samples) beyond its maximum. */
double vx_r80_sampled(const double *idd, int n, double du);
/* Lateral profile across the beam at u, v = -vmax + k dv (k < nv) of
 * field f; returns its sigma with var_sub removed from the variance. */
double vx_beam_sigma(const vrun *r, const double *f, const vframe *fr, double u, double vmax,
                     double dv, int nv, double var_sub, double *prof);

/* Gamma 2 %/1 mm pass rate of an IDD ev against ref on the same cells
 * (centres z[n], uniform), each normalised to its maximum, points of ref
 * above 10 % of it; ev linear between centres, searched every 0.01 mm. */
double vx_idd_gamma(const double *z, const double *ref, const double *ev, int n, int *npts);

/* Gamma index pass rate (global dose criterion) of an evaluated field
 * given as a function of (x, z) against reference values at the centres
 * of ref; points with ref >= cut * max(ref) are tested. The evaluated
 * field is searched on a grid of step `fine` mm within `radius` mm. */
typedef double (*vx_field_fn)(const void *user, double x_mm, double z_mm);
double vx_gamma_pass(const vrun *ref, const double *refv, vx_field_fn eval, const void *user,
                     double dose_frac, double dta_mm, double cut, double fine, double radius,
                     int *npoints);

/* ---- the tests -------------------------------------------------------------- */
smx_status vt_operators(vctx *c);  /* conservation, positivity */
smx_status vt_angular(vctx *c);    /* angular variance per step */
smx_status vt_vacuum(vctx *c);     /* 45 deg stream-only */
smx_status vt_splitting(vctx *c);  /* Lie / Strang orders */
smx_status vt_range(vctx *c);      /* R80, lateral sigma, nuclear */
smx_status vt_rotation(vctx *c);   /* 0 vs 45 deg */
smx_status vt_leak(vctx *c);       /* beam aimed out of the grid */
smx_status vt_slabs(vctx *c);      /* bone and lung slabs */
smx_status vt_interfaces(vctx *c); /* dose continuity across media */
smx_status vt_montecarlo(vctx *c); /* 100 MeV against MCsquare */
smx_status vt_gridphase(vctx *c);  /* 2 and 3 mm cells at every phase */
smx_status vt_accounting(vctx *c); /* closure over every run made */

#endif
