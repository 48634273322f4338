#!/usr/bin/perl
# make install (DESTDIR) installs what doc/install.md lists, and never
# overwrites a configuration: the shipped dfexport.yaml always goes to
# dfexport.yaml.default, and to dfexport.yaml only when there is none.
# The installed binary checks the installed config with the installed
# enum dictionaries (enum-dir "" = the enum/ directory beside the config).
# make uninstall keeps an edited dfexport.yaml.
use strict;
use warnings;
use File::Find;
use File::Temp qw(tempdir);
use Test::More;
use lib 't/lib';
use Dfx qw(top build_dir slurp spew);

my $top = top();
my $build = build_dir();
plan skip_all => "no build in $build" unless -f "$build/Makefile";

my $dest = tempdir('dfx-install-XXXXXX', TMPDIR => 1, CLEANUP => 1);

sub make {
    my (@args) = @_;
    my $out = `make -s -C '$build' @args DESTDIR='$dest' 2>&1`;
    is($?, 0, "make @args DESTDIR=...") or diag($out);
    return $out;
}

# where the build installs: the Makefile's own variables
my %mk;
for (split(/\n/, slurp("$build/Makefile"))) {
    $mk{$1} = $2 if /^(prefix|exec_prefix|bindir|sysconfdir) = (.*)$/;
}
sub expand {
    my ($v) = @_;
    1 while $v =~ s/\$\{(\w+)\}|\$\((\w+)\)/$mk{$1 \/\/ $2} \/\/ ''/e;
    return $v;
}
my $prefix = expand($mk{prefix} // '');
my $etc = expand($mk{sysconfdir} // '') . '/dfexport';
my $bin = expand($mk{bindir} // '') . '/dfexport';
ok($prefix ne '' && $etc =~ m{^/}, "prefix $prefix, config in $etc");

# the binary's default config is the installed one
like(`$build/dfexport -h`, qr/\(default: \Q$etc\E\/dfexport\.yaml\)/,
     "the default -c is $etc/dfexport.yaml");

make('install');
my $conf = "$dest$etc/dfexport.yaml";
my $shipped = slurp("$top/conf/dfexport.yaml");
is(slurp($conf), $shipped, 'dfexport.yaml installed');
is(slurp("$conf.default"), $shipped, 'dfexport.yaml.default installed');
ok(-x "$dest$bin", "$bin installed");

# every enum dictionary, beside the config
opendir(my $dh, "$top/conf/enum") or die "conf/enum: $!";
my @enums = sort grep { !/^\./ } readdir($dh);
closedir($dh);
ok(@enums > 10, scalar(@enums) . ' enum dictionaries in conf/enum');
is_deeply([ grep { !-f "$dest$etc/enum/$_" } @enums ], [],
          "every enum dictionary is in $etc/enum");

# the installed binary checks the installed config and finds the enums
my $t = `'$dest$bin' -t -c '$conf' 2>&1`;
is($?, 0, 'installed dfexport -t accepts the installed config') or diag($t);
like($t, qr/test is successful/, '-t: successful');
like(`'$dest$bin' -V`, qr/^dfexport \d/, 'installed dfexport -V');

# an edited config survives a second make install
my $edited = $shipped;
$edited =~ s/^(\s*workers:\s*)\S+/${1}3/m or $edited .= "\n# edited\n";
$edited .= "# edited by the operator\n";
spew($conf, $edited);
my $out = make('install');
like($out, qr/keeping \Q$conf\E/, 'make install says it keeps the config');
is(slurp($conf), $edited, 'the edited dfexport.yaml is kept');
is(slurp("$conf.default"), $shipped, 'dfexport.yaml.default is the shipped one');

# the installed tree, as doc/install.md lists it (relative to the
# prefix, default sysconfdir and datadir)
my @tree;
find({ no_chdir => 1, wanted => sub {
    push @tree, substr($_, length("$dest$prefix") + 1) if -f $_;
} }, "$dest$prefix");
@tree = sort @tree;
note("installed under $prefix:\n" . join("\n", @tree));
my ($listed) = slurp("$top/doc/install.md")
    =~ /<!-- installed tree -->\n```\n(.*?)```/s;
ok(defined $listed, 'doc/install.md lists the installed tree');
SKIP: {
    skip 'configured with another sysconfdir', 1
        unless $etc eq "$prefix/etc/dfexport";
    my @doc = sort grep { length } map { s/\s+#.*$//r =~ s/^\s+|\s+$//gr }
              split(/\n/, $listed // '');
    is_deeply(\@tree, \@doc, 'the installed tree is the one doc/install.md lists')
        or diag("installed:\n" . join("\n", @tree));
}

# make uninstall keeps an edited config, removes the shipped one
make('uninstall');
ok(-f $conf && !-e "$conf.default" && !-e "$dest$bin",
   'uninstall: the edited dfexport.yaml is kept, the rest removed');
make('install');
spew($conf, $shipped);
make('uninstall');
ok(!-e $conf, 'uninstall: an unedited dfexport.yaml is removed');
my @left;
find({ no_chdir => 1, wanted => sub { push @left, $_ if -f $_ } }, $dest);
is_deeply(\@left, [], 'nothing is left after uninstall');

done_testing();
