#!/usr/bin/perl
# The log: SIGUSR1 only reopens log.file (logrotate renames the file,
# then signals; new lines go to the new file, no reload happens),
# log.format json writes one parseable object per line with time, level
# and msg, and log.access adds one line per ingest request only when it
# is on.  log.level debug adds one line per ingest request that says
# what became of its records (the first rejection with its line and
# column) and one per Kafka batch that failed, with the error.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(mock_start dfx_start dfx_conf slurp wait_until json_decode);

my $L7 = 'flow_log.l7_flow_log';
my $rec = qq({"_id":1,"time":1700000000,"end_time":1700000000000000}\n);

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap);
my $dir = $d->dir;
my $file = "$dir/app.log";

# switches the running daemon to a config with these log settings; the
# outcome is in the new log file from then on
sub relog {
    my (%log) = @_;
    (my $c = dfx_conf(main => { log => { level => 'info', file => $file,
                                         %log } }))
        =~ s/\{BOOTSTRAP\}/${\ $mock->bootstrap}/g;
    Dfx::spew($d->conf_file, $c);
    my $before = -f $file ? () = slurp($file) =~ /reload done/g : 0;
    $d->signal('HUP');
    return wait_until(10, sub {
        my $n = -f $file ? () = slurp($file) =~ /reload done/g : 0;
        return $n > $before;
    });
}

# ---- text, access log off ---------------------------------------------------

ok(relog(), 'reloaded with log.file') or diag($d->log);
is($d->post($L7, $rec)->{status}, 202, 'a request');
unlike(slurp($file), qr/ access: /, 'access log off: no access line');

# ---- SIGUSR1: reopen only ---------------------------------------------------

rename($file, "$file.1") or die "rename: $!";
$d->signal('USR1');
ok(wait_until(10, sub { -f $file && slurp($file) =~ /notice: log file reopened/ }),
   'SIGUSR1: a new file with "log file reopened"');
unlike(slurp($file), qr/reload/, '...and no reload');
unlike(slurp("$file.1"), qr/reopened/, 'the old file has nothing after it');

# ---- access log -------------------------------------------------------------

ok(relog(access => 'true'), 'reloaded with log.access: true');
is($d->post($L7, $rec . $rec)->{status}, 202, 'a request of two records');
ok(wait_until(10, sub { slurp($file) =~ / access: / }), 'an access line');
my ($line) = slurp($file) =~ /^(.* access: .*)$/m;
like($line, qr{^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} access: 127\.0\.0\.1:\d+ POST /v1/ingest/flow_log\.l7_flow_log 202 accepted=2 filtered=0 rejected=0 bytes=\d+ ms=\d+\.\d{3}$},
     'remote, method, path, status, records, bytes, ms');
my ($bytes) = $line =~ /bytes=(\d+)/;
is($bytes, length($rec . $rec), 'bytes: the body as received');
is($d->post($L7, qq({"_id":"x"}\n))->{status}, 422, 'a request rejected');
ok(wait_until(10, sub { slurp($file) =~ / access: .* 422 accepted=0 filtered=0 rejected=1 / }),
   'its access line: 422, rejected=1');

# ---- log.level: debug --------------------------------------------------------

unlike(slurp($file), qr/ debug: /, 'log.level info: no debug line');
ok(relog(level => 'debug'), 'reloaded with log.level: debug');
is($d->post($L7, $rec)->{status}, 202, 'a valid record');
ok(wait_until(10, sub { slurp($file) =~ / debug: ingest / }),
   'a debug line for the request');
($line) = slurp($file) =~ /^(.* debug: ingest .*)$/m;
like($line, qr{ debug: ingest 127\.0\.0\.1:\d+ POST /v1/ingest/\Q$L7\E data_source=\Q$L7\E bytes=${\ length($rec)} records=1 accepted=1 filtered=0 rejected=0 exporter\[0\]=queued:1,filtered:0 status=202 ms=\d+\.\d{3}$},
     'client, method, path, data source, bytes, records, exporter, status, ms');

my $badrec = qq({"_id":1,"time":"soon","end_time":1700000000000000}\n);
is($d->post($L7, $rec . $badrec)->{status}, 202, 'a valid and an invalid record');
ok(wait_until(10, sub { slurp($file) =~ / debug: ingest .* rejected=1 / }),
   'its debug line');
