/*
 * dfx_conf_exporter.c: ingester.exporters[], where DeepFlow keeps them.
 *
 * An element's protocol decides: kafka exporters are checked in full (the
 * exporter's own keys here, the processing keys by the modules that own
 * them, the Kafka client keys by dfx_kafka_conf_check()); prometheus and
 * opentelemetry exporters are DeepFlow's business and are skipped with a
 * notice.  A disabled kafka exporter is checked too, so that enabling it
 * later cannot fail; only the keys an exporter needs to run (data-sources,
 * endpoints) are required of enabled ones alone.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_conf_int.h"
#include "dfx_core.h"
#include "dfx_kafka.h"
#include "dfx_module.h"
#include "dfx_schema.h"
#include "dfx_stats.h"

static const char *const  dfx_conf_compression_choices[] = {
    [DFX_COMPRESSION_SNAPPY] = "snappy",
    [DFX_COMPRESSION_NONE] = "none",
    [DFX_COMPRESSION_GZIP] = "gzip",
    [DFX_COMPRESSION_LZ4] = "lz4",
    [DFX_COMPRESSION_ZSTD] = "zstd",
    NULL
};

static const char *const  dfx_conf_security_choices[] = {
    [DFX_SASL_SSL] = "SASL_SSL",
    [DFX_SASL_PLAINTEXT] = "SASL_PLAINTEXT",
    NULL
};

static const char *const  dfx_conf_mechanism_choices[] = {
    [DFX_SASL_PLAIN] = "PLAIN",
    NULL
};

static const dfx_conf_key_t  dfx_conf_sasl_keys[] = {
    { .name = "enabled", .type = DFX_CONF_BOOL,
      .offset = offsetof(dfx_conf_sasl_t, enabled),
      .def = "false",
      .doc = "authenticate with SASL PLAIN" },
    { .name = "security-protocol", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_sasl_t, security_protocol),
      .def = "SASL_SSL", .choices = dfx_conf_security_choices,
      .doc = "SASL_SSL (inside CA-verified TLS) | SASL_PLAINTEXT (no TLS)" },
    { .name = "sasl-mechanism", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_sasl_t, sasl_mechanism),
      .def = "PLAIN", .choices = dfx_conf_mechanism_choices,
      .doc = "PLAIN, the only mechanism" },
    { .name = "username", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_sasl_t, username),
      .def = "",
      .doc = "SASL user (required when enabled)" },
    { .name = "password", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_sasl_t, password),
      .def = "", .flags = DFX_CONF_KEY_SECRET,
      .doc = "SASL password (required when enabled), or ${ENV_VAR} to read "
             "it from the environment" },
    { .name = "password-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_sasl_t, password_file),
      .def = "",
      .doc = "file whose first line is the SASL password (instead of "
             "password)" },
    DFX_CONF_KEY_END
};

const dfx_conf_key_t  dfx_conf_exporter_keys[] = {
    { .name = "protocol", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_exporter_t, protocol),
      .doc = "kafka (prometheus and opentelemetry exporters are skipped)" },
    { .name = "name", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_exporter_t, name),
      .def = "",
      .doc = "the exporter label of its metrics (letters, digits, _ - .; "
             "unique); \"\" = its position in the list" },
    { .name = "enabled", .type = DFX_CONF_BOOL,
      .offset = offsetof(dfx_conf_exporter_t, enabled),
      .def = "false",
      .doc = "a disabled exporter is checked but not run" },
    { .name = "endpoints", .type = DFX_CONF_STRS,
      .offset = offsetof(dfx_conf_exporter_t, endpoints),
      .doc = "bootstrap brokers, HOST:PORT each" },
    { .name = "data-sources", .type = DFX_CONF_STRS,
      .offset = offsetof(dfx_conf_exporter_t, data_sources),
      .doc = "data sources exported, e.g. flow_log.l7_flow_log" },
    { .name = "queue-count", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_exporter_t, queue_count),
      .def = "4", .min = 1, .max = 16, .flags = DFX_CONF_KEY_ZERO_DEFAULT,
      .doc = "Kafka producers, records spread round-robin; 0 = 4" },
    { .name = "queue-size", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_exporter_t, queue_size),
      .def = "100000", .min = 1, .max = 10000000,
      .flags = DFX_CONF_KEY_ZERO_DEFAULT,
      .doc = "records in flight per producer (429 past it); 0 = 100000" },
    { .name = "batch-size", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_exporter_t, batch_size),
      .def = "1024", .min = 1, .max = 1000000,
      .flags = DFX_CONF_KEY_ZERO_DEFAULT,
      .doc = "most messages in one Kafka batch; 0 = 1024" },
    { .name = "flush-timeout", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_exporter_t, flush_timeout),
      .def = "1", .min = 1, .max = 900, .flags = DFX_CONF_KEY_ZERO_DEFAULT,
      .doc = "seconds a record may wait for its batch; 0 = 1" },
    { .name = "sasl", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_exporter_t, sasl),
      .table = dfx_conf_sasl_keys,
      .doc = "SASL authentication" },
    { .name = "topic", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_exporter_t, topic),
      .def = "",
      .doc = "one topic for every data source; \"\" = deepflow.<data-source>" },
    { .name = "extra-headers", .type = DFX_CONF_MAP,
      .offset = offsetof(dfx_conf_exporter_t, extra_headers),
      .doc = "DeepFlow's HTTP headers; not used by Kafka" },
    { .name = "compression", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_exporter_t, compression),
      .def = "snappy", .choices = dfx_conf_compression_choices,
      .doc = "snappy | none | gzip | lz4 | zstd" },
    { .name = "key", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_exporter_t, key),
      .def = "",
      .doc = "field whose value is the message key; \"\" = null key" },
    { .name = "message-timeout", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_exporter_t, message_timeout),
      .def = "60", .min = 1, .max = 86400,
      .doc = "seconds a record may wait for Kafka before it fails" },
    { .name = "tls-ca-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_exporter_t, tls_ca_file),
      .def = "",
      .doc = "CA bundle that verifies the brokers; \"\" = system default" },
    { .name = "tls-cert-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_exporter_t, tls_cert_file),
      .def = "",
      .doc = "client certificate (PEM); \"\" = none" },
    { .name = "tls-key-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_exporter_t, tls_key_file),
      .def = "",
      .doc = "client private key (PEM); \"\" = none" },
    { .name = "librdkafka", .type = DFX_CONF_MAP,
      .offset = offsetof(dfx_conf_exporter_t, librdkafka),
      .doc = "librdkafka properties, passed through" },
    DFX_CONF_KEY_END
};

static const char *const  dfx_conf_protocols[] = {
    "kafka", "prometheus", "opentelemetry", NULL
};

/* Kafka's own rule for topic names. */
static int
dfx_conf_topic_ok(const char *t)
{
    size_t  len = strlen(t), i;

    if (len == 0 || len > 249 || strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
    {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')
              || (t[i] >= '0' && t[i] <= '9') || t[i] == '.' || t[i] == '_'
              || t[i] == '-'))
        {
            return 0;
        }
    }
    return 1;
}

