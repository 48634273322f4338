/*
 * test_dfx_universal_tag.c: universal-tag translation with the project's
 * dictionary fixture (SPEC section 9): how chains are marked, every kind
 * of lookup (device types, Internet addresses, K8s Services, negative
 * epc ids, events' own gprocess), k8s label selection, order and escaping,
 * and the translated part of DeepFlow's network_map example, byte for
 * byte.
 */
#include <arpa/inet.h>
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
#include "enum_translate/dfx_enum_dict.h"
#include "universal_tag/dfx_dict.h"
#include "universal_tag/dfx_universal_tag.h"

#ifndef DFX_TEST_FIXTURES
#error "DFX_TEST_FIXTURES must name the project's t/fixtures"
#endif
#ifndef DFX_TEST_ENUM_DIR
#error "DFX_TEST_ENUM_DIR must name the project's conf/enum"
#endif

#define L7  "flow_log.l7_flow_log"
#define NM  "flow_metrics.network_map.1m"
#define NW  "flow_metrics.network.1m"
#define FE  "event.file_event"

static dfx_dict_t   *fixture;
static dfx_enums_t  *enums;

/* ---- records ------------------------------------------------------ */

/* A record of source at the time of SPEC 9's network examples. */
static void
urec_init(trec_t *t, const char *source)
{
    rec_init(t, ds(source));
    t->r.ts_us = 1699999980LL * 1000000;
}

/* ---- chains ------------------------------------------------------- */

static dfx_buf_t  conf_log = DFX_BUF_INIT;

static void
conf_err_out(int is_error, const char *line)
{
    (void) is_error;
    dfx_buf_printf(&conf_log, "%s\n", line);
}

typedef struct tchain_s {
    dfx_conf_t   *conf;
    dfx_chain_t  *chain;
} tchain_t;

static void
chain_open(tchain_t *tc, const char *source, const char *keys,
           int with_enums)
{
    dfx_buf_t  y = DFX_BUF_INIT;

    dfx_buf_reset(&conf_log);
    assert_int_equal(dfx_buf_printf(&y,
        "ingester:\n"
        "  exporters:\n"
        "  - protocol: kafka\n"
        "    enabled: true\n"
        "    endpoints: [127.0.0.1:9092]\n"
        "    data-sources: [%s]\n"
        "%s", source, keys), 0);
    tc->conf = dfx_conf_load_mem("test.yaml", y.data, y.len, 0,
                                 conf_err_out);
    if (tc->conf == NULL) {
        fail_msg("config did not load:\n%.*s\n%.*s", (int) y.len, y.data,
                 (int) conf_log.len, conf_log.data);
    }
    dfx_buf_free(&y);
    tc->chain = dfx_chain_create(&tc->conf->exporters[0], ds(source),
                                 with_enums ? enums : NULL);
    assert_non_null(tc->chain);
}

static void
chain_close(tchain_t *tc)
{
    dfx_chain_destroy(tc->chain);
    dfx_conf_free(tc->conf);
}

static const dfx_emit_t *
emit_of(const dfx_chain_t *c, const char *name)
{
    unsigned  f = fld(c->schema, name);
    size_t    i;

    for (i = 0; i < c->nemit; i++) {
        if (c->emit[i].field == f) {
            return &c->emit[i];
        }
    }
    fail_msg("%s is not emitted", name);
    return NULL;
}

static void
assert_slice(dfx_str_t s, const char *want)
{
    if (s.len != strlen(want) || (s.len && memcmp(s.data, want, s.len))) {
        fail_msg("got [%.*s], want [%s]", (int) s.len,
                 s.data ? s.data : "", want);
    }
}

/* The translated value of field in t, "" meaning the empty slice. */
static void
assert_value(const dfx_chain_t *c, const dfx_dict_t *d, const trec_t *t,
             const char *field, const char *want)
{
    dfx_rec_ctx_t  rc;
    dfx_buf_t      scratch = DFX_BUF_INIT;

    memset(&rc, 0, sizeof(rc));
    rc.rec = &t->r;
    rc.chain = c;
    rc.dict = d;
    assert_int_equal(emit_of(c, field)->fmt, DFX_FMT_UTAG);
    assert_slice(dfx_universal_tag_value(&rc, emit_of(c, field), &scratch),
                 want);
    dfx_buf_free(&scratch);
}

