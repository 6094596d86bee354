/* The shared host layer of the device backends (as OpenMM's Common Compute
 * serves its CUDA and OpenCL platforms): launch ranges over blocks of rows
 * and columns and energy ranges, the state's z window, slab sums and accounting read-back,
 * table uploads and the operators' kernel arguments are written once here,
 * over a small device API (smx_dev_api). A device backend implements that
 * API (buffers, copies, kernel launches) and compiles the kernels of cl/
 * (or their port); its backend table forwards to smx__dev_*. No vendor
 * header here. */
#ifndef SMX_BACKEND_COMMON_DEV_H
#define SMX_BACKEND_COMMON_DEV_H

#include <stdint.h>

#include "core/backend.h"
#include "core/dev_tables.h"

/* The kernels of cl/, by id. */
enum {
    SMX_K_SUMS, SMX_K_STREAM_LEAK, SMX_K_SCATTER, SMX_K_COLLECT, SMX_K_STREAM, SMX_K_ENERGY,
    SMX_K_DEPOSIT, SMX_K_EDEP_ADD, SMX_K_DEPOSIT_ATOMIC, SMX_K_ROW_SUMS, SMX_K_COUNT
};
extern const char *const smx__dev_kernel_names[SMX_K_COUNT];

/* The work-group tiles the kernels are built for: SMX_DEV_TX x SMX_DEV_TZ
 * cells (x, rows) for the tiled kernels, SMX_DEV_WG along the cells for
 * the reductions. */
#define SMX_DEV_TX 16
#define SMX_DEV_TZ 8
#define SMX_DEV_WG 64
/* Ints per block of a launch (bin, first and last row, first and last
 * column; dev_ops.c upload_ranges, block_row in cl/common.cl). */
#define SMX_DEV_BLOCK 5
/* Rows of the state's z window at the least: with slack a beam moving to
 * +z moves it every few steps, not every step. */
#define SMX_DEV_WINDOW_MIN 16

enum { SMX_DEV_PSI, SMX_DEV_MX, SMX_DEV_MZ, SMX_DEV_QX, SMX_DEV_QZ, SMX_DEV_ARRAYS };

typedef struct smx_dbuf smx_dbuf; /* a device buffer (the API's own handle) */

/* A kernel argument: a buffer or an int, in the kernel's order. is_buf
 * SMX_KARG_STATE marks a state array (psi or a moment, the one kind of
 * buffer that grows with the grid), which a backend may pass its own way
 * (vulkan: by device address when one binding cannot hold it). */
enum { SMX_KARG_INT, SMX_KARG_BUF, SMX_KARG_STATE };
typedef struct smx_karg {
    smx_dbuf *buf;
    int val;
    int is_buf;
} smx_karg;
#define SMX_KARGS_MAX 32

typedef struct smx_dev smx_dev;

/* The accounting of a step is reduced on the device into slots and read
 * back once, when the core settles the step (dev_ledger.c). A slot holds
 * per-slab sums of a state (section 0: weight; then one per factor), the
 * occupied box of each slab (first row, last row, first column, last
 * column) and A_stream's leak per slab, with their host mirrors. */
#define SMX_DEV_SLOTS (2 * SMX_GRAPH_MAX_NODES + 2)
typedef struct smx_dev_slot {
    smx_dbuf *sums, *box, *leak;  /* acc [nsec][ne * nt]; int [ne * nt][4]; acc [ne * nt][4] */
    smx_dbuf *un;                 /* int [nt][2]: rows of any slab per theta bin (cl/reduce.cl) */
    int nsec;
    double *hs, *hl;              /* mirrors of sums and leak (acc as read, then double) */
    int *hb;                      /* mirror of box */
    int lo, hi;                   /* the bins written */
    int want_sec, want_box, want_leak; /* what the next flush reads */
} smx_dev_slot;

