/*
 * dfx_schema_network_map.c: flow_metrics.network_map.1s and .1m, which
 * share one field table, in emission order.
 *
 * Names are DeepFlow's output names (MapName: region_id_0); every client-side
 * field also answers to its config Name without the _0 suffix (region_id).
 * signal_source uses the L4 signal-source dictionary (see
 * dfx_schema_network.c).
 */
#include "dfx_schema_tables.h"

static const dfx_field_t  dfx_network_map_fields[] = {
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
    DFX_F("ip6_0", TAG, NETWORK_LAYER, IP6, DFX_A("ip6")),
    DFX_F("ip4_0", TAG, NETWORK_LAYER, IP4, DFX_A("ip4")),
    DFX_F("l3_epc_id_0", TAG, UNIVERSAL_TAG, I32, DFX_U(L3_EPC, 0, "l3_epc_0"),
          DFX_A("l3_epc_id")),
    DFX_F("l3_device_id_0", TAG, UNIVERSAL_TAG, U32,
          DFX_U(L3_DEVICE, 0, "l3_device_0"), DFX_A("l3_device_id")),
    DFX_F("l3_device_type_0", TAG, UNIVERSAL_TAG, U8,
          DFX_U(L3_DEVICE_TYPE, 0, "l3_device_type_0"),
          DFX_A("l3_device_type")),
    DFX_F("region_id_0", TAG, UNIVERSAL_TAG, U16, DFX_U(REGION, 0, "region_0"),
          DFX_A("region_id")),
    DFX_F("subnet_id_0", TAG, UNIVERSAL_TAG, U16, DFX_U(SUBNET, 0, "subnet_0"),
          DFX_A("subnet_id")),
    DFX_F("host_id_0", TAG, UNIVERSAL_TAG, U16, DFX_U(HOST, 0, "host_0"),
          DFX_A("host_id")),
    DFX_F("pod_node_id_0", TAG, UNIVERSAL_TAG, U32,
          DFX_U(POD_NODE, 0, "pod_node_0"), DFX_A("pod_node_id")),
    DFX_F("az_id_0", TAG, UNIVERSAL_TAG, U16, DFX_U(AZ, 0, "az_0"),
          DFX_A("az_id")),
    DFX_F("pod_group_id_0", TAG, UNIVERSAL_TAG, U32,
          DFX_U(POD_GROUP, 0, "pod_group_0"), DFX_A("pod_group_id")),
    DFX_F("pod_ns_id_0", TAG, UNIVERSAL_TAG, U16, DFX_U(POD_NS, 0, "pod_ns_0"),
          DFX_A("pod_ns_id")),
    DFX_F("pod_id_0", TAG, UNIVERSAL_TAG, U32, DFX_U(POD, 0, "pod_0"),
          DFX_A("pod_id")),
    DFX_F("pod_cluster_id_0", TAG, UNIVERSAL_TAG, U16,
          DFX_U(POD_CLUSTER, 0, "pod_cluster_0"), DFX_A("pod_cluster_id")),
    DFX_F("service_id_0", TAG, UNIVERSAL_TAG, U32,
          DFX_U(SERVICE, 0, "service_0"), DFX_A("service_id")),
    DFX_F("auto_instance_id_0", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_INSTANCE, 0, "auto_instance_0"),
          DFX_A("auto_instance_id")),
    DFX_F("auto_instance_type_0", TAG, UNIVERSAL_TAG, U8,
          DFX_U(AUTO_INSTANCE_TYPE, 0, "auto_instance_type_0"),
          DFX_A("auto_instance_type")),
    DFX_F("auto_service_id_0", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_SERVICE, 0, "auto_service_0"), DFX_A("auto_service_id")),
    DFX_F("auto_service_type_0", TAG, UNIVERSAL_TAG, U8,
          DFX_U(AUTO_SERVICE_TYPE, 0, "auto_service_type_0"),
          DFX_A("auto_service_type")),
    DFX_F("gprocess_id_0", TAG, UNIVERSAL_TAG, U32,
          DFX_U(GPROCESS, 0, "gprocess_0"), DFX_A("gprocess_id")),
    DFX_F("ip6_1", TAG, NETWORK_LAYER, IP6),
    DFX_F("ip4_1", TAG, NETWORK_LAYER, IP4),
    DFX_F("l3_epc_id_1", TAG, UNIVERSAL_TAG, I32,
          DFX_U(L3_EPC, 1, "l3_epc_1")),
    DFX_F("l3_device_id_1", TAG, UNIVERSAL_TAG, U32,
          DFX_U(L3_DEVICE, 1, "l3_device_1")),
    DFX_F("l3_device_type_1", TAG, UNIVERSAL_TAG, U8,
          DFX_U(L3_DEVICE_TYPE, 1, "l3_device_type_1")),
    DFX_F("region_id_1", TAG, UNIVERSAL_TAG, U16,
          DFX_U(REGION, 1, "region_1")),
    DFX_F("subnet_id_1", TAG, UNIVERSAL_TAG, U16,
          DFX_U(SUBNET, 1, "subnet_1")),
    DFX_F("host_id_1", TAG, UNIVERSAL_TAG, U16, DFX_U(HOST, 1, "host_1")),
    DFX_F("pod_node_id_1", TAG, UNIVERSAL_TAG, U32,
          DFX_U(POD_NODE, 1, "pod_node_1")),
    DFX_F("az_id_1", TAG, UNIVERSAL_TAG, U16, DFX_U(AZ, 1, "az_1")),
    DFX_F("pod_group_id_1", TAG, UNIVERSAL_TAG, U32,
          DFX_U(POD_GROUP, 1, "pod_group_1")),
    DFX_F("pod_ns_id_1", TAG, UNIVERSAL_TAG, U16,
          DFX_U(POD_NS, 1, "pod_ns_1")),
    DFX_F("pod_id_1", TAG, UNIVERSAL_TAG, U32, DFX_U(POD, 1, "pod_1")),
    DFX_F("pod_cluster_id_1", TAG, UNIVERSAL_TAG, U16,
          DFX_U(POD_CLUSTER, 1, "pod_cluster_1")),
    DFX_F("service_id_1", TAG, UNIVERSAL_TAG, U32,
          DFX_U(SERVICE, 1, "service_1")),
    DFX_F("auto_instance_id_1", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_INSTANCE, 1, "auto_instance_1")),
    DFX_F("auto_instance_type_1", TAG, UNIVERSAL_TAG, U8,
          DFX_U(AUTO_INSTANCE_TYPE, 1, "auto_instance_type_1")),
    DFX_F("auto_service_id_1", TAG, UNIVERSAL_TAG, U32,
          DFX_U(AUTO_SERVICE, 1, "auto_service_1")),
    DFX_F("auto_service_type_1", TAG, UNIVERSAL_TAG, U8,
          DFX_U(AUTO_SERVICE_TYPE, 1, "auto_service_type_1")),
    DFX_F("gprocess_id_1", TAG, UNIVERSAL_TAG, U32,
          DFX_U(GPROCESS, 1, "gprocess_1")),
    DFX_F("protocol", TAG, NETWORK_LAYER, U8, DFX_E(PROTOCOL)),
    DFX_F("server_port", TAG, TRANSPORT_LAYER, U16),
    DFX_F("agent_id", TAG, CAPTURE_INFO, U16, DFX_U(AGENT, 0, "agent")),
    DFX_F("org_id", TAG, NONE, U16),
    DFX_F("team_id", TAG, NONE, U16),
    DFX_F("capture_nic", TAG, CAPTURE_INFO, U32),
    DFX_F("capture_nic_type", TAG, CAPTURE_INFO, U8, DFX_E(CAPTURE_NIC_TYPE)),
    DFX_F("nat_source", TAG, CAPTURE_INFO, U8, DFX_E(NAT_SOURCE)),
    DFX_F("tunnel_type", TAG, TUNNEL_INFO, U8, DFX_E(TUNNEL_TYPE)),
    DFX_F("observation_point", TAG, CAPTURE_INFO, STR,
          DFX_E(OBSERVATION_POINT)),
    DFX_F("capture_network_type_id", TAG, CAPTURE_INFO, U8),
    DFX_F("is_ipv4", TAG, NETWORK_LAYER, U8),
    DFX_F("signal_source", TAG, CAPTURE_INFO, U16, DFX_E(L4_SIGNAL_SOURCE)),
};

