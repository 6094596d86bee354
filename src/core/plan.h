/* The host-side model of one run: grids and every lookup table the
 * operators read. Built once per run in double precision (DESIGN.md
 * principle 1); backends only read it and move weight. */
#ifndef SMX_CORE_PLAN_H
#define SMX_CORE_PLAN_H

#include <stdint.h>
#include "smatrix2d/smatrix2d.h"
#include "core/material.h"

/* Kernel variants of A_theta: the full step, and the half step of Strang. */
enum { SMX_KERNEL_FULL = 0, SMX_KERNEL_HALF, SMX_KERNEL_VARIANTS };

/* Centroid streaming: a parcel's sub-cell variance (cell widths^2) below
 * this is taken as 0 (a point). A float32 state keeps the second moment
 * only to ~1e-7 of u^2, so smaller variances are noise; the threshold
 * keeps float and double backends on the same side (width 0.0035 cell). */
#define SMX_PARCEL_MIN_VARIANCE 1e-6

/* Most target bins of one energy bin's A_E kernel. */
#define SMX_EK_MAX 12

typedef struct smx_plan {
    /* grid: psi[ie][it][iz][ix], x fastest */
    int nx, nz, nt, ne, nmat;
    double x_min_mm, dx_mm, dz_mm, dy_mm;
    double *x_mm, *z_mm;         /* [nx], [nz] cell centres */
    double *theta_rad;           /* [nt] bin centres */
    double dtheta_rad;
    int full_circle;
    double *e_edge_MeV;          /* [ne+1] */
    double *e_center_MeV;        /* [ne]: the energy of every proton in the bin */
    double step_mm;
    int lockstep;
    int moments;                 /* centroid streaming: mx, mz, qx, qz travel with psi */
    double trim_weight;          /* A_E stops an edge energy bin holding less */

    /* media */
    smx_material *mat;           /* [nmat] */
    int *mat_upstream;           /* [nmat] interface media: the medium before
                                    the interface along z; -1 otherwise */
    uint8_t *dep_allow;          /* [nmat][nmat] 1 when energy lost in the first
                                    medium may be deposited in a cell of the
                                    second (same medium, or the upstream one of
                                    an interface medium); A_E moves a deposit
                                    piece that would land elsewhere back onto
                                    its source cell, so no energy crosses a
                                    change of medium or density */
    uint8_t *cell_mat;           /* [nz*nx] material index of each cell */

    /* A_theta: per (variant, material, energy) a symmetric kernel w[k],
     * k = -kmax..kmax stored at [k + kmax]; k_half is its actual half width. */
    int kmax;
    int *k_half;                 /* [variant][nmat][ne] */
    double *k_weight;            /* [variant][nmat][ne][2*kmax+1] */
    double *sigma2_rad2;         /* [nmat][ne] variance of one full step */
    uint8_t *theta_rejected;     /* [nt]: 1 beyond max_angle_deg */

    /* A_stream: per theta bin, the source cell (ix, iz) lands on
     * ix + sx0 + {0, 1} with weights {1 - sfx, sfx}, likewise in z. */
    int *sx0, *sz0;              /* [nt] */
    double *sfx, *sfz;           /* [nt] in [0, 1) */

    /* A_E: per (medium, energy bin) a proton survives nuclear removal
     * with probability e_survive; a survivor's post-step energy is spread
     * over e_count consecutive bins from e_first with weights e_w (the
     * mean-keeping two-bin split, widened by energy straggling); e_first =
     * -1 absorbs it. Per incoming proton: e_dep_MeV is deposited by energy
     * loss (E_i minus the mean energy kept, or E_i when absorbed, times
     * e_survive), e_nuc_local_MeV is deposited by nuclear secondaries and
     * e_nuc_escape_MeV leaves with them. */
    int *e_first;                /* [nmat][ne] */
    int *e_count;                /* [nmat][ne], <= SMX_EK_MAX */
    double *e_w;                 /* [nmat][ne][SMX_EK_MAX], sum = e_survive (0 if absorbed) */
    double *e_survive;           /* [nmat][ne] */
    double *e_absorbed;          /* [nmat][ne] weight absorbed at the cutoff per
                                    incoming proton (stopped: e_survive) */
    double *e_dep_MeV;           /* [nmat][ne] */
    double *e_nuc_local_MeV;     /* [nmat][ne] */
    double *e_nuc_escape_MeV;    /* [nmat][ne] */
    double *e_var_missing_MeV2;  /* [nmat][ne] straggling variance the grid could not hold */
    /* Secondary protons (transport.secondaries: transport): per incoming
     * proton of (medium, bin) mi, weight s_w[n] is put on bin s_bin[n] of
     * the same cell and direction, n in [s_off[mi], s_off[mi + 1]);
     * s_weight[mi] is their sum and s_energy_MeV[mi] the energy they carry
     * (part of what the removed protons had; e_nuc_* hold the rest). */
    int *s_off;                  /* [nmat * ne + 1] */
    int *s_bin;                  /* [s_off[nmat * ne]] */
    double *s_w;
    double *s_weight, *s_energy_MeV; /* [nmat][ne]; NULL without secondaries */
    int s_cap;
    /* Fine depth tally (output.idd_resolution_mm): per (medium, bin) the
     * loss profile along the path (fine_idd.h); NULL without the tally. */
    double *fine_prof;
    /* Where that energy is deposited, relative to the cell the proton
     * ends the step in: the centroid of the loss along the step
     * (docs/physics.md, "Where the energy is deposited (half-cell
     * conventions)"); cells dx0 + {0,1}, dz0 + {0,1}, clamped to
     * the grid. */
    int *dx0, *dz0;              /* [nmat][ne][nt] */
    double *dfx, *dfz;           /* [nmat][ne][nt] */
} smx_plan;

