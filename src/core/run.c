/* One run: plan, backend, source, the step loop with accounting, dose
 * and metrics. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getrusage */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "config/config_loaded.h"
#include "core/backend.h"
#include "core/checks.h"
#include "core/fine_idd.h"
#include "core/memory.h"
#include "core/metrics.h"
#include "core/numerics.h"
#include "core/ops.h"
#include "core/source.h"
#include "core/util.h"

struct smx_run {
    smx_config cfg;
    smx_plan plan;
    const smx_backend_iface *be;
    void *ctx;
    int e_lo, e_hi;
    double *edep0;                       /* entrance deposit, per proton */
    double *edep, *dose, *idd;           /* results */
    int nfine;                           /* fine depth tally: bins, */
    double *fine, *idd_fine;             /* MeV per proton, MeV/mm per proton */
    double *row_w, *row_mz;              /* [ne][nt][nz] row sums before A_E */
    double t_start;
    smx_result res;
};

double smx__peak_rss_MB(void)
{
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_maxrss / 1024.0 : 0; /* Linux: kB */
}

double smx__now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

smx_status smx_run_create(const smx_config *cfg, smx_run **out, char *err, size_t errlen)
{
    *out = NULL;
    double t0 = smx__now_s();
    smx_run *r = calloc(1, sizeof *r);
    if (!r) return SMX_ENOMEM;
    r->cfg = *cfg;
    r->cfg.loaded = NULL; /* the caller's; the media are taken from it below */
    r->t_start = t0;
    smx_status st = smx__backend_resolve(cfg->backend, cfg->device, "run.backend", &r->be, err, errlen);
    /* the memory check comes before the tables and the state: a grid that
     * does not fit is refused at once */
    if (st == SMX_OK) st = smx__plan_build_fitting(cfg, &r->plan, r->be, 0, err, errlen);
    if (st != SMX_OK) { /* the plan's refusals, and the backend's, name the key only */
        smx__config_locate(cfg, err, errlen);
        free(r);
        return st;
    }
    smx_plan *p = &r->plan;
    if (cfg->idd_resolution_mm > 0) {
        /* the tally sums rows over x: each row must hold one medium (slabs
         * do; a material map varying along x does not) */
        int mixed = -1;
        for (int z = 0; z < p->nz && mixed < 0; z++)
            for (int x = 1; x < p->nx && mixed < 0; x++)
                if (p->cell_mat[(size_t)z * p->nx + x] != p->cell_mat[(size_t)z * p->nx]) mixed = z;
        char what[160];
        snprintf(what, sizeof what, "media that vary along x (row %d, depth %.2f mm, holds more "
                 "than one)", mixed, (mixed + 0.5) * p->dz_mm);
        const char *why = mixed >= 0 ? what : !r->be->row_sums ? "this backend (it has no row sums)" : NULL;
        if (why) {
            smx__err(err, errlen, "output.idd_resolution_mm: the fine depth tally does not "
                     "support %s yet (expected 0, or media that change along z only, as slabs)", why);
            smx__config_locate(cfg, err, errlen);
            smx_run_free(r);
            return SMX_ECONFIG;
        }
        size_t rows = (size_t)p->ne * p->nt * p->nz;
        r->nfine = (int)ceil(p->nz * p->dz_mm / cfg->idd_resolution_mm - 1e-9);
        r->fine = calloc(r->nfine, sizeof(double));
        r->idd_fine = calloc(r->nfine, sizeof(double));
        r->row_w = malloc(rows * sizeof(double));
        r->row_mz = malloc(rows * sizeof(double));
        if (!r->fine || !r->idd_fine || !r->row_w || !r->row_mz || smx__fine_tables(p) != SMX_OK) {
            smx_run_free(r);
            smx__err(err, errlen, "out of memory for the fine depth tally");
            return SMX_ENOMEM;
        }
    }
    /* the reference backend is the float64 oracle whatever run.precision says */
    smx_precision prec = smx__backend_precision(r->be, cfg->precision);
    for (int op = 0; op < SMX_OP_COUNT; op++)
        if (!r->be->supports(NULL, op, prec)) {
            smx__err(err, errlen, "run.precision: backend %s has no %s %s operator (expected "
                     "float32, or backend: reference for float64)", r->be->name,
                     smx_precision_name(prec), smx_op_name(op));
            smx__config_locate(cfg, err, errlen);
            smx_run_free(r);
            return SMX_ECONFIG;
        }
    /* the beam enters in the first row: a host state of one row per slab */
    size_t n = (size_t)p->ne * p->nt * p->nx, slab = smx__slab(p);
    double *psi = calloc(n * (p->moments ? 5 : 1), sizeof(double));
    smx_host_state hs = {.psi = psi, .rows = 1};
    if (p->moments && psi) hs.mx = psi + n, hs.mz = psi + 2 * n, hs.qx = psi + 3 * n, hs.qz = psi + 4 * n;
    r->edep0 = calloc(slab, sizeof(double));
    r->edep = calloc(slab, sizeof(double));
    r->dose = calloc(slab, sizeof(double));
    r->idd = calloc(p->nz, sizeof(double));
    if (!psi || !r->edep0 || !r->edep || !r->dose || !r->idd) {
        smx__err(err, errlen, "out of memory: the beam's first row (%.1f MB in float64) and the "
                 "dose planes (%.1f MB)", n * 8.0 / 1e6 * (p->moments ? 5 : 1), slab * 32.0 / 1e6);
        free(psi);
        smx_run_free(r);
        return SMX_ENOMEM;
    }
    st = smx__source_inject(cfg, p, &hs, r->edep0, &r->res.accounting, &r->e_lo, &r->e_hi, err,
                            errlen);
    if (st == SMX_OK) {
        smx_backend_opts opt = {cfg->device, prec, cfg->threads, cfg->accumulation, cfg->scatter,
                                cfg->memory_limit_GB};
        st = r->be->create(p, &opt, &r->ctx, err, errlen);
        if (st == SMX_ENOTSUP) st = SMX_ECONFIG; /* a run.* setting the backend cannot honour */
    }
    if (st == SMX_ECONFIG) smx__config_locate(cfg, err, errlen);
    if (st == SMX_OK) st = r->be->set_state(r->ctx, &hs, r->e_lo, r->e_hi, err, errlen);
    free(psi);
    if (st != SMX_OK) {
        smx_run_free(r);
        return st;
    }
    smx_result *res = &r->res;
    res->precision = prec;
    snprintf(res->backend, sizeof res->backend, "%s", r->be->name);
    r->be->device_name(cfg->device, res->device, sizeof res->device);
    res->timing.setup_s = smx__now_s() - t0;
    *out = r;
    return SMX_OK;
}

