#!/usr/bin/perl
# The ingest endpoint's status codes and bodies (DESIGN section 3), the
# per-record errors of the input rules (section 9), and after every bad
# input a good request that still succeeds.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start consume wait_until gzip_data);

my $L7 = 'flow_log.l7_flow_log';
my $L4 = 'flow_log.l4_flow_log';

my $mock = mock_start();
my $d = dfx_start(
    bootstrap => $mock->bootstrap,
    main => { limits => { body => '256KiB', 'decoded-body' => '512KiB',
                          line => '16KiB', records => 100, depth => 8 } },
    exporters => [{ 'data-sources' => [$L7, $L4], 'queue-count' => 1,
                    'queue-size' => 40, 'message-timeout' => 2,
                    librdkafka => { 'reconnect.backoff.max.ms' => 500 } }]);

my $n_good = 0;
sub rec { qq({"_id":$_[0],"time":1700000000,"end_time":1700000000000000}) }
sub many { join('', map { rec($_) . "\n" } 1 .. $_[0]) }

# the daemon still takes a good record
sub serves {
    my ($what) = @_;
    my $r = $d->post($L7, rec(++$n_good) . "\n");
    is($r->{status}, 202, "after $what: a good POST is still 202")
        or diag($r->{content});
}

# status, a JSON {"error": ...} matching re, and the daemon still serves
sub refused {
    my ($r, $status, $re, $what) = @_;
    is($r->{status}, $status, "$what: $status") or diag($r->{content});
    like($r->{json}{error} // '', $re, "$what: the error says why");
    serves($what);
}

# ---- 202 and 200 ----------------------------------------------------------

my $r = $d->post($L7, rec(101) . "\n" . rec(102) . "\n");
is($r->{status}, 202, '202 when queued');
is($r->{content}, qq({"accepted":2,"filtered":0,"rejected":0,"errors":[]}\n),
   '202 body');
is($r->{headers}{'content-type'}, 'application/json', '202 is JSON');

$r = $d->post($L7, rec(103) . "\n" . rec(104) . "\n", query => 'ack=kafka');
is($r->{status}, 200, '200 with ?ack=kafka once Kafka acknowledged');
is_deeply($r->{json}, { accepted => 2, filtered => 0, rejected => 0,
                        delivered => 2, failed => 0, errors => [] },
          '200 body counts the deliveries') or diag($r->{content});
ok($mock->wait_count("deepflow.$L7", 4) >= 4, 'the acked records are in '
   . 'Kafka');

$r = $d->post($L7, rec(105) . "\n", query => 'ack=queued');
is($r->{status}, 202, '?ack=queued: 202');

# ---- 400 ------------------------------------------------------------------

$r = $d->post($L7, '{"_id":', type => 'json');
refused($r, 400, qr/^invalid JSON body/, 'truncated JSON body');
is($r->{json}{line}, 1, 'truncated JSON body: line');
ok(($r->{json}{column} // 0) > 0, 'truncated JSON body: column');
refused($d->post($L7, rec(1) . ' x', type => 'json'), 400,
        qr/invalid JSON body/, 'JSON body with trailing garbage');
refused($d->post($L7, '[' . rec(1) . ',]', type => 'json'), 400,
        qr/invalid JSON body/, 'JSON array with a trailing comma');
refused($d->post($L7, ''), 400, qr/no records/, 'empty NDJSON body');
refused($d->post($L7, "\n \r\n\t\n"), 400, qr/no records/,
        'NDJSON body of blank lines');
refused($d->post($L7, '', type => 'json'), 400, qr/invalid JSON body/,
        'empty JSON body');
refused($d->post($L7, 'this is not gzip',
                 headers => { 'Content-Encoding' => 'gzip' }),
        400, qr/invalid gzip data/, 'bad gzip');
my $gz = gzip_data(rec(1) . "\n" x 1000);
refused($d->post($L7, substr($gz, 0, length($gz) - 12),
                 headers => { 'Content-Encoding' => 'gzip' }),
        400, qr/gzip/, 'truncated gzip');
refused($d->post($L7, rec(1), query => 'ack=maybe'), 400, qr/"ack"/,
        'bad ?ack value');
refused($d->post($L7, rec(1), query => 'acknowledge=kafka'), 400,
        qr/unknown query parameter "acknowledge"/, 'unknown query parameter');
refused($d->post($L7, rec(1), query => 'ack=kafka&ack=queued'), 400,
        qr/ack/, 'repeated query parameter');

# ---- 404 ------------------------------------------------------------------

refused($d->post('flow_log.l5_flow_log', rec(1)), 404,
        qr/unknown data source "flow_log\.l5_flow_log"/, 'unknown data source');
refused($d->post('flow_metrics.network.1s', rec(1)), 404,
        qr/no enabled exporter takes flow_metrics\.network\.1s/,
        'a data source no exporter takes');
for my $ds (qw(event.file_agg_event event.file_mgmt_event
               event.proc_perm_event event.proc_ops_event))
{
    refused($d->post($ds, '{"time":1}'), 404, qr/nothing is exported/,
            "silent data source $ds");
}
$r = $d->_req('POST', 'http://' . $d->ingest . '/v2/ingest/' . $L7, rec(1),
              { 'Content-Type' => 'application/x-ndjson' });
is($r->{status}, 404, 'unknown path: 404');

# ---- 405 ------------------------------------------------------------------

for my $m (qw(GET PUT DELETE)) {
    $r = $d->post($L7, $m eq 'GET' || $m eq 'DELETE' ? undef : rec(1),
                  method => $m);
    is($r->{status}, 405, "$m: 405");
    is($r->{headers}{allow}, 'POST', "$m: Allow: POST");
    like($r->{json}{error} // '', qr/method not allowed/, "$m: body");
}
serves('405');

# ---- 413 ------------------------------------------------------------------

# over limits.body: answered in JSON from the headers
$r = $d->post($L7, many(5000));
is($r->{status}, 413, 'body over limits.body: 413');
like($r->{content} // '', qr/"error":"the body is larger than limits\.body"/,
     'body over limits.body: in JSON');
serves('body over limits.body');

refused($d->post($L7, '{"version":"' . ('v' x 17000) . "\"}\n"), 413,
        qr/longer than limits\.line/, 'line over limits.line');
refused($d->post($L7, many(101)), 413,
        qr/more than 100 records/, 'NDJSON over limits.records');
refused($d->post($L7, '[' . join(',', (rec(1)) x 101) . ']', type => 'json'),
        413, qr/more than 100 records/, 'JSON array over limits.records');
my $deep = '{"attribute_names":' . ('[' x 9) . (']' x 9) . '}';
refused($d->post($L7, "$deep\n"), 413, qr/nesting deeper than 8/,
        'NDJSON line deeper than limits.depth');
refused($d->post($L7, "[$deep]", type => 'json'), 413,
        qr/nesting deeper than 8/, 'JSON body deeper than limits.depth');
refused($d->post($L7, many(10000), gzip => 1), 413,
        qr/limits\.decoded-body/,
        'gzip body decoding past limits.decoded-body');
my $before = $d->metric('records_refused_total', data_source => $L7,
                        reason => 'too_large');
refused($d->post($L7, many(41)), 413,
        qr/in-flight budget \(queue-size\) holds 40/,
        'more records than the in-flight budget holds');
is($d->metric('records_refused_total', data_source => $L7,
              reason => 'too_large') - $before, 41,
   'those 41 records are counted refused (too_large)');

# ---- 415 ------------------------------------------------------------------

refused($d->post($L7, rec(1), type => 'text/plain'), 415,
        qr/Content-Type/, 'Content-Type text/plain');
refused($d->post($L7, rec(1), type => undef), 415, qr/Content-Type/,
        'no Content-Type');
refused($d->post($L7, rec(1), type => 'application/json; charset=latin1'),
        415, qr/Content-Type/, 'a charset other than UTF-8');
refused($d->post($L7, rec(1), headers => { 'Content-Encoding' => 'br' }),
        415, qr/Content-Encoding/, 'Content-Encoding br');
$r = $d->post($L7, rec(106),
              type => 'Application/X-NDJSON; charset=UTF-8');
is($r->{status}, 202, 'media type case-insensitive, charset utf-8: 202');

# ---- 422 and per-record errors ----------------------------------------------

$r = $d->post($L7, qq({"_id":"x"}\n{"time":-1}\n));
is($r->{status}, 422, '422 when every record is invalid');
is_deeply($r->{json}, {
    accepted => 0, filtered => 0, rejected => 2, errors => [
        { record => 0, line => 1, column => 8, field => '_id',
          error => 'expected an integer between 0 and '
                   . '18446744073709551615, got "x"' },
        { record => 1, line => 2, column => 9, field => 'time',
          error => 'expected an integer between 0 and 4294967295, '
                   . 'got -1' } ] }, '422 body') or diag($r->{content});
serves('422');

# one bad line among good ones: that record alone is rejected
$r = $d->post($L7, rec(201) . "\n" . '{"time":1,' . "\n" . rec(202) . "\n");
is($r->{status}, 202, 'NDJSON with one malformed line: 202');
is($r->{json}{accepted}, 2, 'the good lines are accepted');
is($r->{json}{rejected}, 1, 'the bad line is rejected');
is($r->{json}{errors}[0]{record}, 1, 'the error names the record');
is($r->{json}{errors}[0]{line}, 2, 'the error names the line');
is($r->{json}{errors}[0]{column}, 11, 'the error names the column');
like($r->{json}{errors}[0]{error} // '', qr/parse error/,
     'the error says the line is not JSON');

# input rules: wrong types, ranges, addresses, UTF-8, null, duplicates
my @lines = (
    [ '{"l7_protocol":"5"}', 16, 'l7_protocol',
      'expected an integer between 0 and 255, got "5"' ],
    [ '{"l7_protocol":256}', 16, 'l7_protocol',
      'expected an integer between 0 and 255, got 256' ],
    [ '{"l7_protocol":5.0}', 16, 'l7_protocol',
      'expected an integer between 0 and 255, got 5.0' ],
    [ '{"time":true}', 9, 'time',
      'expected an integer between 0 and 4294967295, got true' ],
    [ '{"is_ipv4":2}', 12, 'is_ipv4', 'expected true, false, 0 or 1, got 2' ],
    [ '{"time":-1}', 9, 'time',
      'expected an integer between 0 and 4294967295, got -1' ],
    [ '{"_id":18446744073709551616}', 8, '_id',
      'expected an integer between 0 and 18446744073709551615, '
      . 'got 18446744073709551616' ],
    [ '{"_id":18446744073709551615}' ],
    [ '{"request_length":9223372036854775808}', 19, 'request_length',
      'expected an integer between -9223372036854775808 and '
      . '9223372036854775807, got 9223372036854775808' ],
    [ '{"response_code":-2147483649}', 18, 'response_code',
      'expected an integer between -2147483648 and 2147483647, '
      . 'got -2147483649' ],
    [ '{"version":5}', 12, 'version', 'expected a string, got 5' ],
    [ '{"attribute_names":["a",1]}', 25, 'attribute_names',
      'expected a string in the array, got 1' ],
    [ '{"ip4_0":"10.0.0.256"}', 10, 'ip4_0',
      'invalid IPv4 address "10.0.0.256"' ],
    [ '{"ip6_0":"fd00:::1"}', 10, 'ip6_0', 'invalid IPv6 address "fd00:::1"' ],
    [ '{"time":null}', 9, 'time', 'null is not allowed' ],
    [ '{"_id":9001,"response_code":null,"request_length":null}' ],
    [ qq({"version":"a\xffb"}), 14, undef, 'invalid UTF-8 in string' ],
    [ qq({"version":"\xc0\xaf"}), 13, undef, 'invalid UTF-8 in string' ],
    [ '{"time":1,"time":2}', 11, 'time', 'duplicate field' ],
    [ '{"_id":9002,"mystery":{"a":[1,2]},"time":5}' ],
    [ '[1]', 1, '', 'expected a JSON object, got an array' ],
    [ '5', 1, '', 'expected a JSON object, got a number' ],
);
my $u0 = $d->metric('unknown_fields_total', data_source => $L7);
$r = $d->post($L7, join("\n", map { $_->[0] } @lines) . "\n",
              query => 'ack=kafka');
is($r->{status}, 200, 'input rules: 200 (the valid records are acked)');
my @want_err;
for my $i (0 .. $#lines) {
    my ($text, $col, $field, $err) = @{ $lines[$i] };
    next unless defined $err;
    push @want_err, { record => $i, line => $i + 1, column => $col,
                      field => $field, error => $err };
}
my $valid = grep { !defined $_->[3] } @lines;
is($r->{json}{accepted}, $valid, "input rules: $valid valid records");
is($r->{json}{rejected}, @lines - $valid, 'input rules: the rest rejected');
my @got_err = @{ $r->{json}{errors} // [] };
is(scalar(@got_err), scalar(@want_err), 'input rules: one error each');
for my $i (0 .. $#want_err) {
    my ($w, $g) = ($want_err[$i], $got_err[$i] // {});
    # an invalid UTF-8 value may be found before its field is known
    local $w->{field} = $g->{field} if !defined $w->{field};
    is_deeply($g, $w, "input rules: $lines[$w->{record}][0]")
        or diag(Dfx::json_encode($g));
}
is($d->metric('unknown_fields_total', data_source => $L7) - $u0, 1,
   'the unknown member is counted');

# a MAC on the l4 schema
$r = $d->post($L4, qq({"mac_0":"52:54:00:12:34"}\n)
                   . qq({"mac_1":"52:54:00:AB:CD:EF"}\n));
is($r->{status}, 202, 'MACs: 202');
is_deeply($r->{json}{errors}, [ { record => 0, line => 1, column => 10,
                                  field => 'mac_0',
                                  error => 'invalid MAC address '
                                           . '"52:54:00:12:34"' } ],
          'MACs: the short one is rejected') or diag($r->{content});

# what the valid records of the input rules became
my @got = consume($mock->bootstrap, "deepflow.$L7",
                  $mock->count("deepflow.$L7"));
my ($max) = grep { $_->{payload} =~ /"_id":18446744073709551615,/ } @got;
ok($max, 'uint64 2^64-1 is exported exactly');
my ($nul) = grep { $_->{payload} =~ /"_id":9001,/ } @got;
ok($nul && $nul->{payload} !~ /"response_code"|"request_length"/,
   'null nullable fields are left out');
my ($unk) = grep { $_->{payload} =~ /"_id":9002,/ } @got;
ok($unk && $unk->{payload} !~ /mystery/ && $unk->{payload} =~ /"time":5,/,
   'unknown members are ignored');
serves('input rules');

# ---- 429 and 503 (broker down) ----------------------------------------------

ok(wait_until(10, sub {
    $d->metric('exporter_budget_used_records', exporter => 0) == 0 }),
   'nothing in flight before the outage');
is($mock->cmd('down 1'), 'ok', 'broker down');
$r = $d->post($L7, many(30));
is($r->{status}, 202, 'broker down: records wait within the budget (202)');
$before = $d->metric('records_refused_total', data_source => $L7,
                     reason => 'budget');
$r = $d->post($L7, many(20));
is($r->{status}, 429, 'budget full: 429');
like($r->{headers}{'retry-after'} // '', qr/^[1-9][0-9]*$/,
     '429 has Retry-After');
like($r->{json}{error} // '', qr/budget is full/, '429 body says why');
is($d->metric('records_refused_total', data_source => $L7,
              reason => 'budget') - $before, 20,
   '429: the 20 records are counted refused (budget)');

# the 30 time out (message-timeout 2 s), then an acked request fails too
ok(wait_until(10, sub {
    $d->metric('exporter_budget_used_records', exporter => 0) == 0 }),
   'the waiting records time out and free the budget');
$r = $d->post($L7, rec(301) . "\n", query => 'ack=kafka');
is($r->{status}, 503, 'ack=kafka with the broker down: 503');
like($r->{headers}{'retry-after'} // '', qr/^[1-9][0-9]*$/,
     '503 has Retry-After');
is($r->{json}{delivered}, 0, '503 body: delivered 0');
is($r->{json}{failed}, 1, '503 body: failed 1');
like($r->{json}{error} // '', qr/not delivered/, '503 body says why');

is($mock->cmd('up 1'), 'ok', 'broker up');
$r = $d->post($L7, rec(302) . "\n", query => 'ack=kafka');
is($r->{status}, 200, 'broker back: ack=kafka is 200 again')
    or diag($r->{content});
serves('broker outage');

# a line that starts a second value and cuts it short is rejected, and
# what it left half-read does not leak into the next line or request
$r = $d->post($L7, qq({}"\n) . rec(203) . "\n");
is($r->{status}, 202, 'a line ending in a cut-short value: 202');
is($r->{json}{rejected}, 1, 'that line is rejected');
is($r->{json}{accepted}, 1, 'the next line is a record of its own');
like($r->{json}{errors}[0]{error} // '', qr/more than one JSON value/,
     'the error says why');
$r = $d->post($L7, qq({"_id":204}"), type => 'json');
is($r->{status}, 400, 'a JSON body followed by a cut-short value: 400');
$r = $d->post($L7, rec(205), type => 'json');
is($r->{status}, 202, 'the next JSON body parses on its own');
serves('cut-short values');

is($d->stop, 0, 'dfexport exits 0');
done_testing();
