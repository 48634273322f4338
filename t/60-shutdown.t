#!/usr/bin/perl
# SIGTERM: records still waiting in librdkafka are flushed before exit;
# with the broker down, the daemon exits within shutdown-timeout and
# says how many messages could not be delivered.
use strict;
use warnings;
use Test::More;
use IO::Select;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes ();
use lib 't/lib';
use Dfx qw(mock_start dfx_start scale);

my $L7 = 'flow_log.l7_flow_log';
my $T = "deepflow.$L7";
sub recs {
    my ($from, $k) = @_;
    return join('', map { qq({"_id":$_,"time":1700000000,)
                          . qq("end_time":1700000000000000}\n) }
                    $from .. $from + $k - 1);
}

# ---- queued records are delivered before exit -------------------------------

{
    my $mock = mock_start();
    # flush-timeout 30: records sit in their batch (linger) until flushed
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      exporters => [{ 'flush-timeout' => 30 }]);
    my $r = $d->post($L7, recs(1, 50));
    is($r->{status}, 202, '50 records queued');
    is($mock->count($T), 0, 'still in their batch: nothing in Kafka yet');
    is($d->metric('exporter_records_inflight', exporter => 0,
                  data_source => $L7), 50, '50 in flight');
    my $st = $d->stop(signal => 'TERM');
    is($st, 0, 'SIGTERM: exit status 0');
    cmp_ok($d->stop_elapsed, '<', scale(10), 'SIGTERM: exits promptly, '
           . 'not after the 30 s linger');
    is($mock->count($T), 50, 'all 50 records reached Kafka before exit');
    my $log = $d->log;
    like($log, qr/notice: signal 15: shutting down/, 'log: shutting down');
    like($log, qr/notice: exit\n\z/, 'log: exit is the last line');
    unlike($log, qr/could not be delivered/, 'log: nothing was lost');
}

# ---- SIGINT works the same --------------------------------------------------

{
    my $mock = mock_start();
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      exporters => [{ 'flush-timeout' => 30 }]);
    is($d->post($L7, recs(1, 5))->{status}, 202, 'SIGINT: 5 records queued');
    is($d->stop(signal => 'INT'), 0, 'SIGINT: exit status 0');
    is($mock->count($T), 5, 'SIGINT: all 5 reached Kafka');
}

# ---- broker down: bounded by shutdown-timeout, losses reported --------------

{
    my $mock = mock_start();
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      main => { 'shutdown-timeout' => 2 },
                      exporters => [{ 'message-timeout' => 600 }]);
    is($mock->cmd('down 1'), 'ok', 'broker down');
    my $r = $d->post($L7, recs(1, 7));
    is($r->{status}, 202, '7 records wait for the broker');
    my $st = $d->stop(signal => 'TERM', timeout => 30);
    is($st >> 8, 3, 'broker down: exit status 3, messages were lost');
    cmp_ok($d->stop_elapsed, '<', scale(2 + 4),
           'broker down: exits within shutdown-timeout (2 s) and a margin');
    my $log = $d->log;
    like($log, qr/notice: signal 15: shutting down \(deadline 2 s\)/,
         'log: shutting down with the deadline');
    like($log, qr/warn: exporter 0: 7 messages could not be delivered/,
         'log: how many messages could not be delivered');
    like($log, qr/error: shutdown: 7 messages were not delivered/,
         'log: the loss, in all');
    like($log, qr/notice: exit\n\z/, 'log: exit is the last line');
}

# ---- an ack=kafka request still waiting at the deadline gets a 503 ----------

{
    my $mock = mock_start();
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      main => { 'shutdown-timeout' => 2 },
                      exporters => [{ 'message-timeout' => 600 }]);
    is($mock->cmd('down 1'), 'ok', 'broker down');
    my $pid = open(my $fh, '-|');
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        my $r = $d->post($L7, recs(1, 4), query => 'ack=kafka');
        print "$r->{status} $r->{content}";
        POSIX::_exit(0);
    }
    ok(Dfx::wait_until(10, sub {
        $d->metric('exporter_records_inflight', exporter => 0,
                   data_source => $L7) == 4 }),
       'an ack=kafka request waits for the broker');
    my $st = $d->stop(signal => 'TERM', timeout => 30);
    local $/;
    my $answer = <$fh>;
    close($fh);
    like($answer, qr/^503 /, 'at the deadline it is answered 503, not closed');
    like($answer, qr/"delivered":0,"failed":0,"unknown":4,"error":"shutting down: 4 of 4 messages had no answer from Kafka by the deadline/,
         '...saying how many messages have no answer');
    is($st >> 8, 3, 'and the loss makes the exit status 3');
}

# ---- no request waits: Kafka gets the whole deadline ------------------------

