/*
 * test_dfx_tag_filter.c: tag filters from YAML to verdict.
 *
 * Each case writes an exporter config, loads it with the real loader (so
 * conf_check parses the operators and checks the patterns), builds the
 * chain of one data source and runs the tag_filter stage on a record made
 * field by field.  Covered: every operator on string, integer (unsigned,
 * signed, 64-bit exact), IPv4, MAC, IPv6, bool, null and array fields,
 * both conditions, groups, the deprecated list, map-name aliases, the
 * drop reasons and counters.
 */
#include <arpa/inet.h>
#include <regex.h>
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

extern const dfx_module_t  dfx_tag_filter_module;

/* ---- records ------------------------------------------------------ */

static void
set_strs(trec_t *t, const char *name, const char *a, const char *b)
{
    unsigned  f = fld(t->r.schema, name);
    size_t    n = 0;

    if (a != NULL) {
        t->strs[n++] = dfx_str_cstr(a);
    }
    if (b != NULL) {
        t->strs[n++] = dfx_str_cstr(b);
    }
    t->v[f].strs.v = t->strs;
    t->v[f].strs.n = n;
    t->st[f] = DFX_SLOT_SET;
}

static void
set_f64s(trec_t *t, const char *name, double a, double b)
{
    unsigned  f = fld(t->r.schema, name);

    t->f64s[0] = a;
    t->f64s[1] = b;
    t->v[f].f64s.v = t->f64s;
    t->v[f].f64s.n = 2;
    t->st[f] = DFX_SLOT_SET;
}

/* ---- configs and chains ------------------------------------------- */

static dfx_buf_t  conf_log = DFX_BUF_INIT;

static void
conf_err_out(int is_error, const char *line)
{
    (void) is_error;
    dfx_buf_printf(&conf_log, "%s\n", line);
}

/* A kafka exporter of the given data sources with the given extra keys
 * (already indented for the exporter's mapping). */
static dfx_conf_t *
load(const char *sources, const char *keys)
{
    dfx_buf_t    y = DFX_BUF_INIT;
    dfx_conf_t  *conf;

    dfx_buf_reset(&conf_log);
    assert_int_equal(dfx_buf_printf(&y,
        "ingester:\n"
        "  exporters:\n"
        "  - protocol: kafka\n"
        "    enabled: true\n"
        "    endpoints: [127.0.0.1:9092]\n"
        "    data-sources: [%s]\n"
        "    export-fields: [$tag, $metrics]\n"
        "    enum-translate-to-name-disabled: true\n"
        "%s", sources, keys), 0);
    conf = dfx_conf_load_mem("test.yaml", y.data, y.len, 0, conf_err_out);
    if (conf == NULL) {
        fail_msg("config did not load:\n%.*s\n%.*s", (int) y.len, y.data,
                 (int) conf_log.len, conf_log.data);
    }
    dfx_buf_free(&y);
    return conf;
}

static dfx_chain_t *
chain_of(dfx_conf_t *conf, const char *source)
{
    dfx_chain_t  *c;

    assert_int_equal(conf->nexporters, 1);
    c = dfx_chain_create(&conf->exporters[0], ds(source), NULL);
    assert_non_null(c);
    return c;
}

static const dfx_stage_t *
filter_stage(const dfx_chain_t *c)
{
    size_t  i;

    for (i = 0; i < c->nstages; i++) {
        if (c->stages[i].module == &dfx_tag_filter_module) {
            return &c->stages[i];
        }
    }
    return NULL;
}

/* The verdict of the chain's tag filter: DFX_OK (also when the stage was
 * left out) or DFX_DROP, with the drop details. */
static int
verdict(const dfx_chain_t *c, const trec_t *t, int *group, const char **why)
{
    const dfx_stage_t  *st = filter_stage(c);
    dfx_rec_ctx_t       rc;
    int                 r;

    memset(&rc, 0, sizeof(rc));
    rc.rec = &t->r;
    rc.chain = c;
    rc.drop_group = -100;
    if (st == NULL) {
        return DFX_OK;
    }
    r = st->module->process(st->data, &rc);
    if (group != NULL) {
        *group = rc.drop_group;
    }
    if (why != NULL) {
        *why = rc.drop_why;
    }
    if (r == DFX_OK) {
        assert_int_equal(rc.drop_group, -100);
    }
    return r;
}

/* One filter in one group: does the record pass?  values is the YAML flow
 * sequence body, e.g. "'a', 'b'". */
