/*
 * dfx_http_listen.c: listening sockets, ingest workers, dispatch and the
 * shutdown sequence.
 *
 * Each ingest address is bound once; every worker accepts on its own
 * dup() of the socket with its own evhttp and listener, and the kernel
 * socket closes when the last worker lets go of it (stop accepting).
 * The admin listener lives on the main base.
 *
 * Connections are spread over the workers by count: a worker accepts
 * only while it holds no more connections than the least loaded one.
 * Left to the kernel, the first worker to wake takes every connection of
 * a burst (all of a client's keep-alive connections, then all of its
 * load), and a connection stays with its worker.  Each worker enables
 * and disables only its own listeners, from its own thread: the count
 * changes on accept (the bufferevent callback, which stops the
 * listener's accept loop by disabling it) and on close (evhttp's close
 * callback), and every change wakes the other workers to look again.
 * Disabling another thread's listener would have to wait for that
 * thread's accept callback to end, and that callback takes part in the
 * same accounting.
 *
 * http_requests_total is counted where answers are written: a callback
 * on each ingest connection's output buffer sees every status line,
 * including the ones libevent writes itself (413 past limits.body, 400
 * for a malformed request).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
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
#define DFX_HTTP_MAX_HEADERS   (64 * 1024)
#define DFX_HTTP_POOL_BLOCK    (64 * 1024)
#define DFX_HTTP_ADDR_MAX      96

/* Largest read and write of an ingest connection: libevent's own
 * (4 KiB reads, 16 KiB writes) cost hundreds of system calls and turns of
 * the event loop per request body of a megabyte or two.  Reads stay a
 * little under the size so that libevent's buffer chain, header
 * included, is allocated at 256 KiB and not rounded up to 512 KiB. */
#define DFX_HTTP_IO_MAX        (256 * 1024)
#define DFX_HTTP_READ_MAX      (DFX_HTTP_IO_MAX - 1024)

/* What evbuffer_read() reads at most per call in libevent 2.1
 * (EVBUFFER_MAX_READ): a read of this size may have left more. */
#define DFX_HTTP_EV_READ       4096

#define DFX_HTTP_ALL_METHODS                                                \
    (EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT   \
     | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE           \
     | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH)

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
} dfx_http_server_t;

static dfx_http_server_t  dfx_http_srv;
static atomic_int         dfx_http_stopping;
static atomic_int         dfx_http_nflight;

pthread_mutex_t  dfx_http_ack_lock = PTHREAD_MUTEX_INITIALIZER;

