/*
 * fuzz_dict.c: libFuzzer driver for the universal-tag dictionary parser.
 *
 * The input is a dictionary document, parsed with dfx_dict_parse() as
 * PUT /v1/dictionary and a reload do.  When it is accepted, the document
 * is read a second time here with json-c and every entry the driver can
 * interpret on its own ({id, name} with an integer id and a string name,
 * device entries with their type, label entries) is looked up: the
 * dictionary must answer with the name of the last entry of that id, as a
 * valid JSON string literal, and the pod's labels in their order.
 *
 * Besides the sanitizers, the driver aborts when a contract is broken:
 *   - a refusal comes without a message (or an unterminated one);
 *   - an entry of an accepted document is not found, or found with
 *     another name, or a name is not a JSON string literal that decodes
 *     to the name given.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dfx_core.h"
#include "dfx_log.h"
#include "dfx_schema.h"
#include "universal_tag/dfx_dict.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The maps in dfx_dict_map_t order, in both spellings. */
static const struct {
    const char  *name;
    const char  *camel;
} fz_maps[DFX_DICT_NMAPS] = {
    [DFX_DICT_REGION] = { "region_map", "regionMap" },
    [DFX_DICT_AZ] = { "az_map", "azMap" },
    [DFX_DICT_DEVICE] = { "device_map", "deviceMap" },
    [DFX_DICT_POD_NODE] = { "pod_node_map", "podNodeMap" },
    [DFX_DICT_POD_NS] = { "pod_ns_map", "podNsMap" },
    [DFX_DICT_POD_GROUP] = { "pod_group_map", "podGroupMap" },
    [DFX_DICT_POD] = { "pod_map", "podMap" },
    [DFX_DICT_POD_CLUSTER] = { "pod_cluster_map", "podClusterMap" },
    [DFX_DICT_L3_EPC] = { "l3_epc_map", "l3EpcMap" },
    [DFX_DICT_SUBNET] = { "subnet_map", "subnetMap" },
    [DFX_DICT_GPROCESS] = { "gprocess_map", "gprocessMap" },
    [DFX_DICT_VTAP] = { "vtap_map", "vtapMap" },
};

static void
fz_die(const char *what)
{
    fprintf(stderr, "fuzz_dict: %s\n", what);
    abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    dfx_log_set_level(DFX_LOG_ALERT);
    if (dfx_schema_init() != 0) {
        fz_die("dfx_schema_init failed");
    }
    return 0;
}

/* An id the driver understands: a JSON integer, or a string of decimal
 * digits, from 0 to 2^32-1.  1 with *id set, 0 otherwise. */
static int
fz_id(json_object *o, uint32_t *id)
{
    const char  *s;
    uint64_t     v = 0;
    size_t       i, n;
    int64_t      i64;

    if (json_object_is_type(o, json_type_int)) {
        i64 = json_object_get_int64(o);
        if (i64 < 0 || i64 > (int64_t) UINT32_MAX) {
            return 0;
        }
        *id = (uint32_t) i64;
        return 1;
    }
    if (!json_object_is_type(o, json_type_string)) {
        return 0;
    }
    s = json_object_get_string(o);
    n = (size_t) json_object_get_string_len(o);
    if (n == 0 || n > 10) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) s[i])) {
            return 0;
        }
        v = v * 10 + (uint64_t) (s[i] - '0');
    }
    if (v > UINT32_MAX) {
        return 0;
    }
    *id = (uint32_t) v;
    return 1;
}

/* A member of o in either spelling; NULL when absent or null. */
static json_object *
fz_get(json_object *o, const char *name, const char *camel)
{
    json_object  *v = NULL;

    if (json_object_object_get_ex(o, name, &v) && v != NULL) {
        return v;
    }
    if (camel != NULL && json_object_object_get_ex(o, camel, &v)) {
        return v;
    }
    return NULL;
}

