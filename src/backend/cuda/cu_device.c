/* CUDA devices: the runtime's enumeration, selection (--device,
 * run.device, SMX_CUDA_DEVICE) and a one-line description for
 * `smatrix2d devices`. No driver or no GPU: zero devices and the reason. */
#include <stdlib.h>
#include <string.h>

#include "backend/cuda/cu.h"

static void version(int v, char *buf, size_t len) { snprintf(buf, len, "%d.%d", v / 1000, v % 1000 / 10); }

int smx__cu_devices(char *why, size_t whylen)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        int rt = 0;
        char rts[16];
        cudaRuntimeGetVersion(&rt);
        version(rt, rts, sizeof rts);
        const char *hint = "";
        if (e == cudaErrorNoDevice) hint = "no CUDA-capable GPU";
        else if (e == cudaErrorInsufficientDriver)
            hint = "no NVIDIA driver, or one older than this CUDA runtime";
        smx__err(why, whylen, "cudaGetDeviceCount failed: %s: %s (runtime %s)", cudaGetErrorName(e),
                 hint[0] ? hint : cudaGetErrorString(e), rts);
        cudaGetLastError(); /* clear it */
        return 0;
    }
    if (n == 0) smx__err(why, whylen, "the CUDA runtime lists no device");
    return n < 0 ? 0 : n;
}

smx_status smx__cu_pick(int device, int *out, char *err, size_t errlen)
{
    char why[256] = "";
    const char *from = device < 0 ? " (SMX_CUDA_DEVICE)" : "";
    smx_status st = smx__dev_env_device("cuda", "SMX_CUDA_DEVICE", &device, err, errlen);
    if (st != SMX_OK) return st;
    int n = smx__cu_devices(why, sizeof why);
    if (device >= n) {
        smx__err(err, errlen, "cuda backend: device %d%s requested, %d found%s%s", device, from, n,
                 why[0] ? ": " : "", why);
        return SMX_ENODEV;
    }
    *out = device;
    return SMX_OK;
}

static int attr(enum cudaDeviceAttr a, int dev)
{
    int v = 0;
    if (cudaDeviceGetAttribute(&v, a, dev) != cudaSuccess) cudaGetLastError(), v = 0;
    return v;
}

smx_status smx__cu_describe(int dev, char *buf, size_t buflen)
{
    struct cudaDeviceProp p;
    cudaError_t e = cudaGetDeviceProperties(&p, dev);
    if (e != cudaSuccess) {
        smx_status st = smx__cu_fail(buf, buflen, "cudaGetDeviceProperties", e);
        cudaGetLastError();
        return st == SMX_ENOMEM ? st : SMX_ENODEV;
    }
    int drv = 0, rt = 0;
    char drvs[16], rts[16];
    cudaDriverGetVersion(&drv);
    cudaRuntimeGetVersion(&rt);
    version(drv, drvs, sizeof drvs);
    version(rt, rts, sizeof rts);
    smx__err(buf, buflen, "%s | compute capability %d.%d | %d SMs | %.2f GiB | shared memory per "
             "block %zu KiB | PCI %04x:%02x:%02x | driver %s | runtime %s | fp64 yes | int64 atomics yes",
             p.name, p.major, p.minor, p.multiProcessorCount, p.totalGlobalMem / 1073741824.0,
             p.sharedMemPerBlock / 1024, (unsigned)attr(cudaDevAttrPciDomainId, dev),
             (unsigned)p.pciBusID, (unsigned)p.pciDeviceID, drvs, rts);
    return SMX_OK;
}
