/* Zeroed memory for the large state arrays, on huge pages where the OS
 * gives them on request (Linux transparent huge pages in "madvise" mode):
 * a state array is read slab by slab, one 4 KB page or less each, so
 * with 4 KB pages nearly every slab is a TLB miss, and its first touch a
 * page fault. */
#ifndef SMX_CORE_BIGALLOC_H
#define SMX_CORE_BIGALLOC_H

#include <stddef.h>

/* bytes of zeroed memory aligned to 64 bytes (2 MB where huge pages are
 * asked for), or NULL; freed by smx__big_free (NULL is fine). */
void *smx__big_alloc(size_t bytes);
void smx__big_free(void *p);

#endif
