/*
 * dfx_http_admin.c: the admin listener (main event loop): /metrics,
 * /stats, /healthz, /readyz and PUT /v1/dictionary.  /healthz and
 * /readyz are also answered on the ingest listeners, for load balancers.
 */
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "dfx_ch.h"
#include "dfx_core.h"
#include "dfx_cycle.h"
#include "dfx_http.h"
#include "dfx_http_int.h"
#include "dfx_log.h"
#include "dfx_stats.h"
#include "universal_tag/dfx_dict.h"

#define DFX_HTTP_PROM_TYPE  "text/plain; version=0.0.4; charset=utf-8"

static int
dfx_http_is_get(struct evhttp_request *r)
{
    enum evhttp_cmd_type  m = evhttp_request_get_command(r);

    return m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD;
}

static void
dfx_http_send_text(struct evhttp_request *r, int code, const char *text)
{
    dfx_http_send(r, code, "text/plain; charset=utf-8", text, strlen(text));
}

void
dfx_http_health(struct evhttp_request *r, dfx_http_ep_t ep)
{
    char  why[320], text[352];

    if (!dfx_http_is_get(r)) {
        dfx_http_send_405(r, "GET, HEAD");
        return;
    }
    if (ep == DFX_HTTP_EP_HEALTHZ) {
        dfx_http_send_text(r, 200, "ok\n");
        return;
    }
    if (dfx_http_shutting_down()) {
        evhttp_add_header(evhttp_request_get_output_headers(r),
                          "Retry-After", "1");
        dfx_http_send_text(r, 503, "shutting down\n");
    } else if (!dfx_cycle_ready()) {
        dfx_http_send_text(r, 503, "not ready\n");
    } else if (!dfx_ch_ready(why, sizeof(why))) {
        /* a follower that cannot reach ClickHouse exports nothing */
        snprintf(text, sizeof(text), "not ready: %s\n", why);
        dfx_http_send_text(r, 503, text);
    } else {
        dfx_http_send_text(r, 200, "ready\n");
    }
}

static void
dfx_http_metrics(struct evhttp_request *r)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    if (dfx_stats_prometheus(&b) != 0
        || dfx_cycle_brokers(&b, 0) != 0)
    {
        dfx_http_send_error(r, 500, "out of memory");
    } else {
        dfx_http_send(r, 200, DFX_HTTP_PROM_TYPE, b.data, b.len);
    }
    dfx_buf_free(&b);
}

static int
dfx_http_addr_list(dfx_buf_t *b, int admin)
{
    const char  *a;
    size_t       i;
    int          rc = 0;

    rc |= dfx_buf_putc(b, '[');
    for (i = 0; (a = dfx_http_listen_addr(admin, i)) != NULL; i++) {
        if (i > 0) {
            rc |= dfx_buf_putc(b, ',');
        }
        rc |= dfx_http_json_text(b, a, strlen(a));
    }
    rc |= dfx_buf_putc(b, ']');
    return rc;
}

static void
dfx_http_stats(struct evhttp_request *r)
{
    const dfx_dict_t  *d;
    const char        *bs;
    dfx_buf_t          b = DFX_BUF_INIT;
    int                rc = 0;

    rc |= dfx_buf_append_lit(&b, "{\"listen\":");
    rc |= dfx_http_addr_list(&b, 0);
    rc |= dfx_buf_append_lit(&b, ",\"admin_listen\":");
    rc |= dfx_http_addr_list(&b, 1);
    rc |= dfx_buf_append_lit(&b, ",\"embedded_kafka\":");
    bs = dfx_http_embedded_bootstrap();
    if (bs != NULL) {
        rc |= dfx_http_json_text(&b, bs, strlen(bs));
    } else {
        rc |= dfx_buf_append_lit(&b, "null");
    }
    rc |= dfx_buf_printf(&b, ",\"ready\":%s",
                         !dfx_http_shutting_down() && dfx_cycle_ready()
                         && dfx_ch_ready(NULL, 0) ? "true" : "false");
    rc |= dfx_ch_stats_json(&b);

    d = dfx_dict_acquire();
    rc |= dfx_buf_printf(&b, ",\"dictionary\":{\"loaded\":%s,\"version\":%llu,"
                         "\"entries\":%zu}",
                         d != NULL ? "true" : "false",
                         d != NULL ? (unsigned long long) dfx_dict_version(d)
                                   : 0ULL,
                         d != NULL ? dfx_dict_entries(d) : (size_t) 0);
    dfx_dict_release(d);

    /* the ingest workers' open connections and requests: how evenly the
     * load is spread */
    rc |= dfx_buf_append_lit(&b, ",\"workers\":");
    rc |= dfx_http_workers_json(&b);

    /* each exporter's producers and their brokers (librdkafka's
     * statistics) */
    rc |= dfx_buf_append_lit(&b, ",\"kafka_brokers\":");
    rc |= dfx_cycle_brokers(&b, 1);

    rc |= dfx_buf_putc(&b, ',');
    rc |= dfx_stats_json(&b);
    rc |= dfx_buf_append_lit(&b, "}\n");

    if (rc != 0) {
        dfx_http_send_error(r, 500, "out of memory");
    } else {
        dfx_http_send(r, 200, "application/json", b.data, b.len);
    }
    dfx_buf_free(&b);
}

