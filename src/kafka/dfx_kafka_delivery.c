/*
 * dfx_kafka_delivery.c: delivery reports and librdkafka errors, served on
 * an event loop.
 *
 * Every producer's main queue (where librdkafka puts RD_KAFKA_EVENT_DR and
 * RD_KAFKA_EVENT_ERROR) writes a byte into the exporter's pipe when it
 * turns non-empty (rd_kafka_queue_io_event_enable); the pipe's read end is
 * an event on the delivery base.  librdkafka writes again only after the
 * queue has been polled empty, so the handler either empties every queue
 * or re-activates itself.
 *
 * Per message: one unit of budget back, delivered or failed counted for
 * the message's data source, the request's ack counted down, and its
 * latency (rd_kafka_message_latency) into the exporter's histogram.
 * Counter and histogram updates are summed per event, not per message.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dfx_core.h"
#include "dfx_kafka_int.h"
#include "dfx_log.h"
#include "dfx_stats.h"

/* events served per queue before other events of the loop get a turn */
#define DFX_DR_BATCH  64

typedef struct {
    uint32_t             n;          /* messages: budget to release */
    uint32_t             nack;       /* of which carried an ack */
    uint32_t             nfailed;
    rd_kafka_resp_err_t  first_err;
    const char          *topic;      /* of the first failure */
    dfx_hist_tally_t     latency;    /* kafka_delivery_latency_seconds */
    /* for the debug line of a failed batch, gathered on failures only */
    uint32_t             nall;       /* messages of the event */
    uint32_t             nfailed_ack;
    uint32_t             nother_err; /* failures with another error */
    int32_t              partition;  /* of the first failure */
    rd_kafka_msg_status_t status;    /* of the first failure */
    int64_t              max_us;     /* the longest a failed one waited */
} dfx_dr_tally_t;

static void
dfx_kafka_tally_flush(dfx_producer_t *p, dfx_dr_tally_t *t)
{
    dfx_kafka_t  *k = p->kafka;
    int           ds;

    for (ds = 0; ds < k->ntopics; ds++) {
        int64_t  ok = k->dr_ok[ds], failed = k->dr_failed[ds];

        if (ok == 0 && failed == 0) {
            continue;
        }
        if (ok != 0) {
            dfx_stats_add(DFX_STAT_exporter_records_delivered_total,
                          (int) k->index, ds, -1, ok);
        }
        if (failed != 0) {
            dfx_stats_add(DFX_STAT_exporter_records_failed_total,
                          (int) k->index, ds, -1, failed);
        }
        dfx_stats_add(DFX_STAT_exporter_records_inflight, (int) k->index, ds,
                      -1, -(ok + failed));
        k->dr_ok[ds] = 0;
        k->dr_failed[ds] = 0;
    }
    dfx_stats_observe_tally(DFX_STAT_kafka_delivery_latency_seconds,
                            (int) k->index, -1, -1, &t->latency);
    if (t->nack != 0) {
        atomic_fetch_sub_explicit(&p->acked, t->nack, memory_order_relaxed);
        t->nack = 0;
    }
    dfx_producer_release(p, t->n);
    t->n = 0;
}

/* The debug line of a delivery report with failures: what the warning
 * says, and the details that tell a broker outage (timed out, not
 * persisted) from a refusal (permanent, no retry helps). */
static void
dfx_kafka_dr_debug(dfx_producer_t *p, const dfx_dr_tally_t *t)
{
    static const char *const  persisted[] = {
        [RD_KAFKA_MSG_STATUS_NOT_PERSISTED] = "not persisted",
        [RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED] = "possibly persisted",
        [RD_KAFKA_MSG_STATUS_PERSISTED] = "persisted",
    };
    unsigned  st = (unsigned) t->status;

    dfx_log(DFX_LOG_DEBUG, "exporter %u producer %u: delivery failed: %u of "
            "%u messages of a batch to \"%s\" [partition %d]: %s (%s), "
            "%s, %s%s; %u of them waited for by ack=kafka requests; the "
            "longest was %lld.%03lld s in librdkafka",
            p->kafka->index, p->index, t->nfailed, t->nall, t->topic,
            (int) t->partition, rd_kafka_err2str(t->first_err),
            rd_kafka_err2name(t->first_err),
            st < dfx_nelems(persisted) && persisted[st] != NULL
            ? persisted[st] : "status unknown",
            dfx_kafka_err_permanent((int) t->first_err)
            ? "permanent (no retry helps)" : "a retry may succeed",
            t->nother_err > 0 ? ", others with other errors" : "",
            t->nfailed_ack,
            (long long) (t->max_us / 1000000),
            (long long) (t->max_us / 1000 % 1000));
}

