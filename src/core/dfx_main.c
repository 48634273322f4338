/*
 * dfx_main.c: command line, start-up, signals, reload and shutdown.
 *
 *   dfexport [-c FILE] [-t] [-T] [--embedded-kafka[=N]]
 *            [--backfill FROM,TO] [-V] [-h]
 *
 * The main thread owns one event_base: signals, the admin listener, the
 * Kafka delivery events and the retirement of old cycles.  The ingest
 * workers run their own bases (src/http).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "config.h"
#include "dfx_ch.h"
#include "dfx_conf.h"
#include "dfx_core.h"
#include "dfx_cycle.h"
#include "dfx_http.h"
#include "dfx_kafka.h"
#include "dfx_log.h"
#include "dfx_notify.h"
#include "dfx_schema.h"
#include "dfx_stats.h"
#include "dfx_version.h"
#include "enum_translate/dfx_enum_dict.h"
#include "universal_tag/dfx_dict.h"

#ifndef DFX_SYSCONFDIR
#define DFX_SYSCONFDIR  "/etc/dfexport"
#endif

/* exit status when messages were lost at shutdown */
#define DFX_EXIT_LOST  3

/* how often shutdown checks whether requests in flight are done */
#define DFX_DRAIN_POLL_MS  50

typedef struct dfx_main_s {
    const char          *conf_file;
    int                  test_only;
    int                  dump;              /* -T */
    int                  embedded;          /* brokers from the CLI, -1 none */
    struct event_base   *base;
    dfx_kafka_mock_t    *mock;
    const char          *bootstrap;         /* the mock's, or NULL */
    struct event        *sig_term, *sig_int, *sig_hup, *sig_usr1;
    struct event        *drain_ev;
    struct timeval       drain_deadline;
    struct timeval       stop_start;        /* the shutdown signal */
    int                  shutdown_timeout;  /* seconds, of the live conf */
    int                  stopping;
    dfx_ch_source_t     *ch;                /* the ClickHouse source */
    dfx_ch_backfill_t    backfill;          /* --backfill */
    int                  backfilling;
    const char          *push_target;       /* --push-sql */
    const char          *dry_run;           /* --dry-run SOURCE */
    int                  pretty;            /* --pretty */
    struct event        *ch_done_ev;        /* a backfill is done */
} dfx_main_t;

static void
dfx_usage(FILE *out)
{
    fprintf(out,
        "usage: dfexport [-c FILE] [-t] [-T] [--embedded-kafka[=N]] "
        "[--backfill FROM,TO]\n"
        "                [--push-sql URL] [--dry-run SOURCE [--pretty]] "
        "[-V] [-h]\n"
        "  -c FILE              config file (default: %s/dfexport.yaml)\n"
        "  -t                   check the config, print every error, exit 0 "
        "(ok) or 1\n"
        "  -T                   as -t, and print the effective configuration "
        "(defaults\n"
        "                       included, secrets redacted) to stdout\n"
        "  --embedded-kafka[=N] in-process mock Kafka cluster of N brokers "
        "(default 1);\n"
        "                       every exporter's endpoints are replaced by "
        "it\n"
        "  --backfill FROM,TO   read [FROM, TO) from dfexport.clickhouse, "
        "export it, exit;\n"
        "                       unix seconds or \"YYYY-MM-DD hh:mm:ss\" "
        "(UTC), TO may be now;\n"
        "                       resumable: run it again to go on\n"
        "  --push-sql URL       print the SQL that makes DeepFlow's "
        "ClickHouse POST its\n"
        "                       rows to dfexport at URL "
        "(http://HOST:PORT), exit\n"
        "  --dry-run SOURCE     run NDJSON records of data source SOURCE "
        "from stdin\n"
        "                       through the exporters' chains, print what "
        "?dry_run=1\n"
        "                       answers, exit 0 (1: a record rejected); no "
        "listener,\n"
        "                       no Kafka; --pretty indents it\n"
        "  -V, --version        print the version of dfexport and of its "
        "libraries, exit\n"
        "  -h                   print this help and exit\n",
        DFX_SYSCONFDIR);
}

static void
dfx_conf_to_stderr(int is_error, const char *line)
{
    DFX_UNUSED(is_error);
    fprintf(stderr, "%s\n", line);
}

