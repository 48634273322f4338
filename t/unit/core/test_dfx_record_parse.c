/*
 * test_dfx_record_parse.c: the streaming record parser: every value type
 * and its range edges, each rejection with its message and column,
 * aliases, unknown and duplicate members, nulls, limits, NDJSON lines and
 * JSON bodies (single object, arrays mixing valid and invalid records,
 * syntax errors), and the ClickHouse dialect: every form it adds and
 * what it still refuses.  malloc, calloc and realloc are wrapped
 * (-Wl,--wrap) so that a chosen allocation fails.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfx_core.h"
#include "dfx_pool.h"
#include "dfx_record_parse.h"
#include "dfx_schema.h"

/* ---- allocation-failure injection ------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long  t_alloc_fail = -1;     /* index of the allocation to fail */
static long  t_alloc_count;

static int
t_alloc_fails(void)
{
    return t_alloc_fail >= 0 && t_alloc_count++ == t_alloc_fail;
}

void *
__wrap_malloc(size_t n)
{
    return t_alloc_fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
    return t_alloc_fails() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
    return t_alloc_fails() ? NULL : __real_realloc(p, n);
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
    dfx_record_parser_t  *p;
    dfx_pool_t           *pool;
    dfx_record_t          rec;
    dfx_record_err_t      err;
} ctx_t;

static ctx_t  ctx;

static const dfx_schema_t *
ds(const char *name)
{
    const dfx_schema_t  *s = dfx_schema_find(name, strlen(name));

    assert_non_null(s);
    return s;
}

#define L7   ds("flow_log.l7_flow_log")
#define L4   ds("flow_log.l4_flow_log")

static int
fidx(const dfx_schema_t *s, const char *name)
{
    int  i = dfx_schema_field(s, name, strlen(name));

    assert_true(i >= 0);
    return i;
}

static int
setup(void **state)
{
    dfx_parse_limits_t  lim = { .depth = 8, .records = 100 };

    DFX_UNUSED(state);
    if (dfx_schema_init() != 0) {
        return -1;
    }
    ctx.p = dfx_record_parser_create(&lim);
    ctx.pool = dfx_pool_create(64 * 1024);
    return ctx.p != NULL && ctx.pool != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    DFX_UNUSED(state);
    dfx_record_parser_destroy(ctx.p);
    dfx_pool_destroy(ctx.pool);
    dfx_schema_cleanup();
    return 0;
}

static int
parse(const dfx_schema_t *s, const char *line)
{
    return dfx_record_parse_line(ctx.p, s, line, strlen(line), ctx.pool,
                                 &ctx.rec, &ctx.err);
}

/* Parses line and expects a valid record. */
static dfx_record_t *
ok(const dfx_schema_t *s, const char *line)
{
    int  rc = parse(s, line);

    if (rc != DFX_OK) {
        fail_msg("%s: %s at %u (field \"%s\")", line, ctx.err.msg,
                 ctx.err.column, ctx.err.field);
    }
    return &ctx.rec;
}

/* Parses line and expects it rejected with exactly this error. */
static void
bad(const dfx_schema_t *s, const char *line, const char *field,
    const char *msg, unsigned column)
{
    int  rc = parse(s, line);

    if (rc != DFX_ERROR) {
        fail_msg("%s: accepted (%d)", line, rc);
    }
    if (strcmp(ctx.err.field, field) != 0 || strcmp(ctx.err.msg, msg) != 0
        || ctx.err.column != column)
    {
        print_error("%s: got [%s] %s at %u\n", line, ctx.err.field,
                    ctx.err.msg, ctx.err.column);
    }
    assert_string_equal(ctx.err.field, field);
    assert_string_equal(ctx.err.msg, msg);
    assert_int_equal(ctx.err.column, column);
}

static const dfx_value_t *
val(const dfx_schema_t *s, const char *name)
{
    return &ctx.rec.v[fidx(s, name)];
}

static int
st(const dfx_schema_t *s, const char *name)
{
    return ctx.rec.state[fidx(s, name)];
}

static void
assert_str(dfx_str_t got, const char *want)
{
    assert_int_equal(got.len, strlen(want));
    assert_memory_equal(got.data, want, got.len);
}

/* ---- integers ---------------------------------------------------------- */

static void
one_int(const char *field, const char *text, int accept, uint64_t want,
    const char *msg)
{
    char  line[256];
    char  m[200];

    snprintf(line, sizeof(line), "{\"%s\":%s}", field, text);
    if (accept) {
        ok(L7, line);
        assert_int_equal(st(L7, field), DFX_SLOT_SET);
        assert_true(val(L7, field)->u == want);
        return;
    }
    snprintf(m, sizeof(m), "%s, got %s", msg, text);
    bad(L7, line, field, m, (unsigned) strlen(field) + 5);
}

static void
test_integer_ranges(void **state)
{
    static const char  u8[] = "expected an integer between 0 and 255";
    static const char  u16[] =
        "expected an integer between 0 and 65535";
    static const char  u32[] =
        "expected an integer between 0 and 4294967295";
    static const char  u64[] =
        "expected an integer between 0 and 18446744073709551615";
    static const char  i32[] = "expected an integer between -2147483648 "
                               "and 2147483647";
    static const char  i64[] = "expected an integer between "
                               "-9223372036854775808 and "
                               "9223372036854775807";

    DFX_UNUSED(state);
    one_int("l7_protocol", "0", 1, 0, NULL);
    one_int("l7_protocol", "255", 1, 255, NULL);
    one_int("l7_protocol", "256", 0, 0, u8);
    one_int("l7_protocol", "-1", 0, 0, u8);
    one_int("client_port", "65535", 1, 65535, NULL);
    one_int("client_port", "70000", 0, 0, u16);
    one_int("captured_request_byte", "4294967295", 1, UINT32_MAX, NULL);
    one_int("captured_request_byte", "4294967296", 0, 0, u32);
    one_int("_id", "18446744073709551615", 1, UINT64_MAX, NULL);
    one_int("_id", "18446744073709551616", 0, 0, u64);
    one_int("_id", "99999999999999999999999999999999999999", 0, 0, u64);
    one_int("_id", "-1", 0, 0, u64);
    one_int("_id", "-0", 1, 0, NULL);
    one_int("_id", "-1", 0, 0, u64);
    one_int("captured_request_byte", "-4294967295", 0, 0, u32);
    one_int("_id", "9223372036854775808", 1, 9223372036854775808ull, NULL);

    one_int("l3_epc_id_0", "-2147483648", 1, (uint64_t) INT64_C(-2147483648),
            NULL);
    assert_true(val(L7, "l3_epc_id_0")->i == INT32_MIN);
    one_int("l3_epc_id_0", "2147483647", 1, 2147483647, NULL);
    one_int("l3_epc_id_0", "2147483648", 0, 0, i32);
    one_int("l3_epc_id_0", "-2147483649", 0, 0, i32);
    one_int("start_time", "-9223372036854775808", 1, (uint64_t) INT64_MIN,
            NULL);
    assert_true(val(L7, "start_time")->i == INT64_MIN);
    one_int("start_time", "9223372036854775807", 1, INT64_MAX, NULL);
    one_int("start_time", "9223372036854775808", 0, 0, i64);
    one_int("start_time", "-9223372036854775809", 0, 0, i64);

    /* integer syntax only */
    one_int("client_port", "5.0", 0, 0, u16);
    one_int("client_port", "5e0", 0, 0, u16);
    one_int("client_port", "5E2", 0, 0, u16);
    one_int("client_port", "true", 0, 0, u16);
    one_int("client_port", "false", 0, 0, u16);
    bad(L7, "{\"client_port\":\"5\"}", "client_port",
        "expected an integer between 0 and 65535, got \"5\"", 16);
    bad(L7, "{\"client_port\":[5]}", "client_port",
        "expected an integer between 0 and 65535, got an array", 16);
    bad(L7, "{\"client_port\":{}}", "client_port",
        "expected an integer between 0 and 65535, got an object", 16);
    bad(L7, "{\"client_port\":null}", "client_port", "null is not allowed",
        16);
}

/* Every length of digits, against strtoull: integers are read eight
 * digits at a time where they can be, and nineteen digits never
 * overflow. */
static void
test_integer_digits(void **state)
{
    static const char  u64[] =
        "expected an integer between 0 and 18446744073709551615";
    static const char  i64[] = "expected an integer between "
                               "-9223372036854775808 and "
                               "9223372036854775807";
    static const char  digits[] = "9876543210123456789012345";
    char                text[40];
    unsigned long long  want;
    size_t              n, k;
    int                 accept;

    DFX_UNUSED(state);
    for (n = 1; n <= 25; n++) {
        for (k = 0; k < 3; k++) {
            /* the digits, all nines, and a 1 followed by zeros */
            memset(text, 0, sizeof(text));
            if (k == 0) {
                memcpy(text, digits, n);
            } else {
                memset(text, k == 1 ? '9' : '0', n);
                text[0] = k == 1 ? '9' : '1';
            }
            errno = 0;
            want = strtoull(text, NULL, 10);
            accept = errno == 0;
            one_int("_id", text, accept, want, u64);
            one_int("start_time", text,
                    accept && want <= (unsigned long long) INT64_MAX, want,
                    i64);
        }
    }
    one_int("_id", "12345678", 1, 12345678, NULL);
    one_int("_id", "1234567890123456", 1, 1234567890123456ull, NULL);
    one_int("start_time", "-1234567890123456", 1,
            (uint64_t) INT64_C(-1234567890123456), NULL);

    /* not integers, whatever the run of digits before */
    one_int("_id", "12345678.5", 0, 0, u64);
    one_int("_id", "123456789e3", 0, 0, u64);
    one_int("_id", "1234567E10", 0, 0, u64);
    one_int("_id", "1234567890123456789.0", 0, 0, u64);
    one_int("_id", "12345678901234567890e-1", 0, 0, u64);
}

static void
test_bool(void **state)
{
    static const char  m[] = "expected true, false, 0 or 1";
    const dfx_schema_t  *s = L7;
    char                 msg[100];

    DFX_UNUSED(state);
    ok(s, "{\"is_ipv4\":true}");
    assert_int_equal(val(s, "is_ipv4")->u, 1);
    ok(s, "{\"is_ipv4\":false}");
    assert_int_equal(val(s, "is_ipv4")->u, 0);
    assert_int_equal(st(s, "is_ipv4"), DFX_SLOT_SET);
    ok(s, "{\"is_ipv4\":1}");
    assert_int_equal(val(s, "is_ipv4")->u, 1);
    ok(s, "{\"is_ipv4\":0}");
    assert_int_equal(val(s, "is_ipv4")->u, 0);

    snprintf(msg, sizeof(msg), "%s, got %s", m, "2");
    bad(s, "{\"is_ipv4\":2}", "is_ipv4", msg, 12);
    snprintf(msg, sizeof(msg), "%s, got %s", m, "1.0");
    bad(s, "{\"is_ipv4\":1.0}", "is_ipv4", msg, 12);
    snprintf(msg, sizeof(msg), "%s, got %s", m, "-1");
    bad(s, "{\"is_ipv4\":-1}", "is_ipv4", msg, 12);
    snprintf(msg, sizeof(msg), "%s, got %s", m, "\"true\"");
    bad(s, "{\"is_ipv4\":\"true\"}", "is_ipv4", msg, 12);
    bad(s, "{\"is_ipv4\":null}", "is_ipv4", "null is not allowed", 12);
}

