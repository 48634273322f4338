/*
 * test_dfx_schema.c: the data-source tables (counts, order, types, enums,
 * universal tags, side indices, DateTime flags) and name lookup (aliases,
 * unknown names).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfx_core.h"
#include "dfx_schema.h"

static const dfx_schema_t *
ds(const char *name)
{
    const dfx_schema_t  *s = dfx_schema_find(name, strlen(name));

    assert_non_null(s);
    return s;
}

static int
fidx(const dfx_schema_t *s, const char *name)
{
    return dfx_schema_field(s, name, strlen(name));
}

/* The field called name: must exist under that exact name. */
static const dfx_field_t *
fld(const dfx_schema_t *s, const char *name)
{
    int  i = fidx(s, name);

    assert_true(i >= 0);
    assert_string_equal(s->fields[i].name, name);
    return &s->fields[i];
}

static int
setup(void **state)
{
    DFX_UNUSED(state);
    return dfx_schema_init();
}

static int
teardown(void **state)
{
    DFX_UNUSED(state);
    dfx_schema_cleanup();
    return 0;
}

static void
test_counts(void **state)
{
    /* rows of each DeepFlow field table, without the encoder's own keys
     * (datasource, k8s label arrays, time_str) */
    static const struct {
        const char  *name;
        unsigned     nfields;
    } expect[] = {
        { "flow_log.l7_flow_log",            119 },
        { "flow_log.l4_flow_log",            153 },
        { "flow_metrics.network.1s",          96 },
        { "flow_metrics.network.1m",          96 },
        { "flow_metrics.network_map.1s",     120 },
        { "flow_metrics.network_map.1m",     120 },
        { "flow_metrics.application.1s",      45 },
        { "flow_metrics.application.1m",      45 },
        { "flow_metrics.application_map.1s",  69 },
        { "flow_metrics.application_map.1m",  69 },
        { "event.file_event",                 45 },
        { "event.perf_event",                 36 },
    };
    size_t  i;

    DFX_UNUSED(state);
    assert_int_equal(dfx_nelems(expect), DFX_DS_COUNT);
    for (i = 0; i < dfx_nelems(expect); i++) {
        assert_int_equal(ds(expect[i].name)->nfields, expect[i].nfields);
    }
}

static void
test_find_every_source(void **state)
{
    size_t               i;
    const dfx_schema_t  *s;

    DFX_UNUSED(state);
    for (i = 0; i < DFX_DS_COUNT; i++) {
        s = dfx_schemas[i];
        assert_non_null(s);
        assert_int_equal(s->id, i);
        assert_ptr_equal(dfx_schema_find(s->name, strlen(s->name)), s);
    }
    assert_string_equal(dfx_schemas[DFX_DS_L7_FLOW_LOG]->name,
                        "flow_log.l7_flow_log");
    assert_string_equal(dfx_schemas[DFX_DS_NETWORK_MAP_1M]->name,
                        "flow_metrics.network_map.1m");
    assert_string_equal(dfx_schemas[DFX_DS_PERF_EVENT]->name,
                        "event.perf_event");

    /* the 1s and 1m variants share their field table */
    assert_ptr_equal(dfx_schemas[DFX_DS_NETWORK_1S]->fields,
                     dfx_schemas[DFX_DS_NETWORK_1M]->fields);
    assert_ptr_equal(dfx_schemas[DFX_DS_APPLICATION_MAP_1S]->fields,
                     dfx_schemas[DFX_DS_APPLICATION_MAP_1M]->fields);

    assert_null(dfx_schema_find("flow_metrics.network", 20));
    assert_null(dfx_schema_find("flow_log.l7_flow_logs", 21));
    assert_null(dfx_schema_find("event.file_agg_event", 20));
    assert_null(dfx_schema_find("", 0));
    /* a prefix of a valid name, given with its length */
    assert_null(dfx_schema_find("event.file_event", 10));
    /* a slice that is not NUL-terminated */
    assert_ptr_equal(dfx_schema_find("event.perf_event/x", 16),
                     dfx_schemas[DFX_DS_PERF_EVENT]);
}

