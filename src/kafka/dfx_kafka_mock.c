/*
 * dfx_kafka_mock.c: the embedded Kafka cluster (--embedded-kafka).
 *
 * librdkafka's mock cluster (rdkafka_mock.h) speaks the Kafka protocol
 * on loopback ports it picks itself.  It needs an rd_kafka_t to live in;
 * a dedicated one, with no brokers of its own, hosts it here.  Topics are
 * created when a producer first asks for them (Metadata with
 * AllowAutoTopicCreation, which producers send), with the mock's default
 * of 4 partitions and min(3, brokers) replicas: librdkafka 2.0.2 has no
 * public way to change that default, and a DeepFlow topic needs nothing
 * more.
 */
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "dfx_kafka_int.h"
#include "dfx_log.h"

struct dfx_kafka_mock_s {
    rd_kafka_t               *rk;
    rd_kafka_mock_cluster_t  *cluster;
    char                     *bootstrap;
};

dfx_kafka_mock_t *
dfx_kafka_mock_start(int brokers)
{
    dfx_kafka_mock_t  *m;
    rd_kafka_conf_t   *conf;
    const char        *bs;
    char               errstr[512];

    if (brokers < 1) {
        dfx_log_error("embedded kafka: at least one broker is needed");
        return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }

    conf = rd_kafka_conf_new();
    if (conf == NULL) {
        goto failed;
    }
    rd_kafka_conf_set_log_cb(conf, dfx_kafka_log_cb);
    /* the host instance talks to no broker: keep its own chatter down */
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr))
        != RD_KAFKA_CONF_OK)
    {
        dfx_log_error("embedded kafka: %s", errstr);
        rd_kafka_conf_destroy(conf);
        goto failed;
    }
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (m->rk == NULL) {
        dfx_log_error("embedded kafka: %s", errstr);
        rd_kafka_conf_destroy(conf);
        goto failed;
    }

    m->cluster = rd_kafka_mock_cluster_new(m->rk, brokers);
    if (m->cluster == NULL) {
        dfx_log_error("embedded kafka: cannot start %d mock brokers",
                      brokers);
        goto failed;
    }
    bs = rd_kafka_mock_cluster_bootstraps(m->cluster);
    m->bootstrap = bs != NULL ? strdup(bs) : NULL;
    if (m->bootstrap == NULL) {
        goto failed;
    }
    return m;

failed:
    dfx_kafka_mock_stop(m);
    return NULL;
}

const char *
dfx_kafka_mock_bootstrap(const dfx_kafka_mock_t *m)
{
    return m->bootstrap;
}

void
dfx_kafka_mock_stop(dfx_kafka_mock_t *m)
{
    if (m == NULL) {
        return;
    }
    if (m->cluster != NULL) {
        rd_kafka_mock_cluster_destroy(m->cluster);
    }
    if (m->rk != NULL) {
        rd_kafka_destroy(m->rk);
    }
    free(m->bootstrap);
    free(m);
}
