/*
 * test_dfx_http_route.c: request paths -> endpoints, and the ingest query
 * parameters (ack, dry_run, format, tz; unknown, repeated and bad values
 * refused).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_conf.h"
#include "dfx_http_route.h"

static void
test_route(void **state)
{
    dfx_str_t  ds = dfx_null_string;

    (void) state;

    assert_int_equal(dfx_http_route("/v1/ingest/flow_log.l7_flow_log", &ds),
                     DFX_HTTP_EP_INGEST);
    assert_int_equal(ds.len, strlen("flow_log.l7_flow_log"));
    assert_memory_equal(ds.data, "flow_log.l7_flow_log", ds.len);

    assert_int_equal(dfx_http_route("/v1/ingest/", &ds), DFX_HTTP_EP_INGEST);
    assert_int_equal(ds.len, 0);

    assert_int_equal(dfx_http_route("/healthz", &ds), DFX_HTTP_EP_HEALTHZ);
    assert_int_equal(dfx_http_route("/readyz", &ds), DFX_HTTP_EP_READYZ);
    assert_int_equal(dfx_http_route("/metrics", &ds), DFX_HTTP_EP_METRICS);
    assert_int_equal(dfx_http_route("/stats", &ds), DFX_HTTP_EP_STATS);
    assert_int_equal(dfx_http_route("/v1/dictionary", &ds),
                     DFX_HTTP_EP_DICTIONARY);

    assert_int_equal(dfx_http_route("/", &ds), DFX_HTTP_EP_NONE);
    assert_int_equal(dfx_http_route("", &ds), DFX_HTTP_EP_NONE);
    assert_int_equal(dfx_http_route(NULL, &ds), DFX_HTTP_EP_NONE);
    assert_int_equal(dfx_http_route("/v1/ingest", &ds), DFX_HTTP_EP_NONE);
    assert_int_equal(dfx_http_route("/healthz/", &ds), DFX_HTTP_EP_NONE);
    assert_int_equal(dfx_http_route("/v2/ingest/x", &ds), DFX_HTTP_EP_NONE);
}

static void
test_query_ok(void **state)
{
    dfx_http_query_t  q;
    char              err[160];

    (void) state;

    assert_int_equal(dfx_http_query_parse(NULL, &q, err, sizeof(err)), 0);
    assert_int_equal(q.ack, -1);
    assert_int_equal(q.dry_run, 0);

    assert_int_equal(dfx_http_query_parse("", &q, err, sizeof(err)), 0);
    assert_int_equal(q.ack, -1);

    assert_int_equal(dfx_http_query_parse("ack=kafka", &q, err, sizeof(err)),
                     0);
    assert_int_equal(q.ack, DFX_ACK_KAFKA);
    assert_int_equal(q.dry_run, 0);

    assert_int_equal(dfx_http_query_parse("ack=queued&dry_run=1", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.ack, DFX_ACK_QUEUED);
    assert_int_equal(q.dry_run, 1);

    assert_int_equal(dfx_http_query_parse("dry_run", &q, err, sizeof(err)),
                     0);
    assert_int_equal(q.dry_run, 1);
    assert_int_equal(dfx_http_query_parse("dry_run=true&", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.dry_run, 1);
    assert_int_equal(dfx_http_query_parse("&&dry_run=0", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.dry_run, 0);
    assert_int_equal(dfx_http_query_parse("dry_run=false", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.dry_run, 0);
}

static void
test_query_bad(void **state)
{
    dfx_http_query_t  q;
    char              err[160];

    (void) state;

    assert_int_equal(dfx_http_query_parse("ack=all", &q, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "query parameter \"ack\" must be \"queued\" or "
                        "\"kafka\", got \"all\"");

    assert_int_equal(dfx_http_query_parse("ack", &q, err, sizeof(err)), -1);
    assert_int_equal(dfx_http_query_parse("ack=", &q, err, sizeof(err)), -1);
    assert_int_equal(dfx_http_query_parse("ack=Kafka", &q, err, sizeof(err)),
                     -1);

    assert_int_equal(dfx_http_query_parse("ack=kafka&ack=queued", &q, err,
                                          sizeof(err)), -1);
    assert_string_equal(err, "query parameter \"ack\" given twice");

    assert_int_equal(dfx_http_query_parse("dry_run=2", &q, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "query parameter \"dry_run\" must be 1 or 0, "
                        "got \"2\"");
    assert_int_equal(dfx_http_query_parse("dry_run&dry_run", &q, err,
                                          sizeof(err)), -1);

    assert_int_equal(dfx_http_query_parse("dryrun=1", &q, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "unknown query parameter \"dryrun\" (known: "
                        "ack, dry_run, pretty, format, tz)");

    /* what is quoted back is cut and made printable */
    assert_int_equal(dfx_http_query_parse("x\"\x01yyyyyyyyyyyyyyyyyyyyyyyyyyy"
                                          "yyyyyyyyyy=1", &q, err,
                                          sizeof(err)), -1);
    /* 32 bytes quoted: "x", two replaced bytes, 29 "y" */
    assert_string_equal(err, "unknown query parameter \"x??yyyyyyyyyyyyyyyyy"
                        "yyyyyyyyyyyy...\" (known: ack, dry_run, pretty, "
                        "format, tz)");
}

