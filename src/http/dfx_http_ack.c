/*
 * dfx_http_ack.c: requests that wait for Kafka's acknowledgement
 * (?ack=kafka).
 *
 * Such a request outlives its handler in a dfx_http_req_t, which carries
 * the dfx_kafka_ack_t its messages point at.  The last delivery report
 * (main thread, or the worker itself when librdkafka refused a message at
 * once) calls dfx_http_ack_done(), which only hands the request over: it
 * is put on its worker's done list under dfx_http_ack_lock and the
 * worker's done_ev is activated; the worker then answers and frees it.
 * If the worker was stopped first, the request is orphaned (w = NULL)
 * and the delivery report frees it.  The request never touches the
 * client's connection after libevent has freed it: the connection's close
 * hook (dfx_http_conn_watch) clears the pointer, and stopping clears the
 * hook first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <librdkafka/rdkafka.h>

#include "dfx_core.h"
#include "dfx_http_int.h"

static void
dfx_http_req_free(dfx_http_req_t *req)
{
    if (req == NULL) {
        return;
    }
    req->magic = 0;
    free(req->body);
    free(req);
}

static void
dfx_http_req_closed(struct evhttp_connection *evcon, void *arg)
{
    dfx_http_req_t  *req = arg;

    DFX_UNUSED(evcon);
    dfx_assert(req->magic == DFX_HTTP_REQ_MAGIC);

    req->client_gone = 1;
    /* a request still attached to its connection is freed with it; a
     * detached one (evcon NULL) is still ours to finish */
    if (req->evreq != NULL
        && evhttp_request_get_connection(req->evreq) != NULL)
    {
        req->evreq = NULL;
    }
}

static void
dfx_http_req_unlink(dfx_http_worker_t *w, dfx_http_req_t *req)
{
    if (req->prev != NULL) {
        req->prev->next = req->next;
    } else {
        w->pending = req->next;
    }
    if (req->next != NULL) {
        req->next->prev = req->prev;
    }
    req->prev = NULL;
    req->next = NULL;
}

/* The last message of the request was reported.  Only hands over. */
static void
dfx_http_ack_done(dfx_kafka_ack_t *ack)
{
    dfx_http_req_t     *req;
    dfx_http_worker_t  *w;

    dfx_assert(ack->magic == DFX_KAFKA_ACK_MAGIC);
    req = (dfx_http_req_t *) ((char *) ack - offsetof(dfx_http_req_t, ack));
    dfx_assert(req->magic == DFX_HTTP_REQ_MAGIC);

    pthread_mutex_lock(&dfx_http_ack_lock);
    w = req->w;
    if (w != NULL) {
        req->done = 1;
        req->next_done = w->done_head;
        w->done_head = req;
        event_active(w->done_ev, EV_READ, 0);
    }
    pthread_mutex_unlock(&dfx_http_ack_lock);

    if (w == NULL) {
        /* its worker was stopped: nobody waits for the answer */
        dfx_http_req_free(req);
    }
}

dfx_http_req_t *
dfx_http_req_start(dfx_http_ctx_t *ctx, uint32_t nmsgs)
{
    dfx_http_worker_t         *w = ctx->w;
    struct evhttp_connection  *evcon;
    dfx_http_req_t            *req;

    req = calloc(1, sizeof(*req));
    if (req == NULL) {
        return NULL;
    }
    req->magic = DFX_HTTP_REQ_MAGIC;
    req->ack.magic = DFX_KAFKA_ACK_MAGIC;
    req->ack.done = dfx_http_ack_done;
    atomic_init(&req->ack.pending, nmsgs);
    atomic_init(&req->ack.failed, 0);
    atomic_init(&req->ack.first_err, 0);
    atomic_init(&req->ack.permanent, 0);
    atomic_init(&req->ack.ds, ctx->ds);
    req->w = w;
    req->evreq = ctx->evreq;
    req->cycle = ctx->cycle;
    req->nmsgs = nmsgs;
    ctx->cycle = NULL;

    req->next = w->pending;
    if (w->pending != NULL) {
        w->pending->prev = req;
    }
    w->pending = req;
    dfx_http_inflight_add(1);

    evcon = evhttp_request_get_connection(ctx->evreq);
    if (evcon != NULL) {
        dfx_http_conn_watch(w, evcon, dfx_http_req_closed, req);
    }
    return req;
}

void
dfx_http_req_keep_answer(dfx_http_req_t *req, const char *body, size_t len,
                         size_t insert_at)
{
    req->body = malloc(len > 0 ? len : 1);
    if (req->body == NULL) {
        /* the answer will hold the delivery counts only */
        return;
    }
    memcpy(req->body, body, len);
    req->body_len = len;
    req->insert_at = insert_at;
}

/* Answers 200 (every message delivered), 422 when every failure is one
 * that no retry can change (too large, invalid: retrying would only
 * duplicate the rest), or 503 with the failed count. */
