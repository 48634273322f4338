#!/usr/bin/perl
# The counters reconcile after a mix of accepted, filtered, rejected and
# refused requests (DESIGN section 7): per data source received =
# accepted + filtered + rejected + refused; per exporter and data source
# queued = delivered + failed + in flight; http_requests_total by code.
# /metrics and /stats say the same.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start wait_until slurp_lines);

my $L7 = 'flow_log.l7_flow_log';
my $L4 = 'flow_log.l4_flow_log';
my $top = top();
my @l7 = slurp_lines("$top/conf/examples/$L7.ndjson");
my @l4 = slurp_lines("$top/conf/examples/$L4.ndjson");

my $mock = mock_start();
# exporter 0 takes l7 (MySQL only) and l4 (no filter: biz_protocol is
# not an l4 field); exporter 1 takes l7 HTTP records on its own topic
my $d = dfx_start(
    bootstrap => $mock->bootstrap,
    exporters => [
        { 'data-sources' => [$L7, $L4], 'queue-count' => 1,
          'queue-size' => 8, 'message-timeout' => 30,
          librdkafka => { 'reconnect.backoff.max.ms' => 500 },
          'tag-filters-groups' => [
              { 'tag-filter-condition' => { type => 'and' },
                'tag-filters' => [
                    { 'field-name' => 'biz_protocol', operator => '=',
                      'field-values' => ['MySQL'] } ] } ] },
        { 'data-sources' => [$L7], topic => 'counters.http',
          'tag-filters-groups' => [
              { 'tag-filters' => [
                    { 'field-name' => 'biz_protocol', operator => '=',
                      'field-values' => ['HTTP'] } ] } ] },
    ]);

my %code;
sub req {
    my ($want, $ds, $body, %o) = @_;
    my $r = $d->post($ds, $body, %o);
    $code{ $r->{status} }++;
    is($r->{status}, $want, "$ds: $want") or diag($r->{content});
    return $r;
}

# l7: MySQL -> exporter 0, HTTP 404 and the OTel span -> exporter 1,
# gRPC -> nobody: filtered
my $r = req(202, $L7, join("\n", @l7) . "\n");
is_deeply([ @{ $r->{json} }{qw(accepted filtered rejected)} ], [3, 1, 0],
          'l7: 3 accepted, 1 filtered');
# 1 good + 1 invalid line
$r = req(202, $L7, "$l7[0]\n{\"_id\":-1}\n");
is_deeply([ @{ $r->{json} }{qw(accepted filtered rejected)} ], [1, 0, 1],
          'l7: 1 accepted, 1 rejected');
# all invalid
req(422, $L7, "{\"time\":\"x\"}\n[]\n{\n");
# malformed JSON body, unknown data source, wrong method, wrong type
req(400, $L7, '{"_id":', type => 'json');
req(404, 'flow_log.l9_flow_log', "$l7[0]\n");
req(405, $L7, undef, method => 'GET');
req(415, $L7, "$l7[0]\n", type => 'text/plain');
# l4: 3 records accepted; 9 are more than the budget (8) ever holds
req(202, $L4, join("\n", @l4) . "\n");
req(413, $L4, join("\n", @l4, @l4, @l4) . "\n");

ok(wait_until(20, sub {
    $d->metric('exporter_records_inflight', exporter => 0,
               data_source => $L4) == 0
    && $d->metric('exporter_records_inflight', exporter => 0,
                  data_source => $L7) == 0 }), 'everything is delivered');

# broker down: 6 l4 records wait in the budget, 4 more are refused (429)
is($mock->cmd('down 1'), 'ok', 'broker down');
req(202, $L4, join("\n", @l4, @l4) . "\n");
req(429, $L4, join("\n", @l4, $l4[0]) . "\n");
# what is in flight now shows in the gauges
is($d->metric('exporter_records_inflight', exporter => 0,
              data_source => $L4), 6, 'l4: 6 records in flight');
is($d->metric('exporter_budget_used_records', exporter => 0), 6,
   'exporter 0: 6 records hold budget');
