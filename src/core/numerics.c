/* Predicted numerical spread (see numerics.h). */
#include <math.h>
#include <stdlib.h>

#include "core/numerics.h"
#include "core/physics.h"
#include "core/util.h"

/* Range straggling that the energy grid adds: the first beam's energy
 * spectrum is carried through the A_E tables (in material 0) and the
 * depth reached by each absorbed part (path so far + residual range) is
 * collected; its spread is purely numerical since the model has none. */
static double range_straggling_mm(const smx_config *cfg, const smx_plan *p)
{
    const smx_material *m = &p->mat[0];
    const double *Ec = p->e_center_MeV;
    int ne = p->ne;
    double *w = calloc(ne, sizeof(double)), *nw = calloc(ne, sizeof(double));
    if (!w || !nw) {
        free(w);
        free(nw);
        return NAN;
    }
    double E1 = smx__energy_after(m, cfg->beams[0].energy_MeV, 0.5 * p->dz_mm / 10);
    int k = 0;
    while (k + 1 < ne && Ec[k + 1] <= E1) k++;
    double f = k + 1 < ne ? (E1 - Ec[k]) / (Ec[k + 1] - Ec[k]) : 0;
    if (f < 1e-9 || fabs(Ec[k] - E1) <= 1e-9 * E1) f = 0;
    w[k] = 1 - f;
    if (f > 0) w[k + 1] = f;
    double s0 = 0, s1 = 0, s2 = 0, path = 0, rho = m->density_g_cm3;
    for (int step = 0; step < cfg->max_steps; step++) {
        int any = 0;
        for (int i = 0; i < ne; i++) nw[i] = 0;
        for (int i = 0; i < ne; i++) {
            if (w[i] == 0) continue;
            int t = p->e_target[i];
            if (t < 0) { /* absorbed: depth reached = path + residual range */
                double d = path + smx__csda_range(m, Ec[i]) / rho * 10;
                s0 += w[i];
                s1 += w[i] * d;
                s2 += w[i] * d * d;
                continue;
            }
            nw[t] += w[i] * p->e_w_lo[i];
            if (p->e_w_lo[i] < 1) nw[t + 1] += w[i] * (1 - p->e_w_lo[i]);
            any = 1;
        }
        double *tmp = w;
        w = nw;
        nw = tmp;
        path += p->step_mm;
        if (!any) break;
    }
    free(w);
    free(nw);
    if (s0 <= 0) return NAN;
    double var = s2 / s0 - (s1 / s0) * (s1 / s0);
    return var > 0 ? sqrt(var) : 0;
}

/* Lateral variance that shift-and-deposit adds: f(1-f) dx^2 per step,
 * averaged over the first beam's angular distribution as the scattering
 * model grows it along the mean path. */
static double lateral_spread_mm(const smx_config *cfg, const smx_plan *p)
{
    const smx_material *m = &p->mat[0];
    const smx_beam *b = &cfg->beams[0];
    double ds_cm = p->step_mm / 10, th0 = b->angle_deg * SMX_PI / 180;
    double E = smx__energy_after(m, b->energy_MeV, 0.5 * p->dz_mm / cos(th0) / 10);
    double s2 = pow(b->sigma_angle_deg * SMX_PI / 180, 2), var_x = 0;
    double Emax = 0;
    for (int i = 0; i < cfg->nbeams; i++) {
        double e = cfg->beams[i].energy_MeV + 4 * cfg->beams[i].energy_spread_MeV;
        if (e > Emax) Emax = e;
    }
    double p1v1 = smx__pv_MeV(Emax), Ecut = p->e_edge_MeV[0];
    for (int step = 0; E > Ecut && step < cfg->max_steps; step++) {
        s2 += smx__scatter_variance(cfg->scattering, m, E, ds_cm, Ecut, p1v1);
        double norm = 0, acc = 0;
        for (int j = 0; j < p->nt; j++) {
            double d = p->theta_rad[j] - th0;
            double w = s2 > 0 ? exp(-0.5 * d * d / s2) : (fabs(d) < 0.5 * p->dtheta_rad);
            norm += w;
            acc += w * p->sfx[j] * (1 - p->sfx[j]);
        }
        if (norm > 0) var_x += acc / norm * p->dx_mm * p->dx_mm;
        E = smx__energy_after(m, E, ds_cm);
    }
    return sqrt(var_x);
}

void smx__numerical_spread(const smx_config *cfg, const smx_plan *p, smx_metrics *out)
{
    out->numerical_range_straggling_mm = range_straggling_mm(cfg, p);
    out->numerical_lateral_sigma_at_range_mm = lateral_spread_mm(cfg, p);
}
