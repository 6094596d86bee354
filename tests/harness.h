/* Shared test helpers: small grids built in code, a seeded dense state,
 * one graph run on any backend, and comparisons. */
#ifndef SMX_TEST_HARNESS_H
#define SMX_TEST_HARNESS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/ops.h"

/* A small case: grid NX x NZ x NTHETA x NE, full circle or a window,
 * a beam angle (sets p1v1 and checks) and the energy spacing. */
typedef struct test_case {
    int nx, nz, nt, ne;
    int full_circle;
    double angle_deg;
    smx_energy_spacing spacing;
    double step_mm; /* 0 = auto */
    int shift_deposit; /* 1: plain shift-and-deposit streaming, else centroids */
    int slabs;         /* 1: a bone slab and a lung slab across the middle */
    int no_physics;    /* 1: straggling and nuclear interactions off */
} test_case;

static inline void case_name(const test_case *t, const char *op, char *buf, size_t n)
{
    snprintf(buf, n, "%s/grid=%dx%dx%dx%d/theta=%s/spacing=%s/stream=%s/media=%s/physics=%s", op,
             t->nx, t->nz, t->nt, t->ne, t->full_circle ? "circle" : "window",
             smx_spacing_name(t->spacing), t->shift_deposit ? "shift_deposit" : "centroid",
             t->slabs ? "slabs" : "water", t->no_physics ? "off" : "on");
}

static inline void case_config(const test_case *t, smx_config *c)
{
    smx_config_init(c);
    c->nx = t->nx;
    c->x_min_mm = -0.5 * t->nx;
    c->x_max_mm = 0.5 * t->nx;
    c->nz = t->nz;
    c->z_max_mm = t->nz; /* 1 mm cells */
    c->ntheta = t->nt;
    c->theta_full_circle = t->full_circle;
    c->theta_min_deg = -40;
    c->theta_max_deg = 40;
    c->max_angle_deg = t->full_circle ? 120 : 90; /* full circle: some bins rejected */
    c->spacing = t->spacing;
    c->ne = t->ne;
    c->e_min_MeV = 1;
    c->e_max_MeV = 60;
    c->step_mm = t->step_mm;
    c->nbeams = 1;
    c->beams[0] = (smx_beam){.energy_MeV = 50, .angle_deg = t->angle_deg, .protons = 1};
    c->streaming = t->shift_deposit ? SMX_STREAM_SHIFT_DEPOSIT : SMX_STREAM_CENTROID;
    if (t->no_physics) {
        c->straggling = SMX_STRAGGLING_NONE;
        c->nuclear = SMX_NUCLEAR_NONE;
    }
    if (t->slabs) {
        c->nslabs = 2;
        c->slabs[0] = (smx_slab){.z_min_mm = 0.3 * t->nz, .z_max_mm = 0.5 * t->nz, .material = "bone_cortical_icrp"};
        c->slabs[1] = (smx_slab){.z_min_mm = 0.5 * t->nz, .z_max_mm = 0.7 * t->nz, .material = "lung"};
    }
}

/* Uniform random state in [0, 1) / n over bins [lo, hi], seed 42; a few
 * exact zeros so that skipped slabs are exercised; the moments that hs
 * has (not NULL) with centroid offsets in [-0.45, 0.45] and sub-cell
 * variances in [0, 0.075]. */
static inline void random_state(const smx_plan *p, smx_host_state *hs, int lo, int hi)
{
    uint64_t s = 42;
    size_t n = smx__psi_size(p), per = (size_t)p->nt * smx__slab(p);
    double *m[4] = {hs->mx, hs->mz, hs->qx, hs->qz};
    memset(hs->psi, 0, n * sizeof(double));
    for (int k = 0; k < 4; k++)
        if (m[k]) memset(m[k], 0, n * sizeof(double));
    for (size_t k = (size_t)lo * per; k < (size_t)(hi + 1) * per; k++) {
        double u[5];
        for (int r = 0; r < 5; r++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u[r] = (double)(s >> 11) / 9007199254740992.0;
        }
        double w = u[0] < 0.05 ? 0.0 : u[0] / (double)n, ux = 0.9 * (u[1] - 0.5), uz = 0.9 * (u[2] - 0.5);
        hs->psi[k] = w;
        if (hs->mx) hs->mx[k] = w * ux, hs->qx[k] = w * (ux * ux + 0.075 * u[3]);
        if (hs->mz) hs->mz[k] = w * uz, hs->qz[k] = w * (uz * uz + 0.075 * u[4]);
    }
}

/* A host state for a plan: psi, plus the four moment arrays when the
 * plan streams with centroids. */
