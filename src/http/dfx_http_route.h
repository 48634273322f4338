/*
 * dfx_http_route.h: which endpoint a request path names, and the query
 * parameters of an ingest request.
 *
 * Paths are compared as sent (no percent-decoding): every name dfexport
 * serves is plain ASCII, so an encoded spelling simply matches nothing.
 */
#ifndef DFX_HTTP_ROUTE_H
#define DFX_HTTP_ROUTE_H

#include <stddef.h>

#include "dfx_str.h"
#include "dfx_tz.h"

typedef enum {
    DFX_HTTP_EP_NONE = 0,       /* 404 */
    DFX_HTTP_EP_INGEST,         /* /v1/ingest/<data-source> */
    DFX_HTTP_EP_HEALTHZ,
    DFX_HTTP_EP_READYZ,
    DFX_HTTP_EP_METRICS,
    DFX_HTTP_EP_STATS,
    DFX_HTTP_EP_DICTIONARY,     /* /v1/dictionary */
} dfx_http_ep_t;

/* The endpoint of path (without its query).  For DFX_HTTP_EP_INGEST, *ds
 * is the data-source part (may be empty or hold any bytes: the caller
 * looks it up). */
dfx_http_ep_t dfx_http_route(const char *path, dfx_str_t *ds);

typedef enum {
    DFX_HTTP_FORMAT_JSON = 0,       /* the strict input rules */
    DFX_HTTP_FORMAT_CLICKHOUSE,     /* JSON as ClickHouse writes it */
} dfx_http_format_t;

typedef struct dfx_http_query_s {
    int   ack;          /* dfx_ack_mode_t, or -1: the configured default */
    int   dry_run;      /* 0 or 1 */
    int   pretty;       /* 0 or 1: dry-run answers indented */
    int   format;       /* dfx_http_format_t */
    char  tz[DFX_TZ_NAME_MAX + 1];  /* percent-decoded; "" when absent */
} dfx_http_query_t;

/* Parses an ingest query string (NULL or "" = none): ack=queued|kafka,
 * dry_run=1|0|true|false (a bare "dry_run" means 1), pretty=1|0|true|
 * false (likewise; indents dry-run answers), format=json|
 * clickhouse, tz=ZONE (percent-encoding decoded; only with
 * format=clickhouse; whether the zone exists is for the parser to say).
 * Returns 0, or -1 with err saying which parameter was unknown, repeated
 * or bad. */
int dfx_http_query_parse(const char *query, dfx_http_query_t *q, char *err,
                         size_t errlen);

#endif /* DFX_HTTP_ROUTE_H */
