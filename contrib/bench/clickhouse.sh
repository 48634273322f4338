#!/bin/sh
# contrib/bench/clickhouse.sh: a backfill from ClickHouse to Kafka, raced
# against the plain pipeline of the same rows.
#
#   sh contrib/bench/clickhouse.sh [BUILD_DIR] [ROWS]
#
# Starts Debian's clickhouse-server on free loopback ports with a data
# directory of its own, fills an l7_flow_log table with DeepFlow's column
# names (ROWS rows, default 1,000,000, spread over 1,000 seconds), starts
# the mock Kafka cluster (contrib/mockkafka), and times, in one run:
#
#   pipeline  clickhouse-client --query "SELECT <dfexport's own SELECT>
#             FORMAT JSONEachRow" | kcat -P   (no parsing, no checks, no
#             acknowledgement: what moving the bytes costs)
#   dfexport  dfexport --backfill over the same range (parse, validate,
#             chain, encode, Kafka with every message acknowledged,
#             checkpoints)
#
# and prints rows/s of each, the ratio, dfexport's CPU seconds and peak
# RSS.  Needs clickhouse-server, clickhouse-client, kcat, bc and GNU time.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
rows=${2:-1000000}
work=$(mktemp -d /tmp/dfx-chbench-XXXXXX)
ch_pid=
mock_pid=

cleanup() {
    [ -n "$ch_pid" ] && kill "$ch_pid" 2>/dev/null && wait "$ch_pid" 2>/dev/null
    [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
    perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(LocalAddr =>
        "127.0.0.1", LocalPort => 0, Listen => 1)->sockport, "\n"'
}

http=$(free_port)
tcp=$(free_port)
mkdir -p "$work/data" "$work/tmp" "$work/ck"
cat > "$work/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$work/data/</path>
  <tmp_path>$work/tmp/</tmp_path>
  <users_config>$work/users.xml</users_config>
  <mark_cache_size>5368709</mark_cache_size>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
EOF
cat > "$work/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
clickhouse-server --config-file="$work/config.xml" > "$work/ch.log" 2>&1 &
ch_pid=$!
i=0
until curl -sf "http://127.0.0.1:$http/ping" > /dev/null; do
    i=$((i + 1))
    [ $i -gt 300 ] && { cat "$work/ch.log"; exit 1; }
    sleep 0.1
done

q() { curl -sf --data-binary "$1" "http://127.0.0.1:$http/"; }

t0=1700000000
q "CREATE DATABASE flow_log"
q "CREATE TABLE flow_log.l7_flow_log (
    time DateTime('Asia/Shanghai'), _id UInt64, start_time Int64,
    end_time Int64, ip4_0 UInt32, ip4_1 UInt32, is_ipv4 UInt8,
    protocol UInt8, client_port UInt16, server_port UInt16,
    l7_protocol UInt8, version String, type UInt8, request_type String,
    request_domain String, request_resource String, endpoint String,
    request_id Nullable(UInt64), response_status UInt8,
    response_code Nullable(Int32), response_duration UInt64,
    trace_id String, span_id String, app_service String,
    region_id_0 UInt16, az_id_0 UInt16, pod_ns_id_0 UInt16,
    pod_id_0 UInt32, pod_id_1 UInt32, l3_epc_id_0 Int32, agent_id UInt16,
    attribute_names Array(String), attribute_values Array(String),
    tag_source_0 UInt8, trace_id_index UInt64)
  ENGINE = MergeTree PARTITION BY toStartOfHour(time) ORDER BY time"
per=$(( (rows + 999) / 1000 ))
q "INSERT INTO flow_log.l7_flow_log SELECT
    toDateTime($t0 + intDiv(number, $per)), number + 1,
    ($t0 + intDiv(number, $per)) * 1000000 - 1500,
    ($t0 + intDiv(number, $per)) * 1000000, 184549376 + number % 65536,
    167772160 + number % 4096, 1, 6, 30000 + number % 30000, 8080, 20,
    '1.1', 2, 'GET', concat('svc-', toString(number % 113), '.shop.svc'),
    concat('/api/v1/orders/', toString(number % 10007)), '/api/v1/orders',
    if(number % 3 = 0, NULL, number), 0, 200, 1000 + number % 50000,
    lower(hex(number * 2654435761)), lower(hex(number)), 'order-svc',
    1, 3, 32, 25547 + number % 100, 47570, 2, 152,
    ['http_user_agent'], ['okhttp/4.11.0'], 1, number
  FROM system.numbers LIMIT $rows"

