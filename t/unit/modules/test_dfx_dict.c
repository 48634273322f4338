/*
 * test_dfx_dict.c: the universal-tag dictionary: both JSON spellings,
 * ids as numbers and strings, errors with their paths (the first in
 * document order), syntax errors with their line and column, strict
 * JSON, members in any order and tables that grow, duplicate ids,
 * escaping, publication while readers hold the old dictionary, and the
 * size and load time of a 10,000-pod dictionary.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cmocka.h>

#include "dfx_buf.h"
#include "dfx_core.h"
#include "dfx_pool.h"
#include "dfx_stats.h"

/* the dictionary's insides: table and pool sizes */
#include "universal_tag/dfx_dict_int.h"

#ifndef DFX_TEST_FIXTURES
#error "DFX_TEST_FIXTURES must name the project's t/fixtures"
#endif

static dfx_dict_t *
parse(const char *json, char *err, size_t errlen)
{
    return dfx_dict_parse(json, strlen(json), err, errlen);
}

/* The name of key in map must be exactly lit (a JSON literal). */
static void
assert_name(const dfx_dict_t *d, dfx_dict_map_t map, uint64_t key,
            const char *lit)
{
    dfx_str_t  name;

    assert_int_equal(dfx_dict_name(d, map, key, &name), 1);
    assert_int_equal(name.len, strlen(lit));
    assert_memory_equal(name.data, lit, name.len);
}

static void
assert_no_name(const dfx_dict_t *d, dfx_dict_map_t map, uint64_t key)
{
    dfx_str_t  name;

    assert_int_equal(dfx_dict_name(d, map, key, &name), 0);
    assert_int_equal(name.len, 0);
}

static void
assert_error(const char *json, const char *want)
{
    char         err[256] = "";
    dfx_dict_t  *d;

    d = parse(json, err, sizeof(err));
    if (d != NULL || strcmp(err, want) != 0) {
        print_error("json: %s\nwant: %s\ngot:  %s\n", json, want, err);
    }
    assert_null(d);
    assert_string_equal(err, want);
}

static void
test_fixture(void **state)
{
    const dfx_dict_labels_t  *l;
    char                      err[256] = "";
    dfx_dict_t               *d;

    (void) state;
    d = dfx_dict_load(DFX_TEST_FIXTURES "/dictionary.json", err,
                      sizeof(err));
    assert_non_null(d);
    assert_string_equal(err, "");
    assert_int_equal(dfx_dict_version(d), 1);
    /* 30 id -> name entries and 3 pods with labels */
    assert_int_equal(dfx_dict_entries(d), 33);

    assert_name(d, DFX_DICT_REGION, 1, "\"cn-beijing\"");
    assert_name(d, DFX_DICT_AZ, 3, "\"cn-beijing-a\"");
    assert_name(d, DFX_DICT_AZ, 5, "\"cn-beijing-c\"");
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(6, 12),
                "\"hv-node-12\"");
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(11, 401),
                "\"mysql-svc\"");
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(131, 1729),
                "\"mysql\"");
    assert_name(d, DFX_DICT_POD_NODE, 202, "\"k8s-node-02\"");
    assert_name(d, DFX_DICT_POD_NS, 14, "\"db\"");
    assert_name(d, DFX_DICT_POD_GROUP, 205, "\"frontend\"");
    assert_name(d, DFX_DICT_POD, 47570, "\"mysql-0\"");
    assert_name(d, DFX_DICT_POD_CLUSTER, 4, "\"prod-k8s\"");
    assert_name(d, DFX_DICT_L3_EPC, 2, "\"vpc-prod\"");
    assert_name(d, DFX_DICT_SUBNET, 1924, "\"subnet-pod-b\"");
    assert_name(d, DFX_DICT_GPROCESS, 189133, "\"mysqld\"");
    assert_name(d, DFX_DICT_VTAP, 7, "\"k8s-node-02-V7\"");

    /* maps are separate, and a device is (type, id) */
    assert_no_name(d, DFX_DICT_REGION, 3);
    assert_no_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(102, 401));
    assert_no_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(10, 12));
    assert_no_name(d, DFX_DICT_DEVICE, 12);
    assert_no_name(d, DFX_DICT_POD, 0);
    assert_no_name(d, DFX_DICT_NMAPS, 1);

    l = dfx_dict_pod_labels(d, 25547);
    assert_non_null(l);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->names_raw[0].data, "app");
    assert_int_equal(l->names_raw[0].len, 3);
    assert_memory_equal(l->names[1].data, "\"pod-template-hash\"", 19);
    assert_memory_equal(l->values[0].data, "\"order-svc\"", 11);
    assert_null(dfx_dict_pod_labels(d, 401));
    assert_null(dfx_dict_pod_labels(NULL, 25547));

    dfx_dict_release(d);
}

static void
test_camel_case_and_string_ids(void **state)
{
    const dfx_dict_labels_t  *l;
    char                      err[256] = "";
    dfx_dict_t               *d;

    (void) state;
    d = parse("{\"version\":\"18446744073709551615\","
              "\"regionMap\":[{\"id\":\"1\",\"name\":\"r\"}],"
              "\"azMap\":[{\"id\":2,\"name\":\"a\"}],"
              "\"deviceMap\":[{\"id\":\"4294967295\",\"type\":\"10\","
              "\"name\":\"p\"}],"
              "\"podNodeMap\":[{\"id\":3,\"name\":\"n\"}],"
              "\"podNsMap\":[{\"id\":4,\"name\":\"ns\"}],"
              "\"podGroupMap\":[{\"id\":5,\"name\":\"g\"}],"
              "\"podMap\":[{\"id\":6,\"name\":\"pod\"}],"
              "\"podClusterMap\":[{\"id\":7,\"name\":\"c\"}],"
              "\"l3EpcMap\":[{\"id\":8,\"name\":\"e\"}],"
              "\"subnetMap\":[{\"id\":9,\"name\":\"s\"}],"
              "\"gprocessMap\":[{\"id\":10,\"name\":\"gp\"}],"
              "\"vtapMap\":[{\"id\":11,\"name\":\"v\"}],"
              "\"podK8sLabelMap\":[{\"podId\":\"6\",\"labelName\":[\"k\"],"
              "\"labelValue\":[\"v\"]}]}", err, sizeof(err));
    assert_string_equal(err, "");
    assert_non_null(d);
    assert_true(dfx_dict_version(d) == UINT64_MAX);
    assert_int_equal(dfx_dict_entries(d), 13);
    assert_name(d, DFX_DICT_REGION, 1, "\"r\"");
    assert_name(d, DFX_DICT_AZ, 2, "\"a\"");
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(10, 4294967295u),
                "\"p\"");
    assert_name(d, DFX_DICT_POD_NODE, 3, "\"n\"");
    assert_name(d, DFX_DICT_POD_NS, 4, "\"ns\"");
    assert_name(d, DFX_DICT_POD_GROUP, 5, "\"g\"");
    assert_name(d, DFX_DICT_POD, 6, "\"pod\"");
    assert_name(d, DFX_DICT_POD_CLUSTER, 7, "\"c\"");
    assert_name(d, DFX_DICT_L3_EPC, 8, "\"e\"");
    assert_name(d, DFX_DICT_SUBNET, 9, "\"s\"");
    assert_name(d, DFX_DICT_GPROCESS, 10, "\"gp\"");
    assert_name(d, DFX_DICT_VTAP, 11, "\"v\"");
    l = dfx_dict_pod_labels(d, 6);
    assert_non_null(l);
    assert_int_equal(l->n, 1);
    assert_memory_equal(l->values[0].data, "\"v\"", 3);
    dfx_dict_release(d);

    /* the spellings may be mixed across members and entries */
    d = parse("{\"region_map\":[{\"id\":1,\"name\":\"r\"}],"
              "\"pod_k8s_label_map\":[{\"pod_id\":6,\"labelName\":[],"
              "\"label_value\":[]}], \"podMap\":[]}", err, sizeof(err));
    assert_non_null(d);
    assert_int_equal(dfx_dict_entries(d), 2);
    assert_int_equal(dfx_dict_pod_labels(d, 6)->n, 0);
    dfx_dict_release(d);
}

