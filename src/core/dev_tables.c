/* Device-ready tables from the plan (see dev_tables.h). */
#include "core/dev_tables.h"
#include "core/boxes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static int scatter_tables(const smx_plan *p, smx_dev_tables *t)
{
    size_t ker = t->ker = 2 * (size_t)p->kmax + 1, vme = SMX_KERNEL_VARIANTS * (size_t)p->nmat * p->ne;
    t->kw = malloc(vme * ker * sizeof(float));
    t->kleak = calloc(vme * p->nt, sizeof(double));
    t->kleak_f = calloc(vme * p->nt, sizeof(float));
    if (!t->kw || !t->kleak || !t->kleak_f) return 0;
    for (size_t vm = 0; vm < vme; vm++) {
        const double *src = p->k_weight + vm * ker;
        int K = p->k_half[vm];
        for (size_t k = 0; k < ker; k++) t->kw[vm * ker + k] = (float)src[k];
        for (int j = 0; j < p->nt && !p->full_circle; j++) {
            double l = 0;
            for (int k = -K; k <= K; k++)
                if (j + k < 0 || j + k >= p->nt) l += src[p->kmax + k];
            t->kleak[vm * p->nt + j] = l;
            t->kleak_f[vm * p->nt + j] = (float)l;
        }
    }
    return 1;
}

static int energy_tables(const smx_plan *p, smx_dev_tables *t)
{
    size_t me = (size_t)p->nmat * p->ne, cap = smx__ae_gather_cap(p);
    t->gstart = malloc((size_t)p->nmat * (p->ne + 1) * sizeof(int));
    t->gsrc = malloc(p->nmat * cap * sizeof(int));
    t->gw = malloc(p->nmat * cap * sizeof(float));
    t->efac = malloc(SMX_ENERGY_FACTORS * me * sizeof(float));
    t->created = malloc(me * sizeof(double));
    t->dep = malloc(me * sizeof(float));
    double *w = malloc(cap * sizeof(double));
    int ok = t->gstart && t->gsrc && t->gw && t->efac && t->created && t->dep && w;
    int n = 0;
    for (int m = 0; m < p->nmat && ok; m++) {
        int *gs = t->gstart + (size_t)m * (p->ne + 1);
        int cnt = smx__ae_gather(p, m, gs, t->gsrc + n, w);
        if (cnt < 0) ok = 0;
        for (int g = 0; g < cnt; g++) t->gw[n + g] = (float)w[g];
        for (int k = 0; k <= p->ne && cnt >= 0; k++) gs[k] += n;
        n += cnt > 0 ? cnt : 0;
    }
    free(w);
    t->ngather = n;
    for (size_t mi = 0; mi < me && ok; mi++) {
        float *ef = t->efac;
        ef[0 * me + mi] = (float)p->e_absorbed[mi];
        ef[1 * me + mi] = (float)(1 - p->e_survive[mi]);
        ef[2 * me + mi] = (float)p->e_dep_MeV[mi];
        ef[3 * me + mi] = (float)p->e_nuc_local_MeV[mi];
        ef[4 * me + mi] = (float)p->e_nuc_escape_MeV[mi];
        t->created[mi] = smx__created_weight_f32(p, mi);
        ef[5 * me + mi] = (float)t->created[mi];
        ef[6 * me + mi] = p->s_energy_MeV ? (float)p->s_energy_MeV[mi] : 0.0f;
        t->dep[mi] = (float)(p->e_dep_MeV[mi] + p->e_nuc_local_MeV[mi]);
    }
    return ok;
}

static int stream_tables(const smx_plan *p, smx_dev_tables *t)
{
    t->sb = malloc(2 * sizeof(int) * p->nt);
    t->sr = malloc(2 * sizeof(float) * p->nt);
    if (!t->sb || !t->sr) return 0;
    for (int j = 0; j < p->nt; j++) {
        double sx = p->sx0[j] + p->sfx[j], sz = p->sz0[j] + p->sfz[j];
        int *b = t->sb + 2 * j;
        b[0] = (int)floor(sx - 0.5), b[1] = (int)floor(sz - 0.5);
        t->sr[2 * j] = (float)(sx - b[0]), t->sr[2 * j + 1] = (float)(sz - b[1]);
    }
    smx__stream_shift(p, t->stream_shift);
    return 1;
}

