#!/usr/bin/perl
# A short scenario under valgrind (memcheck, full leak check): POSTs (one
# acked by Kafka, one gzip-encoded), a bad record, a dictionary PUT, a
# reload, then SIGTERM: no error, no leak, exit 0.  Then a ClickHouse
# follower (against the scripted stand-in): windows read and acknowledged,
# a failed try, SIGTERM in the middle of following.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start dfx_conf consume slurp slurp_lines
           wait_until);
use DfxCH qw(fake_start);

if ($ENV{DFX_SANITIZED}) {
    plan skip_all => 'DFX_SANITIZED=1: an ASan/UBSan build cannot run under '
                     . 'valgrind';
}
if (system('valgrind --version >/dev/null 2>&1') != 0) {
    plan skip_all => 'valgrind is not installed';
}

my $top = top();
my $L7 = 'flow_log.l7_flow_log';
my @l7 = slurp_lines("$top/conf/examples/$L7.ndjson");
my %on = ('enum-translate-to-name-disabled' => 'false',
          'universal-tag-translate-to-name-disabled' => 'false');

my $mock = mock_start();
my %o = (main => { dictionary => "$top/t/fixtures/dictionary.json",
                   workers => 2 });
my $d = dfx_start(bootstrap => $mock->bootstrap, valgrind => 1, %o,
                  exporters => [{ %on, topic => 'vg.one' }]);

my $r = $d->post($L7, join("\n", @l7) . "\n");
is($r->{status}, 202, 'NDJSON: 202');
$r = $d->post($L7, '[' . join(',', @l7) . ']', type => 'json',
              query => 'ack=kafka');
is($r->{status}, 200, 'JSON array, ack=kafka: 200') or diag($r->{content});
$r = $d->post($L7, join("\n", @l7) . "\n", gzip => 1);
is($r->{status}, 202, 'gzip: 202');
$r = $d->post($L7, qq($l7[0]\n{"_id":"bad"}\n{"time":1,\n));
is($r->{status}, 202, 'bad records among good ones: 202');
is($r->{json}{rejected}, 2, 'bad records: 2 rejected');
is($d->post($L7, '{"_id":', type => 'json')->{status}, 400,
   'malformed JSON body: 400');
is($d->post($L7, (("$l7[0]\n") x 1) . ('[' x 40) . "\n")->{status}, 413,
   'too deep: 413');
$r = $d->post($L7, "$l7[0]\n", query => 'dry_run=1');
is($r->{status}, 200, 'dry run: 200');

my $dict = slurp("$top/t/fixtures/dictionary.json");
$dict =~ s/"version": 1,/"version": 3,/;
is($d->admin_req('PUT', '/v1/dictionary', $dict)->{status}, 200,
   'dictionary PUT: 200');
is($d->admin_req('PUT', '/v1/dictionary', '{"az_map":{}}')->{status}, 400,
   'bad dictionary PUT: 400');
is($d->admin_get('/metrics')->{status}, 200, '/metrics');
is($d->admin_get('/stats')->{status}, 200, '/stats');

is($d->reload(dfx_conf(%o, exporters => [{ %on, topic => 'vg.two' }]),
              bootstrap => $mock->bootstrap, timeout => 30), 'ok',
   'reload: done');
$r = $d->post($L7, "$l7[0]\n", query => 'ack=kafka');
is($r->{status}, 200, 'after the reload: 200') or diag($r->{content});
is($d->reload("ingester: [\n", timeout => 30), 'failed',
   'reload with a bad config: failed');

is($mock->wait_count('vg.one', 4 + 4 + 4 + 1, 30), 13,
   'vg.one: every accepted record');
is($mock->count('vg.two'), 1, 'vg.two: the record after the reload');

my $st = $d->stop(timeout => 60);
is($st, 0, 'exit status 0 under valgrind (errors would make it 99)');

# ---- the ClickHouse follower --------------------------------------------
my $W = 5;
my $base = int(time() / $W) * $W - 6 * $W;
my $fake = fake_start(
    mode => '500',
    columns => [[qw(time DateTime)], [qw(_id UInt64)], [qw(end_time Int64)],
                [qw(tag_source_0 UInt8)]],
    rows => sub {
        my ($from, $to) = @_;
        return [ map { "{\"time\":$_,\"_id\":$_,\"end_time\":${_}000000}" }
                 $from .. $to - 1 ];
    });
my $c = dfx_start(bootstrap => $mock->bootstrap, valgrind => 1, ready => 0,
                  exporters => [{ topic => 'vg.ch' }],
                  main => { clickhouse => {
                      url => $fake->url, 'checkpoint-dir' => '{DIR}/ck',
                      settle => 0, window => $W, start => $base,
                      'retry-max' => 1 } });
ok(wait_until(60, sub {
    $c->metric('clickhouse_errors_total', data_source => $L7,
               reason => 'http') >= 1 }), 'follower: a failed try');
$fake->mode('ok');
ok($mock->wait_count('vg.ch', 6 * $W, 60) >= 6 * $W,
   'follower: the rows of six windows in Kafka');
$st = $c->stop(timeout => 60);
is($st, 0, 'follower: exit status 0 under valgrind');
$fake->stop;
done_testing();