static void
assert_labels(const dfx_chain_t *c, const dfx_dict_t *d, const trec_t *t,
              unsigned side, const char *want)
{
    dfx_rec_ctx_t  rc;
    dfx_buf_t      out = DFX_BUF_INIT;

    memset(&rc, 0, sizeof(rc));
    rc.rec = &t->r;
    rc.chain = c;
    rc.dict = d;
    assert_int_equal(dfx_buf_append_lit(&out, "{"), 0);
    assert_int_equal(dfx_universal_tag_labels(&rc, side, &out), 0);
    if (out.len - 1 != strlen(want)
        || memcmp(out.data + 1, want, out.len - 1) != 0)
    {
        fail_msg("side %u: got [%.*s], want [%s]", side, (int) out.len - 1,
                 out.data + 1, want);
    }
    dfx_buf_free(&out);
}

static dfx_dict_t *
dict_of(const char *json)
{
    char         err[256] = "";
    dfx_dict_t  *d = dfx_dict_parse(json, strlen(json), err, sizeof(err));

    if (d == NULL) {
        fail_msg("dictionary: %s", err);
    }
    return d;
}

#define TAGS      "    export-fields: [$tag, $metrics]\n"
#define NO_ENUMS  "    enum-translate-to-name-disabled: true\n"

/* ---- the plan ----------------------------------------------------- */

static void
test_init_marks_fields(void **state)
{
    const dfx_emit_t  *e;
    const dfx_field_t *f;
    tchain_t           tc;
    size_t             i, n = 0;
    char               key[64];

    (void) state;
    chain_open(&tc, L7, TAGS, 1);
    for (i = 0; i < tc.chain->nemit; i++) {
        e = &tc.chain->emit[i];
        f = &tc.chain->schema->fields[e->field];
        if (f->utag == DFX_UTAG_NONE) {
            assert_int_not_equal(e->fmt, DFX_FMT_UTAG);
            continue;
        }
        n++;
        assert_int_equal(e->fmt, DFX_FMT_UTAG);
        snprintf(key, sizeof(key), "\"%s\":", f->utag_key);
        assert_slice(e->key, key);
        snprintf(key, sizeof(key), "\"%s\":", f->name);
        assert_slice(e->key_raw, key);
    }
    /* 19 translated tags per side less agent's second side: 37 */
    assert_int_equal(n, 37);
    assert_slice(emit_of(tc.chain, "region_id_0")->key, "\"region_0\":");
    assert_slice(emit_of(tc.chain, "agent_id")->key, "\"agent\":");
    assert_slice(emit_of(tc.chain, "l3_device_type_1")->key,
                 "\"l3_device_type_1\":");
    /* the enum of auto_*_type stays for requests with no dictionary */
    assert_non_null(emit_of(tc.chain, "auto_instance_type_0")->xlat);
    assert_non_null(emit_of(tc.chain, "auto_service_type_1")->xlat);
    assert_null(emit_of(tc.chain, "region_id_0")->xlat);
    /* not universal tags: epc_id_*, pod_group_type_* (an enum) */
    assert_int_equal(emit_of(tc.chain, "epc_id_0")->fmt, DFX_FMT_RAW);
    assert_int_equal(emit_of(tc.chain, "pod_group_type_0")->fmt,
                     DFX_FMT_ENUM);
    chain_close(&tc);

    /* enum translation off: nothing to fall back to */
    chain_open(&tc, L7, TAGS NO_ENUMS, 1);
    assert_int_equal(emit_of(tc.chain, "auto_instance_type_0")->fmt,
                     DFX_FMT_UTAG);
    assert_null(emit_of(tc.chain, "auto_instance_type_0")->xlat);
    chain_close(&tc);

    /* map flow_metrics: the output name loses its "_id" */
    chain_open(&tc, NM, TAGS NO_ENUMS, 1);
    assert_slice(emit_of(tc.chain, "region_id")->key, "\"region_0\":");
    assert_slice(emit_of(tc.chain, "region_id")->key_raw,
                 "\"region_id_0\":");
    assert_slice(emit_of(tc.chain, "auto_service_id_1")->key,
                 "\"auto_service_1\":");
    chain_close(&tc);

    /* translation disabled: raw ids under their own keys */
    chain_open(&tc, L7, TAGS "    universal-tag-translate-to-name-disabled: "
               "true\n", 1);
    for (i = 0; i < tc.chain->nemit; i++) {
        assert_int_not_equal(tc.chain->emit[i].fmt, DFX_FMT_UTAG);
    }
    assert_slice(emit_of(tc.chain, "region_id_0")->key, "\"region_id_0\":");
    chain_close(&tc);

    /* only the selected fields are marked */
    chain_open(&tc, L7, "    export-fields: [region_id_1, server_port]\n", 1);
    assert_int_equal(tc.chain->nemit, 2);
    assert_int_equal(emit_of(tc.chain, "region_id_1")->fmt, DFX_FMT_UTAG);
    assert_int_equal(emit_of(tc.chain, "server_port")->fmt, DFX_FMT_RAW);
    chain_close(&tc);
}

