#!/usr/bin/perl
# The answers libevent 2.1 would write itself (issue 9, DESIGN section
# 13): a bad chunk size is 400, a body past limits.body 413 (sent before
# the body, also to a client waiting for "100 Continue"), an expectation
# other than 100-continue 417; each in dfexport's JSON, with
# "Connection: close", counted by status, and what follows on the
# connection is never served.  Valid framing still works: chunk
# extensions, trailers, pipelined chunked requests, 100-continue.  TLS
# connections get the same answers.  Raw sockets throughout.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);
use lib 't/lib';
use Dfx qw(mock_start dfx_start json_decode spew slurp scale);

my $L7 = 'flow_log.l7_flow_log';
my $REC = qq({"_id":1,"time":1700000000,"end_time":1700000000000000}\n);
my $HEAD = "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: x\r\n"
    . "Content-Type: application/x-ndjson\r\n";
my $NEXT = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap,
                  main => { limits => { body => '1MiB' } },
                  exporters => [{ 'data-sources' => [$L7],
                                  'queue-count' => 1 }]);

sub chunk { sprintf("%x\r\n%s\r\n", length($_[0]), $_[0]) }

# Every answer in a stream of bytes.
sub answers {
    my ($in) = @_;
    my @a;
    while ($in =~ s{\AHTTP/1\.[01] (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n}{}s) {
        my %h = (status => $1);
        for (split(/\r\n/, $2)) {
            $h{headers}{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
        }
        $h{body} = substr($in, 0, $h{headers}{'content-length'} // 0, '');
        $h{json} = eval { json_decode($h{body}) } // {};
        push(@a, \%h);
    }
    return \@a;
}

# A refusal: exactly one answer, STATUS, JSON whose error matches RE,
# Connection: close, and the server closes.
sub refused {
    my ($r, $status, $re, $what) = @_;
    my $a = answers($r->{raw});
    is(scalar(@$a), 1, "$what: one answer, the request after it is not "
       . 'served') or diag($r->{raw});
    is($a->[0]{status}, $status, "$what: $status") or diag($r->{raw});
    is($a->[0]{headers}{'content-type'}, 'application/json',
       "$what: in JSON");
    like($a->[0]{json}{error} // '', $re, "$what: the error says why");
    is(lc($a->[0]{headers}{connection} // ''), 'close',
       "$what: Connection: close");
    ok($r->{closed}, "$what: the connection is closed");
    return $a->[0];
}

my $m0 = $d->metrics;

# ---- chunk sizes ------------------------------------------------------------

my $nbad = 0;
for my $t (['zz', 'not hexadecimal'], ['-5', 'negative'],
           ['+5', 'signed'], ['0x5', 'with 0x'],
           ['ffffffffffffffffff', 'past 64 bits'],
           ['8000000000000000', 'past int64'],
           ['', 'empty, then data'], ['5 junk', 'a space, then no ";"'],
           ["5\rx", 'a CR inside'])
{
    my ($size, $what) = @$t;
    my $r = $d->raw("${HEAD}Transfer-Encoding: chunked\r\n\r\n"
                    . ($size eq '' ? "\r\nhello\r\n" : "$size\r\nhello\r\n")
                    . "0\r\n\r\n$NEXT", timeout => 5);
    refused($r, 400, qr/invalid chunk size/, "chunk size $what");
    $nbad++;
}
{
    # the size says 3, the data runs on
    my $r = $d->raw("${HEAD}Transfer-Encoding: chunked\r\n\r\n"
                    . "3\r\nhello\r\n0\r\n\r\n$NEXT", timeout => 5);
    refused($r, 400, qr/not followed by CRLF/, 'chunk longer than its size');
    $nbad++;
}

# ---- bodies past limits.body: 413 before the body ----------------------------

my $n413 = 0;
{
    my $t0 = time();
    my $r = $d->raw("${HEAD}Content-Length: 10485760\r\n\r\n", timeout => 5);
    refused($r, 413, qr/larger than limits\.body/,
            'Content-Length past limits.body, body not sent');
    cmp_ok(time() - $t0, '<', 2 * scale(), '... answered at once');
    $n413++;

    # the client sends it anyway: it still reads the answer
    $r = $d->raw("${HEAD}Content-Length: 4194304\r\n\r\n" . ('x' x 4194304),
                 timeout => 10);
    refused($r, 413, qr/larger than limits\.body/,
            'Content-Length past limits.body, body sent');
    $n413++;

    # Expect: 100-continue: the answer comes, without the body
    $t0 = time();
    $r = $d->raw("${HEAD}Expect: 100-continue\r\n"
                 . "Content-Length: 104857600\r\n\r\n", timeout => 5);
    my $a = refused($r, 413, qr/larger than limits\.body/,
                    'Expect: 100-continue past limits.body');
    unlike($r->{raw}, qr{^HTTP/1\.1 100}, '... and no 100 Continue');
    cmp_ok(time() - $t0, '<', 2 * scale(), '... answered at once');
    $n413++;

    # a chunk that takes a chunked body past it
    my $big = sprintf("%x", 2 << 20);
    $r = $d->raw("${HEAD}Transfer-Encoding: chunked\r\n\r\n$big\r\n",
                 timeout => 5);
    refused($r, 413, qr/larger than limits\.body/,
            'a chunk past limits.body, before its data');
    $n413++;
    my $c = chunk('y' x 65536);
    $r = $d->raw("${HEAD}Transfer-Encoding: chunked\r\n\r\n" . ($c x 20)
                 . "0\r\n\r\n", timeout => 10);
    refused($r, 413, qr/larger than limits\.body/,
            'chunks adding up past limits.body');
    $n413++;
}

# ---- expectations ------------------------------------------------------------

{
    my $r = $d->raw("${HEAD}Expect: 200-ok\r\nContent-Length: "
                    . length($REC) . "\r\n\r\n$REC$NEXT", timeout => 5);
    refused($r, 417, qr/Expect: 100-continue/, 'Expect: 200-ok');

    # 100-continue within the limits: 100, then the body is read
    my $s = IO::Socket::INET->new(PeerAddr => $d->ingest, Proto => 'tcp',
                                  Timeout => 5) or die "connect: $!";
    syswrite($s, "${HEAD}Expect: 100-continue\r\nContent-Length: "
                 . length($REC) . "\r\nConnection: close\r\n\r\n");
    my $in = '';
    Dfx::wait_until(5, sub {
        IO::Select->new($s)->can_read(0.1) or return 0;
        sysread($s, my $b, 4096) or return 1;
        $in .= $b;
        return $in =~ /\r\n\r\n/;
    });
    like($in, qr{^HTTP/1\.1 100 Continue\r\n\r\n},
         'Expect: 100-continue within limits.body: 100 Continue');
    syswrite($s, $REC);
    Dfx::wait_until(5, sub {
        IO::Select->new($s)->can_read(0.1) or return 0;
        sysread($s, my $b, 4096) or return 1;
        $in .= $b;
        return 0;
    });
    like($in, qr{\r\n\r\nHTTP/1\.1 202 }, '... then 202');
}

# ---- other lines evhttp would refuse with its own page --------------------------

{
    my $r = $d->raw("${HEAD}Content-Length: 10, 20\r\n\r\n$REC$NEXT",
                    timeout => 5);
    refused($r, 400, qr/invalid Content-Length/, 'Content-Length: 10, 20');
    $r = $d->raw("${HEAD}No colon here\r\nContent-Length: 1\r\n\r\nx$NEXT",
                 timeout => 5);
    refused($r, 400, qr/malformed header line/, 'a header line without ":"');
    $r = $d->raw("${HEAD}Content-Length:\r\n 5\r\n\r\nhello$NEXT",
                 timeout => 5);
    refused($r, 400, qr/line folding/, 'a folded Content-Length');
    $r = $d->raw("${HEAD}Transfer-Encoding: chunked\r\n\r\n"
                 . "0\r\nno colon\r\n\r\n$NEXT", timeout => 5);
    refused($r, 400, qr/malformed trailer/, 'a trailer line without ":"');
    $nbad += 4;
    # headers past 64 KiB: 431 before evhttp's own page, on the header
    # line that crosses the limit (the rest is never sent)
    $r = $d->raw($HEAD . ('X-Pad: ' . ('a' x 1000) . "\r\n") x 70
                 . "Content-Length: 1\r\n\r\nx$NEXT", timeout => 5);
    refused($r, 431, qr/headers are larger than 64 KiB/,
            'headers past 64 KiB');
    $r = $d->raw($HEAD . ('X-Pad: ' . ('a' x 1000) . "\r\n") x 60
                 . "Content-Length: " . length($REC) . "\r\n\r\n$REC",
                 timeout => 5);
    like($r->{raw}, qr{^HTTP/1\.1 202 }, 'headers of 60 KiB: 202');
}

# ---- valid framing still works ---------------------------------------------------

{
    # extensions, trailers, and LF-only line ends; three chunked requests
    # and a GET pipelined in one write
    my $body = chunk(substr($REC, 0, 10))
        . sprintf("%x;name=value\r\n%s\r\n", length($REC) - 20,
                  substr($REC, 10, length($REC) - 20))
        . sprintf("%x ; a=\"b c\";d\n%s\n", 10, substr($REC, -10))
        . "0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n";
    my $one = "${HEAD}Transfer-Encoding: chunked\r\n\r\n$body";
    my $r = $d->raw($one x 3 . "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                    . "Connection: close\r\n\r\n", timeout => 10);
    my $a = answers($r->{raw});
    is(scalar(@$a), 4, 'three chunked requests (extensions, trailers) and '
       . 'a GET, pipelined: four answers') or diag($r->{raw});
    is(join(',', map { $_->{status} } @$a), '202,202,202,200',
       '... 202, 202, 202, 200');
    is($a->[0]{json}{accepted}, 1, '... each record accepted');

    # Content-Length bodies pipelined, with a chunked one between
    my $cl = "${HEAD}Content-Length: " . length($REC) . "\r\n\r\n$REC";
    $r = $d->raw($cl . $one . $cl . "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                 . "Connection: close\r\n\r\n", timeout => 10);
    $a = answers($r->{raw});
    is(join(',', map { $_->{status} } @$a), '202,202,202,200',
       'Content-Length, chunked, Content-Length, GET pipelined: all served')
        or diag($r->{raw});

    # a body of exactly limits.body
    my $fill = $REC . (' ' x ((1 << 20) - length($REC) - 1)) . "\n";
    $r = $d->post($L7, $fill);
    is($r->{status}, 202, 'a body of exactly limits.body: 202')
        or diag($r->{content});
}

# ---- counted by status, and the daemon is fine -----------------------------------

{
    my $m = $d->metrics;
    my $delta = sub {
        my ($code) = @_;
        return Dfx::Daemon::metric($d, 'http_requests_total', code => $code,
                                   from => $m)
            - Dfx::Daemon::metric($d, 'http_requests_total', code => $code,
                                  from => $m0);
    };
    is($delta->(400), $nbad, "http_requests_total{code=\"400\"}: $nbad");
    is($delta->(413), $n413, "http_requests_total{code=\"413\"}: $n413");
    is($delta->(417), 1, 'http_requests_total{code="417"}: 1');
    is($delta->(431), 1, 'http_requests_total{code="431"}: 1');
    is(Dfx::Daemon::metric($d, 'http_memory_bytes', from => $m), 0,
       'http_memory_bytes: back to 0');
}

# ---- the admin listener: the same gate ---------------------------------------------

{
    my $PUT = "PUT /v1/dictionary HTTP/1.1\r\nHost: x\r\n"
        . "Content-Type: application/json\r\n";
    my $r = $d->raw("${PUT}Transfer-Encoding: chunked\r\n\r\nzz\r\n$NEXT",
                    admin => 1, timeout => 5);
    refused($r, 400, qr/invalid chunk size/, 'admin: a bad chunk size');
    $r = $d->raw("${PUT}Content-Length: 300000000\r\n"
                 . "Expect: 100-continue\r\n\r\n", admin => 1, timeout => 5);
    my $a = refused($r, 413, qr/larger than limits\.decoded-body/,
                    'admin: a body past limits.decoded-body, 100-continue');
    unlike($r->{raw}, qr{HTTP/1\.1 100 }, '... with no 100 Continue');
    $r = $d->raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", admin => 1,
                 timeout => 2);
    like($r->{raw}, qr{^HTTP/1\.1 200 }, 'admin: still serving');
}

# ---- TLS: the same answers, through the connection's TLS --------------------------

SKIP: {
    skip 'openssl not found', 6 if system('openssl version >/dev/null 2>&1');
    my $dir = tempdir('dfx-gate-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    spew("$dir/ext", "subjectAltName=IP:127.0.0.1\n");
    system("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "
           . "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout "
           . "$dir/srv.key -out $dir/srv.pem >/dev/null 2>&1") == 0
        or skip 'cannot make a certificate', 6;
    my $t = dfx_start(bootstrap => $mock->bootstrap,
                      main => { limits => { body => '1MiB' },
                                tls => { 'cert-file' => "$dir/srv.pem",
                                         'key-file' => "$dir/srv.key" } },
                      exporters => [{ 'data-sources' => [$L7] }]);
    my $tls = sub {
        my ($bytes) = @_;
        spew("$dir/req", $bytes);
        my $cmd = 'timeout 10 openssl s_client -quiet -ign_eof -connect '
            . $t->ingest . " < $dir/req 2>/dev/null";
        my $out = `$cmd`;
        return { raw => $out, closed => 1 };
    };
    my $r = $tls->("${HEAD}Transfer-Encoding: chunked\r\n\r\nzz\r\n$NEXT");
    my $a = answers($r->{raw});
    is($a->[0]{status}, 400, 'TLS: a bad chunk size: 400') or diag($r->{raw});
    like($a->[0]{json}{error} // '', qr/invalid chunk size/,
         'TLS: ... in JSON');
    is(scalar(@$a), 1, 'TLS: ... the request after it not served');
    $r = $tls->("${HEAD}Content-Length: 10485760\r\n\r\n");
    $a = answers($r->{raw});
    is($a->[0]{status}, 413, 'TLS: Content-Length past limits.body: 413')
        or diag($r->{raw});
    $r = $tls->("${HEAD}Content-Length: " . length($REC)
                . "\r\nConnection: close\r\n\r\n$REC");
    $a = answers($r->{raw});
    is($a->[0]{status}, 202, 'TLS: a sound request: 202') or diag($r->{raw});
    $t->stop;
    unlike($t->log, qr/\[(alert|crit)\]|Sanitizer/,
           'TLS: nothing alarming logged');
}

is($d->post($L7, $REC)->{status}, 202, 'the daemon still serves');
$d->stop;
unlike($d->log, qr/\[(alert|crit)\]|Sanitizer/, 'nothing alarming logged');
done_testing();
