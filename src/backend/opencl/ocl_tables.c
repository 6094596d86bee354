/* The plan's tables in the form the kernels read, uploaded once per
 * context: float weights, int offsets, per-medium gather lists. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* A_theta: float kernels per (variant, medium, bin) and their mass off the
 * theta window per (variant, medium, bin, theta). */
static smx_status scatter_tables(ocl_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t ker = 2 * (size_t)p->kmax + 1, me = (size_t)p->nmat * p->ne;
    float *kw = malloc(me * ker * sizeof(float));
    smx_status st = kw ? SMX_OK : SMX_ENOMEM;
    for (int v = 0; v < SMX_KERNEL_VARIANTS && st == SMX_OK; v++) {
        const double *src = p->k_weight + v * me * ker;
        float *kl = c->kleak_h[v] = calloc(me * p->nt, sizeof(float));
        if (!kl) {
            st = SMX_ENOMEM;
            break;
        }
        for (size_t k = 0; k < me * ker; k++) kw[k] = (float)src[k];
        for (size_t mi = 0; mi < me && !p->full_circle; mi++) {
            int K = p->k_half[v * me + mi];
            for (int j = 0; j < p->nt; j++) {
                double l = 0;
                for (int k = -K; k <= K; k++)
                    if (j + k < 0 || j + k >= p->nt) l += src[mi * ker + p->kmax + k];
                kl[mi * p->nt + j] = (float)l;
            }
        }
        st = upload(c, &c->kw[v], kw, me * ker * sizeof(float), err, errlen);
        if (st == SMX_OK) st = upload(c, &c->khalf[v], p->k_half + v * me, me * sizeof(int), err, errlen);
        if (st == SMX_OK) st = upload(c, &c->kleak[v], kl, me * p->nt * sizeof(float), err, errlen);
    }
    free(kw);
    return st;
}

/* A_E: the gather lists per medium, and the accounting factors. */
static smx_status energy_tables(ocl_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t me = (size_t)p->nmat * p->ne, cap = smx__ae_gather_cap(p);
    int *gstart = c->hg_start = malloc((size_t)p->nmat * (p->ne + 1) * sizeof(int));
    int *gsrc = c->hg_src = malloc(p->nmat * cap * sizeof(int));
    float *gw = malloc(p->nmat * cap * sizeof(float));
    double *w = malloc(cap * sizeof(double));
    float *ef = c->efac_h = malloc(OCL_ENERGY_FACTORS * me * sizeof(float));
    smx_status st = gstart && gsrc && gw && w && ef ? SMX_OK : SMX_ENOMEM;
    int n = 0;
    for (int m = 0; m < p->nmat && st == SMX_OK; m++) {
        int *gs = gstart + (size_t)m * (p->ne + 1);
        int cnt = smx__ae_gather(p, m, gs, gsrc + n, w);
        if (cnt < 0) st = SMX_ENOMEM;
        for (int g = 0; g < cnt; g++) gw[n + g] = (float)w[g];
        for (int k = 0; k <= p->ne && cnt >= 0; k++) gs[k] += n;
        n += cnt > 0 ? cnt : 0;
    }
    free(w);
    for (size_t mi = 0; mi < me && st == SMX_OK; mi++) {
        ef[0 * me + mi] = (float)p->e_absorbed[mi];
        ef[1 * me + mi] = (float)(1 - p->e_survive[mi]);
        ef[2 * me + mi] = (float)p->e_dep_MeV[mi];
        ef[3 * me + mi] = (float)p->e_nuc_local_MeV[mi];
        ef[4 * me + mi] = (float)p->e_nuc_escape_MeV[mi];
        ef[5 * me + mi] = (float)smx__created_weight_f32(p, mi);
        ef[6 * me + mi] = p->s_energy_MeV ? (float)p->s_energy_MeV[mi] : 0.0f;
    }
    if (st == SMX_OK) st = upload(c, &c->gstart, gstart, (size_t)p->nmat * (p->ne + 1) * sizeof(int), err, errlen);
    if (st == SMX_OK) st = upload(c, &c->gsrc, gsrc, (size_t)n * sizeof(int), err, errlen);
    if (st == SMX_OK) st = upload(c, &c->gw, gw, (size_t)n * sizeof(float), err, errlen);
    if (st == SMX_OK) st = upload(c, &c->efac, ef, OCL_ENERGY_FACTORS * me * sizeof(float), err, errlen);
    free(gw);
    return st;
}

/* A_stream per theta bin: the first target cell b = floor(shift - 1/2)
 * and the place r = shift - b of a centred parcel past it, per axis. */
static smx_status stream_tables(ocl_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    int *sb = malloc(2 * sizeof(int) * p->nt);
    float *sr = malloc(2 * sizeof(float) * p->nt);
    if (!sb || !sr) {
        free(sb);
        free(sr);
        return SMX_ENOMEM;
    }
    c->stream_dz[0] = p->nz, c->stream_dz[1] = -p->nz;
    for (int j = 0; j < p->nt; j++) {
        double sx = p->sx0[j] + p->sfx[j], sz = p->sz0[j] + p->sfz[j];
        sb[2 * j] = (int)floor(sx - 0.5), sb[2 * j + 1] = (int)floor(sz - 0.5);
        sr[2 * j] = (float)(sx - sb[2 * j]), sr[2 * j + 1] = (float)(sz - sb[2 * j + 1]);
        if (sb[2 * j + 1] < c->stream_dz[0]) c->stream_dz[0] = sb[2 * j + 1];
        if (sb[2 * j + 1] + 2 > c->stream_dz[1]) c->stream_dz[1] = sb[2 * j + 1] + 2;
    }
    smx_status st = upload(c, &c->sb, sb, 2 * sizeof(int) * p->nt, err, errlen);
    if (st == SMX_OK) st = upload(c, &c->sr, sr, 2 * sizeof(float) * p->nt, err, errlen);
    free(sb);
    free(sr);
    return st;
}

