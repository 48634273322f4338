/*
 * dfx_http_listen.c: listening sockets, ingest workers, dispatch and the
 * shutdown sequence.
 *
 * Each ingest address is bound once; every worker accepts on its own
 * dup() of the socket with its own evhttp and listener, and the kernel
 * socket closes when the last worker lets go of it (stop accepting).
 * Which worker accepts, and how a connection reads, is
 * dfx_http_conn.c's.  The admin listener lives on the main base.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "dfx_core.h"
#include "dfx_http.h"
#include "dfx_http_int.h"
#include "dfx_log.h"

#define DFX_HTTP_BACKLOG       1024
#define DFX_HTTP_POOL_BLOCK    (64 * 1024)
#define DFX_HTTP_ADDR_MAX      96

/* Every method reaches the handlers, which answer 405 with Allow.  All
 * 16 bits: libevent 2.1 gives a method it does not know (PROPFIND, or
 * "post" in lower case) the type EVHTTP_REQ_UNKNOWN_ (1 << 15, private),
 * and without that bit answers it with its own HTML 501. */
#define DFX_HTTP_ALL_METHODS   0xffff

typedef struct dfx_http_server_s {
    int                  started;
    struct event_base   *main_base;
    dfx_http_worker_t   *workers;
    unsigned             nworkers;
    int                 *ingest_fds;        /* until the workers dup them */
    char               **ingest_addrs;
    size_t               ningest;
    char               **admin_addrs;
    size_t               nadmin;
    struct evhttp       *admin;
    char                *embedded;
    size_t               body_limit;
    size_t               admin_body_limit;
    int                  client_timeout;
    int                  header_timeout;
    int                  request_timeout;
    int                  max_connections;
    dfx_http_guard_t     admin_guard;
    /* the admin listener's connections, followed as a worker's are (the
     * gate, deadlines) on the main event loop */
    dfx_http_worker_t    admin_w;
    /* TLS and tokens of each listener (NULL: none) */
    dfx_http_tls_t      *tls;
    dfx_http_tls_t      *admin_tls;
    dfx_http_auth_t     *auth;
    dfx_http_auth_t     *admin_auth;
    int                  admin_exposed;     /* bound beyond loopback */
} dfx_http_server_t;

static dfx_http_server_t  dfx_http_srv;
static atomic_int         dfx_http_stopping;
static atomic_int         dfx_http_exiting;
static atomic_int         dfx_http_nflight;

pthread_mutex_t  dfx_http_ack_lock = PTHREAD_MUTEX_INITIALIZER;

int
dfx_http_shutting_down(void)
{
    return atomic_load_explicit(&dfx_http_stopping, memory_order_relaxed);
}

int
dfx_http_exiting_now(void)
{
    return atomic_load(&dfx_http_exiting);
}

int
dfx_http_max_connections(void)
{
    return dfx_http_srv.max_connections > 0 ? dfx_http_srv.max_connections
                                            : INT_MAX;
}

dfx_http_worker_t *
dfx_http_workers(unsigned *n)
{
    *n = dfx_http_srv.workers != NULL ? dfx_http_srv.nworkers : 0;
    return dfx_http_srv.workers;
}

void
dfx_http_inflight_add(int n)
{
    atomic_fetch_add_explicit(&dfx_http_nflight, n, memory_order_relaxed);
}

int
dfx_http_inflight(void)
{
    return atomic_load_explicit(&dfx_http_nflight, memory_order_relaxed);
}

/* ---- answers --------------------------------------------------------- */

/* Reason phrases libevent does not know (it would say "Client Error"). */
static const char *
dfx_http_phrase(int code)
{
    switch (code) {
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    default:
        return NULL;
    }
}

/*
 * Every answer goes out here.  A HEAD answer has the headers of the GET
 * one, Content-Length included, and no body: libevent 2.1 would write
 * the body, and leave out Content-Length, for HEAD too.
 *
 * While the answer is written, libevent 2.1 reads the connection again
 * only to notice a close (evhttp_write_buffer_()), and takes the end of
 * a half-closed connection (shutdown(SHUT_WR) after the last request) as
 * a failure: it drops the connection with the answer half written and
 * the pipelined requests unread.  Reading is turned off again once the
 * answer is queued; evhttp turns it on when the answer has been written
 * and it goes on to the next request, so a half-close is seen only once
 * every request before it has its answer.  A client that is really gone
 * is still noticed, by the failed write (or the write timeout).
 */
