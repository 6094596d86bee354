/* The cross-check harness: one table of canonical cases (each operator
 * alone, whole steps, whole runs; small odd grids, the seed grids, full
 * circle and window theta, backward angles, beams at 0/30/45 deg and near
 * an edge) run on a backend and on the float64 reference; every case
 * compares the state, the deposited energy and every accounting figure
 * by their normalised mean squared error (bar 1e-7). It never prints:
 * rows go to the caller. */
#ifndef SMX_CROSSCHECK_H
#define SMX_CROSSCHECK_H

#include "smatrix2d/smatrix2d.h"

#define SMX_XCHECK_BAR 1e-7

typedef struct smx_xrow {
    char backend[SMX_NAME_LEN];
    char name[192];     /* canonical: op/stream/grid=7x9x11x13/theta=window/... */
    double nmse_state;  /* psi and, with centroids, its moments (worst) */
    double nmse_dose;   /* deposited energy */
    double nmse_acct;   /* every accounting figure, relative to the weight/energy in */
    int pass;
    char why[256];      /* a run that could not be made */
} smx_xrow;

typedef void (*smx_xrow_fn)(void *user, const smx_xrow *row);

/* How the device backend runs (run.accumulation, run.scatter); the case
 * names say it when it is not the default. gemm falls back to stencil on
 * cases with several media (gemm needs one kernel matrix per bin). */
typedef struct smx_xvariant {
    smx_accumulation accumulation;
    smx_scatter_impl scatter;
} smx_xvariant;

/* Runs every case on `backend` against reference; quick: the small grids
 * only. Returns SMX_OK when every case ran (passed or not). */
smx_status smx__crosscheck(const char *backend, const smx_xvariant *v, int quick, smx_xrow_fn on_row,
                           void *user, int *passed, int *failed, char *err, size_t errlen);

#endif
