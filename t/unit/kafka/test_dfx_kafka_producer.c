/*
 * test_dfx_kafka_producer.c: producers, budget, delivery reports, acks,
 * kick, readiness and shutdown, against librdkafka's mock cluster on
 * loopback (dfx_kafka_producer.c, dfx_kafka_delivery.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_kafka_int.h"
#include "dfx_kafka_test.h"
#include "dfx_log.h"
#include "dfx_stats.h"

#define EXP  3          /* the exporter index the tests use */

typedef struct {
    dfx_kafka_ack_t  ack;           /* first: done() gets this pointer */
    atomic_int       calls;
    _Atomic int64_t  t_done;
} test_ack_t;

static void
test_ack_done(dfx_kafka_ack_t *a)
{
    test_ack_t  *t = (test_ack_t *) a;

    atomic_store(&t->t_done, dfx_test_now_ms());
    atomic_fetch_add(&t->calls, 1);
}

static void
test_ack_init(test_ack_t *t, unsigned pending)
{
    memset(t, 0, sizeof(*t));
    t->ack.magic = DFX_KAFKA_ACK_MAGIC;
    atomic_init(&t->ack.pending, pending);
    t->ack.done = test_ack_done;
}

static int
test_ack_called(void *arg)
{
    return atomic_load(&((test_ack_t *) arg)->calls) > 0;
}

typedef struct {
    dfx_test_mock_t       mock;
    dfx_test_loop_t       loop;
    dfx_conf_exporter_t   ec;
    dfx_kafka_t          *k;
    const char           *topics[16];
} test_env_t;

static int64_t
stat_get(dfx_stat_id_t id, int ds)
{
    return dfx_stats_get(id, EXP, ds, -1);
}

/* What the ingest path does for one request of one data source: reserve
 * on every producer it touches (all or nothing), send round-robin, count.
 * Returns the number accepted, or -1 when the budget said no. */
static int
test_send(dfx_kafka_t *k, int ds, int n, const char *prefix, int64_t ts0,
          const char *key, dfx_kafka_ack_t *ack)
{
    unsigned  np = dfx_kafka_nproducers(k), start, i, need[16];
    char      value[64], kbuf[64];
    int       accepted = 0, refused = 0, j, len, klen = 0;

    assert_true(np <= 16);
    memset(need, 0, sizeof(need));
    start = dfx_kafka_next_rr(k, (unsigned) n);
    for (j = 0; j < n; j++) {
        need[(start + (unsigned) j) % np]++;
    }
    for (i = 0; i < np; i++) {
        if (need[i] > 0
            && dfx_producer_reserve(dfx_kafka_producer(k, i), need[i]) != 0)
        {
            while (i-- > 0) {
                dfx_producer_release(dfx_kafka_producer(k, i), need[i]);
            }
            return -1;
        }
    }
    for (j = 0; j < n; j++) {
        dfx_producer_t  *p = dfx_kafka_producer(k, (start + (unsigned) j) % np);

        len = snprintf(value, sizeof(value), "%s-%d", prefix, j);
        if (key != NULL) {
            klen = snprintf(kbuf, sizeof(kbuf), "%s-%d", key, j);
        }
        if (dfx_producer_send(p, ds, key != NULL ? kbuf : NULL,
                              (size_t) klen, value, (size_t) len, ts0 + j,
                              ack) != 0)
        {
            dfx_producer_release(p, 1);
            refused++;
        } else {
            accepted++;
        }
        if (ack != NULL) {
            dfx_producer_kick(p);
        }
    }
    dfx_stats_add(DFX_STAT_exporter_records_queued_total, EXP, ds, -1, n);
    dfx_stats_add(DFX_STAT_exporter_records_inflight, EXP, ds, -1, accepted);
    dfx_stats_add(DFX_STAT_exporter_records_failed_total, EXP, ds, -1,
                  refused);
    return accepted;
}

typedef struct {
    int      ds;
    int64_t  expect;
} test_count_t;

static int
test_settled(void *arg)
{
    test_count_t  *c = arg;

    return stat_get(DFX_STAT_exporter_records_delivered_total, c->ds)
           + stat_get(DFX_STAT_exporter_records_failed_total, c->ds)
           >= c->expect;
}

