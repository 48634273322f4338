/*
 * dfx_schema_tables.h: the row macros of the per-item-type field tables
 * and the schema objects they define; private to modules/schema.
 *
 * DFX_F(name, category, sub-category, type, extras...) is one row; extras
 * are DFX_NULLABLE, DFX_TIME_S or DFX_TIME_US (DeepFlow's DateTime
 * columns), DFX_E(enum), DFX_U(universal tag, side, translated key) and
 * DFX_A(aliases...).  NONE stands for "no category" / "no or unknown
 * sub-category".
 */
#ifndef DFX_SCHEMA_TABLES_H
#define DFX_SCHEMA_TABLES_H

#include <stddef.h>

#include "dfx_core.h"
#include "dfx_schema.h"

#define DFX_CAT_NONE  0
#define DFX_SUB_NONE  0

#define DFX_F(nm, ct, sb, ty, ...)                                          \
    { .name = (nm), .cat = DFX_CAT_##ct, .sub = DFX_SUB_##sb,               \
      .type = DFX_T_##ty, __VA_ARGS__ }

#define DFX_NULLABLE     .flags = DFX_FIELD_NULLABLE
#define DFX_TIME_S       .flags = DFX_FIELD_TIME_S
#define DFX_TIME_US      .flags = DFX_FIELD_TIME_US
#define DFX_E(e)         .enum_id = DFX_ENUM_##e
#define DFX_U(u, sd, k)  .utag = DFX_UTAG_##u, .side = (sd), .utag_key = (k)
#define DFX_A(...)       .alias = { __VA_ARGS__ }

/* The second side of a single-sided data source. */
#define DFX_SIDE_NONE                                                       \
    { .l3_device_type = DFX_NO_FIELD, .auto_instance_type = DFX_NO_FIELD,   \
      .auto_service_type = DFX_NO_FIELD, .ip4 = DFX_NO_FIELD,               \
      .ip6 = DFX_NO_FIELD, .is_ipv4 = DFX_NO_FIELD,                         \
      .pod_id = DFX_NO_FIELD }

extern const dfx_schema_t  dfx_schema_l7_flow_log;
extern const dfx_schema_t  dfx_schema_l4_flow_log;
extern const dfx_schema_t  dfx_schema_network_1s;
extern const dfx_schema_t  dfx_schema_network_1m;
extern const dfx_schema_t  dfx_schema_network_map_1s;
extern const dfx_schema_t  dfx_schema_network_map_1m;
extern const dfx_schema_t  dfx_schema_application_1s;
extern const dfx_schema_t  dfx_schema_application_1m;
extern const dfx_schema_t  dfx_schema_application_map_1s;
extern const dfx_schema_t  dfx_schema_application_map_1m;
extern const dfx_schema_t  dfx_schema_file_event;
extern const dfx_schema_t  dfx_schema_perf_event;

#endif /* DFX_SCHEMA_TABLES_H */
