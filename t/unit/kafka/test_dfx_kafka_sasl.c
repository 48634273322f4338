/*
 * test_dfx_kafka_sasl.c: SASL_SSL against t/fixtures/dfx-saslfixture: a
 * producer that trusts the fixture's CA completes TLS and sends the right
 * PLAIN credentials; one that trusts another CA refuses the handshake,
 * sends nothing, and the log carries the SASL_PLAINTEXT hint.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "dfx_kafka_int.h"
#include "dfx_kafka_test.h"
#include "dfx_log.h"

#define FIXTURE  "t/fixtures/dfx-saslfixture"
#define ENV      "DFX_SASLFIXTURE"

typedef struct {
    dfx_test_proc_t  proc;
    char             dir[64];
    char             creds[128];
    char             ca[128];
    char             other_ca[128];
    char             bootstrap[64];
} test_fixture_t;

static void
fixture_start(test_fixture_t *f)
{
    const char      *argv[] = { FIXTURE, "-d", f->dir, "-o", f->creds,
                                "-T", "60", NULL };

    dfx_test_tmpdir(f->dir, sizeof(f->dir));
    snprintf(f->creds, sizeof(f->creds), "%s/creds", f->dir);
    snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
    snprintf(f->other_ca, sizeof(f->other_ca), "%s/other-ca.pem", f->dir);
    assert_int_equal(dfx_test_proc_start(&f->proc, ENV, argv), 0);
    assert_int_equal(dfx_test_proc_line(&f->proc, f->bootstrap,
                                        sizeof(f->bootstrap), 10000), 0);
    assert_int_equal(strncmp(f->bootstrap, "127.0.0.1:", 10), 0);
}

static void
fixture_stop(test_fixture_t *f)
{
    int  status;

    kill(f->proc.pid, SIGTERM);
    status = dfx_test_proc_wait(&f->proc, 10000);
    assert_true(WIFSIGNALED(status) || WIFEXITED(status));
    dfx_test_rmdir(f->dir);
}

/* Reads the fixture's lines until one starts with want; 0 when seen.
 * Every line read is appended to seen. */
static int
fixture_expect(test_fixture_t *f, const char *want, int timeout_ms,
               char *seen, size_t size)
{
    int64_t  deadline = dfx_test_now_ms() + timeout_ms;
    char     line[512];
    size_t   n;

    while (dfx_test_now_ms() < deadline) {
        if (dfx_test_proc_line(&f->proc, line, sizeof(line),
                               (int) (deadline - dfx_test_now_ms())) != 0)
        {
            continue;
        }
        n = strlen(seen);
        snprintf(seen + n, size - n, "%s\n", line);
        if (strncmp(line, want, strlen(want)) == 0) {
            return 0;
        }
    }
    return -1;
}

static void
sasl_exporter(dfx_conf_exporter_t *ec, const char *ca)
{
    dfx_test_exporter(ec, 5, 1, 10);
    ec->sasl.enabled.v = 1;
    ec->sasl.security_protocol.v = DFX_KAFKA_SASL_SSL;
    ec->sasl.username.v = (char *) (uintptr_t) "dfx-user";
    ec->sasl.username.m.set = 1;
    ec->sasl.password.v = (char *) (uintptr_t) "p@ss word:1";
    ec->sasl.password.m.set = 1;
    ec->tls_ca_file.v = (char *) (uintptr_t) ca;
    ec->tls_ca_file.m.set = 1;
}

static void
test_sasl_ssl_credentials(void **state)
{
    test_fixture_t        f;
    dfx_conf_exporter_t   ec;
    dfx_conf_ctx_t        cf;
    dfx_test_loop_t       loop;
    dfx_kafka_t          *k;
    const char           *topics[1] = { "dfx.test.sasl" };
    char                  seen[4096] = "", creds[256];
    FILE                 *fp;
    size_t                n;

    (void) state;
    fixture_start(&f);
    sasl_exporter(&ec, f.ca);

    /* the check loads the CA as the producer will */
    dfx_test_ctx_init(&cf, "ingester.exporters[5]");
    assert_int_equal(dfx_kafka_conf_check(&cf, &ec), 0);

    dfx_test_loop_start(&loop);
    k = dfx_kafka_create(&ec, f.bootstrap, topics, 1, loop.base);
    assert_non_null(k);
    if (fixture_expect(&f, "sasl-plain", 15000, seen, sizeof(seen)) != 0) {
        fail_msg("no credentials seen; the fixture said:\n%s", seen);
    }
    assert_non_null(strstr(seen, "tls-ok\n"));
    assert_non_null(strstr(seen, "sasl-handshake PLAIN\n"));
    assert_non_null(strstr(seen, "sasl-plain dfx-user\n"));

    fp = fopen(f.creds, "r");
    assert_non_null(fp);
    n = fread(creds, 1, sizeof(creds) - 1, fp);
    creds[n] = '\0';
    fclose(fp);
    assert_string_equal(creds, "dfx-user\np@ss word:1\n");

    dfx_kafka_destroy(k, 0);
    dfx_test_loop_stop(&loop);
    fixture_stop(&f);
}

