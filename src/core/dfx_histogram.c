/*
 * dfx_histogram.c: bucket lookup, observation and rendering of the
 * fixed-bucket histograms of dfx_histogram.h.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "dfx_histogram.h"

/* Prometheus' default buckets stretched both ways: a loopback ingest
 * answers in well under a millisecond, a Kafka delivery may take up to
 * message-timeout. */
const uint64_t  dfx_hist_bounds_us[DFX_HIST_BUCKETS] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
    1000000, 2500000, 5000000, 10000000, 30000000, 60000000,
};

uint64_t
dfx_hist_now_us(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int
dfx_hist_bucket(uint64_t us)
{
    int  lo = 0, hi = DFX_HIST_BUCKETS;

    /* the first bound >= us; le is inclusive in Prometheus */
    while (lo < hi) {
        int  mid = (lo + hi) / 2;

        if (dfx_hist_bounds_us[mid] < us) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

void
dfx_hist_observe(_Atomic int64_t *cells, uint64_t us)
{
    atomic_fetch_add_explicit(&cells[dfx_hist_bucket(us)], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&cells[DFX_HIST_SUM], (int64_t) us,
                              memory_order_relaxed);
}

void
dfx_hist_tally_add(dfx_hist_tally_t *t, uint64_t us)
{
    t->n[dfx_hist_bucket(us)]++;
    t->sum_us += us;
    t->total++;
}

void
dfx_hist_tally_flush(_Atomic int64_t *cells, dfx_hist_tally_t *t)
{
    int  i;

    if (t->total == 0) {
        return;
    }
    for (i = 0; i <= DFX_HIST_INF; i++) {
        if (t->n[i] != 0) {
            atomic_fetch_add_explicit(&cells[i], (int64_t) t->n[i],
                                      memory_order_relaxed);
            t->n[i] = 0;
        }
    }
    atomic_fetch_add_explicit(&cells[DFX_HIST_SUM], (int64_t) t->sum_us,
                              memory_order_relaxed);
    t->sum_us = 0;
    t->total = 0;
}

/* A bound in seconds, as Prometheus clients print it (0.0005, 1, 2.5). */
static int
dfx_hist_le(dfx_buf_t *out, int i)
{
    if (i == DFX_HIST_INF) {
        return dfx_buf_printf(out, "+Inf");
    }
    return dfx_buf_printf(out, "%g", (double) dfx_hist_bounds_us[i] / 1e6);
}

/* A scrape may read the buckets while observations land: the sum is read
 * after them and _count is the +Inf bucket, so _count never lags a
 * bucket. */
int
dfx_hist_prometheus(dfx_buf_t *out, const char *name, const char *labels,
                    _Atomic int64_t *cells)
{
    int64_t  cum = 0;
    int      i, rc = 0;

    for (i = 0; i <= DFX_HIST_INF; i++) {
        cum += atomic_load_explicit(&cells[i], memory_order_relaxed);
        rc |= dfx_buf_printf(out, "%s_bucket{%s%sle=\"", name, labels,
                             labels[0] ? "," : "");
        rc |= dfx_hist_le(out, i);
        rc |= dfx_buf_printf(out, "\"} %lld\n", (long long) cum);
    }
    rc |= dfx_buf_printf(out, "%s_sum%s%s%s %.6f\n", name,
                         labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
                         (double) atomic_load_explicit(&cells[DFX_HIST_SUM],
                                                       memory_order_relaxed)
                         / 1e6);
    rc |= dfx_buf_printf(out, "%s_count%s%s%s %lld\n", name,
                         labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
                         (long long) cum);
    return rc ? -1 : 0;
}

int
dfx_hist_json(dfx_buf_t *out, _Atomic int64_t *cells)
{
    int64_t  cum = 0;
    int      i, rc = 0;

    rc |= dfx_buf_printf(out, "{\"buckets\":{");
    for (i = 0; i <= DFX_HIST_INF; i++) {
        cum += atomic_load_explicit(&cells[i], memory_order_relaxed);
        rc |= dfx_buf_printf(out, "%s\"", i ? "," : "");
        rc |= dfx_hist_le(out, i);
        rc |= dfx_buf_printf(out, "\":%lld", (long long) cum);
    }
    rc |= dfx_buf_printf(out, "},\"sum\":%.6f,\"count\":%lld}",
                         (double) atomic_load_explicit(&cells[DFX_HIST_SUM],
                                                       memory_order_relaxed)
                         / 1e6, (long long) cum);
    return rc ? -1 : 0;
}