static void
test_silent(void **state)
{
    static const char *const silent[] = {
        "event.file_agg_event", "event.file_mgmt_event",
        "event.proc_perm_event", "event.proc_ops_event",
    };
    size_t  i;

    DFX_UNUSED(state);
    for (i = 0; i < dfx_nelems(silent); i++) {
        assert_int_equal(dfx_schema_is_silent(silent[i], strlen(silent[i])),
                         1);
        assert_null(dfx_schema_find(silent[i], strlen(silent[i])));
    }
    assert_int_equal(dfx_schema_is_silent("event.file_event", 16), 0);
    assert_int_equal(dfx_schema_is_silent("event.perf_event", 16), 0);
    assert_int_equal(dfx_schema_is_silent("event.proc_ops_even", 19), 0);
    assert_int_equal(dfx_schema_is_silent("", 0), 0);
}

static void
test_enum_names(void **state)
{
    size_t  i, j;

    DFX_UNUSED(state);
    for (i = 1; i < DFX_ENUM_COUNT; i++) {
        assert_non_null(dfx_enum_names[i]);
        assert_true(strlen(dfx_enum_names[i]) > 0);
        for (j = 1; j < i; j++) {
            assert_string_not_equal(dfx_enum_names[i], dfx_enum_names[j]);
        }
    }
    assert_string_equal(dfx_enum_names[DFX_ENUM_L7_IP_PROTOCOL],
                        "l7_ip_protocol");
    assert_string_equal(dfx_enum_names[DFX_ENUM_PERF_EVENT_TYPE],
                        "perf_event_type");
}

/* Invariants every table must keep. */
static void
test_all_tables(void **state)
{
    const dfx_schema_t  *s;
    const dfx_field_t   *f;
    size_t               i, k, a;
    uint32_t             sub;

    DFX_UNUSED(state);
    for (i = 0; i < DFX_DS_COUNT; i++) {
        s = dfx_schemas[i];
        for (k = 0; k < s->nfields; k++) {
            f = &s->fields[k];

            /* every name and alias finds its own row: no clashes */
            assert_int_equal(fidx(s, f->name), k);
            for (a = 0; a < dfx_nelems(f->alias) && f->alias[a]; a++) {
                assert_int_equal(fidx(s, f->alias[a]), k);
            }

            assert_true(f->cat == DFX_CAT_TAG || f->cat == DFX_CAT_METRICS
                        || f->cat == 0);
            sub = f->sub;
            assert_true((sub & (sub - 1)) == 0);
            /* event_info is a tag sub-category outside $tag */
            assert_true(sub == 0
                        || (sub & (f->cat == DFX_CAT_TAG
                                   ? DFX_CAT_TAG | DFX_SUB_EVENT_INFO
                                   : f->cat)) != 0);
            assert_true(f->type <= DFX_T_F64S);
            assert_true(f->enum_id < DFX_ENUM_COUNT);
            assert_true(f->utag < DFX_UTAG_COUNT);
            assert_true((f->utag == DFX_UTAG_NONE) == (f->utag_key == NULL));
            assert_true(f->side <= 1);
            assert_true(f->side == 0 || s->nsides == 2);
            if (f->flags & DFX_FIELD_NULLABLE) {
                assert_int_equal(s->id, DFX_DS_L7_FLOW_LOG);
            }
        }
        assert_true(s->ts_field < s->nfields);
        assert_true(s->nsides == 1 || s->nsides == 2);
    }
}

