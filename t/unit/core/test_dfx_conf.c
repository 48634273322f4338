/*
 * test_dfx_conf.c: the configuration loader and every key table.
 *
 * The loader is linked with test-local stand-ins for what other parts
 * provide: a few small schemas (dfx_schema_find / dfx_schema_field), the
 * module table (the real key tables and conf_check hooks, test
 * descriptors) and dfx_kafka_conf_check (accepts everything except one
 * marker key, and counts its calls).  Messages are compared as exact text.
 * malloc, calloc, realloc and strdup are wrapped (-Wl,--wrap) so that a
 * chosen allocation fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfx_conf.h"
#include "dfx_kafka.h"
#include "dfx_log.h"
#include "dfx_module.h"
#include "dfx_schema.h"
#include "empty_rules/dfx_empty_rules_conf.h"
#include "enum_translate/dfx_enum_translate_conf.h"
#include "export_fields/dfx_export_fields_conf.h"
#include "tag_filter/dfx_tag_filter_conf.h"
#include "universal_tag/dfx_universal_tag_conf.h"

#ifndef DFX_TEST_SRCDIR
#error "DFX_TEST_SRCDIR must name the source tree"
#endif

/* ---- allocation-failure injection ---------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long  t_alloc_fail = -1;     /* index of the allocation to fail */
static long  t_alloc_count;

static int
t_alloc_fails(void)
{
    return t_alloc_fail >= 0 && t_alloc_count++ == t_alloc_fail;
}

void *
__wrap_malloc(size_t n)
{
    return t_alloc_fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
    return t_alloc_fails() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
    return t_alloc_fails() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
    return t_alloc_fails() ? NULL : __real_strdup(s);
}

/* ---- test-local schemas -------------------------------------------- */

static const dfx_field_t  t_l7_fields[] = {
    { .name = "_id" },
    { .name = "l7_protocol" },
    { .name = "request_domain" },
    { .name = "end_point", .alias = { "endpoint", NULL } },
    { .name = "trace_id" },
    { .name = "trace_id_2", .alias = { "_trace_id_2", NULL } },
    { .name = "app_service" },
    { .name = "response_duration" },
    { .name = "flow_id" },
    { .name = "ip4_0" },
    { .name = "region_id_0" },
    { .name = "region_id_1" },
    { .name = "az_id_0" },
    { .name = "az_id_1" },
    { .name = "time" },
};

static const dfx_field_t  t_l4_fields[] = {
    { .name = "flow_id" },
    { .name = "region_id_0" },
    { .name = "ip4_0" },
    { .name = "byte_tx" },
    { .name = "time" },
};

static const dfx_field_t  t_network_fields[] = {
    { .name = "time" },
    { .name = "region_id" },
    { .name = "ip4" },
    { .name = "byte_tx" },
    { .name = "thread_id", .alias = { "_tid", NULL } },
};

static const dfx_field_t  t_network_map_fields[] = {
    { .name = "time" },
    { .name = "region_id_0", .alias = { "region_id", NULL } },
    { .name = "region_id_1" },
    { .name = "ip4_0", .alias = { "ip4", NULL } },
    { .name = "byte_tx" },
};

static const dfx_field_t  t_application_fields[] = {
    { .name = "time" },
    { .name = "region_id" },
    { .name = "request" },
    { .name = "app_service" },
};

static const dfx_field_t  t_application_map_fields[] = {
    { .name = "time" },
    { .name = "region_id_0", .alias = { "region_id", NULL } },
    { .name = "region_id_1" },
    { .name = "request" },
};

static const dfx_field_t  t_event_fields[] = {
    { .name = "end_time" },
    { .name = "event_type" },
    { .name = "file_name" },
    { .name = "host_node_id", .alias = { "pod_node_id", NULL } },
    { .name = "region_id" },
};

#define T_SCHEMA(var, nm, f)                                                \
    static const dfx_schema_t  var = {                                      \
        .name = nm, .fields = f,                                            \
        .nfields = (uint16_t) (sizeof(f) / sizeof(f[0])) }

T_SCHEMA(t_l7, "flow_log.l7_flow_log", t_l7_fields);
T_SCHEMA(t_l4, "flow_log.l4_flow_log", t_l4_fields);
T_SCHEMA(t_net_1s, "flow_metrics.network.1s", t_network_fields);
T_SCHEMA(t_net_1m, "flow_metrics.network.1m", t_network_fields);
T_SCHEMA(t_netmap_1s, "flow_metrics.network_map.1s", t_network_map_fields);
T_SCHEMA(t_netmap_1m, "flow_metrics.network_map.1m", t_network_map_fields);
T_SCHEMA(t_app_1s, "flow_metrics.application.1s", t_application_fields);
T_SCHEMA(t_app_1m, "flow_metrics.application.1m", t_application_fields);
T_SCHEMA(t_appmap_1s, "flow_metrics.application_map.1s",
         t_application_map_fields);
T_SCHEMA(t_appmap_1m, "flow_metrics.application_map.1m",
         t_application_map_fields);
T_SCHEMA(t_file_event, "event.file_event", t_event_fields);
T_SCHEMA(t_perf_event, "event.perf_event", t_event_fields);

const dfx_schema_t *const  dfx_schemas[DFX_DS_COUNT] = {
    [DFX_DS_L7_FLOW_LOG] = &t_l7,
    [DFX_DS_L4_FLOW_LOG] = &t_l4,
    [DFX_DS_NETWORK_1S] = &t_net_1s,
    [DFX_DS_NETWORK_1M] = &t_net_1m,
    [DFX_DS_NETWORK_MAP_1S] = &t_netmap_1s,
    [DFX_DS_NETWORK_MAP_1M] = &t_netmap_1m,
    [DFX_DS_APPLICATION_1S] = &t_app_1s,
    [DFX_DS_APPLICATION_1M] = &t_app_1m,
    [DFX_DS_APPLICATION_MAP_1S] = &t_appmap_1s,
    [DFX_DS_APPLICATION_MAP_1M] = &t_appmap_1m,
    [DFX_DS_FILE_EVENT] = &t_file_event,
    [DFX_DS_PERF_EVENT] = &t_perf_event,
};

const dfx_schema_t *
dfx_schema_find(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < DFX_DS_COUNT; i++) {
        if (strlen(dfx_schemas[i]->name) == len
            && memcmp(dfx_schemas[i]->name, name, len) == 0)
        {
            return dfx_schemas[i];
        }
    }
    return NULL;
}

int
dfx_schema_is_silent(const char *name, size_t len)
{
    static const char *const  silent[] = {
        "event.file_agg_event", "event.file_mgmt_event",
        "event.proc_perm_event", "event.proc_ops_event",
    };
    size_t                    i;

    for (i = 0; i < sizeof(silent) / sizeof(silent[0]); i++) {
        if (strlen(silent[i]) == len && memcmp(silent[i], name, len) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
t_eq(const char *a, const char *name, size_t len)
{
    return a != NULL && strlen(a) == len && memcmp(a, name, len) == 0;
}

int
dfx_schema_field(const dfx_schema_t *s, const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < s->nfields; i++) {
        if (t_eq(s->fields[i].name, name, len)
            || t_eq(s->fields[i].alias[0], name, len)
            || t_eq(s->fields[i].alias[1], name, len))
        {
            return (int) i;
        }
    }
    return -1;
}

/* ---- test-local Kafka check and module table ----------------------- */

static int  t_kafka_calls;

int
dfx_kafka_conf_check(dfx_conf_ctx_t *cf, const dfx_conf_exporter_t *ec)
{
    size_t  i;

    t_kafka_calls++;
    for (i = 0; i < ec->librdkafka.n; i++) {
        if (strcmp(ec->librdkafka.keys[i].v, "test.reject") == 0) {
            dfx_conf_error(cf, &ec->librdkafka.keys[i].m.loc,
                           "%s.librdkafka.test.reject: refused",
                           dfx_conf_path(cf));
            return -1;
        }
    }
    return 0;
}

static const dfx_module_t  t_tag_filter = {
    .name = "tag_filter",
    .keys = dfx_tag_filter_keys,
    .conf_size = sizeof(dfx_tag_filter_conf_t),
    .conf_check = dfx_tag_filter_conf_check,
};

static const dfx_module_t  t_export_fields = {
    .name = "export_fields",
    .keys = dfx_export_fields_keys,
    .conf_size = sizeof(dfx_export_fields_conf_t),
    .conf_check = dfx_export_fields_conf_check,
};

static const dfx_module_t  t_empty_rules = {
    .name = "empty_rules",
    .keys = dfx_empty_rules_keys,
    .conf_size = sizeof(dfx_empty_rules_conf_t),
};

static const dfx_module_t  t_enum_translate = {
    .name = "enum_translate",
    .keys = dfx_enum_translate_keys,
    .conf_size = sizeof(dfx_enum_translate_conf_t),
};

static const dfx_module_t  t_universal_tag = {
    .name = "universal_tag",
    .keys = dfx_universal_tag_keys,
    .conf_size = sizeof(dfx_universal_tag_conf_t),
};

static const dfx_module_t  t_encode = {
    .name = "encode",
};

enum { T_TF = 0, T_EF, T_ER, T_ET, T_UT, T_ENC };

const dfx_module_t *const  dfx_modules[] = {
    &t_tag_filter, &t_export_fields, &t_empty_rules, &t_enum_translate,
    &t_universal_tag, &t_encode, NULL
};

/* ---- collecting messages ------------------------------------------- */

#define T_LINES_MAX  128

static char  *t_lines[T_LINES_MAX];
static int    t_line_err[T_LINES_MAX];
static int    t_nlines, t_nerrors, t_nnotices;

static void
t_reset(void)
{
    int  i;

    for (i = 0; i < t_nlines; i++) {
        free(t_lines[i]);
    }
    t_nlines = t_nerrors = t_nnotices = 0;
    t_kafka_calls = 0;
}

static void
t_out(int is_error, const char *line)
{
    size_t  len = strlen(line);

    assert_true(len > 0);
    assert_true(line[len - 1] != '\n');
    assert_null(strchr(line, '\n'));
    if (is_error) {
        t_nerrors++;
    } else {
        t_nnotices++;
    }
    if (t_nlines < T_LINES_MAX) {
        t_lines[t_nlines] = __real_strdup(line);
        assert_non_null(t_lines[t_nlines]);
        t_line_err[t_nlines++] = is_error;
    }
}

static void
t_dump(void)
{
    int  i;

    for (i = 0; i < t_nlines; i++) {
        print_message("  [%s] %s\n", t_line_err[i] ? "error" : "notice",
                      t_lines[i]);
    }
}

/* The line "dfexport: " + expect was reported (as an error or a notice). */
static void
t_has_(int is_error, const char *expect, const char *file, int line)
{
    char  full[2048];
    int   i;

    snprintf(full, sizeof(full), "dfexport: %s", expect);
    for (i = 0; i < t_nlines; i++) {
        if (t_line_err[i] == is_error && strcmp(t_lines[i], full) == 0) {
            return;
        }
    }
    print_message("%s:%d: missing %s:\n  %s\ngot:\n", file, line,
                  is_error ? "error" : "notice", full);
    t_dump();
    fail();
}

#define t_has_error(e)   t_has_(1, (e), __FILE__, __LINE__)
#define t_has_notice(e)  t_has_(0, (e), __FILE__, __LINE__)

static void
t_counts_(int errors, int notices, const char *file, int line)
{
    if (t_nerrors != errors || t_nnotices != notices) {
        print_message("%s:%d: expected %d errors and %d notices, got:\n",
                      file, line, errors, notices);
        t_dump();
        fail();
    }
}

#define t_counts(e, n)  t_counts_((e), (n), __FILE__, __LINE__)

static dfx_conf_t *
t_load_flags(const char *yaml, unsigned flags)
{
    t_reset();
    return dfx_conf_load_mem("t.yaml", yaml, strlen(yaml), flags, t_out);
}

static dfx_conf_t *
t_load(const char *yaml)
{
    return t_load_flags(yaml, 0);
}

/* The load fails with exactly this one error (and no notice). */
static void
t_one_error_(const char *yaml, const char *expect, const char *file,
             int line)
{
    dfx_conf_t  *conf = t_load(yaml);

    if (conf != NULL || t_nerrors != 1 || t_nnotices != 0) {
        print_message("%s:%d: expected exactly one error, got:\n", file,
                      line);
        t_dump();
        dfx_conf_free(conf);
        fail();
    }
    t_has_(1, expect, file, line);
}

#define t_one_error(y, e)  t_one_error_((y), (e), __FILE__, __LINE__)

/* The load succeeds with no error and no notice. */
static dfx_conf_t *
t_clean_(const char *yaml, const char *file, int line)
{
    dfx_conf_t  *conf = t_load(yaml);

    if (conf == NULL || t_nerrors != 0 || t_nnotices != 0) {
        print_message("%s:%d: expected a clean load, got:\n", file, line);
        t_dump();
        fail();
    }
    return conf;
}

#define t_clean(y)  t_clean_((y), __FILE__, __LINE__)

static void *
t_mconf(const dfx_conf_t *conf, size_t exporter, int module)
{
    assert_true(exporter < conf->nexporters);
    assert_non_null(conf->exporters[exporter].mconf[module]);
    return conf->exporters[exporter].mconf[module];
}

/* An enabled kafka exporter with everything it requires: lines 1-7; a
 * test appends keys from line 8 on, at column 5. */
#define T_EXP                                                               \
    "ingester:\n"                                                           \
    "  exporters:\n"                                                        \
    "  - protocol: kafka\n"                                                 \
    "    enabled: true\n"                                                   \
    "    endpoints: [127.0.0.1:9092]\n"                                     \
    "    data-sources: [flow_log.l7_flow_log]\n"                            \
    "    export-fields: [$tag, $metrics]\n"

/* Lines 1-5; data-sources and export-fields from line 6 on. */
#define T_EXP_HEAD                                                          \
    "ingester:\n"                                                           \
    "  exporters:\n"                                                        \
    "  - protocol: kafka\n"                                                 \
    "    enabled: true\n"                                                   \
    "    endpoints: [127.0.0.1:9092]\n"

static char *
t_read_file(const char *path)
{
    FILE    *f = fopen(path, "rb");
    char    *data;
    long     len;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    data = __real_malloc((size_t) len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t) len, f), (size_t) len);
    data[len] = '\0';
    fclose(f);
    return data;
}

/* ---- the dfexport: block ------------------------------------------- */

static void
test_main_defaults(void **state)
{
    dfx_conf_t        *conf;
    dfx_conf_main_t   *m;

    (void) state;
    conf = t_load("");
    assert_non_null(conf);
    t_counts(0, 1);
    t_has_notice("t.yaml: notice: no enabled kafka exporter in "
                 "ingester.exporters: nothing will be exported");
    m = &conf->main;
    assert_string_equal(conf->file, "t.yaml");
    assert_int_equal(m->listen.n, 1);
    assert_string_equal(m->listen.v[0].v, "127.0.0.1:8480");
    assert_int_equal(m->listen.m.set, 0);
    assert_int_equal(m->admin_listen.n, 1);
    assert_string_equal(m->admin_listen.v[0].v, "127.0.0.1:8481");
    assert_int_equal(m->workers.v, 0);
    assert_int_equal(m->ack.v, DFX_ACK_QUEUED);
    assert_int_equal(m->shutdown_timeout.v, 10);
    assert_int_equal(m->client_timeout.v, 60);
    assert_int_equal(m->limits.body.v, 64u << 20);
    assert_int_equal(m->limits.decoded_body.v, 256u << 20);
    assert_int_equal(m->limits.line.v, 1u << 20);
    assert_int_equal(m->limits.records.v, 100000);
    assert_int_equal(m->limits.depth.v, 32);
    assert_int_equal(m->limits.errors.v, 100);
    assert_int_equal(m->limits.memory.v, 256u << 20);
    assert_string_equal(m->dictionary.v, "");
    /* relative to the config file's directory, "enum" by default */
    assert_string_equal(m->enum_dir.v, "./enum");
    assert_int_equal(m->embedded_kafka.v, 0);
    assert_int_equal(m->log.level.v, DFX_LOG_INFO);
    assert_string_equal(m->log.file.v, "");
    assert_int_equal(m->log.level.m.set, 0);
    assert_int_equal(conf->nexporters, 0);
    dfx_conf_free(conf);

    /* a null block is an absent block */
    conf = t_load("dfexport:\n");
    assert_non_null(conf);
    t_counts(0, 1);
    assert_int_equal(conf->main.workers.v, 0);
    assert_int_equal(conf->main.workers.m.loc.line, 1);
    dfx_conf_free(conf);
}

