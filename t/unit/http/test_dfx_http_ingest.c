/*
 * test_dfx_http_ingest.c: the HTTP side in one process.
 *
 * Two librdkafka mock clusters on loopback (one stays healthy, the other
 * is broken on purpose), a cycle built from a YAML config, the ingest
 * workers and the admin listener on ephemeral ports; requests are made
 * with evhttp's client on the main base, which also carries the Kafka
 * delivery reports.  Every status code of the contract is provoked and
 * checked together with the counters it moves; Kafka delivery is checked
 * through the delivered/failed counters the delivery reports drive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <zlib.h>

#include "dfx_conf.h"
#include "dfx_cycle.h"
#include "dfx_http.h"
#include "dfx_log.h"
#include "dfx_schema.h"
#include "dfx_stats.h"
#include "universal_tag/dfx_dict.h"

#ifndef DFX_TEST_SRCDIR
#error "DFX_TEST_SRCDIR must name the source tree"
#endif

#define L7   DFX_DS_L7_FLOW_LOG
#define L4   DFX_DS_L4_FLOW_LOG
#define PERF DFX_DS_PERF_EVENT

#define NDJSON  "application/x-ndjson"

typedef struct mock_s {
    rd_kafka_t               *rk;
    rd_kafka_mock_cluster_t  *mc;
    char                      bs[256];
} mock_t;

static struct event_base  *base;
static mock_t              good, bad;
static char                ingest[96], ingest6[96], admin[96];

/* ---- client, waits, counters ----------------------------------------- */

static int64_t
now_ms(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);
    return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Runs the main base until cond(arg) holds; 0 if timeout_ms passed. */
