/*
 * dfx_cycle.c: building, publishing and retiring cycles.
 *
 * The current cycle is a pointer guarded by a mutex that is held only to
 * take a reference (once per request, not per record).  A cycle a reload
 * replaced still holds messages that were acknowledged with 202 (and
 * that Kafka may take up to message-timeout later, a broker being down):
 * once its last reference is gone (an event on the main base), a thread
 * of its own flushes it for as long as its exporters' message-timeout,
 * so that a reload never purges what could still be delivered, and
 * neither a worker nor the main loop waits for it.  Shutdown cuts those
 * flushes at its own deadline and counts what they lost.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_cycle.h"
#include "dfx_log.h"
#include "dfx_stats.h"
#include "enum_translate/dfx_enum_dict.h"

static pthread_mutex_t  dfx_cycle_lock = PTHREAD_MUTEX_INITIALIZER;
static dfx_cycle_t     *dfx_cycle_cur;

/* beyond message-timeout: the last reports of the flush */
#define DFX_CYCLE_RETIRE_GRACE_MS  2000

/* A cycle being retired by a thread of its own. */
typedef struct dfx_retire_s  dfx_retire_t;
struct dfx_retire_s {
    pthread_t       thread;
    dfx_cycle_t    *c;
    int             timeout_ms;
    uint64_t        lost;
    atomic_int      done;
    dfx_retire_t   *next;
};

/* under dfx_cycle_lock */
static dfx_retire_t    *dfx_retiring;

static uint64_t dfx_cycle_destroy(dfx_cycle_t *c, int timeout_ms);

static void *
dfx_cycle_retire_thread(void *arg)
{
    dfx_retire_t  *r = arg;

    r->lost = dfx_cycle_destroy(r->c, r->timeout_ms);
    atomic_store(&r->done, 1);
    return NULL;
}

/* Joins the retirements that are over (all of them: wait).  Returns the
 * messages they lost. */
static uint64_t
dfx_cycle_reap(int wait)
{
    dfx_retire_t  **pp, *r;
    uint64_t        lost = 0;

    pthread_mutex_lock(&dfx_cycle_lock);
    pp = &dfx_retiring;
    while ((r = *pp) != NULL) {
        if (!wait && !atomic_load(&r->done)) {
            pp = &r->next;
            continue;
        }
        *pp = r->next;
        pthread_mutex_unlock(&dfx_cycle_lock);
        pthread_join(r->thread, NULL);
        lost += r->lost;
        free(r);
        pthread_mutex_lock(&dfx_cycle_lock);
    }
    pthread_mutex_unlock(&dfx_cycle_lock);
    return lost;
}

static void
dfx_cycle_free_handler(evutil_socket_t fd, short what, void *arg)
{
    dfx_cycle_t   *c = arg;
    dfx_retire_t  *r;
    int64_t        ms = 0;
    size_t         i;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);

    (void) dfx_cycle_reap(0);
    for (i = 0; i < c->nexporters; i++) {
        if (c->exporters[i].conf->message_timeout.v * 1000 > ms) {
            ms = c->exporters[i].conf->message_timeout.v * 1000;
        }
    }
    ms += DFX_CYCLE_RETIRE_GRACE_MS;

    r = calloc(1, sizeof(*r));
    if (r != NULL) {
        r->c = c;
        r->timeout_ms = (int) ms;
        atomic_init(&r->done, 0);
        pthread_mutex_lock(&dfx_cycle_lock);
        if (pthread_create(&r->thread, NULL, dfx_cycle_retire_thread, r)
            == 0)
        {
            r->next = dfx_retiring;
            dfx_retiring = r;
            r = NULL;
            c = NULL;
        }
        pthread_mutex_unlock(&dfx_cycle_lock);
        free(r);
    }
    if (c != NULL) {
        /* no thread to be had: flush here, the main loop waits */
        dfx_log_warn("reload: retiring the previous configuration on the "
                     "main thread");
        (void) dfx_cycle_destroy(c, (int) ms);
    }
}

static int
dfx_cycle_build_exporter(dfx_cycle_t *c, dfx_exporter_t *ex,
                         const dfx_conf_exporter_t *ec, const char *bootstrap,
                         struct event_base *main_base)
{
    const char          *topics[DFX_DS_COUNT];
    char                *owned[DFX_DS_COUNT];
    const dfx_schema_t  *s;
    size_t               i;
    int                  ds, rc = -1;

    memset(topics, 0, sizeof(topics));
    memset(owned, 0, sizeof(owned));
    ex->index = ec->index;
    ex->conf = ec;

    for (i = 0; i < ec->data_sources.n; i++) {
        const char  *name = ec->data_sources.v[i].v;

        s = dfx_schema_find(name, strlen(name));
        if (s == NULL) {
            /* the silent event names: accepted, nothing to build */
            continue;
        }
        ds = s->id;
        if (ex->chains[ds] != NULL) {
            continue;
        }
        ex->chains[ds] = dfx_chain_create(ec, s, c->enums);
        if (ex->chains[ds] == NULL) {
            dfx_log_error("exporter %u: cannot build the chain of %s",
                          ec->index, s->name);
            goto cleanup;
        }
        owned[ds] = strndup(ex->chains[ds]->topic.data,
                            ex->chains[ds]->topic.len);
        if (owned[ds] == NULL) {
            goto cleanup;
        }
        topics[ds] = owned[ds];
    }

