/*
 * test_dfx_chain.c: building, running and tearing down chains.
 *
 * Configs are loaded from YAML with the real loader (so every module's
 * conf is what a daemon would hand over), chains built per data source
 * with the real module table, and records run through them.  Covered:
 * topic and key resolution, which stages are kept and in which order,
 * a tag filter's drop stopping the chain before encode, counters
 * gathered per record and flushed once, and refused chains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../dfx_test_record.h"
#include "dfx_buf.h"
#include "dfx_core.h"
#include "dfx_module.h"
#include "dfx_stats.h"
#include "dfx_time.h"
#include "encode/dfx_encode.h"
#include "enum_translate/dfx_enum_dict.h"

#ifndef DFX_TEST_ENUM_DIR
#error "DFX_TEST_ENUM_DIR: the project's conf/enum"
#endif

extern const dfx_module_t  dfx_tag_filter_module;

static dfx_enums_t  *enums;
static dfx_buf_t     conf_log = DFX_BUF_INIT;

static void
conf_err_out(int is_error, const char *line)
{
    (void) is_error;
    assert_int_equal(dfx_buf_printf(&conf_log, "%s\n", line), 0);
}

/* Loads "ingester: exporters:" followed by yaml (the exporters' list
 * items, indented by two spaces). */
static dfx_conf_t *
load(const char *yaml)
{
    dfx_buf_t    y = DFX_BUF_INIT;
    dfx_conf_t  *conf;

    dfx_buf_reset(&conf_log);
    assert_int_equal(dfx_buf_printf(&y, "ingester:\n  exporters:\n%s",
                                    yaml), 0);
    conf = dfx_conf_load_mem("test.yaml", y.data, y.len, 0, conf_err_out);
    if (conf == NULL) {
        fail_msg("config did not load:\n%.*s\n%.*s", (int) y.len, y.data,
                 (int) conf_log.len, conf_log.data);
    }
    dfx_buf_free(&y);
    return conf;
}

static dfx_chain_t *
chain(const dfx_conf_t *conf, unsigned exporter, const char *source)
{
    dfx_chain_t  *c;

    assert_true(exporter < conf->nexporters);
    c = dfx_chain_create(&conf->exporters[exporter], ds(source), enums);
    assert_non_null(c);
    return c;
}

static int
group_setup(void **state)
{
    char  err[256];

    (void) state;
    assert_int_equal(setenv("TZ", "UTC", 1), 0);
    dfx_time_zone_reset();
    assert_int_equal(dfx_schema_init(), 0);
    enums = dfx_enums_load(DFX_TEST_ENUM_DIR, err, sizeof(err));
    if (enums == NULL) {
        fail_msg("%s", err);
    }
    return 0;
}

static int
group_teardown(void **state)
{
    (void) state;
    dfx_enums_free(enums);
    dfx_schema_cleanup();
    dfx_buf_free(&conf_log);
    return 0;
}

#define EXPORTER(sources, extra)                                            \
    "  - protocol: kafka\n"                                                 \
    "    enabled: true\n"                                                   \
    "    endpoints: [127.0.0.1:9092]\n"                                     \
    "    data-sources: [" sources "]\n"                                     \
    "    export-fields: [$tag, $metrics]\n"                                 \
    extra

/* ---- topic, key, exporter -------------------------------------------- */

static void
test_topic_and_key(void **state)
{
    dfx_conf_t   *conf;
    dfx_chain_t  *c;

    (void) state;
    conf = load(EXPORTER("flow_log.l7_flow_log, flow_log.l4_flow_log",
                         "    key: flow_id\n")
                EXPORTER("flow_log.l7_flow_log",
                         "    topic: all-in-one\n"
                         "    key: endpoint\n")
                EXPORTER("flow_metrics.network.1s", ""));

    /* default topic: deepflow.<data source> */
    c = chain(conf, 0, "flow_log.l7_flow_log");
    assert_true(dfx_str_eq_cstr(c->topic, "deepflow.flow_log.l7_flow_log"));
    assert_int_equal(c->exporter, 0);
    assert_ptr_equal(c->schema, ds("flow_log.l7_flow_log"));
    assert_ptr_equal(c->conf, &conf->exporters[0]);
    assert_ptr_equal(c->enums, enums);
    assert_int_equal(c->key_field,
                     dfx_schema_field(c->schema, "flow_id", 7));
    dfx_chain_destroy(c);

    c = chain(conf, 0, "flow_log.l4_flow_log");
    assert_true(dfx_str_eq_cstr(c->topic, "deepflow.flow_log.l4_flow_log"));
    assert_int_equal(c->key_field,
                     dfx_schema_field(c->schema, "flow_id", 7));
    dfx_chain_destroy(c);

    /* topic: the same for every data source; the key by its alias */
    c = chain(conf, 1, "flow_log.l7_flow_log");
    assert_true(dfx_str_eq_cstr(c->topic, "all-in-one"));
    assert_int_equal(c->exporter, 1);
    assert_int_equal(c->key_field,
                     dfx_schema_field(c->schema, "end_point", 9));
    assert_true(c->key_field >= 0);
    dfx_chain_destroy(c);

    /* no key: null keys */
    c = chain(conf, 2, "flow_metrics.network.1s");
    assert_true(dfx_str_eq_cstr(c->topic,
                                "deepflow.flow_metrics.network.1s"));
    assert_int_equal(c->key_field, -1);
    dfx_chain_destroy(c);

    dfx_conf_free(conf);
}

