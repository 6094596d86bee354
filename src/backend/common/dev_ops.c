/* The operators of a device backend on the host side: which cells each
 * launch covers, the kernel arguments, and the accounting, reduced on the
 * device into the step's slots (dev_ledger.c) and summed on the host in
 * double precision when the step settles. Nothing here waits for the
 * device.
 *
 * Launch ranges: for each energy bin the box of rows and columns an
 * operator's output can receive (`need`: the core's, core/boxes.h, from
 * the device's own count at the last settle followed through the ops
 * since), launched in blocks of SMX_DEV_TZ rows over the box's columns; a
 * pencil beam fills a small box per energy bin. Every kernel reads only
 * the occupied box of each slab (the device's own count, k_sums), so the
 * cells outside `need` may keep stale values; with c->clean (gemm reads
 * whole slabs) the launch covers whole rows and also zeroes the rows the
 * output set held before (rz). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/common/dev.h"
#include "core/boxes.h"
#include "core/util.h"

#define WG SMX_DEV_WG

typedef struct {
    smx_karg a[SMX_KARGS_MAX];
    int n;
} args;

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

static void a_mem(args *a, smx_dbuf *m) { a->a[a->n++] = (smx_karg){m, 0, SMX_KARG_BUF}; }
static void a_arr(args *a, smx_dbuf *m) { a->a[a->n++] = (smx_karg){m, 0, SMX_KARG_STATE}; }
static void a_int(args *a, int v) { a->a[a->n++] = (smx_karg){NULL, v, SMX_KARG_INT}; }
/* The grid's cells and the state's window (S, SW, QB). */
static void a_win(args *a, const smx_dev *c)
{
    a_int(a, c->S), a_int(a, c->SW), a_int(a, c->QB);
}
/* The state's per-slab sums and occupied boxes (its slot's), by which
 * the kernels skip empty slabs and cells. */
static void a_occ(args *a, const smx_dev *c)
{
    a_mem(a, c->slot[c->cur_slot].sums), a_mem(a, c->slot[c->cur_slot].box);
}
/* The five arrays of a buffer set (psi in place of absent moments). */
static void a_state(args *a, const smx_dev *c, int set)
{
    for (int k = 0; k < SMX_DEV_ARRAYS; k++) a_arr(a, c->buf[set][k < c->na ? k : 0]);
}

/* With c->poison (a test), NaN over the whole of output set `out` (part:
 * the deposit's part buffer) before a launch writes its boxes, so that a
 * kernel reading a cell outside the boxes it was given reads NaN. Not in
 * clean mode, which keeps zeros outside them (gemm reads whole slabs). */
static smx_status poison_out(smx_dev *c, int out, int part, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    const uint32_t nan = 0x7fc00000u;
    if (!c->poison || c->clean) return SMX_OK;
    if (part) return c->api->fill(c, c->part, nan, (size_t)p->ne * c->S * 8, err, errlen);
    smx_status st = SMX_OK;
    for (int k = 0; k < c->na && st == SMX_OK; k++)
        st = c->api->fill(c, c->buf[out][k], nan, (size_t)p->ne * p->nt * c->SW * sizeof(float), err, errlen);
    return st;
}

static smx_status launch(smx_dev *c, int kernel, const args *a, size_t g0, size_t g1, size_t g2,
                         char *err, size_t errlen)
{
    if (!g0 || !g1 || !g2) return SMX_OK;
    size_t g[3] = {round_up(g0, WG), g1, g2}, l[3] = {WG, 1, 1};
    return c->api->launch(c, kernel, a->a, a->n, 3, g, l, err, errlen);
}

/* A kernel over the blocks of the last upload_ranges: SMX_DEV_TX x
 * SMX_DEV_TZ work-groups over the widest block's columns and nblk blocks,
 * times n (theta bins, or 1). */
static smx_status launch_blocks(smx_dev *c, int kernel, const args *a, size_t nblk, size_t n,
                                char *err, size_t errlen)
{
    if (!nblk || !n) return SMX_OK;
    size_t g[3] = {round_up((size_t)c->blk_w, SMX_DEV_TX), nblk * SMX_DEV_TZ, n}, l[3] = {SMX_DEV_TX, SMX_DEV_TZ, 1};
    return c->api->launch(c, kernel, a->a, a->n, 3, g, l, err, errlen);
}

