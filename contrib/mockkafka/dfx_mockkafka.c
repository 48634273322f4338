/*
 * dfx-mockkafka: a Kafka cluster for tests and benchmarks, on loopback.
 *
 *   dfx-mockkafka [-n BROKERS] [-t TOPIC:PARTITIONS]... [-f FILE]
 *                 [-T SECS] [-q]
 *
 * Runs librdkafka's mock cluster (real Kafka protocol, in memory), prints
 * its bootstrap list on stdout (and into FILE with -f), then reads fault
 * commands from stdin, one per line, answering "ok", a value, or
 * "error: ..." on stdout:
 *
 *   down BROKER | up BROKER        stop / restart a broker (ids 1..N)
 *   rtt BROKER MS                  delay the broker's responses
 *   error APIKEY ERRCODE COUNT     fail the next COUNT requests of APIKEY
 *                                  (Produce = 0) with ERRCODE
 *   topic NAME PARTITIONS          create a topic
 *   count TOPIC                    messages ever appended (sum of high
 *                                  watermarks over its partitions); the
 *                                  2.0.2 mock creates any topic a Metadata
 *                                  request names, so an unknown TOPIC
 *                                  comes into being, empty: 0
 *   quit
 *
 * End of input does not stop it (stdin may be a FIFO that several
 * writers open in turn) unless -q is given; SIGTERM and SIGINT do, and so
 * does -T after SECS seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define DFX_MK_QUERY_MS  5000

typedef struct dfx_mk_s {
    rd_kafka_t               *host;      /* where the cluster lives */
    rd_kafka_mock_cluster_t  *mc;
    rd_kafka_t               *client;    /* for "count", made on demand */
    const char               *bootstrap;
    int                       brokers;
    int                       quit_on_eof;
    char                      line[4096];
    size_t                    len;
} dfx_mk_t;

static int  dfx_mk_sig[2] = { -1, -1 };

static void
dfx_mk_on_signal(int signo)
{
    int      saved = errno;
    char     c = (char) signo;
    ssize_t  r;

    r = write(dfx_mk_sig[1], &c, 1);
    (void) r;
    errno = saved;
}

static void
dfx_mk_usage(FILE *out)
{
    fprintf(out,
        "usage: dfx-mockkafka [-n BROKERS] [-t TOPIC:PARTITIONS]... "
        "[-f FILE] [-T SECS] [-q]\n"
        "  -n BROKERS          brokers (default 1)\n"
        "  -t TOPIC:PARTITIONS create a topic (repeatable)\n"
        "  -f FILE             also write the bootstrap list into FILE\n"
        "  -T SECS             exit after SECS seconds (default: never)\n"
        "  -q                  exit at the end of stdin\n"
        "commands on stdin: down B | up B | rtt B MS | "
        "error APIKEY ERRCODE COUNT |\n"
        "                   topic NAME PARTITIONS | count TOPIC | quit\n");
}

static void
dfx_mk_quiet_log(const rd_kafka_t *rk, int level, const char *fac,
                 const char *buf)
{
    (void) rk;
    if (level <= 3) {
        fprintf(stderr, "dfx-mockkafka: librdkafka %s: %s\n", fac, buf);
    }
}

static void
dfx_mk_say(const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

/* Parses a whole decimal integer in [min, max]. */
static int
dfx_mk_int(const char *s, long min, long max, long *v)
{
    char  *end;
    long   n;

    if (s == NULL || *s == '\0') {
        return -1;
    }
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max) {
        return -1;
    }
    *v = n;
    return 0;
}

static int
dfx_mk_topic(dfx_mk_t *mk, const char *name, long partitions)
{
    rd_kafka_resp_err_t  err;

    err = rd_kafka_mock_topic_create(mk->mc, name, (int) partitions,
                                     mk->brokers < 3 ? mk->brokers : 3);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        dfx_mk_say("error: topic %s: %s", name, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static rd_kafka_t *
dfx_mk_client(dfx_mk_t *mk)
{
    rd_kafka_conf_t  *conf;
    char              errstr[256];

    if (mk->client != NULL) {
        return mk->client;
    }
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, dfx_mk_quiet_log);
    if (rd_kafka_conf_set(conf, "bootstrap.servers", mk->bootstrap, errstr,
                          sizeof(errstr)) != RD_KAFKA_CONF_OK)
    {
        rd_kafka_conf_destroy(conf);
        dfx_mk_say("error: %s", errstr);
        return NULL;
    }
    mk->client = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr,
                              sizeof(errstr));
    if (mk->client == NULL) {
        rd_kafka_conf_destroy(conf);
        dfx_mk_say("error: %s", errstr);
    }
    return mk->client;
}