static void
test_wait_settled(int ds, int64_t expect)
{
    test_count_t  c = { ds, expect };

    assert_true(dfx_test_wait(test_settled, &c, 20000));
}

static int
test_ready(void *arg)
{
    return dfx_kafka_ready(arg);
}

static int
test_not_ready(void *arg)
{
    return !dfx_kafka_ready(arg);
}

static void
test_budget_is_zero(dfx_kafka_t *k)
{
    unsigned  i;

    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_budget_used_records,
                                   EXP, -1, -1), 0);
    for (i = 0; i < dfx_kafka_nproducers(k); i++) {
        /* a reservation of the whole capacity succeeds only when free */
        dfx_producer_t  *p = dfx_kafka_producer(k, i);

        assert_int_equal(dfx_producer_reserve(p, dfx_producer_capacity(p)),
                         0);
        dfx_producer_release(p, dfx_producer_capacity(p));
    }
}

static void
env_start(test_env_t *e, int brokers, int queue_count, int queue_size)
{
    memset(e, 0, sizeof(*e));
    dfx_stats_reset();
    dfx_stats_set_exporters(EXP + 1);
    dfx_test_mock_start(&e->mock, brokers);
    dfx_test_loop_start(&e->loop);
    dfx_test_exporter(&e->ec, EXP, queue_count, queue_size);
    e->ec.endpoints.n = 0;
}

static void
env_create(test_env_t *e, int ntopics)
{
    e->k = dfx_kafka_create(&e->ec, e->mock.bootstrap, e->topics, ntopics,
                            e->loop.base);
    assert_non_null(e->k);
}

static void
env_stop(test_env_t *e)
{
    dfx_kafka_destroy(e->k, 5000);
    e->k = NULL;
    dfx_test_loop_stop(&e->loop);
    dfx_test_mock_stop(&e->mock);
    dfx_test_exporter_free(&e->ec);
}

/* ---- delivery and what the consumer sees ------------------------------- */

typedef struct {
    int      seen[3][200];
    int      bad;
    int64_t  ts0;
} test_seen_t;

static void
test_check_msg(void *arg, const rd_kafka_message_t *m)
{
    test_seen_t               *s = arg;
    rd_kafka_timestamp_type_t  tt;
    int64_t                    ts = rd_kafka_message_timestamp(m, &tt);
    char                       v[64], kx[64];
    int                        ds, j;

    if (m->len >= sizeof(v)) {
        s->bad++;
        return;
    }
    memcpy(v, m->payload, m->len);
    v[m->len] = '\0';
    if (sscanf(v, "d%d-%d", &ds, &j) != 2 || ds < 0 || ds > 2 || j < 0
        || j >= 200)
    {
        s->bad++;
        return;
    }
    s->seen[ds][j]++;
    if (tt != RD_KAFKA_TIMESTAMP_CREATE_TIME
        || ts != s->ts0 + ds * 1000 + j)
    {
        s->bad++;
    }
    if (ds == 1) {
        snprintf(kx, sizeof(kx), "key-%d", j);
        if (m->key_len != strlen(kx) || memcmp(m->key, kx, m->key_len) != 0) {
            s->bad++;
        }
    } else if (m->key != NULL) {
        s->bad++;
    }
}

