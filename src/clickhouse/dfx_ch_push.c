/*
 * dfx_ch_push.c: dfexport --push-sql URL, the SQL that makes ClickHouse
 * POST every row DeepFlow inserts to dfexport.
 *
 * For each org and data source the followers would read, it asks the
 * ClickHouse of dfexport.clickhouse for the columns of DeepFlow's
 * `<table>_local` (the table DeepFlow inserts into) and prints a URL
 * table and a materialized view on it.  The view's SELECT is the
 * followers' own (dfx_ch_select), so push, follow and backfill read a
 * row the same way; the URL names ?format=clickhouse, whose dialect
 * reads the quoted 64-bit integers ClickHouse writes by default, so no
 * format setting is needed on the URL table (old servers ignore them
 * there).  Nothing is run on ClickHouse: the operator reviews the SQL,
 * adds ON CLUSTER where DeepFlow has several nodes, and runs it.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dfx_ch_int.h"
#include "dfx_log.h"

/* Prints a quoted identifier. */
static void
dfx_ch_push_ident(FILE *out, const char *name)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    if (dfx_ch_quote_ident(&b, name) == 0) {
        fwrite(b.data, 1, b.len, out);
    }
    dfx_buf_free(&b);
}

static int
dfx_ch_push_one(dfx_ch_client_t *c, const dfx_schema_t *s, unsigned org,
                const char *target, FILE *out)
{
    dfx_ch_select_t   sel;
    dfx_buf_t         sql = DFX_BUF_INIT;
    char              db[64], table[96], name[160], msg[512];
    int               rc = -1;

    memset(&sel, 0, sizeof(sel));
    if (dfx_ch_table(s->id, org, 1, db, sizeof(db), table, sizeof(table))
        != 0)
    {
        return 0;
    }
    if (dfx_ch_describe_table(c, s, org, db, table, &sel, msg, sizeof(msg))
        != DFX_CH_OK)
    {
        fprintf(stderr, "dfexport: --push-sql: org %u %s: %s\n", org,
                s->name, msg);
        goto done;
    }

    snprintf(name, sizeof(name), "org%u.%s", org, s->name);
    fprintf(out, "\n-- org %u, %s: every row inserted into %s.%s\n"
            "CREATE TABLE IF NOT EXISTS dfexport.", org, s->name, db, table);
    dfx_ch_push_ident(out, name);
    fprintf(out, " (%.*s)\nENGINE = URL('%s/v1/ingest/%s?format=clickhouse', "
            "JSONEachRow);\n", (int) sel.types.len, sel.types.data, target,
            s->name);
    fprintf(out, "CREATE MATERIALIZED VIEW IF NOT EXISTS dfexport.");
    snprintf(name, sizeof(name), "org%u.%s.mv", org, s->name);
    dfx_ch_push_ident(out, name);
    fprintf(out, "\nTO dfexport.");
    snprintf(name, sizeof(name), "org%u.%s", org, s->name);
    dfx_ch_push_ident(out, name);
    fprintf(out, "\nAS SELECT %.*s\nFROM (SELECT %.*s FROM ",
            (int) sel.outer.len, sel.outer.data, (int) sel.inner.len,
            sel.inner.data);
    dfx_ch_push_ident(out, db);
    fputc('.', out);
    dfx_ch_push_ident(out, table);
    fprintf(out, ");\n");
    rc = 0;

done:
    dfx_ch_select_free(&sel);
    dfx_buf_free(&sql);
    return rc;
}

int
dfx_ch_push_sql(const dfx_conf_t *conf, const char *target, FILE *out)
{
    const dfx_conf_clickhouse_t  *cc = &conf->main.clickhouse;
    static atomic_int             never;
    dfx_ch_client_t              *c;
    uint32_t                      mask;
    size_t                        o;
    int                           ds, rc = 0;
    size_t                        tlen = strlen(target);

    if (cc->url.v[0] == '\0') {
        fprintf(stderr, "dfexport: --push-sql: dfexport.clickhouse.url is "
                "not set: it names the ClickHouse whose tables the SQL is "
                "for\n");
        return -1;
    }
    if ((strncmp(target, "http://", 7) != 0
         && strncmp(target, "https://", 8) != 0)
        || strpbrk(target, "'\\?") != NULL
        || (tlen > 0 && target[tlen - 1] == '/'))
    {
        fprintf(stderr, "dfexport: --push-sql: expected dfexport's ingest "
                "URL as ClickHouse reaches it (http://HOST:PORT), got "
                "\"%s\"\n", target);
        return -1;
    }
    mask = dfx_ch_data_sources(conf);
    if (mask == 0) {
        fprintf(stderr, "dfexport: --push-sql: no enabled exporter takes a "
                "data source\n");
        return -1;
    }
    atomic_init(&never, 0);
    c = dfx_ch_client_create(cc, &never);
    if (c == NULL) {
        return -1;
    }

    fprintf(out, "-- dfexport %s: push from %s to %s\n"
            "-- A URL table and a materialized view per org and data "
            "source: ClickHouse\n"
            "-- POSTs each block DeepFlow inserts into a _local table to "
            "dfexport.\n"
            "-- Run it on every ClickHouse node DeepFlow writes to (or add "
            "ON CLUSTER).\n"
            "-- A refused or slow POST fails or stalls DeepFlow's insert "
            "unless\n"
            "-- materialized_views_ignore_errors is set: read "
            "doc/clickhouse.md, \"Push\".\n"
            "CREATE DATABASE IF NOT EXISTS dfexport;\n", PACKAGE_VERSION,
            cc->url.v, target);
    for (o = 0; o < cc->norgs; o++) {
        for (ds = 0; ds < DFX_DS_COUNT; ds++) {
            if ((mask & (1u << ds))
                && dfx_ch_push_one(c, dfx_schemas[ds], cc->org_ids[o],
                                   target, out) != 0)
            {
                rc = -1;
            }
        }
    }
    dfx_ch_client_destroy(c);
    return rc;
}