/* ---- lookups ------------------------------------------------------ */

static void
test_id_maps(void **state)
{
    tchain_t  tc;
    trec_t    t;

    (void) state;
    chain_open(&tc, L7, TAGS NO_ENUMS, 0);
    urec_init(&t, L7);
    set_u(&t, "region_id_0", 1);
    set_u(&t, "region_id_1", 9);
    set_u(&t, "az_id_0", 3);
    set_u(&t, "az_id_1", 5);
    set_u(&t, "host_id_0", 12);
    set_u(&t, "host_id_1", 25547);
    set_u(&t, "pod_node_id_0", 201);
    set_u(&t, "pod_ns_id_0", 32);
    set_u(&t, "pod_ns_id_1", 14);
    set_u(&t, "pod_group_id_0", 117);
    set_u(&t, "pod_group_id_1", 1729);
    set_u(&t, "pod_id_0", 25547);
    set_u(&t, "pod_id_1", 47570);
    set_u(&t, "pod_cluster_id_0", 4);
    set_i(&t, "l3_epc_id_0", 2);
    set_i(&t, "l3_epc_id_1", -2);
    set_u(&t, "subnet_id_0", 1478);
    set_u(&t, "subnet_id_1", 1924);
    set_u(&t, "gprocess_id_0", 87215);
    set_u(&t, "gprocess_id_1", 189133);
    set_u(&t, "agent_id", 152);

    assert_value(tc.chain, fixture, &t, "region_id_0", "\"cn-beijing\"");
    assert_value(tc.chain, fixture, &t, "region_id_1", "");
    assert_value(tc.chain, fixture, &t, "az_id_0", "\"cn-beijing-a\"");
    assert_value(tc.chain, fixture, &t, "az_id_1", "\"cn-beijing-c\"");
    /* host: device type 6 only */
    assert_value(tc.chain, fixture, &t, "host_id_0", "\"hv-node-12\"");
    assert_value(tc.chain, fixture, &t, "host_id_1", "");
    assert_value(tc.chain, fixture, &t, "pod_node_id_0", "\"k8s-node-01\"");
    assert_value(tc.chain, fixture, &t, "pod_node_id_1", "");
    assert_value(tc.chain, fixture, &t, "pod_ns_id_0", "\"shop\"");
    assert_value(tc.chain, fixture, &t, "pod_ns_id_1", "\"db\"");
    assert_value(tc.chain, fixture, &t, "pod_group_id_0", "\"order-svc\"");
    assert_value(tc.chain, fixture, &t, "pod_group_id_1", "\"mysql\"");
    assert_value(tc.chain, fixture, &t, "pod_id_0",
                 "\"order-svc-7d9f8c6b5-x2k4q\"");
    assert_value(tc.chain, fixture, &t, "pod_id_1", "\"mysql-0\"");
    assert_value(tc.chain, fixture, &t, "pod_cluster_id_0", "\"prod-k8s\"");
    assert_value(tc.chain, fixture, &t, "l3_epc_id_0", "\"vpc-prod\"");
    /* -2 (Internet) never resolves */
    assert_value(tc.chain, fixture, &t, "l3_epc_id_1", "");
    assert_value(tc.chain, fixture, &t, "subnet_id_0", "\"subnet-pod-a\"");
    assert_value(tc.chain, fixture, &t, "subnet_id_1", "\"subnet-pod-b\"");
    assert_value(tc.chain, fixture, &t, "gprocess_id_0", "\"java\"");
    assert_value(tc.chain, fixture, &t, "gprocess_id_1", "\"mysqld\"");
    assert_value(tc.chain, fixture, &t, "agent_id", "\"k8s-node-01-V152\"");

    /* no dictionary: nothing to say (the encoder then emits raw ids) */
    assert_value(tc.chain, NULL, &t, "region_id_0", "");
    chain_close(&tc);
}

