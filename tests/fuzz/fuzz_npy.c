/* libFuzzer harness for the .npy reader (src/io/npy_read.h): every input is
 * written to a file and read with smx__npy_read. Besides the sanitizers'
 * findings, the reader's contract is checked: on success the array is
 * consistent (dtype one of the supported ones, count = product of the shape,
 * data not NULL, the file long enough for the data); on failure the struct
 * is empty, a status other than SMX_OK is returned and err names the file. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, in fuzz_tmp.h */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "io/npy_read.h"
#include "smatrix2d/smatrix2d.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const dtypes[] = {"|u1", "|i1", "<u2", "<i2", "<u4",
                                     "<i4", "<u8", "<i8", "<f4", "<f8"};

static size_t dtype_size(const char *dt)
{
    for (size_t k = 0; k < sizeof dtypes / sizeof *dtypes; k++)
        if (!strcmp(dt, dtypes[k])) return (size_t)(dt[2] - '0');
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_write("input.npy", data, size);
    smx__npy_array a;
    memset(&a, 0x5a, sizeof a); /* the reader must overwrite it either way */
    char err[1024];
    err[0] = '\0';
    smx_status st = smx__npy_read(path, &a, err, sizeof err);
    if (fuzz_verbose())
        fprintf(stderr, "  %s %s\n", smx_status_name(st), st == SMX_OK ? a.dtype : err);
    if (st == SMX_OK) {
        size_t isz = dtype_size(a.dtype);
        FUZZ_REQUIRE(isz != 0, "dtype '%.8s'", a.dtype);
        FUZZ_REQUIRE(a.ndim >= 0 && a.ndim <= SMX__NPY_MAX_DIMS, "ndim %d", a.ndim);
        FUZZ_REQUIRE(a.data != NULL, "data NULL");
        size_t count = 1;
        for (int d = 0; d < SMX__NPY_MAX_DIMS; d++) {
            if (d < a.ndim) count *= a.shape[d];
            else FUZZ_REQUIRE(a.shape[d] == 0, "shape[%d] = %zu beyond ndim %d", d, a.shape[d],
                              a.ndim);
        }
        FUZZ_REQUIRE(count == a.count, "count %zu, shape product %zu", a.count, count);
        /* the data came from the file: preamble + header + count values */
        FUZZ_REQUIRE(a.count <= size / isz, "count %zu values of %zu bytes from %zu bytes",
                     a.count, isz, size);
        volatile double sink = 0; /* touch every value (ASan checks the extent) */
        for (size_t i = 0; i < a.count; i++) sink += a.data[i];
        (void)sink;
    } else {
        FUZZ_REQUIRE(a.data == NULL && a.count == 0 && a.ndim == 0 && a.dtype[0] == '\0',
                     "status %s but the array is not empty", smx_status_name(st));
        FUZZ_REQUIRE(!strncmp(err, path, strlen(path)), "status %s, err \"%s\"",
                     smx_status_name(st), err);
    }
    smx__npy_free(&a);
    FUZZ_REQUIRE(a.data == NULL && a.count == 0, "smx__npy_free left data");
    return 0;
}
