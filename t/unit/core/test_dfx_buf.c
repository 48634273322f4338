/*
 * test_dfx_buf.c: growable buffers, JSON string escaping, integer
 * printing, and the request pool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_buf.h"
#include "dfx_pool.h"

static void
expect_buf(dfx_buf_t *b, const char *want)
{
    assert_int_equal(b->len, strlen(want));
    assert_memory_equal(b->data, want, b->len);
}

static void
test_append_and_grow(void **state)
{
    dfx_buf_t  b = DFX_BUF_INIT;
    int        i;

    (void) state;
    for (i = 0; i < 1000; i++) {
        assert_int_equal(dfx_buf_append_lit(&b, "abc"), 0);
    }
    assert_int_equal(b.len, 3000);
    assert_true(b.cap >= 3000);
    assert_memory_equal(b.data + 2997, "abc", 3);
    dfx_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(dfx_buf_printf(&b, "%d-%s", 42, "x"), 0);
    expect_buf(&b, "42-x");
    dfx_buf_free(&b);
    assert_null(b.data);
    dfx_buf_free(NULL);
}

static void
test_integers(void **state)
{
    dfx_buf_t  b = DFX_BUF_INIT;

    (void) state;
    dfx_buf_u64(&b, 0);
    dfx_buf_putc(&b, ' ');
    dfx_buf_u64(&b, UINT64_MAX);
    dfx_buf_putc(&b, ' ');
    dfx_buf_i64(&b, INT64_MIN);
    dfx_buf_putc(&b, ' ');
    dfx_buf_i64(&b, -1);
    dfx_buf_putc(&b, ' ');
    dfx_buf_i64(&b, INT64_MAX);
    expect_buf(&b, "0 18446744073709551615 -9223372036854775808 -1 "
               "9223372036854775807");
    dfx_buf_free(&b);
}

static void
test_json_escaping(void **state)
{
    dfx_buf_t   b = DFX_BUF_INIT;
    const char  ctl[] = { 0x01, 0x1f, 0x7f, 0 };

    (void) state;
    dfx_buf_json_str(&b, "a\"b\\c/d", 7);
    expect_buf(&b, "\"a\\\"b\\\\c/d\"");
    dfx_buf_reset(&b);

    dfx_buf_json_str(&b, "\b\t\n\f\r", 5);
    expect_buf(&b, "\"\\b\\t\\n\\f\\r\"");
    dfx_buf_reset(&b);

    /* other control bytes as \u00XX; DEL and UTF-8 are copied */
    dfx_buf_json_str(&b, ctl, 3);
    expect_buf(&b, "\"\\u0001\\u001f\x7f\"");
    dfx_buf_reset(&b);

    dfx_buf_json_str(&b, "\xe4\xb8\xad", 3);
    expect_buf(&b, "\"\xe4\xb8\xad\"");
    dfx_buf_reset(&b);

    dfx_buf_json_str(&b, "", 0);
    expect_buf(&b, "\"\"");
    dfx_buf_reset(&b);

    /* an embedded NUL is a control byte like any other */
    dfx_buf_json_str(&b, "a\0b", 3);
    expect_buf(&b, "\"a\\u0000b\"");
    dfx_buf_free(&b);
}

static void
test_pool(void **state)
{
    dfx_pool_t  *pool;
    char        *p, *big, *s;
    size_t       size;
    int          i;

    (void) state;
    pool = dfx_pool_create(4096);
    assert_non_null(pool);

    for (i = 0; i < 1000; i++) {
        p = dfx_pool_alloc(pool, 24);
        assert_non_null(p);
        assert_int_equal((uintptr_t) p % 16, 0);
        memset(p, 'x', 24);
    }
    big = dfx_pool_alloc(pool, 100000);
    assert_non_null(big);
    memset(big, 'y', 100000);
    /* the current block keeps serving small allocations */
    p = dfx_pool_calloc(pool, 32);
    assert_non_null(p);
    for (i = 0; i < 32; i++) {
        assert_int_equal(p[i], 0);
    }
    s = dfx_pool_strndup(pool, "hello world", 5);
    assert_string_equal(s, "hello");

    size = dfx_pool_size(pool);
    assert_true(size > 100000);
    dfx_pool_reset(pool);
    /* the oversized block is gone, one standard block stays */
    assert_true(dfx_pool_size(pool) < 8192);
    p = dfx_pool_alloc(pool, 10);
    assert_non_null(p);
    dfx_pool_destroy(pool);
    dfx_pool_destroy(NULL);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_append_and_grow),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_pool),
    };

    return cmocka_run_group_tests_name("dfx_buf", tests, NULL, NULL);
}
