/* The device-independent side of a device backend (see dev.h): buffers,
 * tables, state transfer, the operator entry points with their ranges,
 * and the choice of `run.scatter: auto`. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/common/dev.h"
#include "core/boxes.h"
#include "core/oprun.h"
#include "core/util.h"

const char *const smx__dev_kernel_names[SMX_K_COUNT] = {
    [SMX_K_SUMS] = "k_sums",       [SMX_K_STREAM_LEAK] = "k_stream_leak", [SMX_K_SCATTER] = "k_scatter",
    [SMX_K_COLLECT] = "k_collect", [SMX_K_STREAM] = "k_stream",           [SMX_K_ENERGY] = "k_energy",
    [SMX_K_DEPOSIT] = "k_deposit", [SMX_K_EDEP_ADD] = "k_edep_add",
    [SMX_K_DEPOSIT_ATOMIC] = "k_deposit_atomic", [SMX_K_ROW_SUMS] = "k_row_sums",
};

smx_status smx__dev_check_memory(const smx_dev *c, int H, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t global = c->mem_global, maxalloc = c->mem_maxalloc;
    /* the state's window of H rows (at creation; window_fit checks each growth) */
    double array = (double)p->ne * p->nt * H * p->nx * sizeof(float);
    /* the step's slots: sums and boxes of a state after each op, factor
     * sections where there are several media, A_stream's leak */
    double slots = (double)p->ne * p->nt *
                   (SMX_DEV_SLOTS * 24 + 2 * (1 + SMX_ENERGY_FACTORS) * 8 + 2 * 4 * 8);
    double total = 2 * c->na * array + (double)p->ne * c->S * 8 /* part */ + slots;
    if (maxalloc && array > (double)maxalloc) {
        smx__err(err, errlen, "%s backend: one state array (%d x %d x %d rows x %d float32) "
                 "needs %.1f MB; the device allocates at most %.1f MB per buffer (%.1f MB global)",
                 c->name, p->ne, p->nt, H, p->nx, array / 1e6, maxalloc / 1e6, global / 1e6);
        return SMX_ENOMEM;
    }
    if (global && total > (double)global) {
        smx__err(err, errlen, "%s backend: the state needs %.1f MB (%d arrays x 2 of %.1f MB, "
                 "a window of %d rows, and work space); the device has %.1f MB", c->name,
                 total / 1e6, c->na, array / 1e6, H, global / 1e6);
        return SMX_ENOMEM;
    }
    return SMX_OK;
}

static smx_status alloc(smx_dev *c, smx_dbuf **b, size_t bytes, char *err, size_t errlen)
{
    return c->api->alloc(c, bytes ? bytes : 4, b, err, errlen);
}

static smx_status upload(smx_dev *c, smx_dbuf **b, const void *data, size_t bytes, char *err,
                         size_t errlen)
{
    smx_status st = alloc(c, b, bytes, err, errlen);
    return st == SMX_OK && bytes ? c->api->write(c, *b, 0, bytes, data, err, errlen) : st;
}

