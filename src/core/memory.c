/* Memory estimate of a run (see memory.h). The figures follow the
 * allocations of run.c, plan.c, dev_tables.c and the backends' create
 * (openmp: two state copies with a slab of padding, per-thread deposit and
 * scratch planes; reference: two float64 copies; device: two copies on the
 * device and 16 MB of staging on the host). */
#define _POSIX_C_SOURCE 200809L /* sysconf */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/memory.h"
#include "core/util.h"

#define GB 1e9

/* The estimate in bytes; state is on the device for a device backend. */
typedef struct mem_need {
    double run, tables, state, backend;
    int rows; /* the state's window, clamped to the grid */
} mem_need;

static void estimate(const smx_config *cfg, const smx_plan *p, const smx_backend_iface *be,
                     int rows, mem_need *need)
{
    double S = (double)p->nz * p->nx, nt = p->nt;
    double me = (double)(p->nmat > 0 ? p->nmat : 1) * p->ne; /* before the media: one */
    int H = rows < 1 ? 1 : rows > p->nz ? p->nz : rows;
    double arrays = p->moments ? 5 : 1, cells = (double)p->ne * nt * H * p->nx;
    int threads = cfg->threads > 0 ? cfg->threads : 1;
    memset(need, 0, sizeof *need);
    need->rows = H;
    /* run.c: entrance deposit, deposit and dose planes, the idd; the host
     * state of the injection is touched on its first row only */
    need->run = 3 * 8 * S + 8.0 * p->nz + 8 * arrays * cells / H;
    if (cfg->idd_resolution_mm > 0) need->run += 2 * 8 * (double)p->ne * nt * p->nz;
    /* plan.c and dev_tables.c: per (medium, bin) the energy kernels and
     * secondaries, per (medium, bin, angle) the deposit offsets in double
     * and float, the angular kernels (half width <= nt), the media plane */
    need->tables = me * (SMX_EK_MAX * 12.0 + 16 * 8) + me * nt * (24 + 16) +
                   2 * me * (nt + 1) * 12 + me * p->ne * 12 + 2 * S;
    switch (be->kind) {
    case SMX_BACKEND_ORACLE:
        need->state = 2 * arrays * cells * 8;
        need->backend = 8 * S;
        break;
    case SMX_BACKEND_HOST:
        need->state = 2 * arrays * (S + cells) * 4;
        need->backend = threads * S * (8 + 18 * 4.0); /* deposit + scratch per thread */
        break;
    case SMX_BACKEND_DEVICE:
        need->state = 2 * arrays * cells * 4 + 8 * S;
        need->backend = 16e6 + 8 * S;
        break;
    }
}

/* A number from the first line of a file, or -1 ("max" or missing). */
static double file_number(const char *path)
{
    FILE *f = fopen(path, "r");
    double v = -1;
    if (!f) return -1;
    if (fscanf(f, "%lf", &v) != 1) v = -1;
    fclose(f);
    return v;
}

/* A /proc/meminfo figure in bytes, or -1. */
static double meminfo(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    double v = -1, kb;
    char line[256], fmt[64];
    if (!f) return -1;
    snprintf(fmt, sizeof fmt, "%s: %%lf kB", key);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, fmt, &kb) == 1) v = kb * 1024;
    fclose(f);
    return v;
}

/* Bytes the host can give: the smaller of /proc/meminfo's MemAvailable and
 * the cgroup's limit less its usage; which one in `what`. < 0: unknown. */
static double mem_available(char *what, size_t whatlen)
{
    double avail = meminfo("MemAvailable");
    snprintf(what, whatlen, "MemAvailable in /proc/meminfo");
    /* cgroup v2, then v1: the limit less what the group uses */
    const char *lim[] = {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    const char *use[] = {"/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory/memory.usage_in_bytes"};
    for (int k = 0; k < 2; k++) {
        double l = file_number(lim[k]), u = file_number(use[k]);
        if (l <= 0 || l >= 1e18 || u < 0) continue; /* unlimited or absent */
        if (avail < 0 || l - u < avail) {
            avail = l - u > 0 ? l - u : 0;
            snprintf(what, whatlen, "the cgroup's limit less its usage, %s", lim[k]);
        }
        break;
    }
    return avail;
}

int smx__mem_grow_ok(double more, double limit_GB, double *avail)
{
    char what[160];
    if (limit_GB > 0) {
        long pages = 0, resident = 0;
        FILE *f = fopen("/proc/self/statm", "r");
        if (f) {
            if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
            fclose(f);
        }
        *avail = limit_GB * GB - (double)resident * (double)sysconf(_SC_PAGESIZE);
        return more <= *avail;
    }
    *avail = mem_available(what, sizeof what);
    return *avail < 0 || more <= *avail;
}

static smx_status mem_check(const smx_config *cfg, const smx_plan *p, const smx_backend_iface *be,
                            int rows, double extra_host, char *err, size_t errlen)
{
    mem_need n;
    estimate(cfg, p, be, rows, &n);
    n.run += extra_host;
    int on_device = be->kind == SMX_BACKEND_DEVICE;
    double host = n.run + n.tables + n.backend + (on_device ? 0 : n.state);
    char what[160];
    double avail;
    if (cfg->memory_limit_GB > 0) {
        avail = cfg->memory_limit_GB * GB;
        snprintf(what, sizeof what, "run.memory_limit_GB");
    } else {
        avail = mem_available(what, sizeof what);
    }
    double dev = on_device && be->device_memory ? be->device_memory(cfg->device) : -1;
    if (dev > 0 && n.state + n.tables > dev) {
        smx__err(err, errlen, "%s%sthe run needs about %.3g GB of %s device memory (grid ne x nt x "
                 "nz x nx = %d x %d x %d x %d: the state in a window of %d rows %.3g GB, tables "
                 "%.3g GB) but device %d has %.3g GB (expected a smaller grid)", cfg->source_path,
                 cfg->source_path[0] ? ": " : "", (n.state + n.tables) / GB, be->name, p->ne,
                 p->nt, p->nz, p->nx, n.rows, n.state / GB, n.tables / GB,
                 cfg->device < 0 ? 0 : cfg->device, dev / GB);
        return SMX_ENOMEM;
    }
    if (avail < 0 || host <= avail) return SMX_OK;
    smx__err(err, errlen, "%s%sthe run needs about %.3g GB of host memory (grid ne x nt x "
             "nz x nx = %d x %d x %d x %d: dose planes and run arrays %.3g GB, tables %.3g GB, "
             "%s state in a window of %d rows %.3g GB on the %s, backend %.3g GB) but "
             "%.3g GB is available (%s; expected a smaller grid, or run.memory_limit_GB)",
             cfg->source_path, cfg->source_path[0] ? ": " : "", host / GB, p->ne, p->nt,
             p->nz, p->nx, n.run / GB, n.tables / GB, be->name, n.rows, n.state / GB,
             on_device ? "device" : "host", n.backend / GB, avail / GB, what);
    return SMX_ENOMEM;
}

smx_status smx__plan_build_fitting(const smx_config *cfg, smx_plan *p, const smx_backend_iface *be,
                                   int dense, char *err, size_t errlen)
{
    smx_status st = smx__plan_grids(cfg, p, err, errlen);
    if (st != SMX_OK) return st;
    double host_copy = dense ? 8.0 * smx__psi_size(p) * (p->moments ? 5 : 1) : 0;
    if ((st = mem_check(cfg, p, be, dense ? p->nz : be->window0, host_copy, err, errlen)) != SMX_OK)
        smx__plan_free(p);
    return st == SMX_OK ? smx__plan_tables(cfg, p, err, errlen) : st;
}
