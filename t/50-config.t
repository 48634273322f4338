#!/usr/bin/perl
# Configuration: `dfexport -t` on good and bad files with the exact
# messages (file:line:col: key.path: rule, got "x"), a DeepFlow-style
# server.yaml that loads as is, and SIGHUP reloads: a good config changes
# behaviour, a bad one is refused and the old one keeps serving.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use Dfx qw(mock_start dfx_start dfx_conf dfx_check_conf);

my $L7 = 'flow_log.l7_flow_log';

# ---- -t on a good file ------------------------------------------------------

my $good = dfx_conf(exporters => [{ topic => 'cfg.before' }]);
(my $good_t = $good) =~ s/\{BOOTSTRAP\}/127.0.0.1:9092/g;
my ($st, $out) = dfx_check_conf($good_t);
is($st, 0, '-t good config: exit 0');
is($out, "dfexport: the configuration file dfexport.yaml syntax is ok\n"
         . "dfexport: configuration file dfexport.yaml test is successful\n",
   '-t good config: the two lines, nothing else');

# ---- -t on a file with many errors: every one reported, in place ------------

my $bad = <<'YAML';
dfexport:
  listen: 127.0.0.1:0
  workerz: 2
  limits: {body: 64MB, records: -1}
  ack: maybe
ingester:
  exporters:
  - protocol: kafka
    enabled: true
    endpoints: [127.0.0.1:9092]
    data-sources: [flow_log.l7_flow_log, flow_log.l8_flow_log]
    queue-count: 32
    flush-timout: 1
    export-fields: [$tag, $metrcs]
    tag-filters-groups:
    - tag-filters:
      - {field-name: server_port, operator: "==", field-values: [80]}
    topic: "bad topic"
  - protocol: kafak
    enabled: true
YAML
($st, $out) = dfx_check_conf($bad, name => 'bad.yaml');
is($st, 1, '-t bad config: exit 1');
my @want = (
    'bad.yaml:3:3: dfexport: unknown key "workerz"; did you mean "workers"?',
    'bad.yaml:4:18: dfexport.limits.body: must be a size (123, 64KiB, '
    . '64MiB, 1GiB), got "64MB"',
    'bad.yaml:4:33: dfexport.limits.records: must be between 1 and '
    . '100000000, got "-1"',
    'bad.yaml:5:8: dfexport.ack: must be one of "queued", "kafka", '
    . 'got "maybe"',
    'bad.yaml:12:18: ingester.exporters[0].queue-count: must be between 1 '
    . 'and 16, got "32"',
    'bad.yaml:13:5: ingester.exporters[0]: unknown key "flush-timout"; did '
    . 'you mean "flush-timeout"?',
    'bad.yaml:11:42: ingester.exporters[0].data-sources[1]: unknown data '
    . 'source "flow_log.l8_flow_log"; did you mean "flow_log.l7_flow_log"?',
    'bad.yaml:18:12: ingester.exporters[0].topic: must be a Kafka topic '
    . 'name (at most 249 of a-z A-Z 0-9 . _ -), got "bad topic"',
    'bad.yaml:17:45: ingester.exporters[0].tag-filters-groups[0]'
    . '.tag-filters[0].operator: must be one of "=", "!=", "in", "not in", '
    . '":", "!:", "~", "!~", got "=="',
    'bad.yaml:14:27: ingester.exporters[0].export-fields[1]: unknown '
    . 'category "$metrcs"; did you mean "$metrics"?',
    'bad.yaml:19:15: ingester.exporters[1].protocol: must be one of '
    . '"kafka", "prometheus", "opentelemetry", got "kafak"; did you mean '
    . '"kafka"?',
    'configuration file bad.yaml test failed',
);
is($out, join('', map { "dfexport: $_\n" } @want),
   '-t bad config: every error, with file:line:col and the key path');

# ---- -t on other kinds of mistakes ------------------------------------------

my $ops = <<'YAML';
ingester:
  exporters:
  - protocol: kafka
    enabled: true
    endpoints: [127.0.0.1:9092]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
    tag-filters-groups:
    - tag-filter-condition: {type: or}
      tag-filters:
      - field-name: server_port
        operator: !=
        field-values: [80]
      - field-name: server_port
        operator: ""
        field-values: [80]
      - field-name: no_such_field
        operator: "="
        field-values: [1]