static smx_status buffers(smx_dev *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t ent = (size_t)p->ne * p->nt;
    smx_status st = smx__dev_window_alloc(c, c->H, 0, err, errlen);
    if (st == SMX_OK) st = alloc(c, &c->edep, (size_t)c->S * 8, err, errlen);
    if (st == SMX_OK && c->opt.accumulation == SMX_ACCUM_DETERMINISTIC)
        st = alloc(c, &c->part, (size_t)p->ne * c->S * 8, err, errlen);
    if (st == SMX_OK) st = smx__dev_ledger_init(c, err, errlen);
    if (st == SMX_OK) st = alloc(c, &c->qr, SMX_BOX * (size_t)p->ne * sizeof(int), err, errlen);
    size_t blocks = (size_t)p->ne * ((p->nz + SMX_DEV_TZ - 1) / SMX_DEV_TZ);
    if (st == SMX_OK) st = alloc(c, &c->blk, SMX_DEV_BLOCK * blocks * sizeof(int), err, errlen);
    if (st != SMX_OK) return st;
    c->hsums = calloc(ent, sizeof(double));
    c->hbox = calloc(SMX_BOX * ent, sizeof(int));
    c->zbox = calloc(SMX_BOX * (size_t)p->ne, sizeof(int));
    c->need = calloc(SMX_BOX * (size_t)p->ne, sizeof(int));
    c->reach = calloc(SMX_BOX * (size_t)p->ne, sizeof(int));
    c->hqr = calloc(SMX_BOX * (size_t)p->ne, sizeof(int));
    c->hblk = calloc(SMX_DEV_BLOCK * blocks, sizeof(int));
    c->rz[0] = calloc(SMX_BOX * (size_t)p->ne, sizeof(int));
    c->rz[1] = calloc(SMX_BOX * (size_t)p->ne, sizeof(int));
    if (!c->hsums || !c->hbox || !c->zbox || !c->need || !c->reach || !c->hqr || !c->hblk || !c->rz[0] || !c->rz[1])
        return SMX_ENOMEM;
    return SMX_OK;
}

/* The process-wide choice of `run.scatter: auto` per device and grid, so
 * that it is measured once (and two runs in one process agree). */
typedef struct {
    char device[256];
    int nx, nz, nt, ne, gemm;
} auto_entry;
static pthread_mutex_t auto_lock = PTHREAD_MUTEX_INITIALIZER;
static auto_entry auto_cache[16];
static int auto_count;

static int auto_lookup(const smx_dev *c, int *gemm, int store)
{
    const smx_plan *p = c->p;
    int found = 0;
    pthread_mutex_lock(&auto_lock);
    for (int k = 0; k < auto_count && !found; k++) {
        auto_entry *e = &auto_cache[k];
        if (strcmp(e->device, c->device_name) || e->nx != p->nx || e->nz != p->nz ||
            e->nt != p->nt || e->ne != p->ne)
            continue;
        found = 1;
        if (store) e->gemm = *gemm;
        else *gemm = e->gemm;
    }
    if (!found && store) {
        auto_entry *e = &auto_cache[auto_count < 16 ? auto_count++ : 15];
        snprintf(e->device, sizeof e->device, "%s", c->device_name);
        e->nx = p->nx, e->nz = p->nz, e->nt = p->nt, e->ne = p->ne, e->gemm = *gemm;
    }
    pthread_mutex_unlock(&auto_lock);
    return found;
}

static smx_status upload_tables(smx_dev *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    smx_dev_tables *t = &c->tab;
    if (smx__dev_tables_build(p, t) != SMX_OK) {
        smx__err(err, errlen, "%s backend: out of memory building the tables", c->name);
        return SMX_ENOMEM;
    }
    size_t me = (size_t)p->nmat * p->ne, mt = me * p->nt, et = (size_t)p->ne * p->nt;
    struct {
        smx_dbuf **m;
        const void *data;
        size_t bytes;
    } up[] = {
        {&c->mat, t->mat, t->mat_bytes},
        {&c->e_MeV, t->e_MeV, p->ne * sizeof(float)},
        {&c->rejected, p->theta_rejected, (size_t)p->nt},
        {&c->efac, t->efac, SMX_ENERGY_FACTORS * me * sizeof(float)},
        {&c->gstart, t->gstart, (size_t)p->nmat * (p->ne + 1) * sizeof(int)},
        {&c->gsrc, t->gsrc, (size_t)t->ngather * sizeof(int)},
        {&c->gw, t->gw, (size_t)t->ngather * sizeof(float)},
        {&c->sb, t->sb, 2 * sizeof(int) * p->nt},
        {&c->sr, t->sr, 2 * sizeof(float) * p->nt},
        {&c->dep, t->dep, me * sizeof(float)},
        {&c->db, t->db, 2 * mt * sizeof(int)},
        {&c->dr, t->dr, 2 * mt * sizeof(float)},
        {&c->dbb, t->dbb, 4 * et * sizeof(int)},
    };
    smx_status st = SMX_OK;
    for (size_t k = 0; k < sizeof up / sizeof up[0] && st == SMX_OK; k++)
        st = upload(c, up[k].m, up[k].data, up[k].bytes, err, errlen);
    for (int v = 0; v < SMX_KERNEL_VARIANTS && st == SMX_OK; v++) {
        st = upload(c, &c->kw[v], t->kw + v * me * t->ker, me * t->ker * sizeof(float), err, errlen);
        if (st == SMX_OK)
            st = upload(c, &c->khalf[v], p->k_half + v * me, me * sizeof(int), err, errlen);
        if (st == SMX_OK)
            st = upload(c, &c->kleak[v], t->kleak_f + v * me * p->nt, me * p->nt * sizeof(float),
                        err, errlen);
    }
    if (st == SMX_OK) { /* every theta bin: the mask k_collect takes for a whole-state sum */
        unsigned char all[p->nt];
        for (int j = 0; j < p->nt; j++) all[j] = 1;
        st = upload(c, &c->all_theta, all, p->nt, err, errlen);
    }
    return st;
}

