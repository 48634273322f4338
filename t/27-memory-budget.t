#!/usr/bin/perl
# One byte budget for request bodies and their records in memory
# (dfexport.limits.memory, issue 9, DESIGN section 13): a body is
# reserved when its size is known (Content-Length: at the end of the
# headers; chunked: chunk by chunk) and given back when the request is
# done.  A body that does not fit is answered 429 with Retry-After before
# it is read (a body is reserved at three times its size: as received,
# the copy the parser reads, the messages it becomes); a chunked body that
# runs out of room midway, or a gzip body
# as it is decoded, 503 with Retry-After; each refusal is counted, the
# gauge shows what is held, and the daemon goes on serving.  Many
# connections sending big bodies at once: some are refused, the others
# served, and the peak RSS is reported.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use IO::Select;
use POSIX ();
use Time::HiRes qw(time);
use lib 't/lib';
use Dfx qw(mock_start dfx_start dfx_conf dfx_check_conf wait_until
           json_decode scale figure);

my $L7 = 'flow_log.l7_flow_log';
my $REC = qq({"_id":1,"time":1700000000,"end_time":1700000000000000}\n);
my $HEAD = "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: x\r\n"
    . "Content-Type: application/x-ndjson\r\n";
my $MiB = 1 << 20;

# ---- the key -------------------------------------------------------------------

{
    my ($rc, $out) = dfx_check_conf(
        "dfexport:\n  limits:\n    body: 2MiB\n    memory: 1MiB\n");
    is($rc, 1, 'limits.memory smaller than limits.body: refused');
    like($out, qr/^dfexport: \S*dfexport\.yaml:4:13: dfexport\.limits\.memory: must not be smaller than limits\.body \(2MiB\), got "1MiB"$/m,
         '... with its place and the rule') or diag($out);
    ($rc, $out) = dfx_check_conf(
        "dfexport:\n  limits:\n    memory: 64MB\n");
    like($out, qr/dfexport\.yaml:3:13: dfexport\.limits\.memory: must be a size/,
         'limits.memory: a size') or diag($out);
    ($rc, $out) = dfx_check_conf("dfexport:\n  limits:\n    body: 1GiB\n"
                                 . "    decoded-body: 2GiB\n");
    is($rc, 0, 'a limits.body past the default limits.memory: the default '
       . 'follows it') or diag($out);
}

# ---- reservations, one by one ------------------------------------------------------

my $mock = mock_start();
my $LIMIT = 4 * $MiB;
my $d = dfx_start(bootstrap => $mock->bootstrap,
                  main => { limits => { body => '1MiB', memory => '4MiB' } },
                  exporters => [{ 'data-sources' => [$L7],
                                  'queue-count' => 1 }]);

sub held { $d->metric('http_memory_bytes') }
sub refused_by { $d->metric('http_memory_refused_total', reason => $_[0]) }
# what a body of N bytes is reserved for: its handling included
sub cost { my $c = 3 * $_[0]; $c < $LIMIT ? $c : $LIMIT }

is($d->metric('http_memory_limit_bytes'), $LIMIT,
   'http_memory_limit_bytes: limits.memory');

# a connection that has sent its headers and holds its body back
sub hold {
    my ($len) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $d->ingest, Proto => 'tcp',
                                  Timeout => 5) or die "connect: $!";
    syswrite($s, "${HEAD}Content-Length: $len\r\n\r\n");
    return $s;
}