/* side[] points at the fields of the right side, by name. */
static void
test_sides(void **state)
{
    static const char *const base[] = {
        "l3_device_type", "auto_instance_type", "auto_service_type",
        "ip4", "ip6", "is_ipv4", "pod_id",
    };
    const dfx_schema_t  *s;
    uint16_t             ix[7];
    char                 want[64];
    size_t               i, k;
    unsigned             side;

    DFX_UNUSED(state);
    for (i = 0; i < DFX_DS_COUNT; i++) {
        s = dfx_schemas[i];
        for (side = 0; side < 2; side++) {
            const dfx_schema_side_t  *sd = &s->side[side];

            ix[0] = sd->l3_device_type;
            ix[1] = sd->auto_instance_type;
            ix[2] = sd->auto_service_type;
            ix[3] = sd->ip4;
            ix[4] = sd->ip6;
            ix[5] = sd->is_ipv4;
            ix[6] = sd->pod_id;
            for (k = 0; k < 7; k++) {
                if (side >= s->nsides) {
                    assert_int_equal(ix[k], DFX_NO_FIELD);
                    continue;
                }
                if (s->nsides == 2 && k != 5) {
                    snprintf(want, sizeof(want), "%s_%u", base[k], side);
                } else {
                    snprintf(want, sizeof(want), "%s", base[k]);
                }
                /* every ingested source has all of them */
                assert_true(ix[k] < s->nfields);
                assert_string_equal(s->fields[ix[k]].name, want);
            }
        }
        assert_string_equal(s->fields[s->ts_field].name,
                            s->ts_unit == DFX_TS_SECONDS ? "time"
                                                         : "end_time");
    }
}

static void
test_l7(void **state)
{
    const dfx_schema_t  *s = ds("flow_log.l7_flow_log");
    const dfx_field_t   *f;

    DFX_UNUSED(state);
    assert_int_equal(s->is_map, 1);
    assert_int_equal(s->nsides, 2);
    assert_int_equal(s->ts_unit, DFX_TS_MICROSECONDS);
    assert_string_equal(s->label_names_key[0], "k8s_label_names_0");
    assert_string_equal(s->label_values_key[1], "k8s_label_values_1");

    /* order */
    assert_string_equal(s->fields[0].name, "_id");
    assert_string_equal(s->fields[1].name, "l7_protocol");
    assert_string_equal(s->fields[2].name, "biz_protocol");
    assert_string_equal(s->fields[s->nfields - 1].name, "team_id");
    assert_true(fidx(s, "response_duration") < fidx(s, "time"));

    f = &s->fields[0];
    assert_int_equal(f->type, DFX_T_U64);
    assert_int_equal(f->cat, DFX_CAT_TAG);
    assert_int_equal(f->sub, DFX_SUB_FLOW_INFO);

    assert_int_equal(fld(s, "l7_protocol")->enum_id, DFX_ENUM_L7_PROTOCOL);
    assert_int_equal(fld(s, "protocol")->enum_id, DFX_ENUM_L7_IP_PROTOCOL);
    assert_int_equal(fld(s, "type")->enum_id, DFX_ENUM_L7_LOG_TYPE);
    assert_int_equal(fld(s, "signal_source")->enum_id,
                     DFX_ENUM_L7_SIGNAL_SOURCE);
    assert_int_equal(fld(s, "tunnel_type")->enum_id, DFX_ENUM_NONE);

    f = fld(s, "request_id");
    assert_int_equal(f->type, DFX_T_U64);
    assert_int_equal(f->flags, DFX_FIELD_NULLABLE);
    f = fld(s, "response_code");
    assert_int_equal(f->type, DFX_T_I32);
    assert_int_equal(f->flags, DFX_FIELD_NULLABLE);
    f = fld(s, "span_kind");
    assert_int_equal(f->flags, DFX_FIELD_NULLABLE);
    assert_int_equal(f->enum_id, DFX_ENUM_SPAN_KIND);
    f = fld(s, "request_length");
    assert_int_equal(f->type, DFX_T_I64);
    assert_int_equal(f->cat, DFX_CAT_METRICS);
    assert_int_equal(f->sub, DFX_SUB_THROUGHPUT);
    assert_int_equal(fld(s, "trace_id")->flags, 0);

    f = fld(s, "metrics_values");
    assert_int_equal(f->type, DFX_T_F64S);
    assert_int_equal(f->cat, DFX_CAT_METRICS);
    assert_int_equal(f->sub, 0);
    assert_int_equal(fld(s, "attribute_names")->type, DFX_T_STRS);
    assert_int_equal(fld(s, "is_ipv4")->type, DFX_T_BOOL);
    assert_int_equal(fld(s, "ip4_0")->type, DFX_T_IP4);
    assert_int_equal(fld(s, "ip6_1")->type, DFX_T_IP6);
    assert_int_equal(fld(s, "l3_epc_id_0")->type, DFX_T_I32);

    /* business_info is not a sub-category DeepFlow knows */
    f = fld(s, "biz_type");
    assert_int_equal(f->cat, DFX_CAT_TAG);
    assert_int_equal(f->sub, 0);

    /* the malformed tag: no category, selectable by name */
    f = fld(s, "capture_nic_type");
    assert_int_equal(f->cat, 0);
    assert_int_equal(f->sub, 0);
    assert_int_equal(f->type, DFX_T_U8);
    assert_int_equal(fidx(s, "capture_nic_type category:"), -1);

    f = fld(s, "agent_id");
    assert_int_equal(f->utag, DFX_UTAG_AGENT);
    assert_string_equal(f->utag_key, "agent");
    assert_int_equal(f->side, 0);
    f = fld(s, "region_id_1");
    assert_int_equal(f->utag, DFX_UTAG_REGION);
    assert_string_equal(f->utag_key, "region_1");
    assert_int_equal(f->side, 1);
    f = fld(s, "auto_instance_type_0");
    assert_int_equal(f->utag, DFX_UTAG_AUTO_INSTANCE_TYPE);
    assert_int_equal(f->enum_id, DFX_ENUM_AUTO_INSTANCE_TYPE);
    assert_string_equal(f->utag_key, "auto_instance_type_0");
    f = fld(s, "pod_group_type_1");
    assert_int_equal(f->utag, DFX_UTAG_NONE);
    assert_int_equal(f->enum_id, DFX_ENUM_POD_GROUP_TYPE);
    assert_int_equal(fld(s, "epc_id_0")->utag, DFX_UTAG_NONE);

    /* ClickHouse and v7.0 spellings */
    assert_int_equal(fidx(s, "endpoint"), fidx(s, "end_point"));
    assert_int_equal(fidx(s, "_trace_id_2"), fidx(s, "trace_id_2"));
    assert_int_equal(fidx(s, "l7_protocol_str"), fidx(s, "biz_protocol"));
    /* l7 is a map source by DeepFlow's rule, but its Name already has
     * the suffix: no unsuffixed aliases */
    assert_int_equal(fidx(s, "region_id"), -1);
    assert_int_equal(fidx(s, "ip4"), -1);
}

