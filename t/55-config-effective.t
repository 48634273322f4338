#!/usr/bin/perl
# dfexport -T prints the effective configuration (every key, defaults
# included) with the secrets redacted, and what it prints loads again
# with -t.  An empty enum-dir without enum/ beside the config falls back
# to the installed dictionaries, and when there are none either, -t names
# both paths and the key to set.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More;
use lib 't/lib';
use Dfx qw(top build_dir dfx_conf dfx_check_conf slurp spew);

my $top = top();
my $bin = build_dir() . '/dfexport';
plan skip_all => "no dfexport in " . build_dir() unless -x $bin;

# runs dfexport with args in dir; returns (status, stdout, stderr)
sub run {
    my ($dir, $env, @args) = @_;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        chdir($dir) or POSIX::_exit(127);
        open(STDOUT, '>', "$dir/.out") or POSIX::_exit(127);
        open(STDERR, '>', "$dir/.err") or POSIX::_exit(127);
        $ENV{$_} = $env->{$_} for keys %$env;
        { exec($bin, @args) };
        POSIX::_exit(127);
    }
    waitpid($pid, 0);
    return ($? >> 8, slurp("$dir/.out"), slurp("$dir/.err"));
}

my $dir = tempdir('dfx-dump-XXXXXX', TMPDIR => 1, CLEANUP => 1);
symlink("$top/conf/enum", "$dir/enum");
spew("$dir/kafka.pw", "file-secret\n");
(my $conf = dfx_conf(
    main => { log => { level => 'notice' },
              clickhouse => { password => '${DFX_CH_PW}' } },
    exporters => [
        { sasl => { enabled => 'true', username => 'u',
                    password => '${DFX_SASL_PW}' },
          librdkafka => { 'ssl.key.password' => 'keypw',
                          'linger.ms' => '5' } },
        { sasl => { enabled => 'true', username => 'v',
                    'password-file' => 'kafka.pw' },
          'tag-filters-groups' => [
              { 'tag-filters' => [ { 'field-name' => 'l7_protocol',
                                     operator => '!=',
                                     'field-values' => [0] } ] } ] },
    ])) =~ s/\{BOOTSTRAP\}/127.0.0.1:9092/g;
spew("$dir/dfexport.yaml", $conf);
my %env = (DFX_SASL_PW => 'env-secret', DFX_CH_PW => 'ch-secret');

my ($st, $out, $err) = run($dir, \%env, '-T', '-c', "$dir/dfexport.yaml");
is($st, 0, '-T exits 0') or diag($err);
like($err, qr/test is successful/, '-T tests the configuration as -t does');
like($out, qr/\A# dfexport -T: the effective configuration of \Q$dir\E\/dfexport\.yaml\n/,
     'a header names the file');

# defaults of keys not written are there
for my $re (qr/^  ack: "queued"$/m, qr/^  limits:\n    body: 64MiB$/m,
            qr/^  embedded-kafka: 0$/m, qr/^    format: "text"$/m,
            qr/^    access: false$/m, qr/^    level: "notice"$/m,
            qr/^    settle: 60$/m, qr/^    compression: "snappy"$/m,
            qr/^    message-timeout: \d+$/m,
            qr/^  enum-dir: "\Q$dir\E\/enum"$|^  enum-dir: "\.\/enum"$/m) {
    like($out, $re, "has $re");
}
# secrets: never the value
for my $s (qw(env-secret ch-secret file-secret keypw)) {
    unlike($out, qr/\Q$s\E/, "no $s in the output");
}
like($out, qr/^      password: "<redacted>"$/m, 'sasl.password redacted');
like($out, qr/^    password: "<redacted>"$/m, 'clickhouse.password redacted');
like($out, qr/"ssl\.key\.password": "<redacted>"/,
     'a librdkafka password redacted');
like($out, qr/"linger\.ms": "5"/, '...other librdkafka properties kept');
like($out, qr/^      password: ""\n      password-file: "\Q$dir\E\/kafka\.pw"$/m,
     'a password from its file: password "", the file named');
like($out, qr/^    tag-filters-groups:\n      - tag-filter-condition:\n/m,
     'tag filter groups as a block list');

# the output loads again with -t (and with -T, to the same text)
spew("$dir/effective.yaml", $out);
my ($st2, $out2, $err2) = run($dir, {}, '-T', '-c', "$dir/effective.yaml");
is($st2, 0, 'the output loads again') or diag($err2);
(my $a = $out) =~ s/\A#[^\n]*\n//;
(my $b = $out2) =~ s/\A#[^\n]*\n//;
is($b, $a, '...and prints the same configuration');

# an invalid configuration: exit 1, errors on stderr, nothing on stdout
spew("$dir/bad.yaml", "dfexport: {workers: -1}\n");
my ($st3, $out3, $err3) = run($dir, {}, '-T', '-c', 'bad.yaml');
is($st3, 1, 'an invalid config: -T exits 1');
is($out3, '', '...prints nothing on stdout');
like($err3, qr/^dfexport: bad\.yaml:1:21: dfexport\.workers: must be between 0 and 1024, got "-1"$/m,
     '...and the error on stderr');
my ($st4, $out4, $err4) = run($dir, {}, '-T', '-c', 'dfexport.yaml');
is($st4, 1, 'an unset ${ENV} password: -T exits 1');
like($err4, qr/dfexport\.clickhouse\.password: the environment variable DFX_CH_PW is not set/,
     '...naming the variable');

# ---- enum-dir: "" without enum/ beside the config -------------------------

my $installed = `'$bin' -h` =~ /\(default: (\S+)\/dfexport\.yaml\)/ ? "$1/enum"
                                                                     : '';
ok($installed ne '', "the installed enum directory: $installed");
(my $plain = dfx_conf()) =~ s/\{BOOTSTRAP\}/127.0.0.1:9092/g;
my ($st5, $out5) = dfx_check_conf($plain, name => 'server.yaml',
                                  no_enum => 1);
if (-d $installed) {
    is($st5, 0, "no enum/ beside it: the installed $installed is used")
        or diag($out5);
} else {
    is($st5, 1, 'no enum/ beside it and none installed: -t fails');
    like($out5, qr{^dfexport: server\.yaml: enum dictionaries: no enum/ directory beside the configuration \(\./enum\) and none installed \(\Q$installed\E\): set dfexport\.enum-dir to the directory of the enum dictionaries \(conf/enum in dfexport's sources\)$}m,
         '...naming both paths and dfexport.enum-dir') or diag($out5);
}
# a written enum-dir is used as written, wherever the config is
(my $abs = dfx_conf(main => { 'enum-dir' => "$top/conf/enum" }))
    =~ s/\{BOOTSTRAP\}/127.0.0.1:9092/g;
my ($st6, $out6) = dfx_check_conf($abs, no_enum => 1);
is($st6, 0, 'enum-dir written: no enum/ beside the config needed')
    or diag($out6);

done_testing();