static int
passes(const char *source, const trec_t *t, const char *field,
       const char *op, const char *values)
{
    dfx_buf_t     k = DFX_BUF_INIT;
    dfx_conf_t   *conf;
    dfx_chain_t  *c;
    int           r;

    assert_int_equal(dfx_buf_printf(&k,
        "    tag-filters-groups:\n"
        "    - tag-filter-condition: {type: and}\n"
        "      tag-filters:\n"
        "      - {field-name: %s, operator: \"%s\", field-values: [%s]}\n",
        field, op, values), 0);
    conf = load(source, k.data);
    c = chain_of(conf, source);
    assert_non_null(filter_stage(c));
    r = verdict(c, t, NULL, NULL);
    dfx_chain_destroy(c);
    dfx_conf_free(conf);
    dfx_buf_free(&k);
    assert_true(r == DFX_OK || r == DFX_DROP);
    return r == DFX_OK;
}

#define L7  "flow_log.l7_flow_log"
#define L4  "flow_log.l4_flow_log"
#define NM  "flow_metrics.network_map.1m"

#define PASS(t, f, op, v)  assert_true(passes(src, (t), (f), (op), (v)))
#define DROP(t, f, op, v)  assert_false(passes(src, (t), (f), (op), (v)))

/* ---- operators by field type -------------------------------------- */

static void
test_string(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_s(&t, "request_domain", "order-svc.shop.svc");

    PASS(&t, "request_domain", "=", "'x', 'order-svc.shop.svc'");
    DROP(&t, "request_domain", "=", "'x', 'order-svc.shop'");
    DROP(&t, "request_domain", "=", "'Order-svc.shop.svc'");
    PASS(&t, "request_domain", "in", "'order-svc.shop.svc'");
    DROP(&t, "request_domain", "in", "'a', 'b'");
    PASS(&t, "request_domain", "IN", "'order-svc.shop.svc'");
    DROP(&t, "request_domain", "!=", "'order-svc.shop.svc', 'x'");
    PASS(&t, "request_domain", "!=", "'x'");
    DROP(&t, "request_domain", "not in", "'order-svc.shop.svc'");
    PASS(&t, "request_domain", "not in", "'a', 'b'");

    /* wildcard: unanchored search, "*" is ".*", "." keeps its meaning */
    PASS(&t, "request_domain", ":", "'svc.shop*'");
    PASS(&t, "request_domain", ":", "'order-*'");
    DROP(&t, "request_domain", ":", "'payment-*'");
    PASS(&t, "request_domain", ":", "'order.svc'");
    DROP(&t, "request_domain", ":", "'^shop*'");
    PASS(&t, "request_domain", ":", "'nothing', 'shop'");
    DROP(&t, "request_domain", "!:", "'order-*'");
    PASS(&t, "request_domain", "!:", "'payment-*'");
    DROP(&t, "request_domain", "!:", "'nothing', 'shop'");

    /* regex: POSIX ERE, unanchored */
    PASS(&t, "request_domain", "~", "'svc$'");
    PASS(&t, "request_domain", "~", "'shop'");
    DROP(&t, "request_domain", "~", "'^shop'");
    PASS(&t, "request_domain", "~", "'^x', '^order-[a-z]+\\.'");
    DROP(&t, "request_domain", "~", "'^x', '^y'");
    DROP(&t, "request_domain", "!~", "'^order'");
    PASS(&t, "request_domain", "!~", "'^shop', 'x$'");

    /* an absent string field is "" */
    rec_init(&t, ds(src));
    PASS(&t, "request_domain", "=", "''");
    PASS(&t, "request_domain", "~", "'^$'");
    DROP(&t, "request_domain", "!=", "''");
}