static void
dfx_kafka_dr(dfx_producer_t *p, rd_kafka_event_t *ev)
{
    dfx_kafka_t               *k = p->kafka;
    const rd_kafka_message_t  *m;
    dfx_kafka_ack_t           *ack;
    dfx_dr_tally_t             t;
    int64_t                    us;
    int                        ds, none;

    memset(&t, 0, sizeof(t));

    while ((m = rd_kafka_event_message_next(ev)) != NULL) {
        if (DFX_KAFKA_OPAQUE_IS_DS(m->_private)) {
            ack = NULL;
            ds = DFX_KAFKA_OPAQUE_DS(m->_private);
        } else {
            ack = m->_private;
            dfx_assert(ack != NULL && ack->magic == DFX_KAFKA_ACK_MAGIC);
            ds = atomic_load_explicit(&ack->ds, memory_order_relaxed);
        }
        if (ds < 0 || ds >= k->ntopics) {
            ds = k->ntopics;        /* a slot no counter renders */
        }

        t.n++;
        /* -1 when librdkafka does not know (a message that never left) */
        us = rd_kafka_message_latency(m);
        if (us >= 0) {
            dfx_hist_tally_add(&t.latency, (uint64_t) us);
        }
        t.nall++;
        if (m->err) {
            k->dr_failed[ds]++;
            if (t.nfailed++ == 0) {
                t.first_err = m->err;
                t.topic = m->rkt != NULL ? rd_kafka_topic_name(m->rkt) : "?";
                t.partition = m->partition;
                t.status = rd_kafka_message_status(m);
            } else if (m->err != t.first_err) {
                t.nother_err++;
            }
            t.nfailed_ack += ack != NULL;
            if (us > t.max_us) {
                t.max_us = us;
            }
        } else {
            k->dr_ok[ds]++;
        }

        if (ack == NULL) {
            continue;
        }
        t.nack++;
        if (m->err) {
            none = 0;
            atomic_fetch_add(&ack->failed, 1);
            if (dfx_kafka_err_permanent((int) m->err)) {
                atomic_fetch_add(&ack->permanent, 1);
            }
            atomic_compare_exchange_strong(&ack->first_err, &none,
                                           (int) m->err);
        }
        if (atomic_fetch_sub(&ack->pending, 1) == 1) {
            /* whoever hears done may send again: give the budget back
             * first (queue.buffering.max.messages leaves room for the
             * messages of this event, still counted by librdkafka) */
            dfx_kafka_tally_flush(p, &t);
            ack->done(ack);
        }
    }

    if (t.nfailed > 0) {
        if (k->draining) {
            k->drain_failed += t.nfailed;
        }
        /* one event reports messages of one topic */
        dfx_log_warn("exporter %u producer %u: %u messages to \"%s\" "
                     "failed: %s", k->index, p->index, t.nfailed, t.topic,
                     rd_kafka_err2str(t.first_err));
        if (dfx_log_enabled(DFX_LOG_DEBUG)) {
            dfx_kafka_dr_debug(p, &t);
        }
    }

    rd_kafka_event_destroy(ev);
    dfx_kafka_tally_flush(p, &t);
}

static int
dfx_kafka_is_ssl_error(rd_kafka_resp_err_t err, const char *reason)
{
    return err == RD_KAFKA_RESP_ERR__SSL
           || (reason != NULL && strstr(reason, "SSL handshake") != NULL);
}

static void
dfx_kafka_error(dfx_producer_t *p, rd_kafka_event_t *ev)
{
    dfx_kafka_t          *k = p->kafka;
    rd_kafka_resp_err_t   err = rd_kafka_event_error(ev);
    const char           *reason = rd_kafka_event_error_string(ev);
    char                  fatal[512];

    if (rd_kafka_event_error_is_fatal(ev)) {
        err = rd_kafka_fatal_error(p->rk, fatal, sizeof(fatal));
        dfx_log_crit("exporter %u producer %u: fatal Kafka error, this "
                     "producer sends nothing more: %s: %s", k->index,
                     p->index, rd_kafka_err2name(err), fatal);
        dfx_kafka_set_ready(p, 0);
        return;
    }

    switch (err) {
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        dfx_log_warn("exporter %u producer %u: all brokers are down: %s",
                     k->index, p->index, reason);
        dfx_kafka_set_ready(p, 0);
        return;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
        if (!dfx_kafka_is_ssl_error(err, reason)) {
            dfx_log_warn("exporter %u producer %u: %s", k->index, p->index,
                         reason);
            return;
        }
        break;
    default:
        break;
    }

    dfx_log_error("exporter %u producer %u: %s: %s", k->index, p->index,
                  rd_kafka_err2name(err), reason);

    if (k->sasl_ssl && dfx_kafka_is_ssl_error(err, reason)
        && atomic_exchange(&k->hinted, 1) == 0)
    {
        atomic_store(&p->ssl_failed, 1);
        dfx_log_error("exporter %u: hint: the TLS handshake with the broker "
                      "failed.  DeepFlow itself sent SASL without TLS even "
                      "when its config said SASL_SSL, so a broker that "
                      "worked with DeepFlow may need "
                      "sasl.security-protocol: SASL_PLAINTEXT", k->index);
    }
}