/* A figure to fill when the slots are read. */
enum { SMX_DEV_ITEM_WEIGHTS, SMX_DEV_ITEM_THETA_LEAK, SMX_DEV_ITEM_STREAM_LEAK, SMX_DEV_ITEM_ENERGY };
typedef struct smx_dev_item {
    int kind, slot;
    const float *fac;             /* factor per (bin[, theta]) on section 0, or NULL: sections 1.. */
    double *w;                    /* SMX_DEV_ITEM_WEIGHTS */
    smx_op_acct *a;
} smx_dev_item;
#define SMX_DEV_ITEMS (4 * SMX_GRAPH_MAX_NODES + 4)
/* Factor sections an item's sums carry after the weight when its factor
 * is per medium (fac NULL): the kernel mass off the theta window, or the
 * A_E figures. */
static inline int smx__dev_item_nf(int kind)
{
    return kind == SMX_DEV_ITEM_ENERGY ? SMX_ENERGY_FACTORS : kind == SMX_DEV_ITEM_THETA_LEAK;
}

/* What a device backend implements. Every call returns SMX_OK or fills
 * err with the failing call and the device's error name. */
typedef struct smx_dev_api {
    /* A buffer of `bytes` (contents undefined), and its release. */
    smx_status (*alloc)(smx_dev *d, size_t bytes, smx_dbuf **out, char *err, size_t errlen);
    void (*release)(smx_dev *d, smx_dbuf *b);
    /* Blocking transfers; fill repeats a 32-bit pattern. */
    smx_status (*write)(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, const void *src,
                        char *err, size_t errlen);
    smx_status (*read)(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst, char *err,
                       size_t errlen);
    smx_status (*fill)(smx_dev *d, smx_dbuf *b, uint32_t pattern, size_t bytes, char *err,
                       size_t errlen);
    /* rows x slices blocks of row_bytes, src row r0 of each slice to dst
     * row d0 (slice pitches in bytes; rows are row_bytes apart). */
    smx_status (*copy_rows)(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t row_bytes,
                            size_t r0, size_t d0, size_t rows, size_t slices, size_t src_pitch,
                            size_t dst_pitch, char *err, size_t errlen);
    smx_status (*copy)(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t bytes, char *err,
                       size_t errlen);
    /* Launches kernel k over g[0..dims) work-items in groups of l. */
    smx_status (*launch)(smx_dev *d, int k, const smx_karg *args, int nargs, int dims,
                         const size_t *g, const size_t *l, char *err, size_t errlen);
    smx_status (*finish)(smx_dev *d, char *err, size_t errlen);
    /* Optional (NULL: the blocking forms): transfers in order with the
     * launches that complete by the next finish; src and dst stay valid
     * and unchanged until then. */
    smx_status (*write_async)(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, const void *src,
                              char *err, size_t errlen);
    smx_status (*read_async)(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst,
                             char *err, size_t errlen);
    /* Optional (NULL: malloc/free): host memory the device transfers
     * from and to fastest (CUDA: pinned). */
    void *(*host_alloc)(smx_dev *d, size_t bytes);
    void (*host_free)(smx_dev *d, void *p);
    /* Optional (NULL: none): A_theta as a batched matrix product of the
     * state window of bins [lo, lo + nw) of each array (float matrices
     * made by gemm_setup). */
    smx_status (*gemm_setup)(smx_dev *d, char *err, size_t errlen);
    smx_status (*gemm_scatter)(smx_dev *d, int variant, char *err, size_t errlen);
} smx_dev_api;

