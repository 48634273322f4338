/*
 * dfx_kafka_producer.c: an exporter's producers, their in-flight budget,
 * sending, kicking, readiness and shutdown.
 *
 * Each producer is one rd_kafka_t with one topic handle per data source
 * and a service thread.  The thread exists because two librdkafka calls
 * block: rd_kafka_flush(), the only public way to make librdkafka ignore
 * linger.ms (it sets a "flushing" flag for the duration of the call,
 * rdkafka.c), and rd_kafka_metadata(), used to learn that a broker
 * answers.  Neither may run on an event loop:
 *
 * - kick: while messages of "kafka"-ack requests are in flight, the
 *   service thread calls rd_kafka_flush(rk, DFX_KICK_FLUSH_MS) in a loop.
 *   With delivery reports as events, flush only waits for librdkafka's
 *   message count to reach zero (the delivery thread drives it), so a
 *   short timeout just bounds each round.  A zero timeout does nothing
 *   useful: the flag is cleared before the broker thread wakes up.
 * - readiness: one probe thread per exporter calls rd_kafka_metadata()
 *   with a short timeout on every producer that has not reached a broker
 *   yet (at start, and again after ALL_BROKERS_DOWN).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfx_core.h"
#include "dfx_kafka_int.h"
#include "dfx_log.h"
#include "dfx_stats.h"

/* one round of "send now" while a request waits for Kafka */
#define DFX_KICK_FLUSH_MS       20
/* a readiness probe waits this long for a broker to answer */
#define DFX_PROBE_TIMEOUT_MS    500
/* pause after a probe that failed at once */
#define DFX_PROBE_RETRY_MS      250
/* after purging at shutdown, how long the purged reports may take */
#define DFX_PURGE_GRACE_MS      2000

static void *dfx_producer_service(void *arg);
static void *dfx_kafka_prober(void *arg);

static int64_t
dfx_now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dfx_kafka_cutoff(): no flush goes on past it (monotonic ms) */
static atomic_llong  dfx_kafka_cut = INT64_MAX;

void
dfx_kafka_cutoff(int timeout_ms)
{
    atomic_store(&dfx_kafka_cut, (long long) (dfx_now_ms()
                 + (timeout_ms > 0 ? timeout_ms : 0)));
}

