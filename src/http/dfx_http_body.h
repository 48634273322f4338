/*
 * dfx_http_body.h: what an ingest body is and how it is cut into records.
 *
 * Content-Type and Content-Encoding are recognised here, gzip is decoded
 * (streaming, into a buffer reused by every request of a worker, stopped
 * at the decoded-body limit) and NDJSON bodies are split into lines
 * without copying.  Nothing here knows about HTTP objects: the gzip input
 * is a list of chunks, so that an evbuffer is decoded without first being
 * made contiguous.
 */
#ifndef DFX_HTTP_BODY_H
#define DFX_HTTP_BODY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <zlib.h>

#include "dfx_buf.h"
#include "dfx_str.h"

/* Returned when a limit was passed (413 for the whole request). */
#define DFX_HTTP_LIMIT  -10

typedef enum {
    DFX_HTTP_CT_NONE = 0,       /* missing or not ours: 415 */
    DFX_HTTP_CT_NDJSON,         /* application/x-ndjson, application/ndjson */
    DFX_HTTP_CT_JSON,           /* application/json */
} dfx_http_ct_t;

/* Parses a Content-Type value: the media type (case-insensitive), then
 * optional parameters; a charset other than utf-8 or us-ascii makes it
 * DFX_HTTP_CT_NONE.  NULL -> DFX_HTTP_CT_NONE. */
dfx_http_ct_t dfx_http_content_type(const char *value);

typedef enum {
    DFX_HTTP_CE_BAD = -1,       /* anything else: 415 */
    DFX_HTTP_CE_IDENTITY = 0,   /* missing or "identity" */
    DFX_HTTP_CE_GZIP,           /* "gzip" or "x-gzip" */
} dfx_http_ce_t;

/* Parses a Content-Encoding value (one coding, case-insensitive). */
dfx_http_ce_t dfx_http_content_encoding(const char *value);

/* A gzip decoder kept by a worker: zlib's state is allocated once and
 * reset for every body. */
typedef struct dfx_http_gunzip_s {
    z_stream  zs;
    int       ready;        /* inflateInit2 done */
} dfx_http_gunzip_t;

/* Decodes the gzip stream held in iov[0..n) into out (reset first).
 * Concatenated gzip members are decoded one after the other.  Returns 0;
 * DFX_HTTP_LIMIT when the decoded body would pass limit bytes; -1 with
 * err filled when the input is not gzip, is corrupt or truncated, or
 * memory ran out. */
int dfx_http_gunzip(dfx_http_gunzip_t *gz, const struct iovec *iov, int n,
                    size_t limit, dfx_buf_t *out, char *err, size_t errlen);

/* Frees zlib's state.  Accepts a decoder that was never used. */
void dfx_http_gunzip_free(dfx_http_gunzip_t *gz);

/* NDJSON framing: lines end with \n, a \r before it is stripped, lines
 * that hold only spaces, tabs or \r are skipped, the last line may lack
 * its \n. */
typedef struct dfx_http_lines_s {
    const char  *p;
    const char  *end;
    uint32_t     lineno;        /* of the line last returned, 1-based */
    size_t       max;           /* longest line, terminator excluded */
} dfx_http_lines_t;

void dfx_http_lines_init(dfx_http_lines_t *it, const char *body, size_t len,
                         size_t max_line);

/* The next non-blank line in *line (it->lineno is its number): returns 1;
 * 0 at the end; DFX_HTTP_LIMIT when the next line is longer than the
 * maximum (it->lineno is then that line's number). */
int dfx_http_lines_next(dfx_http_lines_t *it, dfx_str_t *line);

#endif /* DFX_HTTP_BODY_H */
