/*
 * test_dfx_enum_dict.c: the shipped enum dictionaries (conf/enum) and the
 * file format rules, on dictionaries written to a temporary directory.
 * malloc, calloc and realloc are wrapped (-Wl,--wrap) so that a chosen
 * allocation fails.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfx_core.h"
#include "dfx_schema.h"
#include "enum_translate/dfx_enum_dict.h"

#ifndef DFX_TEST_ENUM_DIR
#error "DFX_TEST_ENUM_DIR must name the project's conf/enum"
#endif

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

static void
assert_name_int(const dfx_enums_t *e, dfx_enum_id_t id, int64_t code,
    const char *name)
{
    const dfx_str_t  *s = dfx_enum_name_int(e, id, code);
    const dfx_str_t  *j = dfx_enum_json_int(e, id, code);
    char              lit[256];

    assert_non_null(s);
    assert_non_null(j);
    assert_int_equal(s->len, strlen(name));
    assert_memory_equal(s->data, name, s->len);
    snprintf(lit, sizeof(lit), "\"%s\"", name);
    assert_int_equal(j->len, strlen(lit));
    assert_memory_equal(j->data, lit, j->len);
}

static void
assert_name_str(const dfx_enums_t *e, dfx_enum_id_t id, const char *key,
    const char *name)
{
    const dfx_str_t  *s = dfx_enum_name_str(e, id, key, strlen(key));

    assert_non_null(s);
    assert_int_equal(s->len, strlen(name));
    assert_memory_equal(s->data, name, s->len);
    assert_non_null(dfx_enum_json_str(e, id, key, strlen(key)));
}

static void
test_shipped(void **state)
{
    char          err[512] = "";
    dfx_enums_t  *e;
    size_t        i;

    DFX_UNUSED(state);
    e = dfx_enums_load(DFX_TEST_ENUM_DIR, err, sizeof(err));
    assert_non_null(e);
    assert_string_equal(err, "");

    for (i = 1; i < DFX_ENUM_COUNT; i++) {
        assert_true(dfx_enum_dict_size(dfx_enums_get(e, i)) > 0);
    }
    assert_null(dfx_enums_get(e, DFX_ENUM_NONE));
    assert_null(dfx_enums_get(e, DFX_ENUM_COUNT));
    assert_null(dfx_enum_name_int(e, DFX_ENUM_NONE, 0));

    assert_name_int(e, DFX_ENUM_L7_PROTOCOL, 20, "HTTP");
    assert_name_int(e, DFX_ENUM_L7_PROTOCOL, 0, "N/A");
    assert_name_int(e, DFX_ENUM_L7_PROTOCOL, 47, "Some/IP");
    assert_name_int(e, DFX_ENUM_L7_PROTOCOL, 127, "Custom");
    /* "Other" is absent: translated l7_protocol=1 is dropped */
    assert_null(dfx_enum_name_int(e, DFX_ENUM_L7_PROTOCOL, 1));
    assert_null(dfx_enum_json_int(e, DFX_ENUM_L7_PROTOCOL, 1));
    assert_null(dfx_enum_name_int(e, DFX_ENUM_L7_PROTOCOL, -1));
    assert_null(dfx_enum_name_int(e, DFX_ENUM_L7_PROTOCOL, 128));
    assert_int_equal(dfx_enum_dict_size(dfx_enums_get(e,
                                        DFX_ENUM_L7_PROTOCOL)), 33);
    /* every key is in the string map too */
    assert_name_str(e, DFX_ENUM_L7_PROTOCOL, "20", "HTTP");

    assert_name_int(e, DFX_ENUM_PROTOCOL, 0, "None IP");
    assert_name_int(e, DFX_ENUM_PROTOCOL, 6, "TCP");
    assert_name_int(e, DFX_ENUM_PROTOCOL, 58, "IPv6-ICMP");
    assert_name_int(e, DFX_ENUM_PROTOCOL, 142, "ROHC");
    assert_null(dfx_enum_name_int(e, DFX_ENUM_PROTOCOL, 143));
    assert_int_equal(dfx_enum_dict_size(dfx_enums_get(e, DFX_ENUM_PROTOCOL)),
                     143);

    assert_name_int(e, DFX_ENUM_L7_IP_PROTOCOL, 6, "TCP");
    assert_name_int(e, DFX_ENUM_L7_IP_PROTOCOL, 17, "UDP");
    assert_null(dfx_enum_name_int(e, DFX_ENUM_L7_IP_PROTOCOL, 1));

    assert_name_str(e, DFX_ENUM_OBSERVATION_POINT, "c-p", "Client Process");
    assert_name_str(e, DFX_ENUM_OBSERVATION_POINT, "c", "Client NIC");
    assert_name_str(e, DFX_ENUM_OBSERVATION_POINT, "app", "Application");
    assert_null(dfx_enum_name_str(e, DFX_ENUM_OBSERVATION_POINT, "c-", 2));
    assert_null(dfx_enum_name_str(e, DFX_ENUM_OBSERVATION_POINT, "C", 1));
    assert_null(dfx_enum_name_int(e, DFX_ENUM_OBSERVATION_POINT, 0));
    assert_int_equal(dfx_enum_dict_size(dfx_enums_get(e,
                                        DFX_ENUM_OBSERVATION_POINT)), 17);

    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, 9, "Transfer - Client RST");
    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, 20, "Normal - Client RST");
    assert_null(dfx_enum_name_int(e, DFX_ENUM_CLOSE_TYPE, 4));

    assert_null(dfx_enum_name_int(e, DFX_ENUM_RESPONSE_STATUS, 1));
    assert_name_int(e, DFX_ENUM_RESPONSE_STATUS, 6, "Parse Failed");
    assert_name_int(e, DFX_ENUM_STATUS, 2, "Unknown");
    assert_name_int(e, DFX_ENUM_SPAN_KIND, 3, "SPAN_KIND_CLIENT");
    assert_name_int(e, DFX_ENUM_L7_LOG_TYPE, 2, "Session");
    assert_name_int(e, DFX_ENUM_L7_SIGNAL_SOURCE, 3, "eBPF");
    assert_null(dfx_enum_name_int(e, DFX_ENUM_L7_SIGNAL_SOURCE, 1));
    assert_name_int(e, DFX_ENUM_L4_SIGNAL_SOURCE, 1, "xFlow");
    assert_name_int(e, DFX_ENUM_CAPTURE_NIC_TYPE, 3, "ERSPAN (IPv6)");
    assert_name_int(e, DFX_ENUM_NAT_SOURCE, 6, "TOA");
    assert_name_int(e, DFX_ENUM_TUNNEL_TYPE, 5, "VXLAN-NSH");
    assert_name_int(e, DFX_ENUM_ROLE, 3, "Rest");
    assert_name_int(e, DFX_ENUM_POD_GROUP_TYPE, 0, "--");
    assert_name_int(e, DFX_ENUM_POD_GROUP_TYPE, 135, "CloneSet");
    assert_name_int(e, DFX_ENUM_AUTO_INSTANCE_TYPE, 10, "K8s POD");
    assert_name_int(e, DFX_ENUM_AUTO_INSTANCE_TYPE, 255, "IP");
    assert_null(dfx_enum_name_int(e, DFX_ENUM_AUTO_SERVICE_TYPE, 10));
    assert_name_int(e, DFX_ENUM_AUTO_SERVICE_TYPE, 104, "Biz Service");
    assert_name_int(e, DFX_ENUM_FILE_EVENT_SIGNAL_SOURCE, 2, "IO");
    assert_name_str(e, DFX_ENUM_FILE_EVENT_TYPE, "write", "Write");
    assert_name_int(e, DFX_ENUM_FILE_TYPE, 3, "Network File");
    assert_name_int(e, DFX_ENUM_PERF_EVENT_SIGNAL_SOURCE, 2, "IO");
    assert_name_str(e, DFX_ENUM_PERF_EVENT_TYPE, "read", "Read");

    dfx_enums_free(e);
    dfx_enums_free(NULL);
}

