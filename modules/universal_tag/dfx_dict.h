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
 * "pod_map[3].id: expected an integer") when it is not valid. */
dfx_dict_t *dfx_dict_parse(const char *json, size_t len,
                           char *err, size_t errlen);

/* Same, from a file. */
dfx_dict_t *dfx_dict_load(const char *path, char *err, size_t errlen);

/* Makes d the current dictionary (NULL: none); the previous one is
 * freed when its last reference goes.  Thread-safe. */
void dfx_dict_publish(dfx_dict_t *d);

/* The current dictionary with a reference, or NULL when none is loaded. */
const dfx_dict_t *dfx_dict_acquire(void);
void dfx_dict_release(const dfx_dict_t *d);

/* For /stats: the dictionary's version and entry counts. */
uint64_t dfx_dict_version(const dfx_dict_t *d);
size_t dfx_dict_entries(const dfx_dict_t *d);

#endif /* DFX_DICT_H */
