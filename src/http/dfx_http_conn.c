/*
 * dfx_http_conn.c: ingest connections: which worker accepts them, how
 * they read, and the status lines they write.  The admin listener's
 * connections go through the same gate and deadlines (a pseudo-worker on
 * the main event loop, w->admin), without the accounting.
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
 * including the ones libevent writes itself (400 for a malformed
 * request).  Answers written straight to the socket as the connection
 * closes (dfx_http_conn_answer_close()) are counted there.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "dfx_core.h"
#include "dfx_http.h"
#include "dfx_http_int.h"

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

/* Open ingest connections, every worker's (max-connections). */
static atomic_int  dfx_http_nconns;

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

/* Enables the worker's listeners while it holds no more connections than
 * any other worker, disables them otherwise.  Worker thread. */
static void
dfx_http_balance(dfx_http_worker_t *w)
{
    dfx_http_worker_t      *all;
    struct evconnlistener  *lev;
    unsigned                i, nall;
    size_t                  j;
    int                     mine, n, want = 1;

    if (w->nbound == 0 || dfx_http_shutting_down()) {
        return;
    }
    all = dfx_http_workers(&nall);
    mine = atomic_load(&w->nconns);
    for (i = 0; i < nall; i++) {
        n = atomic_load(&all[i].nconns);
        if (n < mine) {
            want = 0;
            break;
        }
    }
    if (dfx_http_guard_paused(&w->guard)
        || atomic_load(&dfx_http_nconns) >= dfx_http_max_connections())
    {
        /* accept errors, or max-connections: new connections wait in
         * the listen backlog */
        want = 0;
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

void
dfx_http_conn_rebalance(dfx_http_worker_t *w)
{
    dfx_http_balance(w);
}

static void
dfx_http_balance_cb(evutil_socket_t fd, short what, void *arg)
{
    DFX_UNUSED(fd);
    DFX_UNUSED(what);
    dfx_http_balance(arg);
}

/* Counts a connection in or out and lets every worker look again. */
static void
dfx_http_conn_count(dfx_http_worker_t *w, int delta)
{
    dfx_http_worker_t  *all;
    unsigned            i, nall;
    int                 prev, max = dfx_http_max_connections();

    if (w->admin) {
        return;
    }
    atomic_fetch_add(&w->nconns, delta);
    prev = atomic_fetch_add(&dfx_http_nconns, delta);
    dfx_stats_add(DFX_STAT_http_connections, -1, -1, -1, delta);
    if (delta > 0 && prev < max && prev + delta >= max) {
        dfx_stats_add(DFX_STAT_http_max_connections_reached_total, -1, -1,
                      -1, 1);
    }
    if (dfx_http_exiting_now()) {
        return;
    }
    dfx_http_balance(w);
    all = dfx_http_workers(&nall);
    for (i = 0; i < nall; i++) {
        if (&all[i] != w && all[i].bal_ev != NULL) {
            event_active(all[i].bal_ev, EV_READ, 0);
        }
    }
}

/*
 * TLS connections answer without Nagle's delay.  bufferevent_openssl
 * writes each chain of the output buffer as a TLS record of its own (an
 * answer's status line and headers, then its body), and Nagle holds the
 * second segment until the client acknowledges the first, which a client
 * delaying its ACKs does 40 ms later: every answer took 40 ms more, and
 * a client with few connections got a third of the plain throughput.  A
 * plain answer leaves in one writev(), where this never happens.
 */
static void
dfx_http_conn_nodelay(evutil_socket_t fd)
{
    int  one = 1;

    (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
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

/* ---- deadlines ------------------------------------------------------ */

/*
 * libevent 2.1's timeouts (client-timeout) measure silence only: a client
 * that sends a byte of its headers every few seconds holds a connection
 * forever.  Each connection has a timer, armed at the first byte of a
 * request (the input buffer's callback sees every read), due at
 * header-timeout while the headers are read (the bytes are scanned for
 * the blank line that ends them: only header bytes, at most 64 KiB) and
 * at request-timeout once the body is, both counted from that first
 * byte.  It stops when the request is handed over to a handler, or
 * answered by libevent, and starts again with the first byte of the next
 * request: pipelined bytes already read count from the moment the answer
 * before them has been written.
 */

static void
dfx_http_now(struct timeval *tv)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
}

static void
dfx_http_deadline_arm(dfx_http_conn_t *c)
{
    struct timeval  now, due, left;
    int             secs = c->w->request_timeout;

    if (c->phase == DFX_HTTP_PHASE_HEADER && c->w->header_timeout < secs) {
        secs = c->w->header_timeout;
    }
    dfx_http_now(&now);
    due = c->t0;
    due.tv_sec += secs;
    if (evutil_timercmp(&due, &now, >)) {
        evutil_timersub(&due, &now, &left);
    } else {
        evutil_timerclear(&left);
    }
    (void) evtimer_add(c->deadline_ev, &left);
}

/* Looks for the end of the headers in the bytes of in from offset from;
 * 1 when found. */
static int
dfx_http_scan_headers(dfx_http_conn_t *c, struct evbuffer *in, size_t from)
{
    struct evbuffer_ptr    pos;
    struct evbuffer_iovec  v[4];
    const unsigned char   *p, *end;
    size_t                 seen = 0, len = evbuffer_get_length(in);
    int                    n, i;

    while (from < len && seen < DFX_HTTP_MAX_HEADERS) {
        if (evbuffer_ptr_set(in, &pos, from, EVBUFFER_PTR_SET) != 0) {
            return 0;
        }
        n = evbuffer_peek(in, (ev_ssize_t) (len - from), &pos, v, 4);
        if (n <= 0) {
            return 0;
        }
        for (i = 0; i < n && i < 4; i++) {
            p = v[i].iov_base;
            end = p + v[i].iov_len;
            for (; p < end; p++) {
                /* lines end with LF or CRLF (libevent's EOL_CRLF) */
                if (*p == '\n') {
                    if (c->eol) {
                        return 1;
                    }
                    c->eol = 1;
                } else if (*p != '\r') {
                    c->eol = 0;
                }
            }
            from += v[i].iov_len;
            seen += v[i].iov_len;
        }
    }
    return 0;
}

/* New bytes of a request: the first one starts its clock. */
static void
dfx_http_deadline_bytes(dfx_http_conn_t *c, struct evbuffer *in, size_t n)
{
    size_t  len = evbuffer_get_length(in);

    if (c->phase == DFX_HTTP_PHASE_IDLE) {
        c->phase = DFX_HTTP_PHASE_HEADER;
        c->eol = 0;
        dfx_http_now(&c->t0);
        dfx_http_deadline_arm(c);
    }
    if (dfx_http_scan_headers(c, in, len > n ? len - n : 0)) {
        c->phase = DFX_HTTP_PHASE_BODY;
        if (c->w->header_timeout < c->w->request_timeout) {
            dfx_http_deadline_arm(c);
        }
    }
}

static const char *
dfx_http_reason_phrase(int code)
{
    switch (code) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default:  return "Error";
    }
}

/*
 * Answers code with {"error":msg} and "Connection: close" straight to the
 * socket, past evhttp, which has an unfinished request on the connection
 * and cannot be asked to answer it: when nothing else is being written,
 * in one write that the socket buffer takes at once (TLS: one record
 * through the connection's SSL).  Then the connection is closed: at once
 * (what the client sent since the last read is drained first, so that
 * the close does not reset the connection under the answer), or, with
 * linger, only once the client has closed its side or after
 * DFX_HTTP_LINGER seconds, all it sends being thrown away meanwhile
 * (the gate's input callback drains it), so that a client still sending
 * a body it was told not to send reads the answer instead of a reset.
 */
#define DFX_HTTP_LINGER  5

static void
dfx_http_conn_answer_close(dfx_http_conn_t *c, int code, const char *msg,
                           int retry, int linger)
{
    struct bufferevent  *bev = evhttp_connection_get_bufferevent(c->evcon);
    struct timeval       tv = { DFX_HTTP_LINGER, 0 };
    dfx_buf_t            b = DFX_BUF_INIT, head = DFX_BUF_INIT;
    char                 drain[4096];
    int                  sent = 0, i;

    if (c->fd >= 0 && evbuffer_get_length(bufferevent_get_output(bev)) == 0
        && dfx_http_render_error(&b, msg, 0, 0) == 0
        && dfx_buf_printf(&head, "HTTP/1.1 %d %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %zu\r\n%s"
                          "Connection: close\r\n\r\n", code,
                          dfx_http_reason_phrase(code), b.len,
                          retry ? "Retry-After: 1\r\n" : "") == 0
        && dfx_buf_append(&head, b.data, b.len) == 0)
    {
        if (c->tls) {
            sent = dfx_http_tls_write_now(bev, head.data, head.len) == 0;
        } else {
            sent = send(c->fd, head.data, head.len,
                        MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t) head.len;
        }
    }
    dfx_buf_free(&b);
    dfx_buf_free(&head);
    if (sent) {
        if (!c->w->admin) {
            dfx_stats_add(DFX_STAT_http_requests_total, -1, -1, code, 1);
        }
        (void) shutdown(c->fd, SHUT_WR);
        if (linger) {
            c->closing = DFX_HTTP_CLOSE_LINGER;
            (void) bufferevent_disable(bev, EV_WRITE);
            (void) bufferevent_enable(bev, EV_READ);
            (void) evtimer_add(c->deadline_ev, &tv);
            return;
        }
        for (i = 0; i < 16 && recv(c->fd, drain, sizeof(drain),
                                  MSG_DONTWAIT) > 0; i++) {
            /* void */
        }
    }
    /* frees c (dfx_http_conn_closed) */
    evhttp_connection_free(c->evcon);
}

/* The deadline passed: 408 when nothing else is being written, then the
 * connection is closed.  The same timer answers what the gate refused
 * (set to fire at once: evhttp's connection cannot be freed from within
 * its input buffer's callback) and ends the lingering after it. */
static void
dfx_http_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    dfx_http_conn_t  *c = arg;
    int               header;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);

    if (c->evcon == NULL) {
        return;
    }
    if (c->closing == DFX_HTTP_CLOSE_ANSWER) {
        dfx_http_conn_answer_close(c, c->gate.code, c->gate.msg,
                                   c->gate.retry, 1);
        return;
    }
    if (c->closing == DFX_HTTP_CLOSE_LINGER) {
        evhttp_connection_free(c->evcon);
        return;
    }
    if (c->phase == DFX_HTTP_PHASE_IDLE || c->phase == DFX_HTTP_PHASE_ANSWER) {
        return;
    }
    header = c->phase == DFX_HTTP_PHASE_HEADER;
    dfx_stats_add(c->w->admin ? DFX_STAT_admin_timeouts_total
                              : DFX_STAT_http_timeouts_total, -1, -1,
                  header ? DFX_REASON_HEADER : DFX_REASON_REQUEST, 1);
    dfx_http_conn_answer_close(c, 408, header
        ? "request timeout: the headers took longer than header-timeout"
        : "request timeout: the request took longer than request-timeout",
        0, 0);
}