smx_status smx__dev_init(smx_dev *c, size_t global, size_t maxalloc, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    c->na = p->moments ? SMX_DEV_ARRAYS : 1;
    c->S = (int)smx__slab(p);
    c->H = p->nz < SMX_DEV_WINDOW_MIN ? p->nz : SMX_DEV_WINDOW_MIN; /* the z window at creation */
    c->gemm_ok = c->api->gemm_scatter && p->nmat == 1;
    if (c->opt.scatter == SMX_SCATTER_GEMM && !c->gemm_ok) {
        smx__err(err, errlen, "run.scatter: gemm on the %s backend %s", c->name,
                 !c->api->gemm_scatter ? "needs a batched gemm (opencl: clBLAST), which this build lacks"
                                       : "needs one medium (one kernel matrix per energy bin); "
                                         "this run has several: use stencil or auto");
        return SMX_ENOTSUP;
    }
    c->scatter_gemm = c->opt.scatter == SMX_SCATTER_GEMM;
    /* deterministic auto keeps the stencil: a measurement could pick
     * differently on the next run, and the two round differently */
    c->scatter_decided = !c->gemm_ok || c->opt.scatter != SMX_SCATTER_AUTO ||
                         c->opt.accumulation == SMX_ACCUM_DETERMINISTIC;
    if (!c->scatter_decided && auto_lookup(c, &c->scatter_gemm, 0)) c->scatter_decided = 1;
    c->clean = c->scatter_gemm || !c->scatter_decided;
    c->mem_global = global, c->mem_maxalloc = maxalloc;
    smx_status st = smx__dev_check_memory(c, c->H, err, errlen);
    if (st == SMX_OK) st = buffers(c, err, errlen);
    if (st == SMX_OK) st = upload_tables(c, err, errlen);
    if (st == SMX_OK && (c->scatter_gemm || !c->scatter_decided)) {
        st = c->api->gemm_setup(c, err, errlen);
        if (st != SMX_OK && c->opt.scatter == SMX_SCATTER_AUTO) { /* auto without its gemm: the stencil */
            c->scatter_gemm = 0, c->scatter_decided = 1, c->clean = 0, st = SMX_OK;
            if (err && errlen) err[0] = 0;
        }
    }
    if (st == SMX_OK) st = smx__dev_finish(c, err, errlen);
    if (st == SMX_ENOMEM && err && !err[0])
        smx__err(err, errlen, "%s backend: out of host memory for the tables", c->name);
    return st;
}

