/* Test 4: vacuum, beam at 45 deg. A stream-only graph (no scattering, no
 * energy loss: no material acts) moves a unit parcel from one cell for
 * NSTEPS steps of 0.7 mm on 1 mm cells (shift 0.495 cells per axis).
 * The centroid (cell centres plus the moment offsets when the scheme has
 * them) must move ds (sin, cos) per step, the weight must stay, and the
 * variance that shift-and-deposit adds per step must be f(1 - f) dx^2 per
 * axis. The spread of the centroid scheme is reported. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/vint.h"

#define NSTEPS 30
#define STEP_MM 0.7

static void vac_config(const vctx *c, int shift_deposit, smx_config *cfg)
{
    smx_config_init(cfg);
    cfg->nx = cfg->nz = 40;
    cfg->x_min_mm = 0;
    cfg->x_max_mm = 40;
    cfg->z_max_mm = 40;
    cfg->ntheta = 8; /* full circle: bin centres at multiples of 45 deg */
    cfg->theta_full_circle = 1;
    cfg->max_angle_deg = 180;
    cfg->spacing = SMX_SPACING_UNIFORM;
    cfg->ne = 4;
    cfg->e_min_MeV = 1;
    cfg->e_max_MeV = 60;
    cfg->step_mm = STEP_MM;
    cfg->nbeams = 1;
    cfg->beams[0] = (smx_beam){.energy_MeV = 50, .angle_deg = 45, .protons = 1};
    cfg->streaming = shift_deposit ? SMX_STREAM_SHIFT_DEPOSIT : SMX_STREAM_CENTROID;
    snprintf(cfg->backend, sizeof cfg->backend, "%s", c->backend);
}

typedef struct moments {
    double w, cx, cz, vx, vz;
} moments;

static moments measure(const smx_oprun *r)
{
    const smx_plan *p = &r->plan;
    double s0 = 0, sx = 0, sz = 0, sxx = 0, szz = 0;
    for (int i = 0; i < p->ne; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = 0; z < p->nz; z++)
                for (int x = 0; x < p->nx; x++) {
                    size_t q = (((size_t)i * p->nt + j) * p->nz + z) * p->nx + x;
                    double w = r->psi[q];
                    if (w == 0) continue;
                    double px = p->x_mm[x] + (r->mx ? r->mx[q] / w : 0) * p->dx_mm;
                    double pz = p->z_mm[z] + (r->mz ? r->mz[q] / w : 0) * p->dz_mm;
                    s0 += w, sx += w * px, sz += w * pz, sxx += w * px * px, szz += w * pz * pz;
                }
    moments m = {s0, sx / s0, sz / s0, 0, 0};
    m.vx = sxx / s0 - m.cx * m.cx;
    m.vz = szz / s0 - m.cz * m.cz;
    return m;
}

typedef struct vac_result {
    double motion, weight, spread, pred, spread_dev;
} vac_result;

static smx_status run_scheme(vctx *c, int sd, vac_result *res, char *err)
{
    smx_config cfg;
    vac_config(c, sd, &cfg);
    smx_plan p;
    smx_status st = smx__plan_build(&cfg, &p, err, VX_ERRLEN);
    if (st != SMX_OK) return st;
    size_t n = smx__psi_size(&p);
    int j = p.nt / 2 + 1, ie = p.ne - 1; /* theta = +45 deg */
    double *psi = calloc(n, sizeof(double));
    if (psi) psi[(((size_t)ie * p.nt + j) * p.nz + 4) * p.nx + 4] = 1.0;
    smx__plan_free(&p);
    if (!psi) return SMX_ENOMEM;
    smx_oprun r;
    st = smx__oprun_open(&r, c->backend, &cfg, &(smx_host_state){.psi = psi}, ie, ie, err, VX_ERRLEN);
    free(psi);
    memset(res, 0, sizeof *res);
    double th = r.plan.theta_rad[j], ds = r.plan.step_mm;
    double fx = r.plan.sfx[j], fz = r.plan.sfz[j];
    res->pred = 0.5 * (fx * (1 - fx) * r.plan.dx_mm * r.plan.dx_mm + fz * (1 - fz) * r.plan.dz_mm * r.plan.dz_mm);
    moments m0 = st == SMX_OK ? measure(&r) : (moments){0}, prev = m0, m = m0;
    for (int s = 0; st == SMX_OK && s < NSTEPS; s++) {
        smx_graph g = {.nnodes = 1, .nodes = {{SMX_OP_STREAM, 0}}};
        st = smx__oprun_graph(&r, &g, err, VX_ERRLEN);
        if (st != SMX_OK) break;
        m = measure(&r);
        double ex = fabs(m.cx - prev.cx - ds * sin(th)), ez = fabs(m.cz - prev.cz - ds * cos(th));
        res->motion = fmax(res->motion, fmax(ex, ez) / ds);
        res->weight = fmax(res->weight, fabs(m.w - m0.w) / m0.w);
        if (sd) {
            double gx = m.vx - prev.vx, gz = m.vz - prev.vz;
            double px = fx * (1 - fx) * r.plan.dx_mm * r.plan.dx_mm;
            double pz = fz * (1 - fz) * r.plan.dz_mm * r.plan.dz_mm;
            res->spread_dev = fmax(res->spread_dev, fmax(fabs(gx - px) / px, fabs(gz - pz) / pz));
        }
        prev = m;
    }
    res->spread = 0.5 * ((m.vx - m0.vx) + (m.vz - m0.vz)) / NSTEPS;
    smx__oprun_close(&r);
    return st;
}

