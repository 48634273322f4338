/*
 * dfx_dict.h: the universal-tag dictionary (resource ids -> names).
 *
 * Loaded from a JSON file shaped like DeepFlow's
 * UniversalTagNameMapsResponse (region_map, az_map, device_map with type,
 * pod_node_map, pod_ns_map, pod_group_map, pod_map, pod_cluster_map,
 * l3_epc_map, subnet_map, gprocess_map, vtap_map, pod_k8s_label_map,
 * version; protobuf's lowerCamelCase spellings accepted too), or PUT on
 * the admin listener.  The current dictionary is swapped atomically:
 * a request takes a reference when it starts and keeps using that
 * dictionary to its end, whatever is published meanwhile.
 */
#ifndef DFX_DICT_H
#define DFX_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_module.h"
#include "dfx_str.h"

/* Parses and indexes a dictionary; NULL with err filled (what and where:
 * "pod_map[3].id: expected an integer") when it is not valid, counted in
 * dictionary_loads_total{reason="error"}.  The result holds one
 * reference, handed on by dfx_dict_publish() or dropped by
 * dfx_dict_release(). */
dfx_dict_t *dfx_dict_parse(const char *json, size_t len,
                           char *err, size_t errlen);

/* Same, from a file; err starts with the path.  A failure (unreadable
 * file or invalid content) is counted like dfx_dict_parse()'s. */
dfx_dict_t *dfx_dict_load(const char *path, char *err, size_t errlen);

/* Makes d the current dictionary (NULL: none), taking over the caller's
 * reference; the previous one is freed when its last reference goes.
 * Counts dictionary_loads_total{reason="ok"} and sets dictionary_loaded.
 * Thread-safe; readers never wait for it. */
void dfx_dict_publish(dfx_dict_t *d);

/* The current dictionary with a reference, or NULL when none is loaded.
 * Lock-free; take it once per request.  dfx_dict_release() drops a
 * reference (the last one frees the dictionary) and accepts NULL. */
const dfx_dict_t *dfx_dict_acquire(void);
void dfx_dict_release(const dfx_dict_t *d);

/* For /stats: the dictionary's version and entry counts. */
uint64_t dfx_dict_version(const dfx_dict_t *d);
size_t dfx_dict_entries(const dfx_dict_t *d);

/* ---- lookups (universal_tag module) ------------------------------- */

typedef enum {
    DFX_DICT_REGION = 0,
    DFX_DICT_AZ,
    DFX_DICT_DEVICE,            /* key: DFX_DICT_DEVICE_KEY(type, id) */
    DFX_DICT_POD_NODE,
    DFX_DICT_POD_NS,
    DFX_DICT_POD_GROUP,
    DFX_DICT_POD,
    DFX_DICT_POD_CLUSTER,
    DFX_DICT_L3_EPC,
    DFX_DICT_SUBNET,
    DFX_DICT_GPROCESS,
    DFX_DICT_VTAP,
    DFX_DICT_NMAPS
} dfx_dict_map_t;

#define DFX_DICT_DEVICE_KEY(type, id)                                       \
    (((uint64_t) (uint32_t) (type) << 32) | (uint32_t) (id))

/* Most labels one pod may carry (a longer list is a load error). */
#define DFX_DICT_MAX_LABELS  1024

/* One pod's k8s labels, in the order of the dictionary's arrays. */
typedef struct dfx_dict_labels_s {
    size_t            n;
    const dfx_str_t  *names_raw;    /* unescaped, NUL-terminated */
    const dfx_str_t  *names;        /* JSON string literals */
    const dfx_str_t  *values;       /* JSON string literals */
} dfx_dict_labels_t;

/* The name of key in map, as a JSON string literal with its quotes (an
 * empty name is the two-byte literal ""); 1 when found, 0 when not (name
 * is then an empty slice).  The slice lives as long as the dictionary. */
int dfx_dict_name(const dfx_dict_t *d, dfx_dict_map_t map, uint64_t key,
                  dfx_str_t *name);

/* The labels of a pod, or NULL when it has none in the dictionary. */
const dfx_dict_labels_t *dfx_dict_pod_labels(const dfx_dict_t *d,
                                             uint32_t pod_id);

#endif /* DFX_DICT_H */
