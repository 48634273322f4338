/*
 * dfx_http_int.h: what the files of src/http share and nobody else sees.
 *
 * dfx_http_listen.c    addresses, sockets, workers, dispatch, shutdown
 * dfx_http_conn.c      ingest connections: spread over workers, reads
 * dfx_http_gate.c      request framing as bytes arrive: early answers
 * dfx_http_memory.c    the byte budget of bodies and records in memory
 * dfx_http_ingest.c    POST /v1/ingest/<data-source>
 * dfx_http_ack.c       requests waiting for Kafka (?ack=kafka)
 * dfx_http_dryrun.c    ?dry_run=1 answers
 * dfx_http_admin.c     /metrics /stats /healthz /readyz, PUT /v1/dictionary
 * dfx_http_body.c      content types, gzip, NDJSON lines
 * dfx_http_route.c     paths and query parameters
 * dfx_http_response.c  JSON answers
 *
 * Threads: a worker owns its event_base, evhttp and every buffer below;
 * nothing of it is touched by another thread except through the ack
 * hand-over (dfx_http_ack_lock) and event_active().
 */
#ifndef DFX_HTTP_INT_H
#define DFX_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

#include "dfx_buf.h"
#include "dfx_cycle.h"
#include "dfx_kafka.h"
#include "dfx_module.h"
#include "dfx_pool.h"
#include "dfx_record_parse.h"
#include "dfx_stats.h"
#include "dfx_http_body.h"
#include "dfx_http_response.h"
#include "dfx_http_route.h"

#define DFX_HTTP_WORKER_MAGIC  0x64666877u     /* "dfhw" */
#define DFX_HTTP_REQ_MAGIC     0x64666872u     /* "dfhr" */

/* a worker buffer that grew past this for one big request is freed after
 * it, so that one unusual request does not pin memory */
#define DFX_HTTP_KEEP_BYTES    (8u * 1024 * 1024)

#define DFX_HTTP_NO_KEY        UINT32_MAX

/* the largest request line and headers of a request */
#define DFX_HTTP_MAX_HEADERS   (64 * 1024)
/* evhttp's own ceiling on ingest listeners: above the gate's, which
 * answers first (dfx_http_gate.c) */
#define DFX_HTTP_MAX_HEADERS_EV  (DFX_HTTP_MAX_HEADERS + 4096)

typedef struct dfx_http_worker_s  dfx_http_worker_t;
typedef struct dfx_http_req_s     dfx_http_req_t;
typedef struct dfx_http_conn_s    dfx_http_conn_t;
typedef struct dfx_http_tls_s     dfx_http_tls_t;
typedef struct dfx_http_auth_s    dfx_http_auth_t;

typedef void (*dfx_http_close_cb)(struct evhttp_connection *evcon,
                                  void *arg);

/* One Kafka message of a request, waiting for the budget decision. */
typedef struct dfx_http_msg_s {
    size_t    off;              /* value: route values[off, off + len) */
    size_t    len;
    size_t    koff;             /* key: route keys[koff, koff + klen) */
    uint32_t  klen;             /* DFX_HTTP_NO_KEY: null key */
    uint32_t  record;
    int64_t   ts_ms;
    uint32_t  line;             /* the record's, for error entries */
    uint32_t  column;
} dfx_http_msg_t;

/* Per route (exporter) of the data source, per request; reused. */
typedef struct dfx_http_route_st_s {
    const dfx_route_t  *route;
    dfx_rec_ctx_t       rc;
    dfx_buf_t           values;
    dfx_buf_t           keys;
    dfx_http_msg_t     *msgs;
    size_t              nmsgs;
    size_t              cap;
    uint32_t            filtered;
    uint32_t            send_failed;
    size_t              max_msg;    /* key + value Kafka takes */
    long                max_bytes;  /* its message.max.bytes */
    unsigned            rr;         /* first producer */
    unsigned            nprod;
    uint32_t           *counts;     /* messages per producer */
} dfx_http_route_st_t;