static void
dfx_conf_check_data_sources(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec)
{
    const dfx_conf_strs_t  *ds = &ec->data_sources;
    const dfx_conf_str_t   *d;
    dfx_conf_suggest_t      sg;
    const char             *best;
    size_t                  i, j, len;
    unsigned                k;

    if (ds->m.set == 0 && ec->enabled.v) {
        dfx_conf_error(cf, &ds->m.loc, "%s.data-sources: required for an "
                       "enabled exporter", cf->path);
        return;
    }
    if (ds->m.set == 1 && ds->n == 0 && ec->enabled.v) {
        dfx_conf_error(cf, &ds->m.loc, "%s.data-sources: must not be empty "
                       "for an enabled exporter", cf->path);
        return;
    }
    for (i = 0; i < ds->n; i++) {
        d = &ds->v[i];
        if (d->m.set != 1) {
            continue;
        }
        len = strlen(d->v);
        if (dfx_schema_find(d->v, len) != NULL) {
            for (j = 0; j < i; j++) {
                if (ds->v[j].m.set == 1 && strcmp(ds->v[j].v, d->v) == 0) {
                    dfx_conf_notice(cf, &d->m.loc, "%s.data-sources[%zu]: "
                                    "\"%s\" is listed twice; it is exported "
                                    "once", cf->path, i, d->v);
                    break;
                }
            }
            continue;
        }
        if (dfx_schema_is_silent(d->v, len)) {
            dfx_conf_notice(cf, &d->m.loc, "%s.data-sources[%zu]: nothing is "
                            "exported for \"%s\" (DeepFlow accepts the name "
                            "but never exports it)", cf->path, i, d->v);
            continue;
        }
        dfx_conf_suggest_init(&sg, d->v);
        for (k = 0; k < DFX_DS_COUNT; k++) {
            if (dfx_schemas[k] != NULL) {
                dfx_conf_suggest_add(&sg, dfx_schemas[k]->name);
            }
        }
        best = dfx_conf_suggest_result(&sg);
        if (best != NULL) {
            dfx_conf_error(cf, &d->m.loc, "%s.data-sources[%zu]: unknown data "
                           "source \"%s\"; did you mean \"%s\"?", cf->path, i,
                           d->v, best);
        } else {
            dfx_conf_error(cf, &d->m.loc, "%s.data-sources[%zu]: unknown data "
                           "source \"%s\"", cf->path, i, d->v);
        }
    }
}

