/*
 * dfx_kafka_brokers.c: each producer's brokers, from librdkafka's
 * statistics, as the metrics of dfx_kafka_brokers.def and /stats'
 * "kafka_brokers".
 *
 * librdkafka 2.0.2 has no broker-state callback: its statistics JSON
 * (every statistics.interval.ms, 5 s unless the librdkafka: map says
 * otherwise) is the only place that says whether a connection is up and
 * how long the broker takes to answer.  It arrives as an
 * RD_KAFKA_EVENT_STATS on the producer's main queue, beside the delivery
 * reports, so it is read on the thread that serves them (the main event
 * loop, or the thread retiring a cycle).  The text is read with yajl's
 * callbacks, keeping only brokers.*.{name, nodeid, source, state,
 * outbuf_msg_cnt, waitresp_msg_cnt, rtt}: no tree of the topics and
 * partitions is built.  The result is a small snapshot that replaces the
 * producer's previous one whole under a mutex, which the admin listener
 * takes while it renders.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_parse.h>

#include "dfx_core.h"
#include "dfx_kafka_int.h"
#include "dfx_log.h"
#include "dfx_stats.h"

/* a cluster larger than this shows its first brokers only */
#define DFX_KB_MAX_BROKERS  256
/* librdkafka's broker name is "host:port/nodeid" (RD_KAFKA_NODENAME_SIZE
 * is 256 for host:port) */
#define DFX_KB_NAME_MAX     272
#define DFX_KB_STATE_MAX    24
/* containers deeper than this are only counted */
#define DFX_KB_MAX_DEPTH    16

typedef enum {
#define DFX_BROKER(name, type, labels, help)  DFX_KB_##name,
#include "dfx_kafka_brokers.def"
#undef DFX_BROKER
    DFX_KB_COUNT
} dfx_kb_id_t;

typedef struct dfx_kb_desc_s {
    const char  *name;
    const char  *type;
    const char  *help;
} dfx_kb_desc_t;

