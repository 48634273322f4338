/*
 * dfx_schema.h: the data sources and their fields, as const tables.
 *
 * One table per DeepFlow item type (l7 and l4 flow logs, the four
 * flow_metrics families, file and perf events); the 1s and 1m variants of a
 * flow_metrics family share one field table.  Rows are in DeepFlow's
 * emission order (the order of keys in an exported message) and carry
 * everything the chain needs: the category bits export-fields selects on,
 * the value type the parser validates, the enum dictionary and the
 * universal tag that translate it.
 *
 * Field names are the exporter's output names (MapName for the map
 * flow_metrics sources, e.g. "region_id_0").  Aliases are accepted in input
 * records, tag filters and export-fields: DeepFlow's Name where it differs
 * ("region_id" on network_map), and the ClickHouse spellings ("endpoint",
 * "_trace_id_2", "nat_real_ip4_0", "pod_node_id", "_tid").
 */
#ifndef DFX_SCHEMA_H
#define DFX_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_str.h"

/* Sub-categories: one bit each.  A field carries at most one. */
#define DFX_SUB_FLOW_INFO          (1u << 0)
#define DFX_SUB_UNIVERSAL_TAG      (1u << 1)
#define DFX_SUB_CUSTOM_TAG         (1u << 2)
#define DFX_SUB_NATIVE_TAG         (1u << 3)
#define DFX_SUB_NETWORK_LAYER      (1u << 4)
#define DFX_SUB_TUNNEL_INFO        (1u << 5)
#define DFX_SUB_TRANSPORT_LAYER    (1u << 6)
#define DFX_SUB_APPLICATION_LAYER  (1u << 7)
#define DFX_SUB_SERVICE_INFO       (1u << 8)
#define DFX_SUB_TRACING_INFO       (1u << 9)
#define DFX_SUB_CAPTURE_INFO       (1u << 10)
#define DFX_SUB_DATA_LINK_LAYER    (1u << 11)
#define DFX_SUB_EVENT_INFO         (1u << 12)
#define DFX_SUB_L3_THROUGHPUT      (1u << 16)
#define DFX_SUB_L4_THROUGHPUT      (1u << 17)
#define DFX_SUB_TCP_SLOW           (1u << 18)
#define DFX_SUB_TCP_ERROR          (1u << 19)
#define DFX_SUB_APPLICATION        (1u << 20)
#define DFX_SUB_THROUGHPUT         (1u << 21)
#define DFX_SUB_ERROR              (1u << 22)
#define DFX_SUB_DELAY              (1u << 23)

/* "$tag": every tag sub-category except event_info (DeepFlow's rule). */
#define DFX_CAT_TAG                                                         \
    (DFX_SUB_FLOW_INFO | DFX_SUB_UNIVERSAL_TAG | DFX_SUB_CUSTOM_TAG         \
     | DFX_SUB_NATIVE_TAG | DFX_SUB_NETWORK_LAYER | DFX_SUB_TUNNEL_INFO     \
     | DFX_SUB_TRANSPORT_LAYER | DFX_SUB_APPLICATION_LAYER                  \
     | DFX_SUB_SERVICE_INFO | DFX_SUB_TRACING_INFO | DFX_SUB_CAPTURE_INFO   \
     | DFX_SUB_DATA_LINK_LAYER)

#define DFX_CAT_METRICS                                                     \
    (DFX_SUB_L3_THROUGHPUT | DFX_SUB_L4_THROUGHPUT | DFX_SUB_TCP_SLOW       \
     | DFX_SUB_TCP_ERROR | DFX_SUB_APPLICATION | DFX_SUB_THROUGHPUT         \
     | DFX_SUB_ERROR | DFX_SUB_DELAY)

