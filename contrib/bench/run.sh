#!/bin/bash
# run.sh: dfexport's throughput benchmark (HTTP NDJSON in, Kafka out).
#
# For each repetition and each configuration: start a fresh mock Kafka
# cluster (contrib/mockkafka/dfx-mockkafka) and dfexport on ephemeral
# loopback ports, warm up, POST bodies of K DeepFlow records with wrk
# (-t1 -c4 -d15s by default), wait until the broker's count stops moving,
# and print one JSON line (appended to --out) and one human line.
#
#   cd BUILDDIR && SRCDIR/contrib/bench/run.sh [options]
#
# Options (defaults in brackets):
#   --config C       none | default | semantics | tls; repeatable
#                    ["none default"]
#                      none:      compression: none, translations off
#                      default:   the producer's defaults (snappy,
#                                 idempotence), translations off
#                      semantics: compression: none, both translations on,
#                                 a dictionary of --pods pods, one tag-filter
#                                 group (bench-semantics.yaml.in)
#                      tls:       none, with TLS on the ingest listener
#                                 (a certificate made here, wrk over https)
#                    (mkconf writes the configuration from the templates)
#   --semantics      same as --config semantics
#   --reps N         repetitions, interleaved over the configs [1]
#   --duration S     wrk load seconds [15]     --warmup S  warm-up seconds [2]
#   --conns N        wrk connections [4]       --threads N wrk threads [1]
#   --k N            records per POST body [1000]
#   --source S       l7 | network_1m [l7]
#   --pods N         dictionary size and pod id range [10000]
#   --workers N      dfexport workers (0 = one per CPU) [0]
#   --dfexport P     the daemon [$DFEXPORT or ./dfexport]
#   --baseline P     another dfexport (an earlier build) raced in the same
#                    interleaved runs, labelled baseline-CONFIG (not tls)
#   --mockkafka P    the mock cluster [$DFX_MOCKKAFKA or
#                    ./contrib/mockkafka/dfx-mockkafka]
#   --out FILE       JSON lines are appended here [bench-results/runs.jsonl]
#   QUIET_WAIT=S     before each run, wait up to S seconds until the machine
#                    is quiet (other processes below 0.2 cores) [120]
#   --perf           also record a call-graph profile of dfexport during the
#                    load (perf record --call-graph dwarf; slows it: the
#                    profile is for where the time goes, not for figures)
#
# Per run, the folder of --out gets logs/LABEL-REP.{yaml,log,stats.json}
# (the config, the daemon's log, its /stats after the drain) and, with
# --perf, LABEL-REP.perf.data.  Everything listens on 127.0.0.1 only;
# every process started here is stopped by its pid; every wait is bounded.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

configs=() reps=1 duration=15 warmup=2 conns=4 threads=1 k=1000
source_short=l7 pods=10000 workers=0 perf=0 baseline=""
dfx=${DFEXPORT:-./dfexport}
mk=${DFX_MOCKKAFKA:-./contrib/mockkafka/dfx-mockkafka}
out=bench-results/runs.jsonl

usage() {
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
}
while [ $# -gt 0 ]; do
    case $1 in
    --config) configs+=("$2"); shift ;;
    --semantics) configs+=(semantics) ;;
    --reps) reps=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --conns) conns=$2; shift ;;
    --threads) threads=$2; shift ;;
    --k) k=$2; shift ;;
    --source) source_short=$2; shift ;;
    --pods) pods=$2; shift ;;
    --workers) workers=$2; shift ;;
    --dfexport) dfx=$2; shift ;;
    --baseline) baseline=$2; shift ;;
    --mockkafka) mk=$2; shift ;;
    --out) out=$2; shift ;;
    --perf) perf=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ ${#configs[@]} -eq 0 ] && configs=(none default)
for c in "${configs[@]}"; do
    case $c in none|default|semantics|tls) ;;
    *) echo "run.sh: unknown config \"$c\"" >&2; exit 2 ;;
    esac
