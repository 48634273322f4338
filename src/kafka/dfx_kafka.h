/*
 * dfx_kafka.h: one exporter's Kafka producers.
 *
 * DeepFlow's knobs map onto librdkafka (DESIGN section 2): queue-count
 * producers (rd_kafka_t) per exporter, each with an in-flight budget of
 * queue-size records; batch-size -> batch.num.messages; flush-timeout ->
 * linger.ms; endpoints -> bootstrap.servers; sasl, topic, compression,
 * message-timeout and the librdkafka: passthrough.  There is no queue of
 * our own: librdkafka queues, batches, retries and compresses.
 *
 * Threads: dfx_producer_reserve/release/send may be called from any worker
 * thread.  Delivery reports arrive as events on each producer's main queue,
 * which is bound to the event_base given to dfx_kafka_create() through
 * rd_kafka_queue_io_event_enable(): they are handled on that base's thread,
 * where the budget is released, the counters are updated and, for messages
 * that carry an ack, dfx_kafka_ack_t.done is called when the last one of a
 * request is reported.
 */
#ifndef DFX_KAFKA_H
#define DFX_KAFKA_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "dfx_buf.h"
#include "dfx_conf.h"

typedef struct dfx_kafka_s     dfx_kafka_t;
typedef struct dfx_producer_s  dfx_producer_t;

#define DFX_KAFKA_ACK_MAGIC  0x64666b61u   /* "dfka" */

/* A request waiting for Kafka ("kafka" ack mode).  The request sets
 * magic, done, and pending to the number of messages it will send with
 * this ack, before the first dfx_producer_send(); the delivery thread
 * counts down and calls done(ack) once, when pending reaches 0.  Every
 * message is counted down exactly once: by its delivery report, or by
 * dfx_producer_send() itself when librdkafka refuses it at once (then
 * done may run on the sending thread).  done must only hand over to the
 * owner (e.g. event_active()); the ack must stay valid until done.
 * An ack covers messages of one data source (ds is written by
 * dfx_producer_send, so that the delivery thread can count per data
 * source even when several share a topic). */
typedef struct dfx_kafka_ack_s {
    uint32_t              magic;
    atomic_uint           pending;
    atomic_uint           failed;
    atomic_int            first_err;     /* rd_kafka_resp_err_t, 0 = none */
    atomic_uint           permanent;     /* of failed: errors no retry
                                          * can change (zeroed with it) */
    void                (*done)(struct dfx_kafka_ack_s *ack);
    atomic_int            ds;            /* set by dfx_producer_send */
} dfx_kafka_ack_t;

/* 1 when err says Kafka will never take the message as it is (too
 * large, invalid), whatever the retries: a client must not retry it. */
int dfx_kafka_err_permanent(int err);

/* Checks the Kafka-side keys of an exporter (the librdkafka: map, SASL,
 * TLS files) by building a throwaway rd_kafka_conf_t; reports through cf
 * with the key's file:line.  Returns 0 or -1. */
int dfx_kafka_conf_check(dfx_conf_ctx_t *cf, const dfx_conf_exporter_t *ec);

/* Creates the producers of one exporter.  bootstrap overrides
 * ec->endpoints when not NULL (embedded cluster).  topics[ds] is the topic
 * of each data source the exporter takes (NULL for the others).  Returns
 * NULL and logs why on failure. */
dfx_kafka_t *dfx_kafka_create(const dfx_conf_exporter_t *ec,
                              const char *bootstrap,
                              const char *const *topics, int ntopics,
                              struct event_base *delivery_base);

/* Stops accepting sends, flushes for at most timeout_ms, then purges
 * what is left (reported as failed) and frees everything.  Logs and
 * returns how many messages could not be delivered (during the flush or
 * purged).  Accepts NULL.  The calling thread serves the delivery
 * reports while it runs. */
uint64_t dfx_kafka_destroy(dfx_kafka_t *k, int timeout_ms);

/* No flush of dfx_kafka_destroy(), running or to come, goes on for more
 * than timeout_ms from now (shutdown cuts the long flush of a cycle a
 * reload retired).  Any thread. */