/* The gate refused the request: evhttp must see none of its bytes, nor
 * any that follow; the answer is written from the deadline timer. */
static void
dfx_http_conn_refuse(dfx_http_conn_t *c, struct evbuffer *in)
{
    struct timeval  now = { 0, 0 };

    c->closing = DFX_HTTP_CLOSE_ANSWER;
    (void) evbuffer_drain(in, evbuffer_get_length(in));
    (void) bufferevent_disable(evhttp_connection_get_bufferevent(c->evcon),
                               EV_READ);
    (void) evtimer_add(c->deadline_ev, &now);
}

/* Bytes added to the input of an attached connection go through the gate
 * first; 0 when evhttp may read them. */
static int
dfx_http_conn_gate(dfx_http_conn_t *c, struct evbuffer *in, size_t n)
{
    if (c->closing != DFX_HTTP_CLOSE_NO) {
        /* refused: nothing more is read as a request */
        (void) evbuffer_drain(in, evbuffer_get_length(in));
        return -1;
    }
    if (dfx_http_gate_feed(&c->gate, in, n, c->w->body_limit) != 0) {
        dfx_http_conn_refuse(c, in);
        return -1;
    }
    return 0;
}

/* Output-buffer callback of an attached connection: an answer written
 * in full ends its request; bytes already read start the next one. */