done
case $source_short in
l7) source_name=flow_log.l7_flow_log ;;
network_1m) source_name=flow_metrics.network.1m ;;
*) echo "run.sh: unknown source \"$source_short\"" >&2; exit 2 ;;
esac
for n in "$reps" "$duration" "$warmup" "$conns" "$threads" "$k" "$pods" \
         "$workers"; do
    case $n in ''|*[!0-9]*) echo "run.sh: not a number: \"$n\"" >&2; exit 2 ;;
    esac
done
die() { echo "run.sh: $*" >&2; exit 2; }
[ -x "$dfx" ] || die "no daemon at $dfx (--dfexport)"
[ -z "$baseline" ] || [ -x "$baseline" ] || die "no daemon at $baseline (--baseline)"
[ -x "$mk" ] || die "no mock cluster at $mk (--mockkafka)"
for tool in wrk curl "$PY"; do
    command -v "$tool" >/dev/null || die "$tool is needed"
done
[ "$perf" = 1 ] && ! command -v perf >/dev/null && {
    echo "run.sh: --perf needs perf (Debian: linux-perf)" >&2; exit 2; }

dfx=$(cd "$(dirname "$dfx")" && pwd)/$(basename "$dfx")
[ -z "$baseline" ] ||
    baseline=$(cd "$(dirname "$baseline")" && pwd)/$(basename "$baseline")
mk=$(cd "$(dirname "$mk")" && pwd)/$(basename "$mk")
topic=deepflow.$source_name
mkdir -p "$(dirname "$out")" || exit 2
resdir=$(cd "$(dirname "$out")" && pwd)
out=$resdir/$(basename "$out")
logdir=$resdir/logs
datadir=$resdir/data
mkdir -p "$logdir" "$datadir" || exit 2
clk_tck=$(getconf CLK_TCK)

log() { echo "[bench $(date +%T)] $*" >&2; }

# ---- processes: started here, stopped here, by pid ----------------------
DFX_PID="" PERF_PID=""
stop_pid() { # stop_pid PID GRACE_S: TERM, bounded wait, then KILL
    local p=$1 g=$2 i
    [ -n "$p" ] || return 0
    # already gone: its exit status still counts (a crash is not a stop)
    kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return; }
    kill -TERM "$p" 2>/dev/null
    for ((i = 0; i < g * 10; i++)); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
}
cleanup() {
    stop_pid "$PERF_PID" 10; PERF_PID=""
    stop_pid "$DFX_PID" 15; DFX_PID=""
    mk_stop
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

# ---- the mock cluster, driven through its stdin ----------------------------
# The coprocess's descriptors only exist in this shell, so every exchange
# happens here (no command substitution) and answers land in globals.
MK_CHILD="" BOOTSTRAP="" COUNT=0
mk_start() {
    local line
    # -T bounds its life should this script die without saying quit
    coproc MK { exec "$mk" -n 1 -t "$topic:3" -T $((warmup + duration + 600)) \
        2>"$logdir/mockkafka.err"; }
    MK_CHILD=$MK_PID   # bash unsets MK_PID once the coprocess is reaped
    if ! read -r -t 15 line <&"${MK[0]}"; then
        log "dfx-mockkafka printed no bootstrap:"
        tail -3 "$logdir/mockkafka.err" >&2
        return 1
    fi
    BOOTSTRAP=${line##* }
    case $BOOTSTRAP in
    127.0.0.1:*|localhost:*) ;;
    *) log "dfx-mockkafka: unexpected bootstrap line \"$line\""; return 1 ;;
    esac
}
mk_count() { # COUNT := messages appended to $topic so far
    local line i
    echo "count $topic" >&"${MK[1]}" || return 1
    # skip anything that is not an answer (the tool may log on stdout)
    for ((i = 0; i < 20; i++)); do
        read -r -t 10 line <&"${MK[0]}" || return 1
        if [[ $line =~ ^([0-9]+)$ ]]; then
            COUNT=${BASH_REMATCH[1]}
            return 0
        fi
        case $line in error*) log "dfx-mockkafka: $line"; return 1 ;; esac
    done
    return 1
}
mk_stop() {
    local i
    [ -n "$MK_CHILD" ] || return 0
    if [ -n "${MK[1]:-}" ]; then
        echo quit >&"${MK[1]}" 2>/dev/null
    fi
    for ((i = 0; i < 50; i++)); do
        kill -0 "$MK_CHILD" 2>/dev/null || break
        sleep 0.1
    done
    stop_pid "$MK_CHILD" 5
    MK_CHILD=""
}
# count until it has not moved for STABLE_POLLS polls of 0.25 s, at most
# MAX_POLLS polls; sets COUNT and T_LAST (time of the last increase, also
# when the first count differs from PREVIOUS, if given)
T_LAST=0
mk_settle() {
    local stable_polls=$1 max_polls=$2 prev=${3:-} last i stable=0
    mk_count || return 1
    last=$COUNT
    [ -n "$prev" ] && [ "$COUNT" != "$prev" ] && T_LAST=$(date +%s.%N)
    for ((i = 0; i < max_polls && stable < stable_polls; i++)); do
        sleep 0.25
        mk_count || return 1
        if [ "$COUNT" != "$last" ]; then
            last=$COUNT
            T_LAST=$(date +%s.%N)
            stable=0
        else
            stable=$((stable + 1))
        fi
    done
    COUNT=$last
}

