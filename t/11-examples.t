#!/usr/bin/perl
# The reconstructed DeepFlow messages (t/fixtures/examples/: the input
# record with ids, and the message dfexport must write) reproduced byte
# for byte through the real pipeline: universal-tag dictionary
# t/fixtures/dictionary.json, both translations on, TZ=UTC.
#
# Where DESIGN decides differently from DeepFlow, the fixture holds
# dfexport's documented output, not DeepFlow's:
# - network_1m_podservice_xflow: service_id is looked up as a K8s Service
#   (device type 11), so "service":"mysql-svc" appears (DeepFlow used type
#   102 and lost it); network data sources translate signal_source with
#   the L4 dictionary, so xFlow (1) is "xFlow" (DeepFlow dropped it).
# - file_event_*: events translate their own gprocess_id, so
#   "gprocess":"java" appears (DeepFlow looked up id 0 and dropped it).
# - l7_http_packet_404_NO_DICTIONARY: with no dictionary loaded the
#   universal tags are exported as raw ids under their original keys,
#   auto_*_type through their enum dictionaries (DeepFlow dropped every
#   universal-tag field).
# - network_1m_pod_EXPORT_FIELDS_ABSENT: export-fields is required by
#   dfexport (a config error, checked below); [$metrics], DeepFlow's
#   effective default, gives the example's message.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(top mock_start dfx_start dfx_conf dfx_check_conf consume slurp);

my $top = top();
my $fx = "$top/t/fixtures/examples";
my $dict = "$top/t/fixtures/dictionary.json";

sub input { my $s = slurp("$fx/$_[0].input.json"); chomp($s); $s }
sub expected { my $s = slurp("$fx/$_[0].expected.json"); chomp($s); $s }

my %on = ('enum-translate-to-name-disabled' => 'false',
          'universal-tag-translate-to-name-disabled' => 'false');

# One exporter per configuration an example needs, each with its topic.
my @exporters = (
    { %on, 'data-sources' => [qw(flow_log.l7_flow_log flow_log.l4_flow_log
                                 flow_metrics.network.1m
                                 flow_metrics.application.1m
                                 event.file_event)] },
    { %on, 'data-sources' => ['flow_metrics.network_map.1m'],
      'export-fields' => [\'$tag', \'$metrics', \'$k8s.label.app'] },
    { %on, 'data-sources' => ['event.file_event'], topic => 'ex.event_info',
      'export-fields' => [\'$tag', \'$tag.event_info', \'$metrics'] },
    { 'data-sources' => ['flow_metrics.network.1m'],
      topic => 'ex.translation_off' },
    { 'data-sources' => ['flow_metrics.network.1m'], topic => 'ex.utag_off',
      'enum-translate-to-name-disabled' => 'false' },
    { %on, 'data-sources' => ['flow_metrics.network.1m'],
      topic => 'ex.metrics_only', 'export-fields' => [\'$metrics'] },
);

# example => [data source, input, topic]
my %ex = (
    l7_mysql_ebpf => ['flow_log.l7_flow_log'],
    l7_http_packet_404 => ['flow_log.l7_flow_log'],
    l7_otel_span_internet => ['flow_log.l7_flow_log'],
    l4_tcp_mysql => ['flow_log.l4_flow_log'],
    l4_udp_dns_internet => ['flow_log.l4_flow_log'],
    network_1m_pod => ['flow_metrics.network.1m'],
    network_1m_podservice_xflow => ['flow_metrics.network.1m'],
    application_1m_mysql_server => ['flow_metrics.application.1m'],
    application_1m_http_otel => ['flow_metrics.application.1m'],
    network_map_1m_pod_to_pod => ['flow_metrics.network_map.1m'],
    file_event_default_fields => ['event.file_event'],
    file_event_with_event_info => ['event.file_event',
                                   'file_event_default_fields',
                                   'ex.event_info'],
    network_1m_pod_TRANSLATION_OFF => ['flow_metrics.network.1m',
                                       'network_1m_pod', 'ex.translation_off'],
    network_1m_pod_UTAG_OFF_ENUM_ON => ['flow_metrics.network.1m',
                                        'network_1m_pod', 'ex.utag_off'],
    network_1m_pod_EXPORT_FIELDS_ABSENT => ['flow_metrics.network.1m',
                                            'network_1m_pod',
                                            'ex.metrics_only'],
);

