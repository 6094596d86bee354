/* The registry: every backend the engine knows, compiled in or not, its
 * traits, and the one rule that resolves a name (or `auto`) to a backend
 * with a device. run, bench, validate and crosscheck all resolve here.
 * Adding a backend: its folder, one line below, its CMake block. */
#include <string.h>

#include "core/backend.h"
#include "core/util.h"

/* Each backend's table, defined in its own folder. */
extern const smx_backend_iface smx__backend_reference;
extern const smx_backend_iface smx__backend_openmp;
#ifdef SMX_HAVE_OPENCL
extern const smx_backend_iface smx__backend_opencl;
#endif
#ifdef SMX_HAVE_VULKAN
extern const smx_backend_iface smx__backend_vulkan;
#endif
#ifdef SMX_HAVE_CUDA
extern const smx_backend_iface smx__backend_cuda;
#endif

typedef struct entry {
    const char *name;
    const smx_backend_iface *iface; /* NULL: not compiled into this build */
} entry;

/* Listed cheapest-to-trust first; `auto` tries them in the opposite
 * order: device backends (taken only on an accelerator: OpenCL on a CPU,
 * as PoCL, is slower than openmp there), then openmp; never the oracle. */
static const entry known[] = {
    {"reference", &smx__backend_reference},
    {"openmp", &smx__backend_openmp},
#ifdef SMX_HAVE_OPENCL
    {"opencl", &smx__backend_opencl},
#else
    {"opencl", NULL},
#endif
#ifdef SMX_HAVE_VULKAN
    {"vulkan", &smx__backend_vulkan},
#else
    {"vulkan", NULL},
#endif
#ifdef SMX_HAVE_CUDA
    {"cuda", &smx__backend_cuda},
#else
    {"cuda", NULL},
#endif
};
#define NKNOWN (int)(sizeof known / sizeof known[0])

int smx__backend_registry_count(void)
{
    int n = 0;
    for (int i = 0; i < NKNOWN; i++) n += known[i].iface != NULL;
    return n;
}

const smx_backend_iface *smx__backend_at(int index)
{
    for (int i = 0; i < NKNOWN && index >= 0; i++)
        if (known[i].iface && index-- == 0) return known[i].iface;
    return NULL;
}

const smx_backend_iface *smx__backend_find(const char *name)
{
    for (int i = 0; i < NKNOWN; i++)
        if (strcmp(known[i].name, name) == 0) return known[i].iface;
    return NULL;
}

const char *smx_backend_known_name(int index)
{
    return index >= 0 && index < NKNOWN ? known[index].name : NULL;
}

int smx__backend_is_known(const char *name)
{
    if (strcmp(name, "auto") == 0) return 1;
    for (int i = 0; i < NKNOWN; i++)
        if (strcmp(known[i].name, name) == 0) return 1;
    return 0;
}

const char *smx_backend_names(void) { return "reference|openmp|opencl|vulkan|cuda|auto"; }

smx_status smx__backend_resolve(const char *name, int device, const char *key,
                                const smx_backend_iface **out, char *err, size_t errlen)
{
    char why[256] = "";
    int d = device < 0 ? 0 : device; /* unset: the backend resolves its default at create */
    if (strcmp(name, "auto") == 0) {
        for (int i = NKNOWN - 1; i >= 0; i--) {
            const smx_backend_iface *b = known[i].iface;
            if (!b || b->kind == SMX_BACKEND_ORACLE) continue;
            if (b->device_count(why, sizeof why) > d &&
                (b->kind == SMX_BACKEND_HOST || (b->accelerator && b->accelerator(d)))) {
                *out = b;
                return SMX_OK;
            }
        }
        smx__err(err, errlen, "%s: auto found no backend with device %d", key, d);
        return SMX_ENODEV;
    }
    if (!smx__backend_is_known(name)) {
        smx__err(err, errlen, "%s: unknown backend '%s' (expected %s)", key, name,
                 smx_backend_names());
        return SMX_EINVAL;
    }
    const smx_backend_iface *b = smx__backend_find(name);
    if (!b) {
        smx__err(err, errlen, "%s: '%s' is not compiled into this build", key, name);
        return SMX_ENODEV;
    }
    int n = b->device_count(why, sizeof why);
    if (d >= n) {
        smx__err(err, errlen, "%s: %s has %d device(s), device %d requested%s%s", key, name, n, d,
                 why[0] ? ": " : "", why);
        return SMX_ENODEV;
    }
    *out = b;
    return SMX_OK;
}

smx_status smx_backend_resolve(const char *name, int device, char *resolved, size_t len, char *err,
                               size_t errlen)
{
    const smx_backend_iface *b = NULL;
    smx_status st = smx__backend_resolve(name, device, "backend", &b, err, errlen);
    if (st == SMX_OK && resolved && len) snprintf(resolved, len, "%s", b->name);
    return st;
}

int smx_backend_count(void) { return smx__backend_registry_count(); }

const char *smx_backend_name(int index)
{
    const smx_backend_iface *b = smx__backend_at(index);
    return b ? b->name : NULL;
}

int smx_backend_device_count(const char *backend, char *why, size_t whylen)
{
    const smx_backend_iface *b = smx__backend_find(backend);
    if (!b) {
        smx__err(why, whylen, "backend '%s' is not compiled into this build", backend);
        return 0;
    }
    return b->device_count(why, whylen);
}

smx_status smx_backend_device_name(const char *backend, int device, char *buf, size_t buflen)
{
    const smx_backend_iface *b = smx__backend_find(backend);
    if (!b) return SMX_ENODEV;
    return b->device_name(device, buf, buflen);
}