void smx__dev_acc_read(const smx_dev *c, const void *acc, double *out, size_t n)
{
    if (c->fp64) {
        memmove(out, acc, n * sizeof(double));
        return;
    }
    const float *f = acc; /* (sum, compensation) pairs; in place is fine: out[k] is f[2k..2k+1] */
    for (size_t k = 0; k < n; k++) out[k] = (double)f[2 * k] - (double)f[2 * k + 1];
}

/* The cells of bins lo..hi that a launch covers, from a box per bin
 * (box[4k .. 4k + 3]): as boxes per bin into dst (the per-slab reductions
 * and k_edep_add read those; NULL: none) and as blocks of SMX_DEV_TZ rows
 * into c->blk (bin, first row, last row of the range, first and last
 * column), *nblk of them (NULL: none), the widest c->blk_w columns.
 * out >= 0: the launch writes output set `out`, whose box becomes the
 * bin's (rz); with c->clean the launch covers whole rows, and the rows
 * that set may hold from before too (written as zeros). */
static smx_status upload_ranges(smx_dev *c, smx_dbuf *dst, const int *box, int lo, int hi, int out,
                                size_t *nblk, char *err, size_t errlen)
{
    size_t nb = 0;
    c->blk_w = 0;
    for (int k = lo; k <= hi; k++) {
        int r[SMX_BOX];
        memcpy(r, box + SMX_BOX * k, sizeof r);
        if (out >= 0) {
            if (c->clean) {
                smx__box_union(r, c->rz[out] + SMX_BOX * k);
                r[2] = 0, r[3] = c->p->nx - 1;
            }
            memcpy(c->rz[out] + SMX_BOX * k, box + SMX_BOX * k, sizeof r);
        }
        memcpy(c->hqr + SMX_BOX * (k - lo), r, sizeof r);
        if (r[0] <= r[1] && r[3] - r[2] + 1 > c->blk_w) c->blk_w = r[3] - r[2] + 1;
        for (int z = r[0]; z <= r[1]; z += SMX_DEV_TZ, nb++) {
            int *b = c->hblk + SMX_DEV_BLOCK * nb;
            b[0] = k - lo, b[1] = z, b[2] = r[1], b[3] = r[2], b[4] = r[3];
        }
    }
    if (nblk) *nblk = nb;
    if (hi < lo) return SMX_OK;
    smx_status st = SMX_OK;
    if (dst) st = smx__dev_upload(c, dst, c->hqr, SMX_BOX * sizeof(int) * (hi - lo + 1), err, errlen);
    if (st == SMX_OK && nblk && nb) st = smx__dev_upload(c, c->blk, c->hblk, SMX_DEV_BLOCK * sizeof(int) * nb, err, errlen);
    return st;
}

smx_status smx__dev_slab_sums(smx_dev *c, smx_dbuf *psi, int lo, int hi, const int *box, int nf,
                              smx_dbuf *fac, int fnt, int s, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    if (hi < lo) return SMX_OK;
    size_t groups = (size_t)(hi - lo + 1) * p->nt;
    smx_status st = upload_ranges(c, c->qr, box, lo, hi, -1, NULL, err, errlen);
    if (st != SMX_OK) return st;
    args a = {.n = 0};
    a_arr(&a, psi), a_int(&a, lo), a_int(&a, p->nt), a_int(&a, p->nx), a_win(&a, c);
    a_mem(&a, c->qr), a_int(&a, nf), a_int(&a, fnt), a_int(&a, p->nmat), a_int(&a, p->ne);
    a_mem(&a, fac ? fac : c->efac), a_mem(&a, c->mat), a_mem(&a, c->slot[s].sums), a_mem(&a, c->slot[s].box);
    a_mem(&a, c->slot[s].un);
    size_t g = groups * WG, l = WG;
    return c->api->launch(c, SMX_K_SUMS, a.a, a.n, 1, &g, &l, err, errlen);
}