static void
test_produce_and_deliver(void **state)
{
    test_env_t    e;
    test_seen_t   seen;
    int64_t       ts0 = 1700000000000LL;
    int           j;

    (void) state;
    env_start(&e, 3, 2, 1000);
    dfx_test_rdk(&e.ec, "linger.ms", "5", 40);
    /* ds 0 and ds 2 share a topic; counters must still tell them apart */
    e.topics[0] = "dfx.test.a";
    e.topics[1] = "dfx.test.b";
    e.topics[2] = "dfx.test.a";
    env_create(&e, 3);

    assert_int_equal(dfx_kafka_nproducers(e.k), 2);
    assert_int_equal(dfx_producer_capacity(dfx_kafka_producer(e.k, 1)),
                     1000);

    assert_int_equal(test_send(e.k, 0, 120, "d0", ts0, NULL, NULL), 120);
    assert_int_equal(test_send(e.k, 1, 50, "d1", ts0 + 1000, "key", NULL),
                     50);
    assert_int_equal(test_send(e.k, 2, 30, "d2", ts0 + 2000, NULL, NULL),
                     30);

    test_wait_settled(0, 120);
    test_wait_settled(1, 50);
    test_wait_settled(2, 30);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 0),
                     120);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 1),
                     50);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 2),
                     30);
    for (j = 0; j < 3; j++) {
        assert_int_equal(stat_get(DFX_STAT_exporter_records_failed_total, j),
                         0);
        assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, j), 0);
        assert_int_equal(stat_get(DFX_STAT_exporter_records_queued_total, j),
                         stat_get(DFX_STAT_exporter_records_delivered_total,
                                  j));
    }
    test_budget_is_zero(e.k);

    /* exactly what was sent, once each, with its timestamp and key */
    memset(&seen, 0, sizeof(seen));
    seen.ts0 = ts0;
    assert_int_equal(dfx_test_consume(e.mock.bootstrap, "dfx.test.a", 150,
                                      10000, test_check_msg, &seen), 150);
    assert_int_equal(dfx_test_consume(e.mock.bootstrap, "dfx.test.b", 50,
                                      10000, test_check_msg, &seen), 50);
    assert_int_equal(seen.bad, 0);
    for (j = 0; j < 120; j++) {
        assert_int_equal(seen.seen[0][j], 1);
    }
    for (j = 0; j < 50; j++) {
        assert_int_equal(seen.seen[1][j], 1);
    }
    for (j = 0; j < 30; j++) {
        assert_int_equal(seen.seen[2][j], 1);
    }
    assert_int_equal(dfx_test_topic_count(e.mock.bootstrap, "dfx.test.a"),
                     150);

    env_stop(&e);
}

/* ---- budget -------------------------------------------------------------- */

static void
test_budget_all_or_nothing(void **state)
{
    test_env_t       e;
    dfx_producer_t  *p;

    (void) state;
    env_start(&e, 1, 1, 10);
    e.topics[0] = "dfx.test.budget";
    env_create(&e, 1);
    p = dfx_kafka_producer(e.k, 0);
    assert_null(dfx_kafka_producer(e.k, 1));

    assert_int_equal(dfx_producer_capacity(p), 10);
    assert_int_equal(dfx_producer_reserve(p, 11), -1);
    assert_int_equal(dfx_producer_reserve(p, 6), 0);
    assert_int_equal(dfx_producer_reserve(p, 5), -1);   /* nothing taken */
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_budget_used_records,
                                   EXP, -1, -1), 6);
    assert_int_equal(dfx_producer_reserve(p, 4), 0);
    assert_int_equal(dfx_producer_reserve(p, 1), -1);
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_budget_used_records,
                                   EXP, -1, -1), 10);
    dfx_producer_release(p, 10);
    assert_int_equal(dfx_producer_reserve(p, 10), 0);
    dfx_producer_release(p, 10);
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_budget_used_records,
                                   EXP, -1, -1), 0);

    env_stop(&e);
}

static void
test_budget_exhaustion(void **state)
{
    test_env_t  e;
    test_ack_t  a;

    (void) state;
    env_start(&e, 1, 2, 8);
    dfx_test_rdk(&e.ec, "linger.ms", "5", 40);
    e.topics[0] = "dfx.test.exhaust";
    env_create(&e, 1);
    assert_true(dfx_test_wait(test_ready, e.k, 10000));

    /* with the broker gone, records hold their budget until it is back */
    assert_int_equal(rd_kafka_mock_broker_set_down(e.mock.mc, 1), 0);
    assert_int_equal(test_send(e.k, 0, 16, "d0", 1000, NULL, NULL), 16);
    assert_int_equal(test_send(e.k, 0, 1, "d0", 1000, NULL, NULL), -1);
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_budget_used_records,
                                   EXP, -1, -1), 16);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 0), 16);

    assert_int_equal(rd_kafka_mock_broker_set_up(e.mock.mc, 1), 0);
    test_wait_settled(0, 16);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 0),
                     16);
    test_budget_is_zero(e.k);

    /* and the budget serves again */
    test_ack_init(&a, 4);
    assert_int_equal(test_send(e.k, 0, 4, "d0", 2000, NULL, &a.ack), 4);
    assert_true(dfx_test_wait(test_ack_called, &a, 10000));
    assert_int_equal(atomic_load(&a.ack.failed), 0);

    env_stop(&e);
}

