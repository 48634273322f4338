#!/usr/bin/perl
# What reaches Kafka of what dfexport acknowledged, under faults: every
# record carries a unique _id; a poster records which ids were answered
# 202 or 200; kcat reads the topic back; each case counts acknowledged,
# delivered, lost (acknowledged, not in Kafka) and duplicated (in Kafka
# more than once), with dfexport's peak RSS and CPU time, and checks
# what doc/reliability.md promises for it.
#
# DFX_LOAD=N multiplies the records of every case (contrib/reliability.sh
# runs the long versions and prints the figures; CI runs these).
use strict;
use warnings;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(time sleep);
use lib 't/lib';
use Dfx qw(mock_start dfx_start wait_until slurp scale figure);
use DfxCH qw(kafka_ids);

my $L7 = 'flow_log.l7_flow_log';
my $T = "deepflow.$L7";
my $LOAD = $ENV{DFX_LOAD} // 1;
my $BATCH = 200;

# small messages: the mock cluster keeps a few MB per partition
my %EXP = ('export-fields' => ['_id'], 'queue-count' => 2,
           'queue-size' => 100000, 'message-timeout' => 60,
           librdkafka => { 'reconnect.backoff.max.ms' => 200 });

sub body {
    my ($from, $n) = @_;
    return join('', map { qq({"_id":$_,"time":1700000000,)
                          . qq("end_time":1700000000000000}\n) }
                    $from .. $from + $n - 1);
}

