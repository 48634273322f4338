#!/usr/bin/perl
# Follow DeepFlow's ClickHouse: a real clickhouse-server (Debian's 18.16)
# holds tables with DeepFlow's names and column names, filled with the
# records of conf/examples/; dfexport follows them and what reaches Kafka
# must be byte for byte what a POST of the same records produces
# (t/fixtures/ingest/, the messages t/10 checks against a POST).
#
# The tables use the types DeepFlow's DDL has where 18.16 has them, and
# DeepFlow's old ones where it does not: DateTime('Asia/Shanghai') for
# time, UInt32 for IPv4 (as DeepFlow had before the IPv4 type),
# FixedString(16) for IPv6, UInt64 MACs, Float64 for the latency sums,
# Nullable for the nullable l7 fields; ClickHouse's own spellings
# (endpoint, _trace_id_2, nat_real_ip4_0, _tid) and ClickHouse-only
# columns (tag_source_0, trace_id_index, packet); no org_id column (the
# org comes from the database).
use strict;
use warnings;
use B;
use JSON::PP;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start consume slurp slurp_lines wait_until);
use DfxCH qw(ch_start);

my @DS = qw(flow_log.l7_flow_log flow_log.l4_flow_log
            flow_metrics.network.1m flow_metrics.application.1m);

my %DB = ('flow_log.l7_flow_log' => ['flow_log', 'l7_flow_log'],
          'flow_log.l4_flow_log' => ['flow_log', 'l4_flow_log'],
          'flow_metrics.network.1m' => ['flow_metrics', 'network.1m'],
          'flow_metrics.application.1m' => ['flow_metrics',
                                            'application.1m']);

# the exporter's name -> ClickHouse's column name
my %RENAME = (end_point => 'endpoint', trace_id_2 => '_trace_id_2',
              nat_real_ip_0 => 'nat_real_ip4_0',
              nat_real_ip_1 => 'nat_real_ip4_1', thread_id => '_tid');
my %FLOAT = map { $_ => 1 } qw(rtt rtt_client rtt_server tls_rtt srt_sum
                               art_sum rrt_sum cit_sum rtt_sum
                               rtt_client_sum rtt_server_sum);
my %NULLABLE = map { $_ => 1 } qw(request_id response_code span_kind
                                  request_length response_length
                                  sql_affected_rows);
my %ONLY = ('flow_log.l7_flow_log' => ['trace_id_index UInt64', 9],
            'flow_log.l4_flow_log' => ['tag_source_0 UInt8', 3],
            'flow_metrics.network.1m' => ['packet UInt64', 77],
            'flow_metrics.application.1m' => ['is_key_service UInt8', 1]);

my $JSON = JSON::PP->new->allow_bignum->canonical;

sub is_num {
    my ($v) = @_;
    return 1 if ref $v && ref $v =~ /^Math::Big/;
    my $f = B::svref_2object(\$v)->FLAGS;
    return ($f & (B::SVp_IOK | B::SVp_NOK)) && !($f & B::SVp_POK);
}

