/*
 * dfx_ch_sql.c: SELECT lists from schemas and column types.
 *
 * Every conversion used here exists in ClickHouse 18.16 and in current
 * releases (toUnixTimestamp, MACNumToString, IPv4NumToString,
 * IPv6NumToString, toString), except toUnixTimestamp64Micro, which is
 * only asked for on DateTime64 columns, a type that arrived with it.
 * The conversions run in an outer query over a subquery that reads the
 * raw columns: ClickHouse lets an alias shadow a column in WHERE, and
 * "toUnixTimestamp(time) AS time" must not change what the window's
 * condition on time means.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dfx_ch_sql.h"
#include "dfx_core.h"

typedef struct {
    const char  *db;
    const char  *table;
} dfx_ch_tab_t;

static const dfx_ch_tab_t  dfx_ch_tables[DFX_DS_COUNT] = {
    [DFX_DS_L7_FLOW_LOG] = { "flow_log", "l7_flow_log" },
    [DFX_DS_L4_FLOW_LOG] = { "flow_log", "l4_flow_log" },
    [DFX_DS_NETWORK_1S] = { "flow_metrics", "network.1s" },
    [DFX_DS_NETWORK_1M] = { "flow_metrics", "network.1m" },
    [DFX_DS_NETWORK_MAP_1S] = { "flow_metrics", "network_map.1s" },
    [DFX_DS_NETWORK_MAP_1M] = { "flow_metrics", "network_map.1m" },
    [DFX_DS_APPLICATION_1S] = { "flow_metrics", "application.1s" },
    [DFX_DS_APPLICATION_1M] = { "flow_metrics", "application.1m" },
    [DFX_DS_APPLICATION_MAP_1S] = { "flow_metrics", "application_map.1s" },
    [DFX_DS_APPLICATION_MAP_1M] = { "flow_metrics", "application_map.1m" },
    [DFX_DS_FILE_EVENT] = { "event", "file_event" },
    /* DeepFlow v6.5-v7.0; v7.1 has no such table */
    [DFX_DS_PERF_EVENT] = { "event", "perf_event" },
};

int
dfx_ch_table(int ds, unsigned org, int local, char *db, size_t dblen,
             char *table, size_t tlen)
{
    const dfx_ch_tab_t  *t;
    int                  n;

    if (ds < 0 || ds >= DFX_DS_COUNT || dfx_ch_tables[ds].db == NULL) {
        return -1;
    }
    t = &dfx_ch_tables[ds];
    /* DeepFlow: org 1 (and 0) use the plain names, others "%04d_" */
    if (org <= 1) {
        n = snprintf(db, dblen, "%s", t->db);
    } else {
        n = snprintf(db, dblen, "%04u_%s", org, t->db);
    }
    if (n < 0 || (size_t) n >= dblen) {
        return -1;
    }
    n = snprintf(table, tlen, "%s%s", t->table, local ? "_local" : "");
    return n < 0 || (size_t) n >= tlen ? -1 : 0;
}

int
dfx_ch_quote_ident(dfx_buf_t *b, const char *name)
{
    const char  *p;
    int          rc = dfx_buf_putc(b, '`');

    for (p = name; *p != '\0'; p++) {
        if (*p == '`' || *p == '\\') {
            rc |= dfx_buf_putc(b, '\\');
        }
        rc |= dfx_buf_putc(b, *p);
    }
    rc |= dfx_buf_putc(b, '`');
    return rc;
}

/* The type without Nullable(...) and LowCardinality(...) around it, and
 * without parameters: "DateTime('Asia/Shanghai')" -> "DateTime". */
static void
dfx_ch_base_type(const char *type, char *out, size_t size, int *is_array)
{
    const char  *p = type;
    size_t       n;
    int          again = 1;

    *is_array = 0;
    while (again) {
        again = 0;
        if (strncmp(p, "Nullable(", 9) == 0) {
            p += 9;
            again = 1;
        } else if (strncmp(p, "LowCardinality(", 15) == 0) {
            p += 15;
            again = 1;
        } else if (strncmp(p, "Array(", 6) == 0 && !*is_array) {
            p += 6;
            *is_array = 1;
            again = 1;
        }
    }
    n = strcspn(p, "(),");
    if (n >= size) {
        n = size - 1;
    }
    memcpy(out, p, n);
    out[n] = '\0';
}