static void
test_empty_and_null(void **state)
{
    char         err[256] = "";
    dfx_dict_t  *d;

    (void) state;
    d = parse("{}", err, sizeof(err));
    assert_non_null(d);
    assert_int_equal(dfx_dict_entries(d), 0);
    assert_int_equal(dfx_dict_version(d), 0);
    assert_no_name(d, DFX_DICT_REGION, 0);
    assert_null(dfx_dict_pod_labels(d, 0));
    dfx_dict_release(d);

    /* null is protobuf's default: an empty map, id 0, name "" */
    d = parse(" {\"version\":null,\"region_map\":null,"
              "\"az_map\":[{\"id\":null,\"name\":null}],"
              "\"pod_k8s_label_map\":[{\"pod_id\":5,\"label_name\":null}]}\n",
              err, sizeof(err));
    assert_string_equal(err, "");
    assert_non_null(d);
    assert_name(d, DFX_DICT_AZ, 0, "\"\"");
    assert_int_equal(dfx_dict_pod_labels(d, 5)->n, 0);
    assert_int_equal(dfx_dict_entries(d), 2);
    dfx_dict_release(d);

    assert_int_equal(dfx_dict_version(NULL), 0);
    assert_int_equal(dfx_dict_entries(NULL), 0);
    dfx_dict_release(NULL);
}

static void
test_duplicates_last_wins(void **state)
{
    char         err[256] = "";
    dfx_dict_t  *d;

    (void) state;
    d = parse("{\"pod_map\":[{\"id\":1,\"name\":\"old\"},"
              "{\"id\":2,\"name\":\"two\"},{\"id\":1,\"name\":\"new\"}],"
              "\"device_map\":[{\"id\":1,\"type\":6,\"name\":\"h\"},"
              "{\"id\":1,\"type\":10,\"name\":\"p\"},"
              "{\"id\":1,\"type\":6,\"name\":\"h2\"}],"
              "\"pod_k8s_label_map\":["
              "{\"pod_id\":1,\"label_name\":[\"a\"],\"label_value\":[\"1\"]},"
              "{\"pod_id\":1,\"label_name\":[\"b\",\"c\"],"
              "\"label_value\":[\"2\",\"3\"]}]}", err, sizeof(err));
    assert_non_null(d);
    assert_name(d, DFX_DICT_POD, 1, "\"new\"");
    assert_name(d, DFX_DICT_POD, 2, "\"two\"");
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(6, 1), "\"h2\"");
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(10, 1), "\"p\"");
    assert_int_equal(dfx_dict_pod_labels(d, 1)->n, 2);
    assert_string_equal(dfx_dict_pod_labels(d, 1)->names_raw[1].data, "c");
    /* distinct keys: 2 pods, 2 devices, 1 pod with labels */
    assert_int_equal(dfx_dict_entries(d), 5);
    dfx_dict_release(d);
}

/* A slot holds its name up to DFX_DICT_INLINE bytes (as a JSON literal),
 * longer names live in one array: both, replaced by either, devices that
 * differ by type only, and a table as full as it gets. */