static int
run_until(int (*cond)(void *), void *arg, int timeout_ms)
{
    struct timeval  tv = { 0, 5000 };
    int64_t         end = now_ms() + timeout_ms;

    while (!cond(arg)) {
        if (now_ms() > end) {
            return 0;
        }
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    return 1;
}

static int64_t
st(dfx_stat_id_t id, int ex, int ds, int reason)
{
    return dfx_stats_get(id, ex, ds, reason);
}

typedef struct stat_wait_s {
    dfx_stat_id_t  id;
    int            ex, ds;
    int64_t        want;
} stat_wait_t;

static int
stat_reached(void *arg)
{
    stat_wait_t  *w = arg;

    return st(w->id, w->ex, w->ds, -1) >= w->want;
}

static int
wait_stat(dfx_stat_id_t id, int ex, int ds, int64_t want, int timeout_ms)
{
    stat_wait_t  w = { id, ex, ds, want };

    return run_until(stat_reached, &w, timeout_ms);
}

typedef struct resp_s {
    int     done;
    int     code;
    char   *body;
    size_t  len;
    char    retry_after[16];
    char    allow[32];
    char    ctype[64];
} resp_t;

static void
copy_header(struct evkeyvalq *h, const char *name, char *out, size_t size)
{
    const char  *v = evhttp_find_header(h, name);

    snprintf(out, size, "%s", v != NULL ? v : "");
}

static void
resp_cb(struct evhttp_request *req, void *arg)
{
    resp_t           *r = arg;
    struct evbuffer  *in;

    r->done = 1;
    if (req == NULL) {
        return;
    }
    r->code = evhttp_request_get_response_code(req);
    in = evhttp_request_get_input_buffer(req);
    r->len = evbuffer_get_length(in);
    r->body = malloc(r->len + 1);
    assert_non_null(r->body);
    evbuffer_copyout(in, r->body, r->len);
    r->body[r->len] = '\0';
    copy_header(evhttp_request_get_input_headers(req), "Retry-After",
                r->retry_after, sizeof(r->retry_after));
    copy_header(evhttp_request_get_input_headers(req), "Allow", r->allow,
                sizeof(r->allow));
    copy_header(evhttp_request_get_input_headers(req), "Content-Type",
                r->ctype, sizeof(r->ctype));
}

static int
resp_done(void *arg)
{
    return ((resp_t *) arg)->done;
}

static void
resp_free(resp_t *r)
{
    free(r->body);
    r->body = NULL;
}

static struct evhttp_connection *
connect_to(const char *hostport)
{
    struct evhttp_connection  *c;
    const char                *colon = strrchr(hostport, ':');
    char                       host[64];

    assert_non_null(colon);
    if (hostport[0] == '[') {
        snprintf(host, sizeof(host), "%.*s", (int) (colon - hostport - 2),
                 hostport + 1);
    } else {
        snprintf(host, sizeof(host), "%.*s", (int) (colon - hostport),
                 hostport);
    }
    c = evhttp_connection_base_new(base, NULL, host,
                                   (unsigned short) atoi(colon + 1));
    assert_non_null(c);
    evhttp_connection_set_timeout(c, 30);
    /* a body past limits.body is answered (413) as soon as its headers
     * are read, then the server closes its side: read that answer even
     * when it comes while the body is still being written, as curl does */
    (void) evhttp_connection_set_flags(c, EVHTTP_CON_READ_ON_WRITE_ERROR);
    return c;
}

/* Starts a request on c; the answer lands in *r. */
static void
start(struct evhttp_connection *c, enum evhttp_cmd_type m, const char *path,
      const char *ctype, const char *cenc, const void *body, size_t len,
      resp_t *r)
{
    struct evhttp_request  *req;
    struct evkeyvalq       *h;

    memset(r, 0, sizeof(*r));
    req = evhttp_request_new(resp_cb, r);
    assert_non_null(req);
    h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", "localhost");
    if (ctype != NULL) {
        evhttp_add_header(h, "Content-Type", ctype);
    }
    if (cenc != NULL) {
        evhttp_add_header(h, "Content-Encoding", cenc);
    }
    if (len > 0) {
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
    }
    assert_int_equal(evhttp_make_request(c, req, m, path), 0);
}

static void
http_on(struct evhttp_connection *c, enum evhttp_cmd_type m,
        const char *path, const char *ctype, const char *cenc,
        const void *body, size_t len, resp_t *r)
{
    start(c, m, path, ctype, cenc, body, len, r);
    assert_true(run_until(resp_done, r, 20000));
}

static void
http(const char *hostport, enum evhttp_cmd_type m, const char *path,
     const char *ctype, const char *cenc, const void *body, size_t len,
     resp_t *r)
{
    struct evhttp_connection  *c = connect_to(hostport);

    http_on(c, m, path, ctype, cenc, body, len, r);
    evhttp_connection_free(c);
}

static void
post(const char *path, const char *ctype, const char *body, resp_t *r)
{
    http(ingest, EVHTTP_REQ_POST, path, ctype, NULL, body, strlen(body), r);
}

static unsigned char *
gzip_bytes(const void *in, size_t n, size_t *outlen)
{
    z_stream        zs;
    unsigned char  *out;
    size_t          cap = compressBound((uLong) n) + 64;

    out = malloc(cap);
    assert_non_null(out);
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *) (uintptr_t) in;
    zs.avail_in = (uInt) n;
    zs.next_out = out;
    zs.avail_out = (uInt) cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *outlen = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static int
count_of(const char *s, const char *what)
{
    int  n = 0;

    while ((s = strstr(s, what)) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* ---- set-up ---------------------------------------------------------- */

static void
mock_start(mock_t *m)
{
    rd_kafka_conf_t  *conf = rd_kafka_conf_new();
    char              err[256];

    /* the handle only hosts the cluster: quiet about its missing brokers */
    assert_int_equal(rd_kafka_conf_set(conf, "log_level", "3", err,
                                       sizeof(err)), RD_KAFKA_CONF_OK);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(m->rk);
    m->mc = rd_kafka_mock_cluster_new(m->rk, 1);
    assert_non_null(m->mc);
    snprintf(m->bs, sizeof(m->bs), "%s", rd_kafka_mock_cluster_bootstraps(
                 m->mc));
}

static void
mock_stop(mock_t *m)
{
    if (m->mc != NULL) {
        rd_kafka_mock_cluster_destroy(m->mc);
    }
    if (m->rk != NULL) {
        rd_kafka_destroy(m->rk);
    }
}

static int
cycle_ready(void *arg)
{
    (void) arg;
    return dfx_cycle_ready();
}

static const char  conf_fmt[] =
    "dfexport:\n"
    "  listen: [127.0.0.1:0, \"[::1]:0\"]\n"
    "  admin-listen: 127.0.0.1:0\n"
    "  workers: 2\n"
    "  client-timeout: 1\n"
    "  enum-dir: %s/conf/enum\n"
    "  limits: {body: 64KiB, decoded-body: 256KiB, line: 16KiB,"
    " records: 20, depth: 8, errors: 3}\n"
    "ingester:\n"
    "  exporters:\n"
    "  - protocol: kafka\n"
    "    enabled: true\n"
    "    endpoints: [%s]\n"
    "    data-sources: [flow_log.l7_flow_log]\n"
    "    export-fields: [$tag, $metrics]\n"
    "    queue-count: 2\n"
    "    queue-size: 1000\n"
    "    compression: none\n"
    "  - protocol: kafka\n"
    "    enabled: true\n"
    "    endpoints: [%s]\n"
    "    data-sources: [flow_log.l7_flow_log]\n"
    "    export-fields: [$tag, $metrics]\n"
    "    topic: mysql.l7\n"
    "    key: _id\n"
    "    queue-count: 1\n"
    "    compression: none\n"
    "    tag-filters-groups:\n"
    "    - tag-filter-condition: {type: and}\n"
    "      tag-filters:\n"
    "      - {field-name: server_port, operator: \"=\","
    " field-values: [3306]}\n"
    "  - protocol: kafka\n"
    "    enabled: true\n"
    "    endpoints: [%s]\n"
    "    data-sources: [event.perf_event]\n"
    "    export-fields: [$tag, $metrics]\n"
    "    compression: none\n"
    "    tag-filters-groups:\n"
    "    - tag-filter-condition: {type: and}\n"
    "      tag-filters:\n"
    "      - {field-name: process_kname, operator: \"=\","
    " field-values: [no-such-process]}\n"
    "  - protocol: kafka\n"
    "    enabled: true\n"
    "    endpoints: [%s]\n"
    "    data-sources: [flow_log.l4_flow_log]\n"
    "    export-fields: [$tag, $metrics]\n"
    "    queue-count: 1\n"
    "    queue-size: 3\n"
    "    message-timeout: 3\n"
    "    compression: none\n";

static void
conf_err(int is_error, const char *line)
{
    fprintf(stderr, "%s: %s\n", is_error ? "error" : "notice", line);
}

static int
setup(void **state)
{
    dfx_conf_t   *conf;
    dfx_cycle_t  *c;
    FILE         *f;
    char          yaml[4096], line[160];
    char          logpath[] = "/tmp/dfx-http-test-log.XXXXXX";
    int           n, fd;

    (void) state;
    /* answers to clients that left must not kill the process */
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(evthread_use_pthreads(), 0);
    dfx_log_set_level(DFX_LOG_WARN);
    assert_int_equal(dfx_schema_init(), 0);
    base = event_base_new();
    assert_non_null(base);

    mock_start(&good);
    mock_start(&bad);

    n = snprintf(yaml, sizeof(yaml), conf_fmt, DFX_TEST_SRCDIR, good.bs,
                 good.bs, good.bs, bad.bs);
    assert_true(n > 0 && (size_t) n < sizeof(yaml));
    conf = dfx_conf_load_mem("test.yaml", yaml, (size_t) n, 0, conf_err);
    assert_non_null(conf);
    c = dfx_cycle_create(conf, NULL, base);
    assert_non_null(c);
    dfx_cycle_publish(c);

    /* the listening lines are a contract: capture the log to see them */
    fd = mkstemp(logpath);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(dfx_log_open(logpath), 0);
    dfx_log_set_level(DFX_LOG_NOTICE);
    assert_int_equal(dfx_http_start(&c->conf->main, base), 0);
    dfx_log_set_level(DFX_LOG_WARN);
    dfx_log_close();

    assert_non_null(dfx_http_listen_addr(0, 0));
    assert_non_null(dfx_http_listen_addr(0, 1));
    assert_non_null(dfx_http_listen_addr(1, 0));
    assert_null(dfx_http_listen_addr(0, 2));
    assert_null(dfx_http_listen_addr(1, 1));
    snprintf(ingest, sizeof(ingest), "%s", dfx_http_listen_addr(0, 0));
    snprintf(ingest6, sizeof(ingest6), "%s", dfx_http_listen_addr(0, 1));
    snprintf(admin, sizeof(admin), "%s", dfx_http_listen_addr(1, 0));
    assert_true(strncmp(ingest, "127.0.0.1:", 10) == 0);
    assert_true(atoi(ingest + 10) > 0);
    assert_true(strncmp(ingest6, "[::1]:", 6) == 0);
    assert_true(atoi(ingest6 + 6) > 0);
    assert_true(strncmp(admin, "127.0.0.1:", 10) == 0);

    f = fopen(logpath, "r");
    assert_non_null(f);
    n = (int) fread(yaml, 1, sizeof(yaml) - 1, f);
    fclose(f);
    unlink(logpath);
    assert_true(n > 0);
    yaml[n] = '\0';
    snprintf(line, sizeof(line), " notice: ingest listening on %s\n",
             ingest);
    assert_non_null(strstr(yaml, line));
    snprintf(line, sizeof(line), " notice: ingest listening on %s\n",
             ingest6);
    assert_non_null(strstr(yaml, line));
    snprintf(line, sizeof(line), " notice: admin listening on %s\n", admin);
    assert_non_null(strstr(yaml, line));

    assert_true(run_until(cycle_ready, NULL, 20000));
    return 0;
}

static int
teardown(void **state)
{
    (void) state;

    /* a "kafka" request may still wait on the broken cluster: stopping
     * abandons it, the cycle's shutdown completes (and frees) it */
    dfx_http_stop();
    dfx_http_stop();
    dfx_cycle_shutdown(1000);
    event_base_loop(base, EVLOOP_NONBLOCK);
    dfx_dict_publish(NULL);
    mock_stop(&good);
    mock_stop(&bad);
    event_base_free(base);
    dfx_schema_cleanup();
    libevent_global_shutdown();
    return 0;
}

/* ---- the tests ------------------------------------------------------- */

#define L7_PATH    "/v1/ingest/flow_log.l7_flow_log"
#define L4_PATH    "/v1/ingest/flow_log.l4_flow_log"
#define PERF_PATH  "/v1/ingest/event.perf_event"

static const char  l7_three[] =
    "{\"_id\":1,\"server_port\":3306,\"end_time\":1700000000000000}\n"
    "{\"_id\":2,\"server_port\":80,\"end_time\":1700000000000001}\r\n"
    "\n"
    "{\"_id\":3}";

static void
test_queued(void **state)
{
    resp_t   r;
    int64_t  rcv = st(DFX_STAT_records_received_total, -1, L7, -1);
    int64_t  q0 = st(DFX_STAT_exporter_records_queued_total, 0, L7, -1);
    int64_t  q1 = st(DFX_STAT_exporter_records_queued_total, 1, L7, -1);
    int64_t  d0 = st(DFX_STAT_exporter_records_delivered_total, 0, L7, -1);
    int64_t  d1 = st(DFX_STAT_exporter_records_delivered_total, 1, L7, -1);
    int64_t  f1 = st(DFX_STAT_exporter_records_filtered_total, 1, L7, -1);
    int64_t  c202 = st(DFX_STAT_http_requests_total, -1, -1, 202);

    (void) state;
    post(L7_PATH, NDJSON, l7_three, &r);
    assert_int_equal(r.code, 202);
    assert_string_equal(r.ctype, "application/json");
    assert_string_equal(r.body,
        "{\"accepted\":3,\"filtered\":0,\"rejected\":0,\"errors\":[],"
        "\"exporters\":["
        "{\"exporter\":0,\"topic\":\"deepflow.flow_log.l7_flow_log\","
        "\"queued\":3,\"filtered\":0},"
        "{\"exporter\":1,\"topic\":\"mysql.l7\",\"queued\":1,"
        "\"filtered\":2}]}\n");
    resp_free(&r);

    assert_int_equal(st(DFX_STAT_records_received_total, -1, L7, -1),
                     rcv + 3);
    assert_int_equal(st(DFX_STAT_exporter_records_queued_total, 0, L7, -1),
                     q0 + 3);
    assert_int_equal(st(DFX_STAT_exporter_records_queued_total, 1, L7, -1),
                     q1 + 1);
    assert_int_equal(st(DFX_STAT_exporter_records_filtered_total, 1, L7,
                        -1), f1 + 2);
    assert_int_equal(st(DFX_STAT_http_requests_total, -1, -1, 202),
                     c202 + 1);

    /* Kafka really took them */
    assert_true(wait_stat(DFX_STAT_exporter_records_delivered_total, 0, L7,
                          d0 + 3, 20000));
    assert_true(wait_stat(DFX_STAT_exporter_records_delivered_total, 1, L7,
                          d1 + 1, 20000));

    /* JSON bodies: an array, and one object */
    post(L7_PATH, "application/json; charset=utf-8",
         "[{\"_id\":5},\n{\"_id\":6,\"server_port\":3306}]", &r);
    assert_int_equal(r.code, 202);
    assert_non_null(strstr(r.body, "{\"accepted\":2,\"filtered\":0,"
                           "\"rejected\":0,\"errors\":[]"));
    resp_free(&r);
    post(L7_PATH, "application/json", "{\"_id\":7}", &r);
    assert_int_equal(r.code, 202);
    assert_non_null(strstr(r.body, "\"accepted\":1,"));
    resp_free(&r);

    /* gzip */
    {
        size_t          zlen;
        unsigned char  *z = gzip_bytes(l7_three, strlen(l7_three), &zlen);

        http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, "gzip", z, zlen, &r);
        assert_int_equal(r.code, 202);
        assert_non_null(strstr(r.body, "{\"accepted\":3,"));
        resp_free(&r);
        free(z);
    }
}

static void
test_ack_kafka(void **state)
{
    resp_t   r;
    int64_t  c200 = st(DFX_STAT_http_requests_total, -1, -1, 200);

    (void) state;
    post(L7_PATH "?ack=kafka", NDJSON, l7_three, &r);
    assert_int_equal(r.code, 200);
    /* 3 messages for exporter 0, 1 for exporter 1 */
    assert_non_null(strstr(r.body, "{\"accepted\":3,\"filtered\":0,"
                           "\"rejected\":0,\"delivered\":4,\"failed\":0,"
                           "\"errors\":[]"));
    assert_string_equal(r.retry_after, "");
    resp_free(&r);
    assert_int_equal(st(DFX_STAT_http_requests_total, -1, -1, 200),
                     c200 + 1);
}

static void
test_filtered(void **state)
{
    resp_t   r;
    int64_t  flt = st(DFX_STAT_records_filtered_total, -1, PERF, -1);
    int64_t  ef = st(DFX_STAT_exporter_records_filtered_total, 2, PERF, -1);

    (void) state;
    post(PERF_PATH, NDJSON, "{\"process_kname\":\"java\"}\n"
         "{\"process_kname\":\"nginx\"}\n", &r);
    assert_int_equal(r.code, 202);
    assert_string_equal(r.body, "{\"accepted\":0,\"filtered\":2,"
                        "\"rejected\":0,\"errors\":[]}\n");
    resp_free(&r);
    assert_int_equal(st(DFX_STAT_records_filtered_total, -1, PERF, -1),
                     flt + 2);
    assert_int_equal(st(DFX_STAT_exporter_records_filtered_total, 2, PERF,
                        -1), ef + 2);

    /* nothing for Kafka to acknowledge is a success at once */
    post(PERF_PATH "?ack=kafka", NDJSON, "{}", &r);
    assert_int_equal(r.code, 200);
    assert_non_null(strstr(r.body, "\"filtered\":1,"));
    resp_free(&r);
}

static void
test_dry_run(void **state)
{
    resp_t   r;
    int64_t  rcv = st(DFX_STAT_records_received_total, -1, L7, -1);
    int64_t  q0 = st(DFX_STAT_exporter_records_queued_total, 0, L7, -1);

    (void) state;
    post(L7_PATH "?dry_run=1", NDJSON,
         "{\"_id\":41,\"server_port\":3306,\"request_resource\":\"a\\\"b\"}\n"
         "{\"_id\":42}\n"
         "{\"_id\":\"x\"}\n", &r);
    assert_int_equal(r.code, 200);
    {
        static const char  head[] = "{\"dry_run\":true,\"accepted\":2,"
                                    "\"filtered\":0,\"rejected\":1,"
                                    "\"results\":[{";

        assert_true(strncmp(r.body, head, sizeof(head) - 1) == 0);
    }
    /* record 0 goes to both exporters, with exporter 1's key */
    assert_non_null(strstr(r.body, "{\"record\":0,\"line\":1,\"exporter\":0,"
                           "\"topic\":\"deepflow.flow_log.l7_flow_log\","
                           "\"key\":null,\"value\":\"{\\\"datasource\\\":"
                           "\\\"flow_log.l7_flow_log\\\",\\\"_id\\\":41,"));
    assert_non_null(strstr(r.body, "{\"record\":0,\"line\":1,\"exporter\":1,"
                           "\"topic\":\"mysql.l7\",\"key\":\"41\","
                           "\"value\":\""));
    /* the value is the message as Kafka gets it, JSON-escaped once more */
    assert_non_null(strstr(r.body, "\\\"request_resource\\\":"
                           "\\\"a\\\\\\\"b\\\""));
    assert_non_null(strstr(r.body, "{\"record\":1,\"line\":2,\"exporter\":1,"
                           "\"filtered\":\""));
    assert_non_null(strstr(r.body, "{\"record\":2,\"line\":3,\"column\":"));
    assert_non_null(strstr(r.body, "\"field\":\"_id\",\"error\":\""));
    resp_free(&r);

    /* nothing counted, nothing queued */
    assert_int_equal(st(DFX_STAT_records_received_total, -1, L7, -1), rcv);
    assert_int_equal(st(DFX_STAT_exporter_records_queued_total, 0, L7, -1),
                     q0);

    /* a large answer (written in many pieces) and the next one on the
     * same connection are both counted */
    {
        struct evhttp_connection  *c = connect_to(ingest);
        int64_t                    c200, c202;
        char                       body[20 * 64];
        size_t                     i, o = 0;

        for (i = 0; i < 20; i++) {
            o += (size_t) snprintf(body + o, sizeof(body) - o,
                                   "{\"_id\":%zu,\"server_port\":3306}\n", i);
        }
        c200 = st(DFX_STAT_http_requests_total, -1, -1, 200);
        c202 = st(DFX_STAT_http_requests_total, -1, -1, 202);
        http_on(c, EVHTTP_REQ_POST, L7_PATH "?dry_run=1", NDJSON, NULL, body,
                o, &r);
        assert_int_equal(r.code, 200);
        assert_true(r.len > 64 * 1024);
        assert_int_equal(count_of(r.body, "\"topic\":"), 40);
        resp_free(&r);
        http_on(c, EVHTTP_REQ_POST, L7_PATH, NDJSON, NULL, body, o, &r);
        assert_int_equal(r.code, 202);
        resp_free(&r);
        evhttp_connection_free(c);
        assert_int_equal(st(DFX_STAT_http_requests_total, -1, -1, 200),
                         c200 + 1);
        assert_int_equal(st(DFX_STAT_http_requests_total, -1, -1, 202),
                         c202 + 1);
    }
}

/* ?format=clickhouse: ClickHouse's JSON, no Content-Type needed, 200
 * for a queued request, an empty body is a success; the worker's parser
 * goes back to the strict rules for the next default request. */
static void
test_clickhouse_format(void **state)
{
    resp_t   r;
    int64_t  rcv = st(DFX_STAT_records_received_total, -1, L7, -1);
    int64_t  q0 = st(DFX_STAT_exporter_records_queued_total, 0, L7, -1);
    int64_t  c200 = st(DFX_STAT_http_requests_total, -1, -1, 200);
    int      i;

    (void) state;
    post(L7_PATH "?format=clickhouse", NULL,
         "{\"_id\":\"18446744073709551615\",\"time\":\"2023-11-15 06:13:20\","
         "\"end_time\":\"2023-11-15 06:13:20.140891\"}\n"
         "{\"_id\":\"7\",\"response_duration\":3.0}\n", &r);
    assert_int_equal(r.code, 200);
    assert_non_null(strstr(r.body, "{\"accepted\":2,\"filtered\":0,"
                           "\"rejected\":0,\"errors\":[]"));
    resp_free(&r);
    assert_int_equal(st(DFX_STAT_records_received_total, -1, L7, -1),
                     rcv + 2);
    assert_int_equal(st(DFX_STAT_exporter_records_queued_total, 0, L7, -1),
                     q0 + 2);

    /* a zone of the client's choice, percent-encoded */
    post(L7_PATH "?format=clickhouse&tz=Europe%2FBerlin", NDJSON,
         "{\"time\":\"2024-03-31 02:30:00\"}\n", &r);
    assert_int_equal(r.code, 200);
    resp_free(&r);

    /* an empty body: zero records, a success */
    post(L7_PATH "?format=clickhouse", NULL, "", &r);
    assert_int_equal(r.code, 200);
    assert_non_null(strstr(r.body, "{\"accepted\":0,\"filtered\":0,"
                           "\"rejected\":0,\"errors\":[],"));
    resp_free(&r);
    assert_int_equal(st(DFX_STAT_http_requests_total, -1, -1, 200),
                     c200 + 3);

    /* errors keep their codes */
    post(L7_PATH "?format=clickhouse", NULL, "{\"time\":\"yesterday\"}\n",
         &r);
    assert_int_equal(r.code, 422);
    assert_non_null(strstr(r.body, "\"error\":\"invalid date and time "
                           "\\\"yesterday\\\": expected"));
    resp_free(&r);
    post(L7_PATH "?format=clickhouse&tz=Nowhere/Zone", NULL, "{}\n", &r);
    assert_int_equal(r.code, 400);
    assert_string_equal(r.body, "{\"error\":\"query parameter \\\"tz\\\": "
                        "unknown time zone \\\"Nowhere/Zone\\\" (not in "
                        "/usr/share/zoneinfo)\"}\n");
    resp_free(&r);
    post(L7_PATH "?format=xml", NDJSON, "{}\n", &r);
    assert_int_equal(r.code, 400);
    resp_free(&r);
    post(L7_PATH "?format=clickhouse", "text/plain", "{}\n", &r);
    assert_int_equal(r.code, 415);
    resp_free(&r);

    /* the default format: strict, 202, Content-Type required, whichever
     * worker gets the request */
    for (i = 0; i < 4; i++) {
        post(L7_PATH, NDJSON, "{\"_id\":\"7\"}\n", &r);
        assert_int_equal(r.code, 422);
        resp_free(&r);
        post(L7_PATH, NDJSON, "{\"_id\":7}\n", &r);
        assert_int_equal(r.code, 202);
        resp_free(&r);
        post(L7_PATH, NULL, "{\"_id\":7}\n", &r);
        assert_int_equal(r.code, 415);
        resp_free(&r);
        post(L7_PATH, NDJSON, "", &r);
        assert_int_equal(r.code, 400);
        resp_free(&r);
    }
}

static void
test_bad_requests(void **state)
{
    resp_t          r;
    int64_t         c[600];
    int             codes[] = { 200, 202, 400, 404, 405, 413, 415, 422 };
    int             want[600];
    size_t          i, zlen;
    char           *big;
    unsigned char  *z;

    (void) state;
    memset(want, 0, sizeof(want));
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        c[codes[i]] = st(DFX_STAT_http_requests_total, -1, -1, codes[i]);
    }

    /* 400 */
    post(L7_PATH "?ack=all", NDJSON, "{}", &r);
    assert_int_equal(r.code, 400);
    assert_string_equal(r.body, "{\"error\":\"query parameter \\\"ack\\\" "
                        "must be \\\"queued\\\" or \\\"kafka\\\", got "
                        "\\\"all\\\"\"}\n");
    resp_free(&r);
    post(L7_PATH "?verbose=1", NDJSON, "{}", &r);
    assert_int_equal(r.code, 400);
    resp_free(&r);
    http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, "gzip", "{}", 2, &r);
    assert_int_equal(r.code, 400);
    assert_non_null(strstr(r.body, "invalid gzip data"));
    resp_free(&r);
    post(L7_PATH, "application/json", "[{\"_id\":1},\n  {\"_id\":", &r);
    assert_int_equal(r.code, 400);
    assert_non_null(strstr(r.body, "\"error\":\"invalid JSON body: "));
    assert_non_null(strstr(r.body, "\"line\":2,\"column\":"));
    resp_free(&r);
    post(L7_PATH, NDJSON, "\r\n\n   \n", &r);
    assert_int_equal(r.code, 400);
    assert_string_equal(r.body, "{\"error\":\"no records: the body holds no "
                        "JSON object\"}\n");
    resp_free(&r);
    http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 400);
    resp_free(&r);
    want[400] = 6;

    /* 404 */
    post("/v1/ingest/flow_log.l9_flow_log", NDJSON, "{}", &r);
    assert_int_equal(r.code, 404);
    assert_string_equal(r.body, "{\"error\":\"unknown data source "
                        "\\\"flow_log.l9_flow_log\\\"\"}\n");
    resp_free(&r);
    post("/v1/ingest/event.proc_ops_event", NDJSON, "{}", &r);
    assert_int_equal(r.code, 404);
    assert_non_null(strstr(r.body, "nothing is exported for it"));
    resp_free(&r);
    post("/v1/ingest/flow_metrics.network.1s", NDJSON, "{}", &r);
    assert_int_equal(r.code, 404);
    assert_string_equal(r.body, "{\"error\":\"no enabled exporter takes "
                        "flow_metrics.network.1s\"}\n");
    resp_free(&r);
    http(ingest, EVHTTP_REQ_GET, "/metrics", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 404);
    resp_free(&r);
    want[404] = 4;

    /* 405: evhttp's own filter would say 501 */
    http(ingest, EVHTTP_REQ_GET, L7_PATH, NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 405);
    assert_string_equal(r.allow, "POST");
    resp_free(&r);
    http(ingest, EVHTTP_REQ_DELETE, L7_PATH, NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 405);
    resp_free(&r);
    http(ingest, EVHTTP_REQ_PUT, "/healthz", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 405);
    assert_string_equal(r.allow, "GET, HEAD");
    resp_free(&r);
    want[405] = 3;

    /* 415 */
    post(L7_PATH, "text/plain", "{}", &r);
    assert_int_equal(r.code, 415);
    resp_free(&r);
    post(L7_PATH, NULL, "{}", &r);
    assert_int_equal(r.code, 415);
    resp_free(&r);
    http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, "br", "{}", 2, &r);
    assert_int_equal(r.code, 415);
    assert_string_equal(r.body, "{\"error\":\"Content-Encoding must be gzip "
                        "or identity\"}\n");
    resp_free(&r);
    want[415] = 3;

    /* 422: every record invalid, each listed with its line */
    post(L7_PATH, NDJSON, "{\"_id\":-1}\n\n{not json\n", &r);
    assert_int_equal(r.code, 422);
    assert_non_null(strstr(r.body, "{\"accepted\":0,\"filtered\":0,"
                           "\"rejected\":2,\"errors\":[{\"record\":0,"
                           "\"line\":1,\"column\":8,\"field\":\"_id\","));
    assert_non_null(strstr(r.body, "{\"record\":1,\"line\":3,\"column\":2,"
                           "\"field\":\"\",\"error\":\""));
    resp_free(&r);
    want[422] = 1;

    /* invalid UTF-8 rejects its record; the answer stays valid UTF-8 */
    post(L7_PATH, NDJSON, "{\"request_resource\":\"a\xff\xfe\"}\n"
         "{\"_id\":8}\n", &r);
    assert_int_equal(r.code, 202);
    assert_non_null(strstr(r.body, "{\"accepted\":1,\"filtered\":0,"
                           "\"rejected\":1,\"errors\":[{\"record\":0,"
                           "\"line\":1,"));
    assert_non_null(strstr(r.body, "UTF-8"));
    for (i = 0; i < r.len; i++) {
        assert_true((unsigned char) r.body[i] < 0x80);
    }
    resp_free(&r);

    /* the error list is capped (limits.errors: 3) */
    post(L7_PATH, NDJSON, "{\"_id\":\"a\"}\n{\"_id\":\"b\"}\n{\"_id\":\"c\"}\n"
         "{\"_id\":9}\n{\"_id\":\"d\"}\n{\"_id\":\"e\"}\n", &r);
    assert_int_equal(r.code, 202);
    assert_non_null(strstr(r.body, "{\"accepted\":1,\"filtered\":0,"
                           "\"rejected\":5,"));
    assert_int_equal(count_of(r.body, "\"record\":"), 3);
    assert_non_null(strstr(r.body, "],\"errors_truncated\":true"));
    resp_free(&r);
    want[202] = 2;

    /* 413: line, records, depth, decoded body, and libevent's own for the
     * raw body */
    big = malloc(70 * 1024 + 1);
    assert_non_null(big);
    memset(big, ' ', 70 * 1024);
    big[0] = '{';
    memcpy(big + 17 * 1024, "}\n", 2);
    big[17 * 1024 + 2] = '\0';
    post(L7_PATH, NDJSON, big, &r);
    assert_int_equal(r.code, 413);
    assert_string_equal(r.body, "{\"error\":\"line 1 is longer than "
                        "limits.line (16384 bytes)\",\"line\":1,"
                        "\"column\":0}\n");
    resp_free(&r);

    for (i = 0; i < 21; i++) {
        memcpy(big + i * 3, "{}\n", 3);
    }
    big[21 * 3] = '\0';
    post(L7_PATH, NDJSON, big, &r);
    assert_int_equal(r.code, 413);
    assert_non_null(strstr(r.body, "more than 20 records"));
    resp_free(&r);

    post(L7_PATH, "application/json",
         "{\"metrics_names\":[[[[[[[[[[\"x\"]]]]]]]]]]}", &r);
    assert_int_equal(r.code, 413);
    resp_free(&r);

    memset(big, '\n', 70 * 1024);
    z = gzip_bytes(big, 70 * 1024, &zlen);
    http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, "gzip", z, zlen, &r);
    assert_int_equal(r.code, 400);      /* 70 KiB of blank lines: none */
    resp_free(&r);
    free(z);
    {
        char  *huge = malloc(300 * 1024);

        assert_non_null(huge);
        memset(huge, '\n', 300 * 1024);
        z = gzip_bytes(huge, 300 * 1024, &zlen);
        free(huge);
        http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, "gzip", z, zlen, &r);
        assert_int_equal(r.code, 413);
        assert_non_null(strstr(r.body, "limits.decoded-body"));
        resp_free(&r);
        free(z);
    }
    want[400] += 1;

    memset(big, ' ', 70 * 1024);
    http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, NULL, big, 70 * 1024, &r);
    assert_int_equal(r.code, 413);
    resp_free(&r);
    free(big);
    want[413] = 5;

    /* the ingest listener answers probes */
    http(ingest, EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, "ok\n");
    resp_free(&r);
    want[200] = 1;

    /* every answer counted once, libevent's own 413 included */
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_int_equal(st(DFX_STAT_http_requests_total, -1, -1, codes[i]),
                         c[codes[i]] + want[codes[i]]);
    }
}

