/*
 * test_dfx_ch_sql.c: the SQL dfexport sends to ClickHouse
 * (src/clickhouse/dfx_ch_sql.c), over the real schemas.
 *
 * Column lists are what system.columns says of real tables: a DeepFlow
 * v7.1.8 l7_flow_log (DateTime with a zone, DateTime64(6), IPv4, IPv6,
 * Nullable, Array, LowCardinality, ClickHouse-only columns) and the
 * older types of ClickHouse 18.16-era tables (UInt32 and FixedString(16)
 * addresses, UInt64 MACs, DateTime start/end times).  Every list and
 * query is compared as whole text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfx_buf.h"
#include "dfx_ch_sql.h"
#include "dfx_schema.h"

#define T_N(a)  (sizeof(a) / sizeof((a)[0]))

/* A column as written in a test; dfx_ch_column_t holds mutable strings
 * (the follower owns what it parsed), so t_cols() copies these. */
typedef struct {
    const char  *name;
    const char  *type;
} t_col_t;

#define T_COLS_MAX  64

/* The columns of spec, valid until the next call. */
static const dfx_ch_column_t *
t_cols(const t_col_t *spec, size_t n)
{
    static dfx_ch_column_t  cols[T_COLS_MAX];
    static char             pool[16384];
    size_t                  i, used = 0, a, b;

    assert_true(n <= T_COLS_MAX);
    for (i = 0; i < n; i++) {
        a = strlen(spec[i].name) + 1;
        b = strlen(spec[i].type) + 1;
        assert_true(used + a + b <= sizeof(pool));
        cols[i].name = memcpy(pool + used, spec[i].name, a);
        cols[i].type = memcpy(pool + used + a, spec[i].type, b);
        used += a + b;
    }
    return cols;
}

/* The buffer as a C string (it is not NUL-terminated). */
static const char *
t_str(const dfx_buf_t *b)
{
    static char  text[8192];

    assert_true(b->len < sizeof(text));
    if (b->len > 0) {
        memcpy(text, b->data, b->len);
    }
    text[b->len] = '\0';
    return text;
}

static void
t_select_ok(const dfx_schema_t *s, const t_col_t *spec, size_t ncols,
            unsigned org, dfx_ch_select_t *sel)
{
    char  msg[256] = "";

    if (dfx_ch_select(s, t_cols(spec, ncols), ncols, org, sel, msg,
                      sizeof(msg)) != 0)
    {
        fail_msg("dfx_ch_select failed: %s", msg);
    }
    assert_string_equal(msg, "");
}

/* dfx_ch_select fails with exactly this message. */
static void
t_select_fails(const dfx_schema_t *s, const t_col_t *spec, size_t ncols,
               const char *expect)
{
    dfx_ch_select_t  sel;
    char             msg[256] = "";

    memset(&sel, 0, sizeof(sel));
    assert_int_equal(dfx_ch_select(s, t_cols(spec, ncols), ncols, 1, &sel,
                                   msg, sizeof(msg)), -1);
    assert_string_equal(msg, expect);
    dfx_ch_select_free(&sel);
}

static int
t_setup(void **state)
{
    (void) state;
    return dfx_schema_init();
}

static int
t_teardown(void **state)
{
    (void) state;
    dfx_schema_cleanup();
    return 0;
}

/* ---- table names ---------------------------------------------------- */

static void
t_table(int ds, unsigned org, int local, const char *db, const char *table)
{
    char  d[64], t[64];

    assert_int_equal(dfx_ch_table(ds, org, local, d, sizeof(d), t,
                                  sizeof(t)), 0);
    assert_string_equal(d, db);
    assert_string_equal(t, table);
}

