#!/bin/sh
# dfexport: set up, build and run or test, on Debian 12.
#
#   ./setup.sh run    install what is missing, build, run dfexport on the
#                     embedded mock Kafka cluster with conf/dfexport.yaml
#   ./setup.sh test   install what is missing, build with warnings as
#                     errors, run every test; then again with ASan+UBSan
#
# Both are idempotent: packages are installed only when missing, the
# build trees (build/, build-asan/) are configured once and rebuilt.
set -eu

cd "$(dirname "$0")"
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

packages="build-essential autoconf automake libtool pkg-config \
libevent-dev librdkafka-dev libyajl-dev libjson-c-dev libyaml-dev \
libssl-dev libcmocka-dev zlib1g-dev libcurl4-openssl-dev tzdata \
openssl kcat curl perl valgrind"

# ./setup.sh test also runs a real ClickHouse (Debian's 18.16), which the
# tests start on their own loopback ports and stop by pid.  Installing the
# package enables its system service too; the tests never use it.
test_packages="clickhouse-server clickhouse-client"

need_packages() {
    missing=""
    for p in $packages; do
        if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed'; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "setup: installing$missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
        --no-install-recommends $missing
}

generate() {
    if [ ! -x configure ] || [ configure.ac -nt configure ] \
        || [ -n "$(find . -name '*.am' -newer configure 2>/dev/null \
                    | head -1)" ]; then
        autoreconf -fi
    fi
}

# build DIR CONFIGURE-FLAGS...
build() {
    dir=$1
    shift
    mkdir -p "$dir"
    if [ ! -f "$dir/config.status" ] \
        || [ "$(cat "$dir/.flags" 2>/dev/null)" != "$*" ]; then
        (cd "$dir" && "$top/configure" -q "$@")
        echo "$*" > "$dir/.flags"
    fi
    make -C "$dir" -j"$jobs" all
}

# run_tests DIR: unit tests (cmocka, through automake) then integration
# tests (prove) against the programs of DIR
run_tests() {
    dir=$1
    make -C "$dir" -j"$jobs" check
    DFX_BUILD="$top/$dir" prove -j"$jobs" -I t/lib t/
}

case "${1:-}" in
run)
    need_packages
    generate
    build build
    exec build/dfexport -c conf/dfexport.yaml --embedded-kafka
    ;;
test)
    packages="$packages $test_packages"
    need_packages
    generate
    sh contrib/check-sources.sh
    build build --enable-werror
    run_tests build
    build build-asan --enable-werror --enable-asan --enable-ubsan
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    DFX_SANITIZED=1 run_tests build-asan
    ;;
*)
    echo "usage: ./setup.sh run | test" >&2
    exit 2
    ;;
esac
