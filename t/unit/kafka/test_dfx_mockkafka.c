/*
 * test_dfx_mockkafka.c: contrib/mockkafka/dfx-mockkafka as a process:
 * bootstrap on stdout and in -f FILE, fault commands and their answers,
 * messages counted, end of input, SIGTERM, -q and -T.
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

#include "dfx_kafka_test.h"

#define TOOL  "contrib/mockkafka/dfx-mockkafka"
#define ENV   "DFX_MOCKKAFKA"

static void
assert_answer(dfx_test_proc_t *p, const char *cmd, const char *want)
{
    char  line[512];

    assert_int_equal(dfx_test_proc_send(p, cmd), 0);
    assert_int_equal(dfx_test_proc_line(p, line, sizeof(line), 10000), 0);
    if (strncmp(line, want, strlen(want)) != 0) {
        fail_msg("\"%s\": got \"%s\", want \"%s...\"", cmd, line, want);
    }
}

/* Produces n messages to topic with a plain librdkafka producer. */
static void
produce(const char *bootstrap, const char *topic, int n)
{
    rd_kafka_conf_t  *conf = rd_kafka_conf_new();
    rd_kafka_t       *rk;
    static char       one[] = "m";
    char              errstr[256];
    int               i;

    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap,
                                       errstr, sizeof(errstr)), 0);
    assert_int_equal(rd_kafka_conf_set(conf, "linger.ms", "1", errstr,
                                       sizeof(errstr)), 0);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    for (i = 0; i < n; i++) {
        assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                           RD_KAFKA_V_VALUE(one, 1),
                                           RD_KAFKA_V_MSGFLAGS(
                                               RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END), 0);
    }
    assert_int_equal(rd_kafka_flush(rk, 10000), 0);
    rd_kafka_destroy(rk);
}

static void
test_commands(void **state)
{
    dfx_test_proc_t  p;
    char             dir[64], file[128], bs[256], line[512];
    const char      *argv[] = { TOOL, "-n", "3", "-t", "dfx.pre:2", "-f",
                                file, "-T", "60", NULL };
    FILE            *f;

    (void) state;
    dfx_test_tmpdir(dir, sizeof(dir));
    snprintf(file, sizeof(file), "%s/bootstrap", dir);
    assert_int_equal(dfx_test_proc_start(&p, ENV, argv), 0);
    assert_int_equal(dfx_test_proc_line(&p, bs, sizeof(bs), 10000), 0);
    assert_non_null(strstr(bs, "127.0.0.1:"));
    assert_int_equal(strncmp(bs, "127.0.0.1:", 10), 0);

    f = fopen(file, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    assert_string_equal(line, bs);

    assert_answer(&p, "count dfx.pre", "0");
    produce(bs, "dfx.pre", 7);
    assert_answer(&p, "count dfx.pre", "7");

    assert_answer(&p, "down 1", "ok");
    assert_answer(&p, "up 1", "ok");
    assert_answer(&p, "rtt 2 5", "ok");
    assert_answer(&p, "rtt 2 0", "ok");
    assert_answer(&p, "topic dfx.new 3", "ok");
    assert_answer(&p, "count dfx.new", "0");
    /* the mock creates any topic a Metadata request names */
    assert_answer(&p, "count dfx.none", "0");
    assert_answer(&p, "topic dfx.none 2", "error: topic dfx.none: ");

    /* the next Produce request fails: a plain producer retries it */
    assert_answer(&p, "error 0 6 1", "ok");
    produce(bs, "dfx.new", 5);
    assert_answer(&p, "count dfx.new", "5");

    assert_answer(&p, "down 4", "error: no broker \"4\" (1..3)");
    assert_answer(&p, "rtt 1", "error: rtt takes 2 arguments");
    assert_answer(&p, "topic dfx.x zero", "error: partitions must be");
    assert_answer(&p, "error 0 6 0", "error: usage:");
    assert_answer(&p, "bogus", "error: unknown command \"bogus\"");
    /* an empty line gets no answer: the next one is quit's */
    assert_int_equal(dfx_test_proc_send(&p, ""), 0);
    assert_answer(&p, "quit", "ok");
    assert_int_equal(dfx_test_proc_wait(&p, 10000), 0);
    dfx_test_rmdir(dir);
}

static void
test_eof_and_signals(void **state)
{
    dfx_test_proc_t  p;
    char             bs[256];
    const char      *argv[] = { TOOL, "-T", "60", NULL };
    const char      *argq[] = { TOOL, "-q", "-T", "60", NULL };
    const char      *argt[] = { TOOL, "-T", "1", NULL };
    int              status;

    (void) state;
    /* end of input alone does not stop it; SIGTERM does */
    assert_int_equal(dfx_test_proc_start(&p, ENV, argv), 0);
    assert_int_equal(dfx_test_proc_line(&p, bs, sizeof(bs), 10000), 0);
    close(p.in);
    p.in = -1;
    dfx_test_sleep_ms(300);
    assert_true(dfx_test_proc_alive(&p));
    kill(p.pid, SIGTERM);
    status = dfx_test_proc_wait(&p, 10000);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* with -q it does */
    assert_int_equal(dfx_test_proc_start(&p, ENV, argq), 0);
    assert_int_equal(dfx_test_proc_line(&p, bs, sizeof(bs), 10000), 0);
    close(p.in);
    p.in = -1;
    status = dfx_test_proc_wait(&p, 10000);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* -T bounds its life */
    assert_int_equal(dfx_test_proc_start(&p, ENV, argt), 0);
    assert_int_equal(dfx_test_proc_line(&p, bs, sizeof(bs), 10000), 0);
    status = dfx_test_proc_wait(&p, 10000);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_bad_options(void **state)
{
    dfx_test_proc_t  p;
    const char      *argv[] = { TOOL, "-t", "nopartitions", NULL };
    int              status;

    (void) state;
    assert_int_equal(dfx_test_proc_start(&p, ENV, argv), 0);
    status = dfx_test_proc_wait(&p, 10000);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_eof_and_signals),
        cmocka_unit_test(test_bad_options),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