static void
test_device_types(void **state)
{
    static const struct {
        unsigned     code;
        const char  *name;
    } known[] = {
        { 0, "internet_ip" }, { 1, "chost" }, { 5, "router" },
        { 6, "host" }, { 9, "dhcpgw" }, { 10, "pod" },
        { 11, "pod_service" }, { 12, "redis" }, { 13, "rds" },
        { 14, "pod_node" }, { 15, "lb" }, { 16, "natgw" },
        { 101, "pod_group" }, { 102, "service" }, { 120, "gprocess" },
        { 255, "ip" },
    };
    tchain_t  tc;
    trec_t    t;
    unsigned  code, k;
    char      want[32];

    (void) state;
    chain_open(&tc, L7, TAGS NO_ENUMS, 0);
    urec_init(&t, L7);
    for (code = 0; code < 256; code++) {
        want[0] = '\0';
        for (k = 0; k < dfx_nelems(known); k++) {
            if (known[k].code == code) {
                snprintf(want, sizeof(want), "\"%s\"", known[k].name);
            }
        }
        set_u(&t, "l3_device_type_0", code);
        set_u(&t, "auto_instance_type_1", code);
        set_u(&t, "auto_service_type_0", code);
        assert_value(tc.chain, fixture, &t, "l3_device_type_0", want);
        assert_value(tc.chain, fixture, &t, "auto_instance_type_1", want);
        assert_value(tc.chain, fixture, &t, "auto_service_type_0", want);
    }
    chain_close(&tc);
}

static void
test_devices(void **state)
{
    tchain_t  tc;
    trec_t    t;

    (void) state;
    chain_open(&tc, L7, TAGS NO_ENUMS, 0);
    urec_init(&t, L7);

    /* l3_device: the side's own l3_device_type */
    set_u(&t, "l3_device_type_0", 10);
    set_u(&t, "l3_device_id_0", 25547);
    set_u(&t, "l3_device_type_1", 11);
    set_u(&t, "l3_device_id_1", 401);
    assert_value(tc.chain, fixture, &t, "l3_device_id_0",
                 "\"order-svc-7d9f8c6b5-x2k4q\"");
    assert_value(tc.chain, fixture, &t, "l3_device_id_1", "\"mysql-svc\"");
    set_u(&t, "l3_device_type_1", 10);
    assert_value(tc.chain, fixture, &t, "l3_device_id_1", "");

    /* service: a K8s Service, device type 11 (DeepFlow looked up 102) */
    set_u(&t, "service_id_1", 401);
    set_u(&t, "service_id_0", 117);
    assert_value(tc.chain, fixture, &t, "service_id_1", "\"mysql-svc\"");
    assert_value(tc.chain, fixture, &t, "service_id_0", "");

    /* auto_instance / auto_service: (type, id) of the same side */
    set_u(&t, "auto_instance_type_0", 10);
    set_u(&t, "auto_instance_id_0", 25547);
    set_u(&t, "auto_service_type_0", 130);
    set_u(&t, "auto_service_id_0", 117);
    set_u(&t, "auto_instance_type_1", 10);
    set_u(&t, "auto_instance_id_1", 47570);
    set_u(&t, "auto_service_type_1", 11);
    set_u(&t, "auto_service_id_1", 401);
    assert_value(tc.chain, fixture, &t, "auto_instance_id_0",
                 "\"order-svc-7d9f8c6b5-x2k4q\"");
    assert_value(tc.chain, fixture, &t, "auto_service_id_0",
                 "\"order-svc\"");
    assert_value(tc.chain, fixture, &t, "auto_instance_id_1",
                 "\"mysql-0\"");
    assert_value(tc.chain, fixture, &t, "auto_service_id_1",
                 "\"mysql-svc\"");
    /* the type string of a pod group type is "" (DeepFlow's table) */
    assert_value(tc.chain, fixture, &t, "auto_service_type_0", "");
    assert_value(tc.chain, fixture, &t, "auto_service_type_1",
                 "\"pod_service\"");
    set_u(&t, "auto_service_type_0", 131);
    assert_value(tc.chain, fixture, &t, "auto_service_id_0", "");
    chain_close(&tc);
}