/* The device-independent context. A backend embeds it first in its own. */
struct smx_dev {
    const smx_dev_api *api;
    const smx_plan *p;
    smx_backend_opts opt;
    char name[16];              /* the backend's name, for messages */
    char device_name[256];
    int fp64;                   /* accumulators in double (else Kahan float pairs) */
    int poison;                 /* state buffers made NaN-filled at creation, and (but with
                                 * c->clean) each output set and the deposit's part buffer
                                 * before an op writes them: a kernel reading a cell
                                 * no operator wrote fails the crosscheck */
    int kernel_timed;           /* the backend times its kernels (smx__dev_kernel_time) */
    double prof_ms[SMX_K_COUNT]; /* per kernel, the whole context */
    int prof_n[SMX_K_COUNT];
    int na;                     /* 1, or SMX_DEV_ARRAYS with moments */
    int S;                      /* nz * nx: cells of the grid */
    /* memory follows the beam: each slab of both buffer sets holds rows
     * zb .. zb + H - 1 (SW = H * nx cells from cell QB = zb * nx; see
     * cl/common.cl); dev_window.c moves and grows it */
    int H, zb, SW, QB;
    size_t mem_global, mem_maxalloc; /* the device's memory and largest buffer (0: unknown) */
    smx_dbuf *buf[2][SMX_DEV_ARRAYS]; /* the state (buf[cur]) and each op's output */
    int cur;
    int *rz[2];                 /* [ne][4] box of each bin a set was last written over
                                 * (with c->clean: may hold non-zero in) */
    smx_dbuf *mat;              /* [S] medium of each cell (then dep_allow, interface flags) */
    smx_dbuf *kw[SMX_KERNEL_VARIANTS], *khalf[SMX_KERNEL_VARIANTS];
    smx_dbuf *kleak[SMX_KERNEL_VARIANTS]; /* [nmat][ne][nt] kernel mass off the window */
    smx_dbuf *efac;             /* [SMX_ENERGY_FACTORS][nmat][ne] A_E accounting factors */
    smx_dbuf *gstart, *gsrc, *gw; /* A_E gather lists per medium */
    smx_dbuf *sb, *sr;          /* A_stream: per theta (bx, bz), (rx, rz) */
    smx_dbuf *dep, *db, *dr, *dbb; /* A_E deposit tables */
    smx_dbuf *e_MeV;            /* [ne] bin energies */
    smx_dbuf *rejected, *all_theta; /* [nt] masks for k_collect */
    smx_dbuf *edep;             /* [S] acc: MeV per unit weight */
    smx_dbuf *part;             /* [ne][S] acc: deterministic deposit per source bin */
    smx_dbuf *qr;               /* [ne][4] box per bin of a reduction */
    smx_dbuf *blk;              /* [ne * ceil(nz / TZ)][SMX_DEV_BLOCK] blocks of a launch */
    int blk_w;                  /* columns of the widest block of the last upload */
    smx_dbuf *rsum;             /* [ne][nt][nz][2] float: row sums of psi and mz */
    float *hrsum;
    /* the step's ledger (dev_ledger.c) */
    smx_dev_slot slot[SMX_DEV_SLOTS];
    int nslots;                 /* slots in use since the last flush */
    int slot_cap;               /* slots a step may take before a flush: SMX_DEV_SLOTS, or
                                   fewer with SMX_DEV_SLOT_CAP (tests: flushes mid-step) */
    int cur_slot;               /* the state's: the kernels read its sums, box and un */
    smx_dev_item item[SMX_DEV_ITEMS];
    int nitems;
    int exact;                  /* hsums, hbox and zbox are the state's (flushed since its op) */
    int rejected_since;         /* rejected angles stopped since the state's slot was written */
    int op_seq;                 /* ops since the last settle, less one: tags kernel times */
    long waits;                 /* times the host waited for the device (the backend counts) */
    double node_kms[SMX_GRAPH_MAX_NODES];
    unsigned char *arena;       /* small uploads of the step, alive until the next finish */
    size_t arena_cap, arena_used;
    /* host mirrors */
    double *hsums;              /* [ne * nt] weight per slab of the state window */
    int *hbox;                  /* [ne * nt][4] occupied box per slab of the state window */
    int *zbox;                  /* [ne][4] box of each bin of the state that may hold weight
                                 * (exact after a flush, predicted from the ops between) */
    int *need;                  /* [ne][4] box an op's output bin can receive (the core's) */
    int *reach;                 /* [ne][4] box a source bin's A_E deposit can reach */
    int *hqr;                   /* [ne][4] boxes of a reduction */
    int *hblk;                  /* the row blocks of a launch */
    smx_dev_tables tab;         /* the host side of every table uploaded */
    int gemm_ok;                /* the API has gemm and the run one medium */
    int scatter_gemm;           /* 1: A_theta as a batched gemm */
    int scatter_decided;        /* auto has measured */
    int clean;                  /* outputs are written whole (gemm reads whole slabs) */
    int lo, hi;
};

