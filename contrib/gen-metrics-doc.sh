#!/bin/sh
# Prints doc/metrics.md from src/core/dfx_stats.def, the one table every
# statistic is declared in, src/core/dfx_process.def (build and process
# metrics, read when scraped) and src/kafka/dfx_kafka_brokers.def (each
# producer's brokers, from librdkafka's statistics).  t/05-docs.t checks
# that the committed file is what this prints.
set -eu
def=${1:-"$(dirname "$0")/../src/core/dfx_stats.def"}
proc=${2:-"$(dirname "$def")/dfx_process.def"}
brokers=${3:-"$(dirname "$def")/../kafka/dfx_kafka_brokers.def"}
cat <<'HEAD'
# Metrics

Every statistic dfexport keeps, served by the admin listener as
Prometheus text (`GET /metrics`) and as JSON (`GET /stats`). This page is
generated from `src/core/dfx_stats.def`, `src/core/dfx_process.def` and
`src/kafka/dfx_kafka_brokers.def` by `contrib/gen-metrics-doc.sh`.

Labels: `exporter` is the exporter's `name` (`ingester.exporters[].name`,
a dfexport extension) or, without one, its position in
`ingester.exporters[]` (as in DeepFlow's own statistics); `data_source` is the data-source name;
`reason` says why, with the values listed for each statistic (`group_N`
is `tag-filters-groups[N]`, `tag_filters` the deprecated top-level
`tag-filters`); `code` is the HTTP status (`other` for codes without a
series of their own).

Every series exists at 0 from the start, so that alert rules and `rate()`
never see "no data" (column "at 0"):

- *always*: every data source, every code, every reason listed;
- *configured*: the series of the running configuration: each enabled
  exporter, with the data sources it takes and, for tag filters, the rule
  that decides for that data source; for `clickhouse_*`, the data sources
  `dfexport.clickhouse` follows.  A reload replaces the set (a failed one
  keeps it).

Histograms are Prometheus histograms: `NAME_bucket{le="..."}`
(cumulative; bounds 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
0.25, 0.5, 1, 2.5, 5, 10, 30, 60 seconds and `+Inf`), `NAME_sum` (seconds)
and `NAME_count`.  In `/stats` a histogram series is
`{"buckets":{"0.0005":N,...,"+Inf":N},"sum":S,"count":N}`.

Any series that is not zero is rendered whatever its scope.  Counters
live as long as the process: a reload does not reset them.

Counters reconcile:

- per data source: `records_received_total` = `records_accepted_total` +
  `records_filtered_total` + `records_rejected_total` +
  `records_refused_total` (all reasons);
- per exporter and data source: `exporter_records_queued_total` =
  `exporter_records_delivered_total` + `exporter_records_failed_total` +
  `exporter_records_inflight`.

| name | type | labels | at 0 | meaning |
|---|---|---|---|---|
HEAD
sed -n 's/^DFX_STAT(\([a-z0-9_]*\), *\([A-Z]*\), *\([A-Z_]*\), *\([A-Z_]*\), *\([A-Z]*\), *"\(.*\)")$/\1|\2|\3|\4|\5|\6/p' "$def" |
while IFS='|' read -r name type dims reasons scope help; do
    case $reasons in
    NONE) values="" ;;
    REFUSED) values=" (\`too_large\`, \`budget\`, \`shutting_down\`)" ;;
    RESULT) values=" (\`ok\`, \`error\`)" ;;
    TAG_FILTER) values=" (\`tag_filters\`, \`group_N\`)" ;;
    CLICKHOUSE) values=" (\`connect\`, \`timeout\`, \`http\`, \`stream\`, \`columns\`, \`kafka\`, \`checkpoint\`)" ;;
    TIMEOUT) values=" (\`header\`, \`request\`)" ;;
    AUTH) values=" (\`no_token\`, \`bad_token\`)" ;;
    ADMIN_AUTH) values=" (\`no_token\`, \`bad_token\`, \`unprotected\`)" ;;
    MEMORY) values=" (\`body\`, \`chunk\`, \`decoded\`)" ;;
    *) values=" (?)" ;;
    esac
    case $dims in
    NONE) labels="" ;;
    CODE) labels="code" ;;
    DS) labels="data_source" ;;
    REASON) labels="reason$values" ;;
    DS_REASON) labels="data_source, reason$values" ;;
    EXP) labels="exporter" ;;
    EXP_DS) labels="exporter, data_source" ;;
    EXP_DS_REASON) labels="exporter, data_source, reason$values" ;;
    *) labels="?" ;;
    esac
    if [ "$type" = HISTOGRAM ]; then
        labels="${labels:+$labels, }le"
    fi
    case $scope in
    ALL) at0="always" ;;
    CONF) at0="configured" ;;
    *) at0="?" ;;
    esac
    type=$(echo "$type" | tr 'A-Z' 'a-z')
    help=$(printf '%s' "$help" | sed 's/\\"/"/g')
    printf '| `dfexport_%s` | %s | %s | %s | %s |\n' "$name" "$type" "$labels" "$at0" "$help"