void
dfx_http_send(struct evhttp_request *r, int code, const char *ctype,
              const void *body, size_t len)
{
    struct evkeyvalq          *h = evhttp_request_get_output_headers(r);
    struct evhttp_connection  *evcon = evhttp_request_get_connection(r);
    char                       clen[24];

    if (ctype != NULL) {
        evhttp_remove_header(h, "Content-Type");
        evhttp_add_header(h, "Content-Type", ctype);
    }
    if (evhttp_request_get_command(r) == EVHTTP_REQ_HEAD) {
        snprintf(clen, sizeof(clen), "%zu", len);
        evhttp_remove_header(h, "Content-Length");
        evhttp_add_header(h, "Content-Length", clen);
    } else if (len > 0
               && evbuffer_add(evhttp_request_get_output_buffer(r), body, len)
                  != 0)
    {
        /* the status still tells the client what happened */
        dfx_log_error("http: out of memory writing an answer");
    }
    evhttp_send_reply(r, code, dfx_http_phrase(code), NULL);
    if (evcon != NULL) {
        /* the connection outlives the send: writing happens later */
        (void) bufferevent_disable(evhttp_connection_get_bufferevent(evcon),
                                   EV_READ);
    }
}

void
dfx_http_send_error(struct evhttp_request *r, int code, const char *msg)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    if (dfx_http_render_error(&b, msg, 0, 0) != 0) {
        dfx_buf_free(&b);
        dfx_http_send(r, 500, "text/plain", "out of memory\n", 14);
        return;
    }
    dfx_http_send(r, code, "application/json", b.data, b.len);
    dfx_buf_free(&b);
}

void
dfx_http_send_405(struct evhttp_request *r, const char *allow)
{
    char  msg[96];

    snprintf(msg, sizeof(msg), "method not allowed: use %s", allow);
    evhttp_add_header(evhttp_request_get_output_headers(r), "Allow", allow);
    dfx_http_send_error(r, 405, msg);
}

/* ---- dispatch -------------------------------------------------------- */

static const char *
dfx_http_path(struct evhttp_request *r)
{
    const struct evhttp_uri  *u = evhttp_request_get_evhttp_uri(r);
    const char               *path = u != NULL ? evhttp_uri_get_path(u) : NULL;

    return path != NULL ? path : "";
}

static void
dfx_http_ingest_gencb(struct evhttp_request *r, void *arg)
{
    dfx_http_worker_t  *w = arg;
    dfx_http_ep_t       ep;
    dfx_str_t           ds = dfx_null_string;

    dfx_assert(w->magic == DFX_HTTP_WORKER_MAGIC);

    atomic_fetch_add_explicit(&w->nrequests, 1, memory_order_relaxed);
    /* the request is read: its deadlines stop */
    dfx_http_conn_handed(w, evhttp_request_get_connection(r));
    if (dfx_http_framing_check(r) != 0) {
        return;
    }
    ep = dfx_http_route(dfx_http_path(r), &ds);
    /* load balancers' probes stay open */
    if (w->auth != NULL && ep != DFX_HTTP_EP_HEALTHZ
        && ep != DFX_HTTP_EP_READYZ && dfx_http_auth_check(w->auth, r) != 0)
    {
        return;
    }
    switch (ep) {
    case DFX_HTTP_EP_INGEST:
        dfx_http_ingest(w, r, ds);
        break;
    case DFX_HTTP_EP_HEALTHZ:
    case DFX_HTTP_EP_READYZ:
        dfx_http_health(r, ep);
        break;
    default:
        dfx_http_send_error(r, 404, "no such endpoint: the ingest listener "
                            "serves POST /v1/ingest/<data-source>, GET "
                            "/healthz and GET /readyz");
        break;
    }
}