/* After the backend has filled api, p, opt, name, device_name, fp64,
 * poison and made its device ready: checks memory against
 * `global`/`maxalloc` bytes (0: unknown), allocates the buffers and
 * uploads the tables. */
smx_status smx__dev_init(smx_dev *d, size_t global, size_t maxalloc, char *err, size_t errlen);
void smx__dev_free(smx_dev *d);

/* The backend table's entries, device-independent: a device backend
 * points its smx_backend_iface at these (ctx: its context, which starts
 * with the smx_dev). */
smx_status smx__dev_set_state(void *ctx, const smx_host_state *hs, int lo, int hi, char *err,
                              size_t errlen);
smx_status smx__dev_get_state(void *ctx, smx_host_state *hs, char *err, size_t errlen);
smx_status smx__dev_get_edep(void *ctx, double *edep, char *err, size_t errlen);
smx_status smx__dev_op(void *ctx, const smx_node *node, int lo, int hi, int olo, int ohi,
                       const int *boxes, smx_op_acct *a, char *err, size_t errlen);
smx_status smx__dev_bin_boxes(void *ctx, int lo, int hi, int *boxes, char *err, size_t errlen);
smx_status smx__dev_slab_weights(void *ctx, int lo, int hi, double *w, char *err, size_t errlen);
smx_status smx__dev_stop(void *ctx, int lo, int hi, int rejected, char *err, size_t errlen);
smx_status smx__dev_row_sums(void *ctx, int lo, int hi, double *w, double *mz, char *err,
                             size_t errlen);
smx_status smx__dev_copy_pass(void *ctx, double *ms, char *err, size_t errlen);
smx_status smx__dev_settle(void *ctx, double *kernel_ms, int nnodes, char *err, size_t errlen);
long smx__dev_waits(void *ctx);
void smx__dev_describe(void *ctx, char *accumulation, char *scatter, size_t len);
/* Environment (dev_env.c): a flag is set unless empty or "0"; a number is
 * the variable's leading integer where it lies in [lo, hi], else `unset`;
 * device < 0 becomes the device index in `var` (0 when unset), or
 * SMX_EINVAL with the value and the variable's name. */
int smx__dev_env_flag(const char *name);
long smx__dev_env_long(const char *name, long lo, long hi, long unset);
smx_status smx__dev_env_device(const char *backend, const char *var, int *device, char *err,
                               size_t errlen);

/* A_theta's kernels of variant v as [ne][nt][nt] row-major float matrices
 * (output theta bin, source theta bin), for a gemm (malloc'd; NULL: out of
 * memory). One medium. */
float *smx__dev_gemm_matrices(const smx_plan *p, int v);
/* Every operator, float32 state only. */
int smx__dev_supports(void *ctx, int op, smx_precision precision);
/* A launch of kernel k, made during op `tag` (d->op_seq when it was
 * launched), took ms on the device (the backend's events or timestamps);
 * the per-kernel totals go to stderr with smx__dev_profile_report
 * ("<name> profile: ..."). */
void smx__dev_kernel_time(smx_dev *d, int k, int tag, double ms);
void smx__dev_profile_report(const smx_dev *d);
/* The entries of a device backend's smx_backend_iface that are the common
 * layer's; the backend adds name, devices, create, destroy, accelerator. */
#define SMX_DEV_BACKEND_ENTRIES                                                               \
    .kind = SMX_BACKEND_DEVICE, .window0 = SMX_DEV_WINDOW_MIN, .supports = smx__dev_supports, .set_state = smx__dev_set_state, \
    .get_state = smx__dev_get_state, .get_edep = smx__dev_get_edep, .op = smx__dev_op,          \
    .bin_boxes = smx__dev_bin_boxes,                                                            \
    .slab_weights = smx__dev_slab_weights, .stop = smx__dev_stop,                               \
    .copy_pass = smx__dev_copy_pass, .row_sums = smx__dev_row_sums, .describe = smx__dev_describe, \
    .settle = smx__dev_settle, .device_waits = smx__dev_waits