int
dfx_http_shutting_down(void)
{
    return atomic_load_explicit(&dfx_http_stopping, memory_order_relaxed);
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

void
dfx_http_send(struct evhttp_request *r, int code, const char *ctype,
              const void *body, size_t len)
{
    struct evkeyvalq  *h = evhttp_request_get_output_headers(r);

    if (ctype != NULL) {
        evhttp_remove_header(h, "Content-Type");
        evhttp_add_header(h, "Content-Type", ctype);
    }
    if (len > 0
        && evbuffer_add(evhttp_request_get_output_buffer(r), body, len) != 0)
    {
        /* the status still tells the client what happened */
        dfx_log_error("http: out of memory writing an answer");
    }
    evhttp_send_reply(r, code, dfx_http_phrase(code), NULL);
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

/* Output-buffer callback of ingest connections: counts status lines.
 * The bytes are peeked, not copied out: evbuffer_copyout_from() refuses
 * a buffer whose start is frozen, as a connection's output is while
 * evhttp writes it. */
static void
dfx_http_count_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
                  void *arg)
{
    struct evbuffer_iovec  v[4];
    struct evbuffer_ptr    pos;
    char                   line[12];
    size_t                 got = 0, k;
    int                    code, n, i;

    DFX_UNUSED(arg);

    /* "HTTP/1.1 200 " is added in one piece, before the headers */
    if (info->n_added < sizeof(line)
        || evbuffer_ptr_set(buf, &pos, info->orig_size, EVBUFFER_PTR_SET)
           != 0)
    {
        return;
    }
    n = evbuffer_peek(buf, sizeof(line), &pos, v, 4);
    for (i = 0; i < n && i < 4 && got < sizeof(line); i++) {
        k = v[i].iov_len < sizeof(line) - got ? v[i].iov_len
                                               : sizeof(line) - got;
        memcpy(line + got, v[i].iov_base, k);
        got += k;
    }
    if (got != sizeof(line) || memcmp(line, "HTTP/1.", 7) != 0
        || line[8] != ' ' || line[9] < '1' || line[9] > '9'
        || line[10] < '0' || line[10] > '9' || line[11] < '0'
        || line[11] > '9')
    {
        return;
    }
    code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (code >= 200) {
        /* the "reason" of http_requests_total is the status code itself */
        dfx_stats_add(DFX_STAT_http_requests_total, -1, -1, code, 1);
    }
}

/* ---- connections, spread over the workers ---------------------------- */

static atomic_int  dfx_http_exiting;

/* Enables the worker's listeners while it holds no more connections than
 * any other worker, disables them otherwise.  Worker thread. */
static void
dfx_http_balance(dfx_http_worker_t *w)
{
    dfx_http_server_t      *s = &dfx_http_srv;
    struct evconnlistener  *lev;
    unsigned                i;
    size_t                  j;
    int                     mine, n, want = 1;

    if (w->nbound == 0 || atomic_load(&dfx_http_stopping)) {
        return;
    }
    mine = atomic_load(&w->nconns);
    for (i = 0; i < s->nworkers; i++) {
        n = atomic_load(&s->workers[i].nconns);
        if (n < mine) {
            want = 0;
            break;
        }
    }
    if (want == w->accepting) {
        return;
    }
    for (j = 0; j < w->nbound; j++) {
        lev = evhttp_bound_socket_get_listener(w->bound[j]);
        if (want) {
            (void) evconnlistener_enable(lev);
        } else {
            (void) evconnlistener_disable(lev);
        }
    }
    w->accepting = want;
}

static void
dfx_http_bal_cb(evutil_socket_t fd, short what, void *arg)
{
    DFX_UNUSED(fd);
    DFX_UNUSED(what);
    dfx_http_balance(arg);
}

/* Counts a connection in or out and lets every worker look again. */
static void
dfx_http_conn_count(dfx_http_worker_t *w, int delta)
{
    dfx_http_server_t  *s = &dfx_http_srv;
    unsigned            i;

    atomic_fetch_add(&w->nconns, delta);
    if (atomic_load(&dfx_http_exiting)) {
        return;
    }
    dfx_http_balance(w);
    for (i = 0; i < s->nworkers; i++) {
        if (&s->workers[i] != w && s->workers[i].bal_ev != NULL) {
            event_active(s->workers[i].bal_ev, EV_READ, 0);
        }
    }
}

static dfx_http_conn_t *
dfx_http_conn_find(dfx_http_worker_t *w, struct evhttp_connection *evcon)
{
    dfx_http_conn_t  *c;
    int               fd;

    fd = bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
    if (fd < 0 || (size_t) fd >= w->nby_fd) {
        return NULL;
    }
    c = w->by_fd[fd];
    return c != NULL && c->evcon == evcon ? c : NULL;
}

/*
 * libevent 2.1 reads at most 4 KiB per readiness of a socket, whatever
 * bufferevent_set_max_single_read() says (evbuffer_read() caps it): a
 * request body of 1.6 MB takes some 400 reads, each a turn of the event
 * loop.  This callback of the connection's input buffer runs from within
 * such a read; when the read was a full one, it takes what else the
 * socket holds, up to DFX_HTTP_READ_MAX, in one readv() into the same
 * buffer.  evhttp then sees the bytes as if libevent had read them.  End
 * of file and errors are left alone: libevent's next read meets them.
 */
static void
dfx_http_read_more(struct evbuffer *in, const struct evbuffer_cb_info *info,
                   void *arg)
{
    dfx_http_conn_t        *c = arg;
    struct evbuffer_iovec   v[2];
    struct iovec            iov[2];
    ssize_t                 got;
    size_t                  want;
    int                     avail = 0, n, i;

    if (c->reading || c->fd < 0 || info->n_added < DFX_HTTP_EV_READ
        || ioctl(c->fd, FIONREAD, &avail) != 0 || avail <= 0)
    {
        return;
    }
    want = (size_t) avail < DFX_HTTP_READ_MAX ? (size_t) avail
                                              : DFX_HTTP_READ_MAX;
    n = evbuffer_reserve_space(in, (ev_ssize_t) want, v, 2);
    if (n <= 0) {
        /* no memory, or the buffer is not open for adding now */
        return;
    }
    for (i = 0; i < n; i++) {
        iov[i].iov_base = v[i].iov_base;
        iov[i].iov_len = v[i].iov_len;
    }
    got = readv(c->fd, iov, n);
    if (got <= 0) {
        return;
    }
    for (i = 0; i < n; i++) {
        v[i].iov_len = (size_t) got < v[i].iov_len ? (size_t) got
                                                   : v[i].iov_len;
        got -= (ssize_t) v[i].iov_len;
    }
    c->reading = 1;
    (void) evbuffer_commit_space(in, v, n);
    c->reading = 0;
}

static void
dfx_http_conn_closed(struct evhttp_connection *evcon, void *arg)
{
    dfx_http_conn_t    *c = arg;
    dfx_http_worker_t  *w = c->w;

    /* once: evhttp may come back here while tearing the connection down */
    evhttp_connection_set_closecb(evcon, NULL, NULL);
    if (c->read_cb != NULL) {
        evbuffer_remove_cb_entry(bufferevent_get_input(
            evhttp_connection_get_bufferevent(evcon)), c->read_cb);
        c->read_cb = NULL;
    }
    if (c->hook != NULL) {
        c->hook(evcon, c->hook_arg);
    }
    if (c->fd >= 0 && (size_t) c->fd < w->nby_fd && w->by_fd[c->fd] == c) {
        w->by_fd[c->fd] = NULL;
    }
    free(c);
    dfx_http_conn_count(w, -1);
}

void
dfx_http_conn_watch(dfx_http_worker_t *w, struct evhttp_connection *evcon,
                    dfx_http_close_cb cb, void *arg)
{
    dfx_http_conn_t  *c = dfx_http_conn_find(w, evcon);

    if (c == NULL) {
        /* not accounted (no memory at accept): evhttp's own callback */
        evhttp_connection_set_closecb(evcon, cb, arg);
        return;
    }
    c->hook = cb;
    c->hook_arg = arg;
}

static int
dfx_http_conn_index(dfx_http_worker_t *w, dfx_http_conn_t *c)
{
    dfx_http_conn_t  **t;
    size_t             n;

    if ((size_t) c->fd >= w->nby_fd) {
        for (n = w->nby_fd ? w->nby_fd : 64; n <= (size_t) c->fd; n *= 2) {
            /* void */
        }
        t = realloc(w->by_fd, n * sizeof(*t));
        if (t == NULL) {
            return -1;
        }
        memset(t + w->nby_fd, 0, (n - w->nby_fd) * sizeof(*t));
        w->by_fd = t;
        w->nby_fd = n;
    }
    w->by_fd[c->fd] = c;
    return 0;
}

/*
 * The connections accepted since the last call get their close callback.
 * evhttp makes the connection object only after the bufferevent callback
 * has returned, and hands it to the bufferevent as its callback argument
 * (libevent 2.1's evhttp: bufferevent_setcb(bev, ..., evcon)), which is
 * checked against evhttp_connection_get_bufferevent().  A connection that
 * evhttp has already dropped has no callbacks left (bufferevent_free()
 * clears them); the reference taken at accept keeps the bufferevent
 * readable until here.
 */
static void
dfx_http_attach_cb(evutil_socket_t fd, short what, void *arg)
{
    dfx_http_worker_t         *w = arg;
    dfx_http_conn_t           *c, *next;
    struct evhttp_connection  *evcon;
    void                      *cbarg;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);

    c = w->fresh;
    w->fresh = NULL;
    for (; c != NULL; c = next) {
        next = c->next;
        c->next = NULL;
        cbarg = NULL;
        bufferevent_getcb(c->bev, NULL, NULL, NULL, &cbarg);
        evcon = cbarg;
        c->fd = bufferevent_getfd(c->bev);
        if (evcon != NULL && evhttp_connection_get_bufferevent(evcon) == c->bev
            && c->fd >= 0 && dfx_http_conn_index(w, c) == 0)
        {
            c->evcon = evcon;
            evhttp_connection_set_closecb(evcon, dfx_http_conn_closed, c);
            c->read_cb = evbuffer_add_cb(bufferevent_get_input(c->bev),
                                         dfx_http_read_more, c);
            bufferevent_decref(c->bev);
            c->bev = NULL;
            continue;
        }
        /* gone already, or no memory to index it: not counted */
        bufferevent_decref(c->bev);
        free(c);
        dfx_http_conn_count(w, -1);
    }
}

