/*
 * dfx_time.c: Go's time.Time.String() for the "time_str" member.
 *
 * localtime_r per record would take glibc's lock and walk the zone's
 * transitions every time.  Instead each thread keeps the offset and the
 * abbreviation of one 15-minute bucket (UTC-aligned): zone transitions
 * never come closer than that, so when both ends of a bucket agree,
 * every instant inside it has the same zone, and the civil date is then
 * computed with integer arithmetic (days -> y/m/d, Howard Hinnant's
 * algorithm).  A bucket whose ends disagree holds a transition and is
 * looked up per record.
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "dfx_time.h"

#define DFX_TIME_BUCKET  900     /* seconds */

typedef struct dfx_time_zone_s {
    long    gmtoff;                         /* seconds east of UTC */
    size_t  off_len;                        /* 5: "+hhmm" */
    char    off[8];
    size_t  name_len;
    char    name[DFX_TIME_ZONE_MAX + 1];
} dfx_time_zone_t;

typedef struct dfx_time_cache_s {
    unsigned         gen;       /* 0: never filled */
    int              uniform;   /* one zone for the whole bucket */
    int64_t          bucket;
    dfx_time_zone_t  zone;
} dfx_time_cache_t;

static atomic_uint                    dfx_time_gen = 1;
static _Thread_local dfx_time_cache_t dfx_time_cache;

static const char  dfx_digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "68697071727374757677787980818283848586878889909192939495969798990000";

static inline int64_t
dfx_floor_div(int64_t a, int64_t b)
{
    int64_t  q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static inline char *
dfx_put2(char *o, unsigned v)
{
    o[0] = dfx_digits2[v * 2];
    o[1] = dfx_digits2[v * 2 + 1];
    return o + 2;
}

/* Go's -0700 (and the zone name when there is none): the offset in whole
 * minutes, truncated toward zero. */
static size_t
dfx_time_offset(long gmtoff, char *o)
{
    long  zone = gmtoff / 60;

    if (zone < 0) {
        o[0] = '-';
        zone = -zone;
    } else {
        o[0] = '+';
    }
    if (zone / 60 > 99) {
        /* no real zone is 100 hours away; keep the width fixed */
        zone = 99 * 60 + zone % 60;
    }
    dfx_put2(o + 1, (unsigned) (zone / 60));
    dfx_put2(o + 3, (unsigned) (zone % 60));
    return 5;
}

static void
dfx_time_zone_of(time_t t, dfx_time_zone_t *z)
{
    struct tm      tm;
    const char    *name;
    size_t         i, n;
    unsigned char  c;

    if (localtime_r(&t, &tm) == NULL) {
        tm.tm_gmtoff = 0;
        tm.tm_zone = "UTC";
    }

    z->gmtoff = tm.tm_gmtoff;
    z->off_len = dfx_time_offset(z->gmtoff, z->off);

    name = tm.tm_zone != NULL ? tm.tm_zone : "";
    n = strnlen(name, DFX_TIME_ZONE_MAX);
    if (n == 0) {
        /* Go prints the numeric offset when a zone has no name */
        memcpy(z->name, z->off, z->off_len);
        z->name_len = z->off_len;
        return;
    }
    for (i = 0; i < n; i++) {
        c = (unsigned char) name[i];
        /* the name goes into a JSON string as is: keep it printable
         * ASCII without quotes or backslashes (tzdata's always are) */
        z->name[i] = (c > 0x20 && c < 0x7f && c != '"' && c != '\\')
                     ? (char) c : '?';
    }
    z->name_len = n;
}

static int
dfx_time_zone_eq(const dfx_time_zone_t *a, const dfx_time_zone_t *b)
{
    return a->gmtoff == b->gmtoff && a->name_len == b->name_len
           && memcmp(a->name, b->name, a->name_len) == 0;
}

static const dfx_time_zone_t *
dfx_time_zone(int64_t sec, dfx_time_zone_t *tmp)
{
    dfx_time_cache_t  *c = &dfx_time_cache;
    dfx_time_zone_t    end;
    unsigned           gen;
    int64_t            bucket;

    gen = atomic_load_explicit(&dfx_time_gen, memory_order_relaxed);
    bucket = dfx_floor_div(sec, DFX_TIME_BUCKET);

    if (c->gen != gen || c->bucket != bucket) {
        dfx_time_zone_of((time_t) (bucket * DFX_TIME_BUCKET), &c->zone);
        dfx_time_zone_of((time_t) (bucket * DFX_TIME_BUCKET
                                   + DFX_TIME_BUCKET - 1), &end);
        c->uniform = dfx_time_zone_eq(&c->zone, &end);
        c->bucket = bucket;
        c->gen = gen;
    }
    if (c->uniform) {
        return &c->zone;
    }
    dfx_time_zone_of((time_t) sec, tmp);
    return tmp;
}

size_t
dfx_time_str(int64_t us, char *out)
{
    const dfx_time_zone_t  *z;
    dfx_time_zone_t         tmp;
    int64_t                 sec, local, days, sod, era, y;
    uint32_t                frac, doe, yoe, doy, mp, m, d;
    uint64_t                uy;
    char                    ybuf[24], *yp, *o = out;
    unsigned                i;

    sec = dfx_floor_div(us, 1000000);
    frac = (uint32_t) (us - sec * 1000000);
    z = dfx_time_zone(sec, &tmp);

    local = sec + z->gmtoff;
    days = dfx_floor_div(local, 86400);
    sod = local - days * 86400;

    /* civil_from_days: proleptic Gregorian, year 0 exists (as in Go) */
    days += 719468;
    era = dfx_floor_div(days, 146097);
    doe = (uint32_t) (days - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = (int64_t) yoe + era * 400 + (m <= 2);

    /* Go's appendInt(year, 4): sign, then at least 4 digits */
    if (y < 0) {
        *o++ = '-';
        uy = (uint64_t) -y;
    } else {
        uy = (uint64_t) y;
    }
    yp = ybuf + sizeof(ybuf);
    do {
        *--yp = (char) ('0' + uy % 10);
        uy /= 10;
    } while (uy != 0);
    while (ybuf + sizeof(ybuf) - yp < 4) {
        *--yp = '0';
    }
    memcpy(o, yp, (size_t) (ybuf + sizeof(ybuf) - yp));
    o += ybuf + sizeof(ybuf) - yp;

    *o++ = '-';
    o = dfx_put2(o, m);
    *o++ = '-';
    o = dfx_put2(o, d);
    *o++ = ' ';
    o = dfx_put2(o, (unsigned) (sod / 3600));
    *o++ = ':';
    o = dfx_put2(o, (unsigned) (sod / 60 % 60));
    *o++ = ':';
    o = dfx_put2(o, (unsigned) (sod % 60));

    if (frac != 0) {
        *o++ = '.';
        o = dfx_put2(o, frac / 10000);
        o = dfx_put2(o, frac / 100 % 100);
        o = dfx_put2(o, frac % 100);
        for (i = 0; i < 5 && o[-1] == '0'; i++) {
            o--;
        }
    }

    *o++ = ' ';
    memcpy(o, z->off, z->off_len);
    o += z->off_len;
    *o++ = ' ';
    memcpy(o, z->name, z->name_len);
    o += z->name_len;

    return (size_t) (o - out);
}

void
dfx_time_zone_reset(void)
{
    tzset();
    atomic_fetch_add_explicit(&dfx_time_gen, 1, memory_order_relaxed);
}
