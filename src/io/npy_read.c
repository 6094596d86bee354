/* NumPy .npy reader (see npy_read.h).
 *
 * Layout (numpy.lib.format): the magic "\x93NUMPY", a major and a minor
 * version byte, the header length (little-endian uint16 for 1.0, uint32 for
 * 2.0/3.0), the header (a Python dict literal: 'descr', 'fortran_order',
 * 'shape'; padded with spaces and ended by '\n'), then the raw data in C
 * order. Values are decoded byte by byte, so the host's byte order does not
 * matter. */
#define _POSIX_C_SOURCE 200809L

#include "io/npy_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_MAX_HEADER (1u << 24) /* a sane bound; numpy's own headers are < 64 KiB */
#define NPY_CHUNK 65536           /* bytes read at a time */

static const char *const supported =
    "one of |u1, |i1, <u2, <i2, <u4, <i4, <u8, <i8, <f4, <f8: a little-endian integer or "
    "float type";

#ifdef __GNUC__
__attribute__((format(printf, 5, 6)))
#endif
static smx_status npy_fail(const char *path, smx_status st, char *err, size_t errlen,
                           const char *fmt, ...)
{
    if (!err || errlen == 0) return st;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", path, msg);
    return st;
}

/* ---- the header dict --------------------------------------------------- */

typedef struct {
    const char *s; /* NUL-terminated header text */
    size_t i;
    /* results */
    char descr[64];
    int descr_is_list; /* a structured dtype */
    int have_descr, have_order, have_shape;
    int fortran_order;
    int ndim;
    size_t shape[SMX__NPY_MAX_DIMS];
    /* first problem */
    char why[160];
} hdr_parse;

static void skip_ws(hdr_parse *h)
{
    while (h->s[h->i] == ' ' || h->s[h->i] == '\t' || h->s[h->i] == '\n' || h->s[h->i] == '\r')
        h->i++;
}

static int expect_char(hdr_parse *h, char c)
{
    skip_ws(h);
    if (h->s[h->i] != c) {
        if (h->s[h->i])
            snprintf(h->why, sizeof h->why, "'%c' expected at offset %zu, found '%c'", c, h->i,
                     h->s[h->i]);
        else
            snprintf(h->why, sizeof h->why, "'%c' expected at offset %zu, found the end", c,
                     h->i);
        return 0;
    }
    h->i++;
    return 1;
}

/* A quoted Python string (no escapes beyond skipping the next character). */
static int parse_string(hdr_parse *h, char *buf, size_t n)
{
    skip_ws(h);
    char q = h->s[h->i];
    if (q != '\'' && q != '"') {
        snprintf(h->why, sizeof h->why, "a quoted string expected at offset %zu", h->i);
        return 0;
    }
    h->i++;
    size_t len = 0;
    while (h->s[h->i] && h->s[h->i] != q) {
        if (h->s[h->i] == '\\' && h->s[h->i + 1]) h->i++;
        if (len + 1 < n) buf[len++] = h->s[h->i];
        else {
            snprintf(h->why, sizeof h->why, "string too long at offset %zu", h->i);
            return 0;
        }
        h->i++;
    }
    if (h->s[h->i] != q) {
        snprintf(h->why, sizeof h->why, "unterminated string");
        return 0;
    }
    h->i++;
    buf[len] = '\0';
    return 1;
}

static int parse_word(hdr_parse *h, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(h->s + h->i, w, n) != 0) return 0;
    char after = h->s[h->i + n];
    if ((after >= 'A' && after <= 'Z') || (after >= 'a' && after <= 'z') ||
        (after >= '0' && after <= '9') || after == '_')
        return 0;
    h->i += n;
    return 1;
}

static int parse_bool(hdr_parse *h, int *out)
{
    skip_ws(h);
    if (parse_word(h, "True")) *out = 1;
    else if (parse_word(h, "False")) *out = 0;
    else {
        snprintf(h->why, sizeof h->why, "fortran_order is not True or False");
        return 0;
    }
    return 1;
}