/* ---- acks ---------------------------------------------------------------- */

static void
test_ack_done_once(void **state)
{
    test_env_t  e;
    test_ack_t  a;

    (void) state;
    env_start(&e, 3, 2, 100);
    dfx_test_rdk(&e.ec, "linger.ms", "5", 40);
    e.topics[4] = "dfx.test.ack";
    env_create(&e, 5);

    test_ack_init(&a, 20);
    assert_int_equal(test_send(e.k, 4, 20, "d0", 5000, NULL, &a.ack), 20);
    assert_true(dfx_test_wait(test_ack_called, &a, 10000));
    assert_int_equal(atomic_load(&a.ack.pending), 0);
    assert_int_equal(atomic_load(&a.ack.failed), 0);
    assert_int_equal(atomic_load(&a.ack.first_err), 0);
    assert_int_equal(atomic_load(&a.ack.ds), 4);
    /* the budget is back by the time done() runs */
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 4),
                     20);
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_budget_used_records,
                                   EXP, -1, -1), 0);
    dfx_test_sleep_ms(200);
    assert_int_equal(atomic_load(&a.calls), 1);

    env_stop(&e);
}

static void
test_send_refused(void **state)
{
    test_env_t       e;
    test_ack_t       a;
    dfx_producer_t  *p;

    (void) state;
    env_start(&e, 1, 1, 10);
    e.topics[0] = "dfx.test.refused";
    env_create(&e, 1);
    p = dfx_kafka_producer(e.k, 0);

    /* a data source the exporter does not take: refused at once, and the
     * ack hears about it from the send */
    test_ack_init(&a, 2);
    assert_int_equal(dfx_producer_reserve(p, 2), 0);
    assert_int_equal(dfx_producer_send(p, 1, NULL, 0, "x", 1, 1, &a.ack),
                     RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC);
    dfx_producer_release(p, 1);
    assert_int_equal(atomic_load(&a.calls), 0);
    assert_int_equal(dfx_producer_send(p, -1, NULL, 0, "x", 1, 1, &a.ack),
                     RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC);
    dfx_producer_release(p, 1);
    assert_int_equal(atomic_load(&a.calls), 1);
    assert_int_equal(atomic_load(&a.ack.failed), 2);
    assert_int_equal(atomic_load(&a.ack.first_err),
                     RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC);

    env_stop(&e);
}

/* ---- faults -------------------------------------------------------------- */

static void
test_broker_down_timeout(void **state)
{
    test_env_t  e;
    test_ack_t  a, b;

    (void) state;
    env_start(&e, 1, 1, 100);
    dfx_test_rdk(&e.ec, "linger.ms", "10", 40);
    e.ec.message_timeout.v = 2;
    e.ec.message_timeout.m.set = 1;
    e.topics[0] = "dfx.test.down";
    env_create(&e, 1);
    assert_true(dfx_test_wait(test_ready, e.k, 10000));
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_ready, EXP, -1, -1), 1);

    assert_int_equal(rd_kafka_mock_broker_set_down(e.mock.mc, 1), 0);
    test_ack_init(&a, 10);
    assert_int_equal(test_send(e.k, 0, 10, "d0", 1000, NULL, &a.ack), 10);
    assert_true(dfx_test_wait(test_ack_called, &a, 15000));
    assert_int_equal(atomic_load(&a.ack.failed), 10);
    assert_int_equal(atomic_load(&a.ack.first_err),
                     RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_failed_total, 0), 10);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 0),
                     0);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 0), 0);
    test_budget_is_zero(e.k);

    /* no broker answers: not ready, until one does again */
    assert_true(dfx_test_wait(test_not_ready, e.k, 15000));
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_ready, EXP, -1, -1), 0);
    assert_int_equal(rd_kafka_mock_broker_set_up(e.mock.mc, 1), 0);
    assert_true(dfx_test_wait(test_ready, e.k, 20000));
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_ready, EXP, -1, -1), 1);

    test_ack_init(&b, 5);
    assert_int_equal(test_send(e.k, 0, 5, "d0", 2000, NULL, &b.ack), 5);
    assert_true(dfx_test_wait(test_ack_called, &b, 15000));
    assert_int_equal(atomic_load(&b.ack.failed), 0);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 0),
                     5);

    env_stop(&e);
}