static void
dfx_conf_check_endpoints(dfx_conf_ctx_t *cf, const dfx_conf_t *conf,
                         const dfx_conf_exporter_t *ec)
{
    const dfx_conf_strs_t  *ep = &ec->endpoints;
    const dfx_conf_str_t   *e;
    size_t                  i;
    int                     replaced;

    replaced = (cf->flags & DFX_CONF_ENDPOINTS_REPLACED)
               || conf->main.embedded_kafka.v > 0;
    if (ec->enabled.v && !replaced && ep->m.set != DFX_CONF_BAD
        && ep->n == 0)
    {
        dfx_conf_error(cf, &ep->m.loc, "%s.endpoints: %s for an enabled "
                       "exporter (Kafka brokers as HOST:PORT), unless "
                       "dfexport.embedded-kafka or --embedded-kafka replaces "
                       "them", cf->path,
                       ep->m.set ? "must not be empty" : "required");
    }
    for (i = 0; i < ep->n; i++) {
        e = &ep->v[i];
        if (e->m.set == 1 && (e->v[0] == '\0' || strpbrk(e->v, " \t,")
                                                 != NULL))
        {
            dfx_conf_error(cf, &e->m.loc, "%s.endpoints[%zu]: must be one "
                           "HOST:PORT, got \"%s\"", cf->path, i, e->v);
        }
    }
}

static void
dfx_conf_check_sasl(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec)
{
    dfx_conf_sasl_t  *s = &ec->sasl;
    char              path[DFX_CONF_PATH_MAX + 8];
    unsigned          nerrors = cf->nerrors;
    int               secret_bad;

    snprintf(path, sizeof(path), "%s.sasl", cf->path);
    dfx_conf_secret(cf, path, &s->password, &s->password_file);
    secret_bad = cf->nerrors != nerrors;
    if (!s->enabled.v || s->enabled.m.set == DFX_CONF_BAD) {
        return;
    }
    if (s->username.m.set != DFX_CONF_BAD && s->username.v[0] == '\0') {
        dfx_conf_error(cf, &s->username.m.loc, "%s.sasl.username: required "
                       "when sasl.enabled is true", cf->path);
    }
    if (secret_bad || s->password.m.set == DFX_CONF_BAD
        || s->password.v[0] != '\0')
    {
        /* a password, or already reported */
    } else if (s->password_file.v[0] != '\0') {
        dfx_conf_error(cf, &s->password_file.m.loc, "%s.sasl.password-file: "
                       "\"%s\" holds an empty password (required when "
                       "sasl.enabled is true)", cf->path,
                       s->password_file.v);
    } else {
        dfx_conf_error(cf, &s->password.m.loc, "%s.sasl.password: required "
                       "when sasl.enabled is true", cf->path);
    }
}