static void
dfx_conf_to_log(int is_error, const char *line)
{
    /* the loader writes lines for stderr ("dfexport: FILE:L:C: ..."); in
     * the log the program name is noise */
    if (strncmp(line, "dfexport: ", 10) == 0) {
        line += 10;
    }
    if (is_error) {
        dfx_log_error("%s", line);
    } else {
        dfx_log_notice("%s", line);
    }
}

static dfx_conf_t *
dfx_load(const char *file, void (*out)(int, const char *), int embedded)
{
    dfx_conf_replace_endpoints(embedded > 0);
    return dfx_conf_load(file, out);
}

/* Loads the dictionary the config names; NULL with a logged reason when
 * it names none or cannot be loaded. */
static dfx_dict_t *
dfx_read_dictionary(const dfx_conf_t *conf)
{
    dfx_dict_t  *d;
    char         err[512];

    if (conf->main.dictionary.v[0] == '\0') {
        return NULL;
    }
    d = dfx_dict_load(conf->main.dictionary.v, err, sizeof(err));
    if (d == NULL) {
        /* err starts with the path; dfx_dict_load() counted it */
        dfx_log_error("dictionary: %s", err);
        return NULL;
    }
    dfx_log_notice("dictionary %s loaded: version %llu, %zu entries",
                   conf->main.dictionary.v,
                   (unsigned long long) dfx_dict_version(d),
                   dfx_dict_entries(d));
    return d;
}

/* Publishes the dictionary a config names.  A config that names none
 * keeps the current one (it may have come with PUT /v1/dictionary); one
 * that fails to load leaves the current one in place too. */
static void
dfx_apply_dictionary(const dfx_conf_t *conf)
{
    const dfx_dict_t  *cur;
    dfx_dict_t        *d;

    if (conf->main.dictionary.v[0] == '\0') {
        cur = dfx_dict_acquire();
        if (cur == NULL && conf->main.clickhouse.dictionary_refresh.v > 0) {
            dfx_log_notice("the universal-tag dictionary comes from "
                           "ClickHouse (dfexport.clickhouse."
                           "dictionary-refresh)");
        } else if (cur == NULL) {
            dfx_log_warn("no universal-tag dictionary (dfexport.dictionary):"
                         " resource ids are exported as numbers until one "
                         "is loaded (PUT /v1/dictionary on the admin "
                         "listener)");
        }
        dfx_dict_release(cur);
        return;
    }
    d = dfx_read_dictionary(conf);
    if (d == NULL) {
        dfx_log_warn("keeping the previous universal-tag dictionary, if "
                     "any");
        return;
    }
    dfx_dict_publish(d);
}

static void
dfx_apply_log(const dfx_conf_t *conf)
{
    dfx_log_set_level((dfx_log_level_t) conf->main.log.level.v);
    dfx_log_set_format((dfx_log_format_t) conf->main.log.format.v);
    dfx_log_set_access(conf->main.log.access.v);
    if (dfx_log_open(conf->main.log.file.v) != 0) {
        dfx_log_error("cannot open log file %s: %s; logging to stderr",
                      conf->main.log.file.v, strerror(errno));
    }
}

static int
dfx_strs_eq(const dfx_conf_strs_t *a, const dfx_conf_strs_t *b)
{
    size_t  i;

    if (a->n != b->n) {
        return 0;
    }
    for (i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].v, b->v[i].v) != 0) {
            return 0;
        }
    }
    return 1;
}

/* Listeners, workers, the raw body limit and the client timeout are set
 * up once (evhttp instances and sockets): say so when a reload changes
 * them. */
static void
dfx_warn_restart_keys(const dfx_conf_main_t *old, const dfx_conf_main_t *new)
{
    const char  *changed[12];
    size_t       n = 0, i;

    if (!dfx_strs_eq(&old->listen, &new->listen)) {
        changed[n++] = "listen";
    }
    if (!dfx_strs_eq(&old->admin_listen, &new->admin_listen)) {
        changed[n++] = "admin-listen";
    }
    if (old->workers.v != new->workers.v) {
        changed[n++] = "workers";
    }
    if (old->limits.body.v != new->limits.body.v) {
        changed[n++] = "limits.body";
    }
    if (old->limits.memory.v != new->limits.memory.v) {
        changed[n++] = "limits.memory";
    }
    if (old->client_timeout.v != new->client_timeout.v) {
        changed[n++] = "client-timeout";
    }
    if (old->header_timeout.v != new->header_timeout.v) {
        changed[n++] = "header-timeout";
    }
    if (old->request_timeout.v != new->request_timeout.v) {
        changed[n++] = "request-timeout";
    }
    if (old->max_connections.v != new->max_connections.v) {
        changed[n++] = "max-connections";
    }
    if (!dfx_ch_conf_same(&old->clickhouse, &new->clickhouse)) {
        changed[n++] = "clickhouse";
    }
    for (i = 0; i < n; i++) {
        dfx_log_warn("reload: dfexport.%s changed; it takes effect at the "
                     "next restart", changed[i]);
    }
}

