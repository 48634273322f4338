#!/usr/bin/perl
# A message Kafka will never take (larger than the producer's
# message.max.bytes) is a per-record rejection with the record's line and
# column, in every ack mode and in dry runs, checked before anything is
# queued: never a 503 with Retry-After that a client would retry forever
# (issue 9).  The counters still reconcile.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(mock_start dfx_start);

my $L7 = 'flow_log.l7_flow_log';
my $T = "deepflow.$L7";

sub rec {
    my ($id, $pad) = @_;
    return qq({"_id":$id,"time":1700000000,"end_time":1700000000000000)
           . ($pad ? qq(,"request_resource":") . ('x' x $pad) . '"' : '')
           . '}';
}

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap,
                  exporters => [{ librdkafka => {
                                      'message.max.bytes' => '2000' } }]);

my $sent = 0;
for my $ack (qw(queued kafka)) {
    my $body = join("\n", rec(1), rec(2, 3000), rec(3)) . "\n";
    my $r = $d->post($L7, $body, query => "ack=$ack");
    is($r->{status}, $ack eq 'kafka' ? 200 : 202,
       "ack=$ack: the request is answered as a success");
    ok(!defined $r->{headers}{'retry-after'}, '... with no Retry-After');
    my $j = $r->{json} // {};
    is_deeply([$j->{accepted}, $j->{rejected}], [2, 1],
              '... 2 accepted, 1 rejected');
    my $e = ($j->{errors} // [])->[0] // {};
    is_deeply([$e->{record}, $e->{line}, $e->{column}], [1, 2, 1],
              '... record 1, line 2, column 1');
    like($e->{error} // '', qr/message\.max\.bytes \(2000\)/,
         '... the reason names message.max.bytes');
    ok(!$j->{failed}, '... nothing failed in Kafka');
    $sent += 2;
    is($mock->wait_count($T, $sent), $sent, '... the other 2 delivered');
}

# a JSON array: the record's own line and column
my $r = $d->post($L7, "[\n  " . rec(4) . ",\n  " . rec(5, 3000) . "\n]",
                 type => 'json');
is($r->{status}, 202, 'JSON array: 202');
my $e = (($r->{json} // {})->{errors} // [])->[0] // {};
is_deeply([$e->{record}, $e->{line}, $e->{column}], [1, 3, 3],
          '... the too-large record at line 3, column 3');
$sent += 1;

# only too-large records: 422, as for any request whose records are all
# invalid
$r = $d->post($L7, rec(6, 3000) . "\n", query => 'ack=kafka');
is($r->{status}, 422, 'every record too large: 422');
ok(!defined $r->{headers}{'retry-after'}, '... with no Retry-After');

# a dry run says so too
$r = $d->post($L7, rec(7) . "\n" . rec(8, 3000) . "\n", query => 'dry_run=1');
is($r->{status}, 200, 'dry run: 200');
my $dry = $r->{content} // '';
like($dry, qr/message\.max\.bytes/, '... the too-large record is listed as '
                                    . 'rejected with the reason');

# just under the limit is taken (the check is not stricter than
# librdkafka's)
sub value_len {
    my ($pad) = @_;
    my $r = $d->post($L7, rec(9, $pad) . "\n", query => 'dry_run=1');
    my ($v) = ($r->{content} // '') =~ /"value":("(?:[^"\\]|\\.)*")/;
    return defined $v ? length(Dfx::json_decode($v)) : -1;
}
my $pad = 1 + (2000 - 36) - value_len(1);
is(value_len($pad), 2000 - 36, 'dry run: a value of message.max.bytes less '
                               . 'the record overhead (36)');
$r = $d->post($L7, rec(9, $pad) . "\n");
is_deeply([$r->{status}, ($r->{json} // {})->{accepted}], [202, 1],
          '... is taken (the check is not stricter than librdkafka\'s)');
$r = $d->post($L7, rec(9, $pad + 1) . "\n");
is_deeply([$r->{status}, ($r->{json} // {})->{rejected}], [422, 1],
          '... one byte more is rejected');
$sent += 1;
is($mock->wait_count($T, $sent), $sent, '... and delivered');

my $m = $d->metrics;
my $got = sub { $d->metric($_[0], data_source => $L7, from => $m) };
is($got->('records_received_total'),
   $got->('records_accepted_total') + $got->('records_filtered_total')
   + $got->('records_rejected_total'),
   'received = accepted + filtered + rejected');
is($got->('records_rejected_total'), 5, '5 rejected (dry runs count nothing)');
is($d->metric('exporter_records_failed_total', exporter => 0,
              data_source => $L7, from => $m), 0, 'no message failed');
is($d->metric('exporter_records_queued_total', exporter => 0,
              data_source => $L7, from => $m), $sent,
   "$sent messages queued, all delivered");
$d->stop;

done_testing();
