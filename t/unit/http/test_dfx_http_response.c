/*
 * test_dfx_http_response.c: the ingest answers: counts, the error list and
 * its cap, the per-exporter breakdown, and escaping of texts that quote
 * client input (control characters, quotes, invalid UTF-8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_http_response.h"

static char  text[8192];

static const char *
json_text(const char *s, size_t len)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    assert_int_equal(dfx_http_json_text(&b, s, len), 0);
    assert_true(b.len < sizeof(text));
    memcpy(text, b.data, b.len);
    text[b.len] = '\0';
    dfx_buf_free(&b);
    return text;
}

static void
test_json_text(void **state)
{
    (void) state;

    assert_string_equal(json_text("plain", 5), "\"plain\"");
    assert_string_equal(json_text("", 0), "\"\"");
    assert_string_equal(json_text("a\"b\\c/d", 7), "\"a\\\"b\\\\c/d\"");
    assert_string_equal(json_text("\b\f\n\r\t\x01\x1f", 7),
                        "\"\\b\\f\\n\\r\\t\\u0001\\u001f\"");
    assert_string_equal(json_text("nul\0byte", 8), "\"nul\\u0000byte\"");
    /* valid UTF-8 is kept */
    assert_string_equal(json_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                                  14),
                        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* invalid UTF-8 is replaced, byte by byte */
    assert_string_equal(json_text("a\xff" "b", 3), "\"a\\ufffdb\"");
    assert_string_equal(json_text("\xc3", 1), "\"\\ufffd\"");
    assert_string_equal(json_text("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
    assert_string_equal(json_text("\xed\xa0\x80", 3),
                        "\"\\ufffd\\ufffd\\ufffd\"");
    assert_string_equal(json_text("\xf4\x90\x80\x80", 4),
                        "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    assert_string_equal(json_text("\xe2\x82", 2), "\"\\ufffd\\ufffd\"");
    assert_string_equal(json_text("\x7f", 1), "\"\x7f\"");
}

static const char *
render(const dfx_http_result_t *r, const dfx_http_exp_sum_t *ex, size_t nex,
       size_t *at)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    assert_int_equal(dfx_http_render_result(&b, r, ex, nex, at), 0);
    assert_true(b.len < sizeof(text));
    memcpy(text, b.data, b.len);
    text[b.len] = '\0';
    dfx_buf_free(&b);
    return text;
}

static void
test_result(void **state)
{
    dfx_http_result_t   r;
    dfx_http_rerr_t    *e;
    size_t              at;

    (void) state;
    memset(&r, 0, sizeof(r));
    dfx_http_result_reset(&r, 100);

    assert_string_equal(render(&r, NULL, 0, &at),
        "{\"accepted\":0,\"filtered\":0,\"rejected\":0,\"errors\":[]}\n");
    assert_int_equal(at, strlen("{\"accepted\":0,\"filtered\":0,"
                                "\"rejected\":0"));

    r.accepted = 3;
    r.filtered = 1;
    r.rejected = 1;
    e = dfx_http_result_add(&r);
    assert_non_null(e);
    assert_int_equal(e->exporter, -1);
    e->record = 4;
    e->line = 5;
    e->column = 17;
    snprintf(e->field, sizeof(e->field), "l7_protocol");
    snprintf(e->msg, sizeof(e->msg), "expected an integer, got \"x\\y\"");
    assert_string_equal(render(&r, NULL, 0, NULL),
        "{\"accepted\":3,\"filtered\":1,\"rejected\":1,\"errors\":["
        "{\"record\":4,\"line\":5,\"column\":17,\"field\":\"l7_protocol\","
        "\"error\":\"expected an integer, got \\\"x\\\\y\\\"\"}]}\n");

    dfx_http_result_free(&r);
}

