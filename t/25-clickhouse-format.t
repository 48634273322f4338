#!/usr/bin/perl
# ?format=clickhouse: records as ClickHouse's JSONEachRow writes them
# (quoted UInt64, DateTime text in a zone, DateTime64(6), MACs as UInt64,
# integral Float64 metrics, NaN as null) become the same Kafka messages,
# byte for byte, as the strict form; sent the way the URL engine sends
# them (chunked, no Content-Type), answered 200; an empty body is a
# success; the default format still refuses all of it.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(mock_start dfx_start consume json_decode wait_until);

my $L7 = 'flow_log.l7_flow_log';
my $L4 = 'flow_log.l4_flow_log';
my $CH = 'format=clickhouse';

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap,
                  exporters => [{ 'data-sources' => [$L7, $L4] }]);

# A request as ClickHouse's URL engine sends it: chunked (in chunks that
# cut through records), Connection: close, no Content-Type unless given.
sub ch_post {
    my ($ds, $body, %o) = @_;
    my $q = $o{query} // $CH;
    my $req = "POST /v1/ingest/$ds?$q HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              . "Transfer-Encoding: chunked\r\nConnection: close\r\n";
    $req .= "Content-Type: $o{type}\r\n" if defined $o{type};
    $req .= "\r\n";
    for (my $i = 0; $i < length($body); $i += 37) {
        my $c = substr($body, $i, 37);
        $req .= sprintf("%x\r\n%s\r\n", length($c), $c);
    }
    $req .= "0\r\n\r\n";
    my $r = $d->raw($req);
    $r->{json} = eval { json_decode($r->{content}) }
        if ($r->{headers}{'content-type'} // '') =~ m{application/json};
    return $r;
}

# The payloads of the messages of a topic that contain $mark, once there
# are $want of them (or the deadline passed).
sub messages {
    my ($topic, $mark, $want) = @_;
    my @found;
    wait_until(20, sub {
        @found = map { $_->{payload} }
                 grep { index($_->{payload}, $mark) >= 0 }
                 consume($mock->bootstrap, $topic, $mock->count($topic), 5);
        return @found >= $want;
    });
    return @found;
}

# ---- l7: the same record both ways -------------------------------------

my $l7_strict = '{"time":1700000000,"_id":7301444403200000124,'
    . '"start_time":1700000000000000,"end_time":1700000000140891,'
    . '"request_resource":"pair-l7","request_id":18446744073709551615,'
    . '"response_duration":140891,"response_code":-1,'
    . '"metrics_names":["m1","m2"],"metrics_values":[1.5,3],'
    . '"ip4_0":"10.0.0.1","ip6_0":"::ffff:1.2.3.4","is_ipv4":1}';
my $l7_ch = '{"time":"2023-11-15 06:13:20","_id":"7301444403200000124",'
    . '"start_time":"2023-11-15 06:13:20.000000",'
    . '"end_time":"2023-11-15 06:13:20.140891",'
    . '"request_resource":"pair-l7","request_id":"18446744073709551615",'
    . '"response_duration":"140891","response_code":-1,'
    . '"metrics_names":["m1","m2"],"metrics_values":[1.5,3.0],'
    . '"ip4_0":"10.0.0.1","ip6_0":"::ffff:1.2.3.4","is_ipv4":1}';

my $r = $d->post($L7, "$l7_strict\n");
is($r->{status}, 202, 'strict l7: 202') or diag($r->{content});
$r = ch_post($L7, "$l7_ch\n");
is($r->{status}, 200, 'ClickHouse l7, chunked, no Content-Type: 200')
    or diag($r->{raw});
is_deeply($r->{json}, { accepted => 1, filtered => 0, rejected => 0,
                        errors => [] }, 'ClickHouse l7: accepted')
    or diag($r->{content});
my @m = messages("deepflow.$L7", 'pair-l7', 2);
is(scalar(@m), 2, 'two l7 messages');
is($m[0], $m[1], 'l7: the ClickHouse form gives the strict message, byte '
   . 'for byte') or diag("$m[0]\n$m[1]");
like($m[0] // '', qr/"time":1700000000,/, 'l7: time');
like($m[0] // '', qr/"_id":7301444403200000124,/, 'l7: _id exact');
like($m[0] // '', qr/"end_time":1700000000140891\b/, 'l7: end_time');

# NaN arrives as null, and leaves as null
$r = ch_post($L7, '{"request_resource":"nan-l7","metrics_names":["a","b",'
             . '"c"],"metrics_values":[1,null,2.5],'
             . '"end_time":"2023-11-15 06:13:20.5"}' . "\n");
is($r->{status}, 200, 'a null in metrics_values: 200') or diag($r->{raw});
@m = messages("deepflow.$L7", 'nan-l7', 1);
like($m[0] // '', qr/"metrics_values":\[1,null,2\.5\]/,
     'the null element is written null');

# ---- l4: the same record both ways, in a JSON body too ---------------------

my $l4_strict = '{"time":1700000000,"_id":7301444403200000125,'
    . '"mac_0":"52:54:00:12:34:56","mac_1":"52:54:00:ab:cd:ef",'
    . '"start_time":1699999999999999,"end_time":1700000000140891,'
    . '"request_domain":"pair-l4","rtt":3,"rtt_client":250,'
    . '"srt_sum":1000,"rrt_sum":10000000000000000000,"byte_tx":1024,'
    . '"flow_id":42,"ip4_0":"10.0.0.1","ip4_1":"10.0.0.2"}';
my $l4_ch = '{"time":"2023-11-15 06:13:20","_id":"7301444403200000125",'
    . '"mac_0":90520731923542,"mac_1":"90520741989871",'
    . '"start_time":"2023-11-15 06:13:19.999999",'
    . '"end_time":"2023-11-15 06:13:20.140891",'
    . '"request_domain":"pair-l4","rtt":3.0,"rtt_client":2.5e2,'
    . '"srt_sum":1e3,"rrt_sum":1e19,"byte_tx":"1024",'
    . '"flow_id":"42","ip4_0":"10.0.0.1","ip4_1":167772162}';

$r = $d->post($L4, "$l4_strict\n");
is($r->{status}, 202, 'strict l4: 202') or diag($r->{content});
$r = $d->post($L4, "[$l4_ch]", type => 'json', query => $CH);
is($r->{status}, 200, 'ClickHouse l4 as a JSON array: 200')
    or diag($r->{content});
$r = ch_post($L4, "$l4_ch\n", type => 'application/x-ndjson; charset=UTF-8');
is($r->{status}, 200, 'ClickHouse l4 with its Content-Type: 200')
    or diag($r->{raw});
@m = messages("deepflow.$L4", 'pair-l4', 3);
is(scalar(@m), 3, 'three l4 messages');
is($m[1], $m[0], 'l4 (JSON body): the strict message, byte for byte')
    or diag("$m[0]\n$m[1]");
is($m[2], $m[0], 'l4 (NDJSON): the strict message, byte for byte')
    or diag("$m[0]\n$m[2]");
like($m[0] // '', qr/"mac_0":"52:54:00:12:34:56"/, 'l4: a UInt64 MAC');
like($m[0] // '', qr/"rrt_sum":10000000000000000000,/, 'l4: 1e19 exact');

# ---- time zones ---------------------------------------------------------

$r = ch_post($L7, '{"request_resource":"tz-utc",'
             . '"time":"2023-11-14 22:13:20"}' . "\n", query => "$CH&tz=UTC");
is($r->{status}, 200, 'tz=UTC: 200') or diag($r->{raw});
$r = ch_post($L7, '{"request_resource":"tz-utc",'
             . '"time":"2023-11-14T22:13:20Z"}' . "\n",
             query => "$CH&tz=Europe%2FBerlin");
is($r->{status}, 200, 'ISO text, tz=Europe%2FBerlin: 200')
    or diag($r->{raw});
$r = $d->post($L7, '{"request_resource":"tz-utc","time":1700000000}' . "\n");
is($r->{status}, 202, 'the same time in seconds: 202');
@m = messages("deepflow.$L7", 'tz-utc', 3);
is(scalar(@m), 3, 'three messages');
ok(@m == 3 && $m[0] eq $m[1] && $m[1] eq $m[2],
   'each zone reads its own wall-clock time to the same instant')
    or diag(join("\n", @m));

# ---- per-record rejections ------------------------------------------------

$r = ch_post($L4, '{"request_domain":"ok-1","rtt":3}' . "\n"
             . '{"request_domain":"bad-1","rtt":2.5}' . "\n"
             . '{"request_domain":"bad-2","time":"2023-02-30 00:00:00"}'
             . "\n" . '{"request_domain":"bad-3","rtt":null}' . "\n");
is($r->{status}, 200, 'some records rejected: still 200') or diag($r->{raw});
is_deeply($r->{json}, {
    accepted => 1, filtered => 0, rejected => 3, errors => [
        { record => 1, line => 2, column => 33, field => 'rtt',
          error => 'Float64 value 2.5 is not an integer' },
        { record => 2, line => 3, column => 34, field => 'time',
          error => 'invalid date and time "2023-02-30 00:00:00": expected '
                   . '"YYYY-MM-DD hh:mm:ss" or "YYYY-MM-DDThh:mm:ssZ"' },
        { record => 3, line => 4, column => 33, field => 'rtt',
          error => 'null is not allowed (ClickHouse writes a NaN or '
                   . 'infinite Float64 as null)' } ] },
    'the non-integral Float64, the bad date and the NaN are rejected with '
    . 'a reason') or diag($r->{content});

$r = ch_post($L4, '{"rtt":2.5}' . "\n");
is($r->{status}, 422, 'every record rejected: 422 as always')
    or diag($r->{raw});

# ---- an empty body, dry runs, ack=kafka -------------------------------------

$r = ch_post($L7, '');
is($r->{status}, 200, 'empty chunked body: 200') or diag($r->{raw});
is_deeply($r->{json}, { accepted => 0, filtered => 0, rejected => 0,
                        errors => [] }, 'empty body: zero records');
$r = ch_post($L7, "\n\r\n");
is($r->{status}, 200, 'a body of blank lines: 200') or diag($r->{raw});
$r = $d->post($L7, '', query => "$CH&ack=kafka");
is($r->{status}, 200, 'empty body, ack=kafka: 200');

my $dry_ch = ch_post($L7, "$l7_ch\n", query => "$CH&dry_run=1");
my $dry_strict = $d->post($L7, "$l7_strict\n", query => 'dry_run=1');
is($dry_ch->{status}, 200, 'dry run, format=clickhouse: 200')
    or diag($dry_ch->{raw});
is($dry_ch->{json}{results}[0]{value} // 'ch',
   $dry_strict->{json}{results}[0]{value} // 'strict',
   'the dry run shows the strict message');
$r = ch_post($L7, '', query => "$CH&dry_run=1");
is($r->{status}, 200, 'dry run of an empty body: 200');
is($r->{json}{accepted}, 0, 'dry run of an empty body: nothing');

$r = ch_post($L7, '{"request_resource":"acked","_id":"1"}' . "\n",
             query => "$CH&ack=kafka");
is($r->{status}, 200, 'format=clickhouse&ack=kafka: 200') or diag($r->{raw});
is($r->{json}{delivered}, 1, 'acked: delivered 1');

# ---- bad parameters ---------------------------------------------------------

$r = ch_post($L7, "$l7_ch\n", query => 'format=csv');
is($r->{status}, 400, 'format=csv: 400');
like($r->{json}{error} // '', qr/"format" must be "json" or "clickhouse"/,
     'format=csv: the error says why');
$r = ch_post($L7, "$l7_ch\n", query => "$CH&tz=Mars/Olympus");
is($r->{status}, 400, 'an unknown zone: 400');
like($r->{json}{error} // '', qr/unknown time zone "Mars\/Olympus"/,
     'an unknown zone: named');
$r = $d->post($L7, "$l7_strict\n", query => 'tz=UTC');
is($r->{status}, 400, 'tz without format=clickhouse: 400');
like($r->{json}{error} // '', qr/only allowed with format=clickhouse/,
     'tz without format=clickhouse: the error says why');
# the worker that refused the zone still reads in its last zone
$r = ch_post($L7, '{"request_resource":"after-bad-tz","time":"2023-11-15 '
             . '06:13:20"}' . "\n");
is($r->{status}, 200, 'after an unknown zone: 200');

# ---- the default format refuses all of it ----------------------------------

$r = ch_post($L7, "$l7_strict\n", query => 'ack=queued');
is($r->{status}, 415, 'default format, no Content-Type: 415')
    or diag($r->{raw});
$r = ch_post($L7, "$l7_strict\n", query => 'format=json');
is($r->{status}, 415, 'format=json, no Content-Type: 415');
$r = ch_post($L7, "$l7_strict\n", query => 'ack=queued',
             type => 'application/x-ndjson');
is($r->{status}, 202, 'default format, chunked with a Content-Type: 202')
    or diag($r->{raw});
$r = $d->post($L7, '{"_id":"5"}' . "\n");
is($r->{status}, 422, 'default format, a quoted integer: 422');
is($r->{json}{errors}[0]{error} // '', 'expected an integer between 0 and '
   . '18446744073709551615, got "5"', 'default format: the quoted integer '
   . 'is refused');
$r = $d->post($L7, "$l7_ch\n");
is($r->{status}, 422, 'default format, a ClickHouse row: 422');
$r = $d->post($L7, '');
is($r->{status}, 400, 'default format, empty body: 400');
# and the worker that read ClickHouse rows reads strictly again
for (1 .. 4) {
    $r = $d->post($L7, '{"_id":"5"}' . "\n");
    is($r->{status}, 422, "default format after ClickHouse requests ($_)");
}

is($d->stop, 0, 'dfexport exits 0');
done_testing();
