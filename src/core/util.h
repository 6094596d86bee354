/* Small helpers shared by the core. */
#ifndef SMX_CORE_UTIL_H
#define SMX_CORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void smx__err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void smx__err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

double smx__now_s(void);
/* The process's peak resident memory in MB (getrusage; 0 if unknown). */
double smx__peak_rss_MB(void);

static inline int smx__clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); } /* monotonic clock, seconds */

#define SMX_MEV_TO_J 1.602176634e-13 /* J per MeV (CODATA exact) */
#define SMX_PROTON_MASS_MEV 938.272  /* m_p c^2 (PDG), docs/physics.md */
#define SMX_PI 3.14159265358979323846

#endif
