/* The cuda backend: float32 state on an NVIDIA GPU through the CUDA
 * runtime API, the kernels of cl/ compiled ahead of time as CUDA C++ (one
 * source with the opencl backend, cl/cuda_compat.h), and the device API of
 * src/backend/common (buffers, copies, launches) over CUDA; the operators'
 * host side, tables and accounting are the common layer's. Every copy and
 * launch goes to one stream of the context; transfers are blocking. */
#include <stdlib.h>
#include <string.h>

#include "backend/cuda/cu.h"

/* The runtime's current device is per host thread: every entry sets it. */

static int cu_device_count(char *why, size_t whylen) { return smx__cu_devices(why, whylen); }

static smx_status cu_device_name(int device, char *buf, size_t buflen)
{
    int dev;
    char err[256];
    if (smx__cu_pick(device, &dev, err, sizeof err) != SMX_OK) {
        smx__err(buf, buflen, "%s", err);
        return SMX_ENODEV;
    }
    return smx__cu_describe(dev, buf, buflen);
}

/* ---- the device API ----------------------------------------------------- */

static smx_status api_alloc(smx_dev *d, size_t bytes, smx_dbuf **out, char *err, size_t errlen)
{
    CU_SET(CU(d));
    void *p = NULL;
    cudaError_t e = cudaMalloc(&p, bytes);
    if (e != cudaSuccess) {
        smx__err(err, errlen, "cuda backend: cudaMalloc of %.1f MB failed: %s", bytes / 1e6,
                 cudaGetErrorName(e));
        cudaGetLastError(); /* an allocation failure is not sticky: clear it */
        return e == cudaErrorMemoryAllocation ? SMX_ENOMEM : SMX_EBACKEND;
    }
    *out = (smx_dbuf *)p;
    return SMX_OK;
}

static void api_release(smx_dev *d, smx_dbuf *b)
{
    if (cudaSetDevice(CU(d)->dev) == cudaSuccess) cudaFree(CUPTR(b)); /* waits for the device */
}

/* A transfer on the stream; with wait, finished on return. The async
 * forms complete by the next finish (host memory from api_host_alloc is
 * pinned, so they do not wait on the host either). */
static smx_status xfer(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *host, int rd,
                       int wait, char *err, size_t errlen)
{
    cu_ctx *c = CU(d);
    if (!bytes) return SMX_OK;
    CU_SET(c);
    char *dev = (char *)CUPTR(b) + off;
    if (rd)
        CU_TRY("cudaMemcpyAsync (from the device)",
               cudaMemcpyAsync(host, dev, bytes, cudaMemcpyDeviceToHost, c->s));
    else
        CU_TRY("cudaMemcpyAsync (to the device)", cudaMemcpyAsync(dev, host, bytes, cudaMemcpyHostToDevice, c->s));
    if (wait) CU_TRY("cudaStreamSynchronize", cudaStreamSynchronize(c->s));
    d->waits += wait;
    return SMX_OK;
}

static smx_status api_write(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, const void *src,
                            char *err, size_t errlen)
{
    return xfer(d, b, off, bytes, (void *)src, 0, 1, err, errlen);
}

static smx_status api_read(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst, char *err,
                           size_t errlen)
{
    return xfer(d, b, off, bytes, dst, 1, 1, err, errlen);
}

static smx_status api_write_async(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, const void *src,
                                  char *err, size_t errlen)
{
    return xfer(d, b, off, bytes, (void *)src, 0, 0, err, errlen);
}

static smx_status api_read_async(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst,
                                 char *err, size_t errlen)
{
    return xfer(d, b, off, bytes, dst, 1, 0, err, errlen);
}

/* Pinned host memory for the step's uploads and read-backs (pageable
 * memory where pinning fails). */
static void *api_host_alloc(smx_dev *d, size_t bytes)
{
    void *p = NULL;
    if (cudaSetDevice(CU(d)->dev) != cudaSuccess || cudaMallocHost(&p, bytes) != cudaSuccess) {
        cudaGetLastError(); /* clear it */
        return malloc(bytes ? bytes : 1);
    }
    return p;
}