void smx__dev_free(smx_dev *c)
{
    smx_dbuf **bufs[] = {&c->mat, &c->kw[0], &c->kw[1], &c->khalf[0], &c->khalf[1], &c->kleak[0],
                         &c->kleak[1], &c->efac, &c->gstart, &c->gsrc, &c->gw, &c->sb, &c->sr,
                         &c->dep, &c->db, &c->dr, &c->dbb, &c->e_MeV, &c->rejected, &c->all_theta,
                         &c->edep, &c->part, &c->qr, &c->blk, &c->rsum};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
        if (*bufs[k]) c->api->release(c, *bufs[k]), *bufs[k] = NULL;
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < SMX_DEV_ARRAYS; k++)
            if (c->buf[s][k]) c->api->release(c, c->buf[s][k]), c->buf[s][k] = NULL;
    smx__dev_ledger_free(c);
    void *host[] = {c->hsums, c->hbox, c->zbox, c->need, c->reach, c->hqr, c->hblk,
                    c->rz[0], c->rz[1], c->hrsum};
    for (size_t k = 0; k < sizeof host / sizeof host[0]; k++) free(host[k]);
    smx__dev_tables_free(&c->tab);
}

/* Every cell of the window of every bin of set s may hold data (after an
 * upload or a copy). */
static void set_unknown(smx_dev *c, int s)
{
    for (int k = 0; k < c->p->ne; k++) {
        int *b = c->rz[s] + SMX_BOX * k;
        b[0] = c->zb, b[1] = c->zb + c->H - 1, b[2] = 0, b[3] = c->p->nx - 1;
    }
}

smx_status smx__dev_set_state(void *ctx, const smx_host_state *hs, int lo, int hi, char *err,
                              size_t errlen)
{
    smx_dev *c = ctx;
    const smx_plan *p = c->p;
    /* the occupied bins only (the kernels never read outside them), in a
     * window that holds their rows */
    int za, zb, H, z0;
    smx__host_window(p, hs, lo, hi, c->H, &za, &zb, &H, &z0);
    smx_status st = SMX_OK;
    if (H != c->H || z0 != c->zb) st = smx__dev_window_alloc(c, H, z0, err, errlen);
    size_t a = hi >= lo ? (size_t)lo * p->nt * c->SW : 0, n = hi >= lo ? (size_t)(hi - lo + 1) * p->nt * c->SW : 0;
    const double *src[SMX_DEV_ARRAYS] = {hs->psi, hs->mx, hs->mz, hs->qx, hs->qz};
    float *f = malloc((n ? n : 1) * sizeof(float));
    if (!f) return SMX_ENOMEM;
    for (int k = 0; k < c->na && st == SMX_OK && n; k++) {
        for (size_t s = 0; s < n / c->SW; s++) { /* slab s of the range: its window rows */
            size_t held = (size_t)smx__hs_rows(p, hs) * p->nx, row0 = ((size_t)lo * p->nt + s) * held;
            for (size_t q = 0; q < (size_t)c->SW; q++)
                f[s * c->SW + q] = c->QB + q < held ? (float)src[k][row0 + c->QB + q] : 0.0f;
        }
        st = c->api->write(c, c->buf[c->cur][k], a * sizeof(float), n * sizeof(float), f, err, errlen);
    }
    free(f);
    if (st == SMX_OK) st = c->api->fill(c, c->edep, 0u, (size_t)c->S * 8, err, errlen);
    if (st != SMX_OK) return st;
    set_unknown(c, 0), set_unknown(c, 1);
    c->lo = lo;
    c->hi = hi;
    memcpy(c->need, c->rz[c->cur], SMX_BOX * sizeof(int) * p->ne);
    st = smx__dev_note_output(c, lo, hi, err, errlen);
    return st == SMX_OK ? smx__dev_flush(c, err, errlen) : st;
}

