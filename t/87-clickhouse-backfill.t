#!/usr/bin/perl
# dfexport --backfill FROM,TO: the follower's reader over a fixed range,
# then exit.  Every row of the range is in Kafka, none outside it; a
# second run of the same range finds its checkpoints done and sends
# nothing; an interrupted run goes on where it stopped; bad arguments
# are refused before anything starts; on a terminal a progress line is
# printed.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use File::Temp qw(tempdir);
use POSIX qw(WNOHANG);
use Dfx qw(mock_start dfx_conf spew slurp wait_until build_dir top);
use DfxCH qw(ch_start kafka_ids);

my $L7 = 'flow_log.l7_flow_log';
my $TOPIC = "deepflow.$L7";
my $BIN = build_dir() . '/dfexport';

my $ch = ch_start();
my $t0 = 1700000000;
my $N = 20000;
$ch->sql('CREATE DATABASE flow_log');
$ch->sql("CREATE TABLE flow_log.l7_flow_log (time DateTime('Asia/Shanghai'), "
         . "_id UInt64, end_time Int64) ENGINE = MergeTree "
         . "PARTITION BY toStartOfHour(time) ORDER BY time");
# 100 rows a second over 200 seconds
$ch->sql("INSERT INTO flow_log.l7_flow_log SELECT toDateTime($t0 + "
         . "intDiv(number, 100)), number + 1, ($t0 + intDiv(number, 100)) "
         . "* 1000000 FROM system.numbers LIMIT $N");

my $mock = mock_start();
my $dir = tempdir('dfx-backfill-XXXXXX', TMPDIR => 1, CLEANUP => 1);
symlink(top() . '/conf/enum', "$dir/enum");
# small messages: the mock broker keeps a few MB per partition
my $conf = dfx_conf(exporters => [{ 'export-fields' => ['_id'] }],
                    main => { clickhouse => {
                        url => $ch->url, 'checkpoint-dir' => "$dir/ck",
                        window => 7, settle => 0 } });
$conf =~ s/\{BOOTSTRAP\}/$mock->bootstrap/ge;
spew("$dir/dfexport.yaml", $conf);

# runs dfexport with ARGS; returns (exit status, output)
sub run {
    my (@args) = @_;
    my $out = `timeout 120 $BIN -c $dir/dfexport.yaml @args 2>&1`;
    return ($? >> 8, $out);
}

sub ids { kafka_ids($mock->bootstrap, $TOPIC, $mock->count($TOPIC)) }

# ---- refused before anything starts --------------------------------------
for my $bad ('1700000100', '1700000100,1700000000', 'soon,now',
             '2023-02-30 00:00:00,now') {
    my ($rc, $out) = run("--backfill '$bad'");
    is($rc, 2, "--backfill '$bad': exit 2");
    like($out, qr/dfexport: --backfill: /, '...saying why');
}

# ---- [t0 + 50, t0 + 150): rows 5001 .. 15000 ------------------------------
my ($from, $to) = ($t0 + 50, $t0 + 150);
my ($rc, $out) = run("--backfill $from,$to");
is($rc, 0, 'backfill: exit 0') or diag($out);
like($out, qr/backfill of \[$from, $to\) done: 10000 rows/,
     'the log says it is done, with the rows');
unlike($out, qr/ingest listening/, 'no listener is opened');
my $ids = ids();
is(scalar(keys %$ids), 10000, '10000 rows in Kafka');
is(scalar(grep { $_ < 5001 || $_ > 15000 } keys %$ids), 0,
   'none outside the range');
is(scalar(grep { $_ > 1 } values %$ids), 0, 'none twice');
is(slurp("$dir/ck/backfill-$from-$to.org1.$L7.checkpoint"), "$to\n",
   'its checkpoint is the end of the range');
ok(!-e "$dir/ck/org1.$L7.checkpoint", 'the follow checkpoint is not used');

# ---- the same range again: done already, nothing sent --------------------
($rc, $out) = run("--backfill $from,$to");
is($rc, 0, 'again: exit 0');
like($out, qr/done: 0 rows/, 'again: nothing to read');
is(scalar(keys %{ ids() }), 10000, 'again: nothing more in Kafka');

# ---- interrupted, then resumed -------------------------------------------
($from, $to) = ($t0, $t0 + 50);
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
    open(STDOUT, '>', "$dir/int.log");
    open(STDERR, '>&', \*STDOUT);
    { exec($BIN, '-c', "$dir/dfexport.yaml", '--backfill', "$from,$to") };
    POSIX::_exit(127);
}
ok(wait_until(60, sub { -s "$dir/ck/backfill-$from-$to.org1.$L7.checkpoint" }),
   'a first window is done');
kill('TERM', $pid);
waitpid($pid, 0);
my $st = $? >> 8;
my $ck = slurp("$dir/ck/backfill-$from-$to.org1.$L7.checkpoint");
chomp($ck);
if ($ck < $to) {
    is($st, 1, 'stopped before the end: exit 1');
    like(slurp("$dir/int.log"), qr/run it again to go on/, '...saying so');
} else {
    is($st, 0, 'it was done before the signal: exit 0');
    pass('(nothing to resume)');
}
($rc, $out) = run("--backfill $from,$to");
is($rc, 0, 'resumed: exit 0') or diag($out);
like($out, qr/checkpoint $ck \(backfill\)/, 'resumed from its checkpoint');
$ids = ids();
is(scalar(grep { $_ >= 1 && $_ <= 5000 } keys %$ids), 5000,
   'every row of the interrupted range is in Kafka');

# ---- a progress line on a terminal ---------------------------------------
SKIP: {
    skip 'script(1) is not installed', 1
        unless system('script --version >/dev/null 2>&1') == 0;
    ($from, $to) = ($t0 + 150, $t0 + 200);
    my $tty = `timeout 120 script -qec '$BIN -c $dir/dfexport.yaml --backfill $from,$to' /dev/null 2>&1`;
    like($tty, qr/\rbackfill: 5000 rows, 100\.0% of the range, \d+ rows\/s, ETA 0:00:00/,
         'a terminal gets a progress line');
}

done_testing();
