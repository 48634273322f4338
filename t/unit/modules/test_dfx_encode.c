/*
 * test_dfx_encode.c: the Kafka message value, field by field.
 *
 * Chains are built with dfx_chain_create() from hand-made exporter confs,
 * records by hand into schema slots (values given as a flat JSON object,
 * set slot by slot here: no project parser involved), and the encoded
 * value is compared with the exact expected text.  The SPEC section 9
 * records are reproduced with both translations on (verbatim, through
 * the universal_tag module and a dictionary holding SPEC 9's resources),
 * with universal-tag translation off (raw ids, enum names on), and with
 * no dictionary loaded (the same as translation off).
 */
#include <arpa/inet.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "dfx_core.h"
#include "dfx_module.h"
#include "dfx_pool.h"
#include "dfx_record.h"
#include "dfx_schema.h"
#include "dfx_stats.h"
#include "dfx_time.h"
#include "empty_rules/dfx_empty_rules_conf.h"
#include "encode/dfx_encode.h"
#include "enum_translate/dfx_enum_dict.h"
#include "enum_translate/dfx_enum_translate_conf.h"
#include "export_fields/dfx_export_fields_conf.h"
#include "tag_filter/dfx_tag_filter_conf.h"
#include "universal_tag/dfx_dict.h"
#include "universal_tag/dfx_universal_tag_conf.h"

#ifndef DFX_TEST_ENUM_DIR
#error "DFX_TEST_ENUM_DIR: the project's conf/enum"
#endif

/* SPEC 9's resources, plus k8s labels (one of them needing escapes). */
static const char  dictionary_json[] =
    "{\"version\": 7,"
    " \"region_map\": [{\"id\": 1, \"name\": \"cn-beijing\"}],"
    " \"az_map\": [{\"id\": 3, \"name\": \"cn-beijing-a\"},"
    "   {\"id\": 5, \"name\": \"cn-beijing-c\"}],"
    " \"device_map\": ["
    "   {\"id\": 12, \"type\": 6, \"name\": \"hv-node-12\"},"
    "   {\"id\": 14, \"type\": 6, \"name\": \"hv-node-14\"},"
    "   {\"id\": 25547, \"type\": 10,"
    "    \"name\": \"order-svc-7d9f8c6b5-x2k4q\"},"
    "   {\"id\": 47570, \"type\": 10, \"name\": \"mysql-0\"},"
    "   {\"id\": 30001, \"type\": 10, \"name\": \"frontend-5c7b9d-abcde\"},"
    "   {\"id\": 401, \"type\": 11, \"name\": \"mysql-svc\"},"
    "   {\"id\": 117, \"type\": 130, \"name\": \"order-svc\"},"
    "   {\"id\": 1729, \"type\": 131, \"name\": \"mysql\"},"
    "   {\"id\": 205, \"type\": 130, \"name\": \"frontend\"}],"
    " \"pod_node_map\": [{\"id\": 201, \"name\": \"k8s-node-01\"},"
    "   {\"id\": 202, \"name\": \"k8s-node-02\"}],"
    " \"pod_ns_map\": [{\"id\": 32, \"name\": \"shop\"},"
    "   {\"id\": 14, \"name\": \"db\"}],"
    " \"pod_group_map\": [{\"id\": 117, \"name\": \"order-svc\"},"
    "   {\"id\": 1729, \"name\": \"mysql\"},"
    "   {\"id\": 205, \"name\": \"frontend\"}],"
    " \"pod_map\": [{\"id\": 25547, \"name\": \"order-svc-7d9f8c6b5-x2k4q\"},"
    "   {\"id\": 47570, \"name\": \"mysql-0\"},"
    "   {\"id\": 30001, \"name\": \"frontend-5c7b9d-abcde\"}],"
    " \"pod_cluster_map\": [{\"id\": 4, \"name\": \"prod-k8s\"}],"
    " \"l3_epc_map\": [{\"id\": 2, \"name\": \"vpc-prod\"}],"
    " \"subnet_map\": [{\"id\": 1478, \"name\": \"subnet-pod-a\"},"
    "   {\"id\": 1924, \"name\": \"subnet-pod-b\"}],"
    " \"gprocess_map\": [{\"id\": 87215, \"name\": \"java\"},"
    "   {\"id\": 189133, \"name\": \"mysqld\"}],"
    " \"vtap_map\": [{\"id\": 152, \"name\": \"k8s-node-01-V152\"},"
    "   {\"id\": 7, \"name\": \"k8s-node-02-V7\"}],"
    " \"pod_k8s_label_map\": ["
    "   {\"pod_id\": 25547,"
    "    \"label_name\": [\"app\", \"pod-template-hash\", \"q\\\"t\"],"
    "    \"label_value\": [\"order-svc\", \"7d9f8c6b5\", \"x\\\\y\"]},"
    "   {\"pod_id\": 47570, \"label_name\": [\"tier\"],"
    "    \"label_value\": [\"db\"]}]}";

/* ---- SPEC section 9 data ---------------------------------------------- */

/*
 * in_*: the raw records behind SPEC 9's messages (the ids its dictionary
 * names, enum codes, the fields DeepFlow dropped as empty left out);
 * out_*: their messages with universal-tag translation off and enum
 * translation on (ids under their own keys); spec_*: SPEC 9's text.
 */

/* l7_mysql_ebpf */
static const char  in_l7_mysql_ebpf[] =
      "{\"_id\":7301444403200000123,\"l7_protocol\":60,"
      "\"biz_protocol\":\"MySQL\",\"version\":\"8.0.35\",\"type\":2,"
      "\"is_tls\":0,\"is_async\":0,\"is_reversed\":0,"
      "\"request_type\":\"COM_QUERY\",\"request_resource\":\"SELECT id,"
      " name FROM products WHERE category_id = ? LIMIT 50\","
      "\"response_status\":0,\"response_code\":0,\"response_duration\":1215,"
      "\"request_length\":68,\"response_length\":2047,"
      "\"sql_affected_rows\":50,\"direction_score\":255,"
      "\"captured_request_byte\":68,\"captured_response_byte\":2047,"
      "\"metrics_names\":[],\"metrics_values\":[],\"time\":1700000000,"
      "\"ip4_0\":\"10.244.1.23\",\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,"
      "\"protocol\":6,\"client_port\":43122,\"server_port\":3306,"
      "\"flow_id\":3862646640075261114,\"capture_network_type_id\":3,"
      "\"nat_source\":0,\"signal_source\":3,\"tunnel_type\":0,"
      "\"capture_nic\":0,\"observation_point\":\"c-p\",\"agent_id\":152,"
      "\"req_tcp_seq\":519218416,\"resp_tcp_seq\":3191790602,"
      "\"start_time\":1700000000139676,\"end_time\":1700000000140891,"
      "\"gprocess_id_0\":87215,\"gprocess_id_1\":0,\"biz_type\":0,"
      "\"process_id_0\":6137,\"process_id_1\":0,\"process_kname_0\":\"java\","
      "\"syscall_trace_id_request\":1279738348408605,"
      "\"syscall_trace_id_response\":1279738348408606,"
      "\"syscall_thread_0\":6201,\"syscall_thread_1\":6201,"
      "\"syscall_coroutine_0\":0,\"syscall_coroutine_1\":0,"
      "\"syscall_cap_seq_0\":8812,\"syscall_cap_seq_1\":8813,"
      "\"region_id_0\":1,\"region_id_1\":1,\"az_id_0\":3,\"az_id_1\":5,"
      "\"host_id_0\":12,\"host_id_1\":14,\"l3_device_type_0\":10,"
      "\"l3_device_type_1\":10,\"l3_device_id_0\":25547,"
      "\"l3_device_id_1\":47570,\"pod_node_id_0\":201,\"pod_node_id_1\":202,"
      "\"pod_ns_id_0\":32,\"pod_ns_id_1\":14,\"pod_group_id_0\":117,"
      "\"pod_group_id_1\":1729,\"pod_group_type_0\":130,"
      "\"pod_group_type_1\":131,\"pod_id_0\":25547,\"pod_id_1\":47570,"
      "\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":4,\"l3_epc_id_0\":2,"
      "\"l3_epc_id_1\":2,\"epc_id_0\":2,\"epc_id_1\":2,\"subnet_id_0\":1478,"
      "\"subnet_id_1\":1924,\"service_id_0\":0,\"service_id_1\":0,"
      "\"auto_instance_id_0\":25547,\"auto_instance_type_0\":10,"
      "\"auto_service_id_0\":117,\"auto_service_type_0\":130,"
      "\"auto_instance_id_1\":47570,\"auto_instance_type_1\":10,"
      "\"auto_service_id_1\":401,\"auto_service_type_1\":11,\"org_id\":1,"
      "\"team_id\":1}";
static const char  out_l7_mysql_ebpf[] =
      "{\"datasource\":\"flow_log.l7_flow_log\",\"_id\":7301444403200000123,"
      "\"l7_protocol\":\"MySQL\",\"biz_protocol\":\"MySQL\","
      "\"version\":\"8.0.35\",\"type\":\"Session\",\"is_tls\":0,"
      "\"is_async\":0,\"is_reversed\":0,\"request_type\":\"COM_QUERY\","
      "\"request_resource\":\"SELECT id,"
      " name FROM products WHERE category_id = ? LIMIT 50\","
      "\"response_status\":\"Success\",\"response_code\":0,"
      "\"response_duration\":1215,\"request_length\":68,"
      "\"response_length\":2047,\"sql_affected_rows\":50,"
      "\"direction_score\":255,\"captured_request_byte\":68,"
      "\"captured_response_byte\":2047,\"metrics_names\":[],"
      "\"metrics_values\":[],\"time\":1700000000,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"client_port\":43122,\"server_port\":3306,"
      "\"flow_id\":3862646640075261114,\"capture_network_type_id\":3,"
      "\"nat_source\":\"NONE\",\"signal_source\":\"eBPF\",\"tunnel_type\":0,"
      "\"capture_nic\":0,\"observation_point\":\"Client Process\","
      "\"agent_id\":152,\"req_tcp_seq\":519218416,"
      "\"resp_tcp_seq\":3191790602,\"start_time\":1700000000139676,"
      "\"end_time\":1700000000140891,\"gprocess_id_0\":87215,"
      "\"gprocess_id_1\":0,\"biz_type\":0,\"process_id_0\":6137,"
      "\"process_id_1\":0,\"process_kname_0\":\"java\","
      "\"syscall_trace_id_request\":1279738348408605,"
      "\"syscall_trace_id_response\":1279738348408606,"
      "\"syscall_thread_0\":6201,\"syscall_thread_1\":6201,"
      "\"syscall_coroutine_0\":0,\"syscall_coroutine_1\":0,"
      "\"syscall_cap_seq_0\":8812,\"syscall_cap_seq_1\":8813,"
      "\"region_id_0\":1,\"region_id_1\":1,\"az_id_0\":3,\"az_id_1\":5,"
      "\"host_id_0\":12,\"host_id_1\":14,\"l3_device_type_0\":10,"
      "\"l3_device_type_1\":10,\"l3_device_id_0\":25547,"
      "\"l3_device_id_1\":47570,\"pod_node_id_0\":201,\"pod_node_id_1\":202,"
      "\"pod_ns_id_0\":32,\"pod_ns_id_1\":14,\"pod_group_id_0\":117,"
      "\"pod_group_id_1\":1729,\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"StatefulSet\",\"pod_id_0\":25547,"
      "\"pod_id_1\":47570,\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":4,"
      "\"l3_epc_id_0\":2,\"l3_epc_id_1\":2,\"epc_id_0\":2,\"epc_id_1\":2,"
      "\"subnet_id_0\":1478,\"subnet_id_1\":1924,\"service_id_0\":0,"
      "\"service_id_1\":0,\"auto_instance_id_0\":25547,"
      "\"auto_instance_type_0\":\"K8s POD\",\"auto_service_id_0\":117,"
      "\"auto_service_type_0\":\"Deployment\",\"auto_instance_id_1\":47570,"
      "\"auto_instance_type_1\":\"K8s POD\",\"auto_service_id_1\":401,"
      "\"auto_service_type_1\":\"K8s Service\",\"org_id\":1,\"team_id\":1,"
      "\"time_str\":\"2023-11-14 22:13:20.140891 +0000 UTC\"}";

/* l7_http_packet_404 */
static const char  in_l7_http_packet_404[] =
      "{\"_id\":7301444403200000456,\"l7_protocol\":20,"
      "\"biz_protocol\":\"HTTP\",\"version\":\"1.1\",\"type\":2,\"is_tls\":0,"
      "\"is_async\":0,\"is_reversed\":0,\"request_type\":\"GET\","
      "\"request_domain\":\"order-svc.shop.svc.cluster.local\","
      "\"request_resource\":\"/api/v1/orders?page=2&size=20\","
      "\"end_point\":\"/api/v1/orders\",\"response_status\":4,"
      "\"response_code\":404,\"response_exception\":\"Not Found\","
      "\"x_request_id_0\":\"3f2a9c1e-8b7d-4e21-9a0c-5d6e7f809a1b\","
      "\"x_request_id_1\":\"3f2a9c1e-8b7d-4e21-9a0c-5d6e7f809a1b\","
      "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
      "\"span_id\":\"00f067aa0ba902b7\",\"response_duration\":18342,"
      "\"request_length\":312,\"response_length\":87,\"direction_score\":255,"
      "\"captured_request_byte\":312,\"captured_response_byte\":87,"
      "\"attribute_names\":[\"http_user_agent\"],"
      "\"attribute_values\":[\"okhttp/4.11.0\"],\"metrics_names\":[],"
      "\"metrics_values\":[],\"time\":1700000001,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,\"protocol\":6,"
      "\"client_port\":51544,\"server_port\":8080,"
      "\"flow_id\":3862646640075261114,\"capture_network_type_id\":3,"
      "\"nat_source\":0,\"signal_source\":0,\"tunnel_type\":0,"
      "\"capture_nic\":2538984641,\"observation_point\":\"s\","
      "\"agent_id\":152,\"req_tcp_seq\":519218416,"
      "\"resp_tcp_seq\":3191790602,\"start_time\":1700000001002311,"
      "\"end_time\":1700000001020653,\"gprocess_id_0\":0,\"gprocess_id_1\":0,"
      "\"biz_type\":0,\"process_id_0\":0,\"process_id_1\":0,"
      "\"syscall_trace_id_request\":0,\"syscall_trace_id_response\":0,"
      "\"syscall_thread_0\":0,\"syscall_thread_1\":0,"
      "\"syscall_coroutine_0\":0,\"syscall_coroutine_1\":0,"
      "\"syscall_cap_seq_0\":0,\"syscall_cap_seq_1\":0,\"region_id_0\":1,"
      "\"region_id_1\":1,\"az_id_0\":3,\"az_id_1\":5,\"host_id_0\":12,"
      "\"host_id_1\":14,\"l3_device_type_0\":10,\"l3_device_type_1\":10,"
      "\"l3_device_id_0\":30001,\"l3_device_id_1\":25547,"
      "\"pod_node_id_0\":201,\"pod_node_id_1\":202,\"pod_ns_id_0\":32,"
      "\"pod_ns_id_1\":32,\"pod_group_id_0\":205,\"pod_group_id_1\":117,"
      "\"pod_group_type_0\":130,\"pod_group_type_1\":130,\"pod_id_0\":30001,"
      "\"pod_id_1\":25547,\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":4,"
      "\"l3_epc_id_0\":2,\"l3_epc_id_1\":2,\"epc_id_0\":2,\"epc_id_1\":2,"
      "\"subnet_id_0\":1478,\"subnet_id_1\":1478,\"service_id_0\":0,"
      "\"service_id_1\":0,\"auto_instance_id_0\":30001,"
      "\"auto_instance_type_0\":10,\"auto_service_id_0\":205,"
      "\"auto_service_type_0\":130,\"auto_instance_id_1\":25547,"
      "\"auto_instance_type_1\":10,\"auto_service_id_1\":117,"
      "\"auto_service_type_1\":130,\"org_id\":1,\"team_id\":1}";
static const char  out_l7_http_packet_404[] =
      "{\"datasource\":\"flow_log.l7_flow_log\",\"_id\":7301444403200000456,"
      "\"l7_protocol\":\"HTTP\",\"biz_protocol\":\"HTTP\","
      "\"version\":\"1.1\",\"type\":\"Session\",\"is_tls\":0,\"is_async\":0,"
      "\"is_reversed\":0,\"request_type\":\"GET\","
      "\"request_domain\":\"order-svc.shop.svc.cluster.local\","
      "\"request_resource\":\"/api/v1/orders?page=2&size=20\","
      "\"end_point\":\"/api/v1/orders\",\"response_status\":\"Client Error\","
      "\"response_code\":404,\"response_exception\":\"Not Found\","
      "\"x_request_id_0\":\"3f2a9c1e-8b7d-4e21-9a0c-5d6e7f809a1b\","
      "\"x_request_id_1\":\"3f2a9c1e-8b7d-4e21-9a0c-5d6e7f809a1b\","
      "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
      "\"span_id\":\"00f067aa0ba902b7\",\"response_duration\":18342,"
      "\"request_length\":312,\"response_length\":87,\"direction_score\":255,"
      "\"captured_request_byte\":312,\"captured_response_byte\":87,"
      "\"attribute_names\":[\"http_user_agent\"],"
      "\"attribute_values\":[\"okhttp/4.11.0\"],\"metrics_names\":[],"
      "\"metrics_values\":[],\"time\":1700000001,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"client_port\":51544,\"server_port\":8080,"
      "\"flow_id\":3862646640075261114,\"capture_network_type_id\":3,"
      "\"nat_source\":\"NONE\",\"signal_source\":\"Packet\","
      "\"tunnel_type\":0,\"capture_nic\":2538984641,"
      "\"observation_point\":\"Server NIC\",\"agent_id\":152,"
      "\"req_tcp_seq\":519218416,\"resp_tcp_seq\":3191790602,"
      "\"start_time\":1700000001002311,\"end_time\":1700000001020653,"
      "\"gprocess_id_0\":0,\"gprocess_id_1\":0,\"biz_type\":0,"
      "\"process_id_0\":0,\"process_id_1\":0,\"syscall_trace_id_request\":0,"
      "\"syscall_trace_id_response\":0,\"syscall_thread_0\":0,"
      "\"syscall_thread_1\":0,\"syscall_coroutine_0\":0,"
      "\"syscall_coroutine_1\":0,\"syscall_cap_seq_0\":0,"
      "\"syscall_cap_seq_1\":0,\"region_id_0\":1,\"region_id_1\":1,"
      "\"az_id_0\":3,\"az_id_1\":5,\"host_id_0\":12,\"host_id_1\":14,"
      "\"l3_device_type_0\":10,\"l3_device_type_1\":10,"
      "\"l3_device_id_0\":30001,\"l3_device_id_1\":25547,"
      "\"pod_node_id_0\":201,\"pod_node_id_1\":202,\"pod_ns_id_0\":32,"
      "\"pod_ns_id_1\":32,\"pod_group_id_0\":205,\"pod_group_id_1\":117,"
      "\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"Deployment\",\"pod_id_0\":30001,"
      "\"pod_id_1\":25547,\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":4,"
      "\"l3_epc_id_0\":2,\"l3_epc_id_1\":2,\"epc_id_0\":2,\"epc_id_1\":2,"
      "\"subnet_id_0\":1478,\"subnet_id_1\":1478,\"service_id_0\":0,"
      "\"service_id_1\":0,\"auto_instance_id_0\":30001,"
      "\"auto_instance_type_0\":\"K8s POD\",\"auto_service_id_0\":205,"
      "\"auto_service_type_0\":\"Deployment\",\"auto_instance_id_1\":25547,"
      "\"auto_instance_type_1\":\"K8s POD\",\"auto_service_id_1\":117,"
      "\"auto_service_type_1\":\"Deployment\",\"org_id\":1,\"team_id\":1,"
      "\"time_str\":\"2023-11-14 22:13:21.020653 +0000 UTC\"}";

/* l7_otel_span_internet */
static const char  in_l7_otel_span_internet[] =
      "{\"_id\":7301444407495000789,\"l7_protocol\":20,"
      "\"biz_protocol\":\"HTTP\",\"type\":2,\"is_tls\":0,\"is_async\":0,"
      "\"is_reversed\":0,\"request_type\":\"POST\","
      "\"request_domain\":\"api.example.com\","
      "\"request_resource\":\"/v1/charge\",\"end_point\":\"POST /v1/charge\","
      "\"response_status\":3,\"response_code\":503,"
      "\"response_exception\":\"Service Unavailable\","
      "\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\","
      "\"span_id\":\"b7ad6b7169203331\","
      "\"parent_span_id\":\"00f067aa0ba902b7\",\"span_kind\":3,"
      "\"app_service\":\"payment\",\"app_instance\":\"payment-6d5f7-2xk9p\","
      "\"response_duration\":351000,\"direction_score\":0,"
      "\"captured_request_byte\":0,\"captured_response_byte\":0,"
      "\"attribute_names\":[\"http.route\",\"k8s.namespace.name\"],"
      "\"attribute_values\":[\"/v1/charge\",\"shop\"],\"metrics_names\":[],"
      "\"metrics_values\":[],\"time\":1700000002,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"93.184.216.34\",\"is_ipv4\":1,\"protocol\":6,"
      "\"client_port\":0,\"server_port\":0,\"flow_id\":3862646640075261114,"
      "\"capture_network_type_id\":0,\"nat_source\":0,\"signal_source\":4,"
      "\"tunnel_type\":0,\"capture_nic\":0,\"observation_point\":\"c-app\","
      "\"agent_id\":152,\"req_tcp_seq\":0,\"resp_tcp_seq\":0,"
      "\"start_time\":1700000002000100,\"end_time\":1700000002351100,"
      "\"gprocess_id_0\":87215,\"gprocess_id_1\":0,\"biz_type\":0,"
      "\"process_id_0\":0,\"process_id_1\":0,\"syscall_trace_id_request\":0,"
      "\"syscall_trace_id_response\":0,\"syscall_thread_0\":0,"
      "\"syscall_thread_1\":0,\"syscall_coroutine_0\":0,"
      "\"syscall_coroutine_1\":0,\"syscall_cap_seq_0\":0,"
      "\"syscall_cap_seq_1\":0,\"region_id_0\":1,\"region_id_1\":0,"
      "\"az_id_0\":3,\"az_id_1\":0,\"host_id_0\":12,\"host_id_1\":0,"
      "\"l3_device_type_0\":10,\"l3_device_type_1\":0,"
      "\"l3_device_id_0\":25547,\"l3_device_id_1\":0,\"pod_node_id_0\":201,"
      "\"pod_node_id_1\":0,\"pod_ns_id_0\":32,\"pod_ns_id_1\":0,"
      "\"pod_group_id_0\":117,\"pod_group_id_1\":0,\"pod_group_type_0\":130,"
      "\"pod_group_type_1\":0,\"pod_id_0\":25547,\"pod_id_1\":0,"
      "\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":0,\"l3_epc_id_0\":2,"
      "\"l3_epc_id_1\":-2,\"epc_id_0\":2,\"epc_id_1\":0,\"subnet_id_0\":1478,"
      "\"subnet_id_1\":0,\"service_id_0\":0,\"service_id_1\":0,"
      "\"auto_instance_id_0\":25547,\"auto_instance_type_0\":10,"
      "\"auto_service_id_0\":117,\"auto_service_type_0\":130,"
      "\"auto_instance_id_1\":0,\"auto_instance_type_1\":0,"
      "\"auto_service_id_1\":0,\"auto_service_type_1\":0,\"org_id\":1,"
      "\"team_id\":1}";