# a body of exactly LEN bytes: records of 1 KiB, padded with blanks
my $BIG = '{"_id":1,"time":1700000000,"end_time":1700000000000000,'
    . '"request_resource":"' . ('r' x 950) . qq("}\n);
sub body_of {
    my ($len) = @_;
    my $n = int(($len - 1) / length($BIG)) || 1;
    my $b = $BIG x $n;
    return $b . (' ' x ($len - length($b) - 1)) . "\n";
}

# sends the rest of a held request, returns the status of its answer
sub finish {
    my ($s, $len) = @_;
    local $SIG{PIPE} = 'IGNORE';
    my $b = body_of($len);
    my $off = 0;
    while ($off < length($b)) {
        my $n = syswrite($s, $b, length($b) - $off, $off);
        last unless defined $n;
        $off += $n;
    }
    my $in = '';
    wait_until(10, sub {
        IO::Select->new($s)->can_read(0.1) or return 0;
        sysread($s, my $x, 65536) or return 1;
        $in .= $x;
        return Dfx::Daemon::_complete($in);
    });
    close($s);
    diag(substr($in, 0, 400)) unless $in =~ m{^HTTP/1\.1 202};
    return $in =~ m{^HTTP/1\.1 (\d+)} ? $1 : 0;
}

my $a = hold($MiB);
ok(wait_until(5, sub { held() == cost($MiB) }),
   'a Content-Length body is reserved at the end of the headers, with '
   . 'its handling (3 times its size)');
my $b = hold(300 * 1024);
my $ab = cost($MiB) + cost(300 * 1024);
ok(wait_until(5, sub { held() == $ab }), '... a second one');

{
    my $t0 = time();
    my $body = body_of(50 * 1024);
    my $r = $d->raw("${HEAD}Content-Length: " . length($body) . "\r\n\r\n"
                    . $body, timeout => 5);
    is($r->{status}, 429, 'no room left: 429') or diag($r->{raw});
    is($r->{headers}{'retry-after'}, '1', '... with Retry-After');
    like((eval { json_decode($r->{content}) } // {})->{error} // '',
         qr/limits\.memory/, '... the error names limits.memory');
    ok($r->{closed}, '... and the connection is closed');
    cmp_ok(time() - $t0, '<', 2 * scale(), '... at once');
    is(refused_by('body'), 1,
       'http_memory_refused_total{reason="body"}: 1');
}

is(finish($a, $MiB), 202, 'a held body, sent: 202');
ok(wait_until(5, sub { held() == cost(300 * 1024) }),
   '... and its room is given back');
{
    my $r = $d->post($L7, body_of(512 * 1024));
    is($r->{status}, 202, 'a body that fits again: 202') or diag($r->{content});
}

# ---- chunked bodies: chunk by chunk ------------------------------------------------

{
    # room for 124 KiB
    my $c = hold($MiB);
    ok(wait_until(5, sub { held() == $ab }), 'another held body');
    my $c1 = 'x' x (30 * 1024);
    my $r = $d->raw("${HEAD}Transfer-Encoding: chunked\r\n\r\n"
                    . sprintf("%x\r\n%s\r\n", length($c1), $c1)
                    . sprintf("%x\r\n", 30 * 1024), timeout => 5);
    is($r->{status}, 503, 'a chunk past the room left, midway: 503')
        or diag($r->{raw});
    is($r->{headers}{'retry-after'}, '1', '... with Retry-After');
    ok($r->{closed}, '... and the connection is closed');
    is(refused_by('chunk'), 1,
       'http_memory_refused_total{reason="chunk"}: 1');

    $r = $d->raw("${HEAD}Transfer-Encoding: chunked\r\n\r\n"
                 . sprintf("%x\r\n", 100 * 1024), timeout => 5);
    is($r->{status}, 429, 'a first chunk past the room left: 429')
        or diag($r->{raw});
    is(refused_by('body'), 2, '... counted as a body refused');
    ok(wait_until(5, sub { held() == $ab }),
       '... what the refused requests held is given back');
    close($c);
    ok(wait_until(5, sub { held() == cost(300 * 1024) }),
       'a client that leaves with its body unsent gives its room back');
}

# ---- gzip: the decoded body counts ----------------------------------------------

{
    my $r = $d->post($L7, body_of(6 * $MiB), gzip => 1);
    is($r->{status}, 503, 'a gzip body decoded past the room left: 503')
        or diag($r->{content});
    is($r->{headers}{'retry-after'}, '1', '... with Retry-After');
    is(refused_by('decoded'), 1,
       'http_memory_refused_total{reason="decoded"}: 1');
    $r = $d->post($L7, body_of(512 * 1024), gzip => 1);
    is($r->{status}, 202, 'one that fits: 202') or diag($r->{content});
}

is(finish($b, 300 * 1024), 202, 'the other held body, sent: 202');
ok(wait_until(5, sub { held() == 0 }), 'http_memory_bytes: back to 0');
is($d->metric('http_requests_total', code => 429), 2,
   'http_requests_total{code="429"}: 2');
is($d->metric('http_requests_total', code => 503), 2,
   'http_requests_total{code="503"}: 2');
$d->stop;
unlike($d->log, qr/\[(alert|crit)\]|Sanitizer/, 'nothing alarming logged');

# ---- many big bodies at once ----------------------------------------------------------

# $n connections each send a body of $size bytes at the same time, read
# the answer; returns the statuses
sub flood {
    my ($addr, $n, $size) = @_;
    my $body = body_of($size);
    my $req = "${HEAD}Content-Length: " . length($body) . "\r\n\r\n$body";
    my (@s, @off, @in, @done);
    local $SIG{PIPE} = 'IGNORE';
    for my $i (0 .. $n - 1) {
        $s[$i] = IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp',
                                       Timeout => 5) or die "connect: $!";
        $s[$i]->blocking(0);
        ($off[$i], $in[$i], $done[$i]) = (0, '', 0);
    }
    my $deadline = time() + 60 * scale();
    while (time() < $deadline && grep { !$_ } @done) {
        my $rs = IO::Select->new(map { $s[$_] } grep { !$done[$_] } 0 .. $n - 1);
        my $ws = IO::Select->new(map { $s[$_] }
            grep { !$done[$_] && $off[$_] < length($req) && $in[$_] eq '' }
            0 .. $n - 1);
        my ($r, $w) = IO::Select->select($rs, $ws->count ? $ws : undef,
                                         undef, 0.1);
        for my $i (0 .. $n - 1) {
            next if $done[$i];
            if ($w && grep { $_ == $s[$i] } @$w) {
                my $k = syswrite($s[$i], $req, 1 << 18, $off[$i]);
                $off[$i] = defined $k ? $off[$i] + $k
                         : $!{EAGAIN} ? $off[$i] : length($req);
            }
            if ($r && grep { $_ == $s[$i] } @$r) {
                my $k = sysread($s[$i], my $x, 65536);
                next if !defined $k && $!{EAGAIN};
                $in[$i] .= $x if $k;
                $done[$i] = 1 if !$k || Dfx::Daemon::_complete($in[$i]);
            }
        }
    }
    close($_) for @s;
    return map { m{^HTTP/1\.1 (\d+)} ? $1 : 0 } @in;
}

sub hwm {
    my ($pid) = @_;
    open(my $fh, '<', "/proc/$pid/status") or return 0;
    while (<$fh>) {
        return $1 * 1024 if /^VmHWM:\s+(\d+) kB/;
    }
    return 0;
}

{
    # DFX_LOAD=10 (contrib/reliability/run.sh): 60 MB bodies
    my $l = $ENV{DFX_LOAD} // 1;
    my ($n, $size) = (8, 6 * $l * $MiB);
    my $f = dfx_start(bootstrap => $mock->bootstrap,
                      main => { limits => { body => (8 * $l) . 'MiB',
                                            memory => (16 * $l) . 'MiB' } },
                      exporters => [{ 'data-sources' => [$L7],
                                      'queue-size' => 1000000 }]);
    my $before = hwm($f->pid);
    my @st = flood($f->ingest, $n, $size);
    my $ok = grep { $_ == 202 } @st;
    my $busy = grep { $_ == 429 } @st;
    is($ok + $busy, $n, "$n connections sending " . (6 * $l)
       . ' MB bodies at once, limits.memory ' . (16 * $l) . 'MiB: each '
       . 'served (202) or refused (429)')
        or diag("@st");
    cmp_ok($ok, '>=', 1, "... $ok served");
    cmp_ok($busy, '>=', 1, "... $busy refused before their bodies were read");
    ok(wait_until(5, sub { $f->metric('http_memory_bytes') == 0 }),
       '... http_memory_bytes back to 0');
    is($f->post($L7, $REC)->{status}, 202, '... and the daemon still serves');
    figure("$n connections sending " . (6 * $l) . ' MB bodies at once, '
           . 'limits.memory ' . (16 * $l) . 'MiB',
           rss_mb => hwm($f->pid) / $MiB,
           note => "$ok served (202), $busy refused (429) before their "
                   . sprintf('bodies were read; peak RSS %.0f MB before',
                             $before / $MiB));
    $f->stop;
    unlike($f->log, qr/\[(alert|crit)\]|Sanitizer/,
           '... nothing alarming logged');
}

done_testing();
