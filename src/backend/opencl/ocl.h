/* The opencl backend's context and helpers, shared by its files. The
 * only place (with ocl_*.c) that includes the OpenCL headers. The
 * device-independent host side is src/backend/common (smx_dev); this
 * backend implements its device API over OpenCL 1.2. */
#ifndef SMX_OCL_H
#define SMX_OCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "backend/common/dev.h"
#include "core/util.h"

typedef struct ocl_device {
    cl_platform_id platform;
    cl_device_id id;
} ocl_device;

#define OCL_EVENTS_MAX 256

typedef struct ocl_ctx {
    smx_dev d;                  /* first: a smx_dev * is an ocl_ctx * */
    smx_dev_api api;            /* d.api points here (gemm entries only with clBLAST) */
    cl_context cx;
    cl_command_queue q;
    cl_program prog;
    cl_kernel k[SMX_K_COUNT];
    cl_mem gemm_k[SMX_KERNEL_VARIANTS]; /* clBLAST: [ne][nt][nt] kernel matrices */
    int profile;                /* SMX_OPENCL_PROFILE: kernel times to stderr at the end */
    /* the launches since the last finish, whose device times (profiling
     * events) are taken after it */
    struct {
        cl_event ev;
        int kernel, tag;
    } ev[OCL_EVENTS_MAX];
    int nev;
} ocl_ctx;

#define OCL(d) ((ocl_ctx *)(d))
#define CLMEM(b) ((cl_mem)(b))

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
double smx__ocl_memory(int device); /* CL_DEVICE_GLOBAL_MEM_SIZE, < 0 unknown */

/* Program (ocl_program.c): builds the embedded source with the plan's
 * options; a failure carries the compiler log. */
smx_status smx__ocl_build(ocl_ctx *c, char *err, size_t errlen);
/* Launches a kernel without waiting; with c->profile its device time is
 * taken by smx__ocl_collect_times after the queue finishes (which also
 * releases the events). */
smx_status smx__ocl_enqueue(ocl_ctx *c, int kernel, cl_uint dims, const size_t *g, const size_t *l,
                            char *err, size_t errlen);
void smx__ocl_collect_times(ocl_ctx *c);
/* Keeps ev (a launch of kernel, e.g. clBLAST's for A_theta) for its time. */
smx_status smx__ocl_note_event(ocl_ctx *c, cl_event ev, int kernel, char *err, size_t errlen);

/* clBLAST (ocl_gemm.c): A_theta as one batched matrix product (the
 * device API's gemm entries when available). */
int smx__ocl_gemm_available(void);
smx_status smx__ocl_gemm_setup(smx_dev *d, char *err, size_t errlen);
smx_status smx__ocl_gemm_scatter(smx_dev *d, int variant, char *err, size_t errlen);

#endif