/* ---- dictionaries written to a temporary directory ------------------ */

typedef struct {
    char  dir[64];
} tmp_t;

static void
tmp_write(tmp_t *t, const char *name, const char *text, size_t len)
{
    char   path[256];
    FILE  *f;

    snprintf(path, sizeof(path), "%s/%s", t->dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void
tmp_unlink(tmp_t *t, const char *name)
{
    char  path[256];

    snprintf(path, sizeof(path), "%s/%s", t->dir, name);
    if (unlink(path) != 0) {
        assert_int_equal(errno, ENOENT);
    }
}

static int
tmp_setup(void **state)
{
    static tmp_t  t;
    const char   *base = getenv("TMPDIR");
    size_t        i;

    snprintf(t.dir, sizeof(t.dir), "%s/dfx-enum-XXXXXX",
             base != NULL && strlen(base) < 32 ? base : "/tmp");
    if (mkdtemp(t.dir) == NULL) {
        return -1;
    }
    for (i = 1; i < DFX_ENUM_COUNT; i++) {
        tmp_write(&t, dfx_enum_names[i], "0 , Zero ,\n", 11);
    }
    *state = &t;
    return 0;
}

static int
tmp_teardown(void **state)
{
    tmp_t   *t = *state;
    size_t   i;
    char     en[64];

    for (i = 1; i < DFX_ENUM_COUNT; i++) {
        tmp_unlink(t, dfx_enum_names[i]);
        snprintf(en, sizeof(en), "%s.en", dfx_enum_names[i]);
        tmp_unlink(t, en);
    }
    return rmdir(t->dir);
}

/* Writes text as dictionary id and loads the directory. */
static dfx_enums_t *
load_with(tmp_t *t, dfx_enum_id_t id, const char *text, char *err,
    size_t errlen)
{
    tmp_write(t, dfx_enum_names[id], text, strlen(text));
    err[0] = '\0';
    return dfx_enums_load(t->dir, err, errlen);
}

static void
test_format(void **state)
{
    static const char  text[] =
        "# Value , DisplayName , Description\n"
        "   # an indented comment\n"
        "\n"
        "  \t \r\n"
        "5 ,  Five words  , a description, with, commas\r\n"
        "7,Seven\n"
        "-3 , Minus ,\n"
        "+4 , Plus ,\n"
        "007 , Seven again ,\n"
        "x-y , Dashed , \n"
        "x-y , Dashed twice\n"
        "8 , say \"hi\" \\ there ,\n"
        "9 , tab\there ,\n"
        "10 , ,\n"
        "11 , caf\xc3\xa9 ,\n"
        "12,Last";
    tmp_t              *t = *state;
    char                err[512];
    dfx_enums_t        *e;
    const dfx_str_t    *s;

    e = load_with(t, DFX_ENUM_CLOSE_TYPE, text, err, sizeof(err));
    assert_non_null(e);

    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, 5, "Five words");
    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, -3, "Minus");
    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, 4, "Plus");
    /* 007 is the code 7 again: the later line wins; as a string it is
     * its own key */
    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, 7, "Seven again");
    assert_name_str(e, DFX_ENUM_CLOSE_TYPE, "7", "Seven");
    assert_name_str(e, DFX_ENUM_CLOSE_TYPE, "007", "Seven again");
    assert_name_str(e, DFX_ENUM_CLOSE_TYPE, "x-y", "Dashed twice");
    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, 12, "Last");
    assert_name_int(e, DFX_ENUM_CLOSE_TYPE, 11, "caf\xc3\xa9");
    assert_null(dfx_enum_name_int(e, DFX_ENUM_CLOSE_TYPE, 6));
    assert_null(dfx_enum_name_int(e, DFX_ENUM_CLOSE_TYPE, 0));
    /* 12 lines with a key, 11 distinct keys ("7" and "007" differ) */
    assert_int_equal(dfx_enum_dict_size(dfx_enums_get(e,
                                        DFX_ENUM_CLOSE_TYPE)), 11);

    s = dfx_enum_json_int(e, DFX_ENUM_CLOSE_TYPE, 8);
    assert_non_null(s);
    assert_int_equal(s->len, strlen("\"say \\\"hi\\\" \\\\ there\""));
    assert_memory_equal(s->data, "\"say \\\"hi\\\" \\\\ there\"", s->len);
    s = dfx_enum_json_int(e, DFX_ENUM_CLOSE_TYPE, 9);
    assert_non_null(s);
    assert_int_equal(s->len, strlen("\"tab\\there\""));
    assert_memory_equal(s->data, "\"tab\\there\"", s->len);

    /* an empty name is found, and is empty */
    s = dfx_enum_name_int(e, DFX_ENUM_CLOSE_TYPE, 10);
    assert_non_null(s);
    assert_int_equal(s->len, 0);
    s = dfx_enum_json_int(e, DFX_ENUM_CLOSE_TYPE, 10);
    assert_non_null(s);
    assert_int_equal(s->len, 2);
    assert_memory_equal(s->data, "\"\"", 2);

    /* the others still load */
    assert_name_int(e, DFX_ENUM_L7_PROTOCOL, 0, "Zero");
    dfx_enums_free(e);
}