static void
test_l4(void **state)
{
    const dfx_schema_t  *s = ds("flow_log.l4_flow_log");
    const dfx_field_t   *f;

    DFX_UNUSED(state);
    assert_int_equal(s->is_map, 1);
    assert_int_equal(s->nsides, 2);
    assert_string_equal(s->fields[1].name, "mac_0");
    assert_string_equal(s->fields[s->nfields - 1].name, "fin_count");
    assert_int_equal(fld(s, "mac_1")->type, DFX_T_MAC);
    /* the tunnel MACs are plain integers in DeepFlow */
    assert_int_equal(fld(s, "tunnel_tx_mac_0")->type, DFX_T_U32);
    assert_int_equal(fld(s, "tunnel_type")->type, DFX_T_U16);
    assert_int_equal(fld(s, "tunnel_type")->enum_id, DFX_ENUM_NONE);
    assert_int_equal(fld(s, "signal_source")->enum_id,
                     DFX_ENUM_L4_SIGNAL_SOURCE);
    assert_int_equal(fld(s, "close_type")->enum_id, DFX_ENUM_CLOSE_TYPE);
    assert_int_equal(fld(s, "status")->enum_id, DFX_ENUM_STATUS);
    assert_int_equal(fld(s, "capture_nic_type")->enum_id,
                     DFX_ENUM_CAPTURE_NIC_TYPE);
    assert_int_equal(fld(s, "capture_nic_type")->cat, DFX_CAT_TAG);
    assert_int_equal(fld(s, "protocol")->enum_id, DFX_ENUM_PROTOCOL);
    f = fld(s, "retrans_tx");
    assert_int_equal(f->cat, DFX_CAT_METRICS);
    assert_int_equal(f->sub, DFX_SUB_TCP_SLOW);
    assert_int_equal(fld(s, "l2_end_1")->type, DFX_T_BOOL);

    f = fld(s, "nat_real_ip_0");
    assert_int_equal(f->type, DFX_T_IP4);
    assert_int_equal(fidx(s, "nat_real_ip4_0"), fidx(s, "nat_real_ip_0"));
    assert_int_equal(fidx(s, "nat_real_ip4_1"), fidx(s, "nat_real_ip_1"));
    assert_int_equal(fidx(s, "endpoint"), -1);
}

