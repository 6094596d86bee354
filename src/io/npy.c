/* NumPy .npy writer (format version 1.0, little-endian float64, C order).
 * The file is written to PATH.tmp.<pid> and renamed into place, so a reader
 * never sees a half-written array. */
#define _POSIX_C_SOURCE 200809L

#include "smatrix2d/smatrix2d.h"
#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_PREAMBLE 10 /* magic, version (2 bytes), header length (2 bytes) */
#define NPY_ALIGN 64
#define NPY_CHUNK 4096 /* doubles per write when bytes must be swapped */

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Fills hdr with the preamble and the padded header dict; returns the
 * number of bytes, a multiple of NPY_ALIGN. */
static size_t npy_header(unsigned char hdr[256], int rows, int cols)
{
    char dict[128];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows,
                     cols);
    size_t total = (size_t)NPY_PREAMBLE + (size_t)n + 1; /* + '\n' */
    total = (total + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    size_t hlen = total - NPY_PREAMBLE;

    memcpy(hdr, NPY_MAGIC, NPY_MAGIC_LEN);
    hdr[6] = 1; /* major version */
    hdr[7] = 0; /* minor version */
    hdr[8] = (unsigned char)(hlen & 0xff);
    hdr[9] = (unsigned char)(hlen >> 8);
    memcpy(hdr + NPY_PREAMBLE, dict, (size_t)n);
    memset(hdr + NPY_PREAMBLE + n, ' ', hlen - (size_t)n - 1);
    hdr[total - 1] = '\n';
    return total;
}

static void to_little_endian(unsigned char *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b[sizeof(double)];
        memcpy(b, &src[i], sizeof b);
        for (size_t k = 0; k < sizeof b; k++)
            dst[i * sizeof b + k] = b[sizeof b - 1 - k];
    }
}

/* 0 on success, else an errno value (EIO when the C library gave none). */
static int write_data(FILE *f, const double *data, size_t n)
{
    errno = 0;
    if (host_is_little_endian()) {
        if (n > 0 && fwrite(data, sizeof(double), n, f) != n)
            return errno ? errno : EIO;
        return 0;
    }
    unsigned char buf[NPY_CHUNK * sizeof(double)];
    for (size_t i = 0; i < n; i += NPY_CHUNK) {
        size_t m = n - i < NPY_CHUNK ? n - i : NPY_CHUNK;
        to_little_endian(buf, data + i, m);
        if (fwrite(buf, sizeof(double), m, f) != m)
            return errno ? errno : EIO;
    }
    return 0;
}

static int write_file(const char *path, const unsigned char *hdr, size_t hdrlen,
                      const double *data, size_t n)
{
    errno = 0;
    FILE *f = fopen(path, "wb");
    if (!f)
        return errno ? errno : EIO;
    int e = 0;
    if (fwrite(hdr, 1, hdrlen, f) != hdrlen)
        e = errno ? errno : EIO;
    if (!e)
        e = write_data(f, data, n);
    errno = 0;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    return e;
}

smx_status smx_write_npy_f64(const char *path, const double *data, int rows, int cols,
                             char *err, size_t errlen)
{
    if (!path || !*path || rows < 0 || cols < 0) {
        smx__err(err, errlen, "smx_write_npy_f64: invalid path or shape");
        return SMX_EINVAL;
    }
    size_t n = (size_t)rows * (size_t)cols;
    if (cols > 0 && n / (size_t)cols != (size_t)rows) {
        smx__err(err, errlen, "%s: array too large", path);
        return SMX_EINVAL;
    }
    if (!data && n > 0) {
        smx__err(err, errlen, "smx_write_npy_f64: %s: no data", path);
        return SMX_EINVAL;
    }

    size_t tmplen = strlen(path) + 32;
    char *tmp = malloc(tmplen);
    if (!tmp) {
        smx__err(err, errlen, "%s: out of memory", path);
        return SMX_ENOMEM;
    }
    snprintf(tmp, tmplen, "%s.tmp.%ld", path, (long)getpid());

    unsigned char hdr[256];
    size_t hdrlen = npy_header(hdr, rows, cols);
    int e = write_file(tmp, hdr, hdrlen, data, n);
    if (!e) {
        errno = 0;
        if (rename(tmp, path) != 0)
            e = errno ? errno : EIO;
    }
    if (e) {
        remove(tmp);
        smx__err(err, errlen, "%s: %s", path, strerror(e));
    }
    free(tmp);
    return e ? SMX_EIO : SMX_OK;
}
