#!/bin/sh
# build.sh: builds dfexport's libFuzzer drivers from the source tree.
#
#   contrib/fuzz/build.sh [OUTDIR]        (default OUTDIR: ./fuzz-build)
#
# Every driver is built with clang -fsanitize=fuzzer,address,undefined
# (UBSan reports abort, so libFuzzer keeps them as crashes).  The project's
# sources are compiled once into OUTDIR/obj with the same sanitizers and
# linked into each driver; nothing of the autotools build is used or
# changed.  Fuzzing is not a test: `make check` never runs this.
#
# Environment: CC (default: clang, or clang-14 when clang is missing),
# FUZZ_CFLAGS (added to the compiler flags, e.g. "-O2").
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-fuzz-build}
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)

if [ -z "${CC:-}" ]; then
    if command -v clang >/dev/null 2>&1; then
        CC=clang
    else
        CC=clang-14
    fi
fi

pkgs="yajl json-c yaml-0.1 rdkafka zlib"
pkg_cflags=$(pkg-config --cflags $pkgs)
pkg_libs=$(pkg-config --libs $pkgs)

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer -pthread
        -Wall -Wextra -Wno-unused-parameter
        -I$top/src/core -I$top/src/http -I$top/src/kafka
        -I$top/modules/schema -I$top/modules
        -DDFX_FUZZ_SRCDIR=\"$top\" $pkg_cflags ${FUZZ_CFLAGS:-}"

# The loader, the module table with every module, the record parser, the
# body framer, the dictionary and the Kafka key checks: what -t, a reload
# and an ingest request run, without listeners or producers.
srcs="
src/core/dfx_buf.c src/core/dfx_pool.c src/core/dfx_log.c
src/core/dfx_stats.c src/core/dfx_time.c
src/core/dfx_conf.c src/core/dfx_conf_node.c src/core/dfx_conf_walk.c
src/core/dfx_conf_main.c src/core/dfx_conf_exporter.c
src/core/dfx_conf_clickhouse.c src/core/dfx_conf_secret.c
src/core/dfx_modules.c src/core/dfx_chain.c src/core/dfx_record_parse.c
src/core/dfx_tz.c
src/http/dfx_http_body.c
src/kafka/dfx_kafka_conf.c
modules/schema/dfx_schema.c
modules/schema/dfx_schema_l7_flow_log.c
modules/schema/dfx_schema_l4_flow_log.c
modules/schema/dfx_schema_network.c
modules/schema/dfx_schema_network_map.c
modules/schema/dfx_schema_application.c
modules/schema/dfx_schema_application_map.c
modules/schema/dfx_schema_file_event.c
modules/schema/dfx_schema_perf_event.c
modules/tag_filter/dfx_tag_filter.c
modules/tag_filter/dfx_tag_filter_conf.c
src/core/dfx_regex.c
modules/export_fields/dfx_export_fields.c
modules/export_fields/dfx_export_fields_conf.c
modules/empty_rules/dfx_empty_rules.c
modules/empty_rules/dfx_empty_rules_conf.c
modules/enum_translate/dfx_enum_dict.c
modules/enum_translate/dfx_enum_translate.c
modules/enum_translate/dfx_enum_translate_conf.c
modules/universal_tag/dfx_universal_tag.c
modules/universal_tag/dfx_universal_tag_conf.c
modules/universal_tag/dfx_dict.c modules/universal_tag/dfx_dict_parse.c
modules/encode/dfx_encode.c
"

objs=""
for s in $srcs; do
    o="$out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')"
    echo "  CC      $s"
    # shellcheck disable=SC2086
    $CC $cflags $san -fsanitize=fuzzer-no-link -c "$top/$s" -o "$o"
    objs="$objs $o"
done

for d in fuzz_body fuzz_conf fuzz_dict; do
    echo "  CCLD    $d"
    # shellcheck disable=SC2086
    $CC $cflags $san -fsanitize=fuzzer "$here/$d.c" $objs \
        $pkg_libs -lm -pthread -o "$out/$d"
done
echo "drivers in $out: fuzz_body fuzz_conf fuzz_dict"
