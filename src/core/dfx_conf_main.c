/*
 * dfx_conf_main.c: the dfexport: block (DESIGN section 8).
 *
 * Its key table and the rules between its keys: listener addresses that
 * parse and do not collide, and limits that are consistent with each
 * other.  Every key has a default, so a DeepFlow server.yaml without a
 * dfexport: block runs as documented.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_conf_int.h"
#include "dfx_log.h"

static const char *const  dfx_conf_ack_choices[] = {
    [DFX_ACK_QUEUED] = "queued",
    [DFX_ACK_KAFKA] = "kafka",
    NULL
};

static const char *const  dfx_conf_level_choices[] = {
    [DFX_LOG_DEBUG] = "debug",
    [DFX_LOG_INFO] = "info",
    [DFX_LOG_NOTICE] = "notice",
    [DFX_LOG_WARN] = "warn",
    [DFX_LOG_ERROR] = "error",
    [DFX_LOG_CRIT] = "crit",
    [DFX_LOG_ALERT] = "alert",
    NULL
};

static const char *const  dfx_conf_log_format_choices[] = {
    [DFX_LOG_FORMAT_TEXT] = "text",
    [DFX_LOG_FORMAT_JSON] = "json",
    NULL
};

static const char *const  dfx_conf_client_cert_choices[] = {
    [DFX_CLIENT_CERT_NONE] = "none",
    [DFX_CLIENT_CERT_OPTIONAL] = "optional",
    [DFX_CLIENT_CERT_REQUIRED] = "required",
    NULL
};

/* tls and admin-tls (doc/http.md, "TLS and authentication") */
static const dfx_conf_key_t  dfx_conf_tls_keys[] = {
    { .name = "cert-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_tls_t, cert_file),
      .def = "",
      .doc = "PEM certificate chain; \"\" = plain HTTP (re-read on SIGHUP)" },
    { .name = "key-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_tls_t, key_file),
      .def = "",
      .doc = "PEM private key of cert-file (re-read on SIGHUP)" },
    { .name = "client-ca-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_tls_t, client_ca_file),
      .def = "",
      .doc = "PEM CA certificates that client certificates must chain to" },
    { .name = "client-cert", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_tls_t, client_cert),
      .def = "none", .choices = dfx_conf_client_cert_choices,
      .doc = "none | optional (verified if sent) | required" },
    DFX_CONF_KEY_END
};

/* auth and admin-auth */
static const dfx_conf_key_t  dfx_conf_auth_keys[] = {
    { .name = "tokens-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_auth_t, tokens_file),
      .def = "",
      .doc = "bearer tokens as SHA-256 hex, one a line (re-read on SIGHUP)" },
    { .name = "token", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_auth_t, token),
      .def = "", .flags = DFX_CONF_KEY_SECRET,
      .doc = "\"${NAME}\": one more token, plain, from the environment" },
    DFX_CONF_KEY_END
};

#define DFX_KIB  1024LL
#define DFX_MIB  (1024LL * 1024)
#define DFX_GIB  (1024LL * 1024 * 1024)

static const dfx_conf_key_t  dfx_conf_limits_keys[] = {
    { .name = "body", .type = DFX_CONF_SIZE,
      .offset = offsetof(dfx_conf_limits_t, body),
      .def = "64MiB", .min = DFX_KIB, .max = 4 * DFX_GIB,
      .doc = "largest request body as sent (413 past it)" },
    { .name = "decoded-body", .type = DFX_CONF_SIZE,
      .offset = offsetof(dfx_conf_limits_t, decoded_body),
      .def = "256MiB", .min = DFX_KIB, .max = 16 * DFX_GIB,
      .doc = "largest request body after gzip decoding (413 past it)" },
    { .name = "line", .type = DFX_CONF_SIZE,
      .offset = offsetof(dfx_conf_limits_t, line),
      .def = "1MiB", .min = 64, .max = DFX_GIB,
      .doc = "longest NDJSON line or JSON record" },
    { .name = "records", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_limits_t, records),
      .def = "100000", .min = 1, .max = 100000000,
      .doc = "most records in one request (413 past it)" },
    { .name = "depth", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_limits_t, depth),
      .def = "32", .min = 2, .max = 1024,
      .doc = "deepest JSON nesting in a body" },
    { .name = "errors", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_limits_t, errors),
      .def = "100", .min = 0, .max = 100000,
      .doc = "most per-record errors listed in one response" },
    { .name = "array-elements", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_limits_t, array_elements),
      .def = "100000", .min = 1, .max = 100000000,
      .doc = "most elements in one array value of a record (past it, "
             "the record is rejected)" },
    { .name = "memory", .type = DFX_CONF_SIZE,
      .offset = offsetof(dfx_conf_limits_t, memory),
      .def = "256MiB", .min = DFX_KIB, .max = 1024 * DFX_GIB,
      .doc = "request bodies and their records in memory, all requests "
             "together (429/503 past it)" },
    DFX_CONF_KEY_END
};