static void
test_table(void **state)
{
    char  d[64], t[64];

    (void) state;
    t_table(DFX_DS_L7_FLOW_LOG, 1, 0, "flow_log", "l7_flow_log");
    t_table(DFX_DS_L4_FLOW_LOG, 1, 0, "flow_log", "l4_flow_log");
    /* org 0 is DeepFlow's "no org": the default org's names */
    t_table(DFX_DS_L7_FLOW_LOG, 0, 0, "flow_log", "l7_flow_log");
    t_table(DFX_DS_L7_FLOW_LOG, 2, 0, "0002_flow_log", "l7_flow_log");
    t_table(DFX_DS_L4_FLOW_LOG, 1024, 0, "1024_flow_log", "l4_flow_log");
    t_table(DFX_DS_L7_FLOW_LOG, 1, 1, "flow_log", "l7_flow_log_local");
    t_table(DFX_DS_L7_FLOW_LOG, 3, 1, "0003_flow_log", "l7_flow_log_local");

    t_table(DFX_DS_NETWORK_1S, 1, 0, "flow_metrics", "network.1s");
    t_table(DFX_DS_NETWORK_1M, 1, 0, "flow_metrics", "network.1m");
    t_table(DFX_DS_NETWORK_1M, 1, 1, "flow_metrics", "network.1m_local");
    t_table(DFX_DS_NETWORK_MAP_1S, 1, 0, "flow_metrics", "network_map.1s");
    t_table(DFX_DS_NETWORK_MAP_1M, 1, 0, "flow_metrics", "network_map.1m");
    t_table(DFX_DS_APPLICATION_1S, 1, 0, "flow_metrics", "application.1s");
    t_table(DFX_DS_APPLICATION_1M, 1, 0, "flow_metrics", "application.1m");
    t_table(DFX_DS_APPLICATION_MAP_1S, 1, 0, "flow_metrics",
            "application_map.1s");
    t_table(DFX_DS_APPLICATION_MAP_1M, 2, 0, "0002_flow_metrics",
            "application_map.1m");
    t_table(DFX_DS_FILE_EVENT, 1, 0, "event", "file_event");
    t_table(DFX_DS_PERF_EVENT, 1, 0, "event", "perf_event");

    /* no such data source */
    assert_int_equal(dfx_ch_table(-1, 1, 0, d, sizeof(d), t, sizeof(t)),
                     -1);
    assert_int_equal(dfx_ch_table(DFX_DS_COUNT, 1, 0, d, sizeof(d), t,
                                  sizeof(t)), -1);

    /* a name that does not fit is refused, never cut */
    assert_int_equal(dfx_ch_table(DFX_DS_L7_FLOW_LOG, 1, 0, d, 8, t,
                                  sizeof(t)), -1);
    assert_int_equal(dfx_ch_table(DFX_DS_L7_FLOW_LOG, 1, 0, d, 9, t, 12),
                     0);
    assert_string_equal(d, "flow_log");
    assert_string_equal(t, "l7_flow_log");
    assert_int_equal(dfx_ch_table(DFX_DS_L7_FLOW_LOG, 2, 0, d, 13, t,
                                  sizeof(t)), -1);
    assert_int_equal(dfx_ch_table(DFX_DS_L7_FLOW_LOG, 1, 1, d, sizeof(d), t,
                                  17), -1);
}

/* ---- identifiers ---------------------------------------------------- */

static void
test_quote_ident(void **state)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    (void) state;
    assert_int_equal(dfx_ch_quote_ident(&b, "time"), 0);
    assert_string_equal(t_str(&b), "`time`");

    dfx_buf_reset(&b);
    assert_int_equal(dfx_ch_quote_ident(&b, "network.1m"), 0);
    assert_string_equal(t_str(&b), "`network.1m`");

    /* it appends */
    assert_int_equal(dfx_ch_quote_ident(&b, ""), 0);
    assert_string_equal(t_str(&b), "`network.1m```");

    dfx_buf_reset(&b);
    assert_int_equal(dfx_ch_quote_ident(&b, "a`b\\c'd\""), 0);
    assert_string_equal(t_str(&b), "`a\\`b\\\\c'd\"`");

    dfx_buf_reset(&b);
    assert_int_equal(dfx_ch_quote_ident(&b, "``"), 0);
    assert_string_equal(t_str(&b), "`\\`\\``");
    dfx_buf_free(&b);
}

/* ---- select lists --------------------------------------------------- */

/* flow_log.l7_flow_log of DeepFlow v7.1.8, in the order of its columns
 * (a part of them: every kind of type it uses). */
