/* `smatrix2d bench`: steps of a backend on a dense state, against one
 * read+write pass over the same state measured in the same run. */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    st = smx__plan_build(&cfg, &plan, err, errlen);
    if (st != SMX_OK) return st;
    size_t n = smx__psi_size(&plan);
    double *psi = malloc(n * sizeof(double) * (plan.moments ? 5 : 1));
    void *ctx = NULL;
    smx_precision prec = smx__backend_precision(be, SMX_PRECISION_FLOAT32);
    if (!psi) {
        smx__plan_free(&plan);
        smx__err(err, errlen, "bench: cannot allocate %.1f MB", n * 8.0 / 1e6);
        return SMX_ENOMEM;
    }
    uint64_t s = 42; /* fixed seed */
    for (size_t k = 0; k < n; k++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        psi[k] = (double)(s >> 11) / 9007199254740992.0 / (double)n;
    }
    smx_host_state hs = {psi, NULL, NULL, NULL, NULL};
    if (plan.moments) { /* centroids spread over the cells, offsets in [-0.4, 0.4] */
        hs.mx = psi + n, hs.mz = psi + 2 * n, hs.qx = psi + 3 * n, hs.qz = psi + 4 * n;
        for (size_t k = 0; k < n; k++) {
            double u = 0.8 * ((k * 7919) % 101) / 100.0 - 0.4, v = 0.8 * ((k * 104729) % 97) / 96.0 - 0.4;
            hs.mx[k] = psi[k] * u;
            hs.mz[k] = psi[k] * v;
            hs.qx[k] = psi[k] * (u * u + 0.04);
            hs.qz[k] = psi[k] * (v * v + 0.04);
        }
    }
    smx_backend_opts opt = {spec->device, prec, spec->threads, spec->accumulation, spec->scatter};
    st = be->create(&plan, &opt, &ctx, err, errlen);
    if (st == SMX_OK) st = be->set_state(ctx, &hs, 0, plan.ne - 1, err, errlen);
    free(psi);
    smx_graph g = {.e_lo = 0, .e_hi = plan.ne - 1};
    smx__step_graph(SMX_SPLIT_LIE, &g);
    smx_op_acct acct[SMX_GRAPH_MAX_NODES];
    /* one warm-up step and copy, then the timed ones */
    double copy = 0;
    if (st == SMX_OK) st = smx__graph_run(be, ctx, &plan, &g, acct, err, errlen);
    if (st == SMX_OK) st = be->copy_pass(ctx, &copy, err, errlen);
    for (int k = 0; st == SMX_OK && k < spec->steps; k++) {
        g.e_lo = 0; /* every bin, every step */
        g.e_hi = plan.ne - 1;
        st = smx__graph_run(be, ctx, &plan, &g, acct, err, errlen);
        for (int q = 0; st == SMX_OK && q < g.nnodes; q++)
            res->per_op_ms[g.nodes[q].op] += acct[q].ms / spec->steps;
        if (st == SMX_OK) st = be->copy_pass(ctx, &copy, err, errlen);
        res->copy_ms += copy / spec->steps;
    }
    if (st == SMX_OK) {
        for (int op = 0; op < SMX_OP_COUNT; op++) res->step_ms += res->per_op_ms[op];
        res->state_bytes = (double)n * (prec == SMX_PRECISION_FLOAT64 ? 8 : 4);
        res->peak_rss_MB = smx__peak_rss_MB();
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
