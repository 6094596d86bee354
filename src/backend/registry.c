/* The list of compiled-in backends. */
#include <string.h>

#include "core/backend.h"
#include "core/util.h"

static const smx_backend_iface *const registry[] = {
    &smx__backend_reference,
    &smx__backend_openmp,
#ifdef SMX_HAVE_OPENCL
    &smx__backend_opencl,
#endif
};

int smx__backend_registry_count(void) { return (int)(sizeof registry / sizeof registry[0]); }

const smx_backend_iface *smx__backend_at(int index)
{
    return index >= 0 && index < smx__backend_registry_count() ? registry[index] : NULL;
}

const smx_backend_iface *smx__backend_find(const char *name)
{
    for (int i = 0; i < smx__backend_registry_count(); i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
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
