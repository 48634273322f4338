/*
 * dfx_http_accept.c: what the listeners do when accept() fails.
 *
 * When the process runs out of file descriptors (EMFILE, ENFILE) or the
 * kernel out of memory (ENOBUFS, ENOMEM), the connection stays in the
 * listen backlog and the listening socket stays readable: libevent 2.1's
 * evconnlistener, with no error callback, logs nothing useful and tries
 * again at once, forever, at full CPU.  Here the error callback disables
 * the listeners it belongs to (one worker's, or the admin listener's)
 * for 100 ms, then enables them again; each new failure doubles the
 * pause, up to 1 s.  An episode ends when the listeners have been
 * enabled for one pause without a failure.  The first failure of an
 * episode is logged (warn) and its end (notice), once for the whole
 * process however many listeners take part; every failure counts in
 * dfexport_http_accept_errors_total.
 *
 * Threads: a guard belongs to the thread of its event base (a worker, or
 * the main thread for the admin listener); the listener -> guard table
 * is shared and locked (it is read only when accept() fails).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "dfx_core.h"
#include "dfx_http.h"
#include "dfx_http_int.h"
#include "dfx_log.h"

#define DFX_HTTP_PAUSE_MIN_MS  100
#define DFX_HTTP_PAUSE_MAX_MS  1000

typedef struct dfx_http_watch_s {
    struct evconnlistener  *lev;
    dfx_http_guard_t       *g;
} dfx_http_watch_t;

static pthread_mutex_t    dfx_http_watch_lock = PTHREAD_MUTEX_INITIALIZER;
static dfx_http_watch_t  *dfx_http_watches;
static size_t             dfx_http_nwatches, dfx_http_watches_cap;

/* guards in an episode, and the failures of the episode */
static atomic_int         dfx_http_troubled;
static atomic_ullong      dfx_http_episode_errors;

static dfx_http_guard_t *
dfx_http_guard_of(struct evconnlistener *lev)
{
    dfx_http_guard_t  *g = NULL;
    size_t             i;

    pthread_mutex_lock(&dfx_http_watch_lock);
    for (i = 0; i < dfx_http_nwatches; i++) {
        if (dfx_http_watches[i].lev == lev) {
            g = dfx_http_watches[i].g;
            break;
        }
    }
    pthread_mutex_unlock(&dfx_http_watch_lock);
    return g;
}

static void
dfx_http_guard_enable(dfx_http_guard_t *g, int on)
{
    struct evconnlistener  *lev;
    size_t                  i;

    if (g->w != NULL) {
        if (on) {
            /* as the balance of connections says */
            dfx_http_conn_rebalance(g->w);
            return;
        }
        for (i = 0; i < g->w->nbound; i++) {
            lev = evhttp_bound_socket_get_listener(g->w->bound[i]);
            (void) evconnlistener_disable(lev);
        }
        g->w->accepting = 0;
        return;
    }
    for (i = 0; i < g->nlevs; i++) {
        if (on) {
            (void) evconnlistener_enable(g->levs[i]);
        } else {
            (void) evconnlistener_disable(g->levs[i]);
        }
    }
}

static void
dfx_http_accept_error_cb(struct evconnlistener *lev, void *ctx)
{
    dfx_http_guard_t  *g;
    struct timeval     tv;
    int                err = EVUTIL_SOCKET_ERROR();

    DFX_UNUSED(ctx);

    g = dfx_http_guard_of(lev);
    dfx_stats_add(DFX_STAT_http_accept_errors_total, -1, -1, -1, 1);
    atomic_fetch_add(&dfx_http_episode_errors, 1);
    if (g == NULL) {
        /* not watched (cannot happen): at least do not spin */
        (void) evconnlistener_disable(lev);
        dfx_log_error("accept: %s; listener disabled", strerror(err));
        return;
    }
    g->errors++;
    if (g->pause_ms == 0) {
        g->pause_ms = DFX_HTTP_PAUSE_MIN_MS;
        if (atomic_fetch_add(&dfx_http_troubled, 1) == 0) {
            dfx_log_warn("%s: accept() failed: %s; pausing accepts (%d ms "
                         "to %d ms between tries) until it works again: "
                         "new connections wait in the listen backlog",
                         g->w != NULL ? "ingest" : "admin", strerror(err),
                         DFX_HTTP_PAUSE_MIN_MS, DFX_HTTP_PAUSE_MAX_MS);
        }
    } else if (g->pause_ms < DFX_HTTP_PAUSE_MAX_MS) {
        g->pause_ms *= 2;
        if (g->pause_ms > DFX_HTTP_PAUSE_MAX_MS) {
            g->pause_ms = DFX_HTTP_PAUSE_MAX_MS;
        }
    }
    g->paused = 1;
    dfx_http_guard_enable(g, 0);
    tv.tv_sec = g->pause_ms / 1000;
    tv.tv_usec = (g->pause_ms % 1000) * 1000;
    (void) evtimer_add(g->ev, &tv);
}