YAML
($st, $out) = dfx_check_conf($ops, name => 'ops.yaml');
is($st, 1, '-t operators: exit 1');
my $tf = 'ingester.exporters[0].tag-filters-groups[0].tag-filters';
is($out, "dfexport: ops.yaml:12:19: $tf\[0].operator: unquoted \"!=\" is "
         . "read as a YAML tag; quote the value (\"!=\")\n"
         . "dfexport: ops.yaml:15:19: $tf\[1].operator: must be one of "
         . '"=", "!=", "in", "not in", ":", "!:", "~", "!~", got ""' . "\n"
         . "dfexport: ops.yaml:17:21: $tf\[2].field-name: no data source of "
         . "the exporter has a field \"no_such_field\"\n"
         . "dfexport: configuration file ops.yaml test failed\n",
   '-t operators: unquoted, empty and unknown-field filters are errors');

# patterns whose automaton would take gigabytes are refused before
# regcomp() sees them (a reload compiles them inside the running daemon)
my $re = <<'YAML';
ingester:
  exporters:
  - protocol: kafka
    enabled: true
    endpoints: [127.0.0.1:9092]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag, "~$k8s.label.a+++++++++++++++++++++"]
    tag-filters-groups:
    - tag-filters:
      - {field-name: request_domain, operator: "~",
         field-values: ["((a{100}){100}){100}"]}
YAML
($st, $out) = dfx_check_conf($re, name => 're.yaml');
is($st, 1, '-t runaway regular expressions: exit 1');
is($out, "dfexport: re.yaml:11:25: $tf\[0].field-values[0]: invalid "
         . "regular expression (too large once its repetitions are expanded "
         . "(more than 20000 atoms)), got \"((a{100}){100}){100}\"\n"
         . "dfexport: re.yaml:7:27: ingester.exporters[0].export-fields[1]: "
         . "invalid regular expression (a repetition operator applied to "
         . "another at byte 3), got \"~\$k8s.label.a+++++++++++++++++++++\"\n"
         . "dfexport: configuration file re.yaml test failed\n",
   '-t runaway regular expressions: refused with the reason');

# -t also reads what start-up reads: the enum and universal-tag
# dictionaries (relative to the config file's directory)
my $files = <<'YAML';
dfexport: {enum-dir: nowhere, dictionary: dict.json}
ingester:
  exporters:
  - protocol: kafka
    enabled: true
    endpoints: [127.0.0.1:9092]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag, $metrics]
YAML
($st, $out) = dfx_check_conf($files, name => 'files.yaml');
is($st, 1, '-t missing dictionaries: exit 1');
is($out, "dfexport: files.yaml: enum dictionaries: enum dictionary "
         . "l7_protocol: cannot open ./nowhere/l7_protocol: No such file or "
         . "directory\n"
         . "dfexport: files.yaml: dictionary: ./dict.json: No such file or "
         . "directory\n"
         . "dfexport: configuration file files.yaml test failed\n",
   '-t missing dictionaries: both named');

($st, $out) = dfx_check_conf("dfexport:\n  listen: [127.0.0.1:0\n"
                             . "ingester: {}\n", name => 'syntax.yaml');
is($st, 1, '-t YAML syntax error: exit 1');
is($out, "dfexport: syntax.yaml:3:9: did not find expected ',' or ']', "
         . "while parsing a flow sequence at 2:11\n"
         . "dfexport: configuration file syntax.yaml test failed\n",
   '-t YAML syntax error: where and what');

($st, $out) = dfx_check_conf('', args => ['-c', 'missing.yaml']);
is($st, 1, '-t missing file: exit 1');
is($out, "dfexport: missing.yaml: cannot read: No such file or directory\n"
         . "dfexport: configuration file missing.yaml test failed\n",
   '-t missing file: says so');

# ---- a DeepFlow-style server.yaml -------------------------------------------

