/* The opencl backend: float32 state on an OpenCL 1.2 device, the kernels
 * of cl/ built for the run, and the device API of src/backend/common
 * (buffers, copies, launches) over OpenCL; the operators' host side,
 * tables and accounting are the common layer's. */
#include <stdlib.h>
#include <string.h>

#include "backend/opencl/ocl.h"

static int ocl_device_count(char *why, size_t whylen) { return smx__ocl_devices(NULL, 0, why, whylen); }

static smx_status ocl_device_name(int device, char *buf, size_t buflen)
{
    ocl_device d;
    char err[256];
    if (smx__ocl_pick(device, &d, err, sizeof err) != SMX_OK) {
        smx__err(buf, buflen, "%s", err);
        return SMX_ENODEV;
    }
    return smx__ocl_describe(&d, buf, buflen);
}

/* ---- the device API ----------------------------------------------------- */

static smx_status api_alloc(smx_dev *d, size_t bytes, smx_dbuf **out, char *err, size_t errlen)
{
    cl_int e;
    cl_mem m = clCreateBuffer(OCL(d)->cx, CL_MEM_READ_WRITE, bytes, NULL, &e);
    if (e != CL_SUCCESS) {
        smx__err(err, errlen, "opencl backend: clCreateBuffer of %.1f MB failed: %s", bytes / 1e6,
                 smx__ocl_error_name(e));
        return e == CL_INVALID_BUFFER_SIZE || e == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
                       e == CL_OUT_OF_RESOURCES
                   ? SMX_ENOMEM
                   : SMX_EBACKEND;
    }
    *out = (smx_dbuf *)m;
    return SMX_OK;
}

static void api_release(smx_dev *d, smx_dbuf *b) { clReleaseMemObject(CLMEM(b)); }

static smx_status xfer(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *host, int rd,
                       cl_bool blocking, char *err, size_t errlen)
{
    if (rd)
        OCL_TRY("clEnqueueReadBuffer", clEnqueueReadBuffer(OCL(d)->q, CLMEM(b), blocking, off, bytes,
                                                           host, 0, NULL, NULL));
    else
        OCL_TRY("clEnqueueWriteBuffer", clEnqueueWriteBuffer(OCL(d)->q, CLMEM(b), blocking, off,
                                                             bytes, host, 0, NULL, NULL));
    d->waits += blocking == CL_TRUE;
    return SMX_OK;
}

static smx_status api_write(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, const void *src,
                            char *err, size_t errlen)
{
    return xfer(d, b, off, bytes, (void *)src, 0, CL_TRUE, err, errlen);
}

static smx_status api_read(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst, char *err,
                           size_t errlen)
{
    return xfer(d, b, off, bytes, dst, 1, CL_TRUE, err, errlen);
}

/* In order with the launches; complete at the next clFinish. */
static smx_status api_write_async(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, const void *src,
                                  char *err, size_t errlen)
{
    return xfer(d, b, off, bytes, (void *)src, 0, CL_FALSE, err, errlen);
}

static smx_status api_read_async(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst,
                                 char *err, size_t errlen)
{
    return xfer(d, b, off, bytes, dst, 1, CL_FALSE, err, errlen);
}

static smx_status api_fill(smx_dev *d, smx_dbuf *b, uint32_t pattern, size_t bytes, char *err,
                           size_t errlen)
{
    cl_uint v = pattern;
    OCL_TRY("clEnqueueFillBuffer", clEnqueueFillBuffer(OCL(d)->q, CLMEM(b), &v, sizeof v, 0, bytes,
                                                       0, NULL, NULL));
    return SMX_OK;
}

static smx_status api_copy_rows(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t row_bytes,
                                size_t r0, size_t d0, size_t rows, size_t slices, size_t src_pitch,
                                size_t dst_pitch, char *err, size_t errlen)
{
    size_t so[3] = {0, r0, 0}, dof[3] = {0, d0, 0}, region[3] = {row_bytes, rows, slices};
    OCL_TRY("clEnqueueCopyBufferRect",
            clEnqueueCopyBufferRect(OCL(d)->q, CLMEM(src), CLMEM(dst), so, dof, region, row_bytes,
                                    src_pitch, row_bytes, dst_pitch, 0, NULL, NULL));
    return SMX_OK;
}

static smx_status api_copy(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t bytes, char *err,
                           size_t errlen)
{
    OCL_TRY("clEnqueueCopyBuffer", clEnqueueCopyBuffer(OCL(d)->q, CLMEM(src), CLMEM(dst), 0, 0,
                                                       bytes, 0, NULL, NULL));
    return SMX_OK;
}

static smx_status api_launch(smx_dev *d, int k, const smx_karg *args, int nargs, int dims,
                             const size_t *g, const size_t *l, char *err, size_t errlen)
{
    ocl_ctx *c = OCL(d);
    for (int n = 0; n < nargs; n++) {
        cl_mem m = CLMEM(args[n].buf);
        cl_int v = args[n].val;
        cl_int e = args[n].is_buf ? clSetKernelArg(c->k[k], n, sizeof m, &m)
                                  : clSetKernelArg(c->k[k], n, sizeof v, &v);
        if (e != CL_SUCCESS) return smx__ocl_fail(err, errlen, smx__dev_kernel_names[k], e);
    }
    return smx__ocl_enqueue(c, k, (cl_uint)dims, g, l, err, errlen);
}

