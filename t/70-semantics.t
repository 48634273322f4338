#!/usr/bin/perl
# The semantics through the real pipeline: exporters with different tag
# filters and topics on one data source, export-fields by sub-category
# and name, ?dry_run (answers, produces nothing), the dictionary replaced
# on the admin listener, the `key` extension, and DeepFlow's name and
# category rules of export-fields on network and event data sources.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start dfx_conf dfx_check_conf consume slurp
           slurp_lines);

my $L7 = 'flow_log.l7_flow_log';
my $top = top();
# MySQL (60, port 3306, to 10.244.2.41), HTTP 404 (20, port 8080, to
# 10.244.2.41), OTel span (20, port 0), gRPC over IPv6 (41, port 9090)
my @l7 = slurp_lines("$top/conf/examples/$L7.ndjson");
my %id = (mysql => '7301444403200000123', http => '7301444403200000456',
          otel => '7301444407495000789', grpc => '7301444420000000999');

my %on = ('enum-translate-to-name-disabled' => 'false',
          'universal-tag-translate-to-name-disabled' => 'false');
my $filter = sub {
    my ($cond, @f) = @_;
    return [ { 'tag-filter-condition' => { type => $cond },
               'tag-filters' => [ map { { 'field-name' => $_->[0],
                                          operator => $_->[1],
                                          'field-values' => $_->[2] } }
                                  @f ] } ];
};
my @exporters = (
    # 0: MySQL only, names translated
    { %on, topic => 'sem.mysql',
      'tag-filters-groups' => $filter->('and',
                                        ['biz_protocol', '=', ['MySQL']]) },
    # 1: HTTP (20) or gRPC-over-HTTP2 (21) on port 8080 or 0, keyed by trace
    { topic => 'sem.http', key => 'trace_id',
      'tag-filters-groups' => $filter->('and',
                                        ['l7_protocol', 'in', [20, 21]],
                                        ['server_port', 'in', [8080, 0]]) },
    # 2: the server 10.244.2.41, written as DeepFlow's integer form
    { topic => 'sem.ip',
      'tag-filters-groups' => $filter->('or', ['ip4_1', '=', [183763497]],
                                        ['ip6_1', '=', ['fd00::ffff']]) },
    # 3: flow_info tags, plus two fields by name
    { topic => 'sem.fields',
      'export-fields' => [\'$tag.flow_info', 'response_code',
                          'capture_nic_type'] },
);

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap, exporters => \@exporters,
                  main => { dictionary => '{DIR}/dictionary.json' },
                  files => { 'dictionary.json'
                             => slurp("$top/t/fixtures/dictionary.json") });
my @topics = qw(sem.mysql sem.http sem.ip sem.fields);

# ---- ?dry_run: the exact messages, and nothing produced ---------------------

my $r = $d->post($L7, join("\n", @l7) . "\n", query => 'dry_run=1');
is($r->{status}, 200, 'dry run: 200');
my $j = $r->{json} // {};
ok($j->{dry_run}, 'dry run: says so');
is_deeply([ @$j{qw(accepted filtered rejected)} ], [4, 0, 0],
          'dry run: counts as a real request would');
