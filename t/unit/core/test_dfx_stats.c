/*
 * test_dfx_stats.c: counter storage, label bounds, and the Prometheus
 * and JSON renderings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_schema.h"
#include "dfx_stats.h"

/* the stats only need the data-source names */
#define DFX_TEST_SCHEMA(var, n)  static const dfx_schema_t var = { .name = n }
DFX_TEST_SCHEMA(s0, "flow_log.l7_flow_log");
DFX_TEST_SCHEMA(s1, "flow_log.l4_flow_log");
DFX_TEST_SCHEMA(s2, "flow_metrics.network.1s");
DFX_TEST_SCHEMA(s3, "flow_metrics.network.1m");
DFX_TEST_SCHEMA(s4, "flow_metrics.network_map.1s");
DFX_TEST_SCHEMA(s5, "flow_metrics.network_map.1m");
DFX_TEST_SCHEMA(s6, "flow_metrics.application.1s");
DFX_TEST_SCHEMA(s7, "flow_metrics.application.1m");
DFX_TEST_SCHEMA(s8, "flow_metrics.application_map.1s");
DFX_TEST_SCHEMA(s9, "flow_metrics.application_map.1m");
DFX_TEST_SCHEMA(s10, "event.file_event");
DFX_TEST_SCHEMA(s11, "event.perf_event");
const dfx_schema_t *const  dfx_schemas[DFX_DS_COUNT] = {
    &s0, &s1, &s2, &s3, &s4, &s5, &s6, &s7, &s8, &s9, &s10, &s11,
};

static int
setup(void **state)
{
    (void) state;
    dfx_stats_reset();
    dfx_stats_set_exporters(2);
    return 0;
}

static void
test_add_get(void **state)
{
    (void) state;
    dfx_stats_add(DFX_STAT_records_received_total, -1, DFX_DS_L7_FLOW_LOG,
                  -1, 5);
    dfx_stats_add(DFX_STAT_records_received_total, -1, DFX_DS_L7_FLOW_LOG,
                  -1, 2);
    assert_int_equal(dfx_stats_get(DFX_STAT_records_received_total, -1,
                                   DFX_DS_L7_FLOW_LOG, -1), 7);
    assert_int_equal(dfx_stats_get(DFX_STAT_records_received_total, -1,
                                   DFX_DS_L4_FLOW_LOG, -1), 0);

    dfx_stats_add(DFX_STAT_exporter_records_inflight, 1, DFX_DS_FILE_EVENT,
                  -1, 3);
    dfx_stats_add(DFX_STAT_exporter_records_inflight, 1, DFX_DS_FILE_EVENT,
                  -1, -2);
    assert_int_equal(dfx_stats_get(DFX_STAT_exporter_records_inflight, 1,
                                   DFX_DS_FILE_EVENT, -1), 1);

    /* out-of-range labels are ignored, not written elsewhere */
    dfx_stats_add(DFX_STAT_records_received_total, -1, DFX_DS_COUNT, -1, 9);
    dfx_stats_add(DFX_STAT_exporter_ready, DFX_STATS_MAX_EXPORTERS, -1, -1,
                  9);
    assert_int_equal(dfx_stats_get(DFX_STAT_records_received_total, -1,
                                   DFX_DS_COUNT, -1), 0);

    dfx_stats_add(DFX_STAT_http_requests_total, -1, -1, 202, 4);
    dfx_stats_add(DFX_STAT_http_requests_total, -1, -1, 599, 1);
    assert_int_equal(dfx_stats_get(DFX_STAT_http_requests_total, -1, -1,
                                   202), 4);
    assert_int_equal(dfx_stats_get(DFX_STAT_http_requests_total, -1, -1,
                                   599), 1);
}

static void
test_prometheus(void **state)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    (void) state;
    dfx_stats_add(DFX_STAT_http_requests_total, -1, -1, 429, 3);
    dfx_stats_add(DFX_STAT_records_refused_total, -1, DFX_DS_L4_FLOW_LOG,
                  DFX_REASON_BUDGET, 10);
    dfx_stats_add(DFX_STAT_tag_filter_dropped_total, 1, DFX_DS_L7_FLOW_LOG,
                  DFX_REASON_GROUP0 + 2, 6);
    dfx_stats_set(DFX_STAT_exporter_ready, 0, -1, -1, 1);
    dfx_stats_set(DFX_STAT_dictionary_loaded, -1, -1, -1, 1);

    assert_int_equal(dfx_stats_prometheus(&b), 0);
    dfx_buf_putc(&b, '\0');

    assert_non_null(strstr(b.data,
        "# HELP dfexport_http_requests_total ingest HTTP requests answered, "
        "by status code\n# TYPE dfexport_http_requests_total counter\n"
        "dfexport_http_requests_total{code=\"429\"} 3\n"));
    assert_non_null(strstr(b.data,
        "dfexport_records_refused_total{data_source=\"flow_log.l4_flow_log\","
        "reason=\"budget\"} 10\n"));
    assert_non_null(strstr(b.data,
        "dfexport_tag_filter_dropped_total{exporter=\"1\",data_source="
        "\"flow_log.l7_flow_log\",reason=\"group_2\"} 6\n"));
    assert_non_null(strstr(b.data, "# TYPE dfexport_exporter_ready gauge\n"
                           "dfexport_exporter_ready{exporter=\"0\"} 1\n"
                           "dfexport_exporter_ready{exporter=\"1\"} 0\n"));
    assert_non_null(strstr(b.data, "\ndfexport_dictionary_loaded 1\n"));
    /* data-source series exist from the start, so rate() works */
    assert_non_null(strstr(b.data, "dfexport_records_received_total"
                           "{data_source=\"event.perf_event\"} 0\n"));
    /* exporters beyond the configured ones are not rendered */
    assert_null(strstr(b.data, "exporter=\"2\""));
    dfx_buf_free(&b);
}

static void
test_json(void **state)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    (void) state;
    dfx_stats_add(DFX_STAT_exporter_records_queued_total, 0,
                  DFX_DS_NETWORK_1M, -1, 12);
    dfx_stats_add(DFX_STAT_http_body_bytes_total, -1, -1, -1, 1000);

    dfx_buf_putc(&b, '{');
    assert_int_equal(dfx_stats_json(&b), 0);
    dfx_buf_putc(&b, '}');
    dfx_buf_putc(&b, '\0');
    assert_non_null(strstr(b.data, "{\"http_requests_total\":{},"
                           "\"http_body_bytes_total\":1000,"));
    assert_non_null(strstr(b.data, "\"exporter_records_queued_total\":"
                           "{\"0/flow_metrics.network.1m\":12}"));
    dfx_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test_setup(test_add_get, setup),
        cmocka_unit_test_setup(test_prometheus, setup),
        cmocka_unit_test_setup(test_json, setup),
    };

    return cmocka_run_group_tests_name("dfx_stats", tests, NULL, NULL);
}