static const dfx_kb_desc_t  dfx_kb_descs[DFX_KB_COUNT] = {
#define DFX_BROKER_GAUGE  "gauge"
#define DFX_BROKER(name, type, labels, help)                             \
    { #name, DFX_BROKER_##type, help },
#include "dfx_kafka_brokers.def"
#undef DFX_BROKER
};

typedef struct dfx_kb_broker_s {
    char     name[DFX_KB_NAME_MAX];
    char     state[DFX_KB_STATE_MAX];
    int64_t  nodeid;
    int      internal;          /* source "internal" or "logical" */
    int64_t  outbuf_msgs;
    int64_t  waitresp_msgs;
    int64_t  rtt_avg;           /* microseconds, over the last interval */
    int64_t  rtt_p50;
    int64_t  rtt_p99;
    int64_t  rtt_cnt;           /* answers in the interval */
} dfx_kb_broker_t;

struct dfx_kafka_brokers_s {
    struct timespec   at;       /* CLOCK_MONOTONIC, when it was read */
    size_t            n;
    size_t            cap;
    dfx_kb_broker_t   b[];
};

/* What a container of the statistics JSON is, for the reader. */
typedef enum {
    DFX_KB_IN_OTHER = 0,
    DFX_KB_IN_TOP,              /* the statistics object */
    DFX_KB_IN_BROKERS,          /* "brokers": name -> broker */
    DFX_KB_IN_BROKER,           /* one broker */
    DFX_KB_IN_RTT,              /* its "rtt" window */
} dfx_kb_in_t;

typedef struct dfx_kb_reader_s {
    dfx_kafka_brokers_t  *snap;
    dfx_kb_broker_t      *cur;      /* NULL: past the cap */
    int                   depth;
    unsigned char         in[DFX_KB_MAX_DEPTH + 1];
    char                  key[24];  /* the last key of a container we
                                     * read ("" for a longer one) */
} dfx_kb_reader_t;

static dfx_kb_in_t
dfx_kb_in(const dfx_kb_reader_t *r)
{
    return r->depth <= DFX_KB_MAX_DEPTH ? (dfx_kb_in_t) r->in[r->depth]
                                        : DFX_KB_IN_OTHER;
}

static int
dfx_kb_key_is(const dfx_kb_reader_t *r, const char *k)
{
    return strcmp(r->key, k) == 0;
}

static int
dfx_kb_push(dfx_kb_reader_t *r, dfx_kb_in_t in)
{
    r->depth++;
    if (r->depth <= DFX_KB_MAX_DEPTH) {
        r->in[r->depth] = (unsigned char) in;
    }
    r->key[0] = '\0';
    return 1;
}

static dfx_kb_broker_t *
dfx_kb_add(dfx_kb_reader_t *r)
{
    dfx_kafka_brokers_t  *s = r->snap, *ns;
    size_t                cap;

    if (s->n == s->cap) {
        if (s->cap >= DFX_KB_MAX_BROKERS) {
            return NULL;
        }
        cap = s->cap * 2;
        ns = realloc(s, sizeof(*s) + cap * sizeof(dfx_kb_broker_t));
        if (ns == NULL) {
            return NULL;
        }
        ns->cap = cap;
        r->snap = s = ns;
    }
    memset(&s->b[s->n], 0, sizeof(s->b[0]));
    s->b[s->n].nodeid = -1;
    return &s->b[s->n++];
}

static int
dfx_kb_start_map(void *arg)
{
    dfx_kb_reader_t  *r = arg;
    dfx_kb_in_t       in = DFX_KB_IN_OTHER;

    if (r->depth == 0) {
        in = DFX_KB_IN_TOP;
    } else {
        switch (dfx_kb_in(r)) {
        case DFX_KB_IN_TOP:
            if (dfx_kb_key_is(r, "brokers")) {
                in = DFX_KB_IN_BROKERS;
            }
            break;
        case DFX_KB_IN_BROKERS:
            in = DFX_KB_IN_BROKER;
            r->cur = dfx_kb_add(r);
            break;
        case DFX_KB_IN_BROKER:
            if (dfx_kb_key_is(r, "rtt")) {
                in = DFX_KB_IN_RTT;
            }
            break;
        default:
            break;
        }
    }
    return dfx_kb_push(r, in);
}

static int
dfx_kb_start_array(void *arg)
{
    return dfx_kb_push(arg, DFX_KB_IN_OTHER);
}

static int
dfx_kb_end(void *arg)
{
    dfx_kb_reader_t  *r = arg;

    if (dfx_kb_in(r) == DFX_KB_IN_BROKER) {
        r->cur = NULL;
    }
    r->depth--;
    return 1;
}

static int
dfx_kb_map_key(void *arg, const unsigned char *k, size_t len)
{
    dfx_kb_reader_t  *r = arg;

    if (len >= sizeof(r->key)) {
        len = 0;                /* none of the keys read is that long */
    }
    memcpy(r->key, k, len);
    r->key[len] = '\0';
    return 1;
}

static int
dfx_kb_integer(void *arg, long long v)
{
    dfx_kb_reader_t  *r = arg;
    dfx_kb_broker_t  *b = r->cur;

    if (b == NULL) {
        return 1;
    }
    switch (dfx_kb_in(r)) {
    case DFX_KB_IN_BROKER:
        if (dfx_kb_key_is(r, "nodeid")) {
            b->nodeid = v;
        } else if (dfx_kb_key_is(r, "outbuf_msg_cnt")) {
            b->outbuf_msgs = v;
        } else if (dfx_kb_key_is(r, "waitresp_msg_cnt")) {
            b->waitresp_msgs = v;
        }
        break;
    case DFX_KB_IN_RTT:
        if (dfx_kb_key_is(r, "avg")) {
            b->rtt_avg = v;
        } else if (dfx_kb_key_is(r, "p50")) {
            b->rtt_p50 = v;
        } else if (dfx_kb_key_is(r, "p99")) {
            b->rtt_p99 = v;
        } else if (dfx_kb_key_is(r, "cnt")) {
            b->rtt_cnt = v;
        }
        break;
    default:
        break;
    }
    return 1;
}

static int
dfx_kb_double(void *arg, double v)
{
    /* librdkafka writes these as integers; a double is taken all the
     * same, rounded */
    return dfx_kb_integer(arg, (long long) (v + 0.5));
}

static void
dfx_kb_copy(char *dst, size_t size, const unsigned char *s, size_t len)
{
    if (len >= size) {
        len = size - 1;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static int
dfx_kb_string(void *arg, const unsigned char *s, size_t len)
{
    dfx_kb_reader_t  *r = arg;
    dfx_kb_broker_t  *b = r->cur;

    if (b == NULL || dfx_kb_in(r) != DFX_KB_IN_BROKER) {
        return 1;
    }
    if (dfx_kb_key_is(r, "name")) {
        dfx_kb_copy(b->name, sizeof(b->name), s, len);
    } else if (dfx_kb_key_is(r, "state")) {
        dfx_kb_copy(b->state, sizeof(b->state), s, len);
    } else if (dfx_kb_key_is(r, "source")) {
        b->internal = (len == 8 && memcmp(s, "internal", 8) == 0)
                      || (len == 7 && memcmp(s, "logical", 7) == 0);
    }
    return 1;
}

static const yajl_callbacks  dfx_kb_callbacks = {
    .yajl_integer     = dfx_kb_integer,
    .yajl_double      = dfx_kb_double,
    .yajl_string      = dfx_kb_string,
    .yajl_start_map   = dfx_kb_start_map,
    .yajl_map_key     = dfx_kb_map_key,
    .yajl_end_map     = dfx_kb_end,
    .yajl_start_array = dfx_kb_start_array,
    .yajl_end_array   = dfx_kb_end,
};

static int
dfx_kb_cmp(const void *a, const void *b)
{
    const dfx_kb_broker_t  *x = a, *y = b;

    return (x->nodeid > y->nodeid) - (x->nodeid < y->nodeid);
}

/* The brokers worth a series: those the cluster's metadata named (a node
 * id), not the bootstrap entries, librdkafka's internal broker or a
 * logical one (a coordinator's alias). */
static void
dfx_kb_keep_learned(dfx_kafka_brokers_t *s)
{
    size_t  i, o = 0;

    for (i = 0; i < s->n; i++) {
        if (s->b[i].nodeid < 0 || s->b[i].internal || s->b[i].name[0] == '\0')
        {
            continue;
        }
        if (o != i) {
            s->b[o] = s->b[i];
        }
        o++;
    }
    s->n = o;
    /* librdkafka lists the newest first: by node id reads better */
    qsort(s->b, s->n, sizeof(s->b[0]), dfx_kb_cmp);
}

void
dfx_kafka_brokers_update(dfx_producer_t *p, const char *json)
{
    dfx_kb_reader_t       r;
    dfx_kafka_brokers_t  *old;
    yajl_handle           h;
    yajl_status           st;

    dfx_assert(p->magic == DFX_PRODUCER_MAGIC);
    memset(&r, 0, sizeof(r));
    r.snap = malloc(sizeof(*r.snap) + 8 * sizeof(dfx_kb_broker_t));
    if (r.snap == NULL) {
        return;
    }
    r.snap->n = 0;
    r.snap->cap = 8;

    h = yajl_alloc(&dfx_kb_callbacks, NULL, &r);
    if (h == NULL) {
        free(r.snap);
        return;
    }
    st = yajl_parse(h, (const unsigned char *) json, strlen(json));
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h);
    }
    yajl_free(h);
    if (st != yajl_status_ok) {
        /* librdkafka wrote it: a failure here is a bug, not an input */
        dfx_log_debug("exporter %u producer %u: cannot read librdkafka's "
                      "statistics", p->kafka->index, p->index);
        free(r.snap);
        return;
    }
    dfx_kb_keep_learned(r.snap);
    clock_gettime(CLOCK_MONOTONIC, &r.snap->at);

    pthread_mutex_lock(&p->brokers_lock);
    old = p->brokers;
    p->brokers = r.snap;
    pthread_mutex_unlock(&p->brokers_lock);
    free(old);
}

void
dfx_kafka_brokers_free(dfx_producer_t *p)
{
    /* rd_kafka_destroy() is done and the cycle has no reference left,
     * so no renderer holds this producer */
    free(p->brokers);
    p->brokers = NULL;
}

/* ---- rendering --------------------------------------------------------- */

/* librdkafka 2.0.2 connects to a broker only while it has a request
 * for it (sparse connections): a broker never needed, or whose
 * connection closed while there was nothing to send, waits in INIT; one
 * with requests waiting and no connection cycles through TRY_CONNECT,
 * CONNECT, DOWN.  Up is UP, and its momentary variants: UPDATE is UP
 * while librdkafka tells its other threads about a change; REAUTH
 * re-authenticates over the open connection. */
static int
dfx_kb_up(const dfx_kb_broker_t *b)
{
    return strcmp(b->state, "UP") == 0 || strcmp(b->state, "UPDATE") == 0
           || strcmp(b->state, "REAUTH") == 0;
}

/* dfexport_NAME{exporter="E",producer="P",broker="B" (left open) */
static int
dfx_kb_head(dfx_buf_t *out, dfx_kb_id_t id, const char *exporter,
            unsigned producer, const dfx_kb_broker_t *b)
{
    int  rc = 0;

    rc |= dfx_buf_printf(out, "dfexport_%s", dfx_kb_descs[id].name);
    rc |= dfx_stats_prom_label(out, "{", "exporter", exporter);
    rc |= dfx_buf_printf(out, ",producer=\"%u\"", producer);
    rc |= dfx_stats_prom_label(out, ",", "broker", b->name);
    return rc != 0 ? -1 : 0;
}

static int
dfx_kb_prom_broker(dfx_buf_t *out, dfx_kb_id_t id, const char *exporter,
                   unsigned producer, const dfx_kb_broker_t *b)
{
    int  rc;

    rc = dfx_kb_head(out, id, exporter, producer, b);
    switch (id) {
    case DFX_KB_kafka_broker_up:
        rc |= dfx_buf_printf(out, "} %d\n", dfx_kb_up(b));
        break;
    case DFX_KB_kafka_broker_state:
        rc |= dfx_stats_prom_label(out, ",", "state",
                                   b->state[0] ? b->state : "?");
        rc |= dfx_buf_printf(out, "} 1\n");
        break;
    case DFX_KB_kafka_broker_rtt_seconds:
        rc |= dfx_buf_printf(out, ",quantile=\"0.5\"} %.6f\n",
                             (double) b->rtt_p50 / 1e6);
        rc |= dfx_kb_head(out, id, exporter, producer, b);
        rc |= dfx_buf_printf(out, ",quantile=\"0.99\"} %.6f\n",
                             (double) b->rtt_p99 / 1e6);
        break;
    case DFX_KB_kafka_broker_outbuf_messages:
        rc |= dfx_buf_printf(out, "} %lld\n", (long long) b->outbuf_msgs);
        break;
    case DFX_KB_kafka_broker_waitresp_messages:
        rc |= dfx_buf_printf(out, "} %lld\n", (long long) b->waitresp_msgs);
        break;
    default:
        rc |= dfx_buf_printf(out, "} 0\n");
        break;
    }
    return rc != 0 ? -1 : 0;
}

int
dfx_kafka_brokers_prometheus(dfx_kafka_t *const *ks, size_t n,
                             dfx_buf_t *out)
{
    const dfx_kb_desc_t  *d;
    dfx_producer_t       *p;
    const char           *exporter;
    char                  tmp[16];
    size_t                e, j;
    unsigned              i;
    int                   id, rc = 0;

    for (id = 0; id < DFX_KB_COUNT && rc == 0; id++) {
        d = &dfx_kb_descs[id];
        rc |= dfx_buf_printf(out, "# HELP dfexport_%s %s\n"
                             "# TYPE dfexport_%s %s\n", d->name, d->help,
                             d->name, d->type);
        for (e = 0; e < n && rc == 0; e++) {
            if (ks[e] == NULL) {
                continue;
            }
            dfx_assert(ks[e]->magic == DFX_KAFKA_MAGIC);
            exporter = dfx_stats_exporter_label((int) ks[e]->index, tmp,
                                                sizeof(tmp));
            for (i = 0; i < ks[e]->nproducers && rc == 0; i++) {
                p = &ks[e]->producers[i];
                pthread_mutex_lock(&p->brokers_lock);
                for (j = 0; p->brokers != NULL && j < p->brokers->n
                            && rc == 0; j++)
                {
                    const dfx_kb_broker_t  *b = &p->brokers->b[j];

                    if (id == DFX_KB_kafka_broker_rtt_seconds
                        && b->rtt_cnt <= 0)
                    {
                        /* no answer in the interval: no time to tell */
                        continue;
                    }
                    rc |= dfx_kb_prom_broker(out, (dfx_kb_id_t) id, exporter,
                                             p->index, b);
                }
                pthread_mutex_unlock(&p->brokers_lock);
            }
        }
    }
    return rc != 0 ? -1 : 0;
}

static double
dfx_kb_age(const struct timespec *at)
{
    struct timespec  now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - at->tv_sec)
           + (double) (now.tv_nsec - at->tv_nsec) / 1e9;
}

