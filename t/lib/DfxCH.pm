# DfxCH.pm: a real ClickHouse server for the integration tests.
#
# Starts Debian's clickhouse-server (installed by ./setup.sh test) in the
# foreground on free loopback ports with a data directory of its own,
# waits for /ping with a deadline, runs SQL over its HTTP interface, and
# stops it by pid.  Nothing else of the machine is touched.
package DfxCH;

use strict;
use warnings;

use Exporter qw(import);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

use Dfx qw(spew slurp wait_until scale);

our @EXPORT_OK = qw(ch_start ch_server_path fake_start kafka_ids);

sub ch_server_path {
    for my $p (qw(/usr/sbin/clickhouse-server /usr/bin/clickhouse-server
                  /usr/bin/clickhouse)) {
        return $p if -x $p;
    }
    return undef;
}

# kafka_ids(BOOTSTRAP, TOPIC, COUNT) -> { _id => how many messages carry
# it }: the first COUNT messages of TOPIC (all of them when COUNT is
# undef), for the tests that count rows (a follower's at-least-once
# repeats).  Give COUNT when it is known (the mock's count): a slow
# broker (a sanitized build) may make kcat's end-of-partition come
# before the last fetch.
sub kafka_ids {
    my ($bs, $topic, $count) = @_;
    my %n;
    my @c = defined $count ? ('-c', $count) : ('-e');
    open(my $fh, '-|', 'timeout', scale(120), 'kcat', '-C', '-b', $bs,
         '-t', $topic, '-o', 'beginning', @c, '-q', '-f', '%s\n')
        or die "kcat: $!";
    while (my $l = <$fh>) {
        $n{$1}++ if $l =~ /"_id":(\d+)/;
    }
    close($fh);
    return \%n;
}

# A port nobody listens on now.
sub _free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "cannot bind: $!";
    my $port = $s->sockport;
    close($s);
    return $port;
}

# ch_start(users => extra XML inside <users>, like => an earlier server
# whose ports and data this one takes over): a started server, or dies
# saying why (the tests need it: ./setup.sh test installs it).
sub ch_start {
    my (%o) = @_;
    my $bin = ch_server_path()
        or die "clickhouse-server is not installed (./setup.sh test "
             . "installs it)\n";
    my ($dir, $http, $tcp);
    if ($o{like}) {
        ($dir, $http, $tcp) = @{ $o{like} }{qw(dir port tcp)};
    } else {
        $dir = tempdir('dfx-ch-XXXXXX', TMPDIR => 1, CLEANUP => 1);
        ($http, $tcp) = (_free_port(), _free_port());
        ($http, $tcp) = (_free_port(), _free_port()) while $http == $tcp;
    }
    mkdir("$dir/data");
    mkdir("$dir/tmp");
    my $users = $o{users} // '';
    # tls => 1: an HTTPS port too, with a certificate for 127.0.0.1 from a
    # test CA (ca.pem), and a CA that did not sign it (other-ca.pem)
    my ($https, $tls) = (undef, '');
    if ($o{tls} || ($o{like} && $o{like}{https})) {
        $https = $o{like} ? $o{like}{https} : _free_port();
        _make_certs($dir) unless -e "$dir/srv.pem";
        $tls = "<https_port>$https</https_port><openSSL><server>"
             . "<certificateFile>$dir/srv.pem</certificateFile>"
             . "<privateKeyFile>$dir/srv.key</privateKeyFile>"
             . "<verificationMode>none</verificationMode>"
             . "<loadDefaultCAFile>false</loadDefaultCAFile>"
             . "</server></openSSL>";
    }
    spew("$dir/config.xml", <<"EOF");
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  $tls
  <listen_host>127.0.0.1</listen_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <users_config>$dir/users.xml</users_config>
  <mark_cache_size>5368709</mark_cache_size>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
</yandex>
EOF
    spew("$dir/users.xml", <<"EOF");
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota></default>
    $users
  </users>
  <quotas><default></default></quotas>
</yandex>
EOF
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        eval {
            require 'syscall.ph';
            syscall(&SYS_prctl(), 1, 9);        # die with the test
        };
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', "$dir/server.log") or POSIX::_exit(127);
        open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
        chdir($dir);
        { exec($bin, "--config-file=$dir/config.xml") };
        POSIX::_exit(127);
    }
    my $self = bless { pid => $pid, dir => $dir, port => $http, tcp => $tcp,
                       https => $https,
                       http => HTTP::Tiny->new(timeout => 60) }, 'DfxCH';
    my $up = wait_until(scale(60), sub {
        my $r = $self->{http}->get("http://127.0.0.1:$http/ping");
        return 1 if $r->{success};
        return waitpid($pid, WNOHANG) != 0 ? 'exited' : 0;
    });
    unless ($up && $up ne 'exited') {
        my $l = -s "$dir/server.log" ? slurp("$dir/server.log") : '';
        $self->stop;
        die "clickhouse-server did not start:\n$l";
    }
    return $self;
}

