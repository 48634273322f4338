/*
 * dfx_stats.h: counters and gauges (the table is dfx_stats.def).
 *
 * Storage is a flat array of relaxed atomics per statistic, sized by its
 * dimensions, and lives for the whole process so counters survive config
 * reloads.  Hot paths add once per request, not once per record.
 */
#ifndef DFX_STATS_H
#define DFX_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_buf.h"
#include "dfx_histogram.h"

#define DFX_STATS_MAX_EXPORTERS  32

typedef enum {
#define DFX_STAT(name, type, dims, reasons, scope, help)  DFX_STAT_##name,
#include "dfx_stats.def"
#undef DFX_STAT
    DFX_STAT_COUNT
} dfx_stat_id_t;

/* Values of the "reason" label. */
typedef enum {
    DFX_REASON_TOO_LARGE = 0,   /* 413: more records than the budget holds */
    DFX_REASON_BUDGET,          /* 429: budget full */
    DFX_REASON_SHUTTING_DOWN,   /* 503 */
    DFX_REASON_OK,
    DFX_REASON_ERROR,
    DFX_REASON_TAG_FILTERS,     /* the deprecated top-level tag-filters */
    /* a failed ClickHouse window (in dfx_ch_err_t order) */
    DFX_REASON_CH_CONNECT,
    DFX_REASON_CH_TIMEOUT,
    DFX_REASON_CH_HTTP,
    DFX_REASON_CH_STREAM,
    DFX_REASON_CH_COLUMNS,
    DFX_REASON_CH_KAFKA,
    DFX_REASON_CH_CHECKPOINT,
    /* an ingest request past its deadline (dfexport.header-timeout,
     * request-timeout) */
    DFX_REASON_HEADER,
    DFX_REASON_REQUEST,
    /* a request without a valid bearer token (dfexport.auth) */
    DFX_REASON_NO_TOKEN,
    DFX_REASON_BAD_TOKEN,
    DFX_REASON_UNPROTECTED,     /* admin write, exposed, no token set */
    /* a request refused by the memory budget (limits.memory): its body
     * before it was read (429), a chunk of it, or its gzip decoding
     * (503) */
    DFX_REASON_MEM_BODY,
    DFX_REASON_MEM_CHUNK,
    DFX_REASON_MEM_DECODED,
    DFX_REASON_GROUP0,          /* tag-filters-groups[N]: GROUP0 + N */
    DFX_REASON_COUNT = DFX_REASON_GROUP0 + 16
} dfx_reason_t;

/* HTTP status codes with their own series (others count as "other"). */
int dfx_stats_code_index(int code);

/* Adds n (may be negative for gauges).  For http_requests_total the
 * reason argument is the HTTP status code itself (200, 429...).  Out-of-range label indexes are
 * ignored (counted nowhere) rather than trusted.  Use -1 for labels the
 * statistic does not have. */
void dfx_stats_add(dfx_stat_id_t id, int exporter, int ds, int reason,
                   int64_t n);
void dfx_stats_set(dfx_stat_id_t id, int exporter, int ds, int reason,
                   int64_t v);
int64_t dfx_stats_get(dfx_stat_id_t id, int exporter, int ds, int reason);

/* Histograms (type HISTOGRAM): one observation of us microseconds, or a
 * tally of several (flushed and zeroed).  Lock-free: two atomic adds, or
 * one per non-empty bucket of the tally. */
void dfx_stats_observe(dfx_stat_id_t id, int exporter, int ds, int reason,
                       uint64_t us);
void dfx_stats_observe_tally(dfx_stat_id_t id, int exporter, int ds,
                             int reason, dfx_hist_tally_t *t);

/* Observations a histogram series holds (its _count). */
int64_t dfx_stats_hist_count(dfx_stat_id_t id, int exporter, int ds,
                             int reason);

/* The exporter label of the configuration being built (between
 * dfx_stats_scope_begin() and dfx_stats_scope_commit()): the exporter's
 * name, or NULL / "" for its position. */
void dfx_stats_exporter_name(int exporter, const char *name);

/* The exporter label of the running configuration: the exporter's name,
 * or its position written into tmp (len bytes, 16 are enough). */
const char *dfx_stats_exporter_label(int exporter, char *tmp, size_t len);

/* Number of exporters to render (the highest index configured + 1). */
void dfx_stats_set_exporters(int n);

/* The series of scope CONF that exist at 0 (dfx_stats.def), declared by
 * the configuration being built, main thread only:
 * dfx_stats_scope_begin() starts an empty set, the declarations add to it
 * and dfx_stats_scope_commit() makes it the rendered one, so a failed
 * reload leaves the running set as it was. */
void dfx_stats_scope_begin(void);
void dfx_stats_scope_commit(void);

/* One series: exporter, ds and reason as for dfx_stats_add() (-1 for
 * labels the statistic does not have). */
void dfx_stats_declare(dfx_stat_id_t id, int exporter, int ds, int reason);

/* Every series of scope CONF labelled exactly by exporter and/or ds (-1:
 * that label is absent), with every reason of its reason set; reasons
 * that depend on the configuration (TAG_FILTER) are declared one by one
 * by their owner with dfx_stats_declare(). */
void dfx_stats_declare_series(int exporter, int ds);

/* Renders every statistic in Prometheus text format 0.0.4: series of
 * scope ALL and declared series always, others once they are not zero
 * (and their exporter is below dfx_stats_set_exporters()), then
 * dfexport_build_info and the process metrics (dfx_process.h). */
int dfx_stats_prometheus(dfx_buf_t *out);

/* Appends sep name="v" to out: one Prometheus label, v with backslash,
 * double quote and newline escaped (host names from a Kafka cluster's
 * metadata, exporter names, library versions are not trusted to be
 * tame).  0 or -1 (no memory). */
int dfx_stats_prom_label(dfx_buf_t *out, const char *sep, const char *name,
                         const char *v);

/* Renders every statistic as a JSON object member list, without braces:
 * "name":{"label/label":value,...} ..., the same series as
 * dfx_stats_prometheus(), build_info and the process metrics included. */
int dfx_stats_json(dfx_buf_t *out);

/* Zeroes everything, the declared series included (tests). */
void dfx_stats_reset(void);

#endif /* DFX_STATS_H */
