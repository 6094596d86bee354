/* Test 8: rotational invariance. The same pencil beam at 0 and at 45 deg
 * on one grid (wide enough in x for the 45 deg beam). Both runs are
 * resampled in their beam's frame with the same procedure (bilinear
 * between cell centres, 0.1 mm samples): R80 of the IDD along the beam
 * (dose integrated across it) within 0.2 mm, lateral sigma at R80 within
 * 5 %, and the 45 deg dose rotated back onto the 0 deg grid passes gamma
 * 2 %/1 mm (global) at >= 95 % of the points with dose >= 10 % of max; L2
 * and Linf differences are reported. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "validate/vint.h"

#define DU 0.1   /* resampling step along and across the beam, mm */
#define DEG (SMX_PI / 180)

typedef struct rot_case {
    double E, csda_mm, vmax;
    vgrid g;
} rot_case;

/* theta window [-15.375, 60.375] deg in 101 bins of 0.75 deg: bin centres
 * on 0 and on 45 deg, +-15 deg of room around both beams */
static const rot_case full_case = {100, 77.18, 15, {-20, 70, 1, 90, 1, 101, -15.375, 60.375}};
static const rot_case quick_case = {70, 40.80, 12, {-15, 45, 1, 50, 1, 101, -15.375, 60.375}};

typedef struct beam_view {
    double r80, sigma;
} beam_view;

/* IDD along the beam and lateral profile at its R80, written as the run's
 * outputs (depth = distance along the beam, x = distance across it). */
static smx_status view(vctx *c, const vrun *r, const rot_case *rc, double theta, beam_view *bv)
{
    vframe f = {0, theta};
    int nu = (int)lround((1.15 * rc->csda_mm + 5) / DU), nv = (int)lround(2 * rc->vmax / DU) + 1;
    double *idd = malloc(sizeof(double) * nu), *u = malloc(sizeof(double) * nu);
    double *prof = malloc(sizeof(double) * nv), *v = malloc(sizeof(double) * nv);
    smx_status st = idd && u && prof && v ? SMX_OK : SMX_ENOMEM;
    if (st == SMX_OK) {
        vx_beam_idd(r, &f, DU, nu, rc->vmax, DU, idd);
        bv->r80 = vx_r80_sampled(idd, nu, DU);
        /* cell average (dx^2/12) and bilinear hat (dx^2/6); isotropic in
         * second moments, so the same at 0 and 45 deg */
        bv->sigma = vx_beam_sigma(r, r->edep, &f, bv->r80, rc->vmax, DU, nv, r->dx * r->dx / 4, NULL);
        vx_beam_sigma(r, r->dose, &f, bv->r80, rc->vmax, DU, nv, 0, prof);
        for (int k = 0; k < nu; k++) u[k] = k * DU;
        for (int m = 0; m < nv; m++) v[m] = -rc->vmax + m * DU;
        st = vx_write_columns(c, "idd", r->name, "depth_mm,idd", u, idd, nu);
        if (st == SMX_OK) st = vx_write_columns(c, "lateral", r->name, "x_mm,dose", v, prof, nv);
    }
    free(idd), free(u), free(prof), free(v);
    return st;
}

typedef struct rotated {
    const vrun *r45;
    vframe f45;
} rotated;

/* The 45 deg dose at the point (x, z) of the 0 deg frame. */
static double rotated_dose(const void *user, double x, double z)
{
    const rotated *rt = user;
    double X, Z;
    vx_frame_point(&rt->f45, z, x, &X, &Z);
    return vx_bilinear(rt->r45, rt->r45->dose, X, Z);
}

static void differences(const vrun *r0, const rotated *rt, double *l2, double *linf)
{
    double num = 0, den = 0, dmax = 0, emax = 0;
    for (int iz = 0; iz < r0->nz; iz++)
        for (int ix = 0; ix < r0->nx; ix++) {
            double d0 = r0->dose[(size_t)iz * r0->nx + ix];
            double d45 = rotated_dose(rt, r0->x_mm[ix], r0->z_mm[iz]);
            num += (d45 - d0) * (d45 - d0);
            den += d0 * d0;
            dmax = fmax(dmax, d0);
            emax = fmax(emax, fabs(d45 - d0));
        }
    *l2 = den > 0 ? sqrt(num / den) : NAN;
    *linf = dmax > 0 ? emax / dmax : NAN;
}

