#!/usr/bin/perl
# Hostile clients (issue 9, denial of service): a client trickling its
# headers or its body byte by byte is cut at header-timeout and
# request-timeout with a 408; running out of file descriptors pauses the
# listeners (no spinning), is logged once and counted, and ingest works
# again once descriptors are back; max-connections leaves new
# connections in the backlog; a record with millions of array elements
# is rejected by limits.array-elements without costing memory.
use strict;
use warnings;
use Test::More;
use IO::Select;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(time sleep);
use lib 't/lib';
use Dfx qw(mock_start dfx_start wait_until json_decode scale figure);

my $L7 = 'flow_log.l7_flow_log';
my $REC = qq({"_id":1,"time":1700000000,"end_time":1700000000000000}\n);

my $mock = mock_start();

sub connect_to {
    my ($addr) = @_;
    return IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp',
                                 Timeout => 5);
}

# Sends $first, then $size bytes (default 1) of $drip every $every
# seconds, until the server answers or closes, or $limit seconds pass.
# Returns (what the server sent, seconds until it did, whether it
# closed).
sub trickle {
    my ($addr, $first, $drip, $every, $limit, $size) = @_;
    $size //= 1;
    my $s = connect_to($addr) or die "connect $addr: $!";
    local $SIG{PIPE} = 'IGNORE';
    syswrite($s, $first);
    my $sel = IO::Select->new($s);
    my ($t0, $in, $i, $closed) = (time(), '', 0, 0);
    my $next = $t0 + $every;
    while (time() - $t0 < $limit) {
        if ($sel->can_read(0.05)) {
            my $n = sysread($s, my $buf, 65536);
            if (!$n) {
                $closed = 1;
                last;
            }
            $in .= $buf;
            next;
        }
        if (time() >= $next
            && ($size == 1 || $i * $size < length($drip)))
        {
            last unless defined syswrite($s,
                $size == 1 ? substr($drip, $i++ % length($drip), 1)
                           : substr($drip, $i++ * $size, $size));
            $next += $every;
        }
    }
    my $el = time() - $t0;
    close($s);
    return ($in, $el, $closed);
}

