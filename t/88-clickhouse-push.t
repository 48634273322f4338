#!/usr/bin/perl
# Push: dfexport --push-sql prints a URL table and a materialized view
# for DeepFlow's _local table; run on a real clickhouse-server (Debian's
# 18.16, which sends no Content-Type and takes only 200 as success), a
# row inserted into the _local table reaches Kafka as the message a POST
# of the same record gives.  With dfexport down, the insert fails: the
# coupling doc/clickhouse.md warns about.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use File::Temp qw(tempdir);
use Dfx qw(mock_start dfx_start dfx_conf consume spew build_dir top);
use DfxCH qw(ch_start);

my $L7 = 'flow_log.l7_flow_log';
my $ch = ch_start();
$ch->sql('CREATE DATABASE flow_log');
$ch->sql("CREATE TABLE flow_log.l7_flow_log_local (
    time DateTime('Asia/Shanghai'), _id UInt64, start_time Int64,
    end_time Int64, ip4_0 UInt32, ip6_0 FixedString(16), is_ipv4 UInt8,
    l7_protocol UInt8, request_domain String, endpoint String,
    request_id Nullable(UInt64), response_duration UInt64, rtt Float64,
    metrics_names Array(String), metrics_values Array(Float64),
    trace_id_index UInt64)
  ENGINE = MergeTree PARTITION BY toStartOfHour(time) ORDER BY time");

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap);

# --push-sql reads the columns from dfexport.clickhouse
my $dir = tempdir('dfx-push-XXXXXX', TMPDIR => 1, CLEANUP => 1);
symlink(top() . '/conf/enum', "$dir/enum");
my $conf = dfx_conf(main => { clickhouse => {
                        url => $ch->url, 'checkpoint-dir' => "$dir/ck" } });
$conf =~ s/\{BOOTSTRAP\}/127.0.0.1:9/g;
spew("$dir/dfexport.yaml", $conf);
my $target = 'http://' . $d->ingest;
my $bin = build_dir() . '/dfexport';
my $sql = `$bin -c $dir/dfexport.yaml --push-sql $target 2>$dir/err`;
is($? >> 8, 0, '--push-sql: exit 0') or diag(`cat $dir/err`);
like($sql, qr/ENGINE = URL\('\Q$target\E\/v1\/ingest\/$L7\?format=clickhouse', JSONEachRow\)/,
     'a URL table for the data source');
like($sql, qr/FROM `flow_log`\.`l7_flow_log_local`/,
     'a view on the table DeepFlow inserts into');
unlike($sql, qr/trace_id_index/, 'ClickHouse-only columns are not pushed');

my $bad = `$bin -c $dir/dfexport.yaml --push-sql 'http://x/?a=1' 2>&1`;
is($? >> 8, 1, 'a target with a query: exit 1');
like($bad, qr/--push-sql: expected dfexport's ingest URL/, '...saying why');

# run it, statement by statement (the HTTP interface takes one at a time)
my $body = join("\n", grep { !/^--/ } split(/\n/, $sql));
for my $stmt (grep { /\S/ } split(/;\n/, $body)) {
    $ch->sql($stmt);
}
pass('the SQL runs on ClickHouse ' . $ch->sql('SELECT version()'));

# one row, as DeepFlow would insert it
my $ins = "INSERT INTO flow_log.l7_flow_log_local (time, _id, start_time, "
        . "end_time, ip4_0, ip6_0, is_ipv4, l7_protocol, request_domain, "
        . "endpoint, request_id, response_duration, rtt, metrics_names, "
        . "metrics_values, trace_id_index) VALUES (toDateTime(1700000001), "
        . "7301444403200000124, 1700000000500000, 1700000001000000, "
        . "IPv4StringToNum('10.0.0.1'), IPv6StringToNum('::'), 1, 20, "
        . "'example.com', '/api', NULL, 500000, 3, ['a'], [1.5], 9)";
$ch->sql($ins);
my ($m) = consume($mock->bootstrap, "deepflow.$L7", 1, 20);
ok($m, 'the row reached Kafka');

# what a POST of the same record gives
my $rec = '{"time":1700000001,"_id":7301444403200000124,'
        . '"start_time":1700000000500000,"end_time":1700000001000000,'
        . '"ip4_0":"10.0.0.1","is_ipv4":1,"l7_protocol":20,'
        . '"request_domain":"example.com","end_point":"/api",'
        . '"response_duration":500000,"rtt":3,"metrics_names":["a"],'
        . '"metrics_values":[1.5],"org_id":1}';
my $r = $d->post($L7, "$rec\n", query => 'dry_run=1');
is($r->{status}, 200, 'dry run of the same record');
my $want = $r->{json}{results}[0]{value};
ok(defined $want, 'the dry run shows the message') or diag($r->{content});
is($m->{payload}, $want, 'pushed: the message a POST gives');
is($d->metric('records_accepted_total', data_source => $L7), 1,
   'counted as one accepted record');

# the coupling: with dfexport down, DeepFlow's insert fails
$d->stop;
my $fail = eval { $ch->sql($ins); 1 } ? '' : $@;
like($fail, qr/Connection refused|Poco|Code: 1000/,
     'dfexport down: the insert into the _local table fails') or diag($fail);

done_testing();