static void
dfx_deadline(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long) (ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

static int
dfx_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t  attr;
    int                 rc;

    if (pthread_condattr_init(&attr) != 0) {
        return -1;
    }
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

static void
dfx_kafka_create_err(void *arg, const dfx_loc_t *loc, const char *fmt, ...)
{
    dfx_kafka_t  *k = arg;
    char          msg[1024];
    va_list       ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (loc != NULL && loc->file != NULL && loc->line != 0) {
        dfx_log_error("exporter %u: %s:%u: %s", k->index, loc->file,
                      loc->line, msg);
    } else {
        dfx_log_error("exporter %u: %s", k->index, msg);
    }
}

static int
dfx_producer_init(dfx_kafka_t *k, dfx_producer_t *p, unsigned i,
                  const rd_kafka_conf_t *base, const char *const *topics,
                  uint32_t capacity)
{
    rd_kafka_conf_t  *conf;
    char              errstr[512], id[64];
    size_t            idlen;
    int               ds;

    p->magic = DFX_PRODUCER_MAGIC;
    p->index = i;
    p->kafka = k;
    p->capacity = capacity;
    atomic_init(&p->used, 0);
    atomic_init(&p->acked, 0);
    atomic_init(&p->ready, 0);
    atomic_init(&p->ssl_failed, 0);

    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        return -1;
    }
    if (dfx_cond_init(&p->cond) != 0) {
        pthread_mutex_destroy(&p->lock);
        return -1;
    }
    if (dfx_cond_init(&p->room) != 0) {
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
        return -1;
    }
    if (pthread_mutex_init(&p->brokers_lock, NULL) != 0) {
        pthread_cond_destroy(&p->room);
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
        return -1;
    }
    atomic_init(&p->waiters, 0);
    p->lock_ready = 1;

    p->topics = calloc((size_t) k->ntopics + 1, sizeof(rd_kafka_topic_t *));
    if (p->topics == NULL) {
        dfx_log_error("exporter %u: out of memory", k->index);
        return -1;
    }

    conf = rd_kafka_conf_dup(base);
    if (conf == NULL) {
        dfx_log_error("exporter %u: out of memory", k->index);
        return -1;
    }
    /* each producer is told apart in the brokers' logs, unless the
     * librdkafka: map chose a client.id (a quota is per client.id) */
    idlen = sizeof(id);
    if (rd_kafka_conf_get(conf, "client.id", id, &idlen) != RD_KAFKA_CONF_OK
        || strcmp(id, "rdkafka") != 0)
    {
        /* set by the map (one too long for id[] is the map's too) */
        id[0] = '\0';
    } else {
        snprintf(id, sizeof(id), "dfexport-%u-%u", k->index, i);
    }
    if (id[0] != '\0'
        && rd_kafka_conf_set(conf, "client.id", id, errstr, sizeof(errstr))
           != RD_KAFKA_CONF_OK)
    {
        dfx_log_error("exporter %u: %s", k->index, errstr);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR
                                   | RD_KAFKA_EVENT_STATS);
    rd_kafka_conf_set_log_cb(conf, dfx_kafka_log_cb);
    rd_kafka_conf_set_opaque(conf, p);

    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (p->rk == NULL) {
        dfx_log_error("exporter %u: cannot create a Kafka producer: %s",
                      k->index, errstr);
        rd_kafka_conf_destroy(conf);
        return -1;
    }

    p->queue = rd_kafka_queue_get_main(p->rk);
    rd_kafka_queue_io_event_enable(p->queue, k->wake[1], "d", 1);

    for (ds = 0; ds < k->ntopics; ds++) {
        if (topics[ds] == NULL) {
            continue;
        }
        /* several data sources may share a topic: librdkafka then hands
         * out the same handle, which is why the data source travels in
         * each message's opaque rather than in the topic's */
        p->topics[ds] = rd_kafka_topic_new(p->rk, topics[ds], NULL);
        if (p->topics[ds] == NULL) {
            dfx_log_error("exporter %u: topic \"%s\": %s", k->index,
                          topics[ds], rd_kafka_err2str(rd_kafka_last_error()));
            return -1;
        }
    }

    if (pthread_create(&p->thread, NULL, dfx_producer_service, p) != 0) {
        dfx_log_error("exporter %u: cannot start a thread", k->index);
        return -1;
    }
    p->thread_started = 1;
    return 0;
}

/*
 * The largest key + value librdkafka takes: message.max.bytes (the
 * producer's, which the librdkafka: map may set) less the most a record
 * adds on the wire in a v2 message set (librdkafka's
 * RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD: length, attributes, timestamp and
 * offset deltas, key and value lengths, header count, as varints).
 * rd_kafka_producev() refuses anything larger with MSG_SIZE_TOO_LARGE.
 */
#define DFX_KAFKA_MSG_OVERHEAD  (5 + 1 + 10 + 5 + 5 + 5 + 5)

static void
dfx_kafka_read_max(dfx_kafka_t *k, const rd_kafka_conf_t *conf)
{
    char    v[32], *end;
    size_t  n = sizeof(v);
    long    max = 1000000;      /* librdkafka's default */

    if (rd_kafka_conf_get(conf, "message.max.bytes", v, &n)
        == RD_KAFKA_CONF_OK)
    {
        max = strtol(v, &end, 10);
        if (*end != '\0' || max <= 0) {
            max = 1000000;
        }
    }
    k->max_bytes = max;
    k->max_message = max > DFX_KAFKA_MSG_OVERHEAD
                     ? (size_t) max - DFX_KAFKA_MSG_OVERHEAD : 0;
}

