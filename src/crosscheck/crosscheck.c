/* The cross-check harness (see crosscheck.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/oprun.h"
#include "core/ops.h"
#include "core/util.h"
#include "crosscheck/crosscheck.h"

/* What a case runs: one operator of the op table, N whole steps of a
 * splitting, or a whole run from a beam. */
enum { XC_OP, XC_STEPS, XC_RUN };

typedef struct xcase {
    int nx, nz, nt, ne;  /* ne 0: lockstep auto */
    int full_circle;
    double angle_deg, x_mm;
    smx_energy_spacing spacing;
    smx_streaming streaming;
    int slabs;
    int kind, arg;       /* XC_OP: op index; XC_STEPS: steps; XC_RUN: - */
    smx_splitting split;
    int quick;           /* part of --quick */
} xcase;

#define C (SMX_STREAM_CENTROID)
#define S (SMX_STREAM_SHIFT_DEPOSIT)
#define U SMX_SPACING_UNIFORM
#define R SMX_SPACING_RANGE
static const xcase cases[] = {
    /* each operator alone on small odd grids, both schemes */
    {7, 9, 11, 13, 0, 0, 0, U, C, 0, XC_OP, -1, SMX_SPLIT_LIE, 1},
    {7, 9, 11, 13, 0, 0, 0, U, S, 0, XC_OP, -1, SMX_SPLIT_LIE, 1},
    {9, 7, 12, 11, 1, 0, 0, SMX_SPACING_LOG, C, 1, XC_OP, -1, SMX_SPLIT_LIE, 1}, /* backward bins */
    {11, 13, 9, 0, 0, 30, 0, R, C, 1, XC_OP, -1, SMX_SPLIT_LIE, 1},
    /* whole steps */
    {7, 9, 11, 13, 0, 0, 0, U, C, 0, XC_STEPS, 3, SMX_SPLIT_LIE, 1},
    {7, 9, 11, 13, 0, 0, 0, U, C, 0, XC_STEPS, 3, SMX_SPLIT_STRANG, 1},
    {9, 7, 12, 11, 1, 0, 0, U, S, 0, XC_STEPS, 3, SMX_SPLIT_STRANG, 1},
    /* whole runs: beams at 0, 30 and 45 deg, one near an edge, full circle */
    {15, 30, 21, 0, 0, 0, 0, R, C, 0, XC_RUN, 0, SMX_SPLIT_LIE, 1},
    {15, 30, 21, 0, 0, 30, 0, R, C, 1, XC_RUN, 0, SMX_SPLIT_LIE, 1},
    {15, 30, 24, 0, 1, 45, 0, R, S, 0, XC_RUN, 0, SMX_SPLIT_STRANG, 1},
    {15, 30, 21, 0, 0, -30, -6.5, R, C, 0, XC_RUN, 0, SMX_SPLIT_LIE, 1},
    /* the seed grids: one whole step on a dense state */
    {25, 25, 36, 120, 1, 0, 0, U, C, 0, XC_STEPS, 1, SMX_SPLIT_LIE, 0},
    {30, 30, 48, 140, 1, 0, 0, U, S, 0, XC_STEPS, 1, SMX_SPLIT_LIE, 0},
    {40, 40, 72, 200, 1, 0, 0, U, C, 0, XC_STEPS, 1, SMX_SPLIT_LIE, 0},
};
#undef C
#undef S
#undef U
#undef R
#define NCASES (int)(sizeof cases / sizeof cases[0])

static void case_config(const xcase *k, smx_config *c)
{
    smx_config_init(c);
    c->nx = k->nx, c->x_min_mm = -0.5 * k->nx, c->x_max_mm = 0.5 * k->nx;
    c->nz = k->nz, c->z_max_mm = k->nz;
    c->ntheta = k->nt;
    c->theta_full_circle = k->full_circle;
    c->theta_min_deg = -40, c->theta_max_deg = 40;
    c->max_angle_deg = k->full_circle ? 120 : 90; /* full circle: backward bins rejected */
    c->ne = k->ne, c->e_min_MeV = 1, c->e_max_MeV = k->ne >= 100 ? 200 : 60;
    c->spacing = k->spacing;
    c->streaming = k->streaming;
    c->splitting = k->split;
    c->nbeams = 1;
    c->beams[0] = (smx_beam){.energy_MeV = 50, .x_mm = k->x_mm, .angle_deg = k->angle_deg,
                             .sigma_x_mm = 0.7, .energy_spread_MeV = 0.4, .protons = 1};
    if (k->slabs) {
        c->nslabs = 1;
        c->slabs[0] = (smx_slab){.z_min_mm = 0.3 * k->nz, .z_max_mm = 0.5 * k->nz,
                                 .material = "bone_cortical_icrp"};
    }
}