static void
dfx_ch_done_handler(evutil_socket_t fd, short what, void *arg)
{
    dfx_main_t  *m = arg;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);
    if (!m->stopping) {
        m->stopping = 1;
        event_base_loopbreak(m->base);
    }
}

/* FROM,TO of --backfill.  Returns 0, or -1 after saying why. */
static int
dfx_parse_backfill(dfx_main_t *m, const char *arg)
{
    const char  *comma = strchr(arg, ',');
    char         from[64];
    int64_t      f, t;

    if (comma == NULL || (size_t) (comma - arg) >= sizeof(from)) {
        goto bad;
    }
    memcpy(from, arg, (size_t) (comma - arg));
    from[comma - arg] = '\0';
    f = dfx_conf_parse_time(from);
    t = dfx_conf_parse_time(comma + 1);
    if (t == -1) {
        t = (int64_t) time(NULL);
    }
    if (f < 0 || t < 0) {
        goto bad;
    }
    if (t <= f) {
        fprintf(stderr, "dfexport: --backfill: TO must be after FROM, got "
                "\"%s\"\n", arg);
        return -1;
    }
    m->backfill.from = f;
    m->backfill.to = t;
    m->backfilling = 1;
    return 0;

bad:
    fprintf(stderr, "dfexport: --backfill: expected FROM,TO (unix seconds or "
            "\"YYYY-MM-DD hh:mm:ss\" UTC; TO may be now), got \"%s\"\n",
            arg);
    return -1;
}

static void
dfx_reload(dfx_main_t *m)
{
    dfx_conf_t   *conf;
    dfx_cycle_t  *c, *old;

    dfx_log_notice("reloading %s", m->conf_file);
    (void) dfx_notify_reloading();
    /* listeners' certificates and token files, whatever the config */
    dfx_http_reload_credentials();
    conf = dfx_load(m->conf_file, dfx_conf_to_log, m->mock != NULL);
    if (conf == NULL) {
        goto failed;
    }

    old = dfx_cycle_acquire();
    if (old != NULL) {
        dfx_warn_restart_keys(&old->conf->main, &conf->main);
        dfx_cycle_release(old);
    }

    /* nothing of the new config is applied before its cycle is built */
    c = dfx_cycle_create(conf, m->bootstrap, m->base);
    if (c == NULL) {
        goto failed;
    }
    dfx_apply_log(c->conf);
    dfx_apply_dictionary(c->conf);
    m->shutdown_timeout = (int) c->conf->main.shutdown_timeout.v;
    dfx_cycle_publish(c);
    dfx_stats_add(DFX_STAT_config_reloads_total, -1, -1, DFX_REASON_OK, 1);
    dfx_stats_set(DFX_STAT_config_last_reload_successful, -1, -1, -1, 1);
    dfx_stats_set(DFX_STAT_config_last_reload_success_timestamp_seconds,
                  -1, -1, -1, (int64_t) time(NULL));
    dfx_log_notice("reload done");
    (void) dfx_notify("READY=1");
    return;

failed:
    dfx_log_error("reload failed: the previous configuration keeps serving");
    (void) dfx_notify("READY=1");
    dfx_stats_add(DFX_STAT_config_reloads_total, -1, -1, DFX_REASON_ERROR, 1);
    dfx_stats_set(DFX_STAT_config_last_reload_successful, -1, -1, -1, 0);
}

/* -t: what start-up would also read besides the file itself (the enum
 * dictionaries and the universal-tag dictionary).  Returns 0 or -1. */
/* -t: builds every exporter's chains as start-up would (without Kafka),
 * so that what only the chains see is said too: a tag filter that can
 * never match, for one.  Returns 0 or -1 (the reason is logged). */