sub q_str {
    my ($s) = @_;
    $s =~ s/(['\\])/\\$1/g;
    return "'$s'";
}

# The column type and the SQL literal of one value.
sub column_of {
    my ($k, $vals) = @_;
    my ($type, $conv);
    my @set = grep { defined } @$vals;
    my $v = $set[0];
    if ($k eq 'time') {
        return ("DateTime('Asia/Shanghai')", sub { "toDateTime($_[0])" });
    }
    if ($k =~ /^(start_time|end_time)$/) {
        return ('Int64', sub { "$_[0]" });
    }
    if ($k =~ /^mac_[01]$/) {
        return ('UInt64', sub { "MACStringToNum(" . q_str($_[0]) . ")" });
    }
    if ($k =~ /ip6/) {
        return ('FixedString(16)',
                sub { "IPv6StringToNum(" . q_str($_[0]) . ")" });
    }
    if (defined $v && !ref $v && !is_num($v)
        && $v =~ /^\d+\.\d+\.\d+\.\d+$/)
    {
        return ('UInt32', sub { "IPv4StringToNum(" . q_str($_[0]) . ")" });
    }
    if (ref $v eq 'ARRAY' || (!defined $v && $k =~ /^(attribute|metrics)_/)
        || $k =~ /^(attribute|metrics)_(names|values)$/) {
        my $num = $k eq 'metrics_values';
        return ($num ? 'Array(Float64)' : 'Array(String)', sub {
            '[' . join(',', map { $num ? "$_" : q_str($_) } @{ $_[0] })
            . ']' });
    }
    if (JSON::PP::is_bool($v)) {
        return ('UInt8', sub { $_[0] ? 1 : 0 });
    }
    if (defined $v && is_num($v)) {
        my $big = grep { "$_" =~ /^\d{19,}$/ && "$_" gt '9223372036854775807' }
                  @set;
        my $t = $FLOAT{$k} ? 'Float64' : $big ? 'UInt64' : 'Int64';
        $t = "Nullable($t)" if $NULLABLE{$k};
        return ($t, sub { defined $_[0] ? "$_[0]" : 'NULL' });
    }
    if ($NULLABLE{$k}) {
        return ('Nullable(Int64)', sub { defined $_[0] ? "$_[0]" : 'NULL' });
    }
    return ('String', sub { q_str($_[0]) });
}

my $top = top();
my $ch = ch_start(tls => 1);
my %n;
my $tmin;
for my $ds (@DS) {
    my ($db, $table) = @{ $DB{$ds} };
    my @recs = map { $JSON->decode($_) }
               slurp_lines("$top/conf/examples/$ds.ndjson");
    $n{$ds} = @recs;
    my %keys;
    for my $r (@recs) {
        delete $r->{org_id};
        $keys{$_} = 1 for keys %$r;
        $tmin = $r->{time} if !defined $tmin || $r->{time} < $tmin;
    }
    my @keys = sort keys %keys;
    my (@cols, @conv);
    for my $k (@keys) {
        my ($type, $conv) = column_of($k, [ map { $_->{$k} } @recs ]);
        push @cols, '`' . ($RENAME{$k} // $k) . "` $type";
        push @conv, $conv;
    }
    my ($only, $only_v) = @{ $ONLY{$ds} };
    $ch->sql("CREATE DATABASE IF NOT EXISTS $db");
    $ch->sql("CREATE TABLE $db.`$table` (" . join(', ', @cols, $only)
             . ") ENGINE = MergeTree PARTITION BY toStartOfHour(time) "
             . "ORDER BY time");
    for my $r (@recs) {
        my @v;
        for my $i (0 .. $#keys) {
            my $k = $keys[$i];
            my ($type) = $cols[$i] =~ /` (.*)$/;
            if (!exists $r->{$k}) {
                push @v, $type =~ /^Nullable/ ? 'NULL'
                         : $type =~ /^Array/ ? '[]'
                         : $type =~ /^(String|FixedString)/ ? "''"
                         : $type =~ /^DateTime/ ? 'toDateTime(0)' : '0';
                next;
            }
            push @v, $conv[$i]->($r->{$k});
        }
        $ch->sql("INSERT INTO $db.`$table` (" . join(', ',
                 (map { '`' . ($RENAME{$_} // $_) . '`' } @keys),
                 (split(/ /, $only))[0]) . ") VALUES ("
                 . join(', ', @v, $only_v) . ")");
    }
    is($ch->sql("SELECT count() FROM $db.`$table`"), "$n{$ds}\n",
       "$ds: $n{$ds} rows in ClickHouse");
}

my $mock = mock_start();
my $d = dfx_start(
    bootstrap => $mock->bootstrap, data_sources => \@DS,
    main => { clickhouse => { url => $ch->url, 'checkpoint-dir' => '{DIR}/ck',
                              settle => 0, window => 5,
                              start => $tmin - 1 } });

for my $ds (@DS) {
    my @exp = sort(slurp_lines("$top/t/fixtures/ingest/$ds.ndjson"));
    my @got = sort map { $_->{payload} }
                   consume($d->bootstrap // $mock->bootstrap, "deepflow.$ds",
                           $n{$ds}, 30);
    is(scalar(@got), $n{$ds}, "$ds: $n{$ds} messages from ClickHouse");
    for my $i (0 .. $#exp) {
        is($got[$i], $exp[$i], "$ds: message $i is what a POST gives");
    }
}

# counters and state
ok(wait_until(20, sub {
    $d->metric('clickhouse_windows_total',
               data_source => 'flow_log.l7_flow_log') >= 1 }),
   'windows are counted');
for my $ds (@DS) {
    is($d->metric('clickhouse_rows_total', data_source => $ds), $n{$ds},
       "$ds: clickhouse_rows_total");
    is($d->metric('records_accepted_total', data_source => $ds), $n{$ds},
       "$ds: every row accepted");
    is($d->metric('records_rejected_total', data_source => $ds), 0,
       "$ds: none rejected");
}
is($d->metric('clickhouse_columns_ignored',
              data_source => 'flow_log.l7_flow_log'), 1,
   'the ClickHouse-only column is not read');
my $st = $d->stats;
is(scalar(@{ $st->{clickhouse}{followers} }), scalar(@DS),
   '/stats lists a follower per data source');
for my $f (@{ $st->{clickhouse}{followers} }) {
    ok($f->{checkpoint} > $tmin, "$f->{data_source}: checkpoint moved "
       . "($f->{checkpoint})");
    is($f->{last_error}, '', "$f->{data_source}: no error");
}
my $ck = slurp($d->dir . '/ck/org1.flow_log.l7_flow_log.checkpoint');
like($ck, qr/^\d+\n$/, 'the checkpoint file holds one time');
is(($d->admin_get('/readyz'))->{status}, 200, 'ready');

# a row of a window not read yet follows
my ($l7f) = grep { $_->{data_source} eq 'flow_log.l7_flow_log' }
            @{ $d->stats->{clickhouse}{followers} };
my $later = $l7f->{checkpoint} + 1;
$ch->sql("INSERT INTO flow_log.l7_flow_log (time, _id, end_time) VALUES "
         . "(toDateTime($later), 42, " . ($later * 1000000) . ")");
my @m = consume($mock->bootstrap, 'deepflow.flow_log.l7_flow_log',
                $n{'flow_log.l7_flow_log'} + 1, 30);
is(scalar(@m), $n{'flow_log.l7_flow_log'} + 1, 'a new row follows');
is(scalar(grep { ($_->{payload} // '') =~ /"_id":42\b/ } @m), 1,
   '...and it is the new row') or diag(explain(\@m));

$d->stop;
unlike($d->log, qr/\b(alert|crit)\b/, 'no alert in the log');

# over HTTPS, the server's certificate checked against tls-ca-file; a CA
# that did not sign it is refused, and /readyz says so
my $mock3 = mock_start();
my $tls = dfx_start(
    bootstrap => $mock3->bootstrap, data_sources => ['flow_log.l7_flow_log'],
    main => { clickhouse => { url => $ch->https_url,
                              'tls-ca-file' => $ch->ca,
                              'checkpoint-dir' => '{DIR}/ck', settle => 0,
                              window => 5, start => $tmin - 1 } });
my @tm = consume($mock3->bootstrap, 'deepflow.flow_log.l7_flow_log',
                 $n{'flow_log.l7_flow_log'} + 1, 30);
is(scalar(@tm), $n{'flow_log.l7_flow_log'} + 1, 'HTTPS: every row follows');
$tls->stop;
my $bad = dfx_start(
    bootstrap => $mock3->bootstrap, data_sources => ['flow_log.l7_flow_log'],
    ready => 0,
    main => { clickhouse => { url => $ch->https_url,
                              'tls-ca-file' => $ch->other_ca,
                              'checkpoint-dir' => '{DIR}/ck', settle => 0,
                              window => 5, start => $tmin - 1 } });
ok(wait_until(20, sub {
    $bad->metric('clickhouse_errors_total',
                 data_source => 'flow_log.l7_flow_log',
                 reason => 'connect') >= 1 }), 'HTTPS, wrong CA: refused');
my $rz = $bad->admin_get('/readyz');
is($rz->{status}, 503, 'HTTPS, wrong CA: not ready');
like($rz->{content}, qr/connect: .*(certificate|SSL)/i, '...saying why');
$bad->stop;

done_testing();