static void
test_main_values(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    conf = t_load("dfexport:\n"
                  "  listen: [127.0.0.1:0, '[::1]:9000', localhost:9001]\n"
                  "  admin-listen: 127.0.0.1:0\n"
                  "  workers: 3\n"
                  "  ack: kafka\n"
                  "  shutdown-timeout: 0\n"
                  "  client-timeout: 5\n"
                  "  limits: {body: 1m, decoded-body: 2MiB, line: 64k,"
                  " records: 7, depth: 4, errors: 0}\n"
                  "  dictionary: /etc/dict.json\n"
                  "  enum-dir: enum\n"
                  "  embedded-kafka: 3\n"
                  "  log: {level: debug, file: /tmp/x.log}\n");
    assert_non_null(conf);
    t_counts(0, 1);
    assert_int_equal(conf->main.listen.n, 3);
    assert_string_equal(conf->main.listen.v[1].v, "[::1]:9000");
    assert_int_equal(conf->main.listen.v[1].m.loc.line, 2);
    assert_int_equal(conf->main.listen.v[1].m.loc.col, 25);
    assert_int_equal(conf->main.listen.m.set, 1);
    assert_string_equal(conf->main.admin_listen.v[0].v, "127.0.0.1:0");
    assert_int_equal(conf->main.workers.v, 3);
    assert_int_equal(conf->main.workers.m.set, 1);
    assert_int_equal(conf->main.workers.m.loc.line, 4);
    assert_int_equal(conf->main.workers.m.loc.col, 12);
    assert_int_equal(conf->main.ack.v, DFX_ACK_KAFKA);
    assert_int_equal(conf->main.shutdown_timeout.v, 0);
    assert_int_equal(conf->main.client_timeout.v, 5);
    assert_int_equal(conf->main.limits.body.v, 1u << 20);
    assert_int_equal(conf->main.limits.decoded_body.v, 2u << 20);
    assert_int_equal(conf->main.limits.line.v, 64u << 10);
    assert_int_equal(conf->main.limits.records.v, 7);
    assert_int_equal(conf->main.limits.depth.v, 4);
    assert_int_equal(conf->main.limits.errors.v, 0);
    assert_string_equal(conf->main.dictionary.v, "/etc/dict.json");
    assert_string_equal(conf->main.enum_dir.v, "./enum");
    assert_int_equal(conf->main.embedded_kafka.v, 3);
    assert_int_equal(conf->main.log.level.v, DFX_LOG_DEBUG);
    assert_string_equal(conf->main.log.file.v, "/tmp/x.log");
    dfx_conf_free(conf);
}

/* The level choices are the log's own names, in its order. */
static void
test_main_log_levels(void **state)
{
    char         yaml[128];
    dfx_conf_t  *conf;
    int          l;

    (void) state;
    for (l = DFX_LOG_DEBUG; l <= DFX_LOG_ALERT; l++) {
        snprintf(yaml, sizeof(yaml), "dfexport: {log: {level: %s}}\n",
                 dfx_log_level_name((dfx_log_level_t) l));
        conf = t_load(yaml);
        assert_non_null(conf);
        assert_int_equal(conf->main.log.level.v, l);
        dfx_conf_free(conf);
    }
    t_one_error("dfexport: {log: {level: warning}}\n",
                "t.yaml:1:25: dfexport.log.level: must be one of \"debug\", "
                "\"info\", \"notice\", \"warn\", \"error\", \"crit\", "
                "\"alert\", got \"warning\"; did you mean \"warn\"?");
}

static void
test_sizes(void **state)
{
    static const struct {
        const char  *text;
        uint64_t     v;
    } ok[] = {
        { "1024", 1024 }, { "64k", 64 << 10 }, { "64K", 64 << 10 },
        { "64KiB", 64 << 10 }, { "3m", 3 << 20 }, { "3M", 3 << 20 },
        { "3MiB", 3 << 20 }, { "1g", 1ull << 30 }, { "1G", 1ull << 30 },
        { "1GiB", 1ull << 30 }, { "4GiB", 4ull << 30 },
    };
    static const char *const  bad[] = {
        "64kb", "64KB", "64 KiB", "KiB", "-1", "64kiB", "64KIB", "1.5m",
        "0x10", "64Ki", "64t", "",
    };
    char                      yaml[128], expect[256];
    dfx_conf_t               *conf;
    size_t                    i;

    (void) state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(yaml, sizeof(yaml), "dfexport: {limits: {decoded-body: "
                 "16GiB, line: 64, body: '%s'}}\n", ok[i].text);
        conf = t_load(yaml);
        assert_non_null(conf);
        assert_int_equal(conf->main.limits.body.v, ok[i].v);
        dfx_conf_free(conf);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(yaml, sizeof(yaml), "dfexport: {limits: {decoded-body: "
                 "16GiB, line: 64, body: '%s'}}\n", bad[i]);
        snprintf(expect, sizeof(expect), "t.yaml:1:58: dfexport.limits.body: "
                 "must be a size (123, 64KiB, 64MiB, 1GiB), got \"%s\"",
                 bad[i]);
        t_one_error(yaml, expect);
    }
    t_one_error("dfexport: {limits: {body: 8GiB}}\n",
                "t.yaml:1:27: dfexport.limits.body: must be between 1KiB and "
                "4GiB, got \"8GiB\"");
    t_one_error("dfexport: {limits: {body: 99999999999999999999999}}\n",
                "t.yaml:1:27: dfexport.limits.body: must be between 1KiB and "
                "4GiB, got \"99999999999999999999999\"");
    t_one_error("dfexport: {limits: {line: 17179869184G}}\n",
                "t.yaml:1:27: dfexport.limits.line: must be between 64 and "
                "1GiB, got \"17179869184G\"");
}

static void
test_main_errors(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    t_one_error("dfexport: 3\n",
                "t.yaml:1:11: dfexport: must be a mapping, got \"3\"");
    t_one_error("dfexport:\n  workers: -1\n",
                "t.yaml:2:12: dfexport.workers: must be between 0 and 1024, "
                "got \"-1\"");
    t_one_error("dfexport:\n  workers: many\n",
                "t.yaml:2:12: dfexport.workers: must be an integer, got "
                "\"many\"");
    t_one_error("dfexport:\n  workers: 99999999999999999999\n",
                "t.yaml:2:12: dfexport.workers: must be between 0 and 1024, "
                "got \"99999999999999999999\"");
    t_one_error("dfexport:\n  ack: sync\n",
                "t.yaml:2:8: dfexport.ack: must be one of \"queued\", "
                "\"kafka\", got \"sync\"");
    t_one_error("dfexport:\n  limits: 64MiB\n",
                "t.yaml:2:11: dfexport.limits: must be a mapping, got "
                "\"64MiB\"");
    t_one_error("dfexport:\n  limits:\n    boddy: 1m\n",
                "t.yaml:3:5: dfexport.limits: unknown key \"boddy\"; did "
                "you mean \"body\"?");
    t_one_error("dfexport:\n  listen: {a: 1}\n",
                "t.yaml:2:11: dfexport.listen: must be a string or a list of "
                "strings, got a mapping");
    t_one_error("dfexport:\n  listen: 8480\n",
                "t.yaml:2:11: dfexport.listen: must be HOST:PORT (IPv6 as "
                "[::1]:PORT), got \"8480\"");
    t_one_error("dfexport:\n  listen: [127.0.0.1:1, '::1:2']\n",
                "t.yaml:2:25: dfexport.listen[1]: must be HOST:PORT (IPv6 as "
                "[::1]:PORT), got \"::1:2\"");
    t_one_error("dfexport:\n  listen: [127.0.0.1:65536]\n",
                "t.yaml:2:12: dfexport.listen[0]: must be HOST:PORT (IPv6 as "
                "[::1]:PORT), got \"127.0.0.1:65536\"");
    t_one_error("dfexport:\n  listen: ['[::zz]:80']\n",
                "t.yaml:2:12: dfexport.listen[0]: must be HOST:PORT (IPv6 as "
                "[::1]:PORT), got \"[::zz]:80\"");
    t_one_error("dfexport:\n  listen: []\n",
                "t.yaml:2:11: dfexport.listen: must not be empty");
    t_one_error("dfexport:\n  listen: [127.0.0.1:80, 127.0.0.1:80]\n",
                "t.yaml:2:26: dfexport.listen[1]: \"127.0.0.1:80\" is listed "
                "twice");
    t_one_error("dfexport:\n  listen: 127.0.0.1:80\n"
                "  admin-listen: 127.0.0.1:80\n",
                "t.yaml:3:17: dfexport.admin-listen: \"127.0.0.1:80\" is also "
                "in dfexport.listen");
    t_one_error("dfexport:\n  limits: {body: 2MiB, decoded-body: 1MiB}\n",
                "t.yaml:2:38: dfexport.limits.decoded-body: must not be "
                "smaller than limits.body (2MiB), got \"1MiB\"");
    t_one_error("dfexport:\n  limits: {line: 512MiB}\n",
                "t.yaml:2:18: dfexport.limits.line: must not be larger than "
                "limits.decoded-body (256MiB), got \"512MiB\"");
    t_one_error("dfexport:\n  limits: {depth: 1}\n",
                "t.yaml:2:19: dfexport.limits.depth: must be between 2 and "
                "1024, got \"1\"");
    t_one_error("dfexport:\n  embedded-kafka: 17\n",
                "t.yaml:2:19: dfexport.embedded-kafka: must be between 0 and "
                "16, got \"17\"");

    /* port 0 may repeat: each bind picks its own port */
    conf = t_load("dfexport:\n  listen: [127.0.0.1:0, 127.0.0.1:0]\n"
                  "  admin-listen: 127.0.0.1:0\n");
    assert_non_null(conf);
    dfx_conf_free(conf);

    /* every error is reported, not just the first */
    conf = t_load("dfexport:\n  workers: x\n  ack: y\n  log: {level: z}\n"
                  "  nope: 1\n");
    assert_null(conf);
    t_counts(4, 0);
}

/* ---- generic checks of the dispatcher ------------------------------- */

static void
test_exporter_defaults(void **state)
{
    const dfx_conf_exporter_t        *ec;
    const dfx_tag_filter_conf_t      *tf;
    const dfx_export_fields_conf_t   *ef;
    const dfx_empty_rules_conf_t     *er;
    const dfx_enum_translate_conf_t  *et;
    const dfx_universal_tag_conf_t   *ut;
    dfx_conf_t                       *conf;

    (void) state;
    conf = t_clean(T_EXP);
    assert_int_equal(t_kafka_calls, 1);
    assert_int_equal(conf->nexporters, 1);
    ec = &conf->exporters[0];
    assert_int_equal(ec->index, 0);
    assert_int_equal(ec->loc.line, 3);
    assert_int_equal(ec->loc.col, 5);
    assert_string_equal(ec->loc.file, "t.yaml");
    assert_string_equal(ec->protocol.v, "kafka");
    assert_int_equal(ec->enabled.v, 1);
    assert_int_equal(ec->endpoints.n, 1);
    assert_string_equal(ec->endpoints.v[0].v, "127.0.0.1:9092");
    assert_int_equal(ec->data_sources.n, 1);
    assert_int_equal(ec->queue_count.v, 4);
    assert_int_equal(ec->queue_count.m.set, 0);
    assert_int_equal(ec->queue_count.m.loc.line, 3);
    assert_int_equal(ec->queue_size.v, 100000);
    assert_int_equal(ec->batch_size.v, 1024);
    assert_int_equal(ec->flush_timeout.v, 1);
    assert_int_equal(ec->sasl.enabled.v, 0);
    assert_int_equal(ec->sasl.security_protocol.v, DFX_SASL_SSL);
    assert_int_equal(ec->sasl.sasl_mechanism.v, DFX_SASL_PLAIN);
    assert_string_equal(ec->sasl.username.v, "");
    assert_string_equal(ec->sasl.password.v, "");
    assert_string_equal(ec->topic.v, "");
    assert_int_equal(ec->topic.m.set, 0);
    assert_int_equal(ec->extra_headers.n, 0);
    assert_int_equal(ec->compression.v, DFX_COMPRESSION_SNAPPY);
    assert_string_equal(ec->key.v, "");
    assert_int_equal(ec->message_timeout.v, 60);
    assert_string_equal(ec->tls_ca_file.v, "");
    assert_string_equal(ec->tls_cert_file.v, "");
    assert_string_equal(ec->tls_key_file.v, "");
    assert_int_equal(ec->librdkafka.n, 0);

    tf = t_mconf(conf, 0, T_TF);
    assert_int_equal(tf->filters.n, 0);
    assert_int_equal(tf->groups.n, 0);
    assert_int_equal(tf->condition.type.v, DFX_COND_AND);
    ef = t_mconf(conf, 0, T_EF);
    assert_int_equal(ef->fields.n, 2);
    assert_string_equal(ef->fields.v[0].v, "$tag");
    assert_string_equal(ef->fields.v[1].v, "$metrics");
    assert_int_equal(ef->fields.v[1].m.loc.line, 7);
    assert_int_equal(ef->fields.v[1].m.loc.col, 27);
    er = t_mconf(conf, 0, T_ER);
    assert_int_equal(er->export_empty_tag.v, 0);
    assert_int_equal(er->export_empty_metrics_disabled.v, 0);
    et = t_mconf(conf, 0, T_ET);
    assert_int_equal(et->disabled.v, 0);
    ut = t_mconf(conf, 0, T_UT);
    assert_int_equal(ut->disabled.v, 0);
    /* a module without keys gets no conf */
    assert_null(conf->exporters[0].mconf[T_ENC]);
    dfx_conf_free(conf);
}

