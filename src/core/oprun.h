/* Single operators and step graphs on a backend, through the internal
 * backend interface: a plan, a context and a host copy of the state.
 * Used by the tests and by the validation suite. */
#ifndef SMX_CORE_OPRUN_H
#define SMX_CORE_OPRUN_H

#include "core/backend.h"

typedef struct smx_oprun {
    smx_plan plan;
    const smx_backend_iface *be;
    void *ctx;
    smx_host_state st;
    double *psi, *mx, *mz, *edep; /* psi, mx, mz alias st's arrays */
    smx_op_acct acct[SMX_GRAPH_MAX_NODES];
    int lo, hi;
} smx_oprun;

/* Builds the plan of cfg and a context of `backend` (float64 for
 * reference, float32 otherwise), loaded with the arrays init has (the
 * others zero; init NULL: an empty state) over energy bins [lo, hi]. */
smx_status smx__oprun_open(smx_oprun *r, const char *backend, const smx_config *cfg,
                           const smx_host_state *init, int lo, int hi, char *err, size_t errlen);
/* Runs a graph, then downloads the state and the deposit grid. */
smx_status smx__oprun_graph(smx_oprun *r, smx_graph *g, char *err, size_t errlen);
void smx__oprun_close(smx_oprun *r);

/* A host state for a plan (the moment arrays when it has centroids). */
smx_host_state smx__host_state_alloc(const smx_plan *p);
int smx__host_state_ok(const smx_plan *p, const smx_host_state *hs);
/* The z window a backend gives a host state: the rows [*a, *b] that its
 * bins [lo, hi] occupy (*a > *b: none), and a window of at least hmin
 * rows holding them, *h rows from row *z0 (0 <= *z0 <= nz - *h). */
void smx__host_window(const smx_plan *p, const smx_host_state *s, int lo, int hi, int hmin, int *a,
                      int *b, int *h, int *z0);
void smx__host_state_free(smx_host_state *hs);
/* Uniform random state in [0, 1)/n over bins [lo, hi], seed 42, about 5%
 * exact zeros; the moments hs has with centroid offsets in [-0.45, 0.45]
 * and sub-cell variances in [0, 0.075]. */
void smx__random_state(const smx_plan *p, smx_host_state *hs, int lo, int hi);
/* The one comparison of the tests, crosscheck and validate: normalised
 * mean squared error sum (a - b)^2 / sum b^2 (a or b NULL: 0); and of one
 * operator's accounting, every figure of a against b's relative to what
 * entered b, the worst squared. */
double smx__nmse(const double *a, const double *b, size_t n);
double smx__acct_nmse(const smx_op_acct *a, const smx_op_acct *b);
/* Relative weight and energy imbalance of one operator's accounting. */
void smx__op_imbalance(const smx_op_acct *a, double *dw, double *de);

#endif