static void
test_slots_and_names(void **state)
{
    dfx_buf_t    b = DFX_BUF_INIT, lit = DFX_BUF_INIT;
    char         err[256] = "", n46[47], n47[48], n200[201];
    dfx_dict_t  *d;
    size_t       i;

    (void) state;
    memset(n46, 'a', 46);
    n46[46] = '\0';
    memset(n47, 'b', 47);
    n47[47] = '\0';
    for (i = 0; i < 200; i++) {
        n200[i] = (char) ('a' + i % 26);
    }
    n200[200] = '\0';
    assert_int_equal(dfx_buf_printf(&b, "{\"pod_map\":["
        "{\"id\":1,\"name\":\"%s\"},{\"id\":2,\"name\":\"%s\"},"
        "{\"id\":3,\"name\":\"%s\"},{\"id\":4,\"name\":\"short\"},"
        "{\"id\":4,\"name\":\"%s\"},{\"id\":5,\"name\":\"%s\"},"
        "{\"id\":5,\"name\":\"short again\"},"
        "{\"id\":6,\"name\":\"q\\\"%s\"}],"
        "\"device_map\":[{\"id\":7,\"type\":6,\"name\":\"host\"},"
        "{\"id\":7,\"type\":10,\"name\":\"%s\"},"
        "{\"id\":7,\"type\":11,\"name\":\"group\"}]}",
        n46, n47, n200, n200, n200, n46, n47), 0);
    d = dfx_dict_parse(b.data, b.len, err, sizeof(err));
    assert_string_equal(err, "");
    assert_non_null(d);

    /* 46 characters and quotes: 48 bytes, in the slot; 47: outside */
    assert_int_equal(DFX_DICT_INLINE, 48);
    assert_int_equal(sizeof(dfx_dict_slot_t), 64);
    dfx_buf_reset(&lit);
    assert_int_equal(dfx_buf_printf(&lit, "\"%s\"", n46), 0);
    assert_name(d, DFX_DICT_POD, 1, lit.data);
    dfx_buf_reset(&lit);
    assert_int_equal(dfx_buf_printf(&lit, "\"%s\"", n47), 0);
    assert_name(d, DFX_DICT_POD, 2, lit.data);
    dfx_buf_reset(&lit);
    assert_int_equal(dfx_buf_printf(&lit, "\"%s\"", n200), 0);
    assert_name(d, DFX_DICT_POD, 3, lit.data);
    /* replaced: a short name by a long one and the other way round */
    assert_name(d, DFX_DICT_POD, 4, lit.data);
    assert_name(d, DFX_DICT_POD, 5, "\"short again\"");
    /* an escape: 47 characters, a 51-byte literal, out of the slot */
    dfx_buf_reset(&lit);
    assert_int_equal(dfx_buf_printf(&lit, "\"q\\\"%s\"", n46), 0);
    assert_name(d, DFX_DICT_POD, 6, lit.data);
    assert_int_equal(lit.len, 51);

    /* one id, three device types */
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(6, 7), "\"host\"");
    dfx_buf_reset(&lit);
    assert_int_equal(dfx_buf_printf(&lit, "\"%s\"", n47), 0);
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(10, 7), lit.data);
    assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(11, 7), "\"group\"");
    assert_no_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(1, 7));
    assert_no_name(d, DFX_DICT_DEVICE, 7);
    assert_no_name(d, DFX_DICT_POD, 8);
    assert_int_equal(dfx_dict_entries(d), 9);
    dfx_dict_release(d);

    /* a table 70% full: every id is found, every other id is not */
    dfx_buf_reset(&b);
    assert_int_equal(dfx_buf_printf(&b, "{\"subnet_map\":["), 0);
    for (i = 0; i < 5734; i++) {
        assert_int_equal(dfx_buf_printf(&b, "%s{\"id\":%zu,\"name\":\"s%zu\"}",
                                        i ? "," : "", i * 2, i), 0);
    }
    assert_int_equal(dfx_buf_printf(&b, "]}"), 0);
    d = dfx_dict_parse(b.data, b.len, err, sizeof(err));
    assert_non_null(d);
    assert_int_equal(d->maps[DFX_DICT_SUBNET].mask + 1, 8192);
    for (i = 0; i < 5734; i++) {
        dfx_buf_reset(&lit);
        assert_int_equal(dfx_buf_printf(&lit, "\"s%zu\"", i), 0);
        assert_name(d, DFX_DICT_SUBNET, i * 2, lit.data);
        assert_no_name(d, DFX_DICT_SUBNET, i * 2 + 1);
    }
    dfx_dict_release(d);
    dfx_buf_free(&b);
    dfx_buf_free(&lit);
}

static void
test_escaping(void **state)
{
    const dfx_dict_labels_t  *l;
    char                      err[256] = "";
    dfx_dict_t               *d;
    dfx_str_t                 name;

    (void) state;
    d = parse("{\"pod_map\":[{\"id\":1,"
              "\"name\":\"a\\\"b\\\\c\\n\\u0001/\\u00e9\"}],"
              "\"pod_k8s_label_map\":[{\"pod_id\":1,"
              "\"label_name\":[\"x\\\"y\"],\"label_value\":[\"t\\tab\"]}]}",
              err, sizeof(err));
    assert_string_equal(err, "");
    assert_non_null(d);
    assert_name(d, DFX_DICT_POD, 1, "\"a\\\"b\\\\c\\n\\u0001/\xc3\xa9\"");
    l = dfx_dict_pod_labels(d, 1);
    assert_string_equal(l->names_raw[0].data, "x\"y");
    assert_int_equal(l->names[0].len, 6);
    assert_memory_equal(l->names[0].data, "\"x\\\"y\"", 6);
    assert_memory_equal(l->values[0].data, "\"t\\tab\"", 7);
    dfx_dict_release(d);

    /* a NUL inside a name survives, escaped */
    d = parse("{\"az_map\":[{\"id\":1,\"name\":\"a\\u0000b\"}]}", err,
              sizeof(err));
    assert_non_null(d);
    assert_int_equal(dfx_dict_name(d, DFX_DICT_AZ, 1, &name), 1);
    assert_int_equal(name.len, 10);
    assert_memory_equal(name.data, "\"a\\u0000b\"", 10);
    dfx_dict_release(d);
}

static void
test_errors(void **state)
{
    char  big[64];

    (void) state;
    assert_error("{\"pod_map\":[{\"id\":1,\"name\":\"a\"},{\"id\":1.5}]}",
                 "pod_map[1].id: expected an integer, got 1.5");
    assert_error("{\"podMap\":[{\"id\":\"12a\"}]}",
                 "podMap[0].id: expected an integer, got \"12a\"");
    assert_error("{\"podMap\":[{\"id\":\"\"}]}",
                 "podMap[0].id: expected an integer, got \"\"");
    assert_error("{\"podMap\":[{\"id\":\"-1\"}]}",
                 "podMap[0].id: expected an integer, got \"-1\"");
    assert_error("{\"podMap\":[{\"id\":true}]}",
                 "podMap[0].id: expected an integer, got true");
    assert_error("{\"pod_map\":[{\"id\":-1}]}",
                 "pod_map[0].id: must be between 0 and 4294967295, got -1");
    assert_error("{\"pod_map\":[{\"id\":4294967296}]}",
                 "pod_map[0].id: must be between 0 and 4294967295, "
                 "got 4294967296");
    assert_error("{\"pod_map\":[{\"id\":\"99999999999999999999999\"}]}",
                 "pod_map[0].id: expected an integer, got "
                 "\"99999999999999999999999\"");
    assert_error("{\"pod_map\":[{\"id\":\"99999999999999999999\"}]}",
                 "pod_map[0].id: must be between 0 and 4294967295, got "
                 "\"99999999999999999999\"");
    assert_error("{\"deviceMap\":[{\"id\":1,\"type\":\"x\"}]}",
                 "deviceMap[0].type: expected an integer, got \"x\"");
    assert_error("{\"region_map\":[{\"id\":1,\"name\":5}]}",
                 "region_map[0].name: expected a string, got 5");
    assert_error("{\"regoin_map\":[]}", "regoin_map: unknown member");
    assert_error("{\"az_map\":[{\"id\":1,\"nmae\":\"x\"}]}",
                 "az_map[0].nmae: unknown member");
    assert_error("{\"az_map\":[{\"id\":1,\"type\":6}]}",
                 "az_map[0].type: unknown member");
    assert_error("{\"az_map\":{}}", "az_map: expected an array");
    assert_error("{\"az_map\":[3]}", "az_map[0]: expected an object, got 3");
    assert_error("{\"region_map\":[],\"regionMap\":[]}",
                 "regionMap: given twice (also as \"region_map\")");
    assert_error("{\"pod_map\":[{\"id\":1,\"podId\":2}]}",
                 "pod_map[0].podId: unknown member");
    assert_error("{\"pod_k8s_label_map\":[{\"pod_id\":1,\"id\":2,"
                 "\"podId\":3}]}",
                 "pod_k8s_label_map[0].id: unknown member");
    assert_error("{\"pod_k8s_label_map\":[{\"pod_id\":1,\"podId\":3}]}",
                 "pod_k8s_label_map[0].podId: given twice (also as "
                 "\"pod_id\")");
    assert_error("{\"pod_k8s_label_map\":[{\"pod_id\":1,"
                 "\"label_name\":[\"a\",\"b\"],\"labelValue\":[\"1\"]}]}",
                 "pod_k8s_label_map[0]: label_name has 2 elements, "
                 "labelValue 1");
    assert_error("{\"pod_k8s_label_map\":[{\"pod_id\":1,"
                 "\"label_name\":\"a\",\"label_value\":[\"1\"]}]}",
                 "pod_k8s_label_map[0].label_name: expected an array");
    assert_error("{\"pod_k8s_label_map\":[{\"pod_id\":1,"
                 "\"label_name\":[\"a\"],\"label_value\":[1]}]}",
                 "pod_k8s_label_map[0].label_value[0]: expected a string, "
                 "got 1");
    assert_error("{\"version\":-3}",
                 "version: must be between 0 and 18446744073709551615, "
                 "got -3");
    assert_error("[]", "expected a JSON object at the top level");
    assert_error("{\"pod_map\":[\n{\"id\":1,}]}",
                 "line 2, column 9: unexpected character");
    assert_error("{\"pod_map\":[", "line 1, column 13: unexpected end of "
                 "input");
    assert_error("", "line 1, column 1: unexpected end of input");
    assert_error("{} {}",
                 "line 1, column 4: unexpected text after the document");
    assert_error("{\"pod_map\":[{\"id\":1,\"name\":\"\xff\"}]}",
                 "line 1, column 29: invalid UTF-8");

    /* a dictionary given as a string of the wrong length */
    snprintf(big, sizeof(big), "{\"az_map\":[]}");
    assert_null(dfx_dict_parse(big, 5, NULL, 0));
}

