/*
 * dfx_kafka_conf.c: an exporter's keys as a librdkafka configuration.
 *
 * DESIGN section 2 is the mapping: endpoints, batch-size, flush-timeout,
 * compression, message-timeout, SASL and TLS become librdkafka properties;
 * the exporter's librdkafka: map is applied last, so it can override any
 * of them.  The same builder serves dfexport -t (dfx_kafka_conf_check)
 * and the producers (dfx_kafka_create), so a config that passes the check
 * is the one that runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "dfx_core.h"
#include "dfx_kafka_int.h"
#include "dfx_log.h"

/* librdkafka's own bounds for what dfexport derives from DeepFlow keys */
#define DFX_KAFKA_MAX_QUEUE_MSGS  2147483647LL
#define DFX_KAFKA_MAX_QUEUE_KB    "2147483647"

static const char *const  dfx_kafka_codecs[] = {
    [DFX_COMPRESSION_SNAPPY] = "snappy",
    [DFX_COMPRESSION_NONE]   = "none",
    [DFX_COMPRESSION_GZIP]   = "gzip",
    [DFX_COMPRESSION_LZ4]    = "lz4",
    [DFX_COMPRESSION_ZSTD]   = "zstd",
};

unsigned
dfx_kafka_conf_queue_count(const dfx_conf_exporter_t *ec)
{
    return ec->queue_count.v > 0 ? (unsigned) ec->queue_count.v
                                 : DFX_KAFKA_DEF_QUEUE_COUNT;
}

uint32_t
dfx_kafka_conf_queue_size(const dfx_conf_exporter_t *ec)
{
    if (ec->queue_size.v <= 0) {
        return DFX_KAFKA_DEF_QUEUE_SIZE;
    }
    return ec->queue_size.v > (int64_t) UINT32_MAX / 2
           ? UINT32_MAX / 2 : (uint32_t) ec->queue_size.v;
}

static const dfx_loc_t *
dfx_kafka_loc(const dfx_conf_meta_t *m, const dfx_conf_exporter_t *ec)
{
    return m->set && m->loc.line ? &m->loc : &ec->loc;
}

/* Sets one property that dfexport derives; a refusal names the DeepFlow
 * key it came from. */
static int
dfx_kafka_set(rd_kafka_conf_t *conf, const char *name, const char *value,
              const char *key, const dfx_conf_meta_t *m,
              const dfx_conf_exporter_t *ec, dfx_kafka_conf_err_pt err,
              void *arg)
{
    char  errstr[512];

    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr))
        == RD_KAFKA_CONF_OK)
    {
        return 0;
    }
    err(arg, m != NULL ? dfx_kafka_loc(m, ec) : &ec->loc, "%s: %s", key,
        errstr);
    return -1;
}

static int
dfx_kafka_set_int(rd_kafka_conf_t *conf, const char *name, long long v,
                  const char *key, const dfx_conf_meta_t *m,
                  const dfx_conf_exporter_t *ec, dfx_kafka_conf_err_pt err,
                  void *arg)
{
    char  num[32];

    snprintf(num, sizeof(num), "%lld", v);
    return dfx_kafka_set(conf, name, num, key, m, ec, err, arg);
}

/* endpoints joined with ',' into buf; -1 when they do not fit */
static int
dfx_kafka_join_endpoints(const dfx_conf_exporter_t *ec, char *buf,
                         size_t size)
{
    size_t  i, n = 0, len;

    buf[0] = '\0';
    for (i = 0; i < ec->endpoints.n; i++) {
        const char  *e = ec->endpoints.v[i].v != NULL
                         ? ec->endpoints.v[i].v : "";

        len = strlen(e);
        if (n + len + 2 > size) {
            return -1;
        }
        if (n > 0) {
            buf[n++] = ',';
        }
        memcpy(buf + n, e, len);
        n += len;
        buf[n] = '\0';
    }
    return 0;
}