const dfx_schema_t  dfx_schema_network_map_1s = {
    .name             = "flow_metrics.network_map.1s",
    .fields           = dfx_network_map_fields,
    .nfields          = dfx_nelems(dfx_network_map_fields),
    .ts_field         = 0,  /* time */
    .ts_unit          = DFX_TS_SECONDS,
    .is_map           = 1,
    .nsides           = 2,
    .id               = DFX_DS_NETWORK_MAP_1S,
    .side             = {
        {
            .l3_device_type     = 71,  /* l3_device_type_0 */
            .auto_instance_type = 83,  /* auto_instance_type_0 */
            .auto_service_type  = 85,  /* auto_service_type_0 */
            .ip4                = 68,  /* ip4_0 */
            .ip6                = 67,  /* ip6_0 */
            .is_ipv4            = 118, /* is_ipv4 */
            .pod_id             = 79,  /* pod_id_0 */
        },
        {
            .l3_device_type     = 91,  /* l3_device_type_1 */
            .auto_instance_type = 103, /* auto_instance_type_1 */
            .auto_service_type  = 105, /* auto_service_type_1 */
            .ip4                = 88,  /* ip4_1 */
            .ip6                = 87,  /* ip6_1 */
            .is_ipv4            = 118, /* is_ipv4 */
            .pod_id             = 99,  /* pod_id_1 */
        },
    },
    .label_names_key  = { "k8s_label_names_0", "k8s_label_names_1" },
    .label_values_key = { "k8s_label_values_0", "k8s_label_values_1" },
};

const dfx_schema_t  dfx_schema_network_map_1m = {
    .name             = "flow_metrics.network_map.1m",
    .fields           = dfx_network_map_fields,
    .nfields          = dfx_nelems(dfx_network_map_fields),
    .ts_field         = 0,  /* time */
    .ts_unit          = DFX_TS_SECONDS,
    .is_map           = 1,
    .nsides           = 2,
    .id               = DFX_DS_NETWORK_MAP_1M,
    .side             = {
        {
            .l3_device_type     = 71,  /* l3_device_type_0 */
            .auto_instance_type = 83,  /* auto_instance_type_0 */
            .auto_service_type  = 85,  /* auto_service_type_0 */
            .ip4                = 68,  /* ip4_0 */
            .ip6                = 67,  /* ip6_0 */
            .is_ipv4            = 118, /* is_ipv4 */
            .pod_id             = 79,  /* pod_id_0 */
        },
        {
            .l3_device_type     = 91,  /* l3_device_type_1 */
            .auto_instance_type = 103, /* auto_instance_type_1 */
            .auto_service_type  = 105, /* auto_service_type_1 */
            .ip4                = 88,  /* ip4_1 */
            .ip6                = 87,  /* ip6_1 */
            .is_ipv4            = 118, /* is_ipv4 */
            .pod_id             = 99,  /* pod_id_1 */
        },
    },
    .label_names_key  = { "k8s_label_names_0", "k8s_label_names_1" },
    .label_values_key = { "k8s_label_values_0", "k8s_label_values_1" },
};