static void
dfx_conf_check_key(dfx_conf_ctx_t *cf, const dfx_conf_exporter_t *ec)
{
    const dfx_schema_t  *s;
    const char          *key = ec->key.v;
    size_t               i;

    if (ec->key.m.set != 1 || key[0] == '\0') {
        return;
    }
    for (i = 0; i < ec->data_sources.n; i++) {
        if (ec->data_sources.v[i].m.set != 1) {
            continue;
        }
        s = dfx_schema_find(ec->data_sources.v[i].v,
                            strlen(ec->data_sources.v[i].v));
        if (s != NULL && dfx_schema_field(s, key, strlen(key)) < 0) {
            dfx_conf_error(cf, &ec->key.m.loc, "%s.key: must be a field of "
                           "every data source of the exporter, got \"%s\" "
                           "(not in %s)", cf->path, key, s->name);
            return;
        }
    }
}

/* ingester.exporters[].name: a label value that survives reordering, so
 * it must not be one a position would take (digits only) nor another
 * exporter's. */
static void
dfx_conf_check_name(dfx_conf_ctx_t *cf, const dfx_conf_t *conf,
                    const dfx_conf_exporter_t *ec)
{
    const char  *n = ec->name.v;
    size_t       i, len;
    int          digits = 1;

    if (ec->name.m.set != 1 || n == NULL || n[0] == '\0') {
        return;
    }
    len = strlen(n);
    for (i = 0; i < len; i++) {
        unsigned char  ch = (unsigned char) n[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
              || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'
              || ch == '.'))
        {
            break;
        }
        digits &= ch >= '0' && ch <= '9';
    }
    if (i < len || len > 63) {
        dfx_conf_error(cf, &ec->name.m.loc, "%s.name: must be at most 63 of "
                       "a-z A-Z 0-9 _ - ., got \"%s\"", cf->path, n);
        return;
    }
    if (digits) {
        dfx_conf_error(cf, &ec->name.m.loc, "%s.name: must not be only "
                       "digits (the label of an exporter without a name is "
                       "its position), got \"%s\"", cf->path, n);
        return;
    }
    for (i = 0; i < conf->nexporters; i++) {
        const dfx_conf_exporter_t  *o = &conf->exporters[i];

        if (o != ec && o->name.v != NULL && strcmp(o->name.v, n) == 0) {
            dfx_conf_error(cf, &ec->name.m.loc, "%s.name: must be unique, "
                           "\"%s\" is also the name of "
                           "ingester.exporters[%u]", cf->path, n, o->index);
            return;
        }
    }
}

