/* The backend interface: a table of function pointers behind an opaque
 * context (ggml's registry -> device -> buffer -> compute). The core never
 * includes a vendor header; src/backend/<name>/ is the only place that does.
 * A backend that is not compiled in, or finds no device, reports zero
 * devices with a reason — never an abort. */
#ifndef SMX_CORE_BACKEND_H
#define SMX_CORE_BACKEND_H

#include <stdio.h>

#include "core/plan.h"
#include "core/util.h"

/* A state on the host: psi and, when the plan streams with centroids,
 * the first moments mx, mz (weight x sub-cell offset u in cell widths,
 * u in [-1/2, 1/2]) and second moments qx, qz (weight x (u^2 + the
 * sub-cell variance)); same layout as psi, NULL otherwise. */
typedef struct smx_host_state {
    double *psi, *mx, *mz, *qx, *qz;
    int rows; /* rows per slab held, from row 0 (the rest are zero); 0 = nz */
} smx_host_state;

/* Rows per slab of a host state, and the index of (i, j, z, 0) in it. */
static inline int smx__hs_rows(const smx_plan *p, const smx_host_state *s)
{
    return s->rows > 0 && s->rows < p->nz ? s->rows : p->nz;
}
static inline size_t smx__hs_index(const smx_plan *p, const smx_host_state *s, int i, int j, int z)
{
    return (((size_t)i * p->nt + j) * smx__hs_rows(p, s) + z) * p->nx;
}

/* One node of a step graph: an operator and its variant. */
typedef struct smx_node {
    int op;      /* SMX_OP_* */
    int variant; /* SMX_OP_SCATTER: SMX_KERNEL_FULL or SMX_KERNEL_HALF */
} smx_node;

#define SMX_GRAPH_MAX_NODES 8
typedef struct smx_graph {
    int nnodes;
    smx_node nodes[SMX_GRAPH_MAX_NODES];
    int e_lo, e_hi; /* occupied energy bins (inclusive) of the input state;
                       run() leaves those of its output */
} smx_graph;

/* What one operator did, accumulated in double precision. Weight and
 * energy of the state before and after, and everything that left it. */
typedef struct smx_op_acct {
    double w_in, w_out, e_in, e_out;
    double w_leak[SMX_EDGE_COUNT], e_leak[SMX_EDGE_COUNT];
    double w_rejected, w_absorbed, w_nuclear;
    double w_trimmed;       /* edge energy bins below the plan's trim weight:
                               stopped, their energy deposited in place */
    double e_deposited;     /* put into the dose grid by the primaries */
    double e_nuc_deposited; /* put into the dose grid by nuclear secondaries */
    double e_nuc_escaped;   /* carried away by nuclear secondaries */
    double w_secondary;     /* secondary protons put into the output state
                               (created: w_in + w_secondary = w_out + sinks) */
    double e_secondary;     /* their energy (part of e_out) */
    double ms;          /* wall time of the op */
    double kernel_ms;   /* device time of its kernels (< 0: not measured) */
} smx_op_acct;

/* How to create a context. device < 0: the backend's default (opencl:
 * SMX_OPENCL_DEVICE, else 0). accumulation and scatter concern device
 * backends; the CPU ones always run deterministic stencils. */
typedef struct smx_backend_opts {
    int device;
    smx_precision precision;
    int threads;
    smx_accumulation accumulation;
    smx_scatter_impl scatter;
    double memory_limit_GB; /* run.memory_limit_GB: the host backends check
                               their window's growth against it (0: the
                               machine's memory; see smx__mem_grow_ok) */
} smx_backend_opts;

/* The options a CPU backend (reference, openmp) can take: device 0 only,
 * and A_theta as its banded stencil: `run.scatter: gemm` (a device's
 * batched matrix product) is refused, as on a device backend without one
 * (`auto` and `stencil` take the stencil). */
