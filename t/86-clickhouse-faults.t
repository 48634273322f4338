#!/usr/bin/perl
# Following ClickHouse when things break.  A scripted stand-in answers
# the way ClickHouse answers and breaks the way a real server does:
# an error status, an error reported in the middle of the rows, an answer
# cut off, a server that says nothing, and Kafka down.  Each failed try
# leaves the checkpoint where it was, is counted by reason, logged once
# per reason, tried again; once things work every row is in Kafka, and
# the rows sent twice are the rows of the failed tries (counted).
#
# Then a real clickhouse-server: kill -9 of dfexport in the middle of a
# follow under load, and a restart: every row arrives, and no more than
# one window's rows twice.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(mock_start dfx_start dfx_conf wait_until slurp figure);
use DfxCH qw(ch_start fake_start kafka_ids);

my $L7 = 'flow_log.l7_flow_log';
my $TOPIC = "deepflow.$L7";

# every message the mock holds for the topic, by _id
sub ids_in_kafka {
    my ($m) = @_;
    return kafka_ids($m->bootstrap, $TOPIC, $m->count($TOPIC));
}

# ---- the stand-in -----------------------------------------------------------

my $W = 4;
my $base = int(time() / $W) * $W - 10 * $W;
# a row at every even second
my $fake = fake_start(
    mode => '500',
    columns => [[qw(time DateTime)], [qw(_id UInt64)], [qw(end_time Int64)],
                [qw(request_domain String)]],
    rows => sub {
        my ($from, $to) = @_;
        return [ map { "{\"time\":$_,\"_id\":$_,\"end_time\":${_}000000}" }
                 grep { $_ % 2 == 0 } $from .. $to - 1 ];
    });

my $mock = mock_start();
my $d = dfx_start(
    bootstrap => $mock->bootstrap, ready => 0,
    exporters => [{ 'message-timeout' => 2,
                    librdkafka => { 'message.max.bytes' => '6000' } }],
    main => { clickhouse => { url => $fake->url,
                              'checkpoint-dir' => '{DIR}/ck', settle => 0,
                              window => $W, start => $base, timeout => 2,
                              'retry-max' => 1 } });