/* A Python tuple of non-negative integers: (), (3,), (3, 4), (3L, 4L). */
static int parse_shape(hdr_parse *h)
{
    if (!expect_char(h, '(')) return 0;
    h->ndim = 0;
    for (;;) {
        skip_ws(h);
        if (h->s[h->i] == ')') {
            h->i++;
            return 1;
        }
        if (h->s[h->i] < '0' || h->s[h->i] > '9') {
            snprintf(h->why, sizeof h->why, "shape is not a tuple of non-negative integers");
            return 0;
        }
        size_t v = 0;
        while (h->s[h->i] >= '0' && h->s[h->i] <= '9') {
            size_t d = (size_t)(h->s[h->i] - '0');
            if (v > (SIZE_MAX - d) / 10) {
                snprintf(h->why, sizeof h->why, "a dimension of the shape is too large");
                return 0;
            }
            v = v * 10 + d;
            h->i++;
        }
        if (h->s[h->i] == 'L' || h->s[h->i] == 'l') h->i++; /* Python 2 longs */
        if (h->ndim == SMX__NPY_MAX_DIMS) {
            snprintf(h->why, sizeof h->why, "more than %d dimensions", SMX__NPY_MAX_DIMS);
            return 0;
        }
        h->shape[h->ndim++] = v;
        skip_ws(h);
        if (h->s[h->i] == ',') {
            h->i++;
            continue;
        }
        if (h->s[h->i] == ')') continue;
        snprintf(h->why, sizeof h->why, "',' or ')' expected in the shape at offset %zu", h->i);
        return 0;
    }
}

/* Skips a bracketed value (a structured dtype's list) so that the dtype can
 * be reported as unsupported rather than as a syntax error. */
static int skip_list(hdr_parse *h)
{
    int depth = 0;
    skip_ws(h);
    do {
        char c = h->s[h->i];
        if (!c) {
            snprintf(h->why, sizeof h->why, "unterminated list");
            return 0;
        }
        if (c == '[' || c == '(') depth++;
        else if (c == ']' || c == ')') depth--;
        else if (c == '\'' || c == '"') {
            char tmp[256];
            if (!parse_string(h, tmp, sizeof tmp)) return 0;
            continue;
        }
        h->i++;
    } while (depth > 0);
    return 1;
}

static int parse_header(hdr_parse *h)
{
    if (!expect_char(h, '{')) return 0;
    for (;;) {
        skip_ws(h);
        if (h->s[h->i] == '}') {
            h->i++;
            break;
        }
        char key[32];
        if (!parse_string(h, key, sizeof key)) return 0;
        if (!expect_char(h, ':')) return 0;
        int *seen;
        if (strcmp(key, "descr") == 0) {
            seen = &h->have_descr;
            skip_ws(h);
            if (h->s[h->i] == '[') {
                h->descr_is_list = 1;
                snprintf(h->descr, sizeof h->descr, "[structured]");
                if (!skip_list(h)) return 0;
            } else if (!parse_string(h, h->descr, sizeof h->descr)) {
                return 0;
            }
        } else if (strcmp(key, "fortran_order") == 0) {
            seen = &h->have_order;
            if (!parse_bool(h, &h->fortran_order)) return 0;
        } else if (strcmp(key, "shape") == 0) {
            seen = &h->have_shape;
            if (!parse_shape(h)) return 0;
        } else {
            snprintf(h->why, sizeof h->why, "unknown key '%.40s'", key);
            return 0;
        }
        if (*seen) {
            snprintf(h->why, sizeof h->why, "key '%s' given twice", key);
            return 0;
        }
        *seen = 1;
        skip_ws(h);
        if (h->s[h->i] == ',') {
            h->i++;
            continue;
        }
        if (h->s[h->i] == '}') continue;
        snprintf(h->why, sizeof h->why, "',' or '}' expected at offset %zu", h->i);
        return 0;
    }
    skip_ws(h);
    if (h->s[h->i]) {
        snprintf(h->why, sizeof h->why, "text after the closing '}'");
        return 0;
    }
    const char *missing = !h->have_descr ? "descr" : !h->have_order ? "fortran_order"
                          : !h->have_shape ? "shape" : NULL;
    if (missing) {
        snprintf(h->why, sizeof h->why, "key '%s' missing", missing);
        return 0;
    }
    return 1;
}

/* ---- dtypes -------------------------------------------------------------- */