static inline smx_status smx__host_opts_ok(const char *name, const smx_backend_opts *opt, char *err,
                                           size_t errlen)
{
    if (opt->device > 0) {
        smx__err(err, errlen, "%s backend: device %d does not exist (only 0)", name, opt->device);
        return SMX_ENODEV;
    }
    if (opt->scatter == SMX_SCATTER_GEMM) {
        smx__err(err, errlen, "run.scatter: gemm on the %s backend: the CPU backends run A_theta as "
                 "a banded stencil (gemm is opencl's, through clBLAST); use stencil or auto", name);
        return SMX_ENOTSUP;
    }
    return SMX_OK;
}

/* What a backend is: the float64 oracle, a host CPU backend, or a device
 * backend (OpenCL, Vulkan, CUDA) that `auto` takes on an accelerator only. */
typedef enum smx_backend_kind {
    SMX_BACKEND_ORACLE,
    SMX_BACKEND_HOST,
    SMX_BACKEND_DEVICE,
} smx_backend_kind;

typedef struct smx_backend_iface {
    const char *name;
    smx_backend_kind kind;
    int window0; /* rows of the state's z window at creation (it grows with
                    the beam): the memory check's figure */
    /* Devices: count (0 with a reason in `why`) and a printable name. */
    int (*device_count)(char *why, size_t whylen);
    smx_status (*device_name)(int device, char *buf, size_t buflen);
    /* Creates a context for a plan; the plan outlives the context. */
    smx_status (*create)(const smx_plan *plan, const smx_backend_opts *opt, void **ctx, char *err,
                         size_t errlen);
    void (*destroy)(void *ctx);
    int (*supports)(void *ctx, int op, smx_precision precision);
    /* The state in the canonical layout, in float64 on the host. set_state
     * also clears the backend's energy-deposit grid. */
    smx_status (*set_state)(void *ctx, const smx_host_state *s, int e_lo, int e_hi, char *err,
                            size_t errlen);
    smx_status (*get_state)(void *ctx, smx_host_state *s, char *err, size_t errlen);
    /* Energy deposited so far, MeV per cell [nz][nx], per unit psi weight. */
    smx_status (*get_edep)(void *ctx, double *edep, char *err, size_t errlen);
    /* One operator (node) on the state's energy bins [lo, hi], writing the
     * output bins [olo, ohi] (A_E: smx__range_after_op; the others: lo, hi),
     * which then become the state; boxes[4k .. 4k + 3] for k in [olo,
     * ohi]: the rows and columns output bin k can hold, decided by the
     * core (core/boxes.h) from what bin_boxes gave at the step's start (a
     * superset). Fills the operator's own figures of a (leak, nuclear,
     * absorbed, deposited, secondaries); the core fills w_in/out,
     * e_in/out, rejected, trimmed and the time. Bins outside [lo, hi] are
     * empty. The step loop is the core's (smx__graph_run). */
    smx_status (*op)(void *ctx, const smx_node *node, int lo, int hi, int olo, int ohi,
                     const int *boxes, smx_op_acct *a, char *err, size_t errlen);
    /* Optional (NULL: never): whether op_pair runs node a then node b here
     * (the core offers A_theta then A_stream only). */
    int (*pairs)(void *ctx, const smx_node *a, const smx_node *b);
    /* Nodes a and b over the state's bins [lo, hi] in one pass, as op runs
     * them one after the other, where pairs says so: box_mid and box_out
     * are the boxes each bin can hold after a and after b (as op's boxes).
     * Fills w_mid with the slab weights after a (as slab_weights would
     * give them), acct[0] and acct[1] with each node's own figures, and
     * share[2] with the part of the pass's time spent in each (left as
     * the core set them when unknown). The slabs of rejected theta bins
     * are left as a wrote them, not streamed: the core stops them after
     * the pair, as it stops them after a alone, so that every figure and
     * every bit is the same as with op twice. */
    smx_status (*op_pair)(void *ctx, const smx_node *a, const smx_node *b, int lo, int hi,
                          const int *box_mid, const int *box_out, double *w_mid, smx_op_acct *acct,
                          double *share, char *err, size_t errlen);
    /* The box each bin i of the state in [lo, hi] may hold weight in,
     * boxes[4i .. 4i + 3] = first row, last row, first column, last column
     * (first row > last row: none; a superset will do). NULL: the core
     * takes the whole grid. */
    smx_status (*bin_boxes)(void *ctx, int lo, int hi, int *boxes, char *err, size_t errlen);
    /* Weight of every (bin, theta) slab of the state in [lo, hi]:
     * w[(i - lo) * nt + j], in double. */
    smx_status (*slab_weights)(void *ctx, int lo, int hi, double *w, char *err, size_t errlen);
    /* Stops bins [lo, hi] of the state in every theta bin (rejected 0) or
     * in those beyond max_angle_deg (rejected 1): their energy (weight
     * times the bin's energy) is deposited in their cells, and they are
     * cleared. Stopping a whole edge bin narrows the state's range. */
    smx_status (*stop)(void *ctx, int lo, int hi, int rejected, char *err, size_t errlen);
    /* One read+write pass over a state-sized buffer, for the benchmark. */
    smx_status (*copy_pass)(void *ctx, double *ms, char *err, size_t errlen);
    /* 1 when the device is a GPU or another accelerator (NULL: a CPU
     * backend); `run.backend: auto` takes device backends only then. */
    int (*accelerator)(int device);
    /* Bytes of the device's memory (the largest device-local heap), for the
     * memory check before a run; < 0 (or NULL): unknown, or a host backend. */
    double (*device_memory)(int device);
    /* Sums over x of every row of the state in bins [lo, hi]:
     * w[((i - lo) * nt + j) * nz + z] of psi and mz of the first moment
     * along z (0 without centroids); in float64. For the fine depth tally
     * (output.idd_resolution_mm); NULL where the backend has none. */
    smx_status (*row_sums)(void *ctx, int lo, int hi, double *w, double *mz, char *err,
                           size_t errlen);
    /* What the context runs (NULL: "deterministic", "stencil"). */
    void (*describe)(void *ctx, char *accumulation, char *scatter, size_t len);
    /* A deferred backend (NULL: none; the device backends) enqueues a whole
     * graph without waiting for the device: op may leave its figures of a,
     * and slab_weights its w, to be filled by settle, which waits once and
     * fills every one asked since the last settle, with the device time of
     * the n-th op since then in kernel_ms[n] (< 0: not measured). The core
     * then stops the rejected angles after every A_theta unasked (their
     * weight counted from the weights after it) and trims edge bins after
     * the graph's last node instead of after A_E. */
    smx_status (*settle)(void *ctx, double *kernel_ms, int nnodes, char *err, size_t errlen);
    /* How many times the host has waited for the device so far (NULL: a
     * host backend). */
    long (*device_waits)(void *ctx);
} smx_backend_iface;