static const t_col_t  t_l7_v718[] = {
    { "time", "DateTime('Asia/Shanghai')" },
    { "_id", "UInt64" },
    { "start_time", "DateTime64(6, 'Asia/Shanghai')" },
    { "end_time", "DateTime64(6, 'Asia/Shanghai')" },
    { "ip4_0", "IPv4" },
    { "ip6_0", "IPv6" },
    { "endpoint", "String" },
    { "_trace_id_2", "String" },
    { "request_id", "Nullable(UInt64)" },
    { "metrics_values", "Array(Float64)" },
    { "attribute_names", "Array(LowCardinality(String))" },
    { "trace_id_index", "UInt64" },
    { "tag_source_0", "UInt8" },
    { "is_ipv4", "UInt8" },
};

#define T_L7_INNER                                                          \
    "`time`, `_id`, `start_time`, `end_time`, `ip4_0`, `ip6_0`, "           \
    "`endpoint`, `_trace_id_2`, `request_id`, `metrics_values`, "           \
    "`attribute_names`, `is_ipv4`"

#define T_L7_OUTER                                                          \
    "toUnixTimestamp(`time`) AS `time`, `_id`, "                            \
    "toUnixTimestamp64Micro(`start_time`) AS `start_time`, "                \
    "toUnixTimestamp64Micro(`end_time`) AS `end_time`, `ip4_0`, "           \
    "if(`is_ipv4` = 1, NULL, `ip6_0`) AS `ip6_0`, `endpoint`, "             \
    "`_trace_id_2`, `request_id`, `metrics_values`, `attribute_names`, "    \
    "`is_ipv4`"

static void
test_select_l7_v718(void **state)
{
    const dfx_schema_t  *s = dfx_schemas[DFX_DS_L7_FLOW_LOG];
    dfx_ch_select_t      sel;
    size_t               n;

    (void) state;
    memset(&sel, 0, sizeof(sel));
    t_select_ok(s, t_l7_v718, T_N(t_l7_v718), 1, &sel);
    assert_string_equal(t_str(&sel.inner), T_L7_INNER);
    /* the org is the database's: a constant where there is no column */
    assert_string_equal(t_str(&sel.outer),
                        T_L7_OUTER ", toUInt16(1) AS `org_id`");
    /* the push SQL's URL table: what each expression makes */
    assert_string_equal(t_str(&sel.types),
        "`time` UInt32, `_id` UInt64, `start_time` Int64, `end_time` Int64, "
        "`ip4_0` IPv4, `ip6_0` Nullable(IPv6), `endpoint` String, "
        "`_trace_id_2` String, `request_id` Nullable(UInt64), "
        "`metrics_values` Array(Float64), "
        "`attribute_names` Array(LowCardinality(String)), `is_ipv4` UInt8, "
        "`org_id` UInt16");
    assert_int_equal(sel.nread, 12);
    assert_int_equal(sel.nignored, 2);
    assert_string_equal(sel.ignored, "trace_id_index tag_source_0");
    /* every field but the 12 read and org_id */
    assert_int_equal(sel.nmissing, s->nfields - 13);
    n = strlen(sel.missing);
    assert_true(n > 0 && n < sizeof(sel.missing));
    assert_true(strncmp(sel.missing, "l7_protocol biz_protocol version "
                        "type is_tls ", 33) == 0);
    /* the list is cut, and says so */
    assert_string_equal(sel.missing + n - 4, " ...");
    assert_null(strstr(sel.missing, " _id "));
    assert_null(strstr(sel.missing, "end_point"));
    assert_null(strstr(sel.missing, "org_id"));

    /* the same lists again into the same buffers: reset first */
    t_select_ok(s, t_l7_v718, T_N(t_l7_v718), 2, &sel);
    assert_string_equal(t_str(&sel.inner), T_L7_INNER);
    assert_string_equal(t_str(&sel.outer),
                        T_L7_OUTER ", toUInt16(2) AS `org_id`");
    assert_int_equal(sel.nread, 12);
    assert_int_equal(sel.nignored, 2);
    assert_string_equal(sel.ignored, "trace_id_index tag_source_0");
    assert_int_equal(sel.nmissing, s->nfields - 13);
    dfx_ch_select_free(&sel);
}

/* A table that has org_id reads it; team_id is then missing like any
 * other field. */
