/*
 * dfx_ch_follow.c: the ClickHouse source and its followers.
 *
 * One thread runs every follower: it picks the one whose next window is
 * due first, reads that window, waits for Kafka, moves the checkpoint,
 * and sleeps when nothing is due.  A window [t, t + window) is due once
 * now - settle has passed its end (a backfill's last window may be
 * shorter).  A failed try (ClickHouse, the answer, Kafka, the checkpoint
 * file) leaves the checkpoint where it was and is tried again after a
 * backoff that doubles up to retry-max; the failure is logged when its
 * reason changes, and counted every time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dfx_ch_checkpoint.h"
#include "dfx_ch_int.h"
#include "dfx_core.h"
#include "dfx_log.h"

/* ---- small pieces ---------------------------------------------------- */

static int64_t
dfx_ch_now(void)
{
    return (int64_t) time(NULL);
}

static int64_t
dfx_ch_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
dfx_ch_set_state(dfx_ch_source_t *s, dfx_ch_follower_t *f,
                 dfx_ch_state_t st)
{
    pthread_mutex_lock(&s->lock);
    f->state = st;
    pthread_mutex_unlock(&s->lock);
}

static char *
dfx_ch_strdup(const char *v)
{
    return strdup(v != NULL ? v : "");
}

/* The gauges of a data source: its oldest checkpoint among the orgs. */
static void
dfx_ch_gauges(dfx_ch_source_t *s, int ds)
{
    int64_t  oldest = INT64_MAX, now = dfx_ch_now();
    size_t   i;

    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->nfollowers; i++) {
        if (s->followers[i].ds == ds && s->followers[i].next < oldest) {
            oldest = s->followers[i].next;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (oldest == INT64_MAX) {
        return;
    }
    dfx_stats_set(DFX_STAT_clickhouse_checkpoint_seconds, -1, ds, -1,
                  oldest);
    dfx_stats_set(DFX_STAT_clickhouse_lag_seconds, -1, ds, -1,
                  now > oldest ? now - oldest : 0);
}

/* Reads the table's columns and builds the follower's SELECT. */
static dfx_ch_err_t
dfx_ch_describe(dfx_ch_source_t *s, dfx_ch_follower_t *f, char *msg,
                size_t msglen)
{
    dfx_ch_err_t  rc;

    rc = dfx_ch_describe_table(s->client, f->schema, f->org, f->db,
                               f->table, &f->sel, msg, msglen);
    if (rc != DFX_CH_OK) {
        return rc;
    }
    f->described = 1;
    dfx_stats_set(DFX_STAT_clickhouse_columns_ignored, -1, f->ds, -1,
                  f->sel.nignored);
    dfx_log_info("clickhouse: org %u %s: reading %u columns of %s.%s; "
                 "not read (no such field): %s; fields with no column "
                 "(zero values): %s", f->org, f->schema->name, f->sel.nread,
                 f->db, f->table,
                 f->sel.nignored ? f->sel.ignored : "none",
                 f->sel.nmissing ? f->sel.missing : "none");
    return DFX_CH_OK;
}

/* ---- one window ------------------------------------------------------ */

static void
dfx_ch_failed(dfx_ch_source_t *s, dfx_ch_follower_t *f, dfx_ch_err_t why,
              const char *msg, uint64_t rows)
{
    int64_t  now = dfx_ch_now();

    f->backoff = f->backoff == 0 ? 1 : f->backoff * 2;
    if (f->backoff > (unsigned) s->retry_max) {
        f->backoff = (unsigned) s->retry_max;
    }
    f->retry_at = now + f->backoff;
    f->failures++;
    if (why == DFX_CH_ERR_HTTP || why == DFX_CH_ERR_COLUMNS) {
        /* the table may have changed under us */
        f->described = 0;
    }

    dfx_stats_add(DFX_STAT_clickhouse_errors_total, -1, f->ds,
                  DFX_REASON_CH_CONNECT + (int) why - DFX_CH_ERR_CONNECT, 1);
    if (rows > 0) {
        dfx_stats_add(DFX_STAT_clickhouse_rows_resent_total, -1, f->ds, -1,
                      (int64_t) rows);
    }
    if (f->logged != why) {
        dfx_log_warn("clickhouse: org %u %s: window from %" PRId64 " failed "
                     "(%s): %s; trying again in %u s (logged once until the "
                     "reason changes)", f->org, f->schema->name, f->next,
                     dfx_ch_err_names[why], msg, f->backoff);
        f->logged = why;
    }

    pthread_mutex_lock(&s->lock);
    f->state = DFX_CH_ST_BACKOFF;
    f->errors++;
    f->reachable = why != DFX_CH_ERR_CONNECT && why != DFX_CH_ERR_TIMEOUT
                   && why != DFX_CH_ERR_HTTP;
    snprintf(f->last_error, sizeof(f->last_error), "%s: %s",
             dfx_ch_err_names[why], msg);
    pthread_mutex_unlock(&s->lock);
}

static void
dfx_ch_progress(dfx_ch_source_t *s, int last)
{
    double    secs = (double) (dfx_ch_now() - s->t_start);
    double    done = 0, total = 0, rate;
    int64_t   eta;
    size_t    i;

    if (!s->progress) {
        return;
    }
    for (i = 0; i < s->nfollowers; i++) {
        total += (double) (s->bf_to - s->bf_from);
        done += (double) (s->followers[i].next - s->bf_from);
    }
    rate = secs > 0 ? (double) s->bf_rows / secs : 0;
    eta = done > 0 && secs > 0 ? (int64_t) (secs * (total - done) / done) : 0;
    fprintf(stderr, "\rbackfill: %" PRIu64 " rows, %.1f%% of the range, "
            "%.0f rows/s, ETA %" PRId64 ":%02" PRId64 ":%02" PRId64 "   %s",
            s->bf_rows, total > 0 ? 100.0 * done / total : 100.0, rate,
            eta / 3600, eta / 60 % 60, eta % 60, last ? "\n" : "");
    fflush(stderr);
}

/* After an empty window [.., to): where the next row is, when it is
 * more than a window ahead.  Nothing lies between to and that row's
 * window (this read says so), so the checkpoint may move there.  Returns
 * the new checkpoint (to itself when there is no gap or on any error:
 * the next window is then simply read). */
static int64_t
dfx_ch_skip_gap(dfx_ch_source_t *s, dfx_ch_follower_t *f, int64_t to)
{
    dfx_ch_gather_t  g = { DFX_BUF_INIT, 4096 };
    int64_t          end = dfx_ch_now() - s->settle, first, next = to;
    char             msg[256];
    long long        cnt, t;

    if (f->until != 0 && end > f->until) {
        end = f->until;
    }
    if (end - to <= s->window) {
        return to;
    }
    dfx_buf_reset(&s->sql);
    if (dfx_buf_append_lit(&s->sql, "SELECT count(), toUnixTimestamp("
                           "min(`time`)) FROM ") != 0
        || dfx_ch_quote_ident(&s->sql, f->db) != 0
        || dfx_buf_putc(&s->sql, '.') != 0
        || dfx_ch_quote_ident(&s->sql, f->table) != 0
        || dfx_buf_printf(&s->sql, " WHERE `time` >= toDateTime(%" PRId64
                          ") AND `time` < toDateTime(%" PRId64 ") FORMAT "
                          "TabSeparated", to, end) != 0
        || dfx_buf_putc(&s->sql, '\0') != 0)
    {
        goto done;
    }
    if (dfx_ch_client_query(s->client, s->sql.data, dfx_ch_gather, &g, msg,
                            sizeof(msg)) != DFX_CH_OK
        || dfx_buf_putc(&g.body, '\0') != 0
        || sscanf(g.body.data, "%lld\t%lld", &cnt, &t) != 2)
    {
        goto done;
    }
    first = cnt == 0 ? end : (int64_t) t;
    if (first - to >= s->window) {
        /* whole windows only: the checkpoint stays on the grid */
        next = to + (first - to) / s->window * s->window;
    }

done:
    dfx_buf_free(&g.body);
    return next;
}

static void
dfx_ch_run_window(dfx_ch_source_t *s, dfx_ch_follower_t *f, int64_t to)
{
    dfx_ch_window_t  *w = &s->w;
    dfx_ch_err_t      rc, krc;
    char              msg[256], err[256];
    int64_t           from = f->next, t0, t1;

    if (!f->described) {
        dfx_ch_set_state(s, f, DFX_CH_ST_READING);
        rc = dfx_ch_describe(s, f, msg, sizeof(msg));
        if (rc == DFX_CH_ERR_STOPPED) {
            return;
        }
        if (rc != DFX_CH_OK) {
            dfx_ch_failed(s, f, rc, msg, 0);
            return;
        }
    }

    if (dfx_ch_window_begin(s, f, from, to) != 0) {
        /* looked at again when the configuration changes */
        dfx_ch_set_state(s, f, DFX_CH_ST_NO_EXPORTER);
        f->retry_at = dfx_ch_now() + 5;
        return;
    }
    dfx_ch_set_state(s, f, DFX_CH_ST_READING);
    t0 = dfx_ch_ms();
    if (dfx_ch_window_sql(&s->sql, &f->sel, f->db, f->table, from, to)
        != 0)
    {
        snprintf(msg, sizeof(msg), "out of memory");
        rc = DFX_CH_ERR_STREAM;
    } else {
        rc = dfx_ch_client_query(s->client, s->sql.data, dfx_ch_window_data,
                                 s, msg, sizeof(msg));
    }
    if (rc == DFX_CH_ERR_STREAM && w->err != DFX_CH_OK) {
        rc = w->err;
        snprintf(msg, sizeof(msg), "%s", w->msg);
    }

    dfx_ch_set_state(s, f, DFX_CH_ST_KAFKA);
    t1 = dfx_ch_ms();
    krc = dfx_ch_window_finish(s, rc == DFX_CH_OK);
    dfx_log_info("clickhouse: org %u %s: window [%" PRId64 ", %" PRId64
                  "): %" PRIu64 " rows read in %" PRId64 " ms, Kafka done "
                  "%" PRId64 " ms later", f->org, f->schema->name, from, to,
                  w->rows, t1 - t0, dfx_ch_ms() - t1);
    if (rc == DFX_CH_OK && krc != DFX_CH_OK) {
        rc = krc;
        snprintf(msg, sizeof(msg), "%s", w->msg);
    } else if (krc == DFX_CH_ERR_STOPPED) {
        rc = DFX_CH_ERR_STOPPED;
    }
    dfx_ch_window_end(s);

    if (w->rejected > 0) {
        dfx_log_warn("clickhouse: org %u %s: window [%" PRId64 ", %" PRId64
                     "): %" PRIu64 " of %" PRIu64 " rows rejected, first: %s",
                     f->org, f->schema->name, from, to, w->rejected, w->rows,
                     w->sample);
    }
    if (rc == DFX_CH_ERR_STOPPED) {
        return;
    }
    if (rc != DFX_CH_OK) {
        dfx_ch_failed(s, f, rc, msg, w->rows);
        return;
    }

    /* an empty window far behind: jump to the next row at once, instead
     * of reading every empty window up to it */
    if (w->rows == 0) {
        to = dfx_ch_skip_gap(s, f, to);
    }

    /* rejected rows do not hold the checkpoint back: ClickHouse would
     * send them the same way again */
    if (dfx_ch_checkpoint_write(f->path, to, err, sizeof(err)) != 0) {
        dfx_ch_failed(s, f, DFX_CH_ERR_CHECKPOINT, err, w->rows);
        return;
    }


    if (f->failures > 0) {
        dfx_log_notice("clickhouse: org %u %s: reading again after %u "
                       "failed tries", f->org, f->schema->name, f->failures);
    }
    f->failures = 0;
    f->backoff = 0;
    f->retry_at = 0;
    f->logged = DFX_CH_OK;
    s->bf_rows += w->rows;
    dfx_stats_add(DFX_STAT_clickhouse_windows_total, -1, f->ds, -1, 1);

    pthread_mutex_lock(&s->lock);
    f->next = to;
    f->rows += w->rows;
    f->rejected += w->rejected;
    f->windows++;
    f->reachable = 1;
    f->last_error[0] = '\0';
    f->state = DFX_CH_ST_CAUGHT_UP;
    pthread_mutex_unlock(&s->lock);
    dfx_ch_gauges(s, f->ds);
    dfx_ch_progress(s, 0);
}

/* ---- the thread ------------------------------------------------------ */

/* Loads the dictionary from flow_tag when it is due. */
static void
dfx_ch_dict_refresh(dfx_ch_source_t *s, int64_t now)
{
    char  msg[512];

    if (dfx_ch_dict_load(s->client, s->dict_org, msg, sizeof(msg)) == 0) {
        if (!s->dict_loaded || s->dict_failed) {
            dfx_log_notice("clickhouse: universal-tag dictionary loaded "
                           "from %s", msg);
        } else {
            dfx_log_info("clickhouse: universal-tag dictionary loaded from "
                         "%s", msg);
        }
        s->dict_failed = 0;
        s->dict_due = now + s->dict_refresh;
        pthread_mutex_lock(&s->lock);
        s->dict_loaded = 1;
        s->dict_error[0] = '\0';
        pthread_mutex_unlock(&s->lock);
        return;
    }
    if (!s->dict_failed) {
        dfx_log_warn("clickhouse: cannot load the universal-tag dictionary: "
                     "%s; %s (logged once until it loads)", msg,
                     s->dict_loaded ? "the one loaded before stays"
                                    : "no window is read before it loads");
    }
    s->dict_failed = 1;
    s->dict_due = now + (s->dict_refresh < s->retry_max ? s->dict_refresh
                                                        : s->retry_max);
    pthread_mutex_lock(&s->lock);
    snprintf(s->dict_error, sizeof(s->dict_error), "%s", msg);
    pthread_mutex_unlock(&s->lock);
}

/* When f's next window is due (unix seconds), and its end in *to; or -1
 * when the follower has nothing more to do (backfill done). */
static int64_t
dfx_ch_due(const dfx_ch_source_t *s, const dfx_ch_follower_t *f,
           int64_t now, int64_t *to)
{
    int64_t  end = now - s->settle, due;

    if (f->until != 0) {
        if (f->next >= f->until) {
            return -1;
        }
        if (end > f->until) {
            end = f->until;
        }
        *to = f->next + s->window < end ? f->next + s->window : end;
        due = *to > f->next ? now : f->next + 1 + s->settle;
    } else {
        *to = f->next + s->window;
        due = *to <= end ? now : *to + s->settle;
    }
    return due > f->retry_at ? due : f->retry_at;
}

static void *
dfx_ch_thread(void *arg)
{
    dfx_ch_source_t    *s = arg;
    dfx_ch_follower_t  *f, *best;
    struct timespec     ts;
    int64_t             now, due, best_due, to, best_to = 0;
    size_t              i;
    int                 active;

    while (!atomic_load(&s->stop)) {
        now = dfx_ch_now();
        if (s->dict_refresh > 0 && now >= s->dict_due) {
            dfx_ch_dict_refresh(s, now);
            continue;
        }
        best = NULL;
        best_due = INT64_MAX;
        active = 0;
        for (i = 0; i < s->nfollowers; i++) {
            f = &s->followers[i];
            due = dfx_ch_due(s, f, now, &to);
            if (due < 0) {
                if (f->state != DFX_CH_ST_DONE) {
                    dfx_ch_set_state(s, f, DFX_CH_ST_DONE);
                }
                continue;
            }
            active++;
            /* among the due ones, the one furthest behind: a follower
             * catching up cannot starve the others */
            if (due < best_due || (due <= now && best_due <= now
                                   && f->next < best->next))
            {
                best_due = due;
                best = f;
                best_to = to;
            }
        }
        if (active == 0) {
            s->complete = 1;
            dfx_ch_progress(s, 1);
            dfx_log_notice("clickhouse: backfill of [%" PRId64 ", %" PRId64
                           ") done: %" PRIu64 " rows", s->bf_from, s->bf_to,
                           s->bf_rows);
            break;
        }
        /* names are never exported as raw ids for want of a first
         * dictionary: the windows wait for it */
        if (s->dict_refresh > 0 && !s->dict_loaded) {
            best_due = now + 1;
        }
        if (best_due > now) {
            for (i = 0; i < s->nfollowers; i++) {
                f = &s->followers[i];
                if (f->state == DFX_CH_ST_STARTING
                    || f->state == DFX_CH_ST_READING)
                {
                    dfx_ch_set_state(s, f, DFX_CH_ST_CAUGHT_UP);
                }
                dfx_ch_gauges(s, f->ds);
            }
            pthread_mutex_lock(&s->lock);
            clock_gettime(CLOCK_MONOTONIC, &ts);
            /* at most a second: the gauges move with the clock */
            ts.tv_sec += 1;
            if (!atomic_load(&s->stop)) {
                pthread_cond_timedwait(&s->cond, &s->lock, &ts);
            }
            pthread_mutex_unlock(&s->lock);
            continue;
        }
        dfx_ch_run_window(s, best, best_to);
    }

    if (s->done_ev != NULL && (s->complete || !atomic_load(&s->stop))) {
        event_active(s->done_ev, 0, 0);
    }
    return NULL;
}

/* ---- start and stop -------------------------------------------------- */

/* The data sources an enabled exporter of conf takes. */
static uint32_t
dfx_ch_taken(const dfx_conf_t *conf)
{
    const dfx_conf_exporter_t  *ec;
    const dfx_schema_t         *sch;
    uint32_t                    taken = 0;
    size_t                      i, j;

    for (i = 0; i < conf->nexporters; i++) {
        ec = &conf->exporters[i];
        for (j = 0; ec->enabled.v && j < ec->data_sources.n; j++) {
            sch = dfx_schema_find(ec->data_sources.v[j].v,
                                  strlen(ec->data_sources.v[j].v));
            if (sch != NULL) {
                taken |= 1u << sch->id;
            }
        }
    }
    return taken;
}

uint32_t
dfx_ch_data_sources(const dfx_conf_t *conf)
{
    uint32_t  mask = conf->main.clickhouse.ds_mask;

    if (mask == 0) {
        /* DeepFlow v7.1 has no perf_event table: read it only when
         * asked for by name */
        mask = dfx_ch_taken(conf) & ~(1u << DFX_DS_PERF_EVENT);
    }
    return mask;
}

static int
dfx_ch_followers(dfx_ch_source_t *s, const dfx_conf_t *conf,
                 const dfx_ch_backfill_t *bf)
{
    const dfx_conf_clickhouse_t  *cc = &conf->main.clickhouse;
    dfx_ch_follower_t            *f;
    uint32_t                      mask, taken;
    size_t                        o, n = 0, plen;
    char                          err[512], name[256];
    int64_t                       t;
    int                           ds, rc;

    mask = dfx_ch_data_sources(conf);
    taken = dfx_ch_taken(conf);
    for (ds = 0; ds < DFX_DS_COUNT; ds++) {
        if ((mask & (1u << ds)) && !(taken & (1u << ds))) {
            dfx_log_warn("clickhouse: no enabled exporter takes %s: its "
                         "rows are read only once one does",
                         dfx_schemas[ds]->name);
        }
    }

    s->followers = calloc((size_t) DFX_DS_COUNT * cc->norgs,
                          sizeof(*s->followers));
    if (s->followers == NULL) {
        dfx_log_error("clickhouse: out of memory");
        return -1;
    }
    for (o = 0; o < cc->norgs; o++) {
        for (ds = 0; ds < DFX_DS_COUNT; ds++) {
            if (!(mask & (1u << ds))) {
                continue;
            }
            f = &s->followers[n];
            f->ds = ds;
            f->schema = dfx_schemas[ds];
            f->org = cc->org_ids[o];
            f->reachable = 1;
            if (dfx_ch_table(ds, f->org, 0, f->db, sizeof(f->db), f->table,
                             sizeof(f->table)) != 0)
            {
                continue;
            }
            if (bf != NULL) {
                snprintf(name, sizeof(name), "backfill-%" PRId64 "-%" PRId64
                         ".org%u.%s", bf->from, bf->to, f->org,
                         f->schema->name);
            } else {
                snprintf(name, sizeof(name), "org%u.%s", f->org,
                         f->schema->name);
            }
            plen = strlen(s->cc.checkpoint_dir.v) + strlen(name) + 16;
            f->path = malloc(plen);
            if (f->path == NULL) {
                dfx_log_error("clickhouse: out of memory");
                return -1;
            }
            snprintf(f->path, plen, "%s/%s.checkpoint",
                     s->cc.checkpoint_dir.v, name);
            n++;
            s->nfollowers = n;

            rc = dfx_ch_checkpoint_read(f->path, &t, err, sizeof(err));
            if (rc < 0) {
                dfx_log_error("clickhouse: %s", err);
                return -1;
            }
            if (bf != NULL) {
                f->until = bf->to;
                f->next = rc == 1 ? t : bf->from;
            } else if (rc == 1) {
                f->next = t;
            } else if (cc->start_ts >= 0) {
                f->next = cc->start_ts;
            } else {
                f->next = dfx_ch_now() - s->settle;
            }
            dfx_log_notice("clickhouse: org %u %s from %s.%s, %s %" PRId64
                           "%s", f->org, f->schema->name, f->db, f->table,
                           rc == 1 ? "checkpoint" : "starting at", f->next,
                           bf != NULL ? " (backfill)" : "");
        }
    }
    if (n == 0) {
        dfx_log_error("clickhouse: no data source to read (no enabled "
                      "exporter takes one, or dfexport.clickhouse."
                      "data-sources names none)");
        return -1;
    }
    return 0;
}

dfx_ch_source_t *
dfx_ch_start(const dfx_conf_t *conf, const dfx_ch_backfill_t *bf,
             struct event *done_ev, int *off)
{
    const dfx_conf_clickhouse_t  *cc = &conf->main.clickhouse;
    dfx_ch_source_t              *s;
    pthread_condattr_t            attr;
    char                          err[512];

    *off = cc->url.v[0] == '\0';
    if (*off) {
        return NULL;
    }

    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        dfx_log_error("clickhouse: out of memory");
        return NULL;
    }
    s->magic = DFX_CH_SOURCE_MAGIC;
    atomic_init(&s->stop, 0);
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &attr);
    pthread_condattr_destroy(&attr);

    s->cc = *cc;
    s->url = dfx_ch_strdup(cc->url.v);
    s->user = dfx_ch_strdup(cc->user.v);
    s->password = dfx_ch_strdup(cc->password.v);
    s->ca = dfx_ch_strdup(cc->tls_ca_file.v);
    s->cc.checkpoint_dir.v = dfx_ch_strdup(cc->checkpoint_dir.v);
    /* nothing of the conf's own strings is kept */
    s->cc.url.v = s->url;
    s->cc.user.v = s->user;
    s->cc.password.v = s->password;
    s->cc.tls_ca_file.v = s->ca;
    s->cc.password_file.v = NULL;
    s->cc.start.v = NULL;
    s->cc.orgs.v = NULL;
    s->cc.data_sources.v = NULL;
    if (s->url == NULL || s->user == NULL || s->password == NULL
        || s->ca == NULL || s->cc.checkpoint_dir.v == NULL)
    {
        dfx_log_error("clickhouse: out of memory");
        goto failed;
    }
    s->settle = cc->settle.v;
    s->window = cc->window.v;
    s->retry_max = cc->retry_max.v;
    s->line_max = (size_t) conf->main.limits.line.v;
    s->plim.depth = (uint32_t) conf->main.limits.depth.v;
    s->plim.records = (uint32_t) conf->main.limits.records.v;
    s->plim.elements = (uint32_t) conf->main.limits.array_elements.v;
    s->done_ev = done_ev;
    s->t_start = dfx_ch_now();
    s->dict_refresh = cc->dictionary_refresh.v;
    s->dict_org = cc->org_ids[0];
    if (bf != NULL) {
        s->backfill = 1;
        s->progress = bf->progress;
        s->bf_from = bf->from;
        s->bf_to = bf->to;
    }

    if (dfx_ch_checkpoint_dir(s->cc.checkpoint_dir.v, err, sizeof(err))
        != 0)
    {
        dfx_log_error("clickhouse: %s", err);
        goto failed;
    }
    if (dfx_ch_followers(s, conf, bf) != 0) {
        goto failed;
    }
    s->client = dfx_ch_client_create(&s->cc, &s->stop);
    s->parser = dfx_record_parser_create(&s->plim);
    s->pool = dfx_pool_create(64 * 1024);
    if (s->client == NULL || s->parser == NULL || s->pool == NULL) {
        dfx_log_error("clickhouse: out of memory");
        goto failed;
    }
    /* the SELECT hands over times as numbers: the zone is never used */
    if (dfx_record_parser_set_dialect(s->parser, DFX_DIALECT_CLICKHOUSE,
                                      NULL, err, sizeof(err)) != 0)
    {
        dfx_log_error("clickhouse: %s", err);
        goto failed;
    }

    if (pthread_create(&s->thread, NULL, dfx_ch_thread, s) != 0) {
        dfx_log_error("clickhouse: cannot start the followers' thread");
        goto failed;
    }
    s->started = 1;
    dfx_ch_status_set(s, 1);
    dfx_log_notice("clickhouse: %zu followers reading %s%s", s->nfollowers,
                   s->url, bf != NULL ? " (backfill)" : "");
    return s;