static void
test_exporter_values(void **state)
{
    const dfx_conf_exporter_t  *ec;
    dfx_conf_t                 *conf;

    (void) state;
    conf = t_clean(T_EXP
                   "    queue-count: 16\n"
                   "    queue-size: 8192\n"
                   "    batch-size: 1\n"
                   "    flush-timeout: 1\n"
                   "    sasl:\n"
                   "      enabled: true\n"
                   "      security-protocol: SASL_PLAINTEXT\n"
                   "      username: u\n"
                   "      password: 123\n"
                   "    topic: my.topic_1-x\n"
                   "    compression: zstd\n"
                   "    key: trace_id\n"
                   "    message-timeout: 5\n"
                   "    tls-ca-file: /etc/ca.pem\n"
                   "    tls-cert-file: /etc/c.pem\n"
                   "    tls-key-file: /etc/k.pem\n"
                   "    librdkafka: {client.id: dfx, linger.ms: 5,"
                   " enable.idempotence: false, socket.timeout.ms: null}\n"
                   "    export-empty-tag: yes\n"
                   "    export-empty-metrics-disabled: True\n"
                   "    enum-translate-to-name-disabled: on\n"
                   "    universal-tag-translate-to-name-disabled: TRUE\n");
    ec = &conf->exporters[0];
    assert_int_equal(ec->queue_count.v, 16);
    assert_int_equal(ec->queue_count.m.set, 1);
    assert_int_equal(ec->queue_count.m.loc.line, 8);
    assert_int_equal(ec->queue_count.m.loc.col, 18);
    assert_int_equal(ec->queue_size.v, 8192);
    assert_int_equal(ec->batch_size.v, 1);
    assert_int_equal(ec->flush_timeout.v, 1);
    assert_int_equal(ec->sasl.enabled.v, 1);
    assert_int_equal(ec->sasl.security_protocol.v, DFX_SASL_PLAINTEXT);
    assert_string_equal(ec->sasl.username.v, "u");
    assert_string_equal(ec->sasl.password.v, "123");
    assert_string_equal(ec->topic.v, "my.topic_1-x");
    assert_int_equal(ec->compression.v, DFX_COMPRESSION_ZSTD);
    assert_string_equal(ec->key.v, "trace_id");
    assert_int_equal(ec->message_timeout.v, 5);
    assert_string_equal(ec->tls_ca_file.v, "/etc/ca.pem");
    assert_string_equal(ec->tls_cert_file.v, "/etc/c.pem");
    assert_string_equal(ec->tls_key_file.v, "/etc/k.pem");
    /* a null value in a string map counts as absent */
    assert_int_equal(ec->librdkafka.n, 3);
    assert_string_equal(ec->librdkafka.keys[0].v, "client.id");
    assert_string_equal(ec->librdkafka.values[0].v, "dfx");
    assert_string_equal(ec->librdkafka.keys[2].v, "enable.idempotence");
    assert_string_equal(ec->librdkafka.values[2].v, "false");
    assert_int_equal(ec->librdkafka.keys[1].m.loc.line, 24);
    assert_int_equal(ec->librdkafka.values[1].m.loc.col, 45);
    assert_int_equal(((dfx_empty_rules_conf_t *) ec->mconf[T_ER])
                     ->export_empty_tag.v, 1);
    assert_int_equal(((dfx_empty_rules_conf_t *) ec->mconf[T_ER])
                     ->export_empty_metrics_disabled.v, 1);
    assert_int_equal(((dfx_enum_translate_conf_t *) ec->mconf[T_ET])
                     ->disabled.v, 1);
    assert_int_equal(((dfx_universal_tag_conf_t *) ec->mconf[T_UT])
                     ->disabled.v, 1);
    dfx_conf_free(conf);
}

/* DeepFlow's "0 means the default" is kept; other values are ranged. */
static void
test_zero_means_default(void **state)
{
    const dfx_conf_exporter_t  *ec;
    dfx_conf_t                 *conf;

    (void) state;
    conf = t_clean(T_EXP
                   "    queue-count: 0\n"
                   "    queue-size: 0\n"
                   "    batch-size: 0\n"
                   "    flush-timeout: 0\n");
    ec = &conf->exporters[0];
    assert_int_equal(ec->queue_count.v, 4);
    assert_int_equal(ec->queue_count.m.set, 1);
    assert_int_equal(ec->queue_size.v, 100000);
    assert_int_equal(ec->batch_size.v, 1024);
    assert_int_equal(ec->flush_timeout.v, 1);
    dfx_conf_free(conf);

    t_one_error(T_EXP "    queue-count: 32\n",
                "t.yaml:8:18: ingester.exporters[0].queue-count: must be "
                "between 1 and 16, got \"32\"");
    t_one_error(T_EXP "    queue-count: -1\n",
                "t.yaml:8:18: ingester.exporters[0].queue-count: must be "
                "between 1 and 16, got \"-1\"");
    t_one_error(T_EXP "    queue-size: -5\n",
                "t.yaml:8:17: ingester.exporters[0].queue-size: must be "
                "between 1 and 10000000, got \"-5\"");
    t_one_error(T_EXP "    batch-size: -1\n",
                "t.yaml:8:17: ingester.exporters[0].batch-size: must be "
                "between 1 and 1000000, got \"-1\"");
    t_one_error(T_EXP "    flush-timeout: 901\n",
                "t.yaml:8:20: ingester.exporters[0].flush-timeout: must be "
                "between 1 and 900, got \"901\"");
    t_one_error(T_EXP "    message-timeout: 0\n",
                "t.yaml:8:22: ingester.exporters[0].message-timeout: must be "
                "between 1 and 86400, got \"0\"");
}

static void
test_unknown_keys(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    t_one_error(T_EXP "    flush-timout: 1\n",
                "t.yaml:8:5: ingester.exporters[0]: unknown key "
                "\"flush-timout\"; did you mean \"flush-timeout\"?");
    /* module keys are suggested too */
    t_one_error(T_EXP "    export-empty-tags: true\n",
                "t.yaml:8:5: ingester.exporters[0]: unknown key "
                "\"export-empty-tags\"; did you mean \"export-empty-tag\"?");
    /* DeepFlow's own docs misspell this one */
    t_one_error(T_EXP "    export-empty-metrics_disabled: true\n",
                "t.yaml:8:5: ingester.exporters[0]: unknown key "
                "\"export-empty-metrics_disabled\"; did you mean "
                "\"export-empty-metrics-disabled\"?");
    t_one_error(T_EXP "    tag-filter: []\n",
                "t.yaml:8:5: ingester.exporters[0]: unknown key "
                "\"tag-filter\"; did you mean \"tag-filters\"?");
    t_one_error(T_EXP "    colour: blue\n",
                "t.yaml:8:5: ingester.exporters[0]: unknown key \"colour\"");
    t_one_error(T_EXP "    sasl: {enable: true}\n",
                "t.yaml:8:12: ingester.exporters[0].sasl: unknown key "
                "\"enable\"; did you mean \"enabled\"?");
    t_one_error(T_EXP "    TOPIC: x\n",
                "t.yaml:8:5: ingester.exporters[0]: unknown key \"TOPIC\"; "
                "did you mean \"topic\"?");

    /* every unknown key of the exporter is reported */
    conf = t_load(T_EXP "    a1: 1\n    a2: 2\n    a3: 3\n");
    assert_null(conf);
    t_counts(3, 0);
}

static void
test_duplicate_keys(void **state)
{
    (void) state;
    t_one_error(T_EXP "    queue-count: 2\n    queue-count: 3\n",
                "t.yaml:9:5: ingester.exporters[0]: duplicate key "
                "\"queue-count\" (first at line 8)");
    t_one_error(T_EXP "    export-fields: [$tag]\n",
                "t.yaml:8:5: ingester.exporters[0]: duplicate key "
                "\"export-fields\" (first at line 7)");
    t_one_error(T_EXP "    librdkafka: {a: 1, a: 2}\n",
                "t.yaml:8:24: ingester.exporters[0].librdkafka: duplicate "
                "key \"a\" (first at line 8)");
    t_one_error("dfexport: {}\ndfexport: {}\n",
                "t.yaml:2:1: duplicate key \"dfexport\" (first at line 1)");
    t_one_error("ingester:\n  exporters: []\n  exporters: []\n",
                "t.yaml:3:3: ingester: duplicate key \"exporters\" (first at "
                "line 2)");
}

static void
test_shapes_and_types(void **state)
{
    (void) state;
    t_one_error(T_EXP_HEAD
                "    data-sources: flow_log.l7_flow_log\n"
                "    export-fields: [$tag]\n",
                "t.yaml:6:19: ingester.exporters[0].data-sources: must be a "
                "list of strings, got \"flow_log.l7_flow_log\"");
    t_one_error(T_EXP_HEAD
                "    data-sources: [flow_log.l7_flow_log, [x]]\n"
                "    export-fields: [$tag]\n",
                "t.yaml:6:42: ingester.exporters[0].data-sources[1]: must be "
                "a string, got a list");
    t_one_error(T_EXP_HEAD
                "    data-sources: [flow_log.l7_flow_log, ~]\n"
                "    export-fields: [$tag]\n",
                "t.yaml:6:42: ingester.exporters[0].data-sources[1]: must be "
                "a string, got null");
    t_one_error(T_EXP "    sasl: true\n",
                "t.yaml:8:11: ingester.exporters[0].sasl: must be a mapping, "
                "got \"true\"");
    t_one_error(T_EXP "    queue-count: [1]\n",
                "t.yaml:8:18: ingester.exporters[0].queue-count: must be an "
                "integer, got a list");
    t_one_error(T_EXP "    queue-count: 4.5\n",
                "t.yaml:8:18: ingester.exporters[0].queue-count: must be an "
                "integer, got \"4.5\"");
    t_one_error(T_EXP "    export-empty-tag: maybe\n",
                "t.yaml:8:23: ingester.exporters[0].export-empty-tag: must "
                "be true or false, got \"maybe\"");
    t_one_error(T_EXP "    topic: {a: b}\n",
                "t.yaml:8:12: ingester.exporters[0].topic: must be a string, "
                "got a mapping");
    t_one_error(T_EXP "    extra-headers: [a]\n",
                "t.yaml:8:20: ingester.exporters[0].extra-headers: must be a "
                "mapping of strings, got a list");
    t_one_error(T_EXP "    librdkafka: {a: [1]}\n",
                "t.yaml:8:21: ingester.exporters[0].librdkafka.a: must be a "
                "string, got a list");
    t_one_error(T_EXP "    tag-filters-groups: {a: 1}\n",
                "t.yaml:8:25: ingester.exporters[0].tag-filters-groups: must "
                "be a list of mappings, got a mapping");
    t_one_error(T_EXP "    tag-filters-groups: [x]\n",
                "t.yaml:8:26: ingester.exporters[0].tag-filters-groups[0]: "
                "must be a mapping, got \"x\"");
    t_one_error(T_EXP "    compression: snapy\n",
                "t.yaml:8:18: ingester.exporters[0].compression: must be one "
                "of \"snappy\", \"none\", \"gzip\", \"lz4\", \"zstd\", got "
                "\"snapy\"; did you mean \"snappy\"?");
    t_one_error(T_EXP "    sasl: {security-protocol: SASL_SLL}\n",
                "t.yaml:8:31: ingester.exporters[0].sasl.security-protocol: "
                "must be one of \"SASL_SSL\", \"SASL_PLAINTEXT\", got "
                "\"SASL_SLL\"; did you mean \"SASL_SSL\"?");
    t_one_error(T_EXP "    sasl: {sasl-mechanism: SCRAM-SHA-256}\n",
                "t.yaml:8:28: ingester.exporters[0].sasl.sasl-mechanism: "
                "must be one of \"PLAIN\", got \"SCRAM-SHA-256\"");
    t_one_error(T_EXP "    ? [a]\n    : 1\n",
                "t.yaml:8:7: ingester.exporters[0]: keys must be strings, "
                "got a list");
}

/* A YAML null counts as absent: DeepFlow's file has `topic:` with no
 * value. */
static void
test_null_is_absent(void **state)
{
    const dfx_conf_exporter_t    *ec;
    const dfx_tag_filter_conf_t  *tf;
    dfx_conf_t                   *conf;

    (void) state;
    conf = t_clean(T_EXP
                   "    topic:\n"
                   "    tag-filters-groups:\n"
                   "    tag-filter-condition: ~\n"
                   "    sasl: null\n"
                   "    queue-count: ~\n"
                   "    extra-headers:\n"
                   "    key: NULL\n");
    ec = &conf->exporters[0];
    assert_string_equal(ec->topic.v, "");
    assert_int_equal(ec->topic.m.set, 0);
    /* an absent value points at its key */
    assert_int_equal(ec->topic.m.loc.line, 8);
    assert_int_equal(ec->topic.m.loc.col, 5);
    assert_int_equal(ec->queue_count.v, 4);
    assert_int_equal(ec->queue_count.m.set, 0);
    assert_int_equal(ec->queue_count.m.loc.line, 12);
    assert_int_equal(ec->sasl.security_protocol.v, DFX_SASL_SSL);
    assert_int_equal(ec->sasl.enabled.m.set, 0);
    assert_string_equal(ec->key.v, "");
    tf = t_mconf(conf, 0, T_TF);
    assert_int_equal(tf->groups.n, 0);
    assert_int_equal(tf->groups.m.set, 0);
    dfx_conf_free(conf);

    /* a quoted "" is a value, not a null */
    conf = t_clean(T_EXP "    topic: ''\n");
    assert_int_equal(conf->exporters[0].topic.m.set, 1);
    dfx_conf_free(conf);
}

/* ---- ingester.exporters[] ------------------------------------------ */

static void
test_protocols(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    conf = t_load("ingester:\n"
                  "  exporters:\n"
                  "  - protocol: prometheus\n"
                  "    whatever: [1, 2]\n"
                  "    extra-headers: {a: b}\n"
                  "  - protocol: opentelemetry\n"
                  "    enabled: 7\n"
                  "  - protocol: kafka\n"
                  "    enabled: true\n"
                  "    endpoints: [k:9092]\n"
                  "    data-sources: [flow_log.l4_flow_log]\n"
                  "    export-fields: [$tag]\n");
    assert_non_null(conf);
    t_counts(0, 2);
    t_has_notice("t.yaml:3:15: notice: ingester.exporters[0]: protocol "
                 "\"prometheus\" is not exported by dfexport; exporter "
                 "skipped");
    t_has_notice("t.yaml:6:15: notice: ingester.exporters[1]: protocol "
                 "\"opentelemetry\" is not exported by dfexport; exporter "
                 "skipped");
    assert_int_equal(conf->nexporters, 1);
    /* the index counts every element, other protocols included */
    assert_int_equal(conf->exporters[0].index, 2);
    assert_int_equal(t_kafka_calls, 1);
    dfx_conf_free(conf);

    t_one_error("ingester:\n  exporters:\n  - protocol: kafak\n",
                "t.yaml:3:15: ingester.exporters[0].protocol: must be one of "
                "\"kafka\", \"prometheus\", \"opentelemetry\", got \"kafak\"; "
                "did you mean \"kafka\"?");
    t_one_error("ingester:\n  exporters:\n  - protocol: Kafka\n",
                "t.yaml:3:15: ingester.exporters[0].protocol: must be one of "
                "\"kafka\", \"prometheus\", \"opentelemetry\", got \"Kafka\"; "
                "did you mean \"kafka\"?");
    t_one_error("ingester:\n  exporters:\n  - protocol: http\n",
                "t.yaml:3:15: ingester.exporters[0].protocol: must be one of "
                "\"kafka\", \"prometheus\", \"opentelemetry\", got \"http\"");
    t_one_error("ingester:\n  exporters:\n  - enabled: true\n",
                "t.yaml:3:5: ingester.exporters[0].protocol: required "
                "(\"kafka\")");
    t_one_error("ingester:\n  exporters:\n  - protocol:\n",
                "t.yaml:3:5: ingester.exporters[0].protocol: required "
                "(\"kafka\")");
    t_one_error("ingester:\n  exporters:\n  - kafka\n",
                "t.yaml:3:5: ingester.exporters[0]: must be a mapping, got "
                "\"kafka\"");
    t_one_error("ingester:\n  exporters:\n  -\n",
                "t.yaml:3:4: ingester.exporters[0]: must be a mapping, got "
                "null");
    t_one_error("ingester:\n  exporters: {protocol: kafka}\n",
                "t.yaml:2:14: ingester.exporters: must be a list, got a "
                "mapping");
    t_one_error("ingester: [1]\n",
                "t.yaml:1:11: ingester: must be a mapping, got a list");
    t_one_error("- a\n- b\n",
                "t.yaml:1:1: the top level must be a mapping (dfexport:, "
                "ingester:, ...), got a list");

    /* no exporters at all, or only other protocols: a notice */
    conf = t_load("ingester:\n  exporters:\n");
    assert_non_null(conf);
    t_counts(0, 1);
    t_has_notice("t.yaml:2:3: notice: no enabled kafka exporter in "
                 "ingester.exporters: nothing will be exported");
    dfx_conf_free(conf);
}

/* A disabled kafka exporter is kept and checked; what it needs only to
 * run is not required. */
