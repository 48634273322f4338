#!/usr/bin/perl
# dfexport -V names the versions of dfexport and of the libraries it runs
# with; /metrics and /stats carry the same in dfexport_build_info, and the
# process metrics (CPU, RSS, open fds, start time) are there and plausible.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use lib 't/lib';
use Dfx qw(build_dir mock_start dfx_start);

my $t0 = time();
my $bin = build_dir() . '/dfexport';

# -V and --version: one "NAME VERSION" line each, runtime versions
my %v;
for my $flag ('-V', '--version') {
    my $out = `$bin $flag 2>&1`;
    is($?, 0, "dfexport $flag exits 0");
    my %got = map { /^(\S+) (\S.*)$/ ? ($1 => $2) : () } split(/\n/, $out);
    for my $lib (qw(dfexport librdkafka libevent yajl OpenSSL libcurl
                    libyaml zlib)) {
        like($got{$lib} // '', qr/^\d+\.\d+/, "$flag: $lib $got{$lib}");
    }
    %v = %got;
}
# the versions are the ones the libraries report, compared with the
# packages' own where their tools can say
my %pc = (librdkafka => 'rdkafka', libevent => 'libevent', yajl => 'yajl',
          libyaml => 'yaml-0.1', libcurl => 'libcurl', zlib => 'zlib');
SKIP: {
    skip 'no pkg-config', scalar(keys %pc)
        unless system('pkg-config --version >/dev/null 2>&1') == 0;
    for my $lib (sort keys %pc) {
        chomp(my $want = `pkg-config --modversion $pc{$lib} 2>/dev/null`);
        is($v{$lib}, $want, "-V: $lib is $want");
    }
}
SKIP: {
    chomp(my $ssl = `openssl version 2>/dev/null` // '');
    skip 'no openssl tool', 1 unless $ssl =~ /^OpenSSL (\S+)/;
    is($v{OpenSSL}, $1, "-V: OpenSSL is $1");
}

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap);
my $text = $d->admin_get('/metrics')->{content} // '';

# build_info: value 1, labelled with the same versions
my ($labels) = $text =~ /^dfexport_build_info\{(.*)\} 1$/m;
ok(defined $labels, 'dfexport_build_info 1') or diag($text);
my %bi = ($labels // '') =~ /(\w+)="([^"]*)"/g;
is($bi{version}, $v{dfexport}, "build_info version=$v{dfexport}");
my %label = (librdkafka => 'librdkafka', libevent => 'libevent',
             yajl => 'yajl', openssl => 'OpenSSL', libcurl => 'libcurl',
             libyaml => 'libyaml', zlib => 'zlib');
for my $l (sort keys %label) {
    is($bi{$l}, $v{ $label{$l} }, "build_info $l=\"$v{$label{$l}}\"");
}
like($text, qr/^# TYPE dfexport_build_info gauge$/m, 'build_info is a gauge');

# process metrics: present, typed, plausible
my %p = $text =~ /^dfexport_(process_\w+) (\S+)$/mg;
like($text, qr/^# TYPE dfexport_process_cpu_seconds_total counter$/m,
     'process_cpu_seconds_total is a counter');
like($p{process_cpu_seconds_total} // '', qr/^\d+\.\d+$/,
     "process_cpu_seconds_total $p{process_cpu_seconds_total}");
cmp_ok($p{process_resident_memory_bytes} // 0, '>', 1024 * 1024,
       "process_resident_memory_bytes > 1 MB "
       . "($p{process_resident_memory_bytes})");
cmp_ok($p{process_open_fds} // 0, '>', 3,
       "process_open_fds > 3 ($p{process_open_fds})");
my $st = $p{process_start_time_seconds} // 0;
cmp_ok(abs($st - $t0), '<', 60,
       "process_start_time_seconds within a minute of the test's start "
       . "($st, test started at " . int($t0) . ")");

# /stats carries them too
my $s = $d->stats;
is($s->{build_info}{version}, $v{dfexport}, '/stats build_info.version');
is($s->{build_info}{librdkafka}, $v{librdkafka},
   '/stats build_info.librdkafka');
cmp_ok($s->{process_open_fds} // 0, '>', 3, '/stats process_open_fds');
cmp_ok($s->{process_resident_memory_bytes} // 0, '>', 1024 * 1024,
       '/stats process_resident_memory_bytes');
cmp_ok(abs(($s->{process_start_time_seconds} // 0) - $t0), '<', 60,
       '/stats process_start_time_seconds');
ok(defined $s->{process_cpu_seconds_total}, '/stats process_cpu_seconds_total');

is($d->stop, 0, 'dfexport stops cleanly');
$mock->stop;
done_testing();