failed:
    dfx_ch_free(s);
    return NULL;
}

void
dfx_ch_stop(dfx_ch_source_t *s)
{
    if (s == NULL || !s->started) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stop, 1);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    s->started = 0;
    dfx_ch_window_end(s);
}

void
dfx_ch_free(dfx_ch_source_t *s)
{
    size_t  i;

    if (s == NULL) {
        return;
    }
    dfx_ch_stop(s);
    dfx_ch_status_set(s, 0);

    for (i = 0; i < s->nfollowers; i++) {
        free(s->followers[i].path);
        dfx_ch_select_free(&s->followers[i].sel);
    }
    free(s->followers);
    dfx_ch_client_destroy(s->client);
    dfx_record_parser_destroy(s->parser);
    dfx_pool_destroy(s->pool);
    dfx_buf_free(&s->sql);
    dfx_buf_free(&s->carry);
    for (i = 0; i < DFX_STATS_MAX_EXPORTERS; i++) {
        dfx_buf_free(&s->w.routes[i].out);
    }
    free(s->url);
    free(s->user);
    free(s->password);
    free(s->ca);
    free(s->cc.checkpoint_dir.v);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    s->magic = 0;
    free(s);
}

int
dfx_ch_complete(const dfx_ch_source_t *s)
{
    return s != NULL && s->complete;
}

static int
dfx_ch_str_eq(const dfx_conf_str_t *a, const dfx_conf_str_t *b)
{
    return strcmp(a->v != NULL ? a->v : "", b->v != NULL ? b->v : "") == 0;
}

int
dfx_ch_conf_same(const dfx_conf_clickhouse_t *a,
                 const dfx_conf_clickhouse_t *b)
{
    return dfx_ch_str_eq(&a->url, &b->url) && dfx_ch_str_eq(&a->user, &b->user)
           && dfx_ch_str_eq(&a->password, &b->password)
           && dfx_ch_str_eq(&a->tls_ca_file, &b->tls_ca_file)
           && dfx_ch_str_eq(&a->checkpoint_dir, &b->checkpoint_dir)
           && dfx_ch_str_eq(&a->start, &b->start)
           && a->settle.v == b->settle.v && a->window.v == b->window.v
           && a->timeout.v == b->timeout.v
           && a->retry_max.v == b->retry_max.v
           && a->dictionary_refresh.v == b->dictionary_refresh.v
           && a->norgs == b->norgs
           && memcmp(a->org_ids, b->org_ids, sizeof(a->org_ids)) == 0
           && a->ds_mask == b->ds_mask;
}