static void
test_network(void **state)
{
    const dfx_schema_t  *s = ds("flow_metrics.network.1s");
    const dfx_field_t   *f;

    DFX_UNUSED(state);
    assert_int_equal(s->is_map, 0);
    assert_int_equal(s->nsides, 1);
    assert_int_equal(s->ts_unit, DFX_TS_SECONDS);
    assert_string_equal(s->fields[s->ts_field].name, "time");
    assert_string_equal(s->label_names_key[0], "k8s_label_names");
    assert_string_equal(s->label_values_key[0], "k8s_label_values");
    assert_null(s->label_names_key[1]);
    assert_null(s->label_values_key[1]);

    /* metrics first, then tags (DeepFlow's breadth-first order) */
    assert_string_equal(s->fields[0].name, "time");
    assert_string_equal(s->fields[1].name, "packet_tx");
    assert_string_equal(s->fields[s->nfields - 1].name, "signal_source");

    /* deliberate fix: these are L4 signal sources */
    assert_int_equal(fld(s, "signal_source")->enum_id,
                     DFX_ENUM_L4_SIGNAL_SOURCE);
    assert_int_equal(fld(s, "role")->enum_id, DFX_ENUM_ROLE);
    assert_int_equal(fld(s, "is_ipv4")->type, DFX_T_U8);
    /* flow_metrics auto_*_type have no enum file */
    f = fld(s, "auto_service_type");
    assert_int_equal(f->enum_id, DFX_ENUM_NONE);
    assert_int_equal(f->utag, DFX_UTAG_AUTO_SERVICE_TYPE);
    assert_string_equal(f->utag_key, "auto_service_type");
    assert_string_equal(fld(s, "pod_ns_id")->utag_key, "pod_ns");

    f = fld(s, "thread_id");
    assert_int_equal(f->cat, DFX_CAT_TAG);
    assert_int_equal(f->sub, 0);
    assert_int_equal(fidx(s, "_tid"), fidx(s, "thread_id"));
    assert_int_equal(fidx(s, "ip4_0"), -1);
}

static void
test_network_map(void **state)
{
    const dfx_schema_t  *s = ds("flow_metrics.network_map.1m");
    const dfx_field_t   *f;

    DFX_UNUSED(state);
    assert_int_equal(s->is_map, 1);
    assert_int_equal(s->nsides, 2);
    assert_string_equal(s->label_names_key[1], "k8s_label_names_1");
    assert_int_equal(fld(s, "signal_source")->enum_id,
                     DFX_ENUM_L4_SIGNAL_SOURCE);
    assert_int_equal(fld(s, "tunnel_type")->enum_id, DFX_ENUM_TUNNEL_TYPE);
    assert_int_equal(fld(s, "capture_nic_type")->enum_id,
                     DFX_ENUM_CAPTURE_NIC_TYPE);
    assert_int_equal(fld(s, "observation_point")->type, DFX_T_STR);

    /* DeepFlow's config Name is the output name without _0 */
    assert_int_equal(fidx(s, "region_id"), fidx(s, "region_id_0"));
    assert_int_equal(fidx(s, "ip4"), fidx(s, "ip4_0"));
    assert_int_equal(fidx(s, "ip6"), fidx(s, "ip6_0"));
    assert_int_equal(fidx(s, "gprocess_id"), fidx(s, "gprocess_id_0"));
    assert_int_equal(fidx(s, "_tid"), fidx(s, "thread_id"));
    /* the server side keeps its suffix only */
    assert_int_equal(fidx(s, "region_id_1") > fidx(s, "region_id_0"), 1);
    assert_int_equal(fidx(s, "region"), -1);

    f = fld(s, "region_id_0");
    assert_string_equal(f->utag_key, "region_0");
    assert_int_equal(f->side, 0);
    f = fld(s, "pod_id_1");
    assert_string_equal(f->utag_key, "pod_1");
    assert_int_equal(f->side, 1);
    assert_int_equal(f->utag, DFX_UTAG_POD);
    assert_int_equal(fld(s, "agent_id")->side, 0);
}