smx_status smx__dev_note_output(smx_dev *c, int lo, int hi, char *err, size_t errlen)
{
    int s;
    smx_status st = smx__dev_slot_take(c, 1, lo, hi, &s, err, errlen);
    if (st == SMX_OK)
        st = smx__dev_slab_sums(c, c->buf[c->cur][SMX_DEV_PSI], lo, hi, c->need, 0, NULL, 1, s, err, errlen);
    if (st != SMX_OK) return st;
    c->cur_slot = s;
    if (hi >= lo) memcpy(c->zbox + SMX_BOX * lo, c->need + SMX_BOX * lo, SMX_BOX * sizeof(int) * (hi - lo + 1));
    c->exact = 0;
    c->rejected_since = 0;
    return SMX_OK;
}

/* A figure of the state [lo, hi] that an op needs: now from the host
 * mirror where that is exact (a step's first op) and the factor a table
 * (fac: per bin for A_E, per bin and theta for the theta leak); else at
 * the settle, from the state's slot, or (fac NULL: several media) from
 * the factor sections of table facb that a new slot sums on the device. */
static smx_status state_figure(smx_dev *c, int kind, int lo, int hi, const float *fac,
                               smx_dbuf *facb, smx_op_acct *a, char *err, size_t errlen)
{
    smx_dev_item it = {.kind = kind, .slot = c->cur_slot, .fac = fac, .a = a};
    if (c->exact && fac) {
        smx__dev_item_fill(c, &it, c->hsums, NULL, lo, hi);
        return SMX_OK;
    }
    smx_status st = SMX_OK;
    int nf = smx__dev_item_nf(kind);
    if (!fac) {
        st = smx__dev_slot_take(c, 1 + nf, lo, hi, &it.slot, err, errlen);
        if (st == SMX_OK)
            st = smx__dev_slab_sums(c, c->buf[c->cur][SMX_DEV_PSI], lo, hi, c->zbox, nf, facb,
                                    kind == SMX_DEV_ITEM_ENERGY ? 1 : c->p->nt, it.slot, err, errlen);
    }
    return st == SMX_OK ? smx__dev_item_add(c, &it, err, errlen) : st;
}

/* Empties theta bins jmask of energy bins i0..i1 of the state, their
 * energy deposited in place. */
smx_status smx__dev_collect(smx_dev *c, int i0, int i1, int rejected, char *err, size_t errlen)
{
    smx_dbuf *jmask = rejected ? c->rejected : c->all_theta;
    args a = {.n = 0};
    a_state(&a, c, c->cur), a_mem(&a, jmask), a_int(&a, i0), a_int(&a, i1), a_int(&a, c->p->nt), a_win(&a, c);
    a_mem(&a, c->e_MeV), a_mem(&a, c->slot[c->cur_slot].box), a_int(&a, c->p->nx), a_mem(&a, c->edep);
    return launch(c, SMX_K_COLLECT, &a, c->S, 1, 1, err, errlen);
}

smx_status smx__dev_scatter(smx_dev *c, int v, smx_op_acct *acct, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    int lo = c->lo, hi = c->hi, out = 1 - c->cur;
    smx_status st = SMX_OK;
    if (hi < lo) return SMX_OK;
    if (!p->full_circle) /* kernel mass off the window, per medium */
        st = state_figure(c, SMX_DEV_ITEM_THETA_LEAK, lo, hi,
                          p->nmat > 1 ? NULL : c->tab.kleak_f + (size_t)v * p->nmat * p->ne * p->nt,
                          c->kleak[v], acct, err, errlen);
    if (st != SMX_OK) return st;
    if (c->scatter_gemm) {
        memcpy(c->rz[out] + SMX_BOX * lo, c->need + SMX_BOX * lo, SMX_BOX * sizeof(int) * (hi - lo + 1));
        return c->api->gemm_scatter(c, v, err, errlen);
    }
    size_t nblk;
    st = upload_ranges(c, NULL, c->need, lo, hi, out, &nblk, err, errlen);
    if (st == SMX_OK) st = poison_out(c, out, 0, err, errlen);
    if (st != SMX_OK) return st;
    args a = {.n = 0};
    a_state(&a, c, c->cur), a_state(&a, c, out);
    a_mem(&a, c->mat), a_mem(&a, c->kw[v]), a_mem(&a, c->khalf[v]), a_int(&a, p->kmax);
    a_int(&a, lo), a_int(&a, p->ne), a_int(&a, p->nt), a_win(&a, c), a_mem(&a, c->blk);
    a_occ(&a, c), a_int(&a, p->nx);
    return launch_blocks(c, SMX_K_SCATTER, &a, nblk, p->nt, err, errlen);
}