smx_status smx__dev_get_state(void *ctx, smx_host_state *hs, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    const smx_plan *p = c->p;
    size_t n = smx__psi_size(p), a = 0, b = 0;
    if (c->hi >= c->lo) a = (size_t)c->lo * p->nt * c->SW, b = (size_t)(c->hi + 1) * p->nt * c->SW;
    double *dst[SMX_DEV_ARRAYS] = {hs->psi, hs->mx, hs->mz, hs->qx, hs->qz};
    smx_status fl = c->exact ? SMX_OK : smx__dev_flush(c, err, errlen); /* the box of each slab */
    if (fl != SMX_OK) return fl;
    float *f = malloc((b > a ? b - a : 1) * sizeof(float));
    if (!f) return SMX_ENOMEM;
    for (int k = 0; k < c->na; k++) {
        if (!dst[k]) continue;
        if (b > a) {
            smx_status st = c->api->read(c, c->buf[c->cur][k], a * sizeof(float), (b - a) * sizeof(float),
                                         f, err, errlen);
            if (st != SMX_OK) {
                free(f);
                return st;
            }
        }
        /* cells outside each slab's occupied box may hold stale values */
        memset(dst[k], 0, n * sizeof(double));
        for (size_t s = 0; a < b && s < (b - a) / c->SW; s++) {
            const int *r = c->hbox + SMX_BOX * s;
            size_t canon = ((size_t)c->lo * p->nt + s) * c->S;
            for (int z = r[0]; z <= r[1]; z++)
                for (int x = r[2]; x <= r[3]; x++) {
                    size_t q = (size_t)z * p->nx + x;
                    dst[k][canon + q] = (double)f[s * c->SW + q - c->QB];
                }
        }
    }
    free(f);
    return SMX_OK;
}

smx_status smx__dev_get_edep(void *ctx, double *edep, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    smx_status st = c->api->read(c, c->edep, 0, (size_t)c->S * 8, edep, err, errlen);
    if (st == SMX_OK) smx__dev_acc_read(c, edep, edep, (size_t)c->S);
    return st;
}

/* `run.scatter: auto`: times the stencil and the gemm on this state
 * (after a warm-up of each: clBLAST compiles its kernels on first use)
 * and keeps the faster; the chosen one runs last, so its output stays. */
static smx_status scatter_auto(smx_dev *c, int v, smx_op_acct *a, char *err, size_t errlen)
{
    double ms[2] = {0, 0};
    smx_status st = SMX_OK;
    for (int rep = 0; rep < 2 && st == SMX_OK; rep++)
        for (int g = 0; g < 2 && st == SMX_OK; g++) {
            c->scatter_gemm = g;
            double t0 = smx__now_s();
            st = smx__dev_scatter(c, v, a, err, errlen);
            if (st == SMX_OK) st = smx__dev_finish(c, err, errlen);
            if (rep == 1) ms[g] = smx__now_s() - t0;
        }
    if (st != SMX_OK) return st;
    c->scatter_gemm = ms[1] < ms[0];
    c->scatter_decided = 1;
    c->clean = c->scatter_gemm;
    auto_lookup(c, &c->scatter_gemm, 1);
    return c->scatter_gemm ? SMX_OK : smx__dev_scatter(c, v, a, err, errlen);
}

/* Follows the range the core hands over: a sub-range of the state's
 * (the core trimmed edge bins through stop) keeps the host mirrors,
 * re-indexed; any other range (the benchmark's dense state) is summed
 * again over the box each bin of the state's set was last written over. */
static smx_status sync_range(smx_dev *c, int lo, int hi, char *err, size_t errlen)
{
    if (lo == c->lo && hi == c->hi) return SMX_OK;
    c->lo = lo;
    c->hi = hi;
    memcpy(c->need, c->rz[c->cur], SMX_BOX * sizeof(int) * c->p->ne);
    return smx__dev_note_output(c, lo, hi, err, errlen);
}