    if (main_base == NULL) {
        /* offline dry run: chains only */
        rc = 0;
        goto cleanup;
    }
    ex->kafka = dfx_kafka_create(ec, bootstrap, topics, DFX_DS_COUNT,
                                 main_base);
    if (ex->kafka == NULL) {
        goto cleanup;
    }
    rc = 0;

cleanup:
    for (ds = 0; ds < DFX_DS_COUNT; ds++) {
        free(owned[ds]);
    }
    return rc;
}

/* The series that exist at 0 while this configuration runs: each
 * exporter with the data sources it takes, and the data sources the
 * ClickHouse source follows (as dfx_ch_data_sources() picks them: the
 * ones named, or those exporters take but perf_event, which DeepFlow v7.1
 * has no table for). */
static void
dfx_cycle_declare_series(const dfx_cycle_t *c)
{
    const dfx_conf_clickhouse_t  *cc = &c->conf->main.clickhouse;
    uint32_t                      mask = 0;
    size_t                        i;
    int                           ds;

    for (i = 0; i < c->nexporters; i++) {
        const dfx_exporter_t  *ex = &c->exporters[i];

        dfx_stats_exporter_name((int) ex->index, ex->conf->name.v);
        dfx_stats_declare_series((int) ex->index, -1);
        for (ds = 0; ds < DFX_DS_COUNT; ds++) {
            if (ex->chains[ds] != NULL) {
                dfx_stats_declare_series((int) ex->index, ds);
                mask |= 1u << ds;
            }
        }
    }
    if (cc->url.v == NULL || cc->url.v[0] == '\0') {
        return;
    }
    mask = cc->ds_mask != 0 ? cc->ds_mask
                            : mask & ~(1u << DFX_DS_PERF_EVENT);
    for (ds = 0; ds < DFX_DS_COUNT; ds++) {
        if (mask & (1u << ds)) {
            dfx_stats_declare_series(-1, ds);
        }
    }
}

dfx_enums_t *
dfx_cycle_enums_load(const dfx_conf_t *conf, char *err, size_t errlen)
{
    dfx_enums_t  *enums;

    enums = dfx_enums_load(conf->main.enum_dir.v, err, errlen);
    if (enums == NULL && conf->main.enum_dir_missing) {
        /* "cannot open .../enum/l7_protocol" says neither where else it
         * looked nor what to do */
        snprintf(err, errlen, "no enum/ directory beside the configuration "
                 "(%s) and none installed (%s): set dfexport.enum-dir to "
                 "the directory of the enum dictionaries (conf/enum in "
                 "dfexport's sources)", conf->main.enum_dir.v,
                 dfx_conf_enum_dir_installed());
    }
    return enums;
}

dfx_cycle_t *
dfx_cycle_create(dfx_conf_t *conf, const char *bootstrap,
                 struct event_base *main_base)
{
    dfx_cycle_t     *c;
    dfx_exporter_t  *ex;
    char             err[512];
    size_t           i, n, maxidx = 0;
    int              ds;

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        dfx_conf_free(conf);
        return NULL;
    }
    c->conf = conf;
    atomic_init(&c->refs, 1);
    /* the chains' init hooks declare their series too */
    dfx_stats_scope_begin();

    c->enums = dfx_cycle_enums_load(conf, err, sizeof(err));
    if (c->enums == NULL) {
        dfx_log_error("%s", err);
        goto failed;
    }

    c->exporters = calloc(conf->nexporters ? conf->nexporters : 1,
                          sizeof(dfx_exporter_t));
    if (c->exporters == NULL) {
        goto failed;
    }

    for (i = 0; i < conf->nexporters; i++) {
        const dfx_conf_exporter_t  *ec = &conf->exporters[i];

        if (!ec->enabled.v) {
            continue;
        }
        if (ec->index >= DFX_STATS_MAX_EXPORTERS) {
            dfx_log_error("exporter %u: at most %d exporters are supported",
                          ec->index, DFX_STATS_MAX_EXPORTERS);
            goto failed;
        }
        ex = &c->exporters[c->nexporters++];
        if (dfx_cycle_build_exporter(c, ex, ec, bootstrap, main_base) != 0) {
            goto failed;
        }
        if (ec->index + 1 > maxidx) {
            maxidx = ec->index + 1;
        }
        dfx_stats_set(DFX_STAT_exporter_budget_records, (int) ec->index, -1,
                      -1, ec->queue_count.v * ec->queue_size.v);
    }

    for (ds = 0; ds < DFX_DS_COUNT; ds++) {
        for (i = 0, n = 0; i < c->nexporters; i++) {
            n += c->exporters[i].chains[ds] != NULL;
        }
        if (n == 0) {
            continue;
        }
        c->routes[ds] = calloc(n, sizeof(dfx_route_t));
        if (c->routes[ds] == NULL) {
            goto failed;
        }
        for (i = 0; i < c->nexporters; i++) {
            if (c->exporters[i].chains[ds] != NULL) {
                c->routes[ds][c->nroutes[ds]].exporter = &c->exporters[i];
                c->routes[ds][c->nroutes[ds]].chain =
                    c->exporters[i].chains[ds];
                c->nroutes[ds]++;
            }
        }
    }

    dfx_cycle_declare_series(c);

    c->bootstrap = bootstrap;
    c->free_ev = main_base != NULL
                 ? event_new(main_base, -1, 0, dfx_cycle_free_handler, c)
                 : NULL;
    if (c->free_ev == NULL && main_base != NULL) {
        goto failed;
    }
    dfx_stats_scope_commit();
    dfx_stats_set_exporters((int) maxidx);
    return c;