static void
test_sparse_codes(void **state)
{
    static const char  text[] =
        "1000000 , Million ,\n"
        "-1000000 , Minus million ,\n"
        "9223372036854775807 , Max ,\n"
        "-9223372036854775808 , Min ,\n"
        "9223372036854775808 , Too big ,\n"
        "3 , Three ,\n";
    tmp_t            *t = *state;
    char              err[512];
    dfx_enums_t      *e;
    int64_t           code;

    e = load_with(t, DFX_ENUM_PROTOCOL, text, err, sizeof(err));
    assert_non_null(e);
    assert_name_int(e, DFX_ENUM_PROTOCOL, 1000000, "Million");
    assert_name_int(e, DFX_ENUM_PROTOCOL, -1000000, "Minus million");
    assert_name_int(e, DFX_ENUM_PROTOCOL, INT64_MAX, "Max");
    assert_name_int(e, DFX_ENUM_PROTOCOL, INT64_MIN, "Min");
    assert_name_int(e, DFX_ENUM_PROTOCOL, 3, "Three");
    for (code = -5; code < 100; code++) {
        if (code != 3) {
            assert_null(dfx_enum_name_int(e, DFX_ENUM_PROTOCOL, code));
        }
    }
    /* not an int64: a string key only */
    assert_name_str(e, DFX_ENUM_PROTOCOL, "9223372036854775808", "Too big");
    assert_null(dfx_enum_name_int(e, DFX_ENUM_PROTOCOL,
                                  (int64_t) INT64_MIN + 1));
    dfx_enums_free(e);

    /* a string-only and an empty dictionary */
    e = load_with(t, DFX_ENUM_PROTOCOL, "a , A ,\n", err, sizeof(err));
    assert_non_null(e);
    assert_null(dfx_enum_name_int(e, DFX_ENUM_PROTOCOL, 0));
    assert_name_str(e, DFX_ENUM_PROTOCOL, "a", "A");
    dfx_enums_free(e);
    e = load_with(t, DFX_ENUM_PROTOCOL, "# nothing\n", err, sizeof(err));
    assert_non_null(e);
    assert_int_equal(dfx_enum_dict_size(dfx_enums_get(e,
                                        DFX_ENUM_PROTOCOL)), 0);
    assert_null(dfx_enum_name_int(e, DFX_ENUM_PROTOCOL, 0));
    assert_null(dfx_enum_name_str(e, DFX_ENUM_PROTOCOL, "0", 1));
    dfx_enums_free(e);
    tmp_write(t, "protocol", "0 , Zero ,\n", 11);
}

