/* The device backends' environment variables, read one way: flags
 * (SMX_<BACKEND>_NO_FP64, _POISON, _PROFILE, ...), the default device
 * (SMX_<BACKEND>_DEVICE) and the test knobs' numbers (SMX_DEV_SLOT_CAP,
 * SMX_DEV_ARENA_BYTES). */
#include <stdlib.h>
#include <string.h>

#include "backend/common/dev.h"
#include "core/util.h"

int smx__dev_env_flag(const char *name)
{
    const char *s = getenv(name);
    return s && *s && strcmp(s, "0") != 0;
}

long smx__dev_env_long(const char *name, long lo, long hi, long unset)
{
    const char *s = getenv(name);
    long v = s ? strtol(s, NULL, 10) : 0;
    return s && v >= lo && v <= hi ? v : unset;
}

smx_status smx__dev_env_device(const char *backend, const char *var, int *device, char *err,
                               size_t errlen)
{
    if (*device >= 0) return SMX_OK;
    const char *s = getenv(var);
    *device = 0;
    if (!s || !*s) return SMX_OK;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 0 || v > 1023) {
        smx__err(err, errlen, "%s backend: %s='%s' is not a device index (expected an integer >= 0; "
                 "see smatrix2d devices)", backend, var, s);
        return SMX_EINVAL;
    }
    *device = (int)v;
    return SMX_OK;
}
