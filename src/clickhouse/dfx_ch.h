/*
 * dfx_ch.h: the ClickHouse source: DeepFlow's records read from the
 * tables DeepFlow writes, fed to the same parser and exporter chains as
 * an HTTP POST (DESIGN section 12, doc/clickhouse.md).
 *
 * One follower per (org, data source) reads its table window by window
 * ([t, t + window), behind a settle delay), streams each answer into the
 * parser and every exporter's chain, and moves its checkpoint on disk
 * only once Kafka acknowledged every message of the window.  The
 * followers share one thread of their own; they never run on an event
 * loop.  Backfill is the same reader over a fixed range.
 */
#ifndef DFX_CH_H
#define DFX_CH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <event2/event.h>

#include "dfx_buf.h"
#include "dfx_conf.h"

typedef struct dfx_ch_source_s dfx_ch_source_t;

/* A backfill: [from, to) in unix seconds, then the source is done. */
typedef struct dfx_ch_backfill_s {
    int64_t  from;
    int64_t  to;
    int      progress;      /* print a progress line (stderr is a tty) */
} dfx_ch_backfill_t;

/* Starts the source that conf->main.clickhouse describes, for the data
 * sources the enabled exporters of conf take.  bf NULL: follow.  done_ev
 * (on the main loop, may be NULL) is activated when a backfill is done or
 * a follower stopped for good.  Returns NULL when the source is off (no
 * url; *off = 1) or could not start (logged, *off = 0). */
dfx_ch_source_t *dfx_ch_start(const dfx_conf_t *conf,
                              const dfx_ch_backfill_t *bf,
                              struct event *done_ev, int *off);

/* Stops the followers and joins their thread: a window in flight keeps
 * its old checkpoint (it will be read again).  Accepts NULL. */
void dfx_ch_stop(dfx_ch_source_t *s);

/* Frees the source, after Kafka was shut down (late delivery reports
 * still point at it until then).  Accepts NULL. */
void dfx_ch_free(dfx_ch_source_t *s);

/* --push-sql TARGET: prints to out the SQL of a URL table and a
 * materialized view per org and data source, for the ClickHouse of
 * conf, that POST what DeepFlow inserts to dfexport at TARGET
 * (http://HOST:PORT as ClickHouse reaches it).  Returns 0, or -1 after
 * saying why on stderr. */
int dfx_ch_push_sql(const dfx_conf_t *conf, const char *target, FILE *out);

/* 1 when a backfill covered its whole range; 0 otherwise. */
int dfx_ch_complete(const dfx_ch_source_t *s);

/* 1 when two confs describe the same source (a reload that changes it
 * takes effect at the next restart). */
int dfx_ch_conf_same(const dfx_conf_clickhouse_t *a,
                     const dfx_conf_clickhouse_t *b);

/* /stats: ,"clickhouse":{...} (nothing when there is no source). */
int dfx_ch_stats_json(dfx_buf_t *b);

/* /readyz: 1 when every follower reached ClickHouse at its last try (or
 * there is no source); 0 with why filled otherwise. */
int dfx_ch_ready(char *why, size_t len);

#endif /* DFX_CH_H */