typedef enum {
    DFX_T_U8 = 0,
    DFX_T_U16,
    DFX_T_U32,
    DFX_T_U64,
    DFX_T_I32,
    DFX_T_I64,
    DFX_T_BOOL,      /* input true/false/0/1, emitted 1/0 */
    DFX_T_STR,
    DFX_T_IP4,       /* input dotted quad, kept as host-order uint32 */
    DFX_T_IP6,       /* input any RFC 4291 text, kept as 16 bytes */
    DFX_T_MAC,       /* input aa:bb:cc:dd:ee:ff, kept as uint64 */
    DFX_T_STRS,      /* array of strings */
    DFX_T_F64S,      /* array of numbers */
} dfx_type_t;

typedef enum {
    DFX_ENUM_NONE = 0,
    DFX_ENUM_L7_PROTOCOL,
    DFX_ENUM_PROTOCOL,
    DFX_ENUM_L7_IP_PROTOCOL,
    DFX_ENUM_L7_LOG_TYPE,
    DFX_ENUM_RESPONSE_STATUS,
    DFX_ENUM_STATUS,
    DFX_ENUM_CLOSE_TYPE,
    DFX_ENUM_SPAN_KIND,
    DFX_ENUM_OBSERVATION_POINT,
    DFX_ENUM_L7_SIGNAL_SOURCE,
    DFX_ENUM_L4_SIGNAL_SOURCE,
    DFX_ENUM_CAPTURE_NIC_TYPE,
    DFX_ENUM_NAT_SOURCE,
    DFX_ENUM_TUNNEL_TYPE,
    DFX_ENUM_ROLE,
    DFX_ENUM_POD_GROUP_TYPE,
    DFX_ENUM_AUTO_INSTANCE_TYPE,
    DFX_ENUM_AUTO_SERVICE_TYPE,
    DFX_ENUM_FILE_EVENT_SIGNAL_SOURCE,
    DFX_ENUM_FILE_EVENT_TYPE,
    DFX_ENUM_FILE_TYPE,
    DFX_ENUM_PERF_EVENT_SIGNAL_SOURCE,
    DFX_ENUM_PERF_EVENT_TYPE,
    DFX_ENUM_COUNT
} dfx_enum_id_t;

/* The dictionary file name (conf/enum/<name>) of an enum id. */
extern const char *const dfx_enum_names[DFX_ENUM_COUNT];

typedef enum {
    DFX_UTAG_NONE = 0,
    DFX_UTAG_REGION,
    DFX_UTAG_AZ,
    DFX_UTAG_HOST,
    DFX_UTAG_L3_DEVICE_TYPE,
    DFX_UTAG_L3_DEVICE,
    DFX_UTAG_POD_NODE,
    DFX_UTAG_POD_NS,
    DFX_UTAG_POD_GROUP,
    DFX_UTAG_POD,
    DFX_UTAG_POD_CLUSTER,
    DFX_UTAG_L3_EPC,
    DFX_UTAG_SUBNET,
    DFX_UTAG_SERVICE,
    DFX_UTAG_GPROCESS,
    DFX_UTAG_AGENT,
    DFX_UTAG_AUTO_INSTANCE_TYPE,
    DFX_UTAG_AUTO_INSTANCE,
    DFX_UTAG_AUTO_SERVICE_TYPE,
    DFX_UTAG_AUTO_SERVICE,
    DFX_UTAG_COUNT
} dfx_utag_id_t;

#define DFX_FIELD_NULLABLE  0x01   /* null allowed; absent/null = omitted */
/* DeepFlow's DateTime columns: the parser's ClickHouse dialect reads
 * their date and time text (dfx_record_parse.h). */
#define DFX_FIELD_TIME_S    0x02   /* "time": seconds, DateTime */
#define DFX_FIELD_TIME_US   0x04   /* start/end_time: us, DateTime64(6) */

