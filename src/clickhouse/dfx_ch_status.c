/*
 * dfx_ch_status.c: what the ClickHouse source shows: /stats and /readyz.
 *
 * The source registers itself here once it runs; the admin listener's
 * thread reads the followers' shown fields under the source's lock.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dfx_ch_int.h"

static const char *const  dfx_ch_state_names[DFX_CH_ST_COUNT] = {
    [DFX_CH_ST_STARTING] = "starting",
    [DFX_CH_ST_CAUGHT_UP] = "caught_up",
    [DFX_CH_ST_READING] = "reading",
    [DFX_CH_ST_KAFKA] = "waiting_kafka",
    [DFX_CH_ST_BACKOFF] = "backoff",
    [DFX_CH_ST_NO_EXPORTER] = "no_exporter",
    [DFX_CH_ST_DONE] = "done",
};

/* The source /stats and /readyz look at. */
static pthread_mutex_t    dfx_ch_current_lock = PTHREAD_MUTEX_INITIALIZER;
static dfx_ch_source_t   *dfx_ch_current;

void
dfx_ch_status_set(dfx_ch_source_t *s, int on)
{
    pthread_mutex_lock(&dfx_ch_current_lock);
    if (on) {
        dfx_ch_current = s;
    } else if (dfx_ch_current == s) {
        dfx_ch_current = NULL;
    }
    pthread_mutex_unlock(&dfx_ch_current_lock);
}

int
dfx_ch_stats_json(dfx_buf_t *b)
{
    dfx_ch_source_t    *s;
    dfx_ch_follower_t  *f;
    int64_t             now = (int64_t) time(NULL);
    size_t              i;
    int                 rc = 0;

    pthread_mutex_lock(&dfx_ch_current_lock);
    s = dfx_ch_current;
    if (s == NULL) {
        pthread_mutex_unlock(&dfx_ch_current_lock);
        return 0;
    }
    rc |= dfx_buf_append_lit(b, ",\"clickhouse\":{\"url\":");
    rc |= dfx_buf_json_str(b, s->url, strlen(s->url));
    rc |= dfx_buf_printf(b, ",\"mode\":\"%s\",\"followers\":[",
                         s->backfill ? "backfill" : "follow");
    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->nfollowers; i++) {
        f = &s->followers[i];
        rc |= dfx_buf_printf(b, "%s{\"org\":%u,\"data_source\":\"%s\","
                             "\"table\":\"%s.%s\",\"state\":\"%s\","
                             "\"checkpoint\":%" PRId64 ",\"lag_seconds\":%"
                             PRId64 ",\"rows\":%" PRIu64 ",\"windows\":%"
                             PRIu64 ",\"rejected\":%" PRIu64 ",\"errors\":%"
                             PRIu64 ",\"reachable\":%s,\"last_error\":",
                             i ? "," : "", f->org, f->schema->name, f->db,
                             f->table, dfx_ch_state_names[f->state], f->next,
                             now > f->next ? now - f->next : 0, f->rows,
                             f->windows, f->rejected, f->errors,
                             f->reachable ? "true" : "false");
        rc |= dfx_buf_json_str(b, f->last_error, strlen(f->last_error));
        rc |= dfx_buf_putc(b, '}');
    }
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_unlock(&dfx_ch_current_lock);
    rc |= dfx_buf_append_lit(b, "]}");
    return rc;
}

int
dfx_ch_ready(char *why, size_t len)
{
    dfx_ch_source_t  *s;
    size_t            i;
    int               ok = 1;

    pthread_mutex_lock(&dfx_ch_current_lock);
    s = dfx_ch_current;
    if (s != NULL) {
        pthread_mutex_lock(&s->lock);
        if (s->dict_refresh > 0 && !s->dict_loaded) {
            ok = 0;
            if (why != NULL) {
                snprintf(why, len, "clickhouse: no universal-tag dictionary "
                         "yet%s%s", s->dict_error[0] ? ": " : "",
                         s->dict_error);
            }
        }
        for (i = 0; i < s->nfollowers && ok; i++) {
            if (!s->followers[i].reachable) {
                ok = 0;
                if (why == NULL) {
                    break;
                }
                snprintf(why, len, "clickhouse: org %u %s: %s",
                         s->followers[i].org, s->followers[i].schema->name,
                         s->followers[i].last_error);
            }
        }
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(&dfx_ch_current_lock);
    return ok;
}