smx_status vt_vacuum(vctx *c)
{
    static const char *const scheme[] = {"centroid", "shift_deposit"};
    static const char *const src = "exact straight-line motion (docs/validation.md)";
    char base[96], name[SMX_VROW_TEST_LEN], err[VX_ERRLEN] = "", note[320];
    /* centroid motion to 1e-9 of the step in float64; a float32 state
     * holds positions to its own round-off (the float32 accounting bar) */
    double mbar = c->float64 ? 1e-9 : 1e-6, wbar = vx_conservation_bar(c);
    const char *prec = c->float64 ? "float64" : "float32";
    for (int sd = 0; sd < 2; sd++) {
        snprintf(base, sizeof base, "vacuum/45deg/dx=1mm/step=%gmm/%s", STEP_MM, scheme[sd]);
        if (!vx_want(c, base)) {
            int any = 0;
            const char *parts[] = {"centroid_motion", "weight", "spread_per_step", "spread_vs_f(1-f)dx^2"};
            for (int k = 0; k < 4; k++) {
                snprintf(name, sizeof name, "%s/%s", base, parts[k]);
                any |= vx_want(c, name);
            }
            if (!any) continue;
        }
        vac_result v;
        smx_status st = run_scheme(c, sd, &v, err);
        if (st != SMX_OK) {
            snprintf(name, sizeof name, "%s/centroid_motion", base);
            snprintf(note, sizeof note, "not measured: %s", err);
            if ((st = vx_emit(c, name, NAN, "", SMX_VROW_FAIL, src, note, "could not run")) != SMX_OK)
                return st;
            continue;
        }
        snprintf(name, sizeof name, "%s/centroid_motion", base);
        snprintf(note, sizeof note, "worst |centroid step - ds (sin, cos)| / ds over %d steps of "
                 "%g mm, full circle 8 bins, stream-only graph", NSTEPS, STEP_MM);
        st = vx_emit(c, name, v.motion, "", v.motion <= mbar ? SMX_VROW_PASS : SMX_VROW_FAIL, src,
                     note, "<= %.0e (%s)", mbar, prec);
        snprintf(name, sizeof name, "%s/weight", base);
        if (st == SMX_OK)
            st = vx_emit(c, name, v.weight, "", v.weight <= wbar ? SMX_VROW_PASS : SMX_VROW_FAIL,
                         VX_SRC_ACCT, "worst relative change of the total weight", "<= %.0e (%s)",
                         wbar, prec);
        snprintf(name, sizeof name, "%s/spread_per_step", base);
        snprintf(note, sizeof note, "variance added per step and axis (mean of x and z); "
                 "shift_deposit prediction f(1-f)dx^2 = %.6g mm^2", v.pred);
        if (st == SMX_OK)
            st = vx_emit(c, name, v.spread, "mm^2", SMX_VROW_INFO, "numerical spread (reported)",
                         note, "reported");
        if (st == SMX_OK && sd) {
            snprintf(name, sizeof name, "%s/spread_vs_f(1-f)dx^2", base);
            st = vx_emit(c, name, v.spread_dev, "", v.spread_dev <= mbar ? SMX_VROW_PASS : SMX_VROW_FAIL,
                         "f(1-f)dx^2 per axis (docs/physics.md)", "worst relative deviation of any step's "
                         "added variance, either axis", "<= %.0e (%s)", mbar, prec);
        }
        if (st != SMX_OK) return st;
    }
    return SMX_OK;
}
