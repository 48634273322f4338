#!/usr/bin/perl
# Every data source end to end: the records of conf/examples/ are POSTed
# as NDJSON, as a JSON array, as a single JSON object and gzip-encoded,
# and what reaches Kafka is compared byte for byte with
# t/fixtures/ingest/ (both translations off, export-fields [$tag,
# $metrics], TZ=UTC: the raw values, the empty rules, schema order).
# The examples include what DESIGN decides differently from DeepFlow:
# IPv6 addresses emitted in RFC 5952 form, every string and array element
# JSON-escaped, uint64 and int64 values exact, MACs in lower case.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start consume slurp_lines);

my @DS = qw(flow_log.l7_flow_log flow_log.l4_flow_log
            flow_metrics.network.1s flow_metrics.network.1m
            flow_metrics.network_map.1s flow_metrics.network_map.1m
            flow_metrics.application.1s flow_metrics.application.1m
            flow_metrics.application_map.1s flow_metrics.application_map.1m
            event.file_event event.perf_event);

my $top = top();
my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap, data_sources => \@DS,
                  env => { TZ => 'UTC' });

# The record's own timestamp in ms: end_time (us) or time (s).
sub ts_ms {
    my ($ds, $value) = @_;
    if ($ds =~ /^flow_metrics\./) {
        my ($t) = $value =~ /"time":(\d+)/;
        return $t * 1000;
    }
    my ($us) = $value =~ /"end_time":(\d+)/;
    return int($us / 1000);
}

# every POST first, then every topic: the deliveries overlap
my %exp;
for my $ds (@DS) {
    my @in = slurp_lines("$top/conf/examples/$ds.ndjson");
    my @exp = slurp_lines("$top/t/fixtures/ingest/$ds.ndjson");
    ok(@in >= 1 && @in == @exp, "$ds: " . scalar(@in)
       . ' example records, one expected message each');
    $exp{$ds} = \@exp;
    my $n = @in;

    # NDJSON, with a blank line and a CRLF line end that must not matter
    my $body = join("\n", @in[0 .. $n - 1]) . "\n";
    $body =~ s/\n/\r\n/ if $n > 1;
    my $r = $d->post($ds, "\n$body\n");
    is($r->{status}, 202, "$ds: NDJSON 202");
    is_deeply($r->{json}, { accepted => $n, filtered => 0, rejected => 0,
                            errors => [] }, "$ds: NDJSON counts")
        or diag($r->{content});

    # a JSON array
    $r = $d->post($ds, '[' . join(',', @in) . ']', type => 'json');
    is($r->{status}, 202, "$ds: JSON array 202");
    is($r->{json}{accepted}, $n, "$ds: JSON array accepted $n")
        or diag($r->{content});

    # one JSON object (pretty-printed: whitespace is not significant)
    (my $obj = $in[0]) =~ s/,"/,\n  "/g;
    $r = $d->post($ds, $obj, type => 'json');
    is($r->{status}, 202, "$ds: JSON object 202");
    is($r->{json}{accepted}, 1, "$ds: JSON object accepted 1")
        or diag($r->{content});

    # gzip-encoded NDJSON
    $r = $d->post($ds, join("\n", @in) . "\n", gzip => 1);
    is($r->{status}, 202, "$ds: gzip NDJSON 202");
    is($r->{json}{accepted}, $n, "$ds: gzip NDJSON accepted $n")
        or diag($r->{content});
}

for my $ds (@DS) {
    my @exp = @{ $exp{$ds} };
    my @want = sort (@exp, @exp, $exp[0], @exp);
    my $topic = "deepflow.$ds";
    my @got = consume($mock->bootstrap, $topic, scalar(@want), 20);
    is(scalar(@got), scalar(@want), "$ds: " . scalar(@want)
       . " messages in $topic");
    is($mock->count($topic), scalar(@want), "$ds: no extra message");
    my @payloads = sort map { $_->{payload} } @got;
    is_deeply(\@payloads, \@want, "$ds: every message value is exact")
        or diag(join("\n", 'got:', @payloads, 'want:', @want));

    my %ts = map { $_ => ts_ms($ds, $_) } @exp;
    my @bad_ts = grep { !defined $ts{ $_->{payload} }
                        || $_->{ts} != $ts{ $_->{payload} } } @got;
    is(scalar(@bad_ts), 0, "$ds: message timestamps are the records' own")
        or diag(join("\n", map { "$_->{ts}" } @bad_ts));
    my @keyed = grep { defined $_->{key} } @got;
    is(scalar(@keyed), 0, "$ds: message keys are null");
    my @order = grep { $_->{payload} !~ /\A\{"datasource":"\Q$ds\E",/
                       || $_->{payload} !~ /,"time_str":"[^"]+"\}\z/ } @got;
    is(scalar(@order), 0, "$ds: datasource first, time_str last");
}

# ClickHouse and DeepFlow-Name spellings are accepted as aliases and
# exported under the field's output name; naming a field twice is refused
my @alias = (
    [ 'flow_log.l7_flow_log',
      '{"_id":8801,"end_time":1700000009000000,"endpoint":"/alias",'
      . '"_trace_id_2":"t2","l7_protocol_str":"HTTP"}',
      qr/"_id":8801,/, qr/"biz_protocol":"HTTP",.*"end_point":"\/alias",
                         .*"trace_id_2":"t2",/x ],
    [ 'flow_log.l4_flow_log',
      '{"_id":8802,"end_time":1700000009000000,"nat_real_ip4_1":"10.0.0.9"}',
      qr/"_id":8802,/, qr/"nat_real_ip_1":"10\.0\.0\.9",/ ],
    [ 'flow_metrics.network_map.1m',
      '{"time":1700000099,"_tid":2,"ip4":"10.1.2.3","region_id":7}',
      qr/"time":1700000099,/,
      qr/"thread_id":2,"ip4_0":"10\.1\.2\.3",.*"region_id_0":7,/ ],
    [ 'event.file_event',
      '{"_id":8803,"end_time":1700000009000000,"pod_node_id":202}',
      qr/"_id":8803,/, qr/"host_node_id":202,/ ],
);
for my $a (@alias) {
    my ($ds, $rec, $find, $want) = @$a;
    my $before = $mock->count("deepflow.$ds");
    my $r = $d->post($ds, "$rec\n", query => 'ack=kafka');
    is($r->{status}, 200, "$ds: a record with aliases: 200")
        or diag($r->{content});
    my ($m) = grep { $_ =~ $find }
              map { $_->{payload} } consume($mock->bootstrap, "deepflow.$ds",
                                            $before + 1);
    like($m // '', $want, "$ds: aliases exported under the output names");
}
my $r = $d->post('flow_log.l7_flow_log',
                 qq({"endpoint":"/a","end_point":"/b"}\n));
is($r->{status}, 422, 'a field named twice (alias and name): 422');
is($r->{json}{errors}[0]{error}, 'duplicate field',
   'a field named twice: duplicate field');

is($d->stop, 0, 'dfexport exits 0');
done_testing();