static const char  out_l7_otel_span_internet[] =
      "{\"datasource\":\"flow_log.l7_flow_log\",\"_id\":7301444407495000789,"
      "\"l7_protocol\":\"HTTP\",\"biz_protocol\":\"HTTP\","
      "\"type\":\"Session\",\"is_tls\":0,\"is_async\":0,\"is_reversed\":0,"
      "\"request_type\":\"POST\",\"request_domain\":\"api.example.com\","
      "\"request_resource\":\"/v1/charge\",\"end_point\":\"POST /v1/charge\","
      "\"response_status\":\"Server Error\",\"response_code\":503,"
      "\"response_exception\":\"Service Unavailable\","
      "\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\","
      "\"span_id\":\"b7ad6b7169203331\","
      "\"parent_span_id\":\"00f067aa0ba902b7\","
      "\"span_kind\":\"SPAN_KIND_CLIENT\",\"app_service\":\"payment\","
      "\"app_instance\":\"payment-6d5f7-2xk9p\",\"response_duration\":351000,"
      "\"direction_score\":0,\"captured_request_byte\":0,"
      "\"captured_response_byte\":0,\"attribute_names\":[\"http.route\","
      "\"k8s.namespace.name\"],\"attribute_values\":[\"/v1/charge\","
      "\"shop\"],\"metrics_names\":[],\"metrics_values\":[],"
      "\"time\":1700000002,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"93.184.216.34\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"client_port\":0,\"server_port\":0,\"flow_id\":3862646640075261114,"
      "\"capture_network_type_id\":0,\"nat_source\":\"NONE\","
      "\"signal_source\":\"OTel\",\"tunnel_type\":0,\"capture_nic\":0,"
      "\"observation_point\":\"Client Application\",\"agent_id\":152,"
      "\"req_tcp_seq\":0,\"resp_tcp_seq\":0,\"start_time\":1700000002000100,"
      "\"end_time\":1700000002351100,\"gprocess_id_0\":87215,"
      "\"gprocess_id_1\":0,\"biz_type\":0,\"process_id_0\":0,"
      "\"process_id_1\":0,\"syscall_trace_id_request\":0,"
      "\"syscall_trace_id_response\":0,\"syscall_thread_0\":0,"
      "\"syscall_thread_1\":0,\"syscall_coroutine_0\":0,"
      "\"syscall_coroutine_1\":0,\"syscall_cap_seq_0\":0,"
      "\"syscall_cap_seq_1\":0,\"region_id_0\":1,\"region_id_1\":0,"
      "\"az_id_0\":3,\"az_id_1\":0,\"host_id_0\":12,\"host_id_1\":0,"
      "\"l3_device_type_0\":10,\"l3_device_type_1\":0,"
      "\"l3_device_id_0\":25547,\"l3_device_id_1\":0,\"pod_node_id_0\":201,"
      "\"pod_node_id_1\":0,\"pod_ns_id_0\":32,\"pod_ns_id_1\":0,"
      "\"pod_group_id_0\":117,\"pod_group_id_1\":0,"
      "\"pod_group_type_0\":\"Deployment\",\"pod_group_type_1\":\"--\","
      "\"pod_id_0\":25547,\"pod_id_1\":0,\"pod_cluster_id_0\":4,"
      "\"pod_cluster_id_1\":0,\"l3_epc_id_0\":2,\"l3_epc_id_1\":-2,"
      "\"epc_id_0\":2,\"epc_id_1\":0,\"subnet_id_0\":1478,\"subnet_id_1\":0,"
      "\"service_id_0\":0,\"service_id_1\":0,\"auto_instance_id_0\":25547,"
      "\"auto_instance_type_0\":\"K8s POD\",\"auto_service_id_0\":117,"
      "\"auto_service_type_0\":\"Deployment\",\"auto_instance_id_1\":0,"
      "\"auto_instance_type_1\":\"Internet IP\",\"auto_service_id_1\":0,"
      "\"auto_service_type_1\":\"Internet IP\",\"org_id\":1,\"team_id\":1,"
      "\"time_str\":\"2023-11-14 22:13:22.3511 +0000 UTC\"}";

/* l4_tcp_mysql */
static const char  in_l4_tcp_mysql[] =
      "{\"_id\":7301444403200001111,\"mac_0\":\"52:54:00:12:34:56\","
      "\"mac_1\":\"52:54:00:ab:cd:ef\",\"eth_type\":2048,\"vlan\":0,"
      "\"ip4_0\":\"10.244.1.23\",\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,"
      "\"protocol\":6,\"tunnel_tier\":0,\"tunnel_type\":0,\"tunnel_tx_id\":0,"
      "\"tunnel_rx_id\":0,\"tunnel_tx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_tx_ip4_1\":\"0.0.0.0\",\"tunnel_rx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_rx_ip4_1\":\"0.0.0.0\",\"tunnel_is_ipv4\":1,"
      "\"tunnel_tx_mac_0\":0,\"tunnel_tx_mac_1\":0,\"tunnel_rx_mac_0\":0,"
      "\"tunnel_rx_mac_1\":0,\"client_port\":43122,\"server_port\":3306,"
      "\"tcp_flags_bit_0\":27,\"tcp_flags_bit_1\":27,\"syn_seq\":1021,"
      "\"syn_ack_seq\":88031,\"last_keepalive_seq\":0,"
      "\"last_keepalive_ack\":0,\"l7_protocol\":60,\"region_id_0\":1,"
      "\"region_id_1\":1,\"az_id_0\":3,\"az_id_1\":5,\"host_id_0\":12,"
      "\"host_id_1\":14,\"l3_device_type_0\":10,\"l3_device_type_1\":10,"
      "\"l3_device_id_0\":25547,\"l3_device_id_1\":47570,"
      "\"pod_node_id_0\":201,\"pod_node_id_1\":202,\"pod_ns_id_0\":32,"
      "\"pod_ns_id_1\":14,\"pod_group_id_0\":117,\"pod_group_id_1\":1729,"
      "\"pod_group_type_0\":130,\"pod_group_type_1\":131,\"pod_id_0\":25547,"
      "\"pod_id_1\":47570,\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":4,"
      "\"l3_epc_id_0\":2,\"l3_epc_id_1\":2,\"epc_id_0\":2,\"epc_id_1\":2,"
      "\"subnet_id_0\":1478,\"subnet_id_1\":1924,\"service_id_0\":0,"
      "\"service_id_1\":0,\"auto_instance_id_0\":25547,"
      "\"auto_instance_type_0\":10,\"auto_service_id_0\":117,"
      "\"auto_service_type_0\":130,\"auto_instance_id_1\":47570,"
      "\"auto_instance_type_1\":10,\"auto_service_id_1\":401,"
      "\"auto_service_type_1\":11,\"org_id\":1,\"team_id\":1,"
      "\"time\":1700000060,\"close_type\":1,\"signal_source\":0,"
      "\"flow_id\":3862646640075261114,\"init_ipid\":0,"
      "\"capture_network_type_id\":3,\"nat_source\":0,\"capture_nic_type\":0,"
      "\"capture_nic\":2538984641,\"observation_point\":\"c\","
      "\"agent_id\":152,\"l2_end_0\":1,\"l2_end_1\":0,\"l3_end_0\":1,"
      "\"l3_end_1\":0,\"start_time\":1700000000139676,"
      "\"end_time\":1700000060002000,\"duration\":59862324,\"is_new_flow\":1,"
      "\"status\":0,\"gprocess_id_0\":87215,\"gprocess_id_1\":189133,"
      "\"nat_real_ip_0\":\"0.0.0.0\",\"nat_real_ip_1\":\"0.0.0.0\","
      "\"nat_real_port_0\":0,\"nat_real_port_1\":0,\"direction_score\":255,"
      "\"packet_tx\":412,\"packet_rx\":388,\"byte_tx\":61234,"
      "\"byte_rx\":1203311,\"l3_byte_tx\":55466,\"l3_byte_rx\":1197879,"
      "\"l4_byte_tx\":40634,\"l4_byte_rx\":1182759,\"total_packet_tx\":412,"
      "\"total_packet_rx\":388,\"total_byte_tx\":61234,"
      "\"total_byte_rx\":1203311,\"l7_request\":37,\"l7_response\":37,"
      "\"l7_parse_failed\":0,\"rtt\":182,\"rtt_client\":41,"
      "\"rtt_server\":141,\"tls_rtt\":0,\"srt_sum\":5210,\"art_sum\":44120,"
      "\"rrt_sum\":44950,\"cit_sum\":0,\"srt_count\":37,\"art_count\":37,"
      "\"rrt_count\":37,\"cit_count\":0,\"srt_max\":420,\"art_max\":3120,"
      "\"rrt_max\":3150,\"cit_max\":0,\"retrans_tx\":0,\"retrans_rx\":1,"
      "\"zero_win_tx\":0,\"zero_win_rx\":0,\"syn_count\":1,"
      "\"synack_count\":1,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_server_timeout\":0,"
      "\"l7_error\":0,\"ooo_tx\":0,\"ooo_rx\":0,\"fin_count\":2}";
static const char  out_l4_tcp_mysql[] =
      "{\"datasource\":\"flow_log.l4_flow_log\",\"_id\":7301444403200001111,"
      "\"mac_0\":\"52:54:00:12:34:56\",\"mac_1\":\"52:54:00:ab:cd:ef\","
      "\"eth_type\":2048,\"vlan\":0,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"tunnel_tier\":0,\"tunnel_type\":0,\"tunnel_tx_id\":0,"
      "\"tunnel_rx_id\":0,\"tunnel_tx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_tx_ip4_1\":\"0.0.0.0\",\"tunnel_rx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_rx_ip4_1\":\"0.0.0.0\",\"tunnel_is_ipv4\":1,"
      "\"tunnel_tx_mac_0\":0,\"tunnel_tx_mac_1\":0,\"tunnel_rx_mac_0\":0,"
      "\"tunnel_rx_mac_1\":0,\"client_port\":43122,\"server_port\":3306,"
      "\"tcp_flags_bit_0\":27,\"tcp_flags_bit_1\":27,\"syn_seq\":1021,"
      "\"syn_ack_seq\":88031,\"last_keepalive_seq\":0,"
      "\"last_keepalive_ack\":0,\"l7_protocol\":\"MySQL\",\"region_id_0\":1,"
      "\"region_id_1\":1,\"az_id_0\":3,\"az_id_1\":5,\"host_id_0\":12,"
      "\"host_id_1\":14,\"l3_device_type_0\":10,\"l3_device_type_1\":10,"
      "\"l3_device_id_0\":25547,\"l3_device_id_1\":47570,"
      "\"pod_node_id_0\":201,\"pod_node_id_1\":202,\"pod_ns_id_0\":32,"
      "\"pod_ns_id_1\":14,\"pod_group_id_0\":117,\"pod_group_id_1\":1729,"
      "\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"StatefulSet\",\"pod_id_0\":25547,"
      "\"pod_id_1\":47570,\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":4,"
      "\"l3_epc_id_0\":2,\"l3_epc_id_1\":2,\"epc_id_0\":2,\"epc_id_1\":2,"
      "\"subnet_id_0\":1478,\"subnet_id_1\":1924,\"service_id_0\":0,"
      "\"service_id_1\":0,\"auto_instance_id_0\":25547,"
      "\"auto_instance_type_0\":\"K8s POD\",\"auto_service_id_0\":117,"
      "\"auto_service_type_0\":\"Deployment\",\"auto_instance_id_1\":47570,"
      "\"auto_instance_type_1\":\"K8s POD\",\"auto_service_id_1\":401,"
      "\"auto_service_type_1\":\"K8s Service\",\"org_id\":1,\"team_id\":1,"
      "\"time\":1700000060,\"close_type\":\"Normal\","
      "\"signal_source\":\"Packet\",\"flow_id\":3862646640075261114,"
      "\"init_ipid\":0,\"capture_network_type_id\":3,\"nat_source\":\"NONE\","
      "\"capture_nic_type\":\"Local NIC\",\"capture_nic\":2538984641,"
      "\"observation_point\":\"Client NIC\",\"agent_id\":152,\"l2_end_0\":1,"
      "\"l2_end_1\":0,\"l3_end_0\":1,\"l3_end_1\":0,"
      "\"start_time\":1700000000139676,\"end_time\":1700000060002000,"
      "\"duration\":59862324,\"is_new_flow\":1,\"status\":\"Success\","
      "\"gprocess_id_0\":87215,\"gprocess_id_1\":189133,"
      "\"nat_real_ip_0\":\"0.0.0.0\",\"nat_real_ip_1\":\"0.0.0.0\","
      "\"nat_real_port_0\":0,\"nat_real_port_1\":0,\"direction_score\":255,"
      "\"packet_tx\":412,\"packet_rx\":388,\"byte_tx\":61234,"
      "\"byte_rx\":1203311,\"l3_byte_tx\":55466,\"l3_byte_rx\":1197879,"
      "\"l4_byte_tx\":40634,\"l4_byte_rx\":1182759,\"total_packet_tx\":412,"
      "\"total_packet_rx\":388,\"total_byte_tx\":61234,"
      "\"total_byte_rx\":1203311,\"l7_request\":37,\"l7_response\":37,"
      "\"l7_parse_failed\":0,\"rtt\":182,\"rtt_client\":41,"
      "\"rtt_server\":141,\"tls_rtt\":0,\"srt_sum\":5210,\"art_sum\":44120,"
      "\"rrt_sum\":44950,\"cit_sum\":0,\"srt_count\":37,\"art_count\":37,"
      "\"rrt_count\":37,\"cit_count\":0,\"srt_max\":420,\"art_max\":3120,"
      "\"rrt_max\":3150,\"cit_max\":0,\"retrans_tx\":0,\"retrans_rx\":1,"
      "\"zero_win_tx\":0,\"zero_win_rx\":0,\"syn_count\":1,"
      "\"synack_count\":1,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_server_timeout\":0,"
      "\"l7_error\":0,\"ooo_tx\":0,\"ooo_rx\":0,\"fin_count\":2,"
      "\"time_str\":\"2023-11-14 22:14:20.002 +0000 UTC\"}";

/* l4_udp_dns_internet */
static const char  in_l4_udp_dns_internet[] =
      "{\"_id\":7301444403200002222,\"mac_0\":\"52:54:00:12:34:56\","
      "\"mac_1\":\"00:00:00:00:00:00\",\"eth_type\":2048,\"vlan\":0,"
      "\"ip4_0\":\"10.244.1.23\",\"ip4_1\":\"93.184.216.34\",\"is_ipv4\":1,"
      "\"protocol\":17,\"tunnel_tier\":0,\"tunnel_type\":0,"
      "\"tunnel_tx_id\":0,\"tunnel_rx_id\":0,\"tunnel_tx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_tx_ip4_1\":\"0.0.0.0\",\"tunnel_rx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_rx_ip4_1\":\"0.0.0.0\",\"tunnel_is_ipv4\":1,"
      "\"tunnel_tx_mac_0\":0,\"tunnel_tx_mac_1\":0,\"tunnel_rx_mac_0\":0,"
      "\"tunnel_rx_mac_1\":0,\"client_port\":53211,\"server_port\":53,"
      "\"tcp_flags_bit_0\":0,\"tcp_flags_bit_1\":0,\"syn_seq\":0,"
      "\"syn_ack_seq\":0,\"last_keepalive_seq\":0,\"last_keepalive_ack\":0,"
      "\"l7_protocol\":120,\"region_id_0\":1,\"region_id_1\":0,\"az_id_0\":3,"
      "\"az_id_1\":0,\"host_id_0\":12,\"host_id_1\":0,"
      "\"l3_device_type_0\":10,\"l3_device_type_1\":0,"
      "\"l3_device_id_0\":25547,\"l3_device_id_1\":0,\"pod_node_id_0\":201,"
      "\"pod_node_id_1\":0,\"pod_ns_id_0\":32,\"pod_ns_id_1\":0,"
      "\"pod_group_id_0\":117,\"pod_group_id_1\":0,\"pod_group_type_0\":130,"
      "\"pod_group_type_1\":0,\"pod_id_0\":25547,\"pod_id_1\":0,"
      "\"pod_cluster_id_0\":4,\"pod_cluster_id_1\":0,\"l3_epc_id_0\":2,"
      "\"l3_epc_id_1\":-2,\"epc_id_0\":2,\"epc_id_1\":0,\"subnet_id_0\":1478,"
      "\"subnet_id_1\":0,\"service_id_0\":0,\"service_id_1\":0,"
      "\"auto_instance_id_0\":25547,\"auto_instance_type_0\":10,"
      "\"auto_service_id_0\":117,\"auto_service_type_0\":130,"
      "\"auto_instance_id_1\":0,\"auto_instance_type_1\":0,"
      "\"auto_service_id_1\":0,\"auto_service_type_1\":0,\"org_id\":1,"
      "\"team_id\":1,\"time\":1700000060,\"close_type\":3,"
      "\"signal_source\":0,\"flow_id\":3862646640075261114,\"init_ipid\":0,"
      "\"capture_network_type_id\":3,\"nat_source\":0,\"capture_nic_type\":0,"
      "\"capture_nic\":2538984641,\"observation_point\":\"c-nd\","
      "\"agent_id\":152,\"l2_end_0\":1,\"l2_end_1\":0,\"l3_end_0\":1,"
      "\"l3_end_1\":0,\"start_time\":1700000045000000,"
      "\"end_time\":1700000060002000,\"duration\":15002000,\"is_new_flow\":1,"
      "\"status\":0,\"gprocess_id_0\":87215,\"gprocess_id_1\":0,"
      "\"nat_real_ip_0\":\"0.0.0.0\",\"nat_real_ip_1\":\"0.0.0.0\","
      "\"nat_real_port_0\":0,\"nat_real_port_1\":0,\"direction_score\":255,"
      "\"packet_tx\":2,\"packet_rx\":2,\"byte_tx\":168,\"byte_rx\":296,"
      "\"l3_byte_tx\":140,\"l3_byte_rx\":268,\"l4_byte_tx\":84,"
      "\"l4_byte_rx\":212,\"total_packet_tx\":2,\"total_packet_rx\":2,"
      "\"total_byte_tx\":168,\"total_byte_rx\":296,\"l7_request\":1,"
      "\"l7_response\":1,\"l7_parse_failed\":0,\"rtt\":0,\"rtt_client\":0,"
      "\"rtt_server\":0,\"tls_rtt\":0,\"srt_sum\":0,\"art_sum\":812,"
      "\"rrt_sum\":812,\"cit_sum\":0,\"srt_count\":0,\"art_count\":1,"
      "\"rrt_count\":1,\"cit_count\":0,\"srt_max\":0,\"art_max\":812,"
      "\"rrt_max\":812,\"cit_max\":0,\"retrans_tx\":0,\"retrans_rx\":0,"
      "\"zero_win_tx\":0,\"zero_win_rx\":0,\"syn_count\":0,"
      "\"synack_count\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_server_timeout\":0,"
      "\"l7_error\":0,\"ooo_tx\":0,\"ooo_rx\":0,\"fin_count\":0}";
