/*
 * dfx_cycle.c: building, publishing and retiring cycles.
 *
 * The current cycle is a pointer guarded by a mutex that is held only to
 * take a reference (once per request, not per record).  Retiring flushes
 * Kafka, which may block for seconds, so it never runs on a worker: the
 * last release activates an event on the main base, and the main thread
 * destroys the cycle there.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_cycle.h"
#include "dfx_log.h"
#include "dfx_stats.h"
#include "enum_translate/dfx_enum_dict.h"

static pthread_mutex_t  dfx_cycle_lock = PTHREAD_MUTEX_INITIALIZER;
static dfx_cycle_t     *dfx_cycle_cur;

/* flush deadline for a cycle retired by a reload */
#define DFX_CYCLE_RETIRE_MS  10000

static void dfx_cycle_destroy(dfx_cycle_t *c, int timeout_ms);

static void
dfx_cycle_free_handler(evutil_socket_t fd, short what, void *arg)
{
    dfx_cycle_t  *c = arg;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);
    dfx_cycle_destroy(c, DFX_CYCLE_RETIRE_MS);
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

    c->enums = dfx_enums_load(conf->main.enum_dir.v, err, sizeof(err));
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

    c->bootstrap = bootstrap;
    c->free_ev = event_new(main_base, -1, 0, dfx_cycle_free_handler, c);
    if (c->free_ev == NULL) {
        goto failed;
    }
    dfx_stats_set_exporters((int) maxidx);
    return c;

failed:
    dfx_cycle_destroy(c, 0);
    return NULL;
}

static void
dfx_cycle_destroy(dfx_cycle_t *c, int timeout_ms)
{
    size_t  i;
    int     ds;

    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->nexporters; i++) {
        dfx_exporter_t  *ex = &c->exporters[i];

        dfx_kafka_destroy(ex->kafka, timeout_ms);
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

void
dfx_cycle_shutdown(int timeout_ms)
{
    dfx_cycle_t  *c;

    pthread_mutex_lock(&dfx_cycle_lock);
    c = dfx_cycle_cur;
    dfx_cycle_cur = NULL;
    pthread_mutex_unlock(&dfx_cycle_lock);

    if (c == NULL) {
        return;
    }
    /* workers are stopped by now: nobody else holds a reference */
    if (atomic_load(&c->refs) != 1) {
        dfx_log_warn("shutdown: %d requests still hold the configuration",
                     atomic_load(&c->refs) - 1);
    }
    dfx_cycle_destroy(c, timeout_ms);
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