static void
dfx_http_req_answer(dfx_http_worker_t *w, dfx_http_req_t *req)
{
    struct evhttp_connection  *evcon;
    dfx_buf_t                 *out = &w->out;
    uint32_t                   failed, unknown = 0;
    char                       msg[256];
    int                        rc = 0, code, first, done;

    if (req->evreq == NULL) {
        return;                 /* nobody to tell */
    }
    failed = atomic_load(&req->ack.failed);
    if (failed > req->nmsgs) {
        failed = req->nmsgs;
    }
    pthread_mutex_lock(&dfx_http_ack_lock);
    done = req->done;
    pthread_mutex_unlock(&dfx_http_ack_lock);
    if (!done) {
        /* the shutdown deadline: some messages have no report yet */
        unknown = atomic_load(&req->ack.pending);
        if (unknown > req->nmsgs - failed) {
            unknown = req->nmsgs - failed;
        }
    }
    code = failed == 0 && unknown == 0 ? 200
           : unknown == 0 && atomic_load(&req->ack.permanent) >= failed
           ? 422 : 503;

    dfx_buf_reset(out);
    if (req->body != NULL) {
        rc |= dfx_buf_append(out, req->body, req->insert_at);
        rc |= dfx_buf_putc(out, ',');
    } else {
        rc |= dfx_buf_putc(out, '{');
    }
    rc |= dfx_buf_printf(out, "\"delivered\":%u,\"failed\":%u",
                         req->nmsgs - failed - unknown, failed);
    if (unknown > 0) {
        snprintf(msg, sizeof(msg), "shutting down: %u of %u messages had "
                 "no answer from Kafka by the deadline (they may reach it "
                 "still, or not)", unknown, req->nmsgs);
        rc |= dfx_buf_printf(out, ",\"unknown\":%u,\"error\":", unknown);
        rc |= dfx_http_json_text(out, msg, strlen(msg));
    } else if (failed > 0) {
        first = atomic_load(&req->ack.first_err);
        snprintf(msg, sizeof(msg), "%u of %u messages were not delivered%s%s"
                 "%s", failed, req->nmsgs, first != 0 ? ": " : "",
                 first != 0 ? rd_kafka_err2str((rd_kafka_resp_err_t) first)
                            : "",
                 code == 422 ? " (Kafka will never take them: do not "
                               "retry)" : "");
        rc |= dfx_buf_append_lit(out, ",\"error\":");
        rc |= dfx_http_json_text(out, msg, strlen(msg));
    }
    if (req->body != NULL) {
        rc |= dfx_buf_append(out, req->body + req->insert_at,
                             req->body_len - req->insert_at);
    } else {
        rc |= dfx_buf_append_lit(out, "}\n");
    }

    evcon = evhttp_request_get_connection(req->evreq);
    if (evcon != NULL) {
        dfx_http_conn_watch(w, evcon, NULL, NULL);
    }
    if (code == 503) {
        evhttp_add_header(evhttp_request_get_output_headers(req->evreq),
                          "Retry-After", "1");
    }
    if (rc != 0) {
        dfx_http_send(req->evreq, 500, "text/plain", "out of memory\n", 14);
    } else {
        dfx_http_send(req->evreq, code, "application/json", out->data,
                      out->len);
    }
    req->evreq = NULL;
}

void
dfx_http_ack_done_cb(evutil_socket_t fd, short what, void *arg)
{
    dfx_http_worker_t  *w = arg;
    dfx_http_req_t     *req, *next;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);
    dfx_assert(w->magic == DFX_HTTP_WORKER_MAGIC);

    pthread_mutex_lock(&dfx_http_ack_lock);
    req = w->done_head;
    w->done_head = NULL;
    pthread_mutex_unlock(&dfx_http_ack_lock);

    for (; req != NULL; req = next) {
        next = req->next_done;
        dfx_http_req_answer(w, req);
        dfx_http_req_unlink(w, req);
        dfx_cycle_release(req->cycle);
        dfx_http_inflight_add(-1);
        dfx_http_req_free(req);
    }
    dfx_http_worker_trim(w);
}

void
dfx_http_ack_deadline(dfx_http_worker_t *w)
{
    dfx_http_req_t  *req;

    /* the requests Kafka is done with get their real answer first */
    dfx_http_ack_done_cb(-1, 0, w);
    for (req = w->pending; req != NULL; req = req->next) {
        dfx_http_req_answer(w, req);
    }
}

void
dfx_http_ack_orphan(dfx_http_worker_t *w)
{
    struct evhttp_connection  *evcon;
    dfx_http_req_t            *req, *next, *gone = NULL;

    pthread_mutex_lock(&dfx_http_ack_lock);
    for (req = w->pending; req != NULL; req = next) {
        next = req->next;
        if (req->evreq != NULL) {
            evcon = evhttp_request_get_connection(req->evreq);
            if (evcon != NULL) {
                /* evhttp_free() frees it with its connection */
                dfx_http_conn_watch(w, evcon, NULL, NULL);
            } else {
                evhttp_request_free(req->evreq);
            }
            req->evreq = NULL;
        }
        dfx_cycle_release(req->cycle);
        req->cycle = NULL;
        dfx_http_inflight_add(-1);
        req->prev = NULL;
        req->next = NULL;
        if (req->done) {
            req->next_done = gone;
            gone = req;
        } else {
            req->w = NULL;
        }
    }
    w->pending = NULL;
    w->done_head = NULL;
    pthread_mutex_unlock(&dfx_http_ack_lock);

    for (req = gone; req != NULL; req = next) {
        next = req->next_done;
        dfx_http_req_free(req);
    }
}