static void
test_unsigned(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_u(&t, "server_port", 3306);

    PASS(&t, "server_port", "=", "80, 3306");
    PASS(&t, "server_port", "=", "'3306'");
    PASS(&t, "server_port", "=", "'3306.0'");
    PASS(&t, "server_port", "=", "'3.306e3'");
    PASS(&t, "server_port", "=", "'+3306'");
    PASS(&t, "server_port", "=", "'abc', '3306'");
    PASS(&t, "server_port", "=", "'3306', 'abc'");
    DROP(&t, "server_port", "=", "'3306.5', '330', '-3306'");
    DROP(&t, "server_port", "in", "80, 443");
    PASS(&t, "server_port", "in", "443, 3306");
    DROP(&t, "server_port", "!=", "3306");
    /* DeepFlow: "!=" 3.0 on 3 is true; here "!=" is the negation of "=" */
    DROP(&t, "server_port", "!=", "'3306.0'");
    PASS(&t, "server_port", "!=", "80");
    DROP(&t, "server_port", "not in", "80, 3306");
    PASS(&t, "server_port", "not in", "80, 443");

    /* wildcard and regex see the decimal text (DeepFlow: always true) */
    PASS(&t, "server_port", ":", "'33*'");
    DROP(&t, "server_port", ":", "'44*'");
    PASS(&t, "server_port", "~", "'^3[0-9]{3}$'");
    DROP(&t, "server_port", "~", "'^80$'");
    DROP(&t, "server_port", "!:", "'*306'");
    PASS(&t, "server_port", "!:", "'8*0'");
    DROP(&t, "server_port", "!~", "'06$'");
    PASS(&t, "server_port", "!~", "'^8'");

    /* an absent integer is 0 */
    rec_init(&t, ds(src));
    PASS(&t, "server_port", "=", "0");
    PASS(&t, "server_port", "=", "'0.0'");
    PASS(&t, "server_port", "=", "'-0'");
}

static void
test_uint64_exact(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    /* 2^53 + 1: as float64 it would equal 2^53 */
    set_u(&t, "_id", 9007199254740993ULL);
    PASS(&t, "_id", "=", "9007199254740993");
    DROP(&t, "_id", "=", "9007199254740992");
    DROP(&t, "_id", "=", "'9007199254740992.0'");
    PASS(&t, "_id", "!=", "9007199254740992");
    PASS(&t, "_id", "~", "'^9007199254740993$'");

    set_u(&t, "_id", UINT64_MAX);
    PASS(&t, "_id", "=", "18446744073709551615");
    DROP(&t, "_id", "=", "18446744073709551616");
    PASS(&t, "_id", "=", "'1.8446744073709551615e19'");
    DROP(&t, "_id", "=", "'18446744073709551614'");
}

static void
test_signed(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_i(&t, "l3_epc_id_1", -2);
    PASS(&t, "l3_epc_id_1", "=", "-2");
    PASS(&t, "l3_epc_id_1", "=", "'-2.0'");
    DROP(&t, "l3_epc_id_1", "=", "2");
    PASS(&t, "l3_epc_id_1", "!=", "2");
    DROP(&t, "l3_epc_id_1", "not in", "-2, -1");
    PASS(&t, "l3_epc_id_1", ":", "'-*'");
    PASS(&t, "l3_epc_id_1", "~", "'^-2$'");
    DROP(&t, "l3_epc_id_1", "!~", "'^-'");

    set_i(&t, "start_time", INT64_MIN);
    PASS(&t, "start_time", "=", "-9223372036854775808");
    DROP(&t, "start_time", "=", "9223372036854775808");
    PASS(&t, "start_time", "~", "'^-9223372036854775808$'");
}

static void
test_ip4(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_ip4(&t, "ip4_0", "10.244.1.23");

    PASS(&t, "ip4_0", "=", "'10.244.1.23'");
    PASS(&t, "ip4_0", "in", "'10.0.0.1', '10.244.1.23'");
    /* DeepFlow's integer form: 10 << 24 | 244 << 16 | 1 << 8 | 23 */
    PASS(&t, "ip4_0", "=", "183763223");
    DROP(&t, "ip4_0", "=", "183763224");
    /* text compare: a spelling that is not the dotted quad never equals */
    DROP(&t, "ip4_0", "=", "'010.244.1.23', '10.244.1.023'");
    DROP(&t, "ip4_0", "=", "'10.244.1.2'");
    DROP(&t, "ip4_0", "!=", "'10.244.1.23'");
    DROP(&t, "ip4_0", "not in", "183763223");
    PASS(&t, "ip4_0", "!=", "'10.244.1.2'");
    PASS(&t, "ip4_0", ":", "'10.244.*'");
    DROP(&t, "ip4_0", ":", "'192.168.*'");
    PASS(&t, "ip4_0", "~", "'^10\\.244\\.'");
    DROP(&t, "ip4_0", "~", "'^183763223$'");
    PASS(&t, "ip4_0", "!:", "'192.168.*'");
    DROP(&t, "ip4_0", "!~", "'\\.23$'");

    /* absent: 0.0.0.0 */
    rec_init(&t, ds(src));
    PASS(&t, "ip4_1", "=", "'0.0.0.0'");
    PASS(&t, "ip4_1", "=", "0");
    PASS(&t, "ip4_1", "~", "'^0\\.0\\.0\\.0$'");
}

