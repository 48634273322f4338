/*
 * dfx_buf.c: growable byte buffers and the append helpers every encoder
 * uses (decimal integers, JSON strings).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dfx_buf.h"

int
dfx_buf_grow(dfx_buf_t *b, size_t n)
{
    size_t  cap, need;
    char   *p;

    need = b->len + n;
    if (need < b->len) {
        errno = ENOMEM;
        return -1;
    }
    if (need <= b->cap) {
        return 0;
    }

    cap = b->cap ? b->cap : 256;
    while (cap < need) {
        cap *= 2;
    }

    p = realloc(b->data, cap);
    if (p == NULL) {
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void
dfx_buf_free(dfx_buf_t *b)
{
    if (b == NULL) {
        return;
    }
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int
dfx_buf_printf(dfx_buf_t *b, const char *fmt, ...)
{
    va_list  ap;
    int      n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || dfx_buf_reserve(b, (size_t) n + 1) != 0) {
        return -1;
    }

    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
    return 0;
}

int
dfx_buf_u64(dfx_buf_t *b, uint64_t v)
{
    char   tmp[20];
    char  *p = tmp + sizeof(tmp);

    do {
        *--p = (char) ('0' + v % 10);
        v /= 10;
    } while (v);

    return dfx_buf_append(b, p, (size_t) (tmp + sizeof(tmp) - p));
}

int
dfx_buf_i64(dfx_buf_t *b, int64_t v)
{
    if (v < 0) {
        if (dfx_buf_putc(b, '-') != 0) {
            return -1;
        }
        /* negate in unsigned arithmetic: INT64_MIN has no positive twin */
        return dfx_buf_u64(b, (uint64_t) 0 - (uint64_t) v);
    }
    return dfx_buf_u64(b, (uint64_t) v);
}

/* 0: copy; otherwise the character after the backslash ('u' = \u00XX). */
static const char  dfx_json_esc[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    'u', 'u', 'u', 'u',
    ['"'] = '"', ['\\'] = '\\',
};

int
dfx_buf_json_str(dfx_buf_t *b, const char *s, size_t len)
{
    static const char  hex[] = "0123456789abcdef";
    const unsigned char  *p = (const unsigned char *) s;
    const unsigned char  *end = p + len;
    const unsigned char  *run;
    char                 *o;

    /* worst case: every byte becomes \u00XX */
    if (dfx_buf_reserve(b, len * 6 + 2) != 0) {
        return -1;
    }
    o = b->data + b->len;
    *o++ = '"';

    while (p < end) {
        run = p;
        while (p < end && dfx_json_esc[*p] == 0) {
            p++;
        }
        if (p > run) {
            memcpy(o, run, (size_t) (p - run));
            o += p - run;
        }
        if (p == end) {
            break;
        }
        *o++ = '\\';
        *o++ = dfx_json_esc[*p];
        if (dfx_json_esc[*p] == 'u') {
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 0xf];
        }
        p++;
    }

    *o++ = '"';
    b->len = (size_t) (o - b->data);
    return 0;
}