sub port { $_[0]{port} }
sub url { "http://127.0.0.1:$_[0]{port}" }
sub https_url { "https://127.0.0.1:$_[0]{https}" }
sub ca { "$_[0]{dir}/ca.pem" }
sub other_ca { "$_[0]{dir}/other-ca.pem" }

sub _openssl {
    my ($dir, @args) = @_;
    system('openssl', @args) == 0 or die "openssl @args: failed\n";
}

sub _make_certs {
    my ($dir) = @_;
    # openssl talks on stderr while it works: quiet, unless it fails
    open(my $saved, '>&', \*STDERR) or die "dup: $!";
    open(STDERR, '>', "$dir/openssl.log") or die "$dir/openssl.log: $!";
    my $ok = eval { _make_certs_quiet($dir); 1 };
    open(STDERR, '>&', $saved) or die "dup: $!";
    die $@ . Dfx::slurp("$dir/openssl.log") unless $ok;
}

sub _make_certs_quiet {
    my ($dir) = @_;
    for my $ca (qw(ca other-ca)) {
        _openssl($dir, qw(req -x509 -newkey rsa:2048 -nodes -days 2),
                 '-keyout', "$dir/$ca.key", '-out', "$dir/$ca.pem",
                 '-subj', "/CN=dfexport test $ca");
    }
    _openssl($dir, qw(req -newkey rsa:2048 -nodes), '-keyout',
             "$dir/srv.key", '-out', "$dir/srv.csr", '-subj', '/CN=127.0.0.1');
    Dfx::spew("$dir/ext", "subjectAltName=IP:127.0.0.1\n");
    _openssl($dir, qw(x509 -req -days 2), '-in', "$dir/srv.csr", '-CA',
             "$dir/ca.pem", '-CAkey', "$dir/ca.key", '-CAcreateserial',
             '-out', "$dir/srv.pem", '-extfile', "$dir/ext");
}
sub pid { $_[0]{pid} }

