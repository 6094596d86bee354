#include "io/json.h"

#include "smatrix2d/smatrix2d.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void smx__json_init(smx__json *j, int pretty)
{
    memset(j, 0, sizeof *j);
    j->pretty = pretty;
}

void smx__json_free(smx__json *j)
{
    free(j->buf);
    j->buf = NULL;
    j->len = j->cap = 0;
}

int smx__json_ok(const smx__json *j)
{
    return !j->failed && j->depth == 0 && !j->after_key && j->len > 0;
}

const char *smx__json_text(const smx__json *j)
{
    return (j->failed || !j->buf) ? "" : j->buf;
}

size_t smx__json_length(const smx__json *j) { return j->failed ? 0 : j->len; }

/* Makes room for n more bytes plus the terminating NUL. */
static int reserve(smx__json *j, size_t n)
{
    if (j->failed)
        return 0;
    if (j->len + n + 1 <= j->cap)
        return 1;
    size_t cap = j->cap ? j->cap : 256;
    while (cap < j->len + n + 1)
        cap *= 2;
    char *p = realloc(j->buf, cap);
    if (!p) {
        j->failed = 1;
        return 0;
    }
    j->buf = p;
    j->cap = cap;
    return 1;
}

static void put_bytes(smx__json *j, const char *s, size_t n)
{
    if (!reserve(j, n))
        return;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void put(smx__json *j, const char *s) { put_bytes(j, s, strlen(s)); }

static void put_char(smx__json *j, char c) { put_bytes(j, &c, 1); }

static void newline_indent(smx__json *j)
{
    if (!j->pretty)
        return;
    put_char(j, '\n');
    for (int i = 0; i < j->depth; i++)
        put(j, "  ");
}

static void put_escaped(smx__json *j, const char *s)
{
    put_char(j, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p && !j->failed; p++) {
        switch (*p) {
        case '"': put(j, "\\\""); break;
        case '\\': put(j, "\\\\"); break;
        case '\b': put(j, "\\b"); break;
        case '\f': put(j, "\\f"); break;
        case '\n': put(j, "\\n"); break;
        case '\r': put(j, "\\r"); break;
        case '\t': put(j, "\\t"); break;
        default:
            if (*p < 0x20) {
                char u[8];
                snprintf(u, sizeof u, "\\u%04x", (unsigned)*p);
                put(j, u);
            } else {
                put_char(j, (char)*p);
            }
        }
    }
    put_char(j, '"');
}

/* Separator and indentation before a value; 0 when the value must not be
 * written (earlier failure or misuse). In pretty mode arrays of scalars
 * stay on one line; containers inside arrays start on a new line. */
static int begin_value(smx__json *j, int container)
{
    if (j->failed)
        return 0;
    if (j->depth == 0) {
        if (j->len > 0) /* a second top-level value */
            j->failed = 1;
        return !j->failed;
    }
    int d = j->depth - 1;
    if (j->is_object[d]) {
        if (!j->after_key) {
            j->failed = 1;
            return 0;
        }
        j->after_key = 0;
        return 1;
    }
    if (j->has_items[d])
        put_char(j, ',');
    if (container) {
        newline_indent(j);
        j->has_nested[d] = 1;
    } else if (j->pretty && j->has_items[d]) {
        put_char(j, ' ');
    }
    j->has_items[d] = 1;
    return !j->failed;
}

static void begin_container(smx__json *j, int object)
{
    if (!begin_value(j, 1))
        return;
    if (j->depth >= SMX__JSON_MAX_DEPTH) {
        j->failed = 1;
        return;
    }
    put_char(j, object ? '{' : '[');
    j->is_object[j->depth] = (unsigned char)object;
    j->has_items[j->depth] = 0;
    j->has_nested[j->depth] = 0;
    j->depth++;
}

static void end_container(smx__json *j, int object)
{
    if (j->failed)
        return;
    if (j->depth == 0 || j->after_key || j->is_object[j->depth - 1] != object) {
        j->failed = 1;
        return;
    }
    int d = j->depth - 1;
    int own_lines = j->has_items[d] && (object || j->has_nested[d]);
    j->depth--;
    if (own_lines)
        newline_indent(j);
    put_char(j, object ? '}' : ']');
}

void smx__json_begin_object(smx__json *j) { begin_container(j, 1); }
void smx__json_end_object(smx__json *j) { end_container(j, 1); }
void smx__json_begin_array(smx__json *j) { begin_container(j, 0); }
void smx__json_end_array(smx__json *j) { end_container(j, 0); }

void smx__json_key(smx__json *j, const char *key)
{
    if (j->failed)
        return;
    if (j->depth == 0 || !j->is_object[j->depth - 1] || j->after_key || !key) {
        j->failed = 1;
        return;
    }
    if (j->has_items[j->depth - 1])
        put_char(j, ',');
    newline_indent(j);
    put_escaped(j, key);
    put(j, j->pretty ? ": " : ":");
    j->has_items[j->depth - 1] = 1;
    j->after_key = 1;
}

void smx__json_string(smx__json *j, const char *s)
{
    if (!s) {
        smx__json_null(j);
        return;
    }
    if (begin_value(j, 0))
        put_escaped(j, s);
}

void smx__json_double(smx__json *j, double v)
{
    if (!isfinite(v)) {
        smx__json_null(j);
        return;
    }
    if (!begin_value(j, 0))
        return;
    char num[40];
    snprintf(num, sizeof num, "%.17g", v);
    for (char *c = num; *c; c++) /* a host program may have set a locale */
        if (*c == ',')
            *c = '.';
    put(j, num);
}

void smx__json_int(smx__json *j, long long v)
{
    if (!begin_value(j, 0))
        return;
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    put(j, num);
}

void smx__json_bool(smx__json *j, int v)
{
    if (begin_value(j, 0))
        put(j, v ? "true" : "false");
}

void smx__json_null(smx__json *j)
{
    if (begin_value(j, 0))
        put(j, "null");
}

void smx__json_kv_string(smx__json *j, const char *key, const char *s)
{
    smx__json_key(j, key);
    smx__json_string(j, s);
}

void smx__json_kv_double(smx__json *j, const char *key, double v)
{
    smx__json_key(j, key);
    smx__json_double(j, v);
}

void smx__json_kv_ops(smx__json *j, const char *key, const double *v)
{
    smx__json_key(j, key);
    smx__json_begin_object(j);
    for (int op = 0; op < SMX_OP_COUNT; op++) smx__json_kv_double(j, smx_op_name(op), v[op]);
    smx__json_end_object(j);
}

void smx__json_kv_int(smx__json *j, const char *key, long long v)
{
    smx__json_key(j, key);
    smx__json_int(j, v);
}

void smx__json_kv_bool(smx__json *j, const char *key, int v)
{
    smx__json_key(j, key);
    smx__json_bool(j, v);
}