/* A member name given twice in one object is refused, whether spelled
 * the same way or both ways. */
static void
test_given_twice(void **state)
{
    (void) state;
    assert_error("{\"az_map\":[{\"id\":1,\"name\":\"a\",\"name\":\"b\"}]}",
                 "az_map[0].name: given twice");
    assert_error("{\"az_map\":[{\"id\":1,\"name\":\"a\",\"id\":1}]}",
                 "az_map[0].id: given twice");
    assert_error("{\"version\":1,\"version\":1}", "version: given twice");
    assert_error("{\"pod_map\":[],\"pod_map\":[]}", "pod_map: given twice");
    assert_error("{\"podMap\":null,\"podMap\":[]}", "podMap: given twice");
    assert_error("{\"podMap\":[],\"pod_map\":[]}",
                 "pod_map: given twice (also as \"podMap\")");
    assert_error("{\"pod_k8s_label_map\":[{\"pod_id\":1,\"pod_id\":1}]}",
                 "pod_k8s_label_map[0].pod_id: given twice");
    assert_error("{\"pod_k8s_label_map\":[{\"labelName\":[],"
                 "\"label_name\":[]}]}",
                 "pod_k8s_label_map[0].label_name: given twice (also as "
                 "\"labelName\")");
    /* a name per object: the same member in two entries is fine */
    assert_error("{\"az_map\":[{\"id\":1},{\"id\":2},{\"id\":3,\"id\":4}]}",
                 "az_map[2].id: given twice");
}

/* Line and column (1-based, in bytes) of the offending byte or token,
 * and a short reason. */
static void
test_syntax_errors(void **state)
{
    (void) state;
    assert_error("{\n  \"pod_map\": [\n    {\"id\": 1 \"name\": \"a\"}\n]}",
                 "line 3, column 14: unexpected character");
    assert_error("{\"version\":1,\n\n}", "line 3, column 1: unexpected "
                 "character");
    assert_error("{\"version\":1,,}", "line 1, column 14: unexpected "
                 "character");
    assert_error("{\"version\" 1}", "line 1, column 12: unexpected "
                 "character");
    assert_error("{\"pod_map\":[{\"id\":1},]}",
                 "line 1, column 22: unexpected character");
    assert_error("{\"pod_map\":[{\"id\":1}}",
                 "line 1, column 21: unexpected character");
    assert_error("{\"version\":tru}", "line 1, column 15: unexpected "
                 "character");
    assert_error("{\"version\":1.}", "line 1, column 14: invalid number");
    assert_error("{\"version\":-}", "line 1, column 13: invalid number");
    assert_error("{\"version\":\"a\\qb\"}",
                 "line 1, column 15: invalid escape in a string");
    assert_error("{\"version\":\"\\u12g4\"}",
                 "line 1, column 17: invalid \\u escape");
    assert_error("{\"version\":1}\n  x",
                 "line 2, column 3: unexpected text after the document");
    assert_error("{\"version\":1} {}",
                 "line 1, column 15: unexpected text after the document");
    assert_error("{\"version\":1", "line 1, column 13: unexpected end of "
                 "input");
    assert_error("{\"pod_map\":[{\"id\":1,\"name\":\"ab",
                 "line 1, column 31: unexpected end of input");
    assert_error("  \n ", "line 2, column 2: unexpected end of input");
    /* UTF-8: what yajl refuses, and the forms it lets through (overlong,
     * a surrogate, past U+10FFFF, a lone surrogate escape) */
    assert_error("{\"pod_map\":[\n{\"name\":\"ok \xc3(\"}]}",
                 "line 2, column 14: invalid UTF-8");
    assert_error("{\"pod_map\":[{\"name\":\"\xc0\x80\"}]}",
                 "line 1, column 22: invalid UTF-8");
    assert_error("{\"pod_map\":[{\"name\":\"a\\\"\xed\xa0\x80\"}]}",
                 "line 1, column 25: invalid UTF-8");
    assert_error("{\"pod_map\":[{\"name\":\"\xf4\x90\x80\x80\"}]}",
                 "line 1, column 22: invalid UTF-8");
    assert_error("{\"pod_\xc0\xaf\":[]}", "line 1, column 7: invalid UTF-8");
    assert_error("{\"pod_map\":[{\"name\":\"x\\ud800\"}]}",
                 "line 1, column 23: lone surrogate in a \\u escape");
    assert_error("{\"pod_map\":[{\"name\":\"\\udc00\\ud800\"}]}",
                 "line 1, column 22: lone surrogate in a \\u escape");
    assert_error("{\"pod_map\":[{\"name\":\"\\\\udc00\\ud800\\u0041\"}]}",
                 "line 1, column 29: lone surrogate in a \\u escape");
}