static void
test_request_errors(void **state)
{
    test_env_t  e;
    test_ack_t  a, b;

    (void) state;
    dfx_test_log_capture();
    env_start(&e, 1, 1, 100);
    dfx_test_rdk(&e.ec, "linger.ms", "5", 40);
    e.topics[0] = "dfx.test.errors";
    env_create(&e, 1);
    assert_true(dfx_test_wait(test_ready, e.k, 10000));

    /* a retriable error: librdkafka retries, the record arrives */
    rd_kafka_mock_push_request_errors(e.mock.mc, 0 /* Produce */, 2,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
    test_ack_init(&a, 1);
    assert_int_equal(test_send(e.k, 0, 1, "d0", 1000, NULL, &a.ack), 1);
    assert_true(dfx_test_wait(test_ack_called, &a, 15000));
    assert_int_equal(atomic_load(&a.ack.failed), 0);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 0),
                     1);

    /* a permanent one: the record fails and is counted */
    rd_kafka_mock_push_request_errors(e.mock.mc, 0, 1,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    test_ack_init(&b, 1);
    assert_int_equal(test_send(e.k, 0, 1, "d0", 2000, NULL, &b.ack), 1);
    assert_true(dfx_test_wait(test_ack_called, &b, 15000));
    assert_int_equal(atomic_load(&b.ack.failed), 1);
    assert_int_equal(atomic_load(&b.ack.first_err),
                     RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_failed_total, 0), 1);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 0), 0);
    test_budget_is_zero(e.k);
    assert_true(dfx_test_log_has("1 messages to \"dfx.test.errors\" "
                                 "failed: Broker: Topic authorization "
                                 "failed"));

    env_stop(&e);
    dfx_test_log_release();
}

/* ---- kick -------------------------------------------------------------- */

static int64_t
test_one_acked(dfx_kafka_t *k, int kick, int64_t ts)
{
    dfx_producer_t  *p = dfx_kafka_producer(k, 0);
    test_ack_t       a;
    int64_t          t0;

    test_ack_init(&a, 1);
    assert_int_equal(dfx_producer_reserve(p, 1), 0);
    t0 = dfx_test_now_ms();
    assert_int_equal(dfx_producer_send(p, 0, NULL, 0, "kick", 4, ts, &a.ack),
                     0);
    if (kick) {
        dfx_producer_kick(p);
    }
    assert_true(dfx_test_wait(test_ack_called, &a, 10000));
    assert_int_equal(atomic_load(&a.ack.failed), 0);
    return atomic_load(&a.t_done) - t0;
}

static void
test_kick(void **state)
{
    test_env_t  e;
    int64_t     with[3], without[3];
    int         i;

    (void) state;
    env_start(&e, 1, 1, 100);
    e.ec.flush_timeout.v = 1;           /* linger.ms = 1000 */
    e.ec.flush_timeout.m.set = 1;
    e.topics[0] = "dfx.test.kick";
    env_create(&e, 1);
    assert_true(dfx_test_wait(test_ready, e.k, 10000));
    (void) test_one_acked(e.k, 1, 1);   /* connections, producer id */

    for (i = 0; i < 3; i++) {
        without[i] = test_one_acked(e.k, 0, 10 + i);
        with[i] = test_one_acked(e.k, 1, 20 + i);
    }
    print_message("acked single record, linger.ms 1000: without kick "
                  "%lld %lld %lld ms, with kick %lld %lld %lld ms\n",
                  (long long) without[0], (long long) without[1],
                  (long long) without[2], (long long) with[0],
                  (long long) with[1], (long long) with[2]);
    for (i = 0; i < 3; i++) {
        /* librdkafka holds a lone record for linger.ms ... */
        assert_true(without[i] >= 800);
        /* ... unless kicked */
        assert_true(with[i] < 500);
    }

    env_stop(&e);
}

