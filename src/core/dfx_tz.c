/*
 * dfx_tz.c: TZif files -> transition tables; civil time -> UTC.
 *
 * A zone is a sorted array of UTC instants at which the offset changes,
 * the offset from each one on, and the offset before the first (RFC 8536:
 * time type 0).  Transitions that change only an abbreviation or the DST
 * flag are merged away: only offsets matter here.  A footer with
 * daylight-saving rules is unrolled into the same array, year by year,
 * when the zone is loaded, so that a lookup is one binary search whatever
 * the year.
 *
 * Wall-clock time -> UTC: a wall-clock time L is the instant u with
 * u + offset(u) = L.  Every offset is within +-span seconds, so u lies
 * in [L - span, L + span], and only the periods that window touches (one,
 * nearly always) are tried.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dfx_tz.h"

/* The largest zone file today is a few KB; anything near this is no
 * zone file. */
#define DFX_TZ_FILE_MAX   (1024 * 1024)

/* Footer rules are unrolled through this year, and from this one for a
 * zone that is nothing but its footer. */
#define DFX_TZ_RULE_END   2299
#define DFX_TZ_RULE_FROM  1800

/* RFC 8536 3.2: utoff SHOULD be in (-25 h, 26 h); more is a broken
 * file. */
#define DFX_TZ_OFF_MIN    (-89999)
#define DFX_TZ_OFF_MAX    93599

#define DFX_TZ_HDR        44

struct dfx_tz_s {
    char      name[DFX_TZ_NAME_MAX + 1];
    size_t    n;            /* transitions */
    int64_t  *at;           /* UTC instants, strictly increasing */
    int32_t  *off;          /* offset from at[i] on */
    int32_t   off0;         /* before at[0] (or always, when n is 0) */
    int32_t   span;         /* the largest |offset| */
};

typedef struct dfx_tz_hdr_s {
    uint32_t  isutcnt;
    uint32_t  isstdcnt;
    uint32_t  leapcnt;
    uint32_t  timecnt;
    uint32_t  typecnt;
    uint32_t  charcnt;
} dfx_tz_hdr_t;

/* One date of a POSIX TZ rule: Jn, n or Mm.w.d, and the local time of
 * day of the change. */
typedef struct dfx_tz_date_s {
    char      kind;         /* 'J', 'N' (zero-based day) or 'M' */
    unsigned  n;            /* J: 1..365, N: 0..365 */
    unsigned  m, w, d;      /* M: month, week 1..5 (5: last), weekday */
    int32_t   time;         /* seconds, -167 h .. 167 h */
} dfx_tz_date_t;

typedef struct dfx_tz_rule_s {
    int32_t        std;     /* seconds east of UTC */
    int32_t        dst;
    int            has_dst;
    dfx_tz_date_t  start;   /* to dst, in standard time */
    dfx_tz_date_t  end;     /* to std, in daylight time */
} dfx_tz_rule_t;

/* A transition made from a rule, before sorting. */
typedef struct dfx_tz_gen_s {
    int64_t   at;
    int32_t   off;
    uint32_t  seq;
} dfx_tz_gen_t;

static void
dfx_tz_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
dfx_tz_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list  ap;

    if (err == NULL || errlen == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- the calendar ---------------------------------------------------- */

static int
dfx_tz_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned
dfx_tz_days_in_month(int64_t y, unsigned m)
{
    static const unsigned char  days[12] = { 31, 28, 31, 30, 31, 30,
                                             31, 31, 30, 31, 30, 31 };

    if (m < 1 || m > 12) {
        return 0;
    }
    return days[m - 1] + (m == 2 && dfx_tz_leap(y));
}

/* Howard Hinnant's days_from_civil: exact for every year, no tables. */
int64_t
dfx_tz_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t   era;
    unsigned  yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned) (y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t) doe - 719468;
}

/* ---- lookups --------------------------------------------------------- */

/* The period of utc: the index of the last transition at or before it,
 * -1 before the first. */
