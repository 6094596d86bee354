/* The opencl backend's context and helpers, shared by its files. The
 * only place (with ocl_*.c) that includes the OpenCL headers. */
#ifndef SMX_OCL_H
#define SMX_OCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "core/backend.h"
#include "core/dev_tables.h"
#include "core/util.h"

enum { OCL_PSI = 0, OCL_MX, OCL_MZ, OCL_QX, OCL_QZ, OCL_ARRAYS };

enum {
    K_SUMS, K_STREAM_LEAK, K_SCATTER, K_COLLECT, K_STREAM, K_ENERGY, K_DEPOSIT, K_EDEP_ADD,
    K_DEPOSIT_ATOMIC, K_ROW_SUMS, K_COUNT
};

typedef struct ocl_device {
    cl_platform_id platform;
    cl_device_id id;
} ocl_device;

typedef struct ocl_ctx {
    const smx_plan *p;
    smx_backend_opts opt;
    int fp64;                   /* accumulators in double (else Kahan float pairs) */
    int na;                     /* 1, or OCL_ARRAYS with moments */
    int S;                      /* nz * nx: cells of the grid */
    /* memory follows the beam: each slab of both buffer sets holds rows
     * zb .. zb + H - 1 (SW = H * nx cells from cell QB = zb * nx; see
     * cl/common.cl); ocl_window.c moves and grows it */
    int H, zb, SW, QB;
    char device_name[256];
    cl_context cx;
    cl_command_queue q;
    cl_program prog;
    cl_kernel k[K_COUNT];
    cl_mem buf[2][OCL_ARRAYS];  /* two sets: the state (buf[cur]) and each op's output */
    int cur;
    int *rz[2];                 /* [ne][2] rows of each bin a set may hold non-zero in */
    cl_mem mat;                 /* [S] medium of each cell */
    cl_mem kw[SMX_KERNEL_VARIANTS], khalf[SMX_KERNEL_VARIANTS];
    cl_mem kleak[SMX_KERNEL_VARIANTS]; /* [nmat][ne][nt] kernel mass off the window */
    cl_mem efac;                /* [5][nmat][ne] A_E accounting factors */
    cl_mem gstart, gsrc, gw;    /* A_E gather lists per medium */
    cl_mem sb, sr;              /* A_stream: per theta (bx, bz), (rx, rz) */
    cl_mem dep, db, dr, dbb;    /* A_E deposit tables */
    cl_mem e_MeV;               /* [ne] bin energies */
    cl_mem rejected, all_theta; /* [nt] masks for k_collect */
    cl_mem edep;                /* [S] acc: MeV per unit weight */
    cl_mem part;                /* [ne][S] acc: deterministic deposit per source bin */
    cl_mem sums;                /* [(1 + 5)][ne * nt] acc per slab (i, j): weight, then the
                                   weighted sums; weight != 0 is the occupancy kernels test */
    cl_mem rows;                /* [ne * nt][2] occupied rows per slab (i, j) */
    cl_mem qr;                 /* [ne][2] cell ranges per bin of a reduction (window-relative) */
    cl_mem blk;                 /* [ne * ceil(nz / OCL_TZ)][3] row blocks of a launch */
    cl_mem leak;                /* [ne * nt][4] acc */
    cl_mem rsum;                /* [ne][nt][nz][2] float: row sums of psi and mz (fine tally) */
    float *hrsum;
    cl_mem gemm_k[SMX_KERNEL_VARIANTS]; /* clBLAST: [ne][nt][nt] kernel matrices */
    /* host mirrors */
    double *hsums;              /* [ne * nt] weight per slab of the state window */
    double *hwork;              /* [(1 + 5) * ne * nt] read-back scratch (acc, then double) */
    int *hrows;                 /* [ne * nt][2] occupied rows per slab of the state window */
    int *zr;                    /* [ne][2] rows of each bin of the state holding weight */
    int *need;                  /* [ne][2] rows an op's output bin can receive */
    int *reach;                 /* [ne][2] rows a source bin's A_E deposit can reach */
    int *hqr;                   /* [ne][2] cell ranges of a launch */
    int *hblk;                  /* the row blocks of a launch */
    smx_dev_tables tab;         /* the host side of every table uploaded */
    int scatter_gemm;           /* 1: A_theta through clBLAST */
    int scatter_decided;        /* auto has measured */
    int clean;                  /* outputs are written whole (gemm reads whole slabs);
                                   else only the rows an op can fill, and every reader
                                   keeps to the occupied rows of each slab */
    int lo, hi;
    int profile;                /* SMX_OPENCL_PROFILE: kernel times to stderr at the end */
    double prof_ms[K_COUNT];
    int prof_n[K_COUNT];
} ocl_ctx;