static void
test_bad_lines(void **state)
{
    tmp_t        *t = *state;
    char          err[512];
    char          want[256];

    assert_null(load_with(t, DFX_ENUM_L7_PROTOCOL,
                          "# header\n20 HTTP\n", err, sizeof(err)));
    snprintf(want, sizeof(want), "enum dictionary l7_protocol: "
             "%s/l7_protocol:2: expected \"key , name\"", t->dir);
    assert_string_equal(err, want);

    assert_null(load_with(t, DFX_ENUM_L7_PROTOCOL,
                          "0 , A ,\n  , nameless ,\n", err, sizeof(err)));
    snprintf(want, sizeof(want), "enum dictionary l7_protocol: "
             "%s/l7_protocol:2: empty key", t->dir);
    assert_string_equal(err, want);

    assert_null(load_with(t, DFX_ENUM_L7_PROTOCOL,
                          "\n\n1 , bad \xff name ,\n", err, sizeof(err)));
    snprintf(want, sizeof(want), "enum dictionary l7_protocol: "
             "%s/l7_protocol:3: invalid UTF-8", t->dir);
    assert_string_equal(err, want);

    /* an overlong encoding and a surrogate are not UTF-8 either */
    assert_null(load_with(t, DFX_ENUM_L7_PROTOCOL, "1 , \xc0\xaf ,\n",
                          err, sizeof(err)));
    assert_non_null(strstr(err, ":1: invalid UTF-8"));
    assert_null(load_with(t, DFX_ENUM_L7_PROTOCOL, "1 , \xed\xa0\x80 ,\n",
                          err, sizeof(err)));
    assert_non_null(strstr(err, ":1: invalid UTF-8"));

    /* a bad description is ignored, as DeepFlow ignores it */
    dfx_enums_free(load_with(t, DFX_ENUM_L7_PROTOCOL,
                             "1 , ok , \xff\n", err, sizeof(err)));
    assert_string_equal(err, "");

    tmp_write(t, "l7_protocol", "0 , Zero ,\n", 11);
}