/* An ingest request while it is being handled (on the worker's stack). */
typedef struct dfx_http_ctx_s {
    dfx_http_worker_t       *w;
    struct evhttp_request   *evreq;
    dfx_cycle_t             *cycle;
    const dfx_schema_t      *schema;
    int                      ds;
    size_t                   nroutes;
    const dfx_dict_t        *dict;
    int                      ack;           /* dfx_ack_mode_t */
    int                      dry_run;
    int                      pretty;        /* ?pretty=1: indented */
    int                      offline_code;  /* no evreq (dfexport
                                             * --dry-run): the status the
                                             * answer in w->out has */
    int                      clickhouse;    /* ?format=clickhouse */
    uint32_t                 nrecords;
    uint64_t                 unknown;       /* sum of rec->unknown */
    int                      failed;        /* ENOMEM while handling */
    uint64_t                 mem;           /* charged to limits.memory */
    uint64_t                 prepaid;       /* reserved with the body for
                                             * its handling, not used yet */

    /* JSON bodies: byte offset -> line and column for error entries */
    const char              *body;
    size_t                   body_len;
    size_t                   pos_off;
    size_t                   pos_bol;       /* offset of pos_off's line */
    uint32_t                 pos_line;
} dfx_http_ctx_t;

/* Where a connection's request is in its framing, as its bytes arrive
 * (dfx_http_gate.c). */
typedef struct dfx_http_gate_s {
    uint8_t       state;
    uint8_t       hdr;          /* the kept header being read */
    uint8_t       seen;         /* kept headers met (first one counts) */
    uint8_t       cr;           /* the last byte was a CR */
    uint8_t       lead;         /* leading spaces of a value */
    uint8_t       folds;        /* the last line was a kept header */
    uint8_t       ext;          /* a chunk extension began */
    uint8_t       colon;        /* a trailer line had its ':' */
    uint8_t       folded;       /* a trailer line continues another */
    uint8_t       has_body;     /* the method may have a body */
    uint8_t       http11;       /* HTTP/1.1: Expect applies */
    uint8_t       chunked;
    uint8_t       cl_bad;
    uint8_t       expect_other;
    uint8_t       mover;        /* method longer than tok */
    uint8_t       vover;        /* version longer than ver */
    uint8_t       tover;        /* token longer than tok */
    uint8_t       retry;        /* the answer says Retry-After */
    uint8_t       admin;        /* the admin listener's: bodies bounded
                                 * by limits.decoded-body, not charged
                                 * to limits.memory */
    uint8_t       tlen;
    uint8_t       vlen;
    uint32_t      spaces;       /* of the request line */
    uint32_t      llen;         /* of the line being read */
    uint32_t      hsize;        /* request line, headers, trailers */
    uint32_t      digits;       /* of a chunk size */
    char          tok[32];      /* the method, a name or a value */
    char          ver[16];      /* the request line's last word */
    uint64_t      cl;           /* the first Content-Length */
    uint64_t      left;         /* body or chunk bytes to come */
    uint64_t      body;         /* chunked: body bytes so far */
    uint64_t      held;         /* reserved in limits.memory */
    int           code;         /* refused: the answer's status */
    const char   *msg;          /* ...and its error message */
} dfx_http_gate_t;

/* An ingest connection, counted from accept to close so that new
 * connections go to the least loaded worker (dfx_http_conn.c). */
struct dfx_http_conn_s {
    dfx_http_worker_t          *w;
    struct bufferevent         *bev;        /* referenced until attached */
    struct evhttp_connection   *evcon;      /* NULL until attached */
    int                         fd;
    int                         reading;    /* in dfx_http_read_more() */
    struct evbuffer_cb_entry   *read_cb;
    dfx_http_close_cb           hook;       /* the ack code's close hook */
    void                       *hook_arg;
    dfx_http_conn_t            *next;       /* accepted, not attached */

