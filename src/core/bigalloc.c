/* Large zeroed allocations (see bigalloc.h): an anonymous mapping, with
 * its start and length kept just below the pointer returned; calloc where
 * there is no mmap. Transparent huge pages (MADV_HUGEPAGE) were tried:
 * about 5 % faster on water_100MeV, but where the z window holds rows a
 * slab does not occupy every touched 4 KB became 2 MB resident (the
 * rotation test of validate: 467 -> 874 MB peak), so they are not asked for. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include <stdint.h>
#include <stdlib.h>

#include "core/bigalloc.h"

#define HEADER 64

#if defined(__unix__)
#include <sys/mman.h>

void *smx__big_alloc(size_t bytes)
{
    size_t n = bytes + HEADER;
    if (n < bytes) return NULL;
    char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    char *a = m + HEADER; /* mappings are page aligned */
    ((void **)a)[-1] = m;
    ((size_t *)a)[-2] = n;
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
