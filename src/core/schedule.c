/* The step loop, once for every backend: the operators of a graph in
 * order, the weight and energy before and after each (from the backend's
 * per-slab weights), the backward-angle reject after A_theta and the trim
 * of edge energy bins after A_E. A backend implements the operators over
 * the ranges it is given, the slab weights and `stop`; nothing else. */
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/util.h"

/* Weight and energy of the slabs w of bins [lo, hi]. */
static void totals(const smx_plan *p, const double *w, int lo, int hi, double *tw, double *te)
{
    *tw = *te = 0;
    for (int i = lo; i <= hi; i++) {
        double s = 0;
        for (int j = 0; j < p->nt; j++) s += w[(size_t)(i - lo) * p->nt + j];
        *tw += s;
        *te += s * p->e_center_MeV[i];
    }
}

/* Weight scattered beyond max_angle_deg: removed, its energy deposited in
 * place. w holds the slab weights of [lo, hi] and is updated. */
static smx_status reject(const smx_backend_iface *b, void *ctx, const smx_plan *p, int lo, int hi,
                         double *w, smx_op_acct *a, char *err, size_t errlen)
{
    int any = 0;
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++) {
            double *s = &w[(size_t)(i - lo) * p->nt + j];
            if (!p->theta_rejected[j] || *s == 0) continue;
            a->w_rejected += *s;
            a->e_deposited += *s * p->e_center_MeV[i];
            *s = 0;
            any = 1;
        }
    return any ? b->stop(ctx, lo, hi, 1, err, errlen) : SMX_OK;
}

/* Stops the edge bins of [*lo, *hi] holding less than the plan's trim
 * weight: their energy is deposited where they are. */
static smx_status trim(const smx_backend_iface *b, void *ctx, const smx_plan *p, int *lo, int *hi,
                       const double *w, smx_op_acct *a, char *err, size_t errlen)
{
    int base = *lo;
    while (*hi >= *lo) {
        double wk[2] = {0, 0};
        for (int j = 0; j < p->nt; j++) {
            wk[0] += w[(size_t)(*lo - base) * p->nt + j];
            wk[1] += w[(size_t)(*hi - base) * p->nt + j];
        }
        int k = wk[0] < p->trim_weight ? *lo : (wk[1] < p->trim_weight ? *hi : -1);
        if (k < 0) break;
        smx_status st = b->stop(ctx, k, k, 0, err, errlen);
        if (st != SMX_OK) return st;
        double wt = k == *lo ? wk[0] : wk[1];
        a->w_trimmed += wt;
        a->e_deposited += wt * p->e_center_MeV[k];
        if (k == *lo) (*lo)++;
        else (*hi)--;
    }
    if (*hi < *lo) *lo = 0, *hi = -1;
    return SMX_OK;
}

smx_status smx__graph_run(const smx_backend_iface *b, void *ctx, const smx_plan *p, smx_graph *g,
                          smx_op_acct *acct, char *err, size_t errlen)
{
    double *w = malloc((size_t)p->ne * p->nt * sizeof(double));
    if (!w) {
        smx__err(err, errlen, "out of memory for the slab weights");
        return SMX_ENOMEM;
    }
    int lo = g->e_lo, hi = g->e_hi;
    if (hi < lo) lo = 0, hi = -1;
    smx_status st = hi >= lo ? b->slab_weights(ctx, lo, hi, w, err, errlen) : SMX_OK;
    if (b->kernel_ms) b->kernel_ms(ctx); /* from here */
    for (int n = 0; n < g->nnodes && st == SMX_OK; n++) {
        smx_op_acct *a = &acct[n];
        const smx_node *node = &g->nodes[n];
        memset(a, 0, sizeof *a);
        double t0 = smx__now_s();
        totals(p, w, lo, hi, &a->w_in, &a->e_in);
        if (node->op < 0 || node->op >= SMX_OP_COUNT) { /* the one check: backends trust it */
            smx__err(err, errlen, "%s backend: unknown op %d", b->name, node->op);
            st = SMX_ENOTSUP;
            break;
        }
        int olo = lo, ohi = hi;
        if (node->op == SMX_OP_ENERGY) smx__range_after_op(p, SMX_OP_ENERGY, &olo, &ohi);
        st = b->op(ctx, node, lo, hi, olo, ohi, a, err, errlen);
        lo = olo, hi = ohi;
        if (st == SMX_OK && hi >= lo) st = b->slab_weights(ctx, lo, hi, w, err, errlen);
        if (st == SMX_OK && node->op == SMX_OP_SCATTER && hi >= lo)
            st = reject(b, ctx, p, lo, hi, w, a, err, errlen);
        if (st == SMX_OK && node->op == SMX_OP_ENERGY) {
            int base = lo;
            st = trim(b, ctx, p, &lo, &hi, w, a, err, errlen);
            if (st == SMX_OK && lo > base) /* keep w indexed from lo */
                memmove(w, w + (size_t)(lo - base) * p->nt, sizeof(double) * (size_t)(hi - lo + 1) * p->nt);
        }
        totals(p, w, lo, hi, &a->w_out, &a->e_out);
        a->ms = (smx__now_s() - t0) * 1e3;
        a->kernel_ms = b->kernel_ms ? b->kernel_ms(ctx) : -1;
    }
    free(w);
    g->e_lo = lo;
    g->e_hi = hi;
    return st;
}