static void
test_disabled_exporter(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    conf = t_load("ingester:\n"
                  "  exporters:\n"
                  "  - protocol: kafka\n"
                  "    enabled: false\n"
                  "  - protocol: kafka\n"
                  "    data-sources: [flow_log.l7_flow_log]\n");
    assert_non_null(conf);
    t_counts(0, 1);
    assert_int_equal(conf->nexporters, 2);
    assert_int_equal(conf->exporters[0].enabled.v, 0);
    assert_int_equal(conf->exporters[0].enabled.m.set, 1);
    assert_int_equal(conf->exporters[1].enabled.v, 0);
    assert_int_equal(conf->exporters[1].enabled.m.set, 0);
    assert_int_equal(conf->exporters[1].index, 1);
    assert_int_equal(t_kafka_calls, 2);
    dfx_conf_free(conf);

    t_one_error("ingester:\n"
                "  exporters:\n"
                "  - protocol: kafka\n"
                "    queue-count: 99\n",
                "t.yaml:4:18: ingester.exporters[0].queue-count: must be "
                "between 1 and 16, got \"99\"");
    t_one_error("ingester:\n"
                "  exporters:\n"
                "  - protocol: kafka\n"
                "    data-sources: [flow_log.l7_flow_lo]\n",
                "t.yaml:4:20: ingester.exporters[0].data-sources[0]: unknown "
                "data source \"flow_log.l7_flow_lo\"; did you mean "
                "\"flow_log.l7_flow_log\"?");
}

static void
test_data_sources(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    t_one_error(T_EXP_HEAD "    export-fields: [$tag]\n",
                "t.yaml:3:5: ingester.exporters[0].data-sources: required "
                "for an enabled exporter");
    t_one_error(T_EXP_HEAD "    data-sources:\n    export-fields: [$tag]\n",
                "t.yaml:6:5: ingester.exporters[0].data-sources: required "
                "for an enabled exporter");
    t_one_error(T_EXP_HEAD "    data-sources: []\n    export-fields: [$tag]\n",
                "t.yaml:6:19: ingester.exporters[0].data-sources: must not "
                "be empty for an enabled exporter");
    t_one_error(T_EXP_HEAD
                "    data-sources: [flow_metrics.network.1h]\n"
                "    export-fields: [$tag]\n",
                "t.yaml:6:20: ingester.exporters[0].data-sources[0]: unknown "
                "data source \"flow_metrics.network.1h\"; did you mean "
                "\"flow_metrics.network.1s\"?");
    t_one_error(T_EXP_HEAD
                "    data-sources: [traffic_policy.1m]\n"
                "    export-fields: [$tag]\n",
                "t.yaml:6:20: ingester.exporters[0].data-sources[0]: unknown "
                "data source \"traffic_policy.1m\"");

    conf = t_load(T_EXP_HEAD
                  "    data-sources:\n"
                  "    - flow_log.l7_flow_log\n"
                  "    - event.file_agg_event\n"
                  "    - flow_log.l7_flow_log\n"
                  "    - event.perf_event\n"
                  "    export-fields: [$tag]\n");
    assert_non_null(conf);
    t_counts(0, 2);
    t_has_notice("t.yaml:8:7: notice: ingester.exporters[0].data-sources[1]: "
                 "nothing is exported for \"event.file_agg_event\" (DeepFlow "
                 "accepts the name but never exports it)");
    t_has_notice("t.yaml:9:7: notice: ingester.exporters[0].data-sources[2]: "
                 "\"flow_log.l7_flow_log\" is listed twice; it is exported "
                 "once");
    assert_int_equal(conf->exporters[0].data_sources.n, 4);
    dfx_conf_free(conf);

    /* only names that export nothing: loads, and nothing to check fields
     * against */
    conf = t_load(T_EXP_HEAD
                  "    data-sources: [event.proc_ops_event]\n"
                  "    export-fields: [$tag, anything]\n");
    assert_non_null(conf);
    t_counts(0, 1);
    dfx_conf_free(conf);
}

static void
test_endpoints(void **state)
{
    static const char  no_endpoints[] =
        "ingester:\n"
        "  exporters:\n"
        "  - protocol: kafka\n"
        "    enabled: true\n"
        "    data-sources: [flow_log.l7_flow_log]\n"
        "    export-fields: [$tag]\n";
    dfx_conf_t        *conf;

    (void) state;
    t_one_error(no_endpoints,
                "t.yaml:3:5: ingester.exporters[0].endpoints: required for "
                "an enabled exporter (Kafka brokers as HOST:PORT), unless "
                "dfexport.embedded-kafka or --embedded-kafka replaces them");
    t_one_error("ingester:\n"
                "  exporters:\n"
                "  - protocol: kafka\n"
                "    enabled: true\n"
                "    endpoints: []\n"
                "    data-sources: [flow_log.l7_flow_log]\n"
                "    export-fields: [$tag]\n",
                "t.yaml:5:16: ingester.exporters[0].endpoints: must not be "
                "empty for an enabled exporter (Kafka brokers as HOST:PORT), "
                "unless dfexport.embedded-kafka or --embedded-kafka replaces "
                "them");
    conf = t_load("ingester:\n"
                  "  exporters:\n"
                  "  - protocol: kafka\n"
                  "    enabled: true\n"
                  "    endpoints: ['a:1 b:2', '']\n"
                  "    data-sources: [flow_log.l7_flow_log]\n"
                  "    export-fields: [$tag]\n");
    assert_null(conf);
    t_counts(2, 0);
    t_has_error("t.yaml:5:17: ingester.exporters[0].endpoints[0]: must be one "
                "HOST:PORT, got \"a:1 b:2\"");
    t_has_error("t.yaml:5:28: ingester.exporters[0].endpoints[1]: must be one "
                "HOST:PORT, got \"\"");

    /* the embedded cluster replaces them: from the config... */
    conf = t_load("dfexport: {embedded-kafka: 1}\n"
                  "ingester:\n"
                  "  exporters:\n"
                  "  - protocol: kafka\n"
                  "    enabled: true\n"
                  "    data-sources: [flow_log.l7_flow_log]\n"
                  "    export-fields: [$tag]\n");
    assert_non_null(conf);
    t_counts(0, 0);
    dfx_conf_free(conf);

    /* ... or from the command line */
    conf = t_load_flags(no_endpoints, DFX_CONF_ENDPOINTS_REPLACED);
    assert_non_null(conf);
    t_counts(0, 0);
    dfx_conf_free(conf);
}

static void
test_exporter_rules(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    conf = t_load(T_EXP "    flush-timeout: 10\n");
    assert_non_null(conf);
    t_counts(0, 1);
    t_has_notice("t.yaml:8:20: notice: ingester.exporters[0].flush-timeout: "
                 "records now wait up to 10 s for their batch (DeepFlow "
                 "ignored this key and sent every second)");
    assert_int_equal(conf->exporters[0].flush_timeout.v, 10);
    dfx_conf_free(conf);

    conf = t_load(T_EXP "    extra-headers: {x-a: b}\n");
    assert_non_null(conf);
    t_counts(0, 1);
    t_has_notice("t.yaml:8:20: notice: ingester.exporters[0].extra-headers: "
                 "not used by Kafka exporters; ignored");
    assert_int_equal(conf->exporters[0].extra_headers.n, 1);
    assert_string_equal(conf->exporters[0].extra_headers.values[0].v, "b");
    dfx_conf_free(conf);

    /* sasl: credentials required when enabled (two errors) */
    conf = t_load(T_EXP "    sasl:\n      enabled: true\n");
    assert_null(conf);
    t_counts(2, 0);
    t_has_error("t.yaml:9:7: ingester.exporters[0].sasl.username: required "
                "when sasl.enabled is true");
    t_has_error("t.yaml:9:7: ingester.exporters[0].sasl.password: required "
                "when sasl.enabled is true");
    t_one_error(T_EXP "    sasl: {enabled: true, username: u, password: ''}\n",
                "t.yaml:8:50: ingester.exporters[0].sasl.password: required "
                "when sasl.enabled is true");
    /* DeepFlow's sample: credentials written, sasl disabled */
    conf = t_clean(T_EXP "    sasl: {enabled: false, username: a, "
                   "password: b}\n");
    dfx_conf_free(conf);

    t_one_error(T_EXP "    topic: 'a b'\n",
                "t.yaml:8:12: ingester.exporters[0].topic: must be a Kafka "
                "topic name (at most 249 of a-z A-Z 0-9 . _ -), got \"a b\"");
    t_one_error(T_EXP "    topic: ..\n",
                "t.yaml:8:12: ingester.exporters[0].topic: must be a Kafka "
                "topic name (at most 249 of a-z A-Z 0-9 . _ -), got \"..\"");

    /* key: a field of every data source (names or aliases) */
    conf = t_clean(T_EXP_HEAD
                   "    data-sources: [flow_log.l7_flow_log,"
                   " flow_log.l4_flow_log]\n"
                   "    export-fields: [$tag]\n"
                   "    key: flow_id\n");
    assert_string_equal(conf->exporters[0].key.v, "flow_id");
    dfx_conf_free(conf);
    conf = t_clean(T_EXP_HEAD
                   "    data-sources: [flow_metrics.network_map.1m]\n"
                   "    export-fields: [$tag]\n"
                   "    key: region_id\n");
    dfx_conf_free(conf);
    t_one_error(T_EXP_HEAD
                "    data-sources: [flow_log.l7_flow_log,"
                " flow_metrics.network.1m]\n"
                "    export-fields: [$tag]\n"
                "    key: trace_id\n",
                "t.yaml:8:10: ingester.exporters[0].key: must be a field of "
                "every data source of the exporter, got \"trace_id\" (not in "
                "flow_metrics.network.1m)");
}

/* dfx_kafka_conf_check runs for every kafka exporter and its errors fail
 * the load. */
static void
test_kafka_check(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    conf = t_load(T_EXP
                  "  - protocol: kafka\n"
                  "    enabled: false\n"
                  "  - protocol: prometheus\n");
    assert_non_null(conf);
    assert_int_equal(t_kafka_calls, 2);
    dfx_conf_free(conf);
    t_one_error(T_EXP "    librdkafka: {test.reject: 1}\n",
                "t.yaml:8:18: ingester.exporters[0].librdkafka.test.reject: "
                "refused");
}

/* ---- export-fields ------------------------------------------------- */

static void
test_export_fields(void **state)
{
    const dfx_export_fields_conf_t  *ef;
    dfx_conf_t                      *conf;

    (void) state;
    t_one_error(T_EXP_HEAD "    data-sources: [flow_log.l7_flow_log]\n",
                "t.yaml:3:5: ingester.exporters[0].export-fields: required "
                "(recommended: [$tag, $metrics])");
    t_one_error(T_EXP_HEAD
                "    data-sources: [flow_log.l7_flow_log]\n"
                "    export-fields: []\n",
                "t.yaml:7:20: ingester.exporters[0].export-fields: must not "
                "be empty (recommended: [$tag, $metrics])");

    conf = t_clean(T_EXP_HEAD
                   "    data-sources: [flow_log.l7_flow_log]\n"
                   "    export-fields:\n"
                   "    - $tag\n"
                   "    - $metrics\n"
                   "    - $tag.flow_info\n"
                   "    - $tag.event_info\n"
                   "    - $tag.data_link_layer\n"
                   "    - $metrics.delay\n"
                   "    - $metrics.l4_throughput\n"
                   "    - $k8s.label\n"
                   "    - $k8s.label.app\n"
                   "    - $k8s.label.k8s.annotation.app\n"
                   "    - ~$k8s.label.^app(lication)?$\n"
                   "    - request_domain\n"
                   "    - endpoint\n"
                   "    - _trace_id_2\n");
    ef = t_mconf(conf, 0, T_EF);
    assert_int_equal(ef->fields.n, 14);
    assert_string_equal(ef->fields.v[10].v, "~$k8s.label.^app(lication)?$");
    dfx_conf_free(conf);

#define T_EF_ERR(entry, col, msg)                                           \
    t_one_error(T_EXP_HEAD                                                  \
                "    data-sources: [flow_log.l7_flow_log]\n"                \
                "    export-fields: ['" entry "']\n",                       \
                "t.yaml:7:" col ": ingester.exporters[0].export-fields[0]: " \
                msg)

    T_EF_ERR("$metrics.flow_info", "21", "\"flow_info\" is a $tag "
             "sub-category, got \"$metrics.flow_info\"; did you mean "
             "\"$tag.flow_info\"?");
    T_EF_ERR("$tag.delay", "21", "\"delay\" is a $metrics sub-category, got "
             "\"$tag.delay\"; did you mean \"$metrics.delay\"?");
    T_EF_ERR("$tag.custom_tag", "21", "custom_tag cannot be selected "
             "(DeepFlow gives it no name), got \"$tag.custom_tag\"");
    T_EF_ERR("$service_info", "21", "unknown category \"$service_info\"; did "
             "you mean \"$tag.service_info\"?");
    T_EF_ERR("$merics", "21", "unknown category \"$merics\"; did you mean "
             "\"$metrics\"?");
    T_EF_ERR("$tga", "21", "unknown category \"$tga\"; did you mean "
             "\"$tag\"?");
    T_EF_ERR("$nothing", "21", "unknown category \"$nothing\"");
    T_EF_ERR("$tag.flow_inf", "21", "unknown sub-category \"flow_inf\" of "
             "$tag; did you mean \"$tag.flow_info\"?");
    T_EF_ERR("$metrics.zzz", "21", "unknown sub-category \"zzz\" of "
             "$metrics");
    T_EF_ERR("$tag.", "21", "must name a sub-category after \"$tag.\", got "
             "\"$tag.\"");
    T_EF_ERR("$anything.flow_info", "21", "unknown category \"$anything\" "
             "(must be $tag or $metrics); did you mean \"$tag.flow_info\"?");
    T_EF_ERR("$k8s.label.", "21", "must name a label after \"$k8s.label.\", "
             "got \"$k8s.label.\"");
    T_EF_ERR("~$k8s.label.(", "21", "invalid regular expression (Unmatched ( "
             "or \\(), got \"~$k8s.label.(\"");
    T_EF_ERR("~app", "21", "must be ~$k8s.label.<regex>, got \"~app\"");
    T_EF_ERR("~$k8s.label.", "21", "must be ~$k8s.label.<regex>, got "
             "\"~$k8s.label.\"");
    T_EF_ERR("reqest_domain", "21", "no data source of the exporter has a "
             "field \"reqest_domain\"; did you mean \"request_domain\"?");
    T_EF_ERR("byte_tx", "21", "no data source of the exporter has a field "
             "\"byte_tx\"");
    T_EF_ERR("", "21", "must not be empty (a field name or a category such "
             "as $tag)");
#undef T_EF_ERR

    /* a field of any one of the data sources is enough */
    conf = t_clean(T_EXP_HEAD
                   "    data-sources: [flow_log.l7_flow_log,"
                   " flow_metrics.network.1m]\n"
                   "    export-fields: [trace_id, byte_tx, _tid]\n");
    dfx_conf_free(conf);

    /* a disabled exporter need not list them */
    conf = t_load("ingester:\n  exporters:\n  - protocol: kafka\n");
    assert_non_null(conf);
    t_counts(0, 1);
    dfx_conf_free(conf);
}

/* ---- tag filters --------------------------------------------------- */