done
sed -n 's/^DFX_PROC(\([a-z0-9_]*\), *\([A-Z]*\), *"\([^"]*\)", *"\(.*\)")$/\1|\2|\3|\4/p' "$proc" |
while IFS='|' read -r name type labels help; do
    type=$(echo "$type" | tr 'A-Z' 'a-z')
    printf '| `dfexport_%s` | %s | %s | always | %s |\n' "$name" "$type" "$labels" "$help"
done
sed -n 's/^DFX_BROKER(\([a-z0-9_]*\), *\([A-Z]*\), *"\([^"]*\)", *"\(.*\)")$/\1|\2|\3|\4/p' "$brokers" |
while IFS='|' read -r name type labels help; do
    type=$(echo "$type" | tr 'A-Z' 'a-z')
    printf '| `dfexport_%s` | %s | %s | per broker | %s |\n' "$name" "$type" "$labels" "$help"
done
cat <<'TAIL'

`dfexport_build_info` and the `dfexport_process_*` metrics are read when
scraped (the process ones from `/proc/self`, after Prometheus' own
`process_*` names; a system without `/proc` has none). `/stats` carries
them too: `"build_info":{"version":"...",...}` and one member per process
metric. `dfexport -V` prints the same versions.

The `dfexport_kafka_broker_*` metrics (at 0: *per broker*) come from
librdkafka's statistics, which dfexport has each producer emit every
5 seconds (`statistics.interval.ms`, which an exporter's `librdkafka:`
map may change; 0 turns these metrics off).  There is one series per
producer (`producer` is its number, 0 to `queue-count` - 1) and broker
(`broker` is librdkafka's name for it, `host:port/node-id`, after
`ssl://` or `sasl_ssl://` with TLS or SASL_SSL), for every
broker the cluster's metadata names; the bootstrap entries of `endpoints`
are left out.  They appear with the first statistics after start or
reload, and a reload retires them with the old producers.  librdkafka
connects to a broker only while it has something to send it: a broker in
state `INIT` (up 0) is one the producer has not needed yet, or whose
connection closed while there was nothing to send (brokers close idle
connections after their `connections.max.idle.ms`), not one that is
down; with requests waiting and no connection the state cycles through
`TRY_CONNECT`, `CONNECT` and `DOWN`.  The `DfexportKafkaBrokerDown` rule
of `contrib/prometheus` leaves `INIT` out.
`dfexport_kafka_broker_rtt_seconds` is a gauge per quantile of the last
interval's round trips, not a Prometheus summary.  `/stats` has the same
in `"kafka_brokers"`: `{"EXPORTER":{"PRODUCER":{"BROKER":{"state":"UP",
"up":1,"nodeid":1,"rtt_avg_seconds":S,"rtt_p50_seconds":S,
"rtt_p99_seconds":S,"rtt_samples":N,"outbuf_messages":N,
"waitresp_messages":N,"age_seconds":S}}}}` (RTTs `null` when no request
was answered in the interval; `age_seconds` since those statistics).
TAIL