static int
dfx_kb_json_broker(dfx_buf_t *out, const dfx_kb_broker_t *b, double age)
{
    int  rc = 0;

    rc |= dfx_buf_json_str(out, b->name, strlen(b->name));
    rc |= dfx_buf_append_lit(out, ":{\"state\":");
    rc |= dfx_buf_json_str(out, b->state, strlen(b->state));
    rc |= dfx_buf_printf(out, ",\"up\":%d,\"nodeid\":%lld", dfx_kb_up(b),
                         (long long) b->nodeid);
    if (b->rtt_cnt > 0) {
        rc |= dfx_buf_printf(out, ",\"rtt_avg_seconds\":%.6f,"
                             "\"rtt_p50_seconds\":%.6f,"
                             "\"rtt_p99_seconds\":%.6f",
                             (double) b->rtt_avg / 1e6,
                             (double) b->rtt_p50 / 1e6,
                             (double) b->rtt_p99 / 1e6);
    } else {
        rc |= dfx_buf_append_lit(out, ",\"rtt_avg_seconds\":null,"
                                 "\"rtt_p50_seconds\":null,"
                                 "\"rtt_p99_seconds\":null");
    }
    rc |= dfx_buf_printf(out, ",\"rtt_samples\":%lld,\"outbuf_messages\":%lld,"
                         "\"waitresp_messages\":%lld,\"age_seconds\":%.3f}",
                         (long long) b->rtt_cnt, (long long) b->outbuf_msgs,
                         (long long) b->waitresp_msgs, age);
    return rc != 0 ? -1 : 0;
}

