#!/usr/bin/perl
# The brokers as each producer sees them (librdkafka's statistics): in
# /metrics, dfexport_kafka_broker_up is 1 with the broker up and an RTT
# series once requests were answered; it turns 0 within a bounded time
# when the mock cluster takes the broker down and 1 again when it is
# back; /stats shows the same per exporter; a reload retires the old
# producers' series.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use lib 't/lib';
use Dfx qw(mock_start dfx_start dfx_conf wait_until);

my $L7 = 'flow_log.l7_flow_log';
my $n = 0;
sub recs {
    my ($k) = @_;
    return join('', map { ++$n; qq({"_id":$n,"time":1700000000,)
                          . qq("end_time":1700000000000000}\n) } 1 .. $k);
}

my $mock = mock_start();
my %exp = ('queue-count' => 1, 'message-timeout' => 60,
           librdkafka => { 'statistics.interval.ms' => 300,
                           'reconnect.backoff.max.ms' => 300 });
my $d = dfx_start(bootstrap => $mock->bootstrap,
                  exporters => [{ name => 'main', %exp }]);

# every broker series of /metrics: {name => {labels => value}}
sub brokers {
    my $m = $d->admin_get('/metrics')->{content} // '';
    my %b;
    for (split(/\n/, $m)) {
        next unless /^dfexport_(kafka_broker_\w+)\{([^}]*)\} (\S+)$/;
        $b{$1}{$2} = $3;
    }
    return \%b;
}

my $m = $d->admin_get('/metrics')->{content};
for my $name (qw(up state rtt_seconds outbuf_messages waitresp_messages)) {
    like($m, qr/^# TYPE dfexport_kafka_broker_$name gauge$/m,
         "dfexport_kafka_broker_$name is described");
}

# the one broker of the mock cluster, id 1, as librdkafka names it
my $lab;
ok(wait_until(10, sub {
    my $b = brokers();
    ($lab) = grep { /^exporter="main",producer="0",broker="[^"]+\/1"$/ }
             keys %{ $b->{kafka_broker_up} // {} };
    return defined $lab && $b->{kafka_broker_up}{$lab} eq '1';
}), 'kafka_broker_up 1 for broker 1 of exporter "main", producer 0')
    or diag(join("\n", grep { /kafka_broker/ }
                 split(/\n/, $d->admin_get('/metrics')->{content})));
$lab //= 'none';
my $b = brokers();
is(scalar(keys %{ $b->{kafka_broker_up} }), 1,
   'one series: the bootstrap entry and librdkafka\'s internal broker are '
   . 'left out');
is($b->{kafka_broker_state}{qq($lab,state="UP")}, '1',
   'kafka_broker_state{state="UP"} 1');

# RTT: requests must have been answered within the interval
my ($rtt, $last) = (undef, 0);
ok(wait_until(10, sub {
    if (time() - $last > 0.2) {
        $d->post($L7, recs(1), query => 'ack=kafka');
        $last = time();
    }
    $rtt = brokers()->{kafka_broker_rtt_seconds};
    return defined $rtt->{qq($lab,quantile="0.5")}
           && defined $rtt->{qq($lab,quantile="0.99")};
}), 'kafka_broker_rtt_seconds: quantiles 0.5 and 0.99');
cmp_ok($rtt->{qq($lab,quantile="0.5")} // -1, '>=', 0, 'RTT >= 0');
cmp_ok($rtt->{qq($lab,quantile="0.99")} // 99, '<', 5, 'RTT < 5 s');

my $s = $d->stats->{kafka_brokers} // {};
my ($bname) = $lab =~ /broker="([^"]+)"/;
is($s->{main}{0}{$bname}{state}, 'UP', '/stats: kafka_brokers.main.0 state UP');
is($s->{main}{0}{$bname}{up}, 1, '/stats: up 1');
is(scalar(keys %{ $s->{main}{0} }), 1, '/stats: one broker');

# ---- down and up again -----------------------------------------------------

is($mock->cmd('down 1'), 'ok', 'broker 1 down');
my $t0 = time();
ok(wait_until(10, sub { (brokers()->{kafka_broker_up}{$lab} // '') eq '0' }),
   'kafka_broker_up 0 once the broker is down');
note(sprintf('seen down after %.2f s', time() - $t0));
# with nothing to send librdkafka leaves a lost connection alone (state
# INIT); a record for the broker makes it try again, and fail
is($d->post($L7, recs(1))->{status}, 202, 'a record for the broker: 202');
my $state;
ok(wait_until(10, sub {
    ($state) = map { /,state="([^"]+)"$/ }
               grep { index($_, "$lab,") == 0 }
               keys %{ brokers()->{kafka_broker_state} // {} };
    return defined $state && $state !~ /^(?:UP|INIT)$/;
}), 'with a record waiting, the state is neither UP nor INIT: '
    . ($state // 'none'));
is(brokers()->{kafka_broker_up}{$lab}, '0', 'and kafka_broker_up is 0');
is($d->stats->{kafka_brokers}{main}{0}{$bname}{up}, 0, '/stats: up 0');

is($mock->cmd('up 1'), 'ok', 'broker 1 up');
$last = 0;
ok(wait_until(20, sub {
    if (time() - $last > 0.5) {
        $d->post($L7, recs(1));
        $last = time();
    }
    (brokers()->{kafka_broker_up}{$lab} // '') eq '1' }),
   'kafka_broker_up 1 again once the broker is back');

# ---- a reload retires the old producers' series ----------------------------

my $conf = dfx_conf(exporters => [{ name => 'next', %exp,
                                    'queue-count' => 2 }]);
is($d->reload($conf, bootstrap => $mock->bootstrap), 'ok', 'reload');
ok(wait_until(10, sub {
    my $u = brokers()->{kafka_broker_up} // {};
    return keys %$u == 2
           && (grep { /^exporter="next",producer="[01]",broker=/ } keys %$u)
              == 2;
}), 'after the reload: exporter "next", producers 0 and 1, no "main"')
    or diag(join("\n", keys %{ brokers()->{kafka_broker_up} // {} }));
$s = $d->stats->{kafka_brokers} // {};
is_deeply([sort keys %$s], ['next'], '/stats: only the running exporter');

is($d->stop, 0, 'dfexport exits 0');
done_testing();