/* Makes every ingest connection's bufferevent (evhttp calls it at
 * accept, from the listener's accept loop). */
static struct bufferevent *
dfx_http_bev_cb(struct event_base *base, void *arg)
{
    dfx_http_worker_t    *w = arg;
    struct bufferevent   *bev;
    dfx_http_conn_t      *c;

    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        return NULL;
    }
    evbuffer_add_cb(bufferevent_get_output(bev), dfx_http_count_cb, NULL);
    (void) bufferevent_set_max_single_write(bev, DFX_HTTP_IO_MAX);

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        /* served, but not counted */
        return bev;
    }
    c->w = w;
    c->bev = bev;
    c->fd = -1;
    bufferevent_incref(bev);
    c->next = w->fresh;
    w->fresh = c;
    event_active(w->attach_ev, EV_READ, 0);
    /* may disable this worker's listeners, which ends the accept loop
     * after this connection */
    dfx_http_conn_count(w, 1);
    return bev;
}

int
dfx_http_workers_json(dfx_buf_t *b)
{
    dfx_http_server_t  *s = &dfx_http_srv;
    unsigned            i;
    int                 rc = 0;

    rc |= dfx_buf_putc(b, '[');
    for (i = 0; s->workers != NULL && i < s->nworkers; i++) {
        rc |= dfx_buf_printf(b, "%s{\"connections\":%d,\"requests\":%llu}",
                             i > 0 ? "," : "",
                             atomic_load(&s->workers[i].nconns),
                             (unsigned long long) atomic_load(
                                 &s->workers[i].nrequests));
    }
    rc |= dfx_buf_putc(b, ']');
    return rc;
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
    ep = dfx_http_route(dfx_http_path(r), &ds);
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
        event_base_loopbreak(w->base);
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
    w->base = event_base_new();
    if (w->base == NULL) {
        goto failed;
    }
    w->http = evhttp_new(w->base);
    w->ctl_ev = event_new(w->base, -1, 0, dfx_http_ctl_cb, w);
    w->done_ev = event_new(w->base, -1, 0, dfx_http_ack_done_cb, w);
    w->bal_ev = event_new(w->base, -1, 0, dfx_http_bal_cb, w);
    w->attach_ev = event_new(w->base, -1, 0, dfx_http_attach_cb, w);
    w->pool = dfx_pool_create(DFX_HTTP_POOL_BLOCK);
    w->bound = calloc(s->ningest ? s->ningest : 1, sizeof(*w->bound));
    if (w->http == NULL || w->ctl_ev == NULL || w->done_ev == NULL
        || w->bal_ev == NULL || w->attach_ev == NULL || w->pool == NULL
        || w->bound == NULL)
    {
        goto failed;
    }

    evhttp_set_allowed_methods(w->http, DFX_HTTP_ALL_METHODS);
    evhttp_set_max_body_size(w->http, (ev_ssize_t) s->body_limit);
    evhttp_set_max_headers_size(w->http, DFX_HTTP_MAX_HEADERS);
    evhttp_set_timeout(w->http, s->client_timeout);
    /* read the rest of a too-large body before answering 413, so that
     * the client sees the answer instead of a reset connection */
    evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_default_content_type(w->http, "application/json");
    evhttp_set_gencb(w->http, dfx_http_ingest_gencb, w);
    evhttp_set_bevcb(w->http, dfx_http_bev_cb, w);

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
    dfx_http_conn_t  *c, *next;

    dfx_http_ack_orphan(w);
    if (w->ctl_ev != NULL) {
        event_free(w->ctl_ev);
    }
    if (w->done_ev != NULL) {
        event_free(w->done_ev);
    }
    if (w->bal_ev != NULL) {
        event_free(w->bal_ev);
        w->bal_ev = NULL;
    }
    if (w->attach_ev != NULL) {
        event_free(w->attach_ev);
    }
    /* evhttp_free() frees the listeners */
    w->nbound = 0;
    if (w->http != NULL) {
        /* closes the sockets and connections still open */
        evhttp_free(w->http);
    }
    for (c = w->fresh; c != NULL; c = next) {
        next = c->next;
        bufferevent_decref(c->bev);
        free(c);
    }
    w->fresh = NULL;
    free(w->by_fd);
    w->by_fd = NULL;
    w->nby_fd = 0;
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
    dfx_http_server_t  *s = &dfx_http_srv;
    int                *admin_fds = NULL;
    size_t              i;
    long                ncpu;

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
    s->admin_body_limit = (size_t) m->limits.decoded_body.v;
    s->client_timeout = (int) m->client_timeout.v;
    if (s->client_timeout <= 0) {
        s->client_timeout = 60;
    }

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

    s->admin = evhttp_new(main_base);
    if (s->admin == NULL) {
        goto failed;
    }
    evhttp_set_allowed_methods(s->admin, DFX_HTTP_ALL_METHODS);
    evhttp_set_max_body_size(s->admin, (ev_ssize_t) s->admin_body_limit);
    evhttp_set_max_headers_size(s->admin, DFX_HTTP_MAX_HEADERS);
    evhttp_set_timeout(s->admin, s->client_timeout);
    evhttp_set_flags(s->admin, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_gencb(s->admin, dfx_http_admin_cb, NULL);
    for (i = 0; i < s->nadmin; i++) {
        if (evhttp_accept_socket_with_handle(s->admin, admin_fds[i]) == NULL)
        {
            dfx_log_error("admin listen %s: cannot accept",
                          s->admin_addrs[i]);
            goto failed;
        }
        admin_fds[i] = -1;          /* the evhttp closes it */
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

    if (s->admin != NULL) {
        evhttp_free(s->admin);
    }
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