int
dfx_http_admin_gate(struct evhttp_request *r, int write)
{
    dfx_http_server_t  *s = &dfx_http_srv;

    if (s->admin_auth != NULL) {
        return dfx_http_auth_check(s->admin_auth, r);
    }
    if (write && s->admin_exposed) {
        dfx_stats_add(DFX_STAT_admin_auth_failures_total, -1, -1,
                      DFX_REASON_UNPROTECTED, 1);
        dfx_http_send_error(r, 403, "admin-listen is not a loopback "
                            "address: configure a token (dfexport."
                            "admin-auth) to allow writes");
        return -1;
    }
    return 0;
}

/* 1 when the bound address (as dfx_http_format_addr writes it) is a
 * loopback one. */
static int
dfx_http_is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strncmp(addr, "[::1]:", 6) == 0
           || strncmp(addr, "[::ffff:127.", 12) == 0;
}

void
dfx_http_reload_credentials(void)
{
    dfx_http_server_t  *s = &dfx_http_srv;

    if (!s->started) {
        return;
    }
    (void) dfx_http_tls_reload(s->tls);
    (void) dfx_http_tls_reload(s->admin_tls);
    (void) dfx_http_auth_reload(s->auth);
    (void) dfx_http_auth_reload(s->admin_auth);
}

const char *
dfx_http_request_path(struct evhttp_request *r)
{
    return dfx_http_path(r);
}

/* ---- sockets --------------------------------------------------------- */

/* Splits "host:port" or "[v6]:port". */
static int
dfx_http_split(const char *spec, char *host, size_t hlen, const char **port)
{
    const char  *e, *colon;
    size_t       n;

    if (spec[0] == '[') {
        e = strchr(spec, ']');
        if (e == NULL || e[1] != ':') {
            return -1;
        }
        n = (size_t) (e - spec - 1);
        spec++;
        colon = e + 1;
    } else {
        colon = strrchr(spec, ':');
        if (colon == NULL) {
            return -1;
        }
        n = (size_t) (colon - spec);
    }
    if (n == 0 || n >= hlen) {
        return -1;
    }
    memcpy(host, spec, n);
    host[n] = '\0';
    *port = colon + 1;
    return 0;
}

static void
dfx_http_format_addr(const struct sockaddr *sa, socklen_t salen, char *out,
                     size_t outlen)
{
    /* numeric only: an IPv6 address with a scope, and a port */
    char  host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], serv[8];

    if (getnameinfo(sa, salen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    {
        snprintf(out, outlen, "?");
        return;
    }
    if (sa->sa_family == AF_INET6) {
        snprintf(out, outlen, "[%s]:%s", host, serv);
    } else {
        snprintf(out, outlen, "%s:%s", host, serv);
    }
}

/* Binds and listens on spec; returns the socket (non-blocking,
 * close-on-exec) with its actual address in addr, or -1 after logging. */
static int
dfx_http_bind(const char *what, const char *spec, char *addr, size_t alen)
{
    struct addrinfo          hints, *res = NULL, *ai;
    struct sockaddr_storage  ss;
    socklen_t                sslen = sizeof(ss);
    const char              *port;
    char                     host[256];
    int                      fd = -1, on = 1, err = 0, rc;

    if (dfx_http_split(spec, host, sizeof(host), &port) != 0) {
        dfx_log_error("%s listen \"%s\": not HOST:PORT", what, spec);
        return -1;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        dfx_log_error("%s listen \"%s\": %s", what, spec, gai_strerror(rc));
        return -1;
    }

    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK
                    | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (ai->ai_family == AF_INET6) {
            /* "[::]:P" and "0.0.0.0:P" may both be listed */
            (void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
                              sizeof(on));
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0
            && listen(fd, DFX_HTTP_BACKLOG) == 0)
        {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);

    if (fd < 0) {
        dfx_log_error("%s listen \"%s\": %s", what, spec, strerror(err));
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *) &ss, &sslen) != 0) {
        dfx_log_error("%s listen \"%s\": getsockname: %s", what, spec,
                      strerror(errno));
        close(fd);
        return -1;
    }
    dfx_http_format_addr((struct sockaddr *) &ss, sslen, addr, alen);
    return fd;
}

