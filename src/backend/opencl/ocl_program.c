/* The kernels: the embedded source (cl/smx_cell.h then cl/ kernels, see
 * tools/embed_text.cmake) built for one context with the plan's options. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "backend/opencl/ocl.h"

extern const char smx__opencl_source[];


smx_status smx__ocl_build(ocl_ctx *c, char *err, size_t errlen)
{
    cl_int e;
    const char *src = smx__opencl_source;
    c->prog = clCreateProgramWithSource(c->cx, 1, &src, NULL, &e);
    if (e != CL_SUCCESS) return smx__ocl_fail(err, errlen, "clCreateProgramWithSource", e);
    /* SMX_OPENCL_OPTIONS: extra compiler options (experiments, tests) */
    const char *extra = getenv("SMX_OPENCL_OPTIONS");
    char opts[512];
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 -DSMX_TX=%d -DSMX_TZ=%d -DSMX_NMAT=%d -DSMX_NF_MAX=%d%s%s%s%s%s %s",
             SMX_DEV_TX, SMX_DEV_TZ, c->d.p->nmat, SMX_ENERGY_FACTORS,
             c->d.p->nmat == 1 ? " -DSMX_ONE_MEDIUM" : "", c->d.fp64 ? " -DSMX_FP64" : "",
             c->d.p->moments ? " -DSMX_MOMENTS" : "", c->d.p->full_circle ? " -DSMX_FULL_CIRCLE" : "",
             c->d.opt.accumulation == SMX_ACCUM_FAST && c->d.fp64 ? " -DSMX_ATOMIC64" : "",
             extra ? extra : "");
    cl_device_id dev;
    clGetContextInfo(c->cx, CL_CONTEXT_DEVICES, sizeof dev, &dev, NULL);
    e = clBuildProgram(c->prog, 1, &dev, opts, NULL, NULL);
    if (e != CL_SUCCESS) {
        size_t len = 0;
        clGetProgramBuildInfo(c->prog, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &len);
        char *log = malloc(len + 1);
        if (log) {
            log[0] = 0;
            clGetProgramBuildInfo(c->prog, dev, CL_PROGRAM_BUILD_LOG, len, log, NULL);
            log[len] = 0;
        }
        smx__err(err, errlen, "opencl backend: building the kernels (%s) failed: %s\n%s", opts,
                 smx__ocl_error_name(e), log ? log : "(no compiler log)");
        free(log);
        return SMX_EBACKEND;
    }
    for (int k = 0; k < SMX_K_COUNT; k++) {
        c->k[k] = clCreateKernel(c->prog, smx__dev_kernel_names[k], &e);
        if (e != CL_SUCCESS) return smx__ocl_fail(err, errlen, smx__dev_kernel_names[k], e);
    }
    return SMX_OK;
}

smx_status smx__ocl_enqueue(ocl_ctx *c, int kernel, cl_uint dims, const size_t *g, const size_t *l,
                            char *err, size_t errlen)
{
    cl_event ev = NULL;
    cl_int e = clEnqueueNDRangeKernel(c->q, c->k[kernel], dims, NULL, g, l, 0, NULL, c->profile ? &ev : NULL);
    if (e != CL_SUCCESS) return smx__ocl_fail(err, errlen, smx__dev_kernel_names[kernel], e);
    return smx__ocl_note_event(c, ev, kernel, err, errlen);
}

smx_status smx__ocl_note_event(ocl_ctx *c, cl_event ev, int kernel, char *err, size_t errlen)
{
    if (!ev) return SMX_OK;
    c->ev[c->nev].ev = ev, c->ev[c->nev].kernel = kernel, c->ev[c->nev].tag = c->d.op_seq;
    if (++c->nev == OCL_EVENTS_MAX) { /* full: wait, and take the times */
        OCL_TRY("clFinish", clFinish(c->q));
        c->d.waits++;
        smx__ocl_collect_times(c);
    }
    return SMX_OK;
}

void smx__ocl_collect_times(ocl_ctx *c)
{
    for (int k = 0; k < c->nev; k++) {
        cl_ulong t0 = 0, t1 = 0;
        if (clGetEventProfilingInfo(c->ev[k].ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL) == CL_SUCCESS &&
            clGetEventProfilingInfo(c->ev[k].ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) == CL_SUCCESS)
            smx__dev_kernel_time(&c->d, c->ev[k].kernel, c->ev[k].tag, (double)(t1 - t0) * 1e-6);
        clReleaseEvent(c->ev[k].ev);
    }
    c->nev = 0;
}