static smx_status api_finish(smx_dev *d, char *err, size_t errlen)
{
    OCL_TRY("clFinish", clFinish(OCL(d)->q));
    d->waits++;
    smx__ocl_collect_times(OCL(d));
    return SMX_OK;
}

static const smx_dev_api ocl_api = {
    .alloc = api_alloc,
    .release = api_release,
    .write = api_write,
    .read = api_read,
    .write_async = api_write_async,
    .read_async = api_read_async,
    .fill = api_fill,
    .copy_rows = api_copy_rows,
    .copy = api_copy,
    .launch = api_launch,
    .finish = api_finish,
};

/* ---- the backend -------------------------------------------------------- */

static void ocl_destroy(void *ctx)
{
    ocl_ctx *c = ctx;
    if (!c) return;
    if (c->q) clFinish(c->q), smx__ocl_collect_times(c);
    if (c->profile) smx__dev_profile_report(&c->d);
    if (c->d.api) smx__dev_free(&c->d);
    for (int v = 0; v < SMX_KERNEL_VARIANTS; v++)
        if (c->gemm_k[v]) clReleaseMemObject(c->gemm_k[v]);
    for (int k = 0; k < SMX_K_COUNT; k++)
        if (c->k[k]) clReleaseKernel(c->k[k]);
    if (c->prog) clReleaseProgram(c->prog);
    if (c->q) clReleaseCommandQueue(c->q);
    if (c->cx) clReleaseContext(c->cx);
    free(c);
}

static smx_status ocl_create(const smx_plan *p, const smx_backend_opts *opt, void **out, char *err,
                             size_t errlen)
{
    ocl_device dv;
    smx_status st = smx__ocl_pick(opt->device, &dv, err, errlen);
    if (st != SMX_OK) return st;
    if (opt->precision != SMX_PRECISION_FLOAT32) {
        smx__err(err, errlen, "opencl backend: float32 state only (run.precision: float32)");
        return SMX_ENOTSUP;
    }
    ocl_ctx *c = calloc(1, sizeof *c);
    if (!c) return SMX_ENOMEM;
    c->api = ocl_api;
    if (smx__ocl_gemm_available()) c->api.gemm_setup = smx__ocl_gemm_setup, c->api.gemm_scatter = smx__ocl_gemm_scatter;
    smx_dev *d = &c->d;
    d->p = p;
    d->opt = *opt;
    snprintf(d->name, sizeof d->name, "opencl");
    smx__ocl_describe(&dv, d->device_name, sizeof d->device_name);
    int fp64 = smx__ocl_has_ext(dv.id, "cl_khr_fp64") && !smx__dev_env_flag("SMX_OPENCL_NO_FP64");
    int atomic64 = smx__ocl_has_ext(dv.id, "cl_khr_int64_base_atomics");
    /* fast deposits in double need 64-bit atomics; without, Kahan pairs */
    d->fp64 = fp64 && (opt->accumulation == SMX_ACCUM_DETERMINISTIC || atomic64);
    cl_int e;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dv.platform, 0};
    c->cx = clCreateContext(props, 1, &dv.id, NULL, NULL, &e);
    if (e != CL_SUCCESS) st = smx__ocl_fail(err, errlen, "clCreateContext", e);
    if (st == SMX_OK) {
        c->profile = smx__dev_env_flag("SMX_OPENCL_PROFILE");
        /* profiling events cost PoCL about a fifth of a step: only when asked */
        d->kernel_timed = c->profile;
        c->q = clCreateCommandQueue(c->cx, dv.id, c->profile ? CL_QUEUE_PROFILING_ENABLE : 0, &e);
        if (e != CL_SUCCESS) st = smx__ocl_fail(err, errlen, "clCreateCommandQueue", e);
    }
    if (st == SMX_OK) st = smx__ocl_build(c, err, errlen);
    if (st == SMX_OK) {
        cl_ulong global = 0, maxalloc = 0;
        clGetDeviceInfo(dv.id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global, &global, NULL);
        clGetDeviceInfo(dv.id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof maxalloc, &maxalloc, NULL);
        d->api = &c->api;
        d->poison = smx__dev_env_flag("SMX_OPENCL_POISON"); /* NaN-filled state buffers */
        st = smx__dev_init(d, (size_t)global, (size_t)maxalloc, err, errlen);
    }
    if (st != SMX_OK) {
        ocl_destroy(c);
        return st;
    }
    *out = c;
    return SMX_OK;
}

const smx_backend_iface smx__backend_opencl = {
    SMX_DEV_BACKEND_ENTRIES,
    .name = "opencl",
    .device_count = ocl_device_count,
    .device_name = ocl_device_name,
    .create = ocl_create,
    .destroy = ocl_destroy,
    .accelerator = smx__ocl_accelerator,
    .device_memory = smx__ocl_memory,
};