static const dfx_conf_key_t  dfx_conf_log_keys[] = {
    { .name = "level", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_logc_t, level),
      .def = "info", .choices = dfx_conf_level_choices,
      .doc = "debug | info | notice | warn | error | crit | alert" },
    { .name = "file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_logc_t, file),
      .def = "",
      .doc = "log file (appended to); \"\" = stderr" },
    { .name = "format", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_logc_t, format),
      .def = "text", .choices = dfx_conf_log_format_choices,
      .doc = "text (TIME LEVEL: message) | json (one object per line)" },
    { .name = "access", .type = DFX_CONF_BOOL,
      .offset = offsetof(dfx_conf_logc_t, access),
      .def = "false",
      .doc = "log one line per ingest request (doc/configuration.md)" },
    DFX_CONF_KEY_END
};

const dfx_conf_key_t  dfx_conf_main_keys[] = {
    { .name = "listen", .type = DFX_CONF_STR_OR_STRS,
      .offset = offsetof(dfx_conf_main_t, listen),
      .def = "127.0.0.1:8480",
      .doc = "ingest HOST:PORT (or a list); port 0 = ephemeral" },
    { .name = "admin-listen", .type = DFX_CONF_STR_OR_STRS,
      .offset = offsetof(dfx_conf_main_t, admin_listen),
      .def = "127.0.0.1:8481",
      .doc = "admin HOST:PORT (or a list): /metrics /stats /healthz /readyz" },
    { .name = "workers", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_main_t, workers),
      .def = "0", .min = 0, .max = 1024,
      .doc = "event-loop threads; 0 = number of CPUs" },
    { .name = "ack", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_main_t, ack),
      .def = "queued", .choices = dfx_conf_ack_choices,
      .doc = "default acknowledgement: queued (202) | kafka (200 once acked)" },
    { .name = "shutdown-timeout", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_main_t, shutdown_timeout),
      .def = "10", .min = 0, .max = 3600,
      .doc = "seconds to finish requests and flush Kafka on SIGTERM" },
    { .name = "client-timeout", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_main_t, client_timeout),
      .def = "60", .min = 1, .max = 3600,
      .doc = "seconds a client may stall while sending a request" },
    { .name = "header-timeout", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_main_t, header_timeout),
      .def = "10", .min = 1, .max = 3600,
      .doc = "seconds from a request's first byte to the end of its "
             "headers (408 past it)" },
    { .name = "request-timeout", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_main_t, request_timeout),
      .def = "60", .min = 1, .max = 86400,
      .doc = "seconds from a request's first byte to its last (408 past "
             "it)" },
    { .name = "max-connections", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_main_t, max_connections),
      .def = "1024", .min = 1, .max = 1000000,
      .doc = "open ingest connections, all workers together; past it, "
             "new ones wait in the listen backlog" },
    { .name = "limits", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_main_t, limits),
      .table = dfx_conf_limits_keys,
      .doc = "ceilings on one request" },
    { .name = "dictionary", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_main_t, dictionary),
      .def = "",
      .doc = "universal-tag dictionary (JSON); \"\" = none, raw ids exported" },
    { .name = "enum-dir", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_main_t, enum_dir),
      .def = "",
      .doc = "enum dictionaries directory; \"\" = the installed conf/enum" },
    { .name = "embedded-kafka", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_main_t, embedded_kafka),
      .def = "0", .min = 0, .max = 16,
      .doc = "in-process mock Kafka brokers for every exporter; 0 = off" },
    { .name = "log", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_main_t, log),
      .table = dfx_conf_log_keys,
      .doc = "the daemon's log" },
    { .name = "clickhouse", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_main_t, clickhouse),
      .table = dfx_conf_clickhouse_keys,
      .doc = "read DeepFlow's records from its ClickHouse "
             "(doc/clickhouse.md)" },
    { .name = "tls", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_main_t, tls),
      .table = dfx_conf_tls_keys,
      .doc = "TLS on the ingest listener" },
    { .name = "admin-tls", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_main_t, admin_tls),
      .table = dfx_conf_tls_keys,
      .doc = "TLS on the admin listener" },
    { .name = "auth", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_main_t, auth),
      .table = dfx_conf_auth_keys,
      .doc = "bearer tokens the ingest listener requires; none = open" },
    { .name = "admin-auth", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_main_t, admin_auth),
      .table = dfx_conf_auth_keys,
      .doc = "bearer tokens the admin listener requires; none = open" },
    DFX_CONF_KEY_END
};