static void
test_mac(void **state)
{
    const char  *src = L4;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_u(&t, "mac_0", 0x525400abcdefULL);

    PASS(&t, "mac_0", "=", "'52:54:00:ab:cd:ef'");
    PASS(&t, "mac_0", "in", "'00:00:00:00:00:01', '52:54:00:ab:cd:ef'");
    DROP(&t, "mac_0", "in", "'00:00:00:00:00:01'");
    PASS(&t, "mac_0", "=", "90520741989871");
    DROP(&t, "mac_0", "=", "'52:54:00:AB:CD:EF'");
    DROP(&t, "mac_0", "=", "'52-54-00-ab-cd-ef', '525400abcdef'");
    DROP(&t, "mac_0", "!=", "'52:54:00:ab:cd:ef'");
    PASS(&t, "mac_0", "not in", "'52:54:00:12:34:56'");
    PASS(&t, "mac_0", ":", "'52:54:00:*'");
    PASS(&t, "mac_0", "~", "'ab:cd:ef$'");
    DROP(&t, "mac_0", "~", "'AB:CD'");
    DROP(&t, "mac_0", "!:", "'*:ef'");
    PASS(&t, "mac_0", "!~", "'^00:'");

    rec_init(&t, ds(src));
    PASS(&t, "mac_1", "=", "'00:00:00:00:00:00'");
}

static void
test_ip6(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_ip6(&t, "ip6_0", "2001:0db8:0000:0000:0000:0000:0000:0001");

    PASS(&t, "ip6_0", "=", "'2001:db8::1'");
    PASS(&t, "ip6_0", "in", "'::1', '2001:db8::1'");
    /* text compare: only the RFC 5952 form equals */
    DROP(&t, "ip6_0", "=", "'2001:0db8::1', '2001:DB8::1', "
                           "'2001:db8:0:0:0:0:0:1'");
    DROP(&t, "ip6_0", "!=", "'2001:db8::1'");
    PASS(&t, "ip6_0", "!=", "'2001:db8::2'");
    PASS(&t, "ip6_0", ":", "'2001:db8:*'");
    DROP(&t, "ip6_0", ":", "'fe80:*'");
    PASS(&t, "ip6_0", "~", "'::1$'");
    DROP(&t, "ip6_0", "!:", "'2001:*'");
    PASS(&t, "ip6_0", "!~", "'^fe80'");

    set_ip6(&t, "ip6_0", "::ffff:10.1.2.3");
    PASS(&t, "ip6_0", "=", "'::ffff:10.1.2.3'");
    PASS(&t, "ip6_0", "~", "'^::ffff:10\\.1\\.'");

    /* an IPv6 field absent from a record has no value: only the negative
     * operators hold */
    DROP(&t, "ip6_1", "=", "'::'");
    DROP(&t, "ip6_1", ":", "'*'");
    DROP(&t, "ip6_1", "~", "''");
    PASS(&t, "ip6_1", "!=", "'::'");
    PASS(&t, "ip6_1", "not in", "'::'");
    PASS(&t, "ip6_1", "!:", "'*'");
    PASS(&t, "ip6_1", "!~", "''");
}

static void
test_bool(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_u(&t, "is_ipv4", 1);
    PASS(&t, "is_ipv4", "=", "1");
    PASS(&t, "is_ipv4", "=", "true");
    PASS(&t, "is_ipv4", "=", "'1.0'");
    DROP(&t, "is_ipv4", "=", "0, false");
    DROP(&t, "is_ipv4", "!=", "1");
    PASS(&t, "is_ipv4", "!=", "false");
    PASS(&t, "is_ipv4", "~", "'^1$'");
    DROP(&t, "is_ipv4", ":", "'0'");
    DROP(&t, "is_ipv4", "!:", "'1'");
    PASS(&t, "is_ipv4", "!:", "'0'");

    set_u(&t, "is_ipv4", 0);
    PASS(&t, "is_ipv4", "in", "false");
    PASS(&t, "is_ipv4", "not in", "1");
    PASS(&t, "is_ipv4", "!~", "'1'");
}