static int
fz_has_fffd(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i + 3 <= len; i++) {
        if (memcmp(s + i, "\xef\xbf\xbd", 3) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The literal is a JSON string whose value is want[0..wlen). */
static void
fz_check_literal(dfx_str_t lit, const char *want, size_t wlen)
{
    json_tokener  *tok;
    json_object   *o;

    if (lit.len < 2 || lit.data[0] != '"' || lit.data[lit.len - 1] != '"') {
        fz_die("a name is not a JSON string literal");
    }
    tok = json_tokener_new();
    if (tok == NULL) {
        fz_die("out of memory");
    }
    o = json_tokener_parse_ex(tok, lit.data, (int) lit.len);
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success
        || json_tokener_get_parse_end(tok) != lit.len
        || !json_object_is_type(o, json_type_string))
    {
        fprintf(stderr, "literal: %.*s\n", (int) lit.len, lit.data);
        fz_die("a name literal does not parse as one JSON string");
    }
    /* json-c 0.16 decodes some valid surrogate pairs (\ud837\ude00) to
     * U+FFFD: where its reading of the document holds U+FFFD, it is no
     * oracle for the name */
    if (!fz_has_fffd(want, wlen)
        && ((size_t) json_object_get_string_len(o) != wlen
            || memcmp(json_object_get_string(o), want, wlen) != 0))
    {
        fprintf(stderr, "literal: %.*s\n", (int) lit.len, lit.data);
        fz_die("a name literal decodes to another name");
    }
    json_object_put(o);
    json_tokener_free(tok);
}

/* Is entry i the last one of the list with this key?  (Later entries
 * win.) */
static int
fz_is_last(json_object *list, size_t i, int device, uint32_t id,
           uint32_t type)
{
    json_object  *e, *v;
    uint32_t      id2, type2;
    size_t        j, n = json_object_array_length(list);

    for (j = i + 1; j < n; j++) {
        e = json_object_array_get_idx(list, j);
        if (e == NULL || !json_object_is_type(e, json_type_object)) {
            continue;
        }
        v = fz_get(e, "id", NULL);
        if (v == NULL) {
            id2 = 0;
        } else if (!fz_id(v, &id2)) {
            continue;
        }
        type2 = 0;
        if (device) {
            v = fz_get(e, "type", NULL);
            if (v != NULL && !fz_id(v, &type2)) {
                continue;
            }
        }
        if (id2 == id && type2 == type) {
            return 0;
        }
    }
    return 1;
}

static void
fz_check_map(const dfx_dict_t *d, json_object *root, int map)
{
    json_object  *list, *e, *v, *nm;
    dfx_str_t     lit;
    uint32_t      id, type;
    size_t        i, n;
    int           device = map == DFX_DICT_DEVICE;

    list = fz_get(root, fz_maps[map].name, fz_maps[map].camel);
    if (list == NULL || !json_object_is_type(list, json_type_array)) {
        return;
    }
    n = json_object_array_length(list);
    for (i = 0; i < n; i++) {
        e = json_object_array_get_idx(list, i);
        if (e == NULL || !json_object_is_type(e, json_type_object)) {
            continue;
        }
        v = fz_get(e, "id", NULL);
        if (v != NULL && !fz_id(v, &id)) {
            continue;
        }
        if (v == NULL) {
            id = 0;
        }
        type = 0;
        if (device) {
            v = fz_get(e, "type", NULL);
            if (v != NULL && !fz_id(v, &type)) {
                continue;
            }
        }
        nm = fz_get(e, "name", NULL);
        if (nm != NULL && !json_object_is_type(nm, json_type_string)) {
            continue;
        }
        if (!fz_is_last(list, i, device, id, type)) {
            continue;
        }
        if (!dfx_dict_name(d, (dfx_dict_map_t) map,
                           device ? DFX_DICT_DEVICE_KEY(type, id) : id, &lit))
        {
            fprintf(stderr, "%s[%zu]: id %u type %u\n", fz_maps[map].name, i,
                    id, type);
            fz_die("an entry of an accepted dictionary is not found");
        }
        if (nm == NULL) {
            fz_check_literal(lit, "", 0);
        } else {
            fz_check_literal(lit, json_object_get_string(nm),
                             (size_t) json_object_get_string_len(nm));
        }
    }
}

static void
fz_check_labels(const dfx_dict_t *d, json_object *root)
{
    const dfx_dict_labels_t  *l;
    json_object              *list, *e, *v, *an, *av, *x, *y;
    uint32_t                  pod;
    size_t                    i, k, n, j, m;

    list = fz_get(root, "pod_k8s_label_map", "podK8sLabelMap");
    if (list == NULL || !json_object_is_type(list, json_type_array)) {
        return;
    }
    n = json_object_array_length(list);
    for (i = 0; i < n; i++) {
        e = json_object_array_get_idx(list, i);
        if (e == NULL || !json_object_is_type(e, json_type_object)) {
            continue;
        }
        v = fz_get(e, "pod_id", "podId");
        if (v == NULL || !fz_id(v, &pod)) {
            continue;
        }
        an = fz_get(e, "label_name", "labelName");
        av = fz_get(e, "label_value", "labelValue");
        if (an == NULL || av == NULL
            || !json_object_is_type(an, json_type_array)
            || !json_object_is_type(av, json_type_array))
        {
            continue;
        }
        m = json_object_array_length(an);
        if (m == 0 || m != json_object_array_length(av)) {
            continue;
        }
        /* a later entry for the same pod replaces this one (no pod_id:
         * pod 0, protobuf's default) */
        for (j = i + 1; j < n; j++) {
            json_object  *e2 = json_object_array_get_idx(list, j);
            uint32_t      p2 = 0;

            if (e2 == NULL || !json_object_is_type(e2, json_type_object)) {
                continue;
            }
            v = fz_get(e2, "pod_id", "podId");
            if ((v == NULL || fz_id(v, &p2)) && p2 == pod) {
                break;
            }
        }
        if (j < n) {
            continue;
        }
        l = dfx_dict_pod_labels(d, pod);
        if (l == NULL || l->n != m) {
            fprintf(stderr, "pod_k8s_label_map[%zu]: pod %u, %zu labels, "
                    "found %zu\n", i, pod, m, l != NULL ? l->n : 0);
            fz_die("the labels of an accepted dictionary are not found");
        }
        for (k = 0; k < m; k++) {
            x = json_object_array_get_idx(an, k);
            y = json_object_array_get_idx(av, k);
            if (x == NULL || y == NULL
                || !json_object_is_type(x, json_type_string)
                || !json_object_is_type(y, json_type_string))
            {
                break;
            }
            fz_check_literal(l->names[k], json_object_get_string(x),
                             (size_t) json_object_get_string_len(x));
            fz_check_literal(l->values[k], json_object_get_string(y),
                             (size_t) json_object_get_string_len(y));
            if (l->names_raw[k].len != (size_t) json_object_get_string_len(x)
                || (l->names_raw[k].len > 0
                    && memcmp(l->names_raw[k].data, json_object_get_string(x),
                              l->names_raw[k].len) != 0))
            {
                fz_die("a raw label name differs from the document's");
            }
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dfx_dict_t    *d;
    json_tokener  *tok;
    json_object   *root;
    char          *copy;
    char           err[512];
    int            map;

    copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(copy, data, size);
    }
    memset(err, 0x55, sizeof(err));
    d = dfx_dict_parse(copy, size, err, sizeof(err));
    if (d == NULL) {
        if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0') {
            fz_die("a refusal without a message");
        }
        free(copy);
        return 0;
    }
    (void) dfx_dict_version(d);
    (void) dfx_dict_entries(d);

    tok = json_tokener_new();
    if (tok == NULL) {
        fz_die("out of memory");
    }
    root = json_tokener_parse_ex(tok, copy, (int) size);
    if (root == NULL || !json_object_is_type(root, json_type_object)) {
        fz_die("an accepted dictionary is not a JSON object for json-c");
    }
    for (map = 0; map < DFX_DICT_NMAPS; map++) {
        fz_check_map(d, root, map);
    }
    fz_check_labels(d, root);
    json_object_put(root);
    json_tokener_free(tok);
    dfx_dict_release(d);
    free(copy);
    return 0;
}