/* ---- strings ----------------------------------------------------------- */

static void
test_strings(void **state)
{
    const dfx_schema_t  *s = L7;
    const char          *line;
    dfx_str_t            v;

    DFX_UNUSED(state);

    /* no copy: the slot points into the line */
    line = "{\"trace_id\":\"abc\",\"span_id\":\"\"}";
    ok(s, line);
    v = val(s, "trace_id")->s;
    assert_str(v, "abc");
    assert_ptr_equal(v.data, line + 13);
    assert_str(val(s, "span_id")->s, "");
    assert_int_equal(st(s, "span_id"), DFX_SLOT_SET);

    /* escapes are decoded into the pool */
    line = "{\"trace_id\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00/\"}";
    ok(s, line);
    v = val(s, "trace_id")->s;
    assert_str(v, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80/");
    assert_true(v.data < line || v.data > line + strlen(line));

    /* raw UTF-8 passes */
    ok(s, "{\"request_resource\":\"/caf\xc3\xa9\"}");
    assert_str(val(s, "request_resource")->s, "/caf\xc3\xa9");

    bad(s, "{\"trace_id\":5}", "trace_id", "expected a string, got 5", 13);
    bad(s, "{\"trace_id\":true}", "trace_id", "expected a string, got true",
        13);
    bad(s, "{\"trace_id\":[\"a\"]}", "trace_id",
        "expected a string, got an array", 13);
    bad(s, "{\"trace_id\":null}", "trace_id", "null is not allowed", 13);

    /* long values are quoted in part */
    bad(s, "{\"client_port\":\"0123456789012345678901234567890123456789"
        "0123456789\"}", "client_port",
        "expected an integer between 0 and 65535, got "
        "\"012345678901234567890123456789012345678901234567...\"", 16);
}

static void
test_utf8(void **state)
{
    const dfx_schema_t  *s = L7;

    DFX_UNUSED(state);
    bad(s, "{\"trace_id\":\"ab\xff\"}", "trace_id", "invalid UTF-8 in string",
        16);
    bad(s, "{\"tr\xe9\":1}", "", "invalid UTF-8 in string", 6);
    bad(s, "{\"trace_id\":\"\xf8\x88\x80\x80\x80\"}", "trace_id",
        "invalid UTF-8 in string", 14);

    /* what yajl lets through: overlong forms, surrogates, past U+10FFFF */
    bad(s, "{\"trace_id\":\"\xc0\xaf\"}", "trace_id",
        "invalid UTF-8 in string", 14);
    bad(s, "{\"trace_id\":\"abcdefghij\xe0\x80\xaf\"}", "trace_id",
        "invalid UTF-8 in string", 24);
    bad(s, "{\"trace_id\":\"\xed\xa0\x80\"}", "trace_id",
        "invalid UTF-8 in string", 14);
    bad(s, "{\"trace_id\":\"\xf4\x90\x80\x80\"}", "trace_id",
        "invalid UTF-8 in string", 14);
    bad(s, "{\"attribute_names\":[\"a\",\"\xc1\xbf\"]}", "attribute_names",
        "invalid UTF-8 in string", 26);
    bad(s, "{\"\xc0\xaf\":1}", "", "invalid UTF-8 in string", 3);
    bad(s, "{\"x\":{\"\xc0\xaf\":1}}", "", "invalid UTF-8 in string", 8);
    bad(s, "{\"x\":[\"\xc0\xaf\"]}", "x", "invalid UTF-8 in string", 8);
    /* an escaped string is checked after decoding; the column is its
     * quote */
    bad(s, "{\"trace_id\":\"\\n\xc0\xaf\"}", "trace_id",
        "invalid UTF-8 in string", 13);
    /* the largest code point and a 4-byte form are fine */
    ok(s, "{\"trace_id\":\"\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80\"}");
    /* a valid record on the same parser afterwards */
    ok(s, "{\"trace_id\":\"\xe2\x82\xac\"}");
    assert_str(val(s, "trace_id")->s, "\xe2\x82\xac");
}

/*
 * A \uD800-\uDFFF escape that is not half of a pair rejects the record,
 * named: yajl decodes a lone high one to "?" and a low one to a form
 * that is not UTF-8.  Values, array elements, member names, skipped
 * members alike; pairs still decode.
 */
static void
test_lone_surrogate(void **state)
{
    const dfx_schema_t  *s = L7;

    DFX_UNUSED(state);
    bad(s, "{\"trace_id\":\"\\ud800\"}", "trace_id",
        "lone surrogate \\ud800 in string", 13);
    bad(s, "{\"trace_id\":\"ab\\uD800cd\"}", "trace_id",
        "lone surrogate \\ud800 in string", 13);
    bad(s, "{\"trace_id\":\"\\udbff\\n\"}", "trace_id",
        "lone surrogate \\udbff in string", 13);
    /* a high one followed by an escape that is no low one */
    bad(s, "{\"trace_id\":\"\\ud800\\u0041\"}", "trace_id",
        "lone surrogate \\ud800 in string", 13);
    bad(s, "{\"trace_id\":\"\\ud800\\ud800\\udc00\"}", "trace_id",
        "lone surrogate \\ud800 in string", 13);
    /* a low one alone, or after a complete pair */
    bad(s, "{\"trace_id\":\"x\\udfff\"}", "trace_id",
        "lone surrogate \\udfff in string", 13);
    bad(s, "{\"trace_id\":\"\\ud83d\\ude00\\ude00\"}", "trace_id",
        "lone surrogate \\ude00 in string", 13);
    /* non-ASCII around it */
    bad(s, "{\"trace_id\":\"\xc3\xa9\\ud800\"}", "trace_id",
        "lone surrogate \\ud800 in string", 13);
    /* array elements, member names, skipped members */
    bad(s, "{\"attribute_names\":[\"a\",\"\\ud800\"]}", "attribute_names",
        "lone surrogate \\ud800 in string", 25);
    bad(s, "{\"tr\\ud800\":1}", "", "lone surrogate \\ud800 in string", 2);
    bad(s, "{\"tr\\udc00\":1}", "", "lone surrogate \\udc00 in string", 2);
    bad(s, "{\"mystery\":\"\\ud800\"}", "mystery",
        "lone surrogate \\ud800 in string", 12);
    bad(s, "{\"mystery\":{\"\\ud800\":1}}", "",
        "lone surrogate \\ud800 in string", 13);
    /* an escaped backslash before "ud800" is no escape */
    ok(s, "{\"trace_id\":\"\\\\ud800\"}");
    assert_str(val(s, "trace_id")->s, "\\ud800");
    /* pairs, upper or lower case, still decode */
    ok(s, "{\"trace_id\":\"\\uD83D\\uDE00\\ud800\\udc00\"}");
    assert_str(val(s, "trace_id")->s, "\xf0\x9f\x98\x80\xf0\x90\x80\x80");
    ok(s, "{\"attribute_names\":[\"\\ud83d\\ude00\"]}");
}

/* ---- addresses --------------------------------------------------------- */

static void
test_ipv4(void **state)
{
    const dfx_schema_t  *s = L7;

    DFX_UNUSED(state);
    ok(s, "{\"ip4_0\":\"1.2.3.4\",\"ip4_1\":\"255.255.255.255\"}");
    assert_int_equal(val(s, "ip4_0")->u, 0x01020304);
    assert_int_equal(val(s, "ip4_1")->u, 0xffffffff);
    ok(s, "{\"ip4_0\":\"0.0.0.0\"}");
    assert_int_equal(val(s, "ip4_0")->u, 0);
    assert_int_equal(st(s, "ip4_0"), DFX_SLOT_SET);

    bad(s, "{\"ip4_0\":\"1.2.3\"}", "ip4_0",
        "invalid IPv4 address \"1.2.3\"", 10);
    bad(s, "{\"ip4_0\":\"256.1.1.1\"}", "ip4_0",
        "invalid IPv4 address \"256.1.1.1\"", 10);
    bad(s, "{\"ip4_0\":\" 1.2.3.4\"}", "ip4_0",
        "invalid IPv4 address \" 1.2.3.4\"", 10);
    bad(s, "{\"ip4_0\":\"::1\"}", "ip4_0", "invalid IPv4 address \"::1\"",
        10);
    bad(s, "{\"ip4_0\":\"\"}", "ip4_0", "invalid IPv4 address \"\"", 10);
    bad(s, "{\"ip4_0\":\"1.2.3.4\\u0000\"}", "ip4_0",
        "invalid IPv4 address \"1.2.3.4\"", 10);
    bad(s, "{\"ip4_0\":16909060}", "ip4_0",
        "expected a string, got 16909060", 10);
    /* an escaped spelling decodes first; the column is its quote */
    bad(s, "{\"ip4_0\":\"1.2\\u002e3\"}", "ip4_0",
        "invalid IPv4 address \"1.2.3\"", 10);
    ok(s, "{\"ip4_0\":\"10.0\\u002e0.1\"}");
    assert_int_equal(val(s, "ip4_0")->u, 0x0a000001);
}

static void
test_ipv6(void **state)
{
    static const uint8_t  zero[16] = { 0 };
    static const uint8_t  one[16] = { [15] = 1 };
    static const uint8_t  mapped[16] = { [10] = 0xff, [11] = 0xff,
                                         [12] = 1, [13] = 2, [14] = 3,
                                         [15] = 4 };
    static const uint8_t  doc[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    const dfx_schema_t   *s = L7;

    DFX_UNUSED(state);
    ok(s, "{\"ip6_0\":\"::\"}");
    assert_memory_equal(val(s, "ip6_0")->ip6, zero, 16);
    assert_int_equal(st(s, "ip6_0"), DFX_SLOT_SET);
    assert_int_equal(st(s, "ip6_1"), DFX_SLOT_ABSENT);
    ok(s, "{\"ip6_0\":\"::1\"}");
    assert_memory_equal(val(s, "ip6_0")->ip6, one, 16);
    ok(s, "{\"ip6_0\":\"::ffff:1.2.3.4\"}");
    assert_memory_equal(val(s, "ip6_0")->ip6, mapped, 16);
    ok(s, "{\"ip6_0\":\"2001:DB8::1\"}");
    assert_memory_equal(val(s, "ip6_0")->ip6, doc, 16);
    ok(s, "{\"ip6_0\":\"2001:0db8:0000:0000:0000:0000:0000:0001\"}");
    assert_memory_equal(val(s, "ip6_0")->ip6, doc, 16);

    bad(s, "{\"ip6_0\":\"1.2.3.4\"}", "ip6_0",
        "invalid IPv6 address \"1.2.3.4\"", 10);
    bad(s, "{\"ip6_0\":\"fe80::1%eth0\"}", "ip6_0",
        "invalid IPv6 address \"fe80::1%eth0\"", 10);
    bad(s, "{\"ip6_0\":\"1:2:3:4:5:6:7:8:9\"}", "ip6_0",
        "invalid IPv6 address \"1:2:3:4:5:6:7:8:9\"", 10);
    bad(s, "{\"ip6_0\":\":::\"}", "ip6_0", "invalid IPv6 address \":::\"",
        10);
    bad(s, "{\"ip6_0\":null}", "ip6_0", "null is not allowed", 10);
}

static void
test_mac(void **state)
{
    const dfx_schema_t  *s = L4;

    DFX_UNUSED(state);
    ok(s, "{\"mac_0\":\"aa:bb:cc:dd:ee:ff\",\"mac_1\":\"00:00:00:00:00:01\"}");
    assert_true(val(s, "mac_0")->u == 0xaabbccddeeffull);
    assert_true(val(s, "mac_1")->u == 1);
    ok(s, "{\"mac_0\":\"AA-BB-CC-DD-EE-0F\"}");
    assert_true(val(s, "mac_0")->u == 0xaabbccddee0full);
    ok(s, "{\"mac_0\":\"Aa:bB:cc:DD:ee:FF\"}");
    assert_true(val(s, "mac_0")->u == 0xaabbccddeeffull);

    bad(s, "{\"mac_0\":\"aa:bb-cc:dd:ee:ff\"}", "mac_0",
        "invalid MAC address \"aa:bb-cc:dd:ee:ff\"", 10);
    bad(s, "{\"mac_0\":\"aa:bb:cc:dd:ee\"}", "mac_0",
        "invalid MAC address \"aa:bb:cc:dd:ee\"", 10);
    bad(s, "{\"mac_0\":\"aabbccddeeff\"}", "mac_0",
        "invalid MAC address \"aabbccddeeff\"", 10);
    bad(s, "{\"mac_0\":\"gg:bb:cc:dd:ee:ff\"}", "mac_0",
        "invalid MAC address \"gg:bb:cc:dd:ee:ff\"", 10);
    bad(s, "{\"mac_0\":\"aa:bb:cc:dd:ee:ff:00\"}", "mac_0",
        "invalid MAC address \"aa:bb:cc:dd:ee:ff:00\"", 10);
    bad(s, "{\"mac_0\":\"aa.bb.cc.dd.ee.ff\"}", "mac_0",
        "invalid MAC address \"aa.bb.cc.dd.ee.ff\"", 10);
    bad(s, "{\"mac_0\":187723572702975}", "mac_0",
        "expected a string, got 187723572702975", 10);
}

/* ---- arrays ------------------------------------------------------------ */

static void
test_arrays(void **state)
{
    const dfx_schema_t  *s = L7;
    const dfx_value_t   *v;
    const char          *line;

    DFX_UNUSED(state);
    line = "{\"attribute_names\":[\"a\",\"b\\\"c\",\"\"],"
           "\"metrics_values\":[1, 2.5, -3e2, 0]}";
    ok(s, line);
    v = val(s, "attribute_names");
    assert_int_equal(v->strs.n, 3);
    assert_str(v->strs.v[0], "a");
    assert_ptr_equal(v->strs.v[0].data, line + 21);
    assert_str(v->strs.v[1], "b\"c");
    assert_str(v->strs.v[2], "");
    v = val(s, "metrics_values");
    assert_int_equal(v->f64s.n, 4);
    assert_true(v->f64s.v[0] == 1.0);
    assert_true(v->f64s.v[1] == 2.5);
    assert_true(v->f64s.v[2] == -300.0);
    assert_true(v->f64s.v[3] == 0.0);

    ok(s, "{\"attribute_names\":[],\"metrics_values\":[]}");
    assert_int_equal(st(s, "attribute_names"), DFX_SLOT_SET);
    assert_int_equal(val(s, "attribute_names")->strs.n, 0);
    assert_int_equal(val(s, "metrics_values")->f64s.n, 0);

    /* many elements: past the parser's first scratch allocation */
    {
        char    big[8192];
        size_t  n = 0;
        int     i;

        n += (size_t) snprintf(big + n, sizeof(big) - n,
                               "{\"metrics_names\":[");
        for (i = 0; i < 500; i++) {
            n += (size_t) snprintf(big + n, sizeof(big) - n, "%s\"m%d\"",
                                   i ? "," : "", i);
        }
        snprintf(big + n, sizeof(big) - n, "]}");
        ok(s, big);
        v = val(s, "metrics_names");
        assert_int_equal(v->strs.n, 500);
        assert_str(v->strs.v[499], "m499");
    }

    bad(s, "{\"attribute_names\":[\"a\",1]}", "attribute_names",
        "expected a string in the array, got 1", 25);
    bad(s, "{\"attribute_names\":[\"a\",null]}", "attribute_names",
        "expected a string in the array, got null", 25);
    bad(s, "{\"attribute_names\":[[\"a\"]]}", "attribute_names",
        "expected a string in the array, got an array", 21);
    bad(s, "{\"attribute_names\":[{}]}", "attribute_names",
        "expected a string in the array, got an object", 21);
    bad(s, "{\"attribute_names\":\"a\"}", "attribute_names",
        "expected an array of strings, got \"a\"", 20);
    bad(s, "{\"attribute_names\":null}", "attribute_names",
        "null is not allowed", 20);
    bad(s, "{\"metrics_values\":[1,\"2\"]}", "metrics_values",
        "expected a number in the array, got \"2\"", 22);
    bad(s, "{\"metrics_values\":[true]}", "metrics_values",
        "expected a number in the array, got true", 20);
    bad(s, "{\"metrics_values\":[1e999]}", "metrics_values",
        "expected a finite number, got 1e999", 20);
    bad(s, "{\"metrics_values\":[-1e400]}", "metrics_values",
        "expected a finite number, got -1e400", 20);
    bad(s, "{\"metrics_values\":1}", "metrics_values",
        "expected an array of numbers, got 1", 19);
}

/* ---- nulls, absent fields, timestamps ---------------------------------- */

static void
test_nulls_and_absent(void **state)
{
    const dfx_schema_t  *s = L7;
    dfx_record_t        *r;
    unsigned             i, set = 0;

    DFX_UNUSED(state);
    r = ok(s, "{\"request_id\":null,\"response_code\":null,\"span_kind\":null,"
           "\"request_length\":null,\"response_length\":5,"
           "\"sql_affected_rows\":null}");
    assert_int_equal(st(s, "request_id"), DFX_SLOT_NULL);
    assert_int_equal(st(s, "response_code"), DFX_SLOT_NULL);
    assert_int_equal(st(s, "span_kind"), DFX_SLOT_NULL);
    assert_int_equal(st(s, "request_length"), DFX_SLOT_NULL);
    assert_int_equal(st(s, "sql_affected_rows"), DFX_SLOT_NULL);
    assert_int_equal(st(s, "response_length"), DFX_SLOT_SET);
    assert_int_equal(val(s, "response_length")->i, 5);
    assert_false(dfx_record_has(r, (unsigned) fidx(s, "request_id")));
    assert_true(dfx_record_has(r, (unsigned) fidx(s, "response_length")));

    /* everything else is absent, with its zero value */
    for (i = 0; i < s->nfields; i++) {
        if (r->state[i] == DFX_SLOT_ABSENT) {
            assert_true(r->v[i].u == 0);
            assert_true(r->v[i].s.data == NULL && r->v[i].s.len == 0);
        } else {
            set++;
        }
    }
    assert_int_equal(set, 6);
    assert_int_equal(r->ts_us, 0);
    assert_int_equal(r->unknown, 0);
    assert_ptr_equal(r->schema, s);

    /* a large exact int64 (DeepFlow wraps at 2^31) */
    ok(s, "{\"request_length\":4294967296}");
    assert_true(val(s, "request_length")->i == INT64_C(4294967296));
}

static void
test_timestamp(void **state)
{
    dfx_record_t  *r;

    DFX_UNUSED(state);
    r = ok(L7, "{\"start_time\":1700000000000000,"
           "\"end_time\":1700000000140891}");
    assert_true(r->ts_us == INT64_C(1700000000140891));
    r = ok(ds("event.file_event"), "{\"time\":1,\"end_time\":42}");
    assert_true(r->ts_us == 42);
    r = ok(ds("flow_metrics.network.1m"), "{\"time\":1700000000}");
    assert_true(r->ts_us == INT64_C(1700000000000000));
    r = ok(ds("flow_metrics.application_map.1s"), "{\"time\":4294967295}");
    assert_true(r->ts_us == INT64_C(4294967295000000));
    r = ok(ds("flow_metrics.network.1m"), "{\"packet_tx\":1}");
    assert_true(r->ts_us == 0);
}

/* ---- names -------------------------------------------------------------- */

static void
test_aliases(void **state)
{
    const dfx_schema_t  *s = L7;
    const dfx_schema_t  *nm = ds("flow_metrics.network_map.1m");
    const dfx_schema_t  *ev = ds("event.file_event");

    DFX_UNUSED(state);
    ok(s, "{\"endpoint\":\"/x\",\"_trace_id_2\":\"t2\","
       "\"l7_protocol_str\":\"HTTP\"}");
    assert_str(val(s, "end_point")->s, "/x");
    assert_str(val(s, "trace_id_2")->s, "t2");
    assert_str(val(s, "biz_protocol")->s, "HTTP");

    ok(nm, "{\"region_id\":3,\"ip4\":\"1.1.1.1\",\"region_id_1\":4,"
       "\"_tid\":2}");
    assert_int_equal(val(nm, "region_id_0")->u, 3);
    assert_int_equal(val(nm, "ip4_0")->u, 0x01010101);
    assert_int_equal(val(nm, "region_id_1")->u, 4);
    assert_int_equal(val(nm, "thread_id")->u, 2);
    assert_int_equal(ctx.rec.unknown, 0);

    ok(L4, "{\"nat_real_ip4_1\":\"9.9.9.9\"}");
    assert_int_equal(val(L4, "nat_real_ip_1")->u, 0x09090909);
    ok(ev, "{\"pod_node_id\":77}");
    assert_int_equal(val(ev, "host_node_id")->u, 77);

    /* an escaped name is the same name */
    ok(s, "{\"\\u005fid\":7}");
    assert_int_equal(val(s, "_id")->u, 7);
    /* names are exact */
    ok(s, "{\"_ID\":7,\"_id \":8}");
    assert_int_equal(st(s, "_id"), DFX_SLOT_ABSENT);
    assert_int_equal(ctx.rec.unknown, 2);
}

static void
test_unknown_members(void **state)
{
    const dfx_schema_t  *s = L7;

    DFX_UNUSED(state);
    ok(s, "{\"x\":1,\"y\":{\"_id\":1,\"a\":[1,{\"b\":[2,\"c\"]}],\"n\":null},"
       "\"z\":[[],[[]],{}],\"w\":\"s\",\"v\":true,\"u\":null,\"_id\":5,"
       "\"t\":-1.5e3}");
    assert_int_equal(ctx.rec.unknown, 7);
    assert_int_equal(val(s, "_id")->u, 5);
    assert_int_equal(st(s, "_id"), DFX_SLOT_SET);

    /* the members of a skipped object do not count */
    ok(s, "{\"k8s\":{\"a\":1,\"b\":2,\"c\":3}}");
    assert_int_equal(ctx.rec.unknown, 1);

    /* an escaped unknown name, and one that holds a NUL */
    ok(s, "{\"\\u0078y\":1,\"_id\\u0000\":2}");
    assert_int_equal(ctx.rec.unknown, 2);
    assert_int_equal(st(s, "_id"), DFX_SLOT_ABSENT);
}

static void
test_duplicates(void **state)
{
    const dfx_schema_t  *s = L7;

    DFX_UNUSED(state);
    bad(s, "{\"_id\":1,\"_id\":2}", "_id", "duplicate field", 10);
    bad(s, "{\"end_point\":\"a\",\"x\":0,\"endpoint\":\"b\"}", "endpoint",
        "duplicate field", 24);
    bad(s, "{\"request_id\":null,\"request_id\":5}", "request_id",
        "duplicate field", 20);
    bad(s, "{\"\\u005fid\":1,\"_id\":2}", "_id", "duplicate field", 15);
    bad(s, "{\"_id\":1,\"\\u005fid\":2}", "_id", "duplicate field", 10);
    /* an unknown name twice is no error */
    ok(s, "{\"x\":1,\"x\":2}");
    assert_int_equal(ctx.rec.unknown, 2);
}

/* The parser learns the order fields come in; any order still works. */
static void
test_field_order(void **state)
{
    static const dfx_field_t  fields[] = {
        { .name = "a", .type = DFX_T_U8 },
        { .name = "bb", .alias = { "b" }, .type = DFX_T_STR },
        { .name = "ts", .type = DFX_T_I64 },
    };
    static const dfx_schema_t  custom = {
        .name = "custom", .fields = fields, .nfields = 3, .ts_field = 2,
        .ts_unit = DFX_TS_MICROSECONDS, .nsides = 1,
    };
    const dfx_schema_t        *s = L7;
    int                        i;

    DFX_UNUSED(state);
    for (i = 0; i < 3; i++) {
        ok(s, "{\"l7_protocol\":21,\"_id\":2,\"trace_id\":\"t\"}");
        assert_int_equal(val(s, "_id")->u, 2);
        assert_int_equal(val(s, "l7_protocol")->u, 21);
        assert_str(val(s, "trace_id")->s, "t");
        ok(s, "{\"_id\":3,\"trace_id\":\"u\",\"l7_protocol\":22}");
        assert_int_equal(val(s, "_id")->u, 3);
        assert_int_equal(val(s, "l7_protocol")->u, 22);
        assert_str(val(s, "trace_id")->s, "u");
    }
    /* names of the guessed length but other bytes, and prefixes */
    ok(s, "{\"_ie\":1,\"_i\":2,\"_id_\":3,\"l7_protocol\":4}");
    assert_int_equal(ctx.rec.unknown, 3);
    assert_int_equal(st(s, "_id"), DFX_SLOT_ABSENT);
    assert_int_equal(val(s, "l7_protocol")->u, 4);
    /* an alias where the canonical name was learnt */
    ok(s, "{\"_id\":1,\"l7_protocol_str\":\"x\",\"biz_protocol_\":1}");
    assert_str(val(s, "biz_protocol")->s, "x");
    assert_int_equal(ctx.rec.unknown, 1);

    /* a schema that is not a built-in one */
    ok(&custom, "{\"ts\":-5,\"b\":\"x\",\"a\":7,\"c\":1}");
    assert_int_equal(ctx.rec.v[0].u, 7);
    assert_str(ctx.rec.v[1].s, "x");
    assert_true(ctx.rec.ts_us == -5);
    assert_int_equal(ctx.rec.unknown, 1);
    bad(&custom, "{\"bb\":\"x\",\"b\":\"y\"}", "b", "duplicate field", 11);
}

/* ---- lines --------------------------------------------------------------- */

static void
test_line_shape(void **state)
{
    const dfx_schema_t  *s = L7;

    DFX_UNUSED(state);
    ok(s, "  \t{\"_id\":1}  \r");
    assert_int_equal(val(s, "_id")->u, 1);
    ok(s, "{}");

    bad(s, "[]", "", "expected a JSON object, got an array", 1);
    bad(s, "[{\"_id\":1}]", "", "expected a JSON object, got an array", 1);
    bad(s, "  5", "", "expected a JSON object, got a number", 3);
    bad(s, "5 ", "", "expected a JSON object, got a number", 1);
    bad(s, "\"x\"", "", "expected a JSON object, got a string", 1);
    bad(s, "null", "", "expected a JSON object, got null", 1);
    bad(s, " true", "", "expected a JSON object, got true", 2);
    bad(s, "", "", "expected a JSON object", 1);
    bad(s, "   ", "", "expected a JSON object", 1);
    bad(s, "{} {}", "", "more than one JSON value on the line", 4);
    bad(s, "{\"_id\":1}{\"_id\":2}", "", "more than one JSON value on the "
        "line", 10);
    bad(s, "{} 5", "", "more than one JSON value on the line", 4);

    /* a second value cut short must not reach the next line: yajl keeps
     * such a half token as "waiting for more" */
    bad(s, "{}\"", "", "more than one JSON value on the line", 3);
    ok(s, "{\"_id\":3}");
    assert_int_equal(val(s, "_id")->u, 3);
    bad(s, "{\"_id\":1} [", "", "more than one JSON value on the line",
        11);
    ok(s, "{}");
    bad(s, "{\"_id\":\"x\"}\"", "_id", "expected an integer between 0 and "
        "18446744073709551615, got \"x\"", 8);
    ok(s, "{\"_id\":4}");
    assert_int_equal(val(s, "_id")->u, 4);

    /* the caller's index and line survive */
    ctx.rec.index = 7;
    ctx.rec.line = 9;
    ok(s, "{\"_id\":1}");
    assert_int_equal(ctx.rec.index, 7);
    assert_int_equal(ctx.rec.line, 9);
}

static void
test_syntax_errors(void **state)
{
    const dfx_schema_t  *s = L7;

    DFX_UNUSED(state);
    bad(s, "{\"_id\":}", "",
        "parse error: unallowed token at this point in JSON text", 8);
    bad(s, "{\"_id\":1", "", "parse error: premature EOF", 9);
    bad(s, "{\"_id\":1,}", "",
        "parse error: invalid object key (must be a string)", 10);
    bad(s, "{_id:1}", "", "lexical error: invalid char in json text.", 2);
    bad(s, "{\"_id\":1} x", "", "lexical error: invalid char in json text.",
        11);
    bad(s, "{\"_id\":01}", "",
        "parse error: after key and value, inside map, I expect ',' or '}'",
        8);
    bad(s, "{\"trace_id\":\"a\tb\"}", "",
        "lexical error: invalid character inside string.", 14);
    /* the first problem of the line is kept */
    bad(s, "{\"_id\":-1,", "_id",
        "expected an integer between 0 and 18446744073709551615, got -1", 8);
    /* the parser keeps working after errors */
    ok(s, "{\"_id\":3}");
    assert_int_equal(val(s, "_id")->u, 3);
}

static void
test_depth_limit(void **state)
{
    const dfx_schema_t  *s = L7;
    dfx_parse_limits_t   lim = { .depth = 3, .records = 0 };
    dfx_record_parser_t *p;
    const char          *line;
    int                  rc;

    DFX_UNUSED(state);
    p = dfx_record_parser_create(&lim);
    assert_non_null(p);

    line = "{\"x\":{\"y\":{\"z\":1}},\"attribute_names\":[\"a\"]}";
    rc = dfx_record_parse_line(p, s, line, strlen(line), ctx.pool,
                               &ctx.rec, &ctx.err);
    assert_int_equal(rc, DFX_OK);
    assert_int_equal(ctx.rec.unknown, 1);

    line = "{\"x\":{\"y\":{\"z\":[1]}}}";
    rc = dfx_record_parse_line(p, s, line, strlen(line), ctx.pool,
                               &ctx.rec, &ctx.err);
    assert_int_equal(rc, DFX_LIMIT);
    assert_string_equal(ctx.err.msg, "nesting deeper than 3");
    assert_int_equal(ctx.err.column, 16);

    /* deep nesting inside a value that is already rejected still counts */
    line = "{\"_id\":-1,\"x\":[[[[]]]]}";
    rc = dfx_record_parse_line(p, s, line, strlen(line), ctx.pool,
                               &ctx.rec, &ctx.err);
    assert_int_equal(rc, DFX_LIMIT);
    assert_int_equal(ctx.err.column, 17);

    /* a top-level array counts too */
    line = "[[[[1]]]]";
    rc = dfx_record_parse_line(p, s, line, strlen(line), ctx.pool,
                               &ctx.rec, &ctx.err);
    assert_int_equal(rc, DFX_LIMIT);
    assert_int_equal(ctx.err.column, 4);

    line = "{\"_id\":2}";
    rc = dfx_record_parse_line(p, s, line, strlen(line), ctx.pool,
                               &ctx.rec, &ctx.err);
    assert_int_equal(rc, DFX_OK);
    assert_int_equal(ctx.rec.v[0].u, 2);

    dfx_record_parser_destroy(p);
    dfx_record_parser_destroy(NULL);
}

/* ---- JSON bodies --------------------------------------------------------- */

typedef struct {
    unsigned           n;
    dfx_record_t      *rec[16];
    int                failed[16];
    unsigned           unknown[16];    /* read in the callback */
    dfx_record_err_t   err[16];
    int                stop_at;    /* -1: never */
} seen_t;

static int
collect(void *arg, dfx_record_t *rec, const dfx_record_err_t *err)
{
    seen_t  *seen = arg;

    assert_true(seen->n < 16);
    assert_int_equal(rec->index, seen->n);
    seen->rec[seen->n] = rec;
    seen->failed[seen->n] = err != NULL;
    seen->unknown[seen->n] = rec->unknown;
    if (err != NULL) {
        seen->err[seen->n] = *err;
    }
    seen->n++;
    return (int) seen->n - 1 == seen->stop_at ? -1 : 0;
}

static int
count_only(void *arg, dfx_record_t *rec, const dfx_record_err_t *err)
{
    seen_t  *seen = arg;

    assert_null(err);
    assert_int_equal(rec->index, seen->n);
    assert_int_equal(rec->v[0].u, seen->n);
    seen->n++;
    return 0;
}

static int
body(const dfx_schema_t *s, const char *text, seen_t *seen)
{
    memset(seen, 0, sizeof(*seen));
    seen->stop_at = -1;
    return dfx_record_parse_json(ctx.p, s, text, strlen(text), ctx.pool,
                                 collect, seen, &ctx.err);
}

static void
test_json_body(void **state)
{
    const dfx_schema_t  *s = L7;
    seen_t               seen;
    int                  id = fidx(s, "_id");

    DFX_UNUSED(state);

    /* one object */
    assert_int_equal(body(s, " {\"_id\":1,\"end_time\":5} ", &seen), DFX_OK);
    assert_int_equal(seen.n, 1);
    assert_false(seen.failed[0]);
    assert_int_equal(seen.rec[0]->v[id].u, 1);
    assert_int_equal(seen.rec[0]->ts_us, 5);

    /* an array mixing valid and invalid records */
    assert_int_equal(body(s, "[{\"_id\":1},\n{\"_id\":-1},\n5,\n[1,[2]],\n"
                          "{\"_id\":2,\"x\":{\"y\":[]}},\n{\"_id\":\"a\","
                          "\"trace_id\":\"t\"},\nnull,{},\n{\"_id\":3,"
                          "\"_id\":4}]", &seen), DFX_OK);
    assert_int_equal(seen.n, 9);
    assert_false(seen.failed[0]);
    assert_true(seen.failed[1]);
    assert_string_equal(seen.err[1].field, "_id");
    assert_string_equal(seen.err[1].msg, "expected an integer between 0 and "
                        "18446744073709551615, got -1");
    assert_int_equal(seen.err[1].column, 20);
    assert_true(seen.failed[2]);
    assert_string_equal(seen.err[2].field, "");
    assert_string_equal(seen.err[2].msg,
                        "expected a JSON object, got a number");
    assert_int_equal(seen.err[2].column, 25);
    assert_true(seen.failed[3]);
    assert_string_equal(seen.err[3].msg,
                        "expected a JSON object, got an array");
    assert_false(seen.failed[4]);
    assert_int_equal(seen.unknown[4], 1);
    assert_true(seen.failed[5]);
    assert_string_equal(seen.err[5].field, "_id");
    assert_true(seen.failed[6]);
    assert_string_equal(seen.err[6].msg, "expected a JSON object, got null");
    assert_false(seen.failed[7]);
    assert_true(seen.failed[8]);
    assert_string_equal(seen.err[8].msg, "duplicate field");

    /* the last record stays intact in the pool after the parse */
    assert_int_equal(seen.rec[8]->index, 8);
    assert_ptr_equal(seen.rec[8]->schema, s);
    assert_int_equal(body(s, "[{\"_id\":1},{\"_id\":7,\"end_time\":9}]",
                          &seen), DFX_OK);
    assert_int_equal(seen.rec[1]->v[id].u, 7);
    assert_int_equal(seen.rec[1]->ts_us, 9);

    /* a string yajl lets through but that is not UTF-8 rejects only its
     * record */
    assert_int_equal(body(s, "[{\"trace_id\":\"\xc0\xaf\"},{\"_id\":1}]",
                          &seen), DFX_OK);
    assert_int_equal(seen.n, 2);
    assert_true(seen.failed[0]);
    assert_string_equal(seen.err[0].msg, "invalid UTF-8 in string");
    assert_int_equal(seen.err[0].column, 15);
    assert_false(seen.failed[1]);

    assert_int_equal(body(s, "[]", &seen), DFX_OK);
    assert_int_equal(seen.n, 0);
    assert_int_equal(body(s, " [ ] ", &seen), DFX_OK);
    assert_int_equal(seen.n, 0);
}

static void
test_json_body_errors(void **state)
{
    const dfx_schema_t  *s = L7;
    seen_t               seen;

    DFX_UNUSED(state);

    /* broken JSON: the whole body is invalid, even after good records */
    assert_int_equal(body(s, "[{\"_id\":1},{\"_id\":2,]", &seen), DFX_ERROR);
    assert_int_equal(seen.n, 1);
    assert_string_equal(ctx.err.msg, "parse error: invalid object key "
                        "(must be a string)");
    assert_int_equal(ctx.err.column, 21);
    assert_int_equal(body(s, "[{\"_id\":1}", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg, "parse error: premature EOF");
    assert_int_equal(ctx.err.column, 11);
    assert_int_equal(body(s, "[{\"trace_id\":\"\xff\"}]", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg, "invalid UTF-8 in string");
    assert_int_equal(body(s, "", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg,
                        "expected a JSON object or an array of objects");

    /* the wrong shape */
    assert_int_equal(body(s, "5", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg, "expected a JSON object or an array of "
                        "objects, got a number");
    assert_int_equal(ctx.err.column, 1);
    assert_int_equal(body(s, " \"x\"", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg, "expected a JSON object or an array of "
                        "objects, got a string");
    assert_int_equal(ctx.err.column, 2);
    assert_int_equal(body(s, "[{}] {}", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg, "more than one JSON value in the body");
    assert_int_equal(ctx.err.column, 6);
    assert_int_equal(body(s, "{} []", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg, "more than one JSON value in the body");
    assert_int_equal(seen.n, 1);
    /* a value cut short after the body is refused, and the next body is
     * not its continuation */
    assert_int_equal(body(s, "{\"_id\":1}\"", &seen), DFX_ERROR);
    assert_string_equal(ctx.err.msg, "more than one JSON value in the body");
    assert_int_equal(ctx.err.column, 10);
    assert_int_equal(body(s, "{\"_id\":2}", &seen), DFX_OK);
    assert_int_equal(seen.n, 1);

    /* the callback stops the parse */
    memset(&seen, 0, sizeof(seen));
    seen.stop_at = 1;
    assert_int_equal(dfx_record_parse_json(ctx.p, s, "[{},{},{}]", 10,
                                           ctx.pool, collect, &seen,
                                           &ctx.err), DFX_ERROR);
    assert_int_equal(seen.n, 2);
    assert_string_equal(ctx.err.msg, "");

    /* and the parser still works */
    assert_int_equal(body(s, "[{\"_id\":9}]", &seen), DFX_OK);
    assert_int_equal(seen.n, 1);
}

/*
 * yajl's own UTF-8 check is off: the parser checks every string and
 * member name itself, where yajl did, with yajl's outcome.  A malformed
 * sequence makes the text invalid JSON wherever it is (skipped members,
 * nested unknown objects, rejected records, top-level values), at the
 * byte yajl stopped on; what yajl let through rejects the record only.
 */
static void
test_utf8_everywhere(void **state)
{
    const dfx_schema_t  *s = L7;
    seen_t               seen;

    DFX_UNUSED(state);
    /* members that are skipped are still checked */
    bad(s, "{\"mystery\":\"ab\xff\"}", "mystery", "invalid UTF-8 in string",
        15);
    bad(s, "{\"mystery\":{\"k\xe9\":1}}", "mystery",
        "invalid UTF-8 in string", 16);
    bad(s, "{\"mystery\":[\"\xc0\xaf\",\"\xf8\"]}", "mystery",
        "invalid UTF-8 in string", 14);
    /* a line keeps the first problem of its record */
    bad(s, "{\"_id\":-1,\"trace_id\":\"x\xff\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got -1", 8);
    bad(s, "{\"_id\":-1,\"tr\xff\":1}", "_id",
        "expected an integer between 0 and 18446744073709551615, got -1", 8);
    /* a top-level string */
    bad(s, "\"\xff\"", "", "invalid UTF-8 in string", 2);
    bad(s, "[\"a\xe2\x82\"]", "", "expected a JSON object, got an array",
        1);
    /* a sequence cut short: yajl stopped on the byte after it */
    bad(s, "{\"trace_id\":\"a\xe2\x82\"}", "trace_id",
        "invalid UTF-8 in string", 17);
    bad(s, "{\"trace_id\":\"\xc0\xaf\xff\"}", "trace_id",
        "invalid UTF-8 in string", 16);
    /* an escaped string: the raw bytes, where they are */
    bad(s, "{\"trace_id\":\"\\n\xff\"}", "trace_id",
        "invalid UTF-8 in string", 16);
    bad(s, "{\"trace_id\":\"\\u00e9\xe2\x82\"}", "trace_id",
        "invalid UTF-8 in string", 22);
    /* well-formed for yajl, but not UTF-8: the record */
    bad(s, "{\"trace_id\":\"\xf5\x80\x80\x80\"}", "trace_id",
        "invalid UTF-8 in string", 14);
    bad(s, "{\"trace_id\":\"\\udc00\"}", "trace_id",
        "lone surrogate \\udc00 in string", 13);
    ok(s, "{\"version\":\"\xf0\x9f\x98\x80\",\"trace_id\":\"\xe2\x82\xac\"}");
    assert_str(val(s, "trace_id")->s, "\xe2\x82\xac");

    /* JSON bodies: malformed is the body's error, even in a skipped
     * member or a rejected record; the rest only rejects its record */
    assert_int_equal(body(s, "[{\"_id\":1},{\"mystery\":\"\xff\"},"
                          "{\"_id\":2}]", &seen), DFX_ERROR);
    assert_int_equal(seen.n, 1);
    assert_string_equal(ctx.err.field, "mystery");
    assert_string_equal(ctx.err.msg, "invalid UTF-8 in string");
    assert_int_equal(ctx.err.column, 24);
    assert_int_equal(body(s, "[{\"_id\":-1,\"trace_id\":\"\xff\"},"
                          "{\"_id\":2}]", &seen), DFX_ERROR);
    assert_int_equal(seen.n, 0);
    assert_string_equal(ctx.err.field, "");
    assert_int_equal(ctx.err.column, 24);
    assert_int_equal(body(s, "[\"\xff\"]", &seen), DFX_ERROR);
    assert_int_equal(ctx.err.column, 3);
    assert_int_equal(body(s, "[{\"trace_id\":\"\xf5\x80\x80\x80\"},"
                          "{\"_id\":2}]", &seen), DFX_OK);
    assert_int_equal(seen.n, 2);
    assert_true(seen.failed[0]);
    assert_string_equal(seen.err[0].field, "trace_id");
    assert_int_equal(seen.err[0].column, 15);
    assert_false(seen.failed[1]);

    /* the parser goes on after a malformed text */
    ok(s, "{\"trace_id\":\"caf\xc3\xa9\"}");
}

/* An array of many records takes the memory of one record, escaped
 * string copies included. */
static void
test_json_body_memory(void **state)
{
    const dfx_schema_t  *s = L7;
    dfx_parse_limits_t   lim = { .depth = 8, .records = 0 };
    dfx_record_parser_t *p;
    seen_t               seen;
    char                *text;
    size_t               n = 20000, i, len = 0, cap = n * 64 + 2;

    DFX_UNUSED(state);
    p = dfx_record_parser_create(&lim);
    text = malloc(cap);
    assert_non_null(p);
    assert_non_null(text);
    text[len++] = '[';
    for (i = 0; i < n; i++) {
        len += (size_t) snprintf(text + len, cap - len,
                                 "%s{\"_id\":%zu,\"request_resource\":"
                                 "\"\\/a\\/b\"}", i ? "," : "", i);
    }
    text[len++] = ']';

    dfx_pool_reset(ctx.pool);
    memset(&seen, 0, sizeof(seen));
    seen.stop_at = -1;
    assert_int_equal(dfx_record_parse_json(p, s, text, len, ctx.pool,
                                           count_only, &seen, &ctx.err),
                     DFX_OK);
    assert_int_equal(seen.n, n);
    /* one block of the pool: 20,000 records held at once would be some
     * 40 MB */
    assert_true(dfx_pool_size(ctx.pool) <= 64 * 1024 + 256);

    free(text);
    dfx_record_parser_destroy(p);
}

static void
test_json_limits(void **state)
{
    const dfx_schema_t  *s = L7;
    dfx_parse_limits_t   lim = { .depth = 2, .records = 3 };
    dfx_record_parser_t *p;
    seen_t               seen;
    const char          *text;

    DFX_UNUSED(state);
    p = dfx_record_parser_create(&lim);
    assert_non_null(p);

    memset(&seen, 0, sizeof(seen));
    seen.stop_at = -1;
    text = "[{},{},{}]";
    assert_int_equal(dfx_record_parse_json(p, s, text, strlen(text),
                                           ctx.pool, collect, &seen,
                                           &ctx.err), DFX_OK);
    assert_int_equal(seen.n, 3);

    memset(&seen, 0, sizeof(seen));
    seen.stop_at = -1;
    text = "[{},{},{}, {}]";
    assert_int_equal(dfx_record_parse_json(p, s, text, strlen(text),
                                           ctx.pool, collect, &seen,
                                           &ctx.err), DFX_LIMIT);
    assert_string_equal(ctx.err.msg, "more than 3 records");
    assert_int_equal(ctx.err.column, 12);
    assert_int_equal(seen.n, 3);

    /* the body's array is not a level of a record */
    memset(&seen, 0, sizeof(seen));
    seen.stop_at = -1;
    text = "[{\"attribute_names\":[\"a\"]}, {\"x\":{\"y\":{}}}]";
    assert_int_equal(dfx_record_parse_json(p, s, text, strlen(text),
                                           ctx.pool, collect, &seen,
                                           &ctx.err), DFX_LIMIT);
    assert_string_equal(ctx.err.msg, "nesting deeper than 2");
    assert_int_equal(ctx.err.column, 39);
    assert_int_equal(seen.n, 1);

    memset(&seen, 0, sizeof(seen));
    seen.stop_at = -1;
    text = "[[[[]]]]";
    assert_int_equal(dfx_record_parse_json(p, s, text, strlen(text),
                                           ctx.pool, collect, &seen,
                                           &ctx.err), DFX_LIMIT);
    assert_int_equal(ctx.err.column, 4);

    dfx_record_parser_destroy(p);
}

/* A realistic record, as generated for benchmarks, parses clean. */
static void
test_full_record(void **state)
{
    static const char  line[] =
        "{\"_id\":7307483422334238721,\"l7_protocol\":20,\"biz_protocol\":"
        "\"\",\"version\":\"1.1\",\"type\":2,\"is_tls\":0,\"request_type\":"
        "\"GET\",\"request_domain\":\"order-svc.shop.svc.cluster.local\","
        "\"request_resource\":\"/api/v1/orders\",\"end_point\":"
        "\"/api/v1/orders\",\"request_id\":null,\"response_status\":0,"
        "\"response_code\":200,\"response_exception\":\"\","
        "\"response_result\":\"\",\"http_proxy_client\":\"\","
        "\"x_request_id_0\":\"\",\"x_request_id_1\":\"\",\"trace_id\":"
        "\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":"
        "\"00f067aa0ba902b7\",\"parent_span_id\":\"\",\"app_service\":"
        "\"order-svc\",\"app_instance\":\"order-svc-7d9c\","
        "\"response_duration\":1523,\"request_length\":312,"
        "\"response_length\":1840,\"captured_request_byte\":312,"
        "\"captured_response_byte\":1840,\"attribute_names\":[\"user_agent\"],"
        "\"attribute_values\":[\"curl/8.4.0\"],\"metrics_names\":[],"
        "\"metrics_values\":[],\"time\":1700000000,\"ip4_0\":\"10.1.2.3\","
        "\"ip4_1\":\"10.1.9.8\",\"is_ipv4\":1,\"protocol\":6,"
        "\"client_port\":51234,\"server_port\":8080,\"flow_id\":"
        "7307483422334238000,\"capture_nic_type\":7,\"signal_source\":3,"
        "\"observation_point\":\"s-p\",\"agent_id\":12,"
        "\"start_time\":1700000000139368,\"end_time\":1700000000140891,"
        "\"region_id_0\":1,\"l3_epc_id_0\":-2,\"org_id\":1,\"team_id\":1,"
        "\"tag_source_0\":2}";
    dfx_record_t  *r;

    DFX_UNUSED(state);
    r = ok(L7, line);
    assert_int_equal(r->unknown, 1);
    assert_true(r->ts_us == INT64_C(1700000000140891));
    assert_int_equal(val(L7, "l3_epc_id_0")->i, -2);
    assert_int_equal(val(L7, "capture_nic_type")->u, 7);
    assert_str(val(L7, "observation_point")->s, "s-p");
    assert_int_equal(st(L7, "request_id"), DFX_SLOT_NULL);
}

/* Every allocation the parser makes may fail: the parse then reports
 * "out of memory" (or goes on without its order cache), and nothing
 * leaks. */
static void
test_alloc_failures(void **state)
{
    static const char    text[] =
        "[{\"_id\":1,\"trace_id\":\"a\\tb\",\"attribute_names\":[\"x\","
        "\"y\\n\"],\"metrics_values\":[1,2],\"request_domain\":"
        "\"0123456789012345678901234567890123456789\"},5,{\"_id\":2},"
        "{\"trace_id\":\"0123456789012345678901234567890123456789\\n\"}]";
    const dfx_schema_t  *s = L7;
    dfx_record_parser_t *p;
    dfx_pool_t          *pool;
    dfx_record_err_t     err;
    seen_t               seen;
    dfx_record_t         rec;
    long                 n;
    int                  rc, hit, failures = 0;

    DFX_UNUSED(state);
    for (n = 0; ; n++) {
        t_alloc_count = 0;
        t_alloc_fail = n;
        p = dfx_record_parser_create(NULL);
        pool = dfx_pool_create(1024);
        rc = DFX_ERROR;
        if (p != NULL && pool != NULL) {
            memset(&seen, 0, sizeof(seen));
            seen.stop_at = -1;
            rc = dfx_record_parse_json(p, s, text, strlen(text), pool,
                                       collect, &seen, &err);
            if (rc == DFX_OK) {
                rc = dfx_record_parse_line(p, s, "{\"_id\":3}", 9, pool,
                                           &rec, &err);
            }
        }
        hit = t_alloc_count > n;
        t_alloc_fail = -1;

        if (!hit) {
            assert_int_equal(rc, DFX_OK);
            assert_int_equal(seen.n, 4);
            assert_int_equal(rec.v[0].u, 3);
            dfx_record_parser_destroy(p);
            dfx_pool_destroy(pool);
            break;
        }
        if (p != NULL && pool != NULL && rc != DFX_OK) {
            assert_int_equal(rc, DFX_ERROR);
            assert_string_equal(err.msg, "out of memory");
            failures++;
        }
        dfx_record_parser_destroy(p);
        dfx_pool_destroy(pool);
    }
    assert_true(n > 5);
    assert_true(failures > 3);
}

/* ---- the ClickHouse dialect -------------------------------------------- */

static void
dialect(dfx_dialect_t d, const char *tz)
{
    char  err[256] = "";

    if (dfx_record_parser_set_dialect(ctx.p, d, tz, err, sizeof(err)) != 0) {
        fail_msg("set_dialect %d %s: %s", (int) d, tz ? tz : "NULL", err);
    }
}

static int
ch_teardown(void **state)
{
    DFX_UNUSED(state);
    dialect(DFX_DIALECT_STRICT, NULL);
    return 0;
}

static void
test_ch_set_dialect(void **state)
{
    static const char *const  zones[] = {
        "Asia/Shanghai", "UTC", "Europe/Berlin", "America/New_York",
        "Asia/Tokyo", "Europe/London", "Australia/Sydney", "Etc/GMT+5",
        "America/Sao_Paulo", "Asia/Kolkata",
    };
    char    err[256];
    size_t  i, round;

    DFX_UNUSED(state);
    /* an unknown zone: -1, and the parser stays as it was */
    assert_int_equal(dfx_record_parser_set_dialect(ctx.p,
                     DFX_DIALECT_CLICKHOUSE, "Mars/Olympus", err,
                     sizeof(err)), -1);
    assert_string_equal(err, "unknown time zone \"Mars/Olympus\" (not in "
                        "/usr/share/zoneinfo)");
    bad(L7, "{\"l7_protocol\":\"5\"}", "l7_protocol",
        "expected an integer between 0 and 255, got \"5\"", 16);
    assert_int_equal(dfx_record_parser_set_dialect(ctx.p,
                     DFX_DIALECT_CLICKHOUSE, "../../etc/passwd", err,
                     sizeof(err)), -1);
    assert_string_equal(err, "unknown time zone \"../../etc/passwd\"");
    assert_int_equal(dfx_record_parser_set_dialect(ctx.p,
                     (dfx_dialect_t) 7, NULL, err, sizeof(err)), -1);
    assert_string_equal(err, "unknown dialect 7");

    /* NULL is UTC */
    dialect(DFX_DIALECT_CLICKHOUSE, NULL);
    ok(L7, "{\"time\":\"2026-01-02 00:00:00\"}");
    assert_int_equal(val(L7, "time")->u, 1767312000);

    /* strict again: a zone is not even needed */
    assert_int_equal(dfx_record_parser_set_dialect(ctx.p, DFX_DIALECT_STRICT,
                     "Mars/Olympus", err, sizeof(err)), 0);
    bad(L7, "{\"l7_protocol\":\"5\"}", "l7_protocol",
        "expected an integer between 0 and 255, got \"5\"", 16);

    /* more zones than the parser keeps, twice round: each answers as
     * its own, whether kept or read again */
    for (round = 0; round < 2; round++) {
        for (i = 0; i < dfx_nelems(zones); i++) {
            dialect(DFX_DIALECT_CLICKHOUSE, zones[i]);
            ok(L7, "{\"time\":\"2024-01-15 12:00:00\"}");
            switch (i) {
            case 0:
                assert_int_equal(val(L7, "time")->u, 1705291200);
                break;
            case 1:
                assert_int_equal(val(L7, "time")->u, 1705320000);
                break;
            case 2:
                assert_int_equal(val(L7, "time")->u, 1705316400);
                break;
            case 3:
                assert_int_equal(val(L7, "time")->u, 1705338000);
                break;
            default:
                break;
            }
        }
        /* and back to one kept at the front */
        dialect(DFX_DIALECT_CLICKHOUSE, "Asia/Kolkata");
        ok(L7, "{\"time\":\"2024-01-15 12:00:00\"}");
        assert_int_equal(val(L7, "time")->u, 1705300200);
    }
}

/* Integers: quoted, and integral Float64 values. */
static void
test_ch_integers(void **state)
{
    const dfx_schema_t  *s = L7, *l4 = L4;

    DFX_UNUSED(state);
    dialect(DFX_DIALECT_CLICKHOUSE, "Asia/Shanghai");

    /* quoted, in every integer type, with the same ranges */
    ok(s, "{\"_id\":\"7301444403200000124\",\"l7_protocol\":\"20\","
       "\"response_code\":\"-5\",\"request_length\":\"-9223372036854775808\","
       "\"is_ipv4\":\"1\",\"server_port\":\"65535\"}");
    assert_true(val(s, "_id")->u == UINT64_C(7301444403200000124));
    assert_int_equal(val(s, "l7_protocol")->u, 20);
    assert_int_equal(val(s, "response_code")->i, -5);
    assert_true(val(s, "request_length")->i == INT64_MIN);
    assert_int_equal(val(s, "is_ipv4")->u, 1);
    assert_int_equal(val(s, "server_port")->u, 65535);
    ok(s, "{\"_id\":\"18446744073709551615\"}");
    assert_true(val(s, "_id")->u == UINT64_MAX);
    ok(s, "{\"_id\":\"007\"}");
    assert_int_equal(val(s, "_id")->u, 7);

    bad(s, "{\"_id\":\"18446744073709551616\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got "
        "\"18446744073709551616\"", 8);
    bad(s, "{\"l7_protocol\":\"256\"}", "l7_protocol",
        "expected an integer between 0 and 255, got \"256\"", 16);
    bad(s, "{\"l7_protocol\":\"-1\"}", "l7_protocol",
        "expected an integer between 0 and 255, got \"-1\"", 16);
    bad(s, "{\"response_code\":\"-2147483649\"}", "response_code",
        "expected an integer between -2147483648 and 2147483647, got "
        "\"-2147483649\"", 18);
    bad(s, "{\"is_ipv4\":\"2\"}", "is_ipv4",
        "expected true, false, 0 or 1, got \"2\"", 12);
    bad(s, "{\"_id\":\"\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got \"\"",
        8);
    bad(s, "{\"_id\":\"5.0\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got "
        "\"5.0\"", 8);
    bad(s, "{\"_id\":\" 5\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got "
        "\" 5\"", 8);
    bad(s, "{\"_id\":\"+5\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got "
        "\"+5\"", 8);
    bad(s, "{\"_id\":\"-\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got "
        "\"-\"", 8);
    bad(s, "{\"_id\":\"0x10\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got "
        "\"0x10\"", 8);
    /* a string field stays a string; a string is read unescaped */
    ok(s, "{\"version\":\"5\"}");
    assert_str(val(s, "version")->s, "5");
    ok(s, "{\"_id\":\"\\u0035\"}");
    assert_int_equal(val(s, "_id")->u, 5);

    /* Float64 values that are integers */
    ok(l4, "{\"rtt\":3.0,\"rtt_client\":1e3,\"rtt_server\":2.5e2,"
       "\"tls_rtt\":-0.0,\"srt_sum\":12.50e1,\"art_sum\":3,"
       "\"rrt_sum\":1E19,\"cit_sum\":0.000e5}");
    assert_int_equal(val(l4, "rtt")->u, 3);
    assert_int_equal(val(l4, "rtt_client")->u, 1000);
    assert_int_equal(val(l4, "rtt_server")->u, 250);
    assert_int_equal(val(l4, "tls_rtt")->u, 0);
    assert_int_equal(val(l4, "srt_sum")->u, 125);
    assert_int_equal(val(l4, "art_sum")->u, 3);
    assert_true(val(l4, "rrt_sum")->u == UINT64_C(10000000000000000000));
    assert_int_equal(val(l4, "cit_sum")->u, 0);
    ok(s, "{\"is_ipv4\":1.0,\"request_length\":-9.223372036854775808e18,"
       "\"_id\":18446744073709551615.000}");
    assert_int_equal(val(s, "is_ipv4")->u, 1);
    assert_true(val(s, "request_length")->i == INT64_MIN);
    assert_true(val(s, "_id")->u == UINT64_MAX);

    bad(l4, "{\"rtt\":2.5}", "rtt", "Float64 value 2.5 is not an integer", 8);
    bad(l4, "{\"rtt\":1e-3}", "rtt", "Float64 value 1e-3 is not an integer",
        8);
    bad(l4, "{\"rtt\":0.30000000000000004}", "rtt",
        "Float64 value 0.30000000000000004 is not an integer", 8);
    bad(l4, "{\"rtt\":-1.0}", "rtt",
        "expected an integer between 0 and 4294967295, got -1.0", 8);
    bad(l4, "{\"rtt\":4294967296.0}", "rtt",
        "expected an integer between 0 and 4294967295, got 4294967296.0",
        8);
    bad(l4, "{\"rrt_sum\":1.8446744073709552e19}", "rrt_sum",
        "expected an integer between 0 and 18446744073709551615, got "
        "1.8446744073709552e19", 12);
    bad(l4, "{\"rrt_sum\":1e999}", "rrt_sum",
        "expected an integer between 0 and 18446744073709551615, got 1e999",
        12);
    bad(l4, "{\"rrt_sum\":1e-999999999999}", "rrt_sum",
        "Float64 value 1e-999999999999 is not an integer", 12);
    bad(s, "{\"is_ipv4\":2.0}", "is_ipv4",
        "expected true, false, 0 or 1, got 2.0", 12);
    /* still no number for a string */
    bad(s, "{\"version\":5.0}", "version", "expected a string, got 5.0", 12);

    /* NaN and infinities arrive as null */
    bad(l4, "{\"rtt\":null}", "rtt", "null is not allowed (ClickHouse "
        "writes a NaN or infinite Float64 as null)", 8);
    bad(s, "{\"version\":null}", "version", "null is not allowed", 12);
    ok(s, "{\"response_code\":null}");
    assert_int_equal(st(s, "response_code"), DFX_SLOT_NULL);
}

/* DateTime and DateTime64 text for time, start_time and end_time. */
static void
test_ch_times(void **state)
{
    static const char  s_exp[] = "expected \"YYYY-MM-DD hh:mm:ss\" or "
                                 "\"YYYY-MM-DDThh:mm:ssZ\"";
    static const char  us_exp[] = "expected \"YYYY-MM-DD hh:mm:ss[.ffffff]\" "
                                  "or \"YYYY-MM-DDThh:mm:ss[.ffffff]Z\"";
    const dfx_schema_t  *s = L7, *m = ds("flow_metrics.network.1m");
    dfx_record_t        *r;
    int64_t              ts;
    char                 want[200];

    DFX_UNUSED(state);
    dialect(DFX_DIALECT_CLICKHOUSE, "Asia/Shanghai");

    r = ok(s, "{\"time\":\"2023-11-15 06:13:20\","
           "\"start_time\":\"2023-11-15 06:13:20.000001\","
           "\"end_time\":\"2023-11-15 06:13:20.123456\"}");
    assert_int_equal(val(s, "time")->u, 1700000000);
    assert_true(val(s, "start_time")->i == INT64_C(1700000000000001));
    assert_true(val(s, "end_time")->i == INT64_C(1700000000123456));
    ts = r->ts_us;
    /* the message timestamp as with the numbers */
    r = ok(s, "{\"time\":1700000000,\"start_time\":1700000000000001,"
           "\"end_time\":1700000000123456}");
    assert_true(r->ts_us == ts);
    assert_true(ts == INT64_C(1700000000123456));

    r = ok(m, "{\"time\":\"2023-11-15 06:13:20\"}");
    assert_true(r->ts_us == INT64_C(1700000000000000));

    /* fractions: 1 to 9 digits, cut to microseconds */
    ok(s, "{\"start_time\":\"2023-11-15 06:13:20.1\","
       "\"end_time\":\"2023-11-15 06:13:20.123456789\"}");
    assert_true(val(s, "start_time")->i == INT64_C(1700000000100000));
    assert_true(val(s, "end_time")->i == INT64_C(1700000000123456));
    ok(s, "{\"end_time\":\"2023-11-15 06:13:20\"}");
    assert_true(val(s, "end_time")->i == INT64_C(1700000000000000));

    /* ISO, in UTC whatever the zone */
    ok(s, "{\"time\":\"2023-11-14T22:13:20Z\","
       "\"end_time\":\"2023-11-14T22:13:20.5Z\"}");
    assert_int_equal(val(s, "time")->u, 1700000000);
    assert_true(val(s, "end_time")->i == INT64_C(1700000000500000));

    /* unix_timestamp: DateTime "S", DateTime64 "S.F" */
    ok(s, "{\"time\":\"1700000000\",\"end_time\":\"1700000000.123456\","
       "\"start_time\":\"-1.500000\"}");
    assert_int_equal(val(s, "time")->u, 1700000000);
    assert_true(val(s, "end_time")->i == INT64_C(1700000000123456));
    assert_true(val(s, "start_time")->i == INT64_C(-1500000));
    /* a quoted integer on a microsecond field is a quoted Int64 */
    ok(s, "{\"end_time\":\"1700000000123456\"}");
    assert_true(val(s, "end_time")->i == INT64_C(1700000000123456));

    /* before 1970 */
    ok(s, "{\"start_time\":\"1969-12-31 23:59:59.5\","
       "\"end_time\":\"1900-01-01 00:00:00\"}");
    assert_true(val(s, "start_time")->i == INT64_C(-28800500000));
    assert_true(val(s, "end_time")->i == INT64_C(-2209017943000000));

    /* DST: the offset before the change (Berlin) */
    dialect(DFX_DIALECT_CLICKHOUSE, "Europe/Berlin");
    ok(s, "{\"time\":\"2024-03-31 02:30:00\","
       "\"end_time\":\"2024-10-27 02:30:00.25\"}");
    assert_int_equal(val(s, "time")->u, 1711848600);
    assert_true(val(s, "end_time")->i == INT64_C(1729989000250000));
    dialect(DFX_DIALECT_CLICKHOUSE, "UTC");
    ok(s, "{\"time\":\"2106-02-07 06:28:15\"}");
    assert_true(val(s, "time")->u == UINT32_MAX);
    ok(s, "{\"time\":\"1970-01-01 00:00:00\"}");
    assert_int_equal(val(s, "time")->u, 0);

    /* refused */
    bad(s, "{\"time\":\"1969-12-31 23:59:59\"}", "time",
        "date and time \"1969-12-31 23:59:59\" is before 1970-01-01 "
        "00:00:00 UTC", 9);
    bad(s, "{\"time\":\"2106-02-07 06:28:16\"}", "time",
        "date and time \"2106-02-07 06:28:16\" is after 2106-02-07 "
        "06:28:15 UTC", 9);
    {
        static const char *const  bad_s[] = {
            "2023-02-29 00:00:00", "2023-13-01 00:00:00",
            "2023-00-01 00:00:00", "2023-11-31 00:00:00",
            "2023-11-15 24:00:00", "2023-11-15 06:60:00",
            "2023-11-15 06:13:60", "2023-11-15T06:13:20",
            "2023-11-15 06:13:20Z", "2023-11-15 06:13:20.5",
            "2023-11-15 06:13", "2023-11-15", "2023/11/15 06:13:20",
            "2023-11-15  6:13:20", "1700000000.5", "abc", "",
            "2023-11-15 06:13:20 ",
        };
        static const char *const  bad_us[] = {
            "2023-11-15 06:13:20.", "2023-11-15 06:13:20.1234567890",
            "2023-11-15 06:13:20.12a", "2023-11-15T06:13:20.5",
            "2023-11-15 06:13:20.5Z", "1700000000.", ".5",
            "1700000000.1234567890", "1.2.3", "2023-02-30 00:00:00.000000",
        };
        char    line[128], q[64];
        size_t  i;

        for (i = 0; i < dfx_nelems(bad_s); i++) {
            snprintf(line, sizeof(line), "{\"time\":\"%s\"}", bad_s[i]);
            snprintf(q, sizeof(q), "%s", bad_s[i]);
            snprintf(want, sizeof(want), "invalid date and time \"%s\": %s",
                     q, s_exp);
            bad(s, line, "time", want, 9);
        }
        for (i = 0; i < dfx_nelems(bad_us); i++) {
            snprintf(line, sizeof(line), "{\"end_time\":\"%s\"}", bad_us[i]);
            snprintf(want, sizeof(want), "invalid date and time \"%s\": %s",
                     bad_us[i], us_exp);
            bad(s, line, "end_time", want, 13);
        }
    }
    /* a quoted integer out of range is one */
    bad(s, "{\"time\":\"-5\"}", "time",
        "expected an integer between 0 and 4294967295, got \"-5\"", 9);
    /* date text for a field that is no time */
    bad(s, "{\"_id\":\"2023-11-15 06:13:20\"}", "_id",
        "expected an integer between 0 and 18446744073709551615, got "
        "\"2023-11-15 06:13:20\"", 8);
}

static void
test_ch_mac_ip4(void **state)
{
    const dfx_schema_t  *s = L4;

    DFX_UNUSED(state);
    dialect(DFX_DIALECT_CLICKHOUSE, "Asia/Shanghai");

    ok(s, "{\"mac_0\":90520731923542,\"mac_1\":\"90520731923542\"}");
    assert_true(val(s, "mac_0")->u == UINT64_C(0x525400123456));
    assert_true(val(s, "mac_1")->u == UINT64_C(0x525400123456));
    ok(s, "{\"mac_0\":0,\"mac_1\":281474976710655}");
    assert_int_equal(val(s, "mac_0")->u, 0);
    assert_true(val(s, "mac_1")->u == UINT64_C(0xffffffffffff));
    ok(s, "{\"mac_0\":\"52:54:00:AB:CD:EF\"}");
    assert_true(val(s, "mac_0")->u == UINT64_C(0x525400abcdef));

    bad(s, "{\"mac_0\":281474976710656}", "mac_0",
        "invalid MAC address 281474976710656 (more than 48 bits)", 10);
    bad(s, "{\"mac_0\":\"281474976710656\"}", "mac_0",
        "invalid MAC address \"281474976710656\" (more than 48 bits)", 10);
    bad(s, "{\"mac_0\":-1}", "mac_0", "expected a string, got -1", 10);
    bad(s, "{\"mac_0\":1.5}", "mac_0", "expected a string, got 1.5", 10);
    bad(s, "{\"mac_0\":\"-1\"}", "mac_0", "invalid MAC address \"-1\"", 10);
    bad(s, "{\"mac_0\":\"52:54:00:12:34\"}", "mac_0",
        "invalid MAC address \"52:54:00:12:34\"", 10);

    ok(s, "{\"ip4_0\":167772161,\"ip4_1\":\"10.0.0.2\"}");
    assert_int_equal(val(s, "ip4_0")->u, 0x0a000001);
    assert_int_equal(val(s, "ip4_1")->u, 0x0a000002);
    ok(s, "{\"ip4_0\":4294967295}");
    assert_true(val(s, "ip4_0")->u == UINT32_MAX);
    bad(s, "{\"ip4_0\":4294967296}", "ip4_0",
        "expected a string, got 4294967296", 10);
    bad(s, "{\"ip4_0\":-1}", "ip4_0", "expected a string, got -1", 10);
    bad(s, "{\"ip4_0\":\"167772161\"}", "ip4_0",
        "invalid IPv4 address \"167772161\"", 10);
    ok(s, "{\"ip6_0\":\"::ffff:1.2.3.4\"}");

    /* null: no address (an IPv4 row), left out like an absent field */
    ok(s, "{\"ip6_0\":null,\"tunnel_tx_ip6_1\":null,\"ip4_0\":\"1.2.3.4\"}");
    assert_int_equal(st(s, "ip6_0"), DFX_SLOT_NULL);
    assert_int_equal(st(s, "tunnel_tx_ip6_1"), DFX_SLOT_NULL);
    bad(s, "{\"ip6_0\":null,\"ip6_0\":\"::1\"}", "ip6_0",
        "duplicate field", 15);
    /* the strict rules keep refusing it */
    dialect(DFX_DIALECT_STRICT, NULL);
    bad(s, "{\"ip6_0\":null}", "ip6_0", "null is not allowed", 10);
}

static void
test_ch_float_arrays(void **state)
{
    const dfx_schema_t  *s = L7;
    const dfx_value_t   *v;

    DFX_UNUSED(state);
    dialect(DFX_DIALECT_CLICKHOUSE, "Asia/Shanghai");
    ok(s, "{\"metrics_values\":[1,null,2.5,null]}");
    v = val(s, "metrics_values");
    assert_int_equal(v->f64s.n, 4);
    assert_true(v->f64s.v[0] == 1.0);
    assert_true(isnan(v->f64s.v[1]));
    assert_true(v->f64s.v[2] == 2.5);
    assert_true(isnan(v->f64s.v[3]));
    ok(s, "{\"metrics_values\":[null]}");
    assert_int_equal(val(s, "metrics_values")->f64s.n, 1);

    bad(s, "{\"attribute_names\":[\"a\",null]}", "attribute_names",
        "expected a string in the array, got null", 25);
    bad(s, "{\"metrics_values\":[1e999]}", "metrics_values",
        "expected a finite number, got 1e999", 20);
    bad(s, "{\"metrics_values\":null}", "metrics_values",
        "null is not allowed", 19);

    /* strict keeps refusing them */
    dialect(DFX_DIALECT_STRICT, NULL);
    bad(s, "{\"metrics_values\":[1,null]}", "metrics_values",
        "expected a number in the array, got null", 22);
}

/* A whole ClickHouse row, in a JSON array body too; then strict again
 * refuses every form. */
static void
test_ch_record(void **state)
{
    static const char  row[] =
        "{\"time\":\"2023-11-15 06:13:20\",\"_id\":\"7301444403200000124\","
        "\"start_time\":\"2023-11-15 06:13:20.000000\","
        "\"end_time\":\"2023-11-15 06:13:20.140891\","
        "\"mac_0\":90520731923542,\"rtt\":3.0,\"flow_id\":\"42\","
        "\"byte_tx\":\"1024\"}";
    const dfx_schema_t  *s = L4;
    seen_t               seen;
    char                 text[1024];

    DFX_UNUSED(state);
    dialect(DFX_DIALECT_CLICKHOUSE, "Asia/Shanghai");
    ok(s, row);
    assert_true(ctx.rec.ts_us == INT64_C(1700000000140891));
    assert_true(val(s, "_id")->u == UINT64_C(7301444403200000124));

    snprintf(text, sizeof(text), "[%s,%s]", row, row);
    assert_int_equal(body(s, text, &seen), DFX_OK);
    assert_int_equal(seen.n, 2);
    assert_false(seen.failed[0]);
    assert_false(seen.failed[1]);

    dialect(DFX_DIALECT_STRICT, NULL);
    bad(s, row, "time", "expected an integer between 0 and 4294967295, got "
        "\"2023-11-15 06:13:20\"", 9);
    bad(s, "{\"rtt\":3.0}", "rtt",
        "expected an integer between 0 and 4294967295, got 3.0", 8);
    bad(s, "{\"mac_0\":90520731923542}", "mac_0",
        "expected a string, got 90520731923542", 10);
    bad(s, "{\"ip4_0\":1}", "ip4_0", "expected a string, got 1", 10);
}

/* Loading a zone may run out of memory at every allocation: -1 with the
 * reason, the parser as it was, nothing leaked. */
static void
test_ch_alloc_failures(void **state)
{
    dfx_record_parser_t  *p;
    dfx_record_t          rec;
    dfx_record_err_t      err;
    char                  msg[256];
    long                  n;
    int                   rc, hit, failures = 0;

    DFX_UNUSED(state);
    for (n = 0; ; n++) {
        p = dfx_record_parser_create(NULL);
        assert_non_null(p);
        msg[0] = '\0';
        t_alloc_count = 0;
        t_alloc_fail = n;
        rc = dfx_record_parser_set_dialect(p, DFX_DIALECT_CLICKHOUSE,
                                           "Europe/Berlin", msg, sizeof(msg));
        hit = t_alloc_count > n;
        t_alloc_fail = -1;
        if (!hit) {
            assert_int_equal(rc, 0);
            dfx_record_parser_destroy(p);
            break;
        }
        if (rc != 0) {
            assert_string_equal(msg, "time zone \"Europe/Berlin\": out of "
                                "memory");
            /* still strict */
            assert_int_equal(dfx_record_parse_line(p, L7, "{\"_id\":\"1\"}",
                                                   11, ctx.pool, &rec, &err),
                             DFX_ERROR);
            failures++;
        }
        dfx_record_parser_destroy(p);
    }
    assert_true(failures >= 3);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_integer_ranges),
        cmocka_unit_test(test_integer_digits),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_everywhere),
        cmocka_unit_test(test_lone_surrogate),
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_mac),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_nulls_and_absent),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_unknown_members),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_field_order),
        cmocka_unit_test(test_line_shape),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_json_body),
        cmocka_unit_test(test_json_body_errors),
        cmocka_unit_test(test_json_body_memory),
        cmocka_unit_test(test_json_limits),
        cmocka_unit_test(test_full_record),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test_teardown(test_ch_set_dialect, ch_teardown),
        cmocka_unit_test_teardown(test_ch_integers, ch_teardown),
        cmocka_unit_test_teardown(test_ch_times, ch_teardown),
        cmocka_unit_test_teardown(test_ch_mac_ip4, ch_teardown),
        cmocka_unit_test_teardown(test_ch_float_arrays, ch_teardown),
        cmocka_unit_test_teardown(test_ch_record, ch_teardown),
        cmocka_unit_test(test_ch_alloc_failures),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
