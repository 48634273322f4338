/*
 * dfx_ch_sql.h: the SQL dfexport sends to ClickHouse, made from the
 * data-source schemas and the column types the server reports.
 *
 * The SELECT converts in ClickHouse what every supported version can
 * convert (DateTime -> unix seconds, DateTime64 -> microseconds, UInt64
 * MAC -> text, UInt32 IPv4 -> text) so that rows arrive in the strict
 * input form; columns the exporter has no field for are not read at all.
 * Follow, backfill and the push SQL share this one mapping, so they
 * cannot disagree.
 */
#ifndef DFX_CH_SQL_H
#define DFX_CH_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_buf.h"
#include "dfx_schema.h"

/* One column of a table, as system.columns lists it. */
typedef struct dfx_ch_column_s {
    char  *name;
    char  *type;
} dfx_ch_column_t;

typedef struct dfx_ch_select_s {
    dfx_buf_t   outer;      /* "expr AS `name`, ..." over the subquery */
    dfx_buf_t   inner;      /* "`col`, ..." read from the table */
    dfx_buf_t   types;      /* "`name` Type, ..." of what outer makes */
    unsigned    nread;      /* columns read */
    unsigned    nignored;   /* columns with no field (ClickHouse-only) */
    unsigned    nmissing;   /* fields with no column: zero values */
    char        ignored[160];   /* their names, for the log, cut */
    char        missing[160];
} dfx_ch_select_t;

/* The database and table of a data source for an org (DeepFlow's names:
 * org 1 reads flow_log, org 2 reads 0002_flow_log; `local` adds _local,
 * the table DeepFlow inserts into).  Returns 0, or -1 when the data
 * source has no ClickHouse table. */
int dfx_ch_table(int ds, unsigned org, int local, char *db, size_t dblen,
                 char *table, size_t tlen);

/* Builds the select lists reading cols into schema s for org.  Returns
 * 0; or -1 with msg naming the column whose type cannot become its
 * field, or ENOMEM.  sel's buffers are reset first; free them with
 * dfx_ch_select_free(). */
int dfx_ch_select(const dfx_schema_t *s, const dfx_ch_column_t *cols,
                  size_t ncols, unsigned org, dfx_ch_select_t *sel,
                  char *msg, size_t msglen);
void dfx_ch_select_free(dfx_ch_select_t *sel);

/* Appends `name` with backquotes escaped. */
int dfx_ch_quote_ident(dfx_buf_t *b, const char *name);

/* The query of one window [from, to) of a table. */
int dfx_ch_window_sql(dfx_buf_t *b, const dfx_ch_select_t *sel,
                      const char *db, const char *table, int64_t from,
                      int64_t to);

/* The query that lists a table's columns (name, type), JSONEachRow. */
int dfx_ch_columns_sql(dfx_buf_t *b, const char *db, const char *table);

#endif /* DFX_CH_SQL_H */
