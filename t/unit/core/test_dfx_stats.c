/*
 * test_dfx_stats.c: counter storage, label bounds, the series that exist
 * at 0 (reason sets, declared scope), and the Prometheus and JSON
 * renderings with build_info and the process metrics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_process.h"
#include "dfx_schema.h"
#include "dfx_stats.h"
#include "dfx_version.h"

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
    dfx_stats_scope_begin();
    dfx_stats_declare_series(0, -1);
    dfx_stats_declare_series(1, -1);
    dfx_stats_scope_commit();
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
        "dfexport_http_requests_total{code=\"200\"} 0\n"));
    assert_non_null(strstr(b.data,
        "\ndfexport_http_requests_total{code=\"429\"} 3\n"));
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

/* Renders the statistics into a NUL-terminated buffer. */
static char *
render(dfx_buf_t *b)
{
    b->len = 0;
    assert_int_equal(dfx_stats_prometheus(b), 0);
    dfx_buf_putc(b, '\0');
    return b->data;
}

static void
test_zero_series(void **state)
{
    dfx_buf_t   b = DFX_BUF_INIT;
    const char  *m;

    (void) state;
    m = render(&b);
    /* of scope ALL: every code, every reason of the set, and no other */
    assert_non_null(strstr(m, "dfexport_http_requests_total{code=\"200\"} "
                           "0\n"));
    assert_non_null(strstr(m, "dfexport_http_requests_total{code=\"other\"} "
                           "0\n"));
    assert_non_null(strstr(m, "dfexport_records_refused_total{data_source="
                           "\"event.perf_event\",reason=\"shutting_down\"} "
                           "0\n"));
    assert_null(strstr(m, "dfexport_records_refused_total{data_source="
                        "\"event.perf_event\",reason=\"ok\"}"));
    assert_non_null(strstr(m, "dfexport_config_reloads_total{reason=\"ok\"} 0\n"
                           "dfexport_config_reloads_total{reason=\"error\"} "
                           "0\n"));
    assert_non_null(strstr(m, "dfexport_dictionary_loads_total{reason="
                           "\"error\"} 0\n"));
    assert_null(strstr(m, "dfexport_config_reloads_total{reason=\"budget\"}"));
    /* of scope CONF: nothing before a configuration declares it */
    assert_null(strstr(m, "exporter=\""));
    assert_null(strstr(m, "dfexport_clickhouse_rows_total{"));
    assert_null(strstr(m, "dfexport_clickhouse_errors_total{"));

    dfx_stats_scope_begin();
    dfx_stats_declare_series(1, -1);
    dfx_stats_declare_series(1, DFX_DS_L7_FLOW_LOG);
    dfx_stats_declare(DFX_STAT_tag_filter_dropped_total, 1,
                      DFX_DS_L7_FLOW_LOG, DFX_REASON_GROUP0 + 1);
    dfx_stats_declare_series(-1, DFX_DS_NETWORK_1M);
    dfx_stats_scope_commit();
    m = render(&b);
    assert_non_null(strstr(m, "dfexport_exporter_ready{exporter=\"1\"} 0\n"));
    assert_null(strstr(m, "dfexport_exporter_ready{exporter=\"0\"}"));
    assert_non_null(strstr(m, "dfexport_exporter_records_inflight{exporter="
                           "\"1\",data_source=\"flow_log.l7_flow_log\"} 0\n"));
    assert_non_null(strstr(m, "dfexport_exporter_records_failed_total{"
                           "exporter=\"1\",data_source="
                           "\"flow_log.l7_flow_log\"} 0\n"));
    assert_null(strstr(m, "data_source=\"flow_log.l4_flow_log\",reason="
                        "\"group"));
    assert_null(strstr(m, "exporter=\"1\",data_source="
                        "\"flow_log.l4_flow_log\""));
    /* tag filters: the declared rule only, never another set's reason */
    assert_non_null(strstr(m, "dfexport_tag_filter_dropped_total{exporter="
                           "\"1\",data_source=\"flow_log.l7_flow_log\","
                           "reason=\"group_1\"} 0\n"));
    assert_null(strstr(m, "reason=\"group_0\""));
    assert_null(strstr(m, "dfexport_tag_filter_dropped_total{exporter="
                        "\"1\",data_source=\"flow_log.l7_flow_log\","
                        "reason=\"budget\"}"));
    /* ClickHouse: the followed data source, with every ClickHouse reason */
    assert_non_null(strstr(m, "dfexport_clickhouse_rows_total{data_source="
                           "\"flow_metrics.network.1m\"} 0\n"));
    assert_non_null(strstr(m, "dfexport_clickhouse_errors_total{data_source="
                           "\"flow_metrics.network.1m\",reason=\"connect\"} "
                           "0\n"));
    assert_non_null(strstr(m, "dfexport_clickhouse_errors_total{data_source="
                           "\"flow_metrics.network.1m\",reason=\"checkpoint\"}"
                           " 0\n"));
    assert_null(strstr(m, "dfexport_clickhouse_errors_total{data_source="
                        "\"flow_metrics.network.1m\",reason=\"budget\"}"));
    assert_null(strstr(m, "dfexport_clickhouse_rows_total{data_source="
                        "\"flow_metrics.network.1s\"}"));

    /* a configuration that is never committed (failed reload) changes
     * nothing; the next committed one replaces the set */
    dfx_stats_scope_begin();
    dfx_stats_declare_series(0, -1);
    m = render(&b);
    assert_null(strstr(m, "dfexport_exporter_ready{exporter=\"0\"}"));
    dfx_stats_scope_commit();
    dfx_stats_add(DFX_STAT_enum_unknown_total, 1, DFX_DS_L4_FLOW_LOG, -1, 2);
    m = render(&b);
    assert_non_null(strstr(m, "dfexport_exporter_ready{exporter=\"0\"} 0\n"));
    assert_null(strstr(m, "dfexport_exporter_ready{exporter=\"1\"}"));
    assert_null(strstr(m, "dfexport_clickhouse_rows_total{"));
    /* a series that is not zero is rendered, declared or not */
    assert_non_null(strstr(m, "dfexport_enum_unknown_total{exporter=\"1\","
                           "data_source=\"flow_log.l4_flow_log\"} 2\n"));
    dfx_buf_free(&b);
}