static void
dfx_http_conn_out_cb(struct evbuffer *out, const struct evbuffer_cb_info *info,
                     void *arg)
{
    dfx_http_conn_t  *c = arg;
    struct evbuffer  *in;

    if (c->phase != DFX_HTTP_PHASE_ANSWER || info->n_deleted == 0
        || evbuffer_get_length(out) != 0)
    {
        return;
    }
    c->phase = DFX_HTTP_PHASE_IDLE;
    dfx_http_gate_reset(&c->gate);
    in = bufferevent_get_input(evhttp_connection_get_bufferevent(c->evcon));
    if (evbuffer_get_length(in) > 0
        && dfx_http_conn_gate(c, in, evbuffer_get_length(in)) == 0)
    {
        dfx_http_deadline_bytes(c, in, evbuffer_get_length(in));
    }
}

void
dfx_http_conn_handed(dfx_http_worker_t *w, struct evhttp_connection *evcon)
{
    dfx_http_conn_t  *c;

    if (evcon == NULL || (c = dfx_http_conn_find(w, evcon)) == NULL) {
        return;
    }
    c->phase = DFX_HTTP_PHASE_ANSWER;
    (void) evtimer_del(c->deadline_ev);
}

uint64_t
dfx_http_conn_held(dfx_http_worker_t *w, struct evhttp_connection *evcon)
{
    dfx_http_conn_t  *c;

    if (evcon != NULL && (c = dfx_http_conn_find(w, evcon)) != NULL) {
        return c->gate.held;
    }
    return 0;
}

