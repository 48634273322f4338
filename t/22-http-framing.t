#!/usr/bin/perl
# HTTP framing at the edge (DESIGN section 13, issue 9): HEAD has no body
# and keeps the connection, conflicting Content-Length is 400, unknown
# methods 405, a half-closed client still gets every answer, a lone
# surrogate escape rejects its record.  Raw sockets throughout: an HTTP
# client library would hide what is on the wire.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use IO::Select;
use Socket qw(SHUT_WR);
use lib 't/lib';
use Dfx qw(top mock_start dfx_start json_decode);

my $L7 = 'flow_log.l7_flow_log';

my $mock = mock_start();
my $d = dfx_start(
    bootstrap => $mock->bootstrap,
    main => { limits => { body => '8MiB' } },
    exporters => [{ 'data-sources' => [$L7], 'queue-count' => 1 }]);

sub rec { qq({"_id":$_[0],"time":1700000000,"end_time":1700000000000000}) }

# Sends BYTES on a new connection to ADDR, half-closes it when half_close
# is set, and reads until the server closes or the deadline: the bytes
# read, and whether the server closed.
sub exchange {
    my ($addr, $bytes, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp',
                                  Timeout => 10)
        or die "connect $addr: $!";
    local $SIG{PIPE} = 'IGNORE';
    $s->blocking(1);
    my $off = 0;
    while ($off < length($bytes)) {
        my $n = syswrite($s, $bytes, length($bytes) - $off, $off);
        die "write: $!" unless defined $n;
        $off += $n;
    }
    shutdown($s, SHUT_WR) if $o{half_close};
    $s->blocking(0);
    my $sel = IO::Select->new($s);
    my $deadline = time() + ($o{timeout} // 10) * Dfx::scale();
    my ($in, $closed) = ('', 0);
    while (time() < $deadline) {
        next unless $sel->can_read(0.05);
        my $n = sysread($s, my $chunk, 1 << 20);
        if (!defined $n) {
            next if $!{EAGAIN};
            $closed = 1;
            last;
        }
        if ($n == 0) {
            $closed = 1;
            last;
        }
        $in .= $chunk;
        last if $o{until} && $o{until}->($in);
    }
    close($s);
    return ($in, $closed);
}

# Splits a stream of answers; heads: how many answers (from the first)
# answer HEAD requests and so have no body.
sub answers {
    my ($in, $heads) = @_;
    my @a;
    while ($in =~ s{\AHTTP/1\.[01] (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n}{}s) {
        my %h = (status => $1);
        for (split(/\r\n/, $2)) {
            $h{headers}{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
        }
        my $len = @a < ($heads // 0) ? 0
                : ($h{headers}{'content-length'} // 0);
        $h{body} = substr($in, 0, $len, '');
        push(@a, \%h);
    }
    return (\@a, $in);
}

# ---- HEAD: headers only, keep-alive goes on ---------------------------------

for my $t ([ingest => '/healthz'], [ingest => '/readyz'],
           [admin => '/healthz'], [admin => '/readyz'],
           [admin => '/metrics'], [admin => '/stats'])
{
    my ($l, $path) = @$t;
    my $addr = $l eq 'admin' ? $d->admin : $d->ingest;
    # a load balancer: HEAD, then GET on the same connection
    my ($in, $closed) = exchange($addr,
        "HEAD $path HTTP/1.1\r\nHost: x\r\n\r\n"
        . "GET $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    my ($a, $rest) = answers($in, 1);
    is(scalar(@$a), 2, "$l HEAD $path then GET: two answers") or diag($in);
    is($rest, '', "$l HEAD $path: no body after the HEAD answer")
        or diag($in);
    next unless @$a == 2;
    is($a->[0]{status}, 200, "$l HEAD $path: 200");
    is($a->[1]{status}, 200, "$l GET $path after it: 200");
    like($a->[0]{headers}{'content-length'} // '', qr/^\d+$/,
         "$l HEAD $path: Content-Length of the GET answer");
    if ($path =~ /z$/) {
        is($a->[0]{headers}{'content-length'}, length($a->[1]{body}),
           "$l HEAD $path: the GET body's length");
    }
    is($a->[0]{headers}{'content-type'}, $a->[1]{headers}{'content-type'},
       "$l HEAD $path: the GET answer's Content-Type");
}

# a HEAD that gets 405 or 404 has no body either
for my $path ('/v1/ingest/' . $L7, '/nowhere') {
    my ($in) = exchange($d->ingest,
        "HEAD $path HTTP/1.1\r\nHost: x\r\n\r\n"
        . "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    my ($a, $rest) = answers($in, 1);
    is(scalar(@$a), 2, "HEAD $path: answered without a body") or diag($in);
    is($a->[0]{status}, $path =~ /nowhere/ ? 404 : 405, "HEAD $path: status")
        if @$a;
    is($a->[1]{body} // '', "ok\n", "HEAD $path: the next request served");
}

# ---- Content-Length: one decimal number, one value --------------------------

my $body10 = rec(1);
$body10 = substr($body10 . (' ' x 10), 0, length($body10));
my $post = "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: x\r\n"
    . "Content-Type: application/x-ndjson\r\n";
my $n = length($body10);
my $m = $n + 10;
for my $t (["Content-Length: $n\r\nContent-Length: $m\r\n",
            'two different Content-Length headers', qr/conflicting/],
           ["Content-Length: +$n\r\n", 'Content-Length: +N',
            qr/invalid Content-Length/],
           ["Content-Length: $n\r\nContent-Length: 0$n\r\n",
            'Content-Length N and 0N', qr/conflicting/],
          )
{
    my ($h, $what, $re) = @$t;
    # a second request hides behind the first: it must not be served
    my ($in, $closed) = exchange($d->ingest,
        "$post$h\r\n$body10" . "0123456789"
        . "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout => 5);
    my ($a) = answers($in);
    is(scalar(@$a), 1, "$what: one answer") or diag($in);
    is($a->[0]{status}, 400, "$what: 400") or diag($in);
    is($a->[0]{headers}{'content-type'}, 'application/json',
       "$what: a JSON answer");
    like((eval { json_decode($a->[0]{body}) } // {})->{error} // '', $re,
         "$what: the error says why");
    ok($closed, "$what: the connection is closed");
}

# a list in one header (refused before the body is read), and
# Transfer-Encoding other than one "chunked" (alone): still 400, never
# served
for my $t (["Content-Length: $n, $m\r\n\r\n$body10",
            'Content-Length: N, M'],
           ["Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            . "3\r\nabc\r\n0\r\n\r\n", 'Content-Length with chunked'],
           ["Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
            . "\r\n3\r\nabc\r\n0\r\n\r\n", 'chunked twice'],
           ["Content-Length: 3\r\nTransfer-Encoding: gzip\r\n\r\nabc",
            'Transfer-Encoding: gzip'])
{
    my ($rest, $what) = @$t;
    my ($in, $closed) = exchange($d->ingest,
        "$post$rest" . "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        timeout => 5);
    my ($a) = answers($in);
    is(scalar(@$a), 1, "$what: one answer") or diag($in);
    is($a->[0]{status}, 400, "$what: 400") or diag($in);
    ok($closed, "$what: the connection is closed");
}
# identical values are one value (RFC 9112 section 6.3)
{
    my ($in) = exchange($d->ingest,
        "${post}Content-Length: $n\r\nContent-Length: $n\r\n"
        . "Connection: close\r\n\r\n$body10", timeout => 5);
    my ($a) = answers($in);
    is($a->[0]{status}, 202, 'the same Content-Length twice: 202')
        or diag($in);
}

# ---- methods libevent does not know: 405 in JSON, with Allow ---------------

for my $meth ('PROPFIND', 'post', 'BREW') {
    my ($in, $closed) = exchange($d->ingest,
        "$meth /v1/ingest/$L7 HTTP/1.1\r\nHost: x\r\n"
        . "Content-Type: application/x-ndjson\r\nContent-Length: $n\r\n\r\n"
        . $body10, timeout => 5);
    my ($a) = answers($in);
    is($a->[0]{status}, 405, "$meth: 405") or diag($in);
    is($a->[0]{headers}{allow}, 'POST', "$meth: Allow: POST");
    is($a->[0]{headers}{'content-type'}, 'application/json',
       "$meth: a JSON answer");
    like((eval { json_decode($a->[0]{body}) } // {})->{error} // '',
         qr/method not allowed/, "$meth: the error says why");
    # its body was not read: the connection must not go on with it
    ok($closed, "$meth with a body: the connection is closed");
}
{
    my ($in) = exchange($d->admin,
        "PROPFIND /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    my ($a) = answers($in);
    is($a->[0]{status}, 405, 'admin PROPFIND /stats: 405') or diag($in);
    is($a->[0]{headers}{allow}, 'GET, HEAD', 'admin: Allow: GET, HEAD');
}

# what libevent 2.1 would answer itself (bad chunk sizes, bodies past
# limits.body, Expect) is answered in JSON before it: t/26-http-gate.t

# ---- a client that half-closes gets every answer ----------------------------

{
    # a dry run answer well past 256 KiB
    my $nrec = 3000;
    my $body = join('', map { rec($_) . "\n" } 1 .. $nrec);
    my ($in, $closed) = exchange($d->ingest,
        "POST /v1/ingest/$L7?dry_run=1 HTTP/1.1\r\nHost: x\r\n"
        . "Content-Type: application/x-ndjson\r\n"
        . 'Content-Length: ' . length($body) . "\r\n\r\n$body",
        half_close => 1, timeout => 20);
    my ($a, $rest) = answers($in);
    is(scalar(@$a), 1, 'half-closed dry run: one answer') or diag(substr($in, 0, 300));
    if (@$a) {
        is($a->[0]{status}, 200, 'half-closed dry run: 200');
        cmp_ok($a->[0]{headers}{'content-length'}, '>', 256 * 1024,
               'half-closed dry run: the answer is past 256 KiB');
        is(length($a->[0]{body}), $a->[0]{headers}{'content-length'},
           'half-closed dry run: the answer arrives whole');
        my $j = eval { json_decode($a->[0]{body}) };
        ok($j, 'half-closed dry run: the answer is JSON');
    }
    ok($closed, 'half-closed dry run: then the server closes');
}
{
    my $one = rec(7) . "\n";
    my $req = "POST /v1/ingest/$L7?dry_run=1 HTTP/1.1\r\nHost: x\r\n"
        . "Content-Type: application/x-ndjson\r\n"
        . 'Content-Length: ' . length($one) . "\r\n\r\n$one";
    my ($in, $closed) = exchange($d->ingest, $req x 1000, half_close => 1,
                                 timeout => 30);
    my ($a, $rest) = answers($in);
    is(scalar(@$a), 1000, '1000 pipelined requests, then a half-close: '
       . '1000 answers');
    is(scalar(grep { $_->{status} == 200 } @$a), scalar(@$a),
       'every pipelined answer is 200');
    ok($closed, 'then the server closes');
}

# ---- a lone surrogate escape rejects its record -----------------------------

for my $t (['"trace_id":"\\ud800"', '\\ud800'],
           ['"trace_id":"\\udc00"', '\\udc00'],
           ['"attribute_names":["a","x\\udbff"]', '\\udbff'])
{
    my ($member, $esc) = @$t;
    my $r = $d->post($L7, '{"_id":9,"time":1700000000,'
                     . '"end_time":1700000000000000,' . $member . "}\n"
                     . rec(10) . "\n", query => 'dry_run=1');
    is($r->{status}, 200, "$esc: the other record goes on") or diag($r->{content});
    is($r->{json}{rejected}, 1, "$esc: its record is rejected");
    is($r->{json}{results}[0]{error} // '', "lone surrogate $esc in string",
       "$esc: the error names the lone surrogate");
}
{
    my $r = $d->post($L7, '{"_id":11,"time":1700000000,'
                     . '"end_time":1700000000000000,'
                     . '"trace_id":"\\ud83d\\ude00"}' . "\n",
                     query => 'dry_run=1');
    is($r->{json}{rejected}, 0, 'a surrogate pair is fine')
        or diag($r->{content});
}

$d->stop;
unlike($d->log, qr/\[(alert|crit)\]|Sanitizer/, 'nothing alarming logged');
done_testing();