static int
dfx_test_chains(const dfx_conf_t *conf, const dfx_enums_t *enums)
{
    const dfx_conf_exporter_t  *ec;
    const dfx_schema_t         *sch;
    dfx_chain_t                *chain;
    size_t                      i, j;
    int                         rc = 0;

    for (i = 0; i < conf->nexporters; i++) {
        ec = &conf->exporters[i];
        for (j = 0; j < ec->data_sources.n; j++) {
            sch = dfx_schema_find(ec->data_sources.v[j].v,
                                  strlen(ec->data_sources.v[j].v));
            if (sch == NULL) {
                continue;
            }
            chain = dfx_chain_create(ec, sch, enums);
            if (chain == NULL) {
                rc = -1;
            }
            dfx_chain_destroy(chain);
        }
    }
    return rc;
}

static int
dfx_test_files(const dfx_conf_t *conf)
{
    dfx_enums_t  *enums;
    dfx_dict_t   *d;
    char          err[512];
    int           rc = 0;

    enums = dfx_cycle_enums_load(conf, err, sizeof(err));
    if (enums == NULL) {
        fprintf(stderr, "dfexport: %s: enum dictionaries: %s\n", conf->file,
                err);
        rc = -1;
    } else if (dfx_test_chains(conf, enums) != 0) {
        rc = -1;
    }
    dfx_enums_free(enums);

    if (conf->main.dictionary.v[0] != '\0') {
        d = dfx_dict_load(conf->main.dictionary.v, err, sizeof(err));
        if (d == NULL) {
            fprintf(stderr, "dfexport: %s: dictionary: %s\n", conf->file,
                    err);
            rc = -1;
        }
        dfx_dict_release(d);
    }
    return rc;
}

static void
dfx_drain_handler(evutil_socket_t fd, short what, void *arg)
{
    dfx_main_t      *m = arg;
    struct timeval   now, tv = { 0, DFX_DRAIN_POLL_MS * 1000 };
    int              left;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);

    left = dfx_http_inflight();
    evutil_gettimeofday(&now, NULL);
    if (left > 0 && evutil_timercmp(&now, &m->drain_deadline, <)) {
        event_add(m->drain_ev, &tv);
        return;
    }
    if (left > 0) {
        dfx_log_warn("shutdown: %d requests still in flight at the deadline",
                     left);
    }
    event_base_loopbreak(m->base);
}

static void
dfx_signal_handler(evutil_socket_t sig, short what, void *arg)
{
    dfx_main_t      *m = arg;
    struct timeval   tv = { 0, 0 }, now;

    DFX_UNUSED(what);

    if (sig == SIGHUP) {
        if (!m->stopping) {
            dfx_reload(m);
        }
        return;
    }
    if (sig == SIGUSR1) {
        /* logrotate renamed the file: only reopen it (nginx's USR1) */
        if (dfx_log_reopen() != 0) {
            dfx_log_error("cannot reopen log file %s: %s; still writing to "
                          "the old one", dfx_log_file(), strerror(errno));
        } else {
            dfx_log_notice("log file reopened");
        }
        return;
    }
    if (m->stopping) {
        dfx_log_notice("second signal: stopping now");
        event_base_loopbreak(m->base);
        return;
    }

    m->stopping = 1;
    (void) dfx_notify("STOPPING=1");
    dfx_log_notice("signal %d: shutting down (deadline %d s)", (int) sig,
                   m->shutdown_timeout);
    dfx_http_stop_accepting();

    /* requests in flight get half the deadline to finish, Kafka the rest
     * (all of it when no request waits) */
    evutil_gettimeofday(&now, NULL);
    m->stop_start = now;
    tv.tv_sec = m->shutdown_timeout / 2;
    tv.tv_usec = (m->shutdown_timeout % 2) * 500000;
    evutil_timeradd(&now, &tv, &m->drain_deadline);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    event_add(m->drain_ev, &tv);
}

/* The part of shutdown-timeout Kafka gets: what the requests in flight
 * left of it after the signal (all of it without a signal). */
static int
dfx_kafka_budget_ms(const dfx_main_t *m)
{
    struct timeval  now, spent;
    int64_t         ms = (int64_t) m->shutdown_timeout * 1000;

    if (m->stop_start.tv_sec != 0) {
        evutil_gettimeofday(&now, NULL);
        evutil_timersub(&now, &m->stop_start, &spent);
        ms -= (int64_t) spent.tv_sec * 1000 + spent.tv_usec / 1000;
    }
    return ms > 0 ? (int) ms : 0;
}

