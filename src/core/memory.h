/* Memory a run needs, estimated from the grids before any large table or
 * state is allocated, and the memory the host can give it. */
#ifndef SMX_CORE_MEMORY_H
#define SMX_CORE_MEMORY_H

#include "core/backend.h"

/* smx__plan_build with a memory check between the grids and the tables:
 * SMX_OK when what the run needs (host arrays of the run and the backend,
 * tables, and the state: in the backend's first window of window0 rows,
 * which grows with the beam; or, with dense, a state filling every row
 * with its float64 host copy, as the benchmark's) fits memory_limit_GB
 * (when set) or what the host has, and on a device backend the state and
 * tables fit the device; else SMX_ENOMEM with the figures in err and the
 * plan freed. The check counts one medium (nmat is 0 before the tables). */
smx_status smx__plan_build_fitting(const smx_config *cfg, smx_plan *p, const smx_backend_iface *be,
                                   int dense, char *err, size_t errlen);

/* 1 when `more` bytes may still be allocated: within limit_GB of the
 * process's resident memory when a limit is set, else within what the host
 * has (or when that is unknown). *avail: the bytes that may be. */
int smx__mem_grow_ok(double more, double limit_GB, double *avail);

#endif