/* ---- readiness ----------------------------------------------------------- */

static void
test_ready_and_unreachable(void **state)
{
    test_env_t            e;
    dfx_conf_exporter_t   ec;
    dfx_kafka_t          *k;
    const char           *topics[1] = { "dfx.test.ready" };
    int64_t               t0, t_ready;

    (void) state;
    env_start(&e, 1, 4, 10);
    e.topics[0] = "dfx.test.ready";
    t0 = dfx_test_now_ms();
    env_create(&e, 1);
    assert_true(dfx_test_wait(test_ready, e.k, 10000));
    t_ready = dfx_test_now_ms() - t0;
    print_message("4 producers ready after %lld ms\n", (long long) t_ready);
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_ready, EXP, -1, -1), 1);
    env_stop(&e);

    /* nothing listens there: never ready, and shutdown stays bounded */
    dfx_test_exporter(&ec, EXP, 2, 10);
    dfx_test_loop_start(&e.loop);
    k = dfx_kafka_create(&ec, "127.0.0.1:1", topics, 1, e.loop.base);
    assert_non_null(k);
    dfx_test_sleep_ms(1500);
    assert_false(dfx_kafka_ready(k));
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_ready, EXP, -1, -1), 0);
    t0 = dfx_test_now_ms();
    dfx_kafka_destroy(k, 1000);
    assert_true(dfx_test_now_ms() - t0 < 3000);
    dfx_test_loop_stop(&e.loop);
}

/* ---- shutdown ------------------------------------------------------------ */

static void
test_destroy_purges(void **state)
{
    test_env_t  e;
    test_ack_t  a;
    int64_t     t0;

    (void) state;
    dfx_test_log_capture();
    env_start(&e, 1, 2, 100);
    dfx_test_rdk(&e.ec, "linger.ms", "5", 40);
    e.topics[0] = "dfx.test.purge";
    env_create(&e, 1);
    assert_true(dfx_test_wait(test_ready, e.k, 10000));

    assert_int_equal(rd_kafka_mock_broker_set_down(e.mock.mc, 1), 0);
    test_ack_init(&a, 20);
    assert_int_equal(test_send(e.k, 0, 20, "d0", 1000, NULL, &a.ack), 20);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 0), 20);

    t0 = dfx_test_now_ms();
    dfx_kafka_destroy(e.k, 300);
    e.k = NULL;
    assert_true(dfx_test_now_ms() - t0 < 3000);

    assert_int_equal(atomic_load(&a.calls), 1);
    assert_int_equal(atomic_load(&a.ack.failed), 20);
    assert_true(atomic_load(&a.ack.first_err) == RD_KAFKA_RESP_ERR__PURGE_QUEUE
                || atomic_load(&a.ack.first_err)
                   == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_failed_total, 0), 20);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 0), 0);
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_budget_used_records,
                                   EXP, -1, -1), 0);
    assert_true(dfx_test_log_has("exporter 3: 20 messages could not be "
                                 "delivered"));

    dfx_test_loop_stop(&e.loop);
    dfx_test_mock_stop(&e.mock);
    dfx_test_exporter_free(&e.ec);
    dfx_test_log_release();
}

static void
test_destroy_flushes(void **state)
{
    test_env_t  e;

    (void) state;
    env_start(&e, 1, 2, 1000);
    /* a long linger: only the flush at shutdown sends these */
    e.ec.flush_timeout.v = 30;
    e.ec.flush_timeout.m.set = 1;
    e.topics[0] = "dfx.test.flush";
    env_create(&e, 1);
    assert_true(dfx_test_wait(test_ready, e.k, 10000));
    assert_int_equal(test_send(e.k, 0, 100, "d0", 1000, NULL, NULL), 100);

    dfx_kafka_destroy(e.k, 5000);
    e.k = NULL;
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 0),
                     100);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 0), 0);
    assert_int_equal(dfx_test_topic_count(e.mock.bootstrap, "dfx.test.flush"),
                     100);

    dfx_test_loop_stop(&e.loop);
    dfx_test_mock_stop(&e.mock);
    dfx_test_exporter_free(&e.ec);
}

/* ---- many senders -------------------------------------------------------- */