static int
dfx_http_bind_all(const dfx_conf_strs_t *l, const char *what, int **fds,
                  char ***addrs, size_t *n)
{
    char    addr[DFX_HTTP_ADDR_MAX];
    size_t  i;
    int     fd;

    *fds = calloc(l->n ? l->n : 1, sizeof(int));
    *addrs = calloc(l->n + 1, sizeof(char *));
    if (*fds == NULL || *addrs == NULL) {
        dfx_log_error("http: out of memory");
        return -1;
    }
    for (i = 0; i < l->n; i++) {
        fd = dfx_http_bind(what, l->v[i].v, addr, sizeof(addr));
        if (fd < 0) {
            return -1;
        }
        (*fds)[*n] = fd;
        (*addrs)[*n] = strdup(addr);
        (*n)++;
        if ((*addrs)[*n - 1] == NULL) {
            dfx_log_error("http: out of memory");
            return -1;
        }
        dfx_log_notice("%s listening on %s", what, addr);
    }
    return 0;
}

/* ---- workers --------------------------------------------------------- */

/* how long a stopping worker still writes its last answers */
#define DFX_HTTP_LAST_WRITE_MS  100

static void
dfx_http_ctl_cb(evutil_socket_t fd, short what, void *arg)
{
    dfx_http_worker_t  *w = arg;
    size_t              i;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);

    if (atomic_load(&dfx_http_stopping)) {
        for (i = 0; i < w->nbound; i++) {
            /* closes this worker's copy of the socket */
            evhttp_del_accept_socket(w->http, w->bound[i]);
        }
        w->nbound = 0;
        w->accepting = 0;
    }
    if (atomic_load(&dfx_http_exiting)) {
        struct timeval  flush = { 0, DFX_HTTP_LAST_WRITE_MS * 1000 };

        /* answers to the requests still waiting for Kafka, then a moment
         * for the loop to write them out */
        dfx_http_ack_deadline(w);
        event_base_loopexit(w->base, &flush);
    }
}

