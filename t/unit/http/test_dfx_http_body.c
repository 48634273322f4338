/*
 * test_dfx_http_body.c: Content-Type / Content-Encoding parsing, gzip
 * decoding (good, corrupt, truncated, concatenated, over the limit) and
 * NDJSON framing (CRLF, blank lines, a last line without \n, the line
 * limit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_http_body.h"

/* gzip-compresses in[0..n) with zlib (gzip framing) into a new buffer. */
static unsigned char *
gz(const void *in, size_t n, size_t *outlen)
{
    z_stream        zs;
    unsigned char  *out;
    size_t          cap = compressBound((uLong) n) + 64;

    out = malloc(cap);
    assert_non_null(out);
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *) (uintptr_t) in;
    zs.avail_in = (uInt) n;
    zs.next_out = out;
    zs.avail_out = (uInt) cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *outlen = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static int
gunzip_chunks(dfx_http_gunzip_t *g, const unsigned char *data, size_t len,
              size_t chunk, size_t limit, dfx_buf_t *out, char *err)
{
    struct iovec  iov[64];
    size_t        off = 0;
    int           n = 0;

    while (off < len) {
        assert_true(n < 64);
        iov[n].iov_base = (void *) (uintptr_t) (data + off);
        iov[n].iov_len = len - off < chunk ? len - off : chunk;
        off += iov[n].iov_len;
        n++;
    }
    return dfx_http_gunzip(g, iov, n, limit, out, err, 256);
}

static void
test_content_type(void **state)
{
    (void) state;

    assert_int_equal(dfx_http_content_type("application/x-ndjson"),
                     DFX_HTTP_CT_NDJSON);
    assert_int_equal(dfx_http_content_type("application/ndjson"),
                     DFX_HTTP_CT_NDJSON);
    assert_int_equal(dfx_http_content_type("Application/JSON"),
                     DFX_HTTP_CT_JSON);
    assert_int_equal(dfx_http_content_type("application/json; charset=utf-8"),
                     DFX_HTTP_CT_JSON);
    assert_int_equal(dfx_http_content_type(
                         "application/x-ndjson;charset=\"UTF-8\""),
                     DFX_HTTP_CT_NDJSON);
    assert_int_equal(dfx_http_content_type(" application/json ; foo=bar "),
                     DFX_HTTP_CT_JSON);
    assert_int_equal(dfx_http_content_type("application/json;"),
                     DFX_HTTP_CT_JSON);

    assert_int_equal(dfx_http_content_type(NULL), DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type(""), DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type("text/plain"), DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type("application/jsonx"),
                     DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type("application/x-www-form-"
                                           "urlencoded"), DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type("application/json; "
                                           "charset=latin1"),
                     DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type("application/json garbage"),
                     DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type("application/json; charset"),
                     DFX_HTTP_CT_NONE);
    assert_int_equal(dfx_http_content_type("application/json; x=\"open"),
                     DFX_HTTP_CT_NONE);
}

static void
test_content_encoding(void **state)
{
    (void) state;

    assert_int_equal(dfx_http_content_encoding(NULL), DFX_HTTP_CE_IDENTITY);
    assert_int_equal(dfx_http_content_encoding(""), DFX_HTTP_CE_IDENTITY);
    assert_int_equal(dfx_http_content_encoding("identity"),
                     DFX_HTTP_CE_IDENTITY);
    assert_int_equal(dfx_http_content_encoding("gzip"), DFX_HTTP_CE_GZIP);
    assert_int_equal(dfx_http_content_encoding(" GZIP "), DFX_HTTP_CE_GZIP);
    assert_int_equal(dfx_http_content_encoding("x-gzip"), DFX_HTTP_CE_GZIP);
    assert_int_equal(dfx_http_content_encoding("br"), DFX_HTTP_CE_BAD);
    assert_int_equal(dfx_http_content_encoding("deflate"), DFX_HTTP_CE_BAD);
    assert_int_equal(dfx_http_content_encoding("gzip, br"), DFX_HTTP_CE_BAD);
}

