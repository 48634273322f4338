/*
 * test_dfx_export_fields.c: the emit plan a chain is built with.
 *
 * export-fields (which fields, in which order, each once; label
 * selections), then what empty_rules, enum_translate and universal_tag
 * mark on it.  Confs are made by hand so that entries DeepFlow ignores
 * ($service_info, $merics, unknown names) reach the module as they would
 * from a DeepFlow config.  Expected field lists are written out from the
 * SPEC section 8 tables.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_core.h"
#include "dfx_module.h"
#include "dfx_schema.h"
#include "empty_rules/dfx_empty_rules_conf.h"
#include "enum_translate/dfx_enum_dict.h"
#include "enum_translate/dfx_enum_translate_conf.h"
#include "export_fields/dfx_export_fields_conf.h"
#include "tag_filter/dfx_tag_filter_conf.h"
#include "universal_tag/dfx_universal_tag_conf.h"

#ifndef DFX_TEST_ENUM_DIR
#error "DFX_TEST_ENUM_DIR: the project's conf/enum"
#endif

extern const dfx_module_t  dfx_tag_filter_module;
extern const dfx_module_t  dfx_export_fields_module;
extern const dfx_module_t  dfx_empty_rules_module;
extern const dfx_module_t  dfx_enum_translate_module;
extern const dfx_module_t  dfx_universal_tag_module;

static dfx_enums_t  *enums;

typedef struct tconf_s {
    const char  *ds;
    const char  *fields[16];     /* export-fields, NULL-terminated */
    int          empty_tag;
    int          zero_metrics;
    int          enum_off;
    int          utag_on;
    int          no_enums;       /* build without enum dictionaries */
} tconf_t;

typedef struct tchain_s {
    dfx_conf_exporter_t         ec;
    dfx_tag_filter_conf_t       tf;
    dfx_export_fields_conf_t    xf;
    dfx_empty_rules_conf_t      er;
    dfx_enum_translate_conf_t   et;
    dfx_universal_tag_conf_t    ut;
    dfx_conf_str_t              strs[16];
    dfx_chain_t                *chain;
} tchain_t;

static void
set_mconf(dfx_conf_exporter_t *ec, const dfx_module_t *m, void *conf)
{
    int  i = dfx_module_index(m);

    assert_true(i >= 0 && i < DFX_MODULE_MAX);
    ec->mconf[i] = conf;
}

