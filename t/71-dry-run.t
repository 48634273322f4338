#!/usr/bin/perl
# Dry runs explain: the record members that are not fields, the tag
# filter that dropped a record with the value it tested, the fields
# export-fields and the empty rules left out, the exporter's name; a
# readable (?pretty=1) form; and `dfexport --dry-run` offline, which
# prints the same answer without listeners or Kafka.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use lib 't/lib';
use Dfx qw(top build_dir dfx_start dfx_conf json_decode spew);

my $top = top();
my $L7 = 'flow_log.l7_flow_log';
my $rec = '{"time":1700000000,"l7_protocol":20,"server_port":80,'
          . '"response_code":404,"bogus":1,"nested":{"a":[1]}}';
my @exporters = (
    { name => 'http-only', topic => 'dry.http',
      'tag-filters-groups' => [ { 'tag-filter-condition' => { type => 'and' },
                                  'tag-filters' => [
        { 'field-name' => 'l7_protocol', operator => '=',
          'field-values' => [20] },
        { 'field-name' => 'server_port', operator => 'in',
          'field-values' => [8080, 443] } ] } ] },
    { topic => 'dry.few', 'export-fields' => ['time', 'response_code',
                                              'request_domain'],
      'export-empty-tag' => 'false' },
);
my $conf = dfx_conf(exporters => \@exporters);
my $d = dfx_start(conf => $conf, ready => 0);

my $r = $d->post($L7, "$rec\n", query => 'dry_run=1');
is($r->{status}, 200, 'dry run: 200') or diag($r->{content});
my $j = $r->{json} // {};
is_deeply([ @$j{qw(accepted filtered rejected)} ], [1, 0, 0],
          'dry run: the counts');
my %res = map { ($_->{exporter} => $_) } @{ $j->{results} // [] };

# exporter 0: filtered, and why
my $f = $res{0} // {};
is($f->{filtered}, 'tag-filters-groups[0] did not match',
   'filtered: the existing text is kept');
is($f->{exporter_name}, 'http-only', 'filtered: the exporter name');
is_deeply($f->{unknown_fields}, ['bogus', 'nested'],
          'filtered: the members that are not fields');
is_deeply($f->{failed_filters},
          [ { filter => 'tag-filters-groups[0].tag-filters[1]',
              'field-name' => 'server_port', operator => 'in',
              'field-values' => ['8080', '443'], value => 80 } ],
          'filtered: the filter that failed, with the value it tested');

# exporter 1: exported, with what was left out
my $m = $res{1} // {};
is($m->{topic}, 'dry.few', 'message: the topic');
ok(!exists $m->{exporter_name}, 'message: no name, no exporter_name');
is_deeply($m->{unknown_fields}, ['bogus', 'nested'],
          'message: the members that are not fields');
is_deeply($m->{not_exported}, ['l7_protocol', 'server_port'],
          'message: the fields export-fields left out');
is_deeply($m->{empty_dropped}, ['request_domain'],
          'message: the field the empty-tag rule left out');
my $v = json_decode($m->{value});
is($v->{response_code}, 404, 'message: the value is still the message');

# ?pretty=1: the same answer, indented
my $p = $d->post($L7, "$rec\n", query => 'dry_run=1&pretty=1');
is($p->{status}, 200, 'pretty: 200');
like($p->{content}, qr/^\{\n  "dry_run": true,\n  "accepted": 1,/,
     'pretty: indented');
is_deeply(json_decode($p->{content}), $j, 'pretty: the same JSON');
$p = $d->post($L7, "$rec\n", query => 'dry_run=1&pretty=2');
is($p->{status}, 400, 'pretty=2: 400');

# ---- offline -----------------------------------------------------------

my $dir = tempdir('dfx-dry-XXXXXX', TMPDIR => 1, CLEANUP => 1);
(my $c = $conf) =~ s/\{BOOTSTRAP\}/127.0.0.1:9/g;
spew("$dir/dfexport.yaml", $c);
symlink("$top/conf/enum", "$dir/enum");

sub offline {
    my ($input, @args) = @_;
    spew("$dir/in.ndjson", $input);
    my $cmd = join(' ', map { "'$_'" } build_dir() . '/dfexport',
                   '--dry-run', @args, '-c', "$dir/dfexport.yaml");
    my $out = `$cmd < '$dir/in.ndjson' 2> '$dir/err'`;
    my $rc = $? >> 8;
    my $err = Dfx::slurp("$dir/err");
    unlike($err, qr/Sanitizer|runtime error/, "offline @args: no sanitizer "
           . 'report');
    return ($rc, $out, $err);
}

my ($rc, $out, $err) = offline("$rec\n", $L7);
is($rc, 0, 'offline: exit 0') or diag($err);
is_deeply(json_decode($out), $j, 'offline: the same answer as the daemon');
unlike($err, qr/listening|kafka bootstrap/, 'offline: no listener');

($rc, $out) = offline("$rec\n", $L7, '--pretty');
is($rc, 0, 'offline --pretty: exit 0');
like($out, qr/^\{\n  "dry_run": true,/, 'offline --pretty: indented');

($rc, $out, $err) = offline("$rec\n{\"time\":\"x\"}\n", $L7);
is($rc, 1, 'offline: exit 1 when a record is rejected');
is(json_decode($out)->{rejected}, 1, 'offline: the rejection is listed');
like($err, qr/1 records rejected/, 'offline: and said on stderr');

($rc, $out, $err) = offline("$rec\n", 'flow_log.nope');
is($rc, 1, 'offline: exit 1 for an unknown data source');
like(json_decode($out)->{error} // '', qr/unknown data source/,
     'offline: the error is the one the daemon answers');

is($d->stop, 0, 'daemon stops cleanly');
done_testing();