static ptrdiff_t
dfx_tz_period(const dfx_tz_t *tz, int64_t utc)
{
    size_t  lo = 0, hi = tz->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= utc) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (ptrdiff_t) lo - 1;
}

static int32_t
dfx_tz_off_of(const dfx_tz_t *tz, ptrdiff_t k)
{
    return k < 0 ? tz->off0 : tz->off[k];
}

int32_t
dfx_tz_offset(const dfx_tz_t *tz, int64_t utc)
{
    return dfx_tz_off_of(tz, dfx_tz_period(tz, utc));
}

int64_t
dfx_tz_local_to_utc(const dfx_tz_t *tz, int64_t local)
{
    ptrdiff_t  lo, hi, k;
    int64_t    u, best = 0;
    int        found = 0;

    lo = dfx_tz_period(tz, local - tz->span);
    hi = dfx_tz_period(tz, local + tz->span);
    if (lo == hi) {
        /* no transition near: the one offset there is the answer */
        return local - dfx_tz_off_of(tz, lo);
    }

    /* every period whose offset maps some instant of it to local; two in
     * an overlap, where the earlier instant wins */
    for (k = lo; k <= hi; k++) {
        u = local - dfx_tz_off_of(tz, k);
        if ((k < 0 || u >= tz->at[k])
            && ((size_t) (k + 1) >= tz->n || u < tz->at[k + 1])
            && (!found || u < best))
        {
            best = u;
            found = 1;
        }
    }
    if (found) {
        return best;
    }

    /* a gap: the transition whose skipped wall-clock range holds local,
     * read with the offset before it */
    for (k = lo + 1; k <= hi; k++) {
        if (tz->at[k] + dfx_tz_off_of(tz, k - 1) <= local
            && local < tz->at[k] + dfx_tz_off_of(tz, k))
        {
            return local - dfx_tz_off_of(tz, k - 1);
        }
    }
    /* not reached for a consistent table */
    return local - dfx_tz_off_of(tz, lo);
}

const char *
dfx_tz_name(const dfx_tz_t *tz)
{
    return tz->name;
}

void
dfx_tz_free(dfx_tz_t *tz)
{
    if (tz == NULL) {
        return;
    }
    free(tz->at);
    free(tz->off);
    free(tz);
}

/* ---- building a table ------------------------------------------------ */

static dfx_tz_t *
dfx_tz_new(const char *name)
{
    dfx_tz_t  *tz = calloc(1, sizeof(*tz));

    if (tz != NULL) {
        snprintf(tz->name, sizeof(tz->name), "%s", name);
    }
    return tz;
}

/* Appends a transition: one at the instant of the last replaces it, one
 * that changes nothing is left out.  The arrays have room. */
static void
dfx_tz_push(dfx_tz_t *tz, int64_t at, int32_t off)
{
    if (tz->n > 0 && tz->at[tz->n - 1] == at) {
        tz->n--;
    }
    if (off == dfx_tz_off_of(tz, (ptrdiff_t) tz->n - 1)) {
        return;
    }
    tz->at[tz->n] = at;
    tz->off[tz->n] = off;
    tz->n++;
}

static int
dfx_tz_grow(dfx_tz_t *tz, size_t cap)
{
    int64_t  *at;
    int32_t  *off;

    at = realloc(tz->at, (cap ? cap : 1) * sizeof(*at));
    if (at == NULL) {
        return -1;
    }
    tz->at = at;
    off = realloc(tz->off, (cap ? cap : 1) * sizeof(*off));
    if (off == NULL) {
        return -1;
    }
    tz->off = off;
    return 0;
}

static void
dfx_tz_set_span(dfx_tz_t *tz)
{
    size_t   i;
    int32_t  a;

    tz->span = tz->off0 < 0 ? -tz->off0 : tz->off0;
    for (i = 0; i < tz->n; i++) {
        a = tz->off[i] < 0 ? -tz->off[i] : tz->off[i];
        if (a > tz->span) {
            tz->span = a;
        }
    }
}

/* ---- POSIX TZ strings (the footer) ----------------------------------- */

