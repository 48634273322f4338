#!/bin/sh
# Prints doc/metrics.md from src/core/dfx_stats.def, the one table every
# statistic is declared in.  t/05-docs.t checks that the committed file
# is what this prints.
set -eu
def=${1:-"$(dirname "$0")/../src/core/dfx_stats.def"}
cat <<'HEAD'
# Metrics

Every statistic dfexport keeps, served by the admin listener as
Prometheus text (`GET /metrics`) and as JSON (`GET /stats`). This page is
generated from `src/core/dfx_stats.def` by `contrib/gen-metrics-doc.sh`.

Labels: `exporter` is the exporter's position in `ingester.exporters[]`
(as in DeepFlow's own statistics); `data_source` is the data-source name;
`reason` says why (`too_large`, `budget`, `shutting_down` for refused
requests; `ok`/`error` for loads; `tag_filters` or `group_N` for the
tag-filter rule that dropped a record); `code` is the HTTP status.

Counters reconcile:

- per data source: `records_received_total` = `records_accepted_total` +
  `records_filtered_total` + `records_rejected_total` +
  `records_refused_total` (all reasons);
- per exporter and data source: `exporter_records_queued_total` =
  `exporter_records_delivered_total` + `exporter_records_failed_total` +
  `exporter_records_inflight`.

| name | type | labels | meaning |
|---|---|---|---|
HEAD
sed -n 's/^DFX_STAT(\([a-z0-9_]*\), *\([A-Z]*\), *\([A-Z_]*\), *"\(.*\)")$/\1|\2|\3|\4/p' "$def" |
while IFS='|' read -r name type dims help; do
    case $dims in
    NONE) labels="" ;;
    CODE) labels="code" ;;
    DS) labels="data_source" ;;
    REASON) labels="reason" ;;
    DS_REASON) labels="data_source, reason" ;;
    EXP) labels="exporter" ;;
    EXP_DS) labels="exporter, data_source" ;;
    EXP_DS_REASON) labels="exporter, data_source, reason" ;;
    *) labels="?" ;;
    esac
    type=$(echo "$type" | tr 'A-Z' 'a-z')
    help=$(printf '%s' "$help" | sed 's/\\"/"/g')
    printf '| `dfexport_%s` | %s | %s | %s |\n' "$name" "$type" "$labels" "$help"
done