static void api_host_free(smx_dev *d, void *p)
{
    struct cudaPointerAttributes a;
    if (cudaPointerGetAttributes(&a, p) == cudaSuccess && a.type == cudaMemoryTypeHost) cudaFreeHost(p);
    else cudaGetLastError(), free(p);
}

static smx_status api_fill(smx_dev *d, smx_dbuf *b, uint32_t pattern, size_t bytes, char *err,
                           size_t errlen)
{
    cu_ctx *c = CU(d);
    if (!bytes) return SMX_OK;
    CU_SET(c);
    unsigned char byte = pattern & 0xff;
    if (pattern == byte * 0x01010101u) {
        CU_TRY("cudaMemsetAsync", cudaMemsetAsync(CUPTR(b), byte, bytes, c->s));
        return SMX_OK;
    }
    CU_TRY("the fill kernel", smx__cuda_fill32(CUPTR(b), pattern, bytes / 4, c->s));
    for (size_t i = bytes / 4 * 4; i < bytes; i++) /* a tail of 1-3 bytes, little-endian */
        CU_TRY("cudaMemsetAsync", cudaMemsetAsync((char *)CUPTR(b) + i, (int)(pattern >> 8 * (i % 4) & 0xff),
                                                  1, c->s));
    return SMX_OK;
}

static smx_status api_copy_rows(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t row_bytes,
                                size_t r0, size_t d0, size_t rows, size_t slices, size_t src_pitch,
                                size_t dst_pitch, char *err, size_t errlen)
{
    cu_ctx *c = CU(d);
    size_t width = rows * row_bytes; /* the rows of a slice are contiguous */
    if (!width || !slices) return SMX_OK;
    CU_SET(c);
    const char *s = (const char *)CUPTR(src) + r0 * row_bytes;
    char *t = (char *)CUPTR(dst) + d0 * row_bytes;
    int maxpitch = 0;
    cudaDeviceGetAttribute(&maxpitch, cudaDevAttrMaxPitch, c->dev);
    if (slices > 1 && width <= src_pitch && width <= dst_pitch && src_pitch <= (size_t)maxpitch &&
        dst_pitch <= (size_t)maxpitch) {
        CU_TRY("cudaMemcpy2DAsync", cudaMemcpy2DAsync(t, dst_pitch, s, src_pitch, width, slices,
                                                      cudaMemcpyDeviceToDevice, c->s));
        return SMX_OK;
    }
    for (size_t k = 0; k < slices; k++)
        CU_TRY("cudaMemcpyAsync (on the device)",
               cudaMemcpyAsync(t + k * dst_pitch, s + k * src_pitch, width, cudaMemcpyDeviceToDevice, c->s));
    return SMX_OK;
}

static smx_status api_copy(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t bytes, char *err,
                           size_t errlen)
{
    cu_ctx *c = CU(d);
    if (!bytes) return SMX_OK;
    CU_SET(c);
    CU_TRY("cudaMemcpyAsync (on the device)",
           cudaMemcpyAsync(CUPTR(dst), CUPTR(src), bytes, cudaMemcpyDeviceToDevice, c->s));
    return SMX_OK;
}

static smx_status api_launch(smx_dev *d, int k, const smx_karg *args, int nargs, int dims,
                             const size_t *g, const size_t *l, char *err, size_t errlen)
{
    CU_SET(CU(d));
    return smx__cu_launch(CU(d), k, args, nargs, dims, g, l, err, errlen);
}

static smx_status api_finish(smx_dev *d, char *err, size_t errlen)
{
    CU_SET(CU(d));
    CU_TRY("cudaStreamSynchronize", cudaStreamSynchronize(CU(d)->s));
    d->waits++;
    return SMX_OK;
}

static const smx_dev_api cu_api = {
    .alloc = api_alloc,
    .release = api_release,
    .write = api_write,
    .read = api_read,
    .write_async = api_write_async,
    .read_async = api_read_async,
    .host_alloc = api_host_alloc,
    .host_free = api_host_free,
    .fill = api_fill,
    .copy_rows = api_copy_rows,
    .copy = api_copy,
    .launch = api_launch,
    .finish = api_finish,
    .gemm_setup = smx__cu_gemm_setup,
    .gemm_scatter = smx__cu_gemm_scatter,
};