void
dfx_http_conn_done(dfx_http_worker_t *w, struct evhttp_connection *evcon)
{
    dfx_http_conn_t  *c;

    if (evcon != NULL && (c = dfx_http_conn_find(w, evcon)) != NULL) {
        dfx_http_gate_release(&c->gate);
    }
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

    if (info->n_added == 0 || dfx_http_conn_gate(c, in, info->n_added) != 0)
    {
        return;
    }
    if (c->phase <= DFX_HTTP_PHASE_HEADER) {
        dfx_http_deadline_bytes(c, in, info->n_added);
    }
    /* TLS: the socket holds records for OpenSSL, not request bytes */
    if (c->reading || c->fd < 0 || c->tls || info->n_added < DFX_HTTP_EV_READ
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
    if (c->write_cb != NULL) {
        evbuffer_remove_cb_entry(bufferevent_get_output(
            evhttp_connection_get_bufferevent(evcon)), c->write_cb);
        c->write_cb = NULL;
    }
    if (c->deadline_ev != NULL) {
        event_free(c->deadline_ev);
        c->deadline_ev = NULL;
    }
    dfx_http_gate_release(&c->gate);
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
            && c->fd >= 0
            && (c->deadline_ev = evtimer_new(w->base, dfx_http_deadline_cb,
                                             c)) != NULL
            && dfx_http_conn_index(w, c) == 0)
        {
            c->evcon = evcon;
            if (c->tls) {
                dfx_http_conn_nodelay(c->fd);
            }
            evhttp_connection_set_closecb(evcon, dfx_http_conn_closed, c);
            c->read_cb = evbuffer_add_cb(bufferevent_get_input(c->bev),
                                         dfx_http_read_more, c);
            c->write_cb = evbuffer_add_cb(bufferevent_get_output(c->bev),
                                          dfx_http_conn_out_cb, c);
            c->gate.admin = w->admin != 0;
            dfx_http_gate_reset(&c->gate);
            if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0
                && dfx_http_conn_gate(c, bufferevent_get_input(c->bev),
                       evbuffer_get_length(bufferevent_get_input(c->bev)))
                   == 0)
            {
                dfx_http_deadline_bytes(c, bufferevent_get_input(c->bev),
                    evbuffer_get_length(bufferevent_get_input(c->bev)));
            }
            bufferevent_decref(c->bev);
            c->bev = NULL;
            continue;
        }
        /* gone already, or no memory to index it: not counted */
        if (c->deadline_ev != NULL) {
            event_free(c->deadline_ev);
        }
        bufferevent_decref(c->bev);
        free(c);
        dfx_http_conn_count(w, -1);
    }
}

/* Makes every ingest connection's bufferevent (evhttp calls it at
 * accept, from the listener's accept loop). */
struct bufferevent *
dfx_http_conn_bev_cb(struct event_base *base, void *arg)
{
    dfx_http_worker_t    *w = arg;
    struct bufferevent   *bev;
    dfx_http_conn_t      *c;

    /* plain listeners: one pointer test per connection, no more */
    if (w->tls != NULL) {
        bev = dfx_http_tls_bev_new(w->tls, base);
    } else {
        bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    }
    if (bev == NULL) {
        return NULL;
    }
    if (!w->admin) {
        evbuffer_add_cb(bufferevent_get_output(bev), dfx_http_count_cb, NULL);
    }
    (void) bufferevent_set_max_single_write(bev, DFX_HTTP_IO_MAX);

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        /* served, but not counted */
        return bev;
    }
    c->w = w;
    c->bev = bev;
    c->fd = -1;
    c->tls = w->tls != NULL;
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
    dfx_http_worker_t  *all;
    unsigned            i, nall;
    int                 rc = 0;

    all = dfx_http_workers(&nall);
    rc |= dfx_buf_putc(b, '[');
    for (i = 0; i < nall; i++) {
        rc |= dfx_buf_printf(b, "%s{\"connections\":%d,\"requests\":%llu}",
                             i > 0 ? "," : "",
                             atomic_load(&all[i].nconns),
                             (unsigned long long) atomic_load(
                                 &all[i].nrequests));
    }
    rc |= dfx_buf_putc(b, ']');
    return rc;
}

int
dfx_http_conn_init(dfx_http_worker_t *w)
{
    w->bal_ev = event_new(w->base, -1, 0, dfx_http_balance_cb, w);
    w->attach_ev = event_new(w->base, -1, 0, dfx_http_attach_cb, w);
    return w->bal_ev != NULL && w->attach_ev != NULL ? 0 : -1;
}

void
dfx_http_conn_fini(dfx_http_worker_t *w)
{
    dfx_http_conn_t  *c, *next;

    if (w->bal_ev != NULL) {
        event_free(w->bal_ev);
        w->bal_ev = NULL;
    }
    if (w->attach_ev != NULL) {
        event_free(w->attach_ev);
        w->attach_ev = NULL;
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
}
