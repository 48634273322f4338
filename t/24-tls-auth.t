#!/usr/bin/perl
# TLS and bearer tokens on the ingest and admin listeners (DESIGN section
# 13, doc/http.md "TLS and authentication"), with real clients: curl and
# openssl s_client, against a test CA made here.  No token: 401 with
# WWW-Authenticate: Bearer; a wrong one: 401 error="invalid_token"
# (RFC 6750); client certificates missing, expired or from another CA
# fail the handshake; every failure counted, none logged at error; a new
# certificate is served after SIGHUP.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use lib 't/lib';
use Dfx qw(top mock_start dfx_start dfx_conf wait_until slurp spew
           slurp_lines);

for my $p (qw(curl openssl)) {
    plan skip_all => "$p is not installed"
        unless system("sh -c 'command -v $p' >/dev/null 2>&1") == 0;
}

my $L7 = 'flow_log.l7_flow_log';
my $TOPIC = "deepflow.$L7";
my $top = top();
my @l7 = slurp_lines("$top/conf/examples/$L7.ndjson");
my $dir = tempdir('dfx-tls-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# ---- the certificates ---------------------------------------------------

sub ossl {
    my @a = @_;
    my $rc = system('openssl', @a);
    die "openssl @a: failed\n" . slurp("$dir/openssl.log") if $rc != 0;
}

sub make_certs {
    open(my $saved, '>&', \*STDERR) or die "dup: $!";
    open(STDERR, '>', "$dir/openssl.log") or die "$dir/openssl.log: $!";
    my $ok = eval {
        for my $ca (qw(ca other-ca)) {
            ossl(qw(req -x509 -newkey rsa:2048 -nodes -days 2),
                 '-keyout', "$dir/$ca.key", '-out', "$dir/$ca.pem",
                 '-subj', "/CN=dfexport test $ca");
        }
        spew("$dir/ext", "subjectAltName=IP:127.0.0.1\n");
        # two server certificates, told apart by their serial
        for my $s (['srv', '1001'], ['srv2', '1092']) {
            ossl(qw(req -newkey rsa:2048 -nodes), '-keyout',
                 "$dir/$s->[0].key", '-out', "$dir/$s->[0].csr",
                 '-subj', '/CN=127.0.0.1');
            ossl(qw(x509 -req -days 2), '-in', "$dir/$s->[0].csr", '-CA',
                 "$dir/ca.pem", '-CAkey', "$dir/ca.key", '-set_serial',
                 "0x$s->[1]", '-out', "$dir/$s->[0].pem", '-extfile',
                 "$dir/ext");
        }
        # client certificates: good, from another CA, expired
        for my $c (['cli', 'ca'], ['cli-other', 'other-ca']) {
            ossl(qw(req -newkey rsa:2048 -nodes), '-keyout',
                 "$dir/$c->[0].key", '-out', "$dir/$c->[0].csr",
                 '-subj', "/CN=$c->[0]");
            ossl(qw(x509 -req -days 2), '-in', "$dir/$c->[0].csr", '-CA',
                 "$dir/$c->[1].pem", '-CAkey', "$dir/$c->[1].key",
                 '-CAcreateserial', '-out', "$dir/$c->[0].pem");
        }
        # OpenSSL 3.0's x509 cannot back-date: openssl ca can
        ossl(qw(req -newkey rsa:2048 -nodes), '-keyout', "$dir/cli-old.key",
             '-out', "$dir/cli-old.csr", '-subj', '/CN=cli-old');
        spew("$dir/index.txt", '');
        spew("$dir/serial", "2001\n");
        spew("$dir/ca.cnf", <<"EOF");
[ca]
default_ca = d
[d]
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = p
[p]
commonName = supplied
EOF
        ossl(qw(ca -batch -notext -config), "$dir/ca.cnf", '-cert',
             "$dir/ca.pem", '-keyfile', "$dir/ca.key", '-in',
             "$dir/cli-old.csr", '-out', "$dir/cli-old.pem",
             qw(-startdate 20200101000000Z -enddate 20200102000000Z));
        1;
    };
    open(STDERR, '>&', $saved) or die "dup: $!";
    die $@ unless $ok;
}
make_certs();

# tokens: one from the file (as its hash), one from the environment
my $TOKEN = 'ingest-token-0123456789';
my $ENVTOK = 'env-token-abcdef';
my $ADMIN = 'admin-token-42';
sub sha256_hex {
    my ($s) = @_;
    open(my $fh, '-|', 'sh', '-c', 'printf %s "$1" | openssl dgst -sha256 -r',
         'sh', $s) or die "openssl dgst: $!";
    my $l = <$fh>;
    close($fh);
    return (split(/\s+/, $l))[0];
}
spew("$dir/tokens", "# ingest\n" . sha256_hex($TOKEN) . "\n\n");
spew("$dir/admin-tokens", sha256_hex($ADMIN) . "\n");

# ---- clients ------------------------------------------------------------

# curl: returns [status (0 when no HTTP answer), body, headers]
sub curl {
    my (%o) = @_;
    my @cmd = ('curl', '-s', '-m', 20, '-o', "$dir/body", '-D',
               "$dir/headers", '-w', '%{http_code}');
    push @cmd, '--cacert', $o{cacert} if $o{cacert};
    push @cmd, '--cert', "$dir/$o{cert}.pem", '--key', "$dir/$o{cert}.key"
        if $o{cert};
    push @cmd, '-H', "Authorization: Bearer $o{token}" if defined $o{token};
    push @cmd, '-X', $o{method} if $o{method};
    if (defined $o{body}) {
        spew("$dir/req", $o{body});
        push @cmd, '-H', 'Content-Type: application/x-ndjson',
            '--data-binary', "\@$dir/req";
    }
    push @cmd, $o{url};
    unlink("$dir/body", "$dir/headers");
    open(my $fh, '-|', @cmd) or die "curl: $!";
    my $code = <$fh> // '000';
    close($fh);
    return [ $code + 0, (-e "$dir/body" ? slurp("$dir/body") : ''),
             (-e "$dir/headers" ? slurp("$dir/headers") : '') ];
}

# the serial of the certificate a new connection to ADDR is shown
sub serial_of {
    my ($addr) = @_;
    my $out = `openssl s_client -connect $addr -servername 127.0.0.1 -showcerts </dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null`;
    return $out =~ /serial=(\S+)/ ? $1 : '';
}

# 0 when s_client could finish a handshake with these arguments
sub s_client_ok {
    my ($addr, @args) = @_;
    my $rc = system("openssl s_client -connect $addr @args </dev/null "
                    . ">$dir/s_client.log 2>&1");
    return $rc == 0 && slurp("$dir/s_client.log") =~ /^\s*Protocol\s*:\s*TLS/m;
}

my $mock = mock_start();
my $ca = "$dir/ca.pem";

# ---- 1: TLS and tokens on both listeners --------------------------------

my $d = dfx_start(
    bootstrap => $mock->bootstrap, ready => 0,
    env => { DFX_TEST_TOKEN => $ENVTOK },
    main => { tls => { 'cert-file' => "$dir/srv.pem",
                       'key-file' => "$dir/srv.key" },
              'admin-tls' => { 'cert-file' => "$dir/srv.pem",
                               'key-file' => "$dir/srv.key" },
              auth => { 'tokens-file' => "$dir/tokens",
                        token => '${DFX_TEST_TOKEN}' },
              'admin-auth' => { 'tokens-file' => "$dir/admin-tokens" } });
my $in = 'https://' . $d->ingest;
my $adm = 'https://' . $d->admin;
ok(wait_until(20, sub { curl(url => "$adm/readyz", cacert => $ca)->[0] == 200 }),
   'admin /readyz over TLS, no token: 200');
is(curl(url => "$in/healthz", cacert => $ca)->[0], 200,
   'ingest /healthz over TLS, no token: 200');

my $url = "$in/v1/ingest/$L7";
my $r = curl(url => $url, cacert => $ca, token => $TOKEN, body => "$l7[0]\n");
is($r->[0], 202, 'POST over https with the token: 202') or diag($r->[1]);
is($mock->wait_count($TOPIC, 1), 1, 'the record reached Kafka');
$r = curl(url => $url, cacert => $ca, token => $ENVTOK, body => "$l7[0]\n");
is($r->[0], 202, 'the token from ${ENV}: 202') or diag($r->[1]);

is(curl(url => $url, token => $TOKEN, body => "$l7[0]\n")->[0], 0,
   'curl without the CA: no answer (certificate not trusted)');
ok(!s_client_ok($d->ingest, qw(-tls1_1 -cipher DEFAULT@SECLEVEL=0)),
   'openssl s_client -tls1_1: refused');
ok(s_client_ok($d->ingest, '-tls1_2', '-CAfile', $ca),
   'openssl s_client -tls1_2: accepted');

$r = curl(url => $url, cacert => $ca, body => "$l7[0]\n");
is($r->[0], 401, 'no token: 401');
like($r->[2], qr/^WWW-Authenticate: Bearer realm="dfexport"\r?$/mi,
     'no token: WWW-Authenticate: Bearer');
$r = curl(url => $url, cacert => $ca, token => 'wrong', body => "$l7[0]\n");
is($r->[0], 401, 'a wrong token: 401 (RFC 6750 invalid_token)');
like($r->[2], qr/^WWW-Authenticate: Bearer .*error="invalid_token"/mi,
     'a wrong token: error="invalid_token"');
is($mock->wait_count($TOPIC, 2), 2, 'the two accepted records reached Kafka');
is($mock->count($TOPIC), 2, 'nothing of the refused requests reached Kafka');

# admin over TLS: the token is needed for /metrics, not for the probes
is(curl(url => "$adm/metrics", cacert => $ca)->[0], 401,
   'admin /metrics without a token: 401');
is(curl(url => "$adm/metrics", cacert => $ca, token => $TOKEN)->[0], 401,
   'admin /metrics with the ingest token: 401');
$r = curl(url => "$adm/metrics", cacert => $ca, token => $ADMIN);
is($r->[0], 200, 'admin /metrics with the admin token: 200');
my %m = map { /^(\S+)\s+(\d+)$/ ? ($1, $2) : () } split(/\n/, $r->[1]);
is($m{'dfexport_http_auth_failures_total{reason="no_token"}'}, 1,
   'ingest auth failures: no_token 1');
is($m{'dfexport_http_auth_failures_total{reason="bad_token"}'}, 1,
   'ingest auth failures: bad_token 1');
is($m{'dfexport_admin_auth_failures_total{reason="no_token"}'}, 1,
   'admin auth failures: no_token 1');
is($m{'dfexport_admin_auth_failures_total{reason="bad_token"}'}, 1,
   'admin auth failures: bad_token 1');
ok(($m{dfexport_http_tls_handshake_failures_total} // 0) >= 2,
   'ingest TLS handshake failures counted (no CA, TLS 1.1): '
   . ($m{dfexport_http_tls_handshake_failures_total} // 'none'));

# SIGHUP: a new certificate for new connections; a bad one keeps it
is(serial_of($d->ingest), '1001', 'the first certificate (serial 1001)');
spew("$dir/srv.pem", slurp("$dir/srv2.pem"));
spew("$dir/srv.key", slurp("$dir/srv2.key"));
kill('HUP', $d->pid);
ok($d->wait_log(qr/ingest TLS: certificate reloaded/), 'reload logged');
is(serial_of($d->ingest), '1092', 'after SIGHUP: the new certificate');
is(serial_of($d->admin), '1092', 'the admin listener too');
spew("$dir/srv.pem", "not a certificate\n");
kill('HUP', $d->pid);
ok($d->wait_log(qr/ingest TLS: keeping the previous certificate/),
   'a bad certificate: the old one kept, logged');
is(serial_of($d->ingest), '1092', 'still the certificate before');
$r = curl(url => $url, cacert => $ca, token => $TOKEN, body => "$l7[0]\n");
is($r->[0], 202, 'still serving after the bad reload');

my $log = $d->log;
unlike($log, qr/^\S+ \S+ error:/m,
       'no TLS or token failure logged at error');
$d->stop;

# ---- 2: client certificates required --------------------------------------

$d = dfx_start(
    bootstrap => $mock->bootstrap,
    main => { tls => { 'cert-file' => "$dir/srv2.pem",
                       'key-file' => "$dir/srv2.key",
                       'client-ca-file' => $ca,
                       'client-cert' => 'required' } });
$url = 'https://' . $d->ingest . "/v1/ingest/$L7";
my $before = $mock->count($TOPIC);
is(curl(url => $url, cacert => $ca, body => "$l7[0]\n")->[0], 0,
   'no client certificate: handshake failure');
is(curl(url => $url, cacert => $ca, cert => 'cli-other',
        body => "$l7[0]\n")->[0], 0,
   'a client certificate from another CA: handshake failure');
is(curl(url => $url, cacert => $ca, cert => 'cli-old',
        body => "$l7[0]\n")->[0], 0,
   'an expired client certificate: handshake failure');
$r = curl(url => $url, cacert => $ca, cert => 'cli', body => "$l7[0]\n");
is($r->[0], 202, 'a good client certificate: 202') or diag($r->[1]);
is($mock->wait_count($TOPIC, $before + 1), $before + 1,
   'only its record reached Kafka');
is($d->metric('http_tls_handshake_failures_total'), 3,
   'three handshake failures counted');
# the admin listener is plain here, on loopback: writes are allowed
isnt($d->admin_req('PUT', '/v1/dictionary', '{}')->{status}, 403,
     'admin on loopback, no token: PUT /v1/dictionary not refused');
$log = $d->log;
unlike($log, qr/^\S+ \S+ error:/m, 'nothing logged at error');
$d->stop;

# ---- 3: an admin listener beyond loopback without a token -----------------

SKIP: {
    # 127.0.0.2 is not special-cased: use a wildcard bind on IPv4
    $d = dfx_start(bootstrap => $mock->bootstrap,
                   main => { 'admin-listen' => '0.0.0.0:0' });
    my $a = $d->admin;
    $a =~ s/^0\.0\.0\.0:/127.0.0.1:/;
    $d->{admin} = $a;
    $r = $d->admin_req('PUT', '/v1/dictionary', '{}');
    is($r->{status}, 403, 'exposed admin, no token: PUT refused (403)');
    like($r->{content}, qr/configure a token/, '... saying to set a token');
    is($d->admin_get('/metrics')->{status}, 200, 'reads stay open');
    is($d->metric('admin_auth_failures_total',
                  reason => 'unprotected'), 1, 'counted as unprotected');
    $d->stop;
}

done_testing();