static void
test_build_and_process(void **state)
{
    dfx_buf_t          b = DFX_BUF_INIT;
    dfx_version_lib_t  libs[DFX_VERSION_NLIBS];
    dfx_process_t      p;
    const char        *m;
    size_t             i, n;

    (void) state;
    n = dfx_version_libs(libs);
    assert_int_equal(n, DFX_VERSION_NLIBS);
    assert_string_equal(libs[0].name, "version");
    for (i = 0; i < n; i++) {
        assert_true(strlen(libs[i].version) > 0);
        assert_string_not_equal(libs[i].version, "unknown");
    }
    dfx_version_set_build_info();

    m = render(&b);
    assert_non_null(strstr(m, "# TYPE dfexport_build_info gauge\n"
                           "dfexport_build_info{version=\""));
    assert_non_null(strstr(m, ",librdkafka=\""));
    assert_non_null(strstr(m, ",openssl=\""));
    assert_non_null(strstr(m, ",libyaml=\""));
    assert_non_null(strstr(m, "\"} 1\n"));
    assert_non_null(strstr(m, "# TYPE dfexport_process_cpu_seconds_total "
                           "counter\ndfexport_process_cpu_seconds_total "));
    assert_non_null(strstr(m, "\ndfexport_process_open_fds "));
    assert_non_null(strstr(m, "\ndfexport_process_resident_memory_bytes "));
    assert_non_null(strstr(m, "\ndfexport_process_start_time_seconds "));

    dfx_process_read(&p);
    assert_true(p.cpu_seconds >= 0);
    assert_true(p.rss_bytes > 1024 * 1024);
    assert_true(p.open_fds >= 3);
    assert_true(p.start_time > 1.6e9);

    b.len = 0;
    assert_int_equal(dfx_stats_json(&b), 0);
    dfx_buf_putc(&b, '\0');
    assert_non_null(strstr(b.data, ",\"build_info\":{\"version\":\""));
    assert_non_null(strstr(b.data, ",\"process_open_fds\":"));
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
    assert_non_null(strstr(b.data, "{\"http_requests_total\":{\"200\":0,"));
    assert_non_null(strstr(b.data, "\"other\":0},"
                           "\"http_body_bytes_total\":1000,"));
    assert_non_null(strstr(b.data, "\"exporter_records_queued_total\":"
                           "{\"0/flow_metrics.network.1m\":12}"));
    dfx_buf_free(&b);
}