static int
inflight_is(void *arg)
{
    return dfx_http_inflight() == *(int *) arg;
}

static void
test_budget_and_failures(void **state)
{
    struct evhttp_connection  *conn;
    resp_t                     r, gone;
    int64_t                    ref429, ref413, failed;
    int                        zero = 0, one = 1;

    (void) state;
    ref429 = st(DFX_STAT_records_refused_total, -1, L4, DFX_REASON_BUDGET);
    ref413 = st(DFX_STAT_records_refused_total, -1, L4,
                DFX_REASON_TOO_LARGE);
    failed = st(DFX_STAT_exporter_records_failed_total, 3, L4, -1);

    /* the exporter's only broker goes away: records stay in flight */
    assert_int_equal(rd_kafka_mock_broker_set_down(bad.mc, 1), 0);

    post(L4_PATH, NDJSON, "{}\n{}\n{}\n", &r);
    assert_int_equal(r.code, 202);
    resp_free(&r);

    /* the budget (queue-size 3) is full: all or nothing */
    post(L4_PATH, NDJSON, "{}\n", &r);
    assert_int_equal(r.code, 429);
    assert_string_equal(r.retry_after, "1");
    assert_string_equal(r.body, "{\"error\":\"exporter 3's in-flight budget "
                        "is full: nothing was queued, retry later\"}\n");
    resp_free(&r);
    assert_int_equal(st(DFX_STAT_records_refused_total, -1, L4,
                        DFX_REASON_BUDGET), ref429 + 1);

    /* more than the budget can ever hold is 413, not 429 */
    post(L4_PATH, NDJSON, "{}\n{}\n{}\n{}\n", &r);
    assert_int_equal(r.code, 413);
    assert_non_null(strstr(r.body, "send fewer records per request"));
    resp_free(&r);
    assert_int_equal(st(DFX_STAT_records_refused_total, -1, L4,
                        DFX_REASON_TOO_LARGE), ref413 + 4);

    /* message-timeout (3 s) fails them and gives the budget back */
    assert_true(wait_stat(DFX_STAT_exporter_records_failed_total, 3, L4,
                          failed + 3, 20000));

    /* acknowledged delivery that fails: 503 with the count */
    post(L4_PATH "?ack=kafka", NDJSON, "{}\n{}\n", &r);
    assert_int_equal(r.code, 503);
    assert_string_equal(r.retry_after, "1");
    assert_non_null(strstr(r.body, "{\"accepted\":2,\"filtered\":0,"
                           "\"rejected\":0,\"delivered\":0,\"failed\":2,"
                           "\"error\":\"2 of 2 messages were not "
                           "delivered: "));
    resp_free(&r);
    assert_int_equal(dfx_http_inflight(), 0);

    /* the client goes away while its request waits for Kafka: the
     * request lives on until its delivery report, then is dropped */
    conn = connect_to(ingest);
    start(conn, EVHTTP_REQ_POST, L4_PATH "?ack=kafka", NDJSON, NULL,
          "{}\n", 3, &gone);
    assert_true(run_until(inflight_is, &one, 10000));
    evhttp_connection_free(conn);
    assert_true(run_until(inflight_is, &zero, 20000));
    resp_free(&gone);

    /* and the listener still serves */
    http(ingest, EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    resp_free(&r);
}

static void
test_ipv6(void **state)
{
    resp_t  r;

    (void) state;
    http(ingest6, EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    resp_free(&r);
    http(ingest6, EVHTTP_REQ_POST, L7_PATH, NDJSON, NULL, "{}", 2, &r);
    assert_int_equal(r.code, 202);
    resp_free(&r);
}

/* A client that sends half a request and stalls is cut off after
 * client-timeout (1 s) without an answer; the others are served. */
static void
test_slow_client(void **state)
{
    static const char   part[] = "POST " L7_PATH " HTTP/1.1\r\n"
                                 "Host: x\r\nContent-Type: " NDJSON "\r\n"
                                 "Content-Length: 100\r\n\r\n{\"_id\":";
    struct sockaddr_in  sa;
    struct timeval      tv = { 10, 0 };
    resp_t              r;
    int64_t             t0, answered = 0;
    char                buf[64];
    int                 fd, i, codes[] = { 200, 202, 400, 408, 413 };
    ssize_t             n;

    (void) state;
    for (i = 0; i < 5; i++) {
        answered += st(DFX_STAT_http_requests_total, -1, -1, codes[i]);
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short) atoi(ingest + 10));
    assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr), 1);
    assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                                sizeof(tv)), 0);
    assert_int_equal(send(fd, part, sizeof(part) - 1, 0),
                     (ssize_t) sizeof(part) - 1);

    t0 = now_ms();
    n = recv(fd, buf, sizeof(buf), 0);
    assert_int_equal(n, 0);             /* closed, no answer */
    assert_true(now_ms() - t0 >= 500);
    assert_true(now_ms() - t0 < 9000);
    close(fd);

    for (i = 0; i < 5; i++) {
        answered -= st(DFX_STAT_http_requests_total, -1, -1, codes[i]);
    }
    assert_int_equal(answered, 0);

    http(ingest, EVHTTP_REQ_POST, L7_PATH, NDJSON, NULL, "{}", 2, &r);
    assert_int_equal(r.code, 202);
    resp_free(&r);
}