static const char  out_l4_udp_dns_internet[] =
      "{\"datasource\":\"flow_log.l4_flow_log\",\"_id\":7301444403200002222,"
      "\"mac_0\":\"52:54:00:12:34:56\",\"mac_1\":\"00:00:00:00:00:00\","
      "\"eth_type\":2048,\"vlan\":0,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"93.184.216.34\",\"is_ipv4\":1,\"protocol\":\"UDP\","
      "\"tunnel_tier\":0,\"tunnel_type\":0,\"tunnel_tx_id\":0,"
      "\"tunnel_rx_id\":0,\"tunnel_tx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_tx_ip4_1\":\"0.0.0.0\",\"tunnel_rx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_rx_ip4_1\":\"0.0.0.0\",\"tunnel_is_ipv4\":1,"
      "\"tunnel_tx_mac_0\":0,\"tunnel_tx_mac_1\":0,\"tunnel_rx_mac_0\":0,"
      "\"tunnel_rx_mac_1\":0,\"client_port\":53211,\"server_port\":53,"
      "\"tcp_flags_bit_0\":0,\"tcp_flags_bit_1\":0,\"syn_seq\":0,"
      "\"syn_ack_seq\":0,\"last_keepalive_seq\":0,\"last_keepalive_ack\":0,"
      "\"l7_protocol\":\"DNS\",\"region_id_0\":1,\"region_id_1\":0,"
      "\"az_id_0\":3,\"az_id_1\":0,\"host_id_0\":12,\"host_id_1\":0,"
      "\"l3_device_type_0\":10,\"l3_device_type_1\":0,"
      "\"l3_device_id_0\":25547,\"l3_device_id_1\":0,\"pod_node_id_0\":201,"
      "\"pod_node_id_1\":0,\"pod_ns_id_0\":32,\"pod_ns_id_1\":0,"
      "\"pod_group_id_0\":117,\"pod_group_id_1\":0,"
      "\"pod_group_type_0\":\"Deployment\",\"pod_group_type_1\":\"--\","
      "\"pod_id_0\":25547,\"pod_id_1\":0,\"pod_cluster_id_0\":4,"
      "\"pod_cluster_id_1\":0,\"l3_epc_id_0\":2,\"l3_epc_id_1\":-2,"
      "\"epc_id_0\":2,\"epc_id_1\":0,\"subnet_id_0\":1478,\"subnet_id_1\":0,"
      "\"service_id_0\":0,\"service_id_1\":0,\"auto_instance_id_0\":25547,"
      "\"auto_instance_type_0\":\"K8s POD\",\"auto_service_id_0\":117,"
      "\"auto_service_type_0\":\"Deployment\",\"auto_instance_id_1\":0,"
      "\"auto_instance_type_1\":\"Internet IP\",\"auto_service_id_1\":0,"
      "\"auto_service_type_1\":\"Internet IP\",\"org_id\":1,\"team_id\":1,"
      "\"time\":1700000060,\"close_type\":\"Transfer - Timeout\","
      "\"signal_source\":\"Packet\",\"flow_id\":3862646640075261114,"
      "\"init_ipid\":0,\"capture_network_type_id\":3,\"nat_source\":\"NONE\","
      "\"capture_nic_type\":\"Local NIC\",\"capture_nic\":2538984641,"
      "\"observation_point\":\"Client K8s Node\",\"agent_id\":152,"
      "\"l2_end_0\":1,\"l2_end_1\":0,\"l3_end_0\":1,\"l3_end_1\":0,"
      "\"start_time\":1700000045000000,\"end_time\":1700000060002000,"
      "\"duration\":15002000,\"is_new_flow\":1,\"status\":\"Success\","
      "\"gprocess_id_0\":87215,\"gprocess_id_1\":0,"
      "\"nat_real_ip_0\":\"0.0.0.0\",\"nat_real_ip_1\":\"0.0.0.0\","
      "\"nat_real_port_0\":0,\"nat_real_port_1\":0,\"direction_score\":255,"
      "\"packet_tx\":2,\"packet_rx\":2,\"byte_tx\":168,\"byte_rx\":296,"
      "\"l3_byte_tx\":140,\"l3_byte_rx\":268,\"l4_byte_tx\":84,"
      "\"l4_byte_rx\":212,\"total_packet_tx\":2,\"total_packet_rx\":2,"
      "\"total_byte_tx\":168,\"total_byte_rx\":296,\"l7_request\":1,"
      "\"l7_response\":1,\"l7_parse_failed\":0,\"rtt\":0,\"rtt_client\":0,"
      "\"rtt_server\":0,\"tls_rtt\":0,\"srt_sum\":0,\"art_sum\":812,"
      "\"rrt_sum\":812,\"cit_sum\":0,\"srt_count\":0,\"art_count\":1,"
      "\"rrt_count\":1,\"cit_count\":0,\"srt_max\":0,\"art_max\":812,"
      "\"rrt_max\":812,\"cit_max\":0,\"retrans_tx\":0,\"retrans_rx\":0,"
      "\"zero_win_tx\":0,\"zero_win_rx\":0,\"syn_count\":0,"
      "\"synack_count\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_server_timeout\":0,"
      "\"l7_error\":0,\"ooo_tx\":0,\"ooo_rx\":0,\"fin_count\":0,"
      "\"time_str\":\"2023-11-14 22:14:20.002 +0000 UTC\"}";

/* network_1m_podservice_xflow */
static const char  in_network_1m_podservice_xflow[] =
      "{\"time\":1700000040,\"packet_tx\":1204,\"packet_rx\":1204,"
      "\"byte_tx\":101136,\"byte_rx\":178192,\"l3_byte_tx\":84280,"
      "\"l3_byte_rx\":161336,\"l4_byte_tx\":60200,\"l4_byte_rx\":137256,"
      "\"new_flow\":602,\"closed_flow\":602,\"l7_request\":602,"
      "\"l7_response\":600,\"syn_count\":0,\"synack_count\":0,"
      "\"direction_score\":255,\"rtt_max\":0,\"rtt_client_max\":0,"
      "\"rtt_server_max\":0,\"srt_max\":0,\"art_max\":2240,\"rrt_max\":2240,"
      "\"cit_max\":0,\"rtt_sum\":0,\"rtt_client_sum\":0,\"rtt_server_sum\":0,"
      "\"srt_sum\":0,\"art_sum\":301200,\"rrt_sum\":301200,\"cit_sum\":0,"
      "\"rtt_count\":0,\"rtt_client_count\":0,\"rtt_server_count\":0,"
      "\"srt_count\":0,\"art_count\":600,\"rrt_count\":600,\"cit_count\":0,"
      "\"retrans_tx\":0,\"retrans_rx\":0,\"zero_win_tx\":0,\"zero_win_rx\":0,"
      "\"retrans_syn\":0,\"retrans_synack\":0,\"client_rst_flow\":0,"
      "\"server_rst_flow\":0,\"server_syn_miss\":0,\"client_ack_miss\":0,"
      "\"client_half_close_flow\":0,\"server_half_close_flow\":0,"
      "\"client_source_port_reuse\":0,\"client_establish_other_rst\":0,"
      "\"server_reset\":0,\"server_queue_lack\":0,"
      "\"server_establish_other_rst\":0,\"tcp_timeout\":0,"
      "\"client_establish_fail\":0,\"server_establish_fail\":0,"
      "\"tcp_establish_fail\":0,\"tcp_transfer_fail\":0,\"tcp_rst_fail\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_timeout\":2,"
      "\"ooo_tx\":0,\"ooo_rx\":0,\"flow_load\":0,\"thread_id\":1,"
      "\"ip4\":\"10.96.0.10\",\"l3_epc_id\":2,\"l3_device_id\":401,"
      "\"l3_device_type\":11,\"region_id\":1,\"subnet_id\":0,\"host_id\":0,"
      "\"pod_node_id\":0,\"az_id\":3,\"pod_group_id\":0,\"pod_ns_id\":32,"
      "\"pod_id\":0,\"pod_cluster_id\":4,\"service_id\":0,"
      "\"auto_instance_id\":401,\"auto_instance_type\":11,"
      "\"auto_service_id\":401,\"auto_service_type\":11,\"gprocess_id\":0,"
      "\"role\":1,\"protocol\":17,\"server_port\":53,\"agent_id\":152,"
      "\"org_id\":1,\"team_id\":1,\"capture_network_type_id\":3,"
      "\"is_ipv4\":1,\"signal_source\":1}";
static const char  out_network_1m_podservice_xflow[] =
      "{\"datasource\":\"flow_metrics.network.1m\",\"time\":1700000040,"
      "\"packet_tx\":1204,\"packet_rx\":1204,\"byte_tx\":101136,"
      "\"byte_rx\":178192,\"l3_byte_tx\":84280,\"l3_byte_rx\":161336,"
      "\"l4_byte_tx\":60200,\"l4_byte_rx\":137256,\"new_flow\":602,"
      "\"closed_flow\":602,\"l7_request\":602,\"l7_response\":600,"
      "\"syn_count\":0,\"synack_count\":0,\"direction_score\":255,"
      "\"rtt_max\":0,\"rtt_client_max\":0,\"rtt_server_max\":0,\"srt_max\":0,"
      "\"art_max\":2240,\"rrt_max\":2240,\"cit_max\":0,\"rtt_sum\":0,"
      "\"rtt_client_sum\":0,\"rtt_server_sum\":0,\"srt_sum\":0,"
      "\"art_sum\":301200,\"rrt_sum\":301200,\"cit_sum\":0,\"rtt_count\":0,"
      "\"rtt_client_count\":0,\"rtt_server_count\":0,\"srt_count\":0,"
      "\"art_count\":600,\"rrt_count\":600,\"cit_count\":0,\"retrans_tx\":0,"
      "\"retrans_rx\":0,\"zero_win_tx\":0,\"zero_win_rx\":0,"
      "\"retrans_syn\":0,\"retrans_synack\":0,\"client_rst_flow\":0,"
      "\"server_rst_flow\":0,\"server_syn_miss\":0,\"client_ack_miss\":0,"
      "\"client_half_close_flow\":0,\"server_half_close_flow\":0,"
      "\"client_source_port_reuse\":0,\"client_establish_other_rst\":0,"
      "\"server_reset\":0,\"server_queue_lack\":0,"
      "\"server_establish_other_rst\":0,\"tcp_timeout\":0,"
      "\"client_establish_fail\":0,\"server_establish_fail\":0,"
      "\"tcp_establish_fail\":0,\"tcp_transfer_fail\":0,\"tcp_rst_fail\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_timeout\":2,"
      "\"ooo_tx\":0,\"ooo_rx\":0,\"flow_load\":0,\"thread_id\":1,"
      "\"ip4\":\"10.96.0.10\",\"l3_epc_id\":2,\"l3_device_id\":401,"
      "\"l3_device_type\":11,\"region_id\":1,\"subnet_id\":0,\"host_id\":0,"
      "\"pod_node_id\":0,\"az_id\":3,\"pod_group_id\":0,\"pod_ns_id\":32,"
      "\"pod_id\":0,\"pod_cluster_id\":4,\"service_id\":0,"
      "\"auto_instance_id\":401,\"auto_instance_type\":11,"
      "\"auto_service_id\":401,\"auto_service_type\":11,\"gprocess_id\":0,"
      "\"role\":\"Server\",\"protocol\":\"UDP\",\"server_port\":53,"
      "\"agent_id\":152,\"org_id\":1,\"team_id\":1,"
      "\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"signal_source\":\"xFlow\","
      "\"time_str\":\"2023-11-14 22:14:00 +0000 UTC\"}";

/* application_1m_mysql_server */
static const char  in_application_1m_mysql_server[] =
      "{\"time\":1699999980,\"request\":3457,\"response\":3450,"
      "\"direction_score\":255,\"rrt_max\":67354,\"rrt_sum\":11829212,"
      "\"rrt_count\":3450,\"client_error\":4,\"server_error\":0,"
      "\"timeout\":7,\"thread_id\":3,\"ip4\":\"10.244.2.41\",\"l3_epc_id\":2,"
      "\"l3_device_id\":47570,\"l3_device_type\":10,\"region_id\":1,"
      "\"subnet_id\":1924,\"host_id\":14,\"pod_node_id\":202,\"az_id\":5,"
      "\"pod_group_id\":1729,\"pod_ns_id\":14,\"pod_id\":47570,"
      "\"pod_cluster_id\":4,\"service_id\":0,\"auto_instance_id\":47570,"
      "\"auto_instance_type\":10,\"auto_service_id\":401,"
      "\"auto_service_type\":11,\"gprocess_id\":189133,\"role\":1,"
      "\"protocol\":6,\"server_port\":3306,\"agent_id\":7,\"org_id\":1,"
      "\"team_id\":1,\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"l7_protocol\":60,\"biz_type\":0,\"signal_source\":3}";
static const char  out_application_1m_mysql_server[] =
      "{\"datasource\":\"flow_metrics.application.1m\",\"time\":1699999980,"
      "\"request\":3457,\"response\":3450,\"direction_score\":255,"
      "\"rrt_max\":67354,\"rrt_sum\":11829212,\"rrt_count\":3450,"
      "\"client_error\":4,\"server_error\":0,\"timeout\":7,\"thread_id\":3,"
      "\"ip4\":\"10.244.2.41\",\"l3_epc_id\":2,\"l3_device_id\":47570,"
      "\"l3_device_type\":10,\"region_id\":1,\"subnet_id\":1924,"
      "\"host_id\":14,\"pod_node_id\":202,\"az_id\":5,\"pod_group_id\":1729,"
      "\"pod_ns_id\":14,\"pod_id\":47570,\"pod_cluster_id\":4,"
      "\"service_id\":0,\"auto_instance_id\":47570,\"auto_instance_type\":10,"
      "\"auto_service_id\":401,\"auto_service_type\":11,"
      "\"gprocess_id\":189133,\"role\":\"Server\",\"protocol\":\"TCP\","
      "\"server_port\":3306,\"agent_id\":7,\"org_id\":1,\"team_id\":1,"
      "\"capture_network_type_id\":3,\"is_ipv4\":1,\"l7_protocol\":\"MySQL\","
      "\"biz_type\":0,\"signal_source\":\"eBPF\","
      "\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

/* application_1m_http_otel */
static const char  in_application_1m_http_otel[] =
      "{\"time\":1700000040,\"request\":1200,\"response\":1200,"
      "\"direction_score\":255,\"rrt_max\":95321,\"rrt_sum\":21893012,"
      "\"rrt_count\":1200,\"client_error\":31,\"server_error\":2,"
      "\"timeout\":0,\"thread_id\":0,\"ip4\":\"10.244.1.23\",\"l3_epc_id\":2,"
      "\"l3_device_id\":25547,\"l3_device_type\":10,\"region_id\":1,"
      "\"subnet_id\":1478,\"host_id\":12,\"pod_node_id\":201,\"az_id\":3,"
      "\"pod_group_id\":117,\"pod_ns_id\":32,\"pod_id\":25547,"
      "\"pod_cluster_id\":4,\"service_id\":0,\"auto_instance_id\":25547,"
      "\"auto_instance_type\":10,\"auto_service_id\":117,"
      "\"auto_service_type\":130,\"gprocess_id\":87215,\"role\":1,"
      "\"protocol\":6,\"server_port\":8080,\"agent_id\":152,\"org_id\":1,"
      "\"team_id\":1,\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"l7_protocol\":20,\"app_service\":\"order-svc\","
      "\"app_instance\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"endpoint\":\"/api/v1/orders\",\"biz_type\":0,\"signal_source\":4}";
static const char  out_application_1m_http_otel[] =
      "{\"datasource\":\"flow_metrics.application.1m\",\"time\":1700000040,"
      "\"request\":1200,\"response\":1200,\"direction_score\":255,"
      "\"rrt_max\":95321,\"rrt_sum\":21893012,\"rrt_count\":1200,"
      "\"client_error\":31,\"server_error\":2,\"timeout\":0,\"thread_id\":0,"
      "\"ip4\":\"10.244.1.23\",\"l3_epc_id\":2,\"l3_device_id\":25547,"
      "\"l3_device_type\":10,\"region_id\":1,\"subnet_id\":1478,"
      "\"host_id\":12,\"pod_node_id\":201,\"az_id\":3,\"pod_group_id\":117,"
      "\"pod_ns_id\":32,\"pod_id\":25547,\"pod_cluster_id\":4,"
      "\"service_id\":0,\"auto_instance_id\":25547,\"auto_instance_type\":10,"
      "\"auto_service_id\":117,\"auto_service_type\":130,"
      "\"gprocess_id\":87215,\"role\":\"Server\",\"protocol\":\"TCP\","
      "\"server_port\":8080,\"agent_id\":152,\"org_id\":1,\"team_id\":1,"
      "\"capture_network_type_id\":3,\"is_ipv4\":1,\"l7_protocol\":\"HTTP\","
      "\"app_service\":\"order-svc\","
      "\"app_instance\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"endpoint\":\"/api/v1/orders\",\"biz_type\":0,"
      "\"signal_source\":\"OTel\","
      "\"time_str\":\"2023-11-14 22:14:00 +0000 UTC\"}";

/* network_map_1m_pod_to_pod */
static const char  in_network_map_1m_pod_to_pod[] =
      "{\"time\":1699999980,\"packet_tx\":170274,\"packet_rx\":141928,"
      "\"byte_tx\":13281372,\"byte_rx\":119219520,\"l3_byte_tx\":10897536,"
      "\"l3_byte_rx\":117232528,\"l4_byte_tx\":4086576,"
      "\"l4_byte_rx\":111555408,\"new_flow\":351,\"closed_flow\":110,"
      "\"l7_request\":3457,\"l7_response\":3450,\"syn_count\":270,"
      "\"synack_count\":268,\"direction_score\":255,\"rtt_max\":5797,"
      "\"rtt_client_max\":2421,\"rtt_server_max\":4970,\"srt_max\":2258,"
      "\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,\"rtt_sum\":248173,"
      "\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,\"srt_sum\":814544,"
      "\"art_sum\":11959736,\"rrt_sum\":11829212,\"cit_sum\":0,"
      "\"rtt_count\":268,\"rtt_client_count\":268,\"rtt_server_count\":268,"
      "\"srt_count\":3457,\"art_count\":3450,\"rrt_count\":3450,"
      "\"cit_count\":0,\"retrans_tx\":25,\"retrans_rx\":21,\"zero_win_tx\":0,"
      "\"zero_win_rx\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"client_rst_flow\":0,\"server_rst_flow\":2,\"server_syn_miss\":0,"
      "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
      "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
      "\"client_establish_other_rst\":0,\"server_reset\":0,"
      "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
      "\"tcp_timeout\":1,\"client_establish_fail\":0,"
      "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
      "\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,\"l7_client_error\":4,"
      "\"l7_server_error\":1,\"l7_timeout\":0,\"ooo_tx\":0,\"ooo_rx\":3,"
      "\"flow_load\":241,\"thread_id\":3,\"ip4_0\":\"10.244.1.23\","
      "\"l3_epc_id_0\":2,\"l3_device_id_0\":25547,\"l3_device_type_0\":10,"
      "\"region_id_0\":1,\"subnet_id_0\":1478,\"host_id_0\":12,"
      "\"pod_node_id_0\":201,\"az_id_0\":3,\"pod_group_id_0\":117,"
      "\"pod_ns_id_0\":32,\"pod_id_0\":25547,\"pod_cluster_id_0\":4,"
      "\"service_id_0\":0,\"auto_instance_id_0\":25547,"
      "\"auto_instance_type_0\":10,\"auto_service_id_0\":117,"
      "\"auto_service_type_0\":130,\"gprocess_id_0\":87215,"
      "\"ip4_1\":\"10.244.2.41\",\"l3_epc_id_1\":2,\"l3_device_id_1\":47570,"
      "\"l3_device_type_1\":10,\"region_id_1\":1,\"subnet_id_1\":1924,"
      "\"host_id_1\":14,\"pod_node_id_1\":202,\"az_id_1\":5,"
      "\"pod_group_id_1\":1729,\"pod_ns_id_1\":14,\"pod_id_1\":47570,"
      "\"pod_cluster_id_1\":4,\"service_id_1\":0,"
      "\"auto_instance_id_1\":47570,\"auto_instance_type_1\":10,"
      "\"auto_service_id_1\":401,\"auto_service_type_1\":11,"
      "\"gprocess_id_1\":189133,\"protocol\":6,\"server_port\":3306,"
      "\"agent_id\":152,\"org_id\":1,\"team_id\":1,"
      "\"capture_nic\":2538984641,\"capture_nic_type\":0,\"nat_source\":0,"
      "\"tunnel_type\":0,\"observation_point\":\"c\","
      "\"capture_network_type_id\":3,\"is_ipv4\":1,\"signal_source\":0}";
static const char  out_network_map_1m_pod_to_pod[] =
      "{\"datasource\":\"flow_metrics.network_map.1m\",\"time\":1699999980,"
      "\"packet_tx\":170274,\"packet_rx\":141928,\"byte_tx\":13281372,"
      "\"byte_rx\":119219520,\"l3_byte_tx\":10897536,"
      "\"l3_byte_rx\":117232528,\"l4_byte_tx\":4086576,"
      "\"l4_byte_rx\":111555408,\"new_flow\":351,\"closed_flow\":110,"
      "\"l7_request\":3457,\"l7_response\":3450,\"syn_count\":270,"
      "\"synack_count\":268,\"direction_score\":255,\"rtt_max\":5797,"
      "\"rtt_client_max\":2421,\"rtt_server_max\":4970,\"srt_max\":2258,"
      "\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,\"rtt_sum\":248173,"
      "\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,\"srt_sum\":814544,"
      "\"art_sum\":11959736,\"rrt_sum\":11829212,\"cit_sum\":0,"
      "\"rtt_count\":268,\"rtt_client_count\":268,\"rtt_server_count\":268,"
      "\"srt_count\":3457,\"art_count\":3450,\"rrt_count\":3450,"
      "\"cit_count\":0,\"retrans_tx\":25,\"retrans_rx\":21,\"zero_win_tx\":0,"
      "\"zero_win_rx\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"client_rst_flow\":0,\"server_rst_flow\":2,\"server_syn_miss\":0,"
      "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
      "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
      "\"client_establish_other_rst\":0,\"server_reset\":0,"
      "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
      "\"tcp_timeout\":1,\"client_establish_fail\":0,"
      "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
      "\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,\"l7_client_error\":4,"
      "\"l7_server_error\":1,\"l7_timeout\":0,\"ooo_tx\":0,\"ooo_rx\":3,"
      "\"flow_load\":241,\"thread_id\":3,\"ip4_0\":\"10.244.1.23\","
      "\"l3_epc_id_0\":2,\"l3_device_id_0\":25547,\"l3_device_type_0\":10,"
      "\"region_id_0\":1,\"subnet_id_0\":1478,\"host_id_0\":12,"
      "\"pod_node_id_0\":201,\"az_id_0\":3,\"pod_group_id_0\":117,"
      "\"pod_ns_id_0\":32,\"pod_id_0\":25547,\"pod_cluster_id_0\":4,"
      "\"service_id_0\":0,\"auto_instance_id_0\":25547,"
      "\"auto_instance_type_0\":10,\"auto_service_id_0\":117,"
      "\"auto_service_type_0\":130,\"gprocess_id_0\":87215,"
      "\"ip4_1\":\"10.244.2.41\",\"l3_epc_id_1\":2,\"l3_device_id_1\":47570,"
      "\"l3_device_type_1\":10,\"region_id_1\":1,\"subnet_id_1\":1924,"
      "\"host_id_1\":14,\"pod_node_id_1\":202,\"az_id_1\":5,"
      "\"pod_group_id_1\":1729,\"pod_ns_id_1\":14,\"pod_id_1\":47570,"
      "\"pod_cluster_id_1\":4,\"service_id_1\":0,"
      "\"auto_instance_id_1\":47570,\"auto_instance_type_1\":10,"
      "\"auto_service_id_1\":401,\"auto_service_type_1\":11,"
      "\"gprocess_id_1\":189133,\"protocol\":\"TCP\",\"server_port\":3306,"
      "\"agent_id\":152,\"org_id\":1,\"team_id\":1,"
      "\"capture_nic\":2538984641,\"capture_nic_type\":\"Local NIC\","
      "\"nat_source\":\"NONE\",\"tunnel_type\":\"N/A\","
      "\"observation_point\":\"Client NIC\",\"capture_network_type_id\":3,"
      "\"is_ipv4\":1,\"signal_source\":\"Packet\","
      "\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

