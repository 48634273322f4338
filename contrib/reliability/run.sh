#!/bin/sh
# contrib/reliability/run.sh [-l LOAD] [-b BUILD] [CASE-TEST...]
#
# Runs the fault, overload and hostile-client tests with LOAD times their
# records (default 10; CI runs them at 1) and prints the figures they
# measured as the table of doc/reliability.md: records acknowledged (for
# the ClickHouse follower: rows in ClickHouse), delivered, lost,
# duplicated, dfexport's peak RSS and CPU time.  Each test asserts what
# the docs promise for its case; this script only collects the figures.
#
#   contrib/reliability/run.sh                    every case, LOAD 10
#   contrib/reliability/run.sh -l 1 t/45-delivery.t
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
load=10
build="$top/build"
while getopts l:b: o; do
    case $o in
    l) load=$OPTARG ;;
    b) build=$(cd "$OPTARG" && pwd) ;;
    *) echo "usage: $0 [-l LOAD] [-b BUILD] [TEST...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- t/45-delivery.t t/23-hostile-clients.t \
    t/27-memory-budget.t t/86-clickhouse-faults.t

figures=$(mktemp)
trap 'rm -f "$figures"' EXIT
cd "$top"
status=0
DFX_BUILD="$build" DFX_LOAD="$load" DFX_FIGURES="$figures" \
    prove -I t/lib "$@" || status=$?

echo
echo "| case | test | acknowledged | delivered | lost | duplicated | peak RSS MB | CPU s | notes |"
echo "|---|---|---|---|---|---|---|---|---|"
perl -MJSON::PP -ne '
    my $f = JSON::PP->new->decode($_);
    my $v = sub { my $x = $f->{$_[0]}; !defined $x ? "-"
                  : $x =~ /\./ ? sprintf("%.2f", $x) : $x };
    printf("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", $f->{case},
           $f->{test}, (map { $v->($_) } qw(acknowledged delivered lost
           duplicated rss_mb cpu_s)), $f->{note} // "");
' "$figures"
exit $status