{
    my $mock = mock_start();
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      main => { 'shutdown-timeout' => 8 },
                      exporters => [{ 'message-timeout' => 600 }]);
    is($mock->cmd('down 1'), 'ok', 'broker down');
    is($d->post($L7, recs(1, 9))->{status}, 202, '9 records wait');
    my $t0 = Time::HiRes::time();
    $d->signal('TERM');
    ok($d->wait_log(qr/notice: signal 15: shutting down/, 5), 'SIGTERM');
    # past half of the deadline (4 s), within all of it
    Time::HiRes::sleep(5.5 - (Time::HiRes::time() - $t0));
    is($mock->cmd('up 1'), 'ok', 'broker up 5.5 s after SIGTERM');
    my $st = $d->stop(signal => 0, timeout => 30);
    is($st, 0, 'delivered within the deadline: exit status 0');
    is($mock->wait_count($T, 9), 9, 'all 9 records reached Kafka');
    unlike($d->log, qr/could not be delivered/, 'nothing was lost');
}

# ---- a reload keeps what it replaced until delivered ------------------------

{
    my $mock = mock_start();
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      exporters => [{ 'message-timeout' => 60 }]);
    is($mock->cmd('down 1'), 'ok', 'broker down');
    is($d->post($L7, recs(1, 20))->{status}, 202, '20 records wait');
    is($d->reload(Dfx::dfx_conf(exporters => [{ 'message-timeout' => 60,
                                                'batch-size' => 512 }]),
                  bootstrap => $mock->bootstrap, timeout => 30), 'ok',
       'reload while the broker is down');
    # longer than the 10 s a retired configuration used to be flushed
    Time::HiRes::sleep(12);
    is($d->admin_get('/healthz')->{status}, 200,
       'the main loop answers while the old configuration flushes');
    is($mock->cmd('up 1'), 'ok', 'broker up 12 s after the reload');
    is($mock->wait_count($T, 20, 30), 20,
       'the records the old configuration held reach Kafka');
    unlike($d->log, qr/could not be delivered/, 'nothing was purged');
    is($d->stop(signal => 'TERM'), 0, 'exit status 0');
}

# ---- requests in flight during shutdown ----------------------------------

{
    my $mock = mock_start();
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      main => { 'shutdown-timeout' => 4 });
    # an idle keep-alive connection, opened before SIGTERM
    my $s = IO::Socket::INET->new(PeerAddr => $d->ingest, Proto => 'tcp',
                                  Timeout => 5) or die "connect: $!";
    my $body = recs(100, 1);
    my $req = "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            . "Content-Type: application/x-ndjson\r\n"
            . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
    syswrite($s, $req);
    like(read_response($s), qr{^HTTP/1\.1 202 }, 'keep-alive connection: '
         . 'a first request is 202');
    is($mock->wait_count($T, 1), 1, 'and is delivered');

    # an acked request waits for a slow broker while SIGTERM arrives
    is($mock->cmd('rtt 1 1500'), 'ok', 'broker answers 1.5 s late');
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        # _exit: the parent's objects (daemon, mock) are not the child's
        # to destroy
        my $r = $d->post($L7, recs(1, 3), query => 'ack=kafka');
        Dfx::spew($d->dir . '/child', "$r->{status} $r->{content}");
        POSIX::_exit($r->{status} == 200 ? 0 : 1);
    }
    ok(Dfx::wait_until(10, sub {
        $d->metric('exporter_records_inflight', exporter => 0,
                   data_source => $L7) == 3 }),
       'SIGTERM arrives while the 3 acked records are in flight');
    $d->signal('TERM');
    ok($d->wait_log(qr/notice: signal 15: shutting down/, 5),
       'shutting down');
    # a new request on the open connection is turned away
    syswrite($s, $req);
    my $resp = read_response($s);
    like($resp, qr{^HTTP/1\.1 503 }, 'a request during shutdown: 503');
    like($resp, qr{\r\nRetry-After: \d+\r\n}i, '503 has Retry-After');
    # SIGTERM was sent: a second one would mean "stop now"
    my $st = $d->stop(signal => 0);
    waitpid($pid, 0);
    is($? >> 8, 0, 'the acked request in flight got its 200')
        or diag(Dfx::slurp($d->dir . '/child') . "\n" . $d->log);
    is($st, 0, 'exit status 0');
    is($mock->cmd('rtt 1 0'), 'ok', 'broker fast again');
    is($mock->count($T), 4, 'its records reached Kafka');
}

# One HTTP/1.1 response from a blocking socket (headers and a
# Content-Length body), or what came before the deadline.
sub read_response {
    my ($s) = @_;
    my $in = '';
    Dfx::wait_until(10, sub {
        my $sel = IO::Select->new($s);
        return 0 unless $sel->can_read(0.05);
        my $n = sysread($s, my $buf, 65536);
        return 1 unless $n;
        $in .= $buf;
        return 0 unless $in =~ /\r\n\r\n/;
        my ($h, $b) = split(/\r\n\r\n/, $in, 2);
        return $h =~ /^content-length:\s*(\d+)/mi && length($b) >= $1;
    });
    return $in;
}

done_testing();
