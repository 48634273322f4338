/*
 * dfx_buf.h: a growable byte buffer.
 *
 * Used for everything that is built by appending: encoded Kafka values,
 * HTTP responses, /metrics pages.  The buffer owns its memory; reset keeps
 * the allocation so a worker reuses one buffer for every request.
 */
#ifndef DFX_BUF_H
#define DFX_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dfx_str.h"

typedef struct dfx_buf_s {
    char   *data;
    size_t  len;
    size_t  cap;
} dfx_buf_t;

#define DFX_BUF_INIT  { NULL, 0, 0 }

/* Grows the buffer so that n more bytes fit.  Returns 0, or -1 on ENOMEM
 * (the buffer is unchanged). */
int dfx_buf_grow(dfx_buf_t *b, size_t n);

/* Frees the memory; the buffer may be reused afterwards.  Accepts NULL. */
void dfx_buf_free(dfx_buf_t *b);

/* Appends printf-style text.  Returns 0 or -1 on ENOMEM. */
int dfx_buf_printf(dfx_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a JSON string literal (quotes included), escaped as DeepFlow's
 * encoder does: \b \t \n \f \r \" \\ and \u00XX for other bytes below
 * 0x20; everything else, '/' and UTF-8 included, is copied. */
int dfx_buf_json_str(dfx_buf_t *b, const char *s, size_t len);

/* Appends the decimal form of v.  Returns 0 or -1 on ENOMEM. */
int dfx_buf_u64(dfx_buf_t *b, uint64_t v);
int dfx_buf_i64(dfx_buf_t *b, int64_t v);

static inline void
dfx_buf_reset(dfx_buf_t *b)
{
    b->len = 0;
}

static inline int
dfx_buf_reserve(dfx_buf_t *b, size_t n)
{
    return (b->cap - b->len >= n) ? 0 : dfx_buf_grow(b, n);
}

static inline int
dfx_buf_append(dfx_buf_t *b, const void *p, size_t n)
{
    if (dfx_buf_reserve(b, n) != 0) {
        return -1;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    return 0;
}

static inline int
dfx_buf_append_str(dfx_buf_t *b, dfx_str_t s)
{
    return dfx_buf_append(b, s.data, s.len);
}

static inline int
dfx_buf_putc(dfx_buf_t *b, char c)
{
    if (dfx_buf_reserve(b, 1) != 0) {
        return -1;
    }
    b->data[b->len++] = c;
    return 0;
}

#define dfx_buf_append_lit(b, lit)  dfx_buf_append((b), (lit), sizeof(lit) - 1)

#endif /* DFX_BUF_H */
