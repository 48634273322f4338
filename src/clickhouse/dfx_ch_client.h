/*
 * dfx_ch_client.h: queries over ClickHouse's HTTP interface, streamed.
 *
 * A client is a libcurl easy handle used by one thread (a follower's):
 * the query is POSTed, the answer's bytes are handed to a callback as
 * they arrive, so a window of any size passes through bounded memory and
 * TCP flow control slows ClickHouse down while Kafka is behind.  Why
 * libcurl in a thread of its own rather than libevent's client: see
 * doc/clickhouse.md ("The HTTP client").
 */
#ifndef DFX_CH_CLIENT_H
#define DFX_CH_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>

#include "dfx_conf.h"

typedef struct dfx_ch_client_s dfx_ch_client_t;

/* Why a query failed: the values of clickhouse_errors_total's reason. */
typedef enum {
    DFX_CH_OK = 0,
    DFX_CH_ERR_CONNECT,     /* no connection (refused, DNS, TLS) */
    DFX_CH_ERR_TIMEOUT,     /* connect or stalled answer past timeout */
    DFX_CH_ERR_HTTP,        /* ClickHouse answered an error status */
    DFX_CH_ERR_STREAM,      /* the answer broke off or carried an error */
    DFX_CH_ERR_COLUMNS,     /* a table or column dfexport cannot read */
    DFX_CH_ERR_KAFKA,       /* Kafka did not take every message */
    DFX_CH_ERR_CHECKPOINT,  /* the checkpoint file could not be written */
    DFX_CH_ERR_STOPPED,     /* dfexport is stopping (not an error) */
    DFX_CH_ERR_COUNT
} dfx_ch_err_t;

/* The reason label of each dfx_ch_err_t. */
extern const char *const dfx_ch_err_names[DFX_CH_ERR_COUNT];

/* Receives the answer's body, in pieces as they arrive.  Returns 0 to go
 * on, -1 to abort the query (which then fails with DFX_CH_ERR_STREAM,
 * unless the callback set another reason through its own state). */
typedef int (*dfx_ch_data_cb)(void *arg, const char *data, size_t len);

/* A client for the conf's url, user, password and CA.  stop is polled
 * at least once a second during a query: when it becomes non-zero the
 * query ends with DFX_CH_ERR_STOPPED.  NULL on failure (logged). */
dfx_ch_client_t *dfx_ch_client_create(const dfx_conf_clickhouse_t *cc,
                                      const atomic_int *stop);
void dfx_ch_client_destroy(dfx_ch_client_t *c);

/* Runs sql (settings go in the URL, the only place 18.16 takes them);
 * the body of a 200 answer goes to cb.  Returns DFX_CH_OK, or a reason
 * with msg saying what happened (ClickHouse's own message for an error
 * status, first line only). */
dfx_ch_err_t dfx_ch_client_query(dfx_ch_client_t *c, const char *sql,
                                 dfx_ch_data_cb cb, void *arg,
                                 char *msg, size_t msglen);

#endif /* DFX_CH_CLIENT_H */