static void
test_filter_op_parse(void **state)
{
    (void) state;
    assert_int_equal(dfx_filter_op_parse("="), DFX_FILTER_EQ);
    assert_int_equal(dfx_filter_op_parse("!="), DFX_FILTER_NEQ);
    assert_int_equal(dfx_filter_op_parse("in"), DFX_FILTER_IN);
    assert_int_equal(dfx_filter_op_parse("IN"), DFX_FILTER_IN);
    assert_int_equal(dfx_filter_op_parse("not in"), DFX_FILTER_NOT_IN);
    assert_int_equal(dfx_filter_op_parse("Not In"), DFX_FILTER_NOT_IN);
    assert_int_equal(dfx_filter_op_parse(":"), DFX_FILTER_WILDCARD_EQ);
    assert_int_equal(dfx_filter_op_parse("!:"), DFX_FILTER_WILDCARD_NEQ);
    assert_int_equal(dfx_filter_op_parse("~"), DFX_FILTER_REGEXP_EQ);
    assert_int_equal(dfx_filter_op_parse("!~"), DFX_FILTER_REGEXP_NEQ);
    /* no trimming, nothing else */
    assert_int_equal(dfx_filter_op_parse(" ="), 0);
    assert_int_equal(dfx_filter_op_parse("not  in"), 0);
    assert_int_equal(dfx_filter_op_parse("=="), 0);
    assert_int_equal(dfx_filter_op_parse(""), 0);
}

static void
test_tag_filters(void **state)
{
    const dfx_tag_filter_conf_t    *tf;
    const dfx_conf_filter_group_t  *g;
    const dfx_conf_filter_t        *f;
    dfx_conf_t                     *conf;

    (void) state;
    conf = t_clean(T_EXP
                   "    tag-filters-groups:\n"
                   "    - tag-filter-condition: {type: or}\n"
                   "      tag-filters:\n"
                   "      - field-name: region_id_0\n"
                   "        operator: \"=\"\n"
                   "        field-values: [3, 4]\n"
                   "      - {field-name: request_domain, operator: ':',"
                   " field-values: ['*.example.com', 'a.?b+']}\n"
                   "    - tag-filters:\n"
                   "      - {field-name: app_service, operator: 'NOT IN',"
                   " field-values: [a]}\n"
                   "      - {field-name: endpoint, operator: '~',"
                   " field-values: ['^/api/(v1|v2)']}\n"
                   "      - {field-name: ip4_0, operator: '!~',"
                   " field-values: ['^10\\.']}\n"
                   "      - {field-name: l7_protocol, operator: '!=',"
                   " field-values: ['0']}\n"
                   "      - {field-name: az_id_0, operator: In,"
                   " field-values: ['1']}\n"
                   "      - {field-name: az_id_1, operator: '!:',"
                   " field-values: ['x*']}\n");
    tf = t_mconf(conf, 0, T_TF);
    assert_int_equal(tf->groups.n, 2);
    g = tf->groups.v;
    assert_int_equal(g[0].loc.line, 9);
    assert_int_equal(g[0].loc.col, 7);
    assert_int_equal(g[0].condition.type.v, DFX_COND_OR);
    assert_int_equal(g[0].filters.n, 2);
    f = g[0].filters.v;
    assert_string_equal(f[0].field_name.v, "region_id_0");
    assert_string_equal(f[0].op.v, "=");
    assert_int_equal(f[0].opcode, DFX_FILTER_EQ);
    assert_int_equal(f[0].field_values.n, 2);
    /* YAML numbers are kept as their text */
    assert_string_equal(f[0].field_values.v[0].v, "3");
    assert_string_equal(f[0].field_values.v[1].v, "4");
    assert_int_equal(f[0].loc.line, 11);
    assert_int_equal(f[0].loc.col, 9);
    assert_int_equal(f[1].opcode, DFX_FILTER_WILDCARD_EQ);
    assert_int_equal(g[1].condition.type.v, DFX_COND_AND);
    assert_int_equal(g[1].condition.type.m.set, 0);
    f = g[1].filters.v;
    assert_int_equal(g[1].filters.n, 6);
    assert_int_equal(f[0].opcode, DFX_FILTER_NOT_IN);
    assert_int_equal(f[1].opcode, DFX_FILTER_REGEXP_EQ);
    assert_int_equal(f[2].opcode, DFX_FILTER_REGEXP_NEQ);
    assert_int_equal(f[3].opcode, DFX_FILTER_NEQ);
    assert_int_equal(f[4].opcode, DFX_FILTER_IN);
    assert_int_equal(f[5].opcode, DFX_FILTER_WILDCARD_NEQ);
    dfx_conf_free(conf);

    /* map data sources: the Name (region_id) and the output name */
    conf = t_clean(T_EXP_HEAD
                   "    data-sources: [flow_metrics.network_map.1m]\n"
                   "    export-fields: [$tag]\n"
                   "    tag-filters-groups:\n"
                   "    - tag-filters:\n"
                   "      - {field-name: region_id, operator: '=',"
                   " field-values: [1]}\n"
                   "      - {field-name: region_id_1, operator: '=',"
                   " field-values: [1]}\n");
    dfx_conf_free(conf);
}

#define T_TF_GROUP                                                          \
    T_EXP                                                                   \
    "    tag-filters-groups:\n"                                             \
    "    - tag-filters:\n"                                                  \
    "      - {field-name: region_id_0, operator: '=', field-values: [1]}\n" \
    "    - tag-filter-condition:\n"                                         \
    "        type: and\n"                                                   \
    "      tag-filters:\n"

static void
test_tag_filter_errors(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    /* lines 8-13 are T_TF_GROUP, the tested filter is on line 14 */
    t_one_error(T_TF_GROUP
                "      - field-name: region_id_0\n"
                "        operator: ~\n"
                "        field-values: [1]\n",
                "t.yaml:15:9: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].operator: required; one of \"=\", \"!=\", "
                "\"in\", \"not in\", \":\", \"!:\", \"~\", \"!~\", quoted (an "
                "unquoted ~ is YAML null)");
    t_one_error(T_TF_GROUP
                "      - field-name: region_id_0\n"
                "        operator: !=\n"
                "        field-values: [1]\n",
                "t.yaml:15:19: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].operator: unquoted \"!=\" is read as a YAML "
                "tag; quote the value (\"!=\")");
    t_one_error(T_TF_GROUP
                "      - field-name: region_id_0\n"
                "        operator: !~\n"
                "        field-values: [1]\n",
                "t.yaml:15:19: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].operator: unquoted \"!~\" is read as a YAML "
                "tag; quote the value (\"!~\")");
    t_one_error(T_TF_GROUP
                "      - {field-name: region_id_0, field-values: [1]}\n",
                "t.yaml:14:9: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].operator: required; one of \"=\", \"!=\", "
                "\"in\", \"not in\", \":\", \"!:\", \"~\", \"!~\", quoted (an "
                "unquoted ~ is YAML null)");
    t_one_error(T_TF_GROUP
                "      - {field-name: region_id_0, operator: '==',"
                " field-values: [1]}\n",
                "t.yaml:14:45: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].operator: must be one of \"=\", \"!=\", "
                "\"in\", \"not in\", \":\", \"!:\", \"~\", \"!~\", got "
                "\"==\"");
    t_one_error(T_TF_GROUP
                "      - {field-name: region_id_0, operator: '',"
                " field-values: [1]}\n",
                "t.yaml:14:45: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].operator: must be one of \"=\", \"!=\", "
                "\"in\", \"not in\", \":\", \"!:\", \"~\", \"!~\", got "
                "\"\"");
    t_one_error(T_TF_GROUP
                "      - {field-name: region_id_0, operator: '='}\n",
                "t.yaml:14:9: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-values: required");
    t_one_error(T_TF_GROUP
                "      - {field-name: region_id_0, operator: '=',"
                " field-values: []}\n",
                "t.yaml:14:64: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-values: must not be empty");
    t_one_error(T_TF_GROUP
                "      - {operator: '=', field-values: [1]}\n",
                "t.yaml:14:9: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-name: required");
    t_one_error(T_TF_GROUP
                "      - {field-name: regoin_id_0, operator: '=',"
                " field-values: [1]}\n",
                "t.yaml:14:22: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-name: no data source of the exporter "
                "has a field \"regoin_id_0\"; did you mean \"region_id_0\"?");
    t_one_error(T_TF_GROUP
                "      - {field-name: byte_tx, operator: '=',"
                " field-values: [1]}\n",
                "t.yaml:14:22: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-name: no data source of the exporter "
                "has a field \"byte_tx\"");
    t_one_error(T_TF_GROUP
                "      - {field-name: request_domain, operator: '~',"
                " field-values: [ok, 'a(']}\n",
                "t.yaml:14:72: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-values[1]: invalid regular expression "
                "(Unmatched ( or \\(), got \"a(\"");
    t_one_error(T_TF_GROUP
                "      - {field-name: request_domain, operator: '!:',"
                " field-values: ['*(']}\n",
                "t.yaml:14:69: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-values[0]: invalid wildcard pattern "
                "(Unmatched ( or \\(), got \"*(\"");
    /* a misspelt key, and so a missing one */
    conf = t_load(T_TF_GROUP
                  "      - {field-name: request_domain, operator: '=',"
                  " fields-values: [1]}\n");
    assert_null(conf);
    t_counts(2, 0);
    t_has_error("t.yaml:14:53: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0]: unknown key \"fields-values\"; did you mean "
                "\"field-values\"?");
    t_has_error("t.yaml:14:9: ingester.exporters[0].tag-filters-groups[1]."
                "tag-filters[0].field-values: required");
    /* a condition is a mapping, not a word */
    t_one_error(T_EXP "    tag-filters-groups:\n"
                "    - tag-filter-condition: or\n"
                "      tag-filters:\n"
                "      - {field-name: az_id_0, operator: '=',"
                " field-values: [1]}\n",
                "t.yaml:9:29: ingester.exporters[0].tag-filters-groups[0]."
                "tag-filter-condition: must be a mapping, got \"or\"");
    t_one_error(T_EXP "    tag-filter-condition: or\n",
                "t.yaml:8:27: ingester.exporters[0].tag-filter-condition: "
                "must be a mapping, got \"or\"");
    t_one_error(T_EXP "    tag-filter-condition: {type: xor}\n",
                "t.yaml:8:34: ingester.exporters[0].tag-filter-condition."
                "type: must be one of \"and\", \"or\", got \"xor\"; did you "
                "mean \"or\"?");

    /* every broken filter is reported */
    conf = t_load(T_TF_GROUP
                  "      - {field-name: nope, operator: 'x'}\n"
                  "      - {}\n");
    assert_null(conf);
    t_counts(6, 0);
}

static void
test_tag_filter_notices(void **state)
{
    const dfx_tag_filter_conf_t  *tf;
    dfx_conf_t                   *conf;

    (void) state;
    conf = t_load(T_EXP
                  "    tag-filter-condition: {type: or}\n"
                  "    tag-filters:\n"
                  "    - {field-name: region_id_0, operator: '=',"
                  " field-values: [1]}\n"
                  "    tag-filters-groups:\n"
                  "    - tag-filter-condition: {type: and}\n");
    assert_non_null(conf);
    t_counts(0, 2);
    t_has_notice("t.yaml:10:5: notice: ingester.exporters[0].tag-filters: "
                 "deprecated; when one of its filters applies to a data "
                 "source, tag-filters decides alone and tag-filters-groups "
                 "are ignored");
    t_has_notice("t.yaml:12:7: notice: ingester.exporters[0]."
                 "tag-filters-groups[0]: no tag-filters; the group is "
                 "ignored");
    tf = t_mconf(conf, 0, T_TF);
    assert_int_equal(tf->condition.type.v, DFX_COND_OR);
    assert_int_equal(tf->filters.n, 1);
    assert_int_equal(((dfx_conf_filter_t *) tf->filters.v)[0].opcode,
                     DFX_FILTER_EQ);
    dfx_conf_free(conf);

    /* the deprecated list is checked like a group's */
    conf = t_load(T_EXP "    tag-filters:\n"
                  "    - {field-name: region_id_0, operator: 'eq',"
                  " field-values: [1]}\n");
    assert_null(conf);
    t_counts(1, 1);
    t_has_error("t.yaml:9:43: ingester.exporters[0].tag-filters[0].operator: "
                "must be one of \"=\", \"!=\", \"in\", \"not in\", \":\", "
                "\"!:\", \"~\", \"!~\", got \"eq\"");
}

/* ---- YAML itself ---------------------------------------------------- */

static void
test_yaml_errors(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    t_one_error("dfexport:\n\tworkers: 1\n",
                "t.yaml:2:1: found character that cannot start any token, "
                "while scanning for the next token at 2:1; YAML does not "
                "allow tabs for indentation");
    t_one_error("dfexport:\n  workers: 1\n   ack: kafka\n",
                "t.yaml:3:7: mapping values are not allowed in this context");
    t_one_error("dfexport: [1, 2\n",
                "t.yaml:2:1: did not find expected ',' or ']', while parsing "
                "a flow sequence at 1:11");
    t_one_error("dfexport: {a: \xff}\n",
                "t.yaml:1:15: invalid leading UTF-8 octet");
    t_one_error("dfexport: {}\n---\ningester: {}\n",
                "t.yaml:2:1: a second YAML document; a configuration file "
                "holds one");
    t_one_error("dfexport: {listen: *nope}\n",
                "t.yaml:1:20: unknown alias \"*nope\" (an alias must follow "
                "the complete node of its anchor)");
    t_one_error("a: &x [*x]\n",
                "t.yaml:1:8: unknown alias \"*x\" (an alias must follow the "
                "complete node of its anchor)");
    t_one_error("dfexport:\n  <<: {workers: 1}\n",
                "t.yaml:2:3: dfexport: YAML merge keys (<<) are not "
                "supported; write the keys out");
    t_one_error("dfexport: !custom {}\n",
                "t.yaml:1:11: dfexport: YAML tag \"!custom\" is not "
                "supported");
    t_one_error("dfexport: {workers: !num 3}\n",
                "t.yaml:1:21: dfexport.workers: YAML tag \"!num\" is not "
                "supported");

    /* core tags are fine */
    conf = t_load("dfexport: {workers: !!str 3, dictionary: !!null ''}\n");
    assert_non_null(conf);
    assert_int_equal(conf->main.workers.v, 3);
    assert_int_equal(conf->main.dictionary.m.set, 0);
    dfx_conf_free(conf);

    /* too deep */
    {
        char    yaml[512];
        size_t  i, o = 0;

        for (i = 0; i < 70; i++) {
            yaml[o++] = '[';
        }
        for (i = 0; i < 70; i++) {
            yaml[o++] = ']';
        }
        yaml[o++] = '\n';
        yaml[o] = '\0';
        t_one_error(yaml, "t.yaml:1:65: nesting deeper than 64 levels");
    }
}

/* Anchors and aliases resolve to the anchored node. */
static void
test_yaml_aliases(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    conf = t_clean("common:\n"
                   "  sources: &src [flow_log.l7_flow_log,"
                   " flow_log.l4_flow_log]\n"
                   "  brokers: &brk [127.0.0.1:9092]\n"
                   "ingester:\n"
                   "  exporters:\n"
                   "  - &first\n"
                   "    protocol: kafka\n"
                   "    enabled: true\n"
                   "    endpoints: *brk\n"
                   "    data-sources: *src\n"
                   "    export-fields: [$tag]\n"
                   "  - *first\n");
    assert_int_equal(conf->nexporters, 2);
    assert_int_equal(conf->exporters[1].index, 1);
    assert_int_equal(conf->exporters[1].data_sources.n, 2);
    assert_string_equal(conf->exporters[1].data_sources.v[1].v,
                        "flow_log.l4_flow_log");
    /* an alias keeps the anchored node's place */
    assert_int_equal(conf->exporters[1].data_sources.v[1].m.loc.line, 2);
    dfx_conf_free(conf);

    /* a "billion laughs" document stays cheap: nodes are shared */
    conf = t_load("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                  "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                  "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                  "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                  "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
                  "dfexport: {listen: *i}\n");
    assert_null(conf);
    t_counts(10, 0);
}

/* The top level may hold anything: only dfexport: and
 * ingester.exporters are read. */
