/*
 * test_dfx_kafka_conf.c: exporter keys -> librdkafka properties, and the
 * errors dfexport -t reports for them (dfx_kafka_conf.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "dfx_kafka_int.h"
#include "dfx_kafka_test.h"
#include "dfx_log.h"

#define PATH  "ingester.exporters[3]"

static char  test_errors[4096];

static void
test_err(void *arg, const dfx_loc_t *loc, const char *fmt, ...)
{
    size_t   n = strlen(test_errors);
    va_list  ap;

    (void) arg;
    snprintf(test_errors + n, sizeof(test_errors) - n, "%u: ",
             loc != NULL ? loc->line : 0);
    n = strlen(test_errors);
    va_start(ap, fmt);
    vsnprintf(test_errors + n, sizeof(test_errors) - n, fmt, ap);
    va_end(ap);
    n = strlen(test_errors);
    snprintf(test_errors + n, sizeof(test_errors) - n, "\n");
}

static void
assert_prop(rd_kafka_conf_t *conf, const char *name, const char *want)
{
    char    buf[512];
    size_t  size = sizeof(buf);

    assert_int_equal(rd_kafka_conf_get(conf, name, buf, &size),
                     RD_KAFKA_CONF_OK);
    assert_string_equal(buf, want);
}

static dfx_conf_str_t  test_endpoints[2];

static void
test_set_str(dfx_conf_str_t *s, const char *v, uint32_t line)
{
    s->v = (char *) (uintptr_t) v;
    s->m.set = 1;
    s->m.loc = (dfx_loc_t) { "test.yaml", line, 9 };
}

static void
test_mapping(void **state)
{
    dfx_conf_exporter_t   ec;
    rd_kafka_conf_t      *conf;

    (void) state;
    dfx_test_exporter(&ec, 3, 2, 500);
    ec.compression.m.set = 0;               /* DeepFlow's snappy */
    test_set_str(&test_endpoints[0], "10.0.0.1:9092", 11);
    test_set_str(&test_endpoints[1], "kafka-b:9093", 12);
    ec.endpoints.v = test_endpoints;
    ec.endpoints.n = 2;
    ec.endpoints.m.set = 1;
    ec.batch_size.v = 200;
    ec.flush_timeout.v = 2;
    ec.message_timeout.v = 30;
    ec.message_timeout.m.set = 1;

    test_errors[0] = '\0';
    conf = dfx_kafka_conf_build(&ec, NULL, test_err, NULL);
    assert_non_null(conf);
    assert_string_equal(test_errors, "");
    assert_prop(conf, "bootstrap.servers", "10.0.0.1:9092,kafka-b:9093");
    assert_prop(conf, "batch.num.messages", "200");
    assert_prop(conf, "linger.ms", "2000");
    assert_prop(conf, "acks", "-1");
    assert_prop(conf, "enable.idempotence", "true");
    assert_prop(conf, "compression.codec", "snappy");
    assert_prop(conf, "message.timeout.ms", "30000");
    assert_prop(conf, "queue.buffering.max.messages", "1000");
    assert_prop(conf, "queue.buffering.max.kbytes", "2147483647");
    assert_prop(conf, "security.protocol", "plaintext");
    rd_kafka_conf_destroy(conf);

    /* DeepFlow's zeros are its defaults; the embedded cluster overrides
     * the endpoints */
    ec.queue_size.v = 0;
    ec.batch_size.v = 0;
    ec.flush_timeout.v = 0;
    ec.message_timeout.m.set = 0;
    ec.compression.v = DFX_COMPRESSION_ZSTD;
    ec.compression.m.set = 1;
    conf = dfx_kafka_conf_build(&ec, "127.0.0.1:4242", test_err, NULL);
    assert_non_null(conf);
    assert_prop(conf, "bootstrap.servers", "127.0.0.1:4242");
    assert_prop(conf, "batch.num.messages", "1024");
    assert_prop(conf, "linger.ms", "1000");
    assert_prop(conf, "message.timeout.ms", "60000");
    assert_prop(conf, "queue.buffering.max.messages", "200000");
    assert_prop(conf, "compression.codec", "zstd");
    rd_kafka_conf_destroy(conf);
    assert_int_equal(dfx_kafka_conf_queue_count(&ec), 2);
    ec.queue_count.v = 0;
    assert_int_equal(dfx_kafka_conf_queue_count(&ec), 4);
    assert_int_equal(dfx_kafka_conf_queue_size(&ec), 100000);

    /* no endpoints at all */
    ec.endpoints.n = 0;
    test_errors[0] = '\0';
    assert_null(dfx_kafka_conf_build(&ec, NULL, test_err, NULL));
    assert_string_equal(test_errors,
                        "10: endpoints: at least one broker is needed\n");
}