sub follower {
    my $st = $d->stats;
    return ($st->{clickhouse}{followers} // [])->[0] // {};
}

sub errors {
    my ($reason) = @_;
    return $d->metric('clickhouse_errors_total', data_source => $L7,
                      reason => $reason);
}

# an error status: not ready, the reason counted and logged once
ok(wait_until(20, sub { errors('http') >= 3 }), 'error status: counted');
my $r = $d->admin_get('/readyz');
is($r->{status}, 503, 'error status: not ready');
like($r->{content}, qr/clickhouse: org 1 flow_log\.l7_flow_log: http: HTTP 500: Code: 60/,
     '...saying why');
my @warn = $d->log =~ /(window from \d+ failed \(http\))/g;
is(scalar(@warn), 1, 'logged once, not at every try');
is(follower()->{checkpoint}, $base, 'the checkpoint did not move');
is(follower()->{reachable}, JSON::PP::false(), '/stats: not reachable');

# an error in the middle of the rows: the rows before it were sent, the
# window is tried again
$fake->mode('exception');
ok(wait_until(20, sub { errors('stream') >= 2 }),
   'error among the rows: counted as stream');
is(follower()->{checkpoint}, $base, 'the checkpoint did not move');
like(follower()->{last_error}, qr/broke off after \d+ rows: Code: 395/,
     '/stats says what ClickHouse said');
ok($d->metric('clickhouse_rows_resent_total', data_source => $L7) > 0,
   'the rows read again are counted');
is($d->metric('records_rejected_total', data_source => $L7), 0,
   'the error text is no rejected record');

# an answer cut off
my $before = errors('stream');
$fake->mode('cut');
ok(wait_until(20, sub { errors('stream') >= $before + 2 }),
   'an answer cut off: counted as stream');
is(follower()->{checkpoint}, $base, 'the checkpoint did not move');

# a server that says nothing
$fake->mode('slow');
ok(wait_until(30, sub { errors('timeout') >= 1 }),
   'silence: counted as timeout');

# all well again: every row arrives
$fake->mode('ok');
my $now = time();
ok(wait_until(30, sub { (follower()->{checkpoint} // 0) >= $now - $W }),
   'caught up');
is(($d->admin_get('/readyz'))->{status}, 200, 'ready again');
like($d->log, qr/reading again after \d+ failed tries/,
     'the recovery is logged');
my $ck = follower()->{checkpoint};
my $ids = ids_in_kafka($mock);
my @want = grep { $_ % 2 == 0 } $base .. $ck - 1;
my @missing = grep { !$ids->{$_} } @want;
is(scalar(@missing), 0, scalar(@want) . ' rows, every one in Kafka')
    or diag("missing: @missing[0 .. ($#missing > 9 ? 9 : $#missing)]");
my $dups = 0;
$dups += $_ - 1 for values %$ids;
ok($dups <= $d->metric('clickhouse_rows_resent_total', data_source => $L7),
   "rows twice in Kafka ($dups) are no more than the rows read again");

# a row the schema rejects: counted, its reason logged, and it does not
# hold the checkpoint back
$fake->mode('badrow');
my $held0 = follower()->{checkpoint};
ok(wait_until(30, sub { (follower()->{checkpoint} // 0) >= $held0 + 2 * $W }),
   'rows the schema rejects do not hold the checkpoint back');
ok($d->metric('records_rejected_total', data_source => $L7) >= 1,
   'they are counted as rejected records');
like($d->log, qr/rows rejected, first: row \d+, field _id: expected an integer/,
     'the first of a window is logged with its reason');
ok(follower()->{rejected} >= 1, '/stats counts them');

# a row whose message Kafka will never take: rejected, not retried
$fake->mode('bigrow');
my $rej = $d->metric('records_rejected_total', data_source => $L7);
$held0 = follower()->{checkpoint};
ok(wait_until(30, sub { (follower()->{checkpoint} // 0) >= $held0 + 2 * $W }),
   'a message too large for Kafka does not hold the checkpoint back');
ok($d->metric('records_rejected_total', data_source => $L7) > $rej,
   'it is a rejected record');
like($d->log, qr/first: row \d+: the message of exporter 0 is \d+ bytes, more than Kafka takes \(message\.max\.bytes 6000\)/,
     '...logged with its reason');
$fake->mode('ok');

# Kafka down: the window waits, fails at message-timeout, and is tried
# again once the broker is back
is($mock->cmd('down 1'), 'ok', 'broker down');
ok(wait_until(30, sub { errors('kafka') >= 1 }),
   'Kafka down: counted as kafka');
my $held = follower()->{checkpoint};
is($mock->cmd('up 1'), 'ok', 'broker up');
ok(wait_until(40, sub { (follower()->{checkpoint} // 0) > $held + $W }),
   'goes on once Kafka is back');
$ck = follower()->{checkpoint};
$ids = ids_in_kafka($mock);
@missing = grep { !$ids->{$_} } grep { $_ % 2 == 0 } $base .. $ck - 1;
is(scalar(@missing), 0, 'every row in Kafka after the outage');

$d->stop;
$fake->stop;

# ---- kill -9 under load, real ClickHouse ----------------------------------

my $ch = ch_start();
my $N = 30000;
my $t0 = 1700000000;
$ch->sql('CREATE DATABASE flow_log');
$ch->sql("CREATE TABLE flow_log.l7_flow_log (time DateTime('Asia/Shanghai'), "
         . "_id UInt64, end_time Int64, request_domain String, "
         . "response_duration UInt64) ENGINE = MergeTree "
         . "PARTITION BY toStartOfHour(time) ORDER BY time");
# 1000 rows a second over 30 seconds
$ch->sql("INSERT INTO flow_log.l7_flow_log SELECT toDateTime($t0 + "
         . "intDiv(number, 1000)), number + 1, ($t0 + intDiv(number, 1000)) "
         . "* 1000000, concat('host-', toString(number % 97), '.example'), "
         . "number FROM system.numbers LIMIT $N");

my $mock2 = mock_start();
# messages of a few bytes: the mock broker keeps a few MB per partition
# and drops the oldest beyond that, which would look like lost rows
my %run = (bootstrap => $mock2->bootstrap,
           exporters => [{ 'export-fields' => ['_id'] }],
           main => { clickhouse => { url => $ch->url,
                                     'checkpoint-dir' => '{DIR}/ck',
                                     settle => 0, window => 5,
                                     start => $t0 } });
my $d1 = dfx_start(%run);
ok(wait_until(60, sub {
    $d1->metric('clickhouse_windows_total', data_source => $L7) >= 3 }),
   'three windows done');
$d1->kill_now;
my $at_kill = slurp($d1->dir . '/ck/org1.flow_log.l7_flow_log.checkpoint');
chomp($at_kill);
ok($at_kill > $t0 && $at_kill < $t0 + 30, "killed at checkpoint $at_kill");

my $d2 = dfx_start(%run, dir => $d1->dir);
like($d2->log, qr/from flow_log\.l7_flow_log, checkpoint $at_kill/,
     'the restart goes on from the checkpoint');
ok(wait_until(120, sub {
    my $c = slurp($d2->dir . '/ck/org1.flow_log.l7_flow_log.checkpoint');
    $c >= $t0 + 30 }), 'the restart reads to the end');
ok($mock2->wait_count($TOPIC, $N, 60) >= $N, "at least $N messages");
my $all = ids_in_kafka($mock2);
my @miss = grep { !$all->{$_} } 1 .. $N;
is(scalar(@miss), 0, "every one of the $N rows is in Kafka")
    or diag("missing _id $miss[0] .. $miss[-1]; in Kafka: "
            . scalar(keys %$all) . ' ids, ' . $mock2->count($TOPIC)
            . " messages\n" . $d2->log);
my $twice = 0;
$twice += $_ - 1 for values %$all;
figure('kill -9 while following ClickHouse, restarted', acknowledged => $N,
       delivered => scalar(keys %$all), lost => scalar(@miss),
       duplicated => $twice,
       note => 'acknowledged: rows in ClickHouse; a window is 5,000 rows');
ok($twice <= 5 * 1000, "rows twice ($twice) are at most one window's "
   . "(5000 rows)");

# the table changes under the follower: a column it reads is dropped
$ch->sql('ALTER TABLE flow_log.l7_flow_log DROP COLUMN request_domain');
my ($f2) = @{ $d2->stats->{clickhouse}{followers} };
my $tn = $f2->{checkpoint} + 1;
$ch->sql("INSERT INTO flow_log.l7_flow_log (time, _id, end_time) VALUES "
         . "(toDateTime($tn), 777777, ${tn}000000)");
ok($mock2->wait_count($TOPIC, $N + $twice + 1, 60) >= $N + $twice + 1,
   'a column dropped: the columns are read again, the row follows');
ok($d2->metric('clickhouse_errors_total', data_source => $L7,
               reason => 'http') >= 1, '...after a counted failure');
like($d2->log, qr/reading \d+ columns of flow_log\.l7_flow_log.*\n(?s:.*)reading \d+ columns/,
     '...and the columns logged again');
$d2->stop;
$ch->stop;

done_testing();