my @res = @{ $j->{results} // [] };
is(scalar(@res), 4 * @exporters, 'dry run: one result per record and '
   . 'exporter');
my %dry;        # "record/exporter" => result
$dry{"$_->{record}/$_->{exporter}"} = $_ for @res;
is($dry{'3/0'}{filtered}, 'tag-filters-groups[0] did not match',
   'dry run: the gRPC record is filtered by exporter 0, and why');
is($dry{'0/1'}{filtered}, 'tag-filters-groups[0] did not match',
   'dry run: the MySQL record is filtered by exporter 1, and why');
is($dry{'0/0'}{topic}, 'sem.mysql', 'dry run: the topic');
is($dry{'1/1'}{key}, '4bf92f3577b34da6a3ce929d0e0e4736',
   'dry run: the key');
is($dry{'0/0'}{key}, undef, 'dry run: null key without the key option');
is($dry{'1/0'}{line}, 2, 'dry run: the line of the record');
for my $t (@topics) {
    is($mock->count($t), 0, "dry run: nothing produced to $t");
}
is($d->metric('exporter_records_queued_total', exporter => 0,
              data_source => $L7), 0, 'dry run: nothing queued');

# ---- the same records for real ----------------------------------------------

$r = $d->post($L7, join("\n", @l7) . "\n", query => 'ack=kafka');
is($r->{status}, 200, 'real request: 200') or diag($r->{content});
is_deeply([ @{ $r->{json} }{qw(accepted filtered rejected)} ], [4, 0, 0],
          'real request: 4 accepted (each by some exporter)');
my %got;
my %n = ('sem.mysql' => 1, 'sem.http' => 2, 'sem.ip' => 2, 'sem.fields' => 4);
for my $t (@topics) {
    $got{$t} = [ consume($mock->bootstrap, $t, $n{$t}) ];
    is($mock->count($t), $n{$t}, "$t: $n{$t} messages");
}
sub ids { [ sort map { $_->{payload} =~ /"_id":(\d+)/ } @{ $_[0] } ] }
is_deeply(ids($got{'sem.mysql'}), [ $id{mysql} ],
          'exporter 0 (biz_protocol = MySQL): the MySQL record');
is_deeply(ids($got{'sem.http'}), [ sort @id{qw(http otel)} ],
          'exporter 1 (l7_protocol in [20, 21] and server_port in [8080, '
          . '0]): HTTP and OTel');
is_deeply(ids($got{'sem.ip'}), [ sort @id{qw(mysql http)} ],
          'exporter 2 (ip4_1 = 183763497): the two records to 10.244.2.41');
is_deeply(ids($got{'sem.fields'}), [ sort values %id ],
          'exporter 3 (no filter): all four');

# the dry run showed exactly what was produced
for my $k (sort keys %dry) {
    my ($rec, $e) = split(m{/}, $k);
    my $res = $dry{$k};
    next if $res->{filtered};
    my ($want) = grep { $_->{payload} eq $res->{value} }
                 @{ $got{ $res->{topic} } };
    ok($want, "dry run record $rec, exporter $e: the value is the message "
       . 'produced for real');
}

# translations and names on exporter 0
my ($mysql) = map { $_->{payload} } @{ $got{'sem.mysql'} };
like($mysql, qr/"region_0":"cn-beijing","region_1":"cn-beijing",/,
     'exporter 0: regions translated from the dictionary file');
like($mysql, qr/"l7_protocol":"MySQL",/, 'exporter 0: enums translated');

# export-fields by sub-category and by name
my ($fields) = grep { /"_id":$id{mysql},/ }
               map { $_->{payload} } @{ $got{'sem.fields'} };
is($fields, '{"datasource":"flow_log.l7_flow_log","_id":7301444403200000123,'
            . '"response_code":0,"time":1700000000,'
            . '"flow_id":3862646640075261114,"capture_nic_type":0,'
            . '"start_time":1700000000139676,"end_time":1700000000140891,'
            . '"biz_type":0,"org_id":1,"team_id":1,'
            . '"time_str":"2023-11-14 22:13:20.140891 +0000 UTC"}',
   'export-fields [$tag.flow_info, response_code, capture_nic_type]: '
   . 'flow_info, tags without a known sub-category, the named fields');

# ---- the key extension ------------------------------------------------------

my %keys = map { ($_->{payload} =~ /"_id":(\d+)/)[0] => $_->{key} }
           @{ $got{'sem.http'} };
is($keys{ $id{http} }, '4bf92f3577b34da6a3ce929d0e0e4736',
   'key: trace_id of the HTTP record');
is($keys{ $id{otel} }, '0af7651916cd43dd8448eb211c80319c',
   'key: trace_id of the OTel span');
my @nokey = grep { defined $_->{key} } @{ $got{'sem.mysql'} },
                                       @{ $got{'sem.ip'} };
is(scalar(@nokey), 0, 'no key option: null keys');

# ---- the dictionary replaced on the admin listener --------------------------

my $dict = slurp("$top/t/fixtures/dictionary.json");
$dict =~ s/"name": "cn-beijing"/"name": "cn-north-1"/ or die;
$dict =~ s/"version": 1,/"version": 2,/ or die;
$r = $d->admin_req('PUT', '/v1/dictionary', $dict);
is($r->{status}, 200, 'PUT /v1/dictionary: 200') or diag($r->{content});
is($r->{json}{version}, 2, 'PUT /v1/dictionary: the new version');
like($d->log, qr/notice: admin: dictionary replaced: version 2,/,
     'the log says the dictionary was replaced');
is($d->post($L7, "$l7[0]\n", query => 'ack=kafka')->{status}, 200,
   'the MySQL record again');
my @m = consume($mock->bootstrap, 'sem.mysql', 2);
ok(@m == 2 && $m[-1]{payload} ne $m[0]{payload}, 'a second message');
my ($new) = grep { /cn-north-1/ } map { $_->{payload} } @m;
ok($new && $new =~ /"region_0":"cn-north-1","region_1":"cn-north-1",/,
   'the next record carries the new names');

# a bad dictionary is refused and the current one stays
$r = $d->admin_req('PUT', '/v1/dictionary', '{"region_map": 5}');
is($r->{status}, 400, 'PUT of an invalid dictionary: 400');
like($r->{json}{error} // '', qr/region_map/, 'PUT 400: says what is wrong');
is($d->post($L7, "$l7[0]\n", query => 'ack=kafka')->{status}, 200,
   'the MySQL record a third time');
@m = consume($mock->bootstrap, 'sem.mysql', 3);
is(scalar(grep { /"region_0":"cn-north-1"/ } map { $_->{payload} } @m), 2,
   'the refused dictionary changed nothing');
is($d->admin_req('GET', '/v1/dictionary')->{status}, 405,
   'GET /v1/dictionary: 405');

is($d->stop, 0, 'dfexport exits 0');

# ---- export-fields: map names and $tag.event_info ---------------------------

# DeepFlow compares an export-fields name with a field's Name and its
# MapName on every data source: on network (which emits the Name) the
# client side's map name region_id_0 selects region_id.  The server side
# (region_id_1) is no field of network: an entry that names nothing.
my $NET = 'flow_metrics.network.1m';
my $FE = 'event.file_event';
for my $case ([['region_id_0', 'ip4_0'], 0], [['region_id_1'], 1]) {
    my ($xf, $want) = @$case;
    my $conf = dfx_conf(data_sources => [$NET],
                        exporters => [{ 'export-fields' => $xf }]);
    $conf =~ s/\{BOOTSTRAP\}/127.0.0.1:9092/;
    my ($st, $out) = dfx_check_conf($conf);
    is($st, $want, "export-fields [@$xf] on $NET: -t "
                   . ($want ? 'fails' : 'passes')) or diag($out);
}
my $d2 = dfx_start(
    bootstrap => $mock->bootstrap,
    main => { dictionary => '{DIR}/dictionary.json' },
    files => { 'dictionary.json' => slurp("$top/t/fixtures/dictionary.json") },
    exporters => [
        { topic => 'sem.mapname', 'data-sources' => [$NET],
          'export-fields' => ['region_id_0', 'ip4_0', 'pod_id_0'] },
        { %on, topic => 'sem.mapname.names', 'data-sources' => [$NET],
          'export-fields' => ['region_id_0'] },
        { topic => 'sem.event_info', 'data-sources' => [$FE],
          'export-fields' => [\'$tag.event_info'] },
    ]);
my @net = slurp_lines("$top/conf/examples/$NET.ndjson");
my @fe = slurp_lines("$top/conf/examples/$FE.ndjson");
is($d2->post($NET, "$net[0]\n", query => 'ack=kafka')->{status}, 200,
   "a $NET record");
is($d2->post($FE, "$fe[0]\n", query => 'ack=kafka')->{status}, 200,
   "an $FE record");
my %one = map { $_ => (consume($mock->bootstrap, $_, 1))[0]{payload} }
          qw(sem.mapname sem.mapname.names sem.event_info);
is($one{'sem.mapname'},
   '{"datasource":"flow_metrics.network.1m","ip4":"10.244.1.23",'
   . '"region_id":1,"pod_id":25547,'
   . '"time_str":"2023-11-14 22:13:00 +0000 UTC"}',
   "export-fields [region_id_0, ip4_0, pod_id_0] on $NET: ip4, region_id, "
   . 'pod_id under their network keys');
is($one{'sem.mapname.names'},
   '{"datasource":"flow_metrics.network.1m","region":"cn-beijing",'
   . '"time_str":"2023-11-14 22:13:00 +0000 UTC"}',
   "export-fields [region_id_0] on $NET, translated: region");
# $tag.event_info alone: the event_info fields, and the tags with no
# sub-category (org_id, team_id), as any $tag.<sub> brings them
is($one{'sem.event_info'},
   '{"datasource":"event.file_event","event_type":"write","org_id":1,'
   . '"team_id":1,"file_name":"app.log","file_type":1,"offset":1048576,'
   . '"mount_source":"/dev/vda1","mount_point":"/",'
   . '"file_dir":"/var/log/order-svc/","access_permission":420,'
   . '"time_str":"2023-11-14 22:13:23.00035 +0000 UTC"}',
   'export-fields [$tag.event_info]: event_info fields, org_id, team_id');
is($d2->stop, 0, 'second dfexport exits 0');

done_testing();
