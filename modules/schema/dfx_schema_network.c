/*
 * dfx_schema_network.c: flow_metrics.network.1s and .1m, which share
 * one field table (DeepFlow's app.DocumentFlow), in emission order.
 *
 * signal_source uses the L4 signal-source dictionary: the values of these
 * documents are L4 sources, although DeepFlow translates them with the L7
 * one and loses xFlow.
 */
#include "dfx_schema_tables.h"

static const dfx_field_t  dfx_network_fields[] = {
    DFX_F("time", TAG, FLOW_INFO, U32, DFX_TIME_S),
    DFX_F("packet_tx", METRICS, L3_THROUGHPUT, U64),
    DFX_F("packet_rx", METRICS, L3_THROUGHPUT, U64),
    DFX_F("byte_tx", METRICS, L3_THROUGHPUT, U64),
    DFX_F("byte_rx", METRICS, L3_THROUGHPUT, U64),
    DFX_F("l3_byte_tx", METRICS, L3_THROUGHPUT, U64),
    DFX_F("l3_byte_rx", METRICS, L3_THROUGHPUT, U64),
    DFX_F("l4_byte_tx", METRICS, L4_THROUGHPUT, U64),
    DFX_F("l4_byte_rx", METRICS, L4_THROUGHPUT, U64),
    DFX_F("new_flow", METRICS, L4_THROUGHPUT, U64),
    DFX_F("closed_flow", METRICS, L4_THROUGHPUT, U64),
    DFX_F("l7_request", METRICS, APPLICATION, U32),
    DFX_F("l7_response", METRICS, APPLICATION, U32),
    DFX_F("syn_count", METRICS, L4_THROUGHPUT, U32),
    DFX_F("synack_count", METRICS, L4_THROUGHPUT, U32),
    DFX_F("direction_score", METRICS, L4_THROUGHPUT, U8),
    DFX_F("rtt_max", METRICS, DELAY, U32),
    DFX_F("rtt_client_max", METRICS, DELAY, U32),
    DFX_F("rtt_server_max", METRICS, DELAY, U32),
    DFX_F("srt_max", METRICS, DELAY, U32),
    DFX_F("art_max", METRICS, DELAY, U32),
    DFX_F("rrt_max", METRICS, DELAY, U32),
    DFX_F("cit_max", METRICS, DELAY, U32),
    DFX_F("rtt_sum", METRICS, DELAY, U64),
    DFX_F("rtt_client_sum", METRICS, DELAY, U64),
    DFX_F("rtt_server_sum", METRICS, DELAY, U64),
    DFX_F("srt_sum", METRICS, DELAY, U64),
    DFX_F("art_sum", METRICS, DELAY, U64),
    DFX_F("rrt_sum", METRICS, DELAY, U64),
    DFX_F("cit_sum", METRICS, DELAY, U64),
    DFX_F("rtt_count", METRICS, DELAY, U32),
    DFX_F("rtt_client_count", METRICS, DELAY, U32),
    DFX_F("rtt_server_count", METRICS, DELAY, U32),
    DFX_F("srt_count", METRICS, DELAY, U32),
    DFX_F("art_count", METRICS, DELAY, U32),
    DFX_F("rrt_count", METRICS, DELAY, U32),
    DFX_F("cit_count", METRICS, DELAY, U32),
    DFX_F("retrans_tx", METRICS, NONE, U64),
    DFX_F("retrans_rx", METRICS, NONE, U64),
    DFX_F("zero_win_tx", METRICS, NONE, U64),
    DFX_F("zero_win_rx", METRICS, NONE, U64),
    DFX_F("retrans_syn", METRICS, NONE, U32),
    DFX_F("retrans_synack", METRICS, NONE, U32),
    DFX_F("client_rst_flow", METRICS, TCP_ERROR, U64),
    DFX_F("server_rst_flow", METRICS, TCP_ERROR, U64),
    DFX_F("server_syn_miss", METRICS, TCP_ERROR, U64),
    DFX_F("client_ack_miss", METRICS, TCP_ERROR, U64),
    DFX_F("client_half_close_flow", METRICS, TCP_ERROR, U64),
    DFX_F("server_half_close_flow", METRICS, TCP_ERROR, U64),
    DFX_F("client_source_port_reuse", METRICS, TCP_ERROR, U64),
    DFX_F("client_establish_other_rst", METRICS, TCP_ERROR, U64),
    DFX_F("server_reset", METRICS, TCP_ERROR, U64),
    DFX_F("server_queue_lack", METRICS, TCP_ERROR, U64),
    DFX_F("server_establish_other_rst", METRICS, TCP_ERROR, U64),
    DFX_F("tcp_timeout", METRICS, TCP_ERROR, U64),
    DFX_F("client_establish_fail", METRICS, TCP_ERROR, U64),
    DFX_F("server_establish_fail", METRICS, TCP_ERROR, U64),
    DFX_F("tcp_establish_fail", METRICS, TCP_ERROR, U64),
    DFX_F("tcp_transfer_fail", METRICS, TCP_ERROR, U64),
    DFX_F("tcp_rst_fail", METRICS, TCP_ERROR, U64),
    DFX_F("l7_client_error", METRICS, APPLICATION, U32),
    DFX_F("l7_server_error", METRICS, APPLICATION, U32),
    DFX_F("l7_timeout", METRICS, APPLICATION, U32),
    DFX_F("ooo_tx", METRICS, NONE, U64),
    DFX_F("ooo_rx", METRICS, NONE, U64),
    DFX_F("flow_load", METRICS, L4_THROUGHPUT, U64),
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
    DFX_F("signal_source", TAG, CAPTURE_INFO, U16, DFX_E(L4_SIGNAL_SOURCE)),
};