typedef struct dfx_field_s {
    const char  *name;          /* output name before translation */
    const char  *alias[2];      /* other accepted spellings, or NULL */
    const char  *utag_key;      /* key when universal-tag translated */
    uint32_t     cat;           /* DFX_CAT_TAG, DFX_CAT_METRICS or 0 */
    uint32_t     sub;           /* one DFX_SUB_* bit, or 0 (none/unknown) */
    uint8_t      type;          /* dfx_type_t */
    uint8_t      flags;         /* DFX_FIELD_* */
    uint8_t      enum_id;       /* dfx_enum_id_t */
    uint8_t      utag;          /* dfx_utag_id_t */
    uint8_t      side;          /* 0 client/single side, 1 server side */
} dfx_field_t;

#define DFX_NO_FIELD  UINT16_MAX

/* Per side: the fields a universal-tag lookup of that side needs besides
 * its own id (device types, the side's IP for Internet instances, the pod
 * for k8s labels).  DFX_NO_FIELD where the data source has none. */
typedef struct dfx_schema_side_s {
    uint16_t  l3_device_type;
    uint16_t  auto_instance_type;
    uint16_t  auto_service_type;
    uint16_t  ip4;
    uint16_t  ip6;
    uint16_t  is_ipv4;
    uint16_t  pod_id;
} dfx_schema_side_t;

typedef enum {
    DFX_TS_SECONDS = 0,         /* flow_metrics: time */
    DFX_TS_MICROSECONDS,        /* flow logs, events: end_time */
} dfx_ts_unit_t;

typedef struct dfx_schema_s {
    const char              *name;      /* "flow_log.l7_flow_log" */
    const dfx_field_t       *fields;    /* emission order */
    uint16_t                 nfields;
    uint16_t                 ts_field;  /* message timestamp and time_str */
    uint8_t                  ts_unit;   /* dfx_ts_unit_t */
    uint8_t                  is_map;    /* DeepFlow's IsMap() */
    uint8_t                  nsides;    /* 1 or 2 */
    uint8_t                  id;        /* dfx_ds_id_t */
    dfx_schema_side_t        side[2];
    /* k8s label output keys: "k8s_label_names_0" / "k8s_label_names" */
    const char              *label_names_key[2];
    const char              *label_values_key[2];
} dfx_schema_t;

/* The data sources dfexport ingests, in a fixed order (array indexes,
 * counter labels). */
typedef enum {
    DFX_DS_L7_FLOW_LOG = 0,
    DFX_DS_L4_FLOW_LOG,
    DFX_DS_NETWORK_1S,
    DFX_DS_NETWORK_1M,
    DFX_DS_NETWORK_MAP_1S,
    DFX_DS_NETWORK_MAP_1M,
    DFX_DS_APPLICATION_1S,
    DFX_DS_APPLICATION_1M,
    DFX_DS_APPLICATION_MAP_1S,
    DFX_DS_APPLICATION_MAP_1M,
    DFX_DS_FILE_EVENT,
    DFX_DS_PERF_EVENT,
    DFX_DS_COUNT
} dfx_ds_id_t;

/* Every ingestable data source, indexed by dfx_ds_id_t. */
extern const dfx_schema_t *const dfx_schemas[DFX_DS_COUNT];

/* Looks a data source up by its name; NULL if dfexport has no schema for
 * it. */
const dfx_schema_t *dfx_schema_find(const char *name, size_t len);

/* Names DeepFlow's config accepts but never exports anything for
 * (event.file_agg_event, ...): 1 if name is one of them. */
int dfx_schema_is_silent(const char *name, size_t len);

/* Finds a field by its name or one of its aliases; returns its index or
 * -1.  Uses a hash built by dfx_schema_init(). */
int dfx_schema_field(const dfx_schema_t *s, const char *name, size_t len);

/* Builds the name lookup tables.  Call once before any lookup; returns 0
 * or -1 on ENOMEM.  dfx_schema_cleanup() frees them. */
int dfx_schema_init(void);
void dfx_schema_cleanup(void);

#endif /* DFX_SCHEMA_H */
