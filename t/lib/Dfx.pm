# Dfx.pm: the integration-test harness.
#
# Starts the mock Kafka cluster (contrib/mockkafka/dfx-mockkafka) and
# dfexport in the foreground on ephemeral loopback ports, waits for them
# with deadlines (never a bare sleep), talks HTTP, consumes with kcat, and
# stops only the processes it started, by pid.  A daemon whose log has an
# alert, a crit or a sanitizer report fails the test that stops it.
#
# The programs come from $DFX_BUILD (default: build/ in the source tree).
# DFX_SANITIZED=1 says the build has ASan/UBSan: deadlines are stretched.
package Dfx;

use strict;
use warnings;

use Cwd qw(abs_path);
use Exporter qw(import);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(time sleep);

our @EXPORT_OK = qw(top build_dir mock_start dfx_start dfx_check_conf
                    dfx_conf consume json_decode json_encode wait_until
                    slurp spew slurp_lines scale gzip_data figure);

my $TOP = abs_path(dirname(__FILE__) . '/../..');
my $BUILD = $ENV{DFX_BUILD} // "$TOP/build";
my $JSON = JSON::PP->new->canonical(1)->allow_nonref(1);

# Deadlines are multiplied by this: sanitizers slow everything down.
my $SCALE = $ENV{DFX_SANITIZED} ? 3 : 1;