size_t
dfx_kafka_max_message(const dfx_kafka_t *k, long *max_bytes)
{
    if (max_bytes != NULL) {
        *max_bytes = k->max_bytes;
    }
    return k->max_message;
}

dfx_kafka_t *
dfx_kafka_create(const dfx_conf_exporter_t *ec, const char *bootstrap,
                 const char *const *topics, int ntopics,
                 struct event_base *delivery_base)
{
    dfx_kafka_t      *k;
    rd_kafka_conf_t  *conf = NULL;
    uint32_t          capacity;
    unsigned          i;

    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        dfx_log_error("exporter %u: out of memory", ec->index);
        return NULL;
    }
    k->magic = DFX_KAFKA_MAGIC;
    k->index = ec->index;
    k->ntopics = ntopics > 0 ? ntopics : 0;
    k->wake[0] = k->wake[1] = -1;
    k->sasl_ssl = ec->sasl.enabled.v
                  && ec->sasl.security_protocol.v == DFX_KAFKA_SASL_SSL;
    atomic_init(&k->rr, 0);
    atomic_init(&k->closed, 0);
    atomic_init(&k->hinted, 0);
    if (pthread_mutex_init(&k->ready_lock, NULL) != 0) {
        free(k);
        return NULL;
    }
    if (pthread_mutex_init(&k->probe_lock, NULL) != 0) {
        pthread_mutex_destroy(&k->ready_lock);
        free(k);
        return NULL;
    }
    if (dfx_cond_init(&k->probe_cond) != 0) {
        pthread_mutex_destroy(&k->probe_lock);
        pthread_mutex_destroy(&k->ready_lock);
        free(k);
        return NULL;
    }
    k->locks_ready = 1;

    k->dr_ok = calloc((size_t) k->ntopics + 1, sizeof(int64_t));
    k->dr_failed = calloc((size_t) k->ntopics + 1, sizeof(int64_t));
    if (k->dr_ok == NULL || k->dr_failed == NULL) {
        dfx_log_error("exporter %u: out of memory", k->index);
        goto failed;
    }

    conf = dfx_kafka_conf_build(ec, bootstrap, dfx_kafka_create_err, k);
    if (conf == NULL) {
        goto failed;
    }
    dfx_kafka_read_max(k, conf);

    if (dfx_kafka_delivery_init(k, delivery_base) != 0) {
        goto failed;
    }

    k->nproducers = dfx_kafka_conf_queue_count(ec);
    capacity = dfx_kafka_conf_queue_size(ec);
    k->producers = calloc(k->nproducers, sizeof(dfx_producer_t));
    if (k->producers == NULL) {
        dfx_log_error("exporter %u: out of memory", k->index);
        k->nproducers = 0;
        goto failed;
    }
    for (i = 0; i < k->nproducers; i++) {
        if (dfx_producer_init(k, &k->producers[i], i, conf, topics,
                              capacity) != 0)
        {
            goto failed;
        }
    }
    rd_kafka_conf_destroy(conf);
    conf = NULL;

    /* exporter_budget_records is the cycle's: it follows the config */
    dfx_stats_set(DFX_STAT_exporter_ready, (int) k->index, -1, -1, 0);

    if (pthread_create(&k->prober, NULL, dfx_kafka_prober, k) != 0) {
        dfx_log_error("exporter %u: cannot start a thread", k->index);
        goto failed;
    }
    k->prober_started = 1;

    if (dfx_kafka_delivery_start(k) != 0) {
        goto failed;
    }
    return k;

failed:
    if (conf != NULL) {
        rd_kafka_conf_destroy(conf);
    }
    dfx_kafka_destroy(k, 0);
    return NULL;
}

unsigned
dfx_kafka_nproducers(const dfx_kafka_t *k)
{
    return k->nproducers;
}

dfx_producer_t *
dfx_kafka_producer(dfx_kafka_t *k, unsigned i)
{
    return i < k->nproducers ? &k->producers[i] : NULL;
}

