#!/usr/bin/perl
# doc/configuration.md documents every configuration key, with the
# default the daemon uses, and its examples are what the daemon prints.
#
# The daemon cannot list its keys, so the list comes from
# conf/dfexport.yaml, which t/unit/core/test_dfx_conf checks against the
# key tables (every key of every table is written there, with its
# default).  The keys the reference tables of doc/configuration.md name
# are checked against the daemon itself: a configuration holding all of
# them must draw no "unknown key" from `dfexport -t`.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top slurp dfx_check_conf);

my $top = top();
my $doc = slurp("$top/doc/configuration.md");
my $shipped = slurp("$top/conf/dfexport.yaml");

# ---- conf/dfexport.yaml: key paths and the values written ----------------

# The line without its comment (a # outside quotes, at the start or after
# a blank).
sub strip_comment {
    my ($line) = @_;
    my $q = '';
    for my $i (0 .. length($line) - 1) {
        my $c = substr($line, $i, 1);
        if ($q ne '') {
            $q = '' if $c eq $q;
        } elsif ($c eq '"' || $c eq "'") {
            $q = $c;
        } elsif ($c eq '#' && ($i == 0 || substr($line, $i - 1, 1) =~ /\s/)) {
            return substr($line, 0, $i);
        }
    }
    return $line;
}

# "{a: x, b: y}" -> (a => 'x', b => 'y'); nested braces are not needed.
sub flow_pairs {
    my ($text) = @_;
    my @pairs;
    for my $item (split /,/, $text) {
        push @pairs, [$1, $2] if $item =~ /^\s*([a-z][a-z0-9-]*):\s*(.*?)\s*$/;
    }
    return @pairs;
}

my (%yaml_value, @yaml_keys, %comment_names);
{
    my @stack;      # [indent, name]
    for my $raw (split /\n/, $shipped) {
        if ($raw =~ /^\s*#/) {
            # commented-out YAML (an example): "#   - name:" or "# - name:"
            my ($body) = $raw =~ /^\s*#(.*)$/;
            $body = strip_comment($body);
            if ($body =~ /^\s(?:-\s+|\s\s+(?:-\s+)?)
                          ([a-z][a-z0-9-]*):(?:\s|$)(.*)$/x)
            {
                $comment_names{$1} = 1;
                my $rest = $2;
                if ($rest =~ /^\s*\{(.*)\}\s*$/) {
                    $comment_names{ $_->[0] } = 1 for flow_pairs($1);
                }
            }
            next;
        }
        my $line = strip_comment($raw);
        next if $line =~ /^\s*$/;
        $line =~ /^( *)(-\s+)?([a-z][a-z0-9-]*):(?:\s+(.*?))?\s*$/
            or next;    # a list element of scalars, e.g. "- flow_log..."
        my ($ind, $dash, $name, $value) = (length($1), $2, $3, $4);
        $ind += length($dash) if defined $dash;
        pop @stack while @stack && $stack[-1][0] >= $ind;
        if (defined $dash && @stack && $stack[-1][1] !~ /\[\]$/) {
            $stack[-1][1] .= '[]';
        }
        my $path = join('.', map { $_->[1] } @stack, [0, $name]);
        push @stack, [$ind, $name];
        push @yaml_keys, $path;
        $yaml_value{$path} = $value if defined $value && $value ne '';
        if (defined $value && $value =~ /^\{(.*)\}$/) {
            for my $p (flow_pairs($1)) {
                push @yaml_keys, "$path.$p->[0]";
                $yaml_value{"$path.$p->[0]"} = $p->[1];
            }
        }
    }
}

# "dfexport.limits.body" -> [dfexport, "limits.body"];
# "ingester.exporters[].sasl.enabled" -> [exporter, "sasl.enabled"]
sub block_of {
    my ($path) = @_;
    return ['dfexport', $1] if $path =~ /^dfexport\.(.+)$/;
    return ['exporter', $1] if $path =~ /^ingester\.exporters\[\]\.(.+)$/;
    return;
}

