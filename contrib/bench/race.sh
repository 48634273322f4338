#!/bin/bash
# race.sh: races dfexport against other HTTP->Kafka services and against
# kcat in one results folder, with an external harness that has the
# shared-style interface (run.sh --target python|kcat|jsonc|custom ...,
# report.py; see README.md).  Repetitions are interleaved so that drift
# on the machine hits every row alike.
#
#   race.sh HARNESS_DIR RESULTS_DIR [--reps N] [--duration S]
#           [--dfexport PATH] [--semantics]
#
# Rows: jsonc (json-c parse + serialize on one core), kcat (the producer
# limit), python-json at K=1000, and dfexport through --target custom with
# compression none and with the producer's defaults (and, with
# --semantics, the semantics config with a dictionary of 10,000 pods).
# dfexport is started by mkconf --exec, so the harness's pid is the
# daemon's.  Before each row it waits (at most QUIET_WAIT seconds, 120)
# until other processes keep less than 0.2 cores busy.  Writes
# RESULTS_DIR/runs.jsonl, run.log, host-load.txt, machine.txt and
# report.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
    exit 2
fi
harness=$(cd "$1" && pwd) || exit 2
dir=$2
shift 2
reps=3 duration=15 dfx=${DFEXPORT:-./dfexport} semantics=0
while [ $# -gt 0 ]; do
    case $1 in
    --reps) reps=$2; shift ;;
    --duration) duration=$2; shift ;;
    --dfexport) dfx=$2; shift ;;
    --semantics) semantics=1 ;;
    *) echo "race.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$harness/run.sh" ] && [ -x "$harness/report.py" ] || {
    echo "race.sh: $harness has no run.sh/report.py" >&2; exit 2; }
[ -x "$dfx" ] || { echo "race.sh: no daemon at $dfx (--dfexport)" >&2; exit 2; }
dfx=$(cd "$(dirname "$dfx")" && pwd)/$(basename "$dfx")
mkdir -p "$dir" || exit 2
dir=$(cd "$dir" && pwd)
out=$dir/runs.jsonl
dict=$dir/dictionary-p10000.json
if [ "$semantics" = 1 ] && [ ! -s "$dict" ]; then
    /usr/bin/python3 "$here/gen-records" --dictionary "$dict" --pods 10000 ||
        exit 1
fi
{
    echo "host: $(nproc) cores," \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
        "$(free -g | awk '/Mem:/ { print $2 }') GiB"
    uname -sr
    "$dfx" -V 2>&1 | head -1
    /usr/bin/python3 --version; wrk -v 2>&1 | head -1
    dpkg-query -W -f '${Package} ${Version}\n' librdkafka1 libjson-c5 \
        libevent-2.1-7 libyajl2 python3-confluent-kafka python3-aiohttp \
        kcat wrk 2>/dev/null
} >"$dir/machine.txt"

# cores kept busy by other processes over one second, into HOST_BUSY
host_busy() {
    local a b
    a=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    sleep 1
    b=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    HOST_BUSY=$(echo "$a $b" | awk -v n="$(nproc)" '{ d = ($3 - $1) + ($4 - $2)
        printf "%.2f", (d > 0 ? n * ($3 - $1) / d : 0) }')
}
# before each row: wait (at most QUIET_WAIT s) for a quiet machine, and
# note its load in host-load.txt, so that a neighbour's build is visible
wait_quiet() {
    local t0=$SECONDS
    while :; do
        host_busy
        awk -v b="$HOST_BUSY" 'BEGIN { exit !(b <= 0.2) }' && break
        [ $((SECONDS - t0)) -ge "${QUIET_WAIT:-120}" ] && break
        sleep 4
    done
    echo "$(date +%T) $HOST_BUSY cores busy before: $*" >>"$dir/host-load.txt"
}
run() {
    wait_quiet "$@"
    "$harness/run.sh" --out "$out" "$@" 2>>"$dir/run.log" ||
        echo "FAILED: $*" | tee -a "$dir/run.log"
}
dfexport_row() { # dfexport_row CONFIG REP
    local cmd
    # one line: the harness runs it with bash -c "exec CMD"
    cmd="$here/mkconf --config $1 --bootstrap {BOOTSTRAP}"
    cmd+=" --listen 127.0.0.1:{PORT} --source {SOURCE}"
    [ "$1" = semantics ] && cmd+=" --dictionary $dict"
    cmd+=" --out $dir/dfexport-$1.yaml --exec $dfx"
    run --target custom --k 1000 --duration "$duration" --rep-id "$2" \
        --label "dfexport-$1" --ready-path /readyz --cmd "$cmd"
}
for ((rep = 1; rep <= reps; rep++)); do
    run --target jsonc --rep-id "$rep"
    run --target kcat --rep-id "$rep"
    run --target python --k 1000 --duration "$duration" --rep-id "$rep"
    dfexport_row none "$rep"
    dfexport_row default "$rep"
    [ "$semantics" = 1 ] && dfexport_row semantics "$rep"
done
"$harness/report.py" "$out" >"$dir/report.md"
cat "$dir/report.md"
echo "results: $dir"