/* Buckets: le is inclusive, past the last bound is +Inf. */
static void
test_hist_bucket(void **state)
{
    (void) state;
    assert_int_equal(dfx_hist_bucket(0), 0);
    assert_int_equal(dfx_hist_bucket(500), 0);
    assert_int_equal(dfx_hist_bucket(501), 1);
    assert_int_equal(dfx_hist_bucket(1000000), 10);
    assert_int_equal(dfx_hist_bucket(60000000), DFX_HIST_BUCKETS - 1);
    assert_int_equal(dfx_hist_bucket(60000001), DFX_HIST_INF);
    assert_int_equal(dfx_hist_bucket(UINT64_MAX), DFX_HIST_INF);
}

/* Prometheus histogram text and /stats JSON, the exporter label by name,
 * a tally flushed as one batch. */
static void
test_histogram(void **state)
{
    dfx_buf_t         b = DFX_BUF_INIT;
    dfx_hist_tally_t  t;

    (void) state;
    memset(&t, 0, sizeof(t));
    dfx_stats_observe(DFX_STAT_http_request_duration_seconds, -1, -1, -1,
                      300);
    dfx_stats_observe(DFX_STAT_http_request_duration_seconds, -1, -1, -1,
                      2000000);
    dfx_stats_observe(DFX_STAT_http_request_duration_seconds, -1, -1, -1,
                      UINT64_C(100000000));
    assert_int_equal(dfx_stats_hist_count(
        DFX_STAT_http_request_duration_seconds, -1, -1, -1), 3);

    dfx_stats_scope_begin();
    dfx_stats_exporter_name(0, "main");
    dfx_stats_declare_series(0, -1);
    dfx_stats_declare_series(1, -1);
    dfx_stats_scope_commit();
    dfx_hist_tally_add(&t, 1500);
    dfx_hist_tally_add(&t, 1500);
    dfx_stats_observe_tally(DFX_STAT_kafka_delivery_latency_seconds, 0, -1,
                            -1, &t);
    assert_int_equal(t.total, 0);

    assert_int_equal(dfx_stats_prometheus(&b), 0);
    dfx_buf_putc(&b, '\0');
    assert_non_null(strstr(b.data, "# TYPE dfexport_http_request_duration_"
                           "seconds histogram\n"
                           "dfexport_http_request_duration_seconds_bucket"
                           "{le=\"0.0005\"} 1\n"));
    assert_non_null(strstr(b.data, "dfexport_http_request_duration_seconds_"
                           "bucket{le=\"2.5\"} 2\n"));
    assert_non_null(strstr(b.data, "dfexport_http_request_duration_seconds_"
                           "bucket{le=\"+Inf\"} 3\n"
                           "dfexport_http_request_duration_seconds_sum "
                           "102.000300\n"
                           "dfexport_http_request_duration_seconds_count 3\n"));
    assert_non_null(strstr(b.data, "dfexport_kafka_delivery_latency_seconds_"
                           "bucket{exporter=\"main\",le=\"0.0025\"} 2\n"));
    assert_non_null(strstr(b.data, "dfexport_kafka_delivery_latency_seconds_"
                           "count{exporter=\"1\"} 0\n"));
    assert_non_null(strstr(b.data, "dfexport_exporter_ready{exporter="
                           "\"main\"} 0\n"));

    dfx_buf_reset(&b);
    dfx_buf_putc(&b, '{');
    assert_int_equal(dfx_stats_json(&b), 0);
    dfx_buf_putc(&b, '}');
    dfx_buf_putc(&b, '\0');
    assert_non_null(strstr(b.data, "\"kafka_delivery_latency_seconds\":"
                           "{\"main\":{\"buckets\":{\"0.0005\":0,"
                           "\"0.001\":0,\"0.0025\":2,"));
    assert_non_null(strstr(b.data, "\"+Inf\":2},\"sum\":0.003000,"
                           "\"count\":2},\"1\":"));
    dfx_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test_setup(test_add_get, setup),
        cmocka_unit_test_setup(test_prometheus, setup),
        cmocka_unit_test_setup(test_zero_series, setup),
        cmocka_unit_test_setup(test_build_and_process, setup),
        cmocka_unit_test_setup(test_json, setup),
        cmocka_unit_test_setup(test_hist_bucket, setup),
        cmocka_unit_test_setup(test_histogram, setup),
    };

    return cmocka_run_group_tests_name("dfx_stats", tests, NULL, NULL);
}