/* The chain, or NULL when dfx_chain_create() refused the conf. */
static tchain_t *
chain_try(const tconf_t *tc)
{
    tchain_t  *t;
    size_t     n;

    t = calloc(1, sizeof(*t));
    assert_non_null(t);
    for (n = 0; tc->fields[n] != NULL; n++) {
        t->strs[n].v = (char *) (uintptr_t) tc->fields[n];
        t->strs[n].m.set = 1;
    }
    t->xf.fields.v = t->strs;
    t->xf.fields.n = n;
    t->xf.fields.m.set = n != 0;
    t->er.export_empty_tag.v = tc->empty_tag;
    t->er.export_empty_metrics_disabled.v = tc->zero_metrics;
    t->et.disabled.v = tc->enum_off;
    t->ut.disabled.v = !tc->utag_on;
    set_mconf(&t->ec, &dfx_tag_filter_module, &t->tf);
    set_mconf(&t->ec, &dfx_export_fields_module, &t->xf);
    set_mconf(&t->ec, &dfx_empty_rules_module, &t->er);
    set_mconf(&t->ec, &dfx_enum_translate_module, &t->et);
    set_mconf(&t->ec, &dfx_universal_tag_module, &t->ut);

    t->chain = dfx_chain_create(&t->ec,
                                dfx_schema_find(tc->ds, strlen(tc->ds)),
                                tc->no_enums ? NULL : enums);
    if (t->chain == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

static tchain_t *
chain_new(const tconf_t *tc)
{
    tchain_t  *t = chain_try(tc);

    assert_non_null(t);
    return t;
}

static void
chain_free(tchain_t *t)
{
    dfx_chain_destroy(t->chain);
    free(t);
}

/* The emitted fields' names, comma-separated, in plan order. */
static char *
plan_names(const dfx_chain_t *c)
{
    const char  *name;
    size_t       i, len = 1, n;
    char        *s, *o;

    for (i = 0; i < c->nemit; i++) {
        len += strlen(c->schema->fields[c->emit[i].field].name) + 1;
    }
    s = malloc(len);
    assert_non_null(s);
    o = s;
    for (i = 0; i < c->nemit; i++) {
        name = c->schema->fields[c->emit[i].field].name;
        n = strlen(name);
        if (i != 0) {
            *o++ = ',';
        }
        memcpy(o, name, n);
        o += n;
    }
    *o = '\0';
    return s;
}

static void
expect_plan(const tconf_t *tc, const char *want)
{
    tchain_t  *t = chain_new(tc);
    char      *got = plan_names(t->chain);
    size_t     i;

    if (strcmp(got, want) != 0) {
        print_error("export-fields:");
        for (i = 0; tc->fields[i] != NULL; i++) {
            print_error(" %s", tc->fields[i]);
        }
        print_error(" (%s)\n got: %s\nwant: %s\n", tc->ds, got, want);
        fail();
    }
    free(got);
    chain_free(t);
}

static int
group_setup(void **state)
{
    char  err[256];

    (void) state;
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
    return 0;
}

/* ---- the field lists of SPEC section 8 ------------------------------ */

#define FE_HEAD                                                             \
    "time,_id,start_time,end_time,signal_source"
#define FE_TAGS                                                             \
    "process_kname,gprocess_id,region_id,az_id,l3_epc_id,host_id,pod_id,"   \
    "host_node_id,pod_ns_id,pod_cluster_id,pod_group_id,l3_device_type,"    \
    "l3_device_id,service_id,agent_id,subnet_id,is_ipv4,ip4,ip6,org_id,"    \
    "team_id,auto_instance_id,auto_instance_type,auto_service_id,"          \
    "auto_service_type,app_instance,attribute_names,attribute_values"

#define NET_METRICS                                                         \
    "packet_tx,packet_rx,byte_tx,byte_rx,l3_byte_tx,l3_byte_rx,l4_byte_tx," \
    "l4_byte_rx,new_flow,closed_flow,l7_request,l7_response,syn_count,"     \
    "synack_count,direction_score,rtt_max,rtt_client_max,rtt_server_max,"   \
    "srt_max,art_max,rrt_max,cit_max,rtt_sum,rtt_client_sum,"               \
    "rtt_server_sum,srt_sum,art_sum,rrt_sum,cit_sum,rtt_count,"             \
    "rtt_client_count,rtt_server_count,srt_count,art_count,rrt_count,"      \
    "cit_count,retrans_tx,retrans_rx,zero_win_tx,zero_win_rx,retrans_syn,"  \
    "retrans_synack,client_rst_flow,server_rst_flow,server_syn_miss,"       \
    "client_ack_miss,client_half_close_flow,server_half_close_flow,"        \
    "client_source_port_reuse,client_establish_other_rst,server_reset,"     \
    "server_queue_lack,server_establish_other_rst,tcp_timeout,"             \
    "client_establish_fail,server_establish_fail,tcp_establish_fail,"       \
    "tcp_transfer_fail,tcp_rst_fail,l7_client_error,l7_server_error,"       \
    "l7_timeout,ooo_tx,ooo_rx,flow_load"
#define NET_TAGS                                                            \
    "thread_id,ip6,ip4,l3_epc_id,l3_device_id,l3_device_type,region_id,"    \
    "subnet_id,host_id,pod_node_id,az_id,pod_group_id,pod_ns_id,pod_id,"    \
    "pod_cluster_id,service_id,auto_instance_id,auto_instance_type,"        \
    "auto_service_id,auto_service_type,gprocess_id,role,protocol,"          \
    "server_port,agent_id,org_id,team_id,capture_network_type_id,is_ipv4,"  \
    "signal_source"

/* ---- categories ------------------------------------------------------ */

typedef struct pcase_s {
    const char  *ds;
    const char  *fields[8];
    const char  *want;
} pcase_t;

static const pcase_t  plan_cases[] = {
    /* $tag leaves event_info out; $tag.event_info adds it back */
    { "event.file_event", { "$tag", "$metrics" },
      FE_HEAD "," FE_TAGS ",bytes,duration,syscall_thread,"
      "syscall_coroutine" },
    { "event.file_event", { "$tag", "$tag.event_info", "$metrics" },
      FE_HEAD ",event_type," FE_TAGS ",bytes,duration,file_name,file_type,"
      "offset,syscall_thread,syscall_coroutine,mount_source,mount_point,"
      "file_dir,access_permission" },
    /* $tag.event_info alone selects the event_info fields (DeepFlow's
     * docs) and, like every $tag.<sub>, the tags with no sub-category */
    { "event.file_event", { "$tag.event_info" },
      "event_type,org_id,team_id,file_name,file_type,offset,mount_source,"
      "mount_point,file_dir,access_permission" },
    { "event.perf_event", { "$tag.event_info" },
      "event_type,org_id,team_id" },
    /* as with any other tag sub-category */
    { "event.file_event", { "$tag.event_info", "$tag.tracing_info" },
      "event_type,org_id,team_id,file_name,file_type,offset,"
      "syscall_thread,syscall_coroutine,mount_source,mount_point,file_dir,"
      "access_permission" },
    { "event.file_event", { "$tag.tracing_info" },
      "org_id,team_id,syscall_thread,syscall_coroutine" },
    { "flow_metrics.network.1m", { "$tag", "$metrics" },
      "time," NET_METRICS "," NET_TAGS },
    { "flow_metrics.network.1m", { "$metrics" }, NET_METRICS },
    { "flow_metrics.network.1m", { "$tag" }, "time," NET_TAGS },
    /* a sub-category keeps the fields with none (thread_id, org_id,
     * team_id; retrans_*, zero_win_*, ooo_*) */
    { "flow_metrics.network.1m", { "$tag.network_layer" },
      "thread_id,ip6,ip4,protocol,org_id,team_id,is_ipv4" },
    { "flow_metrics.network.1m", { "$metrics.delay" },
      "rtt_max,rtt_client_max,rtt_server_max,srt_max,art_max,rrt_max,"
      "cit_max,rtt_sum,rtt_client_sum,rtt_server_sum,srt_sum,art_sum,"
      "rrt_sum,cit_sum,rtt_count,rtt_client_count,rtt_server_count,"
      "srt_count,art_count,rrt_count,cit_count,retrans_tx,retrans_rx,"
      "zero_win_tx,zero_win_rx,retrans_syn,retrans_synack,ooo_tx,ooo_rx" },
    { "flow_metrics.network.1m", { "$metrics.delay", "$tag.capture_info" },
      "rtt_max,rtt_client_max,rtt_server_max,srt_max,art_max,rrt_max,"
      "cit_max,rtt_sum,rtt_client_sum,rtt_server_sum,srt_sum,art_sum,"
      "rrt_sum,cit_sum,rtt_count,rtt_client_count,rtt_server_count,"
      "srt_count,art_count,rrt_count,cit_count,retrans_tx,retrans_rx,"
      "zero_win_tx,zero_win_rx,retrans_syn,retrans_synack,ooo_tx,ooo_rx,"
      "thread_id,role,agent_id,org_id,team_id,capture_network_type_id,"
      "signal_source" },
    { "flow_log.l7_flow_log", { "$tag.flow_info" },
      "_id,time,flow_id,start_time,end_time,biz_type,biz_code,"
      "biz_scenario,biz_response_code,org_id,team_id" },
    /* the text before the first dot does not matter */
    { "flow_log.l7_flow_log", { "$anything.flow_info" },
      "_id,time,flow_id,start_time,end_time,biz_type,biz_code,"
      "biz_scenario,biz_response_code,org_id,team_id" },
    { "flow_metrics.network.1m", { "$metrics.network_layer" },
      "thread_id,ip6,ip4,protocol,org_id,team_id,is_ipv4" },
    /* "$tag." and "$tag..x" mean "$tag" */
    { "flow_metrics.network.1m", { "$tag." }, "time," NET_TAGS },
    { "flow_metrics.network.1m", { "$tag..x" }, "time," NET_TAGS },
    /* what DeepFlow ignores selects nothing */
    { "flow_metrics.network.1m",
      { "$service_info", "$merics", "$tag.nope", "$k8s", "$", "~x",
        "nope", "$k8s.label.x" }, "" },
    { "flow_metrics.network.1m", { NULL }, "" },
    /* names: Name, alias, map name; in schema order, once */
    { "flow_log.l7_flow_log",
      { "ip4_0", "capture_nic_type", "endpoint", "_trace_id_2", "nope",
        "_id", "_id", "l7_protocol_str" },
      "_id,biz_protocol,end_point,trace_id_2,ip4_0,capture_nic_type" },
    { "flow_log.l7_flow_log", { "$tag.flow_info", "time", "_id" },
      "_id,time,flow_id,start_time,end_time,biz_type,biz_code,"
      "biz_scenario,biz_response_code,org_id,team_id" },
    { "flow_metrics.network_map.1m", { "region_id", "ip4", "region_id_1" },
      "ip4_0,region_id_0,region_id_1" },
    { "flow_metrics.application_map.1m", { "region_id_0", "pod_id" },
      "region_id_0,pod_id_0" },
    /* DeepFlow's MapName on the data sources that emit the Name: the
     * client side's map name selects the field */
    { "flow_metrics.network.1m",
      { "region_id_0", "ip4_0", "ip6_0", "gprocess_id_0", "l3_epc_id" },
      "ip6,ip4,l3_epc_id,region_id,gprocess_id" },
    { "flow_metrics.network.1s", { "auto_service_type_0", "pod_id_0" },
      "pod_id,auto_service_type" },
    { "flow_metrics.application.1m", { "region_id_0", "pod_ns_id_0" },
      "region_id,pod_ns_id" },
    { "flow_metrics.application.1s", { "host_id_0" }, "host_id" },
    /* only map names: no _1 (server side, not on these data sources), no
     * field without one, no alias, and no other data source */
    { "flow_metrics.network.1m",
      { "region_id_1", "thread_id_0", "_tid_0", "protocol_0",
        "server_port_0", "region_id_0_0", "_0" }, "" },
    { "event.file_event", { "region_id_0", "pod_id_0" }, "" },
    { "event.perf_event", { "region_id_0" }, "" },
    { "flow_log.l4_flow_log", { "region_id", "ip4" }, "" },
    { "flow_metrics.network.1m", { "_tid", "time" }, "time,thread_id" },
    { "event.file_event", { "pod_node_id", "event_type" },
      "event_type,host_node_id" },
    { "flow_log.l4_flow_log", { "nat_real_ip4_0", "mac_1" },
      "mac_1,nat_real_ip_0" },
};

static void
test_plans(void **state)
{
    tconf_t  tc;
    size_t   i, k;

    (void) state;
    for (i = 0; i < dfx_nelems(plan_cases); i++) {
        memset(&tc, 0, sizeof(tc));
        tc.ds = plan_cases[i].ds;
        for (k = 0; k < 8 && plan_cases[i].fields[k] != NULL; k++) {
            tc.fields[k] = plan_cases[i].fields[k];
        }
        expect_plan(&tc, plan_cases[i].want);
    }
}

/* Keys are pre-rendered; the plan is in schema order with no repeat. */
static void
test_keys_and_order(void **state)
{
    static const char *const  sources[] = {
        "flow_log.l7_flow_log", "flow_log.l4_flow_log",
        "flow_metrics.network.1s", "flow_metrics.network_map.1m",
        "flow_metrics.application.1m", "flow_metrics.application_map.1s",
        "event.file_event", "event.perf_event",
    };
    const dfx_emit_t  *e;
    tconf_t            tc;
    tchain_t          *t;
    char               key[128];
    size_t             i, k;
    int                n;

    (void) state;
    for (i = 0; i < dfx_nelems(sources); i++) {
        memset(&tc, 0, sizeof(tc));
        tc.ds = sources[i];
        tc.fields[0] = "$k8s.label";
        tc.fields[1] = "$tag";
        t = chain_new(&tc);

        /* $k8s.label: every field */
        assert_int_equal(t->chain->nemit, t->chain->schema->nfields);
        assert_true(t->chain->labels.all);
        for (k = 0; k < t->chain->nemit; k++) {
            e = &t->chain->emit[k];
            assert_int_equal(e->field, k);
            n = snprintf(key, sizeof(key), "\"%s\":",
                         t->chain->schema->fields[k].name);
            assert_int_equal(e->key.len, (size_t) n);
            assert_memory_equal(e->key.data, key, e->key.len);
            assert_true(dfx_str_eq(e->key, e->key_raw));
        }
        chain_free(t);
    }
}

/* ---- k8s labels ------------------------------------------------------ */

static void
test_label_selection(void **state)
{
    tconf_t     tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "$k8s.label.app", "$k8s.label.k8s.annotation.app",
                    "~$k8s.label.^ap+$", "~$k8s.label.tier", "_id" },
    };
    tchain_t   *t;
    regex_t    *re;

    (void) state;
    t = chain_new(&tc);
    /* label-only entries add no field */
    assert_int_equal(t->chain->nemit, 1);
    assert_false(t->chain->labels.all);
    assert_int_equal(t->chain->labels.nnames, 2);
    assert_true(dfx_str_eq_cstr(t->chain->labels.names[0], "app"));
    assert_true(dfx_str_eq_cstr(t->chain->labels.names[1],
                                "k8s.annotation.app"));
    assert_int_equal(t->chain->labels.nregexes, 2);
    re = t->chain->labels.regexes;
    assert_int_equal(regexec(&re[0], "app", 0, NULL, 0), 0);
    assert_int_equal(regexec(&re[0], "apppp", 0, NULL, 0), 0);
    assert_int_not_equal(regexec(&re[0], "xapp", 0, NULL, 0), 0);
    /* unanchored search */
    assert_int_equal(regexec(&re[1], "x-tier-y", 0, NULL, 0), 0);
    assert_int_not_equal(regexec(&re[1], "tie", 0, NULL, 0), 0);
    chain_free(t);

    /* no label entry: no selection */
    memset(&tc, 0, sizeof(tc));
    tc.ds = "flow_log.l7_flow_log";
    tc.fields[0] = "$tag";
    t = chain_new(&tc);
    assert_false(t->chain->labels.all);
    assert_int_equal(t->chain->labels.nnames, 0);
    assert_int_equal(t->chain->labels.nregexes, 0);
    chain_free(t);
}

