/* OpenCL platforms and devices: enumeration in a fixed order (platform,
 * then device), selection (--device, run.device, SMX_OPENCL_DEVICE) and a
 * one-line description for `smatrix2d devices`. */
#include <stdlib.h>
#include <string.h>

#include "backend/opencl/ocl.h"

#define OCL_MAX_PLATFORMS 16
#define OCL_MAX_DEVICES 64

int smx__ocl_devices(ocl_device *out, int max, char *why, size_t whylen)
{
    cl_platform_id plats[OCL_MAX_PLATFORMS];
    cl_uint np = 0;
    cl_int e = clGetPlatformIDs(OCL_MAX_PLATFORMS, plats, &np);
    if (e != CL_SUCCESS || np == 0) {
        smx__err(why, whylen, "no OpenCL platform: %s; install an ICD, e.g. pocl-opencl-icd",
                 e != CL_SUCCESS ? smx__ocl_error_name(e) : "the ICD loader lists none");
        return 0;
    }
    int n = 0;
    for (cl_uint p = 0; p < np && p < OCL_MAX_PLATFORMS; p++) {
        cl_device_id devs[OCL_MAX_DEVICES];
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, OCL_MAX_DEVICES, devs, &nd) != CL_SUCCESS)
            continue;
        for (cl_uint d = 0; d < nd && d < OCL_MAX_DEVICES; d++) {
            if (out && n < max) out[n].platform = plats[p], out[n].id = devs[d];
            n++;
        }
    }
    if (n == 0) smx__err(why, whylen, "%u OpenCL platform(s) but no device", np);
    return n;
}

smx_status smx__ocl_pick(int device, ocl_device *out, char *err, size_t errlen)
{
    ocl_device all[OCL_MAX_DEVICES];
    char why[256] = "";
    const char *from = device < 0 ? " (SMX_OPENCL_DEVICE)" : "";
    smx_status st = smx__dev_env_device("opencl", "SMX_OPENCL_DEVICE", &device, err, errlen);
    if (st != SMX_OK) return st;
    int n = smx__ocl_devices(all, OCL_MAX_DEVICES, why, sizeof why);
    if (device >= n || device >= OCL_MAX_DEVICES) {
        smx__err(err, errlen, "opencl backend: device %d%s requested, %d found%s%s", device, from,
                 n, why[0] ? ": " : "", why);
        return SMX_ENODEV;
    }
    *out = all[device];
    return SMX_OK;
}

int smx__ocl_has_ext(cl_device_id d, const char *ext)
{
    size_t len = 0;
    if (clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, NULL, &len) != CL_SUCCESS || len == 0) return 0;
    char *s = malloc(len + 1);
    if (!s) return 0;
    int found = 0;
    if (clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, len, s, NULL) == CL_SUCCESS) {
        s[len] = 0;
        size_t el = strlen(ext);
        for (char *t = strstr(s, ext); t && !found; t = strstr(t + 1, ext))
            found = (t == s || t[-1] == ' ') && (t[el] == ' ' || t[el] == 0);
    }
    free(s);
    return found;
}

int smx__ocl_accelerator(int device)
{
    ocl_device d;
    cl_device_type t = 0;
    if (smx__ocl_pick(device, &d, NULL, 0) != SMX_OK) return 0;
    clGetDeviceInfo(d.id, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    return (t & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
}

double smx__ocl_memory(int device)
{
    ocl_device d;
    cl_ulong bytes = 0;
    if (smx__ocl_pick(device, &d, NULL, 0) != SMX_OK ||
        clGetDeviceInfo(d.id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof bytes, &bytes, NULL) != CL_SUCCESS)
        return -1;
    return (double)bytes;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    return "other";
}

smx_status smx__ocl_describe(const ocl_device *d, char *buf, size_t buflen)
{
    char pname[128] = "?", dname[128] = "?", vendor[128] = "?", version[128] = "?";
    cl_device_type type = 0;
    cl_uint cu = 0;
    cl_ulong mem = 0, maxalloc = 0;
    clGetPlatformInfo(d->platform, CL_PLATFORM_NAME, sizeof pname, pname, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_NAME, sizeof dname, dname, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_VENDOR, sizeof vendor, vendor, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_VERSION, sizeof version, version, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof maxalloc, &maxalloc, NULL);
    int fp64 = smx__ocl_has_ext(d->id, "cl_khr_fp64");
    smx__err(buf, buflen, "%s | platform %s | vendor %s | %s | %u compute units | %.2f GiB global "
             "(max allocation %.2f GiB) | fp64 %s | %s", dname, pname, vendor, type_name(type), cu,
             mem / 1073741824.0, maxalloc / 1073741824.0, fp64 ? "yes" : "no", version);
    return SMX_OK;
}
