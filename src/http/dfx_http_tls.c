/*
 * dfx_http_tls.c: TLS on a listener (dfexport.tls, admin-tls), through
 * libevent's bufferevent_openssl.
 *
 * One SSL_CTX per listener, shared by every worker: a connection takes
 * an SSL from it under the listener's lock, and a reload (SIGHUP) builds
 * a whole new SSL_CTX from the same files and swaps it in under that
 * lock; connections that hold the old one keep it (SSL_new() takes a
 * reference) until they close.  A certificate or key that does not load
 * keeps the old SSL_CTX, with a warning.
 *
 * Protocols: TLS 1.2 at least (1.3 preferred by OpenSSL), forward-secret
 * AEAD ciphers only.  Failed handshakes (a fatal alert sent or received
 * before the handshake is done: old protocol, no or bad client
 * certificate, a client that does not trust us) are counted, never
 * logged above debug: they are the client's problem.
 *
 * Plain listeners have no dfx_http_tls_t and never reach this file.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#include "dfx_core.h"
#include "dfx_http_int.h"
#include "dfx_log.h"

#define DFX_HTTP_TLS_MAGIC  0x64667473u     /* "dfts" */

/* TLS 1.2: ECDHE key exchange with AEAD ciphers only (TLS 1.3's suites
 * are all of that kind and stay OpenSSL's default) */
#define DFX_HTTP_TLS12_CIPHERS                                              \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"            \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"            \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

struct dfx_http_tls_s {
    uint32_t          magic;
    const char       *what;         /* "ingest" | "admin" */
    char             *cert_file;
    char             *key_file;
    char             *ca_file;      /* NULL: no client certificates */
    int               client_cert;  /* dfx_client_cert_t */
    dfx_stat_id_t     failures;
    pthread_mutex_t   lock;
    SSL_CTX          *ctx;          /* under lock */
};

/* SSL app data of a connection whose failure has been counted */
static char  dfx_http_tls_counted;

static void
dfx_http_tls_info_cb(const SSL *ssl, int where, int ret)
{
    dfx_http_tls_t  *t;

    /* a fatal alert, either way, before the handshake is done */
    if (!(where & SSL_CB_ALERT) || (ret >> 8) != SSL3_AL_FATAL
        || !SSL_in_init(ssl) || SSL_get_app_data(ssl) != NULL)
    {
        return;
    }
    t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (t == NULL || t->magic != DFX_HTTP_TLS_MAGIC) {
        return;
    }
    /* const: OpenSSL's callback type; the flag is the SSL's own data */
    SSL_set_app_data((SSL *) (uintptr_t) ssl, &dfx_http_tls_counted);
    dfx_stats_add(t->failures, -1, -1, -1, 1);
    dfx_log_debug("%s: TLS handshake failed: %s alert %s", t->what,
                  (where & SSL_CB_READ) ? "received" : "sent",
                  SSL_alert_desc_string_long(ret));
}

/* A new SSL_CTX from t's files; NULL (logged at level) when they do not
 * load. */
static SSL_CTX *
dfx_http_tls_ctx(dfx_http_tls_t *t, int level)
{
    static const unsigned char  sid[] = "dfexport";
    STACK_OF(X509_NAME)        *names;
    SSL_CTX                    *ctx;
    unsigned long               e;
    char                        msg[256];
    const char                 *step = "cannot make a TLS context";
    int                         mode;

    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        goto failed;
    }
    (void) SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION
                             | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(ctx, DFX_HTTP_TLS12_CIPHERS) != 1) {
        goto failed;
    }
    step = "cannot load cert-file";
    if (SSL_CTX_use_certificate_chain_file(ctx, t->cert_file) != 1) {
        goto failed;
    }
    step = "cannot load key-file";
    if (SSL_CTX_use_PrivateKey_file(ctx, t->key_file, SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(ctx) != 1)
    {
        goto failed;
    }
    if (t->ca_file != NULL) {
        step = "cannot load client-ca-file";
        names = SSL_load_client_CA_file(t->ca_file);
        if (names == NULL
            || SSL_CTX_load_verify_locations(ctx, t->ca_file, NULL) != 1)
        {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            goto failed;
        }
        SSL_CTX_set_client_CA_list(ctx, names);
        mode = SSL_VERIFY_PEER;
        if (t->client_cert == DFX_CLIENT_CERT_REQUIRED) {
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        }
        SSL_CTX_set_verify(ctx, mode, NULL);
        /* resumed sessions must carry the verification with them */
        (void) SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
    }
    SSL_CTX_set_app_data(ctx, t);
    SSL_CTX_set_info_callback(ctx, dfx_http_tls_info_cb);
    return ctx;

failed:
    e = ERR_peek_last_error();
    ERR_error_string_n(e, msg, sizeof(msg));
    ERR_clear_error();
    dfx_log(level, "%s TLS: %s (cert-file \"%s\", key-file \"%s\"): %s",
            t->what, step, t->cert_file, t->key_file,
            e != 0 ? msg : "unknown error");
    SSL_CTX_free(ctx);
    return NULL;
}