static int deposit_tables(const smx_plan *p, smx_dev_tables *t)
{
    size_t me = (size_t)p->nmat * p->ne, mt = me * p->nt, et = (size_t)p->ne * p->nt;
    t->db = malloc(2 * mt * sizeof(int));
    t->dr = malloc(2 * mt * sizeof(float));
    t->dbb = malloc(4 * et * sizeof(int));
    t->reach = malloc(4 * p->ne * sizeof(int));
    if (!t->db || !t->dr || !t->dbb || !t->reach) return 0;
    for (size_t k = 0; k < et; k++)
        t->dbb[4 * k] = t->dbb[4 * k + 2] = 1 << 20, t->dbb[4 * k + 1] = t->dbb[4 * k + 3] = -(1 << 20);
    for (int i = 0; i < p->ne; i++) { /* several media: a piece may go back to its source cell */
        int *r = t->reach + 4 * i, z = p->nmat > 1 ? 0 : p->nz, x = p->nmat > 1 ? 0 : p->nx;
        r[0] = z, r[1] = -z, r[2] = x, r[3] = -x;
    }
    for (size_t mij = 0; mij < mt; mij++) {
        double ox = p->dx0[mij] + p->dfx[mij], oz = p->dz0[mij] + p->dfz[mij];
        int bx = (int)floor(ox) - 1, bz = (int)floor(oz) - 1;
        t->db[2 * mij] = bx, t->db[2 * mij + 1] = bz;
        t->dr[2 * mij] = (float)(ox - bx), t->dr[2 * mij + 1] = (float)(oz - bz);
        size_t ij = mij % et; /* mij = m * ne * nt + i * nt + j */
        int *bb = t->dbb + 4 * ij, i = (int)(ij / p->nt);
        bb[0] = bx < bb[0] ? bx : bb[0], bb[1] = bx > bb[1] ? bx : bb[1];
        bb[2] = bz < bb[2] ? bz : bb[2], bb[3] = bz > bb[3] ? bz : bb[3];
        if (p->nmat > 1) { /* a piece moved back onto its source: b <= 0 <= b + 3 */
            bb[0] = bb[0] > 0 ? 0 : bb[0], bb[1] = bb[1] < -3 ? -3 : bb[1];
            bb[2] = bb[2] > 0 ? 0 : bb[2], bb[3] = bb[3] < -3 ? -3 : bb[3];
        }
        int *r = t->reach + 4 * i;
        r[0] = bz < r[0] ? bz : r[0], r[1] = bz + 3 > r[1] ? bz + 3 : r[1];
        r[2] = bx < r[2] ? bx : r[2], r[3] = bx + 3 > r[3] ? bx + 3 : r[3];
    }
    return 1;
}

static int cell_tables(const smx_plan *p, smx_dev_tables *t)
{
    size_t S = (size_t)p->nz * p->nx, nm = (size_t)p->nmat;
    t->mat_bytes = S + (nm > 1 ? nm * nm + nm : 0);
    t->mat = malloc(t->mat_bytes);
    t->e_MeV = malloc(p->ne * sizeof(float));
    if (!t->mat || !t->e_MeV) return 0;
    memcpy(t->mat, p->cell_mat, S);
    if (nm > 1) {
        memcpy(t->mat + S, p->dep_allow, nm * nm);
        for (size_t m = 0; m < nm; m++) t->mat[S + nm * nm + m] = p->mat_upstream[m] >= 0;
    }
    for (int i = 0; i < p->ne; i++) t->e_MeV[i] = (float)p->e_center_MeV[i];
    return 1;
}

smx_status smx__dev_tables_build(const smx_plan *p, smx_dev_tables *t)
{
    memset(t, 0, sizeof *t);
    if (scatter_tables(p, t) && energy_tables(p, t) && stream_tables(p, t) && deposit_tables(p, t) &&
        cell_tables(p, t))
        return SMX_OK;
    smx__dev_tables_free(t);
    return SMX_ENOMEM;
}

void smx__dev_tables_free(smx_dev_tables *t)
{
    void *all[] = {t->kw,  t->kleak, t->kleak_f, t->gstart, t->gsrc,  t->gw,    t->efac,
                   t->created, t->sb, t->sr,   t->dep,    t->db,    t->dr,    t->dbb,
                   t->reach, t->mat, t->e_MeV};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) free(all[k]);
    memset(t, 0, sizeof *t);
}