static int
test_hinted(void *arg)
{
    (void) arg;
    return dfx_test_log_has("hint: the TLS handshake with the broker failed");
}

static void
test_sasl_ssl_wrong_ca(void **state)
{
    test_fixture_t        f;
    dfx_conf_exporter_t   ec;
    dfx_test_loop_t       loop;
    dfx_kafka_t          *k;
    const char           *topics[1] = { "dfx.test.sasl" };
    char                  seen[4096] = "";

    (void) state;
    dfx_test_log_capture();
    fixture_start(&f);
    sasl_exporter(&ec, f.other_ca);

    dfx_test_loop_start(&loop);
    k = dfx_kafka_create(&ec, f.bootstrap, topics, 1, loop.base);
    assert_non_null(k);
    if (fixture_expect(&f, "tls-failed", 15000, seen, sizeof(seen)) != 0) {
        fail_msg("the handshake did not fail; the fixture said:\n%s", seen);
    }
    assert_true(dfx_test_wait(test_hinted, NULL, 15000));
    assert_true(dfx_test_log_has("error: exporter 5 producer 0: "));
    assert_true(dfx_test_log_has("certificate verify failed"));
    assert_false(dfx_kafka_ready(k));
    dfx_kafka_destroy(k, 0);
    dfx_test_loop_stop(&loop);

    /* nothing went past TLS */
    (void) fixture_expect(&f, "sasl", 300, seen, sizeof(seen));
    assert_null(strstr(seen, "tls-ok"));
    assert_null(strstr(seen, "sasl"));
    assert_int_equal(access(f.creds, F_OK), -1);
    /* the hint is said once per exporter */
    assert_null(strstr(strstr(dfx_test_log_text(), "hint: ") + 1, "hint: "));

    fixture_stop(&f);
    dfx_test_log_release();
}

/* DeepFlow's SASL_SSL was SASL without TLS: pointed at such a listener,
 * dfexport's real TLS fails, and the log says what to change. */
static void
test_sasl_ssl_to_plaintext_listener(void **state)
{
    dfx_test_mock_t       mock;
    dfx_conf_exporter_t   ec;
    dfx_test_loop_t       loop;
    dfx_kafka_t          *k;
    const char           *topics[1] = { "dfx.test.sasl" };

    (void) state;
    dfx_test_log_capture();
    dfx_test_mock_start(&mock, 1);
    dfx_test_exporter(&ec, 5, 1, 10);
    ec.sasl.enabled.v = 1;
    ec.sasl.security_protocol.v = DFX_KAFKA_SASL_SSL;
    ec.sasl.username.v = (char *) (uintptr_t) "dfx-user";
    ec.sasl.password.v = (char *) (uintptr_t) "secret";

    dfx_test_loop_start(&loop);
    k = dfx_kafka_create(&ec, mock.bootstrap, topics, 1, loop.base);
    assert_non_null(k);
    assert_true(dfx_test_wait(test_hinted, NULL, 15000));
    assert_true(dfx_test_log_has("may need sasl.security-protocol: "
                                 "SASL_PLAINTEXT"));
    assert_false(dfx_kafka_ready(k));
    dfx_kafka_destroy(k, 0);
    dfx_test_loop_stop(&loop);
    dfx_test_mock_stop(&mock);
    dfx_test_log_release();
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_sasl_ssl_credentials),
        cmocka_unit_test(test_sasl_ssl_wrong_ca),
        cmocka_unit_test(test_sasl_ssl_to_plaintext_listener),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