static inline smx_host_state host_state_alloc(const smx_plan *p)
{
    size_t n = smx__psi_size(p);
    smx_host_state hs = {calloc(n, sizeof(double)), NULL, NULL, NULL, NULL};
    if (p->moments) {
        hs.mx = calloc(n, sizeof(double)), hs.mz = calloc(n, sizeof(double));
        hs.qx = calloc(n, sizeof(double)), hs.qz = calloc(n, sizeof(double));
    }
    return hs;
}

static inline void host_state_free(smx_host_state *hs)
{
    free(hs->psi), free(hs->mx), free(hs->mz), free(hs->qx), free(hs->qz);
    memset(hs, 0, sizeof *hs);
}

typedef struct test_run {
    smx_plan plan;
    const smx_backend_iface *be;
    void *ctx;
    smx_host_state st;
    double *psi, *mx, *mz, *edep; /* aliases of st's arrays */
    smx_op_acct acct[SMX_GRAPH_MAX_NODES];
    int lo, hi;
} test_run;

/* Builds the plan of a case and a context of backend `name` loaded with
 * the arrays init has (the others zero) over bins [lo, hi]. Returns 0 on
 * success. */
static inline int test_run_open(test_run *r, const smx_config *cfg, const char *name,
                                const smx_host_state *init, int lo, int hi, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (smx__plan_build(cfg, &r->plan, err, errlen) != SMX_OK) return 1;
    r->be = smx__backend_find(name);
    if (!r->be) return 1;
    smx_precision prec = strcmp(name, "reference") == 0 ? SMX_PRECISION_FLOAT64 : SMX_PRECISION_FLOAT32;
    if (r->be->create(&r->plan, 0, prec, 0, &r->ctx, err, errlen) != SMX_OK) return 1;
    size_t n = smx__psi_size(&r->plan);
    r->st = host_state_alloc(&r->plan);
    r->psi = r->st.psi, r->mx = r->st.mx, r->mz = r->st.mz;
    r->edep = calloc(smx__slab(&r->plan), sizeof(double));
    r->lo = lo;
    r->hi = hi;
    double *dst[5] = {r->st.psi, r->st.mx, r->st.mz, r->st.qx, r->st.qz};
    const double *src[5] = {init->psi, init->mx, init->mz, init->qx, init->qz};
    for (int k = 0; k < 5; k++)
        if (dst[k] && src[k]) memcpy(dst[k], src[k], n * sizeof(double));
    return r->be->set_state(r->ctx, &r->st, lo, hi, err, errlen) != SMX_OK;
}

/* Runs a graph and downloads psi and edep. */
static inline int test_run_graph(test_run *r, smx_graph *g, char *err, size_t errlen)
{
    g->e_lo = r->lo;
    g->e_hi = r->hi;
    if (r->be->run(r->ctx, g, r->acct, err, errlen) != SMX_OK) return 1;
    r->lo = g->e_lo;
    r->hi = g->e_hi;
    if (r->be->get_state(r->ctx, &r->st, err, errlen) != SMX_OK) return 1;
    return r->be->get_edep(r->ctx, r->edep, err, errlen) != SMX_OK;
}

static inline void test_run_close(test_run *r)
{
    if (r->ctx) r->be->destroy(r->ctx);
    smx__plan_free(&r->plan);
    host_state_free(&r->st);
    free(r->edep);
}

/* Relative imbalance of weight and energy of one op's accounting. */
static inline void op_imbalance(const smx_op_acct *a, double *dw, double *de)
{
    double wl = a->w_rejected + a->w_absorbed + a->w_nuclear + a->w_trimmed;
    double el = a->e_deposited + a->e_nuc_deposited + a->e_nuc_escaped;
    for (int e = 0; e < SMX_EDGE_COUNT; e++) {
        wl += a->w_leak[e];
        el += a->e_leak[e];
    }
    *dw = fabs(a->w_in - a->w_out - wl) / a->w_in;
    *de = fabs(a->e_in - a->e_out - el) / a->e_in;
}

/* Normalised mean squared error sum (a-b)^2 / sum b^2. */
static inline double nmse(const double *a, const double *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t k = 0; k < n; k++) {
        num += (a[k] - b[k]) * (a[k] - b[k]);
        den += b[k] * b[k];
    }
    return den > 0 ? num / den : num;
}

static inline double min_value(const double *a, size_t n)
{
    double m = INFINITY;
    for (size_t k = 0; k < n; k++)
        if (a[k] < m) m = a[k];
    return m;
}

/* The backends that every operator test runs on. */
static const char *const test_backends[] = {"reference", "openmp"};
#define N_TEST_BACKENDS 2

#endif