static void case_name(const xcase *k, const smx_config *cfg, const char *what, char *buf, size_t n)
{
    char var[64] = "";
    if (cfg->accumulation != SMX_ACCUM_DETERMINISTIC || cfg->scatter != SMX_SCATTER_AUTO)
        snprintf(var, sizeof var, "/accumulation=%s/scatter=%s",
                 smx_accumulation_name(cfg->accumulation), smx_scatter_impl_name(cfg->scatter));
    snprintf(buf, n, "%s/grid=%dx%dx%dx%d/theta=%s/angle=%g/stream=%s/media=%s%s", what, k->nx,
             k->nz, k->nt, k->ne, k->full_circle ? "circle" : "window", k->angle_deg,
             smx_streaming_name(k->streaming), k->slabs ? "bone" : "water", var);
}

/* The configuration the reference runs a case with: its one A_theta, the
 * stencil, whatever the variant asks of the backend under test (gemm is
 * refused there). */
static smx_config oracle_config(const smx_config *cfg)
{
    smx_config o = *cfg;
    o.scatter = SMX_SCATTER_STENCIL;
    return o;
}

/* One operator or N steps from the same seeded state on both backends. */
static smx_status graph_case(const xcase *k, const smx_config *cfg, const char *backend,
                             int op, smx_xrow *row, char *err, size_t errlen)
{
    smx_plan plan;
    smx_status st = smx__plan_build(cfg, &plan, err, errlen);
    if (st != SMX_OK) return st;
    smx_host_state hs = smx__host_state_alloc(&plan);
    int ne = plan.ne;
    size_t n = smx__psi_size(&plan), slab = smx__slab(&plan);
    if (!smx__host_state_ok(&plan, &hs)) st = SMX_ENOMEM;
    if (st == SMX_OK) smx__random_state(&plan, &hs, 0, ne - 1);
    smx__plan_free(&plan);
    smx_oprun a, b;
    memset(&a, 0, sizeof a), memset(&b, 0, sizeof b);
    smx_config oracle = oracle_config(cfg);
    if (st == SMX_OK) st = smx__oprun_open(&a, "reference", &oracle, &hs, 0, ne - 1, err, errlen);
    if (st == SMX_OK) st = smx__oprun_open(&b, backend, cfg, &hs, 0, ne - 1, err, errlen);
    smx__host_state_free(&hs);
    int steps = k->kind == XC_OP ? 1 : k->arg;
    for (int s = 0; st == SMX_OK && s < steps; s++) {
        smx_graph g = {0};
        if (k->kind == XC_OP) g.nnodes = 1, g.nodes[0] = smx__ops[op].node;
        else smx__step_graph(k->split, &g);
        smx_graph g2 = g;
        st = smx__oprun_graph(&a, &g, err, errlen);
        if (st == SMX_OK) st = smx__oprun_graph(&b, &g2, err, errlen);
        for (int q = 0; st == SMX_OK && q < g.nnodes; q++)
            row->nmse_acct = fmax(row->nmse_acct, smx__acct_nmse(&b.acct[q], &a.acct[q]));
    }
    if (st == SMX_OK) {
        const double *sa[5] = {a.st.psi, a.st.mx, a.st.mz, a.st.qx, a.st.qz};
        const double *sb[5] = {b.st.psi, b.st.mx, b.st.mz, b.st.qx, b.st.qz};
        for (int q = 0; q < 5; q++) row->nmse_state = fmax(row->nmse_state, smx__nmse(sb[q], sa[q], n));
        row->nmse_dose = smx__nmse(b.edep, a.edep, slab);
    }
    smx__oprun_close(&a);
    smx__oprun_close(&b);
    return st;
}