/* Cross-key rules of the exporter's own keys. */
static void
dfx_conf_exporter_check(dfx_conf_ctx_t *cf, const dfx_conf_t *conf,
                        dfx_conf_exporter_t *ec)
{
    if (ec->index >= DFX_STATS_MAX_EXPORTERS) {
        /* counters and labels are sized for that many */
        dfx_conf_error(cf, &ec->loc, "%s: at most %d exporters are "
                       "supported (counting every element of "
                       "ingester.exporters)", cf->path,
                       DFX_STATS_MAX_EXPORTERS);
    }
    if (ec->flush_timeout.m.set == 1 && ec->flush_timeout.v > 1) {
        dfx_conf_notice(cf, &ec->flush_timeout.m.loc, "%s.flush-timeout: "
                        "records now wait up to %lld s for their batch "
                        "(DeepFlow ignored this key and sent every second)",
                        cf->path, (long long) ec->flush_timeout.v);
    }
    dfx_conf_check_name(cf, conf, ec);
    dfx_conf_check_data_sources(cf, ec);
    dfx_conf_check_endpoints(cf, conf, ec);
    dfx_conf_check_sasl(cf, ec);
    if (ec->topic.m.set == 1 && ec->topic.v[0] != '\0'
        && !dfx_conf_topic_ok(ec->topic.v))
    {
        dfx_conf_error(cf, &ec->topic.m.loc, "%s.topic: must be a Kafka topic "
                       "name (at most 249 of a-z A-Z 0-9 . _ -), got \"%s\"",
                       cf->path, ec->topic.v);
    }
    if (ec->extra_headers.m.set == 1 && ec->extra_headers.n > 0) {
        dfx_conf_notice(cf, &ec->extra_headers.m.loc, "%s.extra-headers: "
                        "not used by Kafka exporters; ignored", cf->path);
    }
    dfx_conf_check_key(cf, ec);
}

static void
dfx_conf_kafka_load(dfx_conf_ctx_t *cf, dfx_conf_t *conf,
                    const dfx_node_t *el, size_t index)
{
    dfx_conf_scope_t      scopes[DFX_CONF_SCOPES_MAX];
    dfx_conf_exporter_t  *ec;
    const dfx_module_t   *m;
    size_t                ns = 0, i;

    ec = &conf->exporters[conf->nexporters++];
    ec->loc = el->loc;
    ec->index = (unsigned) index;

    scopes[ns].keys = dfx_conf_exporter_keys;
    scopes[ns++].base = ec;
    for (i = 0; dfx_modules[i] != NULL; i++) {
        dfx_assert(i < DFX_MODULE_MAX);
        m = dfx_modules[i];
        if (m->conf_size == 0) {
            /* keys need a struct to land in */
            dfx_assert(m->keys == NULL);
            continue;
        }
        ec->mconf[i] = calloc(1, m->conf_size);
        if (ec->mconf[i] == NULL) {
            dfx_conf_nomem(cf);
            return;
        }
        if (m->keys != NULL) {
            scopes[ns].keys = m->keys;
            scopes[ns++].base = ec->mconf[i];
        }
    }

    dfx_conf_walk(cf, el, &el->loc, scopes, ns);
    if (cf->nomem) {
        /* values may be missing: the checks would only add noise */
        return;
    }
    dfx_conf_resolve_path(cf, &ec->tls_ca_file, NULL);
    dfx_conf_resolve_path(cf, &ec->tls_cert_file, NULL);
    dfx_conf_resolve_path(cf, &ec->tls_key_file, NULL);
    dfx_conf_resolve_path(cf, &ec->sasl.password_file, NULL);
    dfx_conf_exporter_check(cf, conf, ec);
    for (i = 0; dfx_modules[i] != NULL; i++) {
        if (dfx_modules[i]->conf_check != NULL) {
            (void) dfx_modules[i]->conf_check(cf, ec, ec->mconf[i]);
        }
    }
    (void) dfx_kafka_conf_check(cf, ec);
}