typedef struct {
    dfx_kafka_t  *k;
    int           ds;
    int           sent;
} test_sender_t;

static void *
test_sender(void *arg)
{
    test_sender_t  *s = arg;
    int             i, r;

    for (i = 0; i < 50; i++) {
        r = test_send(s->k, s->ds, 40, "d0", 1000, NULL, NULL);
        if (r < 0) {
            dfx_test_sleep_ms(2);       /* 429: the client comes back */
            i--;
            continue;
        }
        s->sent += r;
    }
    return NULL;
}

static void
test_concurrent_senders(void **state)
{
    test_env_t      e;
    test_sender_t   s[4];
    pthread_t       t[4];
    int             i;

    (void) state;
    env_start(&e, 3, 2, 200);
    dfx_test_rdk(&e.ec, "linger.ms", "2", 40);
    e.topics[0] = "dfx.test.many0";
    e.topics[1] = "dfx.test.many1";
    env_create(&e, 2);

    for (i = 0; i < 4; i++) {
        s[i].k = e.k;
        s[i].ds = i % 2;
        s[i].sent = 0;
        assert_int_equal(pthread_create(&t[i], NULL, test_sender, &s[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(s[i].sent, 2000);
    }
    test_wait_settled(0, 4000);
    test_wait_settled(1, 4000);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 0),
                     4000);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_delivered_total, 1),
                     4000);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 0), 0);
    assert_int_equal(stat_get(DFX_STAT_exporter_records_inflight, 1), 0);
    test_budget_is_zero(e.k);
    assert_int_equal(dfx_test_topic_count(e.mock.bootstrap, "dfx.test.many0"),
                     4000);

    env_stop(&e);
}

static void
test_next_rr(void **state)
{
    test_env_t  e;

    (void) state;
    env_start(&e, 1, 3, 10);
    e.topics[0] = "dfx.test.rr";
    env_create(&e, 1);
    assert_int_equal(dfx_kafka_next_rr(e.k, 2), 0);
    assert_int_equal(dfx_kafka_next_rr(e.k, 2), 2);
    assert_int_equal(dfx_kafka_next_rr(e.k, 1), 1);
    assert_int_equal(dfx_kafka_next_rr(e.k, 0), 2);
    assert_int_equal(dfx_kafka_next_rr(e.k, 1), 0);
    env_stop(&e);
}

/* Producers name themselves dfexport-EXPORTER-N, unless the librdkafka:
 * map sets client.id: then every producer uses it. */
static void
test_client_id(void **state)
{
    test_env_t  e;
    const char  *name;

    (void) state;
    env_start(&e, 1, 2, 10);
    e.topics[0] = "dfx.test.id";
    env_create(&e, 1);
    /* rd_kafka_name() is "CLIENT.ID#producer-N" */
    name = rd_kafka_name(dfx_kafka_producer(e.k, 1)->rk);
    assert_true(strncmp(name, "dfexport-3-1#", 13) == 0);
    env_stop(&e);

    env_start(&e, 1, 2, 10);
    dfx_test_rdk(&e.ec, "client.id", "team-a-exporter", 30);
    e.topics[0] = "dfx.test.id";
    env_create(&e, 1);
    name = rd_kafka_name(dfx_kafka_producer(e.k, 0)->rk);
    assert_true(strncmp(name, "team-a-exporter#", 16) == 0);
    name = rd_kafka_name(dfx_kafka_producer(e.k, 1)->rk);
    assert_true(strncmp(name, "team-a-exporter#", 16) == 0);
    env_stop(&e);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_produce_and_deliver),
        cmocka_unit_test(test_budget_all_or_nothing),
        cmocka_unit_test(test_budget_exhaustion),
        cmocka_unit_test(test_ack_done_once),
        cmocka_unit_test(test_send_refused),
        cmocka_unit_test(test_broker_down_timeout),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_kick),
        cmocka_unit_test(test_ready_and_unreachable),
        cmocka_unit_test(test_destroy_purges),
        cmocka_unit_test(test_destroy_flushes),
        cmocka_unit_test(test_concurrent_senders),
        cmocka_unit_test(test_next_rr),
        cmocka_unit_test(test_client_id),
    };

    dfx_log_set_level(DFX_LOG_INFO);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
