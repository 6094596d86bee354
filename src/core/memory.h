/* Memory a run needs, estimated from the grids before any large table or
 * state is allocated, and the memory the host can give it. */
#ifndef SMX_CORE_MEMORY_H
#define SMX_CORE_MEMORY_H

#include "core/backend.h"

/* SMX_OK when what a run needs (host arrays of the run and the backend,
 * tables, and the state in a window of `rows` rows: a run's first window
 * is the backend's window0 and grows with the beam, a dense bench state
 * fills nz; plus extra_host bytes of the caller) fits memory_limit_GB (when
 * set) or what the host has, and on a device backend the state and tables
 * fit the device; else SMX_ENOMEM with the figures in err. p: the grids of
 * smx__plan_grids (nmat is still 0 there: one medium is counted). */
smx_status smx__mem_check(const smx_config *cfg, const smx_plan *p, const smx_backend_iface *be,
                          int rows, double extra_host, char *err, size_t errlen);

/* smx__plan_build with smx__mem_check between the grids and the tables;
 * the plan is freed on failure. */
smx_status smx__plan_build_fitting(const smx_config *cfg, smx_plan *p, const smx_backend_iface *be,
                                   int rows, double extra_host, char *err, size_t errlen);

/* 1 when `more` bytes may still be allocated: within limit_GB of the
 * process's resident memory when a limit is set, else within what the host
 * has (or when that is unknown). *avail: the bytes that may be. */
int smx__mem_grow_ok(double more, double limit_GB, double *avail);

#endif