static void
test_application(void **state)
{
    const dfx_schema_t  *s = ds("flow_metrics.application.1m");
    const dfx_schema_t  *m = ds("flow_metrics.application_map.1s");

    DFX_UNUSED(state);
    assert_int_equal(s->is_map, 0);
    assert_int_equal(fld(s, "l7_protocol")->enum_id, DFX_ENUM_L7_PROTOCOL);
    assert_int_equal(fld(s, "signal_source")->enum_id,
                     DFX_ENUM_L7_SIGNAL_SOURCE);
    assert_int_equal(fld(s, "biz_type")->sub, DFX_SUB_CAPTURE_INFO);
    assert_int_equal(fld(s, "endpoint")->type, DFX_T_STR);
    assert_int_equal(fld(s, "timeout")->sub, DFX_SUB_ERROR);
    assert_string_equal(s->fields[2].name, "response");

    assert_int_equal(m->is_map, 1);
    assert_int_equal(m->nsides, 2);
    assert_int_equal(fld(m, "signal_source")->enum_id,
                     DFX_ENUM_L7_SIGNAL_SOURCE);
    assert_int_equal(fld(m, "tunnel_type")->enum_id, DFX_ENUM_TUNNEL_TYPE);
    assert_int_equal(fidx(m, "pod_id"), fidx(m, "pod_id_0"));
    assert_int_equal(fidx(m, "auto_service_type"),
                     fidx(m, "auto_service_type_0"));
    assert_string_equal(m->fields[m->nfields - 1].name, "signal_source");
}

static void
test_events(void **state)
{
    const dfx_schema_t  *s = ds("event.file_event");
    const dfx_schema_t  *p = ds("event.perf_event");
    const dfx_field_t   *f;

    DFX_UNUSED(state);
    assert_int_equal(s->is_map, 0);
    assert_int_equal(s->nsides, 1);
    assert_int_equal(s->ts_unit, DFX_TS_MICROSECONDS);
    assert_string_equal(s->fields[0].name, "time");
    assert_string_equal(s->fields[s->nfields - 1].name,
                        "access_permission");

    f = fld(s, "event_type");
    assert_int_equal(f->type, DFX_T_STR);
    assert_int_equal(f->enum_id, DFX_ENUM_FILE_EVENT_TYPE);
    assert_int_equal(f->sub, DFX_SUB_EVENT_INFO);
    /* $tag does not include event_info */
    assert_int_equal(f->sub & DFX_CAT_TAG, 0);
    assert_int_equal(fld(s, "signal_source")->enum_id,
                     DFX_ENUM_FILE_EVENT_SIGNAL_SOURCE);
    assert_int_equal(fld(s, "file_type")->enum_id, DFX_ENUM_FILE_TYPE);
    assert_int_equal(fld(s, "is_ipv4")->type, DFX_T_BOOL);
    f = fld(s, "gprocess_id");
    assert_int_equal(f->utag, DFX_UTAG_GPROCESS);
    assert_string_equal(f->utag_key, "gprocess");
    f = fld(s, "host_node_id");
    assert_int_equal(f->utag, DFX_UTAG_NONE);
    assert_int_equal(fidx(s, "pod_node_id"), fidx(s, "host_node_id"));

    assert_int_equal(fld(p, "event_type")->enum_id, DFX_ENUM_PERF_EVENT_TYPE);
    assert_int_equal(fld(p, "signal_source")->enum_id,
                     DFX_ENUM_PERF_EVENT_SIGNAL_SOURCE);
    assert_int_equal(fidx(p, "pod_node_id"), fidx(p, "host_node_id"));
    assert_int_equal(fidx(p, "file_name"), -1);
    assert_string_equal(p->fields[p->nfields - 1].name, "duration");
}

