/*
 * dfx_http_response.h: the JSON answers of the ingest endpoint.
 *
 * A request gathers its per-record counts and errors in a result (kept by
 * the worker and reused); the answer is rendered from it once, at the
 * end.  Error texts may quote client input, so every string is escaped
 * and invalid UTF-8 is replaced (U+FFFD): the answer is always valid JSON.
 */
#ifndef DFX_HTTP_RESPONSE_H
#define DFX_HTTP_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_buf.h"
#include "dfx_str.h"

/* One listed problem of a record. */
typedef struct dfx_http_rerr_s {
    uint32_t  record;           /* 0-based position in the request */
    uint32_t  line;             /* 1-based line of the body */
    uint32_t  column;           /* 1-based byte column in that line */
    int       exporter;         /* the exporter concerned, or -1 */
    char      field[64];        /* "" when not about one field */
    char      msg[160];
} dfx_http_rerr_t;

typedef struct dfx_http_result_s {
    uint32_t          accepted;
    uint32_t          filtered;
    uint32_t          rejected;
    dfx_http_rerr_t  *errs;     /* the first `max` errors */
    size_t            nerrs;
    size_t            cap;
    size_t            total;    /* errors seen, listed or not */
    size_t            max;      /* dfexport.limits.errors */
} dfx_http_result_t;

/* Empties r for a new request (keeps its memory); max = errors listed. */
void dfx_http_result_reset(dfx_http_result_t *r, size_t max);

/* Counts one more error and returns the entry to fill (zeroed, exporter
 * -1), or NULL when it is past the cap (or memory ran out): it is then
 * only counted. */
dfx_http_rerr_t *dfx_http_result_add(dfx_http_result_t *r);

/* Frees what r holds.  Accepts NULL. */
void dfx_http_result_free(dfx_http_result_t *r);

/* Per exporter, for the "exporters" member. */
typedef struct dfx_http_exp_sum_s {
    unsigned   exporter;        /* ingester.exporters[] index */
    dfx_str_t  topic;
    uint32_t   queued;
    uint32_t   filtered;
} dfx_http_exp_sum_t;

/* Renders {"accepted":N,"filtered":F,"rejected":R,"errors":[...]}, with
 * "errors_truncated":true when errors were left out, and "exporters"
 * when nex > 0.  *insert_at (may be NULL) receives the offset just after
 * the "rejected" member, where members known only later (Kafka's
 * acknowledgement) are spliced in.  Returns 0 or -1 on ENOMEM. */
int dfx_http_render_result(dfx_buf_t *out, const dfx_http_result_t *r,
                           const dfx_http_exp_sum_t *ex, size_t nex,
                           size_t *insert_at);

/* Renders one error entry (a member of "errors" or of a dry run). */
int dfx_http_render_rerr(dfx_buf_t *out, const dfx_http_rerr_t *e);

/* Renders {"error":"msg"}, with "line" and "column" when line != 0. */
int dfx_http_render_error(dfx_buf_t *out, const char *msg, uint32_t line,
                          uint32_t column);

/* Renders {"error":"msg","refused":n}: a request turned away whole. */
int dfx_http_render_refused(dfx_buf_t *out, const char *msg, uint32_t n);

/* Appends s as a JSON string literal: quotes, backslash and control
 * characters escaped, invalid UTF-8 replaced by \ufffd. */
int dfx_http_json_text(dfx_buf_t *b, const char *s, size_t len);

#endif /* DFX_HTTP_RESPONSE_H */