static void
dfx_mk_count(dfx_mk_t *mk, const char *topic)
{
    const struct rd_kafka_metadata  *md = NULL;
    rd_kafka_resp_err_t              err;
    rd_kafka_topic_t                *rkt;
    rd_kafka_t                      *rk;
    int64_t                          lo, hi, sum = 0;
    int                              i, n;

    rk = dfx_mk_client(mk);
    if (rk == NULL) {
        return;
    }
    rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rkt == NULL) {
        dfx_mk_say("error: %s", rd_kafka_err2str(rd_kafka_last_error()));
        return;
    }
    err = rd_kafka_metadata(rk, 0, rkt, &md, DFX_MK_QUERY_MS);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
        err = md->topics[0].err;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        dfx_mk_say("error: %s: %s", topic, rd_kafka_err2str(err));
        goto cleanup;
    }
    n = md->topics[0].partition_cnt;
    for (i = 0; i < n; i++) {
        err = rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi,
                                               DFX_MK_QUERY_MS);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            dfx_mk_say("error: %s [%d]: %s", topic, i, rd_kafka_err2str(err));
            goto cleanup;
        }
        sum += hi;
    }
    dfx_mk_say("%lld", (long long) sum);

cleanup:
    if (md != NULL) {
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
}

/* Runs one command line; returns 1 for quit. */
static int
dfx_mk_command(dfx_mk_t *mk, char *line)
{
    rd_kafka_resp_err_t  err, *errs;
    char                *argv[5], *save = NULL, *tok;
    long                 a, b, c, i;
    int                  argc = 0;

    for (tok = strtok_r(line, " \t\r", &save); tok != NULL && argc < 5;
         tok = strtok_r(NULL, " \t\r", &save))
    {
        argv[argc++] = tok;
    }
    if (argc == 0) {
        return 0;
    }
    if (tok != NULL) {
        dfx_mk_say("error: too many arguments");
        return 0;
    }

#define DFX_MK_ARGS(n)                                                      \
    if (argc != (n) + 1) {                                                  \
        dfx_mk_say("error: %s takes %d argument%s", argv[0], (n),           \
                   (n) == 1 ? "" : "s");                                    \
        return 0;                                                           \
    }

    if (strcmp(argv[0], "quit") == 0) {
        DFX_MK_ARGS(0);
        dfx_mk_say("ok");
        return 1;
    }
    if (strcmp(argv[0], "down") == 0 || strcmp(argv[0], "up") == 0) {
        DFX_MK_ARGS(1);
        if (dfx_mk_int(argv[1], 1, mk->brokers, &a) != 0) {
            dfx_mk_say("error: no broker \"%s\" (1..%d)", argv[1],
                       mk->brokers);
            return 0;
        }
        err = argv[0][0] == 'd'
              ? rd_kafka_mock_broker_set_down(mk->mc, (int32_t) a)
              : rd_kafka_mock_broker_set_up(mk->mc, (int32_t) a);
        if (err) {
            dfx_mk_say("error: %s", rd_kafka_err2str(err));
        } else {
            dfx_mk_say("ok");
        }
        return 0;
    }
    if (strcmp(argv[0], "rtt") == 0) {
        DFX_MK_ARGS(2);
        if (dfx_mk_int(argv[1], 1, mk->brokers, &a) != 0
            || dfx_mk_int(argv[2], 0, INT_MAX, &b) != 0)
        {
            dfx_mk_say("error: usage: rtt BROKER(1..%d) MS", mk->brokers);
            return 0;
        }
        err = rd_kafka_mock_broker_set_rtt(mk->mc, (int32_t) a, (int) b);
        if (err) {
            dfx_mk_say("error: %s", rd_kafka_err2str(err));
        } else {
            dfx_mk_say("ok");
        }
        return 0;
    }
    if (strcmp(argv[0], "error") == 0) {
        DFX_MK_ARGS(3);
        if (dfx_mk_int(argv[1], 0, INT16_MAX, &a) != 0
            || dfx_mk_int(argv[2], INT16_MIN, INT16_MAX, &b) != 0
            || dfx_mk_int(argv[3], 1, 100000, &c) != 0)
        {
            dfx_mk_say("error: usage: error APIKEY ERRCODE COUNT(1..100000)");
            return 0;
        }
        errs = malloc((size_t) c * sizeof(*errs));
        if (errs == NULL) {
            dfx_mk_say("error: out of memory");
            return 0;
        }
        for (i = 0; i < c; i++) {
            errs[i] = (rd_kafka_resp_err_t) b;
        }
        rd_kafka_mock_push_request_errors_array(mk->mc, (int16_t) a,
                                                (size_t) c, errs);
        free(errs);
        dfx_mk_say("ok");
        return 0;
    }
    if (strcmp(argv[0], "topic") == 0) {
        DFX_MK_ARGS(2);
        if (dfx_mk_int(argv[2], 1, 100000, &a) != 0) {
            dfx_mk_say("error: partitions must be 1..100000, got \"%s\"",
                       argv[2]);
            return 0;
        }
        if (dfx_mk_topic(mk, argv[1], a) == 0) {
            dfx_mk_say("ok");
        }
        return 0;
    }
    if (strcmp(argv[0], "count") == 0) {
        DFX_MK_ARGS(1);
        dfx_mk_count(mk, argv[1]);
        return 0;
    }
#undef DFX_MK_ARGS

    dfx_mk_say("error: unknown command \"%s\"", argv[0]);
    return 0;
}