/* After A_theta: weight on bins beyond max_angle_deg leaves, its energy
 * deposited where it is. */
smx_status smx__dev_stream(smx_dev *c, smx_op_acct *acct, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    int lo = c->lo, hi = c->hi, out = 1 - c->cur, nw = hi - lo + 1;
    if (hi < lo) return SMX_OK;
    size_t nblk, groups = (size_t)nw * p->nt;
    int s = c->cur_slot; /* the leak per slab goes with the input's slot */
    smx_dev_item it = {.kind = SMX_DEV_ITEM_STREAM_LEAK, .slot = s, .a = acct};
    smx_status st = smx__dev_slot_leak(c, s, err, errlen);
    if (st == SMX_OK) st = upload_ranges(c, c->qr, c->zbox, lo, hi, -1, NULL, err, errlen);
    if (st != SMX_OK) return st;
    args a = {.n = 0};
    a_state(&a, c, c->cur), a_int(&a, lo), a_int(&a, p->nt), a_int(&a, p->nz), a_int(&a, p->nx);
    a_win(&a, c), a_mem(&a, c->qr), a_mem(&a, c->sb), a_mem(&a, c->sr), a_mem(&a, c->slot[c->cur_slot].box);
    a_mem(&a, c->slot[s].leak);
    size_t g = groups * WG, l = WG;
    st = c->api->launch(c, SMX_K_STREAM_LEAK, a.a, a.n, 1, &g, &l, err, errlen);
    if (st != SMX_OK) return st;
    st = upload_ranges(c, NULL, c->need, lo, hi, out, &nblk, err, errlen);
    if (st == SMX_OK) st = poison_out(c, out, 0, err, errlen);
    if (st != SMX_OK) return st;
    a = (args){.n = 0};
    a_state(&a, c, c->cur), a_state(&a, c, out), a_int(&a, lo), a_int(&a, p->nt), a_int(&a, p->nz);
    a_int(&a, p->nx), a_win(&a, c), a_mem(&a, c->blk), a_mem(&a, c->sb), a_mem(&a, c->sr);
    a_occ(&a, c);
    st = launch_blocks(c, SMX_K_STREAM, &a, nblk, p->nt, err, errlen);
    return st == SMX_OK ? smx__dev_item_add(c, &it, err, errlen) : st;
}