/* [+-]hh[:mm[:ss]] with hh up to max_h; *v gets the signed seconds. */
static const char *
dfx_tz_hms(const char *s, unsigned max_h, int32_t *v)
{
    int32_t   sign = 1, part[3] = { 0, 0, 0 };
    unsigned  i, digits;

    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
    }
    for (i = 0; i < 3; i++) {
        if (i > 0) {
            if (*s != ':') {
                break;
            }
            s++;
        }
        for (digits = 0; *s >= '0' && *s <= '9' && digits < 3; digits++) {
            part[i] = part[i] * 10 + (*s++ - '0');
        }
        if (digits == 0 || (i > 0 && (digits > 2 || part[i] > 59))) {
            return NULL;
        }
    }
    if ((unsigned) part[0] > max_h) {
        return NULL;
    }
    *v = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return s;
}

/* A zone abbreviation: <...> or three or more letters. */
static const char *
dfx_tz_abbr(const char *s)
{
    const char  *b = s;

    if (*s == '<') {
        for (s++; *s != '>'; s++) {
            if (*s == '\0') {
                return NULL;
            }
        }
        return s - b >= 2 ? s + 1 : NULL;
    }
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
        s++;
    }
    return s - b >= 3 ? s : NULL;
}

static unsigned
dfx_tz_uint(const char **s, unsigned max, int *ok)
{
    unsigned  v = 0, digits = 0;

    while (**s >= '0' && **s <= '9' && digits < 4) {
        v = v * 10 + (unsigned) (*(*s)++ - '0');
        digits++;
    }
    *ok = *ok && digits > 0 && v <= max;
    return v;
}

static const char *
dfx_tz_date(const char *s, dfx_tz_date_t *d)
{
    int  ok = 1;

    memset(d, 0, sizeof(*d));
    if (*s == 'J') {
        s++;
        d->kind = 'J';
        d->n = dfx_tz_uint(&s, 365, &ok);
        ok = ok && d->n >= 1;
    } else if (*s == 'M') {
        s++;
        d->kind = 'M';
        d->m = dfx_tz_uint(&s, 12, &ok);
        ok = ok && d->m >= 1 && *s++ == '.';
        d->w = ok ? dfx_tz_uint(&s, 5, &ok) : 0;
        ok = ok && d->w >= 1 && *s++ == '.';
        d->d = ok ? dfx_tz_uint(&s, 6, &ok) : 0;
    } else {
        d->kind = 'N';
        d->n = dfx_tz_uint(&s, 365, &ok);
    }
    if (!ok) {
        return NULL;
    }
    d->time = 2 * 3600;
    if (*s == '/') {
        /* RFC 8536 3.3.1: -167 h to 167 h */
        s = dfx_tz_hms(s + 1, 167, &d->time);
    }
    return s;
}

/* Parses a footer.  Returns 0, or -1 when it is malformed or says
 * something this reader does not do (daylight time without rules). */
static int
dfx_tz_rule_parse(const char *s, dfx_tz_rule_t *r)
{
    int32_t  v;

    memset(r, 0, sizeof(*r));
    s = dfx_tz_abbr(s);
    if (s == NULL || (s = dfx_tz_hms(s, 24, &v)) == NULL) {
        return -1;
    }
    /* POSIX offsets are west of Greenwich */
    r->std = -v;
    r->dst = r->std;
    if (*s == '\0') {
        return 0;
    }

    s = dfx_tz_abbr(s);
    if (s == NULL) {
        return -1;
    }
    r->has_dst = 1;
    r->dst = r->std + 3600;
    if (*s != ',' && *s != '\0') {
        if ((s = dfx_tz_hms(s, 24, &v)) == NULL) {
            return -1;
        }
        r->dst = -v;
    }
    if (*s != ',') {
        /* POSIX leaves the rules to the implementation; zic always
         * writes them */
        return -1;
    }
    s = dfx_tz_date(s + 1, &r->start);
    if (s == NULL || *s != ',') {
        return -1;
    }
    s = dfx_tz_date(s + 1, &r->end);
    return s != NULL && *s == '\0' ? 0 : -1;
}