/* What json-c took and RFC 8259 does not is refused. */
static void
test_strict_json(void **state)
{
    const dfx_dict_labels_t  *l;
    char                      err[256] = "";
    dfx_dict_t               *d;

    (void) state;
    assert_error("{\"version\":NaN}", "line 1, column 12: unexpected "
                 "character");
    assert_error("{\"version\":Infinity}", "line 1, column 12: unexpected "
                 "character");
    assert_error("{\"version\":-Infinity}", "line 1, column 13: invalid "
                 "number");
    assert_error("{'version':1}", "line 1, column 2: unexpected character");
    assert_error("{\"pod_map\":[{\"id\":1,\"name\":'a'}]}",
                 "line 1, column 28: unexpected character");
    assert_error("{\"version\":00}", "line 1, column 13: unexpected "
                 "character");
    assert_error("{\"version\":-01}", "line 1, column 14: unexpected "
                 "character");
    assert_error("{\"version\":+1}", "line 1, column 12: unexpected "
                 "character");
    assert_error("{\"version\":.5}", "line 1, column 12: unexpected "
                 "character");
    assert_error("{\"version\":0x10}", "line 1, column 13: unexpected "
                 "character");
    assert_error("{version:1}", "line 1, column 2: unexpected character");
    assert_error("{\"pod_map\":[{\"id\":1,\"name\":\"a\x01\"}]}",
                 "line 1, column 30: control character in a string");
    assert_error("{\"pod_map\":[{\"id\":1,\"name\":\"a\tb\"}]}",
                 "line 1, column 30: control character in a string");
    assert_error("{\"pod_map\":[{\"id\":1,\"name\":\"a\nb\"}]}",
                 "line 1, column 30: control character in a string");
    assert_error("{/* c */\"version\":1}", "line 1, column 2: unexpected "
                 "character");
    assert_error("{\"version\":1} // c",
                 "line 1, column 15: unexpected text after the document");
    assert_error("{\"version\":1,}", "line 1, column 14: unexpected "
                 "character");
    /* yajl's whitespace, not JSON's */
    assert_error("{\"version\":1\f}", "line 1, column 13: unexpected "
                 "character");
    assert_error("{\"version\":\v1}", "line 1, column 12: unexpected "
                 "character");
    assert_error("{\"pod_map\":[{\"name\":\"a\fb\"}]}",
                 "line 1, column 23: unexpected character");
    /* an error before one of them is reported first */
    assert_error("{\"version\":true,\f}", "version: expected an integer, "
                 "got true");

    /* and what is JSON still loads: escapes, a pair of surrogates,
     * UTF-8 of every length, -0, whitespace around */
    d = parse(" \r\n\t{\"version\":-0,\"pod_map\":[{\"id\":1,\"name\":"
              "\"\\ud83d\\ude00\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}],"
              "\"pod_k8s_label_map\":[{\"pod_id\":1,\"label_name\":"
              "[\"\\u0061\\/b\"],\"label_value\":[\"\\\\\"]}]} \n", err,
              sizeof(err));
    assert_string_equal(err, "");
    assert_non_null(d);
    assert_int_equal(dfx_dict_version(d), 0);
    assert_name(d, DFX_DICT_POD, 1, "\"\xf0\x9f\x98\x80\xc3\xa9\xe2\x82\xac"
                "\xf0\x9f\x98\x80\"");
    l = dfx_dict_pod_labels(d, 1);
    assert_non_null(l);
    assert_string_equal(l->names_raw[0].data, "a/b");
    assert_memory_equal(l->values[0].data, "\"\\\\\"", 4);
    dfx_dict_release(d);
}

/* The first problem in document order is the one reported, wherever it
 * is and whatever comes after it. */
static void
test_document_order(void **state)
{
    (void) state;
    assert_error("{\"pod_map\":[{\"id\":1.5}],\"regoin_map\":[]}",
                 "pod_map[0].id: expected an integer, got 1.5");
    assert_error("{\"regoin_map\":[],\"pod_map\":[{\"id\":1.5}]}",
                 "regoin_map: unknown member");
    assert_error("{\"vtap_map\":[{\"id\":1}],\"version\":-1}",
                 "version: must be between 0 and 18446744073709551615, "
                 "got -1");
    assert_error("{\"pod_map\":[{\"name\":5,\"id\":\"x\"}]}",
                 "pod_map[0].name: expected a string, got 5");
    assert_error("{\"pod_map\":[{\"id\":\"x\",\"name\":5}]}",
                 "pod_map[0].id: expected an integer, got \"x\"");
    assert_error("{\"device_map\":[{\"name\":\"a\",\"type\":-2,\"id\":-1}]}",
                 "device_map[0].type: must be between 0 and 4294967295, "
                 "got -2");
    /* content before syntax, and syntax before content */
    assert_error("{\"pod_map\":[{\"id\":\"x\"}], ]",
                 "pod_map[0].id: expected an integer, got \"x\"");
    assert_error("{\"pod_map\":[{\"id\":1,,}], \"bad\":1}",
                 "line 1, column 21: unexpected character");
    /* the lengths of the label lists are compared when the entry ends */
    assert_error("{\"pod_k8s_label_map\":[{\"label_value\":[\"1\",\"2\"],"
                 "\"labelName\":[\"a\"]},{\"pod_id\":\"x\"}]}",
                 "pod_k8s_label_map[0]: labelName has 1 elements, "
                 "label_value 2");
    assert_error("{\"pod_k8s_label_map\":[{\"label_value\":[\"1\",\"2\"],"
                 "\"pod_id\":-1}]}",
                 "pod_k8s_label_map[0].pod_id: must be between 0 and "
                 "4294967295, got -1");
    assert_error("{\"pod_k8s_label_map\":[{\"label_value\":[\"1\"]}]}",
                 "pod_k8s_label_map[0]: label_name has 0 elements, "
                 "label_value 1");
    /* an entry that is fine, then the next one */
    assert_error("{\"pod_map\":[{\"id\":1},{\"name\":\"b\"},{\"nmae\":1}]}",
                 "pod_map[2].nmae: unknown member");
    assert_error("{\"pod_map\":[],\"az_map\":[{\"id\":1,\"type\":6}]}",
                 "az_map[0].type: unknown member");
}