static int
dfx_parse_args(dfx_main_t *m, int argc, char **argv)
{
    static const struct option  longopts[] = {
        { "embedded-kafka", optional_argument, NULL, 'E' },
        { "backfill", required_argument, NULL, 'B' },
        { "push-sql", required_argument, NULL, 'P' },
        { "dry-run", required_argument, NULL, 'D' },
        { "pretty", no_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 }
    };
    char  *end;
    long   n;
    int    c;

    m->conf_file = DFX_SYSCONFDIR "/dfexport.yaml";
    m->embedded = -1;

    while ((c = getopt_long(argc, argv, "c:tThV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            m->conf_file = optarg;
            break;
        case 't':
            m->test_only = 1;
            break;
        case 'T':
            m->test_only = 1;
            m->dump = 1;
            break;
        case 'E':
            n = 1;
            if (optarg != NULL) {
                errno = 0;
                n = strtol(optarg, &end, 10);
                if (errno != 0 || *end != '\0' || n < 1 || n > 16) {
                    fprintf(stderr, "dfexport: --embedded-kafka: brokers "
                            "must be between 1 and 16, got \"%s\"\n", optarg);
                    return 2;
                }
            }
            m->embedded = (int) n;
            break;
        case 'B':
            if (dfx_parse_backfill(m, optarg) != 0) {
                return 2;
            }
            break;
        case 'P':
            m->push_target = optarg;
            break;
        case 'D':
            m->dry_run = optarg;
            break;
        case 'p':
            m->pretty = 1;
            break;
        case 'h':
            dfx_usage(stdout);
            return 0;
        case 'V':
            dfx_version_print(stdout);
            return 0;
        default:
            dfx_usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "dfexport: unexpected argument \"%s\"\n",
                argv[optind]);
        dfx_usage(stderr);
        return 2;
    }
    return -1;
}

int
main(int argc, char **argv)
{
    dfx_main_t    m;
    dfx_conf_t   *conf = NULL;
    dfx_cycle_t  *cycle;
    int           rc, brokers, off = 1;
    uint64_t      lost;

    memset(&m, 0, sizeof(m));
    rc = dfx_parse_args(&m, argc, argv);
    if (rc >= 0) {
        return rc;
    }
    rc = 1;

    if (dfx_schema_init() != 0) {
        fprintf(stderr, "dfexport: out of memory\n");
        return 1;
    }

    conf = dfx_load(m.conf_file, dfx_conf_to_stderr, m.embedded > 0);
    if (m.test_only) {
        if (conf == NULL || dfx_test_files(conf) != 0) {
            fprintf(stderr, "dfexport: configuration file %s test failed\n",
                    m.conf_file);
            goto done;
        }
        if (m.dump && dfx_conf_dump(conf, stdout) != 0) {
            fprintf(stderr, "dfexport: -T: cannot write: %s\n",
                    strerror(errno));
            goto done;
        }
        fprintf(stderr, "dfexport: the configuration file %s syntax is ok\n"
                "dfexport: configuration file %s test is successful\n",
                m.conf_file, m.conf_file);
        rc = 0;
        goto done;
    }
    if (conf == NULL) {
        goto done;
    }
    if (m.dry_run != NULL) {
        rc = dfx_http_dryrun_main(conf, m.dry_run, m.pretty);
        conf = NULL;
        goto done;
    }
    if (m.push_target != NULL) {
        rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK
             && dfx_ch_push_sql(conf, m.push_target, stdout) == 0 ? 0 : 1;
        goto done;
    }

    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "dfexport: cannot initialise libcurl\n");
        goto done;
    }
    dfx_version_set_build_info();
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "dfexport: libevent has no pthreads support\n");
        goto done;
    }
    dfx_apply_log(conf);
    m.shutdown_timeout = (int) conf->main.shutdown_timeout.v;

    m.base = event_base_new();
    if (m.base == NULL) {
        dfx_log_alert("cannot create the main event loop");
        goto done;
    }

    brokers = m.embedded > 0 ? m.embedded : (int) conf->main.embedded_kafka.v;
    if (brokers > 0) {
        m.mock = dfx_kafka_mock_start(brokers);
        if (m.mock == NULL) {
            dfx_log_alert("cannot start the embedded kafka cluster");
            goto done;
        }
        m.bootstrap = dfx_kafka_mock_bootstrap(m.mock);
        dfx_log_notice("embedded kafka bootstrap %s", m.bootstrap);
    }

    dfx_apply_dictionary(conf);

    cycle = dfx_cycle_create(conf, m.bootstrap, m.base);
    conf = NULL;                        /* owned by the cycle, even on error */
    if (cycle == NULL) {
        goto done;
    }
    dfx_cycle_publish(cycle);
    /* Prometheus' own meaning: the start-up load counts as a reload */
    dfx_stats_set(DFX_STAT_config_last_reload_successful, -1, -1, -1, 1);
    dfx_stats_set(DFX_STAT_config_last_reload_success_timestamp_seconds,
                  -1, -1, -1, (int64_t) time(NULL));

    if (m.backfilling) {
        m.backfill.progress = isatty(STDERR_FILENO);
        if (cycle->conf->main.clickhouse.url.v[0] == '\0') {
            dfx_log_alert("--backfill needs dfexport.clickhouse.url");
            goto done;
        }
    } else if (dfx_http_start(&cycle->conf->main, m.base) != 0) {
        goto done;
    }
    dfx_http_set_embedded_bootstrap(m.bootstrap);

    m.ch_done_ev = event_new(m.base, -1, 0, dfx_ch_done_handler, &m);
    if (m.ch_done_ev == NULL) {
        dfx_log_alert("out of memory");
        goto done;
    }
    m.ch = dfx_ch_start(cycle->conf, m.backfilling ? &m.backfill : NULL,
                        m.ch_done_ev, &off);
    if (m.ch == NULL && !off) {
        dfx_log_alert("cannot start the ClickHouse source");
        goto done;
    }

    m.sig_term = evsignal_new(m.base, SIGTERM, dfx_signal_handler, &m);
    m.sig_int = evsignal_new(m.base, SIGINT, dfx_signal_handler, &m);
    m.sig_hup = evsignal_new(m.base, SIGHUP, dfx_signal_handler, &m);
    m.sig_usr1 = evsignal_new(m.base, SIGUSR1, dfx_signal_handler, &m);
    m.drain_ev = evtimer_new(m.base, dfx_drain_handler, &m);
    if (m.sig_term == NULL || m.sig_int == NULL || m.sig_hup == NULL
        || m.sig_usr1 == NULL || m.drain_ev == NULL
        || event_add(m.sig_term, NULL) != 0 || event_add(m.sig_int, NULL) != 0
        || event_add(m.sig_hup, NULL) != 0 || event_add(m.sig_usr1, NULL) != 0)
    {
        dfx_log_alert("cannot install signal handlers");
        goto done;
    }

    dfx_log_notice("dfexport %s started, pid %ld", PACKAGE_VERSION,
                   (long) getpid());
    /* listeners are bound and the producers created: systemd may start
     * what depends on dfexport */
    (void) dfx_notify("READY=1");
    event_base_dispatch(m.base);
    rc = 0;
    if (m.backfilling && !dfx_ch_complete(m.ch)) {
        dfx_log_warn("backfill stopped before the end of its range; run it "
                     "again to go on from its checkpoint");
        rc = 1;
    }

