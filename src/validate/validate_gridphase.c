/* Grid phase: the depth dose on clinical depth cells (2 and 3 mm) must not
 * depend on where the end of range falls in a cell. Water pencil beams of
 * 96 to 104 MeV in 1 MeV steps (nuclear interactions off, so that only the
 * electromagnetic transport is judged), each on 2 and 3 mm cells and on
 * 0.5 mm cells: the coarse IDD against the fine one averaged onto the
 * coarse cells, gamma 2 %/1 mm (global, normalised to the maxima, points
 * above 10 %) >= 98 %; and the coarse R80, from the fine depth tally
 * (output.idd_resolution_mm 0.1 mm), within 0.2 mm of the NIST CSDA range.
 * --quick: 97 and 100 MeV on 2 mm cells. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/material.h"
#include "validate/vint.h"

#define GP_SRC_GAMMA "the same beam on 0.5 mm cells averaged onto the coarse cells"

static double gp_gamma(const vrun *fine, const vrun *coarse, int *npts)
{
    int r = (int)lround(coarse->dz / fine->dz), n = coarse->nz;
    double *ref = calloc(n, sizeof(double));
    if (!ref) return NAN;
    for (int k = 0; k < n; k++) {
        for (int q = 0; q < r && k * r + q < fine->nz; q++) ref[k] += fine->idd[k * r + q];
        ref[k] /= r;
    }
    double g = vx_idd_gamma(coarse->z_mm, ref, coarse->idd, n, npts);
    free(ref);
    return g;
}

static smx_status one_beam(vctx *c, double E, double dz, const smx_material *water)
{
    char test_g[SMX_VROW_TEST_LEN], test_r[SMX_VROW_TEST_LEN], name[64], note[320];
    snprintf(test_g, sizeof test_g, "gridphase/water/E=%gMeV/dz=%gmm/idd_gamma_vs_0.5mm", E, dz);
    snprintf(test_r, sizeof test_r, "gridphase/water/E=%gMeV/dz=%gmm/r80", E, dz);
    if (!vx_want(c, test_g) && !vx_want(c, test_r)) return SMX_OK;
    const vrun *fine = NULL, *coarse = NULL;
    double cells[2] = {0.5, dz};
    const vrun **runs[2] = {&fine, &coarse};
    for (int k = 0; k < 2; k++) {
        /* x [-12, 12] mm in cells of 1 mm (0.5 mm fine) or of the depth cell */
        vgrid g = {-12, 12, k == 0 ? 0.5 : fmin(dz, 2.0), 90, cells[k], 31, -15, 15};
        smx_config cfg;
        vx_pencil_config(c, &g, E, 0, &cfg);
        cfg.nuclear = SMX_NUCLEAR_NONE;
        if (k == 1) cfg.idd_resolution_mm = 0.1; /* R80 to a tenth of a mm */
        snprintf(name, sizeof name, "gridphase_E%gMeV_dz%g", E, cells[k]);
        smx_status st = vx_run(c, name, &cfg, 1, runs[k]);
        if (st != SMX_OK) return st;
    }
    double csda = 10 * smx__csda_range(water, E) / water->density_g_cm3;
    smx_status st = SMX_OK;
    if (fine->failed || coarse->failed) {
        snprintf(note, sizeof note, "run failed: %.250s", fine->failed ? fine->why : coarse->why);
        st = vx_emit(c, test_g, NAN, "%", SMX_VROW_FAIL, GP_SRC_GAMMA, note, "could not run");
        if (st == SMX_OK) st = vx_emit(c, test_r, NAN, "mm", SMX_VROW_FAIL, VX_SRC_CSDA, note, "could not run");
        return st;
    }
    int npts = 0;
    double gam = gp_gamma(fine, coarse, &npts);
    snprintf(note, sizeof note, "%d points; R80 %.3f mm on %g mm cells, %.3f mm on 0.5 mm cells; "
             "nuclear off", npts, coarse->m.r80_mm, dz, fine->m.r80_mm);
    st = vx_emit(c, test_g, gam, "%", gam >= 98 ? SMX_VROW_PASS : SMX_VROW_FAIL, GP_SRC_GAMMA, note,
                 ">= 98 %%");
    double d = coarse->m.r80_mm - csda;
    snprintf(note, sizeof note, "R80 of the fine tally (0.1 mm) of the %g mm cell run %.3f mm, "
             "CSDA %.3f mm (PSTAR, embedded table); 0.5 mm cells %+.3f mm", dz, coarse->m.r80_mm,
             csda, fine->m.r80_mm - csda);
    if (st == SMX_OK)
        st = vx_emit(c, test_r, d, "mm", fabs(d) <= 0.2 ? SMX_VROW_PASS : SMX_VROW_FAIL,
                     "NIST PSTAR CSDA range (embedded table)", note, "abs <= 0.2 mm");
    return st;
}

smx_status vt_gridphase(vctx *c)
{
    smx_material water;
    smx_status st = smx__material_load("water", &water, c->err, c->errlen);
    for (int e = 96; st == SMX_OK && e <= 104; e++) {
        if (c->o->quick && e != 97 && e != 100) continue;
        for (int k = 0; st == SMX_OK && k < 2; k++) {
            double dz = k == 0 ? 2 : 3;
            if (c->o->quick && dz != 2) continue;
            st = one_beam(c, e, dz, &water);
        }
    }
    return st;
}
