#!/usr/bin/perl
# The generated documentation matches the tables it is generated from.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top slurp);

my $top = top();
my $gen = `sh $top/contrib/gen-metrics-doc.sh $top/src/core/dfx_stats.def`;
is($?, 0, 'gen-metrics-doc.sh runs');
is($gen, slurp("$top/doc/metrics.md"),
   'doc/metrics.md is what contrib/gen-metrics-doc.sh prints');

# every statistic is documented with help text
my $def = slurp("$top/src/core/dfx_stats.def");
my @names = $def =~ /^DFX_STAT\(([a-z0-9_]+),/mg;
ok(@names > 10, 'statistics found in dfx_stats.def');
my @proc = slurp("$top/src/core/dfx_process.def") =~ /^DFX_PROC\(([a-z0-9_]+),/mg;
ok(@proc >= 5, 'build and process metrics found in dfx_process.def');
push @names, @proc;
my @brokers = slurp("$top/src/kafka/dfx_kafka_brokers.def")
              =~ /^DFX_BROKER\(([a-z0-9_]+),/mg;
ok(@brokers >= 3, 'broker metrics found in dfx_kafka_brokers.def');
push @names, @brokers;
for my $n (@names) {
    like($gen, qr/\| `dfexport_$n` \|/, "$n is documented");
}

done_testing();