static inline size_t smx__psi_size(const smx_plan *p)
{
    return (size_t)p->ne * p->nt * p->nz * p->nx;
}
static inline size_t smx__slab(const smx_plan *p) { return (size_t)p->nz * p->nx; }

/* 1 when energy lost by a proton of cell medium m may be deposited in cell
 * q (see dep_allow). */
static inline int smx__deposit_allowed(const smx_plan *p, int m, size_t q)
{
    return p->nmat == 1 || p->dep_allow[(size_t)m * p->nmat + p->cell_mat[q]];
}

/* A bin's protons taken as spread uniformly in range between its edges:
 * the energy of the s-th of SMX_SUBBIN (medium m), for the deposit split
 * and the fine tally's loss profiles. */
#define SMX_SUBBIN 16
double smx__subbin_energy(const smx_plan *p, const smx_material *m, int i, int s);

/* Lockstep: the widest range bin (mm of water), and the range bins per
 * step for a step (plan.c). */
#define SMX_LOCKSTEP_BIN_MM 1.0
int smx__lockstep_sub_bins(double step_mm);

/* Builds the plan from a checked configuration: smx__plan_grids (the
 * x, z, theta and energy grids: small; nmat is 0) then smx__plan_tables
 * (the media of every cell and every table), so that a run can check its
 * memory in between; smx__plan_build does both. On failure the plan is
 * freed. */
smx_status smx__plan_grids(const smx_config *cfg, smx_plan *plan, char *err, size_t errlen);
smx_status smx__plan_tables(const smx_config *cfg, smx_plan *plan, char *err, size_t errlen);
smx_status smx__plan_build(const smx_config *cfg, smx_plan *plan, char *err, size_t errlen);
void smx__plan_free(smx_plan *plan);

/* A_E as a gather for medium m: output bin k takes weight gw[g] of
 * source bin gsrc[g] for g in [gstart[k], gstart[k + 1]) (gstart has
 * ne + 1 entries): the post-step kernel and the secondary protons of the
 * source, summed, nuclear survival included; sources in increasing order.
 * gsrc and gw need room for smx__ae_gather_cap(p) entries. Returns the
 * count, or -1 without memory. */
size_t smx__ae_gather_cap(const smx_plan *p);
/* The secondary weight a float32 backend creates per incoming proton of
 * table entry mi: what its float weights keep, less the survivors, so that
 * its weight accounting closes with the weights it really moves. */
double smx__created_weight_f32(const smx_plan *p, size_t mi);
int smx__ae_gather(const smx_plan *p, int m, int *gstart, int *gsrc, double *gw);

/* Occupied energy range after A_E, from the tables alone: every bin in
 * [lo, hi] may send weight to the returned range; returns 0 when empty. */
int smx__energy_range_after(const smx_plan *p, int lo, int hi, int *new_lo, int *new_hi);

/* Occupied range after an operator (only A_E changes it); empty is
 * lo = 0, hi = -1. */
static inline void smx__range_after_op(const smx_plan *p, int op, int *lo, int *hi)
{
    if (op == SMX_OP_ENERGY && !smx__energy_range_after(p, *lo, *hi, lo, hi)) {
        *lo = 0;
        *hi = -1;
    }
}

#endif