unsigned
dfx_kafka_next_rr(dfx_kafka_t *k, unsigned nrecords)
{
    unsigned  start;

    start = atomic_fetch_add_explicit(&k->rr, nrecords ? nrecords : 1,
                                      memory_order_relaxed);
    return start % k->nproducers;
}

int
dfx_kafka_ready(const dfx_kafka_t *k)
{
    unsigned  i;

    if (k == NULL || k->nproducers == 0) {
        return 0;
    }
    for (i = 0; i < k->nproducers; i++) {
        if (!atomic_load_explicit(&k->producers[i].ready,
                                  memory_order_acquire))
        {
            return 0;
        }
    }
    return 1;
}

void
dfx_kafka_set_ready(dfx_producer_t *p, int ready)
{
    dfx_kafka_t  *k = p->kafka;
    int           before, after;

    pthread_mutex_lock(&k->ready_lock);
    before = dfx_kafka_ready(k);
    atomic_store_explicit(&p->ready, ready, memory_order_release);
    after = dfx_kafka_ready(k);
    if (before != after) {
        dfx_stats_set(DFX_STAT_exporter_ready, (int) k->index, -1, -1,
                      after);
        if (after) {
            dfx_log_info("exporter %u: every producer has reached a broker",
                         k->index);
        }
    }
    pthread_mutex_unlock(&k->ready_lock);

    if (!ready) {
        pthread_mutex_lock(&k->probe_lock);
        pthread_cond_signal(&k->probe_cond);
        pthread_mutex_unlock(&k->probe_lock);
    }
}

int
dfx_producer_reserve(dfx_producer_t *p, uint32_t n)
{
    unsigned  cur;

    cur = atomic_load_explicit(&p->used, memory_order_relaxed);
    do {
        if (n > p->capacity || cur > p->capacity - n) {
            return -1;
        }
    } while (!atomic_compare_exchange_weak_explicit(&p->used, &cur, cur + n,
                                                    memory_order_relaxed,
                                                    memory_order_relaxed));
    dfx_stats_add(DFX_STAT_exporter_budget_used_records,
                  (int) p->kafka->index, -1, -1, n);
    return 0;
}

void
dfx_producer_release(dfx_producer_t *p, uint32_t n)
{
    unsigned  before;

    if (n == 0) {
        return;
    }
    before = atomic_fetch_sub(&p->used, n);
    dfx_assert(before >= n);
    dfx_stats_add(DFX_STAT_exporter_budget_used_records,
                  (int) p->kafka->index, -1, -1, -(int64_t) n);
    /* seq_cst above and in the waiter: either it sees the room, or it
     * was counted in waiters before we looked */
    if (atomic_load(&p->waiters) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->room);
        pthread_mutex_unlock(&p->lock);
    }
}

int
dfx_producer_reserve_wait(dfx_producer_t *p, uint32_t n, int timeout_ms)
{
    struct timespec  ts;
    int              rc;

    if (dfx_producer_reserve(p, n) == 0) {
        return 0;
    }
    if (n > p->capacity) {
        return -1;
    }
    /* what holds the budget may be waiting out linger.ms */
    dfx_producer_kick(p);

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }

    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->waiters, 1);
    for (;;) {
        rc = dfx_producer_reserve(p, n);
        if (rc == 0) {
            break;
        }
        if (pthread_cond_timedwait(&p->room, &p->lock, &ts) != 0) {
            rc = dfx_producer_reserve(p, n);
            break;
        }
    }
    atomic_fetch_sub(&p->waiters, 1);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

uint32_t
dfx_producer_capacity(const dfx_producer_t *p)
{
    return p->capacity;
}

int
dfx_kafka_err_permanent(int err)
{
    switch ((rd_kafka_resp_err_t) err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
        return 1;
    default:
        return 0;
    }
}