static void
test_select_org_column(void **state)
{
    static const t_col_t  cols[] = {
        { "time", "DateTime('Asia/Shanghai')" },
        { "org_id", "UInt16" },
        { "team_id", "UInt16" },
    };
    const dfx_schema_t  *s = dfx_schemas[DFX_DS_NETWORK_1M];
    dfx_ch_select_t      sel;

    (void) state;
    memset(&sel, 0, sizeof(sel));
    t_select_ok(s, cols, T_N(cols), 5, &sel);
    assert_string_equal(t_str(&sel.inner), "`time`, `org_id`, `team_id`");
    assert_string_equal(t_str(&sel.outer), "toUnixTimestamp(`time`) AS "
                        "`time`, `org_id`, `team_id`");
    assert_int_equal(sel.nread, 3);
    assert_int_equal(sel.nignored, 0);
    assert_string_equal(sel.ignored, "");
    assert_int_equal(sel.nmissing, s->nfields - 3);
    dfx_ch_select_free(&sel);
}

/* ClickHouse 18.16-era types: the conversions in ClickHouse. */
static void
test_select_l4_old_types(void **state)
{
    static const t_col_t  cols[] = {
        { "time", "DateTime" },
        { "start_time", "DateTime" },
        { "end_time", "DateTime" },
        { "mac_0", "UInt64" },
        { "ip4_0", "UInt32" },
        { "ip6_0", "FixedString(16)" },
        { "is_ipv4", "UInt8" },
        { "tunnel_tx_ip4_0", "UInt32" },
        { "tunnel_tx_ip6_0", "FixedString(16)" },
        { "tunnel_is_ipv4", "UInt8" },
        { "tunnel_tx_mac_0", "UInt32" },
        { "province_0", "LowCardinality(String)" },
        { "rtt", "Float64" },
        { "byte_tx", "UInt64" },
    };
    const dfx_schema_t  *s = dfx_schemas[DFX_DS_L4_FLOW_LOG];
    dfx_ch_select_t      sel;

    (void) state;
    memset(&sel, 0, sizeof(sel));
    t_select_ok(s, cols, T_N(cols), 1, &sel);
    assert_string_equal(t_str(&sel.inner),
                        "`time`, `start_time`, `end_time`, `mac_0`, "
                        "`ip4_0`, `ip6_0`, `is_ipv4`, `tunnel_tx_ip4_0`, "
                        "`tunnel_tx_ip6_0`, `tunnel_is_ipv4`, "
                        "`tunnel_tx_mac_0`, `province_0`, `rtt`, "
                        "`byte_tx`");
    assert_string_equal(
        t_str(&sel.outer),
        "toUnixTimestamp(`time`) AS `time`, "
        "toInt64(toUnixTimestamp(`start_time`)) * 1000000 AS `start_time`, "
        "toInt64(toUnixTimestamp(`end_time`)) * 1000000 AS `end_time`, "
        "MACNumToString(toUInt64(`mac_0`)) AS `mac_0`, "
        "IPv4NumToString(toUInt32(`ip4_0`)) AS `ip4_0`, "
        "if(`is_ipv4` = 1, NULL, IPv6NumToString(`ip6_0`)) AS `ip6_0`, "
        "`is_ipv4`, "
        "IPv4NumToString(toUInt32(`tunnel_tx_ip4_0`)) AS `tunnel_tx_ip4_0`, "
        "if(`tunnel_is_ipv4` = 1, NULL, IPv6NumToString(`tunnel_tx_ip6_0`)) "
        "AS `tunnel_tx_ip6_0`, "
        "`tunnel_is_ipv4`, `tunnel_tx_mac_0`, `province_0`, `rtt`, "
        "`byte_tx`, toUInt16(1) AS `org_id`");
    assert_int_equal(sel.nread, 14);
    assert_int_equal(sel.nignored, 0);
    assert_int_equal(sel.nmissing, s->nfields - 15);
    dfx_ch_select_free(&sel);
}

/* An IPv6 address goes by its own family column: ip6_0 has no is_ipv4
 * here and is read as it is, tunnel_rx_ip6_0 has tunnel_is_ipv4.  String
 * addresses and MACs, enums and UUIDs are read as they are; numbers
 * become text where a field is text. */