static void
test_gzip_ok(void **state)
{
    dfx_http_gunzip_t   g;
    dfx_buf_t           out = DFX_BUF_INIT;
    unsigned char      *z;
    char               *plain, err[256];
    size_t              i, n = 300000, zlen;

    (void) state;
    memset(&g, 0, sizeof(g));
    plain = malloc(n);
    assert_non_null(plain);
    for (i = 0; i < n; i++) {
        plain[i] = (char) ('a' + (i * 7 + i / 13) % 26);
    }
    z = gz(plain, n, &zlen);

    /* in one piece, then split into small chunks (an evbuffer's shape) */
    assert_int_equal(gunzip_chunks(&g, z, zlen, zlen, n, &out, err), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, plain, n);

    assert_int_equal(gunzip_chunks(&g, z, zlen, 1000, n, &out, err), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, plain, n);

    /* exactly at the limit is fine, one byte less is not */
    assert_int_equal(gunzip_chunks(&g, z, zlen, 4096, n - 1, &out, err),
                     DFX_HTTP_LIMIT);
    assert_true(out.len <= n);

    /* the decoder is reusable after a refusal */
    assert_int_equal(gunzip_chunks(&g, z, zlen, 4096, n, &out, err), 0);
    assert_int_equal(out.len, n);

    /* an empty body decodes to nothing */
    assert_int_equal(dfx_http_gunzip(&g, NULL, 0, n, &out, err, 256), 0);
    assert_int_equal(out.len, 0);

    free(z);
    free(plain);
    dfx_buf_free(&out);
    dfx_http_gunzip_free(&g);
}

static void
test_gzip_members(void **state)
{
    dfx_http_gunzip_t   g;
    dfx_buf_t           out = DFX_BUF_INIT;
    unsigned char      *a, *b, *ab;
    size_t              alen, blen;
    char                err[256];

    (void) state;
    memset(&g, 0, sizeof(g));
    a = gz("{\"a\":1}\n", 8, &alen);
    b = gz("{\"b\":2}\n", 8, &blen);
    ab = malloc(alen + blen);
    assert_non_null(ab);
    memcpy(ab, a, alen);
    memcpy(ab + alen, b, blen);

    assert_int_equal(gunzip_chunks(&g, ab, alen + blen, 5, 1024, &out, err),
                     0);
    assert_int_equal(out.len, 16);
    assert_memory_equal(out.data, "{\"a\":1}\n{\"b\":2}\n", 16);

    free(a);
    free(b);
    free(ab);
    dfx_buf_free(&out);
    dfx_http_gunzip_free(&g);
}

static void
test_gzip_bad(void **state)
{
    dfx_http_gunzip_t   g;
    dfx_buf_t           out = DFX_BUF_INIT;
    unsigned char      *z;
    size_t              zlen;
    char                err[256];
    const char         *plain = "{\"a\":1}\n{\"a\":2}\n";

    (void) state;
    memset(&g, 0, sizeof(g));

    /* not gzip at all */
    assert_int_equal(gunzip_chunks(&g, (const unsigned char *) plain,
                                   strlen(plain), 100, 1024, &out, err), -1);
    assert_non_null(strstr(err, "invalid gzip data"));

    /* truncated */
    z = gz(plain, strlen(plain), &zlen);
    assert_int_equal(gunzip_chunks(&g, z, zlen - 6, 100, 1024, &out, err),
                     -1);
    assert_non_null(strstr(err, "truncated"));

    /* corrupt CRC */
    z[zlen - 8] ^= 0xff;
    assert_int_equal(gunzip_chunks(&g, z, zlen, 100, 1024, &out, err), -1);
    assert_non_null(strstr(err, "invalid gzip data"));
    z[zlen - 8] ^= 0xff;

    /* garbage after a complete member */
    {
        unsigned char  *zz = malloc(zlen + 4);

        assert_non_null(zz);
        memcpy(zz, z, zlen);
        memcpy(zz + zlen, "junk", 4);
        assert_int_equal(gunzip_chunks(&g, zz, zlen + 4, 100, 1024, &out,
                                       err), -1);
        free(zz);
    }

    /* and still good afterwards */
    assert_int_equal(gunzip_chunks(&g, z, zlen, 3, 1024, &out, err), 0);
    assert_int_equal(out.len, strlen(plain));

    free(z);
    dfx_buf_free(&out);
    dfx_http_gunzip_free(&g);
}