my @keys = grep { defined } map { block_of($_) } @yaml_keys;
ok(@keys > 50, scalar(@keys) . ' keys read from conf/dfexport.yaml');
my %have = map { ("$_->[0] $_->[1]" => 1) } @keys;
# the reader works: keys of each kind and depth are there, prose is not
for my $k ('dfexport listen', 'dfexport limits.body', 'dfexport log.file',
           'exporter queue-count', 'exporter sasl.password',
           'exporter tag-filter-condition.type', 'exporter librdkafka')
{
    ok($have{$k}, "conf/dfexport.yaml: $k found");
}
is_deeply([sort keys %comment_names],
          [qw(field-name field-values operator tag-filter-condition
              tag-filters type)],
          'conf/dfexport.yaml: the keys of the commented-out filter example');

# ---- doc/configuration.md: the reference tables ------------------------

# Rows of tables whose header starts "| dfexport key |" or
# "| exporter key |": block, key, and the cells.
my @rows;
{
    my $block;
    for my $line (split /\n/, $doc) {
        if ($line =~ /^\|\s*(dfexport|exporter) key\s*\|/) {
            $block = $1;
            next;
        }
        if ($line !~ /^\|/) {
            undef $block;
            next;
        }
        next unless defined $block;
        next if $line =~ /^\|[-|\s]+\|$/;
        my @cells = map { s/^\s+|\s+$//gr } split /(?<!\\)\|/, $line;
        shift @cells;
        $cells[0] =~ /^`([^`]+)`$/
            or do { fail("doc row without a `key`: $line"); next };
        push @rows, { block => $block, key => $1, cells => \@cells,
                      line => $line };
    }
}
ok(@rows > 50, scalar(@rows) . ' rows in the reference tables');
for my $r (@rows) {
    is(scalar(@{ $r->{cells} }), 5, "$r->{block} $r->{key}: 5 cells");
}

# A YAML key path matches a doc key when they are equal; a doc key
# written with [] (tag-filters[].field-name) also matches the last part.
my %doc_key = map { ("$_->{block} $_->{key}" => $_) } @rows;
sub documented {
    my ($block, $key) = @_;
    return $doc_key{"$block $key"} if $doc_key{"$block $key"};
    (my $bare = $key) =~ s/\[\]//g;
    for my $r (@rows) {
        next unless $r->{block} eq $block;
        (my $k = $r->{key}) =~ s/\[\]//g;
        return $r if $k eq $bare;
    }
    return;
}

# every key of conf/dfexport.yaml has its row
for my $k (@keys) {
    ok(documented(@$k), "doc/configuration.md documents $k->[0] key "
                        . "`$k->[1]`");
}
# the commented-out example's keys are rows too (last component)
for my $n (sort keys %comment_names) {
    ok(scalar(grep { $_->{block} eq 'exporter'
                     && $_->{key} =~ /(^|[.\]])\Q$n\E$/ } @rows),
       "doc/configuration.md documents the filter key `$n`");
}
# the matcher can fail
ok(!documented('exporter', 'flush-timout'), 'a misspelt key is not found');
ok(!documented('dfexport', 'queue-count'), 'a key of the other block is '
                                           . 'not found');

# the default written in conf/dfexport.yaml is the documented default
my %example = map { ($_ => 1) }
    qw(protocol enabled endpoints data-sources export-fields);
for my $path (sort keys %yaml_value) {
    my $k = block_of($path) or next;
    my $v = $yaml_value{$path};
    next if $v =~ /^[\[{]/;                         # lists, mappings
    next if $k->[0] eq 'exporter' && $example{ $k->[1] };
    my $r = documented(@$k) or next;                # reported above
    my $def = $r->{cells}[2];
    ok(index($def, "`$v`") >= 0,
       "$k->[0] `$k->[1]`: documented default is `$v`")
        or diag("default cell: $def");
}

# ---- the daemon knows every documented key ------------------------------

# A tree of the doc's keys, emitted as YAML with null values: the daemon
# must find no unknown key in it but the two misspelt controls.
sub tree_add {
    my ($tree, $key) = @_;
    my @parts = split /\./, $key;
    my $node = $tree;
    for my $i (0 .. $#parts) {
        my ($name, $list) = $parts[$i] =~ /^(.*?)(\[\])?$/;
        my $child = $node->{kids}{$name} //= { kids => {}, order => [] };
        push @{ $node->{order} }, $name unless $node->{seen}{$name}++;
        $child->{list} = 1 if $list;
        $node = $child;
    }
}

sub tree_yaml {
    my ($node, $ind, $leaf) = @_;
    my $y = '';
    for my $name (@{ $node->{order} }) {
        my $c = $node->{kids}{$name};
        my $pad = ' ' x $ind;
        if (!@{ $c->{order} }) {
            my $v = $leaf->{$name} // '~';
            $y .= $c->{list} ? "$pad$name: []\n" : "$pad$name: $v\n";
        } elsif ($c->{list}) {
            my $sub = tree_yaml($c, $ind + 2, $leaf);
            $sub =~ s/^ {$ind}  /$pad- /;
            $y .= "$pad$name:\n$sub";
        } else {
            $y .= "$pad$name:\n" . tree_yaml($c, $ind + 2, $leaf);
        }
    }
    return $y;
}

my %tree = (dfexport => { kids => {}, order => [] },
            exporter => { kids => {}, order => [] });
# the exporter must be a kafka one for its keys to be checked
tree_add($tree{exporter}, 'protocol');
tree_add($tree{exporter}, 'enabled');
tree_add($tree{ $_->{block} }, $_->{key}) for @rows;
tree_add($tree{dfexport}, 'worker');             # controls
tree_add($tree{exporter}, 'flush-timout');
my %leaf = (protocol => 'kafka', enabled => 'false');
my $exp = tree_yaml($tree{exporter}, 4, \%leaf);
$exp =~ s/^    /  - /;
my $all = "dfexport:\n" . tree_yaml($tree{dfexport}, 2, \%leaf)
          . "ingester:\n  exporters:\n$exp";

my ($st, $out) = dfx_check_conf($all, name => 'all-keys.yaml');
my @unknown = grep { /unknown key/ } split /\n/, $out;
is(scalar(@unknown), 2, 'dfexport -t: only the two controls are unknown')
    or diag("config:\n$all\noutput:\n$out");
like($out, qr/^dfexport:\ all-keys\.yaml:\d+:\d+:
              \ dfexport:\ unknown\ key\ "worker"/mx,
     'dfexport -t: the dfexport control is reported');
like($out, qr/^dfexport:\ all-keys\.yaml:\d+:\d+:
              \ ingester\.exporters\[0\]:\ unknown\ key\ "flush-timout"/mx,
     'dfexport -t: the exporter control is reported');
is($st, 1, 'dfexport -t: exit status 1');

# ---- the error examples are what dfexport -t prints -----------------------

my @blocks;
while ($doc =~ /^```(\w*)\n(.*?)^```$/msg) {
    push @blocks, { lang => $1, text => $2 };
}
my $examples = 0;
for my $i (1 .. $#blocks) {
    my $b = $blocks[$i];
    next unless $b->{text} =~ /\A(?:dfexport: (\S+\.yaml):).*test failed\n\z/s;
    my $name = $1;
    my ($input) = grep { $_->{lang} eq 'yaml' } reverse @blocks[0 .. $i - 1];
    ok($input, "example $name: its YAML precedes it") or next;
    my ($est, $eout) = dfx_check_conf($input->{text}, name => $name);
    is($est, 1, "example $name: exit status 1");
    is($eout, $b->{text}, "example $name: the output shown is the daemon's");
    $examples++;
}
is($examples, 2, 'two complete error examples in doc/configuration.md');

done_testing();
