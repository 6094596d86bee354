/* Every operator of the op table, on every backend, on small odd grids:
 * weight and energy conservation, positivity, and agreement with the
 * reference backend. */
#include <criterion/criterion.h>

#include "core/boxes.h"
#include "harness.h"

static const test_case cases[] = {
    {7, 9, 11, 13, 0, 0, SMX_SPACING_UNIFORM, 0, 1, 0, 1},
    {9, 7, 12, 11, 1, 0, SMX_SPACING_LOG, 0.7, 0, 0, 0},
    {11, 13, 9, 0, 0, 10, SMX_SPACING_RANGE, 0, 0, 1, 0},
    {5, 6, 8, 10, 1, 30, SMX_SPACING_UNIFORM, 2.5, 1, 1, 0},
    {6, 5, 7, 9, 0, -35, SMX_SPACING_RANGE, 1.3, 0, 0, 1},
    {7, 11, 9, 0, 0, 0, SMX_SPACING_RANGE, 0, 1, 0, 0},
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

/* Runs one op of one case on one backend; returns the run (open). */
static void run_op(const test_case *t, const char *backend, const smx_op_desc *op, smx_oprun *r)
{
    char err[1024] = "";
    smx_config cfg;
    case_config(t, &cfg);
    smx_plan plan;
    cr_assert_eq(smx__plan_build(&cfg, &plan, err, sizeof err), SMX_OK, "%s", err);
    smx_host_state hs = smx__host_state_alloc(&plan);
    smx__random_state(&plan, &hs, 0, plan.ne - 1);
    int ne = plan.ne;
    smx__plan_free(&plan);
    cr_assert_eq(smx__oprun_open(r, backend, &cfg, &hs, 0, ne - 1, err, sizeof err), 0, "%s", err);
    smx__host_state_free(&hs);
    smx_graph g = {.nnodes = 1, .nodes = {op->node}};
    cr_assert_eq(smx__oprun_graph(r, &g, err, sizeof err), 0, "%s", err);
}

Test(operators, conservation_and_positivity)
{
    for (int c = 0; c < N_CASES; c++)
        for (int b = 0; b < N_TEST_BACKENDS; b++)
            for (int o = 0; o < SMX_N_OPS; o++) {
                char name[160];
                case_name(&cases[c], smx__ops[o].name, name, sizeof name);
                smx_oprun r;
                run_op(&cases[c], test_backends[b], &smx__ops[o], &r);
                double dw, de, bar = b == 0 ? 1e-12 : 1e-6;
                smx__op_imbalance(&r.acct[0], &dw, &de);
                cr_expect_leq(dw, bar, "%s/backend=%s: weight imbalance %.3g", name,
                              test_backends[b], dw);
                cr_expect_leq(de, bar, "%s/backend=%s: energy imbalance %.3g", name,
                              test_backends[b], de);
                size_t n = smx__psi_size(&r.plan), s = smx__slab(&r.plan);
                cr_expect_geq(min_value(r.psi, n), 0.0, "%s/backend=%s: negative psi", name,
                              test_backends[b]);
                cr_expect_geq(min_value(r.edep, s), 0.0, "%s/backend=%s: negative deposit", name,
                              test_backends[b]);
                /* energy put into the dose grid equals the accounted deposit */
                double sum = 0;
                for (size_t q = 0; q < s; q++) sum += r.edep[q];
                double acc = r.acct[0].e_deposited + r.acct[0].e_nuc_deposited;
                cr_expect_leq(fabs(sum - acc), bar * r.acct[0].e_in + 1e-300,
                              "%s/backend=%s: dose grid %.17g vs accounted %.17g", name,
                              test_backends[b], sum, acc);
                smx__oprun_close(&r);
            }
}

Test(operators, openmp_matches_reference)
{
    for (int c = 0; c < N_CASES; c++)
        for (int o = 0; o < SMX_N_OPS; o++) {
            char name[160];
            case_name(&cases[c], smx__ops[o].name, name, sizeof name);
            smx_oprun ref, omp;
            run_op(&cases[c], "reference", &smx__ops[o], &ref);
            run_op(&cases[c], "openmp", &smx__ops[o], &omp);
            size_t n = smx__psi_size(&ref.plan), s = smx__slab(&ref.plan);
            double e_psi = nmse(omp.psi, ref.psi, n), e_dep = nmse(omp.edep, ref.edep, s);
            cr_expect_leq(e_psi, 1e-7, "%s: psi NMSE %.3g", name, e_psi);
            cr_expect_leq(e_dep, 1e-7, "%s: deposit NMSE %.3g", name, e_dep);
            double *ma[4] = {ref.st.mx, ref.st.mz, ref.st.qx, ref.st.qz};
            double *mb[4] = {omp.st.mx, omp.st.mz, omp.st.qx, omp.st.qz};
            for (int k = 0; k < 4 && ma[k]; k++) {
                double e_m = nmse(mb[k], ma[k], n);
                cr_expect_leq(e_m, 1e-7, "%s: moment %d NMSE %.3g", name, k, e_m);
            }
            const smx_op_acct *a = &ref.acct[0], *b = &omp.acct[0];
            double fa[] = {a->w_out, a->e_out, a->w_rejected, a->w_absorbed, a->e_deposited,
                           a->w_leak[0], a->w_leak[1], a->w_leak[2], a->w_leak[3], a->w_leak[4],
                           a->w_nuclear, a->e_nuc_deposited, a->e_nuc_escaped};
            double fb[] = {b->w_out, b->e_out, b->w_rejected, b->w_absorbed, b->e_deposited,
                           b->w_leak[0], b->w_leak[1], b->w_leak[2], b->w_leak[3], b->w_leak[4],
                           b->w_nuclear, b->e_nuc_deposited, b->e_nuc_escaped};
            for (size_t k = 0; k < sizeof fa / sizeof fa[0]; k++) {
                double d = (fa[k] - fb[k]) * (fa[k] - fb[k]) / (a->w_in * a->w_in);
                cr_expect_leq(d, 1e-7, "%s: accounting figure %zu: %.17g vs %.17g", name, k,
                              fa[k], fb[k]);
            }
            smx__oprun_close(&ref);
            smx__oprun_close(&omp);
        }
}

/* Every case has weight leaving through some edge, so the leak paths of
 * both backends are exercised. */
Test(operators, leaks_are_exercised)
{
    smx_oprun r;
    run_op(&cases[3], "reference", &smx__ops[2], &r); /* stream, 2.5 cells per step */
    double l = 0;
    for (int e = 0; e < SMX_EDGE_THETA; e++) {
        cr_expect_gt(r.acct[0].w_leak[e], 0, "stream leaks on edge %d", e);
        l += r.acct[0].w_leak[e];
    }
    smx__oprun_close(&r);
    run_op(&cases[0], "reference", &smx__ops[0], &r); /* scatter in a window */
    cr_expect_gt(r.acct[0].w_leak[SMX_EDGE_THETA], 0);
    smx__oprun_close(&r);
    run_op(&cases[1], "reference", &smx__ops[0], &r); /* full circle past the cap */
    cr_expect_gt(r.acct[0].w_rejected, 0);
    smx__oprun_close(&r);
}

/* The boxes the core hands each operator (core/boxes.h) hold every cell
 * its output fills. openmp counts each slab's box after every operator of
 * twelve Lie steps from a small block of cells moving across the columns
 * (theta bins on one side only), with one medium and with slabs; the
 * boxes must also stay narrower than the grid, so that a rule that
 * forgets a shift (fails here) cannot pass by covering everything. */
static smx_backend_iface box_real; /* the backend's own table */
static int box_nx, box_misses, box_narrow, box_ops;

static smx_status boxed_op(void *ctx, const smx_node *node, int lo, int hi, int olo, int ohi,
                           const int *boxes, smx_op_acct *a, char *err, size_t errlen)
{
    smx_status st = box_real.op(ctx, node, lo, hi, olo, ohi, boxes, a, err, errlen);
    if (st != SMX_OK || ohi < olo) return st;
    int *held = malloc(SMX_BOX * sizeof(int) * (size_t)(ohi + 1));
    cr_assert_not_null(held);
    st = box_real.bin_boxes(ctx, olo, ohi, held, err, errlen);
    for (int k = olo; k <= ohi && st == SMX_OK; k++) {
        const int *h = held + SMX_BOX * k, *b = boxes + SMX_BOX * k;
        if (h[0] > h[1]) continue;
        if (h[0] < b[0] || h[1] > b[1] || h[2] < b[2] || h[3] > b[3]) {
            if (box_misses++ < 3)
                cr_log_error("op %d, bin %d: held rows %d..%d columns %d..%d, box %d..%d, %d..%d",
                             node->op, k, h[0], h[1], h[2], h[3], b[0], b[1], b[2], b[3]);
        }
        box_narrow += b[3] - b[2] + 1 < box_nx;
    }
    box_ops++;
    free(held);
    return st;
}

Test(operators, boxes_hold_every_output_cell)
{
    const test_case tc[] = {
        {30, 16, 9, 14, 0, 0, SMX_SPACING_RANGE, 1, 0, 0, 0},
        {30, 16, 9, 14, 0, 0, SMX_SPACING_RANGE, 1, 1, 1, 0},
    };
    for (size_t t = 0; t < sizeof tc / sizeof tc[0]; t++) {
        char err[1024] = "";
        smx_config cfg;
        case_config(&tc[t], &cfg);
        smx_plan plan;
        cr_assert_eq(smx__plan_build(&cfg, &plan, err, sizeof err), SMX_OK, "%s", err);
        smx_host_state hs = smx__host_state_alloc(&plan);
        int ne = plan.ne, nt = plan.nt, lo = ne - 3, hi = ne - 1;
        for (int i = lo; i <= hi; i++)
            for (int j = nt / 2 + 1; j < nt; j++) /* angles to one side: the block moves across x */
                for (int z = 1; z <= 2; z++)
                    for (int x = 3; x <= 5; x++) hs.psi[smx__hs_index(&plan, &hs, i, j, z) + x] = 1;
        smx__plan_free(&plan);
        smx_oprun r;
        cr_assert_eq(smx__oprun_open(&r, "openmp", &cfg, &hs, lo, hi, err, sizeof err), SMX_OK, "%s", err);
        smx__host_state_free(&hs);
        box_real = *r.be;
        smx_backend_iface w = box_real;
        w.op = boxed_op;
        w.pairs = NULL;
        box_nx = r.plan.nx, box_misses = box_narrow = box_ops = 0;
        smx_graph g = {.nnodes = 3,
                       .nodes = {{SMX_OP_SCATTER, SMX_KERNEL_FULL}, {SMX_OP_STREAM, 0}, {SMX_OP_ENERGY, 0}},
                       .e_lo = lo, .e_hi = hi};
        for (int s = 0; s < 12; s++)
            cr_assert_eq(smx__graph_run(&w, r.ctx, &r.plan, &g, r.acct, err, sizeof err), SMX_OK, "%s", err);
        cr_expect_eq(box_misses, 0, "case %zu: %d bins held cells outside their box", t, box_misses);
        cr_expect_eq(box_ops, 36, "case %zu: %d ops", t, box_ops);
        cr_expect_gt(box_narrow, 0, "case %zu: every box spans the grid's columns", t);
        smx__oprun_close(&r);
    }
}