static void
test_unknown_names(void **state)
{
    const dfx_schema_t  *s = ds("flow_log.l7_flow_log");

    DFX_UNUSED(state);
    assert_int_equal(fidx(s, ""), -1);
    assert_int_equal(fidx(s, "nope"), -1);
    assert_int_equal(fidx(s, "REGION_ID_0"), -1);
    assert_int_equal(fidx(s, "region_id_"), -1);
    assert_int_equal(fidx(s, "region_id_00"), -1);
    assert_int_equal(fidx(s, "datasource"), -1);
    assert_int_equal(fidx(s, "time_str"), -1);
    assert_int_equal(fidx(s, "k8s_label_names_0"), -1);
    /* slices: the length decides, not a NUL */
    assert_int_equal(dfx_schema_field(s, "ip4_0xyz", 5), fidx(s, "ip4_0"));
    assert_int_equal(dfx_schema_field(s, "ip4_0", 4), -1);
}

/* Without the index (before init, after cleanup) the answers are the
 * same. */
static void
test_without_index(void **state)
{
    const dfx_schema_t  *s = ds("flow_metrics.application_map.1m");
    int                  a, b, c;

    DFX_UNUSED(state);
    a = fidx(s, "region_id");
    dfx_schema_cleanup();
    b = fidx(s, "region_id");
    c = fidx(s, "nope");
    assert_int_equal(dfx_schema_init(), 0);
    assert_true(a >= 0);
    assert_int_equal(a, b);
    assert_int_equal(c, -1);
    /* init twice is harmless */
    assert_int_equal(dfx_schema_init(), 0);
    assert_int_equal(fidx(s, "region_id"), a);
}

/* The DateTime columns carry their flag, and nothing else does: time
 * (seconds, U32) everywhere, start_time and end_time (microseconds, I64)
 * where they exist; the message timestamp is one of them. */
static void
test_time_flags(void **state)
{
    const dfx_schema_t  *s;
    const dfx_field_t   *f;
    unsigned             i, k, ns, nus;

    DFX_UNUSED(state);
    for (k = 0; k < DFX_DS_COUNT; k++) {
        s = dfx_schemas[k];
        ns = nus = 0;
        for (i = 0; i < s->nfields; i++) {
            f = &s->fields[i];
            if (f->flags & DFX_FIELD_TIME_S) {
                assert_string_equal(f->name, "time");
                assert_int_equal(f->type, DFX_T_U32);
                ns++;
            } else if (f->flags & DFX_FIELD_TIME_US) {
                assert_true(strcmp(f->name, "start_time") == 0
                            || strcmp(f->name, "end_time") == 0);
                assert_int_equal(f->type, DFX_T_I64);
                nus++;
            } else {
                assert_true(strcmp(f->name, "time") != 0
                            && strcmp(f->name, "start_time") != 0
                            && strcmp(f->name, "end_time") != 0);
            }
        }
        assert_int_equal(ns, 1);
        assert_int_equal(nus, s->ts_unit == DFX_TS_SECONDS ? 0 : 2);
        assert_true(s->fields[s->ts_field].flags
                    & (DFX_FIELD_TIME_S | DFX_FIELD_TIME_US));
    }
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_find_every_source),
        cmocka_unit_test(test_silent),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_all_tables),
        cmocka_unit_test(test_sides),
        cmocka_unit_test(test_l7),
        cmocka_unit_test(test_l4),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_network_map),
        cmocka_unit_test(test_application),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_without_index),
        cmocka_unit_test(test_time_flags),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
