/* Predicted numerical spread (see numerics.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numerics.h"
#include "core/parcel.h"
#include "core/physics.h"
#include "core/util.h"

/* The bin of the first beam after the entrance half cell, and its split. */
static int entry_bin(const smx_config *cfg, const smx_plan *p, double *f)
{
    const double *Ec = p->e_center_MeV;
    double E1 = smx__energy_after(&p->mat[0], cfg->beams[0].energy_MeV, 0.5 * p->dz_mm / 10);
    int k = 0;
    while (k + 1 < p->ne && Ec[k + 1] <= E1) k++;
    *f = k + 1 < p->ne ? (E1 - Ec[k]) / (Ec[k + 1] - Ec[k]) : 0;
    if (*f < 1e-9 || fabs(Ec[k] - E1) <= 1e-9 * E1) *f = 0;
    return k;
}

/* Range straggling that the energy grid adds: the first beam's spectrum
 * is carried through the A_E tables of medium 0 without the physical
 * straggling, and the depth reached by each absorbed part (path so far +
 * residual range) is collected; its spread is purely numerical. */
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
    double f, s0 = 0, s1 = 0, s2 = 0, path = 0, rho = m->density_g_cm3;
    int k = entry_bin(cfg, p, &f);
    w[k] = 1 - f;
    if (f > 0) w[k + 1] = f;
    for (int step = 0; step < cfg->max_steps; step++) {
        int any = 0;
        memset(nw, 0, ne * sizeof(double));
        for (int i = 0; i < ne; i++) {
            if (w[i] == 0) continue;
            if (p->e_first[i] < 0) { /* absorbed: depth reached = path + residual range */
                double d = path + smx__csda_range(m, Ec[i]) / rho * 10;
                s0 += w[i];
                s1 += w[i] * d;
                s2 += w[i] * d * d;
                continue;
            }
            /* the two-bin split of the mean (the tables may add straggling) */
            double mean = 0, tot = 0;
            for (int t = 0; t < p->e_count[i]; t++) {
                mean += p->e_w[i * SMX_EK_MAX + t] * Ec[p->e_first[i] + t];
                tot += p->e_w[i * SMX_EK_MAX + t];
            }
            mean /= tot;
            int b = p->e_first[i];
            while (b + 1 < ne && Ec[b + 1] <= mean) b++;
            double g = b + 1 < ne ? (mean - Ec[b]) / (Ec[b + 1] - Ec[b]) : 0;
            if (g < 1e-9) g = 0;
            nw[b] += w[i] * (1 - g);
            if (g > 0) nw[b + 1] += w[i] * g;
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

/* Lateral spread that the streaming scheme adds: the first beam is run in
 * (theta, x) alone, with the plan's kernels along its mean energy path,
 * once with the scheme on the grid and once exactly (per-bin moments of
 * position, moved by step * sin(theta)); the difference of the variances
 * at the end of range. The grid variance is that of the representation:
 * with centroids the cells' own moments, with shift_deposit the cell
 * centres less the cell width term. */
static double lateral_spread_mm(const smx_config *cfg, const smx_plan *p)
{
    int nt = p->nt, nx = p->nx, ker = 2 * p->kmax + 1;
    size_t n = (size_t)nt * nx;
    double *W = calloc(n, sizeof(double)), *M = calloc(n, sizeof(double)), *Q = calloc(n, sizeof(double));
    double *W2 = calloc(n, sizeof(double)), *M2 = calloc(n, sizeof(double)), *Q2 = calloc(n, sizeof(double));
    double *e = calloc(6 * (size_t)nt, sizeof(double)); /* exact m0, m1, m2 and their next */
    double result = NAN;
    if (!W || !M || !Q || !W2 || !M2 || !Q2 || !e) goto done;
    double *m0 = e, *m1 = e + nt, *m2 = e + 2 * nt, *n0 = e + 3 * nt, *n1 = e + 4 * nt, *n2 = e + 5 * nt;
    double th0 = cfg->beams[0].angle_deg * SMX_PI / 180, best = INFINITY;
    int j0 = 0, ix0 = nx / 2;
    for (int j = 0; j < nt; j++)
        if (fabs(p->theta_rad[j] - th0) < best) best = fabs(p->theta_rad[j] - th0), j0 = j;
    W[(size_t)j0 * nx + ix0] = 1;
    m0[j0] = 1;
    double f;
    int i = entry_bin(cfg, p, &f);
    for (int step = 0; step < cfg->max_steps && i >= 0; step++) {
        const double *kw = p->k_weight + (size_t)i * ker + p->kmax; /* medium 0, full step */
        int K = p->k_half[i];
        memset(W2, 0, sizeof(double) * n), memset(M2, 0, sizeof(double) * n), memset(Q2, 0, sizeof(double) * n);
        memset(n0, 0, sizeof(double) * 3 * nt);
        for (int j = 0; j < nt; j++) /* A_theta on both */
            for (int k = -K; k <= K; k++) {
                int jj = j + k;
                if (p->full_circle) jj = ((jj % nt) + nt) % nt;
                else if (jj < 0 || jj >= nt) continue;
                n0[jj] += kw[k] * m0[j], n1[jj] += kw[k] * m1[j], n2[jj] += kw[k] * m2[j];
                for (int x = 0; x < nx; x++) {
                    W2[(size_t)jj * nx + x] += kw[k] * W[(size_t)j * nx + x];
                    M2[(size_t)jj * nx + x] += kw[k] * M[(size_t)j * nx + x];
                    Q2[(size_t)jj * nx + x] += kw[k] * Q[(size_t)j * nx + x];
                }
            }
        memset(W, 0, sizeof(double) * n), memset(M, 0, sizeof(double) * n), memset(Q, 0, sizeof(double) * n);
        for (int j = 0; j < nt; j++) { /* A_stream: exact, and the scheme */
            double s = p->sx0[j] + p->sfx[j], smm = s * p->dx_mm;
            m0[j] = n0[j], m1[j] = n1[j] + smm * n0[j], m2[j] = n2[j] + 2 * smm * n1[j] + smm * smm * n0[j];
            for (int x = 0; x < nx; x++) {
                size_t q = (size_t)j * nx + x;
                double w = W2[q];
                if (w == 0) continue;
                int cell[3], np;
                double frac[3], off[3] = {0, 0, 0}, sec[3] = {0, 0, 0};
                if (p->moments) {
                    double u = fmin(fmax(M2[q] / w, -0.5), 0.5), v = Q2[q] / w - u * u;
                    v = v < SMX_PARCEL_MIN_VARIANCE ? 0 : fmin(v, 1.0 / 12);
                    np = smx__parcel_pieces(x + u + s, v, cell, frac, off, sec);
                } else {
                    cell[0] = x + p->sx0[j], frac[0] = 1 - p->sfx[j];
                    cell[1] = x + p->sx0[j] + 1, frac[1] = p->sfx[j];
                    np = 2;
                }
                for (int k = 0; k < np; k++) {
                    if (cell[k] < 0 || cell[k] >= nx || frac[k] == 0) continue;
                    size_t d = (size_t)j * nx + cell[k];
                    W[d] += w * frac[k], M[d] += w * frac[k] * off[k], Q[d] += w * frac[k] * sec[k];
                }
            }
        }
        i = p->e_first[i];
    }
    double w = 0, x1 = 0, x2 = 0, e0 = 0, e1 = 0, e2 = 0;
    for (int j = 0; j < nt; j++) {
        e0 += m0[j], e1 += m1[j], e2 += m2[j];
        for (int x = 0; x < nx; x++) {
            size_t q = (size_t)j * nx + x;
            double xc = x - ix0; /* cells */
            w += W[q], x1 += W[q] * xc + M[q], x2 += W[q] * xc * xc + 2 * xc * M[q] + Q[q];
        }
    }
    if (w > 0 && e0 > 0) {
        double d2 = p->dx_mm * p->dx_mm;
        double vg = (x2 / w - (x1 / w) * (x1 / w)) * d2 - (p->moments ? 0 : d2 / 12);
        double ve = e2 / e0 - (e1 / e0) * (e1 / e0);
        result = vg > ve ? sqrt(vg - ve) : 0;
    }
done:
    free(W), free(M), free(Q), free(W2), free(M2), free(Q2), free(e);
    return result;
}

void smx__numerical_spread(const smx_config *cfg, const smx_plan *p, smx_metrics *out)
{
    out->numerical_range_straggling_mm = range_straggling_mm(cfg, p);
    out->numerical_lateral_sigma_at_range_mm = lateral_spread_mm(cfg, p);
}