/* file_event_default_fields */
static const char  in_file_event_default_fields[] =
      "{\"time\":1700000003,\"_id\":7301444411790000001,"
      "\"start_time\":1700000003000100,\"end_time\":1700000003000350,"
      "\"signal_source\":2,\"process_kname\":\"java\",\"gprocess_id\":0,"
      "\"region_id\":1,\"az_id\":3,\"l3_epc_id\":2,\"host_id\":12,"
      "\"pod_id\":25547,\"host_node_id\":201,\"pod_ns_id\":32,"
      "\"pod_cluster_id\":4,\"pod_group_id\":117,\"l3_device_type\":10,"
      "\"l3_device_id\":25547,\"service_id\":0,\"agent_id\":152,"
      "\"subnet_id\":1478,\"is_ipv4\":1,\"ip4\":\"10.244.1.23\",\"org_id\":1,"
      "\"team_id\":1,\"auto_instance_id\":25547,\"auto_instance_type\":10,"
      "\"auto_service_id\":117,\"auto_service_type\":130,"
      "\"app_instance\":\"6137\",\"bytes\":4096,\"duration\":250,"
      "\"syscall_thread\":6201,\"syscall_coroutine\":0}";
static const char  out_file_event_default_fields[] =
      "{\"datasource\":\"event.file_event\",\"time\":1700000003,"
      "\"_id\":7301444411790000001,\"start_time\":1700000003000100,"
      "\"end_time\":1700000003000350,\"signal_source\":\"IO\","
      "\"process_kname\":\"java\",\"gprocess_id\":0,\"region_id\":1,"
      "\"az_id\":3,\"l3_epc_id\":2,\"host_id\":12,\"pod_id\":25547,"
      "\"host_node_id\":201,\"pod_ns_id\":32,\"pod_cluster_id\":4,"
      "\"pod_group_id\":117,\"l3_device_type\":10,\"l3_device_id\":25547,"
      "\"service_id\":0,\"agent_id\":152,\"subnet_id\":1478,\"is_ipv4\":1,"
      "\"ip4\":\"10.244.1.23\",\"org_id\":1,\"team_id\":1,"
      "\"auto_instance_id\":25547,\"auto_instance_type\":\"K8s POD\","
      "\"auto_service_id\":117,\"auto_service_type\":\"Deployment\","
      "\"app_instance\":\"6137\",\"bytes\":4096,\"duration\":250,"
      "\"syscall_thread\":6201,\"syscall_coroutine\":0,"
      "\"time_str\":\"2023-11-14 22:13:23.00035 +0000 UTC\"}";

/* file_event_with_event_info */
static const char  in_file_event_with_event_info[] =
      "{\"time\":1700000003,\"_id\":7301444411790000001,"
      "\"start_time\":1700000003000100,\"end_time\":1700000003000350,"
      "\"signal_source\":2,\"event_type\":\"write\","
      "\"process_kname\":\"java\",\"gprocess_id\":0,\"region_id\":1,"
      "\"az_id\":3,\"l3_epc_id\":2,\"host_id\":12,\"pod_id\":25547,"
      "\"host_node_id\":201,\"pod_ns_id\":32,\"pod_cluster_id\":4,"
      "\"pod_group_id\":117,\"l3_device_type\":10,\"l3_device_id\":25547,"
      "\"service_id\":0,\"agent_id\":152,\"subnet_id\":1478,\"is_ipv4\":1,"
      "\"ip4\":\"10.244.1.23\",\"org_id\":1,\"team_id\":1,"
      "\"auto_instance_id\":25547,\"auto_instance_type\":10,"
      "\"auto_service_id\":117,\"auto_service_type\":130,"
      "\"app_instance\":\"6137\",\"bytes\":4096,\"duration\":250,"
      "\"file_name\":\"app.log\",\"file_type\":1,\"offset\":1048576,"
      "\"syscall_thread\":6201,\"syscall_coroutine\":0,"
      "\"mount_source\":\"/dev/vda1\",\"mount_point\":\"/\","
      "\"file_dir\":\"/var/log/order-svc/\",\"access_permission\":420}";
static const char  out_file_event_with_event_info[] =
      "{\"datasource\":\"event.file_event\",\"time\":1700000003,"
      "\"_id\":7301444411790000001,\"start_time\":1700000003000100,"
      "\"end_time\":1700000003000350,\"signal_source\":\"IO\","
      "\"event_type\":\"Write\",\"process_kname\":\"java\",\"gprocess_id\":0,"
      "\"region_id\":1,\"az_id\":3,\"l3_epc_id\":2,\"host_id\":12,"
      "\"pod_id\":25547,\"host_node_id\":201,\"pod_ns_id\":32,"
      "\"pod_cluster_id\":4,\"pod_group_id\":117,\"l3_device_type\":10,"
      "\"l3_device_id\":25547,\"service_id\":0,\"agent_id\":152,"
      "\"subnet_id\":1478,\"is_ipv4\":1,\"ip4\":\"10.244.1.23\",\"org_id\":1,"
      "\"team_id\":1,\"auto_instance_id\":25547,"
      "\"auto_instance_type\":\"K8s POD\",\"auto_service_id\":117,"
      "\"auto_service_type\":\"Deployment\",\"app_instance\":\"6137\","
      "\"bytes\":4096,\"duration\":250,\"file_name\":\"app.log\","
      "\"file_type\":\"Regular File\",\"offset\":1048576,"
      "\"syscall_thread\":6201,\"syscall_coroutine\":0,"
      "\"mount_source\":\"/dev/vda1\",\"mount_point\":\"/\","
      "\"file_dir\":\"/var/log/order-svc/\",\"access_permission\":420,"
      "\"time_str\":\"2023-11-14 22:13:23.00035 +0000 UTC\"}";

/* network_1m_pod: the raw record behind SPEC 9 network #1 */
static const char  in_network_1m_pod[] =
      "{\"time\":1699999980,\"packet_tx\":170274,\"packet_rx\":141928,"
      "\"byte_tx\":13281372,\"byte_rx\":119219520,\"l3_byte_tx\":10897536,"
      "\"l3_byte_rx\":117232528,\"l4_byte_tx\":4086576,"
      "\"l4_byte_rx\":111555408,\"new_flow\":351,\"closed_flow\":110,"
      "\"l7_request\":3457,\"l7_response\":3450,\"syn_count\":270,"
      "\"synack_count\":268,\"direction_score\":255,\"rtt_max\":5797,"
      "\"rtt_client_max\":2421,\"rtt_server_max\":4970,\"srt_max\":2258,"
      "\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,\"rtt_sum\":248173,"
      "\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,\"srt_sum\":814544,"
      "\"art_sum\":11959736,\"rrt_sum\":11829212,\"cit_sum\":0,"
      "\"rtt_count\":268,\"rtt_client_count\":268,\"rtt_server_count\":268,"
      "\"srt_count\":3457,\"art_count\":3450,\"rrt_count\":3450,"
      "\"cit_count\":0,\"retrans_tx\":25,\"retrans_rx\":21,\"zero_win_tx\":0,"
      "\"zero_win_rx\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"client_rst_flow\":0,\"server_rst_flow\":2,\"server_syn_miss\":0,"
      "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
      "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
      "\"client_establish_other_rst\":0,\"server_reset\":0,"
      "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
      "\"tcp_timeout\":1,\"client_establish_fail\":0,"
      "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
      "\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,\"l7_client_error\":4,"
      "\"l7_server_error\":1,\"l7_timeout\":0,\"ooo_tx\":0,\"ooo_rx\":3,"
      "\"flow_load\":241,\"thread_id\":3,\"ip4\":\"10.244.1.23\","
      "\"l3_epc_id\":2,\"l3_device_id\":25547,\"l3_device_type\":10,"
      "\"region_id\":1,\"subnet_id\":1478,\"host_id\":12,\"pod_node_id\":201,"
      "\"az_id\":3,\"pod_group_id\":117,\"pod_ns_id\":32,\"pod_id\":25547,"
      "\"pod_cluster_id\":4,\"service_id\":0,\"auto_instance_id\":25547,"
      "\"auto_instance_type\":10,\"auto_service_id\":117,"
      "\"auto_service_type\":130,\"gprocess_id\":87215,\"role\":0,"
      "\"protocol\":6,\"server_port\":3306,\"agent_id\":152,\"org_id\":1,"
      "\"team_id\":1,\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"signal_source\":0}";

/* SPEC 9, verbatim */
static const char  spec_network_1m_pod_TRANSLATION_OFF[] =
      "{\"datasource\":\"flow_metrics.network.1m\",\"time\":1699999980,"
      "\"packet_tx\":170274,\"packet_rx\":141928,\"byte_tx\":13281372,"
      "\"byte_rx\":119219520,\"l3_byte_tx\":10897536,"
      "\"l3_byte_rx\":117232528,\"l4_byte_tx\":4086576,"
      "\"l4_byte_rx\":111555408,\"new_flow\":351,\"closed_flow\":110,"
      "\"l7_request\":3457,\"l7_response\":3450,\"syn_count\":270,"
      "\"synack_count\":268,\"direction_score\":255,\"rtt_max\":5797,"
      "\"rtt_client_max\":2421,\"rtt_server_max\":4970,\"srt_max\":2258,"
      "\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,\"rtt_sum\":248173,"
      "\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,\"srt_sum\":814544,"
      "\"art_sum\":11959736,\"rrt_sum\":11829212,\"cit_sum\":0,"
      "\"rtt_count\":268,\"rtt_client_count\":268,\"rtt_server_count\":268,"
      "\"srt_count\":3457,\"art_count\":3450,\"rrt_count\":3450,"
      "\"cit_count\":0,\"retrans_tx\":25,\"retrans_rx\":21,\"zero_win_tx\":0,"
      "\"zero_win_rx\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"client_rst_flow\":0,\"server_rst_flow\":2,\"server_syn_miss\":0,"
      "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
      "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
      "\"client_establish_other_rst\":0,\"server_reset\":0,"
      "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
      "\"tcp_timeout\":1,\"client_establish_fail\":0,"
      "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
      "\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,\"l7_client_error\":4,"
      "\"l7_server_error\":1,\"l7_timeout\":0,\"ooo_tx\":0,\"ooo_rx\":3,"
      "\"flow_load\":241,\"thread_id\":3,\"ip4\":\"10.244.1.23\","
      "\"l3_epc_id\":2,\"l3_device_id\":25547,\"l3_device_type\":10,"
      "\"region_id\":1,\"subnet_id\":1478,\"host_id\":12,\"pod_node_id\":201,"
      "\"az_id\":3,\"pod_group_id\":117,\"pod_ns_id\":32,\"pod_id\":25547,"
      "\"pod_cluster_id\":4,\"service_id\":0,\"auto_instance_id\":25547,"
      "\"auto_instance_type\":10,\"auto_service_id\":117,"
      "\"auto_service_type\":130,\"gprocess_id\":87215,\"role\":0,"
      "\"protocol\":6,\"server_port\":3306,\"agent_id\":152,\"org_id\":1,"
      "\"team_id\":1,\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"signal_source\":0,\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

/* SPEC 9, verbatim */
static const char  spec_network_1m_pod_UTAG_OFF_ENUM_ON[] =
      "{\"datasource\":\"flow_metrics.network.1m\",\"time\":1699999980,"
      "\"packet_tx\":170274,\"packet_rx\":141928,\"byte_tx\":13281372,"
      "\"byte_rx\":119219520,\"l3_byte_tx\":10897536,"
      "\"l3_byte_rx\":117232528,\"l4_byte_tx\":4086576,"
      "\"l4_byte_rx\":111555408,\"new_flow\":351,\"closed_flow\":110,"
      "\"l7_request\":3457,\"l7_response\":3450,\"syn_count\":270,"
      "\"synack_count\":268,\"direction_score\":255,\"rtt_max\":5797,"
      "\"rtt_client_max\":2421,\"rtt_server_max\":4970,\"srt_max\":2258,"
      "\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,\"rtt_sum\":248173,"
      "\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,\"srt_sum\":814544,"
      "\"art_sum\":11959736,\"rrt_sum\":11829212,\"cit_sum\":0,"
      "\"rtt_count\":268,\"rtt_client_count\":268,\"rtt_server_count\":268,"
      "\"srt_count\":3457,\"art_count\":3450,\"rrt_count\":3450,"
      "\"cit_count\":0,\"retrans_tx\":25,\"retrans_rx\":21,\"zero_win_tx\":0,"
      "\"zero_win_rx\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"client_rst_flow\":0,\"server_rst_flow\":2,\"server_syn_miss\":0,"
      "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
      "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
      "\"client_establish_other_rst\":0,\"server_reset\":0,"
      "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
      "\"tcp_timeout\":1,\"client_establish_fail\":0,"
      "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
      "\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,\"l7_client_error\":4,"
      "\"l7_server_error\":1,\"l7_timeout\":0,\"ooo_tx\":0,\"ooo_rx\":3,"
      "\"flow_load\":241,\"thread_id\":3,\"ip4\":\"10.244.1.23\","
      "\"l3_epc_id\":2,\"l3_device_id\":25547,\"l3_device_type\":10,"
      "\"region_id\":1,\"subnet_id\":1478,\"host_id\":12,\"pod_node_id\":201,"
      "\"az_id\":3,\"pod_group_id\":117,\"pod_ns_id\":32,\"pod_id\":25547,"
      "\"pod_cluster_id\":4,\"service_id\":0,\"auto_instance_id\":25547,"
      "\"auto_instance_type\":10,\"auto_service_id\":117,"
      "\"auto_service_type\":130,\"gprocess_id\":87215,\"role\":\"Client\","
      "\"protocol\":\"TCP\",\"server_port\":3306,\"agent_id\":152,"
      "\"org_id\":1,\"team_id\":1,\"capture_network_type_id\":3,"
      "\"is_ipv4\":1,\"signal_source\":\"Packet\","
      "\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

/* SPEC 9, verbatim */
static const char  spec_network_1m_pod_EXPORT_FIELDS_ABSENT[] =
      "{\"datasource\":\"flow_metrics.network.1m\",\"packet_tx\":170274,"
      "\"packet_rx\":141928,\"byte_tx\":13281372,\"byte_rx\":119219520,"
      "\"l3_byte_tx\":10897536,\"l3_byte_rx\":117232528,"
      "\"l4_byte_tx\":4086576,\"l4_byte_rx\":111555408,\"new_flow\":351,"
      "\"closed_flow\":110,\"l7_request\":3457,\"l7_response\":3450,"
      "\"syn_count\":270,\"synack_count\":268,\"direction_score\":255,"
      "\"rtt_max\":5797,\"rtt_client_max\":2421,\"rtt_server_max\":4970,"
      "\"srt_max\":2258,\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,"
      "\"rtt_sum\":248173,\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,"
      "\"srt_sum\":814544,\"art_sum\":11959736,\"rrt_sum\":11829212,"
      "\"cit_sum\":0,\"rtt_count\":268,\"rtt_client_count\":268,"
      "\"rtt_server_count\":268,\"srt_count\":3457,\"art_count\":3450,"
      "\"rrt_count\":3450,\"cit_count\":0,\"retrans_tx\":25,"
      "\"retrans_rx\":21,\"zero_win_tx\":0,\"zero_win_rx\":0,"
      "\"retrans_syn\":0,\"retrans_synack\":0,\"client_rst_flow\":0,"
      "\"server_rst_flow\":2,\"server_syn_miss\":0,\"client_ack_miss\":0,"
      "\"client_half_close_flow\":0,\"server_half_close_flow\":0,"
      "\"client_source_port_reuse\":0,\"client_establish_other_rst\":0,"
      "\"server_reset\":0,\"server_queue_lack\":0,"
      "\"server_establish_other_rst\":0,\"tcp_timeout\":1,"
      "\"client_establish_fail\":0,\"server_establish_fail\":0,"
      "\"tcp_establish_fail\":0,\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,"
      "\"l7_client_error\":4,\"l7_server_error\":1,\"l7_timeout\":0,"
      "\"ooo_tx\":0,\"ooo_rx\":3,\"flow_load\":241,"
      "\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

/* SPEC 9 records as DeepFlow writes them (both translations on),
 * verbatim but for network #2, where dfexport names xFlow. */
static const char  spec_l7_mysql_ebpf[] =
      "{\"datasource\":\"flow_log.l7_flow_log\",\"_id\":7301444403200000123,"
      "\"l7_protocol\":\"MySQL\",\"biz_protocol\":\"MySQL\","
      "\"version\":\"8.0.35\",\"type\":\"Session\",\"is_tls\":0,"
      "\"is_async\":0,\"is_reversed\":0,\"request_type\":\"COM_QUERY\","
      "\"request_resource\":\"SELECT id,"
      " name FROM products WHERE category_id = ? LIMIT 50\","
      "\"response_status\":\"Success\",\"response_code\":0,"
      "\"response_duration\":1215,\"request_length\":68,"
      "\"response_length\":2047,\"sql_affected_rows\":50,"
      "\"direction_score\":255,\"captured_request_byte\":68,"
      "\"captured_response_byte\":2047,\"metrics_names\":[],"
      "\"metrics_values\":[],\"time\":1700000000,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"client_port\":43122,\"server_port\":3306,"
      "\"flow_id\":3862646640075261114,\"capture_network_type_id\":3,"
      "\"nat_source\":\"NONE\",\"signal_source\":\"eBPF\",\"tunnel_type\":0,"
      "\"capture_nic\":0,\"observation_point\":\"Client Process\","
      "\"agent\":\"k8s-node-01-V152\",\"req_tcp_seq\":519218416,"
      "\"resp_tcp_seq\":3191790602,\"start_time\":1700000000139676,"
      "\"end_time\":1700000000140891,\"gprocess_0\":\"java\",\"biz_type\":0,"
      "\"process_id_0\":6137,\"process_id_1\":0,\"process_kname_0\":\"java\","
      "\"syscall_trace_id_request\":1279738348408605,"
      "\"syscall_trace_id_response\":1279738348408606,"
      "\"syscall_thread_0\":6201,\"syscall_thread_1\":6201,"
      "\"syscall_coroutine_0\":0,\"syscall_coroutine_1\":0,"
      "\"syscall_cap_seq_0\":8812,\"syscall_cap_seq_1\":8813,"
      "\"region_0\":\"cn-beijing\",\"region_1\":\"cn-beijing\","
      "\"az_0\":\"cn-beijing-a\",\"az_1\":\"cn-beijing-c\","
      "\"host_0\":\"hv-node-12\",\"host_1\":\"hv-node-14\","
      "\"l3_device_type_0\":\"pod\",\"l3_device_type_1\":\"pod\","
      "\"l3_device_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"l3_device_1\":\"mysql-0\",\"pod_node_0\":\"k8s-node-01\","
      "\"pod_node_1\":\"k8s-node-02\",\"pod_ns_0\":\"shop\","
      "\"pod_ns_1\":\"db\",\"pod_group_0\":\"order-svc\","
      "\"pod_group_1\":\"mysql\",\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"StatefulSet\","
      "\"pod_0\":\"order-svc-7d9f8c6b5-x2k4q\",\"pod_1\":\"mysql-0\","
      "\"pod_cluster_0\":\"prod-k8s\",\"pod_cluster_1\":\"prod-k8s\","
      "\"l3_epc_0\":\"vpc-prod\",\"l3_epc_1\":\"vpc-prod\",\"epc_id_0\":2,"
      "\"epc_id_1\":2,\"subnet_0\":\"subnet-pod-a\","
      "\"subnet_1\":\"subnet-pod-b\","
      "\"auto_instance_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type_0\":\"pod\",\"auto_service_0\":\"order-svc\","
      "\"auto_instance_1\":\"mysql-0\",\"auto_instance_type_1\":\"pod\","
      "\"auto_service_1\":\"mysql-svc\","
      "\"auto_service_type_1\":\"pod_service\",\"org_id\":1,\"team_id\":1,"
      "\"time_str\":\"2023-11-14 22:13:20.140891 +0000 UTC\"}";