static void
dfx_http_guard_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    dfx_http_guard_t  *g = arg;
    struct timeval     tv;

    DFX_UNUSED(fd);
    DFX_UNUSED(what);

    if (g->paused) {
        /* try again; quiet for one more pause ends the episode */
        g->paused = 0;
        if (g->w == NULL || !dfx_http_shutting_down()) {
            dfx_http_guard_enable(g, 1);
        }
        tv.tv_sec = g->pause_ms / 1000;
        tv.tv_usec = (g->pause_ms % 1000) * 1000;
        (void) evtimer_add(g->ev, &tv);
        return;
    }
    g->pause_ms = 0;
    g->errors = 0;
    if (atomic_fetch_sub(&dfx_http_troubled, 1) == 1) {
        dfx_log_notice("%s: accepting connections again, after %llu failed "
                       "accept() calls", g->w != NULL ? "ingest" : "admin",
                       (unsigned long long) atomic_exchange(
                           &dfx_http_episode_errors, 0));
    }
}

int
dfx_http_guard_init(dfx_http_guard_t *g, struct event_base *base,
                    dfx_http_worker_t *w)
{
    memset(g, 0, sizeof(*g));
    g->w = w;
    g->ev = evtimer_new(base, dfx_http_guard_timer_cb, g);
    return g->ev != NULL ? 0 : -1;
}

int
dfx_http_guard_watch(dfx_http_guard_t *g, struct evconnlistener *lev)
{
    dfx_http_watch_t        *t;
    struct evconnlistener  **l;
    size_t                   n;
    int                      rc = -1;

    if (g->w == NULL) {
        l = realloc(g->levs, (g->nlevs + 1) * sizeof(*l));
        if (l == NULL) {
            return -1;
        }
        g->levs = l;
        g->levs[g->nlevs++] = lev;
    }
    pthread_mutex_lock(&dfx_http_watch_lock);
    if (dfx_http_nwatches == dfx_http_watches_cap) {
        n = dfx_http_watches_cap ? dfx_http_watches_cap * 2 : 16;
        t = realloc(dfx_http_watches, n * sizeof(*t));
        if (t == NULL) {
            goto done;
        }
        dfx_http_watches = t;
        dfx_http_watches_cap = n;
    }
    dfx_http_watches[dfx_http_nwatches].lev = lev;
    dfx_http_watches[dfx_http_nwatches].g = g;
    dfx_http_nwatches++;
    evconnlistener_set_error_cb(lev, dfx_http_accept_error_cb);
    rc = 0;
done:
    pthread_mutex_unlock(&dfx_http_watch_lock);
    return rc;
}

int
dfx_http_guard_paused(const dfx_http_guard_t *g)
{
    return g->paused;
}

void
dfx_http_guard_fini(dfx_http_guard_t *g)
{
    size_t  i, j;

    pthread_mutex_lock(&dfx_http_watch_lock);
    for (i = 0, j = 0; i < dfx_http_nwatches; i++) {
        if (dfx_http_watches[i].g != g) {
            dfx_http_watches[j++] = dfx_http_watches[i];
        }
    }
    dfx_http_nwatches = j;
    if (j == 0) {
        free(dfx_http_watches);
        dfx_http_watches = NULL;
        dfx_http_watches_cap = 0;
    }
    pthread_mutex_unlock(&dfx_http_watch_lock);
    if (g->pause_ms != 0) {
        atomic_fetch_sub(&dfx_http_troubled, 1);
    }
    if (g->ev != NULL) {
        event_free(g->ev);
    }
    free(g->levs);
    memset(g, 0, sizeof(*g));
}