sub body_of {
    my ($raw) = @_;
    my (undef, $b) = split(/\r\n\r\n/, $raw, 2);
    return eval { json_decode($b // '') } // {};
}

# ---- header and request deadlines ------------------------------------------

{
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      main => { 'header-timeout' => 2,
                                'request-timeout' => 4,
                                'client-timeout' => 60 });
    my $cpu0 = cpu_seconds($d->pid);
    my ($in, $el, $closed) = trickle($d->ingest,
        "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: x\r\n", "X-Slow: abcdef",
        0.5, 12 * scale());
    like($in, qr{^HTTP/1\.1 408 }, 'headers trickled: 408');
    like(body_of($in)->{error} // '', qr/header-timeout/,
         '... in dfexport\'s JSON, naming header-timeout');
    ok($closed, '... and the connection is closed');
    ok($el >= 1.5 && $el < 4 * scale(),
       sprintf('... at the header deadline (%.1f s)', $el));

    ($in, $el, $closed) = trickle($d->ingest,
        "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: x\r\n"
        . "Content-Type: application/x-ndjson\r\nContent-Length: 1000\r\n\r\n",
        ' ', 0.5, 12 * scale());
    like($in, qr{^HTTP/1\.1 408 }, 'body trickled: 408');
    like(body_of($in)->{error} // '', qr/request-timeout/,
         '... naming request-timeout');
    ok($closed, '... and the connection is closed');
    ok($el >= 3.5 && $el < 7 * scale(),
       sprintf('... at the request deadline (%.1f s)', $el));

    # the admin listener has the same deadlines
    ($in, $el, $closed) = trickle($d->admin,
        "GET /metrics HTTP/1.1\r\nHost: x\r\n", "X-Slow: abcdef",
        0.5, 12 * scale());
    like($in, qr{^HTTP/1\.1 408 }, 'admin: headers trickled: 408');
    ok($closed && $el >= 1.5 && $el < 4 * scale(),
       sprintf('... closed at the header deadline (%.1f s)', $el));
    is($d->metric('admin_timeouts_total', reason => 'header'), 1,
       '... counted in admin_timeouts_total{reason="header"}');

    # a slow but whole request within the deadlines is served
    my $body = $REC;
    my $req = "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: x\r\n"
              . "Content-Type: application/x-ndjson\r\n"
              . "Content-Length: " . length($body) . "\r\n\r\n";
    my $rest = substr($req, 10) . $body;
    ($in) = trickle($d->ingest, substr($req, 0, 10), $rest, 0.2,
                    5 * scale(), int(length($rest) / 6) + 1);
    like($in, qr{^HTTP/1\.1 202 }, 'a request sent in small pieces in time: 202');

    # keep-alive: a second request on the connection gets its own clock
    my $s = connect_to($d->ingest);
    for my $k (1 .. 2) {
        syswrite($s, $req . $body);
        my $got = '';
        wait_until(5, sub {
            IO::Select->new($s)->can_read(0.1) or return 0;
            sysread($s, my $b, 65536) or return 1;
            $got .= $b;
            return Dfx::Daemon::_complete($got);
        });
        like($got, qr{^HTTP/1\.1 202 }, "keep-alive request $k: 202");
        sleep(1.5) if $k == 1;      # idle time is client-timeout's
    }
    close($s);

    my $m = $d->metrics;
    is($d->metric('http_timeouts_total', reason => 'header', from => $m), 1,
       'http_timeouts_total{reason="header"} 1');
    is($d->metric('http_timeouts_total', reason => 'request', from => $m), 1,
       'http_timeouts_total{reason="request"} 1');
    is($d->metric('http_requests_total', code => 408, from => $m), 2,
       'http_requests_total{code="408"} 2');
    figure('slowloris: headers, then a body, a byte every 0.5 s',
           cpu_s => cpu_seconds($d->pid) - $cpu0,
           rss_mb => hwm_kb($d->pid) / 1024,
           note => '408 at header-timeout (2 s) and request-timeout (4 s), '
                   . 'counted; CPU over the whole case');
    is($d->post($L7, $REC)->{status}, 202, 'still serving');
    $d->stop;
}

sub hwm_kb;

# ---- file descriptors run out ----------------------------------------------

sub cpu_seconds {
    my ($pid) = @_;
    my $st = Dfx::slurp("/proc/$pid/stat");
    $st =~ s/^.*\)\s+//s;
    my @f = split(/\s+/, $st);
    # utime and stime are fields 14 and 15 of the whole line
    return ($f[11] + $f[12]) / POSIX::sysconf(POSIX::_SC_CLK_TCK());
}

SKIP: {
    skip 'needs /proc', 9 unless -r "/proc/$$/stat";
    my $d = dfx_start(bootstrap => $mock->bootstrap, nofile => 64,
                      main => { workers => 2 });
    my @idle;
    for (1 .. 70) {
        my $s = connect_to($d->ingest) or last;
        push @idle, $s;
    }
    ok(scalar(@idle) >= 60, scalar(@idle) . ' idle connections opened');
    ok($d->wait_log(qr/ingest: accept\(\) failed: [^\n]*/, 10 * scale()),
       'the accept failure is logged');
    my $cpu0 = cpu_seconds($d->pid);
    sleep(3);
    my $cpu = cpu_seconds($d->pid) - $cpu0;
    ok($cpu < 0.5, sprintf('no spinning: %.2f s of CPU in 3 s', $cpu));
    figure('file descriptors exhausted (ulimit -n 64), ' . scalar(@idle)
           . ' idle connections', cpu_s => $cpu,
           rss_mb => hwm_kb($d->pid) / 1024,
           note => 'CPU in 3 s of the episode; one log line; ingest '
                   . 'served again once they close');
    my @lines = $d->log =~ /accept\(\) failed/g;
    is(scalar(@lines), 1, 'one log line for the episode');

    close($_) for @idle;
    @idle = ();
    ok($d->wait_log(qr/accepting connections again[^\n]*/, 10 * scale()),
       'the end of the episode is logged');
    ok($d->metric('http_accept_errors_total') > 0,
       'http_accept_errors_total counted the failures');
    my $had = $mock->count("deepflow.$L7");
    is($d->post($L7, $REC)->{status}, 202,
       'ingest works again once descriptors are back');
    is($mock->wait_count("deepflow.$L7", $had + 1, 10), $had + 1,
       '... and reaches Kafka');
    $d->stop;
}