/* ---- connections spread over the workers ------------------------------ */

typedef struct workers_s {
    int                 n;
    int                 conns[4];
    unsigned long long  reqs[4];
} workers_t;

/* The "workers" array of /stats (2 workers in this configuration). */
static void
get_workers(workers_t *ws)
{
    resp_t       r;
    const char  *p;
    int          used;

    memset(ws, 0, sizeof(*ws));
    http(admin, EVHTTP_REQ_GET, "/stats", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    p = strstr(r.body, ",\"workers\":[");
    assert_non_null(p);
    p += strlen(",\"workers\":[");
    while (*p == '{' && ws->n < 4) {
        assert_int_equal(sscanf(p, "{\"connections\":%d,\"requests\":%llu}%n",
                                &ws->conns[ws->n], &ws->reqs[ws->n], &used),
                         2);
        ws->n++;
        p += used;
        if (*p == ',') {
            p++;
        }
    }
    assert_int_equal(*p, ']');
    resp_free(&r);
}

static int
no_connections(void *arg)
{
    workers_t  ws;
    int        i, n = 0;

    (void) arg;
    get_workers(&ws);
    for (i = 0; i < ws.n; i++) {
        n += ws.conns[i];
    }
    return n == 0;
}

/* Four keep-alive connections opened at once: two per worker, whichever
 * worker wakes first; every connection is counted out again when it
 * closes, whoever closes it (the earlier tests' clients, timeouts, 413s
 * and 400s included). */
static void
test_balance(void **state)
{
    struct evhttp_connection  *c[4];
    resp_t                     r[4];
    workers_t                  before, after;
    int                        i, round;

    (void) state;
    assert_true(run_until(no_connections, NULL, 10000));

    for (round = 0; round < 3; round++) {
        get_workers(&before);
        assert_int_equal(before.n, 2);
        for (i = 0; i < 4; i++) {
            c[i] = connect_to(ingest);
        }
        for (i = 0; i < 4; i++) {
            start(c[i], EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0,
                  &r[i]);
        }
        for (i = 0; i < 4; i++) {
            assert_true(run_until(resp_done, &r[i], 20000));
            assert_int_equal(r[i].code, 200);
            resp_free(&r[i]);
        }
        get_workers(&after);
        assert_int_equal(after.n, 2);
        assert_int_equal(after.conns[0], 2);
        assert_int_equal(after.conns[1], 2);
        assert_int_equal(after.reqs[0] - before.reqs[0], 2);
        assert_int_equal(after.reqs[1] - before.reqs[1], 2);

        /* keep-alive: the same connections serve again */
        for (i = 0; i < 4; i++) {
            http_on(c[i], EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0,
                    &r[i]);
            assert_int_equal(r[i].code, 200);
            resp_free(&r[i]);
        }
        get_workers(&after);
        assert_int_equal(after.conns[0], 2);
        assert_int_equal(after.conns[1], 2);

        for (i = 0; i < 4; i++) {
            evhttp_connection_free(c[i]);
        }
        assert_true(run_until(no_connections, NULL, 10000));
    }
}

static void
test_admin(void **state)
{
    resp_t             r;
    const dfx_dict_t  *d;
    char               path[512];
    char              *json;
    FILE              *f;
    size_t             jlen;
    long               n;

    (void) state;

    http(admin, EVHTTP_REQ_GET, "/metrics", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.ctype, "text/plain; version=0.0.4; charset=utf-8");
    assert_non_null(strstr(r.body, "dfexport_records_received_total{"
                           "data_source=\"flow_log.l7_flow_log\"} "));
    assert_non_null(strstr(r.body, "dfexport_http_requests_total{code="
                           "\"413\"} "));
    resp_free(&r);

    http(admin, EVHTTP_REQ_GET, "/stats", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    snprintf(path, sizeof(path), "{\"listen\":[\"%s\",\"%s\"],"
             "\"admin_listen\":[\"%s\"],\"embedded_kafka\":null,\"ready\":",
             ingest, ingest6, admin);
    assert_true(strncmp(r.body, path, strlen(path)) == 0);
    assert_non_null(strstr(r.body, "\"records_received_total\":{"));
    resp_free(&r);
    dfx_http_set_embedded_bootstrap("127.0.0.1:1,127.0.0.1:2");
    http(admin, EVHTTP_REQ_HEAD, "/stats", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    resp_free(&r);
    http(admin, EVHTTP_REQ_GET, "/stats", NULL, NULL, NULL, 0, &r);
    assert_non_null(strstr(r.body, "\"embedded_kafka\":\"127.0.0.1:1,"
                           "127.0.0.1:2\""));
    assert_non_null(strstr(r.body, "\"dictionary\":{\"loaded\":false,"
                           "\"version\":0,\"entries\":0}"));
    resp_free(&r);

    http(admin, EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    resp_free(&r);
    http(admin, EVHTTP_REQ_GET, "/readyz", NULL, NULL, NULL, 0, &r);
    assert_true(r.code == 200 || r.code == 503);
    assert_string_equal(r.body, r.code == 200 ? "ready\n" : "not ready\n");
    resp_free(&r);

    /* the dictionary: a valid one replaces, an invalid one changes
     * nothing */
    snprintf(path, sizeof(path), "%s/t/fixtures/dictionary.json",
             DFX_TEST_SRCDIR);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    json = malloc((size_t) n);
    assert_non_null(json);
    assert_int_equal(fread(json, 1, (size_t) n, f), (size_t) n);
    fclose(f);
    jlen = (size_t) n;

    http(admin, EVHTTP_REQ_PUT, "/v1/dictionary", "application/json", NULL,
         json, (size_t) n, &r);
    assert_int_equal(r.code, 200);
    assert_true(strncmp(r.body, "{\"version\":", 11) == 0);
    resp_free(&r);
    d = dfx_dict_acquire();
    assert_non_null(d);
    n = (long) dfx_dict_entries(d);
    dfx_dict_release(d);

    {
        size_t          zlen;
        unsigned char  *z = gzip_bytes(json, jlen, &zlen);

        http(admin, EVHTTP_REQ_PUT, "/v1/dictionary", "application/json",
             "gzip", z, zlen, &r);
        assert_int_equal(r.code, 200);
        resp_free(&r);
        http(admin, EVHTTP_REQ_PUT, "/v1/dictionary", "application/json",
             "gzip", json, jlen, &r);
        assert_int_equal(r.code, 400);
        assert_non_null(strstr(r.body, "invalid gzip data"));
        resp_free(&r);
        free(z);
    }
    http(admin, EVHTTP_REQ_PUT, "/v1/dictionary", "application/json", NULL,
         "{\"region_map\":[{\"id\":\"x\"}]}", 27, &r);
    assert_int_equal(r.code, 400);
    assert_true(strncmp(r.body, "{\"error\":\"", 10) == 0);
    resp_free(&r);
    d = dfx_dict_acquire();
    assert_non_null(d);
    assert_int_equal((long) dfx_dict_entries(d), n);
    dfx_dict_release(d);
    free(json);

    http(admin, EVHTTP_REQ_GET, "/stats", NULL, NULL, NULL, 0, &r);
    assert_non_null(strstr(r.body, "\"dictionary\":{\"loaded\":true,"));
    resp_free(&r);

    http(admin, EVHTTP_REQ_POST, "/metrics", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 405);
    assert_string_equal(r.allow, "GET, HEAD");
    resp_free(&r);
    http(admin, EVHTTP_REQ_GET, "/v1/dictionary", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 405);
    assert_string_equal(r.allow, "PUT");
    resp_free(&r);
    http(admin, EVHTTP_REQ_GET, "/v1/ingest/flow_log.l7_flow_log", NULL,
         NULL, NULL, 0, &r);
    assert_int_equal(r.code, 404);
    resp_free(&r);
}

static void
test_reconcile(void **state)
{
    int      ds, ex;
    int64_t  refused;

    (void) state;
    for (ds = 0; ds < DFX_DS_COUNT; ds++) {
        refused = st(DFX_STAT_records_refused_total, -1, ds,
                     DFX_REASON_TOO_LARGE)
                  + st(DFX_STAT_records_refused_total, -1, ds,
                       DFX_REASON_BUDGET)
                  + st(DFX_STAT_records_refused_total, -1, ds,
                       DFX_REASON_SHUTTING_DOWN);
        assert_int_equal(st(DFX_STAT_records_received_total, -1, ds, -1),
                         st(DFX_STAT_records_accepted_total, -1, ds, -1)
                         + st(DFX_STAT_records_filtered_total, -1, ds, -1)
                         + st(DFX_STAT_records_rejected_total, -1, ds, -1)
                         + refused);
    }
    /* per exporter: queued = delivered + failed + in flight (the delivery
     * reports are handled on this thread, so nothing moves meanwhile) */
    for (ex = 0; ex < 4; ex++) {
        for (ds = 0; ds < DFX_DS_COUNT; ds++) {
            assert_int_equal(
                st(DFX_STAT_exporter_records_queued_total, ex, ds, -1),
                st(DFX_STAT_exporter_records_delivered_total, ex, ds, -1)
                + st(DFX_STAT_exporter_records_failed_total, ex, ds, -1)
                + st(DFX_STAT_exporter_records_inflight, ex, ds, -1));
        }
    }
    assert_true(st(DFX_STAT_exporter_records_failed_total, 3, L4, -1) > 0);
    assert_true(st(DFX_STAT_exporter_records_delivered_total, 0, L7, -1)
                > 0);
    assert_true(st(DFX_STAT_records_received_total, -1, L7, -1) > 0);
    assert_true(st(DFX_STAT_records_refused_total, -1, L4,
                   DFX_REASON_BUDGET) > 0);
}

static int
ingest_refuses(void *arg)
{
    resp_t  r;

    (void) arg;
    http(ingest, EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0, &r);
    resp_free(&r);
    return r.code == 0;
}

static void
test_shutdown(void **state)
{
    struct evhttp_connection  *keep, *waiting;
    resp_t                     r, pending;
    int64_t                    ref = st(DFX_STAT_records_refused_total, -1,
                                        L7, DFX_REASON_SHUTTING_DOWN);
    int                        one = 1;

    (void) state;

    /* a connection opened before, and a request that waits for Kafka on
     * the broken cluster (message-timeout 3 s) */
    keep = connect_to(ingest);
    http_on(keep, EVHTTP_REQ_GET, "/healthz", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 200);
    resp_free(&r);
    waiting = connect_to(ingest);
    start(waiting, EVHTTP_REQ_POST, L4_PATH "?ack=kafka", NDJSON, NULL,
          "{}\n", 3, &pending);
    assert_true(run_until(inflight_is, &one, 10000));

    dfx_http_stop_accepting();
    assert_int_equal(dfx_http_drain(0), 1);
    assert_int_equal(dfx_http_drain(50), 1);

    /* requests on open connections are turned away whole */
    http_on(keep, EVHTTP_REQ_POST, L7_PATH, NDJSON, NULL, l7_three,
            strlen(l7_three), &r);
    assert_int_equal(r.code, 503);
    assert_string_equal(r.retry_after, "1");
    assert_string_equal(r.body, "{\"error\":\"shutting down: nothing was "
                        "queued\"}\n");
    resp_free(&r);
    assert_int_equal(st(DFX_STAT_records_refused_total, -1, L7,
                        DFX_REASON_SHUTTING_DOWN), ref + 3);

    http(admin, EVHTTP_REQ_GET, "/readyz", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.code, 503);
    assert_string_equal(r.body, "shutting down\n");
    resp_free(&r);

    /* and new connections are refused once the workers let go */
    assert_true(run_until(ingest_refuses, NULL, 10000));

    evhttp_connection_free(keep);
    /* the waiting request is abandoned by dfx_http_stop() in teardown */
    evhttp_connection_free(waiting);
    resp_free(&pending);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_queued),
        cmocka_unit_test(test_ack_kafka),
        cmocka_unit_test(test_filtered),
        cmocka_unit_test(test_dry_run),
        cmocka_unit_test(test_clickhouse_format),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_budget_and_failures),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_slow_client),
        cmocka_unit_test(test_balance),
        cmocka_unit_test(test_admin),
        cmocka_unit_test(test_reconcile),
        cmocka_unit_test(test_shutdown),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
