/*
 * dfx_kafka_test.c: shared pieces of the Kafka unit tests (see
 * dfx_kafka_test.h).  It also stands in for the parts of the daemon the
 * Kafka code reports through but that these tests do not link: the
 * config error context and the data-source names of the statistics.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/thread.h>

#include "dfx_kafka_test.h"
#include "dfx_log.h"
#include "dfx_schema.h"

/* ---- what the statistics render --------------------------------------- */

#define DFX_TEST_SCHEMA(var, n)  static const dfx_schema_t var = { .name = n }
DFX_TEST_SCHEMA(s0, "flow_log.l7_flow_log");
DFX_TEST_SCHEMA(s1, "flow_log.l4_flow_log");
DFX_TEST_SCHEMA(s2, "flow_metrics.network.1s");
DFX_TEST_SCHEMA(s3, "flow_metrics.network.1m");
DFX_TEST_SCHEMA(s4, "flow_metrics.network_map.1s");
DFX_TEST_SCHEMA(s5, "flow_metrics.network_map.1m");
DFX_TEST_SCHEMA(s6, "flow_metrics.application.1s");
DFX_TEST_SCHEMA(s7, "flow_metrics.application.1m");
DFX_TEST_SCHEMA(s8, "flow_metrics.application_map.1s");
DFX_TEST_SCHEMA(s9, "flow_metrics.application_map.1m");
DFX_TEST_SCHEMA(s10, "event.file_event");
DFX_TEST_SCHEMA(s11, "event.perf_event");
const dfx_schema_t *const  dfx_schemas[DFX_DS_COUNT] = {
    &s0, &s1, &s2, &s3, &s4, &s5, &s6, &s7, &s8, &s9, &s10, &s11,
};

/* ---- config errors ----------------------------------------------------- */

void
dfx_test_ctx_init(dfx_conf_ctx_t *cf, const char *path)
{
    memset(cf, 0, sizeof(*cf));
    cf->path = path;
}

static void
dfx_test_ctx_add(dfx_conf_ctx_t *cf, const dfx_loc_t *loc, const char *fmt,
                 va_list ap)
{
    int  r;

    if (cf->len >= sizeof(cf->text) - 1) {
        return;
    }
    r = snprintf(cf->text + cf->len, sizeof(cf->text) - cf->len,
                 "%s:%u:%u: ", loc != NULL && loc->file ? loc->file : "-",
                 loc != NULL ? loc->line : 0, loc != NULL ? loc->col : 0);
    if (r > 0) {
        cf->len += (size_t) r;
    }
    if (cf->len >= sizeof(cf->text) - 1) {
        cf->len = sizeof(cf->text) - 1;
        return;
    }
    r = vsnprintf(cf->text + cf->len, sizeof(cf->text) - cf->len, fmt, ap);
    if (r > 0) {
        cf->len += (size_t) r;
    }
    if (cf->len < sizeof(cf->text) - 1) {
        cf->text[cf->len++] = '\n';
        cf->text[cf->len] = '\0';
    } else {
        cf->len = sizeof(cf->text) - 1;
    }
}

void
dfx_conf_error(dfx_conf_ctx_t *cf, const dfx_loc_t *loc, const char *fmt,
               ...)
{
    va_list  ap;

    cf->errors++;
    va_start(ap, fmt);
    dfx_test_ctx_add(cf, loc, fmt, ap);
    va_end(ap);
}

void
dfx_conf_notice(dfx_conf_ctx_t *cf, const dfx_loc_t *loc, const char *fmt,
                ...)
{
    va_list  ap;

    cf->notices++;
    va_start(ap, fmt);
    dfx_test_ctx_add(cf, loc, fmt, ap);
    va_end(ap);
}

const char *
dfx_conf_path(const dfx_conf_ctx_t *cf)
{
    return cf->path;
}

/* ---- exporter confs ---------------------------------------------------- */

static const dfx_loc_t  dfx_test_loc = { "test.yaml", 10, 5 };