static void
test_top_level_ignored(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    conf = t_load("controller:\n"
                  "  anything: [1, {2: 3}]\n"
                  "  dup: 1\n"
                  "  dup: 2\n"
                  "  custom: !whatever x\n"
                  "? [complex, key]\n"
                  ": value\n"
                  "querier: 3\n"
                  "ingester:\n"
                  "  ckdb: {host: x}\n"
                  "  exporters: []\n"
                  "  other: [1]\n");
    assert_non_null(conf);
    t_counts(0, 1);
    dfx_conf_free(conf);
}

/* ---- files ---------------------------------------------------------- */

static void
test_files(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    t_reset();
    conf = dfx_conf_load(DFX_TEST_SRCDIR "/t/unit/core/conf/nope.yaml",
                         t_out);
    assert_null(conf);
    t_counts(1, 0);
    t_has_error(DFX_TEST_SRCDIR "/t/unit/core/conf/nope.yaml: cannot read: "
                "No such file or directory");

    t_reset();
    conf = dfx_conf_load(DFX_TEST_SRCDIR "/t/unit/core/conf", t_out);
    assert_null(conf);
    t_has_error(DFX_TEST_SRCDIR "/t/unit/core/conf: cannot read: Is a "
                "directory");

    /* a NULL err_out is allowed */
    assert_null(dfx_conf_load_mem("x", "a: [", 4, 0, NULL));
}

/* The file name is printed as given, and a value cannot break a line. */
static void
test_message_form(void **state)
{
    dfx_conf_t  *conf;
    char         big[3000];

    (void) state;
    t_reset();
    {
        const char  *y = "dfexport: {ack: \"a\\nb\"}\n";

        conf = dfx_conf_load_mem("../conf/x y.yaml", y, strlen(y), 0, t_out);
    }
    assert_null(conf);
    t_has_error("../conf/x y.yaml:1:17: dfexport.ack: must be one of "
                "\"queued\", \"kafka\", got \"a\\x0ab\"");

    /* long values are cut */
    memset(big, 'a', sizeof(big));
    memcpy(big, "dfexport: {ack: ", 16);
    memcpy(big + sizeof(big) - 3, "}\n", 3);
    conf = t_load(big);
    assert_null(conf);
    t_has_error("t.yaml:1:17: dfexport.ack: must be one of \"queued\", "
                "\"kafka\", got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                "aaaaaaaaaaaaaaa...\"");
}

static void
test_suggest(void **state)
{
    dfx_conf_suggest_t  sg;

    (void) state;
    dfx_conf_suggest_init(&sg, "flush-timout");
    dfx_conf_suggest_add(&sg, "queue-size");
    dfx_conf_suggest_add(&sg, "flush-timeout");
    assert_string_equal(dfx_conf_suggest_result(&sg), "flush-timeout");

    /* swapped neighbours are one edit */
    dfx_conf_suggest_init(&sg, "kafak");
    dfx_conf_suggest_add(&sg, "kafka");
    assert_string_equal(dfx_conf_suggest_result(&sg), "kafka");

    /* case alone */
    dfx_conf_suggest_init(&sg, "Topic");
    dfx_conf_suggest_add(&sg, "topic");
    assert_string_equal(dfx_conf_suggest_result(&sg), "topic");

    /* too far: another word, not a typo */
    dfx_conf_suggest_init(&sg, "key");
    dfx_conf_suggest_add(&sg, "sasl");
    dfx_conf_suggest_add(&sg, "topic");
    assert_null(dfx_conf_suggest_result(&sg));
    dfx_conf_suggest_init(&sg, "ab");
    dfx_conf_suggest_add(&sg, "xy");
    assert_null(dfx_conf_suggest_result(&sg));

    /* the closest wins */
    dfx_conf_suggest_init(&sg, "batch-sise");
    dfx_conf_suggest_add(&sg, "batch-sizes");
    dfx_conf_suggest_add(&sg, "batch-size");
    assert_string_equal(dfx_conf_suggest_result(&sg), "batch-size");
}

/* ---- the DeepFlow server.yaml fixture ------------------------------- */

#define T_DEEPFLOW  DFX_TEST_SRCDIR "/t/unit/core/conf/deepflow-server.yaml"

static void
test_deepflow_server_yaml(void **state)
{
    const dfx_conf_exporter_t       *ec;
    const dfx_export_fields_conf_t  *ef;
    const dfx_tag_filter_conf_t     *tf;
    dfx_conf_t                      *conf;

    (void) state;
    t_reset();
    conf = dfx_conf_load(T_DEEPFLOW, t_out);
    assert_non_null(conf);
    t_counts(0, 3);
    t_has_notice(T_DEEPFLOW ":60:20: notice: ingester.exporters[0]."
                 "flush-timeout: records now wait up to 10 s for their batch "
                 "(DeepFlow ignored this key and sent every second)");
    t_has_notice(T_DEEPFLOW ":82:15: notice: ingester.exporters[1]: protocol "
                 "\"prometheus\" is not exported by dfexport; exporter "
                 "skipped");
    t_has_notice(T_DEEPFLOW ":99:15: notice: ingester.exporters[2]: protocol "
                 "\"opentelemetry\" is not exported by dfexport; exporter "
                 "skipped");
    assert_string_equal(conf->file, T_DEEPFLOW);
    assert_int_equal(conf->nexporters, 1);
    assert_int_equal(t_kafka_calls, 1);
    ec = &conf->exporters[0];
    assert_int_equal(ec->index, 0);
    assert_int_equal(ec->enabled.v, 1);
    assert_int_equal(ec->endpoints.n, 2);
    assert_string_equal(ec->endpoints.v[1].v, "broker-b.example.net:9092");
    assert_int_equal(ec->data_sources.n, 1);
    assert_string_equal(ec->data_sources.v[0].v, "flow_log.l7_flow_log");
    assert_int_equal(ec->queue_count.v, 4);
    assert_int_equal(ec->queue_size.v, 100000);
    assert_int_equal(ec->batch_size.v, 1024);
    assert_int_equal(ec->flush_timeout.v, 10);
    assert_int_equal(ec->sasl.enabled.v, 0);
    assert_string_equal(ec->sasl.username.v, "alice");
    assert_string_equal(ec->topic.v, "");
    assert_int_equal(ec->topic.m.set, 0);
    tf = ec->mconf[T_TF];
    assert_int_equal(tf->groups.n, 0);
    ef = ec->mconf[T_EF];
    assert_int_equal(ef->fields.n, 2);
    dfx_conf_free(conf);
}

/* ---- conf/dfexport.yaml documents every key -------------------------- */

#define T_SHIPPED  DFX_TEST_SRCDIR "/conf/dfexport.yaml"

/* "name:" written as a key (after indentation, "- ", "{", ",", "#"). */
static int
t_documented(const char *text, const char *name)
{
    const char  *p = text;
    size_t       len = strlen(name);
    char         before;

    while ((p = strstr(p, name)) != NULL) {
        before = p == text ? '\n' : p[-1];
        if (p[len] == ':' && (p[len + 1] == ' ' || p[len + 1] == '\n')
            && (before == '\n' || before == ' ' || before == '{'
                || before == ','))
        {
            return 1;
        }
        p += len;
    }
    return 0;
}

static void
t_check_table_documented(const char *text, const dfx_conf_key_t *keys,
                         int *nkeys)
{
    const dfx_conf_key_t  *k;

    for (k = keys; k->name != NULL; k++) {
        (*nkeys)++;
        if (!t_documented(text, k->name)) {
            fail_msg("key \"%s\" is not in conf/dfexport.yaml", k->name);
        }
        assert_non_null(k->doc);
        assert_true(k->doc[0] != '\0');
        if (k->type == DFX_CONF_TABLE || k->type == DFX_CONF_TABLE_LIST) {
            assert_non_null(k->table);
            t_check_table_documented(text, k->table, nkeys);
        }
    }
}

/* The two structs hold the same values for every key of the table. */
static void
t_compare(const dfx_conf_key_t *keys, const void *a, const void *b,
          const char *const *skip)
{
    const dfx_conf_key_t  *k;
    const void            *x, *y;
    const dfx_conf_strs_t *sx, *sy;
    size_t                 i;
    int                    skipped;

    for (k = keys; k->name != NULL; k++) {
        for (skipped = 0, i = 0; skip != NULL && skip[i] != NULL; i++) {
            skipped |= strcmp(skip[i], k->name) == 0;
        }
        if (skipped) {
            continue;
        }
        x = (const char *) a + k->offset;
        y = (const char *) b + k->offset;
        switch (k->type) {
        case DFX_CONF_BOOL:
        case DFX_CONF_ENUM:
            assert_int_equal(((const dfx_conf_bool_t *) x)->v,
                             ((const dfx_conf_bool_t *) y)->v);
            break;
        case DFX_CONF_INT:
            assert_int_equal(((const dfx_conf_int_t *) x)->v,
                             ((const dfx_conf_int_t *) y)->v);
            break;
        case DFX_CONF_SIZE:
            assert_int_equal(((const dfx_conf_size_t *) x)->v,
                             ((const dfx_conf_size_t *) y)->v);
            break;
        case DFX_CONF_STR:
            assert_string_equal(((const dfx_conf_str_t *) x)->v,
                                ((const dfx_conf_str_t *) y)->v);
            break;
        case DFX_CONF_STRS:
        case DFX_CONF_STR_OR_STRS:
            sx = x;
            sy = y;
            assert_int_equal(sx->n, sy->n);
            for (i = 0; i < sx->n; i++) {
                assert_string_equal(sx->v[i].v, sy->v[i].v);
            }
            break;
        case DFX_CONF_TABLE:
            t_compare(k->table, x, y, NULL);
            break;
        case DFX_CONF_TABLE_LIST:
            assert_int_equal(((const dfx_conf_list_t *) x)->n,
                             ((const dfx_conf_list_t *) y)->n);
            break;
        case DFX_CONF_MAP:
            assert_int_equal(((const dfx_conf_map_t *) x)->n,
                             ((const dfx_conf_map_t *) y)->n);
            break;
        default:
            break;
        }
    }
}

/* Relative paths are relative to the config file's directory. */
static void
test_relative_paths(void **state)
{
    static const char  yaml[] =
        "dfexport: {dictionary: dict.json, log: {file: /var/log/x.log}}\n"
        T_EXP
        "    tls-ca-file: certs/ca.pem\n"
        "    tls-cert-file: /etc/ssl/client.pem\n";
    dfx_conf_t  *conf;

    (void) state;
    t_reset();
    conf = dfx_conf_load_mem("/etc/dfexport/dfexport.yaml", yaml,
                             sizeof(yaml) - 1, 0, t_out);
    assert_non_null(conf);
    assert_string_equal(conf->main.enum_dir.v, "/etc/dfexport/enum");
    assert_string_equal(conf->main.dictionary.v, "/etc/dfexport/dict.json");
    assert_string_equal(conf->main.log.file.v, "/var/log/x.log");
    assert_string_equal(conf->exporters[0].tls_ca_file.v,
                        "/etc/dfexport/certs/ca.pem");
    assert_string_equal(conf->exporters[0].tls_cert_file.v,
                        "/etc/ssl/client.pem");
    assert_string_equal(conf->exporters[0].tls_key_file.v, "");
    dfx_conf_free(conf);

    conf = t_load("dfexport: {enum-dir: /usr/share/x}\n");
    assert_non_null(conf);
    assert_string_equal(conf->main.enum_dir.v, "/usr/share/x");
    dfx_conf_free(conf);
}

static void
test_shipped_conf(void **state)
{
    static const char *const  skip[] = {
        "protocol", "enabled", "endpoints", "data-sources", "export-fields",
        NULL
    };
    static const char *const  main_skip[] = { "enum-dir", NULL };
    dfx_conf_t               *shipped, *defaults;
    char                     *text;
    int                       nkeys = 0, i;

    (void) state;
    t_reset();
    shipped = dfx_conf_load(T_SHIPPED, t_out);
    assert_non_null(shipped);
    t_counts(0, 0);
    assert_int_equal(shipped->nexporters, 1);
    assert_int_equal(t_kafka_calls, 1);

    /* every key of every table is written in it, and documented */
    text = t_read_file(T_SHIPPED);
    t_check_table_documented(text, dfx_conf_main_keys, &nkeys);
    t_check_table_documented(text, dfx_conf_exporter_keys, &nkeys);
    for (i = 0; dfx_modules[i] != NULL; i++) {
        if (dfx_modules[i]->keys != NULL) {
            t_check_table_documented(text, dfx_modules[i]->keys, &nkeys);
        }
    }
    assert_true(nkeys > 50);
    /* the negative check works */
    assert_false(t_documented(text, "flush-timout"));
    assert_false(t_documented(text, "time"));
    free(text);

    /* and the values written are the defaults */
    defaults = t_load(T_EXP);
    assert_non_null(defaults);
    /* enum-dir is resolved against each file's directory: compare what
     * both were written with */
    assert_string_equal(defaults->main.enum_dir.v, "./enum");
    assert_true(strlen(shipped->main.enum_dir.v) > 5
                && strcmp(shipped->main.enum_dir.v
                          + strlen(shipped->main.enum_dir.v) - 5, "/enum")
                   == 0);
    t_compare(dfx_conf_main_keys, &defaults->main, &shipped->main,
              main_skip);
    t_compare(dfx_conf_exporter_keys, &defaults->exporters[0],
              &shipped->exporters[0], skip);
    for (i = 0; dfx_modules[i] != NULL; i++) {
        if (dfx_modules[i]->keys != NULL) {
            t_compare(dfx_modules[i]->keys, defaults->exporters[0].mconf[i],
                      shipped->exporters[0].mconf[i], skip);
        }
    }
    dfx_conf_free(defaults);
    dfx_conf_free(shipped);
}

/* The tables themselves: no key claimed twice by an exporter's tables,
 * ZERO_DEFAULT only with a default. */
static void
t_check_table(const dfx_conf_key_t *keys)
{
    const dfx_conf_key_t  *k, *o;

    for (k = keys; k->name != NULL; k++) {
        for (o = k + 1; o->name != NULL; o++) {
            assert_string_not_equal(k->name, o->name);
        }
        if (k->flags & DFX_CONF_KEY_ZERO_DEFAULT) {
            assert_non_null(k->def);
        }
        if (k->type == DFX_CONF_ENUM) {
            assert_non_null(k->choices);
        }
        if (k->type == DFX_CONF_TABLE_LIST) {
            assert_true(k->elem_size >= sizeof(dfx_loc_t));
        }
        if (k->table != NULL) {
            t_check_table(k->table);
        }
    }
}

static void
test_key_tables(void **state)
{
    const dfx_conf_key_t  *a, *b;
    int                    i, j;

    (void) state;
    t_check_table(dfx_conf_main_keys);
    t_check_table(dfx_conf_exporter_keys);
    for (i = 0; dfx_modules[i] != NULL; i++) {
        if (dfx_modules[i]->keys == NULL) {
            continue;
        }
        t_check_table(dfx_modules[i]->keys);
        for (a = dfx_modules[i]->keys; a->name != NULL; a++) {
            for (b = dfx_conf_exporter_keys; b->name != NULL; b++) {
                assert_string_not_equal(a->name, b->name);
            }
            for (j = i + 1; dfx_modules[j] != NULL; j++) {
                for (b = dfx_modules[j]->keys; b != NULL && b->name != NULL;
                     b++)
                {
                    assert_string_not_equal(a->name, b->name);
                }
            }
        }
    }
}

/* ---- running out of memory ------------------------------------------ */