smx_status smx__dev_op(void *ctx, const smx_node *node, int lo, int hi, int olo, int ohi,
                       const int *boxes, smx_op_acct *a, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    if (c->op_seq < SMX_GRAPH_MAX_NODES - 1) c->op_seq++; /* tags the kernel times */
    smx_status st = sync_range(c, lo, hi, err, errlen);
    if (st == SMX_OK && node->op == SMX_OP_STREAM) /* where A_stream's rows land */
        st = smx__dev_window_fit(c, c->tab.stream_shift[0], c->tab.stream_shift[1], err, errlen);
    if (st != SMX_OK) return st;
    /* the launches cover the boxes the core says the output can hold */
    if (ohi >= olo) memcpy(c->need + SMX_BOX * olo, boxes + SMX_BOX * olo, SMX_BOX * sizeof(int) * (ohi - olo + 1));
    switch (node->op) {
    case SMX_OP_SCATTER:
        st = c->scatter_decided ? smx__dev_scatter(c, node->variant, a, err, errlen)
                                : scatter_auto(c, node->variant, a, err, errlen);
        break;
    case SMX_OP_STREAM: st = smx__dev_stream(c, a, err, errlen); break;
    case SMX_OP_ENERGY: st = smx__dev_energy(c, olo, ohi, a, err, errlen); break;
    }
    if (st != SMX_OK) return st;
    if (c->hi >= c->lo) c->cur = 1 - c->cur; /* an empty window wrote nothing */
    c->lo = olo;
    c->hi = ohi;
    return smx__dev_note_output(c, olo, ohi, err, errlen);
}

smx_status smx__dev_bin_boxes(void *ctx, int lo, int hi, int *boxes, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    smx_status st = sync_range(c, lo, hi, err, errlen);
    if (st == SMX_OK) memcpy(boxes + SMX_BOX * lo, c->zbox + SMX_BOX * lo, SMX_BOX * sizeof(int) * (hi - lo + 1));
    return st;
}

smx_status smx__dev_slab_weights(void *ctx, int lo, int hi, double *w, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    smx_status st = sync_range(c, lo, hi, err, errlen);
    if (st != SMX_OK) return st;
    if (!c->exact) { /* at the settle */
        smx_dev_item it = {.kind = SMX_DEV_ITEM_WEIGHTS, .slot = c->cur_slot, .w = w};
        return smx__dev_item_add(c, &it, err, errlen);
    }
    memcpy(w, c->hsums, sizeof(double) * (size_t)(hi - lo + 1) * c->p->nt);
    return SMX_OK;
}

smx_status smx__dev_stop(void *ctx, int lo, int hi, int rejected, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    return smx__dev_stop_bins(c, lo, hi, rejected, err, errlen);
}

smx_status smx__dev_copy_pass(void *ctx, double *ms, char *err, size_t errlen)
{
    smx_dev *c = ctx;
    size_t n = (size_t)c->p->ne * c->p->nt * c->SW * sizeof(float); /* the state as held */
    int out = 1 - c->cur;
    smx_status st = smx__dev_finish(c, err, errlen);
    double t0 = smx__now_s();
    for (int k = 0; k < c->na && st == SMX_OK; k++) /* every state array */
        st = c->api->copy(c, c->buf[c->cur][k], c->buf[out][k], n, err, errlen);
    if (st == SMX_OK) st = smx__dev_finish(c, err, errlen);
    if (st != SMX_OK) return st;
    *ms = (smx__now_s() - t0) * 1e3;
    set_unknown(c, out); /* the output set now holds data in every cell */
    return SMX_OK;
}

/* Row sums for the fine depth tally: k_row_sums over the occupied rows of
 * the state, read back as floats. */
