#!/usr/bin/perl
# Every series exists at 0 from the start (DESIGN section 14), so that
# alert rules never evaluate to "no data": right after start, before any
# record, the counters of every configured exporter and data source and
# every reason that applies to a statistic are in /metrics and /stats with
# value 0; exporters that are not configured (or disabled) have none, and
# a reason is rendered only for the statistics it applies to.  A reload
# replaces the set; a failed one keeps it.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(mock_start dfx_start dfx_conf);

my $L7 = 'flow_log.l7_flow_log';
my $L4 = 'flow_log.l4_flow_log';
my $N1M = 'flow_metrics.network.1m';

my %groups = ('tag-filters-groups' => [
    { 'tag-filters' => [ { 'field-name' => 'biz_protocol', operator => '=',
                           'field-values' => ['MySQL'] } ] },
    { 'tag-filters' => [ { 'field-name' => 'biz_protocol', operator => '=',
                           'field-values' => ['HTTP'] } ] } ]);
# exporter 0: l7 (two tag-filter groups: group 1 decides) and l4 (no
# filter applies: biz_protocol is not an l4 field); exporter 1 disabled;
# exporter 2: network.1m
my @exporters = (
    { 'data-sources' => [$L7, $L4], %groups },
    { 'data-sources' => [$L7], enabled => 'false' },
    { 'data-sources' => [$N1M] },
);

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap, exporters => \@exporters);

sub scrape {
    my $r = $d->admin_get('/metrics');
    is($r->{status}, 200, 'GET /metrics');
    my %m;
    for (split(/\n/, $r->{content} // '')) {
        $m{$1} = $2 if /^(dfexport_\S+)\s+(\S+)$/;
    }
    return \%m;
}

sub series {
    my ($name, %l) = @_;
    my @l = map { "$_=\"$l{$_}\"" }
            grep { defined $l{$_} } qw(exporter data_source code reason);
    return "dfexport_$name" . (@l ? '{' . join(',', @l) . '}' : '');
}

sub at_zero {
    my ($m, $name, %l) = @_;
    my $k = series($name, %l);
    is($m->{$k}, '0', "$k is 0");
}

sub absent {
    my ($m, $re, $what) = @_;
    my @hit = grep { /$re/ } keys %$m;
    is_deeply(\@hit, [], $what);
}

my $m = scrape();

# per data source, every reason of the set, for every data source
for my $ds ($L7, $L4, 'event.perf_event') {
    at_zero($m, 'records_received_total', data_source => $ds);
    at_zero($m, 'records_refused_total', data_source => $ds, reason => $_)
        for qw(too_large budget shutting_down);
}
absent($m, qr/^dfexport_records_refused_total\{.*
               reason="(?!too_large"|budget"|shutting_down")/x,
       'records_refused_total: no reason outside its set');
at_zero($m, 'config_reloads_total', reason => $_) for qw(ok error);
at_zero($m, 'dictionary_loads_total', reason => $_) for qw(ok error);
absent($m, qr/^dfexport_(config_reloads|dictionary_loads)_total\{.*
               reason="(?!ok"|error")/x,
       'loads and reloads: ok and error only');
at_zero($m, 'http_requests_total', code => $_) for qw(202 413 429 503 other);

# per exporter and data source: the configured pairs only
for my $pair ([0, $L7], [0, $L4], [2, $N1M]) {
    my %l = (exporter => $pair->[0], data_source => $pair->[1]);
    at_zero($m, "exporter_records_${_}_total", %l)
        for qw(queued delivered failed filtered);
    at_zero($m, 'exporter_records_inflight', %l);
    at_zero($m, $_, %l)
        for qw(empty_fields_dropped_total enum_unknown_total
               utag_unknown_total);
}
at_zero($m, 'exporter_budget_used_records', exporter => $_) for 0, 2;
absent($m, qr/exporter="1"/, 'the disabled exporter has no series');
absent($m, qr/exporter="3"/, 'no series beyond the configured exporters');
absent($m, qr/exporter="0",data_source="\Q$N1M\E"/,
       'exporter 0 has no series of a data source it does not take');
absent($m, qr/exporter="2",data_source="\Q$L7\E"/,
       'exporter 2 has no series of a data source it does not take');

# tag filters: the deciding rule of each chain, and no other reason
at_zero($m, 'tag_filter_dropped_total', exporter => 0, data_source => $L7,
        reason => 'group_1');
absent($m, qr/^dfexport_tag_filter_dropped_total\{
               (?!exporter="0",data_source="\Q$L7\E",reason="group_1"\})/x,
       'tag_filter_dropped_total: only the deciding rule, where filters apply');

# ClickHouse is not configured: none of its series with labels
absent($m, qr/^dfexport_clickhouse_\w+\{/, 'no ClickHouse series');

my $n = grep { /\{/ } keys %$m;
cmp_ok($n, '<', 400, "a sane number of labelled series ($n)");

# /stats says the same
my $s = $d->stats;
is($s->{records_refused_total}{"$L7/budget"}, 0, '/stats: refused budget 0');
is($s->{config_reloads_total}{error}, 0, '/stats: reload errors 0');
is($s->{exporter_records_failed_total}{"0/$L7"}, 0,
   '/stats: exporter 0 l7 failed 0');
is($s->{tag_filter_dropped_total}{"0/$L7/group_1"}, 0,
   '/stats: tag filter group_1 0');
ok(!exists $s->{exporter_records_failed_total}{"1/$L7"},
   '/stats: nothing for the disabled exporter');

# a failed reload keeps the set; a good one replaces it
my $bs = $mock->bootstrap;
is($d->reload("dfexport: [\n", bootstrap => $bs), 'failed',
   'a broken config is refused');
$m = scrape();
is($m->{series('config_reloads_total', reason => 'error')}, '1',
   'config_reloads_total{error} 1');
at_zero($m, 'config_reloads_total', reason => 'ok');
at_zero($m, 'exporter_records_inflight', exporter => 2, data_source => $N1M);

my $conf = dfx_conf(exporters => [ { 'data-sources' => [$L4] } ]);
is($d->reload($conf, bootstrap => $bs), 'ok', 'reload: exporter 0 takes l4');
$m = scrape();
is($m->{series('config_reloads_total', reason => 'ok')}, '1',
   'config_reloads_total{ok} 1');
at_zero($m, 'exporter_records_inflight', exporter => 0, data_source => $L4);
absent($m, qr/exporter="2"/, 'the removed exporter has no series');
absent($m, qr/exporter="0",data_source="\Q$L7\E"/,
       'a data source no longer taken has no series');
absent($m, qr/^dfexport_tag_filter_dropped_total\{/,
       'no tag filter, no tag filter series');

is($d->stop, 0, 'dfexport stops cleanly');
$mock->stop;
done_testing();