static void
test_null(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_null(&t, "response_code");

    DROP(&t, "response_code", "=", "404");
    DROP(&t, "response_code", "in", "404, 0");
    DROP(&t, "response_code", ":", "'*'");
    DROP(&t, "response_code", "~", "''");
    PASS(&t, "response_code", "!=", "404");
    PASS(&t, "response_code", "not in", "0");
    PASS(&t, "response_code", "!:", "'*'");
    PASS(&t, "response_code", "!~", "''");

    /* absent nullable fields are null too */
    DROP(&t, "span_kind", "=", "0");
    PASS(&t, "span_kind", "!=", "0");
    DROP(&t, "request_length", "~", "'.*'");

    set_i(&t, "response_code", 404);
    PASS(&t, "response_code", "=", "404");
    DROP(&t, "response_code", "!=", "404");
    PASS(&t, "response_code", ":", "'40*'");
}

static void
test_arrays(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_strs(&t, "attribute_values", "okhttp/4.11.0", "shop");

    PASS(&t, "attribute_values", "=", "'shop'");
    PASS(&t, "attribute_values", "in", "'x', 'okhttp/4.11.0'");
    DROP(&t, "attribute_values", "in", "'x', 'okhttp/4.11'");
    DROP(&t, "attribute_values", "=", "'okhttp'");
    DROP(&t, "attribute_values", "!=", "'shop'");
    PASS(&t, "attribute_values", "not in", "'x'");
    PASS(&t, "attribute_values", ":", "'okhttp/*'");
    DROP(&t, "attribute_values", ":", "'curl*'");
    PASS(&t, "attribute_values", "~", "'^sh'");
    DROP(&t, "attribute_values", "!~", "'^sh'");
    PASS(&t, "attribute_values", "!:", "'curl*'");

    /* an empty array has no element that matches */
    set_strs(&t, "attribute_values", NULL, NULL);
    DROP(&t, "attribute_values", "=", "''");
    DROP(&t, "attribute_values", ":", "'*'");
    PASS(&t, "attribute_values", "!=", "''");
    PASS(&t, "attribute_values", "!~", "''");

    set_f64s(&t, "metrics_values", 1.5, 200);
    PASS(&t, "metrics_values", "=", "'200'");
    PASS(&t, "metrics_values", "=", "'1.50'");
    DROP(&t, "metrics_values", "=", "'2'");
    DROP(&t, "metrics_values", "!=", "'1.5'");
    PASS(&t, "metrics_values", "~", "'^1\\.5$'");
    PASS(&t, "metrics_values", "~", "'^200$'");
}

/* ---- combining ---------------------------------------------------- */

/* YAML lines of an exporter's filter keys */
#define GROUPS     "    tag-filters-groups:\n"
#define GROUP      "    - tag-filters:\n"
#define GROUP_AND  "    - tag-filter-condition: {type: and}\n"                 \
                   "      tag-filters:\n"
#define GROUP_OR   "    - tag-filter-condition: {type: or}\n"                  \
                   "      tag-filters:\n"
#define TFILTERS   "    tag-filters:\n"
/* a filter of a group, and of the deprecated top-level list */
#define F(name, op, values)                                                 \
    "      - {field-name: " name ", operator: \"" op "\", "                \
    "field-values: [" values "]}\n"
#define TF(name, op, values)                                                \
    "    - {field-name: " name ", operator: \"" op "\", "                  \
    "field-values: [" values "]}\n"

static trec_t  l7rec;

static void
l7rec_init(void)
{
    rec_init(&l7rec, ds(L7));
    set_u(&l7rec, "server_port", 3306);
    set_s(&l7rec, "request_domain", "db.shop");
    set_u(&l7rec, "l7_protocol", 60);
}

/* The verdict under the given filter keys; *why (the chain's text) is
 * copied, as the chain is gone on return. */
static int
run_keys(const char *sources, const char *source, const char *keys,
         const trec_t *t, int *group, const char **why, int *has_stage)
{
    static char   why_copy[256];
    const char   *w = NULL;
    dfx_conf_t   *conf;
    dfx_chain_t  *c;
    int           r;

    conf = load(sources, keys);
    c = chain_of(conf, source);
    if (has_stage != NULL) {
        *has_stage = filter_stage(c) != NULL;
    }
    r = verdict(c, t, group, &w);
    if (why != NULL) {
        snprintf(why_copy, sizeof(why_copy), "%s", w ? w : "(none)");
        *why = why_copy;
    }
    dfx_chain_destroy(c);
    dfx_conf_free(conf);
    return r;
}