static void
test_gzip_bomb(void **state)
{
    dfx_http_gunzip_t   g;
    dfx_buf_t           out = DFX_BUF_INIT;
    unsigned char      *z;
    char               *zeros, err[256];
    size_t              n = 64 * 1024 * 1024, zlen;

    (void) state;
    memset(&g, 0, sizeof(g));
    zeros = calloc(1, n);
    assert_non_null(zeros);
    z = gz(zeros, n, &zlen);
    free(zeros);
    assert_true(zlen < n / 500);

    /* decoding stops at the limit instead of inflating 64 MiB */
    assert_int_equal(gunzip_chunks(&g, z, zlen, 65536, 1024 * 1024, &out,
                                   err), DFX_HTTP_LIMIT);
    assert_true(out.cap < 4 * 1024 * 1024);

    free(z);
    dfx_buf_free(&out);
    dfx_http_gunzip_free(&g);
}

/* Collects every line as "N:text|". */
static int
frame(const char *body, size_t max, char *out, size_t size)
{
    dfx_http_lines_t  it;
    dfx_str_t         line;
    size_t            o = 0;
    int               rc;

    dfx_http_lines_init(&it, body, strlen(body), max);
    out[0] = '\0';
    while ((rc = dfx_http_lines_next(&it, &line)) == 1) {
        o += (size_t) snprintf(out + o, size - o, "%u:%.*s|", it.lineno,
                               (int) line.len, line.data);
    }
    if (rc == DFX_HTTP_LIMIT) {
        snprintf(out + o, size - o, "LIMIT@%u", it.lineno);
    }
    return rc;
}

static void
test_ndjson(void **state)
{
    char  out[512];

    (void) state;

    assert_int_equal(frame("{\"a\":1}\n{\"a\":2}\n", 100, out, sizeof(out)),
                     0);
    assert_string_equal(out, "1:{\"a\":1}|2:{\"a\":2}|");

    /* CRLF, blank lines (also with spaces or a lone \r), last line
     * without \n */
    assert_int_equal(frame("{\"a\":1}\r\n\r\n\n  \t \r\n{\"a\":2}\r\n"
                           "{\"a\":3}", 100, out, sizeof(out)), 0);
    assert_string_equal(out, "1:{\"a\":1}|5:{\"a\":2}|6:{\"a\":3}|");

    /* a line that is only whitespace in the middle of records */
    assert_int_equal(frame("\n\n{}\n", 100, out, sizeof(out)), 0);
    assert_string_equal(out, "3:{}|");

    /* empty body, blank body */
    assert_int_equal(frame("", 100, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(frame("\r\n \n", 100, out, sizeof(out)), 0);
    assert_string_equal(out, "");

    /* the limit: the terminator does not count, \r neither */
    assert_int_equal(frame("12345\n123456\n", 5, out, sizeof(out)),
                     DFX_HTTP_LIMIT);
    assert_string_equal(out, "1:12345|LIMIT@2");
    assert_int_equal(frame("12345\r\n", 5, out, sizeof(out)), 0);
    assert_string_equal(out, "1:12345|");
    assert_int_equal(frame("{}\n\n1234567", 5, out, sizeof(out)),
                     DFX_HTTP_LIMIT);
    assert_string_equal(out, "1:{}|LIMIT@3");

    /* a line may hold anything; the parser judges it */
    assert_int_equal(frame("not json\n", 100, out, sizeof(out)), 0);
    assert_string_equal(out, "1:not json|");
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_content_encoding),
        cmocka_unit_test(test_gzip_ok),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_gzip_bad),
        cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_ndjson),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