/* ---- stages ------------------------------------------------------------ */

static void
test_stages(void **state)
{
    dfx_conf_t   *conf;
    dfx_chain_t  *c;

    (void) state;
    conf = load(EXPORTER("flow_log.l7_flow_log", "")
                EXPORTER("flow_log.l7_flow_log",
                         "    tag-filters-groups:\n"
                         "    - tag-filter-condition: {type: and}\n"
                         "      tag-filters:\n"
                         "      - {field-name: request_type, "
                         "operator: \"=\", field-values: [GET]}\n")
                EXPORTER("flow_log.l7_flow_log",
                         "    universal-tag-translate-to-name-disabled: "
                         "true\n"
                         "    enum-translate-to-name-disabled: true\n"
                         "    export-empty-tag: true\n"));

    /* only encode does per-record work */
    c = chain(conf, 0, "flow_log.l7_flow_log");
    assert_int_equal(c->nstages, 1);
    assert_ptr_equal(c->stages[0].module, &dfx_encode_module);
    assert_non_null(c->stages[0].data);
    assert_true(c->nemit > 0);
    assert_non_null(c->pool);
    dfx_chain_destroy(c);

    /* a tag filter comes first */
    c = chain(conf, 1, "flow_log.l7_flow_log");
    assert_int_equal(c->nstages, 2);
    assert_ptr_equal(c->stages[0].module, &dfx_tag_filter_module);
    assert_ptr_equal(c->stages[1].module, &dfx_encode_module);
    dfx_chain_destroy(c);

    /* a filter for another data source's field does not apply here */
    c = chain(conf, 1, "flow_metrics.network.1m");
    assert_int_equal(c->nstages, 1);
    dfx_chain_destroy(c);

    /* translations and rules off: still one stage */
    c = chain(conf, 2, "flow_log.l7_flow_log");
    assert_int_equal(c->nstages, 1);
    assert_ptr_equal(c->stages[0].module, &dfx_encode_module);
    dfx_chain_destroy(c);

    dfx_chain_destroy(NULL);
    dfx_conf_free(conf);
}

/* The module table is the chain order: every module is there once and
 * encode is last. */
static void
test_module_table(void **state)
{
    size_t  i, n;

    (void) state;
    for (n = 0; dfx_modules[n] != NULL; n++) {
        assert_int_equal(dfx_module_index(dfx_modules[n]), (int) n);
        assert_non_null(dfx_modules[n]->name);
        assert_non_null(dfx_modules[n]->init);
        for (i = 0; i < n; i++) {
            assert_ptr_not_equal(dfx_modules[i], dfx_modules[n]);
        }
    }
    assert_true(n <= DFX_MODULE_MAX);
    assert_ptr_equal(dfx_modules[n - 1], &dfx_encode_module);
    assert_ptr_equal(dfx_modules[0], &dfx_tag_filter_module);
    assert_int_equal(dfx_module_index(NULL), -1);
}

/* ---- running ------------------------------------------------------------ */

static void
test_run(void **state)
{
    static const char  want[] =
        "{\"datasource\":\"flow_log.l7_flow_log\",\"request_type\":\"GET\","
        "\"time_str\":\"2023-11-14 22:13:20.140891 +0000 UTC\"}";
    dfx_buf_t      out = DFX_BUF_INIT;
    dfx_rec_ctx_t  rc;
    dfx_conf_t    *conf;
    dfx_chain_t   *c;
    trec_t         t;

    (void) state;
    conf = load("  - protocol: kafka\n"
                "    enabled: true\n"
                "    endpoints: [127.0.0.1:9092]\n"
                "    data-sources: [flow_log.l7_flow_log]\n"
                "    export-fields: [request_type]\n"
                "    key: request_type\n"
                "    tag-filters-groups:\n"
                "    - tag-filter-condition: {type: and}\n"
                "      tag-filters:\n"
                "      - {field-name: request_type, operator: \"=\", "
                "field-values: [GET]}\n");
    c = chain(conf, 0, "flow_log.l7_flow_log");

    memset(&rc, 0, sizeof(rc));
    rc.chain = c;
    rc.out = &out;
    rc.rec = &t.r;
    rc.drop_group = -1;

    /* kept: the value appended, the key set */
    rec_init(&t, c->schema);
    set_s(&t, "request_type", "GET");
    set_u(&t, "end_time", 1700000000140891ULL);
    t.r.ts_us = 1700000000140891LL;
    assert_int_equal(dfx_chain_run(c, &rc), DFX_OK);
    assert_int_equal(out.len, sizeof(want) - 1);
    assert_memory_equal(out.data, want, out.len);
    assert_false(rc.key_null);
    assert_true(dfx_str_eq_cstr(rc.key, "GET"));

    /* dropped by the filter: encode never runs, nothing appended */
    rec_init(&t, c->schema);
    set_s(&t, "request_type", "POST");
    rc.key_null = 0;
    assert_int_equal(dfx_chain_run(c, &rc), DFX_DROP);
    assert_int_equal(out.len, sizeof(want) - 1);
    assert_int_equal(rc.drop_group, 0);

    dfx_buf_free(&out);
    dfx_chain_destroy(c);
    dfx_conf_free(conf);
}