my $server = <<'YAML';
# deepflow-server configuration (an operator's copy)
log-file: /var/log/deepflow/server.log
log-level: info
controller:
  listen-port: 20417
  logfile: /var/log/deepflow/controller.log
  mysql:
    database: deepflow
    host: mysql
    port: 30130
    user-name: root
    user-password: deepflow
  genesis:
    aging_time: 86400
querier:
  listen-port: 20416
  clickhouse:
    database: flow_tag
    host: clickhouse
    port: 9000
ingester:
  ingester-enabled: true
  ckwriter:
    queue-count: 1
    queue-size: 50000
    batch-size: 51200
    flush-timeout: 5
  flow-log-ttl-hour:
    l7-flow-log: 72
    l4-flow-log: 72
  exporters:
  - protocol: kafka
    enabled: true
    endpoints: [{ENDPOINTS}]
    data-sources:
    - flow_log.l7_flow_log
    - flow_log.l4_flow_log
    - flow_metrics.network_map.1m
    - event.perf_event
    - event.file_mgmt_event
    queue-count: 4
    queue-size: 100000
    batch-size: 1024
    flush-timeout: 10
    export-fields:
    - $tag
    - $metrics
    export-empty-tag: false
    export-empty-metrics-disabled: false
    enum-translate-to-name-disabled: false
    universal-tag-translate-to-name-disabled: false
    tag-filters-groups:
    sasl:
      enabled: false
      security-protocol: SASL_SSL
      sasl-mechanism: PLAIN
      username: aaa
      password: bbb
    topic:
  - protocol: prometheus
    enabled: true
    endpoints: [http://prometheus.example.com:9091/api/v1/write]
    data-sources: [flow_metrics.application.1m]
    queue-count: 4
    export-fields: [$tag, $metrics]
    extra-headers:
      X-Scope-OrgID: deepflow
  - protocol: opentelemetry
    enabled: false
    endpoints: [otel-collector:4317]
    data-sources: [flow_log.l7_flow_log]
    extra-headers: {authorization: "Bearer token"}
YAML
(my $server_t = $server)
    =~ s/\{ENDPOINTS\}/broker1.example.com:9092, broker2.example.com:9092/;
($st, $out) = dfx_check_conf($server_t, name => 'server.yaml');
is($st, 0, '-t DeepFlow server.yaml: exit 0');
my $x = 'ingester.exporters';
is($out, "dfexport: server.yaml:44:20: notice: $x\[0].flush-timeout: records "
         . "now wait up to 10 s for their batch (DeepFlow ignored this key "
         . "and sent every second)\n"
         . "dfexport: server.yaml:40:7: notice: $x\[0].data-sources[4]: "
         . 'nothing is exported for "event.file_mgmt_event" (DeepFlow '
         . "accepts the name but never exports it)\n"
         . "dfexport: server.yaml:60:15: notice: $x\[1]: protocol "
         . "\"prometheus\" is not exported by dfexport; exporter skipped\n"
         . "dfexport: server.yaml:68:15: notice: $x\[2]: protocol "
         . "\"opentelemetry\" is not exported by dfexport; exporter skipped\n"
         . "dfexport: the configuration file server.yaml syntax is ok\n"
         . "dfexport: configuration file server.yaml test is successful\n",
   '-t DeepFlow server.yaml: loads, with notices for what changes');

# ... and runs: the same file with a dfexport: block for the test's ports
{
    my $m = mock_start();
    (my $run = $server) =~ s/\{ENDPOINTS\}/{BOOTSTRAP}/;
    $run = "dfexport:\n  listen: 127.0.0.1:0\n  admin-listen: 127.0.0.1:0\n"
         . "  workers: 1\n$run";
    my $d = dfx_start(conf => $run, bootstrap => $m->bootstrap);
    my $r = $d->post($L7, qq({"_id":7,"time":1700000000}\n),
                     query => 'ack=kafka');
    is($r->{status}, 200, 'server.yaml: a record is exported (ack=kafka)')
        or diag($r->{content});
    is($m->count("deepflow.$L7"), 1, 'server.yaml: null topic means '
       . 'deepflow.<data-source>');
    is($d->post('flow_metrics.application.1m', '{"time":1}')->{status}, 404,
       'server.yaml: the prometheus exporter\'s data source is not taken');
    is($d->stop, 0, 'server.yaml: dfexport exits 0');
}

# ---- SIGHUP -----------------------------------------------------------------

my $mock = mock_start();
my $d = dfx_start(conf => $good, bootstrap => $mock->bootstrap);
my $rec = qq({"_id":1,"time":1700000000}\n);
is($d->post($L7, $rec, query => 'ack=kafka')->{status}, 200, 'first config');
is($mock->count('cfg.before'), 1, 'first config: topic cfg.before');

my $after = dfx_conf(exporters => [{ topic => 'cfg.after' }]);
is($d->reload($after, bootstrap => $mock->bootstrap), 'ok',
   'SIGHUP with a good config: reload done');
is($d->post($L7, $rec, query => 'ack=kafka')->{status}, 200,
   'after the reload: 200');
is($mock->count('cfg.after'), 1, 'after the reload: the new topic');
is($mock->count('cfg.before'), 1, 'after the reload: not the old one');
is($d->metric('config_reloads_total', reason => 'ok'), 1,
   'config_reloads_total{reason="ok"} 1');

my $broken = dfx_conf(exporters => [{ topic => 'cfg.broken',
                                      'queue-count' => 32 }]);
is($d->reload($broken, bootstrap => $mock->bootstrap), 'failed',
   'SIGHUP with a bad config: reload failed');
my $log = $d->log;
my $qc = 'ingester.exporters[0].queue-count: must be between 1 and 16, '
         . 'got "32"';
like($log, qr/ error: (?:dfexport: )?\Q${\ $d->conf_file}\E:13:18: \Q$qc\E\n/,
     'the log has the config error, in place');
like($log, qr/ error: reload failed: the previous configuration keeps /,
     'the log says the old config keeps serving');
is($d->post($L7, $rec, query => 'ack=kafka')->{status}, 200,
   'after the failed reload: 200');
is($mock->count('cfg.after'), 2, 'after the failed reload: the old topic');
is($mock->count('cfg.broken'), 0, 'the bad config never served');
is($d->metric('config_reloads_total', reason => 'error'), 1,
   'config_reloads_total{reason="error"} 1');

# what is set up once (listeners, workers) is reported, not applied
my $workers = dfx_conf(main => { workers => 1 },
                       exporters => [{ topic => 'cfg.after' }]);
is($d->reload($workers, bootstrap => $mock->bootstrap), 'ok',
   'SIGHUP changing workers: reload done');
my $restart = 'reload: dfexport.workers changed; it takes effect at the '
              . 'next restart';
like($d->log, qr/ warn: \Q$restart\E\n/,
     'the log says workers take effect at the next restart');

# unreadable YAML is refused the same way
is($d->reload("ingester: [\n", bootstrap => $mock->bootstrap), 'failed',
   'SIGHUP with broken YAML: reload failed');
is($d->post($L7, $rec)->{status}, 202, 'still serving');
is($mock->wait_count('cfg.after', 3), 3, 'still the old topic');

is($d->stop, 0, 'dfexport exits 0');

# a filter that can never match passes -t, with a warning that names the
# code the enum dictionary knows
{
    (my $c = dfx_conf(exporters => [{
        'tag-filters-groups' => [
            { 'tag-filters' => [
                  { 'field-name' => 'l7_protocol', operator => '=',
                    'field-values' => ['HTTP'] },
                  { 'field-name' => 'response_code', operator => '!=',
                    'field-values' => ['abc'] } ] } ] }]))
        =~ s/\{BOOTSTRAP\}/127.0.0.1:9/g;
    my ($st, $out) = dfx_check_conf($c);
    is($st, 0, 'a filter that never matches: -t still succeeds');
    like($out, qr/warn: dfexport\.yaml:\d+: exporter 0, flow_log\.l7_flow_log: tag filter on "l7_protocol": "HTTP" can never be a value of this field, so "=" never matches it; the enum dictionary l7_protocol names code 20 "HTTP": write 20/,
         '...with a warning naming the code');
    like($out, qr/tag filter on "response_code": "abc" can never be a value of this field, so "!=" always holds for it\n/,
         '...and for a value no dictionary knows');
}
done_testing();
