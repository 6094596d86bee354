/* The step's ledger: a device backend enqueues a whole step without
 * waiting. Each operator's accounting is reduced on the device into a slot
 * (per-slab sums of a state, with factor sections, its occupied boxes, and
 * A_stream's leak per slab); the slots are read back together when the
 * core settles the step (one wait), and the figures filled then. Small
 * uploads go through an arena that stays untouched until the next finish,
 * so that they need not wait either. */
#include <stdlib.h>
#include <string.h>

#include "backend/common/dev.h"
#include "core/boxes.h"
#include "core/util.h"

static void *hmalloc(smx_dev *c, size_t bytes)
{
    return c->api->host_alloc ? c->api->host_alloc(c, bytes) : malloc(bytes);
}

static void hfree(smx_dev *c, void *p)
{
    if (!p) return;
    if (c->api->host_free) c->api->host_free(c, p);
    else free(p);
}

smx_status smx__dev_ledger_init(smx_dev *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t blocks = (size_t)p->ne * ((p->nz + SMX_DEV_TZ - 1) / SMX_DEV_TZ);
    /* a step's uploads: a few box and block lists per op (upload_ranges) */
    c->arena_cap = 4 * SMX_GRAPH_MAX_NODES * (SMX_BOX * (size_t)p->ne + SMX_DEV_BLOCK * blocks) * sizeof(int) + 4096;
    /* tests: uploads that wait, or go unqueued */
    c->arena_cap = (size_t)smx__dev_env_long("SMX_DEV_ARENA_BYTES", 1, (long)c->arena_cap - 1, (long)c->arena_cap);
    c->arena = hmalloc(c, c->arena_cap);
    c->arena_used = 0;
    c->nslots = c->nitems = 0;
    c->slot_cap = (int)smx__dev_env_long("SMX_DEV_SLOT_CAP", 2, SMX_DEV_SLOTS - 1, SMX_DEV_SLOTS);
    c->cur_slot = -1;
    c->exact = 0;
    c->op_seq = -1;
    if (!c->arena) {
        smx__err(err, errlen, "%s backend: out of host memory for the upload arena (%zu bytes)", c->name,
                 c->arena_cap);
        return SMX_ENOMEM;
    }
    return SMX_OK;
}

void smx__dev_ledger_free(smx_dev *c)
{
    for (int s = 0; s < SMX_DEV_SLOTS; s++) {
        smx_dev_slot *sl = &c->slot[s];
        smx_dbuf *b[] = {sl->sums, sl->box, sl->leak, sl->un};
        for (int k = 0; k < 4; k++)
            if (b[k]) c->api->release(c, b[k]);
        hfree(c, sl->hs), hfree(c, sl->hl), hfree(c, sl->hb);
        memset(sl, 0, sizeof *sl);
    }
    hfree(c, c->arena);
    c->arena = NULL;
}

smx_status smx__dev_finish(smx_dev *c, char *err, size_t errlen)
{
    smx_status st = c->api->finish(c, err, errlen);
    if (st == SMX_OK) c->arena_used = 0;
    return st;
}

smx_status smx__dev_upload(smx_dev *c, smx_dbuf *b, const void *src, size_t bytes, char *err,
                           size_t errlen)
{
    size_t need = (bytes + 15) / 16 * 16;
    if (!c->api->write_async || need > c->arena_cap) return c->api->write(c, b, 0, bytes, src, err, errlen);
    if (c->arena_used + need > c->arena_cap) { /* full: wait for the uploads in flight */
        smx_status st = smx__dev_finish(c, err, errlen);
        if (st != SMX_OK) return st;
    }
    void *at = c->arena + c->arena_used;
    memcpy(at, src, bytes);
    c->arena_used += need;
    return c->api->write_async(c, b, 0, bytes, at, err, errlen);
}

/* Buffer and mirror of `bytes`, made when absent (or too small). */
static smx_status ensure(smx_dev *c, smx_dbuf **b, void **h, size_t bytes, int grow, char *err,
                         size_t errlen)
{
    if (*b && !grow) return SMX_OK;
    if (*b) c->api->release(c, *b), *b = NULL;
    hfree(c, *h);
    *h = hmalloc(c, bytes);
    if (!*h) {
        smx__err(err, errlen, "%s backend: out of host memory for the accounting (%zu bytes)", c->name, bytes);
        return SMX_ENOMEM;
    }
    return c->api->alloc(c, bytes, b, err, errlen);
}

