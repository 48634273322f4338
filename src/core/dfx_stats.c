/*
 * dfx_stats.c: storage and rendering of the statistics in dfx_stats.def.
 *
 * Each statistic owns a slice of one static array of relaxed atomics,
 * sized by its dimensions.  Rendering walks the same table, so Prometheus
 * text, /stats JSON and the documentation cannot disagree.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

typedef enum { DFX_COUNTER = 0, DFX_GAUGE } dfx_stat_type_t;

typedef struct dfx_stat_desc_s {
    const char       *name;
    const char       *help;
    dfx_stat_type_t   type;
    dfx_dim_t         dims;
} dfx_stat_desc_t;

static const dfx_stat_desc_t  dfx_stat_descs[DFX_STAT_COUNT] = {
#define DFX_STAT(name, type, dims, help)                                    \
    { #name, help, DFX_##type, DFX_DIM_##dims },
#include "dfx_stats.def"
#undef DFX_STAT
};

static const int  dfx_codes[] = {
    200, 202, 400, 404, 405, 408, 411, 413, 415, 422, 429, 500, 503,
};
#define DFX_NCODES  ((int) (sizeof(dfx_codes) / sizeof(dfx_codes[0])) + 1)

static const char *const  dfx_reason_names[DFX_REASON_GROUP0] = {
    "too_large", "budget", "shutting_down", "ok", "error", "tag_filters",
    "connect", "timeout", "http", "stream", "columns", "kafka", "checkpoint",
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

enum {
    DFX_STATS_CELLS = 0
#define DFX_STAT(name, type, dims, help)  + DFX_DIMSZ_##dims
#include "dfx_stats.def"
#undef DFX_STAT
};

static _Atomic int64_t  dfx_cells[DFX_STATS_CELLS];
static size_t           dfx_base[DFX_STAT_COUNT];
static atomic_int       dfx_layout_done;
static atomic_int       dfx_nexporters;

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
        off += dfx_dim_size(dfx_stat_descs[i].dims);
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

/* Cell of (exporter, ds, reason) for a statistic, or -1 when a label is
 * out of range. */
static long
dfx_stats_cell(dfx_stat_id_t id, int exporter, int ds, int reason)
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
dfx_stats_reset(void)
{
    size_t  i;

    for (i = 0; i < DFX_STATS_CELLS; i++) {
        atomic_store_explicit(&dfx_cells[i], 0, memory_order_relaxed);
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

/* Calls emit for every series of statistic id worth rendering. */
typedef int (*dfx_series_fn)(void *arg, const dfx_stat_desc_t *d,
                             int exporter, int ds, int reason, int64_t v);

static int
dfx_stats_walk(dfx_stat_id_t id, dfx_series_fn fn, void *arg)
{
    const dfx_stat_desc_t  *d = &dfx_stat_descs[id];
    int                     nexp = atomic_load(&dfx_nexporters);
    int                     e, s, r;
    int64_t                 v;

#define DFX_V(e_, s_, r_)                                                   \
    atomic_load_explicit(&dfx_cells[dfx_stats_cell(id, e_, s_, r_)],        \
                         memory_order_relaxed)

    dfx_stats_layout();
    switch (d->dims) {
    case DFX_DIM_NONE:
        return fn(arg, d, -1, -1, -1, DFX_V(-1, -1, -1));
    case DFX_DIM_CODE:
        for (r = 0; r < DFX_NCODES; r++) {
            v = DFX_V(-1, -1, r);
            if (v != 0 && fn(arg, d, -1, -1, r, v) != 0) {
                return -1;
            }
        }
        return 0;
    case DFX_DIM_DS:
        for (s = 0; s < DFX_NDS; s++) {
            if (fn(arg, d, -1, s, -1, DFX_V(-1, s, -1)) != 0) {
                return -1;
            }
        }
        return 0;
    case DFX_DIM_REASON:
        for (r = 0; r < DFX_NRS; r++) {
            v = DFX_V(-1, -1, r);
            if (v != 0 && fn(arg, d, -1, -1, r, v) != 0) {
                return -1;
            }
        }
        return 0;
    case DFX_DIM_DS_REASON:
        for (s = 0; s < DFX_NDS; s++) {
            for (r = 0; r < DFX_NRS; r++) {
                v = DFX_V(-1, s, r);
                if (v != 0 && fn(arg, d, -1, s, r, v) != 0) {
                    return -1;
                }
            }
        }
        return 0;
    case DFX_DIM_EXP:
        for (e = 0; e < nexp; e++) {
            if (fn(arg, d, e, -1, -1, DFX_V(e, -1, -1)) != 0) {
                return -1;
            }
        }
        return 0;
    case DFX_DIM_EXP_DS:
        for (e = 0; e < nexp; e++) {
            for (s = 0; s < DFX_NDS; s++) {
                v = DFX_V(e, s, -1);
                if (v != 0 && fn(arg, d, e, s, -1, v) != 0) {
                    return -1;
                }
            }
        }
        return 0;
    case DFX_DIM_EXP_DS_REASON:
        for (e = 0; e < nexp; e++) {
            for (s = 0; s < DFX_NDS; s++) {
                for (r = 0; r < DFX_NRS; r++) {
                    v = DFX_V(e, s, r);
                    if (v != 0 && fn(arg, d, e, s, r, v) != 0) {
                        return -1;
                    }
                }
            }
        }
        return 0;
    }
#undef DFX_V
    return 0;
}

static int
dfx_prom_series(void *arg, const dfx_stat_desc_t *d, int exporter, int ds,
                int reason, int64_t v)
{
    dfx_buf_t   *out = arg;
    char         tmp[16];
    const char  *sep = "{";
    int          rc = 0;

    rc |= dfx_buf_printf(out, "dfexport_%s", d->name);
    if (exporter >= 0) {
        rc |= dfx_buf_printf(out, "%sexporter=\"%d\"", sep, exporter);
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
dfx_stats_prometheus(dfx_buf_t *out)
{
    int  i;

    for (i = 0; i < DFX_STAT_COUNT; i++) {
        const dfx_stat_desc_t  *d = &dfx_stat_descs[i];

        if (dfx_buf_printf(out, "# HELP dfexport_%s %s\n# TYPE dfexport_%s %s\n",
                           d->name, d->help, d->name,
                           d->type == DFX_COUNTER ? "counter" : "gauge") != 0
            || dfx_stats_walk((dfx_stat_id_t) i, dfx_prom_series, out) != 0)
        {
            return -1;
        }
    }
    return 0;
}

typedef struct {
    dfx_buf_t  *out;
    int         first;
} dfx_json_walk_t;

static int
dfx_json_series(void *arg, const dfx_stat_desc_t *d, int exporter, int ds,
                int reason, int64_t v)
{
    dfx_json_walk_t  *w = arg;
    char              label[96], tmp[16];
    size_t            n = 0;
    int               r;

    /* one flat object per statistic; labels joined with "/" as the key */
    label[0] = '\0';
    if (exporter >= 0) {
        r = snprintf(label + n, sizeof(label) - n, "%d", exporter);
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
        return dfx_buf_printf(w->out, "%lld", (long long) v);
    }
    r = dfx_buf_printf(w->out, "%s\"%s\":%lld", w->first ? "" : ",", label,
                       (long long) v);
    w->first = 0;
    return r;
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
    return 0;
}
