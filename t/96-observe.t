#!/usr/bin/perl
# contrib/prometheus/dfexport-rules.yml and contrib/grafana/dfexport.json
# are built on names dfexport really exports: every dfexport_* name they
# use is described in a running daemon's /metrics.  The rules pass
# `promtool check rules` where Debian's prometheus package is installed;
# without it, each rule is still checked for its parts.
use strict;
use warnings;
use JSON::PP;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start slurp);

my $top = top();
my $rules = slurp("$top/contrib/prometheus/dfexport-rules.yml");
my $dash = JSON::PP->new->decode(slurp("$top/contrib/grafana/dfexport.json"));

my @exprs;
for my $p (@{ $dash->{panels} }) {
    push @exprs, map { $_->{expr} } @{ $p->{targets} };
}
ok(@exprs >= 10, scalar(@exprs) . ' queries in the dashboard');
is($dash->{uid}, 'dfexport', 'the dashboard has a stable uid');

my %names;
$names{$_} = 1 for ($rules =~ /\b(dfexport_[a-z0-9_]+)/g);
for my $e (@exprs) {
    $names{$_} = 1 for ($e =~ /\b(dfexport_[a-z0-9_]+)/g);
}
ok(keys(%names) >= 10, scalar(keys %names) . ' metric names used');

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap);
my $m = $d->admin_get('/metrics')->{content};
for my $n (sort keys %names) {
    like($m, qr/^# HELP \Q$n\E /m, "$n is exported");
}
$d->stop;

# the rules: promtool, or their parts
my @alerts = $rules =~ /^\s+- alert: (\S+)/mg;
ok(@alerts >= 8, scalar(@alerts) . ' alerts');
my @blocks = split(/^\s+- alert: /m, $rules);
shift @blocks;
for my $b (@blocks) {
    my ($name) = $b =~ /^(\S+)/;
    like($b, qr/^\s+expr: /m, "$name: an expression");
    like($b, qr/^\s+severity: (critical|warning|info)$/m, "$name: a severity");
    like($b, qr/^\s+summary: /m, "$name: a summary");
}
SKIP: {
    skip 'promtool is not installed (Debian package prometheus); the rules '
         . 'were checked for their parts above', 1
        unless system('promtool --version >/dev/null 2>&1') == 0;
    my $out = `promtool check rules $top/contrib/prometheus/dfexport-rules.yml 2>&1`;
    is($?, 0, 'promtool check rules') or diag($out);
}

done_testing();