smx_status smx__dev_slot_take(smx_dev *c, int nsec, int lo, int hi, int *slot, char *err,
                              size_t errlen)
{
    size_t ent = (size_t)c->p->ne * c->p->nt;
    smx_status st = SMX_OK;
    if (c->nslots >= c->slot_cap && (st = smx__dev_flush(c, err, errlen)) != SMX_OK) return st;
    int s = c->nslots;
    smx_dev_slot *sl = &c->slot[s];
    st = ensure(c, &sl->sums, (void **)&sl->hs, (size_t)nsec * ent * 8, sl->nsec < nsec, err, errlen);
    if (st == SMX_OK) sl->nsec = sl->nsec < nsec ? nsec : sl->nsec;
    else sl->nsec = 0;
    if (st == SMX_OK) st = ensure(c, &sl->box, (void **)&sl->hb, 4 * ent * sizeof(int), 0, err, errlen);
    if (st == SMX_OK && !sl->un) st = c->api->alloc(c, 2 * c->p->nt * sizeof(int), &sl->un, err, errlen);
    if (st == SMX_OK) st = c->api->fill(c, sl->un, 0x7fffffffu, 2 * c->p->nt * sizeof(int), err, errlen);
    if (st != SMX_OK) return st;
    c->nslots++;
    sl->lo = lo, sl->hi = hi;
    sl->want_sec = sl->want_box = sl->want_leak = 0;
    *slot = s;
    return SMX_OK;
}

smx_status smx__dev_slot_leak(smx_dev *c, int s, char *err, size_t errlen)
{
    smx_dev_slot *sl = &c->slot[s];
    size_t ent = (size_t)c->p->ne * c->p->nt;
    return ensure(c, &sl->leak, (void **)&sl->hl, 4 * ent * 8, 0, err, errlen);
}

smx_status smx__dev_item_add(smx_dev *c, const smx_dev_item *it, char *err, size_t errlen)
{
    if (c->nitems == SMX_DEV_ITEMS) {
        smx__err(err, errlen, "%s backend: more than %d accounting figures in one step", c->name,
                 SMX_DEV_ITEMS);
        return SMX_EBACKEND;
    }
    smx_dev_slot *sl = &c->slot[it->slot];
    int sec = it->fac ? 1 : 1 + smx__dev_item_nf(it->kind);
    sl->want_sec = sl->want_sec > sec ? sl->want_sec : sec;
    sl->want_leak |= it->kind == SMX_DEV_ITEM_STREAM_LEAK;
    c->item[c->nitems++] = *it;
    return SMX_OK;
}

/* Weight and energy of per-slab values of bins [lo, hi] times a factor per
 * (bin[, theta]) (fnt 1 or nt; fac NULL: 1). */
static void weigh(const smx_dev *c, const double *slab, int lo, int hi, const float *fac, int fnt,
                  double *w, double *e)
{
    const smx_plan *p = c->p;
    *w = *e = 0;
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++) {
            double v = slab[(size_t)(i - lo) * p->nt + j];
            if (fac) v *= fac[(size_t)i * fnt + (fnt > 1 ? j : 0)];
            *w += v;
            *e += v * p->e_center_MeV[i];
        }
}

void smx__dev_item_fill(const smx_dev *c, const smx_dev_item *it, const double *hs,
                        const double *hl, int lo, int hi)
{
    const smx_plan *p = c->p;
    size_t g = (size_t)(hi - lo + 1) * p->nt;
    smx_op_acct *a = it->a;
    double *fig[SMX_ENERGY_FACTORS] = {&a->w_absorbed,    &a->w_nuclear,     &a->e_deposited,
                                       &a->e_nuc_deposited, &a->e_nuc_escaped, &a->w_secondary,
                                       &a->e_secondary};
    double e;
    switch (it->kind) {
    case SMX_DEV_ITEM_WEIGHTS: memcpy(it->w, hs, g * sizeof(double)); break;
    case SMX_DEV_ITEM_THETA_LEAK:
        weigh(c, it->fac ? hs : hs + g, lo, hi, it->fac, p->nt, &a->w_leak[SMX_EDGE_THETA],
              &a->e_leak[SMX_EDGE_THETA]);
        break;
    case SMX_DEV_ITEM_ENERGY:
        for (int f = 0; f < SMX_ENERGY_FACTORS; f++)
            if (it->fac) weigh(c, hs, lo, hi, it->fac + (size_t)f * p->ne, 1, fig[f], &e);
            else weigh(c, hs + (1 + f) * g, lo, hi, NULL, 1, fig[f], &e);
        break;
    case SMX_DEV_ITEM_STREAM_LEAK:
        for (size_t s = 0; s < g; s++)
            for (int k = 0; k < 4; k++) {
                a->w_leak[k] += hl[4 * s + k];
                a->e_leak[k] += hl[4 * s + k] * p->e_center_MeV[lo + (int)(s / p->nt)];
            }
        break;
    }
}

