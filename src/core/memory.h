/* Memory a run needs, estimated from the grids before any large table or
 * state is allocated, and the memory the host can give it. */
#ifndef SMX_CORE_MEMORY_H
#define SMX_CORE_MEMORY_H

#include "core/backend.h"

/* The estimate in bytes: host arrays of the run and the backend, tables,
 * and the state at a window of `rows` rows (a run's first window is
 * SMX_MEM_WINDOW0 rows and grows with the beam; a dense bench state fills
 * nz). state is on the device for a device backend, else on the host. */
typedef struct smx_mem_need {
    double run, tables, state, backend; /* bytes */
    int state_on_device;
} smx_mem_need;

enum { SMX_MEM_WINDOW0 = 8 }; /* first z window of every backend, rows */

/* p: the grids (nx, nz, nt, ne, nmat, moments) of smx__plan_grids. */
void smx__mem_need(const smx_config *cfg, const smx_plan *p, const smx_backend_iface *be,
                   int rows, smx_mem_need *need);

/* Bytes the host can give: the smaller of /proc/meminfo's MemAvailable and
 * the cgroup's limit less its usage; which one in `what`. < 0: unknown. */
double smx__mem_available(char *what, size_t whatlen);

/* SMX_OK when the need (with `rows` as above, plus extra_host bytes of
 * the caller) fits memory_limit_GB (when set) or what the host has; else
 * SMX_ENOMEM with both figures in err. */
smx_status smx__mem_check(const smx_config *cfg, const smx_plan *p, const smx_backend_iface *be,
                          int rows, double extra_host, char *err, size_t errlen);

/* 1 when `more` bytes may still be allocated: within limit_GB of the
 * process's resident memory when a limit is set, else within what the host
 * has (or when that is unknown). *avail: the bytes that may be. */
int smx__mem_grow_ok(double more, double limit_GB, double *avail);

#endif