/* Reads what stdin has; returns 1 to quit, -1 at the end of input. */
static int
dfx_mk_input(dfx_mk_t *mk)
{
    char     *nl;
    ssize_t   r;
    size_t    n;

    r = read(STDIN_FILENO, mk->line + mk->len, sizeof(mk->line) - 1 - mk->len);
    if (r == -1) {
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    }
    if (r == 0) {
        return -1;
    }
    mk->len += (size_t) r;

    while ((nl = memchr(mk->line, '\n', mk->len)) != NULL) {
        *nl = '\0';
        n = (size_t) (nl - mk->line) + 1;
        if (dfx_mk_command(mk, mk->line)) {
            return 1;
        }
        memmove(mk->line, mk->line + n, mk->len - n);
        mk->len -= n;
    }
    if (mk->len == sizeof(mk->line) - 1) {
        dfx_mk_say("error: line too long");
        mk->len = 0;
    }
    return 0;
}

/* At the end of a FIFO's input, reopen it so that the next writer is
 * heard; any other input is simply done. */
static int
dfx_mk_reopen_stdin(void)
{
    struct stat  st;
    char         link[64];
    ssize_t      n;
    int          fd;

    if (fstat(STDIN_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        return -1;
    }
    /* an anonymous pipe ("pipe:[N]") reopens to itself with no writer
     * left: polling it again would spin; only a named FIFO can have a
     * next writer */
    n = readlink("/proc/self/fd/0", link, sizeof(link) - 1);
    if (n < 0 || (n >= 5 && memcmp(link, "pipe:", 5) == 0)) {
        return -1;
    }
    fd = open("/proc/self/fd/0", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1) {
        return -1;
    }
    if (dup2(fd, STDIN_FILENO) == -1) {
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int
dfx_mk_write_file(const char *path, const char *text)
{
    char   tmp[PATH_MAX];
    FILE  *f;
    int    ok;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int) sizeof(tmp)) {
        return -1;
    }
    f = fopen(tmp, "w");
    if (f == NULL) {
        return -1;
    }
    ok = fprintf(f, "%s\n", text) > 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    dfx_mk_t           mk;
    rd_kafka_conf_t   *conf;
    struct sigaction   sa;
    struct pollfd      pfd[2];
    const char        *file = NULL;
    char              *topics[64], *colon, errstr[256];
    long               v, max_secs = 0;
    int                ntopics = 0, i, opt, r, rc = 1, stdin_open = 1;
    int64_t            deadline = 0, now;
    struct timespec    ts;

    memset(&mk, 0, sizeof(mk));
    mk.brokers = 1;

    while ((opt = getopt(argc, argv, "n:t:f:T:qh")) != -1) {
        switch (opt) {
        case 'n':
            if (dfx_mk_int(optarg, 1, 64, &v) != 0) {
                fprintf(stderr, "dfx-mockkafka: -n: 1..64 brokers\n");
                return 2;
            }
            mk.brokers = (int) v;
            break;
        case 't':
            colon = strrchr(optarg, ':');
            if (colon == NULL || colon == optarg
                || dfx_mk_int(colon + 1, 1, 100000, &v) != 0
                || ntopics == (int) (sizeof(topics) / sizeof(topics[0])))
            {
                fprintf(stderr, "dfx-mockkafka: -t: TOPIC:PARTITIONS, "
                        "got \"%s\"\n", optarg);
                return 2;
            }
            topics[ntopics++] = optarg;
            break;
        case 'f':
            file = optarg;
            break;
        case 'T':
            if (dfx_mk_int(optarg, 1, 30L * 86400, &max_secs) != 0) {
                fprintf(stderr, "dfx-mockkafka: -T: seconds, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 'q':
            mk.quit_on_eof = 1;
            break;
        case 'h':
            dfx_mk_usage(stdout);
            return 0;
        default:
            dfx_mk_usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        dfx_mk_usage(stderr);
        return 2;
    }

    if (pipe(dfx_mk_sig) != 0) {
        perror("dfx-mockkafka: pipe");
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = dfx_mk_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, dfx_mk_quiet_log);
    mk.host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (mk.host == NULL) {
        fprintf(stderr, "dfx-mockkafka: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        goto cleanup;
    }
    mk.mc = rd_kafka_mock_cluster_new(mk.host, mk.brokers);
    if (mk.mc == NULL) {
        fprintf(stderr, "dfx-mockkafka: cannot start the mock cluster\n");
        goto cleanup;
    }
    mk.bootstrap = rd_kafka_mock_cluster_bootstraps(mk.mc);

    for (i = 0; i < ntopics; i++) {
        colon = strrchr(topics[i], ':');
        *colon = '\0';
        (void) dfx_mk_int(colon + 1, 1, 100000, &v);
        if (dfx_mk_topic(&mk, topics[i], v) != 0) {
            goto cleanup;
        }
    }

    if (file != NULL && dfx_mk_write_file(file, mk.bootstrap) != 0) {
        fprintf(stderr, "dfx-mockkafka: %s: %s\n", file, strerror(errno));
        goto cleanup;
    }
    dfx_mk_say("%s", mk.bootstrap);

    if (max_secs > 0) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        deadline = ((int64_t) ts.tv_sec + max_secs) * 1000
                   + ts.tv_nsec / 1000000;
    }

    for (;;) {
        int  timeout = -1;

        if (deadline != 0) {
            clock_gettime(CLOCK_MONOTONIC, &ts);
            now = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
            if (now >= deadline) {
                fprintf(stderr, "dfx-mockkafka: -T %ld reached\n", max_secs);
                break;
            }
            timeout = (int) (deadline - now);
        }
        pfd[0].fd = dfx_mk_sig[0];
        pfd[0].events = POLLIN;
        pfd[1].fd = stdin_open ? STDIN_FILENO : -1;
        pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;

        r = poll(pfd, 2, timeout);
        if (r == -1 && errno != EINTR) {
            perror("dfx-mockkafka: poll");
            goto cleanup;
        }
        if (r <= 0) {
            continue;
        }
        if (pfd[0].revents) {
            break;
        }
        if (pfd[1].revents) {
            r = dfx_mk_input(&mk);
            if (r == 1) {
                break;
            }
            if (r == -1) {
                if (mk.quit_on_eof) {
                    break;
                }
                if (dfx_mk_reopen_stdin() != 0) {
                    stdin_open = 0;
                }
            }
        }
    }
    rc = 0;

cleanup:
    if (mk.client != NULL) {
        rd_kafka_destroy(mk.client);
    }
    if (mk.mc != NULL) {
        rd_kafka_mock_cluster_destroy(mk.mc);
    }
    if (mk.host != NULL) {
        rd_kafka_destroy(mk.host);
    }
    close(dfx_mk_sig[0]);
    close(dfx_mk_sig[1]);
    return rc;
}