/* "got X": a scalar as written in the document, a container by kind. */
static void
test_shown_values(void **state)
{
    (void) state;
    assert_error("{\"pod_map\":[{\"id\":\"1\\u0041\"}]}",
                 "pod_map[0].id: expected an integer, got \"1\\u0041\"");
    assert_error("{\"pod_map\":[{\"id\":\"a\\\"b\\\\\"}]}",
                 "pod_map[0].id: expected an integer, got \"a\\\"b\\\\\"");
    assert_error("{\"pod_map\":[{\"id\":-1.5e3}]}",
                 "pod_map[0].id: expected an integer, got -1.5e3");
    assert_error("{\"pod_map\":[{\"id\":1.0}]}",
                 "pod_map[0].id: expected an integer, got 1.0");
    assert_error("{\"pod_map\":[{\"id\":false}]}",
                 "pod_map[0].id: expected an integer, got false");
    assert_error("{\"pod_map\":[{\"id\":-99999999999999999999999}]}",
                 "pod_map[0].id: must be between 0 and 4294967295, got "
                 "-99999999999999999999999");
    assert_error("{\"pod_map\":[{\"id\":\"4294967296\"}]}",
                 "pod_map[0].id: must be between 0 and 4294967295, got "
                 "\"4294967296\"");
    assert_error("{\"pod_map\":[{\"name\":null,\"id\":{}}]}",
                 "pod_map[0].id: expected an integer, got an object");
    assert_error("{\"version\":[1]}",
                 "version: expected an integer, got an array");
    assert_error("{\"pod_map\":[{\"name\":[\"a\"]}]}",
                 "pod_map[0].name: expected a string, got an array");
    assert_error("{\"pod_map\":[{\"name\":true}]}",
                 "pod_map[0].name: expected a string, got true");
    assert_error("{\"pod_map\":[null]}",
                 "pod_map[0]: expected an object, got null");
    assert_error("{\"pod_map\":[{},\"x\"]}",
                 "pod_map[1]: expected an object, got \"x\"");
    assert_error("{\"pod_map\":[[]]}",
                 "pod_map[0]: expected an object, got an array");
    assert_error("{\"pod_k8s_label_map\":[{\"label_name\":[\"a\",null,{}]}]}",
                 "pod_k8s_label_map[0].label_name[2]: expected a string, "
                 "got an object");
    assert_error("{\"pod_k8s_label_map\":[{\"labelValue\":[1]}]}",
                 "pod_k8s_label_map[0].labelValue[0]: expected a string, "
                 "got 1");
    assert_error("{\"pod_k8s_label_map\":[{\"label_value\":{}}]}",
                 "pod_k8s_label_map[0].label_value: expected an array");
    assert_error("\"x\"", "expected a JSON object at the top level");
    assert_error("null", "expected a JSON object at the top level");
}

/* Nesting deeper than the format is refused at the first container out
 * of place, however deep the rest goes. */
static void
test_deep_nesting(void **state)
{
    static const struct {
        const char  *prefix;
        char         open;
        const char  *want;
    } cases[] = {
        { "", '[', "expected a JSON object at the top level" },
        { "{\"pod_map\":", '{', "pod_map: expected an array" },
        { "{\"pod_map\":[", '[', "pod_map[0]: expected an object, got "
                                 "an array" },
        { "{\"pod_map\":[{\"id\":", '[', "pod_map[0].id: expected an "
                                         "integer, got an array" },
        { "{\"version\":", '{', "version: expected an integer, got an "
                                "object" },
        { "{\"pod_k8s_label_map\":[{\"label_name\":[", '[',
          "pod_k8s_label_map[0].label_name[0]: expected a string, got an "
          "array" },
    };
    dfx_buf_t  b = DFX_BUF_INIT;
    size_t     i, j;

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dfx_buf_reset(&b);
        assert_int_equal(dfx_buf_printf(&b, "%s", cases[i].prefix), 0);
        for (j = 0; j < 200000; j++) {
            assert_int_equal(dfx_buf_printf(&b, "%s", cases[i].open == '['
                                            ? "[" : "{\"a\":"), 0);
        }
        assert_int_equal(dfx_buf_putc(&b, '\0'), 0);
        assert_error(b.data, cases[i].want);
    }
    dfx_buf_free(&b);
}

/* Maps and members in any order and spelling, many entries: the tables
 * grow by rehashing many times, and every entry is then found. */
static void
test_any_order_and_growth(void **state)
{
    const dfx_dict_labels_t  *l;
    const size_t              npods = 20000, ndev = 5000, nlab = 3000;
    dfx_buf_t                 b = DFX_BUF_INIT, lit = DFX_BUF_INIT;
    char                      err[256] = "", raw[32];
    dfx_dict_t               *d;
    size_t                    i, j, n;

    (void) state;
    assert_int_equal(dfx_buf_printf(&b, "{\"podK8sLabelMap\":["), 0);
    for (i = 0; i < nlab; i++) {
        n = 1 + i % 4;
        assert_int_equal(dfx_buf_printf(&b, "%s{\"label_value\":[",
                                        i ? "," : ""), 0);
        for (j = 0; j < n; j++) {
            assert_int_equal(dfx_buf_printf(&b, "%s\"v%zu-%zu\"",
                                            j ? "," : "", i, j), 0);
        }
        assert_int_equal(dfx_buf_printf(&b, "],\"labelName\":["), 0);
        for (j = 0; j < n; j++) {
            assert_int_equal(dfx_buf_printf(&b, "%s\"n%zu\"", j ? "," : "",
                                            j), 0);
        }
        assert_int_equal(dfx_buf_printf(&b, "],\"podId\":\"%zu\"}",
                                        i * 7 + 1), 0);
    }
    assert_int_equal(dfx_buf_printf(&b, "],\"device_map\":["), 0);
    for (i = 0; i < ndev; i++) {
        assert_int_equal(dfx_buf_printf(&b, "%s{\"name\":\"dev-%zu\","
                                        "\"type\":%zu,\"id\":%zu}",
                                        i ? "," : "", i, 10 + i % 3, i / 3),
                         0);
    }
    assert_int_equal(dfx_buf_printf(&b, "],\"version\":42,\"pod_map\":["),
                     0);
    for (i = 0; i < npods; i++) {
        /* every tenth name is too long for its slot */
        assert_int_equal(dfx_buf_printf(&b, "%s{\"name\":\"pod-%zu%s\","
                                        "\"id\":%zu}", i ? "," : "", i,
                                        i % 10 ? "" : "-0123456789abcdef"
                                        "0123456789abcdef0123456789",
                                        i * 7 + 1), 0);
    }
    assert_int_equal(dfx_buf_printf(&b, "],\"regionMap\":[{\"id\":1,"
                                    "\"name\":\"r\"}]}"), 0);

    d = dfx_dict_parse(b.data, b.len, err, sizeof(err));
    assert_string_equal(err, "");
    assert_non_null(d);
    assert_int_equal(dfx_dict_version(d), 42);
    assert_int_equal(dfx_dict_entries(d), npods + ndev + 1 + nlab);
    /* 8 slots at first, doubled 12 times: 20,000 entries at most 70% */
    assert_int_equal(d->maps[DFX_DICT_POD].mask + 1, 32768);
    assert_int_equal(d->maps[DFX_DICT_DEVICE].mask + 1, 8192);
    assert_int_equal(d->lmask + 1, 8192);

    for (i = 0; i < npods; i++) {
        dfx_buf_reset(&lit);
        assert_int_equal(dfx_buf_printf(&lit, "\"pod-%zu%s\"", i,
                                        i % 10 ? "" : "-0123456789abcdef"
                                        "0123456789abcdef0123456789"), 0);
        assert_name(d, DFX_DICT_POD, i * 7 + 1, lit.data);
        assert_no_name(d, DFX_DICT_POD, i * 7 + 2);
    }
    for (i = 0; i < ndev; i++) {
        dfx_buf_reset(&lit);
        assert_int_equal(dfx_buf_printf(&lit, "\"dev-%zu\"", i), 0);
        assert_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(10 + i % 3,
                                                            i / 3),
                    lit.data);
        assert_no_name(d, DFX_DICT_DEVICE, DFX_DICT_DEVICE_KEY(9, i / 3));
    }
    for (i = 0; i < nlab; i++) {
        l = dfx_dict_pod_labels(d, (uint32_t) (i * 7 + 1));
        assert_non_null(l);
        assert_int_equal(l->n, 1 + i % 4);
        for (j = 0; j < l->n; j++) {
            snprintf(raw, sizeof(raw), "n%zu", j);
            assert_string_equal(l->names_raw[j].data, raw);
            dfx_buf_reset(&lit);
            assert_int_equal(dfx_buf_printf(&lit, "\"v%zu-%zu\"", i, j), 0);
            assert_int_equal(l->values[j].len, lit.len);
            assert_memory_equal(l->values[j].data, lit.data, lit.len);
        }
        assert_null(dfx_dict_pod_labels(d, (uint32_t) (i * 7 + 2)));
    }
    assert_name(d, DFX_DICT_REGION, 1, "\"r\"");
    dfx_dict_release(d);
    dfx_buf_free(&b);
    dfx_buf_free(&lit);
}