static void
test_internet_addresses(void **state)
{
    tchain_t  tc;
    trec_t    t;

    (void) state;
    chain_open(&tc, L7, TAGS NO_ENUMS, 0);
    urec_init(&t, L7);
    set_u(&t, "is_ipv4", 1);
    set_ip4(&t, "ip4_0", "10.244.1.23");
    set_ip4(&t, "ip4_1", "93.184.216.34");
    set_u(&t, "auto_instance_type_1", 0);
    set_u(&t, "auto_instance_id_1", 0);
    set_u(&t, "auto_service_type_1", 255);
    set_u(&t, "auto_service_id_1", 77);
    set_u(&t, "l3_device_type_1", 0);

    assert_value(tc.chain, fixture, &t, "auto_instance_id_1",
                 "\"93.184.216.34\"");
    assert_value(tc.chain, fixture, &t, "auto_service_id_1",
                 "\"93.184.216.34\"");
    assert_value(tc.chain, fixture, &t, "auto_instance_type_1",
                 "\"internet_ip\"");
    assert_value(tc.chain, fixture, &t, "auto_service_type_1", "\"ip\"");
    assert_value(tc.chain, fixture, &t, "l3_device_type_1",
                 "\"internet_ip\"");
    /* the client side of the same record is its own address */
    set_u(&t, "auto_instance_type_0", 255);
    assert_value(tc.chain, fixture, &t, "auto_instance_id_0",
                 "\"10.244.1.23\"");

    /* IPv6 record: the side's IPv6 address, in the messages' form */
    set_u(&t, "is_ipv4", 0);
    set_ip6(&t, "ip6_1", "2001:0db8:0:0:0:0:0:0005");
    assert_value(tc.chain, fixture, &t, "auto_instance_id_1",
                 "\"2001:db8::5\"");
    /* ... unless the record has none for that side */
    assert_value(tc.chain, fixture, &t, "auto_instance_id_0",
                 "\"10.244.1.23\"");
    chain_close(&tc);
}

static void
test_unknown_and_empty_names(void **state)
{
    dfx_dict_t  *d;
    tchain_t     tc;
    trec_t       t;

    (void) state;
    d = dict_of("{\"region_map\":[{\"id\":1,\"name\":\"\"},"
                "{\"id\":2,\"name\":\"a\\\"b\"}]}");
    chain_open(&tc, L7, TAGS NO_ENUMS, 0);
    urec_init(&t, L7);
    set_u(&t, "region_id_0", 1);
    set_u(&t, "region_id_1", 2);
    set_u(&t, "az_id_0", 1);
    /* an empty name is no name: the empty-tag rule applies */
    assert_value(tc.chain, d, &t, "region_id_0", "");
    /* names come escaped */
    assert_value(tc.chain, d, &t, "region_id_1", "\"a\\\"b\"");
    assert_value(tc.chain, d, &t, "az_id_0", "");
    assert_value(tc.chain, d, &t, "pod_id_0", "");
    chain_close(&tc);
    dfx_dict_release(d);
}

static void
test_single_side_sources(void **state)
{
    tchain_t  tc;
    trec_t    t;

    (void) state;
    /* events translate their own gprocess_id (DeepFlow passed 0) */
    chain_open(&tc, FE, TAGS NO_ENUMS, 0);
    urec_init(&t, FE);
    set_u(&t, "gprocess_id", 87215);
    set_u(&t, "region_id", 1);
    set_u(&t, "l3_device_type", 10);
    set_u(&t, "l3_device_id", 25547);
    set_u(&t, "auto_instance_type", 0);
    set_ip4(&t, "ip4", "10.244.1.23");
    set_u(&t, "is_ipv4", 1);
    assert_value(tc.chain, fixture, &t, "gprocess_id", "\"java\"");
    assert_value(tc.chain, fixture, &t, "region_id", "\"cn-beijing\"");
    assert_value(tc.chain, fixture, &t, "l3_device_id",
                 "\"order-svc-7d9f8c6b5-x2k4q\"");
    assert_value(tc.chain, fixture, &t, "auto_instance_id",
                 "\"10.244.1.23\"");
    chain_close(&tc);

    chain_open(&tc, NW, TAGS NO_ENUMS, 0);
    urec_init(&t, NW);
    set_u(&t, "pod_id", 30001);
    set_u(&t, "service_id", 401);
    assert_value(tc.chain, fixture, &t, "pod_id",
                 "\"frontend-5c7b9d-abcde\"");
    assert_value(tc.chain, fixture, &t, "service_id", "\"mysql-svc\"");
    chain_close(&tc);
}

