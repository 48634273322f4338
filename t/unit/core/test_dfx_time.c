/*
 * test_dfx_time.c: time_str against Go's time.Time.String() output.
 *
 * The fixed cases are what Go prints for the same instants and zones; the
 * sweep compares the cached, arithmetic path with a direct localtime_r
 * per instant over many zones, including instants on both sides of DST
 * changes and of a transition that is not on a 15-minute boundary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "dfx_time.h"

typedef struct {
    const char  *tz;
    int64_t      us;
    const char  *want;
} time_case_t;

static const time_case_t  cases[] = {
    /* SPEC 7.1 and the section 9 examples */
    { "UTC", 1700000000140891LL, "2023-11-14 22:13:20.140891 +0000 UTC" },
    { "UTC", 1699999980000000LL, "2023-11-14 22:13:00 +0000 UTC" },
    { "UTC", 1700000002351100LL, "2023-11-14 22:13:22.3511 +0000 UTC" },
    { "UTC", 1700000060002000LL, "2023-11-14 22:14:20.002 +0000 UTC" },
    { "UTC", 1700000003000350LL, "2023-11-14 22:13:23.00035 +0000 UTC" },
    { "UTC", 1700000003000001LL, "2023-11-14 22:13:23.000001 +0000 UTC" },
    { "UTC", 1700000003100000LL, "2023-11-14 22:13:23.1 +0000 UTC" },
    /* epoch, negative instants, leap days, odd years */
    { "UTC", 0, "1970-01-01 00:00:00 +0000 UTC" },
    { "UTC", -1, "1969-12-31 23:59:59.999999 +0000 UTC" },
    { "UTC", -1000000, "1969-12-31 23:59:59 +0000 UTC" },
    { "UTC", -999999, "1969-12-31 23:59:59.000001 +0000 UTC" },
    { "UTC", 951782400000000LL, "2000-02-29 00:00:00 +0000 UTC" },
    { "UTC", 4107542399000000LL, "2100-02-28 23:59:59 +0000 UTC" },
    { "UTC", 4107542400000000LL, "2100-03-01 00:00:00 +0000 UTC" },
    { "UTC", -62135596800000000LL, "0001-01-01 00:00:00 +0000 UTC" },
    { "UTC", -62167219200000000LL, "0000-01-01 00:00:00 +0000 UTC" },
    { "UTC", -62198755200000000LL, "-0001-01-01 00:00:00 +0000 UTC" },
    { "UTC", 253402300799999999LL, "9999-12-31 23:59:59.999999 +0000 UTC" },
    { "UTC", 253402300800000000LL, "10000-01-01 00:00:00 +0000 UTC" },
    { "", 1700000000140891LL, "2023-11-14 22:13:20.140891 +0000 UTC" },
    /* SPEC 7.1's Shanghai example, and its LMT (+8:05:43, Go truncates
     * the offset to minutes) up to the odd-second 1901 transition */
    { "Asia/Shanghai", 1700000000140891LL,
      "2023-11-15 06:13:20.140891 +0800 CST" },
    { "Asia/Shanghai", -2500000000000000LL,
      "1890-10-12 03:39:03 +0805 LMT" },
    { "Asia/Shanghai", -2177481944000000LL,
      "1900-12-31 23:59:59 +0805 LMT" },
    { "Asia/Shanghai", -2177481943000000LL,
      "1900-12-31 23:54:17 +0800 CST" },
    { "Asia/Shanghai", -2177481944500000LL,
      "1900-12-31 23:59:58.5 +0805 LMT" },
    /* New York: spring forward and fall back of 2023 */
    { "America/New_York", 1678604399000000LL,
      "2023-03-12 01:59:59 -0500 EST" },
    { "America/New_York", 1678604400000000LL,
      "2023-03-12 03:00:00 -0400 EDT" },
    { "America/New_York", 1678604399999999LL,
      "2023-03-12 01:59:59.999999 -0500 EST" },
    { "America/New_York", 1699163999000000LL,
      "2023-11-05 01:59:59 -0400 EDT" },
    { "America/New_York", 1699164000000000LL,
      "2023-11-05 01:00:00 -0500 EST" },
    { "America/New_York", 1700000000140891LL,
      "2023-11-14 17:13:20.140891 -0500 EST" },
    /* half-hour offset */
    { "Asia/Kolkata", 1700000000000000LL, "2023-11-15 03:43:20 +0530 IST" },
    /* zones whose tzdata abbreviation is numeric */
    { "America/Sao_Paulo", 1700000000000000LL,
      "2023-11-14 19:13:20 -0300 -03" },
    { "Asia/Dubai", 1700000000000000LL, "2023-11-15 02:13:20 +0400 +04" },
    { "Asia/Kathmandu", 1700000000000000LL,
      "2023-11-15 03:58:20 +0545 +0545" },
    /* west of UTC by more than half a day, and east of the date line */
    { "Pacific/Pago_Pago", 1700000000000000LL,
      "2023-11-14 11:13:20 -1100 SST" },
    { "Pacific/Kiritimati", 1700000000000000LL,
      "2023-11-15 12:13:20 +1400 +14" },
    /* back to UTC: the cache must follow a zone change */
    { "UTC", 1700000000140891LL, "2023-11-14 22:13:20.140891 +0000 UTC" },
};