int
dfx_kafka_delivery_serve(dfx_producer_t *p, int max)
{
    rd_kafka_event_t  *ev;
    int                n;

    for (n = 0; n < max; n++) {
        ev = rd_kafka_queue_poll(p->queue, 0);
        if (ev == NULL) {
            break;
        }
        switch (rd_kafka_event_type(ev)) {
        case RD_KAFKA_EVENT_DR:
            dfx_kafka_dr(p, ev);        /* destroys ev */
            continue;
        case RD_KAFKA_EVENT_ERROR:
            dfx_kafka_error(p, ev);
            break;
        case RD_KAFKA_EVENT_STATS:
            dfx_kafka_brokers_update(p, rd_kafka_event_stats(ev));
            break;
        default:
            break;
        }
        rd_kafka_event_destroy(ev);
    }
    return n;
}

static void
dfx_kafka_pipe_drain(int fd)
{
    char     buf[256];
    ssize_t  r;

    do {
        r = read(fd, buf, sizeof(buf));
    } while (r > 0 || (r == -1 && errno == EINTR));
}

static void
dfx_kafka_delivery_handler(evutil_socket_t fd, short what, void *arg)
{
    dfx_kafka_t  *k = arg;
    unsigned      i;
    int           more = 0;

    DFX_UNUSED(what);
    dfx_assert(k->magic == DFX_KAFKA_MAGIC);

    /* before polling: a wake-up written meanwhile stays in the pipe */
    dfx_kafka_pipe_drain(fd);

    for (i = 0; i < k->nproducers; i++) {
        dfx_producer_t  *p = &k->producers[i];

        if (p->queue == NULL) {
            continue;
        }
        if (dfx_kafka_delivery_serve(p, DFX_DR_BATCH) == DFX_DR_BATCH
            && rd_kafka_queue_length(p->queue) > 0)
        {
            more = 1;
        }
    }
    if (more) {
        event_active(k->ev, EV_READ, 0);
    }
}

int
dfx_kafka_delivery_init(dfx_kafka_t *k, struct event_base *base)
{
    int  fl, i;

    if (base == NULL) {
        dfx_log_error("exporter %u: no event base for delivery reports",
                      k->index);
        return -1;
    }
    if (pipe(k->wake) != 0) {
        dfx_log_error("exporter %u: pipe: %s", k->index, strerror(errno));
        k->wake[0] = k->wake[1] = -1;
        return -1;
    }
    for (i = 0; i < 2; i++) {
        fl = fcntl(k->wake[i], F_GETFL);
        if (fl == -1 || fcntl(k->wake[i], F_SETFL, fl | O_NONBLOCK) == -1
            || fcntl(k->wake[i], F_SETFD, FD_CLOEXEC) == -1)
        {
            dfx_log_error("exporter %u: fcntl: %s", k->index,
                          strerror(errno));
            return -1;
        }
    }
    k->ev = event_new(base, k->wake[0], EV_READ | EV_PERSIST,
                      dfx_kafka_delivery_handler, k);
    if (k->ev == NULL) {
        dfx_log_error("exporter %u: cannot create the delivery event",
                      k->index);
        return -1;
    }
    return 0;
}

int
dfx_kafka_delivery_start(dfx_kafka_t *k)
{
    ssize_t  r;

    if (event_add(k->ev, NULL) != 0) {
        dfx_log_error("exporter %u: cannot add the delivery event",
                      k->index);
        return -1;
    }
    /* events queued before the pipe was attached wrote no wake-up */
    do {
        r = write(k->wake[1], "p", 1);
    } while (r == -1 && errno == EINTR);
    return 0;
}

void
dfx_kafka_delivery_stop(dfx_kafka_t *k)
{
    if (k->ev != NULL) {
        /* waits for the handler if it runs on another thread */
        event_del(k->ev);
    }
}

void
dfx_kafka_delivery_wait(dfx_kafka_t *k, int timeout_ms)
{
    struct pollfd  pfd;

    if (k->wake[0] == -1) {
        return;
    }
    pfd.fd = k->wake[0];
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, timeout_ms) > 0) {
        dfx_kafka_pipe_drain(k->wake[0]);
    }
}

void
dfx_kafka_delivery_close(dfx_kafka_t *k)
{
    if (k->ev != NULL) {
        event_free(k->ev);
        k->ev = NULL;
    }
    if (k->wake[0] != -1) {
        close(k->wake[0]);
    }
    if (k->wake[1] != -1) {
        close(k->wake[1]);
    }
    k->wake[0] = k->wake[1] = -1;
}