static const char  spec_l7_http_packet_404[] =
      "{\"datasource\":\"flow_log.l7_flow_log\",\"_id\":7301444403200000456,"
      "\"l7_protocol\":\"HTTP\",\"biz_protocol\":\"HTTP\","
      "\"version\":\"1.1\",\"type\":\"Session\",\"is_tls\":0,\"is_async\":0,"
      "\"is_reversed\":0,\"request_type\":\"GET\","
      "\"request_domain\":\"order-svc.shop.svc.cluster.local\","
      "\"request_resource\":\"/api/v1/orders?page=2&size=20\","
      "\"end_point\":\"/api/v1/orders\",\"response_status\":\"Client Error\","
      "\"response_code\":404,\"response_exception\":\"Not Found\","
      "\"x_request_id_0\":\"3f2a9c1e-8b7d-4e21-9a0c-5d6e7f809a1b\","
      "\"x_request_id_1\":\"3f2a9c1e-8b7d-4e21-9a0c-5d6e7f809a1b\","
      "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
      "\"span_id\":\"00f067aa0ba902b7\",\"response_duration\":18342,"
      "\"request_length\":312,\"response_length\":87,\"direction_score\":255,"
      "\"captured_request_byte\":312,\"captured_response_byte\":87,"
      "\"attribute_names\":[\"http_user_agent\"],"
      "\"attribute_values\":[\"okhttp/4.11.0\"],\"metrics_names\":[],"
      "\"metrics_values\":[],\"time\":1700000001,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"client_port\":51544,\"server_port\":8080,"
      "\"flow_id\":3862646640075261114,\"capture_network_type_id\":3,"
      "\"nat_source\":\"NONE\",\"signal_source\":\"Packet\","
      "\"tunnel_type\":0,\"capture_nic\":2538984641,"
      "\"observation_point\":\"Server NIC\",\"agent\":\"k8s-node-01-V152\","
      "\"req_tcp_seq\":519218416,\"resp_tcp_seq\":3191790602,"
      "\"start_time\":1700000001002311,\"end_time\":1700000001020653,"
      "\"biz_type\":0,\"process_id_0\":0,\"process_id_1\":0,"
      "\"syscall_trace_id_request\":0,\"syscall_trace_id_response\":0,"
      "\"syscall_thread_0\":0,\"syscall_thread_1\":0,"
      "\"syscall_coroutine_0\":0,\"syscall_coroutine_1\":0,"
      "\"syscall_cap_seq_0\":0,\"syscall_cap_seq_1\":0,"
      "\"region_0\":\"cn-beijing\",\"region_1\":\"cn-beijing\","
      "\"az_0\":\"cn-beijing-a\",\"az_1\":\"cn-beijing-c\","
      "\"host_0\":\"hv-node-12\",\"host_1\":\"hv-node-14\","
      "\"l3_device_type_0\":\"pod\",\"l3_device_type_1\":\"pod\","
      "\"l3_device_0\":\"frontend-5c7b9d-abcde\","
      "\"l3_device_1\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"pod_node_0\":\"k8s-node-01\",\"pod_node_1\":\"k8s-node-02\","
      "\"pod_ns_0\":\"shop\",\"pod_ns_1\":\"shop\","
      "\"pod_group_0\":\"frontend\",\"pod_group_1\":\"order-svc\","
      "\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"Deployment\","
      "\"pod_0\":\"frontend-5c7b9d-abcde\","
      "\"pod_1\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"pod_cluster_0\":\"prod-k8s\",\"pod_cluster_1\":\"prod-k8s\","
      "\"l3_epc_0\":\"vpc-prod\",\"l3_epc_1\":\"vpc-prod\",\"epc_id_0\":2,"
      "\"epc_id_1\":2,\"subnet_0\":\"subnet-pod-a\","
      "\"subnet_1\":\"subnet-pod-a\","
      "\"auto_instance_0\":\"frontend-5c7b9d-abcde\","
      "\"auto_instance_type_0\":\"pod\",\"auto_service_0\":\"frontend\","
      "\"auto_instance_1\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type_1\":\"pod\",\"auto_service_1\":\"order-svc\","
      "\"org_id\":1,\"team_id\":1,"
      "\"time_str\":\"2023-11-14 22:13:21.020653 +0000 UTC\"}";

static const char  spec_l7_otel_span_internet[] =
      "{\"datasource\":\"flow_log.l7_flow_log\",\"_id\":7301444407495000789,"
      "\"l7_protocol\":\"HTTP\",\"biz_protocol\":\"HTTP\","
      "\"type\":\"Session\",\"is_tls\":0,\"is_async\":0,\"is_reversed\":0,"
      "\"request_type\":\"POST\",\"request_domain\":\"api.example.com\","
      "\"request_resource\":\"/v1/charge\",\"end_point\":\"POST /v1/charge\","
      "\"response_status\":\"Server Error\",\"response_code\":503,"
      "\"response_exception\":\"Service Unavailable\","
      "\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\","
      "\"span_id\":\"b7ad6b7169203331\","
      "\"parent_span_id\":\"00f067aa0ba902b7\","
      "\"span_kind\":\"SPAN_KIND_CLIENT\",\"app_service\":\"payment\","
      "\"app_instance\":\"payment-6d5f7-2xk9p\",\"response_duration\":351000,"
      "\"direction_score\":0,\"captured_request_byte\":0,"
      "\"captured_response_byte\":0,\"attribute_names\":[\"http.route\","
      "\"k8s.namespace.name\"],\"attribute_values\":[\"/v1/charge\","
      "\"shop\"],\"metrics_names\":[],\"metrics_values\":[],"
      "\"time\":1700000002,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"93.184.216.34\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"client_port\":0,\"server_port\":0,\"flow_id\":3862646640075261114,"
      "\"capture_network_type_id\":0,\"nat_source\":\"NONE\","
      "\"signal_source\":\"OTel\",\"tunnel_type\":0,\"capture_nic\":0,"
      "\"observation_point\":\"Client Application\","
      "\"agent\":\"k8s-node-01-V152\",\"req_tcp_seq\":0,\"resp_tcp_seq\":0,"
      "\"start_time\":1700000002000100,\"end_time\":1700000002351100,"
      "\"gprocess_0\":\"java\",\"biz_type\":0,\"process_id_0\":0,"
      "\"process_id_1\":0,\"syscall_trace_id_request\":0,"
      "\"syscall_trace_id_response\":0,\"syscall_thread_0\":0,"
      "\"syscall_thread_1\":0,\"syscall_coroutine_0\":0,"
      "\"syscall_coroutine_1\":0,\"syscall_cap_seq_0\":0,"
      "\"syscall_cap_seq_1\":0,\"region_0\":\"cn-beijing\","
      "\"az_0\":\"cn-beijing-a\",\"host_0\":\"hv-node-12\","
      "\"l3_device_type_0\":\"pod\",\"l3_device_type_1\":\"internet_ip\","
      "\"l3_device_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"pod_node_0\":\"k8s-node-01\",\"pod_ns_0\":\"shop\","
      "\"pod_group_0\":\"order-svc\",\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"--\",\"pod_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"pod_cluster_0\":\"prod-k8s\",\"l3_epc_0\":\"vpc-prod\","
      "\"epc_id_0\":2,\"epc_id_1\":0,\"subnet_0\":\"subnet-pod-a\","
      "\"auto_instance_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type_0\":\"pod\",\"auto_service_0\":\"order-svc\","
      "\"auto_instance_1\":\"93.184.216.34\","
      "\"auto_instance_type_1\":\"internet_ip\","
      "\"auto_service_1\":\"93.184.216.34\","
      "\"auto_service_type_1\":\"internet_ip\",\"org_id\":1,\"team_id\":1,"
      "\"time_str\":\"2023-11-14 22:13:22.3511 +0000 UTC\"}";

static const char  spec_l4_tcp_mysql[] =
      "{\"datasource\":\"flow_log.l4_flow_log\",\"_id\":7301444403200001111,"
      "\"mac_0\":\"52:54:00:12:34:56\",\"mac_1\":\"52:54:00:ab:cd:ef\","
      "\"eth_type\":2048,\"vlan\":0,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"10.244.2.41\",\"is_ipv4\":1,\"protocol\":\"TCP\","
      "\"tunnel_tier\":0,\"tunnel_type\":0,\"tunnel_tx_id\":0,"
      "\"tunnel_rx_id\":0,\"tunnel_tx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_tx_ip4_1\":\"0.0.0.0\",\"tunnel_rx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_rx_ip4_1\":\"0.0.0.0\",\"tunnel_is_ipv4\":1,"
      "\"tunnel_tx_mac_0\":0,\"tunnel_tx_mac_1\":0,\"tunnel_rx_mac_0\":0,"
      "\"tunnel_rx_mac_1\":0,\"client_port\":43122,\"server_port\":3306,"
      "\"tcp_flags_bit_0\":27,\"tcp_flags_bit_1\":27,\"syn_seq\":1021,"
      "\"syn_ack_seq\":88031,\"last_keepalive_seq\":0,"
      "\"last_keepalive_ack\":0,\"l7_protocol\":\"MySQL\","
      "\"region_0\":\"cn-beijing\",\"region_1\":\"cn-beijing\","
      "\"az_0\":\"cn-beijing-a\",\"az_1\":\"cn-beijing-c\","
      "\"host_0\":\"hv-node-12\",\"host_1\":\"hv-node-14\","
      "\"l3_device_type_0\":\"pod\",\"l3_device_type_1\":\"pod\","
      "\"l3_device_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"l3_device_1\":\"mysql-0\",\"pod_node_0\":\"k8s-node-01\","
      "\"pod_node_1\":\"k8s-node-02\",\"pod_ns_0\":\"shop\","
      "\"pod_ns_1\":\"db\",\"pod_group_0\":\"order-svc\","
      "\"pod_group_1\":\"mysql\",\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"StatefulSet\","
      "\"pod_0\":\"order-svc-7d9f8c6b5-x2k4q\",\"pod_1\":\"mysql-0\","
      "\"pod_cluster_0\":\"prod-k8s\",\"pod_cluster_1\":\"prod-k8s\","
      "\"l3_epc_0\":\"vpc-prod\",\"l3_epc_1\":\"vpc-prod\",\"epc_id_0\":2,"
      "\"epc_id_1\":2,\"subnet_0\":\"subnet-pod-a\","
      "\"subnet_1\":\"subnet-pod-b\","
      "\"auto_instance_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type_0\":\"pod\",\"auto_service_0\":\"order-svc\","
      "\"auto_instance_1\":\"mysql-0\",\"auto_instance_type_1\":\"pod\","
      "\"auto_service_1\":\"mysql-svc\","
      "\"auto_service_type_1\":\"pod_service\",\"org_id\":1,\"team_id\":1,"
      "\"time\":1700000060,\"close_type\":\"Normal\","
      "\"signal_source\":\"Packet\",\"flow_id\":3862646640075261114,"
      "\"init_ipid\":0,\"capture_network_type_id\":3,\"nat_source\":\"NONE\","
      "\"capture_nic_type\":\"Local NIC\",\"capture_nic\":2538984641,"
      "\"observation_point\":\"Client NIC\",\"agent\":\"k8s-node-01-V152\","
      "\"l2_end_0\":1,\"l2_end_1\":0,\"l3_end_0\":1,\"l3_end_1\":0,"
      "\"start_time\":1700000000139676,\"end_time\":1700000060002000,"
      "\"duration\":59862324,\"is_new_flow\":1,\"status\":\"Success\","
      "\"gprocess_0\":\"java\",\"gprocess_1\":\"mysqld\","
      "\"nat_real_ip_0\":\"0.0.0.0\",\"nat_real_ip_1\":\"0.0.0.0\","
      "\"nat_real_port_0\":0,\"nat_real_port_1\":0,\"direction_score\":255,"
      "\"packet_tx\":412,\"packet_rx\":388,\"byte_tx\":61234,"
      "\"byte_rx\":1203311,\"l3_byte_tx\":55466,\"l3_byte_rx\":1197879,"
      "\"l4_byte_tx\":40634,\"l4_byte_rx\":1182759,\"total_packet_tx\":412,"
      "\"total_packet_rx\":388,\"total_byte_tx\":61234,"
      "\"total_byte_rx\":1203311,\"l7_request\":37,\"l7_response\":37,"
      "\"l7_parse_failed\":0,\"rtt\":182,\"rtt_client\":41,"
      "\"rtt_server\":141,\"tls_rtt\":0,\"srt_sum\":5210,\"art_sum\":44120,"
      "\"rrt_sum\":44950,\"cit_sum\":0,\"srt_count\":37,\"art_count\":37,"
      "\"rrt_count\":37,\"cit_count\":0,\"srt_max\":420,\"art_max\":3120,"
      "\"rrt_max\":3150,\"cit_max\":0,\"retrans_tx\":0,\"retrans_rx\":1,"
      "\"zero_win_tx\":0,\"zero_win_rx\":0,\"syn_count\":1,"
      "\"synack_count\":1,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_server_timeout\":0,"
      "\"l7_error\":0,\"ooo_tx\":0,\"ooo_rx\":0,\"fin_count\":2,"
      "\"time_str\":\"2023-11-14 22:14:20.002 +0000 UTC\"}";

static const char  spec_l4_udp_dns_internet[] =
      "{\"datasource\":\"flow_log.l4_flow_log\",\"_id\":7301444403200002222,"
      "\"mac_0\":\"52:54:00:12:34:56\",\"mac_1\":\"00:00:00:00:00:00\","
      "\"eth_type\":2048,\"vlan\":0,\"ip4_0\":\"10.244.1.23\","
      "\"ip4_1\":\"93.184.216.34\",\"is_ipv4\":1,\"protocol\":\"UDP\","
      "\"tunnel_tier\":0,\"tunnel_type\":0,\"tunnel_tx_id\":0,"
      "\"tunnel_rx_id\":0,\"tunnel_tx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_tx_ip4_1\":\"0.0.0.0\",\"tunnel_rx_ip4_0\":\"0.0.0.0\","
      "\"tunnel_rx_ip4_1\":\"0.0.0.0\",\"tunnel_is_ipv4\":1,"
      "\"tunnel_tx_mac_0\":0,\"tunnel_tx_mac_1\":0,\"tunnel_rx_mac_0\":0,"
      "\"tunnel_rx_mac_1\":0,\"client_port\":53211,\"server_port\":53,"
      "\"tcp_flags_bit_0\":0,\"tcp_flags_bit_1\":0,\"syn_seq\":0,"
      "\"syn_ack_seq\":0,\"last_keepalive_seq\":0,\"last_keepalive_ack\":0,"
      "\"l7_protocol\":\"DNS\",\"region_0\":\"cn-beijing\","
      "\"az_0\":\"cn-beijing-a\",\"host_0\":\"hv-node-12\","
      "\"l3_device_type_0\":\"pod\",\"l3_device_type_1\":\"internet_ip\","
      "\"l3_device_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"pod_node_0\":\"k8s-node-01\",\"pod_ns_0\":\"shop\","
      "\"pod_group_0\":\"order-svc\",\"pod_group_type_0\":\"Deployment\","
      "\"pod_group_type_1\":\"--\",\"pod_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"pod_cluster_0\":\"prod-k8s\",\"l3_epc_0\":\"vpc-prod\","
      "\"epc_id_0\":2,\"epc_id_1\":0,\"subnet_0\":\"subnet-pod-a\","
      "\"auto_instance_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type_0\":\"pod\",\"auto_service_0\":\"order-svc\","
      "\"auto_instance_1\":\"93.184.216.34\","
      "\"auto_instance_type_1\":\"internet_ip\","
      "\"auto_service_1\":\"93.184.216.34\","
      "\"auto_service_type_1\":\"internet_ip\",\"org_id\":1,\"team_id\":1,"
      "\"time\":1700000060,\"close_type\":\"Transfer - Timeout\","
      "\"signal_source\":\"Packet\",\"flow_id\":3862646640075261114,"
      "\"init_ipid\":0,\"capture_network_type_id\":3,\"nat_source\":\"NONE\","
      "\"capture_nic_type\":\"Local NIC\",\"capture_nic\":2538984641,"
      "\"observation_point\":\"Client K8s Node\","
      "\"agent\":\"k8s-node-01-V152\",\"l2_end_0\":1,\"l2_end_1\":0,"
      "\"l3_end_0\":1,\"l3_end_1\":0,\"start_time\":1700000045000000,"
      "\"end_time\":1700000060002000,\"duration\":15002000,\"is_new_flow\":1,"
      "\"status\":\"Success\",\"gprocess_0\":\"java\","
      "\"nat_real_ip_0\":\"0.0.0.0\",\"nat_real_ip_1\":\"0.0.0.0\","
      "\"nat_real_port_0\":0,\"nat_real_port_1\":0,\"direction_score\":255,"
      "\"packet_tx\":2,\"packet_rx\":2,\"byte_tx\":168,\"byte_rx\":296,"
      "\"l3_byte_tx\":140,\"l3_byte_rx\":268,\"l4_byte_tx\":84,"
      "\"l4_byte_rx\":212,\"total_packet_tx\":2,\"total_packet_rx\":2,"
      "\"total_byte_tx\":168,\"total_byte_rx\":296,\"l7_request\":1,"
      "\"l7_response\":1,\"l7_parse_failed\":0,\"rtt\":0,\"rtt_client\":0,"
      "\"rtt_server\":0,\"tls_rtt\":0,\"srt_sum\":0,\"art_sum\":812,"
      "\"rrt_sum\":812,\"cit_sum\":0,\"srt_count\":0,\"art_count\":1,"
      "\"rrt_count\":1,\"cit_count\":0,\"srt_max\":0,\"art_max\":812,"
      "\"rrt_max\":812,\"cit_max\":0,\"retrans_tx\":0,\"retrans_rx\":0,"
      "\"zero_win_tx\":0,\"zero_win_rx\":0,\"syn_count\":0,"
      "\"synack_count\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_server_timeout\":0,"
      "\"l7_error\":0,\"ooo_tx\":0,\"ooo_rx\":0,\"fin_count\":0,"
      "\"time_str\":\"2023-11-14 22:14:20.002 +0000 UTC\"}";

static const char  spec_network_1m_podservice_xflow[] =
      "{\"datasource\":\"flow_metrics.network.1m\",\"time\":1700000040,"
      "\"packet_tx\":1204,\"packet_rx\":1204,\"byte_tx\":101136,"
      "\"byte_rx\":178192,\"l3_byte_tx\":84280,\"l3_byte_rx\":161336,"
      "\"l4_byte_tx\":60200,\"l4_byte_rx\":137256,\"new_flow\":602,"
      "\"closed_flow\":602,\"l7_request\":602,\"l7_response\":600,"
      "\"syn_count\":0,\"synack_count\":0,\"direction_score\":255,"
      "\"rtt_max\":0,\"rtt_client_max\":0,\"rtt_server_max\":0,\"srt_max\":0,"
      "\"art_max\":2240,\"rrt_max\":2240,\"cit_max\":0,\"rtt_sum\":0,"
      "\"rtt_client_sum\":0,\"rtt_server_sum\":0,\"srt_sum\":0,"
      "\"art_sum\":301200,\"rrt_sum\":301200,\"cit_sum\":0,\"rtt_count\":0,"
      "\"rtt_client_count\":0,\"rtt_server_count\":0,\"srt_count\":0,"
      "\"art_count\":600,\"rrt_count\":600,\"cit_count\":0,\"retrans_tx\":0,"
      "\"retrans_rx\":0,\"zero_win_tx\":0,\"zero_win_rx\":0,"
      "\"retrans_syn\":0,\"retrans_synack\":0,\"client_rst_flow\":0,"
      "\"server_rst_flow\":0,\"server_syn_miss\":0,\"client_ack_miss\":0,"
      "\"client_half_close_flow\":0,\"server_half_close_flow\":0,"
      "\"client_source_port_reuse\":0,\"client_establish_other_rst\":0,"
      "\"server_reset\":0,\"server_queue_lack\":0,"
      "\"server_establish_other_rst\":0,\"tcp_timeout\":0,"
      "\"client_establish_fail\":0,\"server_establish_fail\":0,"
      "\"tcp_establish_fail\":0,\"tcp_transfer_fail\":0,\"tcp_rst_fail\":0,"
      "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_timeout\":2,"
      "\"ooo_tx\":0,\"ooo_rx\":0,\"flow_load\":0,\"thread_id\":1,"
      "\"ip4\":\"10.96.0.10\",\"l3_epc\":\"vpc-prod\","
      "\"l3_device\":\"mysql-svc\",\"l3_device_type\":\"pod_service\","
      "\"region\":\"cn-beijing\",\"az\":\"cn-beijing-a\",\"pod_ns\":\"shop\","
      "\"pod_cluster\":\"prod-k8s\",\"auto_instance\":\"mysql-svc\","
      "\"auto_instance_type\":\"pod_service\",\"auto_service\":\"mysql-svc\","
      "\"auto_service_type\":\"pod_service\",\"role\":\"Server\","
      "\"protocol\":\"UDP\",\"server_port\":53,"
      "\"agent\":\"k8s-node-01-V152\",\"org_id\":1,\"team_id\":1,"
      "\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"signal_source\":\"xFlow\","
      "\"time_str\":\"2023-11-14 22:14:00 +0000 UTC\"}";

static const char  spec_application_1m_mysql_server[] =
      "{\"datasource\":\"flow_metrics.application.1m\",\"time\":1699999980,"
      "\"request\":3457,\"response\":3450,\"direction_score\":255,"
      "\"rrt_max\":67354,\"rrt_sum\":11829212,\"rrt_count\":3450,"
      "\"client_error\":4,\"server_error\":0,\"timeout\":7,\"thread_id\":3,"
      "\"ip4\":\"10.244.2.41\",\"l3_epc\":\"vpc-prod\","
      "\"l3_device\":\"mysql-0\",\"l3_device_type\":\"pod\","
      "\"region\":\"cn-beijing\",\"subnet\":\"subnet-pod-b\","
      "\"host\":\"hv-node-14\",\"pod_node\":\"k8s-node-02\","
      "\"az\":\"cn-beijing-c\",\"pod_group\":\"mysql\",\"pod_ns\":\"db\","
      "\"pod\":\"mysql-0\",\"pod_cluster\":\"prod-k8s\","
      "\"auto_instance\":\"mysql-0\",\"auto_instance_type\":\"pod\","
      "\"auto_service\":\"mysql-svc\",\"auto_service_type\":\"pod_service\","
      "\"gprocess\":\"mysqld\",\"role\":\"Server\",\"protocol\":\"TCP\","
      "\"server_port\":3306,\"agent\":\"k8s-node-02-V7\",\"org_id\":1,"
      "\"team_id\":1,\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"l7_protocol\":\"MySQL\",\"biz_type\":0,\"signal_source\":\"eBPF\","
      "\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