# ---- max-connections ----------------------------------------------------------

{
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      main => { workers => 2, 'max-connections' => 3 });
    my @idle = map { connect_to($d->ingest) } 1 .. 3;
    ok(wait_until(5, sub { $d->metric('http_connections') == 3 }),
       'http_connections 3');
    my $extra = connect_to($d->ingest);
    ok($extra, 'a 4th connection is left in the backlog (connect works)');
    syswrite($extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    my $sel = IO::Select->new($extra);
    ok(!$sel->can_read(1), '... and is not served while 3 are open');
    is($d->metric('http_connections'), 3, 'still 3 connections');
    ok($d->metric('http_max_connections_reached_total') >= 1,
       'http_max_connections_reached_total counts it');
    close(shift @idle);
    ok($sel->can_read(5 * scale()), 'served once one closes');
    sysread($extra, my $got, 4096);
    like($got // '', qr{^HTTP/1\.1 200 }, '... 200');
    close($extra);
    close($_) for @idle;
    $d->stop;
}

# ---- limits.array-elements ----------------------------------------------------

sub hwm_kb {
    my ($pid) = @_;
    my ($kb) = Dfx::slurp("/proc/$pid/status") =~ /^VmHWM:\s+(\d+)/m;
    return $kb;
}

SKIP: {
    skip 'needs /proc', 8 unless -r "/proc/$$/status";
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      main => { limits => { 'array-elements' => 1000 } });
    # warm up (first request's buffers)
    is($d->post($L7, $REC)->{status}, 202, 'a small request first');
    my $before = hwm_kb($d->pid);
    my $n = 5_000_000;
    my $big = '{"_id":2,"time":1700000000,"end_time":1700000000000000,'
              . '"metrics_names":[' . join(',', ('""') x $n) . "]}\n";
    # a JSON array (limits.line is for NDJSON lines): the big record on
    # line 2
    my $r = $d->post($L7, "[$REC,$big,$REC]", type => 'json');
    is($r->{status}, 202, sprintf('a record of %d empty strings (%.0f MB) '
                                  . 'among valid ones: 202', $n,
                                  length($big) / 1e6));
    my $j = $r->{json} // {};
    is_deeply([$j->{accepted}, $j->{rejected}], [2, 1],
              '... 2 accepted, 1 rejected');
    my $e = ($j->{errors} // [])->[0] // {};
    is($e->{line}, 2, '... the rejected one is line 2');
    is($e->{field}, 'metrics_names', '... its field named');
    like($e->{error} // '', qr/more than 1000 elements in the array \(limits\.array-elements\)/,
         '... with the reason');
    my $grew = (hwm_kb($d->pid) - $before) / 1024;
    # the body (15 MB) is held as sent and once more, contiguous; the
    # elements were 5M x 16 bytes, doubled while growing
    ok($grew < 80, sprintf('peak memory grew by %.0f MB (< 80)', $grew));
    figure(sprintf('a record of %d empty strings (%.0f MB) in an array',
                   $n, length($big) / 1e6), rss_mb => hwm_kb($d->pid) / 1024,
           note => sprintf('rejected by limits.array-elements; peak RSS '
                           . '+%.0f MB', $grew));
    is($d->post($L7, $REC)->{status}, 202, 'still serving');
    $d->stop;
}

done_testing();