static void
test_security(void **state)
{
    dfx_conf_exporter_t   ec;
    rd_kafka_conf_t      *conf;

    (void) state;
    dfx_test_exporter(&ec, 3, 1, 10);
    ec.sasl.enabled.v = 1;
    ec.sasl.security_protocol.v = DFX_KAFKA_SASL_SSL;
    test_set_str(&ec.sasl.username, "alice", 20);
    test_set_str(&ec.sasl.password, "s3cret", 21);
    test_set_str(&ec.tls_ca_file, "/etc/ssl/ca.pem", 22);
    test_set_str(&ec.tls_cert_file, "/etc/ssl/me.pem", 23);
    test_set_str(&ec.tls_key_file, "/etc/ssl/me.key", 24);

    test_errors[0] = '\0';
    conf = dfx_kafka_conf_build(&ec, "127.0.0.1:1", test_err, NULL);
    assert_non_null(conf);
    assert_prop(conf, "security.protocol", "sasl_ssl");
    assert_prop(conf, "sasl.mechanisms", "PLAIN");
    assert_prop(conf, "sasl.username", "alice");
    assert_prop(conf, "sasl.password", "s3cret");
    assert_prop(conf, "ssl.ca.location", "/etc/ssl/ca.pem");
    assert_prop(conf, "ssl.certificate.location", "/etc/ssl/me.pem");
    assert_prop(conf, "ssl.key.location", "/etc/ssl/me.key");
    rd_kafka_conf_destroy(conf);

    /* SASL without TLS cannot use TLS files */
    ec.sasl.security_protocol.v = DFX_KAFKA_SASL_PLAINTEXT;
    ec.sasl.security_protocol.m.set = 1;
    ec.sasl.security_protocol.m.loc = (dfx_loc_t) { "test.yaml", 19, 30 };
    assert_null(dfx_kafka_conf_build(&ec, "127.0.0.1:1", test_err, NULL));
    assert_non_null(strstr(test_errors, "19: sasl.security-protocol: the "
                           "tls-* files need TLS, got \"SASL_PLAINTEXT\""));

    memset(&ec.tls_ca_file, 0, sizeof(ec.tls_ca_file));
    memset(&ec.tls_cert_file, 0, sizeof(ec.tls_cert_file));
    memset(&ec.tls_key_file, 0, sizeof(ec.tls_key_file));
    conf = dfx_kafka_conf_build(&ec, "127.0.0.1:1", test_err, NULL);
    assert_non_null(conf);
    assert_prop(conf, "security.protocol", "sasl_plaintext");
    rd_kafka_conf_destroy(conf);

    /* TLS alone */
    ec.sasl.enabled.v = 0;
    test_set_str(&ec.tls_ca_file, "/etc/ssl/ca.pem", 22);
    conf = dfx_kafka_conf_build(&ec, "127.0.0.1:1", test_err, NULL);
    assert_non_null(conf);
    assert_prop(conf, "security.protocol", "ssl");
    rd_kafka_conf_destroy(conf);
}

static void
test_passthrough_last(void **state)
{
    dfx_conf_exporter_t   ec;
    rd_kafka_conf_t      *conf;

    (void) state;
    dfx_test_exporter(&ec, 3, 1, 10);
    dfx_test_rdk(&ec, "linger.ms", "7", 40);
    dfx_test_rdk(&ec, "compression.codec", "lz4", 41);
    dfx_test_rdk(&ec, "socket.keepalive.enable", "true", 42);
    conf = dfx_kafka_conf_build(&ec, "127.0.0.1:1", test_err, NULL);
    assert_non_null(conf);
    assert_prop(conf, "linger.ms", "7");
    assert_prop(conf, "compression.codec", "lz4");
    assert_prop(conf, "socket.keepalive.enable", "true");
    rd_kafka_conf_destroy(conf);
    dfx_test_exporter_free(&ec);
}

static void
test_check_bad_keys(void **state)
{
    dfx_conf_exporter_t  ec;
    dfx_conf_ctx_t       cf;

    (void) state;
    dfx_test_exporter(&ec, 3, 1, 10);
    dfx_test_rdk(&ec, "no.such.property", "1", 41);
    dfx_test_rdk(&ec, "linger.ms", "soon", 42);
    dfx_test_rdk(&ec, "acks", "all", 43);
    dfx_test_ctx_init(&cf, PATH);

    /* every error, each at its place: the key when librdkafka does not
     * know it, the value when it refuses the value */
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), -1);
    assert_int_equal(cf.errors, 2);
    assert_non_null(strstr(cf.text,
        "test.yaml:41:7: " PATH ".librdkafka.no.such.property: "
        "No such configuration property: \"no.such.property\"\n"));
    assert_non_null(strstr(cf.text,
        "test.yaml:42:20: " PATH ".librdkafka.linger.ms: "
        "Invalid value for configuration property "
        "\"queue.buffering.max.ms\", got \"soon\"\n"));
    dfx_test_exporter_free(&ec);

    /* a DeepFlow key out of librdkafka's range names the DeepFlow key */
    dfx_test_exporter(&ec, 3, 1, 10);
    ec.batch_size.v = 2000000;
    ec.batch_size.m.set = 1;
    ec.batch_size.m.loc = (dfx_loc_t) { "test.yaml", 15, 17 };
    dfx_test_ctx_init(&cf, PATH);
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), -1);
    assert_int_equal(cf.errors, 1);
    assert_non_null(strstr(cf.text, "test.yaml:15:17: " PATH ".batch-size: "
                           "Configuration property \"batch.num.messages\" "
                           "value 2000000 is outside allowed range"));
}