($line) = slurp($file) =~ /^(.* debug: ingest .* rejected=1 .*)$/m;
like($line, qr{ records=2 accepted=1 filtered=0 rejected=1 exporter\[0\]=queued:1,filtered:0 status=202 ms=\d+\.\d{3} first_rejected=2:\d+ \(record 1\) time: expected an integer .*, got "soon"$},
     'records 2, accepted 1, rejected 1, the first rejection at line 2 with its reason')
    or diag($line);
my ($col) = $line =~ /first_rejected=2:(\d+)/;
is($col, index($badrec, '"soon"') + 1, 'its column: where the bad value starts');

is($d->post($L7, qq({"_id":"x"}\n))->{status}, 422, 'an invalid record alone');
ok(wait_until(10, sub { slurp($file) =~ / debug: ingest .* status=422 / }),
   'its debug line says 422');
is($d->post('flow_log.nope', $rec)->{status}, 404, 'an unknown data source');
ok(wait_until(10, sub {
    slurp($file) =~ m{ debug: ingest \S+ POST /v1/ingest/flow_log\.nope data_source=flow_log\.nope\(unknown\) bytes=\d+ records=0 status=404 ms=\S+ answer=\{"error":"unknown data source}
}), 'a request refused before its records: status and the answer\'s error');

# a failed delivery: the broker refuses the next produce request
is($mock->cmd('error 0 10 1'), 'ok', 'the next produce request fails with '
   . 'MESSAGE_TOO_LARGE');
is($d->post($L7, $rec, query => 'ack=kafka')->{status}, 422,
   'ack=kafka: 422');
ok(wait_until(10, sub { slurp($file) =~ / debug: exporter 0 producer \d+: delivery failed: / }),
   'a debug line for the failed batch');
($line) = slurp($file) =~ /^(.* debug: exporter 0 producer \d+: delivery failed: .*)$/m;
like($line, qr{delivery failed: \d+ of \d+ messages of a batch to "deepflow\.\Q$L7\E" \[partition \d+\]: Broker: Message size too large \(MSG_SIZE_TOO_LARGE\), [a-z ]+, permanent \(no retry helps\); 1 of them waited for by ack=kafka requests; the longest was \d+\.\d{3} s in librdkafka$},
     'topic, partition, error, persistence, permanent, acks, time')
    or diag($line);
($line) = slurp($file) =~ /^(.* debug: ingest .*ack=kafka.*)$/m;
like($line // '', qr{ status=- \(ack=kafka: answered when Kafka acknowledges\)},
     'the ack=kafka request: its answer comes later');

# ---- JSON -------------------------------------------------------------------

ok(relog(format => 'json', access => 'true'), 'reloaded with log.format: json');
is($d->post($L7, $rec)->{status}, 202, 'a request');
ok(wait_until(10, sub { slurp($file) =~ /"level":"access"/ }),
   'an access line in JSON');
my @json = grep { /^\{/ } split(/\n/, slurp($file));
ok(@json >= 2, scalar(@json) . ' JSON lines');
my $bad = 0;
my (%levels, $access);
for my $l (@json) {
    my $o = eval { json_decode($l) };
    if (!$o || !defined $o->{time} || !defined $o->{level}
        || !defined $o->{msg}) {
        $bad++;
        diag("not a log object: $l");
        next;
    }
    $bad++ unless $o->{time} =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/;
    $levels{$o->{level}}++;
    $access = $o if $o->{level} eq 'access';
}
is($bad, 0, 'every JSON line parses, with time (RFC 3339), level, msg');
ok($levels{notice}, 'notice lines (reload done) as JSON');
is($access->{method}, 'POST', 'access: method');
is($access->{path}, "/v1/ingest/$L7", 'access: path');
is($access->{status}, 202, 'access: status');
is($access->{accepted}, 1, 'access: accepted');
like($access->{remote}, qr/^127\.0\.0\.1:\d+$/, 'access: remote');
ok(defined $access->{duration_ms} && defined $access->{bytes},
   'access: duration_ms, bytes');

# access off again: no new access line
ok(relog(format => 'json', access => 'false'), 'access log off again');
my $n = () = slurp($file) =~ /"level":"access"/g;
is($d->post($L7, $rec)->{status}, 202, 'a request');
ok(wait_until(10, sub { () = slurp($file) =~ /"level":"notice"/g }), 'log alive');
my $m = () = slurp($file) =~ /"level":"access"/g;
is($m, $n, 'no access line when off');

is($d->stop, 0, 'dfexport exits 0');
like(slurp($file), qr/"msg":"exit"/, 'the last line, in JSON');
done_testing();
