/*
 * dfx_record_parse.h: JSON text -> validated record slots, streaming.
 *
 * yajl's event parser feeds each member straight into the slot of the
 * field it names; nothing is built in between.  Validation follows the
 * input rules: integers only for integer fields and within their range
 * (uint64 exact up to 2^64-1, through yajl's number callback), bools as
 * true/false/0/1, null only for nullable fields, IPv4/IPv6/MAC syntax,
 * valid UTF-8.  Unknown members are skipped and counted.  Two members
 * naming the same field reject the record.
 *
 * Those are the strict rules, the default.  The ClickHouse dialect reads
 * JSON as ClickHouse writes it (JSONEachRow, doc/clickhouse.md "The
 * ClickHouse dialect"): quoted 64-bit integers, integral Float64 values,
 * DateTime and DateTime64 text in a named time zone, MACs as UInt64,
 * NaN as null in float arrays.  It only adds forms that the strict rules
 * refuse, so the strict path costs nothing more.
 *
 * A parser is reusable and belongs to one thread.
 */
#ifndef DFX_RECORD_PARSE_H
#define DFX_RECORD_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_pool.h"
#include "dfx_record.h"

typedef struct dfx_record_parser_s dfx_record_parser_t;

/* Returned when a limit (depth, records) was passed: the caller answers
 * 413 for the whole request. */
#define DFX_LIMIT  -10

typedef struct dfx_parse_limits_s {
    uint32_t  depth;        /* deepest nesting of {} and [] in a record */
    uint32_t  records;      /* records in one JSON array body */
    uint32_t  elements;     /* elements of one array value (0: no limit);
                             * past it the record is rejected */
} dfx_parse_limits_t;

/* Called for every record of a JSON body, valid (err == NULL) or not
 * (rec->index set, err says why).  Return 0 to go on, -1 to stop the
 * parse (dfx_record_parse_json then returns DFX_ERROR with err->msg ""). */
typedef int (*dfx_record_cb)(void *arg, dfx_record_t *rec,
                             const dfx_record_err_t *err);

dfx_record_parser_t *dfx_record_parser_create(const dfx_parse_limits_t *lim);
void dfx_record_parser_destroy(dfx_record_parser_t *p);

typedef enum {
    DFX_DIALECT_STRICT = 0,     /* the documented input rules (default) */
    DFX_DIALECT_CLICKHOUSE,     /* JSON as ClickHouse writes it */
} dfx_dialect_t;

/* The zones a parser keeps loaded (the most recently used ones). */
#define DFX_RP_ZONES  8

/* Chooses how the parser reads values from now on.  tz names the time
 * zone of DateTime text ("Asia/Shanghai", "UTC", ...; NULL = UTC), read
 * from the system's zoneinfo (TZif files under /usr/share/zoneinfo, or
 * $TZDIR).  Returns 0, or -1 with errbuf saying why (unknown zone).
 *
 * tz matters to DFX_DIALECT_CLICKHOUSE only (it is not even loaded for
 * DFX_DIALECT_STRICT).  A zone is read from its file once and kept by the
 * parser, so switching among a few zones costs a string compare; a new
 * one reads a file.  On -1 the parser keeps its dialect and zone. */
int dfx_record_parser_set_dialect(dfx_record_parser_t *p, dfx_dialect_t d,
                                  const char *tz, char *errbuf, size_t errlen);

/* With on, records list the names of their unknown members
 * (rec->unknown_names, from the pool): dry runs.  Off by default. */
void dfx_record_parser_keep_unknown(dfx_record_parser_t *p, int on);

/* Parses one NDJSON line that must hold exactly one JSON object.  rec is
 * filled (slots from pool) and DFX_OK returned; or DFX_ERROR with err
 * (syntax or validation; err->column points into the line); or DFX_LIMIT
 * with err.  rec->index and rec->line are left to the caller. */
int dfx_record_parse_line(dfx_record_parser_t *p, const dfx_schema_t *s,
                          const char *line, size_t len, dfx_pool_t *pool,
                          dfx_record_t *rec, dfx_record_err_t *err);

/* Parses a JSON body: one object, or an array of objects.  Calls cb for
 * each record in order.  A record lives in pool until the next element
 * of the array begins (pool is reset then), the last one until the
 * caller resets pool: cb must be done with a record when it returns.
 * Returns DFX_OK when the body was valid JSON of that shape (even if
 * every record was invalid); DFX_ERROR with err when it was not (the
 * caller answers 400); DFX_LIMIT with err when a limit was passed
 * (413). */
int dfx_record_parse_json(dfx_record_parser_t *p, const dfx_schema_t *s,
                          const char *body, size_t len, dfx_pool_t *pool,
                          dfx_record_cb cb, void *arg, dfx_record_err_t *err);

#endif /* DFX_RECORD_PARSE_H */