    /* the deadlines of the request being read (dfx_http_conn.c) */
    struct event               *deadline_ev;
    struct evbuffer_cb_entry   *write_cb;
    struct timeval              t0;         /* its first byte */
    int                         phase;      /* DFX_HTTP_PHASE_* */
    int                         eol;        /* header scan: at a line's
                                             * start */
    int                         tls;        /* bytes on the socket are
                                             * TLS records */
    dfx_http_gate_t             gate;
    int                         closing;    /* DFX_HTTP_CLOSE_*: the
                                             * deadline timer answers,
                                             * then closes */
};

/* What a connection's deadline timer does next (dfx_http_conn_t.closing) */
#define DFX_HTTP_CLOSE_NO      0
#define DFX_HTTP_CLOSE_ANSWER  1    /* the gate refused: answer, linger */
#define DFX_HTTP_CLOSE_LINGER  2    /* answered: reading to throw away */

/* Where a connection's current request is (dfx_http_conn_t.phase). */
#define DFX_HTTP_PHASE_IDLE    0    /* no byte of a request yet */
#define DFX_HTTP_PHASE_HEADER  1    /* reading the request line, headers */
#define DFX_HTTP_PHASE_BODY    2    /* reading the body */
#define DFX_HTTP_PHASE_ANSWER  3    /* handed over, until answered */

/* Accept errors of one worker's listeners, or of the admin listener:
 * paused, then tried again (dfx_http_accept.c). */
typedef struct dfx_http_guard_s {
    struct event            *ev;
    struct evconnlistener  **levs;      /* admin: its listeners */
    size_t                   nlevs;
    dfx_http_worker_t       *w;         /* NULL: the admin listener */
    int                      pause_ms;  /* 0: no trouble */
    int                      paused;    /* listeners disabled by it */
    uint64_t                 errors;    /* in this episode */
} dfx_http_guard_t;

struct dfx_http_worker_s {
    uint32_t                 magic;
    unsigned                 index;
    pthread_t                thread;
    int                      started;
    struct event_base       *base;
    struct evhttp           *http;
    struct evhttp_bound_socket **bound;
    size_t                   nbound;
    struct event            *ctl_ev;        /* stop accepting */
    struct event            *done_ev;       /* acked requests to answer */

    /* connection accounting: nconns and nrequests are read by every
     * thread, the rest is the worker's own */
    atomic_int               nconns;
    atomic_uint_fast64_t     nrequests;
    struct event            *bal_ev;        /* another worker's count
                                             * changed */
    struct event            *attach_ev;     /* accepted connections */
    dfx_http_conn_t         *fresh;         /* ...waiting for attach_ev */
    dfx_http_conn_t        **by_fd;         /* attached, by socket */
    size_t                   nby_fd;
    int                      accepting;     /* listeners enabled */
    dfx_http_guard_t         guard;         /* accept errors */
    dfx_http_tls_t          *tls;           /* NULL: plain HTTP */
    dfx_http_auth_t         *auth;          /* NULL: no token needed */
    int                      header_timeout;    /* seconds */
    int                      request_timeout;   /* seconds */
    uint64_t                 body_limit;        /* limits.body */
    int                      admin;         /* the admin listener's: its
                                             * connections are followed
                                             * for framing and deadlines,
                                             * not counted, balanced or
                                             * charged to limits.memory */

    /* under dfx_http_ack_lock: requests whose acknowledgement is done */
    dfx_http_req_t          *done_head;
    /* worker thread only: requests waiting for Kafka */
    dfx_http_req_t          *pending;

    /* reused by every request of this worker */
    dfx_pool_t              *pool;
    dfx_record_parser_t     *parser;
    dfx_parse_limits_t       plim;
    dfx_dialect_t            dialect;       /* how parser reads now */
    char                     tz[DFX_TZ_NAME_MAX + 1];  /* in which zone
                                                        * ("": strict) */
    dfx_http_gunzip_t        gz;
    dfx_buf_t                body;          /* decoded or gathered body */
    dfx_buf_t                out;           /* the answer */
    dfx_buf_t                dry;           /* dry-run entries */
    struct iovec            *iov;
    int                      niov;
    dfx_http_result_t        result;
    dfx_http_route_st_t      routes[DFX_STATS_MAX_EXPORTERS];
};

