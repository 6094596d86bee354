/* `smatrix2d bench`: steps of a backend on a dense state, against one
 * read+write pass over the same state measured in the same run. */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "core/oprun.h"
#include "core/ops.h"
#include "core/util.h"

smx_status smx_bench_run(const smx_bench_spec *spec, smx_bench_result *res, char *err,
                         size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (spec->nx < 1 || spec->nz < 1 || spec->ntheta < 1 || spec->ne < 2 || spec->steps < 1) {
        smx__err(err, errlen, "bench: grid %dx%dx%dx%d with %d steps is invalid (expected "
                              "NX, NZ, NTHETA >= 1, NE >= 2, steps >= 1)",
                 spec->nx, spec->nz, spec->ntheta, spec->ne, spec->steps);
        return SMX_EINVAL;
    }
    /* the earlier code's set-up: 1 mm cells, full-circle theta, uniform
     * energy bins 0.1-200 MeV, water, 1 mm steps */
    smx_config cfg;
    smx_config_init(&cfg);
    cfg.nx = spec->nx;
    cfg.x_min_mm = -0.5 * spec->nx;
    cfg.x_max_mm = 0.5 * spec->nx;
    cfg.nz = spec->nz;
    cfg.z_max_mm = spec->nz;
    cfg.ntheta = spec->ntheta;
    cfg.theta_full_circle = 1;
    cfg.ne = spec->ne;
    cfg.e_min_MeV = 0.1;
    cfg.e_max_MeV = 200;
    cfg.spacing = SMX_SPACING_UNIFORM;
    cfg.step_mm = 1.0;
    cfg.max_angle_deg = 180;
    cfg.streaming = spec->streaming;
    cfg.secondaries = spec->secondaries;
    cfg.nbeams = 1;
    cfg.beams[0] = (smx_beam){.energy_MeV = 200, .protons = 1};
    snprintf(cfg.backend, sizeof cfg.backend, "%s", spec->backend);
    const smx_backend_iface *be = NULL;
    smx_status st = smx__backend_resolve(spec->backend, spec->device, "--backend", &be, err,
                                         errlen);
    if (st != SMX_OK) return st;
    snprintf(res->backend, sizeof res->backend, "%s", be->name);
    smx_plan plan;
    cfg.threads = spec->threads;
    st = smx__plan_build_fitting(&cfg, &plan, be, 1, err, errlen); /* a dense state */
    if (st != SMX_OK) return st;
    size_t n = smx__psi_size(&plan);
    smx_host_state hs = smx__host_state_alloc(&plan);
    void *ctx = NULL;
    smx_precision prec = smx__backend_precision(be, SMX_PRECISION_FLOAT32);
    if (!smx__host_state_ok(&plan, &hs)) {
        smx__host_state_free(&hs);
        smx__plan_free(&plan);
        smx__err(err, errlen, "bench: cannot allocate %.1f MB", n * 8.0 * (plan.moments ? 5 : 1) / 1e6);
        return SMX_ENOMEM;
    }
    smx__random_state(&plan, &hs, 0, plan.ne - 1); /* the tests' dense state, seed 42 */
    smx_backend_opts opt = {spec->device, prec, spec->threads, spec->accumulation, spec->scatter, 0};
    st = be->create(&plan, &opt, &ctx, err, errlen);
    if (st == SMX_OK) st = be->set_state(ctx, &hs, 0, plan.ne - 1, err, errlen);
    smx__host_state_free(&hs);
    smx_graph g = {.e_lo = 0, .e_hi = plan.ne - 1};
    smx__step_graph(SMX_SPLIT_LIE, &g);
    smx_op_acct acct[SMX_GRAPH_MAX_NODES];
    /* one warm-up step and copy, then the timed ones */
    double copy = 0;
    if (st == SMX_OK) st = smx__graph_run(be, ctx, &plan, &g, acct, err, errlen);
    if (st == SMX_OK) st = be->copy_pass(ctx, &copy, err, errlen);
    int kernel_timed = 1;
    long waits = 0;
    for (int k = 0; st == SMX_OK && k < spec->steps; k++) {
        g.e_lo = 0; /* every bin, every step */
        g.e_hi = plan.ne - 1;
        long w0 = be->device_waits ? be->device_waits(ctx) : 0;
        st = smx__graph_run(be, ctx, &plan, &g, acct, err, errlen);
        waits += be->device_waits ? be->device_waits(ctx) - w0 : 0;
        for (int q = 0; st == SMX_OK && q < g.nnodes; q++) {
            res->per_op_ms[g.nodes[q].op] += acct[q].ms / spec->steps;
            res->per_op_kernel_ms[g.nodes[q].op] += acct[q].kernel_ms / spec->steps;
            kernel_timed = kernel_timed && acct[q].kernel_ms >= 0;
        }
        if (st == SMX_OK) st = be->copy_pass(ctx, &copy, err, errlen);
        res->copy_ms += copy / spec->steps;
    }
    if (st == SMX_OK) {
        for (int op = 0; op < SMX_OP_COUNT; op++) {
            res->step_ms += res->per_op_ms[op];
            if (!kernel_timed) res->per_op_kernel_ms[op] = -1;
        }
        /* every state array (psi and, with centroids, four moments), as
         * the copy pass copies them */
        res->state_bytes = (double)n * (prec == SMX_PRECISION_FLOAT64 ? 8 : 4) * (plan.moments ? 5 : 1);
        res->peak_rss_MB = smx__peak_rss_MB();
        res->device_waits_per_step = be->device_waits ? (double)waits / spec->steps : -1;
        be->device_name(spec->device, res->device, sizeof res->device);
        smx__backend_describe(be, ctx, res->accumulation, res->scatter, sizeof res->scatter);
        res->threads = be->kind == SMX_BACKEND_ORACLE ? 1 /* plain serial loops */
                       : be->kind == SMX_BACKEND_DEVICE ? 0 /* its own parallelism */
                       : spec->threads > 0 ? spec->threads : omp_get_max_threads();
    }
    if (ctx) be->destroy(ctx);
    smx__plan_free(&plan);
    return st;
}