static void
test_too_many_labels(void **state)
{
    dfx_buf_t    b = DFX_BUF_INIT;
    char         err[256] = "";
    dfx_dict_t  *d;
    int          i, n;

    (void) state;
    for (n = DFX_DICT_MAX_LABELS; n <= DFX_DICT_MAX_LABELS + 1; n++) {
        dfx_buf_reset(&b);
        assert_int_equal(dfx_buf_printf(&b, "{\"pod_k8s_label_map\":[{"
                                        "\"pod_id\":1,\"label_name\":["), 0);
        for (i = 0; i < n; i++) {
            assert_int_equal(dfx_buf_printf(&b, "%s\"l%d\"", i ? "," : "",
                                            i), 0);
        }
        assert_int_equal(dfx_buf_printf(&b, "],\"label_value\":["), 0);
        for (i = 0; i < n; i++) {
            assert_int_equal(dfx_buf_printf(&b, "%s\"v\"", i ? "," : ""), 0);
        }
        assert_int_equal(dfx_buf_printf(&b, "]}]}"), 0);
        d = dfx_dict_parse(b.data, b.len, err, sizeof(err));
        if (n == DFX_DICT_MAX_LABELS) {
            assert_non_null(d);
            assert_int_equal(dfx_dict_pod_labels(d, 1)->n, n);
            dfx_dict_release(d);
        } else {
            assert_null(d);
            assert_string_equal(err, "pod_k8s_label_map[0].label_name: "
                                "more than 1024 labels (1025)");
        }
    }
    dfx_buf_free(&b);
}

static void
test_load_errors(void **state)
{
    char  err[512] = "";

    (void) state;
    assert_null(dfx_dict_load(DFX_TEST_FIXTURES "/no-such-dictionary.json",
                              err, sizeof(err)));
    assert_string_equal(err, DFX_TEST_FIXTURES "/no-such-dictionary.json: "
                        "No such file or directory");
    /* a directory reads as an error, not as an empty document */
    assert_null(dfx_dict_load(DFX_TEST_FIXTURES, err, sizeof(err)));
    assert_string_equal(err, DFX_TEST_FIXTURES ": Is a directory");
}

/* ---- publication -------------------------------------------------- */

static dfx_dict_t *
one_region(const char *name, uint64_t version)
{
    char         json[128], err[128];
    dfx_dict_t  *d;

    snprintf(json, sizeof(json), "{\"version\":%llu,\"region_map\":"
             "[{\"id\":1,\"name\":\"%s\"}]}", (unsigned long long) version,
             name);
    d = parse(json, err, sizeof(err));
    assert_non_null(d);
    return d;
}

static void
test_publish_and_stats(void **state)
{
    const dfx_dict_t  *a, *b, *c;
    char               err[64];

    (void) state;
    dfx_stats_reset();
    dfx_dict_publish(NULL);
    assert_null(dfx_dict_acquire());
    assert_int_equal(dfx_stats_get(DFX_STAT_dictionary_loaded, -1, -1, -1),
                     0);

    dfx_dict_publish(one_region("first", 1));
    assert_int_equal(dfx_stats_get(DFX_STAT_dictionary_loaded, -1, -1, -1),
                     1);
    a = dfx_dict_acquire();
    assert_non_null(a);
    assert_int_equal(dfx_dict_version(a), 1);

    /* swapped while a reader holds the old one: the old one stays valid
     * (ASan would see a use after free) until its last release */
    dfx_dict_publish(one_region("second", 2));
    b = dfx_dict_acquire();
    assert_int_equal(dfx_dict_version(b), 2);
    assert_name(a, DFX_DICT_REGION, 1, "\"first\"");
    assert_name(b, DFX_DICT_REGION, 1, "\"second\"");
    dfx_dict_release(a);
    assert_name(b, DFX_DICT_REGION, 1, "\"second\"");

    /* unloading: readers get NULL, the holder keeps its copy */
    dfx_dict_publish(NULL);
    assert_int_equal(dfx_stats_get(DFX_STAT_dictionary_loaded, -1, -1, -1),
                     0);
    c = dfx_dict_acquire();
    assert_null(c);
    assert_name(b, DFX_DICT_REGION, 1, "\"second\"");
    dfx_dict_release(b);

    /* loads counted by result: a publication is a load; a document that
     * does not parse and a file that does not load are errors */
    assert_null(parse("{", err, sizeof(err)));
    assert_null(dfx_dict_load("/nonexistent/dictionary.json", err,
                              sizeof(err)));
    assert_int_equal(dfx_stats_get(DFX_STAT_dictionary_loads_total, -1, -1,
                                   DFX_REASON_OK), 2);
    assert_int_equal(dfx_stats_get(DFX_STAT_dictionary_loads_total, -1, -1,
                                   DFX_REASON_ERROR), 2);

    /* an unpublished dictionary is freed by its only release */
    dfx_dict_release(one_region("never", 3));
}

#define DFX_TEST_READERS  4
#define DFX_TEST_ROUNDS   1000

static atomic_int   stop_readers;
static atomic_long  reads[DFX_TEST_READERS];

