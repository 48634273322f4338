#!/usr/bin/perl
# Hostile clients: slow ones are timed out by client-timeout while others
# are served; huge, deeply nested and gzip-bomb bodies are refused
# cleanly; the daemon keeps serving and exits cleanly.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use IO::Socket::INET;
use Time::HiRes qw(time);
use Dfx qw(mock_start dfx_start wait_until gzip_data scale);

my $L7 = 'flow_log.l7_flow_log';
my $mock = mock_start();
my $d = dfx_start(
    bootstrap => $mock->bootstrap,
    main => { 'client-timeout' => 2,
              limits => { body => '1MiB', 'decoded-body' => '4MiB',
                          line => '1MiB', depth => 32 } });

my $n = 0;
sub rec { qq({"_id":$_[0],"time":1700000000,"end_time":1700000000000000}) }
sub serves {
    my ($what) = @_;
    my $r = $d->post($L7, rec(++$n) . "\n");
    is($r->{status}, 202, "$what: a good POST is served")
        or diag($r->{content});
}

my $head = "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         . "Content-Type: application/x-ndjson\r\n";

# ---- slow clients -------------------------------------------------------

# several connections that stall: after the headers, inside the body,
# inside the headers, and before sending anything
my @stall = ($head . "Content-Length: 200\r\n\r\n",
             $head . "Content-Length: 200\r\n\r\n{\"_id\":1,",
             "POST /v1/ingest/$L7 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty",
             '');
my @socks;
for my $i (0 .. 19) {
    my $s = IO::Socket::INET->new(PeerAddr => $d->ingest, Proto => 'tcp',
                                  Timeout => 5) or die "connect: $!";
    my $bytes = $stall[$i % @stall];
    syswrite($s, $bytes) if length $bytes;
    push @socks, $s;
}
my $t0 = time();
serves('with 20 stalled connections open');

# every stalled connection is closed (optionally after a 408) by the
# server within client-timeout and a margin
my $closed = 0;
my $answers = '';
for my $s (@socks) {
    $s->blocking(0);
}
wait_until(10, sub {
    for my $s (@socks) {
        next unless $s;
        my $r = sysread($s, my $buf, 4096);
        if (defined $r && $r > 0) {
            $answers .= $buf;
            next;
        }
        next if !defined $r && $!{EAGAIN};
        $closed++;
        $s = undef;
    }
    return $closed == @socks;
});
my $took = time() - $t0;
is($closed, 20, 'every stalled connection was closed by the server');
cmp_ok($took, '>=', 1.5, 'not before client-timeout (2 s)');
cmp_ok($took, '<', scale(8), 'soon after client-timeout (2 s)');
my @statuses = $answers =~ m{HTTP/1\.[01] (\d{3})}g;
my @not408 = grep { $_ != 408 } @statuses;
is(scalar(@not408), 0, 'a stalled request gets no answer, or a 408')
    or diag($answers);
serves('after the stalled connections');

# a body sent slowly but within the timeout between reads is accepted
{
    my $body = rec(9999) . "\n";
    my $s = IO::Socket::INET->new(PeerAddr => $d->ingest, Proto => 'tcp',
                                  Timeout => 5) or die "connect: $!";
    syswrite($s, $head . 'Content-Length: ' . length($body) . "\r\n\r\n");
    for my $part (unpack('(A20)*', $body)) {
        select(undef, undef, undef, 0.3);
        syswrite($s, $part);
    }
    syswrite($s, "\n") if $body =~ /\n\z/;
    my $resp = '';
    wait_until(10, sub {
        my $r = sysread($s, my $buf, 4096);
        $resp .= $buf if $r;
        return $resp =~ /\r\n\r\n.*\}/s || defined $r && $r == 0;
    });
    like($resp, qr{^HTTP/1\.1 202 }, 'a body trickled in 20-byte steps '
         . '(0.3 s apart, under client-timeout) is accepted');
    close($s);
}

# ---- huge bodies ------------------------------------------------------------

my $r = $d->post($L7, 'x' x (8 << 20));
is($r->{status}, 413, '8 MiB body over limits.body (1 MiB): 413');
like($r->{content} // '', qr/"error":"the body is larger than limits\.body"/,
     "413 in dfexport's JSON, sent before the body is read");
serves('a huge body');

# announced but never sent: the connection is dropped, nothing is read
$r = $d->raw($head . "Content-Length: 107374182400\r\n\r\n", timeout => 8);
ok($r->{closed}, '100 GB Content-Length: the connection is closed');
ok(!defined $r->{status} || $r->{status} == 413,
   '100 GB Content-Length: no answer, or a 413');
serves('a 100 GB Content-Length');

# chunked bodies go through the same limit
{
    my $chunk = 'x' x 65536;
    my $body = join('', map { sprintf("%x\r\n%s\r\n", length($chunk),
                                      $chunk) } 1 .. 32) . "0\r\n\r\n";
    $r = $d->raw($head . "Transfer-Encoding: chunked\r\n\r\n" . $body,
                 timeout => 8);
    ok($r->{closed} || ($r->{status} // 0) == 413,
       '2 MiB chunked body: refused') or diag($r->{raw});
    ok(!defined $r->{status} || $r->{status} == 413,
       '2 MiB chunked body: no answer, or a 413');
    serves('a huge chunked body');
}

# ---- deep nesting -----------------------------------------------------------

for my $depth (33, 1000, 200000) {
    my $arr = '{"attribute_names":' . ('[' x $depth) . (']' x $depth) . '}';
    $r = $d->post($L7, "$arr\n");
    is($r->{status}, 413, "NDJSON line nested $depth deep: 413");
    like($r->{json}{error} // '', qr/nesting deeper than 32/,
         "nested $depth deep: the error says so");
    my $obj = ('{"x":' x $depth) . '1' . ('}' x $depth);
    $r = $d->post($L7, $obj, type => 'json');
    is($r->{status}, 413, "JSON body of objects nested $depth deep: 413");
    serves("nesting $depth deep");
}
my $ok32 = '{"mystery":' . ('[' x 31) . (']' x 31) . ',"_id":77}';
$r = $d->post($L7, "$ok32\n");
is($r->{status}, 202, 'a record exactly limits.depth (32) deep is taken');

# ---- gzip bomb --------------------------------------------------------------

{
    require IO::Compress::Gzip;
    my $bomb;
    my $z = IO::Compress::Gzip->new(\$bomb) or die;
    my $zeros = "\0" x (1 << 20);
    $z->print($zeros) for 1 .. 256;
    $z->close;
    cmp_ok(length($bomb), '<', 1 << 20, 'a 256 MiB gzip bomb fits under '
           . 'limits.body');
    my $t = time();
    $r = $d->post($L7, $bomb, headers => { 'Content-Encoding' => 'gzip' });
    is($r->{status}, 413, 'gzip bomb: 413');
    like($r->{json}{error} // '', qr/limits\.decoded-body/,
         'gzip bomb: stopped by limits.decoded-body');
    serves('a gzip bomb');
}

# many valid gzip members concatenated are decoded one after the other
{
    my $body = join('', map { gzip_data(rec(500 + $_) . "\n") } 1 .. 3);
    $r = $d->post($L7, $body, headers => { 'Content-Encoding' => 'gzip' });
    is($r->{status}, 202, 'concatenated gzip members: 202');
    is($r->{json}{accepted}, 3, 'concatenated gzip members: 3 records');
}

is($d->stop, 0, 'dfexport exits 0');
done_testing();
