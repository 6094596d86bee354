/* The plan's device tables (core/dev_tables.h) uploaded once per context. */
#include "backend/opencl/ocl.h"

static smx_status upload(ocl_ctx *c, cl_mem *m, const void *data, size_t bytes, char *err,
                         size_t errlen)
{
    cl_int e;
    *m = clCreateBuffer(c->cx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes ? bytes : 4,
                        (void *)data, &e);
    if (e != CL_SUCCESS) return smx__ocl_fail(err, errlen, "clCreateBuffer(table)", e);
    return SMX_OK;
}

smx_status smx__ocl_upload_tables(ocl_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    smx_dev_tables *t = &c->tab;
    if (smx__dev_tables_build(p, t) != SMX_OK) {
        smx__err(err, errlen, "opencl backend: out of memory building the tables");
        return SMX_ENOMEM;
    }
    size_t me = (size_t)p->nmat * p->ne, mt = me * p->nt, et = (size_t)p->ne * p->nt;
    struct {
        cl_mem *m;
        const void *data;
        size_t bytes;
    } up[] = {
        {&c->mat, t->mat, t->mat_bytes},
        {&c->e_MeV, t->e_MeV, p->ne * sizeof(float)},
        {&c->rejected, p->theta_rejected, (size_t)p->nt},
        {&c->efac, t->efac, SMX_ENERGY_FACTORS * me * sizeof(float)},
        {&c->gstart, t->gstart, (size_t)p->nmat * (p->ne + 1) * sizeof(int)},
        {&c->gsrc, t->gsrc, (size_t)t->ngather * sizeof(int)},
        {&c->gw, t->gw, (size_t)t->ngather * sizeof(float)},
        {&c->sb, t->sb, 2 * sizeof(int) * p->nt},
        {&c->sr, t->sr, 2 * sizeof(float) * p->nt},
        {&c->dep, t->dep, me * sizeof(float)},
        {&c->db, t->db, 2 * mt * sizeof(int)},
        {&c->dr, t->dr, 2 * mt * sizeof(float)},
        {&c->dbb, t->dbb, 4 * et * sizeof(int)},
    };
    smx_status st = SMX_OK;
    for (size_t k = 0; k < sizeof up / sizeof up[0] && st == SMX_OK; k++)
        st = upload(c, up[k].m, up[k].data, up[k].bytes, err, errlen);
    for (int v = 0; v < SMX_KERNEL_VARIANTS && st == SMX_OK; v++) {
        st = upload(c, &c->kw[v], t->kw + v * me * t->ker, me * t->ker * sizeof(float), err, errlen);
        if (st == SMX_OK)
            st = upload(c, &c->khalf[v], p->k_half + v * me, me * sizeof(int), err, errlen);
        if (st == SMX_OK)
            st = upload(c, &c->kleak[v], t->kleak_f + v * me * p->nt, me * p->nt * sizeof(float),
                        err, errlen);
    }
    if (st == SMX_OK) { /* every theta bin: the mask k_collect takes for a whole-state sum */
        unsigned char all[p->nt];
        for (int j = 0; j < p->nt; j++) all[j] = 1;
        st = upload(c, &c->all_theta, all, p->nt, err, errlen);
    }
    return st;
}
