/*
 * dfx_histogram.h: fixed-bucket latency histograms (Prometheus type
 * "histogram"), stored as cells of the statistics table (dfx_stats.c).
 *
 * One histogram series is DFX_HIST_CELLS relaxed atomics: a count per
 * bucket (not cumulative: one add per observation), the +Inf bucket, then
 * the sum in microseconds.  Rendering makes the buckets cumulative and
 * derives _count from them.  No locks: an observation is two atomic adds,
 * and a batch of observations (a delivery event) is summed locally into a
 * dfx_hist_tally_t first.
 */
#ifndef DFX_HISTOGRAM_H
#define DFX_HISTOGRAM_H

#include <stdatomic.h>
#include <stdint.h>

#include "dfx_buf.h"

/* upper bounds of the finite buckets, microseconds (0.5 ms .. 60 s) */
#define DFX_HIST_BUCKETS  16
#define DFX_HIST_INF      DFX_HIST_BUCKETS          /* the +Inf bucket */
#define DFX_HIST_SUM      (DFX_HIST_BUCKETS + 1)    /* sum, microseconds */
#define DFX_HIST_CELLS    (DFX_HIST_BUCKETS + 2)

extern const uint64_t  dfx_hist_bounds_us[DFX_HIST_BUCKETS];

/* Observations summed locally, flushed with one add per non-empty
 * bucket (a batch of delivery reports). */
typedef struct dfx_hist_tally_s {
    uint32_t  n[DFX_HIST_BUCKETS + 1];
    uint64_t  sum_us;
    uint32_t  total;
} dfx_hist_tally_t;

/* Monotonic clock, microseconds: the start and end of what is timed. */
uint64_t dfx_hist_now_us(void);

/* The bucket an observation of us microseconds falls in (DFX_HIST_INF
 * past the last bound). */
int dfx_hist_bucket(uint64_t us);

/* Adds one observation to the DFX_HIST_CELLS cells of a series. */
void dfx_hist_observe(_Atomic int64_t *cells, uint64_t us);

void dfx_hist_tally_add(dfx_hist_tally_t *t, uint64_t us);

/* Adds the tally to the cells and zeroes it. */
void dfx_hist_tally_flush(_Atomic int64_t *cells, dfx_hist_tally_t *t);

/* Prometheus text of one series: name_bucket{labels,le="..."} for every
 * bucket and +Inf, name_sum (seconds) and name_count.  labels is "" or
 * "a=\"x\",b=\"y\"" (without braces). */
int dfx_hist_prometheus(dfx_buf_t *out, const char *name, const char *labels,
                        _Atomic int64_t *cells);

/* JSON object of one series: {"count":N,"sum":S,"buckets":{"0.0005":n,
 * ...,"+Inf":n}}, buckets cumulative as in Prometheus. */
int dfx_hist_json(dfx_buf_t *out, _Atomic int64_t *cells);

#endif /* DFX_HISTOGRAM_H */