static int
dfx_kafka_conf_security(rd_kafka_conf_t *conf, const dfx_conf_exporter_t *ec,
                        dfx_kafka_conf_err_pt err, void *arg)
{
    const dfx_conf_sasl_t  *s = &ec->sasl;
    const char             *proto = NULL;
    int                     tls_files, rc = 0;

    tls_files = (ec->tls_ca_file.m.set && ec->tls_ca_file.v != NULL
                 && ec->tls_ca_file.v[0] != '\0')
                || (ec->tls_cert_file.m.set && ec->tls_cert_file.v != NULL
                    && ec->tls_cert_file.v[0] != '\0')
                || (ec->tls_key_file.m.set && ec->tls_key_file.v != NULL
                    && ec->tls_key_file.v[0] != '\0');

    if (s->enabled.v) {
        if (s->security_protocol.v == DFX_KAFKA_SASL_PLAINTEXT) {
            proto = "sasl_plaintext";
            if (tls_files) {
                err(arg, dfx_kafka_loc(&s->security_protocol.m, ec),
                    "sasl.security-protocol: the tls-* files need TLS, "
                    "got \"SASL_PLAINTEXT\"");
                rc = -1;
            }
        } else {
            proto = "sasl_ssl";
        }
        rc |= dfx_kafka_set(conf, "security.protocol", proto,
                            "sasl.security-protocol",
                            &s->security_protocol.m, ec, err, arg);
        /* DeepFlow always speaks PLAIN; so does the only choice here */
        rc |= dfx_kafka_set(conf, "sasl.mechanisms", "PLAIN",
                            "sasl.sasl-mechanism", &s->sasl_mechanism.m, ec,
                            err, arg);
        rc |= dfx_kafka_set(conf, "sasl.username",
                            s->username.v != NULL ? s->username.v : "",
                            "sasl.username", &s->username.m, ec, err, arg);
        rc |= dfx_kafka_set(conf, "sasl.password",
                            s->password.v != NULL ? s->password.v : "",
                            "sasl.password", &s->password.m, ec, err, arg);
    } else if (tls_files) {
        /* TLS without SASL: an extension DeepFlow never had */
        rc |= dfx_kafka_set(conf, "security.protocol", "ssl", "tls-ca-file",
                            &ec->tls_ca_file.m, ec, err, arg);
    }

    if (ec->tls_ca_file.m.set && ec->tls_ca_file.v != NULL
        && ec->tls_ca_file.v[0] != '\0')
    {
        rc |= dfx_kafka_set(conf, "ssl.ca.location", ec->tls_ca_file.v,
                            "tls-ca-file", &ec->tls_ca_file.m, ec, err, arg);
    }
    if (ec->tls_cert_file.m.set && ec->tls_cert_file.v != NULL
        && ec->tls_cert_file.v[0] != '\0')
    {
        rc |= dfx_kafka_set(conf, "ssl.certificate.location",
                            ec->tls_cert_file.v, "tls-cert-file",
                            &ec->tls_cert_file.m, ec, err, arg);
    }
    if (ec->tls_key_file.m.set && ec->tls_key_file.v != NULL
        && ec->tls_key_file.v[0] != '\0')
    {
        rc |= dfx_kafka_set(conf, "ssl.key.location", ec->tls_key_file.v,
                            "tls-key-file", &ec->tls_key_file.m, ec, err,
                            arg);
    }
    return rc ? -1 : 0;
}

