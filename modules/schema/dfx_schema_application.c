/*
 * dfx_schema_application.c: flow_metrics.application.1s and .1m, which
 * share one field table (DeepFlow's app.DocumentApp), in emission order.
 */
#include "dfx_schema_tables.h"

static const dfx_field_t  dfx_application_fields[] = {
    DFX_F("time", TAG, FLOW_INFO, U32, DFX_TIME_S),
    DFX_F("request", METRICS, THROUGHPUT, U32),
    DFX_F("response", METRICS, THROUGHPUT, U32),
    DFX_F("direction_score", METRICS, THROUGHPUT, U8),
    DFX_F("rrt_max", METRICS, DELAY, U32),
    DFX_F("rrt_sum", METRICS, DELAY, U64),
    DFX_F("rrt_count", METRICS, DELAY, U32),
    DFX_F("client_error", METRICS, ERROR, U32),
    DFX_F("server_error", METRICS, ERROR, U32),
    DFX_F("timeout", METRICS, ERROR, U32),
    DFX_F("thread_id", TAG, NONE, U8, DFX_A("_tid")),
    DFX_F("ip6", TAG, NETWORK_LAYER, IP6),
    DFX_F("ip4", TAG, NETWORK_LAYER, IP4),
    DFX_F("l3_epc_id", TAG, UNIVERSAL_TAG, I32, DFX_U(L3_EPC, 0, "l3_epc")),
    DFX_F("l3_device_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(L3_DEVICE, 0, "l3_device")),
    DFX_F("l3_device_type", TAG, UNIVERSAL_TAG, U8,
          DFX_U(L3_DEVICE_TYPE, 0, "l3_device_type")),
    DFX_F("region_id", TAG, UNIVERSAL_TAG, U16, DFX_U(REGION, 0, "region")),
    DFX_F("subnet_id", TAG, UNIVERSAL_TAG, U16, DFX_U(SUBNET, 0, "subnet")),
    DFX_F("host_id", TAG, UNIVERSAL_TAG, U16, DFX_U(HOST, 0, "host")),
    DFX_F("pod_node_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(POD_NODE, 0, "pod_node")),
    DFX_F("az_id", TAG, UNIVERSAL_TAG, U16, DFX_U(AZ, 0, "az")),
    DFX_F("pod_group_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(POD_GROUP, 0, "pod_group")),
    DFX_F("pod_ns_id", TAG, UNIVERSAL_TAG, U16, DFX_U(POD_NS, 0, "pod_ns")),
    DFX_F("pod_id", TAG, UNIVERSAL_TAG, U32, DFX_U(POD, 0, "pod")),
    DFX_F("pod_cluster_id", TAG, UNIVERSAL_TAG, U16,
          DFX_U(POD_CLUSTER, 0, "pod_cluster")),
    DFX_F("service_id", TAG, UNIVERSAL_TAG, U32, DFX_U(SERVICE, 0, "service")),
    DFX_F("auto_instance_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_INSTANCE, 0, "auto_instance")),
    DFX_F("auto_instance_type", TAG, UNIVERSAL_TAG, U8,
          DFX_U(AUTO_INSTANCE_TYPE, 0, "auto_instance_type")),
    DFX_F("auto_service_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_SERVICE, 0, "auto_service")),
    DFX_F("auto_service_type", TAG, UNIVERSAL_TAG, U8,
          DFX_U(AUTO_SERVICE_TYPE, 0, "auto_service_type")),
    DFX_F("gprocess_id", TAG, UNIVERSAL_TAG, U32,
          DFX_U(GPROCESS, 0, "gprocess")),
    DFX_F("role", TAG, CAPTURE_INFO, U8, DFX_E(ROLE)),
    DFX_F("protocol", TAG, NETWORK_LAYER, U8, DFX_E(PROTOCOL)),
    DFX_F("server_port", TAG, TRANSPORT_LAYER, U16),
    DFX_F("agent_id", TAG, CAPTURE_INFO, U16, DFX_U(AGENT, 0, "agent")),
    DFX_F("org_id", TAG, NONE, U16),
    DFX_F("team_id", TAG, NONE, U16),
    DFX_F("capture_network_type_id", TAG, CAPTURE_INFO, U8),
    DFX_F("is_ipv4", TAG, NETWORK_LAYER, U8),
    DFX_F("l7_protocol", TAG, APPLICATION_LAYER, U8, DFX_E(L7_PROTOCOL)),
    DFX_F("app_service", TAG, SERVICE_INFO, STR),
    DFX_F("app_instance", TAG, SERVICE_INFO, STR),
    DFX_F("endpoint", TAG, SERVICE_INFO, STR),
    DFX_F("biz_type", TAG, CAPTURE_INFO, U8),
    DFX_F("signal_source", TAG, CAPTURE_INFO, U16, DFX_E(L7_SIGNAL_SOURCE)),
};

const dfx_schema_t  dfx_schema_application_1s = {
    .name             = "flow_metrics.application.1s",
    .fields           = dfx_application_fields,
    .nfields          = dfx_nelems(dfx_application_fields),
    .ts_field         = 0,  /* time */
    .ts_unit          = DFX_TS_SECONDS,
    .is_map           = 0,
    .nsides           = 1,
    .id               = DFX_DS_APPLICATION_1S,
    .side             = {
        {
            .l3_device_type     = 15,  /* l3_device_type */
            .auto_instance_type = 27,  /* auto_instance_type */
            .auto_service_type  = 29,  /* auto_service_type */
            .ip4                = 12,  /* ip4 */
            .ip6                = 11,  /* ip6 */
            .is_ipv4            = 38,  /* is_ipv4 */
            .pod_id             = 23,  /* pod_id */
        },
        DFX_SIDE_NONE,
    },
    .label_names_key  = { "k8s_label_names", NULL },
    .label_values_key = { "k8s_label_values", NULL },
};

const dfx_schema_t  dfx_schema_application_1m = {
    .name             = "flow_metrics.application.1m",
    .fields           = dfx_application_fields,
    .nfields          = dfx_nelems(dfx_application_fields),
    .ts_field         = 0,  /* time */
    .ts_unit          = DFX_TS_SECONDS,
    .is_map           = 0,
    .nsides           = 1,
    .id               = DFX_DS_APPLICATION_1M,
    .side             = {
        {
            .l3_device_type     = 15,  /* l3_device_type */
            .auto_instance_type = 27,  /* auto_instance_type */
            .auto_service_type  = 29,  /* auto_service_type */
            .ip4                = 12,  /* ip4 */
            .ip6                = 11,  /* ip6 */
            .is_ipv4            = 38,  /* is_ipv4 */
            .pod_id             = 23,  /* pod_id */
        },
        DFX_SIDE_NONE,
    },
    .label_names_key  = { "k8s_label_names", NULL },
    .label_values_key = { "k8s_label_values", NULL },
};
