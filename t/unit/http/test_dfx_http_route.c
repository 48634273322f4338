/*
 * test_dfx_http_route.c: request paths -> endpoints, and the ingest query
 * parameters (ack, dry_run; unknown, repeated and bad values refused).
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
                        "ack, dry_run)");

    /* what is quoted back is cut and made printable */
    assert_int_equal(dfx_http_query_parse("x\"\x01yyyyyyyyyyyyyyyyyyyyyyyyyyy"
                                          "yyyyyyyyyy=1", &q, err,
                                          sizeof(err)), -1);
    /* 32 bytes quoted: "x", two replaced bytes, 29 "y" */
    assert_string_equal(err, "unknown query parameter \"x??yyyyyyyyyyyyyyyyy"
                        "yyyyyyyyyyyy...\" (known: ack, dry_run)");
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_route),
        cmocka_unit_test(test_query_ok),
        cmocka_unit_test(test_query_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
