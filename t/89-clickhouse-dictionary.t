#!/usr/bin/perl
# The universal-tag dictionary from DeepFlow's flow_tag dictionaries
# (dfexport.clickhouse.dictionary-refresh).  flow_tag is filled with the
# entries of t/fixtures/dictionary.json (tables with the dictionaries'
# column names: 18.16 cannot make dictionaries from MySQL) plus one
# soft-deleted region; a follower with both translations on must give
# the messages a daemon with that dictionary as a file gives for a POST
# of the same records (labels sorted by name, the deleted region
# unknown).  A refresh brings new names; without flow_tag no window is
# read and /readyz says why.
use strict;
use warnings;
use JSON::PP;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start consume slurp wait_until);
use DfxCH qw(ch_start);

my $L7 = 'flow_log.l7_flow_log';
my $top = top();
my $JSON = JSON::PP->new->canonical;
my $dict = $JSON->decode(slurp("$top/t/fixtures/dictionary.json"));
my %on = ('export-fields' => [\'$tag', \'$metrics', \'$k8s.label'],
          'enum-translate-to-name-disabled' => 'false',
          'universal-tag-translate-to-name-disabled' => 'false');

sub q_str { my ($s) = @_; $s =~ s/(['\\])/\\$1/g; return "'$s'" }

my $ch = ch_start();
$ch->sql('CREATE DATABASE flow_tag');
for my $m (qw(region_map az_map pod_node_map pod_ns_map pod_group_map pod_map
              pod_cluster_map l3_epc_map subnet_map gprocess_map vtap_map)) {
    $ch->sql("CREATE TABLE flow_tag.$m (id UInt64, name String, "
             . "icon_id Int64) ENGINE = Memory");
    my @v = map { "($_->{id}, " . q_str($_->{name}) . ", 0)" }
            @{ $dict->{$m} };
    $ch->sql("INSERT INTO flow_tag.$m VALUES " . join(', ', @v)) if @v;
}
$ch->sql("INSERT INTO flow_tag.region_map VALUES (9, 'old (deleted)', 0)");
$ch->sql('CREATE TABLE flow_tag.device_map (devicetype UInt64, '
         . 'deviceid UInt64, name String, icon_id Int64) ENGINE = Memory');
$ch->sql('INSERT INTO flow_tag.device_map VALUES ' . join(', ',
         map { "($_->{type}, $_->{id}, " . q_str($_->{name}) . ", 0)" }
         @{ $dict->{device_map} }));
$ch->sql('CREATE TABLE flow_tag.pod_k8s_label_map (id UInt64, key String, '
         . 'value String, l3_epc_id Int64) ENGINE = Memory');
my @lv;
for my $e (@{ $dict->{pod_k8s_label_map} }) {
    for my $i (reverse 0 .. $#{ $e->{label_name} }) {
        push @lv, "($e->{pod_id}, " . q_str($e->{label_name}[$i]) . ', '
                  . q_str($e->{label_value}[$i]) . ', 2)';
    }
}
$ch->sql('INSERT INTO flow_tag.pod_k8s_label_map VALUES ' . join(', ', @lv));

# the same dictionary as a file: labels sorted by name, as flow_tag gives
# them
my %file = %$dict;
for my $e (@{ $file{pod_k8s_label_map} }) {
    my @i = sort { $e->{label_name}[$a] cmp $e->{label_name}[$b] }
            0 .. $#{ $e->{label_name} };
    $e->{label_name} = [ @{ $e->{label_name} }[@i] ];
    $e->{label_value} = [ @{ $e->{label_value} }[@i] ];
}

# call logs whose ids the dictionary knows (and one it knows as deleted)
my @cols = qw(region_id_0 az_id_0 host_id_0 l3_device_type_0 l3_device_id_0
              pod_node_id_0 pod_ns_id_0 pod_group_id_0 pod_id_0
              pod_cluster_id_0 l3_epc_id_0 subnet_id_0 gprocess_id_0
              agent_id auto_instance_type_0 auto_instance_id_0
              region_id_1 pod_id_1);
$ch->sql('CREATE DATABASE flow_log');
$ch->sql("CREATE TABLE flow_log.l7_flow_log (time DateTime('Asia/Shanghai'),"
         . " _id UInt64, end_time Int64, l7_protocol UInt8, "
         . join(', ', map { "$_ Int64" } @cols)
         . ') ENGINE = MergeTree PARTITION BY toStartOfHour(time) '
         . 'ORDER BY time');
my $t0 = time() - 100;
my @rows = ([1, 3, 12, 10, 25547, 201, 32, 117, 25547, 4, 2, 1478, 87215,
             152, 10, 25547, 9, 47570],
            [1, 5, 14, 10, 30001, 202, 14, 205, 30001, 4, 2, 1924, 189133,
             7, 10, 30001, 1, 0]);
my @recs;
for my $i (0 .. $#rows) {
    my $t = $t0 + $i;
    $ch->sql("INSERT INTO flow_log.l7_flow_log VALUES (toDateTime($t), "
             . ($i + 1) . ", ${t}000000, 20, " . join(', ', @{ $rows[$i] })
             . ')');
    my %r = (time => $t, _id => $i + 1, end_time => $t * 1000000,
             l7_protocol => 20, org_id => 1);
    @r{@cols} = @{ $rows[$i] };
    push @recs, $JSON->encode(\%r);
}

my $mock = mock_start();
my $a = dfx_start(
    bootstrap => $mock->bootstrap, exporters => [{ %on }],
    main => { clickhouse => { url => $ch->url, 'checkpoint-dir' => '{DIR}/ck',
                              settle => 0, window => 5, start => $t0 - 10,
                              'dictionary-refresh' => 1 } });
like($a->wait_log(qr/universal-tag dictionary loaded from flow_tag: \S+ \S+, \d+ entries/),
     qr/version \d+/, 'the dictionary is loaded from flow_tag');
my $st = $a->stats;
ok($st->{dictionary}{loaded}, '/stats: a dictionary is loaded');
my @got = sort map { $_->{payload} }
          consume($mock->bootstrap, "deepflow.$L7", scalar(@recs), 30);
is(scalar(@got), scalar(@recs), 'the rows are in Kafka');

my $b = dfx_start(bootstrap => $mock->bootstrap, exporters => [{ %on }],
                  main => { dictionary => '{DIR}/dictionary.json' },
                  files => { 'dictionary.json' => $JSON->encode(\%file) });
my $r = $b->post($L7, join("\n", @recs) . "\n", query => 'dry_run=1');
is($r->{status}, 200, 'dry run with the file') or diag($r->{content});
my @want = sort map { $_->{value} } @{ $r->{json}{results} };
is_deeply(\@got, \@want, 'the messages are those of the same dictionary '
          . 'as a file');
like($got[0], qr/"region_0":"cn-beijing"/, 'names are translated');
like(join('', @got), qr/"k8s_label_names_0":\["app","pod-template-hash","version"\]/,
     'labels sorted by name');
unlike(join('', @got), qr/deleted/, 'a soft-deleted resource has no name');
$b->stop;

# a refresh brings a new region, and a later row uses it
$ch->sql("INSERT INTO flow_tag.region_map VALUES (7, 'cn-shanghai', 0)");
ok(wait_until(20, sub {
    $a->metric('dictionary_loads_total', reason => 'ok') >= 3
    && $a->stats->{dictionary}{entries} > $st->{dictionary}{entries} }),
   'a refresh loads the new entry');
my ($f) = @{ $a->stats->{clickhouse}{followers} };
my $t = $f->{checkpoint} + 1;
$ch->sql("INSERT INTO flow_log.l7_flow_log (time, _id, end_time, region_id_0)"
         . " VALUES (toDateTime($t), 99, ${t}000000, 7)");
my @m = consume($mock->bootstrap, "deepflow.$L7", scalar(@recs) + 1, 30);
my ($new) = grep { $_->{payload} =~ /"_id":99\b/ } @m;
like($new->{payload} // '', qr/"region_0":"cn-shanghai"/,
     'the row after the refresh has the new name');
$a->stop;

# no flow_tag for org 2: nothing read, not ready, and why
$ch->sql('CREATE DATABASE `0002_flow_log`');
$ch->sql("CREATE TABLE `0002_flow_log`.l7_flow_log (time DateTime, "
         . "_id UInt64) ENGINE = MergeTree PARTITION BY toStartOfHour(time) "
         . "ORDER BY time");
$ch->sql("INSERT INTO `0002_flow_log`.l7_flow_log VALUES (toDateTime($t0), 5)");
my $c = dfx_start(
    bootstrap => $mock->bootstrap, ready => 0,
    exporters => [{ %on, topic => 'org2' }],
    main => { clickhouse => { url => $ch->url, 'checkpoint-dir' => '{DIR}/ck',
                              settle => 0, window => 5, start => $t0 - 10,
                              orgs => [2], 'dictionary-refresh' => 1,
                              'retry-max' => 1 } });
ok(wait_until(20, sub {
    $a->metric('dictionary_loads_total', reason => 'error', from =>
               $c->metrics) >= 2 }), 'the failed loads are counted');
$r = $c->admin_get('/readyz');
is($r->{status}, 503, 'not ready without a dictionary');
like($r->{content}, qr/no universal-tag dictionary yet: 0002_flow_tag\.region_map: http: HTTP/,
     '...saying why');
is($mock->count('org2'), 0, 'no window is read before the dictionary');
my @w = $c->log =~ /(cannot load the universal-tag dictionary)/g;
is(scalar(@w), 1, 'the failure is logged once');
$c->stop;

done_testing();