/* A regular expression that does not compile fails the chain (the
 * compiled ones before it are freed: ASan checks). */
static void
test_bad_regex(void **state)
{
    tconf_t  tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "~$k8s.label.ok", "~$k8s.label.(", "$tag" },
    };

    (void) state;
    assert_null(chain_try(&tc));
}

/* ---- empty rules ------------------------------------------------------ */

static void
test_empty_rule_flags(void **state)
{
    static const struct { int empty_tag, zero_metrics; } modes[] = {
        { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 },
    };
    const dfx_field_t  *f;
    const dfx_emit_t   *e;
    tconf_t             tc;
    tchain_t           *t;
    unsigned            want;
    size_t              m, k, ntag, nmetric, nnone;

    (void) state;
    for (m = 0; m < dfx_nelems(modes); m++) {
        memset(&tc, 0, sizeof(tc));
        tc.ds = "flow_log.l7_flow_log";
        tc.fields[0] = "$tag";
        tc.fields[1] = "$metrics";
        tc.fields[2] = "capture_nic_type";
        tc.empty_tag = modes[m].empty_tag;
        tc.zero_metrics = modes[m].zero_metrics;
        t = chain_new(&tc);
        ntag = nmetric = nnone = 0;
        for (k = 0; k < t->chain->nemit; k++) {
            e = &t->chain->emit[k];
            f = &t->chain->schema->fields[e->field];
            if (f->cat == DFX_CAT_TAG) {
                want = modes[m].empty_tag ? 0 : DFX_EMIT_DROP_EMPTY;
                ntag++;
            } else if (f->cat == DFX_CAT_METRICS) {
                want = modes[m].zero_metrics ? DFX_EMIT_DROP_ZERO : 0;
                nmetric++;
            } else {
                want = 0;
                nnone++;
            }
            if (e->flags != want) {
                fail_msg("%s: flags %u, want %u", f->name, e->flags, want);
            }
        }
        assert_true(ntag > 50);
        assert_true(nmetric > 5);
        assert_int_equal(nnone, 1);
        chain_free(t);
    }
}

