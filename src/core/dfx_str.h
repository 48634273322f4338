/*
 * dfx_str.h: length-delimited string slices.
 *
 * Strings travel as slices into buffers owned by someone else (a request
 * body, a pool, a const table), so NDJSON lines and JSON tokens are passed
 * around without copying.  A slice is not NUL-terminated.
 */
#ifndef DFX_STR_H
#define DFX_STR_H

#include <stddef.h>
#include <string.h>

typedef struct dfx_str_s {
    size_t      len;
    const char *data;
} dfx_str_t;

#define dfx_string(s)     { sizeof(s) - 1, (s) }
#define dfx_null_string   { 0, NULL }

static inline dfx_str_t
dfx_str_make(const char *data, size_t len)
{
    dfx_str_t  s = { len, data };

    return s;
}

static inline dfx_str_t
dfx_str_cstr(const char *cstr)
{
    dfx_str_t  s = { strlen(cstr), cstr };

    return s;
}

static inline int
dfx_str_eq(dfx_str_t a, dfx_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

static inline int
dfx_str_eq_cstr(dfx_str_t a, const char *b)
{
    size_t  n = strlen(b);

    return a.len == n && (n == 0 || memcmp(a.data, b, n) == 0);
}

/* The value of a hexadecimal digit, or -1. */
static inline int
dfx_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

#endif /* DFX_STR_H */
