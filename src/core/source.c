/* Beam injection at the surface (see source.h). Each beam's Gaussian
 * spreads in energy, angle and position are sampled on 41 points over
 * +-4 sigma; every sample is placed on the grid by linear (mean-keeping)
 * splits, so the injected mean energy, angle and position are exact. A
 * sample off the grid (beyond x_min/x_max, outside the theta window, or at
 * |theta| >= 90 deg) is counted as leaked at the source. */
#include <math.h>
#include <string.h>

#include "core/limits.h"
#include "core/physics.h"
#include "core/source.h"
#include "core/util.h"

#define NSAMP 41 /* over +-SMX_SOURCE_SIGMAS */

/* Gaussian samples of mean mu and width sig: 1 point when sig = 0. */
static int gauss_samples(double mu, double sig, double *v, double *w)
{
    if (sig <= 0) {
        v[0] = mu;
        w[0] = 1;
        return 1;
    }
    double norm = 0;
    for (int k = 0; k < NSAMP; k++) {
        double t = SMX_SOURCE_SIGMAS * (2.0 * k / (NSAMP - 1) - 1);
        v[k] = mu + sig * t;
        w[k] = exp(-0.5 * t * t);
        norm += w[k];
    }
    for (int k = 0; k < NSAMP; k++) w[k] /= norm;
    return NSAMP;
}

static double snap(double f) { return f < 1e-9 ? 0 : (f > 1 - 1e-9 ? 1 : f); }

/* Theta bins and weights (j0: 1-f, j0+1: f) of a direction; 0 when the
 * direction is off the grid (outside the theta window) or cannot enter the
 * slab (|theta| >= 90 deg). */
static int theta_split(const smx_plan *p, double th, int *j, double *f)
{
    double u;
    if (!(fabs(th) < 0.5 * SMX_PI)) return 0;
    if (p->full_circle) {
        u = th / p->dtheta_rad + p->nt / 2;
    } else {
        u = (th - (p->theta_rad[0] - 0.5 * p->dtheta_rad)) / p->dtheta_rad - 0.5;
        if (u < -0.5 - 1e-9 || u > p->nt - 0.5 + 1e-9) return 0;
        if (u < 0) u = 0;
        if (u > p->nt - 1) u = p->nt - 1;
    }
    int j0 = (int)floor(u);
    *f = snap(u - j0);
    j[0] = ((j0 % p->nt) + p->nt) % p->nt;
    j[1] = (((j0 + 1) % p->nt) + p->nt) % p->nt;
    return 1;
}

static void add_deposit_row0(const smx_plan *p, double *edep, double x_mm, double dep)
{
    double u = (x_mm - p->x_min_mm) / p->dx_mm - 0.5;
    int i0 = (int)floor(u);
    double f = snap(u - i0);
    edep[smx__clampi(i0, 0, p->nx - 1)] += dep * (1 - f);
    edep[smx__clampi(i0 + 1, 0, p->nx - 1)] += dep * f;
}