rd_kafka_conf_t *
dfx_kafka_conf_build(const dfx_conf_exporter_t *ec, const char *bootstrap,
                     dfx_kafka_conf_err_pt err, void *arg)
{
    rd_kafka_conf_t  *conf, *ret = NULL;
    char              servers[4096], errstr[512];
    long long         qs2, linger, mto;
    int               comp, rc = 0;
    size_t            i;

    conf = rd_kafka_conf_new();
    if (conf == NULL) {
        err(arg, &ec->loc, "out of memory");
        return NULL;
    }

    if (bootstrap == NULL) {
        if (ec->endpoints.n == 0) {
            err(arg, dfx_kafka_loc(&ec->endpoints.m, ec),
                "endpoints: at least one broker is needed");
            rc = -1;
        } else if (dfx_kafka_join_endpoints(ec, servers, sizeof(servers))
                   != 0)
        {
            err(arg, dfx_kafka_loc(&ec->endpoints.m, ec),
                "endpoints: longer than %zu bytes together",
                sizeof(servers) - 1);
            rc = -1;
        } else {
            rc |= dfx_kafka_set(conf, "bootstrap.servers", servers,
                                "endpoints", &ec->endpoints.m, ec, err, arg);
        }
    } else if (bootstrap[0] != '\0') {
        rc |= dfx_kafka_set(conf, "bootstrap.servers", bootstrap,
                            "endpoints", &ec->endpoints.m, ec, err, arg);
    }

    /* room for the budget twice over: a delivery event's messages stay
     * counted by librdkafka until the event is destroyed, after their
     * budget may already have gone to new records */
    qs2 = 2LL * dfx_kafka_conf_queue_size(ec);
    if (qs2 > DFX_KAFKA_MAX_QUEUE_MSGS) {
        qs2 = DFX_KAFKA_MAX_QUEUE_MSGS;
    }
    rc |= dfx_kafka_set_int(conf, "queue.buffering.max.messages", qs2,
                            "queue-size", &ec->queue_size.m, ec, err, arg);
    /* the record budget is the bound, not librdkafka's byte ceiling */
    rc |= dfx_kafka_set(conf, "queue.buffering.max.kbytes",
                        DFX_KAFKA_MAX_QUEUE_KB, "queue-size",
                        &ec->queue_size.m, ec, err, arg);
    rc |= dfx_kafka_set_int(conf, "batch.num.messages",
                            ec->batch_size.v > 0 ? ec->batch_size.v
                                                 : DFX_KAFKA_DEF_BATCH_SIZE,
                            "batch-size", &ec->batch_size.m, ec, err, arg);
    linger = (ec->flush_timeout.v > 0 ? ec->flush_timeout.v
                                      : DFX_KAFKA_DEF_FLUSH_TIMEOUT) * 1000LL;
    rc |= dfx_kafka_set_int(conf, "linger.ms", linger, "flush-timeout",
                            &ec->flush_timeout.m, ec, err, arg);
    /* librdkafka notices a message timeout only when a broker thread
     * wakes, and with no broker up that is at each reconnect: cap the
     * backoff as the Java client does, so an outage ends records on
     * time (and recovery is seen within a second) */
    rc |= dfx_kafka_set(conf, "reconnect.backoff.max.ms", "1000",
                        "reconnect.backoff.max.ms", NULL, ec, err, arg);
    rc |= dfx_kafka_set(conf, "acks", "all", "acks", NULL, ec, err, arg);
    rc |= dfx_kafka_set(conf, "enable.idempotence", "true",
                        "enable.idempotence", NULL, ec, err, arg);
    /* the broker metrics (dfx_kafka_brokers.c) */
    rc |= dfx_kafka_set(conf, "statistics.interval.ms",
                        DFX_KAFKA_DEF_STATS_INTERVAL, "statistics.interval.ms",
                        NULL, ec, err, arg);

    comp = ec->compression.m.set ? ec->compression.v : DFX_COMPRESSION_SNAPPY;
    if (comp < 0 || (size_t) comp >= dfx_nelems(dfx_kafka_codecs)) {
        err(arg, dfx_kafka_loc(&ec->compression.m, ec),
            "compression: unknown codec %d", comp);
        rc = -1;
    } else {
        rc |= dfx_kafka_set(conf, "compression.codec",
                            dfx_kafka_codecs[comp], "compression",
                            &ec->compression.m, ec, err, arg);
    }

    mto = (ec->message_timeout.m.set && ec->message_timeout.v > 0
           ? ec->message_timeout.v : DFX_KAFKA_DEF_MESSAGE_TIMEOUT) * 1000LL;
    rc |= dfx_kafka_set_int(conf, "message.timeout.ms", mto,
                            "message-timeout", &ec->message_timeout.m, ec,
                            err, arg);

    rc |= dfx_kafka_conf_security(conf, ec, err, arg);

    for (i = 0; i < ec->librdkafka.n; i++) {
        const dfx_conf_str_t  *key = &ec->librdkafka.keys[i];
        const dfx_conf_str_t  *val = &ec->librdkafka.values[i];
        rd_kafka_conf_res_t    res;

        res = rd_kafka_conf_set(conf, key->v, val->v != NULL ? val->v : "",
                                errstr, sizeof(errstr));
        if (res == RD_KAFKA_CONF_OK) {
            continue;
        }
        if (res == RD_KAFKA_CONF_UNKNOWN) {
            err(arg, dfx_kafka_loc(&key->m, ec), "librdkafka.%s: %s", key->v,
                errstr);
        } else {
            err(arg, dfx_kafka_loc(&val->m, ec),
                "librdkafka.%s: %s, got \"%s\"", key->v, errstr,
                val->v != NULL ? val->v : "");
        }
        rc = -1;
    }

    if (rc != 0) {
        goto cleanup;
    }
    ret = conf;
    conf = NULL;

cleanup:
    if (conf != NULL) {
        rd_kafka_conf_destroy(conf);
    }
    return ret;
}