"$build/contrib/mockkafka/dfx-mockkafka" -f "$work/bootstrap" \
    -t raw:4 -t deepflow.flow_log.l7_flow_log:4 > /dev/null 2>&1 &
mock_pid=$!
i=0
until [ -s "$work/bootstrap" ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && exit 1
    sleep 0.1
done
bs=$(cat "$work/bootstrap")

to=$((t0 + 1000))
cat > "$work/dfexport.yaml" <<EOF
dfexport:
  listen: 127.0.0.1:0
  admin-listen: 127.0.0.1:0
  enum-dir: $top/conf/enum
  log: {level: notice}
  clickhouse:
    url: http://127.0.0.1:$http
    checkpoint-dir: $work/ck
    window: 60
    settle: 0
ingester:
  exporters:
  - protocol: kafka
    enabled: true
    endpoints: [$bs]
    data-sources: [flow_log.l7_flow_log]
    queue-count: 2
    queue-size: 8192
    export-fields: [\$tag, \$metrics]
    compression: none
    enum-translate-to-name-disabled: true
    universal-tag-translate-to-name-disabled: true
EOF

now() { date +%s.%N; }

# the pipeline reads what dfexport's SELECT reads, converted the same way
sel="SELECT toUnixTimestamp(time) AS time, _id, start_time, end_time,
  IPv4NumToString(toUInt32(ip4_0)) AS ip4_0,
  IPv4NumToString(toUInt32(ip4_1)) AS ip4_1, is_ipv4, protocol,
  client_port, server_port, l7_protocol, version, type, request_type,
  request_domain, request_resource, endpoint, request_id, response_status,
  response_code, response_duration, trace_id, span_id, app_service,
  region_id_0, az_id_0, pod_ns_id_0, pod_id_0, pod_id_1, l3_epc_id_0,
  agent_id, attribute_names, attribute_values
  FROM flow_log.l7_flow_log
  WHERE time >= toDateTime($t0) AND time < toDateTime($to)
  FORMAT JSONEachRow"

a=$(now)
clickhouse-client --port "$tcp" --output_format_json_quote_64bit_integers=0 \
    --query "$sel" | kcat -P -b "$bs" -t raw -X linger.ms=100 \
    -X batch.num.messages=10000 2> "$work/kcat.log"
b=$(now)
pipe_s=$(echo "$b - $a" | bc)

a=$(now)
/usr/bin/time -f '%e %U %S %M' -o "$work/time" \
    "$build/dfexport" -c "$work/dfexport.yaml" --backfill "$t0,$to" \
    > "$work/dfx.log" 2>&1 || { cat "$work/dfx.log"; exit 1; }
b=$(now)
dfx_s=$(echo "$b - $a" | bc)
read -r _ usr sys rss < "$work/time"
got=$(grep -o 'done: [0-9]* rows' "$work/dfx.log" | grep -o '[0-9]*')

[ "$got" = "$rows" ] || { echo "dfexport read $got rows, not $rows"; exit 1; }
printf '%-42s %10s %12s\n' "row" "seconds" "rows/s"
printf '%-42s %10.2f %12.0f\n' "clickhouse-client | kcat -P" "$pipe_s" \
    "$(echo "$rows / $pipe_s" | bc -l)"
printf '%-42s %10.2f %12.0f\n' "dfexport --backfill" "$dfx_s" \
    "$(echo "$rows / $dfx_s" | bc -l)"
printf 'dfexport / pipeline: %.2fx; dfexport CPU %.2f s (%.2f s per 100k rows), peak RSS %d MB\n' \
    "$(echo "$pipe_s / $dfx_s" | bc -l)" "$(echo "$usr + $sys" | bc)" \
    "$(echo "($usr + $sys) * 100000 / $rows" | bc -l)" $((rss / 1024))