done:
    /* no new window once shutdown begins; a window in flight keeps its
     * checkpoint and is read again at the next start */
    dfx_ch_stop(m.ch);
    dfx_http_stop();
    /* Kafka gets what is left of the deadline */
    lost = dfx_cycle_shutdown(dfx_kafka_budget_ms(&m));
    if (lost > 0) {
        dfx_log_error("shutdown: %llu messages were not delivered",
                      (unsigned long long) lost);
        rc = rc != 0 ? rc : DFX_EXIT_LOST;
    }
    /* delivery events of the last flush need the base one more time */
    if (m.base != NULL) {
        event_base_loop(m.base, EVLOOP_NONBLOCK);
    }
    /* its windows' acknowledgements pointed into it until now */
    dfx_ch_free(m.ch);
    if (m.ch_done_ev != NULL) {
        event_free(m.ch_done_ev);
    }
    dfx_dict_publish(NULL);
    dfx_kafka_mock_stop(m.mock);
    if (m.sig_term != NULL) {
        event_free(m.sig_term);
    }
    if (m.sig_int != NULL) {
        event_free(m.sig_int);
    }
    if (m.sig_hup != NULL) {
        event_free(m.sig_hup);
    }
    if (m.sig_usr1 != NULL) {
        event_free(m.sig_usr1);
    }
    if (m.drain_ev != NULL) {
        event_free(m.drain_ev);
    }
    if (m.base != NULL) {
        event_base_free(m.base);
    }
    dfx_conf_free(conf);
    dfx_schema_cleanup();
    if (!m.test_only && (m.stopping || rc == 0)) {
        dfx_log_notice("exit");
    }
    dfx_log_close();
    curl_global_cleanup();
    libevent_global_shutdown();
    return rc;
}
