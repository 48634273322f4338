#!/usr/bin/perl
# Kafka breaks on purpose (the mock cluster's fault commands): records
# queued while the broker is down are delivered once it is back, /readyz
# follows the brokers, a slow broker still answers acked requests, and
# injected produce errors are retried or reported.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(mock_start dfx_start consume wait_until);

my $L7 = 'flow_log.l7_flow_log';
my $T = "deepflow.$L7";
my $n = 0;
sub recs {
    my ($k) = @_;
    return join('', map { ++$n; qq({"_id":$n,"time":1700000000,)
                          . qq("end_time":1700000000000000}\n) } 1 .. $k);
}

my $mock = mock_start();

# ---- started with the broker down: not ready, records wait ------------------

is($mock->cmd('down 1'), 'ok', 'broker down before dfexport starts');
my $d = dfx_start(bootstrap => $mock->bootstrap, ready => 0,
                  exporters => [{ 'queue-count' => 1,
                                  'message-timeout' => 60,
                                  librdkafka => {
                                      'reconnect.backoff.max.ms' => 500 } }]);
is($d->admin_get('/readyz')->{status}, 503,
   '/readyz: 503 while no broker has answered');
is($d->metric('exporter_ready', exporter => 0), 0, 'exporter_ready 0');
is($d->admin_get('/healthz')->{status}, 200, '/healthz: 200 all the same');
my $r = $d->post($L7, recs(3));
is($r->{status}, 202, 'ingest is not gated on readiness: 202');
is($d->metric('exporter_records_inflight', exporter => 0, data_source => $L7),
   3, '3 records in flight');

is($mock->cmd('up 1'), 'ok', 'broker up');
ok(wait_until(20, sub { $d->admin_get('/readyz')->{status} == 200 }),
   '/readyz: 200 once the broker answers');
is($d->metric('exporter_ready', exporter => 0), 1, 'exporter_ready 1');
is($mock->wait_count($T, 3), 3, 'the waiting records are delivered');

# ---- the broker goes down and comes back ------------------------------------

is($mock->cmd('down 1'), 'ok', 'broker down again');
$r = $d->post($L7, recs(5));
is($r->{status}, 202, 'broker down: 202');
is($d->metric('exporter_records_delivered_total', exporter => 0,
              data_source => $L7), 3, 'nothing delivered while it is down');
is($d->metric('exporter_records_inflight', exporter => 0, data_source => $L7),
   5, '5 records in flight');
is($mock->cmd('up 1'), 'ok', 'broker up again');
is($mock->wait_count($T, 8), 8, 'delivered after the broker came back');
ok(wait_until(10, sub {
    $d->metric('exporter_records_inflight', exporter => 0,
               data_source => $L7) == 0 }), 'nothing left in flight');
is($d->metric('exporter_records_delivered_total', exporter => 0,
              data_source => $L7), 8, 'delivered_total 8');
is($d->metric('exporter_records_failed_total', exporter => 0,
              data_source => $L7), 0, 'failed_total 0');
my @got = consume($mock->bootstrap, $T, 8);
is_deeply([ sort { $a <=> $b } map { $_->{payload} =~ /"_id":(\d+)/ } @got ],
          [1 .. 8], 'every record arrived once');

# ---- a slow broker ----------------------------------------------------------

is($mock->cmd('rtt 1 500'), 'ok', 'broker answers 500 ms late');
$r = $d->post($L7, recs(2), query => 'ack=kafka');
is($r->{status}, 200, 'slow broker: ack=kafka is still 200')
    or diag($r->{content});
cmp_ok($r->{elapsed}, '>=', 0.45, 'and waited for the broker (>= 0.5 s)');
is($r->{json}{delivered}, 2, 'slow broker: 2 delivered');
is($mock->cmd('rtt 1 0'), 'ok', 'broker fast again');

# ---- produce errors ---------------------------------------------------------

# retriable (NOT_LEADER_OR_FOLLOWER): librdkafka retries, the client
# sees a success
is($mock->cmd('error 0 6 3'), 'ok', 'the next 3 produce requests fail '
   . 'with NOT_LEADER_OR_FOLLOWER');
$r = $d->post($L7, recs(1), query => 'ack=kafka');
is($r->{status}, 200, 'retriable produce error: retried, 200')
    or diag($r->{content});

# not retriable (MESSAGE_TOO_LARGE from the broker): reported as failed,
# 422 and no Retry-After, since no retry can change it (issue 9)
my $f0 = $d->metric('exporter_records_failed_total', exporter => 0,
                    data_source => $L7);
is($mock->cmd('error 0 10 1'), 'ok', 'the next produce request fails with '
   . 'MESSAGE_TOO_LARGE');
$r = $d->post($L7, recs(1), query => 'ack=kafka');
is($r->{status}, 422, 'permanent produce error: 422, not 503');
is($r->{json}{failed}, 1, 'permanent produce error: failed 1');
ok(!defined $r->{headers}{'retry-after'}, '... and no Retry-After');
like($r->{json}{error} // '', qr/do not retry/, '... the error says so');
is($d->metric('exporter_records_failed_total', exporter => 0,
              data_source => $L7) - $f0, 1, 'failed_total counts it');
my $re = qr/warn: exporter 0 producer 0: 1 messages to "\Q$T\E"/;
like($d->log, qr/$re(?: and others)? failed: Broker: Message size too large/,
     'the log says which failed and why');

$r = $d->post($L7, recs(1), query => 'ack=kafka');
is($r->{status}, 200, 'after the errors: 200 again') or diag($r->{content});
my $q = $d->metric('exporter_records_queued_total', exporter => 0,
                   data_source => $L7);
is($q, $d->metric('exporter_records_delivered_total', exporter => 0,
                  data_source => $L7)
       + $d->metric('exporter_records_failed_total', exporter => 0,
                    data_source => $L7)
       + $d->metric('exporter_records_inflight', exporter => 0,
                    data_source => $L7),
   'queued = delivered + failed + in flight');

is($d->stop, 0, 'dfexport exits 0');
done_testing();