static void
test_alloc_failures(void **state)
{
    const char  *yaml =
        "dfexport:\n"
        "  listen: [127.0.0.1:1, 127.0.0.1:2]\n"
        "  log: {level: debug}\n"
        "a: &a [1, 2]\n"
        "b: *a\n"
        "ingester:\n"
        "  exporters:\n"
        "  - protocol: prometheus\n"
        "  - protocol: kafka\n"
        "    enabled: true\n"
        "    endpoints: [a:1, b:2]\n"
        "    data-sources: [flow_log.l7_flow_log]\n"
        "    export-fields: [$tag, $metrics, request_domain]\n"
        "    librdkafka: {a: b, c: d}\n"
        "    tag-filters-groups:\n"
        "    - tag-filter-condition: {type: or}\n"
        "      tag-filters:\n"
        "      - {field-name: request_domain, operator: ':',"
        " field-values: ['*.a', b]}\n";
    dfx_conf_t  *conf;
    long         n;
    int          i, oom;

    (void) state;
    for (n = 0; n < 100000; n++) {
        t_reset();
        t_alloc_count = 0;
        t_alloc_fail = n;
        conf = dfx_conf_load_mem("t.yaml", yaml, strlen(yaml), 0, t_out);
        t_alloc_fail = -1;
        if (t_alloc_count <= n) {
            /* nothing failed: every allocation has been tried */
            assert_non_null(conf);
            t_counts(0, 1);
            dfx_conf_free(conf);
            break;
        }
        assert_null(conf);
        for (oom = 0, i = 0; i < t_nlines; i++) {
            oom |= strstr(t_lines[i], "out of memory") != NULL;
        }
        if (!oom) {
            print_message("allocation %ld failed without a report\n", n);
            t_dump();
            fail();
        }
    }
    assert_true(n > 50);
    t_reset();
}

/* ---- dfexport.clickhouse -------------------------------------------- */

/* The block's keys from line 3 on, at column 5. */
#define T_CH  "dfexport:\n  clickhouse:\n"

static void
test_clickhouse_defaults(void **state)
{
    const dfx_conf_clickhouse_t  *cc;
    dfx_conf_t                   *conf;

    (void) state;
    /* off by default, and off needs no checkpoint-dir */
    conf = t_clean(T_EXP);
    cc = &conf->main.clickhouse;
    assert_string_equal(cc->url.v, "");
    assert_int_equal(cc->url.m.set, 0);
    assert_string_equal(cc->user.v, "default");
    assert_string_equal(cc->password.v, "");
    assert_string_equal(cc->password_file.v, "");
    assert_string_equal(cc->tls_ca_file.v, "");
    assert_int_equal(cc->orgs.n, 1);
    assert_string_equal(cc->orgs.v[0].v, "1");
    assert_int_equal(cc->data_sources.n, 0);
    assert_int_equal(cc->settle.v, 60);
    assert_int_equal(cc->window.v, 60);
    assert_string_equal(cc->checkpoint_dir.v, "");
    assert_string_equal(cc->start.v, "now");
    assert_int_equal(cc->timeout.v, 30);
    assert_int_equal(cc->retry_max.v, 60);
    /* what the check fills in */
    assert_int_equal(cc->start_ts, -1);
    assert_int_equal(cc->norgs, 1);
    assert_int_equal(cc->org_ids[0], 1);
    assert_int_equal(cc->ds_mask, 0);
    dfx_conf_free(conf);

    /* an empty or null block is the defaults too */
    conf = t_clean("dfexport:\n  clickhouse: {}\n" T_EXP);
    assert_string_equal(conf->main.clickhouse.url.v, "");
    assert_int_equal(conf->main.clickhouse.norgs, 1);
    dfx_conf_free(conf);
    conf = t_clean("dfexport:\n  clickhouse:\n" T_EXP);
    assert_string_equal(conf->main.clickhouse.user.v, "default");
    assert_int_equal(conf->main.clickhouse.start_ts, -1);
    dfx_conf_free(conf);
}

static void
test_clickhouse_values(void **state)
{
    const dfx_conf_clickhouse_t  *cc;
    dfx_conf_t                   *conf;
    uint32_t                      mask;

    (void) state;
    assert_int_equal(setenv("DFX_TEST_PW", "pw from env", 1), 0);
    conf = t_clean(T_CH
                   "    url: https://ch.example:8443\n"
                   "    user: dfexport_ro\n"
                   "    password: \"${DFX_TEST_PW}\"\n"
                   "    tls-ca-file: certs/ca.pem\n"
                   "    orgs: [1, 2, 1024]\n"
                   "    data-sources: [flow_log.l7_flow_log,"
                   " flow_metrics.network.1m]\n"
                   "    settle: 0\n"
                   "    window: 300\n"
                   "    checkpoint-dir: /var/lib/dfexport/ch\n"
                   "    start: 1700000000\n"
                   "    timeout: 5\n"
                   "    retry-max: 10\n"
                   T_EXP);
    assert_int_equal(unsetenv("DFX_TEST_PW"), 0);
    cc = &conf->main.clickhouse;
    assert_string_equal(cc->url.v, "https://ch.example:8443");
    assert_string_equal(cc->user.v, "dfexport_ro");
    assert_string_equal(cc->password.v, "pw from env");
    /* relative to the configuration file */
    assert_string_equal(cc->tls_ca_file.v, "./certs/ca.pem");
    assert_int_equal(cc->norgs, 3);
    assert_int_equal(cc->org_ids[0], 1);
    assert_int_equal(cc->org_ids[1], 2);
    assert_int_equal(cc->org_ids[2], 1024);
    assert_int_equal(cc->data_sources.n, 2);
    mask = 1u << dfx_schema_find("flow_log.l7_flow_log", 20)->id;
    mask |= 1u << dfx_schema_find("flow_metrics.network.1m", 23)->id;
    assert_int_equal(cc->ds_mask, mask);
    assert_int_equal(cc->settle.v, 0);
    assert_int_equal(cc->window.v, 300);
    assert_string_equal(cc->checkpoint_dir.v, "/var/lib/dfexport/ch");
    assert_int_equal(cc->start_ts, 1700000000);
    assert_int_equal(cc->timeout.v, 5);
    assert_int_equal(cc->retry_max.v, 10);
    dfx_conf_free(conf);

    /* one org as a scalar; a relative checkpoint-dir; plain http */
    conf = t_clean(T_CH
                   "    url: http://127.0.0.1:8123\n"
                   "    orgs: 7\n"
                   "    checkpoint-dir: ch-state\n"
                   "    password: plain ${not a reference}\n"
                   T_EXP);
    cc = &conf->main.clickhouse;
    assert_int_equal(cc->norgs, 1);
    assert_int_equal(cc->org_ids[0], 7);
    assert_string_equal(cc->checkpoint_dir.v, "./ch-state");
    assert_string_equal(cc->password.v, "plain ${not a reference}");
    assert_int_equal(cc->start_ts, -1);
    dfx_conf_free(conf);

    conf = dfx_conf_load_mem("/etc/dfexport/dfexport.yaml",
                             T_CH "    checkpoint-dir: ch\n" T_EXP,
                             strlen(T_CH "    checkpoint-dir: ch\n" T_EXP),
                             0, t_out);
    assert_non_null(conf);
    assert_string_equal(conf->main.clickhouse.checkpoint_dir.v,
                        "/etc/dfexport/ch");
    dfx_conf_free(conf);
}

static void
test_clickhouse_url(void **state)
{
    (void) state;
    /* on: a checkpoint directory is required */
    t_one_error(T_CH "    url: http://ch:8123\n",
                "t.yaml:3:5: dfexport.clickhouse.checkpoint-dir: required "
                "when dfexport.clickhouse.url is set");
    t_one_error("dfexport:\n  clickhouse: {url: 'http://ch:8123'}\n",
                "t.yaml:2:15: dfexport.clickhouse.checkpoint-dir: required "
                "when dfexport.clickhouse.url is set");
    t_one_error(T_CH "    url: http://ch:8123\n    checkpoint-dir: ''\n",
                "t.yaml:4:21: dfexport.clickhouse.checkpoint-dir: required "
                "when dfexport.clickhouse.url is set");

    t_one_error(T_CH "    url: ftp://ch:21\n    checkpoint-dir: /tmp/ch\n",
                "t.yaml:3:10: dfexport.clickhouse.url: must begin with "
                "http:// or https://, got \"ftp://ch:21\"");
    t_one_error(T_CH "    url: ch:8123\n    checkpoint-dir: /tmp/ch\n",
                "t.yaml:3:10: dfexport.clickhouse.url: must begin with "
                "http:// or https://, got \"ch:8123\"");
    t_one_error(T_CH "    url: http://ch:8123/?database=flow_log\n"
                "    checkpoint-dir: /tmp/ch\n",
                "t.yaml:3:10: dfexport.clickhouse.url: no query and no "
                "credentials in the url (use user and password), got "
                "\"http://ch:8123/?database=flow_log\"");
    t_one_error(T_CH "    url: https://default:pw@ch:8443\n"
                "    checkpoint-dir: /tmp/ch\n",
                "t.yaml:3:10: dfexport.clickhouse.url: no query and no "
                "credentials in the url (use user and password), got "
                "\"https://default:pw@ch:8443\"");

    /* a CA bundle is for TLS */
    t_one_error(T_CH "    url: http://ch:8123\n"
                "    tls-ca-file: /etc/ssl/ca.pem\n"
                "    checkpoint-dir: /tmp/ch\n",
                "t.yaml:4:18: dfexport.clickhouse.tls-ca-file: only used "
                "with an https:// url");

    /* the generic checks of the dispatcher apply to the block */
    t_one_error(T_CH "    urll: http://ch:8123\n",
                "t.yaml:3:5: dfexport.clickhouse: unknown key \"urll\"; did "
                "you mean \"url\"?");
    t_one_error(T_CH "    window: 0\n",
                "t.yaml:3:13: dfexport.clickhouse.window: must be between 1 "
                "and 86400, got \"0\"");
    t_one_error(T_CH "    settle: 86401\n",
                "t.yaml:3:13: dfexport.clickhouse.settle: must be between 0 "
                "and 86400, got \"86401\"");
}

static void
test_clickhouse_dictionary_refresh(void **state)
{
    (void) state;
    t_one_error(T_CH "    dictionary-refresh: 60\n",
                "t.yaml:3:25: dfexport.clickhouse.dictionary-refresh: needs "
                "dfexport.clickhouse.url");
    t_one_error("dfexport:\n  dictionary: /etc/d.json\n  clickhouse:\n"
                "    url: http://ch:8123\n    checkpoint-dir: /tmp/ch\n"
                "    dictionary-refresh: 60\n",
                "t.yaml:6:25: dfexport.clickhouse.dictionary-refresh: give "
                "dfexport.dictionary or clickhouse.dictionary-refresh, not "
                "both");
    t_one_error(T_CH "    dictionary-refresh: -1\n",
                "t.yaml:3:25: dfexport.clickhouse.dictionary-refresh: must "
                "be between 0 and 86400, got \"-1\"");
}

static void
test_clickhouse_orgs(void **state)
{
    (void) state;
    t_one_error(T_CH "    orgs: [0]\n",
                "t.yaml:3:12: dfexport.clickhouse.orgs[0]: an org id is between "
                "1 and 1024, got \"0\"");
    t_one_error(T_CH "    orgs: [1025]\n",
                "t.yaml:3:12: dfexport.clickhouse.orgs[0]: an org id is between "
                "1 and 1024, got \"1025\"");
    t_one_error(T_CH "    orgs: [-1]\n",
                "t.yaml:3:12: dfexport.clickhouse.orgs[0]: an org id is between "
                "1 and 1024, got \"-1\"");
    t_one_error(T_CH "    orgs: [1, abc]\n",
                "t.yaml:3:15: dfexport.clickhouse.orgs[1]: an org id is between "
                "1 and 1024, got \"abc\"");
    t_one_error(T_CH "    orgs: 2x\n",
                "t.yaml:3:11: dfexport.clickhouse.orgs: an org id is between "
                "1 and 1024, got \"2x\"");
    t_one_error(T_CH "    orgs: [1, 2, 1]\n",
                "t.yaml:3:18: dfexport.clickhouse.orgs[2]: org 1 is listed "
                "twice");
    /* a value the walker refused is not refused again */
    t_one_error(T_CH "    orgs: [[1]]\n",
                "t.yaml:3:12: dfexport.clickhouse.orgs[0]: must be a "
                "string, got a list");
    t_one_error(T_CH "    orgs: []\n",
                "t.yaml:3:11: dfexport.clickhouse.orgs: must not be empty");
    t_one_error(T_CH "    orgs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,"
                " 14, 15, 16, 17]\n",
                "t.yaml:3:11: dfexport.clickhouse.orgs: at most 16 orgs");
}

static void
test_clickhouse_data_sources(void **state)
{
    dfx_conf_t  *conf;

    (void) state;
    t_one_error(T_CH "    data-sources: [flow_log.l7_flow_log,"
                " flow_log.l7_flowlog]\n",
                "t.yaml:3:42: dfexport.clickhouse.data-sources[1]: unknown "
                "data source \"flow_log.l7_flowlog\"; did you mean "
                "\"flow_log.l7_flow_log\"?");
    /* one DeepFlow exports nothing for has nothing to read either */
    t_one_error(T_CH "    data-sources: event.file_agg_event\n",
                "t.yaml:3:19: dfexport.clickhouse.data-sources[0]: unknown "
                "data source \"event.file_agg_event\"");
    conf = t_load(T_CH "    data-sources: [nope1, nope2]\n");
    assert_null(conf);
    t_counts(2, 0);
}

static void
test_clickhouse_start(void **state)
{
    static const struct {
        const char  *text;
        int64_t      t;
    } cases[] = {
        { "now", -1 },
        { "0", 0 },
        { "1700000000", 1700000000 },
        { "4294967295", 4294967295LL },
        { "2023-11-14 22:13:20", 1700000000 },
        { "2023-11-14T22:13:20Z", 1700000000 },
        { "1970-01-01 00:00:00", 0 },
        { "2000-02-29 12:00:00", 951825600 },
        /* refused */
        { "yesterday", -2 },
        { "", -2 },
        { "NOW", -2 },
        { "-1", -2 },
        { "1700000000.5", -2 },
        { "1700000000s", -2 },
        { "4294967296", -2 },
        { "99999999999999999999", -2 },
        { "2023-11-14", -2 },
        { "2023-11-14T22:13:20", -2 },
        { "2023-11-14 22:13:20Z", -2 },
        { "2023-11-14T22:13:20+08:00", -2 },
        { "2023-11-14 22:13:20 ", -2 },
        { "2023-11-14_22:13:20", -2 },
        { "2023-13-01 00:00:00", -2 },
        { "2023-00-01 00:00:00", -2 },
        { "2023-11-32 00:00:00", -2 },
        { "2023-11-14 24:00:00", -2 },
        { "2023-11-14 22:60:00", -2 },
        { "1969-12-31 23:59:59", -2 },
        /* dates that do not exist, which timegm() would move */
        { "2023-02-30 00:00:00", -2 },
        { "2023-04-31 12:00:00", -2 },
        { "2016-12-31 23:59:60", -2 },
        { "2200-01-01 00:00:00", -2 },
        { "2023-1-2 3:4:5", -2 },
        { "2023-11-14  22:13:20", -2 },
        { "2106-02-07 06:28:15", 4294967295LL },
    };
    dfx_conf_t  *conf;
    size_t       i;

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (dfx_conf_parse_time(cases[i].text) != cases[i].t) {
            fail_msg("\"%s\": expected %lld, got %lld", cases[i].text,
                     (long long) cases[i].t,
                     (long long) dfx_conf_parse_time(cases[i].text));
        }
    }

    conf = t_clean(T_CH "    start: now\n" T_EXP);
    assert_int_equal(conf->main.clickhouse.start_ts, -1);
    dfx_conf_free(conf);
    conf = t_clean(T_CH "    start: 1700000000\n" T_EXP);
    assert_int_equal(conf->main.clickhouse.start_ts, 1700000000);
    dfx_conf_free(conf);
    conf = t_clean(T_CH "    start: \"2023-11-14 22:13:20\"\n" T_EXP);
    assert_int_equal(conf->main.clickhouse.start_ts, 1700000000);
    dfx_conf_free(conf);
    conf = t_clean(T_CH "    start: 2023-11-14T22:13:20Z\n" T_EXP);
    assert_int_equal(conf->main.clickhouse.start_ts, 1700000000);
    dfx_conf_free(conf);

    t_one_error(T_CH "    start: yesterday\n",
                "t.yaml:3:12: dfexport.clickhouse.start: must be now, unix "
                "seconds or \"YYYY-MM-DD hh:mm:ss\" (UTC), got "
                "\"yesterday\"");
    t_one_error(T_CH "    start: '2023-11-14T22:13:20'\n",
                "t.yaml:3:12: dfexport.clickhouse.start: must be now, unix "
                "seconds or \"YYYY-MM-DD hh:mm:ss\" (UTC), got "
                "\"2023-11-14T22:13:20\"");
}

