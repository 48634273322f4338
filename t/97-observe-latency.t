#!/usr/bin/perl
# Observability of the operator's daemon: exporter names as the exporter
# label (reordering the config does not rename series), the request
# duration and Kafka delivery latency histograms, and the last reload's
# result and time (Prometheus' own names).
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start dfx_conf dfx_check_conf slurp_lines
           wait_until);

my $top = top();
my $L7 = 'flow_log.l7_flow_log';
my @l7 = slurp_lines("$top/conf/examples/$L7.ndjson");
my $body = join("\n", @l7) . "\n";
my $n = @l7;

sub text { $_[0]->admin_get('/metrics')->{content} // '' }
sub val {
    my ($text, $series) = @_;
    return $text =~ /^\Q$series\E (\S+)$/m ? $1 : undef;
}

# ---- config rules for name ----------------------------------------------

my %bad = (
    'a b'  => 'ingester.exporters[0].name: must be at most 63 of a-z A-Z '
              . '0-9 _ - ., got "a b"',
    '12'   => 'ingester.exporters[0].name: must not be only digits (the '
              . 'label of an exporter without a name is its position), '
              . 'got "12"',
);
for my $name (sort keys %bad) {
    (my $c = dfx_conf(exporters => [ { name => $name } ]))
        =~ s/\{BOOTSTRAP\}/127.0.0.1:9/g;
    my ($rc, $out) = dfx_check_conf($c);
    is($rc, 1, "name \"$name\": -t fails");
    like($out, qr/\Q$bad{$name}\E/, "name \"$name\": the rule");
}
(my $dup = dfx_conf(exporters => [ { name => 'x' }, { name => 'x' } ]))
    =~ s/\{BOOTSTRAP\}/127.0.0.1:9/g;
my ($rc, $out) = dfx_check_conf($dup);
is($rc, 1, 'duplicate names: -t fails');
like($out, qr/\Qingester.exporters[1].name: must be unique, "x" is also the name of ingester.exporters[0]\E/,
     'duplicate names: the rule');

# ---- labels, histograms, reload metrics ---------------------------------

my $mock = mock_start();
my @exps = ({ name => 'main', topic => 'obs.main' },
            { topic => 'obs.pos' });
my $d = dfx_start(bootstrap => $mock->bootstrap, exporters => \@exps);

my $t = text($d);
is(val($t, 'dfexport_config_last_reload_successful'), 1,
   'start-up counts as a successful load');
my $ts0 = val($t, 'dfexport_config_last_reload_success_timestamp_seconds');
ok($ts0 && abs($ts0 - time()) < 120, 'and its time is now');
like($t, qr/^# TYPE dfexport_http_request_duration_seconds histogram$/m,
     'request duration: a histogram');
like($t, qr/^# TYPE dfexport_kafka_delivery_latency_seconds histogram$/m,
     'delivery latency: a histogram');
is(val($t, 'dfexport_http_request_duration_seconds_count'), 0,
   'request duration: exists at 0');
is(val($t, 'dfexport_kafka_delivery_latency_seconds_bucket'
           . '{exporter="main",le="+Inf"}'), 0,
   'delivery latency: exists at 0 for the named exporter');
is(val($t, 'dfexport_kafka_delivery_latency_seconds_count{exporter="1"}'),
   0, 'delivery latency: and for the other, by position');

my $r = $d->post($L7, $body, query => 'ack=kafka');
is($r->{status}, 200, 'ingest with ack=kafka: 200') or diag($r->{content});
$r = $d->post($L7, $body);
is($r->{status}, 202, 'ingest queued: 202');
ok(wait_until(10, sub {
    $d->metric('exporter_records_delivered_total', exporter => 'main',
               data_source => $L7) == 2 * $n }), 'every record delivered');

$t = text($d);
is(val($t, "dfexport_exporter_records_queued_total{exporter=\"main\","
           . "data_source=\"$L7\"}"), 2 * $n,
   'counters: the exporter label is the name');
is(val($t, "dfexport_exporter_records_queued_total{exporter=\"1\","
           . "data_source=\"$L7\"}"), 2 * $n,
   'counters: the position without a name');
unlike($t, qr/exporter="0"/, 'no series under the position of a named one');

is(val($t, 'dfexport_http_request_duration_seconds_count'), 2,
   'request duration: one observation per request');
my @b = map { $_ + 0 }
        $t =~ /^dfexport_http_request_duration_seconds_bucket\{le="[^"]+"\} (\d+)$/mg;
is(scalar(@b), 17, 'request duration: 16 buckets and +Inf');
is_deeply([ sort { $a <=> $b } @b ], \@b, 'request duration: cumulative');
is($b[-1], 2, 'request duration: +Inf is the count');
ok(defined val($t, 'dfexport_http_request_duration_seconds_sum'),
   'request duration: a sum');
is(val($t, 'dfexport_kafka_delivery_latency_seconds_count{exporter="main"}'),
   2 * $n, 'delivery latency: one observation per message');
ok(val($t, 'dfexport_kafka_delivery_latency_seconds_sum{exporter="main"}')
   > 0, 'delivery latency: the time is summed');

my $s = $d->stats;
is($s->{kafka_delivery_latency_seconds}{main}{count}, 2 * $n,
   '/stats: the histogram under the name');
is($s->{http_request_duration_seconds}{buckets}{'+Inf'}, 2,
   '/stats: the buckets');
is($s->{exporter_records_queued_total}{"main/$L7"}, 2 * $n,
   '/stats: counters under the name');

# a failed reload: 0, the time stays
my $conf = dfx_conf(exporters => \@exps);
is($d->reload("$conf\nbroken: [\n", bootstrap => $mock->bootstrap),
   'failed', 'a broken config does not load');
$t = text($d);
is(val($t, 'dfexport_config_last_reload_successful'), 0,
   'failed reload: last_reload_successful 0');
is(val($t, 'dfexport_config_last_reload_success_timestamp_seconds'), $ts0,
   'failed reload: the time of the last success stays');

# reordered, the names stay
sleep(1);       # a later second for the timestamp
is($d->reload(dfx_conf(exporters => [ { topic => 'obs.pos' },
                                      { name => 'main', topic => 'obs.main' } ]),
              bootstrap => $mock->bootstrap), 'ok', 'reordered config loads');
$t = text($d);
is(val($t, 'dfexport_config_last_reload_successful'), 1,
   'reload: last_reload_successful 1');
ok(val($t, 'dfexport_config_last_reload_success_timestamp_seconds') > $ts0,
   'reload: the time moves');
like($t, qr/^dfexport_exporter_ready\{exporter="main"\} /m,
     'reordered: the named exporter keeps its label');
like($t, qr/^dfexport_exporter_ready\{exporter="0"\} /m,
     'reordered: the other one is labelled by its new position');
unlike($t, qr/^dfexport_exporter_ready\{exporter="1"\} /m,
       'reordered: no series for the position the name now has');

is($d->stop, 0, 'daemon stops cleanly');
done_testing();