/* ---- labels ------------------------------------------------------- */

static void
test_labels(void **state)
{
    tchain_t  tc;
    trec_t    t;

    (void) state;
    urec_init(&t, L7);
    set_u(&t, "pod_id_0", 25547);
    set_u(&t, "pod_id_1", 47570);

    /* one name: the server pod has no such label */
    chain_open(&tc, L7, "    export-fields: [$tag, $metrics, "
               "$k8s.label.app]\n", 1);
    assert_labels(tc.chain, fixture, &t, 0,
                  ",\"k8s_label_names_0\":[\"app\"],"
                  "\"k8s_label_values_0\":[\"order-svc\"]");
    assert_labels(tc.chain, fixture, &t, 1, "");
    assert_labels(tc.chain, NULL, &t, 0, "");
    chain_close(&tc);

    /* all, in the order of the pod's arrays */
    chain_open(&tc, L7, "    export-fields: [$k8s.label]\n", 1);
    assert_labels(tc.chain, fixture, &t, 0,
                  ",\"k8s_label_names_0\":[\"app\",\"pod-template-hash\","
                  "\"version\"],\"k8s_label_values_0\":[\"order-svc\","
                  "\"7d9f8c6b5\",\"v1\"]");
    assert_labels(tc.chain, fixture, &t, 1,
                  ",\"k8s_label_names_1\":[\"statefulset.kubernetes.io/"
                  "pod-name\",\"tier\"],\"k8s_label_values_1\":[\"mysql-0\","
                  "\"db\"]");
    chain_close(&tc);

    /* names and regexes: the dictionary's order, not the selection's */
    chain_open(&tc, L7, "    export-fields: [$tag, '$k8s.label.version', "
               "'~$k8s.label.^(tier|app)$']\n", 1);
    assert_labels(tc.chain, fixture, &t, 0,
                  ",\"k8s_label_names_0\":[\"app\",\"version\"],"
                  "\"k8s_label_values_0\":[\"order-svc\",\"v1\"]");
    assert_labels(tc.chain, fixture, &t, 1,
                  ",\"k8s_label_names_1\":[\"tier\"],"
                  "\"k8s_label_values_1\":[\"db\"]");
    chain_close(&tc);

    /* regexes search (unanchored) */
    chain_open(&tc, L7, "    export-fields: [$tag, "
               "'~$k8s.label.kubernetes']\n", 1);
    assert_labels(tc.chain, fixture, &t, 0, "");
    assert_labels(tc.chain, fixture, &t, 1,
                  ",\"k8s_label_names_1\":[\"statefulset.kubernetes.io/"
                  "pod-name\"],\"k8s_label_values_1\":[\"mysql-0\"]");
    chain_close(&tc);

    /* no selection: nothing */
    chain_open(&tc, L7, TAGS, 1);
    assert_labels(tc.chain, fixture, &t, 0, "");
    chain_close(&tc);

    /* the id translation off: raw ids, and still the selected labels */
    chain_open(&tc, L7, "    export-fields: [$tag, $k8s.label.app]\n"
               "    universal-tag-translate-to-name-disabled: true\n", 1);
    assert_int_not_equal(emit_of(tc.chain, "pod_id_0")->fmt, DFX_FMT_UTAG);
    assert_labels(tc.chain, fixture, &t, 0,
                  ",\"k8s_label_names_0\":[\"app\"],"
                  "\"k8s_label_values_0\":[\"order-svc\"]");
    chain_close(&tc);

    /* a pod the dictionary has no labels for, or no pod */
    chain_open(&tc, L7, "    export-fields: [$k8s.label]\n", 1);
    set_u(&t, "pod_id_0", 401);
    assert_labels(tc.chain, fixture, &t, 0, "");
    urec_init(&t, L7);
    assert_labels(tc.chain, fixture, &t, 1, "");
    chain_close(&tc);
}