/* A_E's deposit per (medium, bin, theta): base cell b = floor(o) - 1 of
 * the table offset o and r = o - b, per axis; per (bin, theta) the bounds
 * of b over the media; per bin the rows a deposit can reach. */
static smx_status deposit_tables(ocl_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    size_t me = (size_t)p->nmat * p->ne, mt = me * p->nt, et = (size_t)p->ne * p->nt;
    float *dep = malloc(me * sizeof(float)), *dr = malloc(2 * mt * sizeof(float));
    int *db = malloc(2 * mt * sizeof(int)), *dbb = malloc(4 * et * sizeof(int));
    c->dz_lo = malloc(p->ne * sizeof(int));
    c->dz_hi = malloc(p->ne * sizeof(int));
    smx_status st = dep && dr && db && dbb && c->dz_lo && c->dz_hi ? SMX_OK : SMX_ENOMEM;
    for (size_t mi = 0; mi < me && st == SMX_OK; mi++)
        dep[mi] = (float)(p->e_dep_MeV[mi] + p->e_nuc_local_MeV[mi]);
    for (size_t k = 0; k < et && st == SMX_OK; k++)
        dbb[4 * k] = dbb[4 * k + 2] = 1 << 20, dbb[4 * k + 1] = dbb[4 * k + 3] = -(1 << 20);
    for (int i = 0; i < p->ne && st == SMX_OK; i++) c->dz_lo[i] = p->nz, c->dz_hi[i] = -p->nz;
    for (size_t mij = 0; mij < mt && st == SMX_OK; mij++) {
        double ox = p->dx0[mij] + p->dfx[mij], oz = p->dz0[mij] + p->dfz[mij];
        int bx = (int)floor(ox) - 1, bz = (int)floor(oz) - 1;
        db[2 * mij] = bx, db[2 * mij + 1] = bz;
        dr[2 * mij] = (float)(ox - bx), dr[2 * mij + 1] = (float)(oz - bz);
        size_t ij = mij % et; /* mij = m * ne * nt + i * nt + j */
        int *bb = dbb + 4 * ij, i = (int)(ij / p->nt);
        bb[0] = bx < bb[0] ? bx : bb[0], bb[1] = bx > bb[1] ? bx : bb[1];
        bb[2] = bz < bb[2] ? bz : bb[2], bb[3] = bz > bb[3] ? bz : bb[3];
        if (p->nmat > 1) { /* a piece moved back onto its source: b <= 0 <= b + 3 */
            bb[0] = bb[0] > 0 ? 0 : bb[0], bb[1] = bb[1] < -3 ? -3 : bb[1];
            bb[2] = bb[2] > 0 ? 0 : bb[2], bb[3] = bb[3] < -3 ? -3 : bb[3];
        }
        if (bz < c->dz_lo[i]) c->dz_lo[i] = bz;
        if (bz + 3 > c->dz_hi[i]) c->dz_hi[i] = bz + 3;
    }
    if (st == SMX_OK) st = upload(c, &c->dep, dep, me * sizeof(float), err, errlen);
    if (st == SMX_OK) st = upload(c, &c->db, db, 2 * mt * sizeof(int), err, errlen);
    if (st == SMX_OK) st = upload(c, &c->dr, dr, 2 * mt * sizeof(float), err, errlen);
    if (st == SMX_OK) st = upload(c, &c->dbb, dbb, 4 * et * sizeof(int), err, errlen);
    free(dep);
    free(dr);
    free(db);
    free(dbb);
    return st;
}

smx_status smx__ocl_upload_tables(ocl_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    float *e = malloc(p->ne * sizeof(float));
    unsigned char *all = malloc(p->nt);
    if (!e || !all) {
        free(e);
        free(all);
        return SMX_ENOMEM;
    }
    for (int i = 0; i < p->ne; i++) e[i] = (float)p->e_center_MeV[i];
    memset(all, 1, p->nt);
    /* mat: the medium of every cell, then (several media) the deposit
     * rule dep_allow [nmat][nmat] and 1 per interface medium */
    size_t nm = (size_t)p->nmat, nmat_bytes = (size_t)c->S + (nm > 1 ? nm * nm + nm : 0);
    unsigned char *mat = malloc(nmat_bytes);
    if (!mat) {
        free(e);
        free(all);
        return SMX_ENOMEM;
    }
    memcpy(mat, p->cell_mat, (size_t)c->S);
    if (nm > 1) {
        memcpy(mat + c->S, p->dep_allow, nm * nm);
        for (size_t m = 0; m < nm; m++) mat[c->S + nm * nm + m] = p->mat_upstream[m] >= 0;
    }
    smx_status st = upload(c, &c->mat, mat, nmat_bytes, err, errlen);
    free(mat);
    if (st == SMX_OK) st = upload(c, &c->e_MeV, e, p->ne * sizeof(float), err, errlen);
    if (st == SMX_OK) st = upload(c, &c->rejected, p->theta_rejected, p->nt, err, errlen);
    if (st == SMX_OK) st = upload(c, &c->all_theta, all, p->nt, err, errlen);
    free(e);
    free(all);
    if (st == SMX_OK) st = scatter_tables(c, err, errlen);
    if (st == SMX_OK) st = energy_tables(c, err, errlen);
    if (st == SMX_OK) st = stream_tables(c, err, errlen);
    if (st == SMX_OK) st = deposit_tables(c, err, errlen);
    return st;
}