/* HOST:PORT with a numeric port; an IPv6 host in brackets. */
static int
dfx_conf_addr_ok(const char *s, unsigned *port)
{
    const char     *colon, *p;
    char            host[256];
    unsigned char   addr[16];
    size_t          hlen;
    unsigned long   v = 0;

    if (s[0] == '[') {
        p = strchr(s, ']');
        if (p == NULL || p[1] != ':') {
            return 0;
        }
        hlen = (size_t) (p - s - 1);
        if (hlen == 0 || hlen >= sizeof(host)) {
            return 0;
        }
        memcpy(host, s + 1, hlen);
        host[hlen] = '\0';
        if (inet_pton(AF_INET6, host, addr) != 1) {
            return 0;
        }
        colon = p + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || colon == s || memchr(s, ':', (size_t) (colon - s))
            != NULL)
        {
            return 0;
        }
        for (p = s; p < colon; p++) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                  || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'
                  || *p == '_'))
            {
                return 0;
            }
        }
    }
    p = colon + 1;
    if (*p == '\0' || strlen(p) > 5) {
        return 0;
    }
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }
        v = v * 10 + (unsigned long) (*p - '0');
    }
    if (v > 65535) {
        return 0;
    }
    *port = (unsigned) v;
    return 1;
}

static void
dfx_conf_check_listen(dfx_conf_ctx_t *cf, const char *name,
                      const dfx_conf_strs_t *l, const dfx_conf_strs_t *other,
                      const char *other_name)
{
    const dfx_conf_str_t  *a;
    char                   path[DFX_CONF_PATH_MAX];
    size_t                 i, j;
    unsigned               port;
    int                    scalar;

    if (l->m.set == 1 && l->n == 0) {
        dfx_conf_error(cf, &l->m.loc, "dfexport.%s: must not be empty", name);
        return;
    }
    /* a single address written as a scalar has no [i] in its path */
    scalar = l->n == 1 && l->v[0].m.loc.line == l->m.loc.line
             && l->v[0].m.loc.col == l->m.loc.col;
    for (i = 0; i < l->n; i++) {
        a = &l->v[i];
        if (a->m.set == DFX_CONF_BAD) {
            continue;
        }
        if (scalar) {
            snprintf(path, sizeof(path), "dfexport.%s", name);
        } else {
            snprintf(path, sizeof(path), "dfexport.%s[%zu]", name, i);
        }
        if (!dfx_conf_addr_ok(a->v, &port)) {
            dfx_conf_error(cf, &a->m.loc, "%s: must be HOST:PORT (IPv6 as "
                           "[::1]:PORT), got \"%s\"", path, a->v);
            continue;
        }
        if (port == 0) {
            continue;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(l->v[j].v, a->v) == 0) {
                dfx_conf_error(cf, &a->m.loc, "%s: \"%s\" is listed twice",
                               path, a->v);
                break;
            }
        }
        for (j = 0; other != NULL && j < other->n; j++) {
            if (strcmp(other->v[j].v, a->v) == 0) {
                dfx_conf_error(cf, &a->m.loc, "%s: \"%s\" is also in "
                               "dfexport.%s", path, a->v, other_name);
                break;
            }
        }
    }
}