/* pretty=1|0|true|false, bare "pretty" means 1. */
static void
test_query_pretty(void **state)
{
    dfx_http_query_t  q;
    char              err[160];

    (void) state;
    assert_int_equal(dfx_http_query_parse("dry_run=1&pretty=1", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.pretty, 1);
    assert_int_equal(dfx_http_query_parse("dry_run&pretty", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.pretty, 1);
    assert_int_equal(dfx_http_query_parse("pretty=0", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.pretty, 0);
    assert_int_equal(dfx_http_query_parse("pretty=2", &q, err,
                                          sizeof(err)), -1);
    assert_string_equal(err, "query parameter \"pretty\" must be 1 or 0, "
                        "got \"2\"");
    assert_int_equal(dfx_http_query_parse("pretty&pretty=1", &q, err,
                                          sizeof(err)), -1);
}

/* format=json|clickhouse and tz=ZONE (with format=clickhouse only). */
static void
test_query_format(void **state)
{
    dfx_http_query_t  q;
    char              err[160], long_tz[128];

    (void) state;

    assert_int_equal(dfx_http_query_parse(NULL, &q, err, sizeof(err)), 0);
    assert_int_equal(q.format, DFX_HTTP_FORMAT_JSON);
    assert_string_equal(q.tz, "");
    assert_int_equal(dfx_http_query_parse("format=json", &q, err,
                                          sizeof(err)), 0);
    assert_int_equal(q.format, DFX_HTTP_FORMAT_JSON);
    assert_int_equal(dfx_http_query_parse("format=clickhouse&ack=kafka", &q,
                                          err, sizeof(err)), 0);
    assert_int_equal(q.format, DFX_HTTP_FORMAT_CLICKHOUSE);
    assert_int_equal(q.ack, DFX_ACK_KAFKA);
    assert_string_equal(q.tz, "");

    /* tz before or after format, plain or percent-encoded */
    assert_int_equal(dfx_http_query_parse("tz=Europe/Berlin&format=clickhouse",
                                          &q, err, sizeof(err)), 0);
    assert_string_equal(q.tz, "Europe/Berlin");
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz=Asia%2fShang"
                                          "hai&dry_run", &q, err,
                                          sizeof(err)), 0);
    assert_string_equal(q.tz, "Asia/Shanghai");
    assert_int_equal(q.dry_run, 1);
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz=Etc%2FGMT%2B5",
                                          &q, err, sizeof(err)), 0);
    assert_string_equal(q.tz, "Etc/GMT+5");

    assert_int_equal(dfx_http_query_parse("format=csv", &q, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "query parameter \"format\" must be \"json\" "
                        "or \"clickhouse\", got \"csv\"");
    assert_int_equal(dfx_http_query_parse("format", &q, err, sizeof(err)),
                     -1);
    assert_int_equal(dfx_http_query_parse("format=ClickHouse", &q, err,
                                          sizeof(err)), -1);
    assert_int_equal(dfx_http_query_parse("format=json&format=clickhouse", &q,
                                          err, sizeof(err)), -1);
    assert_string_equal(err, "query parameter \"format\" given twice");

    assert_int_equal(dfx_http_query_parse("tz=UTC", &q, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "query parameter \"tz\" is only allowed with "
                        "format=clickhouse");
    assert_int_equal(dfx_http_query_parse("format=json&tz=UTC", &q, err,
                                          sizeof(err)), -1);
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz=", &q, err,
                                          sizeof(err)), -1);
    assert_string_equal(err, "query parameter \"tz\" must name a time zone, "
                        "got \"\"");
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz", &q, err,
                                          sizeof(err)), -1);
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz=a%2", &q, err,
                                          sizeof(err)), -1);
    assert_string_equal(err, "query parameter \"tz\" must name a time zone, "
                        "got \"a%2\"");
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz=a%00b", &q,
                                          err, sizeof(err)), -1);
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz=a%zzb", &q,
                                          err, sizeof(err)), -1);
    assert_int_equal(dfx_http_query_parse("format=clickhouse&tz=UTC&tz=UTC",
                                          &q, err, sizeof(err)), -1);
    assert_string_equal(err, "query parameter \"tz\" given twice");
    /* longer than any zone name */
    memset(long_tz, 'a', sizeof(long_tz));
    memcpy(long_tz, "format=clickhouse&tz=", 21);
    long_tz[21 + DFX_TZ_NAME_MAX + 1] = '\0';
    assert_int_equal(dfx_http_query_parse(long_tz, &q, err, sizeof(err)), -1);
    long_tz[21 + DFX_TZ_NAME_MAX] = '\0';
    assert_int_equal(dfx_http_query_parse(long_tz, &q, err, sizeof(err)), 0);
    assert_int_equal(strlen(q.tz), DFX_TZ_NAME_MAX);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_route),
        cmocka_unit_test(test_query_ok),
        cmocka_unit_test(test_query_bad),
        cmocka_unit_test(test_query_pretty),
        cmocka_unit_test(test_query_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