static const char  spec_application_1m_http_otel[] =
      "{\"datasource\":\"flow_metrics.application.1m\",\"time\":1700000040,"
      "\"request\":1200,\"response\":1200,\"direction_score\":255,"
      "\"rrt_max\":95321,\"rrt_sum\":21893012,\"rrt_count\":1200,"
      "\"client_error\":31,\"server_error\":2,\"timeout\":0,\"thread_id\":0,"
      "\"ip4\":\"10.244.1.23\",\"l3_epc\":\"vpc-prod\","
      "\"l3_device\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"l3_device_type\":\"pod\",\"region\":\"cn-beijing\","
      "\"subnet\":\"subnet-pod-a\",\"host\":\"hv-node-12\","
      "\"pod_node\":\"k8s-node-01\",\"az\":\"cn-beijing-a\","
      "\"pod_group\":\"order-svc\",\"pod_ns\":\"shop\","
      "\"pod\":\"order-svc-7d9f8c6b5-x2k4q\",\"pod_cluster\":\"prod-k8s\","
      "\"auto_instance\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type\":\"pod\",\"auto_service\":\"order-svc\","
      "\"gprocess\":\"java\",\"role\":\"Server\",\"protocol\":\"TCP\","
      "\"server_port\":8080,\"agent\":\"k8s-node-01-V152\",\"org_id\":1,"
      "\"team_id\":1,\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"l7_protocol\":\"HTTP\",\"app_service\":\"order-svc\","
      "\"app_instance\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"endpoint\":\"/api/v1/orders\",\"biz_type\":0,"
      "\"signal_source\":\"OTel\","
      "\"time_str\":\"2023-11-14 22:14:00 +0000 UTC\"}";

static const char  spec_network_map_1m_pod_to_pod[] =
      "{\"datasource\":\"flow_metrics.network_map.1m\",\"time\":1699999980,"
      "\"packet_tx\":170274,\"packet_rx\":141928,\"byte_tx\":13281372,"
      "\"byte_rx\":119219520,\"l3_byte_tx\":10897536,"
      "\"l3_byte_rx\":117232528,\"l4_byte_tx\":4086576,"
      "\"l4_byte_rx\":111555408,\"new_flow\":351,\"closed_flow\":110,"
      "\"l7_request\":3457,\"l7_response\":3450,\"syn_count\":270,"
      "\"synack_count\":268,\"direction_score\":255,\"rtt_max\":5797,"
      "\"rtt_client_max\":2421,\"rtt_server_max\":4970,\"srt_max\":2258,"
      "\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,\"rtt_sum\":248173,"
      "\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,\"srt_sum\":814544,"
      "\"art_sum\":11959736,\"rrt_sum\":11829212,\"cit_sum\":0,"
      "\"rtt_count\":268,\"rtt_client_count\":268,\"rtt_server_count\":268,"
      "\"srt_count\":3457,\"art_count\":3450,\"rrt_count\":3450,"
      "\"cit_count\":0,\"retrans_tx\":25,\"retrans_rx\":21,\"zero_win_tx\":0,"
      "\"zero_win_rx\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"client_rst_flow\":0,\"server_rst_flow\":2,\"server_syn_miss\":0,"
      "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
      "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
      "\"client_establish_other_rst\":0,\"server_reset\":0,"
      "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
      "\"tcp_timeout\":1,\"client_establish_fail\":0,"
      "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
      "\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,\"l7_client_error\":4,"
      "\"l7_server_error\":1,\"l7_timeout\":0,\"ooo_tx\":0,\"ooo_rx\":3,"
      "\"flow_load\":241,\"thread_id\":3,\"ip4_0\":\"10.244.1.23\","
      "\"l3_epc_0\":\"vpc-prod\","
      "\"l3_device_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"l3_device_type_0\":\"pod\",\"region_0\":\"cn-beijing\","
      "\"subnet_0\":\"subnet-pod-a\",\"host_0\":\"hv-node-12\","
      "\"pod_node_0\":\"k8s-node-01\",\"az_0\":\"cn-beijing-a\","
      "\"pod_group_0\":\"order-svc\",\"pod_ns_0\":\"shop\","
      "\"pod_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"pod_cluster_0\":\"prod-k8s\","
      "\"auto_instance_0\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type_0\":\"pod\",\"auto_service_0\":\"order-svc\","
      "\"gprocess_0\":\"java\",\"ip4_1\":\"10.244.2.41\","
      "\"l3_epc_1\":\"vpc-prod\",\"l3_device_1\":\"mysql-0\","
      "\"l3_device_type_1\":\"pod\",\"region_1\":\"cn-beijing\","
      "\"subnet_1\":\"subnet-pod-b\",\"host_1\":\"hv-node-14\","
      "\"pod_node_1\":\"k8s-node-02\",\"az_1\":\"cn-beijing-c\","
      "\"pod_group_1\":\"mysql\",\"pod_ns_1\":\"db\",\"pod_1\":\"mysql-0\","
      "\"pod_cluster_1\":\"prod-k8s\",\"auto_instance_1\":\"mysql-0\","
      "\"auto_instance_type_1\":\"pod\",\"auto_service_1\":\"mysql-svc\","
      "\"auto_service_type_1\":\"pod_service\",\"gprocess_1\":\"mysqld\","
      "\"protocol\":\"TCP\",\"server_port\":3306,"
      "\"agent\":\"k8s-node-01-V152\",\"org_id\":1,\"team_id\":1,"
      "\"capture_nic\":2538984641,\"capture_nic_type\":\"Local NIC\","
      "\"nat_source\":\"NONE\",\"tunnel_type\":\"N/A\","
      "\"observation_point\":\"Client NIC\",\"capture_network_type_id\":3,"
      "\"is_ipv4\":1,\"signal_source\":\"Packet\","
      "\"k8s_label_names_0\":[\"app\"],"
      "\"k8s_label_values_0\":[\"order-svc\"],"
      "\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

static const char  spec_file_event_default_fields[] =
      "{\"datasource\":\"event.file_event\",\"time\":1700000003,"
      "\"_id\":7301444411790000001,\"start_time\":1700000003000100,"
      "\"end_time\":1700000003000350,\"signal_source\":\"IO\","
      "\"process_kname\":\"java\",\"region\":\"cn-beijing\","
      "\"az\":\"cn-beijing-a\",\"l3_epc\":\"vpc-prod\","
      "\"host\":\"hv-node-12\",\"pod\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"host_node_id\":201,\"pod_ns\":\"shop\",\"pod_cluster\":\"prod-k8s\","
      "\"pod_group\":\"order-svc\",\"l3_device_type\":\"pod\","
      "\"l3_device\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"agent\":\"k8s-node-01-V152\",\"subnet\":\"subnet-pod-a\","
      "\"is_ipv4\":1,\"ip4\":\"10.244.1.23\",\"org_id\":1,\"team_id\":1,"
      "\"auto_instance\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type\":\"pod\",\"auto_service\":\"order-svc\","
      "\"app_instance\":\"6137\",\"bytes\":4096,\"duration\":250,"
      "\"syscall_thread\":6201,\"syscall_coroutine\":0,"
      "\"time_str\":\"2023-11-14 22:13:23.00035 +0000 UTC\"}";

static const char  spec_file_event_with_event_info[] =
      "{\"datasource\":\"event.file_event\",\"time\":1700000003,"
      "\"_id\":7301444411790000001,\"start_time\":1700000003000100,"
      "\"end_time\":1700000003000350,\"signal_source\":\"IO\","
      "\"event_type\":\"Write\",\"process_kname\":\"java\","
      "\"region\":\"cn-beijing\",\"az\":\"cn-beijing-a\","
      "\"l3_epc\":\"vpc-prod\",\"host\":\"hv-node-12\","
      "\"pod\":\"order-svc-7d9f8c6b5-x2k4q\",\"host_node_id\":201,"
      "\"pod_ns\":\"shop\",\"pod_cluster\":\"prod-k8s\","
      "\"pod_group\":\"order-svc\",\"l3_device_type\":\"pod\","
      "\"l3_device\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"agent\":\"k8s-node-01-V152\",\"subnet\":\"subnet-pod-a\","
      "\"is_ipv4\":1,\"ip4\":\"10.244.1.23\",\"org_id\":1,\"team_id\":1,"
      "\"auto_instance\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type\":\"pod\",\"auto_service\":\"order-svc\","
      "\"app_instance\":\"6137\",\"bytes\":4096,\"duration\":250,"
      "\"file_name\":\"app.log\",\"file_type\":\"Regular File\","
      "\"offset\":1048576,\"syscall_thread\":6201,\"syscall_coroutine\":0,"
      "\"mount_source\":\"/dev/vda1\",\"mount_point\":\"/\","
      "\"file_dir\":\"/var/log/order-svc/\",\"access_permission\":420,"
      "\"time_str\":\"2023-11-14 22:13:23.00035 +0000 UTC\"}";

static const char  spec_network_1m_pod[] =
      "{\"datasource\":\"flow_metrics.network.1m\",\"time\":1699999980,"
      "\"packet_tx\":170274,\"packet_rx\":141928,\"byte_tx\":13281372,"
      "\"byte_rx\":119219520,\"l3_byte_tx\":10897536,"
      "\"l3_byte_rx\":117232528,\"l4_byte_tx\":4086576,"
      "\"l4_byte_rx\":111555408,\"new_flow\":351,\"closed_flow\":110,"
      "\"l7_request\":3457,\"l7_response\":3450,\"syn_count\":270,"
      "\"synack_count\":268,\"direction_score\":255,\"rtt_max\":5797,"
      "\"rtt_client_max\":2421,\"rtt_server_max\":4970,\"srt_max\":2258,"
      "\"art_max\":67354,\"rrt_max\":67354,\"cit_max\":0,\"rtt_sum\":248173,"
      "\"rtt_client_sum\":12560,\"rtt_server_sum\":215948,\"srt_sum\":814544,"
      "\"art_sum\":11959736,\"rrt_sum\":11829212,\"cit_sum\":0,"
      "\"rtt_count\":268,\"rtt_client_count\":268,\"rtt_server_count\":268,"
      "\"srt_count\":3457,\"art_count\":3450,\"rrt_count\":3450,"
      "\"cit_count\":0,\"retrans_tx\":25,\"retrans_rx\":21,\"zero_win_tx\":0,"
      "\"zero_win_rx\":0,\"retrans_syn\":0,\"retrans_synack\":0,"
      "\"client_rst_flow\":0,\"server_rst_flow\":2,\"server_syn_miss\":0,"
      "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
      "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
      "\"client_establish_other_rst\":0,\"server_reset\":0,"
      "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
      "\"tcp_timeout\":1,\"client_establish_fail\":0,"
      "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
      "\"tcp_transfer_fail\":3,\"tcp_rst_fail\":2,\"l7_client_error\":4,"
      "\"l7_server_error\":1,\"l7_timeout\":0,\"ooo_tx\":0,\"ooo_rx\":3,"
      "\"flow_load\":241,\"thread_id\":3,\"ip4\":\"10.244.1.23\","
      "\"l3_epc\":\"vpc-prod\",\"l3_device\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"l3_device_type\":\"pod\",\"region\":\"cn-beijing\","
      "\"subnet\":\"subnet-pod-a\",\"host\":\"hv-node-12\","
      "\"pod_node\":\"k8s-node-01\",\"az\":\"cn-beijing-a\","
      "\"pod_group\":\"order-svc\",\"pod_ns\":\"shop\","
      "\"pod\":\"order-svc-7d9f8c6b5-x2k4q\",\"pod_cluster\":\"prod-k8s\","
      "\"auto_instance\":\"order-svc-7d9f8c6b5-x2k4q\","
      "\"auto_instance_type\":\"pod\",\"auto_service\":\"order-svc\","
      "\"gprocess\":\"java\",\"role\":\"Client\",\"protocol\":\"TCP\","
      "\"server_port\":3306,\"agent\":\"k8s-node-01-V152\",\"org_id\":1,"
      "\"team_id\":1,\"capture_network_type_id\":3,\"is_ipv4\":1,"
      "\"signal_source\":\"Packet\","
      "\"time_str\":\"2023-11-14 22:13:00 +0000 UTC\"}";

/* ---- fixtures: confs, chains, records ------------------------------- */

extern const dfx_module_t  dfx_tag_filter_module;
extern const dfx_module_t  dfx_export_fields_module;
extern const dfx_module_t  dfx_empty_rules_module;
extern const dfx_module_t  dfx_enum_translate_module;
extern const dfx_module_t  dfx_universal_tag_module;

static dfx_enums_t  *enums;

static const dfx_dict_t  *spec_dict;   /* dictionary_json, published */

#define TEST_EXPORTER  3

typedef struct tconf_s {
    const char  *ds;
    const char  *fields[16];     /* export-fields, NULL-terminated */
    int          empty_tag;      /* export-empty-tag */
    int          zero_metrics;   /* export-empty-metrics-disabled */
    int          enum_off;       /* enum-translate-to-name-disabled */
    int          utag_off;       /* universal-tag-translate-to-name-disabled */
    const char  *key;
} tconf_t;

typedef struct tchain_s {
    dfx_conf_exporter_t         ec;
    dfx_tag_filter_conf_t       tf;
    dfx_export_fields_conf_t    xf;
    dfx_empty_rules_conf_t      er;
    dfx_enum_translate_conf_t   et;
    dfx_universal_tag_conf_t    ut;
    dfx_conf_str_t              strs[16];
    dfx_chain_t                *chain;
} tchain_t;

static void
set_mconf(dfx_conf_exporter_t *ec, const dfx_module_t *m, void *conf)
{
    int  i = dfx_module_index(m);

    assert_true(i >= 0 && i < DFX_MODULE_MAX);
    ec->mconf[i] = conf;
}

static tchain_t *
chain_new(const tconf_t *tc)
{
    tchain_t  *t;
    size_t     n;

    t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->ec.index = TEST_EXPORTER;
    for (n = 0; tc->fields[n] != NULL; n++) {
        t->strs[n].v = (char *) (uintptr_t) tc->fields[n];
        t->strs[n].m.set = 1;
    }
    t->xf.fields.v = t->strs;
    t->xf.fields.n = n;
    t->xf.fields.m.set = 1;
    t->er.export_empty_tag.v = tc->empty_tag;
    t->er.export_empty_metrics_disabled.v = tc->zero_metrics;
    t->et.disabled.v = tc->enum_off;
    t->ut.disabled.v = tc->utag_off;
    if (tc->key != NULL) {
        t->ec.key.v = (char *) (uintptr_t) tc->key;
        t->ec.key.m.set = 1;
    }
    set_mconf(&t->ec, &dfx_tag_filter_module, &t->tf);
    set_mconf(&t->ec, &dfx_export_fields_module, &t->xf);
    set_mconf(&t->ec, &dfx_empty_rules_module, &t->er);
    set_mconf(&t->ec, &dfx_enum_translate_module, &t->et);
    set_mconf(&t->ec, &dfx_universal_tag_module, &t->ut);

    t->chain = dfx_chain_create(&t->ec,
                                dfx_schema_find(tc->ds, strlen(tc->ds)),
                                enums);
    assert_non_null(t->chain);
    return t;
}

static void
chain_free(tchain_t *t)
{
    dfx_chain_destroy(t->chain);
    free(t);
}

typedef struct trec_s {
    dfx_pool_t    *pool;
    json_object   *root;
    dfx_record_t   rec;
} trec_t;

static uint32_t
parse_ip4(const char *s)
{
    struct in_addr  a;

    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return ntohl(a.s_addr);
}

static uint64_t
parse_mac(const char *s)
{
    unsigned  b[6];
    uint64_t  m = 0;
    int       i;

    assert_int_equal(sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2],
                            &b[3], &b[4], &b[5]), 6);
    for (i = 0; i < 6; i++) {
        m = m << 8 | b[i];
    }
    return m;
}

/* Sets the slots named by a flat JSON object of raw values. */
static void
rec_build(trec_t *t, const dfx_schema_t *s, const char *json)
{
    const dfx_field_t  *f;
    dfx_value_t        *v;
    json_object        *el;
    size_t              i, n;
    int                 idx;

    memset(t, 0, sizeof(*t));
    t->pool = dfx_pool_create(4096);
    assert_non_null(t->pool);
    t->root = json_tokener_parse(json);
    if (t->root == NULL) {
        fail_msg("test input is not JSON: %s", json);
    }
    t->rec.schema = s;
    t->rec.v = dfx_pool_calloc(t->pool, s->nfields * sizeof(dfx_value_t));
    t->rec.state = dfx_pool_calloc(t->pool, s->nfields);
    assert_non_null(t->rec.v);
    assert_non_null(t->rec.state);

    json_object_object_foreach(t->root, name, val) {
        idx = dfx_schema_field(s, name, strlen(name));
        if (idx < 0) {
            fail_msg("%s has no field \"%s\"", s->name, name);
        }
        f = &s->fields[idx];
        v = &t->rec.v[idx];
        if (json_object_is_type(val, json_type_null)) {
            t->rec.state[idx] = DFX_SLOT_NULL;
            continue;
        }
        switch (f->type) {
        case DFX_T_U8:
        case DFX_T_U16:
        case DFX_T_U32:
        case DFX_T_U64:
            v->u = json_object_get_uint64(val);
            break;
        case DFX_T_BOOL:
            v->u = json_object_is_type(val, json_type_boolean)
                   ? (uint64_t) json_object_get_boolean(val)
                   : (uint64_t) (json_object_get_int64(val) != 0);
            break;
        case DFX_T_I32:
        case DFX_T_I64:
            v->i = json_object_get_int64(val);
            break;
        case DFX_T_STR:
            v->s = dfx_str_make(json_object_get_string(val),
                                (size_t) json_object_get_string_len(val));
            break;
        case DFX_T_IP4:
            v->u = parse_ip4(json_object_get_string(val));
            break;
        case DFX_T_IP6:
            assert_int_equal(inet_pton(AF_INET6, json_object_get_string(val),
                                       v->ip6), 1);
            break;
        case DFX_T_MAC:
            v->u = parse_mac(json_object_get_string(val));
            break;
        case DFX_T_STRS:
            n = json_object_array_length(val);
            v->strs.n = n;
            v->strs.v = dfx_pool_alloc(t->pool, (n ? n : 1)
                                                * sizeof(dfx_str_t));
            for (i = 0; i < n; i++) {
                el = json_object_array_get_idx(val, i);
                v->strs.v[i] = dfx_str_make(json_object_get_string(el),
                                   (size_t) json_object_get_string_len(el));
            }
            break;
        case DFX_T_F64S:
            n = json_object_array_length(val);
            v->f64s.n = n;
            v->f64s.v = dfx_pool_alloc(t->pool, (n ? n : 1) * sizeof(double));
            for (i = 0; i < n; i++) {
                el = json_object_array_get_idx(val, i);
                /* null: the parser's ClickHouse dialect keeps it a NaN */
                v->f64s.v[i] = el == NULL ? NAN : json_object_get_double(el);
            }
            break;
        default:
            fail_msg("type %u", f->type);
        }
        t->rec.state[idx] = DFX_SLOT_SET;
    }

    if (t->rec.state[s->ts_field] == DFX_SLOT_SET) {
        f = &s->fields[s->ts_field];
        v = &t->rec.v[s->ts_field];
        if (s->ts_unit == DFX_TS_SECONDS) {
            t->rec.ts_us = (int64_t) v->u * 1000000;
        } else {
            t->rec.ts_us = f->type == DFX_T_I64 ? v->i : (int64_t) v->u;
        }
    }
}

static void
rec_free(trec_t *t)
{
    json_object_put(t->root);
    dfx_pool_destroy(t->pool);
}

/* Encodes one record; returns the value (NUL-terminated, to be freed)
 * and leaves the record context in *rc. */
static char *
encode_rc(const tchain_t *t, const char *json, const dfx_dict_t *d,
          dfx_rec_ctx_t *rc)
{
    dfx_buf_t   out = DFX_BUF_INIT;
    trec_t      r;
    char       *s;

    rec_build(&r, t->chain->schema, json);
    memset(rc, 0, sizeof(*rc));
    rc->rec = &r.rec;
    rc->chain = t->chain;
    rc->dict = d;
    rc->out = &out;
    rc->drop_group = -1;
    assert_int_equal(dfx_chain_run(t->chain, rc), DFX_OK);
    s = strndup(out.data, out.len);
    assert_non_null(s);
    /* a string key points into the record: copy it before freeing */
    if (!rc->key_null && rc->key.len != 0 && rc->key.data != rc->key_buf) {
        assert_true(rc->key.len < sizeof(rc->key_buf));
        memcpy(rc->key_buf, rc->key.data, rc->key.len);
        rc->key.data = rc->key_buf;
    }
    dfx_buf_free(&out);
    rec_free(&r);
    return s;
}

static void
expect_rc(const tconf_t *tc, const char *json, const dfx_dict_t *d,
          const char *want, dfx_rec_ctx_t *rc)
{
    tchain_t  *t = chain_new(tc);
    char      *got = encode_rc(t, json, d, rc);

    if (strcmp(got, want) != 0) {
        print_error("input: %s\n got: %s\nwant: %s\n", json, got, want);
        fail();
    }
    free(got);
    chain_free(t);
}

static void
expect(const tconf_t *tc, const char *json, const dfx_dict_t *d,
       const char *want)
{
    dfx_rec_ctx_t  rc;

    expect_rc(tc, json, d, want, &rc);
}

#define L7      "{\"datasource\":\"flow_log.l7_flow_log\""
#define L4      "{\"datasource\":\"flow_log.l4_flow_log\""
#define NMAP    "{\"datasource\":\"flow_metrics.network_map.1m\""
#define TS0     ",\"time_str\":\"1970-01-01 00:00:00 +0000 UTC\"}"

static int
group_setup(void **state)
{
    dfx_dict_t  *d;
    char         err[256];

    (void) state;
    assert_int_equal(setenv("TZ", "UTC", 1), 0);
    dfx_time_zone_reset();
    assert_int_equal(dfx_schema_init(), 0);
    enums = dfx_enums_load(DFX_TEST_ENUM_DIR, err, sizeof(err));
    if (enums == NULL) {
        fail_msg("%s", err);
    }
    d = dfx_dict_parse(dictionary_json, sizeof(dictionary_json) - 1, err,
                       sizeof(err));
    if (d == NULL) {
        fail_msg("%s", err);
    }
    dfx_dict_publish(d);
    spec_dict = dfx_dict_acquire();
    assert_ptr_equal(spec_dict, d);
    return 0;
}

