/* Single operators and step graphs on a backend through the internal
 * backend interface: what the tests and the validation suite drive. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/oprun.h"

void smx__random_state(const smx_plan *p, smx_host_state *hs, int lo, int hi)
{
    uint64_t s = 42;
    size_t n = smx__psi_size(p), per = (size_t)p->nt * smx__slab(p);
    double *m[4] = {hs->mx, hs->mz, hs->qx, hs->qz};
    memset(hs->psi, 0, n * sizeof(double));
    for (int k = 0; k < 4; k++)
        if (m[k]) memset(m[k], 0, n * sizeof(double));
    for (size_t k = (size_t)lo * per; k < (size_t)(hi + 1) * per; k++) {
        double u[5];
        for (int r = 0; r < 5; r++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u[r] = (double)(s >> 11) / 9007199254740992.0;
        }
        double w = u[0] < 0.05 ? 0.0 : u[0] / (double)n, ux = 0.9 * (u[1] - 0.5), uz = 0.9 * (u[2] - 0.5);
        hs->psi[k] = w;
        if (hs->mx) hs->mx[k] = w * ux, hs->qx[k] = w * (ux * ux + 0.075 * u[3]);
        if (hs->mz) hs->mz[k] = w * uz, hs->qz[k] = w * (uz * uz + 0.075 * u[4]);
    }
}

double smx__nmse(const double *a, const double *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t k = 0; a && b && k < n; k++) {
        num += (a[k] - b[k]) * (a[k] - b[k]);
        den += b[k] * b[k];
    }
    return den > 0 ? num / den : num;
}

/* Accounting figures of a node, relative to what entered it. */
double smx__acct_nmse(const smx_op_acct *a, const smx_op_acct *b)
{
    double wa[] = {a->w_out, a->w_rejected, a->w_absorbed, a->w_nuclear, a->w_trimmed,
                   a->w_secondary, a->w_leak[0], a->w_leak[1], a->w_leak[2], a->w_leak[3],
                   a->w_leak[4]};
    double wb[] = {b->w_out, b->w_rejected, b->w_absorbed, b->w_nuclear, b->w_trimmed,
                   b->w_secondary, b->w_leak[0], b->w_leak[1], b->w_leak[2], b->w_leak[3],
                   b->w_leak[4]};
    double ea[] = {a->e_out, a->e_deposited, a->e_nuc_deposited, a->e_nuc_escaped, a->e_secondary};
    double eb[] = {b->e_out, b->e_deposited, b->e_nuc_deposited, b->e_nuc_escaped, b->e_secondary};
    double worst = 0;
    for (size_t k = 0; k < sizeof wa / sizeof wa[0]; k++)
        worst = fmax(worst, pow((wa[k] - wb[k]) / (b->w_in > 0 ? b->w_in : 1), 2));
    for (size_t k = 0; k < sizeof ea / sizeof ea[0]; k++)
        worst = fmax(worst, pow((ea[k] - eb[k]) / (b->e_in > 0 ? b->e_in : 1), 2));
    return worst;
}

smx_host_state smx__host_state_alloc(const smx_plan *p)
{
    size_t n = smx__psi_size(p);
    smx_host_state hs = {.psi = calloc(n, sizeof(double))};
    if (p->moments) {
        hs.mx = calloc(n, sizeof(double)), hs.mz = calloc(n, sizeof(double));
        hs.qx = calloc(n, sizeof(double)), hs.qz = calloc(n, sizeof(double));
    }
    return hs;
}

int smx__host_state_ok(const smx_plan *p, const smx_host_state *hs)
{
    return hs->psi && (!p->moments || (hs->mx && hs->mz && hs->qx && hs->qz));
}