int
dfx_http_tls_create(dfx_http_tls_t **out, const char *what,
                    const dfx_conf_tls_t *c, dfx_stat_id_t failures)
{
    dfx_http_tls_t  *t;

    *out = NULL;
    if (c->cert_file.v == NULL || c->cert_file.v[0] == '\0') {
        return 0;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        goto nomem;
    }
    t->magic = DFX_HTTP_TLS_MAGIC;
    t->what = what;
    t->client_cert = c->client_cert.v;
    t->failures = failures;
    t->cert_file = strdup(c->cert_file.v);
    t->key_file = strdup(c->key_file.v);
    if (c->client_cert.v != DFX_CLIENT_CERT_NONE) {
        t->ca_file = strdup(c->client_ca_file.v);
    }
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t->cert_file);
        free(t->key_file);
        free(t->ca_file);
        free(t);
        goto nomem;
    }
    if (t->cert_file == NULL || t->key_file == NULL
        || (c->client_cert.v != DFX_CLIENT_CERT_NONE && t->ca_file == NULL))
    {
        dfx_http_tls_free(t);
        goto nomem;
    }
    t->ctx = dfx_http_tls_ctx(t, DFX_LOG_ERROR);
    if (t->ctx == NULL) {
        dfx_http_tls_free(t);
        return -1;
    }
    *out = t;
    return 0;

nomem:
    dfx_log_error("%s TLS: out of memory", what);
    return -1;
}

void
dfx_http_tls_free(dfx_http_tls_t *t)
{
    if (t == NULL) {
        return;
    }
    SSL_CTX_free(t->ctx);
    pthread_mutex_destroy(&t->lock);
    free(t->cert_file);
    free(t->key_file);
    free(t->ca_file);
    free(t);
}

int
dfx_http_tls_reload(dfx_http_tls_t *t)
{
    SSL_CTX  *ctx, *old;

    if (t == NULL) {
        return 0;
    }
    ctx = dfx_http_tls_ctx(t, DFX_LOG_WARN);
    if (ctx == NULL) {
        dfx_log_warn("%s TLS: keeping the previous certificate", t->what);
        return -1;
    }
    pthread_mutex_lock(&t->lock);
    old = t->ctx;
    t->ctx = ctx;
    pthread_mutex_unlock(&t->lock);
    SSL_CTX_free(old);
    dfx_log_notice("%s TLS: certificate reloaded from %s", t->what,
                   t->cert_file);
    return 0;
}

struct bufferevent *
dfx_http_tls_bev_new(dfx_http_tls_t *t, struct event_base *base)
{
    struct bufferevent  *bev;
    SSL                 *ssl;

    dfx_assert(t->magic == DFX_HTTP_TLS_MAGIC);

    pthread_mutex_lock(&t->lock);
    ssl = SSL_new(t->ctx);
    pthread_mutex_unlock(&t->lock);
    if (ssl == NULL) {
        ERR_clear_error();
        return NULL;
    }
    /* the fd is set by evhttp once this returns (libevent's
     * sample/https-server.c); the SSL belongs to the bufferevent, which
     * frees it even when it cannot be made (BEV_OPT_CLOSE_ON_FREE) except
     * when libevent is out of memory before it holds it: a leak then is
     * better than a double free */
    bev = bufferevent_openssl_socket_new(base, -1, ssl,
                                         BUFFEREVENT_SSL_ACCEPTING,
                                         BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        return NULL;
    }
    /* most clients close without close_notify after their answer */
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

/* SSL_write() past the bufferevent: safe while its output buffer is
 * empty, as then it has no write of its own half done (which OpenSSL
 * would want retried with the same bytes). */
int
dfx_http_tls_write_now(struct bufferevent *bev, const void *p, size_t n)
{
    SSL  *ssl = bufferevent_openssl_get_ssl(bev);
    int   rc;

    if (ssl == NULL || n > INT_MAX || !SSL_is_init_finished(ssl)
        || evbuffer_get_length(bufferevent_get_output(bev)) != 0)
    {
        return -1;
    }
    rc = SSL_write(ssl, p, (int) n);
    if (rc != (int) n) {
        ERR_clear_error();
        return -1;
    }
    /* close_notify: the client reads a clean end after the answer */
    (void) SSL_shutdown(ssl);
    ERR_clear_error();
    return 0;
}
