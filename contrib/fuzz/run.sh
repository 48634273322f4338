#!/bin/sh
# run.sh: runs one of dfexport's libFuzzer drivers for a bounded time.
#
#   contrib/fuzz/run.sh body|conf|dict [SECONDS]      (default: 180)
#
# The seed corpus of contrib/fuzz/corpus/NAME is copied into a working
# folder on the first run and grown there afterwards, so the tree is never
# written to.  Crash, timeout and out-of-memory inputs are written to the
# working folder too; the script lists them at the end and exits 1 when
# there are any.
#
# Environment:
#   FUZZ_BUILD  where build.sh put the drivers   [./fuzz-build]
#   FUZZ_WORK   the working folder               [./fuzz-work]
#   FUZZ_FORK   1: keep going after a crash (libFuzzer's -fork=1
#               -ignore_crashes=1), to find more than the first problem
#   FUZZ_ARGS   more libFuzzer options (e.g. "-jobs=2", "-seed=1")
set -eu

here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: run.sh body|conf|dict [SECONDS]}
secs=${2:-180}
build=${FUZZ_BUILD:-fuzz-build}
work=${FUZZ_WORK:-fuzz-work}/$name

case $name in
body) max_len=8192 ;;
conf|dict) max_len=4096 ;;
*) echo "run.sh: unknown driver \"$name\" (body, conf or dict)" >&2; exit 2 ;;
esac
driver=$build/fuzz_$name
if [ ! -x "$driver" ]; then
    echo "run.sh: $driver not found; run contrib/fuzz/build.sh first" >&2
    exit 2
fi

mkdir -p "$work/corpus" "$work/artifacts"
if [ -z "$(ls -A "$work/corpus")" ]; then
    cp "$here/corpus/$name/"* "$work/corpus/"
fi

fork=""
if [ "${FUZZ_FORK:-0}" = 1 ]; then
    fork="-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1"
fi

# shellcheck disable=SC2086
"$driver" -max_total_time="$secs" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -dict="$here/$name.dict" \
    -artifact_prefix="$work/artifacts/" $fork ${FUZZ_ARGS:-} \
    "$work/corpus" || true

found=$(ls -A "$work/artifacts")
if [ -n "$found" ]; then
    echo "run.sh: inputs that failed, in $work/artifacts:"
    ls -l "$work/artifacts"
    echo "reproduce one with: $driver FILE"
    exit 1
fi
echo "run.sh: nothing found in $secs s"