typedef enum { KIND_UINT, KIND_INT, KIND_FLOAT } dkind;

/* Normalises a supported descr into dtype (e.g. "|u1", "<f8"); 0 when
 * unsupported. */
static int dtype_of(const char *descr, char dtype[8], dkind *kind, size_t *size)
{
    if (strlen(descr) != 3) return 0;
    char order = descr[0], k = descr[1], sz = descr[2];
    if (sz != '1' && sz != '2' && sz != '4' && sz != '8') return 0;
    *size = (size_t)(sz - '0');
    if (k == 'u') *kind = KIND_UINT;
    else if (k == 'i') *kind = KIND_INT;
    else if (k == 'f' && (*size == 4 || *size == 8)) *kind = KIND_FLOAT;
    else return 0;
    if (*size == 1) {
        if (order != '|' && order != '<' && order != '=') return 0;
        order = '|';
    } else if (order != '<') {
        return 0;
    }
    dtype[0] = order;
    dtype[1] = k;
    dtype[2] = sz;
    dtype[3] = '\0';
    return 1;
}

static double decode(const unsigned char *b, dkind kind, size_t size)
{
    uint64_t u = 0;
    for (size_t k = size; k-- > 0;) u = (u << 8) | b[k];
    if (kind == KIND_UINT) return (double)u;
    if (kind == KIND_INT) {
        if (size < 8 && (u >> (8 * size - 1)) & 1) u |= ~(uint64_t)0 << (8 * size);
        return (double)(int64_t)u;
    }
    if (size == 4) {
        uint32_t w = (uint32_t)u;
        float f;
        memcpy(&f, &w, sizeof f);
        return (double)f;
    }
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ---- the file ------------------------------------------------------------ */

/* Reads up to n bytes; returns how many were read (short at EOF/error). */
static size_t read_bytes(FILE *f, void *buf, size_t n)
{
    return n ? fread(buf, 1, n, f) : 0;
}

static smx_status read_file(const char *path, FILE *f, smx__npy_array *out, char *err,
                            size_t errlen)
{
    unsigned char pre[12];
    size_t got = read_bytes(f, pre, 8);
    if (ferror(f)) return npy_fail(path, SMX_EIO, err, errlen, "cannot read: %s", strerror(errno));
    if (got < NPY_MAGIC_LEN || memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return npy_fail(path, SMX_EDATA, err, errlen, "not a .npy file (bad magic) (expected "
                        "a file written by numpy.save, starting with \\x93NUMPY)");
    if (got < 8)
        return npy_fail(path, SMX_EDATA, err, errlen, "truncated header (expected 8 bytes of "
                        "preamble, got %zu)", got);
    int major = pre[6], minor = pre[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        return npy_fail(path, SMX_EDATA, err, errlen, "unsupported .npy format version %d.%d "
                        "(expected 1.0, 2.0 or 3.0)", major, minor);
    size_t lenbytes = major == 1 ? 2 : 4;
    got = read_bytes(f, pre + 8, lenbytes);
    if (ferror(f)) return npy_fail(path, SMX_EIO, err, errlen, "cannot read: %s", strerror(errno));
    if (got < lenbytes)
        return npy_fail(path, SMX_EDATA, err, errlen, "truncated header (expected %zu bytes "
                        "of preamble, got %zu)", 8 + lenbytes, 8 + got);
    size_t hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    if (major != 1) hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    if (hlen > NPY_MAX_HEADER)
        return npy_fail(path, SMX_EDATA, err, errlen, "malformed header: header length %zu "
                        "(expected at most %u bytes)", hlen, NPY_MAX_HEADER);
    char *text = malloc(hlen + 1);
    if (!text) return npy_fail(path, SMX_ENOMEM, err, errlen, "out of memory for the header");
    got = read_bytes(f, text, hlen);
    if (ferror(f)) {
        free(text);
        return npy_fail(path, SMX_EIO, err, errlen, "cannot read: %s", strerror(errno));
    }
    if (got < hlen) {
        free(text);
        return npy_fail(path, SMX_EDATA, err, errlen, "truncated header (expected %zu bytes, "
                        "got %zu)", hlen, got);
    }
    text[hlen] = '\0';
    if (strlen(text) != hlen) {
        free(text);
        return npy_fail(path, SMX_EDATA, err, errlen, "malformed header: a NUL byte in the "
                        "header (expected a Python dict literal)");
    }
    hdr_parse h;
    memset(&h, 0, sizeof h);
    h.s = text;
    int ok = parse_header(&h);
    free(text);
    if (!ok)
        return npy_fail(path, SMX_EDATA, err, errlen, "malformed header: %s (expected a dict "
                        "like {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), })",
                        h.why);

    char dtype[8];
    dkind kind;
    size_t size;
    if (h.descr_is_list || !dtype_of(h.descr, dtype, &kind, &size)) {
        const char *hint = h.descr[0] == '>' ? "; this one is big-endian: save "
                           "a.astype(a.dtype.newbyteorder('<'))" : "";
        return npy_fail(path, SMX_EDATA, err, errlen, "unsupported dtype '%.40s' (expected %s%s)",
                        h.descr, supported, hint);
    }
    if (h.fortran_order)
        return npy_fail(path, SMX_EDATA, err, errlen, "fortran_order True is not supported "
                        "(expected a C-order array: save numpy.ascontiguousarray(a))");

    size_t count = 1;
    for (int d = 0; d < h.ndim; d++) {
        if (h.shape[d] && count > SIZE_MAX / sizeof(double) / h.shape[d])
            return npy_fail(path, SMX_EDATA, err, errlen, "malformed header: shape too large "
                            "(expected an array that fits in memory)");
        count *= h.shape[d];
    }
    size_t nbytes = count * size;

    /* A regular file tells its size: report truncation before allocating. */
    struct stat sb;
    long here = ftell(f);
    if (here >= 0 && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
        size_t avail = sb.st_size > here ? (size_t)(sb.st_size - here) : 0;
        if (avail < nbytes)
            return npy_fail(path, SMX_EDATA, err, errlen, "truncated data (expected %zu "
                            "bytes, got %zu)", nbytes, avail);
    }

    double *data = malloc((count ? count : 1) * sizeof(double));
    unsigned char *buf = malloc(NPY_CHUNK);
    if (!data || !buf) {
        free(data);
        free(buf);
        return npy_fail(path, SMX_ENOMEM, err, errlen, "out of memory for %zu values", count);
    }
    size_t per = NPY_CHUNK / size, done = 0; /* values */
    while (done < count) {
        size_t want = count - done < per ? count - done : per;
        size_t n = read_bytes(f, buf, want * size);
        size_t whole = n / size;
        for (size_t k = 0; k < whole; k++) data[done + k] = decode(buf + k * size, kind, size);
        if (n < want * size) {
            int e = ferror(f) ? errno : 0;
            free(data);
            free(buf);
            if (e) return npy_fail(path, SMX_EIO, err, errlen, "cannot read: %s", strerror(e));
            return npy_fail(path, SMX_EDATA, err, errlen, "truncated data (expected %zu bytes, "
                            "got %zu)", nbytes, done * size + n);
        }
        done += whole;
    }
    free(buf);

    snprintf(out->dtype, sizeof out->dtype, "%s", dtype);
    out->ndim = h.ndim;
    for (int d = 0; d < h.ndim; d++) out->shape[d] = h.shape[d];
    out->count = count;
    out->data = data;
    return SMX_OK;
}

smx_status smx__npy_read(const char *path, smx__npy_array *out, char *err, size_t errlen)
{
    if (out) memset(out, 0, sizeof *out);
    if (!path || !out) {
        if (err && errlen) snprintf(err, errlen, "smx__npy_read: %s is NULL", path ? "out" : "path");
        return SMX_EINVAL;
    }
    if (!*path) return npy_fail("(empty path)", SMX_EINVAL, err, errlen, "no file name");
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno ? errno : EIO;
        return npy_fail(path, SMX_EIO, err, errlen, "cannot open: %s", strerror(e));
    }
    smx_status st = read_file(path, f, out, err, errlen);
    fclose(f);
    if (st != SMX_OK) memset(out, 0, sizeof *out);
    return st;
}

void smx__npy_free(smx__npy_array *a)
{
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}