/* tls, admin-tls: cert and key together; a CA when clients are
 * verified; paths relative to the config file. */
static void
dfx_conf_check_tls(dfx_conf_ctx_t *cf, const char *name, dfx_conf_tls_t *t)
{
    dfx_conf_resolve_path(cf, &t->cert_file, NULL);
    dfx_conf_resolve_path(cf, &t->key_file, NULL);
    dfx_conf_resolve_path(cf, &t->client_ca_file, NULL);
    if (t->cert_file.m.set == DFX_CONF_BAD || t->key_file.m.set == DFX_CONF_BAD
        || t->client_ca_file.m.set == DFX_CONF_BAD
        || t->client_cert.m.set == DFX_CONF_BAD)
    {
        return;
    }
    if ((t->cert_file.v[0] == '\0') != (t->key_file.v[0] == '\0')) {
        dfx_conf_error(cf, t->cert_file.v[0] == '\0' ? &t->key_file.m.loc
                                                     : &t->cert_file.m.loc,
                       "dfexport.%s: give cert-file and key-file together",
                       name);
    }
    if (t->client_cert.v != DFX_CLIENT_CERT_NONE
        && (t->client_ca_file.v[0] == '\0' || t->cert_file.v[0] == '\0'))
    {
        dfx_conf_error(cf, &t->client_cert.m.loc, "dfexport.%s.client-cert: "
                       "needs cert-file and client-ca-file", name);
    }
}

/* auth, admin-auth: token is "${NAME}" (never a secret in the file),
 * replaced by the variable's value. */
static void
dfx_conf_check_auth(dfx_conf_ctx_t *cf, const char *name, dfx_conf_auth_t *a)
{
    const char  *v, *env;
    char        *p;
    size_t       n;

    dfx_conf_resolve_path(cf, &a->tokens_file, NULL);
    if (a->token.m.set == DFX_CONF_BAD || a->token.v[0] == '\0') {
        return;
    }
    v = a->token.v;
    n = strlen(v);
    if (n < 4 || v[0] != '$' || v[1] != '{' || v[n - 1] != '}') {
        dfx_conf_error(cf, &a->token.m.loc, "dfexport.%s.token: must be "
                       "\"${NAME}\" (the token from the environment), or "
                       "use tokens-file", name);
        return;
    }
    p = strndup(v + 2, n - 3);
    if (p == NULL) {
        dfx_conf_nomem(cf);
        return;
    }
    env = getenv(p);
    if (env == NULL || env[0] == '\0') {
        dfx_conf_error(cf, &a->token.m.loc, "dfexport.%s.token: the "
                       "environment variable %s is not set", name, p);
        free(p);
        return;
    }
    free(p);
    p = strdup(env);
    if (p == NULL) {
        dfx_conf_nomem(cf);
        return;
    }
    free(a->token.v);
    a->token.v = p;
}

