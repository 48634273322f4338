/*
 * dfx_stats.c: storage and rendering of the statistics in dfx_stats.def.
 *
 * Each statistic owns a slice of one static array of relaxed atomics,
 * sized by its dimensions.  Rendering walks the same table, so Prometheus
 * text, /stats JSON and the documentation cannot disagree.  Which series
 * exist at 0 comes from the table too (reason sets, scope), and for scope
 * CONF from a per-cell "declared" flag the running configuration set.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dfx_histogram.h"
#include "dfx_process.h"
#include "dfx_schema.h"
#include "dfx_stats.h"

typedef enum {
    DFX_DIM_NONE = 0,
    DFX_DIM_CODE,
    DFX_DIM_DS,
    DFX_DIM_REASON,
    DFX_DIM_DS_REASON,
    DFX_DIM_EXP,
    DFX_DIM_EXP_DS,
    DFX_DIM_EXP_DS_REASON,
} dfx_dim_t;

typedef enum { DFX_COUNTER = 0, DFX_GAUGE, DFX_HISTOGRAM } dfx_stat_type_t;

/* The reasons column: which values of the reason label a statistic uses. */
typedef enum {
    DFX_RS_NONE = 0,
    DFX_RS_REFUSED,
    DFX_RS_RESULT,
    DFX_RS_TAG_FILTER,
    DFX_RS_CLICKHOUSE,
    DFX_RS_TIMEOUT,
    DFX_RS_AUTH,
    DFX_RS_ADMIN_AUTH,
    DFX_RS_MEMORY,
} dfx_reason_set_t;

/* The scope column: which series exist at 0. */
typedef enum { DFX_SCOPE_ALL = 0, DFX_SCOPE_CONF } dfx_scope_t;

_Static_assert(DFX_REASON_COUNT <= 64, "reason sets are 64-bit masks");
#define DFX_R(r)  (UINT64_C(1) << (r))

typedef struct dfx_reason_set_desc_s {
    uint64_t  mask;
    int       by_conf;      /* which of them apply depends on the config:
                             * declared one by one by their owner */
} dfx_reason_set_desc_t;

static const dfx_reason_set_desc_t  dfx_reason_sets[] = {
    [DFX_RS_NONE] = { 0, 0 },
    [DFX_RS_REFUSED] = { DFX_R(DFX_REASON_TOO_LARGE) | DFX_R(DFX_REASON_BUDGET)
                         | DFX_R(DFX_REASON_SHUTTING_DOWN), 0 },
    [DFX_RS_RESULT] = { DFX_R(DFX_REASON_OK) | DFX_R(DFX_REASON_ERROR), 0 },
    [DFX_RS_TAG_FILTER] = { DFX_R(DFX_REASON_TAG_FILTERS)
                            | (((UINT64_C(1) << (DFX_REASON_COUNT
                                                 - DFX_REASON_GROUP0)) - 1)
                               << DFX_REASON_GROUP0), 1 },
    [DFX_RS_CLICKHOUSE] = { DFX_R(DFX_REASON_CH_CONNECT)
                            | DFX_R(DFX_REASON_CH_TIMEOUT)
                            | DFX_R(DFX_REASON_CH_HTTP)
                            | DFX_R(DFX_REASON_CH_STREAM)
                            | DFX_R(DFX_REASON_CH_COLUMNS)
                            | DFX_R(DFX_REASON_CH_KAFKA)
                            | DFX_R(DFX_REASON_CH_CHECKPOINT), 0 },
    [DFX_RS_TIMEOUT] = { DFX_R(DFX_REASON_HEADER) | DFX_R(DFX_REASON_REQUEST),
                         0 },
    [DFX_RS_AUTH] = { DFX_R(DFX_REASON_NO_TOKEN) | DFX_R(DFX_REASON_BAD_TOKEN),
                      0 },
    [DFX_RS_ADMIN_AUTH] = { DFX_R(DFX_REASON_NO_TOKEN)
                            | DFX_R(DFX_REASON_BAD_TOKEN)
                            | DFX_R(DFX_REASON_UNPROTECTED), 0 },
    [DFX_RS_MEMORY] = { DFX_R(DFX_REASON_MEM_BODY) | DFX_R(DFX_REASON_MEM_CHUNK)
                        | DFX_R(DFX_REASON_MEM_DECODED), 0 },
};

