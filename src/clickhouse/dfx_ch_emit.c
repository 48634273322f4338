/*
 * dfx_ch_emit.c: one window's rows, from ClickHouse's answer to Kafka.
 *
 * Rows arrive as JSONEachRow, one object a line, in pieces of whatever
 * size the connection hands over.  Each row goes through the same parser
 * and exporter chains as a POSTed record, and each message to Kafka with
 * the window's one acknowledgement.  Unlike a POST, a window is not
 * reserved all at once (it may hold more rows than the in-flight budget):
 * each message waits for its unit of budget, which stalls the answer and,
 * through TCP, ClickHouse, never memory.
 *
 * ClickHouse reports an error that happens after it began to answer as
 * text at the end of the body ("Code: 395, e.displayText() = ..."): a
 * line that is not a whole JSON object ends the window as a failed one,
 * never as a rejected record.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "dfx_ch_int.h"
#include "dfx_core.h"
#include "dfx_log.h"
#include "universal_tag/dfx_dict.h"

/* Rows between two flushes of the record counters. */
#define DFX_CH_FLUSH_ROWS  4096

/* How long one wait for budget lasts before stop is looked at again. */
#define DFX_CH_BUDGET_WAIT_MS  200

static void
dfx_ch_stat(dfx_stat_id_t id, int ex, int ds, int64_t n)
{
    if (n != 0) {
        dfx_stats_add(id, ex, ds, -1, n);
    }
}

static void
dfx_ch_flush_counters(dfx_ch_window_t *w)
{
    int  ds = w->f->ds;

    dfx_ch_stat(DFX_STAT_clickhouse_rows_total, -1, ds,
                (int64_t) w->c_rows);
    dfx_ch_stat(DFX_STAT_records_received_total, -1, ds,
                (int64_t) w->c_rows);
    dfx_ch_stat(DFX_STAT_records_accepted_total, -1, ds,
                (int64_t) w->c_accepted);
    dfx_ch_stat(DFX_STAT_records_filtered_total, -1, ds,
                (int64_t) w->c_filtered);
    dfx_ch_stat(DFX_STAT_records_rejected_total, -1, ds,
                (int64_t) w->c_rejected);
    dfx_ch_stat(DFX_STAT_unknown_fields_total, -1, ds,
                (int64_t) w->c_unknown);
    w->c_rows = 0;
    w->c_accepted = 0;
    w->c_filtered = 0;
    w->c_rejected = 0;
    w->c_unknown = 0;
}

static dfx_ch_source_t *
dfx_ch_source_of(dfx_kafka_ack_t *ack)
{
    return (dfx_ch_source_t *) (void *) ((char *) ack
        - offsetof(dfx_ch_window_t, ack) - offsetof(dfx_ch_source_t, w));
}