static void
test_conditions(void **state)
{
    int  g;

    (void) state;
    l7rec_init();

    /* and: every filter */
    assert_int_equal(run_keys(L7, L7,
        GROUPS
        GROUP_AND
        F("server_port", "=", "3306")
        F("request_domain", ":", "'*.shop'"),
        &l7rec, NULL, NULL, NULL), DFX_OK);
    assert_int_equal(run_keys(L7, L7,
        GROUPS
        GROUP_AND
        F("server_port", "=", "3306")
        F("request_domain", ":", "'*.prod'"),
        &l7rec, &g, NULL, NULL), DFX_DROP);
    assert_int_equal(g, 0);

    /* or: at least one (DeepFlow's "or" never rejects) */
    assert_int_equal(run_keys(L7, L7,
        GROUPS
        GROUP_OR
        F("server_port", "=", "80")
        F("request_domain", ":", "'*.shop'"),
        &l7rec, NULL, NULL, NULL), DFX_OK);
    assert_int_equal(run_keys(L7, L7,
        GROUPS
        GROUP_OR
        F("server_port", "=", "80")
        F("request_domain", ":", "'*.prod'"),
        &l7rec, &g, NULL, NULL), DFX_DROP);

    /* the condition defaults to and */
    assert_int_equal(run_keys(L7, L7,
        GROUPS
        GROUP
        F("server_port", "=", "3306")
        F("request_domain", "=", "x"),
        &l7rec, NULL, NULL, NULL), DFX_DROP);
}

static void
test_groups(void **state)
{
    const char  *why;
    int          g, has;

    (void) state;
    l7rec_init();
    dfx_stats_reset();
    dfx_stats_set_exporters(1);

    /* groups are OR-ed */
    assert_int_equal(run_keys(L7, L7,
        GROUPS
        GROUP
        F("server_port", "=", "80")
        GROUP
        F("server_port", "=", "3306"),
        &l7rec, NULL, NULL, NULL), DFX_OK);

    /* all fail: dropped, the last group evaluated is reported */
    assert_int_equal(run_keys(L7, L7,
        GROUPS
        GROUP
        F("server_port", "=", "80")
        GROUP
        F("server_port", "=", "443"),
        &l7rec, &g, &why, NULL), DFX_DROP);
    assert_int_equal(g, 1);
    assert_string_equal(why, "none of tag-filters-groups[0],[1] matched");
    assert_int_equal(dfx_stats_get(DFX_STAT_tag_filter_dropped_total, 0,
                                   DFX_DS_L7_FLOW_LOG, DFX_REASON_GROUP0 + 1),
                     1);

    /* a group with no filter for this data source does not count, even
     * when it comes last (DeepFlow accepted everything then) */
    assert_int_equal(run_keys(L7 ", " L4, L7,
        GROUPS
        GROUP
        F("server_port", "=", "80")
        GROUP
        F("mac_0", "=", "'00:00:00:00:00:01'"),
        &l7rec, &g, &why, NULL), DFX_DROP);
    assert_int_equal(g, 0);
    assert_string_equal(why, "tag-filters-groups[0] did not match");
    assert_int_equal(dfx_stats_get(DFX_STAT_tag_filter_dropped_total, 0,
                                   DFX_DS_L7_FLOW_LOG, DFX_REASON_GROUP0),
                     1);

    /* ... and a filter of another data source inside a group is left out
     * of that group on this one */
    assert_int_equal(run_keys(L7 ", " L4, L7,
        GROUPS
        GROUP
        F("server_port", "=", "3306")
        F("mac_0", "=", "'00:00:00:00:00:01'"),
        &l7rec, NULL, NULL, NULL), DFX_OK);

    /* no applicable group at all: the stage is left out, all pass */
    assert_int_equal(run_keys(L7 ", " L4, L7,
        GROUPS
        GROUP
        F("mac_0", "=", "'00:00:00:00:00:01'"),
        &l7rec, NULL, NULL, &has), DFX_OK);
    assert_false(has);
    assert_int_equal(run_keys(L7, L7, "", &l7rec, NULL, NULL, &has), DFX_OK);
    assert_false(has);
    assert_int_equal(run_keys(L7, L7, "    tag-filters-groups: []\n",
                              &l7rec, NULL, NULL, &has), DFX_OK);
    assert_false(has);

    /* the third group of four is the only one applicable */
    assert_int_equal(run_keys(L7 ", " L4, L7,
        GROUPS
        GROUP
        F("mac_0", "=", "'00:00:00:00:00:01'")
        GROUP
        F("mac_1", "=", "'00:00:00:00:00:01'")
        GROUP
        F("l7_protocol", "!=", "60")
        GROUP
        F("vlan", "=", "1"),
        &l7rec, &g, &why, &has), DFX_DROP);
    assert_true(has);
    assert_int_equal(g, 2);
    assert_string_equal(why, "tag-filters-groups[2] did not match");
}

