/* A tiny streaming JSON emitter into a growable memory buffer.
 *
 * Calls are made in document order (begin/key/value/end); the emitter adds
 * commas, colons and indentation. Errors (out of memory, misuse such as a
 * value without a key inside an object) are sticky: later calls do nothing
 * and smx__json_ok() returns 0. Doubles are printed with "%.17g" so they
 * read back bit-exactly; NaN and infinities are written as null. */
#ifndef SMX_IO_JSON_H
#define SMX_IO_JSON_H

#include <stddef.h>

#define SMX__JSON_MAX_DEPTH 32

typedef struct smx__json {
    char *buf;     /* NUL-terminated text so far */
    size_t len, cap;
    int pretty;    /* 1: newlines and two-space indentation */
    int depth;
    int failed;
    int after_key; /* a key was written; the next token is its value */
    unsigned char is_object[SMX__JSON_MAX_DEPTH];
    unsigned char has_items[SMX__JSON_MAX_DEPTH];
    unsigned char has_nested[SMX__JSON_MAX_DEPTH]; /* an array holds containers */
} smx__json;

void smx__json_init(smx__json *j, int pretty);
void smx__json_free(smx__json *j);
/* 1 while no error happened and every container was closed. */
int smx__json_ok(const smx__json *j);
const char *smx__json_text(const smx__json *j); /* "" after a failure */
size_t smx__json_length(const smx__json *j);

void smx__json_begin_object(smx__json *j);
void smx__json_end_object(smx__json *j);
void smx__json_begin_array(smx__json *j);
void smx__json_end_array(smx__json *j);
void smx__json_key(smx__json *j, const char *key);

void smx__json_string(smx__json *j, const char *s); /* NULL writes null */
void smx__json_double(smx__json *j, double v);
void smx__json_int(smx__json *j, long long v);
void smx__json_bool(smx__json *j, int v);
void smx__json_null(smx__json *j);

/* key + value in one call */
void smx__json_kv_string(smx__json *j, const char *key, const char *s);
void smx__json_kv_double(smx__json *j, const char *key, double v);
void smx__json_kv_int(smx__json *j, const char *key, long long v);
void smx__json_kv_bool(smx__json *j, const char *key, int v);
/* key: {"scatter": v[0], "stream": v[1], "energy": v[2]} (smx_op_name) */
void smx__json_kv_ops(smx__json *j, const char *key, const double *v);

#endif