/* A request that waits for Kafka's acknowledgement ("kafka" ack mode).
 * Owned by its worker until the acknowledgement is done; if the worker is
 * stopped first, it is orphaned (w = NULL) and freed by the delivery
 * report that completes it. */
struct dfx_http_req_s {
    uint32_t                 magic;
    dfx_kafka_ack_t          ack;
    dfx_http_worker_t       *w;             /* under dfx_http_ack_lock */
    struct evhttp_request   *evreq;         /* NULL: the client is gone */
    dfx_cycle_t             *cycle;
    uint32_t                 nmsgs;
    char                    *body;          /* the rendered answer */
    size_t                   body_len;
    size_t                   insert_at;     /* where "delivered" goes */
    int                      client_gone;
    int                      done;          /* on the done list */
    dfx_http_req_t          *next_done;
    dfx_http_req_t          *prev;          /* worker's pending list */
    dfx_http_req_t          *next;
};

extern pthread_mutex_t  dfx_http_ack_lock;

/* dfx_http_conn.c */
/* The worker's connection events (dfx_http_conn_fini frees them, and
 * what is left of the accounting once evhttp has closed every
 * connection). */
int dfx_http_conn_init(dfx_http_worker_t *w);
void dfx_http_conn_fini(dfx_http_worker_t *w);
/* evhttp's bufferevent callback of every ingest listener, arg: the
 * worker. */
struct bufferevent *dfx_http_conn_bev_cb(struct event_base *base,
                                         void *arg);
/* Makes cb(evcon, arg) run when an ingest connection closes (cb NULL:
 * no longer), composed with the worker's own connection accounting,
 * which keeps evhttp's single close callback.  Worker thread, or any
 * thread once the worker has stopped. */
void dfx_http_conn_watch(dfx_http_worker_t *w,
                         struct evhttp_connection *evcon,
                         dfx_http_close_cb cb, void *arg);
/* For /stats: "workers":[{"connections":C,"requests":R},...]. */
int dfx_http_workers_json(dfx_buf_t *b);
/* The request of evcon was handed to a handler: its deadlines stop until
 * the answer has been written.  Worker thread. */
void dfx_http_conn_handed(dfx_http_worker_t *w,
                          struct evhttp_connection *evcon);
/* Whether the worker should accept now (balance, max-connections,
 * accept errors), and enables or disables its listeners accordingly. */
void dfx_http_conn_rebalance(dfx_http_worker_t *w);

/* The request of evcon was handled and the memory of its body freed:
 * what it holds in the memory budget is given back.  Worker thread. */
void dfx_http_conn_done(dfx_http_worker_t *w, struct evhttp_connection *evcon);
/* What the request of evcon holds in the memory budget now (0 when it
 * is not known).  Worker thread. */
uint64_t dfx_http_conn_held(dfx_http_worker_t *w,
                            struct evhttp_connection *evcon);

/* dfx_http_gate.c: the framing of the requests of one connection.
 * feed follows the n bytes just added at the end of in, without copying
 * them (a chunk extension's ';' is rewritten in place, see the file);
 * returns 0, or -1 when the request broke a rule and must be answered
 * g->code with g->msg (and Retry-After when g->retry) and the connection
 * closed, evhttp seeing none of its bytes.  Bodies are reserved in the
 * memory budget as their size becomes known (g->held).  reset starts
 * over with the next request (what g held is given back), release gives
 * back what g holds.  waits: the request ended, its answer is pending. */
int dfx_http_gate_feed(dfx_http_gate_t *g, struct evbuffer *in, size_t n,
                       uint64_t body_limit);
void dfx_http_gate_reset(dfx_http_gate_t *g);
void dfx_http_gate_release(dfx_http_gate_t *g);
int dfx_http_gate_waits(const dfx_http_gate_t *g);