/* Error handling: every failing call becomes SMX_EBACKEND with the call
 * and the OpenCL error name. */
const char *smx__ocl_error_name(cl_int code);
smx_status smx__ocl_fail(char *err, size_t errlen, const char *call, cl_int code);
#define OCL_TRY(call, expr)                                                             \
    do {                                                                                \
        cl_int e_ = (expr);                                                             \
        if (e_ != CL_SUCCESS) return smx__ocl_fail(err, errlen, call, e_);              \
    } while (0)

/* Devices (ocl_device.c). */
int smx__ocl_devices(ocl_device *out, int max, char *why, size_t whylen);
smx_status smx__ocl_pick(int device, ocl_device *out, char *err, size_t errlen);
smx_status smx__ocl_describe(const ocl_device *d, char *buf, size_t buflen);
int smx__ocl_has_ext(cl_device_id d, const char *ext);
int smx__ocl_accelerator(int device);
int smx__ocl_env_no_fp64(void);

/* Program (ocl_program.c): builds the embedded source with the plan's
 * options; a failure carries the compiler log. */
smx_status smx__ocl_build(ocl_ctx *c, char *err, size_t errlen);
/* Launches a kernel; with c->profile, waits for it and adds its time. */
smx_status smx__ocl_enqueue(ocl_ctx *c, int kernel, cl_uint dims, const size_t *g, const size_t *l,
                            char *err, size_t errlen);
void smx__ocl_profile_report(const ocl_ctx *c);

/* Operators (ocl_ops.c). */
smx_status smx__ocl_upload_tables(ocl_ctx *c, char *err, size_t errlen);
smx_status smx__ocl_slab_sums(ocl_ctx *c, cl_mem psi, int lo, int hi, const int *rows, int nf,
                              cl_mem fac, int fnt, double *out, char *err, size_t errlen);
void smx__ocl_acc_read(const ocl_ctx *c, const void *acc, double *out, size_t n);
smx_status smx__ocl_scatter(ocl_ctx *c, int variant, smx_op_acct *a, char *err, size_t errlen);
smx_status smx__ocl_stream(ocl_ctx *c, smx_op_acct *a, char *err, size_t errlen);
smx_status smx__ocl_energy(ocl_ctx *c, int nlo, int nhi, smx_op_acct *a, char *err, size_t errlen);
smx_status smx__ocl_note_output(ocl_ctx *c, int lo, int hi, char *err, size_t errlen);
/* The state's z window (ocl_window.c): buffers of H rows from row zb
 * (contents lost; poison: NaN); and the window made to hold rows [a, b]
 * and the state's own rows, moving the state on the device. */
smx_status smx__ocl_window_alloc(ocl_ctx *c, int H, int zb, int poison, char *err, size_t errlen);
smx_status smx__ocl_window_fit(ocl_ctx *c, int a, int b, char *err, size_t errlen);
smx_status smx__ocl_stop(ocl_ctx *c, int lo, int hi, int rejected, char *err, size_t errlen);

/* clBLAST (ocl_gemm.c): A_theta as one batched matrix product. */
int smx__ocl_gemm_available(void);
smx_status smx__ocl_gemm_setup(ocl_ctx *c, char *err, size_t errlen);
smx_status smx__ocl_gemm_scatter(ocl_ctx *c, int variant, char *err, size_t errlen);

/* The output tile of a work-group of the tiled kernels (k_stream). */
#define OCL_TX 16
#define OCL_TZ 8

static inline size_t ocl_round(size_t n, size_t m) { return (n + m - 1) / m * m; }

#endif
