/* Large zeroed allocations (see bigalloc.h): an anonymous mapping (zeroed
 * by the OS, pages faulted in on first touch) advised MADV_HUGEPAGE, with
 * the mapping's start and length kept just below the pointer returned;
 * calloc where the OS has neither. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */

#include <stdint.h>
#include <stdlib.h>

#include "core/bigalloc.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HEADER 64

#if defined(__linux__) && defined(MADV_HUGEPAGE)
#define HUGE_BYTES ((size_t)2 << 20)

void *smx__big_alloc(size_t bytes)
{
    size_t n = bytes + HEADER + HUGE_BYTES; /* room to start the data on a 2 MB boundary */
    if (n < bytes) return NULL;
    char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    char *a = (char *)(((uintptr_t)m + HEADER + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
    ((void **)a)[-1] = m;
    ((size_t *)a)[-2] = n;
    madvise(a, (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1), MADV_HUGEPAGE); /* a hint: failure is fine */
    return a;
}

void smx__big_free(void *p)
{
    if (p) munmap(((void **)p)[-1], ((size_t *)p)[-2]);
}
#else
void *smx__big_alloc(size_t bytes)
{
    char *m = calloc(bytes + 2 * HEADER, 1);
    if (!m) return NULL;
    char *a = (char *)(((uintptr_t)m + 2 * HEADER - 1) & ~(uintptr_t)(HEADER - 1));
    ((void **)a)[-1] = m;
    return a;
}

void smx__big_free(void *p)
{
    if (p) free(((void **)p)[-1]);
}
#endif