smx_status vt_rotation(vctx *c)
{
    const rot_case *rc = c->o->quick ? &quick_case : &full_case;
    const vgrid *g = &rc->g;
    char base[96], t[5][SMX_VROW_TEST_LEN], note[320], n0[64], n45[64];
    static const char *const part[] = {"r80_diff", "sigma_diff", "gamma_2%1mm", "L2", "Linf"};
    snprintf(base, sizeof base, "rotation/water/E=%gMeV/dx=%gmm/0vs45deg", rc->E, g->dx);
    int any = 0;
    for (int k = 0; k < 5; k++) {
        snprintf(t[k], sizeof t[k], "%s/%s", base, part[k]);
        any |= vx_want(c, t[k]);
    }
    if (!any) return SMX_OK;
    snprintf(n0, sizeof n0, "rot_E%gMeV_0deg", rc->E);
    snprintf(n45, sizeof n45, "rot_E%gMeV_45deg", rc->E);
    smx_config cfg;
    const vrun *r0, *r45;
    vx_pencil_config(c, g, rc->E, 0, &cfg);
    smx_status st = vx_run(c, n0, &cfg, 0, &r0);
    vx_pencil_config(c, g, rc->E, 45, &cfg);
    if (st == SMX_OK) st = vx_run(c, n45, &cfg, 0, &r45);
    if (st != SMX_OK) return st;
    const char *src = "rotational invariance (docs/validation.md)";
    if (r0->failed || r45->failed) {
        const vrun *bad = r0->failed ? r0 : r45;
        snprintf(note, sizeof note, "run %.60s failed: %.200s", bad->name, bad->why);
        for (int k = 0; k < 5 && st == SMX_OK; k++)
            st = vx_emit(c, t[k], NAN, "", k < 3 ? SMX_VROW_FAIL : SMX_VROW_INFO, src, note, "run failed");
        return st;
    }
    beam_view b0, b45;
    st = view(c, r0, rc, 0, &b0);
    if (st == SMX_OK) st = view(c, r45, rc, 45 * DEG, &b45);
    if (st != SMX_OK) return st;
    rotated rt = {r45, {0, 45 * DEG}};
    int npts = 0;
    double pass = vx_gamma_pass(r0, r0->dose, rotated_dose, &rt, 0.02, 1.0, 0.1, 0.05, 1.0, &npts);
    double l2, linf;
    differences(r0, &rt, &l2, &linf);

    char gridtxt[200];
    snprintf(gridtxt, sizeof gridtxt, "grid x [%g, %g] z [0, %g] mm, %g mm cells, theta %d bins "
             "[%g, %g] deg; both beams enter at x = 0", g->x_min, g->x_max, g->z_max, g->dx,
             g->nt, g->th_min, g->th_max);
    double dr = b45.r80 - b0.r80, ds = (b45.sigma - b0.sigma) / b0.sigma;
    snprintf(note, sizeof note, "R80 along the beam 0 deg %.3f mm, 45 deg %.3f mm (resampled, %g mm); "
             "%s", b0.r80, b45.r80, DU, gridtxt);
    st = vx_emit(c, t[0], dr, "mm", fabs(dr) <= 0.2 ? SMX_VROW_PASS : SMX_VROW_FAIL, src, note,
                 "abs <= 0.2 mm");
    snprintf(note, sizeof note, "sigma at R80 0 deg %.3f mm, 45 deg %.3f mm (cell and bilinear "
             "terms dx^2/4 removed); %s", b0.sigma, b45.sigma, gridtxt);
    if (st == SMX_OK)
        st = vx_emit(c, t[1], 100 * ds, "%", fabs(ds) <= 0.05 ? SMX_VROW_PASS : SMX_VROW_FAIL, src,
                     note, "abs <= 5 %%");
    snprintf(note, sizeof note, "%d points with dose >= 10%% of max; 45 deg dose rotated back and "
             "searched on a 0.05 mm grid within 1 mm; %s", npts, gridtxt);
    if (st == SMX_OK)
        st = vx_emit(c, t[2], 100 * pass, "%", pass >= 0.95 ? SMX_VROW_PASS : SMX_VROW_FAIL, src,
                     note, ">= 95 %%");
    if (st == SMX_OK)
        st = vx_emit(c, t[3], 100 * l2, "%", SMX_VROW_INFO, src,
                     "sqrt(sum (D45 - D0)^2 / sum D0^2) over the 0 deg grid", "reported");
    if (st == SMX_OK)
        st = vx_emit(c, t[4], 100 * linf, "%", SMX_VROW_INFO, src,
                     "max |D45 - D0| / max D0 over the 0 deg grid", "reported");
    return st;
}