/* ---- the backend -------------------------------------------------------- */

static void cu_destroy(void *ctx)
{
    cu_ctx *c = ctx;
    if (!c) return;
    if (cudaSetDevice(c->dev) == cudaSuccess) {
        if (c->s) cudaStreamSynchronize(c->s);
        if (c->profile) smx__dev_profile_report(&c->d);
        smx__cu_gemm_free(c);
        if (c->d.api) smx__dev_free(&c->d);
        if (c->ev0) cudaEventDestroy(c->ev0);
        if (c->ev1) cudaEventDestroy(c->ev1);
        if (c->s) cudaStreamDestroy(c->s);
    }
    cudaGetLastError();
    free(c);
}

static smx_status open_device(cu_ctx *c, char *err, size_t errlen)
{
    CU_TRY("cudaSetDevice", cudaSetDevice(c->dev));
    /* a blocking stream: it waits for the legacy default stream (cu_kernel.c) */
    CU_TRY("cudaStreamCreate", cudaStreamCreate(&c->s));
    c->profile = smx__dev_env_flag("SMX_CUDA_PROFILE");
    c->d.kernel_timed = c->profile; /* the events wait for every kernel */
    if (c->profile) {
        CU_TRY("cudaEventCreate", cudaEventCreate(&c->ev0));
        CU_TRY("cudaEventCreate", cudaEventCreate(&c->ev1));
    }
    return SMX_OK;
}

static smx_status cu_create(const smx_plan *p, const smx_backend_opts *opt, void **out, char *err,
                            size_t errlen)
{
    int dev = 0;
    smx_status st = smx__cu_pick(opt->device, &dev, err, errlen);
    if (st != SMX_OK) return st;
    if (opt->precision != SMX_PRECISION_FLOAT32) {
        smx__err(err, errlen, "cuda backend: float32 state only (run.precision: float32)");
        return SMX_ENOTSUP;
    }
    cu_ctx *c = calloc(1, sizeof *c);
    if (!c) return SMX_ENOMEM;
    c->dev = dev;
    smx_dev *d = &c->d;
    d->p = p;
    d->opt = *opt;
    snprintf(d->name, sizeof d->name, "cuda");
    smx__cu_describe(dev, d->device_name, sizeof d->device_name);
    /* every CUDA GPU has fp64 and 64-bit atomicCAS: double accumulators in
     * both modes unless SMX_CUDA_NO_FP64 asks for Kahan float pairs */
    d->fp64 = !smx__dev_env_flag("SMX_CUDA_NO_FP64");
    st = smx__cu_kernels(c, err, errlen);
    if (st == SMX_OK) st = open_device(c, err, errlen);
    if (st == SMX_OK) {
        size_t total = 0;
        struct cudaDeviceProp prop;
        if (cudaGetDeviceProperties(&prop, dev) == cudaSuccess) total = prop.totalGlobalMem;
        d->api = &cu_api;
        d->poison = smx__dev_env_flag("SMX_CUDA_POISON");
        st = smx__dev_init(d, total, total, err, errlen);
    }
    if (st != SMX_OK) {
        cu_destroy(c);
        return st;
    }
    *out = c;
    return SMX_OK;
}

static int cu_accelerator(int device)
{
    int dev;
    return smx__cu_pick(device, &dev, NULL, 0) == SMX_OK;
}

static double cu_memory(int device)
{
    int dev;
    struct cudaDeviceProp prop;
    if (smx__cu_pick(device, &dev, NULL, 0) != SMX_OK || cudaGetDeviceProperties(&prop, dev) != cudaSuccess)
        return -1;
    return (double)prop.totalGlobalMem;
}

const smx_backend_iface smx__backend_cuda = {
    SMX_DEV_BACKEND_ENTRIES,
    .name = "cuda",
    .device_count = cu_device_count,
    .device_name = cu_device_name,
    .create = cu_create,
    .destroy = cu_destroy,
    .accelerator = cu_accelerator,
    .device_memory = cu_memory,
};
