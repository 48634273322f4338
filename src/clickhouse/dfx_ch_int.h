/*
 * dfx_ch_int.h: what the files of src/clickhouse share.
 *
 * dfx_ch_follow.c      the source: followers, their thread, windows,
 *                      checkpoints, backoff
 * dfx_ch_columns.c     a table's columns, and the SELECT made of them
 * dfx_ch_status.c      /stats and /readyz
 * dfx_ch_dict.c        the universal-tag dictionary from flow_tag
 * dfx_ch_push.c        --push-sql
 * dfx_ch_emit.c        one window's rows: parser, chains, Kafka, and the
 *                      acknowledgement of the whole window
 * dfx_ch_client.c      ClickHouse's HTTP interface (libcurl)
 * dfx_ch_sql.c         the SQL, from schemas and column types
 * dfx_ch_checkpoint.c  checkpoint files
 *
 * Threads: the followers' thread owns everything below except the fields
 * marked "under lock", which /stats, /readyz and the delivery thread
 * (the window's acknowledgement) read or write with the source's lock.
 */
#ifndef DFX_CH_INT_H
#define DFX_CH_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <event2/event.h>

#include "dfx_buf.h"
#include "dfx_ch.h"
#include "dfx_ch_client.h"
#include "dfx_ch_sql.h"
#include "dfx_cycle.h"
#include "dfx_kafka.h"
#include "dfx_module.h"
#include "dfx_pool.h"
#include "dfx_record_parse.h"
#include "dfx_stats.h"

#define DFX_CH_SOURCE_MAGIC  0x64666368u    /* "dfch" */

typedef enum {
    DFX_CH_ST_STARTING = 0,
    DFX_CH_ST_CAUGHT_UP,        /* waiting for the next window to settle */
    DFX_CH_ST_READING,          /* a query streams */
    DFX_CH_ST_KAFKA,            /* waiting for Kafka's acknowledgement */
    DFX_CH_ST_BACKOFF,          /* a try failed; waiting to try again */
    DFX_CH_ST_NO_EXPORTER,      /* no enabled exporter takes it now */
    DFX_CH_ST_DONE,             /* backfill: the range is covered */
    DFX_CH_ST_COUNT
} dfx_ch_state_t;

typedef struct dfx_ch_follower_s {
    int                  ds;
    const dfx_schema_t  *schema;
    unsigned             org;
    char                 db[64];
    char                 table[96];
    char                *path;          /* checkpoint file */

    int64_t              until;         /* backfill end; 0: follow */
    int64_t              retry_at;      /* backoff: not before */
    unsigned             backoff;       /* seconds, 0 after a success */
    int                  described;     /* sel is built */
    dfx_ch_select_t      sel;
    dfx_ch_err_t         logged;        /* the failure last logged */
    unsigned             failures;      /* tries failed in a row */

    /* under lock */
    int64_t              next;          /* checkpoint: next window start */
    dfx_ch_state_t       state;
    uint64_t             rows;
    uint64_t             windows;
    uint64_t             rejected;
    uint64_t             errors;
    int                  reachable;     /* last try reached ClickHouse */
    char                 last_error[256];
} dfx_ch_follower_t;

/* One exporter's chain for the window's data source. */
typedef struct dfx_ch_route_s {
    const dfx_route_t   *route;
    dfx_rec_ctx_t        rc;
    dfx_buf_t            out;
    unsigned             rr;            /* next producer */
    unsigned             np;
    uint32_t             filtered;
    int                  used;          /* sent something this window */
    int                  ok;            /* the row's chain: 1 message,
                                         * -1 dropped, 0 neither yet */
    size_t               max_msg;       /* key + value Kafka takes */
    long                 max_bytes;     /* message.max.bytes, for errors */
} dfx_ch_route_t;

/* The window being read. */
typedef struct dfx_ch_window_s {
    dfx_ch_follower_t   *f;
    int64_t              from;
    int64_t              to;
    dfx_cycle_t         *cycle;
    const dfx_dict_t    *dict;
    dfx_ch_route_t       routes[DFX_STATS_MAX_EXPORTERS];
    size_t               nroutes;

    uint64_t             rows;
    uint64_t             msgs;
    uint64_t             rejected;
    dfx_ch_err_t         err;           /* why the emit side stopped */
    char                 msg[256];
    char                 sample[256];   /* the first rejected row's why */

    /* counters not yet added (flushed every few thousand rows) */
    uint64_t             c_rows;
    uint64_t             c_accepted;
    uint64_t             c_filtered;
    uint64_t             c_rejected;
    uint64_t             c_unknown;

    /* the acknowledgement of every message of the window: pending holds
     * one extra unit while rows are still coming */
    dfx_kafka_ack_t      ack;
    int                  acked;         /* under lock */
} dfx_ch_window_t;

