/* Dose continuity at changes of medium or density. A 70 MeV beam
 * (sigma_x 2 mm) crosses a 4 mm slab (8-12 mm deep) of lung, air,
 * cortical bone or water at 0.5 g/cm3 on 1 mm cells. The laterally
 * integrated dose per unit mass in each cell must follow fluence x mass
 * stopping power: the all-water IDD of the same grid, read at the cell's
 * water-equivalent depth, times rho_m S_m/S_w at the cell's energy (CSDA,
 * NIST PSTAR). Every cell from 1 mm deep to 3/4 of the water range is
 * checked, the cells on both sides of each interface included; the worst
 * relative deviation must stay within 5 %. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/material.h"
#include "core/physics.h"
#include "core/util.h"
#include "validate/vint.h"

#define E0 70.0
#define Z_IN 8.0
#define Z_OUT 12.0

typedef struct iface_case {
    const char *label, *material;
    double density; /* 0: the material's own */
} iface_case;

static const iface_case cases[] = {
    {"lung", "lung", 0}, {"air", "air", 0}, {"bone", "bone_cortical_icrp", 0}, {"water0.5", "water", 0.5}};

static const vgrid grid = {-20, 20, 1, 50, 1, 41, -20, 20};

/* Worst |measured / expected - 1| over the checked cells of run r against
 * the water run w; fills where it is and the ratios around the slab. */
static double worst_deviation(const vrun *w, const vrun *r, const smx_material *water,
                              const smx_material *m, double *z_worst, double ratio[4])
{
    double E = E0, R0 = smx__csda_range(water, E0), worst = 0;
    int k0 = (int)lround(Z_IN / r->dz);
    for (int k = 0; k < r->nz && E > 0; k++) {
        double z = r->z_mm[k], dz = r->dz / 10;
        int in = z >= Z_IN && z < Z_OUT;
        const smx_material *mk = in ? m : water;
        double Emid = smx__energy_after(mk, E, dz / 2);
        E = smx__energy_after(mk, E, dz);
        double wed_mm = 10 * (R0 - smx__csda_range(water, Emid)) / water->density_g_cm3;
        if (Emid <= 0 || wed_mm > 0.75 * 10 * R0) break;
        /* the water IDD at the water-equivalent depth, linear between centres */
        double t = (wed_mm - w->z_mm[0]) / w->dz;
        int a = t < 0 ? 0 : (int)floor(t);
        if (a >= w->nz - 1) break;
        double f = t < 0 ? 0 : t - a, base = w->idd[a] + f * (w->idd[a + 1] - w->idd[a]);
        double expect = base * (in ? mk->density_g_cm3 * smx__stopping_power(mk, Emid) /
                                         (water->density_g_cm3 * smx__stopping_power(water, Emid))
                                   : 1.0);
        double dev = r->idd[k] / expect - 1;
        if (k >= k0 - 2 && k < k0 + 2) ratio[k - k0 + 2] = r->idd[k] / expect;
        if (z >= 1 && fabs(dev) > fabs(worst)) worst = dev, *z_worst = z;
    }
    return worst;
}

smx_status vt_interfaces(vctx *c)
{
    const char *src = "fluence x NIST PSTAR mass stopping power (water run at the WED)";
    char test[SMX_VROW_TEST_LEN], note[320], err[VX_ERRLEN] = "", run[64];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const iface_case *s = &cases[k];
        snprintf(test, sizeof test, "interface/water-%s-water/E=%gMeV/%g-%gmm/dx=1mm/dose_continuity",
                 s->label, E0, Z_IN, Z_OUT);
        if (!vx_want(c, test)) continue;
        smx_config cfg;
        vx_pencil_config(c, &grid, E0, 0, &cfg);
        cfg.beams[0].sigma_x_mm = 2;
        snprintf(run, sizeof run, "interface_E70MeV_%s", s->label);
        const vrun *base = NULL, *r = NULL;
        smx_status st = vx_run_with_slab(c, &cfg, "interface_base_E70MeV_water", run, s->material,
                                         s->density, Z_IN, Z_OUT, &base, &r);
        if (st != SMX_OK) return st;
        smx_material water, m;
        smx_status ms = smx__material_load("water", &water, err, sizeof err);
        if (ms == SMX_OK) ms = smx__material_load(s->material, &m, err, sizeof err);
        if (ms == SMX_OK && s->density > 0) m.density_g_cm3 = s->density;
        if (base->failed || r->failed || ms != SMX_OK) {
            snprintf(note, sizeof note, "not measured: %.250s",
                     base->failed ? base->why : (r->failed ? r->why : err));
            st = vx_emit(c, test, NAN, "%", SMX_VROW_FAIL, src, note, "could not run");
        } else {
            double zw = 0, ratio[4] = {0};
            double d = 100 * worst_deviation(base, r, &water, &m, &zw, ratio);
            snprintf(note, sizeof note, "worst cell at %.1f mm; measured/expected in the cells at "
                     "%g-%g mm: %.3f %.3f | %.3f %.3f; 70 MeV, sigma_x 2 mm, 1 mm cells",
                     zw, Z_IN - 2, Z_IN + 2, ratio[0], ratio[1], ratio[2], ratio[3]);
            st = vx_emit(c, test, d, "%", fabs(d) <= 5 ? SMX_VROW_PASS : SMX_VROW_FAIL, src, note,
                         "|dev| <= 5 %%");
        }
        if (st != SMX_OK) return st;
    }
    return SMX_OK;
}