static void
dfx_conf_main_check(dfx_conf_ctx_t *cf, dfx_conf_main_t *mc)
{
    dfx_conf_limits_t  *lim = &mc->limits;
    char                a[32], b[32];

    dfx_conf_check_listen(cf, "listen", &mc->listen, NULL, NULL);
    dfx_conf_check_listen(cf, "admin-listen", &mc->admin_listen,
                          &mc->listen, "listen");
    dfx_conf_check_tls(cf, "tls", &mc->tls);
    dfx_conf_check_tls(cf, "admin-tls", &mc->admin_tls);
    dfx_conf_check_auth(cf, "auth", &mc->auth);
    dfx_conf_check_auth(cf, "admin-auth", &mc->admin_auth);

    if (lim->body.m.set != DFX_CONF_BAD
        && lim->decoded_body.m.set != DFX_CONF_BAD
        && lim->decoded_body.v < lim->body.v)
    {
        dfx_conf_size_text(lim->decoded_body.v, a, sizeof(a));
        dfx_conf_size_text(lim->body.v, b, sizeof(b));
        dfx_conf_error(cf, &lim->decoded_body.m.loc,
                       "dfexport.limits.decoded-body: must not be smaller "
                       "than limits.body (%s), got \"%s\"", b, a);
    }
    if (lim->line.m.set != DFX_CONF_BAD
        && lim->decoded_body.m.set != DFX_CONF_BAD
        && lim->line.v > lim->decoded_body.v)
    {
        dfx_conf_size_text(lim->line.v, a, sizeof(a));
        dfx_conf_size_text(lim->decoded_body.v, b, sizeof(b));
        dfx_conf_error(cf, &lim->line.m.loc,
                       "dfexport.limits.line: must not be larger than "
                       "limits.decoded-body (%s), got \"%s\"", b, a);
    }
    if (lim->body.m.set != DFX_CONF_BAD
        && lim->memory.m.set != DFX_CONF_BAD
        && lim->memory.v < lim->body.v)
    {
        if (lim->memory.m.set) {
            dfx_conf_size_text(lim->memory.v, a, sizeof(a));
            dfx_conf_size_text(lim->body.v, b, sizeof(b));
            dfx_conf_error(cf, &lim->memory.m.loc,
                           "dfexport.limits.memory: must not be smaller "
                           "than limits.body (%s), got \"%s\"", b, a);
        } else {
            /* the default follows a larger limits.body: one body must
             * always fit */
            lim->memory.v = lim->body.v;
        }
    }
}

void
dfx_conf_main_load(dfx_conf_ctx_t *cf, dfx_conf_t *conf,
                   const dfx_node_t *node, const dfx_node_t *key)
{
    dfx_conf_scope_t   scope = { dfx_conf_main_keys, &conf->main };
    dfx_conf_int_t    *refresh;
    dfx_loc_t          loc = { cf->file, 0, 0 };
    const dfx_node_t  *map = NULL;
    char               q[96];

    if (key != NULL) {
        loc = key->loc;
    }
    dfx_conf_push_key(cf, "dfexport");
    if (!dfx_node_is_null(node)) {
        if (dfx_node_bad_tag(cf, node)) {
            /* reported */
        } else if (node->type != DFX_NODE_MAP) {
            dfx_conf_error(cf, &node->loc, "%s: must be a mapping, got %s",
                           cf->path, dfx_node_what(node, q, sizeof(q)));
        } else {
            map = node;
            loc = node->loc;
        }
    }
    dfx_conf_walk(cf, map, &loc, &scope, 1);
    if (!cf->nomem) {
        dfx_conf_main_check(cf, &conf->main);
        /* "" = the "enum" directory beside the config file, else the
         * installed one */
        dfx_conf_enum_dir(cf, &conf->main);
        dfx_conf_resolve_path(cf, &conf->main.dictionary, NULL);
        dfx_conf_resolve_path(cf, &conf->main.log.file, NULL);
        dfx_conf_resolve_path(cf, &conf->main.clickhouse.checkpoint_dir,
                              NULL);
        dfx_conf_resolve_path(cf, &conf->main.clickhouse.password_file,
                              NULL);
        dfx_conf_resolve_path(cf, &conf->main.clickhouse.tls_ca_file, NULL);
        dfx_conf_clickhouse_check(cf, &conf->main.clickhouse);
        refresh = &conf->main.clickhouse.dictionary_refresh;
        if (conf->main.dictionary.v[0] != '\0' && refresh->v > 0) {
            dfx_conf_error(cf, &refresh->m.loc, "dfexport.clickhouse."
                           "dictionary-refresh: give dfexport.dictionary or "
                           "clickhouse.dictionary-refresh, not both");
        }
    }
    dfx_conf_pop(cf, 0);
}