failed:
    dfx_cycle_destroy(c, 0);
    return NULL;
}

static uint64_t
dfx_cycle_destroy(dfx_cycle_t *c, int timeout_ms)
{
    uint64_t  lost = 0;
    size_t    i;
    int       ds;

    if (c == NULL) {
        return 0;
    }
    for (i = 0; i < c->nexporters; i++) {
        dfx_exporter_t  *ex = &c->exporters[i];

        lost += dfx_kafka_destroy(ex->kafka, timeout_ms);
        for (ds = 0; ds < DFX_DS_COUNT; ds++) {
            dfx_chain_destroy(ex->chains[ds]);
        }
    }
    for (ds = 0; ds < DFX_DS_COUNT; ds++) {
        free(c->routes[ds]);
    }
    free(c->exporters);
    dfx_enums_free(c->enums);
    if (c->free_ev != NULL) {
        event_free(c->free_ev);
    }
    dfx_conf_free(c->conf);
    free(c);
    return lost;
}

void
dfx_cycle_publish(dfx_cycle_t *c)
{
    dfx_cycle_t  *old;

    pthread_mutex_lock(&dfx_cycle_lock);
    old = dfx_cycle_cur;
    dfx_cycle_cur = c;
    pthread_mutex_unlock(&dfx_cycle_lock);

    /* the publisher's reference passes to the "current" slot */
    dfx_cycle_release(old);
}

dfx_cycle_t *
dfx_cycle_acquire(void)
{
    dfx_cycle_t  *c;

    pthread_mutex_lock(&dfx_cycle_lock);
    c = dfx_cycle_cur;
    if (c != NULL) {
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&dfx_cycle_lock);
    return c;
}

void
dfx_cycle_release(dfx_cycle_t *c)
{
    if (c == NULL) {
        return;
    }
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1) {
        event_active(c->free_ev, 0, 0);
    }
}

uint64_t
dfx_cycle_shutdown(int timeout_ms)
{
    dfx_cycle_t  *c;
    uint64_t      lost = 0;

    /* the cycles reloads retired get the same deadline as this one */
    dfx_kafka_cutoff(timeout_ms);

    pthread_mutex_lock(&dfx_cycle_lock);
    c = dfx_cycle_cur;
    dfx_cycle_cur = NULL;
    pthread_mutex_unlock(&dfx_cycle_lock);

    if (c != NULL) {
        /* workers are stopped by now: nobody else holds a reference */
        if (atomic_load(&c->refs) != 1) {
            dfx_log_warn("shutdown: %d requests still hold the "
                         "configuration", atomic_load(&c->refs) - 1);
        }
        lost = dfx_cycle_destroy(c, timeout_ms);
    }
    return lost + dfx_cycle_reap(1);
}

int
dfx_cycle_ready(void)
{
    dfx_cycle_t  *c;
    size_t        i;
    int           ready = 1;

    c = dfx_cycle_acquire();
    if (c == NULL) {
        return 0;
    }
    for (i = 0; i < c->nexporters; i++) {
        if (!dfx_kafka_ready(c->exporters[i].kafka)) {
            ready = 0;
            break;
        }
    }
    dfx_cycle_release(c);
    return ready;
}

/* The current cycle's Kafka objects, for a renderer; *c holds the
 * reference to release. */
static size_t
dfx_cycle_kafkas(dfx_cycle_t **c, dfx_kafka_t **ks)
{
    size_t  i, n = 0;

    *c = dfx_cycle_acquire();
    if (*c == NULL) {
        return 0;
    }
    for (i = 0; i < (*c)->nexporters && n < DFX_STATS_MAX_EXPORTERS; i++) {
        if ((*c)->exporters[i].kafka != NULL) {
            ks[n++] = (*c)->exporters[i].kafka;
        }
    }
    return n;
}

int
dfx_cycle_brokers(dfx_buf_t *out, int json)
{
    dfx_kafka_t  *ks[DFX_STATS_MAX_EXPORTERS];
    dfx_cycle_t  *c;
    size_t        n;
    int           rc;

    n = dfx_cycle_kafkas(&c, ks);
    rc = json ? dfx_kafka_brokers_json(ks, n, out)
              : dfx_kafka_brokers_prometheus(ks, n, out);
    dfx_cycle_release(c);
    return rc;
}