static void
test_check_across_properties(void **state)
{
    dfx_conf_exporter_t  ec;
    dfx_conf_ctx_t       cf;

    (void) state;
    /* each value is fine alone; librdkafka refuses the combination */
    dfx_test_exporter(&ec, 3, 1, 10);
    dfx_test_rdk(&ec, "acks", "1", 44);
    dfx_test_ctx_init(&cf, PATH);
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), -1);
    assert_int_equal(cf.errors, 1);
    assert_non_null(strstr(cf.text, "test.yaml:30:5: " PATH ": librdkafka "
                           "refuses this configuration: "));
    assert_non_null(strstr(cf.text, "acks"));
    dfx_test_exporter_free(&ec);

    /* SASL PLAIN with no user */
    dfx_test_exporter(&ec, 3, 1, 10);
    ec.sasl.enabled.v = 1;
    ec.sasl.security_protocol.v = DFX_KAFKA_SASL_PLAINTEXT;
    dfx_test_ctx_init(&cf, PATH);
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), -1);
    assert_non_null(strstr(cf.text, "test.yaml:10:5: " PATH ": librdkafka "
                           "refuses this configuration: "));
    assert_non_null(strstr(cf.text, "sasl.username"));

    /* a good one passes, quietly */
    test_set_str(&ec.sasl.username, "u", 20);
    test_set_str(&ec.sasl.password, "p", 21);
    dfx_test_ctx_init(&cf, PATH);
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), 0);
    assert_int_equal(cf.errors, 0);
    assert_int_equal(cf.notices, 0);
}

/* -t must not talk to brokers, even ones named in librdkafka: */
static void
test_check_stays_offline(void **state)
{
    dfx_conf_exporter_t   ec;
    dfx_conf_ctx_t        cf;
    struct sockaddr_in    sin;
    socklen_t             len = sizeof(sin);
    struct pollfd         pfd;
    char                  addr[64];
    int                   fd;

    (void) state;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd != -1);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *) &sin, &len), 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));

    dfx_test_exporter(&ec, 3, 1, 10);
    test_set_str(&test_endpoints[0], addr, 11);
    ec.endpoints.v = test_endpoints;
    ec.endpoints.n = 1;
    dfx_test_rdk(&ec, "bootstrap.servers", addr, 45);
    dfx_test_ctx_init(&cf, PATH);
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), 0);

    pfd.fd = fd;
    pfd.events = POLLIN;
    assert_int_equal(poll(&pfd, 1, 300), 0);
    close(fd);
    dfx_test_exporter_free(&ec);
}

static void
test_check_tls_files(void **state)
{
    dfx_conf_exporter_t  ec;
    dfx_conf_ctx_t       cf;
    char                 dir[64], path[128];
    FILE                *f;

    (void) state;
    dfx_test_exporter(&ec, 3, 1, 10);
    ec.sasl.enabled.v = 1;
    ec.sasl.security_protocol.v = DFX_KAFKA_SASL_SSL;
    test_set_str(&ec.sasl.username, "u", 20);
    test_set_str(&ec.sasl.password, "p", 21);
    test_set_str(&ec.tls_ca_file, "/nonexistent/dfx-ca.pem", 22);
    dfx_test_ctx_init(&cf, PATH);
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), -1);
    assert_string_equal(cf.text, "test.yaml:22:9: " PATH ".tls-ca-file: "
                        "cannot read \"/nonexistent/dfx-ca.pem\": No such "
                        "file or directory\n");

    /* readable, but not a certificate: librdkafka's own check says so */
    dfx_test_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/ca.pem", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a certificate\n", f);
    fclose(f);
    test_set_str(&ec.tls_ca_file, path, 22);
    dfx_test_ctx_init(&cf, PATH);
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), -1);
    assert_non_null(strstr(cf.text, "librdkafka refuses this configuration"));
    assert_non_null(strstr(cf.text, "ssl.ca.location"));
    dfx_test_rmdir(dir);
}

static void
test_create_refuses(void **state)
{
    dfx_conf_exporter_t   ec;
    dfx_test_loop_t       loop;
    const char           *topics[1] = { "t" };

    (void) state;
    dfx_test_log_capture();
    dfx_test_loop_start(&loop);
    dfx_test_exporter(&ec, 3, 1, 10);
    dfx_test_rdk(&ec, "no.such.property", "1", 41);
    assert_null(dfx_kafka_create(&ec, "127.0.0.1:1", topics, 1, loop.base));
    assert_true(dfx_test_log_has("error: exporter 3: test.yaml:41: "
                                 "librdkafka.no.such.property: No such "
                                 "configuration property"));
    dfx_test_exporter_free(&ec);
    dfx_test_loop_stop(&loop);
    dfx_test_log_release();
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_security),
        cmocka_unit_test(test_passthrough_last),
        cmocka_unit_test(test_check_bad_keys),
        cmocka_unit_test(test_check_across_properties),
        cmocka_unit_test(test_check_stays_offline),
        cmocka_unit_test(test_check_tls_files),
        cmocka_unit_test(test_create_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