static void
set_tz(const char *tz)
{
    assert_int_equal(setenv("TZ", tz, 1), 0);
    dfx_time_zone_reset();
}

static void
test_go_cases(void **state)
{
    char    buf[DFX_TIME_STR_MAX];
    size_t  i, n;

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        set_tz(cases[i].tz);
        memset(buf, 'X', sizeof(buf));
        n = dfx_time_str(cases[i].us, buf);
        assert_true(n < sizeof(buf));
        buf[n] = '\0';
        if (strcmp(buf, cases[i].want) != 0) {
            fail_msg("case %zu (TZ=%s, %lld): got \"%s\", want \"%s\"", i,
                     cases[i].tz, (long long) cases[i].us, buf,
                     cases[i].want);
        }
    }
}

/* Same instants in one zone, in an order that makes the cached bucket
 * hold a transition (the Shanghai 1901 change is at an odd second). */
static void
test_bucket_with_transition(void **state)
{
    static const struct { int64_t s; const char *want; } seq[] = {
        { -2177481943, "1900-12-31 23:54:17 +0800 CST" },
        { -2177481944, "1900-12-31 23:59:59 +0805 LMT" },
        { -2177481943, "1900-12-31 23:54:17 +0800 CST" },
        { -2177481500, "1901-01-01 00:01:40 +0800 CST" },
        { -2177482000, "1900-12-31 23:59:03 +0805 LMT" },
    };
    char    buf[DFX_TIME_STR_MAX];
    size_t  i, n;

    (void) state;
    set_tz("Asia/Shanghai");
    for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
        n = dfx_time_str(seq[i].s * 1000000, buf);
        buf[n] = '\0';
        assert_string_equal(buf, seq[i].want);
    }
}

/* The reference: localtime_r for the very instant, formatted directly. */
static size_t
reference(int64_t us, char *out, size_t size)
{
    struct tm  tm;
    time_t     t;
    int64_t    sec, frac;
    long       zone;
    char       fb[16];
    int        n, k;

    sec = us / 1000000;
    frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        sec--;
    }
    t = (time_t) sec;
    assert_non_null(localtime_r(&t, &tm));

    fb[0] = '\0';
    if (frac != 0) {
        snprintf(fb, sizeof(fb), ".%06d", (int) frac);
        for (k = (int) strlen(fb) - 1; fb[k] == '0'; k--) {
            fb[k] = '\0';
        }
    }
    zone = tm.tm_gmtoff / 60;
    n = snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d%s %c%02ld%02ld %s",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, fb, zone < 0 ? '-' : '+',
                 labs(zone) / 60, labs(zone) % 60, tm.tm_zone);
    assert_true(n > 0 && (size_t) n < size);
    return (size_t) n;
}

static void
test_sweep_against_localtime(void **state)
{
    static const char *const  zones[] = {
        "UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata",
        "America/Sao_Paulo", "Europe/London", "Australia/Lord_Howe",
        "Pacific/Chatham", "Europe/Dublin", "America/St_Johns",
    };
    char      got[DFX_TIME_STR_MAX], want[128];
    uint64_t  x = 0x9e3779b97f4a7c15ULL;
    int64_t   us, base;
    size_t    z, i, n, m;

    (void) state;
    for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        set_tz(zones[z]);
        for (i = 0; i < 20000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (i % 2 == 0) {
                /* anywhere in 1900..2100 */
                us = (int64_t) (x % 6311390400000000ULL)
                     - 2208988800000000LL;
            } else {
                /* walk second by second around a bucket edge, so
                 * consecutive calls reuse the cache */
                base = 1678604400LL + (int64_t) (i / 64 % 8) * 15724800LL;
                us = (base - 1800 + (int64_t) (i % 3600)) * 1000000
                     + (int64_t) (x % 1000000);
            }
            n = dfx_time_str(us, got);
            got[n] = '\0';
            m = reference(us, want, sizeof(want));
            if (n != m || memcmp(got, want, n) != 0) {
                fail_msg("TZ=%s us=%lld: got \"%s\", want \"%s\"",
                         zones[z], (long long) us, got, want);
            }
        }
    }
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_go_cases),
        cmocka_unit_test(test_bucket_with_transition),
        cmocka_unit_test(test_sweep_against_localtime),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
