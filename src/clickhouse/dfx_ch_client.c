/*
 * dfx_ch_client.c: one libcurl easy handle per follower thread.
 *
 * The connection is kept between queries (HTTP keep-alive).  Only a 200
 * answer's body reaches the caller; any other status is ClickHouse's
 * exception text, kept (first line) for the log and /stats.  A stalled
 * answer is cut by libcurl's low-speed limit, which is what "timeout"
 * means once connected: a window may take as long as it needs while
 * bytes keep coming.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config.h"
#include "dfx_buf.h"
#include "dfx_ch_client.h"
#include "dfx_log.h"

const char *const  dfx_ch_err_names[DFX_CH_ERR_COUNT] = {
    [DFX_CH_OK] = "ok",
    [DFX_CH_ERR_CONNECT] = "connect",
    [DFX_CH_ERR_TIMEOUT] = "timeout",
    [DFX_CH_ERR_HTTP] = "http",
    [DFX_CH_ERR_STREAM] = "stream",
    [DFX_CH_ERR_COLUMNS] = "columns",
    [DFX_CH_ERR_KAFKA] = "kafka",
    [DFX_CH_ERR_CHECKPOINT] = "checkpoint",
    [DFX_CH_ERR_STOPPED] = "stopped",
};

/* How much of an error answer is kept. */
#define DFX_CH_ERRBODY_MAX  1024

struct dfx_ch_client_s {
    CURL               *curl;
    const atomic_int   *stop;
    char               *url;
    char                curl_err[CURL_ERROR_SIZE];

    /* the current query */
    dfx_ch_data_cb      cb;
    void               *cb_arg;
    long                status;         /* 0 until the first body byte */
    int                 aborted;        /* cb said stop */
    dfx_buf_t           errbody;
};

static size_t
dfx_ch_write(char *data, size_t size, size_t nmemb, void *arg)
{
    dfx_ch_client_t  *c = arg;
    size_t            len = size * nmemb, room;

    if (c->status == 0) {
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
    }
    if (c->status != 200) {
        room = DFX_CH_ERRBODY_MAX - c->errbody.len;
        if (room > 0) {
            (void) dfx_buf_append(&c->errbody, data, len < room ? len : room);
        }
        return len;
    }
    if (atomic_load_explicit(c->stop, memory_order_relaxed)
        || c->cb(c->cb_arg, data, len) != 0)
    {
        c->aborted = 1;
        return 0;
    }
    return len;
}

/* Called about once a second even while nothing arrives. */
static int
dfx_ch_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
                curl_off_t ultotal, curl_off_t ulnow)
{
    dfx_ch_client_t  *c = arg;

    (void) dltotal;
    (void) dlnow;
    (void) ultotal;
    (void) ulnow;
    return atomic_load_explicit(c->stop, memory_order_relaxed) ? 1 : 0;
}

dfx_ch_client_t *
dfx_ch_client_create(const dfx_conf_clickhouse_t *cc, const atomic_int *stop)
{
    dfx_ch_client_t  *c;
    const char       *base = cc->url.v;
    size_t            n, blen = strlen(base);
    long              timeout = (long) cc->timeout.v;

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        goto nomem;
    }
    c->stop = stop;
    /* every setting in the URL: 18.16 refuses a SETTINGS clause after
     * FORMAT, and quoted 64-bit integers would cost a dialect step */
    n = blen + 64;
    c->url = malloc(n);
    if (c->url == NULL) {
        goto nomem;
    }
    snprintf(c->url, n, "%s%soutput_format_json_quote_64bit_integers=0",
             base, blen > 0 && base[blen - 1] == '/' ? "?" : "/?");

    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        goto nomem;
    }
    curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_err);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, dfx_ch_write);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, dfx_ch_progress);
    curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, timeout);
    curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, timeout);
    curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "dfexport/" PACKAGE_VERSION);
    curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
    curl_easy_setopt(c->curl, CURLOPT_USERNAME, cc->user.v);
    curl_easy_setopt(c->curl, CURLOPT_PASSWORD, cc->password.v);
    if (cc->tls_ca_file.v[0] != '\0') {
        curl_easy_setopt(c->curl, CURLOPT_CAINFO, cc->tls_ca_file.v);
    }
    return c;

nomem:
    dfx_log_error("clickhouse: cannot create a client: out of memory");
    dfx_ch_client_destroy(c);
    return NULL;
}

void
dfx_ch_client_destroy(dfx_ch_client_t *c)
{
    if (c == NULL) {
        return;
    }
    if (c->curl != NULL) {
        curl_easy_cleanup(c->curl);
    }
    dfx_buf_free(&c->errbody);
    free(c->url);
    free(c);
}

/* The first line of ClickHouse's error answer, printable. */
static void
dfx_ch_err_text(const dfx_buf_t *b, char *msg, size_t msglen)
{
    size_t  i, o = 0;

    for (i = 0; i < b->len && o + 1 < msglen; i++) {
        if (b->data[i] == '\n' || b->data[i] == '\r') {
            break;
        }
        msg[o++] = (b->data[i] >= 0x20 && b->data[i] < 0x7f) ? b->data[i]
                                                              : '?';
    }
    msg[o] = '\0';
}

dfx_ch_err_t
dfx_ch_client_query(dfx_ch_client_t *c, const char *sql, dfx_ch_data_cb cb,
                    void *arg, char *msg, size_t msglen)
{
    CURLcode  rc;
    char      text[512];

    c->cb = cb;
    c->cb_arg = arg;
    c->status = 0;
    c->aborted = 0;
    c->curl_err[0] = '\0';
    dfx_buf_reset(&c->errbody);
    msg[0] = '\0';

    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, sql);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long) strlen(sql));

    rc = curl_easy_perform(c->curl);
    if (c->status == 0) {
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
    }

    if (atomic_load_explicit(c->stop, memory_order_relaxed)) {
        snprintf(msg, msglen, "stopped");
        return DFX_CH_ERR_STOPPED;
    }
    if (c->aborted) {
        snprintf(msg, msglen, "the answer was abandoned");
        return DFX_CH_ERR_STREAM;
    }
    if (c->status != 0 && c->status != 200) {
        dfx_ch_err_text(&c->errbody, text, sizeof(text));
        snprintf(msg, msglen, "HTTP %ld: %s", c->status, text);
        return DFX_CH_ERR_HTTP;
    }
    switch (rc) {
    case CURLE_OK:
        return DFX_CH_OK;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(msg, msglen, "%s", c->curl_err[0] ? c->curl_err
                                                   : curl_easy_strerror(rc));
        return DFX_CH_ERR_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        snprintf(msg, msglen, "%s", c->curl_err[0] ? c->curl_err
                                                   : curl_easy_strerror(rc));
        return DFX_CH_ERR_CONNECT;
    default:
        snprintf(msg, msglen, "%s", c->curl_err[0] ? c->curl_err
                                                   : curl_easy_strerror(rc));
        return c->status == 0 ? DFX_CH_ERR_CONNECT : DFX_CH_ERR_STREAM;
    }
}