int
dfx_kafka_brokers_json(dfx_kafka_t *const *ks, size_t n, dfx_buf_t *out)
{
    dfx_producer_t  *p;
    const char      *exporter;
    char             tmp[16];
    size_t           e, j;
    unsigned         i;
    double           age;
    int              rc = 0, first = 1;

    rc |= dfx_buf_putc(out, '{');
    for (e = 0; e < n && rc == 0; e++) {
        if (ks[e] == NULL) {
            continue;
        }
        dfx_assert(ks[e]->magic == DFX_KAFKA_MAGIC);
        exporter = dfx_stats_exporter_label((int) ks[e]->index, tmp,
                                            sizeof(tmp));
        rc |= dfx_buf_printf(out, "%s", first ? "" : ",");
        first = 0;
        rc |= dfx_buf_json_str(out, exporter, strlen(exporter));
        rc |= dfx_buf_putc(out, ':');
        rc |= dfx_buf_putc(out, '{');
        for (i = 0; i < ks[e]->nproducers && rc == 0; i++) {
            p = &ks[e]->producers[i];
            rc |= dfx_buf_printf(out, "%s\"%u\":{", i ? "," : "", p->index);
            pthread_mutex_lock(&p->brokers_lock);
            if (p->brokers != NULL) {
                age = dfx_kb_age(&p->brokers->at);
                for (j = 0; j < p->brokers->n && rc == 0; j++) {
                    rc |= dfx_buf_printf(out, "%s", j ? "," : "");
                    rc |= dfx_kb_json_broker(out, &p->brokers->b[j], age);
                }
            }
            pthread_mutex_unlock(&p->brokers_lock);
            rc |= dfx_buf_putc(out, '}');
        }
        rc |= dfx_buf_putc(out, '}');
    }
    rc |= dfx_buf_putc(out, '}');
    return rc != 0 ? -1 : 0;
}