is($mock->cmd('up 1'), 'ok', 'broker up');
ok(wait_until(20, sub {
    $d->metric('exporter_records_inflight', exporter => 0,
               data_source => $L4) == 0 }),
   'the waiting records are delivered');

my $m = $d->metrics;
my $s = $d->stats;
sub both {
    my ($name, $stats_key, %l) = @_;
    my $v = $d->metric($name, %l, from => $m);
    my $sv = $s->{$name};
    $sv = $sv->{$stats_key} if ref $sv eq 'HASH';
    is($sv // 0, $v, "/stats $name" . ($stats_key ? "{$stats_key}" : '')
       . " = /metrics ($v)");
    return $v;
}

my %want = (
    $L7 => { received => 4 + 2 + 3, accepted => 4, filtered => 1,
             rejected => 1 + 3, refused => {} },
    $L4 => { received => 3 + 9 + 6 + 4, accepted => 9, filtered => 0,
             rejected => 0, refused => { too_large => 9, budget => 4 } },
);
for my $ds ($L7, $L4) {
    my %v = map { $_ => both("records_${_}_total", $ds, data_source => $ds) }
            qw(received accepted filtered rejected);
    my $refused = 0;
    for my $reason (qw(too_large budget shutting_down)) {
        my $x = both('records_refused_total', "$ds/$reason",
                     data_source => $ds, reason => $reason);
        is($x, $want{$ds}{refused}{$reason} // 0,
           "$ds: refused ($reason) = $x");
        $refused += $x;
    }
    for my $k (qw(received accepted filtered rejected)) {
        is($v{$k}, $want{$ds}{$k}, "$ds: $k = $want{$ds}{$k}");
    }
    is($v{received}, $v{accepted} + $v{filtered} + $v{rejected} + $refused,
       "$ds: received = accepted + filtered + rejected + refused");
}

# per exporter and data source: queued = delivered + failed + inflight
my %queued = ("0/$L7" => 2, "0/$L4" => 9, "1/$L7" => 2);
for my $k (sort keys %queued) {
    my ($e, $ds) = split(m{/}, $k);
    my %v = map { $_ => both("exporter_records_$_", $k, exporter => $e,
                             data_source => $ds) }
            qw(queued_total delivered_total failed_total inflight);
    is($v{queued_total}, $queued{$k}, "exporter $k: queued $queued{$k}");
    is($v{queued_total},
       $v{delivered_total} + $v{failed_total} + $v{inflight},
       "exporter $k: queued = delivered + failed + in flight");
    is($v{delivered_total}, $queued{$k}, "exporter $k: all delivered");
}
is($mock->count("deepflow.$L7"), 2, 'Kafka holds the 2 MySQL records');
is($mock->count('counters.http'), 2, 'Kafka holds the 2 HTTP records');
is($mock->count("deepflow.$L4"), 9, 'Kafka holds the 9 l4 records');

# filtered per exporter: exporter 0 dropped HTTP, OTel and gRPC;
# exporter 1 dropped MySQL twice and gRPC
is(both('exporter_records_filtered_total', "0/$L7", exporter => 0,
        data_source => $L7), 3, 'exporter 0 filtered 3 l7 records');
is(both('exporter_records_filtered_total', "1/$L7", exporter => 1,
        data_source => $L7), 3, 'exporter 1 filtered 3 l7 records');
is(both('tag_filter_dropped_total', "1/$L7/group_0", exporter => 1,
        data_source => $L7, reason => 'group_0'), 3,
   'exporter 1: dropped by tag-filters-groups[0]');
is(both('tag_filter_dropped_total', "0/$L7/group_0", exporter => 0,
        data_source => $L7, reason => 'group_0'), 3,
   'exporter 0: dropped by tag-filters-groups[0]');

# requests by status code
for my $c (200, 202, 400, 404, 405, 413, 415, 422, 429, 503) {
    is(both('http_requests_total', $c, code => $c), $code{$c} // 0,
       "http_requests_total{code=$c}");
}

is($d->stop, 0, 'dfexport exits 0');
done_testing();