my $mock = mock_start();
my $d = dfx_start(bootstrap => $mock->bootstrap, exporters => \@exporters,
                  main => { dictionary => $dict }, env => { TZ => 'UTC' });
like($d->log, qr/notice: dictionary \S+ loaded: version 1,/,
     'the dictionary is loaded');
is($d->metric('dictionary_loaded'), 1, 'dictionary_loaded is 1');

# post each input once (the variants read the messages their base input
# produced on their own exporter's topic)
my %posted;
for my $name (sort keys %ex) {
    my ($ds, $base) = @{ $ex{$name} };
    $base //= $name;
    next if $posted{$base}++;
    is(input($name), input($base), "$name: same input as $base")
        if $base ne $name;
    my $r = $d->post($ds, input($base) . "\n");
    is($r->{status}, 202, "$base: 202");
    is($r->{json}{accepted}, 1, "$base: accepted") or diag($r->{content});
}

# what each topic must hold: a message per input of its data source
my (%want, %inputs);
for my $name (sort keys %ex) {
    my ($ds, $base, $topic) = @{ $ex{$name} };
    $topic //= "deepflow.$ds";
    push @{ $want{$topic} }, $name;
    $inputs{$topic} = scalar(grep { !defined $ex{$_}[1]
                                    && $ex{$_}[0] eq $ds } keys %ex);
}
for my $topic (sort keys %want) {
    my @names = @{ $want{$topic} };
    my $n = $inputs{$topic};
    my @got = consume($mock->bootstrap, $topic, $n, 20);
    is(scalar(@got), $n, "$topic: $n messages");
    is($mock->count($topic), $n, "$topic: no extra message");
    my %by = map { $_->{payload} => 1 } @got;
    for my $name (@names) {
        my $e = expected($name);
        ok($by{$e}, "$name: reproduced byte for byte") or do {
            # the closest message, for the diagnostics
            my ($id) = $e =~ /"_id":(\d+)/;
            my ($t) = $e =~ /"time":(\d+)/;
            my @c = grep { defined $id ? /"_id":$id,/ : /"time":$t,/ }
                    map { $_->{payload} } @got;
            diag("want: $e\ngot:  " . join("\n      ", @c));
        };
    }
}
is($d->stop, 0, 'dfexport exits 0');

# No dictionary: raw ids and a warning that says so.
{
    my $m2 = mock_start();
    my $d2 = dfx_start(bootstrap => $m2->bootstrap, exporters => [{ %on }],
                       env => { TZ => 'UTC' });
    like($d2->log, qr/warn: no universal-tag dictionary/,
         'no dictionary: a warning says so');
    is($d2->metric('dictionary_loaded'), 0, 'no dictionary: gauge is 0');
    my $name = 'l7_http_packet_404_NO_DICTIONARY';
    my $r = $d2->post('flow_log.l7_flow_log', input($name) . "\n");
    is($r->{status}, 202, "$name: 202");
    my @got = consume($m2->bootstrap, 'deepflow.flow_log.l7_flow_log', 1);
    is($got[0]{payload}, expected($name), "$name: reproduced byte for byte");
    is($d2->stop, 0, 'no dictionary: dfexport exits 0');
}

# export-fields absent: a config error in dfexport (not DeepFlow's silent
# default), and the message names the recommended setting.
{
    my $conf = dfx_conf(exporters => [{ 'export-fields' => undef }]);
    $conf =~ s/\{BOOTSTRAP\}/127.0.0.1:9092/;
    my ($st, $out) = dfx_check_conf($conf);
    is($st, 1, 'export-fields absent: -t fails');
    is($out, 'dfexport: dfexport.yaml:9:5: ingester.exporters[0]'
             . '.export-fields: required (recommended: [$tag, $metrics])'
             . "\ndfexport: configuration file dfexport.yaml test failed\n",
       'export-fields absent: the error says it is required');
}

done_testing();