struct dfx_ch_source_s {
    uint32_t             magic;

    /* the settings, copied: the conf goes away with its cycle */
    dfx_conf_clickhouse_t  cc;
    char                  *url;
    char                  *user;
    char                  *password;
    char                  *ca;
    int64_t                settle;
    int64_t                window;
    int64_t                retry_max;
    size_t                 line_max;
    dfx_parse_limits_t     plim;

    dfx_ch_follower_t     *followers;
    size_t                 nfollowers;
    int                    backfill;
    int                    progress;
    int64_t                bf_from;
    int64_t                bf_to;
    struct event          *done_ev;

    pthread_t              thread;
    int                    started;
    atomic_int             stop;
    pthread_mutex_t        lock;
    pthread_cond_t         cond;        /* stop, window acknowledged */

    dfx_ch_client_t       *client;
    dfx_record_parser_t   *parser;
    dfx_pool_t            *pool;
    dfx_buf_t              sql;
    dfx_buf_t              carry;       /* a row cut between two reads */
    dfx_ch_window_t        w;
    int                    complete;    /* backfill covered its range */

    /* progress of a backfill */
    int64_t                t_start;
    uint64_t               bf_rows;

    /* the dictionary from flow_tag (dictionary-refresh) */
    int64_t                dict_refresh;    /* seconds; 0 = off */
    unsigned               dict_org;
    int64_t                dict_due;
    int                    dict_failed;     /* the last load failed */
    int                    dict_loaded;     /* under lock: one load was ok */
    char                   dict_error[512]; /* under lock */
};

/* dfx_ch_columns.c */
/* Gathers a small answer (a dfx_ch_data_cb): at most max bytes. */
typedef struct dfx_ch_gather_s {
    dfx_buf_t  body;
    size_t     max;
} dfx_ch_gather_t;
int dfx_ch_gather(void *arg, const char *data, size_t len);
/* Reads the columns of db.table and builds sel for schema s and org.
 * Returns DFX_CH_OK, or a reason with msg. */
dfx_ch_err_t dfx_ch_describe_table(dfx_ch_client_t *c, const dfx_schema_t *s,
                                   unsigned org, const char *db,
                                   const char *table, dfx_ch_select_t *sel,
                                   char *msg, size_t msglen);

/* dfx_ch_status.c */
/* Makes s the source /stats and /readyz show (on), or forgets it. */
void dfx_ch_status_set(dfx_ch_source_t *s, int on);

/* dfx_ch_follow.c */
/* The data sources read: dfexport.clickhouse.data-sources, or every one
 * an enabled exporter takes (event.perf_event only when named).  A bit
 * per dfx_ds_id_t. */
uint32_t dfx_ch_data_sources(const dfx_conf_t *conf);

/* dfx_ch_dict.c */
/* Builds the universal-tag dictionary from org's flow_tag dictionaries
 * and publishes it.  Returns 0 with msg saying what was loaded, or -1
 * with msg saying why not (the dictionary in use stays). */
int dfx_ch_dict_load(dfx_ch_client_t *c, unsigned org, char *msg,
                     size_t msglen);

/* dfx_ch_emit.c */
/* Sets w up for f's window [from, to) on the current cycle: 0; or 1 when
 * no enabled exporter takes the data source now (nothing held). */
int dfx_ch_window_begin(dfx_ch_source_t *s, dfx_ch_follower_t *f,
                        int64_t from, int64_t to);
/* The query's answer, in pieces (dfx_ch_data_cb). */
int dfx_ch_window_data(void *arg, const char *data, size_t len);
/* Ends the rows (complete: the answer ended well, a row left without
 * its newline counts; else it is dropped), flushes counters, gives up the
 * extra ack unit and waits until Kafka reported every message sent (or
 * stop): a window is never tried again while messages of an earlier try
 * still point at its ack.  Returns DFX_CH_OK, the last row's failure,
 * DFX_CH_ERR_KAFKA with w.msg, or DFX_CH_ERR_STOPPED. */
dfx_ch_err_t dfx_ch_window_finish(dfx_ch_source_t *s, int complete);
/* Drops what the window holds (cycle, dictionary). */
void dfx_ch_window_end(dfx_ch_source_t *s);
/* The delivery side of a window's ack. */
void dfx_ch_window_acked(dfx_kafka_ack_t *ack);

#endif /* DFX_CH_INT_H */
