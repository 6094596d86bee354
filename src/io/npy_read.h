/* NumPy .npy reader (format versions 1.0, 2.0 and 3.0; little-endian; C
 * order). Every supported dtype is converted to double:
 *   |u1 |i1 <u2 <i2 <u4 <i4 <u8 <i8   integers (64-bit ones beyond 2^53 lose
 *                                     precision, as any conversion to double)
 *   <f4 <f8                           floats (NaN and infinities kept as is)
 * A one-byte dtype may also be written with '<' or '='; it is reported as
 * '|u1'/'|i1'. Big-endian ('>'), native-order multi-byte ('='), structured,
 * boolean, complex, string and object dtypes and fortran_order True are
 * rejected.
 *
 * Errors: one line "PATH: MESSAGE (expected ...)" in err, e.g.
 *   PATH: cannot open: No such file or directory           SMX_EIO
 *   PATH: cannot read: REASON                               SMX_EIO
 *   PATH: not a .npy file (bad magic)                       SMX_EDATA
 *   PATH: unsupported .npy format version 4.0 (expected ...)SMX_EDATA
 *   PATH: truncated header (expected N bytes, got M)        SMX_EDATA
 *   PATH: malformed header: ... (expected ...)              SMX_EDATA
 *   PATH: unsupported dtype '>f8' (expected ...)            SMX_EDATA
 *   PATH: fortran_order True is not supported (expected ...)SMX_EDATA
 *   PATH: truncated data (expected N bytes, got M)          SMX_EDATA
 *   PATH: out of memory ...                                 SMX_ENOMEM
 * Bytes after the data are ignored (as numpy.load does). */
#ifndef SMX_IO_NPY_READ_H
#define SMX_IO_NPY_READ_H

#include <stddef.h>

#include "smatrix2d/smatrix2d.h"

#define SMX__NPY_MAX_DIMS 4

typedef struct smx__npy_array {
    char dtype[8];                    /* normalised descr: "<f8", "|u1", ... */
    int ndim;                         /* 0 .. SMX__NPY_MAX_DIMS */
    size_t shape[SMX__NPY_MAX_DIMS];  /* unused entries are 0 */
    size_t count;                     /* product of the shape (1 for ndim 0) */
    double *data;                     /* [count], C order; never NULL on success */
} smx__npy_array;

/* Reads the whole array at path. On failure *out is left empty (all zero),
 * so smx__npy_free(out) is always safe. */
smx_status smx__npy_read(const char *path, smx__npy_array *out, char *err, size_t errlen);

/* Frees data and empties the struct; NULL and empty arrays are fine. */
void smx__npy_free(smx__npy_array *a);

#endif
