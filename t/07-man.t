#!/usr/bin/perl
# The man pages keep up with the daemon: every option `dfexport -h`
# prints is in dfexport(8), every top-level key of the dfexport: block of
# conf/dfexport.yaml (which t/06-conf-docs.t checks against the key
# tables) is in dfexport.yaml(5), and both pages format without
# warnings when man is installed.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top build_dir slurp);

my $top = top();
my $bin = build_dir() . '/dfexport';
plan skip_all => "no dfexport in " . build_dir() unless -x $bin;

# roff source as text: \- is -, font escapes and requests go
sub text_of {
    my ($roff) = @_;
    my $t = '';
    for (split /\n/, $roff) {
        next if /^\.\\"/;
        s/^\.[A-Z]{1,2}\s?//;
        s/\\f[BIRP]//g;
        s/\\-/-/g;
        s/\\\(dq/"/g;
        $t .= "$_\n";
    }
    # .BR a " (b)" joins its words
    $t =~ s/"//g;
    return $t;
}

my $man8 = text_of(slurp("$top/doc/man/dfexport.8"));
my $man5 = text_of(slurp("$top/doc/man/dfexport.yaml.5"));

my $help = `'$bin' -h`;
is($?, 0, 'dfexport -h exits 0');
my @opts = $help =~ /(?:^|[\s,])(--?[A-Za-z][A-Za-z-]*)/mg;
my %seen;
@opts = grep { !$seen{$_}++ } @opts;
ok(@opts >= 8, scalar(@opts) . " options in dfexport -h: @opts");
for my $o (@opts) {
    like($man8, qr/(?<![\w-])\Q$o\E(?![\w-])/, "dfexport(8) has $o");
}

my @keys;
my $in = 0;
for (split /\n/, slurp("$top/conf/dfexport.yaml")) {
    if (/^dfexport:/) { $in = 1; next }
    last if $in && /^\S/;
    push @keys, $1 if $in && /^  ([a-z][a-z0-9-]*):/;
}
ok(@keys >= 10, scalar(@keys) . " top-level keys in dfexport: (@keys)");
for my $k (@keys) {
    like($man5, qr/(?<![\w.-])\Q$k\E(?![\w-])/, "dfexport.yaml(5) has $k");
}
# and the log keys this page documents one by one
for my $k (qw(level file format access)) {
    like($man5, qr/\b\Q$k\E\b/, "dfexport.yaml(5) has log.$k");
}

SKIP: {
    my $man = `sh -c 'command -v man' 2>/dev/null`;
    chomp($man);
    skip 'man is not installed (Debian: man-db)', 2 unless $man ne '';
    for my $p ('dfexport.8', 'dfexport.yaml.5') {
        my $out = `MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l '$top/doc/man/$p' 2>&1 >/dev/null`;
        is($out, '', "man --warnings $p: no warning") or diag($out);
    }
}

done_testing();
