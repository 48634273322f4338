/*
 * dfx_http_debug.c: the debug line of an ingest request (log.level:
 * debug), written by the worker when the request's handler is done:
 *
 *   TIME debug: ingest 127.0.0.1:40312 POST /v1/ingest/flow_log.l7_flow_log
 *       data_source=flow_log.l7_flow_log bytes=1834 records=10 accepted=9
 *       filtered=0 rejected=1 exporter[main]=queued:9,filtered:0
 *       status=202 ms=0.412 first_rejected=2:17 (record 1) time: ...
 *
 * Unlike the access log it says why: the first rejected record's line,
 * column and reason, each exporter's share, the error of a request
 * refused whole.  The caller checks the level first, so that nothing of
 * this is done at info and above.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "dfx_core.h"
#include "dfx_http_int.h"
#include "dfx_log.h"

/* the request's error answer ({"error":...}) quoted at most this long */
#define DFX_HTTP_DEBUG_ANSWER  240

/* Client text (a path, a field name, an error quoting a value) in a log
 * line: control bytes would break the line, so they become '?'. */
static int
dfx_http_debug_text(dfx_buf_t *b, const char *s, size_t len)
{
    size_t  i;
    int     rc = 0;

    for (i = 0; i < len && s[i] != '\0' && rc == 0; i++) {
        rc = dfx_buf_putc(b, (unsigned char) s[i] < 0x20 || s[i] == 0x7f
                             ? '?' : s[i]);
    }
    return rc;
}

static int
dfx_http_debug_peer(dfx_buf_t *b, struct evhttp_request *r)
{
    struct evhttp_connection  *evcon = evhttp_request_get_connection(r);
    char                      *host = NULL;
    ev_uint16_t                port = 0;

    if (evcon != NULL) {
        evhttp_connection_get_peer(evcon, &host, &port);
    }
    if (host == NULL) {
        return dfx_buf_putc(b, '-');
    }
    return dfx_buf_printf(b, strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u",
                          host, (unsigned) port);
}

/* exporter[LABEL]=queued:N,filtered:N for each exporter of the data
 * source (their chains ran: records were read) */
static int
dfx_http_debug_exporters(dfx_buf_t *b, const dfx_http_ctx_t *ctx)
{
    const dfx_http_route_st_t  *st;
    char                        tmp[16];
    size_t                      i;
    int                         rc = 0;

    for (i = 0; i < ctx->nroutes && rc == 0; i++) {
        st = &ctx->w->routes[i];
        rc |= dfx_buf_printf(b, " exporter[%s]=queued:%" PRIu32
                             ",filtered:%" PRIu32,
                             dfx_stats_exporter_label(
                                 (int) st->route->exporter->index, tmp,
                                 sizeof(tmp)),
                             (uint32_t) st->nmsgs - st->send_failed,
                             st->filtered);
        if (st->send_failed > 0) {
            rc |= dfx_buf_printf(b, ",refused_by_kafka:%" PRIu32,
                                 st->send_failed);
        }
    }
    return rc;
}

/* first_rejected=LINE:COLUMN (record N[, exporter E]) field: reason */
static int
dfx_http_debug_rejected(dfx_buf_t *b, const dfx_http_result_t *res)
{
    const dfx_http_rerr_t  *e;
    size_t                  flen, mlen;
    int                     rc = 0;

    if (res->nerrs == 0) {
        /* counted, not listed (limits.errors: 0) */
        return res->rejected > 0
               ? dfx_buf_append_lit(b, " first_rejected=unlisted") : 0;
    }
    e = &res->errs[0];
    flen = strnlen(e->field, sizeof(e->field));
    mlen = strnlen(e->msg, sizeof(e->msg));
    rc |= dfx_buf_printf(b, " first_rejected=%" PRIu32 ":%" PRIu32
                         " (record %" PRIu32, e->line, e->column, e->record);
    if (e->exporter >= 0) {
        rc |= dfx_buf_printf(b, ", exporter %d", e->exporter);
    }
    rc |= dfx_buf_append_lit(b, ") ");
    if (flen > 0) {
        rc |= dfx_http_debug_text(b, e->field, flen);
        rc |= dfx_buf_append_lit(b, ": ");
    }
    rc |= dfx_http_debug_text(b, e->msg, mlen);
    return rc;
}