static void
test_missing(void **state)
{
    tmp_t        *t = *state;
    char          err[512] = "";
    char          want[256];
    dfx_enums_t  *e;

    tmp_unlink(t, "span_kind");
    assert_null(dfx_enums_load(t->dir, err, sizeof(err)));
    snprintf(want, sizeof(want), "enum dictionary span_kind: cannot open "
             "%s/span_kind: No such file or directory", t->dir);
    assert_string_equal(err, want);

    /* DeepFlow's own file name for it */
    tmp_write(t, "span_kind.en", "3 , SPAN_KIND_CLIENT ,\n", 23);
    err[0] = '\0';
    e = dfx_enums_load(t->dir, err, sizeof(err));
    assert_non_null(e);
    assert_name_int(e, DFX_ENUM_SPAN_KIND, 3, "SPAN_KIND_CLIENT");
    dfx_enums_free(e);

    /* the plain name wins over .en */
    tmp_write(t, "span_kind", "3 , plain ,\n", 12);
    e = dfx_enums_load(t->dir, err, sizeof(err));
    assert_non_null(e);
    assert_name_int(e, DFX_ENUM_SPAN_KIND, 3, "plain");
    dfx_enums_free(e);
    tmp_unlink(t, "span_kind.en");

    assert_null(dfx_enums_load("/nonexistent/dfx-enum", err, sizeof(err)));
    assert_string_equal(err, "enum dictionary l7_protocol: cannot open "
                        "/nonexistent/dfx-enum/l7_protocol: No such file "
                        "or directory");
}

/* Each allocation of a load may fail: NULL and "out of memory", no
 * leak. */
static void
test_alloc_failures(void **state)
{
    char          err[512];
    dfx_enums_t  *e;
    long          n;
    int           hit;

    DFX_UNUSED(state);
    for (n = 0; ; n++) {
        t_alloc_count = 0;
        t_alloc_fail = n;
        err[0] = '\0';
        e = dfx_enums_load(DFX_TEST_ENUM_DIR, err, sizeof(err));
        hit = t_alloc_count > n;
        t_alloc_fail = -1;
        if (!hit) {
            assert_non_null(e);
            assert_name_int(e, DFX_ENUM_L7_PROTOCOL, 20, "HTTP");
            break;
        }
        assert_null(e);
        assert_non_null(strstr(err, "out of memory"));
    }
    /* every dictionary allocates: the loop went through all of them */
    assert_true(n > 3 * (DFX_ENUM_COUNT - 1));
    dfx_enums_free(e);
}

int
main(void)
{
    const struct CMUnitTest  shipped[] = {
        cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_alloc_failures),
    };
    const struct CMUnitTest  files[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_sparse_codes),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_missing),
    };
    int  failed;

    failed = cmocka_run_group_tests_name("shipped", shipped, NULL, NULL);
    failed += cmocka_run_group_tests_name("files", files, tmp_setup,
                                          tmp_teardown);
    return failed;
}