static void
test_labels_escaped_single_side(void **state)
{
    dfx_dict_t  *d;
    tchain_t     tc;
    trec_t       t;

    (void) state;
    d = dict_of("{\"pod_k8s_label_map\":[{\"pod_id\":9,"
                "\"label_name\":[\"a\\\"b\",\"c\\\\d\"],"
                "\"label_value\":[\"x\\ny\",\"\\u0001\"]}]}");
    chain_open(&tc, NW, "    export-fields: [$k8s.label]\n", 1);
    urec_init(&t, NW);
    set_u(&t, "pod_id", 9);
    assert_labels(tc.chain, d, &t, 0,
                  ",\"k8s_label_names\":[\"a\\\"b\",\"c\\\\d\"],"
                  "\"k8s_label_values\":[\"x\\ny\",\"\\u0001\"]");
    /* a single-sided data source has no side 1 */
    assert_labels(tc.chain, d, &t, 1, "");
    chain_close(&tc);

    /* the selection matches the unescaped name */
    chain_open(&tc, NW, "    export-fields: [$tag, '$k8s.label.a\"b']\n", 1);
    assert_labels(tc.chain, d, &t, 0,
                  ",\"k8s_label_names\":[\"a\\\"b\"],"
                  "\"k8s_label_values\":[\"x\\ny\"]");
    chain_close(&tc);
    dfx_dict_release(d);
}

/* ---- DeepFlow's network_map example ------------------------------- */

