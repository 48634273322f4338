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
    is($st, 0, 'broker down: exit status 0');
    cmp_ok($d->stop_elapsed, '<', scale(2 + 4),
           'broker down: exits within shutdown-timeout (2 s) and a margin');
    my $log = $d->log;
    like($log, qr/notice: signal 15: shutting down \(deadline 2 s\)/,
         'log: shutting down with the deadline');
    like($log, qr/warn: exporter 0: 7 messages could not be delivered/,
         'log: how many messages could not be delivered');
    like($log, qr/notice: exit\n\z/, 'log: exit is the last line');
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