/* dfx_http_memory.c: the budget of dfexport.limits.memory, shared by
 * every worker (atomic).  init sets its size; reserve takes n bytes and
 * returns 0, or -1 when they do not fit; charge takes them whatever the
 * budget says (memory already held); release gives n back; room is what
 * is left now.  Any thread. */
void dfx_http_mem_init(uint64_t limit);
/* What a body of n bytes is reserved for: its handling included. */
uint64_t dfx_http_mem_cost(uint64_t n);
int dfx_http_mem_reserve(uint64_t n);
void dfx_http_mem_charge(uint64_t n);
void dfx_http_mem_release(uint64_t n);
uint64_t dfx_http_mem_room(void);

/* dfx_http_tls.c: writes p, n at once on a TLS connection's bufferevent
 * bev, past its output buffer (SSL_write(), then close_notify): 0 when
 * all of it was written.  For answers written as the connection
 * closes. */
int dfx_http_tls_write_now(struct bufferevent *bev, const void *p, size_t n);

/* dfx_http_accept.c: accept errors (EMFILE...) pause the listeners with
 * a growing delay (100 ms to 1 s) instead of spinning, logged once per
 * episode and counted.  init sets up g for the worker w (NULL: the
 * admin listener, whose listeners follow in levs), fini frees it. */
int dfx_http_guard_init(dfx_http_guard_t *g, struct event_base *base,
                        dfx_http_worker_t *w);
void dfx_http_guard_fini(dfx_http_guard_t *g);
/* Adds a listener to watch (its error callback is g's). */
int dfx_http_guard_watch(dfx_http_guard_t *g, struct evconnlistener *lev);
/* 1 while g holds its listeners disabled. */
int dfx_http_guard_paused(const dfx_http_guard_t *g);

/* dfx_http_tls.c: TLS of a listener.  create makes *out from c (NULL
 * when c has no cert-file) and returns 0, or -1 (logged) when the files
 * do not load.  reload re-reads them (a failure keeps the old ones,
 * logged at warn).  bev_new makes a connection's bufferevent (accepting
 * a handshake; evhttp sets its socket). */
int dfx_http_tls_create(dfx_http_tls_t **out, const char *what,
                        const dfx_conf_tls_t *c, dfx_stat_id_t failures);
void dfx_http_tls_free(dfx_http_tls_t *t);
int dfx_http_tls_reload(dfx_http_tls_t *t);
struct bufferevent *dfx_http_tls_bev_new(dfx_http_tls_t *t,
                                         struct event_base *base);

/* dfx_http_auth.c: bearer tokens of a listener.  create makes *out from c
 * (NULL when c gives no token) and returns 0, or -1 (logged).  check
 * returns 0 when r carries a valid token; otherwise r has been answered
 * 401 and counted.  Any thread. */
int dfx_http_auth_create(dfx_http_auth_t **out, const char *what,
                         const dfx_conf_auth_t *c, dfx_stat_id_t failures);
void dfx_http_auth_free(dfx_http_auth_t *a);
int dfx_http_auth_reload(dfx_http_auth_t *a);
int dfx_http_auth_has_tokens(const dfx_http_auth_t *a);
int dfx_http_auth_check(dfx_http_auth_t *a, struct evhttp_request *r);

/* dfx_http_listen.c */
/* The admin listener's gate: 0 when r may go on (write: a request that
 * changes state); otherwise r has been answered (401, or 403 for a write
 * on a listener bound beyond loopback with no token configured). */
int dfx_http_admin_gate(struct evhttp_request *r, int write);
int dfx_http_shutting_down(void);
/* dfexport.max-connections (INT_MAX before start). */
int dfx_http_max_connections(void);
/* 1 once dfx_http_stop() has begun: the workers are going away. */
int dfx_http_exiting_now(void);
/* The ingest workers (*n of them; none before start or after stop). */
dfx_http_worker_t *dfx_http_workers(unsigned *n);
void dfx_http_inflight_add(int n);
/* Sends an answer: code, Content-Type and a body that is copied. */
void dfx_http_send(struct evhttp_request *r, int code, const char *ctype,
                   const void *body, size_t len);