/* Counts gather in the record context and reach the counters of the
 * chain's exporter and data source once, at the flush. */
static void
test_flush_stats(void **state)
{
    dfx_buf_t      out = DFX_BUF_INIT;
    dfx_rec_ctx_t  rc;
    dfx_conf_t    *conf;
    dfx_chain_t   *c;
    trec_t         t;
    int64_t        empty0, enum0, utag0, other0;
    int            i, ds_id;

    (void) state;
    conf = load(EXPORTER("flow_log.l7_flow_log", "")
                EXPORTER("flow_log.l7_flow_log", ""));
    c = chain(conf, 1, "flow_log.l7_flow_log");
    ds_id = DFX_DS_L7_FLOW_LOG;

    empty0 = dfx_stats_get(DFX_STAT_empty_fields_dropped_total, 1, ds_id,
                           -1);
    enum0 = dfx_stats_get(DFX_STAT_enum_unknown_total, 1, ds_id, -1);
    utag0 = dfx_stats_get(DFX_STAT_utag_unknown_total, 1, ds_id, -1);
    other0 = dfx_stats_get(DFX_STAT_enum_unknown_total, 0, ds_id, -1);

    memset(&rc, 0, sizeof(rc));
    rc.chain = c;
    rc.out = &out;
    rc.rec = &t.r;
    for (i = 0; i < 3; i++) {
        rec_init(&t, c->schema);
        set_u(&t, "l7_protocol", 1);         /* no name: unknown, "" */
        set_u(&t, "protocol", 200);          /* no name: unknown, "" */
        assert_int_equal(dfx_chain_run(c, &rc), DFX_OK);
    }
    assert_int_equal(rc.enum_unknown, 6);
    assert_true(rc.empty_dropped >= 6);
    assert_int_equal(rc.utag_unknown, 0);

    /* nothing reaches the counters before the flush */
    assert_int_equal(dfx_stats_get(DFX_STAT_enum_unknown_total, 1, ds_id,
                                   -1), enum0);
    empty0 += rc.empty_dropped;
    dfx_chain_flush_stats(c, &rc);
    assert_int_equal(dfx_stats_get(DFX_STAT_enum_unknown_total, 1, ds_id,
                                   -1), enum0 + 6);
    assert_int_equal(dfx_stats_get(DFX_STAT_empty_fields_dropped_total, 1,
                                   ds_id, -1), empty0);
    assert_int_equal(dfx_stats_get(DFX_STAT_utag_unknown_total, 1, ds_id,
                                   -1), utag0);
    /* another exporter's series is untouched */
    assert_int_equal(dfx_stats_get(DFX_STAT_enum_unknown_total, 0, ds_id,
                                   -1), other0);
    assert_int_equal(rc.enum_unknown, 0);
    assert_int_equal(rc.empty_dropped, 0);

    /* a second flush adds nothing */
    dfx_chain_flush_stats(c, &rc);
    assert_int_equal(dfx_stats_get(DFX_STAT_enum_unknown_total, 1, ds_id,
                                   -1), enum0 + 6);

    dfx_buf_free(&out);
    dfx_chain_destroy(c);
    dfx_conf_free(conf);
}

/* ---- refused chains ------------------------------------------------------ */

static void
test_refused(void **state)
{
    dfx_conf_t   *conf;
    dfx_chain_t  *c;

    (void) state;
    conf = load(EXPORTER("flow_log.l7_flow_log", "")
                EXPORTER("flow_log.l7_flow_log",
                         "    enum-translate-to-name-disabled: true\n"));

    /* enum translation without dictionaries: refused, logged */
    assert_null(dfx_chain_create(&conf->exporters[0],
                                 ds("flow_log.l7_flow_log"), NULL));
    /* without translation none are needed */
    c = dfx_chain_create(&conf->exporters[1], ds("flow_log.l7_flow_log"),
                         NULL);
    assert_non_null(c);
    dfx_chain_destroy(c);

    dfx_conf_free(conf);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_topic_and_key),
        cmocka_unit_test(test_stages),
        cmocka_unit_test(test_module_table),
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_flush_stats),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