static int
group_teardown(void **state)
{
    (void) state;
    dfx_dict_release(spec_dict);
    dfx_dict_publish(NULL);
    dfx_enums_free(enums);
    dfx_schema_cleanup();
    return 0;
}

/* ---- typing, one field at a time ------------------------------------ */

typedef struct vcase_s {
    const char  *ds;
    const char  *field;         /* export-fields: [field] */
    const char  *in;
    const char  *want;          /* the members between datasource and
                                 * time_str */
} vcase_t;

static const vcase_t  value_cases[] = {
    /* integers: exact, both ends */
    { "flow_log.l7_flow_log", "_id", "{\"_id\":18446744073709551615}",
      ",\"_id\":18446744073709551615" },
    { "flow_log.l7_flow_log", "_id", "{\"_id\":9007199254740993}",
      ",\"_id\":9007199254740993" },
    { "flow_log.l7_flow_log", "_id", "{}", ",\"_id\":0" },
    { "flow_log.l7_flow_log", "response_code",
      "{\"response_code\":-2147483648}", ",\"response_code\":-2147483648" },
    { "flow_log.l7_flow_log", "response_code",
      "{\"response_code\":2147483647}", ",\"response_code\":2147483647" },
    { "flow_log.l7_flow_log", "response_code", "{\"response_code\":-1}",
      ",\"response_code\":-1" },
    { "flow_log.l7_flow_log", "response_code", "{\"response_code\":0}",
      ",\"response_code\":0" },
    { "flow_log.l7_flow_log", "request_length",
      "{\"request_length\":-9223372036854775808}",
      ",\"request_length\":-9223372036854775808" },
    { "flow_log.l7_flow_log", "request_length",
      "{\"request_length\":9223372036854775807}",
      ",\"request_length\":9223372036854775807" },
    { "flow_log.l7_flow_log", "l3_epc_id_1", "{\"l3_epc_id_1\":-2}",
      ",\"l3_epc_id_1\":-2" },
    { "flow_log.l7_flow_log", "server_port", "{\"server_port\":65535}",
      ",\"server_port\":65535" },
    { "flow_log.l7_flow_log", "direction_score", "{\"direction_score\":255}",
      ",\"direction_score\":255" },
    /* nullable: null and absent are left out, 0 is not */
    { "flow_log.l7_flow_log", "response_code", "{\"response_code\":null}",
      "" },
    { "flow_log.l7_flow_log", "response_code", "{}", "" },
    { "flow_log.l7_flow_log", "request_id", "{}", "" },
    { "flow_log.l7_flow_log", "sql_affected_rows",
      "{\"sql_affected_rows\":0}", ",\"sql_affected_rows\":0" },
    /* bool as 1/0 */
    { "flow_log.l7_flow_log", "is_ipv4", "{\"is_ipv4\":true}",
      ",\"is_ipv4\":1" },
    { "flow_log.l7_flow_log", "is_ipv4", "{\"is_ipv4\":false}",
      ",\"is_ipv4\":0" },
    { "flow_log.l7_flow_log", "is_ipv4", "{}", ",\"is_ipv4\":0" },
    /* IPv4 */
    { "flow_log.l7_flow_log", "ip4_0", "{\"ip4_0\":\"10.244.1.23\"}",
      ",\"ip4_0\":\"10.244.1.23\"" },
    { "flow_log.l7_flow_log", "ip4_0", "{\"ip4_0\":\"255.255.255.255\"}",
      ",\"ip4_0\":\"255.255.255.255\"" },
    { "flow_log.l7_flow_log", "ip4_0", "{\"ip4_0\":\"1.0.20.100\"}",
      ",\"ip4_0\":\"1.0.20.100\"" },
    { "flow_log.l7_flow_log", "ip4_0", "{}", ",\"ip4_0\":\"0.0.0.0\"" },
    /* IPv6: RFC 5952 whatever the input spelling; absent: left out */
    { "flow_log.l7_flow_log", "ip6_0", "{}", "" },
    { "flow_log.l7_flow_log", "ip6_0",
      "{\"ip6_0\":\"2001:0DB8:0000:0000:0000:0000:0000:0001\"}",
      ",\"ip6_0\":\"2001:db8::1\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"::\"}",
      ",\"ip6_0\":\"::\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"::1\"}",
      ",\"ip6_0\":\"::1\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"1::\"}",
      ",\"ip6_0\":\"1::\"" },
    { "flow_log.l7_flow_log", "ip6_0",
      "{\"ip6_0\":\"2001:db8:0:0:1:0:0:1\"}",
      ",\"ip6_0\":\"2001:db8::1:0:0:1\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"0:0:1:0:0:0:1:0\"}",
      ",\"ip6_0\":\"0:0:1::1:0\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"1:0:0:2:0:0:0:3\"}",
      ",\"ip6_0\":\"1:0:0:2::3\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"2001:db8:0:1:1:1:1:1\"}",
      ",\"ip6_0\":\"2001:db8:0:1:1:1:1:1\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"FE80::0A:00B0:0C00\"}",
      ",\"ip6_0\":\"fe80::a:b0:c00\"" },
    { "flow_log.l7_flow_log", "ip6_0",
      "{\"ip6_0\":\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\"}",
      ",\"ip6_0\":\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"::ffff:1.2.3.4\"}",
      ",\"ip6_0\":\"::ffff:1.2.3.4\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"::ffff:0102:0304\"}",
      ",\"ip6_0\":\"::ffff:1.2.3.4\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"::ffff:0.0.0.0\"}",
      ",\"ip6_0\":\"::ffff:0.0.0.0\"" },
    /* other IPv4-embedding forms are written in hex */
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"::1.2.3.4\"}",
      ",\"ip6_0\":\"::102:304\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"::ffff:0:1.2.3.4\"}",
      ",\"ip6_0\":\"::ffff:0:102:304\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"64:ff9b::1.2.3.4\"}",
      ",\"ip6_0\":\"64:ff9b::102:304\"" },
    { "flow_log.l7_flow_log", "ip6_0", "{\"ip6_0\":\"1:ffff::\"}",
      ",\"ip6_0\":\"1:ffff::\"" },
    /* MAC */
    { "flow_log.l4_flow_log", "mac_0", "{\"mac_0\":\"52:54:00:AB:CD:EF\"}",
      ",\"mac_0\":\"52:54:00:ab:cd:ef\"" },
    { "flow_log.l4_flow_log", "mac_0", "{\"mac_0\":\"ff:ff:ff:ff:ff:ff\"}",
      ",\"mac_0\":\"ff:ff:ff:ff:ff:ff\"" },
    { "flow_log.l4_flow_log", "mac_0", "{}",
      ",\"mac_0\":\"00:00:00:00:00:00\"" },
    /* strings: DeepFlow's escaping; DEL, '/' and UTF-8 copied */
    { "flow_log.l7_flow_log", "request_resource",
      "{\"request_resource\":\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f"
      "\\u007f/\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80 \"}",
      ",\"request_resource\":\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f"
      "\x7f/\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80 \"" },
    { "flow_log.l7_flow_log", "request_resource",
      "{\"request_resource\":\"\\u0000x\\u000b\"}",
      ",\"request_resource\":\"\\u0000x\\u000b\"" },
    { "flow_log.l7_flow_log", "version", "{\"version\":\"1.1\"}",
      ",\"version\":\"1.1\"" },
    /* string arrays: every element escaped */
    { "flow_log.l7_flow_log", "attribute_names",
      "{\"attribute_names\":[\"a\\\"b\",\"c\\\\d\",\"\\n\\u0002\","
      "\"\xc3\xa9\",\"\"]}",
      ",\"attribute_names\":[\"a\\\"b\",\"c\\\\d\",\"\\n\\u0002\","
      "\"\xc3\xa9\",\"\"]" },
    { "flow_log.l7_flow_log", "attribute_values",
      "{\"attribute_values\":[\"x\"]}", ",\"attribute_values\":[\"x\"]" },
    /* float arrays: Go's shortest 'f' form */
    { "flow_log.l7_flow_log", "metrics_values",
      "{\"metrics_values\":[0,1.5,100,1e21,1e-7,0.30000000000000004,"
      "-2.5,123456789.123,1e23,0.1,2.5e-5,9007199254740993]}",
      ",\"metrics_values\":[0,1.5,100,1000000000000000000000,0.0000001,"
      "0.30000000000000004,-2.5,123456789.123,"
      "100000000000000000000000,0.1,0.000025,9007199254740992]" },
    { "flow_log.l7_flow_log", "metrics_values", "{\"metrics_values\":[]}",
      ",\"metrics_values\":[]" },
    /* a NaN (ClickHouse's null) is written null again */
    { "flow_log.l7_flow_log", "metrics_values",
      "{\"metrics_values\":[1,null,2.5]}", ",\"metrics_values\":[1,null,2.5]" },
    { "flow_log.l7_flow_log", "metrics_names",
      "{\"metrics_names\":[\"m\"]}", ",\"metrics_names\":[\"m\"]" },
    /* enums by name; string codes through the string map */
    { "flow_log.l7_flow_log", "protocol", "{\"protocol\":6}",
      ",\"protocol\":\"TCP\"" },
    { "flow_log.l7_flow_log", "protocol", "{\"protocol\":17}",
      ",\"protocol\":\"UDP\"" },
    { "flow_log.l7_flow_log", "type", "{}", ",\"type\":\"Request\"" },
    { "flow_log.l7_flow_log", "observation_point",
      "{\"observation_point\":\"c-p\"}",
      ",\"observation_point\":\"Client Process\"" },
    { "flow_log.l7_flow_log", "span_kind", "{\"span_kind\":3}",
      ",\"span_kind\":\"SPAN_KIND_CLIENT\"" },
    { "flow_log.l7_flow_log", "span_kind", "{\"span_kind\":null}", "" },
    { "flow_log.l7_flow_log", "pod_group_type_1",
      "{\"pod_group_type_1\":0}", ",\"pod_group_type_1\":\"--\"" },
    { "flow_log.l4_flow_log", "close_type", "{\"close_type\":2}",
      ",\"close_type\":\"Transfer - Server RST\"" },
    { "flow_metrics.network.1m", "signal_source", "{\"signal_source\":1}",
      ",\"signal_source\":\"xFlow\"" },
    /* unknown codes become "", which the empty-tag rule drops */
    { "flow_log.l7_flow_log", "l7_protocol", "{\"l7_protocol\":1}", "" },
    { "flow_log.l7_flow_log", "protocol", "{\"protocol\":1}", "" },
    { "flow_log.l7_flow_log", "observation_point",
      "{\"observation_point\":\"zz\"}", "" },
    { "flow_log.l7_flow_log", "observation_point", "{}", "" },
    /* universal-tag fields with translation off (raw), with an enum */
    { "flow_log.l7_flow_log", "auto_instance_type_0",
      "{\"auto_instance_type_0\":10}",
      ",\"auto_instance_type_0\":\"K8s POD\"" },
    { "flow_log.l7_flow_log", "region_id_0", "{\"region_id_0\":3}",
      ",\"region_id_0\":3" },
    { "flow_metrics.network_map.1m", "region_id",
      "{\"region_id\":3,\"region_id_1\":4}", ",\"region_id_0\":3" },
};

static void
test_values(void **state)
{
    const vcase_t  *c;
    tconf_t         tc;
    char            want[2048];
    size_t          i;

    (void) state;
    for (i = 0; i < dfx_nelems(value_cases); i++) {
        c = &value_cases[i];
        memset(&tc, 0, sizeof(tc));
        tc.ds = c->ds;
        tc.fields[0] = c->field;
        tc.utag_off = 1;
        snprintf(want, sizeof(want), "{\"datasource\":\"%s\"%s%s", c->ds,
                 c->want, TS0);
        expect(&tc, c->in, NULL, want);
    }
}

/* Go's FormatFloat(v, 'f', -1, 64), direct. */
static void
test_f64(void **state)
{
    static const struct { double v; const char *want; } cases[] = {
        { 0.0, "0" }, { -0.0, "-0" }, { 1.5, "1.5" }, { 100, "100" },
        { 1e21, "1000000000000000000000" }, { 1e-7, "0.0000001" },
        { 0.1 + 0.2, "0.30000000000000004" }, { 1.0 / 3,
          "0.3333333333333333" }, { 2.0 / 3, "0.6666666666666666" },
        { 123456789012345678.0,
          "123456789012345680" }, { 4.35, "4.35" },
        { 1e15, "1000000000000000" },
        { 9007199254740992.0, "9007199254740992" },
        { 18446744073709551616.0, "18446744073709552000" },
        { 5e-324, NULL }, { DBL_MAX, NULL },
        { NAN, "null" }, { INFINITY, "null" }, { -INFINITY, "null" },
    };
    char    got[DFX_F64_STR_MAX], want[DFX_F64_STR_MAX];
    size_t  i, n;

    (void) state;
    for (i = 0; i < dfx_nelems(cases); i++) {
        n = dfx_encode_f64(cases[i].v, got);
        assert_true(n < sizeof(got));
        got[n] = '\0';
        if (cases[i].want != NULL) {
            assert_string_equal(got, cases[i].want);
        }
    }

    /* the extremes, written out: 5e-324 and DBL_MAX (17 digits + 292
     * zeros) */
    n = dfx_encode_f64(5e-324, got);
    got[n] = '\0';
    memset(want, '0', sizeof(want));
    want[1] = '.';
    want[325] = '5';
    want[326] = '\0';
    assert_string_equal(got, want);

    n = dfx_encode_f64(DBL_MAX, got);
    got[n] = '\0';
    memset(want, '0', sizeof(want));
    memcpy(want, "17976931348623157", 17);
    want[309] = '\0';
    assert_string_equal(got, want);

    /* a negative subnormal */
    n = dfx_encode_f64(-1e-310, got);
    got[n] = '\0';
    memset(want, '0', sizeof(want));
    memcpy(want, "-0.", 3);
    want[3 + 309] = '1';
    want[3 + 310] = '\0';
    assert_string_equal(got, want);
}

/* Every output reads back as v, has no exponent, and one digit fewer
 * would not read back (shortest). */
static void
test_f64_sweep(void **state)
{
    char      got[DFX_F64_STR_MAX + 1], e[40];
    uint64_t  x = 0x2545f4914f6cdd1dULL, bits;
    double    v;
    size_t    i, n, digits, k;
    int       lead;

    (void) state;
    for (i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (i % 3 == 0) {
            bits = x;
            memcpy(&v, &bits, sizeof(v));
            if (!isfinite(v)) {
                continue;
            }
        } else if (i % 3 == 1) {
            v = (double) (x % 100000000) / 1000.0;
        } else {
            v = (double) (int64_t) x / 7.0;
        }
        n = dfx_encode_f64(v, got);
        got[n] = '\0';
        assert_null(strpbrk(got, "eEnN"));
        if (strtod(got, NULL) != v) {
            fail_msg("%.17g printed as %s", v, got);
        }
        /* significant digits */
        digits = 0;
        lead = 1;
        for (k = 0; k < n; k++) {
            if (got[k] >= '1' && got[k] <= '9') {
                lead = 0;
            }
            if (!lead && got[k] >= '0' && got[k] <= '9') {
                digits++;
            }
        }
        while (n > 0 && strchr(got, '.') == NULL && got[n - 1] == '0'
               && digits > 1)
        {
            /* trailing zeros of an integer are not significant */
            n--;
            digits--;
        }
        if (v != 0 && digits > 1) {
            snprintf(e, sizeof(e), "%.*e", (int) digits - 2, v);
            if (strtod(e, NULL) == v) {
                fail_msg("%.17g printed as %s: %s is shorter", v, got, e);
            }
        }
    }
}

static void
test_text_forms(void **state)
{
    uint8_t  ip6[16];
    char     b[64];
    size_t   n;

    (void) state;
    n = dfx_encode_ip4(0x0a000001, b);
    assert_int_equal(n, 8);
    assert_memory_equal(b, "10.0.0.1", n);
    n = dfx_encode_mac(0xffff0123456789abULL, b);
    assert_int_equal(n, 17);
    assert_memory_equal(b, "01:23:45:67:89:ab", n);
    assert_int_equal(inet_pton(AF_INET6, "2001:db8::ff00:42:8329", ip6), 1);
    n = dfx_encode_ip6(ip6, b);
    assert_int_equal(n, strlen("2001:db8::ff00:42:8329"));
    assert_memory_equal(b, "2001:db8::ff00:42:8329", n);
}

/* ---- empty rules ----------------------------------------------------- */

typedef struct ecase_s {
    const char  *field;
    const char  *in;
    int          empty_tag, zero_metrics;
    const char  *want;
    unsigned     dropped;
} ecase_t;

static const ecase_t  empty_cases[] = {
    /* tags: "" and [] dropped by default, kept with export-empty-tag */
    { "version", "{\"version\":\"\"}", 0, 0, "", 1 },
    { "version", "{}", 0, 0, "", 1 },
    { "version", "{\"version\":\"\"}", 1, 0, ",\"version\":\"\"", 0 },
    { "attribute_names", "{\"attribute_names\":[]}", 0, 0, "", 1 },
    { "attribute_names", "{}", 0, 0, "", 1 },
    { "attribute_names", "{\"attribute_names\":[]}", 1, 0,
      ",\"attribute_names\":[]", 0 },
    { "attribute_names", "{\"attribute_names\":[\"\"]}", 0, 0,
      ",\"attribute_names\":[\"\"]", 0 },
    /* numeric tags are never empty, nor is 0.0.0.0 */
    { "server_port", "{\"server_port\":0}", 0, 1, ",\"server_port\":0", 0 },
    { "is_tls", "{}", 0, 1, ",\"is_tls\":0", 0 },
    { "ip4_1", "{}", 0, 1, ",\"ip4_1\":\"0.0.0.0\"", 0 },
    /* an enum code with no name is "" too */
    { "l7_protocol", "{\"l7_protocol\":1}", 0, 0, "", 1 },
    { "l7_protocol", "{\"l7_protocol\":1}", 1, 0, ",\"l7_protocol\":\"\"",
      0 },
    /* metrics: zeros kept by default, dropped with
     * export-empty-metrics-disabled */
    { "response_duration", "{}", 0, 0, ",\"response_duration\":0", 0 },
    { "response_duration", "{\"response_duration\":0}", 1, 1, "", 1 },
    { "response_duration", "{\"response_duration\":7}", 0, 1,
      ",\"response_duration\":7", 0 },
    { "request_length", "{\"request_length\":0}", 0, 1, "", 1 },
    { "request_length", "{\"request_length\":-1}", 0, 1,
      ",\"request_length\":-1", 0 },
    { "metrics_values", "{\"metrics_values\":[]}", 0, 1, "", 1 },
    { "metrics_values", "{\"metrics_values\":[0]}", 0, 1,
      ",\"metrics_values\":[0]", 0 },
    { "metrics_values", "{\"metrics_values\":[]}", 1, 0,
      ",\"metrics_values\":[]", 0 },
    /* string arrays are never dropped by the metric rule */
    { "metrics_names", "{\"metrics_names\":[]}", 0, 1,
      ",\"metrics_names\":[]", 0 },
    /* no category: neither rule (l7 capture_nic_type, named) */
    { "capture_nic_type", "{}", 0, 1, ",\"capture_nic_type\":0", 0 },
};

static void
test_empty_rules(void **state)
{
    const ecase_t  *c;
    dfx_rec_ctx_t   rc;
    tconf_t         tc;
    char            want[512];
    size_t          i;

    (void) state;
    for (i = 0; i < dfx_nelems(empty_cases); i++) {
        c = &empty_cases[i];
        memset(&tc, 0, sizeof(tc));
        tc.ds = "flow_log.l7_flow_log";
        tc.fields[0] = c->field;
        tc.empty_tag = c->empty_tag;
        tc.zero_metrics = c->zero_metrics;
        tc.utag_off = 1;
        snprintf(want, sizeof(want), L7 "%s" TS0, c->want);
        expect_rc(&tc, c->in, NULL, want, &rc);
        if (rc.empty_dropped != c->dropped) {
            fail_msg("case %zu (%s): %u dropped, want %u", i, c->field,
                     rc.empty_dropped, c->dropped);
        }
    }
}

/* ---- translations ---------------------------------------------------- */

static void
test_enum_off(void **state)
{
    tconf_t  tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "protocol", "observation_point", "span_kind",
                    "auto_instance_type_0", "l7_protocol" },
        .enum_off = 1, .utag_off = 1,
    };

    (void) state;
    expect(&tc, "{\"protocol\":6,\"observation_point\":\"c-p\","
           "\"span_kind\":3,\"auto_instance_type_0\":10,\"l7_protocol\":1}",
           NULL, L7 ",\"l7_protocol\":1,\"span_kind\":3,\"protocol\":6,"
           "\"observation_point\":\"c-p\",\"auto_instance_type_0\":10" TS0);
    /* a raw string code is a string: "" is dropped as an empty tag */
    expect(&tc, "{}", NULL, L7 ",\"l7_protocol\":0,\"protocol\":0,"
           "\"auto_instance_type_0\":0" TS0);
}

static void
test_enum_unknown_counted(void **state)
{
    tconf_t        tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "protocol", "observation_point", "l7_protocol", "type",
                    "auto_service_type_1" },
        .utag_off = 1,
    };
    dfx_rec_ctx_t  rc;

    (void) state;
    expect_rc(&tc, "{\"protocol\":99,\"observation_point\":\"nope\","
              "\"l7_protocol\":1,\"type\":2,\"auto_service_type_1\":250}",
              NULL, L7 ",\"type\":\"Session\"" TS0, &rc);
    assert_int_equal(rc.enum_unknown, 4);
    assert_int_equal(rc.empty_dropped, 4);
}

