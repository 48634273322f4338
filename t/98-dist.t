#!/usr/bin/perl
# make distcheck passes: the tarball has what README links (doc/,
# setup.sh) and what a build needs, and it configures, builds with
# warnings as errors, runs the unit tests, installs and uninstalls in
# a tree of its own.  The tarball is the same whatever the build's
# flags, so the sanitizer pass does not make it a second time.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More;
use lib 't/lib';
use Dfx qw(top);

plan skip_all => 'the plain build checks the tarball' if $ENV{DFX_SANITIZED};

my $top = top();
plan skip_all => 'no configure script in the source tree' unless -x "$top/configure";

# a build tree of its own: make dist writes into the build tree, and the
# other tests use theirs at the same time
my $dir = tempdir('dfx-dist-XXXXXX', TMPDIR => 1, CLEANUP => 1);

my $out = `cd '$dir' && '$top/configure' -q 2>&1`;
is($?, 0, 'configure in a tree of its own') or diag($out);

$out = `make -s -C '$dir' -j2 distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror 2>&1`;
is($?, 0, 'make distcheck') or diag(substr($out, -4000));
like($out, qr/archives ready for distribution/, 'make distcheck: archives ready');

my ($tarball) = glob("$dir/dfexport-*.tar.gz");
ok(defined $tarball, 'the tarball is left in the build tree');
my %in = map { s{^[^/]+/}{}r => 1 } split(/\n/, `tar tzf '$tarball'`);
for my $f (qw(README.md setup.sh doc/install.md doc/man/dfexport.8
              doc/man/dfexport.yaml.5 conf/dfexport.yaml
              contrib/systemd/dfexport.service.in contrib/logrotate/dfexport
              t/lib/Dfx.pm)) {
    ok($in{$f}, "the tarball has $f");
}

# every file git knows, but the CI entry and editor settings, is shipped
SKIP: {
    my @git = grep { length } split(/\n/, `git -C '$top' ls-files 2>/dev/null`);
    skip 'not a git checkout', 1 unless @git;
    my @missing = grep { !$in{$_} && !m{^\.|/\.keep$} } @git;
    is_deeply(\@missing, [], 'every file in git is in the tarball')
        or diag(join("\n", @missing));
}

done_testing();