void dfx_kafka_cutoff(int timeout_ms);

unsigned dfx_kafka_nproducers(const dfx_kafka_t *k);

/* The largest key + value length a message of this exporter may have:
 * librdkafka refuses a larger one, and no retry would change that.
 * *max_bytes (when not NULL) gets the producer's message.max.bytes, for
 * error messages. */
size_t dfx_kafka_max_message(const dfx_kafka_t *k, long *max_bytes);
dfx_producer_t *dfx_kafka_producer(dfx_kafka_t *k, unsigned i);

/* Round-robin start for the next request: returns an index to begin
 * spreading records from (thread-safe). */
unsigned dfx_kafka_next_rr(dfx_kafka_t *k, unsigned nrecords);

/* 1 once every producer has reached a broker (for /readyz). */
int dfx_kafka_ready(const dfx_kafka_t *k);

/* In-flight budget, in records.  reserve is all or nothing: 0, or -1 when
 * n more would pass the capacity.  Both keep the gauge
 * exporter_budget_used_records. */
int dfx_producer_reserve(dfx_producer_t *p, uint32_t n);
void dfx_producer_release(dfx_producer_t *p, uint32_t n);
/* reserve, waiting at most timeout_ms for budget to come back (kicks the
 * producer first, so that linger.ms does not hold it).  For threads that
 * may block (the ClickHouse followers), never for event loops. */
int dfx_producer_reserve_wait(dfx_producer_t *p, uint32_t n,
                              int timeout_ms);
uint32_t dfx_producer_capacity(const dfx_producer_t *p);

/* Enqueues one message (the payload and key are copied; key NULL = null
 * key).  ds selects the topic; ts_ms is the message timestamp; ack may be
 * NULL.  The caller holds one unit of budget for it, which the delivery
 * report releases.  Returns 0, or an rd_kafka_resp_err_t when librdkafka
 * refused the message at once (the caller releases the budget and counts
 * it failed; the ack, if any, has already counted it).
 *
 * Counters, so that queued = delivered + failed + in flight: the caller
 * adds, once per request and data source, exporter_records_queued_total
 * for every message it passed here, exporter_records_inflight for those
 * accepted (0 returned) and exporter_records_failed_total for those
 * refused.  The delivery thread adds delivered/failed and takes them out
 * of exporter_records_inflight. */
int dfx_producer_send(dfx_producer_t *p, int ds,
                      const void *key, size_t keylen,
                      const void *value, size_t len,
                      int64_t ts_ms, dfx_kafka_ack_t *ack);

/* Asks the producer to send what it holds now, without waiting for
 * linger.ms (after enqueuing a "kafka"-ack request).  Never blocks. */
void dfx_producer_kick(dfx_producer_t *p);

/* The broker metrics of dfx_kafka_brokers.def for the exporters ks[0..n)
 * (NULL entries are skipped), as the producers' last statistics saw
 * them: Prometheus text (every # HELP and # TYPE even with no series),
 * or the value of /stats' "kafka_brokers" member,
 * {"EXPORTER":{"PRODUCER":{"BROKER":{"state":"UP",...}}}}.  The exporter
 * label is dfx_stats_exporter_label().  The caller keeps ks alive (a
 * cycle reference).  Returns 0 or -1 (out of memory). */
int dfx_kafka_brokers_prometheus(dfx_kafka_t *const *ks, size_t n,
                                 dfx_buf_t *out);
int dfx_kafka_brokers_json(dfx_kafka_t *const *ks, size_t n, dfx_buf_t *out);

/* The embedded mock cluster (--embedded-kafka).  Returns the bootstrap
 * list ("127.0.0.1:PORT,...") or NULL. */
typedef struct dfx_kafka_mock_s dfx_kafka_mock_t;
dfx_kafka_mock_t *dfx_kafka_mock_start(int brokers);
const char *dfx_kafka_mock_bootstrap(const dfx_kafka_mock_t *m);
void dfx_kafka_mock_stop(dfx_kafka_mock_t *m);

#endif /* DFX_KAFKA_H */