static int
dfx_ch_is_int(const char *t)
{
    static const char *const  ints[] = {
        "UInt8", "UInt16", "UInt32", "UInt64", "Int8", "Int16", "Int32",
        "Int64", NULL
    };
    size_t  i;

    for (i = 0; ints[i] != NULL; i++) {
        if (strcmp(t, ints[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
dfx_ch_is_num(const char *t)
{
    return dfx_ch_is_int(t) || strcmp(t, "Float32") == 0
           || strcmp(t, "Float64") == 0 || strcmp(t, "Bool") == 0;
}

static int
dfx_ch_is_text(const char *t)
{
    return strcmp(t, "String") == 0 || strcmp(t, "FixedString") == 0
           || strncmp(t, "Enum", 4) == 0 || strcmp(t, "UUID") == 0;
}

/* How a column becomes a field: a format with one %s for the quoted
 * column, NULL when the column is read as it is, or "" when it cannot
 * become the field at all. */
static const char *
dfx_ch_conversion(const dfx_field_t *f, const char *type)
{
    char  base[64];
    int   arr;

    dfx_ch_base_type(type, base, sizeof(base), &arr);

    switch (f->type) {
    case DFX_T_STRS:
        if (!arr) {
            return "";
        }
        return dfx_ch_is_text(base) ? NULL
                                    : "arrayMap(x -> toString(x), %s)";
    case DFX_T_F64S:
        return arr && dfx_ch_is_num(base) ? NULL : "";
    default:
        break;
    }
    if (arr) {
        return "";
    }

    switch (f->type) {
    case DFX_T_STR:
        return dfx_ch_is_text(base) ? NULL : "toString(%s)";
    case DFX_T_IP4:
        if (strcmp(base, "IPv4") == 0 || strcmp(base, "String") == 0) {
            return NULL;
        }
        return dfx_ch_is_int(base) ? "IPv4NumToString(toUInt32(%s))" : "";
    case DFX_T_IP6:
        if (strcmp(base, "IPv6") == 0 || strcmp(base, "String") == 0) {
            return NULL;
        }
        /* FixedString(16): the 16 bytes of the address */
        return strcmp(base, "FixedString") == 0 ? "IPv6NumToString(%s)" : "";
    case DFX_T_MAC:
        if (strcmp(base, "String") == 0) {
            return NULL;
        }
        return dfx_ch_is_int(base) ? "MACNumToString(toUInt64(%s))" : "";
    default:
        break;
    }

    /* integer fields; the time fields may be stored as DateTime */
    if (strcmp(base, "DateTime64") == 0) {
        if (strcmp(f->name, "time") == 0) {
            return "toUnixTimestamp(%s)";
        }
        if (strcmp(f->name, "start_time") == 0
            || strcmp(f->name, "end_time") == 0)
        {
            return "toUnixTimestamp64Micro(%s)";
        }
        return "";
    }
    if (strcmp(base, "DateTime") == 0) {
        if (strcmp(f->name, "time") == 0) {
            return "toUnixTimestamp(%s)";
        }
        if (strcmp(f->name, "start_time") == 0
            || strcmp(f->name, "end_time") == 0)
        {
            return "toInt64(toUnixTimestamp(%s)) * 1000000";
        }
        return "";
    }
    /* Float64 metrics are read as they are: an integral value prints as
     * an integer, anything else is a rejected record with its reason */
    return dfx_ch_is_num(base) ? NULL : "";
}

/* The type of what conv makes of a column of type `type` (the URL table
 * of the push SQL declares it). */
static const char *
dfx_ch_conv_type(const char *conv, const char *type)
{
    if (conv == NULL) {
        return type;
    }
    if (strncmp(conv, "arrayMap", 8) == 0) {
        return "Array(String)";
    }
    if (strncmp(conv, "toUnixTimestamp64Micro", 22) == 0
        || strncmp(conv, "toInt64", 7) == 0)
    {
        return "Int64";
    }
    if (strncmp(conv, "toUnixTimestamp", 15) == 0) {
        return "UInt32";
    }
    return "String";
}

/* The column saying whether the row is IPv4, for an IPv6 field: the
 * tunnel's for tunnel addresses, the flow's for the others; NULL when
 * the table has none. */
static const char *
dfx_ch_family(const dfx_schema_t *s, const dfx_ch_column_t *cols,
              size_t ncols, const dfx_field_t *f)
{
    const char  *want;
    size_t       i;
    int          k;

    want = strncmp(f->name, "tunnel_", 7) == 0 ? "tunnel_is_ipv4"
                                                : "is_ipv4";
    for (i = 0; i < ncols; i++) {
        if (strcmp(cols[i].name, want) == 0) {
            k = dfx_schema_field(s, want, strlen(want));
            return k >= 0 ? cols[i].name : NULL;
        }
    }
    return NULL;
}

static void
dfx_ch_note(char *list, size_t size, const char *name)
{
    size_t  n = strlen(list);

    if (n >= 3 && strcmp(list + n - 3, "...") == 0) {
        return;
    }
    if (n + strlen(name) + 6 >= size) {
        if (n + 4 < size && (n < 3 || strcmp(list + n - 3, "...") != 0)) {
            memcpy(list + n, n ? " ..." : "...", n ? 5 : 4);
        }
        return;
    }
    snprintf(list + n, size - n, "%s%s", n ? " " : "", name);
}

int
dfx_ch_select(const dfx_schema_t *s, const dfx_ch_column_t *cols,
              size_t ncols, unsigned org, dfx_ch_select_t *sel, char *msg,
              size_t msglen)
{
    uint8_t      used[512];
    const char  *conv, *fam, *rtype;
    size_t       i;
    int          f, rc = 0;
    char         qcol[160];
    dfx_buf_t    q = DFX_BUF_INIT;

    dfx_assert(s->nfields <= sizeof(used));
    memset(used, 0, sizeof(used));
    dfx_buf_reset(&sel->outer);
    dfx_buf_reset(&sel->inner);
    dfx_buf_reset(&sel->types);
    sel->nread = 0;
    sel->nignored = 0;
    sel->nmissing = 0;
    sel->ignored[0] = '\0';
    sel->missing[0] = '\0';

    for (i = 0; i < ncols; i++) {
        f = dfx_schema_field(s, cols[i].name, strlen(cols[i].name));
        if (f < 0 || used[f]) {
            /* ClickHouse-only, or a second spelling of a field read
             * already: the parser would refuse a member named twice */
            sel->nignored++;
            dfx_ch_note(sel->ignored, sizeof(sel->ignored), cols[i].name);
            continue;
        }
        conv = dfx_ch_conversion(&s->fields[f], cols[i].type);
        if (conv != NULL && conv[0] == '\0') {
            snprintf(msg, msglen, "column %s of type %s cannot be read as "
                     "field %s", cols[i].name, cols[i].type,
                     s->fields[f].name);
            rc = -1;
            goto done;
        }
        used[f] = 1;

        dfx_buf_reset(&q);
        rc = dfx_ch_quote_ident(&q, cols[i].name);
        if (rc != 0 || q.len >= sizeof(qcol)) {
            snprintf(msg, msglen, "column name too long: %.64s",
                     cols[i].name);
            rc = -1;
            goto done;
        }
        memcpy(qcol, q.data, q.len);
        qcol[q.len] = '\0';

        rc |= dfx_buf_printf(&sel->inner, "%s%s", sel->nread ? ", " : "",
                             qcol);
        if (sel->nread) {
            rc |= dfx_buf_append(&sel->outer, ", ", 2);
        }
        fam = s->fields[f].type == DFX_T_IP6
              ? dfx_ch_family(s, cols, ncols, &s->fields[f]) : NULL;
        if (fam != NULL) {
            /* an IPv4 row holds "::" in its IPv6 columns, where a record
             * of DeepFlow's has no address at all: null, which the
             * ClickHouse dialect reads as absent */
            rc |= dfx_buf_append_lit(&sel->outer, "if(");
            rc |= dfx_ch_quote_ident(&sel->outer, fam);
            rc |= dfx_buf_append_lit(&sel->outer, " = 1, NULL, ");
        }
        if (conv == NULL) {
            rc |= dfx_buf_append(&sel->outer, qcol, strlen(qcol));
        } else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            rc |= dfx_buf_printf(&sel->outer, conv, qcol);
#pragma GCC diagnostic pop
        }
        if (fam != NULL) {
            rc |= dfx_buf_putc(&sel->outer, ')');
        }
        rtype = dfx_ch_conv_type(conv, cols[i].type);
        rc |= dfx_buf_printf(&sel->types, "%s%s %s%s%s", sel->nread ? ", "
                             : "", qcol, fam != NULL
                             && strncmp(rtype, "Nullable(", 9) != 0
                             ? "Nullable(" : "", rtype, fam != NULL
                             && strncmp(rtype, "Nullable(", 9) != 0
                             ? ")" : "");
        if (conv != NULL || fam != NULL) {
            rc |= dfx_buf_printf(&sel->outer, " AS %s", qcol);
        }
        sel->nread++;
    }

    for (f = 0; f < (int) s->nfields; f++) {
        if (used[f]) {
            continue;
        }
        if (strcmp(s->fields[f].name, "org_id") == 0) {
            /* the org is the database's, not a column */
            rc |= dfx_buf_printf(&sel->outer, "%stoUInt16(%u) AS `org_id`",
                                 sel->nread ? ", " : "", org);
            rc |= dfx_buf_printf(&sel->types, "%s`org_id` UInt16",
                                 sel->nread ? ", " : "");
            continue;
        }
        sel->nmissing++;
        dfx_ch_note(sel->missing, sizeof(sel->missing), s->fields[f].name);
    }
    if (rc == 0 && sel->nread == 0) {
        snprintf(msg, msglen, "no column of the table is a field of %s",
                 s->name);
        rc = -1;
    } else if (rc != 0) {
        snprintf(msg, msglen, "out of memory");
    }

done:
    dfx_buf_free(&q);
    return rc == 0 ? 0 : -1;
}

void
dfx_ch_select_free(dfx_ch_select_t *sel)
{
    dfx_buf_free(&sel->outer);
    dfx_buf_free(&sel->inner);
    dfx_buf_free(&sel->types);
}

int
dfx_ch_window_sql(dfx_buf_t *b, const dfx_ch_select_t *sel, const char *db,
                  const char *table, int64_t from, int64_t to)
{
    int  rc;

    dfx_buf_reset(b);
    rc = dfx_buf_append_lit(b, "SELECT ");
    rc |= dfx_buf_append(b, sel->outer.data, sel->outer.len);
    rc |= dfx_buf_append_lit(b, " FROM (SELECT ");
    rc |= dfx_buf_append(b, sel->inner.data, sel->inner.len);
    rc |= dfx_buf_append_lit(b, " FROM ");
    rc |= dfx_ch_quote_ident(b, db);
    rc |= dfx_buf_putc(b, '.');
    rc |= dfx_ch_quote_ident(b, table);
    rc |= dfx_buf_printf(b, " WHERE `time` >= toDateTime(%" PRId64 ") AND "
                         "`time` < toDateTime(%" PRId64 ")) "
                         "FORMAT JSONEachRow", from, to);
    rc |= dfx_buf_putc(b, '\0');
    if (rc == 0) {
        b->len--;
    }
    return rc;
}

/* A string literal for SQL: quotes and backslashes escaped. */
static int
dfx_ch_quote_str(dfx_buf_t *b, const char *s)
{
    int  rc = dfx_buf_putc(b, '\'');

    for (; *s != '\0'; s++) {
        if (*s == '\'' || *s == '\\') {
            rc |= dfx_buf_putc(b, '\\');
        }
        rc |= dfx_buf_putc(b, *s);
    }
    return rc | dfx_buf_putc(b, '\'');
}

int
dfx_ch_columns_sql(dfx_buf_t *b, const char *db, const char *table)
{
    int  rc;

    dfx_buf_reset(b);
    rc = dfx_buf_append_lit(b, "SELECT name, type FROM system.columns "
                            "WHERE database = ");
    rc |= dfx_ch_quote_str(b, db);
    rc |= dfx_buf_append_lit(b, " AND table = ");
    rc |= dfx_ch_quote_str(b, table);
    rc |= dfx_buf_append_lit(b, " FORMAT JSONEachRow");
    rc |= dfx_buf_putc(b, '\0');
    if (rc == 0) {
        b->len--;
    }
    return rc;
}
