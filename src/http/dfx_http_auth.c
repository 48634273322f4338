/*
 * dfx_http_auth.c: bearer tokens of a listener (dfexport.auth,
 * admin-auth), RFC 6750.
 *
 * The tokens file holds SHA-256 hashes (64 hex digits a line, "#"
 * comments and blank lines allowed), so that it holds no secret; a plain
 * token may come from the environment (token: "${NAME}"), and is kept
 * hashed too.  A request's token is hashed and compared with every hash
 * in constant time (CRYPTO_memcmp, no early exit).
 *
 * No Authorization: Bearer header: 401 with WWW-Authenticate: Bearer.
 * A token that matches none: 401 with error="invalid_token" (RFC 6750
 * 3.1: invalid_token is 401; 403 is for a valid token without the right
 * to act).  Both counted, logged at debug at most.
 *
 * The file is re-read on SIGHUP (dfx_http_auth_reload); the table is
 * swapped under a read-write lock that requests take to read.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "dfx_core.h"
#include "dfx_http_int.h"
#include "dfx_log.h"

#define DFX_HTTP_AUTH_MAGIC  0x64666175u    /* "dfau" */
#define DFX_HTTP_HASH_LEN    SHA256_DIGEST_LENGTH

typedef struct dfx_http_hashes_s {
    unsigned char  (*h)[DFX_HTTP_HASH_LEN];
    size_t           n;
} dfx_http_hashes_t;

struct dfx_http_auth_s {
    uint32_t           magic;
    const char        *what;
    char              *file;            /* NULL: none */
    unsigned char      env[DFX_HTTP_HASH_LEN];
    int                has_env;
    dfx_stat_id_t      failures;
    pthread_rwlock_t   lock;
    dfx_http_hashes_t  hashes;          /* under lock */
};

static int
dfx_http_unhex(const char *s, size_t n, unsigned char *out)
{
    size_t  i;
    int     hi, lo;

    if (n != 2 * DFX_HTTP_HASH_LEN) {
        return -1;
    }
    for (i = 0; i < DFX_HTTP_HASH_LEN; i++) {
        hi = isxdigit((unsigned char) s[2 * i]) ? s[2 * i] : -1;
        lo = isxdigit((unsigned char) s[2 * i + 1]) ? s[2 * i + 1] : -1;
        if (hi < 0 || lo < 0) {
            return -1;
        }
        hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
        lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
        out[i] = (unsigned char) (hi << 4 | lo);
    }
    return 0;
}