/* A whole run on both backends: dose and the run's accounting totals. */
static smx_status run_case(const smx_config *cfg0, const char *backend, smx_xrow *row, char *err,
                           size_t errlen)
{
    smx_config cfg;
    smx_run *r[2] = {NULL, NULL};
    const char *names[2] = {"reference", backend};
    smx_status st = SMX_OK;
    for (int k = 0; st == SMX_OK && k < 2; k++) {
        cfg = k == 0 ? oracle_config(cfg0) : *cfg0;
        snprintf(cfg.backend, sizeof cfg.backend, "%s", names[k]);
        st = smx_run_create(&cfg, &r[k], err, errlen);
        if (st == SMX_OK) st = smx_run_execute(r[k], NULL, NULL, err, errlen);
    }
    if (st == SMX_OK) {
        const smx_result *a = smx_run_result(r[0]), *b = smx_run_result(r[1]);
        row->nmse_dose = smx__nmse(b->dose_Gy, a->dose_Gy, (size_t)a->nx * a->nz);
        row->nmse_state = 0; /* a finished run has no state left */
        const smx_accounting *x = &a->accounting, *y = &b->accounting;
        double fa[] = {x->weight_absorbed, x->weight_nuclear, x->weight_rejected, x->weight_trimmed,
                       x->weight_leaked[0], x->weight_leaked[1], x->weight_leaked[2],
                       x->weight_leaked[3], x->weight_leaked[4], x->energy_deposited / x->energy_source,
                       x->energy_nuclear_deposited / x->energy_source, x->weight_secondary,
                       x->energy_secondary / x->energy_source};
        double fb[] = {y->weight_absorbed, y->weight_nuclear, y->weight_rejected, y->weight_trimmed,
                       y->weight_leaked[0], y->weight_leaked[1], y->weight_leaked[2],
                       y->weight_leaked[3], y->weight_leaked[4], y->energy_deposited / y->energy_source,
                       y->energy_nuclear_deposited / y->energy_source, y->weight_secondary,
                       y->energy_secondary / y->energy_source};
        for (size_t k = 0; k < sizeof fa / sizeof fa[0]; k++)
            row->nmse_acct = fmax(row->nmse_acct, pow(fa[k] - fb[k], 2));
    }
    smx_run_free(r[0]);
    smx_run_free(r[1]);
    return st;
}

smx_status smx__crosscheck(const char *backend, const smx_xvariant *v, int quick, smx_xrow_fn on_row,
                           void *user, int *passed, int *failed, char *err, size_t errlen)
{
    *passed = *failed = 0;
    for (int c = 0; c < NCASES; c++) {
        const xcase *k = &cases[c];
        if (quick && !k->quick) continue;
        smx_config cfg;
        case_config(k, &cfg);
        if (v) {
            cfg.accumulation = v->accumulation;
            cfg.scatter = v->scatter == SMX_SCATTER_GEMM && k->slabs ? SMX_SCATTER_STENCIL : v->scatter;
        }
        int nops = k->kind == XC_OP ? SMX_N_OPS : 1;
        for (int op = 0; op < nops; op++) {
            smx_xrow row = {0};
            snprintf(row.backend, sizeof row.backend, "%s", backend);
            char what[64];
            if (k->kind == XC_OP) snprintf(what, sizeof what, "op/%s", smx__ops[op].name);
            else if (k->kind == XC_STEPS)
                snprintf(what, sizeof what, "steps=%d/%s", k->arg, smx_splitting_name(k->split));
            else snprintf(what, sizeof what, "run/%s", smx_splitting_name(k->split));
            case_name(k, &cfg, what, row.name, sizeof row.name);
            char why[512] = "";
            smx_status st = k->kind == XC_RUN ? run_case(&cfg, backend, &row, why, sizeof why)
                                              : graph_case(k, &cfg, backend, op, &row, why, sizeof why);
            if (st == SMX_ENOMEM) {
                smx__err(err, errlen, "%s: %s", row.name, why);
                return st;
            }
            if (st != SMX_OK) snprintf(row.why, sizeof row.why, "%s", why);
            row.pass = st == SMX_OK && row.nmse_state <= SMX_XCHECK_BAR &&
                       row.nmse_dose <= SMX_XCHECK_BAR && row.nmse_acct <= SMX_XCHECK_BAR;
            if (row.pass) ++*passed;
            else ++*failed;
            if (on_row) on_row(user, &row);
        }
    }
    return SMX_OK;
}