/* ---- translations ---------------------------------------------------- */

static void
test_translation_marks(void **state)
{
    static const struct { int enum_off, utag_on; } modes[] = {
        { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 },
    };
    const dfx_field_t  *f;
    const dfx_emit_t   *e;
    const void         *dict;
    tconf_t             tc;
    tchain_t           *t;
    unsigned            want_fmt;
    size_t              m, k, nenum, nutag;

    (void) state;
    for (m = 0; m < dfx_nelems(modes); m++) {
        memset(&tc, 0, sizeof(tc));
        tc.ds = "flow_log.l7_flow_log";
        tc.fields[0] = "$tag";
        tc.fields[1] = "$metrics";
        tc.enum_off = modes[m].enum_off;
        tc.utag_on = modes[m].utag_on;
        t = chain_new(&tc);
        nenum = nutag = 0;
        for (k = 0; k < t->chain->nemit; k++) {
            e = &t->chain->emit[k];
            f = &t->chain->schema->fields[e->field];
            dict = f->enum_id != DFX_ENUM_NONE && !modes[m].enum_off
                   ? dfx_enums_get(enums, (dfx_enum_id_t) f->enum_id)
                   : NULL;
            if (f->utag != DFX_UTAG_NONE && modes[m].utag_on) {
                want_fmt = DFX_FMT_UTAG;
                nutag++;
            } else if (dict != NULL && f->utag == DFX_UTAG_NONE) {
                want_fmt = DFX_FMT_ENUM;
            } else {
                want_fmt = DFX_FMT_RAW;
            }
            nenum += dict != NULL;
            if (e->fmt != want_fmt || e->xlat != dict) {
                fail_msg("mode %zu, %s: fmt %u xlat %p, want %u %p", m,
                         f->name, e->fmt, e->xlat, want_fmt, dict);
            }
            if (e->fmt == DFX_FMT_UTAG) {
                /* the raw key stays for requests with no dictionary */
                assert_int_equal(e->key_raw.len, strlen(f->name) + 3);
                assert_memory_equal(e->key_raw.data + 1, f->name,
                                    strlen(f->name));
                assert_int_equal(e->key.len, strlen(f->utag_key) + 3);
                assert_memory_equal(e->key.data + 1, f->utag_key,
                                    strlen(f->utag_key));
            }
        }
        /* l7: 14 enum fields (4 of them universal tags too), 37
         * universal tags */
        assert_int_equal(nenum, modes[m].enum_off ? 0 : 14);
        assert_int_equal(nutag, modes[m].utag_on ? 37 : 0);
        chain_free(t);
    }
}

/* Enum translation needs the dictionaries; without them only a chain
 * that does not translate can be built. */
static void
test_no_enums(void **state)
{
    tconf_t    tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "$tag" },
        .no_enums = 1,
    };
    tchain_t  *t;

    (void) state;
    assert_null(chain_try(&tc));
    tc.enum_off = 1;
    t = chain_new(&tc);
    chain_free(t);
    /* a selection without enum fields needs none */
    memset(&tc, 0, sizeof(tc));
    tc.ds = "flow_log.l7_flow_log";
    tc.fields[0] = "$metrics";
    tc.no_enums = 1;
    t = chain_new(&tc);
    chain_free(t);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_plans),
        cmocka_unit_test(test_keys_and_order),
        cmocka_unit_test(test_label_selection),
        cmocka_unit_test(test_bad_regex),
        cmocka_unit_test(test_empty_rule_flags),
        cmocka_unit_test(test_translation_marks),
        cmocka_unit_test(test_no_enums),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