static void
dfx_conf_exporter_elem(dfx_conf_ctx_t *cf, dfx_conf_t *conf,
                       const dfx_node_t *el, size_t index)
{
    const dfx_node_t    *p, *pk;
    dfx_conf_suggest_t   sg;
    const char          *best;
    char                 q[96];
    size_t               i, mark;

    if (dfx_node_bad_tag(cf, el)) {
        return;
    }
    if (el->type != DFX_NODE_MAP) {
        dfx_conf_error(cf, &el->loc, "%s: must be a mapping, got %s",
                       cf->path, dfx_node_what(el, q, sizeof(q)));
        return;
    }
    p = dfx_node_get(cf, el, "protocol", &pk);
    mark = dfx_conf_push_key(cf, "protocol");
    if (dfx_node_is_null(p)) {
        dfx_conf_error(cf, pk ? &pk->loc : &el->loc, "%s: required "
                       "(\"kafka\")", cf->path);
        goto done;
    }
    if (dfx_node_bad_tag(cf, p)) {
        goto done;
    }
    if (p->type != DFX_NODE_SCALAR) {
        dfx_conf_error(cf, &p->loc, "%s: must be a string, got %s", cf->path,
                       dfx_node_what(p, q, sizeof(q)));
        goto done;
    }
    if (strcmp(p->text, "kafka") == 0) {
        dfx_conf_pop(cf, mark);
        dfx_conf_kafka_load(cf, conf, el, index);
        return;
    }
    if (strcmp(p->text, "prometheus") == 0
        || strcmp(p->text, "opentelemetry") == 0)
    {
        dfx_conf_pop(cf, mark);
        dfx_conf_notice(cf, &p->loc, "%s: protocol \"%s\" is not exported by "
                        "dfexport; exporter skipped", cf->path, p->text);
        return;
    }
    dfx_conf_suggest_init(&sg, p->text);
    for (i = 0; dfx_conf_protocols[i] != NULL; i++) {
        dfx_conf_suggest_add(&sg, dfx_conf_protocols[i]);
    }
    best = dfx_conf_suggest_result(&sg);
    dfx_conf_error(cf, &p->loc, "%s: must be one of \"kafka\", "
                   "\"prometheus\", \"opentelemetry\", got %s%s%s%s", cf->path,
                   dfx_node_what(p, q, sizeof(q)),
                   best ? "; did you mean \"" : "", best ? best : "",
                   best ? "\"?" : "");

done:
    dfx_conf_pop(cf, mark);
}

void
dfx_conf_exporters_load(dfx_conf_ctx_t *cf, dfx_conf_t *conf,
                        const dfx_node_t *node, const dfx_node_t *key)
{
    char    q[96];
    size_t  i, mark, enabled = 0;

    dfx_conf_push_key(cf, "ingester.exporters");
    if (!dfx_node_is_null(node)) {
        if (dfx_node_bad_tag(cf, node)) {
            goto done;
        }
        if (node->type != DFX_NODE_SEQ) {
            dfx_conf_error(cf, &node->loc, "%s: must be a list, got %s",
                           cf->path, dfx_node_what(node, q, sizeof(q)));
            goto done;
        }
        conf->exporters = calloc(node->n ? node->n : 1,
                                 sizeof(*conf->exporters));
        if (conf->exporters == NULL) {
            dfx_conf_nomem(cf);
            goto done;
        }
        for (i = 0; i < node->n; i++) {
            mark = dfx_conf_push_index(cf, i);
            dfx_conf_exporter_elem(cf, conf, node->items[i], i);
            dfx_conf_pop(cf, mark);
        }
    }
    for (i = 0; i < conf->nexporters; i++) {
        enabled += conf->exporters[i].enabled.v != 0;
    }
    if (enabled == 0 && cf->nerrors == 0) {
        dfx_conf_notice(cf, key ? &key->loc : NULL, "no enabled kafka "
                        "exporter in ingester.exporters: nothing will be "
                        "exported");
    }

done:
    dfx_conf_pop(cf, 0);
}

void
dfx_conf_exporter_free(dfx_conf_exporter_t *ec)
{
    size_t  i;

    dfx_conf_table_free(dfx_conf_exporter_keys, ec);
    for (i = 0; i < DFX_MODULE_MAX && dfx_modules[i] != NULL; i++) {
        if (ec->mconf[i] == NULL) {
            continue;
        }
        if (dfx_modules[i]->keys != NULL) {
            dfx_conf_table_free(dfx_modules[i]->keys, ec->mconf[i]);
        }
        free(ec->mconf[i]);
        ec->mconf[i] = NULL;
    }
}