/* The ack's share of a message refused at once. */
static void
dfx_producer_ack_refused(dfx_kafka_ack_t *ack, rd_kafka_resp_err_t err)
{
    int  none = 0;

    atomic_fetch_add(&ack->failed, 1);
    if (dfx_kafka_err_permanent((int) err)) {
        atomic_fetch_add(&ack->permanent, 1);
    }
    atomic_compare_exchange_strong(&ack->first_err, &none, (int) err);
    if (atomic_fetch_sub(&ack->pending, 1) == 1) {
        ack->done(ack);
    }
}

int
dfx_producer_send(dfx_producer_t *p, int ds, const void *key, size_t keylen,
                  const void *value, size_t len, int64_t ts_ms,
                  dfx_kafka_ack_t *ack)
{
    rd_kafka_resp_err_t   err;
    rd_kafka_topic_t     *rkt;
    void                 *opaque;

    if (atomic_load_explicit(&p->kafka->closed, memory_order_relaxed)) {
        err = RD_KAFKA_RESP_ERR__DESTROY;
        goto refused;
    }
    if (ds < 0 || ds >= p->kafka->ntopics || p->topics[ds] == NULL) {
        err = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
        goto refused;
    }
    rkt = p->topics[ds];

    if (ack != NULL) {
        dfx_assert(ack->magic == DFX_KAFKA_ACK_MAGIC);
        atomic_store_explicit(&ack->ds, ds, memory_order_relaxed);
        atomic_fetch_add_explicit(&p->acked, 1, memory_order_relaxed);
        opaque = ack;
    } else {
        opaque = DFX_KAFKA_DS_OPAQUE(ds);
    }

    /* librdkafka's macros paste their arguments unparenthesised */
    if (key == NULL) {
        keylen = 0;
    }
    err = rd_kafka_producev(p->rk,
                            RD_KAFKA_V_RKT(rkt),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_VALUE((void *) (uintptr_t) value, len),
                            RD_KAFKA_V_KEY(key, keylen),
                            RD_KAFKA_V_TIMESTAMP(ts_ms),
                            RD_KAFKA_V_OPAQUE(opaque),
                            RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        return 0;
    }
    if (ack != NULL) {
        atomic_fetch_sub_explicit(&p->acked, 1, memory_order_relaxed);
    }

refused:
    if (ack != NULL) {
        dfx_producer_ack_refused(ack, err);
    }
    return (int) err;
}

void
dfx_producer_kick(dfx_producer_t *p)
{
    pthread_mutex_lock(&p->lock);
    p->kicked = 1;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

/* Keeps librdkafka in its flushing state while a request waits for Kafka
 * or while shutting down.  Returns with p->lock held. */
static void
dfx_producer_flush_rounds(dfx_producer_t *p)
{
    struct timespec      ts;
    rd_kafka_resp_err_t  err;
    int                  draining;

    for (;;) {
        p->kicked = 0;
        draining = p->draining;
        pthread_mutex_unlock(&p->lock);

        err = rd_kafka_flush(p->rk, DFX_KICK_FLUSH_MS);

        pthread_mutex_lock(&p->lock);
        if (p->stop) {
            return;
        }
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR && draining) {
            /* nothing left in librdkafka: no point spinning */
            dfx_deadline(&ts, DFX_KICK_FLUSH_MS);
            pthread_cond_timedwait(&p->cond, &p->lock, &ts);
        }
        if (!p->draining && !p->kicked
            && atomic_load_explicit(&p->acked, memory_order_relaxed) == 0)
        {
            return;
        }
    }
}