static char  err_none[] = "no dictionary while one was published";
static char  err_changed[] = "a dictionary changed under its reader";

/* Returns NULL, or why it failed. */
static void *
reader(void *arg)
{
    atomic_long       *n = arg;
    const dfx_dict_t  *d;
    dfx_str_t          name;

    while (!atomic_load(&stop_readers)) {
        d = dfx_dict_acquire();
        if (d == NULL) {
            return err_none;
        }
        /* every published dictionary names region 1 "rN" where N is its
         * version: a freed one would not (and ASan would say so) */
        if (dfx_dict_name(d, DFX_DICT_REGION, 1, &name) != 1
            || name.len < 3 || name.data[1] != 'r')
        {
            return err_changed;
        }
        dfx_dict_release(d);
        atomic_fetch_add(n, 1);
    }
    return NULL;
}

static int
readers_done(void)
{
    int  i;

    for (i = 0; i < DFX_TEST_READERS; i++) {
        if (atomic_load(&reads[i]) < DFX_TEST_ROUNDS) {
            return 0;
        }
    }
    return 1;
}

static void
test_publish_concurrent(void **state)
{
    pthread_t        t[DFX_TEST_READERS];
    struct timespec  now, end;
    void            *ret;
    char             name[16];
    int              i, published = 0, timed_out = 0;

    (void) state;
    atomic_store(&stop_readers, 0);
    dfx_dict_publish(one_region("r0", 0));
    for (i = 0; i < DFX_TEST_READERS; i++) {
        atomic_store(&reads[i], 0);
        assert_int_equal(pthread_create(&t[i], NULL, reader, &reads[i]), 0);
    }

    /* publish until every reader has taken many dictionaries while they
     * were being replaced; bounded in time */
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += 30;
    while (published < 2000 || !readers_done()) {
        published++;
        snprintf(name, sizeof(name), "r%d", published);
        dfx_dict_publish(one_region(name, (uint64_t) published));
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > end.tv_sec) {
            timed_out = 1;
            break;
        }
    }
    atomic_store(&stop_readers, 1);
    for (i = 0; i < DFX_TEST_READERS; i++) {
        assert_int_equal(pthread_join(t[i], &ret), 0);
        if (ret != NULL) {
            fail_msg("reader %d: %s", i, (const char *) ret);
        }
    }
    assert_false(timed_out);
    dfx_dict_publish(NULL);
}

/* ---- size --------------------------------------------------------- */

static long
max_rss_kib(void)
{
    struct rusage  ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void
test_10k_pods(void **state)
{
    dfx_buf_t         b = DFX_BUF_INIT;
    struct timespec   t0, t1;
    const size_t      npods = 10000, nlabels = 10;
    char              err[256] = "";
    dfx_dict_t       *d;
    dfx_str_t         name;
    size_t            i, j, bytes;
    long              rss0, rss1;
    double            ms;

    (void) state;
    assert_int_equal(dfx_buf_printf(&b, "{\"version\":7,\"pod_map\":["), 0);
    for (i = 0; i < npods; i++) {
        assert_int_equal(dfx_buf_printf(&b, "%s{\"id\":%zu,\"name\":"
                                        "\"app-%zu-7d9f8c6b5-x2k4q\"}",
                                        i ? "," : "", 100000 + i, i), 0);
    }
    assert_int_equal(dfx_buf_printf(&b, "],\"device_map\":["), 0);
    for (i = 0; i < npods; i++) {
        assert_int_equal(dfx_buf_printf(&b, "%s{\"id\":%zu,\"type\":10,"
                                        "\"name\":\"app-%zu-7d9f8c6b5-x2k4q\"},"
                                        "{\"id\":%zu,\"type\":130,"
                                        "\"name\":\"app-%zu\"}",
                                        i ? "," : "", 100000 + i, i,
                                        i / 3, i / 3), 0);
    }
    assert_int_equal(dfx_buf_printf(&b, "],\"pod_k8s_label_map\":["), 0);
    for (i = 0; i < npods; i++) {
        assert_int_equal(dfx_buf_printf(&b, "%s{\"pod_id\":%zu,"
                                        "\"label_name\":[", i ? "," : "",
                                        100000 + i), 0);
        for (j = 0; j < nlabels; j++) {
            assert_int_equal(dfx_buf_printf(&b, "%s\"app.kubernetes.io/"
                                            "label-%zu\"", j ? "," : "", j),
                             0);
        }
        assert_int_equal(dfx_buf_printf(&b, "],\"label_value\":["), 0);
        for (j = 0; j < nlabels; j++) {
            assert_int_equal(dfx_buf_printf(&b, "%s\"value-%zu-%zu\"",
                                            j ? "," : "", i, j), 0);
        }
        assert_int_equal(dfx_buf_printf(&b, "]}"), 0);
    }
    assert_int_equal(dfx_buf_printf(&b, "]}"), 0);

    rss0 = max_rss_kib();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    d = dfx_dict_parse(b.data, b.len, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rss1 = max_rss_kib();
    assert_string_equal(err, "");
    assert_non_null(d);

    ms = (double) (t1.tv_sec - t0.tv_sec) * 1e3
         + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6;
    bytes = dfx_pool_size(d->pool) + d->names_cap;
    for (i = 0; i < DFX_DICT_NMAPS; i++) {
        bytes += (d->maps[i].mask + (size_t) 1) * sizeof(dfx_dict_slot_t);
    }
    print_message("10,000 pods x %zu labels: %zu KiB of JSON, loaded in "
                  "%.1f ms, dictionary holds %zu KiB (%zu bytes per pod), "
                  "peak RSS grew %ld KiB while parsing\n", nlabels,
                  b.len / 1024, ms, bytes / 1024, bytes / npods,
                  rss1 - rss0);

    /* pods, pod devices, pod-group devices, pods with labels */
    assert_int_equal(dfx_dict_entries(d), npods * 3 + (npods + 2) / 3);
    assert_int_equal(dfx_dict_name(d, DFX_DICT_POD, 100000 + 9999, &name),
                     1);
    assert_int_equal(dfx_dict_pod_labels(d, 100000 + 4242)->n, nlabels);
    /* the ceiling: well under 2 KiB per pod with 10 labels */
    assert_true(bytes < npods * 2048);

    dfx_dict_release(d);
    dfx_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_camel_case_and_string_ids),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_duplicates_last_wins),
        cmocka_unit_test(test_slots_and_names),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_given_twice),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_strict_json),
        cmocka_unit_test(test_document_order),
        cmocka_unit_test(test_shown_values),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_any_order_and_growth),
        cmocka_unit_test(test_too_many_labels),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_publish_and_stats),
        cmocka_unit_test(test_publish_concurrent),
        cmocka_unit_test(test_10k_pods),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