static void
test_select_other_types(void **state)
{
    static const t_col_t  cols[] = {
        { "ip6_0", "IPv6" },
        { "ip6_1", "FixedString(16)" },
        { "ip4_1", "String" },
        { "mac_1", "String" },
        { "tunnel_rx_ip6_0", "IPv6" },
        { "province_1", "Enum8('a' = 1, 'b' = 2)" },
        { "l7_protocol", "Nullable(UInt8)" },
        { "vlan", "LowCardinality(Nullable(UInt16))" },
        { "time", "DateTime64(3)" },
        /* the family of tunnel addresses only */
        { "tunnel_is_ipv4", "UInt8" },
    };
    static const t_col_t  l7[] = {
        { "end_point", "FixedString(32)" },
        { "version", "UInt8" },
        { "attribute_values", "Array(UInt32)" },
        { "metrics_names", "Array(Nullable(String))" },
        { "metrics_values", "Array(UInt64)" },
        { "trace_id", "UUID" },
        { "is_tls", "Bool" },
    };
    dfx_ch_select_t  sel;

    (void) state;
    memset(&sel, 0, sizeof(sel));
    t_select_ok(dfx_schemas[DFX_DS_L4_FLOW_LOG], cols, T_N(cols), 1, &sel);
    assert_string_equal(
        t_str(&sel.outer),
        "`ip6_0`, IPv6NumToString(`ip6_1`) AS `ip6_1`, `ip4_1`, `mac_1`, "
        "if(`tunnel_is_ipv4` = 1, NULL, `tunnel_rx_ip6_0`) AS "
        "`tunnel_rx_ip6_0`, "
        "`province_1`, `l7_protocol`, `vlan`, "
        "toUnixTimestamp(`time`) AS `time`, `tunnel_is_ipv4`, "
        "toUInt16(1) AS `org_id`");
    dfx_ch_select_free(&sel);

    t_select_ok(dfx_schemas[DFX_DS_L7_FLOW_LOG], l7, T_N(l7), 1, &sel);
    assert_string_equal(
        t_str(&sel.outer),
        "`end_point`, toString(`version`) AS `version`, "
        "arrayMap(x -> toString(x), `attribute_values`) AS "
        "`attribute_values`, `metrics_names`, `metrics_values`, "
        "`trace_id`, `is_tls`, toUInt16(1) AS `org_id`");
    assert_string_equal(t_str(&sel.inner),
                        "`end_point`, `version`, `attribute_values`, "
                        "`metrics_names`, `metrics_values`, `trace_id`, "
                        "`is_tls`");
    dfx_ch_select_free(&sel);
}

/* A field with two spellings is read once: the first column wins, the
 * other is ignored (the parser refuses a member named twice). */
static void
test_select_second_spelling(void **state)
{
    static const t_col_t  cols[] = {
        { "time", "DateTime" },
        { "endpoint", "String" },
        { "end_point", "String" },
        { "trace_id_2", "String" },
        { "_trace_id_2", "String" },
        { "time", "DateTime" },
    };
    const dfx_schema_t  *s = dfx_schemas[DFX_DS_L7_FLOW_LOG];
    dfx_ch_select_t      sel;

    (void) state;
    memset(&sel, 0, sizeof(sel));
    t_select_ok(s, cols, T_N(cols), 1, &sel);
    assert_string_equal(t_str(&sel.inner),
                        "`time`, `endpoint`, `trace_id_2`");
    assert_string_equal(t_str(&sel.outer),
                        "toUnixTimestamp(`time`) AS `time`, `endpoint`, "
                        "`trace_id_2`, toUInt16(1) AS `org_id`");
    assert_int_equal(sel.nread, 3);
    assert_int_equal(sel.nignored, 3);
    assert_string_equal(sel.ignored, "end_point _trace_id_2 time");
    assert_int_equal(sel.nmissing, s->nfields - 4);
    dfx_ch_select_free(&sel);
}