const dfx_schema_t  dfx_schema_network_1s = {
    .name             = "flow_metrics.network.1s",
    .fields           = dfx_network_fields,
    .nfields          = dfx_nelems(dfx_network_fields),
    .ts_field         = 0,  /* time */
    .ts_unit          = DFX_TS_SECONDS,
    .is_map           = 0,
    .nsides           = 1,
    .id               = DFX_DS_NETWORK_1S,
    .side             = {
        {
            .l3_device_type     = 71,  /* l3_device_type */
            .auto_instance_type = 83,  /* auto_instance_type */
            .auto_service_type  = 85,  /* auto_service_type */
            .ip4                = 68,  /* ip4 */
            .ip6                = 67,  /* ip6 */
            .is_ipv4            = 94,  /* is_ipv4 */
            .pod_id             = 79,  /* pod_id */
        },
        DFX_SIDE_NONE,
    },
    .label_names_key  = { "k8s_label_names", NULL },
    .label_values_key = { "k8s_label_values", NULL },
};

const dfx_schema_t  dfx_schema_network_1m = {
    .name             = "flow_metrics.network.1m",
    .fields           = dfx_network_fields,
    .nfields          = dfx_nelems(dfx_network_fields),
    .ts_field         = 0,  /* time */
    .ts_unit          = DFX_TS_SECONDS,
    .is_map           = 0,
    .nsides           = 1,
    .id               = DFX_DS_NETWORK_1M,
    .side             = {
        {
            .l3_device_type     = 71,  /* l3_device_type */
            .auto_instance_type = 83,  /* auto_instance_type */
            .auto_service_type  = 85,  /* auto_service_type */
            .ip4                = 68,  /* ip4 */
            .ip6                = 67,  /* ip6 */
            .is_ipv4            = 94,  /* is_ipv4 */
            .pod_id             = 79,  /* pod_id */
        },
        DFX_SIDE_NONE,
    },
    .label_names_key  = { "k8s_label_names", NULL },
    .label_values_key = { "k8s_label_values", NULL },
};
