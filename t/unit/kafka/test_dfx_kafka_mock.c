/*
 * test_dfx_kafka_mock.c: the embedded cluster (dfx_kafka_mock.c): its
 * bootstrap list, and a DeepFlow topic appearing on first use with the
 * mock's default partitions, readable by a consumer.  (2.0.2's mock
 * creates any topic a Metadata request names, whoever asks.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_kafka_test.h"
#include "dfx_log.h"
#include "dfx_stats.h"

typedef struct {
    dfx_kafka_ack_t  ack;
    atomic_int       calls;
} test_ack_t;

static void
test_done(dfx_kafka_ack_t *a)
{
    atomic_fetch_add(&((test_ack_t *) a)->calls, 1);
}

static int
test_called(void *arg)
{
    return atomic_load(&((test_ack_t *) arg)->calls) > 0;
}

static int
test_partitions(const char *bootstrap, const char *topic)
{
    rd_kafka_conf_t                  *conf = rd_kafka_conf_new();
    const struct rd_kafka_metadata   *md = NULL;
    rd_kafka_topic_t                 *rkt;
    rd_kafka_t                       *rk;
    char                              errstr[256];
    int                               n = -1;

    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap,
                                       errstr, sizeof(errstr)), 0);
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == 0
        && md->topics[0].err == 0)
    {
        n = md->topics[0].partition_cnt;
    }
    if (md != NULL) {
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return n;
}

static void
test_count_msg(void *arg, const rd_kafka_message_t *m)
{
    int  *n = arg;

    if (m->len == 13 && memcmp(m->payload, "{\"time\":1234}", 13) == 0) {
        (*n)++;
    }
}

static void
test_embedded(void **state)
{
    dfx_kafka_mock_t     *m;
    dfx_conf_exporter_t   ec;
    dfx_test_loop_t       loop;
    dfx_kafka_t          *k;
    dfx_producer_t       *p;
    test_ack_t            a;
    const char           *bs, *topics[1] = { "deepflow.flow_log.l7_flow_log" };
    char                 *copy, *tok, *save = NULL;
    int                   n = 0, i, good = 0;

    (void) state;
    m = dfx_kafka_mock_start(3);
    assert_non_null(m);
    bs = dfx_kafka_mock_bootstrap(m);
    assert_non_null(bs);

    /* three loopback brokers */
    copy = strdup(bs);
    for (tok = strtok_r(copy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save))
    {
        int  port;

        n++;
        assert_int_equal(sscanf(tok, "127.0.0.1:%d", &port), 1);
        assert_true(port > 0 && port < 65536);
    }
    free(copy);
    assert_int_equal(n, 3);

    dfx_test_loop_start(&loop);
    dfx_test_exporter(&ec, 0, 1, 100);
    dfx_test_rdk(&ec, "linger.ms", "5", 40);
    k = dfx_kafka_create(&ec, bs, topics, 1, loop.base);
    assert_non_null(k);
    p = dfx_kafka_producer(k, 0);
    memset(&a, 0, sizeof(a));
    a.ack.magic = DFX_KAFKA_ACK_MAGIC;
    a.ack.done = test_done;
    atomic_init(&a.ack.pending, 10);
    assert_int_equal(dfx_producer_reserve(p, 10), 0);
    for (i = 0; i < 10; i++) {
        assert_int_equal(dfx_producer_send(p, 0, NULL, 0, "{\"time\":1234}",
                                           13, 1234000, &a.ack), 0);
    }
    dfx_producer_kick(p);
    assert_true(dfx_test_wait(test_called, &a, 10000));
    assert_int_equal(atomic_load(&a.ack.failed), 0);
    dfx_kafka_destroy(k, 1000);
    dfx_test_loop_stop(&loop);
    dfx_test_exporter_free(&ec);

    /* created on first use with the mock's default partition count */
    assert_int_equal(test_partitions(bs, topics[0]), 4);
    assert_int_equal(dfx_test_topic_count(bs, topics[0]), 10);
    assert_int_equal(dfx_test_consume(bs, topics[0], 10, 10000,
                                      test_count_msg, &good), 10);
    assert_int_equal(good, 10);

    dfx_kafka_mock_stop(m);
    dfx_kafka_mock_stop(NULL);
}

static void
test_no_brokers(void **state)
{
    (void) state;
    dfx_test_log_capture();
    assert_null(dfx_kafka_mock_start(0));
    assert_true(dfx_test_log_has("embedded kafka: at least one broker"));
    dfx_test_log_release();
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_no_brokers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