/* The ignored list is cut at its size, with a mark. */
static void
test_select_ignored_cut(void **state)
{
    t_col_t          cols[41];
    char             names[40][16];
    dfx_ch_select_t  sel;
    size_t           i, n;

    (void) state;
    cols[0].name = "time";
    cols[0].type = "DateTime";
    for (i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "ch_only_%02zu", i);
        cols[i + 1].name = names[i];
        cols[i + 1].type = "UInt8";
    }
    memset(&sel, 0, sizeof(sel));
    t_select_ok(dfx_schemas[DFX_DS_NETWORK_1S], cols, T_N(cols), 1, &sel);
    assert_int_equal(sel.nread, 1);
    assert_int_equal(sel.nignored, 40);
    n = strlen(sel.ignored);
    assert_true(n < sizeof(sel.ignored));
    assert_true(strncmp(sel.ignored, "ch_only_00 ch_only_01 ", 22) == 0);
    assert_string_equal(sel.ignored + n - 4, " ...");
    /* the names listed are whole */
    assert_int_equal((n - 4) % 11, 10);
    dfx_ch_select_free(&sel);
}

static void
test_select_incompatible(void **state)
{
    static const t_col_t  str_u32[] = {
        { "time", "DateTime" },
        { "captured_request_byte", "String" },
    };
    static const t_col_t  arr_scalar[] = {
        { "_id", "Array(UInt64)" },
    };
    static const t_col_t  alias[] = {
        { "endpoint", "Array(String)" },
    };
    static const t_col_t  scalar_arr[] = {
        { "attribute_names", "String" },
    };
    static const t_col_t  text_f64s[] = {
        { "metrics_values", "Array(String)" },
    };
    static const t_col_t  dt_other[] = {
        { "request_id", "Nullable(DateTime)" },
    };
    static const t_col_t  dt64_other[] = {
        { "response_duration", "DateTime64(6)" },
    };
    static const t_col_t  ip4_float[] = {
        { "ip4_0", "Float64" },
    };
    static const t_col_t  ip6_u128[] = {
        { "ip6_0", "UInt128" },
    };
    static const t_col_t  mac_fixed[] = {
        { "mac_0", "FixedString(6)" },
    };
    static const t_col_t  dec[] = {
        { "rtt", "Decimal(9, 2)" },
    };

    (void) state;
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], str_u32, T_N(str_u32),
                   "column captured_request_byte of type String cannot be "
                   "read as field captured_request_byte");
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], arr_scalar,
                   T_N(arr_scalar), "column _id of type Array(UInt64) "
                   "cannot be read as field _id");
    /* the field is named as dfexport knows it */
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], alias, T_N(alias),
                   "column endpoint of type Array(String) cannot be read "
                   "as field end_point");
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], scalar_arr,
                   T_N(scalar_arr), "column attribute_names of type String "
                   "cannot be read as field attribute_names");
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], text_f64s,
                   T_N(text_f64s), "column metrics_values of type "
                   "Array(String) cannot be read as field metrics_values");
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], dt_other,
                   T_N(dt_other), "column request_id of type "
                   "Nullable(DateTime) cannot be read as field request_id");
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], dt64_other,
                   T_N(dt64_other), "column response_duration of type "
                   "DateTime64(6) cannot be read as field "
                   "response_duration");
    t_select_fails(dfx_schemas[DFX_DS_L4_FLOW_LOG], ip4_float,
                   T_N(ip4_float), "column ip4_0 of type Float64 cannot be "
                   "read as field ip4_0");
    t_select_fails(dfx_schemas[DFX_DS_L4_FLOW_LOG], ip6_u128,
                   T_N(ip6_u128), "column ip6_0 of type UInt128 cannot be "
                   "read as field ip6_0");
    t_select_fails(dfx_schemas[DFX_DS_L4_FLOW_LOG], mac_fixed,
                   T_N(mac_fixed), "column mac_0 of type FixedString(6) "
                   "cannot be read as field mac_0");
    t_select_fails(dfx_schemas[DFX_DS_L4_FLOW_LOG], dec, T_N(dec),
                   "column rtt of type Decimal(9, 2) cannot be read as "
                   "field rtt");
}

/* Nothing to read: an error, not a query of constants. */
static void
test_select_no_column(void **state)
{
    static const t_col_t  cols[] = {
        { "trace_id_index", "UInt64" },
        { "tag_source_0", "UInt8" },
    };

    (void) state;
    t_select_fails(dfx_schemas[DFX_DS_L7_FLOW_LOG], cols, T_N(cols),
                   "no column of the table is a field of "
                   "flow_log.l7_flow_log");
    t_select_fails(dfx_schemas[DFX_DS_NETWORK_1M], cols, 0,
                   "no column of the table is a field of "
                   "flow_metrics.network.1m");
}