static void *
dfx_http_worker_main(void *arg)
{
    dfx_http_worker_t  *w = arg;

    event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static int
dfx_http_worker_init(dfx_http_worker_t *w, unsigned index)
{
    dfx_http_server_t      *s = &dfx_http_srv;
    struct evconnlistener  *lev;
    size_t                  i;
    int                     fd;

    w->magic = DFX_HTTP_WORKER_MAGIC;
    w->index = index;
    w->header_timeout = s->header_timeout;
    w->tls = s->tls;
    w->auth = s->auth;
    w->request_timeout = s->request_timeout;
    w->body_limit = s->body_limit;
    w->base = event_base_new();
    if (w->base == NULL || dfx_http_guard_init(&w->guard, w->base, w) != 0) {
        goto failed;
    }
    w->http = evhttp_new(w->base);
    w->ctl_ev = event_new(w->base, -1, 0, dfx_http_ctl_cb, w);
    w->done_ev = event_new(w->base, -1, 0, dfx_http_ack_done_cb, w);
    w->pool = dfx_pool_create(DFX_HTTP_POOL_BLOCK);
    w->bound = calloc(s->ningest ? s->ningest : 1, sizeof(*w->bound));
    if (w->http == NULL || w->ctl_ev == NULL || w->done_ev == NULL
        || dfx_http_conn_init(w) != 0 || w->pool == NULL || w->bound == NULL)
    {
        goto failed;
    }

    evhttp_set_allowed_methods(w->http, DFX_HTTP_ALL_METHODS);
    evhttp_set_max_body_size(w->http, (ev_ssize_t) s->body_limit);
    evhttp_set_max_headers_size(w->http, DFX_HTTP_MAX_HEADERS_EV);
    evhttp_set_timeout(w->http, s->client_timeout);
    /* read the rest of a too-large body before answering 413, so that
     * the client sees the answer instead of a reset connection */
    evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_default_content_type(w->http, "application/json");
    evhttp_set_gencb(w->http, dfx_http_ingest_gencb, w);
    evhttp_set_bevcb(w->http, dfx_http_conn_bev_cb, w);

    for (i = 0; i < s->ningest; i++) {
        fd = fcntl(s->ingest_fds[i], F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            dfx_log_error("http: dup: %s", strerror(errno));
            goto failed;
        }
        /* the socket listens already (backlog 0); enabled at once */
        lev = evconnlistener_new(w->base, NULL, NULL,
                                 LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                 0, fd);
        if (lev == NULL) {
            close(fd);
            goto failed;
        }
        w->bound[w->nbound] = evhttp_bind_listener(w->http, lev);
        if (w->bound[w->nbound] == NULL) {
            evconnlistener_free(lev);
            goto failed;
        }
        w->nbound++;
        if (dfx_http_guard_watch(&w->guard, lev) != 0) {
            goto failed;
        }
    }
    w->accepting = 1;
    return 0;

failed:
    dfx_log_error("http: cannot set up worker %u", index);
    return -1;
}

static void
dfx_http_worker_fini(dfx_http_worker_t *w)
{
    dfx_http_ack_orphan(w);
    if (w->ctl_ev != NULL) {
        event_free(w->ctl_ev);
    }
    if (w->done_ev != NULL) {
        event_free(w->done_ev);
    }
    /* evhttp_free() frees the listeners */
    w->nbound = 0;
    if (w->http != NULL) {
        /* closes the sockets and connections still open */
        evhttp_free(w->http);
    }
    dfx_http_conn_fini(w);
    dfx_http_guard_fini(&w->guard);
    if (w->base != NULL) {
        event_base_free(w->base);
    }
    dfx_http_worker_free_buffers(w);
    dfx_record_parser_destroy(w->parser);
    dfx_pool_destroy(w->pool);
    dfx_http_gunzip_free(&w->gz);
    dfx_http_result_free(&w->result);
    free(w->bound);
    free(w->iov);
    w->magic = 0;
}

static int
dfx_http_start_threads(void)
{
    dfx_http_server_t  *s = &dfx_http_srv;
    sigset_t            all, old;
    unsigned            i;
    int                 rc = 0, err;

    /* workers leave signals to the main thread's event loop */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (i = 0; i < s->nworkers; i++) {
        err = pthread_create(&s->workers[i].thread, NULL,
                             dfx_http_worker_main, &s->workers[i]);
        if (err != 0) {
            dfx_log_error("http: cannot start worker %u: %s", i,
                          strerror(err));
            rc = -1;
            break;
        }
        s->workers[i].started = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* ---- the API --------------------------------------------------------- */

int
dfx_http_start(const dfx_conf_main_t *m, struct event_base *main_base)
{
    dfx_http_server_t            *s = &dfx_http_srv;
    struct evhttp_bound_socket   *bs;
    int                          *admin_fds = NULL;
    size_t                        i;
    long                          ncpu;

    if (s->started) {
        dfx_log_error("http: already started");
        return -1;
    }
    if (evthread_use_pthreads() != 0) {
        dfx_log_error("http: libevent has no pthreads support");
        return -1;
    }
    /* an answer written to a client that left must fail with EPIPE, not
     * end the process */
    signal(SIGPIPE, SIG_IGN);
    memset(s, 0, sizeof(*s));
    s->started = 1;
    atomic_store(&dfx_http_stopping, 0);
    atomic_store(&dfx_http_exiting, 0);
    atomic_store(&dfx_http_nflight, 0);
    s->main_base = main_base;
    s->body_limit = (size_t) m->limits.body.v;
    dfx_http_mem_init(m->limits.memory.v);
    s->admin_body_limit = (size_t) m->limits.decoded_body.v;
    s->client_timeout = (int) m->client_timeout.v;
    if (s->client_timeout <= 0) {
        s->client_timeout = 60;
    }
    s->header_timeout = m->header_timeout.v > 0 ? (int) m->header_timeout.v
                                                : 10;
    s->request_timeout = m->request_timeout.v > 0
                         ? (int) m->request_timeout.v : 60;
    s->max_connections = (int) m->max_connections.v;

    if (m->workers.v > 0) {
        s->nworkers = (unsigned) m->workers.v;
    } else {
        ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        s->nworkers = ncpu > 0 ? (unsigned) ncpu : 1;
    }

    if (dfx_http_bind_all(&m->listen, "ingest", &s->ingest_fds,
                          &s->ingest_addrs, &s->ningest) != 0
        || dfx_http_bind_all(&m->admin_listen, "admin", &admin_fds,
                             &s->admin_addrs, &s->nadmin) != 0)
    {
        goto failed;
    }

    if (dfx_http_tls_create(&s->tls, "ingest", &m->tls,
                            DFX_STAT_http_tls_handshake_failures_total) != 0
        || dfx_http_tls_create(&s->admin_tls, "admin", &m->admin_tls,
                               DFX_STAT_admin_tls_handshake_failures_total)
           != 0
        || dfx_http_auth_create(&s->auth, "ingest", &m->auth,
                                DFX_STAT_http_auth_failures_total) != 0
        || dfx_http_auth_create(&s->admin_auth, "admin", &m->admin_auth,
                                DFX_STAT_admin_auth_failures_total) != 0)
    {
        goto failed;
    }
    for (i = 0; i < s->nadmin; i++) {
        if (!dfx_http_is_loopback(s->admin_addrs[i])) {
            s->admin_exposed = 1;
        }
    }
    if (s->admin_exposed && s->admin_auth == NULL) {
        dfx_log_warn("admin listener beyond loopback without a token "
                     "(dfexport.admin-auth): PUT /v1/dictionary is refused");
    }

    s->admin = evhttp_new(main_base);
    s->admin_w.admin = 1;
    s->admin_w.base = main_base;
    s->admin_w.http = s->admin;
    s->admin_w.tls = s->admin_tls;
    s->admin_w.header_timeout = s->header_timeout;
    s->admin_w.request_timeout = s->request_timeout;
    s->admin_w.body_limit = s->admin_body_limit;
    if (s->admin == NULL
        || dfx_http_guard_init(&s->admin_guard, main_base, NULL) != 0
        || dfx_http_conn_init(&s->admin_w) != 0)
    {
        goto failed;
    }
    evhttp_set_allowed_methods(s->admin, DFX_HTTP_ALL_METHODS);
    evhttp_set_max_body_size(s->admin, (ev_ssize_t) s->admin_body_limit);
    evhttp_set_max_headers_size(s->admin, DFX_HTTP_MAX_HEADERS_EV);
    evhttp_set_timeout(s->admin, s->client_timeout);
    evhttp_set_flags(s->admin, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_gencb(s->admin, dfx_http_admin_cb, &s->admin_w);
    evhttp_set_bevcb(s->admin, dfx_http_conn_bev_cb, &s->admin_w);
    for (i = 0; i < s->nadmin; i++) {
        bs = evhttp_accept_socket_with_handle(s->admin, admin_fds[i]);
        if (bs == NULL) {
            dfx_log_error("admin listen %s: cannot accept",
                          s->admin_addrs[i]);
            goto failed;
        }
        admin_fds[i] = -1;          /* the evhttp closes it */
        if (dfx_http_guard_watch(&s->admin_guard,
                                 evhttp_bound_socket_get_listener(bs)) != 0)
        {
            goto failed;
        }
    }

    s->workers = calloc(s->nworkers, sizeof(dfx_http_worker_t));
    if (s->workers == NULL) {
        dfx_log_error("http: out of memory");
        goto failed;
    }
    for (i = 0; i < s->nworkers; i++) {
        if (dfx_http_worker_init(&s->workers[i], (unsigned) i) != 0) {
            goto failed;
        }
    }
    /* from now on each worker holds its own copy of every socket */
    for (i = 0; i < s->ningest; i++) {
        close(s->ingest_fds[i]);
        s->ingest_fds[i] = -1;
    }

    if (dfx_http_start_threads() != 0) {
        goto failed;
    }
    free(admin_fds);
    return 0;

failed:
    for (i = 0; admin_fds != NULL && i < s->nadmin; i++) {
        if (admin_fds[i] >= 0) {
            close(admin_fds[i]);
        }
    }
    free(admin_fds);
    dfx_http_stop();
    return -1;
}

void
dfx_http_stop_accepting(void)
{
    dfx_http_server_t  *s = &dfx_http_srv;
    unsigned            i;

    atomic_store(&dfx_http_stopping, 1);
    for (i = 0; s->started && s->workers != NULL && i < s->nworkers; i++) {
        if (s->workers[i].ctl_ev != NULL) {
            event_active(s->workers[i].ctl_ev, EV_READ, 0);
        }
    }
}

int
dfx_http_drain(int timeout_ms)
{
    dfx_http_server_t  *s = &dfx_http_srv;
    struct timeval      now, end, step = { 0, 10000 };
    int                 left;

    left = dfx_http_inflight();
    if (timeout_ms <= 0 || !s->started || s->main_base == NULL) {
        return left;
    }
    evutil_gettimeofday(&now, NULL);
    end.tv_sec = now.tv_sec + timeout_ms / 1000;
    end.tv_usec = now.tv_usec + (timeout_ms % 1000) * 1000;
    if (end.tv_usec >= 1000000) {
        end.tv_sec++;
        end.tv_usec -= 1000000;
    }
    while (left > 0 && evutil_timercmp(&now, &end, <)) {
        /* delivery reports, and so acknowledgements, run on this base */
        event_base_loopexit(s->main_base, &step);
        event_base_dispatch(s->main_base);
        left = dfx_http_inflight();
        evutil_gettimeofday(&now, NULL);
    }
    return left;
}

void
dfx_http_stop(void)
{
    dfx_http_server_t  *s = &dfx_http_srv;
    unsigned            i;
    size_t              j;

    if (!s->started) {
        return;
    }
    atomic_store(&dfx_http_exiting, 1);
    for (i = 0; s->workers != NULL && i < s->nworkers; i++) {
        if (s->workers[i].started) {
            event_active(s->workers[i].ctl_ev, EV_READ, 0);
        }
    }
    for (i = 0; s->workers != NULL && i < s->nworkers; i++) {
        if (s->workers[i].started) {
            pthread_join(s->workers[i].thread, NULL);
            s->workers[i].started = 0;
        }
    }
    for (i = 0; s->workers != NULL && i < s->nworkers; i++) {
        dfx_http_worker_fini(&s->workers[i]);
    }
    free(s->workers);

    dfx_http_guard_fini(&s->admin_guard);
    if (s->admin != NULL) {
        evhttp_free(s->admin);
    }
    dfx_http_conn_fini(&s->admin_w);
    for (j = 0; j < s->ningest; j++) {
        if (s->ingest_fds != NULL && s->ingest_fds[j] >= 0) {
            close(s->ingest_fds[j]);
        }
    }
    free(s->ingest_fds);
    for (j = 0; s->ingest_addrs != NULL && s->ingest_addrs[j] != NULL; j++) {
        free(s->ingest_addrs[j]);
    }
    free(s->ingest_addrs);
    for (j = 0; s->admin_addrs != NULL && s->admin_addrs[j] != NULL; j++) {
        free(s->admin_addrs[j]);
    }
    free(s->admin_addrs);
    free(s->embedded);
    /* after every connection: each SSL holds its own SSL_CTX reference */
    dfx_http_tls_free(s->tls);
    dfx_http_tls_free(s->admin_tls);
    dfx_http_auth_free(s->auth);
    dfx_http_auth_free(s->admin_auth);
    memset(s, 0, sizeof(*s));
    atomic_store(&dfx_http_nflight, 0);
}

const char *
dfx_http_listen_addr(int admin, size_t i)
{
    dfx_http_server_t  *s = &dfx_http_srv;

    if (admin) {
        return i < s->nadmin ? s->admin_addrs[i] : NULL;
    }
    return i < s->ningest ? s->ingest_addrs[i] : NULL;
}

void
dfx_http_set_embedded_bootstrap(const char *bs)
{
    dfx_http_server_t  *s = &dfx_http_srv;

    free(s->embedded);
    s->embedded = bs != NULL ? strdup(bs) : NULL;
    if (bs != NULL && s->embedded == NULL) {
        dfx_log_error("http: out of memory");
    }
}

size_t
dfx_http_admin_body_limit(void)
{
    return dfx_http_srv.admin_body_limit;
}

const char *
dfx_http_embedded_bootstrap(void)
{
    return dfx_http_srv.embedded;
}