sub top { $TOP }
sub build_dir { $BUILD }
sub scale { $SCALE * ($_[0] // 1) }
sub json_decode { $JSON->decode($_[0]) }
sub json_encode { $JSON->encode($_[0]) }

# figure(CASE, name => value, ...): a measured figure of a test case, as
# a note, and as a JSON line in the file DFX_FIGURES names (read by
# contrib/reliability.sh into doc/reliability.md's table)
sub figure {
    my ($case, %f) = @_;
    my $line = $JSON->encode({ case => $case, test => $0, %f });
    note("figure: $line");
    if (defined $ENV{DFX_FIGURES}) {
        open(my $fh, '>>', $ENV{DFX_FIGURES}) or die "$ENV{DFX_FIGURES}: $!";
        print $fh "$line\n";
        close($fh);
    }
}

sub slurp {
    my ($file) = @_;
    open(my $fh, '<:raw', $file) or die "$file: $!";
    local $/;
    my $s = <$fh>;
    close($fh);
    return $s // '';
}

# The non-empty lines of a file, without their newlines.
sub slurp_lines {
    my ($file) = @_;
    return grep { length } split(/\n/, slurp($file));
}

sub spew {
    my ($file, $data) = @_;
    open(my $fh, '>:raw', $file) or die "$file: $!";
    print {$fh} $data;
    close($fh) or die "$file: $!";
}

sub gzip_data {
    my ($data) = @_;
    require IO::Compress::Gzip;
    my $out;
    no warnings 'once';
    IO::Compress::Gzip::gzip(\$data => \$out)
        or die "gzip: $IO::Compress::Gzip::GzipError";
    return $out;
}

# wait_until(SECONDS, CODE): polls CODE every 20 ms until it returns true
# or the deadline passes; returns CODE's last value.
sub wait_until {
    my ($timeout, $code) = @_;
    my $deadline = time() + $timeout * $SCALE;
    my $v;
    while (1) {
        $v = $code->();
        return $v if $v || time() >= $deadline;
        sleep(0.02);
    }
}

# ---- the mock cluster ------------------------------------------------

# mock_start(brokers => N, topics => ["name:partitions", ...])
sub mock_start {
    my (%o) = @_;
    my $dir = tempdir('dfx-mock-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my @cmd = ("$BUILD/contrib/mockkafka/dfx-mockkafka",
               '-n', $o{brokers} // 1, '-f', "$dir/bootstrap", '-T', 900);
    push @cmd, map { ('-t', $_) } @{ $o{topics} // [] };
    pipe(my $out, my $child_out) or die "pipe: $!";
    pipe(my $child_in, my $in) or die "pipe: $!";
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        _die_with_parent();
        close($out);
        close($in);
        open(STDIN, '<&', $child_in) or POSIX::_exit(127);
        open(STDOUT, '>&', $child_out) or POSIX::_exit(127);
        # its librdkafka complaints (a broker taken down) go to a file
        open(STDERR, '>', "$dir/mock.log") or POSIX::_exit(127);
        { exec(@cmd) };
        print STDERR "exec $cmd[0]: $!\n";
        POSIX::_exit(127);
    }
    close($child_in);
    close($child_out);
    $in->autoflush(1);
    my $self = bless { pid => $pid, in => $in, out => $out, dir => $dir,
                       sel => IO::Select->new($out) }, 'Dfx::Mock';
    my $bs = $self->_line(10 * $SCALE);
    unless (defined $bs && $bs =~ /:\d+/) {
        $self->stop;
        die "dfx-mockkafka did not start:\n"
            . (-s "$dir/mock.log" ? slurp("$dir/mock.log") : '');
    }
    $self->{bootstrap} = $bs;
    return $self;
}

package Dfx::Mock;

use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

sub bootstrap { $_[0]{bootstrap} }

sub _line {
    my ($self, $timeout) = @_;
    my $deadline = time() + $timeout;
    my $buf = $self->{buf} // '';
    while ($buf !~ /\n/) {
        my $left = $deadline - time();
        return undef if $left <= 0;
        next unless $self->{sel}->can_read($left);
        my $n = sysread($self->{out}, my $chunk, 4096);
        return undef unless $n;
        $buf .= $chunk;
    }
    my ($line, $rest) = split(/\n/, $buf, 2);
    $self->{buf} = $rest;
    return $line;
}

# cmd("down 1") -> "ok" or "error: ..."
sub cmd {
    my ($self, $cmd) = @_;
    syswrite($self->{in}, "$cmd\n");
    return $self->_line(10 * Dfx::scale()) // 'error: no answer';
}

# messages ever appended to TOPIC
sub count {
    my ($self, $topic) = @_;
    my $r = $self->cmd("count $topic");
    return $r =~ /^(\d+)/ ? $1 : -1;
}

# wait_count(TOPIC, N, SECONDS): waits until TOPIC holds N messages;
# returns the count last seen
sub wait_count {
    my ($self, $topic, $n, $timeout) = @_;
    my $c = 0;
    Dfx::wait_until($timeout // 20, sub {
        $c = $self->count($topic);
        return $c >= $n;
    });
    return $c;
}

sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    kill('TERM', $self->{pid});
    my $deadline = time() + 10;
    while (waitpid($self->{pid}, WNOHANG) == 0) {
        if (time() > $deadline) {
            kill('KILL', $self->{pid});
            waitpid($self->{pid}, 0);
            last;
        }
        sleep(0.02);
    }
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

package Dfx;

# ---- configuration ----------------------------------------------------

# YAML scalars: integers and booleans plain, everything else quoted.
sub _yaml_scalar {
    my ($v) = @_;
    return 'null' unless defined $v;
    return $v if $v =~ /^-?[0-9]+$/ || $v =~ /^(?:true|false)$/;
    (my $q = $v) =~ s/(["\\])/\\$1/g;
    return "\"$q\"";
}

# Flow-style YAML of a Perl structure (hash keys sorted; a scalar ref is
# raw YAML).
sub _yaml_flow {
    my ($v) = @_;
    if (ref $v eq 'HASH') {
        my @k = sort keys %$v;
        return '{' . join(', ', map { "$_: " . _yaml_flow($v->{$_}) } @k)
               . '}';
    }
    if (ref $v eq 'ARRAY') {
        return '[' . join(', ', map { _yaml_flow($_) } @$v) . ']';
    }
    if (ref $v eq 'SCALAR') {
        return $$v;     # raw YAML
    }
    return _yaml_scalar($v);
}

my @EXP_ORDER = qw(protocol enabled endpoints data-sources queue-count
                   queue-size batch-size flush-timeout export-fields
                   enum-translate-to-name-disabled
                   universal-tag-translate-to-name-disabled);

# dfx_conf(main => {...}, exporters => [{...}, ...], data_sources => [...],
#          extra => "raw YAML"): a config with dfexport: on ephemeral
# loopback ports and kafka exporters whose keys default to a small,
# deterministic setup (both translations off, [$tag, $metrics]).  A key
# given as undef is left out.  {BOOTSTRAP} and {DIR} are substituted by
# dfx_start.
sub dfx_conf {
    my (%o) = @_;
    my %main = (listen => '127.0.0.1:0', 'admin-listen' => '127.0.0.1:0',
                workers => 2, 'shutdown-timeout' => 10,
                log => { level => 'info' }, %{ $o{main} // {} });
    my $y = "dfexport:\n";
    for my $k (sort keys %main) {
        next unless defined $main{$k};
        $y .= "  $k: " . _yaml_flow($main{$k}) . "\n";
    }
    $y .= "ingester:\n  exporters:\n";
    my @exps = @{ $o{exporters} // [{}] };
    for my $e (@exps) {
        my %e = (protocol => 'kafka', enabled => 'true',
                 endpoints => [\'{BOOTSTRAP}'],
                 'data-sources' => $o{data_sources}
                                   // ['flow_log.l7_flow_log'],
                 'queue-count' => 2, 'queue-size' => 10000,
                 'batch-size' => 1024, 'flush-timeout' => 1,
                 'export-fields' => [\'$tag', \'$metrics'],
                 'enum-translate-to-name-disabled' => 'true',
                 'universal-tag-translate-to-name-disabled' => 'true',
                 %$e);
        my @keys = ((grep { exists $e{$_} } @EXP_ORDER),
                    sort grep { my $k = $_; !grep { $_ eq $k } @EXP_ORDER }
                         keys %e);
        my $first = 1;
        for my $k (@keys) {
            next unless defined $e{$k};
            $y .= ($first ? "  - " : "    ") . "$k: "
                  . _yaml_flow($e{$k}) . "\n";
            $first = 0;
        }
    }
    $y .= $o{extra} if defined $o{extra};
    return $y;
}

# ---- dfexport ---------------------------------------------------------

# dfx_start(conf => YAML (dfx_conf(%o) if absent), bootstrap => "h:p",
# args => [...], env => {NAME => value} (TZ defaults to UTC), ready => 1
# (wait for /readyz), valgrind => 1, files => {name => content},
# no_enum => 1, dir => an existing directory to run in, nofile => N (the
# daemon's file-descriptor limit))
sub dfx_start {
    my (%o) = @_;
    my $dir = $o{dir} // tempdir('dfx-test-XXXXXX', TMPDIR => 1,
                                 CLEANUP => 1);
    my $conf = $o{conf} // dfx_conf(%o);
    my $bs = $o{bootstrap} // '127.0.0.1:9';
    $conf =~ s/\{BOOTSTRAP\}/$bs/g;
    $conf =~ s/\{DIR\}/$dir/g;
    my $file = $o{conf_name} // 'dfexport.yaml';
    spew("$dir/$file", $conf);
    symlink("$TOP/conf/enum", "$dir/enum")
        unless $o{no_enum} || -e "$dir/enum";
    for my $f (keys %{ $o{files} // {} }) {
        spew("$dir/$f", $o{files}{$f});
    }
    my @cmd = ("$BUILD/dfexport", '-c', "$dir/$file", @{ $o{args} // [] });
    if ($o{nofile}) {
        # the file-descriptor limit (RLIMIT_NOFILE) of the daemon; sh
        # execs it, so the pid stays the daemon's
        unshift @cmd, 'sh', '-c', "ulimit -n $o{nofile} && exec \"\$@\"",
            'sh';
    }
    if ($o{valgrind}) {
        unshift @cmd, 'valgrind', '--quiet', '--leak-check=full',
            '--show-leak-kinds=definite,indirect,possible',
            '--errors-for-leak-kinds=definite,indirect,possible',
            '--error-exitcode=99', "--log-file=$dir/valgrind.log";
    }
    my %env = (TZ => 'UTC', %{ $o{env} // {} });
    my $log = "$dir/dfexport.log";
    # a restart in the same directory must not read its ports from the
    # log of the run before
    unlink($log);
    my $t0 = time();
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        _die_with_parent();
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', $log) or POSIX::_exit(127);
        open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
        for my $k (keys %env) {
            if (defined $env{$k}) {
                $ENV{$k} = $env{$k};
            } else {
                delete $ENV{$k};
            }
        }
        { exec(@cmd) };
        print STDERR "exec $cmd[0]: $!\n";
        POSIX::_exit(127);
    }
    my $self = bless { pid => $pid, dir => $dir, log => $log,
                       conf_file => "$dir/$file", started => $t0,
                       http => HTTP::Tiny->new(timeout => 30 * $SCALE,
                                               keep_alive => 0) },
                     'Dfx::Daemon';
    my $t = ($o{valgrind} ? 60 : 15);
    my $up = wait_until($t, sub {
        my $l = -s $log ? slurp($log) : '';
        if ($l =~ /notice: ingest listening on (\S+)/) {
            $self->{ingest} = $1;
        }
        if ($l =~ /notice: admin listening on (\S+)/) {
            $self->{admin} = $1;
        }
        $self->{bootstrap} = $1
            if $l =~ /notice: embedded kafka bootstrap (\S+)/;
        return 1 if $self->{ingest} && $self->{admin};
        return waitpid($pid, WNOHANG) != 0 ? 'exited' : 0;
    });
    unless ($self->{ingest} && $self->{admin}) {
        my $l = -s $log ? slurp($log) : '';
        $self->kill_now;
        die "dfexport did not start:\n$l";
    }
    if ($o{ready} // 1) {
        my $ok = wait_until($t, sub {
            ($self->admin_get('/readyz')->{status} // 0) == 200
        });
        unless ($ok) {
            my $l = slurp($log);
            $self->kill_now;
            die "dfexport not ready:\n$l";
        }
    }
    return $self;
}

# A daemon must not outlive a test killed before it could stop it:
# PR_SET_PDEATHSIG (Linux), kept across exec.  Without it the test's own
# cleanup (DESTROY) is all there is.
sub _die_with_parent {
    eval {
        require 'syscall.ph';
        syscall(&SYS_prctl(), 1, 9);            # PR_SET_PDEATHSIG, KILL
    };
}

# dfx_check_conf(YAML, name => FILE, files => {...}, args => [...]) ->
# (exit status, output) of `dfexport -t`, run in the config's directory
# so that messages name the file as given
sub dfx_check_conf {
    my ($conf, %o) = @_;
    my $dir = tempdir('dfx-conf-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $file = $o{name} // 'dfexport.yaml';
    spew("$dir/$file", $conf);
    symlink("$TOP/conf/enum", "$dir/enum") unless $o{no_enum};
    for my $f (keys %{ $o{files} // {} }) {
        spew("$dir/$f", $o{files}{$f});
    }
    my $pid = open(my $fh, '-|');
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
        chdir($dir) or POSIX::_exit(127);
        { exec("$BUILD/dfexport", '-t', '-c', $file, @{ $o{args} // [] }) };
        print "exec $BUILD/dfexport: $!\n";
        POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close($fh);
    return ($? >> 8, $out);
}

# consume(BOOTSTRAP, TOPIC, N, TIMEOUT): the first N messages of TOPIC
# (all partitions) as kcat -J envelopes {payload, key, ts, partition, ...},
# read again from the beginning until N are there or TIMEOUT passes.
# Payloads are byte strings, exactly as stored.
sub consume {
    my ($bs, $topic, $n, $timeout) = @_;
    my @out;
    wait_until($timeout // 20, sub {
        @out = ();
        my $pid = open(my $fh, '-|', 'timeout', 10 * $SCALE, 'kcat', '-C',
                       '-b', $bs, '-t', $topic, '-o', 'beginning', '-c',
                       $n, '-e', '-q', '-J');
        die "kcat: $!" unless $pid;
        binmode($fh);
        while (my $l = <$fh>) {
            chomp($l);
            next unless $l =~ /^\{/;
            push @out, $JSON->decode($l);
        }
        close($fh);
        return @out >= $n;
    });
    return @out;
}

package Dfx::Daemon;

use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(time sleep);

sub pid { $_[0]{pid} }
sub dir { $_[0]{dir} }
sub ingest { $_[0]{ingest} }
sub admin { $_[0]{admin} }
sub bootstrap { $_[0]{bootstrap} }
sub conf_file { $_[0]{conf_file} }
sub log { Dfx::slurp($_[0]{log}) }

# wait_log(REGEX, SECONDS): waits until the log matches; returns the match
sub wait_log {
    my ($self, $re, $timeout) = @_;
    my $m;
    Dfx::wait_until($timeout // 10, sub {
        my $l = $self->log;
        ($m) = $l =~ /($re)/;
        return defined $m;
    });
    return $m;
}

sub _req {
    my ($self, $method, $url, $body, $headers) = @_;
    my %opt = (headers => $headers // {});
    $opt{content} = $body if defined $body;
    my $t0 = time();
    my $r = $self->{http}->request($method, $url, \%opt);
    $r->{elapsed} = time() - $t0;
    if (($r->{headers}{'content-type'} // '') =~ m{application/json}
        && length($r->{content} // ''))
    {
        $r->{json} = eval { Dfx::json_decode($r->{content}) };
    }
    return $r;
}

# post(DATA_SOURCE, BODY, type => ndjson|json|undef (no Content-Type),
#      query => "ack=kafka", headers => {...}, gzip => 1, method => ...)
sub post {
    my ($self, $ds, $body, %o) = @_;
    my $type = exists $o{type} ? $o{type} : 'ndjson';
    my %h;
    $h{'Content-Type'} = $type eq 'json' ? 'application/json'
                       : $type eq 'ndjson' ? 'application/x-ndjson'
                       : $type
        if defined $type;
    if ($o{gzip}) {
        $body = Dfx::gzip_data($body);
        $h{'Content-Encoding'} = 'gzip';
    }
    %h = (%h, %{ $o{headers} // {} });
    my $q = defined $o{query} ? "?$o{query}" : '';
    return $self->_req($o{method} // 'POST',
                       "http://$self->{ingest}/v1/ingest/$ds$q", $body, \%h);
}

sub admin_get {
    my ($self, $path) = @_;
    return $self->_req('GET', "http://$self->{admin}$path");
}

sub admin_req {
    my ($self, $method, $path, $body, $headers) = @_;
    return $self->_req($method, "http://$self->{admin}$path", $body,
                       $headers // { 'Content-Type' => 'application/json' });
}

# raw(BYTES, timeout => S, admin => 1, then => BYTES): sends BYTES as is
# on a new connection (and `then` after the first answer bytes or the
# end of BYTES), reads until the server closes or the deadline; returns
# {status, headers, content, raw, closed (1 when the server closed)}
sub raw {
    my ($self, $bytes, %o) = @_;
    my $addr = $o{admin} ? $self->{admin} : $self->{ingest};
    my $s = IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp',
                                  Timeout => 10)
        or die "connect $addr: $!";
    $s->blocking(0);
    my $sel = IO::Select->new($s);
    my $deadline = time() + ($o{timeout} // 10) * Dfx::scale();
    my ($in, $off, $closed) = ('', 0, 0);
    local $SIG{PIPE} = 'IGNORE';
    while (time() < $deadline) {
        my $want_write = $off < length($bytes) && $in eq '';
        my ($r, $w) = IO::Select->select($sel, $want_write ? $sel : undef,
                                         undef, 0.05);
        if ($w && @$w) {
            my $n = syswrite($s, $bytes, 65536, $off);
            if (defined $n) {
                $off += $n;
            } elsif (!$!{EAGAIN}) {
                $off = length($bytes);      # the server stopped reading
            }
        }
        if ($r && @$r) {
            my $n = sysread($s, my $chunk, 65536);
            if (!defined $n) {
                next if $!{EAGAIN};
                $closed = 1;                # reset
                last;
            }
            if ($n == 0) {
                $closed = 1;
                last;
            }
            $in .= $chunk;
            last if $o{first_response} && _complete($in);
        }
    }
    close($s);
    my %r = (raw => $in, closed => $closed, sent => $off);
    if ($in =~ m{^HTTP/1\.[01] (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n(.*)\z}s) {
        $r{status} = $1;
        my ($h, $b) = ($2, $3);
        for (split(/\r\n/, $h)) {
            $r{headers}{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
        }
        $r{content} = $b;
    }
    return \%r;
}

sub _complete {
    my ($in) = @_;
    return 0 unless $in =~ /\r\n\r\n/;
    my ($h, $b) = split(/\r\n\r\n/, $in, 2);
    return length($b) >= $1 if $h =~ /^content-length:\s*(\d+)/mi;
    return 0;
}

# metrics() -> { 'name{labels}' => value } from /metrics
sub metrics {
    my ($self) = @_;
    my $r = $self->admin_get('/metrics');
    my %m;
    for (split(/\n/, $r->{content} // '')) {
        next if /^#/;
        $m{$1} = $2 if /^(\S+)\s+(-?\d+)$/;
    }
    return \%m;
}

# metric(NAME, exporter => E, data_source => DS, code => C, reason => R)
# from /metrics (0 when the series is absent); `from` reuses a metrics()
sub metric {
    my ($self, $name, %l) = @_;
    my $m = delete $l{from} // $self->metrics;
    my @l;
    for my $k (qw(exporter data_source code reason)) {
        push @l, "$k=\"$l{$k}\"" if defined $l{$k};
    }
    my $key = "dfexport_$name" . (@l ? '{' . join(',', @l) . '}' : '');
    return $m->{$key} // 0;
}

# stats() -> the /stats JSON
sub stats {
    my ($self) = @_;
    my $r = $self->admin_get('/stats');
    return $r->{json} // {};
}

sub signal {
    my ($self, $sig) = @_;
    kill($sig, $self->{pid});
}

# reload(YAML or undef): rewrites the config (when given) and sends
# SIGHUP; returns "ok" or "failed" after the daemon logged the outcome
sub reload {
    my ($self, $conf, %o) = @_;
    if (defined $conf) {
        my $bs = $o{bootstrap} // '127.0.0.1:9';
        $conf =~ s/\{BOOTSTRAP\}/$bs/g;
        $conf =~ s/\{DIR\}/$self->{dir}/g;
        Dfx::spew($self->{conf_file}, $conf);
    }
    my $before = () = $self->log =~ /reload (?:done|failed)/g;
    $self->signal('HUP');
    my $res;
    Dfx::wait_until($o{timeout} // 10, sub {
        my @all = $self->log =~ /reload (done|failed)/g;
        $res = $all[-1] if @all > $before;
        return defined $res;
    });
    return !defined $res ? 'timeout' : $res eq 'done' ? 'ok' : 'failed';
}

# stop(signal => 'TERM' (0: already sent, only wait), timeout => 30):
# returns the exit status (as $?) and checks the log for alerts, crits
# and sanitizer reports, and the valgrind log when there is one
sub stop {
    my ($self, %o) = @_;
    return $self->{status} unless $self->{pid};
    kill($o{signal} // 'TERM', $self->{pid});
    my $t0 = time();
    my $deadline = $t0 + ($o{timeout} // 30) * Dfx::scale();
    my $st;
    while (1) {
        my $w = waitpid($self->{pid}, WNOHANG);
        if ($w != 0) {
            $st = $?;
            last;
        }
        if (time() > $deadline) {
            kill('KILL', $self->{pid});
            waitpid($self->{pid}, 0);
            $st = -1;
            last;
        }
        sleep(0.02);
    }
    $self->{stop_elapsed} = time() - $t0;
    delete $self->{pid};
    $self->{status} = $st;
    my $log = $self->log;
    unlike($log, qr/\b(?:alert|crit):|Sanitizer|runtime error:/,
           'daemon log has no alert, crit or sanitizer report')
        or diag($log);
    if (-f "$self->{dir}/valgrind.log") {
        my $v = Dfx::slurp("$self->{dir}/valgrind.log");
        is($v, '', 'valgrind reports nothing') or diag($v);
    }
    return $st;
}

sub stop_elapsed { $_[0]{stop_elapsed} }

sub kill_now {
    my ($self) = @_;
    return unless $self->{pid};
    kill('KILL', $self->{pid});
    waitpid($self->{pid}, 0);
    delete $self->{pid};
}

sub DESTROY { $_[0]->kill_now }

1;
