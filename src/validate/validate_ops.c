/* Tests 1-2: every operator of the op table (A_theta, A_theta/2, A_stream,
 * A_E) on small odd grids with a random dense state (seed 42), both
 * streaming schemes: weight and energy balance of its accounting (and the
 * deposit grid against the accounted deposit), and no negative entry
 * after any operator, also along whole Lie and Strang steps of a beam. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "core/util.h"
#include "validate/vint.h"

#define NCASES 2
#define NSTEPS 25

/* Case 0: theta window, range grid in lockstep, bone and lung slabs.
 * Case 1: full circle (some bins beyond the 120 deg cap), uniform energy
 * grid, a 0.7 mm step (fractional shifts). */
static void case_config(const vctx *c, int k, int shift_deposit, smx_config *cfg)
{
    smx_config_init(cfg);
    cfg->nx = k == 0 ? 9 : 7;
    cfg->nz = k == 0 ? 11 : 9;
    cfg->x_min_mm = -0.5 * cfg->nx;
    cfg->x_max_mm = 0.5 * cfg->nx;
    cfg->z_max_mm = cfg->nz; /* 1 mm cells */
    cfg->ntheta = k == 0 ? 13 : 15;
    cfg->theta_full_circle = k == 1;
    cfg->theta_min_deg = -40;
    cfg->theta_max_deg = 40;
    cfg->max_angle_deg = k == 1 ? 120 : 90;
    cfg->spacing = k == 0 ? SMX_SPACING_RANGE : SMX_SPACING_UNIFORM;
    cfg->ne = k == 0 ? 0 : 13;
    cfg->step_mm = k == 0 ? 0 : 0.7;
    cfg->e_min_MeV = 1;
    cfg->e_max_MeV = 60;
    cfg->nbeams = 1;
    cfg->beams[0] = (smx_beam){.energy_MeV = 50, .angle_deg = k == 0 ? 10 : 30, .protons = 1};
    cfg->streaming = shift_deposit ? SMX_STREAM_SHIFT_DEPOSIT : SMX_STREAM_CENTROID;
    if (k == 0) {
        cfg->nslabs = 2;
        cfg->slabs[0] = (smx_slab){.z_min_mm = 3, .z_max_mm = 6, .material = "bone_cortical_icrp"};
        cfg->slabs[1] = (smx_slab){.z_min_mm = 6, .z_max_mm = 8, .material = "lung"};
    }
    snprintf(cfg->backend, sizeof cfg->backend, "%s", c->backend);
}

typedef struct op_worst {
    double imb;      /* worst of weight, energy and deposit-grid imbalance */
    char where[96];
} op_worst;

static double min_of(const double *a, size_t n)
{
    double m = INFINITY;
    for (size_t k = 0; k < n; k++)
        if (a[k] < m) m = a[k];
    return m;
}

/* Deposit grid against the accounted deposit, relative to the energy in. */
static double grid_mismatch(const smx_oprun *r)
{
    double sum = 0;
    for (size_t q = 0; q < smx__slab(&r->plan); q++) sum += r->edep[q];
    const smx_op_acct *a = &r->acct[0];
    return a->e_in > 0 ? fabs(sum - a->e_deposited - a->e_nuc_deposited) / a->e_in : 0;
}

/* One op of one case on a random state. */
static smx_status one_op(vctx *c, int k, int sd, int o, op_worst *w, double *minv, char *err)
{
    smx_config cfg;
    case_config(c, k, sd, &cfg);
    smx_plan p;
    smx_status st = smx__plan_build(&cfg, &p, err, VX_ERRLEN);
    if (st != SMX_OK) return st;
    int ne = p.ne;
    smx_host_state hs = smx__host_state_alloc(&p);
    int ok = smx__host_state_ok(&p, &hs);
    if (ok) smx__random_state(&p, &hs, 0, ne - 1);
    smx__plan_free(&p);
    if (!ok) {
        smx__host_state_free(&hs);
        return SMX_ENOMEM;
    }
    smx_oprun r;
    st = smx__oprun_open(&r, c->backend, &cfg, &hs, 0, ne - 1, err, VX_ERRLEN);
    smx__host_state_free(&hs);
    smx_graph g = {.nnodes = 1, .nodes = {smx__ops[o].node}};
    if (st == SMX_OK) st = smx__oprun_graph(&r, &g, err, VX_ERRLEN);
    if (st == SMX_OK) {
        double dw, de, dg = grid_mismatch(&r), worst;
        smx__op_imbalance(&r.acct[0], &dw, &de);
        worst = fmax(fmax(dw, de), dg);
        if (worst >= w->imb)
            snprintf(w->where, sizeof w->where, "%s/%s (%s)", k == 0 ? "window" : "circle",
                     sd ? "shift_deposit" : "centroid",
                     worst == dw ? "weight" : (worst == de ? "energy" : "deposit grid"));
        w->imb = fmax(w->imb, worst);
        *minv = fmin(*minv, fmin(min_of(r.psi, smx__psi_size(&r.plan)),
                                 min_of(r.edep, smx__slab(&r.plan))));
    }
    smx__oprun_close(&r);
    return st;
}