smx_status smx__dev_energy(smx_dev *c, int nlo, int nhi, smx_op_acct *acct, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    int lo = c->lo, hi = c->hi, out = 1 - c->cur, nw = hi - lo + 1;
    size_t nblk;
    smx_status st = SMX_OK;
    if (hi < lo) return SMX_OK;
    /* accounting: absorbed, nuclear, deposited, nuclear local, nuclear
     * escaped, secondary weight and energy */
    st = state_figure(c, SMX_DEV_ITEM_ENERGY, lo, hi, p->nmat > 1 ? NULL : c->tab.efac, c->efac,
                      acct, err, errlen);
    if (st != SMX_OK) return st;
    /* the gather */
    if (nhi >= nlo) {
        st = upload_ranges(c, NULL, c->need, nlo, nhi, out, &nblk, err, errlen);
        if (st == SMX_OK) st = poison_out(c, out, 0, err, errlen);
        args a = {.n = 0};
        a_state(&a, c, c->cur), a_state(&a, c, out), a_mem(&a, c->mat), a_mem(&a, c->gstart);
        a_mem(&a, c->gsrc), a_mem(&a, c->gw), a_int(&a, lo), a_int(&a, hi), a_int(&a, nlo);
        a_int(&a, p->ne), a_int(&a, p->nt), a_win(&a, c), a_mem(&a, c->blk), a_occ(&a, c);
        a_mem(&a, c->slot[c->cur_slot].un), a_int(&a, p->nx);
        if (st == SMX_OK) st = launch_blocks(c, SMX_K_ENERGY, &a, nblk, p->nt, err, errlen);
        if (st != SMX_OK) return st;
    }
    /* the deposit of the lost energy, from the input state */
    args a;
    if (c->opt.accumulation == SMX_ACCUM_FAST) {
        st = upload_ranges(c, NULL, c->zbox, lo, hi, -1, &nblk, err, errlen);
        a = (args){.n = 0};
        a_state(&a, c, c->cur), a_mem(&a, c->mat), a_mem(&a, c->dep), a_mem(&a, c->db);
        a_mem(&a, c->dr), a_int(&a, lo), a_int(&a, p->ne), a_int(&a, p->nt), a_int(&a, p->nz);
        a_int(&a, p->nx), a_win(&a, c), a_mem(&a, c->blk), a_occ(&a, c);
        a_mem(&a, c->edep);
        return st == SMX_OK ? launch_blocks(c, SMX_K_DEPOSIT_ATOMIC, &a, nblk, p->nt, err, errlen) : st;
    }
    for (int i = lo; i <= hi; i++)
        smx__box_shift(p->nz, p->nx, c->reach + SMX_BOX * i, c->zbox + SMX_BOX * i, c->tab.reach + SMX_BOX * i);
    st = upload_ranges(c, c->qr, c->reach, lo, hi, -1, &nblk, err, errlen);
    if (st == SMX_OK) st = poison_out(c, 0, 1, err, errlen);
    if (st != SMX_OK) return st;
    a = (args){.n = 0};
    a_state(&a, c, c->cur), a_mem(&a, c->mat), a_mem(&a, c->dep), a_mem(&a, c->db), a_mem(&a, c->dr);
    a_mem(&a, c->dbb), a_int(&a, lo), a_int(&a, p->ne), a_int(&a, p->nt), a_int(&a, p->nz);
    a_int(&a, p->nx), a_win(&a, c), a_mem(&a, c->blk), a_occ(&a, c);
    a_mem(&a, c->part);
    st = launch_blocks(c, SMX_K_DEPOSIT, &a, nblk, 1, err, errlen);
    if (st != SMX_OK) return st;
    a = (args){.n = 0};
    a_mem(&a, c->part), a_int(&a, nw), a_int(&a, c->S), a_int(&a, p->nx), a_mem(&a, c->qr), a_mem(&a, c->edep);
    return launch(c, SMX_K_EDEP_ADD, &a, c->S, 1, 1, err, errlen);
}

/* Empties bins [lo, hi] of the state (every theta, or the rejected ones),
 * their energy deposited in place; the host mirrors follow, and a whole
 * edge bin leaves the window (hsums and hbox stay indexed from lo). */
smx_status smx__dev_stop_bins(smx_dev *c, int lo, int hi, int rejected, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    smx_status st = SMX_OK;
    if (!c->exact && !rejected) st = smx__dev_flush(c, err, errlen); /* the mirrors trimmed below */
    if (st == SMX_OK) st = smx__dev_collect(c, lo, hi, rejected, err, errlen);
    if (st != SMX_OK) return st;
    if (!c->exact) { /* rejected mid-step: the mirrors follow at the flush */
        c->rejected_since = 1;
        return SMX_OK;
    }
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++)
            if (!rejected || p->theta_rejected[j]) c->hsums[(size_t)(i - c->lo) * p->nt + j] = 0;
    if (rejected) return SMX_OK;
    size_t keep = (size_t)(c->hi - hi) * p->nt;
    if (lo == c->lo && hi < c->hi) {
        memmove(c->hsums, c->hsums + (size_t)(hi - lo + 1) * p->nt, sizeof(double) * keep);
        memmove(c->hbox, c->hbox + SMX_BOX * (size_t)(hi - lo + 1) * p->nt, SMX_BOX * sizeof(int) * keep);
        c->lo = hi + 1;
    } else if (hi == c->hi) {
        c->hi = lo - 1;
    }
    if (c->hi < c->lo) c->lo = 0, c->hi = -1;
    return SMX_OK;
}
