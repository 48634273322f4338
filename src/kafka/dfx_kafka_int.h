/*
 * dfx_kafka_int.h: what the files of src/kafka share and nobody else
 * sees: the exporter and producer objects, the librdkafka configuration
 * builder, and the delivery-report machinery.
 *
 * dfx_kafka_conf.c      exporter keys -> rd_kafka_conf_t (and -t checks)
 * dfx_kafka_producer.c  producers, budget, send, kick, readiness, destroy
 * dfx_kafka_delivery.c  delivery reports and errors -> counters and acks
 * dfx_kafka_brokers.c   librdkafka's statistics -> per-broker metrics
 * dfx_kafka_mock.c      the embedded mock cluster
 */
#ifndef DFX_KAFKA_INT_H
#define DFX_KAFKA_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "dfx_kafka.h"

#define DFX_KAFKA_MAGIC     0x64666b78u   /* "dfkx" */
#define DFX_PRODUCER_MAGIC  0x64666b70u   /* "dfkp" */

/* DeepFlow's "0 or absent means the default" */
#define DFX_KAFKA_DEF_QUEUE_COUNT      4
#define DFX_KAFKA_DEF_QUEUE_SIZE       100000
#define DFX_KAFKA_DEF_BATCH_SIZE       1024
#define DFX_KAFKA_DEF_FLUSH_TIMEOUT    1      /* s */
#define DFX_KAFKA_DEF_MESSAGE_TIMEOUT  60     /* s */
/* librdkafka's statistics feed the broker metrics (dfx_kafka_brokers.c);
 * the librdkafka: map may change it, 0 turns them off */
#define DFX_KAFKA_DEF_STATS_INTERVAL   "5000" /* ms */

/* dfx_conf_sasl_t.security_protocol, in the order of its choices */
#define DFX_KAFKA_SASL_SSL        0
#define DFX_KAFKA_SASL_PLAINTEXT  1

/* Messages without an ack carry their data source as a tagged opaque:
 * odd values are never a dfx_kafka_ack_t pointer (those are aligned). */
#define DFX_KAFKA_DS_OPAQUE(ds)  ((void *) (((uintptr_t) (ds) << 1) | 1u))
#define DFX_KAFKA_OPAQUE_IS_DS(o)  (((uintptr_t) (o) & 1u) != 0)
#define DFX_KAFKA_OPAQUE_DS(o)  ((int) ((uintptr_t) (o) >> 1))

typedef struct dfx_kafka_brokers_s  dfx_kafka_brokers_t;

struct dfx_producer_s {
    uint32_t            magic;
    unsigned            index;
    dfx_kafka_t        *kafka;
    rd_kafka_t         *rk;
    rd_kafka_queue_t   *queue;          /* the main queue: DRs, errors */
    rd_kafka_topic_t  **topics;         /* [ntopics], NULL = not taken */

    uint32_t            capacity;       /* queue-size */
    atomic_uint         used;           /* budget held by records */
    atomic_uint         acked;          /* messages with an ack in flight */
    atomic_int          ready;          /* a broker has answered */
    atomic_int          ssl_failed;     /* a TLS error was seen */

    /* the service thread: kicks (flush while acked messages wait) and
     * flushing at shutdown */
    pthread_t           thread;
    int                 thread_started;
    int                 lock_ready;
    pthread_mutex_t     lock;
    pthread_cond_t      cond;
    int                 stop;           /* under lock */
    int                 kicked;         /* under lock */
    int                 draining;       /* under lock */
    /* dfx_producer_reserve_wait(): threads waiting for budget (the
     * ClickHouse followers) sleep on room, signalled by release */
    pthread_cond_t      room;
    atomic_int          waiters;

    /* the brokers as the last statistics saw them: written by whichever
     * thread serves the main queue, read by the admin listener; replaced
     * whole under brokers_lock */
    pthread_mutex_t     brokers_lock;
    dfx_kafka_brokers_t *brokers;
};

struct dfx_kafka_s {
    uint32_t            magic;
    unsigned            index;          /* exporter index, stats label */
    int                 sasl_ssl;       /* security.protocol is SASL_SSL */
    int                 ntopics;
    unsigned            nproducers;
    dfx_producer_t     *producers;
    atomic_uint         rr;
    atomic_int          closed;         /* destroy has begun */
    atomic_int          hinted;         /* the TLS hint was logged */
    size_t              max_message;    /* key + value librdkafka takes */
    long                max_bytes;      /* message.max.bytes */

    int                 locks_ready;
    pthread_mutex_t     ready_lock;     /* orders exporter_ready updates */

    /* the readiness prober */
    pthread_t           prober;
    int                 prober_started;
    pthread_mutex_t     probe_lock;
    pthread_cond_t      probe_cond;
    int                 probe_stop;     /* under probe_lock */

    /* delivery reports wake the event loop through this pipe */
    int                 wake[2];
    struct event       *ev;
    int                 draining;       /* destroy counts failures */
    uint64_t            drain_failed;
    int64_t            *dr_ok;          /* [ntopics + 1], per served event */
    int64_t            *dr_failed;
};

/* Reports a problem of the Kafka configuration: loc is the key's place in
 * the file (may be NULL). */
typedef void (*dfx_kafka_conf_err_pt)(void *arg, const dfx_loc_t *loc,
                                      const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Builds the librdkafka configuration of an exporter: the mapping of
 * DESIGN section 2, then the librdkafka: map.  bootstrap overrides the
 * endpoints (NULL: use them; "" : none, as for a configuration check).
 * Returns the conf (the caller owns it) or NULL after reporting every
 * problem through err. */
rd_kafka_conf_t *dfx_kafka_conf_build(const dfx_conf_exporter_t *ec,
                                      const char *bootstrap,
                                      dfx_kafka_conf_err_pt err, void *arg);

/* Effective values of the DeepFlow knobs (DeepFlow's 0 = default). */
unsigned dfx_kafka_conf_queue_count(const dfx_conf_exporter_t *ec);
uint32_t dfx_kafka_conf_queue_size(const dfx_conf_exporter_t *ec);

/* librdkafka's log lines, routed into dfx_log; opaque of the rd_kafka_t
 * may be a dfx_producer_t or NULL. */
void dfx_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                      const char *buf);

/* Delivery side (dfx_kafka_delivery.c): init makes the pipe and the
 * event, start adds the event once the producers exist, stop deletes it
 * (the caller serves reports from then on), close frees both. */
int dfx_kafka_delivery_init(dfx_kafka_t *k, struct event_base *base);
int dfx_kafka_delivery_start(dfx_kafka_t *k);
void dfx_kafka_delivery_stop(dfx_kafka_t *k);
void dfx_kafka_delivery_close(dfx_kafka_t *k);

/* Serves at most max events of p's queue; returns how many it served. */
int dfx_kafka_delivery_serve(dfx_producer_t *p, int max);

/* Waits up to timeout_ms for a wake-up of the delivery pipe. */
void dfx_kafka_delivery_wait(dfx_kafka_t *k, int timeout_ms);

/* Broker metrics (dfx_kafka_brokers.c): update replaces p's snapshot
 * with the brokers of one RD_KAFKA_EVENT_STATS JSON text (any thread;
 * a text it cannot read leaves the snapshot as it was); free drops it
 * (the producer is going away). */
void dfx_kafka_brokers_update(dfx_producer_t *p, const char *json);
void dfx_kafka_brokers_free(dfx_producer_t *p);

/* Readiness bookkeeping (dfx_kafka_producer.c). */
void dfx_kafka_set_ready(dfx_producer_t *p, int ready);

#endif /* DFX_KAFKA_INT_H */
