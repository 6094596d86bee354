/* The .npy reader (src/io/npy_read.h): files built byte by byte here (and
 * one from the library's own writer) are read back; every supported dtype
 * converts to double; bad files give "PATH: MESSAGE" with the right status. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/npy_read.h"
#include "smatrix2d/smatrix2d.h"

/* A fresh temporary path (the file exists, empty). */
static void temp_path(char path[64])
{
    snprintf(path, 64, "/tmp/smx_test_npy_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp failed");
    close(fd);
}

/* Writes magic, version, header length, the dict padded with spaces to a
 * multiple of 64 and ended by '\n', then nbytes of data. */
static void write_npy(const char *path, int major, int minor, const char *dict,
                      const void *data, size_t nbytes)
{
    size_t pre = major == 1 ? 10 : 12;
    size_t total = (pre + strlen(dict) + 1 + 63) / 64 * 64;
    size_t hlen = total - pre;
    unsigned char *buf = calloc(total + nbytes + 1, 1);
    cr_assert_not_null(buf);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = (unsigned char)minor;
    for (size_t k = 0; k < pre - 8; k++) buf[8 + k] = (unsigned char)(hlen >> (8 * k));
    memset(buf + pre, ' ', hlen);
    memcpy(buf + pre, dict, strlen(dict));
    buf[total - 1] = '\n';
    if (nbytes) memcpy(buf + total, data, nbytes);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(buf, 1, total + nbytes, f), total + nbytes);
    cr_assert_eq(fclose(f), 0);
    free(buf);
}

