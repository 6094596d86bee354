/* The plan's tables in the forms a backend's operators read, built once in
 * core for every backend (openmp on the host; opencl, and the device
 * backends to come, upload them as they are): float kernel weights, the
 * A_E gather lists per medium, accounting factors, and the integer bases
 * and float remainders of A_stream and the A_E deposit. */
#ifndef SMX_CORE_DEV_TABLES_H
#define SMX_CORE_DEV_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"

/* absorbed, nuclear, deposited, nuclear local, escaped, secondary weight
 * and energy: the factors of A_E's accounting per (medium, bin) */
enum { SMX_ENERGY_FACTORS = 7 };

typedef struct smx_dev_tables {
    /* A_theta, per (variant, medium, bin): kernel weights [2*kmax+1]
     * (ker), and per theta bin the kernel mass off the window (0 on a
     * full circle), in double (host accounting) and float (devices) */
    size_t ker;
    float *kw;          /* [variant][nmat][ne][ker] */
    double *kleak;      /* [variant][nmat][ne][nt] */
    float *kleak_f;     /* the same in float */
    /* A_E: gather lists, per medium m output bin k takes gsrc[g] with
     * weight gw[g] for g in [gstart[m][k], gstart[m][k+1]) */
    int *gstart;        /* [nmat][ne + 1], offsets into the whole list */
    int *gsrc;
    float *gw;
    int ngather;
    float *efac;        /* [SMX_ENERGY_FACTORS][nmat * ne] */
    double *created;    /* [nmat * ne] secondary weight a source bin creates
                           (smx__created_weight_f32) */
    /* A_stream per theta: first target cell b = floor(shift - 1/2) and the
     * place r = shift - b of a centred parcel, per axis (x, z) */
    int *sb;            /* [nt][2] */
    float *sr;          /* [nt][2] */
    int stream_shift[4]; /* where a cell's pieces land (smx__stream_shift) */
    /* A_E deposit per (medium, bin, theta): base b = floor(o) - 1 of the
     * table offset o and r = o - b, per axis; per (bin, theta) the bounds
     * of b over the media (x lo, x hi, z lo, z hi); per bin the cells a
     * deposit can reach from its source cell (rows d[0] .. d[1], columns
     * d[2] .. d[3] on, as smx__box_shift takes them) */
    float *dep;         /* [nmat * ne] MeV deposited per unit weight */
    int *db;            /* [nmat][ne][nt][2] */
    float *dr;          /* [nmat][ne][nt][2] */
    int *dbb;           /* [ne][nt][4] */
    int *reach;         /* [ne][4] */
    /* cells: the medium of every cell, then (several media) dep_allow
     * [nmat][nmat] and 1 per interface medium */
    uint8_t *mat;
    size_t mat_bytes;
    float *e_MeV;       /* [ne] bin centres */
} smx_dev_tables;

smx_status smx__dev_tables_build(const smx_plan *p, smx_dev_tables *t);
void smx__dev_tables_free(smx_dev_tables *t);

#endif