/* The state's host mirrors from its slot: weights (less the rejected
 * angles stopped since), the slabs' boxes, and the box of each bin. */
static void mirror_state(smx_dev *c)
{
    const smx_plan *p = c->p;
    const smx_dev_slot *sl = &c->slot[c->cur_slot];
    size_t g = sl->hi >= sl->lo ? (size_t)(sl->hi - sl->lo + 1) * p->nt : 0;
    memcpy(c->hsums, sl->hs, g * sizeof(double));
    memcpy(c->hbox, sl->hb, 4 * g * sizeof(int));
    for (size_t s = 0; c->rejected_since && s < g; s++)
        if (p->theta_rejected[s % p->nt]) c->hsums[s] = 0;
    for (int k = sl->lo; k <= sl->hi; k++) {
        int *z = c->zbox + SMX_BOX * k;
        smx__box_empty(z, p->nz, p->nx);
        for (int j = 0; j < p->nt; j++) smx__box_union(z, c->hbox + SMX_BOX * ((size_t)(k - sl->lo) * p->nt + j));
    }
}

smx_status smx__dev_flush(smx_dev *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t all = (size_t)p->ne * p->nt;
    int state = !c->exact && c->cur_slot >= 0;
    if (state) {
        smx_dev_slot *cs = &c->slot[c->cur_slot];
        cs->want_sec = cs->want_sec ? cs->want_sec : 1;
        cs->want_box = 1;
    }
    smx_status st = SMX_OK;
    smx_status (*rd)(smx_dev *, smx_dbuf *, size_t, size_t, void *, char *, size_t) =
        c->api->read_async ? c->api->read_async : c->api->read;
    for (int s = 0; s < c->nslots && st == SMX_OK; s++) {
        smx_dev_slot *sl = &c->slot[s];
        if (sl->hi < sl->lo) continue;
        size_t g = (size_t)(sl->hi - sl->lo + 1) * p->nt, at = (size_t)sl->lo * p->nt;
        for (int f = 0; f < sl->want_sec && st == SMX_OK; f++) /* sums are indexed by absolute slab */
            st = rd(c, sl->sums, (f * all + at) * 8, g * 8, sl->hs + f * g, err, errlen);
        if (st == SMX_OK && sl->want_box)
            st = rd(c, sl->box, 4 * at * sizeof(int), 4 * g * sizeof(int), sl->hb, err, errlen);
        if (st == SMX_OK && sl->want_leak) st = rd(c, sl->leak, 0, 4 * g * 8, sl->hl, err, errlen);
    }
    if (st == SMX_OK) st = smx__dev_finish(c, err, errlen);
    for (int s = 0; s < c->nslots && st == SMX_OK; s++) {
        smx_dev_slot *sl = &c->slot[s];
        size_t g = sl->hi >= sl->lo ? (size_t)(sl->hi - sl->lo + 1) * p->nt : 0;
        smx__dev_acc_read(c, sl->hs, sl->hs, (size_t)sl->want_sec * g);
        if (sl->want_leak) smx__dev_acc_read(c, sl->hl, sl->hl, 4 * g);
    }
    for (int k = 0; k < c->nitems && st == SMX_OK; k++) {
        const smx_dev_slot *sl = &c->slot[c->item[k].slot];
        smx__dev_item_fill(c, &c->item[k], sl->hs, sl->hl, sl->lo, sl->hi);
    }
    if (st == SMX_OK && state) mirror_state(c), c->exact = 1;
    /* the state's slot is kept (the kernels read its sums and boxes), as
     * slot 0; the others are free */
    if (c->cur_slot > 0) {
        smx_dev_slot t = c->slot[0];
        c->slot[0] = c->slot[c->cur_slot], c->slot[c->cur_slot] = t;
        c->cur_slot = 0;
    }
    c->nslots = c->cur_slot >= 0 ? 1 : 0;
    c->slot[0].want_sec = c->slot[0].want_box = c->slot[0].want_leak = 0;
    c->nitems = 0;
    return st;
}

long smx__dev_waits(void *ctx) { return ((smx_dev *)ctx)->waits; }

smx_status smx__dev_settle(void *ctx, double *kernel_ms, int nnodes, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    smx_status st = smx__dev_flush(c, err, errlen);
    for (int n = 0; n < nnodes; n++)
        kernel_ms[n] = c->kernel_timed && n < SMX_GRAPH_MAX_NODES ? c->node_kms[n] : -1;
    memset(c->node_kms, 0, sizeof c->node_kms);
    c->op_seq = -1;
    return st;
}