/* The day (days since the epoch) a rule date falls on in year y. */
static int64_t
dfx_tz_rule_day(const dfx_tz_date_t *d, int64_t y)
{
    int64_t   jan1 = dfx_tz_days_from_civil(y, 1, 1), first, day;
    unsigned  wday, dim;

    switch (d->kind) {
    case 'J':
        /* February 29 is never counted */
        return jan1 + d->n - 1 + (dfx_tz_leap(y) && d->n >= 60);
    case 'N':
        return jan1 + d->n;
    default:
        first = dfx_tz_days_from_civil(y, d->m, 1);
        /* 1970-01-01 was a Thursday (4) */
        wday = (unsigned) (((first % 7) + 11) % 7);
        day = first + (d->d + 7 - wday) % 7 + (int64_t) (d->w - 1) * 7;
        dim = dfx_tz_days_in_month(y, d->m);
        while (day >= first + dim) {
            day -= 7;
        }
        return day;
    }
}

static int
dfx_tz_gen_cmp(const void *a, const void *b)
{
    const dfx_tz_gen_t  *x = a, *y = b;

    if (x->at != y->at) {
        return x->at < y->at ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Unrolls a rule with daylight time after the file's transitions. */
static int
dfx_tz_unroll(dfx_tz_t *tz, const dfx_tz_rule_t *r)
{
    dfx_tz_gen_t  *g;
    int64_t        y, from, last = 0;
    size_t         i, ng = 0, cap;
    uint32_t       seq = 0;
    int            after = tz->n > 0;   /* only past the file's last */

    if (tz->n > 0) {
        last = tz->at[tz->n - 1];
        /* a year early: the first rule change may precede the year's
         * start in UTC */
        from = 1970 + (last >= 0 ? last : last - 31556951) / 31556952 - 1;
    } else {
        from = DFX_TZ_RULE_FROM;
        tz->off0 = r->std;
    }
    if (from > DFX_TZ_RULE_END) {
        return 0;
    }
    if (from < DFX_TZ_RULE_FROM) {
        /* a last transition in the distant past (zic's "big bang" at
         * -2^59): the rules from 1800 on, as for a zone without any */
        from = DFX_TZ_RULE_FROM;
    }

    cap = (size_t) (DFX_TZ_RULE_END - from + 1) * 2;
    g = malloc(cap * sizeof(*g));
    if (g == NULL) {
        return -1;
    }
    for (y = from; y <= DFX_TZ_RULE_END; y++) {
        g[ng].at = dfx_tz_rule_day(&r->start, y) * 86400 + r->start.time
                   - r->std;
        g[ng].off = r->dst;
        g[ng].seq = seq++;
        ng++;
        g[ng].at = dfx_tz_rule_day(&r->end, y) * 86400 + r->end.time
                   - r->dst;
        g[ng].off = r->std;
        g[ng].seq = seq++;
        ng++;
    }
    qsort(g, ng, sizeof(*g), dfx_tz_gen_cmp);

    if (dfx_tz_grow(tz, tz->n + ng) != 0) {
        free(g);
        return -1;
    }
    for (i = 0; i < ng; i++) {
        if (!after || g[i].at > last) {
            dfx_tz_push(tz, g[i].at, g[i].off);
        }
    }
    free(g);
    return 0;
}

/* ---- TZif ------------------------------------------------------------ */

static uint32_t
dfx_tz_be32(const unsigned char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static int64_t
dfx_tz_be64(const unsigned char *p)
{
    return (int64_t) ((uint64_t) dfx_tz_be32(p) << 32 | dfx_tz_be32(p + 4));
}

static int
dfx_tz_header(const unsigned char *p, size_t len, dfx_tz_hdr_t *h)
{
    if (len < DFX_TZ_HDR || memcmp(p, "TZif", 4) != 0) {
        return -1;
    }
    h->isutcnt = dfx_tz_be32(p + 20);
    h->isstdcnt = dfx_tz_be32(p + 24);
    h->leapcnt = dfx_tz_be32(p + 28);
    h->timecnt = dfx_tz_be32(p + 32);
    h->typecnt = dfx_tz_be32(p + 36);
    h->charcnt = dfx_tz_be32(p + 40);
    return 0;
}

/* Bytes of the data block after a header (tsize: 4 or 8). */
static uint64_t
dfx_tz_block(const dfx_tz_hdr_t *h, unsigned tsize)
{
    return (uint64_t) h->timecnt * tsize + h->timecnt
           + (uint64_t) h->typecnt * 6 + h->charcnt
           + (uint64_t) h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

dfx_tz_t *
dfx_tz_parse(const char *name, const void *data, size_t len, char *err,
    size_t errlen)
{
    const unsigned char  *p = data, *blk, *types, *idx, *foot = NULL;
    dfx_tz_hdr_t          h;
    dfx_tz_rule_t         rule;
    dfx_tz_t             *tz = NULL;
    uint64_t              size;
    size_t                i, flen = 0;
    unsigned              tsize = 4;
    int64_t               at, prev = 0;
    int32_t               off;
    char                  fbuf[128];

    if (dfx_tz_header(p, len, &h) != 0) {
        dfx_tz_err(err, errlen, "time zone \"%s\": not a TZif file", name);
        return NULL;
    }
    size = dfx_tz_block(&h, 4);
    if (size > len - DFX_TZ_HDR) {
        goto truncated;
    }
    blk = p + DFX_TZ_HDR;

    if (p[4] >= '2') {
        /* version 2 and later: the 64-bit section follows the 32-bit
         * one, then the footer */
        p = blk + size;
        len -= DFX_TZ_HDR + (size_t) size;
        if (dfx_tz_header(p, len, &h) != 0) {
            goto truncated;
        }
        tsize = 8;
        size = dfx_tz_block(&h, 8);
        if (size > len - DFX_TZ_HDR) {
            goto truncated;
        }
        blk = p + DFX_TZ_HDR;
        foot = blk + size;
        flen = len - DFX_TZ_HDR - (size_t) size;
    }

    if (h.typecnt == 0 || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt)
        || (h.isutcnt != 0 && h.isutcnt != h.typecnt))
    {
        dfx_tz_err(err, errlen, "time zone \"%s\": malformed TZif file",
                   name);
        return NULL;
    }
    if (h.leapcnt != 0) {
        /* their instants count leap seconds: not UTC as ClickHouse
         * means it */
        dfx_tz_err(err, errlen, "time zone \"%s\": zones with leap "
                   "seconds are not supported", name);
        return NULL;
    }

    tz = dfx_tz_new(name);
    if (tz == NULL || dfx_tz_grow(tz, h.timecnt) != 0) {
        goto nomem;
    }
    idx = blk + (size_t) h.timecnt * tsize;
    types = idx + h.timecnt;
    for (i = 0; i < h.typecnt; i++) {
        off = (int32_t) dfx_tz_be32(types + i * 6);
        if (off < DFX_TZ_OFF_MIN || off > DFX_TZ_OFF_MAX
            || types[i * 6 + 4] > 1)
        {
            goto malformed;
        }
    }
    tz->off0 = (int32_t) dfx_tz_be32(types);
    for (i = 0; i < h.timecnt; i++) {
        at = tsize == 8 ? dfx_tz_be64(blk + i * 8)
                        : (int32_t) dfx_tz_be32(blk + i * 4);
        /* RFC 8536: strictly ascending */
        if (idx[i] >= h.typecnt || (i > 0 && at <= prev)) {
            goto malformed;
        }
        prev = at;
        dfx_tz_push(tz, at, (int32_t) dfx_tz_be32(types + idx[i] * 6));
    }

    if (flen > 0) {
        /* "\n<POSIX TZ string>\n" */
        if (foot[0] != '\n' || flen < 2
            || memchr(foot + 1, '\n', flen - 1) == NULL)
        {
            goto malformed;
        }
        flen = (size_t) ((const unsigned char *) memchr(foot + 1, '\n',
                                                        flen - 1)
                         - foot - 1);
        /* an empty, unusable or overlong footer: the last transition's
         * offset stays in force */
        if (flen > 0 && flen < sizeof(fbuf)) {
            memcpy(fbuf, foot + 1, flen);
            fbuf[flen] = '\0';
            if (dfx_tz_rule_parse(fbuf, &rule) == 0) {
                if (rule.has_dst) {
                    if (dfx_tz_unroll(tz, &rule) != 0) {
                        goto nomem;
                    }
                } else if (tz->n == 0) {
                    tz->off0 = rule.std;
                }
            }
        }
    }
    dfx_tz_set_span(tz);
    return tz;

truncated:

    dfx_tz_err(err, errlen, "time zone \"%s\": truncated TZif file", name);
    return NULL;

malformed:

    dfx_tz_err(err, errlen, "time zone \"%s\": malformed TZif file", name);
    dfx_tz_free(tz);
    return NULL;

nomem:

    dfx_tz_err(err, errlen, "time zone \"%s\": out of memory", name);
    dfx_tz_free(tz);
    return NULL;
}

/* ---- files ----------------------------------------------------------- */

/* Whether name can only name a file under the zone directory. */
static int
dfx_tz_name_ok(const char *name)
{
    const char  *s, *c = name;
    size_t       n = strlen(name);

    if (n == 0 || n > DFX_TZ_NAME_MAX || name[0] == '/') {
        return 0;
    }
    for (s = name; ; s++) {
        if (*s == '/' || *s == '\0') {
            /* no empty, "." or ".." component */
            if (s == c || (s - c == 1 && c[0] == '.')
                || (s - c == 2 && c[0] == '.' && c[1] == '.'))
            {
                return 0;
            }
            if (*s == '\0') {
                return 1;
            }
            c = s + 1;
            continue;
        }
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
              || (*s >= '0' && *s <= '9') || *s == '_' || *s == '+'
              || *s == '-' || *s == '.'))
        {
            return 0;
        }
    }
}

dfx_tz_t *
dfx_tz_load(const char *name, char *err, size_t errlen)
{
    const char     *dir;
    char            path[4096];
    unsigned char  *buf = NULL;
    struct stat     sb;
    dfx_tz_t       *tz = NULL;
    FILE           *f = NULL;
    int             n;

    if (name == NULL) {
        tz = dfx_tz_new("UTC");
        if (tz == NULL) {
            dfx_tz_err(err, errlen, "time zone \"UTC\": out of memory");
        }
        return tz;
    }
    if (!dfx_tz_name_ok(name)) {
        dfx_tz_err(err, errlen, "unknown time zone \"%.*s\"",
                   DFX_TZ_NAME_MAX, name);
        return NULL;
    }

    dir = getenv("TZDIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = DFX_TZ_DIR;
    }
    n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (n < 0 || (size_t) n >= sizeof(path)) {
        dfx_tz_err(err, errlen, "unknown time zone \"%s\"", name);
        return NULL;
    }

    f = fopen(path, "rb");
    if (f == NULL || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (f == NULL && errno != ENOENT && errno != ENOTDIR) {
            dfx_tz_err(err, errlen, "time zone \"%s\": %s: %s", name, path,
                       strerror(errno));
        } else {
            dfx_tz_err(err, errlen, "unknown time zone \"%s\" (not in %s)",
                       name, dir);
        }
        goto done;
    }
    if (sb.st_size > DFX_TZ_FILE_MAX) {
        dfx_tz_err(err, errlen, "time zone \"%s\": not a TZif file", name);
        goto done;
    }
    buf = malloc(sb.st_size > 0 ? (size_t) sb.st_size : 1);
    if (buf == NULL) {
        dfx_tz_err(err, errlen, "time zone \"%s\": out of memory", name);
        goto done;
    }
    if (fread(buf, 1, (size_t) sb.st_size, f) != (size_t) sb.st_size) {
        dfx_tz_err(err, errlen, "time zone \"%s\": %s: cannot read it", name,
                   path);
        goto done;
    }
    tz = dfx_tz_parse(name, buf, (size_t) sb.st_size, err, errlen);

done:

    if (f != NULL) {
        fclose(f);
    }
    free(buf);
    return tz;
}