void
dfx_test_exporter(dfx_conf_exporter_t *ec, unsigned index, int queue_count,
                  int queue_size)
{
    memset(ec, 0, sizeof(*ec));
    ec->loc = dfx_test_loc;
    ec->index = index;
    ec->enabled.v = 1;
    ec->queue_count.v = queue_count;
    ec->queue_size.v = queue_size;
    ec->compression.v = DFX_COMPRESSION_NONE;
    ec->compression.m.set = 1;
}

void
dfx_test_rdk(dfx_conf_exporter_t *ec, const char *key, const char *value,
             uint32_t line)
{
    dfx_conf_map_t  *m = &ec->librdkafka;
    size_t           n = m->n + 1;

    m->keys = realloc(m->keys, n * sizeof(*m->keys));
    m->values = realloc(m->values, n * sizeof(*m->values));
    assert_non_null(m->keys);
    assert_non_null(m->values);
    memset(&m->keys[m->n], 0, sizeof(m->keys[0]));
    memset(&m->values[m->n], 0, sizeof(m->values[0]));
    m->keys[m->n].v = strdup(key);
    m->keys[m->n].m.set = 1;
    m->keys[m->n].m.loc = (dfx_loc_t) { "test.yaml", line, 7 };
    m->values[m->n].v = strdup(value);
    m->values[m->n].m.set = 1;
    m->values[m->n].m.loc = (dfx_loc_t) { "test.yaml", line, 20 };
    m->n = n;
    m->m.set = 1;
    m->m.loc = (dfx_loc_t) { "test.yaml", 30, 5 };
}

void
dfx_test_exporter_free(dfx_conf_exporter_t *ec)
{
    size_t  i;

    for (i = 0; i < ec->librdkafka.n; i++) {
        free(ec->librdkafka.keys[i].v);
        free(ec->librdkafka.values[i].v);
    }
    free(ec->librdkafka.keys);
    free(ec->librdkafka.values);
    memset(&ec->librdkafka, 0, sizeof(ec->librdkafka));
}

/* ---- event loop ---------------------------------------------------------- */

/* An active event is served even when the loop starts after it was
 * activated; event_base_loopbreak() before the loop runs would be lost. */
static void
dfx_test_loop_break(evutil_socket_t fd, short what, void *arg)
{
    (void) fd;
    (void) what;
    event_base_loopbreak(arg);
}

static void *
dfx_test_loop_run(void *arg)
{
    dfx_test_loop_t  *l = arg;

    event_base_loop(l->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

void
dfx_test_loop_start(dfx_test_loop_t *l)
{
    static int  threads;

    if (!threads) {
        assert_int_equal(evthread_use_pthreads(), 0);
        threads = 1;
    }
    l->base = event_base_new();
    assert_non_null(l->base);
    l->stop = event_new(l->base, -1, 0, dfx_test_loop_break, l->base);
    assert_non_null(l->stop);
    assert_int_equal(pthread_create(&l->thread, NULL, dfx_test_loop_run, l),
                     0);
}

void
dfx_test_loop_stop(dfx_test_loop_t *l)
{
    event_active(l->stop, 0, 0);
    pthread_join(l->thread, NULL);
    event_free(l->stop);
    event_base_free(l->base);
    l->base = NULL;
}

/* ---- time ---------------------------------------------------------------- */

int64_t
dfx_test_now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
dfx_test_sleep_ms(int ms)
{
    struct timespec  ts = { ms / 1000, (long) (ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
        /* the rest of it */
    }
}

int
dfx_test_wait(int (*cond)(void *arg), void *arg, int timeout_ms)
{
    int64_t  deadline = dfx_test_now_ms() + timeout_ms;
    int      v;

    while (!(v = cond(arg)) && dfx_test_now_ms() < deadline) {
        dfx_test_sleep_ms(5);
    }
    return v;
}

/* ---- mock cluster -------------------------------------------------------- */

static void
dfx_test_quiet_log(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf)
{
    (void) rk;
    (void) level;
    (void) fac;
    (void) buf;
}

void
dfx_test_mock_start(dfx_test_mock_t *m, int brokers)
{
    rd_kafka_conf_t  *conf = rd_kafka_conf_new();
    char              errstr[256];

    rd_kafka_conf_set_log_cb(conf, dfx_test_quiet_log);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(m->rk);
    m->mc = rd_kafka_mock_cluster_new(m->rk, brokers);
    assert_non_null(m->mc);
    m->bootstrap = rd_kafka_mock_cluster_bootstraps(m->mc);
    assert_non_null(m->bootstrap);
}

void
dfx_test_mock_stop(dfx_test_mock_t *m)
{
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->rk);
    memset(m, 0, sizeof(*m));
}

static rd_kafka_t *
dfx_test_consumer(const char *bootstrap)
{
    rd_kafka_conf_t  *conf = rd_kafka_conf_new();
    rd_kafka_t       *rk;
    char              errstr[256];

    rd_kafka_conf_set_log_cb(conf, dfx_test_quiet_log);
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap,
                                       errstr, sizeof(errstr)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "dfx-test", errstr,
                                       sizeof(errstr)), RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "enable.auto.commit", "false",
                                       errstr, sizeof(errstr)),
                     RD_KAFKA_CONF_OK);
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    return rk;
}

