/* A_theta as one batched matrix product through clBLAST: per energy bin
 * the nt x nt kernel matrix times the bin's [nt][window cells] state, for
 * each state array. One medium only (one matrix per bin). */
#include <stdlib.h>

#include "backend/opencl/ocl.h"

#ifdef SMX_HAVE_CLBLAST
#include <clblast_c.h>

int smx__ocl_gemm_available(void) { return 1; }

smx_status smx__ocl_gemm_setup(smx_dev *d, char *err, size_t errlen)
{
    ocl_ctx *c = OCL(d);
    const smx_plan *p = d->p;
    size_t nt = p->nt;
    smx_status st = SMX_OK;
    for (int v = 0; v < SMX_KERNEL_VARIANTS && st == SMX_OK; v++) {
        float *m = smx__dev_gemm_matrices(p, v);
        if (!m) return SMX_ENOMEM;
        cl_int e;
        c->gemm_k[v] = clCreateBuffer(c->cx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                      (size_t)p->ne * nt * nt * sizeof(float), m, &e);
        free(m);
        if (e != CL_SUCCESS) st = smx__ocl_fail(err, errlen, "clCreateBuffer(gemm matrices)", e);
    }
    return st;
}

smx_status smx__ocl_gemm_scatter(smx_dev *d, int v, char *err, size_t errlen)
{
    ocl_ctx *c = OCL(d);
    size_t nt = d->p->nt, S = d->SW, nw = d->hi - d->lo + 1, lo = d->lo; /* the window's cells */
    int out = 1 - d->cur;
    for (int k = 0; k < d->na; k++) {
        cl_event ev = NULL;
        CLBlastStatusCode s = CLBlastSgemmStridedBatched(
            CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, nt, S, nt, 1.0f,
            c->gemm_k[v], lo * nt * nt, nt, nt * nt, CLMEM(d->buf[d->cur][k]), lo * nt * S, S,
            nt * S, 0.0f, CLMEM(d->buf[out][k]), lo * nt * S, S, nt * S, nw, &c->q, c->profile ? &ev : NULL);
        if (s != CLBlastSuccess) {
            smx__err(err, errlen, "opencl backend: CLBlastSgemmStridedBatched failed with clBLAST "
                     "status %d%s", (int)s, s < 0 && s > -70 ? " (an OpenCL error code)" : "");
            return SMX_EBACKEND;
        }
        smx_status st = smx__ocl_note_event(c, ev, SMX_K_SCATTER, err, errlen);
        if (st != SMX_OK) return st;
    }
    return SMX_OK;
}

#else

int smx__ocl_gemm_available(void) { return 0; }

smx_status smx__ocl_gemm_setup(smx_dev *d, char *err, size_t errlen)
{
    smx__err(err, errlen, "opencl backend: built without clBLAST: no gemm A_theta");
    return SMX_ENOTSUP;
}

smx_status smx__ocl_gemm_scatter(smx_dev *d, int variant, char *err, size_t errlen)
{
    return smx__ocl_gemm_setup(d, err, errlen);
}

#endif