typedef struct {
    dfx_conf_ctx_t  *cf;
    int              errors;
} dfx_kafka_check_t;

static void
dfx_kafka_check_err(void *arg, const dfx_loc_t *loc, const char *fmt, ...)
{
    dfx_kafka_check_t  *c = arg;
    char                msg[1024];
    va_list             ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    dfx_conf_error(c->cf, loc, "%s.%s", dfx_conf_path(c->cf), msg);
    c->errors++;
}

static void
dfx_kafka_check_file(dfx_kafka_check_t *c, const dfx_conf_exporter_t *ec,
                     const dfx_conf_str_t *f, const char *key)
{
    if (!f->m.set || f->v == NULL || f->v[0] == '\0') {
        return;
    }
    if (access(f->v, R_OK) != 0) {
        dfx_kafka_check_err(c, dfx_kafka_loc(&f->m, ec),
                            "%s: cannot read \"%s\": %s", key, f->v,
                            strerror(errno));
    }
}

/* librdkafka's checks across properties run in rd_kafka_new() only; this
 * instance has no brokers, so it never connects, and says nothing. */
static void
dfx_kafka_silent_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                        const char *buf)
{
    DFX_UNUSED(rk);
    DFX_UNUSED(level);
    DFX_UNUSED(fac);
    DFX_UNUSED(buf);
}

int
dfx_kafka_conf_check(dfx_conf_ctx_t *cf, const dfx_conf_exporter_t *ec)
{
    dfx_kafka_check_t   c = { cf, 0 };
    rd_kafka_conf_t    *conf;
    rd_kafka_t         *rk;
    char                errstr[512];

    dfx_kafka_check_file(&c, ec, &ec->tls_ca_file, "tls-ca-file");
    dfx_kafka_check_file(&c, ec, &ec->tls_cert_file, "tls-cert-file");
    dfx_kafka_check_file(&c, ec, &ec->tls_key_file, "tls-key-file");
    if (c.errors) {
        /* librdkafka would only repeat it, less precisely */
        return -1;
    }

    conf = dfx_kafka_conf_build(ec, "", dfx_kafka_check_err, &c);
    if (conf == NULL) {
        return -1;
    }

    rd_kafka_conf_set_log_cb(conf, dfx_kafka_silent_log_cb);
    /* not even a librdkafka: entry may make -t talk to a broker */
    if (rd_kafka_conf_set(conf, "bootstrap.servers", "", errstr,
                          sizeof(errstr)) != RD_KAFKA_CONF_OK)
    {
        dfx_conf_error(cf, &ec->loc, "%s: %s", dfx_conf_path(cf), errstr);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        dfx_conf_error(cf, ec->librdkafka.m.set ? &ec->librdkafka.m.loc
                                                : &ec->loc,
                       "%s: librdkafka refuses this configuration: %s",
                       dfx_conf_path(cf), errstr);
        return -1;
    }
    rd_kafka_destroy(rk);
    return 0;
}

void
dfx_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                 const char *buf)
{
    const dfx_producer_t  *p = rk != NULL ? rd_kafka_opaque(rk) : NULL;
    dfx_log_level_t        l;

    if (level <= LOG_CRIT) {
        l = DFX_LOG_CRIT;
    } else if (level == LOG_ERR) {
        l = DFX_LOG_ERROR;
    } else if (level == LOG_WARNING) {
        l = DFX_LOG_WARN;
    } else if (level == LOG_NOTICE) {
        l = DFX_LOG_NOTICE;
    } else if (level == LOG_INFO) {
        l = DFX_LOG_INFO;
    } else {
        l = DFX_LOG_DEBUG;
    }
    /* connection failures also arrive as error events, which say it once
     * with the exporter's context (dfx_kafka_delivery.c) */
    if (strcmp(fac, "FAIL") == 0 && l > DFX_LOG_DEBUG && l < DFX_LOG_CRIT) {
        l = DFX_LOG_DEBUG;
    }
    if (!dfx_log_enabled(l)) {
        return;
    }
    if (p != NULL && p->magic == DFX_PRODUCER_MAGIC) {
        dfx_log(l, "exporter %u producer %u: librdkafka %s: %s",
                p->kafka->index, p->index, fac, buf);
    } else {
        dfx_log(l, "librdkafka %s: %s", fac, buf);
    }
}
