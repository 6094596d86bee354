/* Test 7: convergence order of the operator splitting in the step length.
 *
 * A (theta, x) problem that isolates the splitting error from the spatial
 * grid: constant scattering power T (rad^2/mm), no energy loss, and per
 * theta bin the exact position moments m0, m1, m2 of its weight. A_theta
 * is the engine's moment-matched kernel (smx__angular_kernel) of variance
 * T h (full) or T h / 2 (the Strang halves) on the theta window; A_stream
 * moves every bin's moments exactly by h sin(theta_j); A_E is the
 * identity. Steps are composed from smx__step_graph, the graph the engine
 * runs. The observable is the lateral variance V after a path L; with
 * e(h) = |V(h) - V(h/32)| the measured orders are log2(e(h)/e(h/2)) and
 * log2(e(h/2)/e(h/4)). For small angles the exact moment recursion gives
 * V_lie = T L^3/3 + T L^2 h/2 + O(h^2) and V_strang = T L^3/3 + T L h^2/6. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/physics.h"
#include "core/util.h"
#include "validate/vint.h"

#define NT 81            /* window +-20 deg: dtheta 0.494 deg */
#define TH_MAX_DEG 20.0
#define L_MM 100.0
#define N_COARSE 8       /* h = L / 8 = 12.5 mm */
#define SIGMA_END_DEG 2.0 /* angular sigma after L */

typedef struct tx_state {
    double m0[NT], m1[NT], m2[NT];
} tx_state;

/* A_theta with variance s2 (rad^2): the weight past the window leaks. */
static void scatter(tx_state *s, double s2, double dth)
{
    int kcap = NT;
    double w[2 * NT + 1];
    int K = smx__angular_kernel(s2 / (dth * dth), kcap, w);
    tx_state o;
    memset(&o, 0, sizeof o);
    for (int j = 0; j < NT; j++)
        for (int k = -K; k <= K; k++) {
            int jj = j + k;
            if (jj < 0 || jj >= NT) continue;
            double f = w[kcap + k];
            o.m0[jj] += f * s->m0[j];
            o.m1[jj] += f * s->m1[j];
            o.m2[jj] += f * s->m2[j];
        }
    *s = o;
}

static void stream(tx_state *s, const double *th, double h)
{
    for (int j = 0; j < NT; j++) {
        double d = h * sin(th[j]);
        s->m2[j] += 2 * d * s->m1[j] + d * d * s->m0[j];
        s->m1[j] += d * s->m0[j];
    }
}

/* Lateral variance after L in n steps of the splitting's graph. */
static double lateral_variance(smx_splitting split, int n, double T)
{
    double dth = 2 * TH_MAX_DEG * SMX_PI / 180 / NT, th[NT], h = L_MM / n;
    for (int j = 0; j < NT; j++) th[j] = -TH_MAX_DEG * SMX_PI / 180 + (j + 0.5) * dth;
    tx_state s;
    memset(&s, 0, sizeof s);
    s.m0[NT / 2] = 1; /* a pencil beam along theta = 0 at x = 0 */
    smx_graph g;
    smx__step_graph(split, &g);
    for (int step = 0; step < n; step++)
        for (int k = 0; k < g.nnodes; k++) {
            if (g.nodes[k].op == SMX_OP_SCATTER)
                scatter(&s, T * h * (g.nodes[k].variant == SMX_KERNEL_HALF ? 0.5 : 1.0), dth);
            else if (g.nodes[k].op == SMX_OP_STREAM)
                stream(&s, th, h);
            /* SMX_OP_ENERGY: no energy loss in this problem */
        }
    double w = 0, x1 = 0, x2 = 0;
    for (int j = 0; j < NT; j++) w += s.m0[j], x1 += s.m1[j], x2 += s.m2[j];
    return x2 / w - (x1 / w) * (x1 / w);
}

smx_status vt_splitting(vctx *c)
{
    static const char *const src = "splitting theory: Lie 1st order, Strang 2nd order (docs/validation.md)";
    double T = pow(SIGMA_END_DEG * SMX_PI / 180, 2) / L_MM, h = L_MM / N_COARSE;
    char name[2][SMX_VROW_TEST_LEN], note[320], hs[3][32];
    for (int sp = 0; sp < 2; sp++) {
        smx_splitting split = sp ? SMX_SPLIT_STRANG : SMX_SPLIT_LIE;
        const char *sn = smx_splitting_name(split);
        vx_num(hs[0], h), vx_num(hs[1], h / 2), vx_num(hs[2], h / 4);
        for (int k = 0; k < 2; k++)
            snprintf(name[k], sizeof name[k], "step_refinement/%.12s/theta-x/L=%gmm/order(h=%.10smm:%.10smm)", sn,
                     L_MM, hs[k], hs[k + 1]);
        if (!vx_want(c, name[0]) && !vx_want(c, name[1])) continue;
        double v[3], ref = lateral_variance(split, N_COARSE * 32, T);
        for (int k = 0; k < 3; k++) v[k] = lateral_variance(split, N_COARSE << k, T);
        double bar = sp ? 1.8 : 0.8;
        for (int k = 0; k < 2; k++) {
            double e0 = fabs(v[k] - ref), e1 = fabs(v[k + 1] - ref), order = log2(e0 / e1);
            snprintf(note, sizeof note, "e(h)=|V(h)-V(h/32)|: e(%smm)=%.4g, e(%smm)=%.4g mm^2; V(h/32)=%.6g "
                     "mm^2; T=%.4g rad^2/mm, theta window +-%g deg in %d bins", hs[k], e0, hs[k + 1],
                     e1, ref, T, TH_MAX_DEG, NT);
            smx_status st = vx_emit(c, name[k], order, "", isfinite(order) && order >= bar ?
                                    SMX_VROW_PASS : SMX_VROW_FAIL, src, note, ">= %.1f", bar);
            if (st != SMX_OK) return st;
        }
    }
    return SMX_OK;
}