/* Sends {"error":msg} as application/json. */
void dfx_http_send_error(struct evhttp_request *r, int code,
                         const char *msg);
/* Sends 405 with Allow. */
void dfx_http_send_405(struct evhttp_request *r, const char *allow);
/* The path of a request as evhttp parsed it ("" when it has none). */
const char *dfx_http_request_path(struct evhttp_request *r);
/* limits.decoded-body at start: the largest dictionary accepted. */
size_t dfx_http_admin_body_limit(void);

/* dfx_http_framing.c: 0 when the request's framing (Content-Length,
 * Transfer-Encoding) is sound; otherwise it has been answered 400 and the
 * connection will close.  Both listeners call it first. */
int dfx_http_framing_check(struct evhttp_request *r);

/* dfx_http_ingest.c */
void dfx_http_ingest(dfx_http_worker_t *w, struct evhttp_request *r,
                     dfx_str_t ds);
/* Frees what one unusually large request made a worker grow. */
void dfx_http_worker_trim(dfx_http_worker_t *w);
void dfx_http_worker_free_buffers(dfx_http_worker_t *w);

/* dfx_http_ack.c */
/* Moves a request that will send nmsgs messages into a dfx_http_req_t:
 * it takes over ctx->cycle, is linked to the worker's pending list and
 * counted in flight.  NULL on ENOMEM (ctx unchanged).  Set up before the
 * first dfx_producer_send() with its ack. */
dfx_http_req_t *dfx_http_req_start(dfx_http_ctx_t *ctx, uint32_t nmsgs);
/* Keeps (copies) the rendered answer; the delivery counts are spliced in
 * at insert_at when Kafka is done.  On ENOMEM the answer will hold the
 * delivery counts only. */
void dfx_http_req_keep_answer(dfx_http_req_t *req, const char *body,
                              size_t len, size_t insert_at);
/* The worker's done_ev: answers the requests Kafka is done with. */
void dfx_http_ack_done_cb(evutil_socket_t fd, short what, void *arg);
/* At the shutdown deadline, on the worker's thread: answers every
 * request still waiting for Kafka (503 with how many messages had no
 * answer), so that no client sees a bare close. */
void dfx_http_ack_deadline(dfx_http_worker_t *w);
/* Abandons the requests of a stopped worker (see dfx_http_req_t). */
void dfx_http_ack_orphan(dfx_http_worker_t *w);

/* dfx_http_dryrun.c: compact JSON s indented into b (?pretty=1). */
int dfx_http_json_pretty(dfx_buf_t *b, const char *s, size_t len);

/* dfx_http_dryrun.c: the entries of one record, appended to w->dry. */
int dfx_http_dryrun_message(dfx_http_ctx_t *ctx, const dfx_record_t *rec,
                            const dfx_http_route_st_t *st, dfx_str_t value);
int dfx_http_dryrun_filtered(dfx_http_ctx_t *ctx, const dfx_record_t *rec,
                             const dfx_http_route_st_t *st);
int dfx_http_dryrun_rejected(dfx_http_ctx_t *ctx, const dfx_http_rerr_t *e);
/* The whole dry-run answer into w->out. */
int dfx_http_dryrun_render(dfx_http_ctx_t *ctx);

/* dfx_http_debug.c: the debug line of an ingest request, once its
 * handler is done (the caller checks dfx_log_enabled(DFX_LOG_DEBUG)
 * first): ds as the path named it, len the decoded body's length, t0
 * when the body was read (dfx_hist_now_us()). */
void dfx_http_debug_request(const dfx_http_ctx_t *ctx, dfx_str_t ds,
                            size_t len, uint64_t t0);

/* dfx_http_admin.c */
void dfx_http_admin_cb(struct evhttp_request *r, void *arg);
/* GET /healthz and /readyz, served by both listeners. */
void dfx_http_health(struct evhttp_request *r, dfx_http_ep_t ep);
/* The listener addresses, for /stats. */
const char *dfx_http_embedded_bootstrap(void);

#endif /* DFX_HTTP_INT_H */