/* The registry (src/backend/registry.c). find: NULL when not compiled in. */
const smx_backend_iface *smx__backend_find(const char *name);
const smx_backend_iface *smx__backend_at(int index);
int smx__backend_registry_count(void);
int smx__backend_is_known(const char *name); /* compiled in or not, or "auto" */
/* The one resolver of a backend name or `auto` (and a device; < 0 the
 * default) for run, bench, validate and crosscheck; `key` names the
 * setting in messages ("run.backend", "--backend"). */
smx_status smx__backend_resolve(const char *name, int device, const char *key,
                                const smx_backend_iface **out, char *err, size_t errlen);

/* The step loop (src/core/schedule.c): runs the graph's nodes in order
 * through b's op, with the accounting totals, the backward-angle reject
 * after A_theta and the trim of edge bins after A_E decided here, once
 * for every backend; acct has one entry per node. */
smx_status smx__graph_run(const smx_backend_iface *b, void *ctx, const smx_plan *p, smx_graph *g,
                          smx_op_acct *acct, char *err, size_t errlen);

/* The precision a context of b runs: the oracle is float64 whatever asked. */
static inline smx_precision smx__backend_precision(const smx_backend_iface *b, smx_precision want)
{
    return b->kind == SMX_BACKEND_ORACLE ? SMX_PRECISION_FLOAT64 : want;
}

/* The accumulation and A_theta a context runs, for the results. */
static inline void smx__backend_describe(const smx_backend_iface *b, void *ctx, char *acc,
                                         char *scatter, size_t len)
{
    snprintf(acc, len, "deterministic");
    snprintf(scatter, len, "stencil");
    if (b->describe) b->describe(ctx, acc, scatter, len);
}


#endif