# Runs SQL; dies with ClickHouse's message unless it succeeds.  Returns
# the answer's body.
sub sql {
    my ($self, $sql, %o) = @_;
    my $r = $self->{http}->request('POST', $self->url . '/'
                                   . ($o{query} // ''),
                                   { content => $sql });
    die "clickhouse: $r->{status}: $r->{content}\nSQL: "
        . substr($sql, 0, 500) . "\n" unless $r->{success};
    return $r->{content};
}

# Stops the server if it still runs (it does not when kill is 'stop').
sub signal {
    my ($self, $sig) = @_;
    kill($sig, $self->{pid}) if $self->{pid};
}

sub stop {
    my ($self) = @_;
    my $pid = $self->{pid} or return;
    kill('TERM', $pid);
    my $gone = wait_until(30, sub { waitpid($pid, WNOHANG) != 0 });
    unless ($gone) {
        kill('KILL', $pid);
        waitpid($pid, 0);
    }
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

# ---- a scripted stand-in, for the faults a real server will not show ----

# fake_start(columns => [[name, type], ...], rows => CODE(from, to) ->
# [json lines]): an HTTP server that answers dfexport's queries the way
# ClickHouse does, or breaks the way the test says (mode()): "ok",
# "cut" (a window's answer stops in the middle of a chunked body),
# "exception" (rows, then ClickHouse's error text, as it reports an
# error found while streaming), "500" (an error status), "slow" (says
# nothing), "badrow" (as "ok", plus a row the schema rejects), "bigrow"
# (as "ok", plus a row whose message is 8000 bytes long).  Every request is logged for the test (queries()).
sub fake_start {
    my (%o) = @_;
    my $dir = tempdir('dfx-fakech-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                    Proto => 'tcp', Listen => 64,
                                    ReuseAddr => 1)
        or die "cannot bind: $!";
    my $port = $srv->sockport;
    Dfx::spew("$dir/mode", $o{mode} // 'ok');
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        eval {
            require 'syscall.ph';
            syscall(&SYS_prctl(), 1, 9);
        };
        $SIG{CHLD} = 'IGNORE';
        while (my $c = $srv->accept) {
            my $k = fork();
            if (defined $k && $k == 0) {
                _fake_serve($c, $dir, \%o);
                POSIX::_exit(0);
            }
            close($c);
        }
        POSIX::_exit(0);
    }
    close($srv);
    return bless { pid => $pid, dir => $dir, port => $port }, 'DfxCH::Fake';
}

sub _fake_serve {
    my ($c, $dir, $o) = @_;
    my $buf = '';
    while ($buf !~ /\r\n\r\n/) {
        my $n = sysread($c, $buf, 65536, length $buf);
        return unless $n;
    }
    my ($head, $body) = split(/\r\n\r\n/, $buf, 2);
    my ($len) = $head =~ /^content-length:\s*(\d+)/mi;
    while (length($body) < ($len // 0)) {
        my $n = sysread($c, $body, 65536, length $body);
        last unless $n;
    }
    my $mode = Dfx::slurp("$dir/mode");
    open(my $log, '>>', "$dir/queries") or die;
    print {$log} "$mode\t$body\n";
    close($log);

    my $send = sub { syswrite($c, $_[0]) };
    my $chunk = sub { sprintf("%x\r\n%s\r\n", length($_[0]), $_[0]) };
    my $ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
             . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";

    if ($body =~ /system\.columns/) {
        my $cols = join('', map { "{\"name\":\"$_->[0]\",\"type\":"
                                  . "\"$_->[1]\"}\n" } @{ $o->{columns} });
        $send->($ok . $chunk->($cols) . "0\r\n\r\n");
        return;
    }
    if ($body =~ /count\(\)/) {
        my ($from) = $body =~ /toDateTime\((\d+)\)/;
        $send->($ok . $chunk->("1\t$from\n") . "0\r\n\r\n");
        return;
    }
    my ($from, $to) = $body =~ /toDateTime\((\d+)\).*toDateTime\((\d+)\)/s;
    my $rows = join('', map { "$_\n" } @{ $o->{rows}->($from, $to) });
    # badrow: every window also holds a row no schema takes
    $rows .= "{\"time\":$from,\"_id\":\"not-a-number\"}\n"
        if $mode eq 'badrow';
    # bigrow: and a row whose message no broker takes (8000 bytes of text)
    $rows .= "{\"time\":$from,\"_id\":1,\"request_domain\":\""
             . ('x' x 8000) . "\"}\n"
        if $mode eq 'bigrow';
    if ($mode eq 'slow') {
        sleep(30);
        return;
    }
    if ($mode eq '500') {
        my $msg = "Code: 60, e.displayText() = DB::Exception: Table "
                  . "flow_log.l7_flow_log doesn't exist., e.what() = "
                  . "DB::Exception\n";
        $send->("HTTP/1.1 500 Internal Server Error\r\nContent-Length: "
                . length($msg) . "\r\nConnection: close\r\n\r\n$msg");
        return;
    }
    if ($mode eq 'cut') {
        # half of the answer, then the connection drops
        $send->($ok . $chunk->(substr($rows, 0, int(length($rows) / 2))));
        return;
    }
    if ($mode eq 'exception') {
        $send->($ok . $chunk->($rows)
                . $chunk->("Code: 395, e.displayText() = DB::Exception: "
                           . "Value passed to 'throwIf' function is non "
                           . "zero, e.what() = DB::Exception\n")
                . "0\r\n\r\n");
        return;
    }
    $send->($ok . ($rows eq '' ? '' : $chunk->($rows)) . "0\r\n\r\n");
}

package DfxCH::Fake;

sub url { "http://127.0.0.1:$_[0]{port}" }
sub mode { Dfx::spew("$_[0]{dir}/mode", $_[1]) }
sub queries {
    my ($self) = @_;
    my $f = "$self->{dir}/queries";
    return () unless -e $f;
    return split(/\n/, Dfx::slurp($f));
}
sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    kill('KILL', $self->{pid});
    waitpid($self->{pid}, 0);
    delete $self->{pid};
}
sub DESTROY { $_[0]->stop }

1;
