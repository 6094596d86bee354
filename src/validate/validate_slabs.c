/* Test 11: heterogeneous slabs. A 100 MeV beam through water-slab-water
 * (cortical bone 10 mm, lung 20 mm, both from 30 mm); the R80 shift
 * against the all-water run on the same grid must equal -(WET - t)
 * within 0.5 mm, with the water-equivalent thickness from the PSTAR
 * ranges: E_in at the slab entrance from the water range-energy relation,
 * E_out after t in the slab material at its density, WET = R_w(E_in) -
 * R_w(E_out). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/material.h"
#include "core/util.h"
#include "validate/vint.h"

#define E0 100.0
#define Z_IN 30.0

typedef struct slab_case {
    const char *material;
    double t_mm;
} slab_case;

static const slab_case cases[] = {{"bone_cortical_icrp", 10}, {"lung", 20}};

/* x [-20, 20] and z [0, 110] mm in 1 mm cells: room for the lung shift */
static const vgrid grid = {-20, 20, 1, 110, 1, 41, -15, 15};

/* Predicted R80 shift -(WET - t) in mm; fills the energies. */
static smx_status predict(const slab_case *s, double *shift, double *e_in, double *e_out,
                          double *wet, char *err)
{
    smx_material w, m;
    smx_status st = smx__material_load("water", &w, err, VX_ERRLEN);
    if (st == SMX_OK) st = smx__material_load(s->material, &m, err, VX_ERRLEN);
    if (st != SMX_OK) return st;
    *e_in = smx__energy_at_range(&w, smx__csda_range(&w, E0) - w.density_g_cm3 * Z_IN / 10);
    *e_out = smx__energy_at_range(&m, smx__csda_range(&m, *e_in) - m.density_g_cm3 * s->t_mm / 10);
    *wet = 10 * (smx__csda_range(&w, *e_in) - smx__csda_range(&w, *e_out)) / w.density_g_cm3;
    *shift = -(*wet - s->t_mm);
    return SMX_OK;
}

smx_status vt_slabs(vctx *c)
{
    const char *src = "WET - t from NIST PSTAR ranges (water and slab material)";
    char test[SMX_VROW_TEST_LEN], note[320], err[VX_ERRLEN] = "", run[64];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const slab_case *s = &cases[k];
        snprintf(test, sizeof test, "slab/water-%s-water/E=%gMeV/%gmm@%gmm/dx=1mm/r80_shift",
                 s->material, E0, s->t_mm, Z_IN);
        if (!vx_want(c, test)) continue;
        smx_config cfg;
        vx_pencil_config(c, &grid, E0, 0, &cfg);
        snprintf(run, sizeof run, "slab_E100MeV_%s", s->material);
        const vrun *base = NULL, *r = NULL;
        smx_status st = vx_run_with_slab(c, &cfg, "slab_base_E100MeV_water", run, s->material, 0,
                                         Z_IN, Z_IN + s->t_mm, &base, &r);
        if (st != SMX_OK) return st;
        double shift, e_in, e_out, wet;
        if (base->failed || r->failed || predict(s, &shift, &e_in, &e_out, &wet, err) != SMX_OK) {
            snprintf(note, sizeof note, "not measured: %.250s", base->failed ? base->why :
                     (r->failed ? r->why : err));
            st = vx_emit(c, test, NAN, "mm", SMX_VROW_FAIL, src, note, "could not run");
        } else {
            double d = r->m.r80_mm - base->m.r80_mm;
            snprintf(note, sizeof note, "R80 water %.3f mm, with slab %.3f mm; E_in %.3f MeV, E_out "
                     "%.3f MeV, WET %.3f mm; grid x [-20, 20] z [0, 110] mm, 1 mm cells",
                     base->m.r80_mm, r->m.r80_mm, e_in, e_out, wet);
            st = vx_emit(c, test, d, "mm", fabs(d - shift) <= 0.5 ? SMX_VROW_PASS : SMX_VROW_FAIL,
                         src, note, "%.3f +- 0.5 mm", shift);
        }
        if (st != SMX_OK) return st;
    }
    return SMX_OK;
}
