/*
 * test_dfx_tz.c: zones read from the system's zoneinfo and from TZif
 * bytes made here, civil time -> UTC across history, DST gaps and
 * overlaps (the offset before the change), footers with and without
 * rules, broken files and names.
 *
 * The expected instants were computed when the test was written, outside
 * dfexport, with GNU date on glibc (TZ=Zone date -d 'Y-M-D h:m:s' +%s)
 * for wall-clock times that exist once, and with date -u for the UTC
 * instant the rule picks in a gap or an overlap.
 */
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
#include "dfx_tz.h"

/* Seconds since 1970-01-01 00:00:00 of a wall-clock text. */
static int64_t
civil(const char *text)
{
    int       y, mo, d, h, mi, s;

    assert_int_equal(sscanf(text, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h,
                            &mi, &s), 6);
    return dfx_tz_days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400
           + h * 3600 + mi * 60 + s;
}

static dfx_tz_t *
load(const char *name)
{
    char       err[256] = "";
    dfx_tz_t  *tz = dfx_tz_load(name, err, sizeof(err));

    if (tz == NULL) {
        fail_msg("%s: %s", name, err);
    }
    return tz;
}

typedef struct {
    const char  *local;
    int64_t      utc;
} case_t;

static void
check(const char *zone, const case_t *c, size_t n)
{
    dfx_tz_t  *tz = load(zone);
    int64_t    got;
    size_t     i;

    for (i = 0; i < n; i++) {
        got = dfx_tz_local_to_utc(tz, civil(c[i].local));
        if (got != c[i].utc) {
            fail_msg("%s %s: got %lld, want %lld", zone, c[i].local,
                     (long long) got, (long long) c[i].utc);
        }
    }
    dfx_tz_free(tz);
}

/* ---- the calendar ---------------------------------------------------- */