/* PUT /v1/dictionary: the body replaces the universal-tag dictionary;
 * on any error the current one stays. */
static void
dfx_http_dictionary(struct evhttp_request *r)
{
    struct evkeyvalq   *h = evhttp_request_get_input_headers(r);
    struct evbuffer    *in = evhttp_request_get_input_buffer(r);
    dfx_http_gunzip_t   gz;
    dfx_buf_t           body = DFX_BUF_INIT, out = DFX_BUF_INIT;
    dfx_dict_t         *d;
    struct iovec       *iov = NULL;
    const char         *json;
    char                err[512];
    size_t              len;
    int                 n, rc;

    memset(&gz, 0, sizeof(gz));

    switch (dfx_http_content_encoding(evhttp_find_header(h,
                                                         "Content-Encoding")))
    {
    case DFX_HTTP_CE_IDENTITY:
        len = evbuffer_get_length(in);
        json = (const char *) evbuffer_pullup(in, -1);
        if (json == NULL && len > 0) {
            dfx_http_send_error(r, 500, "out of memory");
            goto cleanup;
        }
        break;
    case DFX_HTTP_CE_GZIP:
        n = evbuffer_peek(in, -1, NULL, NULL, 0);
        iov = calloc(n > 0 ? (size_t) n : 1, sizeof(*iov));
        if (iov == NULL) {
            dfx_http_send_error(r, 500, "out of memory");
            goto cleanup;
        }
        n = evbuffer_peek(in, -1, NULL, iov, n);
        rc = dfx_http_gunzip(&gz, iov, n, dfx_http_admin_body_limit(), &body,
                             err, sizeof(err));
        if (rc == DFX_HTTP_LIMIT) {
            dfx_http_send_error(r, 413, "the decoded dictionary is larger "
                                "than limits.decoded-body");
            goto cleanup;
        }
        if (rc != 0) {
            dfx_http_send_error(r, 400, err);
            goto cleanup;
        }
        json = body.data;
        len = body.len;
        break;
    default:
        dfx_http_send_error(r, 415, "Content-Encoding must be gzip or "
                            "identity");
        goto cleanup;
    }

    d = dfx_dict_parse(json != NULL ? json : "", len, err, sizeof(err));
    if (d == NULL) {
        dfx_log_warn("admin: PUT /v1/dictionary refused: %s; the current "
                     "dictionary stays", err);
        dfx_http_send_error(r, 400, err);
        goto cleanup;
    }
    if (dfx_buf_printf(&out, "{\"version\":%llu,\"entries\":%zu}\n",
                       (unsigned long long) dfx_dict_version(d),
                       dfx_dict_entries(d)) != 0)
    {
        dfx_dict_release(d);
        dfx_http_send_error(r, 500, "out of memory");
        goto cleanup;
    }
    dfx_log_notice("admin: dictionary replaced: version %llu, %zu entries",
                   (unsigned long long) dfx_dict_version(d),
                   dfx_dict_entries(d));
    dfx_dict_publish(d);
    dfx_http_send(r, 200, "application/json", out.data, out.len);

cleanup:
    dfx_http_gunzip_free(&gz);
    dfx_buf_free(&body);
    dfx_buf_free(&out);
    free(iov);
}

void
dfx_http_admin_cb(struct evhttp_request *r, void *arg)
{
    dfx_str_t      ds = dfx_null_string;
    dfx_http_ep_t  ep;

    /* the request is read: its deadlines stop (arg: the admin listener's
     * connections, dfx_http_listen.c) */
    dfx_http_conn_handed(arg, evhttp_request_get_connection(r));
    if (dfx_http_framing_check(r) != 0) {
        return;
    }
    ep = dfx_http_route(dfx_http_request_path(r), &ds);
    /* the probes stay open; the rest needs the token, when one is set,
     * and writes need one when the listener is not on loopback */
    if (ep != DFX_HTTP_EP_HEALTHZ && ep != DFX_HTTP_EP_READYZ
        && dfx_http_admin_gate(r, ep == DFX_HTTP_EP_DICTIONARY) != 0)
    {
        return;
    }
    switch (ep) {
    case DFX_HTTP_EP_HEALTHZ:
    case DFX_HTTP_EP_READYZ:
        dfx_http_health(r, ep);
        return;
    case DFX_HTTP_EP_METRICS:
        if (!dfx_http_is_get(r)) {
            dfx_http_send_405(r, "GET, HEAD");
        } else {
            dfx_http_metrics(r);
        }
        return;
    case DFX_HTTP_EP_STATS:
        if (!dfx_http_is_get(r)) {
            dfx_http_send_405(r, "GET, HEAD");
        } else {
            dfx_http_stats(r);
        }
        return;
    case DFX_HTTP_EP_DICTIONARY:
        if (evhttp_request_get_command(r) != EVHTTP_REQ_PUT) {
            dfx_http_send_405(r, "PUT");
        } else {
            dfx_http_dictionary(r);
        }
        return;
    default:
        dfx_http_send_error(r, 404, "no such endpoint: the admin listener "
                            "serves GET /metrics, /stats, /healthz, /readyz "
                            "and PUT /v1/dictionary");
        return;
    }
}
