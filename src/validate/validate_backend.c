/* Single operators and step graphs on the suite's backend, through the
 * internal backend interface (the same path tests/harness.h takes). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "validate/vint.h"

void vop_random_state(const smx_plan *p, double *psi, double *mx, double *mz, int lo, int hi)
{
    uint64_t s = 42;
    size_t n = smx__psi_size(p), per = (size_t)p->nt * smx__slab(p);
    memset(psi, 0, n * sizeof(double));
    if (mx) memset(mx, 0, n * sizeof(double));
    if (mz) memset(mz, 0, n * sizeof(double));
    for (size_t k = (size_t)lo * per; k < (size_t)(hi + 1) * per; k++) {
        double u[3];
        for (int r = 0; r < 3; r++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u[r] = (double)(s >> 11) / 9007199254740992.0;
        }
        psi[k] = u[0] < 0.05 ? 0.0 : u[0] / (double)n;
        if (mx) mx[k] = psi[k] * 0.9 * (u[1] - 0.5);
        if (mz) mz[k] = psi[k] * 0.9 * (u[2] - 0.5);
    }
}

smx_status vop_open(vop_run *r, const vctx *c, const smx_config *cfg, const double *psi,
                    const double *mx, const double *mz, int lo, int hi, char *err,
                    size_t errlen)
{
    memset(r, 0, sizeof *r);
    smx_status st = smx__plan_build(cfg, &r->plan, err, errlen);
    if (st != SMX_OK) return st;
    r->be = smx__backend_find(c->backend);
    if (!r->be) {
        smx__err(err, errlen, "backend %s not found", c->backend);
        return SMX_ENODEV;
    }
    smx_precision prec = c->float64 ? SMX_PRECISION_FLOAT64 : SMX_PRECISION_FLOAT32;
    st = r->be->create(&r->plan, 0, prec, 0, &r->ctx, err, errlen);
    if (st != SMX_OK) {
        r->ctx = NULL;
        return st;
    }
    size_t n = smx__psi_size(&r->plan);
    r->psi = calloc(n, sizeof(double));
    r->edep = calloc(smx__slab(&r->plan), sizeof(double));
    if (r->plan.moments) {
        r->mx = calloc(n, sizeof(double));
        r->mz = calloc(n, sizeof(double));
    }
    if (!r->psi || !r->edep || (r->plan.moments && (!r->mx || !r->mz))) {
        smx__err(err, errlen, "out of memory for a %zu-entry state", n);
        return SMX_ENOMEM;
    }
    if (psi) memcpy(r->psi, psi, n * sizeof(double));
    if (psi && mx && r->mx) memcpy(r->mx, mx, n * sizeof(double));
    if (psi && mz && r->mz) memcpy(r->mz, mz, n * sizeof(double));
    r->lo = lo;
    r->hi = hi;
    smx_host_state hs = {r->psi, r->mx, r->mz};
    return r->be->set_state(r->ctx, &hs, lo, hi, err, errlen);
}

smx_status vop_graph(vop_run *r, smx_graph *g, char *err, size_t errlen)
{
    g->e_lo = r->lo;
    g->e_hi = r->hi;
    smx_status st = r->be->run(r->ctx, g, r->acct, err, errlen);
    if (st != SMX_OK) return st;
    r->lo = g->e_lo;
    r->hi = g->e_hi;
    smx_host_state hs = {r->psi, r->mx, r->mz};
    st = r->be->get_state(r->ctx, &hs, err, errlen);
    if (st == SMX_OK) st = r->be->get_edep(r->ctx, r->edep, err, errlen);
    return st;
}

void vop_close(vop_run *r)
{
    if (r->ctx) r->be->destroy(r->ctx);
    smx__plan_free(&r->plan);
    free(r->psi);
    free(r->mx);
    free(r->mz);
    free(r->edep);
    memset(r, 0, sizeof *r);
}

void vop_imbalance(const smx_op_acct *a, double *dw, double *de)
{
    double wl = a->w_rejected + a->w_absorbed + a->w_nuclear + a->w_trimmed;
    double el = a->e_deposited + a->e_nuc_deposited + a->e_nuc_escaped;
    for (int e = 0; e < SMX_EDGE_COUNT; e++) {
        wl += a->w_leak[e];
        el += a->e_leak[e];
    }
    *dw = a->w_in > 0 ? fabs(a->w_in - a->w_out - wl) / a->w_in : 0;
    *de = a->e_in > 0 ? fabs(a->e_in - a->e_out - el) / a->e_in : 0;
}