static void
test_result_cap(void **state)
{
    dfx_http_result_t   r;
    dfx_http_rerr_t    *e;
    unsigned            i;
    const char         *s, *p;
    int                 n;

    (void) state;
    memset(&r, 0, sizeof(r));
    dfx_http_result_reset(&r, 3);
    for (i = 0; i < 10; i++) {
        e = dfx_http_result_add(&r);
        if (i < 3) {
            assert_non_null(e);
            e->record = i;
            snprintf(e->msg, sizeof(e->msg), "bad %u", i);
        } else {
            assert_null(e);
        }
    }
    assert_int_equal(r.total, 10);
    assert_int_equal(r.nerrs, 3);
    r.rejected = 10;
    s = render(&r, NULL, 0, NULL);
    for (n = 0, p = s; (p = strstr(p, "\"record\":")) != NULL; p++) {
        n++;
    }
    assert_int_equal(n, 3);
    assert_non_null(strstr(s, "\"error\":\"bad 2\"}],"
                           "\"errors_truncated\":true}"));

    /* reuse: reset empties but keeps the memory */
    dfx_http_result_reset(&r, 3);
    assert_int_equal(r.nerrs, 0);
    assert_int_equal(r.total, 0);
    assert_null(strstr(render(&r, NULL, 0, NULL), "truncated"));

    /* a cap of 0 lists nothing and says so */
    dfx_http_result_reset(&r, 0);
    assert_null(dfx_http_result_add(&r));
    assert_non_null(strstr(render(&r, NULL, 0, NULL),
                           "\"errors\":[],\"errors_truncated\":true"));
    dfx_http_result_free(&r);
    dfx_http_result_free(NULL);
}

static void
test_exporters_and_errors(void **state)
{
    dfx_http_result_t   r;
    dfx_http_exp_sum_t  ex[2];
    dfx_http_rerr_t    *e;
    dfx_buf_t           b = DFX_BUF_INIT;

    (void) state;
    memset(&r, 0, sizeof(r));
    dfx_http_result_reset(&r, 10);
    r.accepted = 2;
    e = dfx_http_result_add(&r);
    e->record = 1;
    e->exporter = 1;
    snprintf(e->msg, sizeof(e->msg), "Kafka refused the message");

    ex[0].exporter = 0;
    ex[0].topic = dfx_str_cstr("deepflow.flow_log.l7_flow_log");
    ex[0].queued = 2;
    ex[0].filtered = 0;
    ex[1].exporter = 3;
    ex[1].topic = dfx_str_cstr("t\"1");
    ex[1].queued = 1;
    ex[1].filtered = 1;
    assert_string_equal(render(&r, ex, 2, NULL),
        "{\"accepted\":2,\"filtered\":0,\"rejected\":0,\"errors\":["
        "{\"record\":1,\"line\":0,\"column\":0,\"exporter\":1,\"field\":\"\","
        "\"error\":\"Kafka refused the message\"}],\"exporters\":["
        "{\"exporter\":0,\"topic\":\"deepflow.flow_log.l7_flow_log\","
        "\"queued\":2,\"filtered\":0},"
        "{\"exporter\":3,\"topic\":\"t\\\"1\",\"queued\":1,\"filtered\":1}]}"
        "\n");

    assert_int_equal(dfx_http_render_error(&b, "bad \"x\"\n", 0, 0), 0);
    assert_int_equal(dfx_http_render_error(&b, "invalid JSON", 2, 9), 0);
    assert_int_equal(dfx_http_render_refused(&b, "budget full", 12), 0);
    assert_int_equal(dfx_buf_putc(&b, '\0'), 0);
    assert_string_equal(b.data,
        "{\"error\":\"bad \\\"x\\\"\\n\"}\n"
        "{\"error\":\"invalid JSON\",\"line\":2,\"column\":9}\n"
        "{\"error\":\"budget full\",\"refused\":12}\n");
    dfx_buf_free(&b);
    dfx_http_result_free(&r);
}

static void
test_rerr_escaping(void **state)
{
    dfx_http_rerr_t  e;
    dfx_buf_t        b = DFX_BUF_INIT;

    (void) state;
    memset(&e, 0, sizeof(e));
    e.exporter = -1;
    /* a message that quotes invalid input, cut in the middle of a
     * character, and a field name filling its buffer without a NUL */
    memcpy(e.msg, "got \"\xe2\x82\"", 8);
    memset(e.field, 'f', sizeof(e.field));
    assert_int_equal(dfx_http_render_rerr(&b, &e), 0);
    assert_int_equal(dfx_buf_putc(&b, '\0'), 0);
    assert_non_null(strstr(b.data, "\"error\":\"got \\\"\\ufffd\\ufffd\\\"\""));
    assert_non_null(strstr(b.data, "\"field\":\"ffffffffffffffffffffffffffff"
                           "ffffffffffffffffffffffffffffffffffff\""));
    dfx_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_json_text),
        cmocka_unit_test(test_result),
        cmocka_unit_test(test_result_cap),
        cmocka_unit_test(test_exporters_and_errors),
        cmocka_unit_test(test_rerr_escaping),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