static void
test_deprecated_list(void **state)
{
    const char  *why;
    trec_t       l4;
    int          g;

    (void) state;
    l7rec_init();
    dfx_stats_reset();
    dfx_stats_set_exporters(1);

    /* it applies: it alone decides, the passing group is ignored */
    assert_int_equal(run_keys(L7 ", " L4, L7,
        TFILTERS
        TF("server_port", "=", "80")
        GROUPS
        GROUP
        F("server_port", "=", "3306"),
        &l7rec, &g, &why, NULL), DFX_DROP);
    assert_int_equal(g, -1);
    assert_string_equal(why, "tag-filters did not match");
    assert_int_equal(dfx_stats_get(DFX_STAT_tag_filter_dropped_total, 0,
                                   DFX_DS_L7_FLOW_LOG, DFX_REASON_TAG_FILTERS),
                     1);

    /* its own condition */
    assert_int_equal(run_keys(L7, L7,
        "    tag-filter-condition: {type: or}\n"
        TFILTERS
        TF("server_port", "=", "80")
        TF("request_domain", "=", "db.shop")
        GROUPS
        GROUP
        F("server_port", "=", "1"),
        &l7rec, NULL, NULL, NULL), DFX_OK);

    /* where it does not apply, the groups decide */
    rec_init(&l4, ds(L4));
    set_u(&l4, "server_port", 53);
    assert_int_equal(run_keys(L7 ", " L4, L4,
        TFILTERS
        TF("span_id", "=", "x")
        GROUPS
        GROUP
        F("server_port", "=", "53"),
        &l4, NULL, NULL, NULL), DFX_OK);
    assert_int_equal(run_keys(L7 ", " L4, L4,
        TFILTERS
        TF("span_id", "=", "x")
        GROUPS
        GROUP
        F("server_port", "=", "54"),
        &l4, &g, NULL, NULL), DFX_DROP);
    assert_int_equal(g, 0);
}

static void
test_map_aliases(void **state)
{
    const char  *src = NM;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_u(&t, "region_id_0", 1);
    set_u(&t, "region_id_1", 2);
    set_ip4(&t, "ip4_0", "10.244.1.23");

    /* DeepFlow's Name (region_id, ip4) is the client side (_0) */
    PASS(&t, "region_id", "=", "1");
    DROP(&t, "region_id", "=", "2");
    PASS(&t, "region_id_0", "=", "1");
    PASS(&t, "region_id_1", "=", "2");
    PASS(&t, "ip4", "=", "'10.244.1.23'");
    PASS(&t, "ip4_0", "=", "183763223");
}

static void
test_clickhouse_alias(void **state)
{
    const char  *src = L7;
    trec_t       t;

    (void) state;
    rec_init(&t, ds(src));
    set_s(&t, "end_point", "/api/v1/orders");
    PASS(&t, "endpoint", "=", "'/api/v1/orders'");
    PASS(&t, "end_point", ":", "'/api/*'");
}

static int
setup(void **state)
{
    (void) state;
    return dfx_schema_init();
}

static int
teardown(void **state)
{
    (void) state;
    dfx_schema_cleanup();
    dfx_buf_free(&conf_log);
    return 0;
}

/* ---- patterns against regexec() ------------------------------------- */

/* What regexec() says of regex re on s[0, len): the decision the
 * compiled patterns must reproduce. */
static int
regex_says(const char *re, const char *s, size_t len)
{
    regex_t     r;
    regmatch_t  m[1];
    int         hit;

    assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t) len;
    hit = regexec(&r, s, 1, m, REG_STARTEND) == 0;
    regfree(&r);
    return hit;
}

static char *
wildcard_regex(const char *w)
{
    char    *re = malloc(2 * strlen(w) + 1), *o = re;

    assert_non_null(re);
    for (; *w != '\0'; w++) {
        if (*w == '*') {
            *o++ = '.';
        }
        *o++ = *w;
    }
    *o = '\0';
    return re;
}

