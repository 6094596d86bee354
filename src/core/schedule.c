/* The step loop, once for every backend: the operators of a graph in
 * order, the weight and energy before and after each (from the backend's
 * per-slab weights), the backward-angle reject after A_theta and the trim
 * of edge energy bins after A_E, and the box of rows and columns each
 * operator's output bins can hold (core/boxes.h). A backend implements the
 * operators over the ranges it is given, the slab weights, its boxes and
 * `stop`; nothing else (it may
 * offer A_theta and A_stream as one pass, op_pair: run_pair keeps every
 * figure of running them one at a time). A
 * deferred backend (settle: the device backends) is handed the whole
 * graph before it waits once; its figures are summed after. */
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/boxes.h"
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

/* Weight scattered beyond max_angle_deg: counted as removed, its energy
 * deposited in place; w holds the slab weights of [lo, hi] and is
 * updated. Returns whether there was any. */
static int reject_count(const smx_plan *p, int lo, int hi, double *w, smx_op_acct *a)
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
    return any;
}

static int any_rejected(const smx_plan *p)
{
    for (int j = 0; j < p->nt; j++)
        if (p->theta_rejected[j]) return 1;
    return 0;
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

/* The box each bin of the state [lo, hi] holds at the step's start (the
 * backend's count, or the whole grid), none elsewhere. */
static smx_status start_boxes(const smx_backend_iface *b, void *ctx, const smx_plan *p, int lo, int hi,
                              int *box, char *err, size_t errlen)
{
    for (int k = 0; k < p->ne; k++) smx__box_empty(box + SMX_BOX * k, p->nz, p->nx);
    if (hi < lo) return SMX_OK;
    if (b->bin_boxes) return b->bin_boxes(ctx, lo, hi, box, err, errlen);
    for (int k = lo; k <= hi; k++) {
        int *x = box + SMX_BOX * k;
        x[0] = 0, x[1] = p->nz - 1, x[2] = 0, x[3] = p->nx - 1;
    }
    return SMX_OK;
}

/* Node n's output boxes from its input's (box[n % 2] to box[1 - n % 2]). */
static const int *node_boxes(const smx_plan *p, const smx_node *node, int n, int lo, int hi, int olo,
                             int ohi, int *box)
{
    int *in = box + (n % 2) * SMX_BOX * p->ne, *out = box + (1 - n % 2) * SMX_BOX * p->ne;
    for (int k = 0; k < p->ne; k++) smx__box_empty(out + SMX_BOX * k, p->nz, p->nx);
    smx__boxes_after_op(p, node->op, lo, hi, olo, ohi, in, out);
    return out;
}

/* The deferred form (b->settle): every node enqueued, one wait, then the
 * figures; the slab weights after node n are w + (n + 1) * ne * nt. */
static smx_status graph_deferred(const smx_backend_iface *b, void *ctx, const smx_plan *p,
                                 smx_graph *g, smx_op_acct *acct, double *w, int *box, char *err,
                                 size_t errlen)
{
    size_t ent = (size_t)p->ne * p->nt;
    int lo[SMX_GRAPH_MAX_NODES + 1], hi[SMX_GRAPH_MAX_NODES + 1], nn = g->nnodes;
    double host_ms[SMX_GRAPH_MAX_NODES], kms[SMX_GRAPH_MAX_NODES];
    lo[0] = g->e_lo, hi[0] = g->e_hi;
    if (hi[0] < lo[0]) lo[0] = 0, hi[0] = -1;
    int rej = any_rejected(p);
    smx_status st = hi[0] >= lo[0] ? b->slab_weights(ctx, lo[0], hi[0], w, err, errlen) : SMX_OK;
    if (st == SMX_OK) st = start_boxes(b, ctx, p, lo[0], hi[0], box, err, errlen);
    for (int n = 0; n < nn && st == SMX_OK; n++) {
        const smx_node *node = &g->nodes[n];
        double t0 = smx__now_s();
        memset(&acct[n], 0, sizeof acct[n]);
        lo[n + 1] = lo[n], hi[n + 1] = hi[n];
        if (node->op == SMX_OP_ENERGY) smx__range_after_op(p, SMX_OP_ENERGY, &lo[n + 1], &hi[n + 1]);
        const int *r = node_boxes(p, node, n, lo[n], hi[n], lo[n + 1], hi[n + 1], box);
        st = b->op(ctx, node, lo[n], hi[n], lo[n + 1], hi[n + 1], r, &acct[n], err, errlen);
        if (st == SMX_OK && hi[n + 1] >= lo[n + 1])
            st = b->slab_weights(ctx, lo[n + 1], hi[n + 1], w + (n + 1) * ent, err, errlen);
        if (st == SMX_OK && node->op == SMX_OP_SCATTER && rej && hi[n + 1] >= lo[n + 1])
            st = b->stop(ctx, lo[n + 1], hi[n + 1], 1, err, errlen);
        host_ms[n] = (smx__now_s() - t0) * 1e3;
    }
    double t0 = smx__now_s();
    /* also after a failure: the backend drops what it was to fill */
    char scratch[8];
    smx_status ss = st == SMX_OK ? b->settle(ctx, kms, nn, err, errlen)
                                 : b->settle(ctx, kms, nn, scratch, sizeof scratch);
    if (st == SMX_OK) st = ss;
    if (st != SMX_OK) return st;
    double wait_ms = (smx__now_s() - t0) * 1e3, ksum = 0;
    int timed = 1;
    for (int n = 0; n < nn; n++) timed = timed && kms[n] >= 0, ksum += kms[n] > 0 ? kms[n] : 0;
    for (int n = 0; n < nn; n++) {
        smx_op_acct *a = &acct[n];
        double *wo = w + (n + 1) * ent;
        totals(p, w + n * ent, lo[n], hi[n], &a->w_in, &a->e_in);
        if (g->nodes[n].op == SMX_OP_SCATTER && rej) reject_count(p, lo[n + 1], hi[n + 1], wo, a);
        int l = lo[n + 1], h = hi[n + 1];
        if (n == nn - 1) { /* the trim, after the graph */
            st = trim(b, ctx, p, &l, &h, wo, a, err, errlen);
            if (st != SMX_OK) return st;
            if (l > lo[n + 1]) wo += (size_t)(l - lo[n + 1]) * p->nt;
            g->e_lo = l, g->e_hi = h;
        }
        totals(p, wo, l, h, &a->w_out, &a->e_out);
        /* the wait at the end shared by the nodes' device times (equally
         * where the kernels are not timed) */
        a->ms = host_ms[n] + wait_ms * (timed && ksum > 0 ? kms[n] / ksum : 1.0 / nn);
        a->kernel_ms = timed ? kms[n] : -1;
    }
    return SMX_OK;
}

/* Nodes n (A_theta) and n + 1 (A_stream) in one pass of b->op_pair, with
 * the figures and the reject of running them one at a time; w holds the
 * slab weights of [lo, hi] before and after. */
static smx_status run_pair(const smx_backend_iface *b, void *ctx, const smx_plan *p, const smx_node *node,
                           int n, int lo, int hi, int *box, double *w, smx_op_acct *acct, char *err,
                           size_t errlen)
{
    smx_op_acct *a0 = &acct[0], *a1 = &acct[1];
    memset(acct, 0, 2 * sizeof *acct);
    double t0 = smx__now_s(), share[2] = {0.5, 0.5};
    totals(p, w, lo, hi, &a0->w_in, &a0->e_in);
    const int *mid = node_boxes(p, &node[0], n, lo, hi, lo, hi, box);
    const int *out = node_boxes(p, &node[1], n + 1, lo, hi, lo, hi, box);
    smx_status st = b->op_pair(ctx, &node[0], &node[1], lo, hi, mid, out, w, acct, share, err, errlen);
    if (st == SMX_OK && reject_count(p, lo, hi, w, a0)) st = b->stop(ctx, lo, hi, 1, err, errlen);
    totals(p, w, lo, hi, &a0->w_out, &a0->e_out);
    a1->w_in = a0->w_out, a1->e_in = a0->e_out;
    if (st == SMX_OK) st = b->slab_weights(ctx, lo, hi, w, err, errlen);
    totals(p, w, lo, hi, &a1->w_out, &a1->e_out);
    double ms = (smx__now_s() - t0) * 1e3;
    a0->ms = ms * share[0], a1->ms = ms * share[1];
    a0->kernel_ms = a1->kernel_ms = -1;
    return st;
}

smx_status smx__graph_run(const smx_backend_iface *b, void *ctx, const smx_plan *p, smx_graph *g,
                          smx_op_acct *acct, char *err, size_t errlen)
{
    for (int n = 0; n < g->nnodes; n++)
        if (g->nodes[n].op < 0 || g->nodes[n].op >= SMX_OP_COUNT) { /* the one check: backends trust it */
            smx__err(err, errlen, "%s backend: unknown op %d", b->name, g->nodes[n].op);
            return SMX_ENOTSUP;
        }
    int *box = malloc(2 * SMX_BOX * sizeof(int) * (size_t)p->ne); /* a node's input and output boxes */
    double *w = malloc((size_t)(b->settle ? g->nnodes + 1 : 1) * p->ne * p->nt * sizeof(double));
    if (!w || !box) {
        free(w);
        free(box);
        smx__err(err, errlen, "out of memory for the slab weights");
        return SMX_ENOMEM;
    }
    if (b->settle) {
        smx_status st = graph_deferred(b, ctx, p, g, acct, w, box, err, errlen);
        free(w);
        free(box);
        return st;
    }
    int lo = g->e_lo, hi = g->e_hi;
    if (hi < lo) lo = 0, hi = -1;
    smx_status st = hi >= lo ? b->slab_weights(ctx, lo, hi, w, err, errlen) : SMX_OK;
    if (st == SMX_OK) st = start_boxes(b, ctx, p, lo, hi, box, err, errlen);
    for (int n = 0; n < g->nnodes && st == SMX_OK; n++) {
        smx_op_acct *a = &acct[n];
        const smx_node *node = &g->nodes[n];
        if (n + 1 < g->nnodes && hi >= lo && node[0].op == SMX_OP_SCATTER && node[1].op == SMX_OP_STREAM &&
            b->pairs && b->pairs(ctx, &node[0], &node[1])) {
            st = run_pair(b, ctx, p, node, n++, lo, hi, box, w, a, err, errlen);
            continue;
        }
        memset(a, 0, sizeof *a);
        double t0 = smx__now_s();
        totals(p, w, lo, hi, &a->w_in, &a->e_in);
        int olo = lo, ohi = hi;
        if (node->op == SMX_OP_ENERGY) smx__range_after_op(p, SMX_OP_ENERGY, &olo, &ohi);
        const int *r = node_boxes(p, node, n, lo, hi, olo, ohi, box);
        st = b->op(ctx, node, lo, hi, olo, ohi, r, a, err, errlen);
        lo = olo, hi = ohi;
        if (st == SMX_OK && hi >= lo) st = b->slab_weights(ctx, lo, hi, w, err, errlen);
        if (st == SMX_OK && node->op == SMX_OP_SCATTER && hi >= lo && reject_count(p, lo, hi, w, a))
            st = b->stop(ctx, lo, hi, 1, err, errlen);
        if (st == SMX_OK && node->op == SMX_OP_ENERGY) {
            int base = lo;
            st = trim(b, ctx, p, &lo, &hi, w, a, err, errlen);
            if (st == SMX_OK && lo > base) /* keep w indexed from lo */
                memmove(w, w + (size_t)(lo - base) * p->nt, sizeof(double) * (size_t)(hi - lo + 1) * p->nt);
        }
        totals(p, w, lo, hi, &a->w_out, &a->e_out);
        a->ms = (smx__now_s() - t0) * 1e3;
        a->kernel_ms = -1; /* the host backends have no device clock */
    }
    free(w);
    free(box);
    g->e_lo = lo;
    g->e_hi = hi;
    return st;
}
