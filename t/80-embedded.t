#!/usr/bin/perl
# The README's first run: `dfexport --embedded-kafka` with the shipped
# conf/dfexport.yaml (ports changed to 0), the example l7 records POSTed,
# and read back with kcat from the embedded cluster's bootstrap.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top dfx_start consume slurp slurp_lines);

my $top = top();
my $L7 = 'flow_log.l7_flow_log';
my $conf = slurp("$top/conf/dfexport.yaml");
ok($conf =~ s/^(\s*listen:\s*)127\.0\.0\.1:8480\b/${1}127.0.0.1:0/m,
   'conf/dfexport.yaml: listen set to port 0');
ok($conf =~ s/^(\s*admin-listen:\s*)127\.0\.0\.1:8481\b/${1}127.0.0.1:0/m,
   'conf/dfexport.yaml: admin-listen set to port 0');

my $d = dfx_start(conf => $conf, args => ['--embedded-kafka']);
my $log = $d->log;
like($log, qr/notice: embedded kafka bootstrap (127\.0\.0\.1:\d+)(?:,|\n)/,
     'log: notice: embedded kafka bootstrap HOST:PORT');
my $bs = $d->bootstrap;
ok($bs, "bootstrap $bs");
my $stats = $d->stats;
is($stats->{embedded_kafka}, $bs, '/stats embedded_kafka is the bootstrap');
is_deeply($stats->{listen}, [ $d->ingest ], '/stats listen');
is_deeply($stats->{admin_listen}, [ $d->admin ], '/stats admin_listen');

my @recs = slurp_lines("$top/conf/examples/$L7.ndjson");
my $r = $d->post($L7, join("\n", @recs) . "\n", query => 'ack=kafka');
is($r->{status}, 200, 'the example records, ?ack=kafka: 200')
    or diag($r->{content});
is($r->{json}{accepted}, scalar(@recs), 'all accepted');
is($r->{json}{delivered}, scalar(@recs), 'all delivered before the answer');

my @got = consume($bs, "deepflow.$L7", scalar(@recs), 20);
is(scalar(@got), scalar(@recs), 'kcat reads them back from the embedded '
   . 'cluster');
my ($mysql) = grep { /"_id":7301444403200000123,/ }
              map { $_->{payload} } @got;
# the shipped config: translations on, no dictionary (raw ids)
like($mysql // '', qr/\A\{"datasource":"flow_log\.l7_flow_log",/,
     'a DeepFlow message');
like($mysql // '', qr/"l7_protocol":"MySQL",/, 'enums translated');
like($mysql // '', qr/"region_id_0":1,"region_id_1":1,/,
     'no dictionary: raw ids');
like($log, qr/warn: no universal-tag dictionary/,
     'the shipped config warns that it has no dictionary');

is($d->stop, 0, 'dfexport exits 0');
done_testing();