/*
 * Literal patterns (":" wildcards of literal text and stars, and "~"
 * regexes of literal text and ".*") are decided by substring searches,
 * patterns with a lone "." by regexec() behind a literal check, the rest
 * by regexec() alone: every one must give regexec()'s verdict on every
 * value, those with NUL bytes, newlines and bytes past ASCII included
 * ("." matches any byte but NUL).  "prefix*" is no prefix test and
 * "*suffix" no suffix test: the search is unanchored.
 */
static void
test_patterns_as_regexec(void **state)
{
    static const char *const  wild[] = {
        "svc", "*svc", "svc*", "*svc*", "a*b", "a*b*c", "*a*b*", "x*x",
        "**", "*", "abc*abc", "a**b", "*.invalid", "192.0.2.*", "a.b",
        "..", "s.c*", ".", "a.*b", "^ab*", "ab$", "a+b", "a?b", "[ab]c*",
        "a|c", "(ab)*", "\\.svc", "a{2}", "\xc3\xa9*",
    };
    static const char *const  regex[] = {
        "svc", "a.*b", "a.*b.*c", ".*", "a.b", "x*y", "^a", "b$", "ab+",
        "(a|b)c", "[.]", "a.*.*b", "\xc3\xa9",
    };
    static const char         alpha[] = "abcsvx.\n\0-\xc3\xa9";
    static const char *const  fixed[] = {
        "", "svc", "order-svc.shop", "a", "ab", "ba", "acb", "abab",
        "payment.prod.internal", "x.invalid", "invalid", "192.0.2.1",
        "192.168.0.2", "caf\xc3\xa9",
    };
    const char    *src = L7;
    unsigned long  seed = 12345;
    dfx_buf_t      k = DFX_BUF_INIT;
    dfx_conf_t    *conf;
    dfx_chain_t   *c;
    trec_t         t;
    char           value[32], *re;
    size_t         p, i, j, len, npat, nw = sizeof(wild) / sizeof(wild[0]);
    unsigned       f;
    int            want, got;

    (void) state;
    rec_init(&t, ds(src));
    f = fld(t.r.schema, "request_domain");
    npat = nw + sizeof(regex) / sizeof(regex[0]);

    for (p = 0; p < npat; p++) {
        const char  *pat = p < nw ? wild[p] : regex[p - nw];

        dfx_buf_reset(&k);
        assert_int_equal(dfx_buf_printf(&k,
            "    tag-filters-groups:\n"
            "    - tag-filter-condition: {type: and}\n"
            "      tag-filters:\n"
            "      - {field-name: request_domain, operator: \"%s\","
            " field-values: ['%s']}\n", p < nw ? ":" : "~", pat), 0);
        conf = load(src, k.data);
        c = chain_of(conf, src);
        re = p < nw ? wildcard_regex(pat) : strdup(pat);
        assert_non_null(re);

        for (i = 0; i < 400 + sizeof(fixed) / sizeof(fixed[0]); i++) {
            if (i < sizeof(fixed) / sizeof(fixed[0])) {
                len = strlen(fixed[i]);
                memcpy(value, fixed[i], len);
            } else {
                seed = seed * 6364136223846793005ul + 1442695040888963407ul;
                len = (seed >> 33) % 16;
                for (j = 0; j < len; j++) {
                    seed = seed * 6364136223846793005ul
                           + 1442695040888963407ul;
                    value[j] = alpha[(seed >> 33) % (sizeof(alpha) - 1)];
                }
            }
            t.v[f].s.data = value;
            t.v[f].s.len = len;
            t.st[f] = DFX_SLOT_SET;
            want = regex_says(re, value, len);
            got = verdict(c, &t, NULL, NULL) == DFX_OK;
            if (got != want) {
                fail_msg("%s \"%s\" on \"%.*s\" (%zu bytes): %d, regexec "
                         "says %d", p < nw ? ":" : "~", pat, (int) len, value,
                         len, got, want);
            }
        }
        free(re);
        dfx_chain_destroy(c);
        dfx_conf_free(conf);
    }
    dfx_buf_free(&k);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_uint64_exact),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_ip4),
        cmocka_unit_test(test_mac),
        cmocka_unit_test(test_ip6),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_null),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_deprecated_list),
        cmocka_unit_test(test_map_aliases),
        cmocka_unit_test(test_clickhouse_alias),
        cmocka_unit_test(test_patterns_as_regexec),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