/* Reads a's file into *out; -1 (logged at level) on any bad line. */
static int
dfx_http_auth_read(dfx_http_auth_t *a, dfx_http_hashes_t *out, int level)
{
    FILE           *f;
    char            line[512], *p, *e;
    unsigned char (*h)[DFX_HTTP_HASH_LEN];
    unsigned        lineno = 0;
    size_t          cap = 0;

    out->h = NULL;
    out->n = 0;
    if (a->file == NULL) {
        return 0;
    }
    f = fopen(a->file, "r");
    if (f == NULL) {
        dfx_log(level, "%s auth: cannot open tokens-file \"%s\": %s",
                a->what, a->file, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        for (p = line; *p == ' ' || *p == '\t'; p++) {
            /* void */
        }
        for (e = p + strlen(p); e > p && isspace((unsigned char) e[-1]); e--) {
            /* void */
        }
        if (e == p || *p == '#') {
            continue;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            h = realloc(out->h, cap * sizeof(*h));
            if (h == NULL) {
                dfx_log(level, "%s auth: out of memory", a->what);
                goto failed;
            }
            out->h = h;
        }
        if (dfx_http_unhex(p, (size_t) (e - p), out->h[out->n]) != 0) {
            /* the line is not quoted: it may be a token pasted by mistake */
            dfx_log(level, "%s:%u: %s auth: not a SHA-256 hash (64 hex "
                    "digits): write sha256sum's output, not the token",
                    a->file, lineno, a->what);
            goto failed;
        }
        out->n++;
    }
    fclose(f);
    return 0;

failed:
    fclose(f);
    free(out->h);
    out->h = NULL;
    out->n = 0;
    return -1;
}

int
dfx_http_auth_create(dfx_http_auth_t **out, const char *what,
                     const dfx_conf_auth_t *c, dfx_stat_id_t failures)
{
    dfx_http_auth_t  *a;
    int               file = c->tokens_file.v != NULL
                             && c->tokens_file.v[0] != '\0';
    int               env = c->token.v != NULL && c->token.v[0] != '\0';

    *out = NULL;
    if (!file && !env) {
        return 0;
    }
    a = calloc(1, sizeof(*a));
    if (a == NULL || pthread_rwlock_init(&a->lock, NULL) != 0) {
        free(a);
        dfx_log_error("%s auth: out of memory", what);
        return -1;
    }
    a->magic = DFX_HTTP_AUTH_MAGIC;
    a->what = what;
    a->failures = failures;
    if (env) {
        SHA256((const unsigned char *) c->token.v, strlen(c->token.v),
               a->env);
        a->has_env = 1;
    }
    if (file && (a->file = strdup(c->tokens_file.v)) == NULL) {
        dfx_log_error("%s auth: out of memory", what);
        dfx_http_auth_free(a);
        return -1;
    }
    if (dfx_http_auth_read(a, &a->hashes, DFX_LOG_ERROR) != 0) {
        dfx_http_auth_free(a);
        return -1;
    }
    if (a->hashes.n == 0 && !a->has_env) {
        /* fail closed, but say why nobody gets in */
        dfx_log_warn("%s auth: tokens-file \"%s\" holds no token: every "
                     "request but /healthz and /readyz is refused", what,
                     a->file);
    }
    *out = a;
    return 0;
}

void
dfx_http_auth_free(dfx_http_auth_t *a)
{
    if (a == NULL) {
        return;
    }
    pthread_rwlock_destroy(&a->lock);
    free(a->hashes.h);
    free(a->file);
    OPENSSL_cleanse(a->env, sizeof(a->env));
    free(a);
}

int
dfx_http_auth_reload(dfx_http_auth_t *a)
{
    dfx_http_hashes_t  h, old;

    if (a == NULL || a->file == NULL) {
        return 0;
    }
    if (dfx_http_auth_read(a, &h, DFX_LOG_WARN) != 0) {
        dfx_log_warn("%s auth: keeping the previous tokens", a->what);
        return -1;
    }
    pthread_rwlock_wrlock(&a->lock);
    old = a->hashes;
    a->hashes = h;
    pthread_rwlock_unlock(&a->lock);
    free(old.h);
    dfx_log_notice("%s auth: %zu token(s) loaded from %s", a->what, h.n,
                   a->file);
    return 0;
}

int
dfx_http_auth_has_tokens(const dfx_http_auth_t *a)
{
    return a != NULL;
}

/* 1 when the token's hash is one of a's; every hash is compared. */
static int
dfx_http_auth_match(dfx_http_auth_t *a, const char *tok, size_t len)
{
    unsigned char  d[DFX_HTTP_HASH_LEN];
    size_t         i;
    int            hit = 0;

    SHA256((const unsigned char *) tok, len, d);
    if (a->has_env) {
        hit |= CRYPTO_memcmp(d, a->env, sizeof(d)) == 0;
    }
    pthread_rwlock_rdlock(&a->lock);
    for (i = 0; i < a->hashes.n; i++) {
        hit |= CRYPTO_memcmp(d, a->hashes.h[i], sizeof(d)) == 0;
    }
    pthread_rwlock_unlock(&a->lock);
    return hit;
}

int
dfx_http_auth_check(dfx_http_auth_t *a, struct evhttp_request *r)
{
    const char  *v, *tok;
    size_t       len;

    dfx_assert(a->magic == DFX_HTTP_AUTH_MAGIC);

    v = evhttp_find_header(evhttp_request_get_input_headers(r),
                           "Authorization");
    if (v == NULL || strncasecmp(v, "Bearer ", 7) != 0) {
        dfx_stats_add(a->failures, -1, -1, DFX_REASON_NO_TOKEN, 1);
        evhttp_add_header(evhttp_request_get_output_headers(r),
                          "WWW-Authenticate", "Bearer realm=\"dfexport\"");
        dfx_http_send_error(r, 401, "a bearer token is required "
                            "(Authorization: Bearer <token>)");
        return -1;
    }
    for (tok = v + 7; *tok == ' '; tok++) {
        /* void */
    }
    for (len = strlen(tok); len > 0 && tok[len - 1] == ' '; len--) {
        /* void */
    }
    if (len == 0 || !dfx_http_auth_match(a, tok, len)) {
        dfx_stats_add(a->failures, -1, -1, DFX_REASON_BAD_TOKEN, 1);
        evhttp_add_header(evhttp_request_get_output_headers(r),
                          "WWW-Authenticate", "Bearer realm=\"dfexport\", "
                          "error=\"invalid_token\"");
        dfx_http_send_error(r, 401, "the bearer token is not valid");
        dfx_log_debug("%s auth: a request with an invalid token", a->what);
        return -1;
    }
    return 0;
}