static void write_raw(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    if (n) cr_assert_eq(fwrite(bytes, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

/* Little-endian bytes of an unsigned value. */
static void put_le(unsigned char *dst, uint64_t v, size_t size)
{
    for (size_t k = 0; k < size; k++) dst[k] = (unsigned char)(v >> (8 * k));
}

/* Reads path, expects status st and (when phrase) the message
 * "PATH: ...phrase...". The array must come back empty. */
static void expect_fail(const char *path, smx_status st, const char *phrase)
{
    smx__npy_array a;
    memset(&a, 0x5a, sizeof a);
    char err[1024] = "";
    cr_assert_eq(smx__npy_read(path, &a, err, sizeof err), st, "status for %s: %s", path, err);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s: ", path);
    cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0, "expected prefix '%s' in '%s'", prefix,
                 err);
    cr_assert_not_null(strstr(err, phrase), "expected '%s' in '%s'", phrase, err);
    cr_assert_null(a.data);
    cr_assert_eq(a.count, 0);
    cr_assert_eq(a.ndim, 0);
    smx__npy_free(&a);
}

/* ---- accepted files ---------------------------------------------------- */

Test(npy_read, f8_from_the_library_writer)
{
    char path[64];
    temp_path(path);
    const double v[6] = {1.5, -2.25, 0.0, 1e-300, 3e300, 42.0};
    char err[512] = "";
    cr_assert_eq(smx_write_npy_f64(path, v, 2, 3, err, sizeof err), SMX_OK, "%s", err);
    smx__npy_array a;
    cr_assert_eq(smx__npy_read(path, &a, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_str_eq(a.dtype, "<f8");
    cr_assert_eq(a.ndim, 2);
    cr_assert_eq(a.shape[0], 2);
    cr_assert_eq(a.shape[1], 3);
    cr_assert_eq(a.count, 6);
    for (int k = 0; k < 6; k++) cr_assert_eq(a.data[k], v[k], "value %d", k);
    smx__npy_free(&a);
    cr_assert_null(a.data);
    unlink(path);
}

Test(npy_read, uint8_matrix)
{
    char path[64];
    temp_path(path);
    const unsigned char v[6] = {0, 1, 2, 3, 254, 255};
    write_npy(path, 1, 0, "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2), }", v, 6);
    smx__npy_array a;
    char err[512] = "";
    cr_assert_eq(smx__npy_read(path, &a, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_str_eq(a.dtype, "|u1");
    cr_assert_eq(a.ndim, 2);
    cr_assert_eq(a.shape[0], 3);
    cr_assert_eq(a.shape[1], 2);
    cr_assert_eq(a.count, 6);
    for (int k = 0; k < 6; k++) cr_assert_eq(a.data[k], (double)v[k], "value %d", k);
    smx__npy_free(&a);
    unlink(path);
}

Test(npy_read, int32_with_negative_values)
{
    char path[64];
    temp_path(path);
    const int64_t v[5] = {-1, 0, 7, INT32_MIN, INT32_MAX};
    unsigned char bytes[20];
    for (int k = 0; k < 5; k++) put_le(bytes + 4 * k, (uint64_t)v[k], 4);
    write_npy(path, 1, 0, "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }", bytes,
              sizeof bytes);
    smx__npy_array a;
    char err[512] = "";
    cr_assert_eq(smx__npy_read(path, &a, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_str_eq(a.dtype, "<i4");
    cr_assert_eq(a.ndim, 1);
    cr_assert_eq(a.shape[0], 5);
    for (int k = 0; k < 5; k++) cr_assert_eq(a.data[k], (double)v[k], "value %d", k);
    smx__npy_free(&a);
    unlink(path);
}

/* Every other integer and float dtype, the key order of the dict free,
 * double quotes, a version 2.0 header. */
Test(npy_read, all_supported_dtypes)
{
    static const struct {
        const char *descr, *dtype;
        size_t size;
        int is_signed, is_float;
    } cases[] = {
        {"|i1", "|i1", 1, 1, 0}, {"<u1", "|u1", 1, 0, 0}, {"<u2", "<u2", 2, 0, 0},
        {"<i2", "<i2", 2, 1, 0}, {"<u4", "<u4", 4, 0, 0}, {"<u8", "<u8", 8, 0, 0},
        {"<i8", "<i8", 8, 1, 0}, {"<f4", "<f4", 4, 0, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[64];
        temp_path(path);
        unsigned char bytes[4 * 8];
        double want[4];
        for (int k = 0; k < 4; k++) {
            if (cases[c].is_float) {
                float f = (float)(k - 1.5);
                uint32_t w;
                memcpy(&w, &f, 4);
                put_le(bytes + 4 * k, w, 4);
                want[k] = (double)f;
            } else {
                int64_t v = cases[c].is_signed ? -k * 3 : k * 50;
                put_le(bytes + cases[c].size * k, (uint64_t)v, cases[c].size);
                want[k] = (double)v;
            }
        }
        char dict[128];
        snprintf(dict, sizeof dict, "{\"shape\": (2, 2), \"fortran_order\": False, \"descr\": "
                 "\"%s\"}", cases[c].descr);
        write_npy(path, 2, 0, dict, bytes, 4 * cases[c].size);
        smx__npy_array a;
        char err[512] = "";
        cr_assert_eq(smx__npy_read(path, &a, err, sizeof err), SMX_OK, "%s: %s", cases[c].descr,
                     err);
        cr_assert_str_eq(a.dtype, cases[c].dtype);
        cr_assert_eq(a.count, 4);
        for (int k = 0; k < 4; k++)
            cr_assert_eq(a.data[k], want[k], "%s value %d: %g", cases[c].descr, k, a.data[k]);
        smx__npy_free(&a);
        unlink(path);
    }
}

Test(npy_read, zero_dimensional_and_empty_arrays)
{
    char path[64];
    temp_path(path);
    unsigned char one[8];
    double x = 2.5;
    memcpy(one, &x, 8);
    write_npy(path, 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", one, 8);
    smx__npy_array a;
    char err[512] = "";
    cr_assert_eq(smx__npy_read(path, &a, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_eq(a.ndim, 0);
    cr_assert_eq(a.count, 1);
    cr_assert_eq(a.data[0], 2.5);
    smx__npy_free(&a);
    write_npy(path, 1, 0, "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 4), }", NULL, 0);
    cr_assert_eq(smx__npy_read(path, &a, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_eq(a.ndim, 2);
    cr_assert_eq(a.count, 0);
    cr_assert_not_null(a.data);
    smx__npy_free(&a);
    unlink(path);
}

/* ---- rejected files ------------------------------------------------------ */

Test(npy_read, bad_magic)
{
    char path[64];
    temp_path(path);
    write_raw(path, "PK\x03\x04 this is a zip, not an npy", 30);
    expect_fail(path, SMX_EDATA, "not a .npy file (bad magic)");
    write_raw(path, "\x93NU", 3);
    expect_fail(path, SMX_EDATA, "not a .npy file (bad magic)");
    unlink(path);
}

Test(npy_read, big_endian_dtype)
{
    char path[64];
    temp_path(path);
    unsigned char bytes[16] = {0};
    write_npy(path, 1, 0, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", bytes, 16);
    expect_fail(path, SMX_EDATA, "unsupported dtype '>f8' (expected ");
    expect_fail(path, SMX_EDATA, "big-endian");
    unlink(path);
}

Test(npy_read, other_unsupported_dtypes)
{
    static const char *const dicts[] = {
        "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '=i4', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }",
    };
    char path[64];
    temp_path(path);
    unsigned char bytes[64] = {0};
    for (size_t k = 0; k < sizeof dicts / sizeof dicts[0]; k++) {
        write_npy(path, 1, 0, dicts[k], bytes, sizeof bytes);
        expect_fail(path, SMX_EDATA, "unsupported dtype '");
    }
    unlink(path);
}

Test(npy_read, fortran_order)
{
    char path[64];
    temp_path(path);
    unsigned char bytes[6] = {0};
    write_npy(path, 1, 0, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", bytes, 6);
    expect_fail(path, SMX_EDATA, "fortran_order True is not supported (expected ");
    unlink(path);
}

Test(npy_read, truncated_data)
{
    char path[64];
    temp_path(path);
    unsigned char bytes[40] = {0};
    write_npy(path, 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", bytes, 40);
    expect_fail(path, SMX_EDATA, "truncated data (expected 48 bytes, got 40)");
    unlink(path);
}

Test(npy_read, truncated_header)
{
    char path[64];
    temp_path(path);
    /* version 1.0, header length 118, but only 20 header bytes */
    unsigned char bytes[30] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
    memset(bytes + 10, ' ', 20);
    write_raw(path, bytes, sizeof bytes);
    expect_fail(path, SMX_EDATA, "truncated header (expected 118 bytes, got 20)");
    unlink(path);
}

Test(npy_read, unsupported_version)
{
    char path[64];
    temp_path(path);
    write_npy(path, 1, 0, "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", "x", 1);
    /* patch the major version */
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, 6, SEEK_SET), 0);
    cr_assert_eq(fputc(4, f), 4);
    cr_assert_eq(fclose(f), 0);
    expect_fail(path, SMX_EDATA, "unsupported .npy format version 4.0");
    unlink(path);
}

Test(npy_read, malformed_headers)
{
    static const char *const dicts[] = {
        "{'descr': '<f8', 'shape': (2,), }",                          /* no fortran_order */
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", /* unknown key */
        "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }",      /* not a bool */
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", /* negative */
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", /* 5-D */
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,) ",    /* unterminated */
        "['descr', '<f8']",                                          /* not a dict */
    };
    char path[64];
    temp_path(path);
    unsigned char bytes[16] = {0};
    for (size_t k = 0; k < sizeof dicts / sizeof dicts[0]; k++) {
        write_npy(path, 1, 0, dicts[k], bytes, sizeof bytes);
        expect_fail(path, SMX_EDATA, "malformed header: ");
    }
    unlink(path);
}

Test(npy_read, missing_file_and_null_arguments)
{
    const char *path = "/tmp/smx_test_npy_does_not_exist.npy";
    expect_fail(path, SMX_EIO, "cannot open");
    smx__npy_array a;
    cr_assert_eq(smx__npy_read(NULL, &a, NULL, 0), SMX_EINVAL);
    cr_assert_eq(smx__npy_read(path, NULL, NULL, 0), SMX_EINVAL);
    smx__npy_free(NULL);
}