/* A file in dir, with data. */
static void
t_ch_write(const char *dir, const char *name, const char *data)
{
    char   path[512];
    FILE  *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
    assert_int_equal(fclose(f), 0);
}

/* Loads yaml as the file dir/dfexport.yaml (it is not written). */
static dfx_conf_t *
t_ch_load_in(const char *dir, const char *yaml)
{
    char  name[512];

    snprintf(name, sizeof(name), "%s/dfexport.yaml", dir);
    t_reset();
    return dfx_conf_load_mem(name, yaml, strlen(yaml), 0, t_out);
}

static void
test_clickhouse_password(void **state)
{
    const char  *base = getenv("TMPDIR");
    dfx_conf_t  *conf;
    char         dir[256], path[512], expect[1024];

    (void) state;
    /* ${NAME}: from the environment, checked at load */
    assert_int_equal(setenv("DFX_TEST_PW", "s3cret", 1), 0);
    conf = t_clean(T_CH "    password: \"${DFX_TEST_PW}\"\n" T_EXP);
    assert_string_equal(conf->main.clickhouse.password.v, "s3cret");
    dfx_conf_free(conf);
    /* set but empty is a value */
    assert_int_equal(setenv("DFX_TEST_PW", "", 1), 0);
    conf = t_clean(T_CH "    password: \"${DFX_TEST_PW}\"\n" T_EXP);
    assert_string_equal(conf->main.clickhouse.password.v, "");
    dfx_conf_free(conf);
    assert_int_equal(unsetenv("DFX_TEST_PW"), 0);
    t_one_error(T_CH "    password: \"${DFX_TEST_PW}\"\n",
                "t.yaml:3:15: dfexport.clickhouse.password: the environment "
                "variable DFX_TEST_PW is not set");
    /* only the whole value, and only a name, is a reference */
    conf = t_clean(T_CH "    password: \"x${DFX_TEST_PW}\"\n" T_EXP);
    assert_string_equal(conf->main.clickhouse.password.v,
                        "x${DFX_TEST_PW}");
    dfx_conf_free(conf);
    conf = t_clean(T_CH "    password: \"${1PW}\"\n" T_EXP);
    assert_string_equal(conf->main.clickhouse.password.v, "${1PW}");
    dfx_conf_free(conf);
    conf = t_clean(T_CH "    password: $DFX_TEST_PW\n" T_EXP);
    assert_string_equal(conf->main.clickhouse.password.v, "$DFX_TEST_PW");
    dfx_conf_free(conf);

    /* password-file: its first line, relative to the config file */
    snprintf(dir, sizeof(dir), "%s/dfx-conf-ch-XXXXXX",
             base != NULL && strlen(base) < 128 ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    t_ch_write(dir, "pw.txt", "file s3cret\nsecond line\n");
    t_ch_write(dir, "crlf.txt", "dos pw\r\n");
    t_ch_write(dir, "bare.txt", "no newline");
    t_ch_write(dir, "empty.txt", "");

    conf = t_ch_load_in(dir, T_CH "    password-file: pw.txt\n" T_EXP);
    assert_non_null(conf);
    t_counts(0, 0);
    snprintf(path, sizeof(path), "%s/pw.txt", dir);
    assert_string_equal(conf->main.clickhouse.password_file.v, path);
    assert_string_equal(conf->main.clickhouse.password.v, "file s3cret");
    dfx_conf_free(conf);
    /* the shipped file writes password: "": that is no password given */
    conf = t_ch_load_in(dir, T_CH "    password: \"\"\n"
                        "    password-file: pw.txt\n" T_EXP);
    assert_non_null(conf);
    t_counts(0, 0);
    assert_string_equal(conf->main.clickhouse.password.v, "file s3cret");
    dfx_conf_free(conf);
    conf = t_ch_load_in(dir, T_CH "    password-file: crlf.txt\n" T_EXP);
    assert_non_null(conf);
    assert_string_equal(conf->main.clickhouse.password.v, "dos pw");
    dfx_conf_free(conf);
    conf = t_ch_load_in(dir, T_CH "    password-file: bare.txt\n" T_EXP);
    assert_non_null(conf);
    assert_string_equal(conf->main.clickhouse.password.v, "no newline");
    dfx_conf_free(conf);
    conf = t_ch_load_in(dir, T_CH "    password-file: empty.txt\n" T_EXP);
    assert_non_null(conf);
    assert_string_equal(conf->main.clickhouse.password.v, "");
    dfx_conf_free(conf);

    conf = t_ch_load_in(dir, T_CH "    password-file: nope.txt\n");
    assert_null(conf);
    t_counts(1, 0);
    snprintf(expect, sizeof(expect), "%s/dfexport.yaml:3:20: "
             "dfexport.clickhouse.password-file: cannot open "
             "\"%s/nope.txt\": No such file or directory", dir, dir);
    t_has_error(expect);

    /* never both */
    t_one_error(T_CH "    password: pw\n    password-file: /etc/pw.txt\n",
                "t.yaml:4:20: dfexport.clickhouse.password-file: give "
                "password or password-file, not both");

    snprintf(path, sizeof(path), "%s/pw.txt", dir);
    assert_int_equal(remove(path), 0);
    snprintf(path, sizeof(path), "%s/crlf.txt", dir);
    assert_int_equal(remove(path), 0);
    snprintf(path, sizeof(path), "%s/bare.txt", dir);
    assert_int_equal(remove(path), 0);
    snprintf(path, sizeof(path), "%s/empty.txt", dir);
    assert_int_equal(remove(path), 0);
    assert_int_equal(remove(dir), 0);
}

/* sasl.password: ${ENV}, sasl.password-file, both, unset (the rules and
 * messages of dfexport.clickhouse.password). */
#define T_SASL  T_EXP "    sasl:\n      enabled: true\n      username: u\n"

static void
test_sasl_password_secrets(void **state)
{
    const char  *base = getenv("TMPDIR");
    dfx_conf_t  *conf;
    char         dir[256], path[512], expect[1024];

    (void) state;
    /* ${NAME}: from the environment (line 11, column 17 is the value) */
    assert_int_equal(setenv("DFX_TEST_SASL_PW", "env s3cret", 1), 0);
    conf = t_clean(T_SASL "      password: \"${DFX_TEST_SASL_PW}\"\n");
    assert_string_equal(conf->exporters[0].sasl.password.v, "env s3cret");
    dfx_conf_free(conf);
    /* set but empty: no password, which sasl requires */
    assert_int_equal(setenv("DFX_TEST_SASL_PW", "", 1), 0);
    t_one_error(T_SASL "      password: \"${DFX_TEST_SASL_PW}\"\n",
                "t.yaml:11:17: ingester.exporters[0].sasl.password: "
                "required when sasl.enabled is true");
    /* unset: an error, never an empty password */
    assert_int_equal(unsetenv("DFX_TEST_SASL_PW"), 0);
    t_one_error(T_SASL "      password: \"${DFX_TEST_SASL_PW}\"\n",
                "t.yaml:11:17: ingester.exporters[0].sasl.password: the "
                "environment variable DFX_TEST_SASL_PW is not set");
    /* also when sasl is off: the reference is checked at load */
    t_one_error(T_EXP "    sasl: {password: \"${DFX_TEST_SASL_PW}\"}\n",
                "t.yaml:8:22: ingester.exporters[0].sasl.password: the "
                "environment variable DFX_TEST_SASL_PW is not set");
    /* only the whole value is a reference */
    conf = t_clean(T_SASL "      password: \"a${DFX_TEST_SASL_PW}\"\n");
    assert_string_equal(conf->exporters[0].sasl.password.v,
                        "a${DFX_TEST_SASL_PW}");
    dfx_conf_free(conf);

    /* password-file: its first line, relative to the config file */
    snprintf(dir, sizeof(dir), "%s/dfx-conf-sasl-XXXXXX",
             base != NULL && strlen(base) < 128 ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    t_ch_write(dir, "sasl.txt", "file s3cret\r\nsecond line\n");
    t_ch_write(dir, "empty.txt", "");

    conf = t_ch_load_in(dir, T_SASL "      password-file: sasl.txt\n");
    assert_non_null(conf);
    t_counts(0, 0);
    snprintf(path, sizeof(path), "%s/sasl.txt", dir);
    assert_string_equal(conf->exporters[0].sasl.password_file.v, path);
    assert_string_equal(conf->exporters[0].sasl.password.v, "file s3cret");
    dfx_conf_free(conf);
    /* password: "" beside it is no password given */
    conf = t_ch_load_in(dir, T_SASL "      password: \"\"\n"
                        "      password-file: sasl.txt\n");
    assert_non_null(conf);
    t_counts(0, 0);
    assert_string_equal(conf->exporters[0].sasl.password.v, "file s3cret");
    dfx_conf_free(conf);

    /* a file that cannot be read */
    conf = t_ch_load_in(dir, T_SASL "      password-file: nope.txt\n");
    assert_null(conf);
    t_counts(1, 0);
    snprintf(expect, sizeof(expect), "%s/dfexport.yaml:11:22: "
             "ingester.exporters[0].sasl.password-file: cannot open "
             "\"%s/nope.txt\": No such file or directory", dir, dir);
    t_has_error(expect);
    /* an empty one, with sasl on */
    conf = t_ch_load_in(dir, T_SASL "      password-file: empty.txt\n");
    assert_null(conf);
    t_counts(1, 0);
    snprintf(expect, sizeof(expect), "%s/dfexport.yaml:11:22: "
             "ingester.exporters[0].sasl.password-file: \"%s/empty.txt\" "
             "holds an empty password (required when sasl.enabled is "
             "true)", dir, dir);
    t_has_error(expect);

    /* never both */
    t_one_error(T_SASL "      password: pw\n"
                "      password-file: /etc/pw.txt\n",
                "t.yaml:12:22: ingester.exporters[0].sasl.password-file: "
                "give password or password-file, not both");
    assert_int_equal(setenv("DFX_TEST_SASL_PW", "x", 1), 0);
    t_one_error(T_SASL "      password: \"${DFX_TEST_SASL_PW}\"\n"
                "      password-file: sasl.txt\n",
                "t.yaml:12:22: ingester.exporters[0].sasl.password-file: "
                "give password or password-file, not both");
    assert_int_equal(unsetenv("DFX_TEST_SASL_PW"), 0);

    snprintf(path, sizeof(path), "%s/sasl.txt", dir);
    assert_int_equal(remove(path), 0);
    snprintf(path, sizeof(path), "%s/empty.txt", dir);
    assert_int_equal(remove(path), 0);
    assert_int_equal(remove(dir), 0);
}

/* Running out of memory in the block's check is reported too. */
static void
test_clickhouse_alloc_failures(void **state)
{
    const char  *yaml =
        "dfexport:\n"
        "  clickhouse:\n"
        "    url: https://ch:8443\n"
        "    password: \"${DFX_TEST_PW}\"\n"
        "    tls-ca-file: ca.pem\n"
        "    orgs: [1, 2]\n"
        "    data-sources: [flow_log.l7_flow_log]\n"
        "    checkpoint-dir: ch\n"
        "    start: \"2023-11-14 22:13:20\"\n";
    dfx_conf_t  *conf;
    long         n;
    int          i, oom;

    (void) state;
    assert_int_equal(setenv("DFX_TEST_PW", "s3cret", 1), 0);
    for (n = 0; n < 100000; n++) {
        t_reset();
        t_alloc_count = 0;
        t_alloc_fail = n;
        conf = dfx_conf_load_mem("t.yaml", yaml, strlen(yaml), 0, t_out);
        t_alloc_fail = -1;
        if (t_alloc_count <= n) {
            assert_non_null(conf);
            t_counts(0, 1);
            assert_string_equal(conf->main.clickhouse.password.v, "s3cret");
            assert_string_equal(conf->main.clickhouse.checkpoint_dir.v,
                                "./ch");
            dfx_conf_free(conf);
            break;
        }
        assert_null(conf);
        for (oom = 0, i = 0; i < t_nlines; i++) {
            oom |= strstr(t_lines[i], "out of memory") != NULL;
        }
        if (!oom) {
            print_message("allocation %ld failed without a report\n", n);
            t_dump();
            fail();
        }
    }
    assert_int_equal(unsetenv("DFX_TEST_PW"), 0);
    assert_true(n > 10);
    t_reset();
}

static int
t_teardown(void **state)
{
    (void) state;
    t_reset();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test_teardown(test_main_defaults, t_teardown),
        cmocka_unit_test_teardown(test_main_values, t_teardown),
        cmocka_unit_test_teardown(test_main_log_levels, t_teardown),
        cmocka_unit_test_teardown(test_sizes, t_teardown),
        cmocka_unit_test_teardown(test_main_errors, t_teardown),
        cmocka_unit_test_teardown(test_exporter_defaults, t_teardown),
        cmocka_unit_test_teardown(test_exporter_values, t_teardown),
        cmocka_unit_test_teardown(test_zero_means_default, t_teardown),
        cmocka_unit_test_teardown(test_unknown_keys, t_teardown),
        cmocka_unit_test_teardown(test_duplicate_keys, t_teardown),
        cmocka_unit_test_teardown(test_shapes_and_types, t_teardown),
        cmocka_unit_test_teardown(test_null_is_absent, t_teardown),
        cmocka_unit_test_teardown(test_protocols, t_teardown),
        cmocka_unit_test_teardown(test_disabled_exporter, t_teardown),
        cmocka_unit_test_teardown(test_data_sources, t_teardown),
        cmocka_unit_test_teardown(test_endpoints, t_teardown),
        cmocka_unit_test_teardown(test_exporter_rules, t_teardown),
        cmocka_unit_test_teardown(test_kafka_check, t_teardown),
        cmocka_unit_test_teardown(test_export_fields, t_teardown),
        cmocka_unit_test_teardown(test_filter_op_parse, t_teardown),
        cmocka_unit_test_teardown(test_tag_filters, t_teardown),
        cmocka_unit_test_teardown(test_tag_filter_errors, t_teardown),
        cmocka_unit_test_teardown(test_tag_filter_notices, t_teardown),
        cmocka_unit_test_teardown(test_yaml_errors, t_teardown),
        cmocka_unit_test_teardown(test_yaml_aliases, t_teardown),
        cmocka_unit_test_teardown(test_top_level_ignored, t_teardown),
        cmocka_unit_test_teardown(test_files, t_teardown),
        cmocka_unit_test_teardown(test_message_form, t_teardown),
        cmocka_unit_test_teardown(test_suggest, t_teardown),
        cmocka_unit_test_teardown(test_deepflow_server_yaml, t_teardown),
        cmocka_unit_test_teardown(test_relative_paths, t_teardown),
        cmocka_unit_test_teardown(test_shipped_conf, t_teardown),
        cmocka_unit_test_teardown(test_key_tables, t_teardown),
        cmocka_unit_test_teardown(test_alloc_failures, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_defaults, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_values, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_url, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_dictionary_refresh,
                                  t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_orgs, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_data_sources, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_start, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_password, t_teardown),
        cmocka_unit_test_teardown(test_sasl_password_secrets, t_teardown),
        cmocka_unit_test_teardown(test_clickhouse_alloc_failures, t_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