static void
test_utag(void **state)
{
    tconf_t        tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "region_id_0", "region_id_1", "auto_instance_type_0",
                    "l3_epc_id_1", "pod_group_type_0", "epc_id_0" },
    };
    dfx_rec_ctx_t  rc;
    static const char  in[] =
        "{\"region_id_0\":1,\"auto_instance_type_0\":10,\"l3_epc_id_1\":-2,"
        "\"pod_group_type_0\":130,\"epc_id_0\":2}";

    (void) state;

    /* translated: the universal tag's key and name */
    expect_rc(&tc, in, spec_dict,
              L7 ",\"region_0\":\"cn-beijing\",\"pod_group_type_0\":"
              "\"Deployment\",\"epc_id_0\":2,\"auto_instance_type_0\":\"pod\""
              TS0, &rc);
    /* region_id_1 is 0 and l3_epc_id_1 negative: no name, empty tags,
     * not unknown ids */
    assert_int_equal(rc.empty_dropped, 2);
    assert_int_equal(rc.utag_unknown, 0);

    /* no dictionary: exactly as with translation off */
    expect(&tc, in, NULL,
           L7 ",\"region_id_0\":1,\"region_id_1\":0,\"pod_group_type_0\":"
           "\"Deployment\",\"l3_epc_id_1\":-2,\"epc_id_0\":2,"
           "\"auto_instance_type_0\":\"K8s POD\"" TS0);
    tc.utag_off = 1;
    expect(&tc, in, spec_dict,
           L7 ",\"region_id_0\":1,\"region_id_1\":0,\"pod_group_type_0\":"
           "\"Deployment\",\"l3_epc_id_1\":-2,\"epc_id_0\":2,"
           "\"auto_instance_type_0\":\"K8s POD\"" TS0);

    /* both off */
    tc.enum_off = 1;
    expect(&tc, in, spec_dict,
           L7 ",\"region_id_0\":1,\"region_id_1\":0,\"pod_group_type_0\":130,"
           "\"l3_epc_id_1\":-2,\"epc_id_0\":2,\"auto_instance_type_0\":10"
           TS0);
    tc.utag_off = 0;
    expect(&tc, in, NULL,
           L7 ",\"region_id_0\":1,\"region_id_1\":0,\"pod_group_type_0\":130,"
           "\"l3_epc_id_1\":-2,\"epc_id_0\":2,\"auto_instance_type_0\":10"
           TS0);

    /* export-empty-tag keeps an id with no name as "" */
    memset(&tc, 0, sizeof(tc));
    tc.ds = "flow_log.l7_flow_log";
    tc.fields[0] = "region_id_1";
    tc.empty_tag = 1;
    expect(&tc, "{}", spec_dict, L7 ",\"region_1\":\"\"" TS0);
}

/* Internet peers are named by their address, written into scratch by
 * the universal_tag module: two such fields in one record. */
static void
test_utag_addresses(void **state)
{
    tconf_t  tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "auto_instance_id_1", "auto_service_id_1",
                    "auto_instance_type_1", "ip6_1" },
    };

    (void) state;
    expect(&tc, "{\"ip4_1\":\"93.184.216.34\",\"is_ipv4\":1}", spec_dict,
           L7 ",\"auto_instance_1\":\"93.184.216.34\","
           "\"auto_instance_type_1\":\"internet_ip\","
           "\"auto_service_1\":\"93.184.216.34\"" TS0);
    expect(&tc, "{\"ip6_1\":\"2001:DB8:0:0:0:0:0:1\",\"is_ipv4\":0}",
           spec_dict,
           L7 ",\"ip6_1\":\"2001:db8::1\",\"auto_instance_1\":\"2001:db8::1\","
           "\"auto_instance_type_1\":\"internet_ip\","
           "\"auto_service_1\":\"2001:db8::1\"" TS0);
}

/* An id the dictionary lacks counts as unknown; 0 and negative ids do
 * not. */
static void
test_utag_unknown_counted(void **state)
{
    tconf_t        tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "region_id_0", "region_id_1", "l3_epc_id_0" },
    };
    dfx_rec_ctx_t  rc;

    (void) state;
    expect_rc(&tc, "{\"region_id_0\":0,\"l3_epc_id_0\":-2}", spec_dict,
              L7 TS0, &rc);
    assert_int_equal(rc.utag_unknown, 0);
    assert_int_equal(rc.empty_dropped, 3);
    expect_rc(&tc, "{\"region_id_0\":999,\"region_id_1\":1,"
              "\"l3_epc_id_0\":999}", spec_dict,
              L7 ",\"region_1\":\"cn-beijing\"" TS0, &rc);
    assert_int_equal(rc.utag_unknown, 2);
    assert_int_equal(rc.empty_dropped, 2);
}

/* ---- k8s labels ------------------------------------------------------ */

static void
test_labels(void **state)
{
    tconf_t  tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "_id", "~$k8s.label.^(app|tier)$" },
        .utag_off = 1,
    };
    static const char  in[] =
        "{\"_id\":1,\"pod_id_0\":25547,\"pod_id_1\":47570}";

    (void) state;

    /* after the last field, before time_str, side by side */
    expect(&tc, in, spec_dict,
           L7 ",\"_id\":1,\"k8s_label_names_0\":[\"app\"],"
           "\"k8s_label_values_0\":[\"order-svc\"],"
           "\"k8s_label_names_1\":[\"tier\"],"
           "\"k8s_label_values_1\":[\"db\"]" TS0);

    /* a pod with no selected label adds nothing */
    expect(&tc, "{\"_id\":1,\"pod_id_0\":30001}", spec_dict,
           L7 ",\"_id\":1" TS0);

    /* no dictionary: no labels */
    expect(&tc, in, NULL, L7 ",\"_id\":1" TS0);

    /* no label selection: none */
    tc.fields[1] = NULL;
    expect(&tc, in, spec_dict, L7 ",\"_id\":1" TS0);

    /* names and values are escaped */
    tc.fields[1] = "$k8s.label.q\"t";
    expect(&tc, in, spec_dict,
           L7 ",\"_id\":1,\"k8s_label_names_0\":[\"q\\\"t\"],"
           "\"k8s_label_values_0\":[\"x\\\\y\"]" TS0);

    /* single-sided data source */
    memset(&tc, 0, sizeof(tc));
    tc.ds = "flow_metrics.network.1m";
    tc.fields[0] = "$k8s.label.app";
    tc.fields[1] = "pod_id";
    tc.utag_off = 1;
    expect(&tc, "{\"pod_id\":25547,\"time\":60}", spec_dict,
           "{\"datasource\":\"flow_metrics.network.1m\",\"pod_id\":25547,"
           "\"k8s_label_names\":[\"app\"],"
           "\"k8s_label_values\":[\"order-svc\"],"
           "\"time_str\":\"1970-01-01 00:01:00 +0000 UTC\"}");
}

/* ---- the message key ------------------------------------------------- */

typedef struct kcase_s {
    const char  *ds;
    const char  *key;
    const char  *in;
    const char  *want;          /* NULL: null key */
} kcase_t;

static const kcase_t  key_cases[] = {
    { "flow_log.l7_flow_log", "trace_id", "{\"trace_id\":\"4bf9\"}",
      "4bf9" },
    { "flow_log.l7_flow_log", "trace_id", "{}", "" },
    { "flow_log.l7_flow_log", "_id", "{\"_id\":18446744073709551615}",
      "18446744073709551615" },
    { "flow_log.l7_flow_log", "flow_id", "{}", "0" },
    { "flow_log.l7_flow_log", "response_code", "{\"response_code\":-5}",
      "-5" },
    { "flow_log.l7_flow_log", "response_code", "{\"response_code\":null}",
      NULL },
    { "flow_log.l7_flow_log", "is_ipv4", "{\"is_ipv4\":true}", "1" },
    { "flow_log.l7_flow_log", "ip4_1", "{\"ip4_1\":\"93.184.216.34\"}",
      "93.184.216.34" },
    { "flow_log.l7_flow_log", "ip6_1", "{\"ip6_1\":\"2001:db8::0:1\"}",
      "2001:db8::1" },
    { "flow_log.l7_flow_log", "ip6_1",
      "{\"ip6_1\":\"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255\"}",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
    { "flow_log.l7_flow_log", "ip6_1", "{\"ip6_1\":\"::ffff:1.2.3.4\"}",
      "::ffff:1.2.3.4" },
    { "flow_log.l7_flow_log", "ip6_1", "{}", NULL },
    { "flow_log.l4_flow_log", "mac_1", "{\"mac_1\":\"52:54:00:AB:CD:EF\"}",
      "52:54:00:ab:cd:ef" },
    /* the raw code, not the enum name */
    { "flow_log.l7_flow_log", "protocol", "{\"protocol\":6}", "6" },
    /* an alias names the field */
    { "flow_log.l7_flow_log", "endpoint", "{\"end_point\":\"/x\"}", "/x" },
    /* arrays have no key form */
    { "flow_log.l7_flow_log", "attribute_names",
      "{\"attribute_names\":[\"a\"]}", NULL },
    /* a field this data source lacks */
    { "flow_log.l4_flow_log", "trace_id", "{}", NULL },
};

static void
test_key(void **state)
{
    const kcase_t  *c;
    dfx_rec_ctx_t   rc;
    tchain_t       *t;
    tconf_t         tc;
    char           *got;
    size_t          i;

    (void) state;
    for (i = 0; i < dfx_nelems(key_cases); i++) {
        c = &key_cases[i];
        memset(&tc, 0, sizeof(tc));
        tc.ds = c->ds;
        tc.fields[0] = "$metrics";
        tc.key = c->key;
        t = chain_new(&tc);
        got = encode_rc(t, c->in, NULL, &rc);
        if (c->want == NULL) {
            if (!rc.key_null) {
                fail_msg("case %zu: key \"%.*s\", want none", i,
                         (int) rc.key.len, rc.key.data);
            }
        } else {
            if (rc.key_null || rc.key.len != strlen(c->want)
                || memcmp(rc.key.data, c->want, rc.key.len) != 0)
            {
                fail_msg("case %zu: key %s\"%.*s\", want \"%s\"", i,
                         rc.key_null ? "(null) " : "", (int) rc.key.len,
                         rc.key.data ? rc.key.data : "", c->want);
            }
        }
        free(got);
        chain_free(t);
    }

    /* no key configured: null */
    memset(&tc, 0, sizeof(tc));
    tc.ds = "flow_log.l7_flow_log";
    tc.fields[0] = "_id";
    t = chain_new(&tc);
    got = encode_rc(t, "{\"_id\":5}", NULL, &rc);
    assert_true(rc.key_null);
    free(got);
    chain_free(t);
}

/* ---- buffers and counters -------------------------------------------- */

static char *
put(char *o, const char *s)
{
    size_t  n = strlen(s);

    memcpy(o, s, n);
    return o + n;
}

/* Records append to one buffer; a long string makes it grow mid-record;
 * the counters reach the stats once per flush. */
static void
test_append_and_flush(void **state)
{
    tconf_t        tc = {
        .ds = "flow_log.l7_flow_log",
        .fields = { "version", "request_resource", "response_duration" },
        .zero_metrics = 1,
        .utag_off = 1,
    };
    dfx_buf_t      out = DFX_BUF_INIT;
    dfx_rec_ctx_t  rc;
    tchain_t      *t;
    trec_t         r;
    char          *big, *in, *want;
    size_t         i, n = 100000, len;
    int64_t        before;

    (void) state;
    t = chain_new(&tc);

    big = malloc(n + 1);
    assert_non_null(big);
    for (i = 0; i < n; i++) {
        big[i] = i % 100 == 0 ? '\n' : 'x';
    }
    big[n] = '\0';
    len = n + 64;
    in = malloc(len);
    assert_non_null(in);
    /* JSON-escape the newlines for the input */
    {
        char  *o = in;

        o += snprintf(o, len, "{\"request_resource\":\"");
        in = realloc(in, 2 * n + 64);
        assert_non_null(in);
        o = in + strlen("{\"request_resource\":\"");
        for (i = 0; i < n; i++) {
            if (big[i] == '\n') {
                *o++ = '\\';
                *o++ = 'n';
            } else {
                *o++ = big[i];
            }
        }
        memcpy(o, "\"}", 3);
    }

    memset(&rc, 0, sizeof(rc));
    rc.chain = t->chain;
    rc.out = &out;
    before = dfx_stats_get(DFX_STAT_empty_fields_dropped_total,
                           TEST_EXPORTER, DFX_DS_L7_FLOW_LOG, -1);

    /* 1: small; 2: the big string; 3: small again */
    rec_build(&r, t->chain->schema, "{\"version\":\"1\"}");
    rc.rec = &r.rec;
    assert_int_equal(dfx_chain_run(t->chain, &rc), DFX_OK);
    rec_free(&r);
    rec_build(&r, t->chain->schema, in);
    rc.rec = &r.rec;
    assert_int_equal(dfx_chain_run(t->chain, &rc), DFX_OK);
    rec_free(&r);
    rec_build(&r, t->chain->schema, "{\"response_duration\":3}");
    rc.rec = &r.rec;
    assert_int_equal(dfx_chain_run(t->chain, &rc), DFX_OK);
    rec_free(&r);

    want = malloc(2 * n + 1024);
    assert_non_null(want);
    {
        char  *o = want;

        o = put(o, L7 ",\"version\":\"1\"" TS0);
        o = put(o, L7 ",\"request_resource\":\"");
        for (i = 0; i < n; i++) {
            if (big[i] == '\n') {
                *o++ = '\\';
                *o++ = 'n';
            } else {
                *o++ = big[i];
            }
        }
        o = put(o, "\"" TS0);
        o = put(o, L7 ",\"response_duration\":3" TS0);
        assert_int_equal(out.len, (size_t) (o - want));
        assert_memory_equal(out.data, want, out.len);
    }

    /* two of the three fields dropped in each record */
    assert_int_equal(rc.empty_dropped, 6);
    assert_int_equal(dfx_stats_get(DFX_STAT_empty_fields_dropped_total,
                                   TEST_EXPORTER, DFX_DS_L7_FLOW_LOG, -1),
                     before);
    dfx_chain_flush_stats(t->chain, &rc);
    assert_int_equal(rc.empty_dropped, 0);
    assert_int_equal(dfx_stats_get(DFX_STAT_empty_fields_dropped_total,
                                   TEST_EXPORTER, DFX_DS_L7_FLOW_LOG, -1),
                     before + 6);

    free(want);
    free(in);
    free(big);
    dfx_buf_free(&out);
    chain_free(t);
}

/* ---- SPEC section 9 records ------------------------------------------ */

typedef struct xcase_s {
    const char  *name;
    const char  *ds;
    const char  *fields[4];
    int          enum_off;
    const char  *in;
    const char  *want;
    int          labels;        /* a label selection: a dictionary adds
                                 * labels */
    const char  *translated;    /* with both translations, or NULL */
} xcase_t;

#define TAG_METRICS  { "$tag", "$metrics" }

static const xcase_t  spec_cases[] = {
    /* verbatim SPEC variants */
    { "network #1, both translations off", "flow_metrics.network.1m",
      TAG_METRICS, 1, in_network_1m_pod,
      spec_network_1m_pod_TRANSLATION_OFF, 0, NULL },
    { "network #1, universal tags off", "flow_metrics.network.1m",
      TAG_METRICS, 0, in_network_1m_pod,
      spec_network_1m_pod_UTAG_OFF_ENUM_ON, 0,
      spec_network_1m_pod },
    { "network #1, metrics only", "flow_metrics.network.1m",
      { "$metrics" }, 0, in_network_1m_pod,
      spec_network_1m_pod_EXPORT_FIELDS_ABSENT, 0,
      spec_network_1m_pod_EXPORT_FIELDS_ABSENT },
    /* the other records: with universal tags off, raw ids under their
     * own keys and enum names on; translated, verbatim */
    { "l7 #1", "flow_log.l7_flow_log", TAG_METRICS, 0,
      in_l7_mysql_ebpf, out_l7_mysql_ebpf, 0,
      spec_l7_mysql_ebpf },
    { "l7 #2", "flow_log.l7_flow_log", TAG_METRICS, 0,
      in_l7_http_packet_404, out_l7_http_packet_404, 0,
      spec_l7_http_packet_404 },
    { "l7 #3", "flow_log.l7_flow_log", TAG_METRICS, 0,
      in_l7_otel_span_internet, out_l7_otel_span_internet, 0,
      spec_l7_otel_span_internet },
    { "l4 #1", "flow_log.l4_flow_log", TAG_METRICS, 0,
      in_l4_tcp_mysql, out_l4_tcp_mysql, 0,
      spec_l4_tcp_mysql },
    { "l4 #2", "flow_log.l4_flow_log", TAG_METRICS, 0,
      in_l4_udp_dns_internet, out_l4_udp_dns_internet, 0,
      spec_l4_udp_dns_internet },
    /* DeepFlow loses xFlow (L7 dictionary); dfexport names it */
    { "network #2", "flow_metrics.network.1m", TAG_METRICS, 0,
      in_network_1m_podservice_xflow, out_network_1m_podservice_xflow, 0,
      spec_network_1m_podservice_xflow },
    { "application #1", "flow_metrics.application.1m", TAG_METRICS, 0,
      in_application_1m_mysql_server, out_application_1m_mysql_server, 0,
      spec_application_1m_mysql_server },
    { "application #2", "flow_metrics.application.1m", TAG_METRICS, 0,
      in_application_1m_http_otel, out_application_1m_http_otel, 0,
      spec_application_1m_http_otel },
    { "network_map", "flow_metrics.network_map.1m",
      { "$tag", "$metrics", "$k8s.label.app" }, 0,
      in_network_map_1m_pod_to_pod, out_network_map_1m_pod_to_pod, 1,
      spec_network_map_1m_pod_to_pod },
    { "file_event", "event.file_event", TAG_METRICS, 0,
      in_file_event_default_fields, out_file_event_default_fields, 0,
      spec_file_event_default_fields },
    { "file_event with event_info", "event.file_event",
      { "$tag", "$tag.event_info", "$metrics" }, 0,
      in_file_event_with_event_info, out_file_event_with_event_info, 0,
      spec_file_event_with_event_info },
};

static void
test_spec_examples(void **state)
{
    const xcase_t  *c;
    tconf_t         tc;
    size_t          i, k;

    (void) state;
    for (i = 0; i < dfx_nelems(spec_cases); i++) {
        c = &spec_cases[i];
        print_message("%s\n", c->name);
        memset(&tc, 0, sizeof(tc));
        tc.ds = c->ds;
        for (k = 0; k < 4 && c->fields[k] != NULL; k++) {
            tc.fields[k] = c->fields[k];
        }
        tc.enum_off = c->enum_off;
        tc.utag_off = 1;
        expect(&tc, c->in, NULL, c->want);
        if (!c->labels) {
            /* translation off: a dictionary changes nothing */
            expect(&tc, c->in, spec_dict, c->want);
        }
        /* translation on but no dictionary loaded: the same message */
        tc.utag_off = 0;
        expect(&tc, c->in, NULL, c->want);
        /* and with the dictionary, DeepFlow's message */
        if (c->translated != NULL) {
            expect(&tc, c->in, spec_dict, c->translated);
        }
    }
}

/* The same record in the 1s twin has its own datasource and topic. */
static void
test_datasource_variants(void **state)
{
    tconf_t    tc = { .ds = "flow_metrics.network.1s",
                      .fields = { "$metrics" } };
    tchain_t  *t;

    (void) state;
    expect(&tc, "{\"time\":1,\"packet_tx\":2}", NULL,
           "{\"datasource\":\"flow_metrics.network.1s\",\"packet_tx\":2,"
           "\"packet_rx\":0,\"byte_tx\":0,\"byte_rx\":0,\"l3_byte_tx\":0,"
           "\"l3_byte_rx\":0,\"l4_byte_tx\":0,\"l4_byte_rx\":0,"
           "\"new_flow\":0,\"closed_flow\":0,\"l7_request\":0,"
           "\"l7_response\":0,\"syn_count\":0,\"synack_count\":0,"
           "\"direction_score\":0,\"rtt_max\":0,\"rtt_client_max\":0,"
           "\"rtt_server_max\":0,\"srt_max\":0,\"art_max\":0,\"rrt_max\":0,"
           "\"cit_max\":0,\"rtt_sum\":0,\"rtt_client_sum\":0,"
           "\"rtt_server_sum\":0,\"srt_sum\":0,\"art_sum\":0,\"rrt_sum\":0,"
           "\"cit_sum\":0,\"rtt_count\":0,\"rtt_client_count\":0,"
           "\"rtt_server_count\":0,\"srt_count\":0,\"art_count\":0,"
           "\"rrt_count\":0,\"cit_count\":0,\"retrans_tx\":0,"
           "\"retrans_rx\":0,\"zero_win_tx\":0,\"zero_win_rx\":0,"
           "\"retrans_syn\":0,\"retrans_synack\":0,\"client_rst_flow\":0,"
           "\"server_rst_flow\":0,\"server_syn_miss\":0,"
           "\"client_ack_miss\":0,\"client_half_close_flow\":0,"
           "\"server_half_close_flow\":0,\"client_source_port_reuse\":0,"
           "\"client_establish_other_rst\":0,\"server_reset\":0,"
           "\"server_queue_lack\":0,\"server_establish_other_rst\":0,"
           "\"tcp_timeout\":0,\"client_establish_fail\":0,"
           "\"server_establish_fail\":0,\"tcp_establish_fail\":0,"
           "\"tcp_transfer_fail\":0,\"tcp_rst_fail\":0,"
           "\"l7_client_error\":0,\"l7_server_error\":0,\"l7_timeout\":0,"
           "\"ooo_tx\":0,\"ooo_rx\":0,\"flow_load\":0,"
           "\"time_str\":\"1970-01-01 00:00:01 +0000 UTC\"}");
    t = chain_new(&tc);
    assert_true(dfx_str_eq_cstr(t->chain->topic,
                                "deepflow.flow_metrics.network.1s"));
    chain_free(t);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_f64),
        cmocka_unit_test(test_f64_sweep),
        cmocka_unit_test(test_text_forms),
        cmocka_unit_test(test_empty_rules),
        cmocka_unit_test(test_enum_off),
        cmocka_unit_test(test_enum_unknown_counted),
        cmocka_unit_test(test_utag),
        cmocka_unit_test(test_utag_addresses),
        cmocka_unit_test(test_utag_unknown_counted),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_append_and_flush),
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_datasource_variants),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
