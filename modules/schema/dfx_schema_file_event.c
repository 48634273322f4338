/*
 * dfx_schema_file_event.c: event.file_event, in emission order.
 *
 * DeepFlow exports the event's pod-node id under the key host_node_id; the
 * ClickHouse spelling pod_node_id is accepted too.
 */
#include "dfx_schema_tables.h"

static const dfx_field_t  dfx_file_event_fields[] = {
    DFX_F("time", TAG, FLOW_INFO, U32, DFX_TIME_S),
    DFX_F("_id", TAG, FLOW_INFO, U64),
    DFX_F("start_time", TAG, FLOW_INFO, I64, DFX_TIME_US),
    DFX_F("end_time", TAG, FLOW_INFO, I64, DFX_TIME_US),
    DFX_F("signal_source", TAG, CAPTURE_INFO, U8,
          DFX_E(FILE_EVENT_SIGNAL_SOURCE)),
    DFX_F("event_type", TAG, EVENT_INFO, STR, DFX_E(FILE_EVENT_TYPE)),
    DFX_F("process_kname", TAG, SERVICE_INFO, STR),
    DFX_F("gprocess_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(GPROCESS, 0, "gprocess")),
    DFX_F("region_id", TAG, UNIVERSAL_TAG, U16, DFX_U(REGION, 0, "region")),
    DFX_F("az_id", TAG, UNIVERSAL_TAG, U16, DFX_U(AZ, 0, "az")),
    DFX_F("l3_epc_id", TAG, UNIVERSAL_TAG, I32, DFX_U(L3_EPC, 0, "l3_epc")),
    DFX_F("host_id", TAG, UNIVERSAL_TAG, U16, DFX_U(HOST, 0, "host")),
    DFX_F("pod_id", TAG, UNIVERSAL_TAG, U32, DFX_U(POD, 0, "pod")),
    DFX_F("host_node_id", TAG, UNIVERSAL_TAG, U32, DFX_A("pod_node_id")),
    DFX_F("pod_ns_id", TAG, UNIVERSAL_TAG, U16, DFX_U(POD_NS, 0, "pod_ns")),
    DFX_F("pod_cluster_id", TAG, UNIVERSAL_TAG, U16,
          DFX_U(POD_CLUSTER, 0, "pod_cluster")),
    DFX_F("pod_group_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(POD_GROUP, 0, "pod_group")),
    DFX_F("l3_device_type", TAG, UNIVERSAL_TAG, U8,
          DFX_U(L3_DEVICE_TYPE, 0, "l3_device_type")),
    DFX_F("l3_device_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(L3_DEVICE, 0, "l3_device")),
    DFX_F("service_id", TAG, UNIVERSAL_TAG, U32, DFX_U(SERVICE, 0, "service")),
    DFX_F("agent_id", TAG, UNIVERSAL_TAG, U16, DFX_U(AGENT, 0, "agent")),
    DFX_F("subnet_id", TAG, UNIVERSAL_TAG, U16, DFX_U(SUBNET, 0, "subnet")),
    DFX_F("is_ipv4", TAG, NETWORK_LAYER, BOOL),
    DFX_F("ip4", TAG, NETWORK_LAYER, IP4),
    DFX_F("ip6", TAG, NETWORK_LAYER, IP6),
    DFX_F("org_id", TAG, NONE, U16),
    DFX_F("team_id", TAG, NONE, U16),
    DFX_F("auto_instance_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_INSTANCE, 0, "auto_instance")),
    DFX_F("auto_instance_type", TAG, UNIVERSAL_TAG, U8,
          DFX_E(AUTO_INSTANCE_TYPE),
          DFX_U(AUTO_INSTANCE_TYPE, 0, "auto_instance_type")),
    DFX_F("auto_service_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_SERVICE, 0, "auto_service")),
    DFX_F("auto_service_type", TAG, UNIVERSAL_TAG, U8,
          DFX_E(AUTO_SERVICE_TYPE),
          DFX_U(AUTO_SERVICE_TYPE, 0, "auto_service_type")),
    DFX_F("app_instance", TAG, SERVICE_INFO, STR),
    DFX_F("attribute_names", TAG, NATIVE_TAG, STRS),
    DFX_F("attribute_values", TAG, NATIVE_TAG, STRS),
    DFX_F("bytes", METRICS, THROUGHPUT, U32),
    DFX_F("duration", METRICS, DELAY, U64),
    DFX_F("file_name", TAG, EVENT_INFO, STR),
    DFX_F("file_type", TAG, EVENT_INFO, U8, DFX_E(FILE_TYPE)),
    DFX_F("offset", TAG, EVENT_INFO, U64),
    DFX_F("syscall_thread", TAG, TRACING_INFO, U32),
    DFX_F("syscall_coroutine", TAG, TRACING_INFO, U32),
    DFX_F("mount_source", TAG, EVENT_INFO, STR),
    DFX_F("mount_point", TAG, EVENT_INFO, STR),
    DFX_F("file_dir", TAG, EVENT_INFO, STR),
    DFX_F("access_permission", TAG, EVENT_INFO, U32),
};

const dfx_schema_t  dfx_schema_file_event = {
    .name             = "event.file_event",
    .fields           = dfx_file_event_fields,
    .nfields          = dfx_nelems(dfx_file_event_fields),
    .ts_field         = 3,  /* end_time */
    .ts_unit          = DFX_TS_MICROSECONDS,
    .is_map           = 0,
    .nsides           = 1,
    .id               = DFX_DS_FILE_EVENT,
    .side             = {
        {
            .l3_device_type     = 17,  /* l3_device_type */
            .auto_instance_type = 28,  /* auto_instance_type */
            .auto_service_type  = 30,  /* auto_service_type */
            .ip4                = 23,  /* ip4 */
            .ip6                = 24,  /* ip6 */
            .is_ipv4            = 22,  /* is_ipv4 */
            .pod_id             = 12,  /* pod_id */
        },
        DFX_SIDE_NONE,
    },
    .label_names_key  = { "k8s_label_names", NULL },
    .label_values_key = { "k8s_label_values", NULL },
};
