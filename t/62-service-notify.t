#!/usr/bin/perl
# Running under systemd (contrib/systemd/dfexport.service, Type=notify):
# dfexport speaks sd_notify(3) itself on $NOTIFY_SOCKET: READY=1 once
# its listeners and producers are up, RELOADING=1 and READY=1 around a
# reload (a failed one too: the old configuration keeps serving),
# STOPPING=1 at SIGTERM.  The unit passes systemd-analyze verify when
# that tool is there.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);
use Test::More;
use lib 't/lib';
use Dfx qw(top build_dir mock_start dfx_start dfx_conf slurp spew scale);

my $top = top();
my $dir = tempdir('dfx-notify-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $path = "$dir/notify.sock";
my $sock = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path)
    or die "socket $path: $!";
my $sel = IO::Select->new($sock);

# the next datagram, or undef after the deadline
sub next_msg {
    my ($timeout) = @_;
    return undef unless $sel->can_read(($timeout // 15) * scale());
    my $buf;
    defined($sock->recv($buf, 4096)) or return undef;
    return $buf;
}

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap,
                  env => { NOTIFY_SOCKET => $path });
my $m = next_msg();
is($m, 'READY=1', 'READY=1 once listening') or diag($d->log);
like($d->log, qr/notice: dfexport \S+ started/,
     '...sent after the "started" line');

# a reload: RELOADING=1 (with the monotonic time systemd wants), READY=1
is($d->reload(undef, bootstrap => $mock->bootstrap), 'ok', 'reload');
$m = next_msg();
like($m // '', qr/\ARELOADING=1\nMONOTONIC_USEC=\d+\z/,
     'RELOADING=1 with MONOTONIC_USEC');
is(next_msg(), 'READY=1', 'READY=1 after the reload');

# a failed reload is READY=1 again: the old configuration serves
my $good = slurp($d->conf_file);
spew($d->conf_file, "dfexport: {workers: -1}\n");
is($d->reload(undef), 'failed', 'a broken config: reload failed');
like(next_msg() // '', qr/\ARELOADING=1\n/, 'RELOADING=1');
is(next_msg(), 'READY=1', 'READY=1 after the failed reload');
spew($d->conf_file, $good);

$d->signal('TERM');
is(next_msg(), 'STOPPING=1', 'STOPPING=1 at SIGTERM');
is($d->stop(signal => 0), 0, 'dfexport exits 0');

# without NOTIFY_SOCKET nothing is sent and nothing breaks (every other
# test runs that way); an abstract socket ("@name") works as well
{
    my $name = "dfx-notify-$$-" . int(rand(1e9));
    my $as = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => "\0$name");
    SKIP: {
        skip "no abstract unix sockets here: $!", 1 unless $as;
        my $s2 = IO::Select->new($as);
        my $d2 = dfx_start(bootstrap => $mock->bootstrap,
                           env => { NOTIFY_SOCKET => "\@$name" });
        my $buf = '';
        $as->recv($buf, 4096) if $s2->can_read(15 * scale());
        is($buf, 'READY=1', 'READY=1 on an abstract socket');
        is($d2->stop, 0, 'exits 0');
    }
}

# ---- the unit file ----------------------------------------------------------

my $unit = slurp("$top/contrib/systemd/dfexport.service.in");
like($unit, qr/^Type=notify$/m, 'the unit waits for READY=1 (Type=notify)');
for my $opt (qw(NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes
                PrivateTmp=yes CapabilityBoundingSet=
                Restart=on-failure)) {
    like($unit, qr/^\Q$opt\E$/m, "unit: $opt");
}
like($unit, qr/^ExecStartPre=\@bindir\@\/dfexport -t /m,
     'unit: ExecStartPre checks the config');
like($unit, qr/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m,
     'unit: ExecReload sends SIGHUP');
like($unit, qr/^RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX$/m,
     'unit: RestrictAddressFamilies');
like($unit, qr/^SystemCallFilter=\@system-service$/m,
     'unit: SystemCallFilter');
like($unit, qr/^ReadWritePaths=\/var\/lib\/dfexport/m,
     'unit: the checkpoint directory is writable');

SKIP: {
    my $sa = `sh -c 'command -v systemd-analyze' 2>/dev/null`;
    chomp($sa);
    skip 'systemd-analyze is not installed (Debian: systemd)', 2
        unless $sa ne '';
    my $built = build_dir() . '/contrib/systemd/dfexport.service';
    skip "the unit is not built ($built): make in the build directory", 2
        unless -f $built;
    # verify wants the ExecStart binary to exist: point it at this build
    my $vd = tempdir('dfx-unit-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $text = slurp($built);
    my $bin = build_dir() . '/dfexport';
    $text =~ s{^(ExecStart(?:Pre)?=)\S+}{$1$bin}mg;
    spew("$vd/dfexport.service", $text);
    # the man pages are not installed yet: --man=no
    my $out = `SYSTEMD_LOG_LEVEL=warning '$sa' verify --man=no '$vd/dfexport.service' 2>&1`;
    # outside a booted systemd (containers) verify cannot reach the
    # manager; those lines are about the host, not the unit
    my @bad = grep { /dfexport\.service/ && !/Failed to (?:connect|create)|bus/i }
              split(/\n/, $out);
    is_deeply(\@bad, [], 'systemd-analyze verify: nothing about the unit')
        or diag($out);
    like($text, qr/^ExecStart=\Q$bin\E -c /m, 'ExecStart names the binary');
}

done_testing();