smx_status smx__source_inject(const smx_config *cfg, const smx_plan *p, smx_host_state *s,
                              double *edep, smx_accounting *acct, int *e_lo, int *e_hi,
                              char *err, size_t errlen)
{
    const double *Ec = p->e_center_MeV;
    double total = 0;
    for (int b = 0; b < cfg->nbeams; b++) total += cfg->beams[b].protons;
    if (!(total > 0)) {
        smx__err(err, errlen, "beams: the total number of protons must be > 0");
        return SMX_ECONFIG;
    }
    int lo = p->ne, hi = -1;
    double Ev[NSAMP], Ew[NSAMP], Tv[NSAMP], Tw[NSAMP], Xv[NSAMP], Xw[NSAMP];
    for (int b = 0; b < cfg->nbeams; b++) {
        const smx_beam *bm = &cfg->beams[b];
        double W = bm->protons / total;
        int nE = gauss_samples(bm->energy_MeV, bm->energy_spread_MeV, Ev, Ew);
        int nT = gauss_samples(bm->angle_deg * SMX_PI / 180, bm->sigma_angle_deg * SMX_PI / 180,
                               Tv, Tw);
        int nX = gauss_samples(bm->x_mm, bm->sigma_x_mm, Xv, Xw);
        for (int a = 0; a < nT; a++) {
            double th = Tv[a], tn = tan(th);
            int jj[2] = {0, 0};
            double fj = 0;
            int on_grid = theta_split(p, th, jj, &fj);
            for (int xs = 0; xs < nX; xs++) {
                double x1 = Xv[xs] + tn * 0.5 * p->dz_mm; /* at the first cell centre */
                double u = (x1 - p->x_min_mm) / p->dx_mm - 0.5;
                /* off the grid (or the theta window): the sample leaks */
                int off = !on_grid || !(u >= -1.5 && u <= p->nx + 0.5);
                int i0 = off ? -2 : (int)floor(u);
                double fx = off ? 0 : snap(u - i0), ux = 0;
                if (p->moments && !off) { /* one cell, the offset kept as a moment; */
                    i0 = (int)floor(u + 0.5); /* [x_min, x_max] closed at both ends */
                    if (i0 == p->nx && u <= p->nx - 0.5 + 1e-9) i0 = p->nx - 1;
                    ux = u - i0;
                    fx = 0;
                }
                for (int e = 0; e < nE; e++) {
                    double E = Ev[e], w = W * Tw[a] * Xw[xs] * Ew[e];
                    if (E <= 0) continue;
                    acct->weight_source += w;
                    acct->energy_source += w * E;
                    for (int bx = 0; bx < 2; bx++) {
                        double wp = w * (bx ? fx : 1 - fx);
                        int ix = i0 + bx;
                        if (wp == 0) continue;
                        if (ix < 0 || ix >= p->nx) {
                            acct->weight_source_leaked += wp;
                            acct->energy_source_leaked += wp * E;
                            continue;
                        }
                        const smx_material *m = &p->mat[p->cell_mat[ix]];
                        double E1 = smx__energy_after(m, E, 0.5 * p->dz_mm / cos(th) / 10.0);
                        double dep = E - E1;
                        if (E1 < Ec[0] * (1 - 1e-9)) { /* stops in the first half cell */
                            acct->weight_absorbed += wp;
                            dep = E;
                        } else {
                            int k = 0;
                            while (k + 1 < p->ne && Ec[k + 1] <= E1) k++;
                            double fe = 0;
                            if (k == p->ne - 1) dep = E - Ec[k]; /* top bin: rest deposited */
                            else fe = snap((E1 - Ec[k]) / (Ec[k + 1] - Ec[k]));
                            if (fe == 1) {
                                k++;
                                fe = 0;
                            }
                            for (int be = 0; be < 2; be++)
                                for (int bj = 0; bj < 2; bj++) {
                                    double piece = wp * (be ? fe : 1 - fe) * (bj ? fj : 1 - fj);
                                    if (piece == 0) continue;
                                    size_t q = smx__hs_index(p, s, k + be, jj[bj], 0) + ix;
                                    s->psi[q] += piece;
                                    if (p->moments) {
                                        s->mx[q] += piece * ux;
                                        s->qx[q] += piece * ux * ux;
                                    }
                                    if (k + be < lo) lo = k + be;
                                    if (k + be > hi) hi = k + be;
                                }
                            /* the grid holds the mean of the split exactly */
                            dep = E - ((1 - fe) * Ec[k] + (k + 1 < p->ne ? fe * Ec[k + 1] : 0));
                        }
                        acct->energy_deposited += wp * dep;
                        add_deposit_row0(p, edep, Xv[xs] + tn * 0.25 * p->dz_mm, wp * dep);
                    }
                }
            }
        }
    }
    *e_lo = lo;
    *e_hi = hi;
    return SMX_OK;
}
