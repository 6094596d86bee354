/* Material maps for tests: a uint8 .npy written by hand in a temporary
 * file, and a configuration that uses it. Needs mkstemp (POSIX 2008: the
 * includer defines _POSIX_C_SOURCE or _XOPEN_SOURCE first). */
#ifndef SMX_TEST_MAP_FILE_H
#define SMX_TEST_MAP_FILE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smatrix2d/smatrix2d.h"

/* Writes a uint8 .npy [nz][nx] by hand (the library writes float64 only). */
static inline void write_u8_npy(const char *path, const unsigned char *v, int nz, int nx)
{
    char dict[128];
    int n = snprintf(dict, sizeof dict, "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, %d), }",
                     nz, nx);
    int total = 10 + n + 1, pad = (64 - total % 64) % 64;
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    unsigned short hl = (unsigned short)(n + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(hl & 0xff, f);
    fputc(hl >> 8, f);
    fwrite(dict, 1, n, f);
    for (int k = 0; k < pad; k++) fputc(' ', f);
    fputc('\n', f);
    fwrite(v, 1, (size_t)nz * nx, f);
    fclose(f);
}

/* Makes c use map m [nz][nx] (a uint8 .npy in a temporary file, named in
 * path) with the materials listed, in order; no slabs. */
static inline void use_map(smx_config *c, const unsigned char *m, int nz, int nx, char *path,
                           const char *const *materials, int n)
{
    strcpy(path, "/tmp/smx_map_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    write_u8_npy(path, m, nz, nx);
    c->nslabs = 0;
    snprintf(c->material_map, sizeof c->material_map, "%s", path);
    c->nmaterials = n;
    for (int k = 0; k < n; k++) snprintf(c->materials[k], SMX_NAME_LEN, "%s", materials[k]);
}

#endif