/* A name longer than the whole list is counted, and only marked. */
static void
test_select_long_name(void **state)
{
    t_col_t          cols[2];
    char             name[200];
    dfx_ch_select_t  sel;

    (void) state;
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    cols[0].name = "time";
    cols[0].type = "DateTime";
    cols[1].name = name;
    cols[1].type = "UInt8";
    memset(&sel, 0, sizeof(sel));
    t_select_ok(dfx_schemas[DFX_DS_FILE_EVENT], cols, T_N(cols), 1, &sel);
    assert_string_equal(t_str(&sel.inner), "`time`");
    assert_int_equal(sel.nignored, 1);
    assert_string_equal(sel.ignored, "...");
    dfx_ch_select_free(&sel);
}

/* ---- whole queries -------------------------------------------------- */

static void
test_window_sql(void **state)
{
    static const t_col_t  cols[] = {
        { "time", "DateTime('Asia/Shanghai')" },
        { "_id", "UInt64" },
    };
    dfx_ch_select_t  sel;
    dfx_buf_t        b = DFX_BUF_INIT;

    (void) state;
    memset(&sel, 0, sizeof(sel));
    t_select_ok(dfx_schemas[DFX_DS_L7_FLOW_LOG], cols, T_N(cols), 1, &sel);
    assert_int_equal(dfx_ch_window_sql(&b, &sel, "flow_log", "l7_flow_log",
                                       1700000000, 1700000060), 0);
    assert_string_equal(t_str(&b),
                        "SELECT toUnixTimestamp(`time`) AS `time`, `_id`, "
                        "toUInt16(1) AS `org_id` FROM (SELECT `time`, `_id` "
                        "FROM "
                        "`flow_log`.`l7_flow_log` WHERE `time` >= "
                        "toDateTime(1700000000) AND `time` < "
                        "toDateTime(1700000060)) FORMAT JSONEachRow");
    /* a C string as well, the terminator not counted */
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(strlen(b.data), b.len);

    /* the buffer is reset; names are quoted */
    assert_int_equal(dfx_ch_window_sql(&b, &sel, "0002_flow_metrics",
                                       "a`b\\c", 0, 4294967296LL), 0);
    assert_string_equal(t_str(&b),
                        "SELECT toUnixTimestamp(`time`) AS `time`, `_id`, "
                        "toUInt16(1) AS `org_id` FROM (SELECT `time`, `_id` "
                        "FROM "
                        "`0002_flow_metrics`.`a\\`b\\\\c` WHERE `time` >= "
                        "toDateTime(0) AND `time` < "
                        "toDateTime(4294967296)) FORMAT JSONEachRow");
    dfx_buf_free(&b);
    dfx_ch_select_free(&sel);
}

static void
test_columns_sql(void **state)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    (void) state;
    assert_int_equal(dfx_ch_columns_sql(&b, "flow_metrics", "network.1m"),
                     0);
    assert_string_equal(t_str(&b),
                        "SELECT name, type FROM system.columns WHERE "
                        "database = 'flow_metrics' AND table = 'network.1m' "
                        "FORMAT JSONEachRow");
    assert_int_equal(b.data[b.len], '\0');

    assert_int_equal(dfx_ch_columns_sql(&b, "fl'ow", "a\\'b`c"), 0);
    assert_string_equal(t_str(&b),
                        "SELECT name, type FROM system.columns WHERE "
                        "database = 'fl\\'ow' AND table = 'a\\\\\\'b`c' "
                        "FORMAT JSONEachRow");
    dfx_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_quote_ident),
        cmocka_unit_test(test_select_l7_v718),
        cmocka_unit_test(test_select_org_column),
        cmocka_unit_test(test_select_l4_old_types),
        cmocka_unit_test(test_select_other_types),
        cmocka_unit_test(test_select_second_spelling),
        cmocka_unit_test(test_select_ignored_cut),
        cmocka_unit_test(test_select_incompatible),
        cmocka_unit_test(test_select_no_column),
        cmocka_unit_test(test_select_long_name),
        cmocka_unit_test(test_window_sql),
        cmocka_unit_test(test_columns_sql),
    };

    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