smx_status smx__dev_row_sums(void *ctx, int lo, int hi, double *w, double *mz, char *err,
                             size_t errlen)
{
    smx_dev *c = ctx;
    const smx_plan *p = c->p;
    size_t full = 2 * (size_t)p->ne * p->nt * p->nz, n = 2 * (size_t)(hi - lo + 1) * p->nt * p->nz;
    if (hi < lo) return SMX_OK;
    if (!c->rsum) {
        smx_status st = alloc(c, &c->rsum, full * sizeof(float), err, errlen);
        if (st != SMX_OK) return st;
        c->hrsum = malloc(full * sizeof(float));
        if (!c->hrsum) return SMX_ENOMEM;
    }
    smx_dbuf *mzb = c->buf[c->cur][p->moments ? SMX_DEV_MZ : SMX_DEV_PSI];
    const smx_dev_slot *sl = &c->slot[c->cur_slot]; /* the state's occupancy */
    enum { I = SMX_KARG_INT, B = SMX_KARG_BUF, A = SMX_KARG_STATE };
    smx_karg a[] = {{c->buf[c->cur][SMX_DEV_PSI], 0, A}, {mzb, 0, A}, {NULL, lo, I}, {NULL, p->nt, I},
                    {NULL, p->nz, I}, {NULL, p->nx, I}, {NULL, c->S, I}, {NULL, c->SW, I},
                    {NULL, c->QB, I}, {NULL, p->moments, I}, {sl->sums, 0, B}, {sl->box, 0, B},
                    {c->rsum, 0, B}};
    size_t g[3] = {(size_t)p->nz, (size_t)p->nt, (size_t)(hi - lo + 1)};
    smx_status st = c->api->launch(c, SMX_K_ROW_SUMS, a, (int)(sizeof a / sizeof a[0]), 3, g, NULL,
                                   err, errlen);
    if (st == SMX_OK) st = c->api->read(c, c->rsum, 0, n * sizeof(float), c->hrsum, err, errlen);
    if (st != SMX_OK) return st;
    for (size_t r = 0; r < n / 2; r++) w[r] = c->hrsum[2 * r], mz[r] = c->hrsum[2 * r + 1];
    return SMX_OK;
}

void smx__dev_kernel_time(smx_dev *c, int k, int tag, double ms)
{
    c->prof_ms[k] += ms;
    c->prof_n[k]++;
    c->node_kms[tag < 0 ? 0 : tag < SMX_GRAPH_MAX_NODES ? tag : SMX_GRAPH_MAX_NODES - 1] += ms;
}

void smx__dev_profile_report(const smx_dev *c)
{
    for (int k = 0; k < SMX_K_COUNT; k++)
        if (c->prof_n[k])
            fprintf(stderr, "%s profile: %-17s %7d launches %10.3f ms\n", c->name, smx__dev_kernel_names[k],
                    c->prof_n[k], c->prof_ms[k]);
}

float *smx__dev_gemm_matrices(const smx_plan *p, int v)
{
    size_t nt = p->nt, ker = 2 * (size_t)p->kmax + 1, me = (size_t)p->nmat * p->ne;
    float *m = calloc((size_t)p->ne * nt * nt, sizeof(float));
    for (int i = 0; m && i < p->ne; i++) {
        const double *w = p->k_weight + (v * me + i) * ker + p->kmax;
        int K = p->k_half[v * me + i];
        for (int jo = 0; jo < p->nt; jo++)
            for (int k = -K; k <= K; k++) {
                int js = jo - k;
                if (p->full_circle) js = ((js % p->nt) + p->nt) % p->nt;
                else if (js < 0 || js >= p->nt) continue;
                m[((size_t)i * nt + jo) * nt + js] += (float)w[k];
            }
    }
    return m;
}

int smx__dev_supports(void *ctx, int op, smx_precision precision)
{
    return op >= 0 && op < SMX_OP_COUNT && precision == SMX_PRECISION_FLOAT32;
}

void smx__dev_describe(void *ctx, char *accumulation, char *scatter, size_t len)
{
    smx_dev *c = ctx;
    snprintf(accumulation, len, "%s", smx_accumulation_name(c->opt.accumulation));
    snprintf(scatter, len, "%s", !c->scatter_decided ? "auto" : c->scatter_gemm ? "gemm" : "stencil");
}

