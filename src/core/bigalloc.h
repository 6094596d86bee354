/* Zeroed memory for the large state arrays, straight from the OS: its
 * pages are faulted in when first touched, so the energy bins and rows a
 * beam never reaches cost nothing, and it goes back to the OS when freed.
 * (calloc may serve a large block from glibc's heap, once freeing a block
 * of that size has raised glibc's mmap threshold: it then clears the whole
 * block, and the heap keeps the memory after the free.) */
#ifndef SMX_CORE_BIGALLOC_H
#define SMX_CORE_BIGALLOC_H

#include <stddef.h>

/* bytes of zeroed memory aligned to 64 bytes, or NULL; freed by
 * smx__big_free (NULL is fine). */
void *smx__big_alloc(size_t bytes);
void smx__big_free(void *p);

#endif