static void *
dfx_producer_service(void *arg)
{
    dfx_producer_t  *p = arg;

    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        if (p->kicked || p->draining) {
            dfx_producer_flush_rounds(p);
            continue;
        }
        pthread_cond_wait(&p->cond, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* 1 when a broker answered a metadata request of this producer. */
static int
dfx_producer_probe(dfx_producer_t *p)
{
    const struct rd_kafka_metadata  *md = NULL;
    rd_kafka_resp_err_t              err;

    err = rd_kafka_metadata(p->rk, 0, NULL, &md, DFX_PROBE_TIMEOUT_MS);
    if (md != NULL) {
        rd_kafka_metadata_destroy(md);
    }
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

static void *
dfx_kafka_prober(void *arg)
{
    dfx_kafka_t      *k = arg;
    struct timespec   ts;
    unsigned          i;
    int               waiting, ok;
    int64_t           t0;

    pthread_mutex_lock(&k->probe_lock);
    while (!k->probe_stop) {
        waiting = 0;
        for (i = 0; i < k->nproducers && !k->probe_stop; i++) {
            dfx_producer_t  *p = &k->producers[i];

            if (atomic_load(&p->ready)) {
                continue;
            }
            pthread_mutex_unlock(&k->probe_lock);
            t0 = dfx_now_ms();
            ok = dfx_producer_probe(p);
            if (ok) {
                dfx_kafka_set_ready(p, 1);
            }
            pthread_mutex_lock(&k->probe_lock);
            if (!ok) {
                /* a probe that failed at once (not a timeout) would spin */
                waiting = dfx_now_ms() - t0 < DFX_PROBE_TIMEOUT_MS / 2
                          ? 2 : (waiting ? waiting : 1);
            }
        }
        if (k->probe_stop) {
            break;
        }
        if (waiting == 2) {
            dfx_deadline(&ts, DFX_PROBE_RETRY_MS);
            pthread_cond_timedwait(&k->probe_cond, &k->probe_lock, &ts);
        } else if (waiting == 0) {
            /* all ready: sleep until ALL_BROKERS_DOWN or shutdown; the
             * producers' flags are re-read after every wake-up */
            for (i = 0; i < k->nproducers; i++) {
                if (!atomic_load(&k->producers[i].ready)) {
                    break;
                }
            }
            if (i == k->nproducers) {
                pthread_cond_wait(&k->probe_cond, &k->probe_lock);
            }
        }
    }
    pthread_mutex_unlock(&k->probe_lock);
    return NULL;
}

static size_t
dfx_kafka_outq(dfx_kafka_t *k)
{
    size_t    n = 0;
    unsigned  i;

    for (i = 0; i < k->nproducers; i++) {
        if (k->producers[i].rk != NULL) {
            n += (size_t) rd_kafka_outq_len(k->producers[i].rk);
        }
    }
    return n;
}

static void
dfx_kafka_serve_all(dfx_kafka_t *k)
{
    unsigned  i;

    for (i = 0; i < k->nproducers; i++) {
        if (k->producers[i].queue != NULL) {
            while (dfx_kafka_delivery_serve(&k->producers[i], 1024) > 0) {
                /* until the queue is empty */
            }
        }
    }
}

/* Serves delivery reports until librdkafka holds no message or the
 * deadline passes; returns what is left. */
static size_t
dfx_kafka_drain(dfx_kafka_t *k, int64_t deadline)
{
    size_t   left;
    int64_t  now;

    for (;;) {
        dfx_kafka_serve_all(k);
        left = dfx_kafka_outq(k);
        now = dfx_now_ms();
        /* a shutdown may cut a retiring cycle's long deadline short */
        if (deadline > (int64_t) atomic_load(&dfx_kafka_cut)) {
            deadline = (int64_t) atomic_load(&dfx_kafka_cut);
        }
        if (left == 0 || now >= deadline) {
            return left;
        }
        dfx_kafka_delivery_wait(k, deadline - now > 50
                                   ? 50 : (int) (deadline - now));
    }
}

static void
dfx_producer_stop(dfx_producer_t *p)
{
    if (!p->thread_started) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    p->thread_started = 0;
}

static void
dfx_producer_free(dfx_producer_t *p, int ntopics)
{
    int  ds;

    if (p->magic != DFX_PRODUCER_MAGIC) {
        return;
    }
    dfx_producer_stop(p);
    if (p->lock_ready) {
        pthread_cond_destroy(&p->room);
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
    }
    if (p->topics != NULL) {
        for (ds = 0; ds < ntopics; ds++) {
            if (p->topics[ds] != NULL) {
                rd_kafka_topic_destroy(p->topics[ds]);
            }
        }
        free(p->topics);
    }
    if (p->queue != NULL) {
        rd_kafka_queue_io_event_enable(p->queue, -1, NULL, 0);
        rd_kafka_queue_destroy(p->queue);
    }
    if (p->rk != NULL) {
        rd_kafka_destroy(p->rk);
    }
    if (p->lock_ready) {
        dfx_kafka_brokers_free(p);
        pthread_mutex_destroy(&p->brokers_lock);
    }
    p->magic = 0;
}

uint64_t
dfx_kafka_destroy(dfx_kafka_t *k, int timeout_ms)
{
    unsigned  i;
    size_t    left;
    int64_t   deadline;
    uint64_t  lost = 0, undelivered;

    if (k == NULL) {
        return 0;
    }
    dfx_assert(k->magic == DFX_KAFKA_MAGIC);
    atomic_store(&k->closed, 1);

    /* from here on this thread serves the delivery reports */
    dfx_kafka_delivery_stop(k);
    k->draining = 1;
    k->drain_failed = 0;

    if (k->prober_started) {
        pthread_mutex_lock(&k->probe_lock);
        k->probe_stop = 1;
        pthread_cond_signal(&k->probe_cond);
        pthread_mutex_unlock(&k->probe_lock);
    }

    for (i = 0; i < k->nproducers; i++) {
        dfx_producer_t  *p = &k->producers[i];

        if (p->thread_started) {
            pthread_mutex_lock(&p->lock);
            p->draining = 1;
            pthread_cond_signal(&p->cond);
            pthread_mutex_unlock(&p->lock);
        }
    }

    deadline = dfx_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    left = dfx_kafka_drain(k, deadline);

    if (left > 0) {
        for (i = 0; i < k->nproducers; i++) {
            if (k->producers[i].rk != NULL) {
                rd_kafka_purge(k->producers[i].rk,
                               RD_KAFKA_PURGE_F_QUEUE
                               | RD_KAFKA_PURGE_F_INFLIGHT);
            }
        }
        left = dfx_kafka_drain(k, dfx_now_ms() + DFX_PURGE_GRACE_MS);
    }

    for (i = 0; i < k->nproducers; i++) {
        dfx_producer_stop(&k->producers[i]);
    }
    if (k->prober_started) {
        pthread_join(k->prober, NULL);
        k->prober_started = 0;
    }
    dfx_kafka_serve_all(k);

    for (i = 0; i < k->nproducers; i++) {
        dfx_producer_t  *p = &k->producers[i];
        unsigned         used = atomic_load(&p->used);

        /* reports that never came: their records are lost all the same */
        if (p->magic == DFX_PRODUCER_MAGIC && used > 0) {
            lost += used;
            dfx_producer_release(p, used);
        }
    }

    undelivered = k->drain_failed + lost;
    if (undelivered > 0) {
        dfx_log_warn("exporter %u: %llu messages could not be delivered",
                     k->index, (unsigned long long) undelivered);
    }
    if (lost > 0) {
        dfx_log_error("exporter %u: %llu messages got no delivery report",
                      k->index, (unsigned long long) lost);
    }

    for (i = 0; i < k->nproducers; i++) {
        dfx_producer_free(&k->producers[i], k->ntopics);
    }
    dfx_kafka_delivery_close(k);
    if (k->locks_ready) {
        pthread_cond_destroy(&k->probe_cond);
        pthread_mutex_destroy(&k->probe_lock);
        pthread_mutex_destroy(&k->ready_lock);
    }
    free(k->producers);
    free(k->dr_ok);
    free(k->dr_failed);
    k->magic = 0;
    free(k);
    return undelivered;
}