void smx__host_window(const smx_plan *p, const smx_host_state *s, int lo, int hi, int hmin, int *a,
                      int *b, int *h, int *z0)
{
    *a = p->nz, *b = -1;
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++)
            for (int z = 0; z < smx__hs_rows(p, s); z++) {
                const double *row = s->psi + smx__hs_index(p, s, i, j, z);
                int any = 0;
                for (int x = 0; x < p->nx && !any; x++) any = row[x] != 0;
                if (!any) continue;
                if (z < *a) *a = z;
                if (z > *b) *b = z;
            }
    *h = *b - *a + 1 > hmin ? *b - *a + 1 : hmin;
    *z0 = *b < *a ? 0 : (*a + *h > p->nz ? p->nz - *h : *a);
}

void smx__host_state_free(smx_host_state *hs)
{
    free(hs->psi), free(hs->mx), free(hs->mz), free(hs->qx), free(hs->qz);
    memset(hs, 0, sizeof *hs);
}

smx_status smx__oprun_open(smx_oprun *r, const char *backend, const smx_config *cfg,
                           const smx_host_state *init, int lo, int hi, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    smx_status st = smx__plan_build(cfg, &r->plan, err, errlen);
    if (st != SMX_OK) return st;
    st = smx__backend_resolve(backend, -1, "backend", &r->be, err, errlen);
    if (st != SMX_OK) return st;
    /* the reference backend is the float64 oracle; the others run float32 */
    smx_precision prec = smx__backend_precision(r->be, SMX_PRECISION_FLOAT32);
    smx_backend_opts opt = {-1, prec, cfg->threads, cfg->accumulation, cfg->scatter, cfg->memory_limit_GB};
    st = r->be->create(&r->plan, &opt, &r->ctx, err, errlen);
    if (st != SMX_OK) {
        r->ctx = NULL;
        return st;
    }
    size_t n = smx__psi_size(&r->plan);
    r->st = smx__host_state_alloc(&r->plan);
    r->psi = r->st.psi, r->mx = r->st.mx, r->mz = r->st.mz;
    r->edep = calloc(smx__slab(&r->plan), sizeof(double));
    if (!smx__host_state_ok(&r->plan, &r->st) || !r->edep) {
        smx__err(err, errlen, "out of memory for a %zu-entry state", n);
        return SMX_ENOMEM;
    }
    if (init) {
        double *dst[5] = {r->st.psi, r->st.mx, r->st.mz, r->st.qx, r->st.qz};
        const double *src[5] = {init->psi, init->mx, init->mz, init->qx, init->qz};
        for (int k = 0; k < 5; k++)
            if (dst[k] && src[k]) memcpy(dst[k], src[k], n * sizeof(double));
    }
    r->lo = lo;
    r->hi = hi;
    return r->be->set_state(r->ctx, &r->st, lo, hi, err, errlen);
}

smx_status smx__oprun_graph(smx_oprun *r, smx_graph *g, char *err, size_t errlen)
{
    g->e_lo = r->lo;
    g->e_hi = r->hi;
    smx_status st = smx__graph_run(r->be, r->ctx, &r->plan, g, r->acct, err, errlen);
    if (st != SMX_OK) return st;
    r->lo = g->e_lo;
    r->hi = g->e_hi;
    st = r->be->get_state(r->ctx, &r->st, err, errlen);
    if (st == SMX_OK) st = r->be->get_edep(r->ctx, r->edep, err, errlen);
    return st;
}

void smx__oprun_close(smx_oprun *r)
{
    if (r->ctx) r->be->destroy(r->ctx);
    smx__plan_free(&r->plan);
    smx__host_state_free(&r->st);
    free(r->edep);
    memset(r, 0, sizeof *r);
}

void smx__op_imbalance(const smx_op_acct *a, double *dw, double *de)
{
    double wl = a->w_rejected + a->w_absorbed + a->w_nuclear + a->w_trimmed - a->w_secondary;
    double el = a->e_deposited + a->e_nuc_deposited + a->e_nuc_escaped;
    for (int e = 0; e < SMX_EDGE_COUNT; e++) {
        wl += a->w_leak[e];
        el += a->e_leak[e];
    }
    *dw = a->w_in > 0 ? fabs(a->w_in - a->w_out - wl) / a->w_in : 0;
    *de = a->e_in > 0 ? fabs(a->e_in - a->e_out - el) / a->e_in : 0;
}