/* Internal to src/backend/common: the ledger (dev_ledger.c), the
 * operators (dev_ops.c) and the window (dev_window.c). */
void smx__dev_acc_read(const smx_dev *d, const void *acc, double *out, size_t n);
smx_status smx__dev_ledger_init(smx_dev *d, char *err, size_t errlen);
void smx__dev_ledger_free(smx_dev *d);
/* A free slot with nsec sections of sums for bins [lo, hi] (flushing
 * first when all are taken); its index in *slot. */
smx_status smx__dev_slot_take(smx_dev *d, int nsec, int lo, int hi, int *slot, char *err,
                              size_t errlen);
/* The slot's leak buffer for A_stream, made when absent. */
smx_status smx__dev_slot_leak(smx_dev *d, int s, char *err, size_t errlen);
/* A figure to fill at the next flush from slot it->slot. */
smx_status smx__dev_item_add(smx_dev *d, const smx_dev_item *it, char *err, size_t errlen);
/* Reads the wanted slots back (one wait), fills the items and makes the
 * host mirrors of the state exact. */
smx_status smx__dev_flush(smx_dev *d, char *err, size_t errlen);
/* Fills the item's figure from per-slab sums hs of bins [lo, hi] (indexed
 * from lo; section 0 times it->fac, or with fac NULL the factor sections
 * that follow) and, for A_stream's leak, the leaks hl. */
void smx__dev_item_fill(const smx_dev *d, const smx_dev_item *it, const double *hs,
                        const double *hl, int lo, int hi);
/* finish, and the upload arena free again. */
smx_status smx__dev_finish(smx_dev *d, char *err, size_t errlen);
/* A small upload in order with the launches (through the arena). */
smx_status smx__dev_upload(smx_dev *d, smx_dbuf *b, const void *src, size_t bytes, char *err,
                           size_t errlen);
/* K_SUMS of psi over bins [lo, hi] (a box per bin) into slot s: nf
 * factor sections from fac (per bin, or per bin and theta: fnt = nt). */
smx_status smx__dev_slab_sums(smx_dev *d, smx_dbuf *psi, int lo, int hi, const int *box, int nf,
                              smx_dbuf *fac, int fnt, int s, char *err, size_t errlen);
/* The state after an op: its sums into a new slot, which the next
 * kernels read; its boxes predicted from c->need until the next flush. */
smx_status smx__dev_note_output(smx_dev *d, int lo, int hi, char *err, size_t errlen);
smx_status smx__dev_scatter(smx_dev *d, int variant, smx_op_acct *a, char *err, size_t errlen);
smx_status smx__dev_stream(smx_dev *d, smx_op_acct *a, char *err, size_t errlen);
smx_status smx__dev_energy(smx_dev *d, int nlo, int nhi, smx_op_acct *a, char *err, size_t errlen);
smx_status smx__dev_collect(smx_dev *d, int lo, int hi, int rejected, char *err, size_t errlen);
smx_status smx__dev_stop_bins(smx_dev *d, int lo, int hi, int rejected, char *err, size_t errlen);
smx_status smx__dev_window_alloc(smx_dev *d, int H, int zb, char *err, size_t errlen);
/* The state in a window of H rows, with the work space, against the
 * device's memory and largest buffer, said in numbers when it does not fit. */
smx_status smx__dev_check_memory(const smx_dev *d, int H, char *err, size_t errlen);
/* The window made to hold the state's rows and the rows they move to,
 * [first + dz0, last + dz1] (A_stream), moving the state on the device. */
smx_status smx__dev_window_fit(smx_dev *d, int dz0, int dz1, char *err, size_t errlen);

#endif