# ---- data -----------------------------------------------------------------
nb=$(( (64 * 1024 * 1024) / (k * 1700) ))
[ "$nb" -gt 64 ] && nb=64
[ "$nb" -lt 2 ] && nb=2
bodies=$datadir/$source_short-k$k-n$nb-p$pods
dict=$datadir/dictionary-p$pods.json
if [ ! -f "$bodies/.done" ]; then
    log "generating $nb bodies of $k $source_short records in $bodies"
    rm -rf "$bodies"
    "$PY" "$here/gen-records" --source "$source_short" --count $((nb * k)) \
        --pods "$pods" --split "$k" --dir "$bodies" || exit 1
    touch "$bodies/.done"
fi
if [ ! -s "$dict" ]; then
    "$PY" "$here/gen-records" --dictionary "$dict.tmp" --pods "$pods" &&
        mv "$dict.tmp" "$dict" || exit 1
fi
body_bytes=$(cat "$bodies"/*.ndjson | wc -c)
rec_bytes=$((body_bytes / (nb * k)))

# ---- one run ----------------------------------------------------------------
proc_cpu() { # utime + stime of the whole process (all threads), seconds
    awk -v t="$clk_tck" '{ sub(/^.*\) /, "")
        printf "%.2f\n", ($12 + $13) / t }' "/proc/$1/stat" 2>/dev/null ||
        echo 0
}
proc_threads() { # one line per thread: TID COMM TICKS (utime + stime)
    local t
    for t in /proc/"$1"/task/*; do
        awk -v tid="${t##*/}" '{ c = $0; sub(/^[^(]*\(/, "", c)
            sub(/\) .*$/, "", c); gsub(/ /, "_", c); sub(/^.*\) /, "")
            print tid, c, $12 + $13 }' "$t/stat" 2>/dev/null
    done
}
# CPU seconds of this shell's reaped children (wrk, through timeout),
# into CHILD_CPU; a builtin with a redirection runs in this shell
CHILD_CPU=0
children_cpu() {
    times >"$logdir/.times"
    CHILD_CPU=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) {
        split($i, a, /[ms]/); s += a[1] * 60 + a[2] } }
        END { printf "%.2f", s }' "$logdir/.times")
}
# cores busy on the whole machine over one second, into HOST_BUSY; taken
# while dfexport and the broker are idle, it is other people's load
HOST_BUSY=0
host_busy() {
    local a b
    a=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    sleep 1
    b=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    HOST_BUSY=$(echo "$a $b" | awk -v n="$(nproc)" '{ d = ($3 - $1) + ($4 - $2)
        printf "%.2f", (d > 0 ? n * ($3 - $1) / d : 0) }')
}
proc_hwm_kb() {
    awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# waits (at most QUIET_WAIT seconds) until other processes keep less than
# 0.2 cores busy: on a shared machine a neighbour's build skews a run
quiet_wait=${QUIET_WAIT:-120}
wait_quiet() {
    local t0=$SECONDS
    while :; do
        host_busy
        awk -v b="$HOST_BUSY" 'BEGIN { exit !(b <= 0.2) }' && return 0
        [ $((SECONDS - t0)) -ge "$quiet_wait" ] && break
        sleep 4
    done
    log "warning: still $HOST_BUSY cores busy after ${quiet_wait} s of waiting"
}

# a self-signed certificate for 127.0.0.1, made once per results folder
tls_files() {
    [ -s "$datadir/tls/cert.pem" ] && return 0
    mkdir -p "$datadir/tls" || return 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -days 30 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$datadir/tls/key.pem" -out "$datadir/tls/cert.pem" \
        >/dev/null 2>&1
}

one_run() { # one_run CONFIG REP [DAEMON LABEL]
    local cfg=$1 rep=$2 dfx=${3:-$dfx} label=${4:-dfexport-$1}
    local scheme=http
    wait_quiet
    if [ "$cfg" = tls ]; then
        tls_files || { log "openssl could not make a certificate"; return 1; }
        scheme=https
    fi
    local base=$logdir/$label-$rep conf dlog port admin i line
    conf=$base.yaml
    dlog=$base.log
    mk_start || return 1
    "$here/mkconf" --config "$cfg" --bootstrap "$BOOTSTRAP" \
        --source "$source_name" --workers "$workers" --dictionary "$dict" \
        --tls-dir "$datadir/tls" --out "$conf" || return 1
    "$dfx" -c "$conf" >"$dlog" 2>&1 &
    DFX_PID=$!
    port="" admin=""
    for ((i = 0; i < 200 && (${#port} == 0 || ${#admin} == 0); i++)); do
        kill -0 "$DFX_PID" 2>/dev/null || break
        line=$(grep -m1 -o 'ingest listening on 127\.0\.0\.1:[0-9]*' "$dlog")
        port=${line##*:}
        line=$(grep -m1 -o 'admin listening on 127\.0\.0\.1:[0-9]*' "$dlog")
        admin=${line##*:}
        [ -n "$port" ] && [ -n "$admin" ] && break
        sleep 0.1
    done
    if [ -z "$port" ] || [ -z "$admin" ]; then
        log "dfexport did not log its listeners ($dlog):"
        tail -5 "$dlog" >&2
        return 1
    fi
    for ((i = 0; i < 300; i++)); do
        curl -kfs -m 1 -o /dev/null "$scheme://127.0.0.1:$port/readyz" && break
        sleep 0.1
    done
    if [ "$i" -ge 300 ]; then
        log "dfexport not ready after 30 s ($dlog)"
        return 1
    fi
    local hwm_ready
    hwm_ready=$(proc_hwm_kb "$DFX_PID")

    local url=$scheme://127.0.0.1:$port
    local ipath=/v1/ingest/$source_name
    BODY_DIR=$bodies BODY_COUNT=$nb INGEST_PATH=$ipath \
        RESULT_JSON=$base.warmup.json \
        timeout $((warmup + 60)) wrk -t1 -c2 -d"${warmup}s" --timeout 10s \
        -s "$here/post.lua" "$url" >/dev/null 2>&1
    mk_settle 4 80 || { log "no count from dfx-mockkafka"; return 1; }
    local c0=$COUNT cpu0 t0 t_end c_end cpu1 hwm rss
    host_busy
    if awk -v b="$HOST_BUSY" 'BEGIN { exit !(b > 0.2) }'; then
        log "warning: $HOST_BUSY cores busy before the load:" \
            "the machine is not quiet"
    fi
    cpu0=$(proc_cpu "$DFX_PID")
    proc_threads "$DFX_PID" >"$base.threads0"
    local bcpu0 bcpu1 wcpu0 wcpu1
    bcpu0=$(proc_cpu "$MK_CHILD")
    children_cpu
    wcpu0=$CHILD_CPU
    if [ "$perf" = 1 ]; then
        perf record -F 499 --call-graph dwarf,16384 -o "$base.perf.data" \
            -p "$DFX_PID" \
            -- sleep "$duration" >/dev/null 2>"$base.perf.err" &
        PERF_PID=$!
    fi
    t0=$(date +%s.%N)
    BODY_DIR=$bodies BODY_COUNT=$nb INGEST_PATH=$ipath \
        RESULT_JSON=$base.wrk.json \
        timeout $((duration + 60)) wrk -t"$threads" -c"$conns" \
        -d"${duration}s" --timeout 10s -s "$here/post.lua" "$url" \
        >"$base.wrk.out" 2>&1
    t_end=$(date +%s.%N)
    children_cpu
    wcpu1=$CHILD_CPU
    mk_count || { log "no count from dfx-mockkafka"; return 1; }
    c_end=$COUNT
    T_LAST=$t_end
    # drain: until the count has not moved for 2 s, at most 60 s
    mk_settle 8 240 "$c_end" || { log "no count from dfx-mockkafka"; return 1; }
    local c_last=$COUNT t_last=$T_LAST
    cpu1=$(proc_cpu "$DFX_PID")
    proc_threads "$DFX_PID" >"$base.threads1"
    bcpu1=$(proc_cpu "$MK_CHILD")
    hwm=$(proc_hwm_kb "$DFX_PID")
    rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$DFX_PID/status" 2>/dev/null)
    curl -s -m 2 "http://127.0.0.1:$admin/stats" >"$base.stats.json" 2>/dev/null
    if [ -n "$PERF_PID" ]; then
        wait "$PERF_PID" 2>/dev/null
        PERF_PID=""
    fi
    stop_pid "$DFX_PID" 15
    local dfx_rc=$?
    DFX_PID=""
    mk_stop
    if [ ! -s "$base.wrk.json" ]; then
        log "wrk gave no result:"
        cat "$base.wrk.out" >&2
        return 1
    fi

    "$PY" - "$base.wrk.json" "$dlog" "$base.threads0" "$base.threads1" \
        >>"$out" <<EOF
import json, re, sys
w = json.load(open(sys.argv[1]))
def ticks(path):
    t = {}
    for line in open(path):
        tid, comm, n = line.split()
        t[tid] = (comm, int(n))
    return t
th0, th1 = ticks(sys.argv[3]), ticks(sys.argv[4])
threads = sorted(((c, (n - th0.get(tid, (c, 0))[1]) / $clk_tck)
                  for tid, (c, n) in th1.items()), key=lambda x: -x[1])
alerts = sum(1 for l in open(sys.argv[2], errors="replace")
             if re.search(r"\b(alert|crit|emerg)\b|Sanitizer", l))
k, rec_bytes = $k, $rec_bytes
t0, t_end, t_last = $t0, $t_end, $t_last
delivered, by_end = $c_last - $c0, $c_end - $c0
load_s = w["duration_us"] / 1e6
span = max(t_last, t_end) - t0
ok = w["requests"] - w["err_status"]
cpu = $cpu1 - $cpu0
print(json.dumps({
    "label": "$label", "config": "$cfg", "rep": $rep, "source": "$source_name",
    "k": k, "conns": $conns, "threads": $threads, "workers": $workers,
    "duration_s": round(load_s, 2), "record_bytes": rec_bytes,
    "http_requests": w["requests"], "http_ok": ok,
    "http_errors": {x: w[x] for x in ("err_connect", "err_read", "err_write",
                                      "err_status", "err_timeout")},
    "accepted_records": ok * k,
    "delivered_records": delivered,
    "delivered_during_load": by_end,
    "drain_s": round(max(0.0, t_last - t_end), 2),
    "delivered_per_s": round(delivered / span) if span > 0 else 0,
    "delivered_mb_per_s": round(delivered * rec_bytes / span / 1e6, 1)
                          if span > 0 else 0,
    "lost_records": max(0, ok * k - delivered),
    "cpu_s": round(cpu, 2),
    "cpu_s_per_100k": round(cpu / delivered * 1e5, 3) if delivered else None,
    "peak_rss_mb": round($hwm / 1024, 1),
    "rss_after_mb": round(${rss:-0} / 1024, 1),
    "peak_rss_at_ready_mb": round(${hwm_ready:-0} / 1024, 1),
    "lat_p50_ms": w["lat_p50_us"] / 1000, "lat_p99_ms": w["lat_p99_us"] / 1000,
    "lat_max_ms": w["lat_max_us"] / 1000,
    "threads_cpu_s": [[c, round(x, 2)] for c, x in threads if x >= 0.05],
    "busiest_thread_util": round(threads[0][1] / span, 2)
                           if threads and span > 0 else None,
    "cpu_util": round(cpu / span, 2) if span > 0 else None,
    "host_busy_before": $HOST_BUSY,
    "broker_cpu_s": round($bcpu1 - $bcpu0, 2),
    "wrk_cpu_s": round($wcpu1 - $wcpu0, 2),
    "machine_util": round((cpu + $bcpu1 - $bcpu0 + $wcpu1 - $wcpu0) / span
                          / $(nproc), 2) if span > 0 else None,
    "daemon_exit": $dfx_rc, "log_alerts": alerts, "perf": bool($perf),
}))
EOF
    tail -n1 "$out" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
e = sum(r["http_errors"].values())
print("%-18s rep %d: %9s rec/s %6.1f MB/s  %.3f CPU s/100k  peak RSS %.1f MB"
      "  p50 %.1f ms  p99 %.1f ms  HTTP errors %d  lost %d  busiest thread"
      " %.0f%%  exit %d"
      % (r["label"], r["rep"], "{:,}".format(r["delivered_per_s"]),
         r["delivered_mb_per_s"], r["cpu_s_per_100k"] or 0, r["peak_rss_mb"],
         r["lat_p50_ms"], r["lat_p99_ms"], e, r["lost_records"],
         100 * (r["busiest_thread_util"] or 0), r["daemon_exit"]))'
}

{
    echo "host: $(nproc) cores," \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    uname -sr
    "$dfx" -V 2>&1 | head -1
    [ -z "$baseline" ] || { printf "baseline: "; "$baseline" -V 2>&1 | head -1; }
    wrk -v 2>&1 | head -1
    dpkg-query -W -f '${Package} ${Version}\n' librdkafka1 libevent-2.1-7 \
        libyajl2 wrk 2>/dev/null
} >"$resdir/machine.txt"
log "source=$source_name k=$k bodies=$nb x $((body_bytes / nb)) bytes" \
    "($rec_bytes bytes/record) duration=${duration}s conns=$conns" \
    "configs=${configs[*]} reps=$reps"
failed=0
first_line=$(( $( (cat "$out" 2>/dev/null || true) | wc -l) + 1 ))
for ((rep = 1; rep <= reps; rep++)); do
    for cfg in "${configs[@]}"; do
        if ! one_run "$cfg" "$rep"; then
            log "run $cfg rep $rep failed"
            failed=1
        fi
        if [ -n "$baseline" ] && [ "$cfg" != tls ]; then
            cleanup
            if ! one_run "$cfg" "$rep" "$baseline" "baseline-$cfg"; then
                log "run baseline-$cfg rep $rep failed"
                failed=1
            fi
        fi
        cleanup
    done
done

# medians over the repetitions of this invocation, ratios to the first
# config given
tail -n +"$first_line" "$out" | "$PY" -c '
import json, statistics, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
groups = {}
for r in rows:
    groups.setdefault(r["label"], []).append(r)
if not groups:
    sys.exit(0)
def med(g, k):
    return statistics.median(r[k] for r in g)
ref = med(next(iter(groups.values())), "delivered_per_s")
print("%-18s %4s %16s %6s %9s %9s %8s %8s %6s" % ("median of", "reps",
      "delivered rec/s", "ratio", "CPU/100k", "RSS MB", "p50 ms", "p99 ms",
      "errors"))
for label, g in groups.items():
    d = med(g, "delivered_per_s")
    print("%-18s %4d %16s %5.2fx %9.3f %9.1f %8.1f %8.1f %6d" % (label,
          len(g), "{:,.0f}".format(d), d / ref if ref else 0,
          med(g, "cpu_s_per_100k"), med(g, "peak_rss_mb"), med(g, "lat_p50_ms"),
          med(g, "lat_p99_ms"),
          sum(sum(r["http_errors"].values()) + r["lost_records"] for r in g)))
'
exit $failed
