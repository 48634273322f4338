/*
 * dfx_http_body.c: Content-Type and Content-Encoding, gzip decoding with
 * the decoded-body limit, and NDJSON line splitting.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dfx_core.h"
#include "dfx_http_body.h"

/* decoded bytes asked of zlib at a time */
#define DFX_HTTP_GZ_CHUNK  (256 * 1024)

static int
dfx_http_ows(char c)
{
    return c == ' ' || c == '\t';
}

static int
dfx_http_tchar(char c)
{
    return c > ' ' && c < 0x7f && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

/* Matches a token (case-insensitively) at s..e against lit. */
static int
dfx_http_token_is(const char *s, const char *e, const char *lit)
{
    size_t  n = strlen(lit);

    return (size_t) (e - s) == n && strncasecmp(s, lit, n) == 0;
}

dfx_http_ct_t
dfx_http_content_type(const char *v)
{
    const char     *s, *e, *ns, *ne, *vs, *ve;
    dfx_http_ct_t   ct;

    if (v == NULL) {
        return DFX_HTTP_CT_NONE;
    }
    while (dfx_http_ows(*v)) {
        v++;
    }
    /* type "/" subtype */
    for (s = e = v; *e != '\0' && *e != ';' && !dfx_http_ows(*e); e++) {
        /* scan */
    }
    if (dfx_http_token_is(s, e, "application/x-ndjson")
        || dfx_http_token_is(s, e, "application/ndjson"))
    {
        ct = DFX_HTTP_CT_NDJSON;
    } else if (dfx_http_token_is(s, e, "application/json")) {
        ct = DFX_HTTP_CT_JSON;
    } else {
        return DFX_HTTP_CT_NONE;
    }

    /* *( OWS ";" OWS name "=" ( token / quoted-string ) ) */
    for (;;) {
        while (dfx_http_ows(*e)) {
            e++;
        }
        if (*e == '\0') {
            return ct;
        }
        if (*e != ';') {
            return DFX_HTTP_CT_NONE;
        }
        e++;
        while (dfx_http_ows(*e)) {
            e++;
        }
        if (*e == '\0') {
            return ct;          /* a trailing ";" is tolerated */
        }
        for (ns = ne = e; dfx_http_tchar(*ne); ne++) {
            /* scan */
        }
        if (ne == ns || *ne != '=') {
            return DFX_HTTP_CT_NONE;
        }
        e = ne + 1;
        if (*e == '"') {
            for (vs = ve = e + 1; *ve != '\0' && *ve != '"'; ve++) {
                if (*ve == '\\' && ve[1] != '\0') {
                    ve++;
                }
            }
            if (*ve != '"') {
                return DFX_HTTP_CT_NONE;
            }
            e = ve + 1;
        } else {
            for (vs = ve = e; dfx_http_tchar(*ve); ve++) {
                /* scan */
            }
            if (ve == vs) {
                return DFX_HTTP_CT_NONE;
            }
            e = ve;
        }
        if (dfx_http_token_is(ns, ne, "charset")
            && !dfx_http_token_is(vs, ve, "utf-8")
            && !dfx_http_token_is(vs, ve, "utf8")
            && !dfx_http_token_is(vs, ve, "us-ascii"))
        {
            return DFX_HTTP_CT_NONE;
        }
    }
}

dfx_http_ce_t
dfx_http_content_encoding(const char *v)
{
    const char  *s, *e;

    if (v == NULL) {
        return DFX_HTTP_CE_IDENTITY;
    }
    for (s = v; dfx_http_ows(*s); s++) {
        /* skip */
    }
    for (e = s + strlen(s); e > s && dfx_http_ows(e[-1]); e--) {
        /* trim */
    }
    if (e == s || dfx_http_token_is(s, e, "identity")) {
        return DFX_HTTP_CE_IDENTITY;
    }
    if (dfx_http_token_is(s, e, "gzip") || dfx_http_token_is(s, e, "x-gzip"))
    {
        return DFX_HTTP_CE_GZIP;
    }
    return DFX_HTTP_CE_BAD;
}

static void
dfx_http_gz_err(char *err, size_t errlen, const char *what, const char *zmsg)
{
    if (zmsg != NULL) {
        snprintf(err, errlen, "%s: %s", what, zmsg);
    } else {
        snprintf(err, errlen, "%s", what);
    }
}

int
dfx_http_gunzip(dfx_http_gunzip_t *gz, const struct iovec *iov, int n,
                size_t limit, dfx_buf_t *out, char *err, size_t errlen)
{
    z_stream  *zs = &gz->zs;
    size_t     room, in_total = 0;
    int        i, ret, member_end = 0;

    dfx_buf_reset(out);
    if (!gz->ready) {
        memset(zs, 0, sizeof(*zs));
        /* 16 + MAX_WBITS: gzip framing only (no zlib, no raw deflate) */
        if (inflateInit2(zs, 16 + MAX_WBITS) != Z_OK) {
            dfx_http_gz_err(err, errlen, "out of memory", NULL);
            return -1;
        }
        gz->ready = 1;
    } else if (inflateReset(zs) != Z_OK) {
        dfx_http_gz_err(err, errlen, "gzip: cannot reset the decoder", NULL);
        return -1;
    }

    for (i = 0; i < n; i++) {
        zs->next_in = (Bytef *) iov[i].iov_base;
        zs->avail_in = (uInt) iov[i].iov_len;
        dfx_assert(zs->avail_in == iov[i].iov_len);
        in_total += iov[i].iov_len;

        while (zs->avail_in > 0) {
            if (member_end) {
                /* another gzip member follows the one that ended */
                if (inflateReset(zs) != Z_OK) {
                    dfx_http_gz_err(err, errlen, "gzip: cannot reset the "
                                    "decoder", NULL);
                    return -1;
                }
                member_end = 0;
            }

            /* one byte more than the limit allows tells "too large" from
             * "exactly at the limit" */
            room = limit + 1 - out->len;
            if (room > DFX_HTTP_GZ_CHUNK) {
                room = DFX_HTTP_GZ_CHUNK;
            }
            if (dfx_buf_reserve(out, room) != 0) {
                dfx_http_gz_err(err, errlen, "out of memory", NULL);
                return -1;
            }
            zs->next_out = (Bytef *) out->data + out->len;
            zs->avail_out = (uInt) room;

            ret = inflate(zs, Z_NO_FLUSH);
            out->len += room - zs->avail_out;
            if (out->len > limit) {
                return DFX_HTTP_LIMIT;
            }

            switch (ret) {
            case Z_OK:
                break;
            case Z_STREAM_END:
                member_end = 1;
                break;
            case Z_BUF_ERROR:
                /* no progress: only possible with all input used */
                if (zs->avail_in != 0) {
                    dfx_http_gz_err(err, errlen, "invalid gzip data", NULL);
                    return -1;
                }
                break;
            case Z_MEM_ERROR:
                dfx_http_gz_err(err, errlen, "out of memory", NULL);
                return -1;
            default:
                dfx_http_gz_err(err, errlen, "invalid gzip data", zs->msg);
                return -1;
            }
        }
    }

    if (in_total > 0 && !member_end) {
        dfx_http_gz_err(err, errlen, "invalid gzip data: the stream is "
                        "truncated", NULL);
        return -1;
    }
    return 0;
}

void
dfx_http_gunzip_free(dfx_http_gunzip_t *gz)
{
    if (gz != NULL && gz->ready) {
        inflateEnd(&gz->zs);
        gz->ready = 0;
    }
}

void
dfx_http_lines_init(dfx_http_lines_t *it, const char *body, size_t len,
                    size_t max_line)
{
    it->p = body;
    it->end = body + len;
    it->lineno = 0;
    it->max = max_line;
}

int
dfx_http_lines_next(dfx_http_lines_t *it, dfx_str_t *line)
{
    const char  *s, *nl, *e, *q;
    size_t       len;

    while (it->p < it->end) {
        s = it->p;
        nl = memchr(s, '\n', (size_t) (it->end - s));
        e = nl != NULL ? nl : it->end;
        it->p = nl != NULL ? nl + 1 : it->end;
        it->lineno++;

        len = (size_t) (e - s);
        if (len > 0 && s[len - 1] == '\r') {
            len--;
        }
        if (len > it->max) {
            return DFX_HTTP_LIMIT;
        }
        for (q = s; q < s + len && (*q == ' ' || *q == '\t' || *q == '\r');
             q++)
        {
            /* blank so far */
        }
        if (q == s + len) {
            continue;
        }
        line->data = s;
        line->len = len;
        return 1;
    }
    return 0;
}