void
dfx_ch_window_acked(dfx_kafka_ack_t *ack)
{
    dfx_ch_source_t  *s = dfx_ch_source_of(ack);

    dfx_assert(ack->magic == DFX_KAFKA_ACK_MAGIC
               && s->magic == DFX_CH_SOURCE_MAGIC);
    pthread_mutex_lock(&s->lock);
    s->w.acked = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

int
dfx_ch_window_begin(dfx_ch_source_t *s, dfx_ch_follower_t *f, int64_t from,
                    int64_t to)
{
    dfx_ch_window_t  *w = &s->w;
    dfx_ch_route_t   *rt;
    size_t            i;

    w->f = f;
    w->from = from;
    w->to = to;
    w->rows = 0;
    w->msgs = 0;
    w->rejected = 0;
    w->err = DFX_CH_OK;
    w->msg[0] = '\0';
    w->sample[0] = '\0';
    w->c_rows = w->c_accepted = w->c_filtered = w->c_rejected = 0;
    w->c_unknown = 0;
    dfx_buf_reset(&s->carry);

    w->cycle = dfx_cycle_acquire();
    if (w->cycle == NULL || w->cycle->nroutes[f->ds] == 0) {
        dfx_cycle_release(w->cycle);
        w->cycle = NULL;
        return 1;
    }
    w->nroutes = w->cycle->nroutes[f->ds];
    dfx_assert(w->nroutes <= DFX_STATS_MAX_EXPORTERS);
    w->dict = dfx_dict_acquire();

    for (i = 0; i < w->nroutes; i++) {
        rt = &w->routes[i];
        rt->route = &w->cycle->routes[f->ds][i];
        memset(&rt->rc, 0, sizeof(rt->rc));
        rt->rc.chain = rt->route->chain;
        rt->rc.dict = w->dict;
        rt->rc.out = &rt->out;
        rt->np = dfx_kafka_nproducers(rt->route->exporter->kafka);
        rt->rr = dfx_kafka_next_rr(rt->route->exporter->kafka, 1) % rt->np;
        rt->filtered = 0;
        rt->used = 0;
        rt->max_msg = dfx_kafka_max_message(rt->route->exporter->kafka,
                                            &rt->max_bytes);
    }

    memset(&w->ack, 0, sizeof(w->ack));
    w->ack.magic = DFX_KAFKA_ACK_MAGIC;
    w->ack.done = dfx_ch_window_acked;
    /* the extra unit: the window is not acknowledged before its last row
     * was sent, however fast Kafka answers */
    atomic_init(&w->ack.pending, 1);
    pthread_mutex_lock(&s->lock);
    w->acked = 0;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* Sends the message a chain left in rt->out.  Returns 0, or -1 when the
 * source is stopping. */
static int
dfx_ch_send(dfx_ch_source_t *s, dfx_ch_route_t *rt, const dfx_record_t *rec)
{
    dfx_ch_window_t  *w = &s->w;
    dfx_producer_t   *p;
    dfx_kafka_t      *k = rt->route->exporter->kafka;
    int               ex = (int) rt->route->exporter->index, err;

    p = dfx_kafka_producer(k, rt->rr);
    if (++rt->rr == rt->np) {
        rt->rr = 0;
    }
    while (dfx_producer_reserve_wait(p, 1, DFX_CH_BUDGET_WAIT_MS) != 0) {
        if (atomic_load(&s->stop)) {
            return -1;
        }
    }

    atomic_fetch_add(&w->ack.pending, 1);
    dfx_stats_add(DFX_STAT_exporter_records_queued_total, ex, w->f->ds, -1,
                  1);
    dfx_stats_add(DFX_STAT_exporter_records_inflight, ex, w->f->ds, -1, 1);
    rt->used = 1;
    w->msgs++;

    err = dfx_producer_send(p, w->f->ds,
                            rt->rc.key_null ? NULL : rt->rc.key.data,
                            rt->rc.key_null ? 0 : rt->rc.key.len,
                            rt->out.data, rt->out.len, rec->ts_us / 1000,
                            &w->ack);
    if (err != 0) {
        /* the ack counted it failed already: the window will be tried
         * again */
        dfx_producer_release(p, 1);
        dfx_stats_add(DFX_STAT_exporter_records_inflight, ex, w->f->ds, -1,
                      -1);
        dfx_stats_add(DFX_STAT_exporter_records_failed_total, ex, w->f->ds,
                      -1, 1);
    }
    return 0;
}

static void
dfx_ch_rejected(dfx_ch_source_t *s, const char *line, size_t len,
                const dfx_record_err_t *err)
{
    dfx_ch_window_t  *w = &s->w;

    w->rejected++;
    w->c_rejected++;
    if (w->sample[0] == '\0') {
        snprintf(w->sample, sizeof(w->sample), "row %" PRIu64 "%s%s: %s "
                 "(%.*s%s)", w->rows, err->field[0] ? ", field " : "",
                 err->field, err->msg, (int) (len < 96 ? len : 96), line,
                 len > 96 ? "..." : "");
    }
}

/* One row.  Returns 0, or -1 to abandon the answer (w->err says why). */
static int
dfx_ch_row(dfx_ch_source_t *s, const char *line, size_t len)
{
    dfx_ch_window_t   *w = &s->w;
    dfx_ch_route_t    *rt;
    dfx_record_err_t   err;
    dfx_record_t       rec;
    size_t             i, produced = 0;
    int                rc;

    if (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    if (len == 0) {
        return 0;
    }
    if (line[0] != '{' || line[len - 1] != '}') {
        w->err = DFX_CH_ERR_STREAM;
        snprintf(w->msg, sizeof(w->msg), "the answer broke off after %"
                 PRIu64 " rows: %.*s", w->rows, (int) (len < 160 ? len : 160),
                 line);
        return -1;
    }

    w->rows++;
    w->c_rows++;
    dfx_pool_reset(s->pool);
    rc = dfx_record_parse_line(s->parser, w->f->schema, line, len, s->pool,
                               &rec, &err);
    rec.index = (uint32_t) w->rows;
    rec.line = (uint32_t) w->rows;
    if (rc != DFX_OK) {
        dfx_ch_rejected(s, line, len, &err);
        goto counted;
    }
    w->c_unknown += rec.unknown;

    /* every chain first: a message Kafka will never take (larger than
     * message.max.bytes) makes the row a rejected one for every
     * exporter, before anything of it is sent; sent, it would fail its
     * window at every try and hold the checkpoint forever */
    for (i = 0; i < w->nroutes; i++) {
        rt = &w->routes[i];
        dfx_buf_reset(&rt->out);
        rt->rc.rec = &rec;
        rt->rc.key.data = NULL;
        rt->rc.key.len = 0;
        rt->rc.key_null = 1;
        rt->rc.drop_group = -1;
        rt->rc.drop_why = NULL;
        rt->ok = 0;

        rc = dfx_chain_run(rt->route->chain, &rt->rc);
        if (rc == DFX_OK) {
            rt->ok = 1;
            if (rt->out.len + (rt->rc.key_null ? 0 : rt->rc.key.len)
                > rt->max_msg)
            {
                memset(&err, 0, sizeof(err));
                snprintf(err.msg, sizeof(err.msg), "the message of exporter "
                         "%u is %zu bytes, more than Kafka takes "
                         "(message.max.bytes %ld)",
                         rt->route->exporter->index, rt->out.len,
                         rt->max_bytes);
                dfx_ch_rejected(s, line, len, &err);
                goto counted;
            }
        } else if (rc == DFX_DROP) {
            rt->ok = -1;
        } else {
            /* out of memory in a stage: the window is tried again */
            w->err = DFX_CH_ERR_STREAM;
            snprintf(w->msg, sizeof(w->msg), "exporter %u could not process "
                     "row %" PRIu64, rt->route->exporter->index, w->rows);
            return -1;
        }
    }
    for (i = 0; i < w->nroutes; i++) {
        rt = &w->routes[i];
        if (rt->ok != 1) {
            /* counted once the row is known to go on: a rejected row is
             * no exporter's filtered one */
            rt->filtered += rt->ok == -1;
            continue;
        }
        if (dfx_ch_send(s, rt, &rec) != 0) {
            w->err = DFX_CH_ERR_STOPPED;
            return -1;
        }
        produced++;
    }
    if (produced > 0) {
        w->c_accepted++;
    } else {
        w->c_filtered++;
    }

counted:
    if (w->c_rows >= DFX_CH_FLUSH_ROWS) {
        dfx_ch_flush_counters(w);
    }
    return 0;
}

int
dfx_ch_window_data(void *arg, const char *data, size_t len)
{
    dfx_ch_source_t  *s = arg;
    dfx_ch_window_t  *w = &s->w;
    const char       *nl, *end = data + len;
    size_t            n;

    if (atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        w->err = DFX_CH_ERR_STOPPED;
        return -1;
    }

    /* the end of a row begun in an earlier piece */
    if (s->carry.len > 0) {
        nl = memchr(data, '\n', len);
        n = nl != NULL ? (size_t) (nl - data) : len;
        if (s->carry.len + n > s->line_max) {
            goto too_long;
        }
        if (dfx_buf_append(&s->carry, data, n) != 0) {
            goto nomem;
        }
        if (nl == NULL) {
            return 0;
        }
        if (dfx_ch_row(s, s->carry.data, s->carry.len) != 0) {
            return -1;
        }
        dfx_buf_reset(&s->carry);
        data = nl + 1;
    }

    while (data < end) {
        nl = memchr(data, '\n', (size_t) (end - data));
        if (nl == NULL) {
            n = (size_t) (end - data);
            if (n > s->line_max) {
                goto too_long;
            }
            if (dfx_buf_append(&s->carry, data, n) != 0) {
                goto nomem;
            }
            return 0;
        }
        if (dfx_ch_row(s, data, (size_t) (nl - data)) != 0) {
            return -1;
        }
        data = nl + 1;
    }
    return 0;

too_long:
    w->err = DFX_CH_ERR_STREAM;
    snprintf(w->msg, sizeof(w->msg), "row %" PRIu64 " is longer than "
             "limits.line (%zu bytes)", w->rows + 1, s->line_max);
    return -1;

nomem:
    w->err = DFX_CH_ERR_STREAM;
    snprintf(w->msg, sizeof(w->msg), "out of memory");
    return -1;
}

dfx_ch_err_t
dfx_ch_window_finish(dfx_ch_source_t *s, int complete)
{
    dfx_ch_window_t  *w = &s->w;
    dfx_ch_route_t   *rt;
    struct timespec   ts;
    size_t            i;
    unsigned          p;
    int               acked, err;

    dfx_ch_err_t      rc = DFX_CH_OK;

    /* an answer that ends without a newline still ends a row; a broken
     * one leaves half a row, which is not one */
    if (complete && s->carry.len > 0
        && dfx_ch_row(s, s->carry.data, s->carry.len) != 0)
    {
        rc = w->err;
    }
    dfx_buf_reset(&s->carry);
    dfx_ch_flush_counters(w);

    for (i = 0; i < w->nroutes; i++) {
        rt = &w->routes[i];
        dfx_ch_stat(DFX_STAT_exporter_records_filtered_total,
                    (int) rt->route->exporter->index, w->f->ds,
                    rt->filtered);
        rt->filtered = 0;
        dfx_chain_flush_stats(rt->route->chain, &rt->rc);
    }

    if (atomic_fetch_sub(&w->ack.pending, 1) == 1) {
        dfx_ch_window_acked(&w->ack);
    }
    /* the last batch need not wait out linger.ms */
    for (i = 0; i < w->nroutes; i++) {
        rt = &w->routes[i];
        for (p = 0; rt->used && p < rt->np; p++) {
            dfx_producer_kick(dfx_kafka_producer(
                rt->route->exporter->kafka, p));
        }
    }

    pthread_mutex_lock(&s->lock);
    while (!s->w.acked && !atomic_load(&s->stop)) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&s->cond, &s->lock, &ts);
    }
    acked = s->w.acked;
    pthread_mutex_unlock(&s->lock);

    if (!acked) {
        return DFX_CH_ERR_STOPPED;
    }
    if (rc != DFX_CH_OK) {
        return rc;
    }
    if (atomic_load(&w->ack.failed) > 0) {
        err = atomic_load(&w->ack.first_err);
        snprintf(w->msg, sizeof(w->msg), "Kafka did not take %u of %" PRIu64
                 " messages: %s", atomic_load(&w->ack.failed), w->msgs,
                 rd_kafka_err2str((rd_kafka_resp_err_t) err));
        return DFX_CH_ERR_KAFKA;
    }
    return DFX_CH_OK;
}

void
dfx_ch_window_end(dfx_ch_source_t *s)
{
    dfx_ch_window_t  *w = &s->w;

    if (w->cycle == NULL) {
        return;
    }
    dfx_ch_flush_counters(w);
    dfx_dict_release(w->dict);
    w->dict = NULL;
    dfx_cycle_release(w->cycle);
    w->cycle = NULL;
}