static void
test_civil(void **state)
{
    DFX_UNUSED(state);
    assert_int_equal(dfx_tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(dfx_tz_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(dfx_tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(dfx_tz_days_from_civil(2026, 1, 2), 20455);
    assert_int_equal(dfx_tz_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(dfx_tz_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(dfx_tz_days_in_month(2024, 2), 29);
    assert_int_equal(dfx_tz_days_in_month(2100, 2), 28);
    assert_int_equal(dfx_tz_days_in_month(2000, 2), 29);
    assert_int_equal(dfx_tz_days_in_month(2023, 4), 30);
    assert_int_equal(dfx_tz_days_in_month(2023, 13), 0);
}

/* ---- real zones -------------------------------------------------------- */

static void
test_utc(void **state)
{
    static const case_t  c[] = {
        { "2026-01-02 00:00:00", INT64_C(1767312000) },
        { "1969-12-31 23:59:59", -1 },
        { "1900-01-01 00:00:00", INT64_C(-2208988800) },
    };
    dfx_tz_t  *tz;

    DFX_UNUSED(state);
    check("UTC", c, dfx_nelems(c));
    check("Etc/UTC", c, dfx_nelems(c));

    /* NULL: UTC without a file */
    tz = load(NULL);
    assert_string_equal(dfx_tz_name(tz), "UTC");
    assert_int_equal(dfx_tz_local_to_utc(tz, civil("2026-01-02 00:00:00")),
                     INT64_C(1767312000));
    assert_int_equal(dfx_tz_offset(tz, 0), 0);
    dfx_tz_free(tz);
}

static void
test_shanghai(void **state)
{
    static const case_t  c[] = {
        { "2023-11-15 06:13:20", INT64_C(1700000000) },
        { "2026-01-02 08:00:00", INT64_C(1767312000) },
        { "1950-01-01 00:00:00", INT64_C(-631180800) },
        /* local mean time, +08:05:43 */
        { "1900-01-01 00:00:00", INT64_C(-2209017943) },
        /* China's DST of 1986-1991 */
        { "1988-07-01 12:00:00", INT64_C(583729200) },
        /* its gap (02:00 -> 03:00 on 1988-04-17): +08 before it */
        { "1988-04-17 02:30:00", INT64_C(577218600) },
        /* its overlap (02:00 -> 01:00 on 1988-09-11): the earlier */
        { "1988-09-11 01:30:00", INT64_C(589912200) },
        /* past the last transition: the footer, CST-8 */
        { "2100-01-01 00:00:00", INT64_C(4102416000) },
    };
    dfx_tz_t  *tz;

    DFX_UNUSED(state);
    check("Asia/Shanghai", c, dfx_nelems(c));
    tz = load("Asia/Shanghai");
    assert_string_equal(dfx_tz_name(tz), "Asia/Shanghai");
    assert_int_equal(dfx_tz_offset(tz, 1700000000), 8 * 3600);
    assert_int_equal(dfx_tz_offset(tz, 583729200), 9 * 3600);
    assert_int_equal(dfx_tz_offset(tz, INT64_C(-2209017943)), 29143);
    dfx_tz_free(tz);
}

static void
test_new_york(void **state)
{
    static const case_t  c[] = {
        { "1960-06-15 12:00:00", INT64_C(-301219200) },
        { "1850-01-01 00:00:00", INT64_C(-3786807838) },
        /* the spring gap of 2024: 02:00 -> 03:00 */
        { "2024-03-10 01:59:59", INT64_C(1710053999) },
        { "2024-03-10 02:00:00", INT64_C(1710054000) },
        { "2024-03-10 02:30:00", INT64_C(1710055800) },
        { "2024-03-10 03:00:00", INT64_C(1710054000) },
        /* the autumn overlap: 02:00 EDT -> 01:00 EST */
        { "2024-11-03 00:59:59", INT64_C(1730609999) },
        { "2024-11-03 01:30:00", INT64_C(1730611800) },
        { "2024-11-03 02:00:00", INT64_C(1730617200) },
        /* the footer's rules (EST5EDT,M3.2.0,M11.1.0) */
        { "2100-07-04 12:00:00", INT64_C(4118400000) },
        { "2250-01-01 00:00:00", INT64_C(8835973200) },
        /* past 2299: the offset in force at its end, EST */
        { "2400-07-01 12:00:00", INT64_C(13585251600) },
    };

    DFX_UNUSED(state);
    check("America/New_York", c, dfx_nelems(c));
}

static void
test_berlin(void **state)
{
    static const case_t  c[] = {
        /* double summer time, +03 */
        { "1945-07-01 12:00:00", INT64_C(-773247600) },
        /* local mean time, +00:53:28 */
        { "1890-01-01 00:00:00", INT64_C(-2524524808) },
        { "1969-07-20 20:17:40", INT64_C(-14186540) },
        /* the gap: 02:00 CET -> 03:00 CEST */
        { "2024-03-31 01:59:59", INT64_C(1711846799) },
        { "2024-03-31 02:00:00", INT64_C(1711846800) },
        { "2024-03-31 02:30:00", INT64_C(1711848600) },
        { "2024-03-31 02:59:59", INT64_C(1711850399) },
        { "2024-03-31 03:00:00", INT64_C(1711846800) },
        /* the overlap: 03:00 CEST -> 02:00 CET, the earlier instant */
        { "2024-10-27 01:59:59", INT64_C(1729987199) },
        { "2024-10-27 02:00:00", INT64_C(1729987200) },
        { "2024-10-27 02:30:00", INT64_C(1729989000) },
        { "2024-10-27 02:59:59", INT64_C(1729990799) },
        { "2024-10-27 03:00:00", INT64_C(1729994400) },
    };

    DFX_UNUSED(state);
    check("Europe/Berlin", c, dfx_nelems(c));
}

static void
test_sydney(void **state)
{
    /* southern hemisphere: DST spans the new year (footer
     * AEST-10AEDT,M10.1.0,M4.1.0/3) */
    static const case_t  c[] = {
        { "2100-01-15 12:00:00", INT64_C(4103658000) },
        { "2100-07-15 12:00:00", INT64_C(4119300000) },
    };

    DFX_UNUSED(state);
    check("Australia/Sydney", c, dfx_nelems(c));
}

/* Round trips: for every hour of two years around DST changes, the
 * wall-clock time of an instant reads back as that instant, except in
 * an overlap's second half (where the earlier one is answered). */
static void
test_round_trip(void **state)
{
    static const char *const  zones[] = { "Europe/Berlin",
                                          "America/New_York",
                                          "Australia/Sydney",
                                          "Asia/Shanghai" };
    dfx_tz_t  *tz;
    int64_t    u, back;
    size_t     z;

    DFX_UNUSED(state);
    for (z = 0; z < dfx_nelems(zones); z++) {
        tz = load(zones[z]);
        for (u = INT64_C(1700000000); u < INT64_C(1763000000); u += 1800) {
            back = dfx_tz_local_to_utc(tz, u + dfx_tz_offset(tz, u));
            if (back != u) {
                /* only the later of two instants may come back earlier,
                 * by the overlap's length */
                assert_true(back < u);
                assert_int_equal(back + dfx_tz_offset(tz, back),
                                 u + dfx_tz_offset(tz, u));
            }
        }
        dfx_tz_free(tz);
    }
}

/* ---- TZif bytes made here ---------------------------------------------- */

typedef struct {
    unsigned char  b[2048];
    size_t         n;
} tzbuf_t;

static void
put(tzbuf_t *t, const void *p, size_t n)
{
    assert_true(t->n + n <= sizeof(t->b));
    if (n > 0) {
        memcpy(t->b + t->n, p, n);
        t->n += n;
    }
}

static void
put32(tzbuf_t *t, uint32_t v)
{
    unsigned char  b[4] = { (unsigned char) (v >> 24),
                            (unsigned char) (v >> 16),
                            (unsigned char) (v >> 8), (unsigned char) v };

    put(t, b, 4);
}

static void
put64(tzbuf_t *t, int64_t v)
{
    put32(t, (uint32_t) ((uint64_t) v >> 32));
    put32(t, (uint32_t) v);
}

static void
header(tzbuf_t *t, char version, uint32_t leap, uint32_t ntimes,
    uint32_t ntypes)
{
    static const unsigned char  zero[15];

    put(t, "TZif", 4);
    put(t, &version, 1);
    put(t, zero, 15);
    put32(t, 0);                /* isutcnt */
    put32(t, 0);                /* isstdcnt */
    put32(t, leap);
    put32(t, ntimes);
    put32(t, ntypes);
    put32(t, 4);                /* charcnt: "XXX\0" */
}

/* A TZif file: version 0 (v1 only) or '2'/'3' with the 64-bit section
 * and footer (NULL: none). */
static void
make(tzbuf_t *t, char version, size_t ntimes, const int64_t *times,
    const uint8_t *idx, size_t ntypes, const int32_t *offs,
    const char *footer)
{
    int       pass, tsize;
    size_t    i;
    uint32_t  leap = 0;

    t->n = 0;
    for (pass = 0; pass < (version >= '2' ? 2 : 1); pass++) {
        tsize = pass == 0 ? 4 : 8;
        header(t, version, leap, (uint32_t) ntimes, (uint32_t) ntypes);
        for (i = 0; i < ntimes; i++) {
            if (tsize == 4) {
                put32(t, (uint32_t) (int32_t) times[i]);
            } else {
                put64(t, times[i]);
            }
        }
        put(t, idx, ntimes);
        for (i = 0; i < ntypes; i++) {
            unsigned char  rest[2] = { 0, 0 };

            put32(t, (uint32_t) offs[i]);
            put(t, rest, 2);
        }
        put(t, "XXX", 4);
    }
    if (version >= '2' && footer != NULL) {
        put(t, "\n", 1);
        put(t, footer, strlen(footer));
        put(t, "\n", 1);
    }
}

static dfx_tz_t *
parse(const tzbuf_t *t)
{
    char       err[256] = "";
    dfx_tz_t  *tz = dfx_tz_parse("Test/Zone", t->b, t->n, err,
                                 sizeof(err));

    if (tz == NULL) {
        fail_msg("%s", err);
    }
    return tz;
}

static void
parse_fails(const tzbuf_t *t, const char *msg)
{
    char  err[256] = "";

    assert_null(dfx_tz_parse("Test/Zone", t->b, t->n, err, sizeof(err)));
    assert_string_equal(err, msg);
}

static void
test_tzif_versions(void **state)
{
    static const int64_t  times[] = { 0, 1000000 };
    static const uint8_t  idx[] = { 1, 0 };
    static const int32_t  offs[] = { 3600, 7200 };
    tzbuf_t               t;
    dfx_tz_t             *tz;

    DFX_UNUSED(state);

    /* version 1: 32-bit only, no footer: the last offset stays */
    make(&t, 0, 2, times, idx, 2, offs, NULL);
    tz = parse(&t);
    assert_int_equal(dfx_tz_offset(tz, -1), 3600);
    assert_int_equal(dfx_tz_offset(tz, 0), 7200);
    assert_int_equal(dfx_tz_offset(tz, 999999), 7200);
    assert_int_equal(dfx_tz_offset(tz, 1000000), 3600);
    assert_int_equal(dfx_tz_offset(tz, INT64_C(99999999999)), 3600);
    assert_int_equal(dfx_tz_local_to_utc(tz, 10000), 10000 - 7200);
    dfx_tz_free(tz);

    /* version 2 with a fixed footer */
    make(&t, '2', 2, times, idx, 2, offs, "XXX-1");
    tz = parse(&t);
    assert_int_equal(dfx_tz_offset(tz, INT64_C(99999999999)), 3600);
    dfx_tz_free(tz);

    /* no transitions, a fixed footer: the footer for all time */
    make(&t, '2', 0, NULL, NULL, 1, offs, "<+0530>-5:30");
    tz = parse(&t);
    assert_int_equal(dfx_tz_offset(tz, 0), 19800);
    dfx_tz_free(tz);
}

static void
test_tzif_footer_rules(void **state)
{
    static const int32_t  est[] = { -18000 };
    tzbuf_t               t;
    dfx_tz_t             *tz;
    int64_t               l;

    DFX_UNUSED(state);

    /* a zone that is only its footer: US rules from 1800 on */
    make(&t, '2', 0, NULL, NULL, 1, est, "EST5EDT,M3.2.0,M11.1.0");
    tz = parse(&t);
    assert_int_equal(dfx_tz_local_to_utc(tz, civil("2100-07-04 12:00:00")),
                     INT64_C(4118400000));
    assert_int_equal(dfx_tz_local_to_utc(tz, civil("2024-03-10 02:30:00")),
                     INT64_C(1710055800));
    assert_int_equal(dfx_tz_local_to_utc(tz, civil("2024-11-03 01:30:00")),
                     INT64_C(1730611800));
    dfx_tz_free(tz);

    /* version 3: daylight time all year (0/0 to J365/25); before the
     * unrolled years, standard time */
    make(&t, '3', 0, NULL, NULL, 1, est, "XXX3YYY,0/0,J365/25");
    tz = parse(&t);
    assert_int_equal(dfx_tz_local_to_utc(tz, civil("2024-06-01 12:00:00")),
                     INT64_C(1717250400));
    assert_int_equal(dfx_tz_local_to_utc(tz, civil("2024-01-01 00:30:00")),
                     INT64_C(1704076200));
    l = civil("1799-06-01 01:00:00");
    assert_int_equal(dfx_tz_local_to_utc(tz, l), l + 3 * 3600);
    dfx_tz_free(tz);

    /* the only transition at zic's "big bang" (-2^59): the rules from
     * 1800 on all the same */
    {
        static const int64_t  bang[] = { -(INT64_C(1) << 59) };
        static const uint8_t  zero[] = { 0 };

        make(&t, '2', 1, bang, zero, 1, est, "EST5EDT,M3.2.0,M11.1.0");
        tz = parse(&t);
        assert_int_equal(dfx_tz_local_to_utc(tz,
                                             civil("2100-07-04 12:00:00")),
                         INT64_C(4118400000));
        dfx_tz_free(tz);
    }

    /* daylight time without rules: ignored, type 0 stays */
    make(&t, '2', 0, NULL, NULL, 1, est, "EST5EDT");
    tz = parse(&t);
    assert_int_equal(dfx_tz_offset(tz, INT64_C(1720000000)), -18000);
    dfx_tz_free(tz);

    /* a malformed footer is ignored the same way */
    make(&t, '2', 0, NULL, NULL, 1, est, "EST5EDT,M13.1.0,M11.1.0");
    tz = parse(&t);
    assert_int_equal(dfx_tz_offset(tz, INT64_C(1720000000)), -18000);
    dfx_tz_free(tz);
}

static void
test_tzif_broken(void **state)
{
    static const int64_t  down[] = { 100, 50 };
    static const uint8_t  idx[] = { 0, 0 };
    static const uint8_t  bad_idx[] = { 0, 3 };
    static const int32_t  offs[] = { 0, 3600 };
    static const int32_t  huge[] = { 30 * 3600 };
    static const int64_t  up[] = { 50, 100 };
    tzbuf_t               t;

    DFX_UNUSED(state);

    memcpy(t.b, "NotTZif at all, not even close......................", 52);
    t.n = 52;
    parse_fails(&t, "time zone \"Test/Zone\": not a TZif file");
    t.n = 3;
    parse_fails(&t, "time zone \"Test/Zone\": not a TZif file");

    make(&t, '2', 2, up, idx, 2, offs, "XXX0");
    t.n = 60;
    parse_fails(&t, "time zone \"Test/Zone\": truncated TZif file");
    make(&t, '2', 2, up, idx, 2, offs, "XXX0");
    t.n -= 3;
    parse_fails(&t, "time zone \"Test/Zone\": malformed TZif file");

    make(&t, '2', 2, down, idx, 2, offs, "XXX0");
    parse_fails(&t, "time zone \"Test/Zone\": malformed TZif file");
    make(&t, '2', 2, up, bad_idx, 2, offs, "XXX0");
    parse_fails(&t, "time zone \"Test/Zone\": malformed TZif file");
    make(&t, '2', 0, NULL, NULL, 1, huge, "XXX0");
    parse_fails(&t, "time zone \"Test/Zone\": malformed TZif file");
    make(&t, '2', 0, NULL, NULL, 0, offs, "XXX0");
    parse_fails(&t, "time zone \"Test/Zone\": malformed TZif file");

    /* leap seconds (the right/ zones): one leap record */
    {
        static const unsigned char  rest[2] = { 0, 0 };

        t.n = 0;
        header(&t, 0, 1, 0, 1);
        put32(&t, 0);
        put(&t, rest, 2);
        put(&t, "XXX", 4);
        put32(&t, 78796800);
        put32(&t, 1);
        parse_fails(&t, "time zone \"Test/Zone\": zones with leap seconds "
                    "are not supported");
    }
}

/* ---- names and files --------------------------------------------------- */

static void
test_names(void **state)
{
    static const char *const  bad[] = {
        "", "/etc/passwd", "../etc/passwd", "Asia/../../etc/passwd",
        "Asia/./Shanghai", "Asia//Shanghai", "Asia/", "Asia Shanghai",
        "Asia/Shanghai\n", "Mars/Olympus_Mons",
        "012345678901234567890123456789012345678901234567890123456789/abc",
    };
    char       err[256];
    size_t     i;
    dfx_tz_t  *tz;

    DFX_UNUSED(state);
    for (i = 0; i < dfx_nelems(bad); i++) {
        err[0] = '\0';
        tz = dfx_tz_load(bad[i], err, sizeof(err));
        if (tz != NULL) {
            fail_msg("\"%s\" was loaded", bad[i]);
        }
        assert_true(strncmp(err, "unknown time zone \"", 19) == 0);
    }
    assert_null(dfx_tz_load("Mars/Olympus_Mons", err, sizeof(err)));
    assert_string_equal(err, "unknown time zone \"Mars/Olympus_Mons\" (not "
                        "in " DFX_TZ_DIR ")");
    /* a directory is no zone */
    assert_null(dfx_tz_load("Asia", err, sizeof(err)));
    assert_string_equal(err, "unknown time zone \"Asia\" (not in "
                        DFX_TZ_DIR ")");
    /* names may hold '+', '-', '_' and digits */
    tz = load("Etc/GMT+5");
    assert_int_equal(dfx_tz_offset(tz, 0), -18000);
    dfx_tz_free(tz);
}

static void
test_tzdir(void **state)
{
    static const int32_t  offs[] = { 4 * 3600 };
    char                  dir[] = "/tmp/dfx-tz-XXXXXX", path[256];
    char                  err[256];
    tzbuf_t               t;
    FILE                 *f;
    dfx_tz_t             *tz;

    DFX_UNUSED(state);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/Fixed", dir);
    make(&t, '2', 0, NULL, NULL, 1, offs, "<+04>-4");
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(t.b, 1, t.n, f), t.n);
    fclose(f);

    setenv("TZDIR", dir, 1);
    tz = load("Fixed");
    assert_int_equal(dfx_tz_offset(tz, 0), 4 * 3600);
    dfx_tz_free(tz);
    assert_null(dfx_tz_load("Asia/Shanghai", err, sizeof(err)));
    unsetenv("TZDIR");

    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_shanghai),
        cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_berlin),
        cmocka_unit_test(test_sydney),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tzif_versions),
        cmocka_unit_test(test_tzif_footer_rules),
        cmocka_unit_test(test_tzif_broken),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_tzdir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