typedef struct dfx_stat_desc_s {
    const char        *name;
    const char        *help;
    dfx_stat_type_t    type;
    dfx_dim_t          dims;
    dfx_reason_set_t   reasons;
    dfx_scope_t        scope;
} dfx_stat_desc_t;

static const dfx_stat_desc_t  dfx_stat_descs[DFX_STAT_COUNT] = {
#define DFX_STAT(name, type, dims, reasons, scope, help)                    \
    { #name, help, DFX_##type, DFX_DIM_##dims, DFX_RS_##reasons,           \
      DFX_SCOPE_##scope },
#include "dfx_stats.def"
#undef DFX_STAT
};

static const int  dfx_codes[] = {
    200, 202, 400, 404, 405, 408, 411, 413, 415, 417, 422, 429, 431, 500,
    503,
};
#define DFX_NCODES  ((int) (sizeof(dfx_codes) / sizeof(dfx_codes[0])) + 1)

static const char *const  dfx_reason_names[DFX_REASON_GROUP0] = {
    "too_large", "budget", "shutting_down", "ok", "error", "tag_filters",
    "connect", "timeout", "http", "stream", "columns", "kafka", "checkpoint",
    "header", "request", "no_token", "bad_token", "unprotected",
    "body", "chunk", "decoded",
};

#define DFX_NEXP  DFX_STATS_MAX_EXPORTERS
#define DFX_NDS   DFX_DS_COUNT
#define DFX_NRS   DFX_REASON_COUNT

static size_t
dfx_dim_size(dfx_dim_t d)
{
    switch (d) {
    case DFX_DIM_NONE:          return 1;
    case DFX_DIM_CODE:          return DFX_NCODES;
    case DFX_DIM_DS:            return DFX_NDS;
    case DFX_DIM_REASON:        return DFX_NRS;
    case DFX_DIM_DS_REASON:     return DFX_NDS * DFX_NRS;
    case DFX_DIM_EXP:           return DFX_NEXP;
    case DFX_DIM_EXP_DS:        return DFX_NEXP * DFX_NDS;
    case DFX_DIM_EXP_DS_REASON: return DFX_NEXP * DFX_NDS * DFX_NRS;
    }
    return 1;
}

#define DFX_DIMSZ_NONE           1
#define DFX_DIMSZ_CODE           DFX_NCODES
#define DFX_DIMSZ_DS             DFX_NDS
#define DFX_DIMSZ_REASON         DFX_NRS
#define DFX_DIMSZ_DS_REASON      (DFX_NDS * DFX_NRS)
#define DFX_DIMSZ_EXP            DFX_NEXP
#define DFX_DIMSZ_EXP_DS         (DFX_NEXP * DFX_NDS)
#define DFX_DIMSZ_EXP_DS_REASON  (DFX_NEXP * DFX_NDS * DFX_NRS)

/* cells per series: a histogram has its buckets and sum */
#define DFX_TYPESZ_COUNTER    1
#define DFX_TYPESZ_GAUGE      1
#define DFX_TYPESZ_HISTOGRAM  DFX_HIST_CELLS

enum {
    DFX_STATS_CELLS = 0
#define DFX_STAT(name, type, dims, reasons, scope, help)                    \
    + DFX_DIMSZ_##dims * DFX_TYPESZ_##type
#include "dfx_stats.def"
#undef DFX_STAT
};

static _Atomic int64_t  dfx_cells[DFX_STATS_CELLS];
static size_t           dfx_base[DFX_STAT_COUNT];
static atomic_int       dfx_layout_done;
static atomic_int       dfx_nexporters;
/* scope CONF: declared by the running configuration (read by scrapes on
 * any thread) and by the one being built (main thread only) */
static atomic_uchar     dfx_declared[DFX_STATS_CELLS];
static unsigned char    dfx_pending[DFX_STATS_CELLS];

/* Values of the exporter label: ingester.exporters[].name, or "" for the
 * position.  Two copies: the configuration being built writes the one
 * scrapes do not read and dfx_stats_scope_commit() flips them, so a failed
 * reload leaves the labels as they were.  (Scrapes and reloads both run on
 * the main event loop: a scrape never sees a copy being written.) */
#define DFX_EXP_NAME_MAX  64
static char             dfx_exp_names[2][DFX_STATS_MAX_EXPORTERS]
                                     [DFX_EXP_NAME_MAX];
static atomic_int       dfx_exp_names_cur;

static size_t
dfx_type_size(dfx_stat_type_t t)
{
    return t == DFX_HISTOGRAM ? DFX_HIST_CELLS : 1;
}

static void
dfx_stats_layout(void)
{
    size_t  off = 0;
    int     i;

    if (atomic_load_explicit(&dfx_layout_done, memory_order_acquire)) {
        return;
    }
    /* idempotent: two threads computing it at once write equal values */
    for (i = 0; i < DFX_STAT_COUNT; i++) {
        dfx_base[i] = off;
        off += dfx_dim_size(dfx_stat_descs[i].dims)
               * dfx_type_size(dfx_stat_descs[i].type);
    }
    atomic_store_explicit(&dfx_layout_done, 1, memory_order_release);
}

int
dfx_stats_code_index(int code)
{
    int  i;

    for (i = 0; i < DFX_NCODES - 1; i++) {
        if (dfx_codes[i] == code) {
            return i;
        }
    }
    return DFX_NCODES - 1;
}

static long dfx_stats_index(dfx_stat_id_t id, int exporter, int ds,
                            int reason);

/* First cell of (exporter, ds, reason) for a statistic, or -1 when a label
 * is out of range. */
static long
dfx_stats_cell(dfx_stat_id_t id, int exporter, int ds, int reason)
{
    long  i = dfx_stats_index(id, exporter, ds, reason);

    if (i < 0) {
        return -1;
    }
    return (long) dfx_base[id] + (i - (long) dfx_base[id])
           * (long) dfx_type_size(dfx_stat_descs[id].type);
}

/* Series number of (exporter, ds, reason), offset by the statistic's
 * base, or -1. */
static long
dfx_stats_index(dfx_stat_id_t id, int exporter, int ds, int reason)
{
    dfx_dim_t  d;

    if ((unsigned) id >= DFX_STAT_COUNT) {
        return -1;
    }
    dfx_stats_layout();
    d = dfx_stat_descs[id].dims;

#define DFX_IN(v, n)  ((unsigned) (v) < (unsigned) (n))
    switch (d) {
    case DFX_DIM_NONE:
        return (long) dfx_base[id];
    case DFX_DIM_CODE:
        return DFX_IN(reason, DFX_NCODES)
               ? (long) (dfx_base[id] + (size_t) reason) : -1;
    case DFX_DIM_DS:
        return DFX_IN(ds, DFX_NDS) ? (long) (dfx_base[id] + (size_t) ds) : -1;
    case DFX_DIM_REASON:
        return DFX_IN(reason, DFX_NRS)
               ? (long) (dfx_base[id] + (size_t) reason) : -1;
    case DFX_DIM_DS_REASON:
        return DFX_IN(ds, DFX_NDS) && DFX_IN(reason, DFX_NRS)
               ? (long) (dfx_base[id] + (size_t) ds * DFX_NRS
                         + (size_t) reason) : -1;
    case DFX_DIM_EXP:
        return DFX_IN(exporter, DFX_NEXP)
               ? (long) (dfx_base[id] + (size_t) exporter) : -1;
    case DFX_DIM_EXP_DS:
        return DFX_IN(exporter, DFX_NEXP) && DFX_IN(ds, DFX_NDS)
               ? (long) (dfx_base[id] + (size_t) exporter * DFX_NDS
                         + (size_t) ds) : -1;
    case DFX_DIM_EXP_DS_REASON:
        return DFX_IN(exporter, DFX_NEXP) && DFX_IN(ds, DFX_NDS)
               && DFX_IN(reason, DFX_NRS)
               ? (long) (dfx_base[id]
                         + ((size_t) exporter * DFX_NDS + (size_t) ds)
                           * DFX_NRS + (size_t) reason) : -1;
    }
#undef DFX_IN
    return -1;
}

void
dfx_stats_add(dfx_stat_id_t id, int exporter, int ds, int reason, int64_t n)
{
    long  c;

    if (id == DFX_STAT_http_requests_total) {
        reason = dfx_stats_code_index(reason);
    }
    c = dfx_stats_cell(id, exporter, ds, reason);
    if (c >= 0) {
        atomic_fetch_add_explicit(&dfx_cells[c], n, memory_order_relaxed);
    }
}

void
dfx_stats_observe(dfx_stat_id_t id, int exporter, int ds, int reason,
                  uint64_t us)
{
    long  c = dfx_stats_cell(id, exporter, ds, reason);

    if (c >= 0 && dfx_stat_descs[id].type == DFX_HISTOGRAM) {
        dfx_hist_observe(&dfx_cells[c], us);
    }
}

void
dfx_stats_observe_tally(dfx_stat_id_t id, int exporter, int ds, int reason,
                        dfx_hist_tally_t *t)
{
    long  c = dfx_stats_cell(id, exporter, ds, reason);

    if (c >= 0 && dfx_stat_descs[id].type == DFX_HISTOGRAM) {
        dfx_hist_tally_flush(&dfx_cells[c], t);
    }
}

int64_t
dfx_stats_hist_count(dfx_stat_id_t id, int exporter, int ds, int reason)
{
    long     c = dfx_stats_cell(id, exporter, ds, reason);
    int64_t  n = 0;
    int      i;

    if (c < 0 || dfx_stat_descs[id].type != DFX_HISTOGRAM) {
        return 0;
    }
    for (i = 0; i <= DFX_HIST_INF; i++) {
        n += atomic_load_explicit(&dfx_cells[c + i], memory_order_relaxed);
    }
    return n;
}

void
dfx_stats_set(dfx_stat_id_t id, int exporter, int ds, int reason, int64_t v)
{
    long  c = dfx_stats_cell(id, exporter, ds, reason);

    if (c >= 0) {
        atomic_store_explicit(&dfx_cells[c], v, memory_order_relaxed);
    }
}

int64_t
dfx_stats_get(dfx_stat_id_t id, int exporter, int ds, int reason)
{
    long  c;

    if (id == DFX_STAT_http_requests_total) {
        reason = dfx_stats_code_index(reason);
    }
    c = dfx_stats_cell(id, exporter, ds, reason);
    return c >= 0 ? atomic_load_explicit(&dfx_cells[c], memory_order_relaxed)
                  : 0;
}

void
dfx_stats_set_exporters(int n)
{
    if (n < 0) {
        n = 0;
    }
    if (n > DFX_NEXP) {
        n = DFX_NEXP;
    }
    atomic_store(&dfx_nexporters, n);
}

void
dfx_stats_exporter_name(int exporter, const char *name)
{
    int  next = !atomic_load(&dfx_exp_names_cur);

    if ((unsigned) exporter >= DFX_NEXP) {
        return;
    }
    snprintf(dfx_exp_names[next][exporter], DFX_EXP_NAME_MAX, "%s",
             name != NULL ? name : "");
}

/* The exporter label's value: its name, or its position. */
static const char *
dfx_exporter_label(int exporter, char *tmp, size_t len)
{
    const char  *n;

    n = dfx_exp_names[atomic_load(&dfx_exp_names_cur)][exporter];
    if (n[0] != '\0') {
        return n;
    }
    snprintf(tmp, len, "%d", exporter);
    return tmp;
}

const char *
dfx_stats_exporter_label(int exporter, char *tmp, size_t len)
{
    if ((unsigned) exporter >= DFX_NEXP) {
        snprintf(tmp, len, "%d", exporter);
        return tmp;
    }
    return dfx_exporter_label(exporter, tmp, len);
}

void
dfx_stats_reset(void)
{
    size_t  i;

    memset(dfx_exp_names, 0, sizeof(dfx_exp_names));
    for (i = 0; i < DFX_STATS_CELLS; i++) {
        atomic_store_explicit(&dfx_cells[i], 0, memory_order_relaxed);
        atomic_store_explicit(&dfx_declared[i], 0, memory_order_relaxed);
        dfx_pending[i] = 0;
    }
}

void
dfx_stats_scope_begin(void)
{
    memset(dfx_pending, 0, sizeof(dfx_pending));
    memset(dfx_exp_names[!atomic_load(&dfx_exp_names_cur)], 0,
           sizeof(dfx_exp_names[0]));
}

void
dfx_stats_scope_commit(void)
{
    size_t  i;

    /* cell by cell: a scrape meanwhile sees each series either declared
     * or not, and one in both sets never disappears */
    for (i = 0; i < DFX_STATS_CELLS; i++) {
        atomic_store_explicit(&dfx_declared[i], dfx_pending[i],
                              memory_order_relaxed);
    }
    atomic_store(&dfx_exp_names_cur, !atomic_load(&dfx_exp_names_cur));
}

void
dfx_stats_declare(dfx_stat_id_t id, int exporter, int ds, int reason)
{
    long  c = dfx_stats_cell(id, exporter, ds, reason);

    if (c >= 0) {
        dfx_pending[c] = 1;
    }
}

static int
dfx_dim_has_exp(dfx_dim_t d)
{
    return d == DFX_DIM_EXP || d == DFX_DIM_EXP_DS
           || d == DFX_DIM_EXP_DS_REASON;
}

static int
dfx_dim_has_ds(dfx_dim_t d)
{
    return d == DFX_DIM_DS || d == DFX_DIM_DS_REASON || d == DFX_DIM_EXP_DS
           || d == DFX_DIM_EXP_DS_REASON;
}

static int
dfx_dim_has_reason(dfx_dim_t d)
{
    return d == DFX_DIM_REASON || d == DFX_DIM_DS_REASON
           || d == DFX_DIM_EXP_DS_REASON;
}

void
dfx_stats_declare_series(int exporter, int ds)
{
    int  i, r;

    for (i = 0; i < DFX_STAT_COUNT; i++) {
        const dfx_stat_desc_t        *d = &dfx_stat_descs[i];
        const dfx_reason_set_desc_t  *rs = &dfx_reason_sets[d->reasons];

        if (d->scope != DFX_SCOPE_CONF
            || dfx_dim_has_exp(d->dims) != (exporter >= 0)
            || dfx_dim_has_ds(d->dims) != (ds >= 0))
        {
            continue;
        }
        if (!dfx_dim_has_reason(d->dims)) {
            dfx_stats_declare((dfx_stat_id_t) i, exporter, ds, -1);
            continue;
        }
        if (rs->by_conf) {
            continue;
        }
        for (r = 0; r < DFX_NRS; r++) {
            if (rs->mask & DFX_R(r)) {
                dfx_stats_declare((dfx_stat_id_t) i, exporter, ds, r);
            }
        }
    }
}

static const char *
dfx_reason_name(int r, char *tmp, size_t len)
{
    if (r < DFX_REASON_GROUP0) {
        return dfx_reason_names[r];
    }
    /* tag-filters-groups[N] */
    tmp[0] = '\0';
    if (len > 0) {
        int  n = r - DFX_REASON_GROUP0;
        char *p = tmp;

        memcpy(p, "group_", 6);
        p += 6;
        if (n >= 10) {
            *p++ = (char) ('0' + n / 10);
        }
        *p++ = (char) ('0' + n % 10);
        *p = '\0';
    }
    return tmp;
}

/* Calls fn for every series of statistic id worth rendering: not zero,
 * or existing at 0 by the statistic's scope (dfx_stats.def).  Series of
 * exporters beyond dfx_stats_set_exporters() are not rendered at all. */
typedef int (*dfx_series_fn)(void *arg, const dfx_stat_desc_t *d,
                             int exporter, int ds, int reason, int64_t v,
                             _Atomic int64_t *cells);

static int
dfx_stats_walk(dfx_stat_id_t id, dfx_series_fn fn, void *arg)
{
    const dfx_stat_desc_t  *d = &dfx_stat_descs[id];
    uint64_t                mask = dfx_reason_sets[d->reasons].mask;
    int                     ne, ns, nr, e, s, r, shown;
    long                    c;
    int64_t                 v;

    dfx_stats_layout();
    ne = dfx_dim_has_exp(d->dims) ? atomic_load(&dfx_nexporters) : 1;
    ns = dfx_dim_has_ds(d->dims) ? DFX_NDS : 1;
    nr = d->dims == DFX_DIM_CODE ? DFX_NCODES
         : dfx_dim_has_reason(d->dims) ? DFX_NRS : 1;

    for (e = 0; e < ne; e++) {
        for (s = 0; s < ns; s++) {
            for (r = 0; r < nr; r++) {
                int  le = dfx_dim_has_exp(d->dims) ? e : -1;
                int  ls = dfx_dim_has_ds(d->dims) ? s : -1;
                int  lr = nr > 1 ? r : -1;

                c = dfx_stats_cell(id, le, ls, lr);
                if (c < 0) {
                    continue;
                }
                if (d->type == DFX_HISTOGRAM) {
                    v = dfx_stats_hist_count(id, le, ls, lr);
                } else {
                    v = atomic_load_explicit(&dfx_cells[c],
                                             memory_order_relaxed);
                }
                if (d->scope == DFX_SCOPE_CONF) {
                    shown = atomic_load_explicit(&dfx_declared[c],
                                                 memory_order_relaxed);
                } else {
                    /* every code; of reasons, those of the set */
                    shown = !dfx_dim_has_reason(d->dims) || (mask & DFX_R(r));
                }
                if ((v != 0 || shown)
                    && fn(arg, d, le, ls, lr, v, &dfx_cells[c]) != 0)
                {
                    return -1;
                }
            }
        }
    }
    return 0;
}

static int
dfx_prom_series(void *arg, const dfx_stat_desc_t *d, int exporter, int ds,
                int reason, int64_t v, _Atomic int64_t *cells)
{
    dfx_buf_t   *out = arg;
    char         tmp[16], name[96], labels[160];
    const char  *sep = "{";
    int          rc = 0;

    if (d->type == DFX_HISTOGRAM) {
        /* the dimensions histograms use: none, or the exporter */
        labels[0] = '\0';
        if (exporter >= 0) {
            snprintf(labels, sizeof(labels), "exporter=\"%s\"",
                     dfx_exporter_label(exporter, tmp, sizeof(tmp)));
        }
        snprintf(name, sizeof(name), "dfexport_%s", d->name);
        return dfx_hist_prometheus(out, name, labels, cells);
    }
    rc |= dfx_buf_printf(out, "dfexport_%s", d->name);
    if (exporter >= 0) {
        rc |= dfx_buf_printf(out, "%sexporter=\"%s\"", sep,
                             dfx_exporter_label(exporter, tmp, sizeof(tmp)));
        sep = ",";
    }
    if (ds >= 0) {
        rc |= dfx_buf_printf(out, "%sdata_source=\"%s\"", sep,
                             dfx_schemas[ds]->name);
        sep = ",";
    }
    if (reason >= 0) {
        if (d->dims == DFX_DIM_CODE) {
            if (reason < DFX_NCODES - 1) {
                rc |= dfx_buf_printf(out, "%scode=\"%d\"", sep,
                                     dfx_codes[reason]);
            } else {
                rc |= dfx_buf_printf(out, "%scode=\"other\"", sep);
            }
        } else {
            rc |= dfx_buf_printf(out, "%sreason=\"%s\"", sep,
                                 dfx_reason_name(reason, tmp, sizeof(tmp)));
        }
        sep = ",";
    }
    if (sep[0] == ',') {
        rc |= dfx_buf_putc(out, '}');
    }
    rc |= dfx_buf_printf(out, " %lld\n", (long long) v);
    return rc ? -1 : 0;
}

int
dfx_stats_prom_label(dfx_buf_t *out, const char *sep, const char *name,
                     const char *v)
{
    int  rc = dfx_buf_printf(out, "%s%s=\"", sep, name);

    for (; *v != '\0' && rc == 0; v++) {
        if (*v == '\\' || *v == '"') {
            rc = dfx_buf_printf(out, "\\%c", *v);
        } else if (*v == '\n') {
            rc = dfx_buf_printf(out, "\\n");
        } else {
            rc = dfx_buf_putc(out, *v);
        }
    }
    return rc != 0 ? -1 : dfx_buf_putc(out, '"');
}

int
dfx_stats_prometheus(dfx_buf_t *out)
{
    int  i;

    for (i = 0; i < DFX_STAT_COUNT; i++) {
        const dfx_stat_desc_t  *d = &dfx_stat_descs[i];

        if (dfx_buf_printf(out, "# HELP dfexport_%s %s\n# TYPE dfexport_%s %s\n",
                           d->name, d->help, d->name,
                           d->type == DFX_COUNTER ? "counter"
                           : d->type == DFX_GAUGE ? "gauge"
                           : "histogram") != 0
            || dfx_stats_walk((dfx_stat_id_t) i, dfx_prom_series, out) != 0)
        {
            return -1;
        }
    }
    return dfx_process_prometheus(out);
}

typedef struct {
    dfx_buf_t  *out;
    int         first;
} dfx_json_walk_t;

static int
dfx_json_series(void *arg, const dfx_stat_desc_t *d, int exporter, int ds,
                int reason, int64_t v, _Atomic int64_t *cells)
{
    dfx_json_walk_t  *w = arg;
    char              label[160], tmp[16];
    size_t            n = 0;
    int               r;

    /* one flat object per statistic; labels joined with "/" as the key */
    label[0] = '\0';
    if (exporter >= 0) {
        r = snprintf(label + n, sizeof(label) - n, "%s",
                     dfx_exporter_label(exporter, tmp, sizeof(tmp)));
        n += r > 0 ? (size_t) r : 0;
    }
    if (ds >= 0) {
        r = snprintf(label + n, sizeof(label) - n, "%s%s", n ? "/" : "",
                     dfx_schemas[ds]->name);
        n += r > 0 ? (size_t) r : 0;
    }
    if (reason >= 0 && n < sizeof(label)) {
        if (d->dims == DFX_DIM_CODE) {
            if (reason < DFX_NCODES - 1) {
                snprintf(label + n, sizeof(label) - n, "%s%d", n ? "/" : "",
                         dfx_codes[reason]);
            } else {
                snprintf(label + n, sizeof(label) - n, "%sother",
                         n ? "/" : "");
            }
        } else {
            snprintf(label + n, sizeof(label) - n, "%s%s", n ? "/" : "",
                     dfx_reason_name(reason, tmp, sizeof(tmp)));
        }
    }

    if (d->dims == DFX_DIM_NONE) {
        return d->type == DFX_HISTOGRAM
               ? dfx_hist_json(w->out, cells)
               : dfx_buf_printf(w->out, "%lld", (long long) v);
    }
    r = dfx_buf_printf(w->out, "%s\"%s\":", w->first ? "" : ",", label);
    w->first = 0;
    if (r != 0) {
        return r;
    }
    return d->type == DFX_HISTOGRAM
           ? dfx_hist_json(w->out, cells)
           : dfx_buf_printf(w->out, "%lld", (long long) v);
}

int
dfx_stats_json(dfx_buf_t *out)
{
    dfx_json_walk_t  w;
    int              i;

    for (i = 0; i < DFX_STAT_COUNT; i++) {
        const dfx_stat_desc_t  *d = &dfx_stat_descs[i];

        w.out = out;
        w.first = 1;
        if (dfx_buf_printf(out, "%s\"%s\":%s", i ? "," : "", d->name,
                           d->dims == DFX_DIM_NONE ? "" : "{") != 0
            || dfx_stats_walk((dfx_stat_id_t) i, dfx_json_series, &w) != 0
            || (d->dims != DFX_DIM_NONE && dfx_buf_putc(out, '}') != 0))
        {
            return -1;
        }
    }
    return dfx_process_json(out);
}