static void
test_network_map_example(void **state)
{
    static const char  want[] =
        "\"ip4_0\":\"10.244.1.23\",\"l3_epc_0\":\"vpc-prod\","
        "\"l3_device_0\":\"order-svc-7d9f8c6b5-x2k4q\","
        "\"l3_device_type_0\":\"pod\",\"region_0\":\"cn-beijing\","
        "\"subnet_0\":\"subnet-pod-a\",\"host_0\":\"hv-node-12\","
        "\"pod_node_0\":\"k8s-node-01\",\"az_0\":\"cn-beijing-a\","
        "\"pod_group_0\":\"order-svc\",\"pod_ns_0\":\"shop\","
        "\"pod_0\":\"order-svc-7d9f8c6b5-x2k4q\","
        "\"pod_cluster_0\":\"prod-k8s\","
        "\"auto_instance_0\":\"order-svc-7d9f8c6b5-x2k4q\","
        "\"auto_instance_type_0\":\"pod\",\"auto_service_0\":\"order-svc\","
        "\"gprocess_0\":\"java\",\"ip4_1\":\"10.244.2.41\","
        "\"l3_epc_1\":\"vpc-prod\",\"l3_device_1\":\"mysql-0\","
        "\"l3_device_type_1\":\"pod\",\"region_1\":\"cn-beijing\","
        "\"subnet_1\":\"subnet-pod-b\",\"host_1\":\"hv-node-14\","
        "\"pod_node_1\":\"k8s-node-02\",\"az_1\":\"cn-beijing-c\","
        "\"pod_group_1\":\"mysql\",\"pod_ns_1\":\"db\","
        "\"pod_1\":\"mysql-0\",\"pod_cluster_1\":\"prod-k8s\","
        "\"auto_instance_1\":\"mysql-0\",\"auto_instance_type_1\":\"pod\","
        "\"auto_service_1\":\"mysql-svc\","
        "\"auto_service_type_1\":\"pod_service\","
        "\"gprocess_1\":\"mysqld\",\"protocol\":\"TCP\","
        "\"server_port\":3306,\"agent\":\"k8s-node-01-V152\",";
    static const char  labels[] =
        ",\"k8s_label_names_0\":[\"app\"],"
        "\"k8s_label_values_0\":[\"order-svc\"],\"time_str\":\"";
    dfx_rec_ctx_t  rc;
    dfx_buf_t      out = DFX_BUF_INIT;
    tchain_t       tc;
    trec_t         t;
    char          *msg;

    (void) state;
    chain_open(&tc, NM, "    export-fields: [$tag, $metrics, "
               "$k8s.label.app]\n", 1);
    urec_init(&t, NM);
    set_ip4(&t, "ip4_0", "10.244.1.23");
    set_i(&t, "l3_epc_id_0", 2);
    set_u(&t, "l3_device_id_0", 25547);
    set_u(&t, "l3_device_type_0", 10);
    set_u(&t, "region_id_0", 1);
    set_u(&t, "subnet_id_0", 1478);
    set_u(&t, "host_id_0", 12);
    set_u(&t, "pod_node_id_0", 201);
    set_u(&t, "az_id_0", 3);
    set_u(&t, "pod_group_id_0", 117);
    set_u(&t, "pod_ns_id_0", 32);
    set_u(&t, "pod_id_0", 25547);
    set_u(&t, "pod_cluster_id_0", 4);
    set_u(&t, "auto_instance_id_0", 25547);
    set_u(&t, "auto_instance_type_0", 10);
    set_u(&t, "auto_service_id_0", 117);
    set_u(&t, "auto_service_type_0", 130);
    set_u(&t, "gprocess_id_0", 87215);
    set_ip4(&t, "ip4_1", "10.244.2.41");
    set_i(&t, "l3_epc_id_1", 2);
    set_u(&t, "l3_device_id_1", 47570);
    set_u(&t, "l3_device_type_1", 10);
    set_u(&t, "region_id_1", 1);
    set_u(&t, "subnet_id_1", 1924);
    set_u(&t, "host_id_1", 14);
    set_u(&t, "pod_node_id_1", 202);
    set_u(&t, "az_id_1", 5);
    set_u(&t, "pod_group_id_1", 1729);
    set_u(&t, "pod_ns_id_1", 14);
    set_u(&t, "pod_id_1", 47570);
    set_u(&t, "pod_cluster_id_1", 4);
    set_u(&t, "auto_instance_id_1", 47570);
    set_u(&t, "auto_instance_type_1", 10);
    set_u(&t, "auto_service_id_1", 401);
    set_u(&t, "auto_service_type_1", 11);
    set_u(&t, "gprocess_id_1", 189133);
    set_u(&t, "protocol", 6);
    set_u(&t, "server_port", 3306);
    set_u(&t, "agent_id", 152);
    set_u(&t, "is_ipv4", 1);

    memset(&rc, 0, sizeof(rc));
    rc.rec = &t.r;
    rc.chain = tc.chain;
    rc.dict = fixture;
    rc.out = &out;
    rc.drop_group = -1;
    assert_int_equal(dfx_chain_run(tc.chain, &rc), DFX_OK);
    assert_int_equal(dfx_buf_putc(&out, '\0'), 0);
    msg = out.data;

    if (strstr(msg, want) == NULL || strstr(msg, labels) == NULL) {
        fprintf(stderr, "message: %s\n", msg);
        fail();
    }
    /* service_0/_1 are 0: no name, left out like any empty tag */
    assert_null(strstr(msg, "\"service_"));
    assert_null(strstr(msg, "_id_"));
    assert_null(strstr(msg, "k8s_label_names_1"));

    /* the same record while no dictionary is loaded: raw ids, original
     * keys (network_map has no enum for auto_*_type), no labels */
    out.len = 0;
    rc.dict = NULL;
    assert_int_equal(dfx_chain_run(tc.chain, &rc), DFX_OK);
    assert_int_equal(dfx_buf_putc(&out, '\0'), 0);
    msg = out.data;
    if (strstr(msg, "\"region_id_0\":1,") == NULL
        || strstr(msg, "\"auto_instance_type_0\":10,") == NULL
        || strstr(msg, "\"auto_service_id_1\":401,") == NULL
        || strstr(msg, "k8s_label") != NULL
        || strstr(msg, "\"region_0\"") != NULL)
    {
        fprintf(stderr, "message without dictionary: %s\n", msg);
        fail();
    }

    chain_close(&tc);
    dfx_buf_free(&out);
}

static int
setup(void **state)
{
    char  err[512] = "";

    (void) state;
    if (dfx_schema_init() != 0) {
        return -1;
    }
    fixture = dfx_dict_load(DFX_TEST_FIXTURES "/dictionary.json", err,
                            sizeof(err));
    if (fixture == NULL) {
        print_error("%s\n", err);
        return -1;
    }
    enums = dfx_enums_load(DFX_TEST_ENUM_DIR, err, sizeof(err));
    if (enums == NULL) {
        print_error("%s\n", err);
        return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    dfx_dict_release(fixture);
    dfx_enums_free(enums);
    dfx_schema_cleanup();
    dfx_buf_free(&conf_log);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_init_marks_fields),
        cmocka_unit_test(test_id_maps),
        cmocka_unit_test(test_device_types),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_internet_addresses),
        cmocka_unit_test(test_unknown_and_empty_names),
        cmocka_unit_test(test_single_side_sources),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_labels_escaped_single_side),
        cmocka_unit_test(test_network_map_example),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