void
dfx_http_debug_request(const dfx_http_ctx_t *ctx, dfx_str_t ds, size_t len,
                       uint64_t t0)
{
    struct evhttp_request     *r = ctx->evreq;
    const dfx_http_result_t   *res = &ctx->w->result;
    const dfx_buf_t           *answer = &ctx->w->out;
    struct evbuffer           *in;
    const char                *uri;
    dfx_buf_t                  b = DFX_BUF_INIT;
    uint64_t                   us;
    size_t                     bytes = 0, alen;
    int                        code, rc = 0;

    if (r == NULL) {
        return;
    }
    us = dfx_hist_now_us() - t0;
    in = evhttp_request_get_input_buffer(r);
    if (in != NULL) {
        bytes = evbuffer_get_length(in);
    }
    uri = evhttp_request_get_uri(r);
    code = evhttp_request_get_response_code(r);

    rc |= dfx_buf_append_lit(&b, "ingest ");
    rc |= dfx_http_debug_peer(&b, r);
    rc |= dfx_buf_printf(&b, " %s ",
                         dfx_log_method(r));
    rc |= dfx_http_debug_text(&b, uri != NULL ? uri : "-",
                              uri != NULL ? strnlen(uri, 512) : 1);
    rc |= dfx_buf_append_lit(&b, " data_source=");
    rc |= dfx_http_debug_text(&b, ds.data, ds.len < 64 ? ds.len : 64);
    if (ctx->schema == NULL && code == 404) {
        rc |= dfx_buf_append_lit(&b, "(unknown)");
    }
    rc |= dfx_buf_printf(&b, " bytes=%zu", bytes);
    if (len != bytes && len > 0) {
        rc |= dfx_buf_printf(&b, " decoded=%zu", len);
    }
    if (ctx->nrecords > 0) {
        /* the result and the routes belong to this request only once
         * its records were read */
        rc |= dfx_buf_printf(&b, " records=%" PRIu32 " accepted=%" PRIu32
                             " filtered=%" PRIu32 " rejected=%" PRIu32,
                             ctx->nrecords, res->accepted, res->filtered,
                             res->rejected);
        if (!ctx->dry_run) {
            rc |= dfx_http_debug_exporters(&b, ctx);
        }
    } else {
        rc |= dfx_buf_append_lit(&b, " records=0");
    }
    if (ctx->dry_run) {
        rc |= dfx_buf_append_lit(&b, " dry_run=1");
    }
    if (code > 0) {
        rc |= dfx_buf_printf(&b, " status=%d", code);
    } else {
        rc |= dfx_buf_append_lit(&b, " status=- (ack=kafka: answered when "
                                 "Kafka acknowledges)");
    }
    rc |= dfx_buf_printf(&b, " ms=%" PRIu64 ".%03u", us / 1000,
                         (unsigned) (us % 1000));
    /* (405 is answered without w->out, which still holds an answer of
     * the request before) */
    if (code >= 400 && code != 405 && code != 422 && answer->len > 0
        && answer->data[0] == '{')
    {
        /* a request refused whole: its answer says why */
        alen = answer->len;
        while (alen > 0 && answer->data[alen - 1] == '\n') {
            alen--;
        }
        rc |= dfx_buf_append_lit(&b, " answer=");
        rc |= dfx_http_debug_text(&b, answer->data,
                                  alen < DFX_HTTP_DEBUG_ANSWER
                                  ? alen : DFX_HTTP_DEBUG_ANSWER);
    }
    /* last: the reason runs to the end of the line */
    if (ctx->nrecords > 0 && res->rejected > 0) {
        rc |= dfx_http_debug_rejected(&b, res);
    }
    if (rc == 0) {
        dfx_log(DFX_LOG_DEBUG, "%.*s", (int) b.len, b.data);
    }
    dfx_buf_free(&b);
}