/* Partitions of topic, or -1. */
static int
dfx_test_partitions(rd_kafka_t *rk, const char *topic)
{
    const struct rd_kafka_metadata  *md = NULL;
    rd_kafka_topic_t                *rkt;
    int                              n = -1;

    rkt = rd_kafka_topic_new(rk, topic, NULL);
    assert_non_null(rkt);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR
        && md->topic_cnt == 1 && md->topics[0].err == 0)
    {
        n = md->topics[0].partition_cnt;
    }
    if (md != NULL) {
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    return n;
}

int64_t
dfx_test_topic_count(const char *bootstrap, const char *topic)
{
    rd_kafka_t  *rk = dfx_test_consumer(bootstrap);
    int64_t      lo, hi, sum = 0;
    int          i, n;

    n = dfx_test_partitions(rk, topic);
    if (n < 0) {
        sum = -1;
    }
    for (i = 0; i < n; i++) {
        if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, 5000)
            != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
            sum = -1;
            break;
        }
        sum += hi;
    }
    rd_kafka_destroy(rk);
    return sum;
}

int
dfx_test_consume(const char *bootstrap, const char *topic, int n,
                 int timeout_ms, dfx_test_msg_fn fn, void *arg)
{
    rd_kafka_t                        *rk = dfx_test_consumer(bootstrap);
    rd_kafka_topic_partition_list_t   *parts;
    rd_kafka_message_t                *m;
    int64_t                            deadline;
    int                                i, np, got = 0;

    np = dfx_test_partitions(rk, topic);
    assert_true(np > 0);
    parts = rd_kafka_topic_partition_list_new(np);
    for (i = 0; i < np; i++) {
        rd_kafka_topic_partition_list_add(parts, topic, i)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    }
    assert_int_equal(rd_kafka_assign(rk, parts), 0);
    rd_kafka_topic_partition_list_destroy(parts);

    deadline = dfx_test_now_ms() + timeout_ms;
    while (got < n && dfx_test_now_ms() < deadline) {
        m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL) {
            continue;
        }
        if (m->err == 0) {
            fn(arg, m);
            got++;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got;
}

/* ---- log capture --------------------------------------------------------- */

static char   dfx_test_log_path[64];
static char  *dfx_test_log_buf;

void
dfx_test_log_capture(void)
{
    int  fd;

    if (dfx_test_log_path[0] != '\0') {
        dfx_test_log_release();
    }
    snprintf(dfx_test_log_path, sizeof(dfx_test_log_path),
             "/tmp/dfx-kafka-log-XXXXXX");
    fd = mkstemp(dfx_test_log_path);
    assert_true(fd != -1);
    close(fd);
    assert_int_equal(dfx_log_open(dfx_test_log_path), 0);
}

const char *
dfx_test_log_text(void)
{
    FILE    *f;
    long     size;
    size_t   n;

    free(dfx_test_log_buf);
    dfx_test_log_buf = NULL;
    f = fopen(dfx_test_log_path, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    dfx_test_log_buf = malloc((size_t) size + 1);
    assert_non_null(dfx_test_log_buf);
    n = fread(dfx_test_log_buf, 1, (size_t) size, f);
    dfx_test_log_buf[n] = '\0';
    fclose(f);
    return dfx_test_log_buf;
}

int
dfx_test_log_has(const char *needle)
{
    return strstr(dfx_test_log_text(), needle) != NULL;
}

void
dfx_test_log_release(void)
{
    dfx_log_close();
    if (dfx_test_log_path[0] != '\0') {
        unlink(dfx_test_log_path);
        dfx_test_log_path[0] = '\0';
    }
    free(dfx_test_log_buf);
    dfx_test_log_buf = NULL;
}

/* ---- child processes ----------------------------------------------------- */

int
dfx_test_proc_start(dfx_test_proc_t *p, const char *env,
                    const char *const argv[])
{
    const char  *path = env != NULL ? getenv(env) : NULL;
    char        *args[32];
    int          in[2], out[2], i;

    memset(p, 0, sizeof(*p));
    if (path == NULL || path[0] == '\0') {
        path = argv[0];
    }
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        return -1;
    }
    p->pid = fork();
    if (p->pid == -1) {
        return -1;
    }
    if (p->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        for (i = 0; i < 31 && argv[i] != NULL; i++) {
            args[i] = (char *) (uintptr_t) argv[i];
        }
        args[i] = NULL;
        execv(path, args);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    p->in = in[1];
    p->out = out[0];
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int
dfx_test_proc_line(dfx_test_proc_t *p, char *line, size_t size,
                   int timeout_ms)
{
    int64_t         deadline = dfx_test_now_ms() + timeout_ms;
    struct pollfd   pfd;
    char           *nl;
    size_t          n;
    ssize_t         r;

    for (;;) {
        nl = memchr(p->buf, '\n', p->len);
        if (nl != NULL) {
            n = (size_t) (nl - p->buf);
            if (n >= size) {
                n = size - 1;
            }
            memcpy(line, p->buf, n);
            line[n] = '\0';
            n = (size_t) (nl - p->buf) + 1;
            memmove(p->buf, p->buf + n, p->len - n);
            p->len -= n;
            return 0;
        }
        if (dfx_test_now_ms() >= deadline || p->len == sizeof(p->buf)) {
            return -1;
        }
        pfd.fd = p->out;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, (int) (deadline - dfx_test_now_ms())) <= 0) {
            continue;
        }
        r = read(p->out, p->buf + p->len, sizeof(p->buf) - p->len);
        if (r <= 0) {
            return -1;
        }
        p->len += (size_t) r;
    }
}

int
dfx_test_proc_send(dfx_test_proc_t *p, const char *line)
{
    size_t   len = strlen(line);
    ssize_t  w;

    w = write(p->in, line, len);
    if (w != (ssize_t) len) {
        return -1;
    }
    return write(p->in, "\n", 1) == 1 ? 0 : -1;
}

int
dfx_test_proc_wait(dfx_test_proc_t *p, int timeout_ms)
{
    int64_t  deadline = dfx_test_now_ms() + timeout_ms;
    int      status;
    pid_t    r;

    for (;;) {
        if (p->reaped) {
            status = p->status;
            break;
        }
        r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid) {
            break;
        }
        if (dfx_test_now_ms() >= deadline) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            status = -1;
            break;
        }
        dfx_test_sleep_ms(10);
    }
    if (p->in != -1) {
        close(p->in);
        p->in = -1;
    }
    close(p->out);
    p->pid = 0;
    return status;
}

int
dfx_test_proc_alive(dfx_test_proc_t *p)
{
    if (!p->reaped && waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
        p->reaped = 1;
    }
    return !p->reaped;
}

void
dfx_test_tmpdir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/dfx-kafka-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

void
dfx_test_rmdir(const char *dir)
{
    DIR            *d = opendir(dir);
    struct dirent  *e;
    char            path[512];

    if (d == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}