# posts BATCHES batches from id FROM on, one request at a time, each at
# most every PACE seconds; the ids of acknowledged batches go to FILE as
# "first count" lines.  A child process: the parent can kill dfexport
# under it.
sub poster {
    my ($d, $file, $from, $batches, %o) = @_;
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    return $pid if $pid;
    open(my $fh, '>', $file) or POSIX::_exit(1);
    $fh->autoflush(1);
    my $want = $o{ack} eq 'kafka' ? 200 : 202;
    my $fails = 0;
    for my $i (0 .. $batches - 1) {
        my $t0 = time();
        my $first = $from + $i * $BATCH;
        my $r = $d->post($L7, body($first, $BATCH),
                         query => "ack=$o{ack}");
        if ($r->{status} == $want) {
            print $fh "$first $BATCH\n";
            $fails = 0;
        } elsif (++$fails > 20 && $o{stop_on_fail}) {
            last;
        } elsif ($r->{status} == 429 || $r->{status} == 503) {
            sleep(0.05);
        }
        my $left = ($o{pace} // 0) - (time() - $t0);
        sleep($left) if $left > 0;
    }
    close($fh);
    POSIX::_exit(0);
}

sub acked {
    my ($file) = @_;
    my %a;
    for (split(/\n/, -f $file ? slurp($file) : '')) {
        my ($first, $n) = split;
        $a{$_} = 1 for $first .. $first + $n - 1;
    }
    return \%a;
}

sub proc {
    my ($pid) = @_;
    my $st = eval { slurp("/proc/$pid/status") } // '';
    my ($hwm) = $st =~ /^VmHWM:\s+(\d+)/m;
    my @f = split(' ', (eval { slurp("/proc/$pid/stat") } // '') =~ s/^.*\)\s//sr);
    my $tck = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
    return { rss_mb => ($hwm // 0) / 1024,
             cpu_s => @f > 12 ? ($f[11] + $f[12]) / $tck : 0 };
}

# counts what Kafka holds against what was acknowledged
sub tally {
    my ($mock, $acked, $expect) = @_;
    my $n = keys %$acked;
    my $seen = {};
    wait_until(scale(60), sub {
        $seen = kafka_ids($mock->bootstrap, $T);
        return !grep { !$seen->{$_} } keys %$acked;
    }) if $expect eq 'all';
    $seen = kafka_ids($mock->bootstrap, $T) unless keys %$seen;
    my $lost = grep { !$seen->{$_} } keys %$acked;
    my $dup = grep { $seen->{$_} > 1 } keys %$seen;
    return { acknowledged => $n, delivered => scalar(keys %$seen),
             lost => $lost, duplicated => $dup };
}

sub finish {
    my ($name, $f, $p, %promise) = @_;
    figure($name, %$f, %$p);
    ok($f->{acknowledged} > 0, "$name: records acknowledged ($f->{acknowledged})");
    is($f->{lost}, 0, "$name: nothing acknowledged is lost")
        if $promise{no_loss};
    is($f->{duplicated}, 0, "$name: nothing duplicated")
        if $promise{no_dup};
}

sub reap { waitpid($_[0], 0) }

# ---- a broker outage of 3 s in the middle of the load (ack=queued) -----
{
    my $mock = mock_start(topics => ["$T:4"]);
    my $d = dfx_start(bootstrap => $mock->bootstrap, exporters => [{%EXP}]);
    my $file = "$d->{dir}/acked";
    my $batches = 100 * $LOAD;
    my $p = poster($d, $file, 1, $batches, ack => 'queued', pace => 0.01);
    sleep(0.5);
    is($mock->cmd('down 1'), 'ok', 'outage: broker down under load');
    sleep(3);
    is($mock->cmd('up 1'), 'ok', 'outage: broker up');
    reap($p);
    my $f = tally($mock, acked($file), 'all');
    finish('broker down 3 s under load, ack=queued', $f, proc($d->pid),
           no_loss => 1, no_dup => 1);
    is($d->stop, 0, 'outage: clean exit');
}

# ---- produce requests failing (ack=kafka): retried, idempotent ----------
{
    my $mock = mock_start(topics => ["$T:4"]);
    my $d = dfx_start(bootstrap => $mock->bootstrap, exporters => [{%EXP}]);
    my $file = "$d->{dir}/acked";
    my $p = poster($d, $file, 1, 50 * $LOAD, ack => 'kafka');
    # NOT_LEADER_FOR_PARTITION (6) and REQUEST_TIMED_OUT (7): retriable
    my $injected = 0;
    for (1 .. 5) {
        sleep(0.3);
        $injected++ if $mock->cmd('error 0 6 3') eq 'ok';
        sleep(0.3);
        $injected++ if $mock->cmd('error 0 7 3') eq 'ok';
    }
    is($injected, 10, 'produce errors: 10 rounds of errors injected');
    reap($p);
    my $f = tally($mock, acked($file), 'all');
    finish('produce errors injected, ack=kafka', $f, proc($d->pid),
           no_loss => 1, no_dup => 1);
    is($d->stop, 0, 'produce errors: clean exit');
}

# ---- a reload (SIGHUP) while the broker is down -------------------------
{
    my $mock = mock_start(topics => ["$T:4"]);
    my $d = dfx_start(bootstrap => $mock->bootstrap, exporters => [{%EXP}]);
    my $file = "$d->{dir}/acked";
    is($mock->cmd('down 1'), 'ok', 'reload: broker down');
    my $p = poster($d, $file, 1, 20 * $LOAD, ack => 'queued');
    reap($p);
    is($d->reload, 'ok', 'reload while the broker is down');
    my $p2 = poster($d, "$file.2", 1 + 20 * $LOAD * $BATCH, 20 * $LOAD,
                    ack => 'queued');
    reap($p2);
    is($mock->cmd('up 1'), 'ok', 'reload: broker up');
    my $acked = acked($file);
    %$acked = (%$acked, %{ acked("$file.2") });
    my $f = tally($mock, $acked, 'all');
    finish('SIGHUP while the broker is down, ack=queued', $f,
           proc($d->pid), no_loss => 1, no_dup => 1);
    is($d->stop, 0, 'reload: clean exit');
}

# ---- kill -9 under load ------------------------------------------------
for my $ack ('kafka', 'queued') {
    my $mock = mock_start(topics => ["$T:4"]);
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      exporters => [{%EXP, 'flush-timeout' => 1}]);
    my $file = "$d->{dir}/acked";
    # 2,000 records/s: a batch of 200 every 0.1 s
    my $p = poster($d, $file, 1, 1000 * $LOAD, ack => $ack, pace => 0.1,
                   stop_on_fail => 1);
    sleep(2 * $LOAD);
    my $pr = proc($d->pid);
    $d->kill_now;
    reap($p);
    my $acked = acked($file);
    my $f = tally($mock, $acked, $ack eq 'kafka' ? 'all' : 'some');
    finish("kill -9 at 2,000 records/s, ack=$ack", $f, $pr,
           no_loss => $ack eq 'kafka', no_dup => 1);
    next if $ack eq 'kafka';
    # what a kill -9 loses with ack=queued is what waited for
    # flush-timeout (1 s): only among the newest 1.5 s of records
    my @ids = sort { $a <=> $b } keys %$acked;
    my $seen = kafka_ids($mock->bootstrap, $T);
    my @lost = grep { !$seen->{$_} } @ids;
    my $newest = @ids > 3000 ? $ids[-3000] : $ids[0];
    ok(!@lost || $lost[0] >= $newest, sprintf('kill -9, ack=queued: only the '
       . 'newest records are lost (oldest lost %s, newest 3,000 from %s)',
       $lost[0] // '-', $newest // '-'));
}

# ---- every broker down past message-timeout (ack=queued) ----------------
{
    my $mock = mock_start(topics => ["$T:4"]);
    my $d = dfx_start(bootstrap => $mock->bootstrap,
                      exporters => [{%EXP, 'message-timeout' => 2}]);
    my $file = "$d->{dir}/acked";
    is($mock->cmd('down 1'), 'ok', 'timeout: broker down');
    my $p = poster($d, $file, 1, 5 * $LOAD, ack => 'queued');
    reap($p);
    my $n = keys %{ acked($file) };
    my $failed = 0;
    wait_until(scale(20), sub {
        $failed = $d->metric('exporter_records_failed_total',
                             exporter => 0, data_source => $L7) // 0;
        return $failed >= $n;
    });
    is($failed, $n, 'timeout: every acknowledged record is counted failed');
    is($mock->cmd('up 1'), 'ok', 'timeout: broker up');
    my $f = tally($mock, acked($file), 'some');
    finish('every broker down past message-timeout, ack=queued', $f,
           proc($d->pid), no_dup => 1);
    is($f->{lost}, $f->{acknowledged}, 'timeout: all of it lost, as documented');
    is($d->stop, 0, 'timeout: clean exit');
}

done_testing();