/* Adds one node's figures to the run totals; returns its imbalances. */
static void tally(smx_accounting *a, const smx_op_acct *o, double *dw, double *de)
{
    double wl = o->w_rejected + o->w_absorbed + o->w_nuclear + o->w_trimmed - o->w_secondary;
    double el = o->e_deposited + o->e_nuc_deposited + o->e_nuc_escaped;
    for (int e = 0; e < SMX_EDGE_COUNT; e++) {
        a->weight_leaked[e] += o->w_leak[e];
        a->energy_leaked[e] += o->e_leak[e];
        wl += o->w_leak[e];
        el += o->e_leak[e];
    }
    a->weight_rejected += o->w_rejected;
    a->weight_absorbed += o->w_absorbed;
    a->weight_nuclear += o->w_nuclear;
    a->weight_trimmed += o->w_trimmed;
    a->energy_deposited += o->e_deposited;
    a->energy_nuclear_deposited += o->e_nuc_deposited;
    a->energy_nuclear_escaped += o->e_nuc_escaped;
    a->weight_secondary += o->w_secondary;
    a->energy_secondary += o->e_secondary;
    *dw = fabs(o->w_in - o->w_out - wl);
    *de = fabs(o->e_in - o->e_out - el);
}

smx_status smx_run_execute(smx_run *r, smx_progress_fn progress, void *user, char *err,
                           size_t errlen)
{
    smx_plan *p = &r->plan;
    smx_result *res = &r->res;
    smx_accounting *a = &res->accounting;
    smx_graph g = {0};
    smx__step_graph(r->cfg.splitting, &g);
    double t0 = smx__now_s(), op_ms[SMX_OP_COUNT] = {0}, op_kms[SMX_OP_COUNT] = {0};
    int kernel_timed = 1; /* every op of every step has a device time */
    double w_left = a->weight_source - a->weight_source_leaked - a->weight_absorbed;
    double e_left = 0;
    int step = 0;
    long waits0 = r->be->device_waits ? r->be->device_waits(r->ctx) : 0;
    smx_op_acct acct[SMX_GRAPH_MAX_NODES];
    /* with the fine tally the graph runs in two parts: up to A_E, and from
     * it, with the row sums of the state A_E takes in between */
    int split = 0;
    while (r->fine && split < g.nnodes && g.nodes[split].op != SMX_OP_ENERGY) split++;
    smx_graph part[2] = {g, g};
    part[0].nnodes = split;
    part[1].nnodes = g.nnodes - split;
    memcpy(part[1].nodes, g.nodes + split, part[1].nnodes * sizeof g.nodes[0]);
    while (step < r->cfg.max_steps && r->e_hi >= r->e_lo && w_left > 0) {
        smx_status st = SMX_OK;
        g.e_lo = r->e_lo;
        g.e_hi = r->e_hi;
        if (!r->fine) {
            st = smx__graph_run(r->be, r->ctx, p, &g, acct, err, errlen);
        } else {
            part[0].e_lo = g.e_lo, part[0].e_hi = g.e_hi;
            if (split > 0) st = smx__graph_run(r->be, r->ctx, p, &part[0], acct, err, errlen);
            if (st == SMX_OK)
                st = r->be->row_sums(r->ctx, part[0].e_lo, part[0].e_hi, r->row_w, r->row_mz, err, errlen);
            if (st == SMX_OK)
                smx__fine_add(p, part[0].e_lo, part[0].e_hi, r->row_w, r->row_mz,
                              r->cfg.idd_resolution_mm, r->nfine, r->fine);
            part[1].e_lo = part[0].e_lo, part[1].e_hi = part[0].e_hi;
            if (st == SMX_OK) st = smx__graph_run(r->be, r->ctx, p, &part[1], acct + split, err, errlen);
            g.e_lo = part[1].e_lo, g.e_hi = part[1].e_hi;
        }
        if (st != SMX_OK) return st;
        step++;
        double dw = 0, de = 0;
        for (int n = 0; n < g.nnodes; n++) {
            double nw, ne_;
            tally(a, &acct[n], &nw, &ne_);
            dw += nw;
            de += ne_;
            op_ms[g.nodes[n].op] += acct[n].ms;
            op_kms[g.nodes[n].op] += acct[n].kernel_ms;
            kernel_timed = kernel_timed && acct[n].kernel_ms >= 0;
        }
        r->e_lo = g.e_lo; /* the backend's range after the step */
        r->e_hi = g.e_hi;
        dw /= acct[0].w_in > 0 ? acct[0].w_in : 1;
        de /= acct[0].e_in > 0 ? acct[0].e_in : 1;
        if (dw > a->worst_weight_imbalance) {
            a->worst_weight_imbalance = dw;
            a->worst_weight_step = step;
        }
        if (de > a->worst_energy_imbalance) {
            a->worst_energy_imbalance = de;
            a->worst_energy_step = step;
        }
        w_left = acct[g.nnodes - 1].w_out;
        e_left = acct[g.nnodes - 1].e_out;
        if (progress && progress(user, step, w_left)) break;
    }
    a->weight_remaining = w_left;
    a->energy_remaining = e_left;
    res->timing.transport_s = smx__now_s() - t0;
    res->timing.peak_rss_MB = smx__peak_rss_MB();
    res->timing.device_waits_per_step =
        !r->be->device_waits ? -1 : step ? (double)(r->be->device_waits(r->ctx) - waits0) / step : 0;
    for (int op = 0; op < SMX_OP_COUNT; op++) {
        res->timing.op_ms_per_step[op] = step ? op_ms[op] / step : 0;
        res->timing.op_kernel_ms_per_step[op] = !kernel_timed ? -1 : step ? op_kms[op] / step : 0;
        res->timing.step_ms += res->timing.op_ms_per_step[op];
    }
    /* after the steps: `run.scatter: auto` decides on the first one */
    smx__backend_describe(r->be, r->ctx, res->accumulation, res->scatter, sizeof res->scatter);

    /* dose: MeV per proton -> Gy for the configured protons (docs/physics.md, 'Dose') */
    smx_status st = r->be->get_edep(r->ctx, r->edep, err, errlen);
    if (st != SMX_OK) return st;
    double protons = 0;
    for (int b = 0; b < r->cfg.nbeams; b++) protons += r->cfg.beams[b].protons;
    double vol_m3 = p->dx_mm * p->dz_mm * p->dy_mm * 1e-9;
    for (size_t c = 0; c < smx__slab(p); c++) {
        r->edep[c] += r->edep0[c];
        double rho_kg_m3 = p->mat[p->cell_mat[c]].density_g_cm3 * 1000.0;
        r->dose[c] = r->edep[c] * protons * SMX_MEV_TO_J / (rho_kg_m3 * vol_m3);
    }
    smx__idd(r->edep, p->nz, p->nx, p->dz_mm, r->idd);
    smx__depth_metrics(r->edep, r->idd, p->nz, p->nx, p->dz_mm, p->dx_mm, p->x_mm, &res->metrics);
    if (r->fine) {
        /* the entrance half cell: lost between the surface and the first
         * row's centre */
        double e0 = 0, res_mm = r->cfg.idd_resolution_mm;
        for (int x = 0; x < p->nx; x++) e0 += r->edep0[x];
        smx__fine_spread(0, 0.5 * p->dz_mm, e0, res_mm, r->nfine, r->fine);
        for (int k = 0; k < r->nfine; k++) r->idd_fine[k] = r->fine[k] / res_mm;
        /* depth metrics from the tally; the lateral sigma from the dose
         * grid at the tally's R80 */
        smx_metrics fm = {0};
        smx__depth_metrics(r->idd_fine, r->idd_fine, r->nfine, 0, res_mm, p->dx_mm, p->x_mm, &fm);
        fm.lateral_sigma_at_r80_mm = isfinite(fm.r80_mm)
            ? smx__lateral_sigma(r->edep, p->nz, p->nx, p->dz_mm, p->dx_mm, p->x_mm, fm.r80_mm)
            : NAN;
        res->metrics = fm;
        res->nfine = r->nfine;
        res->idd_fine_MeV_per_mm = r->idd_fine;
        res->idd_fine_resolution_mm = res_mm;
    }
    smx__numerical_spread(&r->cfg, p, &res->metrics);

    res->nx = p->nx;
    res->nz = p->nz;
    res->x_mm = p->x_mm;
    res->depth_mm = p->z_mm;
    res->dose_Gy = r->dose;
    res->edep_MeV_per_proton = r->edep;
    res->idd_MeV_per_mm = r->idd;
    res->total_protons = protons;
    res->step_mm = p->step_mm;
    res->steps = step;
    res->ne_used = p->ne;
    res->e_min_used_MeV = p->e_edge_MeV[0];
    res->e_max_used_MeV = p->e_edge_MeV[p->ne];
    res->timing.total_s = smx__now_s() - r->t_start;
    smx__result_check(res);
    return SMX_OK;
}

const smx_result *smx_run_result(const smx_run *r) { return &r->res; }

void smx_accounting_sinks(const smx_accounting *a, double *weight, double *energy)
{
    double w = a->weight_source_leaked + a->weight_rejected + a->weight_absorbed +
               a->weight_nuclear + a->weight_trimmed + a->weight_remaining - a->weight_secondary;
    double e = a->energy_source_leaked + a->energy_deposited + a->energy_nuclear_deposited +
               a->energy_nuclear_escaped + a->energy_remaining;
    for (int k = 0; k < SMX_EDGE_COUNT; k++) {
        w += a->weight_leaked[k];
        e += a->energy_leaked[k];
    }
    *weight = w;
    *energy = e;
}

void smx_run_free(smx_run *r)
{
    if (!r) return;
    if (r->ctx) r->be->destroy(r->ctx);
    smx__plan_free(&r->plan);
    free(r->edep0);
    free(r->edep);
    free(r->dose);
    free(r->idd);
    free(r->fine);
    free(r->idd_fine);
    free(r->row_w);
    free(r->row_mz);
    free(r);
}