/* A beam of case k through NSTEPS steps, one node at a time: the least
 * entry of psi and of the deposit grid after every operator. */
static smx_status beam_steps(vctx *c, int k, int sd, smx_splitting split, double *minv, char *err)
{
    smx_config cfg;
    case_config(c, k, sd, &cfg);
    cfg.splitting = split;
    smx_oprun r;
    smx_status st = smx__oprun_open(&r, c->backend, &cfg, NULL, 0, -1, err, VX_ERRLEN);
    if (st == SMX_OK) {
        smx_host_state hs = r.st;
        smx_accounting acct = {0};
        double *edep0 = calloc(smx__slab(&r.plan), sizeof(double));
        st = edep0 ? smx__source_inject(&cfg, &r.plan, &hs, edep0, &acct, &r.lo, &r.hi, err,
                                        VX_ERRLEN)
                   : SMX_ENOMEM;
        free(edep0);
        if (st == SMX_OK) st = r.be->set_state(r.ctx, &hs, r.lo, r.hi, err, VX_ERRLEN);
    }
    smx_graph step;
    smx__step_graph(split, &step);
    for (int s = 0; st == SMX_OK && s < NSTEPS && r.hi >= r.lo; s++)
        for (int n = 0; st == SMX_OK && n < step.nnodes; n++) {
            smx_graph g = {.nnodes = 1, .nodes = {step.nodes[n]}};
            st = smx__oprun_graph(&r, &g, err, VX_ERRLEN);
            if (st == SMX_OK)
                *minv = fmin(*minv, fmin(min_of(r.psi, smx__psi_size(&r.plan)),
                                         min_of(r.edep, smx__slab(&r.plan))));
        }
    smx__oprun_close(&r);
    return st;
}

static smx_status fail_rows(vctx *c, const char *what, const char *why)
{
    char note[320];
    snprintf(note, sizeof note, "not measured: %s", why);
    return vx_emit(c, what, NAN, "", SMX_VROW_FAIL, VX_SRC_OPS, note, "could not run");
}

smx_status vt_operators(vctx *c)
{
    static const char *const grids = "odd-grids/both-streaming";
    char name[SMX_VROW_TEST_LEN], err[VX_ERRLEN] = "", note[320];
    int any = 0;
    for (int o = 0; o < SMX_N_OPS; o++) {
        snprintf(name, sizeof name, "conservation/%s/%s", smx__ops[o].name, grids);
        any |= vx_want(c, name);
    }
    snprintf(name, sizeof name, "positivity/all-ops+%d-steps/%s", NSTEPS, grids);
    any |= vx_want(c, name);
    if (!any) return SMX_OK;

    double bar = vx_conservation_bar(c), minv = INFINITY;
    smx_status st = SMX_OK;
    for (int o = 0; o < SMX_N_OPS; o++) {
        op_worst w = {0, ""};
        st = SMX_OK;
        for (int k = 0; st == SMX_OK && k < NCASES; k++)
            for (int sd = 0; st == SMX_OK && sd < 2; sd++) st = one_op(c, k, sd, o, &w, &minv, err);
        snprintf(name, sizeof name, "conservation/%s/%s", smx__ops[o].name, grids);
        if (st != SMX_OK) {
            smx_status e = fail_rows(c, name, err);
            if (e != SMX_OK) return e;
            continue;
        }
        snprintf(note, sizeof note, "worst of weight, energy and deposit-grid imbalance over "
                 "9x11x13 window (bone+lung slabs, range grid) and 7x9x15 full circle (uniform "
                 "grid, 0.7 mm step), centroid and shift_deposit; worst: %s", w.where);
        st = vx_emit(c, name, w.imb, "", w.imb <= bar ? SMX_VROW_PASS : SMX_VROW_FAIL,
                     VX_SRC_ACCT, note, "<= %.0e (%s)", bar, c->float64 ? "float64" : "float32");
        if (st != SMX_OK) return st;
    }
    st = SMX_OK;
    for (int k = 0; st == SMX_OK && k < NCASES; k++)
        for (int sd = 0; st == SMX_OK && sd < 2; sd++)
            for (int sp = 0; st == SMX_OK && sp < 2; sp++)
                st = beam_steps(c, k, sd, sp ? SMX_SPLIT_STRANG : SMX_SPLIT_LIE, &minv, err);
    snprintf(name, sizeof name, "positivity/all-ops+%d-steps/%s", NSTEPS, grids);
    if (st != SMX_OK) return fail_rows(c, name, err);
    snprintf(note, sizeof note, "least psi or deposit entry after every operator on the random "
             "states, and after every node of %d Lie and Strang steps of a 50 MeV beam, both "
             "grids and both streaming schemes", NSTEPS);
    return vx_emit(c, name, minv, "", minv >= 0 ? SMX_VROW_PASS : SMX_VROW_FAIL, VX_SRC_OPS,
                   note, ">= 0");
}
